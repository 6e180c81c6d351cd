"""What the trajectory app contributes to the core registries (see ocmw/registries.py)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocmw.registries import Panel, TimelineEntry
from trajecten import forms, selectors, services
from trajecten.models import (
    PHASES,
    Phase,
    ReferralStatus,
    Trajectory,
    TransitionKind,
    phase_number,
)

# --- shared helpers ---------------------------------------------------------------


def phase_label(phase: str) -> str:
    number = phase_number(phase)
    label = Phase(phase).label if phase in Phase.values else phase
    return f"{number} · {label}" if number else str(label)


def days_text(days: int) -> str:
    if days <= 0:
        return _("since today")
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def phase_bar(trajectory: Trajectory) -> list[dict]:
    """The seven phases, the current one marked with the time spent in it."""
    current = phase_number(trajectory.phase) if trajectory.is_open else None
    rows = []
    for number, phase in enumerate(PHASES, start=1):
        if current is None:
            state = "todo"
        elif number < current:
            state = "past"
        elif number == current:
            state = "current"
        else:
            state = "todo"
        rows.append(
            {
                "number": number,
                "phase": phase,
                "label": Phase(phase).label,
                "state": state,
                "days": days_text(trajectory.days_in_phase) if state == "current" else "",
            }
        )
    return rows


def grouped_moves(trajectory: Trajectory, user) -> dict:
    """The moves of ``services.available_moves`` grouped for the buttons."""
    groups: dict = {"next": None, "skip": [], "back": [], "close": None, "reopen": []}
    for move in services.available_moves(trajectory, user):
        move = {**move, "label": phase_label(move["target"]) if move["target"] in PHASES else ""}
        kind = move["kind"]
        if kind == TransitionKind.ADVANCE:
            groups["next"] = move
        elif kind == TransitionKind.SKIP:
            groups["skip"].append(move)
        elif kind == TransitionKind.BACK:
            groups["back"].append(move)
        elif kind == TransitionKind.CLOSE:
            groups["close"] = move
        elif kind == TransitionKind.REOPEN:
            groups["reopen"].append(move)
    # A gate that blocks the next phase is said under the buttons; one that blocks
    # a skip target is said next to that target inside the "skip ahead" panel.
    following = groups["next"]
    groups["blocked"] = [
        (f"gate-next-{index}", message)
        for index, message in enumerate((following or {}).get("blocked") or [])
    ]
    if following:
        following["gate_ids"] = [gate_id for gate_id, _message in groups["blocked"]]
    for move in groups["skip"]:
        move["gate_id"] = f"gate-{move['target']}"
    groups["any"] = bool(
        groups["next"] or groups["skip"] or groups["back"] or groups["close"] or groups["reopen"]
    )
    return groups


def user_team_ids(user) -> set[int]:
    cached = getattr(user, "_trajecten_team_ids", None)
    if cached is None:
        cached = set(user.teams.values_list("pk", flat=True))
        user._trajecten_team_ids = cached
    return cached


def may_decide_referral(user, referral) -> bool:
    return (user.is_counsellor or user.is_team_lead) and referral.team_id in user_team_ids(user)


# --- the client file ------------------------------------------------------------------


def client_panels(request, client) -> list[Panel]:
    user = request.user
    data = selectors.client_file(user=user, client=client)
    current = data.current
    can_edit = bool(getattr(client, "access_edit", False))
    pending = data.pending_referral
    ctx: dict = {
        "file": data,
        "client": client,
        "trajectory": current,
        "is_open": bool(current and current.is_open),
        "can_edit": can_edit,
        "today": timezone.localdate(),
    }
    if current is not None:
        ctx["phase_bar"] = phase_bar(current)
        ctx["moves"] = grouped_moves(current, user)
        ctx["closing_reasons"] = forms.TransitionForm.base_fields["closing_reason"].choices
    ctx["can_refer"] = (
        can_edit
        and (user.is_social_worker or user.is_team_lead)
        and pending is None
        and (current is None or not current.is_open or current.phase == Phase.PRECONDITIONS)
    )
    ctx["can_start"] = (
        can_edit and user.is_social_worker and (current is None or not current.is_open)
    )
    if pending is not None and may_decide_referral(user, pending):
        ctx["decide"] = {
            "accept_form": forms.AcceptReferralForm(
                counsellors=selectors.team_counsellors(team_ids=[pending.team_id]),
                initial={"counsellor": user.pk if user.is_counsellor else None},
            ),
            "decline_form": forms.DeclineReferralForm(),
        }
    latest = data.latest_referral
    if latest is not None and latest.status == ReferralStatus.DECLINED and not ctx["is_open"]:
        ctx["declined_referral"] = latest
    if ctx["is_open"] and can_edit:
        ctx["contact_form"] = forms.ContactForm(initial={"date": ctx["today"]})
        ctx["goal_form"] = forms.GoalForm(initial={"set_on": ctx["today"]}, auto_id="id_goal_%s")
    elif can_edit:
        ctx["contact_form"] = forms.ContactForm(initial={"date": ctx["today"]})
    for goal in data.goals:
        goal.status_form = forms.GoalStatusForm(
            initial={"status": goal.status}, auto_id=f"id_goal{goal.pk}_%s"
        )
        goal.action_form = forms.ActionForm(auto_id=f"id_goal{goal.pk}_action_%s")
    # The timeline tab loads its first page itself (htmx, when first shown): the
    # page would otherwise read every app's history a second time.

    def panel(key, title, template, order, placement="tab"):
        return Panel(
            key=key,
            title=title,
            template=f"trajecten/panels/{template}.html",
            context=ctx,
            order=order,
            placement=placement,
        )

    panels = [panel("trajectory", _("Trajectory"), "header", 10, "header")]
    if current is not None:
        panels.append(panel("plan", _("Plan"), "plan", 20))
    panels.append(panel("journal", _("Journal"), "journal", 30))
    panels.append(panel("needs", _("Needs analysis"), "needs", 40))
    if current is not None:
        panels.append(panel("evaluations", _("Evaluations"), "evaluations", 50))
    panels.append(panel("timeline", _("Timeline"), "timeline", 60))
    return panels


# --- timeline ----------------------------------------------------------------------------


def _file_url(client, anchor: str) -> str:
    return f"{reverse('client_detail', args=[client.pk])}#{anchor}"


def _change_title(change) -> str:
    to = phase_label(change.to_phase)
    if change.kind == TransitionKind.OPENED:
        return _("Trajectory opened in phase %(phase)s") % {"phase": to}
    if change.kind == TransitionKind.CLOSE:
        return _("Trajectory closed")
    if change.kind == TransitionKind.REOPEN:
        return _("Trajectory reopened in phase %(phase)s") % {"phase": to}
    if change.kind == TransitionKind.REASSIGN:
        return _("Counsellor changed")
    labels = {
        TransitionKind.ADVANCE: _("next phase"),
        TransitionKind.SKIP: _("skipped ahead"),
        TransitionKind.BACK: _("back to an earlier phase"),
    }
    return _("Phase %(from)s → %(to)s (%(kind)s)") % {
        "from": phase_label(change.from_phase),
        "to": to,
        "kind": labels.get(change.kind, change.kind),
    }


def timeline_entries(client, user, before, limit) -> list[TimelineEntry]:
    """Phase changes, contacts, evaluations, goals and referral events, newest first.

    Five queries whatever the history's length; a confidential note the user may
    not read appears as ``restricted`` with who and when, never its summary.
    """
    entries: list[TimelineEntry] = []
    for change in selectors.timeline_phase_changes(client=client, before=before, limit=limit):
        entries.append(
            TimelineEntry(
                at=change.at,
                kind="phase",
                title=_change_title(change),
                detail=change.reason,
                by=str(change.by),
                url=_file_url(client, "trajectory"),
            )
        )
    for contact in selectors.timeline_contacts(
        user=user, client=client, before=before, limit=limit
    ):
        when = date_format(contact.date, "SHORT_DATE_FORMAT")
        if contact.can_read_summary:
            title = _("%(type)s on %(date)s · %(minutes)d min") % {
                "type": contact.get_type_display(),
                "date": when,
                "minutes": contact.duration_minutes,
            }
            if contact.confidential:
                title = _("%(title)s (confidential)") % {"title": title}
            entries.append(
                TimelineEntry(
                    at=contact.at,
                    kind="contact",
                    title=title,
                    detail=Truncator(contact.summary).chars(400),
                    by=str(contact.staff),
                    url=_file_url(client, f"contact-{contact.pk}"),
                )
            )
        else:
            entries.append(
                TimelineEntry(
                    at=contact.at,
                    kind="contact",
                    title=_("Confidential note by %(author)s on %(date)s")
                    % {"author": contact.staff, "date": when},
                    by=str(contact.staff),
                    restricted=True,
                )
            )
    for evaluation in selectors.timeline_evaluations(client=client, before=before, limit=limit):
        entries.append(
            TimelineEntry(
                at=evaluation.at,
                kind="evaluation",
                title=(
                    _("Evaluation in a personal meeting")
                    if evaluation.in_person
                    else _("Evaluation (not in person)")
                ),
                detail=Truncator(evaluation.conclusion).chars(400),
                by=str(evaluation.author),
                url=_file_url(client, f"evaluation-{evaluation.pk}"),
            )
        )
    for goal in selectors.timeline_goals(client=client, before=before, limit=limit):
        entries.append(
            TimelineEntry(
                at=goal.created_at,
                kind="goal",
                title=_("Goal set: %(goal)s") % {"goal": goal.title},
                detail=f"{goal.get_horizon_display()} · {goal.get_domain_display()}",
                by=str(goal.created_by),
                url=_file_url(client, f"goal-{goal.pk}"),
            )
        )
        changed = goal.updated_at - goal.created_at > datetime.timedelta(seconds=1)
        if changed and goal.status != "open" and (before is None or goal.updated_at < before):
            entries.append(
                TimelineEntry(
                    at=goal.updated_at,
                    kind="goal",
                    title=_("Goal “%(goal)s”: %(status)s")
                    % {"goal": goal.title, "status": goal.get_status_display()},
                    url=_file_url(client, f"goal-{goal.pk}"),
                )
            )
    for referral in selectors.timeline_referrals(
        user=user, client=client, before=before, limit=limit
    ):
        entries.append(
            TimelineEntry(
                at=referral.proposed_at,
                kind="referral",
                title=_("Referred to the SPI service (%(team)s)") % {"team": referral.team},
                detail=Truncator(referral.motivation).chars(400),
                by=str(referral.proposed_by),
                url=reverse("trajecten:referral_detail", args=[referral.pk]),
            )
        )
        if referral.decided_at and (before is None or referral.decided_at < before):
            accepted = referral.status == ReferralStatus.ACCEPTED
            entries.append(
                TimelineEntry(
                    at=referral.decided_at,
                    kind="referral",
                    title=_("Referral accepted") if accepted else _("Referral declined"),
                    detail="" if accepted else referral.decline_reason,
                    by=str(referral.decided_by or ""),
                    url=reverse("trajecten:referral_detail", args=[referral.pk]),
                )
            )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


# --- the home page ----------------------------------------------------------------------

HOME_CASELOAD_ROWS = 10


def home_panels(request) -> list[Panel]:
    user = request.user
    if user.ocmw_id is None:
        return []
    panels = []
    if user.is_counsellor or user.is_team_lead:
        referrals = list(selectors.pending_referrals_for_teams(user=user)[:20])
        if referrals or user.is_team_lead:
            panels.append(
                Panel(
                    key="referrals",
                    title=_("Referrals waiting for your team"),
                    template="trajecten/panels/home_referrals.html",
                    context={"referrals": referrals},
                    order=10,
                )
            )
    if user.is_counsellor or (user.is_social_worker and not user.is_team_lead):
        rows = list(selectors.caseload(user=user, sort="next_evaluation")[: HOME_CASELOAD_ROWS + 1])
        if user.is_counsellor or rows:
            panels.append(
                Panel(
                    key="caseload",
                    title=_("My caseload"),
                    template="trajecten/panels/home_caseload.html",
                    context={
                        "rows": rows[:HOME_CASELOAD_ROWS],
                        "more": len(rows) > HOME_CASELOAD_ROWS,
                    },
                    order=20,
                )
            )
    if user.is_team_lead:
        panels.append(
            Panel(
                key="team_caseload",
                title=_("Team caseload"),
                template="trajecten/panels/home_team.html",
                context={},
                order=30,
            )
        )
    if user.is_social_worker:
        mine = list(selectors.referrals_proposed_by(user=user)[:10])
        if mine:
            panels.append(
                Panel(
                    key="my_referrals",
                    title=_("My referrals to the SPI service"),
                    template="trajecten/panels/home_my_referrals.html",
                    context={"referrals": mine},
                    order=40,
                )
            )
    return panels
