"""The end-of-run report: counts by status, the amount synced, and the failures with
their cause and fix, per tenant, as plain text for the Airflow task log."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.money import ZERO
from qbo_sync.report import verdict as verdicts

WIDTH = 100


@dataclass
class TenantReport:
    tenant_id: int
    tenant_name: str = ""
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    amounts: dict[str, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    synced_by_currency: dict[str, Decimal] = field(default_factory=dict)  # invoices synced, per currency
    failures: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    adjusted: list[dict] = field(default_factory=list)  # synced, with what was changed
    connection_problem: str | None = None
    reads: int | None = None  # QuickBooks reads the tenant's track spent (None: no track this run)
    track: str | None = None  # how its track ended: done, failed, left
    track_note: str | None = None
    verdict: verdicts.TenantVerdict | None = None  # what needs eyes now (set by ``mark``)

    @property
    def failed(self) -> int:
        return sum(c.get("failed", 0) for c in self.counts.values())

    @property
    def synced_amount(self) -> Decimal:
        return self.amounts.get("invoice", {}).get("synced", ZERO)


def build(conn: psycopg.Connection, run_id: str, tenant_names: dict[int, str] | None = None) -> dict[int, TenantReport]:
    names = tenant_names or {}
    reports: dict[int, TenantReport] = {}

    def of(tid: int) -> TenantReport:
        return reports.setdefault(tid, TenantReport(tid, names.get(tid, "")))

    for tid in names:
        of(tid)
    for tid, entity, status, records, amount in conn.execute(load_sql("report/run_counts"), {"run_id": run_id}):
        of(tid).counts[entity][status] = records
        of(tid).amounts[entity][status] = amount
    for tid, currency, amount in conn.execute(load_sql("report/run_synced_by_currency"), {"run_id": run_id}):
        of(tid).synced_by_currency[(currency or "").strip()] = amount
    for row in conn.execute(load_sql("report/run_failures"), {"run_id": run_id}):
        tid, entity, source_id, ref, client, amount, code, cause, fix, category = row
        of(tid).failures.append(
            {
                "entity": entity,
                "source_id": source_id,
                "ref": ref or f"id {source_id}",
                "client": client or "",
                "amount": amount,
                "code": code,
                "cause": cause,
                "fix": fix,
                "category": category,
            }
        )
        if category == "connection":
            of(tid).connection_problem = fix
    for tid, entity, ref, code, cause in conn.execute(load_sql("report/run_skipped"), {"run_id": run_id}):
        of(tid).skipped.append({"entity": entity, "ref": ref, "code": code, "cause": cause})
    for tid, entity, source_id, ref, adjustments in conn.execute(load_sql("report/run_adjusted"), {"run_id": run_id}):
        of(tid).adjusted.append({"entity": entity, "ref": ref or f"id {source_id}", "adjustments": adjustments})
    for tid, state, reads, _polled, note in conn.execute(load_sql("report/run_tracks"), {"run_id": run_id}):
        report = of(tid)
        report.reads, report.track, report.track_note = reads, state, note
    return reports


def mark(reports: dict[int, TenantReport], judged: verdicts.RunVerdict) -> None:
    """Each failure becomes new (``since`` None) or waiting for finance since a day."""
    for tid, tenant in judged.tenants.items():
        report = reports.get(tid)
        if report is None:
            continue
        report.verdict = tenant
        known = {(f.entity, f.source_id): f for f in tenant.failures}
        for failure in report.failures:
            seen = known.get((failure["entity"], failure["source_id"]))
            failure["new"] = seen is None or seen.new
            failure["since"] = None if seen is None or seen.new else seen.since


# Intuit meters reads per app per month; the free tier's allowance (docs/operations.md).
FREE_TIER_READS = 500_000
HOURLY_RUNS_A_MONTH = 24 * 30


def reads_summary(reports: dict[int, TenantReport]) -> str | None:
    """The run's QuickBooks reads and what they come to in a month of hourly runs."""
    tracked = [r for r in reports.values() if r.reads is not None]
    if not tracked:
        return None
    total = sum(r.reads or 0 for r in tracked)
    monthly = total * HOURLY_RUNS_A_MONTH
    return (
        f"QuickBooks reads this run: {total:,} for {len(tracked):,} tenant(s) "
        f"({total / len(tracked):.1f} a tenant); hourly runs like this one read {monthly:,} a month, "
        f"{monthly / FREE_TIER_READS:.0%} of the {FREE_TIER_READS:,} Intuit allows a month on its free tier."
    )


def _synced(report: TenantReport) -> str:
    """Per currency (``1,250.00 GBP and 120.00 EUR``), never one sum of several currencies."""
    if not report.synced_by_currency:
        return _money(report.synced_amount)
    return " and ".join(f"{_money(amount)} {code}".strip() for code, amount in report.synced_by_currency.items())


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _held_back(lines: list[str], held: list[dict], until: str) -> None:
    """Records that wait for one cause: the cause and fix once, then the records."""
    if not held:
        return
    lines.append("")
    lines.append(f"{len(held)} record(s) held back {until}:")
    lines.append(f"  cause: {held[0]['cause']}")
    lines.append(f"  fix:   {held[0]['fix']}")
    shown = ", ".join(f"{f['entity']} {f['ref']}" for f in held[:20])
    lines.append(f"  records: {shown}{' ...' if len(held) > 20 else ''}")


