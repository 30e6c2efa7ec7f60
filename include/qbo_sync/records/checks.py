"""What link and unlink share: the refusal, the result, the checks against our tables, the one
read of QuickBooks, and the row each leaves in the record's history."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qbo_sync.catalog import explain
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.records.kinds import KINDS, AppRecord, Kind, app_record

ClientFactory = Callable[[int], Any]  # tenant id -> a QboClient (a context manager)
QBO_ID = re.compile(r"^[1-9][0-9]{0,19}$")


class LinkRefused(ValueError):
    """Link or unlink refused; nothing was changed. ``code`` is its catalog entry."""

    def __init__(self, code: str, cause: str, fix: str) -> None:
        self.code, self.cause, self.fix = code, cause, fix
        super().__init__(f"{cause} {fix}")


@dataclass
class Done:
    action: str  # 'link', 'unlink', or 'none' (already as asked)
    tenant_id: int
    record: str  # the app record in words
    qbo_record: str  # the QuickBooks record in words
    acted_by: str
    notes: list[str] = field(default_factory=list)
    sync_log_id: int | None = None

    def text(self) -> str:
        if self.action == "none":
            head = f"tenant {self.tenant_id}: {self.record} is already linked to {self.qbo_record}; nothing changed."
        elif self.action == "link":
            head = f"tenant {self.tenant_id}: linked {self.record} to {self.qbo_record} (by {self.acted_by})."
        else:
            head = f"tenant {self.tenant_id}: unlinked {self.record} from {self.qbo_record} (by {self.acted_by})."
        return "\n".join([head, *self.notes])


def refuse(code: str, tenant_id: int, record: AppRecord | None, kind: Kind, **context: Any) -> LinkRefused:
    words = {**kind.flags(), "record": record.label if record else f"{kind.app_kind}", **context}
    _entry, cause, fix = explain(code, tenant_id=tenant_id, **words)
    return LinkRefused(code, cause, fix)


def kind_of(entity: str) -> Kind:
    if entity not in KINDS:
        raise ValueError(f"link and unlink work on {' and '.join(KINDS)} records, not {entity!r}")
    return KINDS[entity]


def app(conn: Any, kind: Kind, tenant_id: int, source_id: int) -> AppRecord:
    record = app_record(conn, kind, tenant_id, source_id)
    if record is None:
        raise refuse("link_record_unknown", tenant_id, None, kind, source_id=source_id)
    return record


def connection(conn: Any, kind: Kind, tenant_id: int, record: AppRecord) -> str:
    """The realm of the tenant's working connection; refuses without one."""
    row = conn.execute(load_sql("records/tenant_connection"), {"tenant_id": tenant_id}).fetchone()
    if row is None or row[1] != "connected":
        said = "never connected" if row is None else str(row[1]).replace("_", " ")
        raise refuse("link_not_connected", tenant_id, record, kind, connection=said)
    return str(row[0])


def not_busy(conn: Any, kind: Kind, tenant_id: int, record: AppRecord) -> None:
    """Refuse while a run syncs the tenant; inside a transaction the track row stays locked,
    so a run that would start now waits for the link to commit."""
    from qbo_sync.tracks.lease import lease

    row = conn.execute(
        load_sql("records/lock_track"), {"tenant_id": tenant_id, "lease_seconds": lease().total_seconds()}
    ).fetchone()
    if row is not None and row[2]:
        raise refuse("link_tenant_busy", tenant_id, record, kind, run_id=row[0], stage=row[1])


def map_row(conn: Any, entity: str, tenant_id: int, source_id: int) -> tuple | None:
    return conn.execute(
        load_sql("records/map_row"), {"tenant_id": tenant_id, "entity": entity, "source_id": source_id}
    ).fetchone()


def read(
    client_factory: ClientFactory, kind: Kind, tenant_id: int, record: AppRecord, qbo_id: str, realm: str
) -> tuple[dict[str, Any] | None, str]:
    """The one read: the QuickBooks record by its Id, or (None, why) when QuickBooks has none
    (610 Object Not Found: deleted, or no such Id). Refuses when QuickBooks cannot be asked."""
    from qbo_client import QboError, QboFaultError, ReconnectRequired
    from qbo_sync.companies import TenantNotConnected

    context = {"given_id": qbo_id, "realm_id": realm}
    try:
        with client_factory(tenant_id) as client:
            return client.read(kind.qbo_entity, qbo_id), ""
    except (ReconnectRequired, TenantNotConnected) as exc:
        raise refuse("link_not_connected", tenant_id, record, kind, connection=str(exc), **context) from None
    except QboFaultError as exc:
        if str(exc.fault.code) == "610":
            deleted = "deleted" in (exc.fault.detail or "").lower()
            return None, "it was deleted there." if deleted else "no record of that kind has this Id there."
        raise refuse(
            "link_quickbooks_unavailable", tenant_id, record, kind, problem=exc.fault.summary() + ".", **context
        ) from None
    except QboError as exc:
        raise refuse("link_quickbooks_unavailable", tenant_id, record, kind, problem=f"{exc}.", **context) from None


def history_row(
    conn: Any,
    *,
    action: str,
    tenant_id: int,
    realm: str,
    kind: Kind,
    record: AppRecord,
    qbo_id: str,
    acted_by: str,
    note: str,
    **outcome: Any,
) -> int:
    """The row in the record's history (sync_log, with who) and in the audit trail."""
    row = conn.execute(
        load_sql("records/log_link"),
        {
            "dag_id": None,
            "tenant_id": tenant_id,
            "realm_id": realm,
            "entity": kind.entity,
            "source_id": record.source_id,
            "source_ref": record.ref,
            "action": action,
            "status": outcome.get("status", "synced"),
            "error_code": outcome.get("error_code"),
            "error_message": note[:2000],
            "category": outcome.get("category"),
            "cause": outcome.get("cause"),
            "fix": outcome.get("fix"),
            "qbo_id": qbo_id,
            "amount": record.total,
            "acted_by": acted_by,
        },
    ).fetchone()
    conn.execute(
        load_sql("operations/log_action"),
        {
            "tenant_id": tenant_id,
            "entity": kind.entity,
            "source_ids": [record.source_id],
            "action": action,
            "requested_by": acted_by,
            "dag_run_id": None,
            "note": note[:1000],
        },
    )
    return int(row[0])


def controls_note(conn: Any, kind: Kind, tenant_id: int, record: AppRecord) -> list[str]:
    row = conn.execute(
        load_sql("records/controls"), {"tenant_id": tenant_id, "entity": kind.entity, "source_id": record.source_id}
    ).fetchone()
    if row is None:
        return []
    notes = []
    if row[0]:
        notes.append(
            f"{record.label} stays excluded: changes made to it in the app do not reach QuickBooks until "
            "you include it again (Include on the QuickBooks sync page)."
        )
    if row[1] is not None:
        notes.append(f"A resync of {record.label} is pending: the next run sends it as the app has it.")
    return notes
