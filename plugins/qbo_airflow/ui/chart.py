"""The reconciliation panel's chart, drawn on the server as inline SVG (no script, no CDN):
one column a day over the last 30 days, the invoice amount synced that day (grey bar, left
scale) and the records found differing between QuickBooks and the app (an orange mark, red
when one of them is unexplained; right scale). Every day has a tooltip (``<title>``)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 170
LEFT, RIGHT, TOP, BOTTOM = 70, 40, 12, 28  # margins for the scales and the dates


def _y(value: Decimal | int, top: Decimal | int, plot: int) -> int:
    """Pixels from the plot's bottom for ``value`` on a scale whose top is ``top``."""
    if not top:
        return 0
    return int(Decimal(value) * plot / Decimal(top))


def svg(days: Sequence[Any]) -> str:
    """``days``: objects with ``day``, ``synced`` (Decimal), ``differ`` and ``unexplained``."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_amount = max((d.synced for d in days), default=Decimal(0))
    top_differ = max((d.differ for d in days), default=0)
    step = plot_w // max(1, len(days))
    base = TOP + plot_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="recon-chart" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="Amount synced and differences per day, '
        f'last {len(days)} days">',
        f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + plot_w}" y2="{base}" stroke="#999"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11">{top_amount:,.2f}</text>',
        f'<text x="{LEFT - 6}" y="{base}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{LEFT + plot_w + 6}" y="{TOP + 10}" font-size="11" fill="#c0392b">{top_differ}</text>',
    ]
    for i, d in enumerate(days):
        x = LEFT + i * step
        h = _y(d.synced, top_amount, plot_h)
        tip = escape(
            f"{d.day.isoformat()}: {d.synced:,.2f} synced; {d.differ} record(s) differ"
            + (f", {d.unexplained} unexplained" if d.unexplained else "")
        )
        out.append(f'<g class="day" data-day="{d.day.isoformat()}"><title>{tip}</title>')
        out.append(
            f'<rect class="synced" x="{x + 1}" y="{base - h}" width="{max(1, step - 2)}" height="{h}" fill="#b0bec5"/>'
        )
        if d.differ:
            colour = "#c0392b" if d.unexplained else "#e67e22"
            dy = base - max(3, _y(d.differ, top_differ, plot_h))
            out.append(f'<circle class="differ" cx="{x + step // 2}" cy="{dy}" r="4" fill="{colour}"/>')
        out.append("</g>")
    if days:
        out.append(f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="11">{days[0].day.isoformat()}</text>')
        out.append(
            f'<text x="{LEFT + plot_w}" y="{HEIGHT - 8}" text-anchor="end" font-size="11">'
            f"{days[-1].day.isoformat()}</text>"
        )
    out.append("</svg>")
    return "".join(out)
