"""The report pages' charts as inline SVG, drawn on the server: bars, grouped bars, lines and the region map.

Pure functions: numbers and already-translated text in, an SVG string out (no database, no translation, no
locale: numbers are written as the pages' tables write them, a dot before the decimals and no-break spaces between
thousands, whatever the language). Every text the caller passes is escaped here and the result is a ``SafeString``.

What they have in common, and why:

- no JavaScript, no fonts, no stylesheet: colours and sizes are presentation attributes, which the CSP
  (``style-src 'self'``) allows where ``style`` attributes and ``<style>`` elements are not; text takes the page's
  font (``font-family="inherit"``);
- ``width="100%"`` and a ``viewBox``: the chart scales to its container, its height following;
- accessible: ``role="img"`` named by its ``<title>`` and described by its ``<desc>`` (which, when the caller
  gives no description, lists the data); the page still shows the numbers as a table for those who need them;
- readable printed in black and white: every bar, point (when there is room) and region has its number written;
  series differ in lightness, and lines also by dash and marker shape;
- quantities in one hue, light to dark blue; the visible title is the page's (a ``<figure>`` caption), not drawn;
- sized for reading: the bar and vertical charts are 640 units wide with 12–13 unit text, so drawn 640 px wide
  their text is 12–13 px, and still 10 px or more down to 540 px (bars: 500 px); the map (1000 units, geometry
  fixed) down to 600 px. Below that the page should let the chart scroll sideways (``min-width``) rather than
  shrink it further. Text widths are estimated generously (the page's font is unknown: DejaVu Sans, the widest
  likely one, is the reference), so that labels are never cut.

``images.py`` draws the same charts as PNG for the DOCX and PDF exports and uses the helpers here (number
formatting, ticks, map classes, the region outlines), so both kinds show the same numbers in the same colours.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

REGION_DATA_PATH = Path(__file__).resolve().parent / "data" / "kz_regions.json"
DEFAULT_CREDIT = "Boundaries: amCharts 5 geodata"  # required by the geodata's licence (data/README.md)

TEXT_COLOUR = "#1a1a1a"
MUTED_TEXT_COLOUR = "#4d4d4d"  # 8.5:1 on white
AXIS_COLOUR = "#666666"
GRID_COLOUR = "#dddddd"
BAR_COLOUR = "#2f6aad"
# Light to dark blue, for series of one chart: adjacent shades differ enough in lightness to tell apart in grey.
SERIES_COLOURS = {
    1: ("#2f6aad",),
    2: ("#9cc3e8", "#1f4f8a"),
    3: ("#b9d4ee", "#5b92cf", "#173f70"),
    4: ("#c9def3", "#82aedd", "#3a72b5", "#153a66"),
}
LINE_DASHES = ("", "7 4", "2 3", "9 3 2 3")
MARKER_SHAPES = ("circle", "square", "triangle", "diamond")

# The map's five classes, light to dark, and the text colour each needs (contrast 4.5:1 or more).
MAP_CLASS_COLOURS = ("#e3edf8", "#b4cfec", "#79a9db", "#3b76bb", "#1b4982")
MAP_CLASS_TEXT = (TEXT_COLOUR, TEXT_COLOUR, TEXT_COLOUR, "#ffffff", "#ffffff")
NO_DATA_COLOUR = "#d3d3d3"
PERCENT_CLASS_BOUNDS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
MAP_OUTLINE_COLOUR = "#4d4d4d"

# Heat-table cells, 0–100 % in the same five steps as the map: light red to light blue-green (blue-green rather
# than green, so that the ends also differ for red–green colour blindness), all light enough for #1a1a1a text
# (contrast 11:1 or more).
HEAT_COLOURS = ("#f6c4b8", "#f8dcb4", "#f4ecc4", "#d2e9cf", "#b3ddd6")
HEAT_NO_DATA_COLOUR = "#eeeeee"

NBSP = "\u00a0"  # the thousands separator and the space before a unit (PT Sans has no thin spaces)
EM_DASH = "\u2014"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


# --- shared helpers (images.py uses them too) ---------------------------------------------------------------


def format_number(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, digits grouped by threes with no-break spaces and a dot before the
    decimals in every language, as the pages' tables write numbers (the active language is not consulted)."""
    rounded = round(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}".replace(",", NBSP)
    return ("-" if rounded < 0 else "") + text  # never "-0"


def format_value(value: float | None, unit: str = "") -> str:
    """How a value is written on a chart: percentages with one decimal ("42.0 %"), whole numbers without,
    others with one decimal (two below 1); the unit after a no-break space; no value as an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EM_DASH
    if unit == "%":
        decimals = 1
    elif float(value).is_integer():
        decimals = 0
    else:
        decimals = 2 if abs(value) < 1 else 1
    text = format_number(value, decimals)
    return f"{text}{NBSP}{unit}" if unit else text


def format_tick(value: float, unit: str = "") -> str:
    """An axis tick: as few decimals as the tick needs."""
    decimals = 0
    while decimals < 3 and not math.isclose(round(value, decimals), value, abs_tol=1e-9):
        decimals += 1
    text = format_number(value, decimals)
    return f"{text}{NBSP}{unit}" if unit else text


def nice_ticks(low: float, high: float, *, integer: bool = False) -> list[float]:
    """Four or five round values (1, 2, 2.5 or 5 × 10ⁿ apart) from ``low`` (rounded down) to at least ``high``.

    ``integer``: for counts, whole-number ticks only (a step of at least 1, never 2.5): 0–1 gives 0, 1 rather
    than 0, 0.25 … 1, and 0–3 gives 0, 1, 2, 3."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("tick bounds must be finite")
    if high < low:
        low, high = high, low
    if integer:
        low, high = math.floor(low + 1e-9), math.ceil(high - 1e-9)
    if high == low:
        high = low + 1
    span = high - low
    best: tuple[int, float, float] | None = None
    for exponent in range(math.floor(math.log10(span)) - 2, math.floor(math.log10(span)) + 2):
        for mantissa in (1, 2, 2.5, 5):
            step = mantissa * 10.0 ** exponent
            if integer and (step < 1 or not float(step).is_integer()):
                continue
            first = math.floor(low / step + 1e-9) * step
            count = math.ceil((high - first) / step - 1e-9) + 1
            # Prefer five ticks, then four, then six, then three (then two, for integers up to 1); among
            # equals, the smaller step.
            rank = {5: 0, 4: 1, 6: 2, 3: 3, 2: 4}.get(count)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, step, first)
    assert best is not None
    _, step, first = best
    count = math.ceil((high - first) / step - 1e-9) + 1
    return [round(first + index * step, 10) + 0.0 for index in range(count)]


