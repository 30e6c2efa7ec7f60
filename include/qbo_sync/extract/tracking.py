"""Classes and locations: which QuickBooks Class and Department (location) each invoice of a
tenant carries.

A tenant may set one class and one location for all its invoices (``tenants tracking``), and
link the billing app's own location of an invoice (``billing.invoices.location``: a clinic, a
site, a department) to a class and/or location of its own (``tenants map-location``). An
invoice whose app location is linked takes the link's class and location, and the tenant's
for what the link leaves unset; one without a location takes the tenant's. Once a tenant has
a link, an invoice naming a location without one fails before it is sent
(``location_not_linked``): its income would otherwise land in no clinic's class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from qbo_sync.db.sqlfiles import load_sql


def location_key(text: str) -> str:
    """How app locations are matched: case and spacing do not matter."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class LocationLink:
    app_location: str
    class_id: str | None
    department_id: str | None


@dataclass(frozen=True)
class Assignment:
    """What one invoice carries: its class and location Ids, and the app location they came
    from (None: the tenant's own); ``unlinked`` when its app location has no link."""

    class_id: str | None
    department_id: str | None
    app_location: str | None = None
    unlinked: bool = False


@dataclass(frozen=True)
class TrackingSettings:
    class_id: str | None = None
    department_id: str | None = None
    links: dict[str, LocationLink] = field(default_factory=dict)  # location_key -> link

    @property
    def in_use(self) -> bool:
        return bool(self.class_id or self.department_id or self.links)

    def assign(self, app_location: str | None) -> Assignment:
        location = " ".join(app_location.split()) if app_location else None
        if not location or not self.links:
            return Assignment(self.class_id, self.department_id, location)
        link = self.links.get(location_key(location))
        if link is None:
            return Assignment(self.class_id, self.department_id, location, unlinked=True)
        return Assignment(link.class_id or self.class_id, link.department_id or self.department_id, location)


def tracking_settings(conn: psycopg.Connection, tenant_id: int) -> TrackingSettings:
    row = conn.execute(load_sql("extract/tracking_settings"), {"tenant_id": tenant_id}).fetchone()
    links = {
        key: LocationLink(app, cls, dept)
        for key, app, cls, dept in conn.execute(load_sql("extract/location_links"), {"tenant_id": tenant_id})
    }
    class_id, department_id = row if row else (None, None)
    return TrackingSettings(class_id, department_id, links)


def invoice_locations(conn: psycopg.Connection, invoice_ids: list[int]) -> dict[int, str]:
    """Invoice id -> the billing app's location of it (only invoices that name one)."""
    if not invoice_ids:
        return {}
    return dict(conn.execute(load_sql("extract/invoice_locations"), {"invoice_ids": invoice_ids}).fetchall())
