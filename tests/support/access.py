"""The tenant access map for tests, as `python -m qbo_sync.tenants access grant` writes it."""

from __future__ import annotations


def grant(db, tenant_ids, *, user: str | None = None, role: str | None = None) -> None:
    from qbo_sync.tenants import access

    kind, name = (access.USER, user) if user else (access.ROLE, role)
    access.grant(db, kind, name, tenant_ids, granted_by="test")
