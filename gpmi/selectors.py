"""Reads of the GPMI app shown by pages, exports and the API, already scoped to the user.

Every figure is computed by PostgreSQL in one query per list (correlated
subqueries over the versions and the trajectory's evaluations), so the number of
queries never grows with the number of GPMIs.

Dates used everywhere here:

- **signed on** (of a GPMI): the day its *first* contract version was concluded,
  that is the last of the required signatures (client, OCMW, counsellor). An
  amendment is not a new signing.
- **subsidy period**: from the first day of the month of signing for 12 months
  (primabook): signed 15/03/2026 → 01/03/2026–28/02/2027.
- **legal deadline**: leefloon decision + 3 months (KB of 3 Oct 2016 art. 11),
  clipped to the month's end: 30/11 → 28/02 (29/02 in a leap year).
- **contract start**: the earliest start date of a signed version; the contract
  years (for the evaluation rule) are counted from it.
- **in force on D**: a signed, running or ended version with start ≤ D, signed
  on or before D, and not ended on or before D.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import (
    Case,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gpmi.models import (
    CONCLUDED_STATUSES,
    LEGAL_DEADLINE_MONTHS,
    SUBSIDY_MONTHS,
    EndReason,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionStatus,
    legal_deadline_for,
    subsidy_period,
)
from ocmw.models import Gender, Ocmw, Team, User
from trajecten import selectors as trajecten_selectors

# The evaluation rule (vvsg.be model contract; DOMAIN.md "Deadlines"): at least 3
# evaluations per 12 months, at least 2 of them in a personal meeting. A version
# may ask for more; these are the defaults when no version is in force.
DEFAULT_EVALUATIONS = 3
DEFAULT_IN_PERSON = 2
# One evaluation at most every 30 days: the pace used to decide whether the
# missing evaluations can still fit in what is left of a contract year.
EVALUATION_SPACING_DAYS = 30

# A signed contract's versions: signed, running or ended (the one list, in models).
SIGNED_STATES = CONCLUDED_STATUSES


# --- small SQL building blocks ------------------------------------------------------


class _Sql(Func):
    """A PostgreSQL expression over compiled arguments, written with ``{0}``, ``{1}``."""

    def __init__(self, sql: str, *expressions, output_field):
        super().__init__(*expressions, output_field=output_field)
        self.sql = sql

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(f"({sql})")
            params.extend(expression_params)
        return self.sql.format(*parts), params


def _date(value: datetime.date) -> Value:
    return Value(value, output_field=DateField())


def _days_between(later, earlier) -> _Sql:
    """``later - earlier`` in days (PostgreSQL date arithmetic gives an integer)."""
    return _Sql("({0}::date - {1}::date)", later, earlier, output_field=IntegerField())


def _add_months(date, months: int) -> _Sql:
    return _Sql(
        "({0}::date + make_interval(months => {1}))::date",
        date,
        Value(months),
        output_field=DateField(),
    )


def _subsidy_end(signed_on) -> _Sql:
    return _Sql(
        "(date_trunc('month', {0}::date) + make_interval(months => {1}) - interval '1 day')::date",
        signed_on,
        Value(SUBSIDY_MONTHS),
        output_field=DateField(),
    )


def _version_signed_on() -> Greatest:
    # GREATEST ignores NULLs in PostgreSQL; a signed version has all three dates.
    return Greatest("client_signed_on", "ocmw_signed_on", "counsellor_signed_on")


def _signed_versions() -> QuerySet[GpmiVersion]:
    return GpmiVersion.objects.filter(gpmi=OuterRef("pk"), status__in=SIGNED_STATES)


def _with_dates(queryset: QuerySet[Gpmi], today: datetime.date) -> QuerySet[Gpmi]:
    """Signing, contract start, legal deadline and subsidy end of each GPMI."""
    first_signed = (
        _signed_versions()
        .order_by("number")
        .annotate(_signed_on=_version_signed_on())
        .values("_signed_on")[:1]
    )
    return queryset.annotate(
        signed_on=Subquery(first_signed, output_field=DateField()),
        contract_start=Subquery(
            _signed_versions().order_by("start_date").values("start_date")[:1],
            output_field=DateField(),
        ),
        legal_deadline_on=_add_months(F("leefloon_decision_date"), LEGAL_DEADLINE_MONTHS),
    ).annotate(
        days_to_deadline=_days_between(F("legal_deadline_on"), _date(today)),
        subsidy_end=Case(
            When(signed_on__isnull=False, then=_subsidy_end(F("signed_on"))),
            default=None,
            output_field=DateField(),
        ),
    )


# --- list -------------------------------------------------------------------------------


def _current_version() -> QuerySet[GpmiVersion]:
    """The running version, else the latest one."""
    return (
        GpmiVersion.objects.filter(gpmi=OuterRef("pk"))
        .annotate(
            _running_first=Case(
                When(status=VersionStatus.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("_running_first", "-number")
    )


def gpmi_list(
    *,
    user: User,
    subsidy_ends_within_days: int | None = None,
    type: int | None = None,
    status: str | None = None,
) -> QuerySet[Gpmi]:
    """The GPMIs ``user`` may read, in one query.

    Each row carries ``current_version_id``, ``current_version_number``,
    ``current_version_status`` (the running version, else the latest; None for an
    exemption), ``signed_on``, ``contract_start``, ``subsidy_end``,
    ``legal_deadline_on`` and ``days_to_deadline`` (negative when past), plus the
    client, the trajectory, its team and counsellor.

    Filters: ``subsidy_ends_within_days`` (subsidy period ends between today and
    today + N days), ``type`` (form B code), ``status`` (a ``VersionStatus`` of
    the current version, or ``"none"`` for GPMIs without a version).
    """
    today = timezone.localdate()
    current = _current_version()
    qs = (
        Gpmi.objects.visible_to(user)
        .select_related("client", "trajectory__team", "trajectory__counsellor")
        .annotate(
            current_version_id=Subquery(current.values("pk")[:1]),
            current_version_number=Subquery(current.values("number")[:1]),
            current_version_status=Subquery(current.values("status")[:1]),
        )
    )
    qs = _with_dates(qs, today)
    if subsidy_ends_within_days is not None:
        if subsidy_ends_within_days < 0:
            raise ValidationError(
                {"subsidy_ends_within_days": _("Give a number of days of 0 or more.")}
            )
        qs = qs.filter(
            subsidy_end__gte=today,
            subsidy_end__lte=today + datetime.timedelta(days=subsidy_ends_within_days),
        )
    if type is not None:
        qs = qs.filter(type=type)
    if status == "none":
        qs = qs.filter(current_version_status__isnull=True)
    elif status:
        qs = qs.filter(current_version_status=status)
    return qs


# --- the evaluation rule ---------------------------------------------------------------


@dataclass(frozen=True)
class Compliance:
    """The evaluation rule of one GPMI on one day. See ``compliance``."""

    status: str  # ok | behind | cannot_be_met | not_applicable
    last_12_months: int
    last_12_months_in_person: int
    required: int
    required_in_person: int
    period_start: datetime.date | None
    period_end: datetime.date | None
    in_period: int
    in_period_in_person: int
    missing: int
    days_left_in_period: int | None

    STATUS_LABELS = {
        "ok": gettext_lazy("On schedule"),
        "behind": gettext_lazy("Behind schedule"),
        "cannot_be_met": gettext_lazy("Cannot be met any more this contract year"),
        "not_applicable": gettext_lazy("No running contract"),
    }

    @property
    def applies(self) -> bool:
        return self.status != "not_applicable"

    @property
    def is_red(self) -> bool:
        return self.status == "cannot_be_met"

    @property
    def status_label(self) -> str:
        return str(self.STATUS_LABELS[self.status])

    @property
    def text(self) -> str:
        """ "2 of 3 evaluations in the last 12 months, 1 in person"."""
        return _(
            "%(done)s of %(required)s evaluations in the last 12 months, %(in_person)s in person"
        ) % {
            "done": self.last_12_months,
            "required": self.required,
            "in_person": self.last_12_months_in_person,
        }


def _compliance_from(row: dict[str, Any]) -> Compliance:
    applies = row["compliance_status"] != "not_applicable"
    return Compliance(
        status=row["compliance_status"],
        last_12_months=row["last_12_months"],
        last_12_months_in_person=row["last_12_months_in_person"],
        required=row["required"],
        required_in_person=row["required_in_person"],
        period_start=row["period_start"] if applies else None,
        period_end=row["period_end"] if applies else None,
        in_period=row["in_period"] if applies else 0,
        in_period_in_person=row["in_period_in_person"] if applies else 0,
        missing=row["missing"] if applies else 0,
        days_left_in_period=row["days_left_in_period"] if applies else None,
    )


# The evaluation rule of a list of GPMIs (see ``compliance``), in one statement. Each
# GPMI's versions are read once from the covering index ``gpmi_version_figures_idx``
# and its trajectory's evaluations once from ``evaluation_traj_idx``. Written in SQL
# because the ORM form repeated each correlated subquery wherever an annotation was
# used: a 20 KB statement whose compiling alone cost Django tens of milliseconds per
# list. The same rule as the statistics (``_STATISTICS_SQL``), which counts "ok".
_COMPLIANCE_SQL = """
SELECT g.id,
       CASE WHEN NOT v.running OR p.period_start IS NULL THEN 'not_applicable'
            WHEN r.missing > r.capacity THEN 'cannot_be_met'
            WHEN e.in_period >= r.expected AND e.in_period_in_person >= r.expected_in_person
            THEN 'ok'
            ELSE 'behind' END AS compliance_status,
       e.last_12_months, e.last_12_months_in_person, v.required, v.required_in_person,
       p.period_start, p.period_end, e.in_period, e.in_period_in_person, r.missing,
       p.period_end - {on} AS days_left_in_period
