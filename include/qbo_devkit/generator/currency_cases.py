"""The demo's currency case (issue 13, item 2): an invoice in another currency than its
tenant's, in a company whose multicurrency is off (every demo company starts that way, as
QuickBooks does), which the sync must fail with the fix before sending anything.

Kept apart from cases.py (which lists it at the end of ``CASES``, so that earlier seeds keep
their data); the synced side (multicurrency on, rates, a second customer) is shown by
tests/include/qbo_sync/test_pipeline_currency.py against the emulator.
"""

from __future__ import annotations

from typing import Any


def foreign_currency(home: str) -> str:
    """A currency other than the tenant's: euros, or US dollars for a euro tenant."""
    return "USD" if home == "EUR" else "EUR"


def foreign_currency_invoice(gen: Any, inv: dict[str, Any], i: int, state: Any) -> None:
    inv["currency"] = foreign_currency(state.tenant.region.currency)
    gen.record(state, "invoice", inv, "failed", "currency_needs_multicurrency")
