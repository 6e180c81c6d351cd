"""The team lead's overview in a browser, in Dutch and in French: the counsellors of
the SPI team with their caseload against the limits, the phase bar and the
overdue work; one figure followed to the list behind it; axe finds nothing
serious; screenshots of both languages (and of the home page that opens on it).

Real clock: the data is dated relative to today.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from gpmi import services as gpmi_services
from gpmi.models import GpmiType
from ocmw import services
from ocmw.models import Role, Task, User
from spi import services as spi_services
from tests.e2e.conftest import login
from tests.factories import PERSONA_PASSWORD, ClientFactory
from trajecten import services as trajecten_services
from trajecten.models import PHASES, Phase

pytestmark = pytest.mark.django_db(transaction=True)


def opened(counsellor, team, phase: str, days_ago: int):
    client = ClientFactory(responsible_social_worker=counsellor)
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10)), tick=False):
        return trajecten_services.trajectory_open(
            actor=counsellor, client=client, counsellor=counsellor, team=team, phase=phase
        )


def overdue_task(trajectory, kind: str, days: int) -> None:
    Task.objects.create(
        ocmw_id=trajectory.client.ocmw_id,
        kind=kind,
        subject_type="trajectory",
        subject_id=trajectory.pk,
        client=trajectory.client,
        responsible=trajectory.counsellor,
        due_date=timezone.localdate() - datetime.timedelta(days=days),
    )


@pytest.fixture
def team(counsellor, colleague, spi_team, teamlead):
    """Koen (limits 2/5): 3 files in phases 1, 2 and 4, two evaluations overdue (one
    for 30 days: escalated), a GPMI past its deadline, an aftercare checkpoint due.
    Camille (limits 0/0): 1 file, above the hard limit. Sofie and Youssef: larger
    caseloads spread over the phases, within the default limits."""
    User.objects.filter(pk=counsellor.pk).update(caseload_soft_limit=2, caseload_hard_limit=5)
    User.objects.filter(pk=colleague.pk).update(caseload_soft_limit=0, caseload_hard_limit=0)
    t1 = opened(counsellor, spi_team, Phase.PRECONDITIONS, 150)
    t2 = opened(counsellor, spi_team, Phase.SCREENING, 150)
    opened(counsellor, spi_team, Phase.WORK_EXPERIENCE, 20)
    overdue_task(t1, "evaluation_due", 30)
    overdue_task(t2, "evaluation_due", 3)
    overdue_task(t1, "home_visit", 5)
    gpmi_services.gpmi_create(
        actor=counsellor,
        trajectory=t1,
        type=GpmiType.GENERAL,
        leefloon_decision_date=timezone.localdate() - datetime.timedelta(days=130),
    )
    spi_services.outcome_record(
        actor=counsellor,
        trajectory=t2,
        data={
            "type": "regular_job",
            "start_date": timezone.localdate() - datetime.timedelta(days=45),
            "employer": "Colruyt",
        },
    )
    opened(colleague, spi_team, Phase.AFTERCARE, 10)
    for username, first, last, spread in (
        ("sofie", "Sofie", "Claes", [2, 3, 4, 3, 2, 1, 1]),
        ("youssef", "Youssef", "Benali", [0, 1, 2, 2, 1, 0, 1]),
    ):
        member = services.staff_ensure(
            ocmw=spi_team.ocmw,
            username=username,
            first_name=first,
            last_name=last,
            roles=[Role.COUNSELLOR],
            teams=[spi_team],
            email=f"{username}@ocmw-test.invalid",
            language="nl",
            password=PERSONA_PASSWORD,
        )
        for phase, count in zip(PHASES, spread, strict=True):
            for n in range(count):
                opened(member, spi_team, phase, 10 + 7 * n)
    return {"t1": t1, "t2": t2}


def row(page, member: User):
    return page.locator(f"tr[data-member='{member.pk}']")


def test_the_team_lead_reads_the_overview_in_dutch_and_french(
    page, live_server, shot, axe_check, team, teamlead, counsellor, colleague
):
    login(page, live_server, teamlead.username, PERSONA_PASSWORD)
    # The home page opens on the overview.
    expect(page.locator("#team-overview-panel")).to_be_visible()
    expect(row(page, counsellor).locator("[data-figure=caseload]")).to_contain_text("3")
    shot(page, "team-overview-home-nl")

    page.goto(f"{live_server.url}/team/")
    expect(page.locator("h1")).to_have_text("Teamoverzicht")
    koen = row(page, counsellor)
    caseload = koen.locator("[data-figure=caseload]")
    expect(caseload).to_contain_text("3")
    expect(caseload).to_contain_text("boven de zachte limiet")
    expect(caseload).to_contain_text("limieten 2 / 5")
    expect(row(page, colleague).locator("[data-figure=caseload]")).to_contain_text(
        "boven de harde limiet"
    )
    expect(koen.locator("[data-figure=overdue] [data-kind=evaluation_due]")).to_contain_text("2")
    expect(koen.locator("[data-figure=escalated_tasks]")).to_contain_text("1")
    expect(koen.locator("[data-figure=gpmi_past_deadline]")).to_contain_text("1")
    expect(koen.locator("[data-figure=aftercare_due]")).to_contain_text("1")
    expect(koen.locator("[data-figure=phases] svg a")).to_have_count(3)
    axe_check(page)
    shot(page, "team-overview-nl")

    page.locator(".lang-switch button[value=fr]").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Vue d'ensemble de l'équipe")
    koen = row(page, counsellor)
    expect(koen.locator("[data-figure=caseload]")).to_contain_text("au-delà de la limite souple")
    expect(koen.locator("[data-figure=overdue] [data-kind=evaluation_due]")).to_contain_text("2")
    axe_check(page)
    shot(page, "team-overview-fr")

    # "2 overdue evaluations" of Koen opens the team case list filtered on both.
    koen.locator("[data-figure=overdue] [data-kind=evaluation_due] a").click()
    page.wait_for_url(f"**/team/cases/?counsellor={counsellor.pk}&overdue=evaluation_due")
    for trajectory in (team["t1"], team["t2"]):
        expect(page.locator("main")).to_contain_text(trajectory.client.last_name)
