"""Two scans at once (two workers, or a rerun of a killed one) make no duplicates."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from ocmw.models import Task
from ocmw.reminders import run_scan
from tests.reminders.conftest import at


@pytest.mark.django_db(transaction=True)
def test_two_scans_in_parallel_create_each_task_once(spi_trajectory, colleague_trajectory):
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(run_scan(today=datetime.date(2026, 5, 10)))
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    with at(datetime.date(2026, 5, 10)):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    # 3 kinds (no contact, evaluation, home visit) x 2 trajectories, each once.
    assert Task.objects.count() == 6
    assert sum(r.created for r in results) == 6
