"""The daily e-mail digest: who gets a mail, what it says (in Dutch and French),
what it never says (a client's surname or INSZ), escalation to the team lead or
the OCMW administrator, and one digest a day whatever happens."""

from __future__ import annotations

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection

from ocmw.digest import digest_build, escalation_recipients, send_digests
from ocmw.models import DigestLog, ReminderSettings, Role, Task, User
from tests.factories import ClientFactory, StaffFactory
from tests.reminders.conftest import at
from trajecten import services as trajecten_services
from trajecten.models import Phase

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 11)  # a Monday


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def open_on(client, staff, team, day: datetime.date):
    """A trajectory opened on ``day``: its home visit is due that very day."""
    with at(day):
        return trajecten_services.trajectory_open(
            actor=staff, client=client, counsellor=staff, team=team, phase=Phase.SCREENING
        )


def home_visit_contact(staff, client, day: datetime.date):
    """A home visit on ``day``: the next one is a year off, and "no contact" is
    due six weeks later."""
    with at(day):
        trajecten_services.contact_record(
            actor=staff,
            client=client,
            data={"date": day, "type": "home_visit", "duration_minutes": 30, "summary": "Bezoek"},
        )


def new_client(staff, first_name: str, last_name: str):
    return ClientFactory(
        responsible_social_worker=staff, first_name=first_name, last_name=last_name
    )


@pytest.fixture
def scan_today(scan):
    return lambda: scan(TODAY)


@pytest.fixture
def run():
    """Send the digests as on TODAY at 07:00 (Brussels)."""

    def _run(day: datetime.date = TODAY):
        with at(day):
            return send_digests().as_dict()

    return _run


def mails_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def parts(message) -> tuple[str, str]:
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    return message.body, html


@pytest.fixture
def week(counsellor, spi_team, spi_case, scan_today):
    """Three tasks of ``counsellor``: overdue (home visit of Rachid, 3 days),
    today (home visit of Emma) and this week ("no contact" of Lucas, in 3 days)."""
    open_on(spi_case, counsellor, spi_team, days_ago(3))
    emma = new_client(counsellor, "Emma", "Vanhoutte")
    open_on(emma, counsellor, spi_team, TODAY)
    lucas = new_client(counsellor, "Lucas", "Peeters")
    first = days_ago(42 - 3)
    open_on(lucas, counsellor, spi_team, first)
    home_visit_contact(counsellor, lucas, first)
    # Beyond the week: an evaluation in four months is no news yet.
    scan_today()
    return {"overdue": spi_case, "today": emma, "this_week": lucas}


def test_the_digest_groups_open_tasks_as_overdue_today_and_this_week(week, counsellor):
    digest = digest_build(user=counsellor, today=TODAY)
    assert [(i.client_first_name, i.due_date) for i in digest.overdue] == [("Rachid", days_ago(3))]
    assert [i.client_first_name for i in digest.today] == ["Emma"]
    assert [(i.client_first_name, i.due_date) for i in digest.this_week] == [
        ("Lucas", D(2026, 5, 14))
    ]
    assert digest.escalated == []
    assert digest.overdue[0].days_overdue == 3
    assert digest.overdue[0].file_number == week["overdue"].file_number


def test_one_mail_with_the_sections_first_names_file_numbers_and_links(
    week, counsellor, run, settings
):
    settings.SITE_URL = "https://trajecten.ocmw.example/"
    assert run() == {"sent": 1, "skipped": 0, "no_email": 0}
    [message] = mail.outbox
    assert message.to == ["counsellor@ocmw-test.invalid"]
    assert message.subject == "Your tasks for 11/05/2026"
    text, html = parts(message)
    for part in (text, html):
        assert part.index("Overdue") < part.index("Rachid") < part.index("Due today")
        assert part.index("Due today") < part.index("Emma") < part.index("Due this week")
        assert part.index("Due this week") < part.index("Lucas")
        assert "Home visit due" in part and "No contact for several weeks" in part
        assert "08/05/2026" in part and "11/05/2026" in part and "14/05/2026" in part
        for client in week.values():
            assert client.file_number in part
        task = Task.objects.get(client=week["overdue"])
        assert f"https://trajecten.ocmw.example/tasks/#task-{task.pk}" in part
        assert "Escalated" not in part
    assert "<style" not in html and "<link" not in html and "src=" not in html
    log = DigestLog.objects.get(user=counsellor, day=TODAY)
    assert log.sent_at is not None and log.item_count == 3


