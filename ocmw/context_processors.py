from functools import cache

from django.db.models import IntegerField, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocmw.models import Notification, Task, TaskStatus, User


class _Count(Subquery):
    """``COUNT(*)`` of a queryset, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset.order_by().values("pk"), **extra)


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
    if user.ocmw_id and user.is_team_lead:
        items.append(("team_overview", _("Team")))
        for name, label in (
            ("trajecten:analytics", _("Analytics")),
            ("gpmi:staff_time", _("Staff time")),
        ):
            if _url_if_installed(name):
                items.append((name, label))
    if user.ocmw_id and (user.is_team_lead or user.is_ocmw_admin):
        items.append(("annual_report", _("Annual report")))
    return {"nav_items": items}


def notifications(request):
    """The header counters: one query, and only when a page shows them.

    ``inbox_count`` is what waits in "My tasks" (the inbox): the user's open tasks
    due today or earlier plus their unread notifications. A task due later, or
    snoozed, waits without counting; so a full caseload does not turn the
    counter into noise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def header_counts() -> dict[str, int]:
        # Unread notifications and tasks due by today in one query, both on indexes.
        today = timezone.localdate()
        row = (
            User.objects.filter(pk=user.pk)
            .values(
                n_unread=_Count(
                    Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
                ),
                n_due_tasks=_Count(
                    Task.objects.filter(
                        responsible_id=user.pk, status=TaskStatus.OPEN, due_date__lte=today
                    )
                ),
            )
            .first()
        )
        return row or {"n_unread": 0, "n_due_tasks": 0}

    return {
        "unread_notifications": lambda: header_counts()["n_unread"],
        "due_task_count": lambda: header_counts()["n_due_tasks"],
        "inbox_count": lambda: header_counts()["n_unread"] + header_counts()["n_due_tasks"],
        "notifications_url": _url_if_installed("trajecten:notifications"),
    }
