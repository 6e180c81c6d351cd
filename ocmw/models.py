"""Core domain: OCMWs (tenants), teams, staff and roles, clients, access log."""

from __future__ import annotations

import datetime
import uuid
from functools import reduce
from operator import or_

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ocmw import insz as insz_rules
from ocmw import registries


class LanguageRegion(models.TextChoices):
    DUTCH = "nl", _("Dutch-speaking (Flanders)")
    FRENCH = "fr", _("French-speaking (Wallonia)")
    BILINGUAL = "bi", _("Bilingual (Brussels)")


class Ocmw(models.Model):
    """A public centre for social welfare: the tenant boundary of all data."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    language_region = models.CharField(
        _("language region"), max_length=2, choices=LanguageRegion.choices
    )

    class Meta:
        verbose_name = _("OCMW")
        verbose_name_plural = _("OCMWs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamService(models.TextChoices):
    GENERAL = "general", _("General social service")
    SPI = "spi", _("Social and professional integration")


class Team(models.Model):
    ocmw = models.ForeignKey(Ocmw, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    service = models.CharField(_("service"), max_length=10, choices=TeamService.choices)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["ocmw", "name"], name="team_unique_name_per_ocmw")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INTAKE = "intake", _("Intake desk")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COUNSELLOR = "counsellor", _("Counsellor")
    TEAM_LEAD = "team_lead", _("Team lead")
    ADMIN = "admin", _("OCMW administrator")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")


class StaffQuerySet(models.QuerySet):
    def colleagues_of(self, user) -> models.QuerySet:
        """Staff sharing at least one team with ``user`` (``user`` included)."""
        return self.filter(teams__members=user).distinct()

    def led_by(self, user) -> models.QuerySet:
        """Staff in the teams that ``user`` leads."""
        if not user.is_team_lead:
            return self.none()
        return self.filter(teams__members=user).distinct()

    def case_workers(self, ocmw) -> models.QuerySet:
        return self.filter(
            ocmw=ocmw, is_active=True, roles__overlap=[Role.SOCIAL_WORKER, Role.COUNSELLOR]
        )


class StaffManager(UserManager.from_queryset(StaffQuerySet)):
    pass


class User(AbstractUser):
    """A staff member. Roles are cumulative: one person may hold several."""

    ocmw = models.ForeignKey(
        Ocmw, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        default=list,
        blank=True,
        verbose_name=_("roles"),
    )
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    language = models.CharField(
        _("interface language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    # A counsellor's caseload limits (open trajectories): above the soft limit the
    # team overview highlights them; the hard limit blocks a reassignment unless
    # the team lead confirms it.
    caseload_soft_limit = models.PositiveSmallIntegerField(_("caseload soft limit"), default=60)
    caseload_hard_limit = models.PositiveSmallIntegerField(_("caseload hard limit"), default=80)

    objects = StaffManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @property
    def is_intake(self) -> bool:
        return self.has_role(Role.INTAKE)

    @property
    def is_social_worker(self) -> bool:
        return self.has_role(Role.SOCIAL_WORKER)

    @property
    def is_counsellor(self) -> bool:
        return self.has_role(Role.COUNSELLOR)

    @property
    def is_team_lead(self) -> bool:
        return self.has_role(Role.TEAM_LEAD)

    @property
    def is_ocmw_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def handles_cases(self) -> bool:
        return self.is_social_worker or self.is_counsellor

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [labels[role] for role in self.roles if role in labels]


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PreferredLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")
    OTHER = "other", _("Other")


def _handled_rows(staff, rules=None) -> list[models.QuerySet]:
    """Every app's rows (or those of ``rules``, some of the registry's) that make
    one of ``staff`` handle a client, each naming the client in ``client_id``; the
    core's own rule is the responsible social worker (the client row itself)."""
    return [rule(staff) for rule in (registries.client_handlers if rules is None else rules)]


def handled_client_ids(*staff_sets, rules=None, responsible: bool = True) -> models.QuerySet:
    """The ids of the clients handled by anyone in ``staff_sets``, as one
    ``UNION ALL`` of index scans (a client may appear more than once).

    Used as ``pk__in=``: PostgreSQL pulls a ``UNION ALL`` of simple selects up
    into the outer query, so a list reads each branch through its own index
    (the responsible worker, the open trajectories by counsellor) instead of
    testing every client of the OCMW against an OR of subqueries, and a lookup
    of one client (``pk=...``) pushes that id into every branch.

    ``rules`` (some of the registry's rules) and ``responsible=False`` (leave out
    the responsible social worker) ask for part of that set.
    """
    branches = []
    for staff in staff_sets:
        if responsible:
            branches.append(
                Client.objects.filter(responsible_social_worker__in=staff).order_by().values("pk")
            )
        branches += [rows.order_by().values("client_id") for rows in _handled_rows(staff, rules)]
    if not branches:
        return Client.objects.none().values("pk")
    first, *rest = branches
    return first.union(*rest, all=True) if rest else first


