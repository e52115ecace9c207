"""Line charts as inline SVG, drawn on the server: no JavaScript, no images to fetch, nothing the CSP must allow.

Pure: numbers and already-translated text in, an SVG string out. Every text is escaped here, so the caller may
mark the result safe. The chart is an image with a name and a description (``role="img"``, ``<title>`` and
``<desc>``); pages show the numbers again as a table or a sentence for those who cannot see it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Colours as presentation attributes (not CSS), so that a chart reads the same printed or without the stylesheet.
PALETTE = ("#00529b", "#a4000f", "#0b6b2e", "#6b3fa0")
AXIS = "#55606b"
GRID = "#d5dbe1"
TEXT = "#1b1f24"
FONT_SIZE = 12
MARGIN = {"left": 52, "right": 12, "top": 12, "bottom": 44}
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Series:
    """One line: ``points`` are (x, y); ``errors`` (optional) the ± half-width drawn as a bar at each point."""

    points: Sequence[tuple[float, float]]
    label: str = ""
    errors: Sequence[float] | None = None
    markers: bool = False


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round values (1, 2 or 5 × 10ⁿ apart) covering ``low``…``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("tick bounds must be finite")
    if high < low:
        low, high = high, low
    if high == low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10) + 0.0)
        value += step
    if ticks[-1] < high - step * 1e-9:
        ticks.append(round(value, 10) + 0.0)
    return ticks


def _number(value: float) -> str:
    return f"{value:g}"


def _fixed(value: float) -> str:
    """A coordinate: one decimal is finer than a pixel."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart(series: Sequence[Series], *, chart_id: str, title: str, description: str, x_label: str,
               y_label: str, width: int = 560, height: int = 240,
               x_range: tuple[float, float] | None = None, y_range: tuple[float, float] | None = None,
               x_ticks: Sequence[tuple[float, str]] | None = None, y_ticks: Sequence[tuple[float, str]] | None = None,
               number: Callable[[float], str] = _number, css_class: str = "line-chart") -> str:
    """An SVG line chart with axes, ticks, grid lines, axis labels and (for several labelled series) a legend.

    ``x_range`` / ``y_range`` default to the data's (widened to the round ticks); ``x_ticks`` / ``y_ticks`` are
    (value, label) pairs when the caller wants its own (dates, say); otherwise round values labelled with
    ``number``. ``chart_id`` names the title and description elements, so it must be unique on the page.
    """
    if not _ID.match(chart_id):
        raise ValueError("chart_id must be a plain identifier")
    xs = [x for line in series for x, _y in line.points]
    ys = [y for line in series for _x, y in line.points]
    ys += [y + sign * error for line in series for (_x, y), error in zip(line.points, line.errors or [], strict=False)
           for sign in (-1, 1) if error is not None]
    if any(not math.isfinite(value) for value in xs + ys):
        raise ValueError("points must be finite numbers")
    x_low, x_high = x_range or ((min(xs), max(xs)) if xs else (0.0, 1.0))
    y_low, y_high = y_range or ((min(ys), max(ys)) if ys else (0.0, 1.0))
    if x_high == x_low:
        x_low, x_high = x_low - 1, x_high + 1
    if y_high == y_low:
        y_low, y_high = y_low - 1, y_high + 1
    if y_ticks is None:
        values = nice_ticks(y_low, y_high)
        if y_range is None:
            y_low, y_high = min(values[0], y_low), max(values[-1], y_high)
        y_ticks = [(value, number(value)) for value in values if y_low - 1e-9 <= value <= y_high + 1e-9]
    if x_ticks is None:
        values = nice_ticks(x_low, x_high, count=7)
        x_ticks = [(value, number(value)) for value in values if x_low - 1e-9 <= value <= x_high + 1e-9]

    left, top = MARGIN["left"], MARGIN["top"]
    plot_w = width - MARGIN["left"] - MARGIN["right"]
    plot_h = height - MARGIN["top"] - MARGIN["bottom"]
    bottom = top + plot_h

    def sx(x: float) -> str:
        return _fixed(left + (x - x_low) / (x_high - x_low) * plot_w)

    def sy(y: float) -> str:
        return _fixed(bottom - (y - y_low) / (y_high - y_low) * plot_h)

    ident = escape(chart_id)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
           f'font-size="{FONT_SIZE}" font-family="system-ui, sans-serif">',
           f'<title id="{ident}-title">{escape(title)}</title>',
           f'<desc id="{ident}-desc">{escape(description)}</desc>']
    out.append(f'<g class="grid" stroke="{GRID}" stroke-width="1">')
    for value, _label in y_ticks:
        out.append(f'<line x1="{left}" y1="{sy(value)}" x2="{left + plot_w}" y2="{sy(value)}"/>')
    out.append("</g>")
    out.append(f'<g class="axes" stroke="{AXIS}" stroke-width="1">'
               f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>'
               f'<line x1="{left}" y1="{bottom}" x2="{left + plot_w}" y2="{bottom}"/>')
    for value, _label in x_ticks:
        out.append(f'<line x1="{sx(value)}" y1="{bottom}" x2="{sx(value)}" y2="{bottom + 4}"/>')
    out.append("</g>")
    out.append(f'<g class="tick-labels" fill="{TEXT}">')
    for value, label in y_ticks:
        out.append(f'<text x="{left - 6}" y="{sy(value)}" text-anchor="end" dominant-baseline="middle">'
                   f"{escape(label)}</text>")
    for value, label in x_ticks:
        out.append(f'<text x="{sx(value)}" y="{bottom + 16}" text-anchor="middle">{escape(label)}</text>')
    out.append("</g>")
    out.append(f'<g class="axis-labels" fill="{TEXT}">'
               f'<text x="{_fixed(left + plot_w / 2)}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>'
               f'<text x="12" y="{_fixed(top + plot_h / 2)}" text-anchor="middle" '
               f'transform="rotate(-90 12 {_fixed(top + plot_h / 2)})">{escape(y_label)}</text></g>')
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = list(line.points)
        if len(points) > 1:
            path = " ".join(f"{'M' if n == 0 else 'L'}{sx(x)},{sy(y)}" for n, (x, y) in enumerate(points))
            out.append(f'<path class="series series-{index}" d="{path}" fill="none" stroke="{colour}" '
                       f'stroke-width="2" stroke-linejoin="round"/>')
        if line.errors:
            out.append(f'<g class="errors" stroke="{colour}" stroke-width="1.5">')
            for (x, y), error in zip(points, line.errors, strict=False):
                if error:
                    out.append(f'<line x1="{sx(x)}" y1="{sy(y - error)}" x2="{sx(x)}" y2="{sy(y + error)}"/>')
            out.append("</g>")
        if line.markers or len(points) == 1:
            out.append(f'<g class="markers" fill="{colour}">')
            out.extend(f'<circle cx="{sx(x)}" cy="{sy(y)}" r="3.5"/>' for x, y in points)
            out.append("</g>")
    labelled = [(index, line.label) for index, line in enumerate(series) if line.label]
    if len(labelled) > 1:
        out.append(f'<g class="legend" fill="{TEXT}">')
        for row, (index, label) in enumerate(labelled):
            y = top + 8 + row * 16
            colour = PALETTE[index % len(PALETTE)]
            out.append(f'<line x1="{left + plot_w - 150}" y1="{y}" x2="{left + plot_w - 130}" y2="{y}" '
                       f'stroke="{colour}" stroke-width="2"/>'
                       f'<text x="{left + plot_w - 124}" y="{y}" dominant-baseline="middle">{escape(label)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
