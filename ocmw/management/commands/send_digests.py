"""Send today's e-mail digests now, in this process (for operators and tests)."""

from __future__ import annotations

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandParser

from ocmw import digest


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        # argparse turns this into a usage error (a CommandError under call_command).
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Send the daily task digests by e-mail and print how many went out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=_day,
            help="Send the digests of this day (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args, **options) -> None:
        run = digest.send_digests(today=options.get("date"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.sent} sent, {run.skipped} skipped (already sent), "
                f"{run.no_email} without e-mail address"
            )
        )
