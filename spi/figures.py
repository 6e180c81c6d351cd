"""The SPI's figure on the team overview (``registries.team_figures``): aftercare
checkpoints due.

An open checkpoint (not done) of an open trajectory whose date has passed: the
date the ``aftercare_checkpoint`` reminder falls due, so the count is the list of
those overdue reminders. One GROUP BY query, by the trajectory's counsellor.
"""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils.translation import gettext as _

from ocmw.registries import TeamFigure
from ocmw.selectors import team_case_list_url
from trajecten.models import Trajectory


def aftercare_figure(member_ids: list[int], today: datetime.date) -> list[TeamFigure]:
    # From the members' open trajectories (the partial index by counsellor) to
    # their outcomes and checkpoints, rather than from every outcome of the OCMW.
    values = dict(
        Trajectory.objects.open()
        .filter(
            counsellor_id__in=member_ids,
            outcomes__checkpoints__done_on__isnull=True,
            outcomes__checkpoints__due_date__lt=today,
        )
        .values("counsellor_id")
        .annotate(n=Count("*"))
        .values_list("counsellor_id", "n")
        .order_by()
    )
    return [
        TeamFigure(
            key="aftercare_due",
            label=_("Aftercare checkpoints due"),
            values=values,
            link=lambda staff_id: team_case_list_url(staff_id, overdue="aftercare_checkpoint"),
            order=70,
            kind="number",
            alert=True,
        )
    ]
