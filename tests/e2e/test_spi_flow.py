"""Activation in a browser: an art. 60§7 placement, a work-floor visit, a start of
work, the move to aftercare and the +1 month checkpoint; then a group session's
attendance landing in the participants' journals.

Real clock: every date is typed relative to today. The pages are looked at in
Dutch and in French (screenshots under test-artifacts/) and checked with axe.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from spi import services
from spi.models import (
    Attendance,
    AttendanceStatus,
    Checkpoint,
    Enrolment,
    FollowUpVisit,
    Measure,
    Outcome,
    Partner,
    PartnerKind,
)
from tests.e2e.conftest import login as browser_login
from tests.factories import PERSONA_PASSWORD, ClientFactory
from trajecten import services as trajecten_services
from trajecten.models import Contact, Phase, Trajectory

pytestmark = pytest.mark.django_db(transaction=True)


def typed(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def open_tab(page, name: str) -> None:
    page.locator(f"#tab-{name}").click()
    expect(page.locator(f"#panel-{name}")).to_be_visible()


def switch_to_french(page) -> None:
    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"


@pytest.fixture
def measures(ocmw) -> dict[str, Measure]:
    return {m.code: m for m in services.measure_catalogue_seed(ocmw=ocmw)}


@pytest.fixture
def zonnehof(teamlead) -> Partner:
    """The OCMW's care home: an internal service where art. 60 workers are placed."""
    return services.partner_create(
        actor=teamlead,
        data={"name": "WZC Zonnehof", "kind": PartnerKind.INTERNAL, "sector": "Zorg"},
    )


@pytest.fixture
def spi_trajectory(counsellor, spi_case, spi_team) -> Trajectory:
    return trajecten_services.trajectory_open(
        actor=counsellor,
        client=spi_case,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.WORK_EXPERIENCE,
    )


@pytest.fixture
def placement_world(counsellor, spi_case, spi_trajectory, measures, zonnehof):
    """``spi_case`` in phase 4 with ``counsellor``; the catalogue and the care home exist."""
    return spi_case


def test_art60_visit_start_of_work_aftercare_and_checkpoint(
    page, live_server, shot, axe_check, counsellor, placement_world, measures, zonnehof
):
    client = placement_world
    today = timezone.localdate()
    file_url = f"{live_server.url}/clients/{client.pk}/"
    browser_login(page, live_server, counsellor.username, PERSONA_PASSWORD)

    # --- enrol in art. 60§7 at the care home (an internal service) ------------------------------
    page.goto(file_url)
    open_tab(page, "activities")
    page.locator("#new-enrolment").click()
    page.wait_for_url("**/enrolments/new/")
    art60_fields = page.locator("#art60-fields")
    expect(art60_fields).to_be_hidden()  # only for an art. 60 measure
    page.select_option("#id_measure", str(measures["art60"].pk))
    expect(art60_fields).to_be_visible()
    page.select_option("#id_user_organisation", str(zonnehof.pk))
    page.fill("#id_job_title", "Keukenhulp")
    page.fill("#id_sector", "Zorg")
    page.fill("#id_start_date", typed(today - datetime.timedelta(days=120)))
    page.fill("#id_planned_end_date", typed(today + datetime.timedelta(days=240)))
    page.fill("#id_hours_per_week", "38")
    page.check("#id_started")
    page.locator("form.spi-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/clients/\d+/#enrolment-\d+$"))
    enrolment = Enrolment.objects.get(client=client)
    assert enrolment.is_art60 and enrolment.status == "running"
    card = page.locator(f"#enrolment-{enrolment.pk}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Keukenhulp")
    expect(card).to_contain_text(str(client.ocmw))  # the employer of record
    expect(page.locator(f"#spi-currently-{enrolment.pk}")).to_contain_text("WZC Zonnehof")

    # --- a work-floor visit ----------------------------------------------------------------------
    page.locator(f"#new-visit-{enrolment.pk}").click()
    page.wait_for_url("**/visits/new/")
    page.fill("#id_date", typed(today - datetime.timedelta(days=7)))
    page.fill("#id_duration_minutes", "45")
    page.fill("#id_situation", "Goed ingewerkt in de grootkeuken.")
    page.fill("#id_problems", "Komt soms te laat.")
    page.fill("#id_agreements", "Wekker zetten; volgende week opvolgen.")
    page.locator("form.spi-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#visit-\d+$"))
    visit = FollowUpVisit.objects.get(enrolment=enrolment)
    expect(page.locator(f"#visit-{visit.pk}")).to_contain_text("Goed ingewerkt in de grootkeuken.")

    # --- a start of work with an employer ---------------------------------------------------------
    add_outcome = page.locator("#add-outcome")
    add_outcome.locator("summary").click()
    page.select_option("#id_outcome_type", "regular_job")
    page.fill("#id_outcome_employer", "Logistiek Noord BV")
    page.fill("#id_outcome_start_date", typed(today))
    page.select_option("#id_outcome_contract_type", "open_ended")
    page.fill("#id_outcome_hours_per_week", "38")
    add_outcome.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#outcome-\d+$"))
    outcome = Outcome.objects.get(trajectory__client=client)
    expect(page.locator(f"#outcome-{outcome.pk}")).to_contain_text("Logistiek Noord BV")
    expect(page.locator(f"#outcome-{outcome.pk} .checkpoint")).to_have_count(4)

    # --- the offered move to aftercare (nazorg) ---------------------------------------------------
    page.locator("#move-to-aftercare").click()
    page.wait_for_url("**/#trajectory")
    expect(page.locator(".phase-step[aria-current=step]")).to_contain_text("Nazorg")
    assert Trajectory.objects.get(client=client).phase == Phase.AFTERCARE

    # --- the +1 month checkpoint ------------------------------------------------------------------
    first = Checkpoint.objects.get(outcome=outcome, months=1)
    open_tab(page, "activities")
    page.locator(f"#checkpoint-{first.pk} a").click()
    page.wait_for_url(f"**/checkpoints/{first.pk}/")
    page.check("#id_contact_made_0")
    page.select_option("#id_still_employed", "yes")
    page.select_option("#id_same_employer", "yes")
    page.fill("#id_problems", "Vroege shiften zijn zwaar.")
    page.fill("#id_support_given", "Busabonnement geregeld.")
    page.locator("form.spi-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*#checkpoint-{first.pk}$"))
    first.refresh_from_db()
    assert first.done_on == today and first.still_employed and first.same_employer
    expect(page.locator(f"#checkpoint-{first.pk}")).to_contain_text("Busabonnement geregeld.")

    # --- all of it on the timeline ----------------------------------------------------------------
    open_tab(page, "timeline")
    timeline = page.locator("#timeline-list")
    expect(timeline.locator(".timeline-spi")).to_have_count(4)
    expect(timeline).to_contain_text("WZC Zonnehof")  # started, and the visit there
    expect(timeline).to_contain_text("Goed ingewerkt in de grootkeuken.")
    expect(timeline).to_contain_text("Logistiek Noord BV")  # the start of work
    expect(timeline).to_contain_text("+1")  # the checkpoint done
    expect(timeline).to_contain_text("Nazorg")  # the move to aftercare

    # --- the Activities tab as people see it, in Dutch and in French ------------------------------
    open_tab(page, "activities")
    axe_check(page)
    shot(page, "spi-activities-nl")
    switch_to_french(page)
    open_tab(page, "activities")
    expect(page.locator(f"#enrolment-{enrolment.pk}")).to_contain_text("Keukenhulp")
    axe_check(page)
    shot(page, "spi-activities-fr")


