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
    monkeypatch.setenv("AIRFLOW_CONN_QUICKBOOKS_DEFAULT", json.dumps({
        "conn_type": "quickbooks", "login": company["client_id"], "password": company["client_secret"],
        "extra": {"environment": "custom", "api_base_url": emu.base_url,
                  "discovery_url": emu.sandbox_discovery_url, "requests_per_minute": 10000,
                  "batches_per_minute": 10000, "requests_per_second": 0}}))
    return company


def run(*argv, stdin=""):
    out = io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_connect_reads_the_token_from_stdin_and_verifies(db, database_url, emu, app_env):
    code, out = run("--database-url", database_url, "connect", "--tenant-id", "7", "--realm-id",
                    app_env["realm_id"], "--refresh-token-stdin", stdin=app_env["refresh_token"] + "\n")
    assert code == 0, out
    assert "connected to" in out and app_env["refresh_token"] not in out
    code, out = run("--database-url", database_url, "status")
    assert code == 0 and "7" in out and app_env["realm_id"] in out and "connected" in out
    assert app_env["refresh_token"] not in out


def test_connect_with_a_bad_token_leaves_reconnect_required(db, database_url, emu, app_env, capsys):
    code, _ = run("--database-url", database_url, "connect", "--tenant-id", "8", "--realm-id",
                  app_env["realm_id"], "--refresh-token-stdin", stdin="RT1-not-a-real-token\n")
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
    code, out = run("--database-url", database_url, "authorize", "--tenant-id", "9", "--realm-id",
                    app_env["realm_id"], "--port", str(port), "--timeout", "20")
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
    code, out = run("--database-url", database_url, "authorize", "--tenant-id", "10", "--realm-id",
                    app_env["realm_id"], "--port", str(port), "--timeout", "1")
    assert code == 1
    assert "no redirect within" in capsys.readouterr().err
    assert 10 not in {s.tenant_id for s in connection_status(db)}


def test_connect_refuses_a_token_on_the_command_line():
    with pytest.raises(SystemExit):
        main(["connect", "--tenant-id", "1", "--realm-id", "1", "--refresh-token", "RT1-x"])
