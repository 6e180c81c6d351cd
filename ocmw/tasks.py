"""Celery tasks of the core. Thin: each one calls a service or the scan."""

from __future__ import annotations

import datetime

from celery import shared_task

from ocmw import reminders


@shared_task(name="ocmw.run_reminders_scan", acks_late=True, ignore_result=True)
def run_reminders_scan(today: str | None = None) -> dict[str, int]:
    """The reminders scan. Idempotent, so a rerun after a killed worker (acks_late)
    creates nothing twice: each rule commits on its own and the unique
    constraint on tasks absorbs whatever a half-finished run already wrote."""
    day = datetime.date.fromisoformat(today) if today else None
    result = reminders.run_scan(today=day)
    return {"created": result.created, "closed": result.closed, "cancelled": result.cancelled}


@shared_task(name="ocmw.send_digests", acks_late=True, ignore_result=True)
def send_digests(today: str | None = None) -> dict[str, int]:
    """The daily e-mail digest. A rerun sends nobody a second digest the same
    day: each mail is recorded in ``DigestLog`` in the transaction that sends it."""
    from ocmw import digest

    day = datetime.date.fromisoformat(today) if today else None
    return digest.send_digests(today=day).as_dict()
