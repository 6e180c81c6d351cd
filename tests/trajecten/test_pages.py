"""The trajectory pages: who sees what, the moves, the forms and their bad input.

The personas come from ``tests/conftest.py``. The file under test is ``case``
(a leefloon client of ``socialworker``, general team) with an open trajectory in
the SPI team ``Trajectbegeleiding`` guided by ``counsellor``:

- ``counsellor`` (assigned) and ``teamlead`` (leads both teams) read, edit and move it;
- ``socialworker`` (responsible) reads and edits it but may not move it;
- ``sw_colleague`` and ``colleague`` (same teams) only read it;
- ``intake`` sees identity only; ``other_team``, ``admin`` and ``outsider`` get a 404.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ocmw.models import Notification
from tests.factories import ClientFactory
from trajecten import services
from trajecten.models import (
    Action,
    Contact,
    Goal,
    Phase,
    PhaseChange,
    Readiness,
    ReadinessItem,
    Referral,
    ReferralStatus,
    Trajectory,
)

pytestmark = pytest.mark.django_db

SUMMARY = "Vertelt over schulden bij de huisbaas en een lopende behandeling."
CONFIDENTIAL_SUMMARY = "Herval in alcoholgebruik, begeleiding bij CAW gestart."
PHASE_BAR = 'class="phase-bar"'


def fresh(trajectory: Trajectory) -> Trajectory:
    # The FSM field is protected: load the row again instead of refresh_from_db().
    return Trajectory.objects.get(pk=trajectory.pk)


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def open_trajectory(case, teamlead, counsellor, spi_team) -> Trajectory:
    """``case`` in phase 2 (screening) with ``counsellor``; no needs analysis yet."""
    return services.trajectory_open(
        actor=teamlead, client=case, counsellor=counsellor, team=spi_team, phase=Phase.SCREENING
    )


@pytest.fixture
def analysis(case, counsellor, open_trajectory):
    return services.needs_analysis_record(
        actor=counsellor,
        client=case,
        data={
            "own_project": "Werken in een grootkeuken",
            "domains": {"material": {"situation": "Huurachterstand", "support_needed": True}},
        },
    )


@pytest.fixture
def notes(case, counsellor, open_trajectory):
    """An ordinary contact and a confidential note, both by ``counsellor``."""
    day = timezone.localdate() - datetime.timedelta(days=3)
    plain = services.contact_record(
        actor=counsellor,
        client=case,
        data={"date": day, "type": "interview", "duration_minutes": 45, "summary": SUMMARY},
    )
    secret = services.contact_record(
        actor=counsellor,
        client=case,
        data={
            "date": day,
            "type": "phone",
            "duration_minutes": 10,
            "summary": CONFIDENTIAL_SUMMARY,
            "confidential": True,
        },
    )
    return plain, secret


def file_url(client) -> str:
    return reverse("client_detail", args=[client.pk])


def transition_url(trajectory) -> str:
    return reverse("trajecten:trajectory_transition", args=[trajectory.pk])


# --- access matrix: the client file panels ----------------------------------------------

# persona → (status, sees the trajectory panels, may move, may add a contact)
FILE_ACCESS = {
    "anonymous": (302, False, False, False),
    "intake": (200, False, False, False),
    "socialworker": (200, True, False, True),
    "sw_colleague": (200, True, False, False),
    "counsellor": (200, True, True, True),
    "colleague": (200, True, False, False),
    "other_team": (404, False, False, False),
    "teamlead": (200, True, True, True),
    "admin": (404, False, False, False),
    "outsider": (404, False, False, False),
}


@pytest.mark.parametrize("name", FILE_ACCESS)
def test_the_file_page_shows_the_trajectory_panels_by_role(
    name, persona, login, case, open_trajectory, notes
):
    status, panels, moves, writes = FILE_ACCESS[name]
    response = login(persona(name)).get(file_url(case))

    assert response.status_code == status
    if status != 200:
        return
    html = page_text(response)
    assert (PHASE_BAR in html) is panels
    assert ('aria-current="step"' in html) is panels
    assert (SUMMARY in html) is panels
    assert ('id="panel-timeline"' in html) is panels
    assert ('id="move-next"' in html) is moves
    assert ('id="add-contact"' in html) is writes
    if name == "intake":
        # Identity only: not even that a trajectory or a journal exists.
        assert "Counsellor" not in html and "Journal" not in html


def test_the_phase_bar_marks_the_current_phase_and_the_time_spent_in_it(
    login, counsellor, case, open_trajectory
):
    Trajectory.objects.filter(pk=open_trajectory.pk).update(
        phase_since=timezone.now() - datetime.timedelta(days=12, hours=2)
    )
    html = page_text(login(counsellor).get(file_url(case)))

    current = html.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "Counselling and screening" in current
    assert "12 days" in current
    assert html.count('aria-current="step"') == 1


def test_a_foreign_file_and_its_pages_are_a_404(login, outsider, counsellor, open_trajectory):
    client = login(outsider)
    for url in (
        file_url(open_trajectory.client),
        reverse("client_timeline", args=[open_trajectory.client_id]),
        reverse("trajecten:trajectory_detail", args=[open_trajectory.pk]),
        reverse("trajecten:journal", args=[open_trajectory.client_id]),
        reverse("trajecten:contact_create", args=[open_trajectory.client_id]),
        reverse("trajecten:goal_create", args=[open_trajectory.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        transition_url(open_trajectory), {"target": "preconditions", "version": 1, "reason": "x"}
    )
    assert response.status_code == 404
    assert fresh(open_trajectory).phase == Phase.SCREENING


# --- the caseload -----------------------------------------------------------------------

# persona → (status, sees the case's trajectory)
CASELOAD_ACCESS = {
    "anonymous": (302, False),
    "intake": (403, False),
    "socialworker": (200, False),
    "sw_colleague": (200, False),
    "counsellor": (200, True),
    "colleague": (200, False),
    "other_team": (200, False),
    "teamlead": (200, True),
    "admin": (403, False),
    "outsider": (200, False),
}


@pytest.mark.parametrize("name", CASELOAD_ACCESS)
def test_the_caseload_lists_my_open_trajectories(name, persona, login, case, open_trajectory):
    status, listed = CASELOAD_ACCESS[name]
    # A team lead's caseload is the team case list (/team/cases/): a redirect.
    response = login(persona(name)).get(reverse("trajecten:caseload"), follow=name == "teamlead")

    assert response.status_code == status
    if status == 200:
        assert ("Vandamme, Lotte" in page_text(response)) is listed


def test_the_caseload_shows_phase_last_contact_and_next_evaluation(
    login, counsellor, case, open_trajectory, notes
):
    services.evaluation_record(
        actor=counsellor,
        trajectory=open_trajectory,
        data={
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "conclusion": "Goed gesprek",
            "next_evaluation_on": datetime.date(2027, 3, 15),
        },
    )
    response = login(counsellor).get(reverse("trajecten:caseload"))

    [row] = response.context["rows"]
    assert row.last_contact == notes[0].date
    assert row.next_evaluation == datetime.date(2027, 3, 15)
    html = page_text(response)
    assert notes[0].date.strftime("%d/%m/%Y") in html
    assert "15/03/2027" in html
    assert "Counselling and screening" in html


def test_the_caseload_filters_by_phase_and_sorts(
    login, counsellor, teamlead, spi_team, socialworker
):
    clients = [
        ClientFactory(responsible_social_worker=socialworker, last_name=name)
        for name in ("Aerts", "Bosmans", "Cools")
    ]
    phases = [Phase.JOB_PLACEMENT, Phase.SCREENING, Phase.SOCIAL_ACTIVATION]
    for client, phase in zip(clients, phases, strict=True):
        services.trajectory_open(
            actor=teamlead, client=client, counsellor=counsellor, team=spi_team, phase=phase
        )
    client = login(counsellor)

    names = [t.client.last_name for t in client.get("/caseload/?sort=-name").context["rows"]]
    assert names == ["Cools", "Bosmans", "Aerts"]
    by_phase = [t.phase for t in client.get("/caseload/?sort=phase").context["rows"]]
    assert by_phase == [Phase.SCREENING, Phase.SOCIAL_ACTIVATION, Phase.JOB_PLACEMENT]
    only = client.get("/caseload/?phase=social_activation").context["rows"]
    assert [t.client.last_name for t in only] == ["Cools"]
    # Nonsense in the query string is ignored, never a 500.
    assert client.get("/caseload/?sort=drop&phase=nope&page=x").status_code == 200


def test_the_caseload_pages_by_25(login, counsellor, teamlead, spi_team, socialworker):
    for _ in range(26):
        client = ClientFactory(responsible_social_worker=socialworker)
        services.trajectory_open(
            actor=teamlead, client=client, counsellor=counsellor, team=spi_team
        )
    client = login(counsellor)

    assert len(client.get("/caseload/").context["rows"]) == 25
    assert len(client.get("/caseload/?page=2").context["rows"]) == 1


def test_the_counsellor_home_shows_the_caseload_and_waiting_referrals(
    login, counsellor, socialworker, spi_team
):
    waiting = ClientFactory(
        responsible_social_worker=socialworker, first_name="Bram", last_name="Peeters"
    )
    services.referral_propose(
        actor=socialworker,
        client=waiting,
        team=spi_team,
        checklist={item: {"status": "ok", "note": ""} for item in ReadinessItem.values},
    )
    html = page_text(login(counsellor).get("/"))

    assert 'id="home-caseload"' in html
    assert 'id="home-referrals"' in html
    assert "Peeters, Bram" in html


# --- the timeline partial ---------------------------------------------------------------

TIMELINE_ACCESS = {
    "anonymous": 302,
    "intake": 404,
    "socialworker": 200,
    "sw_colleague": 200,
    "counsellor": 200,
    "colleague": 200,
    "other_team": 404,
    "teamlead": 200,
    "admin": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("name", TIMELINE_ACCESS)
def test_the_timeline_partial_follows_the_file_access(name, persona, login, case, open_trajectory):
    response = login(persona(name)).get(reverse("client_timeline", args=[case.pk]))

    assert response.status_code == TIMELINE_ACCESS[name]
    if response.status_code == 200:
        assert "Trajectory opened in phase 2 · Counselling and screening" in page_text(response)


def test_the_timeline_merges_every_kind_of_event_newest_first(
    login, counsellor, case, open_trajectory, analysis, notes
):
    goal = services.goal_create(
        actor=counsellor,
        trajectory=open_trajectory,
        data={"title": "Rijbewijs B halen", "horizon": "short", "domain": "work"},
    )
    services.trajectory_transition(
        actor=counsellor, trajectory=open_trajectory, target=Phase.SOCIAL_ACTIVATION, version=1
    )
    services.evaluation_record(
        actor=counsellor,
        trajectory=fresh(open_trajectory),
        data={"date": timezone.localdate(), "conclusion": "Stappen gezet"},
    )

    response = login(counsellor).get(reverse("client_timeline", args=[case.pk]))
    entries = response.context["entries"]

    kinds = {entry.kind for entry in entries}
    assert kinds == {"phase", "contact", "goal", "evaluation"}
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    html = page_text(response)
    assert f"Goal set: {goal.title}" in html
    assert "Phase 2 · Counselling and screening → 3 · Social activation (next phase)" in html


def test_the_timeline_pages_with_a_cursor(login, counsellor, case, open_trajectory):
    for day in range(25):
        services.contact_record(
            actor=counsellor,
            client=case,
            data={
                "date": timezone.localdate() - datetime.timedelta(days=day + 1),
                "type": "phone",
                "duration_minutes": 5,
                "summary": f"Telefoontje {day}",
            },
        )
    client = login(counsellor)
    first = client.get(reverse("client_timeline", args=[case.pk]))
    cursor = first.context["next_before"]
    assert len(first.context["entries"]) == 20 and cursor is not None

    second = client.get(reverse("client_timeline", args=[case.pk]), {"before": cursor.isoformat()})
    seen = {e.title for e in first.context["entries"]} | {
        e.title for e in second.context["entries"]
    }
    # 25 contacts and the opening of the trajectory, each exactly once over two pages.
    assert len(first.context["entries"]) + len(second.context["entries"]) == 26
    assert len(seen) == 26
    assert second.context["next_before"] is None


# --- confidential notes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, reads",
    [("counsellor", True), ("teamlead", True), ("colleague", False), ("socialworker", False)],
)
def test_a_confidential_note_is_read_only_by_its_author_and_the_team_lead(
    name, reads, persona, login, case, notes
):
    client = login(persona(name))
    page = page_text(client.get(file_url(case)))
    timeline = page_text(client.get(reverse("client_timeline", args=[case.pk])))
    journal = page_text(client.get(reverse("trajecten:journal", args=[case.pk])))

    for html in (page, timeline, journal):
        assert SUMMARY in html
        assert (CONFIDENTIAL_SUMMARY in html) is reads
        if not reads:
            assert "Confidential note by Koen De Backer on" in html


# --- the transition form ----------------------------------------------------------------


def test_an_allowed_move_moves_the_trajectory_and_records_who_and_why(
    login, counsellor, case, open_trajectory, analysis
):
    response = login(counsellor).post(
        transition_url(open_trajectory),
        {"target": Phase.SOCIAL_ACTIVATION, "version": open_trajectory.version},
        follow=True,
    )

    assert response.redirect_chain[-1][0].startswith(file_url(case))
    assert fresh(open_trajectory).phase == Phase.SOCIAL_ACTIVATION
    change = PhaseChange.objects.filter(trajectory=open_trajectory).first()
    assert (change.from_phase, change.to_phase, change.by) == (
        Phase.SCREENING,
        Phase.SOCIAL_ACTIVATION,
        counsellor,
    )
    assert "The trajectory is now in phase 3 · Social activation." in page_text(response)


def test_skipping_with_a_reason_is_recorded(login, counsellor, open_trajectory, analysis):
    login(counsellor).post(
        transition_url(open_trajectory),
        {"target": Phase.WORK_EXPERIENCE, "version": 1, "reason": "Wil meteen werken"},
    )

    assert fresh(open_trajectory).phase == Phase.WORK_EXPERIENCE
    assert PhaseChange.objects.filter(trajectory=open_trajectory).first().reason == (
        "Wil meteen werken"
    )


def test_a_stale_form_says_the_file_changed_and_changes_nothing(
    login, counsellor, teamlead, open_trajectory
):
    # The team lead moves the trajectory back while the counsellor's page is open.
    services.trajectory_transition(
        actor=teamlead,
        trajectory=open_trajectory,
        target=Phase.PRECONDITIONS,
        reason="Eerst huisvesting",
        version=1,
    )
    changes = PhaseChange.objects.filter(trajectory=open_trajectory).count()

    response = login(counsellor).post(
        transition_url(open_trajectory),
        {"target": Phase.SOCIAL_ACTIVATION, "version": 1, "reason": "Klaar voor activering"},
        follow=True,
    )

    assert "This file changed meanwhile" in page_text(response)
    assert fresh(open_trajectory).phase == Phase.PRECONDITIONS
    assert PhaseChange.objects.filter(trajectory=open_trajectory).count() == changes


def test_a_move_without_its_reason_is_refused_with_a_message(login, counsellor, open_trajectory):
    response = login(counsellor).post(
        transition_url(open_trajectory),
        {"target": Phase.PRECONDITIONS, "version": 1, "reason": "  "},
    )

    assert response.status_code == 200
    assert "Give a reason for this move." in page_text(response)
    assert fresh(open_trajectory).phase == Phase.SCREENING
    assert PhaseChange.objects.filter(trajectory=open_trajectory).count() == 1


def test_a_failed_gate_shows_its_message_and_leaves_the_phase(
    login, counsellor, case, open_trajectory
):
    client = login(counsellor)
    file_page = page_text(client.get(file_url(case)))
    gate = "Record a needs analysis (sociale balans) before leaving this phase."
    # The file shows why the forward move is not offered ...
    assert gate in file_page
    assert 'id="move-next" disabled' in file_page

    # ... and a forged post gets the same message and changes nothing.
    response = client.post(
        transition_url(open_trajectory), {"target": Phase.SOCIAL_ACTIVATION, "version": 1}
    )

    assert gate in page_text(response)
    assert fresh(open_trajectory).phase == Phase.SCREENING


def test_closing_needs_a_structured_reason(login, counsellor, case, open_trajectory):
    client = login(counsellor)
    refused = client.post(
        transition_url(open_trajectory),
        {"target": Phase.CLOSED, "version": 1, "closing_reason": "other", "closing_note": ""},
    )
    assert "Describe the reason for closing." in page_text(refused)
    assert fresh(open_trajectory).phase == Phase.SCREENING

    response = client.post(
        transition_url(open_trajectory),
        {"target": Phase.CLOSED, "version": 1, "closing_reason": "moved"},
    )
    assert response.status_code == 302
    closed = fresh(open_trajectory)
    assert (closed.phase, closed.closing_reason) == (Phase.CLOSED, "moved")


@pytest.mark.parametrize("name", ["colleague", "socialworker"])
def test_who_may_only_read_cannot_move_the_trajectory(name, persona, login, open_trajectory):
    response = login(persona(name)).post(
        transition_url(open_trajectory),
        {"target": Phase.PRECONDITIONS, "version": 1, "reason": "Niet mijn dossier"},
    )

    assert response.status_code == 403
    assert fresh(open_trajectory).phase == Phase.SCREENING


def test_an_unknown_target_or_a_missing_version_is_a_field_error(
    login, counsellor, open_trajectory
):
    client = login(counsellor)
    for data in ({"target": "heaven", "version": 1}, {"target": Phase.PRECONDITIONS}):
        response = client.post(transition_url(open_trajectory), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert fresh(open_trajectory).phase == Phase.SCREENING


def test_a_closed_trajectory_is_listed_and_viewable_read_only(
    login, counsellor, socialworker, case, open_trajectory
):
    services.trajectory_transition(
        actor=counsellor,
        trajectory=open_trajectory,
        target=Phase.CLOSED,
        closing_reason="training",
        version=1,
    )
    client = login(socialworker)
    html = page_text(client.get(file_url(case)))
    assert "No open trajectory. The last one was closed on" in html
    assert "Training or studies" in html

    detail = client.get(reverse("trajecten:trajectory_detail", args=[open_trajectory.pk]))
    assert detail.status_code == 200
    assert "Training or studies" in page_text(detail)
    assert "<form" not in page_text(detail).split('id="main"', 1)[1]


# --- the journal: bad input -------------------------------------------------------------


def contact_data(**changes) -> dict:
    data = {
        "date": timezone.localdate().strftime("%d/%m/%Y"),
        "type": "interview",
        "duration_minutes": "30",
        "summary": "Gesprek over de opleiding",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"duration_minutes": "-5"}, "duration_minutes"),
        ({"duration_minutes": "800"}, "duration_minutes"),
        ({"duration_minutes": "een uur"}, "duration_minutes"),
        ({"date": "31/02/2026"}, "date"),
        ({"type": "telepathy"}, "type"),
        ({"summary": ""}, "summary"),
    ],
)
def test_a_contact_with_bad_input_gets_a_field_error_and_keeps_what_was_typed(
    changes, field, login, counsellor, case, open_trajectory
):
    response = login(counsellor).post(
        reverse("trajecten:contact_create", args=[case.pk]), contact_data(**changes)
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert form["summary"].value() == contact_data(**changes)["summary"]
    assert Contact.objects.count() == 0


def test_a_contact_dated_in_the_future_gets_a_field_error(login, counsellor, case, open_trajectory):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(counsellor).post(
        reverse("trajecten:contact_create", args=[case.pk]),
        contact_data(date=tomorrow.strftime("%d/%m/%Y")),
    )

    assert response.context["form"].errors["date"] == [
        "A contact that took place cannot be dated in the future."
    ]
    assert "Gesprek over de opleiding" in page_text(response)
    assert Contact.objects.count() == 0


def test_a_contact_is_recorded_for_the_staff_member(login, counsellor, case, open_trajectory):
    response = login(counsellor).post(
        reverse("trajecten:contact_create", args=[case.pk]),
        contact_data(duration_minutes="720", confidential="on"),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#contact-{contact.pk}")
    assert (contact.staff, contact.duration_minutes, contact.confidential) == (
        counsellor,
        720,
        True,
    )
    assert contact.trajectory_id == open_trajectory.pk


def test_a_reader_cannot_record_a_contact(login, colleague, case, open_trajectory):
    response = login(colleague).post(
        reverse("trajecten:contact_create", args=[case.pk]), contact_data()
    )

    assert response.status_code == 403
    assert Contact.objects.count() == 0


# --- the plan ---------------------------------------------------------------------------


@pytest.fixture
def goal(counsellor, open_trajectory):
    return services.goal_create(
        actor=counsellor,
        trajectory=open_trajectory,
        data={
            "title": "Nederlands op niveau B1",
            "horizon": "medium",
            "domain": "cultural",
            "set_on": datetime.date(2026, 3, 1),
        },
    )


def test_an_action_due_before_its_goal_was_set_is_a_field_error(login, counsellor, goal):
    response = login(counsellor).post(
        reverse("trajecten:action_create", args=[goal.pk]),
        {"description": "Inschrijven bij CVO", "owner": "client", "due_date": "15/02/2026"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["due_date"] == [
        "An action cannot be due before its goal was set."
    ]
    assert response.context["form"]["description"].value() == "Inschrijven bij CVO"
    assert Action.objects.count() == 0


def test_goals_and_actions_are_added_marked_done_and_shown(login, counsellor, case, goal):
    client = login(counsellor)
    client.post(
        reverse("trajecten:action_create", args=[goal.pk]),
        {"description": "Inschrijven bij CVO", "owner": "client", "due_date": "15/03/2026"},
    )
    action = Action.objects.get()
    client.post(reverse("trajecten:action_done", args=[action.pk]), {"done": "on"})
    client.post(reverse("trajecten:goal_status", args=[goal.pk]), {"status": "achieved"})

    action.refresh_from_db()
    goal.refresh_from_db()
    assert action.done and action.done_on == timezone.localdate()
    assert goal.status == "achieved"
    html = page_text(client.get(file_url(case)))
    assert "Nederlands op niveau B1" in html and "Inschrijven bij CVO" in html
    assert "Achieved" in html


def test_a_goal_without_a_title_is_a_field_error(login, counsellor, open_trajectory):
    response = login(counsellor).post(
        reverse("trajecten:goal_create", args=[open_trajectory.pk]),
        {"title": "", "horizon": "short", "domain": "work", "description": "Iets met werk"},
    )

    assert list(response.context["form"].errors) == ["title"]
    assert "Iets met werk" in page_text(response)
    assert Goal.objects.count() == 0


# --- needs analysis and evaluations -----------------------------------------------------


def test_a_new_needs_analysis_version_starts_from_the_latest(login, counsellor, case, analysis):
    client = login(counsellor)
    url = reverse("trajecten:needs_analysis_create", args=[case.pk])
    form = client.get(url).context["form"]
    assert form["own_project"].value() == "Werken in een grootkeuken"
    assert form["material_support"].value() is True

    data = {
        "date": timezone.localdate().strftime("%d/%m/%Y"),
        "driving_licence": "B",
        "own_project": "Kok worden",
        "material_situation": "Afbetalingsplan loopt",
        "language_0": "Nederlands",
        "level_0": "B1",
    }
    response = client.post(url, data)

    assert response.status_code == 302
    latest = case.needs_analyses.order_by("-version").first()
    assert latest.version == 2 and latest.own_project == "Kok worden"
    assert latest.languages == [{"language": "Nederlands", "level": "B1"}]
    html = page_text(client.get(file_url(case)))
    assert "Kok worden" in html
    assert "Version 1 of" in html  # the earlier version is listed


def test_an_evaluation_records_progress_per_goal(login, counsellor, case, goal, open_trajectory):
    client = login(counsellor)
    response = client.post(
        reverse("trajecten:evaluation_create", args=[open_trajectory.pk]),
        {
            "date": timezone.localdate().strftime("%d/%m/%Y"),
            "in_person": "on",
            "conclusion": "Goede vooruitgang",
            "next_evaluation_on": (timezone.localdate() + datetime.timedelta(days=90)).strftime(
                "%d/%m/%Y"
            ),
            f"progress_{goal.pk}": "good",
            f"note_{goal.pk}": "Volgt les",
        },
    )

    assert response.status_code == 302
    evaluation = open_trajectory.evaluations.get()
    [progress] = evaluation.progress.all()
    assert (progress.goal, progress.progress, progress.note) == (goal, "good", "Volgt les")
    assert "Goede vooruitgang" in page_text(client.get(file_url(case)))


def test_an_evaluation_with_the_next_one_before_it_is_a_field_error(
    login, counsellor, open_trajectory
):
    response = login(counsellor).post(
        reverse("trajecten:evaluation_create", args=[open_trajectory.pk]),
        {
            "date": timezone.localdate().strftime("%d/%m/%Y"),
            "conclusion": "Goed",
            "next_evaluation_on": "01/01/2020",
        },
    )

    assert "next_evaluation_on" in response.context["form"].errors
    assert open_trajectory.evaluations.count() == 0


# --- referral ---------------------------------------------------------------------------


def referral_data(team, **changes) -> dict:
    data = {"team": team.pk, "motivation": "Huisvesting is in orde, wil werken"}
    for item in ReadinessItem.values:
        data[f"{item}_status"] = Readiness.OK
        data[f"{item}_note"] = ""
    data.update(changes)
    return data


def test_the_social_worker_is_offered_referral_and_phase_one(login, socialworker, case):
    html = page_text(login(socialworker).get(file_url(case)))

    assert 'id="refer-spi"' in html
    assert 'id="start-phase-1"' in html


def test_a_referral_without_a_full_checklist_keeps_what_was_typed(
    login, socialworker, case, spi_team
):
    data = referral_data(spi_team, debts_note="Afbetalingsplan bij OCMW")
    del data["housing_status"]
    response = login(socialworker).post(reverse("trajecten:referral_create", args=[case.pk]), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["housing_status"]
    assert "Afbetalingsplan bij OCMW" in page_text(response)
    assert Referral.objects.count() == 0


def test_referral_accepted_by_the_counsellor_opens_the_trajectory(
    login, socialworker, counsellor, case, spi_team
):
    login(socialworker).post(
        reverse("trajecten:referral_create", args=[case.pk]),
        referral_data(spi_team, language_status=Readiness.ATTENTION, language_note="NT2 A2"),
    )
    referral = Referral.objects.get()
    assert referral.checklist["language"] == {"status": "attention", "note": "NT2 A2"}

    client = login(counsellor)
    # Not yet the counsellor's client: the referral page is readable, the file is not.
    assert client.get(file_url(case)).status_code == 404
    detail = client.get(reverse("trajecten:referral_detail", args=[referral.pk]))
    assert "NT2 A2" in page_text(detail)
    response = client.post(
        reverse("trajecten:referral_accept", args=[referral.pk]),
        {"counsellor": counsellor.pk, "phase": Phase.SCREENING},
    )

    assert response.status_code == 302
    trajectory = Trajectory.objects.get(client=case)
    assert (trajectory.counsellor, trajectory.phase) == (counsellor, Phase.SCREENING)
    assert client.get(file_url(case)).status_code == 200
    assert Notification.objects.filter(recipient=socialworker).count() == 1


def test_a_declined_referral_needs_a_reason_and_shows_it_to_the_social_worker(
    login, socialworker, counsellor, case, spi_team
):
    referral = services.referral_propose(
        actor=socialworker,
        client=case,
        team=spi_team,
        checklist={item: {"status": "ok", "note": ""} for item in ReadinessItem.values},
    )
    client = login(counsellor)
    url = reverse("trajecten:referral_decline", args=[referral.pk])
    refused = client.post(url, {"decline_reason": "   "})
    assert refused.status_code == 200
    assert "Give the reason for declining." in page_text(refused)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PROPOSED

    client.post(url, {"decline_reason": "Eerst de schuldhulp afronden"})

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    html = page_text(login(socialworker).get(file_url(case)))
    assert 'id="declined-referral"' in html
    assert "Eerst de schuldhulp afronden" in html
    assert 'id="unread-badge"' in html


def test_accepting_a_referral_declined_meanwhile_says_so_and_changes_nothing(
    login, socialworker, counsellor, teamlead, case, spi_team
):
    referral = services.referral_propose(
        actor=socialworker,
        client=case,
        team=spi_team,
        checklist={item: {"status": "ok", "note": ""} for item in ReadinessItem.values},
    )
    services.referral_decline(actor=teamlead, referral=referral, reason="Nog niet klaar")

    response = login(counsellor).post(
        reverse("trajecten:referral_accept", args=[referral.pk]),
        {"counsellor": counsellor.pk, "phase": Phase.SCREENING},
        follow=True,
    )

    assert "This referral was already decided" in page_text(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert not Trajectory.objects.filter(client=case).exists()


def test_only_the_target_team_decides_on_a_referral(
    login, socialworker, other_team, colleague, case, spi_team
):
    referral = services.referral_propose(
        actor=socialworker,
        client=case,
        team=spi_team,
        checklist={item: {"status": "ok", "note": ""} for item in ReadinessItem.values},
    )
    assert (
        login(other_team).get(reverse("trajecten:referral_detail", args=[referral.pk])).status_code
        == 404
    )
    response = login(socialworker).post(
        reverse("trajecten:referral_accept", args=[referral.pk]),
        {"counsellor": colleague.pk, "phase": Phase.SCREENING},
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PROPOSED


def test_the_social_worker_starts_phase_one_with_the_client(login, socialworker, case):
    response = login(socialworker).post(reverse("trajecten:trajectory_start", args=[case.pk]))

    assert response.status_code == 302
    trajectory = Trajectory.objects.get(client=case)
    assert (trajectory.phase, trajectory.counsellor) == (Phase.PRECONDITIONS, socialworker)


def test_a_phase_one_trajectory_continues_with_the_counsellor_who_accepts(
    login, socialworker, counsellor, case, spi_team
):
    login(socialworker).post(reverse("trajecten:trajectory_start", args=[case.pk]))
    started = Trajectory.objects.get(client=case)
    # Still in phase 1, the social worker may refer the client to the SPI service.
    assert 'id="refer-spi"' in page_text(login(socialworker).get(file_url(case)))
    referral = services.referral_propose(
        actor=socialworker,
        client=case,
        team=spi_team,
        checklist={item: {"status": "ok", "note": ""} for item in ReadinessItem.values},
    )

    login(counsellor).post(
        reverse("trajecten:referral_accept", args=[referral.pk]),
        {"counsellor": counsellor.pk, "phase": Phase.SCREENING},
    )

    trajectory = Trajectory.objects.get(client=case)
    assert trajectory.pk == started.pk
    assert (trajectory.counsellor, trajectory.team, trajectory.phase) == (
        counsellor,
        spi_team,
        Phase.PRECONDITIONS,
    )


def test_the_team_lead_home_lists_referrals_waiting_for_the_team(
    login, teamlead, socialworker, case, spi_team
):
    services.referral_propose(
        actor=socialworker,
        client=case,
        team=spi_team,
        checklist={item: {"status": "ok", "note": ""} for item in ReadinessItem.values},
    )
    html = page_text(login(teamlead).get("/"))

    referrals = html.split('id="home-referrals"', 1)[1].split("</section>", 1)[0]
    assert "Vandamme, Lotte" in referrals
    assert reverse("trajecten:team_cases") in html


# --- notifications ----------------------------------------------------------------------


def test_notifications_are_listed_counted_and_marked_read(login, socialworker, counsellor, case):
    from ocmw.services import notify

    notify(
        recipient=socialworker, message="%(client)s was assigned to you.", params={"client": "X"}
    )
    notify(recipient=counsellor, message="Not for the social worker", params={})
    client = login(socialworker)

    html = page_text(client.get(reverse("trajecten:notifications")))
    assert "X was assigned to you." in html
    assert "Not for the social worker" not in html
    assert 'id="unread-badge">1<' in html

    client.post(reverse("trajecten:notifications"))

    assert not Notification.objects.filter(recipient=socialworker, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=counsellor, read_at__isnull=True).exists()
    assert 'id="unread-badge"' not in page_text(client.get("/"))


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, socialworker, case):
    from ocmw.services import notify

    notify(recipient=socialworker, message="Look", link=file_url(case))
    notification = Notification.objects.get()
    response = login(socialworker).post(
        reverse("trajecten:notification_open", args=[notification.pk])
    )

    assert response["Location"] == file_url(case)
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_a_404(login, socialworker, counsellor):
    from ocmw.services import notify

    notify(recipient=counsellor, message="Private")
    notification = Notification.objects.get()
    response = login(socialworker).post(
        reverse("trajecten:notification_open", args=[notification.pk])
    )

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
