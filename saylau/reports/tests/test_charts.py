"""The report charts: the SVG of the pages (charts.py), the PNG of the exports (images.py) and the region outlines
they share (data/kz_regions.json). No database."""

from __future__ import annotations

import io
import json
import math
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib
import pytest
from django.utils import translation
from matplotlib import text as matplotlib_text
from PIL import Image, ImageFont

from saylau.reports import charts, images

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"
ISO_CODES = {
    "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39",
    "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79",
}
CITIES = {"KZ-71", "KZ-75", "KZ-79"}
MONTHS = ["Jan", "Feb", "Mar", "Apr"]
MONTHS_KK = ["Қаң", "Ақп", "Нау", "Сәу", "Мам", "Мау", "Шіл", "Там", "Қыр", "Қаз", "Қар", "Жел"]
REGIONS_KK = [
    "Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы облысы", "Атырау облысы", "Батыс Қазақстан облысы",
    "Жамбыл облысы", "Жетісу облысы", "Қарағанды облысы", "Қостанай облысы", "Қызылорда облысы",
    "Маңғыстау облысы", "Павлодар облысы", "Солтүстік Қазақстан облысы", "Түркістан облысы", "Ұлытау облысы",
    "Шығыс Қазақстан облысы", "Астана қаласы", "Алматы қаласы", "Шымкент қаласы",
]
REGIONS_RU = [
    "Абайская область", "Акмолинская область", "Актюбинская область", "Алматинская область", "Атырауская область",
    "Западно-Казахстанская область", "Жамбылская область", "Область Жетісу", "Карагандинская область",
    "Костанайская область", "Кызылординская область", "Мангистауская область", "Павлодарская область",
    "Северо-Казахстанская область", "Туркестанская область", "Область Ұлытау", "Восточно-Казахстанская область",
    "город Астана", "город Алматы", "город Шымкент",
]
TOPICS_KK = [
    "Сайлаушылар тізімі", "Қоғаммен байланыс", "Кандидаттар мен партиялық тізімдерді ұсыну және тіркеу",
    "Дауыс беру күніндегі байқаушылар, сенім білдірілген адамдар және БАҚ", "Сайлау қорлары және қаржыландыру",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def texts(root: ElementTree.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def assert_accessible(root: ElementTree.Element, chart_id: str, title: str, role: str = "img") -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == role
    assert root.get("width") == "100%"
    assert root.get("font-family") == "inherit"
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title_element, desc_element = root[0], root[1]
    assert title_element.tag == f"{SVG}title" and title_element.get("id") == f"{chart_id}-title"
    assert title_element.text == title
    assert desc_element.tag == f"{SVG}desc" and desc_element.get("id") == f"{chart_id}-desc"
    assert desc_element.text


def capture_figures(monkeypatch) -> list:
    """The matplotlib figures the PNG functions draw, kept for a look at their texts and axes."""
    figures = []
    encode = images._png

    def keep(figure):
        figures.append(figure)
        return encode(figure)

    monkeypatch.setattr(images, "_png", keep)
    return figures


def figure_texts(figure) -> list[str]:
    found = [text.get_text() for text in figure.findobj(matplotlib_text.Text) if text.get_visible()]
    return [text for text in found if text]


def dejavu_width(text: str, size: float) -> float:
    """A text's real width in DejaVu Sans (matplotlib's own copy), the widest font a page is likely drawn in."""
    font = ImageFont.truetype(str(Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")), 100)
    return font.getlength(text) * size / 100


def assert_csp_safe(svg: str) -> None:
    """Nothing that style-src 'self' / script-src 'self' would block, nothing fetched."""
    assert "style=" not in svg and "<style" not in svg
    assert "<script" not in svg and "<image" not in svg and "@import" not in svg


# --- number formatting and ticks ----------------------------------------------------------------------------


def test_values_are_formatted_with_grouped_thousands_and_one_decimal_for_percentages():
    assert charts.format_value(1234567, "") == f"1{NBSP}234{NBSP}567"
    assert charts.format_value(42, "%") == f"42.0{NBSP}%"
    assert charts.format_value(12.345, "") == "12.3"
    assert charts.format_value(0.456, "") == "0.46"
    assert charts.format_value(1500, "people") == f"1{NBSP}500{NBSP}people"
    assert charts.format_value(None, "%") == "\u2014"
    assert charts.format_value(-0.01, "%") == f"0.0{NBSP}%"  # no "-0.0"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_numbers_have_a_decimal_dot_in_every_language_as_the_tables(language):
    with translation.override(language):
        assert charts.format_value(42.26, "%") == f"42.3{NBSP}%"
        assert charts.format_value(1234.5, "") == f"1{NBSP}234.5"
        assert charts.format_tick(2.5) == "2.5"
        svg = charts.region_map({"KZ-43": 60.0, "KZ-11": 100.0}, id="m", title="t", no_data_label="no data")
        written = texts(parse(svg))
        assert f"60.0{NBSP}%" in written and f"100.0{NBSP}%" in written
        assert not any("," in text for text in written)
        bars = texts(parse(charts.bar_chart([("A", 60.0)], id="b", title="t", unit="%", max_value=100)))
        assert f"60.0{NBSP}%" in bars
        line = parse(charts.line_chart(MONTHS, [("A", [0.5, 1.5, 2.25, 3.75])], id="l", title="t"))
        assert not any("," in text for text in texts(line))


def test_png_numbers_have_a_decimal_dot_in_russian(monkeypatch):
    figures = capture_figures(monkeypatch)
    with translation.override("ru"):
        images.bar_chart_png([("A", 60.0)], title="", unit="%", max_value=100)
        images.line_chart_png(MONTHS, [("A", [10.5, 20.5, 30.5, 40.5])], title="")
    written = [text for figure in figures for text in figure_texts(figure)]
    assert f"60.0{NBSP}%" in written and "40.5" in written
    assert not any("," in text for text in written)


@pytest.mark.parametrize("low, high", [(0, 1), (0, 7), (0, 42), (0, 100), (0, 99.9), (0, 1234), (0, 15000),
                                       (0, 0.37), (-20, 60), (3, 3)])
def test_nice_ticks_are_four_or_five_round_values_covering_the_range(low, high):
    ticks = charts.nice_ticks(low, high)
    assert 3 <= len(ticks) <= 6
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in {1, 2, 2.5, 5}


def test_nice_ticks_for_percentages_up_to_100():
    assert charts.nice_ticks(0, 100) == [0, 25, 50, 75, 100]


@pytest.mark.parametrize("high", [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 25, 40, 42, 99, 1234])
def test_ticks_of_whole_numbers_are_whole_numbers(high):
    ticks = charts.value_ticks([0, high])
    assert all(float(tick).is_integer() for tick in ticks), ticks
    assert ticks[0] == 0 and ticks[-1] >= high and 2 <= len(ticks) <= 6
    assert charts.value_ticks([0, 1]) == [0, 1]
    assert charts.nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1]  # not counts: fractions are fine
    assert charts.value_ticks([0, 0.5]) == [0, 0.2, 0.4, 0.6]  # not whole numbers: fractions too


def tick_labels(root: ElementTree.Element) -> list[str]:
    group = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "y-ticks")
    return ["".join(text.itertext()) for text in group.iter(f"{SVG}text")]


@pytest.mark.parametrize("counts", [[0, 1, 0, 0], [0, 0, 0, 0], [2, 0, 1, 3], [12, 40, 0, 7]])
def test_charts_of_counts_have_whole_number_ticks(counts):
    for svg in (charts.grouped_bar_chart(MONTHS, [("Planned", counts), ("Held", [0, 0, 1, 0])], id="g", title="t"),
                charts.line_chart(MONTHS, [("2025", counts), ("2024", [0, 0, 1, 0])], id="l", title="t")):
        labels = tick_labels(parse(svg))
        assert len(labels) >= 2
        assert all(label.isdigit() for label in labels), labels


def test_png_charts_of_counts_have_whole_number_ticks(monkeypatch):
    figures = capture_figures(monkeypatch)
    images.grouped_bar_chart_png(MONTHS, [("Planned", [0, 1, 0, 0]), ("Held", [0, 1, 0, 0])], title="t")
    images.line_chart_png(MONTHS, [("2025", [0, 1, 1, 1]), ("2024", [0, 0, 0, 1])], title="t")
    for figure in figures:
        ticks = figure.axes[0].get_yticks()
        assert list(ticks) == [0, 1]
        assert [label.get_text() for label in figure.axes[0].get_yticklabels()] == ["0", "1"]


# --- bar chart ----------------------------------------------------------------------------------------------


def test_bar_chart_is_an_accessible_svg_image():
    svg = charts.bar_chart([("Abai", 10), ("Akmola", 20)], id="trained-by-region", title="Trained",
                           description="People trained, by region")
    assert isinstance(svg, str) and hasattr(svg, "__html__")  # a SafeString
    root = parse(svg)
    assert_accessible(root, "trained-by-region", "Trained")
    assert root[1].text == "People trained, by region"
    assert_csp_safe(svg)


def test_bar_chart_has_one_bar_per_row_and_writes_every_value():
    rows = [("Abai", 1234), ("Akmola", 56.5), ("Aktobe", 0), ("Atyrau", None)]
    root = parse(charts.bar_chart(rows, id="bars", title="Bars"))
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]
    assert len(bars) == 2  # zero and no value draw no bar
    written = texts(root)
    for label, value in rows:
        assert label in written
        assert charts.format_value(value) in written
    assert f"1{NBSP}234" in written and "56.5" in written and "0" in written and "\u2014" in written
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] > widths[1] > 0


