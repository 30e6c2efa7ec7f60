"""Change data capture: what changed in the listed entities since a moment.

At most ``cdc_max_objects`` objects in all (QuickBooks: 1,000) and no paging: when more
changed, the earliest by LastUpdatedTime are returned, and the caller must narrow the
window. Deleted objects (transactions, and customers merged away) come back as
``{"Id", "status": "Deleted", "domain", "MetaData"}``, after the live ones of their entity.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import faults
from .entities.common import ENTITY_BY_LOWER, WriteContext, public
from .util import parse_datetime

# Not TaxCode or TaxRate: QuickBooks' CDC does not cover them (nor JournalCode, TimeActivity,
# TaxAgency; Intuit's API reference). They are refused like any other entity CDC does not
# know; QuickBooks' exact answer for them is unconfirmed (README).
CDC_ENTITIES = {
    "Customer",
    "Vendor",
    "Employee",
    "Item",
    "Account",
    "PaymentMethod",
    "Class",
    "Department",
    "Invoice",
    "CreditMemo",
    "Payment",
    "RefundReceipt",
    "Purchase",
}


def change_data_capture(
    ctx: WriteContext, entities_param: str | None, changed_since: str | None, max_days: int, max_objects: int
) -> dict[str, Any]:
    company = ctx.company
    if not entities_param:
        raise faults.required_param("entities")
    if not changed_since:
        raise faults.required_param("changedSince")
    since = parse_datetime(changed_since)
    if since is None:
        raise faults.invalid_property(
            f"Property Name:changedSince specified is unsupported or invalid: {changed_since}", "changedSince"
        )
    now = company.clock.now()
    if since < now - timedelta(days=max_days):
        raise faults.unsupported_operation(
            f"Operation cdc with changedSince date {changed_since} which is older than fixed days is not supported."
        )
    names = []
    for raw in entities_param.split(","):
        name = ENTITY_BY_LOWER.get(raw.strip().lower())
        if name is None or name not in CDC_ENTITIES:
            raise faults.invalid_property(
                f"Property Name:entities specified is unsupported or invalid: {raw}", "entities"
            )
        if name not in names:
            names.append(name)

    since_ts = since.timestamp()
    changed: list[tuple[float, int, str, dict[str, Any]]] = []
    for name in names:
        for record in company.records[name].values():
            if record["_updated"] >= since_ts:
                changed.append((record["_updated"], record["_seq"], name, record))
        for tomb in company.tombstones[name].values():
            if tomb["_updated"] >= since_ts:
                changed.append((tomb["_updated"], tomb["_seq"], name, tomb))
    changed.sort(key=lambda entry: (entry[0], entry[1]))
    changed = changed[:max_objects]

    # Per entity, live objects by last update, then the deleted ones (Intuit's CDC reference:
    # a deleted object is only its Id, status "Deleted" and MetaData; no amounts, no names).
    per_entity: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    deleted: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for _, _, name, record in changed:
        if record["Id"] in company.tombstones[name] and record is company.tombstones[name][record["Id"]]:
            deleted[name].append(
                {"Id": record["Id"], "status": "Deleted", "domain": "QBO", "MetaData": record["MetaData"]}
            )
        else:
            per_entity[name].append(public(record))
    query_responses = []
    for name in names:
        items = per_entity[name] + deleted[name]
        if items:
            query_responses.append({name: items, "startPosition": 1, "maxResults": len(items)})
        else:
            query_responses.append({})
    return {"CDCResponse": [{"QueryResponse": query_responses}]}
