"""The SPI app's deadline rules for the reminders scan (see ``ocmw.reminders``).

One SQL query per rule over every enrolment or checkpoint at once; the OCMW's
own numbers come from its ``SpiSettings`` (the defaults when it has none). The
responsible staff member is the counsellor of the client's open trajectory.

- ``art60_end``: a running art. 60§7 / TWE placement that ends within the OCMW's
  warning period (``art60_warning_days``, 60) while no next step is planned. It
  is the warning on the client file (``spi.selectors.art60_warning``), to the
  day: the end is the planned end (else the maximum end), and the task appears
  once *fewer than* N days are left, so on the day the file shows the warning.
  Recording a next step, or the placement ending (completed, stopped), resolves
  it; a new planned end is a new deadline. Closing the trajectory cancels it.
- ``aftercare_checkpoint``: each aftercare checkpoint (+1/+3/+6/+12 months after
  a start of work) not yet recorded, due on its date, shown a week before.
  Recording it (``spi.services.checkpoint_record``) resolves the task.

  Checkpoints of a *closed* trajectory make no task, and closing the trajectory
  cancels the open ones. Aftercare is the seventh phase of the trajectory
  (DOMAIN.md): the client is followed after the start of work while the
  trajectory stays open, and it is closed ("sustainable work") once the
  checkpoints are done (``spi.hooks`` only offers to close then). A trajectory
  closed earlier means the follow-up ended (the client moved, stopped answering,
  or the outcome was recorded afterwards for the statistics); its counsellor no
  longer follows the client (access is "counsellor of an *open* trajectory"),
  so a task would point them at a file they cannot open. A checkpoint counts
  whatever the open trajectory's phase: the +1 month call is due even if nobody
  moved the trajectory on to the aftercare phase yet.
"""

# The SQL is built from model table names only; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocmw.models import Client
from ocmw.reminders import DeadlineHit, deadline_rule, fetch_hits, fetch_ids
from spi.models import Checkpoint, Enrolment, EnrolmentStatus, Outcome, SpiSettings
from trajecten.models import Phase, Trajectory

ENROLMENT = "enrolment"
CHECKPOINT = "checkpoint"

_E = Enrolment._meta.db_table
_CP = Checkpoint._meta.db_table
_O = Outcome._meta.db_table
_T = Trajectory._meta.db_table
_C = Client._meta.db_table
_S = SpiSettings._meta.db_table

ART60_WARNING_DAYS = SpiSettings._meta.get_field("art60_warning_days").default
# The end the warning reads: the planned end, else the legal maximum.
_END = "COALESCE(e.planned_end_date, e.max_end_date)"


def live_enrolments(ids: Iterable[int]) -> set[int]:
    """Enrolments whose client still has an open trajectory."""
    return fetch_ids(
        f"SELECT e.id FROM {_E} e JOIN {_T} t ON t.client_id = e.client_id AND t.phase <> %s "
        "WHERE e.id = ANY(%s)",
        [Phase.CLOSED, list(ids)],
    )


def live_checkpoints(ids: Iterable[int]) -> set[int]:
    """Checkpoints whose trajectory is still open."""
    return fetch_ids(
        f"SELECT cp.id FROM {_CP} cp JOIN {_O} o ON o.id = cp.outcome_id "
        f"JOIN {_T} t ON t.id = o.trajectory_id WHERE cp.id = ANY(%s) AND t.phase <> %s",
        [list(ids), Phase.CLOSED],
    )


def next_step_link(task) -> str:
    """The placement's form, at its "next step planned" field."""
    return reverse("spi:enrolment_update", args=[task.subject_id]) + "#id_next_step"


def checkpoint_link(task) -> str:
    return reverse("spi:checkpoint_record", args=[task.subject_id])


@deadline_rule(
    kind="art60_end",
    subject_type=ENROLMENT,
    label=_("Art. 60 placement ends soon: plan the next step"),
    live=live_enrolments,
    link=next_step_link,
    # The warning period is each OCMW's own: the query returns only what is in it.
    lead_days=None,
)
def art60_end(today: datetime.date) -> list[DeadlineHit]:
    """A running art. 60 placement without a next step, fewer than N days (60)
    before its end (or past it): due on its end."""
    sql = (
        f"SELECT e.id, e.client_id, t.counsellor_id, c.ocmw_id, {_END} "
        f"FROM {_E} e JOIN {_C} c ON c.id = e.client_id "
        f"JOIN {_T} t ON t.client_id = e.client_id AND t.phase <> %s "
        f"LEFT JOIN {_S} s ON s.ocmw_id = c.ocmw_id "
        "WHERE e.is_art60 AND e.status = %s AND e.next_step !~ '\\S' "
        f"AND {_END} - %s::date < COALESCE(s.art60_warning_days, %s)"
    )
    params = [Phase.CLOSED, EnrolmentStatus.RUNNING, today, ART60_WARNING_DAYS]
    return fetch_hits(sql, params, kind="art60_end", subject_type=ENROLMENT)


@deadline_rule(
    kind="aftercare_checkpoint",
    subject_type=CHECKPOINT,
    label=_("Aftercare checkpoint due"),
    live=live_checkpoints,
    link=checkpoint_link,
)
def aftercare_checkpoint(today: datetime.date) -> list[DeadlineHit]:
    """Every checkpoint not yet recorded of an open trajectory: due on its date."""
    sql = (
        f"SELECT cp.id, t.client_id, t.counsellor_id, c.ocmw_id, cp.due_date "
        f"FROM {_CP} cp JOIN {_O} o ON o.id = cp.outcome_id "
        f"JOIN {_T} t ON t.id = o.trajectory_id JOIN {_C} c ON c.id = t.client_id "
        "WHERE cp.done_on IS NULL AND t.phase <> %s"
    )
    return fetch_hits(sql, [Phase.CLOSED], kind="aftercare_checkpoint", subject_type=CHECKPOINT)


RULES = [art60_end, aftercare_checkpoint]
