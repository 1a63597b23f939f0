"""gdcat's recommended genome and exome counts are warnings: they never block a record."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from gdcat.rdf import parse_file
from gdcat.validate import Validator
from gdcat.vocab import GDCAT

PROJECT_ROOT = Path(__file__).resolve().parents[2]

WGS_EXAMPLE = PROJECT_ROOT / "model" / "examples" / "valid" / "nl-rare-disease-wgs.ttl"


def _without(graph: Graph, predicate: object) -> Graph:
    copy = Graph()
    for triple in graph:
        if triple[1] != predicate:
            copy.add(triple)
    return copy


def test_wgs_dataset_without_genome_count_conforms_with_a_warning() -> None:
    graph = parse_file(WGS_EXAMPLE)
    assert (None, GDCAT.numberOfGenomes, None) in graph
    dataset = str(next(graph.subjects(RDF.type, DCAT.Dataset)))
    report = Validator("gdcat").validate(_without(graph, GDCAT.numberOfGenomes))
    assert report.conforms
    warnings = [r for r in report.results if r.path == "number_of_genomes"]
    assert [(w.severity, w.dataset) for w in warnings] == [("Warning", dataset)]
    assert "how many" in warnings[0].message
