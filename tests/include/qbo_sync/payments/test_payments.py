"""Payments both ways, credit notes and voids, through the whole pipeline against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.rows import insert
from support.scenario import NOW, build_au_tenant


def window(run_id):
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def qbo_id(db, entity, source_id):
    row = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = %s AND source_id = %s",
        (entity, source_id),
    ).fetchone()
    return row[0] if row else None


def outcome(db, run_id, entity, source_id):
    return db.execute(
        "SELECT status, error_code FROM qbo_sync.sync_log WHERE run_id = %s AND entity = %s AND source_id = %s",
        (run_id, entity, source_id),
    ).fetchone()


def app_balance(db, invoice_id):
    return db.execute(
        "SELECT i.total - coalesce((SELECT sum(amount) FROM billing.payments p WHERE p.invoice_id = i.id"
        " AND p.voided_at IS NULL), 0) - coalesce((SELECT sum(total) FROM billing.credit_notes n"
        " WHERE n.invoice_id = i.id AND n.status = 'finalized'), 0) FROM billing.invoices i WHERE i.id = %s",
        (invoice_id,),
    ).fetchone()[0]


@pytest.fixture
def scenario(db, qbo_app):
    company, good = build_au_tenant(db, qbo_app)
    paid = NOW - timedelta(hours=20)
    insert(
        db,
        "billing.payments",
        id=101,
        tenant_id=1,
        invoice_id=1,
        amount=D("50.00"),
        paid_at=paid,
        method="card",
        reference="CARD-0001",
        origin="app",
        created_at=paid,
    )
    insert(
        db,
        "billing.payments",
        id=102,
        tenant_id=1,
        invoice_id=2,
        amount=D("10.00"),
        paid_at=paid,
        method="bank_transfer",
        reference="pi_3PqL8xLkdIwHu7ix0AbCdEf",
        origin="app",
        created_at=paid,
    )
    insert(
        db,
        "billing.payments",
        id=103,
        tenant_id=1,
        invoice_id=7,
        amount=D("5.00"),
        paid_at=paid,
        method="cash",
        reference="CASH-3",
        origin="app",
        created_at=paid,
    )
    insert(
        db,
        "billing.payments",
        id=104,
        tenant_id=1,
        invoice_id=3,
        amount=D("5.00"),
        paid_at=paid,
        method="cash",
        reference="CASH-4",
        origin="app",
        created_at=paid,
    )
    from support.scenario import add_invoice

    add_invoice(db, 12, "INV-0012", 4, [("2", "25.00", 1, None, None)])  # Bob Jones's second
    insert(
        db,
        "billing.credit_notes",
        id=1,
        tenant_id=1,
        number="CN-0001",
        invoice_id=11,
        client_id=5,
        issue_date=NOW.date(),
        status="finalized",
        total=D("11.00"),
        finalized_at=paid,
        updated_at=paid,
    )
    insert(
        db,
        "billing.credit_note_lines",
        id=1,
        credit_note_id=1,
        description="goodwill",
        amount=D("11.00"),
        tax_rate_id=1,
    )
    return company, good


def test_payments_credit_notes_and_voids_flow_both_ways(db, scenario, qbo_factory):
    run_once(db, window("r1"), qbo_factory)
    assert outcome(db, "r1", "payment", 101) == ("synced", None)
    assert outcome(db, "r1", "payment", 102) == ("failed", "payment_reference_too_long")
    assert outcome(db, "r1", "payment", 103) == ("skipped", "payment_for_historical_invoice")
    assert outcome(db, "r1", "payment", 104) == ("failed", "payment_invoice_not_synced")
    assert outcome(db, "r1", "credit_memo", 1) == ("synced", None)
    # Finance lets the sync shorten long references; the failed payment goes on the next run.
    from qbo_sync.tenants.settings import update_settings

    update_settings(db, 1, payment_ref_policy="truncate")
    inv1, inv2, inv11 = (qbo_id(db, "invoice", i) for i in (1, 2, 11))
    with qbo_factory(1) as qbo:
        customer2 = qbo.read("Invoice", inv2)["CustomerRef"]["value"]
        customer11 = qbo.read("Invoice", inv11)["CustomerRef"]["value"]
        # Entered by hand in QuickBooks: two partial payments on invoice 2 ...
        split_a = qbo.create(
            "Payment",
            {
                "CustomerRef": {"value": customer2},
                "TotalAmt": D("30.00"),
                "PaymentRefNum": "QB-A",
                "Line": [{"Amount": D("30.00"), "LinkedTxn": [{"TxnId": inv2, "TxnType": "Invoice"}]}],
            },
        ).entity
        qbo.create(
            "Payment",
            {
                "CustomerRef": {"value": customer2},
                "TotalAmt": D("20.00"),
                "PaymentRefNum": "QB-B",
                "Line": [{"Amount": D("20.00"), "LinkedTxn": [{"TxnId": inv2, "TxnType": "Invoice"}]}],
            },
        )
        # ... one payment across two invoices of the same customer ...
        inv12 = qbo_id(db, "invoice", 12)
        qbo.create(
            "Payment",
            {
                "CustomerRef": {"value": customer2},
                "TotalAmt": D("25.00"),
                "PaymentRefNum": "QB-D",
                "Line": [
                    {"Amount": D("15.00"), "LinkedTxn": [{"TxnId": inv2, "TxnType": "Invoice"}]},
                    {"Amount": D("10.00"), "LinkedTxn": [{"TxnId": inv12, "TxnType": "Invoice"}]},
                ],
            },
        )
        # ... and one payment of invoice 11 that the app did not record.
        qbo.create(
            "Payment",
            {
                "CustomerRef": {"value": customer11},
                "TotalAmt": D("7.00"),
                "PaymentRefNum": "QB-C",
                "Line": [{"Amount": D("7.00"), "LinkedTxn": [{"TxnId": inv11, "TxnType": "Invoice"}]}],
            },
        )
    for run in ("r2", "r3", "r4"):
        run_once(db, window(run), qbo_factory)
    # The app's ids are explicit here, so imported rows take their ids from the sequence.
    assert outcome(db, "r2", "payment", 102) == ("synced", None)
    # ... and its outcome says what the policy changed (docs/adjustments.md).
    assert db.execute(
        "SELECT adjustments FROM qbo_sync.sync_log WHERE run_id = 'r2' AND entity = 'payment' AND source_id = 102"
    ).fetchone()[0] == (
        "payment reference (payment_ref_policy truncate) shortened from 26 to 21 characters "
        "(QuickBooks' limit; its last characters kept)"
    )
    assert (
        db.execute(
            "SELECT adjustments FROM qbo_sync.sync_log WHERE run_id = 'r1' AND entity = 'payment' AND source_id = 101"
        ).fetchone()[0]
        is None
    )
    imported = db.execute(
        "SELECT external_id, invoice_id, amount FROM billing.payments WHERE origin = 'quickbooks' ORDER BY amount"
    ).fetchall()
    assert [(r[1], r[2]) for r in imported] == [
        (11, D("7.00")),
        (12, D("10.00")),
        (2, D("15.00")),
        (2, D("20.00")),
        (2, D("30.00")),
    ]
    # Our own payment (payment 101) was never imported back.
    assert all(not r[0].startswith(qbo_id(db, "payment", 101) + ":") for r in imported)

    with qbo_factory(1) as qbo:
        for invoice_id, qid in ((1, inv1), (2, inv2), (11, inv11), (12, inv12)):
            assert D(str(qbo.read("Invoice", qid)["Balance"])) == app_balance(db, invoice_id), invoice_id
        # A payment deleted in QuickBooks voids its imported row.
        current = qbo.read("Payment", split_a["Id"])
        qbo.delete("Payment", split_a["Id"], current["SyncToken"])
    run_once(db, window("r5"), qbo_factory)
    voided = db.execute(
        "SELECT voided_at IS NOT NULL FROM billing.payments WHERE external_id = %s", (f"{split_a['Id']}:{inv2}",)
    ).fetchone()
    assert voided == (True,)
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Invoice", inv2)["Balance"])) == app_balance(db, 2)

    # Voiding invoice 1 in the app voids it in QuickBooks; its payment becomes unapplied.
    db.execute("UPDATE billing.invoices SET status = 'voided', voided_at = now(), updated_at = now() WHERE id = 1")
    run_once(db, window("r6"), qbo_factory)
    assert outcome(db, "r6", "invoice_void", 1) == ("synced", None)
    note = db.execute(
        "SELECT error_message FROM qbo_sync.sync_log WHERE run_id = 'r6' AND entity = 'invoice_void'"
    ).fetchone()[0]
    assert "unapplied" in note
    with qbo_factory(1) as qbo:
        voided_invoice = qbo.read("Invoice", inv1)
        assert D(str(voided_invoice["TotalAmt"])) == 0 and "Voided" in voided_invoice["PrivateNote"]
        assert qbo.count("select count(*) from Invoice") == 4


def _pay_by_hand(qbo, invoice_qbo, amount, reference, method_id):
    """A payment keyed in QuickBooks, its method given by id only (as QuickBooks answers it)."""
    customer = qbo.read("Invoice", invoice_qbo)["CustomerRef"]["value"]
    return qbo.create(
        "Payment",
        {
            "CustomerRef": {"value": customer},
            "TotalAmt": amount,
            "PaymentRefNum": reference,
            "PaymentMethodRef": {"value": method_id},
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}],
        },
    ).entity


def _method_id(qbo, name):
    [row] = qbo.query(f"select * from PaymentMethod where Name = '{name}'")
    return row["Id"]


def test_an_unsupported_payment_method_is_skipped_with_the_reason(db, scenario, qbo_factory):
    run_once(db, window("r1"), qbo_factory)
    inv2 = qbo_id(db, "invoice", 2)
    with qbo_factory(1) as qbo:
        gift_card = qbo.create("PaymentMethod", {"Name": "Gift card"}).entity["Id"]
        _pay_by_hand(qbo, inv2, D("5.00"), "GC-1", gift_card)
    run_once(db, window("r2"), qbo_factory)
    row = db.execute(
        "SELECT status, error_code, cause, fix FROM qbo_sync.sync_log WHERE run_id = 'r2' AND entity = 'payment_import'"
    ).fetchone()
    assert row[0] == "skipped" and row[1] == "payment_method_unsupported" and "cash" in row[3]
    assert "Gift card" in row[2]  # the name was looked up from the id
    assert db.execute("SELECT count(*) FROM billing.payments WHERE origin = 'quickbooks'").fetchone() == (0,)


def test_a_payment_method_given_by_id_only_imports_as_its_method(db, scenario, qbo_factory):
    run_once(db, window("r1"), qbo_factory)
    inv2, inv12 = qbo_id(db, "invoice", 2), qbo_id(db, "invoice", 12)
    with qbo_factory(1) as qbo:
        visa = _pay_by_hand(qbo, inv2, D("1.00"), "QB-VISA", _method_id(qbo, "Visa"))
        _pay_by_hand(qbo, inv2, D("2.00"), "QB-CHECK", _method_id(qbo, "Check"))
        _pay_by_hand(qbo, inv12, D("3.00"), "QB-CASH", _method_id(qbo, "Cash"))
        assert visa["PaymentMethodRef"] == {"value": _method_id(qbo, "Visa")}  # no name to go by
        # Cash is retired after the payment was keyed: the payment still says cash.
        cash = qbo.read("PaymentMethod", _method_id(qbo, "Cash"))
        qbo.update("PaymentMethod", {"Id": cash["Id"], "SyncToken": cash["SyncToken"], "Active": False}, sparse=True)
    run_once(db, window("r2"), qbo_factory)
    got = dict(db.execute("SELECT reference, method FROM billing.payments WHERE origin = 'quickbooks'").fetchall())
    assert got == {"QB-VISA": "card", "QB-CHECK": "cheque", "QB-CASH": "cash"}


def test_payment_methods_unreadable_for_now_fails_the_step_instead_of_importing_other(
    db, scenario, qbo_factory, qbo_app
):
    company, _ = scenario
    run_once(db, window("r1"), qbo_factory)
    with qbo_factory(1) as qbo:
        _pay_by_hand(qbo, qbo_id(db, "invoice", 2), D("1.00"), "QB-VISA", _method_id(qbo, "Visa"))
    # More 5xx answers than the client's tries (max_tries 4 in the test connection).
    qbo_app.inject_fault(company["realm_id"], "server_error", count=10, path_contains="PaymentMethod")
    run_once(db, window("r2"), qbo_factory)  # the tenant's track ends failed, its task would retry
    assert db.execute("SELECT state FROM qbo_sync.track_runs WHERE run_id = 'r2'").fetchone() == ("failed",)
    assert db.execute("SELECT count(*) FROM billing.payments WHERE origin = 'quickbooks'").fetchone() == (0,)
    qbo_app.clear_faults(company["realm_id"])
    run_once(db, window("r3"), qbo_factory)  # the rerun finds the payment: the cursor had not moved
    assert db.execute("SELECT reference, method FROM billing.payments WHERE origin = 'quickbooks'").fetchall() == [
        ("QB-VISA", "card")
    ]
