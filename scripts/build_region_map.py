#!/usr/bin/env python3
"""Build ``saylau/reports/data/kz_regions.json``, the outlines of Kazakhstan's 20 regions that the report maps draw.

    npm pack @amcharts/amcharts5-geodata@5.1.6 && tar xzf amcharts-amcharts5-geodata-5.1.6.tgz
    python scripts/build_region_map.py package/kazakhstan2023Low.js

The source is amCharts' geodata (a JavaScript module wrapping a GeoJSON FeatureCollection, about 540 KB). The
script projects it (Albers equal-area conic, so that regions compare by area as a choropleth should), simplifies
it to a few tens of kilobytes and writes SVG path data fitted into a viewBox 1000 units wide, north up.

Simplification keeps the regions' common borders common: rings are cut into arcs at the points where borders
meet (as TopoJSON does) and each arc is simplified once with Ramer–Douglas–Peucker, so neighbours keep sharing
exactly the same vertices and no slivers or gaps open between them. Holes (the three cities inside their
regions) are kept, wound against their outer ring so that both the nonzero and the even-odd fill rules render
them. Path data uses absolute ``M``, ``L`` and ``Z`` only, with 1-decimal coordinates, so that
``saylau.reports.images`` can read it back with a regular expression.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "saylau" / "reports" / "data" / "kz_regions.json"

EXPECTED_CODES = {
    "KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39",
    "KZ-43", "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79",
}

VIEWBOX_WIDTH = 1000.0
MARGIN = 6.0  # room for the outline's stroke at the edges
# In viewBox units (1000 across the country, about 3 km each): half a pixel when the map is drawn 1000 pixels
# wide, so no simplification shows, and the output stays near 45 KB (1.0 halves that with the cities, about 10
# units across, still recognisable). A ring that simplifies to less than MIN_RING_AREA is dropped (most of the
# Caspian islets of Atyrau).
TOLERANCE = 0.5
MIN_RING_AREA = 4.0

# Albers equal-area conic for Kazakhstan: standard parallels at one sixth and five sixths of 40.5°–55.5° N.
CENTRAL_MERIDIAN = 67.0
STANDARD_PARALLELS = (43.0, 53.0)
ORIGIN_LATITUDE = 48.0

# The three cities are too small (about 10 units) to carry their value: their label sits outside them, at this
# offset from the city's own label point, joined to it by a leader line. Chosen by eye on the rendered map: to
# the south of the border for Almaty, south-east of Shymkent and Astana, away from Akmola's and Pavlodar's labels.
CITY_LABEL_OFFSETS = {"KZ-71": (50.0, 44.0), "KZ-75": (10.0, 38.0), "KZ-79": (40.0, 56.0)}
LABEL_ASPECT = 2.0

Point = tuple[float, float]
Ring = list[Point]


def load_features(path: Path) -> list[dict]:
    """The GeoJSON features of the module ``const map = {...}; export default map;``."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index("{"), text.rindex("}")
    collection = json.loads(text[start:end + 1])
    return collection["features"]


def albers(longitude: float, latitude: float) -> Point:
    """Albers equal-area conic on the sphere (unit radius), x east and y north."""
    phi1, phi2 = (math.radians(value) for value in STANDARD_PARALLELS)
    n = (math.sin(phi1) + math.sin(phi2)) / 2
    c = math.cos(phi1) ** 2 + 2 * n * math.sin(phi1)
    rho0 = math.sqrt(c - 2 * n * math.sin(math.radians(ORIGIN_LATITUDE))) / n
    rho = math.sqrt(c - 2 * n * math.sin(math.radians(latitude))) / n
    theta = n * math.radians(longitude - CENTRAL_MERIDIAN)
    return rho * math.sin(theta), rho0 - rho * math.cos(theta)


def polygons_of(feature: dict) -> list[list[Ring]]:
    """The feature's polygons, each a list of rings (outer first, then holes), without the repeated last point."""
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    result = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            points = [(float(x), float(y)) for x, y in ring]
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            rings.append(points)
        result.append(rings)
    return result


