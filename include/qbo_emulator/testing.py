"""Run the emulator from tests: as a subprocess (default) or as a thread in this process.

    with EmulatorProcess("--minute-seconds", "2") as qbo:
        company = qbo.create_company(region="AU")
        ...  # point any QuickBooks client at qbo.base_url / qbo.discovery_url

A subprocess is the default because the project's DAG tests run Airflow in other
processes, which must reach the emulator over HTTP.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

INCLUDE_DIR = str(Path(__file__).resolve().parents[1])


class _ClientMixin:
    """Control-API helpers shared by the process and thread flavours."""

    base_url: str
    _session: requests.Session

    @property
    def discovery_url(self) -> str:
        return self.base_url + "/.well-known/openid_configuration/"

    @property
    def sandbox_discovery_url(self) -> str:
        return self.base_url + "/.well-known/openid_sandbox_configuration/"

    @property
    def api_url(self) -> str:
        """Base of the Accounting API, like https://quickbooks.api.intuit.com/v3."""
        return self.base_url + "/v3"

    @property
    def token_url(self) -> str:
        return self.base_url + "/oauth2/v1/tokens/bearer"

    def _call(self, method: str, path: str, json: Any = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        response = self._session.request(method, self.base_url + path, json=json, timeout=30)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def create_app(self, redirect_uris: list[str] | None = None) -> dict[str, Any]:
        return self._call("POST", "/_emulator/apps", {"redirect_uris": redirect_uris} if redirect_uris else None)

    def register_redirect_uri(self, client_id: str, uri: str) -> list[str]:
        """Register ``uri`` as a redirect URI of the app ``client_id``; returns all of them."""
        return self._call("POST", f"/_emulator/apps/{client_id}/redirect_uris", {"redirect_uris": [uri]})[
            "redirect_uris"
        ]

    def create_company(
        self, region: str = "AU", preferences: dict[str, Any] | None = None, client_id: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"region": region}
        if preferences is not None:
            body["preferences"] = preferences
        if client_id is not None:
            body["client_id"] = client_id
        return self._call("POST", "/_emulator/companies", body)

    def inject_fault(
        self, realm_id: str, kind: str, count: int = 1, path_contains: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, "count": count, **extra}
        if path_contains is not None:
            body["path_contains"] = path_contains
        return self._call("POST", f"/_emulator/companies/{realm_id}/faults", body)

    def clear_faults(self, realm_id: str) -> None:
        self._call("DELETE", f"/_emulator/companies/{realm_id}/faults")

    def refuse_write(
        self,
        realm_id: str,
        entity: str,
        record_id: str | None,
        operation: str = "update",
        count: int = 1,
        **fault: Any,
    ) -> list[dict[str, Any]]:
        """QuickBooks refuses the next ``count`` ``operation`` writes of ``entity`` ``record_id``
        with a ValidationFault (default 6000; ``code``, ``message``, ``detail``, ``element``):
        the item's Fault inside a batch's 200 answer, a 400 for a plain request. Returns those queued."""
        body: dict[str, Any] = {"entity": entity, "operation": operation, "count": count, **fault}
        if record_id is not None:
            body["id"] = record_id
        return self._call("POST", f"/_emulator/companies/{realm_id}/refusals", body)["refusals"]

    def clear_refusals(self, realm_id: str) -> None:
        self._call("DELETE", f"/_emulator/companies/{realm_id}/refusals")

    def start_chaos(
        self,
        realm_id: str,
        seed: int,
        probability: float,
        kinds: list[str] | None = None,
        path_contains: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Random faults on the company's API calls from now on (see README, control API)."""
        body: dict[str, Any] = {"seed": seed, "probability": probability, **extra}
        if kinds is not None:
            body["kinds"] = list(kinds)
        if path_contains is not None:
            body["path_contains"] = path_contains
        return self._call("POST", f"/_emulator/companies/{realm_id}/chaos", body)

    def chaos(self, realm_id: str) -> dict[str, Any]:
        return self._call("GET", f"/_emulator/companies/{realm_id}/chaos")

    def stop_chaos(self, realm_id: str) -> dict[str, Any]:
        """Stops random faults; returns what was injected, by kind."""
        return self._call("DELETE", f"/_emulator/companies/{realm_id}/chaos")

    def requests_log(self, realm_id: str) -> list[dict[str, Any]]:
        return self._call("GET", f"/_emulator/companies/{realm_id}/requests")["requests"]

    def stats(self, realm_id: str) -> dict[str, Any]:
        return self._call("GET", f"/_emulator/companies/{realm_id}/stats")

    def set_limits(self, realm_id: str, **limits: int) -> dict[str, Any]:
        """This company's rate limits (requests_per_second, requests_per_minute, ...)."""
        return self._call("PATCH", f"/_emulator/companies/{realm_id}/limits", limits)

    def set_read_budget(self, client_id: str, monthly_budget: int | None) -> dict[str, Any]:
        """The app's CorePlus (read) calls per month; None: unlimited. Returns this month's use."""
        return self._call("PUT", f"/_emulator/apps/{client_id}/reads", {"monthly_budget": monthly_budget})

    def read_usage(self, client_id: str) -> dict[str, Any]:
        return self._call("GET", f"/_emulator/apps/{client_id}/reads")

    def set_preferences(self, realm_id: str, **preferences: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/_emulator/companies/{realm_id}/preferences", preferences)

    def set_subscription_active(self, realm_id: str, active: bool) -> dict[str, Any]:
        return self._call("PATCH", f"/_emulator/companies/{realm_id}", {"subscription_active": active})

    def issue_tokens(self, realm_id: str) -> dict[str, Any]:
        """A fresh access + refresh token for the company, without the OAuth dance."""
        return self._call("POST", f"/_emulator/companies/{realm_id}/tokens", {})

    def merge_customers(self, realm_id: str, from_id: str, into_id: str) -> dict[str, Any]:
        """Merge customer ``from_id`` into ``into_id``, as a person does in QuickBooks' screens."""
        body = {"entity": "Customer", "from_id": from_id, "into_id": into_id}
        return self._call("POST", f"/_emulator/companies/{realm_id}/merge", body)

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self._call("POST", "/_emulator/clock", {"advance_seconds": seconds})

    def freeze_clock(self, frozen: bool = True) -> dict[str, Any]:
        """Stop (or restart) the emulator clock: every write then has the same MetaData time."""
        return self._call("POST", "/_emulator/clock", {"frozen": frozen})

    def reset(self) -> None:
        self._call("POST", "/_emulator/reset")

    def _wait_ready(self, deadline: float, alive: Any = lambda: True) -> None:
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError("the emulator exited during start-up")
            try:
                if self._session.get(self.base_url + "/_emulator/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException as error:
                last_error = error
            time.sleep(0.05)
        raise TimeoutError(f"the emulator did not answer at {self.base_url}: {last_error}")


class EmulatorProcess(_ClientMixin):
    """``python -m qbo_emulator`` in a subprocess on a free port; stopped on exit."""

    def __init__(
        self, *extra_args: str, host: str = "127.0.0.1", start_timeout: float = 30.0, env: dict[str, str] | None = None
    ) -> None:
        self.host = host
        self.extra_args = [str(a) for a in extra_args]
        self.start_timeout = start_timeout
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self.port = 0
        self._session = requests.Session()
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> EmulatorProcess:
        self._tmpdir = tempfile.TemporaryDirectory(prefix="qbo-emulator-")
        port_file = os.path.join(self._tmpdir.name, "port")
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONPATH"] = INCLUDE_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._log = open(os.path.join(self._tmpdir.name, "emulator.log"), "wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qbo_emulator",
                "--host",
                self.host,
                "--port",
                "0",
                "--port-file",
                port_file,
                *self.extra_args,
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.start_timeout
        while not os.path.exists(port_file):
            if self.process.poll() is not None:
                raise RuntimeError(f"the emulator exited at start: {self.output()}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("the emulator did not start")
            time.sleep(0.02)
        with open(port_file) as handle:
            self.port = int(handle.read().strip())
        self.base_url = f"http://{self.host}:{self.port}"
        self._wait_ready(deadline, alive=lambda: self.process is not None and self.process.poll() is None)
        return self

    def output(self) -> str:
        """What the server printed so far (its start line, errors)."""
        if self._tmpdir is None:
            return ""
        try:
            return Path(self._tmpdir.name, "emulator.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        self._session.close()
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class EmulatorThread(_ClientMixin):
    """uvicorn in a background thread of this process (fast start; same limits options)."""

    def __init__(self, config: Any = None, host: str = "127.0.0.1") -> None:
        from .config import EmulatorConfig

        self.config = config or EmulatorConfig()
        self.host = host
        self._session = requests.Session()
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self.base_url = ""
        self.port = 0
        self.app: Any = None

    def start(self) -> EmulatorThread:
        import uvicorn

        from .app import create_app

        self.app = create_app(self.config)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(1024)
        self.port = sock.getsockname()[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app, http="httptools", loop="asyncio", lifespan="off", access_log=False, log_level="error"
            )
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="qbo-emulator"
        )
        self._thread.start()
        self._sock = sock
        self._wait_ready(time.monotonic() + 15, alive=lambda: self._thread is not None and self._thread.is_alive())
        return self

    @property
    def store(self) -> Any:
        return self.app.state.store

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self._session.close()
        if getattr(self, "_sock", None) is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
