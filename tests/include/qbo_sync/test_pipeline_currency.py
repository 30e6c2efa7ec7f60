"""Currencies (issue 13, item 2), through the whole pipeline against a real database and the
emulator: an invoice in another currency fails with the fix while multicurrency is off; once
a person turns it on, it goes with CurrencyRef and the app's rate (else QuickBooks' rate for
its date) to the client's customer in that currency, created once; a currency QuickBooks has
no rate for fails with the fix; its payment follows it; the reconciliation agrees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.rows import insert
from support.small_tenant import checkup_invoice, small_tenant

EUR_QUICKBOOKS = D("1.636364")  # the emulator's global EUR rate into AUD (1.08 / 0.66 USD)


def window(run_id):
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def outcomes(db, run_id):
    rows = db.execute(
        "SELECT entity, source_id, status, error_code, cause, fix FROM qbo_sync.sync_log WHERE run_id = %s",
        (run_id,),
    ).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def foreign_invoice(db, invoice_id, client_id, currency, rate=None):
    checkup_invoice(db, 1, invoice_id, number=f"INV-{invoice_id}", client_id=client_id, tax_rate_id=1, item_id=1)
    db.execute(
        "UPDATE billing.invoices SET currency = %s, exchange_rate = %s WHERE id = %s", (currency, rate, invoice_id)
    )


def test_foreign_currency_invoices_customers_and_payments(db, qbo_app, qbo_factory):
    company = small_tenant(db, qbo_app, 1, {1: None, 2: None})  # clients 101, 102; INV-101, INV-102 in AUD
    foreign_invoice(db, 201, 101, "EUR", D("1.65"))
    foreign_invoice(db, 202, 101, "EUR")
    foreign_invoice(db, 203, 102, "FJD")

    run_once(db, window("run-1"), qbo_factory)
    got = outcomes(db, "run-1")
    assert got[("invoice", 101)][0] == "synced" and got[("invoice", 102)][0] == "synced"
    for iid in (201, 202, 203):
        status, code, cause, fix = got[("invoice", iid)]
        assert (status, code) == ("failed", "currency_needs_multicurrency")
        assert "multicurrency off" in cause and "AUD" in cause and "Multicurrency" in fix
    with qbo_factory(1) as client:
        assert {r["DocNumber"] for r in client.query("select * from Invoice")} == {"INV-101", "INV-102"}

    # A person turns multicurrency on in QuickBooks' settings; the next run sends them.
    qbo_app.set_preferences(company["realm_id"], multicurrency=True)
    run_once(db, window("run-2"), qbo_factory)
    got = outcomes(db, "run-2")
    assert got[("invoice", 201)][0] == "synced" and got[("invoice", 202)][0] == "synced"
    status, code, cause, fix = got[("invoice", 203)]
    assert (status, code) == ("failed", "exchange_rate_missing")
    assert "FJD" in cause and "Settings > Currencies" in fix

    with qbo_factory(1) as client:
        books = {r["DocNumber"]: r for r in client.query("select * from Invoice")}
        customers = {r["DisplayName"]: r for r in client.query("select * from Customer")}
    euro = customers["Client No101 (00101) (EUR)"]
    assert euro["CurrencyRef"]["value"] == "EUR"
    assert customers["Client No101 (00101)"]["CurrencyRef"]["value"] == "AUD"
    assert len(customers) == 3  # 101, 102, and 101 in EUR: one customer per client and currency
    app_rate, quickbooks_rate, home = books["INV-201"], books["INV-202"], books["INV-101"]
    assert app_rate["CurrencyRef"]["value"] == "EUR" and app_rate["CustomerRef"]["value"] == euro["Id"]
    assert D(str(app_rate["ExchangeRate"])) == D("1.65")
    assert D(str(app_rate["TotalAmt"])) == D("110.00") and D(str(app_rate["HomeTotalAmt"])) == D("181.50")
    assert D(str(quickbooks_rate["ExchangeRate"])) == EUR_QUICKBOOKS
    assert quickbooks_rate["CustomerRef"]["value"] == euro["Id"]
    assert home["CurrencyRef"]["value"] == "AUD"  # sent as before multicurrency: unchanged
    kept = db.execute(
        "SELECT invoice_id, currency, exchange_rate, rate_source FROM qbo_sync.invoice_currencies ORDER BY 1"
    ).fetchall()
    assert kept == [(201, "EUR", D("1.65"), "app"), (202, "EUR", EUR_QUICKBOOKS, "quickbooks")]

    # A payment of the EUR invoice follows it: its customer and currency, QuickBooks' rate of its day.
    insert(
        db,
        "billing.payments",
        id=501,
        tenant_id=1,
        invoice_id=201,
        amount=D("110.00"),
        paid_at=datetime.now(UTC),
        method="card",
        reference="EUR-PAY-1",
        origin="app",
        created_at=datetime.now(UTC),
    )
    run_once(db, window("run-3"), qbo_factory)
    got = outcomes(db, "run-3")
    assert got[("payment", 501)][0] == "synced", got[("payment", 501)]
    with qbo_factory(1) as client:
        [payment] = client.query("select * from Payment")
        paid = client.read("Invoice", app_rate["Id"])
        assert len(client.query("select * from Customer")) == 3  # re-runs create no second EUR customer
    assert payment["CurrencyRef"]["value"] == "EUR" and payment["CustomerRef"]["value"] == euro["Id"]
    assert D(str(payment["ExchangeRate"])) == EUR_QUICKBOOKS and D(str(payment["TotalAmt"])) == D("110.00")
    assert D(str(paid["Balance"])) == D("0")
    differ = db.execute(
        "SELECT entity, source_id, fields FROM qbo_sync.reconciliation WHERE verdict = 'unexplained'"
    ).fetchall()
    assert differ == []


def test_the_currency_name_template_names_the_second_customer(db, qbo_app, qbo_factory):
    from qbo_sync.tenants.settings import update_settings

    company = small_tenant(db, qbo_app, 1, {1: None})
    update_settings(db, 1, currency_name_template="{name} {currency} ({tag})")
    qbo_app.set_preferences(company["realm_id"], multicurrency=True)
    foreign_invoice(db, 201, 101, "GBP", D("2.1"))
    run_once(db, window("run-1"), qbo_factory)
    assert outcomes(db, "run-1")[("invoice", 201)][0] == "synced"
    with qbo_factory(1) as client:
        [gbp] = client.query("select * from Customer where DisplayName = 'Client No101 GBP (00101)'")
    assert gbp["CurrencyRef"]["value"] == "GBP"
    assert date.today()  # the invoice is dated yesterday: the app's rate, no QuickBooks read needed
