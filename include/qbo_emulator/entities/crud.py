"""Create, read, update, delete and void of QuickBooks entities: the registry of builders
(one per entity family), the stored records' indexes, Id, SyncToken and MetaData.

Every write validates completely before it changes anything, then commits synchronously
(no awaits), so two requests can never interleave inside a write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import faults, refusals
from ..store import NAME_ENTITIES, Company
from ..util import ZERO
from .common import Effect, WriteContext, bump, check_closed_books, clean, is_true
from .lists import build_account, build_item, build_payment_method
from .names import build_person
from .payments import build_payment, reapply, unlink_from_payment
from .purchases import build_purchase
from .refunds import build_refund_receipt
from .sales import build_sales_txn, voided_line, voided_note
from .taxcodes import build_tax_code
from .tracking import build_tracking

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
    "Class": build_tracking,
    "Department": build_tracking,
    "RefundReceipt": build_refund_receipt,
    "Purchase": build_purchase,
}
TRANSACTIONS = ("Invoice", "CreditMemo", "Payment", "RefundReceipt", "Purchase")


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
    elif entity in ("Invoice", "CreditMemo", "RefundReceipt"):
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
    bump(record, company)
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
    refusals.check(ctx.company, entity, "create", None)
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
    if "SyncToken" not in record:  # defined by QuickBooks itself: the US pseudo tax codes
        raise faults.unsupported_operation(
            f"Operation Update is not supported for {entity} {record['Id']}: QuickBooks defines it."
        )
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
    bump(record, company, old["MetaData"]["CreateTime"])
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
    refusals.check(ctx.company, entity, "update", old["Id"])
    # Sparse: only the fields sent change; a field cannot be removed this way (Intuit support
    # on intuit/QuickBooks-V3-DotNET-SDK#113: removing a value takes a full update). An empty
    # string or null in a sparse body leaves the stored value as it is: ``clean`` drops them
    # (unconfirmed: Intuit documents no meaning for "" in a sparse update; python-quickbooks
    # sends "" for unset fields, and QuickBooks does not clear those fields for it).
    # Full: every writable field the body omits is set to NULL, i.e. dropped here (Intuit's
    # entity references, "Full update": "Writable fields omitted from the request body are set
    # to NULL"); what QuickBooks computes (totals, balances, links) is recomputed by the builder.
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
    refusals.check(company, entity, "delete", old["Id"])
    if entity in ("Invoice", "CreditMemo", "Purchase") and old.get("_applied", ZERO) > ZERO:
        what = "transactions it is applied to" if entity == "CreditMemo" else "payments"
        raise faults.business(
            f"This {entity} has linked {what} (LinkedTxn) and cannot be deleted. "
            "Void it instead, or delete the payments first."
        )
    if entity == "Payment":
        reapply(company, old["Id"], old.get("_applications", {}), {})
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


def void(ctx: WriteContext, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """Void an Invoice (?operation=void) or a Payment (?operation=update&include=void).

    Not a RefundReceipt (nor a CreditMemo): Intuit documents delete for them, no void."""
    if entity not in ("Invoice", "Payment"):
        raise faults.unsupported_operation(f"Operation Void is not supported for {entity}.")
    company = ctx.company
    data = clean(data)
    old = _existing(ctx, entity, data)
    check_closed_books(company, old.get("TxnDate"))
    refusals.check(company, entity, "void", old["Id"])
    record = {k: v for k, v in old.items()}
    if entity == "Invoice":
        # Payments applied to the invoice stay, unapplied (QuickBooks unlinks them).
        for link in old.get("LinkedTxn", []):
            if link.get("TxnType") == "Payment":
                payment = company.records["Payment"].get(link["TxnId"])
                if payment is not None:
                    unlink_from_payment(company, payment, "Invoice", old["Id"])
        # Amounts and quantities are zeroed (Intuit's API reference, "Change data capture ... voids").
        record["Line"] = [voided_line(line) for line in old["Line"]]
        record["TxnTaxDetail"] = {"TotalTax": ZERO, "TaxLine": []}
        record["TotalAmt"] = ZERO
        record["Balance"] = ZERO
        record["_applied"] = ZERO
        record["LinkedTxn"] = []
    else:
        reapply(company, old["Id"], old.get("_applications", {}), {})
        record["Line"] = []
        record["TotalAmt"] = ZERO
        record["UnappliedAmt"] = ZERO
        record["_applications"] = {}
    record["PrivateNote"] = voided_note(old.get("PrivateNote"))
    record["_voided"] = True
    current = company.records[entity][old["Id"]]  # may have been touched by the unlinking above
    record["SyncToken"] = current["SyncToken"]
    record["MetaData"] = current["MetaData"]
    record.pop("Id")
    record.pop("SyncToken")
    return _replace(ctx, entity, current, record)


def read(ctx: WriteContext, entity: str, record_id: str) -> dict[str, Any]:
    record = ctx.lookup(entity, record_id)
    if record is None:
        deleted = record_id in ctx.company.tombstones.get(entity, {})
        raise faults.object_not_found(deleted_txn=deleted)
    return record
