"""Issue 13: the RefundReceipts the sync sent for app refunds are watched by the same change data
capture as invoices and payments: one edited in QuickBooks (its amount) or deleted there becomes
an explained outcome, the refund is held until finance resyncs it, and the resync puts the app's
refund back. QuickBooks is edited through the emulator's API, as a person would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from qbo_sync.operations import controls
from qbo_sync.pipeline import run_once
from support.rows import insert
from support.runs import full_window, logged
from support.scenario import build_au_tenant


def qbo_id(db, entity, source_id):
    row = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()
    return row[0] if row else None


def refunded(db):
    """INV-0002 (110.00) paid in full by payment 201, of which refund 301 gives 30.00 back."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    insert(
        db,
        "billing.payments",
        id=201,
        tenant_id=1,
        invoice_id=2,
        amount=D("110.00"),
        paid_at=now,
        method="card",
        reference="CARD-201",
        origin="app",
        created_at=now,
    )
    insert(
        db,
        "billing.refunds",
        id=301,
        tenant_id=1,
        payment_id=201,
        amount=D("30.00"),
        refunded_at=now,
        method="card",
        reference="RF-301",
        reason="Cancelled session",
        created_at=now,
        voided_at=None,
    )


def test_a_refund_receipt_edited_then_deleted_in_quickbooks_is_explained_and_held(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    refunded(db)
    run_once(db, full_window("f1"), qbo_factory)
    assert logged(db, "f1", "refund", 301, "status", "action") == ("synced", "create")
    receipt = qbo_id(db, "refund", 301)

    run_once(db, full_window("f2"), qbo_factory)  # our own write is no change made in QuickBooks
    assert logged(db, "f2", "refund", 301, "error_code") in (None, (None,))

    # A person lowers the refund to 20.00 in QuickBooks.
    with qbo_factory(1) as qbo:
        current = qbo.read("RefundReceipt", receipt)
        line = current["Line"][0]
        line["Amount"] = D("20.00")
        line["SalesItemLineDetail"]["UnitPrice"] = D("20.00")
        qbo.update("RefundReceipt", {**current, "Line": [line]})
    run_once(db, full_window("f3"), qbo_factory)
    status, code, cause, fix = logged(db, "f3", "refund", 301, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "refund_edited_in_quickbooks")
    assert "Refund RF-301" in cause and "total 30.00 -> 20.00" in cause and "still has 30.00" in cause
    assert "resync the refund" in fix
    # Held: the next run sends nothing for it.
    run_once(db, full_window("f4"), qbo_factory)
    assert logged(db, "f4", "refund", 301, "status") is None
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("RefundReceipt", receipt)["TotalAmt"])) == D("20.00")

    # Finance resyncs it: the app's 30.00 goes back on the same receipt, and the change closes.
    controls.apply(db, action="resync", tenant_id=1, entity="refund", source_ids=(301,), requested_by="finance")
    run_once(db, full_window("f5"), qbo_factory)
    assert logged(db, "f5", "refund", 301, "status", "action") == ("synced", "update")
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("RefundReceipt", receipt)["TotalAmt"])) == D("30.00")
    assert db.execute(
        "SELECT kind, resolved_at IS NOT NULL FROM qbo_sync.quickbooks_changes WHERE entity = 'refund'"
    ).fetchall() == [("edited", True)]

    # A person deletes the receipt in QuickBooks: explained, forgotten, never sent again by itself.
    with qbo_factory(1) as qbo:
        qbo.delete("RefundReceipt", receipt, qbo.read("RefundReceipt", receipt)["SyncToken"])
    run_once(db, full_window("f6"), qbo_factory)
    status, code, cause = logged(db, "f6", "refund", 301, "status", "error_code", "cause")
    assert (status, code) == ("failed", "refund_deleted_in_quickbooks")
    assert "RF-301 of 30.00" in cause and "deleted there" in cause
    assert qbo_id(db, "refund", 301) is None
    run_once(db, full_window("f7"), qbo_factory)
    assert logged(db, "f7", "refund", 301, "status") is None
    with qbo_factory(1) as qbo:
        assert qbo.query("select * from RefundReceipt") == []


def test_a_refund_the_app_voided_is_deleted_by_the_sync_without_a_change_reported(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    refunded(db)
    run_once(db, full_window("v1"), qbo_factory)
    db.execute("UPDATE billing.refunds SET voided_at = now() WHERE id = 301")
    run_once(db, full_window("v2"), qbo_factory)
    assert logged(db, "v2", "refund", 301, "status", "action") == ("synced", "void")
    run_once(db, full_window("v3"), qbo_factory)  # the capture sees our own deletion
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone() == (0,)
    assert logged(db, "v3", "refund", 301, "error_code") in (None, (None,))
