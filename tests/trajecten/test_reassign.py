"""Reassignment by a team lead: one client or many to another counsellor of the
same team, with a handover note in each journal, a notification for the new
counsellor, the open tasks following the client, the hard caseload limit that
needs a confirmation, the refusals, and a double submit that acts once.

``teamlead`` leads the general team and the SPI team "Trajectbegeleiding"
(``counsellor`` Koen and ``colleague`` Camille); ``other_team`` (Jonas) is in the
youth cell, which ``youth_lead`` leads.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ocmw.models import Notification, Task, TaskStatus, User
from tests.factories import ClientFactory
from trajecten import services
from trajecten.models import (
    ClosingReason,
    Contact,
    ContactType,
    Phase,
    PhaseChange,
    Trajectory,
    TransitionKind,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 10)
URL = "/team/cases/"
NOTE = "Koen vertrekt; Camille neemt over. Afspraak VDAB op 15/05."
TrajectoryEvent = apps.get_model("trajecten", "TrajectoryEvent")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 5, 10, 10, 0), tick=False):
        yield


def open_for(counsellor, team, *, actor, client=None, phase=Phase.SCREENING, worker=None):
    client = client or ClientFactory(responsible_social_worker=worker or counsellor)
    return services.trajectory_open(
        actor=actor, client=client, counsellor=counsellor, team=team, phase=phase
    )


def task(trajectory, kind, due, *, responsible=None, status=TaskStatus.OPEN, **extra):
    return Task.objects.create(
        ocmw_id=trajectory.client.ocmw_id,
        kind=kind,
        subject_type="trajectory",
        subject_id=trajectory.pk,
        client=trajectory.client,
        responsible=responsible or trajectory.counsellor,
        due_date=due,
        status=status,
        **extra,
    )


def set_limits(user: User, soft: int, hard: int) -> None:
    User.objects.filter(pk=user.pk).update(caseload_soft_limit=soft, caseload_hard_limit=hard)
    user.refresh_from_db()


@pytest.fixture
def two(teamlead, counsellor, spi_team, socialworker):
    """Two open trajectories of ``counsellor`` (clients of ``socialworker``)."""
    return [open_for(counsellor, spi_team, actor=teamlead, worker=socialworker) for _ in range(2)]


def reassign(actor, trajectories, to, **kwargs):
    kwargs.setdefault("note", NOTE)
    return services.trajectories_reassign(
        actor=actor, trajectory_ids=[t.pk for t in trajectories], to_counsellor=to, **kwargs
    )


# --- the service ----------------------------------------------------------------------------


def test_reassigning_moves_the_files_and_writes_the_note_in_each_journal(
    teamlead, counsellor, colleague, two
):
    result = reassign(teamlead, two, colleague)

    assert [t.pk for t in result.moved] == sorted(t.pk for t in two)
    for before in two:
        after = Trajectory.objects.get(pk=before.pk)
        assert after.counsellor == colleague
        assert after.version == before.version + 1
        assert after.team_id == before.team_id and after.phase == before.phase
        note = Contact.objects.get(client=before.client)
        assert note.staff == teamlead
        assert note.trajectory_id == before.pk
        assert note.type == ContactType.HANDOVER
        assert note.date == TODAY
        assert note.duration_minutes == 1
        assert note.shared_with == 2
        assert not note.confidential
        assert note.summary == f"Handover from Koen De Backer to Camille Leroy: {NOTE}"
        change = PhaseChange.objects.get(trajectory=before, kind=TransitionKind.REASSIGN)
        assert (change.by, change.from_phase, change.to_phase) == (
            teamlead,
            Phase.SCREENING,
            Phase.SCREENING,
        )
        assert NOTE in change.reason


def test_the_new_counsellor_is_notified_with_a_link_to_each_file(teamlead, colleague, two):
    reassign(teamlead, two, colleague)

    notes = Notification.objects.filter(recipient=colleague).order_by("id")
    assert [n.link for n in notes] == [reverse("client_detail", args=[t.client_id]) for t in two]
    assert notes[0].text == f"{two[0].client} was reassigned to you by Tine Verstraete: {NOTE}"


def test_the_clients_active_tasks_of_the_previous_counsellor_follow_the_client(
    teamlead, counsellor, colleague, socialworker, two
):
    first, second = two
    open_task = task(first, "evaluation_due", D(2026, 5, 1))
    snoozed = task(
        second,
        "no_contact",
        D(2026, 4, 1),
        status=TaskStatus.SNOOZED,
        snoozed_until=D(2026, 6, 1),
        snooze_reason="Op reis",
    )
    done = task(first, "home_visit", D(2026, 3, 1), status=TaskStatus.DONE)
    someone_else = task(first, "gpmi_to_conclude", D(2026, 6, 1), responsible=socialworker)
    other_client = open_for(counsellor, first.team, actor=teamlead, worker=socialworker)
    untouched = task(other_client, "evaluation_due", D(2026, 5, 1))

    reassign(teamlead, two, colleague)

    def holder(t):
        return Task.objects.get(pk=t.pk).responsible

    assert holder(open_task) == colleague
    assert holder(snoozed) == colleague
    assert holder(done) == counsellor
    assert holder(someone_else) == socialworker
    assert holder(untouched) == counsellor


def test_the_new_counsellor_may_now_edit_the_file_and_the_change_is_audited(
    teamlead, counsellor, colleague, two
):
    reassign(teamlead, two, colleague)

    client = two[0].client
    services.contact_record(
        actor=colleague,
        client=client,
        data={"date": TODAY, "type": "phone", "duration_minutes": 10, "summary": "Kennismaking"},
    )
    with pytest.raises(PermissionDenied):
        services.contact_record(
            actor=counsellor,
            client=client,
            data={"date": TODAY, "type": "phone", "duration_minutes": 5, "summary": "x"},
        )
    event = (
        TrajectoryEvent.objects.filter(pgh_obj_id=two[0].pk, pgh_label="update")
        .select_related("pgh_context")
        .get()
    )
    assert event.counsellor_id == colleague.pk
    assert event.pgh_context.metadata["user"] == teamlead.pk


def test_a_trajectory_already_with_the_new_counsellor_is_left_alone(
    teamlead, counsellor, colleague, spi_team, two
):
    mine = open_for(colleague, spi_team, actor=teamlead)

    result = reassign(teamlead, [*two, mine], colleague)

    assert [t.pk for t in result.unchanged] == [mine.pk]
    assert not Contact.objects.filter(client=mine.client).exists()
    assert Trajectory.objects.get(pk=mine.pk).version == mine.version


def test_the_hard_limit_blocks_unless_the_team_lead_confirms(teamlead, colleague, spi_team, two):
    open_for(colleague, spi_team, actor=teamlead)
    set_limits(colleague, soft=1, hard=2)

    with pytest.raises(services.OverHardLimit) as refused:
        reassign(teamlead, two, colleague)

    assert (
        "would have 3 open trajectories, above their hard limit of 2" in refused.value.messages[0]
    )
    assert not Trajectory.objects.filter(pk__in=[t.pk for t in two], counsellor=colleague).exists()
    assert not Contact.objects.exists()
    assert not Notification.objects.filter(recipient=colleague).exists()

    result = reassign(teamlead, two, colleague, confirm_over_limit=True)

    assert len(result.moved) == 2
    assert result.open_count == 3
    assert result.over_soft_limit


def test_up_to_the_hard_limit_needs_no_confirmation_and_the_soft_limit_only_warns(
    teamlead, colleague, two
):
    set_limits(colleague, soft=1, hard=2)

    result = reassign(teamlead, two, colleague)

    assert len(result.moved) == 2
    assert result.over_soft_limit


# --- refusals ---------------------------------------------------------------------------------


def assert_nothing_changed(trajectories, counsellor):
    for trajectory in trajectories:
        assert Trajectory.objects.get(pk=trajectory.pk).counsellor == counsellor
    assert not Contact.objects.exists()
    assert not Notification.objects.filter(message__contains="reassigned").exists()


def test_a_counsellor_outside_the_lead_s_teams_is_refused(teamlead, counsellor, other_team, two):
    with pytest.raises(ValidationError) as refused:
        reassign(teamlead, two, other_team)

    assert refused.value.message_dict["to_counsellor"] == [
        "Jonas Jeugd is not a member of a team you lead."
    ]
    assert_nothing_changed(two, counsellor)


def test_a_staff_member_of_another_ocmw_is_refused(teamlead, counsellor, outsider, two):
    with pytest.raises(ValidationError) as refused:
        reassign(teamlead, two, outsider)

    assert "to_counsellor" in refused.value.message_dict
    assert_nothing_changed(two, counsellor)


def test_a_target_who_is_not_a_counsellor_is_refused(teamlead, counsellor, socialworker, two):
    with pytest.raises(ValidationError) as refused:
        reassign(teamlead, two, socialworker)

    assert refused.value.message_dict["to_counsellor"] == [
        "Sarah Vermeersch is not a counsellor; choose a counsellor."
    ]
    assert_nothing_changed(two, counsellor)


def test_a_counsellor_of_another_led_team_than_the_trajectory_s_is_refused(
    teamlead, socialworker, colleague, general_team
):
    phase_one = open_for(socialworker, general_team, actor=socialworker, phase=Phase.PRECONDITIONS)

    with pytest.raises(ValidationError) as refused:
        reassign(teamlead, [phase_one], colleague)

    assert refused.value.message_dict["trajectories"] == [
        f"{phase_one.client}: Camille Leroy is not a member of Algemene sociale dienst."
    ]
    assert_nothing_changed([phase_one], socialworker)


def test_a_closed_trajectory_is_refused_and_nothing_moves(
    teamlead, counsellor, colleague, spi_team, two
):
    closed = open_for(counsellor, spi_team, actor=teamlead)
    services.trajectory_transition(
        actor=teamlead, trajectory=closed, target=Phase.CLOSED, closing_reason=ClosingReason.MOVED
    )

    with pytest.raises(ValidationError) as refused:
        reassign(teamlead, [*two, closed], colleague)

    assert refused.value.message_dict["trajectories"] == [
        f"{closed.client}: the trajectory is closed."
    ]
    assert_nothing_changed(two, counsellor)


def test_a_trajectory_of_a_team_the_actor_does_not_lead_is_refused(
    teamlead, socialworker, other_team, counsellor, youth_team, two, colleague
):
    # The client's social worker is in a team the lead leads, so the lead reads
    # the file; its trajectory is in the youth cell, which they do not lead.
    youth = open_for(other_team, youth_team, actor=socialworker, worker=socialworker)

    with pytest.raises(ValidationError) as refused:
        reassign(teamlead, [*two, youth], colleague)

    assert refused.value.message_dict["trajectories"] == [
        f"{youth.client}: the trajectory is not in a team you lead."
    ]
    assert_nothing_changed(two, counsellor)


def test_a_trajectory_of_another_ocmw_does_not_exist_for_the_lead(
    teamlead, counsellor, colleague, outsider, other_ocmw_team, two
):
    foreign = open_for(outsider, other_ocmw_team, actor=outsider)

    with pytest.raises(Trajectory.DoesNotExist):
        reassign(teamlead, [*two, foreign], colleague)

    assert_nothing_changed(two, counsellor)


@pytest.mark.parametrize("name", ["counsellor", "colleague", "socialworker", "admin", "outsider"])
def test_only_a_team_lead_may_reassign(name, persona, colleague, two):
    with pytest.raises(PermissionDenied):
        reassign(persona(name), two, colleague)


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_a_missing_or_overlong_note_is_refused(note, teamlead, counsellor, colleague, two):
    with pytest.raises(ValidationError) as refused:
        reassign(teamlead, two, colleague, note=note)

    assert "note" in refused.value.message_dict
    assert_nothing_changed(two, counsellor)


# --- a double submit -------------------------------------------------------------------------


def test_the_same_submission_twice_reassigns_once_and_writes_one_note(
    teamlead, counsellor, colleague, two
):
    key = uuid.uuid4()

    first = reassign(teamlead, two, colleague, submission_key=key)
    second = reassign(teamlead, two, colleague, submission_key=key)

    assert len(first.moved) == 2 and not first.repeated
    assert second.repeated and not second.moved
    assert Contact.objects.count() == 2
    assert Notification.objects.filter(recipient=colleague).count() == 2
    assert all(Trajectory.objects.get(pk=t.pk).version == t.version + 1 for t in two)


def test_a_refused_submission_can_be_sent_again_with_its_key(teamlead, colleague, spi_team, two):
    set_limits(colleague, soft=0, hard=1)
    key = uuid.uuid4()
    with pytest.raises(services.OverHardLimit):
        reassign(teamlead, two, colleague, submission_key=key)

    result = reassign(teamlead, two, colleague, submission_key=key, confirm_over_limit=True)

    assert len(result.moved) == 2


def test_another_users_submission_key_is_refused(teamlead, youth_lead, colleague, two):
    key = uuid.uuid4()
    reassign(teamlead, two[:1], colleague, submission_key=key)

    with pytest.raises(PermissionDenied):
        reassign(youth_lead, two[1:], colleague, submission_key=key)


# --- the page ------------------------------------------------------------------------------


def post_form(browser, selection, to, *, query="", **fields):
    data = {
        "trajectories": [t.pk for t in selection],
        "to_counsellor": to.pk if hasattr(to, "pk") else to,
        "note": NOTE,
        "submission_key": str(uuid.uuid4()),
        **fields,
    }
    return browser.post(f"{URL}{query}", data)


def test_the_bulk_form_reassigns_and_returns_to_the_same_list(
    login, teamlead, counsellor, colleague, two
):
    browser = login(teamlead)
    query = f"?counsellor={counsellor.pk}&sort=-name"

    response = post_form(browser, two, colleague, query=query)

    assert response.status_code == 302
    assert response["Location"] == f"{URL}{query}"
    page = browser.get(response["Location"])
    html = page.content.decode()
    assert "2 clients reassigned to Camille Leroy; the handover note is in each journal." in html
    assert page.context["rows"] == []
    assert all(Trajectory.objects.get(pk=t.pk).counsellor == colleague for t in two)


def test_over_the_hard_limit_the_form_asks_for_confirmation_and_keeps_the_input(
    login, teamlead, colleague, two
):
    set_limits(colleague, soft=0, hard=1)
    browser = login(teamlead)
    key = str(uuid.uuid4())

    response = post_form(browser, two, colleague, submission_key=key)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="over-limit"' in html
    assert "above their hard limit of 1. Confirm to reassign anyway." in html
    for trajectory in two:
        assert f'value="{trajectory.pk}" id="select-{trajectory.pk}" checked' in html
    assert NOTE in html
    assert f'value="{key}"' in html
    assert not Contact.objects.exists()

    confirmed = post_form(browser, two, colleague, submission_key=key, confirm_over_limit="on")

    assert confirmed.status_code == 302
    assert Contact.objects.count() == 2
    page = browser.get(confirmed["Location"]).content.decode()
    assert "Camille Leroy now has 2 open trajectories, above their soft limit of 0." in page


def test_a_target_outside_the_team_is_a_form_error(login, teamlead, counsellor, other_team, two):
    response = post_form(login(teamlead), two, other_team)

    assert response.status_code == 400
    assert "Choose a counsellor of a team you lead." in response.content.decode()
    assert_nothing_changed(two, counsellor)


def test_a_closed_trajectory_is_a_message_on_the_page(
    login, teamlead, counsellor, colleague, spi_team, two
):
    closed = open_for(counsellor, spi_team, actor=teamlead)
    services.trajectory_transition(
        actor=teamlead, trajectory=closed, target=Phase.CLOSED, closing_reason=ClosingReason.MOVED
    )

    response = post_form(login(teamlead), [two[0], closed], colleague)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="reassign-errors"' in html
    assert f"{closed.client}: the trajectory is closed." in html
    # The closed one is not on the list; the selection is kept as a hidden field.
    assert f'<input type="hidden" name="trajectories" value="{closed.pk}">' in html
    assert_nothing_changed(two, counsellor)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"trajectories": []}, "Select at least one client."),
        ({"trajectories": ["x"]}, "The selection is not valid; select the clients again."),
        ({"note": ""}, "Write a handover note for the new counsellor."),
        ({"to_counsellor": ""}, "Choose the counsellor who takes over."),
        ({"to_counsellor": "abc"}, "Choose a counsellor of a team you lead."),
    ],
)
def test_incomplete_forms_say_what_is_missing(
    fields, message, login, teamlead, counsellor, colleague, two
):
    response = post_form(login(teamlead), two, colleague, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_changed(two, counsellor)


def test_a_foreign_trajectory_in_the_form_is_a_404(
    login, teamlead, counsellor, colleague, outsider, other_ocmw_team, two
):
    foreign = open_for(outsider, other_ocmw_team, actor=outsider)

    response = post_form(login(teamlead), [two[0], foreign], colleague)

    assert response.status_code == 404
    assert_nothing_changed(two, counsellor)


@pytest.mark.parametrize("name", ["counsellor", "colleague", "intake", "outsider"])
def test_only_a_team_lead_may_post_the_form(name, persona, login, counsellor, colleague, two):
    response = post_form(login(persona(name)), two, colleague)

    assert response.status_code == 403
    assert_nothing_changed(two, counsellor)


def test_a_double_post_of_the_form_acts_once(login, teamlead, colleague, two):
    browser = login(teamlead)
    key = str(uuid.uuid4())

    post_form(browser, two, colleague, submission_key=key)
    again = post_form(browser, two, colleague, submission_key=key)

    assert again.status_code == 302
    page = browser.get(again["Location"]).content.decode()
    assert "This reassignment was already done; nothing changed again." in page
    assert Contact.objects.count() == 2
    assert PhaseChange.objects.filter(kind=TransitionKind.REASSIGN).count() == 2


def test_the_handover_note_shows_in_the_new_counsellor_s_journal(login, teamlead, colleague, two):
    post_form(login(teamlead), two, colleague)

    html = login(colleague).get(reverse("trajecten:journal", args=[two[0].client_id]))
    assert NOTE in html.content.decode()


# --- two submissions at the same moment -----------------------------------------------------


def in_parallel(*calls):
    """Run each call in its own thread (its own database connection) at once;
    the results and errors, in the order of the calls."""
    import threading

    from django.db import connection

    results, errors = [None] * len(calls), []
    barrier = threading.Barrier(len(calls))

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False])
def test_two_simultaneous_submissions_reassign_once(same_key, teamlead, colleague, two):
    keys = [uuid.uuid4()] * 2 if same_key else [uuid.uuid4(), uuid.uuid4()]

    results, errors = in_parallel(
        *[lambda key=key: reassign(teamlead, two, colleague, submission_key=key) for key in keys]
    )

    assert errors == []
    assert sorted(len(r.moved) for r in results) == [0, 2]
    assert Contact.objects.count() == 2
    assert Notification.objects.filter(recipient=colleague).count() == 2
    assert all(Trajectory.objects.get(pk=t.pk).version == t.version + 1 for t in two)