def signed_area(ring: Ring) -> float:
    """Shoelace area: positive when counter-clockwise in a y-up plane, i.e. clockwise on screen (y down)."""
    total = 0.0
    for index, (x1, y1) in enumerate(ring):
        x2, y2 = ring[(index + 1) % len(ring)]
        total += x1 * y2 - x2 * y1
    return total / 2


# --- topology: cut rings into arcs where borders meet -------------------------------------------------------


def junction_points(rings: list[Ring]) -> set[Point]:
    """Points where a border starts, ends or forks: those whose neighbours differ between the rings holding them.

    A point inside a border shared by two regions has the same two neighbours in both rings (in one order or the
    other); where three regions meet, or a shared border turns into coast, the neighbour pairs differ."""
    neighbours: dict[Point, set[frozenset[Point]]] = {}
    repeated: set[Point] = set()
    for ring in rings:
        seen: set[Point] = set()
        for index, point in enumerate(ring):
            pair = frozenset((ring[index - 1], ring[(index + 1) % len(ring)]))
            neighbours.setdefault(point, set()).add(pair)
            if point in seen:
                repeated.add(point)
            seen.add(point)
    return repeated | {point for point, pairs in neighbours.items() if len(pairs) > 1}


def cut_points(ring: Ring, junctions: set[Point]) -> list[int]:
    """Indices where the ring is cut into arcs: its junctions, or (for a ring that meets no other border, such as
    an island, or that is shared whole, such as a city and its region's hole) its smallest point and the point
    farthest from it, which every copy of the same ring agrees on."""
    indices = [index for index, point in enumerate(ring) if point in junctions]
    if len(indices) >= 2:
        return indices
    first = indices[0] if indices else min(range(len(ring)), key=lambda index: ring[index])
    fx, fy = ring[first]
    farthest = max(range(len(ring)), key=lambda index: ((ring[index][0] - fx) ** 2 + (ring[index][1] - fy) ** 2,
                                                        ring[index]))
    return sorted({first, farthest})


def split_into_arcs(ring: Ring, cuts: list[int]) -> list[list[Point]]:
    """The ring as consecutive arcs from cut to cut, each including both of its ends."""
    arcs = []
    for position, start in enumerate(cuts):
        end = cuts[(position + 1) % len(cuts)]
        if end > start:
            arcs.append(ring[start:end + 1])
        else:
            arcs.append(ring[start:] + ring[:end + 1])
    return arcs


# --- simplification -----------------------------------------------------------------------------------------


def distance_to_segment(point: Point, start: Point, end: Point) -> float:
    px, py = point
    ax, ay = start
    bx, by = end
    dx, dy = bx - ax, by - ay
    length_squared = dx * dx + dy * dy
    if length_squared == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_squared))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def ramer_douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """The points of the polyline that stay within ``tolerance`` of it, both ends kept (iterative, so that long
    arcs cannot exhaust the recursion limit)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, farthest_distance = -1, -1.0
        for index in range(first + 1, last):
            distance = distance_to_segment(points[index], points[first], points[last])
            if distance > farthest_distance:
                farthest, farthest_distance = index, distance
        if farthest_distance > tolerance:
            keep[farthest] = True
            stack.append((first, farthest))
            stack.append((farthest, last))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


class ArcSimplifier:
    """Simplifies each distinct arc once, whichever ring and direction it is met in, so that shared borders come
    out identical in both regions."""

    def __init__(self, tolerance: float):
        self.tolerance = tolerance
        self.cache: dict[tuple[Point, ...], list[Point]] = {}

    def simplify(self, arc: list[Point]) -> list[Point]:
        forward = tuple(arc)
        backward = forward[::-1]
        canonical = min(forward, backward)
        if canonical not in self.cache:
            self.cache[canonical] = ramer_douglas_peucker(list(canonical), self.tolerance)
        simplified = self.cache[canonical]
        return list(simplified) if canonical == forward else simplified[::-1]


def simplify_ring(ring: Ring, junctions: set[Point], simplifier: ArcSimplifier) -> Ring:
    result: Ring = []
    for arc in split_into_arcs(ring, cut_points(ring, junctions)):
        simplified = simplifier.simplify(arc)
        result.extend(simplified[:-1])  # the last point starts the next arc
    # Rounding (done by the caller beforehand) can make neighbours coincide; a ring never repeats a point.
    deduplicated = [point for index, point in enumerate(result) if point != result[index - 1]]
    return deduplicated


# --- label points -------------------------------------------------------------------------------------------


def point_to_polygon_distance(x: float, y: float, rings: list[Ring]) -> float:
    """Distance from the point to the polygon's outline, negative outside (even-odd rule, holes included)."""
    inside = False
    nearest = math.inf
    for ring in rings:
        for index, (ax, ay) in enumerate(ring):
            bx, by = ring[index - 1]
            if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
                inside = not inside
            nearest = min(nearest, distance_to_segment((x, y), (ax, ay), (bx, by)))
    return nearest if inside else -nearest


