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

LOOKUP_CHUNK = 50
RATE_TOLERANCE = Decimal("0.005")  # percentage points

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


# --- the company itself, and whether the tenant's settings still fit it -------------------
US_PSEUDO_CODES = ("TAX", "NON")  # US sales tax line codes; no company elsewhere has them
COUNTRY_NAMES = {"US": "the United States", "AU": "Australia", "GB": "the United Kingdom",
                 "CA": "Canada", "IN": "India", "FR": "France"}
TAX_MODELS = {
    # Preferences.TaxPrefs.PartnerTaxEnabled on a US company (qbo-api.md "US sales tax").
    "us_automated_sales_tax": "US automated sales tax (lines say TAX or NON)",
    "us_sales_tax_not_set_up": "US automated sales tax, not set up yet (Taxes > Sales tax in QuickBooks)",
    "tax_codes": "the company's own tax codes (GST, VAT, ...) on every line",
}


def region_of_country(country: str | None) -> str | None:
    """The sync's region for a CompanyInfo.Country: 'US' uses TAX/NON; the UK is 'GB' there."""
    return {"GB": "UK"}.get(country, country) if country else None


def country_name(country_or_region: str | None) -> str:
    code = {"UK": "GB"}.get(country_or_region or "", country_or_region or "")
    return COUNTRY_NAMES.get(code, code or "an unknown country")


@dataclass(frozen=True)
class CompanyProfile:
    """What a QuickBooks company says about itself: CompanyInfo and Preferences."""

    name: str
    country: str | None
    home_currency: str | None
    multicurrency: bool
    tax_model: str

    @property
    def region(self) -> str | None:
        return region_of_country(self.country)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def describe(self) -> str:
        return (f"QuickBooks company '{self.name}': {self.country_name} ({self.country or '?'}), home currency "
                f"{self.home_currency or '?'}, multicurrency {'on' if self.multicurrency else 'off'}, "
                f"tax: {TAX_MODELS[self.tax_model]}")


def company_profile(info: dict[str, Any], prefs: dict[str, Any]) -> CompanyProfile:
    country = info.get("Country") or (info.get("CompanyAddr") or {}).get("Country") or None
    currency = prefs.get("CurrencyPrefs") or {}
    if country == "US":
        automated = (prefs.get("TaxPrefs") or {}).get("PartnerTaxEnabled")
        model = "us_automated_sales_tax" if automated else "us_sales_tax_not_set_up"
    else:
        model = "tax_codes"
    return CompanyProfile(
        name=str(info.get("CompanyName") or info.get("LegalName") or "?"),
        country=country, home_currency=(currency.get("HomeCurrency") or {}).get("value"),
        multicurrency=bool(currency.get("MultiCurrencyEnabled")), tax_model=model)


@dataclass(frozen=True)
class RecordedCompany:
    """What the tenant's settings say about its company (recorded when it was connected)."""

    region: str | None
    company_name: str | None = None
    country: str | None = None
    home_currency: str | None = None
    multicurrency: bool | None = None
    tax_model: str | None = None
    no_tax_code_id: str | None = None
    tax_links: tuple[tuple[str, str | None], ...] = ()  # (app tax rate, QuickBooks TaxCode Id)


@dataclass(frozen=True)
class SettingsConflict:
    problem: str
    fix: str


