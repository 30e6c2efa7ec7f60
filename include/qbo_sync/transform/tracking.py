"""An invoice's class and location in its QuickBooks JSON.

The class goes both on the header (``ClassRef``, used when the company assigns one class to
the entire transaction) and on every sales line (``SalesItemLineDetail.ClassRef``, used when
it assigns classes to each row): QuickBooks keeps the one its preference uses and drops the
other (Intuit's Invoice reference names both fields; that the unused one is dropped without a
fault is a third-party report, see the emulator's entities/tracking.py). So the load needs no
read of the company's preferences, and a company switching between the two modes keeps its
income split. The location is the header ``DepartmentRef``. The validate step has checked
that the company tracks them and that they exist and are active.
"""

from __future__ import annotations

from typing import Any

from qbo_sync.extract.tracking import Assignment


def apply_tracking(payload: dict[str, Any], assignment: Assignment) -> dict[str, Any]:
    if assignment.class_id:
        payload["ClassRef"] = {"value": assignment.class_id}
        for line in payload.get("Line", []):
            detail = line.get("SalesItemLineDetail")
            if isinstance(detail, dict):
                detail["ClassRef"] = {"value": assignment.class_id}
    if assignment.department_id:
        payload["DepartmentRef"] = {"value": assignment.department_id}
    return payload
