"""Registering someone twice: same INSZ, a very similar person, a double click."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils.translation import gettext

from ocmw import insz
from ocmw.models import Client
from tests.factories import ClientFactory, client_form_data

pytestmark = pytest.mark.django_db


def near_twin_of(case, **fields) -> dict:
    """Form data for "Lotte Van Damme", same birth date as the case, another INSZ."""
    data = {
        "insz": insz.format_insz(insz.build(case.birth_date, 126)),
        "first_name": "Lotte",
        "last_name": "Van Damme",
        "birth_date": case.birth_date.strftime("%d/%m/%Y"),
        **fields,
    }
    return client_form_data(**data)


# --- same INSZ --------------------------------------------------------------------


@pytest.mark.parametrize("persona_name", ["intake", "socialworker", "counsellor"])
def test_registering_an_existing_insz_links_to_the_existing_file_and_saves_nothing(
    login, persona, case, persona_name
):
    user = persona(persona_name)
    # Birth date left empty: it is read from the number.
    data = client_form_data(insz=insz.format_insz(case.insz), first_name="Lotta", birth_date="")
    response = login(user).post("/clients/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/clients/{case.pk}/"' in html
    link_text = gettext("Open the existing file of %(name)s") % {"name": case.full_name}
    assert link_text in html
    assert case.file_number in html  # "... already exists (file 000042)."
    assert Client.objects.count() == 1


def test_the_insz_is_compared_whatever_its_formatting(login, socialworker, case):
    data = client_form_data(
        insz=insz.format_insz(case.insz).replace(".", " ").replace("-", "/"),
        first_name="Lotte",
        last_name="Vandamme",
        birth_date="",
    )
    response = login(socialworker).post("/clients/new/", data)
    assert response.status_code == 200
    assert f'href="/clients/{case.pk}/"' in response.content.decode()
    assert Client.objects.count() == 1


def test_the_api_refuses_an_existing_insz_naming_the_existing_client(login, socialworker, case):
    payload = {"insz": insz.format_insz(case.insz), "first_name": "Lotte", "last_name": "V"}
    response = login(socialworker).post(
        "/api/v1/clients/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["existing_client"] == case.pk
    assert "insz" in body
    assert Client.objects.count() == 1


def test_the_same_insz_in_another_ocmw_is_a_different_file(login, outsider, case):
    data = client_form_data(
        insz=insz.format_insz(case.insz),
        first_name=case.first_name,
        last_name=case.last_name,
        birth_date=case.birth_date.strftime("%d/%m/%Y"),
    )
    response = login(outsider).post("/clients/new/", data)
    assert response.status_code == 302
    twin = Client.objects.get(ocmw=outsider.ocmw)
    assert response.url == f"/clients/{twin.pk}/"
    assert twin.insz == case.insz
    assert Client.objects.filter(insz=case.insz).count() == 2


def test_the_api_allows_the_same_insz_in_another_ocmw(login, outsider, case):
    payload = {"insz": case.insz, "first_name": "Lotte", "last_name": "Vandamme"}
    response = login(outsider).post("/api/v1/clients/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["id"] != case.pk
    assert Client.objects.filter(insz=case.insz, ocmw=outsider.ocmw).count() == 1


def test_changing_a_clients_insz_to_an_existing_one_is_refused(login, socialworker, case):
    born = datetime.date(1990, 1, 2)
    second = ClientFactory(
        responsible_social_worker=socialworker, birth_date=born, insz=insz.build(born, 11)
    )
    data = client_form_data(
        insz=insz.format_insz(case.insz),
        first_name=second.first_name,
        last_name=second.last_name,
        birth_date="",
        row_version=second.row_version,
    )
    response = login(socialworker).post(f"/clients/{second.pk}/edit/", data)
    assert response.status_code == 200
    assert f'href="/clients/{case.pk}/"' in response.content.decode()
    second.refresh_from_db()
    assert second.insz == insz.build(born, 11)


# --- a very similar person ------------------------------------------------------------


def test_a_similar_name_with_the_same_birth_date_is_shown_before_saving(login, socialworker, case):
    response = login(socialworker).post("/clients/new/", near_twin_of(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="possible-duplicates"' in html
    assert f'href="/clients/{case.pk}/"' in html
    assert 'name="confirm_possible_duplicate"' in html
    assert Client.objects.count() == 1


def test_a_possible_duplicate_is_saved_once_confirmed(login, socialworker, case):
    client = login(socialworker)
    data = near_twin_of(case)
    client.post("/clients/new/", data)
    response = client.post("/clients/new/", {**data, "confirm_possible_duplicate": "on"})
    assert response.status_code == 302
    twin = Client.objects.exclude(pk=case.pk).get()
    assert response.url == f"/clients/{twin.pk}/"
    assert (twin.first_name, twin.last_name) == ("Lotte", "Van Damme")


def test_a_similar_name_with_another_birth_date_is_no_duplicate(login, socialworker, case):
    born = datetime.date(1988, 4, 13)
    data = near_twin_of(
        case, insz=insz.format_insz(insz.build(born, 126)), birth_date=born.strftime("%d/%m/%Y")
    )
    response = login(socialworker).post("/clients/new/", data)
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_a_different_name_with_the_same_birth_date_is_no_duplicate(login, socialworker, case):
    data = near_twin_of(case, first_name="Kofi", last_name="Mensah")
    response = login(socialworker).post("/clients/new/", data)
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_a_possible_duplicate_in_another_ocmw_is_not_shown(login, outsider, case):
    response = login(outsider).post("/clients/new/", near_twin_of(case))
    assert response.status_code == 302
    assert Client.objects.filter(ocmw=outsider.ocmw).count() == 1


def test_the_api_reports_a_possible_duplicate_and_saves_it_once_confirmed(
    login, socialworker, case
):
    api = login(socialworker)
    born = case.birth_date
    payload = {
        "insz": insz.build(born, 126),
        "first_name": "Lotte",
        "last_name": "Van Damme",
        "birth_date": born.isoformat(),
    }
    refused = api.post("/api/v1/clients/", payload, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["possible_duplicates"] == [case.pk]
    assert Client.objects.count() == 1

    confirmed = api.post(
        "/api/v1/clients/",
        {**payload, "confirm_possible_duplicate": True},
        content_type="application/json",
    )
    assert confirmed.status_code == 201, confirmed.content
    assert Client.objects.count() == 2


# --- the same form sent twice -----------------------------------------------------------


def test_a_double_submitted_form_creates_one_client_and_both_answers_lead_to_it(
    login, socialworker
):
    client = login(socialworker)
    key = str(uuid.uuid4())
    data = client_form_data(submission_key=key)
    first = client.post("/clients/new/", data)
    second = client.post("/clients/new/", data)
    created = Client.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/clients/{created.pk}/"


def test_the_registration_form_carries_a_fresh_submission_key(login, socialworker):
    client = login(socialworker)
    first = client.get("/clients/new/").content.decode()
    second = client.get("/clients/new/").content.decode()
    assert 'name="submission_key"' in first

    def key(html: str) -> str:
        start = html.index('name="submission_key" value="') + len('name="submission_key" value="')
        return html[start : start + 36]

    assert uuid.UUID(key(first)) != uuid.UUID(key(second))


def test_two_forms_with_different_keys_are_two_registrations(login, socialworker):
    client = login(socialworker)
    born = datetime.date(1991, 6, 6)
    client.post("/clients/new/", client_form_data(submission_key=str(uuid.uuid4())))
    response = client.post(
        "/clients/new/",
        client_form_data(
            submission_key=str(uuid.uuid4()),
            insz=insz.build(born, 5),
            first_name="Tom",
            last_name="Mertens",
            birth_date=born.strftime("%d/%m/%Y"),
        ),
    )
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_an_api_request_repeated_with_the_same_idempotency_key_creates_one_client(
    login, socialworker
):
    api = login(socialworker)
    key = str(uuid.uuid4())
    payload = {"insz": "85.07.30-033.28", "first_name": "Mohamed", "last_name": "Elidrissi"}
    first = api.post(
        "/api/v1/clients/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    second = api.post(
        "/api/v1/clients/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    created = Client.objects.get()
    assert first.status_code == 201, first.content
    assert second.status_code in (200, 201), second.content
    assert first.json()["id"] == second.json()["id"] == created.pk


def test_an_api_request_without_idempotency_key_is_not_deduplicated(login, socialworker):
    api = login(socialworker)
    payload = {"insz": "85.07.30-033.28", "first_name": "Mohamed", "last_name": "Elidrissi"}
    api.post("/api/v1/clients/", payload, content_type="application/json")
    second = api.post("/api/v1/clients/", payload, content_type="application/json")
    # The second one is refused as a duplicate INSZ, not silently merged.
    assert second.status_code == 400
    assert second.json()["existing_client"] == Client.objects.get().pk


def test_an_idempotency_key_that_is_not_a_uuid_is_refused(login, socialworker):
    response = login(socialworker).post(
        "/api/v1/clients/",
        {"insz": "85.07.30-033.28", "first_name": "Mohamed", "last_name": "Elidrissi"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="twice-please",
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Client.objects.exists()
