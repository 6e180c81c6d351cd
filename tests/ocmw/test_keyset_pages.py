"""Keyset pages of the API lists (``ocmw.pagination.KeysetPagination``).

A list answers ``{"next", "previous", "results"}`` without counting the scope.
Following ``next`` from the first page visits every row the user may see exactly
once, in the list's order (ties and NULLs included); following ``previous`` back
gives the same pages again; a page costs the same queries wherever it is; a link
that was tampered with, or made for another order, is a 404.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ocmw.pagination import KeysetPagination, order_columns
from tests.factories import ClientFactory
from trajecten import services as trajectory_services
from trajecten.models import Action, Contact, Phase

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(KeysetPagination, "page_size", 3)


def walk(api, url: str, params: dict | None = None) -> list[dict]:
    """Every page from the first, by the ``next`` links."""
    pages = []
    response = api.get(url, params or {})
    while True:
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        pages.append(body)
        if body["next"] is None:
            return pages
        response = api.get(body["next"])


def ids(pages: list[dict]) -> list[int]:
    return [row["id"] for page in pages for row in page["results"]]


@pytest.fixture
def journals(teamlead, counsellor, spi_team, socialworker):
    """Three files of ``counsellor`` with contacts sharing dates (ties on the date)."""
    day = datetime.date(2026, 3, 2)
    clients = []
    for index in range(3):
        client = ClientFactory(responsible_social_worker=socialworker)
        trajectory_services.trajectory_open(
            actor=teamlead, client=client, counsellor=counsellor, team=spi_team
        )
        for offset in (0, 0, 1, 5)[: index + 2]:
            trajectory_services.contact_record(
                actor=counsellor,
                client=client,
                data={
                    "type": "interview",
                    "duration_minutes": 30,
                    "summary": f"Gesprek {index}",
                    "date": day - datetime.timedelta(days=offset),
                },
            )
        clients.append(client)
    return clients


def test_next_links_visit_every_contact_once_in_file_order(
    small_pages, login, counsellor, journals
):
    pages = walk(login(counsellor), f"{API}/contacts/")
    expected = list(
        Contact.objects.filter(client__in=journals)
        .order_by("client_id", "-date", "-id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 2 + 3 + 4
    assert ids(pages) == expected
    assert [len(page["results"]) for page in pages] == [3, 3, 3]
    assert pages[0]["previous"] is None and pages[-1]["next"] is None


def test_previous_links_give_the_same_pages_back(small_pages, login, counsellor, journals):
    api = login(counsellor)
    pages = walk(api, f"{API}/contacts/")
    back = [pages[-1]]
    while back[-1]["previous"]:
        back.append(api.get(back[-1]["previous"]).json())
    assert [ids([page]) for page in reversed(back)] == [ids([page]) for page in pages]


def test_a_page_further_on_costs_what_the_first_costs(
    small_pages, login, counsellor, journals, django_assert_num_queries
):
    api = login(counsellor)
    first = api.get(f"{API}/contacts/").json()
    # 1 session, 2 user, 3 the page after the cursor's row (no COUNT, no OFFSET).
    with django_assert_num_queries(3):
        second = api.get(first["next"])
    assert second.status_code == 200
    assert not set(ids([first])) & set(ids([second.json()]))


def test_the_page_query_starts_at_the_cursor_instead_of_skipping_rows(
    small_pages, login, counsellor, journals
):
    api = login(counsellor)
    first = api.get(f"{API}/contacts/").json()
    with CaptureQueriesContext(connection) as queries:
        api.get(first["next"])
    page_sql = queries.captured_queries[-1]["sql"]
    assert "OFFSET" not in page_sql and "COUNT(" not in page_sql
    assert '"trajecten_contact"."client_id" >=' in page_sql


@pytest.mark.parametrize(
    "cursor", ["nonsense", "eyJvIjpbXX0:1abc:def", ""], ids=["garbage", "bad-signature", "empty"]
)
def test_a_tampered_cursor_is_a_404_not_a_500(login, counsellor, journals, cursor):
    response = login(counsellor).get(f"{API}/contacts/", {"cursor": cursor})
    if cursor:
        assert response.status_code == 404
        assert response.json() == {"detail": "Ongeldige cursor."}  # DRF's message, in nl
    else:
        assert response.status_code == 200  # no cursor: the first page


def test_a_cursor_of_another_list_is_refused(small_pages, login, counsellor, journals):
    api = login(counsellor)
    trajectories_next = api.get(f"{API}/contacts/").json()["next"]
    cursor = trajectories_next.split("cursor=")[1]
    response = api.get(f"{API}/trajectories/", {"cursor": cursor})
    assert response.status_code == 404


def test_the_clients_list_pages_by_file_number(small_pages, login, socialworker):
    made = [ClientFactory(responsible_social_worker=socialworker) for _ in range(7)]
    pages = walk(login(socialworker), f"{API}/clients/")
    assert ids(pages) == sorted(c.pk for c in made)


def test_nulls_and_booleans_in_the_order_are_paged_like_postgresql_orders_them(
    small_pages, login, counsellor, case, teamlead, spi_team
):
    """Actions are ordered by goal, done, due date (NULL last) and id."""
    trajectory = trajectory_services.trajectory_open(
        actor=teamlead, client=case, counsellor=counsellor, team=spi_team, phase=Phase.SCREENING
    )
    goal = trajectory_services.goal_create(
        actor=counsellor,
        trajectory=trajectory,
        data={"title": "Werk", "horizon": "short", "domain": "work"},
    )
    soon = timezone.localdate() + datetime.timedelta(days=30)
    due = [None, soon, None, soon - datetime.timedelta(days=10)] * 2
    for index, day in enumerate(due):
        action = trajectory_services.action_create(
            actor=counsellor,
            goal=goal,
            data={"description": f"Stap {index}", "owner": "client", "due_date": day},
        )
        if index % 3 == 0:
            trajectory_services.action_set_done(actor=counsellor, action=action, done=True)
    pages = walk(login(counsellor), f"{API}/actions/")
    expected = list(
        Action.objects.filter(goal=goal)
        .order_by("goal_id", "done", "due_date", "id")
        .values_list("pk", flat=True)
    )
    assert ids(pages) == expected
    assert len(expected) == 8


def test_the_order_always_ends_in_the_primary_key():
    columns = order_columns(Contact.objects.order_by("client_id", "-date"))
    assert [c.label for c in columns] == ["client_id", "-date^", "-pk^"]
    assert [c.label for c in order_columns(Contact.objects.all())] == ["-date^", "-pk^"]
