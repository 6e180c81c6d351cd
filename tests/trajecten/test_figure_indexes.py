"""The index the team overview's figures read members' open trajectories from
(``trajecten.figures``, ``gpmi.figures``, ``spi.figures``, the case list's counts
per counsellor): the scope's open trajectories by counsellor, partial and covering
the id, phase and opening date too, so each figure is an index-only scan at
big-city size (migration 0007)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_open_trajectories_by_counsellor_index_covers_what_the_figures_read():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'trajecten_trajectory' "
            "AND indexname = 'trajectory_open_handler_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "(counsellor_id, client_id) INCLUDE (id, phase, opened_on)" in definition
    assert "WHERE (NOT ((phase)::text = 'closed'::text))" in definition
