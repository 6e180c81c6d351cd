"""The SPI app's sections of the annual report, and its part of the staff time rule.

For a year and the report's teams (an enrolment or outcome belongs to the team
of its trajectory; enrolments recorded without a trajectory are not counted):

**Measures used** (section ``measures``): per measure of the catalogue, the
enrolments that ran during the year (started, so running, completed or stopped
early; from their start to their actual end, or to the reference date while
running), the distinct clients, those started in the year, and the days in the
year (each enrolment's days between 1 January and the reference date: 31
December, or today for the current year). The art. 60§7 / TWE placements are
summed apart: placements, clients, started, ended and days.

**Outcomes and retention** (section ``outcomes``), with the selectors of the
team lead's analytics (``spi.analytics``) over the calendar year: outcomes
(starts of work and other destinations) by type, by their start date; and the
+3, +6 and +12-month aftercare checkpoints after a start of work that fell due
in the year: recorded, still employed, and the share still employed of those
recorded.

**Staff time**: an excused or absent participant of a group session gets a
one-minute journal note (``spi.services.ABSENT_CONTACT_MINUTES``); it is not
time spent on the client, so ``register`` tells the staff time report
(``trajecten.report.staff_time_exclusions``) to leave those contacts out.

Only aggregates: counts and days per measure, type and checkpoint.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, DateField, F, Func, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocmw import charts
from ocmw.registries import ReportSection, ReportTable
from spi import analytics
from spi.models import (
    Attendance,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    MeasureCategory,
    OutcomeType,
)

STARTED = [EnrolmentStatus.RUNNING, EnrolmentStatus.COMPLETED, EnrolmentStatus.STOPPED]


def reference_date(year: int) -> datetime.date:
    return min(datetime.date(year, 12, 31), timezone.localdate())


def _date(value: datetime.date) -> Value:
    return Value(value, output_field=DateField())


def measures_used(*, ocmw_id: int, team_ids: list[int], year: int) -> dict:
    """Enrolments that ran during the year, per measure, with their days (2 queries)::

    {"rows": [{"measure", "name", "category", "is_art60", "enrolments", "clients",
               "started", "ended", "days"}], "clients": distinct clients overall,
     "reference_date": date}
    """
    first, reference = datetime.date(year, 1, 1), reference_date(year)
    end = Case(
        When(status=EnrolmentStatus.RUNNING, then=_date(reference)),
        default=Coalesce("actual_end_date", "planned_end_date", _date(reference)),
        output_field=DateField(),
    )
    enrolments = (
        Enrolment.objects.filter(
            client__ocmw_id=ocmw_id,
            trajectory__team_id__in=list(team_ids),
            status__in=STARTED,
            start_date__lte=reference,
        )
        .annotate(ends=end)
        .filter(ends__gte=first)
    )
    # PostgreSQL's date - date is a number of days (Django would make it an interval).
    days = Func(
        Least(F("ends"), _date(reference)),
        Greatest(F("start_date"), _date(first)),
        template="(%(expressions)s + 1)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )
    rows = (
        enrolments.order_by()
        .values("measure_id", "measure__name", "measure__category", "is_art60")
        .annotate(
            enrolments=Count("pk"),
            clients=Count("client_id", distinct=True),
            started=Count("pk", filter=Q(start_date__gte=first)),
            ended=Count(
                "pk",
                filter=~Q(status=EnrolmentStatus.RUNNING) & Q(ends__lte=reference),
            ),
            days=Sum(days, output_field=IntegerField()),
        )
    )
    result = [
        {
            "measure": row["measure_id"],
            "name": row["measure__name"],
            "category": row["measure__category"],
            "is_art60": row["is_art60"],
            "enrolments": row["enrolments"],
            "clients": row["clients"],
            "started": row["started"],
            "ended": row["ended"],
            "days": row["days"] or 0,
        }
        for row in rows
    ]
    categories = list(MeasureCategory.values)
    result.sort(
        key=lambda r: (
            not r["is_art60"],
            categories.index(r["category"]) if r["category"] in categories else 99,
            r["name"],
        )
    )
    clients = enrolments.aggregate(n=Count("client_id", distinct=True))["n"]
    return {"rows": result, "clients": clients, "reference_date": reference}


# --- the sections -------------------------------------------------------------------


def measures_section(ocmw, team_ids: list[int], year: int) -> ReportSection:
    data = measures_used(ocmw_id=ocmw.pk, team_ids=team_ids, year=year)
    categories = dict(MeasureCategory.choices)
    rows = [
        [
            row["name"],
            str(categories.get(row["category"], row["category"])),
            row["enrolments"],
            row["clients"],
            row["started"],
            row["days"],
        ]
        for row in data["rows"]
    ]
    rows.append(
        [
            _("Total"),
            "",
            sum(r["enrolments"] for r in data["rows"]),
            data["clients"],
            sum(r["started"] for r in data["rows"]),
            sum(r["days"] for r in data["rows"]),
        ]
    )
    art60 = [r for r in data["rows"] if r["is_art60"]]
    art60_rows = [
        [_("Placements during the year"), sum(r["enrolments"] for r in art60)],
        [_("Clients"), sum(r["clients"] for r in art60)],
        [_("Started in the year"), sum(r["started"] for r in art60)],
        [_("Ended in the year"), sum(r["ended"] for r in art60)],
        [_("Days in the year"), sum(r["days"] for r in art60)],
    ]
    chart = ""
    if data["rows"]:
        chart = charts.bar_chart(
            key="report-measures",
            title=_("Clients per activation measure in %(year)s") % {"year": year},
            labels=[r["name"] for r in data["rows"]],
            values=[r["clients"] for r in data["rows"]],
        )
    reference = date_format(data["reference_date"], "SHORT_DATE_FORMAT")
    return ReportSection(
        key="measures",
        title=_("Activation measures used"),
        order=40,
        tables=[
            ReportTable(
                caption=_("Enrolments per measure"),
                headers=[
                    _("Measure"),
                    _("Category"),
                    _("Enrolments"),
                    _("Clients"),
                    _("Started in the year"),
                    _("Days in the year"),
                ],
                rows=rows,
            ),
            ReportTable(
                caption=_("Art. 60§7 / TWE placements"),
                headers=[_("Figure"), _("Number")],
                rows=art60_rows,
            ),
        ],
        chart_svg=chart,
        note=_(
            "Enrolments that ran during the year, until their end or, while running, "
            "until %(date)s. Days: calendar days within the year. The total counts each "
            "client once."
        )
        % {"date": reference},
    )


def outcomes_section(ocmw, team_ids: list[int], year: int) -> ReportSection:
    """Outcomes by type and retention, with the selectors of the team lead's
    analytics (``spi.analytics``) over the calendar year (2 queries)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    counts = analytics.outcomes_by_type(team_ids, first, last)
    outcome_rows = [
        [str(label), counts.get(value, 0)]
        for value, label in OutcomeType.choices
        if counts.get(value, 0)
    ]
    outcome_rows.append([_("Total"), sum(counts.values())])
    kept = analytics.retention(team_ids, first, last)
    retention_rows = [
        [
            _("+%(months)d months") % {"months": r.months},
            r.due,
            r.recorded,
            r.employed,
            r.not_employed,
            r.not_recorded,
            r.share,
        ]
        for r in kept
    ]
    pictures = []
    if sum(counts.values()):
        pictures.append(
            charts.bar_chart(
                key="report-outcomes",
                title=_("Outcomes in %(year)s by type") % {"year": year},
                labels=[row[0] for row in outcome_rows[:-1]],
                values=[row[1] for row in outcome_rows[:-1]],
            )
        )
    if any(r.share is not None for r in kept):
        pictures.append(
            charts.bar_chart(
                key="report-retention",
                title=_("Share still employed at the aftercare checkpoints of %(year)s")
                % {"year": year},
                labels=[row[0] for row in retention_rows],
                values=[r.share for r in kept],
                unit=" %",
                max_value=100,
            )
        )
    return ReportSection(
        key="outcomes",
        title=_("Outcomes and retention"),
        order=50,
        tables=[
            ReportTable(
                caption=_("Outcomes by type"),
                headers=[_("Outcome"), _("Outcomes")],
                rows=outcome_rows,
            ),
            ReportTable(
                caption=_("Still employed at the aftercare checkpoints due in the year"),
                headers=[
                    _("Checkpoint"),
                    _("Due in the year"),
                    _("Recorded"),
                    _("Still employed"),
                    _("No longer employed"),
                    _("Not recorded yet"),
                    _("Still employed (%)"),
                ],
                rows=retention_rows,
            ),
        ],
        chart_svg=charts.several(*pictures) if pictures else "",
        note=_(
            "Outcomes are counted by their start date in the year. Retention: the "
            "+3, +6 and +12-month checkpoints after a start of work that fell due in the "
            "year; the share still employed is taken over the checkpoints where it was "
            "recorded."
        ),
    )


def report_sections(ocmw, team_ids: list[int], year: int) -> list:
    return [measures_section(ocmw, team_ids, year), outcomes_section(ocmw, team_ids, year)]


def not_staff_time() -> Q:
    """The one-minute notes of excused or absent session participants (see the module doc)."""
    return Q(
        pk__in=Attendance.objects.filter(contact__isnull=False)
        .exclude(status=AttendanceStatus.PRESENT)
        .values("contact_id")
    )


def register() -> None:
    from ocmw import registries
    from trajecten import report as trajecten_report

    registries.report_sections.append(report_sections)
    trajecten_report.staff_time_exclusions.append(not_staff_time)
