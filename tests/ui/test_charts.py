"""The SVG charts: well-formed, accessible, proportional, escaped, and readable colours."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from gdcat.ui.charts import (
    CATEGORY_COLOURS,
    EUROPE_REGION,
    INK,
    MUTED_INK,
    SEQUENTIAL_COLOURS,
    WHITE,
    Bar,
    Category,
    ChartText,
    class_breaks,
    contrast_ratio,
    europe_map,
    europe_outlines,
    grouped_bar_chart,
    progress_bar,
    stacked_bar_chart,
    text_colour,
)

SVG = "{http://www.w3.org/2000/svg}"
EU27 = (
    *("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN"),
    *("IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP"),
    "SWE",
)
TYPES = [Category("WGS", "WGS"), Category("WES", "WES"), Category("PANEL", "Panels")]
HOSTILE = '<script>alert("x")</script>&'


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    return root


def accessible_name(root: ET.Element) -> tuple[str, str]:
    """The chart's title and description, found the way assistive technology finds them."""
    assert root.get("role") == "img"
    title_id, desc_id = (root.get("aria-labelledby") or "").split()
    found = {el.get("id"): "".join(el.itertext()) for el in root.iter() if el.get("id")}
    return found[title_id], found[desc_id]


def segments(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}rect") if "gd-seg" in (el.get("class") or "")]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def test_stacked_bars_are_proportional_and_labelled_for_reading() -> None:
    bars = [
        Bar("Netherlands", {"WGS": 12345, "WES": 2000}),
        Bar("Finland", {"WGS": 40000, "WES": 10000, "PANEL": 5000}),
        Bar("Malta", {"WGS": 300}),
    ]
    root = parse(
        stacked_bar_chart(
            bars, TYPES, chart_id="genomes", title="Genomes by type", description="Per country."
        )
    )
    assert accessible_name(root) == ("Genomes by type", "Per country.")
    drawn = segments(root)
    assert len(drawn) == 6
    lengths = [(float(el.get("width", "0")), float(el.get("data-value", "0"))) for el in drawn]
    per_unit = max(lengths)[0] / max(lengths)[1]
    for length, value in lengths:  # widths are written to 0.01
        assert length == pytest.approx(value * per_unit, abs=0.006)
    # Segments of a bar follow each other without gap or overlap.
    finland = [el for el in drawn if "Finland" in "".join(el.itertext())]
    for left, right in itertools.pairwise(finland):
        assert float(left.get("x", "0")) + float(left.get("width", "0")) == pytest.approx(
            float(right.get("x", "0")), abs=0.1
        )
    shown = texts(root)
    assert "14,345" in shown and "55,000" in shown  # totals at the bars' ends
    assert "12,345" in shown  # a segment wide enough carries its value
    assert "Netherlands – WGS: 12,345" in [
        "".join(t.itertext()) for el in drawn for t in el.iter(f"{SVG}title")
    ]
    legend = [t for t in shown if t in ("WGS", "WES", "Panels")]
    assert legend == ["WGS", "WES", "Panels"]
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in shown)  # axis ticks too


def test_grouped_bars_share_one_scale() -> None:
    groups = [Bar("WGS", {"individuals": 1000, "genomes": 800}), Bar("WES", {"individuals": 250})]
    root = parse(
        grouped_bar_chart(
            groups,
            [Category("individuals", "Individuals"), Category("genomes", "Genomes")],
            chart_id="cohort",
            title="Cohort",
            description="Cohort totals",
        )
    )
    drawn = {
        ("".join(el.itertext()).split(" – ")[0], el.get("data-category")): float(
            el.get("width", "0")
        )
        for el in segments(root)
    }
    assert drawn[("WGS", "genomes")] / drawn[("WGS", "individuals")] == pytest.approx(0.8, rel=1e-4)
    assert drawn[("WES", "individuals")] / drawn[("WGS", "individuals")] == pytest.approx(
        0.25, rel=1e-4
    )
    assert drawn[("WES", "genomes")] == 0
    assert {"1,000", "800", "250"} <= set(texts(root))


def test_progress_bar_fills_its_share_of_the_target() -> None:
    root = parse(progress_bar(250_000, 1_000_000, chart_id="progress", title="Toward 1M"))
    track = next(el for el in root.iter(f"{SVG}rect") if el.get("class") == "gd-progress-track")
    done = next(el for el in root.iter(f"{SVG}rect") if el.get("class") == "gd-progress-done")
    assert float(done.get("width", "0")) / float(track.get("width", "0")) == pytest.approx(0.25)
    assert accessible_name(root) == ("Toward 1M", "250,000 of 1,000,000 (25.0%)")
    german = parse(
        progress_bar(
            4_120,
            1_000_000,
            chart_id="p",
            title="Fortschritt",
            number=lambda v: f"{int(v):,}".replace(",", "."),
            text=ChartText(progress="{value} von {target} ({percent})", lang="de"),
        )
    )
    assert accessible_name(german) == ("Fortschritt", "4.120 von 1.000.000 (0,41\xa0%)")
    over = parse(progress_bar(2_000_000, 1_000_000, chart_id="over", title="Over"))
    track = next(el for el in over.iter(f"{SVG}rect") if el.get("class") == "gd-progress-track")
    done = next(el for el in over.iter(f"{SVG}rect") if el.get("class") == "gd-progress-done")
    assert done.get("width") == f"{float(track.get('width', '0')):.2f}"  # capped, not beyond


