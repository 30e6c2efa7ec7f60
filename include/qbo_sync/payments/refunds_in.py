"""RefundReceipts made in QuickBooks read back into the app (``billing.refunds``), exactly once.

Part of the one change-data-capture read per tenant and run (``payments.inbound``, which asks
for RefundReceipt with the rest and calls ``import_refunds`` in the same transaction as the
cursor it moves). For each RefundReceipt in that capture:

* **ours** (its Id in our map of app refunds sent, or our tag ``[qbo-sync refund <id>]`` in its
  memo naming one of this tenant's app refunds: a receipt whose answer was lost) is never read
  back: the app already holds that refund;
* else, the **payment** it gives money back against is found among the live payments (with a
  reference) of the client behind its customer: the payment whose reference is the receipt's
  reference number (``PaymentRefNum``, "Ref no." on QuickBooks' form), else the one payment
  whose reference its memo (``PrivateNote``) mentions. QuickBooks itself links a RefundReceipt
  to no payment (Intuit's RefundReceipt reference), so the reference is the link finance types.
  One QuickBooks payment read back over several invoices is several app rows: it counts once,
  and the refund names the first of them;
* found: one ``billing.refunds`` row with origin ``quickbooks`` and external_id the receipt's Id
  (the unique index on tenant and external_id, and an upsert that leaves an unchanged row
  alone, make a re-run, a replay or a second sighting a no-op; an edit in QuickBooks updates
  the row);
* not found, or more than one: explained (catalog ``entries_readback``) and not recorded; an
  earlier import of the same receipt is voided;
* **deleted** in QuickBooks (capture answers only its Id): the row read back from it is voided.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.money import cents

ENTITY = "refund_import"
_TAG = re.compile(r"\[qbo-sync refund (\d{1,18})\]")


def ours(conn: psycopg.Connection, tenant_id: int, changes: list[Any]) -> set[str]:
    """Ids of the captured RefundReceipts this sync wrote (our map, or our tag naming an app refund)."""
    ids = sorted({str(c.id) for c in changes})
    if not ids:
        return set()
    mine = {
        r[0] for r in conn.execute(load_sql("payments/refund_receipts_ours"), {"tenant_id": tenant_id, "qbo_ids": ids})
    }
    tagged: dict[str, int] = {}
    for change in changes:
        found = None if change.deleted else _TAG.search(change.entity.get("PrivateNote") or "")
        if found:
            tagged[str(change.id)] = int(found.group(1))
    if tagged:
        app = {
            r[0]
            for r in conn.execute(
                load_sql("payments/app_refunds_tagged"), {"tenant_id": tenant_id, "ids": sorted(set(tagged.values()))}
            )
        }
        mine |= {qid for qid, rid in tagged.items() if rid in app}
    return mine


def wants_method_names(changes: list[Any], mine: set[str]) -> bool:
    """Whether a receipt to read back names its payment method by id only (a read resolves it)."""
    return any(
        not c.deleted and str(c.id) not in mine and (c.entity.get("PaymentMethodRef") or {}).get("value")
        for c in changes
    )


def import_refunds(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    tenant_id: int,
    realm_id: str,
    changes: list[Any],
    mine: set[str],
    method_of: Callable[[dict[str, Any]], str | None],
    counts: dict[str, int],
) -> None:
    """Read back the captured RefundReceipts not ours; runs in the caller's transaction."""
    todo = [c for c in changes if str(c.id) not in mine]
    if not todo:
        return
    customers = sorted({_customer(c.entity) for c in todo if not c.deleted} - {None})
    candidates: dict[str, list[tuple[int, str, str, str | None]]] = {}
    if customers:
        for customer, pid, reference, origin, external_id in conn.execute(
            load_sql("payments/refund_payment_candidates"), {"tenant_id": tenant_id, "customer_ids": customers}
        ):
            candidates.setdefault(customer, []).append((pid, reference, origin, external_id))
    for key in ("refunds_imported", "refunds_updated", "refunds_voided", "refunds_skipped"):
        counts.setdefault(key, 0)
    for change in sorted(todo, key=lambda c: (c.last_updated or datetime.min.replace(tzinfo=UTC), str(c.id))):
        qid = str(change.id)
        if change.deleted:
            _void(conn, ctx, tenant_id, realm_id, qid, counts, "deleted in QuickBooks")
            continue
        receipt = change.entity
        shown = _shown(receipt)
        amount = cents(Decimal(str(receipt.get("TotalAmt", 0))))
        found = _payments(receipt, candidates.get(_customer(receipt) or "", []))
        if len(found) != 1:
            counts["refunds_skipped"] += 1
            customer = receipt.get("CustomerRef") or {}
            context = {
                "receipt": shown,
                "amount_text": str(amount),
                "customer": f"'{customer['name']}'" if customer.get("name") else "its customer",
                "ref_num": f"'{receipt['PaymentRefNum']}'" if receipt.get("PaymentRefNum") else "empty",
            }
            if found:
                code = "refund_import_payment_ambiguous"
                context["payments"] = ", ".join(sorted({ref for _pid, ref in found.values()}))
            else:
                code = "refund_import_payment_unknown"
            explained = outcomes.from_catalog(
                code,
                tenant_id=tenant_id,
                entity=ENTITY,
                source_id=None,
                source_ref=f"QuickBooks refund receipt {shown}",
                realm_id=realm_id,
                amount=amount,
                action="import",
                **context,
            )
            outcomes.record(conn, ctx, dataclasses.replace(explained, qbo_id=qid))
            _void(conn, ctx, tenant_id, realm_id, qid, counts, "edited in QuickBooks: it no longer names a payment")
            continue
        [(payment_id, payment_ref)] = found.values()
        written = conn.execute(
            load_sql("payments/upsert_imported_refund"),
            {
                "tenant_id": tenant_id,
                "payment_id": payment_id,
                "amount": amount,
                "refunded_at": _date(receipt),
                "method": method_of(receipt) or "other",  # a method the app cannot hold
                "reference": receipt.get("DocNumber") or receipt.get("PaymentRefNum"),
                "reason": _reason(receipt),
                "external_id": qid,
            },
        ).fetchone()
        if written is None:
            continue  # already read back exactly like this
        refund_id, inserted = written
        counts["refunds_imported" if inserted else "refunds_updated"] += 1
        note = f"refunded {amount} of payment {payment_ref} in QuickBooks (RefundReceipt Id {qid})"
        outcomes.record(
            conn,
            ctx,
            outcomes.Outcome(
                tenant_id=tenant_id,
                entity=ENTITY,
                source_id=refund_id,
                source_ref=f"QuickBooks refund receipt {shown}",
                action="import",
                status="synced",
                realm_id=realm_id,
                qbo_id=qid,
                amount=amount,
                error_message=note if inserted else "updated from QuickBooks: " + note,
            ),
        )


