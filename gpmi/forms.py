"""Forms of the GPMI pages.

They check the shape of the input and give a clear field error. The rules of
the contract (reflection period, needs analysis first, one running version ...)
live in ``gpmi.services``; their ``ValidationError`` is put back on the fields
with ``add_service_error`` so the form keeps what was typed.

List fields of a contract (objectives, commitments, activity domains, partners)
are edited as one item per line; third-party commitments as "party: commitment"
lines.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gpmi.models import (
    CONTRACT_TYPES,
    ConsentMethod,
    ContractLanguage,
    EndReason,
    GpmiType,
    VersionStatus,
)
from ocmw.forms import BelgianDateInput

MAX_ITEMS = 100
MAX_ITEM_LENGTH = 5000
MAX_LIST_TEXT = MAX_ITEMS * (MAX_ITEM_LENGTH + 2)
LIST_FIELDS = (
    "objectives",
    "commitments_client",
    "commitments_ocmw",
    "activity_domains",
    "partners",
)
# The sortable columns of the GPMI list (``-`` reverses).
SORTS = ("name", "type", "deadline", "signed", "subsidy_end", "status", "counsellor")
STATISTICS_FIRST_YEAR = 2002  # law of 26 May 2002
LEGAL_MINIMUM = _("The law asks for at least 3 evaluations a year, at least 2 of them in person.")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    @property
    def has_field_errors(self) -> bool:
        return any(name != NON_FIELD_ERRORS for name in self.errors)

    def add_service_error(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (or on the form)."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)


def date_field(label, *, required: bool = True, help_text: str = "") -> forms.DateField:
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


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LinesField(forms.CharField):
    """A list of short texts, edited as one item per line."""

    widget = forms.Textarea

    def __init__(self, *args, rows: int = 4, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_LIST_TEXT)
        super().__init__(*args, **kwargs)
        self.widget.attrs["rows"] = rows

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_ITEMS:
            raise ValidationError(
                _("At most %(max)d lines (now %(count)d).")
                % {"max": MAX_ITEMS, "count": len(value)}
            )
        for number, item in enumerate(value, start=1):
            if len(item) > MAX_ITEM_LENGTH:
                raise ValidationError(
                    _("Line %(line)d is longer than %(max)d characters.")
                    % {"line": number, "max": MAX_ITEM_LENGTH}
                )

    def run_validators(self, value) -> None:
        # The max_length validator of CharField would compare the list's length.
        return None


class ThirdPartyLinesField(LinesField):
    """Third-party commitments as "party: commitment" lines."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(
                f"{row.get('party', '')}: {row.get('commitment', '')}"
                if isinstance(row, dict)
                else str(row)
                for row in value
            )
        return value

    def to_python(self, value) -> list[dict[str, str]]:
        return [
            self._split(number, line) for number, line in enumerate(super().to_python(value), 1)
        ]

    @staticmethod
    def _split(number: int, line: str) -> dict[str, str]:
        party, sep, commitment = line.partition(":")
        if not sep or not party.strip() or not commitment.strip():
            raise ValidationError(
                _("Line %(line)d: write it as “party: commitment”, e.g. “VDAB: job coaching”.")
                % {"line": number}
            )
        return {"party": party.strip(), "commitment": commitment.strip()}

    def validate(self, value: list[dict[str, str]]) -> None:
        super().validate([f"{row['party']}: {row['commitment']}" for row in value])


# --- creating a GPMI -----------------------------------------------------------------


