"""An invoice moved to another client after sync, with only app payments applied, that QuickBooks
then refuses (load/moves.py): the payments unlinked before the send are linked back to the
invoice under its old customer, each once with its amount, and the invoice fails with
QuickBooks' fault explained. The emulator's refusals (qbo_emulator/refusals.py) make QuickBooks
say no with a business fault inside the batch answer, as it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_sync.pipeline import run_once
from support.moves import applied, mapped, move_invoice, posts, window
from support.rows import app_payment
from support.runs import full_window, logged
from support.small_tenant import small_tenant

PAID = datetime.now(UTC) - timedelta(hours=3)
APP_PAYMENT = 900
AMOUNTS = {APP_PAYMENT: D("50.00"), APP_PAYMENT + 1: D("20.00")}


@pytest.fixture
def tenant(db, qbo_app, qbo_factory):
    """Clients 101 and 102 with invoices 101 and 102 (110.00 each); app payment 900 of 50.00
    (CARD-1) and 901 of 20.00 (CARD-2) on invoice 101; all synced by run r1."""
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    app_payment(db, APP_PAYMENT, paid_at=PAID)
    app_payment(db, APP_PAYMENT + 1, paid_at=PAID, amount="20.00", reference="CARD-2")
    run_once(db, full_window("r1"), qbo_factory)
    assert logged(db, "r1", "payment", APP_PAYMENT, "status") == ("synced",)
    return company


def refused_move(db, realm, qbo_app, qbo_factory) -> tuple[str, str, dict[int, str]]:
    """Invoice 101 moved to client 102 in the app; QuickBooks refuses its update once (run r2)."""
    invoice, old_customer = mapped(db, "invoice", 101), mapped(db, "customer", 101)
    payments = {sid: mapped(db, "payment", sid) for sid in AMOUNTS}
    move_invoice(db, 101, 102)
    qbo_app.refuse_write(realm, "Invoice", invoice, detail="This transaction is locked for review.")
    run_once(db, window("r2"), qbo_factory)
    return invoice, old_customer, payments


def assert_linked_to(db, qbo_factory, invoice: str, customer: str, payments: dict[int, str], balance: str) -> None:
    """Each payment once in QuickBooks, under ``customer``, applying its whole amount to ``invoice``."""
    with qbo_factory(1) as qbo:
        held = qbo.read("Invoice", invoice)
        assert held["CustomerRef"]["value"] == customer and D(str(held["Balance"])) == D(balance)
        assert len(qbo.query("select * from Payment")) == len(payments)  # never posted again
        for sid, qid in payments.items():
            paid = qbo.read("Payment", qid)
            assert paid["CustomerRef"]["value"] == customer
            assert applied(paid) == [(AMOUNTS[sid], "Invoice", invoice)]
            assert D(str(paid["TotalAmt"])) == AMOUNTS[sid] and D(str(paid.get("UnappliedAmt") or 0)) == 0
            state, token = db.execute(
                "SELECT source_state, sync_token FROM qbo_sync.entity_map WHERE entity = 'payment' AND source_id = %s",
                (sid,),
            ).fetchone()
            assert "moving_with_invoice" not in state and token == str(paid["SyncToken"])


def test_a_moved_invoice_refused_by_quickbooks_gets_its_payments_back_under_the_old_customer(
    db, tenant, qbo_app, qbo_factory
):
    realm = tenant["realm_id"]
    invoice, old_customer, payments = refused_move(db, realm, qbo_app, qbo_factory)
    status, code, message, cause, fix = logged(
        db, "r2", "invoice", 101, "status", "error_code", "error_message", "cause", "fix"
    )
    assert (status, code) == ("failed", "6000")  # QuickBooks' fault, explained by the catalog
    assert "This transaction is locked for review." in message
    assert "refused the Invoice for a business rule" in cause and "correct the record" in fix
    for sid in AMOUNTS:
        action, status, note = logged(db, "r2", "payment", sid, "action", "status", "error_message")
        assert (action, status) == ("update", "synced"), note
        assert "the invoice did not go" in note and f"{AMOUNTS[sid]:.2f} was applied to it again" in note
    assert_linked_to(db, qbo_factory, invoice, old_customer, payments, "40.00")

    # Finance moves the client back in the app (the fix): the next run sends nothing at all.
    move_invoice(db, 101, 101)
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r3"), qbo_factory)
    assert posts(qbo_app.requests_log(realm)[since:]) == []
    assert logged(db, "r3", "invoice", 101, "status") in (None, ("skipped",))
    assert all(logged(db, "r3", "payment", sid, "status") is None for sid in AMOUNTS)
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone()[0] == 0
    assert_linked_to(db, qbo_factory, invoice, old_customer, payments, "40.00")


def test_a_refused_move_tried_again_moves_each_payment_once(db, tenant, qbo_app, qbo_factory):
    """Nothing changed in the app: the failed invoice is tried again next run (as every failed
    invoice is), QuickBooks takes it now, and its payments move with it - updated, never
    posted again, and none of the sync's own writes taken for a change made in QuickBooks."""
    realm = tenant["realm_id"]
    invoice, _old, payments = refused_move(db, realm, qbo_app, qbo_factory)
    new_customer = mapped(db, "customer", 102)
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r3"), qbo_factory)
    assert logged(db, "r3", "invoice", 101, "action", "status") == ("update", "synced")
    for sid in AMOUNTS:
        action, status, note = logged(db, "r3", "payment", sid, "action", "status", "error_message")
        assert (action, status) == ("update", "synced") and "moved in QuickBooks with invoice INV-101" in note
    written = posts(qbo_app.requests_log(realm)[since:])
    assert sum("/payment?" in w for w in written) == 2 * len(payments)  # unlinked and linked again, each once
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone()[0] == 0
    assert_linked_to(db, qbo_factory, invoice, new_customer, payments, "40.00")
