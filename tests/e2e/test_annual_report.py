"""The team lead reads this year's annual report in Dutch and French, downloads its
PDF, and opens the staff time report behind its last section.

Real clock: everything is dated earlier this year (from 1 January on), so the live
server's own "today" needs no moving.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from gpmi import services as gpmi_services
from gpmi.models import GpmiType
from spi import services as spi_services
from tests.e2e.conftest import login
from tests.factories import PERSONA_PASSWORD, ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services
from trajecten.models import ContactType, Phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def year_of_work(settings, tmp_path, ocmw, counsellor, colleague, teamlead, spi_team):
    """Three trajectories of ``counsellor``, one GPMI, an art. 60 placement, a start
    of work, contact time; all on 1 January of this year."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    first = datetime.date(today.year, 1, 1)
    measures = {m.code: m for m in spi_services.measure_catalogue_seed(ocmw=ocmw)}
    trajectories = []
    for phase in (Phase.SCREENING, Phase.WORK_EXPERIENCE, Phase.JOB_PLACEMENT):
        client = ClientFactory(responsible_social_worker=counsellor)
        trajectories.append(
            trajecten_services.trajectory_open(
                actor=counsellor, client=client, counsellor=counsellor, team=spi_team, phase=phase
            )
        )
        trajecten_services.needs_analysis_record(
            actor=counsellor, client=client, data={"own_project": "Werk vinden"}
        )
        trajecten_services.contact_record(
            actor=counsellor,
            client=client,
            data={
                "date": first,
                "type": ContactType.INTERVIEW,
                "duration_minutes": 45,
                "summary": "Gesprek",
            },
        )
    gpmi = gpmi_services.gpmi_create(
        actor=counsellor,
        trajectory=trajectories[0],
        type=GpmiType.GENERAL,
        leefloon_decision_date=first,
    )
    version = gpmi_services.version_create(
        actor=counsellor,
        gpmi=gpmi,
        data=gpmi_version_data(start_date=first, end_date=first + datetime.timedelta(days=364)),
    )
    gpmi_services.version_present(actor=counsellor, version=version, on=first)
    gpmi_services.version_sign(
        actor=counsellor,
        version=version,
        ocmw_signatory_name="Marc Voorzitter",
        ocmw_signatory_capacity="Voorzitter",
        client_signed_on=first,
        ocmw_signed_on=first,
        counsellor_signed_on=first,
        reflection_waived=True,
        reflection_waiver_note="Uitdrukkelijk afgezien",
    )
    spi_services.enrolment_create(
        actor=counsellor,
        client=trajectories[1].client,
        data={"measure": measures["art60"], "start_date": first, "status": "running"},
    )
    spi_services.outcome_record(
        actor=counsellor,
        trajectory=trajectories[2],
        data={"type": "regular_job", "start_date": first, "employer": "Logistiek Noord"},
    )
    return today.year


def test_the_team_lead_reads_the_annual_report_in_dutch_and_french(
    page, live_server, year_of_work, teamlead, shot, axe_check
):
    year = year_of_work
    login(page, live_server, "teamlead", PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/report/annual/?year={year}")

    assert page.locator("h1").inner_text() == f"Jaarverslag {year}"
    for key in ("trajectories", "gpmi", "measures", "outcomes", "staff_time"):
        assert page.locator(f"#section-{key}").is_visible(), key
    phases = page.locator("#table-trajectories-1").inner_text()
    assert "Alle fasen" in phases or "All phases" in phases
    assert "Koen De Backer" in page.locator("#section-staff_time").inner_text()
    axe_check(page)
    shot(page, "annual-report-nl")

    with page.expect_download() as download_info:
        page.click("#report-pdf")
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == f"Rapport annuel {year}"
    axe_check(page)
    shot(page, "annual-report-fr")

    page.goto(f"{live_server.url}/gpmi/staff-time/")
    assert "Koen De Backer" in page.locator("#staff-time-months").inner_text()
    axe_check(page)
    shot(page, "staff-time-fr")
