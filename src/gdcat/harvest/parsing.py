"""Harvested pages parsed, normalised, split and hashed in worker processes.

The harvester process fetches; a pool of worker processes (``settings.harvest_parse_workers``,
by default one per core) turns each page's bytes into records: the page parsed under the same
limits as anywhere else (:func:`gdcat.rdf.parse_bytes`: the size and triple limits, no network
access: no remote JSON-LD context, no XML entity), normalised (:func:`normalise`), split into
records and each record hashed. What comes back is plain data, not rdflib graphs: per record
its IRI, kind, content hash and triples as N-Triples text (written by the store's own
:class:`~gdcat.store.quads.QuadWriter`, blank nodes labelled per record), plus the page's
links to the next page and whether it describes anything at all. The harvester compares the
hashes with what the store holds: the unchanged records of a changed page cost the harvester
nothing but their hash, and a changed one goes on as its text (:func:`record_of`), to the
validation workers and into the store, with an rdflib graph read from it only where one is
asked for.

A crawl thread waits for its page's answer (its next page may depend on it), so the pool
works on the pages of as many nodes as are crawled at once.

A FAIR Data Point's datasets come as their pages' bytes, several datasets a job
(:meth:`PageParser.datasets`): each is parsed, merged and stripped as the crawl would do it
(:func:`gdcat.sources.fdp.read_dataset`), then split and hashed as a page is. A page of a few
kilobytes costs less to parse than to ship alone; a job of datasets carries the work of many
(the merge, the stripping, the split and the hashes too) for one trip. The crawl fetches the
next datasets while a job is parsed, and hands the records on in its own order.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor

from rdflib import Graph
from rdflib.term import Node

from gdcat.errors import InputError
from gdcat.harvest.normalise import normalise
from gdcat.rdf.formats import RdfFormat
from gdcat.rdf.ntriples import RecordTriples, lazy_record_graph
from gdcat.rdf.parse import ParseLimits, parse_bytes
from gdcat.rdf.records import (
    Record,
    describes_resources,
    not_metadata_error,
    record_triples,
    triples_hash,
)
from gdcat.sources.base import Failure, ParsedPage, ParsedRecord, located_message
from gdcat.sources.dcat import next_pages
from gdcat.sources.fdp import FdpDataset, FdpParsed, read_dataset
from gdcat.store.quads import QuadWriter, UnwritableTermError

__all__ = ["PageParser", "parse_datasets", "parse_page", "parse_workers", "record_of"]


def parse_page(
    body: bytes,
    fmt: RdfFormat,
    url: str,
    base_iri: str | None,
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
        return ParsedPage((), (), error=located_message(e), failure=str(e))
    return records_of(graph, url, next_pages(graph, url))


def parse_datasets(
    jobs: Sequence[FdpDataset], max_bytes: int, limits: ParseLimits
) -> list[FdpParsed]:
    """FAIR Data Point datasets' pages to their records (runs in a worker process), in the
    jobs' order; a dataset whose page is not usable RDF comes back with its failure."""
    answers = []
    for job in jobs:
        read = read_dataset(job, max_bytes, limits)
        if isinstance(read, FdpParsed):
            answers.append(read)
        else:
            answers.append(FdpParsed(page=records_of(read, job.url)))
    return answers


def records_of(graph: Graph, url: str, links: tuple[str, ...] = ()) -> ParsedPage:
    """The records of a document read from ``url`` (``graph`` is normalised in place), split
    and hashed, as N-Triples text; ``links`` are the next pages it names."""
    graph = normalise(graph)
    # the records' triples as lists: hashed and written without a graph each (the same
    # triples :func:`split_records` puts in one)
    records = record_triples(graph)
    warning = None
    if not records and not describes_resources(graph):
        warning = str(not_metadata_error(graph, url))
    writer = QuadWriter()
    parsed = []
    for root, kind, found in records:
        try:
            text: str | None = writer.lines(found, " .\n")
            triples: tuple[tuple[Node, Node, Node], ...] = ()
        except UnwritableTermError:
            # a term N-Triples cannot carry: the triples travel as rdflib terms (pickled), so
            # the record meets the store's refusal as it would have in this process
            text, triples = None, tuple(found)
        parsed.append(ParsedRecord(str(root), kind, triples_hash(found), text, triples))
    return ParsedPage(tuple(parsed), links, not_metadata=warning)


def record_of(parsed: ParsedRecord, source: str) -> Record:
    """The :class:`Record` of a record parsed in a worker, its hash the one the worker
    computed. Its graph is read from the N-Triples text only if something reads it
    (:func:`~gdcat.rdf.ntriples.lazy_record_graph`): the validator takes the text itself and
    the store writes it as it is."""
    if parsed.ntriples is None:
        graph = Graph(store=RecordTriples())
        for triple in parsed.triples:
            graph.add(triple)
    else:
        graph = lazy_record_graph(parsed.ntriples)
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
        base_iri: str | None,
        max_bytes: int,
        limits: ParseLimits,
    ) -> ParsedPage:
        if len(body) < self.pool_from:
            return parse_page(body, fmt, url, base_iri, max_bytes, limits)
        pool = self._running()
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

    def datasets(
        self, jobs: Sequence[FdpDataset], max_bytes: int, limits: ParseLimits
    ) -> DatasetsAnswer:
        """FAIR Data Point datasets to their records (:func:`parse_datasets`), answered when
        the answer's ``result`` is asked for. A job smaller than ``pool_from`` bytes is
        parsed here while no parsing process runs; a job whose process dies fails each of its
        datasets, as a page's does."""
        if sum(job.size for job in jobs) < self.pool_from:
            with self._lock:
                idle = self._pool is None
            if idle:
                return DatasetsAnswer(self, None, parse_datasets(jobs, max_bytes, limits), jobs)
        pool = self._running()
        try:
            future = pool.submit(parse_datasets, list(jobs), max_bytes, limits)
        except BrokenExecutor as e:
            return DatasetsAnswer(self, None, self._died(pool, e, jobs), jobs)
        return DatasetsAnswer(self, (pool, future), None, jobs)

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: the harvester has threads running, which a forked child would copy
                # mid-step
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def _died(
        self, pool: ProcessPoolExecutor, error: BrokenExecutor, jobs: Sequence[FdpDataset]
    ) -> list[FdpParsed]:
        """The answer of a job whose process died: each dataset fails (the next job starts a
        new pool)."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        message = f"the process parsing this dataset died ({error})"
        return [FdpParsed(failure=Failure(job.url, "parse", message)) for job in jobs]

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


class DatasetsAnswer:
    """The records of a job of datasets (:meth:`PageParser.datasets`), once parsed."""

    def __init__(
        self,
        parser: PageParser,
        sent: tuple[ProcessPoolExecutor, Future[list[FdpParsed]]] | None,
        answer: list[FdpParsed] | None,
        jobs: Sequence[FdpDataset],
    ) -> None:
        self._parser = parser
        self._sent = sent
        self._answer = answer
        self._jobs = jobs

    def done(self) -> bool:
        return self._sent is None or self._sent[1].done()

    def result(self) -> list[FdpParsed]:
        if self._answer is None:
            assert self._sent is not None
            pool, future = self._sent
            try:
                self._answer = future.result()
            except BrokenExecutor as e:
                # a parsing process died (killed, out of memory): this job's datasets fail
                self._answer = self._parser._died(pool, e, self._jobs)
        return self._answer
