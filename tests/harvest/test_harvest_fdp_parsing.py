"""FAIR Data Point datasets parsed in the harvest's parsing processes.

The harvester fetches a dataset's page and its distribution pages and a real pool of parsing
processes turns them into the record (parsed, merged, stripped of the server's defaults,
split, hashed). A harvest that does so, one dataset a job or several, stores what a harvest
parsing every page in its own process stores: the same records and hashes, the same
rejections with the same reasons, the same page states; re-harvests alike (a changed record,
a page read again because another page of its dataset changed); and a page that is not usable
RDF, or that cannot be fetched, fails its dataset with the same message at the same URL. A
parsing process that dies fails the datasets of its job, and the next job is parsed.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS

from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import ServedFederation, ServedNode, serve_federation
from gdcat.harvest.parsing import PageParser
from gdcat.harvest.pipeline import Harvester
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import NodeReport
from gdcat.harvest.state import load_state, save_state
from gdcat.rdf import get_format, parse_bytes
from gdcat.rdf.parse import DEFAULT_LIMITS, read_predicates
from gdcat.settings import Settings
from gdcat.sources import PageState, Validators
from gdcat.sources.fdp import (
    FdpAddress,
    FdpDataset,
    FdpPage,
    FdpParsed,
    page_links,
    read_dataset,
)
from gdcat.sources.http import HttpClient
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"
NODE = "de"

#: every dataset its own job of a real pool
ONE_A_JOB = Settings(validation_workers=1, harvest_parse_workers=1, harvest_parse_pool_from=0)
#: several datasets a job (the node's last few in a smaller one, to the pool already running)
SEVERAL_A_JOB = Settings(
    validation_workers=1, harvest_parse_workers=1, harvest_parse_pool_from=20_000
)
IN_PROCESS = Settings(validation_workers=1, harvest_parse_workers=0)


@pytest.fixture(scope="module")
def federation() -> Federation:
    return generate_federation(datasets=200, invalid=0)


@pytest.fixture
def served(federation: Federation) -> Iterator[ServedFederation]:
    with serve_federation(federation, kinds={NODE: "fdp"}) as served:
        yield served


def config_of(served: ServedFederation) -> NodeConfig:
    (entry,) = served.registry()["node"]
    return NodeConfig(**entry, timeout=5.0, retries=0)


@dataclass
class Harvest:
    """One harvester with its own store."""

    store: OxigraphStore
    harvester: Harvester

    @classmethod
    def of(cls, settings: Settings) -> Harvest:
        store = OxigraphStore(None, BASE)
        return cls(store, Harvester(store, settings))

    def run(self, config: NodeConfig) -> NodeReport:
        return self.harvester.run([config]).nodes[0]

    def close(self) -> None:
        self.harvester.close()
        self.store.close()


@pytest.fixture(params=[ONE_A_JOB, SEVERAL_A_JOB], ids=["one-a-job", "several-a-job"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[Harvest, Harvest]]:
    pooled, here = Harvest.of(request.param), Harvest.of(IN_PROCESS)
    try:
        yield pooled, here
    finally:
        pooled.close()
        here.close()


def outcome(report: NodeReport) -> dict[str, object]:
    """What a run report says of a node, but for its times and run IRIs."""
    return {
        "status": report.status,
        "reasons": report.reasons,
        "counts": report.counts(),
        "added": report.added,
        "updated": report.updated,
        "withdrawn": report.withdrawn,
        "rejected": [(r.dataset, r.source, r.reasons, r.known) for r in report.rejected],
        "failures": [(f.url, f.kind, f.message) for f in report.failures],
        "warnings": report.warnings,
        "documents": (report.documents, report.unchanged_documents),
        "validations": (report.validations, report.writes),
        "requests": report.requests,
    }


def assert_same(pooled: Harvest, here: Harvest, reports: tuple[NodeReport, NodeReport]) -> None:
    """The two harvests reported, stored and remembered the same."""
    assert outcome(reports[0]) == outcome(reports[1])
    hashes = pooled.store.record_hashes()
    assert hashes == here.store.record_hashes()
    for iri in hashes:
        stored, expected = pooled.store.get_record(iri), here.store.get_record(iri)
        assert stored is not None and expected is not None
        assert isomorphic(stored, expected), iri
    mine, theirs = load_state(pooled.store, NODE), load_state(here.store, NODE)
    assert mine.pages == theirs.pages
    assert mine.documents == theirs.documents
    assert mine.rejected == theirs.rejected


def run_both(pooled: Harvest, here: Harvest, config: NodeConfig) -> tuple[NodeReport, NodeReport]:
    reports = pooled.run(config), here.run(config)
    assert_same(pooled, here, reports)
    return reports


def retitled(node: ServedNode, iri: str, title: str | None) -> None:
    """The record ``iri`` served with ``title`` (None: with no title at all)."""
    graph = node.content.records[iri]
    copy = Graph()
    for triple in graph:
        if triple[:2] != (URIRef(iri), DCTERMS.title):
            copy.add(triple)
    if title is not None:
        copy.add((URIRef(iri), DCTERMS.title, Literal(title, lang="en")))
    node.content.put(iri, copy)


def test_a_harvest_through_parsing_processes_stores_what_parsing_here_stores(
    served: ServedFederation, pair: tuple[Harvest, Harvest]
) -> None:
    pooled, here = pair
    config = config_of(served)
    node = served.node(NODE)
    datasets = sorted(node.content.records)

    first, _ = run_both(pooled, here, config)
    assert first.status == "complete", first.reasons
    assert len(first.added) == len(datasets) >= 10 and first.rejected == []
    # the dataset pages named their distributions, and the records hold them
    stored = pooled.store.get_record(datasets[0])
    assert stored is not None and (URIRef(datasets[0]), DCAT.distribution, None) in stored
    # what the FDP server adds to every page is not in the records
    assert not any(str(p).startswith("https://w3id.org/fdp/fdp-o#") for _, p, _ in stored)

    quiet, _ = run_both(pooled, here, config)
    assert quiet.unchanged == len(datasets) and quiet.validations == 0

    # one record retitled, one without a title: the one updated, the other rejected
    retitled(node, datasets[1], "A dataset retitled")
    retitled(node, datasets[2], None)
    changed, _ = run_both(pooled, here, config)
    assert changed.updated == [datasets[1]]
    assert [r.dataset for r in changed.rejected] == [datasets[2]]
    assert changed.validations == 2

    # a distribution page changed alone (its state forgotten): the dataset page, unchanged,
    # is read again in full, and both are parsed
    for harvest in (pooled, here):
        state = load_state(harvest.store, NODE)
        links = state.pages[node.local_url(datasets[3])].links
        assert links, "the dataset page's links are remembered"
        page = state.pages[node.local_url(links[0].split(" ", 1)[0])]
        pages = {**state.pages, page.url: PageState(page.url, Validators(), "forgotten")}
        save_state(harvest.store, NODE, replace(state, pages=pages))
    before = len(node.requests)
    again, _ = run_both(pooled, here, config)
    dataset_path = "/" + datasets[3][len(node.published_base) :]
    reads = [r for r in node.requests[before:] if r[1] == dataset_path]
    assert [status for _, _, status in reads] == [304, 200, 304, 200]  # each harvester's two
    assert again.status == "complete" and again.validations == 0
    assert datasets[3] not in again.updated


def page_path(node: ServedNode, iri: str) -> str:
    return "/" + iri[len(node.published_base) :]


def pages_of(node: ServedNode, iri: str) -> list[str]:
    """The dataset's page and its distributions' (their IRIs)."""
    return [
        iri,
        *sorted(str(d) for d in node.content.records[iri].objects(URIRef(iri), DCAT.distribution)),
    ]


def first_distribution(node: ServedNode, iri: str) -> str:
    return sorted(
        str(d) for d in node.content.records[iri].objects(URIRef(iri), DCAT.distribution)
    )[0]


@pytest.mark.parametrize(
    "fault",
    [
        "dataset page not Turtle",
        "dataset page refused",
        "distribution not found",
        "distribution not Turtle",
        "distribution refused",
    ],
)
def test_a_page_that_fails_fails_its_dataset_as_when_parsed_here(
    served: ServedFederation, fault: str
) -> None:
    config = config_of(served)
    node = served.node(NODE)
    datasets = sorted(node.content.records)
    victim = datasets[4]
    if fault == "dataset page not Turtle":
        node.fail(page_path(node, victim), 200)  # a 200 whose body is "injected failure"
        failed = node.local_url(victim)
    elif fault == "dataset page refused":
        # a character no record may hold: the page reads as Turtle, gdcat refuses it
        retitled(node, victim, "bell \x07 rung")
        failed = node.local_url(victim)
    else:
        dist = first_distribution(node, victim)
        failed = node.local_url(dist)
        if fault == "distribution not found":
            node.fail(page_path(node, dist), 404)
        elif fault == "distribution not Turtle":
            node.fail(page_path(node, dist), 200)
        else:
            graph = node.content.records[victim]
            graph.add((URIRef(dist), DCTERMS.title, Literal("bell \x07 rung")))
            node.content.put(victim, graph)
    reports = []
    for settings in (ONE_A_JOB, SEVERAL_A_JOB, IN_PROCESS):
        harvest = Harvest.of(settings)
        try:
            reports.append(harvest.run(config))
        finally:
            harvest.close()
    pooled, several, here = reports
    if fault in ("dataset page refused", "distribution not Turtle", "distribution refused"):
        # the one difference: the pages of the dataset after the one that is not usable RDF
        # were fetched before the parsing process found it so (a page Oxigraph cannot read
        # at all is the dataset page's fault before its distributions are fetched)
        for report in (pooled, several):
            extra = report.requests - here.requests
            assert 0 <= extra <= len(pages_of(node, victim)) - 1
            report.requests = here.requests
    assert outcome(pooled) == outcome(here) == outcome(several)
    assert here.status == "partial"
    ((url, kind, message),) = [(f.url, f.kind, f.message) for f in here.failures]
    assert url == failed
    assert kind == ("status" if fault == "distribution not found" else "parse"), message
    assert victim not in here.added and len(here.added) == len(datasets) - 1


def demo_pages(served: ServedFederation) -> tuple[ServedNode, str, list[tuple[str, bytes]]]:
    """A served FDP dataset: its IRI, and its page and distribution pages as served."""
    import urllib.request

    node = served.node(NODE)
    iri = sorted(node.content.records)[0]
    urls = [node.local_url(iri)] + [
        node.local_url(str(d))
        for d in sorted(node.content.records[iri].objects(URIRef(iri), DCAT.distribution), key=str)
    ]
    pages = []
    for url in urls:
        request = urllib.request.Request(url, headers={"Accept": "text/turtle"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            pages.append((url, answer.read()))
    return node, iri, pages


def job_of(node: ServedNode, iri: str, pages: list[tuple[str, bytes]]) -> FdpDataset:
    turtle = get_format("turtle")
    address = FdpAddress(node.origin + "/", node.published_base)
    url = pages[0][0]
    graph = parse_bytes(pages[0][1], turtle, source=url, base_iri=iri)
    subjects = (iri, url)
    links = page_links(graph, subjects, url, address, (DCAT.distribution,))
    return FdpDataset(
        iri,
        url,
        node.content.catalog_iri,
        tuple(FdpPage(u, body, turtle, address.to_iri(u)) for u, body in pages),
        (),
        links,
        subjects,
        address,
    )


def test_the_links_read_without_parsing_the_page_are_the_links_of_its_graph(
    served: ServedFederation,
) -> None:
    node, iri, pages = demo_pages(served)
    url, body = pages[0]
    turtle = get_format("turtle")
    address = FdpAddress(node.origin + "/", node.published_base)
    predicates = frozenset(
        str(p)
        for p in (
            DCAT.distribution,
            URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
            URIRef("http://www.w3.org/ns/ldp#membershipResource"),
            URIRef("http://www.w3.org/ns/ldp#contains"),
        )
    )
    found = read_predicates(body, turtle, base_iri=iri, predicates=predicates)
    graph = parse_bytes(body, turtle, source=url, base_iri=iri)
    assert found is not None and 0 < len(found) < len(graph)
    links = page_links(found, (iri, url), url, address, (DCAT.distribution,))
    assert len(links) == len(pages) - 1
    assert links == page_links(graph, (iri, url), url, address, (DCAT.distribution,))
    # not Turtle: not read that way (the page is parsed for its fault)
    assert read_predicates(b"<a> <b> .", turtle, base_iri=iri, predicates=predicates) is None
    # a format Oxigraph does not read for gdcat: not read that way either (read whole here)
    jsonld = get_format("jsonld")
    assert read_predicates(b"{}", jsonld, base_iri=iri, predicates=predicates) is None
    # nor a page nested deeper than the limit (parse_bytes refuses it before parsing)
    deep = (
        b"<http://n/a> <http://n/b> "
        + b"[ <http://n/c> " * 70
        + b"<http://n/d> "
        + b"]" * 70
        + b" ."
    )
    assert read_predicates(deep, turtle, base_iri=iri, predicates=predicates) is None


def test_a_dataset_whose_links_are_not_those_the_crawl_read_is_said_so(
    served: ServedFederation,
) -> None:
    node, iri, pages = demo_pages(served)
    job = job_of(node, iri, pages)
    read = read_dataset(job, 10**8, DEFAULT_LIMITS)
    assert isinstance(read, Graph) and (URIRef(iri), DCAT.distribution, None) in read
    wrong = replace(job, links=job.links[:-1] if job.links else ("http://elsewhere/d",))
    assert read_dataset(wrong, 10**8, DEFAULT_LIMITS) == FdpParsed(links_differ=True)


def test_a_parsing_process_that_dies_fails_its_datasets_and_the_next_job_is_parsed(
    served: ServedFederation,
) -> None:
    node, iri, pages = demo_pages(served)
    job = job_of(node, iri, pages)
    pool = PageParser(1)
    try:
        (answer,) = pool.datasets([job], 10**8, DEFAULT_LIMITS).result()
        assert answer.page is not None and [r.iri for r in answer.page.records] == [iri]
        # fault injection: the pool's one process killed (a real pool; only the kill is made)
        processes = pool._pool._processes if pool._pool is not None else {}
        for pid in list(processes or {}):
            os.kill(pid, signal.SIGKILL)
        died = pool.datasets([job, job], 10**8, DEFAULT_LIMITS).result()
        assert [d.page for d in died] == [None, None]
        for d in died:
            assert d.failure is not None and d.failure.url == job.url
            assert d.failure.kind == "parse" and "died" in d.failure.message
        (again,) = pool.datasets([job], 10**8, DEFAULT_LIMITS).result()
        assert again.page is not None
        assert [(r.iri, r.content_hash) for r in again.page.records] == [
            (r.iri, r.content_hash) for r in answer.page.records
        ]
    finally:
        pool.close()


def test_a_small_job_is_parsed_here_while_no_parsing_process_runs(
    served: ServedFederation,
) -> None:
    node, iri, pages = demo_pages(served)
    job = job_of(node, iri, pages)
    pool = PageParser(1, pool_from=10**6)
    try:
        (answer,) = pool.datasets([job], 10**8, DEFAULT_LIMITS).result()
        assert pool._pool is None  # no process started for it
        assert answer.page is not None and [r.iri for r in answer.page.records] == [iri]
    finally:
        pool.close()


def test_a_parsing_process_killed_before_a_harvest_fails_datasets_not_the_harvest(
    served: ServedFederation,
) -> None:
    config = config_of(served)
    node, iri, pages = demo_pages(served)
    datasets = sorted(node.content.records)
    harvest = Harvest.of(ONE_A_JOB)
    try:
        parser = harvest.harvester._parser
        assert parser is not None
        (started,) = parser.datasets([job_of(node, iri, pages)], 10**8, DEFAULT_LIMITS).result()
        assert started.page is not None
        # fault injection: the pool's one process killed (a real pool; only the kill is made)
        processes = parser._pool._processes if parser._pool is not None else {}
        for pid in list(processes or {}):
            os.kill(pid, signal.SIGKILL)
        report = harvest.run(config)
        assert report.status == "partial", report.reasons
        failed = [f.url for f in report.failures]
        # the jobs sent to the dead pool (one a job, a few ahead at most) fail, each dataset
        # with its message; the next job starts a new pool and the others are harvested
        assert 1 <= len(failed) <= 3
        for failure in report.failures:
            assert failure.kind == "parse" and "died" in failure.message
        assert sorted(report.added) == [d for d in datasets if node.local_url(d) not in failed]
        again = harvest.run(config)
        assert again.status == "complete", again.reasons
        assert sorted(again.added) == sorted(set(datasets) - set(report.added))
    finally:
        harvest.close()


@pytest.mark.parametrize("settings", [ONE_A_JOB, IN_PROCESS], ids=["parsing-processes", "here"])
def test_a_far_node_is_crawled_several_datasets_at_once_with_the_same_outcome(
    served: ServedFederation, settings: Settings
) -> None:
    """A node whose every answer takes a round trip: its datasets are fetched four at a time,
    and the harvest reports, stores and remembers what fetching one at a time does."""
    node = served.node(NODE)
    node.latency = 0.01
    config = config_of(served)
    one_at_a_time = config.model_copy(update={"concurrency": 1})
    assert config.concurrency == 4
    # the crawl hands its items on in the catalogue's order
    crawled = []
    for chosen in (one_at_a_time, config):
        with HttpClient(chosen.http_policy()) as client:
            crawled.append([getattr(i, "url", None) for i in chosen.source().crawl(client, {})])
    assert crawled[0] == crawled[1] and len(crawled[0]) > 10

    several, single = Harvest.of(settings), Harvest.of(settings)
    try:
        node.most_at_once = 0
        sequential = single.run(one_at_a_time)
        assert node.most_at_once == 1
        node.most_at_once = 0
        together = several.run(config)
        assert 1 < node.most_at_once <= 4
        assert together.status == "complete" and len(together.added) >= 10
        assert_same(several, single, (together, sequential))

        # re-harvested: the same conditional requests, answered 304 at once
        before = len(node.requests)
        again = several.run(config)
        assert again.unchanged == len(together.added) and again.validations == 0
        assert {status for _, _, status in node.requests[before:]} >= {304}
        assert_same(several, single, (again, single.run(one_at_a_time)))
    finally:
        several.close()
        single.close()