def value_ticks(numbers: Sequence[float]) -> list[float]:
    """The y axis of a chart of these values: from 0 (or below, for negative values) to at least the largest,
    whole numbers only when every value is a whole number (counts)."""
    integer = all(float(number).is_integer() for number in numbers)
    return nice_ticks(min(0.0, *numbers) if numbers else 0.0, max(numbers, default=0.0) or 1.0, integer=integer)


@dataclass(frozen=True)
class MapClasses:
    """The map's classes: ``bounds`` has one more entry than ``colours``; class ``i`` is
    ``bounds[i] <= value < bounds[i + 1]`` (the last one closed)."""

    bounds: tuple[float, ...]
    colours: tuple[str, ...]
    text_colours: tuple[str, ...]

    def index_of(self, value: float | None) -> int | None:
        if value is None or math.isnan(value):
            return None
        position = bisect.bisect_right(self.bounds, value) - 1
        return max(0, min(position, len(self.colours) - 1))

    def colour_of(self, value: float | None) -> str:
        index = self.index_of(value)
        return NO_DATA_COLOUR if index is None else self.colours[index]

    def text_colour_of(self, value: float | None) -> str:
        index = self.index_of(value)
        return TEXT_COLOUR if index is None else self.text_colours[index]

    def legend_labels(self, unit: str) -> list[str]:
        """"lower–upper unit" for each class (just the value when every region has the same)."""
        labels = []
        for lower, upper in zip(self.bounds, self.bounds[1:], strict=False):
            lower_text, upper_text = (format_tick(bound) if unit == "%" else _bound_text(bound) for bound in (lower, upper))
            text = lower_text if lower_text == upper_text else f"{lower_text}–{upper_text}"
            labels.append(f"{text}{NBSP}{unit}" if unit else text)
        return labels


def _bound_text(value: float) -> str:
    return format_value(round(value, 1) if abs(value) < 100 else round(value))


def _quantile(sorted_values: Sequence[float], fraction: float) -> float:
    position = fraction * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def map_classes(values: Sequence[float | None], unit: str) -> MapClasses:
    """Fixed 0–20–40–60–80–100 classes for percentages; otherwise the quintiles of the values (fewer classes when
    values repeat), coloured with shades spread over the palette so that the darkest is always the largest."""
    if unit == "%":
        return MapClasses(PERCENT_CLASS_BOUNDS, MAP_CLASS_COLOURS, MAP_CLASS_TEXT)
    present = sorted(value for value in values if value is not None and not math.isnan(value))
    if not present:
        return MapClasses((0.0, 0.0), (MAP_CLASS_COLOURS[2],), (MAP_CLASS_TEXT[2],))
    bounds: list[float] = []
    for step in range(6):
        bound = _quantile(present, step / 5)
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    if len(bounds) == 1:  # every value the same
        return MapClasses((bounds[0], bounds[0]), (MAP_CLASS_COLOURS[2],), (MAP_CLASS_TEXT[2],))
    count = len(bounds) - 1
    picks = [round(index * (len(MAP_CLASS_COLOURS) - 1) / (count - 1)) if count > 1 else 4 for index in range(count)]
    return MapClasses(tuple(bounds), tuple(MAP_CLASS_COLOURS[pick] for pick in picks),
                      tuple(MAP_CLASS_TEXT[pick] for pick in picks))


def heat_colour(value: float | None) -> str:
    """The background of a heat-table cell for a percentage: five light steps (the map's 0–20–40–60–80–100
    classes) from light red (low) to light blue-green (high), light grey when there is no value. Every colour
    keeps #1a1a1a text at 11:1 contrast or more, so the cell's number stays readable and prints."""
    if value is None or math.isnan(value):
        return HEAT_NO_DATA_COLOUR
    position = bisect.bisect_right(PERCENT_CLASS_BOUNDS, value) - 1
    return HEAT_COLOURS[max(0, min(position, len(HEAT_COLOURS) - 1))]


def heat_class(value: float | None) -> str:
    """The CSS class of a heat-table cell (``heat-0``…``heat-4``, ``heat-none``): pages cannot carry inline
    styles under the Content-Security-Policy, so site.css holds ``HEAT_COLOURS`` under these names."""
    colour = heat_colour(value)
    return "heat-none" if colour == HEAT_NO_DATA_COLOUR else f"heat-{HEAT_COLOURS.index(colour)}"


@dataclass(frozen=True)
class RegionShapes:
    """kz_regions.json: path data (absolute M/L/Z) per ISO code, label points, the width a label may take there
    while staying inside its region, and for the three cities the point inside them where a leader line to their
    label starts."""

    width: float
    height: float
    paths: dict[str, str]
    labels: dict[str, tuple[float, float]]
    label_widths: dict[str, float]
    leaders: dict[str, tuple[float, float]]

    def name_room(self, code: str) -> float:
        """How wide a region's name may be written on the map: its label's room (cities' names go in boxes
        outside them, where 150 units is plenty)."""
        if code in self.leaders:
            return 150.0
        return max(min(self.label_widths.get(code, 150.0) * 0.95, 150.0), 40.0)


