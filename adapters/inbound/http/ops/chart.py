"""A small inline SVG bar chart of payments and refunds per hour."""

from __future__ import annotations

from datetime import datetime
from html import escape

WIDTH, HEIGHT, BOTTOM = 720, 160, 20


def hourly_chart(hours: list[tuple[datetime, int, int]]) -> str:
    if not hours:
        return ""
    top = max(1, *(max(paid, refunded) for _, paid, refunded in hours))
    slot = WIDTH / len(hours)
    bar = max(2.0, slot / 2 - 2)
    scale = (HEIGHT - BOTTOM - 14) / top
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        'role="img" aria-label="payments and refunds per hour">',
        f'<line x1="0" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" class="axis"/>',
        f'<text x="2" y="10" class="label">max {top}/h</text>',
    ]
    for i, (hour, paid, refunded) in enumerate(hours):
        x = i * slot + 1
        for offset, value, css in ((0.0, paid, "paid"), (bar + 1, refunded, "refunded")):
            h = value * scale
            y = HEIGHT - BOTTOM - h
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'class="{css}"><title>{escape(hour.strftime("%H:00"))} UTC: '
                f"{value} {css}</title></rect>"
            )
        if i % 3 == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 5}" class="label">{hour.strftime("%H")}h</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
