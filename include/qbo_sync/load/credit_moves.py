"""An invoice moved to another client after sync while one of the sync's own credit note
applications is linked to it: the credit moves with the invoice (used by ``load.moves``).

A credit note is applied by a zero Payment linking the CreditMemo and the invoice
(payments/credit_notes.py), and QuickBooks links a payment only to its own customer's
transactions (620), so before the invoice's update goes:

1. the application (that zero Payment) is deleted - the invoice owes that amount again;
2. the CreditMemo moves to the invoice's new customer (a sparse update of its CustomerRef with
   the SyncToken read: deleting the application gave it a new version);

and once the invoice went, :meth:`CreditMoves.after_sending` applies the credit again (a new zero
Payment with the same amount, under the new customer). When the invoice did not go (QuickBooks
refused it), the memo goes back to the old customer and the credit is applied again there.

Exactly once: every update names the SyncToken read and is looked up after a lost answer
(``load.versioned``); the delete counts a Payment already gone as done; the new application is
posted with a requestid (QuickBooks answers a replay with the first answer) and, when even that
answer is lost, looked up on the invoice (its LinkedTxn, our tag in the Payment's PrivateNote)
before anything is posted again. Each credit note moved is an ``update`` outcome of its own.

A stopped run: the credit memo's recorded state is marked before the delete
(``sql/load/credit_moving.sql``: the invoice and the amount applied) and the mark is removed
once the credit is applied again. A run that stops in between (QuickBooks down before the
invoice went, the worker killed) or whose new application failed leaves the mark: the next run
stages the credit note and its credit-note task applies the credit again, once, under the
invoice's customer in QuickBooks (``payments.credit_resume``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qbo_client import quote
from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.load.versioned import write_versioned
from qbo_sync.money import cents
from qbo_sync.transform.invoice import private_note_tag


@dataclass
class CreditMoved:
    nid: int  # the credit note
    number: str | None
    application_qbo: str  # the zero Payment deleted
    memo_qbo: str
    applied: Decimal
    invoice: Any  # the loader's Pending
    old_customer: str
    new_customer: str
    memo_at: str = ""  # the customer the memo is under now


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return None if value in (None, "") else str(value)


def movable(payment: dict[str, Any], invoice_qbo: str) -> tuple[str, Decimal] | None:
    """(CreditMemo Id, amount) when ``payment`` is a credit application of one memo to this
    invoice alone, else None."""
    invoices: dict[str, Decimal] = {}
    memos: dict[str, Decimal] = {}
    for line in payment.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            into = invoices if link.get("TxnType") == "Invoice" else memos
            key = str(link.get("TxnId"))
            into[key] = into.get(key, Decimal(0)) + Decimal(str(line.get("Amount") or 0))
    if set(invoices) != {invoice_qbo} or len(memos) != 1:
        return None
    return next(iter(memos)), invoices[invoice_qbo]


class CreditMoves:
    def __init__(self, loader: Any, requestid: Any) -> None:
        self.loader = loader
        self.requestid = requestid
        self.moved: list[CreditMoved] = []

    # ------------------------------------------------------------------ before
    def unlink(self, m: CreditMoved, application_token: str) -> bool:
        """Delete the application, move the memo; False: the invoice fails (outcome written)."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        lo = self.loader
        client = lo.client
        with lo.conn.transaction():  # marked before QuickBooks is touched (a stopped run: the credit-note task)
            lo.conn.execute(
                load_sql("load/credit_moving"),
                {
                    "tenant_id": lo.tenant_id,
                    "source_id": m.nid,
                    "invoice_id": m.invoice.source_id,
                    "applied": cents(m.applied),
                },
            )
        try:

            def delete(token: str) -> Any:
                return client.delete(
                    "Payment", m.application_qbo, token, requestid=self.requestid("unapply", m.application_qbo, token)
                )

            write_versioned(client, "Payment", m.application_qbo, application_token, delete, lambda _: False,
                            gone_is_done=True)  # fmt: skip
            lo.conn.execute(
                load_sql("payments/forget_mapping"),
                {"tenant_id": lo.tenant_id, "entity": "credit_application", "source_id": m.nid},
            )
            m.memo_at = m.old_customer
            self._memo_to(m, m.new_customer)
        except (QboFaultError, OutcomeUnknown) as exc:
            if m.memo_at:  # deleted: the credit goes back on the invoice where it is
                self._apply(m, m.old_customer, went=False)
            elif isinstance(exc, QboFaultError):  # QuickBooks refused the delete: still applied as it was
                self._applied_again(m)
            with lo._writing():
                if isinstance(exc, QboFaultError):
                    lo._failed_fault("invoice", m.invoice, exc.fault, "update")
                else:
                    lo._failed_code_transient("invoice", m.invoice)
            return False
        self.moved.append(m)
        return True

    def _memo_to(self, m: CreditMoved, customer: str) -> None:
        lo = self.loader

        def send(token: str) -> Any:
            body = {"Id": m.memo_qbo, "SyncToken": token, "CustomerRef": {"value": customer}}
            return lo.client.update(
                "CreditMemo", body, sparse=True, requestid=self.requestid("memo", m.memo_qbo, token, customer)
            )

        done = write_versioned(
            lo.client, "CreditMemo", m.memo_qbo, None, send, lambda fresh: _ref(fresh.get("CustomerRef")) == customer
        )
        m.memo_at = customer
        lo.conn.execute(
            load_sql("load/credit_memo_moved"),
            {
                "tenant_id": lo.tenant_id,
                "source_id": m.nid,
                "sync_token": str(done.entity.get("SyncToken")),
                "moved": False,
            },
        )

    def put_back(self, invoice: Any) -> None:
        """The invoice stays where it is (a later write for it failed): its credits applied again."""
        for m in [m for m in self.moved if m.invoice is invoice]:
            self.moved.remove(m)
            self._apply(m, m.old_customer, went=False)

    # ------------------------------------------------------------------ after
    def after_sending(self, went_to: dict[int, str | None]) -> None:
        """``went_to``: invoice source id -> the customer the sync now records it under."""
        for m in self.moved:
            went = went_to.get(m.invoice.source_id) == m.new_customer
            self._apply(m, m.new_customer if went else m.old_customer, went=went)
        self.moved = []

    def _apply(self, m: CreditMoved, customer: str, *, went: bool) -> None:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        lo = self.loader
        invoice_qbo = str(m.invoice.qbo_id)
        tag = private_note_tag("credit_application", m.nid)
        already = False
        try:
            if m.memo_at != customer:
                self._memo_to(m, customer)
            body = {
                "CustomerRef": {"value": customer},
                "TotalAmt": Decimal("0"),
                "PrivateNote": tag,
                "Line": [
                    {"Amount": m.applied, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]},
                    {"Amount": m.applied, "LinkedTxn": [{"TxnId": m.memo_qbo, "TxnType": "CreditMemo"}]},
                ],
            }
            try:
                payment = lo.client.create(
                    "Payment", body, requestid=self.requestid("reapply", m.nid, m.application_qbo, customer)
                ).entity
            except OutcomeUnknown:
                payment = self._find_application(invoice_qbo, tag, customer)
                if payment is None:
                    raise
                already = True
        except (QboFaultError, OutcomeUnknown) as exc:
            common = self._common(m)
            if isinstance(exc, QboFaultError):
                outcomes.record(lo.conn, lo.ctx, outcomes.from_fault(exc.fault, action="update", **common))
            else:  # a failed credit note is posted again by the next run (payments/credit_notes.py)
                outcomes.outcome_unknown(lo.conn, lo.ctx, action="update", **common)
            return
        with lo.conn.transaction():
            self._applied_again(m)
            if went:  # its recorded fingerprint (under the old customer) forgotten
                lo.conn.execute(
                    load_sql("load/credit_memo_moved"),
                    {"tenant_id": lo.tenant_id, "source_id": m.nid, "sync_token": None, "moved": True},
                )
            lo.conn.execute(
                load_sql("load/upsert_entity_map_many"),
                {
                    "tenant_id": lo.tenant_id,
                    "entity": "credit_application",
                    "realm_id": lo.realm_id,
                    "source_id": [m.nid],
                    "qbo_id": [str(payment["Id"])],
                    "sync_token": [str(payment.get("SyncToken"))],
                    "payload_hash": [None],
                    "doc_number": [None],
                },
            )
            number = m.invoice.body.get("DocNumber") or m.invoice.source_ref
            if went:
                note = (
                    f"moved in QuickBooks with invoice {number} from customer Id {m.old_customer} to customer Id "
                    f"{customer}: its application deleted before the invoice moved, the credit memo moved, "
                    f"{m.applied:.2f} applied to the invoice again after"
                )
            else:
                note = (
                    f"its application was deleted for a move of invoice {number} to another customer; the invoice "
                    f"did not go (its own outcome says why), so {m.applied:.2f} was applied to it again as before"
                )
            if already:
                note += " (QuickBooks already had the new application: an earlier answer was lost; not sent again)"
            outcome = outcomes.Outcome(
                **self._common(m), action="update", status="synced", qbo_id=m.memo_qbo, error_message=note
            )
            outcomes.record(lo.conn, lo.ctx, outcome)

    def _applied_again(self, m: CreditMoved) -> None:
        """The mark recorded before the delete (``unlink``) removed: nothing left to the next run."""
        lo = self.loader
        lo.conn.execute(load_sql("load/credit_applied_again"), {"tenant_id": lo.tenant_id, "source_id": m.nid})

    def _find_application(self, invoice_qbo: str, tag: str, customer: str) -> dict[str, Any] | None:
        """A new application whose answer was lost: on the invoice, with our tag, under ``customer``."""
        lo = self.loader
        invoice = lo.client.read("Invoice", invoice_qbo)
        ids = sorted({str(x.get("TxnId")) for x in invoice.get("LinkedTxn") or [] if x.get("TxnType") == "Payment"})
        if not ids:
            return None
        for row in lo.client.query(f"select * from Payment where Id in ({', '.join(quote(i) for i in ids)})"):
            if tag in (row.get("PrivateNote") or "") and _ref(row.get("CustomerRef")) == customer:
                return row
        return None

    def _common(self, m: CreditMoved) -> dict[str, Any]:
        lo = self.loader
        return {
            "tenant_id": lo.tenant_id,
            "realm_id": lo.realm_id,
            "entity": "credit_memo",
            "source_id": m.nid,
            "source_ref": m.number,
            "amount": None,
        }