@lru_cache(maxsize=1)
def region_shapes() -> RegionShapes:
    """The region outlines, read once per process."""
    data = json.loads(REGION_DATA_PATH.read_text(encoding="utf-8"))
    _x, _y, width, height = (float(part) for part in data["viewBox"].split())
    return RegionShapes(
        width=width, height=height, paths=dict(data["regions"]),
        labels={code: (point[0], point[1]) for code, point in data["labels"].items()},
        label_widths={code: float(width) for code, width in data.get("label_widths", {}).items()},
        leaders={code: (point[0], point[1]) for code, point in data.get("leaders", {}).items()},
    )


def series_colours(count: int) -> tuple[str, ...]:
    if count in SERIES_COLOURS:
        return SERIES_COLOURS[count]
    darkest = SERIES_COLOURS[4]
    return tuple(darkest[index % len(darkest)] for index in range(count))


# Character widths in ems, rounded up from DejaVu Sans (what ``system-ui`` and ``sans-serif`` are on many Linux
# desktops, and wider than Segoe UI, Roboto, Arial or PT Sans), so that an estimate is never short of the real
# width: Cyrillic and Kazakh letters are mostly wider than Latin ones.
_NARROW_CHARS = frozenset(" \u00a0.,:;'|!ijlIJіІїЇ")
_SEMI_NARROW_CHARS = frozenset("frt()[]-/\"")
_WIDE_CHARS = frozenset("mwжшщюфыМWЖШЩЮ%—…")
_NARROW_EM, _SEMI_NARROW_EM, _WIDE_EM, _UPPER_EM, _DEFAULT_EM = 0.34, 0.46, 1.1, 0.8, 0.67
BOLD_FACTOR = 1.1


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of a text's width (no font metrics on the server): per character, rounded up from the
    widest likely font, so that a label laid out by it is never cut."""
    ems = 0.0
    for character in text:
        if character in _NARROW_CHARS:
            ems += _NARROW_EM
        elif character in _SEMI_NARROW_CHARS:
            ems += _SEMI_NARROW_EM
        elif character in _WIDE_CHARS:
            ems += _WIDE_EM
        elif character.isupper():
            ems += _UPPER_EM
        else:
            ems += _DEFAULT_EM
    return ems * size * (BOLD_FACTOR if bold else 1.0)


def fit_text(text: str, fits: Callable[[str], bool]) -> str:
    """``text``, cut with an ellipsis until ``fits`` it (charts measure by estimate, images with the font)."""
    if fits(text):
        return text
    for length in range(len(text) - 1, 0, -1):
        cut = text[:length].rstrip() + "\u2026"
        if fits(cut):
            return cut
    return text[:1] + "\u2026"


def wrap_text(text: str, fits: Callable[[str], bool], max_lines: int = 3) -> list[str]:
    """``text`` broken at spaces into lines that each ``fits``, at most ``max_lines`` of them: the last one, and a
    word too long for a line, cut with an ellipsis."""
    lines: list[str] = []
    words = text.split()
    while words:
        line = words.pop(0)
        while words and fits(f"{line} {words[0]}"):
            line = f"{line} {words.pop(0)}"
        if len(lines) == max_lines - 1 and words:
            line = " ".join([line, *words])
            words = []
        lines.append(fit_text(line, fits))
    return lines or [""]


def shorten(text: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` (by estimate)."""
    return fit_text(text, lambda candidate: text_width(candidate, size) <= width)


