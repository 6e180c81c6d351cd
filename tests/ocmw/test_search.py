"""Finding a client: accent- and typo-tolerant names, INSZ in any formatting,
never another OCMW's client."""

from __future__ import annotations

import datetime

import pytest

from ocmw import insz
from ocmw.selectors import client_search
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

ELIDRISSI_BORN = datetime.date(1985, 7, 30)
ELIDRISSI_INSZ = insz.build(ELIDRISSI_BORN, 33)  # 85.07.30-033.28


@pytest.fixture
def registry(socialworker, outsider):
    """Four clients of the main OCMW and a namesake (same INSZ) in another OCMW."""

    def make(worker, first, last, born, serial):
        return ClientFactory(
            responsible_social_worker=worker,
            first_name=first,
            last_name=last,
            birth_date=born,
            insz=insz.build(born, serial),
        )

    return {
        "elidrissi": make(socialworker, "Mohamed", "Elidrissi", ELIDRISSI_BORN, 33),
        "dubois": make(socialworker, "Céline", "Dubois", datetime.date(1990, 3, 8), 144),
        "peeters": make(socialworker, "Jan", "Peeters", datetime.date(1972, 11, 21), 207),
        "janssens": make(socialworker, "Kevin", "Janssens", datetime.date(2001, 5, 17), 19),
        "foreign_elidrissi": make(outsider, "Mohamed", "Elidrissi", ELIDRISSI_BORN, 33),
    }


def found(user, query) -> list:
    return list(client_search(user=user, query=query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Mohammed El Idrissi", "elidrissi"),
        ("mohamed elidrissi", "elidrissi"),
        ("Elidrisi", "elidrissi"),
        ("Celine", "dubois"),
        ("céline dubois", "dubois"),
        ("CELINE DUBOIS", "dubois"),
        ("Peters", "peeters"),
        ("Jan Peters", "peeters"),
        ("Janssen", "janssens"),
    ],
)
def test_a_name_search_tolerates_accents_spacing_and_typos(socialworker, registry, query, expected):
    results = found(socialworker, query)
    assert results, f"nothing found for {query!r}"
    assert results[0] == registry[expected]


def test_the_best_match_comes_first(socialworker, registry):
    results = found(socialworker, "Mohamed Elidrissi")
    assert results[0] == registry["elidrissi"]
    assert registry["dubois"] not in results


def test_an_unrelated_name_finds_nobody(socialworker, registry):
    assert found(socialworker, "Wouters") == []


def test_an_empty_search_finds_nobody(socialworker, registry):
    assert found(socialworker, "   ") == []


@pytest.mark.parametrize(
    "query",
    [
        "85073003328",
        "85.07.30-033.28",
        "85 07 30 033 28",
        "85-07-30-033-28",
        " 85.07.30-033.28 ",
    ],
)
def test_an_insz_search_works_with_any_formatting(socialworker, registry, query):
    assert found(socialworker, query) == [registry["elidrissi"]]


@pytest.mark.parametrize("query", ["850730", "85.07.30", "85.07.30-033", "85 07 30 03"])
def test_an_insz_prefix_finds_the_client(socialworker, registry, query):
    assert found(socialworker, query) == [registry["elidrissi"]]


def test_a_name_search_never_returns_another_ocmws_namesake(socialworker, intake, registry):
    for user in (socialworker, intake):
        results = found(user, "Mohamed Elidrissi")
        assert registry["elidrissi"] in results
        assert registry["foreign_elidrissi"] not in results
        assert {c.ocmw_id for c in results} == {socialworker.ocmw_id}


def test_an_insz_search_never_returns_another_ocmws_client_with_the_same_number(
    socialworker, outsider, registry
):
    assert registry["foreign_elidrissi"].insz == registry["elidrissi"].insz
    assert found(socialworker, ELIDRISSI_INSZ) == [registry["elidrissi"]]
    assert found(outsider, ELIDRISSI_INSZ) == [registry["foreign_elidrissi"]]


def test_a_search_only_finds_clients_the_user_may_see(counsellor, registry):
    # The counsellor's SPI team does not follow these general-service clients.
    assert found(counsellor, "Mohamed Elidrissi") == []
    assert found(counsellor, ELIDRISSI_INSZ) == []


def test_the_intake_desk_finds_every_client_of_its_ocmw(intake, registry):
    assert found(intake, "Peters") == [registry["peeters"]]


# --- through the page and the API ------------------------------------------------


def test_the_client_page_search_shows_the_fuzzy_match(login, socialworker, registry):
    client = login(socialworker)
    response = client.get("/clients/", {"q": "Mohammed El Idrissi"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Elidrissi, Mohamed" in html
    assert f'href="/clients/{registry["elidrissi"].pk}/"' in html
    assert f'href="/clients/{registry["foreign_elidrissi"].pk}/"' not in html
    assert "Dubois" not in html


def test_the_client_page_search_accepts_a_formatted_insz(login, socialworker, registry):
    response = login(socialworker).get("/clients/", {"q": "85.07.30-033.28"})
    html = response.content.decode()
    assert "85.07.30-033.28" in html
    assert f'href="/clients/{registry["elidrissi"].pk}/"' in html
    assert f'href="/clients/{registry["foreign_elidrissi"].pk}/"' not in html


def test_the_client_page_search_tolerates_missing_accents(login, socialworker, registry):
    html = login(socialworker).get("/clients/", {"q": "Celine"}).content.decode()
    assert "Dubois, Céline" in html


def test_the_htmx_search_answers_with_the_results_only(login, socialworker, registry):
    response = login(socialworker).get("/clients/", {"q": "Peters"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Peeters, Jan" in html
    assert "<html" not in html


def test_the_page_says_so_when_nobody_is_found(login, socialworker, registry):
    html = login(socialworker).get("/clients/", {"q": "Zzyzx"}).content.decode()
    assert "Zzyzx" in html
    assert 'href="/clients/new/"' in html
    assert "client-table" not in html


def api_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Mohammed El Idrissi", "elidrissi"),
        ("Celine", "dubois"),
        ("Peters", "peeters"),
        ("85.07.30-033.28", "elidrissi"),
        ("85-07-30-033-28", "elidrissi"),
        ("85 07 30", "elidrissi"),
    ],
)
def test_the_api_search_finds_the_same_clients(login, socialworker, registry, query, expected):
    response = login(socialworker).get("/api/v1/clients/", {"search": query})
    ids = api_ids(response)
    assert ids[0] == registry[expected].pk
    assert registry["foreign_elidrissi"].pk not in ids


def test_the_api_search_of_the_other_ocmw_finds_only_its_own_client(login, outsider, registry):
    response = login(outsider).get("/api/v1/clients/", {"search": "Mohamed Elidrissi"})
    assert api_ids(response) == [registry["foreign_elidrissi"].pk]
