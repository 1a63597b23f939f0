"""The inventory and the nodes pages in Chromium, with JavaScript and without: the charts and
the map are drawn (SVG elements on the page, with a size), the table's totals are those of
``/api/inventory``; a reader goes from the nodes to one node, sorts its records by title,
opens its last harvest and reads the report's sections. Then axe-core's rules over the four
page types, and the screenshots for the docs."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat
from playwright.sync_api import Page, expect
from test_search_walk import axe_violations

from gdcat.store.inventory import SEQUENCING_TYPES
from gdcat.vocab import ACCESS_LEVELS

TIMEOUT = 15_000


def figures(cells: list[str]) -> list[int]:
    return [int(re.sub(r"\D", "", c)) for c in cells]


def expected_totals(totals: dict[str, Any]) -> list[int]:
    return [
        totals["datasets"],
        totals["individuals"],
        *(totals["by_sequencing_type"].get(code, 0) for code in SEQUENCING_TYPES),
        *(totals["by_access"].get(level, 0) for level in ACCESS_LEVELS),
        totals["shareable"],
        totals["not_shareable"],
        totals["linked_clinical"],
        totals["no_linked_clinical"],
    ]


def drawn(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not drawn"
    return box


def inventory_walk(page: Page, live: LiveGdcat) -> None:
    api = httpx.get(f"{live.url}/api/inventory", timeout=30).json()
    page.goto(f"{live.url}/")
    page.locator("header.site nav a", has_text="Inventory").click()
    page.wait_for_url("**/inventory", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("1+MG inventory")

    for chart in ("#inventory-progress", "#inventory-bars", "#inventory-map"):
        expect(page.locator(chart)).to_be_visible()
        box = drawn(page, chart)
        assert box["width"] > 300 and box["height"] > 40, (chart, box)
    segments = page.locator("#inventory-bars rect.gd-seg")
    assert segments.count() >= len(api["countries"])
    assert drawn(page, "#inventory-bars rect.gd-seg >> nth=0")["width"] > 0
    shaded = page.locator("#inventory-map path.gd-map-country[data-value]")
    expect(shaded).to_have_count(len(api["countries"]))
    assert drawn(page, '#inventory-map path[data-code="DEU"]')["width"] > 10
    done = drawn(page, "#inventory-progress rect.gd-progress-done")
    track = drawn(page, "#inventory-progress rect.gd-progress-track")
    share = api["progress"]["wgs_genomes"] / api["progress"]["target_genomes"]
    assert done["width"] == pytest.approx(track["width"] * share, abs=2)

    totals = page.locator("table.inventory tfoot tr td").all_inner_texts()
    assert figures(totals) == expected_totals(api["totals"])
    germany = page.locator('table.inventory tr[data-country="DEU"] td').all_inner_texts()
    row = next(c for c in api["countries"] if c["country"] == "DEU")
    assert figures(germany) == expected_totals(row)
    expect(page.locator("#count-datasets")).to_have_text(str(api["totals"]["datasets"]))


def nodes_walk(page: Page, live: LiveGdcat) -> None:
    page.locator("header.site nav a", has_text="Nodes").click()
    page.wait_for_url("**/nodes", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("National nodes")
    node = httpx.get(f"{live.url}/api/nodes/de", timeout=30).json()
    page.locator('tr[data-node="de"] th a').click()
    page.wait_for_url("**/nodes/de", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("Node de")
    titles = page.locator("table.records tbody td:first-child a")
    expect(titles).to_have_count(node["records"])
    ascending = titles.all_inner_texts()
    assert ascending == sorted(ascending, key=str.lower)

    page.locator("table.records thead a", has_text="Title").click()  # the header sorts too
    page.wait_for_url("**sort=-title*", timeout=TIMEOUT)
    expect(page.locator("table.records thead th[aria-sort]")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert titles.all_inner_texts() == ascending[::-1]
    page.locator(".sort-links a", has_text="Title, A to Z").click()
    page.wait_for_url("**sort=title*", timeout=TIMEOUT)
    assert titles.all_inner_texts() == ascending

    page.locator("dd a", has_text=re.compile(r"^\d{4}-\d\d-\d\d")).first.click()
    page.wait_for_url(f"**/run/{node['last_harvest']['run']}", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("Harvest report")
    for heading in ("What the harvest did", "Why records were rejected", "Node de: complete"):
        expect(page.locator("h2", has_text=heading)).to_be_visible()
    report = httpx.get(f"{live.url}/api/harvest/runs/{node['last_harvest']['run']}").json()
    expect(page.locator(".report-counts li").first).to_have_text(
        f"{report['totals']['added']} added"
    )
    rejected = [r["dataset"] for n in report["nodes"] for r in n["rejected"]]
    expect(page.locator(".rejection code")).to_have_count(len(rejected))


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_the_inventory_and_nodes_walk(gdcat_server: LiveGdcat, open_tab, scripts: bool) -> None:  # type: ignore[no-untyped-def]
    tab: Tab = open_tab(java_script_enabled=scripts)
    inventory_walk(tab.page, gdcat_server)
    nodes_walk(tab.page, gdcat_server)
    assert tab.problems == []


def page_of(live: LiveGdcat, kind: str) -> str:
    if kind == "run":
        runs = httpx.get(f"{live.url}/api/harvest/runs", timeout=30).json()["items"]
        return f"{live.url}/run/{runs[0]['id']}"
    return f"{live.url}{kind}"


@pytest.mark.parametrize("kind", ["/inventory", "/nodes", "/nodes/de", "run"])
def test_axe_finds_no_serious_violation(gdcat_server: LiveGdcat, open_tab, kind: str) -> None:  # type: ignore[no-untyped-def]
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of the test's own
    page.goto(page_of(gdcat_server, kind))
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_screenshots_of_the_inventory_and_nodes_pages(gdcat_server: LiveGdcat, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{gdcat_server.url}/inventory")
    expect(page.locator("#inventory-map")).to_be_visible()
    tab.screenshot("inventory")
    tab.screenshot("inventory-all", full_page=True)
    page.locator("#table-heading").evaluate("heading => heading.scrollIntoView()")
    tab.screenshot("inventory-table")
    page.goto(f"{gdcat_server.url}/nodes")
    tab.screenshot("nodes")
    page.goto(f"{gdcat_server.url}/nodes/de?sort=-modified")
    tab.screenshot("node")
    page.goto(page_of(gdcat_server, "run"))
    tab.screenshot("run")
    page.locator("#rejections").evaluate("heading => heading.scrollIntoView()")
    tab.screenshot("run-rejections")
    page.goto(f"{gdcat_server.url}/inventory?lang=de")
    tab.screenshot("inventory-de")
