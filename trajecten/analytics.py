"""Trajectory analytics for team leads: how long clients stay in each phase, how
they move between phases and where their trajectories end.

The page (``trajecten:analytics``) and the API (``/api/v1/analytics/``) show every
section registered in ``ocmw.registries.analytics_sections``, sorted by order:
this app's three (``sections``) and the outcomes and retention of the SPI app
(``spi.analytics``). Each source is ``(team_ids, start, end) -> list[ReportSection]``
and asks PostgreSQL one query per section, whatever the number of trajectories.

Definitions (the page repeats them under each section):

- **Team and period.** A trajectory counts for the team it belongs to now. The
  period runs from ``start`` to ``end``, both included, as calendar days in
  Brussels time.
- **Phase stay.** From the moment a trajectory enters a phase (it is opened in
  it, moves on to it, skips ahead to it, goes back to it or is reopened in it) to
  the moment it leaves it (its next move: to another phase or closed). A change of
  counsellor is not a move. The completed stays come from the ``PhaseChange``
  history; the stay a trajectory is in now started at ``Trajectory.phase_since``.
  Its length is counted in calendar days.
- **Time in phase** (median and 80th percentile) is taken over the stays that
  *ended* in the period. A stay still going on at the end of the period is not
  counted in these two figures, because its length is not known yet and counting
  it would make a phase look shorter than it is; the table gives their number
  ("still in the phase at the end of the period"). The percentiles are
  PostgreSQL's ``percentile_cont``: linear interpolation between the two nearest
  stays, so stays of 10, 20 and 40 days give a median of 20 and an 80th
  percentile of 20 + 0.6 × (40 − 20) = 32.
- **Moves** are the ``PhaseChange`` rows dated in the period: next phase
  (forward), skipped ahead, back to an earlier phase, closed and reopened, counted
  from phase × to phase. Opening a trajectory is not a move between phases.
- **Endings** are the trajectories closed in the period (``closed_on``) and still
  closed today, by closing reason and by the phase they were in when they were
  closed (the ``from_phase`` of their last closing move). A trajectory closed and
  reopened is not an ending.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocmw import charts, registries
from ocmw.models import Team, User
from ocmw.registries import ReportSection, ReportTable
from trajecten.models import (
    PHASES,
    ClosingReason,
    Phase,
    PhaseChange,
    Trajectory,
    TransitionKind,
    phase_number,
)

# Periods the page accepts: from 1 January 2000, at most 10 years long.
FIRST_DAY = datetime.date(2000, 1, 1)
MAX_YEARS = 10
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]

# The moves between phases, in the order of the tables.
MOVE_KINDS = [
    TransitionKind.ADVANCE,
    TransitionKind.SKIP,
    TransitionKind.BACK,
    TransitionKind.CLOSE,
    TransitionKind.REOPEN,
]
MOVE_LABELS = {
    TransitionKind.ADVANCE: gettext_lazy("Next phase (forward)"),
    TransitionKind.SKIP: gettext_lazy("Skipped ahead"),
    TransitionKind.BACK: gettext_lazy("Back to an earlier phase"),
    TransitionKind.CLOSE: gettext_lazy("Closed"),
    TransitionKind.REOPEN: gettext_lazy("Reopened"),
}


# --- who may see what, and for which period -----------------------------------------------


def may_see_analytics(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.ocmw_id and user.is_team_lead)


def led_teams(user: User) -> QuerySet[Team]:
    """The teams ``user`` leads: a team lead leads the teams they are a member of,
    within their own OCMW. Nothing for anyone else."""
    if not may_see_analytics(user):
        return Team.objects.none()
    return Team.objects.filter(members=user, ocmw_id=user.ocmw_id).order_by("name")


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 months, today included: 24/11/2025–23/11/2026 on 23/11/2026."""
    return today - relativedelta(months=12) + datetime.timedelta(days=1), today


