"""A dataset's page over a remote store reads the record in one request to the engine: its
catalogue record (404, 410 or live) and its graph together (issue 13: one dataset p95 <= 10 ms
over Oxigraph server, where each request is a round trip), with what the page asks first of
what the record names: the releases and series of the landing page, the datasets the RDF forms
link to."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS
from remote_engines import engine_settings

from gdcat.api import create_app
from gdcat.rdf import parse_file, split_records
from gdcat.settings import Settings
from gdcat.store import RecordMeta, RecordWrite, open_store, record_iri
from gdcat.store import oxigraph as oxigraph_module
from gdcat.store import remote as remote_module

BASE = "http://127.0.0.1:9/"
EXAMPLE = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
LIVE = "https://node.example.org/dataset/live"
GONE = "https://node.example.org/dataset/gone"


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


SERIES = "https://node.example.org/dataset/series"


def series_and_release() -> list[RecordWrite]:
    """A series and a dataset released in it (the live example record)."""
    meta = RecordMeta("https://node.example.org/catalog.ttl", "h", "gdcat", "conforms")
    release = record_as(LIVE)
    release.add((URIRef(LIVE), DCAT.inSeries, URIRef(SERIES)))
    series = Graph()
    series.add((URIRef(SERIES), RDF.type, DCAT.DatasetSeries))
    series.add((URIRef(SERIES), DCTERMS.title, RdfLiteral("The series", lang="en")))
    series.add((URIRef(SERIES), DCTERMS.description, RdfLiteral("Releases", lang="en")))
    return [RecordWrite(LIVE, release, meta), RecordWrite(SERIES, series, meta)]


@pytest.mark.parametrize("engine", ["oxigraph-server", "virtuoso"])
def test_pages_over_a_remote_store_are_the_pages_over_the_embedded_store(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
) -> None:
    """The landing page and the RDF forms of a release and of its series: what they read with
    the record (the series, the releases, the linked datasets) gives the page the embedded
    store gives, which reads them apart."""
    moment = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)  # both stores write the same dates
    monkeypatch.setattr(oxigraph_module, "_now", lambda: moment)
    monkeypatch.setattr(remote_module, "now", lambda: moment)
    common = {"base_iri": BASE, "follow_interval": 0}
    remote = engine_settings(
        request,
        engine,
        store_dir=tmp_path / "unused",
        index_dir=tmp_path / "remote-index",
        tokens_file=tmp_path / "remote-tokens.json",
        **common,
    )
    embedded = Settings(
        store_dir=tmp_path / "store",
        index_dir=tmp_path / "index",
        tokens_file=tmp_path / "tokens.json",
        **common,  # type: ignore[arg-type]
    )
    bodies: list[dict[tuple[str, str], bytes]] = []
    for settings in (embedded, remote):
        store = open_store(settings)
        store.put_records(series_and_release())
        try:
            with TestClient(create_app(settings, store)) as client:
                deadline = time.monotonic() + 60
                while client.get("/api/datasets").status_code != 200:
                    assert time.monotonic() < deadline, "the search index was not built in 60 s"
                    time.sleep(0.2)
                got = {}
                for dataset in (LIVE, SERIES):
                    for accept in ("text/html", "text/turtle", "application/n-triples"):
                        answer = client.get(f"/dataset/{key(dataset)}", headers={"Accept": accept})
                        assert answer.status_code == 200, answer.text
                        got[(dataset, accept)] = answer.content
                bodies.append(got)
        finally:
            store.close()
    embedded_pages, remote_pages = bodies
    for (dataset, accept), body in embedded_pages.items():
        other = remote_pages[(dataset, accept)]
        if accept == "text/html":  # a blank node the page names shows the store's label
            assert unlabelled(body, embedded_pages) == unlabelled(other, remote_pages), dataset
        else:
            fmt = "nt" if accept == "application/n-triples" else "turtle"
            mine, theirs = (
                Graph().parse(data=body, format=fmt),
                Graph().parse(data=other, format=fmt),
            )
            assert isomorphic(mine, theirs), (dataset, accept)
    # the series' page describes its release, the release's page its series, whole
    turtle = Graph().parse(data=remote_pages[(LIVE, "text/turtle")], format="turtle")
    assert (URIRef(SERIES), DCTERMS.description, RdfLiteral("Releases", lang="en")) in turtle
    assert b"The series" in remote_pages[(LIVE, "text/html")]
    assert b"/dataset/" + key(LIVE).encode() in remote_pages[(SERIES, "text/html")]


def unlabelled(html: bytes, pages: dict[tuple[str, str], bytes]) -> bytes:
    """``html`` with the labels of the blank nodes of the N-Triples ``pages`` replaced by
    their order of appearance."""
    labels = {
        found.group(1)
        for (_, accept), body in pages.items()
        if accept == "application/n-triples"
        for found in re.finditer(rb"_:([A-Za-z0-9]+)", body)
    }
    names: dict[bytes, bytes] = {}
    if not labels:
        return html
    pattern = re.compile(
        b"|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    )
    return pattern.sub(lambda m: names.setdefault(m.group(0), b"_:%d" % len(names)), html)
