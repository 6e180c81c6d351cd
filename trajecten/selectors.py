"""Reads shown by the trajectory pages, already scoped to the user.

Every function starts from one of the ``visible_to(user)`` scoping functions of
the models, so another OCMW's data, or a file the user may not read, never
comes back: a page that fetches one by id gets ``DoesNotExist`` (a 404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.core import signing
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncTime
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ocmw import registries
from ocmw.models import Client, Notification, Role, Team, TeamService, User
from trajecten.models import (
    PHASES,
    Action,
    Contact,
    Evaluation,
    Goal,
    GoalProgress,
    NeedsAnalysis,
    Phase,
    PhaseChange,
    Referral,
    ReferralStatus,
    Trajectory,
    case_clients,
)

CONTACTS_ON_FILE = 20

# --- caseload ------------------------------------------------------------------

PHASE_ORDER = Case(
    *[When(phase=phase, then=Value(index)) for index, phase in enumerate(PHASES, start=1)],
    default=Value(99),
    output_field=IntegerField(),
)

CASELOAD_SORTS = {
    "name": (F("client__last_name").asc(), F("client__first_name").asc(), F("pk").asc()),
    "-name": (F("client__last_name").desc(), F("client__first_name").desc(), F("pk").desc()),
    "phase": (F("phase_order").asc(), F("phase_since").asc(), F("pk").asc()),
    "-phase": (F("phase_order").desc(), F("phase_since").asc(), F("pk").asc()),
    # "days" sorts by time spent in the phase: the longest first when descending.
    "days": (F("phase_since").desc(), F("pk").asc()),
    "-days": (F("phase_since").asc(), F("pk").asc()),
    "last_contact": (F("last_contact").asc(nulls_first=True), F("pk").asc()),
    "-last_contact": (F("last_contact").desc(nulls_last=True), F("pk").asc()),
    "next_evaluation": (F("next_evaluation").asc(nulls_last=True), F("pk").asc()),
    "-next_evaluation": (F("next_evaluation").desc(nulls_last=True), F("pk").asc()),
}


def led_team_ids(user: User) -> list[int]:
    if not user.is_team_lead:
        return []
    return list(user.teams.values_list("pk", flat=True))


def caseload(
    *,
    user: User,
    phase: str = "",
    sort: str = "name",
    team_ids: list[int] | None = None,
    counsellor_id: int | None = None,
) -> QuerySet[Trajectory]:
    """Open trajectories with the figures of the caseload table, in one query.

    Without ``team_ids`` these are the user's own trajectories; a team lead may
    pass the teams they lead to see the whole team's caseload.
    """
    last_contact = (
        Contact.objects.filter(client_id=OuterRef("client_id")).order_by("-date").values("date")[:1]
    )
    next_evaluation = (
        Evaluation.objects.filter(trajectory_id=OuterRef("pk"))
        .order_by("-date", "-id")
        .values("next_evaluation_on")[:1]
    )
    qs = Trajectory.objects.visible_to(user, open_only=True)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
        if counsellor_id:
            qs = qs.filter(counsellor_id=counsellor_id)
    else:
        qs = qs.filter(counsellor=user)
    if phase in PHASES:
        qs = qs.filter(phase=phase)
    return (
        qs.select_related("client", "counsellor", "team")
        .annotate(
            phase_order=PHASE_ORDER,
            last_contact=Subquery(last_contact),
            next_evaluation=Subquery(next_evaluation),
        )
        .order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"]))
    )


def with_activity_summaries(rows, *, today: datetime.date | None = None) -> list[Trajectory]:
    """The caseload rows with ``activity_summary``: what each client is doing now.

    Asks every app registered in ``registries.client_activity_summaries`` (the SPI
    app: "art. 60 at care home X until 30/06"): one query per source, whatever the
    number of rows.
    """
    rows = list(rows)
    texts = activity_summaries([row.client_id for row in rows], today=today)
    for row in rows:
        row.activity_summary = texts.get(row.client_id, "")
    return rows


def activity_summaries(client_ids: list[int], *, today: datetime.date | None = None) -> dict:
    """``{client_id: "what the client is doing now"}`` from every registered source
    (one query per source); clients without any are left out."""
    today = today or timezone.localdate()
    texts: dict[int, list[str]] = {}
    if client_ids:
        for source in registries.client_activity_summaries:
            for client_id, text in source(client_ids, today).items():
                if text:
                    texts.setdefault(client_id, []).append(str(text))
    return {client_id: "; ".join(found) for client_id, found in texts.items()}


def team_counsellors(*, team_ids: list[int]) -> QuerySet[User]:
    return (
        User.objects.filter(teams__in=team_ids, is_active=True, roles__contains=[Role.COUNSELLOR])
        .distinct()
        .order_by("first_name", "last_name")
    )


# --- referrals -----------------------------------------------------------------


def pending_referrals_for_teams(*, user: User) -> QuerySet[Referral]:
    """Referrals waiting for a decision by a team the user counsels in or leads."""
    if not (user.is_counsellor or user.is_team_lead):
        return Referral.objects.none()
    return (
        Referral.objects.visible_to(user)
        .filter(status=ReferralStatus.PROPOSED, team__members=user)
        .select_related("client", "team", "proposed_by")
        .order_by("proposed_at", "id")
    )


def referrals_proposed_by(*, user: User, days: int = 60) -> QuerySet[Referral]:
    """A social worker's recent referrals: waiting, or decided in the last ``days``."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        Referral.objects.visible_to(user)
        .filter(proposed_by=user)
        .filter(Q(status=ReferralStatus.PROPOSED) | Q(decided_at__gte=since))
        .select_related("client", "team", "decided_by")
        .order_by("-proposed_at", "-id")
    )


