"""Query counts of the caseload and the client file: they must not grow with the data.

Each test measures the same page with a small and a large history and asserts
one fixed count for both; the comment names every query.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClientFactory
from trajecten import services
from trajecten.models import Phase, Trajectory

pytestmark = pytest.mark.django_db


def open_for(client, *, teamlead, counsellor, spi_team, phase=Phase.SCREENING) -> Trajectory:
    return services.trajectory_open(
        actor=teamlead, client=client, counsellor=counsellor, team=spi_team, phase=phase
    )


def add_history(trajectory: Trajectory, counsellor, *, contacts: int) -> None:
    """Contacts (one of every three confidential), a goal with an action, an evaluation."""
    client = trajectory.client
    for n in range(contacts):
        services.contact_record(
            actor=counsellor,
            client=client,
            data={
                "date": timezone.localdate() - datetime.timedelta(days=n),
                "type": "interview",
                "duration_minutes": 30,
                "summary": f"Gesprek {n}",
                "confidential": n % 3 == 1,
            },
        )
    goal = services.goal_create(
        actor=counsellor,
        trajectory=trajectory,
        data={"title": "Werk zoeken", "horizon": "short", "domain": "work"},
    )
    services.action_create(
        actor=counsellor, goal=goal, data={"description": "CV maken", "owner": "client"}
    )
    services.evaluation_record(
        actor=counsellor,
        trajectory=trajectory,
        data={"date": timezone.localdate(), "conclusion": "Loopt goed"},
        progress={goal.pk: ("some", "")},
    )


# --- the caseload -----------------------------------------------------------------------

# The caseload page, for a counsellor:
#   1. the session
#   2. the user
#   3. the number of open trajectories (the paginator's count)
#   4. the unread notifications in the header
#   5. the user's OCMW, named in the header
#   6. one page of the trajectories, client, counsellor and team joined, the
#      last contact and the next evaluation as subqueries
#   7. what each client on the page is doing now (the SPI activity summaries)
CASELOAD_QUERIES = 7


@pytest.mark.parametrize("size", [1, 50])
def test_the_caseload_costs_the_same_for_1_or_50_trajectories(
    size, login, django_assert_num_queries, teamlead, counsellor, spi_team, socialworker
):
    for _ in range(size):
        client = ClientFactory(responsible_social_worker=socialworker)
        trajectory = open_for(client, teamlead=teamlead, counsellor=counsellor, spi_team=spi_team)
        add_history(trajectory, counsellor, contacts=2)
    browser = login(counsellor)

    with django_assert_num_queries(CASELOAD_QUERIES):
        response = browser.get(reverse("trajecten:caseload") + "?sort=last_contact")

    assert response.status_code == 200
    assert len(response.context["rows"]) == min(size, 25)


# The team caseload (``?scope=team``) is now the team case list; its query count
# is in tests/trajecten/test_team_cases.py.


# --- the client file --------------------------------------------------------------------
#
# The client file page is assembled by the core from every app's panels, so its
# total moves when another app (GPMI, SPI) adds a panel. Two kinds of tests:
# the trajectory panels alone with an exact, named count, and the whole page
# measured with a small and a large history, which must cost the same.

# The trajectory panels (trajecten.hooks.client_panels), selected and rendered:
#   1. the client's trajectories (open and earlier), counsellor and team joined
#   2. the latest 21 contacts of the journal, with "may read the summary"
#   3. the client's referrals, team and staff joined
#   4. the needs analyses, author joined (prefetched on the client, so the
#      needs-analysis gate of the offered moves reads them without a query)
#   5. the goals of the current trajectory
#   6. their actions (prefetch)
#   7. the evaluations, author joined
#   8. their progress per goal, goal joined (prefetch)
#   9. the outcomes of the open trajectory (prefetch, read by the aftercare gate)
# The timeline tab loads its first page itself when shown (htmx): its queries are
# those of the timeline partial, counted in test_the_timeline_page_costs_the_same...
TRAJECTORY_PANEL_QUERIES = 9


@pytest.fixture
def render_trajectory_panels(monkeypatch):
    """``render(case, user)``: the trajectory panels of the file, selected and rendered."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from ocmw import registries, selectors
    from trajecten import hooks

    monkeypatch.setattr(registries, "timeline_sources", [hooks.timeline_entries])

    def prepare(case, user):
        request = RequestFactory().get(f"/clients/{case.pk}/")
        request.user = user
        client = selectors.client_get(user=user, pk=case.pk)
        return lambda: "".join(
            render_to_string(panel.template, {"panel": panel}, request=request)
            for panel in hooks.client_panels(request, client)
        )

    return prepare


