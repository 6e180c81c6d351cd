"""Registries through which apps built on the trajectory app plug into its pages.

The trajectory app never imports ``spi`` (dependencies point spi → trajecten).
An app appends its objects here in ``AppConfig.ready()``; the trajectory pages
iterate over the lists.

- ``case_list_filters``: extra filters of the team case list (``/team/cases/``).
  Each is a :class:`CaseListFilter`; the filter form shows it as a select with
  ``choices(user)``, validates a value against those choices (an unknown value
  is a clear form error, never a 500) and narrows the list with
  ``apply(queryset, value)``. The SPI app adds "measure" (a current enrolment
  in an activation measure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class CaseListFilter:
    """One extra filter of the team case list.

    - ``name``: the GET parameter (``measure``);
    - ``label``: the field's label (lazy translation);
    - ``choices(user) -> list[(value, label)]``: what the user may pick, already
      scoped to the user's OCMW (one query at most);
    - ``apply(queryset, value) -> queryset``: the open trajectories narrowed to
      those matching ``value`` (one of the choices' values, a string); it must
      not add rows (use ``Exists``, not a join that duplicates).
    """

    name: str
    label: Any
    choices: Callable[[Any], list[tuple[str, str]]]
    apply: Callable[[QuerySet, str], QuerySet]
    order: int = 100
    # The first option, "no filter" ("All measures").
    empty_label: Any = None


case_list_filters: list[CaseListFilter] = []


def sorted_case_list_filters() -> list[CaseListFilter]:
    return sorted(case_list_filters, key=lambda item: (item.order, item.name))
