"""Activation measures (SPI/ISP): catalogue, partners, enrolments and placements
(art. 60§7 / TWE, art. 61, IBO ...), referrals to partners, group sessions,
outcomes and aftercare checkpoints. See shared/DOMAIN.md, "Activation measures"."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocmw.models import Client, Ocmw, User
from trajecten.models import Phase, Trajectory, case_clients

DEFAULT_CHECKPOINT_MONTHS = [1, 3, 6, 12]


class SpiSettings(models.Model):
    """Per-OCMW numbers the law leaves open (DOMAIN.md: *configurable*)."""

    ocmw = models.OneToOneField(Ocmw, on_delete=models.CASCADE, related_name="spi_settings")
    art60_warning_days = models.PositiveSmallIntegerField(
        _("warn this many days before an art. 60 placement ends"), default=60
    )
    aftercare_months = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(60)]),
        default=list,
        blank=True,
        verbose_name=_("aftercare checkpoints (months after the start of work)"),
        help_text=_("Left empty: 1, 3, 6 and 12 months."),
    )

    class Meta:
        verbose_name = _("SPI settings")
        verbose_name_plural = _("SPI settings")

    def __str__(self) -> str:
        return str(self.ocmw)

    @property
    def checkpoint_months(self) -> list[int]:
        return sorted(set(self.aftercare_months or DEFAULT_CHECKPOINT_MONTHS))

    @classmethod
    def for_ocmw(cls, ocmw_id: int) -> SpiSettings:
        """The OCMW's settings, or the defaults (unsaved) when it never changed them."""
        return cls.objects.filter(ocmw_id=ocmw_id).first() or cls(ocmw_id=ocmw_id)


