"""The GPMI pages: the panel on the client file, the lifecycle forms, the PDF and
package downloads, the list and the statistics, with the access matrix of the
personas of ``tests/conftest.py``.

The client file is ``spi_case``, followed by ``counsellor`` (responsible worker
and counsellor of its open trajectory in the SPI team). So ``counsellor`` and
``teamlead`` (leads the SPI team) read and change its GPMI; ``colleague`` (same
team) reads it only; ``intake`` sees identity only; ``socialworker``,
``other_team``, ``admin`` and ``outsider`` (another OCMW) do not see it at all.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader

from gpmi import esr, forms
from gpmi import services as gpmi_services
from gpmi.models import Consent, Gpmi, GpmiType, GpmiVersion, VersionChange, VersionStatus
from ocmw.models import AccessAction, AccessLog
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services

pytestmark = pytest.mark.django_db

# 23 November 2026, 10:00 in Brussels: the fixed "today" of these tests.
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_version(counsellor, gpmi_needs_analysis, gpmi_draft, gpmi_sign):
    """Version 1 presented on 01/03/2026 and signed on 06/03/2026: running."""
    gpmi_services.version_present(
        actor=counsellor, version=gpmi_draft, on=datetime.date(2026, 3, 1)
    )
    return gpmi_sign(gpmi_draft, datetime.date(2026, 3, 6))


@pytest.fixture
def consent_given(counsellor, spi_case):
    return gpmi_services.consent_record(
        actor=counsellor,
        client=spi_case,
        given=True,
        date=datetime.date(2026, 3, 6),
        method="written",
    )


def shown(text: str) -> str:
    """A message as the page shows it: translated into the user's language, escaped."""
    return escape(str(text))


def compliance_text(done: int, in_person: int, required: int = 3) -> str:
    return shown(
        _("%(done)s of %(required)s evaluations in the last 12 months, %(in_person)s in person")
        % {"done": done, "required": required, "in_person": in_person}
    )


def file_url(client) -> str:
    return reverse("client_detail", args=[client.pk])


def form_data(**fields) -> dict:
    """The POST body of the version form as a browser sends it."""
    data = gpmi_version_data()
    body = {
        "language": data["language"],
        "objectives": "\n".join(data["objectives"]),
        "activity_domains": "\n".join(data["activity_domains"]),
        "commitments_client": "\n".join(data["commitments_client"]),
        "commitments_ocmw": "\n".join(data["commitments_ocmw"]),
        "commitments_third_parties": "VDAB: Opleiding aanbieden",
        "partners": "VDAB",
        "assisting_person": "",
        "start_date": "01/12/2026",
        "end_date": "30/11/2027",
        "deadlines": "",
        "evaluations_per_year": "3",
        "evaluations_in_person": "2",
        "evaluation_arrangements": "",
        "extra_aid": "",
        "covers_enrolment": "on",
        "covers_travel": "on",
        "covers_other": "",
    }
    body.update(fields)
    return body


# --- the GPMI panel on the client file -----------------------------------------------------

PANEL_MATRIX = [
    # persona, status, sees the GPMI panel, gets the lifecycle buttons
    ("counsellor", 200, True, True),
    ("colleague", 200, True, False),
    ("teamlead", 200, True, True),
    ("intake", 200, False, False),
    ("socialworker", 404, False, False),
    ("other_team", 404, False, False),
    ("admin", 404, False, False),
    ("outsider", 404, False, False),
    ("anonymous", 302, False, False),
]


@pytest.mark.parametrize(("name", "status", "sees", "acts"), PANEL_MATRIX)
def test_the_gpmi_panel_follows_the_access_matrix(
    login, persona, spi_case, gpmi_needs_analysis, gpmi_draft, name, status, sees, acts
):
    client = login(persona(name))
    response = client.get(file_url(spi_case))
    assert response.status_code == status
    html = response.content.decode() if status == 200 else ""
    assert ('id="gpmi"' in html) is sees
    assert ('id="gpmi-badge-title"' in html) is sees
    assert (f'id="gpmi-present-{gpmi_draft.pk}"' in html) is acts
    assert (f'id="gpmi-edit-{gpmi_draft.pk}"' in html) is acts


