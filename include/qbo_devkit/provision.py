"""Connect a tenant to a company on the QuickBooks emulator, the way a person would with
the real one: connect, choose default items and deposit account, link the tax rates.
Used by ``make demo`` and the tests; never by production code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from qbo_client.tokens import TokenSet
from qbo_sync.companies import connect_tenant
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.tenants.settings import map_tax_rate, update_settings


def provision_tenant(
    conn: psycopg.Connection,
    emulator: Any,
    tenant_id: int,
    *,
    region: str,
    preferences: dict[str, Any] | None = None,
    tax_map: dict[str, str] | None = None,
    connected_at: datetime | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """Create a company, connect the tenant to it, and configure the tenant.

    ``tax_map`` links app tax-rate names to QuickBooks tax-code names, as ``map-tax`` does; a
    US user links a taxable rate to the pseudo code "TAX" (automated sales tax then picks the
    rate from the customer's address) and an untaxed one to "NON", or a rate to one of the
    company's tax groups (e.g. "California") to send that code with every invoice."""
    company = emulator.create_company(region=region, preferences=preferences)
    realm = company["realm_id"]
    connect_tenant(conn, tenant_id, realm, TokenSet(access_token=None, refresh_token=company["refresh_token"]))
    if connected_at is not None:
        conn.execute(load_sql("devkit/local/set_connected_at"), {"tenant_id": tenant_id, "connected_at": connected_at})
    record_facts(conn, emulator, tenant_id, realm)  # the region comes from the company, as in connect
    defaults = {
        "default_service_item_id": company["service_item_id"],
        "default_product_item_id": company["product_item_id"],
        "deposit_account_id": company["undeposited_funds_account_id"],
    }
    no_tax = {"AU": "N-T", "UK": "Exempt"}.get(region)
    if no_tax in company["tax_codes"]:
        defaults["no_tax_code_id"] = company["tax_codes"][no_tax]
    update_settings(conn, tenant_id, **{**defaults, **settings})
    for rate_name, code_name in (tax_map or {}).items():
        map_tax_rate(conn, tenant_id, rate_name, company["tax_codes"][code_name])
    return company


def record_facts(conn: psycopg.Connection, emulator: Any, tenant_id: int, realm_id: str) -> None:
    """What ``connect`` records, read from the company with a token of its own (the tenant's
    stored refresh token is left as it is)."""
    from qbo_client import Environment, MemoryTokenStore, QboClient
    from qbo_sync.companies.facts import record_company_facts

    tokens = emulator.issue_tokens(realm_id)
    store = MemoryTokenStore(
        realm_id,
        tokens["refresh_token"],
        tokens["access_token"],
        datetime.now(UTC) + timedelta(seconds=int(tokens.get("expires_in", 3600))),
    )
    environment = Environment.custom(emulator.base_url, emulator.sandbox_discovery_url)
    with QboClient(realm_id, store, environment=environment) as qbo:
        record_company_facts(conn, tenant_id, qbo)