def render(report: TenantReport, extra: list[str] | None = None) -> str:
    """The tenant's block; ``extra`` lines (its reconciliation) go last."""
    title = f"QuickBooks sync - tenant {report.tenant_id}"
    if report.tenant_name:
        title += f" ({report.tenant_name})"
    lines = ["=" * WIDTH, title, "=" * WIDTH]
    if not report.counts:
        lines.append("Nothing to sync in this run.")
    for entity in sorted(report.counts):
        parts = [f"{status} {n}" for status, n in sorted(report.counts[entity].items())]
        lines.append(f"{entity:<15} " + ", ".join(parts))
    lines.append(f"Amount synced (invoices): {_synced(report)}")
    if report.track == "left":
        lines.append(f"Not synced by this run: {report.track_note}")
    elif report.reads is not None:
        lines.append(f"QuickBooks reads: {report.reads}" + (f" ({report.track_note})" if report.track_note else ""))
    held = [f for f in report.failures if f["category"] == "connection"]
    _held_back(lines, held, "until the company is reconnected")
    # One block per tenant for reads QuickBooks blocks for the month, not one failure per record.
    unread = [f for f in report.failures if f["code"] == "reads_blocked" and f["category"] != "connection"]
    _held_back(lines, unread, "until QuickBooks allows this app's reads again")
    failures = [f for f in report.failures if f["category"] != "connection" and f["code"] != "reads_blocked"]
    if failures:
        lines.append("")
        lines.append(f"{len(failures)} record(s) failed and were not sent{_new_and_waiting(failures)}:")
        lines.append(f"  {'record':<34} {'client':<22} {'amount':>10}  problem")
        for f in sorted(failures, key=lambda f: not f.get("new", True)):  # new ones first
            head = (
                f"  {(f['entity'] + ' ' + str(f['ref']))[:34]:<34} {f['client'][:22]:<22} "
                f"{_money(f['amount']):>10}  [{f['code']}]{_age(f)}"
            )
            lines.append(head)
            for label, text in (("cause", f["cause"]), ("fix", f["fix"])):
                wrapped = textwrap.wrap(text or "", WIDTH - 12)
                for i, chunk in enumerate(wrapped):
                    lines.append(f"      {label + ':' if i == 0 else '':<6} {chunk}")
    if report.adjusted:
        lines.append("")
        lines.append(f"{len(report.adjusted)} record(s) synced with changes QuickBooks required (docs/adjustments.md):")
        for a in report.adjusted[:50]:
            wrapped = textwrap.wrap(
                f"{a['entity']} {a['ref']}: {a['adjustments']}", WIDTH - 4, subsequent_indent="    "
            )
            lines.extend(f"  {chunk}" for chunk in wrapped)
        if len(report.adjusted) > 50:
            lines.append(f"  ... and {len(report.adjusted) - 50} more (see qbo_sync.sync_log)")
    if report.skipped:
        lines.append("")
        lines.append(f"{len(report.skipped)} record(s) skipped on purpose:")
        for s in report.skipped[:50]:
            lines.append(f"  {s['entity']} {s['ref']}: [{s['code']}] {(s['cause'] or '')[: WIDTH - 20]}")
        if len(report.skipped) > 50:
            lines.append(f"  ... and {len(report.skipped) - 50} more (see qbo_sync.sync_log)")
    if extra:
        lines += ["", *extra]
    if report.verdict is not None:
        lines.append("")
        lines.append(_tenant_verdict(report.verdict))
    lines.append("=" * WIDTH)
    return "\n".join(lines)


def _age(failure: dict) -> str:
    """' new' for a record failing for the first time, ' since DAY' for one still waiting."""
    if "new" not in failure:
        return ""
    return " new" if failure["new"] else f" since {verdicts.day(failure['since'])}"


def _new_and_waiting(failures: list[dict]) -> str:
    if not any("new" in f for f in failures):
        return ""
    new = sum(1 for f in failures if f.get("new"))
    waiting = [f["since"] for f in failures if not f.get("new")]
    text = f" ({new} new"
    if waiting:
        text += f"; {len(waiting)} still wait for finance, since {verdicts.day(min(waiting))}"
    return text + ")"


def _tenant_verdict(tenant: verdicts.TenantVerdict) -> str:
    """The tenant's line of the run's verdict: what needs eyes now, or that nothing does."""
    waiting = tenant.waiting
    since = min((f.since for f in waiting), default=None)
    if tenant.red:
        news = [f"{len(tenant.new_failures)} new failure(s)"] if tenant.new_failures else []
        news += [f.words() for f in tenant.new_faults]
        text = "Needs eyes now: " + "; ".join(news)
        if waiting:
            text += f"; besides, {verdicts.waiting_words(len(waiting), since)}"
    else:
        text = "Nothing new needs eyes" + (f": {verdicts.waiting_words(len(waiting), since)}" if waiting else "")
        text += "".join(f"; {f.words()}" for f in tenant.faults)
    return "\n".join(textwrap.wrap(text + ".", WIDTH))
