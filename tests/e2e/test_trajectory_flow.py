"""The trajectory in a browser: referral, acceptance, the file's tabs and the moves.

The social worker refers a client with the readiness checklist; the counsellor
accepts it from the home page, records a needs analysis, a goal and a contact,
skips from phase 2 to 4 with a reason, goes back to 3, and finds it all on the
timeline. The caseload and the client file are photographed and checked with
axe in Dutch and in French.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.conftest import login as browser_login
from tests.factories import PERSONA_PASSWORD
from trajecten.models import Phase, PhaseChange, Referral, ReferralStatus, Trajectory

pytestmark = pytest.mark.django_db(transaction=True)


def nl(text) -> str:
    """What a Dutch-speaking user reads for an English message id or label."""
    with translation.override("nl"):
        return str(translation.gettext(str(text)) if isinstance(text, str) else text)


def open_tab(page, name: str) -> None:
    page.locator(f"#tab-{name}").click()
    expect(page.locator(f"#panel-{name}")).to_be_visible()


def log_out(page) -> None:
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


def test_referral_acceptance_plan_journal_moves_and_timeline(
    page, live_server, shot, axe_check, socialworker, counsellor, teamlead, spi_team, case
):
    file_url = f"{live_server.url}/clients/{case.pk}/"

    # --- the social worker refers the client with the readiness checklist ----------------
    browser_login(page, live_server, socialworker.username, PERSONA_PASSWORD)
    page.goto(file_url)
    page.locator("#refer-spi").click()
    page.wait_for_url("**/referral/")
    for row in page.locator("table.readiness-form tbody tr").all():
        row.locator("input[type=radio][value=ok]").check()
    page.locator("#readiness-language input[value=attention]").check()
    page.fill("#id_language_note", "Volgt NT2, niveau A2")
    page.select_option("#id_team", label=spi_team.name)
    page.fill("#id_motivation", "Huisvesting en schulden zijn geregeld; wil graag werken.")
    page.locator("form[data-once] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/clients/\d+/#trajectory$"))
    pending = page.locator("#pending-referral")
    expect(pending).to_contain_text("Volgt NT2, niveau A2")
    referral = Referral.objects.get(client=case)
    assert referral.checklist["language"] == {"status": "attention", "note": "Volgt NT2, niveau A2"}
    log_out(page)

    # --- the counsellor accepts it from the home page --------------------------------------
    browser_login(page, live_server, counsellor.username, PERSONA_PASSWORD)
    page.locator("#home-referrals a[href*='/referrals/']").first.click()
    page.wait_for_url("**/referrals/*/")
    expect(page.locator("table.checklist-table")).to_contain_text("Volgt NT2, niveau A2")
    page.locator("#accept-referral button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/clients/\d+/#trajectory$"))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    expect(page.locator("#trajectory-counsellor")).to_have_text(str(counsellor))
    expect(page.locator(".phase-step[aria-current=step]")).to_contain_text(
        nl(Phase.SCREENING.label)
    )
    # No needs analysis yet: the next phase is blocked and says why.
    expect(page.locator("#move-next")).to_be_disabled()
    expect(page.locator(".gate-messages")).to_contain_text(
        nl("Record a needs analysis (sociale balans) before leaving this phase.")
    )

    # --- a needs analysis ---------------------------------------------------------------------
    open_tab(page, "needs")
    page.locator("#new-needs-analysis").click()
    page.wait_for_url("**/needs-analysis/new/")
    page.fill("#id_material_situation", "Huurachterstand afbetaald")
    page.check("#id_material_support")
    page.fill("#id_language_0", "Nederlands")
    page.select_option("#id_level_0", "A2")
    page.select_option("#id_driving_licence", "B")
    page.fill("#id_own_project", "Ik wil in een grootkeuken werken.")
    page.locator("form.needs-form button[type=submit]").click()
    page.wait_for_url("**/#needs")
    expect(page.locator("#panel-needs")).to_contain_text("Ik wil in een grootkeuken werken.")

    # --- a goal ----------------------------------------------------------------------------------
    open_tab(page, "plan")
    add_goal = page.locator("#add-goal")
    if add_goal.get_attribute("open") is None:
        add_goal.locator("summary").click()
    page.fill("#id_goal_title", "Werkervaring in een grootkeuken")
    page.select_option("#id_goal_horizon", "medium")
    page.select_option("#id_goal_domain", "work")
    add_goal.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#goal-\d+$"))
    expect(page.locator("#panel-plan")).to_contain_text("Werkervaring in een grootkeuken")

    # --- a contact ------------------------------------------------------------------------------
    open_tab(page, "journal")
    page.locator("#add-contact summary").click()
    page.select_option("#id_type", "interview")
    page.fill("#id_duration_minutes", "45")
    page.fill("#id_summary", "Project besproken; start in de keuken van het woonzorgcentrum.")
    page.locator("#add-contact button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#contact-\d+$"))
    expect(page.locator("#panel-journal")).to_contain_text("start in de keuken")

    # --- skip from phase 2 to 4 with a reason, then back to 3 -----------------------------------
    page.locator("#moves-skip summary").click()
    page.fill("#skip-reason", "Wil meteen werkervaring opdoen")
    page.locator("#moves-skip button[value=work_experience]").click()
    page.wait_for_url("**/#trajectory")
    expect(page.locator(".phase-step[aria-current=step]")).to_contain_text(
        nl(Phase.WORK_EXPERIENCE.label)
    )

    page.locator("#moves-back summary").click()
    page.fill("#back-reason", "Eerst sociale activering: werkattitude")
    page.locator("#moves-back button[value=social_activation]").click()
    page.wait_for_url("**/#trajectory")
    expect(page.locator(".phase-step[aria-current=step]")).to_contain_text(
        nl(Phase.SOCIAL_ACTIVATION.label)
    )
    trajectory = Trajectory.objects.get(client=case)
    assert trajectory.phase == Phase.SOCIAL_ACTIVATION
    moves = list(
        PhaseChange.objects.filter(trajectory=trajectory)
        .order_by("at", "id")
        .values_list("from_phase", "to_phase", "reason")
    )
    assert moves[-2:] == [
        (Phase.SCREENING, Phase.WORK_EXPERIENCE, "Wil meteen werkervaring opdoen"),
        (Phase.WORK_EXPERIENCE, Phase.SOCIAL_ACTIVATION, "Eerst sociale activering: werkattitude"),
    ]

    # --- all of it on the timeline -----------------------------------------------------------
    open_tab(page, "timeline")
    timeline = page.locator("#timeline-list")
    expect(timeline).to_contain_text(nl("back to an earlier phase"))
    expect(timeline).to_contain_text(nl("skipped ahead"))
    expect(timeline).to_contain_text("Wil meteen werkervaring opdoen")
    expect(timeline).to_contain_text("Eerst sociale activering: werkattitude")
    expect(timeline).to_contain_text("Werkervaring in een grootkeuken")
    expect(timeline).to_contain_text(nl("Individual interview"))
    expect(timeline).to_contain_text(nl("Referral accepted"))
    titles = timeline.locator(".timeline-entry strong").all_inner_texts()
    # Newest first: the move back to social activation heads the timeline.
    assert nl(Phase.SOCIAL_ACTIVATION.label) in titles[0]
    assert nl("back to an earlier phase") in titles[0]
    axe_check(page)
    shot(page, "trajectory-file-nl")

    page.goto(f"{live_server.url}/caseload/")
    expect(page.locator(".caseload-table")).to_contain_text("Vandamme, Lotte")
    expect(page.locator(".caseload-table")).to_contain_text(nl(Phase.SOCIAL_ACTIVATION.label))
    axe_check(page)
    shot(page, "caseload-nl")

    # --- the same pages in French ---------------------------------------------------------------
    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator(".caseload-table")).to_contain_text("Vandamme, Lotte")
    axe_check(page)
    shot(page, "caseload-fr")
    page.goto(file_url)
    expect(page.locator(".phase-step[aria-current=step]")).to_be_visible()
    axe_check(page)
    shot(page, "trajectory-file-fr")
