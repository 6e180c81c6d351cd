"""Staff time for the GPMI subsidy: who spent how much contact time on clients
with a GPMI (seed 003; DOMAIN.md "Special subsidy").

The federal state pays the OCMW a special subsidy for the clients with a GPMI;
inspectors may ask for proof that the subsidised staff time really went to
GPMIs, per social worker. This module reads that proof from the journal.

**What is counted.** Every journal contact (``trajecten.Contact``) a staff
member recorded in the period, except those that are not staff time spent on
the client (``trajecten.report.staff_time_contacts``: an excused or absent
participant of a group session, noted with one minute, is left out). A contact
counts ``duration_minutes / shared_with`` minutes: a 120-minute group session
with 8 present participants is written as 8 contacts sharing the time, and
gives the facilitator 120 minutes, not 960.

**On a GPMI.** A contact counts towards the GPMI share when its client had an
active GPMI on the contact's date: a version of a GPMI of the client that is
not an exemption (type 8), with status signed, running or ended, whose start
date ≤ the contact date ≤ its end date, and, when it was ended early, ≤ the day
it ended (the closing talk of a contract still counts). Amendments overlap
their predecessor by at most a day; a contact is counted once whatever the
number of versions covering it.

**Scope.** A team lead sees the staff of the teams they lead; an OCMW
administrator the staff of the whole OCMW (the subsidy is justified by the
OCMW, and these are figures about staff time, not case content). Anyone else
may not open the report. A team filter narrows it to one team of that scope.

Everything is computed by PostgreSQL: one query for the staff rows and one
set-based aggregate (grouped by staff member and month) for the minutes,
whatever the number of contacts.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gpmi.models import CONCLUDED_STATUSES, GpmiType, GpmiVersion
from ocmw.models import Team, User
from trajecten.report import staff_time_contacts

FIRST_YEAR = 2002  # law of 26 May 2002: no GPMI before
MAX_MONTHS = 24


# --- who sees what ------------------------------------------------------------------


def may_see_staff_time(user: User) -> bool:
    return bool(getattr(user, "ocmw_id", None)) and (user.is_team_lead or user.is_ocmw_admin)


def staff_time_teams(*, user: User) -> QuerySet[Team]:
    """The teams whose staff ``user`` may see in the report (see the module doc)."""
    if not may_see_staff_time(user):
        return Team.objects.none()
    teams = Team.objects.filter(ocmw_id=user.ocmw_id)
    if not user.is_ocmw_admin:
        teams = teams.filter(members=user)
    return teams.order_by("name")


def staff_time_staff(*, user: User, team: Team | None = None) -> QuerySet[User]:
    """The staff members ``user`` may see, of ``team`` when given (one of their teams)."""
    if not may_see_staff_time(user):
        return User.objects.none()
    if team is not None:
        # Of the user's teams only: another team gives nobody, not its staff.
        teams = staff_time_teams(user=user).filter(pk=team.pk)
        return User.objects.filter(ocmw_id=user.ocmw_id, teams__in=teams)
    if user.is_ocmw_admin:
        return User.objects.filter(ocmw_id=user.ocmw_id)
    return User.objects.filter(ocmw_id=user.ocmw_id, teams__members=user)


# --- the period ---------------------------------------------------------------------

MONTH_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def _month(value: str, field_name: str) -> datetime.date:
    match = MONTH_PATTERN.match(value or "")
    month = int(match.group(2)) if match else 0
    if not match or not 1 <= month <= 12:
        raise ValidationError(
            {field_name: _("Give a month as year and month, e.g. 2026-03.")}, code="invalid"
        )
    return datetime.date(int(match.group(1)), month, 1)


@dataclass(frozen=True)
class Period:
    """Whole months: from the first day of ``start``'s month to the last of ``end``'s."""

    start: datetime.date
    end: datetime.date

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month += relativedelta(months=1)
        return months


def period_of(start: str, end: str) -> Period:
    """The period from month ``start`` to month ``end`` (``YYYY-MM``), checked:
    not reversed, from 2002 on, not past the current year, at most 24 months."""
    first = _month(start, "start")
    last = _month(end, "end")
    this_year = timezone.localdate().year
    if first.year < FIRST_YEAR or last.year > this_year:
        raise ValidationError(
            _("Choose months from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": this_year},
            code="out_of_range",
        )
    if last < first:
        raise ValidationError(
            _("The last month comes before the first month: swap them."), code="reversed"
        )
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MAX_MONTHS:
        raise ValidationError(
            _("Choose at most %(max)d months.") % {"max": MAX_MONTHS}, code="too_long"
        )
    return Period(first, last + relativedelta(months=1) - datetime.timedelta(days=1))


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


class StaffTimeForm(forms.Form):
    """The period (months ``YYYY-MM``) and an optional team of the user's scope.

    Here rather than in ``gpmi.forms`` because it belongs to this report alone."""

    start = forms.CharField(label=gettext_lazy("From (month)"))
    end = forms.CharField(label=gettext_lazy("To (month)"))
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my teams"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of your teams.")},
    )

    def __init__(self, data=None, *, user: User):
        today = timezone.localdate()
        defaults = {"start": f"{today.year}-01", "end": f"{today.year}-12", "team": ""}
        merged = {**defaults, **{k: v for k, v in (data or {}).items() if k in defaults and v}}
        super().__init__(merged)
        self.fields["team"].queryset = staff_time_teams(user=user)
        if user.is_ocmw_admin:
            self.fields["team"].empty_label = gettext_lazy("All teams")

    def clean(self):
        data = super().clean()
        if "start" in data and "end" in data:
            try:
                data["period"] = period_of(data["start"], data["end"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        for error in errors:
                            self.add_error(name, error)
                else:
                    raise
        return data


# --- the figures --------------------------------------------------------------------


@dataclass
class Minutes:
    """Contact minutes, and those spent on clients with an active GPMI."""

    minutes: float = 0.0
    gpmi_minutes: float = 0.0

    def add(self, other: Minutes) -> None:
        self.minutes += other.minutes
        self.gpmi_minutes += other.gpmi_minutes

    @property
    def whole(self) -> int:
        return round(self.minutes)

    @property
    def gpmi_whole(self) -> int:
        return round(self.gpmi_minutes)

    @property
    def share(self) -> float | None:
        """The GPMI share in %, one decimal; None without any contact time."""
        return round(100 * self.gpmi_minutes / self.minutes, 1) if self.minutes else None


@dataclass
class StaffRow:
    staff_id: int
    name: str
    months: list[Minutes]
    total: Minutes = field(default_factory=Minutes)


@dataclass
class StaffTime:
    period: Period
    months: list[datetime.date]
    rows: list[StaffRow]
    month_totals: list[Minutes]
    total: Minutes


def gpmi_active_on_contact_date() -> Exists:
    """True when the contact's client had an active GPMI on the contact's date."""
    versions = (
        GpmiVersion.objects.filter(
            gpmi__client_id=OuterRef("client_id"),
            status__in=CONCLUDED_STATUSES,
            start_date__lte=OuterRef("date"),
            end_date__gte=OuterRef("date"),
        )
        .exclude(gpmi__type=GpmiType.EXEMPTION)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("date")))
    )
    return Exists(versions)


def contact_minutes() -> Cast:
    """The staff time of one contact: its duration shared by the clients present."""
    return Cast("duration_minutes", FloatField()) / Cast("shared_with", FloatField())


def minutes_by_staff_and_month(
    *, staff: QuerySet[User], period: Period
) -> dict[tuple[int, datetime.date], Minutes]:
    """``{(staff id, first day of month): Minutes}`` in ONE set-based query."""
    rows = (
        staff_time_contacts()
        .filter(staff__in=staff.values("pk"), date__gte=period.start, date__lte=period.end)
        .annotate(month=TruncMonth("date"), on_gpmi=gpmi_active_on_contact_date())
        .order_by()
        .values("staff_id", "month")
        .annotate(
            minutes=Sum(contact_minutes()),
            gpmi_minutes=Sum(contact_minutes(), filter=Q(on_gpmi=True)),
        )
    )
    return {
        (row["staff_id"], row["month"]): Minutes(row["minutes"] or 0.0, row["gpmi_minutes"] or 0.0)
        for row in rows
    }


def staff_time(*, staff: QuerySet[User], period: Period) -> StaffTime:
    """Contact minutes per staff member and month of ``period`` (2 queries).

    Rows: the staff members of ``staff`` who recorded contact time in the period,
    and the active social workers and counsellors among them who did not (0), by
    name."""
    months = period.months
    figures = minutes_by_staff_and_month(staff=staff, period=period)
    with_time = {staff_id for staff_id, _month in figures}
    people = (
        staff.filter(Q(pk__in=with_time) | Q(is_active=True))
        .distinct()
        .order_by("first_name", "last_name", "pk")
        .only("pk", "first_name", "last_name", "username", "roles", "is_active")
    )
    rows, month_totals, total = [], [Minutes() for _m in months], Minutes()
    for person in people:
        if person.pk not in with_time and not person.handles_cases:
            continue
        row = StaffRow(person.pk, str(person), [])
        for index, month in enumerate(months):
            cell = figures.get((person.pk, month), Minutes())
            row.months.append(cell)
            row.total.add(cell)
            month_totals[index].add(cell)
        total.add(row.total)
        rows.append(row)
    return StaffTime(period, months, rows, month_totals, total)


def staff_time_for_user(*, user: User, period: Period, team: Team | None = None) -> StaffTime:
    """``staff_time`` of the staff ``user`` may see (of ``team`` when given)."""
    return staff_time(staff=staff_time_staff(user=user, team=team), period=period)


def staff_time_for_teams(*, ocmw_id: int, team_ids: list[int], year: int) -> StaffTime:
    """The year's staff time of the members of ``team_ids`` (the annual report)."""
    staff = User.objects.filter(ocmw_id=ocmw_id, teams__in=team_ids)
    return staff_time(staff=staff, period=year_period(year))
