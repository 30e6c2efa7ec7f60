"""OAuth 2.0 (discovery, code and refresh grants, rotation, revocation, 401/403) and the control API."""

from __future__ import annotations

import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from qbo_emulator.testing import INCLUDE_DIR


def _refresh(qbo, client_id, client_secret, refresh_token):
    return requests.post(
        qbo.token_url,
        auth=(client_id, client_secret),
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        timeout=10,
    )


def _api(qbo, realm_id, access_token, path="companyinfo/{realm}"):
    return requests.get(
        f"{qbo.base_url}/v3/company/{realm_id}/{path.format(realm=realm_id)}",
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        params={"minorversion": 75},
        timeout=10,
    )


@pytest.mark.parametrize("doc", ["openid_configuration", "openid_sandbox_configuration"])
def test_discovery_points_back_at_emulator(qbo, doc):
    body = requests.get(f"{qbo.base_url}/.well-known/{doc}/", timeout=10).json()
    assert body["token_endpoint"] == qbo.base_url + "/oauth2/v1/tokens/bearer"
    assert body["revocation_endpoint"] == qbo.base_url + "/oauth2/v1/tokens/revoke"
    assert body["authorization_endpoint"].startswith(qbo.base_url)


def test_refresh_rotates_and_old_token_has_grace_period(qbo):
    info = qbo.create_company(region="US")
    first = _refresh(qbo, info["client_id"], info["client_secret"], info["refresh_token"])
    assert first.status_code == 200
    tokens = first.json()
    assert set(tokens) == {"token_type", "access_token", "refresh_token", "expires_in", "x_refresh_token_expires_in"}
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 3600
    assert tokens["x_refresh_token_expires_in"] == 8726400
    assert tokens["refresh_token"] != info["refresh_token"]
    # The previous token still works within the grace period and yields the same new family.
    again = _refresh(qbo, info["client_id"], info["client_secret"], info["refresh_token"]).json()
    assert again["refresh_token"] == tokens["refresh_token"]
    assert _api(qbo, info["realm_id"], again["access_token"]).status_code == 200
    second = _refresh(qbo, info["client_id"], info["client_secret"], tokens["refresh_token"]).json()
    qbo.advance_clock(86400 + 1)
    try:
        late = _refresh(qbo, info["client_id"], info["client_secret"], info["refresh_token"])
        assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
        # The newest token of the chain is fine.
        assert _refresh(qbo, info["client_id"], info["client_secret"], second["refresh_token"]).status_code == 200
    finally:
        qbo.store.clock.offset -= 86400 + 1


def test_wrong_secret_is_invalid_client(qbo):
    info = qbo.create_company()
    response = _refresh(qbo, info["client_id"], "wrong", info["refresh_token"])
    assert response.status_code == 401 and response.json() == {"error": "invalid_client"}
    assert requests.post(qbo.token_url, data={"grant_type": "refresh_token"}, timeout=10).status_code == 401


def test_unknown_refresh_token_is_invalid_grant(qbo):
    info = qbo.create_company()
    response = _refresh(qbo, info["client_id"], info["client_secret"], "RT1-nope")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_access_token_expires_after_an_hour_of_emulator_clock(qbo):
    info = qbo.create_company()
    token = _refresh(qbo, info["client_id"], info["client_secret"], info["refresh_token"]).json()["access_token"]
    assert _api(qbo, info["realm_id"], token).status_code == 200
    qbo.advance_clock(3601)
    try:
        response = _api(qbo, info["realm_id"], token)
        assert response.status_code == 401
        fault = response.json()["fault"]
        assert fault["type"] == "AUTHENTICATION"
        assert fault["error"][0]["code"] == "3200"
        assert fault["error"][0]["message"] == "message=AuthenticationFailed; errorCode=003200; statusCode=401"
        assert "Fault" not in response.json()
    finally:
        qbo.store.clock.offset -= 3601


def test_missing_or_bad_bearer_is_401(qbo):
    info = qbo.create_company()
    assert _api(qbo, info["realm_id"], "garbage").status_code == 401
    response = requests.get(f"{qbo.base_url}/v3/company/{info['realm_id']}/customer/1", timeout=10)
    assert response.status_code == 401


def test_token_of_another_realm_is_403_3100(qbo):
    one = qbo.create_company()
    two = qbo.create_company()
    token = qbo.issue_tokens(one["realm_id"])["access_token"]
    response = _api(qbo, two["realm_id"], token)
    assert response.status_code == 403
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "3100" and "ApplicationAuthorizationFailed" in error["Message"]


