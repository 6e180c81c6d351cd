"""Fixtures of the reminders tests: trajectories opened on a known day, a clock
helper, and ``scan(day)`` running the scan as on that day."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from ocmw import insz
from ocmw.models import Task
from ocmw.reminders import run_scan
from tests.factories import ClientFactory
from trajecten import services as trajecten_services
from trajecten.models import Phase

OPENED = datetime.date(2026, 1, 5)


def at(day: datetime.date):
    """A fixed clock at 10:00 on ``day`` (Brussels time)."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0)), tick=False)


@pytest.fixture
def scan():
    def _scan(day: datetime.date):
        with at(day):
            return run_scan()

    return _scan


@pytest.fixture
def open_trajectory(spi_team):
    """``open_trajectory(client, counsellor, on=OPENED)``: an open trajectory opened that day."""

    def _open(client, counsellor, on: datetime.date = OPENED):
        with at(on):
            return trajecten_services.trajectory_open(
                actor=counsellor,
                client=client,
                counsellor=counsellor,
                team=spi_team,
                phase=Phase.SCREENING,
            )

    return _open


@pytest.fixture
def spi_trajectory(open_trajectory, spi_case, counsellor):
    """``spi_case`` (counsellor's client) with a trajectory opened on 05/01/2026."""
    return open_trajectory(spi_case, counsellor)


@pytest.fixture
def colleague_case(colleague):
    born = datetime.date(1990, 5, 17)
    return ClientFactory(
        responsible_social_worker=colleague,
        first_name="Nora",
        last_name="Collega",
        birth_date=born,
        insz=insz.build(born, 45),
        leefloon_decision_date=datetime.date(2025, 12, 1),
    )


@pytest.fixture
def colleague_trajectory(open_trajectory, colleague_case, colleague):
    return open_trajectory(colleague_case, colleague)


def tasks_of(kind: str, **filters):
    return list(Task.objects.filter(kind=kind, **filters).order_by("due_date", "id"))


def record_contact(actor, client, day: datetime.date, type: str = "interview"):
    with at(day):
        return trajecten_services.contact_record(
            actor=actor,
            client=client,
            data={"date": day, "type": type, "duration_minutes": 30, "summary": "Gesprek"},
        )
