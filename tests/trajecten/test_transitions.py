"""The trajectory state machine: every move, every gate, who may move, and races.

The rules (DOMAIN.md "The trajectory", issue 3):

- to the next phase: no reason needed;
- forward past phases, or back to any earlier phase: a reason is required;
- close from any phase: a structured closing reason ("other" needs a text);
- reopen a closed trajectory in any phase: a reason is required, and only when
  the client has no other open trajectory;
- gates: leaving phase 1 or 2 forward needs a needs analysis on file; entering
  aftercare needs an outcome; going back is never gated;
- only the assigned counsellor or a team lead of the trajectory's team moves it;
- every move writes exactly one PhaseChange, in the same transaction; a refused
  move changes nothing and writes nothing.
"""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.utils.translation import gettext
from django_fsm import has_transition_perm

from trajecten import services
from trajecten.models import (
    PHASES,
    ClosingReason,
    Phase,
    PhaseChange,
    Trajectory,
    TransitionKind,
)

pytestmark = pytest.mark.django_db

STATES = [*PHASES, Phase.CLOSED]
NUMBER = {phase: index for index, phase in enumerate(PHASES, start=1)}
REASON = "Besproken met de cliënt"

NEEDS_ANALYSIS_GATE = "Record a needs analysis (sociale balans) before leaving this phase."
OUTCOME_GATE = "Record the start of work or another outcome before moving to aftercare."
GIVE_A_REASON = "Give a reason for this move."


def messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def fresh(trajectory: Trajectory) -> Trajectory:
    # A protected FSM field cannot be refreshed in place: load the row again.
    return Trajectory.objects.get(pk=trajectory.pk)


def expected_kind(source: str, target: str) -> str:
    if source == Phase.CLOSED:
        return TransitionKind.REOPEN
    if target == Phase.CLOSED:
        return TransitionKind.CLOSE
    if NUMBER[target] == NUMBER[source] + 1:
        return TransitionKind.ADVANCE
    if NUMBER[target] > NUMBER[source]:
        return TransitionKind.SKIP
    return TransitionKind.BACK


def move(actor, trajectory, target, *, reason="", closing_reason="", closing_note="", **kw):
    return services.trajectory_transition(
        actor=actor,
        trajectory=trajectory,
        target=target,
        reason=reason,
        closing_reason=closing_reason,
        closing_note=closing_note,
        **kw,
    )


@pytest.fixture
def in_state(make_trajectory, satisfy_gates, case):
    """``in_state(phase)``: ``case``'s trajectory in ``phase`` (or closed), all gates met."""

    def _in_state(state: str) -> Trajectory:
        trajectory = make_trajectory(state, client=case)
        satisfy_gates(trajectory)
        return fresh(trajectory)

    return _in_state


# --- the full matrix: every state to every state ----------------------------------------


@pytest.mark.parametrize("target", STATES)
@pytest.mark.parametrize("source", STATES)
def test_every_move_with_a_reason_is_allowed_except_staying_put(
    source, target, in_state, counsellor
):
    trajectory = in_state(source)
    before = list(PhaseChange.objects.filter(trajectory=trajectory).values_list("pk", flat=True))

    if source == target:
        with pytest.raises(ValidationError) as refused:
            move(counsellor, trajectory, target, reason=REASON, closing_reason="moved")
        assert "target" in messages(refused.value)
        assert fresh(trajectory).phase == source
        assert PhaseChange.objects.filter(trajectory=trajectory).count() == len(before)
        return

    moved = move(counsellor, trajectory, target, reason=REASON, closing_reason="moved")

    stored = fresh(trajectory)
    assert moved.phase == stored.phase == target
    assert stored.version == trajectory.version + 1
    [change] = PhaseChange.objects.filter(trajectory=trajectory).exclude(pk__in=before)
    assert (change.from_phase, change.to_phase) == (source, target)
    assert change.kind == expected_kind(source, target)
    assert change.by == counsellor
    assert change.reason == REASON


@pytest.mark.parametrize("target", STATES)
@pytest.mark.parametrize("source", STATES)
def test_without_a_reason_only_the_next_phase_and_closing_are_allowed(
    source, target, in_state, counsellor
):
    trajectory = in_state(source)
    before = PhaseChange.objects.filter(trajectory=trajectory).count()
    allowed = source != target and expected_kind(source, target) in (
        TransitionKind.ADVANCE,
        TransitionKind.CLOSE,
    )

    if allowed:
        moved = move(counsellor, trajectory, target, closing_reason="moved")
        assert fresh(trajectory).phase == moved.phase == target
        assert PhaseChange.objects.filter(trajectory=trajectory).count() == before + 1
        return

    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, target, closing_reason="moved")
    errors = messages(refused.value)
    if source == target:
        assert "target" in errors
    else:
        assert errors == {"reason": [GIVE_A_REASON]}
    stored = fresh(trajectory)
    assert (stored.phase, stored.version) == (source, trajectory.version)
    assert PhaseChange.objects.filter(trajectory=trajectory).count() == before


