"""Trajectory analytics: every figure on a small history whose answers are known.

The history (team "Trajectbegeleiding", led by ``teamlead``; period 01/01/2026 –
30/06/2026, looked at on 15/07/2026):

- A, B, C open in phase 2 on 05/01 and move on to phase 3 after 10, 20 and 40
  days → phase 2: median 20, 80th percentile 20 + 0.6 × (40 − 20) = 32.
  D opens in phase 2 on 05/01 and stays there (still in phase 2 at the end).
- B skips from 3 to 5 on 10/02 (16 days in 3) and goes back from 5 to 4 on 01/03
  (19 days in 5); C is closed from phase 3 on 10/03 ("unreachable", 24 days in 3)
  → phase 3: 16 and 24 days, median 20, 80th percentile 22.4; A is still in 3.
- G opens in phase 6 on 05/01 and is closed with sustainable work on 20/03.
- H opens in phase 4 on 05/01, is closed on 01/02 (medical) and reopened in phase
  4 on 15/02: a reopened trajectory has not ended; its 27 days in 4 count.
- I opens in phase 1 on 01/06 and moves on only on 10/07, after the period: it
  was still in phase 1 at the end; its move is not in the period.
- E was opened in phase 4 and closed (moved) in 2025: nothing in the period.
- Y, of the youth cell (not led by ``teamlead``), moves 2 → 3 in the period.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from ocmw.models import Role, Team, TeamService
from tests.factories import ClientFactory, StaffFactory
from trajecten import analytics
from trajecten import services as trajectory_services
from trajecten.models import ClosingReason, Phase, Trajectory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)
TODAY = datetime.date(2026, 7, 15)
PERIOD = {"start": "01/01/2026", "end": "30/06/2026"}
ANALYTICS_URL = reverse("trajecten:analytics")


def on(text: str):
    """The clock at 10:00 in Brussels on ``text`` (dd/mm/yyyy), standing still."""
    day = datetime.datetime.strptime(text, "%d/%m/%Y").date()
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=BRUSSELS), tick=False
    )


@pytest.fixture
def clock():
    with on("15/07/2026"):
        yield TODAY


class History:
    """Opens and moves trajectories on given days, through the services."""

    def __init__(self, actor, counsellor, team):
        self.actor, self.counsellor, self.team = actor, counsellor, team
        self.trajectories: dict[str, Trajectory] = {}

    def open(self, name: str, phase: str, day: str) -> None:
        with on(day):
            client = ClientFactory(responsible_social_worker=self.counsellor, first_name=name)
            trajectory_services.needs_analysis_record(
                actor=self.actor, client=client, data={"own_project": "Werken"}
            )
            self.trajectories[name] = trajectory_services.trajectory_open(
                actor=self.actor,
                client=client,
                counsellor=self.counsellor,
                team=self.team,
                phase=phase,
            )

    def move(self, name: str, target: str, day: str, **extra) -> None:
        with on(day):
            self.trajectories[name] = trajectory_services.trajectory_transition(
                actor=self.actor,
                trajectory=self.trajectories[name],
                target=target,
                reason=extra.pop("reason", "Zo afgesproken"),
                **extra,
            )


def make_history(teamlead, counsellor, spi_team, other_team, youth_team, *, handover_to=None):
    """The history of the module docstring; with ``handover_to``, C changes counsellor
    on 20/01, in the middle of its stay in phase 2."""
    h = History(teamlead, counsellor, spi_team)
    h.open("E", Phase.WORK_EXPERIENCE, "01/06/2025")
    h.move("E", Phase.CLOSED, "01/12/2025", closing_reason=ClosingReason.MOVED)
    for name in "ABCD":
        h.open(name, Phase.SCREENING, "05/01/2026")
    h.open("G", Phase.JOB_PLACEMENT, "05/01/2026")
    h.open("H", Phase.WORK_EXPERIENCE, "05/01/2026")
    h.move("A", Phase.SOCIAL_ACTIVATION, "15/01/2026")
    if handover_to is not None:
        with on("20/01/2026"):
            trajectory_services.trajectories_reassign(
                actor=teamlead,
                trajectory_ids=[h.trajectories["C"].pk],
                to_counsellor=handover_to,
                note="Overdracht tijdens verlof",
            )
    h.move("B", Phase.SOCIAL_ACTIVATION, "25/01/2026")
    h.move("H", Phase.CLOSED, "01/02/2026", closing_reason=ClosingReason.MEDICAL)
    h.move("B", Phase.PROFESSIONAL_ACTIVATION, "10/02/2026")  # skip 3 → 5
    h.move("C", Phase.SOCIAL_ACTIVATION, "14/02/2026")
    h.move("H", Phase.WORK_EXPERIENCE, "15/02/2026")  # reopen
    h.move("B", Phase.WORK_EXPERIENCE, "01/03/2026")  # back 5 → 4
    h.move("C", Phase.CLOSED, "10/03/2026", closing_reason=ClosingReason.UNREACHABLE)
    h.move("G", Phase.CLOSED, "20/03/2026", closing_reason=ClosingReason.SUSTAINABLE_WORK)
    h.open("I", Phase.PRECONDITIONS, "01/06/2026")
    h.move("I", Phase.SCREENING, "10/07/2026")
    youth = History(other_team, other_team, youth_team)
    youth.open("Y", Phase.SCREENING, "05/01/2026")
    youth.move("Y", Phase.SOCIAL_ACTIVATION, "20/01/2026")
    return h


@pytest.fixture
def history(teamlead, counsellor, spi_team, other_team, youth_team) -> History:
    return make_history(teamlead, counsellor, spi_team, other_team, youth_team)


# --- the figures ------------------------------------------------------------------------------


def by_phase(spi_team) -> dict[str, analytics.PhaseTime]:
    return {t.phase: t for t in analytics.phase_times([spi_team.pk], START, END)}


def test_three_stays_of_10_20_and_40_days_give_a_median_of_20_and_a_p80_of_32(
    history, spi_team, clock
):
    screening = by_phase(spi_team)[Phase.SCREENING]
    assert screening.completed == 3
    assert screening.median_days == 20
    # percentile_cont: position 0.8 × (3 − 1) = 1.6 → 20 + 0.6 × (40 − 20)
    assert screening.p80_days == 32
    # D has been in phase 2 since 05/01; I entered it only on 10/07, after the period.
    assert screening.ongoing == 1


def test_the_other_phases_count_their_ended_and_ongoing_stays(history, spi_team, clock):
    times = by_phase(spi_team)
    # B 16 days (skipped on), C 24 days (closed): 16 + 0.8 × (24 − 16) = 22.4; A still there.
    assert times[Phase.SOCIAL_ACTIVATION] == analytics.PhaseTime(
        Phase.SOCIAL_ACTIVATION, completed=2, median_days=20, p80_days=22.4, ongoing=1
    )
    # H 27 days until closed (05/01 → 01/02); B and the reopened H are in 4 now.
    assert times[Phase.WORK_EXPERIENCE] == analytics.PhaseTime(
        Phase.WORK_EXPERIENCE, completed=1, median_days=27, p80_days=27, ongoing=2
    )
    assert times[Phase.PROFESSIONAL_ACTIVATION].median_days == 19  # B, 10/02 → 01/03
    assert times[Phase.JOB_PLACEMENT].median_days == 74  # G, 05/01 → 20/03
    # I was in phase 1 at the end of the period, and left it only afterwards.
    assert times[Phase.PRECONDITIONS] == analytics.PhaseTime(
        Phase.PRECONDITIONS, completed=0, median_days=None, p80_days=None, ongoing=1
    )
    assert times[Phase.AFTERCARE].completed == 0


@pytest.mark.parametrize(
    ("start", "end", "completed", "median", "ongoing"),
    [
        # A left phase 2 on 15/01, B on 25/01, C on 14/02; D never did.
        ("15/01/2026", "30/06/2026", 3, 20, 1),  # A's last day counts
        ("16/01/2026", "30/06/2026", 2, 30, 1),  # B and C: (20 + 40) / 2
        ("01/01/2026", "14/02/2026", 3, 20, 1),
        ("01/01/2026", "13/02/2026", 2, 15, 2),  # C still in phase 2 on 13/02
    ],
)
def test_the_days_at_both_ends_of_the_period_are_included(
    history, spi_team, clock, start, end, completed, median, ongoing
):
    first, last = (datetime.datetime.strptime(d, "%d/%m/%Y").date() for d in (start, end))
    screening = {t.phase: t for t in analytics.phase_times([spi_team.pk], first, last)}[
        Phase.SCREENING
    ]
    assert (screening.completed, screening.median_days, screening.ongoing) == (
        completed,
        median,
        ongoing,
    )


def test_a_change_of_counsellor_does_not_split_a_stay(
    teamlead, counsellor, colleague, spi_team, other_team, youth_team
):
    history = make_history(
        teamlead, counsellor, spi_team, other_team, youth_team, handover_to=colleague
    )
    assert history.trajectories["C"].changes.filter(kind="reassign").count() == 1
    with on("15/07/2026"):
        screening = by_phase(spi_team)[Phase.SCREENING]
    assert (screening.completed, screening.median_days, screening.p80_days) == (3, 20, 32)


def test_the_transition_matrix_counts_forward_skipped_back_closed_and_reopened(
    history, spi_team, clock
):
    flows = analytics.flows([spi_team.pk], START, END)
    assert flows.by_kind == {"advance": 3, "skip": 1, "back": 1, "close": 3, "reopen": 1}
    index = analytics.MATRIX_PHASES.index
    expected = {
        (Phase.SCREENING, Phase.SOCIAL_ACTIVATION): 3,
        (Phase.SOCIAL_ACTIVATION, Phase.PROFESSIONAL_ACTIVATION): 1,  # skip
        (Phase.PROFESSIONAL_ACTIVATION, Phase.WORK_EXPERIENCE): 1,  # back
        (Phase.SOCIAL_ACTIVATION, Phase.CLOSED): 1,
        (Phase.JOB_PLACEMENT, Phase.CLOSED): 1,
        (Phase.WORK_EXPERIENCE, Phase.CLOSED): 1,
        (Phase.CLOSED, Phase.WORK_EXPERIENCE): 1,  # reopened
    }
    found = {
        (analytics.MATRIX_PHASES[i], analytics.MATRIX_PHASES[j]): n
        for i, row in enumerate(flows.matrix)
        for j, n in enumerate(row)
        if n
    }
    assert found == expected
    assert flows.matrix[index(Phase.PRECONDITIONS)][index(Phase.SCREENING)] == 0  # I: after


def test_endings_count_closed_trajectories_by_reason_and_by_phase(history, spi_team, clock):
    endings = analytics.endings([spi_team.pk], START, END)
    # C (unreachable, from 3) and G (sustainable work, from 6); H was reopened and
    # E was closed in 2025.
    assert endings.total == 2
    assert {k: n for k, n in endings.by_reason.items() if n} == {
        ClosingReason.UNREACHABLE: 1,
        ClosingReason.SUSTAINABLE_WORK: 1,
    }
    assert {k: n for k, n in endings.by_phase.items() if n} == {
        Phase.SOCIAL_ACTIVATION: 1,
        Phase.JOB_PLACEMENT: 1,
    }


def test_a_longer_period_takes_in_the_2025_ending(history, spi_team, clock):
    endings = analytics.endings([spi_team.pk], datetime.date(2025, 1, 1), END)
    assert endings.total == 3
    assert endings.by_reason[ClosingReason.MOVED] == 1
    assert endings.by_phase[Phase.WORK_EXPERIENCE] == 1


def test_another_teams_history_is_not_counted(history, spi_team, youth_team, clock):
    assert by_phase(spi_team)[Phase.SCREENING].completed == 3
    youth = {t.phase: t for t in analytics.phase_times([youth_team.pk], START, END)}
    assert (youth[Phase.SCREENING].completed, youth[Phase.SCREENING].median_days) == (1, 15)
    youth_flows = analytics.flows([youth_team.pk], START, END)
    assert youth_flows.by_kind["advance"] == 1 and youth_flows.by_kind["close"] == 0
    assert analytics.endings([youth_team.pk], START, END).total == 0


def test_no_team_gives_empty_figures_without_error(db):
    assert all(t.completed == 0 and t.ongoing == 0 for t in analytics.phase_times([], START, END))
    assert sum(analytics.flows([], START, END).by_kind.values()) == 0
    assert analytics.endings([], START, END).total == 0


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_every_section_with_a_chart_and_its_table(login, teamlead, history, clock):
    response = login(teamlead).get(ANALYTICS_URL, PERIOD)
    assert response.status_code == 200
    keys = [section.key for section in response.context["sections"]]
    assert keys == ["phase_times", "flows", "endings", "outcomes", "retention"]
    html = response.content.decode()
    for key in keys:
        block = html.split(f'id="section-{key}"')[1].split("</section>")[0]
        assert 'role="img"' in block and "<title id=" in block and "<desc id=" in block
        assert "<caption" in block and 'scope="col"' in block and 'scope="row"' in block
    phase_times = response.context["sections"][0].tables[0]
    assert phase_times.rows[1] == ["2 · Counselling and screening", 3, 20.0, 32.0, 1]
    # The table shows the figures in the page's language (nl: decimal comma).
    assert '<td class="text-end">32,0</td>' in html
    assert "01/01/2026" in html and "30/06/2026" in html


def test_the_chart_writes_each_value_as_text(login, teamlead, history, clock):
    html = login(teamlead).get(ANALYTICS_URL, PERIOD).content.decode()
    svg = html.split('id="chart-phase-times"')[1].split("</svg>")[0]
    assert ">32<" in svg and ">20<" in svg
    matrix = html.split('id="chart-phase-flows"')[1].split("</svg>")[0]
    assert "2 · Counselling and screening → 3: 3" in matrix


def test_the_period_defaults_to_the_last_12_months(login, teamlead, spi_team, clock):
    response = login(teamlead).get(ANALYTICS_URL)
    assert response.status_code == 200
    query = response.context["query"]
    assert (query.start, query.end) == (datetime.date(2025, 7, 16), TODAY)
    # All the teams the lead leads: the general social service and the SPI team.
    assert query.team is None
    assert set(query.team_ids) == set(teamlead.teams.values_list("pk", flat=True))
    assert len(query.team_ids) == 2


def test_one_team_can_be_chosen(login, teamlead, spi_team, history, clock):
    response = login(teamlead).get(ANALYTICS_URL, {**PERIOD, "team": spi_team.pk})
    assert response.status_code == 200
    assert response.context["query"].team_ids == [spi_team.pk]
    assert 'id="analytics-scope"' in response.content.decode()


# Non-team-leads get a 403, as on the other team-lead pages (the GPMI statistics).
ACCESS_MATRIX = [
    ("teamlead", 200),
    ("counsellor", 403),
    ("colleague", 403),
    ("intake", 403),
    ("socialworker", 403),
    ("other_team", 403),
    ("admin", 403),
    ("outsider", 403),
    ("anonymous", 302),
]


@pytest.mark.parametrize(("name", "status"), ACCESS_MATRIX)
def test_the_analytics_are_for_team_leads(login, persona, name, status):
    response = login(persona(name)).get(ANALYTICS_URL)
    assert response.status_code == status


@pytest.fixture
def youth_lead(ocmw, youth_team):
    return StaffFactory(
        ocmw=ocmw, username="youth_lead", roles=[Role.TEAM_LEAD], teams=[youth_team]
    )


@pytest.fixture
def foreign_lead(other_ocmw, other_ocmw_team):
    return StaffFactory(
        ocmw=other_ocmw, username="foreign_lead", roles=[Role.TEAM_LEAD], teams=[other_ocmw_team]
    )


def test_a_lead_of_another_team_gets_a_404_for_this_team(
    login, youth_lead, spi_team, history, clock
):
    response = login(youth_lead).get(ANALYTICS_URL, {**PERIOD, "team": spi_team.pk})
    assert response.status_code == 404


def test_a_lead_of_another_team_sees_only_their_own_team(login, youth_lead, history, clock):
    response = login(youth_lead).get(ANALYTICS_URL, PERIOD)
    assert response.status_code == 200
    rows = response.context["sections"][0].tables[0].rows
    assert rows[1][1:3] == [1, 15.0]  # Y only: 05/01 → 20/01


@pytest.mark.parametrize("team", ["youth", "foreign", "unknown"])
def test_the_team_lead_gets_a_404_for_a_team_they_do_not_lead(
    login, teamlead, youth_team, other_ocmw_team, team, clock
):
    team_id = {"youth": youth_team.pk, "foreign": other_ocmw_team.pk, "unknown": 999_999}[team]
    response = login(teamlead).get(ANALYTICS_URL, {**PERIOD, "team": team_id})
    assert response.status_code == 404


def test_a_team_lead_of_another_ocmw_sees_nothing_of_this_one(login, foreign_lead, history, clock):
    response = login(foreign_lead).get(ANALYTICS_URL, PERIOD)
    assert response.status_code == 200
    assert response.context["query"].team_ids == [foreign_lead.teams.get().pk]
    assert all(row[1] == 0 for row in response.context["sections"][0].tables[0].rows)


def test_a_team_lead_without_a_team_gets_a_clear_message(login, ocmw, clock):
    lead = StaffFactory(ocmw=ocmw, username="lonely_lead", roles=[Role.TEAM_LEAD], teams=[])
    response = login(lead).get(ANALYTICS_URL)
    assert response.status_code == 200
    assert 'id="no-teams"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "30/06/2026", "end": "01/01/2026"}, "must come before its end"),
        ({"start": "01/01/2010", "end": "30/06/2026"}, "at most 10 years"),
        ({"start": "01/01/1999", "end": "30/06/2026"}, "from 01/01/2000 on"),
        ({"start": "01/01/0001"}, "from 01/01/2000 on"),
        ({"start": "01/01/2027", "end": "31/12/2027"}, "cannot start after today"),
        ({"end": "31/12/9999"}, "cannot start after today"),
        ({"start": "31/02/2026"}, "Enter a date as dd/mm/yyyy"),
        ({"start": "gisteren"}, "Enter a date as dd/mm/yyyy"),
        ({"team": "Trajectbegeleiding"}, "Choose one of your teams"),
        ({"team": "-3"}, "Choose one of your teams"),
        ({"team": "99999999999999999999"}, "Choose one of your teams"),
    ],
)
def test_a_bad_period_or_team_gives_a_clear_message(
    login, teamlead, spi_team, params, message, clock
):
    response = login(teamlead).get(ANALYTICS_URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split('id="period-error"')[1].split("</div>")[0]
    assert message in error
    assert "section-phase_times" not in html
    # What was typed stays in the form.
    for field in ("start", "end"):
        if field in params:
            assert f'value="{params[field]}"' in html


def test_iso_dates_are_accepted_too(login, teamlead, clock):
    response = login(teamlead).get(ANALYTICS_URL, {"start": "2026-01-01", "end": "2026-06-30"})
    assert response.status_code == 200
    assert (response.context["query"].start, response.context["query"].end) == (START, END)


# --- query counts ------------------------------------------------------------------------------

# The analytics page, for a team lead:
#   1. the session
#   2. the user
#   3. the teams the user leads
#   4. time in phase (phase history and current stays, percentiles)
#   5. moves between phases (from × to × kind)
#   6. endings (by reason and phase when closed)
#   7. outcomes by type (SPI)
#   8. retention at the checkpoints (SPI)
#   9-10. the header: the unread notifications and the open tasks
ANALYTICS_QUERIES = 10


def _more_history(teamlead, counsellor, spi_team, size: int) -> None:
    h = History(teamlead, counsellor, spi_team)
    for n in range(size):
        h.open(f"X{n}", Phase.SCREENING, "05/01/2026")
        h.move(f"X{n}", Phase.SOCIAL_ACTIVATION, "15/02/2026")
        h.move(f"X{n}", Phase.CLOSED, "15/03/2026", closing_reason=ClosingReason.TRAINING)


@pytest.mark.parametrize("size", [1, 20])
def test_the_page_costs_the_same_for_1_or_20_trajectories(
    size, login, django_assert_num_queries, teamlead, counsellor, spi_team
):
    _more_history(teamlead, counsellor, spi_team, size)
    browser = login(teamlead)
    with on("15/07/2026"), django_assert_num_queries(ANALYTICS_QUERIES):
        response = browser.get(ANALYTICS_URL, PERIOD)
    assert response.status_code == 200
    endings = response.context["sections"][2].tables[0]
    assert endings.rows[-1] == ["Total", size]


# --- the API --------------------------------------------------------------------------------

API_URL = "/api/v1/analytics/"
API_PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


def test_the_api_gives_the_sections_as_json(login, teamlead, spi_team, history, clock):
    response = login(teamlead).get(API_URL, {**API_PERIOD, "team": spi_team.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["start"] == "2026-01-01" and data["end"] == "2026-06-30"
    assert data["teams"] == [{"id": spi_team.pk, "name": spi_team.name}]
    assert [s["key"] for s in data["sections"]] == [
        "phase_times",
        "flows",
        "endings",
        "outcomes",
        "retention",
    ]
    phase_times = data["sections"][0]["tables"][0]
    assert phase_times["headers"][:4] == [
        "Phase",
        "Stays ended in the period",
        "Median (days)",
        "80th percentile (days)",
    ]
    assert phase_times["rows"][1] == ["2 · Counselling and screening", 3, 20.0, 32.0, 1]
    assert "chart_svg" not in data["sections"][0]


@pytest.mark.parametrize(("name", "status"), [*ACCESS_MATRIX[:-1], ("anonymous", 403)])
def test_the_api_is_for_team_leads(login, persona, name, status):
    assert login(persona(name)).get(API_URL).status_code == status


def test_the_api_answers_404_for_a_team_the_user_does_not_lead(
    login, teamlead, youth_lead, spi_team, youth_team, clock
):
    assert login(teamlead).get(API_URL, {"team": youth_team.pk}).status_code == 404
    assert login(youth_lead).get(API_URL, {"team": spi_team.pk}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-06-30", "end": "2026-01-01"}, "non_field_errors"),
        ({"start": "1999-12-31"}, "non_field_errors"),
        ({"start": "2026-13-01"}, "start"),
        ({"team": "abc"}, "team"),
    ],
)
def test_the_api_refuses_a_bad_period_with_a_message(login, teamlead, params, field, clock):
    response = login(teamlead).get(API_URL, params)
    assert response.status_code == 400
    assert response.json()[field]


# The API, for a team lead (session authentication):
#   1. the session
#   2. the user
#   3. the teams the user leads
#   4-8. the five sections, one query each (as on the page)
API_QUERIES = 8


@pytest.mark.parametrize("size", [1, 20])
def test_the_api_costs_the_same_for_1_or_20_trajectories(
    size, login, django_assert_num_queries, teamlead, counsellor, spi_team
):
    _more_history(teamlead, counsellor, spi_team, size)
    browser = login(teamlead)
    with on("15/07/2026"), django_assert_num_queries(API_QUERIES):
        response = browser.get(API_URL, API_PERIOD)
    assert response.status_code == 200


def test_the_api_is_in_the_schema(login, admin):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/analytics/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"team", "start", "end"}


def test_unused_general_team_is_listed_but_empty(login, teamlead, general_team, history, clock):
    assert Team.objects.get(pk=general_team.pk).service == TeamService.GENERAL
    response = login(teamlead).get(ANALYTICS_URL, {**PERIOD, "team": general_team.pk})
    assert response.status_code == 200
    assert response.context["sections"][2].tables[0].rows[-1] == ["Total", 0]


# --- the charts (ocmw.charts) ---------------------------------------------------------------


def test_a_chart_escapes_its_labels_and_names_itself():
    from ocmw import charts

    svg = charts.bar_chart(
        key="x", title="<b>Titel</b>", labels=["<script>alert(1)</script>", "B"], values=[3, None]
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="chart-x-title chart-x-desc"' in svg
    assert '<title id="chart-x-title">&lt;b&gt;Titel&lt;/b&gt;</title>' in svg
    # Every value is written as text; "no figure" is a dash, never a bar.
    assert ">3<" in svg and ">—<" in svg
    assert svg.count("<rect") == 1


def test_grouped_series_differ_by_texture_as_well_as_colour():
    from ocmw import charts

    svg = charts.bar_chart(
        key="g", title="T", labels=["a", "b"], series=["one", "two"], values=[[1, 2], [3, 4]]
    )
    assert 'fill="url(#chart-g-t1)"' in svg and "<pattern" in svg
    with pytest.raises(ValueError):
        charts.bar_chart(key="g", title="T", labels=["a"], series=["one", "two"], values=[[1]])


def test_the_matrix_writes_every_count_and_marks_impossible_cells():
    from ocmw import charts

    svg = charts.transition_matrix(
        key="m",
        title="T",
        row_labels=["1", "2"],
        column_labels=["1", "2"],
        counts=[[0, 5], [2, 0]],
        impossible={(0, 0), (1, 1)},
    )
    assert ">5<" in svg and ">2<" in svg and svg.count(">—<") == 2
    assert "1 → 2: 5" in svg  # the description and the cell's own title
