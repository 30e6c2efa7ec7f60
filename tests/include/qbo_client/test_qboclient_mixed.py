"""write_many: independent writes over batches and plain requests at once, split by the
budget's rates, one result per operation in order; the same call sent again sends the same
requestids, so QuickBooks replays its answers instead of creating anything twice."""

from __future__ import annotations

from urllib.parse import parse_qs

from qbo_client import BatchOperation, BudgetConfig, MemoryRateBudget

# 3,000 requests and 1,000 batches a minute: two plain requests fit beside each batch.
BUDGET = BudgetConfig(requests_per_minute=3000, batches_per_minute=1000, requests_per_second=0)


def _customers(n: int) -> list[BatchOperation]:
    return [BatchOperation.create("Customer", {"DisplayName": f"Mixed {i:03d}"}) for i in range(n)]


def _posts(emulator, realm: str) -> list[dict]:
    return [r for r in emulator.requests_log(realm) if r["method"] == "POST" and "/company/" in r["path"]]


def test_write_many_uses_both_paths_in_order_and_a_rerun_replays(make_client, emulator):
    client, company, _ = make_client(budget=MemoryRateBudget(BUDGET))
    realm = company["realm_id"]
    ops = _customers(100)
    answered: list[int] = []

    results = client.write_many(ops, requestid="call-1", on_answer=answered.append)

    assert [r.entity["DisplayName"] for r in results] == [op.payload["DisplayName"] for op in ops]
    assert all(r.ok for r in results) and sum(answered) == 100
    posts = _posts(emulator, realm)
    batches = [r for r in posts if r["path"].endswith("/batch")]
    plain = [r for r in posts if r["path"].endswith("/customer")]
    # (100 + 2) // (30 + 2) = 3 batches of 30; the other 10 as plain requests, a requestid each.
    assert len(batches) == 3 and len(plain) == 10
    rids = [parse_qs(r["query"])["requestid"][0] for r in posts]
    assert len(set(rids)) == len(rids) == 13 and all(len(rid) <= 36 for rid in rids)

    again = client.write_many(ops, requestid="call-1")  # the same call again, e.g. a re-run

    assert [r.entity["Id"] for r in again] == [r.entity["Id"] for r in results]
    assert sorted(parse_qs(r["query"])["requestid"][0] for r in _posts(emulator, realm)[13:]) == sorted(rids)
    assert client.count("select count(*) from Customer where DisplayName like 'Mixed%'") == 100


def test_without_room_beside_the_batches_everything_goes_in_batches(make_client, emulator):
    even = BudgetConfig(requests_per_minute=1000, batches_per_minute=1000, requests_per_second=0)
    client, company, _ = make_client(budget=MemoryRateBudget(even))
    results = client.write_many(_customers(45), requestid="call-2")
    assert all(r.ok for r in results)
    paths = [r["path"].rsplit("/", 1)[-1] for r in _posts(emulator, company["realm_id"])]
    assert paths == ["batch", "batch"]
