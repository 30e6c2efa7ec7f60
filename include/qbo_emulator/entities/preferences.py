"""Preferences and CompanyInfo: derived from the company, not stored."""

from __future__ import annotations

from typing import Any

from ..store import Company
from ..tax import AST_HOME_STATE
from ..terms import default_term


def preferences_json(company: Company) -> dict[str, Any]:
    prefs = company.preferences
    body: dict[str, Any] = {
        "Id": "1",
        "SyncToken": "0",
        "SalesFormsPrefs": {
            "CustomTxnNumbers": bool(prefs["custom_txn_numbers"]),
            "AllowDiscount": True,
            "AllowDeposit": True,
            "DefaultDiscountAccount": company.created_ids.get("discount_account_id"),
            "ApplyTaxAfterDiscount": bool(prefs.get("apply_tax_after_discount", True)),
        },
        "AccountingInfoPrefs": {
            "BookCloseDate": prefs["closed_books_date"],
            "TrackDepartments": False,
            "ClassTrackingPerTxn": False,
        },
        "OtherPrefs": {
            "NameValue": [
                {
                    "Name": "SalesFormsPrefs.DuplicateDocNumWarning",
                    "Value": "true" if prefs["duplicate_doc_number_warning"] else "false",
                },
            ]
        },
        "TaxPrefs": {
            "UsingSalesTax": True,
            "PartnerTaxEnabled": company.region == "US" and bool(prefs.get("automated_sales_tax", True)),
        },
        "CurrencyPrefs": {
            "MultiCurrencyEnabled": bool(prefs.get("multicurrency", False)),
            "HomeCurrency": {"value": company.currency},
        },
        "domain": "QBO",
        "sparse": False,
        "MetaData": {
            "CreateTime": company.created_ids["create_time"],
            "LastUpdatedTime": company.created_ids.get("prefs_updated", company.created_ids["create_time"]),
        },
    }
    if not prefs["closed_books_date"]:
        body["AccountingInfoPrefs"].pop("BookCloseDate")
    term = default_term(company)
    if term is not None:
        body["SalesFormsPrefs"]["DefaultTerms"] = {"value": term["Id"]}
    return body


def company_info_json(company: Company) -> dict[str, Any]:
    return {
        "Id": company.realm_id,
        "SyncToken": "0",
        "CompanyName": f"Emulated {company.region} Company {company.realm_id[-4:]}",
        "LegalName": f"Emulated {company.region} Company {company.realm_id[-4:]}",
        "Country": company.country,
        "CompanyAddr": {
            "Country": company.country,
            **({"CountrySubDivisionCode": AST_HOME_STATE} if company.region == "US" else {}),
        },
        "SupportedLanguages": "en",
        "domain": "QBO",
        "sparse": False,
        "MetaData": {
            "CreateTime": company.created_ids["create_time"],
            "LastUpdatedTime": company.created_ids["create_time"],
        },
    }
