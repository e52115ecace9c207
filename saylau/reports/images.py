"""The report charts as PNG images for the DOCX and PDF exports, drawn with matplotlib (Agg, no display).

The same charts as ``charts.py`` draws in SVG for the pages, with the same helpers, so an export shows the same
numbers, classes and colours as the page: bars, grouped bars, lines and the region map, each returned as PNG bytes
at 200 dpi, 16 cm wide (about 8 cm high; a bar chart grows with its rows, the map is as high as its shape needs).
Printable in black and white: every bar and region has its number written, series differ in lightness and lines
also by dash and marker shape.

Text is set in ParaType's PT Sans (it has every Kazakh letter), from the directory the certificates use
(``settings.CERTIFICATE_FONTS_DIR``, Debian's ``fonts-paratype``). Each figure is a ``Figure`` of its own with
its own Agg canvas, never pyplot's global state, so images can be drawn from several threads at once; the fonts
are set per text rather than in the global ``rcParams``. Unlike the SVG, the image draws its ``title`` (there is
no page heading around it); pass ``title=""`` when the document gives the figure a caption of its own.
"""

from __future__ import annotations

import io
import logging
import math
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402 - after choosing the backend
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as GeometryPath  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402

from .charts import (  # noqa: E402
    AXIS_COLOUR,
    BAR_COLOUR,
    DEFAULT_CREDIT,
    GRID_COLOUR,
    LINE_DASHES,
    MAP_OUTLINE_COLOUR,
    MUTED_TEXT_COLOUR,
    NO_DATA_COLOUR,
    TEXT_COLOUR,
    PointLabel,
    fit_text,
    format_tick,
    format_value,
    map_classes,
    place_point_labels,
    region_shapes,
    series_colours,
    shorten,
    spread,
    value_ticks,
    wrap_text,
)

logger = logging.getLogger(__name__)

DPI = 200
CM = 1 / 2.54
WIDTH_CM = 16.0
HEIGHT_CM = 8.0
FONT_SIZE = 8.0  # points: the exports' body text is 11–12 pt, a figure's text a little smaller
SMALL_FONT_SIZE = 7.0
TITLE_FONT_SIZE = 9.5
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/paratype"
SANS_FILES = ("PTS55F.ttf", "PTS75F.ttf")  # PT Sans regular and bold
# matplotlib's dash patterns matching charts.LINE_DASHES, and marker shapes matching charts.MARKER_SHAPES.
LINE_STYLES = ("-", (0, (3.5, 2)), (0, (1, 1.5)), (0, (4.5, 1.5, 1, 1.5)))
MARKERS = ("o", "s", "^", "D")
assert len(LINE_STYLES) == len(LINE_DASHES)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_font_lock = threading.Lock()


@lru_cache(maxsize=1)
def font_family() -> str:
    """The family name of PT Sans, registered with matplotlib's font manager on first use (once per process).

    Falls back on any other PT face in the directory, then on matplotlib's DejaVu Sans (which also has the
    Kazakh letters), with a warning."""
    from django.conf import settings

    directory = Path(getattr(settings, "CERTIFICATE_FONTS_DIR", DEFAULT_FONT_DIR))
    candidates = [directory / name for name in SANS_FILES if (directory / name).exists()]
    if not candidates:
        candidates = sorted(directory.glob("PT*55F.ttf"))[:1]
    if not candidates:
        logger.warning("No ParaType font in %s (install fonts-paratype): charts use DejaVu Sans", directory)
        return "DejaVu Sans"
    with _font_lock:
        for path in candidates:
            font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(candidates[0])).get_name()


def _figure(height_cm: float) -> Figure:
    figure = Figure(figsize=(WIDTH_CM * CM, height_cm * CM), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    """The figure as an RGB PNG that says it is 200 dpi (so that a document inserting it without a size shows it
    16 cm wide). Encoded here rather than by ``savefig``: without the alpha channel and at zlib level 3 rather
    than 6 the file is a few per cent smaller and encodes in about half the time (some 20 ms)."""
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[:, :, :3]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=3, dpi=(DPI, DPI))
    return buffer.getvalue()


def _font(size: float = FONT_SIZE, bold: bool = False) -> dict:
    return {"family": font_family(), "size": size, "weight": "bold" if bold else "normal"}


