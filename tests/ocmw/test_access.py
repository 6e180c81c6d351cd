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
"""

from __future__ import annotations

import datetime

import pytest
from django.utils.translation import gettext

from ocmw import insz
from ocmw.models import Client
from tests.factories import client_form_data

pytestmark = pytest.mark.django_db

LOGIN = "login"  # pages: redirect to the login page
ANON_API = "anon"  # API: 401 or 403

# persona: (listed, detail, edit) for `case`, then the same for `spi_case`.
# listed: the file appears in the page list and the API list.
# detail: status of GET /clients/<id>/ and GET /api/v1/clients/<id>/.
# edit:   status of GET /clients/<id>/edit/ and PATCH /api/v1/clients/<id>/.
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
    "anonymous": ((LOGIN, LOGIN, LOGIN), (LOGIN, LOGIN, LOGIN)),
}

# Who may open the registration form (page) and POST a new client (API).
MAY_REGISTER = {
    "intake": (200, 201),
    "socialworker": (200, 201),
    "sw_colleague": (200, 201),
    "counsellor": (200, 201),
    "colleague": (200, 201),
    "other_team": (200, 201),
    "teamlead": (200, 201),
    "admin": (403, 403),
    "outsider": (200, 201),  # in their own OCMW
    "anonymous": (LOGIN, ANON_API),
}

FILES = ("case", "spi_case")
CASES = [(name, index) for name in MATRIX for index in range(len(FILES))]
CASE_IDS = [f"{name}-{FILES[index]}" for name, index in CASES]


def test_the_matrix_covers_every_persona():
    from tests.conftest import PERSONAS

    assert set(MATRIX) == set(PERSONAS) == set(MAY_REGISTER)


@pytest.fixture
def files(case, spi_case):
    return (case, spi_case)


def expected(name: str, index: int) -> tuple:
    return MATRIX[name][index]


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={path}"


def assert_api_refuses_anonymous(response) -> None:
    assert response.status_code in (401, 403)
    assert "id" not in response.json()


def listed(html: str, client: Client) -> bool:
    return f'href="/clients/{client.pk}/"' in html


# --- pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "index"), CASES, ids=CASE_IDS)
def test_client_list_page(login, persona, files, name, index):
    target = files[index]
    want, _detail, _edit = expected(name, index)
    response = login(persona(name)).get("/clients/")
    if want == LOGIN:
        assert_login_redirect(response, "/clients/")
        return
    assert response.status_code == 200
    assert listed(response.content.decode(), target) is want


@pytest.mark.parametrize(("name", "index"), CASES, ids=CASE_IDS)
def test_client_detail_page(login, persona, files, name, index):
    target = files[index]
    _listed, want, _edit = expected(name, index)
    path = f"/clients/{target.pk}/"
    response = login(persona(name)).get(path)
    if want == LOGIN:
        assert_login_redirect(response, path)
        return
    assert response.status_code == want
    if want == 200:
        assert target.full_name in response.content.decode()


@pytest.mark.parametrize(("name", "index"), CASES, ids=CASE_IDS)
def test_client_edit_page(login, persona, files, name, index):
    target = files[index]
    _listed, _detail, want = expected(name, index)
    path = f"/clients/{target.pk}/edit/"
    response = login(persona(name)).get(path)
    if want == LOGIN:
        assert_login_redirect(response, path)
        return
    assert response.status_code == want


@pytest.mark.parametrize(("name", "index"), CASES, ids=CASE_IDS)
def test_client_edit_page_saves_only_for_those_who_may_edit(login, persona, files, name, index):
    target = files[index]
    _listed, _detail, want = expected(name, index)
    path = f"/clients/{target.pk}/edit/"
    data = client_form_data(
        insz=insz.format_insz(target.insz),
        first_name=target.first_name,
        last_name=target.last_name,
        birth_date=target.birth_date.strftime("%d/%m/%Y"),
        phone="0499 11 22 33",
        row_version=target.row_version,
    )
    response = login(persona(name)).post(path, data)
    target.refresh_from_db()
    if want == LOGIN:
        assert_login_redirect(response, path)
    elif want == 200:
        assert response.status_code == 302
        assert response.url == f"/clients/{target.pk}/"
        assert target.phone == "0499 11 22 33"
        assert target.row_version == 2
        return
    else:
        assert response.status_code == want
    assert target.phone != "0499 11 22 33"
    assert target.row_version == 1


@pytest.mark.parametrize("name", list(MAY_REGISTER))
def test_registration_page(login, persona, name):
    want, _api = MAY_REGISTER[name]
    response = login(persona(name)).get("/clients/new/")
    if want == LOGIN:
        assert_login_redirect(response, "/clients/new/")
    else:
        assert response.status_code == want


@pytest.mark.parametrize("name", list(MAY_REGISTER))
def test_registration_page_post(login, persona, name):
    want, _api = MAY_REGISTER[name]
    user = persona(name)
    response = login(user).post("/clients/new/", client_form_data())
    if want == LOGIN:
        assert_login_redirect(response, "/clients/new/")
        assert not Client.objects.exists()
    elif want == 200:
        created = Client.objects.get()
        assert response.status_code == 302
        assert response.url == f"/clients/{created.pk}/"
        assert created.ocmw_id == user.ocmw_id
    else:
        assert response.status_code == want
        assert not Client.objects.exists()


# --- API -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "index"), CASES, ids=CASE_IDS)
def test_api_client_list(login, persona, files, name, index):
    target = files[index]
    want, _detail, _edit = expected(name, index)
    response = login(persona(name)).get("/api/v1/clients/")
    if want == LOGIN:
        assert_api_refuses_anonymous(response)
        return
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert (target.pk in ids) is want


@pytest.mark.parametrize(("name", "index"), CASES, ids=CASE_IDS)
def test_api_client_detail(login, persona, files, name, index):
    target = files[index]
    _listed, want, _edit = expected(name, index)
    response = login(persona(name)).get(f"/api/v1/clients/{target.pk}/")
    if want == LOGIN:
        assert_api_refuses_anonymous(response)
        return
    assert response.status_code == want
    if want == 200:
        assert response.json()["id"] == target.pk


@pytest.mark.parametrize(("name", "index"), CASES, ids=CASE_IDS)
def test_api_client_patch(login, persona, files, name, index):
    target = files[index]
    _listed, _detail, want = expected(name, index)
    response = login(persona(name)).patch(
        f"/api/v1/clients/{target.pk}/",
        {"phone": "0499 11 22 33"},
        content_type="application/json",
    )
    target.refresh_from_db()
    if want == LOGIN:
        assert_api_refuses_anonymous(response)
    else:
        assert response.status_code == want
    changed = want == 200
    assert (target.phone == "0499 11 22 33") is changed
    assert target.row_version == (2 if changed else 1)


@pytest.mark.parametrize("name", list(MAY_REGISTER))
def test_api_client_create(login, persona, name):
    _page, want = MAY_REGISTER[name]
    user = persona(name)
    payload = {"insz": "85.07.30-033.28", "first_name": "Mohamed", "last_name": "Elidrissi"}
    response = login(user).post("/api/v1/clients/", payload, content_type="application/json")
    if want == ANON_API:
        assert_api_refuses_anonymous(response)
        assert not Client.objects.exists()
        return
    assert response.status_code == want
    if want == 201:
        created = Client.objects.get()
        assert response.json()["id"] == created.pk
        assert created.ocmw_id == user.ocmw_id
    else:
        assert not Client.objects.exists()


# --- another OCMW's client --------------------------------------------------------------

MAIN_OCMW = [name for name in MATRIX if name not in {"outsider", "anonymous"}]


@pytest.mark.parametrize("name", MAIN_OCMW)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/clients/{pk}/"),
        ("get", "/clients/{pk}/edit/"),
        ("post", "/clients/{pk}/edit/"),
        ("get", "/api/v1/clients/{pk}/"),
        ("patch", "/api/v1/clients/{pk}/"),
        ("put", "/api/v1/clients/{pk}/"),
    ],
)
def test_another_ocmws_client_is_not_found(login, persona, foreign_case, name, method, path):
    client = login(persona(name))
    url = path.format(pk=foreign_case.pk)
    response = getattr(client, method)(url, {}, content_type="application/json")
    assert response.status_code == 404
    foreign_case.refresh_from_db()
    assert foreign_case.row_version == 1


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