def label_point(rings: list[Ring]) -> tuple[float, float, float]:
    """Where a region's label goes, and how wide it may be: the centre and the width of the widest ellipse, twice
    as wide as high, that fits inside the polygon (labels are lines of text, wider than high). That is the pole
    of inaccessibility of the polygon squeezed to half its width, stretched back."""
    squeezed = [[(x / LABEL_ASPECT, y) for x, y in ring] for ring in rings]
    x, y, distance = pole_of_inaccessibility(squeezed)
    return x * LABEL_ASPECT, y, 2 * distance * LABEL_ASPECT


def pole_of_inaccessibility(rings: list[Ring], precision: float = 0.25) -> tuple[float, float, float]:
    """The inside point farthest from the outline and its distance to it, found by the usual quad-tree search:
    square cells in a priority queue ordered by the best distance they could still hold."""
    xs = [x for x, _ in rings[0]]
    ys = [y for _, y in rings[0]]
    min_x, min_y, max_x, max_y = min(xs), min(ys), max(xs), max(ys)
    cell_size = min(max_x - min_x, max_y - min_y)
    if cell_size == 0:
        return min_x, min_y, 0.0
    half = cell_size / 2

    def cell(cx: float, cy: float, h: float) -> tuple[float, float, float, float, float]:
        distance = point_to_polygon_distance(cx, cy, rings)
        return (-(distance + h * math.sqrt(2)), distance, cx, cy, h)

    queue = []
    x = min_x
    while x < max_x:
        y = min_y
        while y < max_y:
            heapq.heappush(queue, cell(x + half, y + half, half))
            y += cell_size
        x += cell_size
    area_x, area_y = area_centroid(rings[0])
    best = cell(area_x, area_y, 0)
    while queue:
        candidate = heapq.heappop(queue)
        _, distance, cx, cy, h = candidate
        if distance > best[1]:
            best = candidate
        if -candidate[0] - best[1] <= precision:
            continue
        h /= 2
        for dx in (-h, h):
            for dy in (-h, h):
                heapq.heappush(queue, cell(cx + dx, cy + dy, h))
    return best[2], best[3], best[1]


def area_centroid(ring: Ring) -> Point:
    area = signed_area(ring)
    if area == 0:
        return ring[0]
    cx = cy = 0.0
    for index, (x1, y1) in enumerate(ring):
        x2, y2 = ring[(index + 1) % len(ring)]
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


# --- output -------------------------------------------------------------------------------------------------


def number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def path_data(polygons: list[list[Ring]]) -> str:
    parts = []
    for rings in polygons:
        for ring in rings:
            first, *rest = ring
            parts.append(f"M{number(first[0])} {number(first[1])}"
                         + "".join(f"L{number(x)} {number(y)}" for x, y in rest) + "Z")
    return " ".join(parts)


