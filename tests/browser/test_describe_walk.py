"""A steward's walk through "Describe a dataset" in Chromium: signed in (the session cookie
set in the browser), fills the form for a WES rare-disease dataset that cannot be shared yet,
sees a violation appear by its field as the form is checked while typing, fixes it, reads the
YAML and Turtle preview, publishes to the node and opens the published dataset; the same form
checked without JavaScript; axe-core on the form; the screenshots for the docs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from browser_tabs import Tab
from live_gdcat import LiveGdcat, start_gdcat
from playwright.sync_api import Page, expect
from test_search_walk import axe_violations

from gdcat.publish import TokenFile
from gdcat.publish.session import new_cookie_value
from gdcat.ui.steward_session import COOKIE_NAME

TIMEOUT = 20_000
DATASET = "https://nl.gdcat.example/dataset/wes-rare-disease-walk"


@dataclass
class Node:
    live: LiveGdcat
    token: str


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with start_gdcat(tmp_path_factory.mktemp("describe-walk"), datasets=None) as live:
        _, token = TokenFile(live.settings.tokens_file).create("nl", country="NLD")
        # the first check loads the vocabularies and the profile's shapes: not the walk's wait
        httpx.post(f"{live.url}/describe/check", data={"readiness": "READY"}, timeout=120)
        yield Node(live, token)


def signed_in(open_tab: Callable[..., Tab], node: Node, **options: object) -> Tab:
    tab = open_tab(**options)
    tab.page.context.add_cookies(
        [
            {
                "name": COOKIE_NAME,
                "value": new_cookie_value(node.token),
                "url": node.live.url,
                "httpOnly": True,
                "secure": True,
                "sameSite": "Strict",
            }
        ]
    )
    return tab


def fill_not_shareable(page: Page) -> None:
    """The survey's answers for the dataset, short of its barriers to sharing."""
    page.locator("#f-id").fill(DATASET)
    page.locator("#f-title-text-1").fill("Rare disease exomes, diagnostic cohort")
    page.locator("#f-description-text-1").fill(
        "Clinical exomes of patients with a suspected rare genetic disease."
    )
    page.locator("#f-access_rights").select_option("access-right:NON_PUBLIC")
    page.locator('input[name="sequencing_type"][value="WES"]').check()
    page.locator("#f-reference_genome").scroll_into_view_if_needed()
    page.locator('input[name="reference_genome"][value="GRCh38"]').check()
    page.locator("#f-number_of_unique_individuals").fill("1250")
    page.locator("#f-number_of_exomes").fill("1250")
    page.locator('input[name="genomic_file_format"][value="CRAM"]').check()
    page.locator("#f-data_use_permission").select_option("DUO:0000007")
    page.locator('input[name="data_use_modifier"][value="DUO:0000046"]').check()
    page.locator("#f-has_linked_clinical_data-yes").check()
    page.locator("#f-consent_status").select_option("CLINICAL_ONLY")
    page.locator("#f-readiness").select_option("NOT_READY")


def test_a_steward_describes_checks_and_publishes_a_dataset(
    node: Node, open_tab: Callable[..., Tab]
) -> None:
    tab = signed_in(open_tab, node)
    page = tab.page
    assert tab.open(f"{node.live.url}/describe") == 200
    expect(page.locator("h1")).to_have_text("Describe a dataset")
    publish = page.get_by_role("button", name="Publish to nl")
    expect(publish).to_be_visible()

    fill_not_shareable(page)
    # the disease, found by its name while typing
    page.locator("#f-disease-q").fill("marfan")
    match = page.locator('#f-disease-matches input[value="ORPHA:558"]')
    expect(match).to_be_visible(timeout=TIMEOUT)
    match.check()

    # checked as the steward types: the missing barrier to sharing appears by its field
    barrier = page.locator("#f-sharing_barrier-msg")
    expect(barrier).to_contain_text("Must be fixed", timeout=TIMEOUT)
    expect(barrier).to_contain_text("readiness is not READY")
    expect(page.locator("#check-summary")).to_contain_text("1 problem must be fixed")
    expect(page.locator("#f-distribution-msg")).not_to_contain_text("Must be fixed")
    page.locator("#s-readiness").scroll_into_view_if_needed()
    tab.screenshot("describe-violation")

    page.locator('input[name="sharing_barrier"][value="CONSENT"]').check()
    expect(barrier).not_to_contain_text("Must be fixed", timeout=TIMEOUT)
    expect(page.locator("#check-summary")).to_contain_text("The dataset passes profile gdcat.")
    yaml_preview = page.locator("#preview-yaml")
    expect(yaml_preview).to_contain_text("readiness: NOT_READY")
    expect(yaml_preview).to_contain_text("- ORPHA:558")
    expect(page.locator("#preview-turtle")).to_contain_text("gdcat:oneMgReadiness")
    tab.screenshot("describe-preview")

    publish.click()
    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("Published: node nl created the record.", timeout=TIMEOUT)
    tab.screenshot("describe-published")
    page.get_by_role("link", name="Open the dataset's page").click()
    expect(page.locator("h1")).to_have_text("Rare disease exomes, diagnostic cohort")
    assert node.live.store.get_record(DATASET) is not None
    assert tab.problems == []


