"""Pages of the SPI app: the client's activities, partners and group sessions.

Reads go through ``spi.selectors`` and the models' ``visible_to`` scoping
(another OCMW's partner or session, or a client the user does not follow, is a
404); writes go through ``spi.services``. A form that fails validation is shown
again on its own page with what was typed and the errors; a successful post
redirects back to where the user was (post/redirect/get).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ocmw import selectors as core_selectors
from ocmw.models import Client, Role, User
from spi import forms, selectors, services
from spi.models import (
    Checkpoint,
    ContactPerson,
    Enrolment,
    EnrolmentStatus,
    Measure,
    Partner,
    PartnerReferral,
)
from trajecten.models import Trajectory, case_clients

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


def _file_url(client_pk: int, anchor: str = "activities") -> str:
    return f"{reverse('client_detail', args=[client_pk])}#{anchor}"


def _staff_only(request: HttpRequest) -> None:
    """Partner and session pages are for the staff of an OCMW."""
    if request.user.ocmw_id is None:
        raise Http404


def _case_staff_only(request: HttpRequest) -> None:
    """Group sessions name clients: for those who follow clients (and team leads)."""
    user = request.user
    if user.ocmw_id is None or not (user.handles_cases or user.is_team_lead):
        raise PermissionDenied


def _measures(user: User) -> list[Measure]:
    """The active measures of the user's OCMW (the catalogue of the forms)."""
    return list(selectors.measures(user=user).filter(active=True))


def _partners(user: User) -> list[Partner]:
    """The partners of the user's OCMW, for the choices of a form (one query)."""
    return list(Partner.objects.visible_to(user).order_by("name", "pk"))


def _staff(user: User) -> list[User]:
    """Staff of the user's OCMW who may facilitate a session or visit a work floor."""
    return list(
        User.objects.filter(
            ocmw_id=user.ocmw_id,
            is_active=True,
            roles__overlap=[Role.SOCIAL_WORKER, Role.COUNSELLOR, Role.TEAM_LEAD],
        ).order_by("first_name", "last_name", "pk")
    )


def _caseload_clients(user: User, *, exclude: set[int] | None = None) -> list[Client]:
    """Clients whose case the user reads, to choose session participants from."""
    qs = case_clients(user).order_by("last_name", "first_name", "pk")
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    return list(qs.only("pk", "first_name", "last_name"))


def _service_error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _enrolment_or_404(request: HttpRequest, pk: int, *, edit: bool = True):
    try:
        enrolment = (
            Enrolment.objects.visible_to(request.user)
            .select_related("measure", "partner", "user_organisation", "client")
            .get(pk=pk)
        )
    except Enrolment.DoesNotExist:
        raise Http404
    client = _client_or_404(request, enrolment.client_id, edit=edit)
    enrolment.client = client
    return enrolment, client


def _trajectory_or_404(request: HttpRequest, pk: int):
    try:
        trajectory = (
            Trajectory.objects.visible_to(request.user)
            .select_related("client", "counsellor", "team")
            .get(pk=pk)
        )
    except Trajectory.DoesNotExist:
        raise Http404
    client = _client_or_404(request, trajectory.client_id, edit=True)
    trajectory.client = client
    return trajectory, client


# --- enrolments ------------------------------------------------------------------------------


