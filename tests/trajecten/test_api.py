"""The trajectory API: who may list, read, create and move what, and what comes back.

The file under test is ``case``: followed by ``socialworker`` (general team,
with ``sw_colleague``), referred to the SPI team and accepted for
``counsellor`` (SPI team, with ``colleague``); ``teamlead`` leads both teams.
So (tests/trajecten/conftest.py):

- readers: socialworker, sw_colleague, counsellor, colleague, teamlead;
- editors (journal, plan, needs analysis, evaluations): socialworker,
  counsellor, teamlead; the other readers get 403;
- movers (transitions): counsellor and teamlead; the other readers get 403;
- intake (identity only), other_team, admin and outsider: 404 everywhere,
  exactly like a record that does not exist;
- anonymous: 401/403.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from ocmw.models import AccessLog
from tests.conftest import PERSONAS
from tests.trajecten.conftest import full_checklist
from trajecten import services
from trajecten.models import (
    Action,
    Contact,
    Evaluation,
    Goal,
    NeedsAnalysis,
    Phase,
    PhaseChange,
    Referral,
    ReferralStatus,
    Trajectory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
ANON = {401, 403}
SECRET = "Verslavingsproblematiek, opname gepland"

READERS = {"socialworker", "sw_colleague", "counsellor", "colleague", "teamlead"}
EDITORS = {"socialworker", "counsellor", "teamlead"}
MOVERS = {"counsellor", "teamlead"}


def expected(name: str, allowed: set[str], readers: set[str], ok: int) -> int | set[int]:
    if name == "anonymous":
        return ANON
    if name in allowed:
        return ok
    # May read but not change: 403. Cannot read: 404, as if it did not exist.
    return 403 if name in readers else 404


def status_ok(response, want) -> bool:
    return response.status_code in want if isinstance(want, set) else response.status_code == want


@dataclass
class World:
    trajectory: Trajectory
    referral: Referral
    analysis: NeedsAnalysis
    goal: Goal
    action: Action
    contact: Contact
    secret: Contact
    evaluation: Evaluation


@pytest.fixture
def world(case, socialworker, counsellor, spi_team) -> World:
    referral = services.referral_propose(
        actor=socialworker, client=case, team=spi_team, checklist=full_checklist()
    )
    trajectory = services.referral_accept(
        actor=counsellor, referral=referral, counsellor=counsellor, phase=Phase.SCREENING
    )
    analysis = services.needs_analysis_record(
        actor=counsellor, client=case, data={"own_project": "Werken als kok"}
    )
    goal = services.goal_create(
        actor=counsellor,
        trajectory=trajectory,
        data={"title": "Stage in een keuken", "horizon": "short", "domain": "work"},
    )
    action = services.action_create(
        actor=counsellor, goal=goal, data={"description": "CV opmaken", "owner": "client"}
    )
    contact = services.contact_record(
        actor=counsellor,
        client=case,
        data={"type": "interview", "duration_minutes": 45, "summary": "Eerste gesprek"},
    )
    secret = services.contact_record(
        actor=counsellor,
        client=case,
        data={"type": "phone", "duration_minutes": 15, "summary": SECRET, "confidential": True},
    )
    evaluation = services.evaluation_record(
        actor=counsellor,
        trajectory=trajectory,
        data={"conclusion": "Goed gestart"},
        progress={goal.pk: ("some", "")},
    )
    return World(
        trajectory=Trajectory.objects.get(pk=trajectory.pk),
        referral=referral,
        analysis=analysis,
        goal=goal,
        action=action,
        contact=contact,
        secret=secret,
        evaluation=evaluation,
    )


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- reading: list and retrieve ---------------------------------------------------------

ENDPOINTS = {
    "trajectories": "trajectory",
    "contacts": "contact",
    "goals": "goal",
    "actions": "action",
    "needs-analyses": "analysis",
    "evaluations": "evaluation",
    "referrals": "referral",
}


def test_the_matrix_covers_every_persona():
    assert READERS | {"intake", "other_team", "admin", "outsider", "anonymous"} == set(PERSONAS)


@pytest.mark.parametrize("name", PERSONAS)
def test_who_finds_and_reads_the_file_on_every_endpoint(name, persona, login, world):
    """One persona, every endpoint: listed or not, and 200 or 404 on the record."""
    api = login(persona(name))
    wrong = []
    for endpoint, attribute in ENDPOINTS.items():
        record = getattr(world, attribute)
        listed = api.get(f"{API}/{endpoint}/")
        detail = api.get(f"{API}/{endpoint}/{record.pk}/")
        if name == "anonymous":
            got = (listed.status_code in ANON, detail.status_code in ANON)
            want = (True, True)
        else:
            got = (
                listed.status_code == 200 and record.pk in ids(listed),
                detail.status_code,
                detail.status_code == 200 and detail.json()["id"] == record.pk,
            )
            want = (name in READERS, 200 if name in READERS else 404, name in READERS)
        if got != want:
            wrong.append((endpoint, got, want))
    assert wrong == []


@pytest.fixture
def foreign(foreign_case, outsider, other_ocmw_team):
    trajectory = services.trajectory_open(
        actor=outsider, client=foreign_case, counsellor=outsider, team=other_ocmw_team
    )
    contact = services.contact_record(
        actor=outsider,
        client=foreign_case,
        data={"type": "phone", "duration_minutes": 10, "summary": "Andersgem"},
    )
    return trajectory, contact


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_foreign_trajectory_is_a_404_even_for_moves(name, persona, login, foreign, outsider):
    trajectory, contact = foreign
    api = login(persona(name))
    assert trajectory.pk not in ids(api.get(f"{API}/trajectories/"))
    assert api.get(f"{API}/trajectories/{trajectory.pk}/").status_code == 404
    assert api.get(f"{API}/contacts/{contact.pk}/").status_code == 404
    response = post(api, f"{API}/trajectories/{trajectory.pk}/transition/", {"target": "closed"})
    assert response.status_code == 404
    assert Trajectory.objects.get(pk=trajectory.pk).phase == Phase.PRECONDITIONS
    # Its own counsellor does see it.
    own = login(outsider)
    assert trajectory.pk in ids(own.get(f"{API}/trajectories/"))


# --- writing: who may create, change and move -------------------------------------------


def creations(world: World, case) -> dict[str, dict]:
    return {
        "contacts": {
            "client": case.pk,
            "type": "home_visit",
            "duration_minutes": 60,
            "summary": "Huisbezoek",
        },
        "goals": {
            "trajectory": world.trajectory.pk,
            "title": "Nederlands A2",
            "horizon": "medium",
            "domain": "cultural",
        },
        "actions": {"goal": world.goal.pk, "description": "Inschrijven CVO", "owner": "ocmw"},
        "needs-analyses": {"client": case.pk, "own_project": "Toch liever de zorg"},
        "evaluations": {
            "trajectory": world.trajectory.pk,
            "conclusion": "Stage loopt",
            "in_person": False,
            "progress": [{"goal": world.goal.pk, "progress": "good", "note": "Stage gevonden"}],
        },
    }


MODELS = {
    "contacts": Contact,
    "goals": Goal,
    "actions": Action,
    "needs-analyses": NeedsAnalysis,
    "evaluations": Evaluation,
}


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_create_on_every_endpoint(name, persona, login, world, case):
    api = login(persona(name))
    want = expected(name, EDITORS, READERS, 201)
    wrong = []
    for endpoint, model in MODELS.items():
        before = model.objects.count()
        response = post(api, f"{API}/{endpoint}/", creations(world, case)[endpoint])
        created = model.objects.count() - before
        if not status_ok(response, want) or created != (response.status_code == 201):
            wrong.append((endpoint, response.status_code, created, response.content[:200]))
    assert wrong == []


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_change_a_goal_status(name, persona, login, world):
    response = patch(login(persona(name)), f"{API}/goals/{world.goal.pk}/", {"status": "achieved"})
    assert status_ok(response, expected(name, EDITORS, READERS, 200)), response.content
    achieved = Goal.objects.get(pk=world.goal.pk).status == "achieved"
    assert achieved is (response.status_code == 200)
    if achieved:
        assert response.json()["status"] == "achieved"


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_tick_off_an_action(name, persona, login, world):
    response = patch(login(persona(name)), f"{API}/actions/{world.action.pk}/", {"done": True})
    assert status_ok(response, expected(name, EDITORS, READERS, 200)), response.content
    assert Action.objects.get(pk=world.action.pk).done is (response.status_code == 200)


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_move_the_trajectory(name, persona, login, world):
    url = f"{API}/trajectories/{world.trajectory.pk}/transition/"
    response = post(login(persona(name)), url, {"target": "social_activation"})
    assert status_ok(response, expected(name, MOVERS, READERS, 200)), response.content
    moved = Trajectory.objects.get(pk=world.trajectory.pk).phase == Phase.SOCIAL_ACTIVATION
    assert moved is (response.status_code == 200)
    assert PhaseChange.objects.filter(trajectory=world.trajectory, kind="advance").count() == moved


# The second client ``case2`` (socialworker's) has no trajectory: only the general
# team and its lead read it. Its pending referral to the SPI team is also seen by
# the SPI team, who decide on it.
CASE2_READERS = {"socialworker", "sw_colleague", "teamlead"}
REFERRAL_READERS = CASE2_READERS | {"counsellor", "colleague"}
DECIDERS = {"counsellor", "colleague", "teamlead"}


@pytest.fixture
def pending(socialworker, case2, spi_team):
    return services.referral_propose(
        actor=socialworker, client=case2, team=spi_team, checklist=full_checklist()
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_refer(name, persona, login, case2, spi_team):
    body = {"client": case2.pk, "team": spi_team.pk, "checklist": full_checklist()}
    response = post(login(persona(name)), f"{API}/referrals/", body)
    assert status_ok(response, expected(name, {"socialworker", "teamlead"}, CASE2_READERS, 201))
    assert Referral.objects.filter(client=case2).exists() is (response.status_code == 201)
    if response.status_code == 201:
        assert response.json()["status"] == "proposed"


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_accept_a_referral(name, persona, login, pending, counsellor):
    url = f"{API}/referrals/{pending.pk}/accept/"
    response = post(login(persona(name)), url, {"counsellor": counsellor.pk, "phase": "screening"})
    assert status_ok(response, expected(name, DECIDERS, REFERRAL_READERS, 200)), response.content
    accepted = Referral.objects.get(pk=pending.pk).status == ReferralStatus.ACCEPTED
    assert accepted is (response.status_code == 200)
    if accepted:
        body = response.json()
        trajectory = Trajectory.objects.get(client=pending.client)
        assert (body["status"], body["trajectory"]) == ("accepted", trajectory.pk)
        assert trajectory.counsellor == counsellor


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_decline_a_referral(name, persona, login, pending):
    url = f"{API}/referrals/{pending.pk}/decline/"
    response = post(login(persona(name)), url, {"decline_reason": "Eerst huisvesting"})
    assert status_ok(response, expected(name, DECIDERS, REFERRAL_READERS, 200)), response.content
    declined = Referral.objects.get(pk=pending.pk).status == ReferralStatus.DECLINED
    assert declined is (response.status_code == 200)


# --- transitions: answers and errors ----------------------------------------------------


def test_a_move_answers_with_the_new_state(login, counsellor, world):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)):
        response = post(
            login(counsellor),
            f"{API}/trajectories/{world.trajectory.pk}/transition/",
            {
                "target": "work_experience",
                "reason": "Wil meteen werken",
                "version": world.trajectory.version,
            },
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phase"] == "work_experience"
    assert body["phase_number"] == 4
    with translation.override("nl"):
        assert body["phase_label"] == gettext("Work experience and training")
    assert body["version"] == world.trajectory.version + 1
    assert body["days_in_phase"] == 0
    assert {m["target"] for m in body["moves"] if m["kind"] == "back"} == {
        "preconditions",
        "screening",
        "social_activation",
    }
    change = PhaseChange.objects.get(trajectory=world.trajectory, kind="skip")
    assert (change.by, change.reason) == (counsellor, "Wil meteen werken")


def test_a_stale_version_is_a_409_and_changes_nothing(login, counsellor, teamlead, world):
    seen = world.trajectory.version
    url = f"{API}/trajectories/{world.trajectory.pk}/transition/"
    moved = post(login(teamlead), url, {"target": "social_activation", "version": seen})
    assert moved.status_code == 200

    response = post(
        login(counsellor), url, {"target": "closed", "closing_reason": "moved", "version": seen}
    )

    assert response.status_code == 409
    with translation.override("nl"):
        assert response.json()["detail"] == services.StaleTrajectory().messages[0]
    stored = Trajectory.objects.get(pk=world.trajectory.pk)
    assert (stored.phase, stored.version) == (Phase.SOCIAL_ACTIVATION, seen + 1)
    assert not PhaseChange.objects.filter(trajectory=stored, kind="close").exists()


def test_a_failed_gate_is_a_400_with_its_message(login, counsellor, make_trajectory, spi_case):
    # spi_case has no needs analysis on file.
    trajectory = make_trajectory(Phase.PRECONDITIONS, client=spi_case)
    response = post(
        login(counsellor),
        f"{API}/trajectories/{trajectory.pk}/transition/",
        {"target": "screening"},
    )
    assert response.status_code == 400
    with translation.override("nl"):
        want = gettext("Record a needs analysis (sociale balans) before leaving this phase.")
    assert response.json() == {"target": [want]}
    assert Trajectory.objects.get(pk=trajectory.pk).phase == Phase.PRECONDITIONS


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": "job_placement"}, "reason"),  # skipping needs a reason
        ({"target": "preconditions", "reason": " "}, "reason"),  # so does going back
        ({"target": "closed"}, "closing_reason"),
        ({"target": "closed", "closing_reason": "other"}, "closing_note"),
        ({"target": "screening"}, "target"),  # already there
        ({"target": "retired"}, "target"),  # not a phase
        ({}, "target"),
        ({"target": "social_activation", "version": "old"}, "version"),
    ],
)
def test_a_refused_move_is_a_400_naming_the_field(body, field, login, counsellor, world):
    url = f"{API}/trajectories/{world.trajectory.pk}/transition/"
    response = post(login(counsellor), url, body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0]
    stored = Trajectory.objects.get(pk=world.trajectory.pk)
    assert (stored.phase, stored.version) == (Phase.SCREENING, world.trajectory.version)


def test_filters_by_phase_and_counsellor(
    login, teamlead, world, make_trajectory, spi_case, colleague
):
    other = make_trajectory(Phase.JOB_PLACEMENT, client=spi_case)
    api = login(teamlead)
    assert ids(api.get(f"{API}/trajectories/")) == {world.trajectory.pk, other.pk}
    assert ids(api.get(f"{API}/trajectories/", {"phase": "job_placement"})) == {other.pk}
    assert ids(api.get(f"{API}/trajectories/", {"phase": "aftercare"})) == set()
    assert ids(api.get(f"{API}/trajectories/", {"counsellor": colleague.pk})) == set()
    assert api.get(f"{API}/trajectories/", {"phase": "nonsense"}).status_code == 400


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_reading_a_record_is_logged_as_a_read_of_the_client_file(endpoint, login, colleague, world):
    url = f"{API}/{endpoint}/{getattr(world, ENDPOINTS[endpoint]).pk}/"
    assert login(colleague).get(url).status_code == 200
    [entry] = AccessLog.objects.filter(user=colleague)
    assert (entry.client_id, entry.action, entry.page) == (world.trajectory.client_id, "view", url)
    # Lists are not logged one row per record.
    login(colleague).get(f"{API}/{endpoint}/")
    assert AccessLog.objects.filter(user=colleague).count() == 1


def test_a_reader_is_offered_no_moves(login, colleague, counsellor, world):
    url = f"{API}/trajectories/{world.trajectory.pk}/"
    assert login(colleague).get(url).json()["moves"] == []
    moves = login(counsellor).get(url).json()["moves"]
    assert {
        "kind": "advance",
        "target": "social_activation",
        "needs_reason": False,
        "blocked": [],
    } in moves


# --- confidential notes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("counsellor", True),  # the author
        ("teamlead", True),  # the team lead
        ("colleague", False),
        ("socialworker", False),
        ("sw_colleague", False),
    ],
)
def test_a_confidential_summary_is_hidden_from_all_but_author_and_team_lead(
    name, reads, persona, login, world
):
    api = login(persona(name))
    listed = {row["id"]: row for row in api.get(f"{API}/contacts/").json()["results"]}
    detail = api.get(f"{API}/contacts/{world.secret.pk}/").json()

    for row in (listed[world.secret.pk], detail):
        assert row["confidential"] is True
        # That it exists, by whom and when is always shown.
        assert row["staff"] == world.secret.staff_id
        assert row["date"] == world.secret.date.isoformat()
        assert row["summary"] == (SECRET if reads else None)
    assert listed[world.contact.pk]["summary"] == "Eerste gesprek"
    if not reads:
        for url in (f"{API}/contacts/", f"{API}/contacts/{world.secret.pk}/"):
            assert SECRET not in api.get(url).content.decode()


def test_a_new_confidential_contact_shows_its_summary_to_its_author(login, counsellor, case, world):
    response = post(
        login(counsellor),
        f"{API}/contacts/",
        {
            "client": case.pk,
            "type": "interview",
            "duration_minutes": 30,
            "summary": "Gezondheid",
            "confidential": True,
        },
    )
    assert response.status_code == 201
    assert (response.json()["summary"], response.json()["staff"]) == ("Gezondheid", counsellor.pk)


# --- writes: validation errors come back as field errors --------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -30}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"date": "2099-01-01"}, "date"),
        ({"type": "telepathy"}, "type"),
        ({"summary": None}, "summary"),
    ],
)
def test_a_bad_contact_is_a_400_field_error(change, field, login, counsellor, case, world):
    body = {"client": case.pk, "type": "interview", "duration_minutes": 30, "summary": "x"}
    body.update(change)
    response = post(login(counsellor), f"{API}/contacts/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert Contact.objects.count() == 2


def test_an_action_due_before_its_goal_is_a_400(login, counsellor, world):
    due = (world.goal.set_on - datetime.timedelta(days=1)).isoformat()
    response = post(
        login(counsellor),
        f"{API}/actions/",
        {"goal": world.goal.pk, "description": "Te laat", "owner": "client", "due_date": due},
    )
    assert response.status_code == 400
    with translation.override("nl"):
        want = gettext("An action cannot be due before its goal was set.")
    assert response.json() == {"due_date": [want]}


def test_evaluation_progress_on_another_plans_goal_is_a_400(
    login, counsellor, world, make_trajectory, spi_case
):
    elsewhere = make_trajectory(Phase.SCREENING, client=spi_case)
    foreign_goal = services.goal_create(
        actor=counsellor,
        trajectory=elsewhere,
        data={"title": "Ander plan", "horizon": "short", "domain": "work"},
    )
    response = post(
        login(counsellor),
        f"{API}/evaluations/",
        {
            "trajectory": world.trajectory.pk,
            "conclusion": "Ok",
            "progress": [{"goal": foreign_goal.pk, "progress": "good"}],
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["progress"]
    assert Evaluation.objects.count() == 1


def test_an_evaluation_answers_with_its_progress(login, counsellor, world):
    response = post(
        login(counsellor),
        f"{API}/evaluations/",
        creations(world, world.trajectory.client)["evaluations"],
    )
    assert response.status_code == 201
    body = response.json()
    assert body["progress"] == [
        {"goal": world.goal.pk, "progress": "good", "note": "Stage gevonden"}
    ]
    assert body["in_person"] is False
    listed = login(counsellor).get(f"{API}/evaluations/", {"trajectory": world.trajectory.pk})
    assert {row["id"] for row in listed.json()["results"]} == {world.evaluation.pk, body["id"]}


def test_a_new_needs_analysis_is_a_new_version(login, counsellor, case, world):
    response = post(
        login(counsellor),
        f"{API}/needs-analyses/",
        {
            "client": case.pk,
            "own_project": "Zorgkundige worden",
            "domains": {"medical": {"situation": "Rugklachten", "support_needed": True}},
            "languages": [{"language": "Frans", "level": "B1"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["author"]) == (2, counsellor.pk)
    assert body["domains"]["medical"]["support_needed"] is True
    assert NeedsAnalysis.objects.get(pk=world.analysis.pk).own_project == "Werken als kok"


def test_a_needs_analysis_with_an_unknown_domain_is_a_400(login, counsellor, case, world):
    response = post(
        login(counsellor),
        f"{API}/needs-analyses/",
        {"client": case.pk, "domains": {"astrology": {"situation": "x"}}},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["domains"]


def test_an_incomplete_checklist_is_a_400(login, socialworker, case2, spi_team):
    checklist = full_checklist()
    del checklist["mobility"]
    response = post(
        login(socialworker),
        f"{API}/referrals/",
        {"client": case2.pk, "team": spi_team.pk, "checklist": checklist},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["checklist"]
    assert not Referral.objects.exists()


def test_declining_without_a_reason_is_a_400(login, counsellor, pending):
    url = f"{API}/referrals/{pending.pk}/decline/"
    response = post(login(counsellor), url, {"decline_reason": "  "})
    assert response.status_code == 400
    assert list(response.json()) == ["decline_reason"]
    assert Referral.objects.get(pk=pending.pk).status == ReferralStatus.PROPOSED


def test_deciding_an_already_decided_referral_is_a_409(login, counsellor, colleague, pending):
    assert (
        post(
            login(counsellor),
            f"{API}/referrals/{pending.pk}/decline/",
            {"decline_reason": "Nog niet"},
        ).status_code
        == 200
    )
    response = post(
        login(colleague),
        f"{API}/referrals/{pending.pk}/accept/",
        {"counsellor": colleague.pk},
    )
    assert response.status_code == 409
    assert Referral.objects.get(pk=pending.pk).status == ReferralStatus.DECLINED
    assert not Trajectory.objects.filter(client=pending.client).exists()


def test_accepting_for_a_counsellor_outside_the_team_is_a_400(
    login, counsellor, other_team, pending
):
    response = post(
        login(counsellor),
        f"{API}/referrals/{pending.pk}/accept/",
        {"counsellor": other_team.pk},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["counsellor"]


def test_accepting_for_a_counsellor_of_another_ocmw_is_a_404(login, counsellor, outsider, pending):
    response = post(
        login(counsellor),
        f"{API}/referrals/{pending.pk}/accept/",
        {"counsellor": outsider.pk},
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=pending.pk).status == ReferralStatus.PROPOSED


def test_errors_come_in_the_users_language(login, counsellor, world):
    from ocmw import services as core_services

    core_services.user_set_language(user=counsellor, language="fr")
    response = post(
        login(counsellor),
        f"{API}/trajectories/{world.trajectory.pk}/transition/",
        {"target": "job_placement"},
    )
    with translation.override("fr"):
        want = gettext("Give a reason for this move.")
    assert response.json() == {"reason": [want]}
