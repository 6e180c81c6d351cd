"""``Gpmi.concluded``: the GPMI has (had) a signed version.

The flag replaces the look through every GPMI's versions in the "past the legal
deadline" figure of the team overview and in the ``gpmi_to_conclude`` reminder.
It is set by signing (the only way into signed, running and ended) and never
cleared; migration 0003 fills it from the versions; the figure and the rule
count exactly what the versions say, from the partial index.
"""

# The reference queries are built from model table names only.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, migrations

from gpmi import services
from gpmi.figures import decided_before, past_deadline_figure, past_deadline_sql
from gpmi.models import CONCLUDED_STATUSES, EndReason, Gpmi, GpmiType, GpmiVersion
from gpmi.reminders import gpmi_to_conclude
from tests.gpmi.conftest import gpmi_version_data
from trajecten.models import Phase, Trajectory

D = datetime.date
MARCH_10 = datetime.datetime(2026, 3, 10, 10, 0)


def concluded(gpmi: Gpmi) -> bool:
    return Gpmi.objects.get(pk=gpmi.pk).concluded


def from_versions(gpmi: Gpmi) -> bool:
    return GpmiVersion.objects.filter(gpmi=gpmi, status__in=CONCLUDED_STATUSES).exists()


def signed_version(counsellor, gpmi, gpmi_sign, on=D(2026, 3, 9), **fields) -> GpmiVersion:
    """A version of ``gpmi`` presented on 02/03/2026 and signed on ``on`` (clock at 10/03)."""
    with time_machine.travel(MARCH_10, tick=False):
        draft = services.version_create(
            actor=counsellor, gpmi=gpmi, data=gpmi_version_data(**fields)
        )
        presented = services.version_present(actor=counsellor, version=draft, on=D(2026, 3, 2))
        return gpmi_sign(presented, on)


def new_gpmi(counsellor, trajectory, type=GpmiType.GENERAL, **extra) -> Gpmi:
    return services.gpmi_create(actor=counsellor, trajectory=trajectory, type=type, **extra)


# --- the services keep it --------------------------------------------------


def test_a_new_gpmi_and_an_exemption_are_not_concluded(counsellor, gpmi_trajectory, gpmi_contract):
    exemption = new_gpmi(
        counsellor, gpmi_trajectory, GpmiType.EXEMPTION, exemption_reason="Ernstige ziekte"
    )
    assert not concluded(gpmi_contract)
    assert not concluded(exemption)


def test_drafting_presenting_and_withdrawing_leave_it_unconcluded(
    counsellor, gpmi_contract, gpmi_draft, gpmi_needs_analysis
):
    assert not concluded(gpmi_contract)
    with time_machine.travel(MARCH_10, tick=False):
        presented = services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 2))
        assert not concluded(gpmi_contract)
        services.version_withdraw(actor=counsellor, version=presented, reason="Weigert")
    assert not concluded(gpmi_contract)
    assert not from_versions(gpmi_contract)


def test_signing_concludes_the_gpmi_and_the_history_records_it(gpmi_contract, gpmi_signed):
    assert gpmi_signed.status == "active"
    assert concluded(gpmi_contract)
    assert gpmi_signed.gpmi.concluded  # the caller's object too
    event_model = apps.get_model("gpmi", "GpmiEvent")
    last = event_model.objects.filter(pgh_obj_id=gpmi_contract.pk).order_by("pgh_id").last()
    assert last.pgh_label == "update" and last.concluded


def test_a_refused_signature_leaves_it_unconcluded(
    counsellor, gpmi_contract, gpmi_draft, gpmi_needs_analysis, gpmi_sign
):
    with time_machine.travel(MARCH_10, tick=False):
        presented = services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 8))
        with pytest.raises(ValidationError):  # inside the 5-day reflection period
            gpmi_sign(presented, D(2026, 3, 9))
    assert not concluded(gpmi_contract)


