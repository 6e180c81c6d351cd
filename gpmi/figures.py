"""The GPMI's figure on the team overview (``registries.team_figures``): GPMIs
past their legal deadline.

A GPMI (not an exemption) of an open trajectory with no concluded version
(signed, running or ended: ``Gpmi.concluded`` is false) whose leefloon decision
+ 3 months lies before today: the same rule as the ``gpmi_to_conclude``
reminder, so the count is the list of those overdue reminders. One GROUP BY
query, by the trajectory's counsellor; the GPMIs still to conclude come from
their partial index (``gpmi_to_conclude_idx``) alone, never from the versions.
"""

# The SQL is built from model table names only; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils.translation import gettext as _

from gpmi.models import LEGAL_DEADLINE_MONTHS, Gpmi, GpmiType, legal_deadline_for
from ocmw.registries import TeamFigure
from ocmw.selectors import team_case_list_url
from trajecten.models import Phase, Trajectory


def decided_before(today: datetime.date) -> datetime.date:
    """The first leefloon decision date whose legal deadline is not yet past on
    ``today``: a deadline (decision + 3 months, clipped to the month's end) lies
    before today exactly for the decisions before this date. The deadline never
    decreases with the decision date, so one comparison on the plain column
    replaces the month arithmetic on every GPMI row."""
    day = today - relativedelta(months=LEGAL_DEADLINE_MONTHS)
    while legal_deadline_for(day - datetime.timedelta(days=1)) >= today:
        day -= datetime.timedelta(days=1)
    while legal_deadline_for(day) < today:
        day += datetime.timedelta(days=1)
    return day


def past_deadline_sql(member_ids: list[int], today: datetime.date) -> tuple[str, list]:
    """The figure's query: ``(counsellor id, count)`` rows."""
    sql = (
        "SELECT t.counsellor_id, COUNT(*) "
        f"FROM {Gpmi._meta.db_table} g JOIN {Trajectory._meta.db_table} t "
        "ON t.id = g.trajectory_id "
        "WHERE t.counsellor_id = ANY(%s::bigint[]) AND t.phase <> %s AND g.type <> %s "
        "AND g.leefloon_decision_date < %s AND NOT g.concluded "
        "GROUP BY t.counsellor_id"
    )
    params = [
        list(member_ids),
        Phase.CLOSED,
        GpmiType.EXEMPTION,
        decided_before(today),
    ]
    return sql, params


def past_deadline_figure(member_ids: list[int], today: datetime.date) -> list[TeamFigure]:
    sql, params = past_deadline_sql(member_ids, today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = dict(cursor.fetchall())
    return [
        TeamFigure(
            key="gpmi_past_deadline",
            label=_("GPMIs past the legal deadline"),
            values=values,
            link=lambda staff_id: team_case_list_url(staff_id, overdue="gpmi_to_conclude"),
            order=50,
            kind="number",
            alert=True,
        )
    ]
