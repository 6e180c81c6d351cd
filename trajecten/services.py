"""Every write of the trajectory app. Pages and API both call these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, TransitionNotAllowed, has_transition_perm

from ocmw.models import Client, Role, SubmissionKey, Team, User
from ocmw.services import notify
from trajecten.models import (
    PHASES,
    Action,
    ClosingReason,
    Contact,
    ContactType,
    Evaluation,
    Goal,
    GoalProgress,
    NeedsAnalysis,
    Phase,
    PhaseChange,
    Referral,
    ReferralStatus,
    Trajectory,
    TransitionKind,
    case_clients,
    gate_errors,
    phase_number,
)


class StaleTrajectory(ValidationError):
    """The trajectory moved since the page (or API client) last saw it."""

    def __init__(self):
        super().__init__(
            _(
                "This file changed meanwhile: someone else moved the trajectory. "
                "Nothing was changed; look at the current phase and try again."
            ),
            code="stale",
        )


def require_case_edit(actor: User, client: Client) -> None:
    """The actor may write case content for this client (not identity-only access)."""
    allowed = case_clients(actor).filter(pk=client.pk, access_edit=True).exists()
    if not allowed:
        raise PermissionDenied


def _client_file_url(client: Client) -> str:
    return reverse("client_detail", args=[client.pk])


# --- trajectories ------------------------------------------------------------


@transaction.atomic
def trajectory_open(
    *,
    actor: User,
    client: Client,
    counsellor: User,
    team: Team,
    phase: str = Phase.PRECONDITIONS,
    reason: str = "",
) -> Trajectory:
    """Open a trajectory; a client has at most one open trajectory at a time."""
    require_case_edit(actor, client)
    if phase not in PHASES:
        raise ValidationError({"phase": _("Choose one of the seven phases.")})
    if team.ocmw_id != client.ocmw_id or counsellor.ocmw_id != client.ocmw_id:
        raise ValidationError({"counsellor": _("Choose a counsellor of this OCMW.")})
    if not counsellor.teams.filter(pk=team.pk).exists() or not counsellor.handles_cases:
        raise ValidationError({"counsellor": _("Choose a counsellor who is a member of the team.")})
    # Said plainly here: full_clean() would report the unique constraint by its name.
    if Trajectory.objects.open().filter(client=client).exists():
        raise ValidationError(_("This client already has an open trajectory."), code="open_exists")
    # The FSM field is protected: the initial phase can only be given at creation.
    trajectory = Trajectory(
        client=client, team=team, counsellor=counsellor, phase=phase, phase_since=timezone.now()
    )
    trajectory.full_clean()
    try:
        with transaction.atomic(), pghistory.context(user=actor.pk):
            trajectory.save()
    except IntegrityError:
        raise ValidationError(_("This client already has an open trajectory."), code="open_exists")
    PhaseChange.objects.create(
        trajectory=trajectory,
        team=team,
        kind=TransitionKind.OPENED,
        from_phase="",
        to_phase=phase,
        by=actor,
        reason=reason[:2000],
    )
    return trajectory


def available_moves(trajectory: Trajectory, user: User) -> list[dict[str, Any]]:
    """The moves this user may offer as buttons: kind, target, whether a reason is needed."""
    if not _may_move(trajectory, user):
        return []
    moves: list[dict[str, Any]] = []
    if trajectory.phase == Phase.CLOSED:
        return [{"kind": TransitionKind.REOPEN, "target": p, "needs_reason": True} for p in PHASES]
    current = PHASES.index(trajectory.phase)
    for index, target in enumerate(PHASES):
        if index == current:
            continue
        if index == current + 1:
            kind, needs_reason = TransitionKind.ADVANCE, False
        elif index > current:
            kind, needs_reason = TransitionKind.SKIP, True
        else:
            kind, needs_reason = TransitionKind.BACK, True
        moves.append(
            {
                "kind": kind,
                "target": target,
                "needs_reason": needs_reason,
                "blocked": gate_errors(trajectory, target) if index > current else [],
            }
        )
    moves.append({"kind": TransitionKind.CLOSE, "target": Phase.CLOSED, "needs_reason": True})
    return moves


def _may_move(trajectory: Trajectory, user: User) -> bool:
    from trajecten.models import may_transition

    return may_transition(trajectory, user)


@transaction.atomic
def trajectory_transition(
    *,
    actor: User,
    trajectory: Trajectory,
    target: str,
    reason: str = "",
    closing_reason: str = "",
    closing_note: str = "",
    version: int | None = None,
) -> Trajectory:
    """Move a trajectory. Refuses, with a clear message and no change, a move that
    is not allowed, lacks a reason, fails a gate or comes from a stale page."""
    reason = (reason or "").strip()
    # Lock the row: two people moving the same trajectory are served one at a time,
    # and the second sees the version the first one wrote.
    current = (
        Trajectory.objects.select_for_update()
        .select_related("client", "team")
        .get(pk=trajectory.pk)
    )
    # Who may move it comes first: someone who may only read the file gets a
    # refusal, not a lesson about reasons and gates.
    if not _may_move(current, actor):
        raise PermissionDenied
    if version is not None and current.version != version:
        raise StaleTrajectory()
    source = current.phase
    if target not in PHASES and target != Phase.CLOSED:
        raise ValidationError({"target": _("Unknown phase.")})
    if target == source:
        raise ValidationError({"target": _("The trajectory is already in this phase.")})
    current.requested_target = target

    if source == Phase.CLOSED:
        kind, method, args = TransitionKind.REOPEN, current.reopen, (target,)
    elif target == Phase.CLOSED:
        kind, method, args = TransitionKind.CLOSE, current.close, ()
        if closing_reason not in ClosingReason.values:
            raise ValidationError({"closing_reason": _("Choose why the trajectory ends.")})
        if closing_reason == ClosingReason.OTHER and not closing_note.strip():
            raise ValidationError({"closing_note": _("Describe the reason for closing.")})
        current.closing_reason = closing_reason
        current.closing_note = closing_note.strip()[:2000]
    elif phase_number(target) == phase_number(source) + 1:
        kind, method, args = TransitionKind.ADVANCE, current.advance, ()
    elif phase_number(target) > phase_number(source):
        kind, method, args = TransitionKind.SKIP, current.skip_forward, (target,)
    else:
        kind, method, args = TransitionKind.BACK, current.go_back, (target,)

    if kind in (TransitionKind.SKIP, TransitionKind.BACK, TransitionKind.REOPEN) and not reason:
        raise ValidationError({"reason": _("Give a reason for this move.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2,000 characters.")})
    if kind == TransitionKind.REOPEN:
        others = Trajectory.objects.open().filter(client=current.client).exclude(pk=current.pk)
        if others.exists():
            raise ValidationError(_("This client already has an open trajectory."))
    errors = gate_errors(current, target) if kind != TransitionKind.BACK else []
    if errors:
        raise ValidationError({"target": errors})
    if not has_transition_perm(method, actor):
        raise ValidationError({"target": _("This move is not allowed from the current phase.")})
    try:
        method(*args)
    except (TransitionNotAllowed, ValueError):
        raise ValidationError({"target": _("This move is not allowed from the current phase.")})
    current.phase_since = timezone.now()
    current.version += 1
    try:
        with transaction.atomic(), pghistory.context(user=actor.pk):
            current.save()
    except ConcurrentTransition:
        raise StaleTrajectory()
    except IntegrityError:
        # Only a reopen meets the one-open-trajectory constraint: another
        # trajectory of this client was opened after the check above.
        raise ValidationError(_("This client already has an open trajectory."))
    # The move ends the stay the previous move (not a change of counsellor) began.
    PhaseChange.objects.filter(trajectory=current, left_at__isnull=True).exclude(
        kind=TransitionKind.REASSIGN
    ).update(left_at=current.phase_since)
    PhaseChange.objects.create(
        trajectory=current,
        team_id=current.team_id,
        kind=kind,
        from_phase=source,
        to_phase=current.phase,
        by=actor,
        at=current.phase_since,
        reason=reason
        or (current.get_closing_reason_display() if kind == TransitionKind.CLOSE else ""),
    )
    return current


def phase_changes_refresh_left_at(trajectory_ids: list[int]) -> int:
    """Recompute ``PhaseChange.left_at`` of these trajectories from their ``at``
    (the next change that is not a change of counsellor, by at and id), in one
    statement; returns the number of rows changed. Only for the demo seeders,
    which move the ``at`` of the changes they made into the past afterwards."""
    if not trajectory_ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE trajecten_phasechange AS c SET left_at = n.next_at
            FROM (
                SELECT id, LEAD(at) OVER (PARTITION BY trajectory_id ORDER BY at, id) AS next_at
                FROM trajecten_phasechange
                WHERE trajectory_id = ANY(%(ids)s) AND kind <> %(reassign)s
            ) AS n
            WHERE c.id = n.id AND c.left_at IS DISTINCT FROM n.next_at
            """,
            {"ids": list(trajectory_ids), "reassign": TransitionKind.REASSIGN.value},
        )
        return cursor.rowcount


