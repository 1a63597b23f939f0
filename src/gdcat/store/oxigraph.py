"""The embedded store: pyoxigraph (RocksDB) on disk, or in memory.

How a record is written (:meth:`OxigraphStore.put_records`):

- **Replacing** (the default): the records of a batch become one SPARQL update, which
  Oxigraph applies as one transaction: for each record ``DROP SILENT GRAPH`` then
  ``INSERT DATA`` of its triples, and its catalogue record rewritten (first-seen date kept).
  Readers see the old versions or the new ones, never a mix. If the batch fails (a term
  Oxigraph refuses, for instance) the records are retried one by one, so one bad record costs
  only itself, and keeps its previous version whole.
- **Bulk** (``bulk=True``): records the store has never seen are streamed as N-Quads into
  ``Store.bulk_load``, several times faster than transactions on disk. Bulk loading is not
  transactional: if Oxigraph refuses the document, whatever it wrote of those (new) records is
  removed again and each half is loaded on its own, down to small batches that take the
  replacing path, so the bad record is isolated and the others still load in bulk. (In our
  measurements pyoxigraph 0.5.13 wrote nothing before failing, up to 1.2 million quads; the
  removal is the safety net.)

Data never reaches SPARQL text unchecked: :mod:`gdcat.store.quads` refuses terms that could
end their syntax early and escapes literals; the only other IRIs in update text are minted
here from the validated base IRI.

**Recovering from a failure.** When RocksDB fails to write (disk full, an I/O error) it keeps
the error and refuses every later write, checkpoint and flush, even once the cause is gone;
reads still work. So a write that fails marks the store *failed*, and each later write (and
checkpoint, and health check) first tries to recover: it checks the disk (writes, syncs and
removes a small file in the store's folder, at most twice a second) and, once that works,
re-opens the database (pyoxigraph has no ``close``: the old handle is let go when no reader
holds it any more, then the folder is opened again; attempts that fail wait 1 s, 2 s… up to
30 s). Until then writes answer :class:`~gdcat.errors.StoreError` with ``retry_after``, reads
go on; if re-opening for writing fails the store is opened read-only meanwhile. Nothing
committed is lost (RocksDB's log holds every committed write and re-opening replays it; a
write that failed never committed, so every record keeps its previous version). Records a
failed bulk load wrote part of are removed right after the re-open.

What the default graph of :meth:`OxigraphStore.query` holds with ``union_default_graph``: every
graph in the store, that is every record graph and the provenance graph (so the
``dcat:CatalogRecord``s are visible, which DCAT catalogues publish anyway), plus vocabulary
graphs if a feature loads some. Restricting the union to record graphs would mean listing them
in every query (measured: +50–130 ms per query at 10,000 records), so queries that must see
records only use ``GRAPH ?g`` joined to ``foaf:primaryTopic`` in the provenance graph, as the
inventory does. A triple present in several graphs (a publisher described in every record of
a node) appears once per graph in the union: use ``DISTINCT`` where it matters.
"""

from __future__ import annotations

import gc
import io
import itertools
import logging
import os
import queue
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

import pyoxigraph as ox
from rdflib import Graph

from gdcat.errors import QueryError, StoreError, os_reason
from gdcat.store.counts import CountLayout, write_contribution, write_recounted
from gdcat.store.datatypes import graph_from_quads, restore_triples
from gdcat.store.health import StoreHealth, StoreMode
from gdcat.store.quads import QuadWriter, UnwritableTermError
from gdcat.store.record_sparql import (
    PRIMARY_TOPIC,
    PendingRecord,
    catalog_lines,
    catalog_record_from,
    known_records_query,
    list_records_query,
    live_record_ask,
    record_hashes_query,
    record_sources_query,
    replace_operations,
    withdraw_operations,
)
from gdcat.store.record_sparql import now as _now
from gdcat.store.records import (
    LAST_HARVEST_RUN,
    CatalogRecord,
    ReadAlong,
    RecordChange,
    RecordListeners,
    RecordRead,
    RecordSource,
    RecordWrite,
    RecordWriteError,
    provenance_graph_iri,
    record_iri,
)
from gdcat.store.results import QueryResult, Term, serialize_result
from gdcat.store.sharing import FollowResult, LeaseState, LocalLeases
from gdcat.store.sparql_text import uses_service

#: Records per replacing transaction: large enough to amortise the update, small enough to
#: keep the update text (a few kB a record) and a retry cheap.
_BATCH = 200
#: Bytes of N-Quads handed to the bulk loader at a time.
_CHUNK = 1 << 22

_STORE_FAILURES = (SyntaxError, ValueError, RuntimeError)

#: While the store is failed, the disk is checked at most this often (seconds): a small file
#: written, synced and removed in the store's folder.
_DISK_CHECK_INTERVAL = 0.5
_PROBE_FILE = "gdcat-write-probe"
_PROBE_BYTES = 64 * 1024
#: Wait after the first failed attempt to re-open the store, doubled up to the longest.
_REOPEN_FIRST = 1.0
_REOPEN_LONGEST = 30.0
#: How long a re-open waits for readers to let go of the failed database handle.
_RELEASE_WAIT = 2.0
#: A health check's write probe is reused for this long (health checks may come in floods).
_PROBE_REUSE = 1.0

