"""The writes of the trajectory app: referral, needs analysis, plan, journal, evaluations.

Each test names the rule it checks (issue 3, "Bad input"; DOMAIN.md). A refused
write raises ``ValidationError`` with the field at fault and leaves no row.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from ocmw.models import Notification
from tests.trajecten.conftest import full_checklist
from trajecten import services
from trajecten.models import (
    Action,
    Contact,
    Evaluation,
    GoalProgress,
    NeedsAnalysis,
    Phase,
    PhaseChange,
    ReadinessItem,
    Referral,
    ReferralStatus,
    Trajectory,
    TransitionKind,
)

pytestmark = pytest.mark.django_db

# A fixed clock in Brussels: 10 March 2026, 10:00.
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def notifications_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


# --- referral: propose ------------------------------------------------------------------


@pytest.fixture
def referral(socialworker, case2, spi_team):
    return services.referral_propose(
        actor=socialworker,
        client=case2,
        team=spi_team,
        checklist=full_checklist(),
        motivation="Klaar om te starten",
    )


def test_a_social_worker_refers_a_client_with_a_complete_checklist(
    socialworker, case2, spi_team, teamlead
):
    checklist = full_checklist()
    checklist["debts"] = {"status": "attention", "note": "Budgetbegeleiding loopt"}
    checklist["language"] = {"status": "blocking", "note": "NT2 niveau A1"}

    referral = services.referral_propose(
        actor=socialworker, client=case2, team=spi_team, checklist=checklist
    )

    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == ReferralStatus.PROPOSED
    assert stored.proposed_by == socialworker
    assert stored.checklist["debts"] == {"status": "attention", "note": "Budgetbegeleiding loopt"}
    # The team lead of the SPI team hears of it.
    [note] = notifications_of(teamlead)
    assert note.params == {"client": str(case2)}


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda c: c.pop("administration"), id="an item missing"),
        pytest.param(lambda c: c.update(housing={"status": "fine"}), id="an unknown status"),
        pytest.param(lambda c: c.update(housing="ok"), id="not a status and note"),
        pytest.param(lambda c: c.update(weather={"status": "ok"}), id="an unknown item"),
        pytest.param(
            lambda c: c.update(health={"status": "ok", "note": "x" * 1001}), id="a note too long"
        ),
        pytest.param(lambda c: c.clear(), id="empty"),
    ],
)
def test_a_referral_needs_a_valid_status_for_all_nine_items(broken, socialworker, case2, spi_team):
    assert len(ReadinessItem.values) == 9
    checklist = full_checklist()
    broken(checklist)
    with pytest.raises(ValidationError) as refused:
        services.referral_propose(
            actor=socialworker, client=case2, team=spi_team, checklist=checklist
        )
    assert list(field_errors(refused.value)) == ["checklist"]
    assert not Referral.objects.exists()


def test_a_client_has_at_most_one_pending_referral(referral, socialworker, case2, spi_team):
    with pytest.raises(ValidationError) as refused:
        services.referral_propose(
            actor=socialworker, client=case2, team=spi_team, checklist=full_checklist()
        )
    assert field_errors(refused.value) == {
        "__all__": ["A referral for this client is already waiting for a decision."]
    }
    assert Referral.objects.filter(client=case2).count() == 1


def test_a_declined_referral_may_be_proposed_again(referral, socialworker, counsellor, spi_team):
    services.referral_decline(actor=counsellor, referral=referral, reason="Eerst schulden")
    again = services.referral_propose(
        actor=socialworker, client=referral.client, team=spi_team, checklist=full_checklist()
    )
    assert again.status == ReferralStatus.PROPOSED


def test_a_referral_goes_to_an_spi_team(socialworker, case2, general_team):
    with pytest.raises(ValidationError) as refused:
        services.referral_propose(
            actor=socialworker, client=case2, team=general_team, checklist=full_checklist()
        )
    assert list(field_errors(refused.value)) == ["team"]


def test_a_referral_goes_to_a_team_of_the_clients_ocmw(socialworker, case2, other_ocmw_team):
    with pytest.raises(ValidationError) as refused:
        services.referral_propose(
            actor=socialworker, client=case2, team=other_ocmw_team, checklist=full_checklist()
        )
    assert list(field_errors(refused.value)) == ["team"]


@pytest.mark.parametrize("name", ["sw_colleague", "counsellor", "intake", "admin", "outsider"])
def test_only_the_clients_social_worker_or_team_lead_refers(name, request, case2, spi_team):
    with pytest.raises(PermissionDenied):
        services.referral_propose(
            actor=request.getfixturevalue(name),
            client=case2,
            team=spi_team,
            checklist=full_checklist(),
        )
    assert not Referral.objects.exists()


def test_a_client_already_in_an_spi_trajectory_is_not_referred(
    make_trajectory, socialworker, case2, spi_team
):
    make_trajectory(Phase.SOCIAL_ACTIVATION, client=case2)
    with pytest.raises(ValidationError):
        services.referral_propose(
            actor=socialworker, client=case2, team=spi_team, checklist=full_checklist()
        )
    assert not Referral.objects.exists()


# --- referral: accept -------------------------------------------------------------------


def test_accepting_opens_the_trajectory_in_the_chosen_phase_with_the_chosen_counsellor(
    referral, counsellor, colleague, socialworker, spi_team
):
    trajectory = services.referral_accept(
        actor=counsellor, referral=referral, counsellor=colleague, phase=Phase.WORK_EXPERIENCE
    )

    stored = Trajectory.objects.get(pk=trajectory.pk)
    assert (stored.client, stored.counsellor, stored.team) == (referral.client, colleague, spi_team)
    assert stored.phase == Phase.WORK_EXPERIENCE
    [opened] = PhaseChange.objects.filter(trajectory=stored)
    assert (opened.kind, opened.to_phase, opened.by) == ("opened", "work_experience", counsellor)
    decided = Referral.objects.get(pk=referral.pk)
    assert decided.status == ReferralStatus.ACCEPTED
    assert (decided.decided_by, decided.trajectory) == (counsellor, stored)
    assert decided.decided_at is not None
    # The social worker and the chosen counsellor are told.
    [to_social_worker] = notifications_of(socialworker)
    assert to_social_worker.params == {"client": str(referral.client), "counsellor": str(colleague)}
    [to_counsellor] = notifications_of(colleague)
    assert to_counsellor.params == {"client": str(referral.client)}


def test_accepting_for_oneself_sends_no_note_to_oneself(referral, counsellor, socialworker):
    services.referral_accept(actor=counsellor, referral=referral, counsellor=counsellor)
    assert notifications_of(counsellor) == []
    assert len(notifications_of(socialworker)) == 1
    assert Trajectory.objects.get(client=referral.client).phase == Phase.SCREENING


@pytest.mark.parametrize(
    "name",
    [
        "other_team",  # a counsellor, but of another team
        "socialworker",  # not a counsellor
        "teamlead",  # leads the team but does not counsel
        "outsider",  # another OCMW
    ],
)
def test_the_chosen_counsellor_must_be_a_counsellor_of_the_spi_team(
    name, request, referral, counsellor
):
    with pytest.raises(ValidationError) as refused:
        services.referral_accept(
            actor=counsellor, referral=referral, counsellor=request.getfixturevalue(name)
        )
    assert list(field_errors(refused.value)) == ["counsellor"]
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.PROPOSED
    assert not Trajectory.objects.exists()


def test_accepting_into_closed_is_refused(referral, counsellor):
    with pytest.raises(ValidationError) as refused:
        services.referral_accept(
            actor=counsellor, referral=referral, counsellor=counsellor, phase=Phase.CLOSED
        )
    assert list(field_errors(refused.value)) == ["phase"]


@pytest.mark.parametrize("name", ["socialworker", "other_team", "youth_lead", "admin", "intake"])
def test_only_a_counsellor_or_team_lead_of_the_spi_team_decides(
    name, request, referral, counsellor
):
    actor = request.getfixturevalue(name)
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=actor, referral=referral, counsellor=counsellor)
    with pytest.raises(PermissionDenied):
        services.referral_decline(actor=actor, referral=referral, reason="Nee")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.PROPOSED


def test_the_team_lead_accepts_for_a_counsellor(referral, teamlead, counsellor):
    services.referral_accept(actor=teamlead, referral=referral, counsellor=counsellor)
    assert Trajectory.objects.get(client=referral.client).counsellor == counsellor
    assert len(notifications_of(counsellor)) == 1


def test_accepting_a_phase_1_file_hands_it_to_the_counsellor_in_its_phase(
    make_trajectory, socialworker, case2, spi_team, counsellor, colleague
):
    started = make_trajectory(Phase.PRECONDITIONS, client=case2)
    referral = services.referral_propose(
        actor=socialworker, client=case2, team=spi_team, checklist=full_checklist()
    )
    trajectory = services.referral_accept(
        actor=counsellor, referral=referral, counsellor=colleague, phase=Phase.SCREENING
    )
    assert trajectory.pk == started.pk
    stored = Trajectory.objects.get(pk=started.pk)
    assert (stored.phase, stored.counsellor) == (Phase.PRECONDITIONS, colleague)
    assert stored.version == started.version + 1
    assert PhaseChange.objects.filter(trajectory=stored, kind=TransitionKind.REASSIGN).count() == 1
    assert Trajectory.objects.filter(client=case2).count() == 1


@pytest.mark.parametrize("first", ["accept", "decline"])
def test_a_decided_referral_cannot_be_decided_again(first, referral, counsellor, colleague):
    if first == "accept":
        services.referral_accept(actor=counsellor, referral=referral, counsellor=counsellor)
    else:
        services.referral_decline(actor=counsellor, referral=referral, reason="Nog niet klaar")
    decided = Referral.objects.get(pk=referral.pk)

    with pytest.raises(ValidationError) as again:
        services.referral_accept(actor=colleague, referral=referral, counsellor=colleague)
    assert again.value.code == "stale"
    with pytest.raises(ValidationError) as again:
        services.referral_decline(actor=colleague, referral=referral, reason="Toch niet")
    assert again.value.code == "stale"

    after = Referral.objects.get(pk=referral.pk)
    assert (after.status, after.decided_by, after.decline_reason) == (
        decided.status,
        counsellor,
        decided.decline_reason,
    )
    assert Trajectory.objects.filter(client=referral.client).count() == (first == "accept")


# --- referral: decline ------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_declining_needs_a_reason(reason, referral, counsellor, socialworker):
    with pytest.raises(ValidationError) as refused:
        services.referral_decline(actor=counsellor, referral=referral, reason=reason)
    assert field_errors(refused.value) == {"decline_reason": ["Give the reason for declining."]}
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.PROPOSED
    assert notifications_of(socialworker) == []


def test_declining_tells_the_social_worker_why(referral, counsellor, socialworker):
    services.referral_decline(
        actor=counsellor, referral=referral, reason="Eerst de schuldbemiddeling afronden"
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == ReferralStatus.DECLINED
    assert stored.decline_reason == "Eerst de schuldbemiddeling afronden"
    assert stored.decided_by == counsellor
    [note] = notifications_of(socialworker)
    assert note.params["reason"] == "Eerst de schuldbemiddeling afronden"
    assert "Eerst de schuldbemiddeling afronden" in note.text
    assert not Trajectory.objects.exists()


# --- needs analysis ---------------------------------------------------------------------


def test_needs_analysis_versions_increment_and_never_overwrite(
    case, socialworker, counsellor, make_trajectory
):
    trajectory = make_trajectory(Phase.SCREENING, client=case)
    first = services.needs_analysis_record(
        actor=socialworker,
        client=case,
        data={
            "own_project": "Kok worden",
            "domains": {"material": {"situation": "Huur achterstallig", "support_needed": True}},
            "languages": [{"language": "Nederlands", "level": "A2"}],
            "driving_licence": "none",
        },
    )
    second = services.needs_analysis_record(
        actor=counsellor,
        client=case,
        data={"own_project": "Toch liever in de zorg", "driving_licence": "B"},
    )

    assert (first.version, second.version) == (1, 2)
    assert (second.author, second.trajectory) == (counsellor, trajectory)
    kept = NeedsAnalysis.objects.get(pk=first.pk)
    assert (kept.version, kept.own_project, kept.author) == (1, "Kok worden", socialworker)
    assert kept.domains["material"]["situation"] == "Huur achterstallig"
    assert kept.driving_licence == "none"
    assert list(NeedsAnalysis.objects.filter(client=case).values_list("version", flat=True)) == [
        2,
        1,
    ]


def test_a_needs_analysis_cannot_be_dated_in_the_future(case, socialworker, clock):
    with pytest.raises(ValidationError) as refused:
        services.needs_analysis_record(
            actor=socialworker, client=case, data={"date": TODAY + datetime.timedelta(days=1)}
        )
    assert list(field_errors(refused.value)) == ["date"]
    assert not NeedsAnalysis.objects.exists()


@pytest.mark.parametrize("name", ["sw_colleague", "colleague", "intake", "admin", "outsider"])
def test_only_those_who_edit_the_file_record_a_needs_analysis(name, request, case, trajectory):
    with pytest.raises(PermissionDenied):
        services.needs_analysis_record(
            actor=request.getfixturevalue(name), client=case, data={"own_project": "x"}
        )
    assert not NeedsAnalysis.objects.exists()


# --- plan: goals and actions ------------------------------------------------------------


@pytest.fixture
def goal(trajectory, counsellor):
    return services.goal_create(
        actor=counsellor,
        trajectory=trajectory,
        data={
            "title": "Rijbewijs B halen",
            "horizon": "medium",
            "domain": "work",
            "set_on": datetime.date(2026, 2, 1),
        },
    )


def test_an_action_cannot_be_due_before_its_goal_was_set(goal, counsellor):
    with pytest.raises(ValidationError) as refused:
        services.action_create(
            actor=counsellor,
            goal=goal,
            data={"description": "Inschrijven", "owner": "client", "due_date": "2026-01-31"},
        )
    assert field_errors(refused.value) == {
        "due_date": ["An action cannot be due before its goal was set."]
    }
    assert not Action.objects.exists()


@pytest.mark.parametrize("due", [datetime.date(2026, 2, 1), datetime.date(2026, 4, 1), None])
def test_an_action_due_on_or_after_the_goal_date_is_kept(due, goal, counsellor):
    action = services.action_create(
        actor=counsellor,
        goal=goal,
        data={"description": "Theorie-examen", "owner": "client", "due_date": due},
    )
    assert Action.objects.get(pk=action.pk).due_date == due


def test_marking_an_action_done_records_the_day(goal, counsellor, clock):
    action = services.action_create(
        actor=counsellor, goal=goal, data={"description": "Les", "owner": "ocmw"}
    )
    services.action_set_done(actor=counsellor, action=action, done=True)
    assert Action.objects.values_list("done", "done_on").get(pk=action.pk) == (True, TODAY)
    services.action_set_done(actor=counsellor, action=action, done=False)
    assert Action.objects.values_list("done", "done_on").get(pk=action.pk) == (False, None)


def test_a_goal_needs_a_known_horizon_domain_and_status(goal, trajectory, counsellor):
    with pytest.raises(ValidationError) as refused:
        services.goal_create(
            actor=counsellor,
            trajectory=trajectory,
            data={"title": "Iets", "horizon": "someday", "domain": "astrology"},
        )
    assert set(field_errors(refused.value)) == {"horizon", "domain"}
    with pytest.raises(ValidationError) as refused:
        services.goal_update(actor=counsellor, goal=goal, data={"status": "forgotten"})
    assert list(field_errors(refused.value)) == ["status"]


def test_a_colleague_reads_the_plan_but_does_not_change_it(goal, colleague):
    with pytest.raises(PermissionDenied):
        services.goal_update(actor=colleague, goal=goal, data={"status": "achieved"})
    with pytest.raises(PermissionDenied):
        services.action_create(
            actor=colleague, goal=goal, data={"description": "Les", "owner": "client"}
        )


# --- journal ----------------------------------------------------------------------------


def contact_data(**overrides) -> dict:
    data = {"date": TODAY, "type": "interview", "duration_minutes": 45, "summary": "Gesprek"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("minutes", [0, -5, 721, 24 * 60])
def test_a_contact_duration_must_be_sane(minutes, case, counsellor, trajectory, clock):
    with pytest.raises(ValidationError) as refused:
        services.contact_record(
            actor=counsellor, client=case, data=contact_data(duration_minutes=minutes)
        )
    assert list(field_errors(refused.value)) == ["duration_minutes"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("minutes", [1, 720])
def test_a_contact_of_one_minute_up_to_twelve_hours_is_kept(
    minutes, case, counsellor, trajectory, clock
):
    contact = services.contact_record(
        actor=counsellor, client=case, data=contact_data(duration_minutes=minutes)
    )
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.duration_minutes, stored.staff, stored.trajectory) == (
        minutes,
        counsellor,
        trajectory,
    )


def test_a_contact_cannot_be_dated_in_the_future(case, counsellor, trajectory, clock):
    with pytest.raises(ValidationError) as refused:
        services.contact_record(
            actor=counsellor,
            client=case,
            data=contact_data(date=TODAY + datetime.timedelta(days=1)),
        )
    assert field_errors(refused.value) == {
        "date": ["A contact that took place cannot be dated in the future."]
    }


def test_today_is_the_day_in_brussels_not_in_utc(case, socialworker):
    # 00:30 in Brussels is still the previous day in UTC.
    with time_machine.travel(datetime.datetime(2026, 3, 9, 23, 30, tzinfo=datetime.UTC)):
        contact = services.contact_record(
            actor=socialworker, client=case, data=contact_data(date=datetime.date(2026, 3, 10))
        )
    assert contact.date == datetime.date(2026, 3, 10)


@pytest.mark.parametrize("name", ["sw_colleague", "colleague", "other_team", "intake", "admin"])
def test_only_those_who_edit_the_file_write_in_its_journal(name, request, case, trajectory):
    with pytest.raises(PermissionDenied):
        services.contact_record(actor=request.getfixturevalue(name), client=case, data={})
    assert not Contact.objects.exists()


# --- evaluations ------------------------------------------------------------------------


def test_an_evaluation_records_progress_per_goal(trajectory, goal, counsellor, clock):
    second = services.goal_create(
        actor=counsellor,
        trajectory=trajectory,
        data={"title": "NT2 A2", "horizon": "short", "domain": "cultural"},
    )
    evaluation = services.evaluation_record(
        actor=counsellor,
        trajectory=trajectory,
        data={
            "date": TODAY,
            "in_person": True,
            "conclusion": "Goed op weg",
            "next_evaluation_on": datetime.date(2026, 7, 10),
        },
        progress={goal.pk: ("some", "Theorie gehaald"), second.pk: ("achieved", "")},
    )
    rows = set(
        GoalProgress.objects.filter(evaluation=evaluation).values_list("goal", "progress", "note")
    )
    assert rows == {(goal.pk, "some", "Theorie gehaald"), (second.pk, "achieved", "")}
    assert Evaluation.objects.get(pk=evaluation.pk).author == counsellor


@pytest.mark.parametrize("next_on", [TODAY, TODAY - datetime.timedelta(days=1)])
def test_the_next_evaluation_comes_after_this_one(next_on, trajectory, counsellor, clock):
    with pytest.raises(ValidationError) as refused:
        services.evaluation_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"date": TODAY, "conclusion": "Ok", "next_evaluation_on": next_on},
        )
    assert field_errors(refused.value) == {
        "next_evaluation_on": ["The next evaluation must come after this one."]
    }
    assert not Evaluation.objects.exists()


def test_an_evaluation_cannot_be_dated_in_the_future(trajectory, counsellor, clock):
    with pytest.raises(ValidationError) as refused:
        services.evaluation_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"date": TODAY + datetime.timedelta(days=2), "conclusion": "Ok"},
        )
    assert list(field_errors(refused.value)) == ["date"]


def test_progress_is_only_given_on_this_trajectorys_goals(
    trajectory, goal, counsellor, make_trajectory, spi_case, clock
):
    elsewhere = make_trajectory(Phase.SCREENING, client=spi_case)
    foreign_goal = services.goal_create(
        actor=counsellor,
        trajectory=elsewhere,
        data={"title": "Ander plan", "horizon": "short", "domain": "work"},
    )
    with pytest.raises(ValidationError) as refused:
        services.evaluation_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"date": TODAY, "conclusion": "Ok"},
            progress={goal.pk: ("some", ""), foreign_goal.pk: ("achieved", "")},
        )
    assert list(field_errors(refused.value)) == ["progress"]
    assert not Evaluation.objects.exists()
    assert not GoalProgress.objects.exists()


def test_progress_must_be_a_known_value(trajectory, goal, counsellor, clock):
    with pytest.raises(ValidationError):
        services.evaluation_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"date": TODAY, "conclusion": "Ok"},
            progress={goal.pk: ("brilliant", "")},
        )
    assert not Evaluation.objects.exists()


# --- one open trajectory per client -----------------------------------------------------


def test_a_client_has_at_most_one_open_trajectory(trajectory, teamlead, counsellor, spi_team, case):
    with pytest.raises(ValidationError) as refused:
        services.trajectory_open(actor=teamlead, client=case, counsellor=counsellor, team=spi_team)
    assert field_errors(refused.value) == {
        "__all__": ["This client already has an open trajectory."]
    }
    assert Trajectory.objects.filter(client=case).count() == 1


def test_a_new_trajectory_may_start_once_the_previous_one_is_closed(
    make_trajectory, teamlead, counsellor, spi_team, case
):
    old = make_trajectory(Phase.JOB_PLACEMENT, client=case, closed=True)
    new = services.trajectory_open(
        actor=teamlead, client=case, counsellor=counsellor, team=spi_team
    )
    assert new.pk != old.pk
    assert set(Trajectory.objects.filter(client=case).values_list("phase", flat=True)) == {
        Phase.CLOSED,
        Phase.PRECONDITIONS,
    }


def test_a_social_worker_may_start_phase_1_with_their_client(socialworker, case, general_team):
    trajectory = services.trajectory_open(
        actor=socialworker, client=case, counsellor=socialworker, team=general_team
    )
    assert (trajectory.phase, trajectory.counsellor) == (Phase.PRECONDITIONS, socialworker)


def test_the_counsellor_must_belong_to_the_team(teamlead, case, counsellor, youth_team):
    with pytest.raises(ValidationError) as refused:
        services.trajectory_open(
            actor=teamlead, client=case, counsellor=counsellor, team=youth_team
        )
    assert list(field_errors(refused.value)) == ["counsellor"]
    assert not Trajectory.objects.exists()
