"""Settings of one emulator instance (limits, token lifetimes, the app's credentials)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field


def _new_client_id() -> str:
    # Real client ids look like "AB" + 48 alphanumerics; the shape does not matter to clients.
    return "AB" + secrets.token_hex(24)


def _new_client_secret() -> str:
    return secrets.token_hex(20)


@dataclass
class EmulatorConfig:
    """Everything the emulator can be told at start.

    The defaults are QuickBooks Online's published numbers; tests shrink
    ``minute_seconds`` so the real rules play out in seconds.
    """

    # The default app, shared by every company (one app connects many companies).
    client_id: str = field(default_factory=_new_client_id)
    client_secret: str = field(default_factory=_new_client_secret)
    # The default app's registered redirect URIs (Intuit: the app's Keys & OAuth settings).
    redirect_uris: tuple[str, ...] = ()

    # Throttling, per realm and app.
    limits_enabled: bool = True
    requests_per_minute: int = 500
    batches_per_minute: int = 40
    max_concurrent: int = 10
    # About 10 requests a second per realm and app besides the 500 a minute (Intuit's "API call
    # limits and throttles" page). The "second" is a sixtieth of ``minute_seconds``, so tests
    # that shrink the minute shrink the second with it. 0 = no per-second limit.
    requests_per_second: int = 10
    minute_seconds: float = 60.0
    # CorePlus (read) calls each app may make per calendar month (UTC, emulator clock) before
    # QuickBooks blocks them until the next month (App Partner Program). None = unlimited.
    monthly_read_budget: int | None = None
    max_batch_items: int = 30

    # OAuth, in seconds of the emulator clock.
    access_token_lifetime: int = 3600
    refresh_token_lifetime: int = 8_726_400  # 101 days, what Intuit reports in x_refresh_token_expires_in
    refresh_grace_seconds: int = 86_400  # how long a rotated-out refresh token keeps working
    authorization_code_lifetime: int = 300

    # How long a requestid is remembered (emulator clock); QuickBooks does not document it.
    requestid_window_seconds: int = 86_400
    # CDC looks back at most this many days.
    cdc_max_days: int = 30
    # At most this many objects in one CDC answer.
    cdc_max_objects: int = 1000

    # Added to every API call before it is handled, to make concurrency visible (real QBO
    # takes a few hundred milliseconds per call). 0 = answer at once.
    latency_ms: float = 0.0

    # Requests kept in each company's request log (oldest dropped first).
    request_log_size: int = 10_000
    access_log: bool = False