def handled_by(staff) -> Q:
    """Clients handled by any of ``staff`` (staff members: a queryset, a list of
    ids or a subquery of ids), by every app's definition of handling (a filter
    for sets of clients: see ``handled_client_ids``)."""
    return Q(pk__in=handled_client_ids(staff))


def _handled_by_row(*staff_sets) -> Q:
    """The same test as ``handled_by``, written per client row (EXISTS on the
    client's own rows): the cheap form for an annotation, which is computed only
    for the rows a page shows, where the set form would build the whole set."""
    rules = []
    for staff in staff_sets:
        rules.append(Q(responsible_social_worker__in=staff))
        rules += [Q(Exists(rows.filter(client=OuterRef("pk")))) for rows in _handled_rows(staff)]
    return reduce(or_, rules)


def _bool(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=models.BooleanField())


def teammate_ids(user) -> list[int]:
    """The ids of everyone sharing a team with ``user`` (``user`` too when in a
    team): the colleagues of a case worker and the staff a team lead leads.

    Read once per user object: the login loads them with the user in the same
    query (``ocmw.auth.StaffBackend``), any other user object asks once and keeps
    the answer. The scoping functions pass them to SQL as a list of ids, which
    PostgreSQL plans far better than a subquery (it knows how many there are, and
    a per-row test ``counsellor_id = ANY(...)`` costs nothing to start).
    """
    cached = getattr(user, "teammate_ids", None)
    if cached is None:
        cached = sorted(set(teammates_of(user.pk, user.ocmw_id).values_list("user_id", flat=True)))
        user.teammate_ids = cached
    return cached


def teammates_of(user_id, ocmw_id) -> models.QuerySet:
    """Team memberships (``user_id``) of everyone sharing a team with ``user_id``,
    only within their OCMW ``ocmw_id`` (may be outer references): a staff member of
    another OCMW is never a teammate, whatever the teams say, so a counsellor among
    someone's teammates only handles clients of that OCMW."""
    memberships = User.teams.through.objects
    return memberships.filter(
        team_id__in=memberships.filter(user_id=user_id).values("team_id"),
        team__ocmw_id=ocmw_id,
        user__ocmw_id=ocmw_id,
    )


def case_staff(user, *, edit: bool = False) -> list[int]:
    """The staff whose clients ``user`` reads the case content of (``edit``: may
    change): themselves, plus as a team lead the staff of the teams they lead and,
    for reading, as a case worker their colleagues."""
    reads_team = user.is_team_lead or (user.handles_cases and not edit)
    if not reads_team:
        return [user.pk]
    return sorted({user.pk, *teammate_ids(user)})


class ClientQuerySet(models.QuerySet):
    def visible_to(
        self, user, *, for_edit: bool = False, case_content: bool = False
    ) -> ClientQuerySet:
        """The one scoping function for clients. Every page and endpoint uses it.

        Annotates ``access_case`` (may read case content, not only identity) and
        ``access_edit`` (may change the file). Another OCMW's clients never
        appear, so fetching one by id gives a 404. ``case_content=True`` keeps
        only the clients whose case content the user reads (the same rows as
        filtering on ``access_case``, but as an index-friendly set).

        Who handles a client is ``handled_by``: the user reads the clients
        handled by themselves, by the staff of the teams they lead and, as a
        case worker, by their colleagues; they edit those handled by themselves
        and by the staff they lead. Both are one set of staff each ("me and my
        teammates", or "me"), so each test is one ``UNION ALL`` of index scans.
        """
        if not getattr(user, "is_authenticated", False) or user.ocmw_id is None:
            # Keep the annotations so callers may filter on them even when empty.
            return self.none().annotate(access_case=Value(False), access_edit=Value(False))
        # Which user the ``access_*`` annotations were computed for (see reads_case_of).
        qs = self.filter(ocmw_id=user.ocmw_id).annotate(scoped_for=Value(user.pk))
        read = [case_staff(user)]
        edit = [case_staff(user, edit=True)]
        if user.is_intake and not case_content:
            # The intake desk finds and registers anyone of its OCMW, but only
            # sees and edits identity and contact data.
            return qs.annotate(access_case=_bool(_handled_by_row(*read)), access_edit=Value(True))
        qs = qs.filter(pk__in=handled_client_ids(*read)).annotate(access_case=Value(True))
        if user.is_intake or read == edit:
            # The same staff for reading and editing: every row read is editable.
            return qs.annotate(access_edit=Value(True))
        if for_edit:
            return qs.filter(pk__in=handled_client_ids(*edit)).annotate(access_edit=Value(True))
        return qs.annotate(access_edit=_bool(_handled_by_row(*edit)))


