"""A bar chart as inline SVG, drawn on the server (no JavaScript, no inline style: CSP-friendly).

Colours come from the staff stylesheet (classes ``chart-bar``, ``chart-axis``, ``chart-label``); the chart has
a title and a description for screen readers, and the page shows the same figures in a table.
"""
from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 40


def _plural(count: int) -> str:
    return f"{count} pré-candidature{'s' if count > 1 else ''}"


def bar_chart(series: list[tuple[date, int]], title: str, chart_id: str = "chart") -> Markup:
    """Bars for (day, count) pairs, with a y axis from 0 to the maximum and a date label every 5 days."""
    top = max([count for _, count in series] + [1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(series), 1)
    bar_w = max(step * 0.7, 1.0)
    total = sum(count for _, count in series)
    description = (f"{_plural(total)} sur {len(series)} jours ; maximum {top} par jour."
                   if series else "Aucune donnée.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line class="chart-axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
        f'<line class="chart-axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
        f'<text class="chart-label" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top}</text>',
        f'<text class="chart-label" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    for i, (day, count) in enumerate(series):
        height = plot_h * count / top
        x = LEFT + i * step + (step - bar_w) / 2
        y = TOP + plot_h - height
        label = f"{day.strftime('%d/%m/%Y')} : {_plural(count)}"
        parts.append(f'<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}">'
                     f'<title>{escape(label)}</title></rect>')
        if i % 5 == 0 or i == len(series) - 1:
            parts.append(f'<text class="chart-label" x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{day.strftime("%d/%m")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
