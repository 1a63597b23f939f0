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


@lru_cache(maxsize=1 << 16)
def ox_to_rdflib_cached(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """:func:`ox_to_rdflib`, made once per term: rdflib checks every IRI and literal it makes
    (microseconds each), and the graphs gdcat builds from the store for its pages repeat most
    of their terms (predicates, classes, vocabulary terms, dates)."""
    return ox_to_rdflib(term)
