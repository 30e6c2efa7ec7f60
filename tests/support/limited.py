"""An emulator that enforces QuickBooks' per-company limits (small ones, on a short "minute"),
with the test connection's budget told the same numbers: for runs larger than the batch
ceiling, which must go over batches and plain requests at once."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MINUTE = 3  # seconds in the emulator's rate-limit "minute"
# Limits small enough that 150 writes are more than the batches carry in a minute.
LIMITS = {"requests_per_minute": 120, "batches_per_minute": 4, "max_concurrent": 10}


def quickbooks_connection(monkeypatch, emu, **extra: Any) -> None:
    """The Airflow connection to ``emu`` (4 tries a request), with ``extra`` settings."""
    from cryptography.fernet import Fernet

    client_id, client_secret = emu.app_credentials
    conn = {
        "conn_type": "quickbooks",
        "login": client_id,
        "password": client_secret,
        "extra": {
            "environment": "custom",
            "api_base_url": emu.base_url,
            "discovery_url": emu.sandbox_discovery_url,
            "max_tries": 4,
            **extra,
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_QUICKBOOKS_DEFAULT", json.dumps(conn))
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", Fernet.generate_key().decode())


def room_for_plain_requests(monkeypatch, emu) -> None:
    """The connection to the session's emulator (no limits enforced) with our budget leaving
    room for plain requests beside the batches: a single record goes as a plain request."""
    quickbooks_connection(
        monkeypatch,
        emu,
        requests_per_minute=100000,
        batches_per_minute=1000,
        requests_per_second=0,
        max_concurrent=10,
    )


@contextmanager
def limited_emulator(monkeypatch) -> Iterator[Any]:
    """An emulator enforcing LIMITS on a MINUTE-second minute, and our budget told the same."""
    from qbo_emulator.testing import EmulatorProcess

    client_id, client_secret = "plain-" + secrets.token_hex(4), secrets.token_urlsafe(16)
    args = [f"--client-id={client_id}", f"--client-secret={client_secret}", f"--minute-seconds={MINUTE}"]
    args += [f"--{k.replace('_', '-')}={v}" for k, v in LIMITS.items()]
    with EmulatorProcess(*args) as emu:
        emu.app_credentials = (client_id, client_secret)
        quickbooks_connection(monkeypatch, emu, **LIMITS, minute_seconds=MINUTE, throttle_wait_seconds=MINUTE)
        yield emu
