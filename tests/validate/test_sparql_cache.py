"""The caching SPARQL processor answers exactly as rdflib's own, preparing each text once."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql.processor import SPARQLProcessor

from gdcat.validate import sparql_cache

EX = "http://example.org/"
QUERY = "SELECT ?o WHERE { $this <http://example.org/p> ?o } ORDER BY ?o"


def _graph() -> Graph:
    graph = Graph()
    for subject, value in (("a", 1), ("a", 2), ("b", 3)):
        graph.add((URIRef(EX + subject), URIRef(EX + "p"), Literal(value)))
    return graph


def test_same_answers_as_rdflib_for_each_binding() -> None:
    graph = _graph()
    plain = SPARQLProcessor(graph)
    caching = sparql_cache.CachingSPARQLProcessor(graph)
    answers = {}
    for subject in ("a", "b", "c"):
        bindings = {"this": URIRef(EX + subject)}
        expected = [row["o"] for row in plain.query(QUERY, initBindings=bindings)["bindings"]]
        got = [row["o"] for row in caching.query(QUERY, initBindings=bindings)["bindings"]]
        assert got == expected
        answers[subject] = [int(value) for value in got]
    assert answers == {"a": [1, 2], "b": [3], "c": []}


def test_a_text_is_prepared_once() -> None:
    first = sparql_cache.prepared(QUERY, None, {})
    assert sparql_cache.prepared(QUERY, None, {}) is first
    assert sparql_cache.prepared(QUERY + " LIMIT 1", None, {}) is not first


def test_installed_processor_serves_graph_queries() -> None:
    sparql_cache.install()
    rows = list(_graph().query(QUERY, initBindings={"this": URIRef(EX + "a")}))
    assert [int(row[0]) for row in rows] == [1, 2]  # type: ignore[index]
