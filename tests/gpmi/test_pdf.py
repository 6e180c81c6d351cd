"""The GPMI contract PDF: real WeasyPrint, text extracted with pypdf.

Headings are compared with ``gettext`` of their msgid under the contract's
language, so the tests hold before and after the catalogues are filled;
language-independent content (INSZ, dates, objectives) is compared literally.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re

import pytest
import weasyprint
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from gpmi import pdf
from gpmi import services as gpmi_services
from gpmi.models import ConsentMethod, GpmiType
from ocmw import insz
from tests.factories import ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services

# The headings of every mandatory part of the contract (DOMAIN.md, "The GPMI").
SECTION_HEADINGS = [
    "Individualised project for social integration (GPMI)",
    "The parties",
    "The client",
    "The OCMW",
    "Person assisting the client",
    "Partners who join",
    "The project",
    "Type of GPMI",
    "Leefloon decision date",
    "Period",
    "Objectives",
    "Commitments",
    "Commitments of the client",
    "Commitments of the OCMW",
    "Commitments of third parties",
    "Activity domains",
    "Duration and deadlines",
    "Evaluation",
    "Extra aid or incentive premium",
    "Costs covered by the OCMW",
    "Enrolment fees",
    "Insurance",
    "Work clothing",
    "Travel costs for training or work experience",
    "Other costs",
    "Rights and obligations",
    "Reflection period",
    "Right to an interview",
    "Amendment",
    "Sanction",
    "Electronic social report",
    "Signatures",
    "For the OCMW",
    "The counsellor",
    "Partner",
]


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, with runs of white space made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))


def xmp(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def translated(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


@pytest.fixture
def fr_draft(counsellor, gpmi_draft):
    """``gpmi_draft`` with French as contract language and French contents."""
    return gpmi_services.version_update(
        actor=counsellor,
        version=gpmi_draft,
        data=gpmi_version_data(
            language="fr",
            objectives=["Suivre une formation en logistique", "Français niveau B1"],
            commitments_client=["Assister à chaque cours"],
            commitments_ocmw=["Payer les frais d'inscription"],
            commitments_third_parties=[{"party": "Actiris", "commitment": "Offrir un stage"}],
            partners=["Actiris"],
            assisting_person="Nadia Benali",
        ),
    )


@pytest.fixture
def rtl_client_version(counsellor, spi_team):
    """A draft for a client with an Arabic and Hebrew name, 50 objectives and a
    5,000-character paragraph."""
    born = datetime.date(1990, 6, 15)
    client = ClientFactory(
        responsible_social_worker=counsellor,
        first_name="محمد",
        last_name="כהן El Idrissi",
        birth_date=born,
        insz=insz.build(born, 211),
        leefloon_decision_date=datetime.date(2025, 12, 1),
        preferred_language="fr",
    )
    trajectory = trajecten_services.trajectory_open(
        actor=counsellor, client=client, counsellor=counsellor, team=spi_team
    )
    gpmi = gpmi_services.gpmi_create(
        actor=counsellor, trajectory=trajectory, type=GpmiType.STUDIES_FULL_TIME
    )
    paragraph = ("Une phrase assez longue pour remplir la page, encore et encore. " * 80)[:4700]
    paragraph += " " + "x" * 299  # one unbreakable word longer than a line
    return gpmi_services.version_create(
        actor=counsellor,
        gpmi=gpmi,
        data=gpmi_version_data(
            language="fr",
            objectives=[f"Objectif numéro {n} : avancer d'une étape." for n in range(1, 51)],
            deadlines=paragraph[:5000],
        ),
    )


# --- contents -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_mandatory_section_in_the_contract_language(language, gpmi_draft, fr_draft, spi_case):
    version = fr_draft if language == "fr" else gpmi_draft
    assert version.language == language
    text = pdf_text(pdf.render_contract(version, signed=False))

    for msgid in SECTION_HEADINGS:
        heading = translated(language, msgid)
        assert heading in text, f"{language}: missing {heading!r}"
    # The client's identity and the contract's contents, as the law asks.
    assert spi_case.full_name in text
    assert spi_case.insz_display in text
    assert re.fullmatch(r"\d\d\.\d\d\.\d\d-\d{3}\.\d\d", spi_case.insz_display)
    assert spi_case.birth_date.strftime("%d/%m/%Y") in text
    assert "03/11/2025" in text  # the leefloon decision date
    assert "01/03/2026" in text and "28/02/2027" in text  # the period
    assert "(11)" in text  # the GPMI type code
    for objective in version.objectives:
        assert objective in text
    for item in version.commitments_client + version.commitments_ocmw:
        assert item in text
    third = version.commitments_third_parties[0]
    assert third["party"] in text and third["commitment"] in text
    assert spi_case.ocmw.name in text
    assert "Koen De Backer" in text  # the counsellor
    assert {"nl": "Nederlands", "fr": "Français"}[language] in text
    with translation.override(language):
        evaluation = gettext(
            "The project is evaluated at least %(n)s times a year, at least %(m)s times of "
            "which in a personal meeting with the client."
        ) % {"n": 3, "m": 2}
        reflection = gettext(
            "Before signing, the client has a reflection period of 5 calendar days after the "
            "contract was presented to them."
        )
    assert evaluation in text
    assert reflection in text


def test_every_page_has_version_and_page_numbers(rtl_client_version):
    pages = pdf_pages(pdf.render_contract(rtl_client_version, signed=False))
    version_label = f"{translated('fr', 'version')} {rtl_client_version.number}"
    page_label = translated("fr", "Page")
    for number, text in enumerate(pages, start=1):
        assert f"{page_label} {number} / {len(pages)}" in text
        assert version_label in text


def test_a_draft_has_a_watermark_on_every_page(gpmi_draft, fr_draft):
    pages = pdf_pages(pdf.render_contract(fr_draft, signed=False))
    watermark = translated("fr", "DRAFT")
    assert all(watermark in page for page in pages)


def test_the_signed_contract_is_stored_as_pdfa_with_its_hash(gpmi_signed):
    stored = gpmi_signed.pdf.read()
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == gpmi_signed.pdf_sha256
    metadata = xmp(stored)
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', metadata)
    assert re.search(r'pdfaid:conformance="U"|<pdfaid:conformance>U</pdfaid:conformance>', metadata)

    text = pdf_text(stored)
    assert translated("nl", "DRAFT") not in text
    assert "Marc Voorzitter" in text and "Voorzitter" in text
    assert "09/03/2026" in text  # the signature dates
    assert translated("nl", "Signed on %(date)s") % {"date": "09/03/2026"} in text


def test_the_signed_rendering_does_not_depend_on_the_time_it_is_made(gpmi_signed):
    """Nothing in the PDF changes with the clock: what is stored is the contract."""
    stored = gpmi_signed.pdf.read()
    assert pdf.render_contract(gpmi_signed, signed=True) == stored


def test_the_consent_for_the_electronic_social_report_is_printed(counsellor, spi_case, gpmi_draft):
    text = pdf_text(pdf.render_contract(gpmi_draft, signed=False))
    # No consent recorded yet: the paper draft has boxes to tick.
    assert translated("nl", "The client agrees.") in text
    assert translated("nl", "The client does not agree.") in text

    gpmi_services.consent_record(
        actor=counsellor,
        client=spi_case,
        given=True,
        date=datetime.date(2026, 3, 2),
        method=ConsentMethod.WRITTEN,
    )
    text = pdf_text(pdf.render_contract(gpmi_draft, signed=False))
    given = translated("nl", "The client gave this consent on %(date)s.") % {"date": "02/03/2026"}
    assert given in text
    assert translated("nl", "The client does not agree.") not in text


# --- bad input ------------------------------------------------------------------


def test_markup_in_the_contents_is_printed_as_text(counsellor, gpmi_draft):
    version = gpmi_services.version_update(
        actor=counsellor,
        version=gpmi_draft,
        data={
            "objectives": ["<script>alert('x')</script>", "<b>vet</b> & <i>schuin</i>"],
            "assisting_person": '<img src="http://example.com/x.png">',
        },
    )
    html = pdf.render_html(version, signed=False)
    assert "<script>" not in html and "<b>vet" not in html and '<img src="http' not in html
    text = pdf_text(pdf.render_contract(version, signed=False))
    assert "<script>alert('x')</script>" in text
    assert "<b>vet</b> & <i>schuin</i>" in text
    assert '<img src="http://example.com/x.png">' in text


def _lines_overflowing(document) -> list[str]:
    """Line boxes that stick out of the page's content area."""
    out = []
    for page in document.pages:
        box = page._page_box
        right = box.content_box_x() + box.width
        for descendant in box.descendants():
            if type(descendant).__name__ == "LineBox":
                if descendant.position_x + descendant.width > right + 0.5:
                    out.append(str(descendant))
    return out


