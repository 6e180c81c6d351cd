"""Every write of the GPMI app."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pghistory
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from gpmi.models import (
    CONTRACT_TYPES,
    Consent,
    ContractLanguage,
    EndReason,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionChange,
    VersionStatus,
)
from ocmw.models import Client, User
from trajecten.models import Goal, GoalStatus, NeedsAnalysis, Trajectory
from trajecten.services import require_case_edit

VERSION_FIELDS = (
    "language",
    "objectives",
    "commitments_client",
    "commitments_ocmw",
    "commitments_third_parties",
    "activity_domains",
    "start_date",
    "end_date",
    "deadlines",
    "evaluations_per_year",
    "evaluations_in_person",
    "evaluation_arrangements",
    "extra_aid",
    "covers_enrolment",
    "covers_insurance",
    "covers_work_clothing",
    "covers_travel",
    "covers_other",
    "partners",
    "assisting_person",
)


class StaleVersion(ValidationError):
    def __init__(self):
        super().__init__(
            _("This contract changed meanwhile. Nothing was changed; reload and try again."),
            code="stale",
        )


@transaction.atomic
def gpmi_create(
    *,
    actor: User,
    trajectory: Trajectory,
    type: int,
    leefloon_decision_date: datetime.date | None = None,
    exemption_reason: str = "",
) -> Gpmi:
    """Start a GPMI (or record an exemption, type 8) for a client's trajectory."""
    require_case_edit(actor, trajectory.client)
    if type not in CONTRACT_TYPES and type != GpmiType.EXEMPTION:
        raise ValidationError(
            {
                "type": _(
                    "This type can no longer be chosen (community service was annulled in 2018)."
                )
            }
        )
    decision = leefloon_decision_date or trajectory.client.leefloon_decision_date
    if decision is None:
        raise ValidationError(
            {"leefloon_decision_date": _("Enter the date of the leefloon decision.")}
        )
    if decision > timezone.localdate():
        raise ValidationError(
            {"leefloon_decision_date": _("The decision date cannot be in the future.")}
        )
    gpmi = Gpmi(
        client=trajectory.client,
        trajectory=trajectory,
        type=type,
        leefloon_decision_date=decision,
        exemption_reason=exemption_reason.strip(),
        created_by=actor,
    )
    gpmi.full_clean()
    with pghistory.context(user=actor.pk):
        gpmi.save()
    return gpmi


def version_prefill(*, gpmi: Gpmi) -> dict[str, Any]:
    """Proposed contents for a new version: from the previous version, or from the
    latest needs analysis and the open plan goals. A proposal only: the form
    shows it and the counsellor changes what they want."""
    today = timezone.localdate()
    previous = gpmi.versions.order_by("-number").first()
    if previous is not None:
        data = {name: getattr(previous, name) for name in VERSION_FIELDS}
        data["start_date"] = today
        if previous.end_date <= today:
            data["end_date"] = today + relativedelta(years=1)
        return data
    client = gpmi.client
    analysis = NeedsAnalysis.objects.filter(client=client).order_by("-version").first()
    goals = Goal.objects.filter(trajectory=gpmi.trajectory, status=GoalStatus.OPEN).order_by("id")
    domains = []
    if analysis is not None:
        domains = [
            label for label, _situation, _needs, support in analysis.domain_rows() if support
        ]
    language = client.preferred_language if client.preferred_language in ("nl", "fr") else "nl"
    return {
        "language": language,
        "objectives": [goal.title for goal in goals]
        or ([analysis.own_project] if analysis and analysis.own_project else []),
        "commitments_client": [],
        "commitments_ocmw": [],
        "commitments_third_parties": [],
        "activity_domains": [str(d) for d in domains],
        "start_date": today,
        # relativedelta: today.replace(year=...) fails on 29 February.
        "end_date": today + relativedelta(years=1),
        "evaluations_per_year": 3,
        "evaluations_in_person": 2,
        "partners": [],
    }


@transaction.atomic
def version_create(*, actor: User, gpmi: Gpmi, data: dict[str, Any]) -> GpmiVersion:
    """A new draft version (the first one, or an amendment)."""
    require_case_edit(actor, gpmi.client)
    if gpmi.is_exemption:
        raise ValidationError(_("An exemption has no contract versions."))
    if gpmi.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.PRESENTED]).exists():
        raise ValidationError(
            _("Finish or withdraw the version that is being prepared before starting another.")
        )
    number = (gpmi.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = GpmiVersion(
        gpmi=gpmi,
        number=number,
        created_by=actor,
        counsellor=gpmi.trajectory.counsellor,
        **{k: v for k, v in data.items() if k in VERSION_FIELDS},
    )
    if not version.language:
        version.language = (
            gpmi.client.preferred_language
            if gpmi.client.preferred_language in ContractLanguage.values
            else ContractLanguage.DUTCH
        )
    version.full_clean()
    with pghistory.context(user=actor.pk):
        version.save()
    _record(version, "", VersionStatus.DRAFT, actor, "")
    return version


@transaction.atomic
def version_update(
    *, actor: User, version: GpmiVersion, data: dict[str, Any], updated_at=None
) -> GpmiVersion:
    """Change a draft. A presented or signed version is never edited: amend instead."""
    require_case_edit(actor, version.gpmi.client)
    current = GpmiVersion.objects.select_for_update().get(pk=version.pk)
    if current.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Only a draft can be changed. Make a new version to amend a contract.")
        )
    if updated_at is not None and current.updated_at != updated_at:
        raise StaleVersion()
    for key, value in data.items():
        if key in VERSION_FIELDS:
            setattr(current, key, value)
    current.full_clean()
    with pghistory.context(user=actor.pk):
        current.save()
    return current


