"""The seven-phase trajectory, referral, needs analysis, plan, journal and evaluations."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from ocmw import registries
from ocmw.models import Client, Team, User, case_staff, handled_client_ids, reads_case_of


class Phase(models.TextChoices):
    PRECONDITIONS = "preconditions", _("Preconditions")
    SCREENING = "screening", _("Counselling and screening")
    SOCIAL_ACTIVATION = "social_activation", _("Social activation")
    WORK_EXPERIENCE = "work_experience", _("Work experience and training")
    PROFESSIONAL_ACTIVATION = "professional_activation", _("Professional activation")
    JOB_PLACEMENT = "job_placement", _("Job placement")
    AFTERCARE = "aftercare", _("Aftercare")
    CLOSED = "closed", _("Closed")


# The seven phases in order; `closed` is not a phase of the path.
PHASES: list[str] = [p for p in Phase.values if p != Phase.CLOSED]
OPEN_PHASES = PHASES


def phase_number(phase: str) -> int | None:
    """1..7 for a phase, None for closed."""
    return PHASES.index(phase) + 1 if phase in PHASES else None


class ClosingReason(models.TextChoices):
    SUSTAINABLE_WORK = "sustainable_work", _("Sustainable work")
    TRAINING = "training", _("Training or studies")
    SOCIAL_ECONOMY = "social_economy", _("Social-economy job")
    MOVED = "moved", _("Moved to another municipality")
    LEEFLOON_ENDED = "leefloon_ended", _("Leefloon ended")
    UNREACHABLE = "unreachable", _("Unreachable")
    MEDICAL = "medical", _("Medical reasons")
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


# --- gates -----------------------------------------------------------------
# Each gate is a plain function of (trajectory, target) returning an error
# message or None. The FSM transitions use them as conditions (so a gate can
# never be bypassed) and the services use them to say *why* a move is refused.


def gate_needs_analysis(trajectory: Trajectory, target: str) -> str | None:
    leaving_early = trajectory.phase in (Phase.PRECONDITIONS, Phase.SCREENING)
    if not leaving_early or target not in PHASES:
        return None
    if (phase_number(target) or 0) <= (phase_number(trajectory.phase) or 0):
        return None
    if trajectory.client.needs_analyses.exists():
        return None
    return str(_("Record a needs analysis (sociale balans) before leaving this phase."))


def gate_outcome(trajectory: Trajectory, target: str) -> str | None:
    # ``outcomes`` is the reverse accessor of ``spi.Outcome.trajectory``: the
    # gate reads it without importing the SPI app.
    if target != Phase.AFTERCARE:
        return None
    if trajectory.outcomes.exists():
        return None
    return str(_("Record the start of work or another outcome before moving to aftercare."))


GATES = [gate_needs_analysis, gate_outcome]


def gate_errors(trajectory: Trajectory, target: str) -> list[str]:
    return [msg for gate in GATES if (msg := gate(trajectory, target))]


def _next_phase_gates_pass(instance: Trajectory) -> bool:
    return not gate_errors(instance, PHASES[PHASES.index(instance.phase) + 1])


def _requested_gates_pass(instance: Trajectory) -> bool:
    target = instance.requested_target
    return target in PHASES and not gate_errors(instance, target)


def _has_closing_reason(instance: Trajectory) -> bool:
    return bool(instance.closing_reason) and (
        instance.closing_reason != ClosingReason.OTHER or bool(instance.closing_note.strip())
    )


def may_transition(instance: Trajectory, user: User) -> bool:
    """Only the assigned counsellor or a team lead of the trajectory's team."""
    if user is None or not user.is_authenticated or user.ocmw_id != instance.client.ocmw_id:
        return False
    if instance.counsellor_id == user.pk:
        return True
    return user.is_team_lead and user.teams.filter(pk=instance.team_id).exists()