FROM gpmi_gpmi AS g
CROSS JOIN LATERAL (
    SELECT MIN(start_date) FILTER (WHERE is_signed) AS contract_start,
           COALESCE(bool_or(in_force), false) AS running,
           COALESCE((array_agg(evaluations_per_year ORDER BY number DESC)
                     FILTER (WHERE in_force))[1], {default_evaluations}) AS required,
           COALESCE((array_agg(evaluations_in_person ORDER BY number DESC)
                     FILTER (WHERE in_force))[1], {default_in_person}) AS required_in_person
    FROM (
        SELECT number, start_date, evaluations_per_year, evaluations_in_person,
               status = ANY({signed_states}) AS is_signed,
               status = ANY({signed_states}) AND start_date <= {on}
                   AND GREATEST(client_signed_on, ocmw_signed_on, counsellor_signed_on) <= {on}
                   AND (ended_on IS NULL OR ended_on > {on}) AS in_force
        FROM gpmi_gpmiversion
        WHERE gpmi_id = g.id
    ) AS version
) AS v
CROSS JOIN LATERAL (
    -- The contract year that holds the day, counted from the contract start.
    SELECT (v.contract_start + make_interval(years => y.years))::date AS period_start,
           (v.contract_start + make_interval(years => y.years + 1))::date - 1 AS period_end
    FROM (SELECT CASE WHEN v.contract_start <= {on}
                      THEN EXTRACT(YEAR FROM AGE({on}, v.contract_start))::int
                 END AS years) AS y
) AS p
CROSS JOIN LATERAL (
    SELECT COUNT(*) FILTER (WHERE ev.date > {year_ago}) AS last_12_months,
           COUNT(*) FILTER (WHERE ev.date > {year_ago} AND ev.in_person)
               AS last_12_months_in_person,
           COUNT(*) FILTER (WHERE ev.date >= p.period_start) AS in_period,
           COUNT(*) FILTER (WHERE ev.date >= p.period_start AND ev.in_person)
               AS in_period_in_person
    FROM trajecten_evaluation AS ev
    WHERE ev.trajectory_id = g.trajectory_id AND ev.date <= {on}
) AS e
CROSS JOIN LATERAL (
    -- Integer division, as the schedule rounds down (PostgreSQL truncates).
    SELECT GREATEST(v.required - e.in_period,
                    v.required_in_person - e.in_period_in_person, 0) AS missing,
           v.required * ({on} - p.period_start) / (p.period_end - p.period_start + 1)
               AS expected,
           v.required_in_person * ({on} - p.period_start) / (p.period_end - p.period_start + 1)
               AS expected_in_person,
           (p.period_end - {on}) / {spacing} + 1 AS capacity
) AS r
WHERE g.id = ANY({ids}::bigint[])
"""


def compliance_for_many(gpmis, today: datetime.date) -> dict[int, Compliance]:
    """``compliance`` of each GPMI, keyed by its id, in ONE query."""
    ids = [g.pk if isinstance(g, Gpmi) else int(g) for g in gpmis]
    if not ids:
        return {}
    sql, params = _bind(
        _COMPLIANCE_SQL,
        {
            "ids": ids,
            "on": today,
            "year_ago": today - relativedelta(years=1),
            "signed_states": [str(state) for state in SIGNED_STATES],
            "default_evaluations": DEFAULT_EVALUATIONS,
            "default_in_person": DEFAULT_IN_PERSON,
            "spacing": EVALUATION_SPACING_DAYS,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return {row["id"]: _compliance_from(row) for row in rows}


def compliance(gpmi: Gpmi, today: datetime.date) -> Compliance:
    """The evaluation rule of a GPMI on ``today`` (one query).

    The rule: at least 3 evaluations per 12 months, at least 2 of them in a
    personal meeting (law of 26 May 2002 art. 11 and KB of 11 July 2002 as
    applied in the vvsg.be model contract; DOMAIN.md "Deadlines"). The version in
    force may ask for more (``evaluations_per_year`` / ``evaluations_in_person``).
    Evaluations are the ``trajecten.Evaluation`` rows of the GPMI's trajectory.

    - ``last_12_months`` / ``last_12_months_in_person``: evaluations dated in the
      12 months up to ``today`` (shown as "2 of 3 evaluations in the last 12
      months, 1 in person").
    - The **contract year** is the 12-month period, counted from the contract
      start, that holds ``today``; ``in_period`` counts its evaluations so far.
    - ``missing``: what the contract year still lacks, in total or in person,
      whichever is more (an in-person evaluation counts for both).
    - Status:
      - ``not_applicable``: no version in force on ``today``;
      - ``cannot_be_met``: the missing evaluations no longer fit in the days left
        of the contract year at one per 30 days (today included: with *d* days
        left after today, ``d // 30 + 1`` still fit), shown in red;
      - ``ok``: on schedule: the contract year has at least its pro-rata share so
        far (``required × days elapsed ÷ days in the year``, rounded down, so one
        every 4 months for 3 a year), in total and in person;
      - ``behind``: below that schedule but still feasible.
    """
    return compliance_for_many([gpmi], today)[gpmi.pk]


# --- legal deadline ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineInfo:
    decision_date: datetime.date
    legal_deadline: datetime.date
    days_left: int  # negative once the deadline has passed
    signed_on: datetime.date | None
    applies: bool  # False for an exemption (type 8): no contract to conclude
    met: bool | None  # signed within the deadline; None while not signed (or exempt)
    overdue: bool  # not signed and the deadline has passed


def deadline_info(gpmi: Gpmi, today: datetime.date) -> DeadlineInfo:
    """The GPMI must be concluded within 3 months of the leefloon decision (KB 2016).

    Uses ``signed_on`` when the GPMI comes from ``gpmi_list`` (no query), else one query.
    """
    if hasattr(gpmi, "signed_on"):
        signed_on = gpmi.signed_on
    else:
        first = (
            gpmi.versions.filter(status__in=SIGNED_STATES)
            .order_by("number")
            .only("client_signed_on", "ocmw_signed_on", "counsellor_signed_on")
            .first()
        )
        signed_on = first.signed_on if first else None
    deadline = legal_deadline_for(gpmi.leefloon_decision_date)
    applies = not gpmi.is_exemption
    return DeadlineInfo(
        decision_date=gpmi.leefloon_decision_date,
        legal_deadline=deadline,
        days_left=(deadline - today).days,
        signed_on=signed_on,
        applies=applies,
        met=(signed_on <= deadline) if (applies and signed_on) else None,
        overdue=applies and signed_on is None and today > deadline,
    )


def subsidy_dates(gpmi: Gpmi) -> tuple[datetime.date | None, datetime.date | None]:
    """First and last day of the GPMI's subsidy period (from ``gpmi_list`` rows: no query)."""
    signed_on = (
        gpmi.signed_on
        if hasattr(gpmi, "signed_on")
        else deadline_info(gpmi, timezone.localdate()).signed_on
    )
    return subsidy_period(signed_on)


# --- statistics -----------------------------------------------------------------------

# The same age groups as the team case list filters by (one definition, in trajecten).
AGE_GROUPS = [(key, label) for key, label, _from, _below in trajecten_selectors.AGE_GROUPS]

# (key, label): the figures of every statistics row, in the order of the table.
# "signed", "running", "ended": never the ambiguous "afgesloten" (seed 003).
STATISTICS_COLUMNS = [
    ("signed", gettext_lazy("Signed")),
    ("signed_within_deadline", gettext_lazy("Signed within 3 months")),
    ("signed_within_deadline_pct", gettext_lazy("Signed within 3 months (%)")),
    ("running", gettext_lazy("Running")),
    ("ended", gettext_lazy("Ended")),
    ("exemptions", gettext_lazy("Exemptions")),
    ("average_duration_days", gettext_lazy("Average duration (days)")),
    ("evaluation_rule_met", gettext_lazy("Meeting the evaluation rule")),
    ("evaluation_rule_met_pct", gettext_lazy("Meeting the evaluation rule (%)")),
]

BREAKDOWNS = [
    ("type", gettext_lazy("Type")),
    ("age_group", gettext_lazy("Age group")),
    ("gender", gettext_lazy("Gender")),
    ("team", gettext_lazy("Team")),
]


def statistics_scope(user: User) -> QuerySet[Gpmi]:
    """The GPMIs a statistics page counts: for a team lead, those of trajectories
    in the teams they lead (within their OCMW); for anyone else, what they may read."""
    qs = Gpmi.objects.visible_to(user)
    if getattr(user, "is_team_lead", False):
        qs = qs.filter(trajectory__team__in=user.teams.all())
    return qs


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# One row per GPMI of the scope, with its group keys and a flag per figure, then
# every breakdown at once by GROUPING SETS. Each GPMI's versions are read once, by
# one probe of the covering index ``gpmi_version_figures_idx`` (index only), and
# its evaluations once, by one probe of ``evaluation_traj_idx``, only for running
# contracts (the only ones the evaluation rule applies to). The ORM form of the
# same figures repeated each correlated subquery wherever an annotation was used
# (a dozen probes per GPMI, seconds at 200,000 clients). The rule is the one of
# ``compliance`` (``_COMPLIANCE_SQL``), written once more for the whole scope; a
# test holds the two to the same answers.
# The scope comes sorted by GPMI id and the client is joined after it: the probes of
# clients, versions and evaluations then walk their indexes in (roughly) key order
# instead of the hash order of the user's set of clients, which at 8,000 GPMIs took
# a quarter off the query (the same rows, the same answers).
# Tokens ``{name}`` become parameters; only our own table and column names are text.
_STATISTICS_SQL = """
SELECT k_type, k_age, k_gender, k_team,
       GROUPING(k_type), GROUPING(k_age), GROUPING(k_gender), GROUPING(k_team),
       COUNT(*) FILTER (WHERE f_signed), COUNT(*) FILTER (WHERE f_within),
       COUNT(*) FILTER (WHERE f_running), COUNT(*) FILTER (WHERE f_ended),
       COUNT(*) FILTER (WHERE f_exemption), COUNT(*) FILTER (WHERE f_rule_met),
       AVG(f_duration)
FROM (
    SELECT g.type AS k_type,
           CASE WHEN g.birth_date > {born_after_25} THEN 'under_25'
                WHEN g.birth_date > {born_after_45} THEN '25_44'
                ELSE '45_plus' END AS k_age,
           COALESCE(g.gender, '') AS k_gender,
           g.team AS k_team,
           v.signed_on BETWEEN {first_day} AND {reference} AS f_signed,
           v.signed_on BETWEEN {first_day} AND {reference}
               AND v.signed_on <= (g.leefloon_decision_date
                                   + make_interval(months => {deadline_months}))::date
               AS f_within,
           v.running AS f_running,
           NOT v.running AND v.ended_on BETWEEN {first_day} AND {reference} AS f_ended,
           g.type = {exemption}
               AND (g.created_at AT TIME ZONE {zone})::date BETWEEN {first_day} AND {reference}
               AS f_exemption,
           CASE WHEN v.running THEN {reference} - v.contract_start
                WHEN NOT v.running AND v.ended_on BETWEEN {first_day} AND {reference}
                THEN v.ended_on - v.contract_start END AS f_duration,
           -- compliance_status = 'ok': running, the missing evaluations still fit
           -- in the contract year, and its pro-rata share is done (in person too).
           v.running AND p.period_start IS NOT NULL
               AND GREATEST(v.required - e.done, v.required_in_person - e.done_in_person, 0)
                   <= (p.period_end - {reference}) / {spacing} + 1
               AND e.done >= v.required * ({reference} - p.period_start)
                   / (p.period_end - p.period_start + 1)
               AND e.done_in_person >= v.required_in_person * ({reference} - p.period_start)
                   / (p.period_end - p.period_start + 1)
               AS f_rule_met
    FROM (
        SELECT s.*, c.birth_date, c.gender
        FROM ({scope}) AS s
        JOIN ocmw_client AS c ON c.id = s.client_id
    ) AS g
    CROSS JOIN LATERAL (
        -- Plain MIN/MAX, no ordered aggregates (those sort once per GPMI and figure,
        -- a tenth of the query): a value of the first or last version by number is
        -- read from MIN/MAX(number * 10^k + value), numbers being unique per GPMI.
        -- The first signed version's signing day, NULL when that version has none:
        SELECT CASE WHEN MIN(signed_key) FILTER (WHERE is_signed) / 10000000
                         = MIN(number) FILTER (WHERE is_signed)
                    THEN DATE '0001-01-01'
                         + MOD(MIN(signed_key) FILTER (WHERE is_signed), 10000000)::int
               END AS signed_on,
               MIN(start_date) FILTER (WHERE is_signed) AS contract_start,
               COALESCE(bool_or(in_force), false) AS running,
               -- What the last version in force asks (at most 32,767: a smallint).
               COALESCE(MOD(MAX(number::bigint * 100000 + evaluations_per_year)
                            FILTER (WHERE in_force), 100000), {default_evaluations}) AS required,
               COALESCE(MOD(MAX(number::bigint * 100000 + evaluations_in_person)
                            FILTER (WHERE in_force), 100000), {default_in_person})
                   AS required_in_person,
               -- The latest end; none while an ended version has no end date (as the
               -- ORM's order_by("-ended_on"), which puts NULL first).
               CASE WHEN bool_or(ended_on IS NULL) FILTER (WHERE is_ended) THEN NULL
                    ELSE MAX(ended_on) FILTER (WHERE is_ended) END AS ended_on
        FROM (
            SELECT number, start_date, ended_on, evaluations_per_year, evaluations_in_person,
                   -- Days since 1 January of the year 1: below 10^7 until the year 9999.
                   number::bigint * 10000000
                       + (GREATEST(client_signed_on, ocmw_signed_on, counsellor_signed_on)
                          - DATE '0001-01-01') AS signed_key,
                   status = {ended} AND end_reason <> {replaced} AS is_ended,
                   status = ANY({signed_states}) AS is_signed,
                   status = ANY({signed_states}) AND start_date <= {reference}
                       AND GREATEST(client_signed_on, ocmw_signed_on, counsellor_signed_on)
                           <= {reference}
                       AND (ended_on IS NULL OR ended_on > {reference}) AS in_force
            FROM gpmi_gpmiversion
            WHERE gpmi_id = g.id
        ) AS version
    ) AS v
    CROSS JOIN LATERAL (
        SELECT (v.contract_start + make_interval(years => y.years))::date AS period_start,
               (v.contract_start + make_interval(years => y.years + 1))::date - 1 AS period_end
        FROM (SELECT CASE WHEN v.contract_start <= {reference}
                          THEN EXTRACT(YEAR FROM AGE({reference}, v.contract_start))::int
                     END AS years) AS y
    ) AS p
    CROSS JOIN LATERAL (
        SELECT COUNT(*) AS done, COUNT(*) FILTER (WHERE ev.in_person) AS done_in_person
        FROM trajecten_evaluation ev
        WHERE v.running AND ev.trajectory_id = g.trajectory_id
          AND ev.date >= p.period_start AND ev.date <= {reference}
    ) AS e
) AS per_gpmi
GROUP BY GROUPING SETS ((k_type), (k_age), (k_gender), (k_team), ())
"""


def _bind(template: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """``template`` with each ``{name}`` replaced by a ``%s`` parameter (in the
    order of the text), or by the SQL of a ``(sql, params)`` value."""
    params: list[Any] = []

    def replace(match: re.Match) -> str:
        value = values[match.group(1)]
        if isinstance(value, tuple):
            sql, sub_params = value
            params.extend(sub_params)
            return sql
        params.append(value)
        return "%s"

    return re.sub(r"\{(\w+)\}", replace, template), params


def _statistics_sql(
    scope: QuerySet[Gpmi], *, first_day: datetime.date, reference: datetime.date
) -> tuple[str, list[Any]]:
    """The query of ``statistics`` over the GPMIs of ``scope``; ``EmptyResultSet``
    when the scope can hold nothing."""
    rows = scope.order_by("id").values(
        "id",
        "type",
        "client_id",
        "trajectory_id",
        "leefloon_decision_date",
        "created_at",
        team=F("trajectory__team_id"),
    )
    return _bind(
        _STATISTICS_SQL,
        {
            "scope": rows.query.sql_with_params(),
            "first_day": first_day,
            "reference": reference,
            # The age on 1 January is under 25 for those born after 1 January 25
            # years earlier (what AGE() gives, without computing it per row).
            "born_after_25": first_day.replace(year=first_day.year - 25),
            "born_after_45": first_day.replace(year=first_day.year - 45),
            "deadline_months": LEGAL_DEADLINE_MONTHS,
            "exemption": int(GpmiType.EXEMPTION),
            "zone": timezone.get_current_timezone_name(),
            "spacing": EVALUATION_SPACING_DAYS,
            "default_evaluations": DEFAULT_EVALUATIONS,
            "default_in_person": DEFAULT_IN_PERSON,
            "ended": VersionStatus.ENDED.value,
            "replaced": EndReason.REPLACED.value,
            "signed_states": [str(state) for state in SIGNED_STATES],
        },
    )


def statistics(
    *,
    user: User | None = None,
    year: int,
    ocmw: Ocmw | None = None,
    team_ids: list[int] | None = None,
) -> dict[str, Any]:
    """GPMI figures for ``year`` as in the federal GPMI tool (seed 003), in 3 queries.

    The annual report calls it with ``ocmw`` and ``team_ids`` instead of ``user``:
    the GPMIs of the trajectories of those teams of that OCMW (the caller decided
    who may see them), the team breakdown listing exactly those teams.

    The **reference date** is 31 December, or today for the current year; "in the
    year" means from 1 January to the reference date. Counted per GPMI
    (amendments are versions of the same GPMI):

    - ``signed``: GPMIs whose first contract was concluded in the year;
    - ``signed_within_deadline``: of those, concluded by the legal deadline
      (leefloon decision + 3 months); ``_pct`` is the share of ``signed``;
    - ``running``: GPMIs with a version in force on the reference date;
    - ``ended``: GPMIs not running on the reference date whose contract ended in
      the year (a version ended for any reason but "replaced");
    - ``exemptions``: exemption decisions (type 8) recorded in the year;
    - ``average_duration_days``: mean days from contract start to the end (ended
      GPMIs) or to the reference date (running ones);
    - ``evaluation_rule_met``: running GPMIs whose evaluation rule (see
      ``compliance``) is "ok" on the reference date; ``_pct`` is the share of
      ``running``.

    Scope: ``statistics_scope(user)``, for a team lead the GPMIs of the trajectories
    of the teams they lead in their OCMW. Each figure is given in total and broken
    down by type, age group, gender and team (the lead's teams are always listed).
    The age group is the client's age on 1 January of the year (< 25,
    25–44, ≥ 45): one group per client for the whole table.

    Returns plain data (dicts, lists, numbers, dates, strings) the page, the CSV
    and XLSX exports and the API all use::

        {"year", "reference_date", "scope": {"ocmw", "teams"}, "columns": [{key, label}],
         "total": {figure: value},
         "breakdowns": [{"key", "label", "rows": [{"key", "label", figure: value}]}]}
    """
    today = timezone.localdate()
    first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    reference = min(last_day, today)
    if team_ids is None:
        scope = statistics_scope(user)
    else:
        scope = Gpmi.objects.filter(client__ocmw=ocmw, trajectory__team_id__in=list(team_ids))
    keys = ("k_type", "k_age", "k_gender", "k_team")
    result_rows = []
    try:
        sql, params = _statistics_sql(scope, first_day=first_day, reference=reference)
    except EmptyResultSet:  # no scope at all (anonymous, staff outside any OCMW)
        pass
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            result_rows = cursor.fetchall()

    def finish(signed, within, running, ended, exemptions, rule_met, average) -> dict[str, Any]:
        return {
            "signed": signed,
            "signed_within_deadline": within,
            "signed_within_deadline_pct": _share(within, signed),
            "running": running,
            "ended": ended,
            "exemptions": exemptions,
            "average_duration_days": round(float(average), 1) if average is not None else None,
            "evaluation_rule_met": rule_met,
            "evaluation_rule_met_pct": _share(rule_met, running),
        }

    empty = finish(0, 0, 0, 0, 0, 0, None)
    total = empty
    by: dict[str, dict[Any, dict[str, Any]]] = {key: {} for key in keys}
    for row in result_rows:
        values, grouping, figures = row[:4], row[4:8], finish(*row[8:])
        if all(grouping):
            total = figures
            continue
        index = grouping.index(0)
        by[keys[index]][values[index]] = figures
    by_type, by_age, by_gender, by_team = (by[key] for key in keys)

    type_keys = [
        GpmiType.GENERAL,
        GpmiType.STUDIES_FULL_TIME,
        GpmiType.STUDENT_WORKING,
        GpmiType.EXEMPTION,
    ]
    type_keys += sorted(k for k in by_type if k not in type_keys)
    type_rows = [
        {"key": int(k), "label": str(GpmiType(k).label), **by_type.get(k, empty)} for k in type_keys
    ]

    age_rows = [{"key": k, "label": str(label), **by_age.get(k, empty)} for k, label in AGE_GROUPS]

    gender_rows = [
        {"key": k, "label": str(label), **by_gender.get(k, empty)} for k, label in Gender.choices
    ]
    if "" in by_gender:
        gender_rows.append({"key": "", "label": _("Unknown"), **by_gender[""]})

    if team_ids is None:
        teams = list(_scope_teams(user, by_team.keys()))
    else:
        teams = list(Team.objects.filter(ocmw=ocmw, pk__in=list(team_ids)).order_by("name"))
    team_rows = [{"key": t.pk, "label": t.name, **by_team.get(t.pk, empty)} for t in teams]

    return {
        "year": year,
        "reference_date": reference,
        "scope": {
            "ocmw": str(ocmw)
            if ocmw is not None
            else (str(user.ocmw) if getattr(user, "ocmw_id", None) else ""),
            "teams": [t.name for t in teams],
        },
        "columns": [{"key": key, "label": str(label)} for key, label in STATISTICS_COLUMNS],
        "total": total,
        "breakdowns": [
            {"key": "type", "label": str(BREAKDOWNS[0][1]), "rows": type_rows},
            {"key": "age_group", "label": str(BREAKDOWNS[1][1]), "rows": age_rows},
            {"key": "gender", "label": str(BREAKDOWNS[2][1]), "rows": gender_rows},
            {"key": "team", "label": str(BREAKDOWNS[3][1]), "rows": team_rows},
        ],
    }


def _scope_teams(user: User, present) -> QuerySet[Team]:
    """The rows of the team breakdown: the lead's teams, plus any team that has figures."""
    rule = Q(pk__in=[pk for pk in present if pk is not None])
    if getattr(user, "is_team_lead", False):
        rule |= Q(members=user)
    return (
        Team.objects.filter(rule, ocmw_id=getattr(user, "ocmw_id", None))
        .distinct()
        .order_by("name")
    )
