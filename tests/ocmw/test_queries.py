"""Query counts of the core's list and detail pages and endpoints.

Each test runs with 1 and with 30 clients and expects the same exact number:
the count must not grow with the data (no N+1).

The exact numbers are those of the core alone: ``core_only`` empties the panel
registries through which trajecten/gpmi/spi add sections to the home and client
pages (each app counts its own panels in its own tests). The last tests load
the pages with every app's panels and check only that the count does not grow
with the number of clients.

Inside a test the request runs in the test's transaction, so the
``transaction.atomic()`` of a service shows up as SAVEPOINT / RELEASE
SAVEPOINT; in production those are BEGIN / COMMIT, which Django does not count.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocmw import registries
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

SIZES = [1, 30]


@pytest.fixture
def many(request, socialworker):
    """``n`` clients followed by ``socialworker`` (n from the test's parameter)."""
    return [ClientFactory(responsible_social_worker=socialworker) for _ in range(request.param)]


@pytest.fixture
def core_only(monkeypatch):
    monkeypatch.setattr(registries, "home_panels", [])
    monkeypatch.setattr(registries, "client_panels", [])


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_client_list_page_queries_do_not_grow_with_the_clients(
    login, socialworker, many, core_only, django_assert_num_queries
):
    client = login(socialworker)
    # 1 session, 2 user, 3 COUNT of visible clients (paginator),
    # 4 the user's OCMW (page header), 5 unread notifications (header badge),
    # 6 case workers (filter dropdown), 7 one page of clients with their worker.
    with django_assert_num_queries(7):
        response = client.get("/clients/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == len(many)
    assert len(response.context["results"]) == min(len(many), 25)


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_client_search_page_queries_do_not_grow_with_the_clients(
    login, socialworker, many, core_only, django_assert_num_queries
):
    client = login(socialworker)
    # 1 session, 2 user, 3 trigram search joined with the responsible worker
    # (limited, no COUNT), 4 the user's OCMW (header), 5 unread notifications.
    # No filter form, so no case-worker query.
    with django_assert_num_queries(5):
        response = client.get("/clients/", {"q": many[0].last_name})
    assert response.status_code == 200
    assert many[0] in response.context["results"]


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_home_page_my_clients_queries_do_not_grow_with_the_clients(
    login, socialworker, many, core_only, django_assert_num_queries
):
    client = login(socialworker)
    # 1 session, 2 user, 3 COUNT of "my clients" (paginator),
    # 4 unread notifications, 5 the user's OCMW (header),
    # 6 one page of my clients with their worker.
    with django_assert_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["my_clients"].paginator.count == len(many)


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_team_lead_home_page_queries_do_not_grow_with_the_clients(
    login, teamlead, many, core_only, django_assert_num_queries
):
    client = login(teamlead)
    # 1 session, 2 user, 3 the teams led, 4 their members with client counts
    # (one aggregate), 5 unread notifications, 6 the user's OCMW (header).
    with django_assert_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    counts = {m.username: m.client_count for t in response.context["teams"] for m in t.member_rows}
    assert counts["socialworker"] == len(many)


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_client_detail_page_queries_do_not_grow_with_the_clients(
    login, socialworker, many, core_only, django_assert_num_queries
):
    client = login(socialworker)
    # 1 session, 2 user, 3 the client (scoped, with worker and OCMW),
    # 4-6 SAVEPOINT, INSERT access log, RELEASE (the service's atomic block),
    # 7 unread notifications, 8 the user's OCMW (header).
    with django_assert_num_queries(8):
        response = client.get(f"/clients/{many[-1].pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_client_detail_page_for_a_team_lead_adds_only_the_access_log_query(
    login, teamlead, many, core_only, django_assert_num_queries
):
    client = login(teamlead)
    # The 8 of a case worker, plus 9 the last access-log entries with their users.
    with django_assert_num_queries(9):
        response = client.get(f"/clients/{many[-1].pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_api_client_list_queries_do_not_grow_with_the_clients(
    login, socialworker, many, django_assert_num_queries
):
    client = login(socialworker)
    # 1 session, 2 user, 3 one keyset page of clients (no COUNT of the scope).
    with django_assert_num_queries(3):
        response = client.get("/api/v1/clients/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == len(many)
    assert response.json()["next"] is None


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_api_client_search_queries_do_not_grow_with_the_clients(
    login, socialworker, many, django_assert_num_queries
):
    client = login(socialworker)
    # 1 session, 2 user, 3 trigram search (limited, not paginated: no COUNT).
    with django_assert_num_queries(3):
        response = client.get("/api/v1/clients/", {"search": many[0].last_name})
    assert response.status_code == 200


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_api_client_detail_queries_do_not_grow_with_the_clients(
    login, socialworker, many, django_assert_num_queries
):
    client = login(socialworker)
    # 1 session, 2 user, 3 the client, 4-6 SAVEPOINT, INSERT access log, RELEASE.
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/clients/{many[0].pk}/")
    assert response.status_code == 200


# --- one test, two measurements ----------------------------------------------------------


def measure(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_core_counts_are_the_same_for_1_and_for_30_clients(login, socialworker, core_only):
    client = login(socialworker)
    first = ClientFactory(responsible_social_worker=socialworker)
    urls = ("/clients/", "/", f"/clients/{first.pk}/", "/api/v1/clients/")
    small = [measure(client, url) for url in urls]
    for _ in range(29):
        ClientFactory(responsible_social_worker=socialworker)
    large = [measure(client, url) for url in urls]
    assert small == large == [7, 6, 8, 3]


@pytest.mark.parametrize("persona_name", ["socialworker", "teamlead", "intake"])
def test_with_every_apps_panels_the_pages_still_do_not_grow_with_the_clients(
    login, persona, socialworker, persona_name
):
    client = login(persona(persona_name))
    first = ClientFactory(responsible_social_worker=socialworker)
    urls = ("/", "/clients/", f"/clients/{first.pk}/")
    small = [measure(client, url) for url in urls]
    for _ in range(29):
        ClientFactory(responsible_social_worker=socialworker)
    assert [measure(client, url) for url in urls] == small
