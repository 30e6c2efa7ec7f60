"""The whole pipeline, without Airflow, against a real database and the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.scenario import build_au_tenant


@pytest.fixture
def au_tenant(db, qbo_app):
    return build_au_tenant(db, qbo_app)


def window(run_id, full=True):
    now = datetime.now(UTC)  # not import time: the suite may run for minutes
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=full)


def outcomes_of(db, run_id):
    rows = db.execute(
        "SELECT entity, source_id, status, error_code, cause, fix FROM qbo_sync.sync_log"
        " WHERE run_id = %s ORDER BY entity, source_id",
        (run_id,),
    ).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def qbo_invoices(client):
    return {row["DocNumber"]: row for row in client.query("select * from Invoice")}


def test_a_run_syncs_good_invoices_to_the_cent_and_explains_the_rest(db, au_tenant, qbo_factory):
    company, good = au_tenant
    text, failed = run_once(db, window("run-1"), qbo_factory)
    got = outcomes_of(db, "run-1")
    assert {k: v[0] for k, v in got.items() if k[0] == "invoice"} == {
        ("invoice", 1): "synced",
        ("invoice", 2): "synced",
        ("invoice", 11): "synced",
        ("invoice", 3): "failed",
        ("invoice", 4): "failed",
        ("invoice", 5): "failed",
        ("invoice", 6): "failed",
        ("invoice", 7): "skipped",
        ("invoice", 8): "failed",
    }
    codes = {k[1]: v[1] for k, v in got.items() if k[0] == "invoice"}
    assert codes[3] == "no_line_items" and codes[4] == "number_too_long"
    assert codes[5] == "tax_rate_not_mapped" and codes[6] == "client_not_synced"
    assert codes[7] == "historical_invoice" and codes[8] == "amounts_do_not_add_up"
    assert got[("customer", 2)][:2] == ("failed", "client_without_name")
    assert got[("customer", 3)][:2] == ("failed", "parent_client_not_synced")
    for key, (status, _code, cause, fix) in got.items():
        if status == "failed":
            assert cause and fix, key
    assert "Mystery levy" in got[("invoice", 5)][2]
    assert failed == sum(1 for v in got.values() if v[0] == "failed")
    assert "INV-0003" in text and "Amount synced" in text

    with qbo_factory(1) as client:
        books = qbo_invoices(client)
        assert set(books) == {"INV-0001", "INV-0002", "INV-0011"}
        for iid, number in ((1, "INV-0001"), (2, "INV-0002"), (11, "INV-0011")):
            row = db.execute("SELECT subtotal, tax_total, total FROM billing.invoices WHERE id = %s", (iid,)).fetchone()
            assert D(str(books[number]["TotalAmt"])) == row[2] == good[iid]
            assert D(str(books[number]["TxnTaxDetail"]["TotalTax"])) == row[1]
        sub = client.query("select * from Customer where DisplayName = 'Ann Lee (00005)'")[0]
        assert (
            sub["ParentRef"]["value"]
            == client.query("select * from Customer where DisplayName = 'Bob Jones (00004)'")[0]["Id"]
        )


def test_rerunning_a_run_and_a_new_run_create_no_duplicates(db, au_tenant, qbo_factory):
    run_once(db, window("run-1"), qbo_factory)
    first = outcomes_of(db, "run-1")
    run_once(db, window("run-1"), qbo_factory)  # the whole run cleared and re-run
    assert outcomes_of(db, "run-1") == first
    run_once(db, window("run-2"), qbo_factory)  # next run: failures retried, the rest unchanged
    second = outcomes_of(db, "run-2")
    assert second[("invoice", 1)][0] == "skipped"
    assert second[("invoice", 3)][0] == "failed"
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3
    rows = db.execute("SELECT count(*) FROM qbo_sync.sync_log WHERE run_id = 'run-1'").fetchone()[0]
    assert rows == len(first)


def test_a_lost_answer_is_looked_up_not_reposted(db, au_tenant, qbo_factory, qbo_app):
    company, _ = au_tenant
    qbo_app.inject_fault(company["realm_id"], "commit_then_drop", count=3, path_contains="/batch")
    run_once(db, window("run-1"), qbo_factory)
    got = outcomes_of(db, "run-1")
    assert got[("invoice", 1)][0] == "synced"
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3


def test_a_changed_invoice_is_updated_in_place(db, au_tenant, qbo_factory):
    run_once(db, window("run-1"), qbo_factory)
    db.execute("UPDATE billing.invoices SET notes = 'paid by card', updated_at = now() WHERE id = 1")
    run_once(db, window("run-2", full=False), qbo_factory)
    assert outcomes_of(db, "run-2")[("invoice", 1)][0] == "synced"
    with qbo_factory(1) as client:
        books = qbo_invoices(client)
        assert len(books) == 3
        assert books["INV-0001"]["CustomerMemo"]["value"] == "paid by card"


def test_quickbooks_down_fails_the_load_task_and_a_rerun_recovers_without_duplicates(
    db, au_tenant, qbo_factory, qbo_app
):
    from qbo_sync.load.loader import SystemicFailure

    company, _ = au_tenant
    # More 5xx answers than the client's tries (max_tries 4 in the test connection).
    qbo_app.inject_fault(company["realm_id"], "server_error", count=40, path_contains="/batch")
    with pytest.raises(SystemicFailure, match="QuickBooks"):
        run_once(db, window("run-1"), qbo_factory)
    failed = db.execute(
        "SELECT DISTINCT category, error_code FROM qbo_sync.sync_log"
        " WHERE run_id = 'run-1' AND entity = 'customer' AND source_id IN (1, 4)"
    ).fetchall()
    assert failed == [("transient", "outcome_unknown")]  # explained, and safe to retry
    qbo_app.clear_faults(company["realm_id"])
    run_once(db, window("run-1"), qbo_factory)  # on-call clears the task; it runs again
    got = outcomes_of(db, "run-1")
    assert got[("invoice", 1)][0] == got[("invoice", 2)][0] == "synced"
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 3
        assert client.count("select count(*) from Customer") == 3
