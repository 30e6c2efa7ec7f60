"""Red means new (issue 18.6): what marks a run failed, and what only waits for finance.

A run needs eyes now, and is marked failed, when

- a record failed for the first time: it has no earlier failed outcome for the same cause
  (error code) since it last synced. A record that synced and then fails is new; a record
  failing for another cause than before is new;
- a tenant's track failed (QuickBooks kept failing after the retries, or it stopped on an error);
- a tenant must be reconnected to QuickBooks, or QuickBooks blocks this app's reads for the
  month, and no earlier run reported that occurrence (``qbo_sync.tenant_faults``);
- a task of the run failed before the report could tell (Airflow's side: see the DAG).

Every other failed record still waits for finance: it keeps its failed outcome, stays in the
report and on the page, and is counted in the run's summary ("12 record(s) still wait for
finance (since 2026-11-20), 2 new failure(s)") without failing the run. Records held back by
a tenant-wide fault (reconnect, reads blocked) follow their fault: news once.

``evaluate`` only reads (the command line's report of any run, the alerts); ``decide`` is the
report task's: it opens the faults the run met and closes those its tenants no longer have.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql

TRACK_FAILED, RECONNECT, READS_BLOCKED = "track_failed", "reconnect_required", "reads_blocked"
REMEMBERED = (RECONNECT, READS_BLOCKED)  # faults said once per occurrence; a failed track every time

FAULT_WORDS = {
    TRACK_FAILED: "its track failed",
    RECONNECT: "QuickBooks must be reconnected",
    READS_BLOCKED: "QuickBooks blocks this app's reads",
}


def held_back(code: str | None, category: str | None) -> bool:
    """A record held back by a tenant-wide fault rather than failing on its own."""
    return category == "connection" or code == READS_BLOCKED


@dataclass(frozen=True)
class RecordFailure:
    tenant_id: int
    entity: str
    source_id: int | None
    code: str | None
    category: str | None
    failed_before: bool  # it failed for this same cause before, since it last synced
    since: datetime  # the first such failure (this run's outcome when there is none)

    @property
    def new(self) -> bool:
        return not self.failed_before

    @property
    def held(self) -> bool:
        return held_back(self.code, self.category)


@dataclass(frozen=True)
class Fault:
    kind: str  # TRACK_FAILED, RECONNECT or READS_BLOCKED
    new: bool
    since: datetime | None = None  # when it was first reported (an old fault)
    note: str | None = None

    def words(self) -> str:
        text = FAULT_WORDS[self.kind] + (f" ({self.note})" if self.note else "")
        if not self.new and self.since is not None:
            text += f", reported already (since {day(self.since)})"
        return text


@dataclass
class TenantVerdict:
    tenant_id: int
    failures: list[RecordFailure] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def fault(self, kind: str) -> Fault | None:
        return next((f for f in self.faults if f.kind == kind), None)

    @property
    def new_failures(self) -> list[RecordFailure]:
        return [f for f in self.failures if f.new and not f.held]

    @property
    def waiting(self) -> list[RecordFailure]:
        return [f for f in self.failures if not f.new and not f.held]

    @property
    def held(self) -> list[RecordFailure]:
        return [f for f in self.failures if f.held]

    @property
    def new_faults(self) -> list[Fault]:
        return [f for f in self.faults if f.new]

    @property
    def red(self) -> bool:
        return bool(self.new_failures or self.new_faults)


def day(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d}"


def waiting_words(count: int, since: datetime | None) -> str:
    return f"{count:,} record(s) still wait for finance" + (f" (since {day(since)})" if since else "")


@dataclass
class RunVerdict:
    run_id: str
    tenants: dict[int, TenantVerdict] = field(default_factory=dict)

    @property
    def red(self) -> bool:
        return any(t.red for t in self.tenants.values())

    @property
    def failed(self) -> int:
        """Every failed outcome of the run, new, waiting or held back."""
        return sum(len(t.failures) for t in self.tenants.values())

    @property
    def new_failures(self) -> int:
        return sum(len(t.new_failures) for t in self.tenants.values())

    @property
    def waiting(self) -> int:
        return sum(len(t.waiting) for t in self.tenants.values())

    @property
    def waiting_since(self) -> datetime | None:
        return min((f.since for t in self.tenants.values() for f in t.waiting), default=None)

    @property
    def held(self) -> int:
        return sum(len(t.held) for t in self.tenants.values())

    def new_fault_lines(self) -> list[str]:
        return [f"tenant {tid}: {f.words()}" for tid, t in sorted(self.tenants.items()) for f in t.new_faults]

    def summary(self) -> str:
        """One line for the end of the report and the run's last task."""
        parts = [waiting_words(self.waiting, self.waiting_since), f"{self.new_failures:,} new failure(s)"]
        if self.held:
            parts.append(f"{self.held:,} held back by a fault of their tenant")
        text = ", ".join(parts)
        faults = self.new_fault_lines()
        if faults:
            text += "; needs eyes now: " + "; ".join(faults)
        elif self.red:
            text += "; the run is marked failed for the new failure(s)"
        else:
            text += "; nothing new needs eyes, so the run is not marked failed"
        return text

    def reasons(self) -> str:
        """Why the run is marked failed: its new failures, per tenant, and its new faults."""
        parts = []
        for tid, t in sorted(self.tenants.items()):
            if t.new_failures:
                shown = ", ".join(f"{f.entity} {f.source_id} [{f.code}]" for f in t.new_failures[:10])
                more = f" and {len(t.new_failures) - 10} more" if len(t.new_failures) > 10 else ""
                parts.append(f"tenant {tid}: {len(t.new_failures)} new failure(s): {shown}{more}")
        parts.extend(self.new_fault_lines())
        return "; ".join(parts)

    def as_xcom(self) -> dict[str, Any]:
        """What the report task hands the run's last task: plain values only."""
        return {
            "red": self.red,
            "failed": self.failed,
            "new_failures": self.new_failures,
            "waiting": self.waiting,
            "waiting_since": day(self.waiting_since) or None,
            "held": self.held,
            "new_faults": self.new_fault_lines(),
            "reasons": self.reasons(),
            "summary": self.summary(),
        }


