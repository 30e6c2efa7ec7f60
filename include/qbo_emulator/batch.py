"""Batch requests: up to 30 independent operations in one call, matched by bId.

Not a transaction: each item succeeds or fails on its own (its fault sits inside the HTTP
200 answer). Items run in order but cannot see records created by earlier items of the
same batch, as in QuickBooks.
"""

from __future__ import annotations

from typing import Any

from . import faults
from .entities import crud
from .entities.common import ENTITY_BY_LOWER, WriteContext, public
from .faults import QBOError
from .query import execute

BID_MAX_WITH_REQUESTID = 10
WRITABLE = {
    "Customer",
    "Vendor",
    "Employee",
    "Item",
    "Account",
    "TaxCode",
    "PaymentMethod",
    "Class",
    "Department",
    "Invoice",
    "CreditMemo",
    "Payment",
    "RefundReceipt",
    "Purchase",
}


def validate_envelope(body: Any, max_items: int, has_requestid: bool) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("BatchItemRequest"), list):
        raise faults.required_param("BatchItemRequest")
    items = body["BatchItemRequest"]
    if not items:
        raise faults.required_param("BatchItemRequest")
    if len(items) > max_items:
        raise faults.invalid_property(
            f"Batch size exceeded: a batch request can have at most {max_items} BatchItemRequest items. "
            f"Supplied:{len(items)}",
            "BatchItemRequest",
        )
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            raise faults.invalid_property(
                "Property Name:BatchItemRequest specified is unsupported or invalid", "BatchItemRequest"
            )
        bid = item.get("bId")
        if bid is None or bid == "":
            raise faults.required_param("bId", "BatchItemRequest.bId")
        bid = str(bid)
        if has_requestid and len(bid) > BID_MAX_WITH_REQUESTID:
            raise faults.string_length("BatchItemRequest.bId", BID_MAX_WITH_REQUESTID, len(bid))
        if bid in seen:
            raise faults.invalid_property(f"Duplicate bId {bid} in the batch request.", "BatchItemRequest.bId")
        seen.add(bid)
    return items


def _entity_of(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    for key, value in item.items():
        name = ENTITY_BY_LOWER.get(key.lower())
        if name is not None and isinstance(value, dict):
            return name, value
    raise faults.invalid_property("The batch item names no entity.", "BatchItemRequest")


def run_item(ctx: WriteContext, item: dict[str, Any]) -> dict[str, Any]:
    if "Query" in item:
        return {"QueryResponse": execute(ctx, str(item["Query"]))}
    entity, data = _entity_of(item)
    if entity not in WRITABLE:
        raise faults.unsupported_operation(f"Operation is not supported for {entity}.")
    operation = str(item.get("operation") or "").lower()
    options = str(item.get("optionsData") or "").lower()
    if operation == "create":
        record = crud.create(ctx, entity, data)
        ctx.hidden.add((entity, record["Id"]))
        return {entity: public(record)}
    if operation == "update":
        if options == "void":
            return {entity: public(crud.void(ctx, entity, data))}
        return {entity: public(crud.update(ctx, entity, data))}
    if operation == "delete":
        return {entity: crud.delete(ctx, entity, data)}
    raise faults.invalid_property(
        f"Property Name:operation specified is unsupported or invalid: {operation}", "BatchItemRequest.operation"
    )


def run_batch(ctx: WriteContext, items: list[dict[str, Any]]) -> dict[str, Any]:
    responses = []
    for item in items:
        try:
            result = run_item(ctx, item)
        except QBOError as error:
            result = {"Fault": error.fault_json()}
        result["bId"] = str(item["bId"])
        responses.append(result)
    return {"BatchItemResponse": responses}
