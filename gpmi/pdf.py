"""Rendering GPMI contracts as PDF (WeasyPrint). Filled in by the PDF work."""

from __future__ import annotations


def render_contract(version, *, signed: bool) -> bytes:
    raise NotImplementedError
