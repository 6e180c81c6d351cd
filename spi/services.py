"""Every write of the SPI app. Pages, API and admin call these; nothing else writes.

Each function is keyword-only, runs in one transaction, validates with
``full_clean()`` (plus the rules that span rows) and records who did it with
``pghistory.context(user=...)``. Bad input raises ``ValidationError`` before
anything is written; a user who may not do this raises ``PermissionDenied``.

Who may write:

- case content (enrolments, visits, referrals to partners, outcomes,
  checkpoints): whoever may edit the client's case, as in the trajectory app
  (``case_clients(actor)`` with ``access_edit``);
- partners and their contact people: counsellors, team leads and OCMW
  administrators of the partner's OCMW; merging duplicates: team leads and
  OCMW administrators (a superuser of the installation too, in the admin);
- group sessions and attendance: counsellors and team leads of the session's
  OCMW. Participants are chosen among the clients whose case the actor reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import pghistory
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocmw.models import Client, LanguageRegion, Ocmw, User
from spi.models import (
    Attendance,
    AttendanceStatus,
    Checkpoint,
    ContactPerson,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    GroupSession,
    Measure,
    MeasureCategory,
    Outcome,
    Partner,
    PartnerReferral,
    PartnerReferralStatus,
    SpiSettings,
)
from trajecten.models import Contact, ContactType, Phase, Trajectory, case_clients
from trajecten.services import require_case_edit

# How far ahead a start of work may be recorded (a signed contract starting later).
OUTCOME_MAX_DAYS_AHEAD = 366
# The journal needs a duration of at least one minute; an absence is not staff time.
ABSENT_CONTACT_MINUTES = 1


# --- permissions ---------------------------------------------------------------------------------


def _is_staff_of(actor: User, ocmw_id: int) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.ocmw_id == ocmw_id


def may_run_sessions(actor: User, ocmw_id: int) -> bool:
    return _is_staff_of(actor, ocmw_id) and (actor.is_counsellor or actor.is_team_lead)


def may_edit_partners(actor: User, ocmw_id: int) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return _is_staff_of(actor, ocmw_id) and (
        actor.is_counsellor or actor.is_team_lead or actor.is_ocmw_admin
    )


def may_merge_partners(actor: User, ocmw_id: int) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return _is_staff_of(actor, ocmw_id) and (actor.is_team_lead or actor.is_ocmw_admin)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- small helpers -------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _short(day: datetime.date) -> str:
    """30/06/2027: Belgian dates read the same in Dutch and French."""
    return day.strftime("%d/%m/%Y")


def _pick(data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {name: data[name] for name in fields if name in data}


def _strip_texts(values: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    for name in names:
        if name in values and isinstance(values[name], str):
            values[name] = values[name].strip()
    return values


def _not_in_future(day: datetime.date, field: str, message: str) -> None:
    if day > _today():
        raise ValidationError({field: message})


def _open_trajectory(client: Client) -> Trajectory | None:
    return Trajectory.objects.open().filter(client=client).first()


def months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (31 January + 1 month = 28/29 February)."""
    return day + relativedelta(months=months)


