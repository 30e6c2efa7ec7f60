"""What every benchmark needs: a scratch database, an emulator with the app's connection
pointed at it, a generated dataset with its tenants connected, and the machine's description.

Benchmarks never touch the demo's data: each run creates its own database on the same
server and drops it at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg

from qbo_sync.db.connection import connect, drop_database, ensure_database, with_dbname
from qbo_sync.db.sqlfiles import load_sql

CONN_ENV = "AIRFLOW_CONN_QUICKBOOKS_DEFAULT"
# Budget that never paces: what "limits off" means on our side.
UNLIMITED_BUDGET = {
    "requests_per_minute": 10_000_000,
    "batches_per_minute": 10_000_000,
    "requests_per_second": 0,
    "max_concurrent": 10,
    "max_tries": 4,
}


def server_url() -> str:
    """URL of the ``postgres`` database of the server the project uses (embedded or not)."""
    from qbo_sync.db import embedded
    from qbo_sync.settings import database_settings

    settings = database_settings()
    if settings.url:
        return with_dbname(settings.url, "postgres")
    return embedded.server_url(settings.embedded_dir)


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A fresh, migrated database for this benchmark run; dropped afterwards."""
    from qbo_sync.db.migrations import migrate

    server = server_url()
    name = f"qbo_bench_{os.getpid()}_{secrets.token_hex(3)}"
    ensure_database(server, name)
    url = with_dbname(server, name)
    try:
        with connect(url) as conn:
            migrate(conn)
        yield url
    finally:
        drop_database(server, name)


@dataclass
class Emulator:
    """A running emulator plus the app credentials it was started with."""

    process: Any
    client_id: str
    client_secret: str = ""
    limits: dict[str, Any] | None = None  # None: --no-limits

    def __repr__(self) -> str:  # never the secret
        return f"Emulator({self.process.base_url}, limits={self.limits})"

    def app_json(self, budget: dict[str, Any]) -> str:
        """The QuickBooks connection as Airflow would get it, with this budget."""
        return json.dumps(
            {
                "conn_type": "quickbooks",
                "login": self.client_id,
                "password": self.client_secret,
                "extra": {
                    "environment": "custom",
                    "api_base_url": self.process.base_url,
                    "discovery_url": self.process.sandbox_discovery_url,
                    **budget,
                },
            }
        )


@contextlib.contextmanager
def emulator(limits: dict[str, Any] | None) -> Iterator[Emulator]:
    """``limits``: {"minute_seconds", "requests_per_minute", "batches_per_minute",
    "max_concurrent"}, or None for ``--no-limits``."""
    from qbo_emulator.testing import EmulatorProcess

    client_id, client_secret = "bench-" + secrets.token_hex(4), secrets.token_urlsafe(16)
    # "--opt=value": a generated secret may start with "-", which argparse would take for an option.
    args = [f"--client-id={client_id}", f"--client-secret={client_secret}"]
    if limits is None:
        args.append("--no-limits")
    else:
        for key, value in limits.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
    with EmulatorProcess(*args) as process:
        yield Emulator(process, client_id, client_secret, limits)


@contextlib.contextmanager
def app_connection(emu: Emulator, budget: dict[str, Any]) -> Iterator[None]:
    """Point this process (and children it starts) at ``emu`` with ``budget``."""
    saved = {k: os.environ.get(k) for k in (CONN_ENV, "QBO_SYNC_FERNET_KEY")}
    os.environ[CONN_ENV] = emu.app_json(budget)
    if not saved["QBO_SYNC_FERNET_KEY"]:
        from cryptography.fernet import Fernet

        os.environ["QBO_SYNC_FERNET_KEY"] = Fernet.generate_key().decode()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def budget_for(limits: dict[str, Any]) -> dict[str, Any]:
    """Our budget for an emulator with ``limits``: the same numbers and the same minute,
    and the 429 pause scaled with the minute (QuickBooks says wait a minute)."""
    minute = float(limits["minute_seconds"])
    return {
        "requests_per_minute": limits["requests_per_minute"],
        "batches_per_minute": limits["batches_per_minute"],
        "max_concurrent": limits["max_concurrent"],
        "minute_seconds": minute,
        "throttle_wait_seconds": minute,
    }


def prepare_dataset(
    url: str, emu: Emulator, *, tenants: int, invoices: int, seed: int = 7, analyze: bool = True
) -> dict[str, Any]:
    """Empty the scratch database, generate clean data (no bad cases) and connect every
    tenant to a new, empty emulator company. Returns counts and the tenants' realms.

    ``analyze``: give the planner statistics first, as a live database has them; without
    them the first run after a bulk load is much slower (see bench/README.md)."""
    from qbo_devkit.generator.dataset import generate
    from qbo_devkit.provision import provision_tenant

    with connect(url) as conn:
        conn.execute(load_sql("admin/truncate_all"))
        conn.commit()
        manifest = generate(conn, seed=seed, tenants=tenants, invoices=invoices, bad_cases="none", replace=True)
        conn.commit()
        if analyze:
            conn.execute(load_sql("devkit/bench/analyze"))
            conn.commit()
        realms = {}
        for t in manifest.tenants:
            company = provision_tenant(
                conn,
                emu.process,
                t.id,
                region=t.region,
                tax_map=t.tax_code_map,
                connected_at=datetime.fromisoformat(t.connected_at),
                display_name_template=t.display_name_template,
            )
            realms[t.id] = company["realm_id"]
        conn.commit()
    return {"counts": manifest.counts, "realms": realms}


def window(run_id: str):
    from qbo_sync.extract.records import RunWindow

    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def run_status_counts(conn: psycopg.Connection, run_id: str) -> dict[str, int]:
    rows = conn.execute(load_sql("devkit/bench/run_status_counts"), {"run_id": run_id}).fetchall()
    return {f"{entity} {status}": int(n) for entity, status, n in rows}


# ---------------------------------------------------------------------- the machine
def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine(url: str | None = None) -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for dist in (
        "apache-airflow",
        "great_expectations",
        "psycopg",
        "pandas",
        "python-quickbooks",
        "intuit-oauth",
        "requests",
        "uvicorn",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    if url:
        with contextlib.suppress(psycopg.Error), connect(url) as conn:
            versions["postgresql"] = conn.execute(load_sql("devkit/bench/server_version")).fetchone()[0]
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "load_average_start": load_average(),
    }
