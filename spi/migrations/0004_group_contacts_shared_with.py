"""Group-session contacts recorded before ``Contact.shared_with`` existed: set it to
the number of participants present, so the staff time report counts each session
once for its facilitator rather than once per participant."""

from django.db import migrations

BACKFILL = """
UPDATE trajecten_contact c SET shared_with = s.present
FROM (
    SELECT contact_id, COUNT(*) OVER (PARTITION BY session_id) AS present
    FROM spi_attendance WHERE status = 'present' AND contact_id IS NOT NULL
) s
WHERE c.id = s.contact_id AND c.shared_with <> s.present
"""


class Migration(migrations.Migration):
    dependencies = [
        ("spi", "0003_outcome_related_name"),
        ("trajecten", "0005_contact_type_handover"),
    ]

    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop)]
