"""Link and unlink (``python -m qbo_sync.records``, the QuickBooks sync page's Link / Unlink):
why one is refused and what to do instead, and the sync-log entry an unlink leaves.

A refusal changes nothing and is not written to the sync log (the record did not fail); the
command prints it and the page shows it. ``record`` is the app record as the billing app
names it ("invoice INV-0042 (invoice id 812)"); ``qbo_record`` and ``new_qbo_record`` a
QuickBooks record as its screens show it, its Id after the name. ``app_flag``/``qbo_flag``
are the command's options for the record's kind (``--client-id``/``--customer-id``,
``--invoice-id``/``--qbo-invoice-id``).
"""

from __future__ import annotations

from qbo_sync.catalog.entry import Entry

NOTHING_CHANGED = "Nothing was changed."

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "link_record_unknown",
        "Link refused: no such record",
        "data",
        "Tenant {tenant_id} has no {app_kind} id {source_id} in the billing app. " + NOTHING_CHANGED,
        "Give the id of one of tenant {tenant_id}'s own records: the QuickBooks sync page shows it "
        "under each record's name (and the billing app on its screens).",
    ),
    Entry(
        "link_invoice_not_sendable",
        "Link refused: invoice never goes to QuickBooks",
        "data",
        "Invoice {number} is {app_status} in the billing app; only finalized invoices made in the "
        "app are sent to QuickBooks, so there is nothing to link. " + NOTHING_CHANGED,
        "Finalize the invoice in the billing app first if it is final; a draft, a voided invoice or "
        "one that came from QuickBooks is never sent, so it needs no link.",
    ),
    Entry(
        "link_bad_qbo_id",
        "Link refused: not an Id QuickBooks uses",
        "data",
        "'{given_id}' cannot be the Id of a QuickBooks record: QuickBooks gives every customer and "
        "invoice a whole number as its Id. " + NOTHING_CHANGED,
        "Open the {qbo_kind} in QuickBooks and take the number after txnId= (an invoice) or "
        "nameId= (a customer) in the address bar; where a cause on the QuickBooks sync page names "
        "a QuickBooks record, its Id follows the name in parentheses.",
    ),
    Entry(
        "link_not_connected",
        "Link refused: QuickBooks not connected",
        "connection",
        "Tenant {tenant_id} has no working connection to QuickBooks ({connection}), so the "
        "QuickBooks record cannot be checked. " + NOTHING_CHANGED,
        "Connect the tenant first (`python -m qbo_sync.companies authorize --tenant-id {tenant_id}`, "
        "or Connect on the QuickBooks sync page), then link or unlink again.",
    ),
    Entry(
        "link_tenant_busy",
        "Link refused: a sync is running",
        "transient",
        "Run {run_id} is syncing tenant {tenant_id} right now (stage {stage}); a link or unlink "
        "made now could cross a record it is sending. " + NOTHING_CHANGED,
        "Wait for that run to finish (its sync task log says when; usually minutes), then link or unlink again.",
    ),
    Entry(
        "link_other_company",
        "Link refused: record synced to another company",
        "configuration",
        "{record} is in another QuickBooks company (realm {old_realm}) than the one tenant "
        "{tenant_id} is connected to now (realm {realm_id}). " + NOTHING_CHANGED,
        "Unlink it from the old company first (`python -m qbo_sync.records unlink --tenant-id "
        "{tenant_id} {app_flag} {source_id}`), then link it in the new one. Check first that the "
        "tenant is meant to be connected to the new company (`python -m qbo_sync.tenants show "
        "--tenant-id {tenant_id}`).",
    ),
    Entry(
        "link_already_linked",
        "Link refused: record already in QuickBooks",
        "data",
        "{record} is already in QuickBooks as {qbo_record}. Linking it to {new_qbo_record} instead "
        "would leave the first one behind as a second copy. " + NOTHING_CHANGED,
        "If the first one is not this record (it was linked by mistake) or you have voided or "
        "deleted it in QuickBooks, replace the link: `python -m qbo_sync.records link --tenant-id "
        "{tenant_id} {app_flag} {source_id} {qbo_flag} {given_id} --replace` (on the QuickBooks "
        "sync page, tick replace). Otherwise keep the link as it is.",
    ),
    Entry(
        "link_qbo_record_taken",
        "Link refused: QuickBooks record already linked",
        "data",
        "{qbo_record} already stands for {other_record}; one QuickBooks record stands for one app "
        "record, or the two would share it. " + NOTHING_CHANGED,
        "If it was linked to {other_record} by mistake, unlink that first (`python -m "
        "qbo_sync.records unlink --tenant-id {tenant_id} {app_flag} {other_id} --linked-by-mistake`) "
        "and link again. Otherwise pick the QuickBooks record that really is {record}.",
    ),
    Entry(
        "link_qbo_record_missing",
        "Link refused: QuickBooks record not found",
        "data",
        "QuickBooks has no {qbo_kind} with the Id you gave ({given_id}) in the company tenant "
        "{tenant_id} is connected to (realm {realm_id}): {why} " + NOTHING_CHANGED,
        "Check the Id: open the {qbo_kind} in QuickBooks and take the number after txnId= (an "
        "invoice) or nameId= (a customer) in the address bar. A deleted record cannot be linked; "
        "resync {record} instead and the sync creates it.",
    ),
    Entry(
        "link_qbo_record_inactive",
        "Link refused: QuickBooks record inactive or voided",
        "data",
        "{qbo_record} is {qbo_state} in QuickBooks, so {record} would be attached to a record "
        "QuickBooks no longer uses. " + NOTHING_CHANGED,
        "If it is the right customer, make it active again in QuickBooks (Sales > Customers, "
        "filter with Include inactive, then Make active) and link again; a voided invoice cannot "
        "be brought back, so resync {record} to have the sync create it, or link another one.",
    ),
    Entry(
        "link_client_not_in_quickbooks",
        "Link refused: the invoice's client is not in QuickBooks",
        "data",
        "{qbo_record} is for the QuickBooks customer {qbo_customer}, but the client of invoice "
        "{number} (client id {client_id}) is not linked to any QuickBooks customer yet. " + NOTHING_CHANGED,
        "If that customer is this client, link the client first (`python -m qbo_sync.records link "
        "--tenant-id {tenant_id} --client-id {client_id} --customer-id {qbo_customer_id}`), then "
        "link the invoice again.",
    ),
    Entry(
        "link_customer_differs",
        "Link refused: the invoice is another customer's",
        "data",
        "{qbo_record} is for the QuickBooks customer {qbo_customer}, but the client of invoice "
        "{number} (client id {client_id}) is {client_customer}. " + NOTHING_CHANGED,
        "Check the Id: the invoice you meant is probably another one. If instead the client is "
        "linked to the wrong customer, correct that first (`python -m qbo_sync.records link "
        "--tenant-id {tenant_id} --client-id {client_id} --customer-id {qbo_customer_id} "
        "--replace`), then link the invoice again.",
    ),
    Entry(
        "link_not_linked",
        "Unlink refused: not linked",
        "data",
        "{record} is not linked to any QuickBooks record, so there is nothing to unlink. " + NOTHING_CHANGED,
        "Nothing to do. To attach it to a QuickBooks record, link it (python -m qbo_sync.records "
        "link, or Link on the QuickBooks sync page).",
    ),
    Entry(
        "unlink_record_live",
        "Unlink refused: the QuickBooks record is still in use",
        "data",
        "{qbo_record} still exists and is active in QuickBooks: unlinked, {record} would be "
        "created a second time there by its next resync. " + NOTHING_CHANGED,
        "If that QuickBooks record really is {record}, keep the link. If it was linked by mistake "
        "(it is another record), unlink with `python -m qbo_sync.records unlink --tenant-id "
        "{tenant_id} {app_flag} {source_id} --linked-by-mistake`, or link the right one with "
        "--replace. If it must go, void or delete it in QuickBooks (a customer: make it inactive) "
        "first, then unlink.",
    ),
    Entry(
        "link_quickbooks_unavailable",
        "Link refused: QuickBooks did not answer",
        "transient",
        "QuickBooks could not be asked about the {qbo_kind} you gave ({given_id}): {problem} " + NOTHING_CHANGED,
        "Try again in a few minutes. If it keeps failing, check the tenant's connection on the "
        "QuickBooks sync page, or run the doctor for tenant {tenant_id} (python -m qbo_sync doctor).",
    ),
    # The sync-log row an unlink leaves (status skipped: not in QuickBooks, on purpose).
    Entry(
        "record_unlinked",
        "Unlinked from QuickBooks",
        "data",
        "{record} was unlinked from {qbo_record} by {acted_by}: the sync no longer counts it as in "
        "QuickBooks, and sends nothing for it until it is resynced.",
        "Resync it (the Resync button, or the qbo_resync DAG) to have the sync create it in "
        "QuickBooks again, or link it to the QuickBooks record that really is it (Link on the "
        "QuickBooks sync page, or python -m qbo_sync.records link).",
        status="skipped",
    ),
)