def test_the_last_phase_has_no_next_phase_only_back_and_close(in_state, counsellor):
    trajectory = in_state(Phase.AFTERCARE)
    moves = services.available_moves(trajectory, counsellor)
    kinds = {(m["kind"], m["target"]) for m in moves}
    assert not any(kind in (TransitionKind.ADVANCE, TransitionKind.SKIP) for kind, _ in kinds)
    assert (TransitionKind.CLOSE, Phase.CLOSED) in kinds
    assert {t for k, t in kinds if k == TransitionKind.BACK} == set(PHASES[:-1])


def test_an_unknown_target_is_refused(in_state, counsellor):
    trajectory = in_state(Phase.SCREENING)
    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, "retired", reason=REASON)
    assert "target" in messages(refused.value)
    assert fresh(trajectory).phase == Phase.SCREENING


# --- closing and reopening --------------------------------------------------------------


@pytest.mark.parametrize("source", PHASES)
def test_closing_requires_a_structured_reason(source, in_state, counsellor):
    trajectory = in_state(source)

    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, Phase.CLOSED, reason="klaar")
    assert list(messages(refused.value)) == ["closing_reason"]

    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, Phase.CLOSED, closing_reason="bored")
    assert list(messages(refused.value)) == ["closing_reason"]

    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, Phase.CLOSED, closing_reason=ClosingReason.OTHER)
    assert messages(refused.value) == {"closing_note": ["Describe the reason for closing."]}

    with pytest.raises(ValidationError):
        move(
            counsellor,
            trajectory,
            Phase.CLOSED,
            closing_reason=ClosingReason.OTHER,
            closing_note="   ",
        )
    assert fresh(trajectory).phase == source
    assert not PhaseChange.objects.filter(trajectory=trajectory, kind="close").exists()


def test_closing_with_other_and_a_note_records_both(in_state, counsellor):
    trajectory = in_state(Phase.WORK_EXPERIENCE)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)):
        move(
            counsellor,
            trajectory,
            Phase.CLOSED,
            closing_reason=ClosingReason.OTHER,
            closing_note="Naar het buitenland vertrokken",
        )
    stored = fresh(trajectory)
    assert stored.phase == Phase.CLOSED
    assert stored.closing_reason == ClosingReason.OTHER
    assert stored.closing_note == "Naar het buitenland vertrokken"
    assert stored.closed_on == datetime.date(2026, 3, 10)
    change = PhaseChange.objects.get(trajectory=trajectory, kind=TransitionKind.CLOSE)
    assert change.from_phase == Phase.WORK_EXPERIENCE
    # Without a free-text reason the structured one is the trace.
    assert change.reason == str(ClosingReason.OTHER.label)


def test_reopening_clears_the_closing_and_needs_a_reason(in_state, counsellor):
    trajectory = in_state(Phase.CLOSED)
    assert trajectory.closing_reason == ClosingReason.MOVED

    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, Phase.SOCIAL_ACTIVATION, reason="  ")
    assert messages(refused.value) == {"reason": [GIVE_A_REASON]}
    assert fresh(trajectory).phase == Phase.CLOSED

    move(counsellor, trajectory, Phase.SOCIAL_ACTIVATION, reason="Terug in de gemeente")
    stored = fresh(trajectory)
    assert stored.phase == Phase.SOCIAL_ACTIVATION
    assert (stored.closed_on, stored.closing_reason, stored.closing_note) == (None, "", "")


def test_reopening_while_another_trajectory_is_open_is_refused(
    make_trajectory, satisfy_gates, case, counsellor
):
    old = make_trajectory(Phase.SOCIAL_ACTIVATION, client=case, closed=True)
    current = make_trajectory(Phase.PRECONDITIONS, client=case)

    with pytest.raises(ValidationError) as refused:
        move(counsellor, old, Phase.SCREENING, reason="Verkeerd afgesloten")
    assert messages(refused.value) == {"__all__": ["This client already has an open trajectory."]}
    assert fresh(old).phase == Phase.CLOSED
    assert fresh(current).phase == Phase.PRECONDITIONS
    assert not PhaseChange.objects.filter(trajectory=old, kind=TransitionKind.REOPEN).exists()


