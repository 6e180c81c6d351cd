"""What the GPMI app contributes to the core registries (see ocmw/registries.py):
the GPMI tab and header badge of the client file, the timeline entries and the
links on the home page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gpmi import forms, selectors
from gpmi.models import (
    Consent,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionChange,
    VersionStatus,
    legal_deadline_for,
)
from ocmw.registries import Panel, TimelineEntry
from trajecten import selectors as trajecten_selectors
from trajecten.models import Trajectory

CONSENTS_ON_FILE = 10
# Versions that are being prepared: one at a time, and no new version meanwhile.
PREPARING = (VersionStatus.DRAFT, VersionStatus.PRESENTED)


# --- texts shared by the panel, the list and the API ------------------------------------


def days_left_text(days: int) -> str:
    if days > 0:
        return ngettext("%(count)d day left", "%(count)d days left", days) % {"count": days}
    if days == 0:
        return _("the deadline is today")
    late = -days
    return ngettext("%(count)d day past the deadline", "%(count)d days past the deadline", late) % {
        "count": late
    }


def deadline_text(info: Any) -> str:
    """ "12 days left", "3 days past the deadline", "signed within the deadline" ..."""
    if info is None or not info.applies:
        return ""
    if info.signed_on is not None:
        if info.met:
            return _("signed within the deadline")
        late = (info.signed_on - info.legal_deadline).days
        return ngettext(
            "signed %(count)d day after the deadline",
            "signed %(count)d days after the deadline",
            late,
        ) % {"count": late}
    return days_left_text(info.days_left)


def deadline_css(info: Any) -> str:
    if info is None or not info.applies:
        return ""
    if info.overdue or info.met is False:
        return "text-danger fw-semibold"
    if info.signed_on is None and info.days_left <= 14:
        return "text-warning-emphasis fw-semibold"
    return ""


SHORT_TYPES = {
    GpmiType.GENERAL: gettext_lazy("general"),
    GpmiType.STUDIES_FULL_TIME: gettext_lazy("full-time studies"),
    GpmiType.STUDENT_WORKING: gettext_lazy("student with work income"),
    GpmiType.EXEMPTION: gettext_lazy("exemption"),
}


def short_type(code: int) -> str:
    return str(SHORT_TYPES.get(code, GpmiType(code).label if code in GpmiType.values else code))


def compliance_short(compliance: Any) -> str:
    """ "2 of 3 · 1 in person": the indicator in a table cell (the full text is its title)."""
    if compliance is None or not compliance.applies:
        return ""
    return _("%(done)s of %(required)s · %(in_person)s in person") % {
        "done": compliance.last_12_months,
        "required": compliance.required,
        "in_person": compliance.last_12_months_in_person,
    }


def compliance_css(compliance: Any) -> str:
    status = getattr(compliance, "status", "")
    return {"ok": "success", "behind": "warning", "cannot_be_met": "danger"}.get(
        status, "secondary"
    )


def version_actions(version: GpmiVersion, *, can_edit: bool) -> dict[str, bool]:
    """The lifecycle buttons this user gets for ``version`` (the services decide again)."""
    status = version.status
    return {
        "edit": can_edit and status == VersionStatus.DRAFT,
        "present": can_edit and status == VersionStatus.DRAFT,
        "sign": can_edit and status == VersionStatus.PRESENTED,
        "end": can_edit and status == VersionStatus.ACTIVE,
        "withdraw": can_edit and status in PREPARING,
    }


def start_refusal(trajectory: Trajectory | None, *, exemption: bool) -> str:
    """Why a GPMI cannot be started on ``trajectory`` now ("" when it can).

    A GPMI belongs to an open trajectory and a trajectory has one contract: a
    change of contract is a new version of it. An exemption decision may later
    give way to a contract, but is not recorded twice or after a contract."""
    if trajectory is None:
        return _("A GPMI belongs to a trajectory: open a trajectory first.")
    existing = Gpmi.objects.filter(trajectory=trajectory)
    if not exemption:
        existing = existing.exclude(type=GpmiType.EXEMPTION)
    if existing.exists():
        return _("This trajectory already has a GPMI. To change the contract, make a new version.")
    return ""


# --- the client file -------------------------------------------------------------------------


@dataclass
class GpmiFile:
    """The GPMI part of a client file, read in a fixed number of queries."""

    client: Any
    today: datetime.date
    can_edit: bool
    trajectory: Trajectory | None
    gpmis: list[Gpmi]
    current: Gpmi | None = None
    versions: list[GpmiVersion] = field(default_factory=list)
    compliance: Any = None
    deadline: Any = None
    subsidy_start: datetime.date | None = None
    subsidy_end: datetime.date | None = None
    consents: list[Consent] = field(default_factory=list)
    consent: Consent | None = None
    has_needs_analysis: bool = False
    may_start: bool = False
    may_exempt: bool = False
    may_amend: bool = False

    @property
    def earlier(self) -> list[Gpmi]:
        return [g for g in self.gpmis if g is not self.current]

    @property
    def consent_given(self) -> bool:
        return bool(self.consent and self.consent.given)

    @property
    def running(self) -> GpmiVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.ACTIVE), None)

    @property
    def headline_version(self) -> GpmiVersion | None:
        """The running version, else the newest one (for the header badge)."""
        return self.running or (self.versions[0] if self.versions else None)


def gpmi_file(*, user, client, today: datetime.date | None = None) -> GpmiFile:
    """Everything the GPMI tab shows. ``client`` comes from ``Client.objects.visible_to``
    with case access, so its GPMIs are scoped through it as well."""
    today = today or timezone.localdate()
    can_edit = bool(getattr(client, "access_edit", False))
    # The trajectory panels read the client's visible trajectories already (one
    # query, kept on ``client`` for the request).
    trajectories = trajecten_selectors.client_trajectories(user=user, client=client)
    trajectory = next((t for t in trajectories if t.is_open), None)
    # A GPMI belongs to its trajectory's client (``gpmi_create`` sets both), so the
    # file's GPMIs in scope (``Gpmi.objects.visible_to``) are those on these
    # trajectories: no scope subquery, which would build the user's whole set of
    # visible trajectories for one file.
    gpmis = list(
        Gpmi.objects.filter(client=client, trajectory__in=[t.pk for t in trajectories])
        .select_related("trajectory__counsellor", "created_by")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=GpmiVersion.objects.select_related("counsellor").order_by("-number"),
            )
        )
    )
    data = GpmiFile(
        client=client, today=today, can_edit=can_edit, trajectory=trajectory, gpmis=gpmis
    )
    for gpmi in gpmis:
        gpmi.client = client
    data.current = gpmis[0] if gpmis else None
    if data.current is not None:
        current = data.current
        data.versions = list(current.versions.all())
        for version in data.versions:
            version.gpmi = current
            version.actions = version_actions(version, can_edit=can_edit)
        # The first signed version opens the subsidy period; known from the
        # prefetched versions, so deadline_info and subsidy_dates need no query.
        signed = sorted(
            (v for v in data.versions if v.status in selectors.SIGNED_STATES),
            key=lambda v: v.number,
        )
        current.signed_on = signed[0].signed_on if signed else None
        data.deadline = selectors.deadline_info(current, today)
        data.subsidy_start, data.subsidy_end = selectors.subsidy_dates(current)
        if not current.is_exemption:
            data.compliance = selectors.compliance(current, today)
        data.may_amend = (
            can_edit
            and not current.is_exemption
            and not any(v.status in PREPARING for v in data.versions)
        )
        data.consents = list(
            Consent.objects.filter(client=client).select_related("recorded_by")[:CONSENTS_ON_FILE]
        )
        data.consent = data.consents[0] if data.consents else None
    # The trajectory app may already have prefetched the analyses onto ``client``.
    data.has_needs_analysis = bool(client.needs_analyses.all()[:1])
    on_trajectory = [
        g for g in gpmis if trajectory is not None and g.trajectory_id == trajectory.pk
    ]
    data.may_start = (
        can_edit and trajectory is not None and all(g.is_exemption for g in on_trajectory)
    )
    data.may_exempt = can_edit and trajectory is not None and not on_trajectory
    return data


def client_panels(request, client) -> list[Panel]:
    user = request.user
    data = gpmi_file(user=user, client=client)
    if not data.gpmis and data.trajectory is None and client.leefloon_decision_date is None:
        return []
    context: dict[str, Any] = {
        "file": data,
        "client": client,
        "today": data.today,
        "compliance_css": compliance_css(data.compliance),
    }
    if client.leefloon_decision_date and not data.gpmis:
        deadline = legal_deadline_for(client.leefloon_decision_date)
        context["open_deadline"] = deadline
        context["open_days_left"] = (deadline - data.today).days
        context["open_days_text"] = days_left_text(context["open_days_left"])
    context["deadline_text"] = deadline_text(data.deadline)
    context["deadline_css"] = deadline_css(data.deadline)
    if data.can_edit and data.current is not None:
        context["consent_form"] = forms.ConsentForm(
            initial={"date": data.today, "given": "yes"}, auto_id="id_consent_%s"
        )
        context["end_form"] = forms.EndForm(initial={"ended_on": data.today}, auto_id="id_end_%s")
        context["withdraw_form"] = forms.WithdrawForm(auto_id="id_withdraw_%s")
        context["present_form"] = forms.PresentForm(
            initial={"presented_on": data.today}, auto_id="id_present_%s"
        )
    return [
        Panel(
            key="gpmi-badge",
            title=_("GPMI"),
            template="gpmi/panels/badge.html",
            context=context,
            order=15,
            placement="header",
        ),
        Panel(
            key="gpmi", title=_("GPMI"), template="gpmi/panels/gpmi.html", context=context, order=45
        ),
    ]


# --- timeline ------------------------------------------------------------------------------------


def _file_url(client, anchor: str = "gpmi") -> str:
    return f"{reverse('client_detail', args=[client.pk])}#{anchor}"


def _change_title(change: VersionChange) -> str:
    number = change.version.number
    titles = {
        VersionStatus.DRAFT: _("GPMI version %(n)d drafted"),
        VersionStatus.PRESENTED: _("GPMI version %(n)d presented: the reflection period starts"),
        VersionStatus.SIGNED: _("GPMI version %(n)d signed"),
        VersionStatus.ACTIVE: _("GPMI version %(n)d is running"),
        VersionStatus.ENDED: _("GPMI version %(n)d ended"),
        VersionStatus.WITHDRAWN: _("GPMI version %(n)d withdrawn"),
    }
    title = titles.get(change.to_status, _("GPMI version %(n)d changed"))
    return title % {"n": number}


def timeline_entries(client, user, before, limit) -> list[TimelineEntry]:
    """Version changes, GPMIs started and consents, newest first: three queries."""
    entries: list[TimelineEntry] = []
    changes = VersionChange.objects.filter(version__gpmi__client=client).select_related(
        "version", "by"
    )
    gpmis = Gpmi.objects.filter(client=client).select_related("created_by")
    consents = Consent.objects.filter(client=client).select_related("recorded_by")
    if before is not None:
        changes = changes.filter(at__lt=before)
        gpmis = gpmis.filter(created_at__lt=before)
        consents = consents.filter(recorded_at__lt=before)
    for change in changes.order_by("-at", "-id")[:limit]:
        entries.append(
            TimelineEntry(
                at=change.at,
                kind="gpmi",
                title=_change_title(change),
                detail=change.reason,
                by=str(change.by),
                url=reverse("gpmi:version_detail", args=[change.version_id]),
            )
        )
    for gpmi in gpmis.order_by("-created_at", "-id")[:limit]:
        if gpmi.type == GpmiType.EXEMPTION:
            title = _("Exemption from the GPMI recorded")
        else:
            title = _("GPMI started: %(type)s") % {"type": gpmi.get_type_display()}
        entries.append(
            TimelineEntry(
                at=gpmi.created_at,
                kind="gpmi",
                title=title,
                detail=gpmi.exemption_reason,
                by=str(gpmi.created_by),
                url=_file_url(client),
            )
        )
    for consent in consents.order_by("-recorded_at", "-id")[:limit]:
        when = date_format(consent.date, "SHORT_DATE_FORMAT")
        if consent.given:
            title = _("Consent to include the GPMI in the electronic social report, %(date)s")
        else:
            title = _("Consent for the electronic social report withdrawn, %(date)s")
        entries.append(
            TimelineEntry(
                at=consent.recorded_at,
                kind="gpmi",
                title=title % {"date": when},
                detail=f"{consent.get_method_display()}. {consent.note}".strip(". ")
                if consent.note
                else consent.get_method_display(),
                by=str(consent.recorded_by),
                url=_file_url(client, "gpmi-consent"),
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


# --- the home page ---------------------------------------------------------------------------


def home_panels(request) -> list[Panel]:
    """Links to the GPMI list and statistics; no query, so the home page costs the same."""
    user = request.user
    if user.ocmw_id is None or not (user.is_counsellor or user.is_team_lead):
        return []
    return [
        Panel(
            key="gpmi-links",
            title=_("GPMI contracts"),
            template="gpmi/panels/home_links.html",
            context={"statistics": user.is_team_lead, "year": timezone.localdate().year},
            order=90,
        )
    ]
