"""The reconciliation's words: "QuickBooks and the app agree on 1,204 invoices, 48,310.55;
3 differ: ...", each difference with its explanation or flagged unexplained. Used by the run
report (a block per tenant), the ``qbo_reconcile`` DAG's report and ``make demo``."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any

from qbo_sync.reconcile.explain import UNEXPLAINED_TEXT
from qbo_sync.reconcile.store import TenantReconciliation

WIDTH = 100
SHOWN = 50  # differences listed per tenant; the rest are in qbo_sync.reconciliation

NAMES = {  # entity -> (one, many), in the order the sentence lists them
    "invoice": ("invoice", "invoices"),
    "payment": ("payment", "payments"),
    "credit_memo": ("credit memo", "credit memos"),
    "customer": ("customer", "customers"),
    "refund": ("refund", "refunds"),
}
WITH_AMOUNT = {"invoice", "payment", "credit_memo", "refund"}


def amounts(by_currency: dict[str, Decimal]) -> str:
    """``11,264.78 GBP and 120.00 EUR``: one figure per currency, never one sum of several
    (the currency with the most records first)."""
    shown = [f"{amount:,.2f}" + (f" {code}" if code else "") for code, amount in by_currency.items()]
    return " and ".join(shown) if shown else "0.00"


def agreement(rec: TenantReconciliation) -> str:
    """``QuickBooks and the app agree on 1,204 invoices, 48,310.55 AUD; 30 customers``; an
    invoice billed in another currency is totalled in its own: ``3 invoices, 264.78 GBP and
    120.00 EUR``."""
    parts = []
    for entity, (one, many) in NAMES.items():
        n, by_currency = rec.agree.get(entity, (0, {}))
        if not n and entity not in ("invoice",):
            continue
        part = f"{n:,} {one if n == 1 else many}"
        if entity in WITH_AMOUNT:
            part += f", {amounts(by_currency)}"
        parts.append(part)
    return "QuickBooks and the app agree on " + "; ".join(parts)


def render(rec: TenantReconciliation) -> list[str]:
    """The tenant's reconciliation as report lines."""
    what = "every record in QuickBooks" if rec.scope == "full" else "the records this run touched"
    if rec.state == "left":
        return [f"Reconciliation ({what}): not done in this run - {rec.note}"]
    head = f"Reconciliation ({what}, {rec.reads} QuickBooks read(s)): {agreement(rec)}"
    if not rec.differences:
        return textwrap.wrap(head + "; none differ.", WIDTH, subsequent_indent="  ")
    unexplained = len(rec.unexplained)
    head += f"; {len(rec.differences)} differ" + (f" ({unexplained} unexplained)" if unexplained else "") + ":"
    lines = textwrap.wrap(head, WIDTH, subsequent_indent="  ")
    for d in rec.differences[:SHOWN]:
        lines += textwrap.wrap(d.summary(), WIDTH - 2, initial_indent="  ", subsequent_indent="    ")
        why = "UNEXPLAINED" if d.verdict == "unexplained" else f"explained: {d.explanation}"
        lines += textwrap.wrap(why, WIDTH - 6, initial_indent="      ", subsequent_indent="      ")
    if len(rec.differences) > SHOWN:
        lines.append(f"  ... and {len(rec.differences) - SHOWN} more (see qbo_sync.reconciliation)")
    if unexplained:  # the advice once, not under every record
        lines += textwrap.wrap(
            f"UNEXPLAINED: {UNEXPLAINED_TEXT}", WIDTH - 2, initial_indent="  ", subsequent_indent="  "
        )
    return lines


def full_report(conn: Any, run_id: str, names: dict[int, str]) -> tuple[str, int]:
    """The ``qbo_reconcile`` run's text (a block per tenant) and how many differences nothing
    explains."""
    from qbo_sync.reconcile.store import run_results

    results = run_results(conn, run_id)
    blocks = []
    for tid, rec in sorted(results.items()):
        name = names.get(tid)
        title = f"QuickBooks reconciliation - tenant {tid}" + (f" ({name})" if name else "")
        body = render(rec)
        if rec.state == "failed":
            body = [f"Reconciliation stopped on an error, retried by the task: {rec.note}"]
        blocks.append("\n".join(["=" * WIDTH, title, "=" * WIDTH, *body, "=" * WIDTH]))
    reads = sum(r.reads for r in results.values())
    if results:
        blocks.append(f"QuickBooks reads this reconciliation: {reads:,} for {len(results):,} tenant(s).")
    unexplained = sum(len(r.unexplained) for r in results.values())
    return ("\n\n".join(blocks) if blocks else "No tenant is connected to QuickBooks."), unexplained
