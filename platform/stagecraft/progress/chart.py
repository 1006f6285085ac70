"""A small server-rendered SVG chart of a learner's attempts: no script, no CDN, nothing for the CSP to block."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 600, 160, 28


def attempts_chart(points: list[tuple[datetime, float, bool, str]]) -> Markup:
    """One dot per graded attempt, oldest left: its score in percent (up), green when it passed.

    `points` are (finished at, score percent 0-100, passed, label) in time order.
    """
    if not points:
        return Markup("")
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / max(len(points) - 1, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">Your last {len(points)} graded attempts: score in percent, oldest left</title>',
        f'<line x1="{PAD}" y1="{PAD + inner_h}" x2="{PAD + inner_w}" y2="{PAD + inner_h}" stroke="#c8ced6"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD + inner_w}" y2="{PAD}" stroke="#eef1f4"/>',
        f'<text x="2" y="{PAD + 4}" font-size="10" fill="#667">100%</text>',
        f'<text x="2" y="{PAD + inner_h + 4}" font-size="10" fill="#667">0%</text>',
    ]
    coordinates = []
    for index, (_, percent, _passed, _label) in enumerate(points):
        x = PAD + index * step
        y = PAD + inner_h * (1 - max(0.0, min(percent, 100.0)) / 100)
        coordinates.append((x, y))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    parts.append(f'<polyline points="{path}" fill="none" stroke="#9aa7b5" stroke-width="1.5"/>')
    for (x, y), (when, percent, passed, label) in zip(coordinates, points, strict=True):
        colour = "#2e7d32" if passed else "#c0392b"
        tip = escape(f"{label}: {percent:.0f}% on {when:%Y-%m-%d %H:%M} UTC")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{tip}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every learner-facing text in it is escaped above
