"""Refunds read back from QuickBooks (issue 13, item 3; ``qbo_sync.payments.refunds_in``): why a
RefundReceipt made in QuickBooks is not recorded in the billing app, and what to do.

``receipt`` names the RefundReceipt as QuickBooks' screens show it (its number, else its date,
its Id in parentheses after); ``customer`` its customer (quoted name);
``ref_num`` its reference number ("Ref no.": quoted, or "empty"); ``payments`` the references of the
payments it could mean. Nothing is recorded, so the app never counts a refund twice.
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

NEXT_RUN = "The next run records it in the billing app, once."

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "refund_import_payment_unknown",
        "Refund receipt: no payment of the billing app found",
        "data",
        "The refund receipt {receipt} of {amount_text} made in QuickBooks for {customer} names no payment "
        "the billing app records for that customer: its Ref no. ({ref_num}) and its memo match no "
        "payment reference of the client. QuickBooks links a refund receipt to no payment, so the sync "
        "goes by the reference finance types; it is not recorded in the billing app.",
        "Open the refund receipt in QuickBooks and type the reference of the payment it gives money back "
        "against (as the billing app shows it, e.g. CARD-0001) in its Ref no. or its memo; check it is "
        "made out to that client's customer. " + NEXT_RUN + " A refund of money the billing app never "
        "received needs nothing: it stays in QuickBooks only.",
        status="skipped",
    ),
    Entry(
        "refund_import_payment_ambiguous",
        "Refund receipt: more than one payment matches",
        "data",
        "The refund receipt {receipt} of {amount_text} made in QuickBooks for {customer} could give money "
        "back against more than one payment of the client ({payments}): its Ref no. ({ref_num}) or its "
        "memo names them all. It is not recorded in the billing app until it names one.",
        "Open the refund receipt in QuickBooks and make its Ref no. the reference of the one payment it "
        "refunds (and leave the other references out of its memo). " + NEXT_RUN,
        status="skipped",
    ),
)
