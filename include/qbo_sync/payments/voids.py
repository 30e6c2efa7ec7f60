"""Void in QuickBooks the invoices voided in the app after they synced (last in a run: a
payment recorded in the same run is in place first; QuickBooks then unapplies it, and says so).

Mixed into ``payments.outbound.Poster``: uses its connection, client and bookkeeping.
"""

from __future__ import annotations

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.payments.edits import VOIDED


class VoidPosting:
    def post_voids(self) -> None:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        rows = self.conn.execute(
            load_sql("payments/read_voids"), {"run_id": self.ctx.run_id, "tenant_id": self.tenant_id}
        ).fetchall()
        for iid, number, total, qbo_id in rows:
            with self.conn.transaction():
                try:
                    invoice = self.client.read("Invoice", qbo_id)  # fresh SyncToken
                    payments = [ln["TxnId"] for ln in invoice.get("LinkedTxn", []) if ln.get("TxnType") == "Payment"]
                    result = self.client.void("Invoice", qbo_id, str(invoice.get("SyncToken")))
                except QboFaultError as exc:
                    self._fault("invoice_void", iid, number, total, exc.fault, "void")
                    continue
                except OutcomeUnknown:  # voiding again is harmless: the next run does
                    self._explained_unknown("invoice_void", iid, number, total)
                    continue
                note = "voided in QuickBooks"
                if payments:
                    note += (
                        f"; the {len(payments)} payment(s) applied to it (QuickBooks Id "
                        f"{', '.join(payments)}) are now unapplied credit for the customer: "
                        "refund or reuse them in QuickBooks"
                    )
                self._synced(
                    "invoice_void", iid, number, total, "void", qbo_id, result.sync_token, note=note, hash_=VOIDED
                )
