"""Validate the clients a run needs in QuickBooks, and decide each one's DisplayName.

A client whose DisplayName QuickBooks already has is linked, not duplicated, when the
holder is an active customer that is not mapped to another client (the seeds' apps
"look for a matching customer"). A vendor or employee with that name, an inactive
customer, or a customer that belongs to another client is a clash with a fix.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import psycopg

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.read import staged_customers
from qbo_sync.extract.records import Client, TenantSettings
from qbo_sync.transform.customer import EMAIL_MAX, display_name, email_problem, has_name
from qbo_sync.validate import templates
from qbo_sync.validate.company import NameHolder, QuickBooksLookups
from qbo_sync.validate.gx_runner import Check, SuiteRunner, runner_for

CHECKS = [
    Check("client_without_name", "ExpectColumnValuesToBeInSet", {"column": "has_name", "value_set": [True]}),
    Check("email_too_long", "ExpectColumnValuesToBeBetween", {"column": "email_length", "max_value": EMAIL_MAX}),
    # Fails only under the tenant's 'fail' policy; under 'omit' the client syncs without it.
    Check("invalid_email", "ExpectColumnValuesToBeInSet", {"column": "email_ok", "value_set": [True]}),
    Check("name_clash_in_run", "ExpectColumnValuesToBeBetween", {"column": "same_name_in_run", "max_value": 0}),
    Check("name_clash_vendor", "ExpectColumnValuesToBeInSet", {"column": "vendor_clash", "value_set": [False]}),
    Check("name_clash_employee", "ExpectColumnValuesToBeInSet", {"column": "employee_clash", "value_set": [False]}),
    Check("name_clash_customer", "ExpectColumnValuesToBeInSet", {"column": "customer_clash", "value_set": [False]}),
    Check(
        "client_inactive_in_quickbooks",
        "ExpectColumnValuesToBeInSet",
        {"column": "inactive_in_qbo", "value_set": [False]},
    ),
    Check("parent_client_loop", "ExpectColumnValuesToBeInSet", {"column": "no_parent_loop", "value_set": [True]}),
    Check("parent_client_not_synced", "ExpectColumnValuesToBeInSet", {"column": "parent_ok", "value_set": [True]}),
]
# When a record fails several checks, the first of these explains it; the rest are noted.
PRIORITY = [c.code for c in CHECKS]


CHUNK = 5000  # clients per Great Expectations batch, as for invoices


@dataclass
class CustomerPlan:
    client: Client
    depth: int
    display_name: str
    qbo_id: str | None  # already mapped, or an existing customer to link to
    context: dict


@dataclass
class RunIndex:
    """What one client's checks need from the whole run, kept compact (numbers, and the
    names that more than one client would take) so memory does not grow with the run."""

    staged: array  # every staged client id, sorted
    has_children: set[int]  # staged clients that are the parent of a staged client
    ranks: dict[int, int]  # 'suffix' policy: client id -> n of its ' - n' (n >= 2)
    # Other policies: lower-cased name -> the clients without a QuickBooks customer yet that
    # would take it, in staged order; only names taken more than once.
    shared_names: dict[str, list[int]]
    loops: dict[int, str]  # client id -> its parent chain, where the chain runs in a circle

    def is_staged(self, client_id: int) -> bool:
        i = bisect_left(self.staged, client_id)
        return i < len(self.staged) and self.staged[i] == client_id


def _parent_loops(parent_of: dict[int, int], is_staged) -> dict[int, str]:
    """Client id -> its parent chain, for staged clients whose chain of staged parents runs
    in a circle. ``parent_of`` holds the staged clients that have a parent."""
    loops: dict[int, str] = {}
    for cid in parent_of:
        chain = [cid]
        while (nxt := parent_of.get(chain[-1])) is not None and is_staged(nxt):
            if nxt in chain:
                loops[cid] = " -> ".join(str(i) for i in [*chain, nxt])
                break
            chain.append(nxt)
    return loops


def index_run(
    conn: psycopg.Connection, run_id: str, tenant_id: int, settings: TenantSettings, chunk: int = CHUNK
) -> RunIndex | None:
    """First pass over the staged clients, a chunk at a time: the run-wide facts (names
    shared in the run, the ' - n' of the 'suffix' policy, parent loops). None if none staged."""
    suffix_policy = settings.name_clash_policy == "suffix"
    ids = array("q")
    parent_of: dict[int, int] = {}
    # Lower-cased name -> the one client taking it, or every client taking it (a list).
    # 'suffix': all clients, numbered by id. Otherwise: clients not in QuickBooks yet (a
    # client already there keeps its name).
    takers: dict[str, int | list[int]] = {}
    for part in staged_customers(conn, run_id, tenant_id, chunk):
        mapped: set[int] = (
            set()
            if suffix_policy
            else {
                r[0]
                for r in conn.execute(
                    load_sql("validate/entity_map_ids"),
                    {"tenant_id": tenant_id, "entity": "customer", "source_ids": [c.id for c, _ in part]},
                )
            }
        )
        for client, _depth in part:
            ids.append(client.id)
            if client.parent_client_id is not None:
                parent_of[client.id] = client.parent_client_id
            if client.id in mapped:
                continue
            key = display_name(client, settings.display_name_template).lower()
            held = takers.setdefault(key, client.id)
            if isinstance(held, list):
                held.append(client.id)
            elif held != client.id:
                takers[key] = [held, client.id]
    if not ids:
        return None
    shared = {k: v for k, v in takers.items() if isinstance(v, list)}
    del takers
    index = RunIndex(array("q", sorted(ids)), set(), {}, {}, {})
    del ids
    if suffix_policy:
        # The second and later same-named clients, by id, get ' - 2', ' - 3'.
        index.ranks = {
            cid: rank for group in shared.values() for rank, cid in enumerate(sorted(group), start=1) if rank > 1
        }
    else:
        index.shared_names = shared
    index.has_children = {p for p in parent_of.values() if index.is_staged(p)}
    index.loops = _parent_loops(parent_of, index.is_staged)
    return index


def validate_customers(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    *,
    tenant_id: int,
    realm_id: str,
    settings: TenantSettings,
    lookups: QuickBooksLookups,
    chunk: int = CHUNK,
    runner: SuiteRunner | None = None,
) -> dict[str, int]:
    index = index_run(conn, ctx.run_id, tenant_id, settings, chunk)
    if index is None:
        return {"evaluated": 0, "failed": 0, "ready": 0}
    runner = runner or runner_for("customers", CHECKS, "client_id")
    counts = {"evaluated": 0, "failed": 0, "ready": 0}
    per_code: dict[str, int] = defaultdict(int)
    summaries: list[dict] = []
    # Parents first: a child of a parent that failed fails too, with the reason.
    failed_reason: dict[int, str] = {}  # parents only
    # One transaction for the run's clients: a retried task then sees them all again, and
    # the run-wide checks (shared names) stay whole.
    with conn.transaction():
        # Read behind the keyset: clients already checked have left 'extracted'.
        for part in staged_customers(conn, ctx.run_id, tenant_id, chunk):
            summaries.append(
                _validate_chunk(
                    conn,
                    ctx,
                    part,
                    index=index,
                    failed_reason=failed_reason,
                    counts=counts,
                    per_code=per_code,
                    tenant_id=tenant_id,
                    realm_id=realm_id,
                    settings=settings,
                    lookups=lookups,
                    runner=runner,
                )
            )
        report = {"chunks": summaries, "failed_by_code": dict(per_code), "counts": counts}
        _save_report(conn, ctx.run_id, tenant_id, "customer", report, counts)
    return counts


def _validate_chunk(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    staged: list[tuple[Client, int]],
    *,
    index: RunIndex,
    failed_reason: dict[int, str],
    counts: dict[str, int],
    per_code: dict[str, int],
    tenant_id: int,
    realm_id: str,
    settings: TenantSettings,
    lookups: QuickBooksLookups,
    runner: SuiteRunner,
) -> dict:
    import pandas as pd

    clients = [c for c, _ in staged]
    changed: dict[int, list[str]] = {c.id: [] for c in clients}  # what the name needed for QuickBooks
    names = {
        c.id: display_name(c, settings.display_name_template, index.ranks.get(c.id), adjustments=changed[c.id])
        for c in clients
    }
    holders = lookups.names(names.values())
    # Parents too: a sub-client's parent may be in QuickBooks from an earlier run.
    related = {c.id for c in clients} | {c.parent_client_id for c in clients if c.parent_client_id}
    mapped = dict(
        conn.execute(
            load_sql("validate/entity_map_ids"),
            {
                "tenant_id": tenant_id,
                "entity": "customer",
                "source_ids": sorted(related),
            },
        ).fetchall()
    )
    holder_ids = [h.qbo_id for hs in holders.values() for h in hs if h.kind == "Customer"]
    owner_of = dict(
        conn.execute(
            load_sql("validate/mapped_qbo_ids"),
            {
                "realm_id": realm_id,
                "entity": "customer",
                "qbo_ids": holder_ids,
            },
        ).fetchall()
    )
    outside = sorted(
        {
            c.parent_client_id
            for c in clients
            if c.parent_client_id and not index.is_staged(c.parent_client_id) and c.parent_client_id not in mapped
        }
    )
    parents_here = (
        {r[0] for r in conn.execute(load_sql("extract/clients_by_id"), {"ids": outside}) if r[1] == tenant_id}
        if outside
        else set()
    )

    # Made inactive in QuickBooks (qbo_sync.changes) and sent in this run (a resync, or the
    # policy app_wins): the send makes the customer active again, so it is not a failure here.
    reactivating = {
        source_id
        for source_id, kind in conn.execute(
            load_sql("changes/open_for"),
            {"tenant_id": tenant_id, "entity": "customer", "source_ids": [c.id for c, _ in staged]},
        )
        if kind == "inactive"
    }
    rows, plans = [], {}
    for client, depth in staged:
        name = names[client.id]
        found: list[NameHolder] = holders.get(name.lower(), [])
        own_id = mapped.get(client.id)
        customer_holders = [h for h in found if h.kind == "Customer"]
        mine = next((h for h in customer_holders if h.qbo_id == own_id), None)
        linkable = next((h for h in customer_holders if h.active and owner_of.get(h.qbo_id) in (None, client.id)), None)
        other_owner = next((h for h in customer_holders if owner_of.get(h.qbo_id) not in (None, client.id)), None)
        inactive = next(
            (h for h in customer_holders if not h.active and owner_of.get(h.qbo_id) in (None, client.id)), None
        )
        qbo_id = own_id or (linkable.qbo_id if linkable else None)
        parent = client.parent_client_id
        parent_staged = parent is not None and index.is_staged(parent)
        # Under 'suffix' names are never shared (the ' - n' tells them apart), so the check
        # cannot fail and its list of clients is never shown.
        sharing = index.shared_names.get(name.lower()) or [client.id]
        bad_email = email_problem(client.email)
        rows.append(
            {
                "client_id": client.id,
                "has_name": has_name(client),
                "email_length": len((client.email or "").strip()),
                "email_ok": bad_email is None or settings.invalid_email_policy == "omit",
                # Without the differentiator, clients who would share a name all wait for a
                # person to say whether they are one client (merge) or several (differentiate).
                "same_name_in_run": 0
                if settings.name_clash_policy == "suffix" or client.id in mapped
                else len(sharing) - 1,
                "vendor_clash": any(h.kind == "Vendor" for h in found),
                "employee_clash": any(h.kind == "Employee" for h in found),
                "customer_clash": bool(other_owner) and not mine and not linkable,
                "inactive_in_qbo": bool(inactive)
                and not mine
                and not linkable
                or (mine is not None and not mine.active and client.id not in reactivating),
                # A parent must be in QuickBooks already, or be loaded earlier in this run.
                "parent_ok": parent is None or parent in mapped or parent_staged,
                "no_parent_loop": client.id not in index.loops,
            }
        )
        plans[client.id] = CustomerPlan(
            client,
            depth,
            name,
            qbo_id,
            {
                "client_id": client.id,
                "display_name": name,
                "parent_id": parent,
                "length": len((client.email or "").strip()),
                "email": (client.email or "").strip(),
                "email_problem": bad_email or "",
                "ids": ", ".join(str(i) for i in sharing),
                "qbo_id": (other_owner or inactive or mine or linkable).qbo_id
                if (other_owner or inactive or mine or linkable)
                else None,
                "parent_reason": "it is not part of this sync"
                if parent is None or parent in parents_here or parent_staged or parent in mapped
                else "no such client exists for this tenant",
                "path": index.loops.get(client.id, ""),
            },
        )

    result = runner.validate(pd.DataFrame(rows))
    del rows
    failing_codes: dict[int, list[str]] = defaultdict(list)
    for code in PRIORITY:
        for cid in result.failing.get(code, []):
            failing_codes[cid].append(code)

    # A name clash's fix suggests a template that really frees the name (one look-up per chunk).
    clashing = [
        (c, index.ranks.get(c.id))
        for c, _ in staged
        if any(code.startswith("name_clash") for code in failing_codes.get(c.id, ()))
    ]
    for cid, template in templates.suggest(
        clashing, settings.display_name_template, lambda wanted: set(lookups.names(wanted))
    ).items():
        plans[cid].context["suggested_template"] = template

    ready: dict[int, str] = {}  # client id -> its plan (display name, QuickBooks Id to link)
    for client, _depth in staged:
        plan = plans[client.id]
        codes = failing_codes.get(client.id, [])
        parent = client.parent_client_id
        counts["evaluated"] += 1
        if not codes and parent in failed_reason:
            codes = ["parent_client_not_synced"]
            plan.context["parent_reason"] = failed_reason[parent]
        if codes:
            primary, others = codes[0], codes[1:]
            outcome = outcomes.from_catalog(
                primary,
                tenant_id=tenant_id,
                entity="customer",
                source_id=client.id,
                source_ref=plan.display_name if has_name(client) else f"client {client.id}",
                realm_id=realm_id,
                also=[outcomes.explain(c, **plan.context)[1] for c in others],
                **plan.context,
            )
            outcomes.record(conn, ctx, outcome)
            outcomes.set_state(conn, ctx.run_id, tenant_id, "customer", client.id, "invalid")
            if client.id in index.has_children:
                failed_reason[client.id] = outcome.cause or primary
            per_code[primary] += 1
            counts["failed"] += 1
        else:
            ready_plan = {"display_name": plan.display_name, "qbo_id": plan.qbo_id}
            if changed[client.id]:  # what the name needed for QuickBooks, said on its outcome
                ready_plan["adjustments"] = changed[client.id]
            ready[client.id] = json.dumps(ready_plan)
            counts["ready"] += 1
    if ready:  # one statement for the chunk, not one per client (issue 9)
        conn.execute(
            load_sql("validate/set_customer_plans"),
            {"run_id": ctx.run_id, "tenant_id": tenant_id, "source_ids": list(ready), "payloads": list(ready.values())},
        )
    return result.summary


def _save_report(conn, run_id, tenant_id, entity, summary, counts) -> None:
    conn.execute(
        load_sql("validate/save_report"),
        {
            "run_id": run_id,
            "tenant_id": tenant_id,
            "entity": entity,
            "success": counts["failed"] == 0,
            "evaluated": counts["evaluated"],
            "failed": counts["failed"],
            "result": json.dumps(summary),
        },
    )
