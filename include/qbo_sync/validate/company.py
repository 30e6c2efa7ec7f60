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
from decimal import Decimal, InvalidOperation
from typing import Any

from qbo_client import quote
from qbo_sync.validate.company_settings import CompanyProfile, company_profile

LOOKUP_CHUNK = 50
RATE_TOLERANCE = Decimal("0.005")  # percentage points

Query = Callable[[str], list[dict[str, Any]]]  # a QuickBooks query -> every row, paged


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
    item_rows: list[dict[str, Any]] = field(default_factory=list)  # every Item as read (qbo_sync.items)
    book_close_date: date | None = None
    # TaxCode Id -> its sales rate in percent (a group code: the sum of its components);
    # None when QuickBooks does not tell us every component's RateValue.
    tax_code_percent: dict[str, Decimal | None] = field(default_factory=dict)
    # The company's tax model (Preferences): US automated sales tax picks the transaction's
    # tax code itself (TaxPrefs.PartnerTaxEnabled); ApplyTaxAfterDiscount false or absent =
    # tax before a transaction discount. The sync states the app's tax explicitly either way
    # (transform/tax.py), so both only explain what QuickBooks shows.
    automated_sales_tax: bool = False
    apply_tax_after_discount: bool = False
    company: CompanyProfile | None = None  # CompanyInfo + Preferences: country, currency, tax model
    preferences: dict[str, Any] = field(default_factory=dict)  # the Preferences object as read

    def tax_code_name(self, code_id: str) -> str:
        return self.tax_codes.get(code_id, (code_id, False))[0]

    def tax_code_active(self, code_id: str) -> bool:
        # TAX and NON are US pseudo codes that always exist.
        if code_id in ("TAX", "NON"):
            return True
        return self.tax_codes.get(code_id, ("", False))[1]

    def item_active(self, item_id: str) -> bool:
        return self.items.get(item_id, ("", False))[1]

    def tax_code_label(self, code_id: str) -> str:
        """A tax code as QuickBooks' screens name it, for causes and fixes."""
        return _label(self.tax_codes, code_id)

    def item_label(self, item_id: str) -> str:
        """An item (product or service) as QuickBooks' screens name it."""
        return _label(self.items, item_id)


def _label(known: dict[str, tuple[str, bool]], qbo_id: str) -> str:
    name = known.get(qbo_id, ("", False))[0]
    # Its Id only in parentheses: no QuickBooks screen shows it, but support can search by it.
    return f"'{name}'" if name else f"that is no longer in QuickBooks (it had Id {qbo_id})"


