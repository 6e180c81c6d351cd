"""Move the interim outcomes of the trajectory app into ``spi.Outcome``.

The trajectory issue kept a small ``trajecten.Outcome`` so the aftercare gate
had something to check. This copies every row, keeping its id (links and audit
history stay meaningful), its author, creation time, type, start date and
employer, and plans the aftercare checkpoints of each start of work at +N months
(the OCMW's ``SpiSettings.aftercare_months``, by default 1, 3, 6 and 12), as
``spi.services.outcome_record`` does. ``trajecten/migrations/0002`` then drops
the old table.

Rows are copied with SQL, not the ORM: ``created_at`` is ``auto_now_add`` and
the historical model would stamp it with the time of the migration.

The reverse copies the outcomes back (without the fields the old table does not
have: contract type and hours) and removes them, with their checkpoints, here.
"""

from dateutil.relativedelta import relativedelta
from django.core.management.color import no_style
from django.db import migrations

WORK_OUTCOMES = ("regular_job", "social_economy", "temp_work", "self_employed")
DEFAULT_MONTHS = [1, 3, 6, 12]


def _reset_sequences(schema_editor, *models) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def copy_outcomes(apps, schema_editor):
    Outcome = apps.get_model("spi", "Outcome")
    Checkpoint = apps.get_model("spi", "Checkpoint")
    SpiSettings = apps.get_model("spi", "SpiSettings")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO spi_outcome
                (id, trajectory_id, type, start_date, employer, contract_type,
                 hours_per_week, recorded_by_id, created_at)
            SELECT id, trajectory_id, type, start_date, employer, 'none',
                   NULL, recorded_by_id, created_at
            FROM trajecten_outcome
            ON CONFLICT (id) DO NOTHING
            """
        )
    months_by_ocmw = {
        row["ocmw_id"]: sorted(set(row["aftercare_months"] or DEFAULT_MONTHS))
        for row in SpiSettings.objects.values("ocmw_id", "aftercare_months")
    }
    planned = set(Checkpoint.objects.values_list("outcome_id", "months"))
    checkpoints = []
    work = Outcome.objects.filter(type__in=WORK_OUTCOMES).values(
        "pk", "start_date", "trajectory__client__ocmw_id"
    )
    for outcome in work.order_by("pk"):
        months = months_by_ocmw.get(outcome["trajectory__client__ocmw_id"], DEFAULT_MONTHS)
        for month in months:
            if (outcome["pk"], month) in planned:
                continue
            checkpoints.append(
                Checkpoint(
                    outcome_id=outcome["pk"],
                    months=month,
                    due_date=outcome["start_date"] + relativedelta(months=month),
                )
            )
    Checkpoint.objects.bulk_create(checkpoints)
    _reset_sequences(schema_editor, Outcome, Checkpoint)


def copy_outcomes_back(apps, schema_editor):
    Outcome = apps.get_model("spi", "Outcome")
    Checkpoint = apps.get_model("spi", "Checkpoint")
    OldOutcome = apps.get_model("trajecten", "Outcome")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO trajecten_outcome
                (id, trajectory_id, type, start_date, employer, recorded_by_id, created_at)
            SELECT id, trajectory_id, type, start_date, employer, recorded_by_id, created_at
            FROM spi_outcome
            ON CONFLICT (id) DO NOTHING
            """
        )
    Checkpoint.objects.all().delete()
    Outcome.objects.all().delete()
    _reset_sequences(schema_editor, OldOutcome)


class Migration(migrations.Migration):
    dependencies = [
        ("spi", "0001_initial"),
        ("trajecten", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_outcomes, copy_outcomes_back)]
