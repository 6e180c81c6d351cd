"""The analytics read a team's changes with one range scan of an index each, with no
join per trajectory: ``phasechange_team_stay_idx`` (time in phase),
``phasechange_team_move_idx`` (moves between phases) and, per closed trajectory,
``phasechange_last_close_idx`` (endings). The planner picks them on big data; here
the sequential and bitmap scans are forbidden to see that it can.

Also: the migration fills ``PhaseChange.team`` with the trajectory's team (migrated
back to before it and forward again), and the seeders fill it.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from tests.trajecten.test_analytics import END, START, make_history
from trajecten import analytics
from trajecten.models import PhaseChange

BEFORE = [("trajecten", "0009_contact_date_type_index")]


def explain(sql: str, params, *disabled: str) -> str:
    with connection.cursor() as cursor:
        for setting in disabled:
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def history(teamlead, counsellor, colleague, spi_team, other_team, youth_team):
    make_history(teamlead, counsellor, spi_team, other_team, youth_team, handover_to=colleague)


@pytest.mark.django_db
@pytest.mark.parametrize("teams", [1, 2], ids=["one-team", "two-teams"])
def test_time_in_phase_reads_the_team_s_stays_from_one_index(history, spi_team, youth_team, teams):
    team_ids = [spi_team.pk, youth_team.pk][:teams]
    plan = explain(*analytics.phase_times_query(team_ids, START, END), "seqscan", "bitmapscan")
    # The ended stays and the stays going on after the period, from the index alone;
    # the stays going on now from the trajectories: no join anywhere.
    assert plan.count("Index Only Scan using phasechange_team_stay_idx") == 2
    assert "Join" not in plan and "Nested Loop" not in plan
    assert "Filter: ((kind)" not in plan  # the index's own condition


@pytest.mark.django_db
def test_the_moves_are_read_from_one_index(history, spi_team):
    sql, params = analytics.flow_rows([spi_team.pk], START, END).query.sql_with_params()
    plan = explain(sql, params, "seqscan", "bitmapscan")
    assert "Index Only Scan using phasechange_team_move_idx" in plan
    assert "trajecten_trajectory" not in plan
    assert "Join" not in plan and "Nested Loop" not in plan


@pytest.mark.django_db
def test_the_closing_move_of_each_ending_is_read_from_its_index(history, spi_team):
    sql, params = analytics.ending_rows([spi_team.pk], START, END).query.sql_with_params()
    plan = explain(sql, params, "seqscan", "bitmapscan")
    assert "Index Only Scan using phasechange_last_close_idx" in plan


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_team_of_every_change_with_the_trajectory_s(
    history, spi_team, youth_team
):
    stored = dict(PhaseChange.objects.values_list("pk", "team_id"))
    assert set(stored.values()) == {spi_team.pk, youth_team.pk}
    end_state = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'trajecten_phasechange'"
            )
            assert "team_id" not in {row[0] for row in cursor.fetchall()}
    finally:
        migrate(end_state)
    assert dict(PhaseChange.objects.values_list("pk", "team_id")) == stored
    assert not PhaseChange.objects.exclude(team_id=F("trajectory__team_id")).exists()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Small runs of both seeders, kept for the module."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_scale", clients=300, seed=7, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_seeders_give_every_change_its_trajectory_s_team(seeded):
    assert PhaseChange.objects.count() > 300
    assert PhaseChange.objects.values("team_id").distinct().count() > 1
    assert not PhaseChange.objects.exclude(team_id=F("trajectory__team_id")).exists()
