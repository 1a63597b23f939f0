"""The SPARQL 1.1 Service Description of the endpoint (what a bare ``GET /sparql`` answers)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from gdcat.sparql.execute import GRAPH_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"

#: The W3C format IRIs of what the endpoint writes.
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)

PREFIXES = {"sd": SD, "formats": FORMATS, "rdfs": _RDFS, "dct": _DCT}


def service_description(
    endpoint: str,
    *,
    updates: bool,
    federated: Iterable[str],
    timeout: float,
    max_rows: int,
) -> list[ox.Triple]:
    """The description of the endpoint at ``endpoint``: what it speaks and writes, its dataset
    (the default graph is the union of every graph), its limits, and the endpoints
    ``SERVICE`` may call."""
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default_graph = ox.BlankNode()

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, _RDF_TYPE, sd("Graph")),
        ox.Triple(service, ox.NamedNode(_DCT + "title"), ox.Literal("gdcat SPARQL endpoint")),
        ox.Triple(
            service,
            ox.NamedNode(_RDFS + "comment"),
            ox.Literal(
                f"The gdcat knowledge graph of genomic datasets. The default graph is the union "
                f"of every record graph and the catalogue records. A query may run "
                f"{timeout:g} s and return {max_rows} rows (or triples); page larger answers "
                "with LIMIT and OFFSET.",
                language="en",
            ),
        ),
    ]
    if updates:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples.extend(
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name))
        for name in RESULT_FORMAT_IRIS
    )
    remote = sorted(set(federated))
    if remote:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for iri in remote:
        node = ox.NamedNode(iri)
        triples.extend(
            (
                ox.Triple(service, ox.NamedNode(_RDFS + "seeAlso"), node),
                ox.Triple(node, _RDF_TYPE, sd("Service")),
                ox.Triple(node, sd("endpoint"), node),
            )
        )
    return triples


def serialize_description(triples: list[ox.Triple], fmt: str) -> bytes:
    """The description in one of :data:`~gdcat.sparql.execute.GRAPH_FORMATS`."""
    rdf_format = GRAPH_FORMATS[fmt]
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
