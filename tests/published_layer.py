"""What gdcat adds to a record when it publishes it as a page, taken off again, for tests that
check a page holds its record unchanged."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, RDFS

from gdcat.store import Store
from gdcat.validate.term_descriptions import restated
from gdcat.vocab import FDP, LDP


def with_linked(record: Graph, dataset: str, store: Store) -> Graph:
    """``record`` and the whole stored record of every other dataset, series or service it
    links to: what a landing page publishes besides gdcat's own layer (the DCAT-AP range
    shapes check a link's class in the document alone, so the page carries what it links)."""
    out = Graph()
    for t in record:
        out.add(t)
    for o in set(record.objects()):
        if isinstance(o, URIRef) and str(o) != dataset:
            linked = store.get_record(str(o))
            if linked is not None:
                for t in linked:
                    out.add(t)
    return out


def record_part(page: Graph, expected: Graph, url: str) -> Graph:
    """``page`` minus what gdcat adds to what it publishes (``expected``) where ``expected``
    does not say it itself: the FAIR Data Point's metadata and LDP containers, the
    rdfs:seeAlso links to gdcat's distribution pages, ``a dcat:Dataset`` on a series, and
    what the shipped vocabularies say of the terms it uses (all for clients that do no
    inference)."""
    containers = set(page.subjects(RDF.type, LDP.DirectContainer))
    series = set(page.subjects(RDF.type, URIRef(f"{DCAT}DatasetSeries")))
    vocabulary = restated(page)
    out = Graph()
    for s, p, o in page:
        if s in containers or str(p).startswith(str(FDP)):
            continue
        if p == RDFS.seeAlso and str(o).startswith(url):
            continue
        if (s, p, o) not in expected:
            if s in series and (p, o) == (RDF.type, DCAT.Dataset):
                continue
            if (s, p, o) in vocabulary:
                continue
        out.add((s, p, o))
    return out
