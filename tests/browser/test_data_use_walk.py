"""A researcher's walk through "Can I use these data for my study?" in Chromium, with
JavaScript and without: states a disease-specific study, finds the disease by typing its name
and ticks it, says the organisation is for-profit, asks for the datasets, and reads the
verdicts and the cohort totals — each step checked against what ``/api/datasets`` answers for
the same purpose. Then the keyboard, the screenshots for the docs, and axe-core."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat
from playwright.sync_api import Page, expect
from test_search_walk import axe_violations

TIMEOUT = 15_000
DISEASE = "ORPHA:217569"  # Hypertrophic cardiomyopathy (Orphanet)


def api_answer(live: LiveGdcat, url: str) -> dict[str, Any]:
    """``/api/datasets`` for the purpose of a page URL (the picker's text is the page's own)."""
    query = urlencode([(k, v) for k, v in parse_qsl(urlsplit(url).query) if k != "disease_q"])
    answer = httpx.get(f"{live.url}/api/datasets?{query}", timeout=30)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def shown(value: int) -> str:
    return f"{value:,}"


def expect_results_like_the_api(page: Page, live: LiveGdcat) -> dict[str, Any]:
    answer = api_answer(live, page.url)
    total = answer["total"]
    assert total > 0
    word = "dataset permits" if total == 1 else "datasets permit"
    expect(page.locator("#results-heading")).to_have_text(
        f"{shown(total)} {word} your study", timeout=TIMEOUT
    )
    titles = page.locator("ol.hits li.hit h3 a")
    expect(titles).to_have_count(len(answer["hits"]))
    assert titles.all_inner_texts() == [h["title"] for h in answer["hits"]]
    for n, hit in enumerate(answer["hits"]):
        entry = page.locator("ol.hits li.hit").nth(n)
        expect(entry.locator(".verdict")).to_contain_text("Permitted")
        expect(entry.locator("ul.conditions li")).to_have_count(len(hit["data_use"]["conditions"]))
    cohort = answer["cohort"]
    for figure in ("datasets", "individuals", "genomes", "exomes", "samples"):
        expect(page.locator(f'dd[data-figure="{figure}"]')).to_have_text(shown(cohort[figure]))
    # the chart is drawn: two bars per country, individuals and genomes
    chart = page.locator("svg#cohort-by-country")
    expect(chart).to_be_visible()
    expect(chart.locator("g.gd-bar-group")).to_have_count(len(cohort["by_country"]))
    box = chart.bounding_box()
    assert box is not None and box["height"] > 100
    rows = page.locator("#cohort-by-country-table tbody tr")
    expect(rows).to_have_count(len(cohort["by_country"]))
    table = {
        cells[0]: cells[1:]
        for cells in (rows.nth(i).locator("th, td").all_inner_texts() for i in range(rows.count()))
    }
    for row in cohort["by_country"]:
        assert table[row["label"]] == [
            shown(row[k]) for k in ("datasets", "individuals", "genomes", "exomes", "samples")
        ]
    total_row = page.locator("#cohort-by-country-table tfoot td").all_inner_texts()
    assert total_row == [
        shown(cohort[k]) for k in ("datasets", "individuals", "genomes", "exomes", "samples")
    ]
    expect(page.locator("#cohort-by-type-table tbody tr")).to_have_count(
        len(cohort["by_sequencing_type"])
    )
    return answer


def walk(page: Page, live: LiveGdcat, *, scripts: bool) -> None:
    page.goto(f"{live.url}/data-use")
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("h1")).to_have_text("Can I use these data for my study?")
    expect(page.locator("#no-purpose")).to_be_visible()
    page.get_by_label("Research on specific diseases").check()

    page.locator("#disease_q").fill("hypertrophic cardio")
    if not scripts:  # the text is looked up when the form is sent
        page.locator("#disease_q").press("Enter")
        page.wait_for_url("**disease_q=hypertrophic*", timeout=TIMEOUT)
        expect(page.locator("#disease-needed")).to_be_visible()
        expect(page.get_by_label("Research on specific diseases")).to_be_checked()
    choice = page.locator(f'#disease-choices input[value="{DISEASE}"]')
    expect(choice).to_be_visible(timeout=TIMEOUT)  # with scripts: while typing
    expect(page.locator("#disease-status")).to_have_text(
        "2 diseases match “hypertrophic cardio”: tick the ones you mean."
    )
    page.get_by_label(f"Hypertrophic cardiomyopathy {DISEASE}").check()
    page.get_by_label("Yes: a for-profit organisation (a company)").check()
    page.get_by_role("button", name="Show the datasets").click()
    page.wait_for_url("**purpose_disease=ORPHA%3A217569*", timeout=TIMEOUT)

    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query["purpose"] == "DS" and query["for_profit"] == "true"
    expect(page.locator(".purpose-summary")).to_have_text(
        "Your study: Research on specific diseases; Hypertrophic cardiomyopathy; "
        "by a for-profit organisation",
        timeout=TIMEOUT,
    )
    answer = expect_results_like_the_api(page, live)
    # a for-profit user is refused by NPU and NPUNCU datasets: none is listed
    listed = {c["shorthand"] for h in answer["hits"] for c in h["data_use"]["conditions"]}
    assert not listed & {"NPU", "NPUNCU"}
    # the form keeps what was stated
    expect(page.locator(f'#disease-choices input[value="{DISEASE}"]')).to_be_checked()
    expect(page.get_by_label("Yes: a for-profit organisation (a company)")).to_be_checked()
    # with scripts, htmx swapped the page in place: still the same document
    assert page.evaluate("window.__sameDocument === true") is scripts

    first = page.locator("ol.hits li.hit h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/dataset/*", timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text(title, timeout=TIMEOUT)


def test_the_data_use_walk_with_javascript(gdcat_server: LiveGdcat, tab: Tab) -> None:
    walk(tab.page, gdcat_server, scripts=True)
    assert tab.problems == []


def test_the_data_use_walk_without_javascript(gdcat_server: LiveGdcat, open_tab) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(java_script_enabled=False)
    walk(tab.page, gdcat_server, scripts=False)
    assert tab.problems == []


def test_the_keyboard_picks_a_disease(gdcat_server: LiveGdcat, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{gdcat_server.url}/data-use")
    page.locator("#disease_q").focus()
    page.keyboard.type("marfan")
    expect(page.locator('#disease-choices input[value="ORPHA:558"]')).to_be_visible(timeout=TIMEOUT)
    page.keyboard.press("Tab")  # the look-up button
    page.keyboard.press("Tab")  # the first disease found
    focused = page.evaluate("document.activeElement.name + '=' + document.activeElement.value")
    assert focused in ("purpose_disease=ORPHA:558", "purpose_disease=MONDO:0007947")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Space")
    value = focused.split("=", 1)[1]
    expect(page.locator(f'#disease-choices input[value="{value}"]')).to_be_checked()
    page.get_by_role("button", name="Show the datasets").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**purpose_disease={value.replace(':', '%3A')}*", timeout=TIMEOUT)
    expect_results_like_the_api(page, gdcat_server)


def test_screenshots_of_the_data_use_page(gdcat_server: LiveGdcat, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{gdcat_server.url}/data-use?purpose=DS")
    page.locator("#disease_q").fill("cardiomyopathy")
    expect(page.locator(f'#disease-choices input[value="{DISEASE}"]')).to_be_visible(
        timeout=TIMEOUT
    )
    page.get_by_label(f"Hypertrophic cardiomyopathy {DISEASE}").check()
    tab.screenshot("data-use-form", full_page=True)
    page.get_by_role("button", name="Show the datasets").click()
    page.wait_for_url("**purpose_disease=*", timeout=TIMEOUT)
    expect(page.locator("#results-heading")).to_be_visible(timeout=TIMEOUT)
    page.evaluate("window.scrollTo(0, 0)")
    tab.screenshot("data-use-results")
    page.evaluate("document.getElementById('by-country-heading').scrollIntoView()")
    tab.screenshot("data-use-cohort")


@pytest.mark.parametrize(
    "path",
    [
        "/data-use",
        "/data-use?purpose=DS&disease_q=cardiomyopathy&purpose_disease=ORPHA:217569"
        "&commercial=false&for_profit=true",
        "/data-use?purpose=DS&lang=de",
    ],
)
def test_axe_finds_no_serious_violation(gdcat_server: LiveGdcat, open_tab, path: str) -> None:  # type: ignore[no-untyped-def]
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of the test's own
    page.goto(gdcat_server.url + path)
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_the_picker_keeps_the_language_and_the_chosen_diseases(
    gdcat_server: LiveGdcat, tab: Tab
) -> None:
    page = tab.page
    page.goto(f"{gdcat_server.url}/data-use?lang=de&purpose_disease=ORPHA:558")
    page.locator("#disease_q").fill("cancer")
    expect(page.locator('#disease-choices input[value="MONDO:0007254"]')).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.locator("#disease-status")).to_have_text(
        "6 Krankheiten passen zu „cancer“: Kreuzen Sie die gemeinten an."
    )
    ticked = page.locator("#disease-choices input:checked")
    assert ticked.evaluate_all("boxes => boxes.map(b => b.value)") == ["ORPHA:558"]
    assert tab.problems == []
