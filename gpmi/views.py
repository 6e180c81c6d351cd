"""Pages of the GPMI app.

Reads are scoped with ``Gpmi.objects.visible_to`` / ``GpmiVersion.objects.visible_to``
(another OCMW's record is a 404); every write goes through ``gpmi.services``. A
form that fails validation is shown again on its own page with what was typed
and the errors; a successful post redirects back to the client file
(post/redirect/get). Downloads (contract PDF, electronic-social-report package,
statistics) are recorded in the access log.
"""

from __future__ import annotations

import csv
import io
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gpmi import esr, forms, hooks, selectors, services
from gpmi import pdf as contract_pdf
from gpmi.models import (
    CONCLUDED_STATUSES,
    CONTRACT_TYPES,
    Consent,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionStatus,
)
from ocmw import charts
from ocmw import selectors as core_selectors
from ocmw import services as core_services
from ocmw.models import AccessAction, Client, User
from trajecten.models import Trajectory

PAGE_SIZE = 25


# --- helpers ----------------------------------------------------------------------------


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


def _gpmi_or_404(request: HttpRequest, pk: int, *, edit: bool = False) -> Gpmi:
    try:
        gpmi = (
            Gpmi.objects.visible_to(request.user)
            .select_related("trajectory__counsellor")
            .get(pk=pk)
        )
    except Gpmi.DoesNotExist:
        raise Http404
    gpmi.client = _client_or_404(request, gpmi.client_id, edit=edit)
    return gpmi


def _version_or_404(request: HttpRequest, pk: int, *, edit: bool = False) -> GpmiVersion:
    try:
        version = (
            GpmiVersion.objects.visible_to(request.user)
            .select_related("gpmi__trajectory__counsellor", "counsellor")
            .get(pk=pk)
        )
    except GpmiVersion.DoesNotExist:
        raise Http404
    version.gpmi.client = _client_or_404(request, version.gpmi.client_id, edit=edit)
    return version


def _file(client_pk: int, anchor: str = "gpmi") -> HttpResponse:
    return redirect(f"{reverse('client_detail', args=[client_pk])}#{anchor}")


def _log(request: HttpRequest, client: Client | None, action: str, what: str) -> None:
    core_services.access_log_record(
        user=request.user, client=client, action=action, what=what, page=request.get_full_path()
    )


def _date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "file"


def _download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(filename)}"'
    response["Content-Length"] = str(len(data))
    response["Cache-Control"] = "no-store"
    return response


# --- starting a GPMI ---------------------------------------------------------------------


def _open_trajectory(request: HttpRequest, client: Client) -> Trajectory | None:
    return Trajectory.objects.visible_to(request.user).open().filter(client=client).first()


def _refuse_start(
    request: HttpRequest, client: Client, trajectory, *, exemption: bool
) -> HttpResponse | None:
    reason = hooks.start_refusal(trajectory, exemption=exemption)
    if not reason:
        return None
    messages.error(request, reason)
    return _file(client.pk)


