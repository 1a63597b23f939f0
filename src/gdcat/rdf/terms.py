"""Converting terms between pyoxigraph and rdflib (one place, one convention)."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_XSD_STRING = str(XSD.string)


def ox_to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """The rdflib term for a pyoxigraph term.

    Simple literals become plain rdflib literals (``"x"``, not ``"x"^^xsd:string``): the same
    RDF term, written the way rdflib's own parsers and serialisers write it.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


#: literals longer than this are converted each time (descriptions do not repeat, and kept
#: they would hold memory)
_KEPT_LITERAL = 64


@lru_cache(maxsize=1 << 16)
def rdflib_iri(value: str) -> URIRef:
    """The rdflib IRI of ``value``, made once: rdflib checks every IRI it makes, and records
    and pages repeat most of theirs (predicates, classes, vocabulary terms)."""
    return URIRef(value)


@lru_cache(maxsize=1 << 16)
def _kept_literal(term: ox.Literal) -> Node:
    return ox_to_rdflib(term)


def ox_to_rdflib_cached(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """:func:`ox_to_rdflib`, with IRIs and short literals (dates, numbers, codes) made once
    per process: making an rdflib term costs microseconds, and the graphs gdcat builds (a
    harvested record's, a page's) repeat most of theirs."""
    if isinstance(term, ox.NamedNode):
        return rdflib_iri(term.value)
    if isinstance(term, ox.Literal) and len(term.value) <= _KEPT_LITERAL:
        return _kept_literal(term)
    return ox_to_rdflib(term)
