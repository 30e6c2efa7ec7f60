"""The errors named in the help-centre pages we were built from (shared/seeds), and where
each is answered: ``SEEDS_ERRORS`` maps every one that comes from QuickBooks to the key of its
entry (``entries_quickbooks``); ``SEEDS_NOT_FROM_QUICKBOOKS`` lists those that are the apps'
own rules, not QuickBooks faults, with where this project deals with them instead."""

from __future__ import annotations

from qbo_sync.catalog.entries_quickbooks import ENTRIES as QUICKBOOKS_ENTRIES

SEEDS_ERRORS: dict[str, str] = {name: e.key for e in QUICKBOOKS_ENTRIES for name in e.seeds}

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