def test_no_surname_insz_or_other_client_detail_leaves_the_ocmw(week, counsellor, run):
    run()
    [message] = mail.outbox
    for client in week.values():
        client.refresh_from_db()
        for part in (message.subject, *parts(message)):
            assert client.first_name in part or part == message.subject
            assert client.last_name not in part
            assert client.insz not in part
            assert client.insz_display not in part
            assert client.birth_date.strftime("%d/%m/%Y") not in part


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        (
            "nl",
            "Uw taken voor 11/05/2026",
            ["Te laat", "Vandaag", "Deze week", "Huisbezoek te doen", "dossier", "Open mijn taken"],
        ),
        (
            "fr",
            "Vos tâches pour le 11/05/2026",
            ["En retard", "Aujourd'hui", "Cette semaine", "Visite à domicile", "Ouvrir mes tâches"],
        ),
    ],
)
def test_the_digest_is_written_in_the_staff_members_language(
    week, counsellor, run, real_translations, language, subject, words
):
    User.objects.filter(pk=counsellor.pk).update(language=language)
    run()
    [message] = mail.outbox
    assert message.subject == subject
    text, html = parts(message)
    for word in words:
        assert word in text, word
        assert word.replace("'", "&#x27;") in html, word
    assert "Overdue" not in text + html and "Due this week" not in text + html
    assert "Rachid" in text and week["overdue"].file_number in text
    assert "Tahiri" not in text + html


def test_staff_without_an_e_mail_address_get_no_mail(
    spi_team, counsellor, spi_case, scan_today, run
):
    quiet = StaffFactory(ocmw=counsellor.ocmw, teams=[spi_team], first_name="Zonder")
    assert quiet.email == ""
    open_on(new_client(quiet, "Mila", "Jacobs"), quiet, spi_team, days_ago(2))
    scan_today()
    assert Task.objects.filter(responsible=quiet).exists()
    assert run() == {"sent": 0, "skipped": 0, "no_email": 1}
    assert mail.outbox == []
    assert not DigestLog.objects.filter(user=quiet).exists()


def test_nobody_with_nothing_to_report_gets_a_mail(
    counsellor, colleague, teamlead, admin, spi_team, spi_case, scan_today, run
):
    # A task beyond the week, a snoozed one and a done one: nothing to report.
    open_on(spi_case, counsellor, spi_team, days_ago(2))
    scan_today()
    task = Task.objects.get(client=spi_case, kind="home_visit")
    Task.objects.filter(pk=task.pk).update(status="snoozed", snoozed_until=D(2026, 6, 1))
    assert run() == {"sent": 0, "skipped": 0, "no_email": 0}
    assert mail.outbox == []
    Task.objects.filter(pk=task.pk).update(status="done", snoozed_until=None)
    assert run() == {"sent": 0, "skipped": 0, "no_email": 0}
    assert mail.outbox == []


def test_a_counsellors_digest_never_holds_a_colleagues_tasks(
    week, counsellor, colleague, spi_team, scan_today, run
):
    nora = new_client(colleague, "Nora", "Collega")
    open_on(nora, colleague, spi_team, days_ago(1))
    scan_today()
    assert run()["sent"] == 2
    [mine] = mails_to(counsellor)
    [theirs] = mails_to(colleague)
    assert "Nora" not in "".join(parts(mine)) and nora.file_number not in mine.body
    assert "Rachid" not in "".join(parts(theirs))
    assert "Emma" not in theirs.body and "Lucas" not in theirs.body


# --- escalation --------------------------------------------------------------------


