"""Multicurrency as QuickBooks documents it (issue 13, item 2): off by default, a customer's
currency fixed at creation, a transaction in its customer's currency at a home-currency rate,
and the ExchangeRate entity."""

from __future__ import annotations

from decimal import Decimal


def _pay(company, customer_id, invoice_id, amount, **fields):
    return company.post(
        "payment",
        {
            "CustomerRef": {"value": customer_id},
            "TotalAmt": amount,
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}],
            **fields,
        },
    )


def test_without_multicurrency_a_foreign_currency_is_refused_and_home_works(au):
    prefs = au.get("preferences").json()["Preferences"]["CurrencyPrefs"]
    assert prefs == {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "AUD"}}
    error = au.fault("customer", {"DisplayName": "Euro Client", "CurrencyRef": {"value": "EUR"}})
    assert error["code"] == "6000" and "Multicurrency is not turned on" in error["Detail"]
    home = au.customer("Home Client")
    assert home["CurrencyRef"]["value"] == "AUD"
    invoice = au.invoice(home["Id"])
    assert invoice["CurrencyRef"]["value"] == "AUD"
    assert "ExchangeRate" not in invoice and "HomeTotalAmt" not in invoice
    error = au.fault("invoice", {**_line_invoice(au, home["Id"]), "CurrencyRef": {"value": "EUR"}})
    assert error["code"] == "6000" and error["element"] == "CurrencyRef"
    assert au.get("exchangerate", sourcecurrencycode="EUR").status_code == 400


def _line_invoice(company, customer_id, amount=100):
    return {
        "CustomerRef": {"value": customer_id},
        "Line": [
            {
                "Amount": amount,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": company.info["service_item_id"]},
                    "Qty": 1,
                    "UnitPrice": amount,
                    "TaxCodeRef": {"value": company.info["tax_codes"]["GST free"]},
                },
            }
        ],
    }


def test_customer_currency_is_fixed_and_transactions_must_match_it(qbo, au):
    qbo.set_preferences(au.realm_id, multicurrency=True)
    eur = au.customer("Euro Client", CurrencyRef={"value": "EUR"})
    home = au.customer("Home Client")
    assert eur["CurrencyRef"]["value"] == "EUR" and home["CurrencyRef"]["value"] == "AUD"
    # Its currency never changes (sparse update naming another currency).
    error = au.fault(
        "customer", {"Id": eur["Id"], "SyncToken": eur["SyncToken"], "sparse": True, "CurrencyRef": {"value": "GBP"}}
    )
    assert error["code"] == "6000" and error["element"] == "CurrencyRef"
    # A transaction in another currency than its customer's is refused.
    error = au.fault("invoice", {**_line_invoice(au, home["Id"]), "CurrencyRef": {"value": "EUR"}})
    assert "currency of the transaction is invalid" in error["Detail"]
    # In the customer's currency, at the rate sent: HomeTotalAmt is the total at that rate.
    invoice = au.ok("invoice", {**_line_invoice(au, eur["Id"]), "CurrencyRef": {"value": "EUR"}, "ExchangeRate": 1.6})
    assert invoice["CurrencyRef"]["value"] == "EUR"
    assert Decimal(str(invoice["ExchangeRate"])) == Decimal("1.6")
    assert Decimal(str(invoice["TotalAmt"])) == Decimal("100") and Decimal(str(invoice["HomeTotalAmt"])) == Decimal(
        "160"
    )
    # Without CurrencyRef a transaction takes its customer's; without a rate, the rate of its date.
    default = au.ok("invoice", {**_line_invoice(au, eur["Id"], 10), "TxnDate": "2026-05-04"})
    assert default["CurrencyRef"]["value"] == "EUR"
    assert Decimal(str(default["ExchangeRate"])) == Decimal("1.636364")  # 1.08 USD / 0.66 USD
    # A payment of the invoice: the customer's currency; without ExchangeRate booked at 1.
    paid = _pay(au, eur["Id"], invoice["Id"], 40, ExchangeRate=1.5)
    assert paid.status_code == 200, paid.text
    body = paid.json()["Payment"]
    assert body["CurrencyRef"]["value"] == "EUR" and Decimal(str(body["HomeTotalAmt"])) == Decimal("60")
    at_one = _pay(au, eur["Id"], invoice["Id"], 10).json()["Payment"]
    assert Decimal(str(at_one["ExchangeRate"])) == Decimal("1")
    wrong = _pay(au, eur["Id"], invoice["Id"], 10, CurrencyRef={"value": "AUD"})
    assert wrong.status_code == 400 and "currency of the transaction" in wrong.json()["Fault"]["Error"][0]["Detail"]


def test_exchange_rate_entity_reads_the_company_rate_then_the_global_one(qbo, au):
    qbo.set_preferences(au.realm_id, multicurrency=True)
    glob = au.get("exchangerate", sourcecurrencycode="EUR", asofdate="2026-03-02").json()["ExchangeRate"]
    assert glob["TargetCurrencyCode"] == "AUD" and glob["AsOfDate"] == "2026-03-02"
    assert Decimal(str(glob["Rate"])) == Decimal("1.636364")
    own = au.ok("exchangerate", {"SourceCurrencyCode": "EUR", "Rate": 1.7, "AsOfDate": "2026-03-02"})
    assert Decimal(str(own["Rate"])) == Decimal("1.7")
    again = au.get("exchangerate", sourcecurrencycode="EUR", asofdate="2026-03-02").json()["ExchangeRate"]
    assert Decimal(str(again["Rate"])) == Decimal("1.7")
    # A currency QuickBooks has no rate for: an empty answer.
    none = au.get("exchangerate", sourcecurrencycode="FJD", asofdate="2026-03-02")
    assert none.status_code == 200 and "ExchangeRate" not in none.json()
    # The home currency as source is a validation error.
    error = au.fault("exchangerate", {"SourceCurrencyCode": "AUD", "Rate": 2})
    assert error["code"] == "6000"