class AnalyticsForm(forms.Form):
    """The period and team of the analytics (page and API alike).

    An empty date takes the default (the last 12 months up to today). ``team``
    is the id of one of the user's teams; empty means all the teams they lead.
    A team id that is not one of theirs is not a form error but a 404
    (``AnalyticsQuery.from_params``): it must not say whether the team exists.
    """

    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": gettext_lazy("Enter a date as dd/mm/yyyy.")},
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": gettext_lazy("Enter a date as dd/mm/yyyy.")},
    )
    team = forms.IntegerField(
        label=gettext_lazy("Team"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": gettext_lazy("Choose one of your teams."),
            "min_value": gettext_lazy("Choose one of your teams."),
            "max_value": gettext_lazy("Choose one of your teams."),
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate()
        given_start, given_end = data.get("start"), data.get("end")
        if any(value and value < FIRST_DAY for value in (given_start, given_end)):
            raise ValidationError(
                _("Choose dates from %(date)s on.") % {"date": date_format(FIRST_DAY, "d/m/Y")},
                code="too_early",
            )
        end = given_end or today
        start = given_start or max(FIRST_DAY, default_period(end)[0])
        if start > end:
            raise ValidationError(
                _("The start of the period must come before its end."), code="reversed"
            )
        if start > today:
            raise ValidationError(_("The period cannot start after today."), code="future")
        if end > start + relativedelta(years=MAX_YEARS):
            raise ValidationError(
                _("Choose a period of at most %(years)d years.") % {"years": MAX_YEARS},
                code="too_long",
            )
        data["start"], data["end"] = start, end
        return data


@dataclass(frozen=True)
class AnalyticsQuery:
    start: datetime.date
    end: datetime.date
    teams: list[Team]
    team: Team | None  # the one team asked for; None for all the user's teams

    @property
    def team_ids(self) -> list[int]:
        return [team.pk for team in self.teams]

    @classmethod
    def from_params(
        cls, params, *, teams: list[Team]
    ) -> tuple[AnalyticsForm, AnalyticsQuery | None]:
        """The form and, when it is valid, the query. ``teams`` are those the user
        leads (``led_teams``); any other team (a colleague's, another OCMW's, one that
        does not exist) is a 404."""
        form = AnalyticsForm(params)
        if not form.is_valid():
            return form, None
        team_id = form.cleaned_data.get("team")
        team = None
        if team_id is not None:
            team = next((t for t in teams if t.pk == team_id), None)
            if team is None:
                raise Http404
        return form, cls(
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            teams=[team] if team else teams,
            team=team,
        )


def collect_sections(
    team_ids: list[int], start: datetime.date, end: datetime.date
) -> list[ReportSection]:
    """Every registered analytics section, sorted by order."""
    found = [
        section
        for source in registries.analytics_sections
        for section in source(team_ids, start, end)
    ]
    return sorted(found, key=lambda section: section.order)


# --- selectors --------------------------------------------------------------------------------


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware datetimes: ``start`` 00:00 up to (not including) ``end`` + 1 day."""
    zone = timezone.get_default_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return first, after


@dataclass(frozen=True)
class PhaseTime:
    phase: str
    completed: int  # stays that ended in the period
    median_days: float | None
    p80_days: float | None
    ongoing: int  # stays still going on at the end of the period


# The team's stays, from ``phasechange_team_stay_idx`` alone (each change carries the
# team of its trajectory and ``left_at``, when the trajectory left the phase it
# entered: its next move, changes of counsellor left out; both kept by the services):
# one range scan for the stays that ended in the period, with their length in
# calendar days, and one for those that began before its end and ended after it. The
# stay a trajectory is in now (no ``left_at``) comes from its ``phase_since``. Each
# part is counted per phase on its own, so only the ended stays are sorted, once for
# both percentiles.
# The period's days are compared as instants ([first, after): its first and the next
# day's midnight in Brussels); only a stay that ended in it is turned into calendar
# days, the one conversion per row that costs.
# The statement starts with SELECT (the WITH inside), so that it is logged and
# measured as the read it is (pghistory prefixes its audit context to any other).
# Only our own table and column names are in the text; every value is a parameter.
_PHASE_TIMES_SQL = """
SELECT * FROM (
WITH ended AS (
    SELECT c.to_phase AS phase,
           (c.left_at AT TIME ZONE %(zone)s)::date - (c.at AT TIME ZONE %(zone)s)::date AS length
    FROM trajecten_phasechange c
    WHERE c.team_id = ANY(%(teams)s)
      AND c.kind <> %(reassign)s
      AND c.to_phase <> %(closed)s
      AND c.left_at >= %(first)s AND c.left_at < %(after)s
),
ongoing AS (
    SELECT c.to_phase AS phase
    FROM trajecten_phasechange c
    WHERE c.team_id = ANY(%(teams)s)
      AND c.kind <> %(reassign)s
      AND c.to_phase <> %(closed)s
      AND c.left_at >= %(after)s AND c.at < %(after)s
    UNION ALL
    SELECT t.phase FROM trajecten_trajectory t
    WHERE t.team_id = ANY(%(teams)s) AND t.phase <> %(closed)s AND t.phase_since < %(after)s
),
counted AS (
    SELECT phase, COUNT(*) AS completed,
           percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY length) AS percentiles,
           0 AS ongoing
    FROM ended GROUP BY phase
    UNION ALL
    SELECT phase, 0, NULL, COUNT(*) FROM ongoing GROUP BY phase
)
SELECT phase, SUM(completed)::int, MAX(percentiles[1]), MAX(percentiles[2]),
       SUM(ongoing)::int
FROM counted
GROUP BY phase
) AS phase_times
"""


def phase_times_query(
    team_ids: list[int], start: datetime.date, end: datetime.date
) -> tuple[str, dict]:
    """The SQL of ``phase_times`` and its parameters."""
    first, after = _bounds(start, end)
    params = {
        "teams": list(team_ids),
        "first": first,
        "after": after,
        "zone": settings.TIME_ZONE,
        "closed": Phase.CLOSED.value,
        "reassign": TransitionKind.REASSIGN.value,
    }
    return _PHASE_TIMES_SQL, params


def phase_times(team_ids: list[int], start: datetime.date, end: datetime.date) -> list[PhaseTime]:
    """Median and 80th percentile of the days spent in each phase (one query).
    See the module docstring for what a stay is and which stays count."""
    found: dict[str, tuple] = {}
    if team_ids:
        with connection.cursor() as cursor:
            cursor.execute(*phase_times_query(team_ids, start, end))
            found = {row[0]: row[1:] for row in cursor.fetchall()}
    result = []
    for phase in PHASES:
        completed, median, p80, ongoing = found.get(phase, (0, None, None, 0))
        result.append(
            PhaseTime(
                phase=phase,
                completed=completed,
                median_days=None if median is None else round(float(median), 1),
                p80_days=None if p80 is None else round(float(p80), 1),
                ongoing=ongoing,
            )
        )
    return result


# Rows and columns of the transition matrix: the seven phases, then "closed"
# (a closing move goes to it, a reopening comes from it).
MATRIX_PHASES = [*PHASES, Phase.CLOSED.value]


@dataclass(frozen=True)
class Flows:
    by_kind: dict[str, int]
    # matrix[i][j]: moves from MATRIX_PHASES[i] to MATRIX_PHASES[j]
    matrix: list[list[int]]


def flow_rows(team_ids: list[int], start: datetime.date, end: datetime.date) -> QuerySet:
    """The moves dated in the period counted by kind, from phase and to phase."""
    first, after = _bounds(start, end)
    return (
        PhaseChange.objects.filter(
            team_id__in=team_ids, at__gte=first, at__lt=after, kind__in=MOVE_KINDS
        )
        .order_by()
        .values("kind", "from_phase", "to_phase")
        # COUNT(*), not of the id: phasechange_team_move_idx alone answers (no id in it).
        .annotate(n=Count("*"))
    )


def flows(team_ids: list[int], start: datetime.date, end: datetime.date) -> Flows:
    """Moves between phases dated in the period, by kind and from × to (one query)."""
    rows = flow_rows(team_ids, start, end)
    by_kind = dict.fromkeys(MOVE_KINDS, 0)
    size = len(MATRIX_PHASES)
    matrix = [[0] * size for _ in range(size)]
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["n"]
        if row["from_phase"] in MATRIX_PHASES and row["to_phase"] in MATRIX_PHASES:
            i, j = MATRIX_PHASES.index(row["from_phase"]), MATRIX_PHASES.index(row["to_phase"])
            matrix[i][j] += row["n"]
    return Flows(by_kind=by_kind, matrix=matrix)


@dataclass(frozen=True)
class Endings:
    by_reason: dict[str, int]
    by_phase: dict[str, int]  # the phase each trajectory was in when closed
    total: int


def ending_rows(team_ids: list[int], start: datetime.date, end: datetime.date) -> QuerySet:
    """The trajectories closed in the period (and still closed), counted by closing
    reason and by the phase they were in when closed."""
    # The last closing move of a trajectory that is closed now is its last move: the
    # one whose stay has not ended (``left_at`` empty), found in
    # ``phasechange_last_close_idx`` alone.
    closed_from = (
        PhaseChange.objects.filter(
            trajectory=OuterRef("pk"), kind=TransitionKind.CLOSE, left_at__isnull=True
        )
        .order_by()
        .values("from_phase")[:1]
    )
    return (
        Trajectory.objects.filter(
            team_id__in=team_ids, phase=Phase.CLOSED, closed_on__gte=start, closed_on__lte=end
        )
        .order_by()
        .annotate(closed_from=Subquery(closed_from))
        .values("closing_reason", "closed_from")
        .annotate(n=Count("id"))
    )


def endings(team_ids: list[int], start: datetime.date, end: datetime.date) -> Endings:
    """Trajectories closed in the period (and still closed), by reason and by the
    phase they were in when closed (one query)."""
    rows = ending_rows(team_ids, start, end)
    by_reason = dict.fromkeys(ClosingReason.values, 0)
    by_phase = dict.fromkeys(PHASES, 0)
    total = 0
    for row in rows:
        total += row["n"]
        by_reason[row["closing_reason"]] = by_reason.get(row["closing_reason"], 0) + row["n"]
        if row["closed_from"] in by_phase:
            by_phase[row["closed_from"]] += row["n"]
    return Endings(by_reason=by_reason, by_phase=by_phase, total=total)


# --- sections ---------------------------------------------------------------------------------


def phase_label(phase: str) -> str:
    """ "2 · Counselling and screening"; "Closed" for the end state."""
    number = phase_number(phase)
    label = str(Phase(phase).label)
    return f"{number} · {label}" if number else label


def _phase_times_section(team_ids, start, end) -> ReportSection:
    times = phase_times(team_ids, start, end)
    labels = [phase_label(t.phase) for t in times]
    median, p80 = _("Median (days)"), _("80th percentile (days)")
    chart = charts.bar_chart(
        key="phase-times",
        title=_("Days spent in each phase: median and 80th percentile"),
        labels=labels,
        series=[median, p80],
        values=[[t.median_days, t.p80_days] for t in times],
    )
    table = ReportTable(
        caption=_("Time spent in each phase, over the stays that ended in the period"),
        headers=[
            _("Phase"),
            _("Stays ended in the period"),
            median,
            p80,
            _("Still in the phase at the end of the period"),
        ],
        rows=[
            [label, t.completed, t.median_days, t.p80_days, t.ongoing]
            for label, t in zip(labels, times, strict=True)
        ],
    )
    return ReportSection(
        key="phase_times",
        title=_("Time spent in each phase"),
        tables=[table],
        chart_svg=chart,
        order=10,
        note=_(
            "A stay runs from entering a phase to leaving it, in calendar days. The median "
            "and the 80th percentile count the stays that ended in the period; stays still "
            "going on at its end are counted apart, because their length is not known yet."
        ),
    )


def _flows_section(team_ids, start, end) -> ReportSection:
    data = flows(team_ids, start, end)
    kind_labels = [str(MOVE_LABELS[kind]) for kind in MOVE_KINDS]
    kind_counts = [data.by_kind[kind] for kind in MOVE_KINDS]
    row_labels = [phase_label(p) for p in MATRIX_PHASES]
    column_labels = [str(phase_number(p) or _("Closed")) for p in MATRIX_PHASES]
    matrix = charts.transition_matrix(
        key="phase-flows",
        title=_("Moves between phases: from phase (rows) to phase (columns)"),
        row_labels=row_labels,
        column_labels=column_labels,
        counts=data.matrix,
        row_axis=_("From phase"),
        column_axis=_("To phase"),
        # A phase to itself, and closed to closed, are not moves.
        impossible={(i, i) for i in range(len(MATRIX_PHASES))},
        outlined={(i, i + 1) for i in range(len(PHASES) - 1)},
        legend=_(
            "Framed: on to the next phase. Right of the frames: skipped ahead; left of the "
            "grey diagonal: back. Last column: closed; last row: reopened."
        ),
    )
    kinds = charts.bar_chart(
        key="phase-flow-kinds",
        title=_("Moves between phases by kind"),
        labels=kind_labels,
        values=kind_counts,
    )
    return ReportSection(
        key="flows",
        title=_("Moves between phases"),
        tables=[
            ReportTable(
                caption=_("Moves in the period by kind"),
                headers=[_("Move"), _("Number of moves")],
                rows=[
                    [label, count] for label, count in zip(kind_labels, kind_counts, strict=True)
                ],
            ),
            ReportTable(
                caption=_("Moves in the period from phase (rows) to phase (columns)"),
                headers=[
                    _("From phase"),
                    *[_("to %(phase)s") % {"phase": label} for label in column_labels],
                ],
                rows=[
                    [label, *[None if i == j else n for j, n in enumerate(row)]]
                    for i, (label, row) in enumerate(zip(row_labels, data.matrix, strict=True))
                ],
            ),
        ],
        chart_svg=charts.several(matrix, kinds),
        order=20,
        note=_(
            "Every move dated in the period. Opening a trajectory and a change of counsellor "
            "are not moves between phases. The last row (%(closed)s) counts reopened "
            "trajectories, the last column closed ones."
        )
        % {"closed": _("Closed")},
    )


def _endings_section(team_ids, start, end) -> ReportSection:
    data = endings(team_ids, start, end)
    reason_labels = [str(label) for label in ClosingReason.labels]
    reason_counts = [data.by_reason[reason] for reason in ClosingReason.values]
    phase_labels = [phase_label(p) for p in PHASES]
    phase_counts = [data.by_phase[p] for p in PHASES]
    closed = _("Trajectories closed")
    return ReportSection(
        key="endings",
        title=_("Where trajectories end"),
        tables=[
            ReportTable(
                caption=_("Trajectories closed in the period, by closing reason"),
                headers=[_("Closing reason"), closed],
                rows=[
                    *[[label, n] for label, n in zip(reason_labels, reason_counts, strict=True)],
                    [_("Total"), data.total],
                ],
            ),
            ReportTable(
                caption=_("Trajectories closed in the period, by the phase they were in"),
                headers=[_("Phase when closed"), closed],
                rows=[[label, n] for label, n in zip(phase_labels, phase_counts, strict=True)],
            ),
        ],
        chart_svg=charts.several(
            charts.bar_chart(
                key="endings-reason",
                title=_("Trajectories closed in the period, by closing reason"),
                labels=reason_labels,
                values=reason_counts,
            ),
            charts.bar_chart(
                key="endings-phase",
                title=_("Trajectories closed in the period, by the phase they were in"),
                labels=phase_labels,
                values=phase_counts,
            ),
        ),
        order=30,
        note=_(
            "Trajectories closed in the period and still closed today; one that was "
            "reopened has not ended."
        ),
    )


def sections(team_ids: list[int], start: datetime.date, end: datetime.date) -> list[ReportSection]:
    """This app's analytics sections (registered in ``TrajectenConfig.ready``)."""
    return [
        _phase_times_section(team_ids, start, end),
        _flows_section(team_ids, start, end),
        _endings_section(team_ids, start, end),
    ]