def test_signed_before_its_start_then_running_then_ended_stays_concluded(
    counsellor, gpmi_contract, gpmi_needs_analysis, gpmi_sign
):
    version = signed_version(
        counsellor,
        gpmi_contract,
        gpmi_sign,
        start_date=D(2026, 4, 1),
        end_date=D(2027, 3, 31),
    )
    assert version.status == "signed"
    assert concluded(gpmi_contract)
    assert services.version_activate_due(actor=counsellor, today=D(2026, 4, 1)) == 1
    assert concluded(gpmi_contract)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False):
        services.version_end(
            actor=counsellor,
            version=GpmiVersion.objects.get(pk=version.pk),
            reason=EndReason.LEEFLOON_ENDED,
        )
    assert GpmiVersion.objects.get(pk=version.pk).status == "ended"
    assert concluded(gpmi_contract)
    assert from_versions(gpmi_contract)


def test_an_amendment_keeps_it_concluded(counsellor, gpmi_contract, gpmi_signed, gpmi_sign):
    with time_machine.travel(MARCH_10, tick=False):
        amendment = services.version_create(
            actor=counsellor, gpmi=gpmi_contract, data=gpmi_version_data()
        )
        assert concluded(gpmi_contract)
        services.version_withdraw(actor=counsellor, version=amendment, reason="Toch niet")
    assert concluded(gpmi_contract)


# --- a small world: every state, two counsellors, a closed trajectory --------


@pytest.fixture
def world(counsellor, colleague, gpmi_trajectory, gpmi_needs_analysis, gpmi_sign, spi_team):
    """GPMIs of ``counsellor``'s trajectory (leefloon decision 03/11/2025) in every
    state, and a colleague's trajectory whose GPMIs are signed or not."""
    from tests.factories import ClientFactory
    from trajecten import services as trajecten_services

    gpmis = {"none": new_gpmi(counsellor, gpmi_trajectory)}
    gpmis["draft"] = new_gpmi(counsellor, gpmi_trajectory)
    services.version_create(actor=counsellor, gpmi=gpmis["draft"], data=gpmi_version_data())
    gpmis["withdrawn"] = new_gpmi(counsellor, gpmi_trajectory)
    with time_machine.travel(MARCH_10, tick=False):
        draft = services.version_create(
            actor=counsellor, gpmi=gpmis["withdrawn"], data=gpmi_version_data()
        )
        services.version_withdraw(actor=counsellor, version=draft, reason="Weigert")
    gpmis["active"] = new_gpmi(counsellor, gpmi_trajectory)
    signed_version(counsellor, gpmis["active"], gpmi_sign)
    gpmis["signed"] = new_gpmi(counsellor, gpmi_trajectory)
    signed_version(
        counsellor, gpmis["signed"], gpmi_sign, start_date=D(2026, 4, 1), end_date=D(2027, 3, 31)
    )
    gpmis["recent"] = new_gpmi(counsellor, gpmi_trajectory, leefloon_decision_date=D(2026, 3, 1))
    gpmis["exemption"] = new_gpmi(
        counsellor, gpmi_trajectory, GpmiType.EXEMPTION, exemption_reason="Ernstige ziekte"
    )
    other = ClientFactory(
        responsible_social_worker=colleague, leefloon_decision_date=D(2025, 10, 1)
    )
    other_trajectory = trajecten_services.trajectory_open(
        actor=colleague, client=other, counsellor=colleague, team=spi_team, phase=Phase.SCREENING
    )
    gpmis["colleague_none"] = new_gpmi(colleague, other_trajectory)
    gpmis["colleague_none_2"] = new_gpmi(colleague, other_trajectory)
    return gpmis


LEGACY_FIGURE = (
    "SELECT t.counsellor_id, COUNT(*) "
    f"FROM {Gpmi._meta.db_table} g JOIN {Trajectory._meta.db_table} t "
    "ON t.id = g.trajectory_id "
    "WHERE t.counsellor_id = ANY(%s::bigint[]) AND t.phase <> %s AND g.type <> %s "
    "AND g.leefloon_decision_date < %s "
    f"AND NOT EXISTS (SELECT 1 FROM {GpmiVersion._meta.db_table} v "
    "WHERE v.gpmi_id = g.id AND v.status = ANY(%s)) "
    "GROUP BY t.counsellor_id"
)


