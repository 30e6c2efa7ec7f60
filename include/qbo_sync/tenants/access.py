"""Who may see and act on which tenant in the QuickBooks sync page.

A billing SaaS gives support staff some practices only. Airflow users, or every user with an
Airflow role, are granted tenants in ``qbo_sync.tenant_access`` (or every tenant), with
``python -m qbo_sync.tenants access grant|revoke|list``: no code, no redeploy. Users with
Airflow's Admin role see every tenant. Anyone else sees none: the page says so and who
grants access. The page applies it to the tenant list, each tenant's page, the CSV, the
buttons (resync, exclude, include, Connect) and the Connect callback; alert links open the
tenant's own page, so they follow it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qbo_sync.db.sqlfiles import load_sql

ADMIN_ROLE = "admin"
USER, ROLE = "user", "role"


class AccessError(ValueError):
    """A grant or revoke that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Scope:
    """The tenants one signed-in user may see: all of them, or these."""

    user: str
    roles: tuple[str, ...]
    every: bool
    tenant_ids: frozenset[int]

    def allows(self, tenant_id: int | None) -> bool:
        return tenant_id is not None and (self.every or int(tenant_id) in self.tenant_ids)

    def filter(self, tenants: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [t for t in tenants if self.allows(t["tenant_id"])]

    @property
    def how_to_grant(self) -> str:
        """Plain words for a user who may not see a tenant: who grants it, and how."""
        roles = f" (Airflow role {', '.join(self.roles)})" if self.roles else ""
        return (
            f"An Airflow admin grants tenants with `python -m qbo_sync.tenants access grant --user "
            f"{self.user} --tenant-id N`, or to a whole role with `--role NAME`{roles}."
        )


def roles_of(user: Any) -> tuple[str, ...]:
    """The Airflow roles of a user, lower case: SimpleAuthManager's ``role``, FAB's ``roles``."""
    names: list[str] = []
    role = getattr(user, "role", None)
    if isinstance(role, str) and role:
        names.append(role)
    for r in getattr(user, "roles", None) or []:
        name = getattr(r, "name", r)
        if isinstance(name, str) and name:
            names.append(name)
    return tuple(sorted({n.strip().lower() for n in names if n.strip()}))


def scope_of(conn: Any, user_name: str, roles: Iterable[str]) -> Scope:
    roles = tuple(sorted({r.lower() for r in roles}))
    if ADMIN_ROLE in roles:
        return Scope(user_name, roles, True, frozenset())
    granted = [
        r[0] for r in conn.execute(load_sql("tenants/access_of"), {"user": user_name, "roles": list(roles)}).fetchall()
    ]
    return Scope(user_name, roles, any(t is None for t in granted), frozenset(int(t) for t in granted if t is not None))


def _principal(kind: str, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise AccessError(f"give the {kind}'s name")
    return name.lower() if kind == ROLE else name


def grant(conn: Any, kind: str, name: str, tenant_ids: list[int] | None, granted_by: str) -> list[str]:
    """Grant tenants (None: every tenant). Returns what changed, in words."""
    principal = _principal(kind, name)
    said = []
    for tenant_id in tenant_ids if tenant_ids is not None else [None]:
        if (
            tenant_id is not None
            and conn.execute(load_sql("tenants/tenant_exists"), {"tenant_id": tenant_id}).fetchone() is None
        ):
            raise AccessError(
                f"there is no tenant {tenant_id}: see `python -m qbo_sync.tenants show` for the tenants there are"
            )
        added = conn.execute(
            load_sql("tenants/access_grant"),
            {"kind": kind, "principal": principal, "tenant_id": tenant_id, "granted_by": granted_by},
        ).fetchone()
        what = "every tenant" if tenant_id is None else f"tenant {tenant_id}"
        said.append(f"{kind} {principal}: {what} {'granted' if added else 'was already granted'}")
    return said


def revoke(conn: Any, kind: str, name: str, tenant_ids: list[int] | None) -> list[str]:
    principal = _principal(kind, name)
    said = []
    for tenant_id in tenant_ids if tenant_ids is not None else [None]:
        gone = conn.execute(
            load_sql("tenants/access_revoke"), {"kind": kind, "principal": principal, "tenant_id": tenant_id}
        ).fetchone()
        what = "every tenant" if tenant_id is None else f"tenant {tenant_id}"
        said.append(f"{kind} {principal}: {what} {'revoked' if gone else 'was not granted'}")
    return said


def listing(conn: Any) -> list[tuple]:
    return conn.execute(load_sql("tenants/access_list")).fetchall()
