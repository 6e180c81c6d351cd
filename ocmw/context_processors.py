from functools import cache

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ocmw.models import Notification


def _url_if_installed(name: str) -> str:
    """The URL of a page an app contributes, or "" when that app is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def navigation(request):
    """The header menu, by role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", _("Home"))]
    if user.ocmw_id and (user.handles_cases or user.is_team_lead):
        if _url_if_installed("trajecten:caseload"):
            items.append(("trajecten:caseload", _("Caseload")))
    if user.ocmw_id and (user.is_intake or user.handles_cases or user.is_team_lead):
        items.append(("client_list", _("Clients")))
    if user.is_intake or user.handles_cases or user.is_team_lead:
        items.append(("client_create", _("Register client")))
    return {"nav_items": items}


def notifications(request):
    """The unread count for the header badge: one query, and only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_count() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {
        "unread_notifications": unread_count,
        "notifications_url": _url_if_installed("trajecten:notifications"),
    }
