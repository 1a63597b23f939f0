"""Benchmark-scale stores filled in a stream, at any size.

The records are :mod:`gdcat.demo.scale`'s (the same seeded template, the same Turtle), but
instead of parsing a node's whole document and splitting it into rdflib graphs (minutes, and
a node's document passes the parser's size limit above about 140,000 records), each node is
read a few hundred records at a time by Oxigraph's parser and every record is written straight
as N-Quads, in the layout gdcat writes (:mod:`gdcat.store.records`):

- a named graph per record, named by its catalogue record's IRI, holding the dataset and every
  node it reaches (distributions, provenance statement, and the node's shared agents and
  contact points it points to), exactly what :func:`gdcat.rdf.records.split_records` would
  give it;
- its ``dcat:CatalogRecord`` in the provenance graph, with the content hash
  :func:`gdcat.rdf.records.graph_hash` would compute, as a first write (``created``) by a
  harvest of the node at ``healthdcat-ap-r8``.

:func:`fill_scale_store` hands the stream to pyoxigraph's ``bulk_load`` in one call (the
engine's own bulk-load speed); :func:`post_scale_store` sends it to a remote engine's Graph
Store Protocol endpoint in chunks. Either way the store holds what a harvest of the generated
federation would have written.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import queue
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from gdcat.demo.scale import (
    ScaleNode,
    _node_rng,
    _prefix_block,
    _RecordWriter,
    scale_nodes,
)
from gdcat.demo.turtle import write_turtle
from gdcat.errors import GdcatError
from gdcat.store.counts import CountLayout, contribution, ntriples_pairs
from gdcat.store.oxigraph import bulk_load_chunks
from gdcat.store.quads import QuadWriter
from gdcat.store.record_sparql import catalog_record_lines
from gdcat.store.record_sparql import now as _now
from gdcat.store.records import RecordMeta, provenance_graph_iri, record_iri

#: Records parsed by Oxigraph at a time (one Turtle document with the node's prefixes).
_PARSE_BATCH = 500
#: Bytes of N-Quads per chunk handed on.
CHUNK_BYTES = 1 << 22
#: The validation profile the generated records are stored as conforming to.
PROFILE = "healthdcat-ap-r8"

#: An N-Triples escape other than a quote's or a backslash's (a control character).
_UNUSUAL_ESCAPE = re.compile(r'\\[^\\"]')


@dataclass(frozen=True)
class ScaleRecord:
    """One generated record: its dataset, its triples as N-Triples text, its content hash."""

    node: ScaleNode
    dataset_iri: str
    #: ``s p o`` (no final ``.``), in the encoding :func:`gdcat.rdf.records.graph_hash` hashes
    lines: tuple[str, ...]
    content_hash: str

    def meta(self) -> RecordMeta:
        """The catalogue record a harvest of the node would write for it."""
        return RecordMeta(
            source=self.node.base,
            content_hash=self.content_hash,
            profile=PROFILE,
            outcome="conforms",
            node=self.node.country.code,
            country=self.node.country.iso3,
        )


def _ntriples(turtle: str) -> list[str]:
    """The triples of a Turtle document as ``s p o`` lines, parsed and written by Oxigraph.

    For the generator's terms (IRIs; plain, language-tagged and typed literals without
    control characters) Oxigraph's N-Triples is the encoding
    :func:`gdcat.rdf.records.graph_hash` hashes; a line holding another escape stops the run
    rather than give a record a hash a harvest would not."""
    out = io.BytesIO()
    ox.serialize(ox.parse(turtle.encode("utf-8"), ox.RdfFormat.TURTLE), out, ox.RdfFormat.N_TRIPLES)
    text = out.getvalue().decode("utf-8")
    if "\\" in text and _UNUSUAL_ESCAPE.search(text):
        raise GdcatError("a generated literal holds a control character")
    return [line[:-2] for line in text.splitlines()]


def _by_subject(lines: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Lines by subject, each with its object's text."""
    out: dict[str, list[tuple[str, str]]] = {}
    for line in lines:
        subject, _, obj = line.split(" ", 2)
        out.setdefault(subject, []).append((line, obj))
    return out


def _shared_closure(
    roots: frozenset[str], shared: dict[str, list[tuple[str, str]]]
) -> tuple[str, ...]:
    """The lines of the node's shared resources ``roots`` and of everything they reach."""
    lines: list[str] = []
    seen = set(roots)
    todo = sorted(roots)
    while todo:
        for line, obj in shared.get(todo.pop(), ()):
            lines.append(line)
            if obj not in seen and obj in shared:
                seen.add(obj)
                todo.append(obj)
    return tuple(lines)


