"""What finance cares about in one of our QuickBooks records, and what changed in it.

A fingerprint is a small dict of the fields that make a record what it is in the books:
an invoice's number, date, customer, total and tax; a credit memo's number, customer and
total; a payment's amount, date, reference and the invoices it pays; a refund receipt's
amount. Balances, links to payments, e-mail
status and notes are left out: QuickBooks changes them (and bumps the SyncToken) when a
payment is applied, which is not an edit. The same fields come from QuickBooks' JSON and
from the billing app (``sql/changes/app_records.sql``), so either can be the reference.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from qbo_sync.money import CENT

AMOUNTS = ("TotalAmt", "TotalTax")
# How each field is called in a cause: the words of QuickBooks' screens.
LABELS = {
    "DocNumber": "number",
    "TxnDate": "date",
    "CustomerRef": "customer",
    "TotalAmt": "total",
    "TotalTax": "tax",
    "Invoices": "invoice(s) paid",
    "PaymentRefNum": "reference",
}
FIELDS = {
    "invoice": ("DocNumber", "TxnDate", "CustomerRef", "TotalAmt", "TotalTax"),
    "credit_memo": ("DocNumber", "CustomerRef", "TotalAmt"),
    "payment": ("TotalAmt", "TxnDate", "PaymentRefNum", "Invoices"),
    # a refund receipt the sync sent: the amount given back (RefundReceipt's TotalAmt)
    "refund": ("TotalAmt",),
}


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return None if value is None else str(value)


def _amount(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return str(Decimal(str(value)).quantize(CENT))
    except InvalidOperation:
        return str(value)


def normalized(entity: str, values: dict[str, Any]) -> dict[str, str | None]:
    """The fingerprint's fields of ``values`` as comparable text (amounts to the cent)."""
    out: dict[str, str | None] = {}
    for key in FIELDS[entity]:
        value = values.get(key)
        if key in AMOUNTS:
            out[key] = _amount(value if value is not None else (0 if key == "TotalTax" else None))
        elif key == "CustomerRef":
            out[key] = _ref(value)
        else:
            out[key] = None if value in (None, "") else str(value)
    return out


def of_quickbooks(entity: str, record: dict[str, Any]) -> dict[str, str | None]:
    """The fingerprint of a QuickBooks Invoice, CreditMemo or Payment."""
    values = dict(record)
    if entity == "invoice":
        values["TotalTax"] = (record.get("TxnTaxDetail") or {}).get("TotalTax", 0)
    if entity == "payment":
        values["Invoices"] = ",".join(
            sorted(
                {
                    str(link.get("TxnId"))
                    for line in record.get("Line") or []
                    for link in line.get("LinkedTxn") or []
                    if link.get("TxnType") == "Invoice"
                }
            )
        )
    return normalized(entity, values)


def differences(entity: str, before: dict[str, Any], after: dict[str, Any], names: dict[str, str]) -> list[str]:
    """``["total 110.00 -> 99.00", ...]``: what differs, in a cause's words. ``names`` turns a
    QuickBooks customer Id into how its screens show it."""
    said = []
    for key in FIELDS[entity]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "CustomerRef":
            old, new = names.get(str(old), _customer(old)), names.get(str(new), _customer(new))
        said.append(f"{LABELS[key]} {old if old is not None else '(none)'} -> {new if new is not None else '(none)'}")
    return said


def _customer(qbo_id: Any) -> str:
    return "(none)" if qbo_id is None else "another customer"


def voided(record: dict[str, Any]) -> bool:
    """QuickBooks keeps a voided transaction, amounts zeroed and "Voided" in its note
    (Intuit's API reference, Invoice: void; change data capture: voids)."""
    return _amount(record.get("TotalAmt", 0)) == "0.00" and "Voided" in (record.get("PrivateNote") or "")


def dumps(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True)


def loads(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None
