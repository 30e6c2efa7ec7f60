"""What the sync changed in a record so that QuickBooks accepts it, said in the sync log.

Every rule that alters a value on its way to QuickBooks (a text cut to QuickBooks'
length limit, a character QuickBooks refuses replaced, a reference shortened by a tenant
policy) goes through one of these helpers with the list of the record's adjustments:
the value comes back changed, and when it did change, one sentence is added to the list.
The list ends up on the record's ``synced`` outcome (``qbo_sync.sync_log.adjustments``),
on the QuickBooks sync page and in the run report. A new rule is one call, e.g.::

    name = replaced(name, "\\t", " ", "a tab in the customer name", adjustments)

Every rule is listed in docs/adjustments.md (what, why, where).
"""

from __future__ import annotations

from collections.abc import Iterable

Adjustments = list[str]  # one plain sentence per change, in the order made


def _add(adjustments: Adjustments | None, text: str) -> None:
    if adjustments is not None and text not in adjustments:
        adjustments.append(text)


def cut(
    value: str, limit: int, what: str, adjustments: Adjustments | None, *, keep: str = "start", marker: str = ""
) -> str:
    """``value`` shortened to ``limit`` characters (the first ones, or the last ones with
    ``keep="end"``); ``marker`` (e.g. an ellipsis) ends a shortened text within the limit."""
    if len(value) <= limit:
        return value
    result = value[-limit:] if keep == "end" else value[: limit - len(marker)] + marker
    kept = "its last characters kept" if keep == "end" else "the end cut off"
    _add(adjustments, f"{what} shortened from {len(value):,} to {limit:,} characters (QuickBooks' limit; {kept})")
    return result


def replaced(value: str, old: str, new: str, what: str, adjustments: Adjustments | None) -> str:
    """``value`` with every ``old`` replaced by ``new``; ``what`` names the change."""
    if old not in value:
        return value
    _add(adjustments, f"{what}: '{old}' replaced by '{new}'")
    return value.replace(old, new)


def noted(what: str, adjustments: Adjustments | None) -> None:
    """A change a rule made that is not a cut or a replacement (said as given)."""
    _add(adjustments, what)


def as_text(adjustments: Iterable[str] | None) -> str | None:
    """The sync log's text: the sentences joined, or None when nothing was changed."""
    items = [a for a in (adjustments or ()) if a]
    return "; ".join(dict.fromkeys(items)) or None