def build(source: Path, tolerance: float) -> dict:
    features = load_features(source)
    codes = [feature["properties"]["id"] for feature in features]
    missing, unexpected = EXPECTED_CODES - set(codes), set(codes) - EXPECTED_CODES
    if missing or unexpected or len(codes) != len(set(codes)):
        raise SystemExit(f"unexpected regions in {source}: missing {sorted(missing)}, extra {sorted(unexpected)}")

    projected = {
        feature["properties"]["id"]: [[[albers(lon, lat) for lon, lat in ring] for ring in rings]
                                      for rings in polygons_of(feature)]
        for feature in features
    }
    all_points = [point for polygons in projected.values() for rings in polygons for ring in rings for point in ring]
    min_x = min(x for x, _ in all_points)
    max_x = max(x for x, _ in all_points)
    min_y = min(y for _, y in all_points)
    max_y = max(y for _, y in all_points)
    scale = (VIEWBOX_WIDTH - 2 * MARGIN) / (max_x - min_x)

    def to_view(point: Point) -> Point:
        # North up: the projection's y grows northwards, the SVG's downwards. Rounding before the topology
        # step makes the coordinates written out exactly those compared (shared points stay shared).
        x, y = point
        return round(MARGIN + (x - min_x) * scale, 1), round(MARGIN + (max_y - y) * scale, 1)

    in_view = {
        code: [[[to_view(point) for point in ring] for ring in rings] for rings in polygons]
        for code, polygons in projected.items()
    }
    for polygons in in_view.values():
        for rings in polygons:
            for index, ring in enumerate(rings):
                rings[index] = [point for position, point in enumerate(ring) if point != ring[position - 1]]

    junctions = junction_points([ring for polygons in in_view.values() for rings in polygons for ring in rings])
    simplifier = ArcSimplifier(tolerance)
    regions: dict[str, str] = {}
    labels: dict[str, list[float]] = {}
    anchors: dict[str, list[float]] = {}
    rooms: dict[str, int] = {}
    for code in sorted(in_view):
        kept_polygons = []
        for rings in in_view[code]:
            kept_rings = []
            for position, ring in enumerate(rings):
                simplified = simplify_ring(ring, junctions, simplifier)
                if len(simplified) < 3 or abs(signed_area(simplified)) < MIN_RING_AREA:
                    if position == 0:
                        break  # the outer ring collapsed: the whole polygon goes (its holes with it)
                    continue
                # On screen (y down) a positive shoelace area is clockwise: outer rings clockwise, holes not.
                wanted_clockwise = position == 0
                if (signed_area(simplified) > 0) != wanted_clockwise:
                    simplified.reverse()
                kept_rings.append(simplified)
            if kept_rings:
                kept_polygons.append(kept_rings)
        if not kept_polygons:
            raise SystemExit(f"{code} vanished at tolerance {tolerance}: lower it")
        regions[code] = path_data(kept_polygons)
        largest = max(kept_polygons, key=lambda rings: abs(signed_area(rings[0])))
        label_x, label_y, room = label_point(largest)
        rooms[code] = round(room)
        if code in CITY_LABEL_OFFSETS:
            anchors[code] = [round(label_x, 1), round(label_y, 1)]
            dx, dy = CITY_LABEL_OFFSETS[code]
            label_x, label_y = label_x + dx, label_y + dy
        labels[code] = [round(label_x, 1), round(label_y, 1)]

    # The city labels south of the border need room below the outline.
    height = max(round(MARGIN + (max_y - min_y) * scale + MARGIN), *(round(y + 24) for _, y in labels.values()))
    return {
        "source": "@amcharts/amcharts5-geodata 5.1.6, kazakhstan2023Low.js (amCharts 5 geodata), "
                  f"Albers equal-area conic, simplified (Ramer–Douglas–Peucker, tolerance {tolerance:g})",
        "licence": "amCharts free licence (linkware): show the credit \"Boundaries: amCharts 5 geodata\"; "
                   "see LICENSE-amcharts-geodata.md",
        "viewBox": f"0 0 {number(VIEWBOX_WIDTH)} {height}",
        "regions": regions,
        "labels": labels,
        "label_widths": rooms,
        "leaders": anchors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="kazakhstan2023Low.js from @amcharts/amcharts5-geodata")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="in viewBox units (default %(default)s)")
    arguments = parser.parse_args(argv)
    result = build(arguments.source, arguments.tolerance)
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")
    print(f"{arguments.output}: {len(result['regions'])} regions, {len(text.encode()) / 1024:.1f} KB, "
          f"viewBox {result['viewBox']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
