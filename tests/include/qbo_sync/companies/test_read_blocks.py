"""QuickBooks blocks the app's metered reads for the month (App Partner Program): the sync
records one explained outcome per waiting record and one block in the run report, remembers
the block until the next month (UTC), and later runs make no request for that tenant at all.
Another tenant is not held back by that memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qbo_sync.companies.read_blocks import main as read_blocks_main
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.small_tenant import small_tenant


def _realm(db, tenant_id: int) -> str:
    return db.execute("SELECT realm_id FROM qbo_sync.tenant_connections WHERE tenant_id = %s", (tenant_id,)).fetchone()[
        0
    ]


def _api_calls(emulator, realm: str) -> list[dict]:
    return [r for r in emulator.requests_log(realm) if r["path"].startswith("/v3/")]


def _outcomes(db, run_id: str, tenant_id: int) -> dict:
    return {
        (e, s): (status, code, cause, fix)
        for e, s, status, code, cause, fix in db.execute(
            "SELECT entity, source_id, status, error_code, cause, fix FROM qbo_sync.sync_log"
            " WHERE run_id = %s AND tenant_id = %s",
            (run_id, tenant_id),
        )
    }


@pytest.fixture
def reads_budget(qbo_app):
    client_id = qbo_app.app_credentials[0]
    yield lambda budget: qbo_app.set_read_budget(client_id, budget)
    qbo_app.set_read_budget(client_id, None)  # the session's emulator is shared


def test_blocked_reads_explained_once_remembered_and_not_asked_again(
    db, database_url, qbo_app, qbo_factory, reads_budget, capsys
):
    now = datetime.now(UTC)
    small_tenant(db, qbo_app, 1, {1: "a@example.com", 2: "b@example.com"})
    realm1 = _realm(db, 1)
    # Setting the tenant up read its company (the company decides its region): those reads
    # came before the block and are not the sync's.
    setup = len(_api_calls(qbo_app, realm1))
    reads_budget(0)  # the app's CorePlus allowance for this month is spent

    report, failed = run_once(db, RunWindow("r-blocked-1", now - timedelta(days=2), now, full_sync=True), qbo_factory)
    first = _outcomes(db, "r-blocked-1", 1)
    assert set(first) == {("customer", 101), ("customer", 102), ("invoice", 101), ("invoice", 102)}
    next_month = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)).replace(day=1)
    until = f"{next_month.day} {next_month:%b %Y %H:%M} UTC"
    for status, code, cause, fix in first.values():
        assert (status, code) == ("failed", "reads_blocked")
        assert "CorePlus" in cause and until in cause and "no request was made" in cause
        assert "App Partner Program" in fix and until in fix
    calls = _api_calls(qbo_app, realm1)
    assert [(c["status"], c["fault"]) for c in calls[setup:]] == [(429, "reads_blocked")]  # asked once, then stopped
    assert failed == 4
    assert report.count("held back until QuickBooks allows this app's reads again") == 1
    assert report.count("CorePlus") == 1  # the cause once for the tenant, not once per record
    row = db.execute("SELECT blocked_until FROM qbo_sync.read_blocks WHERE tenant_id = 1").fetchone()
    assert row[0] == next_month

    # The app upgraded (reads allowed again for the app): tenant 2 syncs normally, while tenant 1
    # keeps the remembered block until the month ends and costs no request at all.
    reads_budget(None)
    small_tenant(db, qbo_app, 2, {1: "c@example.com"})
    later = now + timedelta(minutes=5)
    report, failed = run_once(db, RunWindow("r-blocked-2", now - timedelta(days=2), later, full_sync=True), qbo_factory)
    second = _outcomes(db, "r-blocked-2", 1)
    assert set(second) == set(first)
    assert {code for _, code, _, _ in second.values()} == {"reads_blocked"}
    assert _api_calls(qbo_app, realm1) == calls  # no read (nor any other) request for tenant 1
    assert {status for status, *_ in _outcomes(db, "r-blocked-2", 2).values()} == {"synced"}
    assert failed == 4 and report.count("held back until QuickBooks allows this app's reads again") == 1

    # A person says reads are allowed again (the tier was upgraded): the next run reads and sends.
    assert read_blocks_main(["--database-url", database_url]) == 0
    assert f"tenant 1 (realm {realm1}): reads blocked until {until}" in capsys.readouterr().out
    assert read_blocks_main(["--database-url", database_url, "--clear", "--tenant-id", "1"]) == 0
    assert "block forgotten" in capsys.readouterr().out
    run_once(
        db, RunWindow("r-blocked-3", now - timedelta(days=2), later + timedelta(minutes=5), full_sync=True), qbo_factory
    )
    assert {status for status, *_ in _outcomes(db, "r-blocked-3", 1).values()} == {"synced"}
