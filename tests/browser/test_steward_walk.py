"""A data steward's walk in real Chromium against a real ``gdcat serve`` process (with steward
tokens, under a memory cap): sign in with the node token (the Secure cookie works on
http://127.0.0.1), see the node's records, upload a WES rare-disease dataset that cannot be
shared yet (no consent for secondary use), find it in search and in the inventory's "not
shareable" column, replace it by uploading Turtle, withdraw it; another node's steward sees no
controls for it and a crafted post is refused by the server. axe-core on the steward pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from browser_tabs import Tab
from capped_gdcat import CappedGdcat, start_capped_gdcat
from playwright.sync_api import Page
from test_search_walk import axe_violations

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "model" / "examples" / "valid"
YAML = VALID / "es-clinical-exomes-not-shareable.yaml"
TURTLE = VALID / "es-clinical-exomes-not-shareable.ttl"
IRI = "https://es.gdcat.example/dataset/hospital-clinical-exomes"
TITLE = "Hospital clinical diagnostic exomes"
NEW_TITLE = "Hospital clinical diagnostic exomes, re-described"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CappedGdcat]:
    with start_capped_gdcat(
        tmp_path_factory.mktemp("steward-walk"),
        datasets=20,
        token_nodes=("es", "nl"),
        admin_token="admin-of-the-steward-walk",
    ) as live:
        yield live


def sign_in(page: Page, server: CappedGdcat, token: str) -> None:
    page.goto(f"{server.url}/steward")
    page.get_by_label("Steward token of your node").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/steward/records")


def not_shareable_in_spain(page: Page, server: CappedGdcat) -> int:
    page.goto(f"{server.url}/inventory")
    found = page.evaluate(
        """() => {
            const heads = [...document.querySelectorAll('thead tr:last-child th')];
            const column = heads.findIndex(h => h.id === 'col-shareable') + 1;
            const row = document.querySelector('tr[data-country="ESP"]');
            return row ? row.querySelectorAll('td')[column].textContent.trim() : '0';
        }"""
    )
    return int(re.sub(r"\D", "", str(found)) or 0)


def upload(page: Page, field: str, path: Path, button: str) -> str:
    page.set_input_files(field, str(path))
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")
    return page.locator("main").inner_text()


def test_a_steward_publishes_replaces_and_withdraws_in_the_browser(
    server: CappedGdcat, open_tab, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    tab: Tab = open_tab()
    page = tab.page
    page.goto(f"{server.url}/search")
    page.get_by_role("link", name="For stewards").click()
    page.wait_for_url(f"{server.url}/steward")
    tab.screenshot("steward-sign-in")

    # a wrong token: told so, no cookie
    page.get_by_label("Steward token of your node").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    assert "This token is unknown or has been revoked" in page.locator("main").inner_text()
    assert page.context.cookies() == []
    assert tab.console_errors == [
        "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    ]
    tab.console_errors.clear()

    sign_in(page, server, server.tokens["es"])
    (cookie,) = page.context.cookies()
    assert cookie["name"] == "gdcat_steward"
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # the Secure cookie came back over http://127.0.0.1: the page knows the steward
    assert "Signed in for node es" in page.locator("header").inner_text()
    assert page.evaluate("document.cookie") == ""  # scripts never see it
    harvested = httpx.get(f"{server.url}/api/nodes/es/datasets").json()["items"]
    table = page.locator("table.steward-records").inner_text()
    for item in harvested:
        assert item["dataset"] in table
    assert "harvested" in table
    tab.screenshot("steward-records", full_page=True)

    before = not_shareable_in_spain(page, server)
    page.goto(f"{server.url}/steward/records")
    outcome = upload(page, "#upload-file", YAML, "Validate and publish")
    assert "Published (new)" in outcome and IRI in outcome
    assert "distribution.license" in outcome  # the warning, by field
    tab.screenshot("steward-upload-outcome", full_page=True)

    page.goto(f"{server.url}/search?q=clinical+diagnostic+exomes")
    assert page.locator("ol.hits li h3 a", has_text=TITLE).count() == 1
    assert not_shareable_in_spain(page, server) == before + 1

    # replace by uploading Turtle with a new title
    page.goto(f"{server.url}/steward/records")
    row = page.locator("table.steward-records tbody tr", has_text=IRI)
    assert "published here" in row.inner_text()
    row.get_by_role("link", name=re.compile("^Replace by upload")).click()
    page.wait_for_url(re.compile(r"/steward/records/replace\?record="))
    turtle = tmp_path / "exomes.ttl"
    turtle.write_text(
        TURTLE.read_text(encoding="utf-8").replace(f'"{TITLE}"@en', f'"{NEW_TITLE}"@en'),
        encoding="utf-8",
    )
    outcome = upload(page, "#replace-file", turtle, "Validate and replace")
    assert "Replaced" in outcome
    page.get_by_role("link", name="View the record").click()
    page.wait_for_load_state("load")
    assert NEW_TITLE in page.locator("h1").inner_text()

    # withdraw, with a confirmation step
    page.goto(f"{server.url}/steward/records")
    row = page.locator("table.steward-records tbody tr", has_text=IRI)
    row.get_by_role("link", name=re.compile("^Withdraw")).click()
    page.wait_for_url(re.compile(r"/steward/records/withdraw\?record="))
    tab.screenshot("steward-withdraw")
    page.get_by_role("button", name="Withdraw the record").click()
    page.wait_for_load_state("load")
    assert "Withdrawn" in page.locator("main").inner_text()
    page.goto(f"{server.url}/steward/records")
    assert IRI not in page.locator("main").inner_text()
    assert not_shareable_in_spain(page, server) == before
    page.goto(f"{server.url}/search?q=clinical+diagnostic+exomes")
    assert page.locator("ol.hits li h3 a", has_text="clinical diagnostic exomes").count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{server.url}/steward")
    assert page.context.cookies() == []
    assert tab.problems == []


def test_another_nodes_steward_has_no_controls_and_is_refused(
    server: CappedGdcat, open_tab
) -> None:  # type: ignore[no-untyped-def]
    tab: Tab = open_tab()
    page = tab.page
    es_record = httpx.get(f"{server.url}/api/nodes/es/datasets").json()["items"][0]["dataset"]
    sign_in(page, server, server.tokens["nl"])
    assert "Signed in for node nl" in page.locator("header").inner_text()
    assert es_record not in page.locator("main").inner_text()
    answer = page.goto(f"{server.url}/steward/records/withdraw?record={quote(es_record, safe='')}")
    assert answer is not None and answer.status == 403
    assert page.get_by_role("button", name="Withdraw the record").count() == 0
    # a crafted post from nl's own page, with nl's valid form token: the server refuses
    page.goto(f"{server.url}/steward/records")
    status, body = page.evaluate(
        """async (record) => {
            const form = new FormData();
            form.append('csrf_token', document.querySelector('[name=csrf_token]').value);
            form.append('record', record);
            const answer = await fetch('/steward/records/withdraw', {method: 'POST', body: form});
            return [answer.status, await answer.text()];
        }""",
        es_record,
    )
    assert status == 403 and "held by node es" in body
    live = httpx.get(f"{server.url}/api/nodes/es/datasets").json()["items"]
    assert es_record in {item["dataset"] for item in live}
    audit = httpx.get(f"{server.url}/api/audit", params={"dataset": es_record}).json()["items"]
    assert audit[0]["outcome"] == "forbidden" and audit[0]["node"] == "nl"
    server.assert_healthy()


@pytest.mark.parametrize("path", ["/steward", "/steward/records"])
def test_axe_finds_no_serious_violation_on_the_steward_pages(
    server: CappedGdcat, open_tab, path: str
) -> None:  # type: ignore[no-untyped-def]
    tab: Tab = open_tab(bypass_csp=True)  # axe is injected as a script of the test's own
    page = tab.page
    if path == "/steward/records":
        sign_in(page, server, server.tokens["es"])
    else:
        page.goto(server.url + path)
        page.get_by_label("Steward token of your node").fill("not-a-token")
        page.get_by_role("button", name="Sign in").click()  # the page with its message
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_publishing_and_withdrawing_need_no_javascript(
    server: CappedGdcat, open_tab, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    tab: Tab = open_tab(java_script_enabled=False)
    page = tab.page
    iri = "https://es.gdcat.example/dataset/exomes-without-javascript"
    record = tmp_path / "exomes.yaml"
    record.write_text(YAML.read_text(encoding="utf-8").replace(IRI, iri), encoding="utf-8")
    sign_in(page, server, server.tokens["es"])
    assert "Published (new)" in upload(page, "#upload-file", record, "Validate and publish")
    page.goto(f"{server.url}/steward/records")
    row = page.locator("table.steward-records tbody tr", has_text=iri)
    row.get_by_role("link", name=re.compile("^Withdraw")).click()
    page.get_by_role("button", name="Withdraw the record").click()
    page.wait_for_load_state("load")
    assert "Withdrawn" in page.locator("main").inner_text()
    live = httpx.get(f"{server.url}/api/nodes/es/datasets").json()["items"]
    assert iri not in {item["dataset"] for item in live}
    assert tab.problems == []
