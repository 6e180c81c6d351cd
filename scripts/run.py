"""`make run`: gunicorn (WhiteNoise serves static files) + a Celery worker with beat.

Ctrl-C stops both, and the embedded PostgreSQL when this process started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_USERS = [
    ("intake", "intake desk"),
    ("socialworker", "social worker (general social service)"),
    ("counsellor", "counsellor (SPI)"),
    ("counsellor2", "counsellor (SPI), French interface"),
    ("teamlead", "team lead"),
    ("admin", "OCMW administrator"),
    ("other", "counsellor of a second OCMW"),
]


def main() -> int:
    os.chdir(ROOT)
    (ROOT / ".run").mkdir(exist_ok=True)
    embedded = not os.environ.get("DATABASE_URL")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="ocmw.settings")
    processes = [
        subprocess.Popen(  # noqa: S603 - fixed argument list
            [
                str(BIN / "gunicorn"),
                "ocmw.wsgi:application",
                "--bind",
                "127.0.0.1:8000",
                "--workers",
                os.environ.get("WEB_CONCURRENCY", "3"),
                "--access-logfile",
                "-",
            ],
            env=env,
        ),
        subprocess.Popen(  # noqa: S603 - fixed argument list
            [
                str(BIN / "celery"),
                "-A",
                "ocmw",
                "worker",
                "-B",
                "--pool=solo",
                "--loglevel=INFO",
                "--schedule",
                str(ROOT / ".run" / "celerybeat-schedule"),
            ],
            env=env,
        ),
    ]
    print("\n  OCMW trajecten is running on http://127.0.0.1:8000/")
    print("  Demo logins (password: demo):")
    for username, role in DEMO_USERS:
        print(f"    {username:<13} {role}")
    print("  Press Ctrl-C to stop.\n", flush=True)

    def stop(*_args):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.time() + 10
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                process.kill()
        if embedded:
            from ocmw.embedded_db import stop as stop_db

            stop_db()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for process in processes:
            if process.poll() is not None:
                print(f"A process stopped (exit code {process.returncode}); stopping everything.")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
