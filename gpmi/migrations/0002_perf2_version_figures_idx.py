"""A covering index for the GPMI statistics (``gpmi.selectors.statistics``).

The statistics read every version of each GPMI in scope (signing dates, status,
start and end, the evaluations asked): with the columns included, that is one
index-only probe per GPMI instead of a visit to the wide contract rows
(~210 MB at 200,000 clients).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("gpmi", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="gpmiversion",
            index=models.Index(
                fields=["gpmi", "number"],
                include=(
                    "status",
                    "start_date",
                    "ended_on",
                    "end_reason",
                    "client_signed_on",
                    "ocmw_signed_on",
                    "counsellor_signed_on",
                    "evaluations_per_year",
                    "evaluations_in_person",
                ),
                name="gpmi_version_figures_idx",
            ),
        ),
    ]
