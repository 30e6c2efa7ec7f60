"""Per-tenant company credentials in ``qbo_sync.tenant_connections``.

Tokens are Fernet-encrypted before they reach the table. A refresh runs inside one
transaction holding the realm's ``pg_advisory_xact_lock``: lock, re-read (another worker
may have refreshed already: then its access token is used), refresh, save, COMMIT - and
only then is the new access token used. So two workers never refresh the same company,
and a rotated refresh token is durable before anything depends on it. ``invalid_grant``
marks only that tenant ``reconnect_required`` with the fix in words.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from qbo_client import InvalidGrant, ReconnectRequired, TokenSet
from qbo_client.tokens import Refresher
from qbo_sync.catalog import explain_quickbooks
from qbo_sync.companies.crypto import TokenCipher
from qbo_sync.companies.db import conninfo_of, open_connection
from qbo_sync.db.sqlfiles import load_sql

log = logging.getLogger(__name__)

RECONNECT_REASON = explain_quickbooks("invalid_grant")[2]


def reconnect_reason(tenant_id: object, realm_id: object) -> str:
    """The catalog's reconnect fix with this tenant's own commands filled in: the status a
    person reads (CLI, views, UI) must say exactly what to run, not a template."""
    return RECONNECT_REASON.replace("--tenant-id <tenant>", f"--tenant-id {tenant_id}").replace(
        "--realm-id <realm>", f"--realm-id {realm_id}"
    )


class TenantNotConnected(LookupError):
    def __init__(self, tenant_id: object) -> None:
        self.tenant_id = tenant_id
        super().__init__(
            f"tenant {tenant_id} is not connected to QuickBooks: run `python -m qbo_sync.companies authorize "
            f"--tenant-id {tenant_id}` (or `connect --tenant-id {tenant_id} --realm-id <realm> "
            "--refresh-token-stdin`)"
        )


@dataclass(frozen=True)
class ConnectionStatus:
    """A tenant's connection as shown by ``status``: never the tokens."""

    tenant_id: int
    realm_id: str
    status: str
    status_reason: str | None
    connected_at: datetime
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None
    refreshed_at: datetime | None


class PostgresTokenStore:
    """The tokens of one tenant's company, shared by every process through Postgres.

    Uses a connection of its own so a refresh commits independently of the caller's
    transaction; it is open only while the store reads or refreshes (once when the store is
    made, then only to refresh), so a task running many tenants' tracks side by side holds
    one project-database connection per track, not two. ``on_secret`` is called with every token it sees (the
    Airflow hook passes ``mask_secret`` there)."""

    def __init__(
        self,
        db: str | psycopg.Connection,
        tenant_id: int,
        cipher: TokenCipher | None = None,
        *,
        on_secret: Callable[[str], None] | None = None,
    ) -> None:
        self.tenant_id = int(tenant_id)
        self._conninfo = conninfo_of(db)
        self._cipher = cipher or TokenCipher.from_env()
        self._on_secret = on_secret
        self._lock = threading.Lock()
        self._cached: TokenSet | None = None
        self.refresh_count = 0  # refreshes this store actually performed (for tests/reports)
        with self._session() as conn:
            row = self._read(conn)
        self.realm_id: str = row["realm_id"]
        self._check_status(row)
        self._cached = self._tokens(row)

    def __repr__(self) -> str:
        return f"PostgresTokenStore(tenant_id={self.tenant_id}, realm_id={self.realm_id!r})"

    def close(self) -> None:
        """Nothing stays open between reads (kept for the clients that close their store)."""

    # --- TokenStore --------------------------------------------------------------------
    def current(self) -> TokenSet:
        with self._lock:
            if self._cached is None:
                with self._session() as conn:
                    row = self._read(conn)
                self._check_status(row)
                self._cached = self._tokens(row)
            return self._cached

    def refresh(self, refresher: Refresher, rejected_access_token: str | None) -> TokenSet:
        with self._lock, self._session() as conn:
            reconnect = False
            with conn.transaction():
                conn.execute(load_sql("companies/lock_realm_refresh"), {"realm_id": self.realm_id})
                row = self._read(conn)
                if row["status"] == "connected":
                    stored = self._tokens(row)
                    if stored.access_token != rejected_access_token and stored.access_valid():
                        # Another worker refreshed while we waited for the lock.
                        self._cached = stored
                        return stored
                    if not stored.refresh_token:
                        reconnect = True
                    else:
                        try:
                            fresh = refresher(stored.refresh_token)
                        except InvalidGrant:
                            reconnect = True
                        else:
                            self._remember(fresh)
                            self._save(conn, fresh)
                if reconnect:
                    conn.execute(
                        load_sql("companies/mark_reconnect_required"),
                        {"tenant_id": self.tenant_id, "reason": self._reconnect_reason()},
                    )
            # Committed: the new refresh token is durable before the access token is used.
            if reconnect:
                self._cached = None
                log.warning(
                    "tenant %s (realm %s): QuickBooks refused the refresh token; marked reconnect_required",
                    self.tenant_id,
                    self.realm_id,
                )
                raise ReconnectRequired(self.realm_id, self._reconnect_reason(), self.tenant_id)
            self._check_status(row)
            self._cached = fresh
            self.refresh_count += 1
            log.info("tenant %s (realm %s): access token refreshed", self.tenant_id, self.realm_id)
            return fresh

    # --- internals -----------------------------------------------------------------------
    def _reconnect_reason(self) -> str:
        return reconnect_reason(self.tenant_id, self.realm_id)

    @contextlib.contextmanager
    def _session(self) -> Iterator[psycopg.Connection]:
        conn = open_connection(self._conninfo, autocommit=True)
        try:
            yield conn
        finally:
            conn.close()

    def _read(self, conn: psycopg.Connection) -> dict:
        cur = conn.cursor(row_factory=dict_row)
        row = cur.execute(load_sql("companies/tenant_tokens"), {"tenant_id": self.tenant_id}).fetchone()
        if row is None:
            raise TenantNotConnected(self.tenant_id)
        return row

    def _check_status(self, row: dict) -> None:
        if row["status"] != "connected":
            reason = row["status_reason"] or f"the connection is {row['status']}"
            raise ReconnectRequired(row["realm_id"], reason, self.tenant_id)

    def _tokens(self, row: dict) -> TokenSet:
        tokens = TokenSet(
            access_token=self._cipher.decrypt(row["access_token_enc"]),
            refresh_token=self._cipher.decrypt(row["refresh_token_enc"]),
            access_expires_at=row["access_token_expires_at"],
            refresh_expires_at=row["refresh_token_expires_at"],
        )
        self._remember(tokens)
        return tokens

    def _remember(self, tokens: TokenSet) -> None:
        if self._on_secret is not None:
            for value in (tokens.access_token, tokens.refresh_token):
                if value:
                    self._on_secret(value)

    def _save(self, conn: psycopg.Connection, tokens: TokenSet) -> None:
        conn.execute(
            load_sql("companies/save_tokens"),
            {
                "tenant_id": self.tenant_id,
                "access_token_enc": self._cipher.encrypt(tokens.access_token),
                "access_token_expires_at": tokens.access_expires_at,
                "refresh_token_enc": self._cipher.encrypt(tokens.refresh_token),
                "refresh_token_expires_at": tokens.refresh_expires_at,
            },
        )