# --- referral ------------------------------------------------------------------


@transaction.atomic
def referral_propose(
    *, actor: User, client: Client, team: Team, checklist: dict, motivation: str = ""
) -> Referral:
    require_case_edit(actor, client)
    if not actor.is_social_worker and not actor.is_team_lead:
        raise PermissionDenied
    if Trajectory.objects.open().filter(client=client).exclude(phase=Phase.PRECONDITIONS).exists():
        raise ValidationError(_("This client is already in a trajectory with the SPI service."))
    referral = Referral(
        client=client, team=team, proposed_by=actor, checklist=checklist, motivation=motivation
    )
    referral.full_clean(exclude=["status"])
    try:
        with transaction.atomic(), pghistory.context(user=actor.pk):
            referral.save()
    except IntegrityError:
        raise ValidationError(_("A referral for this client is already waiting for a decision."))
    for lead in User.objects.filter(teams=team, roles__contains=[Role.TEAM_LEAD]):
        notify(
            recipient=lead,
            message=gettext_noop("New referral of %(client)s to your team."),
            params={"client": str(client)},
            link=_client_file_url(client),
        )
    return referral


def _may_decide(actor: User, referral: Referral) -> bool:
    return (actor.is_counsellor or actor.is_team_lead) and actor.teams.filter(
        pk=referral.team_id
    ).exists()