def art60_max_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of a placement of at most ``months`` months starting on ``start``."""
    return months_later(start, months) - datetime.timedelta(days=1)


def settings_for(ocmw_id: int) -> SpiSettings:
    return SpiSettings.for_ocmw(ocmw_id)


# --- the measures catalogue ----------------------------------------------------------------------

# (code, category, phases, is_employment, is_art60, max months, name nl, name fr, name bilingual)
DEFAULT_MEASURES: list[tuple] = [
    ("art60", MeasureCategory.EMPLOYMENT, [Phase.WORK_EXPERIENCE], True, True, 24,
     "Art. 60§7 (TWE)", "Art. 60§7", "Art. 60§7 / TWE"),
    ("art61", MeasureCategory.EMPLOYMENT, [Phase.PROFESSIONAL_ACTIVATION], True, False, None,
     "Art. 61 (plaatsing bij een partnerwerkgever)", "Art. 61 (mise à l'emploi chez un partenaire)",
     "Art. 61"),
    ("ibo", MeasureCategory.TRAINING, [Phase.PROFESSIONAL_ACTIVATION], False, False, 6,
     "IBO (individuele beroepsopleiding)", "FPI (formation professionnelle individuelle)",
     "IBO / FPI"),
    ("job_exploration", MeasureCategory.TRAINING,
     [Phase.SOCIAL_ACTIVATION, Phase.WORK_EXPERIENCE], False, False, 1,
     "Jobexploratiestage", "Stage de découverte", "Jobexploratiestage / stage de découverte"),
    ("vocational_training", MeasureCategory.TRAINING,
     [Phase.WORK_EXPERIENCE, Phase.PROFESSIONAL_ACTIVATION], False, False, 12,
     "Beroepsopleiding", "Formation professionnelle", "Beroepsopleiding / formation"),
    ("language_nl", MeasureCategory.LANGUAGE,
     [Phase.PRECONDITIONS, Phase.SOCIAL_ACTIVATION, Phase.WORK_EXPERIENCE], False, False, 12,
     "Taalcursus Nederlands", "Cours de néerlandais",
     "Nederlands / néerlandais (NT2)"),
    ("language_fr", MeasureCategory.LANGUAGE,
     [Phase.PRECONDITIONS, Phase.SOCIAL_ACTIVATION, Phase.WORK_EXPERIENCE], False, False, 12,
     "Taalcursus Frans", "Cours de français", "Frans / français (FLE)"),
    ("workshop", MeasureCategory.SOCIAL_ACTIVATION, [Phase.SOCIAL_ACTIVATION], False, False, 6,
     "Workshop sociale activering", "Atelier d'activation sociale",
     "Workshop / atelier (activering)"),
    ("volunteering", MeasureCategory.SOCIAL_ACTIVATION, [Phase.SOCIAL_ACTIVATION], False, False,
     None, "Vrijwilligerswerk", "Volontariat", "Vrijwilligerswerk / volontariat"),
    ("arbeidszorg", MeasureCategory.SOCIAL_ACTIVATION,
     [Phase.SOCIAL_ACTIVATION, Phase.WORK_EXPERIENCE], False, False, None,
     "Arbeidszorg", "Travail adapté (arbeidszorg)", "Arbeidszorg / travail adapté"),
    ("job_club", MeasureCategory.JOB_SEARCH, [Phase.JOB_PLACEMENT], False, False, 3,
     "Jobclub / sollicitatietraining", "Job club / atelier de recherche d'emploi",
     "Jobclub / job club"),
    ("job_table", MeasureCategory.JOB_SEARCH, [Phase.JOB_PLACEMENT], False, False, 3,
     "Jobtafel", "Table emploi", "Jobtafel / table emploi"),
    ("activa_sine", MeasureCategory.WAGE_SUBSIDY, [Phase.PROFESSIONAL_ACTIVATION], True, False,
     None, "ACTIVA / SINE (loonsubsidie)", "ACTIVA / SINE (aide à l'emploi)", "ACTIVA / SINE"),
    ("studies", MeasureCategory.STUDIES, [Phase.WORK_EXPERIENCE, Phase.PROFESSIONAL_ACTIVATION],
     False, False, None, "Studies", "Études", "Studies / études"),
]  # fmt: skip


@transaction.atomic
def measure_catalogue_seed(*, ocmw: Ocmw) -> list[Measure]:
    """The Belgian default measures for ``ocmw``, named in its language region.

    Idempotent: a measure whose code already exists is left as the OCMW's
    administrator edited it. Returns the default measures in catalogue order.
    """
    existing = {m.code: m for m in Measure.objects.filter(ocmw=ocmw)}
    column = {LanguageRegion.DUTCH: 0, LanguageRegion.FRENCH: 1}.get(ocmw.language_region, 2)
    result = []
    for code, category, phases, employment, art60, months, *names in DEFAULT_MEASURES:
        measure = existing.get(code)
        if measure is None:
            measure = Measure(
                ocmw=ocmw,
                code=code,
                name=names[column],
                category=category,
                phases=list(phases),
                is_employment=employment,
                is_art60=art60,
                max_duration_months=months,
            )
            measure.full_clean()
            measure.save()
        result.append(measure)
    return result


# --- partners ------------------------------------------------------------------------------------

PARTNER_FIELDS = ("name", "kind", "sector", "address", "phone", "email")
CONTACT_PERSON_FIELDS = ("name", "role", "phone", "email")


def _refuse_duplicate_name(partner: Partner) -> None:
    same = Partner.objects.filter(
        ocmw_id=partner.ocmw_id, name__iexact=partner.name, merged_into__isnull=True
    ).exclude(pk=partner.pk)
    if same.exists():
        raise ValidationError(
            {"name": _("A partner with this name already exists in this OCMW.")},
            code="duplicate",
        )


@transaction.atomic
def partner_create(*, actor: User, data: Mapping[str, Any]) -> Partner:
    """A partner of the actor's OCMW (a superuser names the OCMW in ``data``)."""
    ocmw = data.get("ocmw") if getattr(actor, "is_superuser", False) else None
    ocmw_id = ocmw.pk if ocmw is not None else actor.ocmw_id
    _require(ocmw_id is not None and may_edit_partners(actor, ocmw_id))
    values = _strip_texts(_pick(data, PARTNER_FIELDS), PARTNER_FIELDS)
    partner = Partner(ocmw_id=ocmw_id, **values)
    partner.full_clean()
    _refuse_duplicate_name(partner)
    with pghistory.context(user=actor.pk):
        partner.save()
    return partner