# --- connecting and listing (the CLI's verbs) ------------------------------------------------
def connect_tenant(
    conn: psycopg.Connection, tenant_id: int, realm_id: str, tokens: TokenSet, cipher: TokenCipher | None = None
) -> None:
    """Store a company's tokens for a tenant (status connected) and commit."""
    cipher = cipher or TokenCipher.from_env()
    if not tokens.refresh_token:
        raise ValueError("connecting a tenant needs a refresh token")
    params = {
        "tenant_id": int(tenant_id),
        "realm_id": str(realm_id),
        "access_token_enc": cipher.encrypt(tokens.access_token),
        "access_token_expires_at": tokens.access_expires_at if tokens.access_token else None,
        "refresh_token_enc": cipher.encrypt(tokens.refresh_token),
        "refresh_token_expires_at": tokens.refresh_expires_at,
    }
    try:
        with conn.transaction():
            conn.execute(load_sql("companies/connect_tenant"), params)
    except psycopg.errors.UniqueViolation:
        raise ValueError(
            f"QuickBooks company {realm_id} is already connected to another tenant; one company belongs to one tenant"
        ) from None


def mark_disconnected(conn: psycopg.Connection, tenant_id: int, reason: str) -> None:
    with conn.transaction():
        conn.execute(load_sql("companies/mark_disconnected"), {"tenant_id": int(tenant_id), "reason": reason})


def connection_status(conn: psycopg.Connection) -> list[ConnectionStatus]:
    rows = conn.execute(load_sql("companies/connection_status")).fetchall()
    return [ConnectionStatus(*row) for row in rows]


def rotate_key(conn: psycopg.Connection, cipher: TokenCipher | None = None) -> int:
    """Re-encrypt every stored token with the first key of QBO_SYNC_FERNET_KEY."""
    cipher = cipher or TokenCipher.from_env()
    count = 0
    with conn.transaction():
        rows = conn.execute(load_sql("companies/encrypted_tokens")).fetchall()
        for tenant_id, access_enc, refresh_enc in rows:
            conn.execute(
                load_sql("companies/reencrypt_tokens"),
                {
                    "tenant_id": tenant_id,
                    "access_token_enc": cipher.rotate(access_enc),
                    "refresh_token_enc": cipher.rotate(refresh_enc),
                },
            )
            count += 1
    return count