def test_a_long_contract_with_a_right_to_left_name_paginates(rtl_client_version):
    data = pdf.render_contract(rtl_client_version, signed=False)
    pages = pdf_pages(data)
    text = " ".join(pages)
    assert len(pages) > 1
    assert "Objectif numéro 1 :" in text
    assert "Objectif numéro 50 : avancer d'une étape." in text
    assert "x" * 40 in text  # the unbreakable word was wrapped, not cut off
    assert "El Idrissi" in text
    document = pdf.render_document(rtl_client_version, signed=False)
    assert _lines_overflowing(document) == []
    # The right-to-left names are in the PDF as text, not as missing-glyph boxes.
    assert any(ch in text for ch in "محمد") and any(ch in text for ch in "כהן")


# --- no network -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://example.com/font.ttf",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "static:../../../etc/passwd",
        "static:/etc/passwd",
        "static:fonts/../../../gpmi/models.py",
        "static:does/not/exist.css",
        "pdf/contract.css",
    ],
)
def test_the_url_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ValueError):
        pdf.local_fetcher(url)


def test_the_url_fetcher_serves_the_shipped_fonts_and_stylesheet():
    font = pdf.local_fetcher("static:fonts/DejaVuSans.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"
    css = pdf.local_fetcher("static:pdf/contract.css")
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()


def test_after_collectstatic_the_fetcher_reads_static_root(settings, tmp_path):
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "collected.css").write_text("p { color: red }")
    (tmp_path.parent / "secret.txt").write_text("not static")
    settings.STATIC_ROOT = tmp_path
    assert pdf.local_fetcher("static:pdf/collected.css").read() == b"p { color: red }"
    with pytest.raises(ValueError):
        pdf.local_fetcher("static:../secret.txt")


def test_a_remote_resource_stops_the_rendering():
    html = '<html><body><img src="http://example.com/tracker.png"></body></html>'
    with pytest.raises(FatalURLFetchingError):
        weasyprint.HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.local_fetcher).render()
