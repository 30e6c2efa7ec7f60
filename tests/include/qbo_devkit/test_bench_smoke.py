"""``make bench`` at a tiny size: every section runs and both reports (and the picture) are written.
Numbers are not checked here: speed is judged by the benchmark itself, never by tests.

The fleet, backfill and companies sections are left out: even at 3 tenants each starts a
whole Airflow (metadata database, api-server, scheduler, dag-processor) and takes about 100 s
on 2 cores; each checks its own run (every record exactly once in QuickBooks) as a target of
the bench, and their arithmetic is tested in bench/test_backfill_figures.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from qbo_devkit.bench import run as bench

SECTION_HEADINGS = (
    "## Machine",
    "## Throughput against the ceiling",
    "## Tenants loading at once",
    "## Our overhead",
    "## Peak memory",
    "## DAG parse time",
    "## Targets",
)


def test_the_harness_writes_json_and_markdown_with_every_section(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AIRFLOW_CONN_QUICKBOOKS_DEFAULT", raising=False)
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # restored after the baseline's use
    sections = [s for s in bench.SECTIONS if s not in ("fleet", "backfill", "companies")]
    code = bench.main(["--tiny", "--sections", ",".join(sections), "--out", str(tmp_path)])

    reports = sorted(tmp_path.glob("bench-*.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text())
    assert report["errors"] == [] and code == 0
    results = report["results"]
    for section in ("throughput", "baseline", "overhead", "memory", "tenants", "dags"):
        assert results.get(section), section
    assert results["throughput"]["writes"] > 0 and results["baseline"]["writes"] > 0
    assert results["singer"]["writes"] > 0 and results["singer"]["failed_records"] == 0
    assert {"extract", "validate", "load"} <= set(results["overhead"][0]["cpu_ms_per_invoice"])
    assert results["memory"][0]["peak_rss_mb"] > 0
    assert set(results["memory"][0]["peak_after_mb"]) == {"extract", "validate_customers", "validate_invoices"}
    assert results["overhead"][0]["gx_import"]["cpu_s"] > 0  # from a fresh process, whatever ran before
    # Where the CPU went while the tenants loaded (is the machine the limit?).
    assert all(0 < r["machine_cpu_busy"] <= 1 and r["emulator_cpu_s"] > 0 for r in results["tenants"])
    assert {r["file"] for r in results["dags"]} >= {"dags/qbo_sync_dag.py"}
    machine = report["machine"]
    assert machine["cores"] and machine["cpu_model"] and machine["python"] and machine["load_average_start"]
    assert report["targets"]

    markdown = reports[0].with_suffix(".md").read_text()
    assert markdown == (tmp_path / "latest.md").read_text()
    for heading in SECTION_HEADINGS:
        assert heading in markdown, heading
    assert "qbo-sync (batches of 30" in markdown and "naive python-quickbooks" in markdown
    assert "Singer-style target" in markdown
    assert "## Targets" in capsys.readouterr().out
    # The throughput runs as a picture, next to the Markdown and linked from it (bench/picture.py).
    picture = reports[0].with_suffix(".svg")
    assert report["picture"] == picture.name
    assert f"]({picture.name})" in markdown
    drawn = ET.fromstring(picture.read_bytes())
    lines = {p.get("data-loader") for p in drawn.iter("{http://www.w3.org/2000/svg}polyline")}
    assert lines == {"ours", "singer", "baseline"}
    assert all(results[s]["series"] for s in ("throughput", "baseline", "singer"))
    # No secret reaches the reports: the app's client secret is never written.
    assert "password" not in reports[0].read_text()
