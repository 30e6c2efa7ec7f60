"""Fixtures for the emulator's own tests.

``qbo`` is one in-process emulator (limits off) shared by the session: every test makes its
own company, so tests do not see each other's records. ``limited_qbo`` is a SUBPROCESS with
a 2-second "minute" and small limits, used by the throttling tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from qbo_emulator.config import EmulatorConfig
from qbo_emulator.testing import EmulatorProcess, EmulatorThread


class Company:
    """A company plus an authenticated session on the emulator's API."""

    def __init__(self, emulator: Any, info: dict[str, Any]) -> None:
        self.emulator = emulator
        self.info = info
        self.realm_id: str = info["realm_id"]
        self.session = requests.Session()
        tokens = emulator.issue_tokens(self.realm_id)
        self.access_token: str = tokens["access_token"]
        self.session.headers.update({"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"})

    @property
    def url(self) -> str:
        return f"{self.emulator.base_url}/v3/company/{self.realm_id}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(f"{self.url}/{path}", params={"minorversion": "75", **params}, timeout=30)

    def post(self, path: str, body: Any, **params: Any) -> requests.Response:
        return self.session.post(f"{self.url}/{path}", json=body, params={"minorversion": "75", **params}, timeout=30)

    def ok(self, path: str, body: Any, **params: Any) -> dict[str, Any]:
        """POST that must succeed; returns the entity (the single non-"time" member)."""
        response = self.post(path, body, **params)
        assert response.status_code == 200, response.text
        payload = response.json()
        return next(v for k, v in payload.items() if k != "time")

    def fault(self, path: str, body: Any, status: int = 400, **params: Any) -> dict[str, Any]:
        """POST that must fail; returns the first Error of the Fault."""
        response = self.post(path, body, **params)
        assert response.status_code == status, response.text
        return response.json()["Fault"]["Error"][0]

    def query(self, text: str) -> dict[str, Any]:
        response = self.get("query", query=text)
        assert response.status_code == 200, response.text
        return response.json()["QueryResponse"]

    def customer(self, name: str, **fields: Any) -> dict[str, Any]:
        return self.ok("customer", {"DisplayName": name, **fields})

    def invoice(
        self, customer_id: str, amount: str = "100.00", tax_code: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        if tax_code is None:
            tax_code = self.info["tax_codes"].get("GST") or self.info["tax_codes"].get("NON")
        line = {
            "Amount": float(amount),
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {
                "ItemRef": {"value": self.info["service_item_id"]},
                "Qty": 1,
                "UnitPrice": float(amount),
                "TaxCodeRef": {"value": tax_code},
            },
        }
        return self.ok("invoice", {"CustomerRef": {"value": customer_id}, "Line": [line], **fields})


@pytest.fixture(scope="session")
def qbo() -> Iterator[EmulatorThread]:
    with EmulatorThread(EmulatorConfig(limits_enabled=False)) as emulator:
        yield emulator


@pytest.fixture
def make_company(qbo: EmulatorThread) -> Any:
    """``make_company(region="AU", preferences={...}, client_id=None)`` -> a new :class:`Company`
    (``client_id``: of another app)."""

    def make(region: str = "AU", preferences: dict[str, Any] | None = None, client_id: str | None = None) -> Company:
        return Company(qbo, qbo.create_company(region=region, preferences=preferences, client_id=client_id))

    return make


@pytest.fixture
def au(qbo: EmulatorThread) -> Company:
    return Company(qbo, qbo.create_company(region="AU"))


@pytest.fixture
def us(qbo: EmulatorThread) -> Company:
    return Company(qbo, qbo.create_company(region="US"))


@pytest.fixture
def uk(qbo: EmulatorThread) -> Company:
    return Company(qbo, qbo.create_company(region="UK"))


# The per-second limit is off here: with a 2-second minute its "second" is 1/30 s, which
# back-to-back test requests would exceed; it has its own tests (test_qboemu_faults_limits).
LIMITED_ARGS = (
    "--minute-seconds",
    "2",
    "--requests-per-minute",
    "30",
    "--batches-per-minute",
    "4",
    "--max-concurrent",
    "10",
    "--requests-per-second",
    "0",
)


@pytest.fixture(scope="session")
def limited_qbo() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(*LIMITED_ARGS) as emulator:
        yield emulator
