"""Name lists: Customer, Vendor, Employee (one DisplayName space shared by all three)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .. import faults
from ..currency import customer_currency
from ..store import Company
from ..util import ZERO
from .common import READ_ONLY, Effect, WriteContext, check_length, ref_value


def _display_name(data: dict[str, Any], entity: str) -> str:
    display = data.get("DisplayName")
    if isinstance(display, str) and display.strip():
        return display.strip()
    parts = [data.get(key) for key in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")]
    person = " ".join(str(p).strip() for p in parts if isinstance(p, str) and p.strip())
    if person and (data.get("GivenName") or data.get("FamilyName")):
        return person
    company_name = data.get("CompanyName")
    if entity != "Employee" and isinstance(company_name, str) and company_name.strip():
        return company_name.strip()
    raise faults.no_name()


# A tab or a newline is refused in a name and its parts, like the colon in DisplayName
# (developers' reports; Intuit's Customer page says the same of
# DisplayName; the fault QuickBooks answers is unconfirmed: README).
_NAME_PARTS = (
    "DisplayName",
    "Title",
    "GivenName",
    "MiddleName",
    "FamilyName",
    "Suffix",
    "CompanyName",
    "PrintOnCheckName",
)


def _check_name_characters(record: dict[str, Any]) -> None:
    for key in _NAME_PARTS:
        value = record.get(key)
        if isinstance(value, str) and ("\t" in value or "\n" in value or "\r" in value):
            raise faults.business("The name cannot contain a tab or a new line.", key)


def _open_balance(company: Company, customer_id: str) -> Decimal:
    """What the customer owes: open invoices less unused credit memos and unapplied payments."""

    def mine(record: dict[str, Any]) -> bool:
        return ref_value(record.get("CustomerRef")) == customer_id and not record.get("_voided")

    owed = sum((Decimal(str(r.get("Balance", 0))) for r in company.records["Invoice"].values() if mine(r)), ZERO)
    credit = sum(
        (Decimal(str(r.get("RemainingCredit", 0))) for r in company.records["CreditMemo"].values() if mine(r)), ZERO
    )
    unapplied = sum(
        (Decimal(str(r.get("UnappliedAmt", 0))) for r in company.records["Payment"].values() if mine(r)), ZERO
    )
    return owed - credit - unapplied


# RFC 822 section 6.1 addr-spec, atoms only: local-part = word *("." word), domain =
# sub-domain *("." sub-domain). An atom is 1+ ASCII characters other than SPACE, controls and
# the specials ()<>@,;:\".[] - so spaces, a second @, commas (several addresses: refused, see
# README), an empty or trailing-dot part and non-ASCII letters all fail, as QuickBooks' fault
# 2210 cites this RFC. Quoted strings and domain literals are not accepted (unconfirmed).
_ATOM = r"[!#$%&'*+\-/=?^_`{|}~0-9A-Za-z]+"
_ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*")


def is_rfc822_address(address: str) -> bool:
    return _ADDR_SPEC.fullmatch(address) is not None


def build_person(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    company = ctx.company
    record = {k: v for k, v in data.items() if k not in READ_ONLY}
    for key, maximum in (
        ("GivenName", 100),
        ("FamilyName", 100),
        ("MiddleName", 100),
        ("CompanyName", 100),
        ("DisplayName", 500),
        ("Title", 16),
        ("Suffix", 16),
        ("PrintOnCheckName", 110),
        ("Notes", 2000),
    ):
        check_length(record, key, maximum)
    email = record.get("PrimaryEmailAddr")
    if isinstance(email, dict) and isinstance(email.get("Address"), str) and len(email["Address"]) > 100:
        raise faults.string_length("PrimaryEmailAddr.Address", 100, len(email["Address"]))
    _check_name_characters(record)
    if (
        isinstance(email, dict)
        and isinstance(email.get("Address"), str)
        and email["Address"]
        and not is_rfc822_address(email["Address"])
    ):
        raise faults.invalid_email(email["Address"])
    display = _display_name(record, entity)
    if ":" in display:
        raise faults.business("The name cannot contain a colon (:).", "DisplayName")
    owner = company.display_names.get(display.lower())
    if owner is not None and (old is None or owner != (entity, old["Id"])):
        raise faults.duplicate_name()
    record["DisplayName"] = display
    record.setdefault("PrintOnCheckName", display)
    record["Active"] = record.get("Active", True) is not False and record.get("Active") != "false"
    record["FullyQualifiedName"] = display
    record["domain"] = "QBO"
    record["sparse"] = False
    if entity == "Customer":
        parent_id = ref_value(record.get("ParentRef"))
        if parent_id is not None:
            parent = ctx.lookup("Customer", parent_id)
            if parent is None or not parent.get("Active", True):
                raise faults.invalid_reference("ParentRef")
            if old is not None and parent_id == old["Id"]:
                raise faults.business("A customer cannot be its own parent.", "ParentRef")
            record["ParentRef"] = {"value": parent["Id"]}
            record["Job"] = True
            record["Level"] = int(parent.get("Level", 0)) + 1
            record["FullyQualifiedName"] = f"{parent['FullyQualifiedName']}:{display}"
        else:
            record.pop("ParentRef", None)
            record["Job"] = False
            record["Level"] = 0
        record["Balance"] = old.get("Balance", ZERO) if old else ZERO
        record["BalanceWithJobs"] = record["Balance"]
        if old is not None and old.get("Active", True) and not record["Active"]:
            if _open_balance(company, old["Id"]) != ZERO:
                raise faults.list_has_balance()  # quickbooks-ruby #390; Intuit's API reference
        record.setdefault("Taxable", True)
        record["CurrencyRef"] = customer_currency(company, record, old)
        record.setdefault("PreferredDeliveryMethod", "None")
    elif entity == "Vendor":
        record["Balance"] = old.get("Balance", ZERO) if old else ZERO
        record["CurrencyRef"] = {"value": company.currency}
    return record, []