# --- gates ------------------------------------------------------------------------------


LEAVING_EARLY = [
    (source, target)
    for source in (Phase.PRECONDITIONS, Phase.SCREENING)
    for target in PHASES
    if NUMBER[target] > NUMBER[source]
]


@pytest.mark.parametrize(("source", "target"), LEAVING_EARLY)
def test_leaving_phase_1_or_2_forward_needs_a_needs_analysis(
    source, target, make_trajectory, case, counsellor
):
    trajectory = make_trajectory(source, client=case)

    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, target, reason=REASON)

    assert NEEDS_ANALYSIS_GATE in messages(refused.value)["target"]
    assert fresh(trajectory).phase == source
    assert PhaseChange.objects.filter(trajectory=trajectory).count() == 1  # only "opened"


def test_the_needs_analysis_gate_opens_once_an_analysis_is_recorded(
    make_trajectory, case, counsellor
):
    trajectory = make_trajectory(Phase.PRECONDITIONS, client=case)
    [advance] = [
        m for m in services.available_moves(trajectory, counsellor) if m["target"] == "screening"
    ]
    assert advance["blocked"] == [NEEDS_ANALYSIS_GATE]

    services.needs_analysis_record(actor=counsellor, client=case, data={"own_project": "Bakker"})
    move(counsellor, trajectory, Phase.SCREENING)
    assert fresh(trajectory).phase == Phase.SCREENING


@pytest.mark.parametrize("source", PHASES[2:5])
def test_the_needs_analysis_gate_only_guards_phases_1_and_2(
    source, make_trajectory, case, counsellor
):
    trajectory = make_trajectory(source, client=case)
    target = PHASES[PHASES.index(source) + 1]
    move(counsellor, trajectory, target)
    assert fresh(trajectory).phase == target


@pytest.mark.parametrize("source", PHASES[1:])
def test_going_back_is_never_gated(source, make_trajectory, case, counsellor):
    # No needs analysis and no outcome on file.
    trajectory = make_trajectory(source, client=case)
    move(counsellor, trajectory, Phase.PRECONDITIONS, reason="Huisvesting weer onzeker")
    assert fresh(trajectory).phase == Phase.PRECONDITIONS


@pytest.mark.parametrize("source", PHASES[2:6])
def test_entering_aftercare_needs_an_outcome(
    source, make_trajectory, needs_analysis, case, counsellor
):
    trajectory = make_trajectory(source, client=case)
    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, Phase.AFTERCARE, reason="Werkt sinds maandag")
    assert messages(refused.value) == {"target": [OUTCOME_GATE]}
    assert fresh(trajectory).phase == source


def test_reopening_into_aftercare_also_needs_an_outcome(
    make_trajectory, needs_analysis, case, counsellor
):
    trajectory = make_trajectory(Phase.JOB_PLACEMENT, client=case, closed=True)
    with pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, Phase.AFTERCARE, reason="Toch aan het werk")
    assert messages(refused.value) == {"target": [OUTCOME_GATE]}
    assert fresh(trajectory).phase == Phase.CLOSED


def test_an_outcome_opens_the_aftercare_gate(
    make_trajectory, needs_analysis, satisfy_gates, case, counsellor
):
    trajectory = make_trajectory(Phase.JOB_PLACEMENT, client=case)
    satisfy_gates(trajectory)
    move(counsellor, trajectory, Phase.AFTERCARE)
    assert fresh(trajectory).phase == Phase.AFTERCARE


def test_a_failed_gate_message_is_translated(make_trajectory, case, counsellor):
    from django.utils import translation

    trajectory = make_trajectory(Phase.PRECONDITIONS, client=case)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        move(counsellor, trajectory, Phase.SCREENING)
    with translation.override("fr"):
        assert messages(refused.value)["target"] == [gettext(NEEDS_ANALYSIS_GATE)]


# --- who may move it --------------------------------------------------------------------

MAY_MOVE = {
    "counsellor": True,  # the assigned counsellor
    "teamlead": True,  # a team lead of the trajectory's team
    "youth_lead": False,  # a team lead of another team
    "colleague": False,
    "other_team": False,
    "socialworker": False,
    "sw_colleague": False,
    "intake": False,
    "admin": False,
    "outsider": False,
}


