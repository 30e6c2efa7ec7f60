"""Edits after sync: app payments changed or voided after they reached QuickBooks.

* A payment whose amount, date, reference or invoice changed in the app (its state differs
  from ``entity_map.source_state``, what the sync last wrote) is updated in place: a sparse
  update of the fields the sync owns, its Line array whole (Intuit: a Payment's lines are
  all-or-nothing), so a payment moved to another invoice moves its LinkedTxn there (and to
  that invoice's customer). A payment voided in the app is voided in QuickBooks.
* Credit notes edited or voided in the app: ``payments.credit_edits``.

Every write names the SyncToken recorded at the sync's own last write; a stale one is read
once and retried once (``qbo_sync.load.versioned``), and a change already in QuickBooks (a
lost answer) is never sent twice. Each edit is one ``update`` or ``void`` outcome in the sync
log, beside the record's earlier ones.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.load.versioned import carries_payment, is_voided, write_versioned
from qbo_sync.money import ZERO
from qbo_sync.payments.kept_links import kept_links
from qbo_sync.payments.references import full_update_body, wants_clearing
from qbo_sync.payments.restore import Restores, put_back_note
from qbo_sync.transform.adjustments import cut

VOIDED = "voided"  # payload_hash of a record the sync voided (or, a credit memo, deleted)
PAYMENT_REF_MAX = 21


def _requestid(*parts: object) -> str:
    """Same change of the same version -> same requestid (QuickBooks replays its answer)."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:36]


def overpayment_note(amount: Decimal, applied: Decimal, number: str | None) -> str:
    """The outcome's words for a payment larger than what its invoice still owes."""
    return (
        f"overpayment: {applied} applied to invoice {number} (all it still owed in QuickBooks), "
        f"{amount - applied} left unapplied as credit for the customer"
    )


