"""A researcher's walk through the search page in Chromium, with JavaScript and without:
types words, clicks two facets, removes one, pages, opens a dataset. Each step checks what
the page shows against what ``/api/datasets`` answers for the same URL. Then the language
switch and ``Accept-Language``, screenshots for the docs, and axe-core's accessibility
rules over the search page and a dataset page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat
from playwright.sync_api import Page, expect

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
TIMEOUT = 15_000


def api_total(live: LiveGdcat, url: str) -> int:
    answer = httpx.get(f"{live.url}/api/datasets?{urlsplit(url).query}", timeout=30)
    assert answer.status_code == 200, answer.text
    total = answer.json()["total"]
    assert isinstance(total, int)
    return total


def expect_count(page: Page, live: LiveGdcat) -> int:
    total = api_total(live, page.url)
    word = "dataset" if total == 1 else "datasets"
    expect(page.locator("#results-heading")).to_have_text(
        f"{total:,} {word} found", timeout=TIMEOUT
    )
    return total


def facet_link(page: Page, facet: str, nth: int = 0) -> tuple[str, str]:
    """The ``nth`` unselected value of ``facet``: its label and its link's ``href``."""
    link = page.locator(f"#facet-{facet} ~ ul a:not(.selected)").nth(nth)
    text = link.inner_text()
    label = text.removeprefix("☐").strip().rsplit(" (", 1)[0]
    href = link.get_attribute("href")
    assert href
    return label, href


def click_and_wait(page: Page, selector: str, url_part: str) -> None:
    page.locator(selector).first.click()
    page.wait_for_url(f"**{url_part}*", timeout=TIMEOUT)


def walk(page: Page, live: LiveGdcat, *, scripts: bool) -> None:
    page.goto(f"{live.url}/search?page_size=5")
    page.evaluate("window.__sameDocument = true")
    page.locator("#q").fill("genomes")
    page.locator("#q").press("Enter")
    page.wait_for_url("**q=genomes*", timeout=TIMEOUT)
    expect(page.locator("#q")).to_have_value("genomes", timeout=TIMEOUT)
    expect_count(page, live)

    country, country_href = facet_link(page, "country")
    page.locator(f'#facet-country ~ ul a[href="{country_href}"]').click()
    page.wait_for_url("**country=*", timeout=TIMEOUT)
    expect(page.locator(".chips a.chip", has_text=country)).to_be_visible(timeout=TIMEOUT)
    expect_count(page, live)

    kind, kind_href = facet_link(page, "sequencing_type")
    page.locator(f'#facet-sequencing_type ~ ul a[href="{kind_href}"]').click()
    page.wait_for_url("**sequencing_type=*", timeout=TIMEOUT)
    expect(page.locator(".chips a.chip", has_text=kind)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".chips a.chip")).to_have_count(3, timeout=TIMEOUT)  # words + 2
    expect_count(page, live)

    page.locator(".chips a.chip", has_text=country).click()  # remove the country
    page.wait_for_url(lambda url: "country=" not in url, timeout=TIMEOUT)
    expect(page.locator(".chips a.chip", has_text=country)).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator(".chips a.chip", has_text=kind)).to_be_visible()
    total = expect_count(page, live)
    assert total > 5, "the walk needs a second page"
    expect(page.locator(".paging p")).to_have_text(f"Page 1 of {-(-total // 5)}")

    page.locator(".paging a[rel=next]").click()
    page.wait_for_url("**page=2*", timeout=TIMEOUT)
    expect(page.locator(".paging p")).to_have_text(f"Page 2 of {-(-total // 5)}", timeout=TIMEOUT)
    expect(page.locator("ol.hits")).to_have_attribute("start", "6")
    # with scripts, htmx swapped the results in place: still the same document
    assert page.evaluate("window.__sameDocument === true") is scripts

    first = page.locator("ol.hits li h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/dataset/*", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text(title, timeout=TIMEOUT)


def test_the_search_walk_with_javascript(gdcat_server: LiveGdcat, tab: Tab) -> None:
    walk(tab.page, gdcat_server, scripts=True)
    assert tab.problems == []


def test_the_search_walk_without_javascript(gdcat_server: LiveGdcat, open_tab) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(java_script_enabled=False)
    walk(tab.page, gdcat_server, scripts=False)
    assert tab.problems == []


def test_the_keyboard_reaches_and_follows_a_facet(gdcat_server: LiveGdcat, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{gdcat_server.url}/search")
    label, href = facet_link(page, "access_rights")
    page.locator(f'#facet-access_rights ~ ul a[href="{href}"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**access_rights=*", timeout=TIMEOUT)
    expect(page.locator(".chips a.chip", has_text=label)).to_be_visible(timeout=TIMEOUT)
    page.keyboard.press("Tab")  # focus moves on, visibly
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_the_language_switch_and_accept_language(gdcat_server: LiveGdcat, open_tab) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab()
    page = tab.page
    page.goto(f"{gdcat_server.url}/search")
    expect(page.locator("h1")).to_have_text("Search datasets")
    page.locator("nav.languages a", has_text="Deutsch").click()
    page.wait_for_url("**lang=de*", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("Datensätze suchen", timeout=TIMEOUT)
    expect(page.locator("#facets-heading")).to_have_text("Eingrenzen")
    assert page.evaluate("document.documentElement.lang") == "de"
    tab.screenshot("search-de")

    french = open_tab(locale="fr-FR").page  # Chromium sends Accept-Language: fr-FR
    french.goto(f"{gdcat_server.url}/search")
    expect(french.locator("h1")).to_have_text("Rechercher des jeux de données")


def test_screenshots_of_the_search_page(gdcat_server: LiveGdcat, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{gdcat_server.url}/search?q=genomes")
    expect(page.locator("ol.hits li").first).to_be_visible()
    tab.screenshot("search")
    _, href = facet_link(page, "sequencing_type")
    page.goto(href)
    expect(page.locator(".chips a.chip").first).to_be_visible()
    tab.screenshot("search-facets", full_page=True)
    page.locator("ol.hits li h3 a").first.click()
    page.wait_for_url("**/dataset/*")
    tab.screenshot("dataset")


def axe_violations(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',
        'wcag21aa', 'best-practice']})).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    assert isinstance(found, list)
    return found


@pytest.mark.parametrize("path", ["/search?q=genomes&sequencing_type=WGS", "dataset"])
def test_axe_finds_no_serious_violation(gdcat_server: LiveGdcat, open_tab, path: str) -> None:  # type: ignore[no-untyped-def]
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of the test's own
    if path == "dataset":
        page.goto(f"{gdcat_server.url}/search?q=genomes")
        path = page.locator("ol.hits li h3 a").first.get_attribute("href") or ""
        page.goto(path)
    else:
        page.goto(gdcat_server.url + path)
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
