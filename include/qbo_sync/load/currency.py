"""Currencies against QuickBooks: the rate of a date, a client's customer in a currency, and
what a foreign-currency invoice was sent with (its payments and credit notes follow it).

* ``QuickBooksRates``: QuickBooks' ExchangeRate for a currency and date (the company's own rate
  for that day, else QuickBooks' global one), one read per currency and date and run (Intuit
  meters reads);
* ``currency_customers``: a client's customer in a currency, found in our table, else in
  QuickBooks by its name (an earlier create whose answer was lost), else created with that
  CurrencyRef; never created twice;
* ``record_invoice`` / ``plans_for``: the currency, rate and customer of each invoice sent.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg

from qbo_client import quote
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.records import Client, TenantSettings
from qbo_sync.transform.currency import DEFAULT_CURRENCY_NAME_TEMPLATE, CurrencyPlan, currency_customer_name
from qbo_sync.transform.customer import customer_payload


class QuickBooksRates:
    """QuickBooks' rate (home-currency units per one unit) for a currency on a date, or None."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._seen: dict[tuple[str, date], Decimal | None] = {}

    def __call__(self, currency: str, as_of: date) -> Decimal | None:
        key = (currency, as_of)
        if key not in self._seen:
            answer = self.client.exchange_rate(currency, as_of.isoformat())
            rate = (answer or {}).get("Rate")
            self._seen[key] = Decimal(str(rate)) if rate not in (None, "") else None
        return self._seen[key]


def app_rates(conn: psycopg.Connection, invoice_ids: list[int]) -> dict[int, Decimal]:
    """The app's own exchange rate of each invoice that has one."""
    rows = conn.execute(load_sql("load/invoice_exchange_rates"), {"ids": invoice_ids}).fetchall()
    return {r[0]: r[1] for r in rows if r[1] is not None}


def save_plans(conn: psycopg.Connection, run_id: str, tenant_id: int, plans: dict[int, CurrencyPlan]) -> None:
    """Keep each ready foreign-currency invoice's currency and rate for the load step."""
    if plans:
        conn.execute(
            load_sql("validate/set_invoice_currency_plans"),
            {
                "run_id": run_id,
                "tenant_id": tenant_id,
                "source_ids": list(plans),
                "payloads": [json.dumps(p.as_json()) for p in plans.values()],
            },
        )


@dataclass(frozen=True)
class CustomerProblem:
    """Why a client's customer in a currency could not be had: a catalog code and its context,
    or QuickBooks' fault."""

    code: str | None = None
    context: dict[str, Any] | None = None
    fault: Any = None


def currency_customers(
    conn: psycopg.Connection,
    client: Any,
    tenant_id: int,
    realm_id: str,
    settings: TenantSettings,
    wanted: set[tuple[int, str]],
) -> dict[tuple[int, str], str | CustomerProblem]:
    """The QuickBooks customer Id of each (client id, currency), or why there is none."""
    from qbo_client.errors import QboFaultError

    if not wanted:
        return {}
    known = {
        (r[0], r[1].strip()): r[2]
        for r in conn.execute(
            load_sql("load/currency_customers"),
            {"tenant_id": tenant_id, "client_ids": sorted({c for c, _ in wanted})},
        )
    }
    result: dict[tuple[int, str], str | CustomerProblem] = {k: known[k] for k in wanted if k in known}
    missing = sorted(wanted - set(result))
    if not missing:
        return result
    clients = {
        r[0]: Client(*r) for r in conn.execute(load_sql("load/clients_by_id"), {"ids": sorted({c for c, _ in missing})})
    }
    template = getattr(settings, "currency_name_template", None) or DEFAULT_CURRENCY_NAME_TEMPLATE
    names = {
        key: currency_customer_name(clients[key[0]], key[1], settings.display_name_template, template)
        for key in missing
    }
    literals = ", ".join(quote(n) for n in sorted(set(names.values())))
    found = {
        str(r.get("DisplayName", "")).lower(): r
        for r in client.query(f"select * from Customer where DisplayName in ({literals})")
    }
    for key, name in names.items():
        cid, currency = key
        there = found.get(name.lower())
        if there is not None:
            theirs = (there.get("CurrencyRef") or {}).get("value")
            if theirs != currency:  # another customer holds the name, in another currency
                result[key] = CustomerProblem(
                    "currency_customer_name_taken",
                    {"display_name": name, "currency": currency, "their_currency": theirs or "?", "client_id": cid},
                )
                continue
            qbo_id = str(there["Id"])  # ours from an earlier attempt whose answer was lost, or made by hand
        else:
            body = {**customer_payload(clients[cid], display=name), "CurrencyRef": {"value": currency}}
            requestid = hashlib.sha256(json.dumps([realm_id, "currency_customer", cid, currency]).encode()).hexdigest()
            try:
                qbo_id = str(client.create("Customer", body, requestid=requestid[:32]).entity["Id"])
            except QboFaultError as exc:
                result[key] = CustomerProblem(fault=exc.fault)
                continue
        with conn.transaction():
            conn.execute(
                load_sql("load/save_currency_customer"),
                {
                    "tenant_id": tenant_id,
                    "client_id": cid,
                    "currency": currency,
                    "realm_id": realm_id,
                    "qbo_id": qbo_id,
                    "display_name": name,
                },
            )
        result[key] = qbo_id
    return result


def record_invoice(
    conn: psycopg.Connection, tenant_id: int, invoice_id: int, plan: CurrencyPlan, customer: str
) -> None:
    """What a foreign-currency invoice goes with; its payments and credit notes follow it."""
    conn.execute(
        load_sql("load/save_invoice_currency"),
        {
            "tenant_id": tenant_id,
            "invoice_id": invoice_id,
            "currency": plan.currency,
            "exchange_rate": plan.exchange_rate,
            "rate_source": plan.rate_source,
            "customer_qbo_id": customer,
        },
    )