def wrap(text: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    """``text`` in at most ``max_lines`` lines that fit ``width`` (by estimate)."""
    return wrap_text(text, lambda candidate: text_width(candidate, size) <= width, max_lines)


@dataclass(frozen=True)
class PointLabel:
    """A value to write by a line's point: ``group`` is its category, ``x`` and ``y`` the point (y downwards),
    ``width`` the text's (estimated) width; all in the picture's units."""

    group: int
    x: float
    y: float
    text: str
    width: float


def _overlaps(first: tuple[float, float, float, float], second: tuple[float, float, float, float],
              gap: float) -> bool:
    return (first[0] < second[2] + gap and second[0] < first[2] + gap
            and first[1] < second[3] + gap and second[1] < first[3] + gap)


def _crosses(box: tuple[float, float, float, float], segment: tuple[tuple[float, float], tuple[float, float]]) -> bool:
    """Whether a line segment passes through a box (Liang–Barsky clipping)."""
    (x1, y1), (x2, y2) = segment
    low, high = 0.0, 1.0
    for step, distance in ((-(x2 - x1), x1 - box[0]), (x2 - x1, box[2] - x1),
                           (-(y2 - y1), y1 - box[1]), (y2 - y1, box[3] - y1)):
        if step == 0:
            if distance < 0:
                return False
            continue
        fraction = distance / step
        if step < 0:
            low = max(low, fraction)
        else:
            high = min(high, fraction)
        if low > high:
            return False
    return True


def place_point_labels(points: Sequence[PointLabel], *, height: float, offset: float,
                       area: tuple[float, float, float, float], markers: Sequence[tuple[float, float]] = (),
                       marker: float = 0.0, lines: Sequence[Sequence[tuple[float, float]]] = (),
                       gap: float = 1.5) -> list[tuple[float, float] | None]:
    """Where to write each point's value (the centre of its label, ``height`` high), or ``None`` to leave it out.

    At each category the highest point's label goes ``offset`` above it, the others' below their points, or,
    with no room there, beside them or above (stacked over the labels already written); a value equal to one
    already written at that category (the same text, the points closer than a label's height) is written only
    once. Labels stay inside ``area`` (left, top, right, bottom: moved sideways to fit, never clipped) and
    overlap neither each other nor any of the ``markers`` (the points drawn, ``marker`` their half size); they
    keep off the ``lines`` (polylines) where they can. A label with no place left is left out: the value is
    still in the chart's description, its tooltip and the page's table. Callers leave out the points that need
    no label (a 0 on the baseline)."""
    left, top, right, bottom = area
    obstacles = [(x - marker, y - marker, x + marker, y + marker) for x, y in markers]
    segments = [(line[position], line[position + 1]) for line in lines for position in range(len(line) - 1)]
    placed: list[tuple[float, float, float, float]] = []
    written: dict[int, list[tuple[str, float, float]]] = {}  # category: (text, point's y, label's y)
    result: list[tuple[float, float] | None] = [None] * len(points)

    def fits(box: tuple[float, float, float, float], strict: bool) -> bool:
        if box[0] < left or box[2] > right or box[1] < top or box[3] > bottom:
            return False
        if any(_overlaps(box, other, gap) for other in (*placed, *obstacles)):
            return False
        return not strict or not any(_crosses(box, segment) for segment in segments)

    for index in sorted(range(len(points)), key=lambda index: (points[index].group, points[index].y)):
        point = points[index]
        done = written.setdefault(point.group, [])
        if any(text == point.text and abs(point_y - point.y) < height for text, point_y, _y in done):
            continue
        half_width, half_height = point.width / 2, height / 2
        centred = min(max(point.x, left + half_width), right - half_width)
        beside = marker + gap + 2 + half_width
        above, below = (centred, point.y - offset), (centred, point.y + offset)
        sides = [(point.x - beside, point.y), (point.x + beside, point.y)]
        if done:
            stacked = [(centred, min(label_y for _text, _point_y, label_y in done) - height - gap),
                       (centred, max(label_y for _text, _point_y, label_y in done) + height + gap)]
            candidates = [below, above, *sides[::-1], *stacked]
        else:
            candidates = [above, below, *sides]
        for strict in (True, False):
            place = next((place for place in candidates if fits(
                (place[0] - half_width, place[1] - half_height, place[0] + half_width, place[1] + half_height),
                strict)), None)
            if place is not None:
                x, y = place
                placed.append((x - half_width, y - half_height, x + half_width, y + half_height))
                done.append((point.text, point.y, y))
                result[index] = place
                break
    return result


def spread(positions: Sequence[float], distance: float, low: float, high: float) -> list[float]:
    """``positions`` moved as little as it takes to be ``distance`` apart and between ``low`` and ``high`` (for
    labels in a column, e.g. the lines' end values), in their order."""
    order = sorted(range(len(positions)), key=lambda index: positions[index])
    moved = [0.0] * len(positions)
    previous = low - distance
    for index in order:
        moved[index] = max(positions[index], previous + distance)
        previous = moved[index]
    following = high + distance
    for index in reversed(order):
        moved[index] = min(moved[index], following - distance)
        following = moved[index]
    return moved


# --- SVG building -------------------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate: one decimal is finer than a pixel."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _check_id(chart_id: str) -> str:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id must be a plain identifier (letters, digits, - and _), got {chart_id!r}")
    return chart_id


def _summary(pairs: Sequence[tuple[str, str]]) -> str:
    """A description listing the data, for when the caller gives none."""
    return "; ".join(f"{label}: {value}" for label, value in pairs)


def _open(chart_id: str, kind: str, width: float, height: float, title: str, description: str,
          font_size: float, role: str = "img") -> list[str]:
    ident = escape(_check_id(chart_id))
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{ident}" class="chart chart-{kind}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="100%" role="{role}" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="inherit" font-size="{_n(font_size)}" '
        f'fill="{TEXT_COLOUR}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: float | None = None,
          weight: str | None = None, fill: str | None = None, extra: str = "") -> str:
    """A text element vertically centred on ``y`` (``dy`` rather than ``dominant-baseline``, which not every
    renderer honours)."""
    attributes = [f'x="{_n(x)}"', f'y="{_n(y)}"', 'dy="0.35em"']
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if size is not None:
        attributes.append(f'font-size="{_n(size)}"')
    if weight:
        attributes.append(f'font-weight="{weight}"')
    if fill:
        attributes.append(f'fill="{fill}"')
    if extra:
        attributes.append(extra)
    return f"<text {' '.join(attributes)}>{escape(content)}</text>"


def _legend(entries: Sequence[tuple[str, str]], *, x: float, y: float, width: float, size: float,
            swatch_width: float = 16) -> tuple[str, float]:
    """Legend entries (swatch markup, label) flowing left to right, wrapping at ``width``: the markup and the
    height used. The caller's swatch markup is drawn from (0, 0), centred on y = 6, ``swatch_width`` wide."""
    parts = ['<g class="legend">']
    cursor_x, cursor_y, row_height = x, y, size + 8
    for swatch, label in entries:
        entry_width = swatch_width + 6 + text_width(label, size) + 18
        if cursor_x > x and cursor_x + entry_width > x + width:
            cursor_x, cursor_y = x, cursor_y + row_height
        parts.append(f'<g transform="translate({_n(cursor_x)} {_n(cursor_y)})">{swatch}'
                     f"{_text(swatch_width + 6, 6, label, size=size)}</g>")
        cursor_x += entry_width
    parts.append("</g>")
    return "".join(parts), (cursor_y - y) + row_height if entries else 0.0


def _marker(shape: str, x: float, y: float, colour: str, size: float = 4.5) -> str:
    stroke = f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "square":
        return f'<rect x="{_n(x - size)}" y="{_n(y - size)}" width="{_n(2 * size)}" height="{_n(2 * size)}" {stroke}/>'
    if shape == "triangle":
        corners = ((x, y - size * 1.2), (x + size * 1.1, y + size * 0.9), (x - size * 1.1, y + size * 0.9))
        return f'<polygon points="{" ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in corners)}" {stroke}/>'
    if shape == "diamond":
        corners = ((x, y - size * 1.3), (x + size * 1.3, y), (x, y + size * 1.3), (x - size * 1.3, y))
        return f'<polygon points="{" ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in corners)}" {stroke}/>'
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}" {stroke}/>'