class GpmiCreateForm(StyledForm):
    """A contract GPMI: only the types that can still be chosen (11, 9, 10)."""

    type = forms.TypedChoiceField(
        label=_("Type of GPMI"),
        coerce=int,
        choices=[(t.value, t.label) for t in CONTRACT_TYPES],
        initial=GpmiType.GENERAL,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the type of GPMI."),
            "invalid_choice": _(
                "Choose general (11), studies (9) or student with income from work (10). "
                "Community service was annulled in 2018; an exemption is recorded separately."
            ),
        },
    )
    leefloon_decision_date = date_field(
        _("Leefloon decision date"),
        help_text=_("The GPMI must be concluded within 3 months of this date."),
    )

    def clean_leefloon_decision_date(self) -> datetime.date:
        value = self.cleaned_data["leefloon_decision_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


class ExemptionForm(StyledForm):
    """Type 8: no GPMI for health or equity reasons, a decision with its reason."""

    leefloon_decision_date = date_field(_("Leefloon decision date"))
    exemption_reason = forms.CharField(
        label=_("Reason for the exemption (health or equity)"),
        max_length=5000,
        widget=text_area(4),
        error_messages={"required": _("Record the reason for the exemption.")},
    )

    def clean_leefloon_decision_date(self) -> datetime.date:
        value = self.cleaned_data["leefloon_decision_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


# --- a version: the contract text -----------------------------------------------------------


class VersionForm(StyledForm):
    language = forms.ChoiceField(label=_("Contract language"), choices=ContractLanguage.choices)
    objectives = LinesField(
        label=_("Objectives"),
        required=True,
        rows=5,
        help_text=_("One objective per line."),
        error_messages={"required": _("Write at least one objective.")},
    )
    # Mandatory contents of every GPMI (law of 26 May 2002 art. 11; DOMAIN.md).
    activity_domains = LinesField(
        label=_("Activity domains"),
        required=True,
        help_text=_("One domain per line."),
        error_messages={"required": _("Name at least one activity domain.")},
    )
    commitments_client = LinesField(
        label=_("Commitments of the client"),
        required=True,
        help_text=_("One commitment per line."),
        error_messages={"required": _("Write at least one commitment of the client.")},
    )
    commitments_ocmw = LinesField(
        label=_("Commitments of the OCMW"),
        required=True,
        help_text=_("One commitment per line."),
        error_messages={"required": _("Write at least one commitment of the OCMW.")},
    )
    commitments_third_parties = ThirdPartyLinesField(
        label=_("Commitments of third parties"),
        help_text=_("One per line, as “party: commitment”, e.g. “VDAB: job coaching”."),
    )
    partners = LinesField(label=_("Partners who join"), rows=2, help_text=_("One per line."))
    assisting_person = forms.CharField(
        label=_("Person assisting the client"),
        required=False,
        max_length=200,
        help_text=_("If the client is assisted by a person of their choice."),
    )
    start_date = date_field(_("Start"))
    end_date = date_field(_("End"))
    deadlines = forms.CharField(
        label=_("Deadlines"), required=False, max_length=5000, widget=text_area(2)
    )
    evaluations_per_year = forms.IntegerField(
        label=_("Evaluations per year (at least)"),
        min_value=3,
        max_value=52,
        initial=3,
        error_messages={"min_value": LEGAL_MINIMUM, "max_value": _("At most 52 a year.")},
    )
    evaluations_in_person = forms.IntegerField(
        label=_("Of which in a personal meeting (at least)"),
        min_value=2,
        max_value=52,
        initial=2,
        error_messages={"min_value": LEGAL_MINIMUM, "max_value": _("At most 52 a year.")},
    )
    evaluation_arrangements = forms.CharField(
        label=_("How evaluation happens"), required=False, max_length=5000, widget=text_area(2)
    )
    extra_aid = forms.CharField(
        label=_("Extra aid or incentive premium"),
        required=False,
        max_length=5000,
        widget=text_area(2),
    )
    # The law names these costs; the OCMW covers them unless a third party pays.
    covers_enrolment = forms.BooleanField(label=_("Enrolment fees"), required=False, initial=True)
    covers_insurance = forms.BooleanField(label=_("Insurance"), required=False, initial=True)
    covers_work_clothing = forms.BooleanField(
        label=_("Work clothing"), required=False, initial=True
    )
    covers_travel = forms.BooleanField(label=_("Travel costs"), required=False, initial=True)
    covers_other = forms.CharField(
        label=_("Other costs covered"), required=False, max_length=2000, widget=text_area(2)
    )
    # The time of the draft this form was opened on: a save over a newer change is refused.
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_updated_at(self) -> datetime.datetime | None:
        value = self.cleaned_data.get("updated_at") or ""
        if not value:
            return None
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("This form is out of date; reload the page."))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The end must come after the start."))
        per_year, in_person = data.get("evaluations_per_year"), data.get("evaluations_in_person")
        if per_year and in_person and in_person > per_year:
            self.add_error(
                "evaluations_in_person",
                _("The in-person evaluations are part of the yearly evaluations."),
            )
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "updated_at"}

    @staticmethod
    def initial_from(data: dict) -> dict:
        """Form initial values from a version's field values (or a prefill proposal)."""
        return {k: v for k, v in data.items() if k in VersionForm.base_fields}


