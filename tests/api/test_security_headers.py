"""Every answer carries the security headers; every HTML answer a Content-Security-Policy that
allows only gdcat's own scripts and styles, and no page needs more (no inline script or style).

Against the live demo federation: every kind of page is found by following the links from
the home page (one page of each kind), plus the pages no link leads to (a harvest run, the
API documentation, a problem rendered as HTML).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from live_gdcat import LiveGdcat

from gdcat.api import create_app
from gdcat.api.security_headers import PAGE_POLICY
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

HTML = {"Accept": "text/html"}


class _Page(HTMLParser):
    """Links, and whatever a strict policy would block: inline scripts (other than JSON-LD
    data blocks), inline styles, event handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "script":
            if found.get("src"):
                self.scripts.append(found["src"] or "")
            elif found.get("type") != "application/ld+json":
                self.inline.append("<script> without src")
        if tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(found.get("href") or "")
        if tag == "style":
            self.inline.append("<style>")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{name}= on <{tag}>")


def read(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


#: Path segments followed by a key or a name (masked in a page's kind).
_KEYED = {
    *("catalog", "dataset", "record", "run", "distribution", "profile", "registration"),
    "nodes",
}


def page_kind(url: str) -> str:
    """A page's kind: its path with keys masked, and its query's names."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    masked = [
        "*" if i > 0 and segments[i - 1] in _KEYED and s else s for i, s in enumerate(segments)
    ]
    names = sorted(p.split("=")[0] for p in parts.query.split("&") if p)
    return "/".join(masked) + ("?" + "&".join(names) if names else "")


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def html_answers(gdcat_server: LiveGdcat, client: httpx.Client) -> dict[str, httpx.Response]:
    """One HTML answer of each kind gdcat serves, by kind."""
    origin = gdcat_server.url
    assert gdcat_server.report is not None
    todo = [
        origin + "/",
        origin + "/api/docs",
        origin + "/sparql",
        gdcat_server.report.run,
        origin + "/dataset/" + "0" * 24,  # a problem, as HTML
    ]
    seen: dict[str, list[httpx.Response]] = {}
    asked = 0
    while todo and asked < 200:
        url = todo.pop(0)
        kind = page_kind(url)
        if len(seen.get(kind, ())) >= 3 or not url.startswith(origin):
            continue  # a few pages of each kind, to find the kinds they link to
        r = client.get(url, headers=HTML)
        asked += 1
        seen.setdefault(kind, []).append(r)
        if r.headers.get("content-type", "").startswith("text/html"):
            todo += [urljoin(url, link).split("#")[0] for link in read(r.text).links]
    return {
        kind: answers[0]
        for kind, answers in seen.items()
        if answers[0].headers["content-type"].startswith("text/html")
    }


def test_every_kind_of_page_is_checked(html_answers: dict[str, httpx.Response]) -> None:
    kinds = set(html_answers)
    for expected in (
        "/",
        "/api/docs",
        "/sparql",
        "/feed",
        "/catalog/*",
        "/dataset/*",
        "/dataset/*/distribution/*",
        "/record/*",
        "/run/*",
    ):
        assert any(k == expected or k.startswith(expected + "?") for k in kinds), (
            f"no {expected} page among {sorted(kinds)}"
        )
    assert any(r.status_code == 404 for r in html_answers.values())  # the problem page


def test_every_html_answer_carries_the_policy_and_the_headers(
    html_answers: dict[str, httpx.Response],
) -> None:
    for kind, r in html_answers.items():
        policy = r.headers.get("content-security-policy", "")
        assert policy.startswith(PAGE_POLICY.split("form-action")[0]), (kind, policy)
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["script-src"] == ["'self'"], kind
        assert directives["style-src"] == ["'self'"], kind
        assert directives["default-src"] == ["'none'"], kind
        assert directives["frame-ancestors"] == ["'none'"], kind
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert r.headers["x-content-type-options"] == "nosniff", kind
        assert r.headers["x-frame-options"] == "DENY", kind
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", kind


def test_no_page_needs_an_inline_script_or_style(
    gdcat_server: LiveGdcat, client: httpx.Client, html_answers: dict[str, httpx.Response]
) -> None:
    for kind, r in html_answers.items():
        page = read(r.text)
        assert page.inline == [], (kind, page.inline)
        for asset in page.scripts + page.stylesheets:  # what the policy lets them load
            url = urljoin(str(r.url), asset)
            assert url.startswith(gdcat_server.url), (kind, asset)
            loaded = client.get(url)
            assert loaded.status_code == 200, (kind, asset)
            assert loaded.headers["x-content-type-options"] == "nosniff"


def test_other_answers_are_not_sniffed_nor_framed(
    gdcat_server: LiveGdcat, client: httpx.Client
) -> None:
    for path, headers in (
        ("/api/datasets", {}),
        ("/", {"Accept": "text/turtle"}),
        ("/openapi.json", {}),
        ("/dataset/" + "0" * 24, {}),  # a problem document
        ("/assets/gdcat.css", {}),
        ("/assets/no-such-file.css", {}),
    ):
        r = client.get(gdcat_server.url + path, headers=headers)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert "content-security-policy" not in r.headers, path  # not a document
    preflight = client.options(
        gdcat_server.url + "/api/datasets",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["x-content-type-options"] == "nosniff"


def test_an_unexpected_error_carries_the_headers_too(tmp_path: Path) -> None:
    """Starlette answers an unexpected error outside the middleware a route's answers pass
    through: the headers are set outside that too."""
    settings = Settings(base_iri="http://127.0.0.1:9/", store_dir=tmp_path / "s")
    store = OxigraphStore(None, settings.base_iri)
    app = create_app(settings, store)

    @app.get("/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        r = test_client.get("/fails", headers=HTML)
        assert r.status_code == 500
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
        head = test_client.head("/api/docs")
        assert (
            head.status_code == 200
            and "script-src 'self'" in head.headers["content-security-policy"]
        )
    store.close()
