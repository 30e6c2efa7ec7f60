"""A tenant's item policy and the income accounts of the items the sync creates."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from qbo_sync.db.sqlfiles import load_sql

POLICIES = ("default", "match", "create")
KINDS = ("service", "product")


@dataclass(frozen=True)
class ItemSettings:
    policy: str = "default"
    service_income_account_id: str | None = None
    product_income_account_id: str | None = None

    def income_account(self, kind: str) -> str | None:
        return self.product_income_account_id if kind == "product" else self.service_income_account_id


def item_settings(conn: psycopg.Connection, tenant_id: int) -> ItemSettings:
    row = conn.execute(load_sql("items/settings"), {"tenant_id": tenant_id}).fetchone()
    return ItemSettings(*row) if row else ItemSettings()


def update_item_settings(
    conn: psycopg.Connection,
    tenant_id: int,
    *,
    policy: str | None = None,
    service_income_account_id: str | None = None,
    product_income_account_id: str | None = None,
) -> None:
    """Only the given (non-None) settings change."""
    if policy is not None and policy not in POLICIES:
        raise ValueError(f"unknown item policy {policy!r}: choose one of {', '.join(POLICIES)}")
    conn.execute(
        load_sql("items/update_settings"),
        {
            "tenant_id": tenant_id,
            "item_policy": policy,
            "service_income_account_id": service_income_account_id,
            "product_income_account_id": product_income_account_id,
        },
    )