class MeasureCategory(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment")
    TRAINING = "training", _("Training")
    LANGUAGE = "language", _("Language course")
    SOCIAL_ACTIVATION = "social_activation", _("Social activation")
    JOB_SEARCH = "job_search", _("Job search")
    WAGE_SUBSIDY = "wage_subsidy", _("Wage subsidy")
    STUDIES = "studies", _("Studies")


class Measure(models.Model):
    """An entry of the OCMW's catalogue of activation measures (edited in the admin)."""

    ocmw = models.ForeignKey(Ocmw, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=MeasureCategory.choices)
    phases = ArrayField(
        models.CharField(max_length=30, choices=Phase.choices),
        default=list,
        blank=True,
        verbose_name=_("usual phases"),
    )
    is_employment = models.BooleanField(_("is employment"), default=False)
    is_art60 = models.BooleanField(_("art. 60§7 / TWE placement"), default=False)
    max_duration_months = models.PositiveSmallIntegerField(
        _("default maximum duration (months)"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["ocmw", "code"], name="measure_code_per_ocmw")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerKind(models.TextChoices):
    EMPLOYMENT_SERVICE = "employment_service", _("Public employment service (VDAB, Actiris, Forem)")
    SOCIAL_ECONOMY = "social_economy", _("Social-economy enterprise")
    NON_PROFIT = "non_profit", _("Non-profit organisation")
    EMPLOYER = "employer", _("Employer")
    TRAINING_CENTRE = "training_centre", _("Training centre")
    INTERNAL = "internal", _("Internal OCMW service")


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user) -> PartnerQuerySet:
        """Partners of the user's OCMW (staff only)."""
        if not getattr(user, "is_authenticated", False) or user.ocmw_id is None:
            return self.none()
        return self.filter(ocmw_id=user.ocmw_id, merged_into__isnull=True)


class Partner(models.Model):
    ocmw = models.ForeignKey(Ocmw, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Set when an administrator merged this duplicate into another partner.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        target = self.merged_into
        if target is not None and (target.pk == self.pk or target.ocmw_id != self.ocmw_id):
            raise ValidationError({"merged_into": _("Merge into another partner of this OCMW.")})


class ContactPerson(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EnrolmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped early")


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> EnrolmentQuerySet:
        return self.filter(client__in=case_clients(user).values("pk"))


class Enrolment(models.Model):
    """A client in a measure, with a partner: a course, a workshop, a placement."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="enrolments")
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="enrolments")
    # Copied from the measure when the client is enrolled: the legal nature of a
    # placement does not change when the catalogue is edited later, and it lets
    # the database refuse a second running art. 60 placement.
    is_art60 = models.BooleanField(_("art. 60§7 / TWE placement"), default=False, editable=False)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("partner"),
    )
    start_date = models.DateField(_("start"))
    planned_end_date = models.DateField(_("planned end"), null=True, blank=True)
    actual_end_date = models.DateField(_("actual end"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.PLANNED
    )
    stop_reason = models.TextField(_("reason for stopping early"), blank=True, max_length=2000)
    costs_covered = models.TextField(_("costs the OCMW covers"), blank=True, max_length=2000)
    notes = models.TextField(_("counsellor's notes"), blank=True, max_length=10000)
    # --- art. 60§7 / TWE ---------------------------------------------------
    user_organisation = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("user organisation"),
    )
    job_title = models.CharField(_("job"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    max_end_date = models.DateField(_("maximum end date"), null=True, blank=True)
    over_max_reason = models.TextField(
        _("reason for exceeding the maximum duration"), blank=True, max_length=2000
    )
    next_step = models.TextField(_("next step planned"), blank=True, max_length=2000)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True)
                | Q(planned_end_date__gte=models.F("start_date")),
                name="enrolment_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_end_date__isnull=True)
                | Q(actual_end_date__gte=models.F("start_date")),
                name="enrolment_actual_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="running", is_art60=True),
                name="enrolment_one_running_art60_per_client",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status"], name="enrolment_client_status_idx"),
            models.Index(
                fields=["planned_end_date"],
                condition=Q(status="running"),
                name="enrolment_running_end_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.client}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.planned_end_date and self.start_date and self.planned_end_date < self.start_date:
            errors["planned_end_date"] = _("The end cannot come before the start.")
        if self.actual_end_date and self.start_date and self.actual_end_date < self.start_date:
            errors["actual_end_date"] = _("The end cannot come before the start.")
        if self.status == EnrolmentStatus.STOPPED and not self.stop_reason.strip():
            errors["stop_reason"] = _("Give the reason for stopping early.")
        for field in ("partner", "user_organisation"):
            partner = getattr(self, field)
            if partner is not None and self.client_id and partner.ocmw_id != self.client.ocmw_id:
                errors[field] = _("Choose a partner of this OCMW.")
            elif partner is not None and partner.merged_into_id:
                errors[field] = _("This partner was merged into %(partner)s; choose that one.") % {
                    "partner": partner.merged_into
                }
        if self.measure_id and self.client_id and self.measure.ocmw_id != self.client.ocmw_id:
            errors["measure"] = _("Choose a measure of this OCMW's catalogue.")
        if errors:
            raise ValidationError(errors)


class FollowUpVisit(models.Model):
    """A work-floor follow-up visit during a placement."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("date"))
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    situation = models.TextField(_("situation"), max_length=5000)
    problems = models.TextField(_("problems"), blank=True, max_length=5000)
    agreements = models.TextField(_("agreements"), blank=True, max_length=5000)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.date:%d/%m/%Y}"

    def clean(self) -> None:
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("A visit that took place cannot be dated in the future.")
        elif self.date and self.enrolment_id and self.date < self.enrolment.start_date:
            errors["date"] = _("A work-floor visit cannot come before the start of the placement.")
        if errors:
            raise ValidationError(errors)


class PartnerReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    STARTED = "started", _("Started")
    ENDED = "ended", _("Ended")
    REFUSED = "refused", _("Refused")


class PartnerReferral(models.Model):
    """A referral to a partner (VDAB registration, a training centre ...) with a warm handover."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="partner_referrals")
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    contact_person = models.ForeignKey(
        ContactPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    handover_note = models.TextField(_("handover note"), blank=True, max_length=10000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PartnerReferralStatus.choices,
        default=PartnerReferralStatus.SENT,
    )
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True, max_length=5000)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.client} → {self.partner}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.partner_id and self.client_id:
            if self.partner.ocmw_id != self.client.ocmw_id:
                errors["partner"] = _("Choose a partner of this OCMW.")
            elif self.partner.merged_into_id:
                errors["partner"] = _(
                    "This partner was merged into %(partner)s; choose that one."
                ) % {"partner": self.partner.merged_into}
        if self.contact_person_id and self.contact_person.partner_id != self.partner_id:
            errors["contact_person"] = _("Choose a contact person of this partner.")
        previous = self.sent_on
        for name in ("accepted_on", "started_on", "ended_on"):
            day = getattr(self, name)
            if day is None:
                continue
            if previous and day < previous:
                errors[name] = _("This date cannot come before the previous step.")
            previous = day
        if errors:
            raise ValidationError(errors)


class GroupSession(models.Model):
    """A job table, information session or workshop module with its participants."""

    ocmw = models.ForeignKey(Ocmw, on_delete=models.CASCADE, related_name="group_sessions")
    title = models.CharField(_("title"), max_length=200)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measure"),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="facilitated_sessions",
        verbose_name=_("facilitator"),
    )
    participants = models.ManyToManyField(
        Client, through="Attendance", related_name="group_sessions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title} {self.date:%d/%m/%Y}"

    def clean(self) -> None:
        errors = {}
        if self.facilitator_id and self.ocmw_id and self.facilitator.ocmw_id != self.ocmw_id:
            errors["facilitator"] = _("Choose a staff member of this OCMW.")
        if self.measure_id and self.ocmw_id and self.measure.ocmw_id != self.ocmw_id:
            errors["measure"] = _("Choose a measure of this OCMW's catalogue.")
        if errors:
            raise ValidationError(errors)


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(
        _("attendance"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.EXPECTED,
    )
    # The journal entry written for this attendance (so it is written once).
    contact = models.OneToOneField(
        "trajecten.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "client"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.client} @ {self.session}: {self.status}"


class OutcomeType(models.TextChoices):
    REGULAR_JOB = "regular_job", _("Regular job")
    SOCIAL_ECONOMY = "social_economy", _("Social-economy job")
    TEMP_WORK = "temp_work", _("Temporary agency work")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    TRAINING = "training", _("Training")
    STUDIES = "studies", _("Studies")
    PARTICIPATION = "participation", _("Volunteering, arbeidszorg or participation")


WORK_OUTCOMES = {
    OutcomeType.REGULAR_JOB,
    OutcomeType.SOCIAL_ECONOMY,
    OutcomeType.TEMP_WORK,
    OutcomeType.SELF_EMPLOYED,
}


class ContractType(models.TextChoices):
    FIXED_TERM = "fixed_term", _("Fixed-term")
    OPEN_ENDED = "open_ended", _("Open-ended")
    NONE = "none", _("Not applicable")


class Outcome(models.Model):
    """Where the client went: a start of work or another destination."""

    # ``trajectory.outcomes`` is what the aftercare gate of the trajectory reads.
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="outcomes")
    type = models.CharField(_("outcome"), max_length=20, choices=OutcomeType.choices)
    start_date = models.DateField(_("start date"))
    employer = models.CharField(_("employer or organisation"), max_length=200, blank=True)
    contract_type = models.CharField(
        _("contract"), max_length=12, choices=ContractType.choices, default=ContractType.NONE
    )
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.start_date:%d/%m/%Y}"

    @property
    def is_work(self) -> bool:
        return self.type in WORK_OUTCOMES


class Checkpoint(models.Model):
    """An aftercare checkpoint at +N months after a start of work."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="checkpoints")
    months = models.PositiveSmallIntegerField(_("months after the start"))
    due_date = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    contact_made = models.BooleanField(_("contact made"), null=True, blank=True)
    still_employed = models.BooleanField(_("still employed"), null=True, blank=True)
    same_employer = models.BooleanField(_("with the same employer"), null=True, blank=True)
    problems = models.TextField(_("problems"), blank=True, max_length=5000)
    support_given = models.TextField(_("support given"), blank=True, max_length=5000)
    done_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "months"], name="checkpoint_once_per_month")
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(done_on__isnull=True),
                name="checkpoint_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.months}m {self.outcome}"


for _model in (
    Partner,
    Enrolment,
    FollowUpVisit,
    PartnerReferral,
    GroupSession,
    Attendance,
    Outcome,
    Checkpoint,
):
    pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())(
        _model
    )
