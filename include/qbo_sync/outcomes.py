"""Writing a record's outcome to ``qbo_sync.sync_log``.

Every record a run considers ends that run with exactly one row: the upsert keyed on
(run, tenant, entity, record) makes a retried or cleared task replace, not add.
A failure always carries a cause and a fix (the table refuses one without).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

import psycopg

from qbo_sync.catalog import explain, explain_fault, explain_quickbooks
from qbo_sync.db.sqlfiles import load_sql


@dataclass(frozen=True)
class RunContext:
    dag_id: str | None
    run_id: str
    task_id: str | None = None
    map_index: int | None = None
    try_number: int | None = None
    # An earlier attempt at this work may have died mid-write (a tenant's track taken over from
    # a run that never finished it): every record is looked up in QuickBooks before it is posted.
    interrupted: bool = False


@dataclass(frozen=True)
class Outcome:
    tenant_id: int
    entity: str
    source_id: int | None
    source_ref: str | None
    action: str
    status: str
    realm_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    category: str | None = None
    cause: str | None = None
    fix: str | None = None
    qbo_id: str | None = None
    amount: Decimal | None = None
    adjustments: str | None = None  # what was changed for QuickBooks (transform.adjustments)


_CONTEXT_FIELDS = tuple(f.name for f in fields(RunContext) if f.name != "interrupted")  # the columns
_OUTCOME_FIELDS = tuple(f.name for f in fields(Outcome))


def _context_params(ctx: RunContext) -> dict[str, object]:
    # Shallow on purpose: dataclasses.asdict deep-copies every value, per record.
    return {name: getattr(ctx, name) for name in _CONTEXT_FIELDS}


def record(conn: psycopg.Connection, ctx: RunContext, outcome: Outcome) -> None:
    _upsert(conn, ctx, [outcome])


def _upsert(conn: psycopg.Connection, ctx: RunContext, rows: Sequence[Outcome]) -> None:
    # One statement for one record or many: a retried or cleared task replaces its run's rows.
    params = _context_params(ctx)
    for name in _OUTCOME_FIELDS:
        params[name] = [getattr(o, name) for o in rows]
    conn.execute(load_sql("outcomes/upsert_many"), params)


def record_many(conn: psycopg.Connection, ctx: RunContext, items: Iterable[Outcome]) -> None:
    """Outcomes of several records in one statement (one round trip per batch of records,
    not per record). A record given twice keeps its last outcome, as two ``record`` calls would."""
    latest: dict[tuple, Outcome] = {}
    for i, outcome in enumerate(items):
        key = (outcome.tenant_id, outcome.entity, outcome.source_id) if outcome.source_id is not None else i
        latest.pop(key, None)  # re-insert: keep the order of last occurrence
        latest[key] = outcome
    if latest:
        _upsert(conn, ctx, list(latest.values()))


def set_state(conn: psycopg.Connection, run_id: str, tenant_id: int, entity: str, source_id: int, state: str) -> None:
    conn.execute(
        load_sql("outcomes/set_item_state"),
        {
            "run_id": run_id,
            "tenant_id": tenant_id,
            "entity": entity,
            "source_id": source_id,
            "state": state,
        },
    )


def set_states(
    conn: psycopg.Connection, run_id: str, tenant_id: int, entity: str, source_ids: Sequence[int], state: str
) -> None:
    """``set_state`` for many records in one statement."""
    if source_ids:
        conn.execute(
            load_sql("outcomes/set_items_state"),
            {
                "run_id": run_id,
                "tenant_id": tenant_id,
                "entity": entity,
                "source_ids": list(source_ids),
                "state": state,
            },
        )


def from_catalog(
    code: str,
    *,
    tenant_id: int,
    entity: str,
    source_id: int | None,
    source_ref: str | None,
    realm_id: str | None,
    amount: Decimal | None = None,
    also: list[str] | None = None,
    action: str | None = None,
    **context: object,
) -> Outcome:
    """An outcome explained by our own catalog (checks made before sending)."""
    entry, cause, fix = explain(code, tenant_id=tenant_id, source_id=source_id, **context)
    if also:
        cause = f"{cause} Also: {' '.join(also)}"
    return Outcome(
        tenant_id=tenant_id,
        entity=entity,
        source_id=source_id,
        source_ref=source_ref,
        action=action or ("skip" if entry.status == "skipped" else "create"),
        status=entry.status,
        realm_id=realm_id,
        error_code=code,
        category=entry.category,
        cause=cause,
        fix=fix,
        amount=amount,
    )


def for_tenant(text: str | None, tenant_id: int, realm_id: str | None) -> str | None:
    """A QuickBooks-fault text (``qbo_sync.catalog.entries_quickbooks``, which knows no tenant) with its
    ``<tenant>`` and ``<realm>`` filled in, so the commands it suggests run as written."""
    if text is None:
        return None
    text = text.replace("<tenant>", str(tenant_id))
    return text.replace("<realm>", realm_id) if realm_id else text


def from_fault(
    fault: object,
    *,
    tenant_id: int,
    realm_id: str | None,
    entity: str,
    source_id: int | None,
    source_ref: str | None,
    action: str,
    amount: Decimal | None = None,
) -> Outcome:
    """A failed outcome explained by QuickBooks' own fault (its kind, from ``qbo_client``,
    in the catalog's words)."""
    entry, cause, fix = explain_fault(fault)
    return Outcome(
        tenant_id=tenant_id,
        entity=entity,
        source_id=source_id,
        source_ref=source_ref,
        action=action,
        status="failed",
        realm_id=realm_id,
        error_code=str(fault.code),
        error_message=fault.summary(),
        category=entry.category,
        cause=for_tenant(cause, tenant_id, realm_id),
        fix=for_tenant(fix, tenant_id, realm_id),
        amount=amount,
    )


