"""`python -m qbo_sync.records link|unlink` against a real database and the QuickBooks emulator:
a record keyed into QuickBooks by hand is linked, not doubled, by the next sync; a link that
would double a record or attach the wrong one is refused with its catalog code and changes
nothing; an unlinked record is created again by its resync; each is in the record's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_sync import pipeline
from qbo_sync.extract.records import RunWindow
from qbo_sync.operations import controls
from qbo_sync.records.__main__ import main
from support.small_tenant import small_tenant


@pytest.fixture
def tenant(db, qbo_app, database_url, monkeypatch):
    """Clients 101 and 102 with invoices INV-101 and INV-102 (110.00 each), nothing synced yet."""
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    return small_tenant(db, qbo_app, 1, {1: None, 2: None})


def by_hand_invoice(qbo, company, customer_id, number, price="100.00"):
    """An invoice a person keyed into QuickBooks (GST on top, as the app's)."""
    return qbo.create(
        "Invoice",
        {
            "DocNumber": number,
            "CustomerRef": {"value": customer_id},
            "GlobalTaxCalculation": "TaxExcluded",
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": D(price),
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": company["service_item_id"]},
                        "Qty": D("1"),
                        "UnitPrice": D(price),
                        "TaxCodeRef": {"value": company["tax_codes"]["GST"]},
                    },
                }
            ],
        },
    ).entity


def api_reads(qbo_app, realm):
    return [r for r in qbo_app.requests_log(realm) if r["method"] == "GET" and "/v3/company/" in r["path"]]


def state(db):
    """Everything link and unlink may change: the map, the history, the audit trail."""
    return (
        db.execute("SELECT * FROM qbo_sync.entity_map ORDER BY entity, source_id").fetchall(),
        db.execute("SELECT count(*) FROM qbo_sync.sync_log").fetchone(),
        db.execute("SELECT count(*) FROM qbo_sync.record_actions").fetchone(),
    )


def refused(capsys, args, code):
    assert main(args) == 1, args
    err = capsys.readouterr().err
    assert f"refused ({code})" in err and "Nothing was changed." in err and "\nfix: " in err, err
    return err


def history(db, entity, source_id):
    return db.execute(
        "SELECT action, status, qbo_id, acted_by, error_code FROM qbo_sync.sync_log"
        " WHERE tenant_id = 1 AND entity = %s AND source_id = %s ORDER BY id",
        (entity, source_id),
    ).fetchall()


def test_a_customer_and_invoice_keyed_by_hand_are_linked_and_the_sync_does_not_double_them(
    db, tenant, qbo_app, qbo_factory, capsys
):
    realm = tenant["realm_id"]
    with qbo_factory(1) as qbo:
        customer = qbo.create("Customer", {"DisplayName": "Client No101 (keyed by hand)"}).entity
        invoice = by_hand_invoice(qbo, tenant, customer["Id"], "INV-101")
    before = len(api_reads(qbo_app, realm))

    assert main(["link", "--tenant-id", "1", "--client-id", "101", "--customer-id", customer["Id"]]) == 0
    said = capsys.readouterr().out
    assert "linked client Client No101 (client id 101) to the QuickBooks customer " in said
    assert f"'Client No101 (keyed by hand)' (Id {customer['Id']})" in said and "Nothing was sent" in said
    assert len(api_reads(qbo_app, realm)) == before + 1  # one read, of that customer

    assert main(["link", "--tenant-id", "1", "--invoice-id", "101", "--qbo-invoice-id", invoice["Id"]]) == 0
    assert "linked invoice INV-101 (invoice id 101)" in capsys.readouterr().out
    assert len(api_reads(qbo_app, realm)) == before + 2

    # Linking the same pair again changes nothing and says so.
    assert main(["link", "--tenant-id", "1", "--invoice-id", "101", "--qbo-invoice-id", invoice["Id"]]) == 0
    assert "is already linked" in capsys.readouterr().out

    # Who, when, what: in the record's history and the audit trail.
    [(action, status, qbo_id, by, code)] = history(db, "invoice", 101)
    assert (action, status, qbo_id, code) == ("link", "synced", invoice["Id"], None)
    assert by.endswith("(command line)")
    note = db.execute("SELECT error_message FROM qbo_sync.sync_log WHERE action = 'link' AND entity = 'invoice'")
    assert "linked by" in note.fetchone()[0]
    assert db.execute("SELECT action, requested_by FROM qbo_sync.record_actions ORDER BY id").fetchall() == [
        ("link", by),
        ("link", by),
    ]

    # A full sync considers every invoice: the linked ones are updated, never created again.
    now = datetime.now(UTC)
    pipeline.run_once(db, RunWindow("after-link", now - timedelta(days=2), now, full_sync=True), qbo_factory)
    with qbo_factory(1) as qbo:
        numbered = qbo.query("select * from Invoice where DocNumber = 'INV-101'")
        customers = [c for c in qbo.query("select * from Customer") if "No101" in c["DisplayName"]]
    assert [r["Id"] for r in numbered] == [invoice["Id"]]
    assert [r["Id"] for r in customers] == [customer["Id"]]
    assert D(str(numbered[0]["TotalAmt"])) == D("110.00")
    assert [h[0] for h in history(db, "invoice", 101)] == ["link", "update"]
    # The other client and invoice went as usual.
    assert [h[:2] for h in history(db, "invoice", 102)] == [("create", "synced")]


