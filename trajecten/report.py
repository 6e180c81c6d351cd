"""The trajectory app's part of the annual report, and what counts as staff time.

**Clients in trajectory per phase** (section ``trajectories``), for a year and
the teams of the report (a trajectory belongs to its current team):

- *during the year*: distinct clients whose trajectory was in the phase at some
  moment of the year: in it on 1 January, or moved into it during the year
  (opened, advanced, skipped, sent back or reopened into it);
- *on the reference date*: distinct clients in the phase on 31 December, or
  now for the current year, read from the history of moves (``PhaseChange``),
  so a past year's figures do not change when the trajectories move on;
- trajectories opened and closed in the year, the closed ones by closing reason.

**Staff time.** ``staff_time_contacts()`` is the journal minus what the apps
declare is not time spent on a client: each app may append to
``staff_time_exclusions`` a callable returning a ``Q`` over ``Contact`` (the
SPI app excludes the one-minute notes of excused or absent group-session
participants). The GPMI staff time report reads it, so neither app imports the
other.

Only aggregates leave this module: counts per phase and reason, no client rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocmw import charts
from ocmw.models import Client
from ocmw.registries import ReportSection, ReportTable
from trajecten.models import (
    PHASES,
    ClosingReason,
    Contact,
    ContactType,
    Phase,
    PhaseChange,
    Trajectory,
    phase_number,
)

# ``() -> Q`` over ``Contact``: contacts that are not staff time spent on the client.
staff_time_exclusions: list[Callable[[], Q]] = []


def staff_time_contacts() -> QuerySet[Contact]:
    """Journal contacts that count as staff time (see the module doc)."""
    # A handover note (a reassignment) is time between staff, not with the client.
    contacts = Contact.objects.exclude(type=ContactType.HANDOVER)
    for exclusion in staff_time_exclusions:
        contacts = contacts.exclude(exclusion())
    return contacts


# --- the year and its reference date ------------------------------------------------


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime, datetime.date]:
    """Start of the year, the reference moment (end of the year, or now for the
    current one) and the reference date shown, in the OCMW's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    now = timezone.now()
    if now < end:
        return start, now, timezone.localdate()
    return start, end, datetime.date(year, 12, 31)


_PHASES_SQL = """
WITH scoped AS (
    SELECT t.id, t.client_id
    FROM {trajectory} t JOIN {client} c ON c.id = t.client_id
    WHERE c.ocmw_id = %(ocmw)s AND t.team_id = ANY(%(teams)s)
),
phase_at_start AS (
    SELECT DISTINCT ON (pc.trajectory_id) pc.trajectory_id, pc.to_phase AS phase
    FROM {change} pc JOIN scoped s ON s.id = pc.trajectory_id
    WHERE pc.at < %(start)s
    ORDER BY pc.trajectory_id, pc.at DESC, pc.id DESC
),
phase_at_end AS (
    SELECT DISTINCT ON (pc.trajectory_id) pc.trajectory_id, pc.to_phase AS phase
    FROM {change} pc JOIN scoped s ON s.id = pc.trajectory_id
    WHERE pc.at < %(end)s
    ORDER BY pc.trajectory_id, pc.at DESC, pc.id DESC
),
during AS (
    SELECT s.client_id, p.phase
    FROM phase_at_start p JOIN scoped s ON s.id = p.trajectory_id
    UNION
    SELECT s.client_id, pc.to_phase
    FROM {change} pc JOIN scoped s ON s.id = pc.trajectory_id
    WHERE pc.at >= %(start)s AND pc.at < %(end)s
),
at_end AS (
    SELECT s.client_id, p.phase
    FROM phase_at_end p JOIN scoped s ON s.id = p.trajectory_id
)
SELECT 'during', phase, COUNT(DISTINCT client_id) FROM during
WHERE phase <> %(closed)s GROUP BY ROLLUP (phase)
UNION ALL
SELECT 'end', phase, COUNT(DISTINCT client_id) FROM at_end
WHERE phase <> %(closed)s GROUP BY ROLLUP (phase)
"""


