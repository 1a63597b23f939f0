"""The caching SPARQL processor answers exactly as rdflib's own, preparing each text once."""

from __future__ import annotations

from typing import Any

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


# --- simple queries answered from a batch's index ----------------------------------------

_GDCAT = "https://w3id.org/gdcat/ns#"
_SIMPLE = [
    # gdcat's own constraints (shapes/gdcat/extra.ttl), as pySHACL hands them over
    f"""SELECT $this (<{_GDCAT}sharingBarrier> AS ?path) ?value WHERE {{
        $this <{_GDCAT}oneMgReadiness> ?value .
        FILTER (?value != <{EX}READY>)
        FILTER NOT EXISTS {{ $this <{_GDCAT}sharingBarrier> ?barrier }} }}""",
    f"""SELECT $this (<{_GDCAT}numberOfGenomes> AS ?path) WHERE {{
        $this <{_GDCAT}sequencingType> <{EX}WGS> .
        FILTER NOT EXISTS {{ $this <{_GDCAT}numberOfGenomes> ?n }} }}""",
    f"""SELECT $this (<{EX}mail> AS ?path) WHERE {{
        FILTER NOT EXISTS {{ $this <{EX}mail> ?e }}
        FILTER NOT EXISTS {{ $this <{EX}page> ?u }} }}""",
    f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o . ?o <{EX}p> ?s }}",
]
_LEFT_TO_RDFLIB = [
    f"SELECT DISTINCT ?o WHERE {{ $this <{EX}p> ?o }}",
    f"SELECT ?o WHERE {{ $this <{EX}p> ?o FILTER (?o > 1) }}",
    f"SELECT ?o WHERE {{ OPTIONAL {{ $this <{EX}p> ?o }} }}",
    f"SELECT (COUNT(?o) AS ?n) WHERE {{ $this <{EX}p> ?o }}",
]


def _index_graph() -> Graph:
    from gdcat.validate.engine import Index

    gdcat = _GDCAT
    triples = [
        (URIRef(EX + "a"), URIRef(gdcat + "oneMgReadiness"), URIRef(EX + "READY")),
        (URIRef(EX + "b"), URIRef(gdcat + "oneMgReadiness"), URIRef(EX + "NOT_READY")),
        (URIRef(EX + "b"), URIRef(gdcat + "oneMgReadiness"), URIRef(EX + "CONDITIONAL")),
        (URIRef(EX + "c"), URIRef(gdcat + "oneMgReadiness"), URIRef(EX + "NOT_READY")),
        (URIRef(EX + "c"), URIRef(gdcat + "sharingBarrier"), URIRef(EX + "CONSENT")),
        (URIRef(EX + "d"), URIRef(gdcat + "oneMgReadiness"), Literal("NOT_READY")),
        (URIRef(EX + "a"), URIRef(gdcat + "sequencingType"), URIRef(EX + "WGS")),
        (URIRef(EX + "b"), URIRef(gdcat + "sequencingType"), URIRef(EX + "WGS")),
        (URIRef(EX + "b"), URIRef(gdcat + "numberOfGenomes"), Literal(3)),
        (URIRef(EX + "a"), URIRef(EX + "mail"), URIRef("mailto:a@example.org")),
        (URIRef(EX + "b"), URIRef(EX + "page"), URIRef(EX + "b.html")),
        (URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "b")),
        (URIRef(EX + "b"), URIRef(EX + "p"), URIRef(EX + "a")),
        (URIRef(EX + "a"), URIRef(EX + "p"), Literal(2)),
    ]
    return Index(triples).graph


def _bag(rows: Any) -> list[tuple[tuple[str, str], ...]]:
    """Rows as a bag: the same rows as often, in any order."""
    return sorted(tuple(sorted((str(k), repr(v)) for k, v in dict(row).items())) for row in rows)


def test_simple_queries_on_an_index_get_rdflibs_rows_without_rdflibs_engine() -> None:
    from rdflib.plugins.sparql.sparql import Query

    from gdcat.validate.sparql_native import plan_of

    graph = _index_graph()
    plain = SPARQLProcessor(graph)
    caching = sparql_cache.CachingSPARQLProcessor(graph)
    for text in _SIMPLE + _LEFT_TO_RDFLIB:
        query = sparql_cache.prepared(text, None, {})
        assert isinstance(query, Query)
        assert (plan_of(query) is not None) == (text in _SIMPLE), text
        for subject in ("a", "b", "c", "d", "e"):
            bindings = {"this": URIRef(EX + subject)}
            expected = plain.query(text, initBindings=bindings)
            got = caching.query(text, initBindings=bindings)
            assert _bag(got["bindings"]) == _bag(expected["bindings"]), (text, subject)
    # the comparison meeting a literal (d's readiness) was answered by rdflib: same rows
    readiness = sparql_cache.prepared(_SIMPLE[0], None, {})
    plan = plan_of(readiness)
    assert plan is not None
    index = graph.store.index  # type: ignore[attr-defined]
    assert plan.run(index, {"this": URIRef(EX + "d")}) is None
    rows = plan.run(index, {"this": URIRef(EX + "b")})
    assert rows is not None and len(rows["bindings"]) == 2
