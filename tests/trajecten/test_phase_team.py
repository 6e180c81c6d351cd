"""``PhaseChange.team``: the team of the change's trajectory, copied onto every change.

The services set it on every kind of change (opening, each move, a change of
counsellor, a referral accepted) and keep it equal to the trajectory's team when a
referral hands a phase-1 trajectory over to an SPI team; the migration fills it for
the history before it. The analytics read a team's changes by it, so each test
checks the stored team against the trajectory's.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.models import F

from tests.trajecten.conftest import full_checklist
from tests.trajecten.test_analytics import END, START, History, make_history, on
from trajecten import analytics
from trajecten import services as trajectory_services
from trajecten.models import ClosingReason, Phase, PhaseChange, Trajectory, TransitionKind

pytestmark = pytest.mark.django_db


def mismatches() -> list[tuple]:
    """Changes whose team is not their trajectory's."""
    return list(
        PhaseChange.objects.exclude(team_id=F("trajectory__team_id")).values_list(
            "pk", "kind", "team_id", "trajectory__team_id"
        )
    )


def teams_of(trajectory) -> list[tuple]:
    return list(
        PhaseChange.objects.filter(trajectory=trajectory)
        .order_by("at", "id")
        .values_list("kind", "team_id")
    )


def test_opening_and_every_kind_of_move_carry_the_team(teamlead, counsellor, spi_team):
    history = History(teamlead, counsellor, spi_team)
    history.open("A", Phase.SCREENING, "05/01/2026")
    history.move("A", Phase.SOCIAL_ACTIVATION, "15/01/2026")  # next phase
    history.move("A", Phase.PROFESSIONAL_ACTIVATION, "10/02/2026")  # skip
    history.move("A", Phase.WORK_EXPERIENCE, "01/03/2026")  # back
    history.move("A", Phase.CLOSED, "10/03/2026", closing_reason=ClosingReason.MEDICAL)
    history.move("A", Phase.WORK_EXPERIENCE, "20/03/2026")  # reopen

    assert teams_of(history.trajectories["A"]) == [
        (kind, spi_team.pk)
        for kind in (
            TransitionKind.OPENED,
            TransitionKind.ADVANCE,
            TransitionKind.SKIP,
            TransitionKind.BACK,
            TransitionKind.CLOSE,
            TransitionKind.REOPEN,
        )
    ]
    assert mismatches() == []


def test_a_change_of_counsellor_carries_the_team(teamlead, counsellor, colleague, spi_team):
    history = History(teamlead, counsellor, spi_team)
    history.open("B", Phase.SCREENING, "05/01/2026")
    history.open("C", Phase.JOB_PLACEMENT, "06/01/2026")
    with on("20/01/2026"):
        trajectory_services.trajectories_reassign(
            actor=teamlead,
            trajectory_ids=[history.trajectories["B"].pk, history.trajectories["C"].pk],
            to_counsellor=colleague,
            note="Overdracht tijdens verlof",
        )
    for name in "BC":
        assert teams_of(history.trajectories[name]) == [
            (TransitionKind.OPENED, spi_team.pk),
            (TransitionKind.REASSIGN, spi_team.pk),
        ]
    assert mismatches() == []


def test_a_social_worker_s_phase_1_trajectory_carries_the_general_team(
    socialworker, case, general_team
):
    trajectory = trajectory_services.trajectory_open(
        actor=socialworker, client=case, counsellor=socialworker, team=general_team
    )
    assert teams_of(trajectory) == [(TransitionKind.OPENED, general_team.pk)]


def test_an_accepted_referral_opens_with_the_spi_team(socialworker, case2, spi_team, counsellor):
    referral = trajectory_services.referral_propose(
        actor=socialworker, client=case2, team=spi_team, checklist=full_checklist()
    )
    trajectory = trajectory_services.referral_accept(
        actor=counsellor, referral=referral, counsellor=counsellor
    )
    assert teams_of(trajectory) == [(TransitionKind.OPENED, spi_team.pk)]


def test_a_referral_accepted_for_a_phase_1_trajectory_moves_its_history_to_the_spi_team(
    socialworker, case2, general_team, spi_team, counsellor, teamlead
):
    """The one place a trajectory changes team: its changes follow, so the analytics
    count it, with its whole history, for the team it belongs to now."""
    with on("05/01/2026"):
        started = trajectory_services.trajectory_open(
            actor=socialworker, client=case2, counsellor=socialworker, team=general_team
        )
        trajectory_services.needs_analysis_record(
            actor=socialworker, client=case2, data={"own_project": "Werken"}
        )
    with on("20/01/2026"):
        referral = trajectory_services.referral_propose(
            actor=socialworker, client=case2, team=spi_team, checklist=full_checklist()
        )
        trajectory = trajectory_services.referral_accept(
            actor=counsellor, referral=referral, counsellor=counsellor
        )
    assert trajectory.pk == started.pk
    assert Trajectory.objects.get(pk=started.pk).team == spi_team
    assert teams_of(trajectory) == [
        (TransitionKind.OPENED, spi_team.pk),
        (TransitionKind.REASSIGN, spi_team.pk),
    ]
    assert mismatches() == []

    with on("15/02/2026"):
        trajectory_services.trajectory_transition(
            actor=teamlead,
            trajectory=Trajectory.objects.get(pk=trajectory.pk),
            target=Phase.SCREENING,
        )
    spi_times = {t.phase: t for t in analytics.phase_times([spi_team.pk], START, END)}
    assert spi_times[Phase.PRECONDITIONS].completed == 1
    assert spi_times[Phase.SCREENING].ongoing == 1
    general = analytics.phase_times([general_team.pk], START, END)
    assert all(t.completed == 0 and t.ongoing == 0 for t in general)
    assert analytics.flows([spi_team.pk], START, END).by_kind[TransitionKind.ADVANCE] == 1
    assert analytics.flows([general_team.pk], START, END).by_kind[TransitionKind.ADVANCE] == 0


def test_the_migration_backfill_gives_the_trajectory_s_team(
    teamlead, counsellor, colleague, spi_team, other_team, youth_team
):
    make_history(teamlead, counsellor, spi_team, other_team, youth_team, handover_to=colleague)
    stored = dict(PhaseChange.objects.values_list("pk", "team_id"))
    assert set(stored.values()) == {spi_team.pk, youth_team.pk}
    # Every change in the wrong team, as the backfill could find them (it cannot see
    # the empty column of the migration: the field is NOT NULL now).
    PhaseChange.objects.filter(trajectory__team=spi_team).update(team_id=youth_team.pk)
    PhaseChange.objects.filter(trajectory__team=youth_team).update(team_id=spi_team.pk)
    assert len(mismatches()) == len(stored)
    migration = importlib.import_module("trajecten.migrations.0010_phasechange_team")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert dict(PhaseChange.objects.values_list("pk", "team_id")) == stored
    assert mismatches() == []
