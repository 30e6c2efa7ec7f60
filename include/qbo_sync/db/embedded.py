"""An embedded, real PostgreSQL for machines that have no server configured.

pgserver bundles the Postgres binaries in its wheel (CPython <= 3.12). On another
Python we fall back to ``initdb``/``pg_ctl`` found on the PATH; failing that we stop
with a message that says exactly what to do.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


class EmbeddedPostgresUnavailable(RuntimeError):
    pass


_HOW_TO = (
    "No database is configured and no embedded PostgreSQL could be started.\n"
    "Do one of these:\n"
    "  * use Python 3.11 or 3.12, where the 'pgserver' package bundles PostgreSQL "
    "(make PYTHON=python3.12 ...), or\n"
    "  * install PostgreSQL's server binaries so that 'initdb' and 'pg_ctl' are on the PATH "
    "(Debian/Ubuntu: apt-get install postgresql), and run as a non-root user, or\n"
    "  * point the project at a server: export QBO_SYNC_DATABASE_URL="
    "postgresql://USER:PASSWORD@HOST:5432/DBNAME"
)


def server_url(pgdata: Path) -> str:
    """Start (or join) the embedded server and return a URL to its ``postgres`` database."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver warns when XDG_RUNTIME_DIR is unset
        # pgserver logs at interpreter exit, when pytest has closed the streams.
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        try:
            import pgserver  # noqa: PLC0415 - optional; absent on Python 3.13+
        except ImportError:
            return _server_url_from_path_binaries(pgdata)
        # cleanup_mode=None: the server outlives this process so that the scheduler,
        # tasks, tests and the CLI share it; `make stop` stops it.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()


def stop(pgdata: Path) -> bool:
    """Stop the embedded server if it runs. Returns whether one was running."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    pg_ctl = _pg_ctl()
    cmd = [str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0 and _owner(pgdata) != "root":
        cmd = ["su", _owner(pgdata), "-s", "/bin/sh", "-c", " ".join(cmd)]
    return subprocess.run(cmd, capture_output=True, check=False).returncode == 0


def _owner(path: Path) -> str:
    import pwd  # noqa: PLC0415 - POSIX only

    return pwd.getpwuid(path.stat().st_uid).pw_name


def _pg_ctl() -> Path:
    try:
        from pgserver._commands import POSTGRES_BIN_PATH  # noqa: PLC0415

        return Path(POSTGRES_BIN_PATH) / "pg_ctl"
    except ImportError:
        found = shutil.which("pg_ctl") or _debian_bin("pg_ctl")
        if not found:
            raise EmbeddedPostgresUnavailable(_HOW_TO) from None
        return Path(found)


def _debian_bin(name: str) -> str | None:
    # Debian puts server binaries under /usr/lib/postgresql/<major>/bin, off the PATH.
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


def _server_url_from_path_binaries(pgdata: Path) -> str:
    initdb = shutil.which("initdb") or _debian_bin("initdb")
    pg_ctl = shutil.which("pg_ctl") or _debian_bin("pg_ctl")
    if not initdb or not pg_ctl or os.geteuid() == 0:
        # Postgres refuses to run as root; creating a system user is pgserver's job.
        raise EmbeddedPostgresUnavailable(
            f"{_HOW_TO}\n(Python {sys.version_info.major}.{sys.version_info.minor}; "
            f"initdb={'found' if initdb else 'not found'}, running as root={os.geteuid() == 0})"
        )
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [initdb, "-D", str(pgdata), "--auth=trust", "-U", "postgres", "--encoding=utf8"],
            check=True, capture_output=True,
        )
    if not (pgdata / "postmaster.pid").exists():
        subprocess.run(
            [pg_ctl, "-D", str(pgdata), "-w", "-l", str(pgdata / "log"),
             "-o", f"-h '' -k {pgdata}", "start"],
            check=True, capture_output=True,
        )
    return f"postgresql://postgres@/postgres?host={pgdata}"
