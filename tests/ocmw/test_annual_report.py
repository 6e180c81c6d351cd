"""The annual report (``/report/annual/?year=``): every section's figures on a small
hand-built data set, who sees which teams, year validation, the XLSX and PDF exports.

Clock: 15/01/2027, so 2026 is a complete year (figures on 31/12/2026). The SPI team
("Trajectbegeleiding", led by ``teamlead``) holds four trajectories of
``counsellor``; the youth cell one of ``other_team``:

== ===================================================== ======================================
T  trajectory                                            also
== ===================================================== ======================================
1  opened 01/11/2025 in screening; social activation     GPMI signed 01/03/2026 (running);
   from 01/03/2026                                       training 01/02–31/03/2026 (59 days);
                                                         Dutch course 01/10/2025–31/01/2026
                                                         (31 days in 2026); 60 min on 10/03
2  opened 01/02/2026 in preconditions; closed            outcome: training 15/05/2026; job
   01/06/2026 (moved)                                    club planned only; 30 min on 31/03
3  opened 01/10/2025, closed 15/12/2025 (unreachable)    nothing in 2026
4  opened 01/05/2026 in work experience                  art. 60 from 01/05/2026, running
                                                         (245 days in 2026); regular job from
                                                         01/06/2026: +3 still employed, +6 not
5  youth cell: opened 01/03/2026 in screening            workshop from 01/03/2026 (running)
== ===================================================== ======================================
"""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from openpyxl import load_workbook

from gpmi import services as gpmi_services
from gpmi.models import GpmiType
from ocmw import registries, selectors
from ocmw.models import AccessLog, Role
from spi import services as spi_services
from spi.models import Checkpoint
from tests.conftest import _staff
from tests.factories import ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services
from trajecten.models import ClosingReason, ContactType, Phase

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/report/annual/"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0), tick=False)


@pytest.fixture(autouse=True)
def clock():
    with at(D(2027, 1, 15)):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def youth_lead(ocmw, youth_team):
    """The team lead of the youth cell only (another team's lead)."""
    return _staff(ocmw, "youth_lead", "Yana", "Leider", [Role.TEAM_LEAD], [youth_team])


def opened(actor, counsellor, team, phase, on, *, client=None):
    client = client or ClientFactory(responsible_social_worker=counsellor)
    with at(on):
        trajectory = trajecten_services.trajectory_open(
            actor=actor, client=client, counsellor=counsellor, team=team, phase=phase
        )
        trajecten_services.needs_analysis_record(
            actor=counsellor, client=client, data={"own_project": "Werk vinden"}
        )
    return trajectory


def move(actor, trajectory, target, on, **extra):
    with at(on):
        return trajecten_services.trajectory_transition(
            actor=actor, trajectory=trajectory, target=target, **extra
        )


def enrol(actor, client, measure, start, *, complete=None, run=True):
    with at(max(start, D(2025, 1, 1))):
        enrolment = spi_services.enrolment_create(
            actor=actor, client=client, data={"measure": measure, "start_date": start}
        )
        if run:
            enrolment = spi_services.enrolment_start(actor=actor, enrolment=enrolment, on=start)
    if complete:
        with at(complete):
            enrolment = spi_services.enrolment_complete(
                actor=actor, enrolment=enrolment, on=complete
            )
    return enrolment


def contact(actor, client, day, minutes):
    trajecten_services.contact_record(
        actor=actor,
        client=client,
        data={"date": day, "type": ContactType.INTERVIEW, "duration_minutes": minutes}
        | {"summary": "Gesprek"},
    )


