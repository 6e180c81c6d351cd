"""The "My tasks" page, the header counter, snooze and mark done: who sees and
may change which task. A counsellor never sees a colleague's tasks; a team lead
sees the team's."""

from __future__ import annotations

import datetime

import pytest

from ocmw import services
from ocmw.models import ClosedReason, Task, TaskStatus
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 10)


@pytest.fixture
def tasks(spi_trajectory, colleague_trajectory, scan):
    """Three tasks each for ``counsellor`` and ``colleague`` (same SPI team)."""
    scan(TODAY)
    return Task.objects.all()


@pytest.fixture(autouse=True)
def _clock():
    with at(TODAY):
        yield


def shown(response) -> set[int]:
    return {task.pk for task in response.context["page"].object_list}


def test_my_tasks_lists_my_open_tasks_overdue_first_linking_to_the_client(
    tasks, login, counsellor, spi_case
):
    response = login(counsellor).get("/tasks/")
    assert response.status_code == 200
    mine = list(Task.objects.filter(responsible=counsellor))
    assert shown(response) == {t.pk for t in mine}
    dues = [t.due_date for t in response.context["page"].object_list]
    assert dues == sorted(dues) and dues[0] < TODAY  # the home visit, overdue since opening
    body = response.content.decode()
    assert f'href="/clients/{spi_case.pk}/"' in body
    assert "task-row table-danger" in body  # overdue rows stand out
    assert 'id="task-badge">3' in body


@pytest.mark.parametrize(
    "name", ["colleague", "other_team", "intake", "socialworker", "admin", "outsider"]
)
def test_nobody_else_sees_the_counsellors_tasks(tasks, login, persona, counsellor, name):
    user = persona(name)
    response = login(user).get("/tasks/", {"who": "team"})
    assert response.status_code == 200
    assert not shown(response) & set(
        Task.objects.filter(responsible=counsellor).values_list("pk", flat=True)
    )


def test_a_counsellor_asking_for_the_team_still_sees_only_their_own(
    tasks, login, counsellor, colleague
):
    response = login(counsellor).get("/tasks/", {"who": "team", "staff": colleague.pk})
    assert shown(response) == set(
        Task.objects.filter(responsible=counsellor).values_list("pk", flat=True)
    )


def test_the_team_lead_sees_the_teams_tasks_and_can_filter_on_one_member(
    tasks, login, teamlead, colleague
):
    client = login(teamlead)
    assert shown(client.get("/tasks/")) == set()
    assert shown(client.get("/tasks/", {"who": "team"})) == set(
        Task.objects.values_list("pk", flat=True)
    )
    only = client.get("/tasks/", {"who": "team", "staff": colleague.pk})
    assert shown(only) == set(
        Task.objects.filter(responsible=colleague).values_list("pk", flat=True)
    )


def test_anonymous_is_sent_to_the_login_page(login):
    response = login(None).get("/tasks/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_snooze_with_a_reason_hides_the_task_from_the_counter_until_that_day(
    tasks, login, counsellor, scan
):
    task = Task.objects.filter(responsible=counsellor, kind="home_visit").get()
    client = login(counsellor)
    response = client.post(
        f"/tasks/{task.pk}/snooze/", {"until": "2026-05-20", "reason": "Cliënt in het ziekenhuis"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.snoozed_until) == (TaskStatus.SNOOZED, D(2026, 5, 20))
    assert task.snooze_reason == "Cliënt in het ziekenhuis"
    assert 'id="task-badge">2' in client.get("/tasks/").content.decode()
    scan(D(2026, 5, 20))
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_snooze_without_reason_or_into_the_past_is_refused(tasks, login, counsellor):
    task = Task.objects.filter(responsible=counsellor).first()
    client = login(counsellor)
    client.post(f"/tasks/{task.pk}/snooze/", {"until": "2026-05-20", "reason": " "})
    client.post(f"/tasks/{task.pk}/snooze/", {"until": "2026-05-01", "reason": "Later"})
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_mark_done_with_a_note(tasks, login, counsellor):
    task = Task.objects.filter(responsible=counsellor, kind="no_contact").get()
    login(counsellor).post(f"/tasks/{task.pk}/done/", {"note": "Telefonisch gesproken"})
    task.refresh_from_db()
    assert (task.status, task.closed_reason) == (TaskStatus.DONE, ClosedReason.DONE_BY_HAND)
    assert task.done_note == "Telefonisch gesproken"
    assert task.done_by == counsellor


@pytest.mark.parametrize("name", ["colleague", "other_team", "outsider", "intake"])
def test_another_persons_task_is_a_404_and_unchanged(tasks, login, persona, counsellor, name):
    task = Task.objects.filter(responsible=counsellor).first()
    client = login(persona(name))
    assert client.post(f"/tasks/{task.pk}/done/", {"note": "x"}).status_code == 404
    assert (
        client.post(f"/tasks/{task.pk}/snooze/", {"until": "2026-06-01", "reason": "x"}).status_code
        == 404
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_team_lead_may_close_a_team_members_task(tasks, login, teamlead, colleague):
    task = Task.objects.filter(responsible=colleague).first()
    login(teamlead).post(f"/tasks/{task.pk}/done/", {"note": "Overgenomen"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_services_refuse_a_colleague(tasks, colleague, counsellor):
    from django.core.exceptions import PermissionDenied

    task = Task.objects.filter(responsible=counsellor).first()
    with pytest.raises(PermissionDenied):
        services.task_mark_done(actor=colleague, task=task, note="x")


@pytest.mark.parametrize("extra_trajectories", [0, 5])
def test_tasks_page_queries_do_not_grow_with_the_tasks(
    tasks,
    login,
    counsellor,
    extra_trajectories,
    open_trajectory,
    scan,
    django_assert_num_queries,
):
    from ocmw import insz
    from tests.factories import ClientFactory

    for n in range(extra_trajectories):
        born = D(1970, 1, 1) + datetime.timedelta(days=40 * n)
        client = ClientFactory(
            responsible_social_worker=counsellor, birth_date=born, insz=insz.build(born, 201 + n)
        )
        open_trajectory(client, counsellor)
    scan(TODAY)
    client = login(counsellor)
    # 1 session, 2 user, 3 COUNT of my tasks (paginator), 4 one page of tasks with
    # their client and responsible, 5 open tasks + unread notifications (header
    # badges, one query), 6 the user's OCMW (header).
    with django_assert_num_queries(6):
        response = client.get("/tasks/")
    assert len(shown(response)) == 3 * (1 + extra_trajectories)


def test_team_tasks_page_queries(tasks, login, teamlead, django_assert_num_queries):
    client = login(teamlead)
    # As above, plus 7 the team members for the filter.
    with django_assert_num_queries(7):
        response = client.get("/tasks/", {"who": "team"})
    assert len(shown(response)) == 6
