"""An app tax rate linked to a QuickBooks tax code that charges another percentage fails
pre-flight (tax_rate_mismatch): QuickBooks would otherwise book a different tax and total
than the app's. Compared with the code's sales rates (a group: their sum); not in the US."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from qbo_devkit.provision import provision_tenant
from qbo_sync.extract.records import RunWindow, TaxRate
from qbo_sync.pipeline import run_once
from qbo_sync.validate.company import QuickBooksLookups, rates_differ
from qbo_sync.validate.invoices import rate_mismatches
from support.rows import insert

NOW = datetime.now(UTC)


def _tenant(db, qbo_app, region, rates, tax_map):
    # The company's home currency (an invoice in another one needs multicurrency: test_pipeline_currency.py).
    insert(db, "billing.tenants", id=1, name="Practice", currency={"AU": "AUD", "UK": "GBP", "US": "USD"}[region])
    for rid, (name, rate) in enumerate(rates.items(), start=1):
        insert(db, "billing.tax_rates", id=rid, tenant_id=1, name=name, rate=rate)
    insert(db, "billing.catalog_items", id=1, tenant_id=1, name="Consult", kind="service", unit_price=D("90"))
    insert(db, "billing.clients", id=1, tenant_id=1, first_name="Jane", last_name="Smith")
    return provision_tenant(db, qbo_app, 1, region=region, connected_at=NOW - timedelta(days=3), tax_map=tax_map)


def _invoice(db, iid, rate_id, rate, mode="exclusive"):
    """One 100.00 line, totals as the app works them out with ``rate``."""
    tax = D(0) if mode == "none" else (D("100.00") * rate).quantize(D("0.01"))
    insert(
        db,
        "billing.invoices",
        id=iid,
        tenant_id=1,
        number=f"INV-{iid}",
        client_id=1,
        status="finalized",
        issue_date=date.today(),
        tax_mode=mode,
        currency=db.execute("SELECT currency FROM billing.tenants WHERE id = 1").fetchone()[0],
        subtotal=D("100.00"),
        tax_total=tax,
        total=D("100.00") + tax,
        origin="app",
        finalized_at=NOW - timedelta(hours=1),
        updated_at=NOW - timedelta(hours=1),
    )
    insert(
        db,
        "billing.invoice_lines",
        id=iid,
        invoice_id=iid,
        position=1,
        item_id=1,
        description="Consult",
        quantity=D(1),
        unit_price=D("100.00"),
        tax_rate_id=rate_id,
        amount=D("100.00"),
    )


def _run(db, qbo_factory):
    window = RunWindow("r1", NOW - timedelta(hours=2), NOW + timedelta(minutes=5), full_sync=True)
    run_once(db, window, qbo_factory)
    return {
        sid: row
        for sid, *row in db.execute(
            "SELECT source_id, status, error_code, cause, fix FROM qbo_sync.sync_log"
            " WHERE run_id = 'r1' AND entity = 'invoice'"
        ).fetchall()
    }


def test_au_rate_of_5_percent_mapped_to_gst_fails_before_sending(db, qbo_app, qbo_factory):
    _tenant(db, qbo_app, "AU", {"GST": D("0.0500"), "GST free": D("0.0000")}, {"GST": "GST", "GST free": "GST free"})
    _invoice(db, 1, 1, D("0.05"))
    _invoice(db, 2, 2, D("0"))
    _invoice(db, 3, 1, D("0.05"), mode="none")  # goes out with the no-tax code: no rate used
    got = _run(db, qbo_factory)
    status, code, cause, fix = got[1]
    assert (status, code) == ("failed", "tax_rate_mismatch")
    assert cause.startswith("App tax rate GST 5% is mapped to QuickBooks tax code 'GST' (10%)")
    assert "INV-1" in cause
    assert "python -m qbo_sync.tenants map-tax --tenant-id 1 --tax-rate 'GST'" in fix
    assert "correct the rate in the billing app" in fix
    assert got[2][:2] == ["synced", None] and got[3][:2] == ["synced", None]
    with qbo_factory(1) as client:
        sent = {r["DocNumber"] for r in client.query("select * from Invoice")}
    assert sent == {"INV-2", "INV-3"}  # the mismatched invoice never reached QuickBooks


def test_uk_rates_agree_with_their_codes_or_name_the_difference(db, qbo_app, qbo_factory):
    _tenant(
        db,
        qbo_app,
        "UK",
        {"Standard": D("0.2000"), "Reduced": D("0.0500"), "Wrongly reduced": D("0.2000")},
        {"Standard": "20.0% S", "Reduced": "5.0% R", "Wrongly reduced": "5.0% R"},
    )
    _invoice(db, 1, 1, D("0.20"))
    _invoice(db, 2, 2, D("0.05"))
    _invoice(db, 3, 3, D("0.20"))
    got = _run(db, qbo_factory)
    assert got[1][:2] == ["synced", None] and got[2][:2] == ["synced", None]
    assert got[3][1] == "tax_rate_mismatch"
    assert "App tax rate Wrongly reduced 20% is mapped to QuickBooks tax code '5.0% R' (5%)" in got[3][2]


def test_group_codes_sum_their_rates_and_the_us_is_not_compared(db, qbo_app, qbo_factory):
    company = _tenant(db, qbo_app, "US", {"Sales tax": D("0.0500")}, {"Sales tax": "TAX"})
    with qbo_factory(1) as client:
        facts = QuickBooksLookups(client.query).facts()
    nyc, california = company["tax_codes"]["New York City"], company["tax_codes"]["California"]
    assert facts.tax_code_percent[nyc] == D("8.875")  # NY State 4 % + NYC 4.875 %
    assert facts.tax_code_percent[california] == D("8.25")
    # The app holds 8.875 % as 0.0888 (four places): the same rate, not a mismatch.
    assert not rates_differ(D("0.0888"), facts.tax_code_percent[nyc])
    assert rates_differ(D("0.0800"), facts.tax_code_percent[nyc])
    wrong = TaxRate(1, "Sales tax", D("0.0500"), True, nyc)
    assert rate_mismatches([wrong], facts, "US") == []  # US rates come from the customer's location
    [(rate, text)] = rate_mismatches([wrong], facts, "AU")
    assert text == "App tax rate Sales tax 5% is mapped to QuickBooks tax code 'New York City' (8.875%)"
