"""Why the books differ, against the real database: QuickBooks' per-line tax rounding and US
automated sales tax are named as such; a tax difference that is neither is unexplained."""

from __future__ import annotations

from decimal import Decimal as D

from qbo_sync.reconcile import explain
from qbo_sync.reconcile.compare import Check, Difference
from support.rows import insert


def invoice_with_31_lines(db, tenant_id: int = 1) -> None:
    """31 lines of 1.59 at 12 %: the app rounds once (5.91), QuickBooks per line (31 x 0.19 = 5.89)."""
    insert(db, "billing.tenants", id=tenant_id, name="Practice")
    insert(db, "billing.tax_rates", id=1, tenant_id=tenant_id, name="HST", rate=D("0.1200"))
    insert(
        db,
        "billing.invoices",
        id=9,
        tenant_id=tenant_id,
        number="INV-9",
        status="finalized",
        subtotal=D("49.29"),
        tax_total=D("5.91"),
        total=D("55.20"),
        tax_mode="exclusive",
    )
    for n in range(31):
        insert(
            db,
            "billing.invoice_lines",
            id=900 + n,
            invoice_id=9,
            position=n + 1,
            amount=D("1.59"),
            tax_rate_id=1,
            quantity=D(1),
            unit_price=D("1.59"),
        )


def tax_check(qbo_tax: str) -> Check:
    delta = D(qbo_tax) - D("5.91")
    return Check(
        "invoice",
        9,
        "INV-9",
        "90",
        D("55.20"),
        [
            Difference("TotalAmt", "55.20", f"{D('55.20') + delta:.2f}"),
            Difference("TotalTax", "5.91", qbo_tax),
        ],
    )


def test_per_line_rounding_is_named(db):
    invoice_with_31_lines(db)
    check = tax_check("5.89")
    explain.explain(db, 1, [check])
    assert check.verdict == "explained"
    assert check.explanation.startswith(
        "QuickBooks rounds tax per line (5.89) where the app rounds once per tax rate (5.91)"
    )


def test_automated_sales_tax_is_named_on_a_us_company(db):
    invoice_with_31_lines(db)
    insert(db, "qbo_sync.tenant_settings", tenant_id=1, region="US", tax_model="us_automated_sales_tax")
    check = tax_check("4.44")
    explain.explain(db, 1, [check])
    assert check.verdict == "explained" and "automated sales tax set the tax (4.44)" in check.explanation


def test_any_other_tax_difference_is_unexplained(db):
    invoice_with_31_lines(db)
    check = tax_check("4.44")  # neither per-line rounding nor a US company
    explain.explain(db, 1, [check])
    assert check.verdict == "unexplained" and "Nothing in the sync log explains it" in check.explanation
    # a tax difference does not explain a TotalAmt that moved by another amount
    odd = Check(
        "invoice",
        9,
        "INV-9",
        "90",
        D("55.20"),
        [Difference("TotalAmt", "55.20", "99.00"), Difference("TotalTax", "5.91", "5.89")],
    )
    explain.explain(db, 1, [odd])
    assert odd.verdict == "unexplained"
