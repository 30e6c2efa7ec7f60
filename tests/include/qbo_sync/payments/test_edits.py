"""Edits after sync (payments/edits.py): app payments and credit notes changed or voided after
they reached QuickBooks update or void the same QuickBooks record, with the SyncToken recorded
at the sync's own write; a stale one is read once and retried once; a change that already
landed (lost answer) is never sent twice. Real PostgreSQL, real HTTP to the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.rows import app_payment, goodwill_credit_note, insert
from support.runs import full_window, logged
from support.small_tenant import small_tenant

PAID = datetime.now(UTC) - timedelta(hours=3)
REPLAYS = 3  # the test connection's replays of a write whose answer was lost (tests/conftest.py)


def quiet_window(run_id: str) -> RunWindow:
    """A window in which the app changed nothing: only what the sync's own state finds is staged."""
    start = datetime.now(UTC) + timedelta(days=1)
    return RunWindow(run_id, start, start + timedelta(hours=1), full_sync=False)


def qbo_id(db, entity: str, source_id: int) -> str | None:
    row = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()
    return row[0] if row else None


def history(db, entity: str, source_id: int) -> list[tuple]:
    return db.execute(
        "SELECT run_id, action, status FROM qbo_sync.sync_log WHERE entity = %s AND source_id = %s ORDER BY id",
        (entity, source_id),
    ).fetchall()


def writes(qbo_app, realm_id: str, segment: str) -> list[dict]:
    """POSTs to one entity path (updates, voids, deletes; creates go by batch)."""
    return [r for r in qbo_app.requests_log(realm_id) if r["method"] == "POST" and r["path"].endswith(f"/{segment}")]


@pytest.fixture
def tenant(db, qbo_app):
    """Clients 101 and 102, invoices 101 and 102 (110.00 each), payment 1 of 50.00 on invoice
    101, all synced by run r1."""
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    app_payment(db, 1, paid_at=PAID)
    return company


