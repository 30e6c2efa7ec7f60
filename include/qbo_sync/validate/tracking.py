"""Classes and locations, checked before an invoice is sent: the company tracks them (its
Preferences), and the class and location exist and are active (one read of each list per run,
only for a tenant that uses them). Each check is an expectation of the invoice suite
(validate/invoices.py); the wording is in catalog/entries_classes.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from qbo_sync.extract.tracking import Assignment, TrackingSettings, invoice_locations, tracking_settings
from qbo_sync.validate.gx_runner import Check

IN_SET = "ExpectColumnValuesToBeInSet"
CHECKS = [
    Check("location_not_linked", IN_SET, {"column": "app_location_linked", "value_set": [True]}),
    Check("class_tracking_off", IN_SET, {"column": "class_tracking_on", "value_set": [True]}),
    Check("location_tracking_off", IN_SET, {"column": "location_tracking_on", "value_set": [True]}),
    Check("class_inactive", IN_SET, {"column": "class_usable", "value_set": [True]}),
    Check("location_inactive", IN_SET, {"column": "location_usable", "value_set": [True]}),
]


@dataclass
class TrackingFacts:
    """What the company says about classes and locations."""

    class_mode: str = "off"  # off | per_transaction | per_line (AccountingInfoPrefs)
    track_locations: bool = False  # AccountingInfoPrefs.TrackDepartments
    location_label: str = "Location"  # AccountingInfoPrefs.DepartmentTerminology
    classes: dict[str, tuple[str, bool]] = field(default_factory=dict)  # Id -> (full name, Active)
    departments: dict[str, tuple[str, bool]] = field(default_factory=dict)


def tracking_facts(query: Callable[[str], list[dict[str, Any]]], preferences: dict[str, Any]) -> TrackingFacts:
    info = preferences.get("AccountingInfoPrefs") or {}
    mode = (
        "per_transaction"
        if info.get("ClassTrackingPerTxn") is True
        else "per_line"
        if info.get("ClassTrackingPerTxnLine") is True
        else "off"
    )

    def listing(entity: str) -> dict[str, tuple[str, bool]]:
        return {
            str(r["Id"]): (str(r.get("FullyQualifiedName") or r.get("Name") or ""), bool(r.get("Active", True)))
            for r in query(f"select * from {entity} where Active in (true, false)")
        }

    return TrackingFacts(
        class_mode=mode,
        track_locations=info.get("TrackDepartments") is True,
        location_label=str(info.get("DepartmentTerminology") or "Location"),
        classes=listing("Class"),
        departments=listing("Department"),
    )


def label(known: dict[str, tuple[str, bool]], qbo_id: str) -> str:
    """A class or location as QuickBooks' screens name it; its Id only in parentheses."""
    name = known.get(qbo_id, ("", False))[0]
    return f"'{name}'" if name else f"that is no longer in QuickBooks (it had Id {qbo_id})"


class TrackingCheck:
    """The tracking columns and context of each invoice of a tenant's validation."""

    def __init__(
        self,
        conn: psycopg.Connection,
        tenant_id: int,
        query: Callable[[str], list[dict[str, Any]]],
        preferences: dict[str, Any],
        company_name: str,
    ) -> None:
        self.conn = conn
        self.settings: TrackingSettings = tracking_settings(conn, tenant_id)
        self.facts = tracking_facts(query, preferences) if self.settings.in_use else TrackingFacts()
        self.company_name = company_name
        self.locations: dict[int, str] = {}

    def chunk(self, invoice_ids: list[int]) -> None:
        self.locations = invoice_locations(self.conn, invoice_ids) if self.settings.links else {}

    def assignment(self, invoice_id: int) -> Assignment:
        return self.settings.assign(self.locations.get(invoice_id))

    def add(self, invoice_id: int, row: dict[str, Any], context: dict[str, Any]) -> None:
        a = self.assignment(invoice_id)
        facts = self.facts
        row["app_location_linked"] = not a.unlinked
        row["class_tracking_on"] = not a.class_id or facts.class_mode != "off"
        row["location_tracking_on"] = not a.department_id or facts.track_locations
        row["class_usable"] = not a.class_id or facts.classes.get(a.class_id, ("", False))[1]
        row["location_usable"] = not a.department_id or facts.departments.get(a.department_id, ("", False))[1]
        context.update(
            app_location=a.app_location or "(none)",
            class_name=label(facts.classes, a.class_id) if a.class_id else None,
            location_name=label(facts.departments, a.department_id) if a.department_id else None,
            location_label=facts.location_label.lower(),
            company=self.company_name,
            linked_locations=", ".join(sorted(f"'{link.app_location}'" for link in self.settings.links.values()))
            or "(none)",
        )
