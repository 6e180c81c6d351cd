"""What the trajectory app contributes to the core registries (see ocmw/registries.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from trajecten.models import Trajectory


def handled_by_counsellor(staff: QuerySet) -> Q:
    """A client is handled by the counsellor of their open trajectory."""
    return Q(
        Exists(Trajectory.objects.open().filter(client=OuterRef("pk"), counsellor__in=staff))
    )


def timeline_entries(client, user, before, limit):
    return []


def client_panels(request, client):
    return []


def home_panels(request):
    return []