@transaction.atomic
def partner_update(*, actor: User, partner: Partner, data: Mapping[str, Any]) -> Partner:
    _require(may_edit_partners(actor, partner.ocmw_id))
    for name, value in _strip_texts(_pick(data, PARTNER_FIELDS), PARTNER_FIELDS).items():
        setattr(partner, name, value)
    partner.full_clean()
    _refuse_duplicate_name(partner)
    with pghistory.context(user=actor.pk):
        partner.save()
    return partner


@transaction.atomic
def partner_merge(*, actor: User, keep: Partner, duplicate: Partner) -> Partner:
    """Merge ``duplicate`` into ``keep``: its enrolments, placements, referrals and
    contact people move to ``keep``; ``duplicate`` stays (for the audit trail) with
    ``merged_into`` set, and no longer appears in lists or choices."""
    _require(may_merge_partners(actor, keep.ocmw_id))
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A partner cannot be merged into itself."))
    # Lock both rows, always in the same order, so two merges cannot cross.
    rows = Partner.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])
    locked = {p.pk: p for p in rows.order_by("pk")}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if keep.ocmw_id != duplicate.ocmw_id:
        raise ValidationError(_("Only partners of the same OCMW can be merged."))
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("One of these partners was already merged into another one."))
    with pghistory.context(user=actor.pk):
        Enrolment.objects.filter(partner=duplicate).update(partner=keep)
        Enrolment.objects.filter(user_organisation=duplicate).update(user_organisation=keep)
        PartnerReferral.objects.filter(partner=duplicate).update(partner=keep)
        ContactPerson.objects.filter(partner=duplicate).update(partner=keep)
        Partner.objects.filter(merged_into=duplicate).update(merged_into=keep)
        duplicate.merged_into = keep
        duplicate.full_clean()
        duplicate.save(update_fields=["merged_into"])
    return keep


@transaction.atomic
def contact_person_create(
    *, actor: User, partner: Partner, data: Mapping[str, Any]
) -> ContactPerson:
    _require(may_edit_partners(actor, partner.ocmw_id))
    if partner.merged_into_id:
        raise ValidationError(_("This partner was merged into another one."))
    values = _strip_texts(_pick(data, CONTACT_PERSON_FIELDS), CONTACT_PERSON_FIELDS)
    person = ContactPerson(partner=partner, **values)
    person.full_clean()
    with pghistory.context(user=actor.pk):
        person.save()
    return person


# --- enrolments and placements -------------------------------------------------------------------

ENROLMENT_FIELDS = (
    "partner",
    "start_date",
    "planned_end_date",
    "hours_per_week",
    "costs_covered",
    "notes",
    "user_organisation",
    "job_title",
    "sector",
    "max_end_date",
    "over_max_reason",
    "next_step",
)
ENROLMENT_TEXTS = ("costs_covered", "notes", "job_title", "sector", "over_max_reason", "next_step")
# Dropped for other measures: the maximum duration rule is the art. 60 one, and
# the user organisation is where an art. 60 worker is placed (others: the partner).
ART60_ONLY = ("user_organisation", "max_end_date", "over_max_reason")
ACTIVE = (EnrolmentStatus.PLANNED, EnrolmentStatus.RUNNING)


def _computed_max(enrolment: Enrolment) -> datetime.date | None:
    months = enrolment.measure.max_duration_months
    if not enrolment.is_art60 or not months or not enrolment.start_date:
        return None
    return art60_max_end(enrolment.start_date, months)


