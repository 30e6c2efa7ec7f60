"""Class and Department (QuickBooks' "locations"), and what they mean on a sales form.

Both are lists with a Name, an optional parent (``SubClass``/``SubDepartment`` true with a
``ParentRef``; ``FullyQualifiedName`` "Parent:Child"), and ``Active``; they are made inactive,
never deleted (Intuit's API reference, Class and Department entities; that they cannot be
deleted is unconfirmed). A duplicate full name is refused with 6240 (its Detail wording for
these lists is unconfirmed).

On an Invoice or CreditMemo (Intuit's Invoice reference): the header ``ClassRef`` is used
when the company assigns classes to the entire transaction
(``AccountingInfoPrefs.ClassTrackingPerTxn``), ``Line[].SalesItemLineDetail.ClassRef`` when it
assigns them to each row (``ClassTrackingPerTxnLine``); ``DepartmentRef`` when it tracks
locations (``TrackDepartments``). A reference of the mode not in use is dropped without a
fault (a third-party report, Rutter; unconfirmed by Intuit), and so are both while tracking
is off (unconfirmed: expected, README). A class or location that does not exist or is
inactive is 2500 Invalid Reference Id, as for any other inactive list entry.
"""

from __future__ import annotations

from typing import Any

from .. import faults
from .common import READ_ONLY, Effect, WriteContext, check_length, is_true, ref_value, required_name

SUB_FLAG = {"Class": "SubClass", "Department": "SubDepartment"}


def build_tracking(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    name = required_name(record)
    check_length(record, "Name", 100)
    if ":" in name:
        raise faults.business("The name cannot contain a colon (:).", "Name")
    sub = SUB_FLAG[entity]
    parent = None
    if is_true(record.get(sub)):
        parent_id = ref_value(record.get("ParentRef"))
        if parent_id is None:
            raise faults.required_param("ParentRef")
        parent = ctx.lookup(entity, parent_id)
        if parent is None or not parent.get("Active", True):
            raise faults.invalid_reference("ParentRef")
        ancestor: dict[str, Any] | None = parent
        while ancestor is not None:  # a list entry cannot sit under itself
            if old is not None and ancestor["Id"] == old["Id"]:
                raise faults.business(f"A {entity.lower()} cannot be its own parent.", "ParentRef")
            ancestor = ctx.lookup(entity, ref_value(ancestor.get("ParentRef")))
        record["ParentRef"] = {"value": parent["Id"]}
    else:
        record.pop("ParentRef", None)
    full_name = f"{parent['FullyQualifiedName']}:{name}" if parent else name
    for other in company.records[entity].values():
        if other["FullyQualifiedName"].lower() == full_name.lower() and (old is None or other["Id"] != old["Id"]):
            raise faults.duplicate_name(entity.lower())
    record["Name"] = name
    record[sub] = parent is not None
    record["FullyQualifiedName"] = full_name
    record["Active"] = record.get("Active", True) is not False and record.get("Active") != "false"
    record["domain"] = "QBO"
    record["sparse"] = False
    return record, []


def _usable(ctx: WriteContext, entity: str, ref: Any, element: str) -> dict[str, Any]:
    found = ctx.lookup(entity, ref_value(ref))
    if found is None or not found.get("Active", True):
        raise faults.invalid_reference(element)
    return {"value": found["Id"], "name": found["FullyQualifiedName"]}


def track_sales_txn(ctx: WriteContext, record: dict[str, Any], sales_lines: list[dict[str, Any]]) -> None:
    """Check and keep the ClassRef / DepartmentRef the company's preferences use; drop the rest."""
    prefs = ctx.company.preferences
    mode = prefs.get("class_tracking", "off")
    header = record.pop("ClassRef", None)
    if mode == "per_transaction" and ref_value(header) is not None:
        record["ClassRef"] = _usable(ctx, "Class", header, "ClassRef")
    for line in sales_lines:
        detail = line["SalesItemLineDetail"]
        line_class = detail.pop("ClassRef", None)
        if mode == "per_line" and ref_value(line_class) is not None:
            detail["ClassRef"] = _usable(ctx, "Class", line_class, "Line.SalesItemLineDetail.ClassRef")
    department = record.pop("DepartmentRef", None)
    if prefs.get("track_locations") and ref_value(department) is not None:
        record["DepartmentRef"] = _usable(ctx, "Department", department, "DepartmentRef")
