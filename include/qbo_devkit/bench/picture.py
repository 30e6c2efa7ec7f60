"""The throughput runs as a picture: writes per (emulated) minute over time, one line per loader
(ours, the Singer-style peer, python-quickbooks), against the ceilings, as a standalone SVG
written next to the bench's Markdown (``bench-<stamp>.svg``). No library: text, like the
plugin's reconciliation chart (which the devkit does not import).

The series come from the emulator's request log of each loader's company, the same log
``load.write_window`` reads: every successful write request (a POST that is not a query) after
the measured window opened. A plain request is one write; the log does not say how many
operations a batch carried, so the company's batch writes (what it holds, less the plain
requests) are spread evenly over its batch requests (all hold 30 but the last of each chunk).
Requests are counted in whole emulated minutes from the loader's first write; the last, partial
minute is a rate over its own length (folded into the minute before when shorter than half a
minute, so one late request does not draw a spike). Each minute is a flat step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from typing import Any

WIDTH, HEIGHT = 900, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 290, 48, 52  # room for the scale, the legend, the title, the axis label
COLOURS = {"ours": "#1f6feb", "singer": "#d97706", "baseline": "#7c3aed"}
NAMES = {
    "ours": "qbo-sync (paced batches + plain requests)",
    "singer": "Singer-style (batches back to back)",
    "baseline": "python-quickbooks (one save each)",
}


# ---------------------------------------------------------------------- the series
def write_times(log: Iterable[dict[str, Any]], since: datetime | None, writes: int) -> list[tuple[datetime, float]]:
    """(moment, writes) of each successful write request in an emulator request log."""
    requests = []
    for entry in log:
        t = datetime.fromisoformat(entry["time"])
        if since is not None and t < since:
            continue
        if entry["method"] == "POST" and entry["status"] == 200 and "/query" not in entry["path"]:
            requests.append((t, entry["path"].endswith("/batch")))
    batches = sum(1 for _, is_batch in requests if is_batch)
    plain = len(requests) - batches
    per_batch = max(0, writes - plain) / batches if batches else 0.0
    return sorted((t, per_batch if is_batch else 1.0) for t, is_batch in requests)


def per_minute(times: Sequence[tuple[datetime, float]], minute_s: float) -> list[list[float]]:
    """[[from, to, writes a minute], ...] in emulated minutes since the first write."""
    if not times or minute_s <= 0:
        return []
    first = times[0][0]
    at = [((t - first).total_seconds() / minute_s, n) for t, n in times]
    end = at[-1][0]
    full = int(end)  # whole minutes before the last write
    counts = [0.0] * (full + 1)
    for x, n in at:
        counts[min(int(x), full)] += n
    steps = [[float(i), float(i + 1), counts[i]] for i in range(full)]
    tail = end - full
    if tail >= 0.5 or not steps:
        steps.append([float(full), end, counts[full] / tail if tail > 0 else counts[full]])
    else:  # a sliver after the last whole minute: into that minute
        lo, _, c = steps[-1]
        steps[-1] = [lo, end, (c + counts[full]) / (end - lo)]
    return [[round(a, 4), round(b, 4), round(c, 1)] for a, b, c in steps]


def series(log: Iterable[dict[str, Any]], since: datetime | None, writes: int, minute_s: float) -> list[list[float]]:
    """A loader's writes per emulated minute, from its company's request log."""
    return per_minute(write_times(log, since, writes), minute_s)


# ---------------------------------------------------------------------- the picture
def _nice_top(value: float) -> float:
    """A round scale top at or above ``value`` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 x a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * power >= value:
            return m * power
    return 10 * power


def scale(lines: dict[str, list[list[float]]], ceilings: dict[str, float]) -> tuple[float, float]:
    """(x top in minutes, y top in writes a minute) of the plot."""
    x_top = max((s[-1][1] for s in lines.values() if s), default=1.0)
    y_top = max([c for c in ceilings.values() if c] + [y for s in lines.values() for _, _, y in s] + [1.0])
    return _nice_top(x_top), _nice_top(y_top * 1.05)


