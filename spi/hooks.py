"""What the SPI app contributes to the core registries (see ocmw/registries.py).

- ``client_panels``: the "currently: ..." badge above the tabs and the
  Activities tab of the client file (enrolments and placements, follow-up
  visits, referrals to partners, outcomes and aftercare checkpoints);
- ``timeline_entries``: enrolments started and ended, work-floor visits,
  referrals to partners, outcomes, checkpoints done and group-session
  attendance, one query per source;
- ``home_panels``: links to the partners and the group sessions;
- ``activity_summaries``: the "currently: ..." text of the caseload rows.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, DateTimeField, F, Func, Q, Value, When
from django.db.models.functions import TruncTime
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocmw.models import reads_case_of
from ocmw.registries import Panel, TimelineEntry
from spi import forms, selectors
from spi.models import (
    Attendance,
    AttendanceStatus,
    Checkpoint,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    Outcome,
    PartnerReferral,
    PartnerReferralStatus,
)
from trajecten.models import Phase, case_clients, may_transition


def short_date(value: datetime.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def currently_text(enrolment: Enrolment) -> str:
    """What the client is doing now: "Art. 60§7 at WZC De Linde until 30/06/2027"."""
    where = enrolment.user_organisation or enrolment.partner
    until = enrolment.planned_end_date
    values = {"measure": enrolment.measure.name, "where": where, "until": short_date(until)}
    if where and until:
        return _("%(measure)s at %(where)s until %(until)s") % values
    if where:
        return _("%(measure)s at %(where)s") % values
    if until:
        return _("%(measure)s until %(until)s") % values
    return values["measure"]


# --- the client file ---------------------------------------------------------------------


def client_panels(request, client) -> list[Panel]:
    """The Activities tab, and the "currently: ..." badge while something runs.

    The data come from ``selectors.client_activities`` (a fixed number of
    queries); the forms shown inline have no choices to load, so the tab costs
    the same for a client with one enrolment or twenty.
    """
    user = request.user
    today = timezone.localdate()
    data = selectors.client_activities(user=user, client=client)
    can_edit = bool(getattr(client, "access_edit", False)) and (
        user.handles_cases or user.is_team_lead
    )
    warnings = {enrolment.pk: text for enrolment, text in data.warnings}
    current, past = [], []
    for enrolment in data.enrolments:
        enrolment.warning = warnings.get(enrolment.pk)
        enrolment.currently_text = currently_text(enrolment)
        enrolment.stop_form = (
            forms.EnrolmentStopForm(initial={"on": today}, auto_id=f"id_stop{enrolment.pk}_%s")
            if can_edit
            else None
        )
        if enrolment.status in (EnrolmentStatus.PLANNED, EnrolmentStatus.RUNNING):
            current.append(enrolment)
        else:
            past.append(enrolment)
    running = [e for e in current if e.status == EnrolmentStatus.RUNNING]
    trajectory = data.trajectory
    outcomes = list(data.outcomes)
    context = {
        "client": client,
        "today": today,
        "can_edit": can_edit,
        "current": current,
        "past": past,
        "running": running,
        "warnings": [e for e in current if e.warning],
        "referrals": list(data.referrals),
        "outcomes": outcomes,
        "trajectory": trajectory,
        "employer_of_record": client.ocmw,
    }
    ended = (PartnerReferralStatus.ENDED, PartnerReferralStatus.REFUSED)
    for referral in context["referrals"]:
        referral.advance_form = (
            forms.PartnerReferralAdvanceForm(
                initial={"on": today}, auto_id=f"id_referral{referral.pk}_%s"
            )
            if can_edit and referral.status not in ended
            else None
        )
    is_open = trajectory is not None and trajectory.is_open
    if can_edit and is_open:
        context["outcome_form"] = forms.OutcomeForm(
            initial={"start_date": today}, auto_id="id_outcome_%s"
        )
    work = next(
        (o for o in outcomes if o.is_work and trajectory and o.trajectory_id == trajectory.pk),
        None,
    )
    if (
        is_open
        and work is not None
        and trajectory.phase != Phase.AFTERCARE
        and may_transition(trajectory, user)
    ):
        context["offer_aftercare"] = {
            "outcome": work,
            "reason": _("Start of work on %(date)s at %(employer)s")
            % {
                "date": short_date(work.start_date),
                "employer": work.employer or work.get_type_display(),
            },
        }
    if is_open and trajectory.phase == Phase.AFTERCARE and may_transition(trajectory, user):
        # The prefetched checkpoints say it without a query: all of them done.
        checkpoints = [
            cp for o in outcomes if o.trajectory_id == trajectory.pk for cp in o.checkpoints.all()
        ]
        if checkpoints and all(cp.done_on for cp in checkpoints):
            context["offer_close"] = True
    panels = [
        Panel(
            key="activities",
            title=_("Activities"),
            template="spi/panels/activities.html",
            context=context,
            order=25,
        )
    ]
    if running:
        panels.append(
            Panel(
                key="currently",
                title=_("Currently"),
                template="spi/panels/currently.html",
                context=context,
                order=12,
                placement="header",
            )
        )
    return panels


# --- timeline -----------------------------------------------------------------------------------


def _file_url(client, anchor: str = "activities") -> str:
    return f"{reverse('client_detail', args=[client.pk])}#{anchor}"


def _local_at(date_field: str, time_source: str | None = None) -> Func:
    """A day placed at a local time of day, as a timestamp.

    The SPI events are dated by the day they happened; the time of day they were
    recorded (or noon, for rows without a timestamp) orders them within that day,
    the way the trajectory's contacts are placed.
    """
    time = TruncTime(time_source) if time_source else Value(datetime.time(12, 0))
    return Func(
        Value(timezone.get_current_timezone_name()),
        Func(
            F(date_field),
            time,
            template="(%(expressions)s)",
            arg_joiner=" + ",
            output_field=DateTimeField(),
        ),
        function="timezone",
        output_field=DateTimeField(),
    )


def _before(before, field: str) -> Q:
    return Q(**{f"{field}__lt": before}) if before is not None else Q()


def _latest(before, *fields: str):
    """The newest of several event timestamps that is older than ``before``."""
    whens = [
        When(Q(**{f"{name}__isnull": False}) & _before(before, name), then=F(name))
        for name in fields[:-1]
    ]
    return Case(*whens, default=F(fields[-1]), output_field=DateTimeField())


def _file_scope(user, client, path: str = "client") -> Q:
    """The rows of one file within the user's scope: ``<path>=client`` (all of
    them) when ``client`` was scoped for ``user`` with case access, else also
    ``<path>__in`` the clients whose case the user reads."""
    if reads_case_of(user, client):
        return Q(**{path: client})
    return Q(**{path: client, f"{path}__in": case_clients(user).values("pk")})


def _enrolment_entries(client, user, before, limit) -> list[TimelineEntry]:
    """Enrolments started and ended: one query, ordered by their newest event."""
    qs = (
        Enrolment.objects.filter(_file_scope(user, client))
        .exclude(status=EnrolmentStatus.PLANNED)
        # Stopped before it started: there is no start (nor end) to show.
        .exclude(status=EnrolmentStatus.STOPPED, actual_end_date__isnull=True)
        .select_related("measure", "partner", "user_organisation", "created_by")
        .annotate(
            started_at=_local_at("start_date", "created_at"),
            ended_at=_local_at("actual_end_date", "updated_at"),
        )
        .filter(_before(before, "started_at"))
    )
    qs = qs.annotate(newest=_latest(before, "ended_at", "started_at"))
    entries = []
    for enrolment in qs.order_by("-newest", "-id")[:limit]:
        where = enrolment.user_organisation or enrolment.partner
        values = {"measure": enrolment.measure.name, "where": where}
        entries.append(
            TimelineEntry(
                at=enrolment.started_at,
                kind="spi",
                title=(
                    _("Started: %(measure)s at %(where)s") if where else _("Started: %(measure)s")
                )
                % values,
                detail=enrolment.job_title,
                by=str(enrolment.created_by),
                url=_file_url(client, f"enrolment-{enrolment.pk}"),
            )
        )
        ended = enrolment.ended_at
        if enrolment.actual_end_date and (before is None or ended < before):
            stopped = enrolment.status == EnrolmentStatus.STOPPED
            entries.append(
                TimelineEntry(
                    at=ended,
                    kind="spi",
                    title=(_("Stopped early: %(measure)s") if stopped else _("Ended: %(measure)s"))
                    % values,
                    detail=enrolment.stop_reason if stopped else "",
                    url=_file_url(client, f"enrolment-{enrolment.pk}"),
                )
            )
    return entries


def _visit_entries(client, user, before, limit) -> list[TimelineEntry]:
    qs = (
        FollowUpVisit.objects.filter(_file_scope(user, client, "enrolment__client"))
        .select_related("enrolment__measure", "enrolment__user_organisation", "staff")
        .annotate(at=_local_at("date", "created_at"))
        .filter(_before(before, "at"))
    )
    entries = []
    for visit in qs.order_by("-at", "-id")[:limit]:
        where = visit.enrolment.user_organisation
        title = (
            _("Work-floor visit at %(where)s · %(minutes)d min")
            if where
            else _("Work-floor visit · %(minutes)d min")
        ) % {"where": where, "minutes": visit.duration_minutes}
        detail = visit.situation
        if visit.agreements:
            detail = f"{detail}\n{_('Agreements')}: {visit.agreements}"
        entries.append(
            TimelineEntry(
                at=visit.at,
                kind="spi",
                title=title,
                detail=Truncator(detail).chars(400),
                by=str(visit.staff),
                url=_file_url(client, f"visit-{visit.pk}"),
            )
        )
    return entries


REFERRAL_EVENTS = (
    ("ended_at", "ended_on"),
    ("started_at", "started_on"),
    ("accepted_at", "accepted_on"),
    ("sent_at", "sent_on"),
)


def _referral_entries(client, user, before, limit) -> list[TimelineEntry]:
    """Referrals to partners: sent, accepted, started, ended (one query)."""
    qs = (
        PartnerReferral.objects.filter(_file_scope(user, client))
        .select_related("partner", "created_by")
        .annotate(**{at: _local_at(day) for at, day in REFERRAL_EVENTS})
        .filter(_before(before, "sent_at"))
    )
    qs = qs.annotate(newest=_latest(before, *(at for at, _day in REFERRAL_EVENTS)))
    titles = {
        "sent_at": _("Referred to %(partner)s: %(purpose)s"),
        "accepted_at": _("%(partner)s accepted the referral"),
        "started_at": _("Started with %(partner)s"),
        "ended_at": _("Referral to %(partner)s ended"),
    }
    entries = []
    for referral in qs.order_by("-newest", "-id")[:limit]:
        values = {"partner": referral.partner, "purpose": referral.purpose}
        for at, _day in REFERRAL_EVENTS:
            when = getattr(referral, at)
            if when is None or (before is not None and when >= before):
                continue
            title = titles[at]
            if at == "ended_at" and referral.status == PartnerReferralStatus.REFUSED:
                title = _("%(partner)s refused the referral")
            detail = ""
            if at == "sent_at":
                detail = Truncator(referral.handover_note).chars(400)
            elif at == "ended_at":
                detail = referral.result
            entries.append(
                TimelineEntry(
                    at=when,
                    kind="spi",
                    title=title % values,
                    detail=detail,
                    by=str(referral.created_by) if at == "sent_at" else "",
                    url=_file_url(client, f"partner-referral-{referral.pk}"),
                )
            )
    return entries


def _outcome_entries(client, user, before, limit) -> list[TimelineEntry]:
    """Outcomes, placed when they were recorded (a job may start next week)."""
    qs = (
        Outcome.objects.filter(_file_scope(user, client, "trajectory__client"))
        .select_related("recorded_by")
        .filter(_before(before, "created_at"))
    )
    entries = []
    for outcome in qs.order_by("-created_at", "-id")[:limit]:
        values = {
            "type": outcome.get_type_display(),
            "employer": outcome.employer,
            "date": short_date(outcome.start_date),
        }
        if outcome.is_work:
            title = (
                _("Start of work: %(type)s at %(employer)s from %(date)s")
                if outcome.employer
                else _("Start of work: %(type)s from %(date)s")
            )
        else:
            title = (
                _("Destination: %(type)s at %(employer)s from %(date)s")
                if outcome.employer
                else _("Destination: %(type)s from %(date)s")
            )
        details = [outcome.get_contract_type_display()] if outcome.contract_type != "none" else []
        if outcome.hours_per_week is not None:
            details.append(_("%(hours)s hours a week") % {"hours": outcome.hours_per_week})
        entries.append(
            TimelineEntry(
                at=outcome.created_at,
                kind="spi",
                title=title % values,
                detail=" · ".join(str(d) for d in details),
                by=str(outcome.recorded_by),
                url=_file_url(client, f"outcome-{outcome.pk}"),
            )
        )
    return entries


def _checkpoint_entries(client, user, before, limit) -> list[TimelineEntry]:
    qs = (
        Checkpoint.objects.filter(
            _file_scope(user, client, "outcome__trajectory__client"), done_on__isnull=False
        )
        .select_related("done_by")
        .annotate(at=_local_at("done_on"))
        .filter(_before(before, "at"))
    )
    yes_no = {True: _("yes"), False: _("no"), None: _("not known")}
    entries = []
    for checkpoint in qs.order_by("-at", "-id")[:limit]:
        detail = _("Contact: %(contact)s · still employed: %(employed)s") % {
            "contact": yes_no[checkpoint.contact_made],
            "employed": yes_no[checkpoint.still_employed],
        }
        if checkpoint.problems:
            detail = f"{detail}\n{checkpoint.problems}"
        entries.append(
            TimelineEntry(
                at=checkpoint.at,
                kind="spi",
                title=ngettext(
                    "Aftercare checkpoint +%(months)d month done",
                    "Aftercare checkpoint +%(months)d months done",
                    checkpoint.months,
                )
                % {"months": checkpoint.months},
                detail=Truncator(detail).chars(400),
                by=str(checkpoint.done_by or ""),
                url=_file_url(client, f"checkpoint-{checkpoint.pk}"),
            )
        )
    return entries


def _attendance_entries(client, user, before, limit) -> list[TimelineEntry]:
    qs = (
        Attendance.objects.filter(_file_scope(user, client))
        .exclude(status=AttendanceStatus.EXPECTED)
        .select_related("session", "session__facilitator")
        .annotate(
            at=Case(
                When(
                    session__start_time__isnull=False,
                    then=Func(
                        Value(timezone.get_current_timezone_name()),
                        Func(
                            F("session__date"),
                            F("session__start_time"),
                            template="(%(expressions)s)",
                            arg_joiner=" + ",
                            output_field=DateTimeField(),
                        ),
                        function="timezone",
                        output_field=DateTimeField(),
                    ),
                ),
                default=_local_at("session__date"),
                output_field=DateTimeField(),
            )
        )
        .filter(_before(before, "at"))
    )
    entries = []
    for row in qs.order_by("-at", "-id")[:limit]:
        session = row.session
        entries.append(
            TimelineEntry(
                at=row.at,
                kind="spi",
                title=_("Group session “%(title)s”: %(status)s")
                % {"title": session.title, "status": row.get_status_display().lower()},
                detail=session.place,
                by=str(session.facilitator),
                url=reverse("spi:group_session_detail", args=[session.pk]),
            )
        )
    return entries


TIMELINE_SOURCES = (
    _enrolment_entries,
    _visit_entries,
    _referral_entries,
    _outcome_entries,
    _checkpoint_entries,
    _attendance_entries,
)


def timeline_entries(client, user, before, limit) -> list[TimelineEntry]:
    """The SPI events of a client, newest first: six queries whatever the history."""
    entries = [
        entry for source in TIMELINE_SOURCES for entry in source(client, user, before, limit)
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


# --- the home page and the caseload ------------------------------------------------------------


def home_panels(request) -> list[Panel]:
    """Links to the partners and the group sessions; no query."""
    user = request.user
    if user.ocmw_id is None or not (user.handles_cases or user.is_team_lead):
        return []
    return [
        Panel(
            key="spi-links",
            title=_("Activation"),
            template="spi/panels/home_links.html",
            context={},
            order=85,
        )
    ]


def activity_summaries(client_ids, today) -> dict:
    """``{client_id: "art. 60 at care home X until 30/06"}`` for the caseload rows."""
    return selectors.activity_summaries(client_ids=client_ids, today=today)


# --- the team case list's "measure" filter ---------------------------------------------------


def _measure_choices(user) -> list[tuple[str, str]]:
    """The measures of the user's OCMW catalogue (inactive ones too: a client may
    still be enrolled in a measure no longer offered), in one query."""
    from spi.models import Measure

    if user is None or getattr(user, "ocmw_id", None) is None:
        return []
    return [
        (str(pk), name)
        for pk, name in Measure.objects.filter(ocmw_id=user.ocmw_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ]


def _in_measure(queryset, value: str):
    """Trajectories whose client is currently (a running enrolment) in the measure."""
    from django.db.models import Exists, OuterRef

    running = Enrolment.objects.filter(
        client_id=OuterRef("client_id"), measure_id=int(value), status=EnrolmentStatus.RUNNING
    )
    return queryset.filter(Exists(running))


def measure_case_filter():
    from django.utils.translation import gettext_lazy

    from trajecten.registries import CaseListFilter

    return CaseListFilter(
        name="measure",
        label=gettext_lazy("Measure (currently enrolled)"),
        choices=_measure_choices,
        apply=_in_measure,
        order=10,
        empty_label=gettext_lazy("All measures"),
    )
