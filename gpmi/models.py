"""GPMI contracts (geïndividualiseerd project voor maatschappelijke integratie / PIIS).

Rules: law of 26 May 2002 art. 11, KB of 11 July 2002, reform of 1 Nov 2016
(see shared/DOMAIN.md, "The GPMI"). A ``Gpmi`` is the project of one client's
trajectory; each first version and amendment is a ``GpmiVersion`` with its own
lifecycle. Only one version is active at a time; a signed contract's PDF is
rendered once, stored with its SHA-256 and never rendered again.
"""

from __future__ import annotations

import datetime

import pghistory
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from ocmw.models import Client, User
from trajecten.models import Trajectory, case_clients

LEGAL_DEADLINE_MONTHS = 3  # KB 2016: concluded within 3 months of the leefloon decision
REFLECTION_DAYS = 5  # law art. 11: 5 calendar days before signing
SUBSIDY_MONTHS = 12  # primabook: special subsidy for at most one year from the month of signing


def legal_deadline_for(decision: datetime.date) -> datetime.date:
    """Decision + 3 calendar months, clipped to the month's end (30/11 → 28/02 or 29/02)."""
    return decision + relativedelta(months=LEGAL_DEADLINE_MONTHS)


def subsidy_period(
    signed_on: datetime.date | None,
) -> tuple[datetime.date | None, datetime.date | None]:
    """The special subsidy runs from the first day of the month of signing for 12
    months (primabook): signed 15/03/2026 → 01/03/2026–28/02/2027."""
    if signed_on is None:
        return None, None
    start = signed_on.replace(day=1)
    return start, start + relativedelta(months=SUBSIDY_MONTHS) - datetime.timedelta(days=1)


class GpmiType(models.IntegerChoices):
    """The form B codes used for the subsidy."""

    GENERAL = 11, _("General GPMI (11)")
    STUDIES_FULL_TIME = 9, _("Studies with a full-time curriculum (9)")
    STUDENT_WORKING = 10, _("Student with income from work (10)")
    EXEMPTION = 8, _("No GPMI for health or equity reasons (8)")
    # Annulled by the Constitutional Court (ruling 86/2018): historical values only.
    COMMUNITY_SERVICE_12 = 12, _("Community service (12, historical)")
    COMMUNITY_SERVICE_15 = 15, _("Community service (15, historical)")
    COMMUNITY_SERVICE_16 = 16, _("Community service (16, historical)")


CONTRACT_TYPES = [GpmiType.GENERAL, GpmiType.STUDIES_FULL_TIME, GpmiType.STUDENT_WORKING]
HISTORICAL_TYPES = [
    GpmiType.COMMUNITY_SERVICE_12,
    GpmiType.COMMUNITY_SERVICE_15,
    GpmiType.COMMUNITY_SERVICE_16,
]


class GpmiQuerySet(models.QuerySet):
    def visible_to(self, user) -> GpmiQuerySet:
        """The one scoping function: GPMIs of trajectories the user may read.

        A GPMI's client is always its trajectory's client (``Gpmi.clean``, and
        ``services.gpmi_create`` takes it from the trajectory), and a trajectory is
        visible exactly when its client is in ``case_clients(user)``
        (``Trajectory.objects.visible_to``). So the GPMI's own ``client_id`` is
        scoped directly: the same rows, without joining every trajectory of the
        user's clients (at 200,000 clients that join was most of the list's time).
        """
        return self.filter(client__in=case_clients(user).values("pk"))