def _title(figure: Figure, title: str, top_inches: float = 0.08) -> float:
    """Draws the title at the top left; returns the figure fraction below it."""
    if not title:
        return 1.0
    height = figure.get_figheight()
    figure.text(0.012, 1 - top_inches / height, title, ha="left", va="top", color=TEXT_COLOUR,
                fontdict=_font(TITLE_FONT_SIZE, bold=True))
    return 1 - (top_inches + TITLE_FONT_SIZE / 72 * 1.6) / height


def _text_inches(text: str, size: float) -> float:
    """An estimate of a text's width in inches, for layout that need not be exact (margins)."""
    return len(text) * size * 0.52 / 72


@lru_cache(maxsize=1024)
def _fit(text: str, size: float, width_inches: float) -> str:
    """``text``, cut with an ellipsis if it is wider than ``width_inches`` (cached: the same names come back)."""
    return fit_text(text, lambda candidate: measure(candidate, size) <= width_inches)


def _wrap(text: str, size: float, width_inches: float, max_lines: int = 3) -> list[str]:
    """``text`` in at most ``max_lines`` lines no wider than ``width_inches`` (measured with the font)."""
    return wrap_text(text, lambda candidate: measure(candidate, size) <= width_inches, max_lines)


@lru_cache(maxsize=4096)
def measure(text: str, size: float, bold: bool = False) -> float:
    """A text's width in inches in the chart font, from the font's metrics (no drawing; cached)."""
    if not text:
        return 0.0
    properties = font_manager.FontProperties(family=font_family(), size=size, weight="bold" if bold else "normal")
    width, _height, _descent = TextToPath().get_text_width_height_descent(text, properties, ismath=False)
    return width / 72


def _style_axes(axes, *, left_spine: bool = False) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_visible(left_spine)
    axes.spines["left"].set_color(AXIS_COLOUR)
    axes.spines["bottom"].set_color(AXIS_COLOUR)
    axes.tick_params(colors=MUTED_TEXT_COLOUR, labelcolor=TEXT_COLOUR, labelsize=FONT_SIZE,
                     labelfontfamily=font_family(), length=0)


# --- horizontal bars ----------------------------------------------------------------------------------------


def bar_chart_png(rows: Sequence[tuple[str, float | None]], *, title: str, description: str = "", unit: str = "",
                  max_value: float | None = None) -> bytes:
    """``charts.bar_chart`` as PNG: horizontal bars in the order given, labels on the left (as wide as the longest,
    up to 42 % of the width; a longer one wrapped on up to three lines), each value written after its bar. 16 cm
    wide; 8 cm high, or more for over 12 rows (0.55 cm a row, more for wrapped labels). ``description`` is not
    drawn (it is the image's alternative text, for the caller to set in the document)."""
    count = max(len(rows), 1)
    width_inches = WIDTH_CM * CM
    label_room = min(max((measure(label, FONT_SIZE) for label, _value in rows), default=0.3), width_inches * 0.42)
    wrapped = [_wrap(label, FONT_SIZE, label_room) for label, _value in rows]
    lines = max((len(label_lines) for label_lines in wrapped), default=1)
    row_cm = 0.55 + 0.32 * (lines - 1)
    height_cm = max(HEIGHT_CM, 1.6 + row_cm * count + (0.7 if title else 0))
    figure = _figure(height_cm)
    plot_top = _title(figure, title)
    labels = ["\n".join(label_lines) for label_lines in wrapped]
    values = [value for _label, value in rows]
    texts = [format_value(value, unit) for value in values]
    label_inches = label_room + 0.16
    value_inches = max((measure(text, FONT_SIZE) for text in texts), default=0.2) + 0.12
    left = label_inches / width_inches
    right = 1 - value_inches / width_inches - 0.01
    axes = figure.add_axes((left, 0.03, right - left, plot_top - 0.05))
    scale_max = max_value if max_value is not None else max((v for v in values if v is not None), default=0.0)
    scale_max = scale_max if scale_max and scale_max > 0 else 1.0
    lengths = [0.0 if value is None or value <= 0 else min(value, scale_max) for value in values]
    positions = list(range(len(rows)))
    axes.barh(positions, lengths, height=0.62, color=BAR_COLOUR)
    for position, length, text in zip(positions, lengths, texts, strict=True):
        axes.annotate(text, (length, position), xytext=(3, 0), textcoords="offset points", va="center",
                      ha="left", color=TEXT_COLOUR, fontsize=FONT_SIZE, fontfamily=font_family(),
                      annotation_clip=False)
    axes.set_xlim(0, scale_max)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
    axes.set_yticks(positions, labels)
    axes.set_xticks([])
    _style_axes(axes, left_spine=True)
    axes.spines["bottom"].set_visible(False)
    return _png(figure)


