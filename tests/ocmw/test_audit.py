"""The audit trail (pghistory: who changed what) and the access log (who read
which file, GDPR art. 15)."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps

from ocmw import insz, services
from ocmw.models import AccessAction, AccessLog, Client
from tests.factories import client_form_data

pytestmark = pytest.mark.django_db

ClientEvent = apps.get_model("ocmw", "ClientEvent")


def events(client: Client, label: str) -> list:
    return list(
        ClientEvent.objects.filter(pgh_obj_id=client.pk, pgh_label=label)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )


def test_registering_through_the_page_records_an_insert_event_with_the_user(login, socialworker):
    response = login(socialworker).post("/clients/new/", client_form_data())
    assert response.status_code == 302
    client = Client.objects.get()
    [event] = events(client, "insert")
    assert event.insz == client.insz
    assert event.last_name == "Elidrissi"
    assert event.pgh_context.metadata["user"] == socialworker.pk
    assert event.pgh_context.metadata["url"] == "/clients/new/"


def test_editing_through_the_page_records_an_update_event_with_the_old_and_new_data(
    login, teamlead, case
):
    data = client_form_data(
        insz=case.insz,
        first_name=case.first_name,
        last_name=case.last_name,
        birth_date="",
        phone="0499 00 00 01",
        row_version=case.row_version,
    )
    assert login(teamlead).post(f"/clients/{case.pk}/edit/", data).status_code == 302
    [insert] = events(case, "insert")
    [update] = events(case, "update")
    assert insert.phone == "0470 12 34 56"
    assert update.phone == "0499 00 00 01"
    assert update.row_version == 2
    assert update.pgh_context.metadata["user"] == teamlead.pk
    assert update.pgh_context.metadata["url"] == f"/clients/{case.pk}/edit/"


def test_editing_through_the_api_records_the_api_user(login, socialworker, case):
    response = login(socialworker).patch(
        f"/api/v1/clients/{case.pk}/", {"city": "Gent"}, content_type="application/json"
    )
    assert response.status_code == 200
    [update] = events(case, "update")
    assert update.city == "Gent"
    assert update.pgh_context.metadata["user"] == socialworker.pk


def test_the_services_name_the_actor_also_outside_a_request(intake, socialworker):
    born = datetime.date(1993, 10, 10)
    client = services.client_register(
        actor=intake,
        data={"insz": insz.build(born, 77), "first_name": "Ana", "last_name": "Popescu"},
    )
    editable = Client.objects.visible_to(socialworker, for_edit=True)
    assert not editable.filter(pk=client.pk).exists()
    services.client_update(
        actor=intake,
        client=Client.objects.visible_to(intake, for_edit=True).get(pk=client.pk),
        data={"responsible_social_worker": socialworker},
    )
    [insert] = events(client, "insert")
    [update] = events(client, "update")
    assert insert.pgh_context.metadata["user"] == intake.pk
    assert update.pgh_context.metadata["user"] == intake.pk
    assert update.responsible_social_worker_id == socialworker.pk


def test_a_bulk_update_outside_the_services_is_still_recorded(case):
    # The triggers live in PostgreSQL: even a queryset update leaves a trace.
    Client.objects.filter(pk=case.pk).update(city="Leuven")
    [update] = events(case, "update")
    assert update.city == "Leuven"


def test_saving_without_a_change_records_no_update(socialworker, case):
    Client.objects.filter(pk=case.pk).update(city=case.city)
    assert events(case, "update") == []


# --- the access log ---------------------------------------------------------------------


def test_viewing_a_client_page_is_logged_with_user_client_action_and_page(
    login, socialworker, case
):
    response = login(socialworker).get(f"/clients/{case.pk}/", {"tab": "plan"})
    assert response.status_code == 200
    [entry] = AccessLog.objects.all()
    assert entry.user == socialworker
    assert entry.client == case
    assert entry.ocmw_id == case.ocmw_id
    assert entry.action == AccessAction.VIEW
    assert entry.what == "client file"
    assert entry.page == f"/clients/{case.pk}/?tab=plan"


def test_every_view_is_logged_not_only_the_first(login, socialworker, sw_colleague, case):
    login(socialworker).get(f"/clients/{case.pk}/")
    login(socialworker).get(f"/clients/{case.pk}/")
    login(sw_colleague).get(f"/clients/{case.pk}/")
    users = list(AccessLog.objects.filter(client=case).values_list("user__username", flat=True))
    assert sorted(users) == ["socialworker", "socialworker", "sw_colleague"]


def test_the_intake_desk_is_logged_as_viewing_the_identity_only(login, intake, case):
    login(intake).get(f"/clients/{case.pk}/")
    [entry] = AccessLog.objects.all()
    assert (entry.user, entry.client, entry.what) == (intake, case, "client identity")


def test_an_api_retrieve_is_logged(login, teamlead, case):
    response = login(teamlead).get(f"/api/v1/clients/{case.pk}/")
    assert response.status_code == 200
    [entry] = AccessLog.objects.all()
    assert entry.user == teamlead
    assert entry.client == case
    assert entry.action == AccessAction.VIEW
    assert entry.what == "client file (API)"
    assert entry.page == f"/api/v1/clients/{case.pk}/"


def test_opening_the_edit_form_is_logged_as_a_view(login, socialworker, case):
    # The edit form shows the whole file, so it is a read like the detail page.
    assert login(socialworker).get(f"/clients/{case.pk}/edit/").status_code == 200
    [entry] = AccessLog.objects.all()
    assert (entry.user, entry.client, entry.action) == (socialworker, case, AccessAction.VIEW)
    assert entry.page == f"/clients/{case.pk}/edit/"


def test_a_refused_view_leaves_no_access_log_entry(login, counsellor, outsider, case):
    assert login(counsellor).get(f"/clients/{case.pk}/").status_code == 404
    assert login(outsider).get(f"/api/v1/clients/{case.pk}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_the_access_log_is_not_part_of_the_audited_change_history(login, socialworker, case):
    login(socialworker).get(f"/clients/{case.pk}/")
    assert events(case, "update") == []