# --- horizontal bars ----------------------------------------------------------------------------------------

BAR_WIDTH = 640.0  # drawn 640 px wide, the text is 13 px; 10 px at 500 px
BAR_FONT = 13.0
BAR_LINE = 16.0  # the distance between the lines of a wrapped label
BAR_ROW = 26.0  # a row with a one-line label
BAR_THICKNESS = 16.0
BAR_MARGIN = 4.0  # left of the labels
BAR_GAP = 8.0  # between a label and the axis
BAR_LABEL_SHARE = 0.45  # of the width, at most, for the labels; longer ones are wrapped
BAR_LABEL_LINES = 3


def bar_chart(rows: Sequence[tuple[str, float | None]], *, id: str, title: str, description: str = "",
              unit: str = "", max_value: float | None = None) -> SafeString:
    """Horizontal bars, one per ``(label, value)`` row in the order given: the label on the left, the value
    written after the bar's end.

    The label column is as wide as the longest label (by a generous estimate of its width, so that no label is
    cut), up to 45 % of the chart; a longer label is wrapped on up to three lines (the row grows), and only
    what does not fit even then ends in an ellipsis (the full label is the row's tooltip). The scale runs from 0
    to ``max_value`` (100 suits percentages), by default the largest value; negative values draw no bar.
    ``None`` is written as an em dash. ``id`` must be unique on the page (it names the ``<title>`` and
    ``<desc>``)."""
    values = [value for _label, value in rows]
    texts = [format_value(value, unit) for value in values]
    description = description or _summary([(label, text) for (label, _value), text in zip(rows, texts, strict=True)])
    value_column = max((text_width(text, BAR_FONT) for text in texts), default=0.0) + 14
    longest_label = max((text_width(label, BAR_FONT) for label, _value in rows), default=0.0)
    label_room = min(max(longest_label, 40.0), BAR_WIDTH * BAR_LABEL_SHARE)
    label_lines = [wrap(label, BAR_FONT, label_room, BAR_LABEL_LINES) for label, _value in rows]
    plot_left = BAR_MARGIN + label_room + BAR_GAP
    plot_width = BAR_WIDTH - plot_left - value_column
    scale_max = max_value if max_value is not None else max((value for value in values if value is not None),
                                                            default=0.0)
    scale_max = scale_max if scale_max and scale_max > 0 else 1.0
    top = 6.0
    row_heights = [max(BAR_ROW, len(lines) * BAR_LINE + 10) for lines in label_lines]
    height = top + (sum(row_heights) if rows else BAR_ROW) + 6

    parts = _open(id, "bar", BAR_WIDTH, height, title, description, BAR_FONT)
    parts.append(f'<line x1="{_n(plot_left)}" y1="{_n(top)}" x2="{_n(plot_left)}" '
                 f'y2="{_n(height - 6)}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    row_top = top
    for (label, value), text, lines, row_height in zip(rows, texts, label_lines, row_heights, strict=True):
        centre = row_top + row_height / 2
        row_top += row_height
        length = 0.0 if value is None or value <= 0 else min(value / scale_max, 1.0) * plot_width
        parts.append(f'<g class="bar-row"><title>{escape(label)}: {escape(text)}</title>')
        for index, line in enumerate(lines):
            parts.append(_text(plot_left - BAR_GAP, centre + (index - (len(lines) - 1) / 2) * BAR_LINE, line,
                               anchor="end", extra='class="label"'))
        if length > 0:
            parts.append(f'<rect class="bar" x="{_n(plot_left)}" y="{_n(centre - BAR_THICKNESS / 2)}" '
                         f'width="{_n(max(length, 1.0))}" height="{_n(BAR_THICKNESS)}" fill="{BAR_COLOUR}"/>')
        parts.append(_text(plot_left + length + 5, centre, text, extra='class="value"'))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every caller text above went through escape()


# --- axes shared by the vertical charts ---------------------------------------------------------------------

PLOT_WIDTH = 640.0  # drawn 640 px wide, the text is 12–13 px; 10 px at 540 px
PLOT_HEIGHT = 320.0
PLOT_FONT = 13.0
VALUE_FONT = 12.0  # the values written at bars and points


@dataclass
class _Frame:
    left: float
    top: float
    right: float
    bottom: float
    ticks: list[float]

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)


def _category_labels(categories: Sequence[str], slot: float) -> tuple[bool, float]:
    """Whether the category labels must be slanted to fit their slots, and the height they need."""
    longest = max((text_width(category, PLOT_FONT) for category in categories), default=0.0)
    if longest <= slot - 4:
        return False, PLOT_FONT + 10
    return True, min(longest, 140.0) * 0.6 + PLOT_FONT + 6


