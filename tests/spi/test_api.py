"""The SPI API: the access matrix of the personas on every endpoint, and what
the API answers to bad input.

The file under test is ``spi_case`` (tests/spi/conftest.py): ``counsellor`` and
``teamlead`` read and change its activities; ``colleague`` reads them (403 on
changes); ``intake`` (identity only), ``socialworker``, ``sw_colleague``,
``other_team``, ``admin`` and ``outsider`` (another OCMW) get 404, exactly as
for a record that does not exist; anonymous callers get 401/403.

Partners and measures are read by every staff member of the OCMW; group
sessions by those who follow clients (intake and admin: 403). Another OCMW's
partner or session is a 404.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ocmw.models import AccessLog
from spi import services
from spi.models import (
    Attendance,
    Checkpoint,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    GroupSession,
    Outcome,
    Partner,
    PartnerReferral,
)
from tests.conftest import PERSONAS
from tests.factories import ClientFactory
from tests.spi.conftest import art60_data, day
from trajecten.models import Contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "english")]

API = "/api/v1"
ANON = {401, 403}
READERS = {"counsellor", "colleague", "teamlead"}
EDITORS = {"counsellor", "teamlead"}
MAIN_OCMW_STAFF = set(PERSONAS) - {"outsider", "anonymous"}
# Who follows clients: may see group sessions.
CASE_STAFF = {"socialworker", "sw_colleague", "counsellor", "colleague", "other_team", "teamlead"}
SESSION_RUNNERS = {"counsellor", "colleague", "other_team", "teamlead"}
PARTNER_EDITORS = {"counsellor", "colleague", "other_team", "teamlead", "admin"}


def case_expected(name: str, allowed: set[str], ok: int) -> int | set[int]:
    """The answer on ``spi_case``'s records: ``ok``, 403 for a reader, else 404."""
    if name == "anonymous":
        return ANON
    if name in allowed:
        return ok
    return 403 if name in READERS else 404


def check(response, want) -> None:
    codes = want if isinstance(want, set) else {want}
    assert response.status_code in codes, (response.status_code, response.content[:400])


def post(client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}, default=str), content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, json.dumps(data, default=str), content_type="application/json")


