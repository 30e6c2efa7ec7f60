"""The rate budget in Postgres: one budget per realm shared by every process and worker.

* Token buckets live in ``qbo_sync.rate_budget``. One UPDATE (``reserve_rate_tokens``)
  locks the realm's row, refills by the time elapsed on the database's clock (one clock
  for all workers) and reserves the next request token - plus a batch token for a batch -
  answering how long until it exists (and a per-second token: the ``second_tokens``
  bucket of QuickBooks' 10 requests a second); tokens may go negative, so each waiter owns its own
  instant (no race for the next token, no refill lost by waking late). The first call for
  a realm, and calls during a pause, go through ``qbo_sync.take_rate_tokens``, which
  creates the row and answers how long the pause lasts.
* Concurrency slots are session advisory locks ``pg_try_advisory_lock(hash(realm), slot)``
  held for the duration of a request: no bookkeeping to clean up, a crashed worker's slots
  vanish with its connection.
* After a 429, ``pause`` writes ``paused_until`` so every worker waits, not only the one
  that was refused (QuickBooks counts refused requests too).
* A caller that wakes too late after its token's instant takes a new one, as
  :class:`qbo_client.MemoryRateBudget` does (``qbo_client.budget.late_after``).

The bucket sizes are :class:`qbo_client.BudgetConfig`'s (see ``qbo_client.budget``).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator

import psycopg

from qbo_client import BudgetConfig
from qbo_client.budget import JITTER, MAX_REGRANTS, late_after
from qbo_sync.companies.db import conninfo_of, open_connection
from qbo_sync.db.sqlfiles import load_sql

SLOT_POLL_SECONDS = (0.005, 0.03)  # jittered poll while all slots are taken


class PostgresRateBudget:
    """Implements :class:`qbo_client.RateBudget` for every process sharing the database."""

    def __init__(
        self,
        db: str | psycopg.Connection,
        config: BudgetConfig | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config or BudgetConfig()
        self._conninfo = conninfo_of(db)
        self._conn: psycopg.Connection | None = None
        self._sleep = sleep
        self._lock = threading.Lock()
        self._held: dict[str, set[int]] = {}
        self.waited_seconds = 0.0
        self.late_regrants = 0  # tokens given up because the caller woke too late

    def __repr__(self) -> str:
        return f"PostgresRateBudget({self.config!r})"

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()  # frees any slot still held
                self._conn = None
            self._held.clear()

    def _execute(self, name: str, params: dict) -> tuple | None:
        with self._lock:
            return self._execute_locked(name, params)

    def _execute_locked(self, name: str, params: dict) -> tuple | None:
        if self._conn is None or self._conn.closed:
            self._conn = open_connection(self._conninfo, autocommit=True)
        cursor = self._conn.execute(load_sql(name), params)
        return cursor.fetchone() if cursor.description is not None else None

    # --- RateBudget -----------------------------------------------------------------------
    @contextlib.contextmanager
    def acquire(self, realm_id: str, *, batch: bool = False) -> Iterator[None]:
        slot = self._take_slot(realm_id)
        try:
            self._take_token(realm_id, batch)
            yield
        finally:
            self._release_slot(realm_id, slot)

    def pause(self, realm_id: str, seconds: float) -> None:
        self._execute("companies/pause_rate_budget", {"realm_id": realm_id, "seconds": float(seconds)})

    # --- internals -------------------------------------------------------------------------
    def _take_slot(self, realm_id: str) -> int:
        while True:
            # Read the held set, lock and record in one critical section: advisory locks are
            # re-entrant per session, so two threads of this connection must never race here.
            with self._lock:
                held = self._held.setdefault(realm_id, set())
                row = self._execute_locked(
                    "companies/try_rate_slot",
                    {"realm_id": realm_id, "slots": int(self.config.max_concurrent), "held": sorted(held)},
                )
                if row is not None:
                    held.add(int(row[0]))
                    return int(row[0])
            self._sleep(random.uniform(*SLOT_POLL_SECONDS))

    def _release_slot(self, realm_id: str, slot: int) -> None:
        with self._lock:
            try:
                self._execute_locked("companies/release_rate_slot", {"realm_id": realm_id, "slot": slot})
            finally:
                self._held.get(realm_id, set()).discard(slot)

    def _take_token(self, realm_id: str, batch: bool) -> None:
        request_capacity, request_rate = self.config.request_bucket
        batch_capacity, batch_rate = self.config.batch_bucket
        second_capacity, second_rate = self.config.second_bucket or (0.0, 0.0)  # rate 0: no bound
        params = {
            "realm_id": realm_id,
            "is_batch": bool(batch),
            "request_capacity": request_capacity,
            "request_rate": request_rate,
            "batch_capacity": batch_capacity,
            "batch_rate": batch_rate,
            "second_capacity": second_capacity,
            "second_rate": second_rate,
        }
        regrants = 0
        while True:
            row = self._execute("companies/reserve_rate_tokens", params)
            if row is not None:  # reserved: our token exists after ``wait``, nobody else's
                wait = float(row[0] or 0.0)
                if wait <= 0:
                    return
                self.waited_seconds += wait
                due = time.monotonic() + wait
                self._sleep(wait)
                after = self._execute(
                    "companies/rate_budget_after_wait", {"realm_id": realm_id, "request_rate": request_rate}
                )
                if not (after and after[0]):
                    late = time.monotonic() - due > late_after(self.config)
                    if not (late and after and after[1]) or regrants >= MAX_REGRANTS:
                        return
                    # Woke too late (a starved CPU, the shared connection busy) with others'
                    # tokens due right after ours: sent now, it would crowd their second.
                    regrants += 1
                    self.late_regrants += 1
                continue  # a 429 paused the realm while we waited: wait out the pause too
            # No row yet, or paused: the function creates the row or says how long the pause lasts.
            row = self._execute("companies/take_rate_tokens", params)
            wait = float(row[0]) if row and row[0] is not None else 0.0
            if wait <= 0:
                return
            self.waited_seconds += wait
            # Jitter: workers paused together should not all come back at the same instant.
            self._sleep(wait + random.uniform(0, min(0.05, JITTER * wait)))


_SHARED: dict[tuple[str, BudgetConfig], PostgresRateBudget] = {}
_SHARED_LOCK = threading.Lock()


def shared_budget(db: str | psycopg.Connection, config: BudgetConfig) -> PostgresRateBudget:
    """The process's one budget per database and configuration, for every client of the
    process (the tracks of a task): one connection for the budget instead of one per client
    and step. It is thread-safe (see ``_take_slot``); it is closed when the process exits."""
    key = (conninfo_of(db), config)
    with _SHARED_LOCK:
        budget = _SHARED.get(key)
        if budget is None:
            if not _SHARED:
                import atexit

                atexit.register(_close_shared)
            budget = _SHARED[key] = PostgresRateBudget(key[0], config)
        return budget


def _close_shared() -> None:
    with _SHARED_LOCK:
        for budget in _SHARED.values():
            budget.close()
        _SHARED.clear()
