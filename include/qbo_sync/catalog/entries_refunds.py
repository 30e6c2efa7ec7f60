"""Refunds and overpayments (issue 13, item 3): why a refund of the billing app is not sent to
QuickBooks, and what to do.

``refund`` names the app's refund as its screens show it (its reference, else "refund <id>");
``payment`` the payment it gives money back against.
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

RESYNC = "Then resync the record (qbo_resync DAG, or wait for the next scheduled run)."

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "refund_payment_missing",
        "Refund Ref#: Could not find the refunded payment",
        "data",
        "Refund {refund} names payment {payment_id} (its number in the billing app), which does not "
        "exist for this tenant, so there is no customer to refund in QuickBooks.",
        "Attach the refund to the payment it gives money back against in the billing app, or void it. " + RESYNC,
    ),
    Entry(
        "refund_payment_voided",
        "Refund of a voided payment",
        "data",
        "Refund {refund} gives back money of payment {payment}, which is voided in the billing app: "
        "the money never arrived, so there is nothing to refund in QuickBooks.",
        "Void the refund in the billing app, or attach it to the payment that was really received. " + RESYNC,
    ),
    Entry(
        "refund_amount_invalid",
        "You must set a transaction amount",
        "data",
        "Refund {refund} has the amount {amount_text}; QuickBooks records a refund as a positive amount.",
        "Correct the refund's amount in the billing app (a refund is the positive amount given "
        "back), or void it. " + RESYNC,
    ),
    Entry(
        "refund_exceeds_payment",
        "Refund amount exceeds the payment",
        "data",
        "Refund {refund} of {amount_text} plus the {refunded_before} already refunded on payment "
        "{payment} is more than that payment's {payment_amount}.",
        "Correct the refund's amount in the billing app (or void a refund entered twice); a refund "
        "cannot give back more than its payment brought in. " + RESYNC,
    ),
    Entry(
        "refund_payment_not_synced",
        "Refund Ref#: the refunded payment is not in QuickBooks",
        "data",
        "Refund {refund} gives back money of payment {payment}, which is not in QuickBooks: {reason}.",
        "Fix the payment first (see its own entry in the sync log); the refund goes with the next "
        "run after the payment is in QuickBooks.",
    ),
    Entry(
        "refund_reference_too_long",
        "String length is either shorter or longer than supported",
        "data",
        "Refund {refund} has a reference of {length} characters; QuickBooks keeps at most 100 in a "
        "refund's reference number (PaymentRefNum).",
        "Shorten the refund's reference in the billing app. " + RESYNC,
    ),
    Entry(
        "refund_tax_code_missing",
        "Make sure all your transactions have a tax rate",
        "configuration",
        "Refund {refund} needs a tax code on its line (every line outside the US carries one), and "
        "no 'no tax' code is set for this tenant.",
        "Set the code QuickBooks uses for lines without tax: `python -m qbo_sync.tenants set "
        "--tenant-id {tenant_id} --no-tax-code 'GST free'` (your company's name for it). " + RESYNC,
    ),
    Entry(
        "refund_edited_in_quickbooks",
        "Refund receipt changed in QuickBooks",
        "data",
        "Refund {reference}, which the sync recorded in QuickBooks as a refund receipt, was changed "
        "there on {changed_at} ({changes}); the billing app still has {amount_text}. Nothing more "
        "is sent for this refund until finance decides.",
        "To keep the billing app's amount, resync the refund (Resync on the QuickBooks sync page): "
        "the sync puts it back in QuickBooks. To keep QuickBooks' amount, make the same change in the "
        "billing app and resync it, or exclude the refund on the page.",
    ),
    Entry(
        "refund_deleted_in_quickbooks",
        "Refund receipt deleted in QuickBooks",
        "data",
        "Refund {reference} of {amount_text}, which the sync recorded in QuickBooks as a refund "
        "receipt, was deleted there on {changed_at}; the billing app still has it.",
        "If the money was not given back, void the refund in the billing app. If the receipt was "
        "deleted by mistake, resync the refund (Resync on the QuickBooks sync page, or the qbo_resync "
        "DAG): the sync records it in QuickBooks again. It is never recorded again without that.",
    ),
    Entry(
        "refund_voided_in_quickbooks",
        "Refund receipt voided in QuickBooks",
        "data",
        "Refund {reference} of {amount_text}, which the sync recorded in QuickBooks as a refund "
        "receipt, was voided there on {changed_at}; the billing app still has it.",
        "If the money was not given back, void the refund in the billing app too. If it was, delete "
        "the voided receipt in QuickBooks, then resync the refund here, and the sync records it again.",
    ),
    Entry(
        "refund_bank_account_missing",
        "Refund of customer credit: no bank account to write the cheque from",
        "configuration",
        "Refund {refund} gives back {amount_text} of payment {payment}'s excess, which QuickBooks "
        "holds as the customer's unapplied credit. Credit is paid back by cheque (a Check to the "
        "customer coded to Accounts Receivable, linked to that credit), and a cheque is drawn on a "
        "Bank account, but no refund bank account is set for this tenant. Nothing was sent.",
        "Set the bank account the money leaves: `python -m qbo_sync.tenants set --tenant-id "
        "{tenant_id} --refund-bank-account 'Business Cheque Account'` (your bank account's name in "
        "QuickBooks). " + RESYNC,
    ),
    Entry(
        "refund_bank_account_not_bank",
        "A Check must be paid from a Bank account",
        "configuration",
        "Refund {refund} gives back {amount_text} of payment {payment}'s excess (the customer's "
        "unapplied credit in QuickBooks) by cheque, which QuickBooks draws only on an active Bank "
        "account; the refund bank account set for this tenant is {account_type} in QuickBooks. "
        "Nothing was sent.",
        "Set an active Bank account: `python -m qbo_sync.tenants set --tenant-id {tenant_id} "
        "--refund-bank-account 'Business Cheque Account'` (your bank account's name in QuickBooks). " + RESYNC,
    ),
    Entry(
        "receivable_account_missing",
        "Refund of customer credit: no Accounts Receivable account",
        "configuration",
        "Refund {refund} gives back payment {payment}'s excess (the customer's unapplied credit) by "
        "a cheque coded to Accounts Receivable, and this QuickBooks company has no active Accounts "
        "Receivable account. Nothing was sent.",
        "In QuickBooks, open the chart of accounts and make the Accounts receivable (A/R) account "
        "active again (QuickBooks creates one with the company). " + RESYNC,
    ),
    Entry(
        "refund_check_edited",
        "Refund changed after its cheque was written",
        "data",
        "Refund {refund} was paid back by a cheque to the customer in QuickBooks, "
        "linked to payment {payment}'s credit, and later changed in the billing app (its amount, date, "
        "reference or payment); a cheque once written is not rewritten by the sync.",
        "If the cheque is right, put the refund back as it was in the billing app. If not, void "
        "the refund in the billing app (the sync unlinks and deletes its cheque in QuickBooks) and "
        "enter the refund again as it should be.",
    ),
    Entry(
        "payment_edit_below_refunded",
        "Payment changed below the credit refunded by cheque",
        "data",
        "Payment {reference} was changed in the billing app to {amount_text}, which leaves "
        "{excess} over what it pays on its invoice; but {refunded} of its excess was already paid "
        "back to the customer by cheque in QuickBooks (refund {refunds}), linked on this payment. "
        "A payment cannot give back more than it brought in beyond its invoice, so the change was "
        "not sent: QuickBooks still has the payment as it was, its cheque linked.",
        "If the new amount is right, void refund {refunds} in the billing app first (the sync unlinks "
        "and deletes its cheque in QuickBooks), then enter the refund again for what was really given "
        "back; or, if the payment was changed by mistake, put its amount back in the billing app. " + RESYNC,
    ),
    Entry(
        "payment_void_refunded",
        "Payment voided while its credit was paid back by cheque",
        "data",
        "Payment {reference} was voided in the billing app, but part of its excess was paid back to "
        "the customer by cheque in QuickBooks (refund {refunds}), linked on this payment. Voiding the "
        "payment in QuickBooks would unlink the cheque and leave it paying back credit that no longer "
        "exists, so the void was not sent: QuickBooks still has the payment, its cheque linked.",
        "Void refund {refunds} in the billing app first (the sync unlinks and deletes its cheque in "
        "QuickBooks); the payment's void then goes on the next run. If the payment was voided by "
        "mistake, restore it in the billing app. " + RESYNC,
    ),
    Entry(
        "refund_credit_already_refunded",
        "Refunds together exceed the customer's credit",
        "data",
        "Refund {refund} gives back {amount_text} of payment {payment}'s excess, which QuickBooks "
        "held as {unapplied} of unapplied customer credit; refund {refunds} of the same payment, "
        "paid back by cheque earlier in this run, already takes {refunded} of it, which leaves "
        "{left}, less than this refund. Nothing was sent for this refund.",
        "Check the refunds of payment {payment} in the billing app: void a refund entered twice, or "
        "correct this refund's amount to what was really given back (at most {left} of the credit). " + RESYNC,
    ),
    Entry(
        "refund_bank_account_currency",
        "The currency of the transaction is invalid for the account",
        "configuration",
        "Refund {refund} gives back {amount_text} {currency} of payment {payment}'s credit, which "
        "is in {currency}; the refund bank account set for this tenant, {account_name}, holds "
        "{their_currency}, and QuickBooks writes a cheque only in its bank account's currency. "
        "Nothing was sent.",
        "If this tenant's refunds of credit are paid from a {currency} account, set it: `python -m "
        "qbo_sync.tenants set --tenant-id {tenant_id} --refund-bank-account 'Business Cheque "
        "Account'` (your {currency} bank account's name in QuickBooks; add one under Chart of "
        "accounts if there is none) and resync. Otherwise write this cheque by hand in QuickBooks "
        "from a {currency} bank account, link it to the payment's credit (Receive payment), and "
        "exclude this refund on the QuickBooks sync page so that it is not sent twice.",
    ),
)
