"""The electronic-social-report package: no consent, no export; the stored PDF,
byte for byte; every download and refusal in the access log."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gpmi import esr, services
from gpmi.models import ConsentMethod, GpmiVersion
from ocmw.models import AccessLog
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services

pytestmark = pytest.mark.django_db

D = datetime.date


def at(year, month, day, hour=10):
    return time_machine.travel(datetime.datetime(year, month, day, hour, 0), tick=False)


def consent(actor, client, given: bool, on: datetime.date):
    with at(on.year, on.month, on.day):
        return services.consent_record(
            actor=actor, client=client, given=given, date=on, method=ConsentMethod.WRITTEN
        )


def log(client=None, **filters) -> list[str]:
    qs = AccessLog.objects.filter(**filters)
    if client is not None:
        qs = qs.filter(client=client)
    return list(qs.order_by("id").values_list("action", flat=True))


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def stored_bytes(version) -> bytes:
    version = GpmiVersion.objects.get(pk=version.pk)
    with version.pdf.open("rb") as handle:
        return handle.read()


def test_without_consent_the_export_is_refused_and_logged(counsellor, gpmi_signed, spi_case):
    with pytest.raises(esr.ConsentMissing) as error:
        esr.build_package(user=counsellor, client=spi_case)
    assert isinstance(error.value, ValidationError)
    assert error.value.code == "consent_missing"
    assert "consent" in error.value.messages[0]
    assert log(spi_case) == ["refused"]
    entry = AccessLog.objects.get(client=spi_case)
    assert (entry.user, entry.ocmw_id) == (counsellor, spi_case.ocmw_id)
    assert "no consent" in entry.what


def test_with_consent_the_package_holds_the_stored_pdf_and_the_gpmi_data(
    counsellor, gpmi_signed, gpmi_trajectory, spi_case
):
    with at(2026, 9, 1):
        trajecten_services.evaluation_record(
            actor=counsellor,
            trajectory=gpmi_trajectory,
            data={"date": D(2026, 6, 20), "in_person": True, "conclusion": "Goed bezig"},
        )
        trajecten_services.evaluation_record(
            actor=counsellor,
            trajectory=gpmi_trajectory,
            data={"date": D(2026, 2, 10), "in_person": True, "conclusion": "Voor het contract"},
        )
    consent(counsellor, spi_case, True, D(2026, 3, 9))
    with at(2026, 9, 1):
        filename, data = esr.build_package(user=counsellor, client=spi_case)

    assert filename == f"esr-gpmi-{spi_case.file_number}-20260901.zip"
    files = unzip(data)
    assert set(files) == {"gpmi-contract-v1.pdf", "gpmi.json"}
    pdf = files["gpmi-contract-v1.pdf"]
    assert pdf == stored_bytes(gpmi_signed)
    assert hashlib.sha256(pdf).hexdigest() == GpmiVersion.objects.get(pk=gpmi_signed.pk).pdf_sha256
    assert pdf.startswith(b"%PDF")

    document = json.loads(files["gpmi.json"])
    assert document["gpmi"]["type_code"] == 11
    assert document["gpmi"]["period"] == {"start": "2026-03-01", "end": "2027-02-28"}
    assert document["gpmi"]["signed_on"] == "2026-03-09"
    assert document["gpmi"]["leefloon_decision_date"] == "2025-11-03"
    assert document["consent"] == {"given": True, "date": "2026-03-09", "method": "written"}
    assert document["contract"]["version"] == 1
    assert document["contract"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert [(v["number"], v["status"]) for v in document["versions"]] == [(1, "active")]
    version = document["versions"][0]
    assert (version["presented_on"], version["signed_on"], version["start_date"]) == (
        "2026-03-02",
        "2026-03-09",
        "2026-03-01",
    )
    # Only the evaluations of the GPMI period.
    assert document["evaluations"] == [{"date": "2026-06-20", "in_person": True}]
    assert document["client"] == {"insz": spi_case.insz}
    assert log(spi_case) == ["export"]


def test_consent_withdrawn_later_refuses_the_export_again(counsellor, gpmi_signed, spi_case):
    consent(counsellor, spi_case, True, D(2026, 3, 9))
    esr.build_package(user=counsellor, client=spi_case)
    consent(counsellor, spi_case, False, D(2026, 5, 1))
    with pytest.raises(esr.ConsentMissing):
        esr.build_package(user=counsellor, client=spi_case)
    consent(counsellor, spi_case, True, D(2026, 6, 1))
    esr.build_package(user=counsellor, client=spi_case)
    assert log(spi_case) == ["export", "refused", "export"]


def test_a_back_dated_consent_change_is_refused(counsellor, spi_case):
    consent(counsellor, spi_case, True, D(2026, 5, 1))
    with at(2026, 6, 1), pytest.raises(ValidationError) as error:
        services.consent_record(
            actor=counsellor,
            client=spi_case,
            given=False,
            date=D(2026, 4, 30),
            method=ConsentMethod.ORAL,
        )
    assert "date" in error.value.message_dict
    assert esr.current_consent(spi_case).given


def test_without_a_signed_contract_the_export_is_refused(counsellor, gpmi_draft, spi_case):
    consent(counsellor, spi_case, True, D(2026, 3, 9))
    with pytest.raises(ValidationError) as error:
        esr.build_package(user=counsellor, client=spi_case)
    assert error.value.code == "no_signed_contract"
    assert log(spi_case) == ["refused"]


def test_the_package_holds_the_last_signed_version(counsellor, gpmi_signed, gpmi_sign, spi_case):
    gpmi = gpmi_signed.gpmi
    with at(2026, 6, 15):
        amendment = services.version_create(
            actor=counsellor,
            gpmi=gpmi,
            data=gpmi_version_data(
                objectives=["Werkervaring in de kringwinkel"],
                start_date=D(2026, 6, 15),
                end_date=D(2027, 6, 14),
            ),
        )
        services.version_present(actor=counsellor, version=amendment, on=D(2026, 6, 8))
        gpmi_sign(amendment, D(2026, 6, 15))
        # A third version in preparation is not part of the report.
        services.version_create(actor=counsellor, gpmi=gpmi, data=gpmi_version_data())
    consent(counsellor, spi_case, True, D(2026, 6, 15))
    _name, data = esr.build_package(user=counsellor, client=spi_case)
    files = unzip(data)
    assert files["gpmi-contract-v2.pdf"] == stored_bytes(amendment)
    assert files["gpmi-contract-v2.pdf"] != stored_bytes(gpmi_signed)
    document = json.loads(files["gpmi.json"])
    assert [(v["number"], v["status"], v["end_reason"]) for v in document["versions"]] == [
        (1, "ended", "replaced"),
        (2, "active", ""),
    ]
    assert document["gpmi"]["period"] == {"start": "2026-03-01", "end": "2027-06-14"}


def test_a_tampered_pdf_is_not_exported_and_not_rendered_again(counsellor, gpmi_signed, spi_case):
    consent(counsellor, spi_case, True, D(2026, 3, 9))
    version = GpmiVersion.objects.get(pk=gpmi_signed.pk)
    with open(version.pdf.path, "ab") as handle:
        handle.write(b"% changed")
    with pytest.raises(ValidationError) as error:
        esr.build_package(user=counsellor, client=spi_case)
    assert error.value.code == "pdf_integrity"
    assert GpmiVersion.objects.get(pk=gpmi_signed.pk).pdf_sha256 == version.pdf_sha256
    assert log(spi_case) == ["refused"]


def test_another_ocmws_client_cannot_be_exported(counsellor, outsider, foreign_case):
    consent(outsider, foreign_case, True, D(2026, 3, 9))
    with pytest.raises(Http404):
        esr.build_package(user=counsellor, client=foreign_case)
    # Refused, without naming the other OCMW's client in this OCMW's log.
    assert log(user=counsellor) == ["refused"]
    assert AccessLog.objects.get(user=counsellor).client is None
    assert log(foreign_case) == []


def test_an_outsider_cannot_export_our_client(outsider, gpmi_signed, counsellor, spi_case):
    consent(counsellor, spi_case, True, D(2026, 3, 9))
    with pytest.raises(Http404):
        esr.build_package(user=outsider, client=spi_case)
    assert log(spi_case) == []
    assert log(user=outsider) == ["refused"]


def test_the_intake_desk_cannot_export_case_content(intake, gpmi_signed, counsellor, spi_case):
    consent(counsellor, spi_case, True, D(2026, 3, 9))
    with pytest.raises(PermissionDenied):
        esr.build_package(user=intake, client=spi_case)
    assert log(spi_case, user=intake) == ["refused"]


def test_a_colleague_who_reads_the_file_may_export_it(colleague, gpmi_signed, counsellor, spi_case):
    consent(counsellor, spi_case, True, D(2026, 3, 9))
    _name, data = esr.build_package(user=colleague, client=spi_case)
    assert unzip(data)["gpmi-contract-v1.pdf"] == stored_bytes(gpmi_signed)
    assert log(spi_case, user=colleague) == ["export"]
