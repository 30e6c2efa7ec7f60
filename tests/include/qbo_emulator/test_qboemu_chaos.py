"""Chaos mode: random faults from a seed, counted by kind, replayable, and stoppable."""

from __future__ import annotations

import pytest
import requests

GATEWAY = ["throttle", "server_error", "html", "empty"]


def _statuses(company, calls: int) -> list[int]:
    return [company.get("query", query="select * from Item").status_code for _ in range(calls)]


def test_same_seed_same_faults_and_counts_by_kind(qbo, make_company):
    first, second = make_company(), make_company()
    for company in (first, second):
        shown = qbo.start_chaos(company.realm_id, seed=11, probability=0.4, kinds=GATEWAY, path_contains="/query")
        assert shown["active"] and shown["kinds"] == GATEWAY
    a, b = _statuses(first, 60), _statuses(second, 60)
    assert a == b  # one random.Random(seed) per company: the same calls fail the same way
    failed = sum(s != 200 for s in a)
    assert 10 <= failed <= 40, a
    assert set(a) <= {200, 429, 500, 502}
    injected = qbo.chaos(first.realm_id)["injected"]
    # An "empty" fault answers 200 with no body: count it through the emulator, not statuses.
    assert sum(injected.values()) == failed + injected.get("empty", 0)
    assert set(injected) <= set(GATEWAY) and len(injected) >= 3
    stats = qbo.stats(first.realm_id)
    assert stats["faults_by_kind"] == injected and stats["faults_injected"] == sum(injected.values())
    logged = [e["fault"] for e in qbo.requests_log(first.realm_id) if e["fault"]]
    assert sorted(logged) == sorted(k for k, n in injected.items() for _ in range(n))


def test_path_filter_and_stop(qbo, au):
    qbo.start_chaos(au.realm_id, seed=3, probability=1.0, kinds=["server_error"], path_contains="/query")
    assert au.get("companyinfo/" + au.realm_id).status_code == 200  # not matched: never faulted
    assert au.get("query", query="select * from Item").status_code == 500
    final = qbo.stop_chaos(au.realm_id)
    assert final["injected"] == {"server_error": 1}
    assert qbo.chaos(au.realm_id) == {"active": False}
    assert _statuses(au, 5) == [200] * 5


def test_queued_faults_go_before_chaos(qbo, au):
    qbo.start_chaos(au.realm_id, seed=1, probability=1.0, kinds=["html"])
    qbo.inject_fault(au.realm_id, "throttle")
    assert au.get("query", query="select * from Item").status_code == 429
    assert au.get("query", query="select * from Item").status_code == 502
    assert qbo.stats(au.realm_id)["faults_by_kind"] == {"html": 1, "throttle": 1}
    assert qbo.chaos(au.realm_id)["injected"] == {"html": 1}


def test_chaos_commit_then_drop_applies_the_write(qbo, au):
    qbo.start_chaos(au.realm_id, seed=5, probability=1.0, kinds=["commit_then_drop"], path_contains="/customer")
    with pytest.raises(requests.ConnectionError):
        au.post("customer", {"DisplayName": "Chaos Kept"})
    qbo.stop_chaos(au.realm_id)
    assert au.query("select count(*) from Customer where DisplayName = 'Chaos Kept'")["totalCount"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"probability": 0.5},
        {"seed": 1, "probability": 1.5},
        {"seed": 1, "probability": 0.5, "kinds": ["gremlins"]},
        {"seed": 1, "probability": 0.5, "kinds": []},
    ],
)
def test_bad_chaos_requests_are_refused(qbo, au, body):
    response = requests.post(f"{qbo.base_url}/_emulator/companies/{au.realm_id}/chaos", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["error"]
    assert qbo.chaos(au.realm_id) == {"active": False}
