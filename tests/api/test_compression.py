"""gzip for text answers, against the demo federation served over a real socket."""

from __future__ import annotations

import gzip

import httpx
from live_gdcat import LiveGdcat


def _raw(url: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The answer and its body exactly as sent on the wire (not decoded)."""
    with httpx.Client(timeout=30) as client, client.stream("GET", url, headers=headers) as r:
        return r, b"".join(r.iter_raw())


def test_the_search_page_reaches_a_gzip_client_compressed_and_whole(
    gdcat_server: LiveGdcat,
) -> None:
    plain, plain_body = _raw(gdcat_server.url + "/search", **{"Accept-Encoding": "identity"})
    packed, packed_body = _raw(gdcat_server.url + "/search", **{"Accept-Encoding": "gzip"})

    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert int(packed.headers["content-length"]) == len(packed_body)
    assert gzip.decompress(packed_body) == plain_body
    assert len(packed_body) * 3 < len(plain_body)  # a page of text shrinks several times
    assert b"<html" in plain_body


def test_streamed_csv_and_sparql_results_are_compressed_as_they_stream(
    gdcat_server: LiveGdcat,
) -> None:
    url = (
        gdcat_server.url
        + "/sparql?query="
        + httpx.QueryParams({"q": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 2000"})["q"].replace(
            " ", "+"
        )
    )
    r, body = _raw(url, **{"Accept-Encoding": "gzip", "Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    rows = gzip.decompress(body).decode().splitlines()
    assert rows[0].split(",") == ["s", "p", "o"] and len(rows) == 2001


def test_small_and_binary_answers_and_refusals_of_gzip_are_left_alone(
    gdcat_server: LiveGdcat,
) -> None:
    health, body = _raw(gdcat_server.url + "/health", **{"Accept-Encoding": "gzip"})
    assert len(body) < 1024 and "content-encoding" not in health.headers
    refused, _ = _raw(gdcat_server.url + "/search", **{"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_a_signed_in_stewards_pages_are_never_compressed(gdcat_server: LiveGdcat) -> None:
    """Their pages carry a form token: compressed, its length would leak it (BREACH)."""
    r, _ = _raw(
        gdcat_server.url + "/search",
        **{"Accept-Encoding": "gzip", "Cookie": "gdcat_steward=anything.nonce"},
    )
    assert "content-encoding" not in r.headers


def test_a_compressed_answers_etag_still_gives_not_modified(gdcat_server: LiveGdcat) -> None:
    dataset = gdcat_server.url + "/catalog/"
    first, _ = _raw(dataset, **{"Accept-Encoding": "gzip", "Accept": "text/turtle"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    etag = first.headers["etag"]
    assert etag.endswith('-gz"')
    again, body = _raw(
        dataset,
        **{"Accept-Encoding": "gzip", "Accept": "text/turtle", "If-None-Match": etag},
    )
    assert again.status_code == 304 and body == b""
    plain, _ = _raw(dataset, **{"Accept-Encoding": "identity", "Accept": "text/turtle"})
    assert plain.headers["etag"] == etag.replace('-gz"', '"')
