"""Every read of the SPI app that pages or the API show, scoped to the user.

Case content (enrolments, visits, referrals to partners, outcomes, checkpoints)
follows the client: ``case_clients(user)`` / ``Trajectory.objects.visible_to``.
Partners belong to an OCMW and are read by its staff; group sessions by those
of its staff who follow clients (social workers, counsellors, team leads).
Each function costs a fixed number of queries, whatever the amount of data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from ocmw.models import Client, Ocmw, User, reads_case_of
from spi.models import (
    WORK_OUTCOMES,
    Attendance,
    AttendanceStatus,
    Checkpoint,
    ContactPerson,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    GroupSession,
    Measure,
    Outcome,
    Partner,
    PartnerReferral,
    SpiSettings,
)
from trajecten import selectors as trajecten_selectors
from trajecten.models import Trajectory, case_clients

RETENTION_MONTHS = (3, 6, 12)


def _short(day: datetime.date) -> str:
    """30/06/2027: Belgian dates read the same in Dutch and French."""
    return day.strftime("%d/%m/%Y")


def may_see_sessions(user: User) -> bool:
    """Group sessions name their participants: for staff who follow clients."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.ocmw_id is not None
        and (user.handles_cases or user.is_team_lead)
    )


# --- catalogue and settings ----------------------------------------------------------------------


def measures(*, user: User) -> QuerySet[Measure]:
    """The catalogue of the user's OCMW (inactive measures too: old enrolments use them)."""
    if not getattr(user, "is_authenticated", False) or user.ocmw_id is None:
        return Measure.objects.none()
    return Measure.objects.filter(ocmw_id=user.ocmw_id).order_by("name", "pk")


def spi_settings(*, ocmw_id: int) -> SpiSettings:
    return SpiSettings.for_ocmw(ocmw_id)


# --- the client's activities ---------------------------------------------------------------------


def art60_warning(
    enrolment: Enrolment, today: datetime.date, settings: SpiSettings | None
) -> str | None:
    """The warning on the file of a running art. 60 placement that ends within the
    OCMW's warning period (default 60 days) while no next step is planned."""
    if not enrolment.is_art60 or enrolment.status != EnrolmentStatus.RUNNING:
        return None
    if enrolment.next_step.strip():
        return None
    end = enrolment.planned_end_date or enrolment.max_end_date
    if end is None:
        return None
    limit = settings.art60_warning_days if settings is not None else 60
    if (end - today).days >= limit:
        return None
    if end < today:
        return _("The planned end (%(date)s) has passed and no next step is planned.") % {
            "date": _short(end)
        }
    return _(
        "Fewer than %(days)d days left (the placement ends on %(date)s) and no next step planned."
    ) % {"days": limit, "date": _short(end)}


@dataclass
class ClientActivities:
    """What a client does and did in the SPI service; also readable as a dict."""

    enrolments: list[Enrolment]
    referrals: list[PartnerReferral]
    outcomes: list[Outcome]
    settings: SpiSettings
    trajectory: Trajectory | None
    warnings: list[tuple[Enrolment, str]] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def keys(self) -> list[str]:
        return ["enrolments", "referrals", "outcomes", "settings", "trajectory", "warnings"]


def _of_file(model, user: User, client: Client) -> QuerySet:
    """The rows of one client file in ``model.objects.visible_to(user)``: all of
    them, read by the client's id, when ``client`` was scoped for ``user`` with
    case access (the scope is the client's); else the scope applies."""
    if reads_case_of(user, client):
        return model.objects.filter(client=client)
    return model.objects.filter(client=client, client__in=case_clients(user).values("pk"))


def client_enrolments(*, user: User, client: Client) -> QuerySet[Enrolment]:
    """The client's enrolments with their follow-up visits (two queries)."""
    return (
        _of_file(Enrolment, user, client)
        .select_related("measure", "partner", "user_organisation", "created_by")
        .prefetch_related(
            Prefetch(
                "visits",
                queryset=FollowUpVisit.objects.select_related("staff").order_by("-date", "-id"),
            )
        )
        .order_by("-start_date", "-id")
    )


