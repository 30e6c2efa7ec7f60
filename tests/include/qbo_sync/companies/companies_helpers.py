"""Helpers shared by the company-credentials tests."""

from __future__ import annotations


def app_settings(emulator, company, **budget):
    from qbo_client import BudgetConfig, Environment, RetryPolicy
    from qbo_sync.companies import AppSettings

    budget = {"requests_per_minute": 100_000, "batches_per_minute": 100_000, "requests_per_second": 0, **budget}
    return AppSettings(
        company["client_id"],
        company["client_secret"],
        Environment.custom(emulator.base_url, emulator.sandbox_discovery_url),
        budget=BudgetConfig(**budget),
        retry=RetryPolicy(backoff_base=0.01, backoff_cap=0.1, read_timeout=5),
    )


def connect_company(db, emulator, tenant_id, region="AU"):
    """A new emulator company connected to ``tenant_id`` with only its refresh token."""
    from qbo_client import TokenSet
    from qbo_sync.companies import connect_tenant

    company = emulator.create_company(region=region)
    connect_tenant(db, tenant_id, company["realm_id"], TokenSet(None, company["refresh_token"], None, None))
    return company