@pytest.mark.parametrize(("overdue", "escalated"), [(13, False), (14, False), (15, True)])
def test_a_task_overdue_more_than_14_days_escalates_to_the_team_lead(
    counsellor, teamlead, admin, spi_team, spi_case, scan_today, run, overdue, escalated
):
    open_on(spi_case, counsellor, spi_team, days_ago(overdue))
    scan_today()
    digest = digest_build(user=teamlead, today=TODAY)
    assert [i.client_first_name for i in digest.escalated] == (["Rachid"] if escalated else [])
    assert digest_build(user=admin, today=TODAY).escalated == []  # the team has a team lead
    assert set(escalation_recipients(ocmw_id=admin.ocmw_id, today=TODAY)) == (
        {teamlead} if escalated else set()
    )
    run()
    assert len(mails_to(counsellor)) == 1  # the counsellor's own overdue list
    assert len(mails_to(teamlead)) == (1 if escalated else 0)
    assert mails_to(admin) == []  # the team has a team lead
    if escalated:
        text, html = parts(mails_to(teamlead)[0])
        for part in (text, html):
            assert "Escalated" in part
            assert "Koen De Backer" in part  # the responsible staff member
            assert "15 days overdue" in part
            assert "Rachid" in part and spi_case.file_number in part
            assert "Tahiri" not in part and spi_case.insz not in part
        task = Task.objects.get(client=spi_case, kind="home_visit")
        assert f"/tasks/?who=team&amp;staff={counsellor.pk}#task-{task.pk}" in html
        assert DigestLog.objects.get(user=teamlead, day=TODAY).item_count == 1


def test_a_team_without_team_lead_escalates_to_the_ocmw_administrator(
    other_team, youth_team, teamlead, admin, outsider, scan_today, run
):
    jeugd = new_client(other_team, "Yara", "Jeugdig")
    open_on(jeugd, other_team, youth_team, days_ago(20))
    scan_today()
    assert [i.client_first_name for i in digest_build(user=admin, today=TODAY).escalated] == [
        "Yara"
    ]
    assert digest_build(user=teamlead, today=TODAY).escalated == []
    assert set(escalation_recipients(ocmw_id=admin.ocmw_id, today=TODAY)) == {admin}
    run()
    [message] = mails_to(admin)
    assert "Yara" in message.body and "Jonas Jeugd" in message.body
    assert "Jeugdig" not in message.body
    assert mails_to(teamlead) == [] and mails_to(outsider) == []


def test_a_staff_member_in_no_team_escalates_to_the_administrator(
    counsellor, teamlead, admin, spi_team, spi_case, scan_today, run
):
    open_on(spi_case, counsellor, spi_team, days_ago(16))
    scan_today()
    counsellor.teams.clear()  # left the team; the task stays theirs
    assert digest_build(user=teamlead, today=TODAY).escalated == []
    assert [i.client_first_name for i in digest_build(user=admin, today=TODAY).escalated] == [
        "Rachid"
    ]


def test_a_team_leads_own_overdue_task_goes_to_another_lead_else_to_the_administrator(
    ocmw, youth_team, teamlead, admin, scan_today
):
    lead = StaffFactory(
        ocmw=ocmw, teams=[youth_team], roles=[Role.TEAM_LEAD, Role.COUNSELLOR], first_name="Lea"
    )
    open_on(new_client(lead, "Yara", "Jeugdig"), lead, youth_team, days_ago(20))
    scan_today()
    assert digest_build(user=lead, today=TODAY).escalated == []  # not to themselves
    assert set(escalation_recipients(ocmw_id=ocmw.pk, today=TODAY)) == {admin}
    assert [i.responsible_name for i in digest_build(user=admin, today=TODAY).escalated] == [
        "Lea Test"
    ]
    second = StaffFactory(ocmw=ocmw, teams=[youth_team], roles=[Role.TEAM_LEAD])
    assert len(digest_build(user=second, today=TODAY).escalated) == 1
    assert set(escalation_recipients(ocmw_id=ocmw.pk, today=TODAY)) == {second}
    assert digest_build(user=admin, today=TODAY).escalated == []
    assert digest_build(user=teamlead, today=TODAY).escalated == []  # not their team


def test_the_ocmws_own_escalation_days_are_honoured(
    counsellor, teamlead, ocmw, spi_team, spi_case, scan_today
):
    open_on(spi_case, counsellor, spi_team, days_ago(6))
    scan_today()
    assert digest_build(user=teamlead, today=TODAY).escalated == []
    ReminderSettings.objects.create(ocmw=ocmw, escalation_days=5)
    assert [i.days_overdue for i in digest_build(user=teamlead, today=TODAY).escalated] == [6]


