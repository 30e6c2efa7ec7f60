"""Totals equal to the cent in QuickBooks after a real sync: long invoices and credit notes,
mixed rates, exclusive and inclusive, a UK company and US companies with and without
automated sales tax. QuickBooks (the emulator) rounds tax per line; the app per rate, so
each case first checks that QuickBooks left to itself would differ from the app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from qbo_devkit.generator.arithmetic import invoice_totals, tax_inclusive_line
from qbo_devkit.provision import provision_tenant
from qbo_emulator.tax import TAX_EXCLUDED, Rate, compute
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from qbo_sync.validate.company import QuickBooksLookups
from support.rows import insert

NOW = datetime.now(UTC)
CENT = D("0.01")
PRICES = ("1.59", "3.33", "7.49", "0.99", "12.05")


def window(run_id):
    now = datetime.now(UTC)
    return RunWindow(run_id, now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)


def tenant(db, qbo_app, region, currency, rates, tax_map, preferences=None):
    insert(db, "billing.tenants", id=1, name=f"Tax {region}", currency=currency, timezone="UTC")
    for rid, (name, rate) in rates.items():
        insert(db, "billing.tax_rates", id=rid, tenant_id=1, name=name, rate=rate)
    insert(db, "billing.catalog_items", id=1, tenant_id=1, name="Consult", kind="service", unit_price=D("1"))
    insert(db, "billing.clients", id=1, tenant_id=1, first_name="Jane", last_name="Smith", email="jane@example.com")
    return provision_tenant(
        db, qbo_app, 1, region=region, preferences=preferences, connected_at=NOW - timedelta(days=30), tax_map=tax_map
    )


def add_invoice(db, iid, mode, currency, rate_cycle, rates, count):
    """``count`` lines cycling prices and rates; totals by the app's own arithmetic."""
    lines = []
    for pos in range(1, count + 1):
        qty = D(2) if pos % 7 == 0 else D(1)
        price = D(PRICES[pos % len(PRICES)])
        rate_id = rate_cycle[pos % len(rate_cycle)]
        amount = (qty * price).quantize(CENT)
        lines.append((amount, rate_id))
        insert(
            db,
            "billing.invoice_lines",
            id=iid * 1000 + pos,
            invoice_id=iid,
            position=pos,
            item_id=1,
            description=f"line {pos}",
            quantity=qty,
            unit_price=price,
            tax_rate_id=rate_id,
            amount=amount,
        )
    subtotal, tax, total = invoice_totals(mode, [(a, rates[r][1] if r else None, r) for a, r in lines])
    finalized = NOW - timedelta(days=1)
    insert(
        db,
        "billing.invoices",
        id=iid,
        tenant_id=1,
        number=f"INV-{iid:04d}",
        client_id=1,
        status="finalized",
        issue_date=date.today() - timedelta(days=1),
        tax_mode=mode,
        currency=currency,
        subtotal=subtotal,
        tax_total=tax,
        total=total,
        origin="app",
        finalized_at=finalized,
        updated_at=finalized,
    )
    return lines, (subtotal, tax, total)


def add_credit_note(db, nid, invoice_id, mode, invoice_lines, rates, count):
    """A credit note of the invoice's first ``count`` lines, tax-inclusive as the app keeps them;
    its tax by the app's rule for tax-inclusive amounts."""
    lines = [(tax_inclusive_line(a, rates[r][1] if r else None, mode), r) for a, r in invoice_lines[:count]]
    for pos, (amount, rate_id) in enumerate(lines, start=1):
        insert(
            db,
            "billing.credit_note_lines",
            id=nid * 1000 + pos,
            credit_note_id=nid,
            description=f"credit {pos}",
            amount=amount,
            tax_rate_id=rate_id,
        )
    total = sum((a for a, _ in lines), D(0))
    finalized = NOW - timedelta(hours=2)
    insert(
        db,
        "billing.credit_notes",
        id=nid,
        tenant_id=1,
        number=f"CN-{nid:04d}",
        invoice_id=invoice_id,
        client_id=1,
        issue_date=NOW.date(),
        status="finalized",
        total=total,
        finalized_at=finalized,
        updated_at=finalized,
    )
    _, tax, _ = invoice_totals("inclusive", [(a, rates[r][1] if r else None, r) for a, r in lines])
    return lines, tax, total