_log = logging.getLogger(__name__)

T = TypeVar("T")


_Pending = PendingRecord


@dataclass
class _Failure:
    """A write failure the store has not recovered from yet."""

    since: datetime
    #: what went wrong, without file paths
    reason: str
    #: monotonic times of the next disk check and the next re-open attempt
    next_check: float = 0.0
    next_reopen: float = 0.0
    reopen_wait: float = _REOPEN_FIRST


class OxigraphStore:
    """The embedded knowledge graph; on disk under ``path``, in memory when ``path`` is None."""

    def __init__(self, path: Path | None, base_iri: str) -> None:
        if not base_iri.endswith("/"):
            raise StoreError(f"the base IRI must end with '/': {base_iri!r}")
        try:
            ox.NamedNode(base_iri)
            QuadWriter().iri(base_iri)
        except ValueError as e:
            raise StoreError(f"not a usable base IRI {base_iri!r}: {e}") from e
        self._base = base_iri
        self._provenance = provenance_graph_iri(base_iri)
        self._counts = CountLayout(base_iri)
        self._path = path
        #: held by every write, and by recovery (which swaps the database handle)
        self._lock = threading.RLock()
        #: held while the database handle is handed out or swapped
        self._handle = threading.Lock()
        self._listeners = RecordListeners()
        self._leases = LocalLeases()
        self._generation = 0
        self._closed = False
        self._failure: _Failure | None = None
        #: records a failed bulk load may have written part of, removed once writable again
        self._half_written: set[str] = set()
        self._last_write: tuple[datetime, bool] | None = None
        self._probed: tuple[float, bool] | None = None
        self._reopened = 0
        self._mode: StoreMode = "memory" if path is None else "read-write"
        try:
            if path is None:
                self._store: ox.Store | None = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as e:
            raise StoreError(
                f"cannot open the store in {path}: {e}",
                public=f"cannot open the store: {os_reason(e)}",
            ) from e

    # -- identity -------------------------------------------------------------------------

    @property
    def base_iri(self) -> str:
        return self._base

    @property
    def provenance_graph(self) -> str:
        return self._provenance

    @property
    def path(self) -> Path | None:
        return self._path

    def record_iri(self, dataset_iri: str) -> str:
        """The catalogue record IRI (and graph name) of a dataset."""
        return record_iri(self._base, dataset_iri)

    def native(self) -> ox.Store:
        """The pyoxigraph store itself, for readers that hand Oxigraph whole queries and
        serialise its answers natively (the in-memory SPARQL endpoint). Never write through
        it: writes go through this class, which keeps catalogue records, listeners and the
        generation. Do not keep it either: after a failure the store re-opens its database,
        which it can only do once nobody holds the old handle."""
        return self._open()

    @property
    def generation(self) -> int:
        """How many writes this store object has committed (any graph); readers that cache
        what they read (query workers, the search index) compare it to know they are stale."""
        return self._generation

    def add_listener(self, listener: Callable[[RecordChange], None]) -> None:
        self._listeners.add(listener)

    def remove_listener(self, listener: Callable[[RecordChange], None]) -> None:
        self._listeners.remove(listener)

    def _committed(self, written: Sequence[str] = (), withdrawn: Sequence[str] = ()) -> None:
        """After a commit: bump the generation, then tell the listeners which records
        changed. A listener that fails does not undo the write (the store stays the truth)."""
        self._generation += 1
        self._last_write = (_now(), True)
        self._listeners.notify(written, withdrawn)

    # -- writing --------------------------------------------------------------------------

    def put_records(
        self, records: Sequence[RecordWrite], *, bulk: bool = False, atomic: bool = False
    ) -> None:
        if atomic:
            self._put_atomic(records)
            return
        failures: dict[str, str] = {}
        pending: list[_Pending] = []
        seen: set[str] = set()
        for write in records:
            if write.dataset_iri in seen:
                raise StoreError(f"{write.dataset_iri} is written twice in one call")
            seen.add(write.dataset_iri)
            problem = _problem(write)
            if problem:
                failures[write.dataset_iri] = problem
            else:
                pending.append(_Pending(write, self.record_iri(write.dataset_iri)))
        written: list[str] = []
        with self._lock:
            self._writable()
            now = _now()
            try:
                if bulk and pending:
                    known = self._known_records([p.record for p in pending])
                    fresh = [p for p in pending if p.record not in known]
                    pending = [p for p in pending if p.record in known]
                    written.extend(self._bulk_insert(fresh, now, failures))
                for start in range(0, len(pending), _BATCH):
                    batch = pending[start : start + _BATCH]
                    written.extend(self._replace(batch, now, failures))
            finally:
                # Batches committed before a failure (disk full…) stay written: announce them.
                if written:
                    self._committed(written)
        if failures:
            raise RecordWriteError(failures, written)

    def _put_atomic(self, records: Sequence[RecordWrite]) -> None:
        """All of ``records`` in one transaction, or none (RecordWriteError naming each)."""
        if len({w.dataset_iri for w in records}) != len(records):
            raise StoreError("a dataset is written twice in one call")
        failures = {w.dataset_iri: p for w in records if (p := _problem(w))}
        pending = [_Pending(w, self.record_iri(w.dataset_iri)) for w in records]
        writer = QuadWriter()
        texts: list[tuple[_Pending, str, str]] = []
        with self._lock:
            self._writable()
            now = _now()
            for item in pending:
                if item.write.dataset_iri in failures:
                    continue
                try:
                    data = _record_lines(writer, item.write, " .\n")
                    catalog = self._catalog_lines(writer, item, now, " .\n", first=False)
                except UnwritableTermError as e:
                    failures[item.write.dataset_iri] = str(e)
                    continue
                texts.append((item, data, catalog))
            if failures:
                raise RecordWriteError(_all_refused(records, failures), [])
            if not texts:
                return
            try:
                self._update(self._replace_update(texts, now))
            except _STORE_FAILURES as e:
                reason = _message(e)
                raise RecordWriteError({w.dataset_iri: reason for w in records}, []) from e
            self._committed([item.write.dataset_iri for item, _, _ in texts])

    def withdraw(self, dataset_iri: str) -> bool:
        record = self.record_iri(dataset_iri)
        prov = self._provenance
        with self._lock:
            self._writable()
            if not self._ask(live_record_ask(prov, record)):
                return False
            self._update(" ;\n".join(withdraw_operations(prov, record, _now(), self._counts)))
            self._committed(withdrawn=[dataset_iri])
        return True

    # -- reading --------------------------------------------------------------------------

    def get_record(self, dataset_iri: str) -> Graph | None:
        graph = ox.NamedNode(self.record_iri(dataset_iri))
        try:
            quads = list(self._open().quads_for_pattern(None, None, None, graph))
        except OSError as e:
            raise StoreError(f"cannot read the record of {dataset_iri}: {e}") from e
        return graph_from_quads(quads) if quads else None

    def catalog_record(self, dataset_iri: str) -> CatalogRecord | None:
        return self.catalog_record_at(self.record_iri(dataset_iri))

    def catalog_record_at(self, record: str) -> CatalogRecord | None:
        try:
            quads = list(
                self._open().quads_for_pattern(
                    ox.NamedNode(record), None, None, ox.NamedNode(self._provenance)
                )
            )
        except OSError as e:
            raise StoreError(f"cannot read the catalogue record {record}: {e}") from e
        if not quads:
            return None
        values: dict[str, str] = {}
        for quad in quads:
            obj = quad.object
            if isinstance(obj, ox.NamedNode | ox.Literal):
                values[quad.predicate.value] = obj.value
        return catalog_record_from(record, values)

    def record_triples(self, record_iri: str) -> list[ox.Triple]:
        # the graph's quads read directly: a CONSTRUCT would parse, plan and deduplicate
        try:
            quads = list(self._open().quads_for_pattern(None, None, None, ox.NamedNode(record_iri)))
        except OSError as e:
            raise StoreError(f"cannot read the record {record_iri}: {e}") from e
        return restore_triples([q.triple for q in quads])

    def catalog_record_with_triples(
        self, record_iri: str, along: ReadAlong | None = None
    ) -> RecordRead:
        # reads of one process: nothing to save by joining them
        record = self.catalog_record_at(record_iri)
        if record is None or record.withdrawn:
            return RecordRead(record, [])
        triples = self.record_triples(record_iri)
        if along is None:
            return RecordRead(record, triples)
        rows = self.query(along.query(), union_default_graph=False).rows
        return RecordRead(record, triples, rows)

    def list_records(self) -> list[str]:
        result = self.query(list_records_query(self._provenance), union_default_graph=False)
        return [_value(row[0]) for row in result.rows]

    def record_hashes(self) -> dict[str, str]:
        result = self.query(record_hashes_query(self._provenance), union_default_graph=False)
        return {_value(row[0]): _value(row[1]) for row in result.rows}

    def record_sources(self, node: str | None = None) -> dict[str, RecordSource]:
        result = self.query(record_sources_query(self._provenance, node), union_default_graph=False)
        return {
            _value(row[0]): RecordSource(*(_value(t) if t is not None else "" for t in row[1:]))
            for row in result.rows
        }

    def mark_seen(self, dataset_iris: Sequence[str], run_iri: str) -> None:
        # Each record's old value read by its quads, then one update of data alone per part:
        # Oxigraph evaluates the same change as DELETE/INSERT ... WHERE (mark_seen_operation,
        # which the remote stores send) at two to three times the cost, and an unchanged
        # re-harvest marks every record of the federation.
        run = QuadWriter().iri(run_iri)
        graph = ox.NamedNode(self._provenance)
        with self._lock:
            self._writable()
            for start in range(0, len(dataset_iris), 2000):
                part = dataset_iris[start : start + 2000]
                records = [ox.NamedNode(self.record_iri(iri)) for iri in part]
                try:
                    old = self._last_runs(records, graph)
                except OSError as e:
                    raise self._failed(e, "reading", write=False) from e
                if not old:
                    continue
                last = f" <{LAST_HARVEST_RUN}> "
                gone = "".join(f"{r}{last}{o} .\n" for r, runs in old.items() for o in runs)
                now = "".join(f"{r}{last}{run} .\n" for r in old)
                self._update(
                    f"DELETE DATA {{ GRAPH <{graph.value}> {{\n{gone}}} }} ;\n"
                    f"INSERT DATA {{ GRAPH <{graph.value}> {{\n{now}}} }}"
                )
            self._committed()

    def _last_runs(self, records: list[ox.NamedNode], graph: ox.NamedNode) -> dict[str, list[str]]:
        """The ``gdcat:lastHarvestRun`` values of each of ``records`` that has a catalogue
        record (none for one never harvested), record and values in N-Triples."""
        store = self._open()
        last, topic = ox.NamedNode(LAST_HARVEST_RUN), ox.NamedNode(PRIMARY_TOPIC)
        found: dict[str, list[str]] = {}
        for record in records:
            runs = [str(q.object) for q in store.quads_for_pattern(record, last, None, graph)]
            if runs or next(store.quads_for_pattern(record, topic, None, graph), None) is not None:
                found[str(record)] = runs
        return found

    def put_graph(self, graph_iri: str, graph: Graph, *, replace: bool = True) -> None:
        name = QuadWriter().iri(graph_iri)
        data = QuadWriter().lines(graph, " .\n")
        drop = f"DROP SILENT GRAPH {name} ;\n" if replace else ""
        with self._lock:
            self._writable()
            try:
                self._update(f"{drop}INSERT DATA {{ GRAPH {name} {{\n{data}}} }}")
            except _STORE_FAILURES as e:
                raise StoreError(f"cannot write graph {graph_iri}: {_message(e)}") from e
            self._committed()

    def get_graph(self, graph_iri: str) -> Graph:
        try:
            quads = list(self._open().quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)))
        except (OSError, ValueError) as e:
            raise StoreError(f"cannot read graph {graph_iri}: {e}") from e
        return graph_from_quads(quads) if quads else Graph()

    def query(
        self, sparql: str, *, union_default_graph: bool = True, max_rows: int | None = None
    ) -> QueryResult:
        if uses_service(sparql):
            raise QueryError("federated queries (SERVICE) are not allowed")
        try:
            answer = self._open().query(sparql, use_default_graph_as_union=union_default_graph)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(answer))
            if isinstance(answer, ox.QueryTriples):
                triples, truncated = _take(answer, max_rows)
                # DESCRIBE over the union repeats a triple found in several graphs.
                unique = tuple(dict.fromkeys(restore_triples(triples)))
                return QueryResult("graph", triples=unique, truncated=truncated)
            variables = tuple(v.value for v in answer.variables)
            solutions, truncated = _take(answer, max_rows)
            rows = tuple(_row(solution) for solution in solutions)
            return QueryResult("select", variables=variables, rows=rows, truncated=truncated)
        except SyntaxError as e:
            raise QueryError(f"SPARQL syntax error: {e.msg if e.msg else e}") from e
        except OSError as e:
            raise StoreError(f"the store failed while answering a query: {e}") from e
        except (ValueError, RuntimeError, TypeError) as e:
            raise QueryError(f"the query could not be evaluated: {e}") from e

    def update(self, sparql: str) -> None:
        with self._lock:
            self._writable()
            try:
                self._open().update(sparql)
            except SyntaxError as e:
                raise QueryError(f"SPARQL syntax error: {e.msg if e.msg else e}") from e
            except OSError as e:
                raise self._failed(e, "applying an update", write=True) from e
            except (ValueError, RuntimeError, TypeError) as e:
                raise QueryError(f"the update could not be applied: {e}") from e
            # A raw update may change records behind the counts' back: the inventory counts
            # the records themselves again until the counts are rebuilt.
            self._update(self._counts.unmark_complete())
            self._committed()
            self._listeners.notify(everything=True)

    def serialize(self, result: QueryResult, fmt: str) -> str:
        return serialize_result(result, fmt)

    def count_triples(self) -> int:
        try:
            return len(self._open())
        except OSError as e:
            raise StoreError(f"cannot count the store's triples: {e}") from e

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock, self._handle:
            store, self._store = self._store, None
            self._closed = True
            if store is not None and self._path is not None and self._failure is None:
                try:
                    store.flush()
                except OSError as e:
                    raise StoreError(f"cannot flush the store in {self._path}: {e}") from e

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------

    def _open(self) -> ox.Store:
        """The database handle for reading (it may be a read-only one while recovering)."""
        with self._handle:
            store = self._store
        if store is None:
            if self._closed:
                raise StoreError("the store is closed")
            raise self._unavailable()
        return store

    def _writable(self) -> ox.Store:
        """The handle to write with, after recovering from a failure if there is one (call
        with ``self._lock`` held); :class:`StoreError` while the store cannot be written."""
        if self._failure is not None:
            self._recover()
        return self._open()

    def _failed(self, error: OSError, doing: str, *, write: bool) -> StoreError:
        """Mark the store failed by ``error`` (raised while ``doing``): writes are refused
        until it recovers. Returns the error to raise."""
        reason = os_reason(error)
        now = _now()
        with self._handle:
            if self._failure is None:
                self._failure = _Failure(since=now, reason=reason)
                _log.error(
                    "the store failed while %s: %s; writes are refused until it is re-opened",
                    doing,
                    error,
                )
            else:
                self._failure.reason = reason
            self._probed = None
            if write:
                self._last_write = (now, False)
        return StoreError(
            f"the store failed while {doing}: {error}",
            public=f"the store failed while {doing}: {reason}; try again later",
            retry_after=_REOPEN_FIRST,
        )

    def _unavailable(self, wait: float | None = None) -> StoreError:
        failure = self._failure
        reason = failure.reason if failure is not None else "it is being re-opened"
        message = f"the store cannot be written now: {reason}; try again later"
        return StoreError(message, retry_after=max(1.0, wait if wait is not None else 1.0))

    def _recover(self) -> None:
        """Try to leave the failed state (with ``self._lock`` held): check the disk, then
        re-open the database; raise :class:`StoreError` (with ``retry_after``) if the store
        cannot be written yet."""
        failure = self._failure
        if failure is None:
            return
        now = time.monotonic()
        if now < failure.next_check:
            raise self._unavailable(failure.next_check - now)
        failure.next_check = now + _DISK_CHECK_INTERVAL
        if self._path is not None:
            try:
                _check_disk(self._path)
            except OSError as e:
                failure.reason = os_reason(e)
                raise self._unavailable(_DISK_CHECK_INTERVAL) from e
        if now < failure.next_reopen:
            raise self._unavailable(failure.next_reopen - now)
        try:
            if self._path is not None:
                self._reopen(self._path)
            self._remove_half_written()
        except (OSError, StoreError) as e:
            failure.next_reopen = now + failure.reopen_wait
            _log.error(
                "the store could not be re-opened (next attempt in %g s): %s",
                failure.reopen_wait,
                e,
            )
            failure.reopen_wait = min(failure.reopen_wait * 2, _REOPEN_LONGEST)
            raise self._unavailable(failure.next_reopen - now) from e
        with self._handle:
            self._failure = None
            self._probed = None
            self._reopened += 1
        _log.warning(
            "the store recovered from the failure of %s (%s): writes are accepted again",
            failure.since.isoformat(timespec="seconds"),
            failure.reason,
        )

    def _reopen(self, path: Path) -> None:
        """Let go of the database handle and open the folder again; if that fails, open it
        read-only (reads go on) and raise."""
        with self._handle:
            old, self._store = self._store, None
            if old is not None and not _released(old):
                self._store = old  # a reader still holds it: try again later
                raise StoreError("a reader still holds the failed database handle")
            del old  # the last reference: RocksDB closes the database here
            try:
                self._store = ox.Store(str(path))
                self._mode = "read-write"
                return
            except OSError as e:
                opening = e
            try:
                self._store = ox.Store.read_only(str(path))
                self._mode = "read-only"
            except OSError as e:
                self._mode = "closed"
                _log.error("the store cannot even be opened read-only: %s", e)
            raise opening

    def _remove_half_written(self) -> None:
        """Remove the records a failed bulk load may have written part of (new records: they
        had no previous version)."""
        if self._half_written:
            records = sorted(self._half_written)
            self._remove_records(records)
            self._half_written.clear()
            self._generation += 1  # readers that cached what they saw read again
            _log.warning("removed %d record(s) a failed bulk load had started", len(records))

    def checkpoint(self, target: Path) -> None:
        """A checkpoint of the store at ``target`` (a folder that does not exist yet): a
        RocksDB backup, hard links on the same file system. A failure marks the store failed
        (RocksDB then refuses writes too) and raises :class:`StoreError`."""
        if self._path is None:
            raise StoreError("an in-memory store has no checkpoints")
        if self._failure is not None:
            with self._lock:
                self._recover()
        try:
            self._open().backup(str(target))
        except OSError as e:
            for leftover in (target, target.with_name(target.name + ".tmp")):
                shutil.rmtree(leftover, ignore_errors=True)
            raise self._failed(e, "taking a snapshot for queries", write=False) from e

    def health(self) -> StoreHealth:
        readable = True
        try:
            self._open().query("ASK { ?s ?p ?o }")
        except (OSError, StoreError) as e:
            _log.warning("the store cannot be read: %s", e)
            readable = False
        writable = self._probe_writable()
        failure = self._failure
        retry_in = None
        if failure is not None:
            retry_in = round(max(0.0, failure.next_reopen - time.monotonic()), 1)
        last = self._last_write
        return StoreHealth(
            readable=readable,
            writable=writable,
            mode=self._mode if not self._closed else "closed",
            failure=failure.reason if failure is not None else None,
            failing_since=failure.since if failure is not None else None,
            retry_in=retry_in,
            last_write=last[0] if last is not None else None,
            last_write_ok=last[1] if last is not None else None,
            reopened=self._reopened,
            generation=self._generation,
        )

    def _probe_writable(self) -> bool:
        """Whether a write succeeds now: recover first if failed, then write nothing (insert
        and delete one triple in one transaction). While a long write holds the store, the
        answer is whether the store is failed."""
        if not self._lock.acquire(timeout=0.2):
            return self._failure is None
        try:
            if self._closed:
                return False
            if self._failure is not None:
                try:
                    self._recover()
                except StoreError:
                    return False
            now = time.monotonic()
            probed = self._probed
            if probed is not None and now - probed[0] < _PROBE_REUSE:
                return probed[1]
            triple = f"<{self._base}graph/health> <{self._base}graph/health#probe> true"
            graph = f"<{self._base}graph/health>"
            try:
                self._open().update(
                    f"INSERT DATA {{ GRAPH {graph} {{ {triple} }} }} ;\n"
                    f"DELETE DATA {{ GRAPH {graph} {{ {triple} }} }}"
                )
                ok = True
            except OSError as e:
                self._failed(e, "checking that it can write", write=False)
                ok = False
            except StoreError:
                ok = False
            self._probed = (now, ok)
            return ok
        finally:
            self._lock.release()

    def _ask(self, sparql: str) -> bool:
        return bool(self.query(sparql, union_default_graph=False).boolean)

    def _update(self, sparql: str) -> None:
        # No method keeps the database handle in a variable: a traceback kept after a failure
        # (by a log handler…) would keep the failed handle, which must go before re-opening.
        try:
            self._open().update(sparql)
        except OSError as e:
            raise self._failed(e, "writing", write=True) from e

    def _known_records(self, records: list[str]) -> set[str]:
        """The records (of those named) that have a catalogue record or a graph already."""
        known: set[str] = set()
        prov = self._provenance
        for start in range(0, len(records), 5000):
            result = self.query(
                known_records_query(prov, records[start : start + 5000]),
                union_default_graph=False,
            )
            known.update(_value(row[0]) for row in result.rows)
        return known

    def _replace(self, batch: list[_Pending], now: datetime, failures: dict[str, str]) -> list[str]:
        """Write a batch in one transaction; on failure, retry its records one by one."""
        writer = QuadWriter()
        texts: list[tuple[_Pending, str, str]] = []
        for item in batch:
            try:
                data = _record_lines(writer, item.write, " .\n")
                catalog = self._catalog_lines(writer, item, now, " .\n", first=False)
            except UnwritableTermError as e:
                failures[item.write.dataset_iri] = str(e)
                continue
            texts.append((item, data, catalog))
        if not texts:
            return []
        try:
            self._update(self._replace_update(texts, now))
            return [item.write.dataset_iri for item, _, _ in texts]
        except _STORE_FAILURES as e:
            if len(texts) == 1:
                failures[texts[0][0].write.dataset_iri] = _message(e)
                return []
        written = []
        for text in texts:
            try:
                self._update(self._replace_update([text], now))
                written.append(text[0].write.dataset_iri)
            except _STORE_FAILURES as e:
                failures[text[0].write.dataset_iri] = _message(e)
        return written

    def _replace_update(self, texts: list[tuple[_Pending, str, str]], moment: datetime) -> str:
        return " ;\n".join(replace_operations(self._provenance, texts, moment, self._counts))

    def _catalog_lines(
        self, writer: QuadWriter, item: _Pending, moment: datetime, tail: str, *, first: bool
    ) -> str:
        return catalog_lines(writer, item, moment, tail, first=first)

    def _bulk_insert(
        self, fresh: list[_Pending], now: datetime, failures: dict[str, str]
    ) -> list[str]:
        """Bulk-load records the store has never seen; returns the dataset IRIs written.

        If Oxigraph refuses the document, whatever the loader wrote of these (new) records is
        removed again and each half is tried on its own, down to transactional batches, so one
        bad record costs a few extra parses instead of the bulk path for everyone.
        """
        fresh = [item for item in fresh if item.write.dataset_iri not in failures]
        if len(fresh) <= _BATCH:
            return self._load_fresh(fresh, now, failures) if fresh else []
        included: list[str] = []
        tally = _Tally(empty=self._ask(self._counts.no_records_ask()))
        producer = _BackgroundChunks(self._fresh_quads(fresh, now, failures, included, tally))
        try:
            # One bulk load for the whole write, fed by the producer thread while Oxigraph
            # parses and indexes without the GIL (one call per chunk wrote a set of files
            # per chunk, which RocksDB then had to compact).
            self._open().bulk_load(_chunk_file(producer), format=ox.RdfFormat.N_QUADS)
        except OSError as e:
            producer.close()
            # Bulk loading is not transactional: what it may have written of these (new)
            # records is removed once the store can be written again.
            self._half_written.update(item.record for item in fresh)
            raise self._failed(e, "bulk loading", write=True) from e
        except _STORE_FAILURES:
            producer.close()
            # Bulk loading is not transactional: remove what it may have written (none of
            # these records existed before).
            self._remove_records([item.record for item in fresh])
            middle = len(fresh) // 2
            return self._bulk_insert(fresh[:middle], now, failures) + self._bulk_insert(
                fresh[middle:], now, failures
            )
        self._add_tally(tally)
        return included

    def _add_tally(self, tally: _Tally) -> None:
        """The totals of records just loaded, in one update (they are new: nothing to
        subtract); their shares were loaded with them."""
        ops = [self._counts.mark_complete()] if tally.empty else []
        ops += self._counts.add_operations(tally.deltas, "", "".join(tally.descriptions))
        if ops:
            self._update(" ;\n".join(ops))

    def _fresh_quads(
        self,
        fresh: list[_Pending],
        now: datetime,
        failures: dict[str, str],
        included: list[str],
        tally: _Tally,
    ) -> Iterator[bytes]:
        """N-Quads of records the store has never seen (their graphs and catalogue records,
        first-seen date and status included, and each record's share of the counts), in
        chunks of about ``_CHUNK`` bytes; the dataset IRIs written go to ``included``, the
        unwritable ones to ``failures``, what they add to the totals to ``tally``."""
        writer = QuadWriter()
        provenance_tail = f" <{self._provenance}> .\n"
        counts_tail = f" <{self._counts.records}> .\n"
        parts: list[str] = []
        size = 0
        for item in fresh:
            try:
                data = _record_lines(writer, item.write, f" <{item.record}> .\n")
                catalog = self._catalog_lines(writer, item, now, provenance_tail, first=True)
            except UnwritableTermError as e:
                failures[item.write.dataset_iri] = str(e)
                continue
            counted, described, added = self._counts.record_lines(
                item.record,
                write_contribution(
                    item.write.dataset_iri,
                    item.write.graph,
                    item.write.ntriples,
                    item.write.meta.country,
                ),
                counts_tail,
                tally.counters,
            )
            included.append(item.write.dataset_iri)
            tally.descriptions.append(described)
            for counter, amount in added.items():
                tally.deltas[counter] = tally.deltas.get(counter, 0) + amount
            parts.append(data)
            parts.append(catalog)
            parts.append(counted)
            size += len(data) + len(catalog) + len(counted)
            if size >= _CHUNK:
                yield "".join(parts).encode("utf-8")
                parts, size = [], 0
        if parts:
            yield "".join(parts).encode("utf-8")

    def _load_fresh(
        self, fresh: list[_Pending], now: datetime, failures: dict[str, str]
    ) -> list[str]:
        """A few records the store has never seen, in one transaction: their N-Quads loaded
        as they are (the store's parser, no SPARQL UPDATE to build and evaluate: nothing to
        drop and no first-seen date to keep). If Oxigraph refuses them, nothing was written
        and the records go the replacing way, which tries them one by one."""
        included: list[str] = []
        tally = _Tally(empty=self._ask(self._counts.no_records_ask()))
        try:
            # text that is not Unicode (a lone surrogate) fails here: the replacing way finds
            # which record holds it
            text = b"".join(self._fresh_quads(fresh, now, failures, included, tally))
            if not included:
                return []
            self._open().load(text, format=ox.RdfFormat.N_QUADS)
        except OSError as e:
            raise self._failed(e, "writing", write=True) from e
        except _STORE_FAILURES:
            return self._replace(
                [item for item in fresh if item.write.dataset_iri not in failures], now, failures
            )
        self._add_tally(tally)
        return included

    def _remove_records(self, records: list[str]) -> None:
        prov = self._provenance
        for start in range(0, len(records), 1000):
            part = records[start : start + 1000]
            values = " ".join(f"<{r}>" for r in part)
            drops = " ;\n".join(f"DROP SILENT GRAPH <{r}>" for r in part)
            counted = self._counts.records
            self._update(
                f"{drops} ;\nDELETE {{ GRAPH <{prov}> {{ ?record ?p ?o }} }} "
                f"WHERE {{ VALUES ?record {{ {values} }} GRAPH <{prov}> {{ ?record ?p ?o }} }} ;\n"
                f"DELETE {{ GRAPH <{counted}> {{ ?record ?p ?o }} }} "
                f"WHERE {{ VALUES ?record {{ {values} }} GRAPH <{counted}> {{ ?record ?p ?o }} }}",
            )

    # -- several processes (see gdcat.store.sharing) ---------------------------------------

    def follow(self) -> FollowResult:
        """Nothing to follow: only this process can open the store, and its own writes reach
        the listeners at once."""
        return FollowResult(0)

    def acquire_lease(self, name: str, owner: str, seconds: float) -> LeaseState:
        """Take the lease ``name`` (kept in memory: only this process opens the store)."""
        return self._leases.acquire(name, owner, seconds)

    def renew_lease(self, name: str, owner: str, seconds: float) -> bool:
        return self._leases.renew(name, owner, seconds)

    def release_lease(self, name: str, owner: str) -> None:
        self._leases.release(name, owner)

    def rebuild_counts(self) -> int:
        layout = self._counts
        with self._lock:  # no write of this process in between (no other opens the store)
            self._writable()
            self._update(
                f"DROP SILENT GRAPH <{layout.totals}> ; DROP SILENT GRAPH <{layout.records}>"
            )
            counted, totals = write_recounted(self, layout, self._update)
            self._update(totals)
            self._committed()
        return counted


