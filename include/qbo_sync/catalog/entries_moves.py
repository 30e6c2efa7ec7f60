"""An invoice moved to another client in the billing app after it synced, while payments are
applied to it in QuickBooks (``qbo_sync.load.moves``). QuickBooks links a payment only to its
own customer's transactions (620, TxnID Cannot Be Linked), so the invoice cannot move while
they stay applied. The sync moves its own app payments with the invoice; the others it cannot
move, so the invoice fails before anything is sent.
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

RESYNC = "Then resync the invoice (Resync on the QuickBooks sync page, or the qbo_resync DAG)."

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "invoice_moved_with_quickbooks_payments",
        "Invoice moved to another client while QuickBooks payments are applied to it",
        "data",
        "Invoice {number} was moved to another client in the billing app after it synced, but "
        "payments recorded in QuickBooks are applied to it there for its old customer "
        "{old_customer}: {payments}. QuickBooks lets a payment pay "
        "only its own customer's invoices, so it would refuse to move the invoice while they "
        "stay applied, and the sync does not change payments it did not record. Nothing was sent.",
        "In QuickBooks, unapply those payments from invoice {number} (open each payment and "
        "untick the invoice) or move them to the new client's customer first; or, if the move "
        "was a mistake, move the invoice back to its old client in the billing app. " + RESYNC,
    ),
    Entry(
        "invoice_moved_with_credit_applied",
        "Invoice moved to another client while a credit note is applied to it",
        "data",
        "Invoice {number} was moved to another client in the billing app after it synced, but "
        "credit note(s) {credit_notes} of its old customer {old_customer} are applied to it in "
        "QuickBooks in a way the sync did not leave them (the application pays other invoices "
        "or credits too, or was changed there). QuickBooks lets a credit apply only to its own "
        "customer's invoices, and the sync moves only its own application of one credit note to "
        "this invoice alone. Nothing was sent.",
        "Void the credit note(s) in the billing app (the sync then deletes them and their "
        "application from QuickBooks) and issue the credit again for the new client; or, if the "
        "move was a mistake, move the invoice back to its old client. " + RESYNC,
    ),
)
