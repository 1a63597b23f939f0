#!/usr/bin/env python3
"""Make the map of Europe gdcat's inventory page shades: Natural Earth TopoJSON → compact JSON.

Usage::

    cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_europe_map.py package/countries-50m.json [OUTPUT]

``OUTPUT`` defaults to ``src/gdcat/ui/data/europe.json`` of this checkout. The input is the
``countries-50m.json`` of the npm package ``world-atlas`` (Natural Earth 1:50m Admin 0
countries, public domain, packaged as TopoJSON by Mike Bostock under the ISC licence); see
``src/gdcat/ui/data/SOURCES.md``.

What it does, with nothing but the standard library:

1. decodes the TopoJSON arcs (quantised, delta-encoded) to longitude/latitude;
2. projects them with the Lambert azimuthal equal-area projection centred on 10°E 52°N (the
   centre of ETRS89-LAEA, EPSG:3035, the EU's projection for statistical maps), scaled so the
   frame is :data:`WIDTH` units wide;
3. simplifies each *arc* (Douglas-Peucker, :data:`TOLERANCE` units), so the border two
   countries share is simplified once and their outlines still meet;
4. joins arcs into rings, clips the rings to the frame (Sutherland-Hodgman), rounds to 0.1
   unit and writes each country as SVG path data with relative moves;
5. keys European countries by ISO 3166-1 alpha-3 (the EU country authority code, as the
   inventory does; Kosovo, which has no ISO code, by the EU code ``1A0``). Natural Earth's
   numeric ids are ISO 3166-1 numeric codes; :data:`EUROPE` maps them. Northern Cyprus is drawn
   as part of Cyprus (the EU's view: the whole island is the Republic of Cyprus). Neighbouring
   land (North Africa, the Middle East, Central Asia) is kept as one unlabelled context path.

The output is deterministic: the same input gives byte-identical JSON.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path

Point = tuple[float, float]
Ring = list[Point]

WIDTH = 1000.0
TOLERANCE = 0.6
#: Longitude / latitude of the projection's centre (ETRS89-LAEA).
CENTRE = (10.0, 52.0)
#: The frame, in longitude/latitude corners whose projections bound it (Iceland to Cyprus,
#: Portugal to the Urals' foot, North Cape to Crete).
FRAME_POINTS: tuple[Point, ...] = (
    (-24.5, 63.0),
    (-10.5, 35.5),
    (14.0, 34.8),
    (25.0, 34.3),
    (35.0, 33.0),
    (45.0, 45.0),
    (42.0, 71.5),
    (25.0, 71.5),
    (-14.0, 67.0),
)

#: ISO 3166-1 numeric → alpha-3 and English name, for the countries the map names (EU 27,
#: EFTA, the UK and the rest of Europe; not the Holy See, smaller than the rounding).
EUROPE: dict[str, tuple[str, str]] = {
    "008": ("ALB", "Albania"),
    "020": ("AND", "Andorra"),
    "040": ("AUT", "Austria"),
    "056": ("BEL", "Belgium"),
    "070": ("BIH", "Bosnia and Herzegovina"),
    "100": ("BGR", "Bulgaria"),
    "112": ("BLR", "Belarus"),
    "191": ("HRV", "Croatia"),
    "196": ("CYP", "Cyprus"),
    "203": ("CZE", "Czechia"),
    "208": ("DNK", "Denmark"),
    "233": ("EST", "Estonia"),
    "234": ("FRO", "Faroe Islands"),
    "246": ("FIN", "Finland"),
    "248": ("ALA", "Åland Islands"),
    "250": ("FRA", "France"),
    "276": ("DEU", "Germany"),
    "292": ("GIB", "Gibraltar"),
    "300": ("GRC", "Greece"),
    "348": ("HUN", "Hungary"),
    "352": ("ISL", "Iceland"),
    "372": ("IRL", "Ireland"),
    "380": ("ITA", "Italy"),
    "428": ("LVA", "Latvia"),
    "438": ("LIE", "Liechtenstein"),
    "440": ("LTU", "Lithuania"),
    "442": ("LUX", "Luxembourg"),
    "470": ("MLT", "Malta"),
    "492": ("MCO", "Monaco"),
    "498": ("MDA", "Moldova"),
    "499": ("MNE", "Montenegro"),
    "528": ("NLD", "Netherlands"),
    "578": ("NOR", "Norway"),
    "616": ("POL", "Poland"),
    "620": ("PRT", "Portugal"),
    "642": ("ROU", "Romania"),
    "643": ("RUS", "Russia"),
    "674": ("SMR", "San Marino"),
    "688": ("SRB", "Serbia"),
    "703": ("SVK", "Slovakia"),
    "705": ("SVN", "Slovenia"),
    "724": ("ESP", "Spain"),
    "752": ("SWE", "Sweden"),
    "756": ("CHE", "Switzerland"),
    "804": ("UKR", "Ukraine"),
    "807": ("MKD", "North Macedonia"),
    "826": ("GBR", "United Kingdom"),
    "831": ("GGY", "Guernsey"),
    "832": ("JEY", "Jersey"),
    "833": ("IMN", "Isle of Man"),
    "792": ("TUR", "Türkiye"),
    "268": ("GEO", "Georgia"),
    "051": ("ARM", "Armenia"),
    "031": ("AZE", "Azerbaijan"),
}
#: Natural Earth units without an ISO numeric id, by their Natural Earth name.
BY_NAME: dict[str, tuple[str, str]] = {
    "Kosovo": ("1A0", "Kosovo"),
    "N. Cyprus": ("CYP", "Cyprus"),
}
#: Countries smaller than this (in square units) also get a marker point, so they can be seen.
SMALL_AREA = 30.0


def project(lon: float, lat: float) -> Point:
    """Spherical Lambert azimuthal equal-area, centred on :data:`CENTRE` (y grows southwards)."""
    lam0, phi0 = math.radians(CENTRE[0]), math.radians(CENTRE[1])
    lam, phi = math.radians(lon), math.radians(lat)
    cos_c = math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam - lam0)
    k = math.sqrt(2.0 / max(1e-12, 1.0 + cos_c))
    x = k * math.cos(phi) * math.sin(lam - lam0)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam - lam0))
    return x, -y


def decode_arcs(topology: dict[str, object]) -> list[list[Point]]:
    """The arcs of a quantised TopoJSON topology, as longitude/latitude."""
    transform = topology["transform"]
    assert isinstance(transform, dict)
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = topology["arcs"]
    assert isinstance(arcs, list)
    out = []
    for arc in arcs:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker; the end points stay (an arc that is a closed loop keeps its far point)."""
    if len(points) < 3:
        return points
    if points[0] == points[-1]:
        far = max(range(len(points)), key=lambda i: _dist2(points[i], points[0]))
        if far in (0, len(points) - 1):
            return [points[0], points[-1]]
        return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = -1.0, -1
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def _dist2(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    length2 = _dist2(a, b)
    if length2 == 0:
        return math.sqrt(_dist2(p, a))
    t = max(
        0.0, min(1.0, ((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / length2)
    )
    return math.sqrt(_dist2(p, (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))))


def clip(ring: Ring, left: float, top: float, right: float, bottom: float) -> Ring:
    """Sutherland-Hodgman clipping of a closed ring to a rectangle."""

    def cut(points: Ring, inside: object, meet: object) -> Ring:
        assert callable(inside) and callable(meet)
        out: Ring = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(meet(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(meet(previous, current))
        return out

    def at_x(x: float) -> object:
        def meet(a: Point, b: Point) -> Point:
            return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])

        return meet

    def at_y(y: float) -> object:
        def meet(a: Point, b: Point) -> Point:
            return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y

        return meet

    points = ring
    for inside, meet in (
        (lambda p: p[0] >= left, at_x(left)),
        (lambda p: p[0] <= right, at_x(right)),
        (lambda p: p[1] >= top, at_y(top)),
        (lambda p: p[1] <= bottom, at_y(bottom)),
    ):
        if not points:
            break
        points = cut(points, inside, meet)
    return points


def area(ring: Ring) -> float:
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in pairs)) / 2


