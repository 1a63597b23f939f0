"""The SPARQL 1.1 Protocol endpoint of the harvested demo federation: queries by GET and POST,
answers in every format, the dataset parameters, protocol errors, the service description, and
a public endpoint that refuses updates."""

from __future__ import annotations

import csv
import io

import httpx
import pyoxigraph as ox
import pytest
from live_gdcat import LiveGdcat
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from gdcat.harvest.registry import load_registry

SD = "http://www.w3.org/ns/sparql-service-description#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATASETS = (
    "SELECT ?dataset ?title WHERE { ?dataset a <http://www.w3.org/ns/dcat#Dataset> ; "
    "<http://purl.org/dc/terms/title> ?title } ORDER BY ?dataset ?title LIMIT 7"
)
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


def endpoint(live: LiveGdcat) -> str:
    return live.url + "/sparql"


def solutions(response: httpx.Response) -> list[tuple[object, ...]]:
    media = response.headers["content-type"].split(";")[0]
    if media == "text/csv":  # lossy (values only): pyoxigraph does not read it back
        rows = csv.reader(io.StringIO(response.text))
        next(rows)
        return [tuple(row) for row in rows]
    parsed = ox.parse_query_results(response.content, format=RESULT_TYPES[media])
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [tuple(row[name] for name in names) for row in parsed]


def graph_of(response: httpx.Response) -> Graph:
    media = response.headers["content-type"].split(";")[0]
    return Graph().parse(data=response.text, format=GRAPH_TYPES[media])


def a_record(live: LiveGdcat) -> str:
    return next(iri for iri in live.store.list_records() if "/dataset/" in iri)


def test_select_answers_in_every_result_format_by_accept(gdcat_server: LiveGdcat) -> None:
    answers = {}
    for media in RESULT_TYPES:
        r = httpx.get(endpoint(gdcat_server), params={"query": DATASETS}, headers={"Accept": media})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == media
        assert "Accept" in r.headers["vary"]
        answers[media] = solutions(r)
    values = answers.pop("text/csv")  # CSV keeps values only: compare those
    first = answers["application/sparql-results+json"]
    assert len(first) == 7 and all(rows == first for rows in answers.values())
    assert [tuple(t.value for t in row) for row in first] == values  # type: ignore[attr-defined]


def test_the_default_graph_is_the_union_of_every_record(gdcat_server: LiveGdcat) -> None:
    query = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
    r = httpx.get(endpoint(gdcat_server), params={"query": query})
    counted = int(r.json()["results"]["bindings"][0]["n"]["value"])
    stored = gdcat_server.store.query(query).rows[0][0]
    assert isinstance(stored, ox.Literal)
    assert counted == int(stored.value) > 50


