"""The company decides: connect/authorize record the company's country, home currency,
multicurrency and tax model, and say where the tenant's history starts (--sync-from)."""

from __future__ import annotations

import io
import json
import socket
from datetime import UTC, datetime

import pytest

from qbo_sync.companies.cli import main


@pytest.fixture
def app_env(emu, monkeypatch, fernet_key):
    app = emu.create_app()
    monkeypatch.delenv("QBO_CLIENT_ID", raising=False)
    monkeypatch.delenv("QBO_CLIENT_SECRET", raising=False)
    monkeypatch.setenv(
        "AIRFLOW_CONN_QUICKBOOKS_DEFAULT",
        json.dumps(
            {
                "conn_type": "quickbooks",
                "login": app["client_id"],
                "password": app["client_secret"],
                "extra": {
                    "environment": "custom",
                    "api_base_url": emu.base_url,
                    "discovery_url": emu.sandbox_discovery_url,
                },
            }
        ),
    )
    return app


def company(emu, app, region):
    return emu.create_company(region=region, client_id=app["client_id"])


def run(*argv, stdin=""):
    out = io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def facts(db, tenant_id):
    return db.execute(
        "SELECT region, company_country, home_currency, multicurrency_enabled, tax_model,"
        " company_name FROM qbo_sync.tenant_settings WHERE tenant_id = %s",
        (tenant_id,),
    ).fetchone()


def connected_at(db, tenant_id):
    return db.execute(
        "SELECT connected_at FROM qbo_sync.tenant_connections WHERE tenant_id = %s", (tenant_id,)
    ).fetchone()[0]


@pytest.mark.parametrize(
    "region, expected",
    [
        ("AU", ("AU", "AU", "AUD", False, "tax_codes")),
        ("UK", ("UK", "GB", "GBP", False, "tax_codes")),
        ("US", ("US", "US", "USD", False, "us_automated_sales_tax")),
    ],
)
def test_connect_records_what_the_company_says(db, database_url, emu, app_env, region, expected):
    c = company(emu, app_env, region)
    code, out = run(
        "--database-url",
        database_url,
        "connect",
        "--tenant-id",
        "1",
        "--realm-id",
        c["realm_id"],
        "--refresh-token-stdin",
        stdin=c["refresh_token"] + "\n",
    )
    assert code == 0, out
    assert facts(db, 1)[:5] == expected
    name = facts(db, 1)[5]
    assert name.startswith("Emulated") and f"connected to '{name}'" in out
    country = {"AU": "Australia", "UK": "the United Kingdom", "US": "the United States"}[region]
    assert f"recorded QuickBooks company '{name}': {country}" in out
    # Default sync-from: now, said aloud with how to choose another.
    assert "the moment of connecting, the default); records finalized before" in out and "will not sync" in out
    assert "python -m qbo_sync.tenants set --tenant-id 1 --sync-from YYYY-MM-DD" in out
    assert (datetime.now(UTC) - connected_at(db, 1)).total_seconds() < 120


def test_connect_with_sync_from_sets_where_history_starts(db, database_url, emu, app_env):
    c = company(emu, app_env, "AU")
    code, out = run(
        "--database-url",
        database_url,
        "connect",
        "--tenant-id",
        "2",
        "--realm-id",
        c["realm_id"],
        "--refresh-token-stdin",
        "--sync-from",
        "2026-07-01",
        stdin=c["refresh_token"] + "\n",
    )
    assert code == 0, out
    assert connected_at(db, 2) == datetime(2026, 7, 1, tzinfo=UTC)
    assert "records finalized before 2026-07-01 will not sync" in out and "chosen with --sync-from" in out


def test_connect_refuses_a_sync_from_that_is_not_a_date(db, database_url, emu, app_env, capsys):
    with pytest.raises(SystemExit):
        run(
            "--database-url",
            database_url,
            "connect",
            "--tenant-id",
            "2",
            "--realm-id",
            "1",
            "--refresh-token-stdin",
            "--sync-from",
            "last July",
        )
    assert "is not a date: write it as YYYY-MM-DD" in capsys.readouterr().err


def test_authorize_records_the_company_and_its_sync_from(db, database_url, emu, app_env):
    c = company(emu, app_env, "UK")
    # The emulator, like QuickBooks, redirects only to a redirect URI registered for the app.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    emu.register_redirect_uri(app_env["client_id"], f"http://localhost:{port}/callback")
    code, out = run(
        "--database-url",
        database_url,
        "authorize",
        "--tenant-id",
        "3",
        "--realm-id",
        c["realm_id"],
        "--port",
        str(port),
        "--timeout",
        "20",
        "--sync-from",
        "2026-02-01",
    )
    assert code == 0, out
    assert facts(db, 3)[:3] == ("UK", "GB", "GBP")
    assert connected_at(db, 3) == datetime(2026, 2, 1, tzinfo=UTC)
    assert "the United Kingdom" in out and "records finalized before 2026-02-01 will not sync" in out


def test_connect_without_verify_says_the_sync_refuses_until_facts(db, database_url, emu, app_env):
    c = company(emu, app_env, "AU")
    code, out = run(
        "--database-url",
        database_url,
        "connect",
        "--tenant-id",
        "4",
        "--realm-id",
        c["realm_id"],
        "--refresh-token-stdin",
        "--no-verify",
        stdin=c["refresh_token"] + "\n",
    )
    assert code == 0 and facts(db, 4) is None
    assert "python -m qbo_sync.companies facts --tenant-id 4" in out
    code, out = run("--database-url", database_url, "facts", "--tenant-id", "4")
    assert code == 0, out
    assert facts(db, 4)[:3] == ("AU", "AU", "AUD")


def test_multicurrency_and_tax_model_follow_the_preferences(db, database_url, emu, app_env):
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.companies.facts import record_company_facts

    c = company(emu, app_env, "AU")
    run(
        "--database-url",
        database_url,
        "connect",
        "--tenant-id",
        "5",
        "--realm-id",
        c["realm_id"],
        "--refresh-token-stdin",
        stdin=c["refresh_token"] + "\n",
    )
    with client_for_tenant(database_url, 5) as qbo:
        prefs = qbo.query("select * from Preferences")[0]
        profile = record_company_facts(db, 5, qbo)
    assert profile.multicurrency is prefs["CurrencyPrefs"]["MultiCurrencyEnabled"] is False
    assert profile.home_currency == prefs["CurrencyPrefs"]["HomeCurrency"]["value"] == "AUD"
    assert facts(db, 5)[3] is False

    # Someone turns multicurrency on in QuickBooks (Settings > Account and settings > Advanced
    # > Currency): reading the company again records it.
    emu.set_preferences(c["realm_id"], multicurrency=True)
    code, out = run("--database-url", database_url, "facts", "--tenant-id", "5")
    assert code == 0 and "multicurrency on" in out
    assert facts(db, 5)[3] is True
