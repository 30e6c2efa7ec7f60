"""Which attributes a QuickBooks query may filter (WHERE) or sort (ORDER BY) on, per entity.

QuickBooks answers a WHERE or ORDER BY on any other attribute with 4001 "Invalid query",
Detail "QueryValidationError: property 'X' is not queryable" (quickbooks-ruby issue #403:
PrimaryEmailAddr on Vendor; QuickBooks-V3-DotNET-SDK issue #163: AcctNum on Customer, Vendor
and Account, where Intuit's engineer answers "the properties which are mentioned as filterable
are only queryable"). Attribute names are case-insensitive (Intuit's API reference).

Sources, per entity. Intuit's API reference marks each attribute "filterable"; its pages are
not in the stored corpus we could search, so the sets below come from copies that mirror it,
cited per entity; where they disagree or are silent, include/qbo_emulator/README.md says so:

- [cdata]  CData's QuickBooks Online driver tables, "Filterable" column (cdn.cdata.com/help/RN*/
           .../pg_table-<entity>.htm; same tables at docs.gravitydata.co/sources/quickbooks-online
           and developer.mescius.com/componentone/docs/services/online-dataconnector).
- [nytely] Nytely-Official/quickbooks-api src/types/enums/filters.ts ("the filterables for the
           ... Object", each citing developer.intuit.com/.../all-entities/<entity>).
- [ruckus] quickbooks-ruby issue #403: the Vendor attributes Intuit's Vendor page does NOT mark
           filterable (SyncToken, Title, PrimaryPhone, AlternatePhone, Mobile, Fax, PrimaryEmailAddr,
           WebAddr, BillAddr, OtherContactInfo, TaxIdentifier, TermRef, Balance, AcctNum, Vendor1099,
           CurrencyRef, TaxReportingBasis, APAccountRef).
- [ref]    Intuit's API reference (PrivateNote not filterable on Invoice or Payment; Item.Sku filterable).
"""

from __future__ import annotations

# Every entity: its Id and its MetaData times ([cdata] for every table below).
_COMMON = {"Id", "MetaData.CreateTime", "MetaData.LastUpdatedTime"}
# Names of a person-like list entity ([cdata] Customers; [ruckus] for Vendor).
_NAMES = {"DisplayName", "GivenName", "MiddleName", "FamilyName", "Suffix", "CompanyName", "PrintOnCheckName", "Active"}

FILTERABLE: dict[str, frozenset[str] | None] = {
    # [cdata] Customers + [nytely] CustomerFilters (PrimaryEmailAddr, Balance, FullyQualifiedName).
    "Customer": frozenset(
        _COMMON | _NAMES | {"FullyQualifiedName", "PrimaryEmailAddr", "Balance", "IsProject", "Job", "ParentRef"}
    ),
    # [ruckus]: every Vendor attribute not in its non-filterable list.
    "Vendor": frozenset(_COMMON | _NAMES),
    # Employees are named like vendors; Intuit's Employee page not confirmed (README).
    "Employee": frozenset(_COMMON | _NAMES | {"EmployeeNumber"}),
    # [cdata] Items: Name, Active; [ref] Sku; Type is the query every Item reader uses (README).
    "Item": frozenset(_COMMON | {"Name", "Active", "Type", "Sku"}),
    # [cdata] Accounts; AcctNum not filterable (DotNet SDK #163).
    "Account": frozenset(
        _COMMON
        | {"Name", "Active", "AccountType", "AccountSubType", "Classification", "FullyQualifiedName", "CurrentBalance"}
    ),
    # [cdata] TaxCodes marks only Id; Name and Active kept filterable, unconfirmed (README).
    "TaxCode": frozenset(_COMMON | {"Name", "Active"}),
    # [cdata] TaxRates: Active, RateValue, AgencyRef; Name kept, unconfirmed (README).
    "TaxRate": frozenset(_COMMON | {"Name", "Active", "RateValue", "AgencyRef"}),
    # [cdata] PaymentMethods.
    "PaymentMethod": frozenset(_COMMON | {"Name", "Active", "Type"}),
    # [nytely] InvoiceFilters + [cdata] Invoices; TotalAmt unconfirmed; PrivateNote is not [ref].
    "Invoice": frozenset(
        _COMMON
        | {"DocNumber", "TxnDate", "DueDate", "CustomerRef", "SalesTermRef", "ProjectRef", "Balance", "TotalAmt"}
    ),
    # [cdata] CreditMemos.
    "CreditMemo": frozenset(
        _COMMON | {"DocNumber", "TxnDate", "CustomerRef", "TotalAmt", "Balance", "RemainingCredit"}
    ),
    # [cdata] Payments: TxnDate, CustomerRef (TotalAmt unconfirmed); PrivateNote is not [ref]; PaymentRefNum
    # is not marked filterable there (README).
    "Payment": frozenset(_COMMON | {"TxnDate", "CustomerRef", "TotalAmt"}),
    # Assumed like Payment and CreditMemo: Intuit's RefundReceipt page marks no filterable
    # attribute in the sources we have (unconfirmed, README).
    "RefundReceipt": frozenset(_COMMON | {"DocNumber", "TxnDate", "CustomerRef", "TotalAmt"}),
    # Intuit's Purchase reference marks DocNumber, TxnDate, PaymentType, AccountRef and EntityRef as
    # filterable (TotalAmt assumed like the other transactions; unconfirmed).
    "Purchase": frozenset(_COMMON | {"DocNumber", "TxnDate", "PaymentType", "AccountRef", "EntityRef", "TotalAmt"}),
    # [cdata] Terms table; our Term entity (terms.py).
    "Term": frozenset(_COMMON | {"Name", "Active", "Type", "DueDays"}),
    # [cdata] Classes / Departments: Name, Active, FullyQualifiedName; SubClass/SubDepartment and
    # ParentRef unconfirmed (README).
    "Class": frozenset(_COMMON | {"Name", "Active", "FullyQualifiedName", "SubClass", "ParentRef"}),
    "Department": frozenset(_COMMON | {"Name", "Active", "FullyQualifiedName", "SubDepartment", "ParentRef"}),
    # One row each: read whole; no attribute filter documented. Unrestricted (README).
    "Preferences": None,
    "CompanyInfo": None,
}

# Id accepts only these operators (Intuit's API reference).
ID_OPERATORS = {"=", "IN"}


def canonical(entity: str, name: str) -> str | None:
    """The attribute as QuickBooks spells it if ``entity`` may be filtered on it, else None.
    Case-insensitive; a reference (``CustomerRef``) may be named with ``.value``."""
    allowed = FILTERABLE.get(entity)
    if allowed is None:
        return name
    wanted = name.lower()
    if wanted.endswith(".value"):
        wanted = wanted[: -len(".value")]
    for attribute in allowed:
        if attribute.lower() == wanted:
            return attribute
    return None