@pytest.mark.parametrize("name", MAY_MOVE)
def test_only_the_counsellor_and_the_team_lead_may_move_it(name, request, in_state):
    user = request.getfixturevalue(name)
    trajectory = in_state(Phase.SCREENING)
    trajectory.requested_target = Phase.WORK_EXPERIENCE

    # django-fsm's own check agrees with the service, for every kind of move.
    assert has_transition_perm(trajectory.advance, user) is MAY_MOVE[name]
    assert has_transition_perm(trajectory.skip_forward, user) is MAY_MOVE[name]
    assert has_transition_perm(trajectory.go_back, user) is MAY_MOVE[name]
    assert has_transition_perm(trajectory.close, user) is False  # no closing reason set yet

    if MAY_MOVE[name]:
        move(user, trajectory, Phase.SOCIAL_ACTIVATION)
        assert fresh(trajectory).phase == Phase.SOCIAL_ACTIVATION
        assert PhaseChange.objects.get(trajectory=trajectory, kind="advance").by == user
    else:
        # Refused before anything else is looked at: a reader gets no hint about
        # reasons or gates, and a stale version does not turn it into a 409.
        for kwargs in (
            {"target": Phase.SOCIAL_ACTIVATION},
            {"target": Phase.WORK_EXPERIENCE},
            {"target": Phase.CLOSED, "closing_reason": "moved"},
            {"target": Phase.SOCIAL_ACTIVATION, "version": 99},
        ):
            with pytest.raises(PermissionDenied):
                services.trajectory_transition(actor=user, trajectory=trajectory, **kwargs)
        assert fresh(trajectory).phase == Phase.SCREENING
        assert PhaseChange.objects.filter(trajectory=trajectory).count() == 1


def test_a_closed_trajectory_may_be_reopened_only_by_the_counsellor_or_team_lead(
    in_state, colleague, teamlead
):
    trajectory = in_state(Phase.CLOSED)
    assert has_transition_perm(trajectory.reopen, colleague) is False
    assert has_transition_perm(trajectory.reopen, teamlead) is True
    with pytest.raises(PermissionDenied):
        move(colleague, trajectory, Phase.SCREENING, reason=REASON)
    move(teamlead, trajectory, Phase.SCREENING, reason=REASON)
    assert fresh(trajectory).phase == Phase.SCREENING


def test_a_new_counsellor_takes_over_the_right_to_move(
    make_trajectory, case, counsellor, colleague, socialworker, satisfy_gates, spi_team
):
    """A phase-1 file referred and accepted for another counsellor changes hands."""
    from tests.trajecten.conftest import full_checklist

    trajectory = make_trajectory(Phase.PRECONDITIONS, client=case)
    satisfy_gates(trajectory)
    referral = services.referral_propose(
        actor=socialworker, client=case, team=spi_team, checklist=full_checklist()
    )
    services.referral_accept(actor=counsellor, referral=referral, counsellor=colleague)
    trajectory = fresh(trajectory)
    assert trajectory.counsellor == colleague

    with pytest.raises(PermissionDenied):
        move(counsellor, trajectory, Phase.SCREENING)
    move(colleague, trajectory, Phase.SCREENING)
    assert fresh(trajectory).phase == Phase.SCREENING


# --- the record of each move ------------------------------------------------------------


def test_each_move_writes_one_phase_change_with_who_when_and_why(in_state, counsellor):
    trajectory = in_state(Phase.SCREENING)
    moments = [
        datetime.datetime(2026, 2, 2, 10, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 2, 20, 15, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 8, 15, tzinfo=datetime.UTC),
    ]
    with time_machine.travel(moments[0], tick=False):
        move(counsellor, trajectory, Phase.WORK_EXPERIENCE, reason="Wil meteen werken")
    with time_machine.travel(moments[1], tick=False):
        move(counsellor, fresh(trajectory), Phase.SOCIAL_ACTIVATION, reason="Te zwaar")
    with time_machine.travel(moments[2], tick=False):
        move(counsellor, fresh(trajectory), Phase.WORK_EXPERIENCE)

    rows = list(
        PhaseChange.objects.filter(trajectory=trajectory)
        .exclude(kind=TransitionKind.OPENED)
        .order_by("at")
        .values_list("kind", "from_phase", "to_phase", "by", "at", "reason")
    )
    assert rows == [
        ("skip", "screening", "work_experience", counsellor.pk, moments[0], "Wil meteen werken"),
        ("back", "work_experience", "social_activation", counsellor.pk, moments[1], "Te zwaar"),
        ("advance", "social_activation", "work_experience", counsellor.pk, moments[2], ""),
    ]
    stored = fresh(trajectory)
    assert stored.phase_since == moments[2]
    assert stored.version == trajectory.version + 3