@pytest.fixture
def dataset(counsellor, colleague, other_team, teamlead, spi_team, youth_team, ocmw, outsider):
    measures = {m.code: m for m in spi_services.measure_catalogue_seed(ocmw=ocmw)}
    k = counsellor
    t1 = opened(k, k, spi_team, Phase.SCREENING, D(2025, 11, 1))
    move(k, t1, Phase.SOCIAL_ACTIVATION, D(2026, 3, 1))
    t2 = opened(k, k, spi_team, Phase.PRECONDITIONS, D(2026, 2, 1))
    t3 = opened(k, k, spi_team, Phase.WORK_EXPERIENCE, D(2025, 10, 1))
    move(k, t3, Phase.CLOSED, D(2025, 12, 15), closing_reason=ClosingReason.UNREACHABLE)
    t4 = opened(k, k, spi_team, Phase.WORK_EXPERIENCE, D(2026, 5, 1))
    t5 = opened(other_team, other_team, youth_team, Phase.SCREENING, D(2026, 3, 1))

    # GPMI of T1, signed and running from 01/03/2026.
    with at(D(2026, 1, 10)):
        gpmi = gpmi_services.gpmi_create(
            actor=k, trajectory=t1, type=GpmiType.GENERAL, leefloon_decision_date=D(2026, 1, 5)
        )
        version = gpmi_services.version_create(
            actor=k,
            gpmi=gpmi,
            data=gpmi_version_data(start_date=D(2026, 3, 1), end_date=D(2027, 2, 28)),
        )
    with at(D(2026, 3, 1)):
        gpmi_services.version_present(actor=k, version=version, on=D(2026, 2, 20))
        gpmi_services.version_sign(
            actor=k,
            version=version,
            ocmw_signatory_name="Marc Voorzitter",
            ocmw_signatory_capacity="Voorzitter",
            client_signed_on=D(2026, 3, 1),
            ocmw_signed_on=D(2026, 3, 1),
            counsellor_signed_on=D(2026, 3, 1),
        )

    # Measures.
    enrol(k, t1.client, measures["vocational_training"], D(2026, 2, 1), complete=D(2026, 3, 31))
    enrol(k, t1.client, measures["language_nl"], D(2025, 10, 1), complete=D(2026, 1, 31))
    with at(D(2026, 3, 1)):
        enrol(k, t2.client, measures["job_club"], D(2026, 9, 1), run=False)
    enrol(k, t4.client, measures["art60"], D(2026, 5, 1))
    enrol(other_team, t5.client, measures["workshop"], D(2026, 3, 1))
    move(k, t2, Phase.CLOSED, D(2026, 6, 1), closing_reason=ClosingReason.MOVED)

    # Outcomes and aftercare.
    with at(D(2026, 6, 1)):
        job = spi_services.outcome_record(
            actor=k,
            trajectory=t4,
            data={"type": "regular_job", "start_date": D(2026, 6, 1), "employer": "Logistiek"},
        )
        spi_services.outcome_record(
            actor=k, trajectory=t2, data={"type": "training", "start_date": D(2026, 5, 15)}
        )
    checkpoints = {c.months: c for c in Checkpoint.objects.filter(outcome=job)}
    with at(D(2026, 9, 5)):
        spi_services.checkpoint_record(
            actor=k,
            checkpoint=checkpoints[3],
            data={"done_on": D(2026, 9, 5), "contact_made": True, "still_employed": True},
        )
    with at(D(2026, 12, 2)):
        spi_services.checkpoint_record(
            actor=k,
            checkpoint=checkpoints[6],
            data={"done_on": D(2026, 12, 2), "contact_made": True, "still_employed": False},
        )

    # Staff time.
    contact(k, t1.client, D(2026, 3, 10), 60)
    contact(k, t2.client, D(2026, 3, 31), 30)
    return {"t1": t1, "t4": t4, "t5": t5}


def sections_for(user, year=2026) -> dict:
    teams = list(selectors.annual_report_teams(user=user))
    found = selectors.annual_report(user=user, year=year, teams=teams)
    return {section.key: section for section in found}


def table(section, caption: str) -> dict:
    """The rows of a section's table, keyed by their first cell."""
    for candidate in section.tables:
        if candidate.caption == caption:
            return {str(row[0]): list(row[1:]) for row in candidate.rows}
    raise AssertionError(f"no table {caption!r} in {[t.caption for t in section.tables]}")


# --- each section's figures -----------------------------------------------------------------


def test_the_sections_come_from_every_app_in_order(dataset, teamlead):
    assert list(sections_for(teamlead)) == [
        "trajectories",
        "gpmi",
        "gpmi_breakdowns",
        "measures",
        "outcomes",
        "staff_time",
    ]
    assert len(registries.report_sections) >= 3


