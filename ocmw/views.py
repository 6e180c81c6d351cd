from __future__ import annotations

import datetime
import re
import tempfile
from typing import IO

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

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
    if user.is_team_lead and user.ocmw_id:
        # A team lead's home opens on the team overview; the plain member table
        # stays only for led teams without counsellors (the general service).
        overview = selectors.team_overview_figures(
            user=user, today=timezone.localdate(), teams=context["teams"]
        )
        shown = {section.team.pk for section in overview.sections}
        context["teams"] = [team for team in context["teams"] if team.pk not in shown]
        context["panels"].insert(0, _team_overview_panel(overview))
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
# Unread notifications above the tasks; the rest are on the notifications page.
INBOX_NOTIFICATIONS = 10


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """The inbox: the user's unread notifications, then their tasks (a team lead
    may switch to the team's), the most overdue first, each linking to the page
    where it is resolved."""
    from functools import cache

    from ocmw.reminders import task_links

    user = request.user
    who = "team" if request.GET.get("who") == "team" and user.is_team_lead else "mine"
    staff_id = request.GET.get("staff")
    staff_id = int(staff_id) if staff_id and staff_id.isdigit() else None
    tasks = selectors.task_list(user=user, who=who, staff_id=staff_id)
    page = Paginator(tasks, TASK_PAGE_SIZE).get_page(request.GET.get("page"))
    task_links(page.object_list)

    @cache
    def notifications() -> list:
        # Read only when the header's count (already one query) says there are some.
        return list(selectors.inbox_notifications(user=user)[:INBOX_NOTIFICATIONS])

    return render(
        request,
        "ocmw/tasks.html",
        {
            "page": page,
            "who": who,
            "staff_id": staff_id,
            "team_members": selectors.task_team_members(user=user) if who == "team" else [],
            "today": timezone.localdate(),
            "inbox_notifications": notifications,
            "inbox_limit": INBOX_NOTIFICATIONS,
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


# --- team overview ----------------------------------------------------------------

# One colour per phase (1-7), each at least 4.5:1 against white text and 3:1
# against the white page; the bar's segments are also named in text.
PHASE_COLOURS = ["#6c757d", "#0a58ca", "#6f42c1", "#b35900", "#087990", "#146c43", "#343a40"]
PHASE_BAR_WIDTH = 160
PHASE_BAR_HEIGHT = 20


def _svg_number(value: float) -> str:
    """An SVG coordinate: a dot as decimal mark whatever the language."""
    return f"{value:.1f}"


def _phase_bar(row: selectors.MemberFigures) -> dict:
    """The stacked bar of one counsellor's open trajectories over the phases,
    with a text for each segment (its accessible name and tooltip)."""
    total = sum(cell.value for cell in row.phases)
    segments, x = [], 0.0
    for index, cell in enumerate(row.phases):
        if not cell.value:
            continue
        width = PHASE_BAR_WIDTH * cell.value / total
        segments.append(
            {
                "x": _svg_number(x),
                "width": _svg_number(max(width - 1, 1) if width > 2 else width),
                "centre": _svg_number(x + width / 2),
                "colour": PHASE_COLOURS[index % len(PHASE_COLOURS)],
                "value": cell.value,
                "url": cell.url,
                "text": f"{index + 1}. {cell.label}: {cell.value}",
                # Only where the number fits inside the segment.
                "show_value": width >= 7 * len(str(cell.value)) + 4,
            }
        )
        x += width
    return {
        "total": total,
        "segments": segments,
        "label": _("Open trajectories of %(name)s by phase: %(phases)s")
        % {
            "name": row.member,
            "phases": ", ".join(f"{cell.label} {cell.value}" for cell in row.phases if cell.value),
        },
    }


def _team_overview_context(overview: selectors.TeamOverview) -> dict:
    for section in overview.sections:
        for row in section.rows:
            row.phase_bar = _phase_bar(row)
    return {
        "overview": overview,
        "phase_legend": [
            {"number": number, "label": label, "colour": PHASE_COLOURS[(number - 1) % 7]}
            for number, (_key, label) in enumerate(overview.phases, start=1)
        ],
        "bar_width": PHASE_BAR_WIDTH,
        "bar_height": PHASE_BAR_HEIGHT,
    }


def _team_overview_panel(overview: selectors.TeamOverview) -> registries.Panel:
    return registries.Panel(
        key="team_overview",
        title=_("Team overview"),
        template="ocmw/partials/team_overview_panel.html",
        context=_team_overview_context(overview),
        order=0,
    )


@login_required
@never_cache
def team_overview(request: HttpRequest) -> HttpResponse:
    """The team lead's overview: per counsellor of the teams they lead, the
    caseload against the limits, the phases, overdue and escalated tasks, GPMIs
    past the deadline, clients without contact and aftercare due. Team leads
    only, like the other team pages (403 for anyone else)."""
    user = request.user
    if not (user.ocmw_id and user.is_team_lead):
        raise PermissionDenied
    overview = selectors.team_overview_figures(user=user, today=timezone.localdate())
    return render(request, "ocmw/team_overview.html", _team_overview_context(overview))


# --- annual report --------------------------------------------------------------------
# ``/report/annual/?year=YYYY``: every app's sections (``registries.report_sections``)
# for the teams ``selectors.annual_report_teams`` gives (a team lead: the teams they
# lead; an OCMW administrator: the whole OCMW), as a page, an XLSX workbook (one
# sheet per section) and a PDF printed by ``ocmw.pdf``, the machinery of the GPMI
# contract. The report holds aggregates only (counts, days, minutes per phase,
# type, measure, staff member and month), never a client; its exports are still
# recorded in the access log, without a client, like the GPMI statistics exports.

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_STYLESHEET = "static:pdf/report.css"


class AnnualReportYearForm(forms.Form):
    year = forms.IntegerField(
        error_messages={
            "invalid": gettext_lazy("Give the year as four digits, e.g. 2026."),
            "required": gettext_lazy("Give the year as four digits, e.g. 2026."),
        },
    )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        last = timezone.localdate().year
        if not selectors.FIRST_REPORT_YEAR <= year <= last:
            raise ValidationError(
                _("Choose a year from %(first)d to %(last)d.")
                % {"first": selectors.FIRST_REPORT_YEAR, "last": last}
            )
        return year


def _annual_report_year(request: HttpRequest) -> tuple[AnnualReportYearForm, int | None]:
    if not selectors.may_see_annual_report(request.user):
        raise PermissionDenied
    form = AnnualReportYearForm({"year": request.GET.get("year") or timezone.localdate().year})
    return form, (form.cleaned_data["year"] if form.is_valid() else None)


def _annual_report_years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, max(selectors.FIRST_REPORT_YEAR, this_year - 10) - 1, -1))


