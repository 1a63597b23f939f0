"""axe-core over the page types no walk covers: the home page, a catalogue, a catalogue
record, a distribution, the feed, a harvest run and a problem page (the walks check search,
dataset, series, data use, inventory, nodes and SPARQL pages). WCAG 2.1 AA: no serious or
critical violation on any of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat
from test_search_walk import axe_violations

#: A page type and how to reach it from a dataset page (a link whose address holds the
#: marker), or its path.
PAGE_TYPES = {
    "home": "/",
    "feed": "/feed",
    "problem": "/dataset/no-such-dataset",
    "catalogue": "link:/catalog/",
    "record": "link:/record/",
    "distribution": "link:/distribution/",
    "run": "link:/run/",
}


def first_dataset(live: LiveGdcat, tab: Tab) -> str:
    tab.page.goto(f"{live.url}/search?q=genomes")
    href = tab.page.locator("ol.hits li h3 a").first.get_attribute("href")
    assert href, "the search page lists no dataset"
    return href


def address_of(live: LiveGdcat, tab: Tab, page_type: str) -> str:
    where = PAGE_TYPES[page_type]
    if not where.startswith("link:"):
        return live.url + where
    marker = where.removeprefix("link:")
    dataset = first_dataset(live, tab)
    tab.page.goto(dataset if dataset.startswith("http") else live.url + dataset)
    links = tab.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = [
        link
        for link in links
        if link.startswith(live.url) and marker in link and "format=" not in link
    ]
    if not found and page_type == "run":  # the run is named on the node's page
        tab.page.goto(f"{live.url}/nodes")
        links = tab.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        found = [link for link in links if marker in link]
    assert found, f"no {page_type} page is linked"
    return found[0]


@pytest.mark.parametrize("page_type", sorted(PAGE_TYPES))
def test_axe_finds_no_serious_violation_on_the_other_page_types(
    gdcat_server: LiveGdcat, open_tab: Callable[..., Tab], page_type: str
) -> None:
    tab = open_tab(bypass_csp=True)  # axe is injected as a script of the test's own
    url = address_of(gdcat_server, tab, page_type)
    status = tab.open(url)
    expected = range(400, 500) if page_type == "problem" else range(200, 201)
    assert status in expected, (url, status)
    assert tab.page.locator("main, [role=main]").count() >= 1, f"{url} has no main landmark"
    serious = [v for v in axe_violations(tab.page) if v["impact"] in ("serious", "critical")]
    assert serious == [], (url, serious)