def _percent(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def sales_percent(code: dict[str, Any], rates: dict[str, Decimal | None]) -> Decimal | None:
    """A TaxCode's sales rate: the sum of its SalesTaxRateList rates (one for a plain code,
    several for a group such as a state plus a city tax). None if any is unknown."""
    details = (code.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []
    if not details:
        return None
    total = Decimal(0)
    for detail in details:
        rate = rates.get(str((detail.get("TaxRateRef") or {}).get("value")))
        if rate is None:
            return None
        total += rate
    return total


def tax_code_percents(query: Callable[[str], list[dict[str, Any]]]) -> dict[str, tuple[str, Decimal | None]]:
    """Each active TaxCode of the company: Id -> (Name, its sales percentage or None)."""
    rates = {str(r["Id"]): r.get("RateValue") for r in query("select * from TaxRate")}
    known = {k: Decimal(str(v)) for k, v in rates.items() if v is not None}
    return {str(c["Id"]): (c.get("Name", ""), sales_percent(c, known)) for c in query("select * from TaxCode")}


def codes_charging(app_rate: Decimal, percents: dict[str, tuple[str, Decimal | None]]) -> list[str]:
    """Names of the tax codes that charge the app rate (a fraction), as map-tax accepts them."""
    return sorted(
        name for name, percent in percents.values() if percent is not None and not rates_differ(app_rate, percent)
    )


def rates_differ(app_rate: Decimal, books_percent: Decimal) -> bool:
    """An app rate (a fraction: 0.1000 = 10 %) against a QuickBooks percentage. The app keeps
    rates to 0.01 % (numeric(7,4)); QuickBooks may hold more places (8.875 %), so closer
    than half the app's step is the same rate."""
    return abs(app_rate * 100 - books_percent) > RATE_TOLERANCE


def percent_text(percent: Decimal) -> str:
    return f"{percent.normalize():f}%"


def tax_model(facts: CompanyFacts, prefs: dict[str, Any]) -> None:
    """The tax model facts from a Preferences object (absent = false, as QuickBooks reads them)."""
    facts.automated_sales_tax = (prefs.get("TaxPrefs") or {}).get("PartnerTaxEnabled") is True
    facts.apply_tax_after_discount = (prefs.get("SalesFormsPrefs") or {}).get("ApplyTaxAfterDiscount") is True


def _chunks(values: list[str], size: int = LOOKUP_CHUNK) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


class QuickBooksLookups:
    """Reads from one company through any ``query`` function (the client's paged query)."""

    def __init__(self, query: Query) -> None:
        self._query = query

    def query(self, text: str) -> list[dict[str, Any]]:
        return self._query(text)

    def facts(self) -> CompanyFacts:
        facts = CompanyFacts()
        codes = self._query("select * from TaxCode where Active in (true, false)")
        for row in codes:
            facts.tax_codes[str(row["Id"])] = (row.get("Name", ""), bool(row.get("Active", True)))
            facts.tax_code_ids_by_name[row.get("Name", "")] = str(row["Id"])
        if codes:
            rates = {str(r["Id"]): _percent(r.get("RateValue")) for r in self._query("select * from TaxRate")}
            for row in codes:
                facts.tax_code_percent[str(row["Id"])] = sales_percent(row, rates)
        for row in self._query("select * from Item where Active in (true, false)"):
            facts.items[str(row["Id"])] = (row.get("Name", ""), bool(row.get("Active", True)))
            facts.item_rows.append(row)
        prefs = self._query("select * from Preferences")
        if prefs:
            close = (prefs[0].get("AccountingInfoPrefs") or {}).get("BookCloseDate")
            facts.book_close_date = date.fromisoformat(close[:10]) if close else None
            tax_model(facts, prefs[0])
            facts.preferences = prefs[0]
        facts.company = self.company(prefs)
        return facts

    def company(self, prefs: list[dict[str, Any]] | None = None) -> CompanyProfile:
        """The company's name, country, home currency, multicurrency and tax model."""
        info = self._query("select * from CompanyInfo")
        if prefs is None:
            prefs = self._query("select * from Preferences")
        return company_profile(info[0] if info else {}, prefs[0] if prefs else {})

    def doc_numbers(self, entity: str, numbers: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """DocNumber (lower-cased) -> the transactions of ``entity`` that carry it."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        wanted = sorted({n for n in numbers if n})
        for part in _chunks(wanted):
            literals = ", ".join(quote(n) for n in part)
            for row in self._query(f"select * from {entity} where DocNumber in ({literals})"):
                found[str(row.get("DocNumber", "")).lower()].append(row)
        return found

    def customer_transactions(
        self, entity: str, customers: Iterable[str], since: date, until: date | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """CustomerRef -> the customers' ``entity`` rows dated ``since`` .. ``until`` (inclusive).

        QuickBooks filters a Payment or CreditMemo only on filterable attributes (CustomerRef,
        TxnDate, ...; PrivateNote, which holds our tag, is not one): the date range keeps the
        answer small and the caller checks the tag itself."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        dates = f" and TxnDate >= {quote(since.isoformat())}"
        if until is not None:
            dates += f" and TxnDate <= {quote(until.isoformat())}"
        for part in _chunks(sorted({c for c in customers if c})):
            literals = ", ".join(quote(c) for c in part)
            for row in self._query(f"select * from {entity} where CustomerRef in ({literals}){dates}"):
                found[str((row.get("CustomerRef") or {}).get("value"))].append(row)
        return found

    def names(self, names: Iterable[str]) -> dict[str, list[NameHolder]]:
        """DisplayName (lower-cased) -> every customer, vendor or employee using it."""
        found: dict[str, list[NameHolder]] = defaultdict(list)
        wanted = sorted({n for n in names if n})
        for part in _chunks(wanted):
            literals = ", ".join(quote(n) for n in part)
            for kind in ("Customer", "Vendor", "Employee"):
                rows = self._query(
                    f"select * from {kind} where DisplayName in ({literals}) and Active in (true, false)"
                )
                for row in rows:
                    found[str(row.get("DisplayName", "")).lower()].append(
                        NameHolder(kind, str(row["Id"]), bool(row.get("Active", True)))
                    )
        return found