def test_bar_chart_default_description_lists_the_data_and_percentages_have_one_decimal():
    root = parse(charts.bar_chart([("Abai", 42), ("Akmola", 85.26)], id="pct", title="Pass rate", unit="%",
                                  max_value=100))
    assert root[1].text == f"Abai: 42.0{NBSP}%; Akmola: 85.3{NBSP}%"
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]
    assert float(bars[0].get("width")) < float(bars[1].get("width"))


def test_bar_chart_scale_is_max_value_when_given():
    half = parse(charts.bar_chart([("A", 50)], id="a", title="t", max_value=100))
    full = parse(charts.bar_chart([("A", 50)], id="b", title="t"))
    width = {name: float(next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar").get("width"))
             for name, root in (("half", half), ("full", full))}
    assert width["half"] == pytest.approx(width["full"] / 2, rel=0.02)


def test_text_is_escaped():
    label = "<script>alert('x')</script> & co"
    svg = charts.bar_chart([(label, 1)], id="esc", title="<b>Title</b>", description="a < b")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;Title&lt;/b&gt;" in svg
    root = parse(svg)
    assert root[0].text == "<b>Title</b>" and root[1].text == "a < b"
    assert label in texts(root)


def test_an_id_that_is_not_a_plain_identifier_is_refused():
    with pytest.raises(ValueError):
        charts.bar_chart([("A", 1)], id='x" onload="alert(1)', title="t")


def test_an_empty_bar_chart_is_still_a_valid_svg():
    root = parse(charts.bar_chart([], id="empty", title="Nothing", description="No data"))
    assert_accessible(root, "empty", "Nothing")


def test_text_width_is_never_short_of_the_widest_likely_font():
    for text in [*REGIONS_KK, *REGIONS_RU, *TOPICS_KK, *MONTHS_KK, "North Kazakhstan Region", "ЖШЩЮ МW",
                 f"100.0{NBSP}%", f"12{NBSP}345", "\u2014"]:
        assert charts.text_width(text, 13) >= dejavu_width(text, 13), text


def view_width(root: ElementTree.Element) -> float:
    return float(root.get("viewBox").split()[2])


@pytest.mark.parametrize("labels", [REGIONS_KK, REGIONS_RU, TOPICS_KK], ids=["kk", "ru", "topics"])
def test_bar_chart_labels_fit_left_of_the_bars_and_are_not_cut(labels):
    rows = [(label, 1000 + 37 * index) for index, label in enumerate(labels)]
    root = parse(charts.bar_chart(rows, id="bars", title="t"))
    width = view_width(root)
    size = float(root.get("font-size"))
    axis = float(next(root.iter(f"{SVG}line")).get("x1"))
    for row, (label, _value) in zip((g for g in root.iter(f"{SVG}g") if g.get("class") == "bar-row"), rows,
                                    strict=True):
        lines = [text for text in row.iter(f"{SVG}text") if text.get("class") == "label"]
        assert " ".join(text.text for text in lines) == label  # wrapped if need be, never shortened
        assert row.find(f"{SVG}title").text.startswith(label)
        for text in lines:
            x = float(text.get("x"))
            assert text.get("text-anchor") == "end" and x < axis
            assert x - charts.text_width(text.text, size) >= 0, text.text  # by the estimate…
            assert x - dejavu_width(text.text, size) >= 0, text.text  # …and by a real font's metrics
        value = next(text for text in row.iter(f"{SVG}text") if text.get("class") == "value")
        assert float(value.get("x")) + charts.text_width(value.text, size) <= width
    if labels is not TOPICS_KK:  # region names fit on one line
        assert len([t for t in root.iter(f"{SVG}text") if t.get("class") == "label"]) == len(labels)


def effective_sizes(root: ElementTree.Element) -> list[float]:
    base = float(root.get("font-size"))
    return [float(text.get("font-size") or base) for text in root.iter(f"{SVG}text")]


def test_chart_text_is_readable_at_the_recommended_widths():
    """12–13 px drawn 640 px wide; 10 px or more at the min-widths recommended for phones (bar 500, grouped bar
    and line 540, map 600 px)."""
    bar = parse(charts.bar_chart(list(zip(REGIONS_KK, range(20), strict=True)), id="b", title="t"))
    series = [("2025", [0, 3, 12, 40, 40, 41, 41, 41, 41, 41, 41, 41]), ("2024", [0] * 12)]
    grouped = parse(charts.grouped_bar_chart(MONTHS_KK, series, id="g", title="t"))
    line = parse(charts.line_chart(MONTHS_KK, series, id="l", title="t"))
    region_map = parse(charts.region_map({"KZ-43": 42.0}, id="m", title="t", legend_title="Trained, %",
                                         no_data_label="no data"))
    for root, min_width in ((bar, 500), (grouped, 540), (line, 540), (region_map, 600)):
        sizes = effective_sizes(root)
        assert min(sizes) * min_width / view_width(root) >= 10, root.get("id")
    for root in (bar, grouped, line):
        sizes = effective_sizes(root)
        assert 12 <= min(sizes) * 640 / view_width(root) and max(sizes) * 640 / view_width(root) <= 13.5


# --- grouped bars and lines ---------------------------------------------------------------------------------


def test_grouped_bar_chart_draws_a_bar_per_category_and_series_with_a_legend():
    series = [("Planned", [10, 20, 30, 40]), ("Held", [8, None, 30, 41])]
    svg = charts.grouped_bar_chart(MONTHS, series, id="events", title="Events")
    root = parse(svg)
    assert_accessible(root, "events", "Events")
    assert_csp_safe(svg)
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]
    assert len(bars) == 7
    written = texts(root)
    assert {"Planned", "Held", *MONTHS} <= set(written)
    assert {"10", "20", "30", "40", "8", "41"} <= set(written)  # short values fit on top of the bars
    planned, held = {bar.get("fill") for bar in bars[:4]}, {bar.get("fill") for bar in bars[4:]}
    assert len(planned) == 1 and len(held) == 1 and planned != held
    assert relative_luminance(planned.pop()) > relative_luminance(held.pop())  # light to dark


