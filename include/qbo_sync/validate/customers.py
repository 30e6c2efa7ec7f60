"""Validate the clients a run needs in QuickBooks, and decide each one's DisplayName.

A client whose DisplayName QuickBooks already has is linked, not duplicated, when the
holder is an active customer that is not mapped to another client (the seeds' apps
"look for a matching customer"). A vendor or employee with that name, an inactive
customer, or a customer that belongs to another client is a clash with a fix.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import psycopg

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.read import TenantSettings, staged_customers
from qbo_sync.transform.customer import EMAIL_MAX, Client, display_name, has_name
from qbo_sync.validate.company import NameHolder, QuickBooksLookups
from qbo_sync.validate.gx_runner import Check, SuiteRunner

CHECKS = [
    Check("client_without_name", "ExpectColumnValuesToBeInSet", {"column": "has_name", "value_set": [True]}),
    Check("email_too_long", "ExpectColumnValuesToBeBetween", {"column": "email_length", "max_value": EMAIL_MAX}),
    Check("name_clash_in_run", "ExpectColumnValuesToBeBetween", {"column": "same_name_in_run", "max_value": 0}),
    Check("name_clash_vendor", "ExpectColumnValuesToBeInSet", {"column": "vendor_clash", "value_set": [False]}),
    Check("name_clash_employee", "ExpectColumnValuesToBeInSet", {"column": "employee_clash", "value_set": [False]}),
    Check("name_clash_customer", "ExpectColumnValuesToBeInSet", {"column": "customer_clash", "value_set": [False]}),
    Check("client_inactive_in_quickbooks", "ExpectColumnValuesToBeInSet", {"column": "inactive_in_qbo", "value_set": [False]}),
    Check("parent_client_loop", "ExpectColumnValuesToBeInSet", {"column": "no_parent_loop", "value_set": [True]}),
    Check("parent_client_not_synced", "ExpectColumnValuesToBeInSet", {"column": "parent_ok", "value_set": [True]}),
]
# When a record fails several checks, the first of these explains it; the rest are noted.
PRIORITY = [c.code for c in CHECKS]


@dataclass
class CustomerPlan:
    client: Client
    depth: int
    display_name: str
    qbo_id: str | None  # already mapped, or an existing customer to link to
    context: dict


def _suffixes(clients: list[Client], settings: TenantSettings) -> dict[int, int | None]:
    """With the 'suffix' policy, the second and later same-named clients get ' - 2', ' - 3'."""
    if settings.name_clash_policy != "suffix":
        return {c.id: None for c in clients}
    groups: dict[str, list[int]] = defaultdict(list)
    for c in sorted(clients, key=lambda c: c.id):
        groups[display_name(c, settings.display_name_template).lower()].append(c.id)
    result: dict[int, int | None] = {}
    for ids in groups.values():
        for rank, cid in enumerate(ids, start=1):
            result[cid] = rank if rank > 1 else None
    return result


def _parent_loops(clients: list[Client]) -> dict[int, str]:
    """Client id -> its parent chain, for clients whose chain of parents runs in a circle."""
    parent_of = {c.id: c.parent_client_id for c in clients}
    loops: dict[int, str] = {}
    for c in clients:
        chain = [c.id]
        while parent_of.get(chain[-1]) is not None and parent_of[chain[-1]] in parent_of:
            nxt = parent_of[chain[-1]]
            if nxt in chain:
                loops[c.id] = " -> ".join(str(i) for i in [*chain, nxt])
                break
            chain.append(nxt)
    return loops


def validate_customers(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    *,
    tenant_id: int,
    realm_id: str,
    settings: TenantSettings,
    lookups: QuickBooksLookups,
    runner: SuiteRunner | None = None,
) -> dict[str, int]:
    import pandas as pd  # noqa: PLC0415 - heavy; only inside tasks

    staged = staged_customers(conn, ctx.run_id, tenant_id)
    if not staged:
        return {"evaluated": 0, "failed": 0, "ready": 0}
    clients = [c for c, _ in staged]
    suffix = _suffixes(clients, settings)
    names = {c.id: display_name(c, settings.display_name_template, suffix[c.id]) for c in clients}
    holders = lookups.names(names.values())
    # Parents too: a sub-client's parent may be in QuickBooks from an earlier run.
    related = {c.id for c in clients} | {c.parent_client_id for c in clients if c.parent_client_id}
    mapped = dict(conn.execute(load_sql("validate/entity_map_ids"), {
        "tenant_id": tenant_id, "entity": "customer", "source_ids": sorted(related),
    }).fetchall())
    holder_ids = [h.qbo_id for hs in holders.values() for h in hs if h.kind == "Customer"]
    owner_of = dict(conn.execute(load_sql("validate/mapped_qbo_ids"), {
        "realm_id": realm_id, "entity": "customer", "qbo_ids": holder_ids,
    }).fetchall())
    by_name: dict[str, list[int]] = defaultdict(list)
    for c in clients:
        if c.id not in mapped:  # a client already in QuickBooks keeps its name
            by_name[names[c.id].lower()].append(c.id)

    rows, plans = [], {}
    staged_ids = {c.id for c in clients}
    loops = _parent_loops(clients)
    outside = sorted({c.parent_client_id for c in clients if c.parent_client_id
                      and c.parent_client_id not in staged_ids and c.parent_client_id not in mapped})
    parents_here = {r[0] for r in conn.execute(load_sql("extract/clients_by_id"), {"ids": outside})
                    if r[1] == tenant_id}
    for client, depth in staged:
        name = names[client.id]
        found: list[NameHolder] = holders.get(name.lower(), [])
        own_id = mapped.get(client.id)
        customer_holders = [h for h in found if h.kind == "Customer"]
        mine = next((h for h in customer_holders if h.qbo_id == own_id), None)
        linkable = next((h for h in customer_holders
                         if h.active and owner_of.get(h.qbo_id) in (None, client.id)), None)
        other_owner = next((h for h in customer_holders
                            if owner_of.get(h.qbo_id) not in (None, client.id)), None)
        inactive = next((h for h in customer_holders if not h.active
                         and owner_of.get(h.qbo_id) in (None, client.id)), None)
        qbo_id = own_id or (linkable.qbo_id if linkable else None)
        parent = client.parent_client_id
        rows.append({
            "client_id": client.id,
            "has_name": has_name(client),
            "email_length": len((client.email or "").strip()),
            # Without the differentiator, clients who would share a name all wait for a
            # person to say whether they are one client (merge) or several (differentiate).
            "same_name_in_run": 0 if settings.name_clash_policy == "suffix" or client.id in mapped
            else len(by_name[name.lower()]) - 1,
            "vendor_clash": any(h.kind == "Vendor" for h in found),
            "employee_clash": any(h.kind == "Employee" for h in found),
            "customer_clash": bool(other_owner) and not mine and not linkable,
            "inactive_in_qbo": bool(inactive) and not mine and not linkable
            or (mine is not None and not mine.active),
            # A parent must be in QuickBooks already, or be loaded earlier in this run.
            "parent_ok": parent is None or parent in mapped or parent in staged_ids,
            "no_parent_loop": client.id not in loops,
        })
        plans[client.id] = CustomerPlan(client, depth, name, qbo_id, {
            "client_id": client.id, "display_name": name, "parent_id": parent,
            "length": len((client.email or "").strip()),
            "ids": ", ".join(str(i) for i in by_name[name.lower()]),
            "qbo_id": (other_owner or inactive or mine or linkable).qbo_id
            if (other_owner or inactive or mine or linkable) else None,
            "parent_reason": "it is not part of this sync" if parent is None or parent in parents_here
            or parent in staged_ids or parent in mapped else "no such client exists for this tenant",
            "path": loops.get(client.id, ""),
        })

    runner = runner or SuiteRunner("customers", CHECKS, "client_id")
    result = runner.validate(pd.DataFrame(rows))
    failing_codes: dict[int, list[str]] = defaultdict(list)
    for code in PRIORITY:
        for cid in result.failing.get(code, []):
            failing_codes[cid].append(code)

    # Parents first: a child of a parent that failed here fails too, with the reason.
    failed_reason: dict[int, str] = {}
    counts = {"evaluated": len(staged), "failed": 0, "ready": 0}
    ready: dict[int, str] = {}  # client id -> its plan (display name, QuickBooks Id to link)
    with conn.transaction():
        for client, _depth in staged:
            plan = plans[client.id]
            codes = failing_codes.get(client.id, [])
            parent = client.parent_client_id
            if not codes and parent in failed_reason:
                codes = ["parent_client_not_synced"]
                plan.context["parent_reason"] = failed_reason[parent]
            if codes:
                primary, others = codes[0], codes[1:]
                outcome = outcomes.from_catalog(
                    primary, tenant_id=tenant_id, entity="customer", source_id=client.id,
                    source_ref=plan.display_name if has_name(client) else f"client {client.id}",
                    realm_id=realm_id,
                    also=[outcomes.explain(c, **plan.context)[1] for c in others],
                    **plan.context,
                )
                outcomes.record(conn, ctx, outcome)
                outcomes.set_state(conn, ctx.run_id, tenant_id, "customer", client.id, "invalid")
                failed_reason[client.id] = outcome.cause or primary
                counts["failed"] += 1
            else:
                ready[client.id] = json.dumps({"display_name": plan.display_name, "qbo_id": plan.qbo_id})
                counts["ready"] += 1
        if ready:  # one statement for the chunk, not one per client (issue 9)
            conn.execute(load_sql("validate/set_customer_plans"), {
                "run_id": ctx.run_id, "tenant_id": tenant_id, "source_ids": list(ready),
                "payloads": list(ready.values())})
        _save_report(conn, ctx.run_id, tenant_id, "customer", result.summary, counts)
    return counts


def _save_report(conn, run_id, tenant_id, entity, summary, counts) -> None:
    conn.execute(load_sql("validate/save_report"), {
        "run_id": run_id, "tenant_id": tenant_id, "entity": entity,
        "success": counts["failed"] == 0, "evaluated": counts["evaluated"],
        "failed": counts["failed"], "result": json.dumps(summary),
    })
