from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ocmw import registries, selectors, services, timeline
from ocmw.forms import ClientForm, LanguageForm
from ocmw.models import AccessAction, Client, PreferredLanguage

PAGE_SIZE = 25


def _client_or_404(request: HttpRequest, pk: int, *, for_edit: bool = False) -> Client:
    try:
        return selectors.client_get(user=request.user, pk=pk, for_edit=for_edit)
    except Client.DoesNotExist:
        raise Http404


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "teams": selectors.team_overview(user=user),
        "my_clients": None,
        "panels": registries.collect_panels(registries.home_panels, request),
    }
    if user.handles_cases:
        clients = selectors.client_list(user=user, mine=True, sort=request.GET.get("sort", "name"))
        context["my_clients"] = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ocmw/home.html", context)


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    sort = request.GET.get("sort", "name")
    if sort not in selectors.CLIENT_SORTS:
        sort = "name"
    language = request.GET.get("language", "")
    if language not in PreferredLanguage.values:
        language = ""
    try:
        worker_id = int(request.GET.get("worker") or 0)
    except ValueError:
        worker_id = 0
    if query:
        results = list(selectors.client_search(user=request.user, query=query))
        page = None
    else:
        clients = selectors.client_list(
            user=request.user, worker_id=worker_id, language=language, sort=sort
        )
        page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
        results = page.object_list
    context = {
        "query": query,
        "results": results,
        "page": page,
        "sort": sort,
        "language": language,
        "worker_id": worker_id,
        "workers": selectors.case_workers(user=request.user),
        "languages": PreferredLanguage.choices,
    }
    template = "ocmw/partials/client_results.html" if request.htmx else "ocmw/client_list.html"
    return render(request, template, context)


def _form_kwargs(request: HttpRequest, client: Client | None) -> dict:
    user = request.user
    if client is None:
        case_fields = user.handles_cases or user.is_team_lead
    else:
        case_fields = client.access_case
    return {
        "user": user,
        "workers": selectors.case_workers(user=user),
        "case_fields": case_fields,
    }


@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.ocmw_id is None or not (user.is_intake or user.handles_cases or user.is_team_lead):
        raise PermissionDenied
    form = ClientForm(request.POST or None, **_form_kwargs(request, None))
    context = {"form": form, "candidates": [], "existing": None}
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_register(
                actor=user,
                data=form.service_data(),
                submission_key=form.cleaned_data.get("submission_key"),
                confirm_possible_duplicate=form.cleaned_data.get("confirm_possible_duplicate"),
            )
        except services.PossibleDuplicate as exc:
            context["candidates"] = exc.candidates
            form.add_service_error(exc)
        except services.DuplicateInsz as exc:
            context["existing"] = exc.existing
            form.add_service_error(exc)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Client %(name)s registered.") % {"name": client})
            return redirect("client_detail", pk=client.pk)
    return render(request, "ocmw/client_form.html", context)


@login_required
def client_update(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, for_edit=True)
    if request.method == "GET":
        # The form shows the whole file: reading it is logged like the detail page.
        services.access_log_record(
            user=request.user,
            client=client,
            action=AccessAction.VIEW,
            what=gettext_noop("client file")
            if client.access_case
            else gettext_noop("client identity"),
            page=request.get_full_path(),
        )
    form = ClientForm(request.POST or None, instance=client, **_form_kwargs(request, client))
    context = {"form": form, "client": client, "candidates": [], "existing": None}
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_update(
                actor=request.user,
                client=client,
                data=form.service_data(),
                row_version=form.cleaned_data.get("row_version"),
            )
        except services.DuplicateInsz as exc:
            context["existing"] = exc.existing
            form.add_service_error(exc)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("client_detail", pk=client.pk)
    return render(request, "ocmw/client_form.html", context)


@login_required
@never_cache
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk)
    services.access_log_record(
        user=request.user,
        client=client,
        action=AccessAction.VIEW,
        what=gettext_noop("client file") if client.access_case else gettext_noop("client identity"),
        page=request.get_full_path(),
    )
    panels = (
        registries.collect_panels(registries.client_panels, request, client)
        if client.access_case
        else []
    )
    context = {
        "client": client,
        "access_log": selectors.client_access_log(user=request.user, client=client),
        "header_panels": [p for p in panels if p.placement == "header"],
        "tab_panels": [p for p in panels if p.placement == "tab"],
        "side_panels": [p for p in panels if p.placement == "side"],
    }
    return render(request, "ocmw/client_detail.html", context)


@login_required
def client_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """One page of the merged timeline (htmx partial, or a full page without JS)."""
    client = _client_or_404(request, pk)
    if not client.access_case:
        raise Http404
    before = parse_datetime(request.GET.get("before", "")) if request.GET.get("before") else None
    entries, next_before = timeline.client_timeline(client=client, user=request.user, before=before)
    context = {"client": client, "entries": entries, "next_before": next_before}
    return render(request, "ocmw/partials/timeline.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status; 503 naming the failing part."""
    checks = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        from ocmw.celery import app

        # Name the URL from the Django settings: Celery itself prefers the
        # CELERY_BROKER_URL environment variable over any later setting.
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


# --- reminders' tasks -----------------------------------------------------------


class TaskSnoozeForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=2000)


TASK_PAGE_SIZE = 50


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """My tasks (a team lead may switch to the team's), the most overdue first."""
    from ocmw.reminders import kind_labels

    user = request.user
    who = "team" if request.GET.get("who") == "team" and user.is_team_lead else "mine"
    staff_id = request.GET.get("staff")
    staff_id = int(staff_id) if staff_id and staff_id.isdigit() else None
    tasks = selectors.task_list(user=user, who=who, staff_id=staff_id)
    page = Paginator(tasks, TASK_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = kind_labels()
    for task in page.object_list:
        task.kind_label = labels.get(task.kind, task.kind)
    return render(
        request,
        "ocmw/tasks.html",
        {
            "page": page,
            "who": who,
            "staff_id": staff_id,
            "team_members": selectors.task_team_members(user=user) if who == "team" else [],
            "today": timezone.localdate(),
        },
    )


def _task_or_404(request: HttpRequest, pk: int):
    from ocmw.models import Task

    try:
        return selectors.task_get(user=request.user, pk=pk)
    except Task.DoesNotExist:
        raise Http404


def _back_to_tasks(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "task_list")


@login_required
@require_POST
def task_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    form = TaskSnoozeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give a date and a reason."))
        services.task_snooze(
            actor=request.user,
            task=task,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Task snoozed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_tasks(request)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    form = TaskDoneForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write what was done."))
        services.task_mark_done(actor=request.user, task=task, note=form.cleaned_data["note"])
        messages.success(request, _("Task marked done."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_tasks(request)
