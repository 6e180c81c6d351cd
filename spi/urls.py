from django.urls import path

from spi import views

app_name = "spi"

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("group-sessions/", views.group_session_list, name="group_session_list"),
    path("group-sessions/new/", views.group_session_create, name="group_session_create"),
    path("group-sessions/<int:pk>/", views.group_session_detail, name="group_session_detail"),
    path(
        "group-sessions/<int:pk>/participants/",
        views.group_session_add_participants,
        name="group_session_add_participants",
    ),
    path(
        "group-sessions/<int:pk>/attendance/",
        views.group_session_attendance,
        name="group_session_attendance",
    ),
    path("clients/<int:pk>/enrolments/new/", views.enrolment_create, name="enrolment_create"),
    path(
        "clients/<int:pk>/partner-referrals/new/",
        views.partner_referral_create,
        name="partner_referral_create",
    ),
    path("enrolments/<int:pk>/edit/", views.enrolment_update, name="enrolment_update"),
    path("enrolments/<int:pk>/start/", views.enrolment_start, name="enrolment_start"),
    path("enrolments/<int:pk>/complete/", views.enrolment_complete, name="enrolment_complete"),
    path("enrolments/<int:pk>/stop/", views.enrolment_stop, name="enrolment_stop"),
    path("enrolments/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path(
        "partner-referrals/<int:pk>/advance/",
        views.partner_referral_advance,
        name="partner_referral_advance",
    ),
    path("trajectories/<int:pk>/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("checkpoints/<int:pk>/", views.checkpoint_record, name="checkpoint_record"),
]