def test_the_panel_shows_type_deadline_subsidy_versions_hash_and_compliance(
    login, counsellor, spi_case, signed_version, gpmi_trajectory
):
    trajecten_services.evaluation_record(
        actor=counsellor,
        trajectory=gpmi_trajectory,
        data={"date": datetime.date(2026, 6, 20), "in_person": True, "conclusion": "Goed bezig"},
    )
    trajecten_services.evaluation_record(
        actor=counsellor,
        trajectory=gpmi_trajectory,
        data={"date": datetime.date(2026, 10, 1), "in_person": False, "conclusion": "Telefonisch"},
    )
    html = login(counsellor).get(file_url(spi_case)).content.decode()
    assert shown(GpmiType.GENERAL.label) in html
    # Decision 03/11/2025 → legal deadline 03/02/2026; signed 06/03/2026, a month late.
    assert "03/02/2026" in html
    assert 'id="gpmi-deadline"' in html
    # Subsidy: from the month of signing (03/2026) for 12 months.
    assert "03/2026" in html and "28/02/2027" in html
    signed_version.refresh_from_db()
    assert signed_version.pdf_sha256 in html
    assert f'id="gpmi-end-{signed_version.pk}"' in html
    # 2 evaluations in the last 12 months, 1 in person; shown in the badge and the tab.
    assert html.count(compliance_text(2, 1)) == 2


def test_the_badge_is_red_when_the_evaluation_rule_cannot_be_met(
    login, counsellor, spi_case, signed_version
):
    # Contract year 01/03/2026–28/02/2027 without any evaluation: on 23/11 only
    # 3 more fit at one per 30 days, and 3 are missing → cannot be met? It still
    # fits; two months later it does not.
    with time_machine.travel(datetime.datetime(2027, 1, 20, 9, 0, tzinfo=datetime.UTC)):
        html = login(counsellor).get(file_url(spi_case)).content.decode()
    assert "gpmi-badge-alert" in html
    assert "gpmi-compliance-cannot_be_met" in html


def test_a_client_without_gpmi_shows_the_deadline_in_red_when_it_has_passed(
    login, counsellor, spi_case, gpmi_trajectory
):
    html = login(counsellor).get(file_url(spi_case)).content.decode()
    # Leefloon decision 03/11/2025 → to conclude by 03/02/2026: long past on 23/11/2026.
    assert "03/02/2026" in html
    badge = html.split('id="gpmi-badge-deadline"')[0].rsplit("<span", 1)[1]
    assert "text-danger" in badge
    assert 'id="gpmi-start"' in html
    assert 'id="gpmi-exemption"' in html


# --- starting a GPMI, the exemption --------------------------------------------------------


def test_the_counsellor_starts_a_gpmi_and_is_taken_to_the_prefilled_draft(
    login, counsellor, spi_case, gpmi_trajectory, gpmi_needs_analysis
):
    client = login(counsellor)
    page = client.get(reverse("gpmi:create", args=[spi_case.pk]))
    html = page.content.decode()
    # Only 11, 9 and 10 are offered; no community service, no exemption here.
    assert 'value="11"' in html and 'value="9"' in html and 'value="10"' in html
    for code in ("12", "15", "16", "8"):
        assert f'value="{code}"' not in html
    response = client.post(
        reverse("gpmi:create", args=[spi_case.pk]),
        {"type": "11", "leefloon_decision_date": "03/11/2025"},
    )
    gpmi = Gpmi.objects.get(client=spi_case)
    assert response.status_code == 302
    assert response["Location"] == reverse("gpmi:version_create", args=[gpmi.pk])
    form = client.get(response["Location"]).content.decode()
    # Proposed from the needs analysis: a proposal the counsellor may change.
    assert 'id="gpmi-prefill-note"' in form
    assert "Magazijnier worden" in form


@pytest.mark.parametrize("code", ["12", "15", "16", "8", "99", "elf"])
def test_a_community_service_or_exemption_type_posted_to_the_create_form_is_refused(
    login, counsellor, spi_case, gpmi_trajectory, code
):
    response = login(counsellor).post(
        reverse("gpmi:create", args=[spi_case.pk]),
        {"type": code, "leefloon_decision_date": "03/11/2025"},
    )
    assert response.status_code == 200
    assert 'id="form-errors"' in response.content.decode()
    assert 'id="id_type_error"' in response.content.decode()
    assert not Gpmi.objects.exists()


