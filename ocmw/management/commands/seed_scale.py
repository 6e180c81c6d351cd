"""Synthetic big-city data, fast (see ``ocmw/scale.py`` for what it makes).

    python manage.py seed_scale --clients 200000 [--ocmws 3] [--seed 1]

Runs the core's part (OCMWs, teams, staff, clients), then every app's seeder in
``registries.scale_seeders``, in one transaction, printing each step's time.
Running it again with the same values does nothing; other values on a database
that already holds scale data are refused (one data set per database).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from ocmw import registries, scale


class Command(BaseCommand):
    help = "Generate synthetic scale data with bulk inserts (idempotent per seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, required=True, help="number of clients")
        parser.add_argument("--ocmws", type=int, default=3, help="number of OCMWs (3)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")

    def handle(self, *args, clients: int, ocmws: int, seed: int, **options) -> None:
        try:
            plan = scale.ScalePlan.build(
                clients=clients, ocmws=ocmws, seed=seed, log=self.stdout.write
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        found = scale.existing_data(plan)
        if found == "same":
            self.stdout.write(
                f"Scale data for seed {seed} with {clients} clients is already there; "
                "nothing to do."
            )
            return
        if found:
            raise CommandError(found)
        started = time.monotonic()
        self.stdout.write(
            f"Seeding {clients} clients over {ocmws} OCMWs "
            f"(seed {seed}, today {plan.today:%d/%m/%Y})"
        )
        with transaction.atomic():
            triggers_off = self._triggers_off()
            scale.seed_core(plan)
            for seeder in registries.scale_seeders:
                step = time.monotonic()
                seeder(plan)
                self.stdout.write(
                    f"{seeder.__module__}: {time.monotonic() - step:.1f} s "
                    f"(total {time.monotonic() - started:.1f} s)"
                )
            if triggers_off:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        step = time.monotonic()
        self._analyze()
        self.stdout.write(f"statistics: {time.monotonic() - step:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"{clients} clients seeded in {time.monotonic() - started:.1f} s. "
                f"Logins (password '{scale.SCALE_PASSWORD}'): scale-c001 ... counsellors, "
                "scale-tl01 ... team leads, scale-sw001 ... social workers, scale-intake1 ..., "
                f"scale-admin1 ...; bench client: {scale.BENCH_FIRST_NAME} "
                f"{scale.BENCH_LAST_NAME} in every OCMW."
            )
        )

    def _triggers_off(self) -> bool:
        """Switch the audit triggers off for this transaction, when allowed to."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception as exc:  # noqa: BLE001 - any refusal means: keep them on
            self.stdout.write(f"Audit triggers stay on ({exc}); the load is slower.")
            return False
        self.stdout.write("Audit and foreign-key triggers off for the load (synthetic data).")
        return True

    def _analyze(self) -> None:
        """Fresh planner statistics (and, outside a transaction, the visibility map
        and hint bits, so the first reads after the load are not the slow ones)."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if not connection.in_atomic_block else "ANALYZE")
