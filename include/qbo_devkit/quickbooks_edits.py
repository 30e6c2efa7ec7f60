"""``make demo``'s QuickBooks side after the first run: what people do in QuickBooks itself
(through the API, as QuickBooks' own screens would), and the reconciliation block that ends
the demo, from the product's own reconciliation (``qbo_sync.reconcile``).

The edits, on the first connected tenant: one invoice voided, one edited (its first line's
amount raised, so QuickBooks recomputes its tax and total), one customer made inactive (one
with nothing owing: QuickBooks refuses an inactive customer with a balance), and one of the
sync's own payments deleted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbo_sync.db.sqlfiles import load_sql


def _untouched_invoices(client: Any, conn: Any, tenant_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Synced invoices nobody has paid in QuickBooks (number, QuickBooks invoice), newest first."""
    from qbo_sync.reconcile.books import by_ids

    rows = conn.execute(load_sql("devkit/local/synced_invoices"), {"tenant_id": tenant_id}).fetchall()
    books = by_ids(client, "Invoice", [r[2] for r in rows])
    out = []
    for _id, number, qbo_id, _client, _balance, n_payments in reversed(rows):
        invoice = books.get(qbo_id)
        if invoice and not n_payments and Decimal(str(invoice["Balance"])) == Decimal(str(invoice["TotalAmt"])) > 0:
            out.append((number, invoice))
    return out


def edits_in_quickbooks(conn: Any, manifest: Any) -> dict[int, list[str]]:
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.reconcile.books import by_ids

    tenant = next((t for t in manifest.tenants if not t.revoked), None)
    if tenant is None:
        return {}
    done: list[str] = []
    with client_for_tenant(conn, tenant.id) as client:
        invoices = _untouched_invoices(client, conn, tenant.id)
        if invoices:
            number, invoice = invoices.pop(0)
            client.void("Invoice", invoice["Id"], invoice["SyncToken"])
            done.append(f"voided invoice {number}")
        if invoices:
            number, invoice = invoices.pop(0)
            lines = [dict(line) for line in invoice["Line"] if line.get("DetailType") == "SalesItemLineDetail"]
            first = lines[0]
            detail = dict(first["SalesItemLineDetail"])
            raised = Decimal(str(first["Amount"])) + Decimal("10.00")
            detail.update({"Qty": Decimal(1), "UnitPrice": raised})
            lines[0] = {**first, "Amount": raised, "SalesItemLineDetail": detail}
            body = {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, "Line": lines}
            client.update("Invoice", body, sparse=True)
            done.append(f"edited invoice {number} (line 1 raised by 10.00 to {raised})")
        inactive = _make_a_customer_inactive(client, conn, tenant.id)
        if inactive:
            done.append(f"made customer '{inactive}' inactive")
        ours = dict(conn.execute(load_sql("devkit/local/mapped"), {"tenant_id": tenant.id, "entity": "payment"}))
        payments = by_ids(client, "Payment", ours.values())
        tagged = [p for p in payments.values() if "[qbo-sync payment " in (p.get("PrivateNote") or "")]
        tagged = [p for p in tagged if Decimal(str(p.get("TotalAmt", 0))) > 0]
        if tagged:
            p = tagged[0]
            client.delete("Payment", p["Id"], p["SyncToken"])
            done.append(f"deleted the sync's payment {p.get('PaymentRefNum') or p['Id']} ({p['TotalAmt']})")
    return {tenant.id: done}


def _make_a_customer_inactive(client: Any, conn: Any, tenant_id: int, tries: int = 10) -> str | None:
    """Like a person: pick a customer of the sync's who seems to owe nothing (no open invoice
    the sync sent), make it inactive; QuickBooks refuses one with an open balance (6000,
    "Delete List Has Balance Error": a credit, a hand-keyed invoice), so try the next."""
    from qbo_client.errors import QboFaultError
    from qbo_sync.reconcile.books import by_ids

    mapped = dict(conn.execute(load_sql("devkit/local/mapped"), {"tenant_id": tenant_id, "entity": "customer"}))
    customers = by_ids(client, "Customer", mapped.values())
    invoices = dict(conn.execute(load_sql("devkit/local/mapped"), {"tenant_id": tenant_id, "entity": "invoice"}))
    owed: dict[str, Decimal] = {}
    for invoice in by_ids(client, "Invoice", invoices.values()).values():
        who = str((invoice.get("CustomerRef") or {}).get("value"))
        owed[who] = owed.get(who, Decimal(0)) + Decimal(str(invoice.get("Balance", 0)))
    parents = {str((c.get("ParentRef") or {}).get("value")) for c in customers.values()}
    quiet = [
        c
        for c in customers.values()
        if c.get("Active") is not False and c["Id"] not in parents and owed.get(c["Id"], Decimal(0)) == 0
    ]
    for c in quiet[:tries]:
        try:
            client.update("Customer", {"Id": c["Id"], "SyncToken": c["SyncToken"], "Active": False}, sparse=True)
        except QboFaultError:
            continue
        return str(c["DisplayName"])
    return None


def reconciliation_block(conn: Any, manifest: Any, run_id: str) -> str:
    """Every synced record of every connected tenant against QuickBooks (the product's full
    pass, as the qbo_reconcile DAG runs it), and its report."""
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.reconcile import run as reconciliation
    from qbo_sync.reconcile.report import full_report

    names = {}
    for t in manifest.tenants:
        if t.revoked:
            continue
        names[t.id] = t.name
        with client_for_tenant(conn, t.id) as client:
            reconciliation.reconcile_tenant(conn, run_id, "make demo", t.id, client, reconciliation.FULL)
    text, unexplained = full_report(conn, run_id, names)
    return f"{text}\n{unexplained} difference(s) nothing in the sync log explains."
