"""Injected faults (every kind), requestid replay, and the throttling limits with a 2-second minute."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests

from qbo_emulator.config import EmulatorConfig
from qbo_emulator.testing import EmulatorThread


def _count(company, name):
    return company.query(f"select count(*) from Customer where DisplayName = '{name}'")["totalCount"]


# --- injected faults ----------------------------------------------------------------------------


def test_throttle_fault_is_the_real_xml_429(qbo, au):
    qbo.inject_fault(au.realm_id, "throttle", count=2, path_contains="/customer")
    for _ in range(2):
        response = au.post("customer", {"DisplayName": "Throttled"})
        assert response.status_code == 429
        assert response.headers["content-type"].startswith("application/xml")
        text = response.text
        assert '<Fault type="SERVICE"><Error code="3001">' in text
        assert "<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>" in text
        assert "<Detail>The request limit was reached.  Try again later</Detail>" in text
    assert _count(au, "Throttled") == 0
    assert au.post("customer", {"DisplayName": "Throttled"}).status_code == 200
    faults_seen = [entry["fault"] for entry in qbo.requests_log(au.realm_id)]
    assert faults_seen.count("throttle") == 2


@pytest.mark.parametrize("status", [None, 503])
def test_server_error_fault(qbo, au, status):
    extra = {"status": status} if status else {}
    qbo.inject_fault(au.realm_id, "server_error", **extra)
    response = au.post("customer", {"DisplayName": "Server Error"})
    assert response.status_code == (status or 500)
    fault = response.json()["Fault"]
    assert fault["type"] == "SystemFault" and fault["Error"][0]["code"] == "10000"
    assert fault["Error"][0]["Detail"].startswith("System Failure Error:")
    assert _count(au, "Server Error") == 0


@pytest.mark.parametrize("status", [None, 503])
def test_html_fault(qbo, au, status):
    extra = {"status": status} if status else {}
    qbo.inject_fault(au.realm_id, "html", **extra)
    response = au.post("customer", {"DisplayName": "Html"})
    assert response.status_code == (status or 502)
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<")  # "'<' is an invalid start of a value"
    with pytest.raises(ValueError):
        response.json()
    assert _count(au, "Html") == 0


def test_empty_fault(qbo, au):
    qbo.inject_fault(au.realm_id, "empty")
    response = au.post("customer", {"DisplayName": "Empty"})
    assert response.status_code == 200 and response.content == b""
    qbo.inject_fault(au.realm_id, "empty", status=502)
    assert au.get("customer/1").status_code == 502
    assert _count(au, "Empty") == 0


def test_reset_fault_drops_the_connection(qbo, au):
    qbo.inject_fault(au.realm_id, "reset", path_contains="/customer")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        au.post("customer", {"DisplayName": "Reset"})
    assert _count(au, "Reset") == 0
    assert qbo.requests_log(au.realm_id)[-2]["fault"] == "reset"


def test_reset_fault_under_the_real_server_process(limited_qbo):
    info = limited_qbo.create_company()
    token = limited_qbo.issue_tokens(info["realm_id"])["access_token"]
    limited_qbo.inject_fault(info["realm_id"], "reset")
    url = f"{limited_qbo.base_url}/v3/company/{info['realm_id']}/customer"
    headers = {"Authorization": f"Bearer {token}"}
    with requests.Session() as session:
        with pytest.raises(requests.ConnectionError):
            session.post(url, json={"DisplayName": "Reset"}, headers=headers, timeout=10)
        # The same session recovers on a new connection.
        assert session.post(url, json={"DisplayName": "After"}, headers=headers, timeout=10).status_code == 200


def test_timeout_fault_holds_then_drops_without_applying(qbo, au):
    qbo.inject_fault(au.realm_id, "timeout", seconds=0.5)
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        au.post("customer", {"DisplayName": "Timeout"})
    assert [e["fault"] for e in qbo.requests_log(au.realm_id)].count("timeout") == 1
    assert _count(au, "Timeout") == 0
    # It holds the request: a client-side timeout shorter than the hold gives requests'
    # Timeout instead (the client's own clock is the measure, not the test's).
    qbo.inject_fault(au.realm_id, "timeout", seconds=1)
    with pytest.raises(requests.Timeout):
        au.session.post(f"{au.url}/customer", json={"DisplayName": "Timeout"}, timeout=0.3)
    time.sleep(0.8)
    assert _count(au, "Timeout") == 0


def test_commit_then_drop_applies_and_requestid_replays(qbo, au):
    qbo.inject_fault(au.realm_id, "commit_then_drop")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        au.post("customer", {"DisplayName": "Committed"}, requestid="rid-commit-1")
    assert _count(au, "Committed") == 1
    replay = au.post("customer", {"DisplayName": "Committed"}, requestid="rid-commit-1")
    assert replay.status_code == 200
    assert _count(au, "Committed") == 1
    found = au.query("select * from Customer where DisplayName = 'Committed'")["Customer"][0]
    assert replay.json()["Customer"]["Id"] == found["Id"]


def test_stale_object_fault_answers_5010_and_applies_nothing(qbo, au):
    customer = au.post("customer", {"DisplayName": "Stale Sam"}).json()["Customer"]
    qbo.inject_fault(au.realm_id, "stale_object", path_contains="/customer?")
    body = {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "GivenName": "Sam"}
    response = au.post("customer", body)
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert (error["code"], error["Message"]) == ("5010", "Stale Object Error")
    assert error["Detail"].startswith("Stale Object Error : You and another user were working on this")
    assert au.get(f"customer/{customer['Id']}").json()["Customer"]["SyncToken"] == customer["SyncToken"]
    assert au.post("customer", body).status_code == 200  # one use only
    # Only queued: chaos draws what QuickBooks answers to any call, and 5010 is not that.
    refused = requests.post(
        f"{qbo.base_url}/_emulator/companies/{au.realm_id}/chaos",
        json={"seed": 1, "probability": 0.5, "kinds": ["stale_object"]},
        timeout=10,
    )
    assert refused.status_code == 400


def test_fault_count_and_path_contains_on_query_string(qbo, au):
    customer = au.customer("Void Target")
    invoice = au.invoice(customer["Id"])
    qbo.inject_fault(au.realm_id, "server_error", count=1, path_contains="operation=void")
    assert au.get(f"invoice/{invoice['Id']}").status_code == 200  # not matched
    assert au.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="void").status_code == 500
    assert au.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="void").status_code == 200


def test_faults_on_the_token_endpoint(qbo):
    info = qbo.create_company()
    auth = (info["client_id"], info["client_secret"])
    data = {"grant_type": "refresh_token", "refresh_token": info["refresh_token"]}
    qbo.inject_fault(info["realm_id"], "throttle", path_contains="/oauth2/")
    assert requests.post(qbo.token_url, auth=auth, data=data, timeout=10).status_code == 429
    qbo.inject_fault(info["realm_id"], "commit_then_drop", path_contains="/tokens/bearer")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.post(qbo.token_url, auth=auth, data=data, timeout=10)
    # The rotation happened: the old token, still in its grace period, hands out the token we never saw.
    recovered = requests.post(qbo.token_url, auth=auth, data=data, timeout=10).json()
    assert recovered["refresh_token"] != info["refresh_token"]
    again = requests.post(qbo.token_url, auth=auth, data=data, timeout=10).json()
    assert again["refresh_token"] == recovered["refresh_token"]


# --- requestid -----------------------------------------------------------------------------------


def test_requestid_replay_returns_original_without_acting(au):
    first = au.post("customer", {"DisplayName": "Replay Me"}, requestid="rid-a")
    second = au.post("customer", {"DisplayName": "Something Else"}, requestid="rid-a")
    assert second.status_code == 200 and second.content == first.content
    assert _count(au, "Something Else") == 0
    # A fault is remembered too.
    failed = au.post("customer", {"DisplayName": "Replay Me"}, requestid="rid-b")
    assert failed.status_code == 400
    assert au.post("customer", {"DisplayName": "New Name"}, requestid="rid-b").content == failed.content
    # Different realm, same requestid: independent.
    error = au.post("customer", {"DisplayName": "x"}, requestid="r" * 51)
    assert error.status_code == 400
    assert error.json()["Fault"]["Error"][0]["element"] == "requestid"


def test_requestid_window_expires():
    config = EmulatorConfig(limits_enabled=False, requestid_window_seconds=60)
    with EmulatorThread(config) as emulator:
        info = emulator.create_company()
        token = emulator.issue_tokens(info["realm_id"])["access_token"]
        url = f"{emulator.base_url}/v3/company/{info['realm_id']}/customer"
        headers = {"Authorization": f"Bearer {token}"}
        first = requests.post(
            url, json={"DisplayName": "Window"}, params={"requestid": "w1"}, headers=headers, timeout=10
        )
        assert first.status_code == 200
        emulator.advance_clock(61)
        again = requests.post(
            url, json={"DisplayName": "Window"}, params={"requestid": "w1"}, headers=headers, timeout=10
        )
        assert again.json()["Fault"]["Error"][0]["code"] == "6240"  # it acted again


# --- limits (subprocess, 2-second minute, 30 requests / 4 batches / 10 concurrent) ---------------


class _Client:
    def __init__(self, emulator):
        self.emulator = emulator
        self.info = emulator.create_company()
        self.realm_id = self.info["realm_id"]
        self.session = requests.Session()
        token = emulator.issue_tokens(self.realm_id)["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.url = f"{emulator.base_url}/v3/company/{self.realm_id}"

    def read(self):
        return self.session.get(f"{self.url}/item/{self.info['service_item_id']}", timeout=10)

    def batch(self):
        body = {"BatchItemRequest": [{"bId": "1", "Query": "select * from Item"}]}
        return self.session.post(f"{self.url}/batch", json=body, timeout=10)


def test_requests_per_minute_limit_and_recovery(limited_qbo):
    client = _Client(limited_qbo)
    statuses = [client.read().status_code for _ in range(30)]
    assert statuses == [200] * 30
    throttled = client.read()
    assert throttled.status_code == 429
    assert "ThrottleExceeded" in throttled.text and "errorCode=003001" in throttled.text
    assert limited_qbo.stats(client.realm_id)["throttled"] == 1
    time.sleep(2.1)  # one (short) minute later
    assert client.read().status_code == 200
    # Another company of the same app has its own window.
    assert _Client(limited_qbo).read().status_code == 200


def test_batches_per_minute_limit_counts_toward_requests(limited_qbo):
    client = _Client(limited_qbo)
    assert [client.batch().status_code for _ in range(4)] == [200] * 4
    assert client.batch().status_code == 429
    assert client.read().status_code == 200  # plain requests still allowed
    stats = limited_qbo.stats(client.realm_id)
    assert stats["batch_requests"] == 5 and stats["requests"] == 6
    for _ in range(24):  # 6 already counted: 30 in this minute
        client.read()
    assert client.read().status_code == 429


def test_eleventh_concurrent_request_is_throttled(limited_qbo):
    client = _Client(limited_qbo)
    limited_qbo.inject_fault(client.realm_id, "timeout", count=10, seconds=1.5, path_contains="/item/")
    outcomes = []

    def held():
        try:
            outcomes.append(client.read().status_code)
        except requests.RequestException as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=held) for _ in range(10)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while limited_qbo.stats(client.realm_id)["in_flight"] < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert limited_qbo.stats(client.realm_id)["in_flight"] == 10
    eleventh = client.session.get(f"{client.url}/companyinfo/{client.realm_id}", timeout=10)
    assert eleventh.status_code == 429
    for thread in threads:
        thread.join()
    assert len(outcomes) == 10 and 429 not in outcomes
    stats = limited_qbo.stats(client.realm_id)
    assert stats["max_concurrency"] == 10 and stats["in_flight"] == 0
    assert client.session.get(f"{client.url}/companyinfo/{client.realm_id}", timeout=10).status_code == 200


def test_no_limits_switch(qbo, au):
    body = {"BatchItemRequest": [{"bId": "1", "Query": "select count(*) from Item"}]}
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: au.post("batch", body).status_code, range(60)))
    assert statuses == [200] * 60
    assert qbo.stats(au.realm_id)["throttled"] == 0


# --- per-second limit (a real 60-second minute, so its "second" is one second) -----------------

# QuickBooks' limits (500 a minute, 10 a second) on a 3-minute "minute", so that its "second"
# (a sixtieth of it) is 3 s: room for 11 requests on a busy machine, without timing them.
SLOW_MINUTE = 180.0
SECOND = SLOW_MINUTE / 60


@pytest.fixture(scope="module")
def per_second_qbo():
    with EmulatorThread(EmulatorConfig(minute_seconds=SLOW_MINUTE)) as emulator:
        yield emulator


def _log_statuses(emulator, realm_id):
    return [r["status"] for r in emulator.requests_log(realm_id)]


def test_eleven_requests_in_one_second_get_a_429(per_second_qbo):
    client = _Client(per_second_qbo)
    answers = [client.read() for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert "ThrottleExceeded" in answers[-1].text and "errorCode=003001" in answers[-1].text
    time.sleep(SECOND + 0.05)  # a "second" later the window has moved on (the refused one counts too)
    assert client.read().status_code == 200
    assert _log_statuses(per_second_qbo, client.realm_id) == [200] * 10 + [429, 200]


def test_per_second_limit_is_per_company_and_settable(per_second_qbo):
    slow, other = _Client(per_second_qbo), _Client(per_second_qbo)
    assert per_second_qbo.set_limits(slow.realm_id, requests_per_second=3)["requests_per_second"] == 3
    assert [slow.read().status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [other.read().status_code for _ in range(4)] == [200] * 4  # its own window and limits
    response = requests.patch(
        f"{per_second_qbo.base_url}/_emulator/companies/{slow.realm_id}/limits",
        json={"requests_per_second": -1},
        timeout=10,
    )
    assert response.status_code == 400 and "at least 0" in response.json()["error"]


# --- metered (CorePlus) reads ----------------------------------------------------------------------


def test_read_budget_refuses_read_n_plus_one_and_not_writes(qbo, make_company):
    app = qbo.create_app()
    company = make_company(client_id=app["client_id"])
    usage = qbo.set_read_budget(app["client_id"], 3)
    assert usage["monthly_budget"] == 3 and usage["used"] == 0
    item = company.info["service_item_id"]
    assert company.get(f"item/{item}").status_code == 200  # a read
    assert company.get("query", query="select * from Item").status_code == 200  # a query
    created = company.customer("Metered Writes Still Go")  # a create: not metered
    body = {"BatchItemRequest": [{"bId": "1", "operation": "create", "Customer": {"DisplayName": "Batch W"}}]}
    assert company.post("batch", body).status_code == 200  # writes-only batch: not metered
    since = (datetime.fromisoformat(qbo.advance_clock(0)["now"]) - timedelta(days=1)).isoformat()
    assert company.get("cdc", entities="Customer", changedSince=since).status_code == 200  # CDC: read 3
    blocked = company.get(f"customer/{created['Id']}")  # read 4 of a budget of 3
    assert blocked.status_code == 429
    assert "errorCode=003001" in blocked.text and "CorePlus" in blocked.text
    query_batch = {"BatchItemRequest": [{"bId": "1", "Query": "select * from Item"}]}
    assert company.post("batch", query_batch).status_code == 429
    assert company.customer("Writes Go On After The Block")["Id"]
    usage = qbo.read_usage(app["client_id"])
    assert usage["used"] == 3 and usage["refused"] == 2
    log = qbo.requests_log(company.realm_id)
    assert [r["fault"] for r in log if r["status"] == 429] == ["reads_blocked", "reads_blocked"]
    # Another app's companies are not affected by this app's budget.
    other = make_company()
    assert other.get(f"item/{other.info['service_item_id']}").status_code == 200


def test_read_budget_opens_again_next_month():
    # Its own emulator: the clock moves a month, which the shared one must not see.
    with EmulatorThread(EmulatorConfig(limits_enabled=False, monthly_read_budget=1)) as emulator:
        info = emulator.create_company(region="AU")
        url = f"{emulator.base_url}/v3/company/{info['realm_id']}/query"

        def query():
            token = emulator.issue_tokens(info["realm_id"])["access_token"]
            return requests.get(
                url, params={"query": "select * from Item"}, timeout=10, headers={"Authorization": f"Bearer {token}"}
            ).status_code

        assert query() == 200  # the one read of --monthly-read-budget 1
        assert query() == 429
        emulator.advance_clock(32 * 86400)  # into the next calendar month: a fresh budget
        assert query() == 200
        assert query() == 429
        client_id = emulator.store.config.client_id
        assert emulator.set_read_budget(client_id, None)["monthly_budget"] is None
        assert query() == 200
        assert emulator.read_usage(client_id)["used"] == 2  # this month's: 1 + the unlimited one


# --- e-mail addresses (fault 2210, RFC 822 addr-spec) --------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "jo smith@example.com",  # a space
        "jo@smith@example.com",  # two @
        "jo@",  # no domain
        "@example.com",  # no local part
        "jo@example.com.",  # trailing dot
        "jo..smith@example.com",  # empty word
        "jöe@example.com",  # not ASCII
        "jo@example.com, al@example.com",  # several addresses separated by a comma
        "jo@example.com;al@example.com",
    ],
)
def test_malformed_email_is_refused_with_2210(au, address):
    error = au.fault("customer", {"DisplayName": f"Mail {address}", "PrimaryEmailAddr": {"Address": address}})
    assert error["code"] == "2210" and error["element"] == "PrimaryEmailAddr.Address"
    assert "does not conform to the syntax rules of RFC 822" in error["Detail"]
    assert address in error["Detail"]
    assert _count(au, f"Mail {address}") == 0


@pytest.mark.parametrize(
    "address", ["jo.smith+billing@example.com", "o'neil@example.ie", "JO@EXAMPLE.COM", "a_b-c@mail.example.co.uk"]
)
def test_well_formed_email_is_accepted(au, address):
    created = au.customer(f"Mail ok {address}", PrimaryEmailAddr={"Address": address})
    assert created["PrimaryEmailAddr"]["Address"] == address


def test_update_to_malformed_email_is_refused(au):
    created = au.customer("Mail update", PrimaryEmailAddr={"Address": "ok@example.com"})
    error = au.fault(
        "customer",
        {
            "Id": created["Id"],
            "SyncToken": created["SyncToken"],
            "sparse": True,
            "PrimaryEmailAddr": {"Address": "not an address"},
        },
    )
    assert error["code"] == "2210"
