"""Every write of the core goes through these functions.

Each is keyword-only, validates with ``full_clean()`` and runs inside
``transaction.atomic()``; pghistory's context names the acting user so the
audit trail knows who did it, also outside a web request (seeders, Celery).
"""

from __future__ import annotations

import uuid
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocmw import insz as insz_rules
from ocmw.models import (
    AccessAction,
    AccessLog,
    Client,
    Language,
    Notification,
    Ocmw,
    Role,
    SubmissionKey,
    Team,
    User,
)
from ocmw.selectors import client_possible_duplicates

# Fields of a client the intake desk may set: identity, contact and the
# responsible worker, never case content.
IDENTITY_FIELDS = (
    "insz",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "preferred_language",
    "languages_spoken",
    "phone",
    "email",
    "street",
    "postal_code",
    "city",
    "responsible_social_worker",
)
CASE_FIELDS = ("leefloon_decision_date",)


class DuplicateInsz(ValidationError):
    """A client with this INSZ already exists in the OCMW."""

    def __init__(self, existing: Client):
        self.existing = existing
        super().__init__(
            {
                "insz": [
                    ValidationError(
                        _(
                            "A client with this national register number already exists "
                            "(file %(number)s)."
                        )
                        % {"number": existing.file_number},
                        code="duplicate",
                    )
                ]
            }
        )


class PossibleDuplicate(ValidationError):
    """Someone with a very similar name and the same birth date exists."""

    def __init__(self, candidates: list[Client]):
        self.candidates = candidates
        super().__init__(
            _(
                "A client with a very similar name and the same birth date already exists. "
                "Check the list below; register anyway only if this is a different person."
            ),
            code="possible_duplicate",
        )


class StaleEdit(ValidationError):
    def __init__(self):
        super().__init__(
            _(
                "This file was changed by someone else meanwhile. "
                "Your changes were not saved; review the current data and try again."
            ),
            code="stale",
        )


def _may_register(actor: User) -> bool:
    return actor.ocmw_id is not None and (
        actor.is_intake or actor.handles_cases or actor.is_team_lead
    )


def _allowed_fields(actor: User, client: Client | None) -> tuple[str, ...]:
    if client is None:
        case_allowed = actor.handles_cases or actor.is_team_lead
    else:
        case_allowed = bool(getattr(client, "access_case", False))
    return IDENTITY_FIELDS + (CASE_FIELDS if case_allowed else ())


@transaction.atomic
def client_register(
    *,
    actor: User,
    data: dict[str, Any],
    submission_key: uuid.UUID | None = None,
    confirm_possible_duplicate: bool = False,
) -> Client:
    """Register a new client in the actor's OCMW.

    A repeated ``submission_key`` (double click, resent form) returns the
    client created by the first submission instead of creating another.
    """
    if not _may_register(actor):
        raise PermissionDenied
    if submission_key is not None:
        key, created = SubmissionKey.objects.get_or_create(
            key=submission_key, defaults={"user": actor, "result_url": ""}
        )
        if not created:
            if key.user_id != actor.pk:
                # Keys are random; one from another user is forged or mixed up.
                raise PermissionDenied
            if key.result_url:
                return Client.objects.get(ocmw_id=actor.ocmw_id, pk=int(key.result_url))
    fields = _allowed_fields(actor, None)
    client = Client(ocmw_id=actor.ocmw_id, **{k: v for k, v in data.items() if k in fields})
    if client.responsible_social_worker_id is None and actor.handles_cases:
        client.responsible_social_worker = actor
    number = insz_rules.compact(client.insz)
    existing = Client.objects.filter(ocmw_id=actor.ocmw_id, insz=number).first()
    if existing is not None:
        raise DuplicateInsz(existing)
    client.full_clean()
    if not confirm_possible_duplicate:
        candidates = list(
            client_possible_duplicates(
                ocmw=actor.ocmw,
                first_name=client.first_name,
                last_name=client.last_name,
                birth_date=client.birth_date,
            )
        )
        if candidates:
            raise PossibleDuplicate(candidates)
    with pghistory.context(user=actor.pk):
        client.save()
    if submission_key is not None:
        SubmissionKey.objects.filter(key=submission_key).update(result_url=str(client.pk))
    return client