def test_days_in_phase_counts_from_the_last_move(in_state, counsellor):
    with time_machine.travel(datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)):
        trajectory = in_state(Phase.SCREENING)
        move(counsellor, trajectory, Phase.SOCIAL_ACTIVATION)
    with time_machine.travel(datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC)):
        assert fresh(trajectory).days_in_phase == 14


def test_the_move_and_its_record_are_one_transaction(in_state, counsellor):
    """If the database refuses the PhaseChange, the phase does not change either."""
    trajectory = in_state(Phase.SCREENING)

    def refuse_the_record(execute, sql, params, many, context):
        # The real UPDATE of the trajectory runs; the INSERT of its record fails.
        if sql.startswith('INSERT INTO "trajecten_phasechange"'):
            raise DatabaseError("could not extend file: No space left on device")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_the_record), pytest.raises(DatabaseError):
        move(counsellor, trajectory, Phase.SOCIAL_ACTIVATION)
    stored = fresh(trajectory)
    assert (stored.phase, stored.version) == (Phase.SCREENING, trajectory.version)


def test_the_phase_field_is_protected(in_state):
    trajectory = in_state(Phase.SCREENING)
    with pytest.raises(AttributeError):
        trajectory.phase = Phase.AFTERCARE
    assert fresh(trajectory).phase == Phase.SCREENING


def test_a_stale_version_is_refused_and_changes_nothing(in_state, counsellor, teamlead):
    trajectory = in_state(Phase.SCREENING)
    seen = trajectory.version
    move(teamlead, trajectory, Phase.SOCIAL_ACTIVATION, version=seen)

    with pytest.raises(services.StaleTrajectory) as refused:
        move(counsellor, trajectory, Phase.SOCIAL_ACTIVATION, version=seen)
    assert refused.value.code == "stale"
    assert "changed meanwhile" in refused.value.messages[0]
    stored = fresh(trajectory)
    assert (stored.phase, stored.version) == (Phase.SOCIAL_ACTIVATION, seen + 1)
    assert PhaseChange.objects.filter(trajectory=trajectory, kind="advance").count() == 1


# --- concurrency ------------------------------------------------------------------------


def _race(moves: list[dict]) -> list[object]:
    """Run each move in its own thread (own database connection), all at once."""
    barrier = threading.Barrier(len(moves))
    results: list[object] = [None] * len(moves)

    def run(index: int, kwargs: dict) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = services.trajectory_transition(**kwargs)
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, kw)) for i, kw in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_people_moving_the_same_version_at_once_exactly_one_wins(
    make_trajectory, satisfy_gates, case, counsellor, teamlead
):
    trajectory = make_trajectory(Phase.SCREENING, client=case)
    satisfy_gates(trajectory)
    seen = fresh(trajectory).version

    results = _race(
        [
            {
                "actor": counsellor,
                "trajectory": Trajectory.objects.get(pk=trajectory.pk),
                "target": Phase.SOCIAL_ACTIVATION,
                "version": seen,
            },
            {
                "actor": teamlead,
                "trajectory": Trajectory.objects.get(pk=trajectory.pk),
                "target": Phase.WORK_EXPERIENCE,
                "reason": "Meteen werkervaring",
                "version": seen,
            },
        ]
    )

    winners = [r for r in results if isinstance(r, Trajectory)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], services.StaleTrajectory), results
    stored = fresh(trajectory)
    assert stored.phase == winners[0].phase
    assert stored.version == seen + 1
    changes = PhaseChange.objects.filter(trajectory=trajectory).exclude(kind="opened")
    assert changes.count() == 1
    assert changes.get().to_phase == stored.phase


@pytest.mark.django_db(transaction=True)
def test_two_identical_moves_without_a_version_are_not_doubled(
    make_trajectory, satisfy_gates, case, counsellor, teamlead
):
    trajectory = make_trajectory(Phase.SCREENING, client=case)
    satisfy_gates(trajectory)

    results = _race(
        [
            {"actor": actor, "trajectory": fresh(trajectory), "target": Phase.SOCIAL_ACTIVATION}
            for actor in (counsellor, teamlead)
        ]
    )

    assert sum(isinstance(r, Trajectory) for r in results) == 1, results
    [refusal] = [r for r in results if isinstance(r, ValidationError)]
    # The second one is served after the first and finds the move already made.
    assert "target" in messages(refusal)
    assert fresh(trajectory).phase == Phase.SOCIAL_ACTIVATION
    assert PhaseChange.objects.filter(trajectory=trajectory, kind="advance").count() == 1
