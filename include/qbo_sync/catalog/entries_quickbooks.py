"""What each QuickBooks fault means for the finance team, and what to do: keyed by
``qbo_client.codes`` (which knows which kind of fault it is, never what to do about it).

One entry per kind of fault the client classifies, no more and no fewer
(``tests/include/qbo_sync/test_catalog_quickbooks.py`` holds the two key sets equal), so a
new QuickBooks code cannot reach the sync log without a cause and a fix. ``{entity}``,
``{element}`` and ``{code}`` are filled from the fault (``explain_fault``).

The fixes name this project's own settings and commands, and QuickBooks things as its
screens do (menu paths such as Sales > Products and services); a command in a fix is
complete and parses with the real CLI (``<tenant>`` and ``<realm>`` are filled in by the
sync with the record's tenant and company, ``NAME`` is for the reader to choose). ``seeds``
names the errors of the help-centre pages we were built from (shared/seeds) that each entry
answers (``qbo_sync.catalog.seeds``).
"""

from __future__ import annotations

from qbo_client.codes import BY_KEY as KINDS
from qbo_sync.catalog.entry import Entry

RESYNC = (
    "Then resync the record: trigger the qbo_resync DAG for it, or wait for the next "
    "scheduled run, which retries failed records."
)
RECONNECT = (
    "Reconnect the company: `python -m qbo_sync.companies authorize --tenant-id <tenant>` "
    "(or `python -m qbo_sync.companies connect --tenant-id <tenant> --realm-id <realm> "
    "--refresh-token-stdin` with a token from the Intuit developer playground); "
    "`python -m qbo_sync.companies status` shows which tenants need it."
)
NOTHING_TO_DO = "Nothing to do: the sync retries this by itself and it usually passes within minutes."
LOOK_BEFORE_RESEND = (
    "The sync looks the record up in QuickBooks (by its number, or the tag we write in its private "
    "note) before sending it again, so no duplicate is created. If the sync log still shows this "
    "error after the next run, check in QuickBooks whether the record is there: if it is, exclude it "
    "from resync (qbo_sync.record_controls, excluded = true); if it is not, resync it."
)


def _q(key: str, title: str, cause: str, fix: str, seeds: tuple[str, ...] = ()) -> Entry:
    """An entry for the client's fault kind ``key``; its category is the client's."""
    return Entry(key, title, KINDS[key].category, cause, fix, seeds=seeds)


