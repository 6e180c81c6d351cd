"""The GPMI app's sections of the annual report: the GPMI statistics and the
staff time spent on clients with a GPMI.

Both reuse the selectors of the pages (``gpmi.selectors.statistics`` and
``gpmi.staff_time``) scoped to the report's OCMW and teams, so the report shows
the very figures of the statistics page and the staff time report. Only
aggregates: counts and minutes per type, age group, gender, team, staff member
and month; no client appears.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gpmi import selectors, staff_time
from gpmi.hooks import short_type
from gpmi.models import CONTRACT_TYPES
from ocmw import charts
from ocmw.registries import ReportSection, ReportTable

CHART_SERIES = ["signed", "running", "ended"]


def month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def gpmi_sections(ocmw, team_ids: list[int], year: int) -> list[ReportSection]:
    """The figures of the GPMI statistics page for the report's teams (2 queries): the
    totals with a chart, then the breakdowns (wide tables, a section of their own)."""
    data = selectors.statistics(ocmw=ocmw, team_ids=team_ids, year=year)
    columns = data["columns"]
    keys = [column["key"] for column in columns]
    labels = {column["key"]: column["label"] for column in columns}
    totals = ReportTable(
        caption=_("GPMIs in total"),
        headers=[_("Figure"), _("Value")],
        rows=[[labels[key], data["total"].get(key)] for key in keys],
    )
    tables = []
    for breakdown in data["breakdowns"]:
        tables.append(
            ReportTable(
                caption=_("GPMIs by %(what)s") % {"what": breakdown["label"].lower()},
                headers=[breakdown["label"], *[labels[key] for key in keys]],
                rows=[[row["label"], *[row.get(key) for key in keys]] for row in breakdown["rows"]],
            )
        )
    by_type = next(b["rows"] for b in data["breakdowns"] if b["key"] == "type")
    groups = [row for row in by_type if row["key"] in [int(t) for t in CONTRACT_TYPES]]
    chart = charts.column_chart(
        key="report-gpmi",
        title=_("GPMIs signed, running and ended in %(year)s, by type") % {"year": year},
        labels=[f"{row['key']} · {short_type(row['key'])}" for row in groups],
        series=[labels[key] for key in CHART_SERIES],
        values=[[row[key] for key in CHART_SERIES] for row in groups],
    )
    return [
        ReportSection(
            key="gpmi",
            title=_("GPMI"),
            order=30,
            tables=[totals],
            chart_svg=chart,
            note=_(
                "Reference date %(date)s. Signed: the first contract concluded in the year. "
                "Running: a signed version in force on the reference date. Ended: a contract "
                "that ended in the year and is not running."
            )
            % {"date": date_format(data["reference_date"], "SHORT_DATE_FORMAT")},
        ),
        ReportSection(
            key="gpmi_breakdowns",
            title=_("GPMI by type, age group, gender and team"),
            order=31,
            tables=tables,
        ),
    ]


def staff_time_tables(report: staff_time.StaffTime) -> list[ReportTable]:
    """The staff time as tables: per staff member, and per month (page, XLSX, report)."""
    headers = [
        _("Contact minutes"),
        _("Hours"),
        _("Minutes with GPMI clients"),
        _("Share with GPMI clients (%)"),
    ]

    def figures(minutes: staff_time.Minutes) -> list:
        return [
            minutes.whole,
            round(minutes.minutes / 60, 1),
            minutes.gpmi_whole,
            minutes.share,
        ]

    per_staff = [[row.name, *figures(row.total)] for row in report.rows]
    per_staff.append([_("Total"), *figures(report.total)])
    per_month = [
        [month_label(month), *figures(minutes)]
        for month, minutes in zip(report.months, report.month_totals, strict=True)
    ]
    per_month.append([_("Total"), *figures(report.total)])
    return [
        ReportTable(
            caption=_("Contact time per staff member"),
            headers=[_("Staff member"), *headers],
            rows=per_staff,
        ),
        ReportTable(
            caption=_("Contact time per month"),
            headers=[_("Month"), *headers],
            rows=per_month,
        ),
    ]


def staff_time_chart(report: staff_time.StaffTime, *, key: str) -> str:
    """Hours per staff member, split into time with GPMI clients and other clients."""
    if not report.rows:
        return ""
    return charts.bar_chart(
        key=key,
        title=_("Contact hours per staff member, with and without a GPMI"),
        labels=[row.name for row in report.rows],
        series=[_("With GPMI clients"), _("With other clients")],
        # Rounded as in the tables, so the bar's total is the table's hours.
        values=[
            [
                round(row.total.gpmi_minutes / 60, 1),
                round(round(row.total.minutes / 60, 1) - round(row.total.gpmi_minutes / 60, 1), 1),
            ]
            for row in report.rows
        ],
        stacked=True,
        unit=" h",
    )


def staff_time_section(ocmw, team_ids: list[int], year: int) -> ReportSection:
    """Contact time of the teams' staff in the year (2 queries)."""
    report = staff_time.staff_time_for_teams(ocmw_id=ocmw.pk, team_ids=team_ids, year=year)
    return ReportSection(
        key="staff_time",
        title=_("Staff time for the GPMI subsidy"),
        order=60,
        tables=staff_time_tables(report),
        chart_svg=staff_time_chart(report, key="report-staff-time"),
        note=_(
            "Contact minutes from the journal; a group session counts once for its "
            "facilitator, shared by those present. With GPMI clients: contacts with a "
            "client who had a signed GPMI in force on the day of the contact."
        ),
    )


def report_sections(ocmw, team_ids: list[int], year: int) -> list[ReportSection]:
    return [*gpmi_sections(ocmw, team_ids, year), staff_time_section(ocmw, team_ids, year)]


def register() -> None:
    from ocmw import registries

    registries.report_sections.append(report_sections)
