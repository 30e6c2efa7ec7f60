"""The local environment behind ``make demo`` and ``make airflow``.

``python -m qbo_devkit.env run [--emulator] -- CMD ...`` makes sure the database
is up and migrated, Airflow's metadata DB is migrated, the Fernet key exists, the
Airflow connections point where they should, and (with ``--emulator``, when no
QuickBooks connection is configured) starts the QuickBooks emulator; then runs CMD.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qbo_sync.db.connection import airflow_connection_json, connect, database_url
from qbo_sync.db.embedded import EmbeddedPostgresUnavailable
from qbo_sync.db.migrations import MigrationError, migrate
from qbo_sync.settings import local_dir, project_root

# What can stop the environment from coming up, each with a message saying what to do.
SetupError = (EmbeddedPostgresUnavailable, MigrationError)

DB_CONN_ID = "qbo_sync_db"
QBO_CONN_ID = "quickbooks_default"
EMULATOR_PORT = int(os.environ.get("QBO_EMULATOR_PORT", "0"))  # 0: any free port


def _env_name(conn_id: str) -> str:
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def fernet_key() -> str:
    """The token-encryption key: from the environment, or a dev key kept in .local/."""
    if os.environ.get("QBO_SYNC_FERNET_KEY"):
        return os.environ["QBO_SYNC_FERNET_KEY"]
    from cryptography.fernet import Fernet

    path = local_dir() / "fernet.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def airflow_env() -> dict[str, str]:
    root = project_root()
    return {
        "QBO_SYNC_HOME": str(root),
        "AIRFLOW_HOME": os.environ.get("AIRFLOW_HOME", str(local_dir() / "airflow")),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "GX_ANALYTICS_ENABLED": "False",
        "PYTHONPATH": os.pathsep.join(
            [str(root / "include"), str(root / "plugins"), os.environ.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep),
    }


def ensure_airflow_db(env: dict[str, str]) -> None:
    """``airflow db migrate`` once per Airflow version (it takes seconds, not nothing)."""
    import airflow

    home = Path(env["AIRFLOW_HOME"])
    stamp = home / f".migrated-{airflow.__version__}"
    if stamp.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stamp.touch()


def prepare(env: dict[str, str] | None = None) -> dict[str, str]:
    """Database, key and Airflow settings for a child process; returns its environment."""
    env = dict(os.environ if env is None else env)
    url = database_url()
    with connect(url) as conn:
        applied = migrate(conn)
    if applied:
        print(f"database migrated: {', '.join(applied)}")
    env.update(airflow_env())
    env["QBO_SYNC_DATABASE_URL"] = url
    env["QBO_SYNC_FERNET_KEY"] = fernet_key()
    env.setdefault(_env_name(DB_CONN_ID), airflow_connection_json(url))
    ensure_airflow_db(env)
    return env


@contextlib.contextmanager
def quickbooks(env: dict[str, str]) -> Iterator[tuple[dict[str, str], Any]]:
    """Use the configured QuickBooks connection, or start the emulator and point at it.
    Yields the child environment and the emulator handle (None for a real QuickBooks)."""
    if env.get(_env_name(QBO_CONN_ID)):
        yield env, None
        return
    from qbo_emulator.testing import EmulatorProcess

    client_id = "demo-" + secrets.token_hex(6)
    client_secret = secrets.token_urlsafe(24)
    args = [
        "--port",
        str(EMULATOR_PORT),
        f"--client-id={client_id}",
        f"--client-secret={client_secret}",
    ]  # "=": a secret may start with "-"
    with EmulatorProcess(*args) as emu:
        env = dict(env)
        env[_env_name(QBO_CONN_ID)] = json.dumps(
            {
                "conn_type": "quickbooks",
                "login": client_id,
                "password": client_secret,
                "extra": {
                    "environment": "custom",
                    "api_base_url": emu.base_url,
                    "discovery_url": emu.discovery_url,
                },
            }
        )
        env["QBO_EMULATOR_URL"] = emu.base_url
        print(f"QuickBooks emulator listening on {emu.base_url}")
        yield env, emu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qbo_devkit.env", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="prepare the environment, then run a command in it")
    run.add_argument(
        "--emulator",
        action="store_true",
        help="start the QuickBooks emulator unless a QuickBooks connection is configured",
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("give a command after --")
    try:
        env = prepare()
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ctx = quickbooks(env) if args.emulator else contextlib.nullcontext((env, None))
    with ctx as (child_env, _emulator):
        return subprocess.run(cmd, env=child_env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
