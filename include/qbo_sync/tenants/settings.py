"""Reading and changing a tenant's integration settings and tax-code links."""

from __future__ import annotations

import psycopg

from qbo_sync.db.sqlfiles import load_sql

# No "region": it comes from the company (qbo_sync.companies.facts.record_company_facts).
SETTING_KEYS = (
    "default_service_item_id",
    "default_product_item_id",
    "deposit_account_id",
    "no_tax_code_id",
    "display_name_template",
    "name_clash_policy",
    "payment_ref_policy",
    "sync_enabled",
    "invalid_email_policy",
    "quickbooks_change_policy",
    "currency_name_template",
    "refund_bank_account_id",
)


class UnknownTaxRate(LookupError):
    pass


def update_settings(conn: psycopg.Connection, tenant_id: int, **changes: object) -> None:
    unknown = set(changes) - set(SETTING_KEYS)
    if unknown:
        raise TypeError(f"unknown tenant settings: {', '.join(sorted(unknown))}")
    params = {key: changes.get(key) for key in SETTING_KEYS}
    conn.execute(load_sql("tenants/upsert_settings"), {"tenant_id": tenant_id, **params})


def map_tax_rate(conn: psycopg.Connection, tenant_id: int, tax_rate: str | int, qbo_tax_code_id: str) -> int:
    """Link an app tax rate (by name or id) to a QuickBooks TaxCode Id; returns the rate id."""
    if isinstance(tax_rate, int):
        rate_id = tax_rate
    else:
        row = conn.execute(load_sql("tenants/tax_rate_by_name"), {"tenant_id": tenant_id, "name": tax_rate}).fetchone()
        if not row:
            raise UnknownTaxRate(f"tenant {tenant_id} has no tax rate named {tax_rate!r}")
        rate_id = row[0]
    conn.execute(
        load_sql("tenants/map_tax"),
        {
            "tenant_id": tenant_id,
            "tax_rate_id": rate_id,
            "qbo_tax_code_id": qbo_tax_code_id,
        },
    )
    return rate_id
