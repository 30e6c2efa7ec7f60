"""Purchase (a check to a customer coded to Accounts Receivable) and a Payment linking it, with the
rules of Intuit's Purchase and Payment references: how customer credit is paid back in cash."""

from __future__ import annotations


def check_body(company, customer_id, amount="15.00", **fields):
    return {
        "PaymentType": "Check",
        "AccountRef": {"value": company.info["bank_account_id"]},
        "EntityRef": {"value": customer_id, "type": "Customer"},
        "Line": [
            {
                "Amount": float(amount),
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": company.info["receivable_account_id"]}},
            }
        ],
        **fields,
    }


def overpaid(company, name="Over Olive"):
    """A customer whose 70.00 payment of a 55.00 invoice leaves 15.00 unapplied credit."""
    customer = company.customer(name)
    invoice = company.invoice(customer["Id"], "50.00")  # 55.00 with GST
    line = {"Amount": 55.0, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
    payment = company.ok("payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 70.0, "Line": [line]})
    assert payment["UnappliedAmt"] == 15.0
    return customer, invoice, payment


def test_a_check_is_paid_from_a_bank_account_with_expense_lines(au):
    customer = au.customer("Cheque Chad")
    created = au.ok("purchase", check_body(au, customer["Id"], TotalAmt=999))
    assert created["TotalAmt"] == 15.0 and created["PaymentType"] == "Check"
    assert created["EntityRef"] == {"value": customer["Id"], "name": "Cheque Chad", "type": "Customer"}
    assert au.query(f"select * from Purchase where Id = '{created['Id']}'")["Purchase"][0]["Id"] == created["Id"]
    missing = au.fault("purchase", {k: v for k, v in check_body(au, customer["Id"]).items() if k != "PaymentType"})
    assert missing["code"] == "2020" and "PaymentType" in missing["Detail"]
    not_bank = au.fault(
        "purchase", check_body(au, customer["Id"], AccountRef={"value": au.info["undeposited_funds_account_id"]})
    )
    assert not_bank["code"] == "6000" and "Bank" in not_bank["Detail"]
    no_payee = au.fault("purchase", {k: v for k, v in check_body(au, customer["Id"]).items() if k != "EntityRef"})
    assert no_payee["code"] == "6000" and "Accounts Receivable" in no_payee["Detail"]


def test_a_payment_links_the_check_to_the_customers_unapplied_credit(au):
    customer, invoice, payment = overpaid(au)
    check = au.ok("purchase", check_body(au, customer["Id"]))
    lines = payment["Line"] + [{"Amount": 15.0, "LinkedTxn": [{"TxnId": check["Id"], "TxnType": "Check"}]}]
    linked = au.ok("payment", {**payment, "Line": lines})
    assert linked["UnappliedAmt"] == 0 and linked["TotalAmt"] == 70.0
    applied = {(ln["LinkedTxn"][0]["TxnType"], ln["Amount"]) for ln in linked["Line"]}
    assert applied == {("Invoice", 55.0), ("Check", 15.0)}
    held = au.get(f"purchase/{check['Id']}").json()["Purchase"]
    assert {"TxnId": payment["Id"], "TxnType": "Payment"} in held["LinkedTxn"]
    # A check linked by a payment cannot be deleted; unlinked first, it can.
    refused = au.fault("purchase", {"Id": check["Id"], "SyncToken": held["SyncToken"]}, operation="delete")
    assert refused["code"] == "6000"
    unlinked = au.ok("payment", {**linked, "Line": payment["Line"]})
    assert unlinked["UnappliedAmt"] == 15.0
    held = au.get(f"purchase/{check['Id']}").json()["Purchase"]
    deleted = au.ok("purchase", {"Id": check["Id"], "SyncToken": held["SyncToken"]}, operation="delete")
    assert deleted["status"] == "Deleted"


def link(check, amount):
    return {"Amount": amount, "LinkedTxn": [{"TxnId": check["Id"], "TxnType": "Check"}]}


def test_a_check_link_is_checked_like_an_invoice_link(au):
    customer, _invoice, payment = overpaid(au)
    other = au.customer("Other Otto")
    theirs = au.ok("purchase", check_body(au, other["Id"]))
    wrong = au.fault("payment", {**payment, "Line": payment["Line"] + [link(theirs, 15.0)]})
    assert wrong["code"] == "620"  # the fault an invoice of another customer gets (cannot_link)
    big = au.ok("purchase", check_body(au, customer["Id"], "40.00"))
    over = au.fault("payment", {**payment, "Line": payment["Line"] + [link(big, 40.0)]})
    assert over["code"] == "6000" and "TotalAmt" in over["Detail"]


def test_a_check_is_in_its_bank_accounts_currency(qbo, au):
    """qbo-api.md "Multicurrency": one currency per bank account, fixed at creation; a transaction
    paid from it in another currency is refused like one in another than its customer's."""
    home_only = au.fault("account", {"Name": "Euro Cheque", "AccountType": "Bank", "CurrencyRef": {"value": "EUR"}})
    assert home_only["code"] == "6000" and "Multicurrency" in home_only["Detail"]
    qbo.set_preferences(au.realm_id, multicurrency=True)
    euros = au.ok("account", {"Name": "Euro Cheque", "AccountType": "Bank", "CurrencyRef": {"value": "EUR"}})
    assert euros["CurrencyRef"]["value"] == "EUR"
    income = au.fault("account", {"Name": "Euro Sales", "AccountType": "Income", "CurrencyRef": {"value": "EUR"}})
    assert income["code"] == "6000" and "home currency" in income["Detail"]
    changed = au.fault("account", {**euros, "CurrencyRef": {"value": "GBP"}})  # its currency never changes
    assert changed["code"] == "6000" and changed["element"] == "CurrencyRef"
    customer = au.customer("Home Hana")  # an AUD customer
    refused = au.fault("purchase", check_body(au, customer["Id"], AccountRef={"value": euros["Id"]}))
    assert refused["code"] == "6000" and "currency of the transaction is invalid" in refused["Detail"]
    assert refused["element"] == "CurrencyRef"
    assert au.query(f"select * from Purchase where EntityRef = '{customer['Id']}'").get("Purchase", []) == []
    # From a bank account in the customer's currency it goes.
    assert au.ok("purchase", check_body(au, customer["Id"]))["CurrencyRef"]["value"] == "AUD"
