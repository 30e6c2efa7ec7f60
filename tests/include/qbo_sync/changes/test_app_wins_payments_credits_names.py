"""Issue 18, item 2 (gap): a payment or a credit memo (with its application) edited in QuickBooks,
and a customer renamed there. Under the policy flag each is an explained outcome and nothing is
sent until finance resyncs it; under app_wins the next run puts the app's version back with the
current SyncToken, exactly once. QuickBooks is changed through the emulator's API, as a person
would; real PostgreSQL, real HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_sync.operations import controls
from qbo_sync.pipeline import run_once
from qbo_sync.tenants.__main__ import main as tenants_cli
from support.rows import app_payment, goodwill_credit_note
from support.runs import full_window, logged
from support.small_tenant import checkup_invoice, small_tenant

PAID = datetime.now(UTC) - timedelta(hours=3)
REPLAYS = 3  # the test connection's replays of a write whose answer was lost (tests/conftest.py)


def qbo_id(db, entity, source_id):
    row = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()
    return row[0] if row else None


def changes(db):
    return db.execute(
        "SELECT entity, source_id, kind, resolved_at IS NOT NULL FROM qbo_sync.quickbooks_changes"
        " ORDER BY entity, source_id"
    ).fetchall()


def policy(monkeypatch, database_url, value):
    """The tenant's policy, set as a person would: ``python -m qbo_sync.tenants set``."""
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    assert tenants_cli(["set", "--tenant-id", "1", "--quickbooks-changes", value]) == 0


def posts(qbo_app, realm_id, since, segment):
    """Writes to one entity path since request ``since`` (updates, deletes; creates go by batch)."""
    return [
        r for r in qbo_app.requests_log(realm_id)[since:] if r["method"] == "POST" and r["path"].endswith(f"/{segment}")
    ]


def links(record):
    return {(ln["TxnType"], ln["TxnId"]): D(str(line["Amount"])) for line in record["Line"] for ln in line["LinkedTxn"]}


@pytest.fixture
def paid(db, qbo_app):
    """Client 101 with invoices 101 and 103 (110.00 each), client 102 with invoice 102;
    payment 1 of 50.00 (CARD-1) on invoice 101."""
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    checkup_invoice(db, 1, 103, number="INV-103", client_id=101, line_id=10300)
    app_payment(db, 1, paid_at=PAID)
    return company


