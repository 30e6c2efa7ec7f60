"""A credit note moved with its invoice (load/credit_moves.py) whose run stopped after its
application was deleted, or whose new application failed: the credit memo's recorded state is
marked before the delete, and the next run's credit-note task applies the credit again, once,
under the invoice's customer in QuickBooks (payments/credit_resume.py). Real PostgreSQL, real
HTTP to the emulator (its fault injection and its refusals)."""

from __future__ import annotations

import pytest

from qbo_sync.pipeline import run_once
from support.moves import (
    CREDIT_TAG,
    credit_applied_once,
    credit_mark,
    mapped,
    move_invoice,
    posts,
    synced_credit_note,
    window,
)
from support.runs import logged


@pytest.fixture
def tenant(db, qbo_app, qbo_factory):
    return synced_credit_note(db, qbo_app, qbo_factory)


def test_a_run_stopped_after_the_delete_leaves_the_credit_to_the_next_run(db, tenant, qbo_app, qbo_factory):
    realm = tenant["realm_id"]
    invoice, memo = mapped(db, "invoice", 101), mapped(db, "credit_memo", 1)
    old_application, new_customer = mapped(db, "credit_application", 1), mapped(db, "customer", 102)
    move_invoice(db, 101, 102)
    # QuickBooks stops answering once the application is deleted and the memo moved: the
    # invoices' batch never lands and the run stops (its task fails).
    qbo_app.inject_fault(realm, "server_error", count=50, path_contains="/batch")
    with pytest.raises(Exception, match="transient|retried"):
        run_once(db, window("r2"), qbo_factory)
    assert credit_mark(db) == {"invoice_id": 101, "applied": "11.00"}  # the next run's credit-note task
    with qbo_factory(1) as qbo:
        assert not [p for p in qbo.query("select * from Payment") if CREDIT_TAG in (p.get("PrivateNote") or "")]
        assert qbo.read("Invoice", invoice)["CustomerRef"]["value"] != new_customer  # did not go
    qbo_app.clear_faults(realm)

    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r3"), qbo_factory)
    assert logged(db, "r3", "invoice", 101, "action", "status") == ("update", "synced")
    action, status, note = logged(db, "r3", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced"), note
    assert "stopped half-way" in note
    assert f"11.00 applied to the invoice under QuickBooks customer Id {new_customer}" in note
    now = credit_applied_once(db, qbo_factory, invoice, memo, new_customer, "99.00")
    assert now["Id"] != old_application
    log = qbo_app.requests_log(realm)[since:]
    assert sum("/payment?" in w and "operation" not in w for w in posts(log)) == 1  # posted once
    assert credit_mark(db) is None
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone()[0] == 0

    # Applied and unmarked: the next run sends nothing.
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r4"), qbo_factory)
    assert posts(qbo_app.requests_log(realm)[since:]) == []
    assert logged(db, "r4", "credit_memo", 1, "status") is None
    credit_applied_once(db, qbo_factory, invoice, memo, new_customer, "99.00")


def test_a_refused_new_application_is_applied_by_the_next_run_once(db, tenant, qbo_app, qbo_factory):
    """The invoice went, QuickBooks refused the credit's new application: the credit note fails,
    still marked; the next run applies it once (the memo is already under the new customer)."""
    realm = tenant["realm_id"]
    invoice, memo = mapped(db, "invoice", 101), mapped(db, "credit_memo", 1)
    new_customer = mapped(db, "customer", 102)
    move_invoice(db, 101, 102)
    qbo_app.refuse_write(realm, "Payment", None, operation="create", detail="Try again later.")
    run_once(db, window("r2"), qbo_factory)
    assert logged(db, "r2", "invoice", 101, "status") == ("synced",)
    status, code, message = logged(db, "r2", "credit_memo", 1, "status", "error_code", "error_message")
    assert (status, code) == ("failed", "6000") and "Try again later." in message
    assert credit_mark(db) == {"invoice_id": 101, "applied": "11.00"}

    run_once(db, window("r3"), qbo_factory)
    action, status, note = logged(db, "r3", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced"), note
    assert "memo moved" not in note  # it went with the invoice in r2
    credit_applied_once(db, qbo_factory, invoice, memo, new_customer, "99.00")
    assert credit_mark(db) is None
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone()[0] == 0


def test_a_worker_killed_after_the_new_application_landed_posts_nothing_again(db, tenant, qbo_app, qbo_factory):
    """QuickBooks took the new application but the worker was killed before the sync recorded
    it (the state such a kill leaves: the mark still on, no application in our map): the next
    run finds it on the invoice by its tag, records it and posts nothing."""
    realm = tenant["realm_id"]
    invoice, memo = mapped(db, "invoice", 101), mapped(db, "credit_memo", 1)
    new_customer = mapped(db, "customer", 102)
    move_invoice(db, 101, 102)
    run_once(db, window("r2"), qbo_factory)
    landed = credit_applied_once(db, qbo_factory, invoice, memo, new_customer, "99.00")
    db.execute(
        "UPDATE qbo_sync.entity_map SET source_state = source_state || %s::jsonb"
        " WHERE entity = 'credit_memo' AND source_id = 1",
        ('{"moving_with_invoice": {"invoice_id": 101, "applied": "11.00"}}',),
    )
    db.execute("DELETE FROM qbo_sync.entity_map WHERE entity = 'credit_application' AND source_id = 1")

    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r3"), qbo_factory)
    action, status, note = logged(db, "r3", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced"), note
    assert "already has it applied (11.00" in note and "not sent again" in note
    assert posts(qbo_app.requests_log(realm)[since:]) == []
    assert credit_applied_once(db, qbo_factory, invoice, memo, new_customer, "99.00")["Id"] == landed["Id"]
    assert credit_mark(db) is None
