"""The rules of the SPI app: bad input gives a clear error and changes nothing.

- an end before the start;
- an art. 60 placement beyond its maximum (start + the measure's maximum
  duration) without a reason for the exception;
- a second running (or overlapping planned) art. 60 placement for one client;
- attendance for a client who is not a participant of the session;
- a checkpoint for a trajectory without a start of work;
- a partner (or measure) of another OCMW;
- stopping early without a reason;
- and who may write at all.

The clock stands still on Monday 4 May 2026 (``clock``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from spi import selectors, services
from spi.models import (
    Attendance,
    AttendanceStatus,
    Checkpoint,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    Outcome,
    OutcomeType,
    PartnerReferral,
    PartnerReferralStatus,
    SpiSettings,
)
from tests.factories import ClientFactory
from tests.spi.conftest import TODAY, art60_data, day
from trajecten.models import Contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "english")]


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    """Run ``call``, expect a ValidationError, return its messages by field."""
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def without(data: dict, *names: str) -> dict:
    return {k: v for k, v in data.items() if k not in names}


# --- an end before the start ---------------------------------------------------------------------


def test_an_enrolment_that_ends_before_it_starts_is_refused(
    counsellor, spi_case, measures, spi_trajectory
):
    errors = refused(
        services.enrolment_create,
        actor=counsellor,
        client=spi_case,
        data={
            "measure": measures["language_nl"],
            "start_date": day("01/06/2026"),
            "planned_end_date": day("31/05/2026"),
        },
    )

    assert errors == {"planned_end_date": ["The end cannot come before the start."]}
    assert not Enrolment.objects.exists()


def test_moving_the_start_after_the_planned_end_is_refused_and_changes_nothing(enrol, counsellor):
    course = enrol("language_nl", day("01/06/2026"), planned_end_date=day("30/09/2026"))

    errors = refused(
        services.enrolment_update,
        actor=counsellor,
        enrolment=course,
        data={"start_date": day("01/10/2026")},
    )

    assert errors == {"planned_end_date": ["The end cannot come before the start."]}
    course.refresh_from_db()
    assert course.start_date == day("01/06/2026")


def test_completing_before_the_start_is_refused(enrol, counsellor):
    course = enrol("language_nl", day("01/04/2026"), run=True)

    errors = refused(
        services.enrolment_complete, actor=counsellor, enrolment=course, on=day("31/03/2026")
    )

    assert errors == {"actual_end_date": ["The end cannot come before the start."]}
    course.refresh_from_db()
    assert (course.status, course.actual_end_date) == (EnrolmentStatus.RUNNING, None)


def test_the_database_also_refuses_an_end_before_the_start(running_art60):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=running_art60.pk).update(actual_end_date=day("01/01/2026"))


# --- the art. 60 maximum -------------------------------------------------------------------------


def test_the_maximum_end_of_an_art60_placement_is_the_start_plus_24_months(running_art60):
    assert running_art60.is_art60
    assert running_art60.max_end_date == day("29/02/2028")


def test_an_art60_placement_beyond_its_maximum_needs_a_reason(
    counsellor, spi_case, measures, zonnehof, spi_trajectory
):
    data = art60_data(measures, zonnehof, planned_end_date=day("15/03/2028"))

    errors = refused(services.enrolment_create, actor=counsellor, client=spi_case, data=data)

    assert errors == {
        "over_max_reason": [
            "The planned end lies after the maximum end date (29/02/2028). Shorten the "
            "placement or give the reason for the exception."
        ]
    }
    assert not Enrolment.objects.exists()

    data["over_max_reason"] = "Nog 14 dagen nodig om het recht op werkloosheid te openen."
    placement = services.enrolment_create(actor=counsellor, client=spi_case, data=data)

    assert placement.planned_end_date == day("15/03/2028")
    assert placement.max_end_date == day("29/02/2028")


def test_moving_the_planned_end_beyond_the_maximum_later_is_refused_too(running_art60, counsellor):
    errors = refused(
        services.enrolment_update,
        actor=counsellor,
        enrolment=running_art60,
        data={"planned_end_date": day("01/03/2028")},
    )

    assert list(errors) == ["over_max_reason"]
    running_art60.refresh_from_db()
    assert running_art60.planned_end_date == day("31/12/2026")


def test_a_shorter_maximum_may_be_given_but_not_a_longer_one(
    counsellor, spi_case, measures, zonnehof, spi_trajectory
):
    longer = art60_data(measures, zonnehof, max_end_date=day("31/03/2028"))
    errors = refused(services.enrolment_create, actor=counsellor, client=spi_case, data=longer)
    assert errors == {
        "max_end_date": [
            "The maximum end date cannot lie after 29/02/2028 (the start plus 24 months)."
        ]
    }

    shorter = art60_data(measures, zonnehof, max_end_date=day("30/11/2026"))
    errors = refused(services.enrolment_create, actor=counsellor, client=spi_case, data=shorter)
    assert list(errors) == ["over_max_reason"]  # the planned end (31/12) lies beyond it

    shorter["planned_end_date"] = day("30/11/2026")
    placement = services.enrolment_create(actor=counsellor, client=spi_case, data=shorter)
    assert placement.max_end_date == day("30/11/2026")


def test_the_maximum_follows_the_actual_start(enrol, counsellor, measures, zonnehof):
    data = without(art60_data(measures, zonnehof, planned_end_date=None), "measure", "start_date")
    placement = enrol("art60", day("01/05/2026"), **data)
    assert placement.max_end_date == day("30/04/2028")

    started = services.enrolment_start(actor=counsellor, enrolment=placement, on=day("04/05/2026"))

    assert started.start_date == day("04/05/2026")
    assert started.max_end_date == day("03/05/2028")


# --- one art. 60 placement at a time -------------------------------------------------------------

SECOND_ART60 = "This client already has an art. 60§7 placement"


def test_a_second_running_art60_placement_is_refused(
    running_art60, counsellor, spi_case, measures, employer
):
    data = art60_data(
        measures, employer, start_date=day("01/05/2026"), planned_end_date=day("30/04/2027")
    )
    data["status"] = EnrolmentStatus.RUNNING

    errors = refused(services.enrolment_create, actor=counsellor, client=spi_case, data=data)

    assert errors["__all__"][0].startswith(SECOND_ART60)
    assert Enrolment.objects.count() == 1


def test_a_planned_art60_placement_that_overlaps_the_running_one_is_refused(
    running_art60, counsellor, spi_case, measures, employer
):
    overlapping = art60_data(measures, employer, start_date=day("01/12/2026"))
    errors = refused(services.enrolment_create, actor=counsellor, client=spi_case, data=overlapping)
    assert errors["__all__"][0].startswith(SECOND_ART60)

    # The next contract, after the current one, may be planned ...
    following = art60_data(
        measures, employer, start_date=day("04/01/2027"), planned_end_date=day("30/06/2027")
    )
    planned = services.enrolment_create(actor=counsellor, client=spi_case, data=following)
    assert planned.status == EnrolmentStatus.PLANNED

    # ... but it cannot start while the current one still runs.
    errors = refused(services.enrolment_start, actor=counsellor, enrolment=planned)
    assert errors["__all__"][0].startswith(SECOND_ART60)
    planned.refresh_from_db()
    assert planned.status == EnrolmentStatus.PLANNED

    services.enrolment_complete(actor=counsellor, enrolment=running_art60)
    assert services.enrolment_start(actor=counsellor, enrolment=planned).status == "running"


def test_another_measure_may_run_next_to_an_art60_placement(running_art60, enrol):
    course = enrol("language_nl", day("06/04/2026"), run=True)

    assert course.status == EnrolmentStatus.RUNNING
    assert Enrolment.objects.filter(status=EnrolmentStatus.RUNNING).count() == 2


def test_the_database_keeps_one_running_art60_placement_per_client(
    running_art60, counsellor, spi_case, measures
):
    # Even a write that bypasses the services cannot make a second one run.
    twin = Enrolment(
        client=spi_case,
        measure=measures["art60"],
        is_art60=True,
        status=EnrolmentStatus.RUNNING,
        start_date=day("01/04/2026"),
        created_by=counsellor,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


# --- stopping early ------------------------------------------------------------------------------


def test_stopping_early_needs_a_reason(running_art60, counsellor):
    errors = refused(
        services.enrolment_stop, actor=counsellor, enrolment=running_art60, reason="   "
    )

    assert errors == {"stop_reason": ["Give the reason for stopping early."]}
    running_art60.refresh_from_db()
    assert (running_art60.status, running_art60.actual_end_date) == (EnrolmentStatus.RUNNING, None)


def test_an_ended_enrolment_cannot_be_stopped_or_started_again(running_art60, counsellor):
    services.enrolment_stop(
        actor=counsellor, enrolment=running_art60, reason="Terugval", on=day("30/04/2026")
    )

    stop = refused(services.enrolment_stop, actor=counsellor, enrolment=running_art60, reason="x")
    start = refused(services.enrolment_start, actor=counsellor, enrolment=running_art60)

    assert stop == {"__all__": ["This enrolment already ended (stopped early)."]}
    assert start == {"__all__": ["Only a planned enrolment can start; this one is stopped early."]}


def test_a_start_in_the_future_is_refused(enrol, counsellor):
    course = enrol("language_nl", day("01/06/2026"))

    errors = refused(
        services.enrolment_start, actor=counsellor, enrolment=course, on=day("05/05/2026")
    )

    assert errors == {"start_date": ["This date cannot lie in the future."]}
    course.refresh_from_db()
    assert course.status == EnrolmentStatus.PLANNED


# --- partners and measures of another OCMW -------------------------------------------------------


def test_a_partner_of_another_ocmw_is_refused_for_an_enrolment(
    counsellor, spi_case, measures, foreign_partner, spi_trajectory
):
    as_partner = {
        "measure": measures["language_nl"],
        "start_date": day("01/06/2026"),
        "partner": foreign_partner,
    }
    as_workplace = art60_data(measures, foreign_partner)

    assert refused(
        services.enrolment_create, actor=counsellor, client=spi_case, data=as_partner
    ) == {"partner": ["Choose a partner of this OCMW."]}
    assert refused(
        services.enrolment_create, actor=counsellor, client=spi_case, data=as_workplace
    ) == {"user_organisation": ["Choose a partner of this OCMW."]}
    assert not Enrolment.objects.exists()


def test_a_partner_of_another_ocmw_is_refused_for_a_referral_and_an_update(
    running_art60, counsellor, spi_case, foreign_partner
):
    errors = refused(
        services.partner_referral_create,
        actor=counsellor,
        client=spi_case,
        data={"partner": foreign_partner, "purpose": "Inschrijving"},
    )
    assert errors == {"partner": ["Choose a partner of this OCMW."]}
    assert not PartnerReferral.objects.exists()

    errors = refused(
        services.enrolment_update,
        actor=counsellor,
        enrolment=running_art60,
        data={"user_organisation": foreign_partner},
    )
    assert errors == {"user_organisation": ["Choose a partner of this OCMW."]}
    running_art60.refresh_from_db()
    assert running_art60.user_organisation.name == "WZC Zonnehof"


def test_a_measure_of_another_ocmw_is_refused(
    counsellor, spi_case, foreign_measures, spi_trajectory
):
    errors = refused(
        services.enrolment_create,
        actor=counsellor,
        client=spi_case,
        data={"measure": foreign_measures["workshop"], "start_date": day("01/06/2026")},
    )

    assert errors == {"measure": ["Choose a measure of this OCMW's catalogue."]}


def test_a_merged_partner_can_no_longer_be_chosen(
    counsellor, teamlead, spi_case, measures, zonnehof, spi_trajectory
):
    twin = services.partner_create(actor=teamlead, data={"name": "Zonnehof", "kind": "internal"})
    services.partner_merge(actor=teamlead, keep=zonnehof, duplicate=twin)
    twin.refresh_from_db()

    errors = refused(
        services.enrolment_create,
        actor=counsellor,
        client=spi_case,
        data={"measure": measures["workshop"], "start_date": day("01/06/2026"), "partner": twin},
    )

    assert errors == {"partner": ["This partner was merged into WZC Zonnehof; choose that one."]}


def test_a_session_facilitator_of_another_ocmw_is_refused(counsellor, outsider):
    errors = refused(
        services.group_session_create,
        actor=counsellor,
        data={
            "title": "Jobtafel",
            "date": day("28/04/2026"),
            "duration_minutes": 120,
            "facilitator": outsider,
        },
        participants=[],
    )

    assert errors == {"facilitator": ["Choose a staff member of this OCMW."]}


# --- attendance ----------------------------------------------------------------------------------


def test_attendance_for_a_client_not_in_the_session_is_refused_and_changes_nothing(
    counsellor, spi_case, session_with
):
    outsider_client = ClientFactory(responsible_social_worker=counsellor)
    session = session_with([spi_case])

    errors = refused(
        services.attendance_record,
        actor=counsellor,
        session=session,
        statuses={spi_case.pk: "present", outsider_client.pk: "present"},
    )

    assert errors == {
        "statuses": ["Attendance can only be recorded for the participants of this session."]
    }
    assert Attendance.objects.get(session=session).status == AttendanceStatus.EXPECTED
    assert not Contact.objects.exists()


def test_attendance_needs_a_known_status_and_a_session_that_took_place(
    counsellor, spi_case, session_with
):
    past = session_with([spi_case])
    coming = session_with([spi_case], on=day("11/05/2026"))

    wrong = refused(
        services.attendance_record, actor=counsellor, session=past, statuses={spi_case.pk: "late"}
    )
    early = refused(
        services.attendance_record,
        actor=counsellor,
        session=coming,
        statuses={spi_case.pk: "present"},
    )

    assert wrong == {"statuses": ["Choose present, excused or absent."]}
    assert early == {"statuses": ["Attendance can be recorded from the day of the session on."]}
    assert not Contact.objects.exists()


def test_only_clients_the_organiser_follows_can_take_part(counsellor, case, session_with):
    # ``case`` belongs to the general social service: the counsellor does not see it.
    errors = refused(session_with, [case])

    assert errors == {"participants": ["Choose participants among the clients you follow."]}


# --- checkpoints ---------------------------------------------------------------------------------


def test_a_checkpoint_before_the_work_started_is_refused(counsellor, spi_trajectory):
    outcome = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.REGULAR_JOB, "start_date": day("01/06/2026")},
    )
    first = outcome.checkpoints.get(months=1)

    errors = refused(
        services.checkpoint_record,
        actor=counsellor,
        checkpoint=first,
        data={"contact_made": True, "still_employed": True},
    )

    assert errors == {
        "__all__": [
            "Aftercare checkpoints follow a start of work, and this trajectory has no start "
            "of work on or before 04/05/2026."
        ]
    }
    first.refresh_from_db()
    assert first.done_on is None


def test_a_checkpoint_of_a_destination_other_than_work_is_refused(counsellor, spi_trajectory):
    training = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.TRAINING, "start_date": day("01/04/2026")},
    )
    assert not training.checkpoints.exists()
    # A checkpoint that came with old data, not through the services.
    stray = Checkpoint.objects.create(outcome=training, months=1, due_date=day("01/05/2026"))

    errors = refused(
        services.checkpoint_record, actor=counsellor, checkpoint=stray, data={"contact_made": True}
    )

    assert "no start of work" in errors["__all__"][0]
    stray.refresh_from_db()
    assert stray.done_on is None


def test_a_checkpoint_needs_an_answer_about_contact_and_a_date_that_passed(
    counsellor, spi_trajectory
):
    outcome = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.REGULAR_JOB, "start_date": day("02/03/2026")},
    )
    first = outcome.checkpoints.get(months=1)

    no_answer = refused(services.checkpoint_record, actor=counsellor, checkpoint=first, data={})
    future = refused(
        services.checkpoint_record,
        actor=counsellor,
        checkpoint=first,
        data={"contact_made": True, "done_on": day("05/05/2026")},
    )
    contradiction = refused(
        services.checkpoint_record,
        actor=counsellor,
        checkpoint=first,
        data={"contact_made": True, "still_employed": False, "same_employer": True},
    )

    assert no_answer == {"contact_made": ["Say whether there was contact."]}
    assert future == {"done_on": ["A checkpoint that took place cannot lie in the future."]}
    assert contradiction == {
        "same_employer": ["Someone who no longer works has no current employer."]
    }
    first.refresh_from_db()
    assert first.done_on is None


def test_a_start_of_work_more_than_a_year_ahead_is_refused(counsellor, spi_trajectory):
    errors = refused(
        services.outcome_record,
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.REGULAR_JOB, "start_date": TODAY + datetime.timedelta(days=400)},
    )

    assert errors == {"start_date": ["The start date is too far in the future."]}
    assert not Outcome.objects.exists()


# --- work-floor visits and referrals -------------------------------------------------------------


def test_a_visit_outside_the_placement_is_refused(running_art60, enrol, counsellor):
    before = refused(
        services.followup_visit_record,
        actor=counsellor,
        enrolment=running_art60,
        data={"date": day("27/02/2026"), "situation": "Kennismaking"},
    )
    future = refused(
        services.followup_visit_record,
        actor=counsellor,
        enrolment=running_art60,
        data={"date": day("05/05/2026"), "situation": "Bezoek"},
    )
    planned = enrol("workshop", day("01/06/2026"))
    not_started = refused(
        services.followup_visit_record,
        actor=counsellor,
        enrolment=planned,
        data={"date": day("04/05/2026"), "situation": "Bezoek"},
    )

    assert before == {"date": ["A work-floor visit cannot come before the start of the placement."]}
    assert future == {"date": ["A visit that took place cannot be dated in the future."]}
    assert not_started == {"date": ["The placement has not started yet."]}
    assert not FollowUpVisit.objects.exists()


def test_a_referral_moves_forward_only_and_ends_with_a_result(
    counsellor, spi_case, zonnehof, spi_trajectory
):
    referral = services.partner_referral_create(
        actor=counsellor,
        client=spi_case,
        data={"partner": zonnehof, "purpose": "Kennismaking", "sent_on": day("20/04/2026")},
    )

    no_result = refused(
        services.partner_referral_advance,
        actor=counsellor,
        referral=referral,
        status=PartnerReferralStatus.REFUSED,
    )
    too_early = refused(
        services.partner_referral_advance,
        actor=counsellor,
        referral=referral,
        status=PartnerReferralStatus.ACCEPTED,
        on=day("19/04/2026"),
    )
    services.partner_referral_advance(
        actor=counsellor,
        referral=referral,
        status=PartnerReferralStatus.STARTED,
        on=day("27/04/2026"),
    )
    backwards = refused(
        services.partner_referral_advance,
        actor=counsellor,
        referral=referral,
        status=PartnerReferralStatus.ACCEPTED,
    )

    assert no_result == {"result": ["Describe the result."]}
    assert too_early == {"on": ["This date cannot come before the previous step."]}
    assert backwards == {"status": ["A referral that is started cannot become accepted."]}
    referral.refresh_from_db()
    assert referral.status == PartnerReferralStatus.STARTED


def test_a_contact_person_of_another_partner_is_refused(
    counsellor, spi_case, zonnehof, employer, spi_trajectory
):
    errors = refused(
        services.partner_referral_create,
        actor=counsellor,
        client=spi_case,
        data={
            "partner": employer,
            "contact_person": zonnehof.contacts.get(),
            "purpose": "Sollicitatie",
        },
    )

    assert errors == {"contact_person": ["Choose a contact person of this partner."]}


# --- who may write -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["colleague", "intake", "socialworker", "other_team", "admin", "outsider"]
)
def test_only_who_may_edit_the_file_enrols_the_client(
    name, persona, spi_case, measures, spi_trajectory
):
    with pytest.raises(PermissionDenied):
        services.enrolment_create(
            actor=persona(name),
            client=spi_case,
            data={"measure": measures["workshop"], "start_date": day("01/06/2026")},
        )
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("name", ["colleague", "socialworker", "outsider"])
def test_only_who_may_edit_the_file_records_its_outcome_and_checkpoints(
    name, persona, counsellor, spi_trajectory
):
    outcome = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": OutcomeType.REGULAR_JOB, "start_date": day("02/03/2026")},
    )
    with pytest.raises(PermissionDenied):
        services.outcome_record(
            actor=persona(name),
            trajectory=spi_trajectory,
            data={"type": OutcomeType.TEMP_WORK, "start_date": day("02/03/2026")},
        )
    with pytest.raises(PermissionDenied):
        services.checkpoint_record(
            actor=persona(name),
            checkpoint=outcome.checkpoints.get(months=1),
            data={"contact_made": True},
        )
    assert Outcome.objects.count() == 1


@pytest.mark.parametrize(
    "name, allowed",
    [
        ("counsellor", True),
        ("teamlead", True),
        ("admin", True),
        ("socialworker", False),
        ("intake", False),
    ],
)
def test_counsellors_team_leads_and_administrators_add_partners(name, allowed, persona):
    create = (services.partner_create, dict(data={"name": "Actiris", "kind": "employment_service"}))
    if allowed:
        partner = create[0](actor=persona(name), **create[1])
        assert partner.ocmw_id == persona(name).ocmw_id
    else:
        with pytest.raises(PermissionDenied):
            create[0](actor=persona(name), **create[1])


def test_a_partner_name_is_not_added_twice(zonnehof, counsellor):
    errors = refused(
        services.partner_create, actor=counsellor, data={"name": "wzc zonnehof", "kind": "internal"}
    )

    assert errors == {"name": ["A partner with this name already exists in this OCMW."]}


def test_merging_is_for_team_leads_and_within_one_ocmw(
    zonnehof, counsellor, teamlead, foreign_partner, outsider
):
    twin = services.partner_create(actor=teamlead, data={"name": "Zonnehof", "kind": "internal"})

    with pytest.raises(PermissionDenied):
        services.partner_merge(actor=counsellor, keep=zonnehof, duplicate=twin)
    assert refused(
        services.partner_merge, actor=teamlead, keep=zonnehof, duplicate=foreign_partner
    ) == {"__all__": ["Only partners of the same OCMW can be merged."]}
    assert refused(services.partner_merge, actor=teamlead, keep=zonnehof, duplicate=zonnehof) == {
        "__all__": ["A partner cannot be merged into itself."]
    }
    twin.refresh_from_db()
    assert twin.merged_into is None


@pytest.mark.parametrize("name", ["socialworker", "intake", "admin", "outsider"])
def test_group_sessions_are_run_by_counsellors_and_team_leads(
    name, persona, session_with, spi_case
):
    session = session_with([spi_case])

    with pytest.raises(PermissionDenied):
        services.attendance_record(
            actor=persona(name), session=session, statuses={spi_case.pk: "present"}
        )
    if name != "outsider":
        with pytest.raises(PermissionDenied):
            services.group_session_create(
                actor=persona(name),
                data={"title": "Infosessie", "date": day("28/04/2026"), "duration_minutes": 60},
            )
    assert not Contact.objects.exists()


def test_attendance_is_recorded_only_for_participants_the_actor_follows(
    other_team, spi_case, session_with
):
    # ``other_team`` (youth cell) runs sessions but does not read ``spi_case``.
    session = session_with([spi_case])

    with pytest.raises(PermissionDenied):
        services.attendance_record(
            actor=other_team, session=session, statuses={spi_case.pk: "present"}
        )
    assert not Contact.objects.exists()


# --- the art. 60 warning -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "end, next_step, warning_days, expected",
    [
        ("02/07/2026", "", 60, "Fewer than 60 days left (the placement ends on 02/07/2026) "
                               "and no next step planned."),
        ("03/07/2026", "", 60, None),  # exactly 60 days left
        ("02/07/2026", "IBO bij Logistiek Noord", 60, None),
        ("01/08/2026", "", 90, "Fewer than 90 days left (the placement ends on 01/08/2026) "
                               "and no next step planned."),
        ("30/04/2026", "", 60, "The planned end (30/04/2026) has passed and no next step is "
                               "planned."),
    ],
)  # fmt: skip
def test_the_art60_warning(running_art60, end, next_step, warning_days, expected, ocmw):
    running_art60.planned_end_date = day(end)
    running_art60.next_step = next_step
    settings = SpiSettings(ocmw=ocmw, art60_warning_days=warning_days)

    assert selectors.art60_warning(running_art60, TODAY, settings) == expected


def test_no_art60_warning_for_other_measures_or_ended_placements(running_art60, enrol, counsellor):
    course = enrol("language_nl", day("01/03/2026"), run=True, planned_end_date=day("15/05/2026"))
    services.enrolment_complete(actor=counsellor, enrolment=running_art60)
    running_art60.refresh_from_db()

    assert selectors.art60_warning(course, TODAY, None) is None
    assert selectors.art60_warning(running_art60, TODAY, None) is None
