"""Two versions of harvested records, and the check that each stored record is whole: for the
tests that kill a harvest (or its store) half way and then look at what is left."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from gdcat.rdf.records import graph_hash
from gdcat.store import Store


def revised(iri: str, graph: Graph) -> Graph:
    """The record with its titles changed: its version B (a record without a title, which
    gdcat rejects, stays as it is and stays out)."""
    out = Graph()
    for s, p, o in graph:
        if s == URIRef(iri) and p == DCTERMS.title and isinstance(o, Literal):
            text = f"{o} (revised)"
            o = Literal(text, lang=o.language) if o.language else Literal(text, datatype=o.datatype)
        out.add((s, p, o))
    return out


def whole_records(store: Store, expected: set[str] | None = None) -> dict[str, str]:
    """Each record's content hash, after checking that its graph is exactly that version
    (and that the store holds the ``expected`` records)."""
    hashes = store.record_hashes()
    if expected is not None:
        assert set(hashes) == expected, "a record is missing, or one appeared"
    for iri, digest in hashes.items():
        record = store.catalog_record(iri)
        graph = store.get_record(iri)
        assert record is not None and not record.withdrawn, iri
        assert graph is not None, f"{iri}: the catalogue record is there, the graph is not"
        assert record.meta.content_hash == digest
        assert graph_hash(graph) == digest, f"{iri}: the graph is not the version recorded"
    return hashes