def case_clients(user) -> models.QuerySet:
    """Clients whose case content ``user`` reads (not the intake desk's identity view).

    The same rows as ``visible_to(user).filter(access_case=True)``, asked as the
    set of handled clients so that it stays index-friendly as a subquery.

    A page asks for this scope a dozen times (the client file: every panel of
    every app), and building it is most of the ORM's work for each of those
    queries, so it is built once per user object (a request's ``request.user``)
    and handed out as a copy. The cache is keyed on what shapes the SQL (the
    user, OCMW and roles); team membership is read by the SQL itself when it runs.
    """
    if not getattr(user, "is_authenticated", False) or user.ocmw_id is None:
        return Client.objects.visible_to(user, case_content=True)
    key = (user.pk, user.ocmw_id, tuple(user.roles or ()))
    cached = getattr(user, "_case_clients_cache", None)
    if cached is None or cached[0] != key:
        cached = (key, Client.objects.visible_to(user, case_content=True))
        user._case_clients_cache = cached
    return cached[1].all()


def handled_by_counsellor(staff) -> models.QuerySet:
    """A client is handled by the counsellor of their open trajectory (served by
    the partial index ``trajectory_open_handler_idx``); registered as one of the
    ``client_handlers``."""
    return Trajectory.objects.open().filter(counsellor__in=staff)


class TrajectoryQuerySet(models.QuerySet):
    def visible_to(
        self, user, *, open_only: bool = False, client_joined: bool = True
    ) -> TrajectoryQuerySet:
        """The one scoping function for trajectories: those of clients whose case
        content the user may read (never the intake desk's identity-only view).

        ``open_only``: only the open trajectories, with the same rule tested per
        row, for the long lists of a team (the team case list and its export,
        caseloads). A client has at most one open trajectory, so its client is
        handled by the staff the user reads (``case_staff``, all of the user's
        OCMW) exactly when its counsellor is one of them (a counsellor only has
        trajectories of their own OCMW), or the client's responsible social worker
        is, or another app's rule says so. The per-row test lets PostgreSQL walk a
        list in its sort order and stop after a page, where the set of visible
        clients would have to be built whole first (for a head of service, every
        client of the city). ``client_joined=False`` asks for the responsible
        worker through a subquery instead of the client row: the same rows, the
        cheaper form for a count, which needs no client column.
        """
        if not open_only:
            return self.filter(client__in=case_clients(user).values("pk"))
        if not getattr(user, "is_authenticated", False) or user.ocmw_id is None:
            return self.none()
        staff = case_staff(user)
        clients = Client.objects.filter(ocmw_id=user.ocmw_id)
        if client_joined:
            rule = Q(counsellor_id__in=staff) | Q(
                client__responsible_social_worker_id__in=staff, client__ocmw_id=user.ocmw_id
            )
        else:
            rule = Q(counsellor_id__in=staff) | Q(
                client__in=clients.filter(responsible_social_worker_id__in=staff).values("pk")
            )
        others = [r for r in registries.client_handlers if r is not handled_by_counsellor]
        if others:
            handled = handled_client_ids(staff, rules=others, responsible=False)
            rule |= Q(client__in=clients.filter(pk__in=handled).values("pk"))
        return self.open().filter(rule)

    def of_client(self, user, client) -> TrajectoryQuerySet:
        """``visible_to(user).filter(client=client)``; by the client's id alone when
        ``client`` was scoped for ``user`` with case access (all of it is visible)."""
        if reads_case_of(user, client):
            return self.filter(client=client)
        return self.visible_to(user).filter(client=client)

    def open(self) -> TrajectoryQuerySet:
        return self.exclude(phase=Phase.CLOSED)


