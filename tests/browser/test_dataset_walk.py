"""A researcher's walk to and from a dataset page in Chromium, with JavaScript and without:
finds a dataset by searching, opens it, reads how to request access, follows "more datasets
with this disease" and sees a result list that holds the dataset, goes to the series and back,
switches the language. Then screenshots for the docs and axe-core over a dataset page and a
series page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat
from playwright.sync_api import Page, expect
from test_search_walk import TIMEOUT, axe_violations

#: A search that finds the demo's Dutch rare-disease exome releases (and their series).
SEARCH = "/search?q=Ataxia-telangiectasia&node=nl&type=dataset&sort=title"


def open_release(page: Page, live: LiveGdcat) -> str:
    """Search, open the first release in the results; its title."""
    page.goto(live.url + SEARCH)
    first = page.locator("ol.hits li h3 a").first
    expect(first).to_be_visible(timeout=TIMEOUT)
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/dataset/*", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text(title, timeout=TIMEOUT)
    return title


def walk(page: Page, live: LiveGdcat) -> None:
    title = open_release(page, live)
    release_url = page.url.split("?")[0]
    access = page.locator("section.access")
    expect(access.locator("h2")).to_have_text("How to request access")
    expect(access).to_contain_text("non-public")
    expect(access).to_contain_text("Research on the named diseases only")
    expect(access).to_contain_text("Data Access Committee")
    expect(page.locator('dt[data-field="http://purl.org/dc/terms/language"] + dd')).to_have_text(
        "Dutch"
    )

    # more datasets with this disease: a search whose results hold this dataset
    page.locator("a.more", has_text="More datasets with this disease").first.click()
    page.wait_for_url("**/search?disease=*", timeout=TIMEOUT)
    expect(page.locator(".chips a.chip").first).to_be_visible(timeout=TIMEOUT)
    hit = page.locator(f'ol.hits li h3 a[href="{release_url}"]')
    expect(hit).to_have_text(title, timeout=TIMEOUT)

    # back to the dataset, on to its series, which lists the release
    hit.click()
    page.wait_for_url(release_url, timeout=TIMEOUT)
    page.locator("p.series a").click()
    page.wait_for_url("**/dataset/*", timeout=TIMEOUT)
    expect(page.locator("p.kicker")).to_contain_text("Dataset series")
    expect(page.locator(f'ol.releases a[href="{release_url}"]')).to_have_text(title)

    # the language switch: the same page in German, terms and words included
    page.goto(release_url)
    page.locator("nav.languages a", has_text="Deutsch").click()
    page.wait_for_url("**lang=de*", timeout=TIMEOUT)
    expect(page.locator("#access")).to_have_text("So beantragen Sie Zugang", timeout=TIMEOUT)
    expect(page.locator('dt[data-field="http://purl.org/dc/terms/language"] + dd')).to_have_text(
        "Niederländisch"
    )
    assert page.evaluate("document.documentElement.lang") == "de"


def test_the_dataset_walk_with_javascript(gdcat_server: LiveGdcat, tab: Tab) -> None:
    walk(tab.page, gdcat_server)
    assert tab.problems == []


def test_the_dataset_walk_without_javascript(
    gdcat_server: LiveGdcat, open_tab: Callable[..., Tab]
) -> None:
    tab = open_tab(java_script_enabled=False)
    walk(tab.page, gdcat_server)
    assert tab.problems == []


def test_screenshots_of_dataset_pages(
    gdcat_server: LiveGdcat, open_tab: Callable[..., Tab]
) -> None:
    tab = open_tab()
    page = tab.page
    open_release(page, gdcat_server)
    tab.screenshot("dataset-release", full_page=True)
    release = page.url
    page.locator("p.series a").click()
    page.wait_for_url("**/dataset/*", timeout=TIMEOUT)
    expect(page.locator("ol.releases")).to_be_visible()
    tab.screenshot("dataset-series", full_page=True)
    page.goto(release + "?lang=de")
    expect(page.locator("#access")).to_have_text("So beantragen Sie Zugang")
    tab.screenshot("dataset-de")


@pytest.mark.parametrize("kind", ["release", "series"])
def test_axe_finds_no_serious_violation_on_dataset_pages(
    gdcat_server: LiveGdcat, open_tab: Callable[..., Tab], kind: str
) -> None:
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of the test's own
    open_release(page, gdcat_server)
    if kind == "series":
        page.locator("p.series a").click()
        page.wait_for_url("**/dataset/*", timeout=TIMEOUT)
        expect(page.locator("ol.releases")).to_be_visible()
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