def settings_conflicts(tenant_id: int, recorded: RecordedCompany, company: CompanyProfile,
                       tax_codes: dict[str, tuple[str, bool]] | None = None) -> list[SettingsConflict]:
    """Where the tenant's settings contradict its QuickBooks company, each with its fix.

    ``tax_codes``: the company's TaxCode Id -> (Name, Active), to check the tax links."""
    facts_cmd = f"`python -m qbo_sync.companies facts --tenant-id {tenant_id}`"
    reconnect = (f"if '{company.name}' is the right company, record its facts again with {facts_cmd}, then "
                 f"check the no-tax code and tax links with `python -m qbo_sync.tenants show --tenant-id "
                 f"{tenant_id}`; if it is not, connect the tenant to the right company with "
                 f"`python -m qbo_sync.companies authorize --tenant-id {tenant_id}`.")
    found: list[SettingsConflict] = []
    if recorded.region is None:
        found.append(SettingsConflict(
            f"this tenant's settings do not say which country its company is in (its QuickBooks "
            f"company '{company.name}' was never read by connect or authorize)",
            f"Read the company and record its country, currency and tax model with {facts_cmd} "
            "(it changes nothing in QuickBooks)."))
    elif recorded.region != company.region:
        found.append(SettingsConflict(
            f"this tenant's settings are for a company in {country_name(recorded.region)}, but its "
            f"QuickBooks company '{company.name}' is in {company.country_name}",
            reconnect[0].upper() + reconnect[1:]))
    if recorded.home_currency and company.home_currency and recorded.home_currency != company.home_currency:
        found.append(SettingsConflict(
            f"this tenant's settings were made for a company whose home currency is "
            f"{recorded.home_currency}, but QuickBooks company '{company.name}' keeps its books in "
            f"{company.home_currency} (a home currency never changes in QuickBooks: the tenant now "
            "points at another company)",
            reconnect[0].upper() + reconnect[1:]))
    if company.region == "US" or tax_codes is None:
        return found
    known = sorted(name for name, active in tax_codes.values() if active)
    choose = (f"QuickBooks company '{company.name}' has these active tax codes (Taxes > Sales tax "
              f"settings in QuickBooks): {', '.join(known) or 'none (create one there first)'}.")

    def likely_code(rate: str, default: str) -> str:
        """The company's active code named like the app rate, else ``default`` (a real name to
        edit, never a placeholder)."""
        same = [name for name in known if name.casefold() == rate.casefold()]
        return (same or [default])[0]
    for rate, code_id in recorded.tax_links:
        if code_id is None:
            continue
        if code_id in US_PSEUDO_CODES or code_id not in tax_codes:
            what = (f"the US sales tax code {code_id}" if code_id in US_PSEUDO_CODES
                    else f"a tax code (Id {code_id}) that QuickBooks company '{company.name}' does not have")
            found.append(SettingsConflict(
                f"app tax rate '{rate}' is linked to {what}; companies in {company.country_name} "
                "charge tax with their own tax codes",
                f"Link it to one of the company's tax codes: `python -m qbo_sync.tenants map-tax "
                f"--tenant-id {tenant_id} --tax-rate '{rate}' --tax-code "
                f"'{likely_code(rate, known[0] if known else rate)}'`. {choose}"))
    if recorded.no_tax_code_id and (recorded.no_tax_code_id in US_PSEUDO_CODES
                                    or recorded.no_tax_code_id not in tax_codes):
        found.append(SettingsConflict(
            f"the no-tax code (Id {recorded.no_tax_code_id}) is not a tax code of QuickBooks company "
            f"'{company.name}'",
            f"Choose the company's code for lines without tax: `python -m qbo_sync.tenants set "
            f"--tenant-id {tenant_id} --no-tax-code "
            f"'{likely_code('GST free', known[-1] if known else 'No tax')}'`. {choose}"))
    return found


def conflicts_text(conflicts: list[SettingsConflict]) -> tuple[str, str]:
    """(problems, fixes) of ``conflicts`` as one cause and one fix: two problems that share
    a fix (another country and another home currency: another company) say it once."""
    problems = "; ".join(c.problem for c in conflicts)
    return problems, " ".join(dict.fromkeys(c.fix for c in conflicts))


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
        yield values[i:i + size]


class QuickBooksLookups:
    """Reads from one company through any ``query`` function (the client's paged query)."""

    def __init__(self, query: Query) -> None:
        self._query = query

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
        prefs = self._query("select * from Preferences")
        if prefs:
            close = (prefs[0].get("AccountingInfoPrefs") or {}).get("BookCloseDate")
            facts.book_close_date = date.fromisoformat(close[:10]) if close else None
            tax_model(facts, prefs[0])
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

    def customer_transactions(self, entity: str, customers: Iterable[str], since: date,
                              until: date | None = None) -> dict[str, list[dict[str, Any]]]:
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
                    f"select * from {kind} where DisplayName in ({literals})"
                    " and Active in (true, false)"
                )
                for row in rows:
                    found[str(row.get("DisplayName", "")).lower()].append(
                        NameHolder(kind, str(row["Id"]), bool(row.get("Active", True))))
        return found
