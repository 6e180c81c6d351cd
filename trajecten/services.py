"""Every write of the trajectory app. Pages and API both call these."""

from __future__ import annotations

from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, TransitionNotAllowed, has_transition_perm

from ocmw.models import Client, Role, Team, User
from ocmw.services import notify
from trajecten.models import (
    PHASES,
    Action,
    ClosingReason,
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
    PhaseChange.objects.create(
        trajectory=current,
        kind=kind,
        from_phase=source,
        to_phase=current.phase,
        by=actor,
        at=current.phase_since,
        reason=reason
        or (current.get_closing_reason_display() if kind == TransitionKind.CLOSE else ""),
    )
    return current


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
            PhaseChange.objects.create(
                trajectory=trajectory,
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