def _record(version: GpmiVersion, source: str, target: str, actor: User, reason: str) -> None:
    VersionChange.objects.create(
        version=version, from_status=source, to_status=target, by=actor, reason=reason[:2000]
    )


def _locked(version: GpmiVersion) -> GpmiVersion:
    return GpmiVersion.objects.select_for_update().select_related("gpmi__client").get(pk=version.pk)


def _save_transition(current: GpmiVersion, actor: User, source: str, reason: str) -> None:
    try:
        with pghistory.context(user=actor.pk):
            current.save()
    except ConcurrentTransition:
        raise StaleVersion()
    _record(current, source, current.status, actor, reason)


@transaction.atomic
def version_present(
    *, actor: User, version: GpmiVersion, on: datetime.date | None = None
) -> GpmiVersion:
    require_case_edit(actor, version.gpmi.client)
    current = _locked(version)
    if current.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be presented."))
    if not current.gpmi.client.needs_analyses.exists():
        raise ValidationError(
            _("Record a needs analysis (sociale balans) before presenting the contract.")
        )
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"presented_on": _("The date cannot be in the future.")})
    source = current.status
    current.present(on)
    _save_transition(current, actor, source, "")
    return current


@transaction.atomic
def version_sign(
    *,
    actor: User,
    version: GpmiVersion,
    ocmw_signatory_name: str,
    ocmw_signatory_capacity: str,
    client_signed_on: datetime.date,
    ocmw_signed_on: datetime.date,
    counsellor_signed_on: datetime.date,
    partners_signed_on: datetime.date | None = None,
    reflection_waived: bool = False,
    reflection_waiver_note: str = "",
) -> GpmiVersion:
    """Record the signatures. Refused inside the 5-day reflection period unless the
    client explicitly waived it. The signed PDF is rendered once, right here."""
    require_case_edit(actor, version.gpmi.client)
    current = _locked(version)
    if current.status != VersionStatus.PRESENTED:
        raise ValidationError(_("Only a presented contract can be signed."))
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not ocmw_signatory_name.strip():
        errors["ocmw_signatory_name"] = _("Who signed for the OCMW?")
    if not ocmw_signatory_capacity.strip():
        errors["ocmw_signatory_capacity"] = _("In which capacity did they sign?")
    for field, value in (
        ("client_signed_on", client_signed_on),
        ("ocmw_signed_on", ocmw_signed_on),
        ("counsellor_signed_on", counsellor_signed_on),
    ):
        if value is None:
            errors[field] = _("Enter the date of this signature.")
        elif value > today:
            errors[field] = _("A signature cannot be dated in the future.")
        elif current.presented_on and value < current.presented_on:
            errors[field] = _("A signature cannot come before the contract was presented.")
    if reflection_waived and not reflection_waiver_note.strip():
        errors["reflection_waiver_note"] = _("Record how the client waived the reflection period.")
    if errors:
        raise ValidationError(errors)
    ends = current.reflection_ends_on
    if not reflection_waived and ends and client_signed_on < ends:
        raise ValidationError(
            {
                "client_signed_on": _(
                    "The client has until %(date)s to reflect (5 calendar days). Sign from "
                    "that day on, or record the client's explicit waiver."
                )
                % {"date": ends.strftime("%d/%m/%Y")}
            }
        )
    current.ocmw_signatory_name = ocmw_signatory_name.strip()[:200]
    current.ocmw_signatory_capacity = ocmw_signatory_capacity.strip()[:200]
    current.client_signed_on = client_signed_on
    current.ocmw_signed_on = ocmw_signed_on
    current.counsellor_signed_on = counsellor_signed_on
    current.partners_signed_on = partners_signed_on
    current.reflection_waived = reflection_waived
    current.reflection_waiver_note = reflection_waiver_note.strip()[:2000]
    current.counsellor = current.gpmi.trajectory.counsellor
    source = current.status
    try:
        current.sign()
    except TransitionNotAllowed:
        raise ValidationError(_("This contract cannot be signed yet."))
    _save_transition(current, actor, source, "")
    _mark_concluded(current, actor)
    _store_signed_pdf(current)
    if current.start_date <= today:
        _activate(current, actor)
    return current


