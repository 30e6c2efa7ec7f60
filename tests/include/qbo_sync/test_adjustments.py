"""A record that QuickBooks only takes after a change syncs, and says exactly what was changed
(sync log, run report); a record sent as it is says nothing extra. Real PostgreSQL, real HTTP
to the emulator, the whole pipeline."""

from __future__ import annotations

from qbo_sync.pipeline import run_once
from qbo_sync.report import summary
from support.rows import insert
from support.runs import full_window, logged
from support.scenario import add_invoice, build_au_tenant

LONG = "x" * 5000
DESCRIPTION_CUT = "line 1 description shortened from 5,010 to 4,000 characters (QuickBooks' limit; the end cut off)"
COLON = "customer display name (QuickBooks keeps ':' for sub-customers): ':' replaced by '-'"


def test_adjusted_records_say_what_was_changed(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    insert(
        db,
        "billing.clients",
        id=6,
        tenant_id=1,
        first_name=None,
        last_name=None,
        company_name="Physio: Bondi",
        email="c6@example.com",
        parent_client_id=None,
    )
    add_invoice(db, 13, "INV-0013", 6, [("1", "90.00", 1, None, None)])
    db.execute("UPDATE billing.invoice_lines SET description = %s WHERE id = 1301", (LONG,))

    run_once(db, full_window("adj1"), qbo_factory)

    status, adjustments, customer_qbo = logged(db, "adj1", "customer", 6, "status", "adjustments", "qbo_id")
    assert (status, adjustments) == ("synced", COLON)
    status, adjustments, invoice_qbo = logged(db, "adj1", "invoice", 13, "status", "adjustments", "qbo_id")
    assert (status, adjustments) == ("synced", DESCRIPTION_CUT)
    # Records that went as they are say nothing extra.
    assert logged(db, "adj1", "customer", 1, "status", "adjustments", "qbo_id")[:2] == ("synced", None)
    assert logged(db, "adj1", "invoice", 1, "status", "adjustments", "qbo_id")[:2] == ("synced", None)
    assert (
        db.execute(
            "SELECT count(*) FROM qbo_sync.sync_log WHERE run_id = 'adj1' AND adjustments IS NOT NULL"
        ).fetchone()[0]
        == 2
    )
    # What the log says is what QuickBooks got.
    with qbo_factory(1) as qbo:
        assert qbo.read("Customer", customer_qbo)["DisplayName"] == "Physio- Bondi (00006)"
        description = qbo.read("Invoice", invoice_qbo)["Line"][0]["Description"]
        assert len(description) == 4000 and description.startswith("Consult - xxx")
    # The page's view carries it too.
    assert (
        db.execute(
            "SELECT adjustments FROM qbo_sync.record_status WHERE entity = 'invoice' AND source_id = 13"
        ).fetchone()[0]
        == DESCRIPTION_CUT
    )

    report = summary.build(db, "adj1", {1: "Harbour Physio"})[1]
    text = summary.render(report)
    section = text.split("record(s) synced with changes QuickBooks required", 1)[1]
    section = section.split("record(s) skipped on purpose", 1)[0]
    assert "2 record(s) synced with changes QuickBooks required" in text
    flat = " ".join(section.split())
    assert f"customer Physio: Bondi: {COLON}" in flat  # the record by its app name
    assert f"invoice INV-0013: {DESCRIPTION_CUT}" in flat
    assert "INV-0001" not in section and "Jane Smith" not in section


def test_a_run_without_adjustments_reports_none(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    run_once(db, full_window("adj0"), qbo_factory)
    assert (
        db.execute("SELECT count(*) FROM qbo_sync.sync_log WHERE run_id = 'adj0' AND status = 'synced'").fetchone()[0]
        > 0
    )
    assert (
        db.execute(
            "SELECT count(*) FROM qbo_sync.sync_log WHERE run_id = 'adj0' AND adjustments IS NOT NULL"
        ).fetchone()[0]
        == 0
    )
    text = summary.render(summary.build(db, "adj0", {1: "Harbour Physio"})[1])
    assert "synced with changes" not in text
