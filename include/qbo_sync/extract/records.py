"""The records the flow starts with, as every later step sees them: a tenant, the run's
window, and the billing app's clients, invoices, lines, tax rates and settings.

Plain frozen dataclasses of standard types only (no psycopg, no pandas), so the DAG file can
name them at parse time: a ``Tenant`` crosses XCom and comes back as the same ``Tenant``
(Airflow serialises dataclasses; the DAG allows these classes for deserialisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# The default QuickBooks DisplayName of a client: its name and a tag of its id, so that two
# people called Jane Smith never merge (transform/customer.py fills it in).
DEFAULT_NAME_TEMPLATE = "{name} ({tag})"


@dataclass(frozen=True)
class Tenant:
    """A billing-app tenant connected to one QuickBooks company (its realm)."""

    tenant_id: int
    tenant_name: str
    realm_id: str
    status: str  # 'connected' | 'reconnect_required' | ...
    status_reason: str | None
    connected_at: datetime  # UTC; what happened in QuickBooks before it is not ours


@dataclass(frozen=True)
class RunWindow:
    run_id: str
    start: datetime  # data interval start, UTC
    end: datetime  # data interval end, UTC (exclusive)
    full_sync: bool = False  # consider every finalized invoice, not only the interval's
    backfill: bool = False  # a backfill run: waits for a tenant another run holds, never leaves it
    run_clear: int = 0  # how many times Airflow cleared the run: a cleared run syncs its tenants afresh


@dataclass(frozen=True)
class Client:
    id: int
    tenant_id: int
    first_name: str | None
    last_name: str | None
    company_name: str | None
    email: str | None
    phone: str | None
    parent_client_id: int | None
    active: bool = True


@dataclass(frozen=True)
class InvoiceLine:
    id: int
    position: int
    item_kind: str | None  # 'service' | 'product'
    item_name: str | None
    description: str | None
    quantity: Decimal
    unit_price: Decimal
    discount_kind: str | None
    discount_value: Decimal | None
    tax_rate_id: int | None
    amount: Decimal
    item_id: int | None = None  # the billing.catalog_items row (None: a line without a catalog item)
    item_sku: str | None = None  # that catalog item's SKU (item policy 'match' / 'create')


@dataclass(frozen=True)
class Invoice:
    id: int
    tenant_id: int
    number: str | None
    client_id: int | None
    status: str
    issue_date: date | None
    due_date: date | None
    tax_mode: str | None
    currency: str | None
    subtotal: Decimal | None
    tax_total: Decimal | None
    total: Decimal | None
    notes: str | None
    lines: tuple[InvoiceLine, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StagedInvoice:
    invoice: Invoice
    finalized_at: datetime | None


@dataclass(frozen=True)
class TaxRate:
    id: int
    name: str
    rate: Decimal
    active: bool
    qbo_tax_code_id: str | None


@dataclass(frozen=True)
class TenantSettings:
    region: str | None = None  # from the company's country (companies.facts); None: never read
    default_service_item_id: str | None = None
    default_product_item_id: str | None = None
    deposit_account_id: str | None = None
    no_tax_code_id: str | None = None
    display_name_template: str = DEFAULT_NAME_TEMPLATE
    name_clash_policy: str = "fail"
    payment_ref_policy: str = "fail"
    invalid_email_policy: str = "omit"  # 'omit' | 'fail': an e-mail address QuickBooks would refuse
    # A client's customer in another currency than the home currency (transform/currency.py).
    currency_name_template: str = "{display_name} ({currency})"
    # The Bank account a cheque paying back customer credit is drawn on (payments/refund_checks.py).
    refund_bank_account_id: str | None = None