@dataclass
class _Tally:
    """What records loaded as N-Quads add to the counts' totals (their own shares are in
    the quads): the counters' deltas and descriptions; ``empty``: the store held no record
    before (the counts become complete with these)."""

    empty: bool
    deltas: dict[str, int] = field(default_factory=dict)
    descriptions: list[str] = field(default_factory=list)
    counters: set[str] = field(default_factory=set)


class _BackgroundChunks:
    """Runs a chunk generator in a thread, a few chunks ahead of the consumer.

    Oxigraph's bulk loader releases the GIL while it parses and indexes, so the N-Quads text
    of the next records is written in Python while the previous chunk is being loaded, instead
    of each waiting for the other. An exception in the generator reaches the consumer.
    """

    _DONE = object()

    def __init__(self, chunks: Iterator[bytes], depth: int = 3) -> None:
        self._queue: queue.Queue[object] = queue.Queue(depth)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(chunks,), daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, chunks: Iterator[bytes]) -> None:
        try:
            for chunk in chunks:
                if not self._put(chunk):
                    return
        except BaseException as e:  # handed to the consumer, which raises it
            self._put(e)
            return
        self._put(self._DONE)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            item = self._queue.get()
            if item is self._DONE:
                self._thread.join()
                return
            if isinstance(item, BaseException):
                self._thread.join()
                raise item
            yield cast(bytes, item)

    def close(self) -> None:
        """Stop the producer (after a failed load) and wait for it."""
        self._stopped.set()
        self._thread.join()


