"""Changes made in QuickBooks that the policy app_wins puts back beyond invoices and inactive
customers (``qbo_sync.changes.detect``, ``qbo_sync.payments.restore``): a payment or a credit
memo edited there, and a customer renamed there (docs/operations.md, "Changes made in
QuickBooks"). The ``_restoring`` codes are the policy app_wins' (skipped: the next run puts
the app's version back); the others the policy flag's (nothing is sent for the record until
finance decides).
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "payment_edited_in_quickbooks_restoring",
        "Payment changed in QuickBooks",
        "data",
        "Payment {reference}, which the sync recorded in QuickBooks, was changed there on "
        "{changed_at} ({changes}); the billing app still has {amount_text}.",
        "Nothing to do: this tenant's policy is app_wins, so the next run puts the billing app's "
        "payment back in QuickBooks (its amount, date, reference and the invoice it pays). To keep "
        "QuickBooks' version instead, exclude the payment (Exclude on the QuickBooks sync page) "
        "before then.",
        status="skipped",
    ),
    Entry(
        "credit_memo_edited_in_quickbooks_restoring",
        "Credit memo changed in QuickBooks",
        "data",
        "Credit note {number}, which the sync recorded in QuickBooks, was changed there on {changed_at} ({changes}).",
        "Nothing to do: this tenant's policy is app_wins, so the next run puts the billing app's "
        "credit note back in QuickBooks, applied to its invoice as before. To keep QuickBooks' "
        "version instead, exclude the credit note (Exclude on the QuickBooks sync page) before then.",
        status="skipped",
    ),
    Entry(
        "customer_renamed_in_quickbooks",
        "Customer renamed in QuickBooks",
        "data",
        "The QuickBooks customer of client {client_id} was renamed in QuickBooks on {changed_at} "
        "({changes}); the sync names it after the billing app's client. Its invoices still go to "
        "this customer, but nothing more is sent to the customer itself until you decide (this "
        "tenant's policy for changes made in QuickBooks is flag).",
        "To keep the sync's name, resync the client (Resync on the QuickBooks sync page): the sync "
        "renames the customer back. To keep QuickBooks' name, exclude the client (Exclude on the "
        "page): the sync then leaves its customer as it is. To have names put back by themselves: "
        "`python -m qbo_sync.tenants set --tenant-id {tenant_id} --quickbooks-changes app_wins`.",
    ),
    Entry(
        "customer_renamed_in_quickbooks_restoring",
        "Customer renamed in QuickBooks",
        "data",
        "The QuickBooks customer of client {client_id} was renamed in QuickBooks on {changed_at} ({changes}).",
        "Nothing to do: this tenant's policy is app_wins, so the next run gives it back the name "
        "the sync gives the client. To keep QuickBooks' name instead, exclude the client (Exclude "
        "on the QuickBooks sync page) before then.",
        status="skipped",
    ),
)
