"""Harvested pages parsed, normalised, split and hashed in worker processes.

The harvester process fetches; a pool of worker processes (``settings.harvest_parse_workers``,
by default one per core) turns each page's bytes into records: the page parsed under the same
limits as anywhere else (:func:`gdcat.rdf.parse_bytes`: the size and triple limits, no network
access: no remote JSON-LD context, no XML entity), normalised (:func:`normalise`), split into
records and each record hashed. What comes back is plain data, not rdflib graphs: per record
its IRI, kind, content hash and triples as N-Triples text (written by the store's own
:class:`~gdcat.store.quads.QuadWriter`, blank nodes labelled per record), plus the page's
links to the next page and whether it describes anything at all. The harvester compares the
hashes with what the store holds and builds an rdflib graph only for the records that changed
(:meth:`ParsedRecord.record`): the unchanged records of a changed page cost the harvester
nothing but their hash.

A crawl thread waits for its page's answer (its next page may depend on it), so the pool
works on the pages of as many nodes as are crawled at once.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Generator, Iterator
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.store import Store
from rdflib.term import Node

from gdcat.errors import InputError
from gdcat.harvest.normalise import normalise
from gdcat.rdf.formats import RdfFormat
from gdcat.rdf.parse import ParseLimits, parse_bytes
from gdcat.rdf.records import (
    Record,
    describes_resources,
    not_metadata_error,
    split_records,
)
from gdcat.rdf.terms import ox_to_rdflib
from gdcat.sources.base import ParsedPage, ParsedRecord, located_message
from gdcat.sources.dcat import next_pages
from gdcat.store.quads import QuadWriter, UnwritableTermError

__all__ = ["PageParser", "parse_page", "parse_workers", "record_of"]


def parse_page(
    body: bytes,
    fmt: RdfFormat,
    url: str,
    base_iri: str,
    max_bytes: int,
    limits: ParseLimits,
) -> ParsedPage:
    """One page of a DCAT document or feed to records (runs in a worker process).

    A page that is not usable RDF comes back with its ``error`` (the message the harvest
    reports for the page), never as an exception: an exception raised in a worker would cross
    the process boundary only if it pickles."""
    try:
        graph = parse_bytes(
            body, fmt, source=url, base_iri=base_iri, max_bytes=max_bytes, limits=limits
        )
    except InputError as e:
        return ParsedPage((), (), error=located_message(e))
    links = next_pages(graph, url)
    graph = normalise(graph)
    records = split_records(graph, source=url)
    warning = None
    if not records and not describes_resources(graph):
        warning = str(not_metadata_error(graph, url))
    writer = QuadWriter()
    parsed = []
    for record in records:
        try:
            text: str | None = writer.lines(record.graph, " .\n")
            triples: tuple[tuple[Node, Node, Node], ...] = ()
        except UnwritableTermError:
            # a term N-Triples cannot carry: the triples travel as rdflib terms (pickled), so
            # the record meets the store's refusal as it would have in this process
            text, triples = None, tuple(record.graph)
        parsed.append(ParsedRecord(record.iri, record.kind, record.content_hash, text, triples))
    return ParsedPage(tuple(parsed), links, not_metadata=warning)


Triple = tuple[Node, Node, Node]


class RecordTriples(Store):
    """The store of a record graph built from a parsing process's N-Triples: its triples in a
    list (and a set), matched by scanning. A record is tens of triples and the harvester only
    reads it (its roots and closure for validation, the values the counts read), so a scan
    costs little, while adding a triple costs an append: rdflib's memory stores index every
    triple three ways and dispatch an event for it, which made building the graphs of changed
    records 40% of the harvester's time."""

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


@lru_cache(maxsize=1 << 16)
def _iri(value: str) -> URIRef:
    """The rdflib IRI of ``value``, made once: rdflib checks every IRI it makes, the largest
    cost of building a record's graph, and records repeat most of theirs (predicates, classes,
    vocabulary terms)."""
    return URIRef(value)


@lru_cache(maxsize=1 << 16)
def _literal(value: ox.Literal) -> Node:
    """The rdflib literal of ``value``, made once for the values records repeat (dates,
    numbers, keywords, codes): making an rdflib literal costs microseconds."""
    return ox_to_rdflib(value)


def record_of(parsed: ParsedRecord, source: str) -> Record:
    """The :class:`Record` of a record parsed in a worker: its graph built from the N-Triples
    text (fresh blank nodes for this record, over :class:`RecordTriples`), its hash the one
    the worker computed."""
    graph = Graph(store=RecordTriples())
    if parsed.ntriples is None:
        for triple in parsed.triples:
            graph.add(triple)
    else:
        blanks: dict[str, BNode] = {}

        def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
            if isinstance(value, ox.NamedNode):
                return _iri(value.value)
            if isinstance(value, ox.BlankNode):
                blank = blanks.get(value.value)
                if blank is None:
                    blank = blanks[value.value] = BNode()
                return blank
            if isinstance(value, ox.Triple):  # never written by QuadWriter
                raise ValueError("RDF-star quoted triples are not supported")
            # short values repeat (dates, numbers, codes); long ones (descriptions) do not,
            # and would hold the cache's memory
            return _literal(value) if len(value.value) <= 64 else ox_to_rdflib(value)

        add = graph.store.add  # the terms are built here: nothing for Graph.add to check
        for t in ox.parse(parsed.ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES):
            add((term(t.subject), term(t.predicate), term(t.object)), graph)
    record = Record(parsed.iri, graph, kind=parsed.kind, source=source, ntriples=parsed.ntriples)
    # the hash of the very triples the worker split (cached_property's slot)
    record.__dict__["content_hash"] = parsed.content_hash
    return record


class PageParser:
    """The pool of parsing processes of one harvester (started at the first page large enough
    to send there, stopped by :meth:`close`); calling it parses one page and waits for the
    answer. A page smaller than ``pool_from`` bytes is parsed in this process by the same
    function: shipping it would cost more than parsing it."""

    def __init__(self, workers: int, pool_from: int = 0) -> None:
        self.workers = workers
        self.pool_from = pool_from
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(
        self,
        body: bytes,
        fmt: RdfFormat,
        url: str,
        base_iri: str,
        max_bytes: int,
        limits: ParseLimits,
    ) -> ParsedPage:
        if len(body) < self.pool_from:
            return parse_page(body, fmt, url, base_iri, max_bytes, limits)
        with self._lock:
            if self._pool is None:
                # spawn: the harvester has threads running, which a forked child would copy
                # mid-step
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            pool = self._pool
        try:
            return pool.submit(parse_page, body, fmt, url, base_iri, max_bytes, limits).result()
        except BrokenExecutor as e:
            # a parsing process died (killed, out of memory): this page fails, the next one
            # starts a new pool
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return ParsedPage((), (), error=f"the process parsing this page died ({e})")

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


def parse_workers(setting: int | None) -> int:
    """The number of parsing processes for ``settings.harvest_parse_workers`` (None: one per
    core; 0: none, pages are parsed in the harvester process)."""
    if setting is None:
        return os.cpu_count() or 1
    return max(0, setting)
