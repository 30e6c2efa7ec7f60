"""Invoices become QuickBooks Invoice JSON whose subtotal, tax and total equal the app's.

Tax: the app's tax goes out explicitly in TxnTaxDetail.TotalTax and every line is sent
tax-exclusive (tax-inclusive lines split into net + TaxInclusiveAmt): see transform/tax.py.

Why lines carry their discount inside the line rather than a QuickBooks discount line:
QuickBooks' DiscountLineDetail applies to the whole transaction and is spread across
tax codes pro rata, which gives a different tax than a per-line discount as soon as an
invoice mixes tax codes. A discounted line is therefore sent at its net amount, with
a unit price of net / quantity (QuickBooks checks Amount == Qty x UnitPrice to the
cent) and the discount spelled out in the description.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbo_sync.extract.records import Invoice, InvoiceLine
from qbo_sync.money import ZERO, cents
from qbo_sync.transform.adjustments import Adjustments, cut, noted
from qbo_sync.transform.tax import net_amounts, tax_by_rate, txn_tax_detail

DOC_NUMBER_MAX = 21  # DocNumber of an Invoice, CreditMemo or Purchase (Intuit's field rules)
DESCRIPTION_MAX = 4000
CUSTOMER_MEMO_MAX = 1000
UNIT_PRICE_PLACES = Decimal("0.0000001")  # QuickBooks keeps 7 decimals of a unit price

GLOBAL_TAX_CALCULATION = {
    "exclusive": "TaxExcluded",
    "inclusive": "TaxInclusive",
    "none": "NotApplicable",
}
US_TAXABLE, US_NON_TAXABLE = "TAX", "NON"


@dataclass(frozen=True)
class CompanyMapping:
    """What the tenant's settings say about its QuickBooks company."""

    region: str  # 'US' uses TAX/NON line codes and one transaction tax code
    service_item_id: str | None
    product_item_id: str | None
    tax_codes: dict[int, str]  # app tax_rate_id -> QuickBooks TaxCode Id
    no_tax_code: str | None = None  # non-US: the code for lines without tax
    rates: dict[int, Decimal] = field(default_factory=dict)  # app tax_rate_id -> rate (0.1000 = 10 %)
    # Item policy 'match' / 'create' (qbo_sync.items): catalog item id -> QuickBooks Item Id;
    # a line whose catalog item is not here posts to the default item of its kind.
    line_items: dict[int, str] = field(default_factory=dict)


def private_note_tag(entity: str, source_id: int) -> str:
    """Our mark on every transaction we create: lets us find it again after a lost answer."""
    return f"[qbo-sync {entity} {source_id}]"


def line_description(line: InvoiceLine, adjustments: Adjustments | None = None) -> str:
    parts = []
    name = (line.item_name or "").strip()
    text = " ".join((line.description or "").split())
    if name:
        parts.append(name)
    if text and text != name:
        parts.append(text)
    if line.discount_kind == "percent" and line.discount_value:
        parts.append(f"({line.discount_value.normalize():f}% discount)")
    elif line.discount_kind == "fixed" and line.discount_value:
        parts.append(f"({cents(line.discount_value)} discount)")
    result = " - ".join(parts[:2]) + (" " + " ".join(parts[2:]) if len(parts) > 2 else "")
    return cut(result, DESCRIPTION_MAX, f"line {line.position} description", adjustments, marker="…")


def qty_and_unit_price(
    line: InvoiceLine, amount: Decimal | None = None, adjustments: Adjustments | None = None
) -> tuple[Decimal, Decimal]:
    """Quantity and unit price whose product rounds to ``amount`` (default: the line's amount)."""
    qty = line.quantity
    amount = line.amount if amount is None else amount
    if not line.discount_kind and cents(qty * line.unit_price) == amount:
        return qty, line.unit_price
    if qty:
        unit = (amount / qty).quantize(UNIT_PRICE_PLACES)
        if cents(qty * unit) == amount:
            return qty, unit
    # A quantity that cannot carry the amount exactly: one unit at the net amount.
    noted(
        f"line {line.position} sent as quantity 1 at {amount} (its quantity {qty:f} x a "
        "unit price of at most 7 decimals cannot make its amount, as QuickBooks checks)",
        adjustments,
    )
    return Decimal(1), amount


