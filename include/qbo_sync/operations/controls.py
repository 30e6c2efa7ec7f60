"""Finance's controls over single records: resync, exclude, include (no Airflow here).

The qbo_resync DAG and the "QuickBooks sync" page call these. An action is all or
nothing: if any listed record is unknown (or cannot take the action) nothing changes and
the refusal says which and why. Every change is written to ``record_controls`` (latest
state, with note and updated_by) and to ``record_actions`` (the audit trail).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg

from qbo_sync.db.sqlfiles import load_sql

ACTIONS = ("resync_failed", "resync", "exclude", "include")
ENTITIES = (
    "customer",
    "invoice",
    "credit_memo",
    "payment",
    "invoice_void",
    "payment_import",
    "refund",
    "refund_import",
)
WIDTH = 100


class ActionRefused(ValueError):
    """The request cannot be carried out as asked; nothing was changed."""


@dataclass(frozen=True)
class Record:
    entity: str
    source_id: int
    source_ref: str | None
    status: str  # latest status before the action (record_status)

    @property
    def label(self) -> str:
        ref = self.source_ref or f"id {self.source_id}"
        return f"{self.entity} {ref} (id {self.source_id})"


@dataclass
class ActionResult:
    action: str
    tenant_id: int
    requested_by: str
    dag_run_id: str | None
    changed: list[Record] = field(default_factory=list)
    unchanged: list[Record] = field(default_factory=list)  # already in the asked state

    @property
    def needs_sync(self) -> bool:
        """Records flagged for resync, which a qbo_sync run should pick up."""
        return self.action in ("resync", "resync_failed") and bool(self.changed)

    def as_dict(self) -> dict:
        """Small and JSON-safe, for XCom: ids and references only."""

        def rows(records: list[Record]) -> list[dict]:
            return [
                {"entity": r.entity, "source_id": r.source_id, "source_ref": r.source_ref, "status": r.status}
                for r in records
            ]

        return {
            "action": self.action,
            "tenant_id": self.tenant_id,
            "requested_by": self.requested_by,
            "dag_run_id": self.dag_run_id,
            "changed": rows(self.changed),
            "unchanged": rows(self.unchanged),
            "needs_sync": self.needs_sync,
        }


def _note(action: str, requested_by: str, dag_run_id: str | None, note: str | None) -> str:
    text = f"{action} by {requested_by}"
    if dag_run_id:
        text += f" (qbo_resync run {dag_run_id})"
    if note:
        text += f": {note.strip()}"
    return text[:1000]


def _known(
    conn: psycopg.Connection, tenant_id: int, entity: str, source_ids: list[int]
) -> dict[int, tuple[Record, bool]]:
    rows = conn.execute(
        load_sql("operations/known_records"), {"tenant_id": tenant_id, "entity": entity, "source_ids": source_ids}
    ).fetchall()
    return {sid: (Record(entity, sid, ref, status), excluded) for sid, ref, status, excluded, _requested in rows}


def failed_records(conn: psycopg.Connection, tenant_id: int, entity: str | None = None) -> list[Record]:
    """Records whose latest outcome is a failure and that are not excluded."""
    rows = conn.execute(load_sql("operations/failed_records"), {"tenant_id": tenant_id, "entity": entity}).fetchall()
    return [Record(e, sid, ref, "failed") for e, sid, ref in rows]


def apply(
    conn: psycopg.Connection,
    *,
    action: str,
    tenant_id: int,
    entity: str | None = None,
    source_ids: Iterable[int] = (),
    requested_by: str,
    dag_run_id: str | None = None,
    note: str | None = None,
) -> ActionResult:
    """Carry out one action in one transaction; raises ActionRefused, changing nothing."""
    if action not in ACTIONS:
        raise ActionRefused(f"unknown action {action!r}; choose one of {', '.join(ACTIONS)}")
    if not requested_by:
        raise ActionRefused("who asked is not known; every action must name a person")
    result = ActionResult(action, tenant_id, requested_by, dag_run_id)
    with conn.transaction():
        if action == "resync_failed":
            targets = failed_records(conn, tenant_id, entity)
            by_entity: dict[str, list[Record]] = {}
            for r in targets:
                by_entity.setdefault(r.entity, []).append(r)
            for ent, records in by_entity.items():
                _write(conn, "resync", tenant_id, ent, records, requested_by, dag_run_id, note)
            result.changed = targets
            return result

        ids = _ids(source_ids)
        if entity not in ENTITIES:
            raise ActionRefused(f"unknown entity {entity!r}; choose one of {', '.join(ENTITIES)}")
        if not ids:
            raise ActionRefused(
                f"{action} needs the ids of the {entity} records to act on (param source_ids); none were given"
            )
        known = _known(conn, tenant_id, entity, ids)
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ActionRefused(
                f"tenant {tenant_id} has no {entity} with id {', '.join(map(str, unknown))} in "
                "the sync log, so nothing was changed. Check the tenant, the entity and the ids "
                "against the QuickBooks sync page (or qbo_sync.record_status); a record the sync "
                "has never seen cannot be resynced, excluded or included."
            )
        records = [known[i][0] for i in ids]
        excluded = {i for i in ids if known[i][1]}
        if action == "resync":
            if excluded:
                raise ActionRefused(
                    f"{entity} {', '.join(known[i][0].label for i in sorted(excluded))} is "
                    "excluded from resync, so nothing was changed. Include it first "
                    "(action include), then resync it."
                )
            result.changed = records
        elif action == "exclude":
            result.changed = [r for r in records if r.source_id not in excluded]
            result.unchanged = [r for r in records if r.source_id in excluded]
        else:  # include
            result.changed = [r for r in records if r.source_id in excluded]
            result.unchanged = [r for r in records if r.source_id not in excluded]
        if result.changed:
            _write(conn, action, tenant_id, entity, result.changed, requested_by, dag_run_id, note)
    return result


def _ids(source_ids: Iterable[int]) -> list[int]:
    seen: list[int] = []
    for raw in source_ids:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ActionRefused(f"{raw!r} is not a record id (ids are whole numbers)") from None
        if value not in seen:
            seen.append(value)
    return seen


def _write(
    conn: psycopg.Connection,
    action: str,
    tenant_id: int,
    entity: str,
    records: list[Record],
    requested_by: str,
    dag_run_id: str | None,
    note: str | None,
) -> None:
    ids = [r.source_id for r in records]
    params = {
        "tenant_id": tenant_id,
        "entity": entity,
        "source_ids": ids,
        "requested_by": requested_by,
        "note": _note(action, requested_by, dag_run_id, note),
    }
    if action == "resync":
        conn.execute(load_sql("operations/request_resync"), params)
    else:
        conn.execute(load_sql("operations/set_excluded"), {**params, "excluded": action == "exclude"})
    conn.execute(
        load_sql("operations/log_action"),
        {
            "tenant_id": tenant_id,
            "entity": entity,
            "source_ids": ids,
            "action": action,
            "requested_by": requested_by,
            "dag_run_id": dag_run_id,
            "note": note,
        },
    )


def clear_honoured_resyncs(conn: psycopg.Connection, run_id: str) -> list[tuple[int, str, int, str]]:
    """Clear the resync requests a qbo_sync run honoured (synced or skipped on purpose).

    Meant for the end of every qbo_sync run (its report task); safe to call again."""
    with conn.transaction():
        return [
            tuple(r) for r in conn.execute(load_sql("operations/clear_honoured_resyncs"), {"run_id": run_id}).fetchall()
        ]


def history(conn: psycopg.Connection, tenant_id: int, entity: str, source_id: int) -> list[tuple]:
    return conn.execute(
        load_sql("operations/record_history"), {"tenant_id": tenant_id, "entity": entity, "source_id": source_id}
    ).fetchall()


# --- what the task log shows ---------------------------------------------------------------

_VERBS = {
    "resync_failed": ("flagged for resync", "nothing failed: no record to resync"),
    "resync": ("flagged for resync", ""),
    "exclude": ("excluded from resync", "already excluded"),
    "include": ("included again", "were not excluded"),
}


def render(
    result: dict, *, triggered_run_id: str | None = None, sync_now: bool = True, refused: str | None = None
) -> str:
    """The one block that ends the qbo_resync log, in words for finance."""
    title = f"QuickBooks resync - tenant {result.get('tenant_id')} - {result.get('action')}"
    lines = ["=" * WIDTH, title, "=" * WIDTH, f"requested by: {result.get('requested_by')}"]
    if refused:
        lines.append("REFUSED - nothing was changed:")
        lines += ["  " + chunk for chunk in textwrap.wrap(refused, WIDTH - 2)]
        lines.append("=" * WIDTH)
        return "\n".join(lines)
    done, already = _VERBS[result["action"]]
    changed, unchanged = result.get("changed", []), result.get("unchanged", [])
    if not changed and result["action"] == "resync_failed":
        lines.append(already)
    else:
        lines.append(f"{len(changed)} record(s) {done}:")
        for r in changed:
            lines.append(
                f"  {r['entity']:<10} {str(r['source_ref'] or ''):<30} id {r['source_id']:<8} last status {r['status']}"
            )
    if unchanged:
        lines.append(f"{len(unchanged)} record(s) left as they were ({already}):")
        for r in unchanged:
            lines.append(f"  {r['entity']:<10} {str(r['source_ref'] or ''):<30} id {r['source_id']}")
    if result.get("needs_sync"):
        if triggered_run_id:
            lines.append(
                f"qbo_sync run {triggered_run_id} was started to send them now; its "
                "report task lists the outcome of each."
            )
        elif sync_now:
            lines.append("The qbo_sync run could not be started; the next scheduled run sends them.")
        else:
            lines.append("The next scheduled qbo_sync run sends them (sync_now was off).")
    if result["action"] == "exclude" and changed:
        lines.append("Scheduled runs will not retry them; the sync log shows them as excluded.")
    if result["action"] == "include" and changed:
        lines.append("Failed ones are retried by the next qbo_sync run.")
    lines.append("=" * WIDTH)
    return "\n".join(lines)
