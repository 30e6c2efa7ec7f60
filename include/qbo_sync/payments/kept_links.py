"""The lines of ours a payment edit must keep: a payment's Line array is all-or-nothing.

A payment edited in the app is updated in QuickBooks with its whole ``Line`` array (Intuit's
Payment reference: lines are replaced, not merged). Besides the line paying its invoice the
Payment may carry lines the sync put there for other records: a cheque that paid back part of
its unapplied credit (``payments.refund_checks``, ``LinkedTxn`` type ``Check``) and a credit
application (type ``CreditMemo``). Sent without them, the update would unlink them in
QuickBooks: the cheque would hang on Accounts Receivable with the credit open again.

So before such an edit the Payment is read (only when the database says it may carry one of
ours: no extra read otherwise), the lines linking our records are sent back as they are, and
what they take from the payment's money is known: a cheque takes its amount, a credit memo
adds its own. The cheques paid back the payment's excess: an edit that leaves less over what the
payment pays on its invoice than they took fails before anything is sent
(``payment_edit_below_refunded``, payments/edits.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.money import ZERO

KEPT_TYPES = ("Check", "CreditMemo")


@dataclass
class KeptLinks:
    payment: dict[str, Any] | None = None  # QuickBooks' copy, read before the edit (None: not read)
    lines: list[dict[str, Any]] = field(default_factory=list)  # sent back as they are
    cheques: Decimal = ZERO  # what our cheques take from the payment's money
    credits: Decimal = ZERO  # what our credit memos add to it
    cheque_refs: list[str] = field(default_factory=list)  # the refunds, as the app names them

    def room(self, amount: Decimal) -> Decimal:
        """What a payment of ``amount`` has left for its invoice once these lines are kept."""
        return amount + self.credits - self.cheques


def _money(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))


def kept_links(conn: Any, client: Any, tenant_id: int, payment_id: int, qbo_id: str) -> KeptLinks:
    """The lines of ours on QuickBooks Payment ``qbo_id`` (app payment ``payment_id``)."""
    ours = {
        (txn_type, str(qbo)): ref
        for txn_type, qbo, ref in conn.execute(
            load_sql("payments/our_payment_links"), {"tenant_id": tenant_id, "payment_id": payment_id}
        )
        if qbo
    }
    if not ours:
        return KeptLinks()
    payment = client.read("Payment", qbo_id)
    kept = KeptLinks(payment=payment)
    for line in payment.get("Line") or []:
        links = [
            (link.get("TxnType"), str(link.get("TxnId")))
            for link in line.get("LinkedTxn") or []
            if link.get("TxnType") in KEPT_TYPES
        ]
        mine = [key for key in links if key in ours]
        if not mine:
            continue
        amount = _money(line.get("Amount"))
        kept.lines.append({"Amount": line.get("Amount"), "LinkedTxn": line.get("LinkedTxn")})
        if mine[0][0] == "Check":
            kept.cheques += amount
            kept.cheque_refs.append(ours[mine[0]])
        else:
            kept.credits += amount
    return kept
