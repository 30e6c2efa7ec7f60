"""Why two books differ: the sync log, QuickBooks' own tax arithmetic, or nothing we know.

A difference is **explained** when

- the sync log has an outcome for the record, or for a record that moves it (an invoice's
  payments, credit notes, void and QuickBooks payments not imported; a payment's or credit
  note's invoice), that is not a plain sync: failed, excluded, or logged with a code (skipped
  on purpose, a change noticed in QuickBooks). The explanation quotes it: what, its code, its
  cause;
- or the app has a payment or credit note on the invoice that the sync has not sent yet (new,
  or voided in the app, after the window of the last run that covered it): the next run
  closes the difference;
- or the tenant's class and location settings changed after the invoice was sent (a class or
  location difference only): QuickBooks keeps the class the invoice was sent with;
- or QuickBooks' own tax arithmetic accounts for it: QuickBooks rounds tax per line where
  the app rounds once per rate, and a US company's automated sales tax sets the rate from the
  customer's address (docs/quickbooks-behaviour.md). The sync states the app's tax, so this
  shows only on an invoice recomputed in QuickBooks (edited there);

otherwise it is **unexplained**: someone or something changed one book and nothing recorded
why, which is what finance must look at (and what alerts, once).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from decimal import Decimal

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.money import ZERO, cents
from qbo_sync.reconcile.compare import EXPLAINED, UNEXPLAINED, Check, money

SHOWN_OUTCOMES = 3  # the record's most telling outcomes quoted in an explanation

UNEXPLAINED_TEXT = (
    "Nothing in the sync log explains it: it was probably changed, voided or deleted in "
    "QuickBooks by a person, or in the app without a sync since. QuickBooks' audit log "
    "(Settings > Audit log) shows who changed it and when; correct the side that is wrong, then "
    "resync the record from the QuickBooks sync page."
)


def explain(conn: psycopg.Connection, tenant_id: int, checks: list[Check]) -> None:
    """Set each differing check's verdict and explanation (in place)."""
    differing = [c for c in checks if c.differences]
    if not differing:
        return
    logged = _outcomes(conn, tenant_id, differing)
    taxes = _tax_notes(conn, tenant_id, [c for c in differing if c.entity == "invoice"])
    unsent = _unsent(conn, tenant_id, [c for c in differing if c.entity == "invoice" and _balance_only(c)])
    tracking = _tracking_notes(conn, tenant_id, [c for c in differing if c.entity == "invoice" and _tracking_only(c)])
    for check in differing:
        reasons = []
        tax = taxes.get(check.source_id)
        if tax and _tax_accounts_for_all(check):
            reasons.append(tax)
        reasons += logged.get((check.entity, check.source_id), [])[:SHOWN_OUTCOMES]
        reasons += unsent.get(check.source_id, [])[:SHOWN_OUTCOMES]
        if check.entity == "invoice" and check.source_id in tracking:
            reasons.append(tracking[check.source_id])
        if reasons:
            check.verdict, check.explanation = EXPLAINED, "; ".join(reasons)
        else:
            check.verdict, check.explanation = UNEXPLAINED, UNEXPLAINED_TEXT


def _outcomes(conn: psycopg.Connection, tenant_id: int, checks: list[Check]) -> dict[tuple[str, int], list[str]]:
    rows = conn.execute(
        load_sql("reconcile/explaining_outcomes"),
        {
            "tenant_id": tenant_id,
            "entity": [c.entity for c in checks],
            "source_id": [c.source_id for c in checks],
        },
    ).fetchall()
    found: dict[tuple[str, int], list[str]] = defaultdict(list)
    for for_entity, for_id, entity, source_id, ref, status, code, cause, _at in rows:
        what = f"{entity.replace('_', ' ')} {ref or f'id {source_id}'}"
        text = f"sync log: {what} {status}" + (f" ({code})" if code else "") + (f": {cause}" if cause else "")
        if text not in found[(for_entity, for_id)]:
            found[(for_entity, for_id)].append(text)
    return found


TRACKING_FIELDS = {"ClassRef", "DepartmentRef"}


def _tracking_only(check: Check) -> bool:
    return {d.field for d in check.differences} <= TRACKING_FIELDS


