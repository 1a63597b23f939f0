"""gdcat as a FAIR Data Point: root, catalogues, dataset and distribution pages, LDP containers,
``/spec``, checked against the reference FDP's shapes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from html.parser import HTMLParser

import httpx
import pytest
from live_gdcat import LiveGdcat
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH
from rdflib.term import Node

from gdcat.store import record_iri
from gdcat.validate import ValidationReport, Validator
from gdcat.vocab import FDP, LDP

TURTLE = {"Accept": "text/turtle"}


def get_graph(client: httpx.Client, url: str) -> Graph:
    r = client.get(url, headers=TURTLE)
    assert r.status_code == 200, (url, r.text[:300])
    return Graph().parse(data=r.content, format="turtle")


def problems(
    report: ValidationReport, linked: Collection[str] = ()
) -> set[tuple[str, str, str, str]]:
    """A report's violations, comparable across graphs (blank nodes left out), leaving out
    those of ``linked`` resources: the datasets and services of other records a page links
    to (the DCAT-AP range shapes check a link's class in the document alone, so a page
    carries them too), judged on their own pages."""
    return {
        (
            r.property,
            r.constraint,
            r.focus_node if not r.focus_node.startswith("_:") else "",
            r.severity,
        )
        for r in report.violations
        if r.focus_node not in linked and r.dataset not in linked
    }


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def root(gdcat_server: LiveGdcat, client: httpx.Client) -> Graph:
    return get_graph(client, gdcat_server.url + "/")


@pytest.fixture(scope="module")
def catalogues(gdcat_server: LiveGdcat, client: httpx.Client, root: Graph) -> dict[str, Graph]:
    return {
        str(c): get_graph(client, str(c))
        for c in root.objects(URIRef(gdcat_server.base), FDP.metadataCatalog)
    }


def test_the_root_is_a_fair_data_point_linking_one_catalogue_per_node(
    gdcat_server: LiveGdcat, root: Graph
) -> None:
    fdp = URIRef(gdcat_server.base)
    assert (fdp, RDF.type, FDP.FAIRDataPoint) in root
    catalogues = {str(c) for c in root.objects(fdp, FDP.metadataCatalog)}
    nodes = {r.node for r in (gdcat_server.report.nodes if gdcat_server.report else []) if r.added}
    assert catalogues == {f"{gdcat_server.base}catalog/{n}" for n in nodes}
    for prop in (FDP.metadataIssued, FDP.metadataModified):
        value = root.value(fdp, prop)
        assert isinstance(value, Literal) and value.datatype is not None
    # the LDP container of the catalogues lists the same
    (container,) = root.subjects(LDP.membershipResource, fdp)
    assert {str(c) for c in root.objects(container, LDP.contains)} == catalogues


def test_root_and_catalogue_pages_conform_to_the_fdp_shapes(
    gdcat_server: LiveGdcat,
    root: Graph,
    catalogues: dict[str, Graph],
    validator: Callable[[str], Validator],
) -> None:
    fdp = validator("fdp")
    report = fdp.validate(root)
    assert report.conforms, report.to_text()
    members = set(gdcat_server.store.list_records())
    for iri, graph in catalogues.items():
        report = fdp.validate(graph)
        assert not problems(report, members), (iri, report.to_text())


def test_catalogues_list_every_stored_record_with_the_page_it_is_read_from(
    gdcat_server: LiveGdcat, client: httpx.Client, catalogues: dict[str, Graph]
) -> None:
    listed: dict[str, str] = {}
    for iri, graph in catalogues.items():
        assert (URIRef(iri), RDF.type, DCAT.Catalog) in graph
        for predicate in (DCAT.dataset, DCAT.service):
            for member in graph.objects(URIRef(iri), predicate):
                pages = list(graph.objects(member, RDFS.seeAlso))
                assert len(pages) == 1, member
                listed[str(member)] = str(pages[0])
    stored = gdcat_server.store.list_records()
    assert sorted(listed) == stored
    for dataset, page in listed.items():
        key = record_iri(gdcat_server.base, dataset).rsplit("/", 1)[1]
        assert page == f"{gdcat_server.url}/dataset/{key}"


def test_dataset_pages_add_no_fdp_violation_to_their_records(
    gdcat_server: LiveGdcat, client: httpx.Client, validator: Callable[[str], Validator]
) -> None:
    """The FDP shapes ask for one title and a dcat:version, which multilingual records seldom
    have: what a dataset page must not do is add violations of its own."""
    datasets = gdcat_server.store.list_records()[::7]
    served = []
    for dataset in datasets:
        key = record_iri(gdcat_server.base, dataset).rsplit("/", 1)[1]
        served.append(get_graph(client, f"{gdcat_server.url}/dataset/{key}"))
    stored = [gdcat_server.store.get_record(d) for d in datasets]
    fdp = validator("fdp")
    for dataset, page, record, page_report, record_report in zip(
        datasets,
        served,
        stored,
        fdp.validate_many(served),
        fdp.validate_many([g for g in stored if g is not None]),
        strict=True,
    ):
        assert record is not None
        linked = set(gdcat_server.store.list_records()) - {dataset}
        assert problems(page_report, linked) == problems(record_report), dataset
        # the FDP metadata it adds has the datatypes the spec asks for
        for prop in (FDP.metadataIssued, FDP.metadataModified):
            assert page.value(URIRef(dataset), prop).datatype == URIRef(  # type: ignore[union-attr]
                "http://www.w3.org/2001/XMLSchema#dateTime"
            )


def test_distributions_have_pages_and_an_ldp_container(
    gdcat_server: LiveGdcat, client: httpx.Client
) -> None:
    checked = 0
    for dataset in gdcat_server.store.list_records()[:12]:
        key = record_iri(gdcat_server.base, dataset).rsplit("/", 1)[1]
        page = get_graph(client, f"{gdcat_server.url}/dataset/{key}")
        distributions = [
            d for d in page.objects(URIRef(dataset), DCAT.distribution) if isinstance(d, URIRef)
        ]
        if not distributions:
            continue
        container = get_graph(client, f"{gdcat_server.url}/dataset/{key}/distribution/")
        (box,) = container.subjects(RDF.type, LDP.DirectContainer)
        assert container.value(box, LDP.membershipResource) == URIRef(dataset)
        assert set(container.objects(box, LDP.contains)) == set(distributions)
        for distribution in distributions:
            (where,) = page.objects(distribution, RDFS.seeAlso)
            own = get_graph(client, str(where))
            # the distribution as the record describes it, and nothing of the dataset
            for p, o in page.predicate_objects(distribution):
                if p != RDFS.seeAlso and not isinstance(o, BNode):
                    assert (distribution, p, o) in own
            assert (URIRef(dataset), None, None) not in own
            assert own.value(distribution, FDP.metadataModified) is not None
            checked += 1
    assert checked >= 10


def test_spec_serves_the_fdp_shapes_and_profiles_dereference(
    gdcat_server: LiveGdcat, client: httpx.Client, root: Graph
) -> None:
    spec = get_graph(client, gdcat_server.url + "/spec")
    targets = {str(o) for o in spec.objects(None, SH.targetClass)}
    assert {
        str(FDP.FAIRDataPoint),
        str(DCAT.Catalog),
        str(DCAT.Dataset),
        str(DCAT.Distribution),
    } <= targets
    profile = root.value(URIRef(gdcat_server.base), DCTERMS.conformsTo)
    assert profile is not None
    shapes = get_graph(client, str(profile))
    assert (None, SH.targetClass, FDP.FAIRDataPoint) in shapes
    assert client.get(gdcat_server.url + "/profile/nothing").status_code == 404
    # shapes are data, not a page: HTML is not offered
    assert (
        client.get(gdcat_server.url + "/spec", headers={"Accept": "text/html"}).status_code == 406
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def test_the_home_page_links_the_catalogues_and_every_way_in(
    gdcat_server: LiveGdcat, client: httpx.Client, catalogues: dict[str, Graph]
) -> None:
    r = client.get(gdcat_server.url + "/", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    parser = _Links()
    parser.feed(r.text)
    links = set(parser.links)
    base = gdcat_server.url + "/"
    assert {base + "api/docs", base + "sparql", base + "api/datasets", base + "feed"} <= links
    assert set(catalogues) <= links
    catalogue = client.get(sorted(catalogues)[3], headers={"Accept": "text/html"})
    parser = _Links()
    parser.feed(catalogue.text)
    members: set[Node] = set(catalogues[sorted(catalogues)[3]].objects(None, RDFS.seeAlso))
    assert {str(m) for m in members} <= set(parser.links)


def test_unknown_catalogues_are_404(gdcat_server: LiveGdcat, client: httpx.Client) -> None:
    r = client.get(gdcat_server.url + "/catalog/atlantis")
    assert r.status_code == 404 and r.json()["status"] == 404