def _mark_concluded(version: GpmiVersion, actor: User) -> None:
    """``Gpmi.concluded``: the GPMI has a signed version from now on. Signing is the
    only way into the concluded statuses (signed, then running, then ended) and
    none leads back, so the flag is set here and never cleared."""
    with pghistory.context(user=actor.pk):
        Gpmi.objects.filter(pk=version.gpmi_id, concluded=False).update(concluded=True)
    version.gpmi.concluded = True


def _store_signed_pdf(version: GpmiVersion) -> None:
    from gpmi.pdf import render_contract

    data = render_contract(version, signed=True)
    version.pdf_sha256 = hashlib.sha256(data).hexdigest()
    version.pdf.save(f"gpmi-{version.gpmi_id}-v{version.number}.pdf", ContentFile(data), save=False)
    GpmiVersion.objects.filter(pk=version.pk).update(
        pdf=version.pdf.name, pdf_sha256=version.pdf_sha256
    )


def _activate(version: GpmiVersion, actor: User) -> None:
    """Make ``version`` the running contract, ending the one it replaces on the day
    the new one took over: its start, or its signing if that came later."""
    previous = (
        GpmiVersion.objects.select_for_update()
        .filter(gpmi_id=version.gpmi_id, status=VersionStatus.ACTIVE)
        .exclude(pk=version.pk)
        .first()
    )
    if previous is not None:
        source = previous.status
        took_over = max(version.start_date, version.signed_on or version.start_date)
        previous.end(EndReason.REPLACED, max(took_over, previous.start_date))
        _save_transition(
            previous, actor, source, _("Replaced by version %(n)s") % {"n": version.number}
        )
    source = version.status
    version.activate()
    try:
        _save_transition(version, actor, source, "")
    except IntegrityError:
        raise ValidationError(_("This GPMI already has a running version."))


@transaction.atomic
def version_activate_due(*, actor: User, today: datetime.date | None = None) -> int:
    """Activate signed versions whose start date has come (run daily)."""
    today = today or timezone.localdate()
    count = 0
    # In version order, so that of two due amendments the newest ends up running.
    due = (
        GpmiVersion.objects.select_for_update(skip_locked=True)
        .filter(status=VersionStatus.SIGNED, start_date__lte=today)
        .order_by("gpmi_id", "number")
    )
    for version in due:
        _activate(version, actor)
        count += 1
    return count


@transaction.atomic
def version_end(
    *,
    actor: User,
    version: GpmiVersion,
    reason: str,
    on: datetime.date | None = None,
    note: str = "",
) -> GpmiVersion:
    """End the running contract with a reason. "Replaced" is not a choice here:
    signing a new version replaces the running one by itself."""
    require_case_edit(actor, version.gpmi.client)
    current = _locked(version)
    if reason not in EndReason.values or reason == EndReason.REPLACED:
        raise ValidationError({"end_reason": _("Choose why the contract ends.")})
    if current.status != VersionStatus.ACTIVE:
        raise ValidationError(_("Only the running contract can be ended."))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"ended_on": _("The date cannot be in the future.")})
    if on < current.start_date:
        raise ValidationError(
            {
                "ended_on": _("A contract cannot end before it started (%(date)s).")
                % {"date": current.start_date.strftime("%d/%m/%Y")}
            }
        )
    source = current.status
    current.end(reason, on)
    why = str(current.get_end_reason_display())
    if note.strip():
        why = f"{why}: {note.strip()}"
    _save_transition(current, actor, source, why)
    return current


@transaction.atomic
def version_withdraw(*, actor: User, version: GpmiVersion, reason: str) -> GpmiVersion:
    require_case_edit(actor, version.gpmi.client)
    current = _locked(version)
    if current.status not in (VersionStatus.DRAFT, VersionStatus.PRESENTED):
        raise ValidationError(_("A signed contract cannot be withdrawn; end it instead."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason for withdrawing.")})
    source = current.status
    current.withdraw()
    _save_transition(current, actor, source, reason.strip())
    return current


@transaction.atomic
def consent_record(
    *,
    actor: User,
    client: Client,
    given: bool,
    date: datetime.date,
    method: str,
    note: str = "",
) -> Consent:
    """Consent to include the GPMI in the electronic social report (or its withdrawal)."""
    require_case_edit(actor, client)
    consent = Consent(
        client=client, given=given, date=date, method=method, note=note.strip(), recorded_by=actor
    )
    consent.full_clean()
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    # The newest row (by date) is the current choice: a row dated before it would
    # silently not count, so refuse it.
    latest = Consent.objects.filter(client=client).order_by("-date").first()
    if latest is not None and date < latest.date:
        raise ValidationError(
            {
                "date": _(
                    "The last choice of this client was recorded on %(date)s; "
                    "use that date or later."
                )
                % {"date": latest.date.strftime("%d/%m/%Y")}
            }
        )
    with pghistory.context(user=actor.pk):
        consent.save()
    return consent
