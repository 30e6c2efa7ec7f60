"""Issue 18, item 2: changes made in QuickBooks to the records the sync wrote, read each run by
the one change-data-capture call, become explained outcomes; the tenant's policy (flag or
app_wins) decides what the next runs do. QuickBooks is edited through the emulator's API (and
its control API for a merge, which QuickBooks only offers in its screens), as a person would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from urllib.parse import unquote

import pytest

from qbo_sync.operations import controls
from qbo_sync.pipeline import run_once
from qbo_sync.tenants.__main__ import main as tenants_cli
from support.rows import insert
from support.runs import full_window, logged
from support.scenario import build_au_tenant
from support.small_tenant import checkup_invoice, small_tenant


def qbo_id(db, entity, source_id, tenant_id=1):
    row = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = %s AND entity = %s AND source_id = %s",
        (tenant_id, entity, source_id),
    ).fetchone()
    return row[0] if row else None


def changes(db):
    return db.execute(
        "SELECT entity, source_id, kind, resolved_at IS NOT NULL FROM qbo_sync.quickbooks_changes"
        " ORDER BY entity, source_id"
    ).fetchall()


def change_outcomes(db, run_id):
    return {
        (e, s): (status, code)
        for e, s, status, code in db.execute(
            "SELECT entity, source_id, status, error_code FROM qbo_sync.sync_log"
            " WHERE run_id = %s AND (error_code LIKE '%%_in_quickbooks%%' OR error_code LIKE 'invoice_customer_%%')",
            (run_id,),
        )
    }


def resync(db, entity, *ids):
    controls.apply(db, action="resync", tenant_id=1, entity=entity, source_ids=ids, requested_by="finance")


def pay_in_app(db, pid, invoice_id, amount, tenant_id=1):
    now = datetime.now(UTC) - timedelta(minutes=5)
    insert(
        db,
        "billing.payments",
        id=pid,
        tenant_id=tenant_id,
        invoice_id=invoice_id,
        amount=D(amount),
        paid_at=now,
        method="card",
        reference=f"CARD-{pid}",
        origin="app",
        created_at=now,
    )


def test_our_own_writes_are_not_changes_made_in_quickbooks_and_one_capture_call_per_run(db, qbo_app, qbo_factory):
    company, _ = build_au_tenant(db, qbo_app)
    pay_in_app(db, 101, 1, "50.00")  # applying it bumps the invoice's SyncToken in QuickBooks
    run_once(db, full_window("own-1"), qbo_factory)
    # The app edits an invoice after it synced: the sync updates it (a write of ours, again).
    db.execute("UPDATE billing.invoices SET notes = 'seen', updated_at = now() WHERE id = 2")
    db.execute("UPDATE billing.clients SET email = 'bob@example.com', updated_at = now() WHERE id = 4")
    run_once(db, full_window("own-2"), qbo_factory)
    run_once(db, full_window("own-3"), qbo_factory)
    assert changes(db) == []
    assert not change_outcomes(db, "own-2") and not change_outcomes(db, "own-3")
    cdc = [r for r in qbo_app.requests_log(company["realm_id"]) if r["path"].endswith("/cdc")]
    assert len(cdc) == 3  # one change-data-capture read per tenant and run, for payments and the rest
    assert all("entities=Payment,Invoice,Customer,CreditMemo,RefundReceipt" in unquote(r["query"]) for r in cdc)


def test_invoices_edited_voided_and_deleted_in_quickbooks_are_flagged_and_held(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    run_once(db, full_window("f1"), qbo_factory)
    inv1, inv2, inv11 = qbo_id(db, "invoice", 1), qbo_id(db, "invoice", 2), qbo_id(db, "invoice", 11)
    with qbo_factory(1) as qbo:
        one = qbo.read("Invoice", inv1)
        moved = (date.today() - timedelta(days=9)).isoformat()
        qbo.update("Invoice", {"Id": inv1, "SyncToken": one["SyncToken"], "TxnDate": moved}, sparse=True)
        two = qbo.read("Invoice", inv2)
        qbo.void("Invoice", inv2, two["SyncToken"])
        eleven = qbo.read("Invoice", inv11)
        qbo.delete("Invoice", inv11, eleven["SyncToken"])
    run_once(db, full_window("f2"), qbo_factory)
    assert change_outcomes(db, "f2") == {
        ("invoice", 1): ("failed", "invoice_edited_in_quickbooks"),
        ("invoice", 2): ("failed", "invoice_voided_in_quickbooks"),
        ("invoice", 11): ("failed", "invoice_deleted_in_quickbooks"),
    }
    cause, fix = logged(db, "f2", "invoice", 1, "cause", "fix")
    assert f"-> {moved}" in cause and "resync the invoice" in fix and "--quickbooks-changes app_wins" in fix
    assert "QuickBooks cannot undo a void" in logged(db, "f2", "invoice", 2, "fix")[0]
    assert qbo_id(db, "invoice", 11) is None  # deleted there: out of our map
    # The app changes invoice 1 again and a full sync runs: nothing is sent for the held
    # invoices, and the deleted one is not created again.
    db.execute("UPDATE billing.invoices SET notes = 'app edit', updated_at = now() WHERE id = 1")
    run_once(db, full_window("f3"), qbo_factory)
    assert logged(db, "f3", "invoice", 1, "status") is None and logged(db, "f3", "invoice", 11, "status") is None
    with qbo_factory(1) as qbo:
        assert qbo.read("Invoice", inv1)["TxnDate"] == moved
        assert qbo.query("select * from Invoice where DocNumber = 'INV-0011'") == []
    latest = dict(
        db.execute("SELECT source_id, error_code FROM qbo_sync.record_status WHERE entity = 'invoice'").fetchall()
    )
    assert latest[1] == "invoice_edited_in_quickbooks" and latest[11] == "invoice_deleted_in_quickbooks"
    # Finance resyncs both: the app's version goes back (current SyncToken), the deleted one is re-created.
    resync(db, "invoice", 1, 11)
    run_once(db, full_window("f4"), qbo_factory)
    assert logged(db, "f4", "invoice", 1, "status", "action") == ("synced", "update")
    assert logged(db, "f4", "invoice", 11, "status", "action") == ("synced", "create")
    with qbo_factory(1) as qbo:
        assert qbo.read("Invoice", inv1)["TxnDate"] == (date.today() - timedelta(days=1)).isoformat()
        [again] = qbo.query("select * from Invoice where DocNumber = 'INV-0011'")
        assert again["Id"] != inv11 and qbo_id(db, "invoice", 11) == again["Id"]
    assert [(e, s, k, done) for e, s, k, done in changes(db) if s != 2] == [
        ("invoice", 1, "edited", True),
        ("invoice", 11, "deleted", True),
    ]
    run_once(db, full_window("f5"), qbo_factory)  # our restore and re-create are our own writes
    assert not change_outcomes(db, "f5")


def policy(monkeypatch, database_url, value):
    """The tenant's policy, set as a person would: ``python -m qbo_sync.tenants set``."""
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    assert tenants_cli(["set", "--tenant-id", "1", "--quickbooks-changes", value]) == 0