def _annual_report_context(request: HttpRequest, year: int) -> dict:
    user = request.user
    teams = list(selectors.annual_report_teams(user=user))
    today = timezone.localdate()
    return {
        "year": year,
        "years": _annual_report_years(),
        "ocmw": user.ocmw,
        "teams": teams,
        "whole_ocmw": user.is_ocmw_admin,
        "reference_date": min(datetime.date(year, 12, 31), today),
        "made_on": today,
        "sections": selectors.annual_report(user=user, year=year, teams=teams),
    }


def _annual_report_error(request: HttpRequest, form: AnnualReportYearForm) -> HttpResponse:
    context = {
        "form": form,
        "year": None,
        "years": _annual_report_years(),
        "year_text": request.GET.get("year", "")[:20],
    }
    return render(request, "ocmw/annual_report.html", context, status=400)


@login_required
@never_cache
def annual_report(request: HttpRequest) -> HttpResponse:
    form, year = _annual_report_year(request)
    if year is None:
        return _annual_report_error(request, form)
    context = {"form": form, **_annual_report_context(request, year)}
    return render(request, "ocmw/annual_report.html", context)


def _sheet_name(title: str, used: set[str]) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.casefold() in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.casefold())
    return name


def report_workbook(*, heading: str, subheading: str, sheets) -> IO[bytes]:
    """``sheets`` (``[(name, [ReportTable])]``) as an XLSX file, one sheet each.

    openpyxl's write-only mode streams the rows into the file as they come, so
    memory stays bounded; the workbook is written to a temporary file that the
    response then streams."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold, big = Font(bold=True), Font(bold=True, size=13)
    workbook = Workbook(write_only=True)
    used: set[str] = set()

    def cell(sheet, value, font=None):
        if value is not None and not isinstance(value, int | float | datetime.date):
            value = str(value)
        written = WriteOnlyCell(sheet, value=value)
        if font is not None:
            written.font = font
        return written

    for name, tables in sheets:
        sheet = workbook.create_sheet(_sheet_name(name, used))
        sheet.column_dimensions["A"].width = 42
        for letter in "BCDEFGHIJKL":
            sheet.column_dimensions[letter].width = 18
        sheet.append([cell(sheet, heading, big)])
        sheet.append([cell(sheet, subheading)])
        for table in tables:
            sheet.append([])
            sheet.append([cell(sheet, table.caption, bold)])
            sheet.append([cell(sheet, header, bold) for header in table.headers])
            for row in table.rows:
                sheet.append([cell(sheet, value) for value in row])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def report_file_response(handle: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "no-store"
    return response


def _scope_text(context: dict) -> str:
    if context["whole_ocmw"]:
        scope = _("the whole OCMW")
    else:
        scope = _("teams: %(teams)s") % {"teams": ", ".join(t.name for t in context["teams"])}
    return _("%(ocmw)s, %(scope)s; figures on %(date)s") % {
        "ocmw": context["ocmw"].name,
        "scope": scope,
        "date": date_format(context["reference_date"], "SHORT_DATE_FORMAT"),
    }


def _print_font(svg: str) -> str:
    """A chart with the PDF's shipped font instead of the screen's system fonts."""
    from ocmw import charts

    return mark_safe(svg.replace(charts.FONT, 'font-family="Report Sans"'))  # noqa: S308


@login_required
@require_GET
def annual_report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    form, year = _annual_report_year(request)
    if year is None:
        return _annual_report_error(request, form)
    context = _annual_report_context(request, year)
    title = _("Annual report %(year)d") % {"year": year}
    if fmt == "xlsx":
        handle = report_workbook(
            heading=f"{title} · {context['ocmw'].name}",
            subheading=_scope_text(context),
            sheets=[(section.title, section.tables) for section in context["sections"]],
        )
        response = report_file_response(
            handle, filename=f"annual-report-{year}.xlsx", content_type=XLSX_TYPE
        )
    else:
        from ocmw import pdf

        context.update(
            {
                "title": title,
                "scope_text": _scope_text(context),
                "language": get_language(),
            }
        )
        for section in context["sections"]:
            section.print_chart = _print_font(section.chart_svg)
        html = render_to_string("pdf/annual_report.html", context)
        data = pdf.render_pdf(html, stylesheet_url=REPORT_STYLESHEET)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="annual-report-{year}.pdf"'
        response["Content-Length"] = str(len(data))
        response["Cache-Control"] = "no-store"
    services.access_log_record(
        user=request.user,
        client=None,
        action=AccessAction.EXPORT,
        what=f"Annual report {year} ({fmt.upper()})",
        page=request.get_full_path(),
    )
    return response
