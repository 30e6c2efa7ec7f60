"""Edits after sync: app credit notes changed or voided after they reached QuickBooks.

* A credit note edited in the app (its CreditMemo's content hash differs) is updated in full;
  when its total or invoice changed, its application (the zero Payment linking the memo and
  its invoice) is deleted first and made again afterwards, so QuickBooks never holds more
  credit applied than the memo has. A credit note voided in the app: QuickBooks has no void for
  a CreditMemo (Intuit's CreditMemo reference lists create, read, query, update and delete),
  so its application and the memo are deleted.

The same rules as payments' edits (``payments.edits``): every write names the SyncToken
recorded at the sync's own last write, a stale one is read once and retried once, and a change
already in QuickBooks (a lost answer) is never sent twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbo_sync.load.versioned import carries_sales, write_versioned
from qbo_sync.payments.edits import VOIDED, _requestid
from qbo_sync.payments.restore import put_back_note


class CreditNoteEdits:
    """Mixed into ``payments.outbound.Poster`` beside ``payments.edits.Edits``: uses its
    connection, client and bookkeeping (``_forget``, ``_record_state``, ``_unknown_edit``)."""

    def update_credit_note(
        self,
        nid: int,
        ref: str,
        total: Any,
        body: dict[str, Any],
        body_hash: str,
        *,
        invoice_id: int,
        invoice_number: str | None,
        invoice_qbo: str,
        customer_qbo: str,
        memo_qbo: str,
        memo_token: str | None,
        old_total: Decimal | None,
        old_invoice_id: int | None,
        application_qbo: str | None,
        application_token: str | None,
        changed: list[str],
        legacy: bool,
        put_back: bool = False,
        changed_there: str | None = None,
    ) -> None:
        """The credit note's CreditMemo brought to the app's version (``legacy``: the sync did not
        record what it sent, so QuickBooks' copy is compared first and nothing is sent if it agrees).
        ``put_back``: the memo was edited in QuickBooks (``changed_there``): its application is
        checked too, and made again if it no longer applies the credit as the sync left it."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        carries = carries_sales(body)
        state = {"total": str(total), "invoice_id": invoice_id}
        try:
            application_ok = True
            if put_back and application_qbo:
                agrees = self.application_agrees(application_qbo, memo_qbo, invoice_qbo, total)
                if agrees is None:  # gone from QuickBooks: applied again below
                    self._forget("credit_application", nid)
                    application_qbo = None
                application_ok = agrees is not False
            if legacy:
                fresh = self.client.read("CreditMemo", memo_qbo)
                memo_token = str(fresh.get("SyncToken"))
                if carries(fresh) and application_ok:  # QuickBooks has the app's version: send nothing
                    self._map("credit_memo", nid, memo_qbo, memo_token, body_hash, body.get("DocNumber"))
                    self._record_state("credit_memo", nid, state)
                    if application_qbo:
                        self._unchanged("credit_memo", nid, ref, total, memo_qbo)
                        return
                    applied = self._apply_credit(nid, memo_qbo, invoice_qbo, customer_qbo)
                    self._synced(
                        "credit_memo",
                        nid,
                        ref,
                        total,
                        "create",
                        memo_qbo,
                        memo_token,
                        note=f"applied {applied} to invoice {invoice_number}",
                        hash_=body_hash,
                    )
                    return
            reapply = application_qbo is not None and (
                not application_ok or old_total is None or old_total != total or old_invoice_id != invoice_id
            )
            if reapply:
                self._delete_application(nid, application_qbo, application_token)
                application_qbo = None
                # Freeing its credit gave the memo a new version in QuickBooks: read it once.
                memo_token = str(self.client.read("CreditMemo", memo_qbo).get("SyncToken"))

            def send(token: str) -> Any:
                return self.client.update(
                    "CreditMemo",
                    {**body, "Id": memo_qbo, "SyncToken": token},
                    requestid=_requestid(self.realm_id, "credit_memo", nid, token, body_hash),
                )

            done = write_versioned(self.client, "CreditMemo", memo_qbo, memo_token, send, carries)
            self._map("credit_memo", nid, memo_qbo, str(done.entity.get("SyncToken")), body_hash, body.get("DocNumber"))
            self._record_state("credit_memo", nid, state)
            note = "updated in QuickBooks" + (f": {put_back_note(changed_there)}" if put_back else "")
            if done.already:
                note += " (QuickBooks already had this change: an earlier answer was lost; not sent again)"
            if application_qbo is None:
                applied = self._apply_credit(nid, memo_qbo, invoice_qbo, customer_qbo)
                note += f"; credit applied again: {applied} to invoice {invoice_number}"
        except QboFaultError as exc:
            self._fault("credit_memo", nid, ref, total, exc.fault, "update")
            return
        except OutcomeUnknown:  # the next run reads it (and finds an application by its tag) first
            self._unknown_edit("credit_memo", nid, ref, total, "update")
            return
        self._synced(
            "credit_memo",
            nid,
            ref,
            total,
            "update",
            memo_qbo,
            str(done.entity.get("SyncToken")),
            note=note,
            hash_=body_hash,
            adjustments=changed,
        )

    def _delete_application(self, nid: int, qbo_id: str, sync_token: str | None) -> None:
        """Undo a credit memo's application (its zero Payment): the invoice owes that amount again."""

        def send(token: str) -> Any:
            return self.client.delete(
                "Payment", qbo_id, token, requestid=_requestid(self.realm_id, "unapply", nid, token)
            )

        write_versioned(self.client, "Payment", qbo_id, sync_token, send, lambda fresh: False, gone_is_done=True)
        self._forget("credit_application", nid)

    def void_credit_note(
        self,
        nid: int,
        ref: str,
        total: Any,
        *,
        invoice_number: str | None,
        memo_qbo: str,
        memo_token: str | None,
        application_qbo: str | None,
        application_token: str | None,
    ) -> None:
        """A credit note voided in the app: its application and CreditMemo deleted from QuickBooks
        (the API has no void for a CreditMemo)."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        def send(token: str) -> Any:
            return self.client.delete(
                "CreditMemo", memo_qbo, token, requestid=_requestid(self.realm_id, "delete", nid, token)
            )

        try:
            if application_qbo:
                self._delete_application(nid, application_qbo, application_token)
            done = write_versioned(
                self.client, "CreditMemo", memo_qbo, memo_token, send, lambda fresh: False, gone_is_done=True
            )
        except QboFaultError as exc:
            self._fault("credit_memo", nid, ref, total, exc.fault, "void")
            return
        except OutcomeUnknown:  # the next run tries again: a memo already gone counts as deleted
            self._unknown_edit("credit_memo", nid, ref, total, "void")
            return
        note = (
            "voided in the app: QuickBooks has no void for a credit memo, so it was deleted there"
            + (f", with its application to invoice {invoice_number} (the invoice owes that amount again)"
               if application_qbo else "")
            + (" (it was already gone)" if done.already else "")
        )  # fmt: skip
        self._synced("credit_memo", nid, ref, total, "void", memo_qbo, None, note=note, hash_=VOIDED)