def test_clients_in_trajectory_per_phase(dataset, teamlead):
    section = sections_for(teamlead)["trajectories"]
    phases = table(section, "Clients in trajectory per phase")
    assert section.tables[0].headers == ["Phase", "During the year", "On 31/12/2026"]
    assert phases == {
        "1. Preconditions": [1, 0],
        "2. Counselling and screening": [1, 0],
        "3. Social activation": [1, 1],
        "4. Work experience and training": [1, 1],
        "5. Professional activation": [0, 0],
        "6. Job placement": [0, 0],
        "7. Aftercare": [0, 0],
        "All phases (each client once)": [3, 2],
    }
    assert table(section, "Trajectories opened and closed") == {
        "Opened in the year": [2],
        "Closed in the year": [1],
    }
    assert table(section, "Closed trajectories by closing reason") == {
        "Moved to another municipality": [1]
    }


def test_a_past_year_reads_the_history_of_moves(dataset, teamlead):
    section = sections_for(teamlead, year=2025)["trajectories"]
    phases = table(section, "Clients in trajectory per phase")
    # 2025: T1 in screening from November; T3 in work experience until it closed.
    assert phases["2. Counselling and screening"] == [1, 1]
    assert phases["4. Work experience and training"] == [1, 0]
    assert phases["All phases (each client once)"] == [2, 1]
    assert table(section, "Closed trajectories by closing reason") == {"Unreachable": [1]}


def test_the_gpmi_statistics(dataset, teamlead):
    section = sections_for(teamlead)["gpmi"]
    totals = table(section, "GPMIs in total")
    assert totals["Signed"] == [1]
    assert totals["Running"] == [1]
    assert totals["Ended"] == [0]
    assert "<svg" in section.chart_svg
    breakdowns = sections_for(teamlead)["gpmi_breakdowns"]
    by_type = table(breakdowns, "GPMIs by type")
    assert by_type["General GPMI (11)"][:5] == [1, 1, 100.0, 1, 0]
    by_team = table(breakdowns, "GPMIs by team")
    assert list(by_team) == ["Algemene sociale dienst", "Trajectbegeleiding"]
    assert by_team["Trajectbegeleiding"][0] == 1


def test_the_measures_used(dataset, teamlead):
    section = sections_for(teamlead)["measures"]
    rows = table(section, "Enrolments per measure")
    # Measure: category, enrolments, clients, started in the year, days in the year.
    assert rows["Art. 60§7 / TWE"] == ["Employment", 1, 1, 1, 245]
    assert rows["Beroepsopleiding / formation"] == ["Training", 1, 1, 1, 59]
    assert rows["Nederlands / néerlandais (NT2)"] == ["Language course", 1, 1, 0, 31]
    assert rows["Total"] == ["", 3, 2, 2, 335]
    assert len(rows) == 4  # the planned job club and the youth cell's workshop stay out
    assert table(section, "Art. 60§7 / TWE placements") == {
        "Placements during the year": [1],
        "Clients": [1],
        "Started in the year": [1],
        "Ended in the year": [0],
        "Days in the year": [245],
    }


def test_outcomes_and_retention(dataset, teamlead):
    section = sections_for(teamlead)["outcomes"]
    assert table(section, "Outcomes by type") == {
        "Regular job": [1],
        "Training": [1],
        "Total": [2],
    }
    retention = table(section, "Still employed at the aftercare checkpoints due in the year")
    # Due, recorded, still employed, no longer employed, not recorded, share.
    assert retention["+3 months"] == [1, 1, 1, 0, 0, 100.0]
    assert retention["+6 months"] == [1, 1, 0, 1, 0, 0.0]
    assert retention["+12 months"] == [0, 0, 0, 0, 0, None]


def test_the_staff_time(dataset, teamlead):
    section = sections_for(teamlead)["staff_time"]
    per_staff = table(section, "Contact time per staff member")
    # Minutes, hours, minutes with GPMI clients, share.
    assert per_staff["Koen De Backer"] == [90, 1.5, 60, 66.7]
    assert per_staff["Camille Leroy"] == [0, 0.0, 0, None]
    assert per_staff["Total"] == [90, 1.5, 60, 66.7]
    march = date_format(D(2026, 3, 1), "YEAR_MONTH_FORMAT")
    assert table(section, "Contact time per month")[march] == [90, 1.5, 60, 66.7]


