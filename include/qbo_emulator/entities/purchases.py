"""Purchase: money paid out (a check, cash or a credit card charge), as Intuit's Purchase
reference describes it, so far as a refund of customer credit uses it.

* ``PaymentType`` is required: ``Cash``, ``Check`` or ``CreditCard``;
* ``AccountRef`` is required: the account the money leaves; "a type of Check should have bank
  account, CreditCard should specify credit card account" (Intuit's Purchase reference);
* ``Line`` needs at least one ``AccountBasedExpenseLineDetail`` (``AccountRef``) line (item-based
  expense lines are not emulated: refused as unsupported);
* ``EntityRef`` (the payee: a Vendor, Customer or Employee) is optional;
* ``TotalAmt`` is computed from the lines; ``DocNumber`` holds at most 21 characters;
* it is in its customer's currency, and must be in its bank account's (``AccountRef``'s
  ``CurrencyRef``; qbo-api.md "Multicurrency": one currency per bank account), else the
  currency fault ("invalid for customer/vendor/account");
* it can be deleted (``?operation=delete``) and, like other transactions, not while a Payment
  links it.

A **Check** to a customer with lines coded to an Accounts Receivable account is money paid back
to that customer: it raises what the customer owes by those lines (a debit to A/R, QuickBooks'
help "Handle customer overpayments": write a cheque or expense to the customer with Accounts
Receivable as its category), and a Payment of that customer may link it (``LinkedTxn`` type
``Check``, one of the types Intuit's Payment reference lists for a payment line) to take that
amount from the customer's unapplied credit. ``_applied`` is what Payments apply to it.
"""

from __future__ import annotations

from typing import Any

from .. import faults
from ..currency import MISMATCH, home_total, txn_currency
from ..util import ZERO, money, parse_date, to_decimal
from .common import READ_ONLY, Effect, WriteContext, check_closed_books, check_length, ref_value

PAYMENT_TYPES = ("Cash", "Check", "CreditCard")
ACCOUNT_FOR = {"Check": ("Bank",), "CreditCard": ("Credit Card",), "Cash": ("Bank", "Other Current Asset")}
ENTITY_TYPES = {"Vendor": "Vendor", "Customer": "Customer", "Employee": "Employee"}
RECEIVABLE = "Accounts Receivable"


def build_purchase(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    payment_type = record.get("PaymentType")
    if payment_type is None:
        raise faults.required_param("PaymentType")
    if payment_type not in PAYMENT_TYPES:
        raise faults.invalid_property(
            f"Property Name:PaymentType specified is unsupported or invalid: {payment_type}", "PaymentType"
        )
    account_id = ref_value(record.get("AccountRef"))
    if account_id is None:
        raise faults.required_param("AccountRef")
    account = ctx.lookup("Account", account_id)
    if account is None or not account.get("Active", True):
        raise faults.invalid_reference("AccountRef")
    if account.get("AccountType") not in ACCOUNT_FOR[payment_type]:
        raise faults.business(
            f"A {payment_type} purchase must be paid from a {' or '.join(ACCOUNT_FOR[payment_type])} account "
            f"(account {account['Id']} is {account.get('AccountType')}).",
            "AccountRef",
        )
    record["AccountRef"] = {"value": account["Id"], "name": account.get("Name")}
    payee = None
    if record.get("EntityRef") is not None:
        ref = record["EntityRef"]
        kind = ref.get("type", "Vendor") if isinstance(ref, dict) else "Vendor"
        if kind not in ENTITY_TYPES:
            raise faults.invalid_property(f"Property Name:EntityRef.type specified is unsupported: {kind}", "EntityRef")
        payee = ctx.lookup(ENTITY_TYPES[kind], ref_value(ref))
        if payee is None:
            raise faults.invalid_reference("EntityRef")
        if not payee.get("Active", True):
            raise faults.object_not_found(element="EntityRef")
        record["EntityRef"] = {"value": payee["Id"], "name": payee.get("DisplayName"), "type": kind}
    check_length(record, "DocNumber", 21)
    check_length(record, "PrivateNote", 4000)
    lines = record.get("Line")
    if not isinstance(lines, list) or not lines or not all(isinstance(line, dict) for line in lines):
        raise faults.required_param("Line")
    total = ZERO
    receivable = ZERO
    out_lines = []
    for n, line in enumerate(lines, start=1):
        if line.get("DetailType") != "AccountBasedExpenseLineDetail":
            raise faults.invalid_property(
                f"Property Name:DetailType specified is unsupported or invalid: {line.get('DetailType')}",
                "Line.DetailType",
            )
        amount = to_decimal(line.get("Amount"))
        if amount is None:
            raise faults.required_param("Amount", "Line.Amount")
        amount = money(amount)
        if amount < ZERO:
            raise faults.business("A purchase line amount cannot be negative.", "Line.Amount")
        detail = dict(line.get("AccountBasedExpenseLineDetail") or {})
        line_account = ctx.lookup("Account", ref_value(detail.get("AccountRef")))
        if line_account is None or not line_account.get("Active", True):
            raise faults.invalid_reference("Line.AccountBasedExpenseLineDetail.AccountRef")
        if line_account.get("AccountType") == RECEIVABLE:
            if payee is None or record["EntityRef"]["type"] != "Customer":
                # Intuit's UI asks for a customer on an A/R line: the amount must be someone's.
                raise faults.business(
                    "A line coded to Accounts Receivable needs a customer as the payee (EntityRef).",
                    "EntityRef",
                )
            receivable += amount
        detail["AccountRef"] = {"value": line_account["Id"], "name": line_account.get("Name")}
        out_lines.append({**line, "Id": str(n), "Amount": amount, "AccountBasedExpenseLineDetail": detail})
        total += amount
    txn_date = record.get("TxnDate")
    parsed = parse_date(txn_date) if txn_date is not None else company.today()
    if parsed is None:
        raise faults.invalid_property(
            f"Property Name:TxnDate specified is unsupported or invalid: {txn_date}", "TxnDate"
        )
    check_closed_books(company, parsed, old.get("TxnDate") if old else None)
    applied = old.get("_applied", ZERO) if old else ZERO
    if receivable < applied:
        raise faults.business(
            f"This {payment_type} is linked to payments for {applied}; unlink them before lowering it.", "Line"
        )
    record["Line"] = out_lines
    record["TotalAmt"] = total
    record["TxnDate"] = parsed.isoformat()
    record["_receivable"] = receivable
    record["_applied"] = applied
    record["LinkedTxn"] = list(old.get("LinkedTxn", [])) if old else []
    record["domain"] = "QBO"
    record["sparse"] = False
    customer = payee if record.get("EntityRef", {}).get("type") == "Customer" else None
    txn_currency(company, entity, record, customer, parsed)
    # qbo-api.md "Multicurrency": a bank or credit card account holds one currency, and a
    # transaction paid from it must be in it (the same fault as a customer's currency).
    held = (account.get("CurrencyRef") or {}).get("value", company.currency)
    if record["CurrencyRef"]["value"] != held:
        raise faults.business(MISMATCH, "CurrencyRef")
    home_total(company, record)
    return record, []
