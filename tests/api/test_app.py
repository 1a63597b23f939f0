"""The application shell: problems, negotiation, the OpenAPI document, CORS."""

from __future__ import annotations

import httpx
from live_gdcat import LiveGdcat

from gdcat.api.negotiation import choose, parse_accept


def test_an_unknown_path_is_a_problem_document_negotiated_like_content(
    gdcat_server: LiveGdcat,
) -> None:
    r = httpx.get(gdcat_server.url + "/no/such/thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 404 and r.json()["title"] == "Not found"
    html = httpx.get(gdcat_server.url + "/no/such/thing", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")
    assert "404 Not found" in html.text


def test_the_openapi_document_describes_the_api(gdcat_server: LiveGdcat) -> None:
    r = httpx.get(gdcat_server.url + "/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "gdcat"
    assert doc["openapi"].startswith("3.")


def test_cors_lets_a_browser_page_elsewhere_call_the_api(gdcat_server: LiveGdcat) -> None:
    r = httpx.options(
        gdcat_server.url + "/openapi.json",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in ("*", "https://example.org")


def test_accept_headers_are_read_with_their_q_values() -> None:
    assert parse_accept("text/html;q=0.5, text/turtle")[0] == ("text/turtle", 1.0)
    offers = ["text/turtle", "application/ld+json", "text/html"]
    assert choose("application/ld+json, */*;q=0.1", offers) == "application/ld+json"
    assert choose("text/*;q=0.9, text/html", offers) == "text/html"
    assert choose("image/png", offers) is None
    assert choose(None, offers) == "text/turtle"
    assert choose("text/turtle;q=0, */*", offers) == "application/ld+json"


def test_head_answers_like_get_without_a_body(gdcat_server: LiveGdcat) -> None:
    for encoding in ("identity", "gzip"):
        _head_like_get(gdcat_server.url + "/openapi.json", encoding)


def _head_like_get(url: str, encoding: str) -> None:
    sent = {"Accept-Encoding": encoding}
    got = httpx.get(url, headers=sent)
    head = httpx.head(url, headers=sent)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-encoding") == got.headers.get("content-encoding")
    assert head.headers["content-length"] == got.headers["content-length"]
    if encoding == "identity":
        assert head.headers["content-length"] == str(len(got.content))


def test_the_openapi_document_says_failures_are_problem_documents(
    gdcat_server: LiveGdcat,
) -> None:
    doc = httpx.get(gdcat_server.url + "/openapi.json").json()
    operations = [op for path in doc["paths"].values() for op in path.values()]
    assert operations
    for operation in operations:
        assert "application/problem+json" in operation["responses"]["default"]["content"]
        if "422" in operation["responses"]:
            assert "application/json" not in operation["responses"]["422"]["content"]


def test_the_interactive_api_docs_work_without_internet(gdcat_server: LiveGdcat) -> None:
    page = httpx.get(gdcat_server.url + "/api/docs")
    assert page.status_code == 200
    assert "https://" not in page.text.replace("https://gdcat", "")  # no CDN
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        assert f"/api/docs/assets/{asset}" in page.text
        got = httpx.get(f"{gdcat_server.url}/api/docs/assets/{asset}")
        assert got.status_code == 200 and len(got.content) > 500
    assert httpx.get(gdcat_server.url + "/api/docs/assets/..%2Fapp.py").status_code == 404
