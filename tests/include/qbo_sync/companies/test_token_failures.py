"""Token failure modes during a whole sync run (every pipeline step, real Postgres, real HTTP
to an emulator of this module's own, so its clock can move without touching other tests):

* the access token expires between two QuickBooks batches of a run;
* another worker (a separate process) refreshes, rotating the refresh token, while this
  worker holds the old tokens;
* the refresh token is revoked in the middle of a run.

The emulator runs with ``--refresh-grace-seconds 0``: a rotated-out refresh token is refused
at once, so any use of a stale one would surface as invalid_grant / reconnect_required.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
import requests

from qbo_sync import pipeline
from qbo_sync.companies import client_for_tenant, connection_status
from qbo_sync.extract.records import RunWindow
from qbo_sync.report import verdict
from support.emulator import emulator_app
from support.rows import insert
from support.scenario import build_au_tenant
from support.small_tenant import checkup_invoice

INCLUDE = str(Path(__file__).resolve().parents[4] / "include")
EXPIRE = 3700  # seconds of emulator clock: past an access token's hour


@pytest.fixture(scope="module")
def qbo_emulator():
    """Overrides the session emulator for this module: own clock, no refresh grace."""
    with emulator_app("--refresh-grace-seconds", "0", prefix="tok") as emu:
        yield emu


class Trigger(requests.Session):
    """Real HTTP. Runs each ``(match, action)`` once, just before the first request whose
    method and URL satisfy ``match``: how a test makes something happen *between* two
    QuickBooks requests of a step (another worker refreshing, the clock moving)."""

    def __init__(self, *triggers: tuple[Callable[[str, str], bool], Callable[[], None]]) -> None:
        super().__init__()
        self.pending = list(triggers)
        self.fired: list[int] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        for index, (match, action) in enumerate(self.pending):
            if index not in self.fired and match(method, str(url)):
                self.fired.append(index)
                action()
        return super().request(method, url, *args, **kwargs)


def batch_of(realm_id: str, nth: int = 1) -> Callable[[str, str], bool]:
    """Matches the nth batch POST to this company."""
    seen = [0]

    def match(method: str, url: str) -> bool:
        if method == "POST" and f"/company/{realm_id}/batch" in url:
            seen[0] += 1
            return seen[0] == nth
        return False

    return match


def recently_connected(db, *tenant_ids: int) -> None:
    """Connected 20 days ago, not 30: the emulator clock runs hours ahead in these tests and
    the payments step may only ask QuickBooks for the last 30 days of its clock."""
    from qbo_sync.db.sqlfiles import load_sql

    for tenant_id in tenant_ids:
        db.execute(
            load_sql("devkit/local/set_connected_at"),
            {"tenant_id": tenant_id, "connected_at": datetime.now(UTC) - timedelta(days=20)},
        )


def run(db, database_url, session: requests.Session, run_id: str) -> tuple[str, int]:
    now = datetime.now(UTC)
    window = RunWindow(run_id=run_id, start=now - timedelta(hours=1), end=now, full_sync=True)
    return pipeline.run_once(db, window, lambda t: client_for_tenant(database_url, t, session=session))


def token_calls(emu, realm_id: str) -> list[dict]:
    return [r for r in emu.requests_log(realm_id) if r["path"].endswith("/tokens/bearer")]


def outcomes(db, run_id: str, tenant_id: int) -> dict[tuple[str, int], tuple[str, str | None]]:
    rows = db.execute(
        "SELECT entity, source_id, status, error_code FROM qbo_sync.sync_log WHERE run_id = %s AND tenant_id = %s",
        (run_id, tenant_id),
    ).fetchall()
    return {(e, s): (st, code) for e, s, st, code in rows}


def qbo_invoices(database_url: str, tenant_id: int) -> list[str]:
    with client_for_tenant(database_url, tenant_id) as qbo:
        return sorted(i["DocNumber"] for i in qbo.query("select * from Invoice"))


GOOD = {("invoice", 1), ("invoice", 2), ("invoice", 11)}


def test_access_token_expiring_between_batches_is_refreshed_once(db, database_url, qbo_app):
    company, _ = build_au_tenant(db, qbo_app)
    recently_connected(db, 1)
    realm = company["realm_id"]
    # The invoices go in the run's second batch step: the hour runs out just before it.
    session = Trigger((batch_of(realm, nth=3), lambda: qbo_app.advance_clock(EXPIRE)))
    report, _ = run(db, database_url, session, "manual__expiry")

    assert session.fired == [0]
    calls = token_calls(qbo_app, realm)
    unauthorized = [r for r in qbo_app.requests_log(realm) if r["status"] == 401]
    # One refresh to start the run (only a refresh token is stored), exactly one after the expiry.
    assert [c["status"] for c in calls] == [200, 200]
    assert len(unauthorized) == 1 and "/batch" in unauthorized[0]["path"]
    got = outcomes(db, "manual__expiry", 1)
    assert {k for k, v in got.items() if v[0] == "synced" and k[0] == "invoice"} == GOOD
    assert qbo_invoices(database_url, 1) == ["INV-0001", "INV-0002", "INV-0011"]  # no duplicate
    assert {s.tenant_id: s.status for s in connection_status(db)} == {1: "connected"}
    assert "Harbour Physio" in report


OTHER_WORKER = """
import sys
from qbo_sync.companies import client_for_tenant
with client_for_tenant(sys.argv[1], int(sys.argv[2])) as qbo:
    qbo.query("select * from CompanyInfo")
    print(qbo.stats["refreshes"])