def referral_get(*, user: User, pk: int) -> Referral:
    return (
        Referral.objects.visible_to(user)
        .select_related("client", "team", "proposed_by", "decided_by", "trajectory")
        .get(pk=pk)
    )


def referral_teams(*, user: User) -> QuerySet[Team]:
    """The SPI teams of the user's OCMW a client can be referred to."""
    return Team.objects.filter(ocmw_id=user.ocmw_id, service=TeamService.SPI).order_by("name")


# --- one trajectory, one file ------------------------------------------------------


def trajectory_get(*, user: User, pk: int) -> Trajectory:
    return (
        Trajectory.objects.visible_to(user)
        .select_related("client", "counsellor", "team", "client__ocmw")
        .get(pk=pk)
    )


def goal_get(*, user: User, pk: int) -> Goal:
    return Goal.objects.select_related(
        "trajectory", "trajectory__client", "trajectory__team", "trajectory__counsellor"
    ).get(pk=pk, trajectory__in=Trajectory.objects.visible_to(user).values("pk"))


def action_get(*, user: User, pk: int) -> Action:
    return Action.objects.select_related(
        "goal", "goal__trajectory", "goal__trajectory__client"
    ).get(pk=pk, goal__trajectory__in=Trajectory.objects.visible_to(user).values("pk"))


def needs_analysis_get(*, user: User, pk: int) -> NeedsAnalysis:
    return NeedsAnalysis.objects.select_related("author", "client").get(
        pk=pk, client__in=case_clients(user).values("pk")
    )


def client_trajectories(*, user: User, client: Client) -> list[Trajectory]:
    """The client's trajectories, newest first. Kept on ``client`` for ``user``:
    the panels of several apps read them on one client file, in one query."""
    memo = client.__dict__.setdefault("_visible_trajectories", {})
    if user.pk not in memo:
        trajectories = list(
            Trajectory.objects.of_client(user, client)
            .select_related("counsellor", "team")
            .order_by("-opened_on", "-id")
        )
        for trajectory in trajectories:
            trajectory.client = client
        memo[user.pk] = trajectories
    return memo[user.pk]


def trajectory_goals(*, trajectory: Trajectory) -> list[Goal]:
    """The plan: goals with their actions (two queries)."""
    return list(
        Goal.objects.filter(trajectory=trajectory)
        .prefetch_related(Prefetch("actions", queryset=Action.objects.order_by("done", "due_date")))
        .order_by("set_on", "id")
    )


def trajectory_evaluations(*, trajectory: Trajectory) -> list[Evaluation]:
    """Evaluations, newest first, with the progress per goal (two queries)."""
    return list(
        Evaluation.objects.filter(trajectory=trajectory)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "progress",
                queryset=GoalProgress.objects.select_related("goal").order_by("goal__set_on", "id"),
            )
        )
        .order_by("-date", "-id")
    )