def _apply_art60_rules(enrolment: Enrolment, *, given_max: datetime.date | None) -> None:
    """The maximum end date, and a planned end beyond it only with a reason.

    The maximum follows from the start and the measure's maximum duration (TWE:
    24 months). A shorter maximum may be given (the contract lasts no longer than
    needed to open the entitlement to benefits); a longer one may not.
    """
    if not enrolment.is_art60:
        for name in ART60_ONLY:
            field = Enrolment._meta.get_field(name)
            setattr(enrolment, name, None if field.null else "")
        return
    computed = _computed_max(enrolment)
    if given_max and computed and given_max > computed:
        raise ValidationError(
            {
                "max_end_date": _(
                    "The maximum end date cannot lie after %(date)s "
                    "(the start plus %(months)d months)."
                )
                % {"date": _short(computed), "months": enrolment.measure.max_duration_months}
            }
        )
    enrolment.max_end_date = given_max or computed
    end, limit = enrolment.planned_end_date, enrolment.max_end_date
    if end and limit and end > limit and not enrolment.over_max_reason.strip():
        raise ValidationError(
            {
                "over_max_reason": _(
                    "The planned end lies after the maximum end date (%(date)s). Shorten the "
                    "placement or give the reason for the exception."
                )
                % {"date": _short(limit)}
            },
            code="over_max",
        )


def _span(enrolment: Enrolment) -> tuple[datetime.date, datetime.date]:
    end = enrolment.actual_end_date or enrolment.planned_end_date or enrolment.max_end_date
    return enrolment.start_date, end or datetime.date.max


def _refuse_second_art60(enrolment: Enrolment) -> None:
    """At most one art. 60 placement at a time: never two running, and no planned
    one that overlaps another (a next contract after the current one is fine)."""
    if not enrolment.is_art60 or enrolment.status not in ACTIVE:
        return
    others = Enrolment.objects.filter(
        client_id=enrolment.client_id, is_art60=True, status__in=ACTIVE
    ).exclude(pk=enrolment.pk)
    start, end = _span(enrolment)
    for other in others.select_related("measure"):
        other_start, other_end = _span(other)
        both_running = (
            other.status == EnrolmentStatus.RUNNING and enrolment.status == EnrolmentStatus.RUNNING
        )
        if both_running or (start <= other_end and other_start <= end):
            raise ValidationError(
                _(
                    "This client already has an art. 60§7 placement (%(status)s, from "
                    "%(start)s): a second one cannot run at the same time."
                )
                % {"status": other.get_status_display().lower(), "start": _short(other.start_date)},
                code="second_art60",
            )


def _clean(enrolment: Enrolment, exclude: list[str] | None = None) -> None:
    """Field checks and ``clean()``. The table's constraints are those same rules
    (``clean()`` for the dates, ``_refuse_second_art60`` for the one running
    art. 60 placement, with a clearer message than the constraint's name); the
    database still enforces them on save."""
    enrolment.full_clean(exclude=exclude, validate_constraints=False)


def _lock_client(client: Client) -> None:
    """Serialise writes of one client's placements (the art. 60 rule spans rows)."""
    list(Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True))


def _save_enrolment(actor: User, enrolment: Enrolment) -> Enrolment:
    try:
        with transaction.atomic(), pghistory.context(user=actor.pk):
            enrolment.save()
    except IntegrityError:
        # Only the one-running-art. 60 constraint can be met after the checks above.
        raise ValidationError(
            _("This client already has a running art. 60§7 placement."), code="second_art60"
        )
    return enrolment


def _check_running_start(enrolment: Enrolment) -> None:
    if enrolment.status == EnrolmentStatus.RUNNING and enrolment.start_date > _today():
        raise ValidationError({"start_date": _("A running enrolment cannot start in the future.")})


@transaction.atomic
def enrolment_create(*, actor: User, client: Client, data: Mapping[str, Any]) -> Enrolment:
    """Enrol ``client`` in a measure (planned, or running if ``data["status"]`` says so)."""
    require_case_edit(actor, client)
    _lock_client(client)
    measure = data.get("measure")
    if not isinstance(measure, Measure):
        raise ValidationError({"measure": _("Choose a measure.")})
    if measure.ocmw_id != client.ocmw_id or not measure.active:
        raise ValidationError({"measure": _("Choose a measure of this OCMW's catalogue.")})
    status = data.get("status") or EnrolmentStatus.PLANNED
    if status not in ACTIVE:
        raise ValidationError({"status": _("A new enrolment is planned or running.")})
    values = _strip_texts(_pick(data, ENROLMENT_FIELDS), ENROLMENT_TEXTS)
    given_max = values.pop("max_end_date", None)
    enrolment = Enrolment(
        client=client,
        trajectory=_open_trajectory(client),
        measure=measure,
        is_art60=measure.is_art60,
        status=status,
        created_by=actor,
        **values,
    )
    _clean(enrolment, exclude=["max_end_date"])
    _check_running_start(enrolment)
    _apply_art60_rules(enrolment, given_max=given_max)
    _refuse_second_art60(enrolment)
    return _save_enrolment(actor, enrolment)


