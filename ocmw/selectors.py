"""Reads shown by pages and the API, already scoped to the user."""

from __future__ import annotations

import datetime

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import Count, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Greatest, Lower

from ocmw import insz as insz_rules
from ocmw.models import AccessLog, Client, Team, User, handled_by

SEARCH_LIMIT = 50
# Similarity above which "same birth date + this name" counts as a possible duplicate.
DUPLICATE_SIMILARITY = 0.5


def _normalised(text: str) -> Func:
    """The same normalisation PostgreSQL applies to ``Client.search_name``."""
    return Func(Lower(Value(text)), function="ocmw_unaccent", output_field=TextField())


def client_search(*, user: User, query: str) -> QuerySet[Client]:
    """INSZ (any formatting) or an accent- and typo-tolerant name search."""
    query = (query or "").strip()[:200]
    clients = Client.objects.visible_to(user).select_related("responsible_social_worker")
    if not query:
        return clients.none()
    if insz_rules.looks_like_insz(query):
        return clients.filter(insz__startswith=insz_rules.compact(query))[:SEARCH_LIMIT]
    needle = _normalised(" ".join(query.split()))
    # Both operators are served by the trigram GIN index on search_name:
    # "%" for whole-name similarity (typos), "%>" for a name fragment.
    return (
        clients.filter(
            Q(search_name__trigram_similar=needle) | Q(search_name__trigram_word_similar=needle)
        )
        .annotate(
            score=Greatest(
                TrigramSimilarity("search_name", needle),
                TrigramWordSimilarity(needle, "search_name"),
            )
        )
        .order_by("-score", "last_name", "id")[:SEARCH_LIMIT]
    )


def client_possible_duplicates(
    *,
    ocmw,
    first_name: str,
    last_name: str,
    birth_date: datetime.date | None,
    exclude_pk: int | None = None,
) -> QuerySet[Client]:
    if birth_date is None:
        return Client.objects.none()
    needle = _normalised(f"{first_name} {last_name}")
    qs = (
        Client.objects.filter(ocmw=ocmw, birth_date=birth_date)
        .annotate(score=TrigramSimilarity("search_name", needle))
        .filter(score__gte=DUPLICATE_SIMILARITY)
        .order_by("-score")
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs[:10]


CLIENT_SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "birth_date": ("birth_date", "id"),
    "-birth_date": ("-birth_date", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


def client_list(
    *,
    user: User,
    mine: bool = False,
    worker_id: int | None = None,
    language: str = "",
    sort: str = "name",
) -> QuerySet[Client]:
    clients = Client.objects.visible_to(user).select_related("responsible_social_worker")
    if mine:
        clients = clients.filter(handled_by(User.objects.filter(pk=user.pk)))
    if worker_id:
        clients = clients.filter(responsible_social_worker_id=worker_id)
    if language:
        clients = clients.filter(preferred_language=language)
    return clients.order_by(*CLIENT_SORTS.get(sort, CLIENT_SORTS["name"]))


def client_get(*, user: User, pk: int, for_edit: bool = False) -> Client:
    """One client, or ``Client.DoesNotExist`` (a 404) when not visible to ``user``."""
    return (
        Client.objects.visible_to(user, for_edit=for_edit)
        .select_related("responsible_social_worker", "ocmw")
        .get(pk=pk)
    )


def client_access_log(*, user: User, client: Client, limit: int = 50) -> QuerySet[AccessLog]:
    """Who looked at this file: team leads only (and never another OCMW)."""
    if not user.is_team_lead or client.ocmw_id != user.ocmw_id:
        return AccessLog.objects.none()
    return AccessLog.objects.filter(client=client).select_related("user")[:limit]


def case_workers(*, user: User) -> QuerySet[User]:
    """Staff a client can be assigned to, in the user's OCMW."""
    if user.ocmw_id is None:
        return User.objects.none()
    return User.objects.case_workers(user.ocmw).order_by("first_name", "last_name")


def team_overview(*, user: User) -> list[Team]:
    """The teams a team lead leads, each with its members and their client counts."""
    if not user.is_team_lead:
        return []
    teams = list(Team.objects.filter(members=user, ocmw_id=user.ocmw_id).order_by("name"))
    members = (
        User.objects.filter(teams__in=teams, is_active=True)
        .annotate(team_id=F("teams__id"), client_count=Count("clients", distinct=True))
        .order_by("first_name", "last_name")
    )
    by_team: dict[int, list[User]] = {team.pk: [] for team in teams}
    for member in members:
        by_team[member.team_id].append(member)
    for team in teams:
        team.member_rows = by_team[team.pk]
    return teams


# --- reminders' tasks -----------------------------------------------------------


def _task_scope(user: User) -> QuerySet:
    """Tasks ``user`` may see: their own, and a team lead's those of their teams.
    A counsellor never sees a colleague's tasks."""
    from ocmw.models import Task

    if not getattr(user, "is_authenticated", False) or user.ocmw_id is None:
        return Task.objects.none()
    mine = Q(responsible_id=user.pk)
    if user.is_team_lead:
        mine |= Q(responsible__in=User.objects.led_by(user).values("pk"))
    return Task.objects.filter(mine, ocmw_id=user.ocmw_id)


def task_team_members(*, user: User) -> QuerySet[User]:
    """The staff whose tasks a team lead may filter on (empty for everyone else)."""
    if not getattr(user, "is_team_lead", False):
        return User.objects.none()
    return User.objects.led_by(user).filter(ocmw_id=user.ocmw_id).order_by("first_name", "pk")


def task_list(*, user: User, who: str = "mine", staff_id: int | None = None) -> QuerySet:
    """Active tasks (open, then snoozed), the most overdue first.

    ``who="team"`` (team leads only) shows the tasks of the teams they lead,
    optionally of one staff member; otherwise the user's own tasks."""
    from django.db.models import Case, IntegerField, When

    from ocmw.models import TaskStatus

    tasks = _task_scope(user).active()
    if who == "team" and user.is_team_lead:
        if staff_id is not None:
            tasks = tasks.filter(responsible_id=staff_id)
    else:
        tasks = tasks.filter(responsible_id=user.pk)
    return tasks.select_related("client", "responsible").order_by(
        Case(When(status=TaskStatus.SNOOZED, then=1), default=0, output_field=IntegerField()),
        "due_date",
        "id",
    )


def task_get(*, user: User, pk: int):
    """One task the user may see; ``Task.DoesNotExist`` otherwise (a 404)."""
    return _task_scope(user).select_related("responsible").get(pk=pk)


def escalation_days(*, ocmw_id: int) -> int:
    """Days an open task may be overdue before it escalates to the team lead."""
    from django.conf import settings

    from ocmw.models import ReminderSettings

    own = (
        ReminderSettings.objects.filter(ocmw_id=ocmw_id)
        .values_list("escalation_days", flat=True)
        .first()
    )
    return int(own or settings.REMINDER_DEFAULTS["escalation_days"])


def escalated_tasks(*, ocmw_id: int, today: datetime.date) -> QuerySet:
    """Open tasks of an OCMW overdue by more than its escalation days (14).

    Snoozed tasks do not escalate: someone gave a reason to wait. Callers narrow
    this down to the staff they may see (a team lead's teams)."""
    from ocmw.models import Task, TaskStatus

    limit = today - datetime.timedelta(days=escalation_days(ocmw_id=ocmw_id))
    return Task.objects.filter(ocmw_id=ocmw_id, status=TaskStatus.OPEN, due_date__lt=limit)
