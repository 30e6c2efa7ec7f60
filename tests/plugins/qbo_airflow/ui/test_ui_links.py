"""Link and Unlink on the sync page, in a real Airflow API server against the emulator: a user
allowed to act links an invoice keyed into QuickBooks by hand (and sees a refusal with its fix
when an unlink would double it); a viewer, a user not granted the tenant, a forged form and an
anonymous caller change nothing."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
import requests

from support.access import grant
from support.small_tenant import small_tenant


@pytest.fixture
def by_hand(db, qbo_app, qbo_factory, airflow_server, monkeypatch):
    """Client 101's customer and an invoice INV-101 keyed into QuickBooks by hand before the first
    sync: the sync links the customer (same name) and fails invoice 101 (number used there)."""
    from qbo_sync import pipeline
    from qbo_sync.extract.records import RunWindow

    # The page's server reads the tenant's tokens with its own key.
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", airflow_server.env["QBO_SYNC_FERNET_KEY"])
    company = small_tenant(db, qbo_app, 1, {1: None})
    with qbo_factory(1) as qbo:
        customer = qbo.create("Customer", {"DisplayName": "Client No101 (00101)"}).entity
        invoice = qbo.create(
            "Invoice",
            {
                "DocNumber": "INV-101",
                "CustomerRef": {"value": customer["Id"]},
                "GlobalTaxCalculation": "TaxExcluded",
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": D("100.00"),
                        "SalesItemLineDetail": {
                            "ItemRef": {"value": company["service_item_id"]},
                            "Qty": D("1"),
                            "UnitPrice": D("100.00"),
                            "TaxCodeRef": {"value": company["tax_codes"]["GST"]},
                        },
                    }
                ],
            },
        ).entity
    now = datetime.now(UTC)
    pipeline.run_once(db, RunWindow("manual__links", now - timedelta(days=2), now, full_sync=True), qbo_factory)
    assert db.execute(
        "SELECT status, error_code FROM qbo_sync.record_status WHERE entity = 'invoice' AND source_id = 101"
    ).fetchone() == ("failed", "number_used_in_quickbooks")
    grant(db, [1], user="clerk")  # a viewer of tenant 1; 'ops' (may act) is granted nothing
    return {"invoice": invoice["Id"], "customer": customer["Id"]}


def _page(server, user, **params):
    token = server.token(user)
    response = requests.get(
        f"{server.url}/qbo-sync/",
        params={"tenant_id": 1, **params},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return token, response


def _post(server, token, form, **extra):
    return requests.post(
        f"{server.url}/qbo-sync/links",
        data=form,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        allow_redirects=False,
        **extra,
    )


def _flash(server, token, response):
    assert response.status_code == 303, response.text
    page = requests.get(
        server.url + response.headers["location"], headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    found = re.search(r'<p class="flash (ok|err)"[^>]*>(.*?)</p>', page.text, re.S)
    assert found, page.text[:2000]
    return found.group(1), found.group(2), page.text


def test_a_user_allowed_to_act_unlinks_from_the_page_and_sees_refusals(airflow_server, db, by_hand):
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.records.links import link

    # Linked beforehand (the browser test links from the page).
    link(
        db,
        lambda t: client_for_tenant(db, t),
        tenant_id=1,
        entity="invoice",
        source_id=101,
        qbo_id=by_hand["invoice"],
        acted_by="setup",
    )
    token, page = _page(airflow_server, "admin")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    row = re.search(r'<tr class="synced" data-entity="invoice" data-source-id="101">(.*?)</tr>', page.text, re.S)
    assert row and 'value="unlink"' in row.group(1) and 'value="link"' in row.group(1)
    assert "linked by setup" in row.group(1)
    form = {"action": "unlink", "tenant_id": "1", "entity": "invoice", "source_id": "101", "csrf": csrf}

    # Still active in QuickBooks: refused with its code and fix, nothing changed.
    kind, text, _ = _flash(airflow_server, token, _post(airflow_server, token, form))
    assert kind == "err" and "Unlink refused (unlink_record_live)" in text and "--linked-by-mistake" in text
    assert db.execute("SELECT count(*) FROM qbo_sync.entity_map WHERE entity = 'invoice'").fetchone() == (1,)
    # Linking another invoice's Id without replace: refused too.
    linking = {**form, "action": "link", "qbo_id": "99999"}
    kind, text, _ = _flash(airflow_server, token, _post(airflow_server, token, linking))
    assert kind == "err" and "(link_already_linked)" in text

    # The box ticked: unlinked, in the history with who did it; the row offers Resync again.
    kind, text, shown = _flash(airflow_server, token, _post(airflow_server, token, {**form, "linked_by_mistake": "1"}))
    assert kind == "ok" and "unlinked invoice INV-101 (invoice id 101)" in text
    assert db.execute(
        "SELECT action, status, acted_by, qbo_id FROM qbo_sync.sync_log WHERE source_id = 101 AND entity = 'invoice'"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone() == ("unlink", "skipped", "admin", by_hand["invoice"])
    assert db.execute(
        "SELECT action, requested_by FROM qbo_sync.record_actions ORDER BY id DESC LIMIT 1"
    ).fetchone() == (
        "unlink",
        "admin",
    )
    row = re.search(r'<tr class="skipped" data-entity="invoice" data-source-id="101">(.*?)</tr>', shown, re.S)
    assert row and 'value="resync"' in row.group(1) and "record_unlinked" in row.group(1)
    assert 'value="unlink"' not in row.group(1)


def test_viewers_other_tenants_forged_forms_and_anonymous_callers_cannot_link(airflow_server, db, by_hand):
    before = db.execute("SELECT count(*) FROM qbo_sync.entity_map").fetchone()
    token, page = _page(airflow_server, "clerk")
    assert page.status_code == 200 and "INV-101" in page.text
    assert "/qbo-sync/links" not in page.text  # no Link / Unlink for a viewer
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    form = {
        "action": "link",
        "tenant_id": "1",
        "entity": "invoice",
        "source_id": "101",
        "qbo_id": by_hand["invoice"],
        "csrf": csrf,
    }
    refused = _post(airflow_server, token, form)
    assert refused.status_code == 403 and "clerk may not POST runs of qbo_resync" in refused.text
    # ops may act, but tenant 1 is not granted to ops.
    ops = airflow_server.token("ops")
    ops_csrf = hmac.new(ops.encode(), b"qbo-sync-ui-form", hashlib.sha256).hexdigest()  # as the page makes it
    other = _post(airflow_server, ops, {**form, "csrf": ops_csrf})
    assert other.status_code == 403 and "may not see or act on tenant 1" in other.text
    # A form not from this page (no token of the user's session), and no login at all.
    admin = airflow_server.token("admin")
    assert _post(airflow_server, admin, {**form, "csrf": "0" * 64}).status_code == 403
    anonymous = requests.post(f"{airflow_server.url}/qbo-sync/links", data=form, timeout=30, allow_redirects=False)
    assert anonymous.status_code == 401
    assert db.execute("SELECT count(*) FROM qbo_sync.entity_map").fetchone() == before
    assert db.execute("SELECT count(*) FROM qbo_sync.sync_log WHERE action IN ('link', 'unlink')").fetchone() == (0,)


def test_finance_links_an_invoice_keyed_by_hand_from_the_page(airflow_server, db, by_hand, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(f"{airflow_server.url}/qbo-sync/?tenant_id=1")
    if "/auth/login" in browser.current_url or not browser.find_elements(By.ID, "records"):
        wait.until(ec.url_contains("/auth/login"))
        wait.until(ec.visibility_of_element_located((By.NAME, "username"))).send_keys("admin")
        browser.find_element(By.NAME, "password").send_keys("admin-pass-1")
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "records")))
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-entity=invoice][data-source-id='101']")
    assert "number_used_in_quickbooks" in row.text and "--qbo-invoice-id " + by_hand["invoice"] in row.text
    row.find_element(By.NAME, "qbo_id").send_keys(by_hand["invoice"])
    row.find_element(By.CSS_SELECTOR, "button[value=link]").click()
    flash = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "linked invoice INV-101 (invoice id 101) to the QuickBooks invoice 'INV-101'" in flash.text, flash.text
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-entity=invoice][data-source-id='101']")
    assert "synced" in row.text and "linked by admin (QuickBooks sync page)" in row.text
    assert db.execute(
        "SELECT qbo_id, payload_hash FROM qbo_sync.entity_map WHERE entity = 'invoice' AND source_id = 101"
    ).fetchone() == (by_hand["invoice"], None)
    assert db.execute("SELECT action, status, acted_by FROM qbo_sync.sync_log WHERE action = 'link'").fetchone() == (
        "link",
        "synced",
        "admin",
    )