def line_tax_code(line: InvoiceLine, mapping: CompanyMapping, tax_mode: str | None = None) -> str | None:
    if line.tax_rate_id is None or tax_mode == "none":
        # QuickBooks outside the US wants a code on every line, even an untaxed one.
        return None if mapping.region == "US" else mapping.no_tax_code
    code = mapping.tax_codes.get(line.tax_rate_id)
    if mapping.region == "US" and code is not None:
        return US_NON_TAXABLE if code == US_NON_TAXABLE else US_TAXABLE
    return code


def us_transaction_tax_code(invoice: Invoice, mapping: CompanyMapping) -> str | None:
    """The one sales tax code of a US invoice (validation ensures there is at most one). TAX
    and NON only mark lines: a rate linked to TAX sends none, automated sales tax assigns it."""
    codes = {mapping.tax_codes.get(ln.tax_rate_id) for ln in invoice.lines if ln.tax_rate_id}
    codes -= {None, US_TAXABLE, US_NON_TAXABLE}
    return next(iter(sorted(codes)), None)


def exclusive_amounts(invoice: Invoice, ordered: list[InvoiceLine], mapping: CompanyMapping) -> list[Decimal]:
    """Each line's tax-exclusive amount; for 'inclusive', the app's amount less its share of
    the app's tax, so that the amounts add up to the app's subtotal."""
    if invoice.tax_mode != "inclusive":
        return [line.amount for line in ordered]
    taxed = [(line.amount, line.tax_rate_id) for line in ordered]
    tax_total = invoice.tax_total or ZERO
    tax = tax_by_rate(taxed, invoice.tax_mode, mapping.rates)
    if tax is None or sum(tax.values(), ZERO) != tax_total:
        # Not the app's arithmetic (validation stops such invoices): spread the stored tax.
        taxed = [(amount, None if rate_id is None else 0) for amount, rate_id in taxed]
        tax = {0: tax_total}
    return net_amounts(taxed, tax)


def invoice_payload(
    invoice: Invoice, *, customer_qbo_id: str, mapping: CompanyMapping, adjustments: Adjustments | None = None
) -> dict[str, Any]:
    """The Invoice JSON; what had to change for QuickBooks is added to ``adjustments``."""
    lines = []
    ordered = sorted(invoice.lines, key=lambda ln: (ln.position, ln.id))
    for line, net in zip(ordered, exclusive_amounts(invoice, ordered, mapping), strict=False):
        qty, unit = qty_and_unit_price(line, net, adjustments)
        item = mapping.line_items.get(line.item_id) if line.item_id is not None else None
        if item is None:
            item = mapping.product_item_id if line.item_kind == "product" else mapping.service_item_id
        detail: dict[str, Any] = {
            "ItemRef": {"value": item},
            "Qty": qty,
            "UnitPrice": unit,
        }
        code = line_tax_code(line, mapping, invoice.tax_mode)
        if mapping.region == "US" and (code is None or invoice.tax_mode == "none"):
            code = US_NON_TAXABLE
        if code is not None:
            detail["TaxCodeRef"] = {"value": code}
        if invoice.tax_mode == "inclusive" and mapping.region != "US":
            detail["TaxInclusiveAmt"] = line.amount
        lines.append(
            {
                "DetailType": "SalesItemLineDetail",
                "LineNum": line.position,
                "Amount": net,
                "Description": line_description(line, adjustments),
                "SalesItemLineDetail": detail,
            }
        )
    payload: dict[str, Any] = {
        "DocNumber": invoice.number,
        "TxnDate": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "CustomerRef": {"value": customer_qbo_id},
        "Line": lines,
        "PrivateNote": private_note_tag("invoice", invoice.id),
    }
    if invoice.due_date:
        payload["DueDate"] = invoice.due_date.isoformat()
    if invoice.notes:
        payload["CustomerMemo"] = {
            "value": cut(invoice.notes, CUSTOMER_MEMO_MAX, "invoice notes (the message on the invoice)", adjustments)
        }
    tax_total = invoice.tax_total or ZERO
    if mapping.region == "US":
        txn_code = us_transaction_tax_code(invoice, mapping)
        if txn_code or tax_total:
            payload["TxnTaxDetail"] = txn_tax_detail(tax_total, txn_code)
    else:
        payload["GlobalTaxCalculation"] = GLOBAL_TAX_CALCULATION.get(invoice.tax_mode or "", "NotApplicable")
        if invoice.tax_mode in ("exclusive", "inclusive"):
            payload["TxnTaxDetail"] = txn_tax_detail(tax_total)
    return payload


def payload_hash(payload: dict[str, Any]) -> str:
    """Stable across runs: unchanged records are skipped, changed ones updated."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
