"""The team lead in a browser: from the team overview to the case list, and a bulk
reassignment that the second counsellor finds in their caseload and journal.

The team lead opens the team overview, follows "overdue evaluations" of Koen to
the team case list (his two files with an overdue evaluation), ticks both and
hands them to Camille with a note. Camille then sees both clients in her
caseload and the note in a client's journal. The case list is photographed and
checked with axe in Dutch and in French.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from ocmw.models import Task, TaskStatus
from tests.e2e.conftest import login as browser_login
from tests.factories import PERSONA_PASSWORD, ClientFactory
from trajecten import services
from trajecten.models import Contact, Phase, Trajectory

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Koen gaat met ouderschapsverlof. Afspraak bij de VDAB staat op 20/05."


def nl(text) -> str:
    with translation.override("nl"):
        return str(translation.gettext(str(text)))


def log_out(page) -> None:
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


@pytest.fixture
def team(teamlead, counsellor, colleague, socialworker, spi_team):
    """Koen: Aerts and Bosmans with an overdue evaluation, Claes without; Camille: Dumont."""
    overdue = timezone.localdate() - datetime.timedelta(days=10)
    files = {}
    for last, first, who in [
        ("Aerts", "Anna", counsellor),
        ("Bosmans", "Bert", counsellor),
        ("Claes", "Chloé", counsellor),
        ("Dumont", "David", colleague),
    ]:
        client = ClientFactory(
            responsible_social_worker=socialworker, first_name=first, last_name=last
        )
        files[last] = services.trajectory_open(
            actor=teamlead, client=client, counsellor=who, team=spi_team, phase=Phase.SCREENING
        )
    for last in ("Aerts", "Bosmans"):
        trajectory = files[last]
        Task.objects.create(
            ocmw_id=trajectory.client.ocmw_id,
            kind="evaluation_due",
            subject_type="trajectory",
            subject_id=trajectory.pk,
            client=trajectory.client,
            responsible=counsellor,
            due_date=overdue,
            status=TaskStatus.OPEN,
        )
    return files


def test_the_team_lead_reassigns_overdue_files_from_the_overview(
    page, live_server, shot, axe_check, teamlead, counsellor, colleague, spi_team, team
):
    # --- the team overview: Koen's overdue evaluations lead to the case list -----------------
    browser_login(page, live_server, teamlead.username, PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/team/")
    overdue = page.locator(
        f"#member-{spi_team.pk}-{counsellor.pk} [data-figure=overdue] [data-kind=evaluation_due] a"
    )
    expect(overdue).to_contain_text("2")
    overdue.click()
    page.wait_for_url(re.compile(r".*/team/cases/\?.*overdue=evaluation_due.*"))
    table = page.locator("#team-cases-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Aerts, Anna")
    expect(table).to_contain_text("Bosmans, Bert")
    expect(table).not_to_contain_text("Claes")
    expect(table).to_contain_text(nl("Evaluation due"))
    expect(page.locator("#id_counsellor")).to_have_value(str(counsellor.pk))
    axe_check(page)
    shot(page, "team-cases-nl")

    # --- both files to Camille, with a handover note --------------------------------------------
    page.locator("#select-all").check()
    expect(page.locator("#team-cases-table .case-select:checked")).to_have_count(2)
    page.select_option("#id_to_counsellor", str(colleague.pk))
    page.fill("#id_note", NOTE)
    page.locator("#reassign-submit").click()
    page.wait_for_url(re.compile(r".*/team/cases/\?.*"))
    expect(page.locator(".alert-success")).to_contain_text("Camille Leroy")
    expect(page.locator("#team-cases-count")).to_contain_text("0")
    moved = Trajectory.objects.filter(pk__in=[team["Aerts"].pk, team["Bosmans"].pk])
    assert {t.counsellor_id for t in moved} == {colleague.pk}
    assert Contact.objects.filter(summary__contains=NOTE).count() == 2

    # --- the whole list, in French --------------------------------------------------------------
    page.goto(f"{live_server.url}/team/cases/")
    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator("h1")).to_have_text("Liste des dossiers de l'équipe")
    expect(page.locator("#team-cases-table tbody tr")).to_have_count(4)
    axe_check(page)
    shot(page, "team-cases-fr")
    log_out(page)

    # --- Camille finds both clients and the note ----------------------------------------------
    browser_login(page, live_server, colleague.username, PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/caseload/")
    caseload = page.locator(".caseload-table")
    expect(caseload).to_contain_text("Aerts, Anna")
    expect(caseload).to_contain_text("Bosmans, Bert")
    expect(caseload).to_contain_text("Dumont, David")
    page.goto(f"{live_server.url}/clients/{team['Aerts'].client_id}/journal/")
    expect(page.locator("main")).to_contain_text(NOTE)
    expect(page.locator("main")).to_contain_text("Koen De Backer")
