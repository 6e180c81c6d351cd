"""The trajectory's figures on the team overview (``registries.team_figures``).

- the caseload (open trajectories) and its spread over the seven phases;
- open trajectories without any contact with the client for the OCMW's
  ``no_contact_weeks`` (6).

Both come from one query: per member, one pass over their open trajectories
(the partial index on open trajectories by counsellor), counting by phase, with
one index probe of the client's journal per trajectory old enough to be overdue.

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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocmw.models import User
from ocmw.registries import TeamFigure
from ocmw.reminders import settings_sql
from ocmw.selectors import team_case_list_url
from trajecten.models import PHASES, Contact, ContactType, Phase, Trajectory


def _member_rows(member_ids: list[int], today: datetime.date) -> list[tuple]:
    """``(staff_id, no_contact_weeks, phase, open, without_contact)``: one row per
    member and phase of their open trajectories (one row with phase None for a
    member without any), the weeks being those of the member's OCMW.

    "Without contact": the last contact with the client (or the opening, if
    later) lies more than the weeks back, the date the ``no_contact`` reminder
    falls due: ``GREATEST(last contact, opened) + weeks < today``, asked as
    "opened before today - weeks and no contact since" so that each trajectory is
    one probe of ``contact_client_date_idx`` (index only).
    """
    rs, rs_params = settings_sql()
    sql = (
        "SELECT u.id, rs.no_contact_weeks, x.phase, x.n, x.without_contact "
        f"FROM {User._meta.db_table} u JOIN {rs} rs ON rs.ocmw_id = u.ocmw_id "
        "LEFT JOIN LATERAL ("
        "SELECT t.phase, COUNT(*) AS n, COUNT(*) FILTER ("
        "WHERE t.opened_on < %s::date - 7 * rs.no_contact_weeks AND NOT EXISTS ("
        f"SELECT 1 FROM {Contact._meta.db_table} c WHERE c.client_id = t.client_id "
        # As the no_contact reminder: a handover note is not a contact with the client.
        "AND c.date >= %s::date - 7 * rs.no_contact_weeks AND c.type <> %s)) AS without_contact "
        f"FROM {Trajectory._meta.db_table} t "
        "WHERE t.counsellor_id = u.id AND t.phase <> %s GROUP BY t.phase"
        ") x ON TRUE "
        "WHERE u.id = ANY(%s::bigint[])"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*rs_params, today, today, ContactType.HANDOVER, Phase.CLOSED, list(member_ids)],
        )
        return cursor.fetchall()


def caseload_figures(rows: list[tuple]) -> list[TeamFigure]:
    """The caseload and one figure per phase."""
    by_phase: dict[str, dict[int, int]] = {phase: {} for phase in PHASES}
    caseload: Counter[int] = Counter()
    for staff_id, _weeks, phase, n, _without in rows:
        if phase is None:
            continue
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


def no_contact_figure(rows: list[tuple]) -> list[TeamFigure]:
    """Open trajectories without contact with the client for the OCMW's
    ``no_contact_weeks``: the count is the list of those overdue reminders."""
    without: Counter[int] = Counter()
    for staff_id, _weeks, _phase, _n, n_without in rows:
        without[staff_id] += n_without or 0
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
            values={staff_id: n for staff_id, n in without.items() if n},
            link=lambda staff_id: team_case_list_url(staff_id, overdue="no_contact"),
            order=60,
            kind="number",
            alert=True,
        )
    ]


def team_figures(member_ids: list[int], today: datetime.date) -> list[TeamFigure]:
    """The caseload, the phases and the trajectories without contact (one query)."""
    rows = _member_rows(member_ids, today)
    return caseload_figures(rows) + no_contact_figure(rows)
