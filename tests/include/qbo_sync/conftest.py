"""A QuickBooks emulator and app settings for the sync's end-to-end tests."""
from __future__ import annotations

import json
import secrets

import pytest


@pytest.fixture(scope="session")
def qbo_emulator():
    from qbo_emulator.testing import EmulatorProcess

    client_id, client_secret = "test-" + secrets.token_hex(4), secrets.token_urlsafe(16)
    with EmulatorProcess("--no-limits", "--client-id", client_id, "--client-secret", client_secret) as emu:
        emu.app_credentials = (client_id, client_secret)
        yield emu


@pytest.fixture
def qbo_app(qbo_emulator, monkeypatch):
    """The QuickBooks connection (as Airflow would get it) and a token-encryption key."""
    from cryptography.fernet import Fernet

    client_id, client_secret = qbo_emulator.app_credentials
    monkeypatch.setenv("AIRFLOW_CONN_QUICKBOOKS_DEFAULT", json.dumps({
        "conn_type": "quickbooks", "login": client_id, "password": client_secret,
        "extra": {"environment": "custom", "api_base_url": qbo_emulator.base_url,
                  "discovery_url": qbo_emulator.sandbox_discovery_url,
                  # The emulator runs without limits here; the budget need not pace.
                  "requests_per_minute": 100000, "batches_per_minute": 100000,
                  "max_concurrent": 10, "max_tries": 4},
    }))
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", Fernet.generate_key().decode())
    return qbo_emulator


@pytest.fixture
def qbo_factory(qbo_app, database_url):
    from qbo_sync.companies import client_for_tenant

    return lambda tenant_id: client_for_tenant(database_url, tenant_id)
