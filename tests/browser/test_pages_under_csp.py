"""gdcat's pages work under their Content-Security-Policy in Chromium: styles and scripts
load from gdcat's own files, nothing is refused, and the interactive API documentation (the
vendored Swagger UI, a large script) starts and lists the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_tabs import Tab, running_gdcat

#: What Chromium logs when a policy refuses something.
REFUSED = ("Content Security Policy", "Refused to")


@pytest.fixture(scope="module")
def gdcat_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_gdcat(tmp_path_factory.mktemp("csp")) as (url, _settings, _store):
        yield url


def refusals(tab: Tab) -> list[str]:
    return [m for m in tab.console_errors if any(r in m for r in REFUSED)]


def test_the_api_documentation_starts_under_the_policy(gdcat_url: str, tab: Tab) -> None:
    assert tab.open(gdcat_url + "/api/docs") == 200
    tab.page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "gdcat" in tab.page.inner_text(".swagger-ui .info .title")
    tab.page.wait_for_selector(".opblock-tag", timeout=20_000)  # the operations, by tag
    tags = tab.page.eval_on_selector_all(".opblock-tag", "els => els.map(e => e.innerText)")
    assert any("sparql" in t.lower() for t in tags), tags
    assert refusals(tab) == [] and tab.problems == [], tab.problems


@pytest.mark.parametrize(
    "path", ["/", "/search?q=genome", "/sparql", "/feed", "/dataset/" + "0" * 24]
)
def test_pages_are_styled_from_gdcat_s_own_sheet_with_nothing_refused(
    gdcat_url: str, tab: Tab, path: str
) -> None:
    tab.page.set_extra_http_headers({"Accept": "text/html"})
    tab.open(gdcat_url + path)
    assert refusals(tab) == [], tab.console_errors
    assert tab.page_errors == [] and tab.dialogs == []
    sheets = tab.page.evaluate("Array.from(document.styleSheets).map(s => s.href)")
    if path in ("/", "/feed", "/search?q=genome"):  # the templated pages
        assert sheets == [gdcat_url + "/assets/gdcat.css"]
        width = tab.page.evaluate("getComputedStyle(document.body).maxWidth")
        assert width == "1152px"  # 72rem: the sheet applies
