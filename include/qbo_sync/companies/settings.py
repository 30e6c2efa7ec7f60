"""The QuickBooks app's credentials and settings, outside Airflow.

From the environment: ``QBO_CLIENT_ID``, ``QBO_CLIENT_SECRET``, ``QBO_ENVIRONMENT``
(production | sandbox | custom), ``QBO_API_BASE_URL``, ``QBO_DISCOVERY_URL``,
``QBO_MINOR_VERSION``; or, for whatever those leave unset, the Airflow connection JSON in
``AIRFLOW_CONN_QUICKBOOKS_DEFAULT`` (login = client id, password = client secret, extra =
environment, api_base_url, discovery_url, minor_version and the rate-budget overrides).
Airflow is never imported here: the JSON is read as plain JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qbo_client import BudgetConfig, Environment, OAuthApp, RetryPolicy
from qbo_client.environments import DEFAULT_MINOR_VERSION

CONN_ENV = "AIRFLOW_CONN_QUICKBOOKS_DEFAULT"
BUDGET_KEYS = (
    "requests_per_minute",
    "batches_per_minute",
    "requests_per_second",
    "max_concurrent",
    "minute_seconds",
    "throttle_wait_seconds",
    "safety",
)
RETRY_KEYS = (
    "max_tries",
    "backoff_base",
    "backoff_cap",
    "max_replays",
    "connect_timeout",
    "read_timeout",
    "replay_unknown_writes",
)


class AppSettingsError(RuntimeError):
    pass


@dataclass(frozen=True)
class AppSettings:
    client_id: str
    client_secret: str = field(repr=False)
    environment: Environment = field(default_factory=Environment.production)
    minor_version: int = DEFAULT_MINOR_VERSION
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def oauth_app(self, **kwargs: Any) -> OAuthApp:
        return OAuthApp(self.client_id, self.client_secret, self.environment.discovery_url, **kwargs)

    @classmethod
    def from_connection(
        cls,
        login: str | None,
        password: str | None,
        extra: Mapping[str, Any] | str | None,
    ) -> AppSettings:
        """From a ``quickbooks`` connection's fields (Airflow's or the JSON's)."""
        extra = _extra_dict(extra)
        if not login or not password:
            raise AppSettingsError(
                "the quickbooks connection needs the app's client id as login and its client secret as "
                "password (see .env.example, AIRFLOW_CONN_QUICKBOOKS_DEFAULT)"
            )
        try:
            environment = Environment.named(
                extra.get("environment"), extra.get("api_base_url"), extra.get("discovery_url")
            )
        except ValueError as error:
            raise AppSettingsError(str(error)) from None
        minor = extra.get("minor_version")
        return cls(
            client_id=str(login),
            client_secret=str(password),
            environment=environment,
            minor_version=int(minor) if minor not in (None, "") else DEFAULT_MINOR_VERSION,
            budget=BudgetConfig.from_mapping({k: extra.get(k) for k in BUDGET_KEYS}),
            retry=RetryPolicy.from_mapping({k: extra.get(k) for k in RETRY_KEYS}),
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppSettings:
        env = os.environ if environ is None else environ
        conn: dict[str, Any] = {}
        raw = env.get(CONN_ENV)
        if raw:
            try:
                conn = json.loads(raw)
            except ValueError:
                raise AppSettingsError(
                    f'{CONN_ENV} must be the connection as JSON ({{"conn_type": "quickbooks", "login": ..., '
                    '"password": ..., "extra": {...}}), not a URI'
                ) from None
        extra = _extra_dict(conn.get("extra"))
        for key, name in (
            ("environment", "QBO_ENVIRONMENT"),
            ("api_base_url", "QBO_API_BASE_URL"),
            ("discovery_url", "QBO_DISCOVERY_URL"),
            ("minor_version", "QBO_MINOR_VERSION"),
        ):
            if env.get(name):
                extra[key] = env[name]
        login = env.get("QBO_CLIENT_ID") or conn.get("login")
        password = env.get("QBO_CLIENT_SECRET") or conn.get("password")
        if not login or not password:
            raise AppSettingsError(
                "no QuickBooks app credentials: set QBO_CLIENT_ID and QBO_CLIENT_SECRET (and QBO_ENVIRONMENT), "
                f"or {CONN_ENV} as JSON"
            )
        return cls.from_connection(login, password, extra)


def _extra_dict(extra: Mapping[str, Any] | str | None) -> dict[str, Any]:
    if not extra:
        return {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except ValueError:
            raise AppSettingsError("the quickbooks connection's extra must be a JSON object") from None
    if not isinstance(extra, Mapping):
        raise AppSettingsError("the quickbooks connection's extra must be a JSON object")
    return dict(extra)
