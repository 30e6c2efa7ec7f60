"""Putting back what a person changed in QuickBooks: the app's version of a payment or a
credit memo edited there (the tenant's policy app_wins, or finance's resync; docs/operations.md,
"Changes made in QuickBooks").

A payment goes back through the update the sync sends for a payment edited in the app
(``payments.edits``): its amount, date, reference and the invoice it pays, with the SyncToken
the change data capture recorded (a stale one read once, a lost answer never sent twice). A
credit memo goes back as a full update of the memo; its application (the zero Payment linking
the memo and its invoice) is read once and, if it no longer applies the memo's credit to the
app's invoice as the sync left it, deleted and made again after the memo.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbo_sync.load.versioned import NOT_FOUND, payment_view
from qbo_sync.money import ZERO, cents

PUT_BACK = "the billing app's version put back over the change made in QuickBooks"


def put_back_note(detail: str | None) -> str:
    """How a restore is said on the record's synced outcome."""
    return f"{PUT_BACK} ({detail})" if detail else PUT_BACK


class Restores:
    """Mixed into ``payments.edits.Edits`` (and so ``payments.outbound.Poster``)."""

    client: Any

    def application_agrees(self, application_qbo: str, memo_qbo: str, invoice_qbo: str, total: Any) -> bool | None:
        """Does QuickBooks' application of a credit memo still apply it to the app's invoice as
        the sync left it: the memo's whole credit, or less only when the invoice owes nothing
        more? None: the application is gone from QuickBooks (deleted there)."""
        from qbo_client.errors import QboFaultError

        try:
            application = self.client.read("Payment", application_qbo)
        except QboFaultError as exc:
            if str(exc.fault.code) == NOT_FOUND:
                return None
            raise
        links = payment_view(application)[4]  # (TxnType, TxnId) -> amount applied
        to_invoice = links.get(("Invoice", str(invoice_qbo)))
        if set(links) != {("Invoice", str(invoice_qbo)), ("CreditMemo", str(memo_qbo))}:
            return False
        if to_invoice is None or to_invoice <= ZERO or links[("CreditMemo", str(memo_qbo))] != to_invoice:
            return False
        if to_invoice == cents(Decimal(str(total))):
            return True
        invoice = self.client.read("Invoice", invoice_qbo)
        return cents(Decimal(str(invoice.get("Balance", 0)))) == ZERO
