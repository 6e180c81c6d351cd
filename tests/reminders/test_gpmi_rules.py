"""The GPMI's deadline rules on a fixed clock. ``spi_case`` had its leefloon
decision on 03/11/2025, so its GPMI must be concluded by 03/02/2026."""

from __future__ import annotations

import datetime

import pytest

from gpmi import services as gpmi_services
from gpmi.models import GpmiType
from ocmw.models import ClosedReason, TaskStatus
from tests.gpmi.conftest import gpmi_version_data
from tests.reminders.conftest import at, tasks_of
from trajecten import services as trajecten_services

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def early_trajectory(open_trajectory, spi_case, counsellor):
    return open_trajectory(spi_case, counsellor, on=D(2025, 11, 10))


@pytest.fixture
def gpmi(early_trajectory, counsellor):
    with at(D(2025, 11, 10)):
        return gpmi_services.gpmi_create(
            actor=counsellor, trajectory=early_trajectory, type=GpmiType.GENERAL
        )


@pytest.fixture
def presented(gpmi, counsellor, spi_case, settings, tmp_path):
    """Version 1 presented on 20/02/2026: the client may sign from 25/02."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with at(D(2026, 2, 20)):
        trajecten_services.needs_analysis_record(
            actor=counsellor, client=spi_case, data={"own_project": "Magazijnier"}
        )
        version = gpmi_services.version_create(
            actor=counsellor, gpmi=gpmi, data=gpmi_version_data()
        )
        return gpmi_services.version_present(actor=counsellor, version=version, on=D(2026, 2, 20))


def sign(version, counsellor, on):
    with at(on):
        return gpmi_services.version_sign(
            actor=counsellor,
            version=version,
            ocmw_signatory_name="Marc Voorzitter",
            ocmw_signatory_capacity="Voorzitter",
            client_signed_on=on,
            ocmw_signed_on=on,
            counsellor_signed_on=on,
        )


def test_gpmi_to_conclude_shows_a_month_before_the_legal_deadline(gpmi, counsellor, scan):
    scan(D(2025, 12, 20))
    assert tasks_of("gpmi_to_conclude") == []
    scan(D(2026, 1, 4))
    scan(D(2026, 2, 3))
    scan(D(2026, 2, 20))
    (task,) = tasks_of("gpmi_to_conclude")
    assert task.due_date == D(2026, 2, 3)
    assert (task.subject_type, task.subject_id) == ("gpmi", gpmi.pk)
    assert task.responsible == counsellor
    assert task.status == TaskStatus.OPEN


def test_an_exemption_has_no_gpmi_to_conclude(early_trajectory, counsellor, scan):
    with at(D(2025, 11, 10)):
        gpmi_services.gpmi_create(
            actor=counsellor,
            trajectory=early_trajectory,
            type=GpmiType.EXEMPTION,
            exemption_reason="Medische redenen",
        )
    scan(D(2026, 2, 3))
    assert tasks_of("gpmi_to_conclude") == []


def test_reflection_period_task_on_its_last_day_and_signing_closes_both(
    presented, counsellor, scan
):
    scan(D(2026, 2, 24))
    assert tasks_of("gpmi_reflection_end") == []
    scan(D(2026, 2, 25))
    (reflection,) = tasks_of("gpmi_reflection_end")
    assert reflection.due_date == D(2026, 2, 25)
    assert (reflection.subject_type, reflection.subject_id) == ("gpmi_version", presented.pk)
    assert tasks_of("gpmi_to_conclude", status="open")

    sign(presented, counsellor, D(2026, 2, 26))
    scan(D(2026, 2, 26))
    for kind in ("gpmi_reflection_end", "gpmi_to_conclude"):
        (task,) = tasks_of(kind)
        assert (task.status, task.closed_reason) == (TaskStatus.DONE, ClosedReason.RESOLVED)


def test_withdrawing_the_presented_version_cancels_the_reflection_task(presented, counsellor, scan):
    scan(D(2026, 2, 25))
    with at(D(2026, 2, 26)):
        gpmi_services.version_withdraw(actor=counsellor, version=presented, reason="Fout")
    scan(D(2026, 2, 26))
    (task,) = tasks_of("gpmi_reflection_end")
    assert (task.status, task.closed_reason) == (TaskStatus.CANCELLED, ClosedReason.CANCELLED)


def test_running_gpmi_evaluation_every_four_months(presented, counsellor, early_trajectory, scan):
    running = sign(presented, counsellor, D(2026, 3, 2))  # starts 01/03/2026: running at once
    assert running.status == "active"
    scan(D(2026, 6, 20))
    assert tasks_of("gpmi_evaluation") == []
    scan(D(2026, 7, 1))
    scan(D(2026, 7, 10))
    (task,) = tasks_of("gpmi_evaluation")
    assert task.due_date == D(2026, 7, 1)
    assert (task.subject_type, task.subject_id) == ("gpmi_version", running.pk)

    with at(D(2026, 7, 10)):
        trajecten_services.evaluation_record(
            actor=counsellor,
            trajectory=early_trajectory,
            data={"date": D(2026, 7, 10), "conclusion": "Opleiding loopt", "in_person": True},
        )
    scan(D(2026, 7, 10))
    assert tasks_of("gpmi_evaluation")[0].status == TaskStatus.DONE
    # The next one is due four months after this evaluation.
    scan(D(2026, 11, 10))
    assert [t.due_date for t in tasks_of("gpmi_evaluation", status="open")] == [D(2026, 11, 10)]
