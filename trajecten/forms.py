"""Forms of the trajectory pages.

They check the shape of the input and give a clear field error; the rules of
the domain (dates in the future, an action due before its goal, gates) live in
the models and services, whose ``ValidationError`` is put back on the fields
with ``add_service_error`` so the form keeps what was typed.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ocmw.forms import BelgianDateInput, LongSelect, StaffChoiceField
from trajecten.models import (
    PHASES,
    RECORDABLE_CONTACT_TYPES,
    W2_DOMAINS,
    ActionOwner,
    ClosingReason,
    Domain,
    DrivingLicence,
    GoalStatus,
    Horizon,
    Phase,
    Progress,
    Readiness,
    ReadinessItem,
)

MAX_CONTACT_MINUTES = 720
LANGUAGE_ROWS = 5
LANGUAGE_LEVELS = [
    ("", "—"),
    ("native", _("Mother tongue")),
    ("A1", "A1"),
    ("A2", "A2"),
    ("B1", "B1"),
    ("B2", "B2"),
    ("C1", "C1"),
    ("C2", "C2"),
]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class ServiceErrorsMixin:
    def add_service_error(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (or on the form)."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class StyledForm(ServiceErrorsMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


def _date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=BelgianDateInput(),
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy.")},
    )


# --- transitions -----------------------------------------------------------------


class TransitionForm(StyledForm):
    target = forms.ChoiceField(label=_("Move to"), choices=Phase.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    closing_reason = forms.ChoiceField(
        label=_("Closing reason"),
        required=False,
        choices=[("", "—"), *ClosingReason.choices],
    )
    closing_note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- referral ----------------------------------------------------------------------


class ReferralForm(StyledForm):
    """The readiness checklist: one status and note per precondition."""

    team = forms.ModelChoiceField(queryset=None, label=_("SPI team"), empty_label=None)
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why is the client ready for the SPI service now?"),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        for item, label in ReadinessItem.choices:
            self.fields[f"{item}_status"] = forms.ChoiceField(
                label=label,
                choices=Readiness.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose OK, needs attention or blocking.")},
            )
            self.fields[f"{item}_note"] = forms.CharField(
                label=_("Note on %(item)s") % {"item": label},
                required=False,
                max_length=1000,
            )
        _style(self)

    def checklist_rows(self):
        return [
            (item, label, self[f"{item}_status"], self[f"{item}_note"])
            for item, label in ReadinessItem.choices
        ]

    def checklist(self) -> dict:
        return {
            item: {
                "status": self.cleaned_data[f"{item}_status"],
                "note": self.cleaned_data.get(f"{item}_note", ""),
            }
            for item in ReadinessItem.values
        }


class AcceptReferralForm(StyledForm):
    counsellor = StaffChoiceField(queryset=None, label=_("Counsellor"), empty_label=None)
    phase = forms.ChoiceField(label=_("Start in phase"), initial=Phase.SCREENING)

    def __init__(self, *args, counsellors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = counsellors
        self.fields["phase"].choices = [(p, label) for p, label in Phase.choices if p in PHASES]


class DeclineReferralForm(StyledForm):
    decline_reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for declining.")},
    )


# --- journal -----------------------------------------------------------------------


class ContactForm(StyledForm):
    date = _date_field(_("Date"))
    type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *RECORDABLE_CONTACT_TYPES])
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=MAX_CONTACT_MINUTES,
        error_messages={
            "min_value": _("Give the duration in minutes: at least 1."),
            "max_value": _("A contact lasts at most 720 minutes (12 hours)."),
            "invalid": _("Give the duration as a whole number of minutes."),
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_CONTACT_MINUTES, "step": 1}),
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    confidential = forms.BooleanField(
        label=_("Confidential: only I and the team lead can read the summary"), required=False
    )

    @staticmethod
    def initial_from_query(query) -> dict[str, str]:
        """``?type=home_visit`` preselects the type (a task's link); anything
        else in the query string is ignored."""
        kind = query.get("type", "")
        recordable = {value for value, _label in RECORDABLE_CONTACT_TYPES}
        return {"type": kind} if kind in recordable else {}


# --- plan --------------------------------------------------------------------------


class GoalForm(StyledForm):
    title = forms.CharField(label=_("Goal"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    horizon = forms.ChoiceField(label=_("Horizon"), choices=Horizon.choices)
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    set_on = _date_field(_("Set on"), required=False)


class GoalStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class ActionForm(StyledForm):
    description = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.ChoiceField(label=_("Who"), choices=ActionOwner.choices)
    due_date = _date_field(_("Due date"), required=False)


class ActionDoneForm(StyledForm):
    done = forms.BooleanField(required=False)


# --- needs analysis -------------------------------------------------------------------


class NeedsAnalysisForm(StyledForm):
    """A new version of the needs analysis, usually prefilled from the latest."""

    date = _date_field(_("Date"))
    education = forms.CharField(
        label=_("Education and diplomas"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    work_experience = forms.CharField(
        label=_("Work experience"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    driving_licence = forms.ChoiceField(label=_("Driving licence"), choices=DrivingLicence.choices)
    competences = forms.CharField(
        label=_("Competences"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    likes = forms.CharField(
        label=_("I like"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    dislikes = forms.CharField(
        label=_("I don't like"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    own_project = forms.CharField(
        label=_("The client's own project, in their words"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expectations = forms.CharField(
        label=_("Expectations"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Domain.choices)
        for domain in W2_DOMAINS:
            self.fields[f"{domain}_situation"] = forms.CharField(
                label=_("Situation"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{domain}_needs"] = forms.CharField(
                label=_("Needs"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{domain}_support"] = forms.BooleanField(
                label=_("Support needed"), required=False
            )
            self.fields[f"{domain}_situation"].domain_label = labels[domain]
        for row in range(LANGUAGE_ROWS):
            self.fields[f"language_{row}"] = forms.CharField(
                label=_("Language"), required=False, max_length=40
            )
            self.fields[f"level_{row}"] = forms.ChoiceField(
                label=_("Level"), required=False, choices=LANGUAGE_LEVELS
            )
        _style(self)

    @staticmethod
    def initial_from(analysis) -> dict:
        """The fields of an earlier version, to start a new one from."""
        if analysis is None:
            return {}
        initial = {
            name: getattr(analysis, name)
            for name in (
                "education",
                "work_experience",
                "driving_licence",
                "competences",
                "likes",
                "dislikes",
                "own_project",
                "expectations",
            )
        }
        for domain in W2_DOMAINS:
            values = (analysis.domains or {}).get(domain, {})
            initial[f"{domain}_situation"] = values.get("situation", "")
            initial[f"{domain}_needs"] = values.get("needs", "")
            initial[f"{domain}_support"] = bool(values.get("support_needed"))
        for row, entry in enumerate((analysis.languages or [])[:LANGUAGE_ROWS]):
            initial[f"language_{row}"] = entry.get("language", "")
            initial[f"level_{row}"] = entry.get("level", "")
        return initial

    def domain_rows(self):
        labels = dict(Domain.choices)
        return [
            (
                domain,
                labels[domain],
                self[f"{domain}_situation"],
                self[f"{domain}_needs"],
                self[f"{domain}_support"],
            )
            for domain in W2_DOMAINS
        ]

    def language_rows(self):
        return [(self[f"language_{row}"], self[f"level_{row}"]) for row in range(LANGUAGE_ROWS)]

    def clean(self):
        data = super().clean()
        for row in range(LANGUAGE_ROWS):
            if data.get(f"level_{row}") and not (data.get(f"language_{row}") or "").strip():
                self.add_error(f"language_{row}", _("Name the language of this level."))
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "date": data["date"],
            "domains": {
                domain: {
                    "situation": data.get(f"{domain}_situation", ""),
                    "needs": data.get(f"{domain}_needs", ""),
                    "support_needed": bool(data.get(f"{domain}_support")),
                }
                for domain in W2_DOMAINS
            },
            "languages": [
                {"language": data[f"language_{row}"].strip(), "level": data.get(f"level_{row}", "")}
                for row in range(LANGUAGE_ROWS)
                if (data.get(f"language_{row}") or "").strip()
            ],
            **{
                name: data.get(name, "")
                for name in (
                    "education",
                    "work_experience",
                    "driving_licence",
                    "competences",
                    "likes",
                    "dislikes",
                    "own_project",
                    "expectations",
                )
            },
        }


# --- evaluations --------------------------------------------------------------------


class EvaluationForm(StyledForm):
    date = _date_field(_("Date"))
    in_person = forms.BooleanField(label=_("In a personal meeting"), required=False, initial=True)
    conclusion = forms.CharField(
        label=_("Conclusion"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_evaluation_on = _date_field(_("Next evaluation"), required=False)

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"progress_{goal.pk}"] = forms.ChoiceField(
                label=_("Progress"),
                required=False,
                choices=[("", _("Not evaluated")), *Progress.choices],
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000
            )
        _style(self)

    def goal_rows(self):
        return [(goal, self[f"progress_{goal.pk}"], self[f"note_{goal.pk}"]) for goal in self.goals]

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("date", "in_person", "conclusion", "next_evaluation_on")
        }

    def progress(self) -> dict[int, tuple[str, str]]:
        return {
            goal.pk: (
                self.cleaned_data[f"progress_{goal.pk}"],
                self.cleaned_data[f"note_{goal.pk}"],
            )
            for goal in self.goals
            if self.cleaned_data.get(f"progress_{goal.pk}")
        }


# --- caseload filter ------------------------------------------------------------------


class CaseloadFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        choices=[("", _("All phases")), *[(p, label) for p, label in Phase.choices if p in PHASES]],
    )


# --- the team case list and reassignment -------------------------------------------------

REASSIGN_NOTE_MAX = 2000
# How many files one bulk reassignment may move: a whole caseload, not a team.
REASSIGN_MAX = 200


def _staff_label(person) -> str:
    return person.get_full_name() or person.username


class TeamCaseFilterForm(forms.Form):
    """The filters and sort of the team case list (GET). Every value is checked
    against what the team lead may choose: a counsellor of another team, an
    unknown phase or a measure of another OCMW is a clear error, never data."""

    counsellor = forms.TypedChoiceField(
        label=_("Counsellor"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=LongSelect,
        error_messages={"invalid_choice": _("Choose a counsellor of a team you lead.")},
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        choices=[("", _("All phases")), *[(p, label) for p, label in Phase.choices if p in PHASES]],
        error_messages={"invalid_choice": _("Choose one of the seven phases.")},
    )
    overdue = forms.ChoiceField(
        label=_("Overdue task"),
        required=False,
        error_messages={"invalid_choice": _("Choose a kind of task from the list.")},
    )
    age = forms.ChoiceField(
        label=_("Age group"),
        required=False,
        error_messages={"invalid_choice": _("Choose an age group from the list.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    min_days_in_phase = forms.IntegerField(
        label=_("At least … days in the phase"),
        required=False,
        min_value=0,
        max_value=36500,
        error_messages={
            "invalid": _("Give the number of days as a whole number."),
            "min_value": _("Give 0 days or more."),
            "max_value": _("Give at most 36500 days."),
        },
        widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
    )
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Unknown sort order.")},
    )

    def __init__(
        self, *args, staff, kinds, ages, languages, sorts, extra_filters=(), user=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].choices = [
            ("", _("All")),
            *[(person.pk, _staff_label(person)) for person in staff],
        ]
        self.fields["overdue"].choices = [("", _("Any kind")), *kinds]
        self.fields["age"].choices = [("", _("All ages")), *ages]
        self.fields["language"].choices = [("", _("All languages")), *languages]
        self.fields["sort"].choices = [(value, value) for value in sorts]
        self.extra_filters = list(extra_filters)
        for case_filter in self.extra_filters:
            self.fields[case_filter.name] = forms.ChoiceField(
                label=case_filter.label,
                required=False,
                choices=[("", case_filter.empty_label or _("All")), *case_filter.choices(user)],
                error_messages={"invalid_choice": _("Choose a value from the list.")},
            )
        _style(self)

    def extra_values(self) -> list[tuple]:
        """``(CaseListFilter, value)`` for each registered filter that was given."""
        return [
            (case_filter, self.cleaned_data[case_filter.name])
            for case_filter in self.extra_filters
            if self.cleaned_data.get(case_filter.name)
        ]

    def filter_fields(self):
        return [field for field in self if field.name != "sort"]


class IdListField(forms.Field):
    """The ids of the selected rows (checkboxes named alike)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one client."),
        "invalid": _("The selection is not valid; select the clients again."),
        "too_many": _("Select at most %(max)d clients at once."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if any(item <= 0 for item in ids):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        ids = list(dict.fromkeys(ids))
        if len(ids) > REASSIGN_MAX:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": REASSIGN_MAX}
            )
        return ids


class ReassignForm(StyledForm):
    """Reassign the selected trajectories to another counsellor of the team."""

    trajectories = IdListField()
    to_counsellor = forms.TypedChoiceField(
        label=_("New counsellor"),
        coerce=int,
        widget=LongSelect,
        error_messages={
            "required": _("Choose the counsellor who takes over."),
            "invalid_choice": _("Choose a counsellor of a team you lead."),
        },
    )
    note = forms.CharField(
        label=_("Handover note"),
        max_length=REASSIGN_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASSIGN_NOTE_MAX}),
        help_text=_("Lands in each client's journal and in the new counsellor's notification."),
        error_messages={
            "required": _("Write a handover note for the new counsellor."),
            "max_length": _("Keep the handover note under 2,000 characters."),
        },
    )
    confirm_over_limit = forms.BooleanField(
        label=_("I confirm: reassign even though this exceeds the counsellor's hard limit."),
        required=False,
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, counsellors, **kwargs):
        super().__init__(*args, **kwargs)
        self.counsellors = {person.pk: person for person in counsellors}
        self.fields["to_counsellor"].choices = [
            ("", "—"),
            *[
                (
                    person.pk,
                    _("%(name)s (%(count)d open, limit %(limit)d)")
                    % {
                        "name": _staff_label(person),
                        "count": person.open_count,
                        "limit": person.caseload_soft_limit,
                    },
                )
                for person in counsellors
            ],
        ]
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())

    def selected_ids(self) -> set[int]:
        """The selection as posted, also when the form is not valid (to keep it)."""
        if not self.is_bound:
            return set()
        try:
            return set(self.fields["trajectories"].to_python(self.data.getlist("trajectories")))
        except ValidationError:
            return set()

    def target(self):
        return self.counsellors[self.cleaned_data["to_counsellor"]]
