"""Clearing a payment's reference (PaymentRefNum) in QuickBooks.

A sparse update changes only the fields it carries and cannot remove one: Intuit's support
answered that removing a value "can be achieved using full update" (intuit/QuickBooks-V3-DotNET-SDK
#113); an empty string in a sparse update is not documented as clearing anything (the
emulator keeps the old value, as python-quickbooks' empty fields are unset ones). A full
update sets every writable field the request omits to NULL (Intuit's Payment reference,
"Full update a payment"). So a reference removed in the app after the payment synced goes as a
full update built from QuickBooks' current copy of the payment (its deposit account, payment
method, currency, note kept as they are) with the sync's own fields over it and no
PaymentRefNum. The copy is the one ``load.versioned.write_versioned`` reads before sending,
so the update also names its current SyncToken.
"""

from __future__ import annotations

from typing import Any

# What QuickBooks computes or owns on a Payment: never sent back in a full update.
COMPUTED = frozenset(
    {"Id", "SyncToken", "MetaData", "domain", "sparse", "status", "UnappliedAmt", "HomeTotalAmt", "PaymentRefNum"}
)


def wants_clearing(reference: str | None, old_reference: str | None, put_back: bool) -> bool:
    """The app's payment has no reference now, and QuickBooks may hold one: the one the sync
    wrote, or one a person typed there (a payment being put back)."""
    return not reference and (bool(old_reference) or put_back)


def full_update_body(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A full update of QuickBooks Payment ``current`` carrying the sync's ``body`` (customer,
    amount, date, lines), without a PaymentRefNum: QuickBooks sets the omitted reference to NULL."""
    kept = {key: value for key, value in current.items() if key not in COMPUTED}
    kept.update({key: value for key, value in body.items() if key != "PaymentRefNum"})
    return kept
