"""Sales transactions: Invoice and CreditMemo (lines, discount, tax, terms, DocNumber), and
what a void leaves of them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import faults
from ..currency import home_total, txn_currency
from ..store import Company
from ..tax import (
    CALCULATION_MODES,
    TAX_EXCLUDED,
    TAX_INCLUSIVE,
    US_NON_TAXABLE,
    US_TAXABLE,
    Rate,
    TaxOverrideError,
    ast_code_name,
    compute,
    explicit_tax,
)
from ..terms import apply_terms
from ..util import ZERO, money, parse_date, to_decimal
from .common import READ_ONLY, Effect, WriteContext, check_closed_books, check_length, is_true, ref_value
from .taxcodes import rates_of
from .tracking import track_sales_txn


def _missing_tax_code_message(company: Company) -> str:
    tax_word = {"AU": "GST", "UK": "VAT"}.get(company.region, "tax")
    return f"Make sure all your transactions have a {tax_word} rate before you save."


def _check_doc_number(ctx: WriteContext, entity: str, record: dict[str, Any], old: dict[str, Any] | None) -> None:
    company = ctx.company
    doc = record.get("DocNumber")
    if doc is None:
        if old is None and not company.preferences["custom_txn_numbers"]:
            record["DocNumber"] = company.next_doc_number()
        return
    doc = str(doc)
    record["DocNumber"] = doc
    if len(doc) > 21:
        raise faults.string_length("DocNumber", 21, len(doc))
    prefs = company.preferences
    if not (prefs["custom_txn_numbers"] and prefs["duplicate_doc_number_warning"]):
        return
    if "allowduplicatedocnum" in ctx.include:
        return
    holders = company.doc_numbers[entity].get(doc, set())
    others = sorted((i for i in holders if (old is None or i != old["Id"]) and (entity, i) not in ctx.hidden), key=int)
    if others:
        raise faults.duplicate_doc_number(doc, entity, others[0])


def build_sales_txn(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    us = company.region == "US"
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    lines_in = record.get("Line")
    if not lines_in or not isinstance(lines_in, list):
        raise faults.required_param("Line")

    customer_id = ref_value(record.get("CustomerRef"))
    customer = None
    if customer_id is None and entity != "RefundReceipt":  # optional on a RefundReceipt (refunds.py)
        raise faults.required_param("CustomerRef")
    if customer_id is not None:
        customer = ctx.lookup("Customer", customer_id)
        if customer is None:
            raise faults.invalid_reference("CustomerRef")
        if not customer.get("Active", True):
            raise faults.invalid_sales_customer(customer_id)
    if old is not None and customer is not None and ref_value(old.get("CustomerRef")) != customer["Id"]:
        # A payment links only its own customer's transactions (620, TxnID Cannot Be Linked:
        # qbo-api.md "Field rules"). Moving a transaction that payments are applied to onto
        # another customer would leave them linked across customers, so it is refused with the
        # same fault (unconfirmed: Intuit documents no answer for this update; QuickBooks'
        # screens ask to unapply the payments first). The payments must be moved or unapplied first.
        for link in old.get("LinkedTxn", []):
            if link.get("TxnType") == "Payment":
                raise faults.cannot_link(str(link.get("TxnId")), "Payment")

    txn_date = record.get("TxnDate")
    parsed_date = parse_date(txn_date) if txn_date is not None else company.today()
    if parsed_date is None:
        raise faults.invalid_property(
            f"Property Name:TxnDate specified is unsupported or invalid: {txn_date}", "TxnDate"
        )
    check_closed_books(company, parsed_date, old.get("TxnDate") if old else None)
    _check_doc_number(ctx, entity, record, old)
    check_length(record, "PrivateNote", 4000)
    memo = record.get("CustomerMemo")
    if isinstance(memo, dict) and isinstance(memo.get("value"), str) and len(memo["value"]) > 1000:
        raise faults.string_length("CustomerMemo", 1000, len(memo["value"]))

    mode = record.get("GlobalTaxCalculation") or TAX_EXCLUDED
    if mode not in CALCULATION_MODES:
        raise faults.invalid_property(
            f"Property Name:GlobalTaxCalculation specified is unsupported or invalid: {mode}", "GlobalTaxCalculation"
        )

    default_item_id = company.created_ids["service_item_id"]
    out_lines: list[dict[str, Any]] = []
    sales: list[tuple[Decimal, str | None]] = []
    sales_out: list[dict[str, Any]] = []  # the stored sales lines, in the order of ``sales``
    discount_in: dict[str, Any] | None = None
    for line in lines_in:
        if not isinstance(line, dict):
            raise faults.invalid_property("Property Name:Line specified is unsupported or invalid", "Line")
        detail_type = line.get("DetailType")
        if detail_type == "SalesItemLineDetail":
            if not isinstance(line.get("SalesItemLineDetail") or {}, dict):
                raise faults.invalid_property(
                    "Property Name:SalesItemLineDetail specified is unsupported or invalid", "Line.SalesItemLineDetail"
                )
            detail = dict(line.get("SalesItemLineDetail") or {})
            item = ctx.lookup("Item", ref_value(detail.get("ItemRef")) or default_item_id)
            if item is None or not item.get("Active", True):
                raise faults.invalid_reference("Line.SalesItemLineDetail.ItemRef")
            if item.get("Type") == "Category":  # consolibyte/quickbooks-php #178
                raise faults.fault(
                    "2500",
                    "Invalid Reference Id",
                    "Invalid Reference Id : Categories cannot be used in transactions.",
                    "Line.SalesItemLineDetail.ItemRef",
                )
            qty = to_decimal(detail.get("Qty"))
            price = to_decimal(detail.get("UnitPrice"))
            amount = to_decimal(line.get("Amount"))
            if amount is None:
                if qty is None or price is None:
                    raise faults.required_param("Amount", "Line.Amount")
                amount = money(qty * price)
            elif qty and price and money(qty * price) != money(amount):
                # Both given and non-zero must agree; zero defaults (python-quickbooks) are "unset".
                raise faults.amount_mismatch(float(amount))
            if "TaxInclusiveAmt" in detail:  # the line's gross; kept as sent (tax.py docstring)
                inclusive_amt = to_decimal(detail["TaxInclusiveAmt"])
                if inclusive_amt is None:
                    raise faults.invalid_property(
                        "Property Name:TaxInclusiveAmt specified is unsupported or invalid",
                        "Line.SalesItemLineDetail.TaxInclusiveAmt",
                    )
                detail["TaxInclusiveAmt"] = money(inclusive_amt)
            if isinstance(line.get("Description"), str) and len(line["Description"]) > 4000:
                raise faults.string_length("Line.Description", 4000, len(line["Description"]))
            code = ref_value(detail.get("TaxCodeRef"))
            if us:
                code = code or US_NON_TAXABLE
                if code not in (US_TAXABLE, US_NON_TAXABLE):
                    raise faults.business(
                        f"Invalid tax code TaxCodeRef={code}: US lines take TAX or NON.",
                        "Line.SalesItemLineDetail.TaxCodeRef",
                    )
            else:
                if code is None:
                    raise faults.business(_missing_tax_code_message(company), "Line.SalesItemLineDetail.TaxCodeRef")
                tax_code = ctx.lookup("TaxCode", code)
                if tax_code is None or not tax_code.get("Active", True):
                    raise faults.business(
                        f"Invalid tax code TaxCodeRef={code}: the tax code does not exist or is inactive.",
                        "Line.SalesItemLineDetail.TaxCodeRef",
                    )
            detail["ItemRef"] = {"value": item["Id"], "name": item["Name"]}
            detail["TaxCodeRef"] = {"value": code}
            if qty is not None:
                detail["Qty"] = qty
            if price is not None:
                detail["UnitPrice"] = price
            out = {k: v for k, v in line.items() if k not in ("Id", "LineNum", "LinkedTxn")}
            out["Amount"] = money(amount)
            out["SalesItemLineDetail"] = detail
            out_lines.append(out)
            sales.append((money(amount), code))
            sales_out.append(out)
        elif detail_type == "DiscountLineDetail":
            discount_in = line
        elif detail_type in ("SubTotalLineDetail", "SubtotalLineDetail"):
            continue  # recomputed below
        elif detail_type == "DescriptionOnly":
            out = {k: v for k, v in line.items() if k not in ("Id", "LineNum", "LinkedTxn")}
            out["Amount"] = money(to_decimal(line.get("Amount")) or ZERO)
            out_lines.append(out)
        elif detail_type is None:
            raise faults.required_param("DetailType", "Line.DetailType")
        else:
            raise faults.invalid_property(
                f"Property Name:DetailType specified is unsupported or invalid: {detail_type}", "Line.DetailType"
            )

    track_sales_txn(ctx, record, sales_out)  # ClassRef, DepartmentRef: tracking.py
    subtotal = sum((amount for amount, _ in sales), ZERO)
    discount = ZERO
    discount_line: dict[str, Any] | None = None
    if discount_in is not None:
        if not isinstance(discount_in.get("DiscountLineDetail") or {}, dict):
            raise faults.invalid_property(
                "Property Name:DiscountLineDetail specified is unsupported or invalid", "Line.DiscountLineDetail"
            )
        ddetail = dict(discount_in.get("DiscountLineDetail") or {})
        percent_based = is_true(ddetail.get("PercentBased"))
        if percent_based:
            percent = to_decimal(ddetail.get("DiscountPercent")) or ZERO
            discount = money(subtotal * percent / Decimal(100))
            ddetail["DiscountPercent"] = percent
        else:
            discount = money(to_decimal(discount_in.get("Amount")) or ZERO)
        if discount < ZERO or discount > subtotal:
            raise faults.business(
                "The discount cannot be negative or larger than the subtotal.", "Line.DiscountLineDetail"
            )
        ddetail["PercentBased"] = percent_based
        ddetail.setdefault("DiscountAccountRef", {"value": company.created_ids["discount_account_id"]})
        discount_line = {"Amount": discount, "DetailType": "DiscountLineDetail", "DiscountLineDetail": ddetail}

    us_rates: list[Rate] | None = None
    txn_tax_in = record.get("TxnTaxDetail") if isinstance(record.get("TxnTaxDetail"), dict) else {}
    # A sparse update carries the stored (calculated) detail along: that is no override.
    carried = old is not None and txn_tax_in is old.get("TxnTaxDetail") and not old.get("_explicit_tax")
    explicit = None if carried else explicit_tax(txn_tax_in)
    txn_code_id = ref_value(txn_tax_in.get("TxnTaxCodeRef")) if us else None
    if us and company.preferences.get("automated_sales_tax"):
        # AST picks the transaction's code from the ship-to (else the company's) address and
        # overrides the one sent (Intuit's API reference "US sales tax: automated sales tax (AST)").
        txn_code_id = company.created_ids["tax_codes"][ast_code_name(record.get("ShipAddr"))]
    if txn_code_id is not None:
        txn_code = ctx.lookup("TaxCode", txn_code_id)
        # TAX and NON say whether a line is taxable; the transaction's code is a tax group.
        if txn_code is None or not txn_code.get("Active", True) or txn_code_id in (US_TAXABLE, US_NON_TAXABLE):
            raise faults.invalid_reference("TxnTaxDetail.TxnTaxCodeRef")
        us_rates = rates_of(company, txn_code)
    rates_of_code: dict[str, list[Rate]] = {}
    if not us:
        for _, code in sales:
            if code not in rates_of_code:
                rates_of_code[code] = rates_of(company, company.get("TaxCode", code))
    try:
        result = compute(
            sales,
            discount,
            mode,
            rates_of_code,
            us=us,
            us_rates=us_rates,
            explicit=explicit,
            apply_after_discount=bool(company.preferences.get("apply_tax_after_discount", True)),
        )
    except TaxOverrideError as error:
        raise faults.business(str(error), "TxnTaxDetail") from None
    if mode == TAX_INCLUSIVE and not us:
        for out, inclusive in zip(sales_out, result.line_inclusive, strict=False):
            out["SalesItemLineDetail"].setdefault("TaxInclusiveAmt", inclusive)

    numbered: list[dict[str, Any]] = []
    for index, line in enumerate(out_lines, start=1):
        numbered.append({"Id": str(index), "LineNum": index, **line})
    numbered.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    if discount_line is not None:
        numbered.append(discount_line)
    record["Line"] = numbered
    txn_tax = {"TotalTax": result.total_tax, "TaxLine": result.tax_lines}
    if txn_code_id is not None:
        txn_tax = {"TxnTaxCodeRef": {"value": txn_code_id}, **txn_tax}
    record["TxnTaxDetail"] = txn_tax
    record["_explicit_tax"] = explicit is not None and explicit.given
    if us:
        record.pop("GlobalTaxCalculation", None)
    else:
        record["GlobalTaxCalculation"] = mode
    if customer is not None:
        record["CustomerRef"] = {"value": customer["Id"], "name": customer["DisplayName"]}
    record["TxnDate"] = parsed_date.isoformat()
    due = parse_date(record.get("DueDate"))
    if entity == "Invoice":  # terms: terms.py
        due = apply_terms(company, record, parsed_date, due)
    record["DueDate"] = (due or parsed_date).isoformat()
    txn_currency(company, entity, record, customer, parsed_date)
    record["TotalAmt"] = result.total_amt
    home_total(company, record)
    if result.total_amt < ZERO:
        raise faults.business("The transaction total cannot be negative.")
    applied = old.get("_applied", ZERO) if old else ZERO
    if result.total_amt < applied:
        raise faults.business(
            f"The new total {result.total_amt} is less than the {applied} already applied to this transaction."
        )
    record["_applied"] = applied
    record["_voided"] = False
    if entity == "CreditMemo":
        record["RemainingCredit"] = result.total_amt - applied
        record["Balance"] = result.total_amt - applied
    else:
        record["Balance"] = result.total_amt - applied
        record["Deposit"] = ZERO
    record["LinkedTxn"] = list(old.get("LinkedTxn", [])) if old else []
    record["domain"] = "QBO"
    record["sparse"] = False
    return record, []


def voided_note(note: Any) -> str:
    return (
        f"Voided - {note}"
        if isinstance(note, str) and note and not note.startswith("Voided")
        else (note if isinstance(note, str) and note.startswith("Voided") else "Voided")
    )


def voided_line(line: dict[str, Any]) -> dict[str, Any]:
    voided = {**line, "Amount": ZERO}
    detail = line.get("SalesItemLineDetail")
    if isinstance(detail, dict):
        voided["SalesItemLineDetail"] = {**detail, "Qty": ZERO, "UnitPrice": ZERO}
        if "TaxInclusiveAmt" in detail:
            voided["SalesItemLineDetail"]["TaxInclusiveAmt"] = ZERO
    return voided