def test_the_form_checks_without_javascript(node: Node, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(java_script_enabled=False)
    page = tab.page
    assert tab.open(f"{node.live.url}/describe") == 200
    fill_not_shareable(page)
    page.locator("#f-id").fill("https://nl.gdcat.example/dataset/no-script")
    page.locator("#f-phenotype-q").fill("Seizure")
    page.get_by_role("button", name="Check the form").click()
    expect(page.locator("#f-sharing_barrier-msg")).to_contain_text("readiness is not READY")
    expect(page.locator('input[name="phenotype"][value="HP:0001250"]')).to_be_checked()
    expect(page.locator("#f-title-text-1")).to_have_value("Rare disease exomes, diagnostic cohort")
    expect(page.get_by_role("link", name="Sign in to publish")).to_be_visible()
    expect(page.locator("#preview-yaml")).to_contain_text("HP:0001250")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download YAML").click()
    saved = Path(download.value.path())
    assert "readiness: NOT_READY" in saved.read_text(encoding="utf-8")


def test_the_form_in_german(node: Node, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(locale="de-DE")
    tab.open(f"{node.live.url}/describe?lang=de")
    expect(tab.page.locator("h1")).to_have_text("Einen Datensatz beschreiben")
    expect(tab.page.locator("#s-genomic-title")).to_have_text(re.compile("Genomische Daten"))
    tab.screenshot("describe-de")


@pytest.mark.parametrize("state", ["blank", "checked"])
def test_axe_finds_no_serious_violation_on_the_form(
    node: Node, open_tab: Callable[..., Tab], state: str
) -> None:
    tab = signed_in(open_tab, node, bypass_csp=True)  # axe is the test's own script
    page = tab.page
    page.goto(f"{node.live.url}/describe")
    if state == "checked":
        fill_not_shareable(page)
        page.get_by_role("button", name="Check the form").click()
        expect(page.locator("#f-sharing_barrier-msg")).to_contain_text("Must be fixed")
    else:
        tab.screenshot("describe")
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_the_draft_is_kept_in_the_browser(node: Node, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.open(f"{node.live.url}/describe")
    expect(page.locator("#draft-restore")).to_be_hidden()
    page.locator("#f-id").fill("https://nl.gdcat.example/dataset/draft")
    page.locator("#f-title-text-1").fill("A dataset described in two sittings")
    page.locator("#f-readiness").select_option("CONDITIONAL")
    for _ in range(100):  # kept half a second after the last change (polled: CSP forbids eval)
        if "two sittings" in (page.evaluate("localStorage.getItem('gdcat.describe.draft')") or ""):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the draft was not kept in localStorage")

    tab.open(f"{node.live.url}/describe")  # another visit: the blank form offers the draft
    expect(page.locator("#draft-restore")).to_be_visible()
    page.get_by_role("button", name="Restore the draft").click()
    expect(page.locator("#f-title-text-1")).to_have_value(
        "A dataset described in two sittings", timeout=TIMEOUT
    )
    expect(page.locator("#f-id")).to_have_value("https://nl.gdcat.example/dataset/draft")
    expect(page.locator("#f-readiness")).to_have_value("CONDITIONAL")
    expect(page.locator("#f-sharing_barrier-msg")).to_contain_text("Must be fixed")

    tab.open(f"{node.live.url}/describe")
    page.get_by_role("button", name="Discard it").click()
    expect(page.locator("#draft-restore")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('gdcat.describe.draft')") is None
    assert tab.problems == []
