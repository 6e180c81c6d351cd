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
from gpmi.models import CONTRACT_TYPES, Consent, Gpmi, GpmiType, GpmiVersion, VersionStatus
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
    if version.status in (VersionStatus.SIGNED, VersionStatus.ACTIVE, VersionStatus.ENDED):
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


def _wrap(label: str, width: int = 20) -> list[str]:
    lines: list[str] = []
    for word in str(label).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines[:3]


def _nice_max(value: int) -> int:
    """The top of the axis: four equal steps of 1, 2, 5, 10, 20, 50 ... covering ``value``."""
    step = 1
    while 4 * step < value:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return 4 * step


def _n(value: float) -> str:
    """An SVG coordinate: a dot as decimal mark whatever the language."""
    return f"{value:.1f}"


def _chart(rows: list[dict], labels: dict[str, str]) -> dict:
    """Grouped bars of signed / running / ended per contract type (server-rendered SVG).

    Coordinates are strings, so the template's number localisation (a decimal
    comma in nl and fr) never reaches the SVG."""
    groups = [row for row in rows if row["key"] in CONTRACT_TYPE_KEYS]
    left, top, plot_width, plot_height = 34, 30, 380, 160
    bottom = top + plot_height
    top_value = _nice_max(max([row[key] for row in groups for key, _c in CHART_SERIES] or [0]))
    group_width = plot_width / max(len(groups), 1)
    bar_width = group_width * 0.78 / len(CHART_SERIES)
    bars, group_labels = [], []
    for index, row in enumerate(groups):
        x0 = left + index * group_width + group_width * 0.11
        for position, (key, colour) in enumerate(CHART_SERIES):
            value = row[key]
            height = plot_height * value / top_value
            x = x0 + position * bar_width
            bars.append(
                {
                    "x": _n(x),
                    "y": _n(bottom - height),
                    "width": _n(bar_width - 3),
                    "height": _n(height),
                    "centre": _n(x + (bar_width - 3) / 2),
                    "label_y": _n(bottom - height - 4),
                    "colour": colour,
                    "value": value,
                    "text": f"{row['label']}: {labels[key]} {value}",
                }
            )
        name = f"{row['key']} · {hooks.short_type(row['key'])}"
        group_labels.append({"x": _n(left + (index + 0.5) * group_width), "lines": _wrap(name, 18)})
    ticks = [{"value": top_value * i // 4, "y": _n(bottom - plot_height * i / 4)} for i in range(5)]
    legend = [
        {
            "x": str(left + 120 * i),
            "text_x": str(left + 120 * i + 17),
            "colour": colour,
            "label": labels[key],
        }
        for i, (key, colour) in enumerate(CHART_SERIES)
    ]
    return {
        "width": str(left + plot_width + 8),
        "height": str(bottom + 46),
        "left": str(left),
        "tick_x": str(left - 6),
        "right": str(left + plot_width),
        "bottom": str(bottom),
        "label_y": str(bottom + 16),
        "bars": bars,
        "groups": group_labels,
        "ticks": ticks,
        "legend": legend,
        "summary": "; ".join(
            ", ".join([row["label"]] + [f"{labels[key]} {row[key]}" for key, _c in CHART_SERIES])
            for row in groups
        ),
    }


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
        "chart": _chart(type_rows, labels),
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