def needs_eyes(verdict: dict[str, Any] | None, failed_tasks: Iterable[str] = ()) -> str | None:
    """Why the run must be marked failed, or None when nothing new needs eyes. ``verdict`` is
    the report task's ``as_xcom()`` (None: the report did not finish); ``failed_tasks`` are
    the run's tasks that failed (a tenant's sync task, the tenants list): systemic, always."""
    reasons = []
    failed = sorted(set(failed_tasks))
    if failed:
        reasons.append(
            f"task(s) {', '.join(failed)} failed: their log names the tenant and the fault; Airflow's retries "
            "are spent, so clear the task once the fault is gone (finished tenants are left alone)"
        )
    if verdict is None:
        reasons.append("the report task did not finish, so nobody has looked at this run's outcomes yet")
    elif verdict.get("red"):
        reasons.append(verdict.get("reasons") or "new failures")
    if not reasons:
        return None
    text = "Needs eyes now: " + "; ".join(reasons) + "."
    if verdict is not None:
        text += f" In all: {verdict.get('summary')}."
    return text + " Causes and fixes are in the report task's log and in qbo_sync.sync_log."


# --- reading the run -------------------------------------------------------------------


def _failures(conn: psycopg.Connection, run_id: str) -> list[RecordFailure]:
    return [
        RecordFailure(*row) for row in conn.execute(load_sql("report/failure_history"), {"run_id": run_id}).fetchall()
    ]


def _facts(conn: psycopg.Connection, run_id: str) -> list[tuple]:
    return conn.execute(load_sql("report/run_faults"), {"run_id": run_id}).fetchall()


def _present(fact: tuple) -> dict[str, datetime | None]:
    """The remembered faults a tenant has now, with what marks their occurrence."""
    _tid, _state, _note, reconnect, reconnect_marker, reads, reads_marker = fact
    present: dict[str, datetime | None] = {}
    if reconnect:
        present[RECONNECT] = reconnect_marker
    if reads:
        present[READS_BLOCKED] = reads_marker
    return present


def _open(conn: psycopg.Connection, tenant_ids: list[int]) -> dict[tuple[int, str], tuple]:
    rows = conn.execute(load_sql("report/open_faults"), {"tenant_ids": tenant_ids}).fetchall()
    return {(tid, kind): (marker, first_run_id, since) for tid, kind, marker, first_run_id, since in rows}


def _judge(run_id: str, facts: list[tuple], failures: list[RecordFailure], opened: dict) -> RunVerdict:
    verdict = RunVerdict(run_id)

    def of(tid: int) -> TenantVerdict:
        return verdict.tenants.setdefault(tid, TenantVerdict(tid))

    for failure in failures:
        of(failure.tenant_id).failures.append(failure)
    for fact in facts:
        tid, state, note = fact[0], fact[1], fact[2]
        tenant = of(tid)
        if state == "failed":
            tenant.faults.append(Fault(TRACK_FAILED, True, note=note))
        for kind, marker in _present(fact).items():
            row = opened.get((tid, kind))
            # News unless an earlier run reported this very occurrence of the fault.
            new = row is None or row[0] != marker or row[1] == run_id
            tenant.faults.append(Fault(kind, new, since=None if new else row[2]))
    return verdict


def evaluate(conn: psycopg.Connection, run_id: str) -> RunVerdict:
    """The verdict on a run, reading only."""
    facts = _facts(conn, run_id)
    return _judge(run_id, facts, _failures(conn, run_id), _open(conn, [f[0] for f in facts]))


def decide(conn: psycopg.Connection, run_id: str) -> RunVerdict:
    """The report task's verdict: the run's faults are opened (the first run to meet an
    occurrence owns it, so two runs never both call it news) and those its tenants no longer
    have are closed; then the verdict, as ``evaluate`` gives it from now on."""
    facts = _facts(conn, run_id)
    with conn.transaction():
        for fact in facts:
            present = _present(fact)
            for kind, marker in present.items():
                conn.execute(
                    load_sql("report/open_fault"),
                    {"tenant_id": fact[0], "fault": kind, "marker": marker, "run_id": run_id},
                )
            conn.execute(load_sql("report/close_faults"), {"tenant_id": fact[0], "faults": list(present)})
    return _judge(run_id, facts, _failures(conn, run_id), _open(conn, [f[0] for f in facts]))
