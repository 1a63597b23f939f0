"""Pages of DCAT documents and feeds parsed, split and hashed in worker processes.

The records a parsing process hands back (N-Triples, hash) are the records the harvester
would have split itself: same IRIs, kinds, hashes and triples. A harvest through a real pool
stores exactly what a harvest parsing in its own process stores, re-harvests without a
change, and validates and writes only what the node changed; a page that is not RDF is
reported as the page's failure, as before.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import ServedFederation, serve_federation
from gdcat.harvest.normalise import normalise
from gdcat.harvest.parsing import PageParser, parse_page, record_of
from gdcat.harvest.pipeline import Harvester
from gdcat.harvest.registry import NodeConfig
from gdcat.rdf import get_format, parse_bytes
from gdcat.rdf.parse import DEFAULT_LIMITS
from gdcat.rdf.records import graph_hash, split_records
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite

BASE = "http://127.0.0.1:8000/"
NODE = "de"
DATASETS = "https://fdp.de.demo.gdcat.eu/dataset/"

#: a real pool for every page, however small
POOLED = Settings(validation_workers=1, harvest_parse_workers=1, harvest_parse_pool_from=0)
IN_PROCESS = Settings(validation_workers=1, harvest_parse_workers=0)


@pytest.fixture(scope="module")
def federation() -> Federation:
    return generate_federation(datasets=100, invalid=0)


@pytest.fixture
def served(federation: Federation, request: pytest.FixtureRequest) -> Iterator[ServedFederation]:
    with serve_federation(federation, kinds={NODE: request.param}, page_size=3) as served:
        yield served


def config_of(served: ServedFederation) -> NodeConfig:
    (entry,) = served.registry()["node"]
    return NodeConfig(**entry, timeout=5.0, retries=0)


@pytest.fixture(scope="module")
def parser() -> Iterator[PageParser]:
    pool = PageParser(1)
    yield pool
    pool.close()


@pytest.mark.parametrize("served", ["dcat"], indirect=True)
def test_records_from_a_parsing_process_are_the_records_split_here(
    served: ServedFederation, parser: PageParser
) -> None:
    url = config_of(served).url
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = answer.read()
    turtle = get_format("turtle")
    page = parser(body, turtle, url, url, 10_000_000, DEFAULT_LIMITS)
    here = split_records(normalise(parse_bytes(body, turtle, source=url, base_iri=url)), source=url)

    assert page.error is None and page.not_metadata is None
    assert [(r.iri, r.kind, r.content_hash) for r in page.records] == [
        (r.iri, r.kind, r.content_hash) for r in here
    ]
    assert len(page.records) == 9
    for parsed, split in zip(page.records, here, strict=True):
        record = record_of(parsed, url)
        assert record.source == url
        assert isomorphic(record.graph, split.graph), parsed.iri
        # the graph built from the N-Triples hashes as the worker's did
        assert graph_hash(record.graph) == parsed.content_hash


def test_a_page_that_is_not_rdf_comes_back_with_its_error(parser: PageParser) -> None:
    lines = [f'<http://n/d{i}> <http://purl.org/dc/terms/title> "d{i}" .' for i in range(5000)]
    body = "\n".join([*lines, "<http://n/broken> <http://purl.org/dc/terms/title> ."]).encode()
    turtle = get_format("turtle")
    page = parser(body, turtle, "http://n/catalog.ttl", "http://n/", 10**8, DEFAULT_LIMITS)
    assert page.records == ()
    # the line and column of the fault crossed the process boundary
    assert page.error is not None and "line 5001" in page.error


def harvested(served: ServedFederation, settings: Settings) -> tuple[OxigraphStore, Harvester]:
    store = OxigraphStore(None, BASE)
    return store, Harvester(store, settings)


@pytest.mark.parametrize("served", ["dcat", "feed"], indirect=True)
def test_a_harvest_through_parsing_processes_stores_what_parsing_here_stores(
    served: ServedFederation,
) -> None:
    config = config_of(served)
    pooled_store, pooled = harvested(served, POOLED)
    here_store, here = harvested(served, IN_PROCESS)
    try:
        first = pooled.run([config]).nodes[0]
        reference = here.run([config]).nodes[0]
        assert first.status == reference.status == "complete", first.reasons
        assert first.counts() == reference.counts()
        assert first.added == reference.added and len(first.added) == 9
        assert first.validations == first.writes == 9
        hashes = pooled_store.record_hashes()
        assert hashes == here_store.record_hashes()
        for iri in hashes:
            stored, expected = pooled_store.get_record(iri), here_store.get_record(iri)
            assert stored is not None and expected is not None
            assert isomorphic(stored, expected), iri

        # nothing changed: nothing validated or written
        quiet = pooled.run([config]).nodes[0]
        assert quiet.status == "complete"
        assert quiet.unchanged == 9 and quiet.validations == quiet.writes == 0

        # one record retitled: that one validated and written, the rest unchanged
        content = served.node(NODE).content
        iri = f"{DATASETS}de-wes-0001"
        graph = content.records[iri]
        for title in list(graph.objects(URIRef(iri), DCTERMS.title)):
            assert isinstance(title, Literal)
            graph.remove((URIRef(iri), DCTERMS.title, title))
            graph.add((URIRef(iri), DCTERMS.title, Literal(f"{title} ²", lang=title.language)))
        content.put(iri, graph)
        changed = pooled.run([config]).nodes[0]
        assert changed.status == "complete", changed.reasons
        assert changed.updated == [iri] and changed.added == [] and changed.withdrawn == []
        assert changed.unchanged == 8 and changed.validations == changed.writes == 1
        stored = pooled_store.get_record(iri)
        assert stored is not None
        titles = {str(t) for t in stored.objects(URIRef(iri), DCTERMS.title)}
        assert titles and all(t.endswith(" ²") for t in titles)
    finally:
        pooled.close()
        here.close()
        pooled_store.close()
        here_store.close()


@pytest.mark.parametrize("served", ["feed"], indirect=True)
def test_a_feed_page_that_is_not_rdf_is_the_pages_failure_as_when_parsed_here(
    served: ServedFederation,
) -> None:
    config = config_of(served)
    node = served.node(NODE)
    node.fail("/feed?page=2", 200)  # a 200 whose body is "injected failure": not Turtle
    messages = []
    for settings in (POOLED, IN_PROCESS):
        store, harvester = harvested(served, settings)
        try:
            report = harvester.run([config]).nodes[0]
        finally:
            harvester.close()
            store.close()
        assert report.status == "partial", report.reasons
        (failure,) = report.failures
        assert failure.url.endswith("/feed?page=2") and failure.kind == "parse"
        assert report.withdrawn == []
        assert len(report.added) == 3  # page 1 only: paging stops at the page that failed
        messages.append(failure.message)
    assert messages[0] == messages[1]


def many_datasets(count: int) -> bytes:
    """A Turtle document of ``count`` datasets, each with a blank-node contact point."""
    head = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n"
    )
    blocks = [
        f'<https://n.example/d/{i}> a dcat:Dataset ; dct:title "Dataset {i}"@en, '
        f'"Datensatz {i}"@de ; dct:description "line one\\nline two. \\"quoted\\" ." ;\n'
        f'  dcat:contactPoint [ a vcard:Kind ; vcard:fn "Desk {i % 7}" ] .\n'
        for i in range(count)
    ]
    return (head + "".join(blocks)).encode()


@pytest.mark.parametrize("count", [5, 260])  # a small batch (transactional) and a bulk load
def test_records_written_from_their_n_triples_are_the_records_written_from_graphs(
    count: int,
) -> None:
    url = "https://n.example/catalog.ttl"
    page = parse_page(many_datasets(count), get_format("turtle"), url, url, 10**8, DEFAULT_LIMITS)
    records = [record_of(p, url) for p in page.records]
    assert len(records) == count and all(r.ntriples for r in records)
    stores = [OxigraphStore(None, BASE), OxigraphStore(None, BASE)]
    try:
        for store, with_text in zip(stores, (True, False), strict=True):
            store.put_records(
                [
                    RecordWrite(
                        r.iri,
                        r.graph,
                        RecordMeta(url, r.content_hash, "gdcat", "conforms", node="n"),
                        ntriples=r.ntriples if with_text else None,
                    )
                    for r in records
                ],
                bulk=True,
            )
        from_text, from_graphs = stores
        assert from_text.record_hashes() == from_graphs.record_hashes()
        assert len(from_text.record_hashes()) == count
        for record in records:
            stored = from_text.get_record(record.iri)
            assert stored is not None and isomorphic(stored, record.graph), record.iri
            assert graph_hash(stored) == record.content_hash
        # one blank node per record: no two records share a contact point in the store
        (row,) = from_text.query(
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?d "
            "<http://www.w3.org/ns/dcat#contactPoint> ?c } }",
            union_default_graph=False,
        ).rows
        assert int(row[0].value) == count
    finally:
        for store in stores:
            store.close()


def test_a_parsing_process_that_dies_fails_its_page_and_the_next_page_is_parsed() -> None:
    import os
    import signal

    url = "https://n.example/catalog.ttl"
    turtle = get_format("turtle")
    pool = PageParser(1)
    try:
        assert len(pool(many_datasets(3), turtle, url, url, 10**8, DEFAULT_LIMITS).records) == 3
        # fault injection: the pool's one process killed (a real pool; only the kill is made)
        processes = pool._pool._processes if pool._pool is not None else {}
        for pid in list(processes or {}):
            os.kill(pid, signal.SIGKILL)
        died = pool(many_datasets(3), turtle, url, url, 10**8, DEFAULT_LIMITS)
        assert died.records == () and died.error is not None and "died" in died.error
        again = pool(many_datasets(4), turtle, url, url, 10**8, DEFAULT_LIMITS)
        assert again.error is None and len(again.records) == 4
    finally:
        pool.close()
