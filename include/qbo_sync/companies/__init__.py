"""The project side of QuickBooks: which company each tenant is connected to, its
encrypted tokens, the shared rate budget, and the ``python -m qbo_sync.companies`` CLI.

The load step gets a client like this::

    from qbo_sync.companies import client_for_tenant

    with client_for_tenant(conn, tenant_id) as qbo:   # conn: psycopg connection or URL
        results = qbo.batch([BatchOperation.create("Invoice", payload, bid="42"), ...])

``client_for_tenant`` raises :class:`qbo_client.ReconnectRequired` at once for a tenant
that must be reconnected, and :class:`TenantNotConnected` for one never connected.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import requests

from qbo_client import QboClient, RateBudget
from qbo_sync.companies.budget import PostgresRateBudget
from qbo_sync.companies.crypto import EncryptionKeyError, TokenCipher
from qbo_sync.companies.settings import AppSettings, AppSettingsError
from qbo_sync.companies.store import (
    ConnectionStatus,
    PostgresTokenStore,
    TenantNotConnected,
    connect_tenant,
    connection_status,
    mark_disconnected,
    rotate_key,
)

__all__ = [
    "AppSettings",
    "AppSettingsError",
    "ConnectionStatus",
    "EncryptionKeyError",
    "PostgresRateBudget",
    "PostgresTokenStore",
    "TenantNotConnected",
    "TokenCipher",
    "client_for_tenant",
    "connect_tenant",
    "connection_status",
    "mark_disconnected",
    "rotate_key",
]


def client_for_tenant(
    db: str | psycopg.Connection,
    tenant_id: int,
    *,
    settings: AppSettings | None = None,
    cipher: TokenCipher | None = None,
    budget: RateBudget | None = None,
    on_secret: Callable[[str], None] | None = None,
    session: requests.Session | None = None,
) -> QboClient:
    """A :class:`QboClient` for the tenant's company, with tokens and rate budget in Postgres.

    ``db`` is a URL or a psycopg connection: the client opens its own connections to that
    database (a refresh must commit on its own). Close the client (or use ``with``) to
    close them. Pass one ``budget`` to share its connection between several clients."""
    settings = settings or AppSettings.from_env()
    store = PostgresTokenStore(db, tenant_id, cipher, on_secret=on_secret)
    own_budget = budget is None
    try:
        shared = budget or PostgresRateBudget(db, settings.budget)
    except Exception:
        store.close()
        raise

    def close() -> None:
        store.close()
        if own_budget:
            shared.close()  # type: ignore[union-attr]

    return QboClient(
        store.realm_id,
        store,
        environment=settings.environment,
        app=settings.oauth_app(session=session),
        budget=shared,
        retry=settings.retry,
        minor_version=settings.minor_version,
        session=session,
        on_close=close,
    )
