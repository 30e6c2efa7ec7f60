"""Every QuickBooks fault, explained for the finance team: what happened and what to do.

This is data. ``explain(code, element=, detail=, entity_name=)`` picks the most specific
entry: an entry may narrow its code by the element QuickBooks names (which field), by
words in QuickBooks' Detail, and by the entity we were writing. Unknown codes still get
an entry (by HTTP status), so nothing reaches the sync log without a cause and a fix.

Categories: ``data`` (fix the record in the billing app or QuickBooks), ``configuration``
(fix a mapping or a setting), ``connection`` (reconnect the company), ``transient``
(passes by itself; the client or the next run retries it). ``retryable`` says whether
sending the same thing again can succeed.

The fixes name this project's own settings and commands, and QuickBooks things as its
screens do (menu paths such as Sales > Products and services); a command in a fix is
complete and parses with the real CLI (``<tenant>`` and ``<realm>`` are filled in by the
sync with the record's tenant and company, ``NAME`` is for the reader to choose). ``SEEDS_ERRORS`` maps every
error named in the help-centre pages we were built from (shared/seeds) that comes from
QuickBooks to its entry here; errors those pages name that do not come from QuickBooks
(the apps' own rules) are listed in ``SEEDS_NOT_FROM_QUICKBOOKS`` with where we handle them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbo_client.faults import QboFault

DATA = "data"
CONFIGURATION = "configuration"
CONNECTION = "connection"
TRANSIENT = "transient"

RESYNC = ("Then resync the record: trigger the qbo_resync DAG for it, or wait for the next "
          "scheduled run, which retries failed records.")
RECONNECT = ("Reconnect the company: `python -m qbo_sync.companies authorize --tenant-id <tenant>` "
             "(or `python -m qbo_sync.companies connect --tenant-id <tenant> --realm-id <realm> "
             "--refresh-token-stdin` with a token from the Intuit developer playground); "
             "`python -m qbo_sync.companies status` shows which tenants need it.")
NOTHING_TO_DO = "Nothing to do: the sync retries this by itself and it usually passes within minutes."
LOOK_BEFORE_RESEND = (
    "The sync looks the record up in QuickBooks (by its number, or the tag we write in its private "
    "note) before sending it again, so no duplicate is created. If the sync log still shows this "
    "error after the next run, check in QuickBooks whether the record is there: if it is, exclude it "
    "from resync (qbo_sync.record_controls, excluded = true); if it is not, resync it."
)


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    code: str
    title: str
    category: str
    retryable: bool
    cause: str
    fix: str
    element: str | None = None  # regex on the fault's element (case-insensitive)
    detail: str | None = None  # regex on Detail + Message (case-insensitive)
    entities: tuple[str, ...] = ()  # entity names this variant applies to
    seeds: tuple[str, ...] = ()  # the seeds' names for this error

    def matches(self, element: str, text: str, entity_name: str | None) -> int | None:
        """A specificity score when this entry fits the fault, else None."""
        score = 0
        if self.element is not None:
            if not element or not re.search(self.element, element, re.I):
                return None
            score += 4
        if self.detail is not None:
            if not re.search(self.detail, text, re.I):
                return None
            score += 2
        if self.entities:
            if entity_name not in self.entities:
                return None
            score += 1
        return score

    def render_cause(self, fault: QboFault | None = None) -> str:
        return _render(self.cause, fault)

    def render_fix(self, fault: QboFault | None = None) -> str:
        return _render(self.fix, fault)


def _render(text: str, fault: QboFault | None) -> str:
    values = {
        "element": (fault.element if fault and fault.element else "a field"),
        "entity": (fault.entity_name if fault and fault.entity_name else "record"),
        "code": fault.code if fault else "",
    }
    return text.format_map(values)


def _e(key: str, code: str, title: str, category: str, retryable: bool, cause: str, fix: str,
       **match: object) -> CatalogEntry:
    return CatalogEntry(key, code, title, category, retryable, cause, fix, **match)  # type: ignore[arg-type]


ENTRIES: tuple[CatalogEntry, ...] = (
    # --- 2020 required parameter -------------------------------------------------------
    _e("2020.line", "2020", "Required param missing: no lines", DATA, False,
       "QuickBooks refused the {entity} because it has no line items; QuickBooks will not accept "
       "an invoice or credit note without at least one line.",
       "In the billing app, revert the invoice to draft, add at least one line item (with its tax "
       "rate), and finalize it again, or delete the empty invoice. " + RESYNC,
       element=r"^Line$|^Line\b", detail=None,
       seeds=("Create failed: Required param missing",
              "invoice without line items (Workiz: every invoice needs line items)")),
    _e("2020.line_detail", "2020", "Required param missing: no lines", DATA, False,
       "QuickBooks refused the {entity} because it has no line items; QuickBooks will not accept "
       "an invoice or credit note without at least one line.",
       "In the billing app, revert the invoice to draft, add at least one line item (with its tax "
       "rate), and finalize it again, or delete the empty invoice. " + RESYNC,
       detail=r"parameter Line\b"),
    _e("2020", "2020", "Required param missing", DATA, False,
       "QuickBooks refused the {entity} because a required value is missing ({element}).",
       "Fill in the missing value on the record in the billing app (for a payment: the amount and "
       "the client; for a client: a name). If the value is filled in, report it with the sync log "
       "entry: the sync must send it. " + RESYNC),
    # --- 6140 duplicate document number ---------------------------------------------------
    _e("6140.payment", "6140", "Payment reference already used", DATA, False,
       "QuickBooks already has a payment with this reference number for this customer. Most often "
       "the payment was already synced (or entered by hand) earlier.",
       "Open the customer in QuickBooks. If the payment is there with the right amount, it is "
       "already in your books: exclude this payment from resync (qbo_sync.record_controls, "
       "excluded = true). If it is a different payment, change the reference in the billing app "
       "(references over 21 characters are handled by payment_ref_policy in "
       "qbo_sync.tenant_settings). " + RESYNC,
       entities=("Payment",),
       seeds=("Payment Ref#: Already exists for Customer",)),
    _e("6140", "6140", "Duplicate document number", DATA, False,
       "QuickBooks already has a transaction with this number (see the Detail for which one), and "
       "the company is set to refuse duplicate numbers. This happens when invoices were entered in "
       "QuickBooks by hand, the company was connected to another app before, or it was "
       "disconnected and reconnected.",
       "Open the transaction named in the Detail in QuickBooks. If it IS this invoice (same client "
       "and amount), it was synced before: exclude this record from resync "
       "(qbo_sync.record_controls, excluded = true). If it is a different document, give it a "
       "unique number in QuickBooks (add a prefix or extra digits), or change the billing app's "
       "numbering so it cannot clash (e.g. INV{{sequence}}, CN{{sequence}}). " + RESYNC,
       seeds=("Duplicate document number", "Invoice: Already exists for Customer", "Duplicate Invoice Error",
              "invoice with the same ID as an invoice already in QuickBooks (Workiz)")),
    # --- 6240 duplicate name -----------------------------------------------------------
    _e("6240.item", "6240", "Duplicate item name", CONFIGURATION, False,
       "Another product or service in QuickBooks already uses this name.",
       "Rename one of the two items in QuickBooks (Sales > Products and services), or choose the "
       "existing item as the default item: `python -m qbo_sync.tenants set --tenant-id <tenant> "
       "--default-service-item NAME` (or --default-product-item). " + RESYNC,
       detail=r"product or service|item", entities=("Item",),
       seeds=("item already exists in QuickBooks (Workiz)",)),
    _e("6240", "6240", "The name supplied already exists", DATA, False,
       "QuickBooks requires a customer's display name to be unique across ALL customers, suppliers "
       "(vendors) and employees, and another one already uses this client's name.",
       "Either rename the supplier/employee/customer in QuickBooks (or make the supplier or "
       "employee inactive), or change the client's name in the billing app, or let the sync add a "
       "differentiator: `python -m qbo_sync.tenants set --tenant-id <tenant> --name-clash-policy "
       "suffix` (qbo_sync.tenant_settings.name_clash_policy), or put the client tag in "
       "display_name_template. If both are the same person, merge the clients in the billing "
       "app. " + RESYNC,
       seeds=("The name supplied already exists",
              "client with the same name as another client in QuickBooks (Workiz)",
              "client sharing a name with a client, supplier or employee (Workiz)")),
    # --- 6000 business validation --------------------------------------------------------
    _e("6000.tax", "6000", "Business validation error (tax)", CONFIGURATION, False,
       "A tax rate on the {entity} is not linked to a QuickBooks tax code, or the linked code does "
       "not exist or is inactive in QuickBooks.",
       "Note the tax rates on the lines (e.g. GST, GST free). Link each one to the matching "
       "QuickBooks tax code: `python -m qbo_sync.tenants map-tax --tenant-id <tenant> --tax-rate NAME --tax-code NAME` (`python -m qbo_sync.tenants show "
       "--tenant-id <tenant>` lists the links by name). If the code does not exist in QuickBooks, create or enable it "
       "there first; it must exist and be active. " + RESYNC,
       detail=r"tax|\bGST\b|\bVAT\b",
       seeds=("Business validation error (tax)", "Tax code not found",
              "tax rate not found in QuickBooks (Workiz)")),
    _e("6000.tax_line", "6000", "Business validation error (tax)", CONFIGURATION, False,
       "A line of the {entity} has no QuickBooks tax code, or one that does not exist or is inactive "
       "({element}).",
       "Link each tax rate used on the lines to an active QuickBooks tax code: "
       "`python -m qbo_sync.tenants map-tax --tenant-id <tenant> --tax-rate NAME --tax-code NAME`; create or enable the code in QuickBooks "
       "first if it is missing. " + RESYNC,
       element=r"TaxCode"),
    _e("6000.name_colon", "6000", "Colon in a name", DATA, False,
       "The client's name contains a colon (:), which QuickBooks keeps for separating a "
       "sub-customer from its parent, so it refuses the name.",
       "Remove the colon from the client's name in the billing app (e.g. use a dash instead). "
       + RESYNC,
       detail=r"colon",
       seeds=("Customer creation failed (invalid characters in name)",)),
    _e("6000.voided", "6000", "Voided in QuickBooks", DATA, False,
       "This {entity} has been voided in QuickBooks, so QuickBooks no longer accepts changes to it.",
       "If the void in QuickBooks was intended, exclude this record from resync "
       "(qbo_sync.record_controls, excluded = true). If it was a mistake, issue a new invoice in the "
       "billing app; a voided QuickBooks document cannot be brought back.",
       detail=r"voided"),
    _e("6000.amount", "6000", "You must set a transaction amount", DATA, False,
       "QuickBooks needs a transaction amount and this {entity} has none (a payment or credit with "
       "a total of zero, or lines that add up to nothing).",
       "Check the amount on the record in the billing app: a payment must have a positive total; "
       "an invoice whose lines are all zero should not be finalized. Correct it there. " + RESYNC,
       detail=r"transaction amount|amount.*(required|must)"),
    _e("6000.income_account", "6000", "Item has no income account", CONFIGURATION, False,
       "The QuickBooks product/service used on this {entity} has no income account, so QuickBooks "
       "does not know where to post the sale (seen with write-off and bad-debt items).",
       "In QuickBooks, open Sales > Products and services, edit the tenant's default item (`python "
       "-m qbo_sync.tenants show --tenant-id <tenant>` names it) and set its income account; or "
       "choose another default item: `python -m qbo_sync.tenants set --tenant-id <tenant> "
       "--default-service-item NAME` (or --default-product-item). " + RESYNC,
       detail=r"income account",
       seeds=("Error Adding Write-off",)),
    _e("6000.inventory_date", "6000", "Inventory item starts after the invoice date", CONFIGURATION, False,
       "The {entity} uses an inventory item whose \"as of\" (start) date in QuickBooks is after "
       "the invoice date, so QuickBooks has no stock for it on that date.",
       "In QuickBooks, open Sales > Products and services, edit the item and set its \"as of\" "
       "date before the invoice date (or use a non-inventory default item: `python -m "
       "qbo_sync.tenants set --tenant-id <tenant> --default-product-item NAME`). " + RESYNC,
       detail=r"inventory|as of date|start date",
       seeds=("inventory item with an 'as of date' after the invoice date (Workiz)",)),
    _e("6000", "6000", "Business validation error", DATA, False,
       "QuickBooks refused the {entity} for a business rule; its own explanation is in the Detail "
       "of the sync log entry.",
       "Read QuickBooks' Detail in the sync log, correct the record in the billing app (or the "
       "setting it names in QuickBooks). " + RESYNC),
    # --- 2500 invalid reference -----------------------------------------------------------
    _e("2500.item", "2500", "Item not mapped or inactive", CONFIGURATION, False,
       "A line of this {entity} points at a QuickBooks product/service that does not exist or has "
       "been made inactive ({element}). The sync posts every line to the tenant's default Service "
       "or Product item.",
       "See the tenant's default items by name with `python -m qbo_sync.tenants show --tenant-id "
       "<tenant>`. In QuickBooks, make the item active again (Sales > Products and services, "
       "filter with Include inactive, then Make active), or choose another active item as the "
       "default: `python -m qbo_sync.tenants set --tenant-id <tenant> --default-service-item NAME` "
       "(or --default-product-item). " + RESYNC,
       element=r"ItemRef",
       seeds=("No fee item mapped for line item", "SKU Not Found Error",
              "line items not yet synced to QuickBooks (Workiz)")),
    _e("2500.tax", "2500", "Tax code not mapped or inactive", CONFIGURATION, False,
       "A line of this {entity} uses a QuickBooks tax code that does not exist or is inactive "
       "({element}).",
       "Link the billing app's tax rate to an active QuickBooks tax code: "
       "`python -m qbo_sync.tenants map-tax --tenant-id <tenant> --tax-rate NAME --tax-code NAME`; create or enable the code in QuickBooks first if needed. " + RESYNC,
       element=r"TaxCode"),
    _e("2500.parent", "2500", "Parent client not in QuickBooks", DATA, False,
       "This client is a sub-client, and its parent client is not in QuickBooks (or was made "
       "inactive there).",
       "Fix the parent client first (see its own sync log entry) so it syncs, or remove the "
       "parent relationship in the billing app; make the parent active in QuickBooks if it was "
       "made inactive. " + RESYNC,
       element=r"ParentRef",
       seeds=("client whose parent client is not synced to QuickBooks (Workiz)",)),
    _e("2500.customer", "2500", "Customer not in QuickBooks or inactive", DATA, False,
       "The {entity} belongs to a client that is not in QuickBooks, or whose QuickBooks customer "
       "was made inactive.",
       "Look at the client's own sync log entry and fix that first; if the customer was made "
       "inactive in QuickBooks, make it active again (Sales > Customers, filter with Include "
       "inactive, then Make active). The client syncs before its invoices on the next run. " + RESYNC,
       element=r"CustomerRef",
       seeds=("invoice whose client has not been synced to QuickBooks (Workiz)",)),
    _e("2500.account", "2500", "Account not mapped or inactive", CONFIGURATION, False,
       "The payment points at a QuickBooks bank/clearing account that does not exist or is "
       "inactive ({element}).",
       "Choose an active deposit account for payments by its name in QuickBooks (Settings > Chart "
       "of accounts): `python -m qbo_sync.tenants set --tenant-id <tenant> --deposit-account "
       "'Undeposited Funds'`, or make the account active again there (Include inactive, then "
       "Make active). " + RESYNC,
       element=r"AccountRef"),
    _e("2500.linked", "2500", "Applied invoice not found", DATA, False,
       "The {entity} is applied to an invoice that QuickBooks cannot find: the invoice never "
       "reached QuickBooks (e.g. it is historical: finalized before the company was connected) or "
       "was deleted there.",
       "Check the invoice's own sync log entry. If it was never synced, fix and resync it first; "
       "if it is historical, enter it in QuickBooks by hand, record this payment or credit there "
       "too, and exclude this record from resync (qbo_sync.record_controls). " + RESYNC,
       element=r"LinkedTxn"),
    _e("2500", "2500", "Invalid reference", CONFIGURATION, False,
       "The {entity} refers to something in QuickBooks ({element}) that does not exist or has been "
       "made inactive.",
       "Check the setting for that field (`python -m qbo_sync.tenants show --tenant-id <tenant>` "
       "names the default items, the deposit account and the tax code links) and that the "
       "record it names is active in QuickBooks. " + RESYNC),
    # --- 610 object not found -----------------------------------------------------------
    _e("610.linked", "610", "Applied invoice not found", DATA, False,
       "The {entity} is applied to an invoice that QuickBooks cannot find: the invoice never "
       "reached QuickBooks (e.g. it is historical: finalized before the company was connected) or "
       "was deleted there.",
       "Check the invoice's own sync log entry. If it was never synced, fix and resync it first; "
       "if it is historical, enter it in QuickBooks by hand and then record this payment or "
       "credit there too, and exclude this record from resync (qbo_sync.record_controls). " + RESYNC,
       element=r"LinkedTxn|TxnId",
       seeds=("Payment Ref#: Could not find applied invoice Ref#",
              "Credit Ref#: Could not find applied invoice Ref#",
              "Invoice not found: Payment has been processed for an invoice that does not exist in QBO")),
    _e("610.deleted", "610", "Deleted in QuickBooks", DATA, False,
       "This {entity} was deleted in QuickBooks after it was synced, so it cannot be updated.",
       "Decide which side is right. To put it back, remove the record's row from qbo_sync.entity_map "
       "(ask support) so the next resync creates it again; if it was deleted on purpose, exclude "
       "it from resync (qbo_sync.record_controls, excluded = true).",
       detail=r"deleted",
       seeds=("invoice deleted in QuickBooks (Workiz)", "payment deleted in QuickBooks (Workiz)")),
    _e("610.customer", "610", "Customer inactive in QuickBooks", DATA, False,
       "The client's QuickBooks customer has been made inactive in QuickBooks, so nothing can be "
       "posted to it.",
       "In QuickBooks, make the customer active again (Sales > Customers, filter with Include "
       "inactive, then Make active; customers can only be made inactive, never deleted). Resync the client first, then the invoice. " + RESYNC,
       element=r"CustomerRef",
       seeds=("client made inactive in QuickBooks (Workiz)",)),
    _e("610.customer_entity", "610", "Customer inactive in QuickBooks", DATA, False,
       "The client's QuickBooks customer has been made inactive in QuickBooks, so it cannot be "
       "updated.",
       "In QuickBooks, make the customer active again (Sales > Customers, filter with Include "
       "inactive, then Make active; customers can only be made inactive, never deleted). " + RESYNC,
       entities=("Customer",)),
    _e("610", "610", "Object not found", DATA, False,
       "Something this {entity} uses ({element}) is no longer in QuickBooks: it was made inactive "
       "or deleted there.",
       "Find the customer, item, account or tax code the record uses in QuickBooks and make it "
       "active again (`python -m qbo_sync.tenants show --tenant-id <tenant>` names the ones the "
       "sync uses), or choose others with that command's `set` and `map-tax`. "
       + RESYNC),
    # --- 6250 inactive customer on a sale --------------------------------------------------
    _e("6250", "6250", "Inactive customer", DATA, False,
       "The invoice's customer is inactive in QuickBooks, so QuickBooks will not record a sale "
       "for it.",
       "In QuickBooks, make the customer active again (Sales > Customers, filter with Include "
       "inactive, then Make active; customers can only be made inactive, never deleted). " + RESYNC,
       seeds=("invoice linked to a client made inactive in QuickBooks (Workiz)",)),
    # --- 5010 stale object -----------------------------------------------------------------
    _e("5010", "5010", "Edited by someone else at the same time", TRANSIENT, True,
       "Someone (a person in QuickBooks, or a payment being applied) changed this {entity} in "
       "QuickBooks while the sync was updating it, so the sync's copy was out of date.",
       "Usually nothing: the sync re-reads the latest version and tries again on the next run. If "
       "it keeps failing, make sure nobody is editing the record in QuickBooks at that moment. "
       + RESYNC,
       seeds=("several users editing the client at once (Workiz)",)),
    # --- 6210 closed period ----------------------------------------------------------------
    _e("6210", "6210", "Closed accounting period", CONFIGURATION, False,
       "The {entity}'s date is in an accounting period that is closed in QuickBooks, so "
       "QuickBooks refuses changes through an app.",
       "Either reopen the period in QuickBooks (Account and settings > Advanced > Accounting: "
       "close the books / change the closing date), or, if the books must stay closed, correct "
       "the record's date in the billing app. " + RESYNC,
       seeds=("invoice dated in a closed period (Workiz)",)),
    # --- 2210 e-mail address -----------------------------------------------------------------
    _e("2210", "2210", "E-mail address not valid", DATA, False,
       "QuickBooks refused the {entity}'s e-mail address: it is not one valid address (RFC 822), "
       "e.g. it has a space, two @, no domain, a trailing dot, accented letters, or several "
       "addresses separated by commas.",
       "Correct the client's e-mail address in the billing app to one address like "
       "name@example.com, or let the sync leave invalid addresses out: `python -m qbo_sync.tenants "
       "set --tenant-id <tenant> --invalid-email-policy omit`. " + RESYNC),
    # --- 2050 string length ----------------------------------------------------------------
    _e("2050.payment_ref", "2050", "Payment reference too long", DATA, False,
       "QuickBooks accepts at most 21 characters in a payment's reference number, and this "
       "payment's code is longer.",
       "Shorten the payment's confirmation code in the billing app to 21 characters, or let the "
       "sync keep the last 21 characters: `python -m qbo_sync.tenants set --tenant-id <tenant> "
       "--payment-ref-policy truncate` (qbo_sync.tenant_settings.payment_ref_policy). " + RESYNC,
       element=r"PaymentRefNum",
       seeds=("payment confirmation code longer than 21 characters (Workiz)",)),
    _e("2050.doc_number", "2050", "Document number too long", DATA, False,
       "QuickBooks accepts at most 21 characters in an invoice or credit note number, and this "
       "one is longer.",
       "Use a shorter numbering scheme in the billing app (at most 21 characters, prefix "
       "included) and renumber this document. " + RESYNC,
       element=r"DocNumber"),
    _e("2050.requestid", "2050", "Request id too long", CONFIGURATION, False,
       "The sync sent a request id longer than QuickBooks accepts (50, or 36 for a batch).",
       "This is a bug in the sync, not in your data: report it with the sync log entry. "
       "The record is retried on the next run.",
       element=r"requestid"),
    _e("2050", "2050", "Text too long", DATA, False,
       "A text field of the {entity} ({element}) is longer than QuickBooks accepts (see the Detail "
       "for the maximum).",
       "Shorten that field on the record in the billing app (names: 100 characters, display "
       "names 500, line descriptions 4000, customer memo 1000). " + RESYNC,
       seeds=("Character limitations for fields in QuickBooks (GrowthZone)",)),
    # --- 620 cannot link ---------------------------------------------------------------------
    _e("620", "620", "Payment applied to another customer's invoice", DATA, False,
       "The payment is applied to an invoice that either does not exist in QuickBooks or belongs "
       "to a different customer; QuickBooks does not let a payment pay another customer's "
       "invoice. This often means a QuickBooks invoice has the same number as a different "
       "client's invoice in the billing app.",
       "Check the invoice number the payment is applied to in QuickBooks. If that number belongs "
       "to another customer, change the billing app's numbering so numbers cannot clash, void or "
       "write off the invoice and recreate it with a new number; record the payment against the "
       "right client's invoice. " + RESYNC,
       seeds=("The payment you are trying to apply to the invoice either does not exist or it belongs "
              "to another customer.",
              "Error adding Payment. Error: The payment you are trying to apply to the invoice either does "
              "not exist or it belongs to another customer.")),
    # --- 6080 no name -----------------------------------------------------------------------
    _e("6080", "6080", "Client without a name", DATA, False,
       "QuickBooks needs a name for every customer (display, first/last or company name), and "
       "this client has none.",
       "Add a first and last name (or a company name) to the client in the billing app. " + RESYNC,
       seeds=("client without a first and last name (Workiz)",)),
    # --- 6070 amount calculation ---------------------------------------------------------------
    _e("6070", "6070", "Line amount does not match quantity x price", DATA, False,
       "A line's amount is not its quantity times its unit price as QuickBooks computes it "
       "(usually a rounding difference on a discounted or fractional line).",
       "Check the line's quantity, unit price and discount in the billing app; amounts must be "
       "quantity x unit price rounded to the cent. If they are, report it with the sync log "
       "entry. " + RESYNC),
    # --- 4000/4001 query -------------------------------------------------------------------------
    _e("4000", "4000", "Query not understood", CONFIGURATION, False,
       "QuickBooks could not read a query the sync sent (often a name with an unusual character).",
       "This is a bug in the sync, not in your books: report it with the sync log entry. It is "
       "retried on the next run."),
    _e("4001", "4001", "Invalid query", CONFIGURATION, False,
       "QuickBooks refused a query the sync sent (a field or entity it does not support).",
       "This is a bug in the sync, not in your books: report it with the sync log entry. It is "
       "retried on the next run."),
    # --- 10000 system failure --------------------------------------------------------------
    _e("10000", "10000", "QuickBooks internal error", TRANSIENT, True,
       "QuickBooks had an internal error while handling the request.",
       NOTHING_TO_DO + " If it persists for hours, check status.developer.intuit.com."),
    # --- 3001 throttled ----------------------------------------------------------------------
    _e("reads_blocked", "3001", "Reads blocked until next month", CONFIGURATION, False,
       "QuickBooks blocked the sync's reads (what Intuit calls CorePlus API calls: look-ups, "
       "queries, reports and change data capture) until the 1st of next month (UTC): the "
       "QuickBooks app used its monthly allowance of them under Intuit's App Partner Program, and "
       "QuickBooks now shows the app as Offline to its users. Records that need a look-up first "
       "wait; new records that need none still go.",
       "Upgrade the app's tier of the Intuit App Partner Program in the Intuit Developer portal "
       "(watch its API usage chart), then let the sync read again: `python -m "
       "qbo_sync.companies.read_blocks --clear --tenant-id <tenant>`; or wait for the 1st of next "
       "month (UTC), when the sync reads again by itself and retries these records.",
       detail=r"core\s*plus"),
    _e("3001", "3001", "Rate limited", TRANSIENT, True,
       "Too many requests reached this QuickBooks company in one minute (QuickBooks allows 500 "
       "a minute, 10 at once and 40 batches a minute per company).",
       "Nothing to do: the sync waits and retries by itself, and paces its requests so this stays "
       "rare. If it is frequent, lower requests_per_minute in the quickbooks connection's extra.",
       seeds=("Rate limited",)),
    # --- 3200 authentication -------------------------------------------------------------------
    _e("3200", "3200", "Unauthorized (401)", CONNECTION, True,
       "QuickBooks did not accept the sync's access token (it expired or was replaced). The sync "
       "gets a new one by itself and retries once.",
       "Usually nothing: it passes on its own. If it persists, check `python -m qbo_sync.companies "
       "status`; when the tenant shows reconnect_required, follow that reason. " + RESYNC,
       seeds=("Unauthorized - 401", "\"Unauthorized\" or \"Token expired\"")),
    # --- 3100 authorization / subscription ---------------------------------------------------------
    _e("3100", "3100", "Not authorized / subscription lapsed", CONNECTION, False,
       "QuickBooks refused the app access to this company: the QuickBooks subscription is no "
       "longer active (cancelled, trial ended, payment overdue), or the user who connected the "
       "app no longer has admin rights.",
       "Check the subscription in QuickBooks (Account and settings > Billing & subscription) and "
       "renew it with Intuit if it lapsed; otherwise have an admin user reconnect: "
       + RECONNECT + " " + RESYNC,
       seeds=("QuickBooks subscription no longer active (Workiz)",)),
    # --- OAuth -------------------------------------------------------------------------------
    _e("invalid_grant", "invalid_grant", "Invalid refresh token", CONNECTION, False,
       "The connection to this QuickBooks company has expired or was revoked (disconnected in "
       "QuickBooks, refresh token unused for 100 days or over 5 years old), so the sync can no "
       "longer sign in. Other companies are not affected.",
       RECONNECT + " Then resync: failed records of this tenant are retried on the next run.",
       seeds=("Invalid refresh token",)),
    _e("invalid_client", "invalid_client", "App credentials rejected", CONFIGURATION, False,
       "QuickBooks did not accept the app's client id or client secret.",
       "Check the login (client id) and password (client secret) of the quickbooks_default "
       "Airflow connection (or QBO_CLIENT_ID / QBO_CLIENT_SECRET for the command line), and that "
       "the environment (production, sandbox) matches the keys."),
    # --- gateway and network (our codes) ----------------------------------------------------
    _e("html_body", "html_body", "HTML answer instead of data", TRANSIENT, True,
       "A gateway in front of QuickBooks answered with a web page instead of data (it was busy or "
       "restarting).",
       NOTHING_TO_DO,
       seeds=("'<' is an invalid start of a value",)),
    _e("empty_body", "empty_body", "Empty answer", TRANSIENT, True,
       "QuickBooks (or a gateway in front of it) answered with nothing at all.",
       NOTHING_TO_DO + " The sync tries up to 10 times, like other apps.",
       seeds=("The input does not contain any JSON tokens. Expected the input to start with a valid "
              "JSON token, when isFinalBlock is true.",)),
    _e("unparseable_body", "unparseable_body", "Unreadable answer", TRANSIENT, True,
       "QuickBooks answered with data the sync could not read (cut off in transit).",
       NOTHING_TO_DO),
    _e("connection_reset", "connection_reset", "Connection dropped", TRANSIENT, True,
       "The connection to QuickBooks was cut before an answer arrived.",
       NOTHING_TO_DO),
    _e("timeout", "timeout", "No answer in time", TRANSIENT, True,
       "QuickBooks did not answer in time.",
       NOTHING_TO_DO),
    _e("outcome_unknown", "outcome_unknown", "Sent, but the answer was lost", TRANSIENT, True,
       "The {entity} was sent to QuickBooks but the answer was lost (timeout or dropped "
       "connection), so it may or may not have been saved.",
       LOOK_BEFORE_RESEND),
    _e("no_batch_answer", "no_batch_answer", "No answer for this item", TRANSIENT, True,
       "QuickBooks answered the batch but said nothing about this {entity}, so it may or may not "
       "have been saved.",
       LOOK_BEFORE_RESEND),
    # --- other codes seen in practice --------------------------------------------------------
    _e("2010", "2010", "Unsupported field", CONFIGURATION, False,
       "The sync sent a field QuickBooks does not accept for this company ({element}).",
       "This is a bug in the sync or a company setting QuickBooks needs (e.g. multicurrency): "
       "report it with the sync log entry."),
    _e("500", "500", "Unsupported operation", CONFIGURATION, False,
       "QuickBooks does not support what the sync asked for (see the Detail).",
       "Report it with the sync log entry; nothing in your data needs changing."),
)

# Fallbacks when a code is not in the catalog.
UNKNOWN_SERVER = CatalogEntry(
    "unknown.server", "", "QuickBooks server error", TRANSIENT, True,
    "QuickBooks or a gateway in front of it failed while handling the request.", NOTHING_TO_DO)
UNKNOWN = CatalogEntry(
    "unknown", "", "Unexplained QuickBooks error", DATA, False,
    "QuickBooks refused the {entity} with error {code}, which this sync has no explanation for yet; "
    "QuickBooks' own message is in the sync log entry.",
    "Read QuickBooks' message and Detail in the sync log, correct the record or the setting it "
    "names, and report the code so it gets an explanation here. " + RESYNC)

_BY_CODE: dict[str, list[CatalogEntry]] = {}
for _entry in ENTRIES:
    _BY_CODE.setdefault(_entry.code, []).append(_entry)
BY_KEY: dict[str, CatalogEntry] = {entry.key: entry for entry in ENTRIES}


def _normalise_code(code: str) -> str:
    code = (code or "").strip()
    return code.lstrip("0") or code if code.isdigit() else code


def explain(code: str, *, element: str = "", detail: str = "", message: str = "",
            entity_name: str | None = None, http_status: int | None = None) -> CatalogEntry:
    """The entry for a fault: the most specific variant of its code that fits."""
    normalised = _normalise_code(code)
    if normalised.startswith("http_") and http_status is None:
        try:
            http_status = int(normalised[5:])
        except ValueError:
            pass
    candidates = _BY_CODE.get(normalised, [])
    text = f"{detail} {message}"
    best: tuple[int, int, CatalogEntry] | None = None
    for order, entry in enumerate(candidates):
        score = entry.matches(element or "", text, entity_name)
        if score is None:
            continue
        # Higher specificity wins; among equals, the first listed.
        if best is None or score > best[0]:
            best = (score, -order, entry)
    if best is not None:
        return best[2]
    if http_status is not None and http_status >= 500:
        return UNKNOWN_SERVER
    if http_status == 429:
        return BY_KEY["3001"]
    if http_status == 401:
        return BY_KEY["3200"]
    if http_status == 403:
        return BY_KEY["3100"]
    return UNKNOWN


def entry(key: str) -> CatalogEntry:
    return BY_KEY[key]


# Every error named in shared/seeds that QuickBooks produces -> our entry key.
SEEDS_ERRORS: dict[str, str] = {
    name: e.key for e in ENTRIES for name in e.seeds
}

# Errors the seeds name that are the apps' own rules, not QuickBooks faults, and where
# this project deals with them instead.
SEEDS_NOT_FROM_QUICKBOOKS: dict[str, str] = {
    "Update failed: Historical invoice": "qbo_sync.catalog 'historical_invoice' (validate step; never sent)",
    "No QuickBooks status card showing": "not an error: a voided invoice is voided in QuickBooks too",
    "Customer Not Found or Created (missing email / email mismatch)": "HubSpot app's own matching rule; we "
    "match customers by our entity_map and display name (qbo_sync.catalog)",
    "client failed to sync during the initial sync (Workiz)": "generic; our sync log records the actual fault",
    "bundle item edited in the app (Workiz)": "we never sync items back to QuickBooks",
    "inventory item converted to non-inventory (Workiz)": "we never sync items back to QuickBooks",
    "payment type other than cash, credit or check (Workiz)": "Workiz import rule; our payment import accepts "
    "every QuickBooks payment method",
}