# --- who sees which teams --------------------------------------------------------------------


def test_the_administrator_sees_the_whole_ocmw(dataset, admin, youth_team):
    sections = sections_for(admin)
    phases = table(sections["trajectories"], "Clients in trajectory per phase")
    assert phases["2. Counselling and screening"] == [2, 1]
    assert phases["All phases (each client once)"] == [4, 3]
    measures = table(sections["measures"], "Enrolments per measure")
    assert measures["Workshop / atelier (activering)"][1:3] == [1, 1]
    assert youth_team in selectors.annual_report_teams(user=admin)


def test_another_teams_lead_sees_only_their_team(dataset, youth_lead):
    sections = sections_for(youth_lead)
    phases = table(sections["trajectories"], "Clients in trajectory per phase")
    assert phases["All phases (each client once)"] == [1, 1]
    assert table(sections["gpmi"], "GPMIs in total")["Signed"] == [0]
    assert "Art. 60§7 / TWE" not in table(sections["measures"], "Enrolments per measure")
    assert table(sections["outcomes"], "Outcomes by type") == {"Total": [0]}
    assert "Koen De Backer" not in table(sections["staff_time"], "Contact time per staff member")


@pytest.mark.parametrize(
    "name, status",
    [
        ("teamlead", 200),
        ("admin", 200),
        ("counsellor", 403),
        ("colleague", 403),
        ("other_team", 403),
        ("socialworker", 403),
        ("intake", 403),
        ("outsider", 403),
    ],
)
def test_who_may_open_the_report_and_its_exports(dataset, persona, login, name, status):
    client = login(persona(name))
    assert client.get(URL, {"year": 2026}).status_code == status
    assert client.get(f"{URL}export.xlsx", {"year": 2026}).status_code == status
    assert client.get(f"{URL}export.pdf", {"year": 2026}).status_code == status


def test_anonymous_is_sent_to_the_login(dataset, login):
    client = login(None)
    for url in (URL, f"{URL}export.xlsx", f"{URL}export.pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_page_as_the_lead_and_as_another_teams_lead(dataset, login, teamlead, youth_lead):
    assert reverse("annual_report") == URL
    response = login(teamlead).get(URL, {"year": 2026})
    text = response.content.decode()
    assert "Annual report 2026" in text
    assert "teams: Algemene sociale dienst, Trajectbegeleiding" in text
    for title in ("Clients in trajectory", "GPMI", "Activation measures used"):
        assert title in text
    assert "Koen De Backer" in text

    other = login(youth_lead).get(URL, {"year": 2026}).content.decode()
    assert "teams: Jongerencel" in other
    assert "Koen De Backer" not in other
    # Client names never appear on the report, not even for the lead.
    assert dataset["t1"].client.last_name not in text


def test_an_unknown_export_format_is_not_found(dataset, login, teamlead):
    assert login(teamlead).get(f"{URL}export.csv", {"year": 2026}).status_code == 404


# --- the year ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "year, message",
    [
        ("abc", "Give the year as four digits, e.g. 2026."),
        ("2001", "Choose a year from 2002 to 2027."),
        ("2028", "Choose a year from 2002 to 2027."),
        ("99999999999999999999", "Choose a year from 2002 to 2027."),
        ("-5", "Choose a year from 2002 to 2027."),
    ],
)
def test_a_bad_year_gets_a_clear_message(dataset, login, teamlead, year, message):
    client = login(teamlead)
    response = client.get(URL, {"year": year})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(f"{URL}export.pdf", {"year": year}).status_code == 400
    assert not AccessLog.objects.filter(user=teamlead).exists()


def test_the_default_year_is_the_current_one(dataset, login, teamlead):
    response = login(teamlead).get(URL)
    assert response.status_code == 200
    assert response.context["year"] == 2027
    assert response.context["reference_date"] == D(2027, 1, 15)


# --- exports -------------------------------------------------------------------------------