ENTRIES: tuple[Entry, ...] = (
    # --- 2020 required parameter
    _q(
        "2020.line",
        "Required param missing: no lines",
        "QuickBooks refused the {entity} because it has no line items; QuickBooks will not accept "
        "an invoice or credit note without at least one line.",
        "In the billing app, revert the invoice to draft, add at least one line item (with its tax "
        "rate), and finalize it again, or delete the empty invoice. " + RESYNC,
        seeds=(
            "Create failed: Required param missing",
            "invoice without line items (Workiz: every invoice needs line items)",
        ),
    ),
    _q(
        "2020.line_detail",
        "Required param missing: no lines",
        "QuickBooks refused the {entity} because it has no line items; QuickBooks will not accept "
        "an invoice or credit note without at least one line.",
        "In the billing app, revert the invoice to draft, add at least one line item (with its tax "
        "rate), and finalize it again, or delete the empty invoice. " + RESYNC,
    ),
    _q(
        "2020",
        "Required param missing",
        "QuickBooks refused the {entity} because a required value is missing ({element}).",
        "Fill in the missing value on the record in the billing app (for a payment: the amount and "
        "the client; for a client: a name). If the value is filled in, report it with the sync log "
        "entry: the sync must send it. " + RESYNC,
    ),
    # --- 6140 duplicate document number
    _q(
        "6140.payment",
        "Payment reference already used",
        "QuickBooks already has a payment with this reference number for this customer. Most often "
        "the payment was already synced (or entered by hand) earlier.",
        "Open the customer in QuickBooks. If the payment is there with the right amount, it is "
        "already in your books: exclude this payment from resync (qbo_sync.record_controls, "
        "excluded = true). If it is a different payment, change the reference in the billing app "
        "(references over 21 characters are handled by payment_ref_policy in "
        "qbo_sync.tenant_settings). " + RESYNC,
        seeds=("Payment Ref#: Already exists for Customer",),
    ),
    _q(
        "6140",
        "Duplicate document number",
        "QuickBooks already has a transaction with this number (see the Detail for which one), and "
        "the company is set to refuse duplicate numbers. This happens when invoices were entered in "
        "QuickBooks by hand, the company was connected to another app before, or it was "
        "disconnected and reconnected.",
        "Open the transaction named in the Detail in QuickBooks. If it IS this invoice (same client "
        "and amount), it was synced before: exclude this record from resync "
        "(qbo_sync.record_controls, excluded = true). If it is a different document, give it a "
        "unique number in QuickBooks (add a prefix or extra digits), or change the billing app's "
        "numbering so it cannot clash (e.g. INV{{sequence}}, CN{{sequence}}). " + RESYNC,
        seeds=(
            "Duplicate document number",
            "Invoice: Already exists for Customer",
            "Duplicate Invoice Error",
            "invoice with the same ID as an invoice already in QuickBooks (Workiz)",
        ),
    ),
    # --- 6240 duplicate name
    _q(
        "6240.item",
        "Duplicate item name",
        "Another product or service in QuickBooks already uses this name.",
        "Rename one of the two items in QuickBooks (Sales > Products and services), or choose the "
        "existing item as the default item: `python -m qbo_sync.tenants set --tenant-id <tenant> "
        "--default-service-item NAME` (or --default-product-item). " + RESYNC,
        seeds=("item already exists in QuickBooks (Workiz)",),
    ),
    _q(
        "6240",
        "The name supplied already exists",
        "QuickBooks requires a customer's display name to be unique across ALL customers, suppliers "
        "(vendors) and employees, and another one already uses this client's name.",
        "Either rename the supplier/employee/customer in QuickBooks (or make the supplier or "
        "employee inactive), or change the client's name in the billing app, or let the sync add a "
        "differentiator: `python -m qbo_sync.tenants set --tenant-id <tenant> --name-clash-policy "
        "suffix` (qbo_sync.tenant_settings.name_clash_policy), or put the client tag in "
        "display_name_template. If both are the same person, merge the clients in the billing "
        "app. " + RESYNC,
        seeds=(
            "The name supplied already exists",
            "client with the same name as another client in QuickBooks (Workiz)",
            "client sharing a name with a client, supplier or employee (Workiz)",
        ),
    ),
    # --- 6000 business validation
    _q(
        "6000.tax",
        "Business validation error (tax)",
        "A tax rate on the {entity} is not linked to a QuickBooks tax code, or the linked code does "
        "not exist or is inactive in QuickBooks.",
        "Note the tax rates on the lines (e.g. GST, GST free). Link each one to the matching "
        "QuickBooks tax code: `python -m qbo_sync.tenants map-tax --tenant-id <tenant> --tax-rate NAME --tax-code "
        "NAME` (`python -m qbo_sync.tenants show "
        "--tenant-id <tenant>` lists the links by name). If the code does not exist in QuickBooks, create or enable it "
        "there first; it must exist and be active. " + RESYNC,
        seeds=("Business validation error (tax)", "Tax code not found", "tax rate not found in QuickBooks (Workiz)"),
    ),
    _q(
        "6000.tax_line",
        "Business validation error (tax)",
        "A line of the {entity} has no QuickBooks tax code, or one that does not exist or is inactive ({element}).",
        "Link each tax rate used on the lines to an active QuickBooks tax code: "
        "`python -m qbo_sync.tenants map-tax --tenant-id <tenant> --tax-rate NAME --tax-code NAME`; create or enable "
        "the code in QuickBooks "
        "first if it is missing. " + RESYNC,
    ),
    _q(
        "6000.name_colon",
        "Colon in a name",
        "The client's name contains a colon (:), which QuickBooks keeps for separating a "
        "sub-customer from its parent, so it refuses the name.",
        "Remove the colon from the client's name in the billing app (e.g. use a dash instead). " + RESYNC,
        seeds=("Customer creation failed (invalid characters in name)",),
    ),
    _q(
        "6000.voided",
        "Voided in QuickBooks",
        "This {entity} has been voided in QuickBooks, so QuickBooks no longer accepts changes to it.",
        "If the void in QuickBooks was intended, exclude this record from resync "
        "(qbo_sync.record_controls, excluded = true). If it was a mistake, issue a new invoice in the "
        "billing app; a voided QuickBooks document cannot be brought back.",
    ),
    _q(
        "6000.amount",
        "You must set a transaction amount",
        "QuickBooks needs a transaction amount and this {entity} has none (a payment or credit with "
        "a total of zero, or lines that add up to nothing).",
        "Check the amount on the record in the billing app: a payment must have a positive total; "
        "an invoice whose lines are all zero should not be finalized. Correct it there. " + RESYNC,
    ),
    _q(
        "6000.income_account",
        "Item has no income account",
        "The QuickBooks product/service used on this {entity} has no income account, so QuickBooks "
        "does not know where to post the sale (seen with write-off and bad-debt items).",
        "In QuickBooks, open Sales > Products and services, edit the tenant's default item (`python "
        "-m qbo_sync.tenants show --tenant-id <tenant>` names it) and set its income account; or "
        "choose another default item: `python -m qbo_sync.tenants set --tenant-id <tenant> "
        "--default-service-item NAME` (or --default-product-item). " + RESYNC,
        seeds=("Error Adding Write-off",),
    ),
    _q(
        "6000.inventory_date",
        "Inventory item starts after the invoice date",
        'The {entity} uses an inventory item whose "as of" (start) date in QuickBooks is after '
        "the invoice date, so QuickBooks has no stock for it on that date.",
        'In QuickBooks, open Sales > Products and services, edit the item and set its "as of" '
        "date before the invoice date (or use a non-inventory default item: `python -m "
        "qbo_sync.tenants set --tenant-id <tenant> --default-product-item NAME`). " + RESYNC,
        seeds=("inventory item with an 'as of date' after the invoice date (Workiz)",),
    ),
    _q(
        "6000",
        "Business validation error",
        "QuickBooks refused the {entity} for a business rule; its own explanation is in the Detail "
        "of the sync log entry.",
        "Read QuickBooks' Detail in the sync log, correct the record in the billing app (or the "
        "setting it names in QuickBooks). " + RESYNC,
    ),
    # --- 2500 invalid reference
    _q(
        "2500.item",
        "Item not mapped or inactive",
        "A line of this {entity} points at a QuickBooks product/service that does not exist or has "
        "been made inactive ({element}). The sync posts every line to the tenant's default Service "
        "or Product item.",
        "See the tenant's default items by name with `python -m qbo_sync.tenants show --tenant-id "
        "<tenant>`. In QuickBooks, make the item active again (Sales > Products and services, "
        "filter with Include inactive, then Make active), or choose another active item as the "
        "default: `python -m qbo_sync.tenants set --tenant-id <tenant> --default-service-item NAME` "
        "(or --default-product-item). " + RESYNC,
        seeds=(
            "No fee item mapped for line item",
            "SKU Not Found Error",
            "line items not yet synced to QuickBooks (Workiz)",
        ),
    ),
    _q(
        "2500.tax",
        "Tax code not mapped or inactive",
        "A line of this {entity} uses a QuickBooks tax code that does not exist or is inactive ({element}).",
        "Link the billing app's tax rate to an active QuickBooks tax code: "
        "`python -m qbo_sync.tenants map-tax --tenant-id <tenant> --tax-rate NAME --tax-code NAME`; create or enable "
        "the code in QuickBooks first if needed. " + RESYNC,
    ),
    _q(
        "2500.parent",
        "Parent client not in QuickBooks",
        "This client is a sub-client, and its parent client is not in QuickBooks (or was made inactive there).",
        "Fix the parent client first (see its own sync log entry) so it syncs, or remove the "
        "parent relationship in the billing app; make the parent active in QuickBooks if it was "
        "made inactive. " + RESYNC,
        seeds=("client whose parent client is not synced to QuickBooks (Workiz)",),
    ),
    _q(
        "2500.customer",
        "Customer not in QuickBooks or inactive",
        "The {entity} belongs to a client that is not in QuickBooks, or whose QuickBooks customer was made inactive.",
        "Look at the client's own sync log entry and fix that first; if the customer was made "
        "inactive in QuickBooks, make it active again (Sales > Customers, filter with Include "
        "inactive, then Make active). The client syncs before its invoices on the next run. " + RESYNC,
        seeds=("invoice whose client has not been synced to QuickBooks (Workiz)",),
    ),
    _q(
        "2500.account",
        "Account not mapped or inactive",
        "The payment points at a QuickBooks bank/clearing account that does not exist or is inactive ({element}).",
        "Choose an active deposit account for payments by its name in QuickBooks (Settings > Chart "
        "of accounts): `python -m qbo_sync.tenants set --tenant-id <tenant> --deposit-account "
        "'Undeposited Funds'`, or make the account active again there (Include inactive, then "
        "Make active). " + RESYNC,
    ),
    _q(
        "2500.linked",
        "Applied invoice not found",
        "The {entity} is applied to an invoice that QuickBooks cannot find: the invoice never "
        "reached QuickBooks (e.g. it is historical: finalized before the company was connected) or "
        "was deleted there.",
        "Check the invoice's own sync log entry. If it was never synced, fix and resync it first; "
        "if it is historical, enter it in QuickBooks by hand, record this payment or credit there "
        "too, and exclude this record from resync (qbo_sync.record_controls). " + RESYNC,
    ),
    _q(
        "2500",
        "Invalid reference",
        "The {entity} refers to something in QuickBooks ({element}) that does not exist or has been made inactive.",
        "Check the setting for that field (`python -m qbo_sync.tenants show --tenant-id <tenant>` "
        "names the default items, the deposit account and the tax code links) and that the "
        "record it names is active in QuickBooks. " + RESYNC,
    ),
    # --- 610 object not found
    _q(
        "610.linked",
        "Applied invoice not found",
        "The {entity} is applied to an invoice that QuickBooks cannot find: the invoice never "
        "reached QuickBooks (e.g. it is historical: finalized before the company was connected) or "
        "was deleted there.",
        "Check the invoice's own sync log entry. If it was never synced, fix and resync it first; "
        "if it is historical, enter it in QuickBooks by hand and then record this payment or "
        "credit there too, and exclude this record from resync (qbo_sync.record_controls). " + RESYNC,
        seeds=(
            "Payment Ref#: Could not find applied invoice Ref#",
            "Credit Ref#: Could not find applied invoice Ref#",
            "Invoice not found: Payment has been processed for an invoice that does not exist in QBO",
        ),
    ),
    _q(
        "610.deleted",
        "Deleted in QuickBooks",
        "This {entity} was deleted in QuickBooks after it was synced, so it cannot be updated.",
        "Decide which side is right. To put it back, remove the record's row from qbo_sync.entity_map "
        "(ask support) so the next resync creates it again; if it was deleted on purpose, exclude "
        "it from resync (qbo_sync.record_controls, excluded = true).",
        seeds=("invoice deleted in QuickBooks (Workiz)", "payment deleted in QuickBooks (Workiz)"),
    ),
    _q(
        "610.customer",
        "Customer inactive in QuickBooks",
        "The client's QuickBooks customer has been made inactive in QuickBooks, so nothing can be posted to it.",
        "In QuickBooks, make the customer active again (Sales > Customers, filter with Include "
        "inactive, then Make active; customers can only be made inactive, never deleted). Resync the client first, "
        "then the invoice. " + RESYNC,
        seeds=("client made inactive in QuickBooks (Workiz)",),
    ),
    _q(
        "610.customer_entity",
        "Customer inactive in QuickBooks",
        "The client's QuickBooks customer has been made inactive in QuickBooks, so it cannot be updated.",
        "In QuickBooks, make the customer active again (Sales > Customers, filter with Include "
        "inactive, then Make active; customers can only be made inactive, never deleted). " + RESYNC,
    ),
    _q(
        "610",
        "Object not found",
        "Something this {entity} uses ({element}) is no longer in QuickBooks: it was made inactive or deleted there.",
        "Find the customer, item, account or tax code the record uses in QuickBooks and make it "
        "active again (`python -m qbo_sync.tenants show --tenant-id <tenant>` names the ones the "
        "sync uses), or choose others with that command's `set` and `map-tax`. " + RESYNC,
    ),
    # --- 6250 inactive customer on a sale
    _q(
        "6250",
        "Inactive customer",
        "The invoice's customer is inactive in QuickBooks, so QuickBooks will not record a sale for it.",
        "In QuickBooks, make the customer active again (Sales > Customers, filter with Include "
        "inactive, then Make active; customers can only be made inactive, never deleted). " + RESYNC,
        seeds=("invoice linked to a client made inactive in QuickBooks (Workiz)",),
    ),
    # --- 5010 stale object
    _q(
        "5010",
        "Edited by someone else at the same time",
        "Someone (a person in QuickBooks, or a payment being applied) changed this {entity} in "
        "QuickBooks while the sync was updating it, so the sync's copy was out of date.",
        "Usually nothing: the sync re-reads the latest version and tries again on the next run. If "
        "it keeps failing, make sure nobody is editing the record in QuickBooks at that moment. " + RESYNC,
        seeds=("several users editing the client at once (Workiz)",),
    ),
    # --- 6210 closed period
    _q(
        "6210",
        "Closed accounting period",
        "The {entity}'s date is in an accounting period that is closed in QuickBooks, so "
        "QuickBooks refuses changes through an app.",
        "Either reopen the period in QuickBooks (Account and settings > Advanced > Accounting: "
        "close the books / change the closing date), or, if the books must stay closed, correct "
        "the record's date in the billing app. " + RESYNC,
        seeds=("invoice dated in a closed period (Workiz)",),
    ),
    # --- 2210 e-mail address
    _q(
        "2210",
        "E-mail address not valid",
        "QuickBooks refused the {entity}'s e-mail address: it is not one valid address (RFC 822), "
        "e.g. it has a space, two @, no domain, a trailing dot, accented letters, or several "
        "addresses separated by commas.",
        "Correct the client's e-mail address in the billing app to one address like "
        "name@example.com, or let the sync leave invalid addresses out: `python -m qbo_sync.tenants "
        "set --tenant-id <tenant> --invalid-email-policy omit`. " + RESYNC,
    ),
    # --- 2050 string length
    _q(
        "2050.payment_ref",
        "Payment reference too long",
        "QuickBooks accepts at most 21 characters in a payment's reference number, and this payment's code is longer.",
        "Shorten the payment's confirmation code in the billing app to 21 characters, or let the "
        "sync keep the last 21 characters: `python -m qbo_sync.tenants set --tenant-id <tenant> "
        "--payment-ref-policy truncate` (qbo_sync.tenant_settings.payment_ref_policy). " + RESYNC,
        seeds=("payment confirmation code longer than 21 characters (Workiz)",),
    ),
    _q(
        "2050.doc_number",
        "Document number too long",
        "QuickBooks accepts at most 21 characters in an invoice or credit note number, and this one is longer.",
        "Use a shorter numbering scheme in the billing app (at most 21 characters, prefix "
        "included) and renumber this document. " + RESYNC,
    ),
    _q(
        "2050.requestid",
        "Request id too long",
        "The sync sent a request id longer than QuickBooks accepts (50, or 36 for a batch).",
        "This is a bug in the sync, not in your data: report it with the sync log entry. "
        "The record is retried on the next run.",
    ),
    _q(
        "2050",
        "Text too long",
        "A text field of the {entity} ({element}) is longer than QuickBooks accepts (see the Detail for the maximum).",
        "Shorten that field on the record in the billing app (names: 100 characters, display "
        "names 500, line descriptions 4000, customer memo 1000). " + RESYNC,
        seeds=("Character limitations for fields in QuickBooks (GrowthZone)",),
    ),
    # --- 620 cannot link
    _q(
        "620",
        "Payment applied to another customer's invoice",
        "The payment is applied to an invoice that either does not exist in QuickBooks or belongs "
        "to a different customer; QuickBooks does not let a payment pay another customer's "
        "invoice. This often means a QuickBooks invoice has the same number as a different "
        "client's invoice in the billing app.",
        "Check the invoice number the payment is applied to in QuickBooks. If that number belongs "
        "to another customer, change the billing app's numbering so numbers cannot clash, void or "
        "write off the invoice and recreate it with a new number; record the payment against the "
        "right client's invoice. " + RESYNC,
        seeds=(
            "The payment you are trying to apply to the invoice either does not exist or it belongs "
            "to another customer.",
            "Error adding Payment. Error: The payment you are trying to apply to the invoice either does "
            "not exist or it belongs to another customer.",
        ),
    ),
    # --- 6080 no name
    _q(
        "6080",
        "Client without a name",
        "QuickBooks needs a name for every customer (display, first/last or company name), and this client has none.",
        "Add a first and last name (or a company name) to the client in the billing app. " + RESYNC,
        seeds=("client without a first and last name (Workiz)",),
    ),
    # --- 6070 amount calculation
    _q(
        "6070",
        "Line amount does not match quantity x price",
        "A line's amount is not its quantity times its unit price as QuickBooks computes it "
        "(usually a rounding difference on a discounted or fractional line).",
        "Check the line's quantity, unit price and discount in the billing app; amounts must be "
        "quantity x unit price rounded to the cent. If they are, report it with the sync log "
        "entry. " + RESYNC,
    ),
    # --- 4000/4001 query
    _q(
        "4000",
        "Query not understood",
        "QuickBooks could not read a query the sync sent (often a name with an unusual character).",
        "This is a bug in the sync, not in your books: report it with the sync log entry. It is "
        "retried on the next run.",
    ),
    _q(
        "4001",
        "Invalid query",
        "QuickBooks refused a query the sync sent (a field or entity it does not support).",
        "This is a bug in the sync, not in your books: report it with the sync log entry. It is "
        "retried on the next run.",
    ),
    # --- 10000 system failure
    _q(
        "10000",
        "QuickBooks internal error",
        "QuickBooks had an internal error while handling the request.",
        NOTHING_TO_DO + " If it persists for hours, check status.developer.intuit.com.",
    ),
    # --- 3001 throttled
    _q(
        "reads_blocked",
        "Reads blocked until next month",
        "QuickBooks blocked the sync's reads (what Intuit calls CorePlus API calls: look-ups, "
        "queries, reports and change data capture) until the 1st of next month (UTC): the "
        "QuickBooks app used its monthly allowance of them under Intuit's App Partner Program, and "
        "QuickBooks now shows the app as Offline to its users. Records that need a look-up first "
        "wait; new records that need none still go.",
        "Upgrade the app's tier of the Intuit App Partner Program in the Intuit Developer portal "
        "(watch its API usage chart), then let the sync read again: `python -m "
        "qbo_sync.companies.read_blocks --clear --tenant-id <tenant>`; or wait for the 1st of next "
        "month (UTC), when the sync reads again by itself and retries these records.",
    ),
    _q(
        "3001",
        "Rate limited",
        "Too many requests reached this QuickBooks company in one minute (QuickBooks allows 500 "
        "a minute, 10 at once and 40 batches a minute per company).",
        "Nothing to do: the sync waits and retries by itself, and paces its requests so this stays "
        "rare. If it is frequent, lower requests_per_minute in the quickbooks connection's extra.",
        seeds=("Rate limited",),
    ),
    # --- 3200 authentication
    _q(
        "3200",
        "Unauthorized (401)",
        "QuickBooks did not accept the sync's access token (it expired or was replaced). The sync "
        "gets a new one by itself and retries once.",
        "Usually nothing: it passes on its own. If it persists, check `python -m qbo_sync.companies "
        "status`; when the tenant shows reconnect_required, follow that reason. " + RESYNC,
        seeds=("Unauthorized - 401", '"Unauthorized" or "Token expired"'),
    ),
    # --- 3100 authorization / subscription
    _q(
        "3100",
        "Not authorized / subscription lapsed",
        "QuickBooks refused the app access to this company: the QuickBooks subscription is no "
        "longer active (cancelled, trial ended, payment overdue), or the user who connected the "
        "app no longer has admin rights.",
        "Check the subscription in QuickBooks (Account and settings > Billing & subscription) and "
        "renew it with Intuit if it lapsed; otherwise have an admin user reconnect: " + RECONNECT + " " + RESYNC,
        seeds=("QuickBooks subscription no longer active (Workiz)",),
    ),
    # --- OAuth
    _q(
        "invalid_grant",
        "Invalid refresh token",
        "The connection to this QuickBooks company has expired or was revoked (disconnected in "
        "QuickBooks, refresh token unused for 100 days or over 5 years old), so the sync can no "
        "longer sign in. Other companies are not affected.",
        RECONNECT + " Then resync: failed records of this tenant are retried on the next run.",
        seeds=("Invalid refresh token",),
    ),
    _q(
        "invalid_client",
        "App credentials rejected",
        "QuickBooks did not accept the app's client id or client secret.",
        "Check the login (client id) and password (client secret) of the quickbooks_default "
        "Airflow connection (or QBO_CLIENT_ID / QBO_CLIENT_SECRET for the command line), and that "
        "the environment (production, sandbox) matches the keys.",
    ),
    # --- gateway and network (our codes)
    _q(
        "html_body",
        "HTML answer instead of data",
        "A gateway in front of QuickBooks answered with a web page instead of data (it was busy or restarting).",
        NOTHING_TO_DO,
        seeds=("'<' is an invalid start of a value",),
    ),
    _q(
        "empty_body",
        "Empty answer",
        "QuickBooks (or a gateway in front of it) answered with nothing at all.",
        NOTHING_TO_DO + " The sync tries up to 10 times, like other apps.",
        seeds=(
            "The input does not contain any JSON tokens. Expected the input to start with a valid "
            "JSON token, when isFinalBlock is true.",
        ),
    ),
    _q(
        "unparseable_body",
        "Unreadable answer",
        "QuickBooks answered with data the sync could not read (cut off in transit).",
        NOTHING_TO_DO,
    ),
    _q(
        "connection_reset",
        "Connection dropped",
        "The connection to QuickBooks was cut before an answer arrived.",
        NOTHING_TO_DO,
    ),
    _q("timeout", "No answer in time", "QuickBooks did not answer in time.", NOTHING_TO_DO),
    _q(
        "outcome_unknown",
        "Sent, but the answer was lost",
        "The {entity} was sent to QuickBooks but the answer was lost (timeout or dropped "
        "connection), so it may or may not have been saved.",
        LOOK_BEFORE_RESEND,
    ),
    _q(
        "no_batch_answer",
        "No answer for this item",
        "QuickBooks answered the batch but said nothing about this {entity}, so it may or may not have been saved.",
        LOOK_BEFORE_RESEND,
    ),
    # --- other codes seen in practice
    _q(
        "2010",
        "Unsupported field",
        "The sync sent a field QuickBooks does not accept for this company ({element}).",
        "This is a bug in the sync or a company setting QuickBooks needs (e.g. multicurrency): "
        "report it with the sync log entry.",
    ),
    _q(
        "500",
        "Unsupported operation",
        "QuickBooks does not support what the sync asked for (see the Detail).",
        "Report it with the sync log entry; nothing in your data needs changing.",
    ),
    # --- no kind of the code fits (or the code is new)
    _q(
        "unknown.server",
        "QuickBooks server error",
        "QuickBooks or a gateway in front of it failed while handling the request.",
        NOTHING_TO_DO,
    ),
    _q(
        "unknown",
        "Unexplained QuickBooks error",
        "QuickBooks refused the {entity} with error {code}, which this sync has no explanation for yet; "
        "QuickBooks' own message is in the sync log entry.",
        "Read QuickBooks' message and Detail in the sync log, correct the record or the setting it "
        "names, and report the code so it gets an explanation here. " + RESYNC,
    ),
)