@transaction.atomic
def enrolment_update(*, actor: User, enrolment: Enrolment, data: Mapping[str, Any]) -> Enrolment:
    """Change the details of an enrolment; its status changes through start, complete, stop."""
    require_case_edit(actor, enrolment.client)
    _lock_client(enrolment.client)
    enrolment.refresh_from_db(from_queryset=Enrolment.objects.select_for_update())
    previous_max, previous_computed = enrolment.max_end_date, _computed_max(enrolment)
    values = _strip_texts(_pick(data, ENROLMENT_FIELDS), ENROLMENT_TEXTS)
    given_max = values.pop("max_end_date", previous_max)
    for name, value in values.items():
        setattr(enrolment, name, value)
    # A maximum that only followed from the old start follows the new start.
    if given_max == previous_computed:
        given_max = None
    _clean(enrolment, exclude=["max_end_date"])
    _check_running_start(enrolment)
    _apply_art60_rules(enrolment, given_max=given_max)
    _refuse_second_art60(enrolment)
    return _save_enrolment(actor, enrolment)


def _lock_enrolment(actor: User, enrolment: Enrolment) -> None:
    require_case_edit(actor, enrolment.client)
    _lock_client(enrolment.client)
    enrolment.refresh_from_db(from_queryset=Enrolment.objects.select_for_update())


def _step_day(on: datetime.date | None, field: str) -> datetime.date:
    day = on or _today()
    _not_in_future(day, field, _("This date cannot lie in the future."))
    return day


@transaction.atomic
def enrolment_start(
    *, actor: User, enrolment: Enrolment, on: datetime.date | None = None
) -> Enrolment:
    """The planned enrolment starts on ``on`` (today by default): that is its start."""
    _lock_enrolment(actor, enrolment)
    if enrolment.status != EnrolmentStatus.PLANNED:
        raise ValidationError(
            _("Only a planned enrolment can start; this one is %(status)s.")
            % {"status": enrolment.get_status_display().lower()},
            code="stale",
        )
    day = _step_day(on, "start_date")
    previous_computed = _computed_max(enrolment)
    given_max = None if enrolment.max_end_date == previous_computed else enrolment.max_end_date
    enrolment.start_date = day
    enrolment.status = EnrolmentStatus.RUNNING
    _clean(enrolment, exclude=["max_end_date"])
    _apply_art60_rules(enrolment, given_max=given_max)
    _refuse_second_art60(enrolment)
    return _save_enrolment(actor, enrolment)


@transaction.atomic
def enrolment_complete(
    *, actor: User, enrolment: Enrolment, on: datetime.date | None = None
) -> Enrolment:
    """The running enrolment ended as planned on ``on`` (today by default)."""
    _lock_enrolment(actor, enrolment)
    if enrolment.status != EnrolmentStatus.RUNNING:
        raise ValidationError(
            _("Only a running enrolment can be completed; this one is %(status)s.")
            % {"status": enrolment.get_status_display().lower()},
            code="stale",
        )
    enrolment.actual_end_date = _step_day(on, "actual_end_date")
    enrolment.status = EnrolmentStatus.COMPLETED
    _clean(enrolment)
    return _save_enrolment(actor, enrolment)


@transaction.atomic
def enrolment_stop(
    *, actor: User, enrolment: Enrolment, reason: str, on: datetime.date | None = None
) -> Enrolment:
    """Stop a planned or running enrolment early, with the reason."""
    _lock_enrolment(actor, enrolment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"stop_reason": _("Give the reason for stopping early.")})
    if enrolment.status not in ACTIVE:
        raise ValidationError(
            _("This enrolment already ended (%(status)s).")
            % {"status": enrolment.get_status_display().lower()},
            code="stale",
        )
    if enrolment.status == EnrolmentStatus.RUNNING:
        enrolment.actual_end_date = _step_day(on, "actual_end_date")
    # A planned enrolment that never started has no end date.
    enrolment.status = EnrolmentStatus.STOPPED
    enrolment.stop_reason = reason
    _clean(enrolment)
    return _save_enrolment(actor, enrolment)


VISIT_FIELDS = ("date", "situation", "problems", "agreements", "duration_minutes")