def px(x: float, y: float, x_top: float, y_top: float) -> tuple[float, float]:
    """Pixels of (minutes, writes a minute) on the canvas."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    return round(LEFT + x / x_top * plot_w, 1), round(TOP + plot_h - y / y_top * plot_h, 1)


def points(steps: list[list[float]], x_top: float, y_top: float) -> str:
    out = []
    for lo, hi, y in steps:
        for x in (lo, hi):
            a, b = px(x, y, x_top, y_top)
            out.append(f"{a:g},{b:g}")
    return " ".join(out)


def svg(lines: dict[str, list[list[float]]], ceilings: dict[str, float], title: str) -> str:
    """``lines``: loader key (ours, singer, baseline) -> its steps; ``ceilings``: label ->
    writes a minute (a dashed line each)."""
    x_top, y_top = scale(lines, ceilings)
    x0, y0 = px(0, 0, x_top, y_top)
    x1, y1 = px(x_top, y_top, x_top, y_top)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text class="title" x="{LEFT}" y="20" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#444"/>',
        f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#444"/>',
    ]
    for i in range(6):  # ticks: sixths of each scale
        xv, yv = x_top * i / 5, y_top * i / 5
        tx, _ = px(xv, 0, x_top, y_top)
        _, ty = px(0, yv, x_top, y_top)
        out.append(f'<text x="{tx}" y="{y0 + 15}" text-anchor="middle">{xv:g}</text>')
        out.append(f'<text x="{x0 - 6}" y="{ty + 4}" text-anchor="end">{yv:,.0f}</text>')
        if i:
            out.append(f'<line x1="{x0}" y1="{ty}" x2="{x1}" y2="{ty}" stroke="#eee"/>')
    out.append(
        f'<text class="x-label" x="{(x0 + x1) / 2}" y="{HEIGHT - 14}" text-anchor="middle">'
        "minutes since the loader's first write (emulated minutes)</text>"
    )
    out.append(
        f'<text class="y-label" transform="translate(16 {(y0 + y1) / 2}) rotate(-90)" '
        'text-anchor="middle">writes per minute</text>'
    )
    legend_x, legend_y = x1 + 14, TOP + 6
    for label, value in ceilings.items():
        if not value:
            continue
        _, cy = px(0, value, x_top, y_top)
        out.append(
            f'<line class="ceiling" data-label="{escape(label)}" data-value="{value:g}" x1="{x0}" y1="{cy}" '
            f'x2="{x1}" y2="{cy}" stroke="#c0392b" stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{x1 - 4}" y="{cy - 4}" text-anchor="end" fill="#c0392b">{escape(label)}: {value:,.0f}</text>'
        )
    for key, steps in lines.items():
        if not steps:
            continue
        colour = COLOURS.get(key, "#333")
        out.append(
            f'<polyline class="loader" data-loader="{escape(key)}" fill="none" stroke="{colour}" '
            f'stroke-width="2" points="{points(steps, x_top, y_top)}"/>'
        )
        out.append(
            f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 18}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{legend_x + 24}" y="{legend_y + 4}">{escape(NAMES.get(key, key))}</text>')
        legend_y += 18
    out.append(
        f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 18}" y2="{legend_y}" stroke="#c0392b" '
        'stroke-dasharray="6 4"/>'
    )
    out.append(f'<text x="{legend_x + 24}" y="{legend_y + 4}">ceilings (one company)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def from_report(report: dict[str, Any]) -> str | None:
    """The picture of a bench report's throughput runs, or None when none recorded a series."""
    r = report["results"]
    lines = {
        key: (r.get(section) or {}).get("series") or []
        for key, section in (("ours", "throughput"), ("singer", "singer"), ("baseline", "baseline"))
    }
    lines = {k: v for k, v in lines.items() if v}
    if not lines:
        return None
    limits = report["limits"]
    batch = 30 * int(limits["batches_per_minute"])
    combined = (r.get("throughput") or {}).get("combined_ceiling_per_minute") or (
        batch + int(limits["requests_per_minute"]) - int(limits["batches_per_minute"])
    )
    m = report["machine"]
    title = (
        f"Writes per minute, one company - {report['started_at']} ({report['preset']}); "
        f"load average {_one(m.get('load_average_start'))} -> {_one(m.get('load_average_end'))}"
    )
    return svg(lines, {"combined ceiling": float(combined), "batch-only ceiling": float(batch)}, title)


def _one(load: Any) -> str:
    """The 1-minute figure of a load average ([1, 5, 15] minutes), as text."""
    if isinstance(load, (list, tuple)):
        load = load[0] if load else None
    return "-" if load is None else f"{load:g}"
