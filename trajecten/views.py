"""Pages of the trajectory app.

Reads go through ``trajecten.selectors`` (scoped to the user: another OCMW's
object is a 404), writes through ``trajecten.services``. A form that fails
validation is shown again on its own page with what was typed and the errors;
a successful post redirects back to the client file (post/redirect/get).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ocmw import selectors as core_selectors
from ocmw import services as core_services
from ocmw.models import AccessAction, Client, PreferredLanguage
from trajecten import analytics as team_analytics
from trajecten import forms, hooks, selectors, services
from trajecten import registries as case_list_registry
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
    if scope == "team" and led:
        # The teams' caseload is the team case list: filters, cursor paging,
        # export and reassignment. Its filters (counsellor, phase) carry over.
        params = {key: value for key in ("counsellor", "phase") if (value := request.GET.get(key))}
        url = reverse("trajecten:team_cases")
        return redirect(f"{url}?{urlencode(params)}" if params else url)
    sort = request.GET.get("sort", "name")
    if sort not in selectors.CASELOAD_SORTS:
        sort = "name"
    filters = forms.CaseloadFilterForm(request.GET or None)
    phase = filters.cleaned_data.get("phase", "") if filters.is_valid() else ""
    rows = selectors.caseload(user=user, phase=phase, sort=sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors.with_activity_summaries(page.object_list),
        "filters": filters if filters.is_bound else forms.CaseloadFilterForm(),
        "scope": "mine",
        "show_counsellor": False,
        "can_see_team": bool(led),
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
    initial = {"date": timezone.localdate(), **forms.ContactForm.initial_from_query(request.GET)}
    form = forms.ContactForm(request.POST or None, initial=initial)
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


# --- trajectory analytics (team leads) ----------------------------------------------------


@login_required
@never_cache
def analytics(request: HttpRequest) -> HttpResponse:
    """Time per phase, moves between phases, endings, outcomes and retention for a
    period and one (or all) of the teams the user leads: every section registered in
    ``ocmw.registries.analytics_sections`` (``trajecten.analytics``)."""
    if not team_analytics.may_see_analytics(request.user):
        raise PermissionDenied
    teams = list(team_analytics.led_teams(request.user))
    form, query = team_analytics.AnalyticsQuery.from_params(request.GET, teams=teams)
    context = {"form": form, "query": query, "teams": teams, "given": request.GET}
    if query is None:
        return render(request, "trajecten/analytics.html", context, status=400)
    context["sections"] = team_analytics.collect_sections(query.team_ids, query.start, query.end)
    return render(request, "trajecten/analytics.html", context)


# --- the team case list (team leads) ------------------------------------------------------

TEAM_CASE_COLUMNS = [
    ("name", gettext_lazy("Client")),
    ("counsellor", gettext_lazy("Counsellor")),
    ("phase", gettext_lazy("Phase")),
    ("days", gettext_lazy("Days in phase")),
    ("opened", gettext_lazy("Opened on")),
]
EXPORT_CHUNK = 2000
EXPORT_FORMATS = ("csv", "xlsx")


def _led_teams_or_403(request: HttpRequest) -> list[int]:
    """The teams the user leads; only team leads have a team case list."""
    user = request.user
    if user.ocmw_id is None or not user.is_team_lead:
        raise PermissionDenied
    led = selectors.led_team_ids(user)
    if not led:
        raise PermissionDenied
    return led


def _team_case_filters(request: HttpRequest, staff: list) -> forms.TeamCaseFilterForm:
    from ocmw.reminders import kind_labels

    return forms.TeamCaseFilterForm(
        request.GET,
        staff=staff,
        kinds=[(kind, str(label)) for kind, label in kind_labels().items()],
        ages=[(key, label) for key, label, _from, _below in selectors.AGE_GROUPS],
        languages=PreferredLanguage.choices,
        sorts=selectors.TEAM_CASE_SORT_CHOICES,
        extra_filters=case_list_registry.sorted_case_list_filters(),
        user=request.user,
    )


def _team_case_rows(
    request: HttpRequest, filters: forms.TeamCaseFilterForm, led: list[int], for_count=False
):
    data = filters.cleaned_data
    return selectors.team_cases(
        for_count=for_count,
        user=request.user,
        team_ids=led,
        counsellor_id=data["counsellor"],
        phase=data["phase"],
        overdue=data["overdue"],
        age=data["age"],
        language=data["language"],
        min_days_in_phase=data["min_days_in_phase"],
        extra=filters.extra_values(),
    )


def _url_with(request: HttpRequest, path: str = "", **changes) -> str:
    """``path`` (default: this page) with the current query string, some values
    changed and those given as None dropped."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = params.urlencode()
    return f"{path or request.path}?{query}" if query else (path or request.path)


def _sort_headers(request: HttpRequest, sort: str) -> list[dict]:
    headers = []
    for key, label in TEAM_CASE_COLUMNS:
        state = "ascending" if sort == key else ("descending" if sort == f"-{key}" else "")
        headers.append(
            {
                "key": key,
                "label": label,
                "state": state,
                "url": _url_with(request, sort=f"-{key}" if sort == key else key, cursor=None),
            }
        )
    return headers


