"""How a run's tenants become mapped tasks: one each for a few, groups for thousands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qbo_sync.extract.records import Tenant
from qbo_sync.tracks import shards


def tenants(n: int) -> list[Tenant]:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return [Tenant(i, f"Practice {i}", f"realm-{i}", "connected", None, at) for i in range(n, 0, -1)]


def test_up_to_32_tenants_get_a_task_each_in_id_order():
    groups = shards.shard(tenants(32))
    assert [[t.tenant_id for t in g] for g in groups] == [[i] for i in range(1, 33)]


def test_a_thousand_tenants_fit_in_32_tasks_or_fewer_and_none_is_lost():
    groups = shards.shard(tenants(1000))
    assert len(groups) <= 32 and sorted(t.tenant_id for g in groups for t in g) == list(range(1, 1001))


def test_the_group_size_can_be_set(monkeypatch):
    monkeypatch.setenv("QBO_SYNC_TENANTS_PER_TASK", "7")
    assert [len(g) for g in shards.shard(tenants(20))] == [7, 7, 6]


@pytest.mark.parametrize("value", ["seven", "0"])
def test_a_bad_group_size_says_what_to_set(monkeypatch, value):
    monkeypatch.setenv("QBO_SYNC_TENANTS_PER_TASK", value)
    with pytest.raises(ValueError, match="QBO_SYNC_TENANTS_PER_TASK"):
        shards.shard(tenants(3))


def test_a_task_is_named_by_its_tenants():
    assert shards.label(tenants(1)) == "Practice 1 (1)"
    assert shards.label(tenants(2)).startswith("2 tenants: Practice 2 (2), Practice 1 (1)")
    assert len(shards.label(tenants(100))) == 200