def _axes(frame: _Frame, unit: str, categories: Sequence[str], slot: float, slanted: bool) -> list[str]:
    parts = [f'<g class="grid" stroke="{GRID_COLOUR}" stroke-width="1">']
    parts.extend(f'<line x1="{_n(frame.left)}" y1="{_n(frame.y(tick))}" x2="{_n(frame.right)}" '
                 f'y2="{_n(frame.y(tick))}"/>' for tick in frame.ticks[1:])
    parts.append("</g>")
    parts.append(f'<line x1="{_n(frame.left)}" y1="{_n(frame.y(frame.ticks[0]))}" x2="{_n(frame.right)}" '
                 f'y2="{_n(frame.y(frame.ticks[0]))}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    parts.append(f'<g class="y-ticks" fill="{MUTED_TEXT_COLOUR}">')
    parts.extend(_text(frame.left - 6, frame.y(tick), format_tick(tick, unit), anchor="end") for tick in frame.ticks)
    parts.append("</g>")
    parts.append('<g class="categories">')
    for index, category in enumerate(categories):
        x = frame.left + (index + 0.5) * slot
        if slanted:
            y = frame.bottom + 10
            parts.append(_text(x, y, shorten(category, PLOT_FONT, 140), anchor="end",
                               extra=f'transform="rotate(-35 {_n(x)} {_n(y)})"'))
        else:
            parts.append(_text(x, frame.bottom + 12, category, anchor="middle"))
    parts.append("</g>")
    return parts


def _tick_label_width(ticks: Sequence[float], unit: str) -> float:
    return max(text_width(format_tick(tick, unit), PLOT_FONT) for tick in ticks) + 10


# --- grouped vertical bars ----------------------------------------------------------------------------------


def grouped_bar_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, id: str,
                      title: str, description: str = "", unit: str = "") -> SafeString:
    """Vertical bars grouped by category (e.g. months), one bar per series (e.g. planned, held) in shades of
    blue from light to dark, with a legend of the series above the plot and a y axis of four or five round
    ticks. Each bar's value is written above it, horizontally when it fits the bar's width, else turned upright;
    with too many bars for either (thinner than the text's height) the values are left to the description.
    Each series has one value per category (``None``: no bar)."""
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
    colours = series_colours(len(series))
    numbers = [value for _name, values in series for value in values if value is not None]
    ticks = value_ticks(numbers)
    description = description or _summary(
        [(f"{category}, {name}", format_value(values[index], unit))
         for index, category in enumerate(categories) for name, values in series])

    legend_entries = [(f'<rect width="16" height="12" fill="{colour}" stroke="{AXIS_COLOUR}" stroke-width="0.5"/>', name)
                      for (name, _values), colour in zip(series, colours, strict=True)]
    legend, legend_height = _legend(legend_entries, x=8, y=4, width=PLOT_WIDTH - 16, size=PLOT_FONT)
    left = _tick_label_width(ticks, unit)
    right = PLOT_WIDTH - 8
    slot = (right - left) / max(len(categories), 1)
    bar_width = slot * 0.8 / max(len(series), 1)
    value_size = VALUE_FONT
    longest_value = max((text_width(format_value(value, unit), value_size) for value in numbers), default=0.0)
    if longest_value <= bar_width + 2:
        value_mode, value_room = "level", value_size + 4
    elif bar_width >= value_size + 1:
        value_mode, value_room = "upright", longest_value + 6
    else:
        value_mode, value_room = "none", 4.0
    slanted, category_height = _category_labels(categories, slot)
    top = 4 + legend_height + 6 + value_room
    height = max(PLOT_HEIGHT, top + 160 + category_height)
    frame = _Frame(left, top, right, height - category_height, ticks)

    parts = _open(id, "grouped-bar", PLOT_WIDTH, height, title, description, PLOT_FONT)
    parts.append(legend)
    parts.extend(_axes(frame, unit, categories, slot, slanted))
    zero = frame.y(max(ticks[0], 0.0))
    for series_index, ((name, values), colour) in enumerate(zip(series, colours, strict=True)):
        parts.append(f'<g class="series series-{series_index}">')
        for index, value in enumerate(values):
            if value is None:
                continue
            x = frame.left + index * slot + slot * 0.1 + series_index * bar_width
            y_value = frame.y(value)
            y_top, y_bottom = min(y_value, zero), max(y_value, zero)
            text = format_value(value, unit)
            parts.append(f'<rect class="bar" x="{_n(x)}" y="{_n(y_top)}" width="{_n(bar_width)}" '
                         f'height="{_n(max(y_bottom - y_top, 0.0))}" fill="{colour}" stroke="{AXIS_COLOUR}" '
                         f'stroke-width="0.5"><title>{escape(categories[index])}, {escape(name)}: {escape(text)}</title>'
                         "</rect>")
            centre = x + bar_width / 2
            if value_mode == "level":
                parts.append(_text(centre, y_top - 8, text, anchor="middle", size=value_size,
                                   extra='class="value"'))
            elif value_mode == "upright":
                parts.append(_text(centre, y_top - 4, text, size=value_size, extra=(
                    f'class="value" transform="rotate(-90 {_n(centre)} {_n(y_top - 4)})"')))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every caller text above went through escape()


# --- lines --------------------------------------------------------------------------------------------------


