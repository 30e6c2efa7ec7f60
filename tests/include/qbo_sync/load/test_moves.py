"""An invoice moved to another client in the app after it synced (load/moves.py): with only app
payments applied, they move with it in QuickBooks; with a payment made in QuickBooks applied,
it fails before anything is sent, with its cause and fix; with nothing applied, it is sent as any
edit. Real PostgreSQL, real HTTP to the emulator (which refuses the move while payments stay
applied: 620)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from urllib.parse import parse_qs

import pytest

from qbo_sync.pipeline import run_once
from support.moves import mapped, move_invoice, window
from support.rows import app_payment
from support.runs import full_window, logged
from support.small_tenant import small_tenant

PAID = datetime.now(UTC) - timedelta(hours=3)
REPLAYS = 3  # the test connection's replays of a write whose answer was lost (tests/conftest.py)
APP_PAYMENT = 900  # above the ids the app gives payments imported from QuickBooks


def requests_since(qbo_app, realm_id: str, since: int) -> list[dict]:
    return qbo_app.requests_log(realm_id)[since:]


def queries(log: list[dict]) -> list[str]:
    return [parse_qs(r["query"]).get("query", [""])[0] for r in log if r["path"].endswith("/query")]


@pytest.fixture
def tenant(db, qbo_app, qbo_factory):
    """Clients 101 and 102, invoices 101 and 102 (110.00 each), app payment 900 of 50.00 on
    invoice 101 (reference CARD-1), all synced by run r1."""
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    app_payment(db, APP_PAYMENT, paid_at=PAID)
    run_once(db, full_window("r1"), qbo_factory)
    assert logged(db, "r1", "payment", APP_PAYMENT, "status") == ("synced",)
    return company


def test_an_invoice_moved_with_only_app_payments_moves_them_with_it(db, tenant, qbo_app, qbo_factory):
    invoice, payment = mapped(db, "invoice", 101), mapped(db, "payment", APP_PAYMENT)
    new_customer = mapped(db, "customer", 102)
    move_invoice(db, 101, 102)
    run_once(db, window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "invoice", 101, "action", "status", "error_message")
    assert (action, status) == ("update", "synced")
    assert f"moved to QuickBooks customer Id {new_customer} with its payments CARD-1 (50.00)" in note
    action, status, note = logged(db, "r2", "payment", APP_PAYMENT, "action", "status", "error_message")
    assert (action, status) == ("update", "synced") and "moved in QuickBooks with invoice INV-101" in note
    with qbo_factory(1) as qbo:
        moved = qbo.read("Invoice", invoice)
        paid = qbo.read("Payment", payment)
        assert moved["CustomerRef"]["value"] == new_customer and D(str(moved["Balance"])) == D("60.00")
        assert paid["CustomerRef"]["value"] == new_customer
        assert [(line["Amount"], line["LinkedTxn"][0]["TxnId"]) for line in paid["Line"]] == [(50.0, invoice)]
        assert len(qbo.query("select * from Payment")) == 1  # moved, never posted twice
    state, token = db.execute(
        "SELECT source_state, sync_token FROM qbo_sync.entity_map WHERE entity = 'payment' AND source_id = 900"
    ).fetchone()
    assert "moving_with_invoice" not in state and token == str(paid["SyncToken"])
    # The next run finds nothing to send and no change made in QuickBooks (the writes were ours).
    run_once(db, window("r3"), qbo_factory)
    assert logged(db, "r3", "payment", APP_PAYMENT, "status") is None
    assert logged(db, "r3", "invoice", 101, "status") in (None, ("skipped",))  # unchanged: not sent
    assert db.execute("SELECT count(*) FROM qbo_sync.quickbooks_changes").fetchone()[0] == 0


def test_an_invoice_moved_with_a_quickbooks_payment_applied_fails_before_sending(db, tenant, qbo_app, qbo_factory):
    invoice, old_customer = mapped(db, "invoice", 101), mapped(db, "customer", 101)
    with qbo_factory(1) as qbo:  # someone records a payment in QuickBooks against the invoice
        keyed = qbo.create(
            "Payment",
            {
                "CustomerRef": {"value": old_customer},
                "TotalAmt": D("20.00"),
                "TxnDate": "2026-03-02",
                "PaymentRefNum": "CHQ-77",
                "Line": [{"Amount": D("20.00"), "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]}],
            },
        ).entity
        before = qbo.read("Invoice", invoice)
    move_invoice(db, 101, 102)
    since = len(qbo_app.requests_log(tenant["realm_id"]))
    run_once(db, window("r2"), qbo_factory)
    status, code, cause, fix = logged(db, "r2", "invoice", 101, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "invoice_moved_with_quickbooks_payments")
    assert "INV-101" in cause and "2026-03-02 20.00 (reference CHQ-77" in cause
    assert f"QuickBooks payment Id {keyed['Id']}" in cause and f"Id {old_customer})" in cause
    assert "CARD-1" not in cause  # the app's own payment is not one to unapply by hand
    assert "unapply those payments" in fix and "move the invoice back" in fix
    log = requests_since(qbo_app, tenant["realm_id"], since)
    assert not [r for r in log if r["method"] == "POST"]  # nothing sent: no invoice, no payment written
    assert any("from Invoice where Id in" in q for q in queries(log))
    with qbo_factory(1) as qbo:
        after = qbo.read("Invoice", invoice)
        assert after["SyncToken"] == before["SyncToken"] and after["CustomerRef"]["value"] == old_customer


def test_an_invoice_moved_with_nothing_applied_is_sent_as_any_edit(db, tenant, qbo_app, qbo_factory):
    invoice, new_customer = mapped(db, "invoice", 102), mapped(db, "customer", 101)
    move_invoice(db, 102, 101)
    since = len(qbo_app.requests_log(tenant["realm_id"]))
    run_once(db, window("r2"), qbo_factory)
    assert logged(db, "r2", "invoice", 102, "action", "status") == ("update", "synced")
    log = requests_since(qbo_app, tenant["realm_id"], since)
    looked = queries(log)
    assert sum("from Invoice where Id in" in q for q in looked) == 1  # one read for the batch
    assert not any("from Payment" in q for q in looked)
    assert not [r for r in log if r["method"] == "POST" and r["path"].endswith("/payment")]
    with qbo_factory(1) as qbo:
        assert qbo.read("Invoice", invoice)["CustomerRef"]["value"] == new_customer
    assert db.execute(
        "SELECT customer_qbo_id FROM qbo_sync.entity_map WHERE entity = 'invoice' AND source_id = 102"
    ).fetchone() == (new_customer,)


def test_an_invoice_edited_but_not_moved_reads_nothing(db, tenant, qbo_app, qbo_factory):
    db.execute("UPDATE billing.invoices SET notes = 'see me', updated_at = now() WHERE id = 101")
    since = len(qbo_app.requests_log(tenant["realm_id"]))
    run_once(db, window("r2"), qbo_factory)
    assert logged(db, "r2", "invoice", 101, "action", "status") == ("update", "synced")
    assert not any("where Id in" in q for q in queries(requests_since(qbo_app, tenant["realm_id"], since)))


def test_a_lost_answer_while_unlinking_is_looked_up_not_sent_twice(db, tenant, qbo_app, qbo_factory):
    invoice, payment, new_customer = (
        mapped(db, "invoice", 101),
        mapped(db, "payment", APP_PAYMENT),
        mapped(db, "customer", 102),
    )
    with qbo_factory(1) as qbo:
        before = int(qbo.read("Payment", payment)["SyncToken"])
    move_invoice(db, 101, 102)
    realm = tenant["realm_id"]
    # The unlink lands but its answer is lost (the replays are reset too: OutcomeUnknown).
    qbo_app.inject_fault(realm, "commit_then_drop", count=1, path_contains="/payment")
    qbo_app.inject_fault(realm, "reset", count=REPLAYS, path_contains="/payment")
    since = len(qbo_app.requests_log(realm))
    run_once(db, window("r2"), qbo_factory)
    assert logged(db, "r2", "invoice", 101, "status") == ("synced",)
    assert logged(db, "r2", "payment", APP_PAYMENT, "status") == ("synced",)
    log = requests_since(qbo_app, realm, since)
    assert any(r["method"] == "GET" and r["path"].endswith(f"/payment/{payment}") for r in log)  # looked up
    with qbo_factory(1) as qbo:
        paid = qbo.read("Payment", payment)
        assert int(paid["SyncToken"]) == before + 2  # unlinked once, linked again once
        assert paid["CustomerRef"]["value"] == new_customer
        assert [(line["Amount"], line["LinkedTxn"][0]["TxnId"]) for line in paid["Line"]] == [(50.0, invoice)]


def test_a_run_stopped_between_unlink_and_send_leaves_the_payment_to_the_next_run(db, tenant, qbo_app, qbo_factory):
    invoice, payment = mapped(db, "invoice", 101), mapped(db, "payment", APP_PAYMENT)
    new_customer = mapped(db, "customer", 102)
    move_invoice(db, 101, 102)
    realm = tenant["realm_id"]
    # QuickBooks stops answering once the payment is unlinked: the invoices' batch never lands.
    qbo_app.inject_fault(realm, "server_error", count=50, path_contains="/batch")
    with pytest.raises(Exception, match="transient|retried"):
        run_once(db, window("r2"), qbo_factory)
    state = db.execute(
        "SELECT source_state FROM qbo_sync.entity_map WHERE entity = 'payment' AND source_id = 900"
    ).fetchone()[0]
    assert state["moving_with_invoice"] == 101  # marked: the payment task links it next time
    qbo_app.clear_faults(realm)
    run_once(db, window("r3"), qbo_factory)
    assert logged(db, "r3", "invoice", 101, "status") == ("synced",)
    assert logged(db, "r3", "payment", APP_PAYMENT, "action", "status") == ("update", "synced")
    with qbo_factory(1) as qbo:
        paid = qbo.read("Payment", payment)
        assert paid["CustomerRef"]["value"] == new_customer
        assert [(line["Amount"], line["LinkedTxn"][0]["TxnId"]) for line in paid["Line"]] == [(50.0, invoice)]
        assert D(str(qbo.read("Invoice", invoice)["Balance"])) == D("60.00")
        assert len(qbo.query("select * from Payment")) == 1
    state = db.execute(
        "SELECT source_state FROM qbo_sync.entity_map WHERE entity = 'payment' AND source_id = 900"
    ).fetchone()[0]
    assert "moving_with_invoice" not in state


def test_an_invoice_linked_by_hand_is_checked_against_the_customer_quickbooks_holds(db, tenant, qbo_app, qbo_factory):
    """Linked by hand (records link), never written by the sync: no customer recorded. Moved in
    the app, it is read with the moved ones, so a QuickBooks payment on it stops the move too."""
    from qbo_sync.records.links import link
    from support.small_tenant import checkup_invoice

    old_customer = mapped(db, "customer", 101)
    with qbo_factory(1) as qbo:  # keyed in QuickBooks by hand, with a cheque applied there
        template = qbo.read("Invoice", mapped(db, "invoice", 102))
        keep = ("Line", "TxnDate", "GlobalTaxCalculation", "TxnTaxDetail")
        typed = qbo.create(
            "Invoice",
            {**{k: template[k] for k in keep if k in template}, "DocNumber": "INV-103",
             "CustomerRef": {"value": old_customer}},
        ).entity  # fmt: skip
        qbo.create(
            "Payment",
            {
                "CustomerRef": {"value": old_customer},
                "TotalAmt": D("20.00"),
                "TxnDate": "2026-03-03",
                "PaymentRefNum": "CHQ-88",
                "Line": [{"Amount": D("20.00"), "LinkedTxn": [{"TxnId": typed["Id"], "TxnType": "Invoice"}]}],
            },
        )
    checkup_invoice(db, 1, 103, number="INV-103", client_id=101)
    link(db, qbo_factory, tenant_id=1, entity="invoice", source_id=103, qbo_id=typed["Id"], acted_by="finance")
    assert db.execute(
        "SELECT customer_qbo_id FROM qbo_sync.entity_map WHERE entity = 'invoice' AND source_id = 103"
    ).fetchone() == (None,)
    move_invoice(db, 103, 102)
    since = len(qbo_app.requests_log(tenant["realm_id"]))
    run_once(db, window("r2"), qbo_factory)
    status, code, cause = logged(db, "r2", "invoice", 103, "status", "error_code", "cause")
    assert (status, code) == ("failed", "invoice_moved_with_quickbooks_payments")
    assert "2026-03-03 20.00 (reference CHQ-88" in cause and f"Id {old_customer})" in cause
    log = requests_since(qbo_app, tenant["realm_id"], since)
    assert not [r for r in log if r["method"] == "POST"]
    assert sum("from Invoice where Id in" in q for q in queries(log)) == 1
