"""``make demo``'s people in QuickBooks and its closing reconciliation block, on the generated
demo dataset: the invoice voided there, the invoice edited there, the customer made inactive
and the sync's payment deleted each show as a difference, each explained by the outcome the
next run's change capture recorded for it (changes made in QuickBooks), and nothing is left
unexplained."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from qbo_devkit.demo import payments_in_quickbooks, setup_tenants
from qbo_devkit.generator.dataset import generate
from qbo_devkit.quickbooks_edits import edits_in_quickbooks, reconciliation_block
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once


def test_each_edit_in_quickbooks_shows_in_the_reconciliation_block(db, qbo_app, qbo_factory):
    # make demo's own data and order: a first run, payments keyed into QuickBooks, the edits
    manifest = generate(db, seed=42, tenants=3, invoices=300, replace=True)
    setup_tenants(db, qbo_app, manifest, qbo_app.app_credentials)
    now = datetime.now(UTC)
    run_once(db, RunWindow("demo-1", now - timedelta(hours=1), now, full_sync=True), qbo_factory)
    payments_in_quickbooks(db, manifest)
    edits = edits_in_quickbooks(db, manifest)
    ((tenant_id, done),) = edits.items()
    assert [d.split(" ")[0] for d in done] == ["voided", "edited", "made", "deleted"]
    later = now + timedelta(minutes=5)
    run_once(db, RunWindow("demo-2", later - timedelta(minutes=1), later), qbo_factory)
    block = reconciliation_block(db, manifest, "demo-reconcile")
    flat = " ".join(block.split())
    voided = re.search(r"voided invoice (\S+)", done[0]).group(1)
    edited = re.search(r"edited invoice (\S+)", done[1]).group(1)
    customer = re.search(r"made customer '(.+)' inactive", done[2]).group(1)
    assert f"invoice {voided}: voided QuickBooks voided, app not voided" in flat
    assert re.search(rf"invoice {re.escape(edited)}: TotalAmt QuickBooks [\d.]+, app [\d.]+;", flat)
    assert f"customer {customer.split(' (')[0]}" in flat and "Active QuickBooks inactive, app active" in flat
    # the payment deleted there: its invoice's balance differs, explained by the payment's outcome
    assert "(payment_deleted_in_quickbooks)" in flat
    for code in ("invoice_voided_in_quickbooks", "invoice_edited_in_quickbooks", "customer_inactive_in_quickbooks"):
        assert f"({code})" in flat
    rows = db.execute(
        "SELECT entity, verdict, count(*) FROM qbo_sync.reconciliation WHERE run_id = 'demo-reconcile'"
        " AND verdict <> 'agree' GROUP BY 1, 2"
    ).fetchall()
    assert {verdict for _, verdict, _ in rows} == {"explained"}, rows
    assert sum(n for entity, _, n in rows if entity in ("invoice", "customer")) >= 4
