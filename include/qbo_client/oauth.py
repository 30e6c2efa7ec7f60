"""OAuth 2.0 with Intuit: discovery, refresh, authorization code, revoke.

Endpoints come from the OpenID discovery document of the environment (which is how the
emulator is reached). The client secret and tokens are never logged and never appear in
an exception's message or an object's repr.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import requests

from qbo_client.codes import CONNECTION_RESET, TIMEOUT
from qbo_client.errors import ConfigurationError, InvalidGrant, QboFaultError, TransientError
from qbo_client.faults import gateway_fault, parse_body
from qbo_client.tokens import TokenSet

log = logging.getLogger(__name__)

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"


class OAuthApp:
    """The app registered with Intuit (client id + secret) in one environment."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        discovery_url: str,
        *,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        max_tries: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
    ) -> None:
        if not client_id or not client_secret:
            raise ConfigurationError("the QuickBooks app needs a client id and a client secret")
        self.client_id = client_id
        self._client_secret = client_secret
        self.discovery_url = discovery_url
        self._session = session or requests.Session()
        self._timeout = timeout
        self._max_tries = max(1, max_tries)
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._discovery: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OAuthApp(client_id={self.client_id!r}, discovery_url={self.discovery_url!r})"

    # --- discovery -------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        with self._lock:
            if self._discovery is None:
                response = self._session.get(
                    self.discovery_url, timeout=self._timeout, headers={"Accept": "application/json"}
                )
                parsed = parse_body(response.status_code, response.headers.get("content-type", ""), response.content)
                if parsed.fault is not None or not isinstance(parsed.payload, dict):
                    raise ConfigurationError(
                        f"could not read the OpenID discovery document at {self.discovery_url} "
                        f"(HTTP {response.status_code})"
                    )
                self._discovery = parsed.payload
            return self._discovery

    def endpoint(self, name: str) -> str:
        url = self.discovery().get(name)
        if not url:
            raise ConfigurationError(f"the discovery document has no {name}")
        return str(url)

    # --- grants ----------------------------------------------------------------------
    def refresh(self, refresh_token: str) -> TokenSet:
        """Trade a refresh token for new tokens. Transient failures are retried with the SAME
        refresh token: QuickBooks keeps a rotated-out token working for about a day and
        answers it with the newest token, so a lost answer does not lose the chain."""
        return self._grant({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def exchange_code(self, code: str, redirect_uri: str) -> TokenSet:
        return self._grant({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def authorization_url(
        self, redirect_uri: str, state: str | None = None, scope: str = ACCOUNTING_SCOPE
    ) -> tuple[str, str]:
        """The page a person opens to connect a company; returns (url, state)."""
        state = state or secrets.token_urlsafe(16)
        query = urlencode(
            {
                "client_id": self.client_id,
                "response_type": "code",
                "scope": scope,
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{self.endpoint('authorization_endpoint')}?{query}", state

    def revoke(self, token: str) -> None:
        response = self._session.post(
            self.endpoint("revocation_endpoint"),
            json={"token": token},
            timeout=self._timeout,
            auth=(self.client_id, self._client_secret),
            headers={"Accept": "application/json"},
        )
        if response.status_code >= 400:
            parsed = parse_body(response.status_code, response.headers.get("content-type", ""), response.content)
            raise QboFaultError(
                parsed.fault or gateway_fault(f"http_{response.status_code}", response.status_code, "revoke failed")
            )

    def _grant(self, form: dict[str, str]) -> TokenSet:
        url = self.endpoint("token_endpoint")
        last = None
        for attempt in range(1, self._max_tries + 1):
            try:
                response = self._session.post(
                    url,
                    data=form,
                    auth=(self.client_id, self._client_secret),
                    timeout=self._timeout,
                    headers={"Accept": "application/json"},
                )
            except requests.Timeout:
                last = gateway_fault(TIMEOUT, None, "the token endpoint did not answer in time")
            except requests.ConnectionError:
                last = gateway_fault(CONNECTION_RESET, None, "the connection to the token endpoint dropped")
            else:
                parsed = parse_body(response.status_code, response.headers.get("content-type", ""), response.content)
                if parsed.fault is None and isinstance(parsed.payload, dict) and parsed.payload.get("access_token"):
                    log.debug("token endpoint: new tokens issued (grant %s)", form["grant_type"])
                    return TokenSet.from_token_response(parsed.payload)
                fault = parsed.fault or gateway_fault(
                    "unparseable_body", response.status_code, "the token endpoint answered without tokens"
                )
                if fault.code == "invalid_grant":
                    raise InvalidGrant(fault.detail)
                if not fault.retryable:
                    raise QboFaultError(fault)
                last = fault
            log.info("token endpoint: %s (try %s of %s)", last.code, attempt, self._max_tries)
            if attempt < self._max_tries:
                time.sleep(random.uniform(0, min(self._backoff_cap, self._backoff_base * 2 ** (attempt - 1))))
        raise TransientError(last)  # type: ignore[arg-type]
