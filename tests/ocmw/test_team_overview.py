"""The team overview: the team lead's home, one row per counsellor of the teams
they lead, every figure checked on a small hand-built data set whose answers are
known in advance; who may see it; and a query count that does not grow with the
number of counsellors or files.

The day is Sunday 10/05/2026 (fixed clock). The data set (``world``):

``counsellor`` (Koen, SPI team, limits set to 2 soft / 5 hard):

- 3 open trajectories, in phase 1 (T1), 2 (T2) and 4 (T3), and 1 closed one (T4):
  caseload 3, above the soft limit only;
- T1: last contact 20/03/2026 → 6 weeks end 01/05 → without contact;
  T2: contact 01/04/2026 → 13/05, not yet; T3: opened 29/03/2026, no contact →
  10/05 is today, not yet; T4 closed: not counted → 1 without contact;
- open tasks: evaluation_due on 01/04 (39 days overdue, escalated) and 01/05
  (9 days), home_visit on 26/04 (exactly 14 days: overdue, not escalated),
  no_contact on 25/04 (15 days: escalated); not counted: an evaluation_due due
  today, one snoozed, one done → overdue {evaluation_due 2, home_visit 1,
  no_contact 1}, escalated 2;
- GPMIs: decision 15/01/2026 without a signed version (deadline 15/04: past);
  decision 10/02/2026 (deadline 10/05 = today: not past); an exemption decided
  01/12/2025; a GPMI decided 03/11/2025 signed on 09/03/2026; one decided
  01/12/2025 on the closed T4 → 1 past the deadline;
- a start of work on 10/02/2026 (on T2): checkpoints +1 month 10/03 (due, not
  done), +3 months 10/05 (today: not yet), +6 and +12 → 1 aftercare due; a
  second start of work on 01/03/2026 (on T3) whose +1 month is done → 0 more.

``colleague`` (Camille, SPI team, limits 0 / 0): 1 open trajectory in phase 7
opened today with a contact today → caseload 1, above the hard limit, nothing else.

``other_team`` (Jonas, youth cell) has an open trajectory and an escalated task:
the team lead of the SPI team never sees him, the youth cell's lead sees only him.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from gpmi import services as gpmi_services
from gpmi.models import GpmiType
from ocmw import selectors, services
from ocmw.models import Role, Task, TaskStatus, User
from spi import services as spi_services
from spi.models import Checkpoint
from tests.factories import ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services
from trajecten.models import Phase

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 10)


def at(day: datetime.date):
    """A fixed clock at 10:00 on ``day``."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0)), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with at(TODAY):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The signed GPMI's PDF goes to a per-test MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def open_trajectory(counsellor, team, *, phase: str, on: datetime.date, decision=None):
    client = ClientFactory(responsible_social_worker=counsellor, leefloon_decision_date=decision)
    with at(on):
        return trajecten_services.trajectory_open(
            actor=counsellor, client=client, counsellor=counsellor, team=team, phase=phase
        )


def contact(counsellor, trajectory, day: datetime.date) -> None:
    with at(day):
        trajecten_services.contact_record(
            actor=counsellor,
            client=trajectory.client,
            data={"date": day, "type": "interview", "duration_minutes": 30, "summary": "Gesprek"},
        )


def task(staff, trajectory, kind: str, due: datetime.date, status=TaskStatus.OPEN, **extra):
    return Task.objects.create(
        ocmw_id=trajectory.client.ocmw_id,
        kind=kind,
        subject_type="trajectory",
        subject_id=trajectory.pk,
        client=trajectory.client,
        responsible=staff,
        due_date=due,
        status=status,
        **extra,
    )


def set_limits(user: User, soft: int, hard: int) -> None:
    User.objects.filter(pk=user.pk).update(caseload_soft_limit=soft, caseload_hard_limit=hard)


