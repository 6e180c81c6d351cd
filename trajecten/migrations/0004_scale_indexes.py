"""Indexes the reminders scan needs at big-city size (measured with ``seed_scale``).

``contact_home_visit_idx``: the home-visit rule (``trajecten.reminders.home_visit``)
takes each client's latest home visit. Without it that is a pass over every
journal contact ever recorded (2.4 million at 200,000 clients: ~1.0 s, growing
with the history); with it an index-only scan of the home visits alone (~0.35 s).

Raw SQL outside the model state on purpose: the index is partial on a literal
contact type and only the rule's raw SQL uses it, so the ORM need not know it
(``makemigrations`` stays clean without touching ``Contact.Meta``).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("trajecten", "0003_contact_shared_with")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS contact_home_visit_idx "
                "ON trajecten_contact (client_id, date) WHERE type = 'home_visit'"
            ),
            reverse_sql="DROP INDEX IF EXISTS contact_home_visit_idx",
        )
    ]