def _lock_pending(referral: Referral) -> Referral:
    current = (
        Referral.objects.select_for_update().select_related("client", "team").get(pk=referral.pk)
    )
    if current.status != ReferralStatus.PROPOSED:
        raise ValidationError(
            _("This referral was already decided (%(status)s).")
            % {"status": current.get_status_display()},
            code="stale",
        )
    return current


@transaction.atomic
def referral_accept(
    *, actor: User, referral: Referral, counsellor: User, phase: str = Phase.SCREENING
) -> Trajectory:
    """Accept: the chosen counsellor gets a trajectory opened in ``phase``."""
    if phase not in PHASES:
        raise ValidationError({"phase": _("Choose one of the seven phases.")})
    current = _lock_pending(referral)
    if not _may_decide(actor, current):
        raise PermissionDenied
    if not counsellor.is_counsellor or not counsellor.teams.filter(pk=current.team_id).exists():
        raise ValidationError({"counsellor": _("Choose a counsellor of the SPI team.")})
    client = current.client
    existing = Trajectory.objects.open().filter(client=client).select_for_update().first()
    with pghistory.context(user=actor.pk):
        if existing is None:
            trajectory = Trajectory(
                client=client, team=current.team, counsellor=counsellor, phase=phase
            )
            trajectory.full_clean()
            trajectory.save()
            PhaseChange.objects.create(
                trajectory=trajectory,
                team=current.team,
                kind=TransitionKind.OPENED,
                to_phase=phase,
                by=actor,
                reason=_("Referral accepted"),
            )
        else:
            # A phase-1 trajectory started with the social worker continues with the
            # counsellor in its current phase; moving on passes the usual gates.
            trajectory = existing
            trajectory.team, trajectory.counsellor = current.team, counsellor
            trajectory.version += 1
            trajectory.save()
            # The changes carry the trajectory's team (the analytics count a trajectory
            # for the team it belongs to now): its whole history moves along.
            PhaseChange.objects.filter(trajectory=trajectory).exclude(team=current.team).update(
                team=current.team
            )
            PhaseChange.objects.create(
                trajectory=trajectory,
                team=current.team,
                kind=TransitionKind.REASSIGN,
                from_phase=trajectory.phase,
                to_phase=trajectory.phase,
                by=actor,
                reason=_("Referral accepted"),
            )
        current.status = ReferralStatus.ACCEPTED
        current.decided_by, current.decided_at = actor, timezone.now()
        current.trajectory = trajectory
        current.save()
    notify(
        recipient=current.proposed_by,
        message=gettext_noop("Referral of %(client)s accepted; counsellor: %(counsellor)s."),
        params={"client": str(client), "counsellor": str(counsellor)},
        link=_client_file_url(client),
    )
    if counsellor.pk != actor.pk:
        notify(
            recipient=counsellor,
            message=gettext_noop("%(client)s was assigned to you."),
            params={"client": str(client)},
            link=_client_file_url(client),
        )
    return trajectory


