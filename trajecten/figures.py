"""The trajectory's figures on the team overview (``registries.team_figures``).

- the caseload (open trajectories) and its spread over the seven phases: one
  GROUP BY (counsellor, phase) query;
- open trajectories without any contact with the client for the OCMW's
  ``no_contact_weeks`` (6): one query.

Each counts every open trajectory of the person, whatever the team: the caseload
limits are the person's.
"""

# The SQL is built from model table names only; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from collections import Counter

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocmw.models import User
from ocmw.registries import TeamFigure
from ocmw.reminders import settings_sql
from ocmw.selectors import team_case_list_url
from trajecten.models import PHASES, Contact, Phase, Trajectory


def caseload_figures(member_ids: list[int], today: datetime.date) -> list[TeamFigure]:
    """The caseload and one figure per phase, from one query."""
    by_phase: dict[str, dict[int, int]] = {phase: {} for phase in PHASES}
    caseload: Counter[int] = Counter()
    rows = (
        Trajectory.objects.open()
        .filter(counsellor_id__in=member_ids)
        .values("counsellor_id", "phase")
        .annotate(n=Count("id"))
        .values_list("counsellor_id", "phase", "n")
        .order_by()
    )
    for staff_id, phase, n in rows:
        by_phase.setdefault(phase, {})[staff_id] = n
        caseload[staff_id] += n
    labels = dict(Phase.choices)

    def phase_link(phase: str):
        return lambda staff_id: team_case_list_url(staff_id, phase=phase)

    figures = [
        TeamFigure(
            key="caseload",
            label=_("Caseload"),
            values=dict(caseload),
            link=team_case_list_url,
            order=10,
            kind="caseload",
        )
    ]
    figures += [
        TeamFigure(
            key=phase,
            label=str(labels[phase]),
            values=by_phase[phase],
            link=phase_link(phase),
            order=20 + number,
            kind="phase",
        )
        for number, phase in enumerate(PHASES, start=1)
    ]
    return figures


def no_contact_figure(member_ids: list[int], today: datetime.date) -> list[TeamFigure]:
    """Open trajectories whose last contact with the client (or the opening, if
    later) lies more than the OCMW's ``no_contact_weeks`` back: the same date the
    ``no_contact`` reminder falls due, so the count is the list of those overdue
    reminders. One query, one row per member (with the member's OCMW's weeks)."""
    rs, rs_params = settings_sql()
    sql = (
        "SELECT u.id, rs.no_contact_weeks, COUNT(t.id) "
        f"FROM {User._meta.db_table} u JOIN {rs} rs ON rs.ocmw_id = u.ocmw_id "
        f"LEFT JOIN {Trajectory._meta.db_table} t ON t.counsellor_id = u.id "
        "AND t.phase <> %s AND (GREATEST("
        f"(SELECT MAX(c.date) FROM {Contact._meta.db_table} c WHERE c.client_id = t.client_id), "
        "t.opened_on) + make_interval(weeks => rs.no_contact_weeks))::date < %s "
        "WHERE u.id = ANY(%s) GROUP BY u.id, rs.no_contact_weeks"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rs_params, Phase.CLOSED, today, list(member_ids)])
        rows = cursor.fetchall()
    weeks = Counter(row[1] for row in rows).most_common(1)
    weeks = weeks[0][0] if weeks else settings.REMINDER_DEFAULTS["no_contact_weeks"]
    return [
        TeamFigure(
            key="no_contact",
            label=ngettext(
                "No contact for over %(weeks)d week",
                "No contact for over %(weeks)d weeks",
                weeks,
            )
            % {"weeks": weeks},
            values={staff_id: n for staff_id, _weeks, n in rows if n},
            link=lambda staff_id: team_case_list_url(staff_id, overdue="no_contact"),
            order=60,
            kind="number",
            alert=True,
        )
    ]


def team_figures(member_ids: list[int], today: datetime.date) -> list[TeamFigure]:
    return caseload_figures(member_ids, today) + no_contact_figure(member_ids, today)
