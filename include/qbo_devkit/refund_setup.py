"""The refund bank account of a demo tenant (the generator's
``quickbooks_setup.refund_bank_account``, set by ``generator/refund_cases.py``), saved the way a
user does it: ``python -m qbo_sync.tenants set --refund-bank-account NAME``, which looks the
name up in the company and refuses anything but an active Bank account."""

from __future__ import annotations

from typing import Any


def apply_refund_bank_account(conn: Any, client: Any, tenant_id: int, name: str) -> list[str]:
    """The product's own lookup (``resolve_bank_account``) and save (``update_settings``),
    the two steps ``tenants set --refund-bank-account`` takes."""
    if not name:
        return []
    from qbo_sync.tenants.__main__ import resolve_bank_account
    from qbo_sync.tenants.settings import update_settings

    account_id = resolve_bank_account(client, name)
    update_settings(conn, tenant_id, refund_bank_account_id=account_id)
    conn.commit()
    return [f"refund bank account {name!r} (QuickBooks Account Id {account_id}) for refunds of customer credit"]
