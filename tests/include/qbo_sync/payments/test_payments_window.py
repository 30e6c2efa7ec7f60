"""Payments keyed into QuickBooks are read back even when the cursor is older than change
data capture's 30 days (a paused DAG), and when QuickBooks' clock runs ahead of ours.

Each test has an emulator of its own: its clock only moves forward.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_client import BatchOperation
from qbo_sync import outcomes
from qbo_sync.extract.records import RunWindow
from qbo_sync.payments.inbound import import_tenant
from qbo_sync.pipeline import run_once
from support.emulator import emulator_app
from support.scenario import build_au_tenant


@pytest.fixture
def qbo_emulator():
    with emulator_app(prefix="win") as emu:
        yield emu


@pytest.fixture
def synced(db, qbo_app, qbo_emulator, qbo_factory):
    """One AU tenant whose invoices are in QuickBooks."""
    build_au_tenant(db, qbo_app)
    now = datetime.now(UTC)
    run_once(db, RunWindow("w1", now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True), qbo_factory)


def key_payment(qbo_factory, db, invoice_id: int, amount: str, ref: str) -> str:
    qbo_invoice = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = 'invoice' AND source_id = %s",
        (invoice_id,),
    ).fetchone()[0]
    with qbo_factory(1) as qbo:
        customer = qbo.read("Invoice", qbo_invoice)["CustomerRef"]["value"]
        return qbo.create(
            "Payment",
            {
                "CustomerRef": {"value": customer},
                "TotalAmt": D(amount),
                "PaymentRefNum": ref,
                "Line": [{"Amount": D(amount), "LinkedTxn": [{"TxnId": qbo_invoice, "TxnType": "Invoice"}]}],
            },
        ).entity["Id"]


def imported(db) -> list[tuple[str, D]]:
    return db.execute(
        "SELECT reference, amount FROM billing.payments WHERE origin = 'quickbooks' ORDER BY reference"
    ).fetchall()


def cursor_back_to(db, position: datetime) -> None:
    db.execute(
        "UPDATE qbo_sync.sync_cursors SET position = %s WHERE tenant_id = 1 AND name = 'payments_in'", (position,)
    )


def test_a_cursor_older_than_30_days_reads_the_gap_with_a_query(db, synced, qbo_emulator, qbo_factory, caplog):
    key_payment(qbo_factory, db, 2, "30.00", "OLD-1")  # keyed now; the DAG then stays paused
    cursor_back_to(db, datetime.now(UTC) - timedelta(minutes=1))
    emulator_now = datetime.fromisoformat(qbo_emulator.advance_clock(40 * 86400)["now"])
    key_payment(qbo_factory, db, 2, "20.00", "NEW-1")  # keyed 40 days later
    ctx = outcomes.RunContext(dag_id=None, run_id="w2", task_id="payments_back")
    with qbo_factory(1) as client:
        counts = import_tenant(db, ctx, 1, client.realm_id, emulator_now, client, now=emulator_now)
    assert counts["imported"] == 2
    assert imported(db) == [("NEW-1", D("20.00")), ("OLD-1", D("30.00"))]
    assert "older than QuickBooks' 30-day change window" in caplog.text
    # Re-reading the same span imports nothing twice.
    cursor_back_to(db, emulator_now - timedelta(days=41))
    with qbo_factory(1) as client:
        import_tenant(db, ctx, 1, client.realm_id, emulator_now, client, now=emulator_now)
    assert imported(db) == [("NEW-1", D("20.00")), ("OLD-1", D("30.00"))]


def test_quickbooks_clock_ahead_of_ours_still_reads_every_payment(db, synced, qbo_emulator, qbo_factory):
    # Our clock says the cursor is inside the window by 10 minutes; QuickBooks' runs an hour
    # ahead, so it refuses that changedSince (fault 500, Unsupported Operation).
    now = datetime.now(UTC)
    key_payment(qbo_factory, db, 2, "12.00", "SKEW-1")
    cursor_back_to(db, now - timedelta(days=30) + timedelta(minutes=10))
    qbo_emulator.advance_clock(3600)
    ctx = outcomes.RunContext(dag_id=None, run_id="w3", task_id="payments_back")
    with qbo_factory(1) as client:
        counts = import_tenant(db, ctx, 1, client.realm_id, now, client, now=now)
    assert counts["imported"] == 1
    assert imported(db) == [("SKEW-1", D("12.00"))]


# QuickBooks caps a capture answer at 1,000 objects; 1,010 payments stamped in the same second
# (the emulator's clock stopped) cannot be narrowed to fit: the step reads them by query.
def test_more_payments_in_one_second_than_capture_can_answer_are_read_by_query(
    db, synced, qbo_emulator, qbo_factory, caplog
):
    qbo_invoice = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = 'invoice' AND source_id = 2"
    ).fetchone()[0]
    now = datetime.now(UTC)
    cursor_back_to(db, now - timedelta(minutes=1))
    qbo_emulator.freeze_clock(True)
    with qbo_factory(1) as qbo:
        customer = qbo.read("Invoice", qbo_invoice)["CustomerRef"]["value"]
        results = qbo.batch(
            [
                BatchOperation(
                    "create",
                    "Payment",
                    {
                        "CustomerRef": {"value": customer},
                        "TotalAmt": D("0.01"),
                        "PaymentRefNum": f"BULK-{n:04d}",
                        "Line": [{"Amount": D("0.01"), "LinkedTxn": [{"TxnId": qbo_invoice, "TxnType": "Invoice"}]}],
                    },
                )
                for n in range(1010)
            ],
            concurrency=4,
        )
        assert all(r.fault is None for r in results)
    ctx = outcomes.RunContext(dag_id=None, run_id="w4", task_id="payments_back")
    with qbo_factory(1) as client:
        counts = import_tenant(db, ctx, 1, client.realm_id, now, client, now=now)
    assert counts["imported"] == 1010
    assert [r[0] for r in imported(db)] == [f"BULK-{n:04d}" for n in range(1010)]
    assert "more than 1,000 objects changed within one second" in caplog.text
