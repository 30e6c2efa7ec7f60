"""What went wrong and what to do, in words for the finance team: the project's one catalog.

One entry type (:class:`Entry`) for both kinds of failure a record can meet:

* the sync's own codes, decided before anything reaches QuickBooks (``entries_sync``),
  the refusals of link and unlink (``entries_links``), refunds (``entries_refunds``) and refunds read
  back from QuickBooks (``entries_readback``), looked up with
  ``explain(code, **context)``; ``CATALOG`` holds them by code;
* QuickBooks' faults, looked up by the key ``qbo_client`` classifies them with
  (``entries_quickbooks``): ``explain_fault(fault)``, or ``explain_quickbooks(key)`` when
  there is no fault at hand; ``QUICKBOOKS`` holds them by key.

The two are apart because a sync code and a QuickBooks key may share a name
(``reads_blocked``: the sync holding records back, or QuickBooks refusing a read); the
sync log tells them apart by ``error_code`` (our code, or QuickBooks' own code).
``seeds`` maps the help-centre pages' error names to entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qbo_sync.catalog.entries_appwins import ENTRIES as _APPWINS_ENTRIES
from qbo_sync.catalog.entries_classes import ENTRIES as _CLASS_ENTRIES
from qbo_sync.catalog.entries_currency import ENTRIES as _CURRENCY_ENTRIES
from qbo_sync.catalog.entries_currency import QUICKBOOKS_ENTRIES as _CURRENCY_QUICKBOOKS
from qbo_sync.catalog.entries_items import ENTRIES as _ITEM_ENTRIES
from qbo_sync.catalog.entries_links import ENTRIES as _LINK_ENTRIES
from qbo_sync.catalog.entries_moves import ENTRIES as _MOVE_ENTRIES
from qbo_sync.catalog.entries_quickbooks import ENTRIES as _QUICKBOOKS_ENTRIES
from qbo_sync.catalog.entries_readback import ENTRIES as _READBACK_ENTRIES
from qbo_sync.catalog.entries_refunds import ENTRIES as _REFUND_ENTRIES
from qbo_sync.catalog.entries_sync import ENTRIES as _SYNC_ENTRIES
from qbo_sync.catalog.entry import Entry
from qbo_sync.catalog.seeds import SEEDS_ERRORS, SEEDS_NOT_FROM_QUICKBOOKS

if TYPE_CHECKING:
    from qbo_client import QboFault

CATALOG: dict[str, Entry] = {
    e.key: e
    for e in (
        *_SYNC_ENTRIES,
        *_LINK_ENTRIES,
        *_CLASS_ENTRIES,
        *_APPWINS_ENTRIES,
        *_CURRENCY_ENTRIES,
        *_ITEM_ENTRIES,
        *_REFUND_ENTRIES,
        *_READBACK_ENTRIES,
        *_MOVE_ENTRIES,
    )
}
QUICKBOOKS: dict[str, Entry] = {e.key: e for e in (*_QUICKBOOKS_ENTRIES, *_CURRENCY_QUICKBOOKS)}


def explain(code: str, **context: object) -> tuple[Entry, str, str]:
    """One of the sync's own codes, with cause and fix filled from ``context``."""
    entry = CATALOG[code]
    cause, fix = entry.render(**context)
    return entry, cause, fix


def explain_quickbooks(key: str, fault: QboFault | None = None) -> tuple[Entry, str, str]:
    """The entry for the client's fault key ``key``, filled from ``fault`` when there is one
    (the field QuickBooks named, the entity being written, the code)."""
    entry = QUICKBOOKS[key]
    cause, fix = entry.render(
        element=(fault.element if fault and fault.element else "a field"),
        entity=(fault.entity_name if fault and fault.entity_name else "record"),
        code=fault.code if fault else "",
    )
    return entry, cause, fix


def explain_fault(fault: QboFault) -> tuple[Entry, str, str]:
    """A QuickBooks fault explained: its kind's entry, filled from the fault."""
    return explain_quickbooks(fault.key, fault)


__all__ = [
    "CATALOG",
    "QUICKBOOKS",
    "SEEDS_ERRORS",
    "SEEDS_NOT_FROM_QUICKBOOKS",
    "Entry",
    "explain",
    "explain_fault",
    "explain_quickbooks",
]
