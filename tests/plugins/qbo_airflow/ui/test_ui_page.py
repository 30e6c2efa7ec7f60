"""The "QuickBooks sync" page in a real Airflow API server, opened in headless Chromium:
it needs an Airflow login, shows failures with cause and fix, exports CSV, and its buttons
start qbo_resync runs through Airflow's REST API as the signed-in user."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

from support.access import grant
from support.scenario import build_au_tenant


@pytest.fixture
def synced_tenant(db, qbo_app, qbo_factory):
    """The small AU tenant after one full sync: good invoices synced, bad ones failed."""
    from qbo_sync import pipeline
    from qbo_sync.extract.records import RunWindow

    build_au_tenant(db, qbo_app)
    now = datetime.now(UTC)
    window = RunWindow(run_id="manual__ui-test", start=now - timedelta(hours=1), end=now, full_sync=True)
    pipeline.run_once(db, window, qbo_factory)
    grant(db, [1], user="clerk")  # the tenant access map: clerk supports tenant 1 (admin sees all)
    return db


def resync_runs(server, token) -> list[dict]:
    response = requests.get(
        f"{server.url}/api/v2/dags/qbo_resync/dagRuns", timeout=30, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return response.json()["dag_runs"]


def test_the_plugin_adds_the_page_to_airflow(airflow_server):
    token = airflow_server.token("admin")
    plugins = requests.get(
        f"{airflow_server.url}/api/v2/plugins", timeout=30, headers={"Authorization": f"Bearer {token}"}
    ).json()["plugins"]
    ours = next(p for p in plugins if p["name"] == "qbo_sync_ui")
    assert ours["fastapi_apps"][0]["url_prefix"] == "/qbo-sync"
    assert ours["external_views"][0]["name"] == "QuickBooks sync"
    assert ours["external_views"][0]["href"] == "/qbo-sync/"


def test_no_anonymous_reads_or_writes(airflow_server, synced_tenant):
    url = airflow_server.url
    runs_before = len(resync_runs(airflow_server, airflow_server.token("admin")))
    page = requests.get(f"{url}/qbo-sync/?tenant_id=1", allow_redirects=False, timeout=30)
    assert page.status_code == 307 and "/auth/login" in page.headers["location"]
    assert "INV-0005" not in page.text
    exported = requests.get(f"{url}/qbo-sync/records.csv?tenant_id=1", timeout=30)
    assert exported.status_code == 401 and "INV-" not in exported.text
    form = {"action": "exclude", "tenant_id": "1", "entity": "invoice", "source_id": "8", "csrf": "x"}
    assert requests.post(f"{url}/qbo-sync/actions", data=form, timeout=30, allow_redirects=False).status_code == 401
    forged = requests.post(
        f"{url}/qbo-sync/actions", data=form, timeout=30, allow_redirects=False, cookies={"_token": "not-a-real-token"}
    )
    assert forged.status_code in (401, 403)
    # A signed-in user's request without the page's form token is refused too (CSRF).
    admin = airflow_server.token("admin")
    stale = requests.post(
        f"{url}/qbo-sync/actions",
        data=form,
        timeout=30,
        allow_redirects=False,
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert stale.status_code == 403
    assert len(resync_runs(airflow_server, admin)) == runs_before  # nothing was triggered
    assert synced_tenant.execute("SELECT count(*) FROM qbo_sync.record_controls").fetchone() == (0,)


def test_a_viewer_reads_and_exports_but_cannot_act(airflow_server, synced_tenant):
    token = airflow_server.token("clerk")
    auth = {"Authorization": f"Bearer {token}"}
    page = requests.get(f"{airflow_server.url}/qbo-sync/?tenant_id=1", headers=auth, timeout=30)
    assert page.status_code == 200 and "INV-0005" in page.text
    exported = requests.get(
        f"{airflow_server.url}/qbo-sync/records.csv",
        params={"tenant_id": 1, "status": "failed"},
        headers=auth,
        timeout=30,
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["source_ref"] for r in rows if r["entity"] == "invoice"} >= {"INV-0005", "INV-0008"}
    assert all(r["status"] == "failed" and r["cause"] and r["fix"] for r in rows)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    refused = requests.post(
        f"{airflow_server.url}/qbo-sync/actions",
        headers=auth,
        timeout=30,
        allow_redirects=False,
        data={"action": "exclude", "tenant_id": "1", "entity": "invoice", "source_id": "8", "csrf": csrf},
    )
    assert refused.status_code == 403 and "clerk may not POST runs of qbo_resync" in refused.text


def test_finance_finds_a_failure_and_excludes_it_from_the_page(
    airflow_server, synced_tenant, browser, png_colours, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    db = synced_tenant
    wait = WebDriverWait(browser, 60)
    # Not signed in: the page sends the browser to Airflow's own login.
    browser.get(f"{airflow_server.url}/qbo-sync/?tenant_id=1")
    wait.until(ec.url_contains("/auth/login"))
    user = wait.until(ec.visibility_of_element_located((By.NAME, "username")))
    user.send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys("admin-pass-1")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "records")))
    assert "/qbo-sync/" in browser.current_url

    assert "signed in as admin" in browser.find_element(By.CLASS_NAME, "user").text
    assert "connected" in browser.find_element(By.ID, "connection").text
    assert "manual__ui-test" in browser.find_element(By.ID, "runs").text
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-entity=invoice][data-source-id='5']")
    assert "failed" in row.text and "Mystery levy" in row.find_element(By.CLASS_NAME, "cause").text
    assert "map-tax --tenant-id 1" in row.find_element(By.CLASS_NAME, "fix").text

    # Filters: failed invoices only, then a text search.
    browser.get(f"{airflow_server.url}/qbo-sync/?tenant_id=1&status=failed&entity=invoice&q=levy")
    shown = browser.find_elements(By.CSS_SELECTOR, "#records tbody tr[data-source-id]")
    assert [r.get_attribute("data-source-id") for r in shown] == ["5"]
    browser.get(f"{airflow_server.url}/qbo-sync/?tenant_id=1&status=failed&entity=invoice")
    shown = browser.find_elements(By.CSS_SELECTOR, "#records tbody tr[data-source-id]")
    assert {r.get_attribute("data-source-id") for r in shown} == {"3", "4", "5", "6", "8"}

    shot = browser.get_screenshot_as_png()
    (tmp_path / "page.png").write_bytes(shot)
    assert png_colours(shot) > 200, "the page rendered (almost) blank"

    # Exclude invoice 8 with its row's button: a qbo_resync run starts, as admin.
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-entity=invoice][data-source-id='8']")
    row.find_element(By.CSS_SELECTOR, "button[value=exclude]").click()
    flash = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "Exclude requested: qbo_resync run" in flash.text, flash.text
    runs = [r for r in resync_runs(airflow_server, airflow_server.token("admin")) if r["conf"].get("source_ids") == [8]]
    assert len(runs) == 1
    run = runs[0]
    assert run["conf"]["action"] == "exclude" and run["conf"]["source_ids"] == [8]
    assert run["triggering_user_name"] == "admin"
    # No scheduler runs here: execute the run's action task as a worker would.
    done = airflow_server.airflow("tasks", "test", "qbo_resync", "apply_action", run["dag_run_id"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert db.execute(
        "SELECT excluded, updated_by FROM qbo_sync.record_controls WHERE entity = 'invoice' AND source_id = 8"
    ).fetchone() == (True, "admin")
    browser.get(f"{airflow_server.url}/qbo-sync/?tenant_id=1&status=excluded")
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-entity=invoice][data-source-id='8']")
    assert "excluded" in row.text and row.find_element(By.CSS_SELECTOR, "button[value=include]")


def _resign(token: str, secret: str, **claims) -> str:
    """The same Airflow JWT with some claims changed, signed again with ``secret``."""
    import jwt

    header = jwt.get_unverified_header(token)
    payload = {**jwt.decode(token, options={"verify_signature": False}), **claims}
    return jwt.encode(
        payload, secret, algorithm=header["alg"], headers={"kid": header["kid"]} if header.get("kid") else None
    )


def test_every_route_refuses_missing_forged_and_expired_logins(airflow_server, synced_tenant):
    import time

    url = airflow_server.url
    admin = airflow_server.token("admin")
    secret = airflow_server.env["AIRFLOW__API_AUTH__JWT_SECRET"]
    # Re-signed with the right secret and nothing changed, a token still works: so below, each
    # refusal is for the one thing changed (signature, expiry), not for the re-signing.
    assert (
        requests.get(
            f"{url}/qbo-sync/?tenant_id=1", timeout=30, headers={"Authorization": f"Bearer {_resign(admin, secret)}"}
        ).status_code
        == 200
    )
    bad = {
        "none": {},
        "garbage bearer": {"headers": {"Authorization": "Bearer not-a-jwt"}},
        "forged signature": {"headers": {"Authorization": f"Bearer {_resign(admin, 'x' * 40)}"}},
        "expired": {
            "headers": {
                "Authorization": "Bearer "
                + _resign(
                    admin, secret, exp=int(time.time()) - 60, iat=int(time.time()) - 3600, nbf=int(time.time()) - 3600
                )
            }
        },
        "forged cookie": {"cookies": {"_token": _resign(admin, "y" * 40)}},
    }
    runs_before = len(resync_runs(airflow_server, admin))
    for name, auth in bad.items():
        page = requests.get(f"{url}/qbo-sync/?tenant_id=1", allow_redirects=False, timeout=30, **auth)
        assert page.status_code in (307, 401, 403), (name, page.status_code)
        assert "INV-" not in page.text and "Jane" not in page.text, name
        exported = requests.get(f"{url}/qbo-sync/records.csv?tenant_id=1", timeout=30, **auth)
        assert exported.status_code in (401, 403) and "INV-" not in exported.text, name
        for action in ("resync_failed", "resync", "exclude", "include"):
            form = {"action": action, "tenant_id": "1", "entity": "invoice", "source_id": "8", "csrf": "0" * 64}
            posted = requests.post(f"{url}/qbo-sync/actions", data=form, timeout=30, allow_redirects=False, **auth)
            assert posted.status_code in (401, 403), (name, action, posted.status_code)
        # Connect to QuickBooks: neither starting nor finishing works without a valid login.
        started = requests.post(
            f"{url}/qbo-sync/connect",
            data={"tenant_id": "1", "csrf": "0" * 64},
            timeout=30,
            allow_redirects=False,
            **auth,
        )
        assert started.status_code in (401, 403), (name, started.status_code)
        finished = requests.get(
            f"{url}/qbo-sync/connect/callback",
            params={"state": "x", "code": "y", "realmId": "1"},
            timeout=30,
            allow_redirects=False,
            **auth,
        )
        assert finished.status_code in (307, 401, 403), (name, finished.status_code)
    assert len(resync_runs(airflow_server, admin)) == runs_before
    assert synced_tenant.execute("SELECT count(*) FROM qbo_sync.record_controls").fetchone() == (0,)
    assert synced_tenant.execute("SELECT count(*) FROM qbo_sync.oauth_connect_states").fetchone() == (0,)
    # The stylesheet is the one public route, and it holds no data.
    css = requests.get(f"{url}/qbo-sync/static/page.css", timeout=30)
    assert css.status_code == 200 and "INV-" not in css.text


def test_a_tenant_that_must_reconnect_is_told_the_exact_command(airflow_server, synced_tenant):
    from qbo_sync.companies.store import reconnect_reason
    from qbo_sync.db.sqlfiles import load_sql

    realm = synced_tenant.execute("SELECT realm_id FROM qbo_sync.tenant_connections WHERE tenant_id = 1").fetchone()[0]
    synced_tenant.execute(
        load_sql("companies/mark_reconnect_required"), {"tenant_id": 1, "reason": reconnect_reason(1, realm)}
    )
    page = requests.get(
        f"{airflow_server.url}/qbo-sync/?tenant_id=1",
        timeout=30,
        headers={"Authorization": f"Bearer {airflow_server.token('clerk')}"},
    )
    assert page.status_code == 200
    assert "reconnect_required" in page.text
    assert "python -m qbo_sync.companies authorize --tenant-id 1" in page.text
    assert "&lt;tenant&gt;" not in page.text and "<tenant>" not in page.text


def test_a_record_synced_with_a_change_says_so_beside_synced(airflow_server, synced_tenant, qbo_factory):
    """docs/adjustments.md: the page shows what was changed for QuickBooks next to "synced"."""
    from qbo_sync import pipeline
    from qbo_sync.extract.records import RunWindow

    synced_tenant.execute("UPDATE billing.invoice_lines SET description = repeat('x', 5000) WHERE id = 101")
    synced_tenant.execute("UPDATE billing.invoices SET updated_at = now() WHERE id = 1")
    now = datetime.now(UTC)
    pipeline.run_once(
        synced_tenant,
        RunWindow(
            run_id="manual__ui-adjusted", start=now - timedelta(hours=1), end=now + timedelta(minutes=1), full_sync=True
        ),
        qbo_factory,
    )
    page = requests.get(
        f"{airflow_server.url}/qbo-sync/?tenant_id=1&entity=invoice",
        timeout=30,
        headers={"Authorization": f"Bearer {airflow_server.token('clerk')}"},
    )
    assert page.status_code == 200
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr class="\w+" data-entity="invoice" data-source-id="(\d+)">.*?</tr>', page.text, re.S)
    }
    status_cell = rows["1"].split("</td>")[1]
    assert ">synced<" in status_cell
    assert (
        "changed for QuickBooks: line 1 description shortened from 5,010 to 4,000 characters "
        "(QuickBooks&#39; limit; the end cut off)"
    ) in status_cell
    assert "changed for QuickBooks" not in rows["2"]  # synced as it is: nothing extra


def test_last_runs_show_new_failures_apart_from_those_still_waiting(airflow_server, synced_tenant, qbo_factory):
    """Red means new: the second run meets the same failures again (they wait for finance) and
    one new one; the panel counts each run's new and waiting failures (report/verdict.py)."""
    from qbo_sync import pipeline
    from qbo_sync.extract.records import RunWindow

    synced_tenant.execute("UPDATE billing.invoices SET total = 99.99, updated_at = now() WHERE id = 1")
    now = datetime.now(UTC)
    window = RunWindow("manual__ui-again", now - timedelta(hours=1), now + timedelta(minutes=1), full_sync=True)
    pipeline.run_once(synced_tenant, window, qbo_factory)
    page = requests.get(
        f"{airflow_server.url}/qbo-sync/?tenant_id=1",
        timeout=30,
        headers={"Authorization": f"Bearer {airflow_server.token('clerk')}"},
    )
    assert page.status_code == 200
    panel = page.text.split('id="runs"', 1)[1].split("</table>", 1)[0]
    assert '<th class="n" title="failed for the first time in this run' in panel
    cells = {
        m.group(1): re.findall(r'<td class="n ([a-z]+)[^"]*">(\d+)</td>', m.group(0))
        for m in re.finditer(r'<tr><td class="mono">([^<]+)</td>.*?</tr>', panel, re.S)
    }
    first, again = dict(cells["manual__ui-test"]), dict(cells["manual__ui-again"])
    assert int(first["new"]) > 0 and first["waiting"] == "0"
    assert again["new"] == "1" and int(again["waiting"]) == int(first["new"])  # INV-0001 fails anew (amounts)