@pytest.mark.parametrize("contacts", [1, 50])
def test_the_trajectory_panels_cost_the_same_for_1_or_50_contacts(
    contacts,
    django_assert_num_queries,
    render_trajectory_panels,
    teamlead,
    counsellor,
    spi_team,
    case,
):
    trajectory = open_for(case, teamlead=teamlead, counsellor=counsellor, spi_team=spi_team)
    services.needs_analysis_record(actor=counsellor, client=case, data={"own_project": "Koken"})
    add_history(trajectory, counsellor, contacts=contacts)
    render = render_trajectory_panels(case, counsellor)

    with django_assert_num_queries(TRAJECTORY_PANEL_QUERIES):
        html = render()

    assert "Gesprek 0" in html
    assert html.count('class="contact-item') == min(contacts, 20)


@pytest.mark.parametrize("earlier", [0, 49])
def test_the_trajectory_panels_cost_the_same_for_1_or_50_trajectories(
    earlier,
    django_assert_num_queries,
    render_trajectory_panels,
    teamlead,
    counsellor,
    spi_team,
    case,
):
    make_closed_trajectories(
        case, earlier, teamlead=teamlead, counsellor=counsellor, spi_team=spi_team
    )
    trajectory = open_for(case, teamlead=teamlead, counsellor=counsellor, spi_team=spi_team)
    services.needs_analysis_record(actor=counsellor, client=case, data={"own_project": "Koken"})
    add_history(trajectory, counsellor, contacts=1)
    render = render_trajectory_panels(case, counsellor)

    with django_assert_num_queries(TRAJECTORY_PANEL_QUERIES):
        html = render()

    if earlier:
        assert f"{earlier} earlier trajectories" in html


def make_closed_trajectories(case, count, *, teamlead, counsellor, spi_team) -> None:
    for _ in range(count):
        old = open_for(case, teamlead=teamlead, counsellor=counsellor, spi_team=spi_team)
        add_history(old, counsellor, contacts=1)
        services.trajectory_transition(
            actor=teamlead, trajectory=old, target=Phase.CLOSED, closing_reason="moved"
        )


def page_queries(browser, case) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = browser.get(reverse("client_detail", args=[case.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_client_file_page_costs_the_same_for_1_or_50_contacts_and_trajectories(
    login, teamlead, counsellor, spi_team, case, socialworker
):
    """The whole page (core, trajectory and every other app's panels): a client
    with 1 contact and 1 trajectory costs what one with 50 of each costs."""
    small = ClientFactory(responsible_social_worker=socialworker)
    for client, contacts, earlier in ((small, 1, 0), (case, 50, 49)):
        make_closed_trajectories(
            client, earlier, teamlead=teamlead, counsellor=counsellor, spi_team=spi_team
        )
        trajectory = open_for(client, teamlead=teamlead, counsellor=counsellor, spi_team=spi_team)
        services.needs_analysis_record(
            actor=counsellor, client=client, data={"own_project": "Koken"}
        )
        add_history(trajectory, counsellor, contacts=contacts)
    browser = login(counsellor)
    page_queries(browser, small)  # warm up: the first request of a session loads more

    assert page_queries(browser, small) == page_queries(browser, case)
