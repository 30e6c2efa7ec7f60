"""Post a tenant's staged payments, credit notes and invoice voids to QuickBooks.

Order matters: payments and credit notes need their invoice in QuickBooks (the invoice
load ran before this), and voids come last so that a payment recorded in the same run
is in place before its invoice is voided (QuickBooks then unapplies it, and says so).

A payment that QuickBooks already has (our tag in its PrivateNote, or the same reference
for the same customer, dated within a month of it) is linked to our record, never posted
twice: QuickBooks cannot filter on PrivateNote, so each look-up asks for the customers'
transactions by CustomerRef and a TxnDate range and checks the tag here. A credit note is a
CreditMemo applied to its invoice through a zero-amount Payment linking both, which is
how QuickBooks applies credit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from qbo_client import quote
from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.read import tenant_settings
from qbo_sync.extract.records import TenantSettings
from qbo_sync.money import ZERO, cents
from qbo_sync.payments.credit_edits import CreditNoteEdits
from qbo_sync.payments.credit_notes import CreditNotePosting
from qbo_sync.payments.credit_resume import CreditMoveResume
from qbo_sync.payments.edits import PAYMENT_REF_MAX, VOIDED, Edits, overpayment_note
from qbo_sync.payments.refunds import post_refunds
from qbo_sync.payments.voids import VoidPosting
from qbo_sync.transform.adjustments import as_text, cut
from qbo_sync.transform.currency import with_currency
from qbo_sync.transform.invoice import private_note_tag
from qbo_sync.validate.company import QuickBooksLookups

log = logging.getLogger(__name__)

# How far from the app's payment date a payment keyed by hand in QuickBooks is still linked
# to it (same customer and reference) rather than posted again; bounds that look-up.
LINK_MARGIN_DAYS = 31
# Payments per write_many call (batches and plain requests at once); the sync log is written
# after each call, as the loader writes it after each of its calls.
PAYMENTS_PER_CALL = 600


def _requestid(realm_id: str, run_id: str, posts: list[tuple[int, dict[str, Any]]]) -> str:
    """The same payments with the same bodies in the same run -> the same requestid: a retried
    task's posts are replayed by QuickBooks, never doubled. A later run (a payment deleted in
    QuickBooks and posted again) gets a new one."""
    text = json.dumps([realm_id, run_id, posts], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Counts:
    synced: int = 0
    skipped: int = 0
    failed: int = 0


class Poster(Edits, CreditNoteEdits, CreditNotePosting, CreditMoveResume, VoidPosting):
    """Payments here; credit notes (``payments.credit_notes``), voids (``payments.voids``),
    edits after sync (``payments.edits``, ``payments.credit_edits``) and credits whose invoice's
    move stopped half-way (``payments.credit_resume``) mixed in."""

    def __init__(
        self,
        conn: psycopg.Connection,
        ctx: outcomes.RunContext,
        tenant_id: int,
        realm_id: str,
        connected_at: datetime,
        client: Any,
    ) -> None:
        self.conn, self.ctx, self.client = conn, ctx, client
        self.tenant_id, self.realm_id, self.connected_at = tenant_id, realm_id, connected_at
        self.settings: TenantSettings = tenant_settings(conn, tenant_id)
        self.counts: dict[str, Counts] = {}
        self.lookups = QuickBooksLookups(client.query)

    # ------------------------------------------------------------------ bookkeeping
    def _count(self, entity: str, status: str) -> None:
        c = self.counts.setdefault(entity, Counts())
        setattr(c, status, getattr(c, status) + 1)

    def _explained(
        self,
        code: str,
        entity: str,
        source_id: int,
        ref: str | None,
        amount: Any,
        action: str = "create",
        **context: object,
    ) -> None:
        outcome = outcomes.from_catalog(
            code,
            tenant_id=self.tenant_id,
            entity=entity,
            source_id=source_id,
            source_ref=ref,
            realm_id=self.realm_id,
            amount=amount,
            action=action,
            **context,
        )
        outcomes.record(self.conn, self.ctx, outcome)
        self._count(entity, outcome.status)

    def _fault(self, entity: str, source_id: int, ref: str | None, amount: Any, fault: Any, action: str) -> None:
        outcomes.record(
            self.conn,
            self.ctx,
            outcomes.from_fault(
                fault,
                tenant_id=self.tenant_id,
                realm_id=self.realm_id,
                entity=entity,
                source_id=source_id,
                source_ref=ref,
                action=action,
                amount=amount,
            ),
        )
        self._count(entity, "failed")

    def _synced(
        self,
        entity: str,
        source_id: int,
        ref: str | None,
        amount: Any,
        action: str,
        qbo_id: str,
        sync_token: str | None,
        note: str | None = None,
        hash_: str | None = None,
        map_entity: str | None = None,
        adjustments: list[str] | None = None,
    ) -> None:
        self._map(map_entity or entity, source_id, qbo_id, sync_token, hash_, ref)
        outcomes.record(
            self.conn,
            self.ctx,
            outcomes.Outcome(
                tenant_id=self.tenant_id,
                entity=entity,
                source_id=source_id,
                source_ref=ref,
                action=action,
                status="synced",
                realm_id=self.realm_id,
                qbo_id=qbo_id,
                amount=amount,
                error_message=note,
                adjustments=as_text(adjustments),
            ),
        )
        self._count(entity, "synced")

    def _unchanged(self, entity: str, source_id: int, ref: str | None, amount: Any, qbo_id: str) -> None:
        self._count(
            entity,
            outcomes.unchanged(
                self.conn,
                self.ctx,
                tenant_id=self.tenant_id,
                realm_id=self.realm_id,
                entity=entity,
                source_id=source_id,
                source_ref=ref,
                amount=amount,
                qbo_id=qbo_id,
            ),
        )

    def _historical(self, finalized_at: datetime | None) -> bool:
        return finalized_at is not None and finalized_at < self.connected_at

    def _invoice_reason(self, invoice_id: int | None) -> str:
        row = self.conn.execute(
            load_sql("load/run_invoice_cause"), {"tenant_id": self.tenant_id, "source_id": invoice_id}
        ).fetchone()
        return row[0] if row and row[0] else "it has not been synced"

    # ------------------------------------------------------------------ payments
    def post_payments(self) -> None:
        from qbo_client.results import BatchOperation

        rows = self.conn.execute(
            load_sql("payments/read_payments"), {"run_id": self.ctx.run_id, "tenant_id": self.tenant_id}
        ).fetchall()
        to_create: list[tuple[Any, dict[str, Any]]] = []
        edited: list[tuple] = []  # in QuickBooks, changed in the app since (payments/edits.py)
        with self.conn.transaction():
            for row in rows:
                (
                    pid,
                    amount,
                    paid_at,
                    method,
                    reference,
                    voided_at,
                    invoice_id,
                    number,
                    _client_id,
                    finalized_at,
                    invoice_qbo,
                    customer_qbo,
                    payment_qbo,
                    sync_token,
                    phash,
                    state_same,
                    *_old,
                    put_back,
                    _changed_there,
                    invoice_currency,
                    invoice_rate,
                    _old_reference,
                ) = row
                ref = reference or f"payment {pid}"
                app_values = (paid_at, reference, invoice_id)  # its recorded state once written
                if voided_at is not None:  # staged only when it is in QuickBooks
                    if phash == VOIDED:
                        self._unchanged("payment", pid, ref, amount, payment_qbo)
                        continue
                    self._void_payment(pid, ref, amount, payment_qbo, sync_token)
                    continue
                if payment_qbo:
                    # Changed in the app, or edited in QuickBooks and staged to be put back.
                    if (state_same is False or put_back) and phash != VOIDED:
                        edited.append(row)
                    else:  # unchanged (or its state never recorded: a record linked by hand)
                        self._unchanged("payment", pid, ref, amount, payment_qbo)
                    continue
                if not invoice_qbo and not self._invoice_exists(invoice_id):
                    self._explained(
                        "payment_invoice_missing", "payment", pid, ref, amount, reference=ref, invoice_id=invoice_id
                    )
                    continue
                if not invoice_qbo:
                    code = (
                        "payment_for_historical_invoice"
                        if self._historical(finalized_at)
                        else "payment_invoice_not_synced"
                    )
                    self._explained(
                        code,
                        "payment",
                        pid,
                        ref,
                        amount,
                        reference=ref,
                        number=number,
                        reason=self._invoice_reason(invoice_id),
                    )
                    continue
                if amount is None or amount <= ZERO:
                    self._explained(
                        "payment_amount_invalid", "payment", pid, ref, amount, reference=ref, amount_text=str(amount)
                    )
                    continue
                note: list[str] = []  # adjustments made for QuickBooks
                if reference and len(reference) > PAYMENT_REF_MAX:
                    if self.settings.payment_ref_policy != "truncate":
                        self._explained(
                            "payment_reference_too_long",
                            "payment",
                            pid,
                            ref,
                            amount,
                            reference=reference,
                            length=len(reference),
                        )
                        continue
                    reference = cut(
                        reference, PAYMENT_REF_MAX, "payment reference (payment_ref_policy truncate)", note, keep="end"
                    )
                if not self.settings.deposit_account_id:
                    self._explained("deposit_account_missing", "payment", pid, ref, amount)
                    continue
                body = {
                    "CustomerRef": {"value": customer_qbo},
                    "TotalAmt": amount,
                    "TxnDate": (paid_at or datetime.now()).date().isoformat(),
                    "DepositToAccountRef": {"value": self.settings.deposit_account_id},
                    "PrivateNote": f"{private_note_tag('payment', pid)} {method or ''}".strip(),
                    "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}],
                }
                if reference:
                    body["PaymentRefNum"] = reference
                if invoice_currency:  # the invoice went in another currency: its payment follows it
                    self._in_invoice_currency(body, invoice_currency.strip(), invoice_rate, note)
                to_create.append(((pid, ref, amount, customer_qbo, reference, note, app_values), body))
        invoice_of = {meta[0]: body["Line"][0]["LinkedTxn"][0]["TxnId"] for meta, body in to_create}
        existing = self._existing_payments([b for _, b in to_create])
        balances = self._open_balances(set(invoice_of.values()))
        pending = []
        with self.conn.transaction():
            for (pid, ref, amount, customer, reference, note, app), body in to_create:
                hit = self._match_payment(existing.get(customer, []), pid, reference, amount, invoice_of[pid])
                if hit:
                    self._synced(
                        "payment",
                        pid,
                        ref,
                        amount,
                        "create",
                        str(hit["Id"]),
                        str(hit.get("SyncToken")),
                        adjustments=note,
                        note=f"QuickBooks already had this payment (Id {hit['Id']}): linked, not doubled",
                    )
                    self.record_payment_state(pid, amount, *app)
                    continue
                # QuickBooks applies no more than the invoice still owes: an overpayment goes with
                # the excess left unapplied, as credit for the customer (Intuit's Payment reference:
                # UnappliedAmt), and its outcome says so.
                invoice_qbo = invoice_of[pid]
                balance = balances.get(invoice_qbo)
                if balance is not None and amount > balance:
                    applied = max(balance, ZERO)
                    body["Line"] = (
                        [{"Amount": applied, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}]
                        if applied > ZERO
                        else []
                    )
                    note.append(overpayment_note(amount, applied, self._invoice_number(invoice_qbo, rows)))
                if balance is not None:
                    balances[invoice_qbo] = max(balance - amount, ZERO)
                pending.append(((pid, ref, amount, customer, reference, note, app), body))
        # Batches and plain requests side by side (QboClient.write_many): the company's whole
        # request budget, a requestid per request derived from the run and what it posts.
        for start in range(0, len(pending), PAYMENTS_PER_CALL):
            chunk = pending[start : start + PAYMENTS_PER_CALL]
            ops = [BatchOperation.create("Payment", body, bid=str(i + 1)) for i, (_, body) in enumerate(chunk)]
            results = self.client.write_many(
                ops, requestid=_requestid(self.realm_id, self.ctx.run_id, [(m[0], b) for m, b in chunk])
            )
            unknown, unknown_bodies = [], []
            with self.conn.transaction():
                for (meta, body), res in zip(chunk, results, strict=False):
                    pid, ref, amount, customer, reference, note, app = meta
                    if res.ok:
                        self._synced(
                            "payment",
                            pid,
                            ref,
                            amount,
                            "create",
                            str(res.entity["Id"]),
                            str(res.entity.get("SyncToken")),
                            adjustments=note,
                        )
                        self.record_payment_state(pid, amount, *app)
                    elif res.outcome_unknown:
                        unknown.append(meta)
                        unknown_bodies.append(body)
                    else:
                        self._fault("payment", pid, ref, amount, res.fault, "create")
            if unknown:  # look before posting again: the first post may have landed
                found = self._existing_payments(unknown_bodies)
                with self.conn.transaction():
                    for (pid, ref, amount, customer, reference, note, app), _body in zip(
                        unknown, unknown_bodies, strict=False
                    ):
                        hit = self._match_payment(found.get(customer, []), pid, reference, amount, invoice_of[pid])
                        if hit:
                            self._synced(
                                "payment",
                                pid,
                                ref,
                                amount,
                                "create",
                                str(hit["Id"]),
                                str(hit.get("SyncToken")),
                                note="answer lost; found in QuickBooks",
                                adjustments=note,
                            )
                            self.record_payment_state(pid, amount, *app)
                        else:
                            self._explained_unknown("payment", pid, ref, amount)
        if edited:
            self.update_payments(edited)

    def _in_invoice_currency(self, body: dict[str, Any], currency: str, invoice_rate: Decimal, note: list[str]) -> None:
        """A payment in its invoice's currency, at QuickBooks' rate for the payment's date (the
        difference from the invoice's rate is QuickBooks' exchange gain or loss); at the
        invoice's rate when QuickBooks has none for that date (said on the outcome)."""
        from qbo_sync.load.currency import QuickBooksRates

        if getattr(self, "_rates", None) is None:
            self._rates = QuickBooksRates(self.client)
        rate = self._rates(currency, date.fromisoformat(body["TxnDate"]))
        if rate is None:
            rate = invoice_rate
            note.append(
                f"sent at its invoice's exchange rate {invoice_rate} (QuickBooks has no {currency} "
                f"rate for {body['TxnDate']})"
            )
        with_currency(body, currency, rate)

    def _invoice_exists(self, invoice_id: int | None) -> bool:
        if invoice_id is None:
            return False
        rows = self.conn.execute(load_sql("load/invoices_by_id"), {"ids": [invoice_id]}).fetchall()
        return any(r[1] == self.tenant_id for r in rows)

    def _open_balances(self, invoice_ids: set[str]) -> dict[str, Decimal]:
        """QuickBooks Id -> what the invoice still owes there, read in chunks of 50."""

        wanted = sorted(i for i in invoice_ids if i)
        balances: dict[str, Decimal] = {}
        for i in range(0, len(wanted), 50):
            literals = ", ".join(quote(v) for v in wanted[i : i + 50])
            for row in self.client.query(f"select * from Invoice where Id in ({literals})"):
                balances[str(row["Id"])] = cents(Decimal(str(row.get("Balance", 0))))
        return balances

    @staticmethod
    def _invoice_number(invoice_qbo: str, rows: list) -> str | None:
        return next((r[7] for r in rows if r[10] == invoice_qbo), f"(Id {invoice_qbo})")

    def _explained_unknown(self, entity: str, source_id: int, ref: str | None, amount: Any) -> None:
        outcomes.outcome_unknown(
            self.conn,
            self.ctx,
            tenant_id=self.tenant_id,
            realm_id=self.realm_id,
            entity=entity,
            source_id=source_id,
            source_ref=ref,
            amount=amount,
        )
        self._count(entity, "failed")

    def _existing_payments(self, bodies: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """The customers' QuickBooks payments dated near these payments, by CustomerRef.

        A Payment cannot be filtered on PrivateNote (our tag) nor, by the sources we have, on
        PaymentRefNum; it can on CustomerRef and TxnDate. Our own posts carry the app's payment
        date exactly; a payment keyed by hand in QuickBooks is dated near it, hence the margin."""
        if not bodies:
            return {}
        dates = [date.fromisoformat(b["TxnDate"]) for b in bodies]
        margin = timedelta(days=LINK_MARGIN_DAYS)
        return self.lookups.customer_transactions(
            "Payment", {b["CustomerRef"]["value"] for b in bodies}, min(dates) - margin, max(dates) + margin
        )

    @staticmethod
    def _match_payment(
        rows: list[dict[str, Any]], pid: int, reference: str | None, amount: Any, invoice_qbo: str
    ) -> dict | None:
        """Our payment already in QuickBooks: our tag on a payment of exactly this amount
        applied to this invoice (a tag alone is text anyone can type, so it never links
        another payment), else the same reference on a payment of that customer."""
        tag = private_note_tag("payment", pid)
        for row in rows:
            invoices = {
                str(link.get("TxnId"))
                for line in row.get("Line") or []
                for link in line.get("LinkedTxn") or []
                if link.get("TxnType") == "Invoice"
            }
            if (
                tag in (row.get("PrivateNote") or "")
                and invoices <= {str(invoice_qbo)}  # an overpayment may pay nothing of a paid invoice
                and Decimal(str(row.get("TotalAmt", 0))) == Decimal(str(amount))
            ):
                return row
        for row in rows:
            if reference and row.get("PaymentRefNum") == reference and Decimal(str(row.get("TotalAmt", 0))) > 0:
                return row
        return None

    # ------------------------------------------------------------------ shared look-ups
    def _tagged(self, entity: str, customers: set[str], since: date) -> dict[str, dict[str, Any]]:
        """Our transactions of these customers dated ``since`` or later, by PrivateNote tag
        (checked here: QuickBooks cannot filter on PrivateNote)."""
        found: dict[str, dict[str, Any]] = {}
        for rows in self.lookups.customer_transactions(entity, customers, since).values():
            for row in rows:
                note = row.get("PrivateNote") or ""
                if "[qbo-sync " in note:
                    found["[qbo-sync " + note.split("[qbo-sync ", 1)[1].split("]", 1)[0] + "]"] = row
        return found

    def _map(
        self,
        entity: str,
        source_id: int,
        qbo_id: str,
        sync_token: str | None,
        payload_hash: str | None = None,
        doc_number: str | None = None,
    ) -> None:
        # The loader's per-batch statement, for one record.
        self.conn.execute(
            load_sql("load/upsert_entity_map_many"),
            {
                "tenant_id": self.tenant_id,
                "entity": entity,
                "realm_id": self.realm_id,
                "source_id": [source_id],
                "qbo_id": [qbo_id],
                "sync_token": [sync_token],
                "payload_hash": [payload_hash],
                "doc_number": [doc_number],
            },
        )


def post_tenant(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    tenant_id: int,
    realm_id: str,
    connected_at: datetime,
    client: Any,
) -> dict[str, dict[str, int]]:
    poster = Poster(conn, ctx, tenant_id, realm_id, connected_at, client)
    poster.post_payments()
    poster.post_credit_notes()
    post_refunds(poster)  # after their payments (payments/refunds.py)
    poster.post_voids()
    for entity in ("payment", "credit_memo", "refund", "invoice_void"):
        conn.execute(load_sql("payments/mark_posted"), {"run_id": ctx.run_id, "tenant_id": tenant_id, "entity": entity})
    return {k: vars(v) for k, v in poster.counts.items()}
