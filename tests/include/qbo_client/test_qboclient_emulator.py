"""The client against the emulator over real HTTP: batch, paging, CDC, retries, replays."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from qboclient_helpers import invoice_payload

from qbo_client import (
    BatchOperation,
    BudgetConfig,
    MemoryRateBudget,
    OutcomeUnknown,
    QboFaultError,
    RetryPolicy,
    quote,
)


def emulator_now(emu) -> datetime:
    return datetime.fromisoformat(emu.advance_clock(0)["now"])


def test_batch_of_30_with_5_bad_items_matched_by_bid(make_client, emulator):
    qbo, company, _ = make_client()
    customer = qbo.create("Customer", {"DisplayName": "Batch Co"}).entity["Id"]
    bad = {3, 9, 14, 22, 29}
    ops = []
    for n in range(30):
        payload = invoice_payload(company, customer, f"B-{n}")
        if n == 3:
            payload["Line"] = []  # 2020
        elif n == 9:
            payload["Line"][0]["SalesItemLineDetail"]["ItemRef"] = {"value": "99999"}  # 2500
        elif n == 14:
            payload["DocNumber"] = "X" * 30  # 2050
        elif n == 22:
            payload["CustomerRef"] = {"value": "99999"}  # 2500 CustomerRef
        elif n == 29:
            payload["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"] = {"value": "99999"}  # 6000 tax
        # bIds in reverse order: a positional matcher would mix them up.
        ops.append(BatchOperation.create("Invoice", payload, bid=f"i{99 - n}"))
    results = qbo.batch(ops)
    assert [r.bid for r in results] == [f"i{99 - n}" for n in range(30)]
    assert sum(r.ok for r in results) == 25
    for n, result in enumerate(results):
        if n in bad:
            assert result.entity is None and result.fault is not None
            assert result.fault.category in ("data", "configuration") and not result.fault.retryable
        else:
            assert result.fault is None and result.entity["DocNumber"] == f"B-{n}"
    keys = {n: results[n].fault.key for n in bad}
    assert keys[3].startswith("2020") and keys[9] == "2500.item" and keys[14] == "2050.doc_number"
    assert keys[22] == "2500.customer" and keys[29].startswith("6000.tax")
    assert results[0].entity["TotalAmt"] == Decimal("11.00") or isinstance(results[0].entity["TotalAmt"], Decimal)
    batch_calls = [r for r in emulator.requests_log(company["realm_id"]) if r["path"].endswith("/batch")]
    assert len(batch_calls) == 1 and len(batch_calls[0]["requestid"]) <= 36


def test_batch_splits_into_requests_of_30_with_derived_requestids(make_client, emulator):
    qbo, company, _ = make_client()
    ops = [BatchOperation.create("Customer", {"DisplayName": f"Split {n}"}) for n in range(65)]
    ops.append(BatchOperation.select("select count(*) from Customer"))
    results = qbo.batch(ops, requestid="run42-customers")
    assert len(results) == 66 and all(r.ok for r in results)
    # Items of one batch cannot see what earlier items created: the last 5 are in the same request.
    assert results[-1].entity["QueryResponse"]["totalCount"] >= 60
    rids = [r["requestid"] for r in emulator.requests_log(company["realm_id"]) if r["path"].endswith("/batch")]
    assert rids == ["run42-customers-0", "run42-customers-1", "run42-customers-2"]
    # A re-run with the same ids is replayed by QuickBooks, not applied again.
    again = qbo.batch(ops, requestid="run42-customers")
    assert [r.entity.get("Id") for r in again[:65]] == [r.entity["Id"] for r in results[:65]]
    assert qbo.count("select count(*) from Customer where DisplayName like 'Split%'") == 65


def test_batch_requests_in_flight_together_keep_order_and_requestids(make_client):
    """concurrency=3 (what the loader uses): several requests of one call in flight at once,
    never more than asked, answers in the order given, and a re-run still replayed."""
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess("--no-limits", "--latency-ms", "150") as slow:
        qbo, company, _ = make_client(emu=slow)
        ops = [BatchOperation.create("Customer", {"DisplayName": f"Par {n:03d}"}) for n in range(100)]
        results = qbo.batch(ops, requestid="run7-par", concurrency=3)
        assert [r.entity["DisplayName"] for r in results] == [f"Par {n:03d}" for n in range(100)]
        stats = slow.stats(company["realm_id"])
        assert 2 <= stats["max_concurrency"] <= 3
        rids = sorted(r["requestid"] for r in slow.requests_log(company["realm_id"]) if r["path"].endswith("/batch"))
        assert rids == [f"run7-par-{k}" for k in range(4)]
        again = qbo.batch(ops, requestid="run7-par", concurrency=3)
        assert [r.entity["Id"] for r in again] == [r.entity["Id"] for r in results]
        assert qbo.count("select count(*) from Customer where DisplayName like 'Par%'") == 100


def test_paging_past_1000_rows_and_cdc_narrowing(make_client, emulator):
    qbo, company, _ = make_client()
    since = emulator_now(emulator) - timedelta(seconds=1)
    names = [f"Many {n:04d}" for n in range(1250)]
    # Three groups some emulator-minutes apart, so CDC windows can be narrowed.
    for start, stop in ((0, 450), (450, 900), (900, 1250)):
        results = qbo.batch(BatchOperation.create("Customer", {"DisplayName": name}) for name in names[start:stop])
        assert all(r.ok for r in results)
        emulator.advance_clock(300)
    rows = qbo.query("select * from Customer where DisplayName like 'Many%'")
    assert sorted(r["DisplayName"] for r in rows) == names  # every row, none twice
    pages = [
        r for r in emulator.requests_log(company["realm_id"]) if r["path"].endswith("/query") and "Many" in r["query"]
    ]
    assert len(pages) == 2  # 1000 + 250

    changes = qbo.cdc(["Customer"], since)
    many = [c for c in changes if c.entity.get("DisplayName", "").startswith("Many")]
    assert len(many) == 1250 and len({c.id for c in many}) == 1250
    cdc_calls = [r for r in emulator.requests_log(company["realm_id"]) if r["path"].endswith("/cdc")]
    assert len(cdc_calls) >= 2  # the first answer was full: the window was narrowed


def test_cdc_bounded_window_keeps_latest_version(make_client, emulator):
    qbo, company, _ = make_client()
    since = emulator_now(emulator) - timedelta(seconds=1)
    created = qbo.create("Customer", {"DisplayName": "Versioned"}).entity
    emulator.advance_clock(5)
    qbo.update("Customer", {"Id": created["Id"], "SyncToken": created["SyncToken"], "Notes": "v2"}, sparse=True)
    changes = [c for c in qbo.cdc(["Customer", "Invoice"], since) if c.id == created["Id"]]
    assert len(changes) == 1 and changes[0].entity["Notes"] == "v2"
    assert qbo.cdc(["Customer"], since, until=since + timedelta(seconds=0.5)) == []


@pytest.mark.parametrize("kind", ["reset", "html", "empty", "server_error"])
def test_transient_faults_on_reads_are_retried(make_client, emulator, kind):
    qbo, company, _ = make_client()
    emulator.inject_fault(company["realm_id"], kind, count=2, path_contains="/query")
    rows = qbo.query("select * from TaxCode")
    assert rows and qbo.stats["retries"] == 2
    faults = [r["fault"] for r in emulator.requests_log(company["realm_id"]) if r["path"].endswith("/query")]
    assert faults == [kind, kind, None]


def test_read_timeout_is_retried(make_client, emulator):
    qbo, company, _ = make_client(retry=RetryPolicy(backoff_base=0.01, backoff_cap=0.05, read_timeout=0.5))
    emulator.inject_fault(company["realm_id"], "timeout", count=1, path_contains="/query", seconds=2)
    assert qbo.query("select * from TaxCode")
    assert qbo.stats["retries"] == 1


def test_commit_then_drop_on_create_is_replayed_never_duplicated(make_client, emulator):
    qbo, company, _ = make_client()
    customer = qbo.create("Customer", {"DisplayName": "Dropped Co"}).entity["Id"]
    emulator.inject_fault(company["realm_id"], "commit_then_drop", count=1, path_contains="/invoice")
    result = qbo.create("Invoice", invoice_payload(company, customer, "DROP-1"))
    assert result.uncertain_attempts == 1  # the first answer was lost; the retry was a replay
    found = qbo.query(f"select * from Invoice where DocNumber = {quote('DROP-1')}")
    assert [r["Id"] for r in found] == [result.id]
    posts = [r for r in emulator.requests_log(company["realm_id"]) if r["path"].endswith("/invoice")]
    assert len(posts) == 2 and posts[0]["requestid"] == posts[1]["requestid"] == result.requestid


def test_commit_then_drop_without_replay_raises_outcome_unknown(make_client, emulator):
    qbo, company, _ = make_client(retry=RetryPolicy(backoff_base=0.01, read_timeout=3, replay_unknown_writes=False))
    customer = qbo.create("Customer", {"DisplayName": "Unknown Co"}).entity["Id"]
    emulator.inject_fault(company["realm_id"], "commit_then_drop", count=1, path_contains="/invoice")
    with pytest.raises(OutcomeUnknown) as caught:
        qbo.create("Invoice", invoice_payload(company, customer, "DROP-2"), requestid="load-7-invoice-123")
    error = caught.value
    assert error.requestid == "load-7-invoice-123" and error.entity_name == "Invoice"
    assert "look the record up" in str(error)
    assert error.fault.key == "outcome_unknown"
    # The caller looks before posting again: it is there, exactly once.
    assert len(qbo.query("select * from Invoice where DocNumber = 'DROP-2'")) == 1


def test_commit_then_drop_on_a_batch_is_replayed(make_client, emulator):
    qbo, company, _ = make_client()
    emulator.inject_fault(company["realm_id"], "commit_then_drop", count=1, path_contains="/batch")
    results = qbo.batch([BatchOperation.create("Customer", {"DisplayName": f"BDrop {n}"}) for n in range(5)])
    assert all(r.ok for r in results)
    assert qbo.count("select count(*) from Customer where DisplayName like 'BDrop%'") == 5


def test_expired_access_token_refreshed_exactly_once_across_threads(make_client, emulator):
    qbo, company, store = make_client()
    qbo.query("select * from TaxCode")
    assert store.refresh_count == 1
    emulator.advance_clock(3700)  # every access token of the emulator is now expired
    errors = []

    def work():
        try:
            for _ in range(3):
                qbo.query("select * from TaxCode")
        except Exception as error:  # noqa: BLE001 - pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert store.refresh_count == 2
    token_calls = [r for r in emulator.requests_log(company["realm_id"]) if r["path"].endswith("/tokens/bearer")]
    assert len(token_calls) == 2


def test_429_waits_and_retries(make_client, emulator):
    budget = MemoryRateBudget(BudgetConfig(throttle_wait_seconds=0.3))
    qbo, company, _ = make_client(budget=budget)
    emulator.inject_fault(company["realm_id"], "throttle", count=2, path_contains="/query")
    assert qbo.query("select * from TaxCode")
    assert qbo.stats["throttled"] == 2 and budget.waited_seconds >= 0.5


def test_validation_fault_raises_typed_error(make_client):
    qbo, company, _ = make_client()
    with pytest.raises(QboFaultError) as caught:
        qbo.create("Customer", {"Notes": "no name at all"})
    assert caught.value.fault.code == "6080" and caught.value.category == "data"
    assert caught.value.fault.key == "6080" and not caught.value.fault.retryable


def test_update_void_delete_and_requestid_limits(make_client):
    qbo, company, _ = make_client()
    customer = qbo.create("Customer", {"DisplayName": "Lifecycle"}).entity["Id"]
    invoice = qbo.create("Invoice", invoice_payload(company, customer, "LC-1")).entity
    updated = qbo.update(
        "Invoice",
        {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "PrivateNote": "qbo_sync:invoice:1"},
        sparse=True,
    )
    assert updated.sync_token != invoice["SyncToken"] and updated.entity["PrivateNote"] == "qbo_sync:invoice:1"
    voided = qbo.void("Invoice", updated.id, updated.sync_token)
    assert voided.entity["TotalAmt"] == 0
    other = qbo.create("Invoice", invoice_payload(company, customer, "LC-2")).entity
    qbo.delete("Invoice", other["Id"], other["SyncToken"])
    assert qbo.query("select * from Invoice where DocNumber = 'LC-2'") == []
    with pytest.raises(ValueError):
        qbo.create("Customer", {"DisplayName": "x"}, requestid="r" * 51)
    with pytest.raises(ValueError):
        qbo.batch([BatchOperation.create("Customer", {"DisplayName": "y"})], requestid="r" * 37)
    with pytest.raises(ValueError):
        BatchOperation.create("Customer", {"DisplayName": "z"}, bid="b" * 11)


def test_quote_escapes_quotes_and_backslashes(make_client):
    qbo, company, _ = make_client()
    name = "O'Brien \\ Sons"
    qbo.create("Customer", {"DisplayName": name})
    assert [r["DisplayName"] for r in qbo.query(f"select * from Customer where DisplayName = {quote(name)}")] == [name]


def test_no_token_or_secret_in_logs_or_reprs(make_client, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    qbo, company, store = make_client()
    qbo.query("select * from TaxCode")
    emulator.advance_clock(3700)
    qbo.query("select * from TaxCode")  # 401, refresh
    tokens = store.current()
    secrets_seen = [company["refresh_token"], company["client_secret"], tokens.access_token, tokens.refresh_token]
    text = caplog.text + repr(qbo) + repr(store) + repr(tokens) + repr(qbo._app)
    for secret in secrets_seen:
        assert secret and secret not in text


def test_refused_refresh_token_means_reconnect_in_the_clients_own_words(make_client, emulator):
    from qbo_client import Environment, MemoryTokenStore, OAuthApp, QboClient, ReconnectRequired

    company = emulator.create_company(region="AU")
    env = Environment.custom(emulator.base_url, emulator.sandbox_discovery_url)
    store = MemoryTokenStore(company["realm_id"], "not-a-refresh-token-it-ever-issued")
    qbo = QboClient(
        company["realm_id"],
        store,
        environment=env,
        retry=RetryPolicy(backoff_base=0.01),
        app=OAuthApp(company["client_id"], company["client_secret"], env.discovery_url),
    )
    with pytest.raises(ReconnectRequired) as caught:
        qbo.query("select * from TaxCode")
    reason = caught.value.reason
    assert "invalid_grant" in reason and company["realm_id"] in str(caught.value)
    assert "qbo_sync" not in reason and "python -m" not in reason  # the caller words the fix
    with pytest.raises(ReconnectRequired) as again:  # the company stays marked: no second try
        qbo.query("select * from TaxCode")
    assert again.value.reason == reason and store.refresh_count == 0
    qbo.close()
