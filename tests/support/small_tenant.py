"""A tenant with a few clients, one GST invoice each, on a company of its own (AU)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

from support.rows import insert


def small_tenant(db, qbo_app, tenant_id: int, emails: dict[int, str | None], **settings: Any) -> dict:
    """Clients ``tenant_id * 100 + n`` (n -> e-mail) with invoice ``INV-<client id>`` each."""
    from qbo_devkit.provision import provision_tenant

    insert(db, "billing.tenants", id=tenant_id, name=f"Practice {tenant_id}", currency="AUD")
    insert(db, "billing.tax_rates", id=tenant_id, tenant_id=tenant_id, name="GST", rate=D("0.1000"))
    insert(
        db,
        "billing.catalog_items",
        id=tenant_id,
        tenant_id=tenant_id,
        name="Check-up",
        kind="service",
        unit_price=D("100"),
    )
    company = provision_tenant(
        db,
        qbo_app,
        tenant_id,
        region="AU",
        connected_at=datetime.now(UTC) - timedelta(days=30),
        tax_map={"GST": "GST"},
        **settings,
    )
    for n, email in emails.items():
        cid = tenant_id * 100 + n
        insert(
            db, "billing.clients", id=cid, tenant_id=tenant_id, first_name="Client", last_name=f"No{cid}", email=email
        )
        checkup_invoice(db, tenant_id, cid, number=f"INV-{cid}", client_id=cid)
    return company


def checkup_invoice(
    db,
    tenant_id: int,
    invoice_id: int,
    *,
    number: str,
    client_id: int,
    line_id: int | None = None,
    item_id: int | None = None,
    tax_rate_id: int | None = None,
) -> None:
    """A finalized invoice of one GST check-up (100.00 + 10.00), finalized and changed yesterday."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    insert(
        db,
        "billing.invoices",
        id=invoice_id,
        tenant_id=tenant_id,
        number=number,
        client_id=client_id,
        status="finalized",
        issue_date=date.today() - timedelta(days=1),
        tax_mode="exclusive",
        currency="AUD",
        subtotal=D("100.00"),
        tax_total=D("10.00"),
        total=D("110.00"),
        origin="app",
        finalized_at=yesterday,
        updated_at=yesterday,
    )
    insert(
        db,
        "billing.invoice_lines",
        id=line_id or invoice_id,
        invoice_id=invoice_id,
        position=1,
        item_id=item_id or tenant_id,
        description="Check-up",
        quantity=D("1"),
        unit_price=D("100"),
        tax_rate_id=tax_rate_id or tenant_id,
        amount=D("100.00"),
    )
