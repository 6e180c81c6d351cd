"""Registries through which the apps plug into core features.

The core never imports ``trajecten``, ``gpmi`` or ``spi``. Each app appends its
callables here in ``AppConfig.ready()``; the core iterates over the lists.

- ``client_handlers``: ``(staff: QuerySet[User]) -> Q`` over ``Client``, true when
  one of ``staff`` handles the client (the core adds the responsible social
  worker; the trajectory app adds the counsellor of an open trajectory). Access
  by assignment, by team and by team lead is derived from these in one place.
- ``timeline_sources``: ``(client, user) -> iterable of TimelineEntry``.
- ``deadline_rules``: ``(ocmw, today) -> iterable of (kind, subject, staff, due)``.
- ``team_figures``: ``(team, user) -> dict`` of figures for the team overview.
- ``report_sections``: ``(ocmw, year, user) -> section`` for the annual report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

client_handlers: list[Callable[..., Any]] = []
timeline_sources: list[Callable[..., Any]] = []
deadline_rules: list[Callable[..., Any]] = []
team_figures: list[Callable[..., Any]] = []
report_sections: list[Callable[..., Any]] = []
