"""Configuration the OCMW administrator maintains: OCMWs, teams and staff."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from ocmw.models import AccessLog, Ocmw, Team, User


@admin.register(Ocmw)
class OcmwAdmin(admin.ModelAdmin):
    list_display = ("name", "language_region")
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "ocmw", "service")
    list_filter = ("ocmw", "service")
    search_fields = ("name",)


class StaffChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        soft = cleaned.get("caseload_soft_limit")
        hard = cleaned.get("caseload_hard_limit")
        if soft is not None and hard is not None and hard < soft:
            self.add_error(
                "caseload_hard_limit", _("The hard limit cannot be below the soft limit.")
            )
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    list_display = ("username", "first_name", "last_name", "ocmw", "roles", "is_active")
    list_filter = ("ocmw", "is_active", "teams")
    filter_horizontal = ("teams", "groups", "user_permissions")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("OCMW"), {"fields": ("ocmw", "roles", "teams", "language")}),
        (
            _("Caseload limits"),
            {
                "fields": ("caseload_soft_limit", "caseload_hard_limit"),
                "description": _(
                    "Open trajectories. Above the soft limit the team overview highlights "
                    "the counsellor; the hard limit blocks a reassignment unless the team "
                    "lead confirms it."
                ),
            },
        ),
    )


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence and is never edited."""

    list_display = ("at", "user", "client", "action", "what", "page")
    list_filter = ("action",)
    date_hierarchy = "at"
    raw_id_fields = ("client", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