# --- vertical charts ----------------------------------------------------------------------------------------


def _value_axes(figure: Figure, plot_top: float, legend_rows: int, ticks: Sequence[float], unit: str,
                categories: Sequence[str]):
    """Axes with a y axis of the given ticks and room for the legend above and the categories below."""
    width_inches, height_inches = figure.get_figwidth(), figure.get_figheight()
    tick_inches = max(_text_inches(format_tick(tick, unit), FONT_SIZE) for tick in ticks) + 0.1
    slot_inches = (width_inches - tick_inches - 0.1) / max(len(categories), 1)
    slanted = max((_text_inches(category, FONT_SIZE) for category in categories), default=0) > slot_inches * 0.95
    bottom_inches = 0.3 if not slanted else min(max(_text_inches(c, FONT_SIZE) for c in categories), 1.2) * 0.6 + 0.2
    legend_inches = legend_rows * FONT_SIZE / 72 * 1.8 + 0.08
    axes = figure.add_axes((tick_inches / width_inches, bottom_inches / height_inches,
                            1 - (tick_inches + 0.1) / width_inches,
                            plot_top - (bottom_inches + legend_inches + 0.12) / height_inches))
    axes.set_ylim(ticks[0], ticks[-1])
    axes.set_yticks(list(ticks), [format_tick(tick, unit) for tick in ticks])
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_xlim(-0.5, len(categories) - 0.5)
    axes.set_xticks(range(len(categories)), [shorten(c, FONT_SIZE, 140) for c in categories],
                    rotation=35 if slanted else 0, ha="right" if slanted else "center",
                    rotation_mode="anchor" if slanted else "default")
    _style_axes(axes)
    axes.tick_params(axis="y", labelcolor=MUTED_TEXT_COLOUR)
    axes.tick_params(axis="x", pad=3)
    return axes


def _legend(figure: Figure, handles, labels: Sequence[str], plot_top: float) -> None:
    if not labels:
        return
    figure.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.01, plot_top), ncols=min(len(labels), 4),
                  frameon=False, prop=font_manager.FontProperties(family=font_family(), size=FONT_SIZE),
                  handlelength=2.2, columnspacing=1.6, borderaxespad=0.2)


