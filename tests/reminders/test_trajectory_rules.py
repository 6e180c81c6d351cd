"""The trajectory's deadline rules, on a fixed clock: before, on and after the
due date, and the task closing by itself when the fact is recorded."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from ocmw.models import ClosedReason, ReminderSettings, Task, TaskStatus
from tests.reminders.conftest import at, record_contact, tasks_of
from trajecten import services as trajecten_services
from trajecten.models import ClosingReason, ContactType, Phase

pytestmark = pytest.mark.django_db

D = datetime.date


# --- no contact for 6 weeks ---------------------------------------------------------


def test_no_contact_task_appears_a_week_before_six_weeks_without_contact(
    spi_trajectory, counsellor, scan
):
    # Opened 05/01/2026 and no contact since: due 16/02/2026, shown from 09/02.
    scan(D(2026, 2, 1))
    assert tasks_of("no_contact") == []
    scan(D(2026, 2, 9))
    (task,) = tasks_of("no_contact")
    assert task.due_date == D(2026, 2, 16)
    assert task.responsible == counsellor
    assert task.client_id == spi_trajectory.client_id
    assert (task.subject_type, task.subject_id) == ("trajectory", spi_trajectory.pk)
    assert task.status == TaskStatus.OPEN


def test_no_contact_task_on_and_after_the_due_date_stays_one_open_task(spi_trajectory, scan):
    scan(D(2026, 2, 16))
    scan(D(2026, 3, 20))
    (task,) = tasks_of("no_contact")
    assert task.due_date == D(2026, 2, 16)
    assert task.status == TaskStatus.OPEN


def test_a_recorded_contact_closes_the_no_contact_task(spi_trajectory, spi_case, counsellor, scan):
    scan(D(2026, 2, 20))
    record_contact(counsellor, spi_case, D(2026, 2, 20), type=ContactType.PHONE)
    result = scan(D(2026, 2, 20))
    (task,) = tasks_of("no_contact")
    assert task.status == TaskStatus.DONE
    assert task.closed_reason == ClosedReason.RESOLVED
    assert task.done_at is not None
    assert result.closed >= 1
    # The next deadline (03/04/2026) comes back in time.
    scan(D(2026, 3, 27))
    assert [t.due_date for t in tasks_of("no_contact", status=TaskStatus.OPEN)] == [D(2026, 4, 3)]


def test_an_ocmw_sets_its_own_number_of_weeks(spi_trajectory, ocmw, scan):
    ReminderSettings.objects.create(ocmw=ocmw, no_contact_weeks=3)
    scan(D(2026, 1, 26))
    assert [t.due_date for t in tasks_of("no_contact")] == [D(2026, 1, 26)]


# --- evaluation due -------------------------------------------------------------------


def test_first_evaluation_is_due_four_months_after_opening(spi_trajectory, scan):
    scan(D(2026, 4, 20))
    assert tasks_of("evaluation_due") == []
    scan(D(2026, 5, 5))
    scan(D(2026, 5, 30))
    (task,) = tasks_of("evaluation_due")
    assert task.due_date == D(2026, 5, 5)
    assert task.status == TaskStatus.OPEN


def test_entering_the_evaluation_closes_the_task_and_plans_the_next(
    spi_trajectory, counsellor, scan
):
    scan(D(2026, 5, 10))
    with at(D(2026, 5, 12)):
        trajecten_services.evaluation_record(
            actor=counsellor,
            trajectory=spi_trajectory,
            data={
                "date": D(2026, 5, 12),
                "conclusion": "Goed bezig",
                "next_evaluation_on": D(2026, 8, 1),
            },
        )
    scan(D(2026, 5, 12))
    (done,) = tasks_of("evaluation_due")
    assert (done.status, done.closed_reason) == (TaskStatus.DONE, ClosedReason.RESOLVED)
    scan(D(2026, 7, 26))
    assert [t.due_date for t in tasks_of("evaluation_due", status="open")] == [D(2026, 8, 1)]


# --- home visit -------------------------------------------------------------------------


def test_home_visit_is_due_at_the_opening_and_a_phone_call_does_not_count(
    spi_trajectory, spi_case, counsellor, scan
):
    scan(D(2026, 1, 5))
    (task,) = tasks_of("home_visit")
    assert task.due_date == D(2026, 1, 5)
    record_contact(counsellor, spi_case, D(2026, 1, 8), type=ContactType.PHONE)
    scan(D(2026, 1, 8))
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_home_visit_closes_the_task_and_the_next_is_due_a_year_later(
    spi_trajectory, spi_case, counsellor, scan
):
    scan(D(2026, 1, 5))
    record_contact(counsellor, spi_case, D(2026, 1, 12), type=ContactType.HOME_VISIT)
    scan(D(2026, 1, 12))
    (done,) = tasks_of("home_visit")
    assert (done.status, done.closed_reason) == (TaskStatus.DONE, ClosedReason.RESOLVED)
    scan(D(2026, 12, 20))  # before
    assert tasks_of("home_visit", status="open") == []
    scan(D(2027, 1, 12))  # on
    scan(D(2027, 2, 15))  # after: still the one open, overdue task
    (task,) = tasks_of("home_visit", status="open")
    assert task.due_date == D(2027, 1, 12)


# --- the subject disappears; idempotence ------------------------------------------------


def test_closing_the_trajectory_cancels_its_tasks(spi_trajectory, teamlead, scan):
    scan(D(2026, 5, 10))
    assert Task.objects.filter(status="open").count() == 3
    with at(D(2026, 5, 11)):
        trajecten_services.trajectory_transition(
            actor=teamlead,
            trajectory=spi_trajectory,
            target=Phase.CLOSED,
            closing_reason=ClosingReason.MOVED,
        )
    result = scan(D(2026, 5, 11))
    assert result.cancelled == 3
    assert set(Task.objects.values_list("status", "closed_reason")) == {
        (TaskStatus.CANCELLED, ClosedReason.CANCELLED)
    }


def test_running_the_scan_again_creates_nothing_new(spi_trajectory, colleague_trajectory, scan):
    first = scan(D(2026, 5, 10))
    count = Task.objects.count()
    second = scan(D(2026, 5, 10))
    assert first.created == count == 6
    assert (second.created, second.closed, second.cancelled) == (0, 0, 0)
    assert Task.objects.count() == count


def test_a_task_done_by_hand_is_not_made_again_for_the_same_deadline(
    spi_trajectory, counsellor, scan
):
    from ocmw import services

    scan(D(2026, 2, 16))
    (task,) = tasks_of("no_contact")
    with at(D(2026, 2, 16)):
        services.task_mark_done(actor=counsellor, task=task, note="Telefonisch gesproken")
    scan(D(2026, 2, 17))
    assert [t.status for t in tasks_of("no_contact")] == [TaskStatus.DONE]


def test_a_reassigned_trajectory_moves_its_open_tasks(spi_trajectory, colleague, scan):
    from trajecten.models import Trajectory

    scan(D(2026, 2, 16))
    Trajectory.objects.filter(pk=spi_trajectory.pk).update(counsellor=colleague)
    scan(D(2026, 2, 17))
    assert {t.responsible_id for t in Task.objects.filter(status="open")} == {colleague.pk}


def test_run_reminders_command_prints_the_counts(spi_trajectory, capsys):
    with at(D(2026, 2, 16)):
        call_command("run_reminders")
    out = capsys.readouterr().out
    assert "2 created, 0 closed, 0 cancelled" in out
    assert "no_contact: 1 created" in out


def test_a_handover_note_is_not_a_contact_with_the_client(
    spi_trajectory, spi_case, teamlead, colleague, counsellor, scan
):
    # Reassigned on 20/02/2026 with a handover note in the journal: the client has
    # still not been seen, so the no-contact task stays open (now the colleague's).
    scan(D(2026, 2, 20))
    with at(D(2026, 2, 20)):
        trajecten_services.trajectories_reassign(
            actor=teamlead,
            trajectory_ids=[spi_trajectory.pk],
            to_counsellor=colleague,
            note="Koen is met verlof; Camille neemt over.",
        )
    scan(D(2026, 2, 20))
    (task,) = tasks_of("no_contact")
    assert task.status == TaskStatus.OPEN
    assert task.due_date == D(2026, 2, 16)
    assert task.responsible == colleague


def test_a_handover_note_cannot_be_recorded_by_hand(spi_case, counsellor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        record_contact(counsellor, spi_case, D(2026, 2, 20), type=ContactType.HANDOVER)
    assert "handover note is written by a reassignment" in str(refused.value)
    assert not spi_case.contacts.exists()