@transaction.atomic
def referral_decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    current = _lock_pending(referral)
    if not _may_decide(actor, current):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": _("Give the reason for declining.")})
    if len(reason) > 2000:
        raise ValidationError({"decline_reason": _("Keep the reason under 2,000 characters.")})
    current.status = ReferralStatus.DECLINED
    current.decided_by, current.decided_at = actor, timezone.now()
    current.decline_reason = reason
    with pghistory.context(user=actor.pk):
        current.save()
    notify(
        recipient=current.proposed_by,
        message=gettext_noop("Referral of %(client)s declined: %(reason)s"),
        params={"client": str(current.client), "reason": reason[:200]},
        link=_client_file_url(current.client),
    )
    return current


# --- needs analysis, plan, journal, evaluations -------------------------------------
# (Outcomes are recorded by ``spi.services.outcome_record``.)

NEEDS_FIELDS = (
    "date",
    "domains",
    "education",
    "work_experience",
    "languages",
    "driving_licence",
    "competences",
    "likes",
    "dislikes",
    "own_project",
    "expectations",
)


@transaction.atomic
def needs_analysis_record(*, actor: User, client: Client, data: dict[str, Any]) -> NeedsAnalysis:
    """A new version of the needs analysis; earlier versions stay as they were."""
    require_case_edit(actor, client)
    # Lock the client row so two versions recorded at once get distinct numbers.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    last = NeedsAnalysis.objects.filter(client=client).order_by("-version").first()
    analysis = NeedsAnalysis(
        client=client,
        author=actor,
        version=(last.version + 1) if last else 1,
        trajectory=Trajectory.objects.open().filter(client=client).first(),
        **{k: v for k, v in data.items() if k in NEEDS_FIELDS},
    )
    analysis.full_clean()
    with pghistory.context(user=actor.pk):
        analysis.save()
    return analysis


def _open_trajectory_for_edit(actor: User, trajectory: Trajectory) -> None:
    require_case_edit(actor, trajectory.client)


