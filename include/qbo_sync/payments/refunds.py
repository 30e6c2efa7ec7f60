"""App refunds (``billing.refunds``) into QuickBooks as RefundReceipts, exactly once.

A refund gives money back against one app payment. It becomes a QuickBooks RefundReceipt for
the payment's customer, paid from the tenant's deposit account (the account the payments go
to), with one line on the tenant's default Service item carrying the refunded amount without
tax (the refund is money given back; a credit note carries any tax correction), so its total is
the app's amount to the cent. Intuit's RefundReceipt reference: DepositToAccountRef and a
SalesItemLineDetail line are required, PaymentRefNum holds up to 100 characters.

Exactly once: each RefundReceipt carries our tag in PrivateNote and a requestid made from the
refund's id; one not in our map (an answer lost, a task killed) is looked up by its tag among
the customer's RefundReceipts before anything is posted. A refund edited in the app after it
was sent (amount, date, reference or payment; recorded in ``entity_map.source_state``) is
updated in place. A refund voided in the app is undone the way QuickBooks documents it: a
RefundReceipt has delete, not void, so it is deleted.

A refund of an overpayment's excess (its payment still holds the amount as unapplied customer
credit in QuickBooks) is no RefundReceipt: it is paid back by a cheque linked to that credit
(payments/refund_checks.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.load.versioned import write_versioned
from qbo_sync.money import ZERO
from qbo_sync.payments.edits import VOIDED
from qbo_sync.payments.refund_checks import Cheques
from qbo_sync.transform.adjustments import cut
from qbo_sync.transform.invoice import DESCRIPTION_MAX, US_NON_TAXABLE, payload_hash, private_note_tag

REFUND_REF_MAX = 100  # RefundReceipt.PaymentRefNum (Intuit's RefundReceipt reference)
ENTITY = "refund"


def _requestid(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:36]


def post_refunds(poster: Any) -> None:
    """Send the tenant's staged refunds; ``poster`` is the run's ``payments.outbound.Poster``."""
    rows = poster.conn.execute(
        load_sql("payments/read_refunds"), {"run_id": poster.ctx.run_id, "tenant_id": poster.tenant_id}
    ).fetchall()
    if not rows:
        return
    sender = _Refunds(poster)
    todo = []
    for row in rows:
        with poster.conn.transaction():
            prepared = sender.prepare(row)
        if prepared is not None:
            todo.append(prepared)
    if not todo:
        return
    found = sender.tagged([t for t in todo if "cheque" not in t and t["qbo_id"] is None])
    for item in todo:
        with poster.conn.transaction():
            if "cheque" in item:
                sender.cheques.send(item, item["cheque"])
            else:
                sender.send(item, found.get(private_note_tag(ENTITY, item["id"])))


class _Refunds:
    def __init__(self, poster: Any) -> None:
        self.p = poster
        self.settings = poster.settings
        self.cheques = Cheques(poster)

    # ------------------------------------------------------------------ checks
    def prepare(self, row: tuple) -> dict[str, Any] | None:
        """The RefundReceipt to write for one staged refund, or None when it is done here (an
        explained failure, a deletion, or nothing changed)."""
        (
            rid,
            amount,
            refunded_at,
            method,
            reference,
            reason,
            voided_at,
            payment_id,
            payment_exists,
            payment_amount,
            payment_voided_at,
            payment_ref,
            payment_in_qbo,
            customer_qbo,
            refunded_before,
            qbo_id,
            sync_token,
            phash,
            state_same,
            payment_qbo,
            check_qbo_id,
            check_token,
            check_hash,
            check_same,
        ) = row
        p = self.p
        ref = reference or f"refund {rid}"
        cheque = {
            "id": rid,
            "ref": ref,
            "amount": amount,
            "reason": reason,
            "reference": reference,
            "payment_ref": payment_ref,
            "payment_qbo_id": payment_qbo,
            "customer": customer_qbo,
            "when": (refunded_at or datetime.now(UTC)).date(),
            "check_qbo_id": check_qbo_id,
            "check_sync_token": check_token,
            "check_hash": check_hash,
            "state": (refunded_at, reference, payment_id),
        }
        if check_qbo_id is not None:  # paid back by cheque (payments/refund_checks.py)
            if voided_at is not None:
                self.cheques.undo(cheque)
                return None
            if check_same:
                p._unchanged(ENTITY, rid, ref, amount, check_qbo_id)
                return None
            if check_hash is not None:  # written and linked, then changed in the app
                p._explained(
                    "refund_check_edited",
                    ENTITY,
                    rid,
                    ref,
                    amount,
                    "update",
                    refund=ref,
                    payment=payment_ref,
                )
                return None
        if voided_at is not None:  # staged only while its RefundReceipt is in QuickBooks
            if phash == VOIDED:
                p._unchanged(ENTITY, rid, ref, amount, qbo_id)
            else:
                self.delete(rid, ref, amount, qbo_id, sync_token)
            return None
        if qbo_id and state_same:
            p._unchanged(ENTITY, rid, ref, amount, qbo_id)
            return None
        action = "update" if qbo_id else "create"

        def explained(code: str, **context: object) -> None:
            p._explained(code, ENTITY, rid, ref, amount, action, refund=ref, **context)

        if payment_id is None or not payment_exists:
            explained("refund_payment_missing", payment_id=payment_id)
            return None
        if payment_voided_at is not None:
            explained("refund_payment_voided", payment=payment_ref)
            return None
        if amount is None or amount <= ZERO:
            explained("refund_amount_invalid", amount_text=str(amount))
            return None
        if payment_amount is not None and amount + (refunded_before or ZERO) > payment_amount:
            explained(
                "refund_exceeds_payment",
                amount_text=str(amount),
                refunded_before=refunded_before or ZERO,
                payment=payment_ref,
                payment_amount=payment_amount,
            )
            return None
        if not payment_in_qbo or not customer_qbo:
            cause = p.conn.execute(
                load_sql("payments/payment_cause"), {"tenant_id": p.tenant_id, "source_id": payment_id}
            ).fetchone()
            explained(
                "refund_payment_not_synced",
                payment=payment_ref,
                reason=(cause[0] if cause and cause[0] else "it has not been synced yet").rstrip("."),
            )
            return None
        if reference and len(reference) > REFUND_REF_MAX:
            explained("refund_reference_too_long", length=len(reference))
            return None
        if qbo_id is None and payment_qbo:  # the payment's unapplied credit paid back by cheque?
            from qbo_client.errors import QboFaultError

            try:
                payment = self.cheques.route(rid, amount, payment_qbo)
            except QboFaultError as exc:
                p._fault(ENTITY, rid, ref, amount, exc.fault, action)
                return None
            if payment is not None or check_qbo_id is not None:
                return {**cheque, "cheque": payment or p.client.read("Payment", payment_qbo)}
        if not self.settings.deposit_account_id:
            explained("deposit_account_missing")
            return None
        us = self.settings.region == "US"
        tax_code = US_NON_TAXABLE if us else self.settings.no_tax_code_id
        if not tax_code:
            explained("refund_tax_code_missing")
            return None
        adjustments: list[str] = []
        when = (refunded_at or datetime.now(UTC)).date()
        body: dict[str, Any] = {
            "CustomerRef": {"value": customer_qbo},
            "DepositToAccountRef": {"value": self.settings.deposit_account_id},
            "TxnDate": when.isoformat(),
            "PrivateNote": f"{private_note_tag(ENTITY, rid)} {method or ''}".strip(),
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": amount,
                    "Description": cut(
                        reason or f"Refund of payment {payment_ref}", DESCRIPTION_MAX, "line 1 description", adjustments
                    ),
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": self.settings.default_service_item_id},
                        "Qty": Decimal(1),
                        "UnitPrice": amount,
                        "TaxCodeRef": {"value": tax_code},
                    },
                }
            ],
        }
        if not us:
            body["GlobalTaxCalculation"] = "TaxExcluded"
        if reference:
            body["PaymentRefNum"] = reference
        return {
            "id": rid,
            "ref": ref,
            "amount": amount,
            "body": body,
            "when": when,
            "customer": customer_qbo,
            "qbo_id": qbo_id,
            "sync_token": sync_token,
            "payment_ref": payment_ref,
            "adjustments": adjustments,
            "state": (amount, refunded_at, reference, payment_id),
        }

    def tagged(self, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Our RefundReceipts already in QuickBooks but not in our map, by tag (a lost answer)."""
        if not items:
            return {}
        since: date = min(i["when"] for i in items) - timedelta(days=1)
        found: dict[str, dict[str, Any]] = {}
        rows = self.p.lookups.customer_transactions("RefundReceipt", {i["customer"] for i in items}, since)
        for receipts in rows.values():
            for row in receipts:
                note = row.get("PrivateNote") or ""
                if "[qbo-sync refund " in note:
                    found["[qbo-sync refund " + note.split("[qbo-sync refund ", 1)[1].split("]", 1)[0] + "]"] = row
        return found

    # ------------------------------------------------------------------ writes
    def send(self, item: dict[str, Any], existing: dict[str, Any] | None) -> None:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        p, rid, body = self.p, item["id"], item["body"]
        action = "update" if item["qbo_id"] else "create"
        note = f"refunded {item['amount']} of payment {item['payment_ref']}"
        if item["qbo_id"] is None and existing is not None:  # ours, its answer lost: never post twice
            item["qbo_id"], item["sync_token"] = str(existing["Id"]), str(existing.get("SyncToken"))
            note += f" (QuickBooks already had this refund, Id {existing['Id']}: an earlier answer was lost)"
        try:
            if item["qbo_id"] and existing is not None and _carries(body)(existing):
                entity = existing
            elif item["qbo_id"]:
                qbo_id = item["qbo_id"]

                def write(token: str) -> Any:
                    return p.client.update(
                        "RefundReceipt",
                        {**body, "Id": qbo_id, "SyncToken": token},
                        requestid=_requestid(p.realm_id, ENTITY, rid, token, body),
                    )

                done = write_versioned(p.client, "RefundReceipt", qbo_id, item["sync_token"], write, _carries(body))
                entity = done.entity
                if action == "update":
                    note = "updated in QuickBooks: " + note
            else:
                entity = p.client.create(
                    "RefundReceipt", body, requestid=_requestid(p.realm_id, ENTITY, rid, "create")
                ).entity
        except QboFaultError as exc:
            p._fault(ENTITY, rid, item["ref"], item["amount"], exc.fault, action)
            return
        except OutcomeUnknown:  # the next run finds it by its tag before posting again
            p._explained_unknown(ENTITY, rid, item["ref"], item["amount"])
            return
        qbo_id = str(entity.get("Id") or item["qbo_id"])
        p._synced(
            ENTITY,
            rid,
            item["ref"],
            item["amount"],
            action,
            qbo_id,
            str(entity.get("SyncToken")) if entity.get("SyncToken") is not None else item["sync_token"],
            note=f"{note} (RefundReceipt Id {qbo_id})",
            hash_=payload_hash(body),
            adjustments=item["adjustments"],
        )
        amount, refunded_at, reference, payment_id = item["state"]
        p.conn.execute(
            load_sql("payments/record_refund_state"),
            {
                "tenant_id": p.tenant_id,
                "entity": ENTITY,
                "source_id": rid,
                "amount": amount,
                "refunded_at": refunded_at,
                "reference": reference,
                "payment_id": payment_id,
            },
        )

    def delete(self, rid: int, ref: str, amount: Any, qbo_id: str, sync_token: str | None) -> None:
        """A refund voided in the app: its RefundReceipt deleted (QuickBooks has no void for one)."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        p = self.p

        def send(token: str) -> Any:
            return p.client.delete(
                "RefundReceipt", qbo_id, token, requestid=_requestid(p.realm_id, "delete", ENTITY, rid, token)
            )

        try:
            write_versioned(p.client, "RefundReceipt", qbo_id, sync_token, send, lambda fresh: False, gone_is_done=True)
        except QboFaultError as exc:
            p._fault(ENTITY, rid, ref, amount, exc.fault, "void")
            return
        except OutcomeUnknown:  # the next run tries again: a receipt already gone counts as deleted
            p._unknown_edit(ENTITY, rid, ref, amount, "void")
            return
        p._synced(
            ENTITY,
            rid,
            ref,
            amount,
            "void",
            qbo_id,
            sync_token,
            note="voided in the app: QuickBooks has no void for a refund receipt, so it was deleted there",
            hash_=VOIDED,
        )


def _carries(body: dict[str, Any]) -> Any:
    """Does a RefundReceipt already hold ``body`` (its amount, date, reference and customer)?"""

    def view(record: dict[str, Any]) -> tuple:
        total = sum(
            (
                Decimal(str(line.get("Amount", 0)))
                for line in record.get("Line") or []
                if line.get("DetailType") == "SalesItemLineDetail"
            ),
            ZERO,
        )
        return (
            total.quantize(Decimal("0.01")),
            str(record.get("TxnDate")),
            record.get("PaymentRefNum") or None,
            str((record.get("CustomerRef") or {}).get("value")),
        )

    want = view(body)
    return lambda fresh: view(fresh) == want
