"""The reconciliation per currency, and of currency, class and location (issue 13), against the
emulator and the database: an invoice billed in another currency than the company's home
currency is totalled in its own currency (the run report, the reconciliation's summary line, the
page's and the demo's block all use the same words), and an invoice whose CurrencyRef, ClassRef
or DepartmentRef QuickBooks holds otherwise than the app and its settings say differs, with its
explanation."""

from __future__ import annotations

from decimal import Decimal as D

from qbo_sync.pipeline import run_once
from qbo_sync.reconcile import compare, store
from qbo_sync.reconcile import run as reconciliation
from qbo_sync.reconcile.report import full_report
from qbo_sync.tenants.__main__ import main as tenants
from support.runs import full_window
from support.small_tenant import checkup_invoice, small_tenant


def verdict(db, run_id, entity, source_id):
    return db.execute(
        "SELECT verdict, fields, app_value, qbo_value, explanation, currency FROM qbo_sync.reconciliation "
        "WHERE run_id = %s AND entity = %s AND source_id = %s",
        (run_id, entity, source_id),
    ).fetchone()


def test_an_invoice_in_another_currency_is_totalled_in_its_own(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})  # INV-101, INV-102: 110.00 AUD each
    qbo_app.set_preferences(company["realm_id"], multicurrency=True)
    checkup_invoice(db, 1, 201, number="INV-201", client_id=101, tax_rate_id=1, item_id=1)
    db.execute("UPDATE billing.invoices SET currency = 'EUR', exchange_rate = 1.65 WHERE id = 201")

    report, _ = run_once(db, full_window("cur-1"), qbo_factory)
    flat = " ".join(report.split())
    # 220.00 AUD and 110.00 EUR: never one sum of 330.00
    assert "QuickBooks and the app agree on 3 invoices, 220.00 AUD and 110.00 EUR; 2 customers" in flat, flat
    assert "Amount synced (invoices): 220.00 AUD and 110.00 EUR" in flat
    assert "330.00" not in flat
    assert verdict(db, "cur-1", "invoice", 201)[0::5] == ("agree", "EUR")
    # The page's 30-day chart: today's bar holds the AUD only, the EUR listed apart.
    today = store.daily(db, 1)[-1]
    assert (today.synced, today.currency, today.others) == (D("220.00"), "AUD", "110.00 EUR")

    # The daily full pass (the qbo_reconcile DAG, and make demo's block) says the same.
    with qbo_factory(1) as client:
        reconciliation.reconcile_tenant(db, "full-1", "qbo_reconcile", 1, client, reconciliation.FULL)
    text, unexplained = full_report(db, "full-1", {1: "Practice 1"})
    assert unexplained == 0
    assert "agree on 3 invoices, 220.00 AUD and 110.00 EUR; 2 customers" in " ".join(text.split())


def test_a_currency_quickbooks_holds_otherwise_is_a_difference():
    app = (7, "INV-7", "70", "finalized", D("110.00"), D("10.00"), D("110.00"), "exclusive", "EUR")
    row = {"Id": "70", "TotalAmt": 110.0, "Balance": 110.0, "TxnTaxDetail": {"TotalTax": 10.0}}
    assert compare.invoice(app, {**row, "CurrencyRef": {"value": "EUR"}}).differences == []
    check = compare.invoice(app, {**row, "CurrencyRef": {"value": "AUD", "name": "Australian Dollar"}})
    assert (check.fields, check.app_value, check.qbo_value) == ("CurrencyRef", "CurrencyRef EUR", "CurrencyRef AUD")
    assert check.currency == "EUR"


def test_class_and_location_are_compared_with_the_tenants_settings(db, qbo_app, qbo_factory, database_url, monkeypatch):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})
    qbo_app.set_preferences(company["realm_id"], class_tracking="per_transaction", track_locations=True)
    with qbo_factory(1) as client:
        physio = client.create("Class", {"Name": "Physio"}).entity
        pilates = client.create("Class", {"Name": "Pilates"}).entity
        bondi = client.create("Department", {"Name": "Bondi"}).entity
    assert tenants(["tracking", "--tenant-id", "1", "--class", "Physio", "--location", "Bondi"]) == 0
    run_once(db, full_window("cls-1"), qbo_factory)
    assert verdict(db, "cls-1", "invoice", 101)[0] == "agree"

    # A person moves INV-101 to another class and takes its location off in QuickBooks.
    with qbo_factory(1) as client:
        [books] = client.query("select * from Invoice where DocNumber = 'INV-101'")
        changed = {**books, "ClassRef": {"value": pilates["Id"]}}
        changed.pop("DepartmentRef")
        client.update("Invoice", changed)
        reconciliation.reconcile_tenant(db, "full-2", "qbo_reconcile", 1, client, reconciliation.FULL)
    state, fields, app, qbo, why, _ = verdict(db, "full-2", "invoice", 101)
    assert (state, fields) == ("unexplained", "ClassRef, DepartmentRef")
    assert app == f"ClassRef Id {physio['Id']}; DepartmentRef Id {bondi['Id']}"
    assert qbo.startswith(f"ClassRef Id {pilates['Id']}") and qbo.endswith("DepartmentRef none")
    assert "audit log" in why
    assert verdict(db, "full-2", "invoice", 102)[0] == "agree"

    # The tenant's class changes after INV-102 was sent: a difference the settings explain.
    assert tenants(["tracking", "--tenant-id", "1", "--class", "Pilates"]) == 0
    with qbo_factory(1) as client:
        reconciliation.reconcile_tenant(db, "full-3", "qbo_reconcile", 1, client, reconciliation.FULL)
    state, fields, app, qbo, why, _ = verdict(db, "full-3", "invoice", 102)
    assert (state, fields) == ("explained", "ClassRef")
    assert app == f"ClassRef Id {pilates['Id']}" and qbo.startswith(f"ClassRef Id {physio['Id']}")
    assert "class and location settings changed" in why and "Resync the invoice" in why