class Edits(Restores):
    """Mixed into ``payments.outbound.Poster``: uses its connection, client and bookkeeping.
    A record edited in QuickBooks and staged to be put back (``payments.restore``) goes the
    same way, whatever the app changed since."""

    # ------------------------------------------------------------------ bookkeeping
    def _unknown_edit(self, entity: str, source_id: int, ref: str | None, amount: Any, action: str) -> None:
        outcomes.outcome_unknown(
            self.conn,
            self.ctx,
            tenant_id=self.tenant_id,
            realm_id=self.realm_id,
            entity=entity,
            source_id=source_id,
            source_ref=ref,
            amount=amount,
            action=action,
        )
        self._count(entity, "failed")

    def record_payment_state(self, pid: int, amount: Any, paid_at: Any, reference: str | None, invoice_id: Any) -> None:
        """What the app said of payment ``pid`` when it was written (migration 0014)."""
        self.conn.execute(
            load_sql("payments/record_payment_state"),
            {
                "tenant_id": self.tenant_id,
                "source_id": pid,
                "amount": amount,
                "paid_at": paid_at,
                "reference": reference,
                "invoice_id": invoice_id,
            },
        )

    def _record_state(self, entity: str, source_id: int, state: dict[str, Any]) -> None:
        self.conn.execute(
            load_sql("payments/record_state"),
            {"tenant_id": self.tenant_id, "entity": entity, "source_id": source_id, "state": json.dumps(state)},
        )

    def _forget(self, entity: str, source_id: int) -> None:
        self.conn.execute(
            load_sql("payments/forget_mapping"), {"tenant_id": self.tenant_id, "entity": entity, "source_id": source_id}
        )

    # ------------------------------------------------------------------ payments
    def update_payments(self, rows: list[tuple]) -> None:
        """Payments in QuickBooks whose app state changed since the sync wrote them."""
        balances = self._open_balances({r[10] for r in rows if r[10]})
        for row in rows:
            with self.conn.transaction():
                self._update_payment(row, balances)

    def _update_payment(self, row: tuple, balances: dict[str, Decimal]) -> None:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        pid, amount, paid_at, _method, reference, _voided, invoice_id, number = row[:8]
        invoice_qbo, customer_qbo, qbo_id, sync_token = row[10:14]
        old_amount, old_invoice, old_number, put_back, changed_there = row[16:21]
        ref = reference or f"payment {pid}"
        if not invoice_qbo and not self._invoice_exists(invoice_id):
            self._explained(
                "payment_invoice_missing", "payment", pid, ref, amount, "update", reference=ref, invoice_id=invoice_id
            )
            return
        if not invoice_qbo:
            self._explained(
                "payment_move_invoice_not_synced",
                "payment",
                pid,
                ref,
                amount,
                "update",
                reference=ref,
                number=number,
                old_number=old_number or f"id {old_invoice}",
                reason=self._invoice_reason(invoice_id),
            )
            return
        if amount is None or amount <= ZERO:
            self._explained(
                "payment_amount_invalid", "payment", pid, ref, amount, "update", reference=ref, amount_text=str(amount)
            )
            return
        adjusted: list[str] = []
        sent_reference = reference
        if reference and len(reference) > PAYMENT_REF_MAX:
            if self.settings.payment_ref_policy != "truncate":
                self._explained(
                    "payment_reference_too_long",
                    "payment",
                    pid,
                    ref,
                    amount,
                    "update",
                    reference=reference,
                    length=len(reference),
                )
                return
            sent_reference = cut(
                reference, PAYMENT_REF_MAX, "payment reference (payment_ref_policy truncate)", adjusted, keep="end"
            )
        # Lines of ours besides the invoice's (a refund cheque, a credit application) go back
        # with the update, or QuickBooks would unlink them (payments/kept_links.py).
        kept = kept_links(self.conn, self.client, self.tenant_id, pid, qbo_id)
        # QuickBooks applies no more than the invoice owes; what this payment applies there now is
        # freed by the update itself. More than that stays unapplied, as credit for the customer.
        # A payment edited in QuickBooks applies there what the person left, which the sync does
        # not know: QuickBooks itself judges the amount put back.
        applied = amount
        balance = None if put_back else balances.get(invoice_qbo)
        allowed = None
        if balance is not None:
            old_applied = ZERO  # what this payment pays on the invoice now (read only when it matters)
            if old_invoice == invoice_id and amount > balance:
                old_applied = self._applied_now(kept.payment or qbo_id, invoice_qbo)
            allowed = balance + old_applied
            if amount > allowed:
                applied = max(allowed, ZERO)
                adjusted.append(overpayment_note(amount, applied, number))
        if kept.cheques and balance is None:
            applied = max(min(applied, kept.room(amount)), ZERO)  # QuickBooks judges the rest
        elif applied > kept.room(amount):
            # Our refund cheques paid back its excess: an edit that leaves less excess than they
            # took would unpay the invoice (or unlink them). Nothing is sent.
            self._explained(
                "payment_edit_below_refunded",
                "payment",
                pid,
                ref,
                amount,
                "update",
                reference=ref,
                amount_text=str(amount),
                excess=max(amount + kept.credits - applied, ZERO),
                refunded=kept.cheques,
                refunds=", ".join(kept.cheque_refs),
            )
            return
        if allowed is not None:
            balances[invoice_qbo] = max(allowed - amount, ZERO)
        body: dict[str, Any] = {
            "CustomerRef": {"value": customer_qbo},
            "TotalAmt": amount,
            "TxnDate": (paid_at or datetime.now(UTC)).date().isoformat(),
            "Line": (
                [{"Amount": applied, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}]
                if applied > ZERO
                else []
            )
            + kept.lines,
        }
        if sent_reference:
            body["PaymentRefNum"] = sent_reference

        clearing = wants_clearing(sent_reference, row[23], put_back)
        seen: dict[str, Any] = {}  # QuickBooks' copy, read before a full update (references.py)

        def carries(fresh: dict[str, Any]) -> bool:
            seen["payment"] = fresh
            return carries_payment(body)(fresh)

        def send(token: str) -> Any:
            sent = full_update_body(seen["payment"], body) if clearing else body
            return self.client.update(
                "Payment",
                {**sent, "Id": qbo_id, "SyncToken": token},
                sparse=not clearing,
                requestid=_requestid(self.realm_id, "payment", pid, token, sent),
            )

        if kept.payment is not None:  # read just now: its current SyncToken
            seen["payment"] = kept.payment
        try:
            # Clearing the reference reads the payment first (None: no recorded token to try).
            token = None if clearing and kept.payment is None else sync_token
            if kept.payment is not None:
                token = str(kept.payment.get("SyncToken"))
            done = write_versioned(self.client, "Payment", qbo_id, token, send, carries)
        except QboFaultError as exc:
            self._fault("payment", pid, ref, amount, exc.fault, "update")
            return
        except OutcomeUnknown:  # the next run reads it before sending anything again
            self._unknown_edit("payment", pid, ref, amount, "update")
            return
        changes = []
        if old_amount is not None and old_amount != amount:
            changes.append(f"amount {old_amount} -> {amount}")
        if old_invoice is not None and old_invoice != invoice_id:
            changes.append(f"moved from invoice {old_number or old_invoice} to invoice {number}")
        if clearing:
            changes.append("reference removed (cleared in QuickBooks by a full update)")
        if not changes and not put_back:
            changes.append("date or reference changed")
        if kept.cheques:
            changes.append(
                f"its link to the refund cheque(s) of {', '.join(kept.cheque_refs)} kept "
                f"({kept.cheques} of its credit paid back)"
            )
        said = ([put_back_note(changed_there)] if put_back else []) + changes
        note = "updated in QuickBooks: " + "; ".join(said)
        if done.already:
            note += " (QuickBooks already had this change: an earlier answer was lost; not sent again)"
        self._synced(
            "payment",
            pid,
            ref,
            amount,
            "update",
            qbo_id,
            str(done.entity.get("SyncToken")),
            note=note,
            adjustments=adjusted,
        )
        self.record_payment_state(pid, amount, paid_at, reference, invoice_id)

    def _applied_now(self, qbo_id: str | dict[str, Any], invoice_qbo: str) -> Decimal:
        """What QuickBooks Payment ``qbo_id`` (or its copy, read already) applies to invoice
        ``invoice_qbo`` (an overpayment applies less than its amount)."""
        payment = qbo_id if isinstance(qbo_id, dict) else self.client.read("Payment", qbo_id)
        return sum(
            (
                Decimal(str(line.get("Amount", 0)))
                for line in payment.get("Line") or []
                for link in line.get("LinkedTxn") or []
                if link.get("TxnType") == "Invoice" and str(link.get("TxnId")) == str(invoice_qbo)
            ),
            ZERO,
        )

    def _void_payment(self, pid: int, ref: str, amount: Any, qbo_id: str, sync_token: str | None) -> None:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        # A cheque of ours paid back part of its credit (payments/refund_checks.py): voiding the
        # payment would unlink it in QuickBooks. The refund is voided first, then the payment.
        cheques = [
            refund
            for kind, _, refund in self.conn.execute(
                load_sql("payments/our_payment_links"), {"tenant_id": self.tenant_id, "payment_id": pid}
            )
            if kind == "Check"
        ]
        if cheques:
            self._explained(
                "payment_void_refunded", "payment", pid, ref, amount, "void", reference=ref, refunds=", ".join(cheques)
            )
            return

        def send(token: str) -> Any:
            return self.client.void("Payment", qbo_id, token, requestid=_requestid(self.realm_id, "void", pid, token))

        try:
            done = write_versioned(self.client, "Payment", qbo_id, sync_token, send, is_voided)
        except QboFaultError as exc:
            self._fault("payment", pid, ref, amount, exc.fault, "void")
            return
        except OutcomeUnknown:  # the next run reads it first: a void that landed is not repeated
            self._unknown_edit("payment", pid, ref, amount, "void")
            return
        note = "voided in QuickBooks" + (" (it already was: an earlier answer was lost)" if done.already else "")
        self._synced(
            "payment", pid, ref, amount, "void", qbo_id, str(done.entity.get("SyncToken")), note=note, hash_=VOIDED
        )