class _ChunkStream(io.RawIOBase):
    """The chunks of a :class:`_BackgroundChunks` as a binary file Oxigraph reads from."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _chunk_file(chunks: Iterable[bytes]) -> io.BufferedReader:
    return io.BufferedReader(_ChunkStream(chunks), buffer_size=1 << 20)


def bulk_load_chunks(store: ox.Store, chunks: Iterator[bytes]) -> None:
    """N-Quads ``chunks`` (each a whole document) bulk-loaded into ``store`` in one call,
    written by a thread while Oxigraph loads: the engine's own bulk-load speed, for a store
    being filled from scratch (a benchmark's). Not transactional; errors as ``bulk_load``'s."""
    producer = _BackgroundChunks(chunks)
    try:
        store.bulk_load(_chunk_file(producer), format=ox.RdfFormat.N_QUADS)
    finally:
        producer.close()


def _check_disk(folder: Path) -> None:
    """Write, sync and remove a small file in ``folder``: raises :class:`OSError` while the
    disk is full or failing."""
    probe = folder / _PROBE_FILE
    try:
        with probe.open("wb") as out:
            out.write(b"\0" * _PROBE_BYTES)
            out.flush()
            os.fsync(out.fileno())
    finally:
        probe.unlink(missing_ok=True)


def _released(handle: ox.Store) -> bool:
    """Whether the caller's references are the last to ``handle`` (the caller's variable and
    this function's argument), waiting a little for readers to finish."""
    deadline = time.monotonic() + _RELEASE_WAIT
    collected = False
    while sys.getrefcount(handle) > 3:  # the caller's, the argument, getrefcount's own
        if time.monotonic() > deadline:
            return False
        if not collected:  # a traceback kept by a finished request may hold it
            gc.collect()
            collected = True
        else:
            time.sleep(0.01)
    return True


def _all_refused(records: Sequence[RecordWrite], failures: dict[str, str]) -> dict[str, str]:
    """Every record of an all-or-none write: its own problem, or that another one had one."""
    others = f"not written: {len(failures)} other record(s) of the same write could not be"
    return {w.dataset_iri: failures.get(w.dataset_iri, others) for w in records}


def _problem(write: RecordWrite) -> str | None:
    """Why a record cannot be written at all, or None."""
    try:
        ox.NamedNode(write.dataset_iri)
        QuadWriter().iri(write.dataset_iri)
    except ValueError as e:
        return f"not a usable dataset IRI: {e}"
    empty = not write.ntriples if write.ntriples is not None else len(write.graph) == 0
    if empty:
        return "the record has no triples"
    return None


def _take(items: Iterable[T], limit: int | None) -> tuple[list[T], bool]:
    if limit is None:
        return list(items), False
    taken = list(itertools.islice(items, limit + 1))
    return taken[:limit], len(taken) > limit


def _row(solution: ox.QuerySolution) -> tuple[Term | None, ...]:
    return tuple(solution)


def _value(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    raise StoreError(f"unexpected value in the store: {term!r}")


def _message(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _record_lines(writer: QuadWriter, write: RecordWrite, tail: str) -> str:
    """The record's triples as lines closed by ``tail`` (``" .\\n"``, or a graph name and
    ``" .\\n"``): its N-Triples when it came with them (a line ends only at ``" .\\n"``: a
    literal's line breaks are escaped), else its graph written now."""
    if write.ntriples is None:
        return writer.lines(write.graph, tail)
    return write.ntriples if tail == " .\n" else write.ntriples.replace(" .\n", tail)
