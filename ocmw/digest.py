"""The daily e-mail digest of open tasks, with the escalations of the team.

Every working day at 07:00 each active staff member with an e-mail address and
something to report gets ONE mail, in their own language, grouped as overdue /
today / this week (open tasks only: a snoozed task waits for its day). A team
lead's digest adds the team's tasks overdue by more than the OCMW's escalation
days (14); a task whose responsible is in no team with a team lead escalates to
the OCMW's administrators instead.

The mail leaves the OCMW, so a task names its client by first name and file
number only: no surname, no INSZ, nothing else of the file. The queries here
never even read the surname of a client.

Sending is idempotent per staff member and day (``DigestLog``): the row is
locked while the mail goes out and marked sent in the same transaction, so a
rerun (``acks_late`` after a killed worker) or a second worker sends nothing
twice. The one gap left is a mail sent whose commit then fails: it goes again
on the rerun, which beats losing it.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ocmw.models import Client, DigestLog, Role, Task, TaskStatus, User
from ocmw.reminders import kind_labels
from ocmw.selectors import escalated_tasks

logger = logging.getLogger(__name__)

# "This week": open tasks due up to this many days ahead.
WEEK_DAYS = 7

_Membership = User.teams.through


@dataclass
class DigestItem:
    task_id: int
    # Lazy: translated when the mail is rendered, in the recipient's language.
    kind_label: Any
    due_date: datetime.date
    client_first_name: str
    file_number: str
    url: str
    days_overdue: int = 0
    responsible_name: str = ""


@dataclass
class Digest:
    user: User
    day: datetime.date
    overdue: list[DigestItem] = field(default_factory=list)
    today: list[DigestItem] = field(default_factory=list)
    this_week: list[DigestItem] = field(default_factory=list)
    escalated: list[DigestItem] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.this_week) + len(self.escalated)

    @property
    def is_empty(self) -> bool:
        return self.item_count == 0


@dataclass
class DigestRun:
    sent: int = 0
    skipped: int = 0
    no_email: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "skipped": self.skipped, "no_email": self.no_email}


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _team_lead_elsewhere() -> Exists:
    """Some other active team lead shares a team with the task's responsible."""
    return Exists(
        User.objects.filter(
            is_active=True,
            roles__contains=[Role.TEAM_LEAD],
            teams__members=OuterRef("responsible_id"),
        ).exclude(pk=OuterRef("responsible_id"))
    )


def escalations_for(*, user: User, today: datetime.date) -> QuerySet[Task]:
    """The escalated tasks that reach ``user``: as a team lead, those of the
    members of the teams they lead; as the OCMW administrator, those whose
    responsible is in no team with a team lead. Nobody is escalated to about
    their own tasks: a team lead's own overdue task goes to another lead of
    the team, else to the administrator."""
    if user.ocmw_id is None or not (user.is_team_lead or user.is_ocmw_admin):
        return Task.objects.none()
    reaches = Q(pk__in=[])
    if user.is_team_lead:
        reaches |= Q(
            Exists(
                _Membership.objects.filter(user_id=OuterRef("responsible_id"), team__members=user)
            )
        )
    if user.is_ocmw_admin:
        reaches |= ~Q(_team_lead_elsewhere())
    return (
        escalated_tasks(ocmw_id=user.ocmw_id, today=today)
        .filter(reaches)
        .exclude(responsible_id=user.pk)
    )


def escalation_recipients(*, ocmw_id: int, today: datetime.date) -> QuerySet[User]:
    """Active staff of an OCMW who receive at least one escalated task today."""
    escalated = escalated_tasks(ocmw_id=ocmw_id, today=today).exclude(responsible_id=OuterRef("pk"))
    to_lead = escalated.filter(
        Exists(
            _Membership.objects.filter(
                user_id=OuterRef("responsible_id"), team__members=OuterRef(OuterRef("pk"))
            )
        )
    )
    to_admin = escalated.filter(~Q(_team_lead_elsewhere()))
    return User.objects.filter(ocmw_id=ocmw_id, is_active=True).filter(
        Q(Q(roles__contains=[Role.TEAM_LEAD]), Exists(to_lead))
        | Q(Q(roles__contains=[Role.ADMIN]), Exists(to_admin))
    )