def signed_gpmi(counsellor, trajectory, decision: datetime.date):
    trajecten_services.needs_analysis_record(
        actor=counsellor,
        client=trajectory.client,
        data={"date": D(2025, 11, 20), "own_project": "Magazijnier worden"},
    )
    gpmi = gpmi_services.gpmi_create(
        actor=counsellor,
        trajectory=trajectory,
        type=GpmiType.GENERAL,
        leefloon_decision_date=decision,
    )
    draft = gpmi_services.version_create(actor=counsellor, gpmi=gpmi, data=gpmi_version_data())
    with at(D(2026, 3, 10)):
        presented = gpmi_services.version_present(actor=counsellor, version=draft, on=D(2026, 3, 2))
        gpmi_services.version_sign(
            actor=counsellor,
            version=presented,
            ocmw_signatory_name="Marc Voorzitter",
            ocmw_signatory_capacity="Voorzitter",
            client_signed_on=D(2026, 3, 9),
            ocmw_signed_on=D(2026, 3, 9),
            counsellor_signed_on=D(2026, 3, 9),
        )
    return gpmi


def start_of_work(counsellor, trajectory, start: datetime.date):
    return spi_services.outcome_record(
        actor=counsellor,
        trajectory=trajectory,
        data={"type": "regular_job", "start_date": start, "employer": "Colruyt"},
    )


def build_world(*, counsellor, colleague, other_team, spi_team, youth_team) -> dict:
    set_limits(counsellor, 2, 5)
    set_limits(colleague, 0, 0)
    t1 = open_trajectory(counsellor, spi_team, phase=Phase.PRECONDITIONS, on=D(2026, 1, 5))
    t2 = open_trajectory(counsellor, spi_team, phase=Phase.SCREENING, on=D(2026, 1, 5))
    t3 = open_trajectory(counsellor, spi_team, phase=Phase.WORK_EXPERIENCE, on=D(2026, 3, 29))
    t4 = open_trajectory(counsellor, spi_team, phase=Phase.SCREENING, on=D(2026, 1, 5))
    trajecten_services.trajectory_transition(
        actor=counsellor, trajectory=t4, target=Phase.CLOSED, closing_reason="moved"
    )
    contact(counsellor, t1, D(2026, 3, 20))
    contact(counsellor, t2, D(2026, 4, 1))

    task(counsellor, t1, "evaluation_due", D(2026, 4, 1))
    task(counsellor, t2, "evaluation_due", D(2026, 5, 1))
    task(counsellor, t1, "home_visit", D(2026, 4, 26))
    task(counsellor, t1, "no_contact", D(2026, 4, 25))
    task(counsellor, t3, "evaluation_due", TODAY)
    task(
        counsellor,
        t3,
        "evaluation_due",
        D(2026, 3, 1),
        status=TaskStatus.SNOOZED,
        snoozed_until=D(2026, 6, 1),
        snooze_reason="Cliënt in het ziekenhuis",
    )
    task(counsellor, t2, "home_visit", D(2026, 3, 1), status=TaskStatus.DONE)

    gpmi_services.gpmi_create(
        actor=counsellor,
        trajectory=t1,
        type=GpmiType.GENERAL,
        leefloon_decision_date=D(2026, 1, 15),
    )
    gpmi_services.gpmi_create(
        actor=counsellor,
        trajectory=t2,
        type=GpmiType.GENERAL,
        leefloon_decision_date=D(2026, 2, 10),
    )
    gpmi_services.gpmi_create(
        actor=counsellor,
        trajectory=t2,
        type=GpmiType.EXEMPTION,
        leefloon_decision_date=D(2025, 12, 1),
        exemption_reason="Medische redenen",
    )
    signed_gpmi(counsellor, t3, D(2025, 11, 3))
    gpmi_services.gpmi_create(
        actor=counsellor,
        trajectory=t4,
        type=GpmiType.GENERAL,
        leefloon_decision_date=D(2025, 12, 1),
    )

    start_of_work(counsellor, t2, D(2026, 2, 10))
    later = start_of_work(counsellor, t3, D(2026, 3, 1))
    first = Checkpoint.objects.get(outcome=later, months=1)
    spi_services.checkpoint_record(
        actor=counsellor,
        checkpoint=first,
        data={"done_on": D(2026, 4, 2), "contact_made": True, "still_employed": True},
    )

    c1 = open_trajectory(colleague, spi_team, phase=Phase.AFTERCARE, on=TODAY)
    contact(colleague, c1, TODAY)

    y1 = open_trajectory(other_team, youth_team, phase=Phase.SCREENING, on=D(2026, 1, 5))
    task(other_team, y1, "evaluation_due", D(2026, 3, 1))
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "c1": c1, "y1": y1}


