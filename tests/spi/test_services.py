"""What the SPI services and selectors do when the input is right.

- the measures catalogue (Belgian defaults, idempotent, in the OCMW's language);
- partners: merging duplicates moves everything to the partner that stays;
- enrolments from planned to running to completed or stopped, with an audit
  trail naming the actor; work-floor visits;
- group-session attendance lands once in each participant's journal, and the
  present minutes count as the facilitator's staff time;
- a start of work plans the aftercare checkpoints and opens the trajectory's
  gate to aftercare; checkpoints are recorded;
- the selectors: the client's activities, the caseload summaries, a session's
  and a partner's page (fixed query counts), retention at +3/+6/+12 months;
- the demo data: loaded twice, it changes nothing.

The clock stands still on Monday 4 May 2026 (``clock``), except for the demo.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ocmw.models import Client, Ocmw
from spi import selectors, services
from spi.models import (
    Attendance,
    AttendanceStatus,
    Checkpoint,
    ContactPerson,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    GroupSession,
    Measure,
    MeasureCategory,
    Outcome,
    OutcomeType,
    Partner,
    PartnerReferral,
    PartnerReferralStatus,
    SpiSettings,
)
from tests.factories import ClientFactory
from tests.spi.conftest import art60_data, day
from trajecten import services as trajecten_services
from trajecten.models import Contact, ContactType, Phase, PhaseChange, Trajectory

pytestmark = pytest.mark.django_db
clocked = pytest.mark.usefixtures("clock", "english")


# --- the measures catalogue ----------------------------------------------------------------------


@clocked
def test_the_catalogue_has_the_belgian_default_measures(ocmw):
    catalogue = {m.code: m for m in services.measure_catalogue_seed(ocmw=ocmw)}

    assert set(catalogue) == {
        "art60", "art61", "ibo", "job_exploration", "vocational_training", "language_nl",
        "language_fr", "workshop", "volunteering", "arbeidszorg", "job_club", "job_table",
        "activa_sine", "studies",
    }  # fmt: skip
    art60 = catalogue["art60"]
    assert (art60.is_art60, art60.is_employment, art60.max_duration_months) == (True, True, 24)
    assert art60.category == MeasureCategory.EMPLOYMENT
    assert art60.phases == [Phase.WORK_EXPERIENCE]
    assert catalogue["ibo"].max_duration_months == 6
    assert catalogue["job_table"].phases == [Phase.JOB_PLACEMENT]
    assert [m.code for m in Measure.objects.filter(ocmw=ocmw, is_art60=True)] == ["art60"]


@clocked
def test_seeding_the_catalogue_twice_keeps_what_the_administrator_changed(ocmw, other_ocmw):
    services.measure_catalogue_seed(ocmw=ocmw)
    Measure.objects.filter(ocmw=ocmw, code="art60").update(name="TWE", max_duration_months=18)

    again = services.measure_catalogue_seed(ocmw=ocmw)
    services.measure_catalogue_seed(ocmw=other_ocmw)

    assert Measure.objects.filter(ocmw=ocmw).count() == 14
    assert again[0].name == "TWE"
    assert Measure.objects.get(ocmw=ocmw, code="art60").max_duration_months == 18
    # Named in the OCMW's language region: bilingual Brussels, Dutch-speaking Andersgem.
    assert Measure.objects.get(ocmw=other_ocmw, code="art60").name == "Art. 60§7 (TWE)"
    assert Measure.objects.get(ocmw=other_ocmw, code="language_nl").name == "Taalcursus Nederlands"


# --- partners ------------------------------------------------------------------------------------


@clocked
def test_merging_a_duplicate_moves_its_enrolments_referrals_and_contacts(
    teamlead, counsellor, spi_case, measures, zonnehof, spi_trajectory
):
    twin = services.partner_create(
        actor=teamlead, data={"name": "Woonzorgcentrum Zonnehof", "kind": "internal"}
    )
    services.contact_person_create(actor=teamlead, partner=twin, data={"name": "Luc Janssens"})
    placement = services.enrolment_create(
        actor=counsellor, client=spi_case, data=art60_data(measures, twin)
    )
    course = services.enrolment_create(
        actor=counsellor,
        client=spi_case,
        data={"measure": measures["workshop"], "start_date": day("01/06/2026"), "partner": twin},
    )
    referral = services.partner_referral_create(
        actor=counsellor, client=spi_case, data={"partner": twin, "purpose": "Kennismaking"}
    )

    kept = services.partner_merge(actor=teamlead, keep=zonnehof, duplicate=twin)

    assert kept == zonnehof
    placement.refresh_from_db()
    course.refresh_from_db()
    referral.refresh_from_db()
    twin.refresh_from_db()
    assert placement.user_organisation == zonnehof
    assert course.partner == zonnehof
    assert referral.partner == zonnehof
    assert sorted(zonnehof.contacts.values_list("name", flat=True)) == [
        "Greet Van Hove",
        "Luc Janssens",
    ]
    assert twin.merged_into == zonnehof
    assert list(selectors.partners(user=counsellor).values_list("name", flat=True)) == [
        "WZC Zonnehof"
    ]


@clocked
def test_a_partner_is_updated_with_its_new_details(teamlead, zonnehof):
    services.partner_update(
        actor=teamlead, partner=zonnehof, data={"phone": " 02 555 10 10 ", "sector": "Zorg"}
    )

    zonnehof.refresh_from_db()
    assert (zonnehof.phone, zonnehof.sector) == ("02 555 10 10", "Zorg")


# --- enrolments ----------------------------------------------------------------------------------


def _audit_users(model_name: str, pk: int) -> list[tuple[str, object]]:
    events = apps.get_model("spi", f"{model_name}Event").objects.filter(pgh_obj_id=pk)
    return [(e.pgh_label, e.pgh_context.metadata.get("user")) for e in events.order_by("pgh_id")]


@clocked
def test_an_art60_placement_from_planned_to_running_to_completed(
    counsellor, spi_case, measures, zonnehof, spi_trajectory
):
    data = art60_data(measures, zonnehof, start_date=day("04/05/2026"), planned_end_date=None)
    placement = services.enrolment_create(actor=counsellor, client=spi_case, data=data)

    assert placement.status == EnrolmentStatus.PLANNED
    assert placement.trajectory == spi_trajectory
    assert placement.created_by == counsellor
    assert placement.max_end_date == day("03/05/2028")

    services.enrolment_start(actor=counsellor, enrolment=placement)
    services.enrolment_update(
        actor=counsellor,
        enrolment=placement,
        data={"planned_end_date": day("31/03/2027"), "next_step": "IBO"},
    )
    services.enrolment_complete(actor=counsellor, enrolment=placement)

    placement.refresh_from_db()
    assert placement.status == EnrolmentStatus.COMPLETED
    assert placement.actual_end_date == day("04/05/2026")
    assert (placement.planned_end_date, placement.next_step) == (day("31/03/2027"), "IBO")
    assert _audit_users("Enrolment", placement.pk) == [
        ("insert", counsellor.pk),
        ("update", counsellor.pk),
        ("update", counsellor.pk),
        ("update", counsellor.pk),
    ]


@clocked
def test_a_placement_stopped_early_keeps_its_reason_and_end(running_art60, counsellor):
    services.enrolment_stop(
        actor=counsellor,
        enrolment=running_art60,
        reason="Terugval; in overleg met de werkplek gestopt.",
        on=day("30/04/2026"),
    )

    running_art60.refresh_from_db()
    assert running_art60.status == EnrolmentStatus.STOPPED
    assert running_art60.actual_end_date == day("30/04/2026")
    assert running_art60.stop_reason == "Terugval; in overleg met de werkplek gestopt."


@clocked
def test_a_planned_enrolment_that_never_started_is_stopped_without_an_end(enrol, counsellor):
    course = enrol("vocational_training", day("01/09/2026"))

    services.enrolment_stop(actor=counsellor, enrolment=course, reason="Verhuisd")

    course.refresh_from_db()
    assert (course.status, course.actual_end_date) == (EnrolmentStatus.STOPPED, None)


@clocked
def test_other_measures_drop_the_art60_fields(enrol, zonnehof):
    course = enrol(
        "workshop",
        day("01/06/2026"),
        user_organisation=zonnehof,
        over_max_reason="x",
        job_title="deelnemer",
    )

    assert (course.is_art60, course.user_organisation, course.max_end_date) == (False, None, None)
    assert course.over_max_reason == ""
    assert course.job_title == "deelnemer"


@clocked
def test_a_work_floor_visit_is_recorded_by_the_chosen_colleague(
    running_art60, counsellor, colleague
):
    visit = services.followup_visit_record(
        actor=counsellor,
        enrolment=running_art60,
        data={
            "date": day("28/04/2026"),
            "staff": colleague,
            "situation": " Werkt zelfstandig. ",
            "agreements": "Volgende maand opnieuw.",
            "duration_minutes": 45,
        },
    )

    assert (visit.staff, visit.situation, visit.duration_minutes) == (
        colleague,
        "Werkt zelfstandig.",
        45,
    )
    assert FollowUpVisit.objects.filter(enrolment=running_art60).count() == 1


# --- referrals -----------------------------------------------------------------------------------


@clocked
def test_a_referral_with_its_handover_note_goes_from_sent_to_ended(
    counsellor, spi_case, zonnehof, spi_trajectory
):
    mentor = zonnehof.contacts.get()
    referral = services.partner_referral_create(
        actor=counsellor,
        client=spi_case,
        data={
            "partner": zonnehof,
            "contact_person": mentor,
            "purpose": "Kennismaking art. 60",
            "handover_note": "Faalangst bij nieuwe collega's; stap voor stap.",
            "sent_on": day("20/04/2026"),
        },
    )
    services.partner_referral_advance(
        actor=counsellor, referral=referral, status="started", on=day("27/04/2026")
    )
    services.partner_referral_advance(
        actor=counsellor, referral=referral, status="ended", result=" Gestart. "
    )

    referral.refresh_from_db()
    assert referral.trajectory == spi_trajectory
    assert referral.status == PartnerReferralStatus.ENDED
    # Started without a separate acceptance: accepted on the day it started.
    assert (referral.accepted_on, referral.started_on, referral.ended_on) == (
        day("27/04/2026"),
        day("27/04/2026"),
        day("04/05/2026"),
    )
    assert referral.result == "Gestart."
    assert referral.handover_note.startswith("Faalangst")


# --- group sessions ------------------------------------------------------------------------------


@clocked
def test_attendance_lands_once_in_each_participants_journal(
    counsellor, teamlead, spi_case, session_with, spi_trajectory
):
    second = ClientFactory(responsible_social_worker=counsellor)
    third = ClientFactory(responsible_social_worker=counsellor)
    session = session_with([spi_case, second, third], minutes=150)

    services.attendance_record(
        actor=counsellor,
        session=session,
        statuses={spi_case.pk: "present", second: "excused", third.pk: "present"},
    )
    # Corrected by the team lead: the third participant was not there after all.
    services.attendance_record(actor=teamlead, session=session, statuses={third.pk: "absent"})

    rows = {row.client_id: row for row in Attendance.objects.filter(session=session)}
    assert {pk: row.status for pk, row in rows.items()} == {
        spi_case.pk: AttendanceStatus.PRESENT,
        second.pk: AttendanceStatus.EXCUSED,
        third.pk: AttendanceStatus.ABSENT,
    }
    contacts = Contact.objects.filter(client__in=[spi_case, second, third])
    assert contacts.count() == 3
    assert {c.pk for c in contacts} == {row.contact_id for row in rows.values()}
    present = rows[spi_case.pk].contact
    assert (present.type, present.date, present.staff, present.duration_minutes) == (
        ContactType.GROUP,
        day("28/04/2026"),
        counsellor,
        150,
    )
    assert present.trajectory == spi_trajectory
    assert present.summary == "Group session “Jobtafel”: present. (Zaal 2)"
    assert (
        rows[third.pk].contact.summary
        == "Group session “Jobtafel”: absent without notice. (Zaal 2)"
    )
    # Staff time: only the present participant's minutes count.
    minutes = Contact.objects.filter(staff=counsellor).aggregate(total=Sum("duration_minutes"))
    assert minutes["total"] == 150 + 1 + 1


@clocked
def test_adding_participants_twice_adds_them_once(counsellor, spi_case, session_with):
    second = ClientFactory(responsible_social_worker=counsellor)
    session = session_with([spi_case])

    added = services.group_session_add_participants(
        actor=counsellor, session=session, clients=[spi_case, second, second.pk]
    )

    assert [row.client_id for row in added] == [second.pk]
    assert session.attendance.count() == 2


# --- outcomes and aftercare ----------------------------------------------------------------------


@clocked
def test_a_start_of_work_plans_the_checkpoints_and_opens_aftercare(counsellor, spi_trajectory):
    outcome = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={
            "type": OutcomeType.REGULAR_JOB,
            "start_date": day("31/01/2026"),
            "employer": " Logistiek Noord BV ",
            "contract_type": "open_ended",
            "hours_per_week": Decimal("38"),
        },
    )

    assert outcome.employer == "Logistiek Noord BV"
    assert list(outcome.checkpoints.values_list("months", "due_date")) == [
        (1, day("28/02/2026")),
        (3, day("30/04/2026")),
        (6, day("31/07/2026")),
        (12, day("31/01/2027")),
    ]
    # The trajectory's aftercare gate reads ``trajectory.outcomes``.
    moved = trajecten_services.trajectory_transition(
        actor=counsellor, trajectory=spi_trajectory, target=Phase.AFTERCARE, reason="Werk"
    )
    assert moved.phase == Phase.AFTERCARE


@clocked
def test_the_checkpoints_follow_the_ocmws_settings_and_only_work_has_them(
    counsellor, spi_trajectory, ocmw
):
    SpiSettings.objects.create(ocmw=ocmw, aftercare_months=[6, 2])
    job = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.TEMP_WORK, "start_date": day("02/03/2026")},
    )
    studies = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.STUDIES, "start_date": day("01/09/2026")},
    )

    assert list(job.checkpoints.values_list("months", flat=True)) == [2, 6]
    assert not studies.checkpoints.exists()


@clocked
def test_a_checkpoint_is_recorded_by_the_counsellor(counsellor, spi_trajectory):
    outcome = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.REGULAR_JOB, "start_date": day("02/03/2026")},
    )
    first = outcome.checkpoints.get(months=1)

    services.checkpoint_record(
        actor=counsellor,
        checkpoint=first,
        data={
            "done_on": day("03/04/2026"),
            "contact_made": True,
            "still_employed": True,
            "same_employer": True,
            "problems": "Vroege diensten",
            "support_given": "Kinderopvang geregeld",
        },
    )

    first.refresh_from_db()
    assert (first.done_on, first.done_by, first.still_employed) == (
        day("03/04/2026"),
        counsellor,
        True,
    )
    assert not selectors.aftercare_done(trajectory=spi_trajectory)
    due = selectors.due_checkpoints(user=counsellor, until=day("02/06/2026"))
    assert [c.months for c in due] == [3]


# --- selectors -----------------------------------------------------------------------------------


def _history(counsellor, measures, zonnehof, employer, client, trajectory, size: int) -> None:
    """``size`` completed courses, referrals and outcomes, and one running art. 60."""
    for index in range(size):
        course = services.enrolment_create(
            actor=counsellor,
            client=client,
            data={
                "measure": measures["workshop"],
                "start_date": day("05/01/2026") + datetime.timedelta(days=index),
                "partner": employer,
            },
        )
        services.enrolment_start(actor=counsellor, enrolment=course)
        services.followup_visit_record(
            actor=counsellor, enrolment=course, data={"date": day("04/05/2026"), "situation": "ok"}
        )
        services.partner_referral_create(
            actor=counsellor, client=client, data={"partner": employer, "purpose": f"Doel {index}"}
        )
        services.outcome_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"type": "temp_work", "start_date": day("02/03/2026")},
        )
    services.enrolment_create(
        actor=counsellor,
        client=client,
        data=art60_data(
            measures,
            zonnehof,
            start_date=day("01/03/2026"),
            planned_end_date=day("15/06/2026"),
            status="running",
        ),
    )


@clocked
@pytest.mark.parametrize("size", [1, 15])
def test_the_clients_activities_cost_seven_queries_whatever_the_history(
    size,
    django_assert_num_queries,
    counsellor,
    spi_case,
    measures,
    zonnehof,
    employer,
    spi_trajectory,
):
    _history(counsellor, measures, zonnehof, employer, spi_case, spi_trajectory, size)
    client = Client.objects.visible_to(counsellor).get(pk=spi_case.pk)

    # 1 enrolments (measure, partners joined), 2 their visits, 3 the referrals,
    # 4 the outcomes, 5 their checkpoints, 6 the SPI settings, 7 the trajectory.
    with django_assert_num_queries(7):
        data = selectors.client_activities(user=counsellor, client=client)
        names = [e.measure.name for e in data.enrolments] + [
            str(v.staff) for e in data.enrolments for v in e.visits.all()
        ]
        checkpoints = [c.months for o in data["outcomes"] for c in o.checkpoints.all()]

    assert len(data.enrolments) == size + 1
    assert len(names) == 2 * size + 1
    assert len(data.referrals) == size
    assert len(checkpoints) == 4 * size
    assert data.trajectory == spi_trajectory
    assert [text for _enrolment, text in data.warnings] == [
        "Fewer than 60 days left (the placement ends on 15/06/2026) and no next step planned."
    ]


@clocked
def test_a_client_the_user_does_not_follow_shows_no_activities(
    running_art60, socialworker, spi_case
):
    data = selectors.client_activities(user=socialworker, client=spi_case)

    assert (data.enrolments, data.referrals, data.outcomes, data.trajectory) == ([], [], [], None)


@clocked
def test_the_caseload_summaries_say_what_each_client_is_doing_in_one_query(
    django_assert_num_queries, running_art60, enrol, counsellor, measures, employer
):
    other = ClientFactory(responsible_social_worker=counsellor)
    services.enrolment_create(
        actor=counsellor,
        client=other,
        data={"measure": measures["ibo"], "start_date": day("01/06/2026"), "partner": employer},
    )
    idle = ClientFactory(responsible_social_worker=counsellor)
    enrol("language_nl", day("06/04/2026"), run=True)

    with django_assert_num_queries(1):
        summaries = selectors.activity_summaries(
            client_ids=[running_art60.client_id, other.pk, idle.pk], today=day("04/05/2026")
        )

    assert summaries == {
        running_art60.client_id: "Art. 60§7 / TWE at WZC Zonnehof until 31/12/2026; "
        "Nederlands / néerlandais (NT2)",
        other.pk: "IBO / FPI at Logistiek Noord BV from 01/06/2026",
    }


@clocked
@pytest.mark.parametrize("size", [1, 20])
def test_a_session_page_costs_two_queries_whatever_the_participants(
    size, django_assert_num_queries, counsellor, other_team, spi_case, session_with
):
    clients = [spi_case] + [
        ClientFactory(responsible_social_worker=counsellor) for _ in range(size - 1)
    ]
    # A client of the youth cell, added by its counsellor: not readable for ``counsellor``.
    hidden = ClientFactory(responsible_social_worker=other_team, last_name="Verborgen")
    session = session_with(clients)
    services.group_session_add_participants(actor=other_team, session=session, clients=[hidden])

    # 1 the session with facilitator, measure and counts, 2 the participants
    # with their clients and whether the user reads each file.
    with django_assert_num_queries(2):
        page = selectors.group_session_detail(user=counsellor, pk=session.pk)
        rows = [(row.client.last_name, row.client_readable) for row in page.attendance.all()]

    assert page.participant_count == size + 1
    assert [name for name, readable in rows if not readable] == ["Verborgen"]
    assert len(rows) == size + 1


@clocked
def test_a_session_of_another_ocmw_does_not_exist_for_the_user(outsider, spi_case, session_with):
    session = session_with([spi_case])

    with pytest.raises(GroupSession.DoesNotExist):
        selectors.group_session_detail(user=outsider, pk=session.pk)
    assert list(selectors.group_sessions(user=outsider)) == []


@clocked
@pytest.mark.parametrize("size", [1, 20])
def test_a_partner_page_costs_four_queries_whatever_it_holds(
    size, django_assert_num_queries, counsellor, teamlead, zonnehof, measures, spi_trajectory
):
    for index in range(size):
        services.contact_person_create(actor=teamlead, partner=zonnehof, data={"name": f"P{index}"})
        client = ClientFactory(responsible_social_worker=counsellor)
        services.enrolment_create(
            actor=counsellor,
            client=client,
            data=art60_data(measures, zonnehof, status="running"),
        )
        services.partner_referral_create(
            actor=counsellor, client=client, data={"partner": zonnehof, "purpose": "Kennismaking"}
        )

    # 1 the partner with its running counts, 2 its contact people, 3 the
    # enrolments and placements there, 4 the referrals to it.
    with django_assert_num_queries(4):
        partner = selectors.partner_detail(user=counsellor, pk=zonnehof.pk)
        names = [c.name for c in partner.contacts.all()]
        placed = [e.client.last_name for e in partner.enrolments_visible]

    assert len(names) == size + 1
    assert len(placed) == len(partner.referrals_visible) == size
    assert partner.running_placements == size


@clocked
def test_a_partner_page_shows_only_the_clients_the_user_follows(
    counsellor, socialworker, zonnehof, measures, spi_trajectory, spi_case
):
    services.enrolment_create(
        actor=counsellor, client=spi_case, data=art60_data(measures, zonnehof, status="running")
    )

    page = selectors.partner_detail(user=socialworker, pk=zonnehof.pk)

    assert (page.enrolments_visible, page.running_placements) == ([], 1)


@clocked
def test_retention_counts_who_still_works_at_3_6_and_12_months(
    counsellor, other_team, youth_team, spi_team, outsider, foreign_case, other_ocmw_team, ocmw
):
    def start_of_work(owner, team, kind, start, answers, client=None):
        client = client or ClientFactory(responsible_social_worker=owner)
        trajectory = trajecten_services.trajectory_open(
            actor=owner, client=client, counsellor=owner, team=team, phase=Phase.JOB_PLACEMENT
        )
        outcome = services.outcome_record(
            actor=owner, trajectory=trajectory, data={"type": kind, "start_date": day(start)}
        )
        for months, (contact, employed) in answers.items():
            checkpoint = outcome.checkpoints.get(months=months)
            services.checkpoint_record(
                actor=owner,
                checkpoint=checkpoint,
                data={
                    "done_on": checkpoint.due_date,
                    "contact_made": contact,
                    "still_employed": employed,
                },
            )

    start_of_work(counsellor, spi_team, "regular_job", "06/01/2025",
                  {3: (True, True), 6: (True, True), 12: (True, False)})  # fmt: skip
    start_of_work(counsellor, spi_team, "temp_work", "03/03/2025",
                  {3: (True, False), 6: (False, None)})  # fmt: skip
    start_of_work(counsellor, spi_team, "training", "03/03/2025", {})
    start_of_work(counsellor, spi_team, "social_economy", "02/02/2026", {})
    start_of_work(other_team, youth_team, "regular_job", "02/06/2025", {3: (True, True)})
    start_of_work(outsider, other_ocmw_team, "regular_job", "06/01/2025", {3: (True, False)},
                  client=foreign_case)  # fmt: skip

    everyone = selectors.retention(ocmw=ocmw)
    spi_only = selectors.retention(ocmw=ocmw, teams=[spi_team])
    since_february = selectors.retention(ocmw=ocmw, start=day("01/02/2025"))

    assert everyone == {
        3: {"months": 3, "planned": 4, "due": 4, "known": 3, "still_employed": 2, "share": 2 / 3},
        6: {"months": 6, "planned": 4, "due": 3, "known": 1, "still_employed": 1, "share": 1.0},
        12: {"months": 12, "planned": 4, "due": 2, "known": 1, "still_employed": 0, "share": 0.0},
    }
    assert [spi_only[m]["known"] for m in (3, 6, 12)] == [2, 1, 1]
    assert spi_only[3]["share"] == 0.5
    assert [since_february[m]["planned"] for m in (3, 6, 12)] == [3, 3, 3]
    assert since_february[12]["share"] is None


# --- the admin -----------------------------------------------------------------------------------


@clocked
def test_the_administrator_keeps_the_catalogue_and_partners_of_their_own_ocmw(
    client, admin, measures, foreign_measures, zonnehof, foreign_partner
):
    client.force_login(admin)

    catalogue = client.get("/admin/spi/measure/")
    partners = client.get("/admin/spi/partner/")
    foreign = client.get(f"/admin/spi/partner/{foreign_partner.pk}/change/")

    assert catalogue.status_code == 200
    assert {m.ocmw_id for m in catalogue.context["cl"].result_list} == {admin.ocmw_id}
    assert catalogue.context["cl"].result_count == 14
    assert [p.name for p in partners.context["cl"].result_list] == ["WZC Zonnehof"]
    assert foreign.status_code == 302  # "does not exist" for another OCMW's partner


@clocked
def test_duplicates_are_merged_in_the_admin(client, admin, teamlead, zonnehof):
    twin = services.partner_create(actor=teamlead, data={"name": "Zonnehof", "kind": "internal"})
    client.force_login(admin)

    response = client.post(
        "/admin/spi/partner/",
        {"action": "merge_into_first", "_selected_action": [twin.pk, zonnehof.pk]},
    )

    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into == zonnehof  # the first by name is kept


@clocked
def test_a_partner_added_in_the_admin_belongs_to_the_administrators_ocmw(client, admin, zonnehof):
    client.force_login(admin)

    twice = client.post(
        "/admin/spi/partner/add/",
        {"name": "WZC Zonnehof", "kind": "internal", **_no_contacts()},
    )
    added = client.post(
        "/admin/spi/partner/add/",
        {"name": "VDAB Brussel", "kind": "employment_service", **_no_contacts()},
    )

    assert twice.status_code == 200  # the form again, with the error
    assert list(twice.context["adminform"].form.errors) == ["name"]
    assert added.status_code == 302
    assert Partner.objects.get(name="VDAB Brussel").ocmw_id == admin.ocmw_id


def _no_contacts() -> dict:
    return {
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }


def test_counsellors_do_not_use_the_admin(client, counsellor):
    client.force_login(counsellor)

    assert client.get("/admin/spi/partner/").status_code == 302


# --- the demo data (last: the module-scoped demo stays loaded until the module ends) -------------

DEMO_MODELS = (
    Measure,
    Partner,
    ContactPerson,
    Enrolment,
    FollowUpVisit,
    PartnerReferral,
    GroupSession,
    Attendance,
    Outcome,
    Checkpoint,
    Contact,
    PhaseChange,
)


def _snapshot() -> dict:
    return {
        "counts": {model.__name__: model.objects.count() for model in DEMO_MODELS},
        "enrolments": sorted(Enrolment.objects.values_list("pk", "status", "updated_at")),
        "checkpoints": sorted(Checkpoint.objects.values_list("pk", "done_on")),
        "phases": sorted(Trajectory.objects.values_list("pk", "phase", "phase_since")),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The state right after one run of ``seed_demo`` (rolled back at the end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield _snapshot()
        transaction.set_rollback(True)


def test_seeding_the_demo_twice_changes_nothing(demo):
    call_command("seed_demo", stdout=io.StringIO())

    assert _snapshot() == demo


def test_the_demo_shows_placements_sessions_and_aftercare(demo):
    today = timezone.localdate()
    main = Ocmw.objects.get(name__startswith="OCMW Brussel-Demo")
    for ocmw in Ocmw.objects.all():
        assert Measure.objects.filter(ocmw=ocmw).count() == 14
    assert Partner.objects.filter(ocmw=main, name="WZC Zonnehof").exists()
    assert ContactPerson.objects.filter(partner__name="WZC Zonnehof").exists()

    # An art. 60 placement ending within the warning period without a next step.
    settings = SpiSettings.for_ocmw(main.pk)
    running = Enrolment.objects.filter(is_art60=True, status="running")
    assert any(selectors.art60_warning(e, today, settings) for e in running)
    assert FollowUpVisit.objects.filter(enrolment__is_art60=True).exists()
    assert Enrolment.objects.filter(status="stopped").exclude(stop_reason="").exists()
    assert PartnerReferral.objects.exclude(handover_note="").filter(status="sent").exists()

    # The job table: a past session with attendance in the journals, and the next one.
    sessions = GroupSession.objects.filter(ocmw=main, measure__code="job_table")
    past = sessions.filter(date__lt=today).get()
    assert past.attendance.filter(status="present", contact__isnull=False).exists()
    assert sessions.filter(date__gt=today, attendance__isnull=False).exists()

    # Clients in aftercare with a start of work and checkpoints done and due.
    aftercare = Trajectory.objects.filter(phase=Phase.AFTERCARE)
    assert aftercare.count() >= 2
    for trajectory in aftercare:
        assert trajectory.outcomes.filter(type__in=["regular_job", "temp_work", "social_economy"])
    checkpoints = Checkpoint.objects.filter(outcome__trajectory__in=aftercare)
    assert checkpoints.filter(done_on__isnull=False).exists()
    assert checkpoints.filter(done_on__isnull=True, due_date__lte=today).exists()
    # Closed because of work: the outcome is on file too.
    assert Outcome.objects.filter(
        trajectory__phase=Phase.CLOSED, trajectory__closing_reason="sustainable_work"
    ).exists()


def test_the_demo_has_every_trajectory_phase_with_a_consistent_trail(demo):
    phases = set(Trajectory.objects.values_list("phase", flat=True))
    assert Phase.AFTERCARE in phases and Phase.JOB_PLACEMENT in phases
    for trajectory in Trajectory.objects.filter(phase=Phase.AFTERCARE):
        last = trajectory.changes.order_by("-at", "-pk").first()
        assert (last.to_phase, last.at) == (Phase.AFTERCARE, trajectory.phase_since)
        assert last.at <= timezone.now()
    # Nothing in the SPI demo is dated in the future that took place.
    assert not FollowUpVisit.objects.filter(date__gt=timezone.localdate()).exists()
    assert not Checkpoint.objects.filter(done_on__gt=timezone.localdate()).exists()