@transaction.atomic
def goal_create(*, actor: User, trajectory: Trajectory, data: dict[str, Any]) -> Goal:
    _open_trajectory_for_edit(actor, trajectory)
    goal = Goal(
        trajectory=trajectory,
        created_by=actor,
        **{k: v for k, v in data.items() if k in ("title", "description", "horizon", "domain")},
    )
    if data.get("set_on"):
        goal.set_on = data["set_on"]
    goal.full_clean()
    with pghistory.context(user=actor.pk):
        goal.save()
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, data: dict[str, Any]) -> Goal:
    _open_trajectory_for_edit(actor, goal.trajectory)
    for key in ("title", "description", "horizon", "domain", "status"):
        if key in data:
            setattr(goal, key, data[key])
    goal.full_clean()
    with pghistory.context(user=actor.pk):
        goal.save()
    return goal


@transaction.atomic
def action_create(*, actor: User, goal: Goal, data: dict[str, Any]) -> Action:
    _open_trajectory_for_edit(actor, goal.trajectory)
    action = Action(
        goal=goal,
        created_by=actor,
        **{k: v for k, v in data.items() if k in ("description", "owner", "due_date")},
    )
    action.full_clean()
    with pghistory.context(user=actor.pk):
        action.save()
    return action


@transaction.atomic
def action_set_done(*, actor: User, action: Action, done: bool) -> Action:
    _open_trajectory_for_edit(actor, action.goal.trajectory)
    action.done = done
    action.done_on = timezone.localdate() if done else None
    with pghistory.context(user=actor.pk):
        action.save(update_fields=["done", "done_on"])
    return action


@transaction.atomic
def contact_record(*, actor: User, client: Client, data: dict[str, Any]) -> Contact:
    require_case_edit(actor, client)
    if data.get("type") == ContactType.HANDOVER:
        raise ValidationError(
            {"type": _("A handover note is written by a reassignment, not recorded by hand.")}
        )
    contact = Contact(
        client=client,
        staff=actor,
        trajectory=Trajectory.objects.open().filter(client=client).first(),
        **{
            k: v
            for k, v in data.items()
            if k in ("date", "type", "duration_minutes", "summary", "confidential")
        },
    )
    contact.full_clean()
    with pghistory.context(user=actor.pk):
        contact.save()
    return contact


@transaction.atomic
def evaluation_record(
    *,
    actor: User,
    trajectory: Trajectory,
    data: dict[str, Any],
    progress: dict[int, tuple[str, str]] | None = None,
) -> Evaluation:
    """Record an evaluation with the progress made on each goal of the trajectory."""
    _open_trajectory_for_edit(actor, trajectory)
    evaluation = Evaluation(
        trajectory=trajectory,
        author=actor,
        **{
            k: v
            for k, v in data.items()
            if k in ("date", "in_person", "conclusion", "next_evaluation_on")
        },
    )
    evaluation.full_clean()
    goals = {g.pk: g for g in trajectory.goals.all()}
    rows = []
    for goal_id, (value, note) in (progress or {}).items():
        if goal_id not in goals:
            raise ValidationError(
                {"progress": _("Progress can only be given on this plan's goals.")}
            )
        row = GoalProgress(evaluation=evaluation, goal=goals[goal_id], progress=value, note=note)
        row.full_clean(exclude=["evaluation"])
        rows.append(row)
    with pghistory.context(user=actor.pk):
        evaluation.save()
        for row in rows:
            row.evaluation = evaluation
        GoalProgress.objects.bulk_create(rows)
    return evaluation


# --- reassignment ------------------------------------------------------------------------

REASSIGN_NOTE_MAX = 2000
# The journal type of a handover note until the journal has a "handover" type of
# its own: an internal consultation about the client.
HANDOVER_CONTACT_TYPE = ContactType.HANDOVER


class OverHardLimit(ValidationError):
    """The move would take the counsellor above their hard caseload limit."""

    def __init__(self, counsellor: User, *, open_count: int, after: int):
        self.counsellor, self.open_count, self.after = counsellor, open_count, after
        self.limit = counsellor.caseload_hard_limit
        super().__init__(
            _(
                "%(name)s would have %(after)d open trajectories, above their hard limit "
                "of %(limit)d. Confirm to reassign anyway."
            )
            % {"name": counsellor, "after": after, "limit": self.limit},
            code="over_hard_limit",
        )


