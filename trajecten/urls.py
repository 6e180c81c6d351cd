from django.urls import path

from trajecten import views

app_name = "trajecten"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("team/cases/", views.team_cases, name="team_cases"),
    path("team/cases/export/<str:fmt>/", views.team_cases_export, name="team_cases_export"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("clients/<int:pk>/referral/", views.referral_create, name="referral_create"),
    path("clients/<int:pk>/trajectory/start/", views.trajectory_start, name="trajectory_start"),
    path("clients/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("clients/<int:pk>/journal/", views.journal, name="journal"),
    path(
        "clients/<int:pk>/needs-analysis/new/",
        views.needs_analysis_create,
        name="needs_analysis_create",
    ),
    path("needs-analyses/<int:pk>/", views.needs_analysis_detail, name="needs_analysis_detail"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("trajectories/<int:pk>/", views.trajectory_detail, name="trajectory_detail"),
    path(
        "trajectories/<int:pk>/transition/",
        views.trajectory_transition,
        name="trajectory_transition",
    ),
    path("trajectories/<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path(
        "trajectories/<int:pk>/evaluations/new/",
        views.evaluation_create,
        name="evaluation_create",
    ),
    path("goals/<int:pk>/status/", views.goal_status, name="goal_status"),
    path("goals/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("team/analytics/", views.analytics, name="analytics"),
]