def per_line_tax(lines, percent_of):
    """What QuickBooks computes by itself: each line's tax rounded, then summed."""
    codes = {rid: [Rate(str(rid), str(rid), p)] for rid, p in percent_of.items() if p is not None}
    return compute([(a, r if r in codes else None) for a, r in lines], D(0), TAX_EXCLUDED, codes).total_tax


def synced(db, run_id):
    return dict(
        ((e, s), st)
        for e, s, st in db.execute(
            "SELECT entity, source_id, status FROM qbo_sync.sync_log WHERE run_id = %s", (run_id,)
        ).fetchall()
    )


def in_books(client, entity, doc_number):
    rows = client.query(f"select * from {entity} where DocNumber = '{doc_number}'")
    assert len(rows) == 1, rows
    return rows[0]


def money(value):
    return D(str(value)).quantize(CENT)


UK_RATES = {1: ("Standard", D("0.2000")), 2: ("Reduced", D("0.0500")), 3: ("Zero", D("0.0000"))}
UK_MAP = {"Standard": "20.0% S", "Reduced": "5.0% R", "Zero": "0.0% Z"}


def test_uk_long_invoices_and_credit_notes_equal_the_app_to_the_cent(db, qbo_app, qbo_factory):
    tenant(db, qbo_app, "UK", "GBP", UK_RATES, UK_MAP)
    excl_lines, excl = add_invoice(db, 1, "exclusive", "GBP", (1, 2, 1, 3, 2, 1), UK_RATES, 33)
    incl_lines, incl = add_invoice(db, 2, "inclusive", "GBP", (2, 1, 1, 3, 2), UK_RATES, 32)
    cn1_lines, cn1_tax, cn1_total = add_credit_note(db, 1, 1, "exclusive", excl_lines, UK_RATES, 31)
    cn2_lines, cn2_tax, cn2_total = add_credit_note(db, 2, 2, "inclusive", incl_lines, UK_RATES, 30)
    percent = {rid: rate * 100 for rid, (_, rate) in UK_RATES.items()}
    # QuickBooks' own arithmetic would miss the app's tax on the exclusive invoice.
    assert per_line_tax(excl_lines, percent) != excl[1]

    run_once(db, window("tax-1"), qbo_factory)
    outcomes = synced(db, "tax-1")
    assert [outcomes[k] for k in (("invoice", 1), ("invoice", 2), ("credit_memo", 1), ("credit_memo", 2))] == [
        "synced"
    ] * 4
    with qbo_factory(1) as client:
        for number, (subtotal, tax, total), count in (("INV-0001", excl, 33), ("INV-0002", incl, 32)):
            invoice = in_books(client, "Invoice", number)
            assert money(invoice["TotalAmt"]) == total
            assert money(invoice["TxnTaxDetail"]["TotalTax"]) == tax
            sales = [ln for ln in invoice["Line"] if ln["DetailType"] == "SalesItemLineDetail"]
            assert len(sales) == count
            assert sum(money(ln["Amount"]) for ln in sales) == subtotal  # the app's subtotal, net of tax
        inclusive = in_books(client, "Invoice", "INV-0002")
        assert inclusive["GlobalTaxCalculation"] == "TaxInclusive"
        assert [
            money(ln["SalesItemLineDetail"]["TaxInclusiveAmt"])
            for ln in inclusive["Line"]
            if ln["DetailType"] == "SalesItemLineDetail"
        ] == [a for a, _ in incl_lines]
        for number, tax, total, count in (("CN-0001", cn1_tax, cn1_total, 31), ("CN-0002", cn2_tax, cn2_total, 30)):
            memo = in_books(client, "CreditMemo", number)
            assert money(memo["TotalAmt"]) == total
            assert money(memo["TxnTaxDetail"]["TotalTax"]) == tax
            assert len([ln for ln in memo["Line"] if ln["DetailType"] == "SalesItemLineDetail"]) == count
    # A second run sends nothing again and changes nothing.
    run_once(db, window("tax-2"), qbo_factory)
    again = synced(db, "tax-2")
    assert again.get(("invoice", 1)) in (None, "skipped") and again.get(("credit_memo", 1)) in (None, "skipped")
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 2
        assert client.count("select count(*) from CreditMemo") == 2


# The app's US rate is New York City's (8.88 %, kept to four places); the company is in
# California, so automated sales tax assigns California (8.25 %) to every invoice.
US_RATES = {1: ("Sales tax", D("0.0888")), 2: ("Non-taxable", D("0.0000"))}
US_MAP = {"Sales tax": "New York City", "Non-taxable": "NON"}
# What a US user links on an automated-sales-tax company: the pseudo codes every US company lists.
US_PSEUDO_MAP = {"Sales tax": "TAX", "Non-taxable": "NON"}