def test_app_wins_puts_an_edited_invoice_back_on_the_next_run(db, qbo_app, qbo_factory, monkeypatch, database_url):
    build_au_tenant(db, qbo_app)
    policy(monkeypatch, database_url, "app_wins")
    run_once(db, full_window("w1"), qbo_factory)
    inv1 = qbo_id(db, "invoice", 1)
    with qbo_factory(1) as qbo:
        one = qbo.read("Invoice", inv1)
        line = next(ln for ln in one["Line"] if ln.get("DetailType") == "SalesItemLineDetail")
        # A person removes a line (a full update; QuickBooks works the tax out again): the total drops.
        body = {k: v for k, v in one.items() if k != "TxnTaxDetail"} | {"Line": [line]}
        edited = qbo.update("Invoice", body).entity
        assert D(str(edited["TotalAmt"])) < D(str(one["TotalAmt"]))
    run_once(db, full_window("w2"), qbo_factory)
    assert change_outcomes(db, "w2") == {("invoice", 1): ("skipped", "invoice_edited_in_quickbooks_restoring")}
    assert "total " in logged(db, "w2", "invoice", 1, "cause")[0]
    run_once(db, full_window("w3"), qbo_factory)
    assert logged(db, "w3", "invoice", 1, "status", "action") == ("synced", "update")
    with qbo_factory(1) as qbo:
        back = qbo.read("Invoice", inv1)
    assert D(str(back["TotalAmt"])) == D(str(one["TotalAmt"])) and int(back["SyncToken"]) > int(edited["SyncToken"])
    assert changes(db) == [("invoice", 1, "edited", True)]


def test_a_customer_made_inactive_holds_its_new_invoices_before_sending_then_app_wins(
    db, qbo_app, qbo_factory, monkeypatch, database_url
):
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    pay_in_app(db, 901, 101, "110.00")  # paid in full: QuickBooks lets a customer go inactive only at zero
    run_once(db, full_window("c1"), qbo_factory)
    customer = qbo_id(db, "customer", 101)
    with qbo_factory(1) as qbo:
        row = qbo.read("Customer", customer)
        qbo.update("Customer", {"Id": customer, "SyncToken": row["SyncToken"], "Active": False}, sparse=True)
    run_once(db, full_window("c2"), qbo_factory)
    assert change_outcomes(db, "c2") == {("customer", 101): ("failed", "customer_inactive_in_quickbooks")}
    checkup_invoice(db, 1, 103, number="INV-103", client_id=101, line_id=10300)
    reads_before = len(qbo_app.requests_log(company["realm_id"]))
    run_once(db, full_window("c3"), qbo_factory)
    status, code, cause = logged(db, "c3", "invoice", 103, "status", "error_code", "cause")
    assert (status, code) == ("failed", "invoice_customer_inactive") and "made inactive" in cause
    sent = [r for r in qbo_app.requests_log(company["realm_id"])[reads_before:] if r["method"] == "POST"]
    assert sent == []  # nothing was sent: the check used what change data capture learned
    policy(monkeypatch, database_url, "app_wins")
    run_once(db, full_window("c4"), qbo_factory)
    assert logged(db, "c4", "customer", 101, "status", "action") == ("synced", "update")
    assert logged(db, "c4", "invoice", 103, "status") == ("synced",)
    with qbo_factory(1) as qbo:
        assert qbo.read("Customer", customer)["Active"] is True
    assert changes(db) == [("customer", 101, "inactive", True)]


