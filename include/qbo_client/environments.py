"""Where QuickBooks is: the API host and the OpenID discovery document."""

from __future__ import annotations

from dataclasses import dataclass

PRODUCTION_API = "https://quickbooks.api.intuit.com"
SANDBOX_API = "https://sandbox-quickbooks.api.intuit.com"
PRODUCTION_DISCOVERY = "https://developer.api.intuit.com/.well-known/openid_configuration/"
SANDBOX_DISCOVERY = "https://developer.api.intuit.com/.well-known/openid_sandbox_configuration/"

DEFAULT_MINOR_VERSION = 75  # since 2025-08 anything lower is treated as 75 anyway


@dataclass(frozen=True)
class Environment:
    name: str  # production | sandbox | custom
    api_base_url: str  # without /v3
    discovery_url: str

    @classmethod
    def production(cls) -> Environment:
        return cls("production", PRODUCTION_API, PRODUCTION_DISCOVERY)

    @classmethod
    def sandbox(cls) -> Environment:
        return cls("sandbox", SANDBOX_API, SANDBOX_DISCOVERY)

    @classmethod
    def custom(cls, api_base_url: str, discovery_url: str) -> Environment:
        if not api_base_url or not discovery_url:
            raise ValueError("a custom QuickBooks environment needs api_base_url and discovery_url")
        return cls("custom", _strip_v3(api_base_url), discovery_url)

    @classmethod
    def named(cls, name: str | None, api_base_url: str | None = None, discovery_url: str | None = None) -> Environment:
        """production | sandbox | custom (custom needs both URLs)."""
        key = (name or "production").strip().lower()
        if key == "production":
            return cls.production()
        if key == "sandbox":
            return cls.sandbox()
        if key == "custom":
            return cls.custom(api_base_url or "", discovery_url or "")
        raise ValueError(f"unknown QuickBooks environment {name!r}: use production, sandbox or custom")


def _strip_v3(url: str) -> str:
    url = url.rstrip("/")
    return url[: -len("/v3")] if url.endswith("/v3") else url
