"""The access matrix: who may list, read, register and change which client file.

Rules (ClientQuerySet.visible_to and DOMAIN.md "Who uses it"):

- a case worker sees the clients they follow, reads the clients of their team
  and edits only their own;
- a team lead reads and edits the clients of the teams they lead;
- the intake desk finds every client of its OCMW but sees identity and contact
  data only, never case content such as the leefloon decision date;
- an administrator without a team sees no client;
- another OCMW's client does not exist for you: 404, never 403;
- anonymous: the login page (pages), 401/403 (API).

The two files: ``case`` is followed by ``socialworker`` (general team, with
``sw_colleague``); ``spi_case`` by ``counsellor`` (SPI team, with
``colleague``). ``teamlead`` leads both teams; ``other_team`` is in a third.

Each matrix test makes every request of one row and compares the whole row,
so a failure shows all differences of that persona at once.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils.translation import gettext
from rest_framework.exceptions import NotAuthenticated

from ocmw import insz
from ocmw.models import Client
from tests.conftest import PERSONAS
from tests.factories import client_form_data

pytestmark = pytest.mark.django_db

LOGIN = "login page"  # pages: redirect to the login page
ANON = "401/403"  # API: not authenticated
SAVED = "saved"  # answered with success and the change is in the database
CREATED = "created"

# persona: (listed, detail, edit) for `case`, then the same for `spi_case`.
#   listed: the file appears in the client list page and in the API list;
#   detail: GET /clients/<id>/ and GET /api/v1/clients/<id>/;
#   edit:   GET /clients/<id>/edit/, and whether POSTing that form and
#           PATCH /api/v1/clients/<id>/ save (200) or are refused (404).
MATRIX = {
    #               ---------- case ----------   -------- spi_case --------
    "intake": ((True, 200, 200), (True, 200, 200)),
    "socialworker": ((True, 200, 200), (False, 404, 404)),
    "sw_colleague": ((True, 200, 404), (False, 404, 404)),
    "counsellor": ((False, 404, 404), (True, 200, 200)),
    "colleague": ((False, 404, 404), (True, 200, 404)),
    "other_team": ((False, 404, 404), (False, 404, 404)),
    "teamlead": ((True, 200, 200), (True, 200, 200)),
    "admin": ((False, 404, 404), (False, 404, 404)),
    "outsider": ((False, 404, 404), (False, 404, 404)),
    "anonymous": (None, None),  # every request: LOGIN (pages) / ANON (API)
}

# Registering a new client: (GET /clients/new/, POST /clients/new/, POST /api/v1/clients/).
MAY_REGISTER = {
    "intake": (200, CREATED, CREATED),
    "socialworker": (200, CREATED, CREATED),
    "sw_colleague": (200, CREATED, CREATED),
    "counsellor": (200, CREATED, CREATED),
    "colleague": (200, CREATED, CREATED),
    "other_team": (200, CREATED, CREATED),
    "teamlead": (200, CREATED, CREATED),
    "admin": (403, 403, 403),
    "outsider": (200, CREATED, CREATED),  # in their own OCMW
    "anonymous": (LOGIN, LOGIN, ANON),
}

FILES = ("case", "spi_case")
ROWS = [(name, index) for name in MATRIX for index in range(len(FILES))]
ROW_IDS = [f"{name}-{FILES[index]}" for name, index in ROWS]


def test_the_matrix_covers_every_persona():
    assert set(MATRIX) == set(PERSONAS) == set(MAY_REGISTER)


@pytest.fixture
def files(case, spi_case):
    return (case, spi_case)


def listed(html: str, client: Client) -> bool:
    return f'href="/clients/{client.pk}/"' in html


def to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/login/?next=")


def page_outcome(response):
    return LOGIN if to_login(response) else response.status_code


def api_outcome(response):
    """ANON for "not authenticated" (DRF answers 403 when session auth comes first)."""
    data = response.json()
    not_authenticated = response.status_code in (401, 403) and data.get("detail") == str(
        NotAuthenticated.default_detail
    )
    return ANON if not_authenticated else response.status_code


def expected_pages(name: str, index: int) -> dict:
    if MATRIX[name][index] is None:
        return dict.fromkeys(("list", "detail", "edit form", "save form"), LOGIN)
    shown, detail, edit = MATRIX[name][index]
    return {
        "list": shown,
        "detail": detail,
        "edit form": edit,
        "save form": SAVED if edit == 200 else edit,
    }


def expected_api(name: str, index: int) -> dict:
    if MATRIX[name][index] is None:
        return dict.fromkeys(("list", "detail", "patch"), ANON)
    shown, detail, edit = MATRIX[name][index]
    return {"list": shown, "detail": detail, "patch": SAVED if edit == 200 else edit}


def saved_or_not(response, target: Client, *, success: int, outcome) -> object:
    """SAVED when the answer is a success *and* the database holds the change."""
    target.refresh_from_db()
    changed = target.phone == "0499 11 22 33"
    if response.status_code == success and changed:
        return SAVED
    if changed:
        return f"changed despite {response.status_code}"
    return outcome(response)


@pytest.mark.parametrize(("name", "index"), ROWS, ids=ROW_IDS)
def test_pages_follow_the_access_matrix(login, persona, files, name, index):
    target = files[index]
    client = login(persona(name))
    seen = {}

    response = client.get("/clients/")
    seen["list"] = (
        listed(response.content.decode(), target)
        if response.status_code == 200
        else (page_outcome(response))
    )
    seen["detail"] = page_outcome(client.get(f"/clients/{target.pk}/"))
    seen["edit form"] = page_outcome(client.get(f"/clients/{target.pk}/edit/"))
    form = client_form_data(
        insz=insz.format_insz(target.insz),
        first_name=target.first_name,
        last_name=target.last_name,
        birth_date=target.birth_date.strftime("%d/%m/%Y"),
        phone="0499 11 22 33",
        row_version=target.row_version,
    )
    response = client.post(f"/clients/{target.pk}/edit/", form)
    seen["save form"] = saved_or_not(response, target, success=302, outcome=page_outcome)
    if seen["save form"] == SAVED:
        assert response.url == f"/clients/{target.pk}/"
        assert target.row_version == 2

    assert seen == expected_pages(name, index)


@pytest.mark.parametrize(("name", "index"), ROWS, ids=ROW_IDS)
def test_the_api_follows_the_access_matrix(login, persona, files, name, index):
    target = files[index]
    client = login(persona(name))
    seen = {}

    response = client.get("/api/v1/clients/")
    if response.status_code == 200:
        seen["list"] = target.pk in [row["id"] for row in response.json()["results"]]
    else:
        seen["list"] = api_outcome(response)
    response = client.get(f"/api/v1/clients/{target.pk}/")
    seen["detail"] = api_outcome(response)
    if response.status_code == 200:
        assert response.json()["id"] == target.pk
    response = client.patch(
        f"/api/v1/clients/{target.pk}/", {"phone": "0499 11 22 33"}, content_type="application/json"
    )
    seen["patch"] = saved_or_not(response, target, success=200, outcome=api_outcome)

    assert seen == expected_api(name, index)


@pytest.mark.parametrize("name", list(MAY_REGISTER))
def test_registering_follows_the_access_matrix(login, persona, name):
    user = persona(name)
    client = login(user)
    seen = {}

    seen["form"] = page_outcome(client.get("/clients/new/"))
    response = client.post("/clients/new/", client_form_data())
    created = Client.objects.filter(last_name="Elidrissi").first()
    if created is not None and response.status_code == 302:
        assert response.url == f"/clients/{created.pk}/"
        assert created.ocmw_id == user.ocmw_id
        seen["page post"] = CREATED
    else:
        seen["page post"] = page_outcome(response)

    born = datetime.date(1991, 6, 6)
    payload = {"insz": insz.build(born, 5), "first_name": "Tom", "last_name": "Mertens"}
    response = client.post("/api/v1/clients/", payload, content_type="application/json")
    created = Client.objects.filter(last_name="Mertens").first()
    if created is not None and response.status_code == 201:
        assert response.json()["id"] == created.pk
        assert created.ocmw_id == user.ocmw_id
        seen["api post"] = CREATED
    else:
        seen["api post"] = api_outcome(response)

    form, page_post, api_post = MAY_REGISTER[name]
    assert seen == {"form": form, "page post": page_post, "api post": api_post}
    if CREATED not in (page_post, api_post):
        assert not Client.objects.exists()


# --- another OCMW's client --------------------------------------------------------------

MAIN_OCMW = [name for name in MATRIX if name not in {"outsider", "anonymous"}]


FOREIGN_REQUESTS = [
    ("get", "/clients/{pk}/"),
    ("get", "/clients/{pk}/edit/"),
    ("post", "/clients/{pk}/edit/"),
    ("get", "/api/v1/clients/{pk}/"),
    ("patch", "/api/v1/clients/{pk}/"),
    ("put", "/api/v1/clients/{pk}/"),
]


@pytest.mark.parametrize("name", MAIN_OCMW)
def test_another_ocmws_client_is_not_found(login, persona, foreign_case, name):
    client = login(persona(name))
    for method, path in FOREIGN_REQUESTS:
        url = path.format(pk=foreign_case.pk)
        response = getattr(client, method)(url, {"phone": "1"}, content_type="application/json")
        assert response.status_code == 404, f"{method.upper()} {url}"
    foreign_case.refresh_from_db()
    assert foreign_case.row_version == 1
    assert foreign_case.phone == ""


@pytest.mark.parametrize("name", MAIN_OCMW)
def test_another_ocmws_client_never_appears_in_a_list(login, persona, foreign_case, name):
    client = login(persona(name))
    page = client.get("/clients/").content.decode()
    api = client.get("/api/v1/clients/").json()["results"]
    assert not listed(page, foreign_case)
    assert foreign_case.pk not in [row["id"] for row in api]


def test_the_other_ocmw_sees_its_own_client(login, outsider, foreign_case):
    client = login(outsider)
    assert client.get(f"/clients/{foreign_case.pk}/").status_code == 200
    assert client.get(f"/api/v1/clients/{foreign_case.pk}/").status_code == 200


def test_a_client_number_that_does_not_exist_is_not_found(login, socialworker):
    client = login(socialworker)
    assert client.get("/clients/999999/").status_code == 404
    assert client.get("/api/v1/clients/999999/").status_code == 404


# --- case content is hidden from the intake desk ---------------------------------------


def test_intake_sees_identity_but_not_the_leefloon_decision_on_the_page(login, intake, case):
    html = login(intake).get(f"/clients/{case.pk}/").content.decode()
    assert case.full_name in html
    assert insz.format_insz(case.insz) in html
    assert "0470 12 34 56" in html
    assert "15/01/2026" not in html
    assert gettext("Leefloon decision date") not in html


def test_the_social_worker_sees_the_leefloon_decision_on_the_page(login, socialworker, case):
    html = login(socialworker).get(f"/clients/{case.pk}/").content.decode()
    assert "15/01/2026" in html
    assert gettext("Leefloon decision date") in html


def test_intake_gets_no_leefloon_decision_from_the_api(login, intake, case):
    client = login(intake)
    detail = client.get(f"/api/v1/clients/{case.pk}/").json()
    assert detail["insz"] == case.insz
    assert "leefloon_decision_date" not in detail
    rows = client.get("/api/v1/clients/").json()["results"]
    assert rows and all("leefloon_decision_date" not in row for row in rows)
    found = client.get("/api/v1/clients/", {"search": "Lotte Vandamme"}).json()
    assert [row["id"] for row in found] == [case.pk]
    assert "leefloon_decision_date" not in found[0]


def test_the_social_worker_gets_the_leefloon_decision_from_the_api(login, socialworker, case):
    detail = login(socialworker).get(f"/api/v1/clients/{case.pk}/").json()
    assert detail["leefloon_decision_date"] == "2026-01-15"


def test_intake_cannot_change_the_leefloon_decision_through_the_api(login, intake, case):
    response = login(intake).patch(
        f"/api/v1/clients/{case.pk}/",
        {"phone": "02 555 00 00", "leefloon_decision_date": "2020-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "leefloon_decision_date" not in response.json()
    case.refresh_from_db()
    assert case.phone == "02 555 00 00"
    assert case.leefloon_decision_date == datetime.date(2026, 1, 15)


def test_intake_edit_form_has_no_leefloon_field_and_cannot_change_it(login, intake, case):
    client = login(intake)
    page = client.get(f"/clients/{case.pk}/edit/").content.decode()
    assert 'name="leefloon_decision_date"' not in page
    data = client_form_data(
        insz=case.insz,
        first_name=case.first_name,
        last_name=case.last_name,
        birth_date="",
        leefloon_decision_date="01/01/2020",
        row_version=case.row_version,
    )
    assert client.post(f"/clients/{case.pk}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert case.leefloon_decision_date == datetime.date(2026, 1, 15)


def test_intake_registration_ignores_case_content(login, intake):
    data = client_form_data(leefloon_decision_date="01/02/2026")
    assert login(intake).post("/clients/new/", data).status_code == 302
    assert Client.objects.get().leefloon_decision_date is None


# --- who accessed this file -------------------------------------------------------------


def test_the_team_lead_sees_who_accessed_the_file(login, socialworker, teamlead, case):
    login(socialworker).get(f"/clients/{case.pk}/")
    html = login(teamlead).get(f"/clients/{case.pk}/").content.decode()
    assert gettext("Who accessed this file") in html
    assert socialworker.get_full_name() in html


@pytest.mark.parametrize("name", ["intake", "socialworker", "sw_colleague"])
def test_only_team_leads_see_who_accessed_the_file(login, persona, case, name):
    html = login(persona(name)).get(f"/clients/{case.pk}/").content.decode()
    assert gettext("Who accessed this file") not in html


# --- a client cannot be handed to another OCMW's worker ----------------------------------


def test_the_api_refuses_a_responsible_worker_of_another_ocmw(login, socialworker, outsider, case):
    api = login(socialworker)
    created = api.post(
        "/api/v1/clients/",
        {
            "insz": "85.07.30-033.28",
            "first_name": "Mohamed",
            "last_name": "Elidrissi",
            "responsible_social_worker": outsider.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 400
    assert "responsible_social_worker" in created.json()
    patched = api.patch(
        f"/api/v1/clients/{case.pk}/",
        {"responsible_social_worker": outsider.pk},
        content_type="application/json",
    )
    assert patched.status_code == 400
    case.refresh_from_db()
    assert case.responsible_social_worker == socialworker
    assert Client.objects.count() == 1


def test_the_registration_form_offers_only_workers_of_the_own_ocmw(
    login, socialworker, counsellor, intake, outsider
):
    client = login(intake)
    page = client.get("/clients/new/").content.decode()
    assert f'<option value="{socialworker.pk}">' in page
    assert f'<option value="{counsellor.pk}">' in page
    assert f'<option value="{outsider.pk}">' not in page
    assert f'<option value="{intake.pk}">' not in page  # intake handles no cases
    response = client.post(
        "/clients/new/", client_form_data(responsible_social_worker=str(outsider.pk))
    )
    assert response.status_code == 200
    assert not Client.objects.exists()


def test_a_client_registered_by_a_case_worker_is_theirs(login, counsellor):
    assert login(counsellor).post("/clients/new/", client_form_data()).status_code == 302
    assert Client.objects.get().responsible_social_worker == counsellor