def test_an_exemption_needs_its_reason_and_is_recorded_without_versions(
    login, counsellor, spi_case, gpmi_trajectory
):
    client = login(counsellor)
    url = reverse("gpmi:exemption", args=[spi_case.pk])
    response = client.post(url, {"leefloon_decision_date": "03/11/2025", "exemption_reason": " "})
    assert response.status_code == 200
    assert 'id="id_exemption_reason_error"' in response.content.decode()
    assert not Gpmi.objects.exists()
    response = client.post(
        url, {"leefloon_decision_date": "03/11/2025", "exemption_reason": "Ernstige ziekte"}
    )
    assert response.status_code == 302
    gpmi = Gpmi.objects.get(client=spi_case)
    assert gpmi.type == GpmiType.EXEMPTION and gpmi.exemption_reason == "Ernstige ziekte"
    html = client.get(file_url(spi_case)).content.decode()
    assert "Ernstige ziekte" in html
    assert 'id="gpmi-new-version"' not in html


def test_the_reader_who_may_not_change_the_file_cannot_start_a_gpmi(
    login, colleague, spi_case, gpmi_trajectory
):
    response = login(colleague).post(
        reverse("gpmi:create", args=[spi_case.pk]), {"type": "11", "leefloon_decision_date": ""}
    )
    assert response.status_code == 403
    assert not Gpmi.objects.exists()


# --- the version form ----------------------------------------------------------------------