def _tracking_notes(conn: psycopg.Connection, tenant_id: int, invoices: list[Check]) -> dict[int, str]:
    """Invoices sent before the tenant's class and location settings last changed."""
    if not invoices:
        return {}
    rows = conn.execute(
        load_sql("reconcile/tracking_changed"), {"tenant_id": tenant_id, "ids": [c.source_id for c in invoices]}
    ).fetchall()
    return {
        invoice_id: (
            "the tenant's class and location settings changed on "
            f"{changed.astimezone(UTC):%Y-%m-%d %H:%M} UTC, after this invoice was sent on "
            f"{sent.astimezone(UTC):%Y-%m-%d %H:%M} UTC: QuickBooks keeps the class and location it was "
            "sent with. Resync the invoice from the QuickBooks sync page to send the new ones"
        )
        for invoice_id, sent, changed in rows
    }


def _balance_only(check: Check) -> bool:
    return all(d.field == "Balance" for d in check.differences)


def _unsent(conn: psycopg.Connection, tenant_id: int, invoices: list[Check]) -> dict[int, list[str]]:
    """Invoice id -> its payments and credit notes the app has and QuickBooks not yet (or the
    other way round, voided in the app), in words."""
    if not invoices:
        return {}
    rows = conn.execute(
        load_sql("reconcile/unsent_on_invoices"),
        {"tenant_id": tenant_id, "invoice_ids": [c.source_id for c in invoices]},
    ).fetchall()
    found: dict[int, list[str]] = defaultdict(list)
    for kind, invoice_id, _id, ref, amount, voided in rows:
        what = f"{kind} {ref} ({money(amount)})"
        if voided:
            found[invoice_id].append(
                f"not in QuickBooks yet: {what} was voided in the app after the last run that covered "
                "it; the next run takes it out of QuickBooks"
            )
        else:
            found[invoice_id].append(
                f"not in QuickBooks yet: {what} was recorded in the app after the last run that "
                "covered it; the next run sends it"
            )
    return found


def _tax_accounts_for_all(check: Check) -> bool:
    """The tax difference explains the whole record: TotalAmt and Balance (if they differ)
    differ by exactly the tax difference."""
    by_field = {d.field: d for d in check.differences}
    tax = by_field.get("TotalTax")
    if tax is None or set(by_field) - {"TotalTax", "TotalAmt", "Balance"}:
        return False
    delta = money(tax.qbo) - money(tax.app)
    return all(
        money(by_field[f].qbo) - money(by_field[f].app) == delta for f in ("TotalAmt", "Balance") if f in by_field
    )


def _tax_notes(conn: psycopg.Connection, tenant_id: int, invoices: list[Check]) -> dict[int, str]:
    """Invoices whose QuickBooks tax is QuickBooks' own arithmetic: per-line rounding of the
    app's lines, or (a US automated-sales-tax company) any tax its engine chose."""
    with_tax = {c.source_id: c for c in invoices if any(d.field == "TotalTax" for d in c.differences)}
    if not with_tax:
        return {}
    facts = conn.execute(load_sql("companies/recorded_facts"), {"tenant_id": tenant_id}).fetchone()
    automated = bool(facts) and facts[5] == "us_automated_sales_tax"
    lines: dict[int, list[tuple[Decimal, Decimal | None]]] = defaultdict(list)
    for invoice_id, amount, rate in conn.execute(
        load_sql("reconcile/invoice_tax_lines"), {"tenant_id": tenant_id, "ids": list(with_tax)}
    ):
        lines[invoice_id].append((amount or ZERO, rate))
    notes: dict[int, str] = {}
    for invoice_id, check in with_tax.items():
        tax = next(d for d in check.differences if d.field == "TotalTax")
        per_line = sum((cents(a * r) for a, r in lines.get(invoice_id, []) if r), ZERO)
        per_line_inclusive = sum((cents(a * r / (1 + r)) for a, r in lines.get(invoice_id, []) if r), ZERO)
        if money(tax.qbo) in (per_line, per_line_inclusive):
            notes[invoice_id] = (
                f"QuickBooks rounds tax per line ({tax.qbo}) where the app rounds once per tax rate "
                f"({tax.app}): QuickBooks recomputed this invoice's tax (it was changed in QuickBooks); "
                "the sync states the app's tax when it sends an invoice (docs/quickbooks-behaviour.md)"
            )
        elif automated:
            notes[invoice_id] = (
                f"QuickBooks' automated sales tax set the tax ({tax.qbo}) from the customer's address "
                f"where the app charged {tax.app}: QuickBooks recomputed this invoice's tax (it was changed "
                "in QuickBooks); the sync states the app's tax when it sends an invoice "
                "(docs/quickbooks-behaviour.md)"
            )
    return notes


def unexplained_count(checks: list[Check]) -> int:
    return sum(c.verdict == UNEXPLAINED for c in checks)
