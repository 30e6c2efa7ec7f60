"""The sync's own codes, explained for the finance team: the checks it makes before anything
reaches QuickBooks (validate), and what it decides by itself (a record held back, a tenant to
reconnect). Faults QuickBooks itself returns are in ``entries_quickbooks``.

Each entry's title is the seeds' name for its error, so support can match a customer's
screenshot from another app to ours. ``{placeholders}`` are filled from the record (number,
client, tax rate, ...).

QuickBooks things are named as QuickBooks' screens name them (tax code, item, account and
customer names, with the menu path where it helps); a QuickBooks Id, which no screen shows,
only ever follows a name in parentheses. ``tests/include/qbo_sync/test_catalog_language.py``
walks every entry rendered with real values and fails on a bare Id or a command that the
CLI would not accept.
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

RESYNC = "Then resync the record (qbo_resync DAG, or wait for the next scheduled run)."

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "no_line_items",
        "Create failed: Required param missing",
        "data",
        "Invoice {number} has no line items; QuickBooks will not accept an invoice without lines.",
        "Revert invoice {number} to draft in the billing app, add at least one line item "
        "(and its tax rate), then finalize it again; it syncs by itself on the next run.",
    ),
    Entry(
        "historical_invoice",
        "Update failed: Historical invoice",
        "data",
        "Invoice {number} was finalized on {finalized_at}, before this tenant connected "
        "QuickBooks ({connected_at}); historical invoices are not synced.",
        "Nothing to do if the invoice is already in your books. If you need it in QuickBooks, "
        "recreate it in the billing app (a new invoice syncs), or enter it directly in "
        "QuickBooks with a number that cannot clash, e.g. a different prefix.",
        status="skipped",
    ),
    Entry(
        "invoice_status_unknown",
        "Invoice status not recognised",
        "data",
        "Invoice {number} has the status {status}; the billing app's invoices are 'draft', "
        "'finalized' or 'voided', and only 'finalized' ones are sent to QuickBooks.",
        "Set the invoice's status in the billing app to exactly 'finalized' (lower case) if it "
        "is final, 'draft' if it is not, or 'voided'; if the app writes other statuses, fix "
        "the app or its export to write these three. " + RESYNC,
    ),
    Entry(
        "tax_rate_not_mapped",
        "Business validation error (tax) / Tax code not found",
        "configuration",
        "Invoice {number} uses the tax rate '{tax_rate}', which is not linked to a QuickBooks "
        "tax code for this tenant.",
        "Link '{tax_rate}' to the matching QuickBooks tax code: `python -m qbo_sync.tenants "
        "map-tax --tenant-id {tenant_id} --tax-rate '{tax_rate}' --tax-code NAME` (stored in "
        "qbo_sync.tax_code_map). If the code does not exist in QuickBooks, create or enable it "
        "there first. " + RESYNC,
    ),
    Entry(
        "tax_code_inactive",
        "Business validation error (tax)",
        "configuration",
        "Invoice {number} uses the tax rate '{tax_rate}', linked to the QuickBooks tax code "
        "{tax_code}, which does not exist or is inactive in QuickBooks.",
        "In QuickBooks, make the tax code {tax_code} active again (Taxes menu, the list of tax "
        "codes or rates, with inactive ones shown), or link '{tax_rate}' to another active code: "
        "`python -m qbo_sync.tenants map-tax --tenant-id {tenant_id} --tax-rate '{tax_rate}' "
        "--tax-code NAME`. " + RESYNC,
    ),
    Entry(
        "tax_rate_mismatch",
        "Business validation error (tax) / Tax amounts differ",
        "configuration",
        "{mismatch}: QuickBooks would work out a different tax and total for invoice {number} than the billing app.",
        "Link '{mismatched_rate}' to a QuickBooks tax code with the same rate: `python -m "
        "qbo_sync.tenants map-tax --tenant-id {tenant_id} --tax-rate '{mismatched_rate}' "
        "--tax-code NAME`; or, if the app's rate is the wrong one, correct the rate in the "
        "billing app. " + RESYNC,
    ),
    Entry(
        "unknown_tax_mode",
        "Business validation error (tax)",
        "data",
        "Invoice {number} has the tax mode '{tax_mode}'; only exclusive, inclusive and none can be sent to QuickBooks.",
        "Correct the invoice's tax setting in the billing app. " + RESYNC,
    ),
    Entry(
        "us_several_sales_taxes",
        "Business validation error (tax)",
        "data",
        "Invoice {number} uses more than one sales tax rate; a US QuickBooks company applies "
        "one sales tax per invoice.",
        "Use one sales tax rate (plus non-taxable lines) on the invoice, or split it into two invoices. " + RESYNC,
    ),
    Entry(
        "us_tax_without_sales_tax_code",
        "Business validation error (tax)",
        "configuration",
        "Invoice {number} has taxable lines whose tax rate is linked to TAX, but this US QuickBooks "
        "company does not use automated sales tax: QuickBooks then needs the invoice's sales tax "
        "(a rate or combined rate of the company, such as 'California'), and TAX only marks lines "
        "as taxable.",
        "Link the app's rate to the company's sales tax rate instead: `python -m qbo_sync.tenants "
        "map-tax --tenant-id {tenant_id} --tax-rate NAME --tax-code NAME` (`python -m qbo_sync.tenants "
        "show --tenant-id {tenant_id}` lists the company's codes), or turn on automated sales tax in "
        "QuickBooks (Taxes > Sales tax). " + RESYNC,
    ),
    Entry(
        "default_item_missing",
        "No fee item mapped for line item",
        "configuration",
        "Invoice {number} has {kind} lines, but no default QuickBooks {kind} item is set for this tenant.",
        "Choose the default {kind} item: `python -m qbo_sync.tenants set --tenant-id "
        "{tenant_id} --default-{kind}-item NAME` (create one in QuickBooks first if none "
        "exists: Sales > Products and services > New). " + RESYNC,
    ),
    Entry(
        "default_item_inactive",
        "Line items not synced / Invalid Reference Id",
        "configuration",
        "Invoice {number} posts {kind} lines to the QuickBooks item {item}, which is inactive "
        "or was deleted in QuickBooks.",
        "In QuickBooks, make the item {item} active again (Sales > Products and services, "
        "filter with Include inactive, then Make active), or choose another default {kind} "
        "item: `python -m qbo_sync.tenants set --tenant-id {tenant_id} --default-{kind}-item "
        "NAME`. " + RESYNC,
    ),
    Entry(
        "number_missing",
        "Required param missing",
        "data",
        "Invoice id {source_id} has no invoice number.",
        "Give the invoice a number in the billing app. " + RESYNC,
    ),
    Entry(
        "number_too_long",
        "String length is either shorter or longer than supported",
        "data",
        "Invoice number '{number}' has {length} characters; QuickBooks allows at most 21.",
        "Shorten the invoice numbering scheme in the billing app (for example drop a long "
        "prefix) and renumber this invoice. " + RESYNC,
    ),
    Entry(
        "number_duplicate_in_run",
        "Duplicate document number",
        "data",
        "Invoice number {number} is used by more than one invoice of this tenant (invoice ids "
        "{ids} in the billing app); "
        "QuickBooks requires unique invoice numbers.",
        "Renumber all but one of these invoices in the billing app. " + RESYNC,
    ),
    Entry(
        "number_used_in_quickbooks",
        "Duplicate document number / Invoice: Already exists",
        "data",
        "QuickBooks already has an invoice numbered {number} ({holder}) that this sync did not create.",
        "If it is this invoice, keyed into QuickBooks by hand, link the two instead of sending it "
        "again: `python -m qbo_sync.records link --tenant-id {tenant_id} --invoice-id {source_id} "
        "--qbo-invoice-id {holder_id}` (or Link on the QuickBooks sync page). If it is another "
        "document, open it in QuickBooks and give it a unique number (add a prefix or extra "
        "digits), or renumber the invoice in the billing app. Use a scheme such as "
        "INV{{sequence}} so the two never clash. " + RESYNC,
    ),
    Entry(
        "client_missing",
        "Customer not found",
        "data",
        "Invoice {number} refers to client id {client_id}, which does not exist for this tenant.",
        "Attach the invoice to an existing client in the billing app. " + RESYNC,
    ),
    Entry(
        "client_without_name",
        "No Name Provided",
        "data",
        "Client {client_id} has neither a first and last name nor a company name; QuickBooks "
        "needs a name for every customer.",
        "Add a first and last name (or a company name) to the client in the billing app. " + RESYNC,
    ),
    Entry(
        "name_clash_vendor",
        "The name supplied already exists",
        "data",
        "The customer name '{display_name}' is already used by a vendor (supplier) in QuickBooks "
        "(Expenses > Vendors); QuickBooks does not allow a customer and a vendor to share a name.",
        "Rename (or make inactive) the vendor in QuickBooks, or change the client's name in "
        "the billing app, or use a display-name template that tells them apart: "
        "`python -m qbo_sync.tenants set --tenant-id {tenant_id} --display-name-template "
        "'{suggested_template}'`. " + RESYNC,
    ),
    Entry(
        "name_clash_employee",
        "The name supplied already exists",
        "data",
        "The customer name '{display_name}' is already used by an employee in QuickBooks "
        "(Payroll > Employees); QuickBooks does not allow a customer and an employee to share "
        "a name.",
        "Rename the employee in QuickBooks, change the client's name in the billing app, or "
        "use a display-name template that tells them apart: `python -m qbo_sync.tenants set "
        "--tenant-id {tenant_id} --display-name-template '{suggested_template}'`. " + RESYNC,
    ),
    Entry(
        "name_clash_customer",
        "The name supplied already exists",
        "data",
        "Another QuickBooks customer, '{display_name}' (Id {qbo_id}), already has this client's "
        "name, and it is not this client (Sales > Customers).",
        "If they are the same person, merge the clients in the billing app. If not, turn on "
        "the differentiator (`python -m qbo_sync.tenants set --tenant-id {tenant_id} "
        "--name-clash-policy suffix`, which adds ' - 2'), or use a display-name template that "
        "tells them apart: `python -m qbo_sync.tenants set --tenant-id {tenant_id} "
        "--display-name-template '{suggested_template}'`. " + RESYNC,
    ),
    Entry(
        "name_clash_in_run",
        "The name supplied already exists",
        "data",
        "Clients {ids} would all be called '{display_name}' in QuickBooks.",
        "If they are the same person, merge them in the billing app; otherwise turn on the "
        "differentiator (`python -m qbo_sync.tenants set --tenant-id {tenant_id} "
        "--name-clash-policy suffix`) or use a display-name template that tells them apart: "
        "`python -m qbo_sync.tenants set --tenant-id {tenant_id} --display-name-template "
        "'{suggested_template}'`. " + RESYNC,
    ),
    Entry(
        "client_inactive_in_quickbooks",
        "Inactive client / Object Not Found",
        "data",
        "The QuickBooks customer '{display_name}' (Id {qbo_id}) for this client has been made inactive in QuickBooks.",
        "In QuickBooks, make the customer '{display_name}' active again (Sales > Customers, "
        "filter with Include inactive, then Make active). " + RESYNC,
    ),
    Entry(
        "parent_client_not_synced",
        "Parent client not synced",
        "data",
        "Client {client_id} is a sub-client of client {parent_id}, which is not in QuickBooks ({parent_reason}).",
        "Fix the parent client first (see its own entry in the sync log), or remove the "
        "parent relationship in the billing app. " + RESYNC,
    ),
    Entry(
        "client_not_synced",
        "Customer not synced",
        "data",
        "Invoice {number} belongs to client {client_id}, who could not be created in QuickBooks: {client_reason}",
        "Fix the client (see the customer entry in the sync log); the invoice follows automatically.",
    ),
    Entry(
        "amounts_do_not_add_up",
        "Totals do not match",
        "data",
        "Invoice {number} says total {total} and tax {tax_total}, but its lines give total "
        "{expected_total} and tax {expected_tax}; QuickBooks would record different amounts.",
        "Open the invoice in the billing app and correct the lines or totals (re-saving "
        "usually recalculates them). " + RESYNC,
    ),
    Entry(
        "line_amount_mismatch",
        "Amount is not equal to UnitPrice * Qty",
        "data",
        "Line {position} of invoice {number} says {line_amount}, but quantity {quantity} x unit "
        "price {unit_price} less its discount gives {expected}.",
        "Correct the line in the billing app. " + RESYNC,
    ),
    Entry(
        "closed_period",
        "Account Period Closed",
        "data",
        "Invoice {number} is dated {issue_date}, on or before the QuickBooks books close date {closed_on}.",
        "In QuickBooks, reopen the period (Settings > Account and settings > Advanced > "
        "Accounting > Close the books), or re-date the invoice in the billing app. " + RESYNC,
    ),
    Entry(
        "email_too_long",
        "String length is either shorter or longer than supported",
        "data",
        "Client {client_id}'s e-mail address has {length} characters; QuickBooks allows 100.",
        "Correct the client's e-mail address in the billing app. " + RESYNC,
    ),
    Entry(
        "invalid_email",
        "Email Address does not conform to the syntax rules of RFC 822",
        "data",
        "Client {client_id}'s e-mail address '{email}' is not one valid address ({email_problem}); "
        "QuickBooks refuses such a customer (fault 2210).",
        "Correct the client's e-mail address in the billing app to one address like "
        "name@example.com, or sync such clients without their address: `python -m qbo_sync.tenants "
        "set --tenant-id {tenant_id} --invalid-email-policy omit`. " + RESYNC,
    ),
    Entry(
        "client_not_set",
        "Customer not found",
        "data",
        "Invoice {number} has no client.",
        "Attach the invoice to a client in the billing app. " + RESYNC,
    ),
    Entry(
        "negative_total",
        "A business validation error has occurred (negative total)",
        "data",
        "Invoice {number} comes to {total}; QuickBooks does not accept an invoice whose total is below zero.",
        "Issue a credit note for the amount instead, or correct the lines (quantities, prices, "
        "discounts) in the billing app so the invoice is zero or more. " + RESYNC,
    ),
    Entry(
        "line_values_missing",
        "Required param missing",
        "data",
        "Line {incomplete_position} of invoice {number} has no {missing}; QuickBooks needs a quantity, a "
        "unit price and an amount on every line.",
        "Complete the line in the billing app (re-saving it recalculates the amount). " + RESYNC,
    ),
    Entry(
        "unknown_discount_kind",
        "Amount is not equal to UnitPrice * Qty",
        "data",
        "Line {discount_position} of invoice {number} has the discount type '{discount_kind}'; only "
        "'fixed' and 'percent' can be checked and sent to QuickBooks.",
        "Correct the line's discount in the billing app (a fixed amount or a percentage), or remove it. " + RESYNC,
    ),
    Entry(
        "parent_client_loop",
        "Parent client not synced",
        "data",
        "Client {client_id}'s parent clients form a loop ({path}); QuickBooks needs every "
        "sub-customer to lead up to a top-level customer.",
        "In the billing app, remove the parent from one of these clients so the chain ends. " + RESYNC,
    ),
    Entry(
        "payment_invoice_missing",
        "Payment Ref#: Could not find applied invoice Ref#",
        "data",
        "Payment {reference} is for invoice id {invoice_id}, which does not exist for this tenant.",
        "Attach the payment to the right invoice in the billing app, or void it. " + RESYNC,
    ),
    Entry(
        "payment_exceeds_balance",
        "Payment amount exceeds the invoice balance",
        "data",
        "Payment {reference} of {amount_text} is more than invoice {number} still owes in "
        "QuickBooks ({balance}); QuickBooks does not apply more than an invoice's open balance.",
        "Correct the payment's amount in the billing app (or split the overpayment off as a "
        "credit), or check in QuickBooks whether this invoice was already paid there. " + RESYNC,
    ),
    Entry(
        "credit_note_invoice_missing",
        "Credit Ref#: Could not find applied invoice Ref#",
        "data",
        "Credit note {number} is for invoice id {invoice_id}, which does not exist for this tenant.",
        "Attach the credit note to the right invoice in the billing app. " + RESYNC,
    ),
    Entry(
        "credit_note_number_too_long",
        "String length is either shorter or longer than supported",
        "data",
        "Credit note number '{number}' has {length} characters; QuickBooks allows at most 21.",
        "Shorten the credit note numbering scheme in the billing app and renumber this credit note. " + RESYNC,
    ),
    Entry(
        "credit_note_status_unknown",
        "Credit note status not recognised",
        "data",
        "Credit note {number} has the status {status}; the billing app's credit notes are "
        "'draft', 'finalized' or 'voided', and only 'finalized' ones are sent to QuickBooks.",
        "Set the credit note's status in the billing app to exactly 'finalized' (lower case) "
        "if it is final, 'draft' if it is not, or 'voided'; if the app writes other statuses, "
        "fix the app or its export to write these three. " + RESYNC,
    ),
    Entry(
        "credit_note_no_lines",
        "Create failed: Required param missing",
        "data",
        "Credit note {number} has no lines; QuickBooks will not accept a credit note without lines.",
        "Add the credited lines to the credit note in the billing app, or void it. " + RESYNC,
    ),
    Entry(
        "credit_note_amount_invalid",
        "You must set a transaction amount",
        "data",
        "Credit note {number} has a line of {amount_text}; QuickBooks records credit note lines above zero.",
        "Correct the credit note's lines in the billing app (each line a positive amount), or void it. " + RESYNC,
    ),
    Entry(
        "voided_before_sync",
        "No QuickBooks status card showing",
        "data",
        "Invoice {number} was voided before it was ever sent to QuickBooks, so there is nothing to void there.",
        "No action needed: this is expected for voided invoices.",
        status="skipped",
    ),
    Entry(
        "payment_invoice_not_synced",
        "Payment Ref#: Could not find applied invoice Ref#",
        "data",
        "Payment {reference} is for invoice {number}, which is not in QuickBooks yet ({reason}).",
        "Fix the invoice first (see its entry in the sync log); the payment follows by itself "
        "on the run after the invoice syncs.",
    ),
    Entry(
        "payment_move_invoice_not_synced",
        "Payment Ref#: Could not find applied invoice Ref#",
        "data",
        "Payment {reference} was moved in the billing app from invoice {old_number} to invoice "
        "{number}, which is not in QuickBooks ({reason}); QuickBooks still has the payment on "
        "invoice {old_number}, as it was last sent.",
        "Fix invoice {number} first (see its entry in the sync log): the payment moves to it by "
        "itself on the run after it syncs. If the payment was moved by mistake, move it back to "
        "invoice {old_number} in the billing app.",
    ),
    Entry(
        "payment_for_historical_invoice",
        "Payment Ref#: Could not find applied invoice Ref#",
        "data",
        "Payment {reference} is for invoice {number}, which was finalized before this tenant "
        "connected QuickBooks and is therefore not in QuickBooks.",
        "Nothing to do if the invoice and its payment are already in your books. Otherwise "
        "record the payment directly in QuickBooks against the invoice you entered there.",
        status="skipped",
    ),
    Entry(
        "payment_reference_too_long",
        "Payment code over 21 characters",
        "data",
        "Payment {reference} has a reference of {length} characters; QuickBooks allows 21.",
        "Shorten the payment's reference (confirmation code) in the billing app to 21 "
        "characters or fewer, or let the sync keep its last 21 characters: "
        "`python -m qbo_sync.tenants set --tenant-id {tenant_id} --payment-ref-policy truncate`. " + RESYNC,
    ),
    Entry(
        "payment_amount_invalid",
        "You must set a transaction amount",
        "data",
        "Payment {reference} has the amount {amount_text}; QuickBooks records payments above zero.",
        "Correct the payment's amount in the billing app, or void it. " + RESYNC,
    ),
    Entry(
        "deposit_account_missing",
        "Default QuickBooks account for payments",
        "configuration",
        "No QuickBooks account is set for this tenant's payments to be deposited to.",
        "Choose it by its name in QuickBooks (Settings > Chart of accounts): `python -m "
        "qbo_sync.tenants set --tenant-id {tenant_id} --deposit-account 'Undeposited Funds'` "
        "(or your bank or clearing account). " + RESYNC,
    ),
    Entry(
        "credit_note_invoice_not_synced",
        "Credit Ref#: Could not find applied invoice Ref#",
        "data",
        "Credit note {number} is for invoice {invoice_number}, which is not in QuickBooks yet ({reason}).",
        "Fix the invoice first (see its entry in the sync log); the credit note follows by "
        "itself on the run after the invoice syncs.",
    ),
    Entry(
        "credit_note_for_historical_invoice",
        "Credit Ref#: Could not find applied invoice Ref#",
        "data",
        "Credit note {number} is for invoice {invoice_number}, which was finalized before this "
        "tenant connected QuickBooks and is therefore not in QuickBooks.",
        "Nothing to do if the credit is already in your books; otherwise enter it directly in "
        "QuickBooks against the invoice you entered there.",
        status="skipped",
    ),
    Entry(
        "payment_method_unsupported",
        "Payment type not supported",
        "data",
        "The QuickBooks payment {reference} for invoice {number} was made with '{method}', which "
        "the billing app cannot record (it holds cash, card, cheque, bank transfer or other).",
        "Open the payment in QuickBooks and change its payment method to cash, card (credit "
        "card), cheque (check) or bank transfer; the next run imports it.",
        status="skipped",
    ),
    Entry(
        "payment_already_in_app",
        "Payment Ref#: Already exists for Customer",
        "data",
        "The QuickBooks payment {reference} for invoice {number} has the same reference as app "
        "payment {app_payment_id}, which the billing app already records.",
        "Nothing to do if it is the same money: it is not imported twice. If QuickBooks holds a "
        "second copy entered by hand, delete that copy in QuickBooks.",
        status="skipped",
    ),
    # --- Changes made in QuickBooks to records the sync wrote (qbo_sync.changes; docs/operations.md,
    # "Changes made in QuickBooks"). Under the policy flag nothing is sent for such a record until
    # finance resyncs it (the app's version goes back) or excludes it (QuickBooks' version stays).
    Entry(
        "invoice_edited_in_quickbooks",
        "Invoice changed in QuickBooks",
        "data",
        "Invoice {number} was changed in QuickBooks on {changed_at} ({changes}); the billing app "
        "still has the version the sync sent. Nothing more is sent for this invoice until you decide "
        "(this tenant's policy for changes made in QuickBooks is flag).",
        "To keep the billing app's version, resync the invoice (Resync on the QuickBooks sync page, "
        "or the qbo_resync DAG): the sync puts it back in QuickBooks. To keep QuickBooks' version, "
        "make the same change in the billing app and resync it, or exclude the invoice (Exclude on "
        "the page) so the sync leaves it as it is. To have the app's version put back by itself: "
        "`python -m qbo_sync.tenants set --tenant-id {tenant_id} --quickbooks-changes app_wins`.",
    ),
    Entry(
        "invoice_edited_in_quickbooks_restoring",
        "Invoice changed in QuickBooks",
        "data",
        "Invoice {number} was changed in QuickBooks on {changed_at} ({changes}).",
        "Nothing to do: this tenant's policy is app_wins, so the next run puts the billing app's "
        "version back in QuickBooks. To keep QuickBooks' version instead, exclude the invoice "
        "(Exclude on the QuickBooks sync page) before then.",
        status="skipped",
    ),
    Entry(
        "invoice_voided_in_quickbooks",
        "Invoice voided in QuickBooks",
        "data",
        "Invoice {number} was voided in QuickBooks on {changed_at}; in the billing app it is "
        "still {status}, for {total}.",
        "QuickBooks cannot undo a void. If the invoice should be void, void it in the billing app "
        "too: nothing more is sent. If it was voided by mistake, issue it again in the billing app "
        "as a new invoice (it syncs by itself) and void this one there.",
    ),
    Entry(
        "invoice_deleted_in_quickbooks",
        "Invoice deleted in QuickBooks",
        "data",
        "Invoice {number} was deleted in QuickBooks on {changed_at}; the billing app still has it, for {total}.",
        "If it should not be in the books, void it in the billing app. If it was deleted by "
        "mistake, resync it (Resync on the QuickBooks sync page, or the qbo_resync DAG): the sync "
        "creates it in QuickBooks again. It is never created again without that.",
    ),
    Entry(
        "customer_inactive_in_quickbooks",
        "Customer made inactive in QuickBooks",
        "data",
        "The QuickBooks customer '{display_name}' of client {client_id} was made inactive in "
        "QuickBooks on {changed_at}; new invoices of this client are not sent while it is.",
        "If the client is still a client, make the customer active again in QuickBooks (Sales > "
        "Customers, filter with Include inactive, then Make active): the sync notices it by itself. "
        "Or let the sync make it active: resync the client (Resync on the QuickBooks sync page), or "
        "`python -m qbo_sync.tenants set --tenant-id {tenant_id} --quickbooks-changes app_wins`. "
        "If the client has left, make it inactive in the billing app too.",
    ),
    Entry(
        "customer_inactive_in_quickbooks_restoring",
        "Customer made inactive in QuickBooks",
        "data",
        "The QuickBooks customer '{display_name}' of client {client_id} was made inactive in "
        "QuickBooks on {changed_at}.",
        "Nothing to do: this tenant's policy is app_wins, so the next run makes it active again. "
        "If the client has left, make it inactive in the billing app and exclude the client "
        "(Exclude on the QuickBooks sync page) before then.",
        status="skipped",
    ),
    Entry(
        "customer_merged_in_quickbooks",
        "Customer merged in QuickBooks",
        "data",
        "The QuickBooks customer of client {client_id} ('{display_name}') was merged into "
        "{survivor} in QuickBooks on {changed_at}: it no longer exists there, and its "
        "transactions now belong to {survivor}. New invoices of this client are held back.",
        "If the two are the same person, merge them in the billing app as well (move client "
        "{client_id}'s invoices and payments to the other client). If not, resync client "
        "{client_id} (Resync on the QuickBooks sync page): the sync creates its QuickBooks "
        "customer again, and its held invoices follow.",
    ),
    Entry(
        "payment_deleted_in_quickbooks",
        "Payment deleted in QuickBooks",
        "data",
        "Payment {reference} of {amount_text}, which the sync recorded in QuickBooks, was deleted "
        "there on {changed_at}; the billing app still has it.",
        "If the payment did not happen, void it in the billing app. If it was deleted by mistake, "
        "resync it (Resync on the QuickBooks sync page, or the qbo_resync DAG): the sync records it "
        "in QuickBooks again. It is never recorded again without that.",
    ),
    Entry(
        "payment_voided_in_quickbooks",
        "Payment voided in QuickBooks",
        "data",
        "Payment {reference} of {amount_text}, which the sync recorded in QuickBooks, was voided "
        "there on {changed_at}; the billing app still has it.",
        "If the payment did not happen, void it in the billing app too. If it did, QuickBooks cannot "
        "undo the void: delete the voided payment in QuickBooks, then resync the payment here, and "
        "the sync records it again.",
    ),
    Entry(
        "payment_edited_in_quickbooks",
        "Payment changed in QuickBooks",
        "data",
        "Payment {reference}, which the sync recorded in QuickBooks, was changed there on "
        "{changed_at} ({changes}); the billing app still has {amount_text}.",
        "To keep the billing app's version, resync the payment (Resync on the QuickBooks sync "
        "page): the sync puts it back in QuickBooks. To keep QuickBooks' version, make the same "
        "change in the billing app and resync it, or exclude the payment on the page. To have the app's version "
        "put back by itself: `python -m qbo_sync.tenants set --tenant-id {tenant_id} "
        "--quickbooks-changes app_wins`.",
    ),
    Entry(
        "credit_memo_deleted_in_quickbooks",
        "Credit memo deleted in QuickBooks",
        "data",
        "Credit note {number}, which the sync recorded in QuickBooks, was deleted there on "
        "{changed_at}; the billing app still has it, for {total}.",
        "If the credit should not be given, void the credit note in the billing app. If it was "
        "deleted by mistake, resync it (Resync on the QuickBooks sync page): the sync records it in "
        "QuickBooks again and applies it to its invoice.",
    ),
    Entry(
        "credit_memo_voided_in_quickbooks",
        "Credit memo voided in QuickBooks",
        "data",
        "Credit note {number}, which the sync recorded in QuickBooks, was voided there on "
        "{changed_at}; the billing app still has it, for {total}.",
        "If the credit should not be given, void the credit note in the billing app too. If it "
        "should, delete the voided credit memo in QuickBooks and resync the credit note here.",
    ),
    Entry(
        "credit_memo_edited_in_quickbooks",
        "Credit memo changed in QuickBooks",
        "data",
        "Credit note {number}, which the sync recorded in QuickBooks, was changed there on {changed_at} ({changes}).",
        "To keep the billing app's version, resync the credit note (Resync on the QuickBooks sync "
        "page): the sync puts it back in QuickBooks, applied to its invoice as before. To keep "
        "QuickBooks' version, make the same change in the billing app and resync it, or exclude "
        "the credit note on the page. To have the app's version put back by itself: `python -m qbo_sync.tenants "
        "set --tenant-id {tenant_id} --quickbooks-changes app_wins`.",
    ),
    Entry(
        "quickbooks_change_undone",
        "Change in QuickBooks undone",
        "data",
        "{what} agrees with the billing app again: {how}.",
        "Nothing to do.",
        status="skipped",
    ),
    Entry(
        "invoice_customer_inactive",
        "Invoice linked to a customer made inactive in QuickBooks",
        "data",
        "Invoice {number} is for client {client_id}, whose QuickBooks customer '{display_name}' "
        "was made inactive in QuickBooks on {changed_at}; QuickBooks records no sale for an "
        "inactive customer, so the invoice was not sent.",
        "Make the customer active again in QuickBooks (Sales > Customers, filter with Include "
        "inactive, then Make active), or resync client {client_id} (Resync on the QuickBooks sync "
        "page) and the sync makes it active. The invoice is sent by itself on the next run after that.",
    ),
    Entry(
        "invoice_customer_merged",
        "Invoice linked to a customer merged in QuickBooks",
        "data",
        "Invoice {number} is for client {client_id}, whose QuickBooks customer was merged into "
        "{survivor} in QuickBooks on {changed_at}; it no longer exists there, so the invoice was not sent.",
        "If the two are the same person, move the invoice to that client in the billing app (or "
        "merge the clients there). If not, resync client {client_id} (Resync on the QuickBooks sync "
        "page): the sync creates its customer again, and the invoice follows by itself.",
    ),
    Entry(
        "reads_blocked",
        "API call limit reached (CorePlus calls blocked)",
        "configuration",
        "QuickBooks blocks the sync's reads (Intuit's metered CorePlus API calls: look-ups, queries, "
        "change data capture) until {blocked_until}: the QuickBooks app used its monthly "
        "allowance under Intuit's App Partner Program, and QuickBooks shows the app as Offline. "
        "The sync must look this record up in QuickBooks before sending it (so it never sends a "
        "duplicate), so it waits; no request was made for it.",
        "Upgrade the app's tier of the Intuit App Partner Program in the Intuit Developer portal "
        "(its API usage chart shows the calls), then run `python -m qbo_sync.companies.read_blocks "
        "--clear --tenant-id {tenant_id}`; or wait until {blocked_until}, when the sync reads again "
        "by itself. The record is sent on the next run after that.",
    ),
    Entry(
        "company_settings_mismatch",
        "Company settings do not match QuickBooks company",
        "configuration",
        "Nothing was sent for this tenant: {problems}. Records sent with these settings would be "
        "refused by QuickBooks or booked with the wrong tax.",
        "{fixes} Held-back records sync by themselves on the next run.",
    ),
    Entry(
        "reconnect_required",
        "Invalid refresh token",
        "connection",
        "The connection to QuickBooks for this tenant has expired or was revoked.",
        "Reconnect the company: `python -m qbo_sync.companies authorize --tenant-id "
        "{tenant_id}` (or `connect` with a new refresh token). Failed records resync by "
        "themselves on the next run.",
    ),
)
