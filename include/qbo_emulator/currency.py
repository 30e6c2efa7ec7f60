"""Multicurrency: a customer's currency, a transaction's currency and exchange rate, and the
ExchangeRate entity, as QuickBooks documents them.

Intuit ("Manage multiple currencies", Accounting API guide; the Customer, Invoice, Payment and
ExchangeRate references):
* multicurrency is off by default, turned on only in QuickBooks' settings and never off again;
  the home currency never changes;
* a customer has one currency, fixed when it is created (omitted: the home currency); a
  currency not yet in the company's list is added when a customer is created with it;
* a transaction's amounts are in its ``CurrencyRef``; ``ExchangeRate`` is home-currency units
  per ONE unit of that currency; ``HomeTotalAmt`` is the total in the home currency,
  computed by QuickBooks (multicurrency companies only);
* a Payment without ``ExchangeRate`` is booked at 1 (documented default);
* ``GET /exchangerate?sourcecurrencycode=EUR&asofdate=YYYY-MM-DD`` answers the company's own
  rate for that date, else QuickBooks' global rate; none is an empty answer; ``POST
  /exchangerate`` sets the company's rate for a date; both exist only with multicurrency on.

Unconfirmed, marked where used: the fault codes and texts (a foreign currency without
multicurrency; a transaction whose currency is not its customer's, text as a client reports
it, code presumably 6000; a customer's currency changed), that an Invoice or CreditMemo
without ``ExchangeRate`` takes the rate for its ``TxnDate``, and that ``HomeTotalAmt`` is the
total times the rate rounded to the cent. QuickBooks' global rates come from a market feed for
every day; the emulator's stand-in is the fixed table below (the same rate every day), and a
currency outside it has no global rate (an empty answer), as a rare currency may in QuickBooks.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import faults
from .store import Company
from .util import ZERO, money, parse_date, to_decimal

# US dollars per one unit of each currency: the emulator's global rate list (fixed, every day).
GLOBAL_USD_PER_UNIT = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "AUD": Decimal("0.66"),
    "NZD": Decimal("0.60"),
    "CAD": Decimal("0.73"),
    "JPY": Decimal("0.0067"),
    "INR": Decimal("0.012"),
    "SGD": Decimal("0.74"),
}
RATE_PLACES = Decimal("0.000001")
_ISO = re.compile(r"^[A-Z]{3}$")
NAMES_OF = {"USD": "United States Dollar", "EUR": "Euro", "GBP": "British Pound Sterling", "AUD": "Australian Dollar"}

MISMATCH = "The currency of the transaction is invalid for customer/vendor/account."  # client report, code unconfirmed


def enabled(company: Company) -> bool:
    return bool(company.preferences.get("multicurrency", False))


def _not_enabled(code: str, element: str) -> faults.QBOError:
    # Unconfirmed: Intuit does not document the fault for a foreign currency without multicurrency.
    return faults.business(
        f"Multicurrency is not turned on for this company, so {code} cannot be used; every amount is in "
        "the home currency.",
        element,
    )


def _code(value: Any, element: str) -> str | None:
    code = value.get("value") if isinstance(value, dict) else None
    if code is None:
        return None
    code = str(code).strip().upper()
    if not _ISO.match(code):
        raise faults.invalid_reference(element)
    return code


def customer_currency(company: Company, record: dict[str, Any], old: dict[str, Any] | None) -> dict[str, str]:
    """The CurrencyRef of a customer being written: fixed at creation, the home currency when omitted."""
    wanted = _code(record.get("CurrencyRef"), "CurrencyRef")
    if old is not None:
        fixed = old.get("CurrencyRef", {}).get("value", company.currency)
        if wanted is not None and wanted != fixed:
            # Unconfirmed wording; Intuit: a customer's currency cannot change once it is created.
            raise faults.business(
                f"You can't change the currency of a customer that already exists ({fixed}).", "CurrencyRef"
            )
        return {"value": fixed, "name": NAMES_OF.get(fixed, fixed)}
    code = wanted or company.currency
    if code != company.currency:
        if not enabled(company):
            raise _not_enabled(code, "CurrencyRef")
        company.currencies.add(code)  # Intuit: a new currency joins the company's list
    return {"value": code, "name": NAMES_OF.get(code, code)}


def rate_for(company: Company, code: str, as_of: date) -> tuple[Decimal, date] | None:
    """Home-currency units per one ``code``: the company's rate for that date, else the global one."""
    if code == company.currency:
        return Decimal(1), as_of
    own = company.exchange_rates.get((code, as_of.isoformat()))
    if own is not None:
        return own, as_of
    source, home = GLOBAL_USD_PER_UNIT.get(code), GLOBAL_USD_PER_UNIT.get(company.currency)
    if source is None or home is None:
        return None
    return (source / home).quantize(RATE_PLACES, rounding=ROUND_HALF_UP), as_of


