"""Currencies: what an invoice in a currency other than the company's home currency needs.

QuickBooks (Intuit, "Manage multiple currencies" and the Customer, Invoice and Payment
references): amounts are in the transaction's ``CurrencyRef``; ``ExchangeRate`` is the
number of home-currency units for ONE unit of that currency; a customer has one currency,
fixed when it is created, and a transaction must be in its customer's currency. So a client
billed in a second currency gets a second customer, named by the tenant's
``currency_name_template``. An invoice in the home currency is sent exactly as before (no
CurrencyRef: QuickBooks takes the customer's, the home currency).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qbo_sync.extract.records import Client
from qbo_sync.transform.customer import DISPLAY_NAME_MAX, base_name, client_tag, display_name, without_tab_or_newline

DEFAULT_CURRENCY_NAME_TEMPLATE = "{display_name} ({currency})"
RATE_PLACES = Decimal("0.00000001")  # billing.invoices.exchange_rate keeps 8 decimals


@dataclass(frozen=True)
class CurrencyPlan:
    """A foreign-currency invoice, as validation decided it goes: its currency and rate."""

    currency: str
    exchange_rate: Decimal
    rate_source: str  # 'app' | 'quickbooks'

    def as_json(self) -> dict[str, str]:
        return {"currency": self.currency, "exchange_rate": str(self.exchange_rate), "rate_source": self.rate_source}

    @classmethod
    def from_json(cls, plan: dict[str, Any] | None) -> CurrencyPlan | None:
        if not plan or not plan.get("currency"):
            return None
        return cls(plan["currency"], Decimal(plan["exchange_rate"]), plan["rate_source"])


def is_foreign(currency: str | None, home: str | None) -> bool:
    """Whether an invoice's currency is another than the company's home currency. Unknown
    (no currency on the invoice, or a company never read) counts as home: sent as before."""
    if not currency or not home:
        return False
    return currency.strip().upper() != home.strip().upper()


def currency_customer_name(client: Client, currency: str, display_template: str, template: str) -> str:
    """The DisplayName of a client's customer in ``currency`` (a name of its own: QuickBooks
    names are unique across customers, and the client's usual customer keeps its name)."""
    usual = display_name(client, display_template)
    name = template.format(
        display_name=usual, name=base_name(client), tag=client_tag(client.id), id=client.id, currency=currency
    )
    return without_tab_or_newline(name.replace(":", "-")).strip()[:DISPLAY_NAME_MAX]


def check_template(template: str) -> None:
    """A currency-name template must name the currency and the client; raises ValueError."""
    if "{currency}" not in template:
        raise ValueError("the currency-name template must contain {currency}")
    if "{display_name}" not in template and "{name}" not in template:
        raise ValueError("the currency-name template must contain {display_name} or {name}")
    try:
        template.format(display_name="", name="", tag="", id=0, currency="")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"the currency-name template may use only {{display_name}}, {{name}}, {{tag}}, {{id}} and "
            f"{{currency}} ({exc})"
        ) from None


def with_currency(body: dict[str, Any], currency: str, rate: Decimal) -> dict[str, Any]:
    """A transaction body in ``currency`` at ``rate`` (home-currency units per one unit)."""
    body["CurrencyRef"] = {"value": currency}
    body["ExchangeRate"] = rate
    return body
