"""How far a tenant's load is: records done of the run's total, the rate, and an ETA.

While a tenant's load runs, its task log gets a line at least every ``LOG_EVERY_SECONDS``
(a minute), per entity (customers, then invoices):

    tenant 3: 12,400 of 20,000 invoices (62%), 1,480/min, ETA 5 min

"done" counts every record of the load plan that has its answer (synced, failed or left
unchanged), the rate is the entity's own since its first record went (records per minute),
and the ETA is what is left at that rate. The same figures go to the tenant's track row
(``qbo_sync.tenant_tracks.progress_*``, migration 0024) after each load batch, from which the
QuickBooks sync page draws the same line for every load in flight.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator

import psycopg

from qbo_sync.db.sqlfiles import load_sql

log = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60.0  # a progress line at least this often while a load runs


def _eta(minutes: float) -> str:
    whole = max(1, math.ceil(minutes))
    if whole < 90:
        return f"ETA {whole} min"
    return f"ETA {whole // 60} h {whole % 60:02d} min"


def progress_line(tenant_id: int, entity: str, done: int, total: int, elapsed_s: float | None) -> str:
    """``tenant 3: 12,400 of 20,000 invoices (62%), 1,480/min, ETA 5 min``."""
    done = min(done, total)
    share = math.floor(done * 100 / total) if total else 100
    text = f"tenant {tenant_id}: {done:,} of {total:,} {entity}s ({share}%)"
    if done >= total:
        return f"{text}, done"
    if not done or not elapsed_s or elapsed_s <= 0:
        return f"{text}, rate not known yet"
    rate = done / elapsed_s * 60.0
    return f"{text}, {rate:,.0f}/min, {_eta((total - done) / rate)}"


class LoadProgress:
    """One tenant's load progress. ``begin``, ``batch_done`` and ``save`` run on the loader's
    thread (they use its connection); ``answered`` may be called from any thread (the
    client's senders); the log lines come from a ticker thread while ``running()``."""

    def __init__(
        self,
        conn: psycopg.Connection,
        tenant_id: int,
        run_id: str,
        totals: dict[str, int],
        *,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.run_id = run_id
        self.totals = dict(totals)
        self.every = LOG_EVERY_SECONDS if every is None else every
        self._clock = clock
        self._lock = threading.Lock()
        self.entity: str | None = None
        self._started = 0.0
        self._done = 0  # records of finished load batches of the current entity
        self._in_batch = 0  # records of the open load batch that have their answer
        self._batch_size = 0

    # ------------------------------------------------------------------ counting
    def begin(self, entity: str) -> None:
        with self._lock:
            self.entity, self._started = entity, self._clock()
            self._done = self._in_batch = self._batch_size = 0
        log.info("tenant %s: loading %s %ss", self.tenant_id, f"{self.totals.get(entity, 0):,}", entity)
        self.save(begin=True)

    def batch_started(self, records: int) -> None:
        with self._lock:
            self._in_batch, self._batch_size = 0, records

    def answered(self, n: int) -> None:
        """``n`` records of the open load batch got QuickBooks' answer (any thread)."""
        with self._lock:
            self._in_batch += n

    def batch_done(self) -> None:
        """The open load batch is finished: every one of its records has its outcome."""
        with self._lock:
            self._done += self._batch_size
            self._in_batch = self._batch_size = 0
        self.save()

    def finish(self) -> None:
        """The entity's load ended: its last line (even when shorter than the interval)."""
        if self.entity is not None:
            log.info("%s", self.line())

    def done(self) -> int:
        with self._lock:
            return self._done + min(self._in_batch, self._batch_size)

    def line(self) -> str:
        entity = self.entity or "record"
        with self._lock:
            elapsed = self._clock() - self._started
        return progress_line(self.tenant_id, entity, self.done(), self.totals.get(entity, 0), elapsed)

    # ------------------------------------------------------------------ reporting
    def save(self, *, begin: bool = False) -> None:
        if self.entity is None:
            return
        self.conn.execute(
            load_sql("tracks/load_progress"),
            {
                "tenant_id": self.tenant_id,
                "run_id": self.run_id,
                "entity": self.entity,
                "done": self.done(),
                "total": self.totals.get(self.entity, 0),
                "begin": begin,
            },
        )

    @contextlib.contextmanager
    def running(self) -> Iterator[LoadProgress]:
        """Log a progress line every ``every`` seconds until the block ends."""
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(self.every):
                if self.entity is not None:
                    log.info("%s", self.line())

        ticker = threading.Thread(target=tick, name=f"load-progress-{self.tenant_id}", daemon=True)
        ticker.start()
        try:
            yield self
        finally:
            stop.set()
            ticker.join()
