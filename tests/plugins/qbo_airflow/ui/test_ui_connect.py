"""Connect / Reconnect to QuickBooks from the sync page, in a real Airflow API server against
the emulator's authorize page: the OAuth code flow with a state that is unguessable, single
use, short-lived and bound to the user, the browser and the tenant."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from support.access import grant
from support.rows import insert

STATE_COLUMNS = (
    "SELECT tenant_id, user_id, used_at IS NOT NULL, redirect_uri"
    " FROM qbo_sync.oauth_connect_states ORDER BY created_at"
)
PASSWORDS = {"admin": "admin-pass-1"}  # as in this folder's conftest.py
CONNECTIONS = (
    "SELECT tenant_id, realm_id, status, access_token_enc, refresh_token_enc, updated_at"
    " FROM qbo_sync.tenant_connections ORDER BY tenant_id"
)


@pytest.fixture
def tenants(db, airflow_server, qbo_emulator, monkeypatch):
    """Tenants 2 and 3, never connected, and a fresh company of the app: the emulator's
    authorize page approves the app's newest company."""
    insert(db, "billing.tenants", id=2, name="Northside Dental", currency="AUD", timezone="Australia/Sydney")
    insert(db, "billing.tenants", id=3, name="Westside Dental", currency="AUD", timezone="Australia/Sydney")
    # The page's server encrypts with its own key: read the tokens with that one.
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", airflow_server.env["QBO_SYNC_FERNET_KEY"])
    monkeypatch.setenv("AIRFLOW_CONN_QUICKBOOKS_DEFAULT", airflow_server.env["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"])
    grant(db, [2, 3], user="clerk")  # the tenant access map (admin sees every tenant)
    grant(db, [2, 3], role="Op")
    return qbo_emulator.create_company(region="AU")


def callback_url(server) -> str:
    return f"{server.url}/qbo-sync/connect/callback"


class Browserless:
    """A signed-in user's own cookie jar (like one browser) driving the flow with requests."""

    def __init__(self, server, user: str):
        self.server = server
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {server.token(user)}"

    def csrf(self, tenant_id: int) -> str:
        page = self.session.get(f"{self.server.url}/qbo-sync/?tenant_id={tenant_id}", timeout=30)
        assert page.status_code == 200, page.text
        return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)

    def start(self, tenant_id: int, **headers: str) -> requests.Response:
        return self.session.post(
            f"{self.server.url}/qbo-sync/connect",
            timeout=30,
            allow_redirects=False,
            data={"tenant_id": str(tenant_id), "csrf": self.csrf(tenant_id)},
            headers=headers,
        )

    def approve(self, tenant_id: int) -> str:
        """Click Connect, let QuickBooks (the emulator) approve: the callback URL it sends back."""
        started = self.start(tenant_id)
        assert started.status_code == 303, started.text
        approved = requests.get(started.headers["location"], allow_redirects=False, timeout=30)
        assert approved.status_code == 302, approved.text
        return approved.headers["location"]

    def callback(self, url: str) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=30)


def nothing_written(db, before) -> None:
    assert (db.execute(CONNECTIONS).fetchall(), db.execute(STATE_COLUMNS).fetchall()) == before


def snapshot(db):
    return db.execute(CONNECTIONS).fetchall(), db.execute(STATE_COLUMNS).fetchall()


def sign_in(browser, server, user: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(f"{server.url}/qbo-sync/static/page.css")
    browser.delete_all_cookies()
    browser.get(f"{server.url}/qbo-sync/?tenant_id=2")
    wait.until(ec.url_contains("/auth/login"))
    wait.until(ec.visibility_of_element_located((By.NAME, "username"))).send_keys(user)
    browser.find_element(By.NAME, "password").send_keys(PASSWORDS[user])
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "connection")))


