"""``PhaseChange.left_at``: when the trajectory left the phase a change entered, stored
instead of computed with ``LEAD`` over a team's whole history on every analytics page.

It is the ``at`` of the next change of the same trajectory that is not a change of
counsellor, ordered by (at, id); empty while the stay goes on and for the changes
of counsellor themselves. The backfill is one window-function ``UPDATE`` (about 13 s
for a million changes); from here on the services keep the column
(``trajecten.services``).

The index serves the three analytics queries, per trajectory of the team and from
the index alone: the stays that ended from a day on (time in phase), the moves dated
in a period and the closing move of a closed trajectory (the one whose stay has not
ended). It is built after the backfill, so the backfill does not maintain it. The
scans are index-only once the table is vacuumed again (autovacuum does so soon after
the backfill; ``VACUUM ANALYZE trajecten_phasechange`` makes it immediate).
"""

from django.db import migrations, models

BACKFILL = """
UPDATE trajecten_phasechange AS c
SET left_at = n.next_at
FROM (
    SELECT id, LEAD(at) OVER (PARTITION BY trajectory_id ORDER BY at, id) AS next_at
    FROM trajecten_phasechange
    WHERE kind <> 'reassign'
) AS n
WHERE c.id = n.id AND n.next_at IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [("trajecten", "0007_perf2_open_handler_covering")]

    operations = [
        migrations.AddField(
            model_name="phasechange",
            name="left_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="phasechange",
            index=models.Index(
                condition=models.Q(("kind", "reassign"), _negated=True),
                fields=["trajectory", "left_at"],
                include=("at", "kind", "from_phase", "to_phase"),
                name="phasechange_stay_end_idx",
            ),
        ),
    ]
