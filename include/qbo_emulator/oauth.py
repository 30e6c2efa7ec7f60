"""OAuth 2.0 / OpenID Connect endpoints, shaped like Intuit's.

Discovery documents point back at this server (its request base URL), so clients find
the authorize page, token and revocation endpoints here. Refresh tokens rotate on every
refresh; a rotated-out token keeps working for ``refresh_grace_seconds`` of the emulator
clock and answers with the newest token of its chain, then gives ``invalid_grant``.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .api import apply_connection_fault, injected_outcome, log_request, match_fault
from .responses import drop_connection, json_response
from .seed import new_company
from .store import AuthorizationCode, Company, Grant, Store

TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/oauth2/v1/tokens/revoke"
AUTHORIZE_PATH = "/connect/oauth2"
USERINFO_PATH = "/v1/openid_connect/userinfo"
JWKS_PATH = "/op/v1/jwks"


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def discovery(request: Request) -> Response:
    base = _base_url(request)
    return json_response(
        {
            "issuer": base + "/op/v1",
            "authorization_endpoint": base + AUTHORIZE_PATH,
            "token_endpoint": base + TOKEN_PATH,
            "userinfo_endpoint": base + USERINFO_PATH,
            "revocation_endpoint": base + REVOKE_PATH,
            "jwks_uri": base + JWKS_PATH,
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "address", "phone", "com.intuit.quickbooks.accounting"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        }
    )


def jwks(request: Request) -> Response:
    return json_response({"keys": []})


def _client(store: Store, request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, client_secret = decoded.partition(":")
    app = store.apps.get(client_id)
    if app is None or not secrets.compare_digest(app.client_secret, client_secret):
        return None
    return client_id, client_secret


# Intuit's connection-error page for an unregistered redirect URI, in its words as users
# report them (github.com/intuit/quickbooks-online-mcp-server/issues/51, 2026-05;
# github.com/vm0-ai/vm0/issues/25780, 2026-08): "Uh oh, there's a connection problem." and,
# under "View error details (for Developers)", the sentence below. Intuit's HTTP status for
# this page is not documented: 400 here (unconfirmed).
REDIRECT_URI_INVALID = (
    "The redirect_uri query parameter value is invalid. Make sure it is listed in the "
    "Redirect URIs section on your app's keys tab and matches it exactly."
)


def _redirect_uri_error_page() -> Response:
    return HTMLResponse(
        "<!doctype html><title>Connection problem</title>"
        "<h1>Uh oh, there’s a connection problem.</h1>"
        "<p>Sorry, but the app didn’t connect. Please try again later, or contact customer support.</p>"
        f'<details><summary>View error details (for Developers)</summary><p id="error-details">'
        f"{REDIRECT_URI_INVALID}</p></details>",
        status_code=400,
    )


def _invalid_client() -> Response:
    return json_response({"error": "invalid_client"}, 401)


def _invalid_grant(description: str) -> Response:
    return json_response({"error": "invalid_grant", "error_description": description}, 400)


class OAuth:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- authorize page: approves at once -------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        """No human here: the page approves at once and redirects (302) to the redirect URI,
        as Intuit's does after the user clicks Connect - but only to a redirect URI
        registered for the app, compared exactly. Any other gets Intuit's error page and no
        redirect (RFC 6749 4.1.2.1: never redirect to an unverified URI)."""
        store = self.store
        params = request.query_params
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        app = store.apps.get(client_id)
        if app is None:
            return HTMLResponse("<h1>Invalid client_id</h1>", status_code=400)
        if not redirect_uri:
            return HTMLResponse("<h1>Missing redirect_uri</h1>", status_code=400)
        if redirect_uri not in app.redirect_uris:
            return _redirect_uri_error_page()
        if params.get("response_type", "code") != "code":
            return RedirectResponse(
                redirect_uri
                + "?"
                + urlencode({"error": "unsupported_response_type", "state": params.get("state", "")}),
                status_code=302,
            )
        realm_id = params.get("realm_id") or params.get("realmId")
        if realm_id is not None and realm_id not in store.companies:
            return HTMLResponse("<h1>Unknown realm_id</h1>", status_code=400)
        if realm_id is None:
            # The user picks a company: the newest one of this app, or a fresh US company.
            mine = [c for c in store.companies.values() if c.client_id == client_id]
            if mine:
                realm_id = mine[-1].realm_id
            else:
                realm_id = new_company(store, "US", {}, client_id).realm_id
        code = AuthorizationCode(
            "AB" + secrets.token_urlsafe(24),
            client_id,
            realm_id,
            redirect_uri,
            store.clock.time() + store.config.authorization_code_lifetime,
        )
        store.auth_codes[code.code] = code
        query = {"code": code.code, "realmId": realm_id}
        if "state" in params:
            query["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(redirect_uri + separator + urlencode(query), status_code=302)

    # --- token endpoint -----------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        store = self.store
        started = time.perf_counter()
        body = await request.body()
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        company = self._company_for(form)
        rule = None
        if company is not None and company.fault_rules:
            rule = match_fault(company, request.scope["path"])
        if rule is not None:
            company.stats.faults_injected += 1
            if rule.kind in ("reset", "timeout"):
                log_request(company, request.scope, None, None, rule.kind, started, store)
                await apply_connection_fault(rule, request)
                return Response(b"", status_code=499)
            if rule.kind != "commit_then_drop":
                outcome = injected_outcome(rule, company, store)
                log_request(company, request.scope, outcome.status, None, rule.kind, started, store)
                return outcome.response()
        response = self._token(request, form)
        if company is not None:
            log_request(
                company,
                request.scope,
                response.status_code,
                None,
                rule.kind if rule is not None else None,
                started,
                store,
            )
        if rule is not None:  # commit_then_drop: the token rotated, the caller never hears of it
            await drop_connection(request)
            return Response(b"", status_code=499)
        return response

    def _company_for(self, form: dict[str, str]) -> Company | None:
        store = self.store
        grant_type = form.get("grant_type")
        realm_id = None
        if grant_type == "refresh_token":
            record = store.refresh_tokens.get(form.get("refresh_token", ""))
            realm_id = record.grant.realm_id if record else None
        elif grant_type == "authorization_code":
            code = store.auth_codes.get(form.get("code", ""))
            realm_id = code.realm_id if code else None
        return store.companies.get(realm_id) if realm_id else None

    def _token(self, request: Request, form: dict[str, str]) -> Response:
        store = self.store
        client = _client(store, request)
        if client is None:
            return _invalid_client()
        client_id = client[0]
        grant_type = form.get("grant_type")
        now = store.clock.time()
        if grant_type == "refresh_token":
            record = store.refresh_tokens.get(form.get("refresh_token", ""))
            if record is None or record.grant.client_id != client_id:
                return _invalid_grant("Incorrect or invalid refresh token")
            if record.grant.revoked:
                return _invalid_grant("Token has been revoked")
            if record.expires_at <= now:
                return _invalid_grant("Incorrect or invalid refresh token")
            if record.replaced_by is not None:
                if now - (record.replaced_at or now) > store.config.refresh_grace_seconds:
                    return _invalid_grant("Incorrect or invalid refresh token")
                latest = record
                while latest.replaced_by is not None:
                    latest = store.refresh_tokens[latest.replaced_by]
                access = store.issue_access_token(record.grant)
                return json_response(store.token_response(access, latest))
            access, fresh = store.issue_tokens(record.grant)
            record.replaced_by = fresh.token
            record.replaced_at = now
            return json_response(store.token_response(access, fresh))
        if grant_type == "authorization_code":
            code = store.auth_codes.get(form.get("code", ""))
            if (
                code is None
                or code.used
                or code.client_id != client_id
                or code.expires_at <= now
                or code.redirect_uri != form.get("redirect_uri", "")
            ):
                return _invalid_grant("Invalid authorization code")
            code.used = True
            grant = Grant(code.realm_id, client_id)
            access, refresh = store.issue_tokens(grant)
            return json_response(store.token_response(access, refresh))
        return json_response({"error": "unsupported_grant_type"}, 400)

    # --- revocation ---------------------------------------------------------------------
    async def revoke(self, request: Request) -> Response:
        store = self.store
        if _client(store, request) is None:
            return _invalid_client()
        body = await request.body()
        token = None
        if body.strip().startswith(b"{"):
            try:
                token = json.loads(body).get("token")
            except ValueError:
                token = None
        else:
            token = parse_qs(body.decode("utf-8", "replace")).get("token", [None])[0]
        if not token:
            return json_response({"error": "invalid_request"}, 400)
        record: Any = store.refresh_tokens.get(token) or store.access_tokens.get(token)
        if record is not None:
            # Revoking disconnects the app from the company: every token of the grant dies.
            record.grant.revoked = True
        return Response(b"", status_code=200)

    async def userinfo(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        access = self.store.access_tokens.get(token)
        if access is None or access.grant.revoked or access.expires_at <= self.store.clock.time():
            return json_response({"error": "invalid_token"}, 401)
        return json_response(
            {
                "sub": "emulator-" + access.grant.realm_id,
                "email": "owner@example.com",
                "emailVerified": True,
                "givenName": "Emulated",
                "familyName": "Owner",
            }
        )