def _check_lengths(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> None:
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")


def _series_figure(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str,
                   unit: str):
    """The figure, value axes and ticks the grouped-bar and line charts share."""
    _check_lengths(categories, series)
    figure = _figure(HEIGHT_CM)
    plot_top = _title(figure, title)
    numbers = [value for _name, values in series for value in values if value is not None]
    ticks = value_ticks(numbers)
    return figure, _value_axes(figure, plot_top, 1, ticks, unit, categories), plot_top, numbers, ticks


def grouped_bar_chart_png(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
                          title: str, description: str = "", unit: str = "") -> bytes:
    """``charts.grouped_bar_chart`` as PNG, 16 × 8 cm: bars grouped by category, one per series in light to dark
    blue, legend above, values written above the bars (turned upright when the bars are narrower than the text,
    left out when narrower than its height)."""
    figure, axes, plot_top, numbers, ticks = _series_figure(categories, series, title, unit)
    colours = series_colours(len(series))
    bar_width = 0.8 / max(len(series), 1)
    slot_inches = axes.get_position().width * figure.get_figwidth() / max(len(categories), 1)
    bar_inches = slot_inches * bar_width
    longest = max((_text_inches(format_value(value, unit), SMALL_FONT_SIZE) for value in numbers), default=0)
    if longest <= bar_inches * 1.05:
        rotation = 0
    elif bar_inches >= SMALL_FONT_SIZE / 72 * 1.1:
        rotation = 90
    else:
        rotation = None
    if rotation == 90:  # room above the tallest bar for its upright value
        room = (longest + 0.05) / (axes.get_position().height * figure.get_figheight())
        axes.set_ylim(ticks[0], ticks[-1] + (ticks[-1] - ticks[0]) * room)
    handles = []
    for index, ((_name, values), colour) in enumerate(zip(series, colours, strict=True)):
        offsets = [position - 0.4 + bar_width * (index + 0.5) for position in range(len(categories))]
        heights = [math.nan if value is None else value for value in values]
        container = axes.bar(offsets, heights, width=bar_width, color=colour, edgecolor=AXIS_COLOUR, linewidth=0.3)
        handles.append(container)
        if rotation is not None:
            axes.bar_label(container, labels=["" if value is None else format_value(value, unit) for value in values],
                           padding=2, rotation=rotation, fontsize=SMALL_FONT_SIZE, fontfamily=font_family(),
                           color=TEXT_COLOUR)
    _legend(figure, handles, [name for name, _values in series], plot_top)
    return _png(figure)


def line_chart_png(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str,
                   description: str = "", unit: str = "") -> bytes:
    """``charts.line_chart`` as PNG, 16 × 8 cm: a line per series, differing by shade, dash and marker shape;
    ``None`` breaks a line; values written at the points for up to 12 categories and 2 series (placed as on the
    page: no 0 on the baseline, an equal value once, no label over another, a marker or outside the plot),
    else each series' last value at the line's end."""
    figure, axes, plot_top, numbers, ticks = _series_figure(categories, series, title, unit)
    count = len(series)
    colours = tuple(series_colours(count + 1)[1:]) if count >= 2 else series_colours(count)
    all_values = len(categories) <= 12 and count <= 2
    handles = []
    positions = list(range(len(categories)))
    for index, ((_name, values), colour) in enumerate(zip(series, colours, strict=True)):
        heights = [math.nan if value is None else value for value in values]
        (line,) = axes.plot(positions, heights, color=colour, linewidth=1.6,
                            linestyle=LINE_STYLES[index % len(LINE_STYLES)], marker=MARKERS[index % len(MARKERS)],
                            markersize=4.5, markeredgecolor="white", markeredgewidth=0.6)
        handles.append(line)
    lasts = [next((position for position in range(len(values) - 1, -1, -1) if values[position] is not None), None)
             for _name, values in series]
    if not all_values:  # room on the right for the end values
        longest = max((measure(format_value(values[last], unit), SMALL_FONT_SIZE)
                       for (_name, values), last in zip(series, lasts, strict=True) if last is not None), default=0)
        position = axes.get_position()
        axes.set_position((position.x0, position.y0, position.width - (longest + 0.1) / figure.get_figwidth(),
                           position.height))
    _value_labels(figure, axes, series, lasts, ticks, unit, all_values)
    _legend(figure, handles, [name for name, _values in series], plot_top)
    return _png(figure)


def _value_labels(figure: Figure, axes, series: Sequence[tuple[str, Sequence[float | None]]],
                  lasts: Sequence[int | None], ticks: Sequence[float], unit: str, all_values: bool) -> None:
    """The line chart's values, placed as the SVG's are (``charts.place_point_labels``, in points from the
    figure's top left): at every point but a 0 on the baseline, or only at the lines' ends."""
    width, height = figure.get_figwidth() * 72, figure.get_figheight() * 72
    box = axes.get_position()
    count = max(len(series[0][1]), 1) if series else 1

    def x_of(position: int) -> float:
        return (box.x0 + box.width * (position + 0.5) / count) * width

    def y_of(value: float) -> float:
        return (1 - box.y0 - box.height * (value - ticks[0]) / (ticks[-1] - ticks[0])) * height

    font = {"fontsize": SMALL_FONT_SIZE, "fontfamily": font_family(), "color": TEXT_COLOUR}
    label_height = SMALL_FONT_SIZE
    area = (box.x0 * width + 1, (1 - box.y1) * height - 10, width - 2, (1 - box.y0) * height - 1)
    if not all_values:
        ends = [(position, last, format_value(values[last], unit)) for position, ((_name, values), last)
                in enumerate(zip(series, lasts, strict=True)) if last is not None]
        kept = [end for index, end in enumerate(ends) if not any(
            other[2] == end[2] and abs(y_of(series[other[0]][1][other[1]]) - y_of(series[end[0]][1][end[1]]))
            < label_height for other in ends[:index])]
        ys = spread([y_of(series[position][1][last]) for position, last, _text in kept], label_height + 1,
                    area[1] + label_height / 2, area[3] - label_height / 2)
        for (position, last, text), y in zip(kept, ys, strict=True):
            value = series[position][1][last]
            axes.annotate(text, (last, value), xytext=(6, y_of(value) - y), textcoords="offset points", ha="left",
                          va="center", annotation_clip=False, **font)
        return
    points, anchors, markers, lines = [], [], [], []
    for _name, values in series:
        lines.append([])
        for position, value in enumerate(values):
            if value is None:
                lines.append([])
                continue
            markers.append((x_of(position), y_of(value)))
            lines[-1].append((x_of(position), y_of(value)))
            if value == 0 and ticks[0] == 0:  # on the baseline
                continue
            text = format_value(value, unit)
            points.append(PointLabel(position, x_of(position), y_of(value), text,
                                     measure(text, SMALL_FONT_SIZE) * 72 + 1))
            anchors.append((position, value))
    places = place_point_labels(points, height=label_height, offset=label_height + 2, area=area, markers=markers,
                                marker=3.0, lines=lines)
    for point, anchor, place in zip(points, anchors, places, strict=True):
        if place is not None:
            axes.annotate(point.text, anchor, xytext=(place[0] - point.x, point.y - place[1]),
                          textcoords="offset points", ha="center", va="center", annotation_clip=False, **font)


# --- the region map -----------------------------------------------------------------------------------------

_PATH_COMMAND = re.compile(r"([MLZ])([^MLZ]*)")


def parse_path_data(data: str) -> GeometryPath:
    """SVG path data of absolute M, L and Z commands (as kz_regions.json has) as a matplotlib path."""
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    start = (0.0, 0.0)
    for command, arguments in _PATH_COMMAND.findall(data):
        numbers = [float(number) for number in arguments.replace(",", " ").split()]
        if command == "Z":
            vertices.append(start)
            codes.append(GeometryPath.CLOSEPOLY)
            continue
        if len(numbers) % 2:
            raise ValueError(f"odd number of coordinates after {command}: {arguments!r}")
        for index in range(0, len(numbers), 2):
            point = (numbers[index], numbers[index + 1])
            # After M, further pairs are implicit L (SVG's rule), though the file writes L every time.
            codes.append(GeometryPath.MOVETO if command == "M" and index == 0 else GeometryPath.LINETO)
            vertices.append(point)
            if command == "M" and index == 0:
                start = point
    return GeometryPath(vertices, codes, readonly=True)


LEGEND_INDENT = 0.1  # inches


def _flow(labels: Sequence[str], width_inches: float) -> tuple[list[tuple[float, int]], int]:
    """Where each legend entry (swatch and label) goes, left to right, wrapping: (x in inches, row), and the
    number of rows."""
    places, x, row = [], LEGEND_INDENT, 0
    for label in labels:
        entry = 0.22 + measure(label, FONT_SIZE) + 0.2
        if x > LEGEND_INDENT and x + entry > width_inches - LEGEND_INDENT:
            x, row = LEGEND_INDENT, row + 1
        places.append((x, row))
        x += entry
    return places, row + 1 if labels else 0


@lru_cache(maxsize=1)
def region_geometry() -> dict[str, GeometryPath]:
    """The regions' outlines as matplotlib paths, parsed once per process (read-only, shared by threads)."""
    return {code: parse_path_data(data) for code, data in region_shapes().paths.items()}


def region_map_png(values: dict[str, float | None], *, title: str, description: str = "",
                   labels: dict[str, str] | None = None, unit: str = "%", legend_title: str = "",
                   no_data_label: str = "", credit: str = DEFAULT_CREDIT, show_names: bool = False) -> bytes:
    """``charts.region_map`` as PNG, 16 cm wide: the regions filled by class, each value written on its region
    (the cities' in boxes beside them), the legend below and the boundaries' credit line (required by their
    licence). Same classes as the SVG: 0–20–40–60–80–100 for "%", otherwise quintiles."""
    shapes = region_shapes()
    geometry = region_geometry()
    labels = labels or {}
    codes = sorted(geometry)
    region_values = {code: values.get(code) for code in codes}
    classes = map_classes(list(region_values.values()), unit)
    family = font_family()

    map_width_inches = WIDTH_CM * CM
    map_height_inches = map_width_inches * shapes.height / shapes.width
    title_inches = TITLE_FONT_SIZE / 72 * 1.6 + 0.08 if title else 0.0
    legend_labels = classes.legend_labels(unit)
    legend_colours = list(classes.colours)
    if no_data_label and any(value is None for value in region_values.values()):
        legend_labels.append(no_data_label)
        legend_colours.append(NO_DATA_COLOUR)
    entries, legend_rows = _flow(legend_labels, map_width_inches)
    legend_inches = (0.22 if legend_title else 0.0) + 0.24 * legend_rows + 0.05
    credit_inches = 0.2
    height_inches = title_inches + map_height_inches + legend_inches + credit_inches
    figure = Figure(figsize=(map_width_inches, height_inches), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    _title(figure, title)
    bottom = (legend_inches + credit_inches) / height_inches
    axes = figure.add_axes((0, bottom, 1, map_height_inches / height_inches))
    axes.set_xlim(0, shapes.width)
    axes.set_ylim(shapes.height, 0)  # the SVG's y grows downwards
    axes.set_aspect("equal")
    axes.set_axis_off()

    units_per_inch = shapes.width / map_width_inches
    order = sorted(codes, key=lambda code: (code in shapes.leaders, code))  # cities on top
    for code in order:
        axes.add_artist(PathPatch(geometry[code], facecolor=classes.colour_of(region_values[code]),
                                 edgecolor=MAP_OUTLINE_COLOUR, linewidth=0.35, joinstyle="round"))
    value_height = FONT_SIZE / 72 * 1.15 * units_per_inch
    name_height = SMALL_FONT_SIZE / 72 * 1.15 * units_per_inch if show_names else 0.0
    for code in order:
        x, y = shapes.labels[code]
        value_text = format_value(region_values[code], unit)
        name_text = _fit(labels.get(code) or code, SMALL_FONT_SIZE, shapes.name_room(code) / units_per_inch) \
            if show_names else ""
        block_width = max(measure(value_text, FONT_SIZE, bold=True),
                          measure(name_text, SMALL_FONT_SIZE) if name_text else 0.0) * units_per_inch
        block_height = value_height + name_height
        x = min(max(x, block_width / 2 + 6), shapes.width - block_width / 2 - 6)  # inside the picture
        colour = classes.text_colour_of(region_values[code])
        if code in shapes.leaders:
            anchor_x, anchor_y = shapes.leaders[code]
            axes.plot([anchor_x, x], [anchor_y, y], color=TEXT_COLOUR, linewidth=0.6, solid_capstyle="butt", zorder=2)
            axes.plot([anchor_x], [anchor_y], marker="o", markersize=1.8, color=TEXT_COLOUR, zorder=2)
            padding = 4.0
            axes.add_artist(FancyBboxPatch((x - block_width / 2, y - block_height / 2), block_width, block_height,
                                           boxstyle=f"round,pad={padding},rounding_size=3", facecolor="white",
                                           edgecolor=TEXT_COLOUR, linewidth=0.5, zorder=2.5))
            colour = TEXT_COLOUR
        if name_text:
            axes.text(x, y - block_height / 2 + name_height / 2, name_text, ha="center", va="center", color=colour,
                      fontsize=SMALL_FONT_SIZE, fontfamily=family)
        axes.text(x, y + block_height / 2 - value_height / 2, value_text, ha="center", va="center", color=colour,
                  fontsize=FONT_SIZE, fontfamily=family, fontweight="bold")

    # The legend under the map, drawn in inches from its top.
    legend_axes = figure.add_axes((0, credit_inches / height_inches, 1, legend_inches / height_inches))
    legend_axes.set_axis_off()
    legend_axes.set_xlim(0, map_width_inches)
    legend_axes.set_ylim(legend_inches, 0)
    top = 0.04
    if legend_title:
        legend_axes.text(LEGEND_INDENT, top + 0.08, legend_title, ha="left", va="center", fontfamily=family,
                         fontsize=FONT_SIZE, fontweight="bold", color=TEXT_COLOUR)
        top += 0.22
    for colour, label, (x, row) in zip(legend_colours, legend_labels, entries, strict=True):
        y = top + row * 0.24
        legend_axes.add_patch(Rectangle((x, y + 0.02), 0.17, 0.12, facecolor=colour, edgecolor=MAP_OUTLINE_COLOUR,
                                        linewidth=0.4))
        legend_axes.text(x + 0.22, y + 0.08, label, ha="left", va="center", fontfamily=family, fontsize=FONT_SIZE,
                         color=TEXT_COLOUR)
    figure.text(0.99, 0.04 / height_inches, credit, ha="right", va="bottom", fontfamily=family,
                fontsize=SMALL_FONT_SIZE - 0.5, color=MUTED_TEXT_COLOUR)
    return _png(figure)

