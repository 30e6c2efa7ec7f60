"""Tokens in Postgres: encrypted, refreshed once under a lock, reconnect_required per tenant."""

from __future__ import annotations

import logging
import multiprocessing

import pytest
from companies_helpers import app_settings, connect_company

from qbo_client import ReconnectRequired
from qbo_sync.companies import (
    EncryptionKeyError,
    PostgresTokenStore,
    TenantNotConnected,
    TokenCipher,
    client_for_tenant,
    connection_status,
    rotate_key,
)
from qbo_sync.db.sqlfiles import load_sql


def _refresh_in_a_process(database_url, tenant_id, settings, barrier, results):
    try:
        with client_for_tenant(database_url, tenant_id, settings=settings) as qbo:
            barrier.wait(timeout=30)
            qbo.query("select * from TaxCode")
            results.put(("ok", qbo._store.refresh_count))
    except Exception as error:  # noqa: BLE001 - reported to the parent
        results.put(("error", f"{type(error).__name__}: {error}"))


def test_four_processes_refresh_the_same_company_once(db, database_url, emu, fernet_key):
    company = connect_company(db, emu, 1)
    settings = app_settings(emu, company)
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    workers = [
        ctx.Process(target=_refresh_in_a_process, args=(database_url, 1, settings, barrier, results)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sorted(count for _, count in outcomes) == [0, 0, 0, 1]  # one refreshed, three reused its token
    token_calls = [r for r in emu.requests_log(company["realm_id"]) if r["path"].endswith("/tokens/bearer")]
    assert len(token_calls) == 1 and token_calls[0]["status"] == 200
    # The one stored refresh token is the newest and valid (the original was rotated out).
    stored = PostgresTokenStore(database_url, 1).current()
    assert stored.refresh_token != company["refresh_token"]
    fresh = settings.oauth_app().refresh(stored.refresh_token)
    assert fresh.access_token


def test_revoked_refresh_token_marks_only_that_tenant(db, database_url, emu, fernet_key):
    first = connect_company(db, emu, 1)
    connect_company(db, emu, 2)
    settings = app_settings(emu, first)
    settings.oauth_app().revoke(first["refresh_token"])
    with client_for_tenant(database_url, 1, settings=settings) as qbo:
        with pytest.raises(ReconnectRequired) as caught:
            qbo.query("select * from TaxCode")
    assert caught.value.tenant_id == 1 and caught.value.realm_id == first["realm_id"]
    assert first["refresh_token"] not in str(caught.value)
    with client_for_tenant(database_url, 2, settings=settings) as qbo:
        assert qbo.query("select * from TaxCode")
    status = {s.tenant_id: s for s in connection_status(db)}
    assert status[1].status == "reconnect_required" and status[2].status == "connected"
    assert "python -m qbo_sync.companies authorize --tenant-id" in status[1].status_reason
    with pytest.raises(ReconnectRequired):  # refused at once, without calling QuickBooks
        client_for_tenant(database_url, 1, settings=settings)
    with pytest.raises(TenantNotConnected):
        client_for_tenant(database_url, 99, settings=settings)


def test_expired_access_token_mid_run_is_refreshed_once(db, database_url, emu, fernet_key):
    company = connect_company(db, emu, 3)
    with client_for_tenant(database_url, 3, settings=app_settings(emu, company)) as qbo:
        qbo.query("select * from TaxCode")
        emu.advance_clock(3700)
        for _ in range(5):
            qbo.query("select * from TaxCode")
    token_calls = [r for r in emu.requests_log(company["realm_id"]) if r["path"].endswith("/tokens/bearer")]
    unauthorized = [r for r in emu.requests_log(company["realm_id"]) if r["status"] == 401]
    assert len(token_calls) == 2 and len(unauthorized) == 1


def test_no_token_in_plain_text_in_table_logs_or_reprs(db, database_url, emu, fernet_key, caplog):
    caplog.set_level(logging.DEBUG)
    company = connect_company(db, emu, 4)
    with client_for_tenant(database_url, 4, settings=app_settings(emu, company)) as qbo:
        qbo.query("select * from TaxCode")
        emu.advance_clock(3700)
        qbo.query("select * from TaxCode")
        tokens = qbo._store.current()
        reprs = repr(qbo) + repr(qbo._store) + repr(tokens) + repr(qbo.budget) + repr(qbo._app)
    secrets = [
        company["refresh_token"],
        company["client_secret"],
        tokens.access_token,
        tokens.refresh_token,
        fernet_key,
    ]
    raw_rows = db.execute("SELECT t::text FROM qbo_sync.tenant_connections AS t").fetchall()
    raw = " ".join(r[0] for r in raw_rows)
    blobs = db.execute(load_sql("companies/tenant_tokens"), {"tenant_id": 4}).fetchone()
    for secret in secrets:
        assert secret and secret not in raw
        assert secret not in caplog.text
        assert secret not in reprs
        for blob in (blobs[4], blobs[6]):
            assert secret.encode() not in bytes(blob)


def test_missing_and_bad_keys_explain_themselves(monkeypatch):
    monkeypatch.delenv("QBO_SYNC_FERNET_KEY", raising=False)
    with pytest.raises(EncryptionKeyError) as caught:
        TokenCipher.from_env()
    assert "Fernet.generate_key()" in str(caught.value)
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", "not-a-key-at-all")
    with pytest.raises(EncryptionKeyError) as caught:
        TokenCipher.from_env()
    assert "not-a-key-at-all" not in str(caught.value)


def test_key_rotation_with_multifernet(db, database_url, emu, monkeypatch):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", old)
    company = connect_company(db, emu, 5)
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", f"{new},{old}")
    assert PostgresTokenStore(database_url, 5).current().refresh_token == company["refresh_token"]
    assert rotate_key(db) == 1
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", new)
    assert PostgresTokenStore(database_url, 5).current().refresh_token == company["refresh_token"]
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", old)
    with pytest.raises(EncryptionKeyError):
        PostgresTokenStore(database_url, 5).current()
