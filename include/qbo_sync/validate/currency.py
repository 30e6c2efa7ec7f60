"""Validation of an invoice's currency, before anything is sent (issue 13, item 2).

An invoice in the company's home currency (or without a currency) passes as before. One in
another currency needs QuickBooks' multicurrency on (read live from the company's Preferences
each run: a person may have turned it on since the company was connected), and a rate: the
app's own (``billing.invoices.exchange_rate``), else QuickBooks' ExchangeRate for the invoice's
date. Each failure is a catalog code with cause and fix (entries_currency.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from qbo_sync.extract.records import Invoice
from qbo_sync.transform.currency import CurrencyPlan, is_foreign

RateOf = Callable[[str, date], Decimal | None]
PASS = {"foreign_without_multicurrency": False, "exchange_rate_missing": False}


def currency_checks(
    invoices: list[Invoice], company: Any, app_rates: dict[int, Decimal], quickbooks_rate: RateOf | None
) -> tuple[dict[int, dict], dict[int, dict], dict[int, CurrencyPlan]]:
    """Per invoice: the check columns, the context of their wording, and the plan of a foreign
    invoice that passes (currency, rate, where the rate came from)."""
    home = getattr(company, "home_currency", None)
    multicurrency = bool(getattr(company, "multicurrency", False))
    company_name = getattr(company, "name", None) or "the QuickBooks company"
    rows: dict[int, dict] = {}
    contexts: dict[int, dict] = {}
    plans: dict[int, CurrencyPlan] = {}
    for inv in invoices:
        rows[inv.id] = dict(PASS)
        if not is_foreign(inv.currency, home):
            continue
        currency = inv.currency.strip().upper()
        when = inv.issue_date or date.today()
        contexts[inv.id] = {
            "currency": currency,
            "home_currency": home,
            "company": company_name,
            "rate_date": when.isoformat(),
        }
        if not multicurrency:
            rows[inv.id]["foreign_without_multicurrency"] = True
            continue
        if inv.id in app_rates:
            plans[inv.id] = CurrencyPlan(currency, app_rates[inv.id], "app")
            continue
        rate = quickbooks_rate(currency, when) if quickbooks_rate is not None else None
        if rate is None:
            rows[inv.id]["exchange_rate_missing"] = True
            continue
        plans[inv.id] = CurrencyPlan(currency, rate, "quickbooks")
    return rows, contexts, plans
