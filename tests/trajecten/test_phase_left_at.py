"""``PhaseChange.left_at``: when the trajectory left the phase a change entered.

It is the ``at`` of the next change of the same trajectory that is not a change of
counsellor (ordered by at, id), kept by the services on every move, filled by the
migration for the history before it, and read by the analytics instead of a
``LEAD`` over the team's whole history. Each test checks it against that formula.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.trajecten.test_analytics import (
    ANALYTICS_QUERIES,
    ANALYTICS_URL,
    BRUSSELS,
    END,
    PERIOD,
    START,
    History,
    make_history,
    on,
)
from trajecten import analytics
from trajecten import services as trajectory_services
from trajecten.models import ClosingReason, Phase, PhaseChange, TransitionKind

pytestmark = pytest.mark.django_db

# What the analytics computed before the column existed, for every change.
LEAD_MISMATCHES = """
SELECT c.id, c.kind, c.left_at, n.next_at
FROM trajecten_phasechange c
LEFT JOIN (
    SELECT id, LEAD(at) OVER (PARTITION BY trajectory_id ORDER BY at, id) AS next_at
    FROM trajecten_phasechange
    WHERE kind <> 'reassign'
) n ON n.id = c.id
WHERE c.left_at IS DISTINCT FROM n.next_at
"""


def lead_mismatches() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(LEAD_MISMATCHES)
        return cursor.fetchall()


def brussels(text: str) -> datetime.datetime:
    """10:00 in Brussels on ``text`` (dd/mm/yyyy): when ``on`` stands the clock still."""
    day = datetime.datetime.strptime(text, "%d/%m/%Y").date()
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=BRUSSELS)


def trail(trajectory) -> list[tuple]:
    return list(
        PhaseChange.objects.filter(trajectory=trajectory)
        .order_by("at", "id")
        .values_list("kind", "at", "left_at")
    )


@pytest.fixture
def history(teamlead, counsellor, spi_team) -> History:
    return History(teamlead, counsellor, spi_team)


def test_every_kind_of_move_ends_the_stay_the_previous_move_began(history):
    history.open("A", Phase.SCREENING, "05/01/2026")
    history.move("A", Phase.SOCIAL_ACTIVATION, "15/01/2026")  # next phase
    history.move("A", Phase.PROFESSIONAL_ACTIVATION, "10/02/2026")  # skip 3 → 5
    history.move("A", Phase.WORK_EXPERIENCE, "01/03/2026")  # back 5 → 4
    history.move("A", Phase.CLOSED, "10/03/2026", closing_reason=ClosingReason.MEDICAL)
    history.move("A", Phase.WORK_EXPERIENCE, "20/03/2026")  # reopen

    days = ["05/01/2026", "15/01/2026", "10/02/2026", "01/03/2026", "10/03/2026", "20/03/2026"]
    ats = [brussels(day) for day in days]
    assert trail(history.trajectories["A"]) == [
        (TransitionKind.OPENED, ats[0], ats[1]),
        (TransitionKind.ADVANCE, ats[1], ats[2]),
        (TransitionKind.SKIP, ats[2], ats[3]),
        (TransitionKind.BACK, ats[3], ats[4]),
        (TransitionKind.CLOSE, ats[4], ats[5]),  # closed until reopened
        (TransitionKind.REOPEN, ats[5], None),  # the stay goes on
    ]
    assert lead_mismatches() == []


def test_a_change_of_counsellor_ends_no_stay_and_gets_no_end(history, teamlead, colleague):
    history.open("C", Phase.SCREENING, "05/01/2026")
    with on("20/01/2026"):
        trajectory_services.trajectories_reassign(
            actor=teamlead,
            trajectory_ids=[history.trajectories["C"].pk],
            to_counsellor=colleague,
            note="Overdracht tijdens verlof",
        )
    opened, reassigned = trail(history.trajectories["C"])
    assert opened == (TransitionKind.OPENED, brussels("05/01/2026"), None)
    assert reassigned == (TransitionKind.REASSIGN, brussels("20/01/2026"), None)

    history.move("C", Phase.SOCIAL_ACTIVATION, "14/02/2026")
    opened, reassigned, moved = trail(history.trajectories["C"])
    # The stay in phase 2 ran from its opening to the move, over the handover.
    assert opened[2] == brussels("14/02/2026")
    assert reassigned[2] is None
    assert moved == (TransitionKind.ADVANCE, brussels("14/02/2026"), None)
    assert lead_mismatches() == []


def test_a_refused_move_ends_no_stay(history):
    history.open("R", Phase.SCREENING, "05/01/2026")
    with pytest.raises(ValidationError):
        history.move("R", Phase.WORK_EXPERIENCE, "15/01/2026", reason="")  # skip needs a reason
    assert trail(history.trajectories["R"])[0][2] is None


def test_the_stored_ends_equal_the_lead_formula_over_a_whole_history(
    teamlead, counsellor, colleague, spi_team, other_team, youth_team
):
    make_history(teamlead, counsellor, spi_team, other_team, youth_team, handover_to=colleague)
    assert PhaseChange.objects.filter(left_at__isnull=False).count() == 12
    assert lead_mismatches() == []


def test_the_migration_backfill_gives_the_lead_formula(
    teamlead, counsellor, colleague, spi_team, other_team, youth_team
):
    make_history(teamlead, counsellor, spi_team, other_team, youth_team, handover_to=colleague)
    stored = dict(PhaseChange.objects.values_list("pk", "left_at"))
    PhaseChange.objects.update(left_at=None)  # as before the migration
    migration = importlib.import_module("trajecten.migrations.0008_phasechange_left_at")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert dict(PhaseChange.objects.values_list("pk", "left_at")) == stored
    assert lead_mismatches() == []


def test_refreshing_after_back_dating_follows_the_new_dates(history):
    """The demo seeders move the ``at`` of the changes they made into the past."""
    history.open("D", Phase.SCREENING, "05/01/2026")
    history.move("D", Phase.SOCIAL_ACTIVATION, "15/01/2026")
    trajectory = history.trajectories["D"]
    moved = PhaseChange.objects.get(trajectory=trajectory, kind=TransitionKind.ADVANCE)
    PhaseChange.objects.filter(pk=moved.pk).update(at=brussels("10/01/2026"))
    assert len(lead_mismatches()) == 1

    assert trajectory_services.phase_changes_refresh_left_at([trajectory.pk]) == 1
    assert lead_mismatches() == []
    assert trajectory_services.phase_changes_refresh_left_at([trajectory.pk]) == 0
    assert trajectory_services.phase_changes_refresh_left_at([]) == 0


def test_endings_take_the_phase_of_the_last_closing_move(history, spi_team):
    history.open("E", Phase.SOCIAL_ACTIVATION, "05/01/2026")
    history.move("E", Phase.CLOSED, "01/02/2026", closing_reason=ClosingReason.MEDICAL)
    history.move("E", Phase.WORK_EXPERIENCE, "15/02/2026")  # reopen in 4
    history.move("E", Phase.CLOSED, "01/03/2026", closing_reason=ClosingReason.MOVED)
    with on("15/07/2026"):
        endings = analytics.endings([spi_team.pk], START, END)
    assert endings.total == 1
    assert endings.by_phase[Phase.WORK_EXPERIENCE] == 1
    assert endings.by_phase[Phase.SOCIAL_ACTIVATION] == 0
    assert endings.by_reason[ClosingReason.MOVED] == 1


def test_the_page_costs_the_same_with_handovers_and_reopenings(
    login, django_assert_num_queries, teamlead, counsellor, colleague, spi_team, other_team,
    youth_team,
):  # fmt: skip
    make_history(teamlead, counsellor, spi_team, other_team, youth_team, handover_to=colleague)
    browser = login(teamlead)
    with on("15/07/2026"), django_assert_num_queries(ANALYTICS_QUERIES):
        response = browser.get(ANALYTICS_URL, PERIOD)
    assert response.status_code == 200
    times = response.context["sections"][0].tables[0]
    # Phase 2: A, B and C left it after 10, 20 and 40 days; C's handover split nothing.
    assert times.rows[1][1:4] == [3, 20, 32]