def test_a_team_lead_with_only_escalations_still_gets_a_mail_and_snoozed_tasks_do_not_escalate(
    counsellor, teamlead, spi_team, spi_case, scan_today, run
):
    open_on(spi_case, counsellor, spi_team, days_ago(30))
    scan_today()
    assert run() == {"sent": 2, "skipped": 0, "no_email": 0}
    [message] = mails_to(teamlead)
    assert "Overdue" not in message.body and "Escalated" in message.body
    Task.objects.filter(client=spi_case).update(status="snoozed", snoozed_until=D(2026, 6, 1))
    assert digest_build(user=teamlead, today=TODAY).escalated == []


# --- once a day --------------------------------------------------------------------


def test_a_second_run_the_same_day_sends_nothing_but_the_next_working_day_does(
    week, counsellor, run
):
    assert run() == {"sent": 1, "skipped": 0, "no_email": 0}
    assert run() == {"sent": 0, "skipped": 1, "no_email": 0}
    assert len(mail.outbox) == 1
    assert run(TODAY + datetime.timedelta(days=1))["sent"] == 1
    assert len(mail.outbox) == 2


class RefusingBackend(locmem.EmailBackend):
    """The locmem outbox, except that the mail server refuses one address."""

    refused = "counsellor@ocmw-test.invalid"

    def send_messages(self, messages):
        if any(self.refused in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"no such user")})
        return super().send_messages(messages)


def test_a_refused_mail_costs_nobody_else_their_digest_and_goes_on_a_rerun(
    week, counsellor, colleague, spi_team, scan_today, run, settings
):
    open_on(new_client(colleague, "Nora", "Collega"), colleague, spi_team, days_ago(1))
    scan_today()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert run() == {"sent": 1, "skipped": 0, "no_email": 0}
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert not DigestLog.objects.filter(user=counsellor, sent_at__isnull=False).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run() == {"sent": 1, "skipped": 1, "no_email": 0}
    assert [m.to for m in mail.outbox] == [[colleague.email], [counsellor.email]]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_digest(week, counsellor):
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(send_digests(today=TODAY).as_dict())
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(mail.outbox) == 1
    assert sorted(r["sent"] for r in results) == [0, 1]
    assert sum(r["skipped"] for r in results) == 1
    assert DigestLog.objects.filter(user=counsellor, day=TODAY).count() == 1


# --- cost --------------------------------------------------------------------------


@pytest.mark.parametrize("clients", [1, 4])
def test_building_a_digest_costs_the_same_whatever_the_number_of_tasks(
    counsellor, teamlead, spi_team, scan_today, django_assert_num_queries, clients
):
    for n in range(clients):
        client = new_client(counsellor, f"Voornaam{n}", f"Achternaam{n}")
        open_on(client, counsellor, spi_team, days_ago(20 + n))
    scan_today()
    # the counsellor's open tasks due within the week (client first name joined)
    with django_assert_num_queries(1):
        assert len(digest_build(user=counsellor, today=TODAY).overdue) == clients
    # the team lead's own tasks, the OCMW's escalation days, the escalated tasks
    with django_assert_num_queries(3):
        assert len(digest_build(user=teamlead, today=TODAY).escalated) == clients


# --- schedule and command ----------------------------------------------------------


def test_the_digest_runs_at_seven_on_working_days(settings):
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "ocmw.send_digests"
    ]
    schedule = entry["schedule"]
    assert schedule.hour == {7} and schedule.minute == {0}
    assert schedule.day_of_week == {1, 2, 3, 4, 5}


def test_the_command_sends_the_digests_of_a_given_day(week, counsellor, capsys):
    call_command("send_digests", "--date", "2026-05-11")
    assert "1 sent, 0 skipped" in capsys.readouterr().out
    assert mails_to(counsellor)[0].subject == "Your tasks for 11/05/2026"
    call_command("send_digests", "--date", "2026-05-11")
    assert "0 sent, 1 skipped" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_command_refuses_a_bad_date_and_sends_nothing(week):
    with pytest.raises(CommandError, match="not a date"):
        call_command("send_digests", "--date", "11/05/2026")
    assert mail.outbox == []
    assert not DigestLog.objects.exists()