@transaction.atomic
def followup_visit_record(
    *, actor: User, enrolment: Enrolment, data: Mapping[str, Any]
) -> FollowUpVisit:
    """A work-floor visit during a placement, by ``data["staff"]`` (the actor by default)."""
    require_case_edit(actor, enrolment.client)
    staff = data.get("staff") or actor
    if (
        not isinstance(staff, User)
        or staff.ocmw_id != enrolment.client.ocmw_id
        or not staff.is_active
    ):
        raise ValidationError({"staff": _("Choose a staff member of this OCMW.")})
    if enrolment.status == EnrolmentStatus.PLANNED:
        raise ValidationError({"date": _("The placement has not started yet.")})
    values = _strip_texts(_pick(data, VISIT_FIELDS), ("situation", "problems", "agreements"))
    visit = FollowUpVisit(enrolment=enrolment, staff=staff, **values)
    visit.full_clean()
    if enrolment.actual_end_date and visit.date > enrolment.actual_end_date:
        raise ValidationError({"date": _("The placement had already ended on that day.")})
    with pghistory.context(user=actor.pk):
        visit.save()
    return visit


# --- referrals to partners -----------------------------------------------------------------------

REFERRAL_FIELDS = ("partner", "contact_person", "purpose", "handover_note", "sent_on")
REFERRAL_STEPS = {
    PartnerReferralStatus.SENT: (
        PartnerReferralStatus.ACCEPTED,
        PartnerReferralStatus.STARTED,
        PartnerReferralStatus.REFUSED,
    ),
    PartnerReferralStatus.ACCEPTED: (
        PartnerReferralStatus.STARTED,
        PartnerReferralStatus.ENDED,
        PartnerReferralStatus.REFUSED,
    ),
    PartnerReferralStatus.STARTED: (PartnerReferralStatus.ENDED,),
}


@transaction.atomic
def partner_referral_create(
    *, actor: User, client: Client, data: Mapping[str, Any]
) -> PartnerReferral:
    """Refer ``client`` to a partner, with the handover note that travels with it."""
    require_case_edit(actor, client)
    values = _strip_texts(_pick(data, REFERRAL_FIELDS), ("purpose", "handover_note"))
    if not values.get("sent_on"):
        values["sent_on"] = _today()
    referral = PartnerReferral(
        client=client, trajectory=_open_trajectory(client), created_by=actor, **values
    )
    referral.full_clean()
    _not_in_future(referral.sent_on, "sent_on", _("A referral cannot be sent in the future."))
    with pghistory.context(user=actor.pk):
        referral.save()
    return referral


@transaction.atomic
def partner_referral_advance(
    *,
    actor: User,
    referral: PartnerReferral,
    status: str,
    on: datetime.date | None = None,
    result: str = "",
) -> PartnerReferral:
    """Accepted, started, ended or refused, on ``on`` (today by default)."""
    require_case_edit(actor, referral.client)
    referral.refresh_from_db(from_queryset=PartnerReferral.objects.select_for_update())
    allowed = REFERRAL_STEPS.get(referral.status, ())
    if status not in allowed:
        raise ValidationError(
            {
                "status": _("A referral that is %(current)s cannot become %(new)s.")
                % {
                    "current": referral.get_status_display().lower(),
                    "new": dict(PartnerReferralStatus.choices).get(status, status).lower(),
                }
            }
        )
    day = _step_day(on, "on")
    result = (result or "").strip()
    ending = status in (PartnerReferralStatus.ENDED, PartnerReferralStatus.REFUSED)
    if ending and not result:
        raise ValidationError({"result": _("Describe the result.")})
    if status in (PartnerReferralStatus.ACCEPTED, PartnerReferralStatus.STARTED):
        referral.accepted_on = referral.accepted_on or day
    if status == PartnerReferralStatus.STARTED:
        referral.started_on = day
    if ending:
        referral.ended_on = day
        referral.result = result
    referral.status = status
    try:
        referral.full_clean()
    except ValidationError as exc:
        # The model names the date field; the caller gave one date: ``on``.
        raise ValidationError({"on": exc.messages})
    with pghistory.context(user=actor.pk):
        referral.save()
    return referral


# --- group sessions ------------------------------------------------------------------------------

SESSION_FIELDS = ("title", "measure", "date", "start_time", "duration_minutes", "place")