def clients_per_phase(*, ocmw_id: int, team_ids: list[int], year: int) -> dict[str, Any]:
    """Distinct clients per phase during the year and on the reference date (one query)::

    {"during": {phase: n, ..., None: total}, "end": {...}, "reference_date": date}

    ``None`` holds the distinct clients over all phases (a client in two phases
    counts once there)."""
    start, end, reference = year_bounds(year)
    result: dict[str, Any] = {"during": {}, "end": {}, "reference_date": reference}
    if not team_ids:
        return result
    sql = _PHASES_SQL.format(
        trajectory=Trajectory._meta.db_table,
        client=Client._meta.db_table,
        change=PhaseChange._meta.db_table,
    )
    params = {
        "ocmw": ocmw_id,
        "teams": list(team_ids),
        "start": start,
        "end": end,
        "closed": Phase.CLOSED,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for which, phase, count in cursor.fetchall():
            result[which][phase] = count
    return result


def opened_and_closed(*, ocmw_id: int, team_ids: list[int], year: int) -> dict[str, Any]:
    """Trajectories opened and closed in the year, the closed ones by reason (one query)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rows = (
        Trajectory.objects.filter(client__ocmw_id=ocmw_id, team_id__in=list(team_ids))
        .filter(Q(opened_on__range=(first, last)) | Q(closed_on__range=(first, last)))
        .order_by()
        .values("closing_reason")
        .annotate(
            opened=Count("pk", filter=Q(opened_on__range=(first, last))),
            closed=Count("pk", filter=Q(closed_on__range=(first, last))),
        )
    )
    opened, closed, by_reason = 0, 0, {}
    for row in rows:
        opened += row["opened"]
        closed += row["closed"]
        if row["closed"]:
            by_reason[row["closing_reason"]] = row["closed"]
    return {"opened": opened, "closed": closed, "by_reason": by_reason}


# --- the report section -------------------------------------------------------------


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def report_sections(ocmw, team_ids: list[int], year: int) -> list[ReportSection]:
    """The annual report's "clients in trajectory" section (2 queries)."""
    phases = clients_per_phase(ocmw_id=ocmw.pk, team_ids=team_ids, year=year)
    moves = opened_and_closed(ocmw_id=ocmw.pk, team_ids=team_ids, year=year)
    labels = dict(Phase.choices)
    on = _("On %(date)s") % {"date": _short(phases["reference_date"])}
    phase_rows = [
        [
            f"{phase_number(phase)}. {labels[phase]}",
            phases["during"].get(phase, 0),
            phases["end"].get(phase, 0),
        ]
        for phase in PHASES
    ]
    phase_rows.append(
        [
            _("All phases (each client once)"),
            phases["during"].get(None, 0),
            phases["end"].get(None, 0),
        ]
    )
    reasons = dict(ClosingReason.choices)
    reason_rows = [
        [str(reasons.get(reason, reason)), moves["by_reason"].get(reason, 0)]
        for reason in ClosingReason.values
        if moves["by_reason"].get(reason)
    ]
    chart = charts.bar_chart(
        key="report-phases",
        title=_("Clients in trajectory per phase in %(year)s") % {"year": year},
        labels=[row[0] for row in phase_rows[:-1]],
        series=[_("During the year"), on],
        values=[row[1:] for row in phase_rows[:-1]],
    )
    return [
        ReportSection(
            key="trajectories",
            title=_("Clients in trajectory"),
            order=20,
            chart_svg=chart,
            tables=[
                ReportTable(
                    caption=_("Clients in trajectory per phase"),
                    headers=[_("Phase"), _("During the year"), on],
                    rows=phase_rows,
                ),
                ReportTable(
                    caption=_("Trajectories opened and closed"),
                    headers=[_("Trajectories"), _("Number")],
                    rows=[
                        [_("Opened in the year"), moves["opened"]],
                        [_("Closed in the year"), moves["closed"]],
                    ],
                ),
                ReportTable(
                    caption=_("Closed trajectories by closing reason"),
                    headers=[_("Closing reason"), _("Number")],
                    rows=reason_rows,
                ),
            ],
            note=_(
                "During the year: clients whose trajectory was in the phase at some moment "
                "of the year. A client who changed phase counts in each phase, once in the total."
            ),
        )
    ]


def register() -> None:
    from ocmw import registries

    registries.report_sections.append(report_sections)
