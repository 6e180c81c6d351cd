"""The SPI app's deadline rules on a fixed clock: the end of an art. 60 placement
without a next step, and the aftercare checkpoints. Before, on and after the due
date; closing by themselves when the fact is recorded through the SPI services;
cancelled with the trajectory; a second scan creates nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ocmw.models import ClosedReason, Task, TaskStatus
from spi import services as spi_services
from spi.models import Checkpoint, Enrolment, OutcomeType, PartnerKind, SpiSettings
from spi.selectors import art60_warning
from tests.reminders.conftest import at, tasks_of
from trajecten import services as trajecten_services
from trajecten.models import ClosingReason, Phase

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2026, 3, 1)
END = D(2026, 12, 31)
# Fewer than 60 days before 31/12/2026 from 02/11/2026 on (01/11: exactly 60).
LAST_QUIET_DAY, FIRST_WARNING_DAY = D(2026, 11, 1), D(2026, 11, 2)
WORK_START = D(2026, 6, 1)  # checkpoints due 01/07, 01/09 and 01/12/2026, 01/06/2027


@pytest.fixture
def measures(ocmw):
    return {m.code: m for m in spi_services.measure_catalogue_seed(ocmw=ocmw)}


@pytest.fixture
def zonnehof(teamlead):
    return spi_services.partner_create(
        actor=teamlead, data={"name": "WZC Zonnehof", "kind": PartnerKind.INTERNAL}
    )


@pytest.fixture
def placement(spi_trajectory, spi_case, counsellor, measures, zonnehof) -> Enrolment:
    """``spi_case`` in art. 60 at WZC Zonnehof from 01/03/2026 until 31/12/2026."""
    return enrol(counsellor, spi_case, measures["art60"], user_organisation=zonnehof)


def enrol(counsellor, client, measure, **data) -> Enrolment:
    with at(START):
        enrolment = spi_services.enrolment_create(
            actor=counsellor,
            client=client,
            data={
                "measure": measure,
                "start_date": START,
                "planned_end_date": END,
                "hours_per_week": Decimal("38"),
                "job_title": "logistiek assistent",
                **data,
            },
        )
        return spi_services.enrolment_start(actor=counsellor, enrolment=enrolment, on=START)


@pytest.fixture
def outcome(spi_trajectory, counsellor):
    """A start of work on 01/06/2026, recorded that day: four checkpoints planned."""
    with at(WORK_START):
        return spi_services.outcome_record(
            actor=counsellor,
            trajectory=spi_trajectory,
            data={
                "type": OutcomeType.REGULAR_JOB,
                "start_date": WORK_START,
                "employer": "Logistiek Noord BV",
                "contract_type": "open_ended",
            },
        )


def close(trajectory, teamlead, day):
    with at(day):
        trajecten_services.trajectory_transition(
            actor=teamlead,
            trajectory=trajectory,
            target=Phase.CLOSED,
            closing_reason=ClosingReason.MOVED,
        )


def record_checkpoint(counsellor, checkpoint, day):
    with at(day):
        return spi_services.checkpoint_record(
            actor=counsellor,
            checkpoint=checkpoint,
            data={
                "done_on": day,
                "contact_made": True,
                "still_employed": True,
                "same_employer": True,
            },
        )


# --- art. 60 placement ending without a next step ------------------------------------------


def test_art60_end_appears_on_the_day_the_file_warns_and_stays_one_task_after_the_end(
    placement, spi_case, counsellor, scan
):
    settings = SpiSettings.for_ocmw(spi_case.ocmw_id)
    scan(LAST_QUIET_DAY)
    assert tasks_of("art60_end") == []
    assert art60_warning(placement, LAST_QUIET_DAY, settings) is None

    scan(FIRST_WARNING_DAY)
    (task,) = tasks_of("art60_end")
    assert art60_warning(placement, FIRST_WARNING_DAY, settings) is not None
    assert task.due_date == END
    assert (task.subject_type, task.subject_id) == ("enrolment", placement.pk)
    assert (task.client_id, task.responsible) == (spi_case.pk, counsellor)
    assert task.status == TaskStatus.OPEN

    scan(END)  # on the due date
    scan(D(2027, 1, 15))  # after: the placement still runs, the task is overdue
    assert [(t.due_date, t.status) for t in tasks_of("art60_end")] == [(END, TaskStatus.OPEN)]


def test_art60_end_follows_the_ocmws_own_warning_period(placement, spi_case, scan):
    SpiSettings.objects.create(ocmw_id=spi_case.ocmw_id, art60_warning_days=90)
    scan(D(2026, 10, 2))  # 90 days left
    assert tasks_of("art60_end") == []
    scan(D(2026, 10, 3))  # 89 days left
    assert [t.due_date for t in tasks_of("art60_end")] == [END]


def test_art60_end_without_planned_end_is_due_on_the_maximum_end(
    spi_trajectory, spi_case, counsellor, measures, scan
):
    enrolment = enrol(counsellor, spi_case, measures["art60"], planned_end_date=None)
    assert enrolment.max_end_date == D(2028, 2, 29)  # 24 months (TWE)
    scan(D(2027, 12, 31))
    assert tasks_of("art60_end") == []
    scan(D(2028, 1, 1))
    assert [t.due_date for t in tasks_of("art60_end")] == [D(2028, 2, 29)]


def test_a_placement_with_its_next_step_or_another_measure_gets_no_task(
    spi_trajectory, spi_case, counsellor, measures, zonnehof, scan
):
    enrol(
        counsellor,
        spi_case,
        measures["art60"],
        user_organisation=zonnehof,
        next_step="IBO bij Logistiek Noord",
    )
    enrol(counsellor, spi_case, measures["vocational_training"])
    scan(D(2026, 12, 20))
    assert tasks_of("art60_end") == []


def test_recording_the_next_step_resolves_the_task(placement, counsellor, scan):
    scan(FIRST_WARNING_DAY)
    with at(D(2026, 11, 5)):
        spi_services.enrolment_update(
            actor=counsellor, enrolment=placement, data={"next_step": "Sollicitatietraining"}
        )
    result = scan(D(2026, 11, 5))
    (task,) = tasks_of("art60_end")
    assert (task.status, task.closed_reason) == (TaskStatus.DONE, ClosedReason.RESOLVED)
    assert result.per_kind["art60_end"] == {"created": 0, "closed": 1, "cancelled": 0}


@pytest.mark.parametrize("how", ["complete", "stop"])
def test_the_placement_ending_resolves_the_task(placement, counsellor, scan, how):
    scan(FIRST_WARNING_DAY)
    with at(D(2026, 11, 20)):
        if how == "complete":
            spi_services.enrolment_complete(actor=counsellor, enrolment=placement)
        else:
            spi_services.enrolment_stop(actor=counsellor, enrolment=placement, reason="Herval")
    scan(D(2026, 11, 20))
    (task,) = tasks_of("art60_end")
    assert (task.status, task.closed_reason) == (TaskStatus.DONE, ClosedReason.RESOLVED)


def test_closing_the_trajectory_cancels_the_art60_task(placement, spi_trajectory, teamlead, scan):
    scan(FIRST_WARNING_DAY)
    close(spi_trajectory, teamlead, D(2026, 11, 10))
    scan(D(2026, 11, 10))
    (task,) = tasks_of("art60_end")
    assert (task.status, task.closed_reason) == (TaskStatus.CANCELLED, ClosedReason.CANCELLED)


def test_art60_end_goes_to_the_counsellor_of_the_open_trajectory(
    placement, spi_trajectory, colleague, scan
):
    from trajecten.models import Trajectory

    Trajectory.objects.filter(pk=spi_trajectory.pk).update(counsellor=colleague)
    scan(FIRST_WARNING_DAY)
    (task,) = tasks_of("art60_end")
    assert task.responsible == colleague


def test_a_second_art60_scan_creates_nothing(placement, scan):
    first = scan(FIRST_WARNING_DAY)
    second = scan(FIRST_WARNING_DAY)
    assert first.per_kind["art60_end"]["created"] == 1
    assert second.per_kind["art60_end"] == {"created": 0, "closed": 0, "cancelled": 0}
    assert Task.objects.filter(kind="art60_end").count() == 1


# --- aftercare checkpoints --------------------------------------------------------------


def test_a_checkpoint_task_appears_a_week_before_and_stays_open_after_the_due_date(
    outcome, spi_case, counsellor, scan
):
    first = Checkpoint.objects.get(outcome=outcome, months=1)
    scan(D(2026, 6, 23))
    assert tasks_of("aftercare_checkpoint") == []
    scan(D(2026, 6, 24))
    (task,) = tasks_of("aftercare_checkpoint")
    assert task.due_date == first.due_date == D(2026, 7, 1)
    assert (task.subject_type, task.subject_id) == ("checkpoint", first.pk)
    assert (task.client_id, task.responsible) == (spi_case.pk, counsellor)
    scan(D(2026, 7, 1))  # on
    scan(D(2026, 7, 20))  # after
    assert [(t.subject_id, t.status) for t in tasks_of("aftercare_checkpoint")] == [
        (first.pk, TaskStatus.OPEN)
    ]


def test_recording_the_checkpoint_resolves_its_task_and_the_next_one_follows(
    outcome, counsellor, scan
):
    first = Checkpoint.objects.get(outcome=outcome, months=1)
    scan(D(2026, 7, 1))
    record_checkpoint(counsellor, first, D(2026, 7, 2))
    result = scan(D(2026, 7, 2))
    (task,) = tasks_of("aftercare_checkpoint")
    assert (task.status, task.closed_reason) == (TaskStatus.DONE, ClosedReason.RESOLVED)
    assert result.per_kind["aftercare_checkpoint"]["closed"] == 1

    scan(D(2026, 8, 25))  # a week before +3 months
    third = Checkpoint.objects.get(outcome=outcome, months=3)
    assert [
        (t.subject_id, t.due_date) for t in tasks_of("aftercare_checkpoint", status="open")
    ] == [(third.pk, D(2026, 9, 1))]


def test_the_ocmws_own_checkpoint_months(spi_trajectory, spi_case, counsellor, scan):
    SpiSettings.objects.create(ocmw_id=spi_case.ocmw_id, aftercare_months=[2])
    with at(WORK_START):
        spi_services.outcome_record(
            actor=counsellor,
            trajectory=spi_trajectory,
            data={"type": OutcomeType.TEMP_WORK, "start_date": WORK_START},
        )
    scan(D(2026, 12, 31))
    assert [t.due_date for t in tasks_of("aftercare_checkpoint")] == [D(2026, 8, 1)]


def test_a_destination_that_is_not_work_has_no_checkpoints(spi_trajectory, counsellor, scan):
    with at(WORK_START):
        spi_services.outcome_record(
            actor=counsellor,
            trajectory=spi_trajectory,
            data={"type": OutcomeType.TRAINING, "start_date": WORK_START},
        )
    scan(D(2027, 7, 1))
    assert tasks_of("aftercare_checkpoint") == []


def test_closing_the_trajectory_cancels_the_checkpoint_tasks_and_makes_no_new_ones(
    outcome, spi_trajectory, teamlead, scan
):
    scan(D(2026, 7, 1))
    close(spi_trajectory, teamlead, D(2026, 7, 5))
    result = scan(D(2026, 7, 5))
    (task,) = tasks_of("aftercare_checkpoint")
    assert (task.status, task.closed_reason) == (TaskStatus.CANCELLED, ClosedReason.CANCELLED)
    assert result.per_kind["aftercare_checkpoint"]["cancelled"] == 1
    scan(D(2027, 7, 1))  # the later checkpoints of the closed trajectory
    assert len(tasks_of("aftercare_checkpoint")) == 1


def test_a_second_checkpoint_scan_creates_nothing(outcome, scan):
    first = scan(D(2026, 12, 1))  # +1, +3 and +6 months due by now
    second = scan(D(2026, 12, 1))
    assert first.per_kind["aftercare_checkpoint"]["created"] == 3
    assert second.per_kind["aftercare_checkpoint"] == {"created": 0, "closed": 0, "cancelled": 0}
    assert Task.objects.filter(kind="aftercare_checkpoint").count() == 3
