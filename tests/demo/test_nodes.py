"""The demo federation served over real HTTP: every node kind speaks its protocol."""

from __future__ import annotations

import http.client
import json
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import (
    FDP_DEFAULT_DESCRIPTION,
    NODE_KINDS,
    ServedFederation,
    ServedNode,
    default_dcat_formats,
    default_kinds,
    serve_federation,
)
from gdcat.rdf import format_for_media_type, parse_bytes, split_records
from gdcat.vocab import FDP, GDCAT, HYDRA, LDP

DCAT_SERIES = URIRef(f"{DCAT}DatasetSeries")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def graph(self) -> Graph:
        ctype = self.header("Content-Type") or ""
        return parse_bytes(self.body, format_for_media_type(ctype), source="test")

    def json(self) -> Any:
        data = json.loads(self.body)
        assert isinstance(data, dict)
        return data


def fetch(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    data: bytes | None = None,
) -> Answer:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, dict(e.headers.items()), e.read())


@pytest.fixture(scope="module")
def fed() -> Federation:
    return generate_federation(datasets=60)


@pytest.fixture(scope="module")
def served(fed: Federation) -> Iterator[ServedFederation]:
    """The whole federation, never modified by the tests that use it."""
    with serve_federation(fed, page_size=2) as federation:
        yield federation


@pytest.fixture
def mutable(fed: Federation) -> Iterator[ServedFederation]:
    """A few nodes, one of each kind, for tests that change content or inject faults."""
    kinds = {"nl": "fdp", "hu": "dcat", "de": "feed", "es": "sparql", "es-beacon": "beacon"}
    with serve_federation(fed, kinds=kinds, page_size=2) as federation:
        yield federation


def of_kind(served: ServedFederation, kind: str) -> list[ServedNode]:
    return [n for n in served.nodes if n.kind == kind]


# -- layout ------------------------------------------------------------------------------


def test_default_kinds_mix_every_protocol(fed: Federation) -> None:
    kinds = default_kinds(fed)
    assert kinds == default_kinds(generate_federation(datasets=60))
    counts = {k: sum(1 for v in kinds.values() if v == k) for k in NODE_KINDS}
    assert counts == {"fdp": 6, "dcat": 15, "feed": 2, "sparql": 2, "beacon": 1}
    assert len(kinds) == len(fed.nodes) + 1
    (beacon,) = [i for i, k in kinds.items() if k == "beacon"]
    host = fed.node(beacon.removesuffix("-beacon"))
    assert any(r.kind == "aggregated" for r in host.records)
    formats = default_dcat_formats(fed)
    dcat_formats = sorted(formats[i] for i, k in kinds.items() if k == "dcat")
    assert dcat_formats.count("turtle") == 12
    assert {"rdfxml", "jsonld", "ntriples"} <= set(dcat_formats)


def test_registry_has_one_entry_per_served_node(served: ServedFederation, tmp_path: Path) -> None:
    path = served.write_registry(tmp_path / "nodes.toml", profile="healthdcat-ap", policy="warn")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# gdcat node registry")
    registry = tomllib.loads(text)
    assert registry == served.registry(profile="healthdcat-ap", policy="warn")
    entries = registry["node"]
    assert [e["id"] for e in entries] == [n.id for n in served.nodes]
    for entry, node in zip(entries, served.nodes, strict=True):
        keys = ["id", "country", "kind", "url"]
        keys += ["published_base"] if node.kind == "fdp" else []
        assert list(entry) == [*keys, "profile", "policy", "private"]
        assert entry["private"] is True  # the nodes are on loopback
        assert entry["url"] == node.url and entry["url"].startswith("http://127.0.0.1:")
        assert entry["profile"] == "healthdcat-ap" and entry["policy"] == "warn"
    nl = served.node("nl")
    assert nl.url.endswith("/") and nl.published_base == "https://fdp.nl.demo.gdcat.eu/"
    assert served.node("at-beacon").country == "AUT"


def test_unknown_paths_are_404(served: ServedFederation) -> None:
    for node in served.nodes:
        assert fetch(node.origin + "/no/such/thing").status == 404


# -- dcat --------------------------------------------------------------------------------


