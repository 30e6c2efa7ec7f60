"""Item, Account and PaymentMethod: lists with a unique Name."""

from __future__ import annotations

from typing import Any

from .. import faults
from ..currency import enabled as currency_enabled
from ..util import ZERO, to_decimal
from .common import READ_ONLY, Effect, WriteContext, check_length, check_unique, ref_value, required_name

ITEM_TYPES = ("Service", "NonInventory", "Inventory", "Category")
# Intuit, Item entity: IncomeAccountRef is required for Service and Inventory items. For
# NonInventory the reference does not say (UNCONFIRMED): accepted without one, as before.
NEEDS_INCOME_ACCOUNT = ("Service", "Inventory")
SKU_MAX = 100


def build_item(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    name = required_name(record)
    check_length(record, "Name", 100)
    if ":" in name:
        raise faults.business("The name cannot contain a colon (:).", "Name")
    if "\t" in name or "\n" in name:  # Intuit: no tab or new line in Name (fault wording UNCONFIRMED)
        raise faults.business("The name cannot contain a tab or a new line.", "Name")
    check_unique(company.item_names, name, old, "item")
    if old is None and not record.get("Type"):
        raise faults.required_param("Type")  # required on create from minorversion 4 (Intuit)
    item_type = record.get("Type") or old.get("Type") or "Service"
    if record.get("Sku") is not None:
        check_length(record, "Sku", SKU_MAX)
    if item_type not in ITEM_TYPES:
        raise faults.invalid_property(f"Property Name:Type specified is unsupported or invalid: {item_type}", "Type")
    for ref_key in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
        if ref_key in record:
            account = ctx.lookup("Account", ref_value(record[ref_key]))
            if account is None or not account.get("Active", True):
                raise faults.invalid_reference(ref_key)
            record[ref_key] = {"value": account["Id"], "name": account["Name"]}
    if item_type in NEEDS_INCOME_ACCOUNT and "IncomeAccountRef" not in record:
        if old is None or "IncomeAccountRef" not in old:
            raise faults.required_param("IncomeAccountRef")
        record["IncomeAccountRef"] = old["IncomeAccountRef"]
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
    "Bank": "Asset",
    "Other Current Asset": "Asset",
    "Accounts Receivable": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Income": "Revenue",
    "Other Income": "Revenue",
    "Expense": "Expense",
    "Other Expense": "Expense",
    "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Other Current Liability": "Liability",
    "Long Term Liability": "Liability",
    "Equity": "Equity",
}


def build_account(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    name = required_name(record)
    check_length(record, "Name", 100)
    account_type = record.get("AccountType")
    if not account_type:
        raise faults.required_param("AccountType")
    if account_type not in ACCOUNT_CLASSIFICATION:
        raise faults.invalid_property(
            f"Property Name:AccountType specified is unsupported or invalid: {account_type}", "AccountType"
        )
    check_unique(company.account_names, name, old, "account")
    record["Name"] = name
    record["FullyQualifiedName"] = name
    record["Classification"] = ACCOUNT_CLASSIFICATION[account_type]
    record["Active"] = record.get("Active", True) is not False
    record["CurrentBalance"] = old.get("CurrentBalance", ZERO) if old else ZERO
    record["CurrencyRef"] = account_currency(company, account_type, record.get("CurrencyRef"), old)
    record["domain"] = "QBO"
    record["sparse"] = False
    return record, []


# qbo-api.md "Multicurrency": one currency per bank, credit card, A/R and A/P account; income
# and expense accounts (and the rest) are always in the home currency.
CURRENCY_ACCOUNTS = ("Bank", "Credit Card", "Accounts Receivable", "Accounts Payable")


def account_currency(company: Any, account_type: str, wanted: Any, old: dict[str, Any] | None) -> dict[str, str]:
    """An account's CurrencyRef: fixed at creation (like a customer's), the home currency when
    omitted; another currency only on a bank, credit card, A/R or A/P account of a
    multicurrency company (wording of the refusals unconfirmed)."""
    if old is not None:
        fixed = (old.get("CurrencyRef") or {}).get("value", company.currency)
        code = wanted.get("value") if isinstance(wanted, dict) else None
        if code and str(code).upper() != fixed:
            raise faults.business(
                f"You can't change the currency of an account that already exists ({fixed}).", "CurrencyRef"
            )
        return {"value": fixed}
    code = str(wanted.get("value")).strip().upper() if isinstance(wanted, dict) and wanted.get("value") else None
    if code is None or code == company.currency:
        return {"value": company.currency}
    if account_type not in CURRENCY_ACCOUNTS:
        raise faults.business(
            f"A {account_type} account is always in the home currency ({company.currency}).", "CurrencyRef"
        )
    if not currency_enabled(company):
        raise faults.business(
            f"Multicurrency is not turned on for this company, so {code} cannot be used; every amount is in "
            "the home currency.",
            "CurrencyRef",
        )
    company.currencies.add(code)
    return {"value": code}


PAYMENT_METHOD_TYPES = ("CREDIT_CARD", "NON_CREDIT_CARD")


def build_payment_method(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    name = required_name(record)
    if len(name) > 31:
        raise faults.string_length("Name", 31, len(name))
    check_unique(company.payment_method_names, name, old, "payment method")
    method_type = record.get("Type") or "NON_CREDIT_CARD"
    if method_type not in PAYMENT_METHOD_TYPES:
        raise faults.invalid_property(f"Property Name:Type specified is unsupported or invalid: {method_type}", "Type")
    record["Name"] = name
    record["Type"] = method_type
    record["Active"] = record.get("Active", True) is not False and record.get("Active") != "false"
    record["domain"] = "QBO"
    record["sparse"] = False
    return record, []
