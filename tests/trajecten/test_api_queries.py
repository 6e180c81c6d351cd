"""Query counts of the trajectory API lists and details.

Each test runs with 1 and with 30 rows and expects the same exact number: the
count must not grow with the data (no N+1). The scoping (visible clients, the
teams of the user, the confidential-note rule) is part of the one main query as
subqueries, never a query per row.
"""

from __future__ import annotations

import pytest

from tests.factories import ClientFactory
from tests.trajecten.conftest import full_checklist
from trajecten import services
from trajecten.models import PHASES, Phase

pytestmark = pytest.mark.django_db

SIZES = [1, 30]
API = "/api/v1"


@pytest.fixture
def caseload(request, counsellor, spi_team):
    """``n`` clients of ``counsellor``, each with an open trajectory."""
    trajectories = []
    for index in range(request.param):
        client = ClientFactory(responsible_social_worker=counsellor)
        trajectories.append(
            services.trajectory_open(
                actor=counsellor,
                client=client,
                counsellor=counsellor,
                team=spi_team,
                phase=PHASES[index % 7],
            )
        )
    return trajectories


@pytest.mark.parametrize("caseload", SIZES, indirect=True)
def test_trajectory_list_queries_do_not_grow_with_the_trajectories(
    login, counsellor, caseload, django_assert_num_queries
):
    api = login(counsellor)
    # 1 session, 2 user, 3 one keyset page of trajectories joined with client,
    # counsellor and team (no COUNT); the visible-clients scope is a subquery of it.
    with django_assert_num_queries(3):
        response = api.get(f"{API}/trajectories/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == len(caseload)
    assert {row["counsellor_name"] for row in response.json()["results"]} == {str(counsellor)}


@pytest.mark.parametrize("caseload", SIZES, indirect=True)
def test_trajectory_list_queries_are_the_same_for_a_team_lead(
    login, teamlead, caseload, django_assert_num_queries
):
    api = login(teamlead)
    # 1 session, 2 user, 3 the page (the led teams are a subquery).
    with django_assert_num_queries(3):
        response = api.get(f"{API}/trajectories/", {"phase": "preconditions"})
    assert response.status_code == 200
    # Every seventh trajectory of the caseload is in phase 1.
    expected = [t for t in caseload if t.phase == "preconditions"]
    assert len(response.json()["results"]) == len(expected)


@pytest.fixture
def journal(request, make_trajectory, case, counsellor, socialworker):
    """``n`` contacts on ``case``, half of them confidential, by two authors."""
    make_trajectory(Phase.SCREENING, client=case)
    contacts = []
    for index in range(request.param):
        author = counsellor if index % 2 == 0 else socialworker
        contacts.append(
            services.contact_record(
                actor=author,
                client=case,
                data={
                    "type": "interview",
                    "duration_minutes": 30,
                    "summary": f"Gesprek {index}",
                    "confidential": index % 3 == 0,
                },
            )
        )
    return contacts


@pytest.mark.parametrize("journal", SIZES, indirect=True)
@pytest.mark.parametrize("reader", ["colleague", "teamlead"])
def test_contact_list_queries_do_not_grow_with_the_contacts(
    reader, request, login, journal, django_assert_num_queries
):
    api = login(request.getfixturevalue(reader))
    # 1 session, 2 user, 3 one keyset page of contacts joined with their author
    # (no COUNT); whether each summary may be read is a CASE/EXISTS annotation of
    # the same query.
    with django_assert_num_queries(3):
        response = api.get(f"{API}/contacts/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == len(journal)
    hidden = {row["id"] for row in rows if row["summary"] is None}
    if reader == "teamlead":
        assert hidden == set()
    else:
        assert hidden == {c.pk for c in journal if c.confidential}


@pytest.fixture
def plan(request, make_trajectory, case, counsellor, socialworker, spi_team):
    """A trajectory on ``case`` with ``n`` goals, actions, evaluations and analyses."""
    trajectory = make_trajectory(Phase.SCREENING, client=case)
    goals = []
    for index in range(request.param):
        goal = services.goal_create(
            actor=counsellor,
            trajectory=trajectory,
            data={"title": f"Doel {index}", "horizon": "short", "domain": "work"},
        )
        goals.append(goal)
        services.action_create(
            actor=counsellor, goal=goal, data={"description": f"Actie {index}", "owner": "client"}
        )
        services.needs_analysis_record(actor=counsellor, client=case, data={})
    for _index in range(request.param):
        services.evaluation_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"conclusion": "Ok"},
            progress={goal.pk: ("some", "") for goal in goals},
        )
    # Referrals: one per client, so make extra clients of the social worker.
    for _index in range(request.param):
        client = ClientFactory(responsible_social_worker=socialworker)
        services.referral_propose(
            actor=socialworker, client=client, team=spi_team, checklist=full_checklist()
        )
    return request.param


# endpoint: (queries, what they are)
LISTS = {
    "goals": 3,  # session, user, the keyset page (no COUNT)
    "actions": 3,  # session, user, the page
    "needs-analyses": 3,  # session, user, the page
    "evaluations": 4,  # session, user, the page, the progress of the page (prefetch)
    "referrals": 3,  # session, user, the page
}


@pytest.mark.parametrize("plan", SIZES, indirect=True)
@pytest.mark.parametrize("endpoint", LISTS)
def test_the_other_lists_do_not_grow_with_the_rows(
    endpoint, login, teamlead, plan, django_assert_num_queries
):
    api = login(teamlead)
    with django_assert_num_queries(LISTS[endpoint]):
        response = api.get(f"{API}/{endpoint}/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == plan


@pytest.mark.parametrize("journal", SIZES, indirect=True)
def test_trajectory_detail_queries_do_not_grow_with_the_contacts(
    login, counsellor, case, journal, django_assert_num_queries
):
    from trajecten.models import Trajectory

    trajectory = Trajectory.objects.get(client=case)
    api = login(counsellor)
    # 1 session, 2 user, 3 the trajectory with client, counsellor and team,
    # 4 SAVEPOINT, 5 INSERT of the access-log row, 6 RELEASE SAVEPOINT,
    # then the moves offered from phase 2: 7-11 the needs-analysis gate for each
    # forward target (phases 3..7, one EXISTS each), 12 the outcome gate for
    # aftercare. The assigned counsellor needs no team query to be allowed.
    with django_assert_num_queries(12):
        response = api.get(f"{API}/trajectories/{trajectory.pk}/")
    assert response.status_code == 200
    assert response.json()["phase"] == "screening"