class Trajectory(ConcurrentTransitionMixin, models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="trajectories")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="trajectories")
    counsellor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("counsellor"),
    )
    phase = FSMField(
        _("phase"),
        max_length=30,
        choices=Phase.choices,
        default=Phase.PRECONDITIONS,
        protected=True,
    )
    phase_since = models.DateTimeField(_("in this phase since"), default=timezone.now)
    # Compare-and-set token: a form or API call names the version it saw.
    version = models.PositiveIntegerField(default=1)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=30, choices=ClosingReason.choices, blank=True
    )
    closing_note = models.TextField(_("closing note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=~Q(phase="closed"),
                name="trajectory_one_open_per_client",
            )
        ]
        indexes = [
            models.Index(
                fields=["counsellor", "phase"],
                condition=~Q(phase="closed"),
                name="trajectory_open_caseload_idx",
            ),
            models.Index(
                fields=["team", "phase"],
                condition=~Q(phase="closed"),
                name="trajectory_open_team_idx",
            ),
            # The scope: the clients a counsellor handles (``handled_by_counsellor``),
            # an index-only scan per counsellor of the user's teams. Covering (id,
            # phase, opened on) for the team overview's figures, which read the
            # members' open trajectories from it alone.
            models.Index(
                fields=["counsellor", "client"],
                include=["id", "phase", "opened_on"],
                condition=~Q(phase="closed"),
                name="trajectory_open_handler_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.get_phase_display()}"

    # The target of the transition being attempted (set by the service); the
    # gates of skip_forward read it, and skip_forward refuses any other target.
    requested_target: str = ""

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED

    def clean_fields(self, exclude=None) -> None:
        # The protected FSM field refuses the setattr that field cleaning does;
        # only transitions change it, so checking its value is enough.
        super().clean_fields(exclude={*(exclude or ()), "phase"})
        if self.phase not in Phase.values:
            raise ValidationError({"phase": _("Unknown phase.")})

    @property
    def phase_number(self) -> int | None:
        return phase_number(self.phase)

    @property
    def days_in_phase(self) -> int:
        return (timezone.now() - self.phase_since).days

    # --- transitions ---------------------------------------------------------

    @transition(
        field=phase,
        source=PHASES[:-1],
        target=RETURN_VALUE(*PHASES[1:]),
        conditions=[_next_phase_gates_pass],
        permission=may_transition,
    )
    def advance(self) -> str:
        """To the next phase."""
        return PHASES[PHASES.index(self.phase) + 1]

    @transition(
        field=phase,
        source=PHASES[:-2],
        target=RETURN_VALUE(*PHASES[2:]),
        conditions=[_requested_gates_pass],
        permission=may_transition,
    )
    def skip_forward(self, target: str) -> str:
        """Forward past one or more phases (a reason is required)."""
        if (
            target != self.requested_target
            or target not in PHASES
            or PHASES.index(target) <= PHASES.index(self.phase) + 1
        ):
            raise ValueError(target)
        return target

    @transition(
        field=phase,
        source=PHASES[1:],
        target=RETURN_VALUE(*PHASES[:-1]),
        permission=may_transition,
    )
    def go_back(self, target: str) -> str:
        """Back to any earlier phase (a reason is required)."""
        if target not in PHASES or PHASES.index(target) >= PHASES.index(self.phase):
            raise ValueError(target)
        return target

    @transition(
        field=phase,
        source=PHASES,
        target=Phase.CLOSED,
        conditions=[_has_closing_reason],
        permission=may_transition,
    )
    def close(self) -> None:
        """Close from any phase with a structured reason."""
        self.closed_on = timezone.localdate()

    @transition(
        field=phase,
        source=Phase.CLOSED,
        target=RETURN_VALUE(*PHASES),
        permission=may_transition,
    )
    def reopen(self, target: str) -> str:
        """Reopen a closed trajectory in a chosen phase (a reason is required)."""
        if target not in PHASES:
            raise ValueError(target)
        self.closed_on = None
        self.closing_reason = ""
        self.closing_note = ""
        return target


class TransitionKind(models.TextChoices):
    OPENED = "opened", _("opened")
    ADVANCE = "advance", _("next phase")
    SKIP = "skip", _("skipped ahead")
    BACK = "back", _("back to an earlier phase")
    CLOSE = "close", _("closed")
    REOPEN = "reopen", _("reopened")
    REASSIGN = "reassign", _("counsellor changed")


class PhaseChange(models.Model):
    """Every move of a trajectory: from, to, who, when and why."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="changes")
    # The trajectory's team, copied so that the team lead's analytics read a team's
    # changes from an index alone, without a join per trajectory. Set by the services
    # when the change is made and kept equal to ``trajectory.team`` (the one place a
    # trajectory changes team, a referral accepted for a phase-1 trajectory, moves
    # all its changes along).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=TransitionKind.choices)
    from_phase = models.CharField(max_length=30, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=30, choices=Phase.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # When the trajectory left the phase this change entered: the ``at`` of its next
    # change that is not a change of counsellor (ordered by at, id). Empty while the
    # stay goes on, and always for a change of counsellor. Kept by the services.
    left_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["trajectory", "at"], name="phasechange_traj_idx"),
            # The analytics (trajecten.analytics), each a range scan of the team's
            # changes in one index alone. Time in phase: the stays that ended from a
            # day on (a change of counsellor and a closing begin no stay).
            models.Index(
                fields=["team", "left_at"],
                include=["at", "to_phase"],
                condition=~models.Q(kind="reassign") & ~models.Q(to_phase="closed"),
                name="phasechange_team_stay_idx",
            ),
            # The moves between phases dated in a period.
            models.Index(
                fields=["team", "at"],
                include=["kind", "from_phase", "to_phase"],
                condition=models.Q(kind__in=["advance", "skip", "back", "close", "reopen"]),
                name="phasechange_team_move_idx",
            ),
            # Endings: the closing move of a closed trajectory (the last one, its stay
            # not ended), per trajectory.
            models.Index(
                fields=["trajectory"],
                include=["from_phase"],
                condition=models.Q(kind="close", left_at__isnull=True),
                name="phasechange_last_close_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_phase} → {self.to_phase}"


# --- referral from the general social service ------------------------------


class ReadinessItem(models.TextChoices):
    HOUSING = "housing", _("Housing")
    CHILDCARE = "childcare", _("Childcare")
    HEALTH = "health", _("Health")
    ADDICTION = "addiction", _("Addiction")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    MOBILITY = "mobility", _("Mobility")
    DEBTS = "debts", _("Debts")
    LANGUAGE = "language", _("Language")
    ADMINISTRATION = "administration", _("Administration")


class Readiness(models.TextChoices):
    OK = "ok", _("OK")
    ATTENTION = "attention", _("Needs attention")
    BLOCKING = "blocking", _("Blocking")


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReferralQuerySet:
        """Referrals of clients whose case the user reads, plus those addressed
        to a team the user counsels in or leads."""
        if not getattr(user, "is_authenticated", False) or user.ocmw_id is None:
            return self.none()
        # EXISTS on the referral's own client (not ``client__in``): inside the OR
        # PostgreSQL runs it per row with the client id pushed into the scope's
        # index scans, so one file's referrals cost a few lookups instead of
        # building the user's whole set of clients. No join on team members, so
        # no DISTINCT either.
        readable = Q(Exists(case_clients(user).filter(pk=OuterRef("client_id"))))
        if user.is_counsellor or user.is_team_lead:
            my_teams = User.teams.through.objects.filter(user_id=user.pk).values("team_id")
            readable |= Q(team_id__in=my_teams)
        return self.filter(readable, client__ocmw_id=user.ocmw_id)

    def of_client(self, user, client) -> ReferralQuerySet:
        """``visible_to(user).filter(client=client)``; every referral of a file whose
        case the user reads is visible, so such a file needs no scope."""
        if reads_case_of(user, client):
            return self.filter(client=client)
        return self.visible_to(user).filter(client=client)


class Referral(models.Model):
    """The general social service proposes a client to the SPI service."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("SPI team")
    )
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    # {item: {"status": ok|attention|blocking, "note": str}} for each ReadinessItem.
    checklist = models.JSONField(_("readiness checklist"), default=dict)
    motivation = models.TextField(_("motivation"), blank=True, max_length=5000)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True, max_length=2000)
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="proposed"),
                name="referral_one_pending_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.team}"

    def clean(self) -> None:
        errors = {}
        checklist = self.checklist or {}
        missing = [item for item in ReadinessItem.values if item not in checklist]
        bad = [
            item
            for item, value in checklist.items()
            if item not in ReadinessItem.values
            or not isinstance(value, dict)
            or value.get("status") not in Readiness.values
            or len(str(value.get("note", ""))) > 1000
        ]
        if missing or bad:
            errors["checklist"] = _(
                "Give a status (OK, needs attention or blocking) for every item."
            )
        if self.team_id and self.team.service != "spi":
            errors["team"] = _("Refer to a team of the SPI service.")
        if self.team_id and self.client_id and self.team.ocmw_id != self.client.ocmw_id:
            errors["team"] = _("Refer to a team of this OCMW.")
        if errors:
            raise ValidationError(errors)

    def checklist_rows(self) -> list[tuple[str, str, str, str]]:
        labels = dict(ReadinessItem.choices)
        status_labels = dict(Readiness.choices)
        rows = []
        for item in ReadinessItem.values:
            entry = (self.checklist or {}).get(item, {})
            status = entry.get("status", "")
            rows.append(
                (labels[item], status, status_labels.get(status, ""), entry.get("note", ""))
            )
        return rows


