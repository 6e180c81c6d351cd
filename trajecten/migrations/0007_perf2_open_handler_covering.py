"""The open trajectories by counsellor (``trajectory_open_handler_idx``, 0006), now
covering the trajectory id, phase and opening date as well.

The team overview counts each member's open trajectories by phase, those without
contact (one journal probe per trajectory, by client) and, in the GPMI and SPI
apps, their GPMIs and checkpoints (joined on the trajectory id): with these
columns in the index, each of those is an index-only scan instead of a visit to
~10,000 trajectory rows per query. The scope keeps reading its clients from it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("trajecten", "0006_perf1_scope_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="trajectory", name="trajectory_open_handler_idx"),
        migrations.AddIndex(
            model_name="trajectory",
            index=models.Index(
                condition=models.Q(("phase", "closed"), _negated=True),
                fields=["counsellor", "client"],
                include=["id", "phase", "opened_on"],
                name="trajectory_open_handler_idx",
            ),
        ),
    ]
