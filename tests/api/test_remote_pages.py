"""A dataset's page over a remote store reads the record in one request to the engine: its
catalogue record (404, 410 or live) and its graph together (issue 13: one dataset p95 <= 10 ms
over Oxigraph server, where each request is a round trip), with what the page asks first of
what the record names: the releases and series of the landing page, the datasets the RDF forms
link to."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from oxigraph_server import clear
from rdflib import Graph, URIRef

from gdcat.api import create_app
from gdcat.rdf import parse_file, split_records
from gdcat.settings import Settings
from gdcat.store import RecordMeta, RecordWrite, open_store, record_iri

BASE = "http://127.0.0.1:9/"
EXAMPLE = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
LIVE = "https://node.example.org/dataset/live"
GONE = "https://node.example.org/dataset/gone"


def engine_settings(request: pytest.FixtureRequest, engine: str, **settings: object) -> Settings:
    """Settings naming the session's ``engine`` (``oxigraph-server`` or ``virtuoso``), cleared."""
    if engine == "virtuoso":
        from virtuoso_server import virtuoso_settings

        return virtuoso_settings(request, **settings)
    url: str = request.getfixturevalue("oxigraph_url")
    clear(url)
    return Settings(store_url=url, **settings)  # type: ignore[arg-type]


def record_as(iri: str) -> Graph:
    """The example record, describing the dataset ``iri``."""
    record = split_records(parse_file(EXAMPLE / "se-allele-frequencies-beacon.ttl"))[0]
    old = URIRef(record.iri)
    out = Graph()
    for s, p, o in record.graph:
        out.add((URIRef(iri) if s == old else s, p, URIRef(iri) if o == old else o))
    return out


def key(dataset: str) -> str:
    return record_iri(BASE, dataset)[len(BASE) + len("record/") :]


@pytest.mark.parametrize("engine", ["oxigraph-server", "virtuoso"])
def test_a_dataset_page_reads_its_record_in_one_request(
    tmp_path: Path, request: pytest.FixtureRequest, engine: str
) -> None:
    settings = engine_settings(
        request,
        engine,
        base_iri=BASE,
        store_dir=tmp_path / "unused",
        index_dir=tmp_path / "index",
        tokens_file=tmp_path / "tokens.json",
        follow_interval=0,
    )
    store = open_store(settings)
    meta = RecordMeta("https://node.example.org/catalog.ttl", "h", "gdcat", "conforms")
    store.put_records([RecordWrite(d, record_as(d), meta) for d in (LIVE, GONE)])
    store.withdraw(GONE)
    # the queries sent by the threads answering requests (not by gdcat's own background
    # threads: the search index, the listing, the warm-up, all named gdcat-…)
    sent: list[str] = []

    def note(outgoing: httpx.Request) -> None:
        if not threading.current_thread().name.startswith("gdcat-"):
            sent.append(httpx.QueryParams(outgoing.content.decode()).get("query", ""))

    store._client.event_hooks["request"].append(note)  # type: ignore[attr-defined]
    app = create_app(settings, store)
    reads_record = f"<{record_iri(BASE, LIVE)}>"
    try:
        with TestClient(app) as client:
            deadline = time.monotonic() + 60
            while client.get("/api/datasets").status_code != 200:
                assert time.monotonic() < deadline, "the search index was not built in 60 s"
                time.sleep(0.2)

            def page(path: str, accept: str, status: int = 200) -> list[str]:
                sent.clear()
                answer = client.get(path, headers={"Accept": accept})
                assert answer.status_code == status, answer.text
                return list(sent)

            # the record is read with what each form asks first of what it names (the
            # releases and series of the landing page, the datasets the RDF forms link to)
            for accept in ("text/html", "text/turtle", "application/ld+json"):
                sent_for = page(f"/dataset/{key(LIVE)}", accept)
                assert len(sent_for) == 1 and reads_record in sent_for[0], (accept, sent_for)
            assert len(page(f"/dataset/{key(GONE)}", "text/turtle", 410)) == 1
            assert len(page(f"/dataset/{key('https://node.example.org/x')}", "text/html", 404)) == 1
            container = page(f"/dataset/{key(LIVE)}/distribution/", "text/turtle")
            assert len(container) == 1 and reads_record in container[0], container
    finally:
        store.close()
