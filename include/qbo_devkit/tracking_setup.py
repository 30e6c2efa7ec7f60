"""Classes and locations in a demo company (the generator's ``quickbooks_setup.tracking``,
made by ``generator/cases_tracking.py``), set up the way the company's people would: in
QuickBooks first, then with the product's own commands."""

from __future__ import annotations

import contextlib
import io
from typing import Any


def apply_tracking(
    conn: Any, emu: Any, client: Any, company: dict[str, Any], tenant_id: int, tracking: dict[str, Any]
) -> list[str]:
    """Classes and locations, as the company's people set them up: Track classes and Track
    locations turned on in QuickBooks' settings (the emulator's control API stands for the
    screen), the classes and locations created there, then the tenant's class and location
    and its app-location links saved with the product's own ``python -m qbo_sync.tenants
    tracking`` and ``map-location``; last, a linked class someone made inactive."""
    if not tracking:
        return []
    from qbo_sync.tenants import tracking as tenant_tracking
    from qbo_sync.tenants.__main__ import _parser

    emu.set_preferences(
        company["realm_id"], class_tracking=tracking["class_tracking"], track_locations=tracking["track_locations"]
    )
    done = [f"Track classes on ({tracking['class_tracking'].replace('_', ' ')}), Track locations on"]
    class_ids: dict[str, str] = {}
    for full_name in tracking["classes"]:
        parent, _, name = full_name.rpartition(":")
        sub = {"SubClass": True, "ParentRef": {"value": class_ids[parent]}} if parent else {}
        class_ids[full_name] = client.create("Class", {"Name": name, **sub}).entity["Id"]
    for name in tracking["locations"]:
        client.create("Department", {"Name": name})
    classes, locations = (", ".join(map(repr, tracking[key])) for key in ("classes", "locations"))
    done.append(f"classes {classes} and locations {locations} created")
    tenant = ["--tenant-id", str(tenant_id)]
    commands = [["tracking", *tenant, "--class", tracking["tenant_class"], "--location", tracking["tenant_location"]]]
    for link in tracking["links"]:
        commands.append(["map-location", *tenant, "--app-location", link["app_location"], "--class", link["class"]])
    with contextlib.redirect_stdout(io.StringIO()):  # what each command prints: the settings it saved
        for argv in commands:
            tenant_tracking.run(conn, _parser().parse_args(argv), client)
    conn.commit()
    done.append(f"tenant's class {tracking['tenant_class']!r} and location {tracking['tenant_location']!r}")
    done += [f"app location {link['app_location']!r} -> class {link['class']!r}" for link in tracking["links"]]
    for full_name in tracking["inactive_classes"]:
        current = client.read("Class", class_ids[full_name])
        client.update("Class", {**current, "Active": False})
        done.append(f"class {full_name!r} made inactive")
    return done