def test_a_load_in_flight_shows_its_progress_line(airflow_server, synced_tenant):
    """Issue 19: a tenant whose load is running shows records done / total, its rate and an
    ETA at that rate, from the progress the loader saves on the tenant's track."""
    from qbo_sync.load.progress import LoadProgress

    db, run_id = synced_tenant, "scheduled__in-flight"
    db.execute(
        "UPDATE qbo_sync.tenant_tracks SET run_id = %s, state = 'running', stage = 'load', finished_at = NULL "
        "WHERE tenant_id = 1",
        (run_id,),
    )
    progress = LoadProgress(db, 1, run_id, {"customer": 3, "invoice": 20000})
    progress.begin("invoice")
    progress.batch_started(12400)
    progress.batch_done()  # what the loader saves after a load batch: 12,400 of 20,000 done
    # ... 496 seconds after the invoices started: 1,500 a minute, 7,600 left: ETA 6 min.
    db.execute(
        "UPDATE qbo_sync.tenant_tracks SET progress_started_at = progress_at - interval '496 seconds' "
        "WHERE tenant_id = 1"
    )

    def page_for(user: str) -> str:
        page = requests.get(
            f"{airflow_server.url}/qbo-sync/?tenant_id=1" if user != "nobody" else f"{airflow_server.url}/qbo-sync/",
            timeout=30,
            headers={"Authorization": f"Bearer {airflow_server.token(user)}"},
        )
        assert page.status_code == 200
        return page.text

    line = "tenant 1: 12,400 of 20,000 invoices (62%), 1,500/min, ETA 6 min"
    text = page_for("clerk")
    assert 'id="progress"' in text and line in text and f"run {run_id}" in text
    assert line not in page_for("nobody")  # tenant 1 is not granted to nobody
    db.execute("UPDATE qbo_sync.tenant_tracks SET state = 'done', finished_at = now() WHERE tenant_id = 1")
    assert 'id="progress"' not in page_for("clerk")  # the run ended: no load in flight