# --- needs analysis (sociale balans) --------------------------------------


class Domain(models.TextChoices):
    MATERIAL = "material", _("Material (income, debts, housing)")
    PSYCHOLOGICAL = "psychological", _("Psychological (addiction, depression)")
    MEDICAL = "medical", _("Medical (health, disabilities)")
    SOCIAL = "social", _("Social (family, isolation, discrimination)")
    CULTURAL = "cultural", _("Cultural (integration, emancipation)")
    WORK = "work", _("Work")


W2_DOMAINS = [d for d in Domain.values if d != Domain.WORK]


class DrivingLicence(models.TextChoices):
    NONE = "none", _("None")
    LEARNER = "learner", _("Provisional licence")
    B = "B", _("B (car)")
    OTHER = "other", _("Other categories")


class NeedsAnalysis(models.Model):
    """One version of the needs analysis; a new version never overwrites an older one."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="needs_analyses")
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField()
    date = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # {domain: {"situation": str, "needs": str, "support_needed": bool}} for the five W² domains.
    domains = models.JSONField(default=dict, blank=True)
    education = models.TextField(_("education and diplomas"), blank=True, max_length=5000)
    work_experience = models.TextField(_("work experience"), blank=True, max_length=5000)
    # [{"language": str, "level": str}]
    languages = models.JSONField(_("languages with level"), default=list, blank=True)
    driving_licence = models.CharField(
        _("driving licence"), max_length=10, choices=DrivingLicence.choices, default="none"
    )
    competences = models.TextField(_("competences"), blank=True, max_length=5000)
    likes = models.TextField(_("I like"), blank=True, max_length=5000)
    dislikes = models.TextField(_("I don't like"), blank=True, max_length=5000)
    own_project = models.TextField(
        _("the client's own project, in their words"), blank=True, max_length=5000
    )
    expectations = models.TextField(_("expectations"), blank=True, max_length=5000)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="needs_analysis_version")
        ]

    def __str__(self) -> str:
        return f"{self.client} v{self.version}"

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The date cannot be in the future.")})

    def domain_rows(self) -> list[tuple[str, str, str, bool]]:
        labels = dict(Domain.choices)
        return [
            (
                labels[d],
                (self.domains or {}).get(d, {}).get("situation", ""),
                (self.domains or {}).get(d, {}).get("needs", ""),
                bool((self.domains or {}).get(d, {}).get("support_needed")),
            )
            for d in W2_DOMAINS
        ]


# --- plan --------------------------------------------------------------------


class Horizon(models.TextChoices):
    SHORT = "short", _("Short term")
    MEDIUM = "medium", _("Medium term")
    LONG = "long", _("Long term")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    REVISED = "revised", _("Revised")


class Goal(models.Model):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    set_on = models.DateField(_("set on"), default=timezone.localdate)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "set_on", "id"]

    def __str__(self) -> str:
        return self.title


class ActionOwner(models.TextChoices):
    CLIENT = "client", _("Client")
    OCMW = "ocmw", _("OCMW")
    PARTNER = "partner", _("Partner")


class Action(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("who"), max_length=10, choices=ActionOwner.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "due_date", "id"]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if self.due_date and self.goal_id and self.due_date < self.goal.set_on:
            raise ValidationError(
                {"due_date": _("An action cannot be due before its goal was set.")}
            )


# --- journal -------------------------------------------------------------------


class ContactType(models.TextChoices):
    INTERVIEW = "interview", _("Individual interview")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    GROUP = "group", _("Group activity")
    EMAIL = "email", _("E-mail")
    PARTNER_MEETING = "partner_meeting", _("Meeting with a partner")
    CONSULTATION = "consultation", _("Client consultation with the social worker")
    # Written by a reassignment: a note between staff, not a contact with the client,
    # so it neither resets the no-contact clock nor counts as staff time.
    HANDOVER = "handover", _("Handover between counsellors")


# Types a staff member records by hand (the others are written by the system).
RECORDABLE_CONTACT_TYPES = [
    (value, label) for value, label in ContactType.choices if value != ContactType.HANDOVER
]


IN_PERSON_CONTACTS = {ContactType.INTERVIEW, ContactType.HOME_VISIT, ContactType.GROUP}


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        """Contacts of clients whose case the user reads. ``can_read_summary`` is
        False for a confidential note unless the user wrote it or leads a team
        of its author; such notes show only that they exist, by whom and when."""
        return self.filter(client__in=case_clients(user).values("pk")).with_summary_access(user)

    def of_client(self, user, client) -> ContactQuerySet:
        """``visible_to(user).filter(client=client)``; by the client's id alone when
        ``client`` was scoped for ``user`` with case access (all of it is visible)."""
        if reads_case_of(user, client):
            return self.filter(client=client).with_summary_access(user)
        return self.visible_to(user).filter(client=client)

    def with_summary_access(self, user) -> ContactQuerySet:
        """Annotates ``can_read_summary`` (see ``visible_to``)."""
        if getattr(user, "is_team_lead", False):
            leads_author = Exists(User.objects.filter(pk=OuterRef("staff_id"), teams__members=user))
        else:
            leads_author = Value(False)
        return self.annotate(
            can_read_summary=Case(
                When(confidential=False, then=Value(True)),
                When(staff_id=user.pk, then=Value(True)),
                When(leads_author, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )


class Contact(models.Model):
    """A journal entry: one contact with or about the client."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    type = models.CharField(_("type"), max_length=20, choices=ContactType.choices)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="contacts")
    # How many clients share this time (the participants of a group session), so
    # the staff time report counts a staff member's session once, not per client.
    shared_with = models.PositiveSmallIntegerField(default=1)
    summary = models.TextField(_("summary"), max_length=10000)
    confidential = models.BooleanField(_("confidential"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            # "Any contact (not a handover note) since ..." answered from the index
            # alone: the team overview's and the reminders' no-contact test.
            models.Index(
                fields=["client", "-date"], include=["type"], name="contact_client_date_type_idx"
            ),
            models.Index(fields=["staff", "date"], name="contact_staff_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="contact_duration_sane",
            ),
            models.CheckConstraint(condition=Q(shared_with__gte=1), name="contact_shared_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.date:%d/%m/%Y}"

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError(
                {"date": _("A contact that took place cannot be dated in the future.")}
            )

    @property
    def in_person(self) -> bool:
        return self.type in IN_PERSON_CONTACTS


# --- evaluations -------------------------------------------------------------


class Evaluation(models.Model):
    """An evaluation of the trajectory. The GPMI evaluation rule counts these."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="evaluations")
    date = models.DateField(_("date"), default=timezone.localdate)
    in_person = models.BooleanField(_("in a personal meeting"), default=True)
    conclusion = models.TextField(_("conclusion"), max_length=10000)
    next_evaluation_on = models.DateField(_("next evaluation"), null=True, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["trajectory", "-date"], name="evaluation_traj_idx")]

    def __str__(self) -> str:
        return f"{self.trajectory} {self.date:%d/%m/%Y}"

    def clean(self) -> None:
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("An evaluation that took place cannot be dated in the future.")
        if self.next_evaluation_on and self.date and self.next_evaluation_on <= self.date:
            errors["next_evaluation_on"] = _("The next evaluation must come after this one.")
        if errors:
            raise ValidationError(errors)


class Progress(models.TextChoices):
    NONE = "none", _("No progress")
    SOME = "some", _("Some progress")
    GOOD = "good", _("Good progress")
    ACHIEVED = "achieved", _("Achieved")


class GoalProgress(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    progress = models.CharField(_("progress"), max_length=10, choices=Progress.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "goal"], name="progress_once_per_goal")
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.progress}"


for _model in (Trajectory, Referral, NeedsAnalysis, Goal, Action, Contact, Evaluation):
    pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())(
        _model
    )
