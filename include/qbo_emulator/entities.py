"""Create, read, update, delete and void of QuickBooks entities, with QuickBooks' rules.

Every write validates completely before it changes anything, then commits synchronously
(no awaits), so two requests can never interleave inside a write.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from . import faults
from .config import EmulatorConfig
from .store import NAME_ENTITIES, Company
from .terms import apply_terms, default_term
from .tax import (
    CALCULATION_MODES, TAX_EXCLUDED, TAX_INCLUSIVE, US_NON_TAXABLE, US_TAXABLE, Rate, TaxOverrideError,
    AST_HOME_STATE, ast_code_name, compute, explicit_tax,
)
from .util import ZERO, money, parse_date, to_decimal

# The path segment (lower case) of each entity, as clients send it.
ENTITY_BY_PATH = {
    "customer": "Customer",
    "vendor": "Vendor",
    "employee": "Employee",
    "item": "Item",
    "taxcode": "TaxCode",
    "taxrate": "TaxRate",
    "account": "Account",
    "paymentmethod": "PaymentMethod",
    "term": "Term",
    "invoice": "Invoice",
    "creditmemo": "CreditMemo",
    "payment": "Payment",
    "preferences": "Preferences",
    "companyinfo": "CompanyInfo",
}
ENTITY_BY_LOWER = {name.lower(): name for name in ENTITY_BY_PATH.values()}

# Fields a client may send but QuickBooks computes (or owns) itself.
READ_ONLY = {
    "MetaData", "domain", "sparse", "SyncToken", "status",
    "TotalAmt", "Balance", "HomeBalance", "HomeTotalAmt", "RemainingCredit", "UnappliedAmt",
    "LinkedTxn", "FullyQualifiedName", "Level", "BalanceWithJobs", "CurrentBalance",
    "CurrentBalanceWithSubAccounts",
}
TOTAL_FIELDS_KEPT_FOR_PAYMENT = {"TotalAmt"}


@dataclass
class WriteContext:
    company: Company
    config: EmulatorConfig
    include: frozenset[str] = frozenset()
    # Records created earlier in the same batch: QuickBooks' batch items cannot see them.
    hidden: set[tuple[str, str]] = field(default_factory=set)

    def lookup(self, entity: str, record_id: Any) -> dict[str, Any] | None:
        if record_id is None:
            return None
        key = str(record_id)
        if (entity, key) in self.hidden:
            return None
        return self.company.records[entity].get(key)


Effect = Callable[[dict[str, Any]], None]


# --- helpers -----------------------------------------------------------------------------

def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as clients see it (bookkeeping keys dropped)."""
    return {key: value for key, value in record.items() if key[0] != "_"}


def ref_value(ref: Any) -> str | None:
    if isinstance(ref, dict):
        value = ref.get("value")
    else:
        value = ref
    if value is None or value == "":
        return None
    return str(value)