def reads_case_of(user, client) -> bool:
    """Whether ``client`` was read through ``Client.objects.visible_to(user)`` for this
    very user, with access to its case content.

    Then every row of that file is within the user's scope, so the pages of one
    file may read the file's rows by the client's id alone instead of repeating
    the scope in each of their queries. Any other client object (not scoped, or
    scoped for someone else) answers False: the caller applies the scope."""
    user_id = getattr(user, "pk", None)
    return (
        user_id is not None
        and getattr(client, "scoped_for", None) == user_id
        and bool(getattr(client, "access_case", False))
    )


class Client(models.Model):
    """A person followed by the OCMW. Identity is unique per OCMW by INSZ."""

    ocmw = models.ForeignKey(Ocmw, on_delete=models.PROTECT, related_name="clients")
    insz = models.CharField(_("national register number"), max_length=11)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=PreferredLanguage.choices,
        default=PreferredLanguage.DUTCH,
    )
    languages_spoken = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        verbose_name=_("languages spoken"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("municipality"), max_length=100, blank=True)
    leefloon_decision_date = models.DateField(_("leefloon decision date"), null=True, blank=True)
    responsible_social_worker = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="clients",
        null=True,
        blank=True,
        verbose_name=_("responsible social worker"),
    )
    # Optimistic lock: a form posted from a stale page must not overwrite a newer change.
    row_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Lower-cased, accent-free full name kept by PostgreSQL itself; the trigram
    # index on it serves fuzzy name search and duplicate detection.
    search_name = models.GeneratedField(
        expression=models.Func(
            Lower(models.functions.Concat("first_name", Value(" "), "last_name")),
            function="ocmw_unaccent",
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ocmw", "insz"], name="client_unique_insz_per_ocmw"),
            models.CheckConstraint(
                condition=Q(insz__regex=r"^[0-9]{11}$"), name="client_insz_is_11_digits"
            ),
        ]
        indexes = [
            GinIndex(OpClass("search_name", "gin_trgm_ops"), name="client_search_name_trgm"),
            models.Index(fields=["ocmw", "last_name", "first_name", "id"], name="client_name_idx"),
            models.Index(fields=["ocmw", "birth_date"], name="client_birth_idx"),
            # The scope (``handled_client_ids``): a worker's clients as an index-only
            # scan, and the OCMW of each client in the set without reading its row.
            models.Index(fields=["responsible_social_worker", "id"], name="client_worker_idx"),
            models.Index(fields=["id"], include=["ocmw"], name="client_id_ocmw_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def insz_display(self) -> str:
        return insz_rules.format_insz(self.insz)

    @property
    def file_number(self) -> str:
        return f"{self.pk:06d}" if self.pk else ""

    def clean_fields(self, exclude=None) -> None:
        # Birth date and gender are encoded in the INSZ: fill them in before
        # the field check would call them missing.
        try:
            number = insz_rules.validate(self.insz)
        except ValidationError:
            number = None
        if number:
            # Store the compact form, so "85.07.30-033.28" passes max_length=11.
            self.insz = number
            if self.birth_date is None:
                self.birth_date = insz_rules.birth_date(number)
            if not self.gender:
                self.gender = insz_rules.gender(number) or ""
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        for field in ("first_name", "last_name"):
            value = getattr(self, field) or ""
            setattr(self, field, " ".join(value.split()))
            if not getattr(self, field):
                errors.setdefault(field, []).append(_("This name cannot be empty."))
        try:
            self.insz = insz_rules.validate(self.insz)
        except ValidationError as exc:
            errors.setdefault("insz", []).extend(exc.messages)
        else:
            encoded_birth = insz_rules.birth_date(self.insz)
            encoded_gender = insz_rules.gender(self.insz)
            if encoded_birth is not None and self.birth_date != encoded_birth:
                errors.setdefault("birth_date", []).append(
                    _("The birth date does not match the national register number (%(date)s).")
                    % {"date": encoded_birth.strftime("%d/%m/%Y")}
                )
            if encoded_gender and self.gender != encoded_gender:
                errors.setdefault("gender", []).append(
                    _("The gender does not match the national register number.")
                )
        if self.birth_date and self.birth_date > datetime.date.today():
            errors.setdefault("birth_date", []).append(_("A birth date cannot be in the future."))
        if self.responsible_social_worker_id and self.ocmw_id:
            worker = self.responsible_social_worker
            if worker.ocmw_id != self.ocmw_id or not worker.handles_cases:
                errors.setdefault("responsible_social_worker", []).append(
                    _("Choose a social worker of this OCMW.")
                )
        if errors:
            raise ValidationError(errors)


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    EXPORT = "export", _("exported")
    REFUSED = "refused", _("refused export")


class AccessLog(models.Model):
    """Who read or exported which client file, when, from which page (GDPR art. 15)."""

    ocmw = models.ForeignKey(Ocmw, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="access_log", null=True, blank=True
    )
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    what = models.CharField(max_length=200)
    page = models.CharField(max_length=500)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"], name="accesslog_client_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user_id} {self.action} {self.what}"


class Notification(models.Model):
    """An in-app message to one staff member (referral decided, case reassigned ...).

    The text is stored as an English message id plus parameters and translated
    when shown, so each reader sees it in their own language.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        from django.utils.translation import gettext

        try:
            return gettext(self.message) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)


class SubmissionKey(models.Model):
    """A form's one-time key, so a double-submitted form acts once."""

    key = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.key)


# The audit trail: PostgreSQL triggers record every insert and update, even bulk
# ones, together with the request's user and URL (pghistory middleware).
pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())(Client)
pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())(Ocmw)
pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())(Team)
pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    exclude=["password", "last_login"],
)(User)


