"""The node quality page in Chromium, with JavaScript and without: a steward opens a node's page,
follows *Scores and what to fix first*, reads the node's score and the top problem (as
``/api/nodes/{node}/quality`` gives them), sees the chart drawn, and follows the lowest-scoring
record to its page. Then axe-core's rules on the page, and the screenshots for the docs."""

from __future__ import annotations

import httpx
import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat
from playwright.sync_api import Page, expect
from test_search_walk import axe_violations

from gdcat.model.fields import path_label

TIMEOUT = 15_000


def node_with_rejections(live: LiveGdcat) -> str:
    assert live.report is not None
    return next(n.node for n in live.report.nodes if n.rejected)


def node_with_problems(live: LiveGdcat) -> tuple[str, dict]:  # type: ignore[type-arg]
    nodes = httpx.get(f"{live.url}/api/nodes", timeout=30).json()["items"]
    for n in sorted(nodes, key=lambda n: (-n["records"], n["id"])):  # the most records first
        if not n["records"]:
            continue
        answer = httpx.get(f"{live.url}/api/nodes/{n['id']}/quality", timeout=60).json()
        if answer["fix_first"]:
            return n["id"], answer
    raise AssertionError("no node of the demo federation has a field to fix")


def quality_walk(page: Page, live: LiveGdcat) -> None:
    node, answer = node_with_problems(live)
    page.goto(f"{live.url}/nodes/{node}")
    page.locator("dd a", has_text="Scores and what to fix first").click()
    page.wait_for_url(f"**/nodes/{node}/quality", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text(f"Metadata quality of node {node}")
    expect(page.locator("#node-score")).to_have_text(f"{answer['score']:.1f}\u00a0%")

    top = answer["fix_first"][0]
    first_row = page.locator("table.fix-first tbody tr").first
    # the field by its label, then by its steward name
    expect(first_row.locator("th")).to_have_text(f"{path_label(top['field'])} {top['field']}")
    # the API's words, field names shown as code instead of in backticks
    expect(first_row).to_contain_text(top["examples"][0]["message"].replace("`", ""))
    expect(first_row).to_contain_text(f"Fix: {top['hint']}".replace("`", ""))

    chart = page.locator("#quality-timeline")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 40, box
    expect(page.locator("table.timeline tbody tr")).to_have_count(len(answer["timeline"]))

    lowest = answer["scores"][0]
    page.locator("table.scores tbody tr").first.locator("th a").click()
    page.wait_for_url("**/dataset/*", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text(lowest["title"])


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_the_quality_walk(gdcat_server: LiveGdcat, open_tab, scripts: bool) -> None:  # type: ignore[no-untyped-def]
    tab: Tab = open_tab(java_script_enabled=scripts)
    quality_walk(tab.page, gdcat_server)
    assert tab.problems == []


def test_axe_finds_no_serious_violation(gdcat_server: LiveGdcat, open_tab) -> None:  # type: ignore[no-untyped-def]
    node, _ = node_with_problems(gdcat_server)
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of the test's own
    rejected = node_with_rejections(gdcat_server)
    for path in (f"/nodes/{node}/quality", f"/nodes/{rejected}/quality?lang=de"):
        page.goto(gdcat_server.url + path)
        violations = axe_violations(page)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], (path, serious)


def test_screenshots_of_the_quality_page(gdcat_server: LiveGdcat, tab: Tab) -> None:
    node, _ = node_with_problems(gdcat_server)
    page = tab.page
    page.goto(f"{gdcat_server.url}/nodes/{node}/quality")
    expect(page.locator("#quality-timeline")).to_be_visible()
    tab.screenshot("quality")
    page.locator("#fix-heading").evaluate("heading => heading.scrollIntoView()")
    tab.screenshot("quality-fix-first")
    page.goto(f"{gdcat_server.url}/nodes/{node_with_rejections(gdcat_server)}/quality?lang=de")
    page.locator("#rejected-heading").evaluate("heading => heading.scrollIntoView()")
    tab.screenshot("quality-rejected-de")
