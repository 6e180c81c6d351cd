"""The interim outcomes of the trajectory app move into ``spi.Outcome``.

spi 0002 copies every ``trajecten.Outcome`` row (same id, author, creation
time, type, start date and employer) and plans the aftercare checkpoints of the
starts of work from the OCMW's settings; trajecten 0002 then drops the old
table. Going back copies the outcomes back.

The test migrates the database back to trajecten 0001 + spi 0001, writes old
rows, migrates forward and back again, and always leaves the database at the
latest migrations.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from spi.models import Checkpoint, Outcome, SpiSettings
from trajecten import services as trajecten_services
from trajecten.models import Phase

BEFORE = [("trajecten", "0001_initial"), ("spi", "0001_initial")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_interim_outcomes_move_to_spi_with_their_checkpoints(
    counsellor, spi_case, case, teamlead, spi_team, ocmw
):
    job_trajectory = trajecten_services.trajectory_open(
        actor=counsellor,
        client=spi_case,
        counsellor=counsellor,
        team=spi_team,
        phase=Phase.JOB_PLACEMENT,
    )
    screening = trajecten_services.trajectory_open(
        actor=teamlead, client=case, counsellor=counsellor, team=spi_team, phase=Phase.SCREENING
    )
    SpiSettings.objects.create(ocmw=ocmw, aftercare_months=[12, 3])
    recorded_at = datetime.datetime(2026, 1, 20, 9, 15, tzinfo=datetime.UTC)
    end_state = latest()
    try:
        executor = migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("trajecten", "Outcome")
        old.objects.create(
            id=41,
            trajectory_id=job_trajectory.pk,
            type="regular_job",
            start_date=datetime.date(2026, 1, 31),
            employer="Logistiek Noord BV",
            recorded_by_id=counsellor.pk,
        )
        old.objects.create(
            id=42,
            trajectory_id=screening.pk,
            type="training",
            start_date=datetime.date(2026, 2, 2),
            employer="Bruxelles Formation",
            recorded_by_id=teamlead.pk,
        )
        old.objects.update(created_at=recorded_at)

        migrate(end_state)

        moved = {o.pk: o for o in Outcome.objects.all()}
        assert set(moved) == {41, 42}
        job = moved[41]
        assert (job.trajectory_id, job.type, job.start_date, job.employer) == (
            job_trajectory.pk,
            "regular_job",
            datetime.date(2026, 1, 31),
            "Logistiek Noord BV",
        )
        assert (job.recorded_by_id, job.created_at, job.contract_type) == (
            counsellor.pk,
            recorded_at,
            "none",
        )
        assert (moved[42].recorded_by_id, moved[42].employer) == (
            teamlead.pk,
            "Bruxelles Formation",
        )
        # Checkpoints for the start of work, at the OCMW's months; none for training.
        assert list(
            Checkpoint.objects.order_by("months").values_list("outcome_id", "months", "due_date")
        ) == [(41, 3, datetime.date(2026, 4, 30)), (41, 12, datetime.date(2027, 1, 31))]
        # The aftercare gate of the trajectory reads the moved outcome.
        assert list(job_trajectory.outcomes.values_list("pk", flat=True)) == [41]
        # New outcomes get fresh ids after the copied ones.
        new = Outcome.objects.create(
            trajectory=job_trajectory,
            type="temp_work",
            start_date=timezone.localdate(),
            recorded_by=counsellor,
        )
        assert new.pk > 42
        new.delete()

        # And back: the outcomes return to the trajectory app's table.
        executor = migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("trajecten", "Outcome")
        assert sorted(old.objects.values_list("pk", "type", "employer", "created_at")) == [
            (41, "regular_job", "Logistiek Noord BV", recorded_at),
            (42, "training", "Bruxelles Formation", recorded_at),
        ]
        spi_outcome = executor.loader.project_state(BEFORE).apps.get_model("spi", "Outcome")
        assert not spi_outcome.objects.exists()
    finally:
        migrate(end_state)
    assert Outcome.objects.count() == 2  # forward again: copied once more
