"""Registries through which the apps plug into core features.

The core never imports ``trajecten``, ``gpmi`` or ``spi``. Each app appends its
callables here in ``AppConfig.ready()``; the core iterates over the lists.

- ``client_handlers``: ``(staff) -> QuerySet`` of the rows that make one of ``staff``
  (anything ``__in=`` takes: a queryset of users, a list of ids or a subquery of
  ids) handle a client, each naming it in ``client_id`` (the core adds
  the responsible social worker; the trajectory app adds the open trajectories of
  a counsellor). Access by assignment, by team and by team lead is derived from
  these in one place (``ocmw.models.handled_by``): as a ``UNION ALL`` of client ids
  for sets of clients, and as ``EXISTS`` on the client's rows for one client.
- ``client_panels``: ``(request, client) -> list[Panel]``: sections of the client
  file page (only called when the user may read the case content).
- ``home_panels``: ``(request) -> list[Panel]``: sections of the role home page.
- ``timeline_sources``: ``(client, user, before, limit) -> list[TimelineEntry]``,
  newest first, at most ``limit`` entries strictly older than ``before``.
- ``deadline_rules``: ``(today) -> list[DeadlineHit]``, set-based, decorated with
  ``ocmw.reminders.deadline_rule`` (kind, subject type, label, lead days, live
  subjects, and ``link(task) -> str``: the URL of the page that resolves a task,
  built without a query; ``link_data`` when it needs another id than the task's).
- ``team_figures``: ``(member_ids, today) -> list[TeamFigure]``: per-staff figures of
  the team overview (one or a few set-based queries each, whatever the team size).
- ``report_sections``: ``(ocmw, team_ids, year) -> list[ReportSection]`` for the
  annual report.
- ``analytics_sections``: ``(team_ids, start, end) -> list[ReportSection]`` for the
  team lead's trajectory analytics.
- ``demo_seeders``: ``(rng) -> None``: demo data of each app, run by ``seed_demo``.
- ``scale_seeders``: ``(plan: ScalePlan) -> None``: bulk synthetic data of each app,
  run by ``seed_scale`` after the core's (OCMWs, teams, staff, clients).
- ``client_activity_summaries``: ``(client_ids, today) -> {client_id: text}``: what each
  client is doing now ("art. 60 at care home X until 30/06"), one query per source.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Panel:
    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    # "header": above the tabs; "tab": one tab of the file; "side": next to the tabs.
    placement: str = "tab"


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str
    title: str
    detail: str = ""
    by: str = ""
    url: str = ""
    # Shown as "a confidential note exists" to those who may not read it.
    restricted: bool = False


@dataclass
class TeamFigure:
    """One figure of the team overview: a number per staff member, and where it leads.

    ``values`` maps staff id to a count (a missing id counts 0); ``link(staff_id)``
    is the URL of the filtered list behind that count ("" when the page is missing).
    ``kind`` says where the overview shows it:

    - ``"number"``: a column of its own, in ``order``;
    - ``"caseload"``: the open trajectories, set against each person's soft and
      hard caseload limits (one such figure);
    - ``"phase"``: one segment of the phase bar (``key`` is the phase); the figures
      of this kind, in ``order``, make up the bar;
    - ``"overdue"``: one line of "overdue tasks" (``key`` is the task kind)."""

    key: str
    label: str
    values: dict[int, Any]
    link: Callable[[int], str] | None = None
    order: int = 100
    kind: str = "number"
    # A figure above zero is a problem to look at (shown highlighted).
    alert: bool = False


@dataclass
class ReportTable:
    caption: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass
class ReportSection:
    """A section of the annual report or of the analytics: tables, and optionally
    a server-rendered SVG chart (markup, already escaped) drawn from them."""

    key: str
    title: str
    tables: list[ReportTable] = field(default_factory=list)
    chart_svg: str = ""
    order: int = 100
    note: str = ""


client_handlers: list[Callable[..., Any]] = []
client_panels: list[Callable[..., list[Panel]]] = []
home_panels: list[Callable[..., list[Panel]]] = []
timeline_sources: list[Callable[..., list[TimelineEntry]]] = []
deadline_rules: list[Callable[..., Any]] = []
team_figures: list[Callable[..., Any]] = []
report_sections: list[Callable[..., Any]] = []
# ``(rng: random.Random) -> None``: each app adds its demo data after the core's (idempotent).
demo_seeders: list[Callable[..., Any]] = []
client_activity_summaries: list[Callable[..., dict]] = []
analytics_sections: list[Callable[..., list[ReportSection]]] = []
scale_seeders: list[Callable[..., Any]] = []


def collect_panels(sources: list[Callable[..., list[Panel]]], *args: Any) -> list[Panel]:
    panels = [panel for source in sources for panel in source(*args)]
    return sorted(panels, key=lambda panel: panel.order)
