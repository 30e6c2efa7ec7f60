"""An invoice moved to another client after sync while one of the sync's credit note
applications is linked (load/credit_moves.py): the application is deleted, the credit memo moves
to the new customer, the invoice goes, and the credit is applied again - exactly once, a lost
answer looked up before anything is posted again. Real PostgreSQL, real HTTP to the emulator."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from qbo_sync.pipeline import run_once
from support.moves import (
    applied,
    credit_applied_once,
    credit_mark,
    mapped,
    move_invoice,
    posts,
    synced_credit_note,
    window,
)
from support.runs import logged

REPLAYS = 3  # the test connection's replays of a write whose answer was lost (tests/conftest.py)
TAG = "[qbo-sync credit_application 1]"


@pytest.fixture
def tenant(db, qbo_app, qbo_factory):
    """Clients 101 and 102, invoices 101 and 102 (110.00 each); credit note CN-1 of 11.00
    applied to invoice 101; all synced by run r1."""
    return synced_credit_note(db, qbo_app, qbo_factory)


def assert_moved(db, qbo_factory, invoice: str, memo: str, new_customer: str, old_application: str) -> None:
    with qbo_factory(1) as qbo:
        moved = qbo.read("Invoice", invoice)
        assert moved["CustomerRef"]["value"] == new_customer and D(str(moved["Balance"])) == D("99.00")
        held = qbo.read("CreditMemo", memo)
        assert held["CustomerRef"]["value"] == new_customer and D(str(held["RemainingCredit"])) == D("0")
        applications = [p for p in qbo.query("select * from Payment") if TAG in (p.get("PrivateNote") or "")]
        assert len(applications) == 1  # applied again once, never twice
        (now,) = applications
        assert now["Id"] != old_application and now["CustomerRef"]["value"] == new_customer
        assert sorted(applied(now)) == [(D("11.00"), "CreditMemo", memo), (D("11.00"), "Invoice", invoice)]
    assert mapped(db, "credit_application", 1) == now["Id"]


def test_an_invoice_moved_with_its_credit_applied_takes_the_credit_with_it(db, tenant, qbo_app, qbo_factory):
    realm = tenant["realm_id"]
    invoice, memo = mapped(db, "invoice", 101), mapped(db, "credit_memo", 1)
    old_application, new_customer = mapped(db, "credit_application", 1), mapped(db, "customer", 102)
    move_invoice(db, 101, 102)
    run_once(db, window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "invoice", 101, "action", "status", "error_message")
    assert (action, status) == ("update", "synced"), note
    assert f"moved to QuickBooks customer Id {new_customer} with its payments credit note CN-1 (11.00)" in note
    action, status, note = logged(db, "r2", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced")
    assert "moved in QuickBooks with invoice INV-101" in note and "11.00 applied to the invoice again" in note
    assert_moved(db, qbo_factory, invoice, memo, new_customer, old_application)
    with qbo_factory(1) as qbo:
        assert not any(p["Id"] == old_application for p in qbo.query("select * from Payment"))  # deleted
    # The next run sends nothing, and the sync's own writes are no change made in QuickBooks.
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r3"), qbo_factory)
    assert posts(qbo_app.requests_log(realm)[since:]) == []
    assert logged(db, "r3", "credit_memo", 1, "status") is None
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone()[0] == 0


def test_a_lost_answer_applying_the_credit_again_is_looked_up_not_posted_twice(db, tenant, qbo_app, qbo_factory):
    realm = tenant["realm_id"]
    invoice, memo = mapped(db, "invoice", 101), mapped(db, "credit_memo", 1)
    old_application, new_customer = mapped(db, "credit_application", 1), mapped(db, "customer", 102)
    move_invoice(db, 101, 102)
    # The new application lands but its answer is lost, and so are the replays (OutcomeUnknown).
    create = "/payment?minorversion=75&requestid="  # the create, not the delete (operation=delete first)
    qbo_app.inject_fault(realm, "commit_then_drop", count=1, path_contains=create)
    qbo_app.inject_fault(realm, "reset", count=REPLAYS, path_contains=create)
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced"), note
    assert "an earlier answer was lost; not sent again" in note
    log = qbo_app.requests_log(realm)[since:]
    assert any(r["method"] == "GET" and r["path"].endswith(f"/invoice/{invoice}") for r in log)  # looked up
    assert_moved(db, qbo_factory, invoice, memo, new_customer, old_application)


def test_a_moved_invoice_refused_by_quickbooks_gets_its_credit_back_under_the_old_customer(
    db, tenant, qbo_app, qbo_factory
):
    """The application deleted and the memo moved, QuickBooks refuses the invoice (a business
    fault in the batch answer): the memo goes back to the old customer and the credit is applied
    again there, once; moving the client back in the app, the next run sends nothing."""
    realm = tenant["realm_id"]
    invoice, memo = mapped(db, "invoice", 101), mapped(db, "credit_memo", 1)
    old_application, old_customer = mapped(db, "credit_application", 1), mapped(db, "customer", 101)
    move_invoice(db, 101, 102)
    qbo_app.refuse_write(realm, "Invoice", invoice, detail="This transaction is locked for review.")
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r2"), qbo_factory)
    status, code, message = logged(db, "r2", "invoice", 101, "status", "error_code", "error_message")
    assert (status, code) == ("failed", "6000") and "locked for review" in message
    action, status, note = logged(db, "r2", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced"), note
    assert "the invoice did not go" in note and "11.00 was applied to it again as before" in note
    written = posts(qbo_app.requests_log(realm)[since:])
    assert sum("/payment?operation=delete" in w for w in written) == 1
    assert sum("/payment?" in w and "operation=" not in w for w in written) == 1  # applied again once
    assert sum("/creditmemo?" in w for w in written) == 2  # moved, and moved back
    again = credit_applied_once(db, qbo_factory, invoice, memo, old_customer, "99.00")
    assert again["Id"] != old_application and credit_mark(db) is None
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone()[0] == 0

    move_invoice(db, 101, 101)  # finance moves the client back (the fix): nothing more to send
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r3"), qbo_factory)
    assert posts(qbo_app.requests_log(realm)[since:]) == []
    assert logged(db, "r3", "credit_memo", 1, "status") is None
    credit_applied_once(db, qbo_factory, invoice, memo, old_customer, "99.00")
