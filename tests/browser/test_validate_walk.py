"""A data steward's walk through the validation page in Chromium, with JavaScript and without:
uploads an invalid record (``set_input_files``), reads the report (the summary, the record,
the field with its violation and the fix), downloads the report as CSV from the report page,
then pastes a malformed Turtle document and reads where it breaks. Screenshots for the docs,
and axe-core's rules over the form, a report and an error."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from browser_tabs import Tab, running_gdcat
from playwright.sync_api import Page, expect
from test_search_walk import axe_violations

from gdcat.paths import model_dir

TIMEOUT = 60_000
INVALID = model_dir() / "examples" / "invalid" / "negative-individuals.yaml"
VALID = model_dir() / "examples" / "valid"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_gdcat(tmp_path_factory.mktemp("validate-walk")) as (address, _, _):
        yield address


def upload_and_read(page: Page, url: str, path: Path) -> None:
    page.goto(f"{url}/validate")
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="Validate", exact=True).click()
    expect(page.locator("#summary")).to_be_visible(timeout=TIMEOUT)


def walk(tab: Tab, url: str, tmp: Path, *, screenshots: bool) -> None:
    page = tab.page
    upload_and_read(page, url, INVALID)
    expect(page.locator("#count-records")).to_have_text("1")
    expect(page.locator("#count-violations")).to_have_text("1")
    expect(page.locator("#count-conforming")).to_have_text("0")
    record = page.locator("li.record").first
    title = "Exome sequencing of a rare-disease cohort"
    expect(record.locator(".record-title")).to_have_text(title)
    field = record.locator("dt", has_text="number_of_unique_individuals")
    expect(field).to_be_visible()
    result = record.locator("dt:has-text('number_of_unique_individuals') + dd li.result").first
    expect(result.locator(".severity")).to_have_text("Violation")
    expect(result.locator(".message")).to_contain_text('"-120"')
    expect(result.locator(".hint")).to_contain_text("number_of_unique_individuals: 3500")
    if screenshots:
        tab.screenshot("validate-report")
        tab.screenshot("validate-report-full", full_page=True)

    with page.expect_download(timeout=TIMEOUT) as waiting:
        page.locator("form.downloads button[value='csv']").click()
    saved = tmp / "report.csv"
    waiting.value.save_as(saved)
    assert waiting.value.suggested_filename == "negative-individuals-gdcat-report.csv"
    rows = list(csv.DictReader(saved.open(encoding="utf-8")))
    assert ("number_of_unique_individuals", "Violation") in {
        (r["field"], r["severity"]) for r in rows
    }
    assert len(rows) == page.locator("li.result").count()

    page.goto(f"{url}/validate")
    page.locator("#text").fill(
        "@prefix dct: <http://purl.org/dc/terms/> .\n<https://x.example/d>\n  dct:title .\n"
    )
    page.locator("#format").select_option("turtle")
    page.get_by_role("button", name="Validate", exact=True).click()
    expect(page.locator("#problem")).to_contain_text("cannot be read as Turtle", timeout=TIMEOUT)
    expect(page.locator("#problem-location")).to_have_text("Line 3, column 13")
    # the pasted text stays in the form, to be corrected
    expect(page.locator("#text")).to_have_value(
        "@prefix dct: <http://purl.org/dc/terms/> .\n<https://x.example/d>\n  dct:title .\n"
    )
    if screenshots:
        tab.screenshot("validate-error")
    # the unreadable document's page is answered 400 (Chromium logs that status); nothing else
    assert tab.problems == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]


def test_the_validation_walk_with_javascript(url: str, tab: Tab, tmp_path: Path) -> None:
    walk(tab, url, tmp_path, screenshots=True)


def test_the_validation_walk_without_javascript(
    url: str, open_tab: Callable[..., Tab], tmp_path: Path
) -> None:
    walk(open_tab(java_script_enabled=False), url, tmp_path, screenshots=False)


def test_screenshots_of_the_form_and_a_report_of_many_records(
    url: str, tab: Tab, tmp_path: Path
) -> None:
    tab.open(f"{url}/validate")
    tab.screenshot("validate", full_page=True)
    records = []
    for n, path in enumerate(sorted(VALID.glob("*.yaml")) * 3):
        record = yaml.safe_load(path.read_text())
        if not isinstance(record, dict) or record.get("type", "Dataset") != "Dataset":
            continue
        record = dict(record, id=f"https://example.org/dataset/{n}")
        record.pop("in_series", None)
        if n % 7 == 0:
            record.pop("sequencing_type", None)
        records.append(record)
    document = tmp_path / "many-datasets.yaml"
    document.write_text(yaml.safe_dump(records, allow_unicode=True))
    upload_and_read(tab.page, url, document)
    expect(tab.page.locator("#count-records")).to_have_text(str(len(records)))
    expect(tab.page.locator("details[open]")).to_have_count(0)
    tab.screenshot("validate-many")
    # a record's details open on a click
    tab.page.locator("li.record.failing summary").first.click()
    expect(tab.page.locator("li.record.failing .fields").first).to_be_visible()
    assert tab.problems == []


@pytest.mark.parametrize("view", ["form", "report", "error", "form-de"])
def test_axe_finds_no_serious_violation(url: str, open_tab: Callable[..., Tab], view: str) -> None:
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of the test's own
    if view == "report":
        upload_and_read(page, url, INVALID)
    elif view == "error":
        page.goto(f"{url}/validate")
        page.locator("#text").fill("<a> <b> .")
        page.get_by_role("button", name="Validate", exact=True).click()
        expect(page.locator("#problem")).to_be_visible(timeout=TIMEOUT)
    else:
        page.goto(f"{url}/validate" + ("?lang=de" if view == "form-de" else ""))
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
