"""Reads shown by pages and the API, already scoped to the user."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import Count, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Greatest, Lower

from ocmw import insz as insz_rules
from ocmw.models import AccessLog, Client, Team, User, handled_by
from ocmw.registries import TeamFigure

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


def inbox_notifications(*, user: User) -> QuerySet:
    """The user's own unread notifications, newest first. Nobody else's, not even
    for a team lead: a notification is a message to one person."""
    from ocmw.models import Notification

    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).order_by(
        "-created_at", "-id"
    )


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


# --- team overview --------------------------------------------------------------
# The team lead's home: one row per counsellor of the teams they lead, with every
# app's figures (``registries.team_figures``) next to the core's own (overdue and
# escalated tasks). Each figure is one GROUP BY query over all members at once, so
# the page costs the same number of queries for 2 counsellors or 200.


@functools.lru_cache(maxsize=128)
def _page_path(name: str, urlconf: str, script_prefix: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return ""


def page_url(name: str, **params: object) -> str:
    """The URL of a page with a query string, or "" when no such page is installed.

    The figures' links name pages of other apps (the team case list); reversing
    lazily keeps the overview working, without the link, where one is missing.
    The overview builds a few hundred links to the same pages, so each page's
    path is reversed once per URLconf and script prefix."""
    from urllib.parse import urlencode

    from django.conf import settings
    from django.urls import get_script_prefix, get_urlconf

    url = _page_path(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if not url:
        return ""
    return f"{url}?{urlencode(params)}" if params else url


def team_case_list_url(staff_id: int, **filters: object) -> str:
    """The team case list filtered on one counsellor (and ``phase``/``overdue`` ...)."""
    return page_url("trajecten:team_cases", counsellor=staff_id, **filters)


def team_task_figures(
    *, ocmw_id: int, member_ids: list[int], today: datetime.date
) -> list[TeamFigure]:
    """The core's figures: open tasks past their due date, by kind, and those
    overdue by more than the OCMW's escalation days (issue 6: escalations show on
    the team overview; the rule of ``escalated_tasks``). Two queries: the
    escalation days, then one GROUP BY (kind, staff member) counting both.

    Snoozed tasks are neither overdue nor escalated: someone gave a reason to wait.
    """
    from django.utils.translation import gettext as _

    from ocmw.models import Task, TaskStatus
    from ocmw.registries import TeamFigure
    from ocmw.reminders import kind_labels

    days = escalation_days(ocmw_id=ocmw_id)
    limit = today - datetime.timedelta(days=days)
    overdue: dict[str, dict[int, int]] = {}
    escalated: dict[int, int] = {}
    rows = (
        Task.objects.filter(
            ocmw_id=ocmw_id,
            responsible_id__in=member_ids,
            status=TaskStatus.OPEN,
            due_date__lt=today,
        )
        .values("kind", "responsible_id")
        .annotate(n=Count("id"), escalated=Count("id", filter=Q(due_date__lt=limit)))
        .values_list("kind", "responsible_id", "n", "escalated")
        .order_by()
    )
    for kind, staff_id, n, n_escalated in rows:
        overdue.setdefault(kind, {})[staff_id] = n
        escalated[staff_id] = escalated.get(staff_id, 0) + n_escalated
    labels = kind_labels()
    kinds = list(labels) + sorted(set(overdue) - set(labels))

    def overdue_link(kind: str):
        return lambda staff_id: (
            team_case_list_url(staff_id, overdue=kind)
            or page_url("task_list", who="team", staff=staff_id)
        )

    figures = [
        TeamFigure(
            key=kind,
            label=str(labels.get(kind, kind)),
            values=overdue.get(kind, {}),
            link=overdue_link(kind),
            order=30 + position,
            kind="overdue",
            alert=True,
        )
        for position, kind in enumerate(kinds)
    ]
    figures.append(
        TeamFigure(
            key="escalated_tasks",
            label=_("Escalated (over %(days)d days overdue)") % {"days": days},
            values=escalated,
            # The team's task list puts the most overdue first: the escalated ones.
            link=lambda staff_id: page_url("task_list", who="team", staff=staff_id),
            order=40,
            kind="number",
            alert=True,
        )
    )
    return figures


@dataclass
class FigureCell:
    """One number of one staff member: what it counts and the list behind it."""

    key: str
    label: str
    value: int
    url: str = ""
    alert: bool = False


@dataclass
class MemberFigures:
    member: User
    caseload: int | None = None  # None when no app counts caseloads
    # "hard" above the hard limit, "soft" above the soft limit, else "".
    caseload_level: str = ""
    caseload_url: str = ""
    phases: list[FigureCell] = field(default_factory=list)  # every phase, in order
    overdue: list[FigureCell] = field(default_factory=list)  # every task kind, in order
    numbers: list[FigureCell] = field(default_factory=list)  # one per column, in order

    @property
    def overdue_shown(self) -> list[FigureCell]:
        return [cell for cell in self.overdue if cell.value]


@dataclass
class TeamSection:
    team: Team
    rows: list[MemberFigures]


@dataclass
class TeamOverview:
    today: datetime.date
    sections: list[TeamSection] = field(default_factory=list)
    # Led teams without any counsellor: named, not shown as empty tables.
    teams_without_counsellors: list[Team] = field(default_factory=list)
    has_caseload: bool = False
    caseload_label: str = ""
    phases: list[tuple[str, str]] = field(default_factory=list)  # (key, label)
    task_kinds: list[tuple[str, str]] = field(default_factory=list)  # (key, label)
    columns: list[tuple[str, str]] = field(default_factory=list)  # (key, label)


def caseload_level(member: User, caseload: int) -> str:
    if caseload > member.caseload_hard_limit:
        return "hard"
    if caseload > member.caseload_soft_limit:
        return "soft"
    return ""


def _cell(figure: TeamFigure, staff_id: int) -> FigureCell:
    value = figure.values.get(staff_id, 0) or 0
    url = figure.link(staff_id) if (figure.link and value) else ""
    return FigureCell(figure.key, str(figure.label), value, url, figure.alert)


def team_overview_figures(
    *, user: User, today: datetime.date, teams: list[Team] | None = None
) -> TeamOverview:
    """The team overview of a team lead: the teams they lead (never another's),
    one row per active counsellor of each, with every registered figure.

    A counsellor's figures are the person's (their whole caseload, their tasks),
    so someone in two led teams shows the same numbers in both sections.

    ``teams`` is what ``team_overview(user=user)`` gave, when the caller has it
    already (the home page). Queries: those two (the teams, their members), then
    the core's two and each registered figure's own (one each), whatever the
    number of people and files; none of the figures' without counsellors.
    Anyone but a team lead gets an empty overview."""
    from ocmw import registries

    overview = TeamOverview(today=today)
    if not (getattr(user, "is_authenticated", False) and user.ocmw_id and user.is_team_lead):
        return overview
    if teams is None:
        teams = team_overview(user=user)
    members_of: dict[int, list[User]] = {
        team.pk: [
            member
            for member in team.member_rows
            if member.is_counsellor and member.ocmw_id == user.ocmw_id
        ]
        for team in teams
    }
    member_ids = sorted({member.pk for members in members_of.values() for member in members})
    figures: list[TeamFigure] = []
    if member_ids:
        figures = team_task_figures(ocmw_id=user.ocmw_id, member_ids=member_ids, today=today)
        for source in registries.team_figures:
            figures.extend(source(member_ids, today))
    figures.sort(key=lambda figure: (figure.order, figure.key))
    caseload = next((f for f in figures if f.kind == "caseload"), None)
    phases = [f for f in figures if f.kind == "phase"]
    overdue = [f for f in figures if f.kind == "overdue"]
    numbers = [f for f in figures if f.kind not in ("caseload", "phase", "overdue")]
    overview.has_caseload = caseload is not None
    overview.caseload_label = str(caseload.label) if caseload else ""
    overview.phases = [(f.key, str(f.label)) for f in phases]
    overview.task_kinds = [(f.key, str(f.label)) for f in overdue]
    overview.columns = [(f.key, str(f.label)) for f in numbers]

    def row_of(member: User) -> MemberFigures:
        row = MemberFigures(
            member=member,
            phases=[_cell(f, member.pk) for f in phases],
            overdue=[_cell(f, member.pk) for f in overdue],
            numbers=[_cell(f, member.pk) for f in numbers],
        )
        if caseload is not None:
            row.caseload = caseload.values.get(member.pk, 0) or 0
            row.caseload_level = caseload_level(member, row.caseload)
            row.caseload_url = caseload.link(member.pk) if caseload.link else ""
        return row

    for team in teams:
        if members_of[team.pk]:
            rows = [row_of(member) for member in members_of[team.pk]]
            overview.sections.append(TeamSection(team=team, rows=rows))
        else:
            overview.teams_without_counsellors.append(team)
    return overview


# --- annual report ------------------------------------------------------------------
# One page and its exports gather, for a year, the sections every app registers in
# ``registries.report_sections``. Who sees which teams: a team lead the teams they
# lead; an OCMW administrator every team of the OCMW (someone who is both gets the
# whole OCMW). The sections hold aggregates only (counts, days, minutes), never a
# client, so the administrator's "no case content" role still holds. Anyone else
# may not open the report.

FIRST_REPORT_YEAR = 2002  # law of 26 May 2002 (GPMI, leefloon)


def may_see_annual_report(user: User) -> bool:
    return bool(getattr(user, "ocmw_id", None)) and (user.is_team_lead or user.is_ocmw_admin)


def annual_report_teams(*, user: User) -> QuerySet[Team]:
    """The teams the user's annual report covers (see above)."""
    if not may_see_annual_report(user):
        return Team.objects.none()
    teams = Team.objects.filter(ocmw_id=user.ocmw_id)
    if not user.is_ocmw_admin:
        teams = teams.filter(members=user)
    return teams.order_by("name")


def annual_report(*, user: User, year: int, teams: list[Team]) -> list:
    """Every app's sections of the annual report for ``year`` and ``teams`` (from
    ``annual_report_teams``), in their ``order``; a few queries per section."""
    from ocmw import registries

    ocmw, team_ids = user.ocmw, [team.pk for team in teams]
    sections = [
        section for source in registries.report_sections for section in source(ocmw, team_ids, year)
    ]
    return sorted(sections, key=lambda section: (section.order, section.key))
