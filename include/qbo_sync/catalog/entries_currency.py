"""Currencies (issue 13, item 2): an invoice in another currency than the company's home
currency, checked before it is sent (validate/currency.py, load/currency.py), and QuickBooks'
own currency fault (``qbo_client`` key ``6000.currency``). QuickBooks' rules, from Intuit's
"Manage multiple currencies" guide: multicurrency is off by default, turned on only in
QuickBooks' settings and never off again; a customer's currency is fixed when it is created;
a transaction is in its customer's currency.
"""

from __future__ import annotations

from qbo_client.codes import BY_KEY as KINDS
from qbo_sync.catalog.entry import Entry

RESYNC = "Then resync the invoice (qbo_resync DAG, or wait for the next scheduled run)."
TURN_ON = (
    "In QuickBooks, turn on multicurrency (Settings > Account and settings > Advanced > Currency > "
    "Multicurrency; QuickBooks cannot turn it off again, and Simple Start does not have it)"
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "currency_needs_multicurrency",
        "Multicurrency is off",
        "configuration",
        "Invoice {number} is in {currency}, but QuickBooks company '{company}' keeps its books in "
        "{home_currency} with multicurrency off, so QuickBooks cannot take an invoice in another "
        "currency. Nothing was sent.",
        TURN_ON + "; or, if {currency} is a mistake, correct the invoice's currency to {home_currency} "
        "in the billing app. " + RESYNC,
    ),
    Entry(
        "exchange_rate_missing",
        "No exchange rate for the invoice's date",
        "configuration",
        "Invoice {number} is in {currency}; the billing app gives it no exchange rate and QuickBooks "
        "has no {currency} rate for {rate_date}, so what it is worth in {home_currency} is unknown. "
        "Nothing was sent.",
        "Enter the {currency} rate for {rate_date} in QuickBooks (Settings > Currencies, or the "
        "exchange rate field of any {currency} transaction dated {rate_date}), or give the invoice "
        "its exchange rate in the billing app. " + RESYNC,
    ),
    Entry(
        "currency_customer_name_taken",
        "Duplicate Name Exists Error (customer in another currency)",
        "data",
        "Invoice {number} is in {currency}, so it goes to client {client_id}'s customer in "
        "{currency}, named '{display_name}'; a QuickBooks customer of that name already exists in "
        "{their_currency}, and QuickBooks never changes a customer's currency. Nothing was sent.",
        "Rename or make inactive that QuickBooks customer if it is not this client's, or choose "
        "another name for customers in other currencies: `python -m qbo_sync.tenants set "
        "--tenant-id {tenant_id} --currency-name-template '{{display_name}} - {{currency}}'`. " + RESYNC,
    ),
)

QUICKBOOKS_ENTRIES: tuple[Entry, ...] = (
    Entry(
        "6000.currency",
        "Business validation error (currency)",
        KINDS["6000.currency"].category,
        "QuickBooks refused the {entity} because of its currency: either the company has "
        "multicurrency off and the {entity} is in another currency than the home currency, or the "
        "{entity} is in another currency than its customer (QuickBooks fixes a customer's currency "
        "when it is created).",
        TURN_ON + " if the company bills in other currencies; check in `python -m qbo_sync.tenants "
        "show --tenant-id <tenant>` which currency the company keeps its books in, and that the "
        "invoice's currency in the billing app is right. " + RESYNC,
    ),
)
