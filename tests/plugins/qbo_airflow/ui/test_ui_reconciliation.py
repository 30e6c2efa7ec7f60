"""The page's reconciliation panel, in a real Airflow API server: what agrees, each difference
with its explanation or flagged unexplained, and a chart of the last 30 days drawn on the
server as inline SVG (no script, nothing fetched from elsewhere)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from qbo_airflow.ui.chart import svg
from qbo_sync.reconcile.store import Day
from support.access import grant
from support.scenario import build_au_tenant


@pytest.fixture
def reconciled_tenant(db, qbo_app, qbo_factory):
    """The AU tenant synced once, then INV-0001 voided in QuickBooks and a full pass run."""
    from qbo_sync import pipeline
    from qbo_sync.extract.records import RunWindow
    from qbo_sync.reconcile import run as reconciliation

    build_au_tenant(db, qbo_app)
    now = datetime.now(UTC)
    pipeline.run_once(db, RunWindow("manual__ui-recon", now - timedelta(hours=1), now, full_sync=True), qbo_factory)
    qbo_id = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE tenant_id = 1 AND entity = 'invoice' AND source_id = 1"
    ).fetchone()[0]
    with qbo_factory(1) as client:
        client.void("Invoice", qbo_id, client.read("Invoice", qbo_id)["SyncToken"])
        reconciliation.reconcile_tenant(db, "scheduled__recon", "qbo_reconcile", 1, client, reconciliation.FULL)
    grant(db, [1], user="clerk")
    return db


def test_the_panel_shows_agreement_differences_and_a_server_drawn_chart(airflow_server, reconciled_tenant):
    page = requests.get(
        f"{airflow_server.url}/qbo-sync/?tenant_id=1",
        timeout=30,
        headers={"Authorization": f"Bearer {airflow_server.token('clerk')}"},
    )
    assert page.status_code == 200
    panel = re.search(r'<section class="card reconciliation" id="reconciliation">(.*?)</section>', page.text, re.S)
    assert panel, "no reconciliation panel"
    html = panel.group(1)
    assert "every record in QuickBooks" in html
    assert re.search(r"QuickBooks and the app agree on 2 invoices, [\d,.]+ [A-Z]{3}; \d+ customers", html)
    row = re.search(r'<tr class="unexplained">.*?</tr>', html, re.S).group(0)
    assert "INV-0001" in row and "voided voided" in row and "Nothing in the sync log explains it" in row
    # the chart: inline SVG with 30 days, today's amount synced and its difference marked red
    chart = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert chart.count('<g class="day"') == 30
    today = datetime.now(UTC).date().isoformat()
    assert re.search(
        rf'<g class="day" data-day="{today}"><title>{today}: [\d,.]+ [A-Z]{{3}} synced; '
        r"1 record\(s\) differ, 1 unexplained",
        chart,
    )
    assert '<circle class="differ"' in chart and "#c0392b" in chart
    assert "<script" not in page.text and "https://" not in chart


def test_the_chart_scales_amounts_and_differences_to_the_busiest_day():
    days = [Day(date(2026, 11, 1) + timedelta(days=i), Decimal(i * 100), i % 3, int(i == 2)) for i in range(3)]
    drawn = svg(days)
    heights = [int(h) for h in re.findall(r'class="synced" x="\d+" y="\d+" width="\d+" height="(\d+)"', drawn)]
    assert heights[0] == 0 and heights[2] == 130 and heights[1] == 65  # plot height 130: 200 at the top
    assert drawn.count("<circle") == 2  # days with differences only
    assert ">200.00<" in drawn and "2026-11-01" in drawn and "2026-11-03" in drawn
    assert svg([]).startswith("<svg") and "<circle" not in svg([])


def test_the_chart_bars_hold_the_home_currency_and_list_the_others():
    """An EUR invoice in a GBP company is never added into the GBP bar: the day's tooltip and a
    note under the chart list it apart (finance reads one currency per scale)."""
    days = [
        Day(date(2026, 11, 1), Decimal("500.00"), 0, 0, None, "GBP"),
        Day(date(2026, 11, 2), Decimal("1000.00"), 0, 0, "120.00 EUR", "GBP"),
        Day(date(2026, 11, 3), Decimal("0"), 0, 0, "30.00 EUR; 5.00 USD", "GBP"),
    ]
    drawn = svg(days)
    heights = [int(h) for h in re.findall(r'class="synced" x="\d+" y="\d+" width="\d+" height="(\d+)"', drawn)]
    assert heights == [65, 130, 0]  # the scale's top is 1,000.00 GBP, not 1,120.00
    assert ">1,000.00<" in drawn and ">GBP<" in drawn
    assert "2026-11-02: 1,000.00 GBP synced (and 120.00 EUR, not in the bar); 0 record(s) differ" in drawn
    assert "Bars: GBP only; also synced in these 30 days: 150.00 EUR; 5.00 USD" in drawn
    assert "1,120.00" not in drawn and "1,150.00" not in drawn
    # one currency only: no note
    assert "other-currencies" not in svg(days[:1])
