"""``python -m qbo_sync.report``: a run's outcome report and its validation report.

    run         [--run-id R]            the end-of-run report, as in the task log
    validation  [--run-id R] [--html F] each tenant's validation suite result: every
                                        expectation, how many records it rejected, and
                                        the rejected records with cause and fix

Without --run-id, the latest run with a validation report.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qbo_sync.db.connection import connect
from qbo_sync.db.sqlfiles import load_sql


def validation_sections(conn: Any, run_id: str) -> list[dict[str, Any]]:
    sections = []
    failures = conn.execute(load_sql("report/run_failures"), {"run_id": run_id}).fetchall()
    for tenant_id, entity, success, evaluated, failed, result, created in conn.execute(
        load_sql("report/validation_reports"), {"run_id": run_id}
    ):
        per_code: dict[str, dict[str, Any]] = {}
        for chunk in result.get("chunks", [result]):
            for e in chunk.get("expectations", []):
                row = per_code.setdefault(
                    e["code"], {"expectation": e["expectation"], "kwargs": e.get("kwargs", {}), "rejected": 0}
                )
                row["rejected"] += e.get("unexpected_count", 0)
        sections.append(
            {
                "tenant_id": tenant_id,
                "entity": entity,
                "success": success,
                "evaluated": evaluated,
                "failed": failed,
                "created": created,
                "expectations": per_code,
                "records": [f for f in failures if f[0] == tenant_id and f[1] == entity],
            }
        )
    return sections


def render_text(run_id: str, sections: list[dict[str, Any]]) -> str:
    out = [f"Validation report of run {run_id}"]
    for s in sections:
        out.append(
            f"\ntenant {s['tenant_id']} - {s['entity']}s: {s['evaluated']} checked, "
            f"{s['failed']} rejected ({'passed' if s['success'] else 'FAILED'})"
        )
        for code, e in sorted(s["expectations"].items()):
            out.append(
                f"  {'ok' if not e['rejected'] else 'X ':<3}{code:<28} {e['expectation']:<44} rejected {e['rejected']}"
            )
        for r in s["records"]:
            out.append(f"    {r[3] or r[2]}: [{r[6]}] {r[7]}")
    return "\n".join(out)


def render_html(run_id: str, sections: list[dict[str, Any]]) -> str:
    esc = html.escape
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>Validation report {esc(run_id)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px}"
        "table{border-collapse:collapse;margin-bottom:1em}.bad{color:#b00}</style>",
        f"<h1>Validation report</h1><p>Run <code>{esc(run_id)}</code></p>",
    ]
    for s in sections:
        parts.append(
            f"<h2>Tenant {s['tenant_id']}: {esc(s['entity'])}s</h2><p>{s['evaluated']} checked, "
            f"{s['failed']} rejected</p><table><tr><th>check</th><th>expectation</th>"
            "<th>rejected</th></tr>"
        )
        for code, e in sorted(s["expectations"].items()):
            cls = " class='bad'" if e["rejected"] else ""
            parts.append(f"<tr{cls}><td>{esc(code)}</td><td>{esc(e['expectation'])}</td><td>{e['rejected']}</td></tr>")
        parts.append("</table>")
        if s["records"]:
            parts.append("<table><tr><th>record</th><th>problem</th><th>cause</th><th>fix</th></tr>")
            for r in s["records"]:
                parts.append(
                    f"<tr><td>{esc(str(r[3] or r[2]))}</td><td>{esc(str(r[6]))}</td>"
                    f"<td>{esc(r[7] or '')}</td><td>{esc(r[8] or '')}</td></tr>"
                )
            parts.append("</table>")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qbo_sync.report", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "validation"):
        p = sub.add_parser(name)
        p.add_argument("--run-id")
        if name == "validation":
            p.add_argument("--html", type=Path, help="also write the report as an HTML page")
    args = parser.parse_args(argv)
    with connect() as conn:
        run_id = args.run_id
        if not run_id:
            row = conn.execute(load_sql("report/latest_run_id")).fetchone()
            if not row:
                print("no run has a validation report yet", file=sys.stderr)
                return 1
            run_id = row[0]
        if args.command == "run":
            from qbo_sync.report.run import run_report

            print(run_report(conn, run_id)[0])
            return 0
        sections = validation_sections(conn, run_id)
        if not sections:
            print(f"run {run_id} has no validation report", file=sys.stderr)
            return 1
        print(render_text(run_id, sections))
        if args.html:
            args.html.write_text(render_html(run_id, sections), encoding="utf-8")
            print(f"\nwritten to {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