def client_activities(*, user: User, client: Client) -> ClientActivities:
    """The Activities section of the client file, in seven queries:

    1. the enrolments, 2. their follow-up visits, 3. the referrals to partners,
    4. the outcomes, 5. their aftercare checkpoints, 6. the OCMW's SPI settings;
    the current trajectory (the open one, else the last one) is one of the
    client's trajectories that the trajectory panels read (kept on ``client``).

    ``client`` is one the user reads the case of; rows outside the user's scope
    never appear.
    """
    today = timezone.localdate()
    enrolments = list(client_enrolments(user=user, client=client))
    referrals = list(
        _of_file(PartnerReferral, user, client)
        .select_related("partner", "contact_person", "created_by")
        .order_by("-sent_on", "-id")
    )
    visible = trajecten_selectors.client_trajectories(user=user, client=client)
    outcomes = list(
        Outcome.objects.filter(trajectory__in=[t.pk for t in visible])
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "checkpoints",
                queryset=Checkpoint.objects.select_related("done_by").order_by("months"),
            )
        )
        .order_by("-start_date", "-id")
    )
    settings = SpiSettings.for_ocmw(client.ocmw_id)
    # Newest first: the open one, else the most recent.
    trajectory = next((t for t in visible if t.is_open), visible[0] if visible else None)
    for enrolment in enrolments:
        enrolment.client = client
    warnings = [
        (enrolment, text)
        for enrolment in enrolments
        if (text := art60_warning(enrolment, today, settings))
    ]
    return ClientActivities(
        enrolments=enrolments,
        referrals=referrals,
        outcomes=outcomes,
        settings=settings,
        trajectory=trajectory,
        warnings=warnings,
    )


def activity_summaries(*, client_ids: Iterable[int], today: datetime.date) -> dict[int, str]:
    """``{client_id: "Art. 60§7 / TWE at WZC Zonnehof until 30/06/2027"}`` for the
    caseload, in one query: what each client is doing now (running enrolments,
    art. 60 first), or else what starts next.

    The caller passes ids it already scoped (the rows of the user's caseload).
    """
    ids = list(client_ids)
    if not ids:
        return {}
    rows = (
        Enrolment.objects.filter(client_id__in=ids)
        .filter(
            Q(status=EnrolmentStatus.RUNNING)
            | Q(status=EnrolmentStatus.PLANNED, start_date__gte=today)
        )
        .select_related("measure", "partner", "user_organisation")
        .order_by("client_id", "-status", "-is_art60", "start_date", "id")
    )
    running: dict[int, list[str]] = {}
    planned: dict[int, str] = {}
    for enrolment in rows:
        where = enrolment.user_organisation or enrolment.partner
        values = {
            "measure": enrolment.measure.name,
            "where": where,
            "until": _short(enrolment.planned_end_date) if enrolment.planned_end_date else "",
            "start": _short(enrolment.start_date),
        }
        if enrolment.status == EnrolmentStatus.RUNNING:
            if where and enrolment.planned_end_date:
                text = _("%(measure)s at %(where)s until %(until)s") % values
            elif where:
                text = _("%(measure)s at %(where)s") % values
            elif enrolment.planned_end_date:
                text = _("%(measure)s until %(until)s") % values
            else:
                text = values["measure"]
            running.setdefault(enrolment.client_id, []).append(text)
        elif enrolment.client_id not in planned:
            if where:
                planned[enrolment.client_id] = _("%(measure)s at %(where)s from %(start)s") % values
            else:
                planned[enrolment.client_id] = _("%(measure)s from %(start)s") % values
    summaries = {client_id: "; ".join(texts) for client_id, texts in running.items()}
    for client_id, text in planned.items():
        summaries.setdefault(client_id, text)
    return summaries


# --- partners ------------------------------------------------------------------------------------


def partners(*, user: User) -> QuerySet[Partner]:
    """The partners of the user's OCMW (merged duplicates left out), with how many
    enrolments and placements are running there, in one query."""
    return Partner.objects.visible_to(user).annotate(
        running_enrolments=Count(
            "enrolments", filter=Q(enrolments__status=EnrolmentStatus.RUNNING), distinct=True
        ),
        running_placements=Count(
            "placements", filter=Q(placements__status=EnrolmentStatus.RUNNING), distinct=True
        ),
    )


def partner_detail(*, user: User, pk: int) -> Partner:
    """One partner of the user's OCMW, in four queries:

    1. the partner, 2. its contact people, 3. the enrolments and placements
    with it (``partner.enrolments_visible``), 4. the referrals to it
    (``partner.referrals_visible``). Enrolments and referrals are those of
    clients whose case the user reads: the others are only counted
    (``partner.running_enrolments`` and ``partner.running_placements``).

    Raises ``Partner.DoesNotExist`` for a partner of another OCMW or a merged one.
    """
    partner = (
        partners(user=user)
        .select_related("ocmw")
        .prefetch_related(
            Prefetch("contacts", queryset=ContactPerson.objects.order_by("name", "pk"))
        )
        .get(pk=pk)
    )
    readable = case_clients(user).values("pk")
    partner.enrolments_visible = list(
        Enrolment.objects.filter(Q(partner=partner) | Q(user_organisation=partner))
        .filter(client__in=readable)
        .select_related("client", "measure", "partner", "user_organisation")
        .order_by(
            Case(
                When(status=EnrolmentStatus.RUNNING, then=Value(0)),
                When(status=EnrolmentStatus.PLANNED, then=Value(1)),
                default=Value(2),
            ),
            "-start_date",
            "-id",
        )
    )
    partner.referrals_visible = list(
        PartnerReferral.objects.filter(partner=partner, client__in=readable)
        .select_related("client", "contact_person")
        .order_by("-sent_on", "-id")
    )
    return partner


