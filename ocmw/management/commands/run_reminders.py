"""Run the reminders scan now, in this process (for operators and tests)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandParser

from ocmw import reminders


class Command(BaseCommand):
    help = "Run every deadline rule once and print the tasks created, closed and cancelled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Scan as if it were this day (YYYY-MM-DD).",
        )

    def handle(self, *args, **options) -> None:
        result = reminders.run_scan(today=options.get("today"))
        for kind, counts in result.per_kind.items():
            self.stdout.write(
                f"  {kind}: {counts['created']} created, {counts['closed']} closed, "
                f"{counts['cancelled']} cancelled"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} created, {result.closed} closed, "
                f"{result.cancelled} cancelled ({result.woken} snoozed tasks back) "
                f"in {result.seconds:.1f} s"
            )
        )
