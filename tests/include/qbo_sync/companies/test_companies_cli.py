"""``python -m qbo_sync.companies``: connect (token from stdin), authorize, status, disconnect."""

from __future__ import annotations

import io
import json

import pytest

from qbo_sync.companies import client_for_tenant, connection_status
from qbo_sync.companies.cli import main


@pytest.fixture
def app_env(emu, monkeypatch, fernet_key):
    company = emu.create_company(region="AU")
    monkeypatch.delenv("QBO_CLIENT_ID", raising=False)
    monkeypatch.delenv("QBO_CLIENT_SECRET", raising=False)
    monkeypatch.setenv(
        "AIRFLOW_CONN_QUICKBOOKS_DEFAULT",
        json.dumps(
            {
                "conn_type": "quickbooks",
                "login": company["client_id"],
                "password": company["client_secret"],
                "extra": {
                    "environment": "custom",
                    "api_base_url": emu.base_url,
                    "discovery_url": emu.sandbox_discovery_url,
                    "requests_per_minute": 10000,
                    "batches_per_minute": 10000,
                    "requests_per_second": 0,
                },
            }
        ),
    )
    return company


def run(*argv, stdin=""):
    out = io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_connect_reads_the_token_from_stdin_and_verifies(db, database_url, emu, app_env):
    code, out = run(
        "--database-url",
        database_url,
        "connect",
        "--tenant-id",
        "7",
        "--realm-id",
        app_env["realm_id"],
        "--refresh-token-stdin",
        stdin=app_env["refresh_token"] + "\n",
    )
    assert code == 0, out
    assert "connected to" in out and app_env["refresh_token"] not in out
    code, out = run("--database-url", database_url, "status")
    assert code == 0 and "7" in out and app_env["realm_id"] in out and "connected" in out
    assert app_env["refresh_token"] not in out


def test_connect_with_a_bad_token_leaves_reconnect_required(db, database_url, emu, app_env, capsys):
    code, _ = run(
        "--database-url",
        database_url,
        "connect",
        "--tenant-id",
        "8",
        "--realm-id",
        app_env["realm_id"],
        "--refresh-token-stdin",
        stdin="RT1-not-a-real-token\n",
    )
    assert code == 1
    assert "must be reconnected" in capsys.readouterr().err
    assert {s.tenant_id: s.status for s in connection_status(db)}[8] == "reconnect_required"
    code, out = run("--database-url", database_url, "status")
    assert "reconnect_required" in out and "python -m qbo_sync.companies authorize" in out


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_authorize_against_the_emulator_then_disconnect(db, database_url, emu, app_env):
    # The emulator, like QuickBooks, redirects only to a redirect URI registered for the app:
    # the listener's URI is registered first (it used to approve any URI).
    port = _free_port()
    emu.register_redirect_uri(app_env["client_id"], f"http://localhost:{port}/callback")
    code, out = run(
        "--database-url",
        database_url,
        "authorize",
        "--tenant-id",
        "9",
        "--realm-id",
        app_env["realm_id"],
        "--port",
        str(port),
        "--timeout",
        "20",
    )
    assert code == 0, out
    # finish_connection read the company through the stored tokens.
    assert f"connected to realm {app_env['realm_id']} ('" in out
    with client_for_tenant(database_url, 9) as qbo:
        assert qbo.query("select * from CompanyInfo")
    code, out = run("--database-url", database_url, "disconnect", "--tenant-id", "9")
    assert code == 0
    assert {s.tenant_id: s.status for s in connection_status(db)}[9] == "disconnected"


def test_authorize_with_an_unregistered_redirect_uri_connects_nothing(db, database_url, emu, app_env, capsys):
    port = _free_port()  # never registered with the app
    code, out = run(
        "--database-url",
        database_url,
        "authorize",
        "--tenant-id",
        "10",
        "--realm-id",
        app_env["realm_id"],
        "--port",
        str(port),
        "--timeout",
        "1",
    )
    assert code == 1
    assert "no redirect within" in capsys.readouterr().err
    assert 10 not in {s.tenant_id for s in connection_status(db)}


def test_connect_refuses_a_token_on_the_command_line():
    with pytest.raises(SystemExit):
        main(["connect", "--tenant-id", "1", "--realm-id", "1", "--refresh-token", "RT1-x"])


