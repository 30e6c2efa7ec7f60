"""How a run's tenants are grouped into mapped tasks.

Each task pays a process start and the Great Expectations import (seconds), so thousands of
tenants must not mean thousands of tasks; a few tenants each get a task of their own, so a
failure is found by the tenant's name in the Airflow UI. Inside a task every tenant runs on a
thread of its own (``QBO_SYNC_TRACKS_PER_TASK`` at once), so a throttled tenant never holds
back the others of its task.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from qbo_sync.extract.records import Tenant

T = TypeVar("T")

DEFAULT_MAX_TASKS = 32
# Tenants of one task at once: each waits mostly on its company's rate budget, holds one database
# connection (the task shares one more for the budget); 8 measured best on 2 cores (bench/README.md).
DEFAULT_TRACKS = 8


def _int_setting(name: str, raw: str | None, default: int) -> int:
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number; set it to e.g. {default}") from None
    if value < 1:
        raise ValueError(f"{name}={raw!r} must be at least 1")
    return value


def tenants_per_task(count: int) -> int:
    """``QBO_SYNC_TENANTS_PER_TASK`` when set; else as few tenants per task as keeps a run at
    ``QBO_SYNC_MAX_SYNC_TASKS`` tasks at most (32): one tenant per task up to 32 tenants."""
    fixed = _int_setting("QBO_SYNC_TENANTS_PER_TASK", os.environ.get("QBO_SYNC_TENANTS_PER_TASK"), 0)
    if fixed:
        return fixed
    most = _int_setting("QBO_SYNC_MAX_SYNC_TASKS", os.environ.get("QBO_SYNC_MAX_SYNC_TASKS"), DEFAULT_MAX_TASKS)
    return max(1, math.ceil(count / most))


def tracks_per_task() -> int:
    """How many tenants of one task run at once (threads; each holds a database connection)."""
    return _int_setting("QBO_SYNC_TRACKS_PER_TASK", os.environ.get("QBO_SYNC_TRACKS_PER_TASK"), DEFAULT_TRACKS)


def shard(tenants: Sequence[Tenant]) -> list[list[Tenant]]:
    size = tenants_per_task(len(tenants))
    ordered = sorted(tenants, key=lambda t: t.tenant_id)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def label(tenants: Sequence[Tenant]) -> str:
    """The mapped task's name in the Airflow UI: its tenants by name and id."""
    names = ", ".join(f"{t.tenant_name} ({t.tenant_id})" for t in tenants)
    text = names if len(tenants) == 1 else f"{len(tenants)} tenants: {names}"
    return text if len(text) <= 200 else text[:197] + "..."


def side_by_side(
    tenants: Sequence[Tenant], one: Callable[[Tenant], T], *, at_once: int | None = None, name: str = "track"
) -> list[tuple[Tenant, T | None, Exception | None]]:
    """``one(tenant)`` for each tenant on threads of its own (``QBO_SYNC_TRACKS_PER_TASK`` at
    once, or ``at_once``): one tenant's wait or error never holds back another. In tenant
    order: (tenant, its result, or the exception that stopped it), once every one has ended."""
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(len(tenants), at_once or tracks_per_task()))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        futures = [pool.submit(one, t) for t in tenants]
    ended: list[tuple[Tenant, T | None, Exception | None]] = []
    for tenant, future in zip(tenants, futures, strict=True):
        try:
            ended.append((tenant, future.result(), None))
        except Exception as exc:  # noqa: BLE001 - handed to the caller, which says what it stopped
            ended.append((tenant, None, exc))
    return ended