# --- reminders ------------------------------------------------------------------


class ReminderSettings(models.Model):
    """An OCMW's own numbers for the deadline rules. An empty field means the
    system default (``settings.REMINDER_DEFAULTS``), so changing a default
    reaches every OCMW that never chose its own."""

    ocmw = models.OneToOneField(Ocmw, on_delete=models.CASCADE, related_name="reminder_settings")
    no_contact_weeks = models.PositiveSmallIntegerField(
        _("weeks without contact before a reminder"), null=True, blank=True
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("days overdue before escalation to the team lead"), null=True, blank=True
    )
    evaluation_interval_months = models.PositiveSmallIntegerField(
        _("months between evaluations"), null=True, blank=True
    )
    home_visit_interval_months = models.PositiveSmallIntegerField(
        _("months between home visits"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"{self.ocmw}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.SNOOZED)


class ClosedReason(models.TextChoices):
    RESOLVED = "resolved", _("The fact was recorded")
    DONE_BY_HAND = "done", _("Marked done")
    CANCELLED = "cancelled", _("No longer applies")


class TaskQuerySet(models.QuerySet):
    def active(self) -> TaskQuerySet:
        return self.filter(status__in=ACTIVE_TASK_STATUSES)


class Task(models.Model):
    """One deadline of one subject, for one staff member, made by the reminders scan.

    The subject is named by a short type ("trajectory", "gpmi", ...) and its id,
    so the core needs no foreign key into the apps. The unique constraint over
    (kind, subject, due date), whatever the status, is what makes the scan
    idempotent: a rerun, or two workers at once, can only conflict, never
    duplicate, and a task marked done by hand is not made again for the same
    deadline.
    """

    ocmw = models.ForeignKey(Ocmw, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("client")
    )
    responsible = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("responsible")
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    snooze_reason = models.TextField(_("reason for snoozing"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_reason = models.CharField(max_length=10, choices=ClosedReason.choices, blank=True)
    done_note = models.TextField(_("note"), blank=True, max_length=2000)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "due_date"],
                name="task_unique_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status="snoozed") | Q(snoozed_until__isnull=False),
                name="task_snoozed_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["responsible", "due_date"],
                condition=Q(status__in=["open", "snoozed"]),
                name="task_active_responsible_idx",
            ),
            models.Index(
                fields=["kind", "subject_id"],
                condition=Q(status__in=["open", "snoozed"]),
                name="task_active_kind_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}#{self.subject_id} {self.due_date}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TASK_STATUSES


class DigestLog(models.Model):
    """The daily e-mail digest of one staff member on one day.

    The digest job locks this row while it sends and marks it sent in the same
    transaction, so a rerun (``acks_late`` after a killed worker) or a second
    worker never sends a staff member two digests on one day."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day:%d/%m/%Y}"
