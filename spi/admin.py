"""What the OCMW administrator maintains for the SPI service: the measures
catalogue, the partners (with their contact people, and merging duplicates)
and the SPI settings.

An OCMW administrator (role ``admin``, staff in the Django admin) sees and
edits only their own OCMW's rows; a superuser of the installation sees all.
Partners are written through ``spi.services`` (the same validation as pages and
API), merging included.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from spi import services
from spi.models import ContactPerson, Measure, Partner, SpiSettings


def _is_platform_admin(request) -> bool:
    return request.user.is_active and request.user.is_superuser


def _is_ocmw_admin(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.ocmw_id is not None and user.is_ocmw_admin


class OcmwScopedAdmin(admin.ModelAdmin):
    """Rows of the administrator's own OCMW; ``ocmw`` is set, not chosen."""

    ocmw_path = "ocmw"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if _is_platform_admin(request):
            return qs
        return qs.filter(**{f"{self.ocmw_path}_id": request.user.ocmw_id})

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not _is_platform_admin(request) and self.ocmw_path == "ocmw":
            exclude.append("ocmw")
        return exclude

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not _is_platform_admin(request):
            filters = [f for f in filters if f != "ocmw"]
        return filters

    def save_model(self, request, obj, form, change):
        if not _is_platform_admin(request) and self.ocmw_path == "ocmw":
            obj.ocmw_id = request.user.ocmw_id
        super().save_model(request, obj, form, change)

    def has_module_permission(self, request):
        return _is_platform_admin(request) or _is_ocmw_admin(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        # Measures and partners are referenced by enrolments: deactivate or merge.
        return False


@admin.register(Measure)
class MeasureAdmin(OcmwScopedAdmin):
    list_display = (
        "name",
        "code",
        "category",
        "is_employment",
        "is_art60",
        "max_duration_months",
        "active",
        "ocmw",
    )
    list_filter = ("category", "is_employment", "is_art60", "active", "ocmw")
    list_editable = ("active",)
    search_fields = ("name", "code")
    actions = ["seed_defaults"]

    def get_readonly_fields(self, request, obj=None):
        # The code names the measure for the seeding and the statistics.
        return ("code",) if obj is not None else ()

    @admin.action(description=_("Add the missing Belgian default measures"))
    def seed_defaults(self, request, queryset):
        ocmws = {m.ocmw for m in queryset.select_related("ocmw")}
        if not _is_platform_admin(request):
            ocmws = {request.user.ocmw}
        for ocmw in ocmws:
            services.measure_catalogue_seed(ocmw=ocmw)
        self.message_user(request, _("The catalogue has every default measure."))


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 1
    fields = ("name", "role", "phone", "email")

    def has_view_permission(self, request, obj=None):
        return _is_platform_admin(request) or _is_ocmw_admin(request)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class MergedFilter(admin.SimpleListFilter):
    title = _("merged")
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("no", _("Active partners")), ("yes", _("Merged duplicates"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(merged_into__isnull=True)
        if self.value() == "yes":
            return queryset.filter(merged_into__isnull=False)
        return queryset


class PartnerAdminForm(forms.ModelForm):
    """Refuses a second partner with the same name in the OCMW (merge it instead)."""

    ocmw_id: int | None = None

    class Meta:
        model = Partner
        fields = ["ocmw", "name", "kind", "sector", "address", "phone", "email"]

    def clean(self):
        data = super().clean()
        ocmw = data.get("ocmw")
        ocmw_id = ocmw.pk if ocmw is not None else (self.instance.ocmw_id or self.ocmw_id)
        name = (data.get("name") or "").strip()
        same = Partner.objects.filter(
            ocmw_id=ocmw_id, name__iexact=name, merged_into__isnull=True
        ).exclude(pk=self.instance.pk)
        if name and same.exists():
            self.add_error("name", _("A partner with this name already exists in this OCMW."))
        return data


@admin.register(Partner)
class PartnerAdmin(OcmwScopedAdmin):
    list_display = ("name", "kind", "sector", "phone", "merged_into", "ocmw")
    list_filter = (MergedFilter, "kind", "ocmw")
    search_fields = ("name", "sector", "contacts__name")
    inlines = [ContactPersonInline]
    readonly_fields = ("merged_into",)
    fields = ("ocmw", "name", "kind", "sector", "address", "phone", "email", "merged_into")
    actions = ["merge_into_first"]
    ordering = ("name", "pk")
    form = PartnerAdminForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.ocmw_id = request.user.ocmw_id
        return form

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not _is_platform_admin(request):
            fields.remove("ocmw")
        return fields

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.PARTNER_FIELDS}
        if change:
            saved = services.partner_update(actor=request.user, partner=obj, data=data)
        else:
            if _is_platform_admin(request):
                data["ocmw"] = form.cleaned_data["ocmw"]
            saved = services.partner_create(actor=request.user, data=data)
        obj.pk = saved.pk
        obj.ocmw_id = saved.ocmw_id

    @admin.action(description=_("Merge selected duplicates into the first"))
    def merge_into_first(self, request, queryset):
        """The first selected partner (by name) is kept; the others are merged into it."""
        chosen = list(queryset.order_by("name", "pk"))
        if len(chosen) < 2:
            self.message_user(
                request, _("Select the partner to keep and its duplicates."), messages.WARNING
            )
            return
        keep, duplicates = chosen[0], chosen[1:]
        try:
            for duplicate in duplicates:
                services.partner_merge(actor=request.user, keep=keep, duplicate=duplicate)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [])) or _("You may not merge these partners.")
            self.message_user(request, text, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d duplicate merged into %(keep)s.",
                "%(count)d duplicates merged into %(keep)s.",
                len(duplicates),
            )
            % {"count": len(duplicates), "keep": keep},
        )


@admin.register(SpiSettings)
class SpiSettingsAdmin(OcmwScopedAdmin):
    list_display = ("ocmw", "art60_warning_days", "aftercare_months")

    def has_add_permission(self, request):
        if not self.has_module_permission(request):
            return False
        if _is_platform_admin(request):
            return True
        return not SpiSettings.objects.filter(ocmw_id=request.user.ocmw_id).exists()
