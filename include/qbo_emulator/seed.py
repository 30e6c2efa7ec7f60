"""What a new company starts with: accounts, two items, its region's tax codes and rates, and
payment methods."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .entities.common import bump
from .entities.crud import insert
from .store import Company, Store
from .tax import US_NON_TAXABLE, US_TAXABLE
from .terms import STANDARD_TERMS
from .util import ZERO

# region -> [(tax code name, description, [(rate name, percent)])]
TAX_SETUP: dict[str, list[tuple[str, str, list[tuple[str, str]]]]] = {
    "AU": [
        ("GST", "GST", [("GST (sales)", "10")]),
        ("GST free", "GST free", [("GST free (sales)", "0")]),
        ("Out of scope", "Out of scope", [("Out of scope (sales)", "0")]),
        ("N-T", "Not reportable", [("N-T (sales)", "0")]),
    ],
    "UK": [
        ("20.0% S", "Standard rated", [("20.0% S (sales)", "20")]),
        ("5.0% R", "Reduced rate", [("5.0% R (sales)", "5")]),
        ("0.0% Z", "Zero rated", [("0.0% Z (sales)", "0")]),
        ("Exempt", "Exempt", [("Exempt (sales)", "0")]),
    ],
    "US": [
        ("California", "California sales tax", [("California", "8.25")]),
        ("New York City", "NYC combined sales tax", [("NY State", "4"), ("NYC", "4.875")]),
    ],
}

# A US company's pseudo tax codes: a line is taxable (TAX) or not (NON); the rate comes from
# the transaction's tax code (a tax group), which automated sales tax assigns. QuickBooks lists
# them first in a TaxCode query, with Id = Name and only these fields (no Active, SyncToken,
# domain or rate lists), TaxGroup false, Taxable "always true, except for the pseudo taxcode
# NON" (Intuit's TaxCode entity reference and its `select * From TaxCode` sample; "Manage sales
# tax for US locales": "the taxable status of each line is noted as either TAX or NON").
US_PSEUDO_CODES = ((US_TAXABLE, True), (US_NON_TAXABLE, False))

# The payment methods every new company starts with (QuickBooks' US list; regional
# spellings such as "Cheque" are not modelled). Users add their own, e.g. "Gift card".
PAYMENT_METHODS = [
    ("Cash", "NON_CREDIT_CARD"),
    ("Check", "NON_CREDIT_CARD"),
    ("Visa", "CREDIT_CARD"),
    ("MasterCard", "CREDIT_CARD"),
    ("Discover", "CREDIT_CARD"),
    ("American Express", "CREDIT_CARD"),
    ("Diners Club", "CREDIT_CARD"),
]

ACCOUNTS = [
    # (key in the 201 answer, Name, AccountType, AccountSubType)
    ("bank_account_id", "Business Bank Account", "Bank", "Checking"),
    ("undeposited_funds_account_id", "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("receivable_account_id", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("income_account_id", "Sales", "Income", "SalesOfProductIncome"),
    ("services_income_account_id", "Services", "Income", "ServiceFeeIncome"),
    ("discount_account_id", "Discounts given", "Income", "DiscountsRefundsGiven"),
]


def _record(company: Company, **fields: Any) -> dict[str, Any]:
    return {**fields, "domain": "QBO", "sparse": False}


def new_company(store: Store, region: str, preferences: dict[str, Any], client_id: str) -> Company:
    """A new company of the app ``client_id``, filled as QuickBooks fills a new one. Made by
    the control API, or by the authorize page when the user has no company yet."""
    company = Company(store.new_realm_id(), region, client_id, preferences, store.clock, store.config.request_log_size)
    store.companies[company.realm_id] = company
    seed_company(company)
    return company


def seed_company(company: Company) -> dict[str, Any]:
    """Fill a new company; returns the ids worth handing to tests."""
    ids: dict[str, Any] = {}
    company.created_ids = ids
    ids["create_time"] = company.fmt()
    for key, name, account_type, sub_type in ACCOUNTS:
        classification = {
            "Bank": "Asset",
            "Other Current Asset": "Asset",
            "Accounts Receivable": "Asset",
            "Income": "Revenue",
        }[account_type]
        account = insert(
            company,
            "Account",
            _record(
                company,
                Name=name,
                FullyQualifiedName=name,
                AccountType=account_type,
                AccountSubType=sub_type,
                Classification=classification,
                Active=True,
                CurrentBalance=ZERO,
                CurrencyRef={"value": company.currency},
            ),
        )
        ids[key] = account["Id"]

    service = insert(
        company,
        "Item",
        _record(
            company,
            Name="Services",
            FullyQualifiedName="Services",
            Type="Service",
            Active=True,
            Taxable=False,
            UnitPrice=ZERO,
            IncomeAccountRef={"value": ids["services_income_account_id"], "name": "Services"},
        ),
    )
    product = insert(
        company,
        "Item",
        _record(
            company,
            Name="Product",
            FullyQualifiedName="Product",
            Type="NonInventory",
            Active=True,
            Taxable=False,
            UnitPrice=ZERO,
            IncomeAccountRef={"value": ids["income_account_id"], "name": "Sales"},
        ),
    )
    ids["service_item_id"] = service["Id"]
    ids["product_item_id"] = product["Id"]

    tax_codes: dict[str, str] = {}
    tax_rates: dict[str, str] = {}
    if company.region == "US":
        seed_pseudo_tax_codes(company)
    for code_name, description, rates in TAX_SETUP[company.region]:
        details = []
        for order, (rate_name, percent) in enumerate(rates):
            rate = insert(
                company,
                "TaxRate",
                _record(
                    company,
                    Name=rate_name,
                    Description=rate_name,
                    Active=True,
                    RateValue=Decimal(percent),
                    SpecialTaxType="NONE",
                    DisplayType="ReadOnly",
                ),
            )
            tax_rates[rate_name] = rate["Id"]
            details.append(
                {
                    "TaxRateRef": {"value": rate["Id"], "name": rate_name},
                    "TaxTypeApplicable": "TaxOnAmount",
                    "TaxOrder": order,
                }
            )
        code = insert(
            company,
            "TaxCode",
            _record(
                # US: every real code is a tax group ("true - this object represents a group of one or
                # more tax rates"; false is for TAX and NON), elsewhere a code of several rates.
                company,
                Name=code_name,
                Description=description,
                Active=True,
                Taxable=True,
                TaxGroup=len(rates) > 1 or company.region == "US",
                SalesTaxRateList={"TaxRateDetail": details},
                PurchaseTaxRateList={"TaxRateDetail": []},
            ),
        )
        tax_codes[code_name] = code["Id"]
    if company.region == "US":
        # US lines say TAX or NON; the rate comes from TxnTaxDetail.TxnTaxCodeRef.
        tax_codes[US_TAXABLE] = US_TAXABLE
        tax_codes[US_NON_TAXABLE] = US_NON_TAXABLE
    ids["tax_codes"] = tax_codes
    ids["tax_rates"] = tax_rates
    ids["terms"] = seed_terms(company)
    ids["payment_methods"] = {
        name: insert(company, "PaymentMethod", _record(company, Name=name, Type=kind, Active=True))["Id"]
        for name, kind in PAYMENT_METHODS
    }
    return ids


def seed_pseudo_tax_codes(company: Company) -> None:
    """TAX and NON, stored under their names as Ids (they take none of the shared counter)."""
    for name, taxable in US_PSEUDO_CODES:
        record: dict[str, Any] = {"Id": name, "Name": name, "Description": name, "Taxable": taxable, "TaxGroup": False}
        bump(record, company)
        company.records["TaxCode"][name] = record


def seed_terms(company: Company) -> dict[str, str]:
    """The standard terms of a new company (terms.py); returns name -> Id."""
    return {
        name: insert(
            company,
            "Term",
            {"Name": name, "Active": True, "Type": "STANDARD", "DueDays": days, "domain": "QBO", "sparse": False},
        )["Id"]
        for name, days in STANDARD_TERMS
    }
