from __future__ import annotations

import uuid

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ocmw import insz as insz_rules
from ocmw.models import Client, User
from ocmw.services import CASE_FIELDS, IDENTITY_FIELDS


class BelgianDateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", **(attrs or {})},
            format="%d/%m/%Y",
        )


class LongSelect(forms.Select):
    """A select of many options (a whole service's staff) rendered in one template:
    Django's own renders a template per option, a millisecond per ten options."""

    template_name = "ocmw/widgets/select.html"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ClientForm(forms.ModelForm):
    """Identity and contact data; case fields only for those who may see them."""

    insz = forms.CharField(
        label=_("National register number"),
        max_length=20,
        help_text=_("11 digits, e.g. 85.07.30-033.28. Bis numbers are accepted."),
    )
    languages_spoken = SimpleArrayField(
        forms.CharField(max_length=40),
        required=False,
        label=_("Languages spoken"),
        help_text=_("Separate with commas, e.g. Dutch, Arabic, French."),
        max_length=15,
    )
    responsible_social_worker = StaffChoiceField(
        queryset=User.objects.none(), required=False, label=_("Responsible social worker")
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_possible_duplicate = forms.BooleanField(
        required=False,
        label=_("I checked the list: this is a different person. Register anyway."),
    )

    class Meta:
        model = Client
        fields = list(IDENTITY_FIELDS) + list(CASE_FIELDS)
        widgets = {
            "birth_date": BelgianDateInput(),
            "leefloon_decision_date": BelgianDateInput(),
        }

    def __init__(self, *args, user: User, workers, case_fields: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_social_worker"].queryset = workers
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = _(
            "Filled in from the national register number when left empty."
        )
        self.fields["gender"].required = False
        if not case_fields:
            for name in CASE_FIELDS:
                del self.fields[name]
        if self.instance.pk:
            del self.fields["confirm_possible_duplicate"]
            del self.fields["submission_key"]
            self.initial.setdefault("row_version", self.instance.row_version)
            self.initial["insz"] = insz_rules.format_insz(self.instance.insz)
        else:
            del self.fields["row_version"]
            self.initial.setdefault("submission_key", uuid.uuid4())
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else ("form-select" if isinstance(field.widget, forms.Select) else "form-control")
            )
            field.widget.attrs.setdefault("class", css)

    def clean_insz(self) -> str:
        return insz_rules.validate(self.cleaned_data["insz"])

    def _post_clean(self) -> None:
        # Client.clean() also runs for fields that already failed here and then
        # adds a misleading second message (a too-long name "cannot be empty",
        # a mistyped INSZ "must be entered"). Keep the first, precise one.
        earlier = {field: errors.copy() for field, errors in self._errors.items()}
        super()._post_clean()
        self._errors.update(earlier)

    def service_data(self) -> dict:
        skip = {"submission_key", "row_version", "confirm_possible_duplicate"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    def add_service_error(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the right fields of this form."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("nl", "Nederlands"), ("fr", "Français")])
    next = forms.CharField(required=False, max_length=500)