def test_a_payment_edited_after_sync_is_updated_in_place_whatever_the_window(db, tenant, qbo_app, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    assert logged(db, "r1", "payment", 1, "action", "status") == ("create", "synced")
    # The app keeps no updated_at for payments: the edit is found by what the sync recorded.
    db.execute(
        "UPDATE billing.payments SET amount = 60.00, reference = 'CARD-1B', paid_at = paid_at - interval '1 day' "
        "WHERE id = 1"
    )
    run_once(db, quiet_window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "payment", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced")
    assert "amount 50.00 -> 60.00" in note
    with qbo_factory(1) as qbo:
        fresh = qbo.read("Payment", payment)
        assert D(str(fresh["TotalAmt"])) == D("60.00") and fresh["PaymentRefNum"] == "CARD-1B"
        assert fresh["TxnDate"] == (PAID - timedelta(days=1)).date().isoformat()
        assert D(str(qbo.read("Invoice", qbo_id(db, "invoice", 101))["Balance"])) == D("50.00")
        assert len(qbo.query("select * from Payment")) == 1  # updated, never posted again
    # Unchanged since: the next run does not even stage it; the history keeps both outcomes.
    run_once(db, quiet_window("r3"), qbo_factory)
    assert logged(db, "r3", "payment", 1, "status") is None
    assert history(db, "payment", 1) == [("r1", "create", "synced"), ("r2", "update", "synced")]


def test_a_payment_moved_to_another_clients_invoice_moves_in_quickbooks(db, tenant, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    db.execute("UPDATE billing.payments SET invoice_id = 102 WHERE id = 1")
    run_once(db, quiet_window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "payment", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced")
    assert "moved from invoice INV-101 to invoice INV-102" in note
    with qbo_factory(1) as qbo:
        fresh = qbo.read("Payment", payment)
        assert fresh["CustomerRef"]["value"] == qbo_id(db, "customer", 102)
        assert [ln["TxnId"] for line in fresh["Line"] for ln in line["LinkedTxn"]] == [qbo_id(db, "invoice", 102)]
        assert D(str(qbo.read("Invoice", qbo_id(db, "invoice", 101))["Balance"])) == D("110.00")
        assert D(str(qbo.read("Invoice", qbo_id(db, "invoice", 102))["Balance"])) == D("60.00")


def test_a_payment_moved_to_an_invoice_not_in_quickbooks_stays_and_is_explained(db, tenant, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    insert(  # finalized, but with no lines: it fails validation and never reaches QuickBooks
        db,
        "billing.invoices",
        id=103,
        tenant_id=1,
        number="INV-103",
        client_id=101,
        status="finalized",
        issue_date=PAID.date(),
        tax_mode="exclusive",
        currency="AUD",
        subtotal=D("0"),
        tax_total=D("0"),
        total=D("0"),
        origin="app",
        finalized_at=PAID,
        updated_at=PAID,
    )
    db.execute("UPDATE billing.payments SET invoice_id = 103 WHERE id = 1")
    run_once(db, full_window("r2"), qbo_factory)
    action, status, code, cause, fix = logged(db, "r2", "payment", 1, "action", "status", "error_code", "cause", "fix")
    assert (action, status, code) == ("update", "failed", "payment_move_invoice_not_synced")
    assert "from invoice INV-101 to invoice INV-103" in cause and "Fix invoice INV-103 first" in fix
    with qbo_factory(1) as qbo:
        links = [ln["TxnId"] for line in qbo.read("Payment", payment)["Line"] for ln in line["LinkedTxn"]]
        assert links == [qbo_id(db, "invoice", 101)]


def test_a_stale_sync_token_is_read_once_and_the_update_sent_once_more(db, tenant, qbo_app, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    with qbo_factory(1) as qbo:  # a person edits the payment's memo in QuickBooks: our SyncToken is stale
        current = qbo.read("Payment", payment)
        qbo.update("Payment", {"Id": payment, "SyncToken": current["SyncToken"], "PrivateNote": "checked"}, sparse=True)
    db.execute("UPDATE billing.payments SET amount = 40.00 WHERE id = 1")
    before = len(qbo_app.requests_log(tenant["realm_id"]))
    run_once(db, quiet_window("r2"), qbo_factory)
    assert logged(db, "r2", "payment", 1, "action", "status") == ("update", "synced")
    sent = [r for r in qbo_app.requests_log(tenant["realm_id"])[before:] if f"/payment/{payment}" in r["path"]]
    posts = [r for r in qbo_app.requests_log(tenant["realm_id"])[before:] if r["path"].endswith("/payment")]
    assert [r["status"] for r in posts] == [400, 200] and [r["method"] for r in sent] == ["GET"]
    with qbo_factory(1) as qbo:
        fresh = qbo.read("Payment", payment)
        assert D(str(fresh["TotalAmt"])) == D("40.00") and fresh["SyncToken"] == str(int(current["SyncToken"]) + 2)


def test_a_second_stale_answer_is_the_outcome_and_the_next_run_sends_it(db, tenant, qbo_app, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    db.execute("UPDATE billing.payments SET amount = 40.00 WHERE id = 1")
    # Someone saves the payment in QuickBooks just before each of our two writes.
    qbo_app.inject_fault(tenant["realm_id"], "stale_object", count=2, path_contains="/payment?")
    before = len(qbo_app.requests_log(tenant["realm_id"]))
    run_once(db, quiet_window("r2"), qbo_factory)
    action, status, code, cause, fix = logged(db, "r2", "payment", 1, "action", "status", "error_code", "cause", "fix")
    assert (action, status, code) == ("update", "failed", "5010")
    assert "changed this payment in quickbooks while the sync was updating it" in cause.lower() and fix
    posts = [r for r in qbo_app.requests_log(tenant["realm_id"])[before:] if r["path"].endswith("/payment")]
    assert len(posts) == 2  # the recorded token, then once more after one read: never a third time
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Payment", payment)["TotalAmt"])) == D("50.00")
    run_once(db, quiet_window("r3"), qbo_factory)
    assert logged(db, "r3", "payment", 1, "action", "status") == ("update", "synced")
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Payment", payment)["TotalAmt"])) == D("40.00")
    assert [h[1:] for h in history(db, "payment", 1)] == [
        ("create", "synced"),
        ("update", "failed"),
        ("update", "synced"),
    ]


def test_an_update_whose_answer_was_lost_is_found_applied_not_sent_twice(db, tenant, qbo_app, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    with qbo_factory(1) as qbo:
        token = int(qbo.read("Payment", payment)["SyncToken"])
    db.execute("UPDATE billing.payments SET amount = 45.00, reference = 'CARD-9' WHERE id = 1")
    # QuickBooks applies the update and the answer is lost; every replay is cut off too.
    qbo_app.inject_fault(tenant["realm_id"], "commit_then_drop", count=1, path_contains="/payment?")
    qbo_app.inject_fault(tenant["realm_id"], "reset", count=REPLAYS, path_contains="/payment?")
    run_once(db, quiet_window("r2"), qbo_factory)
    status, note = logged(db, "r2", "payment", 1, "status", "error_message")
    assert status == "synced" and "already had this change" in note
    with qbo_factory(1) as qbo:
        fresh = qbo.read("Payment", payment)
        assert D(str(fresh["TotalAmt"])) == D("45.00") and fresh["PaymentRefNum"] == "CARD-9"
        assert int(fresh["SyncToken"]) == token + 1  # applied exactly once
    recorded = db.execute(
        "SELECT sync_token FROM qbo_sync.entity_map WHERE entity = 'payment' AND source_id = 1"
    ).fetchone()[0]
    assert recorded == str(token + 1)  # the next edit starts from the version QuickBooks holds


def test_a_void_whose_answer_was_lost_is_not_voided_twice(db, tenant, qbo_app, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    db.execute("UPDATE billing.payments SET voided_at = now() - interval '1 day' WHERE id = 1")  # outside any window
    qbo_app.inject_fault(tenant["realm_id"], "commit_then_drop", count=1, path_contains="/payment?")
    qbo_app.inject_fault(tenant["realm_id"], "reset", count=REPLAYS, path_contains="/payment?")
    run_once(db, quiet_window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "payment", 1, "action", "status", "error_message")
    assert (action, status) == ("void", "synced") and "already" in note
    with qbo_factory(1) as qbo:
        fresh = qbo.read("Payment", payment)
        assert D(str(fresh["TotalAmt"])) == 0 and fresh["PrivateNote"].startswith("Voided")
        assert D(str(qbo.read("Invoice", qbo_id(db, "invoice", 101))["Balance"])) == D("110.00")
    run_once(db, quiet_window("r3"), qbo_factory)
    assert logged(db, "r3", "payment", 1, "status") is None  # done: not staged again


# ---------------------------------------------------------------------- credit notes
@pytest.fixture
def credited(db, tenant):
    """Credit note 1 (11.00 incl. GST) on invoice 101, synced with its application by r1."""
    goodwill_credit_note(db, at=PAID)
    return tenant


def edit_credit_note(db, total: str, description: str = "goodwill") -> None:
    db.execute("UPDATE billing.credit_note_lines SET amount = %s, description = %s WHERE id = 1", (total, description))
    db.execute("UPDATE billing.credit_notes SET total = %s, updated_at = now() WHERE id = 1", (total,))


def applications(qbo, memo: str) -> list[dict]:
    return [
        p
        for p in qbo.query("select * from Payment")
        if any(ln["TxnId"] == memo and ln["TxnType"] == "CreditMemo" for line in p["Line"] for ln in line["LinkedTxn"])
    ]


def test_a_credit_note_edited_after_sync_updates_its_memo_and_applies_the_new_credit(db, credited, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    memo, invoice = qbo_id(db, "credit_memo", 1), qbo_id(db, "invoice", 101)
    edit_credit_note(db, "22.00")
    run_once(db, full_window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced") and "credit applied again: 22.00 to invoice INV-101" in note
    with qbo_factory(1) as qbo:
        fresh = qbo.read("CreditMemo", memo)
        assert D(str(fresh["TotalAmt"])) == D("22.00") and D(str(fresh["RemainingCredit"])) == 0
        # 110.00 - payment 50.00 - credit 22.00
        assert D(str(qbo.read("Invoice", invoice)["Balance"])) == D("38.00")
        assert len(applications(qbo, memo)) == 1
        assert len(qbo.query("select * from CreditMemo")) == 1
    assert [h[1:] for h in history(db, "credit_memo", 1)] == [("create", "synced"), ("update", "synced")]


def test_a_credit_note_whose_text_changed_keeps_its_application(db, credited, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    application = qbo_id(db, "credit_application", 1)
    edit_credit_note(db, "11.00", "goodwill, as agreed by phone")
    run_once(db, full_window("r2"), qbo_factory)
    assert logged(db, "r2", "credit_memo", 1, "action", "status") == ("update", "synced")
    assert qbo_id(db, "credit_application", 1) == application
    with qbo_factory(1) as qbo:
        lines = qbo.read("CreditMemo", qbo_id(db, "credit_memo", 1))["Line"]
        assert lines[0]["Description"].endswith("goodwill, as agreed by phone")


def test_a_credit_note_voided_in_the_app_is_deleted_in_quickbooks(db, credited, qbo_factory):
    from qbo_client.errors import QboFaultError

    run_once(db, full_window("r1"), qbo_factory)
    memo, invoice = qbo_id(db, "credit_memo", 1), qbo_id(db, "invoice", 101)
    db.execute("UPDATE billing.credit_notes SET status = 'voided', updated_at = now() - interval '2 days' WHERE id = 1")
    run_once(db, quiet_window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("void", "synced") and "no void for a credit memo" in note
    with qbo_factory(1) as qbo:
        with pytest.raises(QboFaultError) as gone:
            qbo.read("CreditMemo", memo)
        assert gone.value.fault.code == "610"
        assert applications(qbo, memo) == []
        assert D(str(qbo.read("Invoice", invoice)["Balance"])) == D("60.00")  # 110.00 - payment 50.00
    run_once(db, quiet_window("r3"), qbo_factory)
    assert logged(db, "r3", "credit_memo", 1, "status") is None


def test_a_memo_sent_before_its_content_was_recorded_is_compared_not_rewritten(db, credited, qbo_app, qbo_factory):
    run_once(db, full_window("r1"), qbo_factory)
    memo = qbo_id(db, "credit_memo", 1)
    db.execute("UPDATE qbo_sync.entity_map SET payload_hash = NULL WHERE entity = 'credit_memo'")  # as before 0014
    before = len(qbo_app.requests_log(credited["realm_id"]))
    run_once(db, full_window("r2"), qbo_factory)
    assert logged(db, "r2", "credit_memo", 1, "action", "status") == ("skip", "skipped")
    since = qbo_app.requests_log(credited["realm_id"])[before:]
    # One read of that memo, no write: QuickBooks' copy is the app's.
    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in since if "/creditmemo" in r["path"]] == [("GET", memo)]
    assert db.execute(
        "SELECT payload_hash IS NOT NULL FROM qbo_sync.entity_map WHERE entity = 'credit_memo'"
    ).fetchone()[0]


def test_a_reference_removed_in_the_app_is_cleared_in_quickbooks_by_a_full_update(db, tenant, qbo_factory):
    """A sparse update cannot remove a field (an empty string leaves it): the sync reads the
    payment and sends a full update without PaymentRefNum, keeping what QuickBooks holds."""
    run_once(db, full_window("r1"), qbo_factory)
    payment = qbo_id(db, "payment", 1)
    with qbo_factory(1) as qbo:
        before = qbo.read("Payment", payment)
        qbo.update("Payment", {"Id": payment, "SyncToken": before["SyncToken"], "PrivateNote": "banked"}, sparse=True)
        before = qbo.read("Payment", payment)
    assert before["PaymentRefNum"] == "CARD-1"
    db.execute("UPDATE billing.payments SET reference = NULL WHERE id = 1")
    run_once(db, quiet_window("r2"), qbo_factory)
    action, status, note = logged(db, "r2", "payment", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced") and "reference removed" in note
    with qbo_factory(1) as qbo:
        fresh = qbo.read("Payment", payment)
        assert "PaymentRefNum" not in fresh
        assert fresh["PrivateNote"] == "banked" and fresh["DepositToAccountRef"] == before["DepositToAccountRef"]
        assert D(str(fresh["TotalAmt"])) == D("50.00") and fresh["Line"] == before["Line"]
        assert D(str(qbo.read("Invoice", qbo_id(db, "invoice", 101))["Balance"])) == D("60.00")
    run_once(db, quiet_window("r3"), qbo_factory)
    assert logged(db, "r3", "payment", 1, "status") is None  # its state recorded: not staged again