def path_data(rings: Iterable[Ring]) -> str:
    """SVG path data: each ring ``M x y`` then relative ``l`` steps, closed with ``z``."""
    parts = []
    for ring in rings:
        points = [(round(x * 10), round(y * 10)) for x, y in ring]
        deduped = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        if len(deduped) > 1 and deduped[0] == deduped[-1]:
            deduped.pop()
        if len(deduped) < 3:
            continue
        out = [f"M{_num(deduped[0][0])} {_num(deduped[0][1])}l"]
        steps = []
        for (x0, y0), (x1, y1) in itertools.pairwise(deduped):
            steps.append(f"{_num(x1 - x0)}{_signed(y1 - y0)}")
        out.append("".join(_join(steps)))
        out.append("z")
        parts.append("".join(out))
    return "".join(parts)


def _num(tenths: int) -> str:
    text = f"{tenths / 10:.1f}".rstrip("0").rstrip(".")
    return text.replace("0.", ".", 1) if text.startswith("0.") else text.replace("-0.", "-.", 1)


def _signed(tenths: int) -> str:
    text = _num(tenths)
    return text if text.startswith("-") else " " + text


def _join(steps: list[str]) -> list[str]:
    out = []
    for i, step in enumerate(steps):
        out.append(step if i == 0 or step.startswith("-") else " " + step)
    return out


