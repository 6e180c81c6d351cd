"""Fixtures of the GPMI tests: a client's trajectory, its needs analysis, a GPMI
and helpers that draft, present and sign versions through ``gpmi.services``.

Shared by several test modules (lifecycle, rules, ESR, statistics, PDF): add
fixtures, do not change the meaning of existing ones.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from gpmi import services as gpmi_services
from gpmi.models import GpmiType, GpmiVersion
from trajecten import services as trajecten_services
from trajecten.models import Phase


def gpmi_version_data(**fields) -> dict:
    """Complete, valid contents of a contract version (override what a test needs)."""
    data = {
        "language": "nl",
        "objectives": ["Een opleiding logistiek volgen", "Nederlands op niveau B1"],
        "commitments_client": ["Elke les bijwonen", "Afwezigheid vooraf melden"],
        "commitments_ocmw": ["Inschrijvingsgeld betalen", "Maandelijks gesprek"],
        "commitments_third_parties": [{"party": "VDAB", "commitment": "Opleiding aanbieden"}],
        "activity_domains": ["Opleiding", "Taal"],
        "start_date": datetime.date(2026, 3, 1),
        "end_date": datetime.date(2027, 2, 28),
        "deadlines": "Opleiding gestart vóór 1 mei.",
        "evaluations_per_year": 3,
        "evaluations_in_person": 2,
        "evaluation_arrangements": "Drie evaluatiegesprekken per jaar.",
        "extra_aid": "",
        "covers_other": "",
        "partners": ["VDAB"],
        "assisting_person": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def gpmi_trajectory(counsellor, spi_case, spi_team):
    """The open trajectory of ``spi_case`` with ``counsellor`` (SPI team)."""
    return trajecten_services.trajectory_open(
        actor=counsellor,
        client=spi_case,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.SCREENING,
    )


@pytest.fixture
def gpmi_needs_analysis(counsellor, spi_case, gpmi_trajectory):
    return trajecten_services.needs_analysis_record(
        actor=counsellor,
        client=spi_case,
        data={
            "date": datetime.date(2025, 11, 20),
            "own_project": "Magazijnier worden",
            "domains": {"material": {"situation": "Schulden", "needs": "", "support_needed": True}},
        },
    )


@pytest.fixture
def gpmi_contract(counsellor, gpmi_trajectory):
    """A general GPMI (type 11) of ``spi_case``; leefloon decision 03/11/2025."""
    return gpmi_services.gpmi_create(
        actor=counsellor, trajectory=gpmi_trajectory, type=GpmiType.GENERAL
    )


@pytest.fixture
def gpmi_draft(counsellor, gpmi_contract):
    """Version 1 of ``gpmi_contract``, a draft running 01/03/2026–28/02/2027."""
    return gpmi_services.version_create(
        actor=counsellor, gpmi=gpmi_contract, data=gpmi_version_data()
    )


@pytest.fixture
def gpmi_sign(counsellor):
    """``gpmi_sign(version, on)``: every party signs on ``on`` (needs today ≥ ``on``)."""

    def _sign(version: GpmiVersion, on: datetime.date, *, actor=None, **extra) -> GpmiVersion:
        return gpmi_services.version_sign(
            actor=actor or counsellor,
            version=version,
            ocmw_signatory_name="Marc Voorzitter",
            ocmw_signatory_capacity="Voorzitter",
            client_signed_on=on,
            ocmw_signed_on=on,
            counsellor_signed_on=on,
            **extra,
        )

    return _sign


@pytest.fixture(autouse=True)
def _gpmi_media_in_tmp(settings, tmp_path):
    """Signed contract PDFs are stored under a per-test MEDIA_ROOT, not the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def gpmi_signed(counsellor, gpmi_draft, gpmi_needs_analysis, gpmi_sign):
    """``gpmi_draft`` presented on 02/03/2026 and signed by everyone on 09/03/2026
    (clock at 10/03/2026): the running version 1, its PDF stored."""
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0), tick=False):
        presented = gpmi_services.version_present(
            actor=counsellor, version=gpmi_draft, on=datetime.date(2026, 3, 2)
        )
        return gpmi_sign(presented, datetime.date(2026, 3, 9))