def test_dcat_documents_parse_and_equal_the_node_graph(
    served: ServedFederation, fed: Federation
) -> None:
    seen_types = set()
    for node in of_kind(served, "dcat"):
        answer = fetch(node.url)
        assert answer.status == 200, node.id
        assert int(answer.header("Content-Length") or -1) == len(answer.body)
        ctype = (answer.header("Content-Type") or "").split(";")[0]
        seen_types.add(ctype)
        assert isomorphic(answer.graph(), fed.node(node.id).graph()), node.id
    assert seen_types == {
        "text/turtle",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-triples",
    }
    jsonld = [n for n in of_kind(served, "dcat") if n.url.endswith("catalog.jsonld")]
    document = fetch(jsonld[0].url).json()
    assert isinstance(document["@context"], dict)


# -- FAIR Data Point ---------------------------------------------------------------------


def strip_fdp_defaults(graph: Graph, catalog: URIRef) -> Graph:
    """What a harvester removes from merged FDP pages."""
    containers = set(graph.subjects(RDF.type, LDP.DirectContainer))
    roots = set(graph.subjects(RDF.type, FDP.FAIRDataPoint))
    defaults = {
        s
        for s in graph.subjects(DCTERMS.description, Literal(FDP_DEFAULT_DESCRIPTION, lang="en"))
        if str(s).endswith("#accessRights")
    }
    out = Graph()
    for s, p, o in graph:
        if s in containers or s in roots or s in defaults:
            continue
        if str(p).startswith(f"{FDP}metadata"):
            continue
        if p == DCTERMS.accessRights and o in defaults:
            continue
        if p == DCTERMS.conformsTo and "/profile/" in str(o):
            continue
        if p == DCTERMS.isPartOf and o == catalog:
            continue
        out.add((s, p, o))
    return out


def crawl_fdp(node: ServedNode) -> tuple[Graph, int]:
    """Merge every page of an FDP reached from its root through LDP containers."""
    merged = Graph()
    todo = [node.url]
    seen: set[str] = set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        answer = fetch(url)
        assert answer.status == 200, url
        page = answer.graph()
        merged += page
        linked = [*page.objects(None, FDP.metadataCatalog), *page.objects(None, LDP.contains)]
        todo += [node.local_url(str(iri)) for iri in linked]
    return merged, len(seen)


def test_fdp_pages_merged_and_stripped_give_back_every_record(served: ServedFederation) -> None:
    for node in of_kind(served, "fdp"):
        content = node.content
        merged, pages = crawl_fdp(node)
        dists = sum(len(set(g.objects(None, DCAT.distribution))) for g in content.records.values())
        assert pages == 2 + len(content.records) + dists
        catalog = URIRef(content.catalog_iri)
        assert (catalog, DCTERMS.accessRights, URIRef(f"{catalog}#accessRights")) in merged
        stripped = strip_fdp_defaults(merged, catalog)
        assert set(stripped) == set(content.graph()), node.id
        records = {r.iri: r.graph for r in split_records(stripped)}
        assert records.keys() == content.records.keys()
        for iri, graph in records.items():
            assert isomorphic(graph, content.records[iri]), iri


def test_fdp_root_and_pages_follow_the_reference_layout(served: ServedFederation) -> None:
    node = of_kind(served, "fdp")[0]
    root = fetch(node.url).graph()
    here = URIRef(node.url)
    assert (here, RDF.type, FDP.FAIRDataPoint) in root
    catalog = URIRef(node.content.catalog_iri)
    assert (here, FDP.metadataCatalog, catalog) in root
    container = URIRef(node.url + "catalog/")
    assert (container, LDP.membershipResource, here) in root
    assert (container, LDP.contains, catalog) in root
    iri = next(iter(node.content.records))
    turtle = fetch(node.local_url(iri))
    assert (turtle.header("Content-Type") or "").startswith("text/turtle")
    page = turtle.graph()
    assert (URIRef(iri), DCTERMS.isPartOf, catalog) in page
    assert len(set(page.objects(URIRef(iri), DCTERMS.accessRights))) == 1
    jsonld = fetch(node.local_url(iri), headers={"Accept": "application/ld+json"})
    assert jsonld.header("Content-Type") == "application/ld+json"
    assert jsonld.header("ETag") != turtle.header("ETag")
    assert isomorphic(jsonld.graph(), page)
    for dist in page.objects(URIRef(iri), DCAT.distribution):
        described = fetch(node.local_url(str(dist))).graph()
        assert (dist, RDF.type, DCAT.Distribution) in described
        assert (URIRef(iri), None, None) not in described


