"""Python's garbage collector, tuned for a web worker.

A Django process holds a few hundred thousand long-lived objects (modules,
URL patterns, templates, translations). A full collection walks all of them
every time, 60-130 ms on these machines: a random request pays it, and it is
most of a page's 95th percentile. Once the application is loaded,
``gc.freeze()`` moves those objects out of the collector's sight, and a higher
first threshold lets a request's short-lived objects be freed by reference
counting instead of triggering collections mid-request.
"""

from __future__ import annotations

import gc

FIRST_THRESHOLD = 50_000


def settle_after_startup() -> None:
    """Call once the application is loaded (the WSGI module; the bench after warming
    up): load every view module (the URL configuration), collect what start-up left
    behind, then freeze the survivors."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's views
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_THRESHOLD, second, third)
