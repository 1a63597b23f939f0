"""Splitting documents into records and hashing them."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from gdcat.rdf import parse_bytes, split_records
from gdcat.rdf.records import graph_hash

DOC = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/> .
ex:cat a dcat:Catalog ; dcat:dataset ex:d1, ex:d2 .
ex:pub a <http://xmlns.com/foaf/0.1/Agent> ; dct:title "Publisher" .
ex:d1 a dcat:Dataset ; dct:title "One"@en ; dct:publisher ex:pub ; dcat:inSeries ex:s ;
  dcat:distribution [ a dcat:Distribution ; dcat:accessURL ex:file ] .
ex:d2 a dcat:Dataset ; dct:title "Two"@en ; dct:publisher ex:pub ; dct:isPartOf ex:cat .
ex:s a dcat:DatasetSeries ; dct:title "Series"@en .
"""
EX = "http://example.org/"


def test_each_dataset_and_series_is_a_record_with_what_it_reaches() -> None:
    records = split_records(parse_bytes(DOC, "turtle"))
    assert [(r.iri, r.kind) for r in records] == [
        (EX + "d1", "Dataset"),
        (EX + "d2", "Dataset"),
        (EX + "s", "DatasetSeries"),
    ]
    d1, d2, series = records
    # the shared publisher is described in both records; the distribution only in d1
    assert (URIRef(EX + "pub"), DCTERMS.title, Literal("Publisher")) in d1.graph
    assert (URIRef(EX + "pub"), DCTERMS.title, Literal("Publisher")) in d2.graph
    assert len(list(d1.graph.subjects(RDF.type, DCAT.Distribution))) == 1
    assert not list(d2.graph.subjects(RDF.type, DCAT.Distribution))
    # other records and the catalogue are linked, never swallowed
    assert (URIRef(EX + "d1"), DCAT.inSeries, URIRef(EX + "s")) in d1.graph
    assert (URIRef(EX + "s"), DCTERMS.title, None) not in d1.graph
    assert (URIRef(EX + "cat"), None, None) not in d2.graph
    assert len(series.graph) == 2


def test_hash_ignores_blank_node_labels_and_order_but_not_content() -> None:
    def build(label: str, title: str) -> Graph:
        g = Graph()
        d, dist = URIRef(EX + "d"), BNode(label)
        g.add((d, DCAT.distribution, dist))
        g.add((dist, DCTERMS.title, Literal(title)))
        return g

    assert graph_hash(build("x", "A")) == graph_hash(build("y", "A"))
    assert graph_hash(build("x", "A")) != graph_hash(build("x", "B"))


def test_hash_handles_blank_node_cycles() -> None:
    g = Graph()
    a, b = BNode(), BNode()
    g.add((a, DCTERMS.relation, b))
    g.add((b, DCTERMS.relation, a))
    assert len(graph_hash(g)) == 64


def test_hash_treats_plain_and_xsd_string_literals_as_the_same_term() -> None:
    plain, typed = Graph(), Graph()
    plain.add((URIRef(EX + "d"), DCTERMS.title, Literal("x")))
    typed.add((URIRef(EX + "d"), DCTERMS.title, Literal("x", datatype=XSD.string)))
    assert graph_hash(plain) == graph_hash(typed)


def test_hash_tells_apart_literals_that_only_escaping_distinguishes() -> None:
    one, two = Graph(), Graph()
    one.add((URIRef(EX + "d"), DCTERMS.title, Literal('a" <http://x> "b')))
    two.add((URIRef(EX + "d"), DCTERMS.title, Literal("a")))
    two.add((URIRef(EX + "d"), DCTERMS.title, Literal("b")))
    assert graph_hash(one) != graph_hash(two)
    lang, typed = Graph(), Graph()
    lang.add((URIRef(EX + "d"), DCTERMS.title, Literal("1", lang="en")))
    typed.add((URIRef(EX + "d"), DCTERMS.title, Literal("1", datatype=XSD.integer)))
    assert graph_hash(lang) != graph_hash(typed)