def clean(value: Any) -> Any:
    """Drop None and "" members: clients (python-quickbooks) send them for unset fields."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def check_length(record: dict[str, Any], key: str, maximum: int, element: str | None = None) -> None:
    value = record.get(key)
    if isinstance(value, str) and len(value) > maximum:
        raise faults.string_length(element or key, maximum, len(value))


def _bump(record: dict[str, Any], company: Company, create_time: str | None = None) -> None:
    now_ts = company.clock.time()
    stamp = company.fmt(now_ts)
    record["_updated"] = now_ts
    record["_seq"] = company.next_seq()
    record["MetaData"] = {"CreateTime": create_time or stamp, "LastUpdatedTime": stamp}


def touch(company: Company, record: dict[str, Any]) -> None:
    """A side effect changed ``record``: new SyncToken and LastUpdatedTime, as in QuickBooks."""
    record["SyncToken"] = str(int(record["SyncToken"]) + 1)
    _bump(record, company, record["MetaData"]["CreateTime"])


def check_closed_books(company: Company, *dates: Any) -> None:
    closed = company.closed_books_date()
    if closed is None:
        return
    for value in dates:
        parsed = parse_date(value) if not hasattr(value, "year") else value
        if parsed is not None and parsed <= closed:
            raise faults.closed_period()


# --- name lists: Customer, Vendor, Employee ------------------------------------------------

def _display_name(data: dict[str, Any], entity: str) -> str:
    display = data.get("DisplayName")
    if isinstance(display, str) and display.strip():
        return display.strip()
    parts = [data.get(key) for key in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")]
    person = " ".join(str(p).strip() for p in parts if isinstance(p, str) and p.strip())
    if person and (data.get("GivenName") or data.get("FamilyName")):
        return person
    company_name = data.get("CompanyName")
    if entity != "Employee" and isinstance(company_name, str) and company_name.strip():
        return company_name.strip()
    raise faults.no_name()


# A tab or a newline is refused in a name and its parts, like the colon in DisplayName
# (shared reference qbo-api.md, "Reported behaviours"; Intuit's Customer page says the same of
# DisplayName; the fault QuickBooks answers is unconfirmed: README).
_NAME_PARTS = ("DisplayName", "Title", "GivenName", "MiddleName", "FamilyName", "Suffix", "CompanyName",
               "PrintOnCheckName")


def _check_name_characters(record: dict[str, Any]) -> None:
    for key in _NAME_PARTS:
        value = record.get(key)
        if isinstance(value, str) and ("\t" in value or "\n" in value or "\r" in value):
            raise faults.business("The name cannot contain a tab or a new line.", key)


def _open_balance(company: Company, customer_id: str) -> Decimal:
    """What the customer owes: open invoices less unused credit memos and unapplied payments."""
    def mine(record: dict[str, Any]) -> bool:
        return ref_value(record.get("CustomerRef")) == customer_id and not record.get("_voided")

    owed = sum((Decimal(str(r.get("Balance", 0))) for r in company.records["Invoice"].values() if mine(r)), ZERO)
    credit = sum((Decimal(str(r.get("RemainingCredit", 0))) for r in company.records["CreditMemo"].values()
                  if mine(r)), ZERO)
    unapplied = sum((Decimal(str(r.get("UnappliedAmt", 0))) for r in company.records["Payment"].values()
                     if mine(r)), ZERO)
    return owed - credit - unapplied


# RFC 822 section 6.1 addr-spec, atoms only: local-part = word *("." word), domain =
# sub-domain *("." sub-domain). An atom is 1+ ASCII characters other than SPACE, controls and
# the specials ()<>@,;:\".[] - so spaces, a second @, commas (several addresses: refused, see
# README), an empty or trailing-dot part and non-ASCII letters all fail, as QuickBooks' fault
# 2210 cites this RFC. Quoted strings and domain literals are not accepted (unconfirmed).
_ATOM = r"[!#$%&'*+\-/=?^_`{|}~0-9A-Za-z]+"
_ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*")


def is_rfc822_address(address: str) -> bool:
    return _ADDR_SPEC.fullmatch(address) is not None


def build_person(ctx: WriteContext, entity: str, data: dict[str, Any],
                 old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    for key, maximum in (("GivenName", 100), ("FamilyName", 100), ("MiddleName", 100),
                         ("CompanyName", 100), ("DisplayName", 500), ("Title", 16), ("Suffix", 16),
                         ("PrintOnCheckName", 110), ("Notes", 2000)):
        check_length(record, key, maximum)
    email = record.get("PrimaryEmailAddr")
    if isinstance(email, dict) and isinstance(email.get("Address"), str) and len(email["Address"]) > 100:
        raise faults.string_length("PrimaryEmailAddr.Address", 100, len(email["Address"]))
    _check_name_characters(record)
    if isinstance(email, dict) and isinstance(email.get("Address"), str) and email["Address"] \
            and not is_rfc822_address(email["Address"]):
        raise faults.invalid_email(email["Address"])
    display = _display_name(record, entity)
    if ":" in display:
        raise faults.business("The name cannot contain a colon (:).", "DisplayName")
    owner = company.display_names.get(display.lower())
    if owner is not None and (old is None or owner != (entity, old["Id"])):
        raise faults.duplicate_name()
    record["DisplayName"] = display
    record.setdefault("PrintOnCheckName", display)
    record["Active"] = record.get("Active", True) is not False and record.get("Active") != "false"
    record["FullyQualifiedName"] = display
    record["domain"] = "QBO"
    record["sparse"] = False
    if entity == "Customer":
        parent_id = ref_value(record.get("ParentRef"))
        if parent_id is not None:
            parent = ctx.lookup("Customer", parent_id)
            if parent is None or not parent.get("Active", True):
                raise faults.invalid_reference("ParentRef")
            if old is not None and parent_id == old["Id"]:
                raise faults.business("A customer cannot be its own parent.", "ParentRef")
            record["ParentRef"] = {"value": parent["Id"]}
            record["Job"] = True
            record["Level"] = int(parent.get("Level", 0)) + 1
            record["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{display}"
        else:
            record.pop("ParentRef", None)
            record["Job"] = False
            record["Level"] = 0
        record["Balance"] = old.get("Balance", ZERO) if old else ZERO
        record["BalanceWithJobs"] = record["Balance"]
        if old is not None and old.get("Active", True) and not record["Active"]:
            if _open_balance(company, old["Id"]) != ZERO:
                raise faults.list_has_balance()  # quickbooks-ruby #390; qbo-api.md
        record.setdefault("Taxable", True)
        record["CurrencyRef"] = {"value": company.currency}
        record.setdefault("PreferredDeliveryMethod", "None")
    elif entity == "Vendor":
        record["Balance"] = old.get("Balance", ZERO) if old else ZERO
        record["CurrencyRef"] = {"value": company.currency}
    return record, []


# --- Item, Account, TaxCode ---------------------------------------------------------------

def _required_name(record: dict[str, Any]) -> str:
    name = record.get("Name")
    if not isinstance(name, str) or not name.strip():
        raise faults.required_param("Name")
    return name.strip()


def _check_unique(names: dict[str, str], name: str, old: dict[str, Any] | None, kind: str) -> None:
    """Name lists are unique case-insensitively; an update may keep its own name."""
    owner = names.get(name.lower())
    if owner is not None and (old is None or owner != old["Id"]):
        raise faults.duplicate_name(kind)

ITEM_TYPES = ("Service", "NonInventory", "Inventory", "Category")


def build_item(ctx: WriteContext, entity: str, data: dict[str, Any],
               old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    name = _required_name(record)
    check_length(record, "Name", 100)
    if ":" in name:
        raise faults.business("The name cannot contain a colon (:).", "Name")
    _check_unique(company.item_names, name, old, "item")
    item_type = record.get("Type") or "Service"
    if item_type not in ITEM_TYPES:
        raise faults.invalid_property(f"Property Name:Type specified is unsupported or invalid: {item_type}", "Type")
    for ref_key in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
        if ref_key in record:
            account = ctx.lookup("Account", ref_value(record[ref_key]))
            if account is None or not account.get("Active", True):
                raise faults.invalid_reference(ref_key)
            record[ref_key] = {"value": account["Id"], "name": account["Name"]}
    if item_type in ("Service", "NonInventory") and "IncomeAccountRef" not in record:
        income = company.get("Account", company.created_ids["income_account_id"])
        record["IncomeAccountRef"] = {"value": income["Id"], "name": income["Name"]}
    if "SalesTaxCodeRef" in record:
        code = ctx.lookup("TaxCode", ref_value(record["SalesTaxCodeRef"]))
        if code is None or not code.get("Active", True):
            raise faults.invalid_reference("SalesTaxCodeRef")
    price = to_decimal(record.get("UnitPrice"))
    record["UnitPrice"] = price if price is not None else ZERO
    record["Name"] = name
    record["Type"] = item_type
    record["FullyQualifiedName"] = name
    record["Active"] = record.get("Active", True) is not False
    record.setdefault("Taxable", False)
    record["domain"] = "QBO"
    record["sparse"] = False
    return record, []


ACCOUNT_CLASSIFICATION = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Accounts Receivable": "Asset",
    "Fixed Asset": "Asset", "Other Asset": "Asset", "Income": "Revenue", "Other Income": "Revenue",
    "Expense": "Expense", "Other Expense": "Expense", "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability", "Credit Card": "Liability", "Other Current Liability": "Liability",
    "Long Term Liability": "Liability", "Equity": "Equity",
}


def build_account(ctx: WriteContext, entity: str, data: dict[str, Any],
                  old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    name = _required_name(record)
    check_length(record, "Name", 100)
    account_type = record.get("AccountType")
    if not account_type:
        raise faults.required_param("AccountType")
    if account_type not in ACCOUNT_CLASSIFICATION:
        raise faults.invalid_property(f"Property Name:AccountType specified is unsupported or invalid: {account_type}",
                                      "AccountType")
    _check_unique(company.account_names, name, old, "account")
    record["Name"] = name
    record["FullyQualifiedName"] = name
    record["Classification"] = ACCOUNT_CLASSIFICATION[account_type]
    record["Active"] = record.get("Active", True) is not False
    record["CurrentBalance"] = old.get("CurrentBalance", ZERO) if old else ZERO
    record["CurrencyRef"] = {"value": company.currency}
    record["domain"] = "QBO"
    record["sparse"] = False
    return record, []


PAYMENT_METHOD_TYPES = ("CREDIT_CARD", "NON_CREDIT_CARD")


def build_payment_method(ctx: WriteContext, entity: str, data: dict[str, Any],
                         old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    name = _required_name(record)
    if len(name) > 31:
        raise faults.string_length("Name", 31, len(name))
    _check_unique(company.payment_method_names, name, old, "payment method")
    method_type = record.get("Type") or "NON_CREDIT_CARD"
    if method_type not in PAYMENT_METHOD_TYPES:
        raise faults.invalid_property(f"Property Name:Type specified is unsupported or invalid: {method_type}",
                                      "Type")
    record["Name"] = name
    record["Type"] = method_type
    record["Active"] = record.get("Active", True) is not False and record.get("Active") != "false"
    record["domain"] = "QBO"
    record["sparse"] = False
    return record, []


def build_tax_code(ctx: WriteContext, entity: str, data: dict[str, Any],
                   old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Effect]]:
    # Tax codes are made in QuickBooks' tax centre; through this API only Active may change
    # (the emulator's way to get an inactive code, which the seeds' tax errors need).
    if old is None:
        raise faults.unsupported_operation("Operation Create is not supported for TaxCode; use TaxService.")
    record = dict(old)
    if "Active" in data:
        record["Active"] = data["Active"] is not False and data["Active"] != "false"
    return record, []


# --- sales transactions: Invoice, CreditMemo -----------------------------------------------

def rates_of(company: Company, code: dict[str, Any]) -> list[Rate]:
    rates = []
    for detail in (code.get("SalesTaxRateList") or {}).get("TaxRateDetail", []):
        rate = company.get("TaxRate", ref_value(detail.get("TaxRateRef")))
        if rate is not None:
            rates.append(Rate(rate["Id"], rate["Name"], Decimal(str(rate["RateValue"]))))
    return rates


def _missing_tax_code_message(company: Company) -> str:
    tax_word = {"AU": "GST", "UK": "VAT"}.get(company.region, "tax")
    return f"Make sure all your transactions have a {tax_word} rate before you save."


def _check_doc_number(ctx: WriteContext, entity: str, record: dict[str, Any],
                      old: dict[str, Any] | None) -> None:
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
    others = sorted((i for i in holders if (old is None or i != old["Id"]) and (entity, i) not in ctx.hidden),
                    key=int)
    if others:
        raise faults.duplicate_doc_number(doc, entity, others[0])


def build_sales_txn(ctx: WriteContext, entity: str, data: dict[str, Any],
                    old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    us = company.region == "US"
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    lines_in = record.get("Line")
    if not lines_in or not isinstance(lines_in, list):
        raise faults.required_param("Line")

    customer_id = ref_value(record.get("CustomerRef"))
    if customer_id is None:
        raise faults.required_param("CustomerRef")
    customer = ctx.lookup("Customer", customer_id)
    if customer is None:
        raise faults.invalid_reference("CustomerRef")
    if not customer.get("Active", True):
        raise faults.invalid_sales_customer(customer_id)

    txn_date = record.get("TxnDate")
    parsed_date = parse_date(txn_date) if txn_date is not None else company.today()
    if parsed_date is None:
        raise faults.invalid_property(f"Property Name:TxnDate specified is unsupported or invalid: {txn_date}",
                                      "TxnDate")
    check_closed_books(company, parsed_date, old.get("TxnDate") if old else None)
    _check_doc_number(ctx, entity, record, old)
    check_length(record, "PrivateNote", 4000)
    memo = record.get("CustomerMemo")
    if isinstance(memo, dict) and isinstance(memo.get("value"), str) and len(memo["value"]) > 1000:
        raise faults.string_length("CustomerMemo", 1000, len(memo["value"]))

    mode = record.get("GlobalTaxCalculation") or TAX_EXCLUDED
    if mode not in CALCULATION_MODES:
        raise faults.invalid_property(
            f"Property Name:GlobalTaxCalculation specified is unsupported or invalid: {mode}",
            "GlobalTaxCalculation")

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
                    "Property Name:SalesItemLineDetail specified is unsupported or invalid",
                    "Line.SalesItemLineDetail")
            detail = dict(line.get("SalesItemLineDetail") or {})
            item = ctx.lookup("Item", ref_value(detail.get("ItemRef")) or default_item_id)
            if item is None or not item.get("Active", True):
                raise faults.invalid_reference("Line.SalesItemLineDetail.ItemRef")
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
                        "Line.SalesItemLineDetail.TaxInclusiveAmt")
                detail["TaxInclusiveAmt"] = money(inclusive_amt)
            if isinstance(line.get("Description"), str) and len(line["Description"]) > 4000:
                raise faults.string_length("Line.Description", 4000, len(line["Description"]))
            code = ref_value(detail.get("TaxCodeRef"))
            if us:
                code = code or US_NON_TAXABLE
                if code not in (US_TAXABLE, US_NON_TAXABLE):
                    raise faults.business(
                        f"Invalid tax code TaxCodeRef={code}: US lines take TAX or NON.",
                        "Line.SalesItemLineDetail.TaxCodeRef")
            else:
                if code is None:
                    raise faults.business(_missing_tax_code_message(company),
                                          "Line.SalesItemLineDetail.TaxCodeRef")
                tax_code = ctx.lookup("TaxCode", code)
                if tax_code is None or not tax_code.get("Active", True):
                    raise faults.business(
                        f"Invalid tax code TaxCodeRef={code}: the tax code does not exist or is inactive.",
                        "Line.SalesItemLineDetail.TaxCodeRef")
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
                f"Property Name:DetailType specified is unsupported or invalid: {detail_type}", "Line.DetailType")

    subtotal = sum((amount for amount, _ in sales), ZERO)
    discount = ZERO
    discount_line: dict[str, Any] | None = None
    if discount_in is not None:
        if not isinstance(discount_in.get("DiscountLineDetail") or {}, dict):
            raise faults.invalid_property("Property Name:DiscountLineDetail specified is unsupported or invalid",
                                          "Line.DiscountLineDetail")
        ddetail = dict(discount_in.get("DiscountLineDetail") or {})
        percent_based = is_true(ddetail.get("PercentBased"))
        if percent_based:
            percent = to_decimal(ddetail.get("DiscountPercent")) or ZERO
            discount = money(subtotal * percent / Decimal(100))
            ddetail["DiscountPercent"] = percent
        else:
            discount = money(to_decimal(discount_in.get("Amount")) or ZERO)
        if discount < ZERO or discount > subtotal:
            raise faults.business("The discount cannot be negative or larger than the subtotal.",
                                  "Line.DiscountLineDetail")
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
        # overrides the one sent (qbo-api.md "US sales tax: automated sales tax (AST)").
        txn_code_id = company.created_ids["tax_codes"][ast_code_name(record.get("ShipAddr"))]
    if txn_code_id is not None:
        txn_code = ctx.lookup("TaxCode", txn_code_id)
        if txn_code is None or not txn_code.get("Active", True):
            raise faults.invalid_reference("TxnTaxDetail.TxnTaxCodeRef")
        us_rates = rates_of(company, txn_code)
    rates_of_code: dict[str, list[Rate]] = {}
    if not us:
        for _, code in sales:
            if code not in rates_of_code:
                rates_of_code[code] = rates_of(company, company.get("TaxCode", code))
    try:
        result = compute(sales, discount, mode, rates_of_code, us=us, us_rates=us_rates, explicit=explicit,
                         apply_after_discount=bool(company.preferences.get("apply_tax_after_discount", True)))
    except TaxOverrideError as error:
        raise faults.business(str(error), "TxnTaxDetail") from None
    if mode == TAX_INCLUSIVE and not us:
        for out, inclusive in zip(sales_out, result.line_inclusive):
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
    record["CustomerRef"] = {"value": customer["Id"], "name": customer["DisplayName"]}
    record["TxnDate"] = parsed_date.isoformat()
    due = parse_date(record.get("DueDate"))
    if entity == "Invoice":  # terms: terms.py
        due = apply_terms(company, record, parsed_date, due)
    record["DueDate"] = (due or parsed_date).isoformat()
    record["CurrencyRef"] = {"value": company.currency}
    record["TotalAmt"] = result.total_amt
    if result.total_amt < ZERO:
        raise faults.business("The transaction total cannot be negative.")
    applied = old.get("_applied", ZERO) if old else ZERO
    if result.total_amt < applied:
        raise faults.business(
            f"The new total {result.total_amt} is less than the {applied} already applied to this transaction.")
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


# --- Payment ------------------------------------------------------------------------------

def _application_key(txn_type: str, txn_id: str) -> tuple[str, str]:
    return (txn_type, txn_id)


def build_payment(ctx: WriteContext, entity: str, data: dict[str, Any],
                  old: dict[str, Any] | None) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY or k in TOTAL_FIELDS_KEPT_FOR_PAYMENT}
    customer_id = ref_value(record.get("CustomerRef"))
    if customer_id is None:
        raise faults.required_param("CustomerRef")
    customer = ctx.lookup("Customer", customer_id)
    if customer is None:
        raise faults.invalid_reference("CustomerRef")
    if not customer.get("Active", True):
        raise faults.object_not_found(element="CustomerRef")
    total = to_decimal(record.get("TotalAmt"))
    if total is None:
        raise faults.required_param("TotalAmt")
    total = money(total)
    if total < ZERO:
        raise faults.business("The payment amount cannot be negative.", "TotalAmt")
    check_length(record, "PaymentRefNum", 21)
    check_length(record, "PrivateNote", 4000)
    if "DepositToAccountRef" in record:
        account = ctx.lookup("Account", ref_value(record["DepositToAccountRef"]))
        if account is None or not account.get("Active", True):
            raise faults.invalid_reference("DepositToAccountRef")
        record["DepositToAccountRef"] = {"value": account["Id"]}
    else:
        record["DepositToAccountRef"] = {"value": company.created_ids["undeposited_funds_account_id"]}
    if "PaymentMethodRef" in record:
        method = ctx.lookup("PaymentMethod", ref_value(record["PaymentMethodRef"]))
        if method is None or not method.get("Active", True):
            raise faults.invalid_reference("PaymentMethodRef")
        # QuickBooks answers the reference by id only: readers must look the name up.
        record["PaymentMethodRef"] = {"value": method["Id"]}
    txn_date = record.get("TxnDate")
    parsed_date = parse_date(txn_date) if txn_date is not None else company.today()
    if parsed_date is None:
        raise faults.invalid_property(f"Property Name:TxnDate specified is unsupported or invalid: {txn_date}",
                                      "TxnDate")
    check_closed_books(company, parsed_date, old.get("TxnDate") if old else None)

    previous: dict[tuple[str, str], Decimal] = dict(old.get("_applications", {})) if old else {}
    applications: dict[tuple[str, str], Decimal] = {}
    out_lines: list[dict[str, Any]] = []
    lines_in = record.get("Line") or []
    if not isinstance(lines_in, list) or not all(isinstance(line, dict) for line in lines_in):
        raise faults.invalid_property("Property Name:Line specified is unsupported or invalid", "Line")
    for line in lines_in:
        amount = to_decimal(line.get("Amount"))
        if amount is None:
            raise faults.required_param("Amount", "Line.Amount")
        amount = money(amount)
        if amount < ZERO:
            raise faults.business("A payment line amount cannot be negative.", "Line.Amount")
        links = line.get("LinkedTxn") or []
        if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
            raise faults.invalid_property("Property Name:LinkedTxn specified is unsupported or invalid",
                                          "Line.LinkedTxn")
        if not links:
            raise faults.required_param("LinkedTxn", "Line.LinkedTxn")
        out_links = []
        for link in links:
            txn_id = str(link.get("TxnId") or "")
            txn_type = link.get("TxnType")
            if not txn_id:
                raise faults.required_param("TxnId", "Line.LinkedTxn.TxnId")
            if txn_type not in ("Invoice", "CreditMemo"):
                raise faults.invalid_property(
                    f"Property Name:TxnType specified is unsupported or invalid: {txn_type}", "Line.LinkedTxn.TxnType")
            target = ctx.lookup(txn_type, txn_id)
            if target is None:
                raise faults.invalid_reference("Line.LinkedTxn.TxnId")
            if target["CustomerRef"]["value"] != customer["Id"]:
                raise faults.cannot_link(txn_id, txn_type)
            key = _application_key(txn_type, txn_id)
            applications[key] = applications.get(key, ZERO) + amount
            out_links.append({"TxnId": txn_id, "TxnType": txn_type})
        out = {k: v for k, v in line.items() if k != "LinkedTxn"}
        out["Amount"] = amount
        out["LinkedTxn"] = out_links
        out_lines.append(out)

    invoice_sum = ZERO
    credit_sum = ZERO
    for (txn_type, txn_id), amount in applications.items():
        target = company.records[txn_type][txn_id]
        open_amount = target["TotalAmt"] - target.get("_applied", ZERO) + previous.get((txn_type, txn_id), ZERO)
        if target.get("_voided"):
            open_amount = ZERO
        if amount > open_amount:
            what = "open balance" if txn_type == "Invoice" else "remaining credit"
            raise faults.business(
                f"The amount applied to {txn_type} {txn_id} ({amount}) exceeds its {what} ({open_amount}).",
                "Line.Amount")
        if txn_type == "Invoice":
            invoice_sum += amount
        else:
            credit_sum += amount
    if credit_sum > invoice_sum:
        raise faults.business("The credits applied exceed the invoices they are applied to.", "Line")
    if invoice_sum - credit_sum > total:
        raise faults.business("The amounts applied to transactions exceed the payment's TotalAmt.", "TotalAmt")

    record["Line"] = out_lines
    record["TotalAmt"] = total
    record["UnappliedAmt"] = total - (invoice_sum - credit_sum)
    record["CustomerRef"] = {"value": customer["Id"], "name": customer["DisplayName"]}
    record["TxnDate"] = parsed_date.isoformat()
    record["CurrencyRef"] = {"value": company.currency}
    record["_applications"] = applications
    record["_voided"] = False
    record["domain"] = "QBO"
    record["sparse"] = False

    def apply(payment: dict[str, Any]) -> None:
        _reapply(company, payment["Id"], previous, applications)

    return record, [apply]


def _reapply(company: Company, payment_id: str, previous: dict[tuple[str, str], Decimal],
             current: dict[tuple[str, str], Decimal]) -> None:
    """Move amounts applied by a payment from ``previous`` to ``current`` and touch targets."""
    for key in set(previous) | set(current):
        before = previous.get(key, ZERO)
        after = current.get(key, ZERO)
        if before == after:
            continue
        txn_type, txn_id = key
        target = company.records[txn_type].get(txn_id)
        if target is None:
            continue
        target["_applied"] = target.get("_applied", ZERO) - before + after
        _refresh_open_amount(target)
        links = [link for link in target.get("LinkedTxn", []) if link.get("TxnId") != payment_id
                 or link.get("TxnType") != "Payment"]
        if after > ZERO:
            links.append({"TxnId": payment_id, "TxnType": "Payment"})
        target["LinkedTxn"] = links
        touch(company, target)


def _refresh_open_amount(target: dict[str, Any]) -> None:
    open_amount = target["TotalAmt"] - target.get("_applied", ZERO)
    target["Balance"] = open_amount
    if "RemainingCredit" in target:
        target["RemainingCredit"] = open_amount


# --- registry ----------------------------------------------------------------------------

BUILDERS: dict[str, Callable[..., tuple[dict[str, Any], list[Effect]]]] = {
    "Customer": build_person,
    "Vendor": build_person,
    "Employee": build_person,
    "Item": build_item,
    "Account": build_account,
    "TaxCode": build_tax_code,
    "PaymentMethod": build_payment_method,
    "Invoice": build_sales_txn,
    "CreditMemo": build_sales_txn,
    "Payment": build_payment,
}
TRANSACTIONS = ("Invoice", "CreditMemo", "Payment")


def _index(company: Company, entity: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    if entity in NAME_ENTITIES:
        if old is not None:
            company.display_names.pop(old["DisplayName"].lower(), None)
        if new is not None:
            company.display_names[new["DisplayName"].lower()] = (entity, new["Id"])
    elif entity == "Item":
        if old is not None:
            company.item_names.pop(old["Name"].lower(), None)
        if new is not None:
            company.item_names[new["Name"].lower()] = new["Id"]
    elif entity == "Account":
        if old is not None:
            company.account_names.pop(old["Name"].lower(), None)
        if new is not None:
            company.account_names[new["Name"].lower()] = new["Id"]
    elif entity == "PaymentMethod":
        if old is not None:
            company.payment_method_names.pop(old["Name"].lower(), None)
        if new is not None:
            company.payment_method_names[new["Name"].lower()] = new["Id"]
    elif entity in ("Invoice", "CreditMemo"):
        index = company.doc_numbers[entity]
        if old is not None and old.get("DocNumber"):
            holders = index.get(old["DocNumber"])
            if holders is not None:
                holders.discard(old["Id"])
                if not holders:
                    del index[old["DocNumber"]]
        if new is not None and new.get("DocNumber"):
            index.setdefault(new["DocNumber"], set()).add(new["Id"])


def insert(company: Company, entity: str, record: dict[str, Any]) -> dict[str, Any]:
    """Store a new record (already validated): Id, SyncToken "0", MetaData, indexes."""
    record["Id"] = company.next_id(entity)
    record["SyncToken"] = "0"
    _bump(record, company)
    ordered = {"Id": record.pop("Id"), "SyncToken": record.pop("SyncToken"), **record}
    company.records[entity][ordered["Id"]] = ordered
    _index(company, entity, None, ordered)
    return ordered


def create(ctx: WriteContext, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    builder = BUILDERS.get(entity)
    if builder is None or entity == "TaxCode":
        raise faults.unsupported_operation(f"Operation Create is not supported for {entity}.")
    data = clean(data)
    data.pop("Id", None)
    record, effects = builder(ctx, entity, data, None)
    stored = insert(ctx.company, entity, record)
    for effect in effects:
        effect(stored)
    return stored


def _existing(ctx: WriteContext, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    record_id = data.get("Id")
    if record_id is None or record_id == "":
        raise faults.required_param("Id")
    record = ctx.lookup(entity, record_id)
    if record is None:
        deleted = str(record_id) in ctx.company.tombstones[entity]
        raise faults.object_not_found(deleted_txn=deleted)
    sync_token = data.get("SyncToken")
    if sync_token is None or sync_token == "":
        raise faults.required_param("SyncToken")
    if str(sync_token) != record["SyncToken"]:
        raise faults.stale_object()
    return record


def _replace(ctx: WriteContext, entity: str, old: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    company = ctx.company
    record["Id"] = old["Id"]
    record["SyncToken"] = str(int(old["SyncToken"]) + 1)
    _bump(record, company, old["MetaData"]["CreateTime"])
    ordered = {"Id": record.pop("Id"), "SyncToken": record.pop("SyncToken"), **record}
    _index(company, entity, old, ordered)
    company.records[entity][ordered["Id"]] = ordered
    return ordered


def update(ctx: WriteContext, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    builder = BUILDERS.get(entity)
    if builder is None:
        raise faults.unsupported_operation(f"Operation Update is not supported for {entity}.")
    sparse = is_true(data.get("sparse"))
    data = clean(data)
    old = _existing(ctx, entity, data)
    if old.get("_voided") and entity in TRANSACTIONS:
        raise faults.business(f"This {entity} has been voided and cannot be changed.")
    if sparse:
        merged = {k: v for k, v in old.items() if k[0] != "_"}
        merged.update(data)
    else:
        merged = dict(data)
    record, effects = builder(ctx, entity, merged, old)
    stored = _replace(ctx, entity, old, record)
    for effect in effects:
        effect(stored)
    return stored


def delete(ctx: WriteContext, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    if entity not in TRANSACTIONS:
        raise faults.unsupported_operation("Operation Delete is not supported.")
    company = ctx.company
    data = clean(data)
    old = _existing(ctx, entity, data)
    check_closed_books(company, old.get("TxnDate"))
    if entity in ("Invoice", "CreditMemo") and old.get("_applied", ZERO) > ZERO:
        what = "payments" if entity == "Invoice" else "transactions it is applied to"
        raise faults.business(
            f"This {entity} has linked {what} (LinkedTxn) and cannot be deleted. "
            "Void it instead, or delete the payments first.")
    if entity == "Payment":
        _reapply(company, old["Id"], old.get("_applications", {}), {})
    del company.records[entity][old["Id"]]
    _index(company, entity, old, None)
    now_ts = company.clock.time()
    company.tombstones[entity][old["Id"]] = {
        "Id": old["Id"],
        "_updated": now_ts,
        "_seq": company.next_seq(),
        "MetaData": {"CreateTime": old["MetaData"]["CreateTime"], "LastUpdatedTime": company.fmt(now_ts)},
    }
    return {"Id": old["Id"], "status": "Deleted", "domain": "QBO"}


def _voided_note(note: Any) -> str:
    return f"Voided - {note}" if isinstance(note, str) and note and not note.startswith("Voided") else (
        note if isinstance(note, str) and note.startswith("Voided") else "Voided")


def _voided_line(line: dict[str, Any]) -> dict[str, Any]:
    voided = {**line, "Amount": ZERO}
    detail = line.get("SalesItemLineDetail")
    if isinstance(detail, dict):
        voided["SalesItemLineDetail"] = {**detail, "Qty": ZERO, "UnitPrice": ZERO}
        if "TaxInclusiveAmt" in detail:
            voided["SalesItemLineDetail"]["TaxInclusiveAmt"] = ZERO
    return voided


def void(ctx: WriteContext, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """Void an Invoice (?operation=void) or a Payment (?operation=update&include=void)."""
    if entity not in ("Invoice", "Payment"):
        raise faults.unsupported_operation(f"Operation Void is not supported for {entity}.")
    company = ctx.company
    data = clean(data)
    old = _existing(ctx, entity, data)
    check_closed_books(company, old.get("TxnDate"))
    record = {k: v for k, v in old.items()}
    if entity == "Invoice":
        # Payments applied to the invoice stay, unapplied (QuickBooks unlinks them).
        for link in old.get("LinkedTxn", []):
            if link.get("TxnType") == "Payment":
                payment = company.records["Payment"].get(link["TxnId"])
                if payment is not None:
                    _unlink_from_payment(company, payment, "Invoice", old["Id"])
        # Amounts and quantities are zeroed (qbo-api.md, "Change data capture ... voids").
        record["Line"] = [_voided_line(line) for line in old["Line"]]
        record["TxnTaxDetail"] = {"TotalTax": ZERO, "TaxLine": []}
        record["TotalAmt"] = ZERO
        record["Balance"] = ZERO
        record["_applied"] = ZERO
        record["LinkedTxn"] = []
    else:
        _reapply(company, old["Id"], old.get("_applications", {}), {})
        record["Line"] = []
        record["TotalAmt"] = ZERO
        record["UnappliedAmt"] = ZERO
        record["_applications"] = {}
    record["PrivateNote"] = _voided_note(old.get("PrivateNote"))
    record["_voided"] = True
    current = company.records[entity][old["Id"]]  # may have been touched by the unlinking above
    record["SyncToken"] = current["SyncToken"]
    record["MetaData"] = current["MetaData"]
    record.pop("Id")
    record.pop("SyncToken")
    return _replace(ctx, entity, current, record)


def _unlink_from_payment(company: Company, payment: dict[str, Any], txn_type: str, txn_id: str) -> None:
    previous = dict(payment.get("_applications", {}))
    current = dict(previous)
    current.pop((txn_type, txn_id), None)
    # If the invoices left no longer absorb the credits, release the credits too.
    invoices = sum((a for (t, _), a in current.items() if t == "Invoice"), ZERO)
    credits = sum((a for (t, _), a in current.items() if t == "CreditMemo"), ZERO)
    if credits > invoices:
        current = {k: a for k, a in current.items() if k[0] == "Invoice"}
        credits = ZERO
    kept = {(t, i) for (t, i) in current}
    payment["Line"] = [
        {**line, "LinkedTxn": [l for l in line["LinkedTxn"] if (l["TxnType"], l["TxnId"]) in kept]}
        for line in payment.get("Line", [])
    ]
    payment["Line"] = [line for line in payment["Line"] if line["LinkedTxn"]]
    payment["_applications"] = current
    payment["UnappliedAmt"] = payment["TotalAmt"] - (invoices - credits)
    # The voided invoice itself is rewritten by the caller; touch the other targets.
    for key in set(previous) - set(current) - {(txn_type, txn_id)}:
        target = company.records[key[0]].get(key[1])
        if target is not None:
            target["_applied"] = target.get("_applied", ZERO) - previous[key]
            _refresh_open_amount(target)
            target["LinkedTxn"] = [l for l in target.get("LinkedTxn", [])
                                   if not (l.get("TxnType") == "Payment" and l.get("TxnId") == payment["Id"])]
            touch(company, target)
    touch(company, payment)


def read(ctx: WriteContext, entity: str, record_id: str) -> dict[str, Any]:
    record = ctx.lookup(entity, record_id)
    if record is None:
        deleted = record_id in ctx.company.tombstones.get(entity, {})
        raise faults.object_not_found(deleted_txn=deleted)
    return record


# --- Preferences and CompanyInfo (derived, not stored) --------------------------------------

def preferences_json(company: Company) -> dict[str, Any]:
    prefs = company.preferences
    body: dict[str, Any] = {
        "Id": "1",
        "SyncToken": "0",
        "SalesFormsPrefs": {
            "CustomTxnNumbers": bool(prefs["custom_txn_numbers"]),
            "AllowDiscount": True,
            "AllowDeposit": True,
            "DefaultDiscountAccount": company.created_ids.get("discount_account_id"),
            "ApplyTaxAfterDiscount": bool(prefs.get("apply_tax_after_discount", True)),
        },
        "AccountingInfoPrefs": {
            "BookCloseDate": prefs["closed_books_date"],
            "TrackDepartments": False,
            "ClassTrackingPerTxn": False,
        },
        "OtherPrefs": {"NameValue": [
            {"Name": "SalesFormsPrefs.DuplicateDocNumWarning",
             "Value": "true" if prefs["duplicate_doc_number_warning"] else "false"},
        ]},
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": company.region == "US"
                     and bool(prefs.get("automated_sales_tax", True))},
        "CurrencyPrefs": {"MultiCurrencyEnabled": bool(prefs.get("multicurrency", False)),
                          "HomeCurrency": {"value": company.currency}},
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": company.created_ids["create_time"],
                     "LastUpdatedTime": company.created_ids.get("prefs_updated", company.created_ids["create_time"])},
    }
    if not prefs["closed_books_date"]:
        body["AccountingInfoPrefs"].pop("BookCloseDate")
    term = default_term(company)
    if term is not None:
        body["SalesFormsPrefs"]["DefaultTerms"] = {"value": term["Id"]}
    return body


def company_info_json(company: Company) -> dict[str, Any]:
    return {
        "Id": company.realm_id,
        "SyncToken": "0",
        "CompanyName": f"Emulated {company.region} Company {company.realm_id[-4:]}",
        "LegalName": f"Emulated {company.region} Company {company.realm_id[-4:]}",
        "Country": company.country,
        "CompanyAddr": {"Country": company.country,
                        **({"CountrySubDivisionCode": AST_HOME_STATE} if company.region == "US" else {})},
        "SupportedLanguages": "en",
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": company.created_ids["create_time"],
                     "LastUpdatedTime": company.created_ids["create_time"]},
    }
