"""What every entity family shares: the entity names clients use, the write context, and the
small rules (references, cleaning, lengths, MetaData, closed books)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import faults
from ..config import EmulatorConfig
from ..store import Company
from ..util import parse_date

# The path segment (lower case) of each entity, as clients send it.
ENTITY_BY_PATH = {
    "customer": "Customer",
    "vendor": "Vendor",
    "employee": "Employee",
    "item": "Item",
    "taxcode": "TaxCode",
    "taxrate": "TaxRate",
    "account": "Account",
    "paymentmethod": "PaymentMethod",
    "term": "Term",
    "class": "Class",
    "department": "Department",
    "invoice": "Invoice",
    "creditmemo": "CreditMemo",
    "payment": "Payment",
    "refundreceipt": "RefundReceipt",
    "purchase": "Purchase",
    "preferences": "Preferences",
    "companyinfo": "CompanyInfo",
}
ENTITY_BY_LOWER = {name.lower(): name for name in ENTITY_BY_PATH.values()}

# Fields a client may send but QuickBooks computes (or owns) itself.
READ_ONLY = {
    "MetaData",
    "domain",
    "sparse",
    "SyncToken",
    "status",
    "TotalAmt",
    "Balance",
    "HomeBalance",
    "HomeTotalAmt",
    "RemainingCredit",
    "UnappliedAmt",
    "LinkedTxn",
    "FullyQualifiedName",
    "Level",
    "BalanceWithJobs",
    "CurrentBalance",
    "CurrentBalanceWithSubAccounts",
}
TOTAL_FIELDS_KEPT_FOR_PAYMENT = {"TotalAmt"}


@dataclass
class WriteContext:
    company: Company
    config: EmulatorConfig
    include: frozenset[str] = frozenset()
    # Records created earlier in the same batch: QuickBooks' batch items cannot see them.
    hidden: set[tuple[str, str]] = field(default_factory=set)

    def lookup(self, entity: str, record_id: Any) -> dict[str, Any] | None:
        if record_id is None:
            return None
        key = str(record_id)
        if (entity, key) in self.hidden:
            return None
        return self.company.records[entity].get(key)


Effect = Callable[[dict[str, Any]], None]


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as clients see it (bookkeeping keys dropped)."""
    return {key: value for key, value in record.items() if key[0] != "_"}


def ref_value(ref: Any) -> str | None:
    if isinstance(ref, dict):
        value = ref.get("value")
    else:
        value = ref
    if value is None or value == "":
        return None
    return str(value)


def clean(value: Any) -> Any:
    """Drop None and "" members: clients (python-quickbooks) send them for unset fields."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def check_length(record: dict[str, Any], key: str, maximum: int, element: str | None = None) -> None:
    value = record.get(key)
    if isinstance(value, str) and len(value) > maximum:
        raise faults.string_length(element or key, maximum, len(value))


def bump(record: dict[str, Any], company: Company, create_time: str | None = None) -> None:
    now_ts = company.clock.time()
    stamp = company.fmt(now_ts)
    record["_updated"] = now_ts
    record["_seq"] = company.next_seq()
    record["MetaData"] = {"CreateTime": create_time or stamp, "LastUpdatedTime": stamp}


def touch(company: Company, record: dict[str, Any]) -> None:
    """A side effect changed ``record``: new SyncToken and LastUpdatedTime, as in QuickBooks."""
    record["SyncToken"] = str(int(record["SyncToken"]) + 1)
    bump(record, company, record["MetaData"]["CreateTime"])


def check_closed_books(company: Company, *dates: Any) -> None:
    closed = company.closed_books_date()
    if closed is None:
        return
    for value in dates:
        parsed = parse_date(value) if not hasattr(value, "year") else value
        if parsed is not None and parsed <= closed:
            raise faults.closed_period()


def required_name(record: dict[str, Any]) -> str:
    name = record.get("Name")
    if not isinstance(name, str) or not name.strip():
        raise faults.required_param("Name")
    return name.strip()


def check_unique(names: dict[str, str], name: str, old: dict[str, Any] | None, kind: str) -> None:
    """Name lists are unique case-insensitively; an update may keep its own name."""
    owner = names.get(name.lower())
    if owner is not None and (old is None or owner != old["Id"]):
        raise faults.duplicate_name(kind)