def txn_currency(
    company: Company, entity: str, record: dict[str, Any], customer: dict[str, Any] | None, txn_date: date
) -> None:
    """Set a transaction's CurrencyRef and ExchangeRate (and HomeTotalAmt once TotalAmt is known).
    ``customer`` is None for a form without one (a RefundReceipt's customer is optional): its
    currency is then the one it names, else the home currency."""
    theirs = (customer or {}).get("CurrencyRef", {}).get("value", company.currency)
    code = _code(record.get("CurrencyRef"), "CurrencyRef") or theirs  # a client reports: omitted = customer's
    if code != company.currency and not enabled(company):
        raise _not_enabled(code, "CurrencyRef")
    if customer is not None and code != theirs:
        raise faults.business(MISMATCH, "CurrencyRef")
    record["CurrencyRef"] = {"value": code, "name": NAMES_OF.get(code, code)}
    if not enabled(company):
        record.pop("ExchangeRate", None)
        record.pop("HomeTotalAmt", None)
        return
    given = to_decimal(record.get("ExchangeRate"))
    if code == company.currency:
        rate = Decimal(1)  # Intuit: source = home forces 1
    elif given is not None:
        if given <= ZERO:
            raise faults.business("The exchange rate must be greater than zero.", "ExchangeRate")
        rate = given
    elif entity == "Payment":
        rate = Decimal(1)  # documented default for Payment
    else:
        found = rate_for(company, code, txn_date)  # unconfirmed: the stored rate for TxnDate
        rate = found[0] if found else Decimal(1)
    record["ExchangeRate"] = rate


def home_total(company: Company, record: dict[str, Any]) -> None:
    """HomeTotalAmt = TotalAmt x ExchangeRate, to the cent (rounding rule unconfirmed)."""
    if not enabled(company):
        return
    total = to_decimal(record.get("TotalAmt")) or ZERO
    record["HomeTotalAmt"] = money(total * Decimal(str(record.get("ExchangeRate", 1))))


def _rate_json(company: Company, code: str, rate: Decimal, as_of: date) -> dict[str, Any]:
    return {
        "SourceCurrencyCode": code,
        "TargetCurrencyCode": company.currency,
        "Rate": rate,
        "AsOfDate": as_of.isoformat(),
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"LastUpdatedTime": company.fmt()},
    }


def get_exchange_rate(company: Company, params: dict[str, list[str]]) -> dict[str, Any]:
    """``GET /exchangerate``: ``{"ExchangeRate": {...}}``, or ``{}`` when QuickBooks has no rate."""
    if not enabled(company):
        raise _not_enabled("exchange rates", "ExchangeRate")
    source = (params.get("sourcecurrencycode") or [""])[0].strip().upper()
    if not source:
        raise faults.required_param("sourcecurrencycode", "ExchangeRate")
    if not _ISO.match(source):
        raise faults.invalid_reference("sourcecurrencycode")
    raw = (params.get("asofdate") or [""])[0]
    as_of = parse_date(raw) if raw else company.today()
    if as_of is None:
        raise faults.invalid_property(f"Property Name:asofdate specified is unsupported or invalid: {raw}", "asofdate")
    found = rate_for(company, source, as_of)
    if found is None:
        return {}
    return {"ExchangeRate": _rate_json(company, source, found[0], found[1])}


def set_exchange_rate(company: Company, data: dict[str, Any]) -> dict[str, Any]:
    """``POST /exchangerate``: the company's own rate for a currency and date."""
    if not enabled(company):
        raise _not_enabled("exchange rates", "ExchangeRate")
    source = str(data.get("SourceCurrencyCode") or "").strip().upper()
    if not _ISO.match(source):
        raise faults.required_param("SourceCurrencyCode", "ExchangeRate")
    if source == company.currency:
        raise faults.business("The source currency cannot be the home currency.", "SourceCurrencyCode")
    rate = to_decimal(data.get("Rate"))
    if rate is None or rate <= ZERO:
        raise faults.required_param("Rate", "ExchangeRate")
    as_of = parse_date(data.get("AsOfDate")) or company.today()
    company.exchange_rates[(source, as_of.isoformat())] = rate
    company.currencies.add(source)
    return {"ExchangeRate": _rate_json(company, source, rate, as_of)}
