"""The benchmark-scale writer: many records, fast, parseable, the same for the same seed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCAT, RDF

from gdcat.demo.scale import generate_records, iter_record_documents, write_scale_federation
from gdcat.rdf.records import split_records

RDF_TYPE = ox.NamedNode(str(RDF.type))
DATASET = ox.NamedNode(str(DCAT.Dataset))


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_writes_the_requested_number_of_records_in_parseable_turtle(tmp_path: Path) -> None:
    paths = write_scale_federation(3000, tmp_path, seed=7)
    assert len(paths) == 25
    datasets = 0
    triples = 0
    for path in paths:
        parsed = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        triples += len(parsed)
        datasets += sum(1 for t in parsed if t.predicate == RDF_TYPE and t.object == DATASET)
    assert datasets == 3000
    # about 50 triples a record, shared agents and declarations included
    assert 40 <= triples / datasets <= 70


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = write_scale_federation(500, tmp_path / "a", seed=1)
    second = write_scale_federation(500, tmp_path / "b", seed=1)
    third = write_scale_federation(500, tmp_path / "c", seed=2)
    assert _digest(first) == _digest(second)
    assert _digest(first) != _digest(third)


def test_ntriples_output_holds_the_same_triples(tmp_path: Path) -> None:
    ttl = write_scale_federation(200, tmp_path / "ttl", seed=4)
    nt = write_scale_federation(200, tmp_path / "nt", seed=4, fmt="ntriples")
    assert [p.suffix for p in nt] == [".nt"] * 25
    for a, b in zip(ttl, nt, strict=True):
        left = set(ox.parse(path=str(a), format=ox.RdfFormat.TURTLE))
        right = set(ox.parse(path=str(b), format=ox.RdfFormat.N_TRIPLES))
        assert left == right


def test_standalone_records_are_one_record_each() -> None:
    graphs = list(generate_records(30, seed=9))
    assert len(graphs) == 30
    iris = set()
    for graph in graphs:
        records = split_records(graph)
        assert len(records) == 1
        iris.add(records[0].iri)
        assert (URIRef(records[0].iri), RDF.type, DCAT.Dataset) in graph
    assert len(iris) == 30
    assert list(iter_record_documents(30, seed=9)) == list(iter_record_documents(30, seed=9))
