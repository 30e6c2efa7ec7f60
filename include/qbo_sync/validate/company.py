"""What the sync must know about a tenant's QuickBooks company before sending anything.

Facts are read once per tenant per run (tax codes, items, the books close date);
doc numbers and names are looked up per chunk of records, with IN queries of at most
``LOOKUP_CHUNK`` literals so a query stays well under QuickBooks' URL limits.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

LOOKUP_CHUNK = 50

Query = Callable[[str], list[dict[str, Any]]]  # a QuickBooks query -> every row, paged


def quote(value: str) -> str:
    """A QuickBooks query literal: backslash escapes quotes and backslashes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class NameHolder:
    kind: str  # Customer | Vendor | Employee
    qbo_id: str
    active: bool


@dataclass
class CompanyFacts:
    tax_codes: dict[str, tuple[str, bool]] = field(default_factory=dict)  # Id -> (Name, Active)
    tax_code_ids_by_name: dict[str, str] = field(default_factory=dict)
    items: dict[str, tuple[str, bool]] = field(default_factory=dict)  # Id -> (Name, Active)
    book_close_date: date | None = None

    def tax_code_active(self, code_id: str) -> bool:
        # TAX and NON are US pseudo codes that always exist.
        if code_id in ("TAX", "NON"):
            return True
        return self.tax_codes.get(code_id, ("", False))[1]

    def item_active(self, item_id: str) -> bool:
        return self.items.get(item_id, ("", False))[1]


def _chunks(values: list[str], size: int = LOOKUP_CHUNK) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


class QuickBooksLookups:
    """Reads from one company through any ``query`` function (the client's paged query)."""

    def __init__(self, query: Query) -> None:
        self._query = query

    def facts(self) -> CompanyFacts:
        facts = CompanyFacts()
        for row in self._query("select * from TaxCode where Active in (true, false)"):
            facts.tax_codes[str(row["Id"])] = (row.get("Name", ""), bool(row.get("Active", True)))
            facts.tax_code_ids_by_name[row.get("Name", "")] = str(row["Id"])
        for row in self._query("select * from Item where Active in (true, false)"):
            facts.items[str(row["Id"])] = (row.get("Name", ""), bool(row.get("Active", True)))
        prefs = self._query("select * from Preferences")
        if prefs:
            close = (prefs[0].get("AccountingInfoPrefs") or {}).get("BookCloseDate")
            facts.book_close_date = date.fromisoformat(close[:10]) if close else None
        return facts

    def doc_numbers(self, entity: str, numbers: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """DocNumber (lower-cased) -> the transactions of ``entity`` that carry it."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        wanted = sorted({n for n in numbers if n})
        for part in _chunks(wanted):
            literals = ", ".join(quote(n) for n in part)
            for row in self._query(f"select * from {entity} where DocNumber in ({literals})"):
                found[str(row.get("DocNumber", "")).lower()].append(row)
        return found

    def names(self, names: Iterable[str]) -> dict[str, list[NameHolder]]:
        """DisplayName (lower-cased) -> every customer, vendor or employee using it."""
        found: dict[str, list[NameHolder]] = defaultdict(list)
        wanted = sorted({n for n in names if n})
        for part in _chunks(wanted):
            literals = ", ".join(quote(n) for n in part)
            for kind in ("Customer", "Vendor", "Employee"):
                rows = self._query(
                    f"select * from {kind} where DisplayName in ({literals})"
                    " and Active in (true, false)"
                )
                for row in rows:
                    found[str(row.get("DisplayName", "")).lower()].append(
                        NameHolder(kind, str(row["Id"]), bool(row.get("Active", True))))
        return found