def test_a_version_is_saved_from_lines_and_party_commitment_lines(
    login, counsellor, spi_case, gpmi_contract
):
    response = login(counsellor).post(
        reverse("gpmi:version_create", args=[gpmi_contract.pk]),
        form_data(
            objectives="Opleiding logistiek\n\n  Nederlands   B1  \n",
            commitments_third_parties="VDAB: opleiding aanbieden\nKringwinkel: werkplek",
        ),
    )
    assert response.status_code == 302
    version = GpmiVersion.objects.get(gpmi=gpmi_contract)
    assert version.status == VersionStatus.DRAFT
    assert version.objectives == ["Opleiding logistiek", "Nederlands B1"]
    assert version.commitments_third_parties == [
        {"party": "VDAB", "commitment": "opleiding aanbieden"},
        {"party": "Kringwinkel", "commitment": "werkplek"},
    ]
    assert version.covers_enrolment and version.covers_travel
    assert not version.covers_insurance and not version.covers_work_clothing
    assert version.start_date == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("fields", "error_id", "message"),
    [
        ({"end_date": "01/11/2026"}, "id_end_date_error", "The end must come after the start."),
        ({"end_date": "31/02/2027"}, "id_end_date_error", "Enter a date as dd/mm/yyyy."),
        ({"objectives": "  \n "}, "id_objectives_error", "Write at least one objective."),
        (
            {"commitments_third_parties": "VDAB opleiding"},
            "id_commitments_third_parties_error",
            "Line %(line)d: write it as “party: commitment”, e.g. “VDAB: job coaching”.",
        ),
        ({"evaluations_per_year": "2"}, "id_evaluations_per_year_error", forms.LEGAL_MINIMUM),
    ],
)
def test_a_version_form_with_bad_input_keeps_what_was_typed_and_says_what_is_wrong(
    login, counsellor, gpmi_contract, fields, error_id, message
):
    response = login(counsellor).post(
        reverse("gpmi:version_create", args=[gpmi_contract.pk]),
        form_data(deadlines="Opleiding gestart vóór 1 mei", **fields),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="{error_id}"' in html
    error = html.split(f'id="{error_id}"')[1].split("</div>")[0]
    text = _(str(message))
    assert shown(text % {"line": 1} if "%(line)d" in text else text) in error
    assert "Opleiding gestart vóór 1 mei" in html
    assert not GpmiVersion.objects.exists()


def test_a_draft_edited_meanwhile_is_not_overwritten(login, counsellor, gpmi_draft):
    client = login(counsellor)
    url = reverse("gpmi:version_edit", args=[gpmi_draft.pk])
    stale = gpmi_draft.updated_at.isoformat()
    # Someone else saves the draft a minute later (the clock is frozen otherwise).
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        gpmi_services.version_update(
            actor=counsellor, version=gpmi_draft, data={"deadlines": "Door een collega gewijzigd"}
        )
    response = client.post(url, form_data(updated_at=stale, deadlines="Mijn versie"))
    assert response.status_code == 200
    assert shown(gpmi_services.StaleVersion().messages[0]) in response.content.decode()
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.deadlines == "Door een collega gewijzigd"


def test_a_presented_version_can_no_longer_be_edited(
    login, counsellor, gpmi_needs_analysis, gpmi_draft
):
    gpmi_services.version_present(actor=counsellor, version=gpmi_draft)
    client = login(counsellor)
    response = client.post(
        reverse("gpmi:version_edit", args=[gpmi_draft.pk]), form_data(deadlines="Stiekem")
    )
    assert response.status_code == 302
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.deadlines != "Stiekem"


# --- the lifecycle -------------------------------------------------------------------------


def test_presenting_without_a_needs_analysis_is_refused_and_changes_nothing(
    login, counsellor, gpmi_draft
):
    response = login(counsellor).post(
        reverse("gpmi:version_present", args=[gpmi_draft.pk]), {"presented_on": "20/11/2026"}
    )
    assert response.status_code == 200
    assert (
        shown(_("Record a needs analysis (sociale balans) before presenting the contract."))
        in response.content.decode()
    )
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.DRAFT


def sign_data(**fields) -> dict:
    data = {
        "ocmw_signatory_name": "Marc Voorzitter",
        "ocmw_signatory_capacity": "Voorzitter van het bijzonder comité",
        "client_signed_on": "23/11/2026",
        "ocmw_signed_on": "23/11/2026",
        "counsellor_signed_on": "23/11/2026",
        "partners_signed_on": "",
        "reflection_waiver_note": "",
    }
    data.update(fields)
    return data


def test_signing_on_day_2_is_refused_then_allowed_with_the_waiver(
    login, counsellor, spi_case, gpmi_needs_analysis, gpmi_draft
):
    client = login(counsellor)
    client.post(
        reverse("gpmi:version_present", args=[gpmi_draft.pk]), {"presented_on": "21/11/2026"}
    )
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.PRESENTED
    url = reverse("gpmi:version_sign", args=[gpmi_draft.pk])
    assert 'id="reflection-info"' in client.get(url).content.decode()

    refused = client.post(url, sign_data())
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "26/11/2026" in html  # the client may reflect until then
    assert "Marc Voorzitter" in html  # what was typed is kept
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.PRESENTED

    missing_note = client.post(url, sign_data(reflection_waived="on"))
    assert 'id="id_reflection_waiver_note_error"' in missing_note.content.decode()

    signed = client.post(
        url, sign_data(reflection_waived="on", reflection_waiver_note="Vroeg zelf om vandaag")
    )
    assert signed.status_code == 302
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.ACTIVE  # it started on 01/03/2026
    assert gpmi_draft.reflection_waived
    assert gpmi_draft.ocmw_signatory_capacity == "Voorzitter van het bijzonder comité"
    assert len(gpmi_draft.pdf_sha256) == 64


def test_ending_the_running_contract_needs_a_reason_and_records_it(
    login, counsellor, signed_version
):
    client = login(counsellor)
    url = reverse("gpmi:version_end", args=[signed_version.pk])
    response = client.post(url, {"reason": "", "ended_on": "20/11/2026"})
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    response = client.post(url, {"reason": "replaced", "ended_on": "20/11/2026"})
    assert response.status_code == 200  # "replaced" is what signing a new version does
    response = client.post(
        url, {"reason": "leefloon_ended", "ended_on": "20/11/2026", "note": "Werk gevonden"}
    )
    assert response.status_code == 302
    signed_version.refresh_from_db()
    assert signed_version.status == VersionStatus.ENDED
    assert signed_version.ended_on == datetime.date(2026, 11, 20)
    change = VersionChange.objects.filter(version=signed_version).first()
    assert change.to_status == VersionStatus.ENDED and "Werk gevonden" in change.reason


def test_withdrawing_a_draft_needs_a_reason(login, counsellor, gpmi_draft):
    client = login(counsellor)
    url = reverse("gpmi:version_withdraw", args=[gpmi_draft.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.DRAFT
    assert client.post(url, {"reason": "Cliënt verhuist"}).status_code == 302
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.WITHDRAWN


def test_an_amendment_starts_from_the_running_version_and_replaces_it_once_signed(
    login, counsellor, spi_case, signed_version, gpmi_sign
):
    client = login(counsellor)
    form = client.get(reverse("gpmi:version_create", args=[signed_version.gpmi_id]))
    assert "Een opleiding logistiek volgen" in form.content.decode()
    client.post(
        reverse("gpmi:version_create", args=[signed_version.gpmi_id]),
        form_data(objectives="Werkervaring in de kringwinkel"),
    )
    amendment = GpmiVersion.objects.get(gpmi=signed_version.gpmi, number=2)
    gpmi_services.version_present(
        actor=counsellor, version=amendment, on=datetime.date(2026, 11, 10)
    )
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)):
        gpmi_sign(amendment, datetime.date(2026, 12, 1))
        html = client.get(file_url(spi_case)).content.decode()
    signed_version.refresh_from_db()
    amendment.refresh_from_db()
    assert signed_version.status == VersionStatus.ENDED
    assert amendment.status == VersionStatus.ACTIVE
    assert f'id="gpmi-version-{amendment.pk}"' in html


def test_a_colleague_who_reads_the_file_cannot_change_the_contract(
    login, colleague, gpmi_needs_analysis, gpmi_draft
):
    client = login(colleague)
    for name in ("version_present", "version_withdraw", "version_edit", "version_sign"):
        assert client.post(reverse(f"gpmi:{name}", args=[gpmi_draft.pk]), {}).status_code == 403
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.DRAFT


def test_the_version_page_shows_the_contract_and_its_history(login, counsellor, signed_version):
    html = (
        login(counsellor)
        .get(reverse("gpmi:version_detail", args=[signed_version.pk]))
        .content.decode()
    )
    assert "Een opleiding logistiek volgen" in html
    assert "VDAB" in html and "Opleiding aanbieden" in html
    assert "Marc Voorzitter" in html
    assert signed_version.pdf_sha256 in html


def test_markup_in_the_contract_is_escaped(login, counsellor, gpmi_contract):
    version = gpmi_services.version_create(
        actor=counsellor,
        gpmi=gpmi_contract,
        data=gpmi_version_data(objectives=["<script>alert(1)</script>"]),
    )
    html = login(counsellor).get(reverse("gpmi:version_detail", args=[version.pk])).content
    assert b"<script>alert(1)</script>" not in html
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the PDF -------------------------------------------------------------------------------

PDF_MATRIX = [
    ("counsellor", 200),
    ("colleague", 200),
    ("teamlead", 200),
    ("intake", 404),
    ("socialworker", 404),
    ("other_team", 404),
    ("admin", 404),
    ("outsider", 404),
    ("anonymous", 302),
]


@pytest.mark.parametrize(("name", "status"), PDF_MATRIX)
def test_the_draft_pdf_follows_the_access_matrix_and_is_watermarked(
    login, persona, gpmi_draft, name, status
):
    response = login(persona(name)).get(reverse("gpmi:version_pdf", args=[gpmi_draft.pk]))
    assert response.status_code == status
    if status == 200:
        data = b"".join(response)
        assert data.startswith(b"%PDF")
        assert response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "ONTWERP" in text.upper() or "DRAFT" in text.upper()


def test_another_ocmws_contract_pdf_is_a_404(login, outsider, signed_version):
    url = reverse("gpmi:version_pdf", args=[signed_version.pk])
    assert login(outsider).get(url).status_code == 404


def test_the_signed_pdf_is_the_stored_bytes_and_every_download_is_logged(
    login, counsellor, colleague, signed_version
):
    signed_version.refresh_from_db()
    with signed_version.pdf.open("rb") as stored:
        expected = stored.read()
    url = reverse("gpmi:version_pdf", args=[signed_version.pk])
    first = b"".join(login(counsellor).get(url))
    second = b"".join(login(colleague).get(url))
    assert first == second == expected
    assert hashlib.sha256(first).hexdigest() == signed_version.pdf_sha256
    exports = AccessLog.objects.filter(
        client=signed_version.gpmi.client, action=AccessAction.EXPORT, what="GPMI contract PDF"
    )
    assert sorted(exports.values_list("user__username", flat=True)) == ["colleague", "counsellor"]


# --- consent and the electronic-social-report package --------------------------------------

CONSENT_MATRIX = [
    ("counsellor", 302),
    ("teamlead", 302),
    ("colleague", 403),
    ("intake", 404),
    ("socialworker", 404),
    ("other_team", 404),
    ("admin", 404),
    ("outsider", 404),
    ("anonymous", 302),
]


@pytest.mark.parametrize(("name", "status"), CONSENT_MATRIX)
def test_recording_consent_follows_the_access_matrix(
    login, persona, spi_case, gpmi_contract, name, status
):
    response = login(persona(name)).post(
        reverse("gpmi:consent", args=[spi_case.pk]),
        {"given": "yes", "date": "20/11/2026", "method": "oral", "note": "Op gesprek"},
    )
    assert response.status_code == status
    recorded = name in ("counsellor", "teamlead")
    assert Consent.objects.filter(client=spi_case).exists() is recorded


def test_consent_and_its_withdrawal_are_kept_as_history(login, counsellor, spi_case, gpmi_contract):
    client = login(counsellor)
    url = reverse("gpmi:consent", args=[spi_case.pk])
    client.post(url, {"given": "yes", "date": "01/11/2026", "method": "written"})
    client.post(url, {"given": "no", "date": "20/11/2026", "method": "oral", "note": "Bedacht"})
    bad = client.post(url, {"given": "yes", "date": "01/13/2026", "method": "fax"})
    assert bad.status_code == 200
    assert 'id="id_date_error"' in bad.content.decode()
    assert 'id="id_method_error"' in bad.content.decode()
    assert list(Consent.objects.filter(client=spi_case).values_list("given", flat=True)) == [
        False,
        True,
    ]
    html = client.get(file_url(spi_case)).content.decode()
    assert 'id="gpmi-consent-status"' in html
    assert "Bedacht" in html


PACKAGE_MATRIX = [
    ("counsellor", 200),
    ("colleague", 200),
    ("teamlead", 200),
    ("intake", 404),
    ("socialworker", 404),
    ("other_team", 404),
    ("admin", 404),
    ("outsider", 404),
    ("anonymous", 302),
]


@pytest.mark.parametrize(("name", "status"), PACKAGE_MATRIX)
def test_the_package_follows_the_access_matrix(
    login, persona, spi_case, signed_version, consent_given, name, status
):
    response = login(persona(name)).get(reverse("gpmi:esr_package", args=[spi_case.pk]))
    assert response.status_code == status
    if status == 200:
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response)))
        names = archive.namelist()
        assert "gpmi.json" in names
        pdf_name = next(n for n in names if n.endswith(".pdf"))
        assert hashlib.sha256(archive.read(pdf_name)).hexdigest() == (
            GpmiVersion.objects.get(pk=signed_version.pk).pdf_sha256
        )
        document = json.loads(archive.read("gpmi.json"))
        assert document["gpmi"]["type_code"] == 11
        assert document["consent"]["given"] is True


