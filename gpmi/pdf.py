"""Rendering GPMI contracts as PDF with WeasyPrint.

The contract is ``templates/pdf/gpmi_contract.html`` rendered in the contract's
language. WeasyPrint never touches the network or the file system at large: its
URL fetcher serves only static files, named ``static:NAME`` (for example
``static:fonts/DejaVuSans.ttf``) and found through the staticfiles finders (or
in ``STATIC_ROOT`` after collectstatic). Anything else raises ``ValueError``
and, because a missing font or stylesheet must not silently give another
layout, stops the rendering.

A signed contract is rendered once as PDF/A-3u by ``gpmi.services.version_sign``
and stored with its SHA-256; it is never rendered again. The output has no
rendering time in it: the creation date is the last signature date, so the
same signed version gives the same bytes.
"""

from __future__ import annotations

import datetime
import gc
import mimetypes
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from django.utils._os import safe_join
from django.utils.translation import gettext as _
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from gpmi.models import GpmiType

TEMPLATE = "pdf/gpmi_contract.html"
STYLESHEET = "static:pdf/contract.css"
STATIC_SCHEME = "static:"
# Relative references are not resolved against anything useful: name every
# resource ``static:NAME`` in the template and the stylesheet.
BASE_URL = STATIC_SCHEME
SIGNED_VARIANT = "pdf/a-3u"
# A list item longer than this may be split over two pages; shorter ones are kept whole.
SHORT_ITEM = 600
SIGNATURES_PER_ROW = 3


def static_file(url: str) -> Path:
    """The local static file behind a ``static:NAME`` URL, or ``ValueError``."""
    if not isinstance(url, str) or not url.startswith(STATIC_SCHEME):
        raise ValueError(f"A PDF may only use static files (static:NAME), not {url!r}.")
    name = unquote(url.removeprefix(STATIC_SCHEME).split("?", 1)[0].split("#", 1)[0])
    parts = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"Not a static file name: {name!r}.")
    found = finders.find(name)
    if not found and settings.STATIC_ROOT:
        try:
            candidate = Path(safe_join(str(settings.STATIC_ROOT), name))
        except SuspiciousFileOperation as exc:
            raise ValueError(str(exc)) from exc
        found = str(candidate) if candidate.is_file() else None
    if not found:
        raise ValueError(f"No static file {name!r}.")
    return Path(found)


class LocalStaticFetcher(URLFetcher):
    """WeasyPrint's fetcher, reduced to static files: no network, no other paths."""

    def __init__(self) -> None:
        super().__init__(fail_on_errors=True)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_file(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})


local_fetcher = LocalStaticFetcher()


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

_per_thread = threading.local()
_gc_lock = threading.Lock()
_gc_paused_by = 0


def _stylesheet() -> tuple[weasyprint.CSS, FontConfiguration]:
    """The contract stylesheet with its @font-face fonts, parsed once per thread
    (each new FontConfiguration would register the fonts again); re-read on every
    render when DEBUG is on, so CSS changes show at once."""
    cached = getattr(_per_thread, "stylesheet", None)
    if cached is None or settings.DEBUG:
        font_config = FontConfiguration()
        css = weasyprint.CSS(url=STYLESHEET, url_fetcher=local_fetcher, font_config=font_config)
        cached = _per_thread.stylesheet = (css, font_config)
    return cached


@contextmanager
def _cyclic_gc_paused():
    """WeasyPrint makes hundreds of thousands of short-lived objects; the cyclic
    garbage collector would walk the whole Django heap many times meanwhile
    (about a fifth of the rendering time). Reference counting still frees memory;
    the collector runs again as soon as the last rendering in the process ends."""
    global _gc_paused_by
    with _gc_lock:
        if _gc_paused_by == 0 and not gc.isenabled():
            paused = False  # someone else turned it off: leave it alone
        else:
            paused = True
            _gc_paused_by += 1
            gc.disable()
    try:
        yield
    finally:
        if paused:
            with _gc_lock:
                _gc_paused_by -= 1
                if _gc_paused_by == 0:
                    gc.enable()


def render_html(version, *, signed: bool) -> str:
    with translation.override(version.language):
        return render_to_string(TEMPLATE, contract_context(version, signed=signed))


def _html(version, *, signed: bool) -> weasyprint.HTML:
    return weasyprint.HTML(
        string=render_html(version, signed=signed), base_url=BASE_URL, url_fetcher=local_fetcher
    )


def render_document(version, *, signed: bool) -> weasyprint.Document:
    """The laid-out contract (its pages), before it is written as PDF."""
    css, font_config = _stylesheet()
    with _cyclic_gc_paused():
        return _html(version, signed=signed).render(stylesheets=[css], font_config=font_config)


def render_contract(version, *, signed: bool) -> bytes:
    """The contract of ``version`` as PDF bytes.

    ``signed=False`` gives a draft with a DRAFT watermark on every page;
    ``signed=True`` gives the PDF/A-3u record of the signed contract, with the
    signature dates and no watermark.
    """
    css, font_config = _stylesheet()
    options = {"pdf_variant": SIGNED_VARIANT} if signed else {}
    with _cyclic_gc_paused():
        return _html(version, signed=signed).write_pdf(
            stylesheets=[css], font_config=font_config, **options
        )
