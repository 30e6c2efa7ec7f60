"""The demo's currency cases (issue 13, item 2), listed at the end of ``cases.CASES`` (so that
earlier seeds keep their data):

* ``currency_needs_multicurrency``: an invoice in another currency than its tenant's, in a
  company whose multicurrency is off (every demo company starts that way, as QuickBooks does):
  the sync fails it with the fix before sending anything;
* ``foreign_currency_synced``: in another tenant, whose company has multicurrency turned on
  (``quickbooks_setup.multicurrency``: the demo turns it on in QuickBooks' settings), an
  invoice in another currency paid in full in the app: both sync, the invoice to the client's
  customer in that currency at QuickBooks' rate for its date, the payment with it; the
  reconciliation compares them in that currency.

The first draws from the bad-case stream; the second from a stream of its own
(``Case.own_stream``), so that adding it left the other cases' data as it was. The other
paths (the app's own rate, a currency QuickBooks has no rate for, the currency-name template)
are shown by tests/include/qbo_sync/test_pipeline_currency.py against the emulator.
"""

from __future__ import annotations

from typing import Any


def foreign_currency(home: str) -> str:
    """A currency other than the tenant's: euros, or US dollars for a euro tenant."""
    return "USD" if home == "EUR" else "EUR"


def foreign_currency_invoice(gen: Any, inv: dict[str, Any], i: int, state: Any) -> None:
    inv["currency"] = foreign_currency(state.tenant.region.currency)
    gen.record(state, "invoice", inv, "failed", "currency_needs_multicurrency")


def prepare_multicurrency(gen: Any, state: Any) -> None:
    state.tenant.setup.multicurrency = True


def foreign_currency_synced(gen: Any, inv: dict[str, Any], i: int, state: Any) -> None:
    inv["currency"] = foreign_currency(state.tenant.region.currency)
    reference = f"AUTH F{inv['k'] + 1:07d}"
    pay = gen.payment(state.tenant, inv["total"], inv["finalized_at"], "card", reference, state.rng)
    inv["payments"] = [pay]
    inv["updated_at"] = max(inv["updated_at"], pay["created_at"])
    gen.record(state, "invoice", inv, "synced", None)
    gen.record(state, "payment", pay, "synced", None)
