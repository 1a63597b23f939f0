"""Charts drawn on the server as SVG: stacked and grouped bars, a progress bar, a map of Europe.

Every function takes plain data and returns one ``<svg>`` element as :class:`~markupsafe.Markup`,
ready to put in a page: no script, no ``style`` attribute (the site's Content-Security-Policy
allows neither inline), colours as presentation attributes that a stylesheet may override through
the ``gd-…`` classes each shape carries. Every text from the caller is escaped.

Each chart is an image with an accessible name: ``role="img"`` and ``aria-labelledby`` pointing
at its ``<title>`` and ``<desc>``; every bar, segment and country has a ``<title>`` of its own
(a tooltip in browsers). The figures themselves belong in a table next to the chart: the chart
does not replace it.

Numbers are written for reading (``12,345``) by :func:`format_number`, or by the ``number``
function the caller passes (a locale's formatting); fixed words come from :class:`ChartText`,
which a page fills in the reader's language.

Colours: :data:`CATEGORY_COLOURS` (Okabe-Ito, told apart with every common colour-vision
deficiency) for categories, :data:`SEQUENTIAL_COLOURS` (ColorBrewer YlGnBu, colour-blind safe)
for the map's classes, :data:`NO_DATA_COLOUR` with a hatch for countries without figures. Text
on a colour is :data:`INK` or white, whichever contrasts more (:func:`text_colour`; at least 4.5:1
for every colour here, WCAG AA).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_percent as babel_format_percent
from markupsafe import Markup, escape

NumberFormat = Callable[[float], str]

# -- palette ---------------------------------------------------------------------------------

#: Text, axes and outlines (16.1:1 on white).
INK = "#1a1a1a"
#: Secondary text: tick labels, notes (7.0:1 on white).
MUTED_INK = "#595959"
WHITE = "#ffffff"
GRID = "#d9d9d9"
#: The empty part of a progress bar.
TRACK = "#e8e8e8"
#: Categories (sequencing types, accessible or not...), in this order (Okabe-Ito, without its
#: yellow, too pale on white).
CATEGORY_COLOURS: tuple[str, ...] = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#8c6d31",
    "#666666",
)
#: The map's classes, light (few) to dark (many): ColorBrewer YlGnBu, 5 classes (the fourth a
#: little darker, #2a78b0 for #2c7fb8, so that white text on it reaches 4.5:1).
SEQUENTIAL_COLOURS: tuple[str, ...] = ("#ffffcc", "#a1dab4", "#41b6c4", "#2a78b0", "#253494")
#: Countries without figures: grey with white hatching (told apart from every class without
#: relying on colour).
NO_DATA_COLOUR = "#bdbdbd"
#: Land the map shows for orientation only (outside Europe).
CONTEXT_COLOUR = "#f0f0f0"
PROGRESS_COLOUR = CATEGORY_COLOURS[0]

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 13
_CHAR_WIDTH = 0.62  # of the font size: a generous average, so estimated text never overflows
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_MAP_FILE = Path(__file__).with_name("data") / "europe.json"

#: The countries of 1+MG's region (the EU, EFTA and the United Kingdom): a map shows them hatched
#: when they have no figures; other countries without figures are drawn as background land.
EUROPE_REGION: frozenset[str] = frozenset(
    (
        *("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC"),
        *("HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK"),
        *("SVN", "ESP", "SWE", "ISL", "LIE", "NOR", "CHE", "GBR"),
    )
)


@dataclass(frozen=True)
class ChartText:
    """The fixed words of the charts (a page passes them in the reader's language)."""

    no_data: str = "No data"
    no_data_description: str = "There are no figures to show."
    #: ``{value}``, ``{target}`` and ``{percent}`` are filled in.
    progress: str = "{value} of {target} ({percent})"
    #: Legend of the map's classes: ``{low}`` and ``{high}``.
    range: str = "{low} – {high}"
    #: A country's tooltip on the map: ``{name}`` and ``{value}``.
    map_value: str = "{name}: {value}"
    #: The reader's language: how percentages are written (``0.41%``, ``0,41 %``).
    lang: str = "en"


@dataclass(frozen=True)
class Category:
    """A category of a stacked bar or a measure of a grouped one (``key`` indexes the values)."""

    key: str
    label: str


@dataclass(frozen=True)
class Bar:
    """One bar (a country, a sequencing type): its label and its value per category key."""

    label: str
    values: Mapping[str, float]

    @property
    def total(self) -> float:
        return sum(max(0.0, v) for v in self.values.values())


def format_number(value: float) -> str:
    """A number for reading: thousands separated (``12,345``), one decimal if not whole."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_percent(value: float, lang: str = "en") -> str:
    """A percentage (``value`` of 100) as ``lang`` writes it (``0.41%``, ``0,41 %``): two
    decimals below 1 %, else one."""
    decimals = 2 if abs(value) < 1 else 1
    pattern = _percent_pattern(lang)
    # the locale's pattern (#,##0%, #,##0 %…) with the decimals: the last 0 before the sign
    with_decimals = re.sub(r"0(?=[^0#]*%)", "0." + "0" * decimals, pattern, count=1)
    return babel_format_percent(value / 100, format=with_decimals, locale=lang)


@cache
def _percent_pattern(lang: str) -> str:
    pattern: str = Locale.parse(lang).percent_formats[None].pattern
    return pattern


# -- colour contrast (WCAG 2.1) --------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(background: str) -> str:
    """:data:`INK` or white, whichever reads better on ``background``."""
    return max((INK, WHITE), key=lambda ink: contrast_ratio(ink, background))


# -- shared drawing --------------------------------------------------------------------------


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * _CHAR_WIDTH


def _n(value: float) -> str:
    """A coordinate: at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _check_id(chart_id: str) -> None:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id must be a letter then letters, digits, - or _: {chart_id!r}")


def _svg(
    chart_id: str,
    kind: str,
    width: float,
    height: float,
    title: str,
    description: str,
    body: Sequence[str],
) -> Markup:
    _check_id(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="gd-chart gd-chart-{kind}"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _no_data(
    chart_id: str, kind: str, title: str, width: float, text: ChartText, height: float = 120
) -> Markup:
    body = [
        f'<rect class="gd-no-data" x="0.5" y="0.5" width="{_n(width - 1)}"'
        f' height="{_n(height - 1)}" fill="{WHITE}" stroke="{GRID}" rx="4"/>',
        f'<text class="gd-no-data-text" x="{_n(width / 2)}" y="{_n(height / 2 - 4)}"'
        f' text-anchor="middle" font-size="16" font-weight="600">{escape(text.no_data)}</text>',
        f'<text x="{_n(width / 2)}" y="{_n(height / 2 + 18)}" text-anchor="middle"'
        f' fill="{MUTED_INK}">{escape(text.no_data_description)}</text>',
    ]
    return _svg(chart_id, kind, width, height, title, text.no_data_description, body)


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (about ``count`` steps)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < maximum:
        ticks.append(ticks[-1] + step)
    return ticks


def _legend(
    items: Sequence[tuple[str, str, str]], x: float, y: float, width: float
) -> tuple[list[str], float]:
    """Swatches and labels (css class, fill, label) in rows that fit ``width``; the height used."""
    parts = ['<g class="gd-legend">']
    cx, cy, row = x, y, 20.0
    for css, fill, label in items:
        item_width = 18 + _text_width(label) + 18
        if cx > x and cx + item_width > x + width:
            cx, cy = x, cy + row
        parts.append(
            f'<rect class="gd-swatch {css}" x="{_n(cx)}" y="{_n(cy + 2)}" width="12" height="12"'
            f' fill="{fill}" stroke="{INK}" stroke-width="0.5"/>'
            f'<text x="{_n(cx + 18)}" y="{_n(cy + 12)}">{escape(label)}</text>'
        )
        cx += item_width
    parts.append("</g>")
    return parts, cy - y + row


def _x_axis(
    ticks: Sequence[float],
    scale: Callable[[float], float],
    top: float,
    bottom: float,
    number: NumberFormat,
) -> list[str]:
    parts = ['<g class="gd-axis" aria-hidden="true">']
    for tick in ticks:
        x = scale(tick)
        parts.append(
            f'<line class="gd-grid" x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top)}" y2="{_n(bottom)}"'
            f' stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(x)}" y="{_n(bottom + 16)}" text-anchor="middle"'
            f' fill="{MUTED_INK}" font-size="12">{escape(number(tick))}</text>'
        )
    parts.append(
        f'<line x1="{_n(scale(0))}" x2="{_n(scale(0))}" y1="{_n(top)}" y2="{_n(bottom)}"'
        f' stroke="{INK}" stroke-width="1"/></g>'
    )
    return parts


# -- bars ------------------------------------------------------------------------------------

_BAR = 22.0
_BAR_GAP = 12.0


def stacked_bar_chart(
    bars: Sequence[Bar],
    categories: Sequence[Category],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: float = 720,
    number: NumberFormat = format_number,
    text: ChartText = ChartText(),
) -> Markup:
    """Horizontal bars, one per row of ``bars`` (a country), cut into ``categories`` segments.

    The bar's total is written at its end, a segment's value inside it where it fits, every
    segment's value in its tooltip. Negative values count as 0. No bar with a positive total:
    a "no data" chart.
    """
    colours = _category_colours(categories)
    if not bars or max(bar.total for bar in bars) <= 0:
        return _no_data(chart_id, "stacked", title, width, text)
    legend, legend_height = _legend(
        [(f"gd-cat-{i}", colours[i], c.label) for i, c in enumerate(categories)], 0, 0, width
    )
    ticks = nice_ticks(max(bar.total for bar in bars))
    label_width = min(width * 0.3, max(_text_width(b.label) for b in bars) + 12)
    value_width = max(_text_width(number(b.total)) for b in bars) + 12
    left, right = label_width, width - value_width
    top = legend_height + 12
    bottom = top + len(bars) * (_BAR + _BAR_GAP)

    def scale(value: float) -> float:
        return left + (right - left) * value / ticks[-1]

    body = [*legend, *_x_axis(ticks, scale, top, bottom, number)]
    for row, bar in enumerate(bars):
        y = top + _BAR_GAP / 2 + row * (_BAR + _BAR_GAP)
        body.append(f'<g class="gd-bar" data-label="{escape(bar.label)}">')
        body.append(
            f'<text class="gd-bar-label" x="{_n(left - 8)}" y="{_n(y + _BAR / 2 + 4.5)}"'
            f' text-anchor="end">{escape(_clip_label(bar.label, label_width - 12))}</text>'
        )
        x = left
        for i, category in enumerate(categories):
            value = max(0.0, float(bar.values.get(category.key, 0)))
            if value <= 0:
                continue
            segment = scale(value) - scale(0)
            shown = number(value)
            body.append(
                f'<rect class="gd-seg gd-cat-{i}" x="{_n(x)}" y="{_n(y)}" width="{segment:.2f}"'
                f' height="{_n(_BAR)}" fill="{colours[i]}" stroke="{WHITE}" stroke-width="0.75"'
                f' data-category="{escape(category.key)}" data-value="{escape(_raw(value))}">'
                f"<title>{escape(bar.label)} – {escape(category.label)}: {escape(shown)}</title>"
                f"</rect>"
            )
            if _text_width(shown, 12) + 8 <= segment:
                body.append(
                    f'<text class="gd-seg-value" x="{_n(x + segment / 2)}"'
                    f' y="{_n(y + _BAR / 2 + 4)}" text-anchor="middle" font-size="12"'
                    f' fill="{text_colour(colours[i])}" aria-hidden="true">{escape(shown)}</text>'
                )
            x += segment
        body.append(
            f'<text class="gd-bar-total" x="{_n(x + 6)}" y="{_n(y + _BAR / 2 + 4.5)}"'
            f' font-weight="600">{escape(number(bar.total))}</text></g>'
        )
    return _svg(chart_id, "stacked", width, bottom + 24, title, description, body)


def grouped_bar_chart(
    groups: Sequence[Bar],
    measures: Sequence[Category],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: float = 720,
    number: NumberFormat = format_number,
    text: ChartText = ChartText(),
) -> Markup:
    """Horizontal bars grouped by row of ``groups`` (a country, a sequencing type), one bar per
    measure (individuals, genomes) on one scale, each with its value at its end.
    """
    colours = _category_colours(measures)
    values = [max(0.0, float(g.values.get(m.key, 0))) for g in groups for m in measures]
    if not values or max(values) <= 0:
        return _no_data(chart_id, "grouped", title, width, text)
    legend, legend_height = _legend(
        [(f"gd-cat-{i}", colours[i], m.label) for i, m in enumerate(measures)], 0, 0, width
    )
    ticks = nice_ticks(max(values))
    label_width = min(width * 0.3, max(_text_width(g.label) for g in groups) + 12)
    value_width = max(_text_width(number(v)) for v in values) + 12
    left, right = label_width, width - value_width
    bar = 16.0
    group_height = bar * len(measures) + 2 * (len(measures) - 1) + _BAR_GAP
    top = legend_height + 12
    bottom = top + len(groups) * group_height

    def scale(value: float) -> float:
        return left + (right - left) * value / ticks[-1]

    body = [*legend, *_x_axis(ticks, scale, top, bottom, number)]
    for row, group in enumerate(groups):
        y0 = top + _BAR_GAP / 2 + row * group_height
        inner = group_height - _BAR_GAP
        body.append(f'<g class="gd-bar-group" data-label="{escape(group.label)}">')
        body.append(
            f'<text class="gd-bar-label" x="{_n(left - 8)}" y="{_n(y0 + inner / 2 + 4.5)}"'
            f' text-anchor="end">{escape(_clip_label(group.label, label_width - 12))}</text>'
        )
        for i, measure in enumerate(measures):
            value = max(0.0, float(group.values.get(measure.key, 0)))
            y = y0 + i * (bar + 2)
            length = scale(value) - scale(0)
            shown = number(value)
            body.append(
                f'<rect class="gd-seg gd-cat-{i}" x="{_n(left)}" y="{_n(y)}" width="{length:.2f}"'
                f' height="{_n(bar)}" fill="{colours[i]}" data-category="{escape(measure.key)}"'
                f' data-value="{escape(_raw(value))}">'
                f"<title>{escape(group.label)} – {escape(measure.label)}: {escape(shown)}</title>"
                f"</rect>"
                f'<text class="gd-bar-value" x="{_n(left + length + 6)}" y="{_n(y + bar - 4)}"'
                f' font-size="12">{escape(shown)}</text>'
            )
        body.append("</g>")
    return _svg(chart_id, "grouped", width, bottom + 24, title, description, body)


def progress_bar(
    value: float,
    target: float,
    *,
    chart_id: str,
    title: str,
    label: str | None = None,
    width: float = 720,
    number: NumberFormat = format_number,
    text: ChartText = ChartText(),
) -> Markup:
    """Progress toward ``target`` (one million genomes): a track, its filled part (capped at the
    end), and ``label`` above it (by default "12,345 of 1,000,000 (1.2%)")."""
    if target <= 0:
        raise ValueError("a progress bar needs a positive target")
    done = max(0.0, float(value))
    percent = 100.0 * done / target
    if label is None:
        label = text.progress.format(
            value=number(done), target=number(target), percent=format_percent(percent, text.lang)
        )
    filled = (width - 2) * min(1.0, done / target)
    body = [
        f'<text class="gd-progress-label" x="0" y="16" font-weight="600">{escape(label)}</text>',
        f'<rect class="gd-progress-track" x="1" y="26" width="{_n(width - 2)}" height="22"'
        f' rx="4" fill="{TRACK}" stroke="{INK}" stroke-width="1"/>',
        f'<rect class="gd-progress-done" x="1" y="26" width="{filled:.2f}" height="22" rx="4"'
        f' fill="{PROGRESS_COLOUR}" data-value="{escape(_raw(done))}"'
        f' data-target="{escape(_raw(target))}"/>',
    ]
    description = label
    return _svg(chart_id, "progress", width, 52, title, description, body)


def _category_colours(categories: Sequence[Category]) -> list[str]:
    if len(categories) > len(CATEGORY_COLOURS):
        raise ValueError(f"at most {len(CATEGORY_COLOURS)} categories can be told apart")
    return list(CATEGORY_COLOURS[: len(categories)])


def _clip_label(label: str, room: float) -> str:
    if _text_width(label) <= room:
        return label
    keep = max(1, int(room / (FONT_SIZE * _CHAR_WIDTH)) - 1)
    return label[:keep] + "…"


def _raw(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# -- the map ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapShape:
    name: str
    path: str
    #: a point for a small country's marker (too small to see otherwise)
    marker: tuple[float, float] | None


@dataclass(frozen=True)
class EuropeMap:
    """The vendored outlines (``data/europe.json``, see ``data/SOURCES.md``)."""

    width: float
    height: float
    countries: Mapping[str, MapShape]
    context: str


@cache
def europe_outlines() -> EuropeMap:
    """The map of Europe, read once (ISO 3166-1 alpha-3 → outline, in map units)."""
    data: dict[str, Any] = json.loads(_MAP_FILE.read_text(encoding="utf-8"))
    countries = {
        code: MapShape(
            name=entry["name"],
            path=entry["d"],
            marker=tuple(entry["marker"]) if "marker" in entry else None,
        )
        for code, entry in data["countries"].items()
    }
    return EuropeMap(
        width=float(data["width"]),
        height=float(data["height"]),
        countries=countries,
        context=data["context"],
    )


def class_breaks(values: Sequence[float], classes: int = len(SEQUENTIAL_COLOURS)) -> list[float]:
    """Upper bounds of up to ``classes`` classes (quantiles of the values, rounded to two
    significant digits; the last is the maximum). Empty for no values."""
    ordered = sorted(v for v in values if v >= 0)
    if not ordered:
        return []
    breaks: list[float] = []
    for k in range(1, classes):
        q = ordered[min(len(ordered) - 1, math.ceil(k * len(ordered) / classes) - 1)]
        rounded = _round_significant(q)
        if rounded < ordered[-1] and (not breaks or rounded > breaks[-1]):
            breaks.append(rounded)
    breaks.append(ordered[-1])
    return breaks


def _round_significant(value: float, digits: int = 2) -> float:
    if value <= 0:
        return 0.0
    magnitude = 10 ** (math.floor(math.log10(value)) - digits + 1)
    return float(math.ceil(value / magnitude) * magnitude)


def class_of(value: float, breaks: Sequence[float]) -> int:
    """The class (0 = lightest) of ``value``: the first whose upper bound it does not exceed."""
    for index, bound in enumerate(breaks):
        if value <= bound:
            return index
    return len(breaks) - 1


def europe_map(
    values: Mapping[str, float],
    *,
    chart_id: str,
    title: str,
    description: str,
    names: Mapping[str, str] | None = None,
    region: frozenset[str] = EUROPE_REGION,
    unit: str = "",
    width: float = 640,
    number: NumberFormat = format_number,
    text: ChartText = ChartText(),
) -> Markup:
    """A choropleth of Europe: each country (ISO 3166-1 alpha-3 key of ``values``) shaded by its
    value's class, countries without a value grey and hatched; a legend with the class bounds.

    ``names`` gives countries' names in the reader's language (English otherwise); ``unit``
    follows values in tooltips ("12,345 genomes"). Countries outside ``region`` without a value
    are background land. Codes the map does not draw are ignored.
    """
    outlines = europe_outlines()
    scale = width / outlines.width
    map_height = outlines.height * scale
    drawn = {code: float(v) for code, v in values.items() if code in outlines.countries}
    breaks = class_breaks(list(drawn.values()))
    colours = _sequential(len(breaks))
    hatch = f"{chart_id}-hatch"

    def shown(value: float) -> str:
        return f"{number(value)} {unit}".strip()

    body = [
        f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6"'
        f' patternTransform="rotate(45)"><rect width="6" height="6" fill="{NO_DATA_COLOUR}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{WHITE}" stroke-width="2"/></pattern></defs>',
        f'<rect class="gd-map-sea" width="{_n(width)}" height="{_n(map_height)}" fill="{WHITE}"'
        f' stroke="{GRID}"/>',
        f'<g transform="scale({scale:.5f})" stroke="{WHITE}" stroke-width="{0.8 / scale:.3f}"'
        f' stroke-linejoin="round">',
        f'<path class="gd-map-context" d="{outlines.context}" fill="{CONTEXT_COLOUR}"'
        f' aria-hidden="true"/>',
    ]
    markers = []
    for code, shape in outlines.countries.items():
        name = (names or {}).get(code, shape.name)
        if code not in drawn and code not in region:
            body.append(
                f'<path class="gd-map-context" d="{shape.path}" fill="{CONTEXT_COLOUR}"'
                f' aria-hidden="true"/>'
            )
            continue
        if code in drawn:
            index = class_of(drawn[code], breaks)
            css, fill = f"gd-map-c{index}", colours[index]
            tooltip = text.map_value.format(name=name, value=shown(drawn[code]))
            value_attr = f' data-value="{escape(_raw(drawn[code]))}"'
        else:
            css, fill = "gd-map-nodata", f"url(#{hatch})"
            tooltip = text.map_value.format(name=name, value=text.no_data)
            value_attr = ""
        body.append(
            f'<path class="gd-map-country {css}" d="{shape.path}" fill="{fill}"'
            f' data-code="{escape(code)}"{value_attr}><title>{escape(tooltip)}</title></path>'
        )
        if shape.marker is not None:
            mx, my = shape.marker
            markers.append(
                f'<circle class="gd-map-marker {css}" cx="{_n(mx * scale)}" cy="{_n(my * scale)}"'
                f' r="4" fill="{fill}" stroke="{INK}" stroke-width="1">'
                f"<title>{escape(tooltip)}</title></circle>"
            )
    body.append("</g>")
    body.extend(markers)
    items = [("gd-map-nodata", f"url(#{hatch})", text.no_data)]
    low = min(drawn.values()) if drawn else 0.0
    for index, bound in enumerate(breaks):
        label = text.range.format(low=number(low), high=number(bound))
        if low == bound:
            label = number(bound)
        items.append((f"gd-map-c{index}", colours[index], label))
        low = math.floor(bound) + 1 if float(bound).is_integer() else bound
    legend, legend_height = _legend(items, 8, map_height + 10, width - 16)
    body.extend(legend)
    height = map_height + 10 + legend_height + 6
    return _svg(chart_id, "map", width, height, title, description, body)


def _sequential(classes: int) -> list[str]:
    """``classes`` colours spread over :data:`SEQUENTIAL_COLOURS`, light to dark."""
    if classes <= 0:
        return []
    if classes == 1:
        return [SEQUENTIAL_COLOURS[-2]]
    last = len(SEQUENTIAL_COLOURS) - 1
    return [SEQUENTIAL_COLOURS[round(i * last / (classes - 1))] for i in range(classes)]
