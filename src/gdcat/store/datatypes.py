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

Virtuoso (7.2) changes two more: an integral ``xsd:decimal`` comes back as ``xsd:integer``
(restored the same way, from the model's ``xsd:decimal`` predicates), and it keeps a duration
as a number: months for a year-month duration (``"P1Y"`` comes back as ``"12"``), seconds for
a day-time one (``"PT1H"`` as ``"3600.0"``). A numeric duration is given back in the canonical
form Oxigraph writes (``"P1Y"``, ``"PT1H"``), whatever its predicate: the value is the same.
It also turns a ``geo:wktLiteral`` into a geometry of single-precision coordinates: such
literals are written under a datatype of gdcat's (:data:`WKT_STAND_IN`) and read back as
they were written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TypeVar

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
XSD_DECIMAL = XSD + "decimal"
#: The duration types, whose values Virtuoso keeps as numbers.
DURATION_TYPES = frozenset(XSD + t for t in ("duration", "yearMonthDuration", "dayTimeDuration"))
#: GeoSPARQL's WKT literal, which Virtuoso turns into its own geometry (single-precision
#: coordinates: ``POINT(4.47 50.5)`` comes back as ``POINT(4.4699997901917 50.5)``)...
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
#: ... so it is written to Virtuoso under this datatype instead, and read back as one.
WKT_STAND_IN = "https://w3id.org/gdcat/ns#virtuosoWktLiteral"
_T = TypeVar("_T")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$")
_DURATION = re.compile(
    r"^(-)?P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]*)?)S)?)?$"
)

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
        if datatype in INTEGER_TYPES or datatype == XSD_DECIMAL
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
    restored = restore_duration(obj)
    if restored is not obj:
        return ox.Triple(triple.subject, triple.predicate, restored)
    return triple


def restore_duration(term: _T) -> _T | ox.Literal:
    """A duration the store kept as a number (months if integral, else seconds) in its
    canonical form, a WKT literal written under :data:`WKT_STAND_IN` as one again; any other
    term as it is."""
    if isinstance(term, ox.Literal) and term.datatype.value == WKT_STAND_IN:
        return ox.Literal(term.value, datatype=ox.NamedNode(WKT_LITERAL))
    if not isinstance(term, ox.Literal) or term.datatype.value not in DURATION_TYPES:
        return term
    text = term.value
    if not _NUMBER.match(text):
        return term
    try:
        number = Decimal(text)
    except InvalidOperation:
        return term
    integral = "." not in text and "e" not in text.lower()
    lexical = (
        canonical_duration(int(number), Decimal(0)) if integral else (canonical_duration(0, number))
    )
    return ox.Literal(lexical, datatype=term.datatype)


_XML_DURATION = re.compile(
    rb'<literal datatype="(?P<type>http://www\.w3\.org/2001/XMLSchema#'
    rb'(?:duration|yearMonthDuration|dayTimeDuration))">(?P<value>[^<]*)</literal>'
)
_NT_DURATION = re.compile(  # not after a backslash: an escaped quote is inside a string
    rb'(?<!\\)"(?P<value>[-+0-9.eE]*)"\^\^<(?P<type>http://www\.w3\.org/2001/XMLSchema#'
    rb"(?:duration|yearMonthDuration|dayTimeDuration))>"
)


def restore_answer(content: bytes) -> bytes:
    """An engine's answer (SPARQL XML results or N-Triples) with the values it keeps in its
    own form given back as written (numeric durations, the WKT stand-in): what the public
    endpoint passes on is what gdcat wrote."""
    content = content.replace(WKT_STAND_IN.encode(), WKT_LITERAL.encode())

    def duration(found: re.Match[bytes], xml: bool) -> bytes:
        value, kind = found["value"].decode(), found["type"].decode()
        lexical = restore_duration(ox.Literal(value, datatype=ox.NamedNode(kind))).value
        if xml:
            return f'<literal datatype="{kind}">{lexical}</literal>'.encode()
        return f'"{lexical}"^^<{kind}>'.encode()

    content = _XML_DURATION.sub(lambda m: duration(m, True), content)
    return _NT_DURATION.sub(lambda m: duration(m, False), content)


def duration_parts(lexical: str) -> tuple[int, Decimal] | None:
    """The months and seconds of an ``xsd:duration`` lexical form, or None if it is not one."""
    found = _DURATION.match(lexical)
    if found is None or lexical in ("P", "-P") or lexical.endswith("T"):
        return None
    sign, years, months, days, hours, minutes, seconds = found.groups()
    total_months = int(years or 0) * 12 + int(months or 0)
    total_seconds = (
        int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60
    ) + Decimal(seconds or 0)
    if sign:
        return -total_months, -total_seconds
    return total_months, total_seconds


def canonical_duration(months: int, seconds: Decimal) -> str:
    """The canonical lexical form of a duration (as Oxigraph writes it): ``P1Y2M``,
    ``P1DT2H``, ``PT0S``; months and seconds have the same sign."""
    negative = months < 0 or seconds < 0
    months, seconds = abs(months), abs(seconds)
    text = ""
    if months:
        years, left = divmod(months, 12)
        text += (f"{years}Y" if years else "") + (f"{left}M" if left else "")
    if seconds or not months:
        days, rest = divmod(seconds, Decimal(86400))
        hours, rest = divmod(rest, Decimal(3600))
        minutes, rest = divmod(rest, Decimal(60))
        text += f"{int(days)}D" if days else ""
        clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
        if rest or not (days or clock):
            clock += f"{_plain(rest)}S"
        text += f"T{clock}" if clock else ""
    return ("-" if negative else "") + "P" + text


def _plain(number: Decimal) -> str:
    """``number`` without exponent or trailing zeros (``1.5``, ``0``)."""
    return format(number.normalize(), "f")


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
