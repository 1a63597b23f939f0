"""The SPARQL page in Chromium: a researcher opens it, loads the example "genomes per country
and sequencing type" into the editor with one click, runs it and sees the table, with
JavaScript (the YASQE editor) and without (the text area; the example's link runs it); a
syntax error reads as a sentence; nothing is refused by the Content-Security-Policy; axe-core
finds no serious violation; and the screenshots for the docs."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat
from playwright.sync_api import Page, expect
from test_search_walk import TIMEOUT, axe_violations

from gdcat.ui.sparql_page import EXAMPLES

GENOMES = next(e for e in EXAMPLES if e.key == "genomes-per-country")


def json_rows(live: LiveGdcat, query: str) -> int:
    answer = httpx.get(live.url + "/sparql", params={"query": query}, timeout=60)
    assert answer.status_code == 200, answer.text
    return len(answer.json()["results"]["bindings"])


def expect_table(page: Page, live: LiveGdcat) -> None:
    rows = json_rows(live, GENOMES.query)
    expect(page.locator("#results-heading")).to_have_text(f"{rows:,} rows", timeout=TIMEOUT)
    expect(page.locator("table.answer tbody tr")).to_have_count(rows)
    headers = page.locator("table.answer thead th").all_inner_texts()
    assert headers[:3] == ["country", "sequencingType", "datasets"]
    # Labels for IRIs: a country by its name, the IRI behind it
    first = page.locator("table.answer tbody tr").first.locator("td").first
    iri = first.locator("a").get_attribute("title") or ""
    assert iri.startswith("http://publications.europa.eu/resource/authority/country/")
    assert first.inner_text() not in ("", iri)


def test_load_an_example_and_run_it_with_javascript(gdcat_server: LiveGdcat, tab: Tab) -> None:
    page = tab.page
    page.set_extra_http_headers({"Accept": "text/html"})
    assert tab.open(gdcat_server.url + "/sparql") == 200
    page.set_extra_http_headers({})
    editor = page.locator(".yasqe .CodeMirror")
    expect(editor).to_be_visible(timeout=TIMEOUT)  # YASQE started over the text area
    expect(page.locator("textarea#query")).to_be_hidden()
    # Another query in the editor first, so that loading the example shows.
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('ASK {}')")
    page.locator("a.example", has_text=GENOMES.title).click()
    assert "gdcat:sourceCountry" in page.evaluate(
        "document.querySelector('.CodeMirror').CodeMirror.getValue()"
    )
    assert "format=html" not in page.url  # loaded, not yet run
    page.locator("#run").click()
    page.wait_for_url("**format=html*", timeout=TIMEOUT)
    expect_table(page, gdcat_server)
    expect(editor).to_be_visible()  # the editor again, holding the query that ran
    assert "gdcat:sourceCountry" in page.evaluate(
        "document.querySelector('.CodeMirror').CodeMirror.getValue()"
    )
    tab.screenshot("sparql")
    assert tab.problems == []


def test_run_an_example_without_javascript(
    gdcat_server: LiveGdcat, open_tab: Callable[..., Tab]
) -> None:
    tab = open_tab(java_script_enabled=False)
    page = tab.page
    tab.open(gdcat_server.url + "/sparql?format=html")
    expect(page.locator("textarea#query")).to_be_visible()
    page.locator("a.example", has_text=GENOMES.title).click()  # the link runs it
    page.wait_for_url("**format=html*", timeout=TIMEOUT)
    expect_table(page, gdcat_server)
    # The text area holds the query; editing it and submitting the form runs the new one.
    expect(page.locator("textarea#query")).to_have_value(GENOMES.query)
    page.locator("textarea#query").fill("SELECT (1 AS ?one) (2 AS ?two) {}")
    page.locator("#run").click()
    expect(page.locator("#results-heading")).to_have_text("1 row", timeout=TIMEOUT)
    assert page.locator("table.answer tbody td").all_inner_texts() == ["1", "2"]
    assert tab.problems == []


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_syntax_error_reads_as_a_sentence(
    gdcat_server: LiveGdcat, open_tab: Callable[..., Tab], scripts: bool
) -> None:
    tab = open_tab(java_script_enabled=scripts, viewport={"width": 1280, "height": 1000})
    page = tab.page
    tab.open(gdcat_server.url + "/sparql?format=html")
    if scripts:
        expect(page.locator(".yasqe .CodeMirror")).to_be_visible(timeout=TIMEOUT)
        page.locator(".CodeMirror").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("SELECT ?x WHERE { ?x ?y ")
    else:
        page.locator("textarea#query").fill("SELECT ?x WHERE { ?x ?y ")
    page.locator("#run").click()
    page.wait_for_url("**format=html*", timeout=TIMEOUT)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The query could not be answered", timeout=TIMEOUT)
    expect(alert).to_contain_text("The query has a mistake: it could not be read or evaluated.")
    expect(alert).to_contain_text("error at")  # where, as the engine says it
    assert "{" not in alert.locator(".words").inner_text()  # words, not a JSON document
    if scripts:
        tab.screenshot("sparql-error")
    # No console errors but the page's own 400 answer, which the browser logs.
    assert [p for p in tab.problems if "status of 400" not in p] == []


def test_the_results_page_in_full(gdcat_server: LiveGdcat, tab: Tab) -> None:
    page = tab.page
    tab.open(gdcat_server.url + "/sparql?format=html")
    page.locator("a.example", has_text="Datasets general research may use").click()
    page.locator("#run").click()
    page.wait_for_url("**format=html*", timeout=TIMEOUT)
    expect(page.locator("table.answer tbody tr").first).to_be_visible(timeout=TIMEOUT)
    tab.screenshot("sparql-results", full_page=True)


@pytest.mark.parametrize("state", ["empty", "answer", "error"])
def test_axe_finds_no_serious_violation_on_the_sparql_page(
    gdcat_server: LiveGdcat, open_tab: Callable[..., Tab], state: str
) -> None:
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of the test's own
    query = {"empty": "", "answer": GENOMES.query, "error": "SELEKT"}[state]
    params = {"format": "html"} | ({"query": query} if query else {})
    url = httpx.URL(gdcat_server.url + "/sparql", params=params)
    page.goto(str(url))
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible(timeout=TIMEOUT)
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
