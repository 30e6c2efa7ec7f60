"""An emulator over real HTTP, and clients for its companies (in-memory tokens and budget)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def emulator():
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess("--no-limits") as emu:
        yield emu


@pytest.fixture
def make_client(emulator):
    """make_client(company=None, **client kwargs) -> (client, company, store)."""
    from qbo_client import (
        BudgetConfig,
        Environment,
        MemoryRateBudget,
        MemoryTokenStore,
        OAuthApp,
        QboClient,
        RetryPolicy,
    )

    made = []

    def make(company=None, emu=None, retry=None, **kwargs):
        emu = emu or emulator
        company = company or emu.create_company(region="AU")
        env = Environment.custom(emu.base_url, emu.sandbox_discovery_url)
        app = OAuthApp(company["client_id"], company["client_secret"], env.discovery_url)
        store = MemoryTokenStore(company["realm_id"], company["refresh_token"])
        retry = retry or RetryPolicy(backoff_base=0.01, backoff_cap=0.05, read_timeout=3.0)
        # This emulator runs without limits: a real-sized budget would only slow the tests down.
        kwargs.setdefault(
            "budget",
            MemoryRateBudget(
                BudgetConfig(requests_per_minute=100_000, batches_per_minute=100_000, requests_per_second=0)
            ),
        )
        client = QboClient(company["realm_id"], store, environment=env, app=app, retry=retry, **kwargs)
        made.append(client)
        return client, company, store

    yield make
    for client in made:
        client.close()
