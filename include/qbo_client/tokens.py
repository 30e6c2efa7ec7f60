"""Tokens and where they live.

The client never keeps the only copy of a refresh token: QuickBooks rotates it on
refresh, and a rotated token that was not saved is the peers' "invalid_grant every few
days". A :class:`TokenStore` owns the tokens of one company; its ``refresh`` must make
the whole read-refresh-save sequence exclusive for the realm (across processes, for a
shared store) and save the new refresh token durably before returning it.

:class:`MemoryTokenStore` is for tests and single-process library use; a deployment with
several workers implements :class:`TokenStore` over a shared database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from qbo_client.errors import InvalidGrant, ReconnectRequired

# Refresh a little before QuickBooks would refuse the token: clocks differ, calls take time.
EXPIRY_SKEW = timedelta(seconds=120)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TokenSet:
    """One company's tokens. ``repr`` never shows them."""

    access_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None

    def access_valid(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            bool(self.access_token)
            and self.access_expires_at is not None
            and self.access_expires_at - EXPIRY_SKEW > now
        )

    @classmethod
    def from_token_response(cls, payload: dict, now: datetime | None = None) -> TokenSet:
        """From the token endpoint's JSON (expires_in / x_refresh_token_expires_in seconds)."""
        now = now or utcnow()
        access_in = int(payload.get("expires_in") or 3600)
        refresh_in = payload.get("x_refresh_token_expires_in")
        return cls(
            access_token=str(payload["access_token"]),
            refresh_token=str(payload["refresh_token"]),
            access_expires_at=now + timedelta(seconds=access_in),
            refresh_expires_at=now + timedelta(seconds=int(refresh_in)) if refresh_in else None,
        )


Refresher = Callable[[str], TokenSet]


class TokenStore(Protocol):
    """The tokens of ONE company (realm)."""

    realm_id: str

    def current(self) -> TokenSet:
        """The stored tokens. Raises :class:`ReconnectRequired` when the company must be
        reconnected (no call is made for it until then)."""

    def refresh(self, refresher: Refresher, rejected_access_token: str | None) -> TokenSet:
        """Exclusively for this realm: re-read the stored tokens; if they hold a valid access
        token other than ``rejected_access_token`` (another worker refreshed already), return
        them; otherwise call ``refresher(refresh_token)``, save its result durably, return it.
        On :class:`InvalidGrant`, mark the company and raise :class:`ReconnectRequired`."""


class MemoryTokenStore:
    """Tokens in memory, one process: for tests and simple scripts."""

    def __init__(
        self,
        realm_id: str,
        refresh_token: str,
        access_token: str | None = None,
        access_expires_at: datetime | None = None,
        on_rotate: Callable[[TokenSet], None] | None = None,
    ) -> None:
        self.realm_id = realm_id
        self._tokens = TokenSet(access_token, refresh_token, access_expires_at, None)
        self._lock = threading.Lock()
        self._reconnect_reason: str | None = None
        self._on_rotate = on_rotate
        self.refresh_count = 0

    def __repr__(self) -> str:
        return f"MemoryTokenStore(realm_id={self.realm_id!r})"

    def current(self) -> TokenSet:
        if self._reconnect_reason:
            raise ReconnectRequired(self.realm_id, self._reconnect_reason)
        return self._tokens

    def refresh(self, refresher: Refresher, rejected_access_token: str | None) -> TokenSet:
        with self._lock:
            tokens = self.current()
            if tokens.access_token != rejected_access_token and tokens.access_valid():
                return tokens
            if not tokens.refresh_token:
                raise ReconnectRequired(self.realm_id, "no refresh token stored for this company")
            try:
                fresh = refresher(tokens.refresh_token)
            except InvalidGrant as refused:
                self._reconnect_reason = str(refused)
                raise ReconnectRequired(self.realm_id, self._reconnect_reason) from None
            if not fresh.refresh_token:
                fresh = replace(fresh, refresh_token=tokens.refresh_token)
            self._tokens = fresh
            self.refresh_count += 1
            if self._on_rotate:
                self._on_rotate(fresh)
            return fresh