@pytest.fixture
def world(counsellor, colleague, other_team, spi_team, youth_team):
    return build_world(
        counsellor=counsellor,
        colleague=colleague,
        other_team=other_team,
        spi_team=spi_team,
        youth_team=youth_team,
    )


@pytest.fixture
def youth_lead(ocmw, youth_team):
    return services.staff_ensure(
        ocmw=ocmw,
        username="youth_lead",
        first_name="Yasmine",
        last_name="Jeugdcel",
        roles=[Role.TEAM_LEAD],
        teams=[youth_team],
        email="youth_lead@ocmw-test.invalid",
        language="nl",
        password="x",
    )


def rows_of(overview) -> dict[tuple[str, int], selectors.MemberFigures]:
    return {
        (section.team.name, row.member.pk): row
        for section in overview.sections
        for row in section.rows
    }


def figures(row) -> dict:
    return {
        "caseload": row.caseload,
        "level": row.caseload_level,
        "phases": {cell.key: cell.value for cell in row.phases if cell.value},
        "overdue": {cell.key: cell.value for cell in row.overdue if cell.value},
        **{cell.key: cell.value for cell in row.numbers},
    }


# --- every figure ---------------------------------------------------------------------


def test_every_figure_of_the_hand_built_team_is_right(world, teamlead, counsellor, colleague):
    overview = selectors.team_overview_figures(user=teamlead, today=TODAY)
    rows = rows_of(overview)
    assert set(rows) == {
        ("Trajectbegeleiding", counsellor.pk),
        ("Trajectbegeleiding", colleague.pk),
    }
    assert figures(rows["Trajectbegeleiding", counsellor.pk]) == {
        "caseload": 3,
        "level": "soft",
        "phases": {"preconditions": 1, "screening": 1, "work_experience": 1},
        "overdue": {"evaluation_due": 2, "home_visit": 1, "no_contact": 1},
        "escalated_tasks": 2,
        "gpmi_past_deadline": 1,
        "no_contact": 1,
        "aftercare_due": 1,
    }
    assert figures(rows["Trajectbegeleiding", colleague.pk]) == {
        "caseload": 1,
        "level": "hard",
        "phases": {"aftercare": 1},
        "overdue": {},
        "escalated_tasks": 0,
        "gpmi_past_deadline": 0,
        "no_contact": 0,
        "aftercare_due": 0,
    }
    # The columns, in order; the seven phases in their order.
    assert [key for key, _label in overview.columns] == [
        "escalated_tasks",
        "gpmi_past_deadline",
        "no_contact",
        "aftercare_due",
    ]
    assert [key for key, _label in overview.phases] == [
        "preconditions",
        "screening",
        "social_activation",
        "work_experience",
        "professional_activation",
        "job_placement",
        "aftercare",
    ]
    # The general social service has social workers only: named, not a table.
    assert [team.name for team in overview.teams_without_counsellors] == ["Algemene sociale dienst"]


def test_the_figures_follow_the_clock(world, teamlead, counsellor):
    """A day later the T3 trajectory (opened 29/03) passes 6 weeks without contact,
    the +3-month checkpoint (10/05) is due, the second GPMI (deadline 10/05) is
    past, today's evaluation is overdue and the home visit of 26/04 escalates
    (15 days); the 01/05 evaluation (10 days) does not."""
    tomorrow = TODAY + datetime.timedelta(days=1)
    with at(tomorrow):
        overview = selectors.team_overview_figures(user=teamlead, today=tomorrow)
    row = rows_of(overview)["Trajectbegeleiding", counsellor.pk]
    assert figures(row) | {"phases": None} == {
        "caseload": 3,
        "level": "soft",
        "phases": None,
        "overdue": {"evaluation_due": 3, "home_visit": 1, "no_contact": 1},
        "escalated_tasks": 3,
        "gpmi_past_deadline": 2,
        "no_contact": 2,
        "aftercare_due": 2,
    }


