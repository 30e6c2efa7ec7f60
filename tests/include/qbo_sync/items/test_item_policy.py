"""Item policies against the emulator and a real database: catalog items matched to
QuickBooks items by SKU, else name; unmatched and inactive items explained before anything
is sent; missing items created with the tenant's income account; the map kept and shown,
an app rename explained; every amount equal to the cent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_devkit.provision import provision_tenant
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from qbo_sync.tenants.__main__ import main
from support.rows import insert

CATALOG = [  # id, name, kind, sku
    (1, "Consult", "service", "C-1"),
    (2, "Knee brace", "product", None),
    (3, "Taping", "service", "TP"),
    (4, "Old massage", "service", None),
]


def window(run_id):
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def invoice(db, iid, lines):
    """A GST-exclusive invoice of ``lines`` [(catalog item id, qty, unit price)], to client 1."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    subtotal = sum((D(q) * D(p) for _, q, p in lines), D("0")).quantize(D("0.01"))
    tax = (subtotal * D("0.1")).quantize(D("0.01"))
    insert(
        db,
        "billing.invoices",
        id=iid,
        tenant_id=1,
        number=f"INV-{iid}",
        client_id=1,
        status="finalized",
        issue_date=date.today() - timedelta(days=1),
        tax_mode="exclusive",
        currency="AUD",
        subtotal=subtotal,
        tax_total=tax,
        total=subtotal + tax,
        origin="app",
        finalized_at=yesterday,
        updated_at=yesterday,
    )
    for pos, (item_id, qty, price) in enumerate(lines, start=1):
        insert(
            db,
            "billing.invoice_lines",
            id=iid * 10 + pos,
            invoice_id=iid,
            position=pos,
            item_id=item_id,
            description=f"{dict((c[0], c[1]) for c in CATALOG)[item_id]} for the left knee",
            quantity=D(qty),
            unit_price=D(price),
            tax_rate_id=1,
            amount=(D(qty) * D(price)).quantize(D("0.01")),
        )
    return subtotal + tax


@pytest.fixture
def tenant(db, qbo_app, qbo_factory, database_url, monkeypatch):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    insert(db, "billing.tenants", id=1, name="Harbour Physio", currency="AUD")
    insert(db, "billing.tax_rates", id=1, tenant_id=1, name="GST", rate=D("0.1000"))
    for cid, name, kind, sku in CATALOG:
        insert(db, "billing.catalog_items", id=cid, tenant_id=1, name=name, kind=kind, sku=sku, unit_price=D("50"))
    insert(db, "billing.clients", id=1, tenant_id=1, first_name="Jane", last_name="Smith")
    company = provision_tenant(
        db, qbo_app, 1, region="AU", connected_at=datetime.now(UTC) - timedelta(days=30), tax_map={"GST": "GST"}
    )
    with qbo_factory(1) as qbo:
        income = {"value": company["income_account_id"]}
        made = {
            "consult": qbo.create(
                "Item", {"Name": "Initial consultation", "Type": "Service", "Sku": "C-1", "IncomeAccountRef": income}
            ).entity,
            "brace": qbo.create("Item", {"Name": "Knee brace", "Type": "NonInventory"}).entity,
        }
        old = qbo.create("Item", {"Name": "Old massage", "Type": "Service", "IncomeAccountRef": income}).entity
        qbo.update("Item", {"Id": old["Id"], "SyncToken": old["SyncToken"], "Active": False}, sparse=True)
        made["old"] = old
    totals = {
        1: invoice(db, 1, [(1, "2", "90.00"), (2, "1", "45.50")]),
        2: invoice(db, 2, [(1, "1", "90.00"), (3, "3", "12.30")]),
        3: invoice(db, 3, [(4, "1", "70.00")]),
    }
    return company, made, totals


