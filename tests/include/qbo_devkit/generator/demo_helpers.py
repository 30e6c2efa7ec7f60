"""Helpers for the demo generator's tests: read rows through sql/devkit/generator/checks, recompute."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg.rows import dict_row

from qbo_sync.db.sqlfiles import load_sql

AS_OF = date(2025, 6, 1)


def rows(conn, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(load_sql(name), params or {}).fetchall()


def ids(conn, name: str, params: dict[str, Any] | None = None) -> list[int]:
    return [row["id"] for row in rows(conn, name, params)]


def checksums(conn) -> dict[str, tuple[int, str]]:
    return {r["table_name"]: (r["row_count"], r["checksum"]) for r in rows(conn, "devkit/generator/checksums")}


# The app's arithmetic, written again here on purpose (not imported from the generator),
# so that a mistake in one is caught by the other.
def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_line(line: dict[str, Any]) -> Decimal:
    gross = line["quantity"] * line["unit_price"]
    if line["discount_kind"] == "fixed":
        gross -= line["discount_value"]
    elif line["discount_kind"] == "percent":
        gross -= line["quantity"] * line["unit_price"] * line["discount_value"] / 100
    return cents(gross)


def expected_totals(
    tax_mode: str, lines: list[dict[str, Any]], rates: dict[int, Decimal]
) -> tuple[Decimal, Decimal, Decimal]:
    amounts = sum((line["amount"] for line in lines), Decimal("0.00"))
    groups: dict[int, Decimal] = {}
    for line in lines:
        if line["tax_rate_id"] is not None:
            groups[line["tax_rate_id"]] = groups.get(line["tax_rate_id"], Decimal(0)) + line["amount"]
    if tax_mode == "exclusive":
        tax = sum((cents(g * rates[r]) for r, g in groups.items()), Decimal("0.00"))
        return amounts, tax, amounts + tax
    if tax_mode == "inclusive":
        tax = sum((cents(g * rates[r] / (1 + rates[r])) for r, g in groups.items()), Decimal("0.00"))
        return amounts - tax, tax, amounts
    assert tax_mode == "none" and not groups
    return amounts, Decimal("0.00"), amounts
