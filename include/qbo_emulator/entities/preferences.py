"""Preferences and CompanyInfo: derived from the company, not stored as records.

Preferences answers every section QuickBooks answers (Intuit's API reference, Preferences
entity, and its sample read response): EmailMessagesPrefs, ProductAndServicesPrefs,
ReportPrefs, AccountingInfoPrefs, SalesFormsPrefs, VendorAndPurchasesPrefs, TaxPrefs,
OtherPrefs, TimeTrackingPrefs and CurrencyPrefs, with the object's own Id "1" and SyncToken.

Writing: ``POST /preferences`` with ``Id`` and the current ``SyncToken`` (a stale one: 5010).
A full update (no ``"sparse": true``) sets every writable field it omits back to its default;
a sparse one changes only what it sends. Only "a very small subset" of the fields is writable
(Intuit's reference); which ones follows the CData driver's Preferences table, which mirrors
the reference ("ReadOnly" column: ClassTrackingPerTxn, ClassTrackingPerTxnLine,
TrackDepartments and DepartmentTerminology are writable; BookCloseDate, CustomerTerminology,
UseAccountNumbers, the currency and tax preferences are not). A read-only field sent with
another value is ignored, as QuickBooks ignores read-only fields of other entities (TotalAmt);
whether it answers a fault instead is unconfirmed (README). Multicurrency is turned on only in
QuickBooks' settings, never through the API (Intuit's multicurrency guide): the control API
is that screen here (``PATCH /_emulator/companies/{realm}/preferences``), and so is it for the
"Track classes" and "Track locations" switches a user turns on under Settings > Account and
settings > Advanced > Categories.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import faults
from ..store import Company
from ..tax import AST_HOME_STATE
from ..terms import default_term
from .common import is_true, ref_value

# "Location label" choices of the Track locations setting (QuickBooks' Categories screen).
LOCATION_LABELS = ("Business", "Department", "Division", "Location", "Property", "Store", "Territory")
CLASS_TRACKING_MODES = ("off", "per_transaction", "per_line")

# Writable fields that no control switch holds: section -> field -> default. The defaults are
# those of Intuit's sample read response where it shows one; the messages are the emulator's.
STORED_DEFAULTS: dict[str, dict[str, Any]] = {
    "EmailMessagesPrefs": {
        "InvoiceMessage": {"Subject": "Invoice from {company}", "Message": "Your invoice is attached."},
        "EstimateMessage": {"Subject": "Estimate from {company}", "Message": "Please review the estimate below."},
        "SalesReceiptMessage": {
            "Subject": "Sales Receipt from {company}",
            "Message": "Your sales receipt is attached.",
        },
        "StatementMessage": {"Subject": "Statement from {company}", "Message": "Your statement is attached."},
    },
    "ProductAndServicesPrefs": {
        "ForSales": True,
        "ForPurchase": True,
        "QuantityWithPriceAndRate": True,
        "QuantityOnHand": True,
    },
    "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
    "SalesFormsPrefs": {
        "AllowDeposit": True,
        "AllowDiscount": True,
        "AllowEstimates": True,
        "AllowServiceDate": False,
        "AllowShipping": False,
        "DefaultCustomerMessage": "Thank you for your business and have a great day!",
        "EmailCopyToCompany": False,
        "ETransactionEnabledStatus": "NotApplicable",
        "ETransactionAttachPDF": False,
        "ETransactionPaymentEnabled": False,
        "IPNSupportEnabled": False,
        "UsingPriceLevels": False,
        "UsingProgressInvoicing": False,
        "PrintItemWithZeroAmount": False,
        "AutoApplyPayments": True,
    },
    "VendorAndPurchasesPrefs": {"BillableExpenseTracking": False, "TrackingByCustomer": False},
    "TimeTrackingPrefs": {
        "UseServices": True,
        "BillCustomers": True,
        "ShowBillRateToAll": False,
        "WorkWeekStartDate": "Monday",
        "MarkTimeEntriesBillable": True,
    },
}
REPORT_BASES = ("Accrual", "Cash")
WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Writable fields held by a control switch (company.preferences): section -> fields.
SWITCH_FIELDS = {
    "SalesFormsPrefs": ("CustomTxnNumbers", "DefaultTerms"),
    "AccountingInfoPrefs": (
        "ClassTrackingPerTxn",
        "ClassTrackingPerTxnLine",
        "TrackDepartments",
        "DepartmentTerminology",
    ),
}
SECTIONS = (
    "EmailMessagesPrefs",
    "ProductAndServicesPrefs",
    "ReportPrefs",
    "AccountingInfoPrefs",
    "SalesFormsPrefs",
    "VendorAndPurchasesPrefs",
    "TaxPrefs",
    "OtherPrefs",
    "TimeTrackingPrefs",
    "CurrencyPrefs",
)
ENVELOPE = ("Id", "SyncToken", "sparse", "domain", "MetaData")


def _stored(company: Company, section: str) -> dict[str, Any]:
    name = f"Emulated {company.region} Company {company.realm_id[-4:]}"
    values = {}
    for field, default in STORED_DEFAULTS[section].items():
        value = company.preference_fields.get(f"{section}.{field}", default)
        if isinstance(value, dict):
            value = {k: str(v).replace("{company}", name) for k, v in value.items()}
        values[field] = copy.deepcopy(value)
    return values


def preferences_json(company: Company) -> dict[str, Any]:
    prefs = company.preferences
    class_mode = prefs.get("class_tracking", "off")
    accounting: dict[str, Any] = {
        "FirstMonthOfFiscalYear": "January",
        "UseAccountNumbers": False,
        "TaxYearMonth": "January",
        "ClassTrackingPerTxn": class_mode == "per_transaction",
        "ClassTrackingPerTxnLine": class_mode == "per_line",
        "TrackDepartments": bool(prefs.get("track_locations")),
        "CustomerTerminology": "Customers",
    }
    if prefs.get("track_locations"):  # QuickBooks names the label only while locations are tracked
        accounting["DepartmentTerminology"] = prefs.get("location_terminology") or "Location"
    if prefs["closed_books_date"]:
        accounting["BookCloseDate"] = prefs["closed_books_date"]
    sales_forms = {
        "CustomTxnNumbers": bool(prefs["custom_txn_numbers"]),
        **_stored(company, "SalesFormsPrefs"),
        "DefaultDiscountAccount": company.created_ids.get("discount_account_id"),
        "ApplyTaxAfterDiscount": bool(prefs.get("apply_tax_after_discount", True)),
        "AutoApplyCredit": True,
    }
    term = default_term(company)
    if term is not None:
        sales_forms["DefaultTerms"] = {"value": term["Id"]}
    return {
        "Id": "1",
        "SyncToken": str(company.preferences_sync_token),
        "EmailMessagesPrefs": _stored(company, "EmailMessagesPrefs"),
        "ProductAndServicesPrefs": _stored(company, "ProductAndServicesPrefs"),
        "ReportPrefs": _stored(company, "ReportPrefs"),
        "AccountingInfoPrefs": accounting,
        "SalesFormsPrefs": sales_forms,
        "VendorAndPurchasesPrefs": _stored(company, "VendorAndPurchasesPrefs"),
        "TaxPrefs": {
            "UsingSalesTax": True,
            "PartnerTaxEnabled": company.region == "US" and bool(prefs.get("automated_sales_tax", True)),
        },
        "OtherPrefs": {
            "NameValue": [
                {
                    "Name": "SalesFormsPrefs.DuplicateDocNumWarning",
                    "Value": "true" if prefs["duplicate_doc_number_warning"] else "false",
                },
                {"Name": "SalesFormsPrefs.DefaultItem", "Value": str(company.created_ids.get("service_item_id"))},
            ]
        },
        "TimeTrackingPrefs": _stored(company, "TimeTrackingPrefs"),
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


def _checked(section: str, field: str, value: Any, default: Any) -> Any:
    element = f"{section}.{field}"

    def bad() -> faults.QBOError:
        return faults.invalid_property(f"Property Name:{element} specified is unsupported or invalid", element)

    if isinstance(default, bool):
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise bad()
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict) or any(not isinstance(v, str) for v in value.values()):
            raise bad()
        return {k: value.get(k, v) for k, v in default.items()}
    if not isinstance(value, str):
        raise bad()
    allowed = {"ReportBasis": REPORT_BASES, "WorkWeekStartDate": WEEK_DAYS}.get(field)
    if allowed is not None and value not in allowed:
        raise bad()
    return value


def update_preferences(company: Company, data: dict[str, Any]) -> dict[str, Any]:
    """A full or sparse update of the Preferences object; returns it as QuickBooks answers."""
    if data.get("Id") in (None, ""):
        raise faults.required_param("Id")
    if str(data["Id"]) != "1":
        raise faults.object_not_found()
    if data.get("SyncToken") in (None, ""):
        raise faults.required_param("SyncToken")
    if str(data["SyncToken"]) != str(company.preferences_sync_token):
        raise faults.stale_object()
    for key, value in data.items():
        if key not in SECTIONS and key not in ENVELOPE:
            raise faults.invalid_property(f"Property Name:{key} specified is unsupported or invalid", key)
        if key in SECTIONS and not isinstance(value, dict):
            raise faults.invalid_property(f"Property Name:{key} specified is unsupported or invalid", key)
    sparse = is_true(data.get("sparse"))

    def sent(section: str, field: str) -> tuple[bool, Any]:
        body = data.get(section) or {}
        return (field in body, body.get(field))

    fields: dict[str, Any] = {}
    for section, defaults in STORED_DEFAULTS.items():
        for field, default in defaults.items():
            given, value = sent(section, field)
            if given:
                fields[f"{section}.{field}"] = _checked(section, field, value, default)
            elif not sparse:  # a full update: an omitted writable field goes back to its default
                fields[f"{section}.{field}"] = default
    switches = _switches(company, data, sent, sparse)
    company.preference_fields.update(fields)
    company.preferences.update(switches)
    preferences_changed(company)
    return preferences_json(company)


def _switches(company: Company, data: dict[str, Any], sent: Any, sparse: bool) -> dict[str, Any]:
    """The control switches a Preferences update sets, checked before anything changes."""
    prefs = company.preferences
    current = preferences_json(company)["AccountingInfoPrefs"]
    out: dict[str, Any] = {}

    def flag(section: str, field: str, now: bool) -> bool:
        given, value = sent(section, field)
        if not given:
            return now if sparse else False
        return _checked(section, field, value, False)

    custom = flag("SalesFormsPrefs", "CustomTxnNumbers", bool(prefs["custom_txn_numbers"]))
    out["custom_txn_numbers"] = custom
    given, terms = sent("SalesFormsPrefs", "DefaultTerms")
    if given:
        term_id = ref_value(terms)
        term = company.records["Term"].get(term_id) if term_id else None
        if term_id is not None and (term is None or not term.get("Active", True)):
            raise faults.invalid_reference("SalesFormsPrefs.DefaultTerms")
        out["default_terms"] = term["Name"] if term is not None else None
    elif not sparse:
        out["default_terms"] = None
    per_txn = flag("AccountingInfoPrefs", "ClassTrackingPerTxn", current["ClassTrackingPerTxn"])
    per_line = flag("AccountingInfoPrefs", "ClassTrackingPerTxnLine", current["ClassTrackingPerTxnLine"])
    if per_txn and per_line:
        # QuickBooks' screen offers one choice of the two; its API answer to both is unconfirmed.
        raise faults.business(
            "Classes are assigned either to the entire transaction or to each row: "
            "ClassTrackingPerTxn and ClassTrackingPerTxnLine cannot both be true.",
            "AccountingInfoPrefs",
        )
    out["class_tracking"] = "per_transaction" if per_txn else "per_line" if per_line else "off"
    out["track_locations"] = flag("AccountingInfoPrefs", "TrackDepartments", current["TrackDepartments"])
    given, label = sent("AccountingInfoPrefs", "DepartmentTerminology")
    if given:
        if label not in LOCATION_LABELS:
            raise faults.invalid_property(
                "Property Name:AccountingInfoPrefs.DepartmentTerminology specified is unsupported or invalid",
                "AccountingInfoPrefs.DepartmentTerminology",
            )
        out["location_terminology"] = label
    elif not sparse:
        out["location_terminology"] = "Location"
    return out


def preferences_changed(company: Company) -> None:
    """A new version of the Preferences object: its SyncToken and LastUpdatedTime move."""
    company.preferences_sync_token += 1
    company.created_ids["prefs_updated"] = company.fmt()


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
