"""The client timeline: every app's events merged, newest first, keyset-paged."""

from __future__ import annotations

import datetime

from ocmw import registries
from ocmw.registries import TimelineEntry

PAGE = 20


def client_timeline(
    *, client, user, before: datetime.datetime | None = None, limit: int = PAGE
) -> tuple[list[TimelineEntry], datetime.datetime | None]:
    """One page of the timeline and the cursor for the next page (None at the end).

    Each source returns at most ``limit + 1`` entries older than ``before`` (one
    query each), so a page costs the same whatever the length of the history.
    """
    entries: list[TimelineEntry] = []
    for source in registries.timeline_sources:
        entries.extend(source(client, user, before, limit + 1))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    return page, (page[-1].at if more and page else None)
