"""`make bench`: the performance budget, measured on the scale data.

    python manage.py bench [--clients 200000] [--requests 30] [--only KEY ...]

1. Makes sure the scale data exists (``seed_scale --clients N``; idempotent).
2. For every page and API list of the budget: 3 warm-up requests, then
   ``--requests`` timed ones through Django's test client (server time: URL
   resolving, middleware, views, queries, templates; no network), the query count,
   and the *floor*: the slowest SQL query of the request run raw with
   ``EXPLAIN (ANALYZE)`` (median of 5), which no ORM can beat. The ratio
   page p50 / floor is the overhead of everything that is not that query.
3. The reminders scan (a full run over every rule), a GPMI contract PDF
   (``bench_pdf``) and a 100,000-row CSV export (time and peak memory growth).
4. Writes ``bench/results.json`` and ``bench/results.md`` (the table the README shows).

The pages are found by URL name only, so the core names no app. The bench users
are scale users (``seed_scale``); ``scale-head`` is a team lead who leads every
team of the largest OCMW, made here, so one list is big enough for the 1,000th
page and the 100,000-row export.
"""

from __future__ import annotations

import datetime
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from ocmw import reminders
from ocmw.gc_tuning import settle_after_startup
from ocmw.models import Client, Role, Team, User

OUT = Path(settings.BASE_DIR) / "bench"
TARGET_MS = 150
RATIO_TARGET = 3.0