def iter_scale_records(
    n: int, seed: int = 1, *, nodes: range | None = None
) -> Iterator[ScaleRecord]:
    """The ``n`` records of :func:`gdcat.demo.scale.iter_node_documents` (same seed, same
    records), node by node, each with the triples its named graph holds: its own block (the
    dataset, its provenance statement and distributions, all named under the dataset's IRI)
    and the node's shared resources it reaches (:func:`split_records`' closure). ``nodes``:
    only the nodes of these positions in :func:`scale_nodes`."""
    every = scale_nodes(n)
    for position in nodes if nodes is not None else range(len(every)):
        node = every[position]
        writer = _RecordWriter(node, _node_rng(seed, node))
        prefixes = writer.renderer.prefixes()
        prefix_block = _prefix_block(prefixes)
        header = write_turtle(writer.header(), prefixes).split("\n\n", 1)[1]
        shared = _by_subject(_ntriples(prefix_block + header))
        closures: dict[frozenset[str], tuple[str, ...]] = {}
        serial = 1
        while serial <= node.count:
            last = min(node.count, serial + _PARSE_BATCH - 1)
            blocks = [writer.record(s) for s in range(serial, last + 1)]
            lines = _ntriples(prefix_block + "".join("\n" + block for _, block in blocks))
            at = 0
            for index, (ds, _) in enumerate(blocks):
                # Oxigraph keeps the document's order: a record's lines run until the next
                # record's dataset IRI starts a subject (serials have a fixed width, so no
                # dataset IRI starts another).
                following = f"<{blocks[index + 1][0]}" if index + 1 < len(blocks) else "\0"
                own: list[str] = []
                refs: set[str] = set()
                while at < len(lines) and not lines[at].startswith(following):
                    line = lines[at]
                    own.append(line)
                    obj = line.split(" ", 2)[2]
                    if obj in shared:
                        refs.add(obj)
                    at += 1
                key = frozenset(refs)
                extra = closures.get(key)
                if extra is None:
                    extra = closures[key] = _shared_closure(key, shared)
                record_lines = (*own, *extra)
                text = "\n".join(sorted(record_lines))
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                yield ScaleRecord(node, ds, record_lines, digest)
            serial = last + 1


