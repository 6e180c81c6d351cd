"""``GET /api/v1/team-overview/``: the team overview's figures as JSON, for team
leads only and only for the teams they lead. The data set and the known answers
are those of ``test_team_overview`` (see its docstring)."""

from __future__ import annotations

import pytest

from ocmw.models import User
from tests.ocmw.test_team_overview import (
    at,
    build_world,
    grow_team,
)
from tests.ocmw.test_team_overview import (
    youth_lead as youth_lead,  # noqa: F401 - a fixture used here too
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/team-overview/"


@pytest.fixture(autouse=True)
def _today():
    from tests.ocmw.test_team_overview import TODAY

    with at(TODAY):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(counsellor, colleague, other_team, spi_team, youth_team):
    return build_world(
        counsellor=counsellor,
        colleague=colleague,
        other_team=other_team,
        spi_team=spi_team,
        youth_team=youth_team,
    )


def members(data) -> dict[int, dict]:
    return {member["id"]: member for team in data["teams"] for member in team["members"]}


def test_the_team_lead_gets_every_figure_of_the_own_teams(
    world, login, teamlead, counsellor, colleague, spi_team, general_team
):
    response = login(teamlead).get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["date"] == "2026-05-10"
    assert [(t["id"], t["name"]) for t in data["teams"]] == [
        (general_team.pk, "Algemene sociale dienst"),
        (spi_team.pk, "Trajectbegeleiding"),
    ]
    assert data["teams"][0]["members"] == []
    rows = members(data)
    assert set(rows) == {counsellor.pk, colleague.pk}
    mine = rows[counsellor.pk]
    assert mine["name"] == "Koen De Backer"
    assert (mine["caseload"], mine["caseload_soft_limit"], mine["caseload_hard_limit"]) == (3, 2, 5)
    assert mine["caseload_level"] == "soft"
    assert {k: v for k, v in mine["phases"].items() if v} == {
        "preconditions": 1,
        "screening": 1,
        "work_experience": 1,
    }
    assert len(mine["phases"]) == 7
    assert {k: v for k, v in mine["overdue_tasks"].items() if v} == {
        "evaluation_due": 2,
        "home_visit": 1,
        "no_contact": 1,
    }
    assert mine["figures"] == {
        "escalated_tasks": 2,
        "gpmi_past_deadline": 1,
        "no_contact": 1,
        "aftercare_due": 1,
    }
    theirs = rows[colleague.pk]
    assert (theirs["caseload"], theirs["caseload_level"]) == (1, "hard")
    assert set(theirs["figures"].values()) == {0}
    assert [f["key"] for f in data["figures"]] == list(mine["figures"])
    assert {"key": "no_contact", "label": "No contact for over 6 weeks"} in data["figures"]
    assert [p["key"] for p in data["phases"]][0] == "preconditions"
    assert "evaluation_due" in {k["key"] for k in data["task_kinds"]}


@pytest.mark.parametrize(
    "name", ["intake", "socialworker", "counsellor", "colleague", "other_team", "admin", "outsider"]
)
def test_everyone_else_is_refused(world, login, persona, name):
    response = login(persona(name)).get(URL)
    assert response.status_code == 403
    assert "teams" not in response.json()


def test_anonymous_is_refused(world, login):
    assert login(None).get(URL).status_code == 403


def test_the_lead_of_another_team_gets_only_that_team(
    world, login, youth_lead, other_team, youth_team
):
    data = login(youth_lead).get(URL).json()
    assert [t["id"] for t in data["teams"]] == [youth_team.pk]
    assert set(members(data)) == {other_team.pk}
    assert members(data)[other_team.pk]["figures"]["escalated_tasks"] == 1


def test_answers_in_the_team_leads_language(world, login, teamlead, real_translations):
    User.objects.filter(pk=teamlead.pk).update(language="fr")
    data = login(teamlead).get(URL).json()
    labels = {f["key"]: f["label"] for f in data["figures"]}
    assert labels["gpmi_past_deadline"] == "PIIS dont le délai légal est dépassé"


# The queries of the endpoint, whatever the number of counsellors and files:
#  1. the session, 2. the user, 3. the led teams, 4. their active members,
#  5. the escalation days, 6. overdue/escalated tasks by (kind, counsellor),
#  7. open trajectories by (counsellor, phase), with those without contact,
#  8. GPMIs past the deadline, 9. aftercare checkpoints due.
API_QUERIES = 9


def test_the_query_count_does_not_grow_with_the_team(
    world, login, teamlead, spi_team, django_assert_num_queries
):
    client = login(teamlead)
    with django_assert_num_queries(API_QUERIES):
        assert len(members(client.get(URL).json())) == 2
    grow_team(spi_team, counsellors=5, files_each=3)
    with django_assert_num_queries(API_QUERIES):
        assert len(members(client.get(URL).json())) == 7


def test_the_schema_describes_one_object_without_new_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    response = schema["paths"]["/api/v1/team-overview/"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TeamOverview"
    }
    member = schema["components"]["schemas"]["TeamOverviewMember"]["properties"]
    assert member["overdue_tasks"]["additionalProperties"] == {"type": "integer"}
    ours = ("team", "caseload", "figurelabel", "overview")
    warnings = [w for w in GENERATOR_STATS._warn_cache if any(o in w.lower() for o in ours)]
    assert warnings == []