@login_required
def enrolment_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=True)
    user = request.user
    form = forms.EnrolmentForm(
        request.POST or None,
        measures=_measures(user),
        partners=_partners(user),
        initial={"start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrolment_create(
                actor=user, client=client, data=form.service_data()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(client)s is enrolled in %(measure)s.")
                % {"client": client, "measure": enrolment.measure},
            )
            return redirect(_file_url(client.pk, f"enrolment-{enrolment.pk}"))
    context = {"form": form, "client": client, "art60_open": _art60_selected(form)}
    return render(request, "spi/enrolment_form.html", context)


def _art60_selected(form: forms.EnrolmentForm, enrolment: Enrolment | None = None) -> bool:
    """Whether the art. 60 fields start open (the page also toggles them with the measure)."""
    if enrolment is not None:
        return enrolment.is_art60
    chosen = form["measure"].value() if "measure" in form.fields else None
    measure = form.fields["measure"].objects.get(str(chosen)) if chosen else None
    return bool(measure and measure.is_art60)


@login_required
def enrolment_update(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment, client = _enrolment_or_404(request, pk)
    user = request.user
    initial = {
        name: getattr(enrolment, name)
        for name in (
            "start_date",
            "planned_end_date",
            "hours_per_week",
            "costs_covered",
            "notes",
            "job_title",
            "sector",
            "max_end_date",
            "over_max_reason",
            "next_step",
        )
    }
    initial["partner"] = enrolment.partner_id
    initial["user_organisation"] = enrolment.user_organisation_id
    form = forms.EnrolmentForm(
        request.POST or None,
        measures=[enrolment.measure],
        partners=_partners(user),
        with_measure=False,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_update(
                actor=user,
                enrolment=enrolment,
                data=form.service_data(measure=enrolment.measure),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The enrolment is updated."))
            return redirect(_file_url(client.pk, f"enrolment-{enrolment.pk}"))
    context = {
        "form": form,
        "client": client,
        "enrolment": enrolment,
        "art60_open": enrolment.is_art60,
    }
    return render(request, "spi/enrolment_form.html", context)


@login_required
@require_POST
def enrolment_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrolment_step(request, pk, step="start")


@login_required
@require_POST
def enrolment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrolment_step(request, pk, step="complete")


def _enrolment_step(request: HttpRequest, pk: int, *, step: str) -> HttpResponse:
    enrolment, client = _enrolment_or_404(request, pk)
    form = forms.EnrolmentDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("on", [])))
        return redirect(_file_url(client.pk, f"enrolment-{enrolment.pk}"))
    on = form.cleaned_data.get("on") or None
    service = services.enrolment_start if step == "start" else services.enrolment_complete
    try:
        service(actor=request.user, enrolment=enrolment, on=on)
    except ValidationError as exc:
        messages.error(request, _service_error_message(exc))
    else:
        if step == "start":
            text = _("%(measure)s started.")
        else:
            text = _("%(measure)s completed.")
        messages.success(request, text % {"measure": enrolment.measure})
    return redirect(_file_url(client.pk, f"enrolment-{enrolment.pk}"))


@login_required
def enrolment_stop(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment, client = _enrolment_or_404(request, pk)
    form = forms.EnrolmentStopForm(
        request.POST or None, initial={"on": timezone.localdate()}, auto_id="id_stop_%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_stop(
                actor=request.user,
                enrolment=enrolment,
                reason=form.cleaned_data["reason"].strip(),
                on=form.cleaned_data.get("on") or None,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("%(measure)s was stopped early.") % {"measure": enrolment.measure}
            )
            return redirect(_file_url(client.pk, f"enrolment-{enrolment.pk}"))
    context = {"form": form, "client": client, "enrolment": enrolment}
    return render(request, "spi/enrolment_stop.html", context)


@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment, client = _enrolment_or_404(request, pk)
    user = request.user
    form = forms.FollowUpVisitForm(
        request.POST or None,
        staff=_staff(user),
        initial={"date": timezone.localdate(), "staff": user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.followup_visit_record(
                actor=user, enrolment=enrolment, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The work-floor visit is recorded."))
            return redirect(_file_url(client.pk, f"visit-{visit.pk}"))
    context = {"form": form, "client": client, "enrolment": enrolment}
    return render(request, "spi/visit_form.html", context)


# --- referrals to partners -------------------------------------------------------------------


def _contact_people(partners: list) -> list[ContactPerson]:
    return list(
        ContactPerson.objects.filter(partner__in=[p.pk for p in partners]).order_by("name", "pk")
    )


@login_required
def partner_referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client_or_404(request, pk, edit=True)
    user = request.user
    partners = _partners(user)
    form = forms.PartnerReferralForm(
        request.POST or None,
        partners=partners,
        contacts=_contact_people(partners),
        initial={"sent_on": timezone.localdate(), "partner": request.GET.get("partner")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.partner_referral_create(
                actor=user, client=client, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(client)s was referred to %(partner)s.")
                % {"client": client, "partner": referral.partner},
            )
            return redirect(_file_url(client.pk, f"partner-referral-{referral.pk}"))
    return render(request, "spi/partner_referral_form.html", {"form": form, "client": client})


@login_required
def partner_referral_advance(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        referral = (
            PartnerReferral.objects.filter(client__in=case_clients(request.user).values("pk"))
            .select_related("partner", "client")
            .get(pk=pk)
        )
    except PartnerReferral.DoesNotExist:
        raise Http404
    client = _client_or_404(request, referral.client_id, edit=True)
    form = forms.PartnerReferralAdvanceForm(
        request.POST or None,
        initial={"on": timezone.localdate()},
        auto_id=f"id_referral{referral.pk}_%s",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_referral_advance(
                actor=request.user,
                referral=referral,
                status=data["status"],
                on=data.get("on") or None,
                result=(data.get("result") or "").strip(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Referral to %(partner)s: %(status)s.")
                % {"partner": referral.partner, "status": referral.get_status_display()},
            )
            return redirect(_file_url(client.pk, f"partner-referral-{referral.pk}"))
    context = {"form": form, "client": client, "referral": referral}
    return render(request, "spi/partner_referral_advance.html", context)


# --- outcomes and aftercare ------------------------------------------------------------------


@login_required
def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory, client = _trajectory_or_404(request, pk)
    if not trajectory.is_open:
        messages.error(request, _("This trajectory is closed; record the outcome on an open one."))
        return redirect(_file_url(client.pk, "outcomes"))
    form = forms.OutcomeForm(
        request.POST or None, initial={"start_date": timezone.localdate()}, auto_id="id_outcome_%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.outcome_record(
                actor=request.user, trajectory=trajectory, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            if outcome.is_work:
                messages.success(
                    request,
                    _(
                        "Start of work recorded. Aftercare checkpoints are planned; "
                        "you can now move the trajectory to aftercare."
                    ),
                )
            else:
                messages.success(request, _("The destination is recorded."))
            return redirect(_file_url(client.pk, f"outcome-{outcome.pk}"))
    context = {"form": form, "client": client, "trajectory": trajectory}
    return render(request, "spi/outcome_form.html", context)


@login_required
def checkpoint_record(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        checkpoint = (
            Checkpoint.objects.filter(
                outcome__trajectory__in=Trajectory.objects.visible_to(request.user).values("pk")
            )
            .select_related("outcome", "outcome__trajectory", "done_by")
            .get(pk=pk)
        )
    except Checkpoint.DoesNotExist:
        raise Http404
    client = _client_or_404(request, checkpoint.outcome.trajectory.client_id, edit=True)
    initial = {"done_on": checkpoint.done_on or timezone.localdate()}
    if checkpoint.done_on:
        yes_no = {True: "yes", False: "no", None: ""}
        initial.update(
            contact_made=yes_no[checkpoint.contact_made],
            still_employed=yes_no[checkpoint.still_employed],
            same_employer=yes_no[checkpoint.same_employer],
            problems=checkpoint.problems,
            support_given=checkpoint.support_given,
        )
    form = forms.CheckpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkpoint_record(
                actor=request.user, checkpoint=checkpoint, data=form.service_data()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Aftercare checkpoint +%(months)d month recorded.",
                    "Aftercare checkpoint +%(months)d months recorded.",
                    checkpoint.months,
                )
                % {"months": checkpoint.months},
            )
            return redirect(_file_url(client.pk, f"checkpoint-{checkpoint.pk}"))
    context = {"form": form, "client": client, "checkpoint": checkpoint}
    return render(request, "spi/checkpoint_form.html", context)


# --- partners ----------------------------------------------------------------------------------


@login_required
@never_cache
def partner_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    filters = forms.PartnerFilterForm(request.GET or None)
    query, kind = "", ""
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        kind = filters.cleaned_data["kind"]
    partners = selectors.partners(user=request.user)
    if query:
        partners = partners.filter(Q(name__icontains=query) | Q(sector__icontains=query))
    if kind:
        partners = partners.filter(kind=kind)
    page = Paginator(partners.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "partners": page.object_list,
        "filters": filters if filters.is_bound else forms.PartnerFilterForm(),
        "query": query,
        "kind": kind,
    }
    return render(request, "spi/partner_list.html", context)


@login_required
@never_cache
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    try:
        partner = selectors.partner_detail(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404
    active = (EnrolmentStatus.PLANNED, EnrolmentStatus.RUNNING)
    context = {
        "partner": partner,
        "enrolments": [e for e in partner.enrolments_visible if e.status in active],
        "earlier_count": sum(1 for e in partner.enrolments_visible if e.status not in active),
        "referrals": partner.referrals_visible,
        "can_refer": request.user.handles_cases or request.user.is_team_lead,
    }
    return render(request, "spi/partner_detail.html", context)


# --- group sessions -------------------------------------------------------------------------------


def _session_form(request: HttpRequest, data=None) -> forms.GroupSessionForm:
    user = request.user
    return forms.GroupSessionForm(
        data,
        measures=_measures(user),
        staff=_staff(user),
        clients=_caseload_clients(user),
        initial={"facilitator": user.pk, "date": timezone.localdate(), "duration_minutes": 120},
    )


@login_required
@never_cache
def group_session_list(request: HttpRequest) -> HttpResponse:
    _case_staff_only(request)
    today = timezone.localdate()
    upcoming = Q(date__gte=today)
    # Upcoming sessions first, the nearest on top; then past ones, the latest on top.
    sessions = selectors.group_sessions(user=request.user).order_by(
        Case(When(upcoming, then=Value(0)), default=Value(1)),
        Case(When(upcoming, then=F("date"))).asc(nulls_last=True),
        F("date").desc(),
        F("start_time").asc(nulls_last=True),
        "pk",
    )
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    can_run = services.may_run_sessions(request.user, request.user.ocmw_id)
    context = {
        "page": page,
        "sessions": page.object_list,
        "today": today,
        "can_run": can_run,
        "form": _session_form(request) if can_run else None,
    }
    return render(request, "spi/group_session_list.html", context)


@login_required
def group_session_create(request: HttpRequest) -> HttpResponse:
    _case_staff_only(request)
    if not services.may_run_sessions(request.user, request.user.ocmw_id):
        raise PermissionDenied
    form = _session_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.group_session_create(
                actor=request.user,
                data=form.service_data(),
                participants=form.cleaned_data["participants"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Group session “%(title)s” on %(date)s created.")
                % {"title": session.title, "date": date_format(session.date, "SHORT_DATE_FORMAT")},
            )
            return redirect("spi:group_session_detail", pk=session.pk)
    return render(request, "spi/group_session_form.html", {"form": form})


def _session_or_404(request: HttpRequest, pk: int):
    _case_staff_only(request)
    try:
        return selectors.group_session_detail(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404


def _session_page(request, session, *, attendance_form=None, add_form=None, status=200):
    rows = list(session.attendance.all())
    participant_ids = {row.client_id for row in rows}
    readable = _readable_rows(request.user, rows)
    if not services.may_run_sessions(request.user, session.ocmw_id):
        attendance_form = add_form = None
    else:
        attendance_form = attendance_form or forms.AttendanceForm(
            rows=readable, auto_id="id_attendance_%s"
        )
        add_form = add_form or forms.AddParticipantsForm(
            clients=_caseload_clients(request.user, exclude=participant_ids),
            auto_id="id_add_%s",
        )
    context = {
        "session": session,
        "rows": rows,
        "readable_rows": readable,
        "hidden_count": len(rows) - len(readable),
        "attendance_form": attendance_form,
        "add_form": add_form,
        "today": timezone.localdate(),
        "can_run": services.may_run_sessions(request.user, session.ocmw_id),
    }
    return render(request, "spi/group_session_detail.html", context, status=status)


def _readable_rows(user: User, rows: list) -> list:
    """The participants whose file the user reads; the others are only counted."""
    return [row for row in rows if row.client_readable]


@login_required
@never_cache
def group_session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    return _session_page(request, session)


@login_required
@require_POST
def group_session_add_participants(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    present = {row.client_id for row in session.attendance.all()}
    form = forms.AddParticipantsForm(
        request.POST,
        clients=_caseload_clients(request.user, exclude=present),
        auto_id="id_add_%s",
    )
    if form.is_valid():
        clients = form.cleaned_data["participants"]
        try:
            services.group_session_add_participants(
                actor=request.user, session=session, clients=clients
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(count)d participant(s) added.") % {"count": len(clients)},
            )
            return redirect("spi:group_session_detail", pk=session.pk)
    session = _session_or_404(request, pk)
    return _session_page(request, session, add_form=form)


@login_required
@require_POST
def group_session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    rows = _readable_rows(request.user, list(session.attendance.all()))
    form = forms.AttendanceForm(request.POST, rows=rows, auto_id="id_attendance_%s")
    if form.is_valid():
        try:
            services.attendance_record(
                actor=request.user, session=session, statuses=form.statuses()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Attendance saved; it is in each participant's journal."))
            return redirect(f"{reverse('spi:group_session_detail', args=[session.pk])}#attendance")
    session = _session_or_404(request, pk)
    return _session_page(request, session, attendance_form=form)
