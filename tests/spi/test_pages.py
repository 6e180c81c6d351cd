"""The SPI pages: who sees what, the forms, and their bad input.

The personas come from ``tests/conftest.py``, the SPI data from
``tests/spi/conftest.py``. The file under test is ``spi_case``, followed by
``counsellor`` (SPI team) with an open trajectory in phase 4:

- ``counsellor`` (assigned) and ``teamlead`` (leads the SPI team) read and change
  its activities;
- ``colleague`` (same team) only reads them;
- ``intake`` sees the identity only; ``socialworker``, ``sw_colleague``,
  ``other_team``, ``admin`` and ``outsider`` get a 404.

Partners are read by every staff member of their OCMW; group sessions by those
who follow clients, and run by counsellors and team leads. Another OCMW's
partner or session is a 404. Every bad input shows a clear message, keeps what
was typed and changes nothing.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from spi import services
from spi.models import (
    Attendance,
    AttendanceStatus,
    Checkpoint,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    GroupSession,
    Outcome,
    PartnerReferral,
    PartnerReferralStatus,
)
from tests.factories import ClientFactory
from tests.spi.conftest import TODAY, day
from trajecten import services as trajecten_services
from trajecten.models import Contact, Phase, Trajectory

pytestmark = pytest.mark.django_db

ACTIVITIES_TAB = 'id="panel-activities"'
ENROL_BUTTON = 'id="new-enrolment"'
CURRENTLY_BADGE = 'id="spi-currently-title"'


def html(response) -> str:
    return response.content.decode()


def file_url(client) -> str:
    return reverse("client_detail", args=[client.pk])


def nl_date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- access matrix: the Activities tab of the client file ------------------------------------

# persona → (status, sees the Activities tab, may change it)
FILE_ACCESS = {
    "anonymous": (302, False, False),
    "intake": (200, False, False),
    "socialworker": (404, False, False),
    "sw_colleague": (404, False, False),
    "counsellor": (200, True, True),
    "colleague": (200, True, False),
    "other_team": (404, False, False),
    "teamlead": (200, True, True),
    "admin": (404, False, False),
    "outsider": (404, False, False),
}


@pytest.mark.parametrize("name", FILE_ACCESS)
def test_the_activities_tab_by_role(name, persona, login, spi_case, running_art60):
    status, tab, edit = FILE_ACCESS[name]

    response = login(persona(name)).get(file_url(spi_case))

    assert response.status_code == status
    if status != 200:
        return
    page = html(response)
    assert (ACTIVITIES_TAB in page) is tab
    assert (CURRENTLY_BADGE in page) is tab
    assert ("WZC Zonnehof" in page) is tab
    assert (ENROL_BUTTON in page) is edit
    assert ('id="new-visit-' in page) is edit


def test_the_tab_shows_the_placement_with_its_art60_details(
    login, counsellor, spi_case, running_art60, ocmw
):
    page = html(login(counsellor).get(file_url(spi_case)))

    assert f'id="enrolment-{running_art60.pk}"' in page
    assert f"{running_art60.measure.name} at WZC Zonnehof until 31/12/2026" in page  # the badge
    assert "logistiek assistent" in page and "Zorg" in page
    assert str(ocmw) in page  # the employer of record is the OCMW
    assert "29/02/2028" in page  # the maximum end: start + 24 months - 1 day
    assert "01/03/2026" in page and "38,0" in page
    assert "Werkkledij" in page


def test_an_art60_placement_ending_soon_without_a_next_step_warns(
    login, counsellor, spi_case, clock, enrol, measures, zonnehof
):
    enrolment = enrol(
        "art60",
        day("01/06/2025"),
        run=True,
        user_organisation=zonnehof,
        planned_end_date=day("30/06/2026"),
    )

    page = html(login(counsellor).get(file_url(spi_case)))

    assert f'id="art60-warning-{enrolment.pk}"' in page
    assert "Fewer than 60 days left (the placement ends on 30/06/2026)" in page

    services.enrolment_update(
        actor=counsellor, enrolment=enrolment, data={"next_step": "Sollicitatie bij De Lijn"}
    )
    page = html(login(counsellor).get(file_url(spi_case)))
    assert f'id="art60-warning-{enrolment.pk}"' not in page
    assert "Sollicitatie bij De Lijn" in page


# --- enrolling, starting, completing, stopping ------------------------------------------------


def enrol_url(client) -> str:
    return reverse("spi:enrolment_create", args=[client.pk])


def enrolment_post(measure, **fields) -> dict:
    data = {
        "measure": measure.pk,
        "partner": "",
        "start_date": "01/04/2026",
        "planned_end_date": "30/09/2026",
        "hours_per_week": "19,5",
        "costs_covered": "Busabonnement",
        "notes": "Wil graag in de zorg werken.",
        "user_organisation": "",
        "job_title": "",
        "sector": "",
        "max_end_date": "",
        "over_max_reason": "",
        "next_step": "",
    }
    data.update(fields)
    return data


def test_the_counsellor_enrols_a_client_in_an_art60_placement(
    login, counsellor, spi_case, spi_trajectory, clock, measures, zonnehof
):
    browser = login(counsellor)
    form = browser.get(enrol_url(spi_case))
    assert form.status_code == 200
    assert 'id="art60-fields"' in html(form)

    response = browser.post(
        enrol_url(spi_case),
        enrolment_post(
            measures["art60"],
            user_organisation=zonnehof.pk,
            job_title="Keukenhulp",
            sector="Zorg",
            started="on",
            start_date="01/05/2026",
            planned_end_date="30/04/2027",
        ),
    )

    enrolment = Enrolment.objects.get(client=spi_case)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#enrolment-{enrolment.pk}")
    assert enrolment.status == EnrolmentStatus.RUNNING
    assert enrolment.is_art60 and enrolment.user_organisation == zonnehof
    assert enrolment.max_end_date == day("30/04/2028")
    assert enrolment.hours_per_week == 19.5
    assert enrolment.trajectory == spi_trajectory


def test_the_art60_details_are_not_kept_for_another_measure(
    login, counsellor, spi_case, spi_trajectory, clock, measures, zonnehof
):
    login(counsellor).post(
        enrol_url(spi_case),
        enrolment_post(measures["language_nl"], user_organisation=zonnehof.pk),
    )

    enrolment = Enrolment.objects.get(client=spi_case)
    assert enrolment.status == EnrolmentStatus.PLANNED
    assert enrolment.user_organisation is None and enrolment.max_end_date is None


def assert_refused(response, message: str, *, kept: str = "Wil graag in de zorg werken."):
    """A bad input: the form again, with the message and what was typed."""
    assert response.status_code == 200
    page = html(response)
    assert 'id="form-errors"' in page
    assert message in page, page[page.find('id="form-errors"') :][:2000]
    if kept:
        assert kept in page


def test_an_end_before_the_start_is_refused(
    login, counsellor, spi_case, spi_trajectory, clock, measures
):
    response = login(counsellor).post(
        enrol_url(spi_case),
        enrolment_post(measures["ibo"], start_date="01/06/2026", planned_end_date="01/05/2026"),
    )

    assert_refused(response, "The end cannot come before the start.")
    assert not Enrolment.objects.filter(client=spi_case).exists()


def test_an_art60_placement_over_its_maximum_needs_a_reason(
    login, counsellor, spi_case, spi_trajectory, clock, measures, zonnehof
):
    browser = login(counsellor)
    too_long = enrolment_post(
        measures["art60"],
        user_organisation=zonnehof.pk,
        start_date="01/05/2026",
        planned_end_date="31/12/2028",
    )

    response = browser.post(enrol_url(spi_case), too_long)

    assert_refused(response, "The planned end lies after the maximum end date (30/04/2028)")
    assert not Enrolment.objects.filter(client=spi_case).exists()

    too_long["over_max_reason"] = "Opent recht op werkloosheid pas in december 2028"
    assert browser.post(enrol_url(spi_case), too_long).status_code == 302
    assert Enrolment.objects.get(client=spi_case).planned_end_date == day("31/12/2028")


def test_a_second_running_art60_placement_is_refused(
    login, counsellor, spi_case, running_art60, measures, employer
):
    response = login(counsellor).post(
        enrol_url(spi_case),
        enrolment_post(
            measures["art60"],
            user_organisation=employer.pk,
            started="on",
            start_date="01/05/2026",
            planned_end_date="31/10/2026",
        ),
    )

    assert_refused(response, "This client already has an art. 60§7 placement")
    assert list(Enrolment.objects.filter(client=spi_case)) == [running_art60]


def test_a_partner_of_another_ocmw_is_refused(
    login, counsellor, spi_case, spi_trajectory, clock, measures, foreign_partner
):
    browser = login(counsellor)
    response = browser.post(
        enrol_url(spi_case), enrolment_post(measures["ibo"], partner=foreign_partner.pk)
    )

    assert_refused(response, "Choose a partner of this OCMW.")
    assert not Enrolment.objects.filter(client=spi_case).exists()
    assert "WZC De Linde" not in html(browser.get(enrol_url(spi_case)))

    response = browser.post(
        reverse("spi:partner_referral_create", args=[spi_case.pk]),
        {"partner": foreign_partner.pk, "purpose": "Inschrijving", "sent_on": "04/05/2026"},
    )
    assert_refused(response, "Choose a partner of this OCMW.", kept="Inschrijving")
    assert not PartnerReferral.objects.exists()


def test_garbage_in_the_enrolment_form_gives_field_errors_not_a_500(
    login, counsellor, spi_case, spi_trajectory, clock, measures
):
    data = enrolment_post(measures["ibo"], start_date="31/02/2026", hours_per_week="veel")
    data["measure"] = "99999"

    response = login(counsellor).post(enrol_url(spi_case), data)

    assert_refused(response, "Enter a date as dd/mm/yyyy.")
    page = html(response)
    assert "Give the hours as a number" in page
    assert "Choose a measure of this OCMW" in page
    assert not Enrolment.objects.exists()


def test_start_complete_and_stop_an_enrolment(
    login, counsellor, spi_case, clock, enrol, measures, employer
):
    browser = login(counsellor)
    course = enrol("language_nl", day("27/04/2026"))
    ibo = enrol("ibo", day("01/04/2026"), run=True, partner=employer)

    browser.post(reverse("spi:enrolment_start", args=[course.pk]), {"on": "04/05/2026"})
    course.refresh_from_db()
    assert course.status == EnrolmentStatus.RUNNING
    assert course.start_date == TODAY

    browser.post(reverse("spi:enrolment_complete", args=[course.pk]), {"on": ""})
    course.refresh_from_db()
    assert course.status == EnrolmentStatus.COMPLETED and course.actual_end_date == TODAY

    stop_url = reverse("spi:enrolment_stop", args=[ibo.pk])
    refused = browser.post(stop_url, {"reason": "  ", "on": "04/05/2026"})
    assert_refused(refused, "Give the reason for stopping early.", kept="")
    ibo.refresh_from_db()
    assert ibo.status == EnrolmentStatus.RUNNING

    browser.post(stop_url, {"reason": "Werkgever stopt de opleiding", "on": "04/05/2026"})
    ibo.refresh_from_db()
    assert ibo.status == EnrolmentStatus.STOPPED
    assert ibo.stop_reason == "Werkgever stopt de opleiding"

    page = html(browser.get(file_url(spi_case)))
    assert "Werkgever stopt de opleiding" in page  # the earlier measures' table


def test_completing_an_enrolment_twice_says_so(login, counsellor, running_art60):
    browser = login(counsellor)
    url = reverse("spi:enrolment_complete", args=[running_art60.pk])
    browser.post(url, {})

    response = browser.post(url, {}, follow=True)

    assert "Only a running enrolment can be completed" in html(response)


def test_a_reader_may_not_change_an_enrolment(login, colleague, running_art60):
    browser = login(colleague)

    assert (
        browser.post(reverse("spi:enrolment_complete", args=[running_art60.pk])).status_code == 403
    )
    assert browser.get(reverse("spi:visit_create", args=[running_art60.pk])).status_code == 403
    running_art60.refresh_from_db()
    assert running_art60.status == EnrolmentStatus.RUNNING


@pytest.mark.parametrize("name", ["other_team", "outsider", "socialworker", "admin"])
def test_an_enrolment_outside_ones_scope_is_a_404(name, persona, login, running_art60):
    browser = login(persona(name))

    for view in ("spi:enrolment_update", "spi:visit_create", "spi:enrolment_stop"):
        assert browser.get(reverse(view, args=[running_art60.pk])).status_code == 404
    assert (
        browser.post(reverse("spi:enrolment_complete", args=[running_art60.pk])).status_code == 404
    )


def test_the_enrolment_pages_want_a_post_for_a_change(login, counsellor, running_art60):
    response = login(counsellor).get(reverse("spi:enrolment_complete", args=[running_art60.pk]))

    assert response.status_code == 405


# --- work-floor visits ------------------------------------------------------------------------


def test_a_work_floor_visit_is_recorded_and_shown(
    login, counsellor, colleague, spi_case, running_art60
):
    browser = login(counsellor)
    url = reverse("spi:visit_create", args=[running_art60.pk])
    visit_data = {
        "date": "30/04/2026",
        "duration_minutes": "45",
        "staff": colleague.pk,
        "situation": "Goed ingewerkt in de keuken.",
        "problems": "Komt soms te laat.",
        "agreements": "Wekker zetten; evaluatie over een maand.",
    }

    response = browser.post(url, visit_data)

    visit = FollowUpVisit.objects.get(enrolment=running_art60)
    assert response["Location"].endswith(f"#visit-{visit.pk}")
    assert visit.staff == colleague and visit.duration_minutes == 45
    page = html(browser.get(file_url(spi_case)))
    assert "Goed ingewerkt in de keuken." in page
    assert "Wekker zetten" in page


def test_a_visit_in_the_future_or_without_a_situation_is_refused(login, counsellor, running_art60):
    browser = login(counsellor)
    url = reverse("spi:visit_create", args=[running_art60.pk])

    response = browser.post(
        url,
        {
            "date": "05/06/2026",
            "duration_minutes": "30",
            "staff": counsellor.pk,
            "situation": "Te vroeg",
        },
    )
    assert_refused(response, "cannot be dated in the future", kept="Te vroeg")

    response = browser.post(
        url, {"date": "30/04/2026", "duration_minutes": "30", "staff": counsellor.pk}
    )
    assert_refused(response, "Describe the situation on the work floor.", kept="")
    assert not FollowUpVisit.objects.exists()


# --- referrals to partners ---------------------------------------------------------------------


def test_a_referral_to_a_partner_with_a_warm_handover(
    login, counsellor, spi_case, spi_trajectory, clock, zonnehof
):
    browser = login(counsellor)
    mentor = zonnehof.contacts.get()
    response = browser.post(
        reverse("spi:partner_referral_create", args=[spi_case.pk]),
        {
            "partner": zonnehof.pk,
            "contact_person": mentor.pk,
            "purpose": "Kennismaking art. 60",
            "sent_on": "04/05/2026",
            "handover_note": "Rachid is gemotiveerd; spreekt goed Nederlands.",
        },
    )
    referral = PartnerReferral.objects.get()
    assert response["Location"].endswith(f"#partner-referral-{referral.pk}")
    assert referral.contact_person == mentor

    advance = reverse("spi:partner_referral_advance", args=[referral.pk])
    browser.post(advance, {"status": "accepted", "on": "04/05/2026"})
    refused = browser.post(advance, {"status": "ended", "on": "04/05/2026", "result": ""})
    assert_refused(refused, "Describe the result.", kept="")
    browser.post(advance, {"status": "ended", "on": "04/05/2026", "result": "Start op 1 juni"})

    referral.refresh_from_db()
    assert referral.status == PartnerReferralStatus.ENDED
    assert referral.result == "Start op 1 juni"
    page = html(browser.get(file_url(spi_case)))
    assert "Kennismaking art. 60" in page and "Start op 1 juni" in page

    # an ended referral cannot move again
    again = browser.post(advance, {"status": "accepted", "on": "04/05/2026"})
    assert_refused(again, "cannot become accepted", kept="")


def test_a_contact_person_of_another_partner_is_refused(
    login, counsellor, spi_case, spi_trajectory, clock, zonnehof, employer
):
    response = login(counsellor).post(
        reverse("spi:partner_referral_create", args=[spi_case.pk]),
        {
            "partner": employer.pk,
            "contact_person": zonnehof.contacts.get().pk,
            "purpose": "Sollicitatie",
            "sent_on": "04/05/2026",
        },
    )

    assert_refused(response, "works for another partner", kept="Sollicitatie")
    assert not PartnerReferral.objects.exists()


# --- outcomes and aftercare ---------------------------------------------------------------------


def outcome_url(trajectory) -> str:
    return reverse("spi:outcome_create", args=[trajectory.pk])


def test_a_start_of_work_offers_the_move_to_aftercare(
    login, counsellor, spi_case, spi_trajectory, clock
):
    browser = login(counsellor)
    response = browser.post(
        outcome_url(spi_trajectory),
        {
            "type": "regular_job",
            "employer": "Logistiek Noord BV",
            "start_date": "01/05/2026",
            "contract_type": "open_ended",
            "hours_per_week": "38",
        },
    )

    outcome = Outcome.objects.get(trajectory=spi_trajectory)
    assert response["Location"].endswith(f"#outcome-{outcome.pk}")
    assert list(outcome.checkpoints.values_list("months", flat=True)) == [1, 3, 6, 12]
    page = html(browser.get(file_url(spi_case)))
    assert 'id="move-to-aftercare"' in page
    assert reverse("trajecten:trajectory_transition", args=[spi_trajectory.pk]) in page
    assert "01/06/2026" in page  # the +1 month checkpoint is due

    moved = browser.post(
        reverse("trajecten:trajectory_transition", args=[spi_trajectory.pk]),
        {"target": "aftercare", "version": spi_trajectory.version, "reason": "Start of work"},
    )
    assert moved.status_code == 302
    assert Trajectory.objects.get(pk=spi_trajectory.pk).phase == Phase.AFTERCARE
    assert 'id="move-to-aftercare"' not in html(browser.get(file_url(spi_case)))


def test_another_destination_does_not_plan_checkpoints(
    login, counsellor, spi_case, spi_trajectory, clock
):
    login(counsellor).post(
        outcome_url(spi_trajectory),
        {
            "type": "training",
            "employer": "CVO",
            "start_date": "01/05/2026",
            "contract_type": "none",
        },
    )

    assert Outcome.objects.get().type == "training"
    assert not Checkpoint.objects.exists()


def test_an_outcome_without_a_type_or_date_is_refused(login, counsellor, spi_trajectory, clock):
    response = login(counsellor).post(
        outcome_url(spi_trajectory),
        {"type": "", "employer": "Logistiek Noord BV", "start_date": "", "contract_type": "none"},
    )

    assert_refused(response, "Choose where the client went.", kept="Logistiek Noord BV")
    assert not Outcome.objects.exists()


def record_work(counsellor, trajectory, start: datetime.date) -> Outcome:
    return services.outcome_record(
        actor=counsellor,
        trajectory=trajectory,
        data={"type": "regular_job", "employer": "Logistiek Noord BV", "start_date": start},
    )


def test_an_aftercare_checkpoint_is_recorded(login, counsellor, spi_case, spi_trajectory, clock):
    outcome = record_work(counsellor, spi_trajectory, day("01/04/2026"))
    first = outcome.checkpoints.get(months=1)
    browser = login(counsellor)

    response = browser.post(
        reverse("spi:checkpoint_record", args=[first.pk]),
        {
            "done_on": "04/05/2026",
            "contact_made": "yes",
            "still_employed": "yes",
            "same_employer": "yes",
            "problems": "Lange werkdagen",
            "support_given": "Kinderopvang gezocht",
        },
    )

    first.refresh_from_db()
    assert response["Location"].endswith(f"#checkpoint-{first.pk}")
    assert first.done_on == TODAY and first.done_by == counsellor
    assert first.contact_made and first.still_employed and first.same_employer
    page = html(browser.get(file_url(spi_case)))
    assert "Kinderopvang gezocht" in page


def test_a_checkpoint_before_the_start_of_work_is_refused(login, counsellor, spi_trajectory, clock):
    """The job starts next month: there is no start of work yet to follow up."""
    outcome = record_work(counsellor, spi_trajectory, day("01/06/2026"))
    first = outcome.checkpoints.get(months=1)

    response = login(counsellor).post(
        reverse("spi:checkpoint_record", args=[first.pk]),
        {"done_on": "04/05/2026", "contact_made": "yes", "problems": "Nog niet gestart"},
    )

    assert_refused(
        response, "Aftercare checkpoints follow a start of work", kept="Nog niet gestart"
    )
    first.refresh_from_db()
    assert first.done_on is None and first.problems == ""


def test_a_checkpoint_needs_to_know_whether_there_was_contact(
    login, counsellor, spi_trajectory, clock
):
    first = record_work(counsellor, spi_trajectory, day("01/04/2026")).checkpoints.get(months=1)

    response = login(counsellor).post(
        reverse("spi:checkpoint_record", args=[first.pk]),
        {"done_on": "04/05/2026", "problems": "Niet bereikt"},
    )

    assert_refused(response, "Say whether there was contact.", kept="Niet bereikt")
    first.refresh_from_db()
    assert first.done_on is None


def test_when_every_checkpoint_is_done_the_trajectory_may_close_as_sustainable_work(
    login, counsellor, spi_case, spi_trajectory, clock
):
    outcome = record_work(counsellor, spi_trajectory, day("01/04/2025"))
    trajecten_services.trajectory_transition(
        actor=counsellor, trajectory=spi_trajectory, target=Phase.AFTERCARE, reason="Werk"
    )
    browser = login(counsellor)
    checkpoints = list(outcome.checkpoints.order_by("months"))
    for checkpoint in checkpoints[:-1]:
        services.checkpoint_record(
            actor=counsellor,
            checkpoint=checkpoint,
            data={"done_on": checkpoint.due_date, "contact_made": True, "still_employed": True},
        )
    assert 'id="close-sustainable-work"' not in html(browser.get(file_url(spi_case)))

    services.checkpoint_record(
        actor=counsellor,
        checkpoint=checkpoints[-1],
        data={"done_on": TODAY, "contact_made": True, "still_employed": True},
    )
    page = html(browser.get(file_url(spi_case)))
    assert 'id="close-sustainable-work"' in page

    trajectory = Trajectory.objects.get(pk=spi_trajectory.pk)
    browser.post(
        reverse("trajecten:trajectory_transition", args=[trajectory.pk]),
        {"target": "closed", "version": trajectory.version, "closing_reason": "sustainable_work"},
    )
    trajectory = Trajectory.objects.get(pk=spi_trajectory.pk)
    assert trajectory.phase == Phase.CLOSED and trajectory.closing_reason == "sustainable_work"


@pytest.mark.parametrize("name", ["colleague", "other_team", "outsider"])
def test_others_may_not_record_a_checkpoint(
    name, persona, login, counsellor, spi_trajectory, clock
):
    first = record_work(counsellor, spi_trajectory, day("01/04/2026")).checkpoints.get(months=1)

    response = login(persona(name)).get(reverse("spi:checkpoint_record", args=[first.pk]))

    assert response.status_code == (403 if name == "colleague" else 404)


# --- the timeline and the caseload ---------------------------------------------------------------


def test_the_spi_events_are_on_the_timeline(
    login, counsellor, spi_case, spi_trajectory, running_art60, zonnehof, session_with
):
    services.followup_visit_record(
        actor=counsellor,
        enrolment=running_art60,
        data={"date": day("30/04/2026"), "situation": "Loopt goed", "duration_minutes": 30},
    )
    services.partner_referral_create(
        actor=counsellor,
        client=spi_case,
        data={"partner": zonnehof, "purpose": "Kennismaking", "sent_on": day("02/03/2026")},
    )
    outcome = record_work(counsellor, spi_trajectory, day("01/04/2026"))
    services.checkpoint_record(
        actor=counsellor,
        checkpoint=outcome.checkpoints.get(months=1),
        data={"done_on": day("04/05/2026"), "contact_made": True, "still_employed": True},
    )
    session = session_with([spi_case])
    services.attendance_record(
        actor=counsellor, session=session, statuses={spi_case: AttendanceStatus.PRESENT}
    )

    response = login(counsellor).get(reverse("client_timeline", args=[spi_case.pk]))
    page = html(response)

    assert f"Started: {running_art60.measure.name} at WZC Zonnehof" in page
    assert "Work-floor visit at WZC Zonnehof · 30 min" in page
    assert "Referred to WZC Zonnehof: Kennismaking" in page
    assert "Start of work: Regular job at Logistiek Noord BV from 01/04/2026" in page
    assert "Aftercare checkpoint +1 month done" in page
    assert "Group session “Jobtafel”: present" in page


def test_the_timeline_pages_strictly_older_entries(login, counsellor, spi_case, running_art60):
    for n in range(3):
        services.followup_visit_record(
            actor=counsellor,
            enrolment=running_art60,
            data={"date": day(f"0{n + 1}/04/2026"), "situation": f"Bezoek {n}"},
        )
    from spi.hooks import timeline_entries

    newest = timeline_entries(spi_case, counsellor, None, 2)
    older = timeline_entries(spi_case, counsellor, newest[-1].at, 10)

    assert [e.at for e in newest] == sorted((e.at for e in newest), reverse=True)
    assert all(e.at < newest[-1].at for e in older)
    titles = [e.title for e in newest + older]
    assert len(titles) == 4  # three visits and the start of the placement


def test_the_caseload_says_what_the_client_is_doing(login, counsellor, running_art60):
    response = login(counsellor).get(reverse("trajecten:caseload"))

    expected = f"{running_art60.measure.name} at WZC Zonnehof until 31/12/2026"
    assert expected in html(response)


# --- partners -------------------------------------------------------------------------------------

# persona → status of the partner list and of a partner of the main OCMW
PARTNER_ACCESS = {
    "anonymous": (302, 302),
    "intake": (200, 200),
    "socialworker": (200, 200),
    "counsellor": (200, 200),
    "colleague": (200, 200),
    "other_team": (200, 200),
    "teamlead": (200, 200),
    "admin": (200, 200),
    "outsider": (200, 404),
}


@pytest.mark.parametrize("name", PARTNER_ACCESS)
def test_the_partner_pages_by_role(name, persona, login, zonnehof, running_art60):
    list_status, detail_status = PARTNER_ACCESS[name]
    browser = login(persona(name))

    listing = browser.get(reverse("spi:partner_list"))
    detail = browser.get(reverse("spi:partner_detail", args=[zonnehof.pk]))

    assert listing.status_code == list_status
    assert detail.status_code == detail_status
    if list_status == 200:
        assert ("WZC Zonnehof" in html(listing)) is (name != "outsider")
    if detail_status == 200:
        page = html(detail)
        assert "Greet Van Hove" in page  # the contact person
        # the placement shows only to those who read the client's file
        assert ("Tahiri, Rachid" in page) is (name in ("counsellor", "colleague", "teamlead"))


def test_the_partner_list_searches_filters_and_pages(
    login, counsellor, teamlead, zonnehof, employer
):
    for n in range(30):
        services.partner_create(
            actor=teamlead, data={"name": f"Opleidingscentrum {n:02d}", "kind": "training_centre"}
        )
    browser = login(counsellor)

    page = html(browser.get(reverse("spi:partner_list")))
    assert "32 partners" in page or "32 partner" in page
    assert "Opleidingscentrum 24" not in page  # on page 2
    assert "Opleidingscentrum 24" in html(browser.get(reverse("spi:partner_list") + "?page=2"))

    found = html(browser.get(reverse("spi:partner_list") + "?q=zonne"))
    assert "WZC Zonnehof" in found and "Logistiek Noord" not in found
    employers = html(browser.get(reverse("spi:partner_list") + "?kind=employer"))
    assert "Logistiek Noord BV" in employers and "WZC Zonnehof" not in employers
    odd = browser.get(reverse("spi:partner_list") + "?kind=nonsense&page=x")
    assert odd.status_code == 200


def test_a_merged_partner_is_gone(login, counsellor, teamlead, zonnehof, employer):
    services.partner_merge(actor=teamlead, keep=employer, duplicate=zonnehof)

    assert (
        login(counsellor).get(reverse("spi:partner_detail", args=[zonnehof.pk])).status_code == 404
    )


# --- group sessions -------------------------------------------------------------------------------

# persona → (status of the list, status of a session of the main OCMW, may record attendance)
SESSION_ACCESS = {
    "anonymous": (302, 302, False),
    "intake": (403, 403, False),
    "socialworker": (200, 200, False),
    "counsellor": (200, 200, True),
    "colleague": (200, 200, True),
    "other_team": (200, 200, True),
    "teamlead": (200, 200, True),
    "admin": (403, 403, False),
    "outsider": (200, 404, True),  # runs sessions of its own OCMW
}


@pytest.mark.parametrize("name", SESSION_ACCESS)
def test_the_group_session_pages_by_role(
    name, persona, login, spi_case, spi_trajectory, session_with
):
    list_status, detail_status, runs = SESSION_ACCESS[name]
    session = session_with([spi_case])
    browser = login(persona(name))

    listing = browser.get(reverse("spi:group_session_list"))
    detail = browser.get(reverse("spi:group_session_detail", args=[session.pk]))

    assert listing.status_code == list_status
    assert detail.status_code == detail_status
    if list_status == 200:
        assert ("Jobtafel" in html(listing)) is (name != "outsider")
        assert ('id="new-session"' in html(listing)) is runs
    if detail_status == 200:
        page = html(detail)
        reads_client = name in ("counsellor", "colleague", "teamlead")
        assert ("Tahiri, Rachid" in page) is reads_client
        assert ('id="save-attendance"' in page) is (runs and reads_client)
        assert ('id="add-participants"' in page) is runs
        if not reads_client:
            assert 'id="hidden-participants"' in page


def test_the_list_shows_upcoming_sessions_first(login, counsellor, spi_case, clock, session_with):
    past = session_with([spi_case], on=day("20/04/2026"))
    far = session_with([spi_case], on=day("30/06/2026"))
    near = session_with([spi_case], on=day("11/05/2026"))

    response = login(counsellor).get(reverse("spi:group_session_list"))

    rows = [s.pk for s in response.context["sessions"]]
    assert rows == [near.pk, far.pk, past.pk]


def session_post(**fields) -> dict:
    data = {
        "title": "Infosessie VDAB",
        "measure": "",
        "date": "12/05/2026",
        "start_time": "13:30",
        "duration_minutes": "90",
        "place": "Zaal 1",
        "facilitator": "",
    }
    data.update(fields)
    return data


def test_the_counsellor_plans_a_session_with_caseload_clients(
    login, counsellor, spi_case, spi_trajectory, clock, measures
):
    browser = login(counsellor)
    assert "Tahiri, Rachid" in html(browser.get(reverse("spi:group_session_list")))

    response = browser.post(
        reverse("spi:group_session_create"),
        session_post(
            facilitator=counsellor.pk, measure=measures["job_table"].pk, participants=[spi_case.pk]
        ),
    )

    session = GroupSession.objects.get()
    assert response["Location"] == reverse("spi:group_session_detail", args=[session.pk])
    assert session.start_time == datetime.time(13, 30) and session.measure == measures["job_table"]
    assert list(session.participants.all()) == [spi_case]


def test_a_session_with_a_client_one_does_not_follow_is_refused(login, counsellor, case, clock):
    response = login(counsellor).post(
        reverse("spi:group_session_create"),
        session_post(facilitator=counsellor.pk, participants=[case.pk]),
    )

    assert_refused(response, "Choose participants among the clients you follow.", kept="Zaal 1")
    assert not GroupSession.objects.exists()


def test_a_session_without_title_or_with_a_bad_time_is_refused(login, counsellor, clock):
    response = login(counsellor).post(
        reverse("spi:group_session_create"),
        session_post(title="", start_time="25:99", facilitator=counsellor.pk),
    )

    assert_refused(response, "Give the session a title.", kept="Zaal 1")
    assert "Enter a time as hh:mm" in html(response)
    assert not GroupSession.objects.exists()


def test_a_social_worker_may_not_plan_a_session(login, counsellor, socialworker, clock):
    response = login(socialworker).post(
        reverse("spi:group_session_create"), session_post(facilitator=socialworker.pk)
    )

    assert response.status_code == 403
    assert not GroupSession.objects.exists()


def attendance_url(session) -> str:
    return reverse("spi:group_session_attendance", args=[session.pk])


@pytest.fixture
def second_client(counsellor, spi_team, teamlead):
    """Another client of ``counsellor``, with an open trajectory."""
    client = ClientFactory(
        responsible_social_worker=counsellor, first_name="Sara", last_name="Aerts"
    )
    trajecten_services.trajectory_open(
        actor=teamlead,
        client=client,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.JOB_PLACEMENT,
    )
    return client


def test_attendance_lands_in_each_participants_journal(
    login, counsellor, spi_case, spi_trajectory, second_client, clock, session_with
):
    session = session_with([spi_case, second_client])
    browser = login(counsellor)

    response = browser.post(
        attendance_url(session),
        {f"status_{spi_case.pk}": "present", f"status_{second_client.pk}": "excused"},
    )

    assert response.status_code == 302
    rows = {row.client_id: row for row in Attendance.objects.filter(session=session)}
    assert rows[spi_case.pk].status == AttendanceStatus.PRESENT
    assert rows[second_client.pk].status == AttendanceStatus.EXCUSED
    contact = Contact.objects.get(client=spi_case)
    assert contact.type == "group" and contact.duration_minutes == 150
    assert contact.staff == counsellor and contact.date == session.date
    page = html(browser.get(reverse("spi:group_session_detail", args=[session.pk])))
    assert f"#contact-{contact.pk}" in page  # "in the journal", linked
    assert page.count("spi-journal-link") == 2
    journal = html(browser.get(file_url(spi_case)))
    assert "Jobtafel" in journal


def test_attendance_for_a_client_not_in_the_session_is_refused(
    login, counsellor, spi_case, spi_trajectory, second_client, clock, session_with
):
    session = session_with([spi_case])

    response = login(counsellor).post(
        attendance_url(session),
        {f"status_{spi_case.pk}": "present", f"status_{second_client.pk}": "present"},
    )

    assert response.status_code == 200
    page = html(response)
    assert "Attendance can only be recorded for the participants of this session." in page
    assert f'id="id_attendance_status_{spi_case.pk}_0" checked' in page  # the choice is kept
    assert not Contact.objects.exists()
    assert Attendance.objects.get(session=session).status == AttendanceStatus.EXPECTED


def test_attendance_without_any_choice_or_before_the_session_is_refused(
    login, counsellor, spi_case, spi_trajectory, clock, session_with
):
    browser = login(counsellor)
    session = session_with([spi_case])
    response = browser.post(attendance_url(session), {})
    assert "Choose present, excused or absent for at least one participant." in html(response)

    later = session_with([spi_case], on=day("12/05/2026"))
    response = browser.post(attendance_url(later), {f"status_{spi_case.pk}": "present"})
    assert "Attendance can be recorded from the day of the session on." in html(response)
    assert not Contact.objects.exists()


def test_participants_are_added_from_ones_caseload(
    login, counsellor, spi_case, spi_trajectory, second_client, case, clock, session_with
):
    session = session_with([spi_case])
    browser = login(counsellor)
    url = reverse("spi:group_session_add_participants", args=[session.pk])

    refused = browser.post(url, {"participants": [case.pk]})
    assert refused.status_code == 200
    assert "Choose participants among the clients you follow." in html(refused)

    browser.post(url, {"participants": [second_client.pk]})
    assert set(session.participants.values_list("pk", flat=True)) == {spi_case.pk, second_client.pk}


def test_a_session_of_another_ocmw_is_a_404(login, outsider, counsellor, spi_case, session_with):
    session = session_with([spi_case])
    browser = login(outsider)

    assert browser.get(reverse("spi:group_session_detail", args=[session.pk])).status_code == 404
    assert browser.post(attendance_url(session), {}).status_code == 404
    assert (
        browser.post(
            reverse("spi:group_session_add_participants", args=[session.pk]), {}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "name, links", [("counsellor", True), ("socialworker", True), ("intake", False)]
)
def test_the_home_page_links_to_partners_and_group_sessions(name, links, persona, login):
    page = html(login(persona(name)).get(reverse("home")))

    assert (reverse("spi:group_session_list") in page) is links
    assert (reverse("spi:partner_list") in page) is links