def _reassigned_messages(request: HttpRequest, result, target) -> None:
    if result.repeated:
        messages.info(request, _("This reassignment was already done; nothing changed again."))
        return
    if result.moved:
        messages.success(
            request,
            ngettext(
                "%(count)d client reassigned to %(name)s; the handover note is in the journal.",
                "%(count)d clients reassigned to %(name)s; the handover note is in each journal.",
                len(result.moved),
            )
            % {"count": len(result.moved), "name": target},
        )
    if result.unchanged:
        messages.info(
            request,
            ngettext(
                "%(count)d client was already with %(name)s and was left as it was.",
                "%(count)d clients were already with %(name)s and were left as they were.",
                len(result.unchanged),
            )
            % {"count": len(result.unchanged), "name": target},
        )
    if result.over_soft_limit:
        messages.warning(
            request,
            _("%(name)s now has %(count)d open trajectories, above their soft limit of %(limit)d.")
            % {"name": target, "count": result.open_count, "limit": target.caseload_soft_limit},
        )


@login_required
@never_cache
def team_cases(request: HttpRequest) -> HttpResponse:
    """Every open trajectory of the teams the user leads: filtered, sorted, paged by
    cursor, exportable; and the bulk reassignment of the selected rows (POST)."""
    led = _led_teams_or_403(request)
    staff = selectors.team_case_staff(team_ids=led)
    counsellors = [person for person in staff if person.is_counsellor]
    export = request.GET.get("format", "") if request.method == "GET" else ""
    if export in EXPORT_FORMATS:
        # ``?format=csv`` is the same as /team/cases/export/csv/.
        return _team_cases_export(request, export, led=led, staff=staff)
    filters = _team_case_filters(request, staff)
    if export and filters.is_valid():
        filters.add_error(None, _("Unknown export format: choose CSV or XLSX."))
    status = 200
    reassign_form = forms.ReassignForm(request.POST or None, counsellors=counsellors)
    over_limit = False
    if request.method == "POST":
        if reassign_form.is_valid():
            data = reassign_form.cleaned_data
            target = reassign_form.target()
            try:
                result = services.trajectories_reassign(
                    actor=request.user,
                    trajectory_ids=data["trajectories"],
                    to_counsellor=target,
                    note=data["note"],
                    confirm_over_limit=data["confirm_over_limit"],
                    submission_key=data["submission_key"],
                )
            except Trajectory.DoesNotExist:
                raise Http404
            except ValidationError as exc:
                over_limit = isinstance(exc, services.OverHardLimit)
                reassign_form.add_service_error(exc)
            else:
                _reassigned_messages(request, result, target)
                return redirect(request.get_full_path())
        status = 400
    context: dict = {
        "filters": filters,
        "reassign_form": reassign_form,
        "over_limit": over_limit or bool(reassign_form.data.get("confirm_over_limit")),
        "rows": [],
        "count": None,
        "sort": "name",
        "cursor_invalid": False,
    }
    selected = reassign_form.selected_ids()
    if filters.is_valid():
        sort = filters.cleaned_data["sort"] or "name"
        qs = _team_case_rows(request, filters, led)
        try:
            page = selectors.keyset_page(qs, sort=sort, cursor=request.GET.get("cursor") or None)
        except selectors.InvalidCursor:
            context["cursor_invalid"] = True
            page = selectors.keyset_page(qs, sort=sort)
        labels = _task_kind_labels()
        count = _team_case_rows(request, filters, led, for_count=True).count()
        rows = selectors.with_activity_summaries(page.rows)
        for row in rows:
            row.overdue_labels = [str(labels.get(kind, kind)) for kind in row.overdue_kinds]
        context.update(
            rows=rows,
            count=count,
            # 104.573, grouped the Belgian way: a head of service's list is long.
            count_shown=number_format(count, force_grouping=True),
            sort=sort,
            headers=_sort_headers(request, sort),
            next_url=_url_with(request, cursor=page.next_cursor) if page.next_cursor else "",
            previous_url=(
                _url_with(request, cursor=page.previous_cursor) if page.previous_cursor else ""
            ),
            export_csv=_url_with(
                request, reverse("trajecten:team_cases_export", args=["csv"]), cursor=None
            ),
            export_xlsx=_url_with(
                request, reverse("trajecten:team_cases_export", args=["xlsx"]), cursor=None
            ),
        )
    else:
        status = 400
    shown = {row.pk for row in context["rows"]}
    context.update(selected=selected, hidden_selected=sorted(selected - shown))
    return render(request, "trajecten/team_cases.html", context, status=status)


def _task_kind_labels() -> dict:
    from ocmw.reminders import kind_labels

    return kind_labels()