@pytest.mark.parametrize(
    "ast, tax_map",
    [(True, US_MAP), (True, US_PSEUDO_MAP), (False, US_MAP)],
    ids=["automated-sales-tax", "automated-sales-tax-linked-to-TAX", "manual-sales-tax"],
)
def test_us_company_keeps_the_app_tax(db, qbo_app, qbo_factory, ast, tax_map):
    company = tenant(db, qbo_app, "US", "USD", US_RATES, tax_map, preferences={"automated_sales_tax": ast})
    lines, (subtotal, tax, total) = add_invoice(db, 1, "exclusive", "USD", (1, 1, 2), US_RATES, 31)
    cn_lines, cn_tax, cn_total = add_credit_note(db, 1, 1, "exclusive", lines, US_RATES, 30)
    taxable = [(a, r) for a, r in lines if r == 1]
    # California's rate (what AST would charge by itself) and QuickBooks' per-line rounding
    # of the app's own rate both miss the app's tax.
    assert per_line_tax(taxable, {1: D("8.25")}) != tax
    assert per_line_tax(taxable, {1: D("8.88")}) != tax

    run_once(db, window("us-1"), qbo_factory)
    outcomes = synced(db, "us-1")
    assert outcomes[("invoice", 1)] == "synced" and outcomes[("credit_memo", 1)] == "synced"
    expected_code = company["tax_codes"]["California" if ast else "New York City"]
    with qbo_factory(1) as client:
        # What the validate step learns of the company's tax model, from its Preferences.
        facts = QuickBooksLookups(client.query).facts()
        assert facts.automated_sales_tax is ast and facts.apply_tax_after_discount is True
        invoice = in_books(client, "Invoice", "INV-0001")
        assert invoice["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == expected_code
        assert {
            ln["SalesItemLineDetail"]["TaxCodeRef"]["value"]
            for ln in invoice["Line"]
            if ln["DetailType"] == "SalesItemLineDetail"
        } == {"TAX", "NON"}
        assert money(invoice["TxnTaxDetail"]["TotalTax"]) == tax
        assert money(invoice["TotalAmt"]) == total == subtotal + tax
        memo = in_books(client, "CreditMemo", "CN-0001")
        assert money(memo["TxnTaxDetail"]["TotalTax"]) == cn_tax
        assert money(memo["TotalAmt"]) == cn_total
        assert memo["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == expected_code


def test_a_us_company_without_automated_sales_tax_needs_a_real_sales_tax_code(
    db, qbo_app, qbo_factory, database_url, monkeypatch
):
    """TAX only marks lines taxable; without automated sales tax QuickBooks needs the invoice's
    own sales tax code, so a rate linked to TAX fails before sending, with the fix; followed as
    written (the rate linked to the company's code), the invoice syncs with the app's tax."""
    import shlex

    from qbo_sync.tenants.__main__ import main as tenants_cli

    company = tenant(db, qbo_app, "US", "USD", US_RATES, US_PSEUDO_MAP, preferences={"automated_sales_tax": False})
    _lines, (_subtotal, tax, total) = add_invoice(db, 1, "exclusive", "USD", (1, 1, 2), US_RATES, 31)
    run_once(db, window("us-manual-1"), qbo_factory)
    code, fix = db.execute(
        "SELECT error_code, fix FROM qbo_sync.sync_log WHERE run_id = 'us-manual-1' AND entity = 'invoice'"
    ).fetchone()
    assert code == "us_tax_without_sales_tax_code"
    with qbo_factory(1) as client:
        assert client.count("select count(*) from Invoice") == 0
    command = fix.split("`")[1].replace("NAME --tax-code NAME", "'Sales tax' --tax-code 'New York City'")
    assert command.startswith("python -m qbo_sync.tenants map-tax --tenant-id 1")
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    assert tenants_cli(shlex.split(command)[3:]) == 0  # as typed, after `python -m qbo_sync.tenants`
    run_once(db, window("us-manual-2"), qbo_factory)
    with qbo_factory(1) as client:
        invoice = in_books(client, "Invoice", "INV-0001")
        assert invoice["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == company["tax_codes"]["New York City"]
        assert money(invoice["TxnTaxDetail"]["TotalTax"]) == tax and money(invoice["TotalAmt"]) == total
