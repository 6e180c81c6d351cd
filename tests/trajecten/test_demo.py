"""The trajectory demo data that ``python manage.py seed_demo`` loads (trajecten/demo.py).

- Running the command twice changes nothing: no duplicate trajectories, phase
  changes, contacts or anything else the demo makes.
- The demo trajectories cover the seven phases and ``closed``; every trajectory
  has a trail of phase changes that ends in its current phase, and no client
  has two open trajectories.

The demo is loaded once for the module (it takes seconds), inside a transaction
that is rolled back at the end; each test's own transaction nests in it.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from ocmw.models import Client
from spi.models import Outcome
from trajecten.models import (
    PHASES,
    Action,
    Contact,
    Evaluation,
    Goal,
    NeedsAnalysis,
    Phase,
    PhaseChange,
    Referral,
    ReferralStatus,
    Trajectory,
    TransitionKind,
)

pytestmark = pytest.mark.django_db

DEMO_MODELS = (
    Trajectory,
    PhaseChange,
    Contact,
    Referral,
    NeedsAnalysis,
    Goal,
    Action,
    Evaluation,
    Outcome,
)


def seed_demo() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def snapshot() -> dict:
    counts = {model.__name__: model.objects.count() for model in DEMO_MODELS}
    states = sorted(Trajectory.objects.values_list("pk", "phase", "version", "phase_since"))
    return {"counts": counts, "states": states}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The state right after one run of ``seed_demo``."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield snapshot()
        transaction.set_rollback(True)


def test_seed_demo_twice_creates_no_duplicates(demo):
    assert demo["counts"]["Trajectory"] > 0
    assert demo["counts"]["Contact"] > 0

    seed_demo()

    assert snapshot() == demo


def test_demo_covers_every_phase_with_a_trail_and_one_open_trajectory_per_client(demo):
    trajectories = Trajectory.objects.all()

    assert set(trajectories.values_list("phase", flat=True)) == {*PHASES, Phase.CLOSED}

    # Each trajectory's trail starts with its opening and ends in its current phase,
    # at the moment it entered that phase (the demo back-dates both consistently).
    for trajectory in trajectories.prefetch_related("changes"):
        changes = sorted(trajectory.changes.all(), key=lambda c: (c.at, c.pk))
        assert changes, trajectory
        assert changes[0].kind == TransitionKind.OPENED
        assert changes[-1].to_phase == trajectory.phase
        moves = [c for c in changes if c.kind != TransitionKind.REASSIGN]
        assert moves[-1].at == trajectory.phase_since
        assert trajectory.opened_on <= timezone.localdate()
    open_without_trail = Trajectory.objects.open().annotate(n=Count("changes")).filter(n=0)
    assert not open_without_trail.exists()

    two_open = Trajectory.objects.open().values("client").annotate(n=Count("pk")).filter(n__gt=1)
    assert list(two_open) == []

    # Nothing that took place is dated in the future.
    today = timezone.localdate()
    assert Contact.objects.aggregate(last=Max("date"))["last"] <= today
    assert Evaluation.objects.aggregate(last=Max("date"))["last"] <= today
    assert PhaseChange.objects.aggregate(last=Max("at"))["last"] <= timezone.now()


def test_demo_caseloads_and_waiting_clients(demo):
    open_trajectories = Trajectory.objects.open()
    by_counsellor = dict(
        open_trajectories.values_list("counsellor__username").annotate(n=Count("pk"))
    )
    assert by_counsellor["counsellor"] >= 15
    assert 5 <= by_counsellor["counsellor2"] < by_counsellor["counsellor"]

    pending = Referral.objects.filter(status=ReferralStatus.PROPOSED)
    assert pending.count() == 2
    assert set(pending.values_list("proposed_by__username", flat=True)) == {"socialworker"}
    declined = Referral.objects.get(status=ReferralStatus.DECLINED)
    assert declined.decline_reason

    main_clients = Client.objects.filter(ocmw__name__startswith="OCMW Brussel-Demo")
    without_trajectory = main_clients.exclude(trajectories__isnull=False)
    assert without_trajectory.count() >= 3
    # Some journal notes are confidential, and the phase history goes both ways.
    assert Contact.objects.filter(confidential=True).exists()
    kinds = set(PhaseChange.objects.values_list("kind", flat=True))
    assert {TransitionKind.SKIP, TransitionKind.BACK, TransitionKind.REOPEN} <= kinds
