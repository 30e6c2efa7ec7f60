"""``python -m qbo_sync.tenants tracking`` and ``map-location``: a tenant's QuickBooks class and
location (Class and Department in the API), for all its invoices or per app location.

    tracking      --tenant-id N [--class NAME | --no-class] [--location NAME | --no-location]
    map-location  --tenant-id N --app-location TEXT [--class NAME] [--location NAME]
    map-location  --tenant-id N --app-location TEXT --unlink

Names are looked up in the tenant's company (a class by its name or its full name,
"Clinics:Bondi"); a class is refused while the company does not track classes, a location
while it does not track locations, each with where to turn it on. Nothing is sent to
QuickBooks: the next invoices carry them (extract/tracking.py says which invoice gets what).
"""

from __future__ import annotations

import argparse
from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.tracking import location_key, tracking_settings
from qbo_sync.validate.tracking import label, tracking_facts

CATEGORIES = "Settings (the gear) > Account and settings > Advanced > Categories"


class TrackingRefused(ValueError):
    pass


def add_parsers(sub: Any) -> None:
    t = sub.add_parser("tracking", help="the QuickBooks class and location of all the tenant's invoices")
    t.add_argument("--tenant-id", type=int, required=True)
    which = t.add_mutually_exclusive_group()
    which.add_argument("--class", dest="class_name", help="QuickBooks class (its name or full name, A:B)")
    which.add_argument("--no-class", action="store_true", help="send no class")
    where = t.add_mutually_exclusive_group()
    where.add_argument("--location", dest="location_name", help="QuickBooks location (Department)")
    where.add_argument("--no-location", action="store_true", help="send no location")
    m = sub.add_parser("map-location", help="link a billing-app location to a QuickBooks class and/or location")
    m.add_argument("--tenant-id", type=int, required=True)
    m.add_argument("--app-location", required=True, help="the location as the billing app names it on invoices")
    m.add_argument("--class", dest="class_name", help="QuickBooks class for that location's invoices")
    m.add_argument("--location", dest="location_name", help="QuickBooks location for that location's invoices")
    m.add_argument("--unlink", action="store_true", help="forget the link")


def _resolve(client: Any, entity: str, name: str, word: str) -> str:
    from qbo_client import quote

    rows = client.query(f"select * from {entity} where FullyQualifiedName = {quote(name)}") or client.query(
        f"select * from {entity} where Name = {quote(name)}"
    )
    if len(rows) == 1:
        return str(rows[0]["Id"])
    known = sorted(str(r.get("FullyQualifiedName") or r.get("Name")) for r in client.query(f"select * from {entity}"))
    what = "several" if rows else "no active"
    where = "Classes" if entity == "Class" else "Locations"
    raise TrackingRefused(
        f"QuickBooks has {what} {word} called {name!r}. Active ones: {', '.join(known) or 'none'}. Create or "
        f"reactivate it in QuickBooks first (Settings > All lists > {where}), or give its full name. "
        "Nothing was changed."
    )


def _checked(client: Any, class_name: str | None, location_name: str | None) -> tuple[str | None, str | None]:
    """The Ids of the named class and location, refused while the company does not track them."""
    if not class_name and not location_name:
        return None, None
    prefs = (client.query("select * from Preferences") or [{}])[0]
    facts = tracking_facts(lambda _text: [], prefs)
    if class_name and facts.class_mode == "off":
        raise TrackingRefused(
            f"the QuickBooks company does not track classes, so QuickBooks would drop class {class_name!r} "
            f"from every invoice. Turn on Track classes in QuickBooks ({CATEGORIES}; QuickBooks Online Plus "
            "or Advanced), then run this again. Nothing was changed."
        )
    if location_name and not facts.track_locations:
        raise TrackingRefused(
            f"the QuickBooks company does not track locations, so QuickBooks would drop location "
            f"{location_name!r} from every invoice. Turn on Track locations in QuickBooks ({CATEGORIES}; "
            "QuickBooks Online Plus or Advanced), then run this again. Nothing was changed."
        )
    class_id = _resolve(client, "Class", class_name, "class") if class_name else None
    department_id = _resolve(client, "Department", location_name, "location") if location_name else None
    return class_id, department_id


def run(conn: psycopg.Connection, args: argparse.Namespace, client: Any) -> int:
    tid = args.tenant_id
    if args.command == "tracking":
        class_id, department_id = _checked(client, args.class_name, args.location_name)
        conn.execute(
            load_sql("tenants/tracking_set"),
            {
                "tenant_id": tid,
                "class_id": class_id,
                "department_id": department_id,
                "clear_class": bool(args.no_class),
                "clear_location": bool(args.no_location),
            },
        )
        print(f"tenant {tid}: class and location saved")
    elif args.unlink:
        if args.class_name or args.location_name:
            raise TrackingRefused("--unlink takes no --class or --location. Nothing was changed.")
        gone = conn.execute(
            load_sql("tenants/location_unlink"), {"tenant_id": tid, "location_key": location_key(args.app_location)}
        ).fetchone()
        if gone is None:
            raise TrackingRefused(f"app location {args.app_location!r} has no link. Nothing was changed.")
        print(f"tenant {tid}: app location {gone[0]!r} unlinked")
    else:
        if not args.class_name and not args.location_name:
            raise TrackingRefused("give --class and/or --location (or --unlink). Nothing was changed.")
        if not location_key(args.app_location):
            raise TrackingRefused("--app-location is empty. Nothing was changed.")
        class_id, department_id = _checked(client, args.class_name, args.location_name)
        conn.execute(
            load_sql("tenants/location_link"),
            {
                "tenant_id": tid,
                "location_key": location_key(args.app_location),
                "app_location": " ".join(args.app_location.split()),
                "class_id": class_id,
                "department_id": department_id,
            },
        )
        print(f"tenant {tid}: app location {args.app_location!r} linked")
    for line in show_lines(conn, tid, client):
        print(line)
    return 0


def show_lines(conn: psycopg.Connection, tenant_id: int, client: Any = None) -> list[str]:
    """What ``tenants show`` prints about classes and locations (names when ``client`` is given)."""
    settings = tracking_settings(conn, tenant_id)
    if not settings.in_use:
        return []
    known_classes: dict[str, tuple[str, bool]] = {}
    known_locations: dict[str, tuple[str, bool]] = {}
    if client is not None:
        facts = tracking_facts(client.query, {})
        known_classes, known_locations = facts.classes, facts.departments

    def name(known: dict[str, tuple[str, bool]], qbo_id: str | None) -> str:
        if not qbo_id:
            return "(none)"
        return label(known, qbo_id) if known else f"Id {qbo_id}"

    lines = [
        f"{'class':<22} {name(known_classes, settings.class_id)}",
        f"{'location':<22} {name(known_locations, settings.department_id)}",
    ]
    for link in settings.links.values():
        parts = [
            f"class {name(known_classes, link.class_id)}" if link.class_id else "",
            f"location {name(known_locations, link.department_id)}" if link.department_id else "",
        ]
        lines.append(f"{'app location':<22} {link.app_location} -> {', '.join(p for p in parts if p)}")
    if settings.links:
        linked = {location_key(link.app_location) for link in settings.links.values()}
        for app_location, count in conn.execute(load_sql("tenants/app_locations"), {"tenant_id": tenant_id}):
            if location_key(app_location) not in linked:
                lines.append(f"{'app location':<22} {app_location} -> NOT LINKED ({count} invoice(s))")
    return lines
