"""The SPI app's part of the team lead's analytics: outcomes by type and retention.

Registered in ``SpiConfig.ready()`` in ``ocmw.registries.analytics_sections``
(``(team_ids, start, end) -> list[ReportSection]``); one query per section.

- **Outcomes** are counted by their start date in the period, for the
  trajectories of the teams (the team a trajectory belongs to now).
- **Retention** looks at the aftercare checkpoints at +3, +6 and +12 months after
  a start of work that fell due in the period (``Checkpoint.due_date``). The
  share still employed is taken over the checkpoints where it was recorded
  (``still_employed`` yes or no): 4 checkpoints at +3 months of which 3 still
  employed is 75 %. Checkpoints due but not recorded yet are counted apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ocmw import charts
from ocmw.registries import ReportSection, ReportTable
from spi.models import WORK_OUTCOMES, Checkpoint, Outcome, OutcomeType

RETENTION_MONTHS = (3, 6, 12)


def outcomes_by_type(
    team_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """Outcomes that started in the period, per type, every type listed (one query)."""
    rows = (
        Outcome.objects.filter(
            trajectory__team_id__in=team_ids, start_date__gte=start, start_date__lte=end
        )
        .order_by()
        .values("type")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(OutcomeType.values, 0)
    for row in rows:
        counts[row["type"]] = counts.get(row["type"], 0) + row["n"]
    return counts


@dataclass(frozen=True)
class Retention:
    months: int
    due: int  # checkpoints due in the period
    recorded: int  # of which "still employed" was recorded (yes or no)
    employed: int
    not_employed: int

    @property
    def not_recorded(self) -> int:
        return self.due - self.recorded

    @property
    def share(self) -> float | None:
        """Per cent still employed of the recorded checkpoints; None when none was."""
        return round(100 * self.employed / self.recorded, 1) if self.recorded else None


def retention(team_ids: list[int], start: datetime.date, end: datetime.date) -> list[Retention]:
    """Still employed at the +3, +6 and +12-month checkpoints due in the period (one query)."""
    rows = (
        Checkpoint.objects.filter(
            outcome__trajectory__team_id__in=team_ids,
            months__in=RETENTION_MONTHS,
            due_date__gte=start,
            due_date__lte=end,
        )
        .order_by()
        .values("months")
        .annotate(
            due=Count("id"),
            recorded=Count("id", filter=Q(still_employed__isnull=False)),
            employed=Count("id", filter=Q(still_employed=True)),
            not_employed=Count("id", filter=Q(still_employed=False)),
        )
    )
    found = {row["months"]: row for row in rows}
    empty = {"due": 0, "recorded": 0, "employed": 0, "not_employed": 0}
    return [
        Retention(
            months=months,
            **{key: found.get(months, empty)[key] for key in empty},
        )
        for months in RETENTION_MONTHS
    ]


def _checkpoint_label(months: int) -> str:
    return _("+%(months)d months") % {"months": months}


def _outcomes_section(team_ids, start, end) -> ReportSection:
    counts = outcomes_by_type(team_ids, start, end)
    labels = [str(label) for label in OutcomeType.labels]
    values = [counts[value] for value in OutcomeType.values]
    yes, no = _("Yes"), _("No")
    return ReportSection(
        key="outcomes",
        title=_("Outcomes by type"),
        tables=[
            ReportTable(
                caption=_("Outcomes that started in the period, by type"),
                headers=[_("Outcome"), _("Start of work"), _("Outcomes")],
                rows=[
                    [label, yes if value in WORK_OUTCOMES else no, counts[value]]
                    for label, value in zip(labels, OutcomeType.values, strict=True)
                ]
                + [[_("Total"), "", sum(values)]],
            )
        ],
        chart_svg=charts.bar_chart(
            key="outcomes",
            title=_("Outcomes that started in the period, by type"),
            labels=labels,
            values=values,
        ),
        order=40,
        note=_("Counted by their start date. A start of work is followed by aftercare."),
    )


def _retention_section(team_ids, start, end) -> ReportSection:
    found = retention(team_ids, start, end)
    labels = [_checkpoint_label(r.months) for r in found]
    share = _("Share still employed (%)")
    return ReportSection(
        key="retention",
        title=_("Still employed after the start of work"),
        tables=[
            ReportTable(
                caption=_("Aftercare checkpoints due in the period"),
                headers=[
                    _("Checkpoint"),
                    _("Due in the period"),
                    _("Still employed"),
                    _("No longer employed"),
                    _("Not recorded yet"),
                    share,
                ],
                rows=[
                    [label, r.due, r.employed, r.not_employed, r.not_recorded, r.share]
                    for label, r in zip(labels, found, strict=True)
                ],
            )
        ],
        chart_svg=charts.bar_chart(
            key="retention",
            title=_("Share still employed at the aftercare checkpoints"),
            labels=labels,
            values=[r.share for r in found],
            unit=" %",
            max_value=100,
        ),
        order=50,
        note=_(
            "The share is taken over the checkpoints where it was recorded whether the "
            "client still works; checkpoints not recorded yet are counted apart."
        ),
    )


def sections(team_ids: list[int], start: datetime.date, end: datetime.date) -> list[ReportSection]:
    """The SPI app's analytics sections (registered in ``SpiConfig.ready``)."""
    return [_outcomes_section(team_ids, start, end), _retention_section(team_ids, start, end)]
