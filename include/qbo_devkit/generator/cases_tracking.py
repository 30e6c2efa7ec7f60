"""The demo's classes-and-locations cases (issue 13, item 4), listed at the end of ``cases.CASES``.

A clinic business splits its income by clinic with QuickBooks classes, and by city with its
locations. Either case turns that on for its tenant (``quickbooks_setup.tracking``, which the
demo applies: the switches turned on in QuickBooks' settings, the classes and locations
created, then the tenant's class and location and its app-location links written with the
product's own ``tenants tracking`` and ``map-location``). The tenant's ordinary invoices name
no app location, so they go with the tenant's class and location. Then:

* ``location_not_linked``: an invoice at an app location nobody linked ("Coogee", a clinic
  newer than the links) fails before it is sent: its income would land in no clinic's class;
* ``class_inactive``: the app location "Manly" is linked to class "Clinics:Manly", which
  someone then made inactive in QuickBooks: its invoice fails before it is sent.

Neither draws a random number (their slots come from the bad-case stream like every case's),
and both leave the tenant's other invoices as they were.
"""

from __future__ import annotations

from typing import Any

Generator = Any
State = Any
Invoice = dict[str, Any]

CLASS_TRACKING = "per_transaction"  # "Assign classes: one to the entire transaction"
TENANT_CLASS = "Clinics"  # the class of every invoice that names no linked app location
TENANT_LOCATION = "Sydney"
LINKED = "Bondi Beach"  # an app location linked to its own class
LINKED_CLASS = "Clinics:Bondi Beach"
CLOSED = "Manly"  # an app location whose class is made inactive in QuickBooks
CLOSED_CLASS = "Clinics:Manly"
UNLINKED = "Coogee"  # an app location with no link


def _tracking(state: State) -> dict[str, Any]:
    """The tenant's classes and locations, started once by whichever case comes first."""
    tracking = state.tenant.setup.tracking
    if not tracking:
        tracking.update(
            class_tracking=CLASS_TRACKING,
            track_locations=True,
            classes=[TENANT_CLASS],
            locations=[TENANT_LOCATION],
            tenant_class=TENANT_CLASS,
            tenant_location=TENANT_LOCATION,
            links=[],
            inactive_classes=[],
        )
    return tracking


def _link(state: State, app_location: str, class_name: str) -> dict[str, Any]:
    tracking = _tracking(state)
    tracking["classes"].append(class_name)
    tracking["links"].append({"app_location": app_location, "class": class_name})
    return tracking


def prepare_location_not_linked(gen: Generator, state: State) -> None:
    _link(state, LINKED, LINKED_CLASS)


def location_not_linked(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["location"] = UNLINKED
    gen.record(state, "invoice", inv, "failed", "location_not_linked")


def prepare_class_inactive(gen: Generator, state: State) -> None:
    _link(state, CLOSED, CLOSED_CLASS)["inactive_classes"].append(CLOSED_CLASS)


def class_inactive(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["location"] = CLOSED
    gen.record(state, "invoice", inv, "failed", "class_inactive")
