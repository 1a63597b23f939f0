"""What gdcat adds to a record when it publishes it as a page, taken off again, for tests that
check a page holds its record unchanged."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, RDFS
from rdflib.term import Node

from gdcat.store import Store
from gdcat.validate.term_descriptions import restated
from gdcat.vocab import FDP, LDP


def record_part(page: Graph, record: Graph, url: str, store: Store, dataset: str) -> Graph:
    """``page`` minus what gdcat adds to ``record`` (the record of ``dataset``) where the
    record does not say it itself: the FAIR Data Point's metadata and LDP containers, the
    rdfs:seeAlso links to gdcat's distribution pages, ``a dcat:Dataset`` on a series, what the
    shipped vocabularies say of the terms it uses, and the type, titles and descriptions of
    the other records' datasets it links (all for clients that do no inference). Each linked
    statement must be one its own record makes."""
    containers = set(page.subjects(RDF.type, LDP.DirectContainer))
    series = set(page.subjects(RDF.type, URIRef(f"{DCAT}DatasetSeries")))
    vocabulary = restated(page)
    linked: dict[Node, Graph] = {}
    out = Graph()
    for s, p, o in page:
        if s in containers or str(p).startswith(str(FDP)):
            continue
        if p == RDFS.seeAlso and str(o).startswith(url):
            continue
        if (s, p, o) not in record:
            if s in series and (p, o) == (RDF.type, DCAT.Dataset):
                continue
            if (s, p, o) in vocabulary:
                continue
            if isinstance(s, URIRef) and str(s) != dataset:
                if s not in linked:
                    linked[s] = store.get_record(str(s)) or Graph()
                if len(linked[s]):
                    assert (s, p, o) in linked[s], (dataset, s, p, o)
                    continue
        out.add((s, p, o))
    return out
