"""Link an app record to a QuickBooks record that already exists, or forget such a link.

``link``: our map (``qbo_sync.entity_map``) says from now on that the app client or invoice IS
that QuickBooks customer or invoice, so the sync never creates it; nothing is sent now. The
next time the record is staged (it changes in the app, or finance resyncs it) the sync updates
the QuickBooks record with the app's version, with its current SyncToken.

``unlink``: our map forgets it, so the next resync creates the record in QuickBooks again.

Both refuse, changing nothing, whatever would double a record or attach it to the wrong one:
the QuickBooks record already stands for another app record; the app record is already in
QuickBooks as another record (link without ``replace``); the QuickBooks record does not exist,
is inactive or voided (link), or still exists and is active (unlink without
``linked_by_mistake``); another company; a run syncing the tenant right now. Each refusal is a
catalog code (``qbo_sync.catalog.entries_links``) with the fix. QuickBooks is asked exactly one
question, a read of the record by its Id. Each link and unlink is a row of the record's history
in ``qbo_sync.sync_log`` (who in ``acted_by``, when, what) and of ``qbo_sync.record_actions``.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.records.checks import (
    QBO_ID,
    ClientFactory,
    Done,
    LinkRefused,
    app,
    connection,
    controls_note,
    history_row,
    kind_of,
    map_row,
    not_busy,
    read,
    refuse,
)
from qbo_sync.records.kinds import INVOICE, AppRecord, Kind, app_record, inactive_state, mapped_label, qbo_label

log = logging.getLogger(__name__)

__all__ = ["Done", "LinkRefused", "link", "unlink"]


# --- link --------------------------------------------------------------------------------------


def link(
    conn: Any,
    client_factory: ClientFactory,
    *,
    tenant_id: int,
    entity: str,
    source_id: int,
    qbo_id: str,
    acted_by: str,
    replace: bool = False,
    via: str = "python -m qbo_sync.records",
) -> Done:
    """Attach the app record to the existing QuickBooks record ``qbo_id``; raises LinkRefused."""
    kind = kind_of(entity)
    qbo_id = str(qbo_id or "").strip()
    if not acted_by:
        raise ValueError("who links must be known")
    record = app(conn, kind, tenant_id, source_id)
    if not QBO_ID.match(qbo_id):
        raise refuse("link_bad_qbo_id", tenant_id, record, kind, given_id=qbo_id)
    if kind is INVOICE and (record.status != "finalized" or record.origin != "app"):
        status = "a draft" if record.status == "draft" else (record.status or "without a status")
        if record.origin != "app":
            status = "an invoice that came from QuickBooks"
        raise refuse("link_invoice_not_sendable", tenant_id, record, kind, number=record.ref, app_status=status)
    realm = connection(conn, kind, tenant_id, record)
    current = _check_map(conn, kind, tenant_id, record, qbo_id, realm, replace)
    if current == "same":
        return Done("none", tenant_id, record.label, mapped_label(kind, qbo_id, None), acted_by)
    not_busy(conn, kind, tenant_id, record)
    customer = None
    if kind is INVOICE:
        customer = map_row(conn, "customer", tenant_id, record.client_id or 0)
        customer = str(customer[1]) if customer and customer[0] == realm else None
    row, why = read(client_factory, kind, tenant_id, record, qbo_id, realm)
    if row is None:
        raise refuse("link_qbo_record_missing", tenant_id, record, kind, given_id=qbo_id, realm_id=realm, why=why)
    label = qbo_label(kind, row, qbo_id)
    state = inactive_state(kind, row)
    if state:
        raise refuse("link_qbo_record_inactive", tenant_id, record, kind, qbo_record=label, qbo_state=state)
    if kind is INVOICE:
        _check_customer(kind, tenant_id, record, row, label, customer)
    notes = _differences(kind, record, row)
    with conn.transaction():
        not_busy(conn, kind, tenant_id, record)
        if _check_map(conn, kind, tenant_id, record, qbo_id, realm, replace) == "same":  # linked meanwhile
            return Done("none", tenant_id, record.label, label, acted_by)
        old = map_row(conn, kind.entity, tenant_id, record.source_id)
        conn.execute(
            load_sql("records/link_map"),
            {
                "tenant_id": tenant_id,
                "entity": kind.entity,
                "source_id": record.source_id,
                "realm_id": realm,
                "qbo_id": qbo_id,
                "sync_token": str(row.get("SyncToken")) if row.get("SyncToken") is not None else None,
                "doc_number": row.get("DocNumber"),
            },
        )
        note = f"linked by {acted_by} ({via}) to {label}"
        if old is not None:
            note += f", replacing the link to {mapped_label(kind, str(old[1]), old[3])}"
        log_id = history_row(
            conn,
            action="link",
            tenant_id=tenant_id,
            realm=realm,
            kind=kind,
            record=record,
            qbo_id=qbo_id,
            acted_by=acted_by,
            note=note,
        )
        notes += controls_note(conn, kind, tenant_id, record)
    what = "client" if kind.app_kind == "client" else "invoice"
    notes.insert(
        0,
        f"Nothing was sent to QuickBooks. From now on the sync treats {label} as this {what}: when the "
        f"{what} changes in the app (or you resync it), the sync updates it with the app's version.",
    )
    if old is not None:
        notes.append(
            f"The link to {mapped_label(kind, str(old[1]), old[3])} was replaced; that record stays in QuickBooks."
        )
    log.info("tenant %s: %s", tenant_id, note)
    return Done("link", tenant_id, record.label, label, acted_by, notes, log_id)


def _check_map(conn: Any, kind: Kind, tenant_id: int, record: AppRecord, qbo_id: str, realm: str, replace: bool):
    """'same' when already linked to it; refuses another link, another company, a taken record."""
    mine = map_row(conn, kind.entity, tenant_id, record.source_id)
    if mine is not None:
        mine_realm, mine_id, _token, doc_number, _at = mine
        if mine_realm != realm:
            raise refuse(
                "link_other_company",
                tenant_id,
                record,
                kind,
                source_id=record.source_id,
                old_realm=mine_realm,
                realm_id=realm,
            )
        if str(mine_id) == qbo_id:
            return "same"
        if not replace:
            raise refuse(
                "link_already_linked",
                tenant_id,
                record,
                kind,
                source_id=record.source_id,
                qbo_record=mapped_label(kind, str(mine_id), doc_number),
                new_qbo_record=f"the QuickBooks {kind.qbo_kind} you gave (Id {qbo_id})",
                given_id=qbo_id,
            )
    holder = conn.execute(
        load_sql("records/map_holder"), {"realm_id": realm, "entity": kind.entity, "qbo_id": qbo_id}
    ).fetchone()
    if holder is not None and (int(holder[0]), int(holder[1])) != (tenant_id, record.source_id):
        other = app_record(conn, kind, int(holder[0]), int(holder[1]))
        other_label = other.label if other else f"{kind.app_kind} id {holder[1]}"
        if int(holder[0]) != tenant_id:
            other_label += f" of tenant {holder[0]}"
        raise refuse(
            "link_qbo_record_taken",
            tenant_id,
            record,
            kind,
            qbo_record=f"the QuickBooks {kind.qbo_kind} you gave (Id {qbo_id})",
            other_record=other_label,
            other_id=holder[1],
        )
    return None


def _check_customer(kind: Kind, tenant_id: int, record: AppRecord, row: dict, label: str, customer: str | None):
    ref = row.get("CustomerRef") or {}
    theirs = str(ref.get("value") or "")
    named = f"'{ref.get('name') or ''}' (Id {theirs})"
    if customer is None:
        raise refuse(
            "link_client_not_in_quickbooks",
            tenant_id,
            record,
            kind,
            qbo_record=label,
            qbo_customer=named,
            number=record.ref,
            client_id=record.client_id,
            qbo_customer_id=theirs,
        )
    if customer != theirs:
        raise refuse(
            "link_customer_differs",
            tenant_id,
            record,
            kind,
            qbo_record=label,
            qbo_customer=named,
            number=record.ref,
            client_id=record.client_id,
            client_customer=f"linked to another QuickBooks customer (Id {customer})",
            qbo_customer_id=theirs,
        )


def _differences(kind: Kind, record: AppRecord, row: dict) -> list[str]:
    """What differs between the two now (said, not refused: the app's version goes on its next sync)."""
    if kind is not INVOICE:
        return []
    said = []
    if (row.get("DocNumber") or "") != (record.ref or ""):
        said.append(f"number {row.get('DocNumber') or '(none)'} in QuickBooks, {record.ref} in the app")
    books = Decimal(str(row.get("TotalAmt", 0) or 0)).quantize(Decimal("0.01"))
    if record.total is not None and books != record.total:
        said.append(f"total {books:,.2f} in QuickBooks, {record.total:,.2f} in the app")
    if not said:
        return []
    return [
        f"Note: they differ ({'; '.join(said)}); the app's version replaces QuickBooks' on the invoice's next sync."
    ]


# --- unlink ------------------------------------------------------------------------------------


def unlink(
    conn: Any,
    client_factory: ClientFactory,
    *,
    tenant_id: int,
    entity: str,
    source_id: int,
    acted_by: str,
    linked_by_mistake: bool = False,
    via: str = "python -m qbo_sync.records",
) -> Done:
    """Forget which QuickBooks record stands for the app record; raises LinkRefused.

    Refused while that record still exists and is active in QuickBooks (the next resync would
    create a second copy), unless ``linked_by_mistake`` says it is another record."""
    from qbo_sync.catalog import explain

    kind = kind_of(entity)
    if not acted_by:
        raise ValueError("who unlinks must be known")
    record = app(conn, kind, tenant_id, source_id)
    mine = map_row(conn, kind.entity, tenant_id, record.source_id)
    if mine is None:
        raise refuse("link_not_linked", tenant_id, record, kind, source_id=source_id)
    mine_realm, qbo_id, _token, doc_number, _at = mine
    qbo_id = str(qbo_id)
    label = mapped_label(kind, qbo_id, doc_number)
    realm = connection(conn, kind, tenant_id, record) if not _other_company(conn, tenant_id, mine_realm) else None
    found = "in another QuickBooks company than the tenant's now"
    if realm is not None:  # the tenant's own company: ask QuickBooks what became of it
        not_busy(conn, kind, tenant_id, record)
        row, why = read(client_factory, kind, tenant_id, record, qbo_id, realm)
        if row is None:
            found = f"gone from QuickBooks ({why.rstrip('.')})"
        else:
            label = qbo_label(kind, row, qbo_id)
            state = inactive_state(kind, row)
            if state:
                found = f"{state} in QuickBooks"
            elif linked_by_mistake:
                found = f"still active in QuickBooks; {acted_by} said it was linked by mistake"
            else:
                raise refuse(
                    "unlink_record_live", tenant_id, record, kind, source_id=record.source_id, qbo_record=label
                )
    with conn.transaction():
        if realm is not None:
            not_busy(conn, kind, tenant_id, record)
        gone = conn.execute(
            load_sql("records/unlink_map"),
            {"tenant_id": tenant_id, "entity": kind.entity, "source_id": record.source_id},
        ).fetchone()
        if gone is None or str(gone[1]) != qbo_id:  # changed meanwhile: nothing is undone blindly
            raise refuse("link_not_linked", tenant_id, record, kind, source_id=source_id)
        entry, cause, fix = explain(
            "record_unlinked", tenant_id=tenant_id, record=record.label, qbo_record=label, acted_by=acted_by
        )
        note = f"unlinked by {acted_by} ({via}) from {label}, {found}"
        log_id = history_row(
            conn,
            action="unlink",
            tenant_id=tenant_id,
            realm=str(gone[0]),
            kind=kind,
            record=record,
            qbo_id=qbo_id,
            acted_by=acted_by,
            note=note,
            status=entry.status,
            error_code="record_unlinked",
            category=entry.category,
            cause=cause,
            fix=fix,
        )
        attached = conn.execute(
            load_sql("records/dependents"),
            {"tenant_id": tenant_id, "entity": kind.entity, "source_id": record.source_id},
        ).fetchall()
        notes = [
            f"It was {found}. Nothing was sent to QuickBooks; resync {record.label} (Resync on the QuickBooks "
            "sync page, or the qbo_resync DAG) to have the sync create it there again."
        ]
        notes += _attached_note(attached, label)
        notes += controls_note(conn, kind, tenant_id, record)
    log.info("tenant %s: %s", tenant_id, note)
    return Done("unlink", tenant_id, record.label, label, acted_by, notes, log_id)


def _other_company(conn: Any, tenant_id: int, mapped_realm: str) -> bool:
    row = conn.execute(load_sql("records/tenant_connection"), {"tenant_id": tenant_id}).fetchone()
    return row is not None and row[1] == "connected" and str(row[0]) != str(mapped_realm)


def _attached_note(attached: list[tuple], label: str) -> list[str]:
    if not attached:
        return []
    names = {"invoice": "invoice", "customer": "sub-client", "payment": "payment", "credit_memo": "credit note"}
    parts: dict[str, list[str]] = {}
    for entity, source_id in attached:
        parts.setdefault(names.get(entity, entity), []).append(str(source_id))
    listed = "; ".join(f"{what} ids {', '.join(ids)}" for what, ids in parts.items())
    return [
        f"Still attached to {label} in QuickBooks, and kept as they are ({listed}): move or void them in "
        "QuickBooks if they belong to the new record."
    ]
