"""SPI fixtures on top of the personas of ``tests/conftest.py``.

The main file is ``spi_case``, followed by ``counsellor`` (SPI team), with an
open trajectory in phase 4 (work experience): ``counsellor`` and ``teamlead``
change its activities; ``colleague`` (same team) reads them only; ``intake``,
``socialworker``, ``sw_colleague``, ``other_team``, ``admin`` and ``outsider``
do not see them.

Everything is made through the services, as pages and API do. Tests that depend
on the date use ``clock`` (a fixed Monday 4 May 2026, 10:00 in Brussels); it is
not autouse, so other test modules of this folder keep the real date.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from spi import services
from spi.models import Enrolment, GroupSession, Measure, Partner, PartnerKind
from trajecten import services as trajecten_services
from trajecten.models import Phase, Trajectory

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=BRUSSELS)
TODAY = NOW.date()


def day(text: str) -> datetime.date:
    """``day("30/06/2027")``: dates as the people who use the system write them."""
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


@pytest.fixture
def clock():
    """Monday 4 May 2026, 10:00 in Brussels, standing still."""
    with time_machine.travel(NOW, tick=False):
        yield TODAY


@pytest.fixture
def english():
    """Messages in their English source text, whatever the catalogues translate."""
    with translation.override("en"):
        yield


@pytest.fixture
def measures(ocmw) -> dict[str, Measure]:
    return {m.code: m for m in services.measure_catalogue_seed(ocmw=ocmw)}


@pytest.fixture
def foreign_measures(other_ocmw) -> dict[str, Measure]:
    return {m.code: m for m in services.measure_catalogue_seed(ocmw=other_ocmw)}


@pytest.fixture
def zonnehof(teamlead) -> Partner:
    """An internal service of the OCMW: the care home, with its art. 60 mentor."""
    partner = services.partner_create(
        actor=teamlead,
        data={"name": "WZC Zonnehof", "kind": PartnerKind.INTERNAL, "sector": "Zorg"},
    )
    services.contact_person_create(
        actor=teamlead, partner=partner, data={"name": "Greet Van Hove", "role": "Mentor"}
    )
    return partner


@pytest.fixture
def employer(teamlead) -> Partner:
    return services.partner_create(
        actor=teamlead, data={"name": "Logistiek Noord BV", "kind": PartnerKind.EMPLOYER}
    )


@pytest.fixture
def foreign_partner(outsider) -> Partner:
    return services.partner_create(
        actor=outsider, data={"name": "WZC De Linde", "kind": PartnerKind.INTERNAL}
    )


@pytest.fixture
def spi_trajectory(counsellor, spi_case, spi_team) -> Trajectory:
    """The open trajectory of ``spi_case`` with ``counsellor``, in work experience."""
    return trajecten_services.trajectory_open(
        actor=counsellor,
        client=spi_case,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.WORK_EXPERIENCE,
    )


def art60_data(measures, user_organisation, **fields) -> dict:
    """An art. 60 placement at ``user_organisation`` (override what a test needs)."""
    data = {
        "measure": measures["art60"],
        "user_organisation": user_organisation,
        "job_title": "logistiek assistent",
        "sector": "Zorg",
        "start_date": day("01/03/2026"),
        "planned_end_date": day("31/12/2026"),
        "hours_per_week": Decimal("38"),
        "costs_covered": "Werkkledij",
    }
    data.update(fields)
    return data


@pytest.fixture
def enrol(counsellor, measures, spi_case, spi_trajectory):
    """``enrol(code, start, client=spi_case, run=False, **data)``: an enrolment of
    ``counsellor``'s client; ``run=True`` starts it on its start date."""

    def _enrol(
        code: str, start: datetime.date, *, client=None, run: bool = False, **data
    ) -> Enrolment:
        enrolment = services.enrolment_create(
            actor=counsellor,
            client=client or spi_case,
            data={"measure": measures[code], "start_date": start, **data},
        )
        if run:
            enrolment = services.enrolment_start(actor=counsellor, enrolment=enrolment, on=start)
        return enrolment

    return _enrol


@pytest.fixture
def running_art60(clock, enrol, measures, zonnehof) -> Enrolment:
    """``spi_case`` in art. 60 at WZC Zonnehof since 01/03/2026, until 31/12/2026."""
    data = art60_data(measures, zonnehof)
    del data["measure"]
    return enrol("art60", data.pop("start_date"), run=True, **data)


@pytest.fixture
def session_with(counsellor):
    """``session_with(clients, on=...)``: a job table of ``counsellor`` with these participants."""

    def _session(clients, on: datetime.date | None = None, minutes: int = 150) -> GroupSession:
        return services.group_session_create(
            actor=counsellor,
            data={
                "title": "Jobtafel",
                "date": on or datetime.date(2026, 4, 28),
                "start_time": datetime.time(9, 30),
                "duration_minutes": minutes,
                "place": "Zaal 2",
            },
            participants=clients,
        )

    return _session
