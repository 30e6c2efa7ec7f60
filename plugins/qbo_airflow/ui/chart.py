"""The reconciliation panel's chart, drawn on the server as inline SVG (no script, no CDN):
one column a day over the last 30 days, the invoice amount synced that day in the company's
home currency (grey bar, left scale, its currency code under the scale) and the records found
differing between QuickBooks and the app (an orange mark, red when one of them is unexplained;
right scale). Amounts in other currencies are never added into the bar (one scale cannot hold
two currencies): each day's tooltip (``<title>``) lists them, and a note under the chart says the
bars leave them out, with the 30 days' amounts per currency."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 170
NOTE_H = 16
LEFT, RIGHT, TOP, BOTTOM = 70, 40, 12, 28  # margins for the scales and the dates


def _y(value: Decimal | int, top: Decimal | int, plot: int) -> int:
    """Pixels from the plot's bottom for ``value`` on a scale whose top is ``top``."""
    if not top:
        return 0
    return int(Decimal(value) * plot / Decimal(top))


def svg(days: Sequence[Any]) -> str:
    """``days``: objects with ``day``, ``synced`` (Decimal, home currency), ``differ``,
    ``unexplained`` and optionally ``others`` (text: '120.00 EUR; 30.00 USD') and ``currency``."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_amount = max((d.synced for d in days), default=Decimal(0))
    top_differ = max((d.differ for d in days), default=0)
    step = plot_w // max(1, len(days))
    base = TOP + plot_h
    code = next((d.currency for d in days if getattr(d, "currency", None)), None)
    unit = f" {code}" if code else ""
    others = _other_totals(days)
    total_h = HEIGHT + (NOTE_H if others else 0)  # room for the note on other currencies
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="recon-chart" width="{WIDTH}" height="{total_h}" '
        f'viewBox="0 0 {WIDTH} {total_h}" role="img" aria-label="Amount synced and differences per day, '
        f'last {len(days)} days">',
        f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + plot_w}" y2="{base}" stroke="#999"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11">{top_amount:,.2f}</text>',
        f'<text x="{LEFT - 6}" y="{base}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{LEFT - 6}" y="{TOP + 24}" text-anchor="end" font-size="10">{escape(code or "")}</text>',
        f'<text x="{LEFT + plot_w + 6}" y="{TOP + 10}" font-size="11" fill="#c0392b">{top_differ}</text>',
    ]
    for i, d in enumerate(days):
        x = LEFT + i * step
        h = _y(d.synced, top_amount, plot_h)
        tip = escape(
            f"{d.day.isoformat()}: {d.synced:,.2f}{unit} synced"
            + (f" (and {getattr(d, 'others', None)}, not in the bar)" if getattr(d, "others", None) else "")
            + f"; {d.differ} record(s) differ"
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
    if others:
        note = f"Bars: {code or 'home currency'} only; also synced in these 30 days: {others} (in each day's tooltip)"
        out.append(f'<text class="other-currencies" x="{LEFT}" y="{total_h - 4}" font-size="11">')
        out.append(f"{escape(note)}</text>")
    out.append("</svg>")
    return "".join(out)


def _other_totals(days: Sequence[Any]) -> str:
    """'120.00 EUR; 30.00 USD': the amounts of the other currencies over ``days``."""
    totals: dict[str, Decimal] = {}
    for d in days:
        for part in (getattr(d, "others", None) or "").split("; "):
            if part:
                amount, code = part.rsplit(" ", 1)
                totals[code] = totals.get(code, Decimal(0)) + Decimal(amount)
    return "; ".join(f"{amount:,.2f} {code}" for code, amount in sorted(totals.items()))