def digest_build(*, user: User, today: datetime.date) -> Digest:
    """What ``user``'s digest of ``today`` holds. One query for the own tasks,
    two more (escalation days, escalated tasks) for team leads and
    administrators, whatever the number of tasks."""
    labels = kind_labels()
    digest = Digest(user=user, day=today)
    tasks_url = reverse("task_list")
    horizon = today + datetime.timedelta(days=WEEK_DAYS)
    own = (
        Task.objects.filter(responsible_id=user.pk, status=TaskStatus.OPEN, due_date__lte=horizon)
        .order_by("due_date", "id")
        .values_list("pk", "kind", "due_date", "client_id", "client__first_name")
    )
    for pk, kind, due, client_id, first_name in own:
        item = DigestItem(
            task_id=pk,
            kind_label=labels.get(kind, kind),
            due_date=due,
            client_first_name=first_name,
            file_number=Client(pk=client_id).file_number,
            url=_absolute(f"{tasks_url}#task-{pk}"),
            days_overdue=max((today - due).days, 0),
        )
        if due < today:
            digest.overdue.append(item)
        elif due == today:
            digest.today.append(item)
        else:
            digest.this_week.append(item)

    escalated = (
        escalations_for(user=user, today=today)
        .order_by("due_date", "id")
        .values_list(
            "pk",
            "kind",
            "due_date",
            "client_id",
            "client__first_name",
            "responsible_id",
            "responsible__first_name",
            "responsible__last_name",
        )
    )
    for pk, kind, due, client_id, first_name, staff_id, staff_first, staff_last in escalated:
        # A team lead opens the team's tasks filtered on the member; an
        # administrator has no task list of others, so lands on the home page.
        if user.is_team_lead:
            path = f"{tasks_url}?who=team&staff={staff_id}#task-{pk}"
        else:
            path = reverse("home")
        digest.escalated.append(
            DigestItem(
                task_id=pk,
                kind_label=labels.get(kind, kind),
                due_date=due,
                client_first_name=first_name,
                file_number=Client(pk=client_id).file_number,
                url=_absolute(path),
                days_overdue=(today - due).days,
                responsible_name=f"{staff_first} {staff_last}".strip(),
            )
        )
    return digest


def digest_message(*, digest: Digest, connection: Any = None) -> EmailMultiAlternatives:
    """The mail of a digest, in the recipient's language, plain text and HTML."""
    user = digest.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        sections = [
            {"key": "overdue", "title": _("Overdue"), "items": digest.overdue},
            {"key": "today", "title": _("Due today"), "items": digest.today},
            {"key": "this_week", "title": _("Due this week"), "items": digest.this_week},
        ]
        context = {
            "digest": digest,
            "user": user,
            "sections": [section for section in sections if section["items"]],
            "escalated": digest.escalated,
            "tasks_url": _absolute(reverse("task_list")),
        }
        subject = _("Your tasks for %(day)s") % {"day": digest.day.strftime("%d/%m/%Y")}
        text = render_to_string("ocmw/email/digest.txt", context)
        html = render_to_string("ocmw/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[user.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


def _candidates(today: datetime.date) -> QuerySet[User]:
    """Active staff who may have something to report: open tasks due within the
    week, or escalations reaching them."""
    horizon = today + datetime.timedelta(days=WEEK_DAYS)
    own = Task.objects.filter(status=TaskStatus.OPEN, due_date__lte=horizon).values(
        "responsible_id"
    )
    wanted = Q(pk__in=own)
    overdue_ocmws = (
        Task.objects.filter(status=TaskStatus.OPEN, due_date__lt=today)
        .order_by()
        .values_list("ocmw_id", flat=True)
        .distinct()
    )
    for ocmw_id in overdue_ocmws:
        wanted |= Q(pk__in=escalation_recipients(ocmw_id=ocmw_id, today=today).values("pk"))
    return User.objects.filter(wanted, is_active=True).order_by("pk")


def _send_one(*, user: User, today: datetime.date, run: DigestRun) -> None:
    digest = digest_build(user=user, today=today)
    if digest.is_empty:
        return
    if not user.email:
        run.no_email += 1
        return
    with transaction.atomic():
        log, _created = DigestLog.objects.get_or_create(user=user, day=today)
        log = DigestLog.objects.select_for_update().get(pk=log.pk)
        if log.sent_at is not None:
            run.skipped += 1
            return
        digest_message(digest=digest).send()
        log.sent_at = timezone.now()
        log.item_count = digest.item_count
        log.save(update_fields=["sent_at", "item_count"])
    run.sent += 1


def send_digests(*, today: datetime.date | None = None) -> DigestRun:
    """Send today's digests; safe to run again and concurrently."""
    today = today or timezone.localdate()
    run = DigestRun()
    already = set(
        DigestLog.objects.filter(day=today, sent_at__isnull=False).values_list("user_id", flat=True)
    )
    for user in _candidates(today):
        if user.pk in already:
            run.skipped += 1
            continue
        try:
            _send_one(user=user, today=today, run=run)
        except Exception:
            # One refused address must not cost everyone else their digest; the
            # log row was rolled back, so a rerun today still sends this one.
            logger.exception("digest of %s for %s not sent", user.pk, today)
    logger.info(
        "digests of %s: %s sent, %s already sent, %s without e-mail",
        today,
        run.sent,
        run.skipped,
        run.no_email,
    )
    return run