def test_grouped_bar_chart_refuses_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        charts.grouped_bar_chart(MONTHS, [("Planned", [1, 2])], id="bad", title="t")


def test_line_chart_has_a_line_per_series_markers_and_a_break_at_none():
    series = [("Passed", [50, 60, None, 80]), ("Gain", [20, 25, 30, 35])]
    svg = charts.line_chart(MONTHS, series, id="trend", title="Trend", unit="%")
    root = parse(svg)
    assert_accessible(root, "trend", "Trend")
    assert_csp_safe(svg)
    lines = [path for path in root.iter(f"{SVG}path") if path.get("fill") == "none"]
    assert len(lines) == 2
    assert lines[0].get("d").count("M") == 2  # broken at the missing value
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    points = [group for group in root.iter(f"{SVG}g") if group.get("class") == "point"]
    assert len(points) == 7
    written = texts(root)
    assert f"80.0{NBSP}%" in written and f"35.0{NBSP}%" in written
    tick_labels = [t for t in written if t.endswith("%") and "." not in t]
    assert 4 <= len(tick_labels) <= 6


def value_boxes(root: ElementTree.Element) -> list[tuple[str, float, float, float, float]]:
    """The written values of a line chart (text, left, top, right, bottom), by the width estimate."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        if text.get("class") != "value":
            continue
        x, y, size = float(text.get("x")), float(text.get("y")), float(text.get("font-size"))
        width = charts.text_width(text.text, size)
        left = x - width / 2 if text.get("text-anchor") == "middle" else x
        boxes.append((text.text, left, y - size / 2, left + width, y + size / 2))
    return boxes


def baseline(root: ElementTree.Element) -> float:
    group = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "y-ticks")
    return float(next(text for text in group.iter(f"{SVG}text") if text.text == "0").get("y"))


def test_line_chart_writes_no_zero_on_the_baseline():
    series = [("2025", [0, 0, 12, 45, 120, 300, 300, 300, 310, 310, 310, 310]), ("2024", [0] * 12)]
    root = parse(charts.line_chart(MONTHS_KK, series, id="zeros", title="t"))
    written = [box[0] for box in value_boxes(root)]
    assert "0" not in written
    assert {"12", "45", "120", "300", "310"} <= set(written)
    assert "0" in tick_labels(root)  # the axis still says where 0 is
    bottom = baseline(root)
    assert all(box[4] <= bottom for box in value_boxes(root))  # above the axis, clear of the month names
    points = [group for group in root.iter(f"{SVG}g") if group.get("class") == "point"]
    assert len(points) == 24  # every point is still drawn


def test_line_chart_writes_equal_values_once_and_keeps_labels_apart_and_inside():
    this_year = [0, 0, 12, 45, 120, 300, 300, 300, 310, 310, 310, 310]
    last_year = [0, 0, 0, 40, 118, 300, 305, 305, 305, 305, 305, 305]
    root = parse(charts.line_chart(MONTHS_KK, [("2025", this_year), ("2024", last_year)], id="two", title="t"))
    boxes = value_boxes(root)
    written = [box[0] for box in boxes]
    assert written.count("300") == 3  # June once (both 300), July and August 2025
    assert written.count("305") == 6 and written.count("310") == 4
    assert {"118", "120", "40", "45"} <= set(written)
    for index, first in enumerate(boxes):
        for second in boxes[index + 1:]:
            apart = (first[3] <= second[1] or second[3] <= first[1] or first[4] <= second[2]
                     or second[4] <= first[2])
            assert apart, (first, second)
    width, height = view_width(root), float(root.get("viewBox").split()[3])
    bottom = baseline(root)
    for _text, left, top, right, lower in boxes:
        assert 0 <= left and right <= width and 0 <= top and lower <= bottom <= height


def test_line_chart_close_values_near_the_baseline_are_stacked_above():
    root = parse(charts.line_chart(MONTHS, [("A", [2, 300, 300, 300]), ("B", [1, 100, 100, 100])], id="near",
                                   title="t"))
    boxes = {box[0]: box for box in value_boxes(root)}
    assert "2" in boxes and "1" in boxes  # no room below the 1: both above, one over the other
    assert boxes["2"][4] <= boxes["1"][2] or boxes["1"][4] <= boxes["2"][2]
    assert max(boxes["1"][4], boxes["2"][4]) <= baseline(root)


def test_line_chart_end_values_of_equal_series_are_written_once():
    months = [f"2024-{month:02}" for month in range(1, 25)]
    root = parse(charts.line_chart(months, [("A", list(range(24))), ("B", list(range(24))),
                                            ("C", [value + 1 for value in range(24)])], id="ends", title="t"))
    boxes = value_boxes(root)
    assert sorted(box[0] for box in boxes) == ["23", "24"]
    assert boxes[0][4] <= boxes[1][2] or boxes[1][4] <= boxes[0][2]  # 23 and 24 moved apart


def test_png_line_chart_writes_values_as_the_svg_does(monkeypatch):
    figures = capture_figures(monkeypatch)
    this_year = [0, 0, 12, 45, 120, 300, 300, 300, 310, 310, 310, 310]
    last_year = [0, 0, 0, 40, 118, 300, 305, 305, 305, 305, 305, 305]
    images.line_chart_png(MONTHS_KK, [("2025", this_year), ("2024", last_year)], title="")
    (figure,) = figures
    annotations = [child.get_text() for child in figure.axes[0].texts]
    assert "0" not in annotations
    assert annotations.count("300") == 3 and annotations.count("305") == 6 and annotations.count("310") == 4
    renderer = figure.canvas.get_renderer()
    extents = [child.get_window_extent(renderer) for child in figure.axes[0].texts]
    for index, first in enumerate(extents):
        for second in extents[index + 1:]:
            assert not first.overlaps(second)
    plot = figure.axes[0].get_window_extent(renderer)
    assert all(extent.y0 >= plot.y0 and extent.x1 <= figure.bbox.x1 for extent in extents)


def test_place_point_labels_and_spread():
    points = [charts.PointLabel(0, 50, 100, "7", 10), charts.PointLabel(0, 50, 100, "7", 10),
              charts.PointLabel(0, 50, 104, "6", 10)]
    places = charts.place_point_labels(points, height=12, offset=14, area=(0, 0, 200, 200))
    assert places[0] == (50, 86) and places[1] is None and places[2] == (50, 118)
    assert charts.spread([10, 11, 50], 12, 0, 100) == [10, 22, 50]
    assert charts.spread([95, 96], 12, 0, 100) == [88, 100]


# --- the region map -----------------------------------------------------------------------------------------


def region_paths(root: ElementTree.Element) -> dict[str, ElementTree.Element]:
    return {path.get("data-region"): path for path in root.iter(f"{SVG}path") if path.get("data-region")}


def test_region_map_has_the_20_regions_titled_and_valued():
    values = {code: 50.0 for code in ISO_CODES}
    values["KZ-43"] = 42.0
    svg = charts.region_map(values, id="map", title="Trained members", labels={"KZ-43": "Kyzylorda"},
                            legend_title="Share trained")
    root = parse(svg)
    assert_accessible(root, "map", "Trained members")
    assert_csp_safe(svg)
    paths = region_paths(root)
    assert set(paths) == ISO_CODES
    assert 'data-region="KZ-43"' in svg
    assert paths["KZ-43"].find(f"{SVG}title").text == f"Kyzylorda: 42.0{NBSP}%"
    assert paths["KZ-10"].find(f"{SVG}title").text == f"KZ-10: 50.0{NBSP}%"  # no label: the code
    written = texts(root)
    assert written.count(f"50.0{NBSP}%") == 19 and f"42.0{NBSP}%" in written
    assert "Boundaries: amCharts 5 geodata" in written
    assert "Share trained" in written and f"80–100{NBSP}%" in written


def test_region_map_colours_by_fixed_percentage_classes_and_greys_missing_values():
    values = {"KZ-43": 85.0, "KZ-35": 5.0, "KZ-11": 40.0, "KZ-71": 100.0, "KZ-62": None}
    root = parse(charts.region_map(values, id="classes", title="t", no_data_label="no data"))
    paths = region_paths(root)
    assert paths["KZ-43"].get("fill") == charts.MAP_CLASS_COLOURS[-1]  # 85 %: darkest
    assert paths["KZ-71"].get("fill") == charts.MAP_CLASS_COLOURS[-1]  # 100 % too
    assert paths["KZ-35"].get("fill") == charts.MAP_CLASS_COLOURS[0]
    assert paths["KZ-11"].get("fill") == charts.MAP_CLASS_COLOURS[2]  # 40 starts the 40–60 class
    assert paths["KZ-62"].get("fill") == charts.NO_DATA_COLOUR  # None
    assert paths["KZ-10"].get("fill") == charts.NO_DATA_COLOUR  # missing
    assert "no data" in texts(root)


def test_region_map_uses_quintiles_for_other_units():
    values = {code: float(index) for index, code in enumerate(sorted(ISO_CODES))}
    root = parse(charts.region_map(values, id="counts", title="t", unit="people"))
    paths = region_paths(root)
    codes = sorted(ISO_CODES)
    assert paths[codes[-1]].get("fill") == charts.MAP_CLASS_COLOURS[-1]
    assert paths[codes[0]].get("fill") == charts.MAP_CLASS_COLOURS[0]
    assert len({path.get("fill") for path in paths.values()}) == 5
    same = charts.map_classes([7.0, 7.0, None], "people")
    assert same.colour_of(7.0) in charts.MAP_CLASS_COLOURS and same.colour_of(None) == charts.NO_DATA_COLOUR


def test_region_map_links_regions_to_their_drill_down():
    links = {code: f"/reports/region/{code}/?period=2024&kind=all" for code in ISO_CODES}
    svg = charts.region_map({"KZ-43": 42.0}, id="linked", title="t", labels={"KZ-43": "Kyzylorda"}, links=links)
    root = parse(svg)
    assert_accessible(root, "linked", "t", role="group")  # links inside role="img" would be hidden
    anchors = list(root.iter(f"{SVG}a"))
    assert len(anchors) == 20
    kyzylorda = next(a for a in anchors if a.find(f"{SVG}path").get("data-region") == "KZ-43")
    assert kyzylorda.get("href") == "/reports/region/KZ-43/?period=2024&kind=all"
    assert kyzylorda.get("aria-label") == f"Kyzylorda: 42.0{NBSP}%"
    assert "&amp;kind=all" in svg
    without = parse(charts.region_map({"KZ-43": 42.0}, id="plain", title="t"))
    assert not list(without.iter(f"{SVG}a"))


def legend_entries(root: ElementTree.Element) -> list[tuple[str, str]]:
    legend = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "legend")
    return [(entry.find(f"{SVG}rect").get("fill"), entry.find(f"{SVG}text").text)
            for entry in legend.findall(f"{SVG}g")]


def test_region_map_legend_has_the_grey_swatch_when_a_region_has_no_value():
    values = {code: 50.0 for code in ISO_CODES}
    values["KZ-62"] = None
    with_gap = legend_entries(parse(charts.region_map(values, id="gap", title="t", no_data_label="no data")))
    assert with_gap[-1] == (charts.NO_DATA_COLOUR, "no data")
    assert len(with_gap) == 6
    missing = legend_entries(parse(charts.region_map({"KZ-43": 50.0}, id="few", title="t", no_data_label="no data")))
    assert (charts.NO_DATA_COLOUR, "no data") in missing  # a region left out of ``values`` counts as no value
    values["KZ-62"] = 10.0
    complete = legend_entries(parse(charts.region_map(values, id="full", title="t", no_data_label="no data")))
    assert charts.NO_DATA_COLOUR not in {fill for fill, _label in complete}
    values["KZ-62"] = None
    unnamed = legend_entries(parse(charts.region_map(values, id="unnamed", title="t")))
    assert charts.NO_DATA_COLOUR not in {fill for fill, _label in unnamed}


def test_region_map_writes_names_when_asked():
    labels = {code: f"Region {code}" for code in ISO_CODES}
    root = parse(charts.region_map({}, id="names", title="t", labels=labels, show_names=True))
    written = texts(root)
    assert "Region KZ-62" in written and "Region KZ-71" in written


def test_map_and_heat_colours_keep_text_readable():
    for fill, text in zip(charts.MAP_CLASS_COLOURS, charts.MAP_CLASS_TEXT, strict=True):
        assert contrast(fill, text) >= 4.5, fill
    assert contrast(charts.NO_DATA_COLOUR, charts.TEXT_COLOUR) >= 4.5
    for value in (None, 0, 10, 20, 35, 50, 65, 79.9, 80, 85, 100, 120, -5):
        assert contrast(charts.heat_colour(value), "#1a1a1a") >= 4.5, value


def test_heat_colour_steps_with_the_map_classes():
    assert charts.heat_colour(None) == charts.HEAT_NO_DATA_COLOUR
    steps = [charts.heat_colour(value) for value in (5, 25, 45, 65, 85)]
    assert len(set(steps)) == 5 and charts.HEAT_NO_DATA_COLOUR not in steps
    assert charts.heat_colour(0) == steps[0] and charts.heat_colour(100) == steps[-1]
    assert charts.heat_colour(85) == charts.HEAT_COLOURS[-1]


# --- the region outlines ------------------------------------------------------------------------------------


def region_data() -> dict:
    return json.loads(charts.REGION_DATA_PATH.read_text(encoding="utf-8"))


def test_region_data_has_all_20_iso_codes_and_a_simple_path_grammar():
    data = region_data()
    assert set(data["regions"]) == ISO_CODES
    assert set(data["labels"]) == ISO_CODES and set(data["label_widths"]) == ISO_CODES
    assert set(data["leaders"]) == CITIES
    assert "amCharts" in data["source"] and "licen" in data["licence"]
    _x, _y, width, height = (float(part) for part in data["viewBox"].split())
    assert width == 1000 and 400 < height < 700
    for code, path in data["regions"].items():
        assert re.fullmatch(r"(M\d+(\.\d)? \d+(\.\d)?(L\d+(\.\d)? \d+(\.\d)?)+Z ?)+", path), code
        for x, y in zip(*[iter(map(float, re.findall(r"\d+(?:\.\d)?", path)))] * 2, strict=True):
            assert 0 <= x <= width and 0 <= y <= height
    assert charts.REGION_DATA_PATH.stat().st_size <= 60 * 1024


def test_label_points_lie_inside_their_regions_and_city_labels_outside():
    data = region_data()
    geometry = images.region_geometry()
    for code, (x, y) in data["labels"].items():
        inside = geometry[code].contains_point((x, y))
        assert inside == (code not in CITIES), code
    for code, (x, y) in data["leaders"].items():
        assert geometry[code].contains_point((x, y)), code


def test_shared_borders_keep_the_same_vertices():
    """Simplified arc by arc: Shymkent's outline is exactly Turkistan's hole, Astana's is inside Akmola's."""
    def vertices(code: str) -> set[tuple[str, str]]:
        return set(re.findall(r"[ML](\d+(?:\.\d)?) (\d+(?:\.\d)?)", region_data()["regions"][code]))

    assert vertices("KZ-79") <= vertices("KZ-61")
    assert vertices("KZ-75") & vertices("KZ-19")
    assert len(vertices("KZ-35") & vertices("KZ-62")) > 10


def test_parse_path_data_reads_moves_lines_and_closes():
    path = images.parse_path_data("M0 0L10 0L10 10Z M2 2L3 2L3 3Z")
    codes = list(path.codes)
    assert codes.count(images.GeometryPath.MOVETO) == 2 and codes.count(images.GeometryPath.CLOSEPOLY) == 2
    assert path.contains_point((8, 1)) and not path.contains_point((1, 8))


# --- PNG ----------------------------------------------------------------------------------------------------


def open_png(data: bytes) -> Image.Image:
    assert isinstance(data, bytes) and data.startswith(images.PNG_SIGNATURE)
    picture = Image.open(io.BytesIO(data))
    picture.load()
    assert picture.format == "PNG"
    width, height = picture.size
    assert 1240 <= width <= 1280  # 16 cm at 200 dpi
    assert 400 <= height <= 2000  # 8 cm, more for a long bar chart or the map
    assert round(picture.info["dpi"][0]) == 200
    return picture


def test_png_charts_are_16_cm_wide_at_200_dpi():
    rows = [(f"Region {index}", index * 100) for index in range(20)]
    open_png(images.bar_chart_png(rows, title="Trained", unit="people"))
    open_png(images.bar_chart_png([("Қызылорда облысы", 42.0)], title="", unit="%", max_value=100))
    open_png(images.grouped_bar_chart_png(MONTHS, [("Planned", [1, 2, 3, 4]), ("Held", [1, None, 3, 5])],
                                          title="Events"))
    open_png(images.line_chart_png(MONTHS, [("Passed", [50, None, 70, 80])], title="Trend", unit="%"))
    open_png(images.line_chart_png([f"2024-{m:02}" for m in range(1, 25)], [("A", list(range(24))),
                                                                             ("B", list(range(24))),
                                                                             ("C", [None] * 24)], title=""))


def test_png_bar_chart_grows_with_its_rows():
    few = open_png(images.bar_chart_png([("A", 1)], title="t"))
    many = open_png(images.bar_chart_png([(str(index), index) for index in range(30)], title="t"))
    assert many.size[1] > few.size[1]


def test_png_map_paints_the_classes():
    values = {code: 85.0 for code in ISO_CODES}
    values["KZ-62"] = None
    picture = open_png(images.region_map_png(values, title="Trained", labels={"KZ-43": "Қызылорда"},
                                             legend_title="Share", no_data_label="no data", show_names=True))
    colours = {colour for _count, colour in picture.convert("RGB").getcolors(maxcolors=1 << 20)}

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[index:index + 2], 16) for index in (1, 3, 5))

    assert rgb(charts.MAP_CLASS_COLOURS[-1]) in colours
    assert rgb(charts.NO_DATA_COLOUR) in colours


def test_png_charts_refuse_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        images.line_chart_png(MONTHS, [("A", [1])], title="t")


def test_png_font_is_pt_sans_when_installed():
    from pathlib import Path

    family = images.font_family()
    if Path(images.DEFAULT_FONT_DIR, "PTS55F.ttf").exists():
        assert family == "PT Sans"
    else:
        assert family


def test_heat_classes_name_the_colours_site_css_holds():
    from pathlib import Path

    from saylau.reports.charts import HEAT_COLOURS, heat_class

    assert (heat_class(85.0), heat_class(10.0), heat_class(None)) == ("heat-4", "heat-0", "heat-none")
    css = (Path(__file__).resolve().parents[2] / "core" / "static" / "core" / "site.css").read_text()
    for index, colour in enumerate(HEAT_COLOURS):
        assert f".heat-{index}{{background:{colour}}}" in css
