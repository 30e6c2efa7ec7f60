"""The end of a run: what the report task does, and the readable text finance looks for."""

from __future__ import annotations

import psycopg

from qbo_sync.extract import stage
from qbo_sync.operations.controls import clear_honoured_resyncs
from qbo_sync.report import summary, verdict


def close_run(conn: psycopg.Connection, run_id: str) -> tuple[str, verdict.RunVerdict]:
    """Close a run: forget the resync requests it honoured (a record finance asked to resync
    and this run synced is not sent again next hour), decide what needs eyes now (red means
    new: docs/operations.md, "Which runs are marked failed"), then its report."""
    clear_honoured_resyncs(conn, run_id)
    decided = verdict.decide(conn, run_id)
    return render_run(conn, run_id, decided), decided


def report_run(conn: psycopg.Connection, run_id: str) -> tuple[str, int]:
    """``close_run``, with how many records failed (new, waiting or held back)."""
    text, decided = close_run(conn, run_id)
    return text, decided.failed


def run_report(conn: psycopg.Connection, run_id: str) -> tuple[str, int]:
    """One block per tenant (counts, amount synced, each failure with its cause and fix, new
    or waiting since when, its reconciliation with QuickBooks) and how many records failed.
    Reads only: ``python -m qbo_sync.report run`` shows any run."""
    judged = verdict.evaluate(conn, run_id)
    return render_run(conn, run_id, judged), judged.failed


def render_run(conn: psycopg.Connection, run_id: str, judged: verdict.RunVerdict) -> str:
    from qbo_sync.reconcile import report as reconciliation
    from qbo_sync.reconcile.store import run_results

    names = {t.tenant_id: t.tenant_name for t in stage.tenants(conn)}
    reports = summary.build(conn, run_id, names)
    summary.mark(reports, judged)
    reconciled = run_results(conn, run_id)
    blocks = [
        summary.render(r, reconciliation.render(reconciled[tid]) if tid in reconciled else None)
        for tid, r in sorted(reports.items())
    ]
    if not blocks:
        return "No tenant is connected to QuickBooks."
    reads = summary.reads_summary(reports)
    if reads:
        blocks.append(reads)
    blocks.append(f"This run: {judged.summary()}.")
    return "\n\n".join(blocks)
