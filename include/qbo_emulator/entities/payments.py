"""Payment: applying amounts to invoices and credit memos, and undoing that (update, delete,
void, or the void of an invoice it paid)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import faults
from ..currency import home_total, txn_currency
from ..store import Company
from ..util import ZERO, money, parse_date, to_decimal
from .common import (
    READ_ONLY,
    TOTAL_FIELDS_KEPT_FOR_PAYMENT,
    Effect,
    WriteContext,
    check_closed_books,
    check_length,
    ref_value,
    touch,
)


def _application_key(txn_type: str, txn_id: str) -> tuple[str, str]:
    return (txn_type, txn_id)


# A payment line's LinkedTxn.TxnType -> the entity it names. A Check is a Purchase of PaymentType
# Check (Intuit's Payment reference lists Check among a payment line's linked types); one paid
# to the customer and coded to Accounts Receivable is money paid back (entities/purchases.py).
RECORD_OF = {"Invoice": "Invoice", "CreditMemo": "CreditMemo", "Check": "Purchase"}
DEBITS = ("Invoice", "Check")  # what the customer owes; a CreditMemo is what it is owed


def _customer_of(target: dict[str, Any]) -> str | None:
    ref = target.get("CustomerRef") or target.get("EntityRef") or {}
    return ref.get("value")


def _open(target: dict[str, Any]) -> Any:
    """What a payment may still apply to the target (a check: its Accounts Receivable lines)."""
    return target.get("_receivable", target["TotalAmt"]) - target.get("_applied", ZERO)


def build_payment(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
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
        raise faults.invalid_property(
            f"Property Name:TxnDate specified is unsupported or invalid: {txn_date}", "TxnDate"
        )
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
            raise faults.invalid_property(
                "Property Name:LinkedTxn specified is unsupported or invalid", "Line.LinkedTxn"
            )
        if not links:
            raise faults.required_param("LinkedTxn", "Line.LinkedTxn")
        out_links = []
        for link in links:
            txn_id = str(link.get("TxnId") or "")
            txn_type = link.get("TxnType")
            if not txn_id:
                raise faults.required_param("TxnId", "Line.LinkedTxn.TxnId")
            if txn_type not in RECORD_OF:
                raise faults.invalid_property(
                    f"Property Name:TxnType specified is unsupported or invalid: {txn_type}", "Line.LinkedTxn.TxnType"
                )
            target = ctx.lookup(RECORD_OF[txn_type], txn_id)
            if target is None or (txn_type == "Check" and target.get("PaymentType") != "Check"):
                raise faults.invalid_reference("Line.LinkedTxn.TxnId")
            if _customer_of(target) != customer["Id"]:
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
        target = company.records[RECORD_OF[txn_type]][txn_id]
        open_amount = _open(target) + previous.get((txn_type, txn_id), ZERO)
        if target.get("_voided"):
            open_amount = ZERO
        if amount > open_amount:
            what = "open balance" if txn_type == "Invoice" else "remaining credit"
            raise faults.business(
                f"The amount applied to {txn_type} {txn_id} ({amount}) exceeds its {what} ({open_amount}).",
                "Line.Amount",
            )
        if txn_type in DEBITS:
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
    txn_currency(company, entity, record, customer, parsed_date)
    home_total(company, record)
    record["_applications"] = applications
    record["_voided"] = False
    record["domain"] = "QBO"
    record["sparse"] = False

    def apply(payment: dict[str, Any]) -> None:
        reapply(company, payment["Id"], previous, applications)

    return record, [apply]


def reapply(
    company: Company, payment_id: str, previous: dict[tuple[str, str], Decimal], current: dict[tuple[str, str], Decimal]
) -> None:
    """Move amounts applied by a payment from ``previous`` to ``current`` and touch targets."""
    for key in set(previous) | set(current):
        before = previous.get(key, ZERO)
        after = current.get(key, ZERO)
        if before == after:
            continue
        txn_type, txn_id = key
        target = company.records[RECORD_OF[txn_type]].get(txn_id)
        if target is None:
            continue
        target["_applied"] = target.get("_applied", ZERO) - before + after
        refresh_open_amount(target)
        links = [
            link
            for link in target.get("LinkedTxn", [])
            if link.get("TxnId") != payment_id or link.get("TxnType") != "Payment"
        ]
        if after > ZERO:
            links.append({"TxnId": payment_id, "TxnType": "Payment"})
        target["LinkedTxn"] = links
        touch(company, target)


def refresh_open_amount(target: dict[str, Any]) -> None:
    if "_receivable" in target:  # a check has no Balance field: what is applied stays internal
        return
    open_amount = target["TotalAmt"] - target.get("_applied", ZERO)
    target["Balance"] = open_amount
    if "RemainingCredit" in target:
        target["RemainingCredit"] = open_amount


def unlink_from_payment(company: Company, payment: dict[str, Any], txn_type: str, txn_id: str) -> None:
    previous = dict(payment.get("_applications", {}))
    current = dict(previous)
    current.pop((txn_type, txn_id), None)
    # If the invoices left no longer absorb the credits, release the credits too.
    invoices = sum((a for (t, _), a in current.items() if t in DEBITS), ZERO)
    credits = sum((a for (t, _), a in current.items() if t == "CreditMemo"), ZERO)
    if credits > invoices:
        current = {k: a for k, a in current.items() if k[0] in DEBITS}
        credits = ZERO
    kept = {(t, i) for (t, i) in current}
    payment["Line"] = [
        {**line, "LinkedTxn": [ln for ln in line["LinkedTxn"] if (ln["TxnType"], ln["TxnId"]) in kept]}
        for line in payment.get("Line", [])
    ]
    payment["Line"] = [line for line in payment["Line"] if line["LinkedTxn"]]
    payment["_applications"] = current
    payment["UnappliedAmt"] = payment["TotalAmt"] - (invoices - credits)
    # The voided invoice itself is rewritten by the caller; touch the other targets.
    for key in set(previous) - set(current) - {(txn_type, txn_id)}:
        target = company.records[RECORD_OF[key[0]]].get(key[1])
        if target is not None:
            target["_applied"] = target.get("_applied", ZERO) - previous[key]
            refresh_open_amount(target)
            target["LinkedTxn"] = [
                ln
                for ln in target.get("LinkedTxn", [])
                if not (ln.get("TxnType") == "Payment" and ln.get("TxnId") == payment["Id"])
            ]
            touch(company, target)
    touch(company, payment)
