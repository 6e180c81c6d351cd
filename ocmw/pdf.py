"""The PDF machinery every document of the system shares (WeasyPrint).

A document is an HTML template plus one stylesheet, both rendered here with the
same rules (DESIGN.md, "PDF"):

- WeasyPrint never touches the network or the file system at large: its URL
  fetcher serves only static files, named ``static:NAME`` (for example
  ``static:fonts/DejaVuSans.ttf``) and found through the staticfiles finders
  (or in ``STATIC_ROOT`` after collectstatic). Anything else raises
  ``ValueError`` and, because a missing font or stylesheet must not silently
  give another layout, stops the rendering.
- The fonts ship in ``static/fonts`` and are declared with ``@font-face`` in
  the stylesheet; a stylesheet and its font configuration are parsed once per
  thread (re-read on every render when DEBUG is on).
- The cyclic garbage collector pauses while a document is laid out.

Users: the GPMI contract (``gpmi.pdf``) and the annual report
(``ocmw.views.annual_report_pdf``).
"""

from __future__ import annotations

import gc
import mimetypes
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "static:"
# Relative references are not resolved against anything useful: name every
# resource ``static:NAME`` in the template and the stylesheet.
BASE_URL = STATIC_SCHEME


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


# --- stylesheets, fonts and the garbage collector ---------------------------------

_per_thread = threading.local()
_gc_lock = threading.Lock()
_gc_paused_by = 0


def stylesheet(url: str) -> tuple[weasyprint.CSS, FontConfiguration]:
    """The stylesheet ``static:NAME`` with its @font-face fonts, parsed once per
    thread (each new FontConfiguration would register the fonts again); re-read
    on every render when DEBUG is on, so CSS changes show at once."""
    cache = getattr(_per_thread, "stylesheets", None)
    if cache is None:
        cache = _per_thread.stylesheets = {}
    cached = cache.get(url)
    if cached is None or settings.DEBUG:
        font_config = FontConfiguration()
        css = weasyprint.CSS(url=url, url_fetcher=local_fetcher, font_config=font_config)
        cached = cache[url] = (css, font_config)
    return cached


@contextmanager
def cyclic_gc_paused():
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


# --- rendering --------------------------------------------------------------------


def html_document(html: str) -> weasyprint.HTML:
    """``html`` as a WeasyPrint document that may fetch static files only."""
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=local_fetcher)


def render_document(html: str, *, stylesheet_url: str) -> weasyprint.Document:
    """The laid-out document (its pages), before it is written as PDF."""
    css, font_config = stylesheet(stylesheet_url)
    with cyclic_gc_paused():
        return html_document(html).render(stylesheets=[css], font_config=font_config)


def render_pdf(html: str, *, stylesheet_url: str, **options) -> bytes:
    """``html`` printed with the stylesheet ``stylesheet_url`` (``static:NAME``) as
    PDF bytes; ``options`` go to WeasyPrint's ``write_pdf`` (e.g. ``pdf_variant``)."""
    css, font_config = stylesheet(stylesheet_url)
    with cyclic_gc_paused():
        return html_document(html).write_pdf(stylesheets=[css], font_config=font_config, **options)
