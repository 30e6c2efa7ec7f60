"""An overpayment whose excess is refunded: the set-up of the refund-by-cheque tests
(payments/refund_checks.py) and of their reconciliation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from support.rows import app_payment, insert
from support.scenario import NOW, add_invoice, build_au_tenant

PAID = NOW - timedelta(hours=20)


def payment(db, pid, invoice_id, amount, reference):
    """An app card payment of tenant 1, paid 20 hours ago."""
    app_payment(db, pid, paid_at=PAID, invoice_id=invoice_id, amount=amount, reference=reference)


def refund(db, rid, payment_id, amount, reference):
    insert(
        db,
        "billing.refunds",
        id=rid,
        tenant_id=1,
        payment_id=payment_id,
        amount=D(amount),
        refunded_at=NOW - timedelta(hours=2),
        method="cheque",
        reference=reference,
        reason=None,
        created_at=NOW - timedelta(hours=2),
        voided_at=None,
    )


def mapped(db, entity, source_id):
    return db.execute(
        "SELECT qbo_id, payload_hash FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()


def cheques(qbo, customer):
    return qbo.query(f"select * from Purchase where EntityRef = '{customer}'")


def links(payment):
    return {
        (link["TxnType"], str(link["TxnId"])): D(str(line["Amount"]))
        for line in payment["Line"]
        for link in line["LinkedTxn"]
    }


def build_overpaid(db, qbo_app):
    """Invoice 12 (55.00) paid 70.00: 15.00 customer credit; refund 401 gives 10.00 of it back;
    refund 402 gives back 30.00 of payment 201, which paid invoice 2 exactly (no credit)."""
    company, _good = build_au_tenant(db, qbo_app)
    add_invoice(db, 12, "INV-0012", 4, [("2", "25.00", 1, None, None)])
    payment(db, 201, 2, "110.00", "CARD-201")
    payment(db, 202, 12, "70.00", "CARD-202")
    refund(db, 401, 202, "10.00", "CHQ-401")
    refund(db, 402, 201, "30.00", "RF-402")
    return company
