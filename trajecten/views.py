"""Pages of the trajectory app.

Reads go through ``trajecten.selectors`` (scoped to the user: another OCMW's
object is a 404), writes through ``trajecten.services``. A form that fails
validation is shown again on its own page with what was typed and the errors;
a successful post redirects back to the client file (post/redirect/get).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ocmw import selectors as core_selectors
from ocmw import services as core_services
from ocmw.models import AccessAction, Client
from trajecten import forms, hooks, selectors, services
from trajecten.models import Phase, ReferralStatus, Trajectory, case_clients

PAGE_SIZE = 25


# --- helpers ------------------------------------------------------------------------


def _client_or_404(request: HttpRequest, pk: int, *, edit: bool = False) -> Client:
    """A client whose case content the user reads (and, with ``edit``, may change)."""
    try:
        client = core_selectors.client_get(user=request.user, pk=pk)
    except Client.DoesNotExist:
        raise Http404
    if not client.access_case:
        raise Http404
    if edit and not client.access_edit:
        raise PermissionDenied
    return client


def _trajectory_or_404(request: HttpRequest, pk: int, *, edit: bool = False):
    """The trajectory and its client (annotated with the user's access)."""
    try:
        trajectory = selectors.trajectory_get(user=request.user, pk=pk)
    except Trajectory.DoesNotExist:
        raise Http404
    client = _client_or_404(request, trajectory.client_id, edit=edit)
    trajectory.client = client
    return trajectory, client


def _file_url(client_pk: int, anchor: str = "") -> str:
    url = reverse("client_detail", args=[client_pk])
    return f"{url}#{anchor}" if anchor else url


def _back_to_file(request: HttpRequest, client_pk: int, anchor: str = "") -> HttpResponse:
    """The client file, or the caseload once the user may no longer read it
    (a counsellor who closed the trajectory, a referral handed to a colleague)."""
    readable = case_clients(request.user).filter(pk=client_pk).exists()
    if readable:
        return redirect(_file_url(client_pk, anchor))
    return redirect("trajecten:caseload")


def _refuse_closed(request: HttpRequest, trajectory: Trajectory) -> HttpResponse | None:
    if trajectory.is_open:
        return None
    messages.error(request, _("This trajectory is closed; its plan can no longer be changed."))
    return redirect(_file_url(trajectory.client_id, "plan"))


def _log_view(request: HttpRequest, client: Client, what: str) -> None:
    core_services.access_log_record(
        user=request.user,
        client=client,
        action=AccessAction.VIEW,
        what=what,
        page=request.get_full_path(),
    )


# --- caseload -------------------------------------------------------------------------


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.ocmw_id is None or not (user.handles_cases or user.is_team_lead):
        raise PermissionDenied
    led = selectors.led_team_ids(user)
    scope = request.GET.get("scope") or ("team" if led and not user.is_counsellor else "mine")
    if scope not in ("mine", "team") or (scope == "team" and not led):
        scope = "mine"
    sort = request.GET.get("sort", "name")
    if sort not in selectors.CASELOAD_SORTS:
        sort = "name"
    filters = forms.CaseloadFilterForm(request.GET or None)
    phase = filters.cleaned_data.get("phase", "") if filters.is_valid() else ""
    counsellor_id = 0
    if scope == "team":
        try:
            counsellor_id = int(request.GET.get("counsellor") or 0)
        except ValueError:
            counsellor_id = 0
    rows = selectors.caseload(
        user=user,
        phase=phase,
        sort=sort,
        team_ids=led if scope == "team" else None,
        counsellor_id=counsellor_id,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors.with_activity_summaries(page.object_list),
        "filters": filters if filters.is_bound else forms.CaseloadFilterForm(),
        "scope": scope,
        "show_counsellor": scope == "team",
        "can_see_team": bool(led),
        "counsellors": selectors.team_counsellors(team_ids=led) if scope == "team" else [],
        "counsellor_id": counsellor_id,
        "phase": phase,
        "sort": sort,
    }
    return render(request, "trajecten/caseload.html", context)


# --- transitions ----------------------------------------------------------------------


@login_required
def trajectory_transition(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory, client = _trajectory_or_404(request, pk)
    if request.method == "POST":
        form = forms.TransitionForm(request.POST)
    else:
        form = forms.TransitionForm(
            initial={"version": trajectory.version, "target": request.GET.get("target", "")}
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.trajectory_transition(
                actor=request.user,
                trajectory=trajectory,
                target=data["target"],
                reason=data["reason"],
                closing_reason=data["closing_reason"],
                closing_note=data["closing_note"],
                version=data["version"],
            )
        except services.StaleTrajectory as exc:
            messages.error(request, exc.messages[0])
            return _back_to_file(request, client.pk, "trajectory")
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if moved.is_open:
                messages.success(
                    request,
                    _("The trajectory is now in phase %(phase)s.")
                    % {"phase": hooks.phase_label(moved.phase)},
                )
            else:
                messages.success(request, _("The trajectory is closed."))
            return _back_to_file(request, client.pk, "trajectory")
    if request.method == "POST":
        trajectory.refresh_from_db()
    context = {
        "form": form,
        "client": client,
        "trajectory": trajectory,
        "phase_bar": hooks.phase_bar(trajectory),
        "moves": hooks.grouped_moves(trajectory, request.user),
        "target_label": dict(Phase.choices).get(form["target"].value() or "", ""),
    }
    return render(request, "trajecten/transition.html", context, status=200)


@login_required
@require_POST
def trajectory_start(request: HttpRequest, pk: int) -> HttpResponse:
    """A social worker starts phase 1 (preconditions) with the client themselves."""
    client = _client_or_404(request, pk, edit=True)
    user = request.user
    if not user.is_social_worker:
        raise PermissionDenied
    teams = list(user.teams.order_by("name"))
    team = next((t for t in teams if t.service == "general"), teams[0] if teams else None)
    if team is None:
        messages.error(request, _("You are not a member of a team; ask your administrator."))
        return redirect(_file_url(client.pk, "trajectory"))
    try:
        services.trajectory_open(
            actor=user,
            client=client,
            counsellor=user,
            team=team,
            phase=Phase.PRECONDITIONS,
            reason=_("Started in phase 1 with the social worker"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The trajectory started in phase 1 with you."))
    return redirect(_file_url(client.pk, "trajectory"))


@login_required
@never_cache
def trajectory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One trajectory, read-only: mostly an earlier, closed one."""
    trajectory, client = _trajectory_or_404(request, pk)
    _log_view(request, client, gettext_noop("trajectory"))
    context = {
        "client": client,
        "trajectory": trajectory,
        "phase_bar": hooks.phase_bar(trajectory),
        "changes": selectors.trajectory_changes(trajectory=trajectory),
        "goals": selectors.trajectory_goals(trajectory=trajectory),
        "evaluations": selectors.trajectory_evaluations(trajectory=trajectory),
        "contacts": list(
            selectors.client_contacts(user=request.user, client=client, trajectory=trajectory)
        ),
    }
    return render(request, "trajecten/trajectory_detail.html", context)


# --- referral ---------------------------------------------------------------------------


@login_required
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=True)
    user = request.user
    if not (user.is_social_worker or user.is_team_lead):
        raise PermissionDenied
    teams = selectors.referral_teams(user=user)
    form = forms.ReferralForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_propose(
                actor=user,
                client=client,
                team=form.cleaned_data["team"],
                checklist=form.checklist(),
                motivation=form.cleaned_data["motivation"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(client)s was referred to %(team)s.")
                % {"client": client, "team": referral.team},
            )
            return redirect(_file_url(client.pk, "trajectory"))
    return render(request, "trajecten/referral_form.html", {"form": form, "client": client})


def _referral_or_404(request: HttpRequest, pk: int):
    try:
        return selectors.referral_get(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404


def _referral_page(request, referral, *, accept_form=None, decline_form=None, status=200):
    can_decide = referral.status == ReferralStatus.PROPOSED and hooks.may_decide_referral(
        request.user, referral
    )
    if can_decide:
        accept_form = accept_form or forms.AcceptReferralForm(
            counsellors=selectors.team_counsellors(team_ids=[referral.team_id]),
            initial={"counsellor": request.user.pk if request.user.is_counsellor else None},
        )
        decline_form = decline_form or forms.DeclineReferralForm()
    file_readable = case_clients(request.user).filter(pk=referral.client_id).exists()
    context = {
        "referral": referral,
        "client": referral.client,
        "can_decide": can_decide,
        "accept_form": accept_form,
        "decline_form": decline_form,
        "file_readable": file_readable,
    }
    return render(request, "trajecten/referral_detail.html", context, status=status)


def _decided_meanwhile(request: HttpRequest, referral, exc: ValidationError) -> bool:
    """Someone else decided first: say so on the referral page instead of a form error."""
    if getattr(exc, "code", None) != "stale":
        return False
    messages.error(request, exc.messages[0])
    return True


@login_required
@never_cache
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    _log_view(request, referral.client, gettext_noop("referral"))
    return _referral_page(request, referral)


@login_required
@require_POST
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    if not hooks.may_decide_referral(request.user, referral):
        raise PermissionDenied
    form = forms.AcceptReferralForm(
        request.POST, counsellors=selectors.team_counsellors(team_ids=[referral.team_id])
    )
    if form.is_valid():
        try:
            services.referral_accept(
                actor=request.user,
                referral=referral,
                counsellor=form.cleaned_data["counsellor"],
                phase=form.cleaned_data["phase"],
            )
        except ValidationError as exc:
            if _decided_meanwhile(request, referral, exc):
                return redirect("trajecten:referral_detail", pk=referral.pk)
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Referral accepted: %(client)s now has a trajectory with %(counsellor)s.")
                % {"client": referral.client, "counsellor": form.cleaned_data["counsellor"]},
            )
            return _back_to_file(request, referral.client_id, "trajectory")
    referral.refresh_from_db()
    return _referral_page(request, referral, accept_form=form)


@login_required
@require_POST
def referral_decline(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    if not hooks.may_decide_referral(request.user, referral):
        raise PermissionDenied
    form = forms.DeclineReferralForm(request.POST)
    if form.is_valid():
        try:
            services.referral_decline(
                actor=request.user, referral=referral, reason=form.cleaned_data["decline_reason"]
            )
        except ValidationError as exc:
            if _decided_meanwhile(request, referral, exc):
                return redirect("trajecten:referral_detail", pk=referral.pk)
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("The referral was declined; the social worker is told why.")
            )
            return redirect("home")
    referral.refresh_from_db()
    return _referral_page(request, referral, decline_form=form)


# --- journal ---------------------------------------------------------------------------


@login_required
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=True)
    form = forms.ContactForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_record(
                actor=request.user, client=client, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Contact recorded."))
            return redirect(_file_url(client.pk, f"contact-{contact.pk}"))
    return render(request, "trajecten/contact_form.html", {"form": form, "client": client})


@login_required
@never_cache
def journal(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk)
    _log_view(request, client, gettext_noop("journal"))
    contacts = selectors.client_contacts(user=request.user, client=client)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "trajecten/journal.html",
        {"client": client, "page": page, "contacts": page.object_list},
    )


# --- plan ---------------------------------------------------------------------------------


@login_required
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory, client = _trajectory_or_404(request, pk, edit=True)
    if refused := _refuse_closed(request, trajectory):
        return refused
    form = forms.GoalForm(request.POST or None, initial={"set_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(
                actor=request.user, trajectory=trajectory, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Goal added to the plan."))
            return redirect(_file_url(client.pk, f"goal-{goal.pk}"))
    context = {"form": form, "client": client, "trajectory": trajectory}
    return render(request, "trajecten/goal_form.html", context)


def _goal_or_404(request: HttpRequest, pk: int):
    try:
        goal = selectors.goal_get(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404
    client = _client_or_404(request, goal.trajectory.client_id, edit=True)
    goal.trajectory.client = client
    return goal, client


@login_required
@require_POST
def goal_status(request: HttpRequest, pk: int) -> HttpResponse:
    goal, client = _goal_or_404(request, pk)
    if refused := _refuse_closed(request, goal.trajectory):
        return refused
    form = forms.GoalStatusForm(request.POST)
    if form.is_valid():
        try:
            services.goal_update(actor=request.user, goal=goal, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Goal “%(goal)s”: %(status)s.")
                % {"goal": goal.title, "status": goal.get_status_display()},
            )
    else:
        messages.error(request, _("Choose one of the statuses of a goal."))
    return redirect(_file_url(client.pk, f"goal-{goal.pk}"))


@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    goal, client = _goal_or_404(request, pk)
    if refused := _refuse_closed(request, goal.trajectory):
        return refused
    form = forms.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(actor=request.user, goal=goal, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Action added."))
            return redirect(_file_url(client.pk, f"goal-{goal.pk}"))
    return render(
        request, "trajecten/action_form.html", {"form": form, "client": client, "goal": goal}
    )


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        action = selectors.action_get(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404
    client = _client_or_404(request, action.goal.trajectory.client_id, edit=True)
    if refused := _refuse_closed(request, action.goal.trajectory):
        return refused
    form = forms.ActionDoneForm(request.POST)
    done = form.is_valid() and form.cleaned_data["done"]
    services.action_set_done(actor=request.user, action=action, done=done)
    messages.success(request, _("Action marked as done.") if done else _("Action reopened."))
    return redirect(_file_url(client.pk, f"goal-{action.goal_id}"))


# --- needs analysis -------------------------------------------------------------------------


@login_required
def needs_analysis_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=True)
    analyses = selectors.client_needs_analyses(user=request.user, client=client)
    latest = analyses[0] if analyses else None
    initial = {**forms.NeedsAnalysisForm.initial_from(latest), "date": timezone.localdate()}
    form = forms.NeedsAnalysisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            analysis = services.needs_analysis_record(
                actor=request.user, client=client, data=form.service_data()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Needs analysis version %(version)d recorded.") % {"version": analysis.version},
            )
            return redirect(_file_url(client.pk, "needs"))
    context = {"form": form, "client": client, "latest": latest}
    return render(request, "trajecten/needs_analysis_form.html", context)


@login_required
@never_cache
def needs_analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        analysis = selectors.needs_analysis_get(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404
    client = _client_or_404(request, analysis.client_id)
    _log_view(request, client, gettext_noop("needs analysis"))
    return render(
        request, "trajecten/needs_analysis_detail.html", {"analysis": analysis, "client": client}
    )


# --- evaluations ----------------------------------------------------------------------------


@login_required
def evaluation_create(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory, client = _trajectory_or_404(request, pk, edit=True)
    if refused := _refuse_closed(request, trajectory):
        return refused
    goals = selectors.trajectory_goals(trajectory=trajectory)
    form = forms.EvaluationForm(
        request.POST or None, goals=goals, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_record(
                actor=request.user,
                trajectory=trajectory,
                data=form.service_data(),
                progress=form.progress(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Evaluation recorded."))
            return redirect(_file_url(client.pk, "evaluations"))
    context = {"form": form, "client": client, "trajectory": trajectory}
    return render(request, "trajecten/evaluation_form.html", context)


# --- notifications --------------------------------------------------------------------------


@login_required
@never_cache
def notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        count = core_services.notifications_mark_read(user=user)
        if count:
            messages.success(request, _("All notifications are marked as read."))
        return redirect("trajecten:notifications")
    page = Paginator(selectors.notifications_for(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "trajecten/notifications.html",
        {"page": page, "notifications": page.object_list},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (only ever within this site)."""
    notification = selectors.notifications_for(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    core_services.notifications_mark_read(user=request.user, ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, {request.get_host()}, request.is_secure()):
        return redirect(link)
    return redirect("trajecten:notifications")