def test_get_post_form_and_post_direct_give_one_answer(gdcat_server: LiveGdcat) -> None:
    url = endpoint(gdcat_server)
    by_get = httpx.get(url, params={"query": DATASETS})
    by_form = httpx.post(url, data={"query": DATASETS})
    by_body = httpx.post(
        url, content=DATASETS.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.json() == by_form.json() == by_body.json()


def test_ask_answers_true_and_false_as_json_and_xml(gdcat_server: LiveGdcat) -> None:
    url = endpoint(gdcat_server)
    yes = httpx.get(url, params={"query": "ASK { ?s a <http://www.w3.org/ns/dcat#Dataset> }"})
    assert yes.json() == {"head": {}, "boolean": True}
    no = httpx.get(
        url,
        params={"query": "ASK { ?s a <http://example.org/Nothing> }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert no.headers["content-type"].startswith("application/sparql-results+xml")
    answer = ox.parse_query_results(no.content, format=ox.QueryResultsFormat.XML)
    assert isinstance(answer, ox.QueryBoolean) and not bool(answer)


def test_a_record_constructed_in_every_rdf_format_is_the_record_as_published(
    gdcat_server: LiveGdcat,
) -> None:
    dataset = a_record(gdcat_server)
    graph_iri = gdcat_server.store.record_iri(dataset)
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    published = gdcat_server.store.get_record(dataset)
    assert published is not None
    for media in GRAPH_TYPES:
        r = httpx.get(endpoint(gdcat_server), params={"query": query}, headers={"Accept": media})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == media
        assert isomorphic(graph_of(r), published), media
    # The store keeps integer-derived datatypes as xsd:integer; answers restore them.
    counts = "CONSTRUCT { ?d ?p ?n } WHERE { ?d ?p ?n FILTER(isNumeric(?n)) }"
    r = httpx.get(endpoint(gdcat_server), params={"query": counts, "format": "nt"})
    datatypes = {o.datatype for o in graph_of(r).objects() if isinstance(o, Literal)}
    assert URIRef(XSD + "nonNegativeInteger") in datatypes


def test_format_parameter_overrides_accept_and_unusable_ones_are_refused(
    gdcat_server: LiveGdcat,
) -> None:
    url = endpoint(gdcat_server)
    r = httpx.get(url, params={"query": DATASETS, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    r = httpx.get(url, params={"query": "DESCRIBE <urn:x>", "format": "xml"})
    assert r.headers["content-type"].startswith("application/rdf+xml")
    r = httpx.get(url, params={"query": "DESCRIBE <urn:x>", "format": "csv"})
    assert r.status_code == 406
    assert "text/turtle" in r.json()["detail"] and "CONSTRUCT" in r.json()["detail"]
    r = httpx.get(url, params={"query": DATASETS}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.headers["content-type"] == "application/problem+json"
    r = httpx.get(url, params={"query": DATASETS, "format": "pdf"})
    assert r.status_code == 400 and "pdf" in r.json()["detail"]


def test_dataset_parameters_choose_the_graphs_a_query_sees(gdcat_server: LiveGdcat) -> None:
    url = endpoint(gdcat_server)
    record = gdcat_server.store.record_iri(a_record(gdcat_server))
    count = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"

    def number(response: httpx.Response) -> int:
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert number(httpx.get(url, params={"query": count, "default-graph-uri": record})) == 1
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.get(url, params={"query": named, "named-graph-uri": record})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [record]
    # Named graphs alone leave the default graph empty.
    assert number(httpx.post(url, data={"query": count, "named-graph-uri": record})) == 0
    # A query naming its own dataset gets it (not the union).
    own = count.replace("WHERE", f"FROM <{record}> WHERE")
    assert number(httpx.get(url, params={"query": own})) == 1
    r = httpx.get(url, params={"query": count, "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "default-graph-uri" in r.json()["detail"]


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


@pytest.mark.parametrize(
    ("content", "headers", "status", "says"),
    [
        pytest.param(b"query=ASK%7B%7D&update=CLEAR%20ALL", FORM, 400, "not both", id="both"),
        pytest.param(b"query=ASK%7B%7D&query=ASK%7B%7D", FORM, 400, "several", id="two-queries"),
        pytest.param(b"", FORM, 400, "no query", id="nothing"),
        pytest.param(b"ASK {}", {"Content-Type": "text/plain"}, 415, "text/plain", id="type"),
        pytest.param(b"query=ASK%7B%7D", {}, 415, "no Content-Type", id="no-type"),
        pytest.param("ASK {}".encode("utf-16"), DIRECT, 400, "UTF-8", id="utf-16"),
        pytest.param(
            b"ASK {}",
            {"Content-Type": "application/sparql-query; charset=latin-1"},
            415,
            "UTF-8",
            id="charset",
        ),
        pytest.param(b"query=%FF", FORM, 400, "UTF-8", id="form-not-utf-8"),
    ],
)
def test_protocol_errors_are_problems_that_say_what_is_wrong(
    gdcat_server: LiveGdcat, content: bytes, headers: dict[str, str], status: int, says: str
) -> None:
    r = httpx.post(endpoint(gdcat_server), content=content, headers=headers)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    assert says in r.json()["detail"]


def test_other_protocol_mistakes(gdcat_server: LiveGdcat) -> None:
    url = endpoint(gdcat_server)
    r = httpx.get(url, params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert r.status_code == 400 and "several" in r.json()["detail"]
    r = httpx.get(url, params={"update": "CLEAR ALL"})
    assert r.status_code == 400 and "POST" in r.json()["detail"]
    r = httpx.put(url, params={"query": "ASK {}"})
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    r = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400 and r.json()["title"] == "Bad query"
    assert "syntax error" in r.json()["detail"] and "1:" in r.json()["detail"]
    r = httpx.post(url, data={"default-graph-uri": "http://example.org/g"})
    assert r.status_code == 400 and "no query" in r.json()["detail"]


def test_a_bare_get_describes_the_service_in_every_rdf_format(gdcat_server: LiveGdcat) -> None:
    url = endpoint(gdcat_server)
    graphs = []
    for media in ("text/turtle", "application/ld+json", "application/rdf+xml"):
        r = httpx.get(url, headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
        graphs.append(graph_of(r))
    assert all(isomorphic(graphs[0], g) for g in graphs[1:])
    description = graphs[0]
    service = URIRef(url)
    assert (service, RDF.type, URIRef(SD + "Service")) in description
    assert (service, URIRef(SD + "endpoint"), service) in description
    assert (service, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in description
    assert (service, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Update")) not in (
        description
    )
    # The national nodes' SPARQL endpoints are the federation SERVICE may call.
    assert gdcat_server.registry is not None
    sparql_nodes = [n.url for n in load_registry(gdcat_server.registry) if n.kind == "sparql"]
    assert sparql_nodes
    for node in sparql_nodes:
        assert (URIRef(node), URIRef(SD + "endpoint"), URIRef(node)) in description


def test_a_browser_gets_a_query_page(gdcat_server: LiveGdcat) -> None:
    r = httpx.get(
        endpoint(gdcat_server), headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<form" in r.text and 'name="query"' in r.text
    # A query is answered by the protocol, even to a browser's Accept (the page asks with
    # format=html).
    answer = httpx.get(
        endpoint(gdcat_server),
        params={"query": "ASK {}"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert answer.json()["boolean"] is True


def test_a_page_elsewhere_may_query_the_endpoint(gdcat_server: LiveGdcat) -> None:
    preflight = httpx.options(
        endpoint(gdcat_server),
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    r = httpx.get(
        endpoint(gdcat_server),
        params={"query": "ASK {}"},
        headers={"Origin": "https://yasgui.example"},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in ("*", "https://yasgui.example")


def test_the_public_endpoint_refuses_updates_and_changes_nothing(gdcat_server: LiveGdcat) -> None:
    url = endpoint(gdcat_server)
    store = gdcat_server.store
    before = (store.generation, store.count_triples())
    attempts = [
        httpx.post(url, data={"update": "CLEAR ALL"}),
        httpx.post(
            url,
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer x"},
        ),
    ]
    for r in attempts:
        assert r.status_code == 403, r.text
        assert r.json()["type"].endswith("/read-only")
    assert (store.generation, store.count_triples()) == before
    r = httpx.get(url, params={"query": "ASK { ?s a <http://www.w3.org/ns/dcat#Dataset> }"})
    assert r.json()["boolean"] is True


def test_the_endpoint_is_documented_in_the_openapi_description(gdcat_server: LiveGdcat) -> None:
    doc = httpx.get(gdcat_server.url + "/openapi.json").json()
    operations = doc["paths"]["/sparql"]
    assert set(operations) == {"get", "post"}
    get = operations["get"]
    assert {p["name"] for p in get["parameters"]} >= {"query", "default-graph-uri", "format"}
    assert "application/sparql-results+json" in get["responses"]["200"]["content"]
    assert "application/x-www-form-urlencoded" in operations["post"]["requestBody"]["content"]
    assert "application/sparql-query" in operations["post"]["description"]
    assert {"400", "401", "403", "406", "415", "422", "503"} <= set(operations["post"]["responses"])
    assert (
        "example" in operations["post"]["responses"]["403"]["content"]["application/problem+json"]
    )