def unchanged(
    conn: psycopg.Connection,
    ctx: RunContext,
    *,
    tenant_id: int,
    realm_id: str | None,
    entity: str,
    source_id: int,
    source_ref: str | None,
    amount: Decimal | None,
    qbo_id: str | None,
) -> str:
    """A record already in QuickBooks and unchanged: ``skipped``, except that a re-run of a
    task that synced it in this same run keeps ``synced``. Returns the status it keeps."""
    prior = conn.execute(
        load_sql("outcomes/run_outcome"),
        {
            "run_id": ctx.run_id,
            "tenant_id": tenant_id,
            "entity": entity,
            "source_id": source_id,
        },
    ).fetchone()
    if prior and prior[0] == "synced":
        return "synced"
    record(
        conn,
        ctx,
        Outcome(
            tenant_id=tenant_id,
            entity=entity,
            source_id=source_id,
            source_ref=source_ref,
            action="skip",
            status="skipped",
            realm_id=realm_id,
            qbo_id=qbo_id,
            amount=amount,
            cause="Already in QuickBooks and unchanged since it was last sent.",
        ),
    )
    return "skipped"


def outcome_unknown(
    conn: psycopg.Connection,
    ctx: RunContext,
    *,
    tenant_id: int,
    realm_id: str | None,
    entity: str,
    source_id: int,
    source_ref: str | None,
    amount: Decimal | None,
    action: str = "create",
) -> None:
    """QuickBooks never answered for certain and the record is not there (yet): explained,
    and safe to retry because every retry looks the record up first."""
    e, cause, fix = explain_quickbooks("outcome_unknown")
    record(
        conn,
        ctx,
        Outcome(
            tenant_id=tenant_id,
            entity=entity,
            source_id=source_id,
            source_ref=source_ref,
            action=action,
            status="failed",
            realm_id=realm_id,
            error_code="outcome_unknown",
            category=e.category,
            cause=cause,
            fix=fix,
            amount=amount,
        ),
    )