def build(topology: dict[str, object]) -> dict[str, object]:
    arcs_lonlat = decode_arcs(topology)
    frame = [project(lon, lat) for lon, lat in FRAME_POINTS]
    x0, x1 = min(p[0] for p in frame), max(p[0] for p in frame)
    y0, y1 = min(p[1] for p in frame), max(p[1] for p in frame)
    scale = WIDTH / (x1 - x0)
    height = round((y1 - y0) * scale, 1)

    def to_frame(lon: float, lat: float) -> Point:
        x, y = project(lon, lat)
        return (x - x0) * scale, (y - y0) * scale

    # Only the arcs of countries near Europe are projected: the far side of the globe folds in
    # this projection (Antarctica would wrap round the frame).
    arcs: dict[int, list[Point]] = {}

    def arc_points(index: int) -> list[Point]:
        if index not in arcs:
            projected = [to_frame(lon, lat) for lon, lat in arcs_lonlat[index]]
            arcs[index] = simplify(projected, TOLERANCE)
        return arcs[index]

    def near(polygons: list[list[list[int]]]) -> bool:
        return any(
            -40 <= lon <= 75 and 25 <= lat <= 85
            for polygon in polygons
            for indices in polygon
            for index in indices
            for lon, lat in arcs_lonlat[~index if index < 0 else index]
        )

    def ring_points(indices: list[int]) -> Ring:
        points: Ring = []
        for index in indices:
            arc = arc_points(~index if index < 0 else index)
            part = list(reversed(arc)) if index < 0 else arc
            points.extend(part if not points else part[1:])
        return points

    objects = topology["objects"]
    assert isinstance(objects, dict)
    countries: dict[str, dict[str, object]] = {}
    rings_by_code: dict[str, list[Ring]] = {}
    context: list[Ring] = []
    for geometry in objects["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        known = EUROPE.get(geometry.get("id") or "") or BY_NAME.get(name)
        kind = geometry.get("type")
        polygons = (
            geometry["arcs"] if kind == "MultiPolygon" else [geometry["arcs"]] if kind else []
        )
        if not near(polygons):
            continue
        rings = []
        for polygon in polygons:
            for indices in polygon:
                points = ring_points(indices)
                clipped = clip(points, 0.0, 0.0, WIDTH, height)
                if len(clipped) >= 3:
                    rings.append(clipped)
        if not rings:
            continue
        if known is None:
            context.extend(rings)
            continue
        code, label = known
        rings_by_code.setdefault(code, []).extend(rings)
        countries.setdefault(code, {"name": label})
    for code, rings in sorted(rings_by_code.items()):
        entry = countries[code]
        entry["d"] = path_data(rings)
        largest = max(rings, key=area)
        if sum(area(r) for r in rings) < SMALL_AREA:
            cx = sum(p[0] for p in largest) / len(largest)
            cy = sum(p[1] for p in largest) / len(largest)
            entry["marker"] = [round(cx, 1), round(cy, 1)]
    missing = [c for c in countries if not countries[c].get("d")]
    if missing:
        raise SystemExit(f"no outline left for {', '.join(missing)}: lower TOLERANCE")
    return {
        "source": "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas "
        "2.0.2 countries-50m.json (ISC); made by scripts/make_europe_map.py",
        "projection": f"Lambert azimuthal equal-area, centre {CENTRE[0]}E {CENTRE[1]}N",
        "width": WIDTH,
        "height": height,
        "countries": {code: countries[code] for code in sorted(countries)},
        "context": path_data(context),
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    topology = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    default = Path(__file__).resolve().parent.parent / "src/gdcat/ui/data/europe.json"
    target = Path(argv[2]) if len(argv) == 3 else default
    target.parent.mkdir(parents=True, exist_ok=True)
    data = build(topology)
    target.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), indent=0) + "\n",
        encoding="utf-8",
    )
    print(f"{target}: {len(data['countries'])} countries, {target.stat().st_size:,} bytes")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
