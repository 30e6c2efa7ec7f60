"""A credit memo's application changed alone in QuickBooks: the zero Payment that links one
of our credit memos to its invoice (``entity_map`` entity ``credit_application``), edited or
deleted there while the memo itself is untouched.

Change data capture lists that Payment (deleted: only its Id). Our own writes are known by
their SyncToken, as for every record. Otherwise, when the application no longer applies the
memo's whole credit to the app's invoice (and only that), the change is the credit note's:
an ``edited`` change of the credit memo (its cause says what happened to the application), so
the tenant's policy applies as to any edited credit memo: ``flag`` holds the credit note until
finance resyncs it, ``app_wins`` has the next run put it back (``payments.restore`` reads the
application and applies the credit again; docs/operations.md, "Changes made in QuickBooks").
An application changed because its invoice was voided or deleted in the same capture is left
to the invoice's own change, and one changed with its memo to the memo's (a put-back of the
memo reads its application too): applications are judged after every other record.
"""

from __future__ import annotations

import types
from decimal import Decimal
from typing import Any

from qbo_sync.load.versioned import payment_view
from qbo_sync.money import ZERO, cents


def _described(change: Any, values: dict[str, Any], total: Any) -> str | None:
    """What happened to the application, in a cause's words; None: it still applies the credit."""
    invoice = f"invoice {values.get('InvoiceNumber') or values.get('Invoice')}"
    if change.deleted:
        return f"its application to {invoice} was deleted there, so the invoice owes that credit again"
    links = payment_view(change.entity)[4]  # (TxnType, TxnId) -> amount
    memo = links.get(("CreditMemo", str(values.get("CreditMemo"))), ZERO)
    to_invoice = links.get(("Invoice", str(values.get("Invoice"))), ZERO)
    whole = cents(Decimal(str(total))) if total is not None else None
    expected = {("Invoice", str(values.get("Invoice"))), ("CreditMemo", str(values.get("CreditMemo")))}
    if set(links) == expected and memo == to_invoice == whole:
        return None
    if memo <= ZERO or to_invoice <= ZERO:
        return f"its application to {invoice} was removed there (the credit is no longer applied)"
    return f"its application was changed there: credit applied {whole} -> {memo}"


def judge_application(judge: Any, s: Any, ref: Any, amount: Any, status: Any, values: dict[str, Any]) -> None:
    """One captured change of a credit memo's application (``s.entity == 'credit_application'``)."""
    change = s.change
    if status == "voided":
        return  # voided in the app: the sync deletes memo and application itself
    token = None if change.deleted else str(change.entity.get("SyncToken"))
    if token is not None and token in s.tokens:  # our own write
        judge._version(s, token, None, keep_hash=True)
        return
    if judge.invoice_gone(values.get("Invoice")):
        return  # its invoice was voided or deleted in QuickBooks: that change says it
    if token is not None:  # the application's own version moves on (what the sync sends next names it)
        judge._version(s, token, None, keep_hash=True)
    detail = _described(change, values, amount)
    if detail is None:
        return
    judge.later.append(lambda: _memo_changed(judge, s, ref, amount, detail))


def _memo_changed(judge: Any, s: Any, ref: Any, amount: Any, detail: str) -> None:
    """Once every record of the capture was judged: the credit memo's change, unless the memo
    itself was found changed in this capture (its change is said; a put-back reads the
    application too)."""
    change = s.change
    if ("credit_memo", s.source_id) in judge.changed_now:
        return
    # The credit memo's change: no SyncToken of the memo's own (this was the Payment's), so the
    # memo's version is left as recorded; its hash is cleared so a put-back is an update.
    memo_change = types.SimpleNamespace(
        entity_name="Payment", id=change.id, deleted=True, last_updated=change.last_updated, entity={}
    )
    memo = type(s)("credit_memo", s.source_id, s.qbo_id, set(), None, memo_change, s.written)
    judge._changed(memo, "edited", ref, amount, detail=detail)