@dataclass
class ReassignResult:
    moved: list[Trajectory] = field(default_factory=list)
    # Already with the new counsellor: nothing to do, no second journal note.
    unchanged: list[Trajectory] = field(default_factory=list)
    # The new counsellor's open trajectories afterwards, and whether that is above
    # their soft limit (a warning, not a refusal).
    open_count: int = 0
    over_soft_limit: bool = False
    # A form submitted twice: the first submission did the work.
    repeated: bool = False


def _handover_text(*, previous: User, target: User, note: str) -> str:
    return _("Handover from %(from)s to %(to)s: %(note)s") % {
        "from": previous,
        "to": target,
        "note": note,
    }


@transaction.atomic
def trajectories_reassign(
    *,
    actor: User,
    trajectory_ids: list[int],
    to_counsellor: User,
    note: str,
    confirm_over_limit: bool = False,
    submission_key: uuid.UUID | None = None,
) -> ReassignResult:
    """A team lead hands one or more open trajectories of their team(s) to another
    counsellor of the same team, with a handover note.

    All or nothing, under row locks (the new counsellor's row first, so two moves
    to the same person count their caseload one after the other; then the
    trajectories by id). For each trajectory that changes hands: the counsellor
    changes (version + 1, a "counsellor changed" move in its history), the note
    lands in the client's journal written by the team lead, the client's active
    tasks of the previous counsellor follow the client, and the new counsellor
    gets a notification linking to the file.

    Refused with a message and no change: a target outside the lead's teams or
    not a member of a trajectory's team, a target who is not a counsellor, a
    closed trajectory, a trajectory of a team the actor does not lead, a missing
    note, and a move beyond the target's hard caseload limit unless
    ``confirm_over_limit``. A trajectory the actor may not see at all (another
    OCMW) raises ``Trajectory.DoesNotExist`` (a 404 for the pages).

    A repeated ``submission_key`` (double click, resent form) does nothing the
    second time, and a trajectory already with the new counsellor is left alone,
    so no file is reassigned twice or gets two journal notes.
    """
    if not getattr(actor, "is_authenticated", False) or actor.ocmw_id is None:
        raise PermissionDenied
    if not actor.is_team_lead:
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write a handover note for the new counsellor.")})
    if len(note) > REASSIGN_NOTE_MAX:
        raise ValidationError({"note": _("Keep the handover note under 2,000 characters.")})
    ids = sorted({int(pk) for pk in trajectory_ids})
    if not ids:
        raise ValidationError({"trajectories": _("Select at least one client.")})
    if submission_key is not None:
        key, created = SubmissionKey.objects.get_or_create(
            key=submission_key, defaults={"user": actor, "result_url": ""}
        )
        if not created:
            if key.user_id != actor.pk:
                raise PermissionDenied
            if key.result_url:
                return ReassignResult(repeated=True)
    led = set(actor.teams.values_list("pk", flat=True))
    target = (
        User.objects.select_for_update().filter(pk=to_counsellor.pk, ocmw_id=actor.ocmw_id).first()
    )
    if target is None:
        raise ValidationError({"to_counsellor": _("Choose a counsellor of a team you lead.")})
    if not target.is_active or not target.is_counsellor:
        raise ValidationError(
            {
                "to_counsellor": _("%(name)s is not a counsellor; choose a counsellor.")
                % {"name": target}
            }
        )
    target_teams = set(target.teams.values_list("pk", flat=True))
    if not target_teams & led:
        raise ValidationError(
            {"to_counsellor": _("%(name)s is not a member of a team you lead.") % {"name": target}}
        )
    visible = Trajectory.objects.visible_to(actor).filter(pk__in=ids).values("pk")
    trajectories = list(
        Trajectory.objects.select_for_update(of=("self",))
        .filter(pk__in=visible)
        .select_related("client", "counsellor", "team")
        .order_by("pk")
    )
    if len(trajectories) != len(ids):
        raise Trajectory.DoesNotExist
    errors = []
    for trajectory in trajectories:
        names = {"client": trajectory.client, "team": trajectory.team, "name": target}
        if trajectory.team_id not in led:
            errors.append(_("%(client)s: the trajectory is not in a team you lead.") % names)
        elif not trajectory.is_open:
            errors.append(_("%(client)s: the trajectory is closed.") % names)
        elif trajectory.team_id not in target_teams:
            errors.append(_("%(client)s: %(name)s is not a member of %(team)s.") % names)
    if errors:
        raise ValidationError({"trajectories": errors})

    moving = [t for t in trajectories if t.counsellor_id != target.pk]
    result = ReassignResult(
        moved=moving, unchanged=[t for t in trajectories if t.counsellor_id == target.pk]
    )
    open_count = Trajectory.objects.open().filter(counsellor=target).count()
    result.open_count = open_count + len(moving)
    if moving and result.open_count > target.caseload_hard_limit and not confirm_over_limit:
        raise OverHardLimit(target, open_count=open_count, after=result.open_count)
    result.over_soft_limit = result.open_count > target.caseload_soft_limit
    if moving:
        _reassign(actor=actor, trajectories=moving, target=target, note=note)
    if submission_key is not None:
        SubmissionKey.objects.filter(key=submission_key).update(
            result_url=reverse("trajecten:team_cases")
        )
    return result


