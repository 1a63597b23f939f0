"""Issue 10's acceptance, as one steward goes through it, in real Chromium against a real
writable ``gdcat serve`` process (steward tokens for nodes es and nl, under a memory cap).

- Describe: sign in with the node token at ``/steward``, open "Describe a dataset" from the
  records page, fill the form for a WES rare-disease dataset that cannot be shared yet (no
  consent for secondary use), see a violation appear as the form is checked while typing, fix
  it, publish; find the record in search and in the inventory's "not shareable" column; edit
  it from the records page (the form pre-filled, a new title, the dataset page shows it);
  withdraw it (gone from search, the inventory's count back).
- Another node: no controls for the record, and a crafted post of the form with that node's
  own valid form token is refused by the server (403) and audited.
- Spreadsheet: the template downloaded, 20 rows filled with openpyxl (3 wrong), the validation
  page names the three rows and columns, the upload is refused with nothing stored; fixed, the
  20 datasets publish in one step and are found in search.
- axe-core: 0 serious/critical on each steward page type reached in the walk.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import openpyxl
import pytest
from browser_tabs import Tab
from capped_gdcat import CappedGdcat, start_capped_gdcat
from playwright.sync_api import Page, expect
from test_search_walk import axe_violations

TIMEOUT = 20_000
DATASET = "https://es.gdcat.example/dataset/wes-rare-disease-acceptance"
TITLE = "Rare disease exomes of the acceptance cohort"
NEW_TITLE = "Rare disease exomes of the acceptance cohort, re-described"
#: The axe-core findings of every steward page type the walk reached, by page type.
AXE: dict[str, list[dict[str, Any]]] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CappedGdcat]:
    with start_capped_gdcat(
        tmp_path_factory.mktemp("steward-acceptance"),
        datasets=20,
        token_nodes=("es", "nl"),
        admin_token="admin-of-the-acceptance",
    ) as live:
        # the first check loads the vocabularies and the profile's shapes: not the walk's wait
        httpx.post(f"{live.url}/describe/check", data={"readiness": "READY"}, timeout=120)
        yield live


def axe(tab: Tab, kind: str) -> None:
    """Run axe-core on the page as it is now; remembered for the page type ``kind``."""
    AXE[kind] = [v for v in axe_violations(tab.page) if v["impact"] in ("serious", "critical")]
    assert AXE[kind] == [], (kind, AXE[kind])


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


def hits(page: Page, server: CappedGdcat, query: str, title: str) -> int:
    page.goto(f"{server.url}/search?q={quote(query)}")
    return page.locator("ol.hits li h3 a", has_text=title).count()


def fill_not_shareable(page: Page) -> None:
    """The survey's answers for a WES rare-disease dataset without consent for secondary use,
    short of its barriers to sharing."""
    page.locator("#f-id").fill(DATASET)
    page.locator("#f-title-text-1").fill(TITLE)
    page.locator("#f-description-text-1").fill(
        "Clinical exomes of patients with a suspected rare genetic disease, sequenced for "
        "diagnosis; the patients consented to clinical use only."
    )
    page.locator("#f-spatial").fill("ESP")
    page.locator("#f-access_rights").select_option("access-right:NON_PUBLIC")
    page.locator('input[name="sequencing_type"][value="WES"]').check()
    page.locator('input[name="reference_genome"][value="GRCh38"]').check()
    page.locator("#f-number_of_unique_individuals").fill("1250")
    page.locator("#f-number_of_exomes").fill("1250")
    page.locator('input[name="genomic_file_format"][value="CRAM"]').check()
    page.locator("#f-data_use_permission").select_option("DUO:0000007")
    page.locator("#f-has_linked_clinical_data-yes").check()
    page.locator("#f-consent_status").select_option("CLINICAL_ONLY")
    page.locator("#f-readiness").select_option("NOT_READY")


def test_a_steward_describes_publishes_edits_and_withdraws(
    server: CappedGdcat, open_tab: Callable[..., Tab]
) -> None:
    tab = open_tab(bypass_csp=True)  # axe is the test's own script; the pages' CSP is tested
    page = tab.page  # elsewhere (test_pages_under_csp.py)
    page.goto(f"{server.url}/steward")
    axe(tab, "sign-in")
    sign_in(page, server, server.tokens["es"])
    tab.screenshot("steward-acceptance-records")
    axe(tab, "records")
    before = not_shareable_in_spain(page, server)

    # from the records page to the form
    page.goto(f"{server.url}/steward/records")
    expect(page.get_by_role("link", name="Spreadsheet template (XLSX)")).to_be_visible()
    page.get_by_role("link", name="Describe a dataset").first.click()
    page.wait_for_url(f"{server.url}/describe")
    expect(page.get_by_role("button", name="Publish to es")).to_be_visible()
    axe(tab, "describe, blank")

    fill_not_shareable(page)
    barrier = page.locator("#f-sharing_barrier-msg")
    expect(barrier).to_contain_text("Must be fixed", timeout=TIMEOUT)  # as the steward types
    expect(barrier).to_contain_text("readiness is not READY")
    page.locator("#s-readiness").scroll_into_view_if_needed()
    tab.screenshot("steward-acceptance-violation")
    axe(tab, "describe, with messages")
    page.locator('input[name="sharing_barrier"][value="CONSENT"]').check()
    expect(barrier).not_to_contain_text("Must be fixed", timeout=TIMEOUT)
    expect(page.locator("#check-summary")).not_to_contain_text("must be fixed")

    page.get_by_role("button", name="Publish to es").click()
    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("Published: node es created the record.", timeout=TIMEOUT)
    tab.screenshot("steward-acceptance-published")
    axe(tab, "publish outcome")

    assert hits(page, server, "acceptance cohort", TITLE) == 1
    assert not_shareable_in_spain(page, server) == before + 1

    # edit: from the records page, the form pre-filled from the stored record
    page.goto(f"{server.url}/steward/records")
    row = page.locator("table.steward-records tbody tr", has_text=DATASET)
    row.get_by_role("link", name=re.compile("^Edit")).click()
    page.wait_for_url(re.compile(r"/describe\?record="))
    expect(page.locator("#f-title-text-1")).to_have_value(TITLE)
    expect(page.locator("#f-readiness")).to_have_value("NOT_READY")
    page.locator("#f-title-text-1").fill(NEW_TITLE)
    page.get_by_role("button", name="Publish to es").click()
    expect(outcome).to_contain_text("Published: node es replaced its record.", timeout=TIMEOUT)
    page.get_by_role("link", name="Open the dataset's page").click()
    expect(page.locator("h1")).to_have_text(NEW_TITLE)
    assert not_shareable_in_spain(page, server) == before + 1  # replaced, not added

    # withdraw, with its confirmation step
    page.goto(f"{server.url}/steward/records")
    row = page.locator("table.steward-records tbody tr", has_text=DATASET)
    row.get_by_role("link", name=re.compile("^Withdraw")).click()
    page.wait_for_url(re.compile(r"/steward/records/withdraw\?record="))
    tab.screenshot("steward-acceptance-withdraw")
    axe(tab, "withdraw confirmation")
    page.get_by_role("button", name="Withdraw the record").click()
    page.wait_for_load_state("load")
    assert "Withdrawn" in page.locator("main").inner_text()
    assert hits(page, server, "acceptance cohort", "acceptance cohort") == 0
    assert not_shareable_in_spain(page, server) == before

    # the node's quality page, linked from the records page
    page.goto(f"{server.url}/steward/records")
    page.get_by_role("link", name="Quality of your node's records").click()
    page.wait_for_url(f"{server.url}/nodes/es/quality")
    axe(tab, "quality")
    assert tab.page_errors == [] and tab.dialogs == []


def test_another_node_cannot_change_the_record(
    server: CappedGdcat, open_tab: Callable[..., Tab]
) -> None:
    es_record = httpx.get(f"{server.url}/api/nodes/es/datasets").json()["items"][0]["dataset"]
    tab = open_tab()
    page = tab.page
    sign_in(page, server, server.tokens["nl"])
    assert es_record not in page.locator("main").inner_text()
    # the form of es's record, opened by its address: shown, but not offered for publishing
    page.goto(f"{server.url}/describe?record={quote(es_record, safe='')}")
    expect(page.locator("#held-elsewhere")).to_contain_text("held by node es")
    expect(page.get_by_role("button", name="Publish to nl")).to_have_count(0)
    # a crafted post of the form, with nl's own valid form token: the server refuses
    status, body = page.evaluate(
        """async (record) => {
            const form = new FormData(document.querySelector('#describe-form'));
            form.set('id', record);
            form.set('title.text.1', 'Overwritten by another node');
            const answer = await fetch('/steward/publish', {method: 'POST', body: form});
            return [answer.status, await answer.text()];
        }""",
        es_record,
    )
    assert status == 403, body
    assert "held by node es" in body
    record = httpx.get(f"{server.url}/api/nodes/es/datasets").json()["items"]
    assert es_record in {item["dataset"] for item in record}
    assert (
        "Overwritten by another node"
        not in httpx.get(f"{server.url}/api/datasets", params={"iri": es_record}).text
    )
    audit = httpx.get(f"{server.url}/api/audit", params={"dataset": es_record}).json()["items"]
    assert audit[0]["outcome"] == "forbidden" and audit[0]["node"] == "nl"
    server.assert_healthy()


# -- the spreadsheet ----------------------------------------------------------------------

ROWS = 20
#: The three wrong rows (spreadsheet rows: the header is row 1) and what is wrong in each.
WRONG = {
    5: ("number_of_exomes", -12),
    11: ("sequencing_type", "WXS"),
    17: ("readiness", None),
}


def sheet_id(n: int) -> str:
    return f"https://es.gdcat.example/dataset/sheet-exomes-{n:02d}"


def fill_template(template: bytes, *, wrong: bool) -> bytes:
    """The template with its example row copied into 20 rows, each its own dataset, three of
    them wrong when ``wrong``."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book["datasets"]
    header = [cell.value for cell in sheet[1]]
    example = [cell.value for cell in sheet[2]]
    for n in range(ROWS):
        row = 2 + n
        values = dict(zip(header, example, strict=True))
        values["id"] = sheet_id(n + 1)
        values["identifier"] = f"ES-SHEET-{n + 1:02d}"
        values["title"] = f"Spreadsheet exomes batch {n + 1:02d}"
        if wrong and row in WRONG:
            column, value = WRONG[row]
            values[column] = value
        for col, name in enumerate(header, start=1):
            sheet.cell(row=row, column=col, value=values[name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_steward_publishes_twenty_datasets_from_the_template(
    server: CappedGdcat, open_tab: Callable[..., Tab], tmp_path: Path
) -> None:
    tab = open_tab(bypass_csp=True)
    page = tab.page
    sign_in(page, server, server.tokens["es"])
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Spreadsheet template (XLSX)").click()
    template = Path(waiting.value.path()).read_bytes()
    wrong = tmp_path / "exomes-wrong.xlsx"
    wrong.write_bytes(fill_template(template, wrong=True))

    # the validation page names the three rows and columns
    page.goto(f"{server.url}/validate")
    page.locator("#file").set_input_files(str(wrong))
    page.get_by_role("button", name="Validate", exact=True).click()
    expect(page.locator("#summary")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#count-records")).to_have_text(str(ROWS))
    expect(page.locator("#count-violations")).to_have_text("3")
    report = page.locator("main").inner_text()
    for row, (column, _) in WRONG.items():
        assert f"sheet datasets, row {row}, column" in report and column in report, (row, column)
    tab.screenshot("steward-acceptance-sheet-report", full_page=False)
    axe(tab, "validate report")

    # publishing it is refused, nothing stored
    page.goto(f"{server.url}/steward/records")
    page.set_input_files("#upload-file", str(wrong))
    page.get_by_role("button", name="Validate and publish").click()
    page.wait_for_load_state("load")
    refused = page.locator("main").inner_text()
    assert "3 of the 20 records of exomes-wrong.xlsx were refused, so none was stored." in refused
    for row in WRONG:
        assert f"row {row}" in refused
    tab.screenshot("steward-acceptance-sheet-refused", full_page=True)
    axe(tab, "upload refused")
    live = {i["dataset"] for i in httpx.get(f"{server.url}/api/nodes/es/datasets").json()["items"]}
    assert not any(sheet_id(n + 1) in live for n in range(ROWS))

    # fixed: the 20 publish in one step
    fixed = tmp_path / "exomes.xlsx"
    fixed.write_bytes(fill_template(template, wrong=False))
    page.goto(f"{server.url}/steward/records")
    page.set_input_files("#upload-file", str(fixed))
    page.get_by_role("button", name="Validate and publish").click()
    page.wait_for_load_state("load")
    published = page.locator("main").inner_text()
    assert published.count("Published (new)") == ROWS
    axe(tab, "upload outcome")
    page.goto(f"{server.url}/search?q={quote('Spreadsheet exomes batch')}&page_size=50")
    titles = page.locator("ol.hits li h3 a").all_inner_texts()
    assert {f"Spreadsheet exomes batch {n + 1:02d}" for n in range(ROWS)} <= set(titles)
    assert tab.page_errors == [] and tab.dialogs == []