def edit_payment_in_quickbooks(qbo, payment, invoice_qbo, customer_qbo):
    """A person changes the amount, date and reference and moves the payment to another invoice."""
    current = qbo.read("Payment", payment)
    body = {
        "Id": payment,
        "SyncToken": current["SyncToken"],
        "CustomerRef": {"value": customer_qbo},
        "TotalAmt": D("30.00"),
        "TxnDate": (date.today() - timedelta(days=10)).isoformat(),
        "PaymentRefNum": "CHQ-77",
        "Line": [{"Amount": D("30.00"), "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}],
    }
    return qbo.update("Payment", body, sparse=True).entity


def test_app_wins_puts_an_edited_payment_back_once_with_the_current_sync_token(
    db, paid, qbo_app, qbo_factory, monkeypatch, database_url
):
    realm = paid["realm_id"]
    policy(monkeypatch, database_url, "app_wins")
    run_once(db, full_window("w1"), qbo_factory)
    payment, inv101, inv103 = qbo_id(db, "payment", 1), qbo_id(db, "invoice", 101), qbo_id(db, "invoice", 103)
    with qbo_factory(1) as qbo:
        before = qbo.read("Payment", payment)
        edit_payment_in_quickbooks(qbo, payment, inv103, qbo_id(db, "customer", 101))
    run_once(db, full_window("w2"), qbo_factory)
    status, code, cause = logged(db, "w2", "payment", 1, "status", "error_code", "cause")
    assert (status, code) == ("skipped", "payment_edited_in_quickbooks_restoring")
    for said in ("total 50.00 -> 30.00", "reference CARD-1 -> CHQ-77", "date ", "invoice(s) paid"):
        assert said in cause
    # Someone saves the payment once more (its memo only) before the next run: our SyncToken is stale.
    with qbo_factory(1) as qbo:
        now = qbo.read("Payment", payment)
        memo = {"Id": payment, "SyncToken": now["SyncToken"], "PrivateNote": "checked by Sam"}
        edited = qbo.update("Payment", memo, sparse=True).entity
    since = len(qbo_app.requests_log(realm))
    run_once(db, full_window("w3"), qbo_factory)
    action, status, note = logged(db, "w3", "payment", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced") and "billing app's version put back" in note
    # The recorded SyncToken was refused (5010), the payment read once, the update sent once more.
    assert [r["status"] for r in posts(qbo_app, realm, since, "payment")] == [400, 200]
    reads = [
        r for r in qbo_app.requests_log(realm)[since:] if r["method"] == "GET" and f"/payment/{payment}" in r["path"]
    ]
    assert len(reads) == 1
    with qbo_factory(1) as qbo:
        back = qbo.read("Payment", payment)
        assert D(str(back["TotalAmt"])) == D("50.00") and back["PaymentRefNum"] == "CARD-1"
        assert back["TxnDate"] == before["TxnDate"] and links(back) == {("Invoice", inv101): D("50.00")}
        assert int(back["SyncToken"]) == int(edited["SyncToken"]) + 1  # written once
        assert D(str(qbo.read("Invoice", inv101)["Balance"])) == D("60.00")
        assert D(str(qbo.read("Invoice", inv103)["Balance"])) == D("110.00")
        assert len(qbo.query("select * from Payment")) == 1
    assert changes(db) == [("payment", 1, "edited", True)]
    # The next runs: our write is not a change made in QuickBooks, and nothing is sent again.
    since = len(qbo_app.requests_log(realm))
    run_once(db, full_window("w4"), qbo_factory)
    run_once(db, full_window("w5"), qbo_factory)
    assert posts(qbo_app, realm, since, "payment") == []
    for run in ("w4", "w5"):  # staged by the full sync, and left as it is
        assert logged(db, run, "payment", 1, "action", "error_code") in (None, ("skip", None))


def test_flag_reports_an_edited_payment_and_a_resync_puts_it_back(db, paid, qbo_app, qbo_factory):
    realm = paid["realm_id"]
    run_once(db, full_window("f1"), qbo_factory)
    payment, inv101, inv103 = qbo_id(db, "payment", 1), qbo_id(db, "invoice", 101), qbo_id(db, "invoice", 103)
    with qbo_factory(1) as qbo:
        edit_payment_in_quickbooks(qbo, payment, inv103, qbo_id(db, "customer", 101))
    run_once(db, full_window("f2"), qbo_factory)
    status, code, fix = logged(db, "f2", "payment", 1, "status", "error_code", "fix")
    assert (status, code) == ("failed", "payment_edited_in_quickbooks") and "resync the payment" in fix
    since = len(qbo_app.requests_log(realm))
    run_once(db, full_window("f3"), qbo_factory)
    assert posts(qbo_app, realm, since, "payment") == []  # held: nothing sent until finance decides
    controls.apply(db, action="resync", tenant_id=1, entity="payment", source_ids=(1,), requested_by="finance")
    run_once(db, full_window("f4"), qbo_factory)
    assert logged(db, "f4", "payment", 1, "action", "status") == ("update", "synced")
    with qbo_factory(1) as qbo:
        back = qbo.read("Payment", payment)
        assert D(str(back["TotalAmt"])) == D("50.00") and links(back) == {("Invoice", inv101): D("50.00")}
    assert changes(db) == [("payment", 1, "edited", True)]


# ---------------------------------------------------------------------- credit memos
@pytest.fixture
def credited(db, paid):
    """Credit note 1 (11.00 incl. GST) on invoice 101, applied to it by the sync."""
    goodwill_credit_note(db, at=PAID)
    return paid


def test_app_wins_puts_an_edited_credit_memo_and_its_application_back_never_twice(
    db, credited, qbo_app, qbo_factory, monkeypatch, database_url
):
    realm = credited["realm_id"]
    policy(monkeypatch, database_url, "app_wins")
    run_once(db, full_window("c1"), qbo_factory)
    memo, application, inv101 = (
        qbo_id(db, "credit_memo", 1),
        qbo_id(db, "credit_application", 1),
        qbo_id(db, "invoice", 101),
    )
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Invoice", inv101)["Balance"])) == D("49.00")  # 110.00 - 50.00 - 11.00
        # A person applies only 5.00 of the credit, then renumbers the memo and raises it to 15.00.
        applied = qbo.read("Payment", application)
        qbo.update(
            "Payment",
            {
                "Id": application,
                "SyncToken": applied["SyncToken"],
                "Line": [
                    {"Amount": D("5.00"), "LinkedTxn": [{"TxnId": inv101, "TxnType": "Invoice"}]},
                    {"Amount": D("5.00"), "LinkedTxn": [{"TxnId": memo, "TxnType": "CreditMemo"}]},
                ],
            },
            sparse=True,
        )
        current = qbo.read("CreditMemo", memo)
        line = next(ln for ln in current["Line"] if ln.get("DetailType") == "SalesItemLineDetail")
        detail = {**line["SalesItemLineDetail"], "UnitPrice": D("13.64"), "TaxInclusiveAmt": D("15.00")}
        body = {k: v for k, v in current.items() if k not in ("TxnTaxDetail", "RemainingCredit", "Balance")}
        body |= {"DocNumber": "CN-1-EDITED", "Line": [{**line, "Amount": D("13.64"), "SalesItemLineDetail": detail}]}
        edited = qbo.update("CreditMemo", body).entity
        assert D(str(edited["TotalAmt"])) != D("11.00")
    run_once(db, full_window("c2"), qbo_factory)
    status, code, cause = logged(db, "c2", "credit_memo", 1, "status", "error_code", "cause")
    assert (status, code) == ("skipped", "credit_memo_edited_in_quickbooks_restoring")
    assert "number CN-1 -> CN-1-EDITED" in cause and "total 11.00 -> " in cause
    # The memo's update lands but its answer is lost, and every replay is cut off.
    qbo_app.inject_fault(realm, "commit_then_drop", count=1, path_contains="/creditmemo?")
    qbo_app.inject_fault(realm, "reset", count=REPLAYS, path_contains="/creditmemo?")
    run_once(db, full_window("c3"), qbo_factory)
    action, status, note = logged(db, "c3", "credit_memo", 1, "action", "status", "error_message")
    assert (action, status) == ("update", "synced")
    assert "billing app's version put back" in note and "already had this change" in note
    assert "credit applied again: 11.00 to invoice INV-101" in note
    with qbo_factory(1) as qbo:
        back = qbo.read("CreditMemo", memo)
        assert back["DocNumber"] == "CN-1" and D(str(back["TotalAmt"])) == D("11.00")
        assert D(str(back["RemainingCredit"])) == 0
        assert int(back["SyncToken"]) > int(edited["SyncToken"])
        assert D(str(qbo.read("Invoice", inv101)["Balance"])) == D("49.00")
        applications = [p for p in qbo.query("select * from Payment") if ("CreditMemo", memo) in links(p)]
        assert len(applications) == 1 and links(applications[0]) == {
            ("Invoice", inv101): D("11.00"),
            ("CreditMemo", memo): D("11.00"),
        }
        assert len(qbo.query("select * from CreditMemo")) == 1
    assert qbo_id(db, "credit_application", 1) == applications[0]["Id"]
    assert changes(db) == [("credit_memo", 1, "edited", True)]
    since = len(qbo_app.requests_log(realm))
    run_once(db, full_window("c4"), qbo_factory)
    assert posts(qbo_app, realm, since, "creditmemo") == [] and posts(qbo_app, realm, since, "payment") == []
    assert logged(db, "c4", "credit_memo", 1, "action", "error_code") in (None, ("skip", None))


# ---------------------------------------------------------------------- customer names
def rename_in_quickbooks(qbo, customer, name):
    current = qbo.read("Customer", customer)
    return qbo.update(
        "Customer", {"Id": customer, "SyncToken": current["SyncToken"], "DisplayName": name}, sparse=True
    ).entity


def test_a_customer_renamed_in_quickbooks_is_explained_under_flag_and_renamed_back_under_app_wins(
    db, qbo_app, qbo_factory, monkeypatch, database_url
):
    company = small_tenant(db, qbo_app, 1, {1: None})
    realm = company["realm_id"]
    run_once(db, full_window("n1"), qbo_factory)
    customer = qbo_id(db, "customer", 101)
    with qbo_factory(1) as qbo:
        given = qbo.read("Customer", customer)["DisplayName"]
        rename_in_quickbooks(qbo, customer, "Renamed by Sam")
    run_once(db, full_window("n2"), qbo_factory)
    status, code, cause, fix = logged(db, "n2", "customer", 101, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "customer_renamed_in_quickbooks")
    assert f"name '{given}' -> 'Renamed by Sam'" in cause and "resync the client" in fix
    # Held: the app's change to the client is not sent, but its new invoice goes to that customer.
    db.execute("UPDATE billing.clients SET email = 'client@example.com', updated_at = now() WHERE id = 101")
    checkup_invoice(db, 1, 103, number="INV-103", client_id=101, line_id=10300)
    since = len(qbo_app.requests_log(realm))
    run_once(db, full_window("n3"), qbo_factory)
    assert posts(qbo_app, realm, since, "customer") == [] and logged(db, "n3", "invoice", 103, "status") == ("synced",)
    with qbo_factory(1) as qbo:
        assert qbo.read("Customer", customer)["DisplayName"] == "Renamed by Sam"
        [invoice] = qbo.query("select * from Invoice where DocNumber = 'INV-103'")
        assert invoice["CustomerRef"]["value"] == customer
    controls.apply(db, action="resync", tenant_id=1, entity="customer", source_ids=(101,), requested_by="finance")
    run_once(db, full_window("n4"), qbo_factory)
    assert logged(db, "n4", "customer", 101, "action", "status") == ("update", "synced")
    with qbo_factory(1) as qbo:
        assert qbo.read("Customer", customer)["DisplayName"] == given
    assert changes(db) == [("customer", 101, "renamed", True)]
    # Under app_wins the next rename is put back by the run after the one that notices it, once.
    policy(monkeypatch, database_url, "app_wins")
    run_once(db, full_window("n5"), qbo_factory)  # sees our own rename back: no change
    assert logged(db, "n5", "customer", 101, "error_code") is None
    with qbo_factory(1) as qbo:
        rename_in_quickbooks(qbo, customer, "Sam's pet name")
    run_once(db, full_window("n6"), qbo_factory)
    status, code, cause = logged(db, "n6", "customer", 101, "status", "error_code", "cause")
    assert (status, code) == ("skipped", "customer_renamed_in_quickbooks_restoring")
    assert "'Sam's pet name'" in cause
    run_once(db, full_window("n7"), qbo_factory)
    action, status, note = logged(db, "n7", "customer", 101, "action", "status", "error_message")
    assert (action, status) == ("update", "synced") and "name put back" in note
    with qbo_factory(1) as qbo:
        assert qbo.read("Customer", customer)["DisplayName"] == given
    since = len(qbo_app.requests_log(realm))
    run_once(db, full_window("n8"), qbo_factory)
    assert posts(qbo_app, realm, since, "customer") == []
    assert changes(db) == [("customer", 101, "renamed", True)]


def test_a_name_put_back_in_quickbooks_by_a_person_ends_the_change(db, qbo_app, qbo_factory):
    small_tenant(db, qbo_app, 1, {1: None})
    run_once(db, full_window("u1"), qbo_factory)
    customer = qbo_id(db, "customer", 101)
    with qbo_factory(1) as qbo:
        given = qbo.read("Customer", customer)["DisplayName"]
        rename_in_quickbooks(qbo, customer, "Temporary name")
    run_once(db, full_window("u2"), qbo_factory)
    assert changes(db) == [("customer", 101, "renamed", False)]
    with qbo_factory(1) as qbo:
        rename_in_quickbooks(qbo, customer, given)
    run_once(db, full_window("u3"), qbo_factory)
    assert logged(db, "u3", "customer", 101, "status", "error_code") == ("skipped", "quickbooks_change_undone")
    assert "its name was put back in QuickBooks" in logged(db, "u3", "customer", 101, "cause")[0]
    assert changes(db) == [("customer", 101, "renamed", True)]


def test_an_application_deleted_alone_in_quickbooks_is_flagged_and_a_resync_applies_the_credit_again(
    db, credited, qbo_app, qbo_factory
):
    """Change data capture lists the credit memo's application (a Payment) deleted there: under
    flag the credit note gets an explained outcome with its fix and is held; a resync applies
    the credit again."""
    realm = credited["realm_id"]
    run_once(db, full_window("d1"), qbo_factory)
    memo, application, inv101 = (
        qbo_id(db, "credit_memo", 1),
        qbo_id(db, "credit_application", 1),
        qbo_id(db, "invoice", 101),
    )
    with qbo_factory(1) as qbo:
        qbo.delete("Payment", application, qbo.read("Payment", application)["SyncToken"])
        assert D(str(qbo.read("Invoice", inv101)["Balance"])) == D("60.00")  # the credit no longer applied
    run_once(db, full_window("d2"), qbo_factory)
    status, code, cause, fix = logged(db, "d2", "credit_memo", 1, "status", "error_code", "cause", "fix")
    assert (status, code) == ("failed", "credit_memo_edited_in_quickbooks")
    assert "application to invoice INV-101 was deleted there" in cause and "resync the credit note" in fix
    assert changes(db) == [("credit_memo", 1, "edited", False)]
    since = len(qbo_app.requests_log(realm))
    run_once(db, full_window("d3"), qbo_factory)
    assert posts(qbo_app, realm, since, "payment") == [] and posts(qbo_app, realm, since, "creditmemo") == []
    controls.apply(db, action="resync", tenant_id=1, entity="credit_memo", source_ids=(1,), requested_by="finance")
    run_once(db, full_window("d4"), qbo_factory)
    status, note = logged(db, "d4", "credit_memo", 1, "status", "error_message")
    assert status == "synced" and "applied 11.00 to invoice INV-101" in note
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Invoice", inv101)["Balance"])) == D("49.00")
        applications = [p for p in qbo.query("select * from Payment") if ("CreditMemo", memo) in links(p)]
        assert len(applications) == 1
    assert changes(db) == [("credit_memo", 1, "edited", True)]


def test_app_wins_puts_back_an_application_edited_alone_in_quickbooks(
    db, credited, qbo_app, qbo_factory, monkeypatch, database_url
):
    policy(monkeypatch, database_url, "app_wins")
    run_once(db, full_window("e1"), qbo_factory)
    memo, application, inv101 = (
        qbo_id(db, "credit_memo", 1),
        qbo_id(db, "credit_application", 1),
        qbo_id(db, "invoice", 101),
    )
    with qbo_factory(1) as qbo:  # a person applies only 5.00 of the 11.00 credit
        applied = qbo.read("Payment", application)
        qbo.update(
            "Payment",
            {
                "Id": application,
                "SyncToken": applied["SyncToken"],
                "Line": [
                    {"Amount": D("5.00"), "LinkedTxn": [{"TxnId": inv101, "TxnType": "Invoice"}]},
                    {"Amount": D("5.00"), "LinkedTxn": [{"TxnId": memo, "TxnType": "CreditMemo"}]},
                ],
            },
            sparse=True,
        )
    run_once(db, full_window("e2"), qbo_factory)
    status, code, cause = logged(db, "e2", "credit_memo", 1, "status", "error_code", "cause")
    assert (status, code) == ("skipped", "credit_memo_edited_in_quickbooks_restoring")
    assert "credit applied 11.00 -> 5.00" in cause
    run_once(db, full_window("e3"), qbo_factory)
    action, status = logged(db, "e3", "credit_memo", 1, "action", "status")
    assert (action, status) == ("update", "synced")
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Invoice", inv101)["Balance"])) == D("49.00")
        applications = [p for p in qbo.query("select * from Payment") if ("CreditMemo", memo) in links(p)]
        assert [links(p) for p in applications] == [{("Invoice", inv101): D("11.00"), ("CreditMemo", memo): D("11.00")}]
    assert changes(db) == [("credit_memo", 1, "edited", True)]
    run_once(db, full_window("e4"), qbo_factory)  # the sync's own new application is no change
    assert changes(db) == [("credit_memo", 1, "edited", True)]
