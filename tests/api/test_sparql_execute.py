"""One query run as the workers run it: native serialisation, the row cap, restored datatypes."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest

from gdcat.sparql.execute import QueryAnswer, QueryFailure, QueryJob, Runner, Setup

XSD = "http://www.w3.org/2001/XMLSchema#"
COUNT = "http://healthdataportal.eu/ns/health#numberOfUniqueIndividuals"


@pytest.fixture
def store() -> ox.Store:
    store = ox.Store()
    lines = [
        f'<http://ex/s{i}> <http://ex/label> "line one\\nline two {i}"@en .' for i in range(10)
    ]
    lines.append(f'<http://ex/d> <{COUNT}> "5"^^<{XSD}nonNegativeInteger> .')
    store.load(
        "\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://g/")
    )
    return store


def run(store: ox.Store, sparql: str, **job: object) -> QueryAnswer | QueryFailure:
    setup = Setup(restore={COUNT: XSD + "nonNegativeInteger"}, prefixes={"ex": "http://ex/"})
    return Runner(setup).run(store, QueryJob(sparql, None, **job))  # type: ignore[arg-type]


QUERY = "SELECT ?s ?label WHERE { ?s <http://ex/label> ?label } ORDER BY ?s"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_row_cap_counts_solutions_not_lines(store: ox.Store, fmt: str) -> None:
    # Every label holds a line break: the cap still counts ten solutions.
    answer = run(store, QUERY, results_format=fmt, max_rows=10)
    assert isinstance(answer, QueryAnswer) and answer.rows == 10
    refused = run(store, QUERY, results_format=fmt, max_rows=9)
    assert isinstance(refused, QueryFailure) and refused.reason == "rows"
    assert "more than 9 rows" in refused.message


def test_every_result_format_holds_the_same_solutions(store: ox.Store) -> None:
    answers = {fmt: run(store, QUERY, results_format=fmt) for fmt in ("json", "xml", "tsv")}
    solutions = {}
    for fmt, answer in answers.items():
        assert isinstance(answer, QueryAnswer)
        parsed = ox.parse_query_results(
            answer.body, format=ox.QueryResultsFormat.from_extension(fmt)
        )
        assert isinstance(parsed, ox.QuerySolutions)
        solutions[fmt] = [(row["s"], row["label"]) for row in parsed]
    assert solutions["json"] == solutions["xml"] == solutions["tsv"]
    assert solutions["json"][0][1] == ox.Literal("line one\nline two 0", language="en")
    csv = run(store, QUERY, results_format="csv")
    assert isinstance(csv, QueryAnswer) and csv.body.startswith(b"s,label\r\n")


def test_graph_answers_keep_the_published_datatype(store: ox.Store) -> None:
    answer = run(store, "CONSTRUCT WHERE { ?s ?p ?o }", graph_format="ntriples")
    assert isinstance(answer, QueryAnswer) and answer.form == "graph" and answer.rows == 11
    assert f'"5"^^<{XSD}nonNegativeInteger>'.encode() in answer.body
    turtle = run(store, "DESCRIBE <http://ex/s1>", graph_format="turtle")
    assert isinstance(turtle, QueryAnswer) and turtle.body.startswith(b"@prefix ex: <http://ex/>")
    capped = run(store, "CONSTRUCT WHERE { ?s ?p ?o }", max_rows=10)
    assert isinstance(capped, QueryFailure) and capped.reason == "rows" and capped.form == "graph"


def test_ask_and_failures(store: ox.Store) -> None:
    answer = run(store, "ASK { ?s ?p ?o }")
    assert isinstance(answer, QueryAnswer) and json.loads(answer.body) == {
        "head": {},
        "boolean": True,
    }
    none_fits = run(store, "ASK {}", results_format=None)
    assert isinstance(none_fits, QueryFailure) and none_fits.reason == "not-acceptable"
    syntax = run(store, "ASK {")
    assert (
        isinstance(syntax, QueryFailure) and syntax.reason == "syntax" and "1:6" in syntax.message
    )


def test_the_protocol_dataset_replaces_the_union(store: ox.Store) -> None:
    store.add(ox.Quad(ox.NamedNode("http://ex/x"), ox.NamedNode("http://ex/p"), ox.Literal("x")))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(**job: object) -> int:
        answer = run(store, count, results_format="json", **job)
        assert isinstance(answer, QueryAnswer)
        return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])

    assert n() == 12  # union of every graph
    assert n(union_default_graph=False) == 1  # the store's own default graph
    assert n(default_graphs=("http://g/",)) == 11
    assert n(named_graphs=("http://g/",)) == 0  # named graphs only: the default graph is empty


def test_xml_answers_stay_well_formed_with_characters_xml_cannot_carry() -> None:
    # U+0000, other C0 controls and U+FFFF are legal in RDF literals but not in XML 1.0, not
    # even as character references: XML answers write U+FFFD for them; JSON keeps them.
    store = ox.Store()
    odd = "a\x00b\x01c\x1fd\uffffe\tf"
    store.add(ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal(odd)))
    select = run(store, 'SELECT ?o ("x\\u0000y" AS ?made) { ?s ?p ?o }', results_format="xml")
    assert isinstance(select, QueryAnswer)
    root = ElementTree.fromstring(select.body)  # raises on a document that is not well-formed
    literals = [e.text for e in root.iter("{http://www.w3.org/2005/sparql-results#}literal")]
    assert literals == ["a\ufffdb\ufffdc\ufffdd\ufffde\tf", "x\ufffdy"]
    graph = run(store, "CONSTRUCT WHERE { ?s ?p ?o }", graph_format="rdfxml")
    assert isinstance(graph, QueryAnswer)
    parsed = ox.parse(graph.body, format=ox.RdfFormat.RDF_XML)
    assert [t.object for t in parsed] == [ox.Literal("a\ufffdb\ufffdc\ufffdd\ufffde\tf")]
    exact = run(store, "SELECT ?o { ?s ?p ?o }", results_format="json")
    assert isinstance(exact, QueryAnswer)
    assert json.loads(exact.body)["results"]["bindings"][0]["o"]["value"] == odd
