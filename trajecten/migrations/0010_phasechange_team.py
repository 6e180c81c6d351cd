"""``PhaseChange.team``: the trajectory's team, copied onto each of its changes, so
that the team lead's analytics read a team's stays and moves with one range scan of
an index, instead of one probe per trajectory of the team (about 13,000 for a team
at 200,000 clients).

The column is added nullable and without its foreign key, filled with one
``UPDATE … FROM trajecten_trajectory`` (about 10 s for a million changes), made
NOT NULL, and only then given its foreign key: a deferred foreign key added before
the update would queue a check per row for the commit, and PostgreSQL refuses the
``ALTER TABLE`` of the NOT NULL while such checks are pending. Added afterwards it
is validated with one query. The indexes are built last, so the update maintains
none of them (``phasechange_stay_end_idx``, replaced, is dropped first).

The new indexes (see ``PhaseChange.Meta``): the team's stays that ended from a day on
(time in phase), the team's moves dated in a period (moves between phases), and
the closing move of a closed trajectory (endings, per trajectory), which
``phasechange_stay_end_idx`` served before. The scans are index-only once the table
is vacuumed again (``VACUUM ANALYZE trajecten_phasechange`` makes it immediate).
"""

import django.db.models.deletion
from django.db import migrations, models

# Also repairs a change whose team differs from its trajectory's (the test runs it so).
BACKFILL = """
UPDATE trajecten_phasechange AS c
SET team_id = t.team_id
FROM trajecten_trajectory AS t
WHERE t.id = c.trajectory_id AND c.team_id IS DISTINCT FROM t.team_id
"""

FOREIGN_KEY = "trajecten_phasechange_team_id_50b4a834_fk_ocmw_team_id"


class Migration(migrations.Migration):
    dependencies = [
        ("ocmw", "0005_perf1_scope_indexes"),
        ("trajecten", "0009_contact_date_type_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="phasechange", name="phasechange_stay_end_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="phasechange",
                    name="team",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ocmw.team",
                    ),
                    preserve_default=False,
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE trajecten_phasechange ADD COLUMN team_id bigint NULL",
                    reverse_sql="ALTER TABLE trajecten_phasechange DROP COLUMN team_id",
                ),
                migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
                migrations.RunSQL(
                    "ALTER TABLE trajecten_phasechange ALTER COLUMN team_id SET NOT NULL",
                    reverse_sql=(
                        "ALTER TABLE trajecten_phasechange ALTER COLUMN team_id DROP NOT NULL"
                    ),
                ),
                migrations.RunSQL(
                    f"ALTER TABLE trajecten_phasechange ADD CONSTRAINT {FOREIGN_KEY} "
                    "FOREIGN KEY (team_id) REFERENCES ocmw_team (id) DEFERRABLE INITIALLY DEFERRED",
                    reverse_sql=f"ALTER TABLE trajecten_phasechange DROP CONSTRAINT {FOREIGN_KEY}",
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="phasechange",
            index=models.Index(
                condition=models.Q(
                    models.Q(("kind", "reassign"), _negated=True),
                    models.Q(("to_phase", "closed"), _negated=True),
                ),
                fields=["team", "left_at"],
                include=("at", "to_phase"),
                name="phasechange_team_stay_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="phasechange",
            index=models.Index(
                condition=models.Q(("kind__in", ["advance", "skip", "back", "close", "reopen"])),
                fields=["team", "at"],
                include=("kind", "from_phase", "to_phase"),
                name="phasechange_team_move_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="phasechange",
            index=models.Index(
                condition=models.Q(("kind", "close"), ("left_at__isnull", True)),
                fields=["trajectory"],
                include=("from_phase",),
                name="phasechange_last_close_idx",
            ),
        ),
    ]
