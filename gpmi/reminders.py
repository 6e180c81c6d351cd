"""The GPMI's deadline rules for the reminders scan (see ``ocmw.reminders``).

One SQL query per rule over every GPMI at once. The responsible staff member is
the counsellor of the GPMI's trajectory; a closed trajectory cancels the tasks.
"""

# The SQL is built from model table names only; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gpmi.models import (
    LEGAL_DEADLINE_MONTHS,
    REFLECTION_DAYS,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionStatus,
)
from ocmw.models import Client
from ocmw.reminders import DeadlineHit, deadline_rule, fetch_hits, fetch_ids, settings_sql
from trajecten.models import Evaluation, Phase, Trajectory

_G = Gpmi._meta.db_table
_V = GpmiVersion._meta.db_table
_T = Trajectory._meta.db_table
_C = Client._meta.db_table
_EVAL = Evaluation._meta.db_table


def live_gpmis(ids: Iterable[int]) -> set[int]:
    return fetch_ids(
        f"SELECT g.id FROM {_G} g JOIN {_T} t ON t.id = g.trajectory_id "
        "WHERE g.id = ANY(%s) AND t.phase <> %s",
        [list(ids), Phase.CLOSED],
    )


def _live_versions(statuses: list[str]):
    def live(ids: Iterable[int]) -> set[int]:
        return fetch_ids(
            f"SELECT v.id FROM {_V} v JOIN {_G} g ON g.id = v.gpmi_id "
            f"JOIN {_T} t ON t.id = g.trajectory_id "
            "WHERE v.id = ANY(%s) AND t.phase <> %s AND v.status = ANY(%s)",
            [list(ids), Phase.CLOSED, statuses],
        )

    return live


def new_version_link(task) -> str:
    """A new version of the GPMI (the page leads to the one being prepared, if any)."""
    return reverse("gpmi:version_create", args=[task.subject_id])


def sign_link(task) -> str:
    """The form that records the signatures of the presented version."""
    return reverse("gpmi:version_sign", args=[task.subject_id])


def version_trajectories(version_ids: set[int]) -> dict[int, int]:
    """``{version id: trajectory id}``: the evaluations are the trajectory's."""
    return dict(
        GpmiVersion.objects.filter(pk__in=version_ids).values_list("pk", "gpmi__trajectory_id")
    )


def evaluation_link(task) -> str:
    """The evaluation form of the GPMI's trajectory (``link_data``: its id)."""
    if task.link_data is None:  # the version no longer exists: the client file
        return reverse("client_detail", args=[task.client_id])
    return reverse("trajecten:evaluation_create", args=[task.link_data])


@deadline_rule(
    kind="gpmi_to_conclude",
    subject_type="gpmi",
    label=_("GPMI to conclude (legal deadline)"),
    live=live_gpmis,
    link=new_version_link,
    lead_days=30,
)
def gpmi_to_conclude(today: datetime.date) -> list[DeadlineHit]:
    """A GPMI (not an exemption) without a signed version (``Gpmi.concluded``):
    leefloon decision + 3 months."""
    sql = (
        "SELECT g.id, g.client_id, t.counsellor_id, c.ocmw_id, "
        "(g.leefloon_decision_date + make_interval(months => %s::int))::date "
        f"FROM {_G} g JOIN {_T} t ON t.id = g.trajectory_id JOIN {_C} c ON c.id = g.client_id "
        "WHERE g.type <> %s AND t.phase <> %s AND NOT g.concluded"
    )
    params = [LEGAL_DEADLINE_MONTHS, GpmiType.EXEMPTION, Phase.CLOSED]
    return fetch_hits(sql, params, kind="gpmi_to_conclude", subject_type="gpmi")


@deadline_rule(
    kind="gpmi_reflection_end",
    subject_type="gpmi_version",
    label=_("End of the GPMI reflection period: have it signed"),
    live=_live_versions([VersionStatus.PRESENTED, VersionStatus.SIGNED, VersionStatus.ACTIVE]),
    link=sign_link,
    lead_days=0,
)
def gpmi_reflection_end(today: datetime.date) -> list[DeadlineHit]:
    """A presented version: the client may sign from presentation + 5 days."""
    sql = (
        "SELECT v.id, g.client_id, t.counsellor_id, c.ocmw_id, "
        "v.presented_on + %s::int "
        f"FROM {_V} v JOIN {_G} g ON g.id = v.gpmi_id JOIN {_T} t ON t.id = g.trajectory_id "
        f"JOIN {_C} c ON c.id = g.client_id "
        "WHERE v.status = %s AND v.presented_on IS NOT NULL AND t.phase <> %s"
    )
    params = [REFLECTION_DAYS, VersionStatus.PRESENTED, Phase.CLOSED]
    return fetch_hits(sql, params, kind="gpmi_reflection_end", subject_type="gpmi_version")


@deadline_rule(
    kind="gpmi_evaluation",
    subject_type="gpmi_version",
    label=_("GPMI evaluation due"),
    live=_live_versions([VersionStatus.ACTIVE]),
    link=evaluation_link,
    link_data=version_trajectories,
)
def gpmi_evaluation(today: datetime.date) -> list[DeadlineHit]:
    """A running version with fewer evaluations (or fewer in person) in the last
    12 months than it promises: due one interval after the last evaluation since
    its start (or after its start). The interval is the OCMW's (4 months), shorter
    when the contract promises more than 3 a year."""
    rs, rs_params = settings_sql()
    sql = (
        "SELECT v.id, g.client_id, t.counsellor_id, c.ocmw_id, "
        "(COALESCE(ev.last_date, v.start_date) + make_interval(months => "
        "LEAST(rs.evaluation_interval_months, 12 / GREATEST(v.evaluations_per_year, 1))))::date "
        f"FROM {_V} v JOIN {_G} g ON g.id = v.gpmi_id JOIN {_T} t ON t.id = g.trajectory_id "
        f"JOIN {_C} c ON c.id = g.client_id JOIN {rs} rs ON rs.ocmw_id = c.ocmw_id "
        "LEFT JOIN LATERAL (SELECT MAX(e.date) AS last_date, "
        "COUNT(*) FILTER (WHERE e.date > %s) AS in_year, "
        "COUNT(*) FILTER (WHERE e.date > %s AND e.in_person) AS in_person "
        f"FROM {_EVAL} e WHERE e.trajectory_id = g.trajectory_id AND e.date >= v.start_date) ev "
        "ON TRUE "
        "WHERE v.status = %s AND t.phase <> %s "
        "AND (COALESCE(ev.in_year, 0) < v.evaluations_per_year "
        "OR COALESCE(ev.in_person, 0) < v.evaluations_in_person)"
    )
    year_ago = today - datetime.timedelta(days=365)
    params = [*rs_params, year_ago, year_ago, VersionStatus.ACTIVE, Phase.CLOSED]
    return fetch_hits(sql, params, kind="gpmi_evaluation", subject_type="gpmi_version")


RULES = [gpmi_to_conclude, gpmi_reflection_end, gpmi_evaluation]
