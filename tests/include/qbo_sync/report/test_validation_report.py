"""Each run's validation result is kept and can be opened as text or an HTML page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from qbo_sync.report.__main__ import main
from support.scenario import build_au_tenant


def test_the_validation_report_names_every_check_and_rejected_record(
    db, qbo_app, qbo_factory, database_url, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    build_au_tenant(db, qbo_app)
    now = datetime.now(UTC)
    run_once(db, RunWindow("r-report", now - timedelta(hours=1), now, full_sync=True), qbo_factory)
    page = tmp_path / "report.html"
    assert main(["validation", "--run-id", "r-report", "--html", str(page)]) == 0
    text = capsys.readouterr().out
    assert "tenant 1 - invoices: 9 checked, 5 rejected" in text
    assert "X  no_line_items" in text and "ok client_missing" in text
    assert "INV-0003: [no_line_items]" in text
    html = page.read_text()
    assert "<td>no_line_items</td>" in html and "Revert invoice INV-0003 to draft" in html
    assert main(["run", "--run-id", "r-report"]) == 0
    assert "Amount synced" in capsys.readouterr().out