def outcomes(db, run_id):
    rows = db.execute(
        "SELECT source_id, status, error_code, cause, fix, adjustments FROM qbo_sync.sync_log"
        " WHERE run_id = %s AND entity = 'invoice' ORDER BY source_id",
        (run_id,),
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def books(qbo):
    return {row["DocNumber"]: row for row in qbo.query("select * from Invoice")}


def test_match_posts_lines_to_items_by_sku_then_name_and_explains_the_rest(db, tenant, qbo_factory, capsys):
    company, made, totals = tenant
    assert main(["set", "--tenant-id", "1", "--item-policy", "match"]) == 0
    run_once(db, window("match-1"), qbo_factory)
    got = outcomes(db, "match-1")
    assert got[1][0] == "synced"
    assert got[2][:2] == ("failed", "item_not_in_quickbooks")
    assert "'Taping' (SKU TP)" in got[2][2] and "--item-policy create" in got[2][3]
    assert got[3][:2] == ("failed", "item_inactive_in_quickbooks")
    assert "'Old massage'" in got[3][2] and "inactive" in got[3][2] and "Make active" in got[3][3]
    with qbo_factory(1) as qbo:
        sent = books(qbo)
        assert set(sent) == {"INV-1"}  # nothing of the failed invoices reached QuickBooks
        lines = [ln for ln in sent["INV-1"]["Line"] if ln.get("DetailType") == "SalesItemLineDetail"]
        assert [ln["SalesItemLineDetail"]["ItemRef"]["value"] for ln in lines] == [
            made["consult"]["Id"],  # by SKU C-1, though QuickBooks calls it otherwise
            made["brace"]["Id"],  # by name
        ]
        assert [ln["Description"] for ln in lines] == [
            "Consult - Consult for the left knee",
            "Knee brace - Knee brace for the left knee",
        ]
        assert D(str(sent["INV-1"]["TotalAmt"])) == totals[1]
    kept = dict(db.execute("SELECT catalog_item_id, matched_by FROM qbo_sync.item_map").fetchall())
    assert kept == {1: "sku", 2: "name"}

    capsys.readouterr()
    assert main(["items", "--tenant-id", "1"]) == 0
    shown = capsys.readouterr().out
    assert "'Consult' (SKU C-1) -> QuickBooks 'Initial consultation' (Service; Id" in shown and "by SKU" in shown
    assert "'Taping' (SKU TP) not mapped yet" in shown


def test_create_makes_missing_items_with_the_income_account_once(db, tenant, qbo_factory, capsys):
    company, made, totals = tenant
    assert main(["set", "--tenant-id", "1", "--item-policy", "create", "--service-income-account", "Sales"]) == 0
    # Product items have no income account yet: a new product item would fail; none is needed here.
    run_once(db, window("create-1"), qbo_factory)
    got = outcomes(db, "create-1")
    assert got[2][0] == "synced", got[2]
    assert got[1][0] == "synced" and got[2][0] == "synced"
    assert got[3][:2] == ("failed", "item_inactive_in_quickbooks")  # an existing item is never replaced
    with qbo_factory(1) as qbo:
        taping = qbo.query("select * from Item where Sku = 'TP'")
        assert [(i["Name"], i["Type"], i["IncomeAccountRef"]["value"]) for i in taping] == [
            ("Taping", "Service", company["income_account_id"])
        ]
        line = [ln for ln in books(qbo)["INV-2"]["Line"] if ln.get("DetailType") == "SalesItemLineDetail"][1]
        assert line["SalesItemLineDetail"]["ItemRef"]["value"] == taping[0]["Id"]
        assert D(str(books(qbo)["INV-2"]["TotalAmt"])) == totals[2]
    assert db.execute("SELECT matched_by FROM qbo_sync.item_map WHERE catalog_item_id = 3").fetchone() == ("created",)

    # A second run creates nothing again; renaming the item in the app keeps its QuickBooks item.
    db.execute("UPDATE billing.catalog_items SET name = 'Sports taping' WHERE id = 3")
    db.execute("UPDATE billing.invoices SET updated_at = now() WHERE id = 2")
    run_once(db, window("create-2"), qbo_factory)
    got = outcomes(db, "create-2")
    assert got[2][0] == "synced"
    assert "was called 'Taping' when it was mapped" in (got[2][4] or "")
    with qbo_factory(1) as qbo:
        assert len(qbo.query("select * from Item where Sku = 'TP' and Active in (true, false)")) == 1
        line = [ln for ln in books(qbo)["INV-2"]["Line"] if ln.get("DetailType") == "SalesItemLineDetail"][1]
        assert line["Description"].startswith("Sports taping")  # the app's wording
    capsys.readouterr()
    main(["items", "--tenant-id", "1"])
    assert "renamed in the app since it was mapped (was 'Taping')" in capsys.readouterr().out


def test_create_without_an_income_account_fails_before_sending(db, tenant, qbo_factory):
    assert main(["set", "--tenant-id", "1", "--item-policy", "create"]) == 0
    run_once(db, window("create-none"), qbo_factory)
    got = outcomes(db, "create-none")
    assert got[2][:2] == ("failed", "item_income_account_missing")
    assert "--service-income-account NAME" in got[2][3]
    with qbo_factory(1) as qbo:
        assert qbo.query("select * from Item where Sku = 'TP' and Active in (true, false)") == []


def test_an_income_account_that_is_not_income_is_refused(db, tenant, capsys):
    assert (
        main(["set", "--tenant-id", "1", "--item-policy", "create", "--service-income-account", "Undeposited Funds"])
        == 2
    )
    assert "is not an income account" in capsys.readouterr().err
    assert db.execute("SELECT item_policy FROM qbo_sync.tenant_settings WHERE tenant_id = 1").fetchone() == ("default",)


def test_rematch_after_the_item_was_made_inactive(db, tenant, qbo_factory, capsys):
    company, made, totals = tenant
    assert main(["set", "--tenant-id", "1", "--item-policy", "match"]) == 0
    run_once(db, window("rm-1"), qbo_factory)
    with qbo_factory(1) as qbo:
        consult = qbo.read("Item", made["consult"]["Id"])
        qbo.update(
            "Item",
            {"Id": consult["Id"], "SyncToken": consult["SyncToken"], "Active": False, "Sku": "C-1-old"},
            sparse=True,
        )
        income = {"value": company["income_account_id"]}
        new = qbo.create(
            "Item", {"Name": "Consultation", "Type": "Service", "Sku": "C-1", "IncomeAccountRef": income}
        ).entity
    db.execute("UPDATE billing.invoices SET updated_at = now() WHERE id = 1")
    run_once(db, window("rm-2"), qbo_factory)
    assert outcomes(db, "rm-2")[1][:2] == ("failed", "item_inactive_in_quickbooks")
    assert main(["items", "--tenant-id", "1", "--rematch", "1"]) == 0
    run_once(db, window("rm-3"), qbo_factory)
    assert outcomes(db, "rm-3")[1][0] == "synced"
    with qbo_factory(1) as qbo:
        line = [ln for ln in books(qbo)["INV-1"]["Line"] if ln.get("DetailType") == "SalesItemLineDetail"][0]
        assert line["SalesItemLineDetail"]["ItemRef"]["value"] == new["Id"]


def credit_note(db, nid, invoice_id, lines):
    """A finalized credit note of ``lines`` [(line id, invoice line id or None, amount incl. GST)]."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    total = sum((D(a) for _, _, a in lines), D("0"))
    insert(
        db,
        "billing.credit_notes",
        id=nid,
        tenant_id=1,
        number=f"CN-{nid}",
        invoice_id=invoice_id,
        client_id=1,
        issue_date=date.today(),
        status="finalized",
        total=total,
        finalized_at=yesterday,
        updated_at=yesterday,
    )
    for lid, invoice_line_id, amount in lines:
        insert(
            db,
            "billing.credit_note_lines",
            id=lid,
            credit_note_id=nid,
            invoice_line_id=invoice_line_id,
            description=f"credit {lid}",
            amount=D(amount),
            tax_rate_id=1,
        )
    return total


def test_credit_note_lines_go_to_the_item_of_the_invoice_line_they_credit(db, tenant, qbo_factory):
    """A credit note line names the invoice line it credits (billing-source.md: invoice_line_id);
    under 'match' it reverses that line's catalog item, like the invoice line went; a line
    linked to no invoice line takes the default item; an unmapped item fails with the fix."""
    company, made, _totals = tenant
    run_once(db, window("cn-0"), qbo_factory)  # the default policy: the invoices go to the default items
    assert main(["set", "--tenant-id", "1", "--item-policy", "match"]) == 0
    total = credit_note(db, 1, 1, [(101, 11, "22.00"), (102, 12, "11.00"), (103, None, "5.50")])
    credit_note(db, 2, 2, [(201, 22, "11.00")])  # invoice line 22 sells Taping: no QuickBooks item
    run_once(db, window("cn-1"), qbo_factory)
    got = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT source_id, status, error_code, cause, fix FROM qbo_sync.sync_log"
            " WHERE run_id = 'cn-1' AND entity = 'credit_memo'"
        ).fetchall()
    }
    assert got[1][:2] == ("synced", None)
    status, code, cause, fix = got[2]
    assert (status, code) == ("failed", "credit_note_item_not_in_quickbooks")
    assert "Credit note CN-2 line 1" in cause and "'Taping' (SKU TP)" in cause
    assert "--item-policy create" in fix and "resync the credit note" in fix
    memo_id = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE entity = 'credit_memo' AND source_id = 1"
    ).fetchone()[0]
    with qbo_factory(1) as qbo:
        memo = qbo.read("CreditMemo", memo_id)
        assert qbo.query("select * from CreditMemo where DocNumber = 'CN-2'") == []  # nothing sent
    items = [ln["SalesItemLineDetail"]["ItemRef"]["value"] for ln in memo["Line"] if ln.get("SalesItemLineDetail")]
    assert items == [made["consult"]["Id"], made["brace"]["Id"], company["service_item_id"]]
    assert D(str(memo["TotalAmt"])) == total  # to the cent
