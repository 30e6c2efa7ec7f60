"""A credit note whose invoice's move stopped half-way: its application was deleted so the
invoice could move to another customer (``load.credit_moves``) and the run stopped, or the new
application failed, before the credit was applied again.

The loader marks the credit memo's recorded state before it deletes the application
(``sql/load/credit_moving.sql``: the invoice and the amount applied) and removes the mark once
the credit is applied again. A marked credit note is staged by every run
(``sql/extract/stage_credit_notes.sql``) and, in the credit-note task, applied again here:

1. the invoice is read: the customer QuickBooks holds it under now (the new one when the invoice
   went, else still the old one) is the only one a Payment may link it for (620);
2. an application already there is looked for first - a Payment linked to the invoice with our
   tag in its PrivateNote (the one deleted, if the run stopped before the delete landed; a new
   one whose answer was lost) - and, found, only recorded;
3. else the CreditMemo is moved to that customer when it is under another (a sparse update with
   the SyncToken read), and the credit is applied once: a new zero Payment for the amount applied
   before (never more than the memo holds or the invoice owes), posted with a requestid and,
   after a lost answer, looked up on the invoice by its tag before anything is posted again.

The credit note has an ``update`` outcome saying so. A fault or a lost answer leaves the mark,
and the credit note failed: the next run does the same again, finding what already landed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbo_client import quote
from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.load.versioned import write_versioned
from qbo_sync.money import ZERO, cents
from qbo_sync.payments.edits import _requestid
from qbo_sync.transform.invoice import private_note_tag


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return None if value in (None, "") else str(value)


class CreditMoveResume:
    """Mixed into ``payments.outbound.Poster``: uses its connection, client and bookkeeping."""

    def credits_moving(self, ids: list[int]) -> dict[int, Decimal]:
        """Of credit notes ``ids``, those marked as moving with their invoice: the amount applied."""
        rows = self.conn.execute(load_sql("payments/credits_moving"), {"tenant_id": self.tenant_id, "ids": ids})
        return {nid: applied for nid, _invoice_id, applied in rows}

    def resume_credit_move(
        self,
        nid: int,
        ref: str,
        total: Any,
        applied: Decimal,
        *,
        memo_qbo: str,
        invoice_qbo: str,
        invoice_number: str | None,
        customer_qbo: str | None,
    ) -> None:
        """Apply credit note ``nid``'s credit again (``applied`` before the move), once."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        tag = private_note_tag("credit_application", nid)
        memo_token: str | None = None
        memo_moved = already = False
        try:
            invoice = self.client.read("Invoice", invoice_qbo)
            customer = _ref(invoice.get("CustomerRef")) or ""
            found = self._tagged_on(invoice, tag, customer)
            amount = ZERO
            if found is not None:
                already = True
            else:
                memo = self.client.read("CreditMemo", memo_qbo)
                if _ref(memo.get("CustomerRef")) != customer:
                    memo = self._memo_to_customer(memo_qbo, str(memo.get("SyncToken")), customer)
                    memo_token, memo_moved = str(memo.get("SyncToken")), True
                remaining = Decimal(str(memo.get("RemainingCredit", memo.get("TotalAmt", 0))))
                amount = cents(min(applied, remaining, Decimal(str(invoice.get("Balance", 0)))))
                if amount > ZERO:
                    found, already = self._post_application(nid, memo_qbo, invoice_qbo, customer, amount, tag)
        except QboFaultError as exc:
            self._fault("credit_memo", nid, ref, total, exc.fault, "update")
            return
        except OutcomeUnknown:  # the next run reads the invoice first: what landed is found by its tag
            self._unknown_edit("credit_memo", nid, ref, total, "update")
            return
        if found is not None:
            self._map_application(nid, found)
        else:  # nothing applied: no application of ours recorded either
            self._forget("credit_application", nid)
        self.conn.execute(
            load_sql("load/credit_memo_moved"),
            {  # under the app's customer (the invoice went): the app's version is the reference again
                "tenant_id": self.tenant_id,
                "source_id": nid,
                "sync_token": memo_token,
                "moved": customer == customer_qbo,
            },
        )
        self.conn.execute(load_sql("load/credit_applied_again"), {"tenant_id": self.tenant_id, "source_id": nid})
        stopped = f"a move of invoice {invoice_number} to another customer stopped half-way (its application deleted"
        stopped += ", the credit not applied again)"
        if found is None:
            said = (
                f"{stopped}: not applied again, as the invoice owes nothing in QuickBooks now or the credit memo "
                f"holds no credit; the credit stays unapplied for QuickBooks customer Id {customer} (apply it "
                f"there by hand if it is meant for another invoice)"
            )
        elif already:
            there = self._applied_to(found, invoice_qbo)
            said = (
                f"checked after {stopped}: QuickBooks already has it applied ({there:.2f}"
                f" to the invoice under customer Id {customer}, our application found by its tag); not sent again"
            )
        else:
            said = f"applied again after {stopped}: {amount:.2f} applied to the invoice"
            said += f" under QuickBooks customer Id {customer}"
            if memo_moved:
                said += " (the credit memo moved to that customer first)"
        outcome = outcomes.Outcome(
            tenant_id=self.tenant_id,
            realm_id=self.realm_id,
            entity="credit_memo",
            source_id=nid,
            source_ref=ref,
            amount=total,
            action="update",
            status="synced",
            qbo_id=memo_qbo,
            error_message=said,
        )
        outcomes.record(self.conn, self.ctx, outcome)
        self._count("credit_memo", "synced")

    def _memo_to_customer(self, memo_qbo: str, token: str, customer: str) -> dict[str, Any]:
        def send(sync_token: str) -> Any:
            body = {"Id": memo_qbo, "SyncToken": sync_token, "CustomerRef": {"value": customer}}
            requestid = _requestid(self.realm_id, "memo", memo_qbo, sync_token, customer)
            return self.client.update("CreditMemo", body, sparse=True, requestid=requestid)

        carries = lambda fresh: _ref(fresh.get("CustomerRef")) == customer  # noqa: E731
        return write_versioned(self.client, "CreditMemo", memo_qbo, token, send, carries).entity

    def _post_application(
        self, nid: int, memo_qbo: str, invoice_qbo: str, customer: str, amount: Decimal, tag: str
    ) -> tuple[dict[str, Any], bool]:
        """The new zero Payment (and whether QuickBooks already had it: a lost answer)."""
        from qbo_client.errors import OutcomeUnknown

        body = {
            "CustomerRef": {"value": customer},
            "TotalAmt": ZERO,
            "PrivateNote": tag,
            "Line": [
                {"Amount": amount, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]},
                {"Amount": amount, "LinkedTxn": [{"TxnId": memo_qbo, "TxnType": "CreditMemo"}]},
            ],
        }
        requestid = _requestid(self.realm_id, "resume", nid, memo_qbo, invoice_qbo, customer)
        try:
            return self.client.create("Payment", body, requestid=requestid).entity, False
        except OutcomeUnknown:
            found = self._tagged_on(self.client.read("Invoice", invoice_qbo), tag, customer)
            if found is None:
                raise
            return found, True

    def _tagged_on(self, invoice: dict[str, Any], tag: str, customer: str) -> dict[str, Any] | None:
        """Our application of this credit note linked to ``invoice``, under ``customer``."""
        links = invoice.get("LinkedTxn") or []
        ids = sorted({str(x.get("TxnId")) for x in links if x.get("TxnType") == "Payment"})
        if not ids:
            return None
        for row in self.client.query(f"select * from Payment where Id in ({', '.join(quote(i) for i in ids)})"):
            if tag in (row.get("PrivateNote") or "") and _ref(row.get("CustomerRef")) == customer:
                return row
        return None

    @staticmethod
    def _applied_to(payment: dict[str, Any], invoice_qbo: str) -> Decimal:
        return sum(
            (
                Decimal(str(line.get("Amount") or 0))
                for line in payment.get("Line") or []
                for link in line.get("LinkedTxn") or []
                if link.get("TxnType") == "Invoice" and str(link.get("TxnId")) == str(invoice_qbo)
            ),
            ZERO,
        )