def _customer(receipt: dict[str, Any]) -> str | None:
    value = (receipt.get("CustomerRef") or {}).get("value")
    return None if value is None else str(value)


def _shown(receipt: dict[str, Any]) -> str:
    """As QuickBooks' screens show a refund receipt: its number, else its date; its Id after."""
    number = receipt.get("DocNumber")
    if number:
        return f"'{number}' (Id {receipt['Id']})"
    return f"dated {receipt.get('TxnDate') or 'no date'} (Id {receipt['Id']})"


def _date(receipt: dict[str, Any]) -> datetime | None:
    when = receipt.get("TxnDate")
    return datetime.fromisoformat(when).replace(tzinfo=UTC) if when else None


def _reason(receipt: dict[str, Any]) -> str | None:
    for line in receipt.get("Line") or []:
        if line.get("DetailType") == "SalesItemLineDetail" and line.get("Description"):
            return str(line["Description"])
    return None


def _payments(
    receipt: dict[str, Any], candidates: list[tuple[int, str, str, str | None]]
) -> dict[str, tuple[int, str]]:
    """The distinct payments (an app payment; a QuickBooks payment read back, whatever its rows)
    the receipt names: by its reference number, else by its memo. Key -> (first row's id, reference)."""

    def money(rows: list[tuple[int, str, str, str | None]]) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        for pid, reference, origin, external_id in rows:  # ordered by id: the first row wins
            key = f"qbo:{external_id.split(':', 1)[0]}" if origin == "quickbooks" and external_id else f"app:{pid}"
            found.setdefault(key, (pid, reference))
        return found

    number = (receipt.get("PaymentRefNum") or "").strip().casefold()
    if number:
        by_number = money([c for c in candidates if c[1].strip().casefold() == number])
        if by_number:
            return by_number
    memo = (receipt.get("PrivateNote") or "").casefold()
    if not memo:
        return {}
    return money([c for c in candidates if _mentions(memo, c[1].strip().casefold())])


def _mentions(text: str, reference: str) -> bool:
    """``reference`` appears in ``text`` as a whole word (not inside a longer reference)."""
    if not reference:
        return False
    return re.search(r"(?<![\w-])" + re.escape(reference) + r"(?![\w-])", text) is not None


def _void(conn, ctx, tenant_id: int, realm_id: str, qid: str, counts: dict[str, int], why: str) -> None:
    for refund_id, reference, amount in conn.execute(
        load_sql("payments/void_imported_refund"), {"tenant_id": tenant_id, "external_id": qid}
    ).fetchall():
        counts["refunds_voided"] += 1
        outcomes.record(
            conn,
            ctx,
            outcomes.Outcome(
                tenant_id=tenant_id,
                entity=ENTITY,
                source_id=refund_id,
                source_ref=reference or f"QuickBooks refund receipt (Id {qid})",
                action="void",
                status="synced",
                realm_id=realm_id,
                qbo_id=qid,
                amount=amount,
                error_message=f"{why}: the refund read back from it is voided",
            ),
        )
