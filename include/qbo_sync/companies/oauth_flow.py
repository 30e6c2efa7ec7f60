"""Finishing a QuickBooks connection: the one path from an authorization code to a
connected tenant, shared by ``python -m qbo_sync.companies authorize`` and the sync page's
Connect button.

    finish_connection(conn, tenant_id, code=..., realm_id=..., redirect_uri=..., app=..., ...)

trades the code for tokens (with the same redirect URI the authorize request used),
stores them encrypted at once (``connect_tenant``: the tenant is connected to that realm),
then reads the company through the stored tokens to prove the connection works and records
its facts (``companies.facts.record_company_facts``). Anything
to learn about the company right after connecting belongs in :func:`verify_company`, so
both callers get it.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from qbo_client import InvalidGrant, OAuthApp
from qbo_sync.companies.crypto import TokenCipher
from qbo_sync.companies.facts import record_company_facts
from qbo_sync.companies.settings import AppSettings
from qbo_sync.companies.store import connect_tenant
from qbo_sync.validate.company_settings import CompanyProfile


@dataclass(frozen=True)
class FinishedConnection:
    tenant_id: int
    realm_id: str
    company: CompanyProfile

    @property
    def company_name(self) -> str:
        return self.company.name


def verify_company(
    conn: psycopg.Connection, tenant_id: int, settings: AppSettings, cipher: TokenCipher
) -> tuple[str, CompanyProfile]:
    """Read the tenant's company with its stored tokens and record its facts (country, home
    currency, multicurrency, tax model: the company decides the tenant's region); returns
    (realm id, what was recorded).

    Raises :class:`qbo_client.ReconnectRequired` (and marks the tenant so) when QuickBooks
    refuses the tokens."""
    from qbo_sync.companies import client_for_tenant

    with client_for_tenant(conn, tenant_id, settings=settings, cipher=cipher) as qbo:
        profile = record_company_facts(conn, tenant_id, qbo)
        realm_id = qbo.realm_id
    conn.commit()
    return realm_id, profile


def finish_connection(
    conn: psycopg.Connection,
    tenant_id: int,
    *,
    code: str,
    realm_id: str,
    redirect_uri: str,
    settings: AppSettings,
    cipher: TokenCipher,
    app: OAuthApp | None = None,
) -> FinishedConnection:
    """Authorization code -> tokens -> stored encrypted for the tenant -> company read.

    ``redirect_uri`` must be the one the authorize request carried (QuickBooks refuses the
    code otherwise). The tokens are never returned, logged or put in an exception."""
    if not code or not realm_id:
        raise ValueError(
            "QuickBooks' answer carried no authorization code or no company (realmId): start connecting again"
        )
    try:
        tokens = (app or settings.oauth_app()).exchange_code(code, redirect_uri)
    except InvalidGrant as refused:
        detail = f": {refused.description}" if refused.description else ""
        raise ValueError(
            f"QuickBooks refused the authorization code (invalid_grant{detail}). A code works once, for a "
            "few minutes, and only with the redirect URI its authorize request used: start connecting again"
        ) from None
    connect_tenant(conn, tenant_id, realm_id, tokens, cipher)
    _, company = verify_company(conn, tenant_id, settings, cipher)
    return FinishedConnection(int(tenant_id), str(realm_id), company)
