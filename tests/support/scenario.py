"""A small AU tenant with good invoices and one of each common bad case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from qbo_devkit.provision import provision_tenant
from support.rows import insert

NOW = datetime.now(UTC)
CONNECTED = NOW - timedelta(days=30)


def add_invoice(
    db,
    iid,
    number,
    client_id,
    lines,
    *,
    mode="exclusive",
    total=None,
    tax=None,
    finalized=NOW - timedelta(days=1),
    status="finalized",
    rates=None,
):
    rates = rates or {1: D("0.10"), 2: D("0.00")}
    amounts = []
    for pos, (qty, price, rate_id, kind, disc) in enumerate(lines, start=1):
        gross = D(qty) * D(price)
        if kind == "percent":
            gross -= gross * D(disc) / 100
        amount = gross.quantize(D("0.01"))
        amounts.append((amount, rate_id))
        insert(
            db,
            "billing.invoice_lines",
            id=iid * 100 + pos,
            invoice_id=iid,
            position=pos,
            item_id=1 if pos % 2 else 2,
            description=f"line {pos}",
            quantity=D(qty),
            unit_price=D(price),
            discount_kind=kind,
            discount_value=D(disc) if disc else None,
            tax_rate_id=rate_id,
            amount=amount,
        )
    sub = sum((a for a, _ in amounts), D("0"))
    groups = {}
    for a, r in amounts:
        groups[r] = groups.get(r, D("0")) + a
    if mode == "exclusive":
        t = sum(((g * rates[r]).quantize(D("0.01")) for r, g in groups.items() if r), D("0"))
        calc_total = sub + t
    elif mode == "inclusive":
        t = sum(((g * rates[r] / (1 + rates[r])).quantize(D("0.01")) for r, g in groups.items() if r), D("0"))
        calc_total, sub = sub, sub - t
    else:
        t, calc_total = D("0"), sub
    insert(
        db,
        "billing.invoices",
        id=iid,
        tenant_id=1,
        number=number,
        client_id=client_id,
        status=status,
        issue_date=date.today() - timedelta(days=1),
        tax_mode=mode,
        currency="AUD",
        subtotal=sub,
        tax_total=tax if tax is not None else t,
        total=total if total is not None else calc_total,
        origin="app",
        finalized_at=finalized,
        updated_at=finalized,
    )
    return calc_total


def build_au_tenant(db, qbo_app):
    insert(db, "billing.tenants", id=1, name="Harbour Physio", currency="AUD", timezone="Australia/Sydney")
    insert(db, "billing.tax_rates", id=1, tenant_id=1, name="GST", rate=D("0.1000"))
    insert(db, "billing.tax_rates", id=2, tenant_id=1, name="GST free", rate=D("0.0000"))
    insert(
        db, "billing.tax_rates", id=3, tenant_id=1, name="Mystery levy", rate=D("0.1000")
    )  # a second 10% levy, not yet linked
    insert(db, "billing.catalog_items", id=1, tenant_id=1, name="Consult", kind="service", unit_price=D("90"))
    insert(db, "billing.catalog_items", id=2, tenant_id=1, name="Knee brace", kind="product", unit_price=D("45"))
    for cid, first, last, parent in [
        (1, "Jane", "Smith", None),
        (2, None, None, None),
        (3, "Sub", "Client", 2),
        (4, "Bob", "Jones", None),
        (5, "Ann", "Lee", 4),
    ]:
        insert(
            db,
            "billing.clients",
            id=cid,
            tenant_id=1,
            first_name=first,
            last_name=last,
            email=f"c{cid}@example.com",
            parent_client_id=parent,
        )
    company = provision_tenant(
        db, qbo_app, 1, region="AU", connected_at=CONNECTED, tax_map={"GST": "GST", "GST free": "GST free"}
    )
    good = {
        1: add_invoice(db, 1, "INV-0001", 1, [("2", "90.00", 1, None, None), ("1", "45.00", 2, "percent", "10")]),
        2: add_invoice(db, 2, "INV-0002", 4, [("1", "110.00", 1, None, None)], mode="inclusive"),
        11: add_invoice(db, 11, "INV-0011", 5, [("3", "33.33", 1, "percent", "12.5")]),
    }
    add_invoice(db, 3, "INV-0003", 1, [])
    add_invoice(db, 4, "INV-2026-0004-EXTRA-LONG", 1, [("1", "10", 1, None, None)])
    add_invoice(db, 5, "INV-0005", 1, [("1", "10", 3, None, None)], rates={3: D("0.10")})
    add_invoice(db, 6, "INV-0006", 3, [("1", "10", 1, None, None)])
    add_invoice(db, 7, "INV-0007", 1, [("1", "10", 1, None, None)], finalized=CONNECTED - timedelta(days=2))
    add_invoice(db, 8, "INV-0008", 1, [("1", "10", 1, None, None)], total=D("12.00"))
    add_invoice(db, 9, "INV-0009", 1, [("1", "10", 1, None, None)], status="draft")
    db.execute("SELECT 1")
    return company, good