def test_our_payment_deleted_in_quickbooks_is_recorded_again_only_on_resync(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    pay_in_app(db, 101, 1, "50.00")
    run_once(db, full_window("p1"), qbo_factory)
    payment = qbo_id(db, "payment", 101)
    with qbo_factory(1) as qbo:
        qbo.delete("Payment", payment, qbo.read("Payment", payment)["SyncToken"])
    run_once(db, full_window("p2"), qbo_factory)
    assert change_outcomes(db, "p2") == {("payment", 101): ("failed", "payment_deleted_in_quickbooks")}
    assert "CARD-101 of 50.00" in logged(db, "p2", "payment", 101, "cause")[0]
    assert db.execute("SELECT count(*) FROM billing.payments WHERE origin = 'quickbooks'").fetchone() == (0,)
    run_once(db, full_window("p3"), qbo_factory)
    assert logged(db, "p3", "payment", 101, "status") is None and qbo_id(db, "payment", 101) is None
    resync(db, "payment", 101)
    run_once(db, full_window("p4"), qbo_factory)
    assert logged(db, "p4", "payment", 101, "status", "action") == ("synced", "create")
    again = qbo_id(db, "payment", 101)
    assert again and again != payment
    assert changes(db) == [("payment", 101, "deleted", True)]


def test_a_customer_merged_in_quickbooks_is_explained_and_its_new_invoices_held(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    run_once(db, full_window("m1"), qbo_factory)
    gone, kept = qbo_id(db, "customer", 101), qbo_id(db, "customer", 102)
    qbo_app.merge_customers(company["realm_id"], gone, kept)
    run_once(db, full_window("m2"), qbo_factory)
    # The invoice that moved to the survivor is not an edit of its own.
    assert change_outcomes(db, "m2") == {("customer", 101): ("failed", "customer_merged_in_quickbooks")}
    cause = logged(db, "m2", "customer", 101, "cause")[0]
    assert "merged into the QuickBooks customer 'Client No102" in cause
    assert qbo_id(db, "customer", 101) is None
    checkup_invoice(db, 1, 103, number="INV-103", client_id=101, line_id=10300)
    run_once(db, full_window("m3"), qbo_factory)
    assert logged(db, "m3", "invoice", 103, "status", "error_code") == ("failed", "invoice_customer_merged")
    assert logged(db, "m3", "customer", 101, "status") is None  # not created again by itself
    with qbo_factory(1) as qbo:
        assert qbo.query("select * from Invoice where DocNumber = 'INV-103'") == []
    resync(db, "customer", 101)
    run_once(db, full_window("m4"), qbo_factory)
    assert logged(db, "m4", "customer", 101, "status", "action") == ("synced", "create")
    assert logged(db, "m4", "invoice", 103, "status") == ("synced",)


def test_a_customer_made_active_again_in_quickbooks_ends_the_change(db, qbo_app, qbo_factory, monkeypatch, capsys):
    small_tenant(db, qbo_app, 1, {1: None})
    pay_in_app(db, 901, 101, "110.00")
    run_once(db, full_window("a1"), qbo_factory)
    customer = qbo_id(db, "customer", 101)
    with qbo_factory(1) as qbo:
        row = qbo.update(
            "Customer",
            {"Id": customer, "SyncToken": qbo.read("Customer", customer)["SyncToken"], "Active": False},
            sparse=True,
        ).entity
    run_once(db, full_window("a2"), qbo_factory)
    assert changes(db) == [("customer", 101, "inactive", False)]
    with qbo_factory(1) as qbo:  # finance follows the fix in QuickBooks itself
        qbo.update("Customer", {"Id": customer, "SyncToken": row["SyncToken"], "Active": True}, sparse=True)
    run_once(db, full_window("a3"), qbo_factory)
    assert logged(db, "a3", "customer", 101, "status", "error_code") == ("skipped", "quickbooks_change_undone")
    assert "made active again in QuickBooks" in logged(db, "a3", "customer", 101, "cause")[0]
    assert changes(db) == [("customer", 101, "inactive", True)]


def test_the_policy_is_shown_and_a_wrong_value_refused(db, qbo_app, monkeypatch, database_url, capsys):
    small_tenant(db, qbo_app, 1, {})
    policy(monkeypatch, database_url, "app_wins")
    assert "changes in QuickBooks  app_wins (the next run puts the app's version back)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        tenants_cli(["set", "--tenant-id", "1", "--quickbooks-changes", "yes"])
    assert refused.value.code == 2
    assert "invalid choice: 'yes'" in capsys.readouterr().err
    assert db.execute("SELECT quickbooks_change_policy FROM qbo_sync.tenant_settings").fetchone() == ("app_wins",)