def test_lapsed_subscription_is_403(qbo):
    info = qbo.create_company()
    token = qbo.issue_tokens(info["realm_id"])["access_token"]
    qbo.set_subscription_active(info["realm_id"], False)
    assert _api(qbo, info["realm_id"], token).status_code == 403
    qbo.set_subscription_active(info["realm_id"], True)
    assert _api(qbo, info["realm_id"], token).status_code == 200


def test_revoke_kills_refresh_and_access_tokens(qbo):
    info = qbo.create_company()
    tokens = _refresh(qbo, info["client_id"], info["client_secret"], info["refresh_token"]).json()
    response = requests.post(
        qbo.base_url + "/oauth2/v1/tokens/revoke",
        auth=(info["client_id"], info["client_secret"]),
        json={"token": tokens["refresh_token"]},
        timeout=10,
    )
    assert response.status_code == 200
    assert (
        _refresh(qbo, info["client_id"], info["client_secret"], tokens["refresh_token"]).json()["error"]
        == "invalid_grant"
    )
    assert _api(qbo, info["realm_id"], tokens["access_token"]).status_code == 401


def test_authorization_code_flow(qbo):
    # The redirect URI is registered with the app, as Intuit requires (the page approves only then).
    redirect = "https://billing.example.com/qbo/callback"
    app = qbo.create_app(redirect_uris=[redirect])
    assert app["redirect_uris"] == [redirect]
    info = qbo.create_company(region="UK", client_id=app["client_id"])
    response = requests.get(
        qbo.base_url + "/connect/oauth2",
        allow_redirects=False,
        timeout=10,
        params={
            "client_id": app["client_id"],
            "redirect_uri": redirect,
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "state": "xyz",
        },
    )
    assert response.status_code == 302
    location = urlparse(response.headers["location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    assert query["state"] == ["xyz"] and query["realmId"] == [info["realm_id"]]
    exchange = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect}
    tokens = requests.post(qbo.token_url, auth=(app["client_id"], app["client_secret"]), data=exchange, timeout=10)
    assert tokens.status_code == 200
    assert _api(qbo, info["realm_id"], tokens.json()["access_token"]).status_code == 200
    # A code works once.
    replay = requests.post(qbo.token_url, auth=(app["client_id"], app["client_secret"]), data=exchange, timeout=10)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def _authorize(qbo, client_id, redirect_uri, state="s1"):
    return requests.get(
        qbo.base_url + "/connect/oauth2",
        allow_redirects=False,
        timeout=10,
        params={
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "state": state,
        },
    )


def test_authorize_refuses_a_redirect_uri_the_app_did_not_register(qbo):
    registered = "https://billing.example.com/qbo/callback"
    app = qbo.create_app(redirect_uris=[registered])
    qbo.create_company(client_id=app["client_id"])
    codes_before = len(qbo.store.auth_codes)
    # Exact match only: another host, scheme, port, path, a trailing slash or an added query
    # are all different URIs (Intuit: "matches it exactly").
    for uri in (
        "https://evil.example.com/qbo/callback",
        "http://billing.example.com/qbo/callback",
        "https://billing.example.com:8443/qbo/callback",
        "https://billing.example.com/qbo/callback/",
        "https://billing.example.com/qbo/callback?next=x",
        "https://billing.example.com/qbo",
    ):
        response = _authorize(qbo, app["client_id"], uri)
        assert response.status_code == 400, uri
        assert "location" not in response.headers, uri  # never redirects to an unregistered URI
        assert "connection problem" in response.text
        assert (
            "The redirect_uri query parameter value is invalid. Make sure it is listed in the Redirect URIs "
            "section on your app's keys tab and matches it exactly."
        ) in response.text
    # Another app's registered URI is not this app's.
    other = qbo.create_app(redirect_uris=["https://other.example.com/cb"])
    assert _authorize(qbo, app["client_id"], "https://other.example.com/cb").status_code == 400
    assert len(qbo.store.auth_codes) == codes_before  # no code was issued
    assert _authorize(qbo, other["client_id"], "https://other.example.com/cb").status_code == 302
    assert _authorize(qbo, app["client_id"], registered).status_code == 302


def test_redirect_uris_are_registered_listed_and_removed_through_the_control_api(qbo):
    app = qbo.create_app()
    url = f"{qbo.base_url}/_emulator/apps/{app['client_id']}/redirect_uris"
    assert requests.get(url, timeout=10).json()["redirect_uris"] == []
    assert _authorize(qbo, app["client_id"], "http://localhost:9999/callback").status_code == 400
    assert qbo.register_redirect_uri(app["client_id"], "http://localhost:9999/callback") == [
        "http://localhost:9999/callback"
    ]
    qbo.create_company(client_id=app["client_id"])
    assert _authorize(qbo, app["client_id"], "http://localhost:9999/callback").status_code == 302
    removed = requests.delete(url, json={"redirect_uris": ["http://localhost:9999/callback"]}, timeout=10)
    assert removed.status_code == 200 and removed.json()["redirect_uris"] == []
    assert _authorize(qbo, app["client_id"], "http://localhost:9999/callback").status_code == 400
    for bad in (
        {},
        {"redirect_uris": []},
        {"redirect_uris": "http://x/cb"},
        {"redirect_uris": ["/cb"]},
        {"redirect_uris": ["ftp://x/cb"]},
        {"redirect_uris": ["https://x/cb#frag"]},
    ):
        response = requests.post(url, json=bad, timeout=10)
        assert response.status_code == 400 and "redirect" in response.json()["error"], bad
    assert requests.get(f"{qbo.base_url}/_emulator/apps/nope/redirect_uris", timeout=10).status_code == 404


def test_the_token_endpoint_refuses_a_code_exchanged_with_another_redirect_uri(qbo):
    first, second = "https://billing.example.com/a", "https://billing.example.com/b"
    app = qbo.create_app(redirect_uris=[first, second])
    qbo.create_company(client_id=app["client_id"])
    code = parse_qs(urlparse(_authorize(qbo, app["client_id"], first).headers["location"]).query)["code"][0]
    wrong = requests.post(
        qbo.token_url,
        auth=(app["client_id"], app["client_secret"]),
        timeout=10,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": second},
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"  # RFC 6749 4.1.3


def test_redirect_uri_option_registers_with_the_default_app():
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess(
        "--client-id=my-app",
        "--client-secret=s3cret",
        "--no-limits",
        "--redirect-uri",
        "http://localhost:8080/qbo-sync/connect/callback",
    ) as emulator:
        emulator.create_company()
        assert _authorize(emulator, "my-app", "http://localhost:8080/qbo-sync/connect/callback").status_code == 302
        assert _authorize(emulator, "my-app", "http://localhost:8081/qbo-sync/connect/callback").status_code == 400
        emulator.reset()  # the default app keeps its registered URIs
        emulator.create_company()
        assert _authorize(emulator, "my-app", "http://localhost:8080/qbo-sync/connect/callback").status_code == 302


def test_companies_of_other_app_refuse_default_app_credentials(qbo):
    app = qbo.create_app()
    info = qbo.create_company(client_id=app["client_id"])
    assert info["client_id"] == app["client_id"]
    default = qbo.create_company()
    assert default["client_id"] != app["client_id"]
    wrong_app = _refresh(qbo, default["client_id"], default["client_secret"], info["refresh_token"])
    assert wrong_app.status_code == 400 and wrong_app.json()["error"] == "invalid_grant"


# --- control API -------------------------------------------------------------------------------


def test_create_company_defaults_and_ids(qbo):
    info = qbo.create_company(region="AU")
    for key in (
        "realm_id",
        "client_id",
        "client_secret",
        "refresh_token",
        "service_item_id",
        "product_item_id",
        "undeposited_funds_account_id",
        "bank_account_id",
        "tax_codes",
    ):
        assert info[key]
    assert info["preferences"] == {
        "custom_txn_numbers": True,
        "duplicate_doc_number_warning": True,
        "closed_books_date": None,
        "default_terms": None,  # terms: issue 20
        # The tax model preferences (tax.py) came later; both default on.
        "automated_sales_tax": True,
        "apply_tax_after_discount": True,
        "multicurrency": False,
        # Track classes / Track locations (issue 13): off in a new company.
        "class_tracking": "off",
        "track_locations": False,
        "location_terminology": "Location",
    }
    assert set(info["terms"]) == {"Due on receipt", "Net 15", "Net 30", "Net 60"}
    assert {"GST", "GST free", "Out of scope", "N-T"} <= set(info["tax_codes"])
    default = requests.post(qbo.base_url + "/_emulator/companies", json={}, timeout=10)
    assert default.status_code == 201 and default.json()["region"] == "US"
    token = qbo.issue_tokens(info["realm_id"])["access_token"]
    item = _api(qbo, info["realm_id"], token, f"item/{info['product_item_id']}").json()["Item"]
    assert item["Type"] == "NonInventory"
    account = _api(qbo, info["realm_id"], token, f"account/{info['undeposited_funds_account_id']}").json()["Account"]
    assert account["Name"] == "Undeposited Funds"


@pytest.mark.parametrize(
    "body",
    [
        {"region": "FR"},
        {"preferences": {"custom_txn_numbers": "yes"}},
        {"preferences": {"closed_books_date": "last year"}},
        {"client_id": "nope"},
    ],
)
def test_create_company_rejects_bad_input(qbo, body):
    assert requests.post(qbo.base_url + "/_emulator/companies", json=body, timeout=10).status_code == 400


def test_requests_log_stats_and_faults_validation(qbo, au):
    au.get("customer/1")
    au.post("customer", {"DisplayName": "Logged"}, requestid="rid-1")
    log = qbo.requests_log(au.realm_id)
    assert [(e["method"], e["status"]) for e in log[-2:]] == [("GET", 400), ("POST", 200)]
    assert log[-1]["requestid"] == "rid-1" and log[-1]["path"].endswith("/customer") and log[-1]["fault"] is None
    stats = qbo.stats(au.realm_id)
    assert stats["requests"] == 2 and stats["throttled"] == 0
    bad = requests.post(f"{qbo.base_url}/_emulator/companies/{au.realm_id}/faults", json={"kind": "meteor"}, timeout=10)
    assert bad.status_code == 400


def test_reset_wipes_everything(make_company):
    from qbo_emulator.config import EmulatorConfig
    from qbo_emulator.testing import EmulatorThread

    with EmulatorThread(EmulatorConfig(limits_enabled=False)) as private:
        info = private.create_company()
        private.reset()
        response = _refresh(private, info["client_id"], info["client_secret"], info["refresh_token"])
        assert response.status_code == 400
        assert (
            requests.get(f"{private.base_url}/_emulator/companies/{info['realm_id']}/stats", timeout=10).status_code
            == 404
        )


def test_help_documents_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "qbo_emulator", "--help"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": INCLUDE_DIR},
        timeout=60,
        check=True,
    )
    for option in (
        "--host",
        "--port",
        "--port-file",
        "--client-id",
        "--client-secret",
        "--no-limits",
        "--requests-per-minute",
        "--batches-per-minute",
        "--max-concurrent",
        "--minute-seconds",
        "--refresh-grace-seconds",
        "--requestid-window-seconds",
        "--access-log",
        "--latency-ms",
        "--redirect-uri",
        "--requests-per-second",
        "--monthly-read-budget",
    ):
        assert option in result.stdout


def test_emulator_process_starts_logs_and_stops(limited_qbo):
    assert limited_qbo.process is not None and limited_qbo.process.poll() is None
    assert f"listening on {limited_qbo.base_url}" in limited_qbo.output()
    info = limited_qbo.create_company(region="AU")
    assert requests.get(limited_qbo.discovery_url, timeout=10).json()["token_endpoint"].startswith(limited_qbo.base_url)
    assert info["realm_id"]


def test_emulator_process_fixed_client_credentials():
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess("--client-id", "my-app", "--client-secret", "s3cret", "--no-limits") as emulator:
        info = emulator.create_company()
        assert (info["client_id"], info["client_secret"]) == ("my-app", "s3cret")
        process = emulator.process
    assert process.poll() is not None  # stopped on exit


def test_a_client_secret_that_starts_with_a_dash_is_taken_whole():
    # secrets.token_urlsafe() starts with "-" one time in 64: pass it as --client-secret=...
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess("--client-id=my-app", "--client-secret=-dash-first", "--no-limits") as emulator:
        info = emulator.create_company()
        assert info["client_secret"] == "-dash-first"


def test_a_frozen_clock_stamps_every_write_with_the_same_time_until_restarted(qbo, au):
    offset_before = qbo.store.clock.offset
    stopped = qbo.freeze_clock(True)
    try:
        assert stopped["frozen"] is True
        stamps = {au.ok("customer", {"DisplayName": f"Frozen {n}"})["MetaData"]["CreateTime"] for n in range(3)}
        time.sleep(1.1)
        stamps.add(au.ok("customer", {"DisplayName": "Frozen 3"})["MetaData"]["CreateTime"])
        assert len(stamps) == 1
    finally:
        restarted = qbo.freeze_clock(False)
    assert restarted["frozen"] is False
    # The clock resumes from where it stopped: it never jumps back, and it ticks again.
    assert restarted["now"] >= stopped["now"]
    first = qbo.advance_clock(0)["now"]
    time.sleep(1.1)
    assert qbo.advance_clock(0)["now"] > first
    # Resuming left the shared clock behind real time by the stop; later tests read change
    # data capture from "a second ago" in real time, so catch the clock up again.
    qbo.store.clock.offset = max(offset_before, qbo.store.clock.offset)
