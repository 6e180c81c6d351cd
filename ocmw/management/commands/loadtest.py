"""A load test: simulated staff against gunicorn on loopback.

    python manage.py loadtest [--users 50] [--seconds 60] [--workers 4]

Starts gunicorn on a free loopback port with the project's WSGI app, logs in
``--users`` simulated staff members of the largest OCMW of the scale data (their
password is the scale password, ``scale``) and lets each of them work for
``--seconds``: counsellors (60 %) open their caseload, their tasks and one of
their clients' files; the intake desk (25 %) searches by INSZ and by name; team
leads (15 %) open the team overview, the case list and the analytics. Each user
thinks ``--think`` seconds between two pages (uniform, default 2 to 8 s: people
read the page they opened; with 0.5 to 1.5 s the 2-core machine saturates); each
starts after a random part of one think time, so arrivals are spread as they are
at any moment of a working day. Reports throughput, p50, p95 and errors (any
status of 400 or more, or a failed connection), overall and per page, and writes
``bench/loadtest.json``.

The load generator is standard-library Python threads (no locust), so it runs
anywhere the project runs; it shares the machine's cores with gunicorn, which
makes the figures conservative.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from ocmw.management.commands.bench import percentile as bench_percentile
from ocmw.models import Client, Role, User

PASSWORD = "scale"  # noqa: S105 - the scale data's shared password, never in production
OUT = Path(settings.BASE_DIR) / "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def url(name: str, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def percentile(values: list[float], fraction: float) -> float:
    return bench_percentile(values, fraction) if values else 0.0


class Session:
    """One simulated staff member: a cookie jar and a login."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def login(self) -> None:
        login_url = self.base + reverse("login")
        html = self.opener.open(login_url, timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            login_url, data=data, headers={"Referer": login_url}
        )
        final = self.opener.open(request, timeout=30).geturl()
        if "/accounts/login/" in final:
            raise CommandError(f"Could not log in as {self.username} (password 'scale'?).")

    def get(self, path: str) -> tuple[int, float]:
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        return status, (time.perf_counter() - start) * 1000