@transaction.atomic
def client_update(
    *, actor: User, client: Client, data: dict[str, Any], row_version: int | None = None
) -> Client:
    """Change a client file. ``client`` must come from ``visible_to(actor, for_edit=True)``.

    ``row_version`` is the version the form was loaded with; a newer version in
    the database means someone else saved meanwhile, and nothing is written.
    """
    if not getattr(client, "access_edit", False):
        raise PermissionDenied
    current = Client.objects.select_for_update().get(pk=client.pk, ocmw_id=actor.ocmw_id)
    if row_version is not None and current.row_version != row_version:
        raise StaleEdit()
    fields = _allowed_fields(actor, client)
    for name, value in data.items():
        if name in fields:
            setattr(current, name, value)
    current.full_clean(validate_constraints=False)
    number = current.insz
    if Client.objects.filter(ocmw_id=actor.ocmw_id, insz=number).exclude(pk=current.pk).exists():
        raise DuplicateInsz(Client.objects.get(ocmw_id=actor.ocmw_id, insz=number))
    current.row_version += 1
    with pghistory.context(user=actor.pk):
        current.save()
    current.access_case = client.access_case
    current.access_edit = client.access_edit
    return current


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Dutch or French.")})
    with pghistory.context(user=user.pk):
        User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def access_log_record(
    *, user: User, client: Client | None, action: str, what: str, page: str
) -> AccessLog:
    """Record a read or an export of a client file (not audited itself: append-only)."""
    if action not in AccessAction.values:
        raise ValueError(action)
    with transaction.atomic():
        return AccessLog.objects.create(
            ocmw_id=user.ocmw_id,
            user=user,
            client=client,
            action=action,
            what=what[:200],
            page=page[:500],
        )


@transaction.atomic
def ocmw_ensure(*, name: str, language_region: str) -> Ocmw:
    """Create the OCMW if missing (idempotent; used by the seeders)."""
    ocmw, _created = Ocmw.objects.get_or_create(
        name=name, defaults={"language_region": language_region}
    )
    return ocmw


@transaction.atomic
def team_ensure(*, ocmw: Ocmw, name: str, service: str) -> Team:
    team, created = Team.objects.get_or_create(ocmw=ocmw, name=name, defaults={"service": service})
    if created:
        team.full_clean()
    return team


@transaction.atomic
def staff_ensure(
    *,
    ocmw: Ocmw,
    username: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    teams: list[Team] = (),
    email: str = "",
    language: str = Language.DUTCH,
    password: str | None = None,
) -> User:
    """Create or update a staff member with exactly these roles and teams."""
    if any(team.ocmw_id != ocmw.pk for team in teams):
        raise ValidationError({"teams": _("A team of another OCMW cannot be assigned.")})
    user = User.objects.filter(username=username).first() or User(username=username)
    user.ocmw = ocmw
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.roles = sorted(set(roles))
    user.language = language
    # Administrators configure the OCMW in the Django admin.
    user.is_staff = Role.ADMIN in roles
    if password is not None and not user.check_password(password):
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.teams.set(teams)
    vars(user).pop("teammate_ids", None)  # read again when next asked for
    if user.is_staff:
        from django.contrib.auth.models import Permission

        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="ocmw", content_type__model__in=["team", "user"]
            )
        )
    return user


def notify(*, recipient: User, message: str, params: dict | None = None, link: str = "") -> None:
    """Queue an in-app notification. ``message`` is an English msgid (mark it with
    ``gettext_noop``); it is translated into the recipient's language when shown."""
    with transaction.atomic():
        Notification.objects.create(
            recipient=recipient, message=message, params=params or {}, link=link[:500]
        )


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


# --- reminders' tasks -----------------------------------------------------------


def _may_handle_task(actor: User, task) -> bool:
    if not getattr(actor, "is_authenticated", False) or actor.ocmw_id != task.ocmw_id:
        return False
    if task.responsible_id == actor.pk:
        return True
    return actor.is_team_lead and User.objects.led_by(actor).filter(pk=task.responsible_id).exists()


def _locked_active_task(actor: User, task):
    from ocmw.models import Task

    if not _may_handle_task(actor, task):
        raise PermissionDenied
    current = Task.objects.select_for_update().get(pk=task.pk)
    if not current.is_active:
        raise ValidationError(_("This task is already closed."))
    return current


@transaction.atomic
def task_snooze(*, actor: User, task, until, reason: str):
    """Put a task aside until a later day, with a reason; it comes back that day."""
    from django.utils import timezone

    from ocmw.models import TaskStatus

    current = _locked_active_task(actor, task)
    errors = {}
    if until is None or until <= timezone.localdate():
        errors["until"] = _("Choose a day after today.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the task can wait.")
    if errors:
        raise ValidationError(errors)
    current.status = TaskStatus.SNOOZED
    current.snoozed_until = until
    current.snooze_reason = reason.strip()[:2000]
    current.full_clean()
    current.save(update_fields=["status", "snoozed_until", "snooze_reason"])
    return current


@transaction.atomic
def task_mark_done(*, actor: User, task, note: str):
    """Close a task by hand where no recorded fact closes it (a phone call ...).
    The scan does not make it again for the same deadline."""
    from django.utils import timezone

    from ocmw.models import ClosedReason, TaskStatus

    current = _locked_active_task(actor, task)
    if not (note or "").strip():
        raise ValidationError({"note": _("Write what was done.")})
    current.status = TaskStatus.DONE
    current.closed_reason = ClosedReason.DONE_BY_HAND
    current.done_note = note.strip()[:2000]
    current.done_at = timezone.now()
    current.done_by = actor
    current.full_clean()
    current.save(update_fields=["status", "closed_reason", "done_note", "done_at", "done_by"])
    return current
