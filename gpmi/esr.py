"""The GPMI part of the electronic social report (elektronisch sociaal verslag).

When a client moves, the new OCMW asks for the social report through the
Kruispuntbank. Its GPMI part holds (seed 003): the GPMI period, the client's
consent to include the GPMI, and the last validated contract as PDF. No
consent means no export (DOMAIN.md, "The GPMI").

``build_package`` gives a ZIP with

- ``gpmi-contract-v<N>.pdf``: the stored bytes of the last signed version,
  exactly as rendered at signing (checked against the stored SHA-256; never
  rendered again);
- ``gpmi.json``: the GPMI period, the type code, the consent, the versions with
  their dates and status, and the evaluation dates.

Every download and every refusal is written to the access log.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gpmi.models import Consent, EndReason, GpmiVersion, VersionStatus
from gpmi.selectors import SIGNED_STATES
from ocmw.models import AccessAction, Client, User
from ocmw.services import access_log_record
from trajecten.models import Evaluation

FORMAT = "ocmw-gpmi-esr/1"
WHAT = "GPMI electronic social report package"
PAGE = "gpmi.esr.build_package"


class ConsentMissing(ValidationError):
    """The client has not (or no longer) consented to include the GPMI."""

    def __init__(self):
        super().__init__(
            _(
                "The client has not given consent to include the GPMI in the electronic "
                "social report (or withdrew it). Record the client's consent first; "
                "nothing was exported."
            ),
            code="consent_missing",
        )


class NoSignedContract(ValidationError):
    def __init__(self):
        super().__init__(
            _(
                "This client has no signed GPMI contract yet, so there is nothing to "
                "include in the electronic social report."
            ),
            code="no_signed_contract",
        )


def current_consent(client: Client) -> Consent | None:
    """The client's current choice: the newest consent row (given or withdrawn)."""
    return Consent.objects.filter(client=client).order_by("-date", "-recorded_at", "-id").first()


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _refuse(user: User, client: Client | None, reason: str, error: Exception, page: str):
    access_log_record(
        user=user,
        client=client,
        action=AccessAction.REFUSED,
        what=f"{WHAT}: {reason}",
        page=page,
    )
    raise error


def _last_signed(client: Client) -> GpmiVersion | None:
    return (
        GpmiVersion.objects.filter(gpmi__client=client, status__in=SIGNED_STATES)
        .select_related("gpmi")
        .annotate(_signed_on=Greatest("client_signed_on", "ocmw_signed_on", "counsellor_signed_on"))
        .order_by(F("_signed_on").desc(nulls_last=True), "-gpmi_id", "-number")
        .first()
    )


def _stored_pdf(version: GpmiVersion) -> bytes:
    if not version.pdf:
        raise ValidationError(
            _("The signed contract PDF is missing. Contact the administrator."),
            code="pdf_missing",
        )
    with version.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != version.pdf_sha256:
        raise ValidationError(
            _(
                "The stored contract PDF does not match its fingerprint (SHA-256). "
                "Nothing was exported; contact the administrator."
            ),
            code="pdf_integrity",
        )
    return data


def package_data(
    *, client: Client, version: GpmiVersion, consent: Consent, pdf_name: str
) -> dict[str, Any]:
    """The JSON document of the package."""
    gpmi = version.gpmi
    versions = list(gpmi.versions.exclude(status=VersionStatus.DRAFT).order_by("number"))
    signed = [v for v in versions if v.status in SIGNED_STATES]
    start = min(v.start_date for v in signed)
    # The period runs to the end of the version in force last: its planned end,
    # or the day it ended early (a replaced version hands over to the next one).
    last = max(signed, key=lambda v: v.number)
    end = (
        last.ended_on
        if last.status == VersionStatus.ENDED and last.end_reason != EndReason.REPLACED
        else last.end_date
    )
    evaluations = Evaluation.objects.filter(
        trajectory_id=gpmi.trajectory_id, date__gte=start, date__lte=end
    ).order_by("date", "id")
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "ocmw": str(client.ocmw),
        "client": {"insz": client.insz},
        "gpmi": {
            "type_code": gpmi.type,
            "type": str(gpmi.get_type_display()),
            "leefloon_decision_date": _iso(gpmi.leefloon_decision_date),
            "legal_deadline": _iso(gpmi.legal_deadline),
            "signed_on": _iso(min(v.signed_on for v in signed)),
            "period": {"start": _iso(start), "end": _iso(end)},
        },
        "consent": {
            "given": consent.given,
            "date": _iso(consent.date),
            "method": consent.method,
        },
        "contract": {
            "file": pdf_name,
            "version": version.number,
            "language": version.language,
            "sha256": version.pdf_sha256,
        },
        "versions": [
            {
                "number": v.number,
                "status": v.status,
                "start_date": _iso(v.start_date),
                "end_date": _iso(v.end_date),
                "presented_on": _iso(v.presented_on),
                "signed_on": _iso(v.signed_on),
                "client_signed_on": _iso(v.client_signed_on),
                "ocmw_signed_on": _iso(v.ocmw_signed_on),
                "counsellor_signed_on": _iso(v.counsellor_signed_on),
                "ended_on": _iso(v.ended_on),
                "end_reason": v.end_reason,
            }
            for v in versions
        ],
        "evaluations": [{"date": _iso(e.date), "in_person": e.in_person} for e in evaluations],
    }


def build_package(*, user: User, client: Client, page: str = PAGE) -> tuple[str, bytes]:
    """The ESR package of ``client``'s last signed GPMI contract as ``(filename, zip bytes)``.

    Refuses, with an access-log entry "refused":

    - a client ``user`` may not read the case of: ``Http404`` for a client outside
      the user's OCMW (or not visible at all), ``PermissionDenied`` for the
      intake desk's identity-only access;
    - without current consent (the client's newest ``Consent`` row is not
      "given"): ``ConsentMissing`` (code ``consent_missing``; the API answers 409);
    - without a signed contract: ``NoSignedContract`` (code ``no_signed_contract``).

    A download is logged as "export". ``page`` names the page or endpoint for the log.
    """
    visible = Client.objects.visible_to(user).filter(pk=client.pk).first()
    if visible is None:
        # Not the user's OCMW or not theirs to see: do not name that client in the log.
        _refuse(user, None, "client not found", Http404(), page)
    if not visible.access_case:
        _refuse(user, visible, "no access to the case", PermissionDenied(), page)
    consent = current_consent(visible)
    if consent is None or not consent.given:
        _refuse(user, visible, "no consent", ConsentMissing(), page)
    version = _last_signed(visible)
    if version is None:
        _refuse(user, visible, "no signed contract", NoSignedContract(), page)
    try:
        pdf = _stored_pdf(version)
    except ValidationError as error:
        _refuse(user, visible, "stored PDF unusable", error, page)
    pdf_name = f"gpmi-contract-v{version.number}.pdf"
    data = package_data(client=visible, version=version, consent=consent, pdf_name=pdf_name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(pdf_name, pdf)
        archive.writestr(
            "gpmi.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        )
    today = timezone.localdate()
    filename = f"esr-gpmi-{visible.file_number}-{today:%Y%m%d}.zip"
    access_log_record(
        user=user,
        client=visible,
        action=AccessAction.EXPORT,
        what=f"{WHAT} (GPMI {version.gpmi_id}, version {version.number})",
        page=page,
    )
    return filename, buffer.getvalue()
