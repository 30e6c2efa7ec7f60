"""The bench's throughput picture: the series read from an emulator request log, and the SVG
drawn from them. Pure functions on made-up moments: no timing is measured here."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from qbo_devkit.bench import picture

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def entry(seconds: float, path: str = "/v3/company/1/batch", method: str = "POST", status: int = 200) -> dict:
    return {"method": method, "path": path, "status": status, "time": (T0 + timedelta(seconds=seconds)).isoformat()}


def test_the_series_counts_writes_per_emulated_minute_from_the_request_log():
    log = [
        entry(-5),  # before the window opened: not counted
        entry(0),
        entry(1),
        entry(2, path="/v3/company/1/invoice"),  # a plain write: one record
        entry(3, path="/v3/company/1/query"),  # a read (POSTed query): not a write
        entry(4, method="GET", path="/v3/company/1/invoice/7"),
        entry(5, status=429),  # refused: nothing written
        entry(7),
        entry(13),
    ]
    # 91 writes held: 1 plain, 90 in the 4 batches (22.5 each); a 6-s minute.
    steps = picture.series(log, T0, 91, 6.0)
    assert steps == [[0.0, 1.0, 22.5 * 2 + 1], [1.0, 2.1667, pytest.approx((22.5 + 22.5) / (13 / 6 - 1), abs=0.1)]]


def test_a_sliver_of_a_last_minute_goes_into_the_minute_before():
    times = [(T0 + timedelta(seconds=s), 30.0) for s in (0, 30, 60, 90, 125)]
    # minute 0: 60 writes; minute 1: 60; then 5 s of minute 2 (under half): folded into minute 1.
    assert picture.per_minute(times, 60.0) == [[0.0, 1.0, 60.0], [1.0, 2.0833, round(90 / (125 / 60 - 1), 1)]]
    # A run shorter than a minute is one step over its own length.
    assert picture.per_minute(times[:2], 60.0) == [[0.0, 0.5, 120.0]]
    assert picture.per_minute([], 60.0) == []


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode())  # well-formed XML, or this raises


def test_the_svg_is_well_formed_with_a_line_per_loader_in_order_and_to_scale():
    lines = {
        "ours": [[0.0, 1.0, 1500.0], [1.0, 2.0, 1550.0], [2.0, 3.0, 1540.0]],
        "singer": [[0.0, 1.0, 1200.0], [1.0, 2.5, 900.0]],
        "baseline": [[0.0, 1.0, 10.0]],
    }
    ceilings = {"combined ceiling": 1640.0, "batch-only ceiling": 1200.0}
    root = parse(picture.svg(lines, ceilings, "Writes per minute - 2026-12-01; load average 0.5 -> 0.7 & <x>"))
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}text[@class='title']")
    assert title is not None and "2026-12-01" in title.text and "load average 0.5 -> 0.7 & <x>" in title.text
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "writes per minute" in texts and "minutes since" in texts  # axis labels
    for key in ("ours", "singer", "baseline"):
        assert picture.NAMES[key] in texts  # legend

    # Scale: x to 3 minutes (the last step's end), y to 2,000 (1,640 x 1.05 = 1,722 rounded up).
    assert picture.scale(lines, ceilings) == (3.0, 2000.0)
    assert picture.scale({"ours": [[0.0, 3.2, 10.0]]}, {}) == (4.0, 15.0)
    plot_w = picture.WIDTH - picture.LEFT - picture.RIGHT
    plot_h = picture.HEIGHT - picture.TOP - picture.BOTTOM
    base = picture.TOP + plot_h
    polylines = {p.get("data-loader"): p for p in root.iter(f"{SVG}polyline")}
    assert set(polylines) == {"ours", "singer", "baseline"}
    for key, steps in lines.items():
        pts = [tuple(float(v) for v in p.split(",")) for p in polylines[key].get("points").split()]
        want = [(picture.LEFT + x / 3.0 * plot_w, base - y / 2000.0 * plot_h) for lo, hi, y in steps for x in (lo, hi)]
        assert pts == [pytest.approx(w, abs=0.051) for w in want], key
        assert [x for x, _ in pts] == sorted(x for x, _ in pts)  # left to right, in time order
    assert len({p.get("stroke") for p in polylines.values()}) == 3

    ceiling = {c.get("data-label"): c for c in root.iter(f"{SVG}line") if c.get("class") == "ceiling"}
    assert set(ceiling) == set(ceilings)
    for label, value in ceilings.items():
        line = ceiling[label]
        assert line.get("stroke-dasharray")  # dashed
        assert float(line.get("y1")) == float(line.get("y2")) == pytest.approx(base - value / 2000 * plot_h, abs=0.051)
        assert float(line.get("x1")) == picture.LEFT and float(line.get("x2")) == picture.LEFT + plot_w


def test_the_report_s_picture_uses_its_sections_ceilings_and_machine_load():
    report = {
        "started_at": "2026-12-01T04:00:00+00:00",
        "preset": "tiny",
        "limits": {"minute_seconds": 6.0, "requests_per_minute": 500, "batches_per_minute": 40},
        "machine": {"load_average_start": [1.5, 1.0, 0.9], "load_average_end": [2.25, 1.2, 1.0]},
        "results": {"throughput": {"series": [[0.0, 1.0, 1500.0]], "combined_ceiling_per_minute": 1648.5}},
    }
    root = parse(picture.from_report(report))
    assert [p.get("data-loader") for p in root.iter(f"{SVG}polyline")] == ["ours"]
    ceilings = [c for c in root.iter(f"{SVG}line") if c.get("class") == "ceiling"]
    assert {c.get("data-label"): float(c.get("data-value")) for c in ceilings} == {
        "combined ceiling": 1648.5,
        "batch-only ceiling": 1200.0,
    }
    title = root.find(f"{SVG}text[@class='title']").text
    assert "2026-12-01T04:00:00+00:00" in title and "load average 1.5 -> 2.25" in title
    assert picture.from_report({**report, "results": {"dags": []}}) is None