def test_connect_then_reconnect_in_chromium_through_the_emulators_authorize_page(
    airflow_server, tenants, db, browser, qbo_emulator
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from qbo_sync.companies import TokenCipher, client_for_tenant
    from qbo_sync.db.sqlfiles import load_sql

    company = tenants
    wait = WebDriverWait(browser, 60)
    sign_in(browser, airflow_server, "admin")
    card = browser.find_element(By.ID, "connection")
    assert "not connected" in card.text.lower()  # the stylesheet capitalises the state
    button = card.find_element(By.ID, "connect")
    assert button.text == "Connect to QuickBooks"
    button.click()
    # POST /connect -> 303 to the emulator's authorize page -> 302 back to the callback -> the page.
    flash = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "ok" in flash.get_attribute("class"), flash.text
    assert "Connected tenant 2 to the QuickBooks company" in flash.text and company["realm_id"] in flash.text
    assert urlparse(browser.current_url).path == "/qbo-sync/"
    card = browser.find_element(By.ID, "connection")
    assert "connected" in card.text.lower() and "not connected" not in card.text.lower()
    assert company["realm_id"] in card.text
    assert not card.find_elements(By.ID, "connect")  # connected: nothing to click

    # In the database: the realm, status connected, the tokens encrypted (never plaintext).
    ((tenant_id, realm_id, status, access_enc, refresh_enc, _),) = db.execute(CONNECTIONS).fetchall()
    assert (tenant_id, realm_id, status) == (2, company["realm_id"], "connected")
    cipher = TokenCipher.from_env()
    access, refresh = cipher.decrypt(access_enc), cipher.decrypt(refresh_enc)
    assert access and refresh
    for token, stored in ((access, bytes(access_enc)), (refresh, bytes(refresh_enc))):
        assert token.encode() not in stored and stored.startswith(b"gAAAAA")  # a Fernet token
    # ... and they work: the sync's own client reads the company with them.
    with client_for_tenant(db, 2) as qbo:
        assert qbo.query("select * from CompanyInfo")[0]["CompanyName"]
    # The state was used once, by admin, for tenant 2, with the configured callback URL.
    assert db.execute(STATE_COLUMNS).fetchall() == [(2, "admin", True, callback_url(airflow_server))]
    # The browser-binding cookie is gone.
    assert not [c for c in browser.get_cookies() if c["name"].startswith("qbo_connect_")]

    # QuickBooks refuses the tokens later: the page offers Reconnect, which connects again.
    db.execute(load_sql("companies/mark_reconnect_required"), {"tenant_id": 2, "reason": "test: refused"})
    browser.get(f"{airflow_server.url}/qbo-sync/?tenant_id=2")
    button = browser.find_element(By.ID, "connect")
    assert button.text == "Reconnect to QuickBooks"
    button.click()
    flash = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "Connected tenant 2" in flash.text, flash.text
    assert db.execute("SELECT status, realm_id FROM qbo_sync.tenant_connections WHERE tenant_id = 2").fetchone() == (
        "connected",
        company["realm_id"],
    )
    assert (
        cipher.decrypt(
            db.execute("SELECT refresh_token_enc FROM qbo_sync.tenant_connections WHERE tenant_id = 2").fetchone()[0]
        )
        != refresh
    )


def test_the_authorize_request_uses_the_configured_callback_and_scope(airflow_server, tenants, db):
    admin = Browserless(airflow_server, "admin")
    # A forged Host header changes nothing: the callback URL comes from configuration.
    started = admin.start(2, Host="evil.example.com")
    assert started.status_code == 303
    target = urlparse(started.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert (
        f"{target.scheme}://{target.netloc}{target.path}"
        == requests.get(airflow_server_discovery(airflow_server), timeout=30).json()["authorization_endpoint"]
    )
    assert query["scope"] == "com.intuit.quickbooks.accounting" and query["response_type"] == "code"
    assert query["redirect_uri"] == callback_url(airflow_server)
    assert len(query["state"]) >= 43  # 256 random bits, URL-safe
    # Only its hash is stored; the browser got an httponly cookie for this tenant.
    assert db.execute(
        "SELECT count(*) FROM qbo_sync.oauth_connect_states WHERE state_sha256 = sha256(convert_to(%(s)s, 'UTF8'))",
        {"s": query["state"]},
    ).fetchone() == (1,)
    cookie = started.headers["set-cookie"]
    assert cookie.startswith("qbo_connect_2=") and "HttpOnly" in cookie and "Path=/qbo-sync/connect" in cookie
    assert "samesite=lax" in cookie.lower()


def airflow_server_discovery(server) -> str:
    import json

    return json.loads(server.env["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"])["extra"]["discovery_url"]


def test_forged_missing_expired_replayed_and_foreign_states_are_refused_and_write_nothing(airflow_server, tenants, db):
    admin, admin_elsewhere, ops = (
        Browserless(airflow_server, "admin"),
        Browserless(airflow_server, "admin"),
        Browserless(airflow_server, "ops"),
    )
    url = admin.approve(2)
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    before = snapshot(db)

    refusals = {
        "no state": (admin, url.replace(f"state={query['state']}", "state="), 400, "carried no state"),
        "forged state": (admin, url.replace(query["state"], "A" * 43), 400, "not one this page issued"),
        "another user's state": (ops, url, 403, "another user started this connection"),
        # The same user in another browser (no cookie from the Connect click).
        "another browser": (admin_elsewhere, url, 403, "this browser did not start connecting tenant 2"),
    }
    for name, (who, target, status, text) in refusals.items():
        response = who.callback(target)
        assert response.status_code == status, (name, response.text)
        assert text in response.text and "Nothing was saved" in response.text, (name, response.text)
        nothing_written(db, before)

    # Another tenant's state: admin's browser started tenant 3 elsewhere; tenant 2's cookie does not fit.
    other = admin_elsewhere.approve(3)
    before = snapshot(db)
    response = admin.callback(other)
    assert response.status_code == 403 and "did not start connecting tenant 3" in response.text
    nothing_written(db, before)

    # A POST to the callback is no callback at all.
    assert admin.session.post(url, timeout=30, allow_redirects=False).status_code == 405
    nothing_written(db, before)

    # The genuine answer works once ...
    done = admin.callback(url)
    assert done.status_code == 303 and "Connected+tenant+2" in done.headers["location"]
    after = snapshot(db)
    assert [row[:3] for row in after[0]] == [(2, query["realmId"], "connected")]
    # ... and a replay is refused without touching anything.
    replay = admin.callback(url)
    assert replay.status_code == 400 and "already used once" in replay.text
    nothing_written(db, after)


def test_an_expired_state_is_refused(airflow_server, tenants, db):
    admin = Browserless(airflow_server, "admin")
    url = admin.approve(2)
    # Eleven minutes pass between the Connect click and QuickBooks' answer.
    db.execute(
        "UPDATE qbo_sync.oauth_connect_states SET created_at = created_at - interval '11 minutes',"
        " expires_at = expires_at - interval '11 minutes'"
    )
    before = snapshot(db)
    response = admin.callback(url)
    assert response.status_code == 400 and "not finished within 10 minutes" in response.text
    nothing_written(db, before)


def test_a_user_who_may_not_act_sees_no_button_and_cannot_connect(airflow_server, tenants, db):
    clerk = Browserless(airflow_server, "clerk")
    page = clerk.session.get(f"{airflow_server.url}/qbo-sync/?tenant_id=2", timeout=30)
    assert page.status_code == 200 and "not connected" in page.text
    assert 'id="connect"' not in page.text and "Connect to QuickBooks" not in page.text
    admin_page = Browserless(airflow_server, "admin").session.get(
        f"{airflow_server.url}/qbo-sync/?tenant_id=2", timeout=30
    )
    assert 'id="connect"' in admin_page.text  # the same tenant shows it to a user who may act
    before = snapshot(db)
    started = clerk.start(2)
    assert started.status_code == 403 and "clerk may not POST runs of qbo_resync" in started.text
    nothing_written(db, before)
    # A callback carrying a real, unused state of admin's is refused for clerk and stays unused.
    url = Browserless(airflow_server, "admin").approve(2)
    before = snapshot(db)
    assert clerk.callback(url).status_code == 403
    nothing_written(db, before)
    # Without any login: sent to Airflow's login, nothing written; a bad form token is refused.
    anonymous = requests.get(url, allow_redirects=False, timeout=30)
    assert anonymous.status_code == 307 and "/auth/login" in anonymous.headers["location"]
    admin = Browserless(airflow_server, "admin")
    stale = admin.session.post(
        f"{airflow_server.url}/qbo-sync/connect",
        data={"tenant_id": "2", "csrf": "0" * 64},
        allow_redirects=False,
        timeout=30,
    )
    assert stale.status_code == 403
    nothing_written(db, before)


def test_the_callback_url_comes_from_configuration_never_from_the_request(monkeypatch):
    from qbo_airflow.ui import connect

    monkeypatch.setenv("QBO_SYNC_OAUTH_REDIRECT_URI", "https://airflow.example.com/qbo-sync/connect/callback")
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://other.example.com")
    assert connect.redirect_uri() == "https://airflow.example.com/qbo-sync/connect/callback"
    monkeypatch.delenv("QBO_SYNC_OAUTH_REDIRECT_URI")
    assert connect.redirect_uri() == "https://other.example.com/qbo-sync/connect/callback"
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "")
    with pytest.raises(connect.ConnectError, match="QBO_SYNC_OAUTH_REDIRECT_URI"):
        connect.redirect_uri()


def test_a_refused_code_or_a_denied_approval_is_said_plainly_and_connects_nothing(airflow_server, tenants, db):
    admin = Browserless(airflow_server, "admin")
    url = admin.approve(2)
    code = parse_qs(urlparse(url).query)["code"][0]
    # QuickBooks refuses the code at the token endpoint (here: not the one it issued).
    response = admin.callback(url.replace(code, "AB-not-the-code"))
    assert response.status_code == 303
    error = parse_qs(urlparse(response.headers["location"]).query)["error"][0]
    assert error.startswith("Tenant 2 was not connected to QuickBooks: QuickBooks refused the authorization code"), (
        error
    )
    assert "start connecting again" in error
    assert db.execute(CONNECTIONS).fetchall() == []
    # The person clicked Cancel in QuickBooks: QuickBooks answers error=access_denied.
    url = admin.approve(2)
    denied = url.replace(f"code={parse_qs(urlparse(url).query)['code'][0]}", "error=access_denied")
    response = admin.callback(denied)
    error = parse_qs(urlparse(response.headers["location"]).query)["error"][0]
    assert "QuickBooks did not connect tenant 2 (access_denied)" in error and "Click Connect" in error
    assert db.execute(CONNECTIONS).fetchall() == []
    # Both states are spent: the real code cannot be delivered with them afterwards.
    assert admin.callback(url).status_code == 400
    assert db.execute(CONNECTIONS).fetchall() == []
