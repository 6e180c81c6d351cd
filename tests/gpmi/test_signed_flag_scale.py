"""``seed_scale`` writes the GPMIs with COPY, past the services: it fills
``Gpmi.concluded`` itself, and it must agree with the versions it writes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Exists, OuterRef

from gpmi.models import CONCLUDED_STATUSES, Gpmi, GpmiType, GpmiVersion


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_scale", clients=300, seed=11, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_the_seeded_flags_follow_the_versions(seeded, db):
    signed = GpmiVersion.objects.filter(gpmi=OuterRef("pk"), status__in=CONCLUDED_STATUSES)
    rows = list(Gpmi.objects.annotate(has_signed=Exists(signed)).values("concluded", "has_signed"))
    assert rows and all(row["concluded"] == row["has_signed"] for row in rows)
    assert any(row["concluded"] for row in rows)
    assert Gpmi.objects.filter(concluded=False).exclude(type=GpmiType.EXEMPTION).exists()
