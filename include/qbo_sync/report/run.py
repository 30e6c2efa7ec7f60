"""The end of a run: what the report task does, and the readable text finance looks for."""

from __future__ import annotations

import psycopg

from qbo_sync.extract import stage
from qbo_sync.operations.controls import clear_honoured_resyncs
from qbo_sync.report import summary


def report_run(conn: psycopg.Connection, run_id: str) -> tuple[str, int]:
    """Close a run: forget the resync requests it honoured (a record finance asked to resync
    and this run synced is not sent again next hour), then its report and failed count."""
    clear_honoured_resyncs(conn, run_id)
    return run_report(conn, run_id)


def run_report(conn: psycopg.Connection, run_id: str) -> tuple[str, int]:
    """One block per tenant (counts, amount synced, each failure with its cause and fix, its
    reconciliation with QuickBooks) and how many records failed. Reads only:
    ``python -m qbo_sync.report run`` shows any run."""
    from qbo_sync.reconcile import report as reconciliation
    from qbo_sync.reconcile.store import run_results

    names = {t.tenant_id: t.tenant_name for t in stage.tenants(conn)}
    reports = summary.build(conn, run_id, names)
    reconciled = run_results(conn, run_id)
    blocks = [
        summary.render(r, reconciliation.render(reconciled[tid]) if tid in reconciled else None)
        for tid, r in sorted(reports.items())
    ]
    reads = summary.reads_summary(reports)
    if reads:
        blocks.append(reads)
    failed = sum(r.failed for r in reports.values())
    return "\n\n".join(blocks) if blocks else "No tenant is connected to QuickBooks.", failed
