"""Classes and locations (issue 13, item 4): why an invoice's class or location cannot go.

``class_name`` / ``location_name`` are QuickBooks' names as its screens show them (quoted, or
"that is no longer in QuickBooks (it had Id N)"); ``location_label`` is the company's own word
for locations (its "Location label" setting: location, department, store, ...);
``app_location`` the billing app's location of the invoice. Checked before anything is sent
(validate/tracking.py).
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

RESYNC = "Then resync the record (qbo_resync DAG, or wait for the next scheduled run)."
TENANT_TRACKING = "python -m qbo_sync.tenants tracking --tenant-id {tenant_id}"
MAP_LOCATION = "python -m qbo_sync.tenants map-location --tenant-id {tenant_id}"

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "class_tracking_off",
        "Class tracking is off in QuickBooks",
        "configuration",
        "Invoice {number} is to carry the QuickBooks class {class_name}, but QuickBooks company "
        "'{company}' does not track classes (Track classes is off in its settings), so QuickBooks "
        "would drop the class and this income would not be split by class.",
        "In QuickBooks, open Settings (the gear) > Account and settings > Advanced > Categories, "
        "turn on Track classes (QuickBooks Online Plus or Advanced), choose how classes are "
        "assigned and Save; or stop sending a class for this tenant: `" + TENANT_TRACKING + " --no-class`. " + RESYNC,
    ),
    Entry(
        "location_tracking_off",
        "Location tracking is off in QuickBooks",
        "configuration",
        "Invoice {number} is to carry the QuickBooks {location_label} {location_name}, but QuickBooks "
        "company '{company}' does not track locations (Track locations is off in its settings), so "
        "QuickBooks would drop it and this income would not be split by {location_label}.",
        "In QuickBooks, open Settings (the gear) > Account and settings > Advanced > Categories, "
        "turn on Track locations (QuickBooks Online Plus or Advanced) and Save; or stop sending a "
        "location for this tenant: `" + TENANT_TRACKING + " --no-location`. " + RESYNC,
    ),
    Entry(
        "class_inactive",
        "Invalid Reference Id: class",
        "configuration",
        "Invoice {number} is to carry the QuickBooks class {class_name}, which is inactive or was "
        "deleted in QuickBooks (app location: {app_location}).",
        "In QuickBooks, make the class active again (Settings > All lists > Classes, filter with "
        "Include inactive, then Make active), or choose another class: for the tenant `"
        + TENANT_TRACKING
        + " --class NAME`, for an app location `"
        + MAP_LOCATION
        + " --app-location LOCATION --class NAME`. "
        + RESYNC,
    ),
    Entry(
        "location_inactive",
        "Invalid Reference Id: location",
        "configuration",
        "Invoice {number} is to carry the QuickBooks {location_label} {location_name}, which is "
        "inactive or was deleted in QuickBooks (app location: {app_location}).",
        "In QuickBooks, make it active again (Settings > All lists > Locations, filter with Include "
        "inactive, then Make active), or choose another: for the tenant `"
        + TENANT_TRACKING
        + " --location NAME`, for an app location `"
        + MAP_LOCATION
        + " --app-location LOCATION --location NAME`. "
        + RESYNC,
    ),
    Entry(
        "location_not_linked",
        "App location not linked to a class or location",
        "configuration",
        "Invoice {number} belongs to '{app_location}' in the billing app, and tenant {tenant_id} "
        "splits its income by app location, but '{app_location}' is linked to no QuickBooks class "
        "or location (linked: {linked_locations}); sent as it is, its income would land in no "
        "clinic's class.",
        "Link it: `" + MAP_LOCATION + " --app-location '{app_location}' --class NAME` (and/or "
        "--location NAME; the QuickBooks names, created first in QuickBooks under Settings > All "
        "lists), or correct the invoice's location in the billing app. " + RESYNC,
    ),
)