@login_required
def gpmi_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=True)
    trajectory = _open_trajectory(request, client)
    if refused := _refuse_start(request, client, trajectory, exemption=False):
        return refused
    form = forms.GpmiCreateForm(
        request.POST or None,
        initial={"type": GpmiType.GENERAL, "leefloon_decision_date": client.leefloon_decision_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            gpmi = services.gpmi_create(
                actor=request.user,
                trajectory=trajectory,
                type=form.cleaned_data["type"],
                leefloon_decision_date=form.cleaned_data["leefloon_decision_date"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("GPMI started. Draft the first version of the contract now."),
            )
            return redirect("gpmi:version_create", pk=gpmi.pk)
    context = {"form": form, "client": client, "trajectory": trajectory}
    return render(request, "gpmi/gpmi_form.html", context)


@login_required
def exemption_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=True)
    trajectory = _open_trajectory(request, client)
    if refused := _refuse_start(request, client, trajectory, exemption=True):
        return refused
    form = forms.ExemptionForm(
        request.POST or None, initial={"leefloon_decision_date": client.leefloon_decision_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.gpmi_create(
                actor=request.user,
                trajectory=trajectory,
                type=GpmiType.EXEMPTION,
                leefloon_decision_date=form.cleaned_data["leefloon_decision_date"],
                exemption_reason=form.cleaned_data["exemption_reason"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The exemption from the GPMI is recorded."))
            return _file(client.pk)
    context = {"form": form, "client": client, "trajectory": trajectory}
    return render(request, "gpmi/exemption_form.html", context)


# --- versions: the contract text ------------------------------------------------------------


@login_required
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft: the first version, or an amendment. The form starts from a
    proposal (the previous version, or the needs analysis and the open goals)."""
    gpmi = _gpmi_or_404(request, pk, edit=True)
    client = gpmi.client
    if gpmi.is_exemption:
        messages.error(request, _("An exemption has no contract versions."))
        return _file(client.pk)
    preparing = gpmi.versions.filter(status__in=hooks.PREPARING).first()
    if preparing is not None:
        messages.error(
            request,
            _("Finish or withdraw the version that is being prepared before starting another."),
        )
        return redirect("gpmi:version_detail", pk=preparing.pk)
    previous = gpmi.versions.order_by("-number").first()
    if request.method == "POST":
        form = forms.VersionForm(request.POST)
    else:
        form = forms.VersionForm(
            initial=forms.VersionForm.initial_from(services.version_prefill(gpmi=gpmi))
        )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_create(
                actor=request.user, gpmi=gpmi, data=form.service_data()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Version %(n)d is saved as a draft. Present it to the client when it is ready.")
                % {"n": version.number},
            )
            return _file(client.pk, f"gpmi-version-{version.pk}")
    analysis = client.needs_analyses.order_by("-version").first()
    context = {
        "form": form,
        "client": client,
        "gpmi": gpmi,
        "previous": previous,
        "analysis": analysis,
        "number": (previous.number + 1) if previous else 1,
    }
    return render(request, "gpmi/version_form.html", context)


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, edit=True)
    client = version.gpmi.client
    if version.status != VersionStatus.DRAFT:
        messages.error(
            request, _("Only a draft can be changed. Make a new version to amend a contract.")
        )
        return redirect("gpmi:version_detail", pk=version.pk)
    if request.method == "POST":
        form = forms.VersionForm(request.POST)
    else:
        initial = {name: getattr(version, name) for name in services.VERSION_FIELDS}
        initial["updated_at"] = version.updated_at.isoformat()
        form = forms.VersionForm(initial=forms.VersionForm.initial_from(initial))
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(
                actor=request.user,
                version=version,
                data=form.service_data(),
                updated_at=form.cleaned_data["updated_at"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Changes saved."))
            return _file(client.pk, f"gpmi-version-{version.pk}")
    context = {
        "form": form,
        "client": client,
        "gpmi": version.gpmi,
        "version": version,
        "number": version.number,
    }
    return render(request, "gpmi/version_form.html", context)


@login_required
@never_cache
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk)
    client = version.gpmi.client
    _log(request, client, AccessAction.VIEW, gettext_noop("GPMI contract"))
    context = {
        "version": version,
        "gpmi": version.gpmi,
        "client": client,
        "actions": hooks.version_actions(version, can_edit=client.access_edit),
        "changes": version.changes.select_related("by").order_by("at", "id"),
        "today": timezone.localdate(),
    }
    return render(request, "gpmi/version_detail.html", context)


# --- lifecycle ----------------------------------------------------------------------------------


def _action_page(request, template: str, version: GpmiVersion, form, status: int = 200):
    context = {
        "form": form,
        "version": version,
        "gpmi": version.gpmi,
        "client": version.gpmi.client,
        "today": timezone.localdate(),
    }
    return render(request, template, context, status=status)


@login_required
def version_present(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, edit=True)
    form = forms.PresentForm(request.POST or None, initial={"presented_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            presented = services.version_present(
                actor=request.user, version=version, on=form.cleaned_data["presented_on"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _(
                    "Version %(n)d was presented on %(date)s. The client may reflect until "
                    "%(end)s; sign from that day on, or with the client's explicit waiver."
                )
                % {
                    "n": presented.number,
                    "date": _date(presented.presented_on),
                    "end": _date(presented.reflection_ends_on),
                },
            )
            return _file(version.gpmi.client.pk, f"gpmi-version-{version.pk}")
    return _action_page(request, "gpmi/version_present.html", version, form)


@login_required
def version_sign(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, edit=True)
    today = timezone.localdate()
    if version.status != VersionStatus.PRESENTED and request.method == "GET":
        messages.error(request, _("Only a presented contract can be signed."))
        return redirect("gpmi:version_detail", pk=version.pk)
    form = forms.SignForm(
        request.POST or None,
        initial={
            "client_signed_on": today,
            "ocmw_signed_on": today,
            "counsellor_signed_on": today,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            signed = services.version_sign(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if signed.status == VersionStatus.ACTIVE:
                text = _("Version %(n)d is signed and running. The signed PDF is stored.")
            else:
                text = _("Version %(n)d is signed; it runs from its start date. The PDF is stored.")
            messages.success(request, text % {"n": signed.number})
            return _file(version.gpmi.client.pk, f"gpmi-version-{version.pk}")
    return _action_page(request, "gpmi/version_sign.html", version, form)


@login_required
def version_end(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, edit=True)
    form = forms.EndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.version_end(
                actor=request.user,
                version=version,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["ended_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Version %(n)d has ended.") % {"n": version.number})
            return _file(version.gpmi.client.pk, f"gpmi-version-{version.pk}")
    return _action_page(request, "gpmi/version_end.html", version, form)


@login_required
def version_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, edit=True)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_withdraw(
                actor=request.user, version=version, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Version %(n)d is withdrawn.") % {"n": version.number})
            return _file(version.gpmi.client.pk, f"gpmi-version-{version.pk}")
    return _action_page(request, "gpmi/version_withdraw.html", version, form)


# --- downloads ------------------------------------------------------------------------------------


def contract_bytes(version: GpmiVersion) -> bytes:
    """The signed contract exactly as stored; a version not signed is rendered on
    the fly with the DRAFT watermark. Raises ``FileNotFoundError`` when a signed
    version's stored PDF is missing (it is never rendered again)."""
    if version.pdf_sha256:
        if not version.pdf:
            raise FileNotFoundError(version.pk)
        with version.pdf.open("rb") as stored:
            return stored.read()
    if version.status in CONCLUDED_STATUSES:
        raise FileNotFoundError(version.pk)
    return contract_pdf.render_contract(version, signed=False)


def contract_filename(version: GpmiVersion) -> str:
    client = version.gpmi.client
    suffix = "" if version.pdf_sha256 else "-draft"
    return f"gpmi-{client.last_name}-{client.first_name}-v{version.number}{suffix}.pdf"


@login_required
@require_GET
def version_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk)
    try:
        data = contract_bytes(version)
    except FileNotFoundError:
        messages.error(
            request,
            _("The stored PDF of this signed contract cannot be found. Contact the administrator."),
        )
        return redirect("gpmi:version_detail", pk=version.pk)
    _log(request, version.gpmi.client, AccessAction.EXPORT, gettext_noop("GPMI contract PDF"))
    return _download(data, content_type="application/pdf", filename=contract_filename(version))


@login_required
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=request.method == "POST")
    form = forms.ConsentForm(
        request.POST or None, initial={"date": timezone.localdate(), "given": "yes"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.consent_record(
                actor=request.user, client=client, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if consent.given:
                text = _(
                    "Consent recorded: the GPMI may be included in the electronic social report."
                )
            else:
                text = _("Withdrawal recorded: the GPMI will not be included in the social report.")
            messages.success(request, text)
            return _file(client.pk, "gpmi-consent")
    consents = Consent.objects.filter(client=client).select_related("recorded_by")
    context = {"form": form, "client": client, "consents": consents}
    return render(request, "gpmi/consent_form.html", context)


@login_required
@require_GET
def esr_package(request: HttpRequest, pk: int) -> HttpResponse:
    """The electronic-social-report package (ZIP). ``esr.build_package`` checks the
    consent and writes the access log: "export", or "refused" without consent."""
    client = _client_or_404(request, pk)
    try:
        filename, data = esr.build_package(
            user=request.user, client=client, page=request.get_full_path()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _file(client.pk, "gpmi-consent")
    return _download(data, content_type="application/zip", filename=filename)


# --- the GPMI list -------------------------------------------------------------------------------

# Sort key → columns (annotations of ``selectors.gpmi_list``); the id breaks ties.
LIST_SORTS = {
    "name": ("client__last_name", "client__first_name"),
    "type": ("type",),
    # The legal deadline is the decision date + 3 months: the same order.
    "deadline": ("leefloon_decision_date",),
    "signed": ("signed_on",),
    "subsidy_end": ("subsidy_end",),
    "status": ("current_version_status",),
    "counsellor": ("trajectory__counsellor__first_name", "trajectory__counsellor__last_name"),
}


def _may_list(user: User) -> bool:
    return bool(user.ocmw_id) and (user.is_counsellor or user.is_team_lead)


def ordered_gpmis(gpmis, sort: str):
    key = sort.lstrip("-")
    columns = LIST_SORTS.get(key, LIST_SORTS["name"])
    if sort.startswith("-"):
        order = [F(c).desc(nulls_last=True) for c in columns] + [F("pk").desc()]
    else:
        order = [F(c).asc(nulls_last=True) for c in columns] + [F("pk").asc()]
    return gpmis.order_by(*order)


@login_required
@never_cache
def gpmi_list(request: HttpRequest) -> HttpResponse:
    """GPMIs of the user's scope; unknown filter values give a message, not a 500."""
    user = request.user
    if not _may_list(user):
        raise PermissionDenied
    today = timezone.localdate()
    form = forms.GpmiFilterForm(request.GET or None)
    context: dict = {"form": form, "today": today, "rows": [], "page": None, "sort": "name"}
    if form.is_bound and not form.is_valid():
        return render(request, "gpmi/gpmi_list.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    sort = data.get("sort") or "name"
    try:
        gpmis = selectors.gpmi_list(
            user=user,
            subsidy_ends_within_days=data.get("ends_within"),
            type=data.get("type"),
            status=data.get("status") or None,
        )
    except ValidationError as exc:
        form.add_service_error(exc)
        return render(request, "gpmi/gpmi_list.html", context, status=400)
    page = Paginator(ordered_gpmis(gpmis, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    compliance = selectors.compliance_for_many(rows, today)
    for gpmi in rows:
        gpmi.compliance = compliance.get(gpmi.pk)
        gpmi.compliance_css = hooks.compliance_css(gpmi.compliance)
        gpmi.deadline = selectors.deadline_info(gpmi, today)
        gpmi.deadline_text = hooks.deadline_text(gpmi.deadline)
        gpmi.deadline_css = hooks.deadline_css(gpmi.deadline)
        gpmi.type_short = hooks.short_type(gpmi.type)
        gpmi.compliance_short = hooks.compliance_short(gpmi.compliance)
        status = gpmi.current_version_status
        gpmi.current_version_label = VersionStatus(status).label if status else ""
    filtered = any(data.get(k) not in (None, "") for k in ("type", "status", "ends_within"))
    context.update({"rows": rows, "page": page, "sort": sort, "filtered": filtered})
    return render(request, "gpmi/gpmi_list.html", context)


# --- statistics ------------------------------------------------------------------------

CONTRACT_TYPE_KEYS = [int(t) for t in CONTRACT_TYPES]
CHART_SERIES = [
    ("signed", "#0b4f8a"),
    ("running", "#146c43"),
    ("ended", "#6c757d"),
]
PERCENT_COLUMNS = {"signed_within_deadline_pct", "evaluation_rule_met_pct"}


def _may_see_statistics(user: User) -> bool:
    return bool(user.ocmw_id) and user.is_team_lead


def _statistics_year(request: HttpRequest) -> tuple[forms.YearForm, int | None]:
    form = forms.YearForm({"year": request.GET.get("year") or timezone.localdate().year})
    return form, (form.cleaned_data["year"] if form.is_valid() else None)


def _year_choices() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, max(forms.STATISTICS_FIRST_YEAR, this_year - 10) - 1, -1))


def _cell(key: str, value) -> str:
    if value is None:
        return "—"
    if key in PERCENT_COLUMNS:
        return f"{number_format(value, decimal_pos=1)} %"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    return number_format(value)


def _chart(rows: list[dict], labels: dict[str, str], *, year: int) -> str:
    """Grouped bars of signed / running / ended per contract type (``ocmw.charts``)."""
    groups = [row for row in rows if row["key"] in CONTRACT_TYPE_KEYS]
    return charts.column_chart(
        key="gpmi-by-type",
        title=_("GPMIs signed, running and ended in %(year)s, by type") % {"year": year},
        labels=[f"{row['key']} · {hooks.short_type(row['key'])}" for row in groups],
        series=[labels[key] for key, _colour in CHART_SERIES],
        values=[[row[key] for key, _colour in CHART_SERIES] for row in groups],
        desc="; ".join(
            ", ".join([row["label"]] + [f"{labels[key]} {row[key]}" for key, _c in CHART_SERIES])
            for row in groups
        ),
        colours=[colour for _key, colour in CHART_SERIES],
        css_class="gpmi-chart",
    )


def statistics_tables(data: dict, *, year: int) -> dict:
    """What the page and the CSV/XLSX exports show, from ``selectors.statistics``."""
    columns = data["columns"]
    keys = [column["key"] for column in columns]
    labels = {column["key"]: column["label"] for column in columns}
    breakdowns = [
        {
            **breakdown,
            "table_rows": [
                {"label": row["label"], "cells": [_cell(k, row.get(k)) for k in keys]}
                for row in breakdown["rows"]
            ],
        }
        for breakdown in data["breakdowns"]
    ]
    title = _("GPMI statistics %(year)d") % {"year": year}
    total_label = _("Total")
    export_rows: list[list] = [[_("Breakdown"), _("Group"), *[labels[k] for k in keys]]]
    export_rows.append([total_label, "", *[data["total"].get(k) for k in keys]])
    for breakdown in data["breakdowns"]:
        for row in breakdown["rows"]:
            export_rows.append([breakdown["label"], row["label"], *[row.get(k) for k in keys]])
    type_rows = next((b["rows"] for b in data["breakdowns"] if b["key"] == "type"), [])
    return {
        "stats": data,
        "columns": columns,
        "breakdowns": breakdowns,
        "totals": [
            {"key": k, "label": labels[k], "value": _cell(k, data["total"].get(k))} for k in keys
        ],
        "chart": _chart(type_rows, labels, year=year),
        "export_rows": export_rows,
        "title": title,
    }


def _statistics_error(request: HttpRequest, form: forms.YearForm) -> HttpResponse:
    context = {
        "form": form,
        "year": None,
        "years": _year_choices(),
        "year_text": request.GET.get("year", "")[:20],
    }
    return render(request, "gpmi/statistics.html", context, status=400)


@login_required
@never_cache
def statistics(request: HttpRequest) -> HttpResponse:
    if not _may_see_statistics(request.user):
        raise PermissionDenied
    form, year = _statistics_year(request)
    if year is None:
        return _statistics_error(request, form)
    try:
        data = selectors.statistics(user=request.user, year=year)
    except ValidationError as exc:
        form.add_error("year", exc)
        return _statistics_error(request, form)
    context = {"form": form, "year": year, "years": _year_choices()}
    context.update(statistics_tables(data, year=year))
    return render(request, "gpmi/statistics.html", context)


@login_required
@require_GET
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not _may_see_statistics(request.user):
        raise PermissionDenied
    form, year = _statistics_year(request)
    if year is None:
        return _statistics_error(request, form)
    try:
        data = selectors.statistics(user=request.user, year=year)
    except ValidationError as exc:
        form.add_error("year", exc)
        return _statistics_error(request, form)
    tables = statistics_tables(data, year=year)
    if fmt == "csv":
        content, content_type = _csv(tables["export_rows"]), "text/csv; charset=utf-8"
    else:
        content = _xlsx(tables["export_rows"], title=tables["title"])
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    _log(request, None, AccessAction.EXPORT, f"GPMI statistics {year} ({fmt.upper()})")
    return _download(content, content_type=content_type, filename=f"gpmi-statistics-{year}.{fmt}")


def _csv(rows: list[list]) -> bytes:
    """Semicolons, decimal commas and a BOM: what Excel expects with Belgian settings."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow(
            [
                "" if v is None else (str(v).replace(".", ",") if isinstance(v, float) else v)
                for v in row
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _xlsx(rows: list[list], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\\/*?:\[\]]", " ", title)[:31]
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 45)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- staff time for the GPMI subsidy ---------------------------------------------------
# Who may open it, what is counted and how: ``gpmi.staff_time``. The page and the XLSX
# show figures about staff members' time, never a client; the export is recorded in
# the access log (without a client), like the statistics exports.


def _staff_time(request: HttpRequest):
    """The checked form and the report, or the form with its errors and None."""
    from gpmi import staff_time

    user = request.user
    if not staff_time.may_see_staff_time(user):
        raise PermissionDenied
    form = staff_time.StaffTimeForm(request.GET, user=user)
    if not form.is_valid():
        return form, None
    report = staff_time.staff_time_for_user(
        user=user, period=form.cleaned_data["period"], team=form.cleaned_data.get("team")
    )
    return form, report


def _share_text(minutes) -> str:
    share = minutes.share
    return "—" if share is None else f"{number_format(share, decimal_pos=1)} %"


def _staff_time_cell(minutes) -> dict:
    return {
        "minutes": number_format(minutes.whole, force_grouping=True),
        "gpmi": number_format(minutes.gpmi_whole, force_grouping=True),
        "share": _share_text(minutes),
        "empty": not minutes.minutes,
    }


def _staff_time_context(request: HttpRequest, form, report) -> dict:
    from gpmi import report as gpmi_report
    from gpmi import staff_time
    from ocmw.registries import ReportSection

    user = request.user
    context: dict = {"form": form, "report": report}
    if report is None:
        context["team_choices"] = list(form.fields["team"].choices)
        return context
    team = form.cleaned_data.get("team")
    scope_teams = list(staff_time.staff_time_teams(user=user))
    tables = gpmi_report.staff_time_tables(report)
    context.update(
        {
            "ocmw": user.ocmw,
            "teams": [team] if team else scope_teams,
            "team_choices": [("", form.fields["team"].empty_label)]
            + [(str(t.pk), t.name) for t in scope_teams],
            "whole_ocmw": user.is_ocmw_admin and team is None,
            "months": [date_format(month, "M Y") for month in report.months],
            "rows": [
                {
                    "name": row.name,
                    "cells": [_staff_time_cell(m) for m in row.months],
                    "total": _staff_time_cell(row.total),
                }
                for row in report.rows
            ],
            "month_totals": [_staff_time_cell(m) for m in report.month_totals],
            "total": _staff_time_cell(report.total),
            "section": ReportSection(
                key="staff-time",
                title=_("Per staff member"),
                tables=tables[:1],
                chart_svg=gpmi_report.staff_time_chart(report, key="staff-time"),
            ),
            "query": request.GET.urlencode(),
        }
    )
    return context


@login_required
@never_cache
def staff_time_report(request: HttpRequest) -> HttpResponse:
    form, report = _staff_time(request)
    context = _staff_time_context(request, form, report)
    return render(request, "gpmi/staff_time.html", context, status=200 if report else 400)


@login_required
@require_GET
def staff_time_export(request: HttpRequest) -> HttpResponse:
    from gpmi import report as gpmi_report
    from ocmw.registries import ReportTable
    from ocmw.views import XLSX_TYPE, report_file_response, report_workbook

    form, report = _staff_time(request)
    if report is None:
        context = _staff_time_context(request, form, report)
        return render(request, "gpmi/staff_time.html", context, status=400)
    per_staff, per_month = gpmi_report.staff_time_tables(report)
    long_rows = [
        [row.name, f"{month:%Y-%m}", cell.whole, cell.gpmi_whole, cell.share]
        for row in report.rows
        for month, cell in zip(report.months, row.months, strict=True)
    ]
    detail = ReportTable(
        caption=_("Contact time per staff member and month"),
        headers=[
            _("Staff member"),
            _("Month"),
            _("Contact minutes"),
            _("Minutes with GPMI clients"),
            _("Share with GPMI clients (%)"),
        ],
        rows=long_rows,
    )
    start, end = report.period.start, report.period.end
    handle = report_workbook(
        heading=_("Staff time for the GPMI subsidy"),
        subheading=f"{request.user.ocmw} · {_date(start)} – {_date(end)}",
        sheets=[
            (_("Per staff member and month"), [detail]),
            (_("Per staff member"), [per_staff]),
            (_("Per month"), [per_month]),
        ],
    )
    _log(request, None, AccessAction.EXPORT, f"Staff time {start:%Y-%m}–{end:%Y-%m} (XLSX)")
    return report_file_response(
        handle, filename=f"staff-time-{start:%Y-%m}-{end:%Y-%m}.xlsx", content_type=XLSX_TYPE
    )