def line_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, id: str,
               title: str, description: str = "", unit: str = "") -> SafeString:
    """Lines over evenly spaced categories (e.g. months), one per series, with point markers, a legend above and
    a y axis of four or five round ticks (from 0, or below when values are negative; whole numbers for counts).
    Series differ by shade, dash and marker shape, so they stay apart in grey. A ``None`` value breaks the line.

    Values are written at the points when there are at most 12 categories and 2 series, placed by
    ``place_point_labels``: the higher point's above it, the other's below (or above the first when there is no
    room below), an equal value only once, nothing over another label or a marker or outside the plot, and no
    0 on the baseline (a line along the axis says it). With more, only each series' last value is written, at
    the line's end (once for equal values, moved apart when close)."""
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
    count = len(series)
    colours = series_colours(count)
    # Lines need more contrast with the white background than bars: the lightest shade is dropped.
    if count >= 2:
        colours = tuple(series_colours(count + 1)[1:])
    numbers = [value for _name, values in series for value in values if value is not None]
    ticks = value_ticks(numbers)
    description = description or _summary(
        [(f"{category}, {name}", format_value(values[index], unit))
         for index, category in enumerate(categories) for name, values in series])

    legend_entries = []
    for index, ((name, _values), colour) in enumerate(zip(series, colours, strict=True)):
        dash = LINE_DASHES[index % len(LINE_DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        swatch = (f'<line x1="0" y1="6" x2="16" y2="6" stroke="{colour}" stroke-width="2"{dash_attribute}/>'
                  + _marker(MARKER_SHAPES[index % len(MARKER_SHAPES)], 8, 6, colour, 3.5))
        legend_entries.append((swatch, name))
    legend, legend_height = _legend(legend_entries, x=8, y=4, width=PLOT_WIDTH - 16, size=PLOT_FONT)
    left = _tick_label_width(ticks, unit)
    all_values = len(categories) <= 12 and count <= 2
    lasts = [next((index for index in range(len(values) - 1, -1, -1) if values[index] is not None), None)
             for _name, values in series]
    last_texts = [format_value(values[last], unit) for (_name, values), last in zip(series, lasts, strict=True)
                  if last is not None]
    end_room = max((text_width(text, VALUE_FONT) for text in last_texts), default=0.0) + 12
    right = PLOT_WIDTH - 8 - (0 if all_values else end_room)
    slot = (right - left) / max(len(categories), 1)
    slanted, category_height = _category_labels(categories, slot)
    top = 4 + legend_height + 22
    height = max(PLOT_HEIGHT, top + 160 + category_height)
    frame = _Frame(left, top, right, height - category_height - 6, ticks)
    label_area = (frame.left + 1, frame.top - 21, PLOT_WIDTH - 2, frame.bottom - 1)

    parts = _open(id, "line", PLOT_WIDTH, height, title, description, PLOT_FONT)
    parts.append(legend)
    parts.extend(_axes(frame, unit, categories, slot, slanted))

    def x_of(index: int) -> float:
        return frame.left + (index + 0.5) * slot

    points: list[PointLabel] = []
    owners: list[int] = []
    markers: list[tuple[float, float]] = []
    for series_index, (_name, values) in enumerate(series):
        for index, value in enumerate(values):
            if value is None:
                continue
            markers.append((x_of(index), frame.y(value)))
            if value == 0 and ticks[0] == 0:  # on the baseline: the line along the axis says it
                continue
            text = format_value(value, unit)
            points.append(PointLabel(index, x_of(index), frame.y(value), text, text_width(text, VALUE_FONT)))
            owners.append(series_index)
    labels: dict[int, list[tuple[float, float, str]]] = {}
    if all_values:
        polylines: list[list[tuple[float, float]]] = []
        for _name, values in series:
            polylines.append([])
            for index, value in enumerate(values):
                if value is None:
                    polylines.append([])  # a break in the line
                else:
                    polylines[-1].append((x_of(index), frame.y(value)))
        places = place_point_labels(points, height=VALUE_FONT, offset=VALUE_FONT + 2, area=label_area,
                                    markers=markers, marker=5.5, lines=polylines)
        for point, owner, place in zip(points, owners, places, strict=True):
            if place is not None:
                labels.setdefault(owner, []).append((place[0], place[1], point.text))
    else:
        ends = [(series_index, x_of(last) + 9, frame.y(series[series_index][1][last]),
                 format_value(series[series_index][1][last], unit))
                for series_index, last in enumerate(lasts) if last is not None]
        kept = [end for position, end in enumerate(ends)
                if not any(other[3] == end[3] and abs(other[2] - end[2]) < VALUE_FONT for other in ends[:position])]
        ys = spread([end[2] for end in kept], VALUE_FONT + 1, label_area[1] + VALUE_FONT / 2,
                    label_area[3] - VALUE_FONT / 2)
        for (series_index, x, _y, text), y in zip(kept, ys, strict=True):
            labels.setdefault(series_index, []).append((x, y, text))

    for series_index, ((name, values), colour) in enumerate(zip(series, colours, strict=True)):
        dash = LINE_DASHES[series_index % len(LINE_DASHES)]
        commands, pen_down = [], False
        for index, value in enumerate(values):
            if value is None:
                pen_down = False
                continue
            commands.append(f"{'L' if pen_down else 'M'}{_n(x_of(index))} {_n(frame.y(value))}")
            pen_down = True
        parts.append(f'<g class="series series-{series_index}">')
        if commands:
            dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<path d="{"".join(commands)}" fill="none" stroke="{colour}" stroke-width="2.5" '
                         f'stroke-linejoin="round"{dash_attribute}/>')
        shape = MARKER_SHAPES[series_index % len(MARKER_SHAPES)]
        for index, value in enumerate(values):
            if value is None:
                continue
            text = format_value(value, unit)
            parts.append(f'<g class="point"><title>{escape(categories[index])}, {escape(name)}: {escape(text)}</title>'
                         f"{_marker(shape, x_of(index), frame.y(value), colour)}</g>")
        for x, y, text in labels.get(series_index, []):
            parts.append(_text(x, y, text, anchor="middle" if all_values else "start", size=VALUE_FONT,
                               extra='class="value"'))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every caller text above went through escape()


# --- the region map -----------------------------------------------------------------------------------------

# The map is 1000 units wide (its outlines fix that): drawn 600 px wide, its values, legend and credit line are
# still 10 px or more. The values cannot grow much: some regions have little more room than "100.0 %".
MAP_FONT = 18.0  # the legend
MAP_VALUE_FONT = 17.0
MAP_NAME_FONT = 13.0
MAP_CREDIT_FONT = 17.0


def region_map(values: dict[str, float | None], *, id: str, title: str, description: str = "", unit: str = "%",
               labels: dict[str, str] | None = None, legend_title: str = "", no_data_label: str = "",
               credit: str = DEFAULT_CREDIT, links: dict[str, str] | None = None,
               show_names: bool = False) -> SafeString:
    """A choropleth of the 20 regions (kz_regions.json): each region filled by its value's class and its value
    written on it (the cities' in a box beside them, joined by a leader line), with a legend below and the
    boundaries' credit line, which their licence requires.

    ``values`` is keyed by ISO 3166-2 code (``Region.iso_code``); a region missing or ``None`` is grey and
    written as an em dash. Classes: 0–20–40–60–80–100 for ``unit="%"``, otherwise the quintiles of the values.
    ``labels`` gives the regions' (translated) names for the tooltips, the description and, with ``show_names``,
    the map itself; the default is the code. ``legend_title`` heads the legend; ``no_data_label`` names the grey
    swatch (omitted from the legend if empty or if every region has a value).

    ``links``, keyed by code, makes those regions links (``<a href>``, reachable with Tab, named by
    ``aria-label``): a drill-down. The SVG is then a ``role="group"`` rather than an image, because assistive
    technology does not expose links inside an image. Each path carries ``data-region="KZ-…"`` and the class
    ``region``; the page's stylesheet may mark a focused link (``.chart-map a:focus-visible .region``)."""
    shapes = region_shapes()
    labels = labels or {}
    links = links or {}
    codes = sorted(shapes.paths)
    region_values = {code: values.get(code) for code in codes}
    classes = map_classes(list(region_values.values()), unit)
    texts = {code: format_value(value, unit) for code, value in region_values.items()}
    names = {code: labels.get(code) or code for code in codes}
    description = description or _summary([(names[code], texts[code]) for code in
                                           sorted(codes, key=lambda code: names[code])])

    legend_top = shapes.height + 10
    legend_title_height = MAP_FONT + 8 if legend_title else 0.0
    swatch_entries = [(f'<rect width="20" height="14" y="-1" fill="{colour}" stroke="{MAP_OUTLINE_COLOUR}" '
                       'stroke-width="0.7"/>', label)
                      for colour, label in zip(classes.colours, classes.legend_labels(unit), strict=True)]
    if no_data_label and any(value is None for value in region_values.values()):
        swatch_entries.append((f'<rect width="20" height="14" y="-1" fill="{NO_DATA_COLOUR}" '
                               f'stroke="{MAP_OUTLINE_COLOUR}" stroke-width="0.7"/>', no_data_label))
    legend, legend_height = _legend(swatch_entries, x=10, y=legend_top + legend_title_height,
                                    width=shapes.width - 20, size=MAP_FONT, swatch_width=20)
    credit_y = legend_top + legend_title_height + legend_height + 8
    height = credit_y + MAP_CREDIT_FONT / 2 + 6

    parts = _open(id, "map", shapes.width, height, title, description, MAP_FONT,
                  role="group" if links else "img")
    # Cities last: they lie in holes of their regions, and their boxes must cover the regions around them.
    order = sorted(codes, key=lambda code: (code in shapes.leaders, code))
    parts.append(f'<g class="regions" stroke="{MAP_OUTLINE_COLOUR}" stroke-width="0.8" stroke-linejoin="round">')
    for code in order:
        name_and_value = f"{names[code]}: {texts[code]}"
        path = (f'<path class="region" data-region="{escape(code)}" d="{shapes.paths[code]}" '
                f'fill="{classes.colour_of(region_values[code])}" fill-rule="evenodd">'
                f"<title>{escape(name_and_value)}</title></path>")
        if code in links:
            parts.append(f'<a href="{escape(links[code])}" aria-label="{escape(name_and_value)}">{path}</a>')
        else:
            parts.append(path)
    parts.append("</g>")

    # Labels above every region, and transparent to the pointer so that a click on a number reaches the region.
    parts.append('<g class="region-labels" pointer-events="none" aria-hidden="true">')
    for code in order:
        x, y = shapes.labels[code]
        value_text = texts[code]
        name_text = shorten(names[code], MAP_NAME_FONT, shapes.name_room(code)) if show_names else ""
        # Keep the text inside the picture (East Kazakhstan's label is near the right edge).
        half_width = max(text_width(value_text, MAP_VALUE_FONT), text_width(name_text, MAP_NAME_FONT)) / 2 + 8
        x = min(max(x, half_width), shapes.width - half_width)
        if code in shapes.leaders:
            anchor_x, anchor_y = shapes.leaders[code]
            box_width = max(text_width(value_text, MAP_VALUE_FONT), text_width(name_text, MAP_NAME_FONT)) + 12
            box_height = MAP_VALUE_FONT + 8 + (MAP_NAME_FONT + 2 if name_text else 0)
            parts.append(f'<line x1="{_n(anchor_x)}" y1="{_n(anchor_y)}" x2="{_n(x)}" y2="{_n(y)}" '
                         f'stroke="{TEXT_COLOUR}" stroke-width="1"/>'
                         f'<circle cx="{_n(anchor_x)}" cy="{_n(anchor_y)}" r="2" fill="{TEXT_COLOUR}"/>'
                         f'<rect x="{_n(x - box_width / 2)}" y="{_n(y - box_height / 2)}" width="{_n(box_width)}" '
                         f'height="{_n(box_height)}" rx="3" fill="#ffffff" stroke="{TEXT_COLOUR}" stroke-width="0.8"/>')
            text_colour = TEXT_COLOUR
        else:
            text_colour = classes.text_colour_of(region_values[code])
        if name_text:
            parts.append(_text(x, y - MAP_NAME_FONT / 2 - 1, name_text, anchor="middle", size=MAP_NAME_FONT,
                               fill=text_colour))
            y += MAP_VALUE_FONT / 2
        parts.append(_text(x, y, value_text, anchor="middle", size=MAP_VALUE_FONT, weight="bold", fill=text_colour,
                           extra='class="value"'))
    parts.append("</g>")

    if legend_title:
        parts.append(_text(10, legend_top + MAP_FONT / 2, legend_title, weight="bold"))
    parts.append(legend)
    parts.append(_text(shapes.width - 10, credit_y, credit, anchor="end", size=MAP_CREDIT_FONT,
                       fill=MUTED_TEXT_COLOUR, extra='class="credit"'))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every caller text above went through escape()