# --- group sessions ------------------------------------------------------------------------------


def group_sessions(*, user: User) -> QuerySet[GroupSession]:
    """The sessions of the user's OCMW, newest first, with their counts (one query)."""
    if not may_see_sessions(user):
        return GroupSession.objects.none()
    return (
        GroupSession.objects.filter(ocmw_id=user.ocmw_id)
        .select_related("facilitator", "measure")
        .annotate(
            participant_count=Count("attendance", distinct=True),
            present_count=Count(
                "attendance",
                filter=Q(attendance__status=AttendanceStatus.PRESENT),
                distinct=True,
            ),
        )
        .order_by("-date", "-start_time", "-id")
    )


def group_session_detail(*, user: User, pk: int) -> GroupSession:
    """One session with its participants, in two queries:

    1. the session (with facilitator and measure), 2. its attendance rows with
    the clients, each annotated ``client_readable``: whether the user reads that
    client's case (the pages show the others only as a number).

    Raises ``GroupSession.DoesNotExist`` for a session of another OCMW.
    """
    readable = case_clients(user).filter(pk=OuterRef("client_id"))
    rows = (
        Attendance.objects.select_related("client")
        .annotate(client_readable=Exists(readable))
        .order_by("client__last_name", "client__first_name", "client_id")
    )
    return (
        group_sessions(user=user).prefetch_related(Prefetch("attendance", queryset=rows)).get(pk=pk)
    )


# --- aftercare and retention ---------------------------------------------------------------------


def aftercare_done(*, trajectory: Trajectory) -> bool:
    """Every checkpoint of the trajectory's starts of work is done (one query): the
    trajectory may then close as "sustainable work"."""
    checkpoints = Checkpoint.objects.filter(outcome__trajectory=trajectory)
    return checkpoints.exists() and not checkpoints.filter(done_on__isnull=True).exists()


def retention(
    *,
    ocmw: Ocmw,
    teams: Iterable[Any] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, dict[str, Any]]:
    """Who is still employed +3, +6 and +12 months after a start of work (one query).

    Counts the work outcomes of the OCMW's trajectories (of ``teams`` when given)
    that started between ``start`` and ``end`` (inclusive, when given), through
    their aftercare checkpoints at those months::

        {3: {"months": 3, "planned": 12, "due": 9, "known": 8, "still_employed": 6,
             "share": 0.75}, 6: {...}, 12: {...}}

    ``planned``: starts of work with a checkpoint at that month; ``due``: those
    whose checkpoint date has come; ``known``: checkpoints done where it is known
    whether the client still works; ``share`` = still employed / known (``None``
    when nothing is known yet).
    """
    today = timezone.localdate()
    qs = Checkpoint.objects.filter(
        outcome__trajectory__client__ocmw=ocmw,
        outcome__type__in=list(WORK_OUTCOMES),
        months__in=RETENTION_MONTHS,
    )
    if teams is not None:
        qs = qs.filter(outcome__trajectory__team__in=list(teams))
    if start is not None:
        qs = qs.filter(outcome__start_date__gte=start)
    if end is not None:
        qs = qs.filter(outcome__start_date__lte=end)
    rows = {
        row["months"]: row
        for row in qs.values("months").annotate(
            planned=Count("pk"),
            due=Count("pk", filter=Q(due_date__lte=today)),
            known=Count("pk", filter=Q(done_on__isnull=False, still_employed__isnull=False)),
            employed=Count("pk", filter=Q(done_on__isnull=False, still_employed=True)),
        )
    }
    result = {}
    for months in RETENTION_MONTHS:
        row = rows.get(months, {})
        known, employed = row.get("known", 0), row.get("employed", 0)
        result[months] = {
            "months": months,
            "planned": row.get("planned", 0),
            "due": row.get("due", 0),
            "known": known,
            "still_employed": employed,
            "share": employed / known if known else None,
        }
    return result


def due_checkpoints(*, user: User, until: datetime.date) -> QuerySet[Checkpoint]:
    """Open checkpoints due by ``until`` of the open trajectories the user reads."""
    return (
        Checkpoint.objects.filter(
            done_on__isnull=True,
            due_date__lte=until,
            outcome__trajectory__in=Trajectory.objects.visible_to(user).open().values("pk"),
        )
        .select_related("outcome", "outcome__trajectory", "outcome__trajectory__client")
        .order_by("due_date", "id")
    )