def test_every_refusal_names_its_code_and_changes_nothing(db, tenant, qbo_app, qbo_factory, capsys):
    with qbo_factory(1) as qbo:
        first = qbo.create("Customer", {"DisplayName": "Keyed First"}).entity
        second = qbo.create("Customer", {"DisplayName": "Keyed Second"}).entity
        gone = qbo.create("Customer", {"DisplayName": "Made Inactive"}).entity
        qbo.update("Customer", {"Id": gone["Id"], "SyncToken": gone["SyncToken"], "Active": False}, sparse=True)
        theirs = by_hand_invoice(qbo, tenant, second["Id"], "INV-101")
        voided = by_hand_invoice(qbo, tenant, first["Id"], "INV-VOID")
        qbo.void("Invoice", voided["Id"], voided["SyncToken"])
        ours = by_hand_invoice(qbo, tenant, first["Id"], "INV-101-B")
    client = ["link", "--tenant-id", "1", "--client-id"]
    invoice = ["link", "--tenant-id", "1", "--invoice-id"]
    empty = state(db)

    refused(capsys, [*client, "999", "--customer-id", first["Id"]], "link_record_unknown")
    refused(capsys, [*client, "101", "--customer-id", "58; drop"], "link_bad_qbo_id")
    err = refused(capsys, [*client, "101", "--customer-id", "99999"], "link_qbo_record_missing")
    assert "QuickBooks has no customer with the Id you gave (99999)" in err
    err = refused(capsys, [*client, "101", "--customer-id", gone["Id"]], "link_qbo_record_inactive")
    assert "'Made Inactive'" in err and "is inactive in QuickBooks" in err
    err = refused(capsys, [*invoice, "101", "--qbo-invoice-id", theirs["Id"]], "link_client_not_in_quickbooks")
    assert f"--customer-id {second['Id']}" in err  # the fix names the customer to link first
    db.execute("UPDATE billing.invoices SET status = 'draft' WHERE id = 102")
    refused(capsys, [*invoice, "102", "--qbo-invoice-id", ours["Id"]], "link_invoice_not_sendable")
    assert state(db) == empty

    assert main([*client, "101", "--customer-id", first["Id"]]) == 0
    linked = state(db)
    refused(capsys, [*client, "102", "--customer-id", first["Id"]], "link_qbo_record_taken")
    err = refused(capsys, [*client, "101", "--customer-id", second["Id"]], "link_already_linked")
    assert "--replace" in err
    err = refused(capsys, [*invoice, "101", "--qbo-invoice-id", theirs["Id"]], "link_customer_differs")
    assert "'Keyed Second'" in err
    err = refused(capsys, [*invoice, "101", "--qbo-invoice-id", voided["Id"]], "link_qbo_record_inactive")
    assert "is voided in QuickBooks" in err
    # Another run is syncing the tenant right now.
    db.execute("INSERT INTO qbo_sync.tenant_tracks (tenant_id, run_id, stage) VALUES (1, 'scheduled__busy', 'load')")
    refused(capsys, [*invoice, "101", "--qbo-invoice-id", ours["Id"]], "link_tenant_busy")
    refused(capsys, ["unlink", "--tenant-id", "1", "--client-id", "101", "--linked-by-mistake"], "link_tenant_busy")
    db.execute("UPDATE qbo_sync.tenant_tracks SET state = 'done', finished_at = now()")
    # The tenant must reconnect: QuickBooks cannot be asked.
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'reconnect_required'")
    refused(capsys, [*invoice, "101", "--qbo-invoice-id", ours["Id"]], "link_not_connected")
    db.execute("UPDATE qbo_sync.tenant_connections SET status = 'connected'")
    # Unlink: nothing linked; still active in QuickBooks.
    refused(capsys, ["unlink", "--tenant-id", "1", "--invoice-id", "101"], "link_not_linked")
    err = refused(capsys, ["unlink", "--tenant-id", "1", "--client-id", "101"], "unlink_record_live")
    assert "--linked-by-mistake" in err
    assert state(db) == linked
    # A record mapped in another company than the tenant's now.
    db.execute("UPDATE qbo_sync.entity_map SET realm_id = '1234567890' WHERE entity = 'customer'")
    refused(capsys, [*client, "101", "--customer-id", second["Id"], "--replace"], "link_other_company")
    db.execute("UPDATE qbo_sync.entity_map SET realm_id = %s WHERE entity = 'customer'", (tenant["realm_id"],))

    # --replace is explicit: the link moves, and the history says from where.
    assert main([*client, "101", "--customer-id", second["Id"], "--replace"]) == 0
    assert "was replaced" in capsys.readouterr().out
    note = db.execute("SELECT error_message FROM qbo_sync.sync_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert "replacing the link to" in note and f"(Id {first['Id']})" in note
    assert main([*invoice, "101", "--qbo-invoice-id", theirs["Id"]]) == 0
    # Unlinking a record that is still active takes --linked-by-mistake.
    assert main(["unlink", "--tenant-id", "1", "--invoice-id", "101", "--linked-by-mistake"]) == 0
    assert (
        "linked by mistake"
        in db.execute("SELECT error_message FROM qbo_sync.sync_log WHERE action = 'unlink'").fetchone()[0]
    )
    assert db.execute("SELECT count(*) FROM qbo_sync.entity_map WHERE entity = 'invoice'").fetchone() == (0,)
    # A record mapped in another company is unlinked without asking this company about it.
    db.execute("UPDATE qbo_sync.entity_map SET realm_id = '1234567890' WHERE entity = 'customer'")
    reads = len(api_reads(qbo_app, tenant["realm_id"]))
    assert main(["unlink", "--tenant-id", "1", "--client-id", "101"]) == 0
    assert "in another QuickBooks company" in capsys.readouterr().out
    assert len(api_reads(qbo_app, tenant["realm_id"])) == reads
    assert db.execute("SELECT realm_id FROM qbo_sync.sync_log ORDER BY id DESC LIMIT 1").fetchone() == ("1234567890",)


def test_an_invoice_deleted_in_quickbooks_is_unlinked_and_created_again_by_its_resync(db, tenant, qbo_factory, capsys):
    now = datetime.now(UTC)
    pipeline.run_once(db, RunWindow("first", now - timedelta(days=2), now, full_sync=True), qbo_factory)
    old = db.execute("SELECT qbo_id FROM qbo_sync.entity_map WHERE entity = 'invoice' AND source_id = 101").fetchone()[
        0
    ]
    with qbo_factory(1) as qbo:
        row = qbo.read("Invoice", old)
        qbo.delete("Invoice", old, row["SyncToken"])

    assert main(["unlink", "--tenant-id", "1", "--invoice-id", "101"]) == 0
    said = capsys.readouterr().out
    assert "unlinked invoice INV-101 (invoice id 101)" in said and "gone from QuickBooks" in said
    [unlinked] = db.execute(
        "SELECT s.status, l.action, l.error_code, l.cause, l.fix, l.acted_by FROM qbo_sync.record_status AS s"
        " JOIN qbo_sync.sync_log AS l ON l.id = s.sync_log_id WHERE s.entity = 'invoice' AND s.source_id = 101"
    ).fetchall()
    assert unlinked[:3] == ("skipped", "unlink", "record_unlinked")
    assert "unlinked from the QuickBooks invoice 'INV-101'" in unlinked[3] and "Resync" in unlinked[4]

    # The next scheduled run leaves it alone; finance's resync creates it again.
    later = now + timedelta(hours=1)
    pipeline.run_once(db, RunWindow("hourly", now, later), qbo_factory)
    assert [h[0] for h in history(db, "invoice", 101)] == ["create", "unlink"]
    controls.apply(db, action="resync", tenant_id=1, entity="invoice", source_ids=[101], requested_by="alice")
    pipeline.run_once(db, RunWindow("resync__1", later, later + timedelta(hours=1)), qbo_factory)
    new = db.execute("SELECT qbo_id FROM qbo_sync.entity_map WHERE entity = 'invoice' AND source_id = 101").fetchone()
    assert new is not None and new[0] != old
    with qbo_factory(1) as qbo:
        assert [r["Id"] for r in qbo.query("select * from Invoice where DocNumber = 'INV-101'")] == [new[0]]
    assert [h[:2] for h in history(db, "invoice", 101)] == [
        ("create", "synced"),
        ("unlink", "skipped"),
        ("create", "synced"),
    ]


def test_unlinking_a_customer_says_what_stays_attached_to_it(db, tenant, qbo_factory, capsys):
    now = datetime.now(UTC)
    pipeline.run_once(db, RunWindow("first", now - timedelta(days=2), now, full_sync=True), qbo_factory)
    qbo_id = db.execute("SELECT qbo_id FROM qbo_sync.entity_map WHERE entity = 'customer' AND source_id = 101")
    qbo_id = qbo_id.fetchone()[0]
    invoice = db.execute("SELECT qbo_id FROM qbo_sync.entity_map WHERE entity = 'invoice' AND source_id = 101")
    invoice = invoice.fetchone()[0]
    with qbo_factory(1) as qbo:  # QuickBooks makes a customer inactive only without a balance
        qbo.void("Invoice", invoice, qbo.read("Invoice", invoice)["SyncToken"])
        row = qbo.read("Customer", qbo_id)
        qbo.update("Customer", {"Id": qbo_id, "SyncToken": row["SyncToken"], "Active": False}, sparse=True)
    assert main(["unlink", "--tenant-id", "1", "--client-id", "101"]) == 0
    said = capsys.readouterr().out
    assert "It was inactive in QuickBooks" in said
    assert "Still attached to the QuickBooks customer" in said and "invoice ids 101" in said


def test_a_run_that_would_start_while_a_link_is_written_waits_for_it(db, tenant, database_url):
    import psycopg

    from qbo_sync.db.connection import connect
    from qbo_sync.db.sqlfiles import load_sql
    from qbo_sync.records.checks import not_busy
    from qbo_sync.records.kinds import INVOICE, app_record

    db.execute(
        "INSERT INTO qbo_sync.tenant_tracks (tenant_id, run_id, stage, state) VALUES (1, 'earlier', 'done', 'done')"
    )
    record = app_record(db, INVOICE, 1, 101)
    with connect(database_url) as linking, connect(database_url, autocommit=True) as run:
        with linking.transaction():
            not_busy(linking, INVOICE, 1, record)  # as link and unlink do inside their transaction
            run.execute("SET lock_timeout = '200ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                run.execute(
                    load_sql("tracks/claim"),
                    {"tenant_id": 1, "run_id": "scheduled__next", "run_clear": 0, "lease_seconds": 1200},
                )
        # Committed: the run takes the tenant.
        claimed = run.execute(
            load_sql("tracks/claim"),
            {"tenant_id": 1, "run_id": "scheduled__next", "run_clear": 0, "lease_seconds": 1200},
        ).fetchone()
        assert claimed is not None