def test_the_ocmws_own_numbers_change_no_contact_and_escalation(world, teamlead, counsellor):
    from ocmw.models import ReminderSettings

    ReminderSettings.objects.create(ocmw=counsellor.ocmw, no_contact_weeks=5, escalation_days=9)
    overview = selectors.team_overview_figures(user=teamlead, today=TODAY)
    row = figures(rows_of(overview)["Trajectbegeleiding", counsellor.pk])
    # 5 weeks: T1 (20/03 → 24/04) and T3 (29/03 → 03/05) pass, T2 (01/04 → 06/05) too.
    assert row["no_contact"] == 3
    # Over 9 days: 01/04, 26/04 (14 days) and 25/04; not 01/05 (exactly 9).
    assert row["escalated_tasks"] == 3
    labels = dict(overview.columns)
    assert labels["no_contact"] == "No contact for over 5 weeks"
    assert labels["escalated_tasks"] == "Escalated (over 9 days overdue)"


def test_a_counsellor_within_the_limits_is_not_highlighted(world, teamlead, counsellor, client):
    set_limits(counsellor, 3, 5)  # exactly at the soft limit: not above it
    overview = selectors.team_overview_figures(user=teamlead, today=TODAY)
    assert rows_of(overview)["Trajectbegeleiding", counsellor.pk].caseload_level == ""


# --- the page ----------------------------------------------------------------------------


def cell(body: str, row_id: str, figure: str) -> str:
    row = re.search(rf'<tr id="{row_id}".*?</tr>', body, re.S).group(0)
    return re.search(rf'<td[^>]*data-figure="{figure}".*?</td>', row, re.S).group(0)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_shows_the_figures_with_their_links_and_the_limits_in_words(
    world, login, teamlead, counsellor, colleague, spi_team
):
    response = login(teamlead).get("/team/")
    assert response.status_code == 200
    body = response.content.decode()
    mine = f"member-{spi_team.pk}-{counsellor.pk}"
    theirs = f"member-{spi_team.pk}-{colleague.pk}"

    caseload = cell(body, mine, "caseload")
    assert 'data-level="soft"' in caseload and "table-warning" in caseload
    assert "above the soft limit" in text(caseload)
    assert "limits 2 / 5" in text(caseload)
    assert "above the hard limit" in text(cell(body, theirs, "caseload"))
    assert "table-danger" in cell(body, theirs, "caseload")

    overdue = cell(body, mine, "overdue")
    assert "2 Evaluation due" in text(overdue)
    assert "1 Home visit due" in text(overdue)
    assert text(cell(body, theirs, "overdue")) == "0"

    for figure, value in [
        ("escalated_tasks", "2"),
        ("gpmi_past_deadline", "1"),
        ("no_contact", "1"),
        ("aftercare_due", "1"),
    ]:
        assert text(cell(body, mine, figure)).split()[0] == value
        assert text(cell(body, theirs, figure)) == "0"

    # The phase bar: one linked segment per phase in use, named in text.
    phases = cell(body, mine, "phases")
    assert phases.count("<rect") == 3
    assert 'aria-label="1. Preconditions: 1"' in phases
    assert 'aria-label="4. Work experience and training: 1"' in phases

    # Each number opens the list behind it.
    assert f"?who=team&amp;staff={counsellor.pk}" in cell(body, mine, "escalated_tasks")
    from django.urls import reverse

    cases = reverse("trajecten:team_cases")
    assert f"{cases}?counsellor={counsellor.pk}&amp;overdue=evaluation_due" in overdue
    assert f'href="{cases}?counsellor={counsellor.pk}"' in caseload
    assert f"{cases}?counsellor={counsellor.pk}&amp;phase=work_experience" in phases
    gpmi = cell(body, mine, "gpmi_past_deadline")
    assert f"{cases}?counsellor={counsellor.pk}&amp;overdue=gpmi_to_conclude" in gpmi
    no_contact = cell(body, mine, "no_contact")
    assert f"{cases}?counsellor={counsellor.pk}&amp;overdue=no_contact" in no_contact
    aftercare = cell(body, mine, "aftercare_due")
    assert f"{cases}?counsellor={counsellor.pk}&amp;overdue=aftercare_checkpoint" in aftercare


def test_the_team_leads_home_opens_on_the_overview(world, login, teamlead, counsellor, spi_team):
    response = login(teamlead).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="team-overview-panel"' in body
    assert body.index('id="team-overview-panel"') < body.index("Referrals waiting for your team")
    assert f'id="member-{spi_team.pk}-{counsellor.pk}"' in body
    assert 'href="/team/"' in body
    # The old member table remains only for the team without counsellors.
    assert [team.name for team in response.context["teams"]] == ["Algemene sociale dienst"]


