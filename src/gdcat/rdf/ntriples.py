"""A record's triples carried as N-Triples text, and the rdflib graph read from that text.

A harvest's parsing processes hand each record over as the N-Triples lines the store's
:class:`~gdcat.store.quads.QuadWriter` writes (one triple a line, blank nodes labelled for
that record alone). Most of what happens to a changed record needs no rdflib graph: the store
writes the lines as they are, and the validator sends them to its worker processes as text
(:meth:`gdcat.validate.Validator.validate_many`). So a record's graph is read from the text
only when something asks for it (:func:`lazy_record_graph`), and then over
:class:`RecordTriples`, a list-backed store that costs an append a triple.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.store import Store
from rdflib.term import Node

from gdcat.rdf.terms import ox_to_rdflib_cached, rdflib_iri

__all__ = ["RecordTriples", "lazy_record_graph", "ntriples_graph", "ntriples_triples"]

Triple = tuple[Node, Node, Node]


class RecordTriples(Store):
    """The store of a record graph built from N-Triples: its triples in a list (and a set),
    matched by scanning. A record is tens of triples and is only read (its roots and closure
    for validation, the values the counts read), so a scan costs little, while adding a triple
    costs an append: rdflib's memory stores index every triple three ways and dispatch an
    event for it, which made building the graphs of changed records 40% of the harvester's
    time."""

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self) -> None:
        super().__init__()
        self._list: list[Triple] = []
        self._set: set[Triple] = set()

    def add(self, triple: Triple, context: Any, quoted: bool = False) -> None:
        if triple not in self._set:
            self._set.add(triple)
            self._list.append(triple)

    def addN(self, quads: Any) -> None:
        for s, p, o, _ in quads:
            self.add((s, p, o), None)

    def remove(self, triple: Any, context: Any = None) -> None:
        gone = {t for t, _ in self.triples(triple)}
        if gone:
            self._list = [t for t in self._list if t not in gone]  # a new list: scans go on
            self._set -= gone

    def triples(
        self, triple_pattern: Any, context: Any = None
    ) -> Iterator[tuple[Triple, Iterator[Any]]]:
        s, p, o = triple_pattern
        if s is not None and p is not None and o is not None:
            if (s, p, o) in self._set:
                yield (s, p, o), iter(())
            return
        for t in self._list:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t, iter(())

    def __len__(self, context: Any = None) -> int:
        return len(self._list)

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        yield from ()


class LazyRecordTriples(RecordTriples):
    """:class:`RecordTriples` filled from N-Triples text the first time anything reads or
    changes it: a record nobody reads as a graph never pays for its rdflib terms."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text: str | None = text

    def _fill(self) -> None:
        text, self._text = self._text, None
        if text is not None:
            for triple in ntriples_triples(text):
                RecordTriples.add(self, triple, None)

    def add(self, triple: Triple, context: Any, quoted: bool = False) -> None:
        self._fill()
        super().add(triple, context, quoted)

    def remove(self, triple: Any, context: Any = None) -> None:
        self._fill()
        super().remove(triple, context)

    def triples(
        self, triple_pattern: Any, context: Any = None
    ) -> Iterator[tuple[Triple, Iterator[Any]]]:
        self._fill()
        return super().triples(triple_pattern, context)

    def __len__(self, context: Any = None) -> int:
        self._fill()
        return super().__len__(context)


def ntriples_triples(text: str) -> Iterator[Triple]:
    """The triples of N-Triples ``text`` as rdflib terms, in the order of its lines, with
    blank nodes new to this call (two records never share one)."""
    blanks: dict[str, BNode] = {}

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        if isinstance(value, ox.NamedNode):
            return rdflib_iri(value.value)
        if isinstance(value, ox.BlankNode):
            blank = blanks.get(value.value)
            if blank is None:
                blank = blanks[value.value] = BNode()
            return blank
        if isinstance(value, ox.Triple):  # never written by QuadWriter
            raise ValueError("RDF-star quoted triples are not supported")
        return ox_to_rdflib_cached(value)

    for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES):
        yield term(t.subject), term(t.predicate), term(t.object)


def ntriples_graph(text: str) -> Graph:
    """The graph of N-Triples ``text``, read now, over :class:`RecordTriples`."""
    graph = Graph(store=RecordTriples())
    add = graph.store.add  # the terms are built here: nothing for Graph.add to check
    for triple in ntriples_triples(text):
        add(triple, graph)
    return graph


def lazy_record_graph(text: str) -> Graph:
    """The graph of N-Triples ``text``, read when first used (:class:`LazyRecordTriples`)."""
    return Graph(store=LazyRecordTriples(text))
