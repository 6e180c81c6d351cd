"""A real Celery worker, on the broker the settings name (Redis in CI, kombu's
filesystem broker on a developer's machine), runs the reminders scan and the
daily digest sent through that broker.

The worker runs in a thread of this process (``start_worker``, solo pool), so it
shares the locmem outbox with the test but opens its own database connection:
hence ``transactional_db``. It consumes from a queue of its own, which the test
empties and deletes afterwards, so nothing is left behind for another run on
the same broker (CI's Redis) and no other worker takes our messages. Results
go to the in-memory cache backend for this test only (the project ignores
results), so the test waits on them instead of sleeping.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from celery import signals
from celery.app.backends import by_url
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from kombu import Exchange, Queue

from ocmw.celery import app
from ocmw.models import DigestLog, Task, TaskStatus
from ocmw.tasks import run_reminders_scan, send_digests

TODAY = "2026-05-11"  # a Monday; the trajectory was opened on 05/01/2026
TIMEOUT = 60
RESULTS = "cache+memory://"


def _close_db(**kwargs):
    # The worker thread's own connection, closed after each task so that no
    # session outlives the test (pytest-django drops the test database at the end).
    connection.close()


@pytest.fixture
def worker_queue(settings):
    """A worker on its own queue, storing results in memory; everything it
    changed on the shared Celery app is put back afterwards."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    name = f"test-worker-{uuid.uuid4().hex[:12]}"
    saved = {
        key: app.conf[key]
        for key in ("result_backend", "worker_enable_remote_control", "worker_hijack_root_logger")
    }
    saved_consume_from = app.amqp.queues._consume_from
    # No broadcast (pidbox) queue and no logging take-over: only our queue is touched.
    app.conf.update(
        result_backend=RESULTS,
        worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
    )
    signals.task_postrun.connect(_close_db, weak=False)
    try:
        with start_worker(
            app,
            pool="solo",
            queues=[name],
            perform_ping_check=False,  # the ping task would use the shared default queue
            shutdown_timeout=TIMEOUT,
        ):
            yield name
    finally:
        signals.task_postrun.disconnect(_close_db)
        app.conf.update(saved)
        app.amqp.queues._consume_from = saved_consume_from
        app.amqp.queues.pop(name, None)
        with app.connection_for_write() as conn:
            queue = Queue(name, Exchange(name), routing_key=name)(conn.default_channel)
            # Declared on this channel first, so that deleting it also drops the
            # binding the broker keeps for it (Redis: the _kombu.binding.* sets).
            queue.declare()
            queue.purge()
            queue.delete()
        if app.conf.broker_url.startswith("filesystem://"):
            # The filesystem transport keeps an (emptied) exchange table file.
            options = app.conf.broker_transport_options or {}
            (Path(options.get("control_folder", "control")) / f"{name}.exchange").unlink(
                missing_ok=True
            )


def run_through_broker(task, queue: str, *args):
    """Send ``task`` through the broker and wait for the worker's answer."""
    sent = task.apply_async(args=args, queue=queue, ignore_result=False)
    backend_cls, url = by_url(RESULTS, app.loader)
    return AsyncResult(sent.id, backend=backend_cls(app=app, url=url), app=app).get(timeout=TIMEOUT)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_scan_and_sends_the_digests_once(
    worker_queue, spi_trajectory, spi_case, counsellor, teamlead
):
    assert app.conf.broker_url == django_settings.CELERY_BROKER_URL
    assert not Task.objects.exists()

    scanned = run_through_broker(run_reminders_scan, worker_queue, TODAY)

    # No contact since 05/01, evaluation and home visit due: three overdue tasks.
    assert scanned == {"created": 3, "closed": 0, "cancelled": 0}
    tasks = Task.objects.filter(client=spi_case, responsible=counsellor, status=TaskStatus.OPEN)
    assert sorted(tasks.values_list("kind", flat=True)) == [
        "evaluation_due",
        "home_visit",
        "no_contact",
    ]

    sent = run_through_broker(send_digests, worker_queue, TODAY)

    assert sent == {"sent": 2, "skipped": 0, "no_email": 0}
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {(counsellor.email,), (teamlead.email,)}
    own, escalated = by_recipient[(counsellor.email,)], by_recipient[(teamlead.email,)]
    assert own.subject == escalated.subject == "Your tasks for 11/05/2026"
    for message in (own, escalated):
        html = message.alternatives[0][0]
        for part in (message.body, html):
            assert "Rachid" in part and spi_case.file_number in part
            assert "Tahiri" not in part and spi_case.insz not in part
    assert "Overdue (3)" in own.body
    # Home visit (05/01) and no contact (16/02) are more than 14 days overdue; the
    # evaluation (05/05) is not yet.
    assert "Escalated (2)" in escalated.body and "Koen De Backer" in escalated.body
    assert set(DigestLog.objects.values_list("user_id", "item_count")) == {
        (counsellor.pk, 3),
        (teamlead.pk, 2),
    }

    # The same job again (a rerun after a killed worker): nobody gets a second mail.
    again = run_through_broker(send_digests, worker_queue, TODAY)

    assert again == {"sent": 0, "skipped": 2, "no_email": 0}
    assert len(mail.outbox) == 2
