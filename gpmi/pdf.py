"""Rendering GPMI contracts as PDF with WeasyPrint.

The contract is ``templates/pdf/gpmi_contract.html`` rendered in the contract's
language, printed by the shared machinery of ``ocmw.pdf``: WeasyPrint with a
URL fetcher that serves only static files (``static:NAME``), the shipped fonts,
and nothing from the network. ``static_file``, ``local_fetcher`` and
``BASE_URL`` are re-exported from there.

A signed contract is rendered once as PDF/A-3u by ``gpmi.services.version_sign``
and stored with its SHA-256; it is never rendered again. The output has no
rendering time in it: the creation date is the last signature date, so the
same signed version gives the same bytes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from gpmi.models import GpmiType
from ocmw import pdf as core_pdf
from ocmw.pdf import (  # noqa: F401 - part of this module's interface
    BASE_URL,
    STATIC_SCHEME,
    LocalStaticFetcher,
    local_fetcher,
    static_file,
)

TEMPLATE = "pdf/gpmi_contract.html"
STYLESHEET = "static:pdf/contract.css"
SIGNED_VARIANT = "pdf/a-3u"
# A list item longer than this may be split over two pages; shorter ones are kept whole.
SHORT_ITEM = 600
SIGNATURES_PER_ROW = 3


# --- the data the template shows --------------------------------------------------


@dataclass
class Signatory:
    role: str
    name: str = ""
    capacity: str = ""
    signed_on: datetime.date | None = None
    asks_capacity: bool = False


@dataclass
class ThirdParty:
    name: str
    commitments: list[str] = field(default_factory=list)


def _texts(value) -> list[str]:
    """The non-empty strings of a JSON list field."""
    if not isinstance(value, list):
        return []
    return [str(item).strip() for item in value if str(item or "").strip()]


def _third_parties(version) -> list[ThirdParty]:
    """Commitments of third parties, grouped per party in the order given."""
    parties: dict[str, ThirdParty] = {}
    for row in version.commitments_third_parties or []:
        if not isinstance(row, dict):
            continue
        name = str(row.get("party") or "").strip()
        commitment = str(row.get("commitment") or "").strip()
        if not name and not commitment:
            continue
        party = parties.setdefault(name.casefold(), ThirdParty(name=name))
        if commitment:
            party.commitments.append(commitment)
    return list(parties.values())


def _latest_consent(client):
    if client.pk is None:
        return None
    # The newest row is the client's current choice (Consent.Meta.ordering).
    return client.esr_consents.order_by("-date", "-recorded_at", "-id").first()


def contract_context(version, *, signed: bool) -> dict:
    """Everything the contract template needs. Call inside the contract's language."""
    gpmi = version.gpmi
    client = gpmi.client
    third_parties = _third_parties(version)
    partners = _texts(version.partners)
    counsellor = version.counsellor
    signatories = [
        Signatory(_("The client"), client.full_name, "", version.client_signed_on),
        Signatory(
            _("For the OCMW"),
            version.ocmw_signatory_name,
            version.ocmw_signatory_capacity,
            version.ocmw_signed_on,
            asks_capacity=True,
        ),
        Signatory(
            _("The counsellor"),
            (counsellor.get_full_name() or counsellor.get_username()) if counsellor else "",
            "",
            version.counsellor_signed_on,
        ),
    ]
    # Every partner who joins signs; so does every third party that takes on commitments.
    seen: set[str] = set()
    for name in [*partners, *(p.name for p in third_parties if p.name)]:
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        signatories.append(Signatory(_("Partner"), name, "", version.partners_signed_on))
    if not signed:
        for signatory in signatories:
            signatory.signed_on = None

    signature_dates = [s.signed_on for s in signatories if s.signed_on]
    costs = [
        (_("Enrolment fees"), version.covers_enrolment),
        (_("Insurance"), version.covers_insurance),
        (_("Work clothing"), version.covers_work_clothing),
        (_("Travel costs for training or work experience"), version.covers_travel),
    ]
    language_info = translation.get_language_info(version.language)
    return {
        "version": version,
        "gpmi": gpmi,
        "client": client,
        "ocmw": client.ocmw,
        "signed": signed,
        "type_label": GpmiType(gpmi.type).label if gpmi.type in GpmiType.values else gpmi.type,
        "type_code": gpmi.type,
        "language_name": language_info["name_local"][:1].upper() + language_info["name_local"][1:],
        "objectives": _texts(version.objectives),
        "commitments_client": _texts(version.commitments_client),
        "commitments_ocmw": _texts(version.commitments_ocmw),
        "third_parties": third_parties,
        "activity_domains": _texts(version.activity_domains),
        "partners": partners,
        "costs": costs,
        "covers_other": (version.covers_other or "").strip(),
        "counsellor_name": signatories[2].name,
        "signatories": signatories,
        # Three boxes a row: the client, the OCMW and the counsellor first, then the partners.
        "signatory_rows": [
            (signatories[i : i + SIGNATURES_PER_ROW] + [None] * SIGNATURES_PER_ROW)[
                :SIGNATURES_PER_ROW
            ]
            for i in range(0, len(signatories), SIGNATURES_PER_ROW)
        ],
        "consent": _latest_consent(client),
        "created": max(signature_dates) if signed and signature_dates else None,
        "short_item": SHORT_ITEM,
    }


# --- rendering --------------------------------------------------------------------


def render_html(version, *, signed: bool) -> str:
    with translation.override(version.language):
        return render_to_string(TEMPLATE, contract_context(version, signed=signed))


def render_document(version, *, signed: bool) -> weasyprint.Document:
    """The laid-out contract (its pages), before it is written as PDF."""
    return core_pdf.render_document(render_html(version, signed=signed), stylesheet_url=STYLESHEET)


def render_contract(version, *, signed: bool) -> bytes:
    """The contract of ``version`` as PDF bytes.

    ``signed=False`` gives a draft with a DRAFT watermark on every page;
    ``signed=True`` gives the PDF/A-3u record of the signed contract, with the
    signature dates and no watermark.
    """
    options = {"pdf_variant": SIGNED_VARIANT} if signed else {}
    return core_pdf.render_pdf(
        render_html(version, signed=signed), stylesheet_url=STYLESHEET, **options
    )
