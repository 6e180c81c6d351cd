"""Trajectory fixtures on top of the personas of ``tests/conftest.py``.

The main file is ``case``: a leefloon client whose responsible social worker is
``socialworker`` (general team), with a trajectory in the SPI team
``Trajectbegeleiding`` guided by ``counsellor``. So:

- ``counsellor`` (assigned) and ``teamlead`` (leads the SPI team) may move it;
- ``socialworker`` and ``sw_colleague`` (general team) and ``colleague`` (SPI
  team) read it but may not move it;
- ``intake`` (identity only), ``other_team`` (youth cell), ``admin`` (no team)
  and ``outsider`` (another OCMW) do not see it at all.

Everything is made through the services, exactly as the pages and the API do.
"""

from __future__ import annotations

import datetime

import pytest

from ocmw import insz, services
from ocmw.models import Role, User
from spi import services as spi_services
from tests.factories import PERSONA_PASSWORD, ClientFactory
from trajecten import services as trajectory_services
from trajecten.models import (
    PHASES,
    ClosingReason,
    Phase,
    ReadinessItem,
    Trajectory,
)


def full_checklist(status: str = "ok") -> dict:
    return {item: {"status": status, "note": ""} for item in ReadinessItem.values}


@pytest.fixture
def youth_lead(ocmw, youth_team) -> User:
    """A team lead of the youth cell only: not of the trajectory's team."""
    return services.staff_ensure(
        ocmw=ocmw,
        username="youth_lead",
        first_name="Yana",
        last_name="Leider",
        roles=[Role.TEAM_LEAD],
        teams=[youth_team],
        password=PERSONA_PASSWORD,
    )


@pytest.fixture
def case2(socialworker):
    """A second client of ``socialworker``, not yet referred."""
    born = datetime.date(1991, 6, 21)
    return ClientFactory(
        responsible_social_worker=socialworker,
        first_name="Bram",
        last_name="Peeters",
        birth_date=born,
        insz=insz.build(born, 71),
    )


@pytest.fixture
def make_trajectory(teamlead, counsellor, spi_team):
    """``make_trajectory(phase, client=..., closed=False)``: an open (or closed) trajectory.

    Opened by the team lead for ``counsellor`` in ``spi_team``. ``closed=True``
    opens it in ``phase`` and then closes it, so its history is realistic.
    """

    def _make(phase: str = Phase.SCREENING, *, client, closed: bool = False) -> Trajectory:
        opened_in = phase if phase in PHASES else Phase.SCREENING
        trajectory = trajectory_services.trajectory_open(
            actor=teamlead, client=client, counsellor=counsellor, team=spi_team, phase=opened_in
        )
        if closed or phase == Phase.CLOSED:
            trajectory = trajectory_services.trajectory_transition(
                actor=teamlead,
                trajectory=trajectory,
                target=Phase.CLOSED,
                closing_reason=ClosingReason.MOVED,
            )
        return Trajectory.objects.get(pk=trajectory.pk)

    return _make


@pytest.fixture
def trajectory(make_trajectory, case) -> Trajectory:
    """``case`` in phase 2 (screening) with ``counsellor``; no needs analysis yet."""
    return make_trajectory(Phase.SCREENING, client=case)


@pytest.fixture
def needs_analysis(case, socialworker):
    return trajectory_services.needs_analysis_record(
        actor=socialworker,
        client=case,
        data={"own_project": "Werken in een keuken", "domains": {"material": {"situation": "ok"}}},
    )


@pytest.fixture
def satisfy_gates(needs_analysis, teamlead):
    """``satisfy_gates(trajectory)``: a needs analysis on file and an outcome recorded
    (outcomes belong to the SPI app since it replaced the interim trajectory outcome)."""

    def _satisfy(trajectory: Trajectory) -> Trajectory:
        spi_services.outcome_record(
            actor=teamlead,
            trajectory=trajectory,
            data={"type": "regular_job", "start_date": datetime.date(2026, 1, 5)},
        )
        return trajectory

    return _satisfy