def _reassign(*, actor: User, trajectories: list[Trajectory], target: User, note: str) -> None:
    """The writes of a reassignment, set-based: one statement per kind of row."""
    from ocmw.models import ACTIVE_TASK_STATUSES, Notification, Task

    now, today = timezone.now(), timezone.localdate()
    contacts, changes, notifications = [], [], []
    for trajectory in trajectories:
        text = _handover_text(previous=trajectory.counsellor, target=target, note=note)
        contacts.append(
            Contact(
                client=trajectory.client,
                trajectory=trajectory,
                date=today,
                type=HANDOVER_CONTACT_TYPE,
                # A handover is a minute of the team lead's time, shared by the
                # clients handed over together (the staff time report).
                duration_minutes=1,
                shared_with=min(len(trajectories), 32767),
                staff=actor,
                summary=text[:10000],
            )
        )
        changes.append(
            PhaseChange(
                trajectory=trajectory,
                team_id=trajectory.team_id,
                kind=TransitionKind.REASSIGN,
                from_phase=trajectory.phase,
                to_phase=trajectory.phase,
                by=actor,
                at=now,
                reason=text[:2000],
            )
        )
        notifications.append(
            Notification(
                recipient=target,
                message=gettext_noop("%(client)s was reassigned to you by %(actor)s: %(note)s"),
                params={"client": str(trajectory.client), "actor": str(actor), "note": note[:200]},
                link=_client_file_url(trajectory.client)[:500],
            )
        )
    # Every note differs only by client and previous counsellor: checking one
    # checks the shape of all (date, type, duration, length), without a query
    # per row for its foreign keys.
    contacts[0].full_clean(exclude=["client", "trajectory", "staff"])
    tasks_of_previous = Q(pk__in=[])
    for trajectory in trajectories:
        tasks_of_previous |= Q(
            client_id=trajectory.client_id, responsible_id=trajectory.counsellor_id
        )
    with pghistory.context(user=actor.pk):
        Trajectory.objects.filter(pk__in=[t.pk for t in trajectories]).update(
            counsellor=target, version=F("version") + 1
        )
        Contact.objects.bulk_create(contacts)
        PhaseChange.objects.bulk_create(changes)
        # The reminders scan would move them at its next run; the new counsellor
        # should see them now.
        Task.objects.filter(tasks_of_previous, status__in=ACTIVE_TASK_STATUSES).update(
            responsible=target
        )
        Notification.objects.bulk_create(notifications)
    for trajectory in trajectories:
        trajectory.counsellor = target
        trajectory.version += 1
