""" "My tasks" is the one inbox: the user's unread notifications above the tasks,
and one header counter for the tasks due by today plus the unread
notifications. Notifications are personal: nobody sees another person's, not
even the team lead, who does see the team's tasks."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from ocmw.models import Notification, Task
from ocmw.services import notify
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db

D = datetime.date
# Trajectories opened 05/01/2026: on 10/02 the home visit is overdue (due 05/01) and
# "no contact" is shown a week ahead (due 16/02); the evaluation is not shown yet.
TODAY = D(2026, 2, 10)


@pytest.fixture(autouse=True)
def _clock():
    with at(TODAY):
        yield


@pytest.fixture
def tasks(spi_trajectory, colleague_trajectory, scan):
    scan(TODAY)
    return Task.objects.all()


def assigned(recipient, name: str, link: str = "") -> Notification:
    notify(
        recipient=recipient,
        message="%(client)s was assigned to you.",
        params={"client": name},
        link=link,
    )
    return Notification.objects.filter(recipient=recipient).latest("id")


def inbox(response) -> str:
    html = response.content.decode()
    if 'id="inbox-notifications"' not in html:
        return ""
    return html.split('id="inbox-notifications"', 1)[1].split("</section>", 1)[0]


def badge(response) -> int:
    html = response.content.decode()
    if 'id="task-badge">' not in html:
        return 0
    return int(html.split('id="task-badge">', 1)[1].split("<", 1)[0])


def shown(response) -> set[int]:
    return {task.pk for task in response.context["page"].object_list}


def test_unread_notifications_come_first_each_opening_its_target(
    tasks, login, counsellor, spi_case
):
    target = reverse("client_detail", args=[spi_case.pk])
    note = assigned(counsellor, "Rachid Tahiri", link=target)
    response = login(counsellor).get("/tasks/")
    html = response.content.decode()
    section = inbox(response)
    assert "Rachid Tahiri was assigned to you." in section
    assert html.index('id="inbox-notifications"') < html.index('id="task-table"')
    open_url = reverse("trajecten:notification_open", args=[note.pk])
    assert f'action="{open_url}"' in section

    opened = login(counsellor).post(open_url)
    assert opened.status_code == 302 and opened["Location"] == target
    note.refresh_from_db()
    assert note.read_at is not None
    assert inbox(login(counsellor).get("/tasks/")) == ""


def test_read_notifications_stay_out_of_the_inbox(tasks, login, counsellor):
    note = assigned(counsellor, "Oud bericht")
    Notification.objects.filter(pk=note.pk).update(read_at=note.created_at)
    response = login(counsellor).get("/tasks/")
    assert "Oud bericht" not in response.content.decode()


def test_the_counter_counts_tasks_due_by_today_plus_unread_notifications(tasks, login, counsellor):
    mine = Task.objects.filter(responsible=counsellor)
    assert sorted(t.due_date for t in mine) == [D(2026, 1, 5), D(2026, 2, 16)]
    client = login(counsellor)
    assert badge(client.get("/tasks/")) == 1  # the overdue home visit; not "no contact" yet
    assigned(counsellor, "A")
    assigned(counsellor, "B")
    assert badge(client.get("/")) == 3
    with at(D(2026, 2, 16)):  # "no contact" is due today now
        assert badge(client.get("/")) == 4


def test_a_snoozed_task_leaves_the_counter(tasks, login, counsellor):
    client = login(counsellor)
    task = Task.objects.get(responsible=counsellor, kind="home_visit")
    client.post(f"/tasks/{task.pk}/snooze/", {"until": "2026-02-20", "reason": "Ziek"})
    assert badge(client.get("/tasks/")) == 0


def test_a_counsellor_never_sees_a_colleagues_notifications_or_tasks(
    tasks, login, counsellor, colleague
):
    assigned(colleague, "Bericht voor Camille")
    assigned(counsellor, "Bericht voor Koen")
    response = login(counsellor).get("/tasks/", {"who": "team"})
    html = response.content.decode()
    assert "Bericht voor Koen was assigned to you." in inbox(response)
    assert "Bericht voor Camille" not in html
    assert shown(response) == set(
        Task.objects.filter(responsible=counsellor).values_list("pk", flat=True)
    )
    assert badge(response) == 2  # my due task and my notification, not the colleague's


def test_the_team_lead_sees_the_teams_tasks_but_not_their_notifications(
    tasks, login, teamlead, counsellor, colleague
):
    assigned(counsellor, "Bericht voor Koen")
    assigned(colleague, "Bericht voor Camille")
    assigned(teamlead, "Bericht voor Tine")
    response = login(teamlead).get("/tasks/", {"who": "team"})
    html = response.content.decode()
    assert shown(response) == set(Task.objects.values_list("pk", flat=True))
    assert "Bericht voor Tine was assigned to you." in inbox(response)
    assert "Bericht voor Koen" not in html and "Bericht voor Camille" not in html
    assert badge(response) == 1  # the team's tasks are not the lead's own


def test_opening_someone_elses_notification_is_a_404_and_leaves_it_unread(
    tasks, login, counsellor, colleague
):
    note = assigned(colleague, "Nora Collega", link="/")
    response = login(counsellor).post(reverse("trajecten:notification_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_many_unread_notifications_show_the_newest_and_lead_to_the_rest(tasks, login, counsellor):
    for n in range(12):
        assigned(counsellor, f"Cliënt {n:02d}")
    section = inbox(login(counsellor).get("/tasks/"))
    assert section.count('class="notification ') == 10
    assert "Cliënt 11" in section and "Cliënt 01" not in section
    assert f'href="{reverse("trajecten:notifications")}"' in section
    assert "More notifications" in section


@pytest.mark.parametrize("notifications", [0, 1, 6])
def test_inbox_queries_do_not_grow_with_the_notifications(
    tasks, login, counsellor, notifications, django_assert_num_queries
):
    for n in range(notifications):
        assigned(counsellor, f"Cliënt {n}")
    client = login(counsellor)
    # 1 session, 2 user, 3 COUNT of my tasks (paginator), 4 one page of tasks, 5 tasks
    # due + unread notifications (header and inbox, one query), 6 the unread
    # notifications themselves (only when there are some), 7 the user's OCMW (header).
    with django_assert_num_queries(7 if notifications else 6):
        response = client.get("/tasks/")
    assert inbox(response).count('class="notification ') == notifications
