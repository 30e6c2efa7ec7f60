"""Connect / Reconnect to QuickBooks from the sync page: the OAuth authorization-code flow.

``POST /connect`` (the page's button: the page's form token, and the permission the page's
other actions need) records an authorization request and sends the browser to QuickBooks'
authorize page (from the discovery document) with scope com.intuit.quickbooks.accounting.
QuickBooks sends the browser back to ``GET /connect/callback?code&state&realmId``, which
checks the state, then finishes the connection exactly as ``python -m qbo_sync.companies
authorize`` does (``qbo_sync.companies.oauth_flow.finish_connection``).

The state: 256 random bits, stored server side as a SHA-256 in
``qbo_sync.oauth_connect_states`` with the tenant, the Airflow user, a hash of a second
random value held by the browser in an httponly cookie, the redirect URI and an expiry of
ten minutes. Server side rather than "signed with expiry" because only a stored row can be
used once: the callback marks it used in one UPDATE, so a replayed state (even two racing
callbacks) finds nothing. The callback refuses, with a plain message and writing nothing:
no state, an unknown (forged) one, a used one, an expired one, one started by another
user, and one this browser did not start (the cookie is per tenant, so a state of another
tenant or another browser has no matching cookie).

The redirect URI comes from configuration, never from the request's Host header:
QBO_SYNC_OAUTH_REDIRECT_URI, else Airflow's ``[api] base_url`` + ``/qbo-sync/connect/callback``.
It must be registered in the app's Keys & OAuth settings (QuickBooks refuses any other).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from qbo_airflow.ui.paths import PREFIX

log = logging.getLogger(__name__)

CALLBACK_PATH = "/connect/callback"
REDIRECT_URI_ENV = "QBO_SYNC_OAUTH_REDIRECT_URI"
STATE_SECONDS = 600
COOKIE_PREFIX = "qbo_connect_"
START_AGAIN = "Nothing was saved. Start again with the Connect button on the QuickBooks sync page."


class ConnectError(RuntimeError):
    """Connecting cannot start; the message says what to set."""


def redirect_uri() -> str:
    """Where QuickBooks sends the browser back: configured, never taken from the request."""
    configured = os.environ.get(REDIRECT_URI_ENV, "").strip()
    if configured:
        return configured
    from airflow.configuration import conf

    base = (conf.get("api", "base_url", fallback="") or "").strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConnectError(
            f"set {REDIRECT_URI_ENV} to this page's callback URL (https://<airflow host>/qbo-sync"
            f"{CALLBACK_PATH}), or Airflow's [api] base_url, and register that URL in the QuickBooks app's "
            "Keys & OAuth settings (Redirect URIs)"
        )
    return f"{base}{PREFIX}{CALLBACK_PATH}"


def app_settings():
    """The QuickBooks app: Airflow connection ``quickbooks_default``, else the environment."""
    from qbo_sync.companies.settings import AppSettings

    try:
        from airflow.sdk.exceptions import AirflowNotFoundException

        from qbo_airflow.hooks.quickbooks_hook import QuickBooksHook

        return QuickBooksHook().get_app_settings()
    except AirflowNotFoundException:
        return AppSettings.from_env()


def _sha(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def _user_id(viewer: Any) -> str:
    user = viewer.user
    return str(getattr(user, "get_id", lambda: None)() or viewer.name)


def _cookie(tenant_id: int) -> str:
    return f"{COOKIE_PREFIX}{int(tenant_id)}"


def _refuse(status: int, why: str) -> HTTPException:
    return HTTPException(status_code=status, detail=f"Connecting to QuickBooks refused: {why} {START_AGAIN}")


# What QuickBooks (RFC 6749 section 4.1.2.1) may send back as ``error``: only these are
# repeated on the page; anything else is not QuickBooks' to say.
OAUTH_ERRORS = (
    "access_denied",
    "invalid_request",
    "unauthorized_client",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
)


def install(
    app: FastAPI,
    *,
    reader: Callable[..., Any],
    page_reader: Callable[..., Any],
    may_act: Callable[[Any], None],
    database: Callable[[], Any],
    require_tenant: Callable[[Any, Any, int], None],
) -> None:
    """Add the two routes. ``may_act(viewer)`` raises 403 unless the user may use the page's
    actions; ``require_tenant(viewer, conn, tenant_id)`` raises 403 unless the tenant is
    granted to the user; ``database()`` opens the project database."""

    def back_to_page(request: Request, viewer: Any, tenant_id: int, **message: str) -> RedirectResponse:
        ((kind, text),) = message.items()
        query = urlencode({"tenant_id": tenant_id}) + "&" + viewer.flash(kind, text)
        return RedirectResponse(f"{request.scope.get('root_path', '')}/?{query}", status_code=303)

    @app.post("/connect")
    def start(
        request: Request, viewer: Any = Depends(reader), tenant_id: int = Form(...), csrf: str = Form(...)
    ) -> Response:
        from qbo_client import QboError
        from qbo_sync.companies.settings import AppSettingsError
        from qbo_sync.db.sqlfiles import load_sql
        from qbo_sync.operations import views

        if not hmac.compare_digest(csrf, viewer.csrf):
            raise HTTPException(status_code=403, detail="the form is stale or not from this page; reload it")
        may_act(viewer)
        with database() as conn:
            require_tenant(viewer, conn, tenant_id)
        try:
            uri = redirect_uri()
            url, state = app_settings().oauth_app().authorization_url(uri, state=secrets.token_urlsafe(32))
        except (ConnectError, AppSettingsError, QboError) as error:
            return back_to_page(request, viewer, tenant_id, error=f"Cannot start connecting to QuickBooks: {error}")
        browser = secrets.token_urlsafe(32)
        with database() as conn:
            if not any(t["tenant_id"] == tenant_id for t in views.tenants(conn)):
                raise HTTPException(status_code=404, detail=f"there is no tenant {tenant_id}")
            conn.execute(load_sql("companies/oauth_state_purge"))
            conn.execute(
                load_sql("companies/oauth_state_issue"),
                {
                    "state_sha256": _sha(state),
                    "tenant_id": tenant_id,
                    "user_id": _user_id(viewer),
                    "browser_sha256": _sha(browser),
                    "redirect_uri": uri,
                    "lifetime_seconds": STATE_SECONDS,
                },
            )
        log.info("%s started connecting tenant %s to QuickBooks", viewer.name, tenant_id)
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(
            _cookie(tenant_id),
            browser,
            max_age=STATE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path=f"{request.scope.get('root_path', '')}/connect",
        )
        return response

    @app.get(CALLBACK_PATH)
    def callback(
        request: Request,
        viewer: Any = Depends(page_reader),
        state: str | None = None,
        code: str | None = None,
        realmId: str | None = None,
        error: str | None = None,
    ) -> Response:
        from qbo_client import QboError
        from qbo_sync.companies.crypto import EncryptionKeyError, TokenCipher
        from qbo_sync.companies.oauth_flow import finish_connection
        from qbo_sync.companies.settings import AppSettingsError
        from qbo_sync.db.sqlfiles import load_sql

        may_act(viewer)
        if not state:
            raise _refuse(400, "QuickBooks' answer carried no state, so it cannot be tied to a Connect click.")
        key = {"state_sha256": _sha(state)}
        with database() as conn:
            row = conn.execute(load_sql("companies/oauth_state_find"), key).fetchone()
            if row is None:
                raise _refuse(400, "the state is not one this page issued (forged, or from another server).")
            tenant_id, user_id, browser_sha, uri, expired, used = row
            require_tenant(viewer, conn, tenant_id)
            if used:
                raise _refuse(400, "this QuickBooks answer was already used once (a replay).")
            if expired:
                raise _refuse(
                    400,
                    f"the connection was not finished within {STATE_SECONDS // 60} minutes of "
                    "clicking Connect (the request expired).",
                )
            if user_id != _user_id(viewer):
                raise _refuse(403, f"another user started this connection; {viewer.name} cannot finish it.")
            cookie = request.cookies.get(_cookie(tenant_id), "")
            if not cookie or not hmac.compare_digest(_sha(cookie), bytes(browser_sha)):
                raise _refuse(
                    403,
                    f"this browser did not start connecting tenant {tenant_id} (the state "
                    "belongs to another tenant's or another browser's Connect click).",
                )
            if conn.execute(load_sql("companies/oauth_state_use"), key).fetchone() is None:
                raise _refuse(400, "this QuickBooks answer was already used once (a replay).")
            if error:
                said = error if error in OAUTH_ERRORS else "an error"
                response = back_to_page(
                    request,
                    viewer,
                    tenant_id,
                    error=(
                        f"QuickBooks did not connect tenant {tenant_id} ({said}): nothing changed. Click Connect "
                        "again and approve the connection in QuickBooks."
                    ),
                )
            else:
                try:
                    settings = app_settings()
                    done = finish_connection(
                        conn,
                        tenant_id,
                        code=code or "",
                        realm_id=realmId or "",
                        redirect_uri=uri,
                        settings=settings,
                        cipher=TokenCipher.from_env(),
                    )
                except (QboError, AppSettingsError, EncryptionKeyError, ValueError, LookupError) as failure:
                    log.warning("%s could not connect tenant %s to QuickBooks: %s", viewer.name, tenant_id, failure)
                    response = back_to_page(
                        request,
                        viewer,
                        tenant_id,
                        error=(f"Tenant {tenant_id} was not connected to QuickBooks: {failure}"),
                    )
                else:
                    log.info("%s connected tenant %s to QuickBooks realm %s", viewer.name, tenant_id, done.realm_id)
                    response = back_to_page(
                        request,
                        viewer,
                        tenant_id,
                        msg=(
                            f"Connected tenant {tenant_id} to the QuickBooks company '{done.company_name}' "
                            f"(realm {done.realm_id}); its tokens are stored encrypted."
                        ),
                    )
        response.delete_cookie(_cookie(tenant_id), path=f"{request.scope.get('root_path', '')}/connect")
        return response