# -- feed --------------------------------------------------------------------------------


def next_page(page: Graph) -> str | None:
    for prop in (HYDRA.next, HYDRA.nextPage):
        for value in page.objects(None, prop):
            return str(value)
    return None


def test_feed_pages_chain_and_cover_every_record_once(served: ServedFederation) -> None:
    feeds = of_kind(served, "feed")
    styles = set()
    for node in feeds:
        url: str | None = node.url
        seen: list[str] = []
        pages = 0
        while url is not None:
            answer = fetch(url)
            assert answer.status == 200, url
            page = answer.graph()
            pages += 1
            assert (URIRef(node.content.catalog_iri), RDF.type, DCAT.Catalog) in page
            for record in split_records(page):
                assert isomorphic(record.graph, node.content.records[record.iri])
                seen.append(record.iri)
            if (None, RDF.type, HYDRA.PartialCollectionView) in page:
                styles.add("hydra")
                assert isinstance(next(page.objects(None, HYDRA.first)), URIRef)
            if (None, RDF.type, HYDRA.PagedCollection) in page:
                styles.add("ckan")
                assert isinstance(next(page.objects(None, HYDRA.firstPage)), Literal)
            (total,) = page.objects(None, HYDRA.totalItems)
            assert int(str(total)) == len(node.content.records)
            url = next_page(page)
        assert sorted(seen) == sorted(node.content.records), node.id
        assert pages == -(-len(node.content.records) // 2) and pages > 1
        assert fetch(f"{node.url}?page={pages + 1}").status == 404
        assert fetch(f"{node.url}?page=zero").status == 400
    assert styles == {"hydra", "ckan"}


# -- SPARQL ------------------------------------------------------------------------------

SELECT_RECORDS = (
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?d WHERE "
    "{ { ?d a dcat:Dataset } UNION { ?d a dcat:DatasetSeries } }"
)


def select_iris(answer: Answer) -> set[str]:
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/sparql-results+json"
    bindings = answer.json()["results"]["bindings"]
    return {b["d"]["value"] for b in bindings}


def test_sparql_endpoint_answers_select_ask_and_construct(served: ServedFederation) -> None:
    for node in of_kind(served, "sparql"):
        records = set(node.content.records)
        query = urllib.parse.urlencode({"query": SELECT_RECORDS})
        assert select_iris(fetch(f"{node.url}?{query}")) == records
        form = urllib.parse.urlencode({"query": SELECT_RECORDS}).encode()
        posted = fetch(
            node.url,
            method="POST",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert select_iris(posted) == records
        direct = fetch(
            node.url,
            method="POST",
            data=SELECT_RECORDS.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert select_iris(direct) == records
        ask = urllib.parse.urlencode({"query": "ASK { ?s a <http://www.w3.org/ns/dcat#Catalog> }"})
        assert fetch(f"{node.url}?{ask}").json()["boolean"] is True

        iri = sorted(records)[0]
        construct = f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
        expected = Graph()
        for triple in node.content.records[iri].triples((URIRef(iri), None, None)):
            expected.add(triple)
        url = f"{node.url}?{urllib.parse.urlencode({'query': construct})}"
        nt = fetch(url)
        assert nt.header("Content-Type") == "application/n-triples"
        assert isomorphic(nt.graph(), expected)
        ttl = fetch(url, headers={"Accept": "text/turtle"})
        assert (ttl.header("Content-Type") or "").startswith("text/turtle")
        assert isomorphic(ttl.graph(), expected)

        bad = fetch(f"{node.url}?{urllib.parse.urlencode({'query': 'SELECT WHERE {'})}")
        assert bad.status == 400 and b"syntax" in bad.body.lower()
        insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
        assert fetch(f"{node.url}?{urllib.parse.urlencode({'query': insert})}").status == 400
        update = fetch(
            node.url,
            method="POST",
            data=insert.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        assert update.status == 403
        assert fetch(node.url).status == 400


# -- Beacon ------------------------------------------------------------------------------


def beacon_identifiers(node: ServedNode) -> set[str]:
    out = set()
    for iri, graph in node.content.records.items():
        if (URIRef(iri), GDCAT.beacon, None) in graph:
            out.add(str(graph.value(URIRef(iri), DCTERMS.identifier)))
    return out


def test_header_names_are_read_in_any_case(served: ServedFederation) -> None:
    """Field names are case-insensitive (RFC 9110): Oxigraph's SERVICE client and HTTP/2
    clients send them in lower case, others in upper case."""
    node = of_kind(served, "sparql")[0]
    parts = urllib.parse.urlsplit(node.url)
    for spelling in (str.lower, str.upper):
        connection = http.client.HTTPConnection(parts.netloc, timeout=10)
        try:
            connection.putrequest("POST", parts.path, skip_accept_encoding=True)
            body = SELECT_RECORDS.encode()
            for name, value in (
                ("Content-Type", "application/sparql-query"),
                ("Accept", "text/csv"),
                ("Content-Length", str(len(body))),
            ):
                connection.putheader(spelling(name), value)
            connection.endheaders(body)
            response = connection.getresponse()
            answer = response.read().decode()
        finally:
            connection.close()
        assert response.status == 200, answer
        assert response.getheader("Content-Type", "").startswith("text/csv")
        assert set(answer.split()[1:]) == set(node.content.records)


def test_beacon_endpoints_have_the_documented_shape(served: ServedFederation) -> None:
    (node,) = of_kind(served, "beacon")
    assert node.url.endswith("/api")
    info = fetch(node.url + "/info")
    assert info.status == 200 and info.header("Content-Type") == "application/json"
    body = info.json()
    assert {"beaconId", "apiVersion", "returnedSchemas"} <= set(body["meta"])
    response = body["response"]
    assert isinstance(response, dict)
    assert response["apiVersion"] == "v2.0.1" and response["environment"] == "prod"
    assert {"id", "name"} <= set(response["organization"])
    for key in ("id", "name", "description", "createDateTime", "updateDateTime"):
        assert isinstance(response[key], str) and response[key], key

    terms = fetch(node.url + "/filtering_terms").json()["response"]
    assert isinstance(terms, dict)
    assert terms["filteringTerms"]
    for term in terms["filteringTerms"]:
        assert term["type"] == "ontologyTerm"
        assert term["id"].split(":")[0] in {"HP", "ORPHA", "MONDO"}
        assert term["label"]

    datasets = fetch(node.url + "/datasets").json()
    collections = datasets["response"]["collections"]
    expected = beacon_identifiers(node)
    assert expected and {c["id"] for c in collections} == expected
    assert datasets["responseSummary"] == {"exists": True, "numTotalResults": len(expected)}
    for c in collections:
        assert c["name"] and c["description"]
    one = sorted(expected)[0]
    single = fetch(f"{node.url}/datasets/{one}").json()["response"]["collections"]
    assert [c["id"] for c in single] == [one]


# -- HTTP semantics, mutations and faults ------------------------------------------------


def test_conditional_requests_answer_304(served: ServedFederation) -> None:
    for node in served.nodes:
        url = node.url + ("/info" if node.kind == "beacon" else "")
        if node.kind == "sparql":
            url += "?" + urllib.parse.urlencode({"query": SELECT_RECORDS})
        first = fetch(url)
        etag, modified = first.header("ETag"), first.header("Last-Modified")
        assert etag and etag.startswith('"') and modified, node.id
        again = fetch(url, headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == b"", node.id
        assert fetch(url, headers={"If-Modified-Since": modified}).status == 304
        assert fetch(url, headers={"If-None-Match": '"other"'}).status == 200
        head = fetch(url, method="HEAD")
        assert head.status == 200 and head.body == b""
        assert head.header("Content-Length") == str(len(first.body))
        assert head.header("ETag") == etag


def test_changes_show_everywhere_with_new_etags(mutable: ServedFederation) -> None:
    fdp, dcat, feed = mutable.node("nl"), mutable.node("hu"), mutable.node("de")
    sparql, beacon = mutable.node("es"), mutable.node("es-beacon")
    query = f"{sparql.url}?{urllib.parse.urlencode({'query': SELECT_RECORDS})}"

    iri = sorted(fdp.content.records)[0]
    before = fetch(fdp.local_url(iri))
    changed = Graph()
    changed += fdp.content.records[iri]
    changed.set((URIRef(iri), DCTERMS.title, Literal("Renamed dataset", lang="en")))
    fdp.content.put(iri, changed)
    after = fetch(fdp.local_url(iri))
    assert after.header("ETag") != before.header("ETag")
    assert (URIRef(iri), DCTERMS.title, Literal("Renamed dataset", lang="en")) in after.graph()
    stale = fetch(
        fdp.local_url(iri), headers={"If-Modified-Since": before.header("Last-Modified") or ""}
    )
    assert stale.status == 200

    gone = sorted(fdp.content.records)[-1]
    fdp.content.delete(gone)
    assert fetch(fdp.local_url(gone)).status == 404
    catalog = fetch(fdp.local_url(fdp.content.catalog_iri)).graph()
    assert (None, LDP.contains, URIRef(gone)) not in catalog

    doc_before = fetch(dcat.url)
    added = URIRef(dcat.content.base + "dataset/NEW-1")
    new = Graph()
    new.add((added, RDF.type, DCAT.Dataset))
    new.add((added, DCTERMS.title, Literal("A new dataset", lang="en")))
    dcat.content.put(str(added), new)
    doc_after = fetch(dcat.url)
    assert doc_after.header("ETag") != doc_before.header("ETag")
    assert (URIRef(dcat.content.catalog_iri), DCAT.dataset, added) in doc_after.graph()

    first_record = sorted(feed.content.records)[0]
    feed.content.delete(first_record)
    seen = []
    url: str | None = feed.url
    while url is not None:
        page = fetch(url).graph()
        seen += [r.iri for r in split_records(page)]
        url = next_page(page)
    assert sorted(seen) == sorted(feed.content.records) and first_record not in seen

    victim = sorted(sparql.content.records)[0]
    etag = fetch(query).header("ETag")
    beacon_etag = fetch(beacon.url + "/datasets").header("ETag")
    beacon_ids = beacon_identifiers(beacon)
    sparql.content.delete(victim)
    answer = fetch(query)
    assert answer.header("ETag") != etag
    assert select_iris(answer) == set(sparql.content.records)
    collections = fetch(beacon.url + "/datasets").json()["response"]["collections"]
    assert {c["id"] for c in collections} == beacon_identifiers(beacon)
    if beacon_identifiers(beacon) != beacon_ids:
        assert fetch(beacon.url + "/datasets").header("ETag") != beacon_etag


def test_faults_are_injected_per_path_until_cleared(mutable: ServedFederation) -> None:
    feed = mutable.node("de")
    feed.fail("/feed?page=2", 503)
    assert fetch(feed.url).status == 200
    failed = fetch(feed.url + "?page=2")
    assert failed.status == 503 and failed.body.strip() == b"injected failure"
    feed.fail("*", 500)
    assert fetch(feed.url).status == 500
    feed.clear_faults()
    assert fetch(feed.url + "?page=2").status == 200
    assert ("GET", "/feed?page=2", 503) in feed.requests
    assert feed.requests[-1] == ("GET", "/feed?page=2", 200)


def test_close_stops_every_server(fed: Federation) -> None:
    served = serve_federation(fed, kinds={"nl": "fdp", "lu-beacon": "beacon"})
    urls = [n.url for n in served.nodes]
    assert all(fetch(u).status == 200 for u in [urls[0], urls[1] + "/info"])
    served.close()
    for url in urls:
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url, timeout=2)


def test_last_modified_moves_forward_on_every_change(mutable: ServedFederation) -> None:
    node = mutable.node("hu")
    stamp = node.content.last_modified
    iri = next(iter(node.content.records))
    node.content.put(iri, node.content.records[iri])
    assert node.content.last_modified > stamp
    answer = fetch(node.url)
    assert answer.header("Last-Modified") == formatdate(node.content.last_modified, usegmt=True)
