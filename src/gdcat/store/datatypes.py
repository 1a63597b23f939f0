"""Giving literals back the datatype their publisher wrote, and converting store terms.

Oxigraph stores every literal of an integer-derived XSD type as ``xsd:integer``
(``"05"^^xsd:nonNegativeInteger`` comes back as ``"5"^^xsd:integer``). HealthDCAT-AP and
DCAT-AP require ``xsd:nonNegativeInteger`` for counts, ages and ``dcat:byteSize``, so a record
read back as is would no longer conform. The model knows each predicate's datatype
(:func:`gdcat.model.schema.datatype_ranges`); when a literal of such a predicate comes back as
``xsd:integer`` and the model expects an integer-derived type, the expected type is restored.
Records are validated before they are stored, so the restored type is the one published; the
lexical form stays Oxigraph's canonical one (``"5"``, the same value as ``"05"``).

Only the integer family is affected: Oxigraph keeps the datatype of decimals, doubles,
booleans, dates and durations (it canonicalises their lexical form, not their type). Results
that carry no predicate (``SELECT`` bindings) cannot be restored.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from gdcat.errors import StoreError
from gdcat.model.schema import datatype_ranges
from gdcat.rdf.terms import ox_to_rdflib
from gdcat.vocab import PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = XSD + "integer"
XSD_STRING = XSD + "string"

#: XSD types derived from ``xsd:integer``: Oxigraph stores all of them as ``xsd:integer``.
INTEGER_TYPES = frozenset(
    XSD + name
    for name in (
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)


@cache
def restorable_datatypes() -> dict[str, ox.NamedNode]:
    """Predicate IRI -> the integer-derived datatype the model gives its literals."""
    return {
        predicate: ox.NamedNode(datatype)
        for predicate, datatype in datatype_ranges().items()
        if datatype in INTEGER_TYPES
    }


def restore_triple(triple: ox.Triple, table: dict[str, ox.NamedNode]) -> ox.Triple:
    """``triple`` with its object's datatype restored when the store rewrote it."""
    obj = triple.object
    if isinstance(obj, ox.Literal) and obj.datatype.value == XSD_INTEGER:
        expected = table.get(triple.predicate.value)
        if expected is not None:
            return ox.Triple(
                triple.subject, triple.predicate, ox.Literal(obj.value, datatype=expected)
            )
    return triple


def restore_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Every triple, with datatypes restored (for ``CONSTRUCT`` / ``DESCRIBE`` results)."""
    table = restorable_datatypes()
    return [restore_triple(t, table) for t in triples]


def to_rdflib(term: object) -> Node:
    """The rdflib term for a pyoxigraph term (see :func:`gdcat.rdf.terms.ox_to_rdflib`)."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return ox_to_rdflib(term)
    raise StoreError(f"the store returned a term gdcat cannot represent: {term!r}")


def graph_from_quads(quads: Iterable[ox.Quad]) -> Graph:
    """An rdflib graph of the quads' triples, datatypes restored, gdcat's prefixes bound."""
    table = restorable_datatypes()
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for quad in quads:
        triple = restore_triple(ox.Triple(quad.subject, quad.predicate, quad.object), table)
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
        )
    return graph