@dataclass
class Target:
    key: str
    label: str
    persona: str
    url: str
    # The ≤ 3× page/floor target applies to this page.
    ratio_target: bool = False
    result: dict[str, Any] = field(default_factory=dict)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def url_or_none(name: str, *args: Any, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def explain_ms(sql: str, runs: int = 5) -> float:
    """Median execution + planning time of one SQL statement, run raw."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            times.append(plan["Execution Time"] + plan["Planning Time"])
    return statistics.median(times)


class Command(BaseCommand):
    help = "Measure every page of the performance budget on the scale data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--clients", type=int, default=200_000)
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--only", nargs="*", help="only these target keys (and sections)")
        parser.add_argument("--skip-seed", action="store_true")
        parser.add_argument(
            "--settle-only", action="store_true", help="only vacuum and analyze, then stop"
        )
        parser.add_argument(
            "--write", action="store_true", help="write bench/results.* even with --only"
        )

    def handle(self, *args, clients: int, requests: int, only: list[str] | None, **options):
        self.only = set(only or [])
        started = time.monotonic()
        if not options["skip_seed"] and not options["settle_only"]:
            call_command("seed_scale", clients=clients, stdout=self.stdout)
        self._settle()
        if options["settle_only"]:
            return
        self.ocmw_id = self._largest_ocmw()
        self.users = self._personas()
        results: dict[str, Any] = {
            "when": datetime.datetime.now().isoformat(timespec="seconds"),
            "machine": self._machine(),
            "data": self._data_size(),
            "pages": [],
        }
        for target in self._targets():
            if self.only and target.key not in self.only:
                continue
            self._measure(target, requests)
            results["pages"].append({"key": target.key, "label": target.label, **target.result})
        for key, func in (
            ("scan", self._scan),
            ("pdf", self._pdf),
            ("export", self._export),
        ):
            if not self.only or key in self.only:
                results[key] = func()
        loadtest = OUT / "loadtest.json"
        if loadtest.exists():
            results["loadtest"] = json.loads(loadtest.read_text())
        results["seconds"] = round(time.monotonic() - started, 1)
        OUT.mkdir(exist_ok=True)
        if not self.only or options["write"]:
            (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
            (OUT / "results.md").write_text(self._table(results))
        self.stdout.write(self._table(results))

    # --- set-up ------------------------------------------------------------------------

    def _settle(self) -> None:
        """What autovacuum does on a database in use, done now: fresh planner
        statistics (the reminders scan has just made ~150,000 tasks) and the
        visibility map that lets index-only scans skip the table."""
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        self.stdout.write(f"  vacuum and analyze: {time.perf_counter() - start:.1f} s")

    def _largest_ocmw(self) -> int:
        row = Client.objects.values("ocmw_id").annotate(n=Count("id")).order_by("-n").first()
        if row is None:
            raise SystemExit("No clients: run seed_scale first.")
        return row["ocmw_id"]

    def _personas(self) -> dict[str, User]:
        Trajectory = apps.get_model("trajecten", "Trajectory")
        open_counts = (
            Trajectory.objects.filter(client__ocmw_id=self.ocmw_id)
            .exclude(phase="closed")
            .values("counsellor_id")
            .annotate(n=Count("id"))
            .order_by("-n")
        )
        counsellor = User.objects.get(pk=open_counts[0]["counsellor_id"])
        intake = User.objects.filter(ocmw_id=self.ocmw_id, roles__contains=[Role.INTAKE]).first()
        lead = User.objects.filter(
            ocmw_id=self.ocmw_id,
            roles__contains=[Role.TEAM_LEAD],
            teams__members=counsellor,
        ).first()
        head, _ = User.objects.get_or_create(
            username="scale-head",
            defaults={
                "ocmw_id": self.ocmw_id,
                "roles": [Role.TEAM_LEAD],
                "first_name": "Hoofd",
                "last_name": "Sociale Dienst",
                "password": lead.password if lead else "!",
            },
        )
        head.teams.set(Team.objects.filter(ocmw_id=self.ocmw_id))
        Trajectory = apps.get_model("trajecten", "Trajectory")
        bench_counsellor = User.objects.get(
            pk=Trajectory.objects.filter(client=self._bench_client())
            .values_list("counsellor_id", flat=True)
            .first()
        )
        return {
            "counsellor": counsellor,
            "bench_counsellor": bench_counsellor,
            "intake": intake,
            "teamlead": lead,
            "head": head,
        }

    def _bench_client(self) -> Client:
        Contact = apps.get_model("trajecten", "Contact")
        client_id = (
            Contact.objects.filter(client__ocmw_id=self.ocmw_id, client__last_name="Benchmark")
            .values_list("client_id", flat=True)
            .first()
        )
        if client_id is None:  # the client with the most contacts
            client_id = (
                Contact.objects.filter(client__ocmw_id=self.ocmw_id)
                .values("client_id")
                .annotate(n=Count("id"))
                .order_by("-n")
                .values_list("client_id", flat=True)
                .first()
            )
        return Client.objects.get(pk=client_id)

    def _targets(self) -> list[Target]:
        client = self._bench_client()
        lead = self.users["teamlead"]
        team_id = lead.teams.filter(ocmw_id=self.ocmw_id).values_list("pk", flat=True).first()
        fuzzy = client.first_name[:-1] + " " + client.last_name  # one letter off
        year = datetime.date.today().year
        spec = [
            ("caseload", "Caseload", "counsellor", url_or_none("trajecten:caseload"), True),
            ("client_file", "Client file (200 contacts)", "bench_counsellor",
             url_or_none("client_detail", client.pk), False),
            ("search_insz", "Search: exact INSZ", "intake",
             url_or_none("client_list", query=f"q={client.insz}"), False),
            ("search_fuzzy", "Search: fuzzy name", "intake",
             url_or_none("client_list", query=f"q={fuzzy}"), False),
            ("team_overview", "Team overview", "teamlead", url_or_none("team_overview"), True),
            ("team_cases", "Team case list, first page", "teamlead",
             url_or_none("trajecten:team_cases"), True),
            ("team_cases_1000", "Team case list, page 1,000", "head", "PAGE_1000", True),
            ("analytics", "Trajectory analytics", "teamlead",
             url_or_none("trajecten:analytics", query=f"team={team_id}"), False),
            ("gpmi_statistics", "GPMI statistics", "teamlead",
             url_or_none("gpmi:statistics", query=f"year={year}"), False),
            ("tasks", "My tasks", "counsellor", url_or_none("task_list"), False),
            ("api_clients", "API: clients", "counsellor", "/api/v1/clients/", False),
            ("api_trajectories", "API: trajectories", "counsellor",
             "/api/v1/trajectories/", False),
            ("api_contacts", "API: contacts", "counsellor", "/api/v1/contacts/", False),
            ("api_gpmis", "API: GPMIs", "counsellor", "/api/v1/gpmis/", False),
            ("api_enrolments", "API: enrolments", "counsellor", "/api/v1/enrolments/", False),
        ]  # fmt: skip
        return [Target(k, label, persona, url, ratio) for k, label, persona, url, ratio in spec]

    # --- measuring -----------------------------------------------------------------------

    def _client_for(self, persona: str) -> HttpClient:
        http = HttpClient()
        http.force_login(self.users[persona])
        return http

    def _page_1000(self, http: HttpClient) -> str | None:
        """Follow the keyset 'next' links of the head's case list to page 1,000."""
        url = url_or_none("trajecten:team_cases")
        if url is None:
            return None
        for _ in range(999):
            html = http.get(url).content.decode()
            found = re.search(r'<a[^>]+rel="next"[^>]+href="([^"]+)"', html) or re.search(
                r'<a[^>]+href="([^"]+)"[^>]+rel="next"', html
            )
            if not found:
                return None
            url = found.group(1).replace("&amp;", "&")
            if url.startswith("?"):
                url = reverse("trajecten:team_cases") + url
        return url

    def _measure(self, target: Target, requests: int) -> None:
        http = self._client_for(target.persona)
        url = target.url
        if url == "PAGE_1000":
            url = self._page_1000(http)
        if not url:
            target.result = {"missing": True}
            self.stdout.write(f"  {target.label}: not available")
            return
        for _ in range(3):
            status = http.get(url).status_code
        settle_after_startup()  # as a web worker does once loaded (ocmw/wsgi.py)
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = http.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            http.get(url)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
        floor = None
        if slowest and slowest["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
            floor = explain_ms(slowest["sql"])
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        target.result = {
            "url": url,
            "status": status,
            "requests": requests,
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "queries": len(queries.captured_queries),
            "floor_ms": round(floor, 2) if floor is not None else None,
            # Every query of the request as the app saw it (round trips included).
            "sql_total_ms": round(
                sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1
            ),
            "ratio": round(p50 / floor, 1) if floor else None,
            "ratio_target": target.ratio_target,
            "main_query": slowest["sql"][:300] if slowest else "",
        }
        self.stdout.write(
            f"  {target.label:<34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"{len(queries.captured_queries):3d} queries  status {status}"
        )

    def _scan(self) -> dict[str, Any]:
        first = reminders.run_scan()
        second = reminders.run_scan()
        self.stdout.write(f"  reminders scan {first.seconds:.1f} s, rerun {second.seconds:.1f} s")
        return {
            "seconds": round(first.seconds, 1),
            "rerun_seconds": round(second.seconds, 1),
            "created": first.created,
            "closed": first.closed,
            "cancelled": first.cancelled,
        }

    def _pdf(self) -> dict[str, Any]:
        path = OUT / ".pdf.json"
        OUT.mkdir(exist_ok=True)
        call_command("bench_pdf", runs=20, json=str(path), stdout=self.stdout)
        figures = json.loads(path.read_text())
        path.unlink()
        return figures

    def _export(self) -> dict[str, Any]:
        url = url_or_none("trajecten:team_cases", query="format=csv")
        if url is None:
            return {"missing": True}
        http = self._client_for("head")
        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        start = time.perf_counter()
        response = http.get(url)
        rows = size = 0
        for chunk in response.streaming_content:
            rows += chunk.count(b"\n")
            size += len(chunk)
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        figures = {
            "rows": rows - 1,
            "mb": round(size / 1e6, 1),
            "seconds": round(seconds, 1),
            "python_peak_mb": round(peak / 1e6, 1),
            "rss_growth_mb": round(rss_growth / 1024, 1),
            "streaming": bool(getattr(response, "streaming", False)),
        }
        self.stdout.write(f"  CSV export {figures}")
        return figures

    # --- the report ------------------------------------------------------------------------

    def _machine(self) -> dict[str, Any]:
        cpu = ""
        try:
            cpu = next(
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            )
        except (OSError, StopIteration):
            pass
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        return {
            "cpus": os.cpu_count(),
            "cpu": cpu,
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
            "postgresql": pg,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform(),
            "git": subprocess.run(  # noqa: S603
                ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
                capture_output=True,
                text=True,
                cwd=settings.BASE_DIR,
                check=False,
            ).stdout.strip(),
        }

    def _data_size(self) -> dict[str, int]:
        sizes = {"clients": Client.objects.count(), "staff": User.objects.count()}
        for label in ("trajecten.Contact", "trajecten.Trajectory", "gpmi.GpmiVersion"):
            model = apps.get_model(label)
            with connection.cursor() as cursor:
                # The planner's estimate: an exact count of millions of rows is itself slow.
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [model._meta.db_table],
                )
                sizes[label.split(".")[1].lower()] = int(cursor.fetchone()[0])
        return sizes

    def _table(self, results: dict[str, Any]) -> str:
        machine = results["machine"]
        lines = [
            f"Measured {results['when']} on {machine['cpus']} CPUs ({machine['cpu']}), "
            f"{machine['memory_gb']} GB, PostgreSQL {machine['postgresql']}, "
            f"Python {machine['python']}, commit {machine['git']}; load average before "
            f"{machine['load_average']}. Data: {results['data']}.",
            "",
            "| page / endpoint | p50 ms | p95 ms | queries | all SQL ms | raw SQL floor ms "
            "| ratio | target |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for page in results["pages"]:
            if page.get("missing"):
                lines.append(f"| {page['label']} | – | – | – | – | – | – | not built |")
                continue
            ok = page["p95_ms"] <= TARGET_MS and page.get("status") == 200
            if page["ratio_target"] and page["ratio"] is not None:
                ok = ok and page["ratio"] <= RATIO_TARGET
            floor = page["floor_ms"] if page["floor_ms"] is not None else "–"
            ratio = page["ratio"] if page["ratio"] is not None else "–"
            lines.append(
                f"| {page['label']} | {page['p50_ms']} | {page['p95_ms']} | {page['queries']} | "
                f"{page.get('sql_total_ms', '–')} | {floor} | {ratio}× | "
                f"{'met' if ok else 'NOT MET'} |"
            )
        if "scan" in results:
            scan = results["scan"]
            lines.append(
                f"| reminders scan (full run) | {scan['seconds'] * 1000:.0f} | | | | | | "
                f"{'met' if scan['seconds'] <= 30 else 'NOT MET'} (≤ 30 s) |"
            )
        if "pdf" in results:
            pdf = results["pdf"]["signed"]
            lines.append(
                f"| GPMI PDF ({results['pdf']['pages']} pages, signed) | {pdf['median_ms']} | "
                f"{pdf['p95_ms']} | | | | | {'met' if pdf['median_ms'] <= 300 else 'NOT MET'}"
                " (median ≤ 300 ms) |"
            )
        if "export" in results and not results["export"].get("missing"):
            export = results["export"]
            growth = max(export["python_peak_mb"], export["rss_growth_mb"])
            lines.append(
                f"| CSV export, {export['rows']:,} rows | {export['seconds'] * 1000:.0f} "
                "| | | | | | "
                f"{'met' if growth <= 50 and export['streaming'] else 'NOT MET'} "
                f"(peak growth {growth} MB ≤ 50 MB) |"
            )
        if "loadtest" in results:
            load = results["loadtest"]
            ok = load["errors"] == 0 and load["p95_ms"] <= 300
            lines.append(
                f"| load test: {load['users']} users, {load['seconds']} s, think "
                f"{'-'.join(f'{x:g}' for x in load.get('think_seconds', []))} s, "
                f"{load['throughput_rps']} req/s, {load['errors']} errors | {load['p50_ms']} | "
                f"{load['p95_ms']} | | | | | {'met' if ok else 'NOT MET'} "
                "(0 errors, p95 ≤ 300 ms) |"
            )
        return "\n".join(lines) + "\n"