def legacy_figure(member_ids, today) -> dict[int, int]:
    """The figure as it was: the versions of every GPMI looked through."""
    params = [
        member_ids,
        Phase.CLOSED,
        GpmiType.EXEMPTION,
        decided_before(today),
        [str(s) for s in CONCLUDED_STATUSES],
    ]
    with connection.cursor() as cursor:
        cursor.execute(LEGACY_FIGURE, params)
        return dict(cursor.fetchall())


def flags() -> dict[int, bool]:
    return dict(Gpmi.objects.values_list("pk", "concluded"))


def test_the_flags_of_the_world_follow_the_versions(world):
    assert flags() == {g.pk: from_versions(g) for g in Gpmi.objects.all()}
    assert {name for name, g in world.items() if concluded(g)} == {"active", "signed"}


def test_the_migration_fills_the_flag_from_the_versions(world):
    module = importlib.import_module("gpmi.migrations.0003_gpmi_concluded")
    (backfill,) = [op for op in module.Migration.operations if isinstance(op, migrations.RunSQL)]
    expected = flags()
    Gpmi.objects.update(concluded=False)  # the column as AddField leaves it
    with connection.cursor() as cursor:
        cursor.execute(backfill.sql)
    assert flags() == expected
    assert sum(expected.values()) == 2


@pytest.mark.parametrize("today", [D(2026, 3, 10), D(2026, 6, 1), D(2026, 6, 2), D(2027, 1, 1)])
def test_the_figure_counts_what_the_versions_say(world, counsellor, colleague, today):
    members = [counsellor.pk, colleague.pk]
    (figure,) = past_deadline_figure(members, today)
    assert figure.values == legacy_figure(members, today)
    if today == D(2026, 6, 2):
        # none, draft, withdrawn and recent (01/03 + 3 months = 01/06, past on 02/06).
        assert figure.values == {counsellor.pk: 4, colleague.pk: 2}


def test_a_closed_trajectory_drops_out_of_the_figure(world, counsellor, gpmi_trajectory):
    Trajectory.objects.filter(pk=gpmi_trajectory.pk).update(phase=Phase.CLOSED)
    today = D(2026, 6, 2)
    (figure,) = past_deadline_figure([counsellor.pk], today)
    assert figure.values == legacy_figure([counsellor.pk], today) == {}


def test_the_reminder_rule_lists_the_gpmis_the_versions_say(world):
    today = D(2026, 6, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.id FROM {Gpmi._meta.db_table} g "
            f"JOIN {Trajectory._meta.db_table} t ON t.id = g.trajectory_id "
            "WHERE g.type <> %s AND t.phase <> %s AND NOT EXISTS "
            f"(SELECT 1 FROM {GpmiVersion._meta.db_table} v "
            "WHERE v.gpmi_id = g.id AND v.status = ANY(%s))",
            [GpmiType.EXEMPTION, Phase.CLOSED, [str(s) for s in CONCLUDED_STATUSES]],
        )
        legacy = {row[0] for row in cursor.fetchall()}
    hits = {hit.subject_id for hit in gpmi_to_conclude(today)}
    assert hits == legacy
    names = {"none", "draft", "withdrawn", "recent", "colleague_none", "colleague_none_2"}
    assert hits == {world[name].pk for name in names}


def explain(sql: str, params, *disabled: str) -> str:
    with connection.cursor() as cursor:
        for setting in disabled:
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_figure_reads_the_gpmis_to_conclude_from_their_partial_index(world, counsellor):
    sql, params = past_deadline_sql([counsellor.pk], D(2026, 6, 2))
    plan = explain(sql, params, "seqscan")
    assert "gpmi_to_conclude_idx" in plan
    assert "gpmi_gpmiversion" not in plan
