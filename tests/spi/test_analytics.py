"""Outcomes by type and retention in the team lead's analytics, on known data.

Period 01/01/2026 – 30/06/2026, looked at on 15/07/2026. Starts of work of the
team "Trajectbegeleiding" (checkpoints at +1, +3, +6 and +12 months):

- O1 social-economy job 15/10/2025: +3 (15/01) still employed, +6 (15/04) still employed;
- O2 regular job 10/11/2025: +3 (10/02) still employed, +6 (10/05) not recorded yet;
- O3 regular job 20/01/2026: +3 (20/04) still employed;
- O4 temporary agency work 01/02/2026: +3 (01/05) no longer employed;
- O5 self-employed 01/03/2025: +12 (01/03/2026) no longer employed;
- O6 regular job 01/05/2026: only its +1 (01/06) falls in the period, and is recorded;
- a training that started on 01/03/2026 (not work: no checkpoints).

So at +3: 4 checkpoints, 3 still employed → 75 %; at +6: 2 due, 1 recorded, still
employed → 100 %, 1 not recorded; at +12: 1, not employed → 0 %. Outcomes that
started in the period: 2 regular jobs (O3, O6), 1 temporary agency work, 1
training. The youth cell's start of work (another team) counts nowhere.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext

from spi import analytics
from spi import services as spi_services
from spi.models import Checkpoint, OutcomeType
from tests.factories import ClientFactory
from tests.spi.conftest import BRUSSELS, day
from trajecten import services as trajecten_services
from trajecten.models import Phase

pytestmark = pytest.mark.django_db

START, END = day("01/01/2026"), day("30/06/2026")


@pytest.fixture
def july():
    """15 July 2026, 10:00 in Brussels, standing still."""
    with time_machine.travel(datetime.datetime(2026, 7, 15, 10, 0, tzinfo=BRUSSELS), tick=False):
        yield day("15/07/2026")


def start_of_work(actor, team, kind: str, start: str, answers: dict[int, bool | None]):
    """A client with a trajectory in ``team``, an outcome started on ``start`` and
    the checkpoints of ``answers`` recorded (months → still employed)."""
    client = ClientFactory(responsible_social_worker=actor)
    trajectory = trajecten_services.trajectory_open(
        actor=actor, client=client, counsellor=actor, team=team, phase=Phase.JOB_PLACEMENT
    )
    outcome = spi_services.outcome_record(
        actor=actor, trajectory=trajectory, data={"type": kind, "start_date": day(start)}
    )
    for months, employed in answers.items():
        checkpoint = Checkpoint.objects.get(outcome=outcome, months=months)
        spi_services.checkpoint_record(
            actor=actor,
            checkpoint=checkpoint,
            data={
                "done_on": checkpoint.due_date + datetime.timedelta(days=2),
                "contact_made": True,
                "still_employed": employed,
            },
        )
    return outcome


@pytest.fixture
def starts(july, counsellor, spi_team, other_team, youth_team):
    start_of_work(counsellor, spi_team, "social_economy", "15/10/2025", {3: True, 6: True})
    start_of_work(counsellor, spi_team, "regular_job", "10/11/2025", {3: True})
    start_of_work(counsellor, spi_team, "regular_job", "20/01/2026", {3: True})
    start_of_work(counsellor, spi_team, "temp_work", "01/02/2026", {3: False})
    start_of_work(counsellor, spi_team, "self_employed", "01/03/2025", {12: False})
    start_of_work(counsellor, spi_team, "regular_job", "01/05/2026", {1: True})
    start_of_work(counsellor, spi_team, "training", "01/03/2026", {})
    # Another team: a start of work in the period with a +3 checkpoint recorded.
    start_of_work(other_team, youth_team, "regular_job", "15/01/2026", {3: False})


def test_outcomes_are_counted_by_type_when_they_start_in_the_period(starts, spi_team):
    counts = analytics.outcomes_by_type([spi_team.pk], START, END)
    assert {k: n for k, n in counts.items() if n} == {
        OutcomeType.REGULAR_JOB: 2,
        OutcomeType.TEMP_WORK: 1,
        OutcomeType.TRAINING: 1,
    }
    assert set(counts) == set(OutcomeType.values)  # every type is listed


def test_four_checkpoints_at_3_months_with_3_still_employed_give_75_percent(starts, spi_team):
    plus3, plus6, plus12 = analytics.retention([spi_team.pk], START, END)
    assert (plus3.months, plus3.due, plus3.recorded, plus3.employed) == (3, 4, 4, 3)
    assert plus3.share == 75.0
    assert (plus6.due, plus6.recorded, plus6.employed, plus6.not_recorded) == (2, 1, 1, 1)
    assert plus6.share == 100.0
    assert (plus12.due, plus12.employed, plus12.not_employed, plus12.share) == (1, 0, 1, 0.0)


def test_another_team_counts_only_its_own(starts, youth_team):
    assert sum(analytics.outcomes_by_type([youth_team.pk], START, END).values()) == 1
    plus3 = analytics.retention([youth_team.pk], START, END)[0]
    assert (plus3.due, plus3.employed, plus3.share) == (1, 0, 0.0)


def test_no_checkpoint_recorded_gives_no_share_rather_than_zero(db, spi_team):
    assert [r.share for r in analytics.retention([spi_team.pk], START, END)] == [None] * 3
    assert analytics.retention([], START, END)[0].due == 0


def test_the_sections_hold_the_tables_and_a_chart(starts, spi_team):
    outcomes, retention = analytics.sections([spi_team.pk], START, END)
    assert (outcomes.key, retention.key) == ("outcomes", "retention")
    # "Yes" comes with Django's own catalogue, so it is "Ja" even in the tests.
    assert outcomes.tables[0].rows[0] == ["Regular job", gettext("Yes"), 2]
    assert outcomes.tables[0].rows[-1] == ["Total", "", 4]
    assert retention.tables[0].rows == [
        ["+3 months", 4, 3, 1, 0, 75.0],
        ["+6 months", 2, 1, 0, 1, 100.0],
        ["+12 months", 1, 0, 1, 0, 0.0],
    ]
    assert 'role="img"' in retention.chart_svg and ">75 %<" in retention.chart_svg
    assert 'role="img"' in outcomes.chart_svg and "Regular job: 2" in outcomes.chart_svg


def test_the_analytics_page_shows_outcomes_and_retention(login, teamlead, starts, spi_team):
    response = login(teamlead).get(
        reverse("trajecten:analytics"),
        {"start": "01/01/2026", "end": "30/06/2026", "team": spi_team.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    retention = html.split('id="section-retention"')[1].split("</section>")[0]
    assert ">+3 months</th>" in retention
    assert '<td class="text-end">75,0</td>' in retention


def test_the_api_shows_them_too(login, teamlead, starts, spi_team):
    response = login(teamlead).get(
        "/api/v1/analytics/", {"start": "2026-01-01", "end": "2026-06-30", "team": spi_team.pk}
    )
    sections = {s["key"]: s for s in response.json()["sections"]}
    assert sections["retention"]["tables"][0]["rows"][0] == ["+3 months", 4, 3, 1, 0, 75.0]


# analytics.sections: 1. outcomes by type, 2. the checkpoints by month.
@pytest.mark.parametrize("size", [1, 10])
def test_the_sections_cost_two_queries_whatever_the_data(
    size, july, counsellor, spi_team, django_assert_num_queries
):
    for _ in range(size):
        start_of_work(counsellor, spi_team, "regular_job", "15/10/2025", {3: True, 6: False})
    with django_assert_num_queries(2):
        outcomes, retention = analytics.sections([spi_team.pk], START, END)
    assert retention.tables[0].rows[0][1:3] == [size, size]