def trajectory_changes(*, trajectory: Trajectory) -> list[PhaseChange]:
    return list(
        PhaseChange.objects.filter(trajectory=trajectory)
        .select_related("by")
        .order_by("-at", "-id")
    )


def client_contacts(
    *, user: User, client: Client, trajectory: Trajectory | None = None
) -> QuerySet[Contact]:
    """The journal, newest first; ``can_read_summary`` says whether to show the text."""
    qs = Contact.objects.of_client(user, client).select_related("staff")
    if trajectory is not None:
        qs = qs.filter(trajectory=trajectory)
    return qs.order_by("-date", "-id")


def client_needs_analyses(*, user: User, client: Client) -> list[NeedsAnalysis]:
    return list(
        NeedsAnalysis.objects.filter(client=client, client__in=case_clients(user).values("pk"))
        .select_related("author")
        .order_by("-version")
    )


def client_referrals(*, user: User, client: Client) -> list[Referral]:
    return list(
        Referral.objects.of_client(user, client)
        .select_related("team", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )


@dataclass
class ClientFile:
    """Everything the trajectory panels of one client file show."""

    client: Client
    trajectories: list[Trajectory]
    current: Trajectory | None
    goals: list[Goal] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    more_contacts: bool = False
    analyses: list[NeedsAnalysis] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)

    @property
    def earlier(self) -> list[Trajectory]:
        return [t for t in self.trajectories if t is not self.current]

    @property
    def latest_analysis(self) -> NeedsAnalysis | None:
        return self.analyses[0] if self.analyses else None

    @property
    def pending_referral(self) -> Referral | None:
        return next((r for r in self.referrals if r.status == ReferralStatus.PROPOSED), None)

    @property
    def latest_referral(self) -> Referral | None:
        return self.referrals[0] if self.referrals else None


def client_file(*, user: User, client: Client) -> ClientFile:
    """The trajectory part of a client file in a fixed number of queries.

    The current trajectory is the open one, else the most recent closed one
    (shown read-only); the client's needs analyses are attached to it so the
    gates of ``available_moves`` read them without querying again.
    """
    trajectories = client_trajectories(user=user, client=client)
    current = next((t for t in trajectories if t.is_open), None)
    if current is None and trajectories:
        current = trajectories[0]
    contacts = list(client_contacts(user=user, client=client)[: CONTACTS_ON_FILE + 1])
    data = ClientFile(
        client=client,
        trajectories=trajectories,
        current=current,
        contacts=contacts[:CONTACTS_ON_FILE],
        more_contacts=len(contacts) > CONTACTS_ON_FILE,
        referrals=client_referrals(user=user, client=client),
    )
    # ``client`` comes from Client.objects.visible_to(user) with case access.
    prefetch_related_objects(
        [client],
        Prefetch(
            "needs_analyses",
            queryset=NeedsAnalysis.objects.select_related("author").order_by("-version"),
        ),
    )
    data.analyses = list(client.needs_analyses.all())
    for trajectory in trajectories:
        trajectory.client = client
    if current is not None:
        data.goals = trajectory_goals(trajectory=current)
        data.evaluations = trajectory_evaluations(trajectory=current)
        if current.is_open:
            prefetch_related_objects([current], "outcomes")
    return data


# --- timeline -------------------------------------------------------------------


def _local_at(date_field: str, time_source: str) -> Func:
    """A day, placed at the local time of day it was recorded, as a timestamp.

    A contact or an evaluation is dated by the day it happened; recording time
    orders the entries within that day.
    """
    return Func(
        Value(timezone.get_current_timezone_name()),
        Func(
            F(date_field),
            TruncTime(time_source),
            template="(%(expressions)s)",
            arg_joiner=" + ",
            output_field=DateTimeField(),
        ),
        function="timezone",
        output_field=DateTimeField(),
    )


def timeline_phase_changes(*, client: Client, before, limit: int) -> list[PhaseChange]:
    qs = PhaseChange.objects.filter(trajectory__client=client).select_related("by")
    if before is not None:
        qs = qs.filter(at__lt=before)
    return list(qs.order_by("-at", "-id")[:limit])


def timeline_contacts(*, user: User, client: Client, before, limit: int) -> list[Contact]:
    qs = (
        Contact.objects.of_client(user, client)
        .select_related("staff")
        .annotate(at=_local_at("date", "created_at"))
    )
    if before is not None:
        qs = qs.filter(at__lt=before)
    return list(qs.order_by("-at", "-id")[:limit])