def test_a_counsellors_home_has_no_team_overview(world, login, counsellor):
    body = login(counsellor).get("/").content.decode()
    assert "team-overview-panel" not in body


# --- who may see it -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["intake", "socialworker", "counsellor", "colleague", "other_team", "admin", "outsider"]
)
def test_only_team_leads_open_the_overview(world, login, persona, name):
    assert login(persona(name)).get("/team/").status_code == 403


def test_anonymous_is_sent_to_the_login(world, login):
    response = login(None).get("/team/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_team_lead_sees_the_own_teams_only(world, login, teamlead, other_team):
    response = login(teamlead).get("/team/")
    body = response.content.decode()
    assert other_team.get_full_name() not in body
    assert f'data-member="{other_team.pk}"' not in body
    assert "Jongerencel" not in body


def test_the_lead_of_another_team_sees_none_of_this_teams_rows(
    world, login, youth_lead, other_team, counsellor, colleague, youth_team
):
    response = login(youth_lead).get("/team/")
    assert response.status_code == 200
    rows = rows_of(response.context["overview"])
    assert set(rows) == {("Jongerencel", other_team.pk)}
    assert figures(rows["Jongerencel", other_team.pk])["overdue"] == {"evaluation_due": 1}
    assert figures(rows["Jongerencel", other_team.pk])["escalated_tasks"] == 1
    body = response.content.decode()
    for name in (counsellor.get_full_name(), colleague.get_full_name(), "Trajectbegeleiding"):
        assert name not in body


def test_a_team_lead_of_another_ocmw_sees_only_their_own(world, login, other_ocmw, other_ocmw_team):
    lead = services.staff_ensure(
        ocmw=other_ocmw,
        username="lead_elders",
        first_name="Eline",
        last_name="Elders",
        roles=[Role.TEAM_LEAD],
        teams=[other_ocmw_team],
        email="lead_elders@ocmw-test.invalid",
        language="nl",
        password="x",
    )
    response = login(lead).get("/team/")
    assert response.status_code == 200
    assert rows_of(response.context["overview"]) == {}
    assert "Trajectbegeleiding" not in response.content.decode()


def test_an_inactive_counsellor_has_no_row(world, teamlead, colleague):
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    overview = selectors.team_overview_figures(user=teamlead, today=TODAY)
    assert colleague.pk not in {pk for _team, pk in rows_of(overview)}


# --- queries ----------------------------------------------------------------------------------


def grow_team(spi_team, *, counsellors: int, files_each: int) -> None:
    """More counsellors in the SPI team, each with files, contacts and overdue tasks."""
    for n in range(counsellors):
        member = services.staff_ensure(
            ocmw=spi_team.ocmw,
            username=f"extra{n}",
            first_name=f"Extra{n}",
            last_name="Begeleider",
            roles=[Role.COUNSELLOR],
            teams=[spi_team],
            email=f"extra{n}@ocmw-test.invalid",
            language="nl",
            password="x",
        )
        for m in range(files_each):
            trajectory = open_trajectory(
                member, spi_team, phase=Phase.PRECONDITIONS, on=D(2026, 1, 5)
            )
            contact(member, trajectory, D(2026, 2, 1 + m))
            task(member, trajectory, "evaluation_due", D(2026, 4, 1))
            task(member, trajectory, "home_visit", D(2026, 5, 1))


# The queries of /team/ for a team lead, whatever the number of counsellors and files:
#  1. the session, 2. the user (authentication),
#  3. the teams the user leads, 4. their active members (with their client counts),
#  5. the OCMW's escalation days,
#  6. overdue open tasks by (kind, counsellor), counting the escalated ones too,
#  7. open trajectories by (counsellor, phase): caseload, phase bar and those without
#     contact (with the OCMW's weeks),
#  8. GPMIs past the legal deadline by counsellor,
#  9. aftercare checkpoints due by counsellor,
# 10. the header's counters (unread notifications and due tasks), 11. the user's OCMW name.
TEAM_PAGE_QUERIES = 11


def test_the_page_costs_the_same_queries_for_one_counsellor_or_many(
    world, login, teamlead, spi_team, django_assert_num_queries
):
    client = login(teamlead)
    with django_assert_num_queries(TEAM_PAGE_QUERIES):
        small = client.get("/team/")
    assert len(rows_of(small.context["overview"])) == 2
    grow_team(spi_team, counsellors=6, files_each=3)
    with django_assert_num_queries(TEAM_PAGE_QUERIES):
        large = client.get("/team/")
    assert len(rows_of(large.context["overview"])) == 8
    extra = next(
        row for row in large.context["overview"].sections[0].rows if row.member.username == "extra0"
    )
    assert extra.caseload == 3
    assert figures(extra)["overdue"] == {"evaluation_due": 3, "home_visit": 3}
    assert figures(extra)["escalated_tasks"] == 3
    assert figures(extra)["no_contact"] == 3


def test_a_team_lead_without_counsellors_costs_no_figure_query(
    login, ocmw, general_team, socialworker, django_assert_num_queries
):
    lead = services.staff_ensure(
        ocmw=ocmw,
        username="general_lead",
        first_name="Greet",
        last_name="Algemeen",
        roles=[Role.TEAM_LEAD],
        teams=[general_team],
        email="general_lead@ocmw-test.invalid",
        language="nl",
        password="x",
    )
    client = login(lead)
    # Session, user, teams, their members (no counsellor: no figure), header counters,
    # the OCMW's name.
    with django_assert_num_queries(6):
        response = client.get("/team/")
    assert response.status_code == 200
    assert "Algemene sociale dienst" in response.content.decode()


def test_the_page_reads_in_dutch_and_french(world, login, teamlead, real_translations):
    client = login(teamlead)
    dutch = client.get("/team/").content.decode()
    assert "Teamoverzicht" in dutch
    User.objects.filter(pk=teamlead.pk).update(language="fr")
    french = client.get("/team/").content.decode()
    assert "Vue d'ensemble de l'équipe" in french
    assert "au-delà de la limite souple" in french
    assert "Signalées (plus de 14 jours de retard)" in french
    assert "boven de zachte limiet" in dutch
    assert "Geen contact sinds meer dan 6 weken" in dutch


# --- the limits, set by the OCMW administrator -----------------------------------------------


def admin_form_data(admin_user, staff: User, **changes) -> dict:
    """The user admin's change form for ``staff`` as the browser would post it."""
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = django_admin.site._registry[User]
    form = model_admin.get_form(request, obj=staff, change=True)(instance=staff)
    data = {}
    for name, bound in ((name, form[name]) for name in form.fields):
        value = bound.value()
        if value is None:
            continue
        if name == "roles" and isinstance(value, list):
            value = ",".join(value)
        if hasattr(value, "strftime"):  # the split date and time widget
            data[f"{name}_0"], data[f"{name}_1"] = (
                value.strftime("%Y-%m-%d"),
                value.strftime("%H:%M:%S"),
            )
            continue
        data[name] = value
    data.update(changes)
    return data


def test_the_ocmw_administrator_sets_a_counsellors_limits_in_the_admin(
    world, login, admin, counsellor, teamlead, spi_team
):
    client = login(admin)
    url = f"/admin/ocmw/user/{counsellor.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="caseload_soft_limit"' in page.content.decode()
    response = client.post(
        url, admin_form_data(admin, counsellor, caseload_soft_limit=4, caseload_hard_limit=6)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    counsellor.refresh_from_db()
    assert (counsellor.caseload_soft_limit, counsellor.caseload_hard_limit) == (4, 6)
    body = login(teamlead).get("/team/").content.decode()
    caseload = cell(body, f"member-{spi_team.pk}-{counsellor.pk}", "caseload")
    assert 'data-level="ok"' in caseload and "limits 4 / 6" in text(caseload)


def test_a_hard_limit_below_the_soft_limit_is_refused(world, login, admin, counsellor):
    client = login(admin)
    url = f"/admin/ocmw/user/{counsellor.pk}/change/"
    response = client.post(
        url, admin_form_data(admin, counsellor, caseload_soft_limit=50, caseload_hard_limit=40)
    )
    assert response.status_code == 200
    assert "The hard limit cannot be below the soft limit." in response.content.decode()
    counsellor.refresh_from_db()
    assert (counsellor.caseload_soft_limit, counsellor.caseload_hard_limit) == (2, 5)