# --- lifecycle -------------------------------------------------------------------------------


class PresentForm(StyledForm):
    presented_on = date_field(
        _("Presented to the client on"),
        help_text=_("The 5-day reflection period starts on this day."),
    )


class SignForm(StyledForm):
    ocmw_signatory_name = forms.CharField(label=_("Signed for the OCMW by"), max_length=200)
    ocmw_signatory_capacity = forms.CharField(
        label=_("In the capacity of"),
        max_length=200,
        help_text=_("E.g. chair of the special committee, general director, or their delegate."),
    )
    client_signed_on = date_field(_("Signed by the client on"))
    ocmw_signed_on = date_field(_("Signed for the OCMW on"))
    counsellor_signed_on = date_field(_("Signed by the counsellor on"))
    partners_signed_on = date_field(_("Signed by the partners on"), required=False)
    reflection_waived = forms.BooleanField(
        label=_("The client explicitly waived the reflection period"), required=False
    )
    reflection_waiver_note = forms.CharField(
        label=_("How the waiver was given"),
        required=False,
        max_length=2000,
        widget=text_area(2),
        help_text=_("E.g. “asked orally to sign today, written on the contract and initialled”."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reflection_waived") and not (data.get("reflection_waiver_note") or "").strip():
            self.add_error(
                "reflection_waiver_note", _("Record how the client waived the reflection period.")
            )
        return data


class EndForm(StyledForm):
    reason = forms.ChoiceField(
        label=_("Reason for ending"),
        choices=[(v, label) for v, label in EndReason.choices if v != EndReason.REPLACED],
        error_messages={"required": _("Choose why the contract ends.")},
    )
    ended_on = date_field(_("Ended on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=text_area(2))


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=2000,
        widget=text_area(2),
        error_messages={"required": _("Give a reason for withdrawing.")},
    )


# --- consent for the electronic social report -----------------------------------------------


class ConsentForm(StyledForm):
    given = forms.TypedChoiceField(
        label=_("The client"),
        coerce=lambda value: value == "yes",
        choices=[
            ("yes", _("gives consent to include the GPMI")),
            ("no", _("withdraws or refuses consent")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether consent is given or withdrawn.")},
    )
    date = date_field(_("Date"))
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=text_area(2))


# --- list and statistics filters ---------------------------------------------------------------


class GpmiFilterForm(StyledForm):
    """The filters of the GPMI list. An unknown value is an error, never a 500."""

    type = forms.TypedChoiceField(
        label=_("Type"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All types")), *[(t.value, t.label) for t in GpmiType]],
        error_messages={"invalid_choice": _("Unknown GPMI type: %(value)s.")},
    )
    status = forms.ChoiceField(
        label=_("Status of the current version"),
        required=False,
        choices=[
            ("", _("All statuses")),
            *VersionStatus.choices,
            ("none", _("No version (exemption, or not drafted yet)")),
        ],
        error_messages={"invalid_choice": _("Unknown status: %(value)s.")},
    )
    ends_within = forms.IntegerField(
        label=_("Subsidy period ends within (days)"),
        required=False,
        min_value=0,
        max_value=3660,
        error_messages={
            "invalid": _("Give the number of days as a whole number, e.g. 30."),
            "min_value": _("Give a number of days from 0 to 3660."),
            "max_value": _("Give a number of days from 0 to 3660."),
        },
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(s, s) for s in SORTS] + [(f"-{s}", f"-{s}") for s in SORTS],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Unknown sort order: %(value)s.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_within"].widget.attrs.update({"inputmode": "numeric", "min": 0})


class YearForm(forms.Form):
    year = forms.IntegerField(
        error_messages={"invalid": _("Give the year as four digits, e.g. 2026.")},
    )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        last = timezone.localdate().year
        if not STATISTICS_FIRST_YEAR <= year <= last:
            raise ValidationError(
                _("Choose a year from %(first)d to %(last)d.")
                % {"first": STATISTICS_FIRST_YEAR, "last": last}
            )
        return year
