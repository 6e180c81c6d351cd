from django.urls import path

from gpmi import views

app_name = "gpmi"

urlpatterns = [
    path("gpmi/", views.gpmi_list, name="list"),
    path("gpmi/statistics/", views.statistics, name="statistics"),
    path("gpmi/statistics/export.<str:fmt>", views.statistics_export, name="statistics_export"),
    path("gpmi/staff-time/", views.staff_time_report, name="staff_time"),
    path("gpmi/staff-time/export.xlsx", views.staff_time_export, name="staff_time_export"),
    path("clients/<int:pk>/gpmi/new/", views.gpmi_create, name="create"),
    path("clients/<int:pk>/gpmi/exemption/", views.exemption_create, name="exemption"),
    path("clients/<int:pk>/esr-consent/", views.consent_record, name="consent"),
    path("clients/<int:pk>/esr-package/", views.esr_package, name="esr_package"),
    path("gpmi/<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("gpmi/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("gpmi/versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("gpmi/versions/<int:pk>/present/", views.version_present, name="version_present"),
    path("gpmi/versions/<int:pk>/sign/", views.version_sign, name="version_sign"),
    path("gpmi/versions/<int:pk>/end/", views.version_end, name="version_end"),
    path("gpmi/versions/<int:pk>/withdraw/", views.version_withdraw, name="version_withdraw"),
    path("gpmi/versions/<int:pk>/pdf/", views.version_pdf, name="version_pdf"),
]
