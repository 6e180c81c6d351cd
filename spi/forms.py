"""Forms of the SPI pages.

They check the shape of the input and give a clear field error; the rules of
the domain (an art. 60 placement over its maximum, a second running art. 60,
attendance for someone who is not a participant ...) live in the models and
``spi.services``, whose ``ValidationError`` is put back on the fields with
``add_service_error`` so the form keeps what was typed.

Choices among objects (measures, partners, clients, staff) come from lists the
view loaded once, not from a queryset per field: a page with three partner
fields costs one query, and a choice outside the list (a partner of another
OCMW, a client the user does not follow) is refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from ocmw.forms import BelgianDateInput
from spi.models import (
    AttendanceStatus,
    ContractType,
    EnrolmentStatus,
    OutcomeType,
    PartnerKind,
    PartnerReferralStatus,
)
from trajecten.forms import StyledForm, _style

MAX_SESSION_MINUTES = 720
MAX_VISIT_MINUTES = 720


class SpiForm(StyledForm):
    @property
    def has_field_errors(self) -> bool:
        """Errors on fields (not only on the form), for the "correct the fields" line."""
        return any(name != NON_FIELD_ERRORS for name in self.errors)


def _date_field(label, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=BelgianDateInput(),
        error_messages={
            "invalid": _("Enter a date as dd/mm/yyyy."),
            "required": _("Enter a date as dd/mm/yyyy."),
        },
    )


def _text(label, *, required: bool = False, rows: int = 2, max_length: int = 5000, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _hours_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=60,
        max_digits=4,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": _("Give the hours as a number, e.g. 19 or 19,5."),
            "min_value": _("Give a number of hours between 0 and 60."),
            "max_value": _("Give a number of hours between 0 and 60."),
            "max_decimal_places": _("Give the hours with at most one decimal."),
            "max_digits": _("Give a number of hours between 0 and 60."),
        },
    )


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the view already loaded; cleans to the object (or None)."""

    def __init__(
        self,
        *,
        empty_label: str | None = "—",
        invalid_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.objects: dict[str, Any] = {}
        if invalid_message:
            self.error_messages["invalid_choice"] = invalid_message

    def set_objects(self, objects: Iterable[Any], label: Callable[[Any], str] = str) -> None:
        self.objects = {str(obj.pk): obj for obj in objects}
        choices = [(key, label(obj)) for key, obj in self.objects.items()]
        if self.empty_label is not None:
            choices.insert(0, ("", self.empty_label))
        self.choices = choices

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(str(value)) if value not in (None, "") else None


class ObjectMultipleChoiceField(forms.MultipleChoiceField):
    """Several objects of a loaded list, as checkboxes; cleans to a list of objects."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, invalid_message: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.objects: dict[str, Any] = {}
        if invalid_message:
            self.error_messages["invalid_choice"] = invalid_message

    def set_objects(self, objects: Iterable[Any], label: Callable[[Any], str] = str) -> None:
        self.objects = {str(obj.pk): obj for obj in objects}
        self.choices = [(key, label(obj)) for key, obj in self.objects.items()]

    def clean(self, value):
        value = super().clean(value)
        return [self.objects[str(key)] for key in value]


def staff_label(user) -> str:
    return user.get_full_name() or user.username


def client_label(client) -> str:
    return f"{client.last_name}, {client.first_name}"


def partner_label(partner) -> str:
    return f"{partner.name} ({partner.get_kind_display()})"


def _check_dates(form: forms.Form, start: str, end: str) -> None:
    data = form.cleaned_data
    if data.get(start) and data.get(end) and data[end] < data[start]:
        form.add_error(end, _("The end cannot come before the start."))


# --- enrolments ------------------------------------------------------------------------

ART60_FIELDS = (
    "user_organisation",
    "job_title",
    "sector",
    "max_end_date",
    "over_max_reason",
    "next_step",
)
# What ``spi.services`` keeps only for an art. 60 measure; job, sector and the
# next step may describe any placement.
ART60_ONLY = ("user_organisation", "max_end_date", "over_max_reason")


class EnrolmentForm(SpiForm):
    """Enrol a client in a measure. The art. 60§7 / TWE fields matter only for an
    art. 60 measure: they are shown for it and dropped for any other."""

    measure = ObjectChoiceField(
        label=_("Measure"),
        invalid_message=_("Choose a measure of this OCMW's catalogue."),
        error_messages={"required": _("Choose a measure.")},
    )
    partner = ObjectChoiceField(
        label=_("Partner"),
        required=False,
        invalid_message=_("Choose a partner of this OCMW."),
        help_text=_("The organisation that organises the measure, if any."),
    )
    start_date = _date_field(_("Start"))
    planned_end_date = _date_field(_("Planned end"), required=False)
    hours_per_week = _hours_field(_("Hours per week"))
    started = forms.BooleanField(
        label=_("It has already started (the start date is today or earlier)"), required=False
    )
    costs_covered = _text(_("Costs the OCMW covers"), rows=3, max_length=2000)
    notes = _text(_("Notes"), rows=3, max_length=10000)
    # --- art. 60§7 / TWE ---
    user_organisation = ObjectChoiceField(
        label=_("User organisation"),
        required=False,
        invalid_message=_("Choose a partner of this OCMW."),
        help_text=_("Where the client works: an internal service or an external organisation."),
    )
    job_title = forms.CharField(label=_("Job"), required=False, max_length=200)
    sector = forms.CharField(label=_("Sector"), required=False, max_length=100)
    max_end_date = _date_field(
        _("Maximum end date"),
        required=False,
        help_text=_("Left empty, it follows from the measure's maximum duration."),
    )
    over_max_reason = _text(
        _("Reason for going beyond the maximum duration"),
        max_length=2000,
        help_text=_("Only needed when the planned end lies after the maximum end date."),
    )
    next_step = _text(
        _("Next step planned"),
        max_length=2000,
        help_text=_("What follows the placement: a job, a training, a referral ..."),
    )

    def __init__(self, *args, measures, partners, with_measure: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        if with_measure:
            self.fields["measure"].set_objects(self.measures)
            art60 = {str(m.pk) for m in self.measures if m.is_art60}
            self.fields["measure"].widget.attrs["data-art60-measures"] = " ".join(sorted(art60))
        else:
            del self.fields["measure"]
            del self.fields["started"]
        for name in ("partner", "user_organisation"):
            self.fields[name].set_objects(partners, partner_label)

    def clean(self):
        data = super().clean()
        _check_dates(self, "start_date", "planned_end_date")
        _check_dates(self, "start_date", "max_end_date")
        return data

    def service_data(self, *, measure=None) -> dict:
        """The cleaned data for ``spi.services``; the art. 60 details only for art. 60."""
        data = dict(self.cleaned_data)
        measure = measure or data.get("measure")
        if not (measure and measure.is_art60):
            for name in ART60_ONLY:
                data.pop(name, None)
        if data.pop("started", False):
            data["status"] = EnrolmentStatus.RUNNING
        return data

    def art60_fields(self):
        return [self[name] for name in ART60_FIELDS if name in self.fields]


class EnrolmentDateForm(SpiForm):
    """Start or complete an enrolment on a day (today when left empty)."""

    on = _date_field(_("On"), required=False)


class EnrolmentStopForm(SpiForm):
    on = _date_field(_("Stopped on"), required=False)
    reason = _text(
        _("Reason for stopping early"),
        required=True,
        max_length=2000,
        error_messages={"required": _("Give the reason for stopping early.")},
    )


class FollowUpVisitForm(SpiForm):
    date = _date_field(_("Date of the visit"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=MAX_VISIT_MINUTES,
        initial=60,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_VISIT_MINUTES, "step": 1}),
        error_messages={
            "min_value": _("Give the duration in minutes: at least 1."),
            "max_value": _("A visit lasts at most 720 minutes (12 hours)."),
            "invalid": _("Give the duration as a whole number of minutes."),
        },
    )
    staff = ObjectChoiceField(
        label=_("Who visited"),
        empty_label=None,
        invalid_message=_("Choose a staff member of this OCMW."),
    )
    situation = _text(
        _("Situation on the work floor"),
        required=True,
        rows=3,
        error_messages={"required": _("Describe the situation on the work floor.")},
    )
    problems = _text(_("Problems"))
    agreements = _text(_("Agreements"))

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].set_objects(staff, staff_label)


# --- referrals to partners ----------------------------------------------------------------


class PartnerReferralForm(SpiForm):
    partner = ObjectChoiceField(
        label=_("Partner"),
        invalid_message=_("Choose a partner of this OCMW."),
        error_messages={"required": _("Choose the partner you refer to.")},
    )
    contact_person = ObjectChoiceField(
        label=_("Contact person"),
        required=False,
        invalid_message=_("Choose a contact person of the chosen partner."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        help_text=_("E.g. registration as a job seeker, a vocational training."),
        error_messages={"required": _("Say what the referral is for.")},
    )
    sent_on = _date_field(_("Sent on"))
    handover_note = _text(
        _("Handover note"),
        rows=4,
        max_length=10000,
        help_text=_(
            "The warm handover: what the partner should know to pick up where you are, "
            "agreed with the client."
        ),
    )

    def __init__(self, *args, partners, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        partners = list(partners)
        self.fields["partner"].set_objects(partners, partner_label)
        names = {p.pk: p.name for p in partners}
        self.fields["contact_person"].set_objects(
            [c for c in contacts if c.partner_id in names],
            lambda c: f"{c.name} · {names[c.partner_id]}" + (f" ({c.role})" if c.role else ""),
        )

    def clean(self):
        data = super().clean()
        partner, contact = data.get("partner"), data.get("contact_person")
        if partner and contact and contact.partner_id != partner.pk:
            self.add_error(
                "contact_person",
                _("%(name)s works for another partner.") % {"name": contact.name},
            )
        return data


ADVANCE_CHOICES = [
    (PartnerReferralStatus.ACCEPTED, PartnerReferralStatus.ACCEPTED.label),
    (PartnerReferralStatus.STARTED, PartnerReferralStatus.STARTED.label),
    (PartnerReferralStatus.ENDED, PartnerReferralStatus.ENDED.label),
    (PartnerReferralStatus.REFUSED, PartnerReferralStatus.REFUSED.label),
]


class PartnerReferralAdvanceForm(SpiForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=ADVANCE_CHOICES,
        error_messages={"invalid_choice": _("Choose accepted, started, ended or refused.")},
    )
    on = _date_field(_("On"), required=False)
    result = _text(_("Result"), help_text=_("Needed when the referral ended or was refused."))

    def clean(self):
        data = super().clean()
        ending = data.get("status") in (PartnerReferralStatus.ENDED, PartnerReferralStatus.REFUSED)
        if ending and not (data.get("result") or "").strip():
            self.add_error("result", _("Describe the result."))
        return data


# --- outcomes and aftercare ------------------------------------------------------------------


class OutcomeForm(SpiForm):
    type = forms.ChoiceField(
        label=_("Destination"),
        choices=[("", "—"), *OutcomeType.choices],
        error_messages={"required": _("Choose where the client went.")},
    )
    employer = forms.CharField(label=_("Employer or organisation"), required=False, max_length=200)
    start_date = _date_field(_("Start date"))
    contract_type = forms.ChoiceField(
        label=_("Contract"), choices=ContractType.choices, initial=ContractType.NONE
    )
    hours_per_week = _hours_field(_("Hours per week"))


YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_UNKNOWN = [("", _("Not known")), *YES_NO]


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class CheckpointForm(SpiForm):
    done_on = _date_field(_("Date of the contact"))
    contact_made = forms.ChoiceField(
        label=_("Was there contact with the client?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether there was contact.")},
    )
    still_employed = forms.ChoiceField(
        label=_("Still employed?"), choices=YES_NO_UNKNOWN, required=False
    )
    same_employer = forms.ChoiceField(
        label=_("With the same employer?"), choices=YES_NO_UNKNOWN, required=False
    )
    problems = _text(_("Problems"), rows=3)
    support_given = _text(_("Support given"), rows=3)

    def clean(self):
        data = super().clean()
        if data.get("same_employer") == "yes" and data.get("still_employed") == "no":
            self.add_error(
                "same_employer", _("Someone who no longer works has no current employer.")
            )
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("contact_made", "still_employed", "same_employer"):
            data[name] = _yes_no(data.get(name))
        return data


# --- group sessions ----------------------------------------------------------------------------


class GroupSessionForm(SpiForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the session a title.")},
    )
    measure = ObjectChoiceField(
        label=_("Measure"),
        required=False,
        invalid_message=_("Choose a measure of this OCMW's catalogue."),
    )
    date = _date_field(_("Date"))
    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        input_formats=["%H:%M", "%H.%M", "%Hu%M", "%Hh%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": _("hh:mm")}),
        error_messages={"invalid": _("Enter a time as hh:mm, e.g. 09:30.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=MAX_SESSION_MINUTES,
        initial=120,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_SESSION_MINUTES, "step": 1}),
        error_messages={
            "min_value": _("Give the duration in minutes: at least 1."),
            "max_value": _("A session lasts at most 720 minutes (12 hours)."),
            "invalid": _("Give the duration as a whole number of minutes."),
            "required": _("Give the duration in minutes."),
        },
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    facilitator = ObjectChoiceField(
        label=_("Facilitator"),
        empty_label=None,
        invalid_message=_("Choose a staff member of this OCMW."),
    )
    participants = ObjectMultipleChoiceField(
        label=_("Participants"),
        required=False,
        invalid_message=_("Choose participants among the clients you follow."),
    )

    def __init__(self, *args, measures, staff, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].set_objects(measures)
        self.fields["facilitator"].set_objects(staff, staff_label)
        self.fields["participants"].set_objects(clients, client_label)
        _style(self)
        self.fields["participants"].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("participants", None)
        return data


class AddParticipantsForm(SpiForm):
    participants = ObjectMultipleChoiceField(
        label=_("Add participants"),
        invalid_message=_("Choose participants among the clients you follow."),
        error_messages={"required": _("Tick at least one client to add.")},
    )

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].set_objects(clients, client_label)
        self.fields["participants"].widget.attrs["class"] = "form-check-input"


ATTENDANCE_CHOICES = [
    (AttendanceStatus.PRESENT, AttendanceStatus.PRESENT.label),
    (AttendanceStatus.EXCUSED, AttendanceStatus.EXCUSED.label),
    (AttendanceStatus.ABSENT, AttendanceStatus.ABSENT.label),
]


class AttendanceForm(SpiForm):
    """Present / excused / absent for each participant: one field ``status_<client id>``.

    A status posted for someone who is not a participant is refused by name (it
    is not silently ignored), and nothing is saved.
    """

    PREFIX = "status_"

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[f"{self.PREFIX}{row.client_id}"] = forms.ChoiceField(
                label=_("Attendance of %(client)s") % {"client": client_label(row.client)},
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial=row.status if row.status in dict(ATTENDANCE_CHOICES) else None,
                error_messages={"invalid_choice": _("Choose present, excused or absent.")},
            )
        _style(self)

    def clean(self):
        data = super().clean()
        known = {str(row.client_id) for row in self.rows}
        strangers = [
            key[len(self.PREFIX) :]
            for key in (self.data or {})
            if key.startswith(self.PREFIX) and key[len(self.PREFIX) :] not in known
        ]
        if strangers:
            raise forms.ValidationError(
                _("Attendance can only be recorded for the participants of this session."),
                code="not_a_participant",
            )
        if not any(data.get(f"{self.PREFIX}{row.client_id}") for row in self.rows):
            raise forms.ValidationError(
                _("Choose present, excused or absent for at least one participant."),
                code="empty",
            )
        return data

    def statuses(self) -> dict:
        """``{client: status}`` for the participants whose status was given."""
        return {
            row.client: self.cleaned_data[f"{self.PREFIX}{row.client_id}"]
            for row in self.rows
            if self.cleaned_data.get(f"{self.PREFIX}{row.client_id}")
        }

    def row_fields(self):
        return [(row, self[f"{self.PREFIX}{row.client_id}"]) for row in self.rows]


# --- partner list filter ---------------------------------------------------------------------


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *PartnerKind.choices]
    )
