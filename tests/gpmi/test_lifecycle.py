"""The lifecycle of a GPMI version: every allowed and every forbidden transition.

draft → presented (needs analysis on file) → signed → active → ended (with a
reason); withdrawn from draft or presented only; a newer signed version replaces
the running one. Each change is a ``VersionChange`` with who, when and why.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_fsm import TransitionNotAllowed

from gpmi import services
from gpmi.models import EndReason, Gpmi, GpmiType, GpmiVersion, VersionChange, VersionStatus
from tests.gpmi.conftest import gpmi_version_data

pytestmark = pytest.mark.django_db

D = datetime.date


def at(year, month, day, hour=10):
    return time_machine.travel(datetime.datetime(year, month, day, hour, 0), tick=False)


def changes(version) -> list[tuple[str, str]]:
    return list(
        VersionChange.objects.filter(version=version)
        .order_by("id")
        .values_list("from_status", "to_status")
    )


def fresh(version) -> GpmiVersion:
    return GpmiVersion.objects.get(pk=version.pk)


# --- creating GPMIs -------------------------------------------------------------------


@pytest.mark.parametrize("historical", [12, 15, 16])
def test_community_service_types_cannot_be_chosen_for_a_new_gpmi(
    counsellor, gpmi_trajectory, historical
):
    with pytest.raises(ValidationError) as error:
        services.gpmi_create(actor=counsellor, trajectory=gpmi_trajectory, type=historical)
    assert "type" in error.value.message_dict
    assert "2018" in error.value.message_dict["type"][0]
    assert not Gpmi.objects.exists()


def test_an_unknown_type_is_refused(counsellor, gpmi_trajectory):
    with pytest.raises(ValidationError):
        services.gpmi_create(actor=counsellor, trajectory=gpmi_trajectory, type=99)
    assert not Gpmi.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_exemption_requires_a_reason(counsellor, gpmi_trajectory, reason):
    with pytest.raises(ValidationError) as error:
        services.gpmi_create(
            actor=counsellor,
            trajectory=gpmi_trajectory,
            type=GpmiType.EXEMPTION,
            exemption_reason=reason,
        )
    assert "exemption_reason" in error.value.message_dict
    assert not Gpmi.objects.exists()


def test_an_exemption_with_a_reason_is_recorded_and_has_no_contract(counsellor, gpmi_trajectory):
    gpmi = services.gpmi_create(
        actor=counsellor,
        trajectory=gpmi_trajectory,
        type=GpmiType.EXEMPTION,
        exemption_reason="Medische redenen (attest huisarts)",
    )
    assert gpmi.is_exemption
    assert gpmi.exemption_reason == "Medische redenen (attest huisarts)"
    with pytest.raises(ValidationError):
        services.version_create(actor=counsellor, gpmi=gpmi, data=gpmi_version_data())
    assert not gpmi.versions.exists()


def test_the_database_also_refuses_an_exemption_without_reason(
    counsellor, gpmi_trajectory, spi_case
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Gpmi.objects.create(
            client=spi_case,
            trajectory=gpmi_trajectory,
            type=GpmiType.EXEMPTION,
            leefloon_decision_date=D(2025, 11, 3),
            created_by=counsellor,
        )


def test_a_gpmi_takes_the_clients_decision_date_by_default(gpmi_contract, spi_case):
    assert gpmi_contract.leefloon_decision_date == spi_case.leefloon_decision_date


def test_a_decision_in_the_future_is_refused(counsellor, gpmi_trajectory):
    with at(2026, 3, 1), pytest.raises(ValidationError) as error:
        services.gpmi_create(
            actor=counsellor,
            trajectory=gpmi_trajectory,
            type=GpmiType.GENERAL,
            leefloon_decision_date=D(2026, 3, 2),
        )
    assert "leefloon_decision_date" in error.value.message_dict


def test_a_colleague_who_only_reads_the_file_cannot_start_a_gpmi(colleague, gpmi_trajectory):
    with pytest.raises(PermissionDenied):
        services.gpmi_create(actor=colleague, trajectory=gpmi_trajectory, type=GpmiType.GENERAL)


def test_another_ocmw_cannot_start_a_gpmi(outsider, gpmi_trajectory):
    with pytest.raises(PermissionDenied):
        services.gpmi_create(actor=outsider, trajectory=gpmi_trajectory, type=GpmiType.GENERAL)


# --- drafts -----------------------------------------------------------------------------


def test_a_new_version_is_a_draft_with_its_change_recorded(counsellor, gpmi_draft):
    assert gpmi_draft.status == VersionStatus.DRAFT
    assert gpmi_draft.number == 1
    assert gpmi_draft.counsellor == counsellor
    change = VersionChange.objects.get(version=gpmi_draft)
    assert (change.from_status, change.to_status, change.by) == ("", "draft", counsellor)


@pytest.mark.parametrize(
    "start,end",
    [(D(2026, 3, 1), D(2026, 3, 1)), (D(2026, 3, 1), D(2026, 2, 1))],
    ids=["same day", "before"],
)
def test_an_end_before_the_start_is_refused(counsellor, gpmi_contract, start, end):
    with pytest.raises(ValidationError) as error:
        services.version_create(
            actor=counsellor,
            gpmi=gpmi_contract,
            data=gpmi_version_data(start_date=start, end_date=end),
        )
    assert "end_date" in error.value.message_dict
    assert not gpmi_contract.versions.exists()


def test_the_database_also_refuses_an_end_before_the_start(gpmi_draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        GpmiVersion.objects.filter(pk=gpmi_draft.pk).update(end_date=D(2026, 1, 1))


def test_fewer_evaluations_than_the_law_asks_are_refused(counsellor, gpmi_contract):
    with pytest.raises(ValidationError) as error:
        services.version_create(
            actor=counsellor,
            gpmi=gpmi_contract,
            data=gpmi_version_data(evaluations_per_year=2, evaluations_in_person=1),
        )
    assert "evaluations_per_year" in error.value.message_dict


def test_a_draft_can_be_edited(counsellor, gpmi_draft):
    services.version_update(
        actor=counsellor, version=gpmi_draft, data={"objectives": ["Rijbewijs B halen"]}
    )
    assert fresh(gpmi_draft).objectives == ["Rijbewijs B halen"]


def test_a_stale_edit_is_refused(counsellor, gpmi_draft):
    seen = gpmi_draft.updated_at
    services.version_update(actor=counsellor, version=gpmi_draft, data={"deadlines": "x"})
    with pytest.raises(ValidationError) as error:
        services.version_update(
            actor=counsellor, version=gpmi_draft, data={"deadlines": "y"}, updated_at=seen
        )
    assert error.value.code == "stale"
    assert fresh(gpmi_draft).deadlines == "x"


def test_only_one_version_is_prepared_at_a_time(counsellor, gpmi_draft):
    with pytest.raises(ValidationError):
        services.version_create(actor=counsellor, gpmi=gpmi_draft.gpmi, data=gpmi_version_data())
    assert gpmi_draft.gpmi.versions.count() == 1


def test_prefill_proposes_the_open_goals_and_the_needs_analysis(
    counsellor, gpmi_contract, gpmi_needs_analysis, gpmi_trajectory
):
    from trajecten import services as trajecten_services

    trajecten_services.goal_create(
        actor=counsellor,
        trajectory=gpmi_trajectory,
        data={"title": "Heftruckattest halen", "horizon": "short", "domain": "work"},
    )
    with at(2028, 2, 29):
        proposal = services.version_prefill(gpmi=gpmi_contract)
    assert proposal["objectives"] == ["Heftruckattest halen"]
    # Only the W² domain where the needs analysis asks for support.
    assert len(proposal["activity_domains"]) == 1
    # 29 February: a year later is 28 February, not an error.
    assert (proposal["start_date"], proposal["end_date"]) == (D(2028, 2, 29), D(2029, 2, 28))
    assert not gpmi_contract.versions.exists()


# --- draft → presented ------------------------------------------------------------------


def test_a_draft_cannot_be_presented_without_a_needs_analysis(counsellor, gpmi_draft):
    with pytest.raises(ValidationError) as error:
        services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 2))
    assert "needs analysis" in error.value.messages[0]
    assert fresh(gpmi_draft).status == VersionStatus.DRAFT
    assert fresh(gpmi_draft).presented_on is None
    assert changes(gpmi_draft) == [("", "draft")]


def test_the_model_itself_refuses_presenting_without_a_needs_analysis(gpmi_draft):
    version = fresh(gpmi_draft)
    with pytest.raises(TransitionNotAllowed):
        version.present(D(2026, 3, 2))


def test_presenting_starts_the_reflection_period(counsellor, gpmi_draft, gpmi_needs_analysis):
    with at(2026, 3, 2):
        version = services.version_present(actor=counsellor, version=gpmi_draft)
    version = fresh(version)
    assert version.status == VersionStatus.PRESENTED
    assert version.presented_on == D(2026, 3, 2)
    assert version.reflection_ends_on == D(2026, 3, 7)
    change = VersionChange.objects.get(version=version, to_status="presented")
    assert (change.from_status, change.by) == ("draft", counsellor)
    assert change.at.date() == D(2026, 3, 2)


def test_presenting_on_a_future_date_is_refused(counsellor, gpmi_draft, gpmi_needs_analysis):
    with at(2026, 3, 2), pytest.raises(ValidationError):
        services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 3))
    assert fresh(gpmi_draft).status == VersionStatus.DRAFT


def test_a_colleague_who_only_reads_cannot_present(colleague, gpmi_draft, gpmi_needs_analysis):
    with pytest.raises(PermissionDenied):
        services.version_present(actor=colleague, version=gpmi_draft, on=D(2026, 3, 2))
    assert fresh(gpmi_draft).status == VersionStatus.DRAFT


def test_a_presented_version_cannot_be_presented_again(counsellor, gpmi_draft, gpmi_needs_analysis):
    with at(2026, 3, 2):
        services.version_present(actor=counsellor, version=gpmi_draft)
        with pytest.raises(ValidationError):
            services.version_present(actor=counsellor, version=gpmi_draft)
    assert len(changes(gpmi_draft)) == 2


def test_a_presented_version_cannot_be_edited(counsellor, gpmi_draft, gpmi_needs_analysis):
    with at(2026, 3, 2):
        services.version_present(actor=counsellor, version=gpmi_draft)
    with pytest.raises(ValidationError) as error:
        services.version_update(
            actor=counsellor, version=gpmi_draft, data={"objectives": ["Iets anders"]}
        )
    assert "new version" in error.value.messages[0]
    assert fresh(gpmi_draft).objectives == gpmi_version_data()["objectives"]


# --- presented → signed → active ---------------------------------------------------------


def test_a_draft_cannot_be_signed(counsellor, gpmi_draft, gpmi_sign):
    with at(2026, 3, 10), pytest.raises(ValidationError):
        gpmi_sign(gpmi_draft, D(2026, 3, 9))
    version = fresh(gpmi_draft)
    assert version.status == VersionStatus.DRAFT
    assert version.client_signed_on is None
    assert not version.pdf


def test_signing_records_every_party_and_activates_a_started_contract(counsellor, gpmi_signed):
    version = fresh(gpmi_signed)
    assert version.status == VersionStatus.ACTIVE
    assert version.ocmw_signatory_name == "Marc Voorzitter"
    assert version.ocmw_signatory_capacity == "Voorzitter"
    assert version.counsellor == counsellor
    assert (version.client_signed_on, version.ocmw_signed_on, version.counsellor_signed_on) == (
        D(2026, 3, 9),
        D(2026, 3, 9),
        D(2026, 3, 9),
    )
    assert version.pdf and len(version.pdf_sha256) == 64
    assert changes(version) == [
        ("", "draft"),
        ("draft", "presented"),
        ("presented", "signed"),
        ("signed", "active"),
    ]
    assert set(VersionChange.objects.filter(version=version).values_list("by", flat=True)) == {
        counsellor.pk
    }


def test_the_model_refuses_signing_without_every_signature(
    counsellor, gpmi_draft, gpmi_needs_analysis
):
    with at(2026, 3, 10):
        services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 2))
        version = fresh(gpmi_draft)
        version.client_signed_on = D(2026, 3, 9)
        with pytest.raises(TransitionNotAllowed):
            version.sign()


def test_the_status_cannot_be_set_by_hand(gpmi_draft):
    version = fresh(gpmi_draft)
    with pytest.raises(AttributeError):
        version.status = VersionStatus.ACTIVE


@pytest.mark.parametrize(
    "field,value",
    [
        ("ocmw_signatory_name", ""),
        ("ocmw_signatory_capacity", " "),
        ("client_signed_on", D(2026, 3, 11)),  # in the future
        ("ocmw_signed_on", D(2026, 3, 1)),  # before it was presented
    ],
)
def test_incomplete_signatures_are_refused(
    counsellor, gpmi_draft, gpmi_needs_analysis, field, value
):
    signing = {
        "ocmw_signatory_name": "Marc Voorzitter",
        "ocmw_signatory_capacity": "Voorzitter",
        "client_signed_on": D(2026, 3, 9),
        "ocmw_signed_on": D(2026, 3, 9),
        "counsellor_signed_on": D(2026, 3, 9),
        field: value,
    }
    with at(2026, 3, 10):
        services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 2))
        with pytest.raises(ValidationError) as error:
            services.version_sign(actor=counsellor, version=gpmi_draft, **signing)
    assert field in error.value.message_dict
    assert fresh(gpmi_draft).status == VersionStatus.PRESENTED
    assert not fresh(gpmi_draft).pdf


def test_a_signed_version_cannot_be_edited(counsellor, gpmi_signed):
    with pytest.raises(ValidationError):
        services.version_update(
            actor=counsellor, version=gpmi_signed, data={"objectives": ["Iets anders"]}
        )
    assert fresh(gpmi_signed).objectives == gpmi_version_data()["objectives"]


def test_a_signed_version_cannot_be_signed_again(gpmi_signed, gpmi_sign):
    sha = fresh(gpmi_signed).pdf_sha256
    with at(2026, 3, 12), pytest.raises(ValidationError):
        gpmi_sign(gpmi_signed, D(2026, 3, 11))
    assert fresh(gpmi_signed).pdf_sha256 == sha
    assert fresh(gpmi_signed).client_signed_on == D(2026, 3, 9)


def test_a_contract_starting_later_stays_signed_until_its_start(
    counsellor, gpmi_contract, gpmi_needs_analysis, gpmi_sign, teamlead
):
    version = services.version_create(
        actor=counsellor,
        gpmi=gpmi_contract,
        data=gpmi_version_data(start_date=D(2026, 4, 1), end_date=D(2027, 3, 31)),
    )
    with at(2026, 3, 10):
        services.version_present(actor=counsellor, version=version, on=D(2026, 3, 2))
        gpmi_sign(version, D(2026, 3, 9))
        assert fresh(version).status == VersionStatus.SIGNED
    with at(2026, 3, 31):
        assert services.version_activate_due(actor=teamlead) == 0
    assert fresh(version).status == VersionStatus.SIGNED
    with at(2026, 4, 1):
        assert services.version_activate_due(actor=teamlead) == 1
    assert fresh(version).status == VersionStatus.ACTIVE
    assert changes(version)[-1] == ("signed", "active")
    assert VersionChange.objects.get(version=version, to_status="active").by == teamlead


# --- withdrawn ---------------------------------------------------------------------------


def test_a_draft_can_be_withdrawn_with_a_reason(counsellor, gpmi_draft):
    with pytest.raises(ValidationError):
        services.version_withdraw(actor=counsellor, version=gpmi_draft, reason=" ")
    assert fresh(gpmi_draft).status == VersionStatus.DRAFT
    services.version_withdraw(actor=counsellor, version=gpmi_draft, reason="Dubbel aangemaakt")
    assert fresh(gpmi_draft).status == VersionStatus.WITHDRAWN
    change = VersionChange.objects.get(version=gpmi_draft, to_status="withdrawn")
    assert (change.from_status, change.by, change.reason) == (
        "draft",
        counsellor,
        "Dubbel aangemaakt",
    )


def test_a_presented_version_can_be_withdrawn_and_a_new_one_started(
    counsellor, gpmi_draft, gpmi_needs_analysis
):
    with at(2026, 3, 2):
        services.version_present(actor=counsellor, version=gpmi_draft)
    services.version_withdraw(
        actor=counsellor, version=gpmi_draft, reason="De cliënt wil een andere opleiding"
    )
    assert fresh(gpmi_draft).status == VersionStatus.WITHDRAWN
    second = services.version_create(
        actor=counsellor, gpmi=gpmi_draft.gpmi, data=gpmi_version_data()
    )
    assert (second.number, second.status) == (2, VersionStatus.DRAFT)


def test_a_signed_contract_cannot_be_withdrawn(counsellor, gpmi_signed):
    with pytest.raises(ValidationError) as error:
        services.version_withdraw(actor=counsellor, version=gpmi_signed, reason="Vergissing")
    assert "end it" in error.value.messages[0]
    assert fresh(gpmi_signed).status == VersionStatus.ACTIVE


def test_a_withdrawn_version_cannot_be_presented_or_signed(
    counsellor, gpmi_draft, gpmi_needs_analysis, gpmi_sign
):
    services.version_withdraw(actor=counsellor, version=gpmi_draft, reason="Dubbel")
    with at(2026, 3, 10):
        with pytest.raises(ValidationError):
            services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 2))
        with pytest.raises(ValidationError):
            gpmi_sign(gpmi_draft, D(2026, 3, 9))
    assert fresh(gpmi_draft).status == VersionStatus.WITHDRAWN


# --- active → ended -----------------------------------------------------------------------


def test_the_running_contract_ends_with_a_reason(counsellor, gpmi_signed):
    with at(2026, 9, 1):
        services.version_end(
            actor=counsellor,
            version=gpmi_signed,
            reason=EndReason.LEEFLOON_ENDED,
            note="Werk gevonden",
        )
    version = fresh(gpmi_signed)
    assert version.status == VersionStatus.ENDED
    assert (version.ended_on, version.end_reason) == (D(2026, 9, 1), "leefloon_ended")
    change = VersionChange.objects.get(version=version, to_status="ended")
    assert change.from_status == "active"
    assert change.by == counsellor
    assert change.at.date() == D(2026, 9, 1)
    assert change.reason == "Leefloon ended: Werk gevonden"


@pytest.mark.parametrize("reason", ["", "whatever", EndReason.REPLACED])
def test_ending_needs_a_valid_reason(counsellor, gpmi_signed, reason):
    with at(2026, 9, 1), pytest.raises(ValidationError) as error:
        services.version_end(actor=counsellor, version=gpmi_signed, reason=reason)
    assert "end_reason" in error.value.message_dict
    assert fresh(gpmi_signed).status == VersionStatus.ACTIVE


def test_a_contract_cannot_end_before_it_started(counsellor, gpmi_signed):
    with at(2026, 9, 1), pytest.raises(ValidationError) as error:
        services.version_end(
            actor=counsellor,
            version=gpmi_signed,
            reason=EndReason.OTHER,
            on=D(2026, 2, 28),
        )
    assert "ended_on" in error.value.message_dict
    assert fresh(gpmi_signed).status == VersionStatus.ACTIVE


def test_a_contract_cannot_end_in_the_future(counsellor, gpmi_signed):
    with at(2026, 9, 1), pytest.raises(ValidationError):
        services.version_end(
            actor=counsellor, version=gpmi_signed, reason=EndReason.MOVED, on=D(2026, 9, 2)
        )
    assert fresh(gpmi_signed).status == VersionStatus.ACTIVE


def test_only_the_running_contract_can_be_ended(counsellor, gpmi_draft):
    with pytest.raises(ValidationError):
        services.version_end(actor=counsellor, version=gpmi_draft, reason=EndReason.END_OF_TERM)
    assert fresh(gpmi_draft).status == VersionStatus.DRAFT


def test_an_ended_contract_cannot_be_ended_again_or_withdrawn(counsellor, gpmi_signed):
    with at(2026, 9, 1):
        services.version_end(actor=counsellor, version=gpmi_signed, reason=EndReason.MOVED)
        with pytest.raises(ValidationError):
            services.version_end(
                actor=counsellor, version=gpmi_signed, reason=EndReason.END_OF_TERM
            )
        with pytest.raises(ValidationError):
            services.version_withdraw(actor=counsellor, version=gpmi_signed, reason="x")
    version = fresh(gpmi_signed)
    assert (version.status, version.end_reason) == (VersionStatus.ENDED, "moved")


# --- amendments: a newer signed version replaces the running one -------------------------


def test_a_signed_amendment_replaces_the_running_version(counsellor, gpmi_signed, gpmi_sign):
    gpmi = gpmi_signed.gpmi
    with at(2026, 6, 15):
        amendment = services.version_create(
            actor=counsellor,
            gpmi=gpmi,
            data=services.version_prefill(gpmi=gpmi) | {"objectives": ["Nieuwe doelstelling"]},
        )
        assert amendment.number == 2
        assert amendment.start_date == D(2026, 6, 15)
        services.version_present(actor=counsellor, version=amendment, on=D(2026, 6, 8))
        gpmi_sign(amendment, D(2026, 6, 15))
    first, second = fresh(gpmi_signed), fresh(amendment)
    assert second.status == VersionStatus.ACTIVE
    assert first.status == VersionStatus.ENDED
    assert (first.end_reason, first.ended_on) == (EndReason.REPLACED, D(2026, 6, 15))
    assert gpmi.versions.filter(status=VersionStatus.ACTIVE).count() == 1
    change = VersionChange.objects.get(version=first, to_status="ended")
    assert change.from_status == "active"
    assert "2" in change.reason
    # The first contract's PDF is untouched.
    assert first.pdf_sha256 and first.pdf_sha256 != second.pdf_sha256


def test_an_amendment_starting_later_replaces_the_running_version_on_its_start(
    counsellor, gpmi_signed, gpmi_sign, teamlead
):
    gpmi = gpmi_signed.gpmi
    with at(2026, 6, 15):
        amendment = services.version_create(
            actor=counsellor,
            gpmi=gpmi,
            data=gpmi_version_data(start_date=D(2026, 7, 1), end_date=D(2027, 6, 30)),
        )
        services.version_present(actor=counsellor, version=amendment, on=D(2026, 6, 8))
        gpmi_sign(amendment, D(2026, 6, 15))
    assert fresh(gpmi_signed).status == VersionStatus.ACTIVE
    assert fresh(amendment).status == VersionStatus.SIGNED
    with at(2026, 7, 1):
        services.version_activate_due(actor=teamlead)
    assert fresh(gpmi_signed).status == VersionStatus.ENDED
    assert fresh(gpmi_signed).ended_on == D(2026, 7, 1)
    assert fresh(amendment).status == VersionStatus.ACTIVE


def test_the_database_allows_only_one_running_version(counsellor, gpmi_signed, gpmi_sign):
    gpmi = gpmi_signed.gpmi
    with at(2026, 6, 15):
        amendment = services.version_create(
            actor=counsellor,
            gpmi=gpmi,
            data=gpmi_version_data(start_date=D(2026, 7, 1), end_date=D(2027, 6, 30)),
        )
        services.version_present(actor=counsellor, version=amendment, on=D(2026, 6, 8))
        gpmi_sign(amendment, D(2026, 6, 15))
    with pytest.raises(IntegrityError), transaction.atomic():
        GpmiVersion.objects.filter(pk=amendment.pk).update(status=VersionStatus.ACTIVE)
    assert gpmi.versions.filter(status=VersionStatus.ACTIVE).count() == 1


# --- the demo ---------------------------------------------------------------------------


def test_the_demo_has_gpmis_in_every_state_and_seeds_once():
    from django.core.management import call_command
    from django.utils import timezone

    from gpmi import selectors
    from gpmi.models import Consent

    call_command("seed_demo")
    versions = GpmiVersion.objects.all()
    assert set(versions.values_list("status", flat=True)) == set(VersionStatus.values)
    assert versions.filter(end_reason=EndReason.REPLACED).exists()
    assert Gpmi.objects.filter(type=GpmiType.EXEMPTION).exclude(exemption_reason="").exists()
    today = timezone.localdate()
    gpmis = list(Gpmi.objects.all())
    deadlines = [selectors.deadline_info(g, today) for g in gpmis]
    assert any(d.overdue for d in deadlines)
    statuses = {c.status for c in selectors.compliance_for_many(gpmis, today).values()}
    assert statuses & {"behind", "cannot_be_met"}
    assert "ok" in statuses
    # Every signed version has its stored PDF.
    assert all(
        v.pdf and v.pdf_sha256 for v in versions.filter(status__in=["signed", "active", "ended"])
    )
    consents = Consent.objects.order_by("client_id", "date")
    assert consents.filter(given=True).exists() and consents.filter(given=False).exists()

    counts = (Gpmi.objects.count(), GpmiVersion.objects.count(), VersionChange.objects.count())
    call_command("seed_demo")
    assert counts == (
        Gpmi.objects.count(),
        GpmiVersion.objects.count(),
        VersionChange.objects.count(),
    )
