"""Reconciliation as a product step, against the emulator and the database: every run compares
the records it touched with QuickBooks (one query per entity), a full pass compares every
synced record, each difference is explained by the sync log or flagged unexplained, and the
report says so in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from urllib.parse import parse_qs

import pytest

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from qbo_sync.reconcile import run as reconciliation
from qbo_sync.reconcile.store import run_results
from support.rows import app_payment, insert
from support.scenario import NOW, build_au_tenant


def window(run_id: str) -> RunWindow:
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def payment(db, pid: int, invoice_id: int, amount: str, reference: str) -> None:
    app_payment(db, pid, paid_at=NOW - timedelta(hours=20), invoice_id=invoice_id, amount=amount, reference=reference)


@pytest.fixture
def synced(db, qbo_app, qbo_factory):
    """Harbour Physio synced once: three good invoices, a payment on INV-0001, a payment whose
    reference is too long (fails: INV-0002's balance differs, for a reason the log gives), a
    credit note applied to INV-0011."""
    company, good = build_au_tenant(db, qbo_app)
    payment(db, 101, 1, "50.00", "CARD-0001")
    payment(db, 102, 2, "10.00", "pi_3PqL8xLkdIwHu7ix0AbCdEf")
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
        finalized_at=NOW - timedelta(hours=20),
        updated_at=NOW - timedelta(hours=20),
    )
    insert(db, "billing.credit_note_lines", id=1, credit_note_id=1, description="goodwill", amount=D("11.00"))
    report, _ = run_once(db, window("r1"), qbo_factory)
    return company, good, report


def queries(qbo_app, realm: str, since: int = 0) -> list[str]:
    out = []
    for r in qbo_app.requests_log(realm)[since:]:
        if r["method"] == "GET" and r["path"].endswith("/query"):
            out.append(parse_qs(r["query"]).get("query", [""])[0])
    return out


def verdicts(db, run_id: str) -> dict[tuple[str, int], tuple]:
    return {
        (r[0], r[1]): r[2:]
        for r in db.execute(
            "SELECT entity, source_id, verdict, fields, app_value, qbo_value, explanation"
            " FROM qbo_sync.reconciliation WHERE run_id = %s",
            (run_id,),
        )
    }


def test_every_run_reconciles_what_it_touched_and_explains_each_difference(db, synced):
    _company, _good, report = synced
    got = verdicts(db, "r1")
    for invoice_id in (1, 11):
        assert got[("invoice", invoice_id)][0] == "agree"
    assert got[("payment", 101)][0] == "agree"
    assert got[("credit_memo", 1)][0] == "agree"
    assert got[("customer", 1)][0] == "agree"
    # INV-0002: the app counts the 10.00 payment, QuickBooks never got it (reference too long).
    verdict, fields, app, qbo, why = got[("invoice", 2)]
    assert (verdict, fields) == ("explained", "Balance")
    assert app == "Balance 100.00" and qbo == "Balance 110.00"
    assert "payment_reference_too_long" in why and "payment pi_3PqL8xLkdIwHu7ix0AbCdEf failed" in why
    # A record never sent is not compared: it is not in QuickBooks.
    assert ("invoice", 3) not in got and ("payment", 102) not in got
    # The report says it in plain words, in the tenant's block.
    totals = dict(db.execute("SELECT id, total FROM billing.invoices WHERE id IN (1, 11)").fetchall())
    flat = " ".join(report.split())
    assert (
        f"QuickBooks and the app agree on 2 invoices, {totals[1] + totals[11]:,.2f} AUD; 1 payment, 50.00 AUD; "
        "1 credit memo, 11.00 AUD; 3 customers; 1 differ: invoice INV-0002: Balance QuickBooks 110.00, app 100.00"
    ) in flat
    assert "explained: sync log: payment pi_3PqL8xLkdIwHu7ix0AbCdEf failed (payment_reference_too_long)" in flat


def test_a_run_reads_quickbooks_once_per_entity(db, synced, qbo_app):
    company, _good, _report = synced
    realm = company["realm_id"]
    row = db.execute("SELECT reads FROM qbo_sync.reconciliation_runs WHERE run_id = 'r1'").fetchone()
    assert row[0] == 4  # Invoice, Payment (payments and the credit application), CreditMemo, Customer
    recon = [q for q in queries(qbo_app, realm) if " Id IN (" in q]
    assert len(recon) == 4 and all("MAXRESULTS 1000" in q for q in recon)
    assert any(q.startswith("select * from Customer where Active IN (true, false) AND Id IN (") for q in recon)
    # the track counts them with its other reads
    track = db.execute("SELECT reads FROM qbo_sync.track_runs WHERE run_id = 'r1'").fetchone()[0]
    assert track >= 4


def test_a_run_that_touched_nothing_reads_nothing_for_reconciliation(db, qbo_app, qbo_factory):
    from support.small_tenant import small_tenant

    realm = small_tenant(db, qbo_app, 1, {1: None, 2: None})["realm_id"]
    now = datetime.now(UTC)
    report, _ = run_once(db, RunWindow("busy", now - timedelta(hours=2), now, full_sync=True), qbo_factory)
    said = "QuickBooks and the app agree on 2 invoices, 220.00 AUD; 2 customers; none differ."
    assert said in " ".join(report.split())
    before = len(qbo_app.requests_log(realm))
    later = now + timedelta(minutes=5)
    report, _ = run_once(db, RunWindow("idle", later, later + timedelta(minutes=1)), qbo_factory)
    assert not [q for q in queries(qbo_app, realm, before) if " Id IN (" in q]
    assert "Reconciliation" not in report
    assert db.execute("SELECT count(*) FROM qbo_sync.reconciliation WHERE run_id = 'idle'").fetchone()[0] == 0


def test_changes_made_in_quickbooks_show_as_unexplained_differences_in_a_full_pass(db, synced, qbo_factory):
    from support.scenario import add_invoice

    # Zoe Park paid her invoice in full: QuickBooks lets a person make her inactive.
    insert(db, "billing.clients", id=6, tenant_id=1, first_name="Zoe", last_name="Park")
    add_invoice(db, 13, "INV-0013", 6, [("1", "10.00", 1, None, None)])
    payment(db, 105, 13, "11.00", "CARD-0105")
    run_once(db, window("r2"), qbo_factory)
    ids = dict(
        ((e, s), q)
        for e, s, q in db.execute("SELECT entity, source_id, qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1")
    )
    with qbo_factory(1) as client:
        invoice = client.read("Invoice", ids[("invoice", 11)])
        client.void("Invoice", invoice["Id"], invoice["SyncToken"])  # voided in QuickBooks
        paid = client.read("Payment", ids[("payment", 101)])
        client.delete("Payment", paid["Id"], paid["SyncToken"])  # our payment deleted there
        zoe = client.read("Customer", ids[("customer", 6)])
        client.update("Customer", {"Id": zoe["Id"], "SyncToken": zoe["SyncToken"], "Active": False}, sparse=True)
        counts = reconciliation.reconcile_tenant(db, "full-1", "qbo_reconcile", 1, client, reconciliation.FULL)
    got = verdicts(db, "full-1")
    assert counts["unexplained"] >= 4
    total = db.execute("SELECT total FROM billing.invoices WHERE id = 11").fetchone()[0]
    assert got[("invoice", 11)][:4] == (
        "unexplained",
        "voided",
        f"voided not voided (TotalAmt {total})",
        "voided voided",
    )
    assert got[("payment", 101)][:2] == ("unexplained", "exists")
    assert "deleted in QuickBooks" in got[("payment", 101)][3]
    # its invoice's balance went back up in QuickBooks
    assert got[("invoice", 1)][0] == "unexplained" and "Balance" in got[("invoice", 1)][1]
    assert got[("customer", 6)][:4] == ("unexplained", "Active", "Active active", "Active inactive")
    assert "QuickBooks' audit log" in got[("customer", 6)][4]
    assert got[("invoice", 13)][0] == got[("payment", 105)][0] == "agree"
    # the full pass covers records no run touched lately, and says so in its report
    rec = run_results(db, "full-1")[1]
    assert rec.scope == "full" and len(rec.unexplained) == counts["unexplained"]


def test_a_re_run_replaces_its_verdicts(db, synced, qbo_factory):
    with qbo_factory(1) as client:
        reconciliation.reconcile_tenant(db, "full-2", "qbo_reconcile", 1, client, reconciliation.FULL)
        first = db.execute("SELECT count(*) FROM qbo_sync.reconciliation WHERE run_id = 'full-2'").fetchone()[0]
        reconciliation.reconcile_tenant(db, "full-2", "qbo_reconcile", 1, client, reconciliation.FULL)
    again = db.execute("SELECT count(*) FROM qbo_sync.reconciliation WHERE run_id = 'full-2'").fetchone()[0]
    assert first == again > 5


def test_a_payment_and_a_credit_note_not_sent_yet_explain_their_invoices_balance(db, synced, qbo_factory):
    """Recorded (or voided) in the app after the window of the last run that covered them: the
    invoice's balance differs until the next run, and the reconciliation says why instead of
    calling it unexplained (seen in the fleet benchmark: a credit note dated after the run)."""
    payment(db, 106, 11, "5.00", "CARD-0106")  # a payment on INV-0011 that no run has sent
    db.execute("UPDATE billing.payments SET voided_at = now() WHERE id = 101")  # voided, still in QuickBooks
    with qbo_factory(1) as client:
        reconciliation.reconcile_tenant(db, "full-3", "qbo_reconcile", 1, client, reconciliation.FULL)
    got = verdicts(db, "full-3")
    assert got[("invoice", 11)][:2] == ("explained", "Balance"), got[("invoice", 11)]
    assert "not in QuickBooks yet: payment CARD-0106 (5.00) was recorded in the app" in got[("invoice", 11)][4]
    assert got[("invoice", 1)][:2] == ("explained", "Balance"), got[("invoice", 1)]
    assert "payment CARD-0001 (50.00) was voided in the app" in got[("invoice", 1)][4]
    run_once(db, window("r2"), qbo_factory)  # the next run sends both: the books agree again
    with qbo_factory(1) as client:
        reconciliation.reconcile_tenant(db, "full-4", "qbo_reconcile", 1, client, reconciliation.FULL)
    again = verdicts(db, "full-4")
    assert again[("invoice", 11)][0] == again[("invoice", 1)][0] == "agree"
