"""Customers are validated a chunk at a time (issue 9: memory flat with the run's size), and
every outcome is the one a single chunk gives: names shared across chunk boundaries, the
' - n' of the suffix policy (numbered by client id, not by the order clients are read),
parent loops, and a parent failing in an earlier chunk than its sub-client."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from qbo_devkit.provision import provision_tenant
from qbo_sync import outcomes
from qbo_sync.extract import read
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import extract_tenant, list_tenants
from qbo_sync.validate.company import QuickBooksLookups
from qbo_sync.validate.customers import CHECKS, SuiteRunner, validate_customers

NOW = datetime.now(UTC)

# tenant -> client id -> (first name, last name, parent). Template "{name}": no tag, so
# names can collide. Read order is (depth, id): depth 0, then sub-clients, then the loop.
CLIENTS = {
    1: {
        1: ("Jane", "Smith", None),
        2: ("Bob", "Jones", None),
        3: (None, None, None),
        4: ("Ann", "Lee", None),
        5: ("Jane", "Smith", None),
        6: ("Tom", "Hill", None),
        7: ("JANE", "SMITH", None),
        10: ("Loop", "A", 11),
        11: ("Loop", "B", 10),
        30: ("Sub", "Three", 3),
        31: ("Sub", "One", 1),
        32: ("Sub", "Six", 6),
    },
    # 'suffix': 100 is read last (a sub-client) but has the lowest id, so it keeps the name.
    2: {
        100: ("Sam", "Ray", 102),
        101: ("Sam", "Ray", None),
        102: ("Kim", "Wu", None),
        103: ("Sam", "Ray", None),
        104: ("sam", "ray", None),
    },
}


def _build(db, qbo_app, qbo_factory):
    from support.rows import insert

    for tenant_id, policy in ((1, "fail"), (2, "suffix")):
        insert(db, "billing.tenants", id=tenant_id, name=f"Practice {tenant_id}", currency="AUD")
        for cid, (first, last, parent) in CLIENTS[tenant_id].items():
            insert(
                db,
                "billing.clients",
                id=cid,
                tenant_id=tenant_id,
                first_name=first,
                last_name=last,
                email=f"c{cid}@example.com",
                parent_client_id=parent,
            )
            insert(
                db,
                "billing.invoices",
                id=cid,
                tenant_id=tenant_id,
                number=f"INV-{cid}",
                client_id=cid,
                status="finalized",
                issue_date=date.today(),
                tax_mode="none",
                currency="AUD",
                subtotal=D("10.00"),
                tax_total=D("0"),
                total=D("10.00"),
                origin="app",
                finalized_at=NOW - timedelta(hours=1),
                updated_at=NOW - timedelta(hours=1),
            )
        provision_tenant(
            db,
            qbo_app,
            tenant_id,
            region="AU",
            connected_at=NOW - timedelta(days=3),
            display_name_template="{name}",
            name_clash_policy=policy,
        )
    with qbo_factory(1) as client:
        existing = client.create("Customer", {"DisplayName": "Bob Jones"}).entity["Id"]
        client.create("Vendor", {"DisplayName": "Ann Lee"})
    return existing


def _run(db, qbo_factory, run_id: str, chunk: int) -> dict:
    window = RunWindow(run_id, NOW - timedelta(days=1), NOW, full_sync=True)
    ctx = outcomes.RunContext("qbo_sync", run_id, "validate", None, 1)
    runner = SuiteRunner("customers", CHECKS, "client_id")
    for tenant in list_tenants(db):
        extract_tenant(db, ctx, tenant, window)
        with qbo_factory(tenant.tenant_id) as client:
            validate_customers(
                db,
                ctx,
                tenant_id=tenant.tenant_id,
                realm_id=tenant.realm_id,
                settings=read.tenant_settings(db, tenant.tenant_id),
                lookups=QuickBooksLookups(client.query),
                chunk=chunk,
                runner=runner,
            )
    logged = {
        (t, s): rest
        for t, s, *rest in db.execute(
            "SELECT tenant_id, source_id, status, error_code, cause, fix, source_ref, action"
            " FROM qbo_sync.sync_log WHERE run_id = %s AND entity = 'customer'",
            (run_id,),
        )
    }
    items = {
        (t, s): (state, payload)
        for t, s, state, payload in db.execute(
            "SELECT tenant_id, source_id, state, payload FROM qbo_sync.run_items"
            " WHERE run_id = %s AND entity = 'customer'",
            (run_id,),
        )
    }
    chunks = dict(
        db.execute(
            "SELECT tenant_id, jsonb_array_length(result->'chunks') FROM qbo_sync.validation_reports"
            " WHERE run_id = %s AND entity = 'customer'",
            (run_id,),
        ).fetchall()
    )
    return {"logged": logged, "items": items, "chunks": chunks}


def test_customers_validated_in_chunks_get_the_outcomes_of_one_chunk(db, qbo_app, qbo_factory):
    existing = _build(db, qbo_app, qbo_factory)
    whole = _run(db, qbo_factory, "r-whole", 10_000)

    # What one chunk decides (and the chunked runs must match).
    assert whole["chunks"] == {1: 1, 2: 1}
    codes = {key: row[1] for key, row in whole["logged"].items()}
    assert codes == {
        (1, 1): "name_clash_in_run",
        (1, 5): "name_clash_in_run",
        (1, 7): "name_clash_in_run",
        (1, 3): "client_without_name",
        (1, 4): "name_clash_vendor",
        (1, 10): "parent_client_loop",
        (1, 11): "parent_client_loop",
        (1, 30): "parent_client_not_synced",
        (1, 31): "parent_client_not_synced",
    }
    assert "Clients 1, 5, 7 would all be called" in whole["logged"][(1, 5)][2]
    assert "10 -> 11 -> 10" in whole["logged"][(1, 10)][2]
    # A sub-client read in a later chunk than its failed parent still gives the parent's reason.
    assert (
        "client 3, which is not in QuickBooks (Client 3 has neither a first and last name"
        in whole["logged"][(1, 30)][2]
    )
    assert "(Clients 1, 5, 7 would all be called 'Jane Smith'" in whole["logged"][(1, 31)][2]
    ready = {key: payload for key, (state, payload) in whole["items"].items() if state == "ready"}
    assert ready == {
        (1, 2): {"display_name": "Bob Jones", "qbo_id": existing},
        (1, 6): {"display_name": "Tom Hill", "qbo_id": None},
        (1, 32): {"display_name": "Sub Six", "qbo_id": None},
        (2, 100): {"display_name": "Sam Ray", "qbo_id": None},
        (2, 101): {"display_name": "Sam Ray - 2", "qbo_id": None},
        (2, 102): {"display_name": "Kim Wu", "qbo_id": None},
        (2, 103): {"display_name": "Sam Ray - 3", "qbo_id": None},
        (2, 104): {"display_name": "sam ray - 4", "qbo_id": None},
    }

    for chunk in (1, 2, 3):
        small = _run(db, qbo_factory, f"r-chunk-{chunk}", chunk)
        # Really chunked: one Great Expectations batch per `chunk` clients.
        assert small["chunks"] == {1: -(-12 // chunk), 2: -(-5 // chunk)}
        assert small["logged"] == whole["logged"], chunk
        assert small["items"] == whole["items"], chunk
