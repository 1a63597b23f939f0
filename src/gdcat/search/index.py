"""The search index (tantivy) kept in step with the store.

- **Opening** (:func:`open_search_index`): on disk next to an on-disk store, in memory for an
  in-memory one. An index on disk is reused only if its metadata file says it was built with
  this schema, these vocabularies and this base IRI, and its record digest equals the store's
  (an order-free digest of every live record's dataset IRI and content hash, which the index
  keeps up to date record by record). Otherwise it is rebuilt from the store.
- **Following**: the index listens to the store; after every commit it re-reads the records
  written or withdrawn (plus the datasets derived from them, whose cohort figures depend on
  their source being in the catalogue) and replaces their documents in one index commit.
  Changes it cannot index (the disk is full…) are logged and leave it
  :attr:`~SearchIndex.stale`; they are indexed again with the next change, or by
  :meth:`~SearchIndex.catch_up` (the health check calls it), with a fresh index writer.
- **Rebuilding** (:meth:`SearchIndex.rebuild`) reads every record in batches into a fresh index
  beside the current one, which keeps answering; changes committed meanwhile are replayed
  once the new index is in place, or on the current one if the rebuild fails. The store
  stays the truth: losing the index loses nothing.
- **Starting without waiting** (``background=True``, what ``gdcat serve`` does): the index is
  opened or built in a thread and the server answers at once. An index on disk built for
  this schema, vocabularies and base IRI serves as soon as it is opened, while the store's
  records are read to tell whether it is in step (a minute or two at a million records); if
  it is behind, it goes on serving as it is (its answers miss the latest changes) while a new
  one is built beside it; if the store cannot be read for that check, it goes on serving,
  unchecked, and the health check says so; with no usable index, readers get
  :class:`IndexBuildingError` (the API answers 503 with ``Retry-After``) until the first
  build is done. :meth:`SearchIndex.health` reports the build's progress.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from gdcat.errors import GdcatError, without_paths
from gdcat.search.documents import (
    SCHEMA_VERSION,
    TEXT_ANALYZER,
    build_schema,
    make_document,
    text_analyzer,
)
from gdcat.search.extract import RecordReader, digest_entry, record_digest
from gdcat.search.vocabulary import Vocabulary
from gdcat.store import RecordChange, Store

_log = logging.getLogger(__name__)

META_FILE = "gdcat-index.json"
META_FORMAT = "gdcat-search-index"
#: Writer memory: a rebuild indexes many records at once, a follow-up a batch of changes.
_REBUILD_HEAP = 128_000_000
_UPDATE_HEAP = 32_000_000


class SearchIndexError(GdcatError):
    """The search index could not be opened, written or read (a fault of the server: what a
    client reads of it has no file paths)."""

    def __init__(self, message: str, *, public: str | None = None) -> None:
        super().__init__(message, public=public if public is not None else without_paths(message))


@dataclass(frozen=True)
class IndexHealth:
    """The state of the search index, as the health check reports it."""

    #: how many records (documents) the index holds
    documents: int
    #: changes of the store are missing from the index (see :attr:`SearchIndex.stale`)
    stale: bool
    #: records whose changes wait to be indexed again
    unindexed: int
    rebuilding: bool
    #: the index can answer (False while the first build of a server's start runs)
    ready: bool = True
    #: records indexed and records to index, while a build runs
    progress: tuple[int, int] | None = None
    #: why the index could not be opened or built at start (no file paths)
    failure: str | None = None


class RebuildRunningError(SearchIndexError):
    """A rebuild of the search index is running already (one runs at a time)."""


class IndexBuildingError(SearchIndexError):
    """The search index is being built and has nothing to answer from yet (try again in
    :attr:`retry_after` seconds)."""

    def __init__(self, message: str, *, retry_after: float = 5.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SearchIndex:
    """Datasets of one store, searchable; see the module docstring for how it follows."""

    def __init__(
        self, store: Store, vocabulary: Vocabulary, path: Path | None, *, background: bool = False
    ) -> None:
        self._store = store
        self._vocabulary = vocabulary
        self._path = path
        self._reader = RecordReader(store)
        self._schema = build_schema()
        self._lock = threading.RLock()
        self._rebuilding = False
        self._pending: set[str] = set()
        self._writer: tantivy.IndexWriter | None = None
        self._stale = False
        #: records whose changes could not be indexed, retried with the next change
        self._unindexed: set[str] = set()
        self._closed = False
        #: bumped by every commit, so that caches of what the index holds can tell
        self.generation = 0
        #: the index on disk was in step with the store and opened as it was
        self.reused = False
        self._index: tantivy.Index | None = None
        self._digest = 0
        self._progress: tuple[int, int] | None = None
        self._failure: str | None = None
        # Listen from the start: changes committed while the index is opened or built are
        # kept aside and applied once it is ready.
        self._rebuilding = True
        store.add_listener(self._on_change)
        if background:
            threading.Thread(
                target=self._start_in_background, name="gdcat-index-start", daemon=True
            ).start()
            return
        try:
            self._start()
        except BaseException:
            store.remove_listener(self._on_change)  # no index: nothing to follow with
            raise

    def _start(self) -> None:
        """Open the index on disk or build it (see the module docstring)."""
        previous = self._open_previous()
        if previous is not None:
            index, digest = previous
            with self._lock:
                # it answers from now on, while the store is read to tell whether it is in
                # step (every live record's hash: minutes at a million records)
                self._index, self._digest = index, digest
            assert self._path is not None
            try:
                in_step = self._unusable(self._path) is None
            except GdcatError as e:
                with self._lock:
                    # what changed meanwhile is indexed with the next change or catch-up
                    self._stale = True
                    self._unindexed |= self._pending
                    self._pending = set()
                    self._rebuilding = False
                    self._failure = without_paths(
                        f"the search index on disk serves, unchecked: the store could not "
                        f"be read to check it ({e}); rebuild it when the store is back"
                    )
                _log.warning("%s", self._failure)
                return
            with self._lock:
                self.reused = in_step
                if in_step:
                    self._started()
                    return
                self._pending = set()  # the rebuild reads the store after this
            _log.info("serving the previous search index while a new one is built")
            self._rebuild_now()
            return
        if self._path is None:
            index, digest = self._build(None)
        else:
            self._clear_leftovers()
            built, digest = self._build(self._building_path())
            index = self._install(built)
        with self._lock:
            self._index, self._digest = index, digest
            self._started()

    def _started(self) -> None:
        """The index is in place (under the lock): apply what changed meanwhile."""
        self._write_meta()
        pending, self._pending = self._pending, set()
        self._rebuilding = False
        if pending and not self._closed:
            self._update(pending)

    def _start_in_background(self) -> None:
        started = time.perf_counter()
        try:
            self._start()
        except Exception as e:
            message = f"the search index could not be opened or built: {e}"
            _log.exception("%s", message)
            with self._lock:
                self._failure = without_paths(message)
                self._rebuilding = False  # a rebuild (gdcat index --force) may try again
            return
        _log.info("search index ready in %.1f s", time.perf_counter() - started)

    # -- what readers use -----------------------------------------------------------------

    @property
    def vocabulary(self) -> Vocabulary:
        return self._vocabulary

    @property
    def schema(self) -> tantivy.Schema:
        return self._schema

    @property
    def stale(self) -> bool:
        """True when a change committed to the store could not be indexed since the index
        was opened or last rebuilt (a rebuild repairs it, as does reopening: the index on
        disk then no longer matches the store)."""
        return self._stale

    @property
    def ready(self) -> bool:
        """Whether the index can answer (it has been opened or built)."""
        return self._index is not None

    def current(self) -> tantivy.Index:
        """The index to read from (one object for the whole of a request); raises
        :class:`IndexBuildingError` while there is none yet."""
        index = self._index
        if index is None:
            raise IndexBuildingError(self._not_ready())
        return index

    def _not_ready(self) -> str:
        if self._failure is not None:
            return f"search is not available: {self._failure}"
        progress = self._progress
        done = f" ({progress[0]} of {progress[1]} records indexed)" if progress else ""
        return f"the search index is being built{done}; try again shortly"

    def searcher(self) -> tantivy.Searcher:
        return self.current().searcher()

    def size(self) -> int:
        """How many records (documents) the index holds."""
        return int(self.searcher().num_docs)

    def payloads(self, query: tantivy.Query, limit: int | None = None) -> list[dict[str, Any]]:
        """The payloads of the documents matching ``query`` (up to ``limit``; any order)."""
        searcher = self.searcher()
        if limit is None:
            limit = int(searcher.search(query, 1, count=True).count or 0)  # type: ignore[attr-defined]
            if limit == 0:
                return []
        hits = searcher.search(query, limit, count=False).hits
        return [payload_of(searcher.doc(address)) for _, address in hits]

    # -- following the store --------------------------------------------------------------

    def _on_change(self, change: RecordChange) -> None:
        datasets = set(change.written) | set(change.withdrawn)
        with self._lock:
            if self._closed:
                return
            if self._rebuilding or self._index is None:
                self._pending |= datasets  # a build reads them (or replays them) later
                return
            self._follow(datasets)

    def _follow(self, datasets: set[str]) -> None:
        """:meth:`_update` of ``datasets`` and of the records not indexed yet; if it fails,
        say so and keep going (the index is stale until they are indexed)."""
        targets = datasets | self._unindexed
        if not targets:
            return
        try:
            self._update(targets)
        except Exception:
            self._stale = True
            self._unindexed = targets
            self._drop_writer()
            _log.exception(
                "the search index could not follow %d changed record(s); it is stale until "
                "they are indexed again (with the next change, or a rebuild)",
                len(targets),
            )
            return
        if self._unindexed:
            _log.warning("the search index caught up with %d record(s)", len(self._unindexed))
            self._unindexed = set()
            self._stale = False

    def _drop_writer(self) -> None:
        """Let go of the update writer (after a failure: it may refuse everything after), and of
        the index lock it holds, so that the next update makes a fresh one. (Dropping the object
        is not enough: a traceback kept by a log handler may hold it.)"""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.wait_merging_threads()  # consumes the writer: the lock goes with it
            except ValueError as e:
                _log.info("the failed index writer stopped with: %s", e)

    def catch_up(self) -> bool:
        """Index the changes that could not be indexed before (after the disk was full, say);
        returns whether the index is in step with the store now."""
        with self._lock:
            if self._unindexed and not self._closed and not self._rebuilding:
                self._follow(set())
            return not self._stale

    def health(self) -> IndexHealth:
        """The index's state (reads the number of documents: cheap)."""
        ready = self.ready
        return IndexHealth(
            documents=self.size() if ready else 0,
            stale=self._stale,
            unindexed=len(self._unindexed),
            rebuilding=self._rebuilding,
            ready=ready,
            progress=self._progress,
            failure=self._failure,
        )

    def _update(self, datasets: set[str]) -> None:
        """Replace the documents of ``datasets`` (and of the data derived from them)."""
        targets = datasets | self._derived_from(datasets)
        digest = self._digest
        for payload in self._stored(targets):
            digest ^= digest_entry(payload["iri"], payload["content_hash"])
        writer = self._writer_for_updates()
        committed = False
        try:
            for dataset in targets:
                writer.delete_documents_by_term("iri", dataset)
            for fact in self._reader.read(sorted(targets)):
                record = make_document(fact, self._vocabulary)
                writer.add_document(record.document)
                digest ^= digest_entry(record.dataset, record.content_hash)
            writer.commit()
            committed = True
        finally:
            if not committed:
                writer.rollback()
        self._digest = digest
        # reloaded first: whoever reads the new generation searches the new documents (the
        # searcher keeps counts by generation)
        self.current().reload()
        self.generation += 1
        self._write_meta()

    def _derived_from(self, datasets: set[str]) -> set[str]:
        query = tantivy.Query.term_set_query(self._schema, "derived_from", sorted(datasets))
        found = self.payloads(query)
        return {p["iri"] for p in found} - datasets

    def _stored(self, datasets: set[str]) -> list[dict[str, Any]]:
        if not datasets:
            return []
        query = tantivy.Query.term_set_query(self._schema, "iri", sorted(datasets))
        return self.payloads(query, len(datasets) * 2)

    def _writer_for_updates(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.current().writer(_UPDATE_HEAP, 1)
        return self._writer

    # -- opening and rebuilding -----------------------------------------------------------

    def _open_previous(self) -> tuple[tantivy.Index, int] | None:
        """The index on disk with its record digest, if it was built for this schema, these
        vocabularies and this base IRI (whether it is in step with the store is not read
        here)."""
        if self._path is None:
            return None
        reason = self._incompatible(self._path)
        if reason is not None:
            _log.info("building the search index in %s: %s", self._path, reason)
            return None
        try:
            meta = self._read_meta(self._path)
            digest = int(meta["records"], 16)
            index = tantivy.Index.open(str(self._path))
        except (KeyError, TypeError, ValueError) as e:
            _log.info("building the search index in %s: %s", self._path, e)
            return None
        index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
        return index, digest

    def _incompatible(self, path: Path) -> str | None:
        """Why the index at ``path`` cannot serve at all (not even behind the store)."""
        if not path.is_dir() or not tantivy.Index.exists(str(path)):
            return "no index yet"
        meta = self._read_meta(path)
        expected = {
            "format": META_FORMAT,
            "schema": SCHEMA_VERSION,
            "vocabularies": self._vocabulary.digest,
            "base_iri": self._store.base_iri,
        }
        for key, value in expected.items():
            if meta.get(key) != value:
                return f"{key} changed"
        return None

    def _unusable(self, path: Path) -> str | None:
        """Why the index at ``path`` cannot be used as it is, or None if it can."""
        reason = self._incompatible(path)
        if reason is not None:
            return reason
        meta = self._read_meta(path)
        hashes = self._store.record_hashes()
        if meta.get("records") != record_digest(hashes) or meta.get("count") != len(hashes):
            return "the store changed since the index was written"
        return None

    def rebuild(self) -> int:
        """Rebuild the index from the store; returns how many records it holds.

        Raises :class:`RebuildRunningError` while another rebuild runs, and
        :class:`SearchIndexError` if the new index cannot be built or put in place: the
        current one then goes on serving, with the changes committed meanwhile applied.
        """
        with self._lock:
            if self._rebuilding:
                raise RebuildRunningError("a rebuild of the search index is already running")
            self._rebuilding = True
            self._pending = set()
        return self._rebuild_now()

    def _rebuild_now(self) -> int:
        """:meth:`rebuild`, the rebuild marked as running already."""
        started = time.perf_counter()
        try:
            try:
                if self._path is not None:
                    self._clear_leftovers()
                index, digest = self._build(self._building_path() if self._path else None)
                with self._lock:
                    self._index = self._install(index)
                    self._digest = digest
            except (OSError, ValueError) as e:
                raise SearchIndexError(f"cannot rebuild the search index: {e}") from e
            with self._lock:
                self._stale = False
                self._unindexed = set()
                self._failure = None
                self.generation += 1
                self._write_meta()
                pending, self._pending = self._pending, set()
                self._rebuilding = False
                if pending:
                    self._follow(pending)
        except BaseException:
            with self._lock:  # the index serving now gets what was committed meanwhile
                pending, self._pending = self._pending, set()
                self._rebuilding = False
                if pending and not self._closed and self._index is not None:
                    self._follow(pending)
            if self._path is not None:
                self._clear_leftovers()
            raise
        count = int(self.searcher().num_docs)
        _log.info(
            "search index rebuilt: %d records in %.1f s", count, time.perf_counter() - started
        )
        return count

    def _build(self, path: Path | None) -> tuple[tantivy.Index, int]:
        """A new index of every live record of the store, at ``path`` or in memory."""
        if path is not None:
            path.mkdir(parents=True)
        index = tantivy.Index(self._schema, path=str(path) if path else None, reuse=False)
        index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
        writer = index.writer(_REBUILD_HEAP, 1)
        digest = 0
        datasets = sorted(self._store.record_hashes())
        self._progress = (0, len(datasets))
        try:
            for done, fact in enumerate(self._reader.read_ahead(datasets), 1):
                record = make_document(fact, self._vocabulary)
                writer.add_document(record.document)
                digest ^= digest_entry(record.dataset, record.content_hash)
                if done % 100 == 0:
                    self._progress = (done, len(datasets))
            writer.commit()
            writer.wait_merging_threads()
        finally:
            self._progress = None
        index.reload()
        return index, digest

    def _install(self, built: tantivy.Index) -> tantivy.Index:
        """Move a freshly built index in place (on disk) and return it opened there."""
        self._writer = None  # the old index's writer; a new one is made when needed
        if self._path is None:
            return built
        building = self._building_path()
        old = self._path.with_name(self._path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self._path.exists():
            os.replace(self._path, old)
        try:
            os.replace(building, self._path)
        except OSError:
            if old.exists():
                os.replace(old, self._path)  # the index serving now stays where it was
            raise
        shutil.rmtree(old, ignore_errors=True)
        index = tantivy.Index.open(str(self._path))
        index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
        return index

    def _building_path(self) -> Path:
        assert self._path is not None
        return self._path.with_name(self._path.name + ".building")

    def _clear_leftovers(self) -> None:
        shutil.rmtree(self._building_path(), ignore_errors=True)

    # -- metadata -------------------------------------------------------------------------

    def _read_meta(self, path: Path) -> dict[str, Any]:
        try:
            meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def _write_meta(self) -> None:
        if self._path is None:
            return
        meta = {
            "format": META_FORMAT,
            "schema": SCHEMA_VERSION,
            "vocabularies": self._vocabulary.digest,
            "base_iri": self._store.base_iri,
            "records": f"{self._digest:064x}",
            "count": self.searcher().num_docs,
        }
        target = self._path / META_FILE
        temporary = target.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
            os.replace(temporary, target)
        except OSError as e:
            raise SearchIndexError(f"cannot write the search index metadata: {e}") from e

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        """Stop following the store and release the index."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._store.remove_listener(self._on_change)
            self._writer = None


def payload_of(doc: tantivy.Document) -> dict[str, Any]:
    """The JSON payload stored with a document."""
    raw = doc.get_first("payload")
    data = json.loads(bytes(raw)) if raw is not None else {}
    return data if isinstance(data, dict) else {}


def index_path_for(store: Store, configured: Path | None) -> Path | None:
    """Where the index of ``store`` lives: ``configured`` (for any store but an in-memory
    one), else beside an on-disk store (``<store>-index``), else nowhere (in memory: a remote
    store's index is then built at every start)."""
    store_path = getattr(store, "path", None)
    if configured is not None and (store_path is not None or not hasattr(store, "path")):
        return configured
    if not isinstance(store_path, Path):
        return None
    return store_path.with_name(store_path.name + "-index")


def open_search_index(
    store: Store, vocabulary: Vocabulary, path: Path | None, *, background: bool = False
) -> SearchIndex:
    """The search index of ``store`` at ``path`` (in memory when None), built if needed (in
    a thread with ``background``: it answers once ready)."""
    try:
        return SearchIndex(store, vocabulary, path, background=background)
    except (OSError, ValueError) as e:
        raise SearchIndexError(f"cannot open the search index at {path}: {e}") from e
