"""RefundReceipt: money paid back to a customer, as Intuit's RefundReceipt reference describes it.

A RefundReceipt is a sales form like a SalesReceipt (its lines, tax and DocNumber follow the
same rules: ``sales.build_sales_txn``), with what sets it apart:

* ``DepositToAccountRef`` is required: the Bank or Other Current Asset account the money leaves
  (Intuit: "required"; the fault for another account type is unconfirmed: a 6000 business
  validation error here);
* ``CustomerRef`` is optional;
* ``TotalAmt`` is computed from the lines (a supplied one is ignored) and ``Balance`` is 0;
* ``PaymentRefNum`` holds at most 100 characters (the reference's field table);
* it can be deleted (``?operation=delete``) but not voided: Intuit documents no void for it,
  so a void is refused as an unsupported operation (whether QuickBooks accepts one is
  unconfirmed; crud.void).

It pays no invoice and applies no credit: it changes no other record's balance.
"""

from __future__ import annotations

from typing import Any

from .. import faults
from ..util import ZERO
from .common import Effect, WriteContext, check_length, ref_value
from .sales import build_sales_txn

REFUND_ACCOUNT_TYPES = ("Bank", "Other Current Asset")
PAYMENT_REF_NUM_MAX = 100


def build_refund_receipt(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    account_id = ref_value(data.get("DepositToAccountRef"))
    if account_id is None:
        raise faults.required_param("DepositToAccountRef")
    account = ctx.lookup("Account", account_id)
    if account is None or not account.get("Active", True):
        raise faults.invalid_reference("DepositToAccountRef")
    if account.get("AccountType") not in REFUND_ACCOUNT_TYPES:
        raise faults.business(
            "The account a refund is paid from must be a Bank or Other Current Asset account "
            f"(account {account['Id']} is {account.get('AccountType')}).",
            "DepositToAccountRef",
        )
    check_length(data, "PaymentRefNum", PAYMENT_REF_NUM_MAX)
    record, effects = build_sales_txn(ctx, entity, data, old)
    record["DepositToAccountRef"] = {"value": account["Id"], "name": account.get("Name")}
    record["Balance"] = ZERO
    record.pop("Deposit", None)
    record.pop("DueDate", None)
    record["LinkedTxn"] = []
    return record, effects
