from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gpmi import api as gpmi_api
from ocmw import api, views
from spi import api as spi_api
from trajecten import api as trajecten_api

api_v1 = [
    path("", include(api.router.urls)),
    path("", include(trajecten_api.router.urls)),
    path("", include(gpmi_api.router.urls)),
    path("", include(spi_api.router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_update, name="client_update"),
    path("clients/<int:pk>/timeline/", views.client_timeline, name="client_timeline"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/snooze/", views.task_snooze, name="task_snooze"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("team/", views.team_overview, name="team_overview"),
    path("report/annual/", views.annual_report, name="annual_report"),
    path(
        "report/annual/export.<str:fmt>",
        views.annual_report_export,
        name="annual_report_export",
    ),
    path("", include("trajecten.urls")),
    path("", include("gpmi.urls")),
    path("", include("spi.urls")),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