"""


def other_worker_refreshes(database_url: str, tenant_id: int) -> Callable[[], None]:
    """Another process of the same deployment (same database, key and app) that meets the
    expired access token first and refreshes: it rotates the refresh token."""

    def action() -> None:
        done = subprocess.run(
            [sys.executable, "-c", OTHER_WORKER, database_url, str(tenant_id)],
            env=dict(os.environ, PYTHONPATH=INCLUDE),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.strip() == "1", done.stdout  # it did refresh

    return action


def stored_tokens(database_url: str, tenant_id: int):
    from qbo_sync.companies import PostgresTokenStore

    store = PostgresTokenStore(database_url, tenant_id)
    try:
        return store.current()
    finally:
        store.close()


def test_refresh_token_rotated_by_another_worker_is_picked_up(db, database_url, qbo_app):
    company, _ = build_au_tenant(db, qbo_app)
    recently_connected(db, 1)
    realm = company["realm_id"]
    seen: dict[str, object] = {}

    def expire_then_other_worker() -> None:
        seen["before"] = stored_tokens(database_url, 1)
        qbo_app.advance_clock(EXPIRE)
        other_worker_refreshes(database_url, 1)()
        seen["after"] = stored_tokens(database_url, 1)

    # Mid-step: this worker's client has read the tokens and is about to send its first
    # customer batch when the other worker rotates them. Later, at the invoice batch, the
    # hour runs out again and this worker must refresh itself - with the rotated token.
    session = Trigger(
        (batch_of(realm, nth=1), expire_then_other_worker),
        (batch_of(realm, nth=3), lambda: qbo_app.advance_clock(EXPIRE)),
    )
    run(db, database_url, session, "manual__rotated")

    assert session.fired == [0, 1]
    before, after = seen["before"], seen["after"]
    assert after.refresh_token != before.refresh_token  # the other worker rotated it
    calls = token_calls(qbo_app, realm)
    # validate's refresh, the other worker's, ours at the invoice batch: all accepted.
    assert [c["status"] for c in calls] == [200, 200, 200]
    assert {s.tenant_id: (s.status, s.status_reason) for s in connection_status(db)} == {1: ("connected", None)}
    got = outcomes(db, "manual__rotated", 1)
    assert {k for k, v in got.items() if v[0] == "synced" and k[0] == "invoice"} == GOOD
    assert not [k for k, v in got.items() if v[1] in ("reconnect_required", "invalid_grant")]
    assert qbo_invoices(database_url, 1) == ["INV-0001", "INV-0002", "INV-0011"]
    # The chain continues from the newest token: the one stored now works, the first is dead.
    final = stored_tokens(database_url, 1).refresh_token
    refused = requests.post(
        qbo_app.token_url,
        auth=qbo_app.app_credentials,
        timeout=10,
        data={"grant_type": "refresh_token", "refresh_token": before.refresh_token},
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert final not in (before.refresh_token, after.refresh_token)


def add_second_tenant(db, qbo_app) -> dict:
    """Tenant 2: one client and one GST invoice on a company of its own."""
    from qbo_devkit.provision import provision_tenant

    insert(db, "billing.tenants", id=2, name="Bay Dental", currency="AUD", timezone="Australia/Sydney")
    insert(db, "billing.tax_rates", id=20, tenant_id=2, name="GST", rate=D("0.1000"))
    insert(db, "billing.catalog_items", id=20, tenant_id=2, name="Check-up", kind="service", unit_price=D("100"))
    insert(db, "billing.clients", id=20, tenant_id=2, first_name="Mia", last_name="Wong", email="mia@example.com")
    company = provision_tenant(
        db, qbo_app, 2, region="AU", connected_at=datetime.now(UTC) - timedelta(days=30), tax_map={"GST": "GST"}
    )
    checkup_invoice(db, 2, 200, number="BD-200", client_id=20, line_id=20000, item_id=20, tax_rate_id=20)
    return company


def companies_status(database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qbo_sync.companies", "--database-url", database_url, "status"],
        env=dict(os.environ, PYTHONPATH=INCLUDE),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_revoked_refresh_token_mid_run_holds_back_that_tenant_and_says_what_to_run(db, database_url, qbo_app):
    from qbo_sync.companies.cli import main as companies_cli
    from qbo_sync.operations import views

    first, _ = build_au_tenant(db, qbo_app)
    add_second_tenant(db, qbo_app)
    recently_connected(db, 1, 2)
    realm = first["realm_id"]
    revoked: list[str] = []

    def revoke() -> None:  # the company's admin disconnects the app in QuickBooks
        token = stored_tokens(database_url, 1).refresh_token
        revoked.append(token)
        answer = requests.post(
            qbo_app.base_url + "/oauth2/v1/tokens/revoke",
            auth=qbo_app.app_credentials,
            json={"token": token},
            timeout=10,
        )
        assert answer.status_code == 200

    session = Trigger((batch_of(realm, nth=1), revoke))
    report, _ = run(db, database_url, session, "manual__revoked")
    assert session.fired == [0]

    # The run ended: tenant 1's records are held back with the reconnect fix, tenant 2 synced.
    got = outcomes(db, "manual__revoked", 1)
    staged = {k for k in got if k[0] in ("invoice", "customer")}
    assert staged and not [k for k, v in got.items() if v[0] == "synced"]
    held = {k for k, v in got.items() if v == ("failed", "reconnect_required")}
    assert GOOD <= held and ("customer", 1) in held
    fixes = {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT fix FROM qbo_sync.sync_log WHERE run_id = 'manual__revoked' AND tenant_id = 1"
            " AND error_code = 'reconnect_required'"
        )
    }
    assert fixes and all("python -m qbo_sync.companies authorize --tenant-id 1" in f for f in fixes)
    assert outcomes(db, "manual__revoked", 2)[("invoice", 200)] == ("synced", None)
    assert "held back until the company is reconnected" in report
    # Red means new: this run met the lost connection first, so it needs eyes now.
    lost = verdict.evaluate(db, "manual__revoked")
    assert lost.red and lost.tenants[1].fault(verdict.RECONNECT).new
    assert len(lost.tenants[1].held) == len(held)  # held back by the fault, not failures of their own

    # The tenant's state says exactly what to run: status table, CLI, the ops view.
    status = {s.tenant_id: s for s in connection_status(db)}
    assert status[2].status == "connected"
    assert status[1].status == "reconnect_required"
    assert "`python -m qbo_sync.companies authorize --tenant-id 1`" in status[1].status_reason
    assert f"--tenant-id 1 --realm-id {realm} --refresh-token-stdin" in status[1].status_reason
    cli = companies_status(database_url)
    assert cli.returncode == 0, cli.stderr
    assert (
        "tenant 1 (reconnect_required): Reconnect the company: `python -m qbo_sync.companies "
        "authorize --tenant-id 1`" in cli.stdout
    )
    assert "tenant 2 (" not in cli.stdout
    assert revoked[0] not in cli.stdout + cli.stderr
    overview = {t["tenant_id"]: t for t in views.tenants(db)}
    assert overview[1]["status"] == "reconnect_required"
    assert "authorize --tenant-id 1`" in overview[1]["status_reason"]
    # The dead tokens are gone from the table: nothing keeps trying them.
    assert db.execute(
        "SELECT access_token_enc, refresh_token_enc FROM qbo_sync.tenant_connections WHERE tenant_id = 1"
    ).fetchone() == (None, None)

    # The next run asks nothing of tenant 1's company and still explains every record.
    before = len(qbo_app.requests_log(realm))
    run(db, database_url, requests.Session(), "manual__still_revoked")
    assert len(qbo_app.requests_log(realm)) == before
    assert outcomes(db, "manual__still_revoked", 1)[("invoice", 1)] == ("failed", "reconnect_required")
    assert not verdict.evaluate(db, "manual__still_revoked").red  # reported already: not red again

    # Doing what it says (connect with a new refresh token) brings the tenant back.
    fresh = qbo_app.issue_tokens(realm)
    out = io.StringIO()
    assert (
        companies_cli(
            [
                "--database-url",
                database_url,
                "connect",
                "--tenant-id",
                "1",
                "--realm-id",
                realm,
                "--refresh-token-stdin",
            ],
            stdin=io.StringIO(fresh["refresh_token"] + "\n"),
            stdout=out,
        )
        == 0
    ), out.getvalue()
    run(db, database_url, requests.Session(), "manual__reconnected")
    got = outcomes(db, "manual__reconnected", 1)
    assert {k for k, v in got.items() if v[0] == "synced" and k[0] == "invoice"} == GOOD
    assert qbo_invoices(database_url, 1) == ["INV-0001", "INV-0002", "INV-0011"]
    assert qbo_invoices(database_url, 2) == ["BD-200"]
