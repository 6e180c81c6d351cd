"""The team case list (``/team/cases/``): every open trajectory of the teams a team
lead leads, its filters on a small hand-built data set whose answers are known,
keyset paging across pages (ties included), bad filter values, who may see it,
its query count, and the CSV/XLSX exports with their access-log entry.

The day is Sunday 10/05/2026, 10:00 (fixed clock). ``teamlead`` leads the
general team and the SPI team "Trajectbegeleiding"; the data set (``world``):

- A: Aerts, Anna (fr, born 01/06/2005), ``counsellor``, phase 2 since 10/01;
  an open evaluation_due task due 01/05 (overdue);
- B: Bosmans, Bert (nl, 03/03/1990), ``counsellor``, phase 3 since 01/05; an
  evaluation_due due today (not overdue) and a snoozed no_contact due 01/04;
- C: Claes, Chloé (fr, 01/01/1970), ``colleague``, phase 4 since 01/03; an open
  home_visit due 20/04; a running Dutch course (NT2);
- D: Dumont, David (other language, 10/05/2001), ``colleague``, phase 2 since
  30/04; the same course planned from 01/06 (not current);
- G: Goossens, Greet (nl, 15/08/1980), ``socialworker`` in the general team,
  phase 1 since 08/05;
- not listed: Evers, Eva (closed) and Fiers, Frank (``other_team``, youth cell).

Days in phase today: A 120, B 9, C 70, D 10, G 2. Ages today: A 20 (under 25),
B 36, D exactly 25 (25–44), C 56, G 45 (45 and over).
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from ocmw import insz, registries
from ocmw import services as core_services
from ocmw.models import AccessAction, AccessLog, Role, Task, TaskStatus
from spi import services as spi_services
from tests.factories import PERSONA_PASSWORD, ClientFactory
from trajecten import selectors
from trajecten import services as trajecten_services
from trajecten.models import ClosingReason, Phase

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 10)
URL = "/team/cases/"


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0)), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with at(TODAY):
        yield


def nl(text) -> str:
    """What the Dutch-speaking team lead reads for a label (Django's own catalogue
    translates a few common words even in the test settings)."""
    with translation.override("nl"):
        return str(translation.gettext(str(text)))


def person(socialworker, first, last, born, serial, language="nl"):
    return ClientFactory(
        responsible_social_worker=socialworker,
        first_name=first,
        last_name=last,
        birth_date=born,
        insz=insz.build(born, serial),
        preferred_language=language,
    )


def open_on(day, *, actor, client, counsellor, team, phase):
    with at(day):
        return trajecten_services.trajectory_open(
            actor=actor, client=client, counsellor=counsellor, team=team, phase=phase
        )


def task(trajectory, kind, due, status=TaskStatus.OPEN, **extra):
    return Task.objects.create(
        ocmw_id=trajectory.client.ocmw_id,
        kind=kind,
        subject_type="trajectory",
        subject_id=trajectory.pk,
        client=trajectory.client,
        responsible=trajectory.counsellor,
        due_date=due,
        status=status,
        **extra,
    )


@pytest.fixture
def measures(ocmw):
    return {m.code: m for m in spi_services.measure_catalogue_seed(ocmw=ocmw)}


@pytest.fixture
def world(
    teamlead,
    counsellor,
    colleague,
    socialworker,
    other_team,
    spi_team,
    general_team,
    youth_team,
    measures,
):
    def spi(client, who, phase, since):
        return open_on(
            since, actor=teamlead, client=client, counsellor=who, team=spi_team, phase=phase
        )

    rows = {}
    rows["A"] = spi(
        person(socialworker, "Anna", "Aerts", D(2005, 6, 1), 11, "fr"),
        counsellor,
        Phase.SCREENING,
        D(2026, 1, 10),
    )
    rows["B"] = spi(
        person(socialworker, "Bert", "Bosmans", D(1990, 3, 3), 13),
        counsellor,
        Phase.SOCIAL_ACTIVATION,
        D(2026, 5, 1),
    )
    rows["C"] = spi(
        person(socialworker, "Chloé", "Claes", D(1970, 1, 1), 14, "fr"),
        colleague,
        Phase.WORK_EXPERIENCE,
        D(2026, 3, 1),
    )
    rows["D"] = spi(
        person(socialworker, "David", "Dumont", D(2001, 5, 10), 15, "other"),
        colleague,
        Phase.SCREENING,
        D(2026, 4, 30),
    )
    rows["G"] = open_on(
        D(2026, 5, 8),
        actor=socialworker,
        client=person(socialworker, "Greet", "Goossens", D(1980, 8, 15), 16),
        counsellor=socialworker,
        team=general_team,
        phase=Phase.PRECONDITIONS,
    )
    closed = spi(
        person(socialworker, "Eva", "Evers", D(1985, 2, 2), 17),
        counsellor,
        Phase.SCREENING,
        D(2026, 2, 1),
    )
    trajecten_services.trajectory_transition(
        actor=teamlead, trajectory=closed, target=Phase.CLOSED, closing_reason=ClosingReason.MOVED
    )
    rows["F"] = open_on(
        D(2026, 4, 1),
        actor=other_team,
        client=ClientFactory(
            responsible_social_worker=other_team, first_name="Frank", last_name="Fiers"
        ),
        counsellor=other_team,
        team=youth_team,
        phase=Phase.SCREENING,
    )
    task(rows["A"], "evaluation_due", D(2026, 5, 1))
    task(rows["B"], "evaluation_due", TODAY)
    task(
        rows["B"],
        "no_contact",
        D(2026, 4, 1),
        status=TaskStatus.SNOOZED,
        snoozed_until=D(2026, 5, 20),
        snooze_reason="Op reis",
    )
    task(rows["C"], "home_visit", D(2026, 4, 20))
    task(closed, "home_visit", D(2026, 4, 20), status=TaskStatus.CANCELLED)
    spi_services.enrolment_create(
        actor=colleague,
        client=rows["C"].client,
        data={"measure": measures["language_nl"], "start_date": D(2026, 4, 1), "status": "running"},
    )
    spi_services.enrolment_create(
        actor=colleague,
        client=rows["D"].client,
        data={"measure": measures["language_nl"], "start_date": D(2026, 6, 1)},
    )
    return rows


def listed(response) -> list[str]:
    return [t.client.last_name for t in response.context["rows"]]


# --- the list and its filters ---------------------------------------------------------


def test_the_list_shows_every_open_trajectory_of_the_led_teams_by_name(login, teamlead, world):
    response = login(teamlead).get(URL)

    assert response.status_code == 200
    assert listed(response) == ["Aerts", "Bosmans", "Claes", "Dumont", "Goossens"]
    assert response.context["count"] == 5
    html = response.content.decode()
    assert "Fiers" not in html and "Evers" not in html


def test_each_row_shows_file_number_counsellor_phase_days_opened_and_overdue_kinds(
    login, teamlead, counsellor, world
):
    html = login(teamlead).get(URL).content.decode()

    row = html.split(f'id="case-{world["A"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Aerts, Anna" in row
    assert f"file {world['A'].client.file_number}" in row
    assert str(counsellor) in row
    assert nl(Phase.SCREENING.label) in row
    assert "120 days" in row
    assert "10/01/2026" in row
    assert "Evaluation due" in row
    other = html.split(f'id="case-{world["B"].pk}"', 1)[1].split("</tr>", 1)[0]
    # Due today is not overdue; a snoozed task is not overdue either.
    assert "badge text-bg-danger" not in other


def test_each_row_says_what_the_client_is_doing_now(login, teamlead, measures, world):
    rows = {t.pk: t for t in login(teamlead).get(URL).context["rows"]}

    assert rows[world["C"].pk].activity_summary == measures["language_nl"].name
    assert rows[world["D"].pk].activity_summary == (
        f"{measures['language_nl'].name} from 01/06/2026"
    )
    assert rows[world["A"].pk].activity_summary == ""


@pytest.mark.parametrize(
    "query, expected",
    [
        ("phase=screening", ["Aerts", "Dumont"]),
        ("phase=preconditions", ["Goossens"]),
        ("overdue=evaluation_due", ["Aerts"]),
        ("overdue=home_visit", ["Claes"]),
        # B's no-contact task is snoozed: someone gave a reason to wait.
        ("overdue=no_contact", []),
        ("age=under_25", ["Aerts"]),
        # D turns 25 today.
        ("age=25_44", ["Bosmans", "Dumont"]),
        ("age=45_plus", ["Claes", "Goossens"]),
        ("language=fr", ["Aerts", "Claes"]),
        ("language=nl", ["Bosmans", "Goossens"]),
        ("language=other", ["Dumont"]),
        ("min_days_in_phase=10", ["Aerts", "Claes", "Dumont"]),
        ("min_days_in_phase=11", ["Aerts", "Claes"]),
        ("min_days_in_phase=0", ["Aerts", "Bosmans", "Claes", "Dumont", "Goossens"]),
    ],
)
def test_each_filter_gives_its_known_answer(query, expected, login, teamlead, world):
    response = login(teamlead).get(f"{URL}?{query}")

    assert response.status_code == 200
    assert listed(response) == expected
    assert response.context["count"] == len(expected)


def test_the_counsellor_filter_shows_one_counsellors_files(
    login, teamlead, counsellor, colleague, world
):
    browser = login(teamlead)

    assert listed(browser.get(f"{URL}?counsellor={counsellor.pk}")) == ["Aerts", "Bosmans"]
    assert listed(browser.get(f"{URL}?counsellor={colleague.pk}")) == ["Claes", "Dumont"]
    both = browser.get(f"{URL}?counsellor={colleague.pk}&min_days_in_phase=11")
    assert listed(both) == ["Claes"]


def test_the_measure_filter_lists_clients_currently_in_that_measure(
    login, teamlead, measures, world
):
    browser = login(teamlead)

    # D's enrolment in the same course is only planned.
    assert listed(browser.get(f"{URL}?measure={measures['language_nl'].pk}")) == ["Claes"]
    assert listed(browser.get(f"{URL}?measure={measures['art60'].pk}")) == []


def test_the_overview_link_for_overdue_evaluations_of_one_counsellor_lands_on_those_files(
    login, teamlead, counsellor, world
):
    url = reverse("trajecten:team_cases") + f"?counsellor={counsellor.pk}&overdue=evaluation_due"

    assert listed(login(teamlead).get(url)) == ["Aerts"]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("name", ["Aerts", "Bosmans", "Claes", "Dumont", "Goossens"]),
        ("-name", ["Goossens", "Dumont", "Claes", "Bosmans", "Aerts"]),
        # Camille Leroy, Koen De Backer, Sarah Vermeersch (by first name).
        ("counsellor", ["Claes", "Dumont", "Aerts", "Bosmans", "Goossens"]),
        ("phase", ["Goossens", "Aerts", "Dumont", "Bosmans", "Claes"]),
        ("days", ["Goossens", "Bosmans", "Dumont", "Claes", "Aerts"]),
        ("-days", ["Aerts", "Claes", "Dumont", "Bosmans", "Goossens"]),
        ("opened", ["Aerts", "Claes", "Dumont", "Bosmans", "Goossens"]),
    ],
)
def test_the_list_sorts_by_each_column(sort, expected, login, teamlead, world):
    assert listed(login(teamlead).get(f"{URL}?sort={sort}")) == expected


# --- keyset paging ----------------------------------------------------------------------


@pytest.fixture
def sixty(teamlead, counsellor, colleague, socialworker, spi_team):
    """60 open trajectories whose names tie in threes and whose phase-start times
    tie by twenties, so the id must break ties for the pages to be exact."""
    made = []
    for n in range(60):
        client = ClientFactory(
            responsible_social_worker=socialworker,
            first_name=["Ann", "Bo"][n % 2],
            last_name=["Maes", "Peeters", "Janssens"][n % 3],
        )
        made.append(
            open_on(
                D(2026, 1, 1) + datetime.timedelta(days=n // 20),
                actor=teamlead,
                client=client,
                counsellor=[counsellor, colleague][n % 2],
                team=spi_team,
                phase=Phase.SCREENING,
            )
        )
    return made


def walk(browser, url):
    """Follow the "next" links from ``url``; the rows' ids page by page, and the
    responses."""
    pages, responses = [], []
    while url:
        response = browser.get(url)
        assert response.status_code == 200
        responses.append(response)
        pages.append([t.pk for t in response.context["rows"]])
        url = response.context.get("next_url")
    return pages, responses


@pytest.mark.parametrize(
    "sort", ["name", "-name", "counsellor", "days", "-days", "phase", "-opened"]
)
def test_keyset_pages_cover_every_row_once_in_order_with_ties(sort, login, teamlead, sixty):
    browser = login(teamlead)
    expected = [
        t.pk
        for t in selectors.team_cases(
            user=teamlead, team_ids=selectors.led_team_ids(teamlead)
        ).order_by(*selectors.team_case_ordering(sort))
    ]

    pages, responses = walk(browser, f"{URL}?sort={sort}")

    assert [len(page) for page in pages] == [50, 10]
    assert [pk for page in pages for pk in page] == expected
    assert responses[0].context["previous_url"] == ""
    assert responses[-1].context["next_url"] == ""
    # "Previous" from the last page gives exactly the first page back.
    back = browser.get(responses[-1].context["previous_url"])
    assert [t.pk for t in back.context["rows"]] == pages[0]
    assert back.context["previous_url"] == ""
    assert back.context["next_url"]


def test_a_page_link_keeps_the_filters_and_the_sort(login, teamlead, counsellor, sixty):
    browser = login(teamlead)

    pages, responses = walk(browser, f"{URL}?counsellor={counsellor.pk}&sort=-name")

    assert [len(page) for page in pages] == [30]
    assert responses[0].context["next_url"] == ""
    assert all(t.counsellor_id == counsellor.pk for t in responses[0].context["rows"])


def test_a_tampered_or_foreign_cursor_shows_the_first_page_with_a_message(login, teamlead, sixty):
    browser = login(teamlead)
    first = browser.get(f"{URL}?sort=name")
    next_url = first.context["next_url"]

    tampered = browser.get(next_url.replace("cursor=", "cursor=x"))
    other_sort = browser.get(next_url.replace("sort=name", "sort=-days"))

    for response in (tampered, other_sort):
        assert response.status_code == 200
        assert 'id="cursor-invalid"' in response.content.decode()
    assert [t.pk for t in tampered.context["rows"]] == [t.pk for t in first.context["rows"]]


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "counsellor=abc",
        "counsellor=999999",
        "phase=nope",
        "phase=closed",
        "overdue=nope",
        "age=old",
        "language=de",
        "measure=abc",
        "measure=999999",
        "min_days_in_phase=-1",
        "min_days_in_phase=x",
        "min_days_in_phase=99999999999999999999",
        "sort=bogus",
    ],
)
def test_an_invalid_filter_value_gives_a_message_and_no_rows(query, login, teamlead, world):
    response = login(teamlead).get(f"{URL}?{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="filter-errors"' in html
    assert response.context["rows"] == []
    assert "Aerts" not in html


def test_a_measure_of_another_ocmw_is_an_invalid_filter(login, teamlead, other_ocmw, world):
    foreign = spi_services.measure_catalogue_seed(ocmw=other_ocmw)[0]

    response = login(teamlead).get(f"{URL}?measure={foreign.pk}")

    assert response.status_code == 400
    assert "Choose a value from the list." in response.content.decode()


def test_the_old_team_caseload_leads_to_the_team_case_list(login, teamlead, counsellor):
    response = login(teamlead).get(f"/caseload/?scope=team&counsellor={counsellor.pk}&phase=x")

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?counsellor={counsellor.pk}&phase=x"


# --- who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["intake", "socialworker", "counsellor", "colleague", "other_team", "admin", "outsider"]
)
@pytest.mark.parametrize("path", [URL, f"{URL}export/csv/", f"{URL}export/xlsx/"])
def test_only_team_leads_have_a_team_case_list(name, path, persona, login, world):
    response = login(persona(name)).get(path)

    assert response.status_code == 403
    assert b"Aerts" not in response.content


@pytest.mark.parametrize("path", [URL, f"{URL}export/csv/"])
def test_anonymous_is_sent_to_the_login_page(path, login, world):
    response = login(None).get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_lead_of_another_team_sees_only_their_own_team(login, youth_lead, counsellor, world):
    browser = login(youth_lead)

    assert listed(browser.get(URL)) == ["Fiers"]
    # Team B's counsellor is not one of theirs: a message, never data.
    other = browser.get(f"{URL}?counsellor={counsellor.pk}")
    assert other.status_code == 400
    assert b"Aerts" not in other.content
    export = browser.get(f"{URL}export/csv/?counsellor={counsellor.pk}")
    assert export.status_code == 400
    assert not AccessLog.objects.filter(user=youth_lead).exists()
    content = b"".join(browser.get(f"{URL}export/csv/").streaming_content).decode()
    assert "Fiers" in content and "Aerts" not in content


def test_a_team_lead_of_another_ocmw_sees_nothing_of_ours(login, other_ocmw_team, world):
    lead = core_services.staff_ensure(
        ocmw=other_ocmw_team.ocmw,
        username="lead_elsewhere",
        first_name="Lea",
        last_name="Elders",
        roles=[Role.TEAM_LEAD],
        teams=[other_ocmw_team],
        password=PERSONA_PASSWORD,
    )
    browser = login(lead)

    response = browser.get(URL)
    assert response.status_code == 200 and listed(response) == []
    content = b"".join(browser.get(f"{URL}export/csv/").streaming_content).decode()
    assert content.count("\n") == 1  # the header only


def test_an_unknown_export_format_is_a_404_or_a_message(login, teamlead, world):
    browser = login(teamlead)

    assert browser.get(f"{URL}export/pdf/").status_code == 404
    response = browser.get(f"{URL}?format=pdf")
    assert response.status_code == 400
    assert "Unknown export format: choose CSV or XLSX." in response.content.decode()


def test_the_list_exports_with_a_format_parameter_too(login, teamlead, world):
    response = login(teamlead).get(f"{URL}?format=csv&phase=screening")

    assert [row[1] for row in csv_rows(response)[1:]] == ["Aerts", "Dumont"]
    assert AccessLog.objects.get().page == f"{URL}?format=csv&phase=screening"


# --- query count ---------------------------------------------------------------------------

# The team case list, for a team lead:
#   1. the session
#   2. the user
#   3. the teams the user leads
#   4. the staff of those teams with their open caseload (the counsellor filter's
#      and the reassignment's choices)
#   5. the measures of the OCMW (the SPI app's "measure" filter)
#   6. one page of trajectories (client, counsellor and team joined; the kinds of
#      overdue tasks as an array subquery)
#   7. what each client on the page is doing now (the SPI activity summaries)
#   8. the number of matching trajectories
#   9. the header counters (notifications, tasks)
#  10. the user's OCMW, named in the header
TEAM_CASES_QUERIES = 10


@pytest.mark.parametrize("size", [1, 60])
def test_the_team_case_list_costs_the_same_for_1_or_60_trajectories(
    size, login, django_assert_num_queries, teamlead, counsellor, spi_team, socialworker
):
    for _ in range(size):
        client = ClientFactory(responsible_social_worker=socialworker)
        trajectory = open_on(
            TODAY,
            actor=teamlead,
            client=client,
            counsellor=counsellor,
            team=spi_team,
            phase=Phase.SCREENING,
        )
        task(trajectory, "evaluation_due", D(2026, 5, 1))
    browser = login(teamlead)

    with django_assert_num_queries(TEAM_CASES_QUERIES):
        response = browser.get(f"{URL}?sort=-days&overdue=evaluation_due")

    assert len(response.context["rows"]) == min(size, 50)


def test_the_last_page_costs_what_the_first_does(login, django_assert_num_queries, teamlead, sixty):
    browser = login(teamlead)
    next_url = browser.get(URL).context["next_url"]

    with django_assert_num_queries(TEAM_CASES_QUERIES):
        response = browser.get(next_url)

    assert len(response.context["rows"]) == 10


# --- export ----------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_export_streams_the_filtered_list_and_is_logged_once(
    login, teamlead, counsellor, world
):
    response = login(teamlead).get(f"{URL}export/csv/?language=fr&sort=name")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="team-cases-2026-05-10.csv"'
    rows = csv_rows(response)
    assert rows[0][:3] == ["File number", "Last name", "First name"]
    assert rows[1] == [
        world["A"].client.file_number,
        "Aerts",
        "Anna",
        str(counsellor),
        "Trajectbegeleiding",
        f"2 · {nl(Phase.SCREENING.label)}",
        "10/01/2026",
        "120",
        "10/01/2026",
        nl("French"),
        "Evaluation due",
        "",
    ]
    assert [row[1] for row in rows[1:]] == ["Aerts", "Claes"]
    assert rows[2][11]  # C's running course
    log = AccessLog.objects.get()
    assert (log.user, log.client, log.action, log.what) == (
        teamlead,
        None,
        AccessAction.EXPORT,
        "team case list (CSV)",
    )
    assert log.page == f"{URL}export/csv/?language=fr&sort=name"


def test_the_xlsx_export_has_the_same_rows_with_real_dates(login, teamlead, world):
    response = login(teamlead).get(f"{URL}export/xlsx/?phase=screening")

    assert response.status_code == 200
    assert response["Content-Disposition"] == ('attachment; filename="team-cases-2026-05-10.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in values[1:]] == ["Aerts", "Dumont"]
    assert values[1][6] == datetime.datetime(2026, 1, 10)
    assert values[1][7] == 120
    assert AccessLog.objects.get().what == "team case list (XLSX)"


@pytest.fixture
def injected(teamlead, counsellor, socialworker, spi_team):
    born = D(1993, 3, 3)
    client = ClientFactory(
        responsible_social_worker=socialworker,
        first_name='=HYPERLINK("http://evil.example","x")',
        last_name="@SUM(1+1)",
        birth_date=born,
        insz=insz.build(born, 41),
    )
    return open_on(
        TODAY,
        actor=teamlead,
        client=client,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.SCREENING,
    )


def test_the_csv_export_escapes_cells_a_spreadsheet_would_run_as_formulas(
    login, teamlead, injected
):
    rows = csv_rows(login(teamlead).get(f"{URL}export/csv/"))

    assert rows[1][1] == "'@SUM(1+1)"
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","x")'


def test_the_xlsx_export_keeps_such_cells_as_text(login, teamlead, injected):
    response = login(teamlead).get(f"{URL}export/xlsx/")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=3)
    assert cell.value == '=HYPERLINK("http://evil.example","x")'
    assert cell.data_type == "s"


def test_the_export_reads_in_chunks_and_asks_the_activity_sources_once_per_chunk(
    login, teamlead, world, monkeypatch
):
    from trajecten import views

    calls = []

    def spy(client_ids, today):
        calls.append(len(client_ids))
        return {}

    monkeypatch.setattr(views, "EXPORT_CHUNK", 2)
    monkeypatch.setattr(registries, "client_activity_summaries", [spy])

    rows = csv_rows(login(teamlead).get(f"{URL}export/csv/"))

    assert len(rows) == 6
    assert calls == [2, 2, 1]


# The CSV export (streamed), whatever the number of rows up to a chunk of 2,000:
#   1. the session  2. the user  3. the teams the user leads
#   4. the staff of those teams (the counsellor filter's choices)
#   5. the measures of the OCMW (the "measure" filter's choices)
#   6-8. the access-log entry (a savepoint, the insert, its release; pghistory's
#      middleware prefixes each with the audit context)
#   9. the rows, read through a server-side cursor (client, counsellor and team
#      joined, overdue task kinds as an array subquery)
#  10. what each client of the chunk is doing now (the SPI activity summaries)
EXPORT_QUERIES = 10


@pytest.mark.parametrize("size", [1, 60])
def test_the_export_costs_the_same_for_1_or_60_trajectories(
    size, login, django_assert_num_queries, teamlead, counsellor, spi_team, socialworker
):
    for _ in range(size):
        client = ClientFactory(responsible_social_worker=socialworker)
        open_on(
            TODAY,
            actor=teamlead,
            client=client,
            counsellor=counsellor,
            team=spi_team,
            phase=Phase.SCREENING,
        )
    browser = login(teamlead)

    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_rows(browser.get(f"{URL}export/csv/"))

    assert len(rows) == size + 1


def test_a_long_list_shows_its_count_grouped_as_the_language_writes_it(
    client, teamlead, counsellor, spi_team, ocmw, real_translations
):
    """1,002 open files: "1.002 open trajecten", "1.002 trajets ouverts", grouped the
    Belgian way in both languages (a head of service's list runs to six figures)."""
    from ocmw.models import Client
    from trajecten.models import PhaseChange, Trajectory

    def born(n):
        return D(1990, 1, 1) + datetime.timedelta(days=n // 400)

    clients = Client.objects.bulk_create(
        Client(ocmw=ocmw, insz=insz.build(born(n), 1 + 2 * (n % 400)), first_name="Veel",
               last_name=f"N{n}", birth_date=born(n), gender="M")
        for n in range(1002)
    )  # fmt: skip
    trajectories = Trajectory.objects.bulk_create(
        Trajectory(client=c, team=spi_team, counsellor=counsellor) for c in clients
    )
    PhaseChange.objects.bulk_create(
        PhaseChange(trajectory=t, team=spi_team, kind="opened", to_phase=t.phase, by=teamlead)
        for t in trajectories
    )
    client.login(username=teamlead.username, password=PERSONA_PASSWORD)
    for language, shown in (("nl", "1.002 open trajecten"), ("fr", "1.002 trajets ouverts")):
        teamlead.language = language
        teamlead.save(update_fields=["language"])
        html = client.get(reverse("trajecten:team_cases")).content.decode()
        assert f'id="team-cases-count">{shown}</p>' in html