def timeline_evaluations(*, client: Client, before, limit: int) -> list[Evaluation]:
    qs = (
        Evaluation.objects.filter(trajectory__client=client)
        .select_related("author")
        .annotate(at=_local_at("date", "created_at"))
    )
    if before is not None:
        qs = qs.filter(at__lt=before)
    return list(qs.order_by("-at", "-id")[:limit])


def timeline_goals(*, client: Client, before, limit: int) -> list[Goal]:
    """Goals with an event (set, or status last changed) older than ``before``.

    Ordered by the newest such event, so the first ``limit`` goals hold the
    newest ``limit`` events.
    """
    qs = Goal.objects.filter(trajectory__client=client).select_related("created_by")
    if before is not None:
        qs = qs.filter(created_at__lt=before)
        newest = Case(
            When(updated_at__lt=before, then=F("updated_at")),
            default=F("created_at"),
            output_field=DateTimeField(),
        )
    else:
        newest = F("updated_at")
    return list(qs.annotate(newest=newest).order_by("-newest", "-id")[:limit])


def timeline_referrals(*, user: User, client: Client, before, limit: int) -> list[Referral]:
    qs = Referral.objects.of_client(user, client).select_related(
        "team", "proposed_by", "decided_by"
    )
    if before is not None:
        qs = qs.filter(proposed_at__lt=before)
        newest = Case(
            When(decided_at__lt=before, then=F("decided_at")),
            default=F("proposed_at"),
            output_field=DateTimeField(),
        )
    else:
        newest = Case(
            When(decided_at__isnull=False, then=F("decided_at")),
            default=F("proposed_at"),
            output_field=DateTimeField(),
        )
    return list(qs.annotate(newest=newest).order_by("-newest", "-id")[:limit])


# --- notifications ----------------------------------------------------------------


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def open_phase_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label in Phase.choices if value in PHASES]


# --- the team case list (team leads) ------------------------------------------------------

# The age groups of the GPMI statistics (same keys and labels), as age in whole
# years: ``(key, label, from_age, below_age)``. Kept here, below both apps, so the
# case list filters by the groups the statistics report without importing gpmi.
AGE_GROUPS: list[tuple[str, Any, int | None, int | None]] = [
    ("under_25", gettext_lazy("Under 25"), None, 25),
    ("25_44", gettext_lazy("25–44"), 25, 45),
    ("45_plus", gettext_lazy("45 and over"), 45, None),
]