def test_the_xlsx_has_one_sheet_per_section(dataset, login, teamlead):
    response = login(teamlead).get(f"{URL}export.xlsx", {"year": 2026})
    assert response.status_code == 200
    assert 'filename="annual-report-2026.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "Clients in trajectory",
        "GPMI",
        "GPMI by type, age group, gender",
        "Activation measures used",
        "Outcomes and retention",
        "Staff time for the GPMI subsidy",
    ]
    first = list(workbook["Clients in trajectory"].iter_rows(values_only=True))
    assert first[0][0].startswith("Annual report 2026 · OCMW Brussel-Test")
    assert ("3. Social activation", 1, 1) in first
    assert ("All phases (each client once)", 3, 2) in first
    measures = list(workbook["Activation measures used"].iter_rows(values_only=True))
    assert ("Art. 60§7 / TWE", "Employment", 1, 1, 1, 245) in measures
    staff = list(workbook["Staff time for the GPMI subsidy"].iter_rows(values_only=True))
    assert ("Koen De Backer", 90, 1.5, 60, 66.7) in staff

    log = AccessLog.objects.get(user=teamlead)
    assert (log.action, log.client_id, log.what) == ("export", None, "Annual report 2026 (XLSX)")


def pdftotext(data: bytes, tmp_path) -> str:
    source = tmp_path / "report.pdf"
    source.write_bytes(data)
    result = subprocess.run(  # noqa: S603 - a fixed tool on a file we wrote
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(source), "-"],
        check=True,
        capture_output=True,
    )
    return " ".join(result.stdout.decode().split())


def test_the_pdf_has_every_section_and_its_figures(dataset, login, teamlead, tmp_path):
    response = login(teamlead).get(f"{URL}export.pdf", {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    text = pdftotext(data, tmp_path)
    for expected in (
        "Annual report 2026",
        "OCMW Brussel-Test / CPAS Bruxelles-Test",
        "Clients in trajectory per phase",
        "GPMIs in total",
        "Enrolments per measure",
        "Outcomes by type",
        "Contact time per staff member",
        "Figures on 31/12/2026",
        "Page 1 / ",
    ):
        assert expected in text, expected
    assert "Art. 60§7 / TWE Employment 1 1 1 245" in text
    assert "Koen De Backer 90" in text
    assert dataset["t1"].client.last_name not in text

    # Page 1 as a picture, to look at (test-artifacts/annual-report-page1.png).
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "annual-report-2026.pdf"
    source.write_bytes(data)
    subprocess.run(  # noqa: S603
        [
            shutil.which("pdftoppm") or "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(ARTIFACTS / "annual-report-page"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "annual-report-page-1.png").stat().st_size > 10_000
    log = AccessLog.objects.get(user=teamlead)
    assert log.what == "Annual report 2026 (PDF)"


def test_the_pdf_in_french(dataset, login, teamlead, tmp_path, real_translations):
    teamlead.language = "fr"
    teamlead.save(update_fields=["language"])
    response = login(teamlead).get(f"{URL}export.pdf", {"year": 2026})
    text = pdftotext(response.content, tmp_path)
    assert "Rapport annuel 2026" in text
    assert "Usagers en trajet par phase" in text
    assert "Page 1 / " in text and "Au 31/12/2026" in text


# --- queries -----------------------------------------------------------------------------------


def test_the_page_takes_the_same_queries_whatever_the_data(
    dataset, login, teamlead, counsellor, spi_team, django_assert_num_queries
):
    client = login(teamlead)
    client.get(URL, {"year": 2026})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"year": 2026}).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        t = opened(counsellor, counsellor, spi_team, Phase.SCREENING, D(2026, 2, 1 + n))
        contact(counsellor, t.client, D(2026, 4, 1 + n), 25)
    # session, user, header counters, the OCMW, the lead's teams; then per section:
    # trajectories 2 (phases, opened/closed), GPMI 2 (figures, teams), measures 2
    # (per measure, distinct clients), outcomes 2 (types, checkpoints), staff time 2
    # (minutes, staff rows)
    with django_assert_num_queries(before):
        client.get(URL, {"year": 2026})
    assert before == 15