def test_hostile_labels_are_escaped_everywhere() -> None:
    charts = [
        stacked_bar_chart(
            [Bar(HOSTILE, {"WGS": 5})],
            [Category(HOSTILE, HOSTILE)],
            chart_id="a",
            title=HOSTILE,
            description=HOSTILE,
        ),
        grouped_bar_chart(
            [Bar(HOSTILE, {"x": 5})],
            [Category("x", HOSTILE)],
            chart_id="b",
            title=HOSTILE,
            description=HOSTILE,
        ),
        progress_bar(1, 10, chart_id="c", title=HOSTILE, label=HOSTILE),
        europe_map(
            {"NLD": 5},
            chart_id="d",
            title=HOSTILE,
            description=HOSTILE,
            names={"NLD": HOSTILE},
            unit=HOSTILE,
        ),
    ]
    for chart in charts:
        assert "<script" not in str(chart)
        root = parse(chart)
        assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
        assert HOSTILE in "".join(root.itertext())  # shown as text, intact
    with pytest.raises(ValueError, match="chart id"):
        progress_bar(1, 10, chart_id='x" onload="alert(1)', title="t")


def test_empty_data_renders_a_clear_no_data_chart() -> None:
    text = ChartText(no_data="Keine Daten", no_data_description="Keine Zahlen.")
    for chart in (
        stacked_bar_chart([], TYPES, chart_id="e1", title="Genomes", description="d", text=text),
        stacked_bar_chart(
            [Bar("Malta", {"WGS": 0})], TYPES, chart_id="e2", title="G", description="d", text=text
        ),
        grouped_bar_chart([], TYPES, chart_id="e3", title="Cohort", description="d", text=text),
    ):
        root = parse(chart)
        assert not segments(root)
        assert "Keine Daten" in texts(root)
        assert accessible_name(root)[1] == "Keine Zahlen."


def test_the_map_draws_every_country_of_the_region() -> None:
    outlines = europe_outlines()
    for code in [*EU27, "NOR", "ISL", "CHE", "GBR", "LIE"]:
        assert code in outlines.countries, code
    root = parse(europe_map({}, chart_id="m", title="Genomes per country", description="d"))
    countries = {
        el.get("data-code"): el
        for el in root.iter(f"{SVG}path")
        if "gd-map-country" in (el.get("class") or "")
    }
    assert set(countries) == EUROPE_REGION
    for code, el in countries.items():
        assert re.fullmatch(r"(M[-0-9. l]+z)+", el.get("d", "")), code
        assert "gd-map-nodata" in (el.get("class") or "")
        assert "".join(next(el.iter(f"{SVG}title")).itertext()).endswith(": No data")
    # Malta, too small to see, has a marker, hatched like the other countries without figures.
    marker = next(el for el in root.iter(f"{SVG}circle") if "Malta" in "".join(el.itertext()))
    assert marker.get("fill") == "url(#m-hatch)"
    # Compact enough to vendor, and to send with a page.
    assert len(str(europe_map({}, chart_id="m", title="t", description="d"))) < 150_000


def test_map_shading_follows_the_values() -> None:
    values = {"DEU": 90_000, "FRA": 40_000, "NLD": 12_345, "EST": 3_000, "MLT": 20, "1A0": 7}
    root = parse(
        europe_map(
            values,
            chart_id="m",
            title="Genomes",
            description="d",
            names={"DEU": "Deutschland"},
            unit="genomes",
        )
    )
    shaded = {
        el.get("data-code"): el
        for el in root.iter(f"{SVG}path")
        if "gd-map-country" in (el.get("class") or "")
    }

    def level(code: str) -> int:
        found = re.search(r"gd-map-c(\d)", shaded[code].get("class", ""))
        assert found, code
        return int(found.group(1))

    ordered = sorted(values, key=values.__getitem__)
    levels = [level(code) for code in ordered]
    assert levels == sorted(levels) and levels[0] == 0 and levels[-1] == 4
    assert SEQUENTIAL_COLOURS.index(shaded["DEU"].get("fill", "")) == 4
    assert "".join(next(shaded["DEU"].iter(f"{SVG}title")).itertext()) == (
        "Deutschland: 90,000 genomes"
    )
    # A country outside the region with figures (Kosovo) is drawn; one without is background.
    assert "1A0" in shaded and "UKR" not in shaded
    # Countries too small to see also get a marker in their class.
    marker = next(el for el in root.iter(f"{SVG}circle") if "Malta" in "".join(el.itertext()))
    assert "gd-map-c0" in (marker.get("class") or "")
    # The legend names the no-data swatch and every class, bounds formatted for reading.
    legend = texts(root)
    assert legend[0] == "No data" and len(legend) == 6
    assert legend[-1].endswith("90,000")


def test_class_breaks_cover_the_values() -> None:
    assert class_breaks([]) == []
    assert class_breaks([5.0]) == [5.0]
    breaks = class_breaks([float(v) for v in range(1, 101)])
    assert breaks[-1] == 100 and breaks == sorted(set(breaks)) and len(breaks) == 5


def test_palette_text_meets_wcag_aa() -> None:
    assert contrast_ratio(INK, WHITE) >= 7 and contrast_ratio(MUTED_INK, WHITE) >= 4.5
    for colour in (*CATEGORY_COLOURS, *SEQUENTIAL_COLOURS):
        assert contrast_ratio(text_colour(colour), colour) >= 4.5, colour
    assert len(set(CATEGORY_COLOURS)) == len(CATEGORY_COLOURS)
