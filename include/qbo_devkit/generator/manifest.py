"""The demo manifest: what the generator made, what to pre-create in QuickBooks, and
which records are bad on purpose with the outcome the sync should give each of them.

Money is written as strings ("123.45") so that no float ever touches it; times are ISO
8601 in UTC. The JSON is deterministic (sorted keys), like the data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

# Outcomes a bad record must end with in qbo_sync.sync_log / record_status.
# never_sent: the record is never even considered (draft, voided before sync, from QuickBooks).
# synced: a case the sync must carry through (an overpayment, a refund: issue 13).
EXPECTED = ("failed", "skipped", "excluded", "never_sent", "synced")


@dataclass
class QuickBooksSetup:
    """What the demo creates in (or changes about) the tenant's QuickBooks company.

    vendors / employees / customers / invoices: created before the first sync.
    payments: created once their invoice is in QuickBooks (``phase`` says so), linked to
    it by ``invoice_source_id``; they stand for payments entered by hand in QuickBooks.
    inactive_tax_codes / inactive_items: names to make inactive before the first sync.
    tracking: classes and locations (cases_tracking.py), empty when the company uses none: the
    switches to turn on, the classes (full names, parents first) and locations to create, the
    tenant's class and location, its app-location links, and the classes made inactive after.
    items: the tenant's item policy and income accounts (cases_items.py), empty for the default
    policy, and the items the company already holds (``quickbooks_items``: name, SKU, type,
    income account, and whether someone made it inactive).
    multicurrency: turned on in the company's settings before the first sync (currency_cases.py).
    refund_bank_account: the name of the Bank account the tenant's refunds of customer credit
    are drawn on (``tenants set --refund-bank-account``; refund_cases.py), empty when unset.
    """

    vendors: list[dict[str, Any]] = field(default_factory=list)
    employees: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    inactive_tax_codes: list[str] = field(default_factory=list)
    inactive_items: list[str] = field(default_factory=list)
    tracking: dict[str, Any] = field(default_factory=dict)
    items: dict[str, Any] = field(default_factory=dict)
    multicurrency: bool = False
    refund_bank_account: str = ""


@dataclass
class TenantManifest:
    id: int
    name: str
    region: str  # 'AU' | 'UK' | 'US': the QuickBooks company's country
    currency: str
    timezone: str
    connected_at: str  # invoices finalized before this are historical
    display_name_template: str
    # app tax rate name -> QuickBooks tax code NAME (the demo resolves names to ids)
    tax_code_map: dict[str, str]
    default_items: dict[str, str]  # 'service'/'product' -> QuickBooks item name
    closed_books_date: str | None = None
    revoked: bool = False
    quickbooks_setup: QuickBooksSetup = field(default_factory=QuickBooksSetup)


@dataclass
class BadRecord:
    case: str
    tenant_id: int
    entity: str  # 'invoice' | 'customer' | 'credit_memo' | 'payment' | 'payment_import' | 'tenant'
    source_id: int
    source_ref: str | None
    expected: str  # one of EXPECTED
    # The qbo_sync.catalog code the sync is expected to log, where the catalog has one.
    code: str | None = None


@dataclass
class Manifest:
    seed: int
    as_of: str
    invoices_requested: int
    tenants_requested: int
    bad_cases: list[str]
    tenants: list[TenantManifest] = field(default_factory=list)
    bad_records: list[BadRecord] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Cases that were asked for but could not be placed (e.g. no UK tenant), with why.
    unplaced_cases: dict[str, str] = field(default_factory=dict)

    def tenant(self, tenant_id: int) -> TenantManifest:
        for tenant in self.tenants:
            if tenant.id == tenant_id:
                return tenant
        raise KeyError(tenant_id)

    def records(self, case: str | None = None, entity: str | None = None) -> list[BadRecord]:
        return [
            r for r in self.bad_records if (case is None or r.case == case) and (entity is None or r.entity == entity)
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        data = dict(data)
        tenants = []
        for raw in data.pop("tenants", []):
            raw = dict(raw)
            setup = QuickBooksSetup(**_known(QuickBooksSetup, raw.pop("quickbooks_setup", {})))
            tenants.append(TenantManifest(**_known(TenantManifest, raw), quickbooks_setup=setup))
        records = [BadRecord(**_known(BadRecord, r)) for r in data.pop("bad_records", [])]
        return cls(**_known(cls, data), tenants=tenants, bad_records=records)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls.from_dict(json.loads(text))

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: str | Path) -> Manifest:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    # Ignore keys a newer manifest may add; nested objects are rebuilt by the caller.
    names = {f.name for f in fields(cls)} - {"tenants", "bad_records", "quickbooks_setup"}
    return {k: v for k, v in data.items() if k in names}