def _export_header() -> list[str]:
    return [
        _("File number"),
        _("Last name"),
        _("First name"),
        _("Counsellor"),
        _("Team"),
        _("Phase"),
        _("In this phase since"),
        _("Days in phase"),
        _("Opened on"),
        _("Preferred language"),
        _("Overdue tasks"),
        _("Current activity"),
    ]


# What one exported row reads: plain values, not model instances (a 100,000-row
# export would otherwise build 400,000 objects for a dozen columns).
_EXPORT_FIELDS = (
    "client_id",
    "client__last_name",
    "client__first_name",
    "counsellor__first_name",
    "counsellor__last_name",
    "counsellor__username",
    "team__name",
    "phase",
    "phase_since",
    "opened_on",
    "client__preferred_language",
    "overdue_kinds",
)


def _export_rows(qs, *, today):
    """Each trajectory as a row of values (dates as dates), in chunks of 2,000:
    a server-side cursor feeds them, and the activity summaries are asked once
    per chunk, so memory holds one chunk whatever the size of the list."""
    from itertools import islice

    labels = _task_kind_labels()
    languages = {key: str(label) for key, label in PreferredLanguage.choices}
    phases: dict[str, str] = {}
    now = timezone.now()
    iterator = qs.values_list(*_EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(iterator, EXPORT_CHUNK)):
        summaries = selectors.activity_summaries([row[0] for row in chunk], today=today)
        for (
            client_id,
            last_name,
            first_name,
            counsellor_first,
            counsellor_last,
            counsellor_username,
            team_name,
            phase,
            phase_since,
            opened_on,
            language,
            overdue_kinds,
        ) in chunk:
            yield [
                f"{client_id:06d}",  # Client.file_number
                last_name,
                first_name,
                # str(User): the full name, else the username
                f"{counsellor_first} {counsellor_last}".strip() or counsellor_username,
                team_name,
                phases.get(phase) or phases.setdefault(phase, hooks.phase_label(phase)),
                timezone.localtime(phase_since).date(),
                (now - phase_since).days,  # Trajectory.days_in_phase
                opened_on,
                languages.get(language, language),
                ", ".join(str(labels.get(kind, kind)) for kind in overdue_kinds),
                summaries.get(client_id, ""),
            ]


# A cell starting with one of these is a formula to a spreadsheet: "=HYPERLINK(...)"
# typed as a client's name must stay text (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose ``write`` hands back what it is given (csv.writer
    then produces one line at a time for the streaming response)."""

    def write(self, value: str) -> str:
        return value


def _csv_stream(qs, *, language: str, today):
    import csv

    with translation.override(language):
        writer = csv.writer(_Echo(), delimiter=";")
        # A BOM and semicolons: what Excel expects with Belgian settings.
        yield "\ufeff" + writer.writerow(_export_header())
        for values in _export_rows(qs, today=today):
            yield writer.writerow([_csv_safe(value) for value in values])


def _xlsx_file(qs, *, today):
    """The workbook in openpyxl's write-only mode (rows go straight to a temporary
    file), saved into a spooled temporary file: memory stays bounded."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Team case list"))[:31])
    sheet.freeze_panes = "D2"
    for column, width in zip(
        "ABCDEFGHIJKL", (12, 22, 18, 24, 24, 28, 14, 10, 12, 12, 30, 40), strict=True
    ):
        sheet.column_dimensions[column].width = width
    bold = Font(bold=True)
    header = []
    for title in _export_header():
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in _export_rows(qs, today=today):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # Text stays text: never a formula, whatever it starts with.
                cell.data_type = "s"
            elif isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(spooled)
    spooled.seek(0)
    return spooled


@login_required
@never_cache
def team_cases_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered team case list as CSV (streamed row by row) or XLSX, recorded in
    the access log (one entry per export, with the filters in its page address)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    led = _led_teams_or_403(request)
    staff = selectors.team_case_staff(team_ids=led)
    return _team_cases_export(request, fmt, led=led, staff=staff)


def _team_cases_export(request: HttpRequest, fmt: str, *, led: list[int], staff) -> HttpResponse:
    filters = _team_case_filters(request, staff)
    if not filters.is_valid():
        context = {
            "filters": filters,
            "reassign_form": forms.ReassignForm(
                counsellors=[person for person in staff if person.is_counsellor]
            ),
            "rows": [],
            "count": None,
            "sort": "name",
        }
        return render(request, "trajecten/team_cases.html", context, status=400)
    sort = filters.cleaned_data["sort"] or "name"
    qs = _team_case_rows(request, filters, led).order_by(*selectors.team_case_ordering(sort))
    today = timezone.localdate()
    core_services.access_log_record(
        user=request.user,
        client=None,
        action=AccessAction.EXPORT,
        what=gettext_noop("team case list (CSV)")
        if fmt == "csv"
        else gettext_noop("team case list (XLSX)"),
        page=request.get_full_path(),
    )
    filename = f"team-cases-{today:%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(qs, language=translation.get_language(), today=today),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            _xlsx_file(qs, today=today),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Cache-Control"] = "no-store"
    return response