def test_without_consent_the_package_is_refused_with_a_message_and_logged(
    login, counsellor, spi_case, signed_version
):
    client = login(counsellor)
    response = client.get(reverse("gpmi:esr_package", args=[spi_case.pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0][1] == 302
    assert shown(esr.ConsentMissing().messages[0]) in html
    assert AccessLog.objects.filter(client=spi_case, action=AccessAction.REFUSED).count() == 1
    assert not AccessLog.objects.filter(client=spi_case, action=AccessAction.EXPORT).exists()


def test_a_withdrawn_consent_refuses_the_package_again(
    login, counsellor, spi_case, signed_version, consent_given
):
    gpmi_services.consent_record(
        actor=counsellor, client=spi_case, given=False, date=TODAY, method="oral"
    )
    response = login(counsellor).get(reverse("gpmi:esr_package", args=[spi_case.pk]))
    assert response.status_code == 302
    assert AccessLog.objects.filter(client=spi_case, action=AccessAction.REFUSED).exists()


# --- the GPMI list -------------------------------------------------------------------------

LIST_MATRIX = [
    # persona, status, sees the GPMI of spi_case
    ("counsellor", 200, True),
    ("colleague", 200, True),
    ("teamlead", 200, True),
    ("other_team", 200, False),
    ("outsider", 200, False),
    ("intake", 403, False),
    ("socialworker", 403, False),
    ("admin", 403, False),
    ("anonymous", 302, False),
]


@pytest.mark.parametrize(("name", "status", "sees"), LIST_MATRIX)
def test_the_gpmi_list_follows_the_access_matrix(
    login, persona, spi_case, signed_version, name, status, sees
):
    response = login(persona(name)).get(reverse("gpmi:list"))
    assert response.status_code == status
    assert ("Tahiri, Rachid" in response.content.decode()) is sees


def test_the_list_filters_by_type_status_and_subsidy_end(
    login, counsellor, spi_case, signed_version
):
    client = login(counsellor)
    url = reverse("gpmi:list")

    def shown(**params) -> bool:
        response = client.get(url, params)
        assert response.status_code == 200
        return "Tahiri, Rachid" in response.content.decode()

    # Signed 06/03/2026: the subsidy period ends 28/02/2027, 97 days after 23/11/2026.
    assert shown(ends_within=97)
    assert not shown(ends_within=96)
    assert shown(type=11) and not shown(type=9)
    assert shown(status="active") and not shown(status="draft")
    assert shown(sort="-subsidy_end", page=1)
    assert shown(sort="counsellor")


@pytest.mark.parametrize(
    "params",
    [
        {"type": "12x"},
        {"type": "42"},
        {"status": "afgesloten"},
        {"ends_within": "soon"},
        {"ends_within": "-5"},
        {"sort": "insz"},
    ],
)
def test_an_unknown_list_filter_gives_a_clear_message(login, counsellor, params):
    response = login(counsellor).get(reverse("gpmi:list"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="filter-errors"' in html
    assert "<li>" in html.split('id="filter-errors"')[1]


def test_the_list_shows_the_compliance_and_the_deadline(
    login, counsellor, spi_case, signed_version
):
    html = login(counsellor).get(reverse("gpmi:list")).content.decode()
    assert compliance_text(0, 0) in html
    assert "28/02/2027" in html  # subsidy end
    assert "06/03/2026" in html  # signed on


# --- statistics ----------------------------------------------------------------------------

STATISTICS_MATRIX = [
    ("teamlead", 200),
    ("counsellor", 403),
    ("colleague", 403),
    ("intake", 403),
    ("socialworker", 403),
    ("other_team", 403),
    ("admin", 403),
    ("outsider", 403),
    ("anonymous", 302),
]


@pytest.mark.parametrize(("name", "status"), STATISTICS_MATRIX)
def test_the_statistics_page_is_for_team_leads(login, persona, name, status):
    response = login(persona(name)).get(reverse("gpmi:statistics"), {"year": 2026})
    assert response.status_code == status
    csv_response = login(persona(name)).get(
        reverse("gpmi:statistics_export", args=["csv"]), {"year": 2026}
    )
    assert csv_response.status_code == status


def test_the_statistics_show_a_chart_and_the_table_by_type_age_gender_and_team(
    login, teamlead, signed_version
):
    html = login(teamlead).get(reverse("gpmi:statistics"), {"year": 2026}).content.decode()
    assert 'role="img"' in html and "<title" in html
    for key in ("type", "age_group", "gender", "team"):
        assert f'id="stats-{key}"' in html
    # One GPMI signed in 2026 (06/03), running on 23/11/2026, signed after the deadline.
    assert '<dd class="col-sm-4 fw-semibold text-sm-end" id="total-signed">1</dd>' in html
    assert 'id="total-running">1</dd>' in html
    assert 'id="total-signed_within_deadline_pct">0,0 %</dd>' in html
    assert "Trajectbegeleiding" in html
    assert "afgesloten" not in html.lower()


@pytest.mark.parametrize("year", ["6202", "1999", "twee", "2026-2025", "0"])
def test_an_absurd_statistics_year_gives_a_clear_message(login, teamlead, year):
    response = login(teamlead).get(reverse("gpmi:statistics"), {"year": year})
    assert response.status_code == 400
    assert 'id="year-error"' in response.content.decode()
    export = login(teamlead).get(reverse("gpmi:statistics_export", args=["xlsx"]), {"year": year})
    assert export.status_code == 400


def test_the_statistics_download_as_csv_and_xlsx_and_are_logged(login, teamlead, signed_version):
    client = login(teamlead)
    csv_response = client.get(reverse("gpmi:statistics_export", args=["csv"]), {"year": 2026})
    assert csv_response["Content-Type"].startswith("text/csv")
    text = b"".join(csv_response).decode("utf-8-sig")
    assert text.splitlines()[0].startswith(f"{_('Breakdown')};{_('Group')};")
    assert "Trajectbegeleiding" in text
    xlsx = client.get(reverse("gpmi:statistics_export", args=["xlsx"]), {"year": 2026})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2] == 1  # signed, in total
    assert any(row[1] == "Trajectbegeleiding" for row in rows)
    logged = AccessLog.objects.filter(user=teamlead, action=AccessAction.EXPORT, client=None)
    assert sorted(logged.values_list("what", flat=True)) == [
        "GPMI statistics 2026 (CSV)",
        "GPMI statistics 2026 (XLSX)",
    ]
    assert client.get("/gpmi/statistics/export.pdf?year=2026").status_code == 404


# --- timeline and home page ----------------------------------------------------------------------


def test_the_client_timeline_shows_the_gpmi_events(login, counsellor, spi_case, signed_version):
    gpmi_services.consent_record(
        actor=counsellor, client=spi_case, given=True, date=TODAY, method="oral"
    )
    html = login(counsellor).get(reverse("client_timeline", args=[spi_case.pk])).content.decode()
    for title in (
        _("GPMI started: %(type)s") % {"type": GpmiType.GENERAL.label},
        _("GPMI version %(n)d presented: the reflection period starts") % {"n": 1},
        _("GPMI version %(n)d signed") % {"n": 1},
        _("GPMI version %(n)d is running") % {"n": 1},
    ):
        assert shown(title) in html
    assert reverse("gpmi:version_detail", args=[signed_version.pk]) in html


@pytest.mark.parametrize(
    ("name", "links", "statistics"),
    [
        ("counsellor", True, False),
        ("teamlead", True, True),
        ("socialworker", False, False),
        ("intake", False, False),
    ],
)
def test_the_home_page_links_to_the_gpmi_list_and_statistics(
    login, persona, name, links, statistics
):
    html = login(persona(name)).get(reverse("home")).content.decode()
    assert (reverse("gpmi:list") in html) is links
    assert (reverse("gpmi:statistics") in html) is statistics


def test_a_trajectory_has_one_contract_but_an_exemption_may_give_way_to_one(
    login, counsellor, spi_case, gpmi_trajectory
):
    client = login(counsellor)
    client.post(
        reverse("gpmi:exemption", args=[spi_case.pk]),
        {"leefloon_decision_date": "03/11/2025", "exemption_reason": "Tijdelijk ziek"},
    )
    again = client.post(
        reverse("gpmi:exemption", args=[spi_case.pk]),
        {"leefloon_decision_date": "03/11/2025", "exemption_reason": "Nog eens"},
    )
    assert again.status_code == 302 and Gpmi.objects.count() == 1
    started = client.post(
        reverse("gpmi:create", args=[spi_case.pk]),
        {"type": "11", "leefloon_decision_date": "03/11/2025"},
    )
    assert started.status_code == 302 and Gpmi.objects.count() == 2
    second = client.post(
        reverse("gpmi:create", args=[spi_case.pk]),
        {"type": "9", "leefloon_decision_date": "03/11/2025"},
        follow=True,
    )
    assert Gpmi.objects.count() == 2
    assert (
        shown(_("This trajectory already has a GPMI. To change the contract, make a new version."))
        in second.content.decode()
    )


NEVER_500 = [
    ("get", "/gpmi/?page=abc&sort=-", None),
    ("get", "/gpmi/?ends_within=99999999999999999999", None),
    ("get", "/gpmi/statistics/?year=99999999999999999999", None),
    ("get", "/gpmi/statistics/?year=%00", None),
    ("get", "/gpmi/versions/987654321/", None),
    ("get", "/gpmi/versions/987654321/pdf/", None),
    ("get", "/gpmi/987654321/versions/new/", None),
    ("get", "/clients/987654321/esr-package/", None),
    ("post", "/gpmi/versions/{draft}/present/", {"presented_on": "31/02/2026"}),
    ("post", "/gpmi/versions/{draft}/present/", {"presented_on": "01/01/2999"}),
    ("post", "/gpmi/versions/{draft}/sign/", {"client_signed_on": "x"}),
    ("post", "/gpmi/versions/{draft}/end/", {"reason": "<b>", "ended_on": "1/1/1"}),
    ("post", "/gpmi/versions/{draft}/edit/", {"updated_at": "gisteren", "objectives": "x"}),
    ("post", "/gpmi/versions/{draft}/withdraw/", {"reason": "x" * 5000}),
    ("post", "/clients/{client}/esr-consent/", {"given": "maybe", "date": "", "method": ""}),
    ("post", "/clients/{client}/gpmi/new/", {"type": ["11", "9"], "leefloon_decision_date": "x"}),
    ("post", "/clients/{client}/gpmi/exemption/", {"leefloon_decision_date": "03/11/2999"}),
    ("get", "/clients/{client}/esr-package/", None),
]


@pytest.mark.parametrize(("method", "url", "data"), NEVER_500)
def test_odd_input_never_gives_a_server_error(
    login, counsellor, spi_case, gpmi_draft, method, url, data
):
    client = login(counsellor)
    url = url.format(draft=gpmi_draft.pk, client=spi_case.pk)
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code < 500
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.DRAFT


def test_a_long_contract_with_markup_and_right_to_left_text_is_saved_and_rendered(
    login, counsellor, gpmi_contract
):
    client = login(counsellor)
    objectives = "\n".join(f"Doel {n}: <i>{'lang ' * 40}</i>" for n in range(50))
    response = client.post(
        reverse("gpmi:version_create", args=[gpmi_contract.pk]),
        form_data(objectives=objectives, assisting_person="محمد العلوي", deadlines="x" * 5000),
    )
    assert response.status_code == 302
    version = GpmiVersion.objects.get(gpmi=gpmi_contract)
    assert len(version.objectives) == 50
    pdf = b"".join(client.get(reverse("gpmi:version_pdf", args=[version.pk])))
    assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) > 1