def _participants(actor: User, session: GroupSession, clients: Iterable[Any]) -> list[Client]:
    """The chosen clients, each one whose case the actor reads in the session's OCMW."""
    ids = []
    for client in clients:
        pk = getattr(client, "pk", client)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({"participants": _("Choose clients.")})
    found = {c.pk: c for c in case_clients(actor).filter(pk__in=ids, ocmw_id=session.ocmw_id)}
    if any(pk not in found for pk in ids):
        raise ValidationError(
            {"participants": _("Choose participants among the clients you follow.")}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


@transaction.atomic
def group_session_create(
    *, actor: User, data: Mapping[str, Any], participants: Iterable[Any] = ()
) -> GroupSession:
    """A job table, information session or workshop module of the actor's OCMW."""
    _require(actor.ocmw_id is not None and may_run_sessions(actor, actor.ocmw_id))
    values = _strip_texts(_pick(data, SESSION_FIELDS), ("title", "place"))
    facilitator = data.get("facilitator") or actor
    session = GroupSession(ocmw_id=actor.ocmw_id, facilitator=facilitator, **values)
    session.full_clean()
    if not facilitator.is_active:
        raise ValidationError({"facilitator": _("Choose a staff member of this OCMW.")})
    clients = _participants(actor, session, participants)
    with pghistory.context(user=actor.pk):
        session.save()
        for client in clients:
            Attendance.objects.create(session=session, client=client)
    return session


@transaction.atomic
def group_session_add_participants(
    *, actor: User, session: GroupSession, clients: Iterable[Any]
) -> list[Attendance]:
    """Add participants; those already taking part are left as they are."""
    _require(may_run_sessions(actor, session.ocmw_id))
    GroupSession.objects.select_for_update().filter(pk=session.pk).first()
    chosen = _participants(actor, session, clients)
    present = set(session.attendance.values_list("client_id", flat=True))
    added = []
    with pghistory.context(user=actor.pk):
        for client in chosen:
            if client.pk not in present:
                added.append(Attendance.objects.create(session=session, client=client))
    return added


def _attendance_summary(session: GroupSession, status: str) -> str:
    values = {"title": session.title, "place": session.place}
    texts = {
        AttendanceStatus.PRESENT: _("Group session “%(title)s”: present."),
        AttendanceStatus.EXCUSED: _("Group session “%(title)s”: excused."),
        AttendanceStatus.ABSENT: _("Group session “%(title)s”: absent without notice."),
    }
    text = texts[status] % values
    if session.place:
        text = f"{text} ({session.place})"
    return text


@transaction.atomic
def attendance_record(
    *, actor: User, session: GroupSession, statuses: Mapping[Any, str]
) -> list[Attendance]:
    """Present, excused or absent for participants (keyed by client or client id).

    Each marked participant gets one journal contact (type group, dated on the
    session, by the facilitator), written once and updated when the status
    changes: a present participant's contact lasts the session, so it counts as
    the facilitator's staff time; an excused or absent one is noted with the
    journal's minimum of one minute. A client who is not a participant is
    refused and nothing is saved.

    The session's time is shared by those present: every present participant's
    contact carries ``shared_with`` = the number of present participants (all of
    them are updated when one changes), so the staff time report counts a
    120-minute session with 8 present as 120 minutes, 15 per client. An excused
    or absent participant's contact keeps ``shared_with`` = 1 and is not staff
    time at all: ``spi.report`` tells the staff time report to leave it out.
    """
    _require(may_run_sessions(actor, session.ocmw_id))
    session.refresh_from_db(from_queryset=GroupSession.objects.select_for_update())
    rows = {
        row.client_id: row
        for row in Attendance.objects.select_for_update(of=("self",))
        .filter(session=session)
        .select_related("contact")
    }
    marked: dict[int, str] = {}
    for key, status in statuses.items():
        pk = getattr(key, "pk", key)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            pk = None
        if pk not in rows:
            raise ValidationError(
                {
                    "statuses": _(
                        "Attendance can only be recorded for the participants of this session."
                    )
                },
                code="not_a_participant",
            )
        if status not in (
            AttendanceStatus.PRESENT,
            AttendanceStatus.EXCUSED,
            AttendanceStatus.ABSENT,
        ):
            raise ValidationError({"statuses": _("Choose present, excused or absent.")})
        marked[pk] = status
    if not marked:
        raise ValidationError(
            {"statuses": _("Choose present, excused or absent for a participant.")}
        )
    if session.date > _today():
        raise ValidationError(
            {"statuses": _("Attendance can be recorded from the day of the session on.")}
        )
    readable = set(case_clients(actor).filter(pk__in=marked).values_list("pk", flat=True))
    if readable != set(marked):
        raise PermissionDenied
    trajectories = dict(
        Trajectory.objects.open().filter(client_id__in=marked).values_list("client_id", "pk")
    )
    final = {client_id: marked.get(client_id, row.status) for client_id, row in rows.items()}
    present = sum(1 for status in final.values() if status == AttendanceStatus.PRESENT)
    saved = []
    with pghistory.context(user=actor.pk):
        for client_id, status in marked.items():
            row = rows[client_id]
            contact = row.contact or Contact(client_id=client_id)
            contact.trajectory_id = contact.trajectory_id or trajectories.get(client_id)
            contact.date = session.date
            contact.type = ContactType.GROUP
            contact.staff_id = session.facilitator_id
            contact.duration_minutes = (
                session.duration_minutes
                if status == AttendanceStatus.PRESENT
                else ABSENT_CONTACT_MINUTES
            )
            contact.shared_with = present if status == AttendanceStatus.PRESENT else 1
            contact.summary = _attendance_summary(session, status)
            contact.confidential = False
            contact.full_clean()
            contact.save()
            row.status, row.contact = status, contact
            row.save(update_fields=["status", "contact"])
            saved.append(row)
        # Those present before this call now share the session with more or fewer people.
        stale = [
            row.contact_id
            for client_id, row in rows.items()
            if client_id not in marked
            and row.status == AttendanceStatus.PRESENT
            and row.contact is not None
            and row.contact.shared_with != present
        ]
        if stale:
            Contact.objects.filter(pk__in=stale).update(shared_with=present)
    return saved


# --- outcomes and aftercare ----------------------------------------------------------------------

OUTCOME_FIELDS = ("type", "start_date", "employer", "contract_type", "hours_per_week")
CHECKPOINT_FIELDS = ("contact_made", "still_employed", "same_employer", "problems", "support_given")


def _plan_checkpoints(outcome: Outcome, ocmw_id: int) -> list[Checkpoint]:
    months = settings_for(ocmw_id).checkpoint_months
    return Checkpoint.objects.bulk_create(
        [
            Checkpoint(outcome=outcome, months=m, due_date=months_later(outcome.start_date, m))
            for m in months
        ]
    )


@transaction.atomic
def outcome_record(*, actor: User, trajectory: Trajectory, data: Mapping[str, Any]) -> Outcome:
    """Where the client went. A start of work plans the aftercare checkpoints at
    +N months (``SpiSettings.aftercare_months``, by default 1, 3, 6 and 12) and
    opens the trajectory's gate to aftercare.

    A closed trajectory may still get its outcome (a client who left for a job
    and told the OCMW afterwards): it counts for the statistics.
    """
    client = trajectory.client
    require_case_edit(actor, client)
    values = _strip_texts(_pick(data, OUTCOME_FIELDS), ("employer",))
    if not values.get("contract_type"):
        values.pop("contract_type", None)
    outcome = Outcome(trajectory=trajectory, recorded_by=actor, **values)
    outcome.full_clean()
    latest = _today() + datetime.timedelta(days=OUTCOME_MAX_DAYS_AHEAD)
    if outcome.start_date > latest:
        raise ValidationError({"start_date": _("The start date is too far in the future.")})
    with pghistory.context(user=actor.pk):
        outcome.save()
        if outcome.is_work:
            _plan_checkpoints(outcome, client.ocmw_id)
    return outcome


@transaction.atomic
def checkpoint_record(
    *, actor: User, checkpoint: Checkpoint, data: Mapping[str, Any]
) -> Checkpoint:
    """Record (or correct) an aftercare checkpoint: contact made, still employed,
    with the same employer, problems and support given, on ``data["done_on"]``."""
    outcome = Outcome.objects.select_related("trajectory__client").get(pk=checkpoint.outcome_id)
    require_case_edit(actor, outcome.trajectory.client)
    checkpoint.refresh_from_db(from_queryset=Checkpoint.objects.select_for_update())
    done_on = data.get("done_on") or _today()
    _not_in_future(done_on, "done_on", _("A checkpoint that took place cannot lie in the future."))
    if not outcome.is_work or outcome.start_date > done_on:
        raise ValidationError(
            _(
                "Aftercare checkpoints follow a start of work, and this trajectory has no "
                "start of work on or before %(date)s."
            )
            % {"date": _short(done_on)},
            code="no_start_of_work",
        )
    values = _strip_texts(_pick(data, CHECKPOINT_FIELDS), ("problems", "support_given"))
    if values.get("contact_made") is None:
        raise ValidationError({"contact_made": _("Say whether there was contact.")})
    if values.get("still_employed") is False and values.get("same_employer"):
        raise ValidationError(
            {"same_employer": _("Someone who no longer works has no current employer.")}
        )
    for name, value in values.items():
        setattr(checkpoint, name, value)
    checkpoint.done_on = done_on
    checkpoint.done_by = actor
    checkpoint.full_clean()
    with pghistory.context(user=actor.pk):
        checkpoint.save()
    return checkpoint
