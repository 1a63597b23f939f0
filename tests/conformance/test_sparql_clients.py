"""Real SPARQL clients against gdcat's ``/sparql``: SPARQLWrapper and rdflib's ``SPARQLStore``
(GET and POST; SELECT as JSON, XML and CSV; ASK; CONSTRUCT), and ``SPARQLUpdateStore`` writing
to a scratch store with the admin token."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

TITLES = (
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> "
    "SELECT ?dataset ?title WHERE { ?dataset a dcat:Dataset ; dct:title ?title "
    "FILTER(lang(?title) = 'en') } ORDER BY ?dataset ?title LIMIT 12"
)


@pytest.fixture(scope="module")
def live(gdcat_server: LiveGdcat) -> LiveGdcat:
    """gdcat serving the harvested demo federation (read-only use)."""
    return gdcat_server


@pytest.fixture(scope="module")
def expected(live: LiveGdcat) -> list[tuple[str, str]]:
    """The titles query answered by the store itself."""
    result = live.store.query(TITLES)
    rows = [(row[0].value, row[1].value) for row in result.rows]  # type: ignore[union-attr]
    assert len(rows) == 12
    return rows


def a_record(live: LiveGdcat) -> tuple[str, Graph]:
    dataset = next(iri for iri in live.store.list_records() if "/dataset/" in iri)
    graph = live.store.get_record(dataset)
    assert graph is not None
    return live.store.record_iri(dataset), graph


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_as_json_xml_and_csv(
    live: LiveGdcat, expected: list[tuple[str, str]], method: str
) -> None:
    client = SPARQLWrapper(live.url + "/sparql")
    client.setMethod(method)
    client.setQuery(TITLES)

    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [(b["dataset"]["value"], b["title"]["value"]) for b in bindings] == expected

    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    results = document.getElementsByTagName("result")  # type: ignore[union-attr]
    values = [
        tuple(node.getElementsByTagName(tag)[0].firstChild.data for tag in ("uri", "literal"))
        for node in results
    ]
    assert values == expected

    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.queryAndConvert().decode())))  # type: ignore[union-attr]
    assert rows[0] == ["dataset", "title"] and [tuple(r) for r in rows[1:]] == expected


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_ask_and_construct(live: LiveGdcat, method: str) -> None:
    record, published = a_record(live)
    client = SPARQLWrapper(live.url + "/sparql")
    client.setMethod(method)
    client.setReturnFormat(JSON)
    client.setQuery(f"ASK {{ GRAPH <{record}> {{ ?s ?p ?o }} }}")
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]
    client.setQuery("ASK { <urn:nothing> ?p ?o }")
    assert client.queryAndConvert()["boolean"] is False  # type: ignore[index]

    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{record}> {{ ?s ?p ?o }} }}"
    client.setQuery(construct)
    client.setReturnFormat(XML)  # RDF/XML for graphs
    assert isomorphic(client.queryAndConvert(), published)  # type: ignore[arg-type]
    client.setReturnFormat(TURTLE)
    turtle = client.queryAndConvert()
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), published)  # type: ignore[arg-type]
    client.setReturnFormat(JSONLD)
    assert isomorphic(client.queryAndConvert(), published)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_reads_the_endpoint(
    live: LiveGdcat, expected: list[tuple[str, str]], method: str
) -> None:
    record, published = a_record(live)
    for fmt in ("xml", "json"):
        graph = Graph(SPARQLStore(live.url + "/sparql", method=method, returnFormat=fmt))
        rows = [(str(row[0]), str(row[1])) for row in graph.query(TITLES)]  # type: ignore[index]
        assert rows == expected
        assert graph.query(f"ASK {{ GRAPH <{record}> {{ ?s ?p ?o }} }}").askAnswer is True
    # Graph answers come as RDF/XML (with returnFormat "json" rdflib accepts SPARQL JSON only).
    graph = Graph(SPARQLStore(live.url + "/sparql", method=method))
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{record}> {{ ?s ?p ?o }} }}"
    answer = graph.query(construct).graph
    assert answer is not None and isomorphic(answer, published)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_rdflib_sparqlstore_with_a_results_format_gets_graphs_as_turtle(
    live: LiveGdcat, expected: list[tuple[str, str]], fmt: str
) -> None:
    """rdflib's SPARQLStore sends the same Accept (SPARQL JSON, or CSV) for every query form:
    a CONSTRUCT or DESCRIBE is answered in Turtle rather than refused with 406."""
    record, published = a_record(live)
    graph = Graph(SPARQLStore(live.url + "/sparql", returnFormat=fmt))
    rows = [(str(row[0]), str(row[1])) for row in graph.query(TITLES)]  # type: ignore[index]
    assert rows == expected
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{record}> {{ ?s ?p ?o }} }}"
    answer = graph.query(construct).graph
    assert answer is not None and isomorphic(answer, published)
    accept = "text/csv" if fmt == "csv" else "application/sparql-results+json"
    r = httpx.get(live.url + "/sparql", params={"query": construct}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


def test_rdflib_sparqlupdatestore_writes_with_the_admin_token(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    token = "clients-test-token"
    with start_gdcat(
        tmp_path_factory.mktemp("clients-update"),
        datasets=None,
        sparql_updates=True,
        admin_token=token,
    ) as scratch:
        url = scratch.url + "/sparql"
        store = SPARQLUpdateStore(url, url, headers={"Authorization": f"Bearer {token}"})
        graph = Graph(store, identifier=URIRef("urn:gdcat-test:clients"))
        graph.add((URIRef("urn:s"), URIRef("urn:p"), Literal("written by rdflib")))
        values = list(Graph(SPARQLStore(url)).query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert [str(row[0]) for row in values] == ["written by rdflib"]  # type: ignore[index]
        refused = SPARQLUpdateStore(url, url)
        with pytest.raises(Exception, match="401"):
            Graph(refused, identifier=URIRef("urn:x")).add(
                (URIRef("urn:a"), URIRef("urn:b"), Literal(1))
            )