class _Terminal(io.StringIO):
    """stdout of an authorize running on a thread: the test reads the URL it prints."""

    def wait_for(self, text: str, seconds: float = 20) -> str:
        import time

        deadline = time.monotonic() + seconds
        while text not in self.getvalue():
            assert time.monotonic() < deadline, f"{text!r} never printed: {self.getvalue()!r}"
            time.sleep(0.05)
        return self.getvalue()


def _authorize_in_background(database_url, app_env, port, tenant_id):
    """authorize with a redirect URI the emulator does not know yet, so it prints the URL
    and waits (as with real QuickBooks): returns (thread, terminal, result holder)."""
    import threading

    out, result = _Terminal(), {}

    def go():
        try:
            result["code"] = main(
                [
                    "--database-url",
                    database_url,
                    "authorize",
                    "--tenant-id",
                    str(tenant_id),
                    "--realm-id",
                    app_env["realm_id"],
                    "--port",
                    str(port),
                    "--timeout",
                    "30",
                ],
                stdin=io.StringIO(""),
                stdout=out,
            )
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            result["raised"] = exc

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    printed = out.wait_for("Waiting for QuickBooks")
    url = next(line.strip() for line in printed.splitlines() if line.strip().startswith("http"))
    return thread, url, result


def test_authorize_listens_only_on_its_callback_with_its_state(db, database_url, emu, app_env, capsys):
    """Issue 16.6: a stray request (/favicon.ico, another path, a forged callback with a wrong
    or no state) neither ends the wait nor is reported; the real redirect still connects."""
    from urllib.parse import parse_qs, urlparse

    import requests

    port = _free_port()
    thread, url, result = _authorize_in_background(database_url, app_env, port, 11)
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/favicon.ico", timeout=10).status_code == 404
    assert requests.get(f"{base}/evil?state=x&code=y", timeout=10).status_code == 404
    forged = requests.get(f"{base}/callback", params={"state": "forged", "error": "access_denied"}, timeout=10)
    assert forged.status_code == 400 and "state does not match" in forged.text
    assert requests.get(f"{base}/callback", params={"code": "c", "realmId": "1"}, timeout=10).status_code == 400
    assert thread.is_alive()  # still waiting for the real answer
    # Now QuickBooks answers: the browser lands on the callback with the code and the state.
    emu.register_redirect_uri(app_env["client_id"], f"http://localhost:{port}/callback")
    approved = requests.get(url, allow_redirects=False, timeout=10)
    location = approved.headers["location"]
    assert parse_qs(urlparse(location).query).get("state") and "code=" in location
    assert requests.get(location.replace("localhost", "127.0.0.1"), timeout=10).status_code == 200
    thread.join(30)
    assert result.get("code") == 0, (result, capsys.readouterr().err)
    assert {s.tenant_id: s.status for s in connection_status(db)}[11] == "connected"


def test_authorize_reports_a_refusal_only_with_its_state_and_without_terminal_escapes(
    db, database_url, emu, app_env, capsys
):
    from urllib.parse import parse_qs, urlparse

    import requests

    port = _free_port()
    thread, url, result = _authorize_in_background(database_url, app_env, port, 12)
    state = parse_qs(urlparse(url).query)["state"][0]
    hostile = "access_denied\x1b]0;pwned\x07\x1b[2J\r\nerror: fake"
    base = f"http://127.0.0.1:{port}/callback"
    # A refusal with the wrong state is not reported (it used to end the wait with its text).
    assert requests.get(base, params={"state": state + "x", "error": hostile}, timeout=10).status_code == 400
    assert thread.is_alive()
    answered = requests.get(
        base, params={"state": state, "error": hostile, "error_description": "The user said no\x1b[31m\x08"}, timeout=10
    )
    assert answered.status_code == 200 and "did not connect" in answered.text
    thread.join(30)
    assert result.get("code") == 1
    err = capsys.readouterr().err
    assert (
        "QuickBooks did not authorize the connection (access_denied?]0;pwned??[2J??error: fake: "
        "The user said no?[31m?); nothing was saved" in err
    )
    assert not any(c in err for c in "\x1b\x07\x08\r")
    assert 12 not in {s.tenant_id for s in connection_status(db)}
