"""The counsellor concludes a GPMI: drafted from the needs analysis, presented,
refused on day 2 of the reflection period, signed with the client's waiver; the
PDF and the electronic-social-report package are downloaded. Then the team lead
looks at the statistics, in Dutch and in French.

Real clock: the contract is presented "two days ago" through the present form,
so "day 2" is real without moving the server's time.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from gpmi import services as gpmi_services
from gpmi.models import Consent, Gpmi, GpmiType, VersionStatus
from ocmw.models import AccessAction, AccessLog
from tests.e2e.conftest import login
from tests.factories import PERSONA_PASSWORD, ClientFactory
from trajecten import services as trajecten_services
from trajecten.models import Phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(settings, tmp_path, counsellor, teamlead, spi_case, spi_team):
    """``spi_case`` in phase 2 with ``counsellor``, a needs analysis and an open goal."""
    settings.MEDIA_ROOT = tmp_path / "media"
    trajectory = trajecten_services.trajectory_open(
        actor=counsellor,
        client=spi_case,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.SCREENING,
    )
    trajecten_services.needs_analysis_record(
        actor=counsellor,
        client=spi_case,
        data={
            "own_project": "Magazijnier worden",
            "domains": {
                "material": {"situation": "Schulden", "needs": "Budget", "support_needed": True},
                "social": {"situation": "Alleen", "needs": "", "support_needed": True},
            },
        },
    )
    trajecten_services.goal_create(
        actor=counsellor,
        trajectory=trajectory,
        data={"title": "Opleiding heftruckchauffeur volgen", "horizon": "short", "domain": "work"},
    )
    return spi_case


def read_download(download) -> bytes:
    return Path(download.path()).read_bytes()


def open_gpmi_tab(page) -> None:
    page.click("#tab-gpmi")
    page.locator("#gpmi").wait_for()


def test_the_counsellor_concludes_a_gpmi_and_exports_it(
    page, live_server, world, counsellor, teamlead, shot, axe_check
):
    client = world
    today = timezone.localdate()
    two_days_ago = today - datetime.timedelta(days=2)
    login(page, live_server, "counsellor", PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    # The header badge warns: no GPMI yet, and its legal deadline has passed.
    assert "03/02/2026" in page.locator("#gpmi-badge-deadline").inner_text()
    open_gpmi_tab(page)

    # Start the GPMI: only the contract types are offered.
    page.click("#gpmi-start")
    assert page.locator("input[name=type]").count() == 3
    page.check("input[name=type][value='11']")
    page.click("form[data-once] button[type=submit]")
    page.wait_for_url("**/versions/new/")

    # The draft is proposed from the needs analysis and the open goal.
    assert "Opleiding heftruckchauffeur volgen" in page.input_value("#id_objectives")
    assert page.locator("#gpmi-prefill-note").is_visible()
    page.fill("#id_commitments_client", "Elke opleidingsdag aanwezig zijn\nAfwezigheid melden")
    page.fill("#id_commitments_ocmw", "Inschrijvingsgeld betalen\nMaandelijks opvolgingsgesprek")
    page.fill("#id_commitments_third_parties", "VDAB: opleiding heftruck aanbieden")
    page.fill("#id_partners", "VDAB")
    page.click("form[data-once] button[type=submit]")
    page.wait_for_url(f"**/clients/{client.pk}/#gpmi-version-*")
    version = Gpmi.objects.get(client=client).versions.get()
    assert version.status == VersionStatus.DRAFT

    # Present it: two days ago, at the interview with the client.
    page.locator(f"#gpmi-present-{version.pk}").click()
    page.fill("#id_present_presented_on", two_days_ago.strftime("%d/%m/%Y"))
    page.locator(f"#gpmi-present-{version.pk} + form button[type=submit]").click()
    page.wait_for_url(f"**/clients/{client.pk}/#gpmi-version-*")
    reflection_end = (two_days_ago + datetime.timedelta(days=5)).strftime("%d/%m/%Y")
    assert reflection_end in page.locator("main .alert").first.inner_text()

    # Day 2 of the reflection period: signing is refused and nothing changes.
    page.click(f"#gpmi-sign-{version.pk}")
    page.wait_for_url("**/sign/")
    assert reflection_end in page.locator("#reflection-info").inner_text()
    page.fill("#id_ocmw_signatory_name", "Marc Voorzitter")
    page.fill("#id_ocmw_signatory_capacity", "Voorzitter van het bijzonder comité")
    page.click("form[data-once] button[type=submit]")
    page.locator("#form-errors").wait_for()
    assert reflection_end in page.locator("#id_client_signed_on_error").inner_text()
    assert page.input_value("#id_ocmw_signatory_name") == "Marc Voorzitter"
    version.refresh_from_db()
    assert version.status == VersionStatus.PRESENTED

    # The client explicitly waives the rest of the reflection period.
    page.check("#id_reflection_waived")
    page.fill("#id_reflection_waiver_note", "Vroeg uitdrukkelijk om vandaag te tekenen")
    page.click("form[data-once] button[type=submit]")
    page.wait_for_url(f"**/clients/{client.pk}/#gpmi-version-*")
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE
    assert version.pdf_sha256 in page.locator(f"#gpmi-sha-{version.pk}").inner_text()
    assert "v1" in page.locator(".gpmi-badge").inner_text()

    # The signed PDF: exactly the stored bytes.
    with page.expect_download() as pdf_download:
        page.click(f"#gpmi-pdf-{version.pk}")
    pdf = read_download(pdf_download.value)
    assert pdf.startswith(b"%PDF")
    with version.pdf.open("rb") as stored:
        assert pdf == stored.read()

    # No consent yet: the package is refused with a message on the page.
    page.click("#gpmi-esr-package")
    page.wait_for_url(f"**/clients/{client.pk}/#gpmi-consent")
    assert page.locator("main .alert-error, main .alert-danger").count() == 1
    assert AccessLog.objects.filter(client=client, action=AccessAction.REFUSED).exists()

    # Record the consent, then download the package.
    open_gpmi_tab(page)
    page.click("#gpmi-record-consent")
    page.check("#id_consent_given_0")
    page.select_option("#id_consent_method", "written")
    page.locator(".gpmi-consent-form button[type=submit]").click()
    page.wait_for_url(f"**/clients/{client.pk}/#gpmi-consent")
    assert Consent.objects.get(client=client).given
    open_gpmi_tab(page)
    assert page.locator("#gpmi-consent-status .badge").inner_text()
    with page.expect_download() as zip_download:
        page.click("#gpmi-esr-package")
    archive = zipfile.ZipFile(io.BytesIO(read_download(zip_download.value)))
    document = json.loads(archive.read("gpmi.json"))
    assert document["gpmi"]["type_code"] == 11
    assert [v["status"] for v in document["versions"]] == [VersionStatus.ACTIVE]

    # The panel as the counsellor sees it, in Dutch and in French.
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.goto(f"{live_server.url}/clients/{client.pk}/#gpmi")
    page.locator("#gpmi").wait_for()
    axe_check(page)
    shot(page, "gpmi-panel-nl")
    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    open_gpmi_tab(page)
    axe_check(page)
    shot(page, "gpmi-panel-fr")


def signed_gpmi(counsellor, client, trajectory, *, type: int, presented: datetime.date):
    """A GPMI concluded through the services: presented, then signed today."""
    today = timezone.localdate()
    gpmi = gpmi_services.gpmi_create(actor=counsellor, trajectory=trajectory, type=type)
    version = gpmi_services.version_create(
        actor=counsellor,
        gpmi=gpmi,
        data={
            **gpmi_services.version_prefill(gpmi=gpmi),
            "objectives": ["Een opleiding volgen"],
            "commitments_client": ["Aanwezig zijn"],
            "commitments_ocmw": ["Inschrijvingsgeld betalen"],
            "activity_domains": ["Opleiding"],
        },
    )
    gpmi_services.version_present(actor=counsellor, version=version, on=presented)
    return gpmi_services.version_sign(
        actor=counsellor,
        version=version,
        ocmw_signatory_name="Marc Voorzitter",
        ocmw_signatory_capacity="Voorzitter",
        client_signed_on=today,
        ocmw_signed_on=today,
        counsellor_signed_on=today,
    )


def test_the_team_lead_reads_the_statistics_in_dutch_and_french(
    page, live_server, world, counsellor, teamlead, spi_team, shot, axe_check
):
    # Two contracts concluded this year: general (11) and studies (9).
    today = timezone.localdate()
    signed_gpmi(
        counsellor,
        world,
        world.trajectories.get(),
        type=GpmiType.GENERAL,
        presented=today - datetime.timedelta(days=7),
    )
    student = ClientFactory(
        responsible_social_worker=counsellor,
        first_name="Lina",
        last_name="Haddad",
        birth_date=datetime.date(2004, 5, 2),
        leefloon_decision_date=today - datetime.timedelta(days=40),
    )
    trajecten_services.needs_analysis_record(
        actor=counsellor, client=student, data={"own_project": "Verpleegkunde studeren"}
    )
    trajectory = trajecten_services.trajectory_open(
        actor=counsellor, client=student, counsellor=counsellor, team=spi_team
    )
    signed_gpmi(
        counsellor,
        student,
        trajectory,
        type=GpmiType.STUDIES_FULL_TIME,
        presented=today - datetime.timedelta(days=6),
    )
    login(page, live_server, "teamlead", PERSONA_PASSWORD)
    year = timezone.localdate().year
    page.goto(f"{live_server.url}/gpmi/statistics/?year={year}")
    assert page.locator("svg[role=img] title").count() >= 1
    assert page.locator("#stats-type tbody tr").count() == 4
    assert page.locator("#total-signed").inner_text() == "2"
    assert page.locator("#total-running").inner_text() == "2"
    axe_check(page)
    shot(page, "gpmi-statistics-nl")
    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    axe_check(page)
    shot(page, "gpmi-statistics-fr")
    page.goto(f"{live_server.url}/gpmi/statistics/?year=6202")
    assert page.locator("#year-error").is_visible()