TEAM_CASES_PAGE_SIZE = 50


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier; 29 February becomes 28 February.

    A person born on or before this day has had their ``years``-th birthday by
    ``day`` (PostgreSQL's ``AGE()`` agrees: someone born on 29 February turns a
    year older on 1 March in a common year).
    """
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_group_q(key: str, today: datetime.date) -> Q:
    """Clients (seen from a trajectory) whose age today falls in the group ``key``."""
    for group_key, _label, from_age, below_age in AGE_GROUPS:
        if group_key != key:
            continue
        q = Q()
        if from_age is not None:
            q &= Q(client__birth_date__lte=_years_before(today, from_age))
        if below_age is not None:
            q &= Q(client__birth_date__gt=_years_before(today, below_age))
        return q
    raise ValueError(key)


def team_case_staff(*, team_ids: list[int]) -> list[User]:
    """Active staff of the teams who guide trajectories, each with ``open_count``:
    the counsellor filter's and the reassignment's choices, in one query."""
    if not team_ids:
        return []
    # COUNT(*), not of a column: an index-only count on the open trajectories
    # by counsellor (``trajectory_open_handler_idx``).
    open_count = (
        Trajectory.objects.open()
        .filter(counsellor_id=OuterRef("pk"))
        .order_by()
        .values("counsellor_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return list(
        User.objects.filter(
            pk__in=User.objects.filter(teams__in=team_ids, is_active=True).values("pk"),
            roles__overlap=[Role.COUNSELLOR, Role.SOCIAL_WORKER],
        )
        .annotate(
            open_count=Coalesce(Subquery(open_count, output_field=IntegerField()), 0),
            team_ids=ArrayAgg("teams__pk", filter=Q(teams__in=team_ids), distinct=True),
        )
        .order_by("first_name", "last_name", "pk")
    )


def team_cases(
    *,
    user: User,
    team_ids: list[int],
    counsellor_id: int | None = None,
    phase: str = "",
    overdue: str = "",
    age: str = "",
    language: str = "",
    min_days_in_phase: int | None = None,
    extra: list[tuple[Any, str]] = (),
    today: datetime.date | None = None,
    for_count: bool = False,
) -> QuerySet[Trajectory]:
    """The open trajectories of ``team_ids`` (the teams the user leads, from
    ``led_team_ids``), filtered, with what each row of the case list shows.

    Scoped by ``Trajectory.objects.visible_to(user, open_only=True)`` as well, so a team id the
    user does not lead can never bring another team's or OCMW's files back.

    - ``overdue``: the client has an open task of this kind whose due date has
      passed (a snoozed task is not overdue: someone gave a reason to wait; the
      team overview counts the same way);
    - ``age``: a key of ``AGE_GROUPS``, the client's age today;
    - ``language``: the client's preferred language;
    - ``min_days_in_phase``: at least this many whole days in the current phase;
    - ``extra``: ``(CaseListFilter, value)`` pairs of ``trajecten.registries``;
    - ``for_count``: the same rows without what a row shows, to count them.

    Each row is annotated with ``phase_order`` (1..7, for sorting) and
    ``overdue_kinds`` (the kinds of the client's overdue active tasks), in the
    same query.
    """
    from ocmw.models import Task, TaskStatus

    today = today or timezone.localdate()
    qs = Trajectory.objects.visible_to(user, open_only=True, client_joined=not for_count)
    qs = qs.filter(team_id__in=team_ids)
    if not for_count:
        # Implied by the scope; said here so that a page in name order walks the
        # index on client names (OCMW first) and stops after a page.
        qs = qs.filter(client__ocmw_id=user.ocmw_id)
    if counsellor_id:
        qs = qs.filter(counsellor_id=counsellor_id)
    if phase:
        qs = qs.filter(phase=phase)
    overdue_tasks = Task.objects.filter(
        client_id=OuterRef("client_id"), status=TaskStatus.OPEN, due_date__lt=today
    )
    if overdue:
        qs = qs.filter(Exists(overdue_tasks.filter(kind=overdue)))
    if age:
        qs = qs.filter(age_group_q(age, today))
    if language:
        qs = qs.filter(client__preferred_language=language)
    if min_days_in_phase is not None:
        qs = qs.filter(phase_since__lte=timezone.now() - datetime.timedelta(days=min_days_in_phase))
    for case_filter, value in extra:
        qs = case_filter.apply(qs, value)
    if for_count:  # the same rows, asked in the form that counts them cheaply
        return qs
    return qs.select_related("client", "counsellor", "team").annotate(
        phase_order=PHASE_ORDER,
        overdue_kinds=ArraySubquery(
            overdue_tasks.order_by().values("kind").distinct().order_by("kind")
        ),
    )


# Keyset (cursor) paging of the team case list: each sort is a list of columns
# (path, descending, type), the trajectory id breaking ties. A page is "the next
# 50 rows after (or before) this key", an index-friendly WHERE instead of an
# OFFSET that reads and throws away every earlier row, so the last page costs
# what the first does. The cursor is the sort and the key of the edge row,
# signed so a tampered or stale link is refused instead of misread.


@dataclass(frozen=True)
class SortColumn:
    path: str
    kind: type
    descending: bool = False


TEAM_CASE_SORTS: dict[str, tuple[SortColumn, ...]] = {
    # Ends with the client's id, unique among open trajectories (one per client):
    # the order of the index on client names, which a page walks and leaves.
    "name": (
        SortColumn("client__last_name", str),
        SortColumn("client__first_name", str),
        SortColumn("client_id", int),
    ),
    "counsellor": (
        SortColumn("counsellor__first_name", str),
        SortColumn("counsellor__last_name", str),
        SortColumn("client__last_name", str),
        SortColumn("client__first_name", str),
    ),
    # By phase, and within a phase the longest waiting first.
    "phase": (SortColumn("phase_order", int), SortColumn("phase_since", datetime.datetime)),
    # "days" is time in the phase: ascending means the most recent moves first.
    "days": (SortColumn("phase_since", datetime.datetime, descending=True),),
    "opened": (SortColumn("opened_on", datetime.date),),
}
TEAM_CASE_SORT_CHOICES = [value for key in TEAM_CASE_SORTS for value in (key, f"-{key}")]
_CURSOR_SALT = "trajecten.team_cases.cursor"


class InvalidCursor(ValueError):
    """A page link that was tampered with, or made for another sort order."""


def _sort_columns(sort: str) -> list[SortColumn]:
    flip = sort.startswith("-")
    base = TEAM_CASE_SORTS[sort.lstrip("-")]
    columns = [SortColumn(c.path, c.kind, c.descending != flip) for c in base]
    if columns[-1].path == "client_id":  # already unique: no tie to break
        return columns
    return [*columns, SortColumn("pk", int, flip)]


def _row_value(row: Trajectory, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _decode_value(raw: Any, kind: type) -> Any:
    if kind is datetime.datetime:
        return datetime.datetime.fromisoformat(raw)
    if kind is datetime.date:
        return datetime.date.fromisoformat(raw)
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind is str and isinstance(raw, str):
        return raw
    raise TypeError(raw)


def encode_cursor(sort: str, direction: str, row: Trajectory) -> str:
    key = [_encode_value(_row_value(row, c.path)) for c in _sort_columns(sort)]
    return signing.dumps({"s": sort, "d": direction, "k": key}, salt=_CURSOR_SALT, compress=True)


def decode_cursor(cursor: str, sort: str) -> tuple[str, list[Any]]:
    """``(direction, key)`` of a cursor made for ``sort``; ``InvalidCursor`` otherwise."""
    try:
        data = signing.loads(cursor, salt=_CURSOR_SALT)
        columns = _sort_columns(sort)
        if data["s"] != sort or data["d"] not in ("next", "prev"):
            raise InvalidCursor(cursor)
        if len(data["k"]) != len(columns):
            raise InvalidCursor(cursor)
        key = [_decode_value(raw, c.kind) for raw, c in zip(data["k"], columns, strict=True)]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidCursor(cursor) from exc
    return data["d"], key


def _beyond(columns: list[SortColumn], key: list[Any], *, backwards: bool) -> Q:
    """Rows strictly after ``key`` in the order of ``columns`` (before it, backwards):
    (a >= x) and ((a > x) or (a = x and b > y) or (a = x and b = y and id > z) ...).
    The first, redundant bound is what lets an index on ``a`` start at the key."""
    beyond = Q(pk__in=[])
    equal = Q()
    for column, value in zip(columns, key, strict=True):
        later = column.descending == backwards
        beyond |= equal & Q(**{f"{column.path}__{'gt' if later else 'lt'}": value})
        equal &= Q(**{column.path: value})
    first = columns[0]
    bound = "gte" if first.descending == backwards else "lte"
    return Q(**{f"{first.path}__{bound}": key[0]}) & beyond


def _ordering(columns: list[SortColumn], *, backwards: bool = False) -> list[Any]:
    return [F(c.path).desc() if c.descending != backwards else F(c.path).asc() for c in columns]


def team_case_ordering(sort: str) -> list[Any]:
    """The ORDER BY of a sort of the team case list (the export's order)."""
    return _ordering(_sort_columns(sort))


@dataclass
class KeysetPage:
    rows: list[Trajectory]
    next_cursor: str | None = None
    previous_cursor: str | None = None


def keyset_page(
    qs: QuerySet[Trajectory],
    *,
    sort: str,
    cursor: str | None = None,
    size: int = TEAM_CASES_PAGE_SIZE,
) -> KeysetPage:
    """One page of ``qs`` in the order ``sort``, after or before the cursor's row
    (one query). Raises ``InvalidCursor`` for a cursor it cannot use."""
    columns = _sort_columns(sort)
    direction, key = decode_cursor(cursor, sort) if cursor else ("next", None)
    backwards = direction == "prev"
    page_qs = qs
    if key is not None:
        page_qs = page_qs.filter(_beyond(columns, key, backwards=backwards))
    rows = list(page_qs.order_by(*_ordering(columns, backwards=backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = key is not None, more
    if key is not None and not rows:
        # Every row beyond the cursor is gone meanwhile: start from the top.
        return keyset_page(qs, sort=sort, size=size)
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(sort, "next", rows[-1]) if has_next and rows else None,
        previous_cursor=encode_cursor(sort, "prev", rows[0]) if has_previous and rows else None,
    )
