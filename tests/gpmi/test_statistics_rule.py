"""The statistics count "running" and "meeting the evaluation rule" in their own SQL
(one pass over thousands of GPMIs); ``selectors.compliance`` is the rule as the
GPMI page shows it. Day by day through a contract's life they must agree: on
schedule, behind, beyond saving, a new contract year, an amendment asking for
more evaluations, and the end of the contract.

Also: the covering index the statistics read the versions from exists.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection

from gpmi import selectors, services
from gpmi.models import EndReason, Gpmi
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0), tick=False)


def evaluate(counsellor, trajectory, day: datetime.date, *, in_person: bool = True) -> None:
    with at(day):
        trajecten_services.evaluation_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"date": day, "in_person": in_person, "conclusion": "Evaluatie"},
        )


def statistics_of(gpmi: Gpmi, day: datetime.date) -> tuple[int, int]:
    """(running, meeting the rule) as the statistics count this one GPMI on ``day``."""
    sql, params = selectors._statistics_sql(
        Gpmi.objects.filter(pk=gpmi.pk), first_day=D(day.year, 1, 1), reference=day
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = next(row for row in rows if all(row[4:8]))
    return total[10], total[13]


def days(first: datetime.date, last: datetime.date, step: int = 6):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=step)


def assert_same_answers(gpmi: Gpmi, first: datetime.date, last: datetime.date) -> set[str]:
    seen = set()
    for day in days(first, last):
        rule = selectors.compliance(gpmi, day)
        running, met = statistics_of(gpmi, day)
        assert (running, met) == (int(rule.applies), int(rule.status == "ok")), (day, rule)
        seen.add(rule.status)
    return seen


def test_the_statistics_apply_the_evaluation_rule_of_the_gpmi_page(
    counsellor, gpmi_signed, gpmi_trajectory, gpmi_sign
):
    gpmi = gpmi_signed.gpmi  # contract year 01/03/2026–28/02/2027: 3 evaluations, 2 in person
    evaluate(counsellor, gpmi_trajectory, D(2026, 5, 20), in_person=False)
    evaluate(counsellor, gpmi_trajectory, D(2026, 9, 2))
    evaluate(counsellor, gpmi_trajectory, D(2027, 3, 20), in_person=False)
    evaluate(counsellor, gpmi_trajectory, D(2027, 4, 2))
    # An amendment from 01/06/2027 asks for 9 evaluations a year, 6 in person: by the
    # autumn they no longer fit in the contract year (to 29/02/2028).
    with at(D(2027, 6, 1)):
        amendment = services.version_create(
            actor=counsellor,
            gpmi=gpmi,
            data=gpmi_version_data(
                start_date=D(2027, 6, 1),
                end_date=D(2028, 5, 31),
                evaluations_per_year=9,
                evaluations_in_person=6,
            ),
        )
        services.version_present(actor=counsellor, version=amendment, on=D(2027, 5, 20))
        gpmi_sign(amendment, D(2027, 6, 1))
    evaluate(counsellor, gpmi_trajectory, D(2027, 7, 1))
    with at(D(2027, 12, 15)):
        amendment.refresh_from_db()
        services.version_end(
            actor=counsellor, version=amendment, reason=EndReason.END_OF_TERM, on=D(2027, 12, 15)
        )

    seen = assert_same_answers(gpmi, D(2026, 2, 20), D(2028, 1, 31))

    # The walk went through every answer the rule can give.
    assert seen == {"ok", "behind", "cannot_be_met", "not_applicable"}


def test_a_gpmi_without_a_signed_version_is_neither_running_nor_meeting_the_rule(gpmi_draft):
    assert statistics_of(gpmi_draft.gpmi, D(2026, 7, 1)) == (0, 0)
    assert not selectors.compliance(gpmi_draft.gpmi, D(2026, 7, 1)).applies


def test_the_versions_are_read_from_a_covering_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'gpmi_gpmiversion' "
            "AND indexname = 'gpmi_version_figures_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "(gpmi_id, number) INCLUDE (status, start_date, ended_on, end_reason" in definition
    assert "evaluations_per_year, evaluations_in_person)" in definition