def ids(response) -> list[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return [row["id"] for row in rows]


@pytest.fixture
def world(counsellor, spi_case, measures, zonnehof, employer, spi_trajectory, session_with):
    """``spi_case`` in a running art. 60 placement with a visit, a planned workshop,
    a referral, a start of work with its checkpoints and a job table."""
    placement = services.enrolment_create(
        actor=counsellor,
        client=spi_case,
        data={**art60_data(measures, zonnehof), "status": EnrolmentStatus.RUNNING},
    )
    visit = services.followup_visit_record(
        actor=counsellor,
        enrolment=placement,
        data={"date": day("20/04/2026"), "situation": "Goed bezig"},
    )
    workshop = services.enrolment_create(
        actor=counsellor,
        client=spi_case,
        data={"measure": measures["workshop"], "start_date": day("04/05/2026")},
    )
    referral = services.partner_referral_create(
        actor=counsellor,
        client=spi_case,
        data={"partner": employer, "purpose": "Sollicitatie", "handover_note": "Warm"},
    )
    outcome = services.outcome_record(
        actor=counsellor,
        trajectory=spi_trajectory,
        data={"type": "regular_job", "start_date": day("02/03/2026"), "employer": "Noord"},
    )
    session = session_with([spi_case])
    return SimpleNamespace(
        placement=placement,
        visit=visit,
        workshop=workshop,
        referral=referral,
        outcome=outcome,
        checkpoint=outcome.checkpoints.get(months=1),
        session=session,
        zonnehof=zonnehof,
        employer=employer,
        measures=measures,
        trajectory=spi_trajectory,
        client=spi_case,
    )


@pytest.fixture
def as_persona(persona, login):
    def _as(name: str):
        return login(persona(name))

    return _as


# --- measures and partners -----------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_measures_are_listed_for_the_staff_of_their_ocmw(name, as_persona, world):
    response = as_persona(name).get(f"{API}/measures/")

    check(response, ANON if name == "anonymous" else 200)
    if name != "anonymous":
        ours = {m.pk for m in world.measures.values()}
        assert bool(ours & set(ids(response))) == (name in MAIN_OCMW_STAFF)


@pytest.mark.parametrize("name", PERSONAS)
def test_partners_are_read_by_the_staff_of_their_ocmw(name, as_persona, world):
    browser = as_persona(name)

    listing = browser.get(f"{API}/partners/")
    detail = browser.get(f"{API}/partners/{world.zonnehof.pk}/")

    if name == "anonymous":
        check(listing, ANON)
        check(detail, ANON)
        return
    check(listing, 200)
    ours = name in MAIN_OCMW_STAFF
    assert (world.zonnehof.pk in ids(listing)) == ours
    check(detail, 200 if ours else 404)
    if ours:
        assert [c["name"] for c in detail.json()["contacts"]] == ["Greet Van Hove"]


@pytest.mark.parametrize("name", PERSONAS)
def test_partners_are_added_by_counsellors_team_leads_and_administrators(name, as_persona, persona):
    response = post(
        as_persona(name), f"{API}/partners/", {"name": "Actiris", "kind": "employment_service"}
    )

    if name == "anonymous":
        check(response, ANON)
    elif name in PARTNER_EDITORS or name == "outsider":
        check(response, 201)
        partner = Partner.objects.get(pk=response.json()["id"])
        assert partner.ocmw_id == persona(name).ocmw_id  # always the caller's own OCMW
    else:
        check(response, 403)
        assert not Partner.objects.filter(name="Actiris").exists()


# --- enrolments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_enrolments_are_read_with_the_file(name, as_persona, world):
    browser = as_persona(name)

    listing = browser.get(f"{API}/enrolments/")
    detail = browser.get(f"{API}/enrolments/{world.placement.pk}/")

    check(detail, case_expected(name, READERS, 200))
    if name == "anonymous":
        check(listing, ANON)
        return
    check(listing, 200)
    expected = {world.placement.pk, world.workshop.pk} if name in READERS else set()
    assert set(ids(listing)) == expected
    if name in READERS:
        body = detail.json()
        assert body["user_organisation_name"] == "WZC Zonnehof"
        assert [v["id"] for v in body["visits"]] == [world.visit.pk]
        assert AccessLog.objects.filter(client=world.client, what="enrolment (API)").exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_enrolling_needs_edit_access_to_the_file(name, as_persona, world):
    response = post(
        as_persona(name),
        f"{API}/enrolments/",
        {
            "client": world.client.pk,
            "measure": world.measures["language_nl"].pk,
            "start_date": "2026-06-01",
        },
    )

    # For another OCMW the client (and measure) in the body do not exist: 404.
    check(response, case_expected(name, EDITORS, 201))
    assert Enrolment.objects.count() == (3 if name in EDITORS else 2)


@pytest.mark.parametrize("name", PERSONAS)
def test_changing_an_enrolment_needs_edit_access(name, as_persona, world):
    response = patch(
        as_persona(name),
        f"{API}/enrolments/{world.placement.pk}/",
        {"next_step": "IBO bij Logistiek Noord"},
    )

    check(response, case_expected(name, EDITORS, 200))
    world.placement.refresh_from_db()
    assert (world.placement.next_step == "IBO bij Logistiek Noord") == (name in EDITORS)


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("step", ["start", "complete", "stop"])
def test_starting_completing_and_stopping_need_edit_access(name, step, as_persona, world):
    target = world.workshop if step == "start" else world.placement
    body = {"reason": "Verhuisd"} if step == "stop" else {}

    response = post(as_persona(name), f"{API}/enrolments/{target.pk}/{step}/", body)

    check(response, case_expected(name, EDITORS, 200))
    target.refresh_from_db()
    expected = {"start": "running", "complete": "completed", "stop": "stopped"}[step]
    before = {"start": "planned", "complete": "running", "stop": "running"}[step]
    assert target.status == (expected if name in EDITORS else before)
    if name in EDITORS:
        assert response.json()["status"] == expected


@pytest.mark.parametrize("name", PERSONAS)
def test_a_work_floor_visit_needs_edit_access(name, as_persona, world):
    response = post(
        as_persona(name),
        f"{API}/enrolments/{world.placement.pk}/visits/",
        {"date": "2026-05-04", "situation": "Stipt en gemotiveerd", "duration_minutes": 30},
    )

    check(response, case_expected(name, EDITORS, 201))
    assert FollowUpVisit.objects.count() == (2 if name in EDITORS else 1)
    if name in EDITORS:
        assert response.json()["staff_name"]


# --- referrals to partners -----------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_referrals_to_partners_follow_the_file(name, as_persona, world):
    browser = as_persona(name)

    listing = browser.get(f"{API}/partner-referrals/")
    detail = browser.get(f"{API}/partner-referrals/{world.referral.pk}/")
    created = post(
        browser,
        f"{API}/partner-referrals/",
        {"client": world.client.pk, "partner": world.zonnehof.pk, "purpose": "Kennismaking"},
    )
    advanced = post(
        browser,
        f"{API}/partner-referrals/{world.referral.pk}/advance/",
        {"status": "accepted", "on": "2026-05-04"},
    )

    check(detail, case_expected(name, READERS, 200))
    check(created, case_expected(name, EDITORS, 201))
    check(advanced, case_expected(name, EDITORS, 200))
    if name != "anonymous":
        assert (world.referral.pk in ids(listing)) == (name in READERS)
    world.referral.refresh_from_db()
    assert (world.referral.status == "accepted") == (name in EDITORS)
    assert PartnerReferral.objects.count() == (2 if name in EDITORS else 1)


# --- group sessions ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_group_sessions_are_read_by_those_who_follow_clients(name, as_persona, world):
    browser = as_persona(name)

    listing = browser.get(f"{API}/group-sessions/")
    detail = browser.get(f"{API}/group-sessions/{world.session.pk}/")

    if name == "anonymous":
        check(listing, ANON)
        check(detail, ANON)
    elif name in CASE_STAFF:
        check(listing, 200)
        check(detail, 200)
        assert ids(listing) == [world.session.pk]
        row = detail.json()["attendance"][0]
        # The participant's name only for those who read the file.
        assert (row["client_name"] == "Rachid Tahiri") == (name in READERS)
    elif name == "outsider":
        check(listing, 200)
        assert ids(listing) == []
        check(detail, 404)
    else:  # intake and admin follow no clients
        check(listing, 403)
        check(detail, 403)


@pytest.mark.parametrize("name", PERSONAS)
def test_group_sessions_are_created_by_counsellors_and_team_leads(name, as_persona, world):
    response = post(
        as_persona(name),
        f"{API}/group-sessions/",
        {
            "title": "Infosessie art. 60",
            "date": "2026-05-12",
            "duration_minutes": 90,
            "measure": None,
            "participants": [],
        },
    )

    if name == "anonymous":
        check(response, ANON)
    elif name in SESSION_RUNNERS or name == "outsider":
        check(response, 201)
        assert response.json()["participant_count"] == 0
    else:
        check(response, 403)
    assert GroupSession.objects.filter(title="Infosessie art. 60").exists() == (
        name in SESSION_RUNNERS or name == "outsider"
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_attendance_is_recorded_by_who_runs_sessions_and_follows_the_participant(
    name, as_persona, world
):
    response = post(
        as_persona(name),
        f"{API}/group-sessions/{world.session.pk}/attendance/",
        {"statuses": {str(world.client.pk): "present"}},
    )

    if name == "anonymous":
        check(response, ANON)
    elif name in READERS:
        check(response, 200)
        assert response.json()["attendance"][0]["status"] == "present"
    elif name == "outsider":
        check(response, 404)
    else:
        # Social workers do not run sessions; ``other_team`` does not follow this
        # participant; intake and admin do not see sessions at all.
        check(response, 403)
    recorded = Attendance.objects.get(session=world.session).status == "present"
    assert recorded == (name in READERS)
    assert Contact.objects.filter(client=world.client).exists() == (name in READERS)


# --- outcomes and checkpoints --------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_outcomes_follow_the_trajectory(name, as_persona, world):
    browser = as_persona(name)

    listing = browser.get(f"{API}/outcomes/")
    created = post(
        browser,
        f"{API}/outcomes/",
        {
            "trajectory": world.trajectory.pk,
            "type": "temp_work",
            "start_date": "2026-04-01",
            "contract_type": "fixed_term",
        },
    )

    check(created, case_expected(name, EDITORS, 201))
    if name == "anonymous":
        check(listing, ANON)
    else:
        check(listing, 200)
        assert (world.outcome.pk in ids(listing)) == (name in READERS)
    assert Outcome.objects.count() == (2 if name in EDITORS else 1)
    if name in EDITORS:
        assert [c["months"] for c in created.json()["checkpoints"]] == [1, 3, 6, 12]


@pytest.mark.parametrize("name", PERSONAS)
def test_checkpoints_are_recorded_with_edit_access(name, as_persona, world):
    browser = as_persona(name)

    listing = browser.get(f"{API}/checkpoints/?done=false")
    recorded = patch(
        browser,
        f"{API}/checkpoints/{world.checkpoint.pk}/",
        {"contact_made": True, "still_employed": True, "same_employer": True},
    )

    check(recorded, case_expected(name, EDITORS, 200))
    if name == "anonymous":
        check(listing, ANON)
    else:
        check(listing, 200)
        assert len(ids(listing)) == (4 if name in READERS else 0)
    world.checkpoint.refresh_from_db()
    assert (world.checkpoint.done_on == day("04/05/2026")) == (name in EDITORS)


# --- bad input -----------------------------------------------------------------------------------


def test_an_art60_placement_beyond_its_maximum_is_a_400_with_the_field(login, counsellor, world):
    data = art60_data(world.measures, world.employer, start_date="2026-06-01")
    body = {
        **{k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()},
        "client": world.client.pk,
        "start_date": "2027-01-01",
        "planned_end_date": "2029-06-30",
    }

    response = post(login(counsellor), f"{API}/enrolments/", body)

    check(response, 400)
    assert list(response.json()) == ["over_max_reason"]
    assert Enrolment.objects.count() == 2


def test_a_second_running_art60_placement_is_a_400(login, counsellor, world):
    body = {
        "client": world.client.pk,
        "measure": world.measures["art60"].pk,
        "user_organisation": world.employer.pk,
        "start_date": "2026-04-01",
        "status": "running",
    }

    response = post(login(counsellor), f"{API}/enrolments/", body)

    check(response, 400)
    assert response.json()["non_field_errors"][0].startswith(
        "This client already has an art. 60§7 placement"
    )


def test_a_partner_of_another_ocmw_named_in_the_body_is_a_404(
    login, counsellor, world, foreign_partner, foreign_measures
):
    browser = login(counsellor)
    base = {"client": world.client.pk, "start_date": "2026-06-01"}

    partner = post(
        browser,
        f"{API}/enrolments/",
        {**base, "measure": world.measures["workshop"].pk, "partner": foreign_partner.pk},
    )
    measure = post(
        browser, f"{API}/enrolments/", {**base, "measure": foreign_measures["workshop"].pk}
    )
    referral = post(
        browser,
        f"{API}/partner-referrals/",
        {"client": world.client.pk, "partner": foreign_partner.pk, "purpose": "x"},
    )

    check(partner, 404)
    check(measure, 404)
    check(referral, 404)
    assert Enrolment.objects.count() == 2


def test_stopping_without_a_reason_is_a_400_and_a_step_that_no_longer_fits_a_409(
    login, counsellor, world
):
    browser = login(counsellor)

    no_reason = post(browser, f"{API}/enrolments/{world.placement.pk}/stop/", {"reason": " "})
    twice = post(browser, f"{API}/enrolments/{world.placement.pk}/start/", {})

    check(no_reason, 400)
    assert no_reason.json() == {"stop_reason": ["Give the reason for stopping early."]}
    check(twice, 409)
    world.placement.refresh_from_db()
    assert world.placement.status == EnrolmentStatus.RUNNING


def test_attendance_for_someone_not_in_the_session_is_a_400_and_changes_nothing(
    login, counsellor, world
):
    stranger = ClientFactory(responsible_social_worker=counsellor)

    response = post(
        login(counsellor),
        f"{API}/group-sessions/{world.session.pk}/attendance/",
        {"statuses": {str(world.client.pk): "present", str(stranger.pk): "absent"}},
    )

    check(response, 400)
    assert response.json() == {
        "statuses": ["Attendance can only be recorded for the participants of this session."]
    }
    assert Attendance.objects.get(session=world.session).status == "expected"
    assert not Contact.objects.exists()


def test_a_checkpoint_before_the_start_of_work_is_a_400(login, counsellor, world):
    later = services.outcome_record(
        actor=counsellor,
        trajectory=world.trajectory,
        data={"type": "regular_job", "start_date": day("01/06/2026")},
    )
    checkpoint = later.checkpoints.get(months=1)

    response = patch(
        login(counsellor), f"{API}/checkpoints/{checkpoint.pk}/", {"contact_made": True}
    )

    check(response, 400)
    assert "no start of work" in response.json()["non_field_errors"][0]
    assert Checkpoint.objects.filter(done_on__isnull=False).count() == 0


def test_participants_are_added_through_the_api(login, counsellor, world):
    second = ClientFactory(responsible_social_worker=counsellor)

    response = post(
        login(counsellor),
        f"{API}/group-sessions/{world.session.pk}/participants/",
        {"clients": [second.pk]},
    )

    check(response, 200)
    assert len(response.json()["attendance"]) == 2