@pytest.fixture
def session_world(counsellor, spi_team, spi_case, spi_trajectory, measures):
    """A job table today with ``spi_case`` and another client of ``counsellor``."""
    other = ClientFactory(
        responsible_social_worker=counsellor, first_name="Sara", last_name="Aerts"
    )
    trajecten_services.trajectory_open(
        actor=counsellor,
        client=other,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.JOB_PLACEMENT,
    )
    session = services.group_session_create(
        actor=counsellor,
        data={
            "title": "Jobtafel logistiek",
            "measure": measures["job_table"],
            "date": timezone.localdate(),
            "start_time": datetime.time(9, 30),
            "duration_minutes": 150,
            "place": "Zaal 2, Sociaal Huis",
        },
        participants=[spi_case, other],
    )
    return session, spi_case, other


def test_group_session_attendance_lands_in_each_journal(
    page, live_server, shot, axe_check, counsellor, session_world
):
    session, rachid, sara = session_world
    browser_login(page, live_server, counsellor.username, PERSONA_PASSWORD)

    page.goto(f"{live_server.url}/group-sessions/")
    page.locator(".session-table a", has_text="Jobtafel logistiek").click()
    page.wait_for_url(f"**/group-sessions/{session.pk}/")
    page.check(f"#id_attendance_status_{rachid.pk}_0")  # present
    page.check(f"#id_attendance_status_{sara.pk}_1")  # excused
    page.locator("#save-attendance").click()
    page.wait_for_url("**/#attendance")

    statuses = dict(Attendance.objects.filter(session=session).values_list("client_id", "status"))
    assert statuses == {rachid.pk: AttendanceStatus.PRESENT, sara.pk: AttendanceStatus.EXCUSED}
    expect(page.locator(".spi-journal-link")).to_have_count(2)
    contact = Contact.objects.get(client=rachid)
    assert contact.duration_minutes == 150 and contact.type == "group"
    expect(page.locator(f"#participant-{rachid.pk} a.spi-journal-link")).to_have_attribute(
        "href", f"/clients/{rachid.pk}/#contact-{contact.pk}"
    )
    axe_check(page)
    shot(page, "spi-group-session-nl")

    switch_to_french(page)
    expect(page.locator(f"#id_attendance_status_{rachid.pk}_0")).to_be_checked()
    axe_check(page)
    shot(page, "spi-group-session-fr")

    # The attendance is in the participant's journal.
    page.goto(f"{live_server.url}/clients/{rachid.pk}/#contact-{contact.pk}")
    expect(page.locator(f"#contact-{contact.pk}")).to_contain_text("Jobtafel logistiek")
