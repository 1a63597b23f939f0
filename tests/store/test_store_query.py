"""SPARQL over the store, and the renderings people and programs read."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rdfns

from gdcat.errors import QueryError, UnsupportedFormatError
from gdcat.store import Store, serialize_result

from .store_builders import DatasetSpec, write

D1 = "https://node.example.org/dataset/1"
D2 = "https://node.example.org/dataset/2"

TITLES = f"""
SELECT ?dataset ?title ?genomes WHERE {{
  ?dataset <{rdfns.DCTERMS.title}> ?title .
  OPTIONAL {{ ?dataset <https://w3id.org/gdcat/ns#numberOfGenomes> ?genomes }}
}} ORDER BY ?dataset
"""


@pytest.fixture
def filled(any_store: Store) -> Store:
    any_store.put_records(
        [
            write(DatasetSpec(D1, title='Cohort "one", Spain', genomes=120)),
            write(DatasetSpec(D2, title="Cohorte dos")),
        ]
    )
    return any_store


def test_select_results_as_sparql_json(filled: Store) -> None:
    document = json.loads(filled.serialize(filled.query(TITLES), "json"))

    assert document["head"]["vars"] == ["dataset", "title", "genomes"]
    first, second = document["results"]["bindings"]
    assert first["dataset"] == {"type": "uri", "value": D1}
    assert first["title"] == {"type": "literal", "value": 'Cohort "one", Spain', "xml:lang": "en"}
    assert first["genomes"]["value"] == "120"
    assert "genomes" not in second


def test_select_results_as_csv_tsv_and_table(filled: Store) -> None:
    result = filled.query(TITLES)

    rows = list(csv.reader(io.StringIO(filled.serialize(result, "csv"))))
    assert rows == [
        ["dataset", "title", "genomes"],
        [D1, 'Cohort "one", Spain', "120"],
        [D2, "Cohorte dos", ""],
    ]
    tsv = filled.serialize(result, "tsv").splitlines()
    assert tsv[0] == "?dataset\t?title\t?genomes"
    assert tsv[1].startswith(f'<{D1}>\t"Cohort \\"one\\", Spain"@en\t')
    table = filled.serialize(result, "table")
    assert "Cohorte dos@en" in table
    assert table.rstrip().endswith("(2 rows)")


def test_ask_results(filled: Store) -> None:
    yes = filled.query(f"ASK {{ <{D1}> ?p ?o }}")
    no = filled.query("ASK { <https://nowhere.example.org/x> ?p ?o }")

    assert json.loads(filled.serialize(yes, "json")) == {"head": {}, "boolean": True}
    assert filled.serialize(no, "table").strip() == "false"


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_results_keep_the_published_datatypes(any_store: Store, form: str) -> None:
    spec = DatasetSpec(D1, individuals=1300, byte_sizes=())
    any_store.put_records([write(spec)])
    sparql = (
        f"CONSTRUCT {{ <{D1}> ?p ?o }} WHERE {{ <{D1}> ?p ?o }}"
        if form == "CONSTRUCT"
        else f"DESCRIBE <{D1}>"
    )

    turtle = any_store.serialize(any_store.query(sparql), "turtle")
    graph = Graph().parse(data=turtle, format="turtle")

    counts = set(
        graph.objects(
            URIRef(D1), URIRef("http://healthdataportal.eu/ns/health#numberOfUniqueIndividuals")
        )
    )
    assert counts == {Literal("1300", datatype=rdfns.XSD.nonNegativeInteger)}
    assert "@prefix dcat:" in turtle
    expected = Graph()
    for triple in spec.graph().triples((URIRef(D1), None, None)):
        expected.add(triple)
    # DESCRIBE and CONSTRUCT of the dataset's own triples: the blank nodes it points to differ
    # in label only, so compare without them.
    assert {t for t in graph if not _has_bnode(t)} == {t for t in expected if not _has_bnode(t)}


def _has_bnode(triple: tuple[object, object, object]) -> bool:
    return any(isinstance(term, BNode) for term in triple)


def test_a_triple_in_several_record_graphs_is_described_once(filled: Store) -> None:
    # every record of the node describes its publisher
    described = filled.query("DESCRIBE <http://node.example.org/publisher>")

    assert [t.object.value for t in described.triples] == ["The node"]


def test_the_union_default_graph_is_optional(filled: Store) -> None:
    if getattr(getattr(filled, "flavour", None), "name", None) == "virtuoso":
        pytest.xfail(
            "Virtuoso's default graph is always the union of its graphs: naming another "
            "(default-graph-uri, FROM) also empties its named graphs, so an empty default "
            "graph beside every named graph cannot be asked for"
        )
    sparql = f"SELECT ?title WHERE {{ <{D2}> <{rdfns.DCTERMS.title}> ?title }}"

    assert len(filled.query(sparql)) == 1
    assert len(filled.query(sparql, union_default_graph=False)) == 0


def test_a_row_cap_cuts_and_says_so(filled: Store) -> None:
    capped = filled.query("SELECT * WHERE { ?s ?p ?o }", max_rows=3)
    whole = filled.query("SELECT * WHERE { ?s ?p ?o }", max_rows=10_000)

    assert len(capped) == 3 and capped.truncated
    assert len(whole) == filled.count_triples() and not whole.truncated


def test_a_syntax_error_names_the_position(filled: Store) -> None:
    # line:column (Oxigraph), or the line (Virtuoso)
    with pytest.raises(QueryError, match=r"syntax error.*(1:\d+|line 1\b)"):
        filled.query("SELECT ?x WHERE { ?x ?p }")


def test_federated_queries_are_refused_without_any_request(
    filled: Store, recording_server: object
) -> None:
    url = recording_server.url  # type: ignore[attr-defined]
    with pytest.raises(QueryError, match="SERVICE"):
        filled.query(f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}")
    assert recording_server.requests == []  # type: ignore[attr-defined]
    # a variable or a string called "service" is no federated query
    ok = filled.query('SELECT ?service WHERE { ?service ?p "SERVICE <x> {}" }')
    assert len(ok) == 0


def test_formats_that_do_not_fit_the_result_are_refused(filled: Store) -> None:
    select = filled.query(TITLES)
    graph = filled.query(f"DESCRIBE <{D1}>")

    with pytest.raises(UnsupportedFormatError):
        serialize_result(select, "turtle")
    with pytest.raises(UnsupportedFormatError):
        serialize_result(graph, "csv")
    with pytest.raises(UnsupportedFormatError):
        serialize_result(select, "yaml")
    jsonld = json.loads(serialize_result(graph, "json"))
    assert any(node.get("@id") == D1 for node in jsonld)
    table = serialize_result(graph, "table")
    assert "dcat:Dataset" in table
    assert str(rdfns.DCAT.Dataset) not in table
