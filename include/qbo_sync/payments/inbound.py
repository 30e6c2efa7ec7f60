"""QuickBooks payments back into the app, and changes made in QuickBooks to our records, every run.

One change data capture call per tenant and run covers Payment, Invoice, Customer,
CreditMemo and RefundReceipt (Intuit meters every read): payments are imported here,
RefundReceipts made in QuickBooks by ``payments.refunds_in``, and every change to a
record this sync wrote is explained by ``qbo_sync.changes.detect``, in the same transaction.
Change data capture from the tenant's cursor (the client narrows the window by itself
when QuickBooks caps an answer at 1,000 objects). Each QuickBooks payment line that pays
one of our invoices becomes one ``billing.payments`` row with origin ``quickbooks`` and
external_id ``<payment Id>:<invoice Id>``, so split payments (several payments on one
invoice, one payment over several invoices) import as separate rows, and re-reading a
change updates the same row instead of adding one. Payments this sync created are never
imported back: "ours" is decided by our own records, never by text anyone can type in
QuickBooks (see ``_unrecorded_writes``). An edited payment updates its rows; a deleted or voided one voids them.
A payment that leaves part of its amount unapplied (``UnappliedAmt``, customer credit in
QuickBooks) is recorded for what it applies to our invoices, and its outcome says how much
stays as credit in QuickBooks.
The cursor moves in the same transaction as the rows it covers.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from qbo_client import CdcChange, CdcWindowTooDense, QboFaultError, TransientError, quote
from qbo_sync import outcomes
from qbo_sync.changes.detect import record_changes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.money import cents
from qbo_sync.payments import refunds_in

log = logging.getLogger(__name__)

CURSOR = "payments_in"  # the cursor of the one change-data-capture read (its old name kept)
CDC_ENTITIES = ("Payment", "Invoice", "Customer", "CreditMemo", "RefundReceipt")
CDC_DAYS = 30  # QuickBooks answers change data capture at most 30 days back
CDC_MARGIN = timedelta(minutes=5)  # our clock and QuickBooks' may differ a little
CDC_TOO_OLD = "500"  # "Unsupported Operation": changedSince older than the window
ZERO = Decimal("0")

# QuickBooks payment method names -> the app's methods. Anything else cannot be held.
METHODS = {
    "cash": "cash",
    "check": "cheque",
    "cheque": "cheque",
    "credit card": "card",
    "card": "card",
    "debit card": "card",
    "visa": "card",
    "mastercard": "card",
    "american express": "card",
    "amex": "card",
    "bank transfer": "bank_transfer",
    "direct deposit": "bank_transfer",
    "eft": "bank_transfer",
    "ach": "bank_transfer",
    "wire": "bank_transfer",
}


def _method(payment: dict[str, Any], names: dict[str, str]) -> tuple[str | None, str]:
    ref = payment.get("PaymentMethodRef") or {}
    name = ref.get("name") or names.get(str(ref.get("value"))) or ""
    if not name:
        return "other", ""
    return METHODS.get(name.strip().lower()), name


# The tag outbound writes in PrivateNote (qbo_sync.transform.invoice.private_note_tag).
_TAG = re.compile(r"\[qbo-sync (payment|credit_application) (\d{1,18})\]")


def _unrecorded_writes(conn: psycopg.Connection, tenant_id: int, changes: list[Any]) -> set[str]:
    """QuickBooks Ids of payments this sync wrote but whose Id it has not recorded yet.

    Ours are normally known by Id (the entity map). Between a write whose answer was lost
    and the next run's look-up that links it (outbound), our payment is in QuickBooks with
    only our note tag: importing it then would count the same money twice in the app. A
    tag is text anyone can type, so it only counts when it names this tenant's own app
    payment (or credit-note application) that has no QuickBooks Id yet, and the payment
    is exactly what we would have written: the same amount (zero for an application),
    applied to that record's invoice. Anything else carrying the tag (a record already
    linked to another payment, an unknown record, another amount or invoice) is a
    QuickBooks payment like any other and imports."""
    tagged: dict[str, tuple[str, int]] = {}
    for change in changes:
        found = None if change.deleted else _TAG.search(change.entity.get("PrivateNote") or "")
        if found:
            tagged[str(change.id)] = (found.group(1), int(found.group(2)))
    if not tagged:
        return set()
    expected = {
        (kind, source_id): (amount, invoice_qbo)
        for kind, source_id, amount, invoice_qbo in conn.execute(
            load_sql("payments/unrecorded_writes"),
            {
                "tenant_id": tenant_id,
                "payment_ids": sorted({i for k, i in tagged.values() if k == "payment"}),
                "credit_note_ids": sorted({i for k, i in tagged.values() if k == "credit_application"}),
            },
        )
    }
    pending = set()
    for change in changes:
        key = tagged.get(str(change.id))
        if key is None or key not in expected:
            continue
        amount, invoice_qbo = expected[key]
        payment = change.entity
        invoices = {
            str(link.get("TxnId"))
            for line in payment.get("Line") or []
            for link in line.get("LinkedTxn") or []
            if link.get("TxnType") == "Invoice"
        }
        total = Decimal(str(payment.get("TotalAmt", 0)))
        if invoices <= {str(invoice_qbo)} and total == (ZERO if amount is None else amount):
            pending.add(str(change.id))
    return pending


def _voided(payment: dict[str, Any]) -> bool:
    return Decimal(str(payment.get("TotalAmt", 0))) == 0 and "Voided" in (payment.get("PrivateNote") or "")


def import_tenant(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    tenant_id: int,
    realm_id: str,
    connected_at: datetime,
    client: Any,
    now: datetime | None = None,
) -> dict[str, int]:
    now = now or datetime.now(UTC)
    row = conn.execute(load_sql("payments/cursor_get"), {"tenant_id": tenant_id, "name": CURSOR}).fetchone()
    since = row[0] if row else connected_at
    captured = _changes_since(client, tenant_id, since, now)
    changes = [c for c in captured if c.entity_name == "Payment"]
    ours = {r[0] for r in conn.execute(load_sql("payments/our_payment_ids"), {"tenant_id": tenant_id})}
    ours |= _unrecorded_writes(conn, tenant_id, changes)
    linked = {
        str(link.get("TxnId"))
        for c in changes
        if not c.deleted
        for line in c.entity.get("Line") or []
        for link in line.get("LinkedTxn") or []
        if link.get("TxnType") == "Invoice"
    }
    invoices = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute(
            load_sql("payments/invoice_ids_by_qbo"), {"tenant_id": tenant_id, "qbo_ids": sorted(linked)}
        )
    }
    receipts = [c for c in captured if c.entity_name == "RefundReceipt"]
    our_receipts = refunds_in.ours(conn, tenant_id, receipts)
    to_import = any(str(c.id) not in ours and not c.deleted for c in changes)
    to_import = to_import or refunds_in.wants_method_names(receipts, our_receipts)
    method_names = _method_names(client) if to_import else {}
    counts = {"imported": 0, "updated": 0, "voided": 0, "skipped": 0}
    newest = max([c.last_updated for c in captured if c.last_updated] + [since])
    with conn.transaction():
        # Our own records changed by someone in QuickBooks (our payments among them).
        found = record_changes(conn, ctx, tenant_id, realm_id, captured)
        counts["changed_in_quickbooks"] = sum(found.values())
        for change in sorted(changes, key=lambda c: (c.last_updated or since, c.id)):
            payment = change.entity
            pid = str(change.id)
            if pid in ours:
                continue  # we sent it: never import our own payments back
            keep: list[str] = []
            if not change.deleted and not _voided(payment):
                keep = _import_lines(conn, ctx, tenant_id, realm_id, payment, invoices, method_names, counts)
            for vid, ref, amount in conn.execute(
                load_sql("payments/void_imported"), {"tenant_id": tenant_id, "prefix": f"{pid}:%", "keep": keep}
            ).fetchall():
                counts["voided"] += 1
                outcomes.record(
                    conn,
                    ctx,
                    outcomes.Outcome(
                        tenant_id=tenant_id,
                        entity="payment_import",
                        source_id=vid,
                        source_ref=ref or f"QuickBooks payment {pid}",
                        action="void",
                        status="synced",
                        realm_id=realm_id,
                        qbo_id=pid,
                        amount=amount,
                        error_message="deleted, voided or edited in QuickBooks: the imported payment is voided",
                    ),
                )
        refunds_in.import_refunds(
            conn, ctx, tenant_id, realm_id, receipts, our_receipts, lambda r: _method(r, method_names)[0], counts
        )
        # Every change stamped before `now - CDC_MARGIN` has been seen (capture answers up to the
        # moment it is asked; the margin covers clocks that differ a little): the cursor moves
        # there even when nothing changed, so an idle tenant's next run asks capture about the
        # last hour only, one read, never the whole span since it connected again.
        conn.execute(
            load_sql("payments/cursor_set"),
            {"tenant_id": tenant_id, "name": CURSOR, "position": max(newest, since, now - CDC_MARGIN)},
        )
    return counts


def _changes_since(client: Any, tenant_id: int, since: datetime, now: datetime) -> list[Any]:
    """Every payment changed since ``since``. Change data capture reaches 30 days back;
    an older cursor (a paused DAG, a tenant connected long ago) is read with a paged
    query on MetaData.LastUpdatedTime up to where capture takes over, so no payment is
    lost. A query cannot see deletions: one deleted in that gap stays imported, and the
    log says so. If QuickBooks' clock runs ahead of ours it refuses a window we thought
    inside its 30 days (fault 500): capture then starts a day later, the query covers the rest."""

    def capture(start: datetime) -> list[Any] | None:
        try:
            return client.cdc(CDC_ENTITIES, start)
        except CdcWindowTooDense:
            return None  # over 1,000 payments stamped within one second: capture cannot page

    floor = now - timedelta(days=CDC_DAYS) + CDC_MARGIN
    try:
        recent = capture(max(since, floor))
    except QboFaultError as exc:
        if exc.fault.code != CDC_TOO_OLD:
            raise
        floor += timedelta(days=1)
        recent = capture(max(since, floor))
    if recent is None:
        # A query can page them; without it the cursor could never move past them.
        return _changed_by_query(client, tenant_id, since, None)
    gap = _changed_by_query(client, tenant_id, since, floor) if since < floor else []
    latest = {(c.entity_name, str(c.id)): c for c in gap}
    latest.update(((c.entity_name, str(c.id)), c) for c in recent)  # capture knows deletions: it wins
    return list(latest.values())


def _changed_by_query(client: Any, tenant_id: int, since: datetime, until: datetime | None) -> list[Any]:
    if until is None:
        log.warning(
            "tenant %s: more than 1,000 objects changed within one second after %s: reading "
            "payments with a query (payments deleted since then are not visible; changes made in "
            "QuickBooks to invoices, customers and credit memos, and refund receipts made there, in "
            "that span are not checked)",
            tenant_id,
            since.isoformat(),
        )
    else:
        log.warning(
            "tenant %s: payments changed between %s and %s are older than QuickBooks' %s-day "
            "change window: reading them with a query (deletions in that span are not visible; "
            "changes made in QuickBooks to invoices, customers and credit memos, and refund receipts made "
            "there, in that span are not checked)",
            tenant_id,
            since.isoformat(),
            until.isoformat(),
            CDC_DAYS,
        )
    select = "select * from Payment where MetaData.LastUpdatedTime >= " + quote(since.astimezone(UTC).isoformat())
    if until is not None:  # capture reads from there on
        select += " and MetaData.LastUpdatedTime < " + quote(until.astimezone(UTC).isoformat())
    rows = client.query(select)
    changes = []
    for row in rows:
        stamp = (row.get("MetaData") or {}).get("LastUpdatedTime")
        updated = datetime.fromisoformat(stamp) if stamp else None
        changes.append(CdcChange("Payment", str(row["Id"]), False, updated, row))
    return changes


def _method_names(client: Any) -> dict[str, str]:
    """Payment method Id -> Name: QuickBooks answers PaymentMethodRef by id only. Inactive
    methods too, since older payments still refer to them."""
    try:
        rows = client.query("select * from PaymentMethod where Active in (true, false)")
    except TransientError:
        raise  # QuickBooks is struggling: retry the step rather than import methods as "other"
    except QboFaultError as exc:
        # QuickBooks refused the lookup itself: methods whose ref carries no name import as "other".
        log.warning(
            "payment methods could not be read (%s): payments referring to a method by id "
            "only import with method 'other'",
            exc.fault.summary(),
        )
        return {}
    return {str(r["Id"]): r.get("Name", "") for r in rows}


def _import_lines(conn, ctx, tenant_id, realm_id, payment, invoices, method_names, counts) -> list[str]:
    pid = str(payment["Id"])
    reference = payment.get("PaymentRefNum")
    method, method_name = _method(payment, method_names)
    paid_at = datetime.fromisoformat(payment["TxnDate"]).replace(tzinfo=UTC) if payment.get("TxnDate") else None
    unapplied, total = (cents(Decimal(str(payment.get(k) or 0))) for k in ("UnappliedAmt", "TotalAmt"))
    credit = (
        f"; of its {total}, {unapplied} stays unapplied in QuickBooks as the customer's credit" if unapplied else ""
    )
    keep = []
    for line in payment.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            if link.get("TxnType") != "Invoice" or str(link.get("TxnId")) not in invoices:
                continue  # credit applications and invoices that are not ours
            invoice_id, _client, number = invoices[str(link["TxnId"])]
            amount = Decimal(str(line.get("Amount", 0)))
            external_id = f"{pid}:{link['TxnId']}"
            # As QuickBooks' screens show a payment: its reference number, else date and amount.
            shown = reference or f"of {amount} on {payment.get('TxnDate') or 'no date'} (Id {pid})"
            if method is None:
                counts["skipped"] += 1
                outcomes.record(
                    conn,
                    ctx,
                    outcomes.from_catalog(
                        "payment_method_unsupported",
                        tenant_id=tenant_id,
                        entity="payment_import",
                        source_id=invoice_id,
                        source_ref=shown,
                        realm_id=realm_id,
                        amount=amount,
                        action="import",
                        reference=shown,
                        number=number or f"(Id {link['TxnId']})",
                        method=method_name,
                    ),
                )
                continue
            twin = conn.execute(
                load_sql("payments/app_payment_with_reference"),
                {"tenant_id": tenant_id, "invoice_id": invoice_id, "reference": reference},
            ).fetchone()
            if twin:
                counts["skipped"] += 1
                outcomes.record(
                    conn,
                    ctx,
                    outcomes.from_catalog(
                        "payment_already_in_app",
                        tenant_id=tenant_id,
                        entity="payment_import",
                        source_id=invoice_id,
                        source_ref=shown,
                        realm_id=realm_id,
                        amount=amount,
                        action="import",
                        reference=shown,
                        number=number or f"(Id {link['TxnId']})",
                        app_payment_id=twin[0],
                    ),
                )
                continue
            written = conn.execute(
                load_sql("payments/upsert_imported"),
                {
                    "tenant_id": tenant_id,
                    "invoice_id": invoice_id,
                    "amount": amount,
                    "paid_at": paid_at,
                    "method": method,
                    "reference": reference,
                    "external_id": external_id,
                },
            ).fetchone()
            keep.append(external_id)
            if written is None:
                continue  # already imported exactly like this
            billing_id, inserted = written
            counts["imported" if inserted else "updated"] += 1
            outcomes.record(
                conn,
                ctx,
                outcomes.Outcome(
                    tenant_id=tenant_id,
                    entity="payment_import",
                    source_id=billing_id,
                    source_ref=shown,
                    action="import",
                    status="synced",
                    realm_id=realm_id,
                    qbo_id=pid,
                    amount=amount,
                    error_message=_note(inserted, cents(amount), number or f"(Id {link['TxnId']})", credit),
                ),
            )
    return keep


def _note(inserted: bool, amount: Decimal, invoice: str, credit: str) -> str | None:
    """An imported payment line's note: updated, and what of the payment stays unapplied credit."""
    updated = None if inserted else "updated from QuickBooks"
    if not credit:
        return updated
    return f"{updated + ': ' if updated else ''}applies {amount} to invoice {invoice}{credit}"