class Gpmi(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="gpmis")
    trajectory = models.ForeignKey(Trajectory, on_delete=models.PROTECT, related_name="gpmis")
    type = models.PositiveSmallIntegerField(_("type"), choices=GpmiType.choices)
    leefloon_decision_date = models.DateField(_("leefloon decision date"))
    exemption_reason = models.TextField(_("reason for the exemption"), blank=True, max_length=5000)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Denormalised: a version of this GPMI is (or was) signed, running or ended
    # (``CONCLUDED_STATUSES``). Set by ``services.version_sign`` and never cleared:
    # no transition leads back from those statuses and versions are never deleted.
    # The "past the legal deadline" figure and reminder read it instead of
    # looking through every GPMI's versions.
    concluded = models.BooleanField(_("concluded"), default=False, editable=False)

    objects = GpmiQuerySet.as_manager()

    class Meta:
        verbose_name = _("GPMI")
        verbose_name_plural = _("GPMIs")
        ordering = ["-leefloon_decision_date", "-id"]
        indexes = [
            # The GPMIs still to conclude (the legal deadline rule): few next to all
            # GPMIs, read by trajectory with their decision date from the index alone.
            models.Index(
                fields=["trajectory", "leefloon_decision_date"],
                condition=Q(concluded=False) & ~Q(type=8),
                name="gpmi_to_conclude_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(type=8) | ~Q(exemption_reason=""),
                name="gpmi_exemption_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"GPMI {self.client} ({self.type})"

    @property
    def is_exemption(self) -> bool:
        return self.type == GpmiType.EXEMPTION

    @property
    def legal_deadline(self) -> datetime.date:
        return legal_deadline_for(self.leefloon_decision_date)

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.legal_deadline - (today or timezone.localdate())).days

    def clean(self) -> None:
        if self.type == GpmiType.EXEMPTION and not self.exemption_reason.strip():
            raise ValidationError({"exemption_reason": _("Record the reason for the exemption.")})
        # ``visible_to`` scopes on the GPMI's own client: it must be the trajectory's.
        if (
            self.client_id is not None
            and self.trajectory_id is not None
            and self.client_id != self.trajectory.client_id
        ):
            raise ValidationError({"client": _("This trajectory belongs to another client.")})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PRESENTED = "presented", _("Presented (reflection period)")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Running")
    ENDED = "ended", _("Ended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EndReason(models.TextChoices):
    END_OF_TERM = "end_of_term", _("End of term")
    LEEFLOON_ENDED = "leefloon_ended", _("Leefloon ended")
    REPLACED = "replaced", _("Replaced by a new version")
    MOVED = "moved", _("Moved to another municipality")
    OTHER = "other", _("Other")


# Statuses of a concluded contract: once a version is signed, the legal deadline is
# met (``Gpmi.concluded``).
CONCLUDED_STATUSES = [VersionStatus.SIGNED, VersionStatus.ACTIVE, VersionStatus.ENDED]


class ContractLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")


class GpmiVersionQuerySet(models.QuerySet):
    def visible_to(self, user) -> GpmiVersionQuerySet:
        """Versions of the GPMIs the user may read (scoped on the GPMI's client, as
        ``GpmiQuerySet.visible_to``)."""
        return self.filter(gpmi__client__in=case_clients(user).values("pk"))


def _reflection_over_or_waived(version: GpmiVersion) -> bool:
    ends = version.reflection_ends_on
    return version.reflection_waived or (ends is not None and ends <= timezone.localdate())


def _has_needs_analysis(version: GpmiVersion) -> bool:
    return version.gpmi.client.needs_analyses.exists()


def _is_signed_by_all(version: GpmiVersion) -> bool:
    return bool(
        version.client_signed_on
        and version.ocmw_signed_on
        and version.counsellor_signed_on
        and version.ocmw_signatory_name
        and version.ocmw_signatory_capacity
    )


class GpmiVersion(ConcurrentTransitionMixin, models.Model):
    """The contract text of one version, with its lifecycle.

    List fields (objectives, commitments ...) hold lists of short texts so each
    item prints as its own line in the contract.
    """

    gpmi = models.ForeignKey(Gpmi, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = FSMField(
        _("status"),
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        protected=True,
    )
    language = models.CharField(
        _("contract language"), max_length=2, choices=ContractLanguage.choices
    )
    objectives = models.JSONField(_("objectives"), default=list)
    commitments_client = models.JSONField(_("commitments of the client"), default=list)
    commitments_ocmw = models.JSONField(_("commitments of the OCMW"), default=list)
    # [{"party": str, "commitment": str}]
    commitments_third_parties = models.JSONField(
        _("commitments of third parties"), default=list, blank=True
    )
    activity_domains = models.JSONField(_("activity domains"), default=list)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    deadlines = models.TextField(_("deadlines"), blank=True, max_length=5000)
    evaluations_per_year = models.PositiveSmallIntegerField(
        _("evaluations per year (at least)"), default=3
    )
    evaluations_in_person = models.PositiveSmallIntegerField(
        _("of which in a personal meeting (at least)"), default=2
    )
    evaluation_arrangements = models.TextField(
        _("how evaluation happens"), blank=True, max_length=5000
    )
    extra_aid = models.TextField(_("extra aid or incentive premium"), blank=True, max_length=5000)
    covers_enrolment = models.BooleanField(_("enrolment fees"), default=True)
    covers_insurance = models.BooleanField(_("insurance"), default=True)
    covers_work_clothing = models.BooleanField(_("work clothing"), default=True)
    covers_travel = models.BooleanField(_("travel costs"), default=True)
    covers_other = models.TextField(_("other costs covered"), blank=True, max_length=2000)
    partners = models.JSONField(_("partners who join"), default=list, blank=True)
    assisting_person = models.CharField(
        _("person assisting the client"), max_length=200, blank=True
    )
    presented_on = models.DateField(_("presented on"), null=True, blank=True)
    reflection_waived = models.BooleanField(
        _("the client waived the reflection period"), default=False
    )
    reflection_waiver_note = models.TextField(
        _("how the waiver was given"), blank=True, max_length=2000
    )
    ocmw_signatory_name = models.CharField(_("signed for the OCMW by"), max_length=200, blank=True)
    ocmw_signatory_capacity = models.CharField(_("in the capacity of"), max_length=200, blank=True)
    counsellor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("counsellor"),
    )
    client_signed_on = models.DateField(_("signed by the client on"), null=True, blank=True)
    ocmw_signed_on = models.DateField(_("signed for the OCMW on"), null=True, blank=True)
    counsellor_signed_on = models.DateField(_("signed by the counsellor on"), null=True, blank=True)
    partners_signed_on = models.DateField(_("signed by the partners on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    # The signed contract, rendered once as PDF/A-3u.
    pdf = models.FileField(upload_to="gpmi/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GpmiVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("GPMI version")
        verbose_name_plural = _("GPMI versions")
        ordering = ["gpmi", "-number"]
        indexes = [
            # The GPMI statistics read every version of thousands of GPMIs from this
            # index alone (an index-only scan per GPMI, never the wide contract rows).
            models.Index(
                fields=["gpmi", "number"],
                include=[
                    "status",
                    "start_date",
                    "ended_on",
                    "end_reason",
                    "client_signed_on",
                    "ocmw_signed_on",
                    "counsellor_signed_on",
                    "evaluations_per_year",
                    "evaluations_in_person",
                ],
                name="gpmi_version_figures_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["gpmi", "number"], name="gpmi_version_number"),
            models.UniqueConstraint(
                fields=["gpmi"], condition=Q(status="active"), name="gpmi_one_active_version"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="gpmi_version_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gpmi} v{self.number}"

    @property
    def reflection_ends_on(self) -> datetime.date | None:
        if self.presented_on is None:
            return None
        return self.presented_on + datetime.timedelta(days=REFLECTION_DAYS)

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def signed_on(self) -> datetime.date | None:
        """The day the contract was concluded: the last of the required signatures
        (client, OCMW, counsellor). None while one of them is missing."""
        dates = (self.client_signed_on, self.ocmw_signed_on, self.counsellor_signed_on)
        return max(dates) if all(dates) else None

    @property
    def subsidy_starts(self) -> datetime.date | None:
        """The first day of the month this version was signed.

        The GPMI's subsidy runs from its *first* signed version; an amendment does
        not restart it. ``gpmi.selectors`` gives the GPMI's subsidy period."""
        return subsidy_period(self.signed_on)[0]

    @property
    def subsidy_ends(self) -> datetime.date | None:
        """The last day of the 12-month subsidy period that starts in the month of signing."""
        return subsidy_period(self.signed_on)[1]

    def clean_fields(self, exclude=None) -> None:
        super().clean_fields(exclude={*(exclude or ()), "status"})

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors["end_date"] = _("The end must come after the start.")
        if not self.objectives:
            errors["objectives"] = _("Write at least one objective.")
        if self.evaluations_in_person > self.evaluations_per_year:
            errors["evaluations_in_person"] = _(
                "The in-person evaluations are part of the yearly evaluations."
            )
        if self.evaluations_per_year < 3 or self.evaluations_in_person < 2:
            errors["evaluations_per_year"] = _(
                "The law asks for at least 3 evaluations a year, at least 2 of them in person."
            )
        for name in (
            "objectives",
            "commitments_client",
            "commitments_ocmw",
            "activity_domains",
            "partners",
        ):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = _("Give a list of texts.")
            elif len(value) > 100 or any(len(v) > 5000 for v in value):
                errors[name] = _("At most 100 items of at most 5,000 characters each.")
        third = self.commitments_third_parties
        if not isinstance(third, list) or not all(
            isinstance(v, dict)
            and {"party", "commitment"} <= set(v)
            and isinstance(v["party"], str)
            and isinstance(v["commitment"], str)
            and v["party"].strip()
            and v["commitment"].strip()
            for v in third
        ):
            errors["commitments_third_parties"] = _("Give a party and a commitment for each.")
        elif len(third) > 100 or any(
            len(v["party"]) > 200 or len(v["commitment"]) > 5000 for v in third
        ):
            errors["commitments_third_parties"] = _(
                "At most 100 items of at most 5,000 characters each."
            )
        if errors:
            raise ValidationError(errors)

    # --- lifecycle -----------------------------------------------------------

    @transition(
        field=status,
        source=VersionStatus.DRAFT,
        target=VersionStatus.PRESENTED,
        conditions=[_has_needs_analysis],
    )
    def present(self, on: datetime.date) -> None:
        """Explained and handed over to the client: the 5-day reflection period starts."""
        self.presented_on = on

    @transition(
        field=status,
        source=VersionStatus.PRESENTED,
        target=VersionStatus.SIGNED,
        conditions=[_reflection_over_or_waived, _is_signed_by_all],
    )
    def sign(self) -> None:
        """Every party signed; the contract text is frozen from now on."""

    @transition(field=status, source=VersionStatus.SIGNED, target=VersionStatus.ACTIVE)
    def activate(self) -> None:
        """Becomes the running contract (replacing the previous active version)."""

    @transition(field=status, source=VersionStatus.ACTIVE, target=VersionStatus.ENDED)
    def end(self, reason: str, on: datetime.date) -> None:
        self.end_reason = reason
        self.ended_on = on

    @transition(
        field=status,
        source=[VersionStatus.DRAFT, VersionStatus.PRESENTED],
        target=VersionStatus.WITHDRAWN,
    )
    def withdraw(self) -> None:
        """Dropped before signing."""


class VersionChange(models.Model):
    """Every lifecycle change of a version: who, when and why."""

    version = models.ForeignKey(GpmiVersion, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=VersionStatus.choices)
    to_status = models.CharField(max_length=10, choices=VersionStatus.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Signed form")
    ORAL = "oral", _("Orally, in an interview")
    EID = "eid", _("With the eID")


class Consent(models.Model):
    """Consent to include the GPMI in the electronic social report. Rows are
    never changed: the newest row is the client's current choice."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="esr_consents")
    given = models.BooleanField(_("consent given"))
    date = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=10, choices=ConsentMethod.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client}: {'yes' if self.given else 'no'} ({self.date:%d/%m/%Y})"


for _model in (Gpmi, GpmiVersion, Consent):
    pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())(
        _model
    )