def scale_nquads(
    n: int,
    base_iri: str,
    *,
    seed: int = 1,
    moment: datetime | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    workers: int = 1,
) -> Iterator[bytes]:
    """The ``n`` records and their catalogue records as N-Quads, in chunks of about
    ``chunk_bytes`` (whole records: a chunk is a document of its own). With ``workers`` > 1
    the nodes are generated in that many processes (chunks then come in no set order)."""
    moment = moment or _now()
    layout = CountLayout(base_iri)
    totals = _Totals()
    if workers <= 1:
        every = range(len(scale_nodes(n)))
        yield from _node_nquads(n, base_iri, seed, moment, chunk_bytes, every, totals)
        yield totals.nquads(layout)
        return
    context = multiprocessing.get_context("spawn")
    chunks: Any = context.Queue(maxsize=4 * workers)
    nodes = len(scale_nodes(n))
    processes = [
        context.Process(
            target=_generate_into,
            args=(chunks, n, base_iri, seed, moment, chunk_bytes, range(w, nodes, workers)),
            daemon=True,
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        running = workers
        while running:
            item = chunks.get()
            if isinstance(item, _Totals):
                totals.merge(item)
                running -= 1
            elif isinstance(item, str):
                raise GdcatError(f"generating the records failed: {item}")
            else:
                yield item
        yield totals.nquads(layout)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _generate_into(
    chunks: Any,
    n: int,
    base_iri: str,
    seed: int,
    moment: datetime,
    chunk_bytes: int,
    nodes: range,
) -> None:
    """A worker process: the chunks of ``nodes`` put on ``chunks``, then what they add to the
    counts (or the error's text)."""
    totals = _Totals()
    parent = os.getppid()
    try:
        for chunk in _node_nquads(n, base_iri, seed, moment, chunk_bytes, nodes, totals):
            _put(chunks, chunk, parent)
    except Exception as e:  # handed to the consumer, which raises it
        _put(chunks, f"{type(e).__name__}: {e}", parent)
        return
    _put(chunks, totals, parent)


def _put(chunks: Any, item: object, parent: int) -> None:
    """``item`` put on the queue once there is room; exits if the parent process is gone (a
    killed loader leaves no worker waiting forever)."""
    while True:
        try:
            chunks.put(item, timeout=1.0)
            return
        except queue.Full:
            if os.getppid() != parent:
                chunks.cancel_join_thread()  # nobody reads what is still queued
                raise SystemExit(1) from None


@dataclass
class _Totals:
    """What the records generated so far add to each counter, and the counters' descriptions
    (:mod:`gdcat.store.counts`)."""

    deltas: dict[str, int] = field(default_factory=dict)
    described: set[str] = field(default_factory=set)
    descriptions: list[str] = field(default_factory=list)

    def add(self, deltas: dict[str, int], descriptions: str) -> None:
        for counter, amount in deltas.items():
            self.deltas[counter] = self.deltas.get(counter, 0) + amount
        if descriptions:
            self.descriptions.append(descriptions)

    def merge(self, other: _Totals) -> None:
        self.add(other.deltas, "".join(other.descriptions))

    def nquads(self, layout: CountLayout) -> bytes:
        """The totals and the counters' descriptions, marked complete (the store was empty)."""
        tail = f" <{layout.totals}> .\n"
        descriptions = "".join(self.descriptions)
        return (descriptions + layout.totals_lines(self.deltas, tail)).encode("utf-8")


def _node_nquads(
    n: int,
    base_iri: str,
    seed: int,
    moment: datetime,
    chunk_bytes: int,
    nodes: range,
    totals: _Totals,
) -> Iterator[bytes]:
    writer = QuadWriter()
    layout = CountLayout(base_iri)
    provenance_tail = f" <{provenance_graph_iri(base_iri)}> .\n"
    counts_tail = f" <{layout.records}> .\n"
    totals_tail = f" <{layout.totals}> .\n"
    parts: list[str] = []
    size = 0
    for record in iter_scale_records(n, seed, nodes=nodes):
        graph = record_iri(base_iri, record.dataset_iri)
        tail = f" <{graph}> .\n"
        text = tail.join(record.lines) + tail
        meta = record.meta()
        text += catalog_record_lines(
            writer, record.dataset_iri, graph, meta, moment, provenance_tail, first=True
        )
        counted = contribution(
            record.dataset_iri, ntriples_pairs(record.dataset_iri, record.lines), meta.country
        )
        lines, descriptions, deltas = layout.record_lines(
            graph, counted, counts_tail, totals.described, totals_tail
        )
        totals.add(deltas, descriptions)
        text += lines
        parts.append(text)
        size += len(text)
        if size >= chunk_bytes:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode("utf-8")


@dataclass(frozen=True)
class FilledStore:
    records: int
    quads: int
    seconds: float


def fill_scale_store(
    n: int, store_dir: Path, base_iri: str, *, seed: int = 1, workers: int = 1
) -> FilledStore:
    """A new on-disk store holding the ``n`` generated records in gdcat's layout, loaded by
    pyoxigraph's ``bulk_load`` in one call while the N-Quads are generated."""
    if store_dir.exists() and any(store_dir.iterdir()):
        raise GdcatError(f"{store_dir} is not empty: the scale store is filled from scratch")
    store_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    store = ox.Store(str(store_dir))
    bulk_load_chunks(store, scale_nquads(n, base_iri, seed=seed, workers=workers))
    store.flush()
    quads = len(store)
    del store
    return FilledStore(n, quads, time.perf_counter() - start)


def post_scale_store(
    n: int,
    store_url: str,
    base_iri: str,
    *,
    seed: int = 1,
    workers: int = 1,
    timeout: float = 600.0,
) -> FilledStore:
    """The ``n`` generated records POSTed as N-Quads chunks to a remote engine's Graph Store
    Protocol endpoint ``store_url`` (Oxigraph server: ``http://host:port/store``)."""
    start = time.perf_counter()
    quads = 0
    with httpx.Client(timeout=timeout) as client:
        for chunk in scale_nquads(n, base_iri, seed=seed, workers=workers):
            response = client.post(
                store_url, content=chunk, headers={"Content-Type": "application/n-quads"}
            )
            if response.status_code >= 300:
                raise GdcatError(
                    f"{store_url} answered {response.status_code}: {response.text[:300]}"
                )
            quads += chunk.count(b"\n")
    return FilledStore(n, quads, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    """``python -m gdcat.demo.scale_load N STORE_DIR BASE_IRI``: a new store of ``N``
    generated records."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("store_dir", type=Path)
    parser.add_argument("base_iri")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    filled = fill_scale_store(
        args.n, args.store_dir, args.base_iri, seed=args.seed, workers=args.workers
    )
    print(
        f"{filled.records:,} records, {filled.quads:,} quads in {filled.seconds:.1f} s "
        f"({filled.quads / filled.seconds:,.0f} quads/s)"
    )


if __name__ == "__main__":
    main()
