"""trajecten migration 0009: "any contact that is not a handover note since a
date" for a client is answered from ``contact_client_date_type_idx`` alone (the
team overview's and the reminders' no-contact test, once per open file)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_no_contact_test_reads_the_index_alone():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "EXPLAIN SELECT 1 FROM trajecten_contact c WHERE c.client_id = %s "
            "AND c.date >= %s AND c.type <> %s",
            [1, "2026-01-01", "handover"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using contact_client_date_type_idx" in plan


def test_the_index_holds_client_date_and_type():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'contact_client_date_type_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "(client_id, date DESC) INCLUDE (type)" in definition
