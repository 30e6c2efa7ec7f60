"""Issue 16.7: which QuickBooks payments are "ours" (never imported back) is decided by our
own records, not by text anyone can type in QuickBooks. The note tag ``[qbo-sync payment N]``
counts only while it names this tenant's own app payment that has no QuickBooks Id yet (a
write whose answer was lost, not yet linked by the next run) and the payment is exactly
what we wrote; anything else carrying the tag is a real QuickBooks payment and imports."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from qbo_sync import outcomes
from qbo_sync.payments.inbound import import_tenant
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


def imported(db):
    return db.execute(
        "SELECT invoice_id, amount, external_id FROM billing.payments WHERE origin = 'quickbooks'"
        " AND voided_at IS NULL ORDER BY amount"
    ).fetchall()


def key_payment(qbo, invoice_qbo, amount, note):
    """A payment keyed in QuickBooks (or written by us: same body) applied to one invoice."""
    customer = qbo.read("Invoice", invoice_qbo)["CustomerRef"]["value"]
    return qbo.create(
        "Payment",
        {
            "CustomerRef": {"value": customer},
            "TotalAmt": amount,
            "PrivateNote": note,
            "TxnDate": datetime.now(UTC).date().isoformat(),
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}],
        },
    ).entity


def test_a_typed_tag_does_not_hide_a_real_quickbooks_payment(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    now = datetime.now(UTC)
    insert(
        db,
        "billing.payments",
        id=101,
        tenant_id=1,
        invoice_id=1,
        amount=D("50.00"),
        paid_at=now,
        method="card",
        reference="CARD-0001",
        origin="app",
        created_at=now,
    )
    run_once(db, full_window("r1"), qbo_factory)
    ours = qbo_id(db, "payment", 101)
    inv1, inv2 = qbo_id(db, "invoice", 1), qbo_id(db, "invoice", 2)
    assert ours and inv1 and inv2
    with qbo_factory(1) as qbo:
        # Tags typed (or pasted) by someone in QuickBooks, on real payments:
        key_payment(qbo, inv2, D("5.00"), "[qbo-sync payment 101] copied from the card payment")  # linked elsewhere
        key_payment(qbo, inv1, D("3.00"), "see [qbo-sync payment 999999]")  # no such app payment
        key_payment(qbo, inv2, D("2.00"), "[qbo-sync credit_application 77]")  # no such credit note
    run_once(db, full_window("r2"), qbo_factory)
    assert [(i, a) for i, a, _ in imported(db)] == [(2, D("2.00")), (1, D("3.00")), (2, D("5.00"))]
    assert qbo_id(db, "payment", 101) == ours  # our own payment is still ours, not imported
    assert not any(ext.startswith(f"{ours}:") for _, _, ext in imported(db))


def test_our_write_whose_id_is_not_recorded_yet_is_not_imported_then_is_linked(db, qbo_app, qbo_factory):
    """The window between a lost answer and the next run's look-up: our payment is in
    QuickBooks with only our tag. Importing it would count the 50.00 twice in the app."""
    build_au_tenant(db, qbo_app)
    run_once(db, full_window("r1"), qbo_factory)  # customers and invoices
    now = datetime.now(UTC)
    insert(
        db,
        "billing.payments",
        id=101,
        tenant_id=1,
        invoice_id=1,
        amount=D("50.00"),
        paid_at=now,
        method="card",
        reference="CARD-0001",
        origin="app",
        created_at=now,
    )
    inv1 = qbo_id(db, "invoice", 1)
    with qbo_factory(1) as qbo:  # what outbound wrote before its answer was lost
        written = key_payment(qbo, inv1, D("50.00"), "[qbo-sync payment 101] card")
        # ...and, for contrast, a copy of that tag on a payment of another amount: not ours.
        key_payment(qbo, inv1, D("4.00"), "[qbo-sync payment 101] card")
    realm, connected_at = db.execute(
        "SELECT realm_id, connected_at FROM qbo_sync.tenant_connections WHERE tenant_id = 1"
    ).fetchone()
    ctx = outcomes.RunContext("qbo_sync", "r-window", "payments_back")
    with qbo_factory(1) as client:
        import_tenant(db, ctx, 1, realm, connected_at, client)
    assert [(i, a) for i, a, _ in imported(db)] == [(1, D("4.00"))]
    assert qbo_id(db, "payment", 101) is None  # nothing recorded it yet
    # The next run's look-up finds it by our tag and links it: one payment, counted once.
    run_once(db, full_window("r2"), qbo_factory)
    assert qbo_id(db, "payment", 101) == str(written["Id"])
    assert "QuickBooks already had this payment" in logged(db, "r2", "payment", 101, "error_message")[0]
    assert [(i, a) for i, a, _ in imported(db)] == [(1, D("4.00"))]


def test_a_typed_tag_does_not_make_outbound_link_our_payment_to_another(db, qbo_app, qbo_factory):
    """The look-up before posting links by our tag only a payment of that amount on that
    invoice: a hand-typed copy of the tag on another payment neither hides our payment from
    QuickBooks nor is taken for it, and imports as the QuickBooks payment it is."""
    build_au_tenant(db, qbo_app)
    run_once(db, full_window("r1"), qbo_factory)
    inv1 = qbo_id(db, "invoice", 1)
    with qbo_factory(1) as qbo:
        typed = key_payment(qbo, inv1, D("4.00"), "[qbo-sync payment 101] typed by hand")
    now = datetime.now(UTC)
    insert(
        db,
        "billing.payments",
        id=101,
        tenant_id=1,
        invoice_id=1,
        amount=D("50.00"),
        paid_at=now,
        method="card",
        reference=None,
        origin="app",
        created_at=now,
    )
    run_once(db, full_window("r2"), qbo_factory)
    posted = qbo_id(db, "payment", 101)
    assert posted and posted != str(typed["Id"])  # posted for real, not linked to the typed one
    with qbo_factory(1) as qbo:
        assert D(str(qbo.read("Payment", posted)["TotalAmt"])) == D("50.00")
    assert [(i, a) for i, a, _ in imported(db)] == [(1, D("4.00"))]