class Command(BaseCommand):
    help = "Load test: simulated staff against gunicorn on loopback."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument(
            "--think", default="2,8", help="seconds between two pages, min,max (2,8)"
        )

    def handle(self, *args, users: int, seconds: int, workers: int, **options) -> None:
        try:
            low, high = (float(x) for x in options["think"].split(","))
        except ValueError as exc:
            raise CommandError("--think takes two numbers: min,max (seconds).") from exc
        if not 0 <= low <= high:
            raise CommandError("--think: 0 <= min <= max.")
        self.think = (low, high)
        plan = self._plan(users)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - fixed argument list
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "ocmw.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            env=dict(os.environ, DJANGO_SETTINGS_MODULE="ocmw.settings"),
        )
        try:
            self._wait_for(base)
            results = self._run(base, plan, seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        results.update(users=users, seconds=seconds, workers=workers, think_seconds=self.think)
        OUT.mkdir(exist_ok=True)
        (OUT / "loadtest.json").write_text(json.dumps(results, indent=2) + "\n")
        self.stdout.write(self._report(results))

    def _wait_for(self, base: str) -> None:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.5)
        raise CommandError("gunicorn did not start.")

    def _plan(self, users: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(persona, username, [(page label, path)]) for every simulated user."""
        ocmw_id = (Client.objects.values("ocmw_id").annotate(n=Count("id")).order_by("-n").first())[
            "ocmw_id"
        ]
        Trajectory = apps.get_model("trajecten", "Trajectory")

        def staff(role: str) -> list[User]:
            return list(
                User.objects.filter(ocmw_id=ocmw_id, roles__contains=[role], is_active=True)
                .exclude(username="scale-head")
                .order_by("username")
            )

        counsellors, intakes, leads = (
            staff(Role.COUNSELLOR),
            staff(Role.INTAKE),
            staff(Role.TEAM_LEAD),
        )
        if not (counsellors and intakes and leads):
            raise CommandError("No scale data: run seed_scale first.")
        rng = random.Random(7)  # noqa: S311 - not cryptography
        names = list(Client.objects.filter(ocmw_id=ocmw_id).values_list("insz", "last_name")[:500])
        plan = []
        for number in range(users):
            share = number / users
            if share < 0.6:
                user = counsellors[number % len(counsellors)]
                clients = list(
                    Trajectory.objects.filter(counsellor=user)
                    .exclude(phase="closed")
                    .values_list("client_id", flat=True)[:20]
                )
                pages = [("caseload", url("trajecten:caseload")), ("tasks", url("task_list"))]
                pages += [("client file", url("client_detail", c)) for c in clients[:5]]
                plan.append(("counsellor", user.username, pages))
            elif share < 0.85:
                user = intakes[number % len(intakes)]
                sample = rng.sample(names, 10)
                pages = [("search INSZ", url("client_list", query=f"q={i}")) for i, _ in sample]
                pages += [
                    ("search name", url("client_list", query=urllib.parse.urlencode({"q": n})))
                    for _, n in sample
                ]
                plan.append(("intake", user.username, pages))
            else:
                user = leads[number % len(leads)]
                pages = [
                    ("team overview", url("team_overview")),
                    ("team cases", url("trajecten:team_cases")),
                    ("analytics", url("trajecten:analytics")),
                ]
                plan.append(("teamlead", user.username, pages))
        return [(p, u, [(label, path) for label, path in pages if path]) for p, u, pages in plan]

    def _run(self, base: str, plan, seconds: int) -> dict:
        sessions = []
        for persona, username, pages in plan:
            session = Session(base, username)
            session.login()
            sessions.append((persona, session, pages))
        samples: list[tuple[str, str, int, float]] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def work(persona: str, session: Session, pages, seed: int) -> None:
            rng = random.Random(seed)  # noqa: S311 - not cryptography
            # Each user starts as if in the middle of reading a page, as at any moment
            # of a working day: arrivals spread over one think time, not a burst of
            # 50 requests in the first second that no office ever sends.
            time.sleep(rng.uniform(0, self.think[1]))
            while time.monotonic() < deadline:
                label, path = rng.choice(pages)
                status, ms = session.get(path)
                with lock:
                    samples.append((persona, label, status, ms))
                time.sleep(rng.uniform(*self.think))

        started = time.monotonic()
        threads = [
            threading.Thread(target=work, args=(*entry, n), daemon=True)
            for n, entry in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        times = [ms for *_, ms in samples]
        errors = [s for s in samples if s[2] == 0 or s[2] >= 400]
        per_page = defaultdict(list)
        for _persona, label, _status, ms in samples:
            per_page[label].append(ms)
        return {
            "requests": len(samples),
            "throughput_rps": round(len(samples) / elapsed, 1),
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "errors": len(errors),
            "error_samples": [f"{label} {status}" for _p, label, status, _ms in errors[:10]],
            "pages": {
                label: {
                    "requests": len(values),
                    "p50_ms": round(statistics.median(values), 1),
                    "p95_ms": round(percentile(values, 0.95), 1),
                }
                for label, values in sorted(per_page.items())
            },
        }

    def _report(self, results: dict) -> str:
        lines = [
            f"Load test: {results['users']} users for {results['seconds']} s against gunicorn "
            f"({results['workers']} workers) on loopback, thinking "
            f"{results['think_seconds'][0]:g}-{results['think_seconds'][1]:g} s between pages",
            f"  {results['requests']} requests, {results['throughput_rps']} req/s, "
            f"p50 {results['p50_ms']} ms, p95 {results['p95_ms']} ms, "
            f"p99 {results['p99_ms']} ms, errors {results['errors']}",
        ]
        for label, page in results["pages"].items():
            lines.append(
                f"    {label:<14} {page['requests']:5d} requests  p50 {page['p50_ms']:7.1f} ms"
                f"  p95 {page['p95_ms']:7.1f} ms"
            )
        return "\n".join(lines) + "\n"
