"""A remote store: the :class:`~gdcat.store.Store` protocol over SPARQL 1.1 Query, Update and
the Graph Store Protocol, spoken with httpx to a SPARQL engine (Oxigraph server today).

The layout is the embedded store's (:mod:`gdcat.store.records`): one named graph per record, the
catalogue records in the provenance graph, written with the same SPARQL text
(:mod:`gdcat.store.record_sparql`). What a remote engine changes:

- **Transactions.** Every write is one SPARQL UPDATE request, and an engine of the ``oxigraph``
  flavour applies one request as one transaction (Oxigraph server runs ``Store::update`` on the
  whole request: an update whose last operation fails leaves nothing of its first ones;
  ``tests/store/test_remote_store.py`` checks it). A batch of records (``DROP SILENT GRAPH`` and
  ``INSERT DATA`` of each, the catalogue records rewritten) is therefore replaced whole or not at
  all, as in the embedded store; a batch the engine refuses (HTTP 400) is retried record by
  record, so one bad record costs only itself.
- **The generation lives in the store.** A counter triple in the graph ``{base}graph/store-state``
  is incremented by every write, in the write's own request, so every process using the store
  sees the same generation (:attr:`RemoteStore.generation` reads it: one small query).
- **Listeners** are told of this process's own writes, after the engine committed them.
  Following other processes' writes (the change feed) is for several serving processes.
- **Failures.** Every request has a deadline (``store_timeout``). An engine that cannot be
  reached, times out or answers 5xx is a :class:`~gdcat.errors.StoreError` with ``retry_after``
  (HTTP 503, as a failing embedded store); a query the engine refuses (400) is a
  :class:`~gdcat.errors.QueryError`. A write that timed out may or may not have been applied by
  the engine, but never half: each record is its old version or its new one.
- **Credentials** (HTTP basic) come from the settings ``store_user`` / ``store_password``
  (``GDCAT_STORE_USER``, ``GDCAT_STORE_PASSWORD``), never from the URL in logs.

Flavours (``store_kind``) name the engine's endpoints and how it is asked for the union of its
graphs as default graph; ``auto`` asks the engine (:func:`detect_flavour`). Only ``oxigraph`` is
supported yet; the others are described so that the next engines (Virtuoso, Fuseki) are a table
row and their own tests.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal, get_args
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox
from rdflib import Graph

from gdcat.errors import QueryError, StoreError
from gdcat.store.counts import CountLayout
from gdcat.store.datatypes import graph_from_quads, restore_triples
from gdcat.store.health import StoreHealth
from gdcat.store.quads import QuadWriter, UnwritableTermError
from gdcat.store.record_sparql import (
    PendingRecord,
    catalog_lines,
    catalog_record_from,
    list_records_query,
    live_record_ask,
    mark_seen_operation,
    now,
    record_hashes_query,
    record_sources_query,
    replace_operations,
    withdraw_operations,
)
from gdcat.store.records import (
    CatalogRecord,
    RecordChange,
    RecordListeners,
    RecordSource,
    RecordWrite,
    RecordWriteError,
    provenance_graph_iri,
    record_iri,
)
from gdcat.store.results import QueryResult, Term, serialize_result
from gdcat.store.sparql_text import code_of, uses_service

#: What ``store_kind`` may say: ``auto`` (ask the engine) or an engine's flavour.
StoreKind = Literal["auto", "oxigraph", "virtuoso", "fuseki", "generic"]
STORE_KINDS: tuple[str, ...] = get_args(StoreKind)

#: Records per UPDATE request: a few kB of text a record, so a request stays well under a MB.
_BATCH = 200
#: How many records one ``mark_seen`` request names.
_SEEN_BATCH = 2000
#: Longest a connection may take to open (seconds), whatever the request's deadline.
_CONNECT_TIMEOUT = 5.0
#: How long a caller is told to wait before trying again after the engine failed (seconds).
_RETRY_AFTER = 2.0
_GENERATION = "https://w3id.org/gdcat/ns#storeGeneration"
_RESULTS_JSON = "application/sparql-results+json"
_RESULTS_TSV = "text/tab-separated-values"
_N_TRIPLES = "application/n-triples"

#: How Oxigraph server words a query it cannot parse (HTTP 400).
_SYNTAX = re.compile(r"^error at \d+:\d+")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Flavour:
    """How one kind of engine is spoken to: its endpoints (relative to the store's URL), and
    the query parameters that make the default graph the union of all graphs."""

    name: str
    query: str
    update: str
    graph_store: str
    union_params: tuple[tuple[str, str], ...]
    #: whether gdcat has been tested against this engine (others are refused for now)
    supported: bool


FLAVOURS: dict[str, Flavour] = {
    # oxigraph serve: /query, /update, /store (SPARQL 1.1 Graph Store Protocol); one update
    # request is one transaction; ?union-default-graph asks for the union.
    "oxigraph": Flavour(
        "oxigraph", "query", "update", "store", (("union-default-graph", ""),), True
    ),
    # Virtuoso: /sparql for queries and (authenticated: /sparql-auth) updates, the Graph Store
    # Protocol at /sparql-graph-crud(-auth); its default graph is the union already.
    "virtuoso": Flavour("virtuoso", "sparql", "sparql-auth", "sparql-graph-crud-auth", (), False),
    # Fuseki: the dataset's URL with /query, /update, /data; the union is a named graph.
    "fuseki": Flavour(
        "fuseki", "query", "update", "data", (("default-graph-uri", "urn:x-arq:UnionGraph"),), False
    ),
    # Any SPARQL 1.1 engine whose URL is both its query and update endpoint.
    "generic": Flavour("generic", "", "", "", (), False),
}


def detect_flavour(url: str, client: httpx.Client) -> str:
    """The flavour of the engine at ``url``, from the ``Server`` header of its answer to a
    small query (``ASK {}`` at the Oxigraph-style query endpoint, then at the URL itself):
    ``Oxigraph/…`` is ``oxigraph``, ``Virtuoso/…`` is ``virtuoso``, a Jetty server naming Fuseki
    (or answering with ``Fuseki-Request-Id``) is ``fuseki``; anything else is ``generic``."""
    seen: list[str] = []
    for target in (urljoin(url, "query"), url):
        try:
            answer = client.get(target, params={"query": "ASK {}"})
        except httpx.HTTPError as e:
            raise _unreachable(url, e) from e
        server = answer.headers.get("server", "")
        seen.append(server)
        if server.startswith("Oxigraph/"):
            return "oxigraph"
        if server.lower().startswith("virtuoso"):
            return "virtuoso"
        if "fuseki" in server.lower() or "fuseki-request-id" in answer.headers:
            return "fuseki"
    _log.info("the store at %s answered as %s: speaking generic SPARQL 1.1", url, seen)
    return "generic"


class StoreTimeoutError(StoreError):
    """The remote store did not answer a request within its deadline."""


class _Refused(ValueError):
    """The engine refused a request as malformed (HTTP 400): the request's fault, not the
    engine's (a record the engine cannot take is retried on its own)."""


class RemoteStore:
    """The knowledge graph in a remote SPARQL engine at ``url`` (see the module docstring)."""

    def __init__(
        self,
        url: str,
        base_iri: str,
        *,
        kind: str = "auto",
        timeout: float = 60.0,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        if not base_iri.endswith("/"):
            raise StoreError(f"the base IRI must end with '/': {base_iri!r}")
        try:
            _writer().iri(base_iri)
        except UnwritableTermError as e:
            raise StoreError(f"not a usable base IRI {base_iri!r}: {e}") from e
        if not url.startswith(("http://", "https://")):
            raise StoreError(f"a remote store's URL starts with http:// or https://: {url!r}")
        if kind not in STORE_KINDS:
            raise StoreError(f"store_kind must be one of {', '.join(STORE_KINDS)}, not {kind!r}")
        self._url = url if url.endswith("/") else url + "/"
        self._base = base_iri
        self._provenance = provenance_graph_iri(base_iri)
        self._state = f"{base_iri}graph/store-state"
        self._counts = CountLayout(base_iri)
        self._timeout = timeout
        auth = httpx.BasicAuth(user, password or "") if user else None
        self._client = httpx.Client(
            timeout=_deadline(timeout),
            auth=auth,
            headers={"User-Agent": "gdcat"},
            follow_redirects=False,
        )
        self._lock = threading.RLock()
        self._listeners = RecordListeners()
        self._last_write: tuple[datetime, bool] | None = None
        self._last_generation = 0
        self._closed = False
        try:
            name = detect_flavour(self._url, self._client) if kind == "auto" else kind
        except StoreError:
            self._client.close()
            raise
        flavour = FLAVOURS[name]
        if not flavour.supported:
            self._client.close()
            raise StoreError(
                f"the store at {url} is a {name} engine, which gdcat does not support yet "
                "(supported: oxigraph); set store_kind if it was detected wrongly"
            )
        self.flavour = flavour
        self._query_url = urljoin(self._url, flavour.query)
        self._update_url = urljoin(self._url, flavour.update)
        self._graph_url = urljoin(self._url, flavour.graph_store)

    # -- identity -------------------------------------------------------------------------

    @property
    def base_iri(self) -> str:
        return self._base

    @property
    def provenance_graph(self) -> str:
        return self._provenance

    @property
    def url(self) -> str:
        return self._url

    def record_iri(self, dataset_iri: str) -> str:
        return record_iri(self._base, dataset_iri)

    @property
    def generation(self) -> int:
        """The store's write counter, read from the store (every process sees the same)."""
        result = self.query(
            f"SELECT ?n WHERE {{ GRAPH <{self._state}> {{ <{self._state}> <{_GENERATION}> ?n }} }}",
            union_default_graph=False,
        )
        value = result.rows[0][0] if result.rows else None
        generation = int(value.value) if isinstance(value, ox.Literal) else 0
        self._last_generation = generation
        return generation

    def add_listener(self, listener: Callable[[RecordChange], None]) -> None:
        self._listeners.add(listener)

    def remove_listener(self, listener: Callable[[RecordChange], None]) -> None:
        self._listeners.remove(listener)

    def _committed(self, written: Sequence[str] = (), withdrawn: Sequence[str] = ()) -> None:
        self._last_write = (now(), True)
        self._listeners.notify(written, withdrawn)

    # -- writing --------------------------------------------------------------------------

    def put_records(
        self, records: Sequence[RecordWrite], *, bulk: bool = False, atomic: bool = False
    ) -> None:
        # ``bulk`` takes the replacing path: a remote engine's bulk loader is not
        # transactional and could not bump the generation in the same request.
        failures: dict[str, str] = {}
        pending: list[PendingRecord] = []
        seen: set[str] = set()
        for write in records:
            if write.dataset_iri in seen:
                raise StoreError(f"{write.dataset_iri} is written twice in one call")
            seen.add(write.dataset_iri)
            problem = _problem(write)
            if problem:
                failures[write.dataset_iri] = problem
            else:
                pending.append(PendingRecord(write, self.record_iri(write.dataset_iri)))
        if atomic:
            self._put_atomic(records, pending, failures)
            return
        written: list[str] = []
        with self._lock:
            moment = now()
            try:
                for start in range(0, len(pending), _BATCH):
                    batch = pending[start : start + _BATCH]
                    written.extend(self._replace(batch, moment, failures))
            finally:
                if written:
                    self._committed(written)
        if failures:
            raise RecordWriteError(failures, written)

    def _put_atomic(
        self,
        records: Sequence[RecordWrite],
        pending: list[PendingRecord],
        failures: dict[str, str],
    ) -> None:
        moment = now()
        texts = _record_texts(pending, moment, failures)
        if failures:
            others = f"not written: {len(failures)} other record(s) of the same write could not be"
            raise RecordWriteError(
                {w.dataset_iri: failures.get(w.dataset_iri, others) for w in records}, []
            )
        if not texts:
            return
        with self._lock:
            try:
                self._update(replace_operations(self._provenance, texts, moment, self._counts))
            except _Refused as e:
                raise RecordWriteError({w.dataset_iri: str(e) for w in records}, []) from e
            self._committed([item.write.dataset_iri for item, _, _ in texts])

    def _replace(
        self, batch: list[PendingRecord], moment: datetime, failures: dict[str, str]
    ) -> list[str]:
        """Write a batch in one request; if the engine refuses it, retry record by record."""
        texts = _record_texts(batch, moment, failures)
        if not texts:
            return []
        try:
            self._update(replace_operations(self._provenance, texts, moment, self._counts))
            return [item.write.dataset_iri for item, _, _ in texts]
        except _Refused as e:
            if len(texts) == 1:
                failures[texts[0][0].write.dataset_iri] = str(e)
                return []
        written = []
        for text in texts:
            try:
                self._update(replace_operations(self._provenance, [text], moment, self._counts))
                written.append(text[0].write.dataset_iri)
            except _Refused as e:
                failures[text[0].write.dataset_iri] = str(e)
        return written

    def withdraw(self, dataset_iri: str) -> bool:
        record = self.record_iri(dataset_iri)
        with self._lock:
            if not self.query(live_record_ask(self._provenance, record)).boolean:
                return False
            try:
                self._update(withdraw_operations(self._provenance, record, now(), self._counts))
            except _Refused as e:
                raise StoreError(f"the store refused to withdraw {dataset_iri}: {e}") from e
            self._committed(withdrawn=[dataset_iri])
        return True

    def mark_seen(self, dataset_iris: Sequence[str], run_iri: str) -> None:
        run = _writer().iri(run_iri)
        with self._lock:
            for start in range(0, len(dataset_iris), _SEEN_BATCH):
                part = dataset_iris[start : start + _SEEN_BATCH]
                records = [self.record_iri(iri) for iri in part]
                try:
                    self._update([mark_seen_operation(self._provenance, records, run)])
                except _Refused as e:
                    raise StoreError(f"the store refused to mark records seen: {e}") from e
            self._committed()

    def put_graph(self, graph_iri: str, graph: Graph, *, replace: bool = True) -> None:
        name = _writer().iri(graph_iri)
        data = _writer().lines(graph, " .\n")
        ops = [f"DROP SILENT GRAPH {name}"] if replace else []
        ops.append(f"INSERT DATA {{ GRAPH {name} {{\n{data}}} }}")
        with self._lock:
            try:
                self._update(ops)
            except _Refused as e:
                raise StoreError(f"cannot write graph {graph_iri}: {e}") from e
            self._committed()

    def update(self, sparql: str) -> None:
        # The counter's operation follows the caller's in the same request: after a ';' (one
        # is added unless the update ends with one) and on a new line (ending a comment). A
        # raw update may change records behind the counts' back: they are marked incomplete
        # (the inventory counts the records themselves until they are rebuilt).
        joiner = "\n" if code_of(sparql).rstrip().endswith(";") else "\n;\n"
        unmark = self._counts.unmark_complete()
        with self._lock:
            try:
                self._post_update(sparql + joiner + unmark + " ;\n" + self._bump())
            except _Refused as e:
                raise QueryError(f"the update could not be applied: {e}") from e
            self._committed()

    def _bump(self) -> str:
        state = self._state
        return (
            f"DELETE {{ GRAPH <{state}> {{ <{state}> <{_GENERATION}> ?old }} }}\n"
            f"INSERT {{ GRAPH <{state}> {{ <{state}> <{_GENERATION}> ?new }} }}\n"
            f"WHERE {{ OPTIONAL {{ GRAPH <{state}> {{ <{state}> <{_GENERATION}> ?old }} }} "
            f"BIND(COALESCE(?old, 0) + 1 AS ?new) }}"
        )

    def _update(self, operations: list[str]) -> None:
        """Apply ``operations`` and the generation's increment as one request (one
        transaction)."""
        self._post_update(" ;\n".join([*operations, self._bump()]))

    def _post_update(self, text: str) -> None:
        try:
            body = text.encode("utf-8")
        except UnicodeEncodeError as e:  # a lone surrogate: no engine could store it
            raise _Refused(f"the text is not Unicode: {e.reason} at {e.start}") from e
        answer = self._send(
            "POST",
            self._update_url,
            "writing",
            content=body,
            headers={"Content-Type": "application/sparql-update"},
            write=True,
        )
        if answer.status_code == 400:
            self._last_write = (now(), False)
            raise _Refused(_reason(answer))
        self._check(answer, "writing", write=True)

    # -- reading --------------------------------------------------------------------------

    def get_record(self, dataset_iri: str) -> Graph | None:
        quads = self._graph_quads(self.record_iri(dataset_iri), f"the record of {dataset_iri}")
        return graph_from_quads(quads) if quads else None

    def get_graph(self, graph_iri: str) -> Graph:
        _writer().iri(graph_iri)
        quads = self._graph_quads(graph_iri, f"graph {graph_iri}")
        return graph_from_quads(quads) if quads else Graph()

    def _graph_quads(self, graph_iri: str, what: str) -> list[ox.Quad]:
        """A graph's triples through the Graph Store Protocol (none when it does not exist)."""
        answer = self._send(
            "GET",
            self._graph_url,
            f"reading {what}",
            params={"graph": graph_iri},
            headers={"Accept": _N_TRIPLES},
        )
        if answer.status_code == 404:
            return []
        self._check(answer, f"reading {what}")
        try:
            return list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as e:
            raise StoreError(f"the store sent {what} as malformed N-Triples: {e}") from e

    def catalog_record(self, dataset_iri: str) -> CatalogRecord | None:
        record = self.record_iri(dataset_iri)
        result = self.query(
            f"SELECT ?p ?o WHERE {{ GRAPH <{self._provenance}> {{ <{record}> ?p ?o }} }}",
            union_default_graph=False,
        )
        if not result.rows:
            return None
        values = {
            _value(p): o.value
            for p, o in result.rows
            if isinstance(o, ox.NamedNode | ox.Literal) and p is not None
        }
        return catalog_record_from(record, values)

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

    def query(
        self, sparql: str, *, union_default_graph: bool = True, max_rows: int | None = None
    ) -> QueryResult:
        if uses_service(sparql):
            raise QueryError("federated queries (SERVICE) are not allowed")
        answer = self.answer(sparql, union_default_graph=union_default_graph, max_rows=max_rows)
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        if isinstance(answer, list):
            truncated = max_rows is not None and len(answer) > max_rows
            triples = answer[:max_rows] if max_rows is not None else answer
            unique = tuple(dict.fromkeys(restore_triples(triples)))
            return QueryResult("graph", triples=unique, truncated=truncated)
        variables = tuple(v.value for v in answer.variables)
        rows: list[tuple[Term | None, ...]] = [tuple(solution) for solution in answer]
        truncated = max_rows is not None and len(rows) > max_rows
        if max_rows is not None:
            rows = rows[:max_rows]
        return QueryResult("select", variables=variables, rows=tuple(rows), truncated=truncated)

    def answer(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> ox.QueryBoolean | ox.QuerySolutions | list[ox.Triple]:
        """The engine's answer to ``sparql`` as pyoxigraph objects: a boolean, solutions, or
        the triples of a graph. The dataset is the protocol's ``default-graph-uri`` and
        ``named-graph-uri`` when either is given, else the union of all graphs (or the engine's
        default graph). ``timeout`` replaces the store's deadline for this request. With
        ``max_rows``, at most ``max_rows + 1`` solutions or triples are read (one more than
        asked tells the caller there were more); the rest of the answer is never read.

        Solutions come as SPARQL TSV (one line a solution, so the cap is counted while reading)
        and triples as N-Triples."""
        params: list[tuple[str, str]] = []
        if default_graphs is not None or named_graphs is not None:
            params.extend(("default-graph-uri", g) for g in default_graphs or ())
            params.extend(("named-graph-uri", g) for g in named_graphs or ())
        elif union_default_graph:
            params.extend(self.flavour.union_params)
        answer = self._send(
            "POST",
            self._query_url,
            "answering a query",
            params=params,
            content=sparql.encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": f"{_RESULTS_TSV}, {_N_TRIPLES};q=0.9, {_RESULTS_JSON};q=0.8",
            },
            timeout=timeout,
            # TSV: the header line, then a line a solution; N-Triples: a line a triple
            max_lines=None if max_rows is None else max_rows + 2,
        )
        if answer.status_code == 400:
            reason = _reason(answer)
            if _SYNTAX.match(reason):
                raise QueryError(f"SPARQL syntax error: {reason}")
            raise QueryError(f"the query could not be evaluated: {reason}")
        self._check(answer, "answering a query")
        media = answer.headers.get("content-type", "").split(";")[0].strip()
        try:
            if media == _RESULTS_TSV:
                return ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.TSV)
            if media == _RESULTS_JSON:
                return ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.JSON)
            if media == _N_TRIPLES:
                triples = [
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)
                ]
                return triples if max_rows is None else triples[: max_rows + 1]
        except SyntaxError as e:
            raise StoreError(f"the store sent a malformed answer ({media}): {e}") from e
        raise StoreError(f"the store answered a query with {media or 'no media type'}")

    def serialize(self, result: QueryResult, fmt: str) -> str:
        return serialize_result(result, fmt)

    def count_triples(self) -> int:
        result = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            union_default_graph=False,
        )
        value = result.rows[0][0] if result.rows else None
        return int(value.value) if isinstance(value, ox.Literal) else 0

    # -- health and lifetime --------------------------------------------------------------

    def health(self) -> StoreHealth:
        failure: str | None = None
        readable = writable = False
        generation = self._last_generation
        try:
            generation = self.generation
            readable = True
            probe = f"<{self._base}graph/health> <{self._base}graph/health#probe> true"
            graph = f"<{self._base}graph/health>"
            self._post_update(
                f"INSERT DATA {{ GRAPH {graph} {{ {probe} }} }} ;\n"
                f"DELETE DATA {{ GRAPH {graph} {{ {probe} }} }}"
            )
            writable = True
        except (StoreError, QueryError, _Refused) as e:
            failure = e.public_message if isinstance(e, StoreError) else str(e)
        last = self._last_write
        return StoreHealth(
            readable=readable,
            writable=writable,
            mode="remote" if not self._closed else "closed",
            failure=failure,
            last_write=last[0] if last is not None else None,
            last_write_ok=last[1] if last is not None else None,
            generation=generation,
        )

    def close(self) -> None:
        self._closed = True
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- HTTP -----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        doing: str,
        *,
        write: bool = False,
        params: Sequence[tuple[str, str]] | dict[str, str] = (),
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        max_lines: int | None = None,
    ) -> httpx.Response:
        """The engine's answer, read whole, or (``max_lines``) only up to its first
        ``max_lines`` lines: the rest is never read (the connection is closed)."""
        if self._closed:
            raise StoreError("the store is closed")
        request = self._client.build_request(
            method,
            url,
            params=list(params.items()) if isinstance(params, dict) else list(params),
            content=content,
            headers=headers,
            timeout=_deadline(self._timeout if timeout is None else timeout),
        )
        try:
            answer = self._client.send(request, stream=True)
            try:
                if max_lines is None or not answer.is_success:
                    answer.read()
                    return answer
                return _first_lines(answer, max_lines)
            finally:
                answer.close()
        except httpx.TimeoutException as e:
            if write:
                self._last_write = (now(), False)
            unsure = " (the write may or may not have been applied, never half)" if write else ""
            raise StoreTimeoutError(
                f"the store at {self._url} did not answer within "
                f"{self._timeout if timeout is None else timeout:g} s while {doing}{unsure}",
                public=f"the store did not answer in time while {doing}; try again later",
                retry_after=_RETRY_AFTER,
            ) from e
        except httpx.HTTPError as e:
            if write:
                self._last_write = (now(), False)
            raise _unreachable(self._url, e, doing) from e

    def _check(self, answer: httpx.Response, doing: str, *, write: bool = False) -> None:
        if answer.is_success:
            return
        if write:
            self._last_write = (now(), False)
        status = answer.status_code
        if status in (401, 403):
            raise StoreError(
                f"the store at {self._url} refused gdcat's credentials ({status}) while "
                f"{doing}; check GDCAT_STORE_USER and GDCAT_STORE_PASSWORD",
                public=f"the store refused access while {doing}",
            )
        raise StoreError(
            f"the store at {self._url} failed while {doing}: {status} {_reason(answer)}",
            public=f"the store failed while {doing}; try again later",
            retry_after=_RETRY_AFTER,
        )


def _first_lines(answer: httpx.Response, max_lines: int) -> httpx.Response:
    """A copy of the streamed ``answer`` holding its first ``max_lines`` lines at most."""
    parts: list[bytes] = []
    lines = 0
    for chunk in answer.iter_bytes():
        parts.append(chunk)
        lines += chunk.count(b"\n")
        if lines >= max_lines:
            break
    body = b"".join(parts)
    if lines >= max_lines:
        body = b"".join(body.splitlines(keepends=True)[:max_lines])
    # decoded already (iter_bytes undoes any content coding): only the media type is kept
    media = {"Content-Type": answer.headers.get("content-type", "")}
    return httpx.Response(answer.status_code, headers=media, content=body)


def _deadline(seconds: float) -> httpx.Timeout:
    """A request's deadline: ``seconds`` to answer, at most :data:`_CONNECT_TIMEOUT` to connect."""
    return httpx.Timeout(seconds, connect=min(_CONNECT_TIMEOUT, seconds))


def _unreachable(url: str, error: httpx.HTTPError, doing: str = "connecting") -> StoreError:
    return StoreError(
        f"the store at {url} cannot be reached while {doing}: {error}",
        public=f"the store cannot be reached while {doing}; try again later",
        retry_after=_RETRY_AFTER,
    )


def _reason(answer: httpx.Response) -> str:
    """The engine's words for a failure, kept short."""
    text = answer.text.strip().replace("\n", " ")
    return text[:500] or answer.reason_phrase


def _record_texts(
    pending: Sequence[PendingRecord], moment: datetime, failures: dict[str, str]
) -> list[tuple[PendingRecord, str, str]]:
    """Each record's triples and catalogue record as N-Triples lines for an update; a record
    holding a term N-Triples cannot carry goes to ``failures`` instead."""
    writer = _writer()
    texts: list[tuple[PendingRecord, str, str]] = []
    for item in pending:
        try:
            data = writer.lines(item.write.graph, " .\n")
            catalog = catalog_lines(writer, item, moment, " .\n", first=False)
        except UnwritableTermError as e:
            failures[item.write.dataset_iri] = str(e)
            continue
        texts.append((item, data, catalog))
    return texts


def _writer() -> QuadWriter:
    """A writer refusing relative IRIs, which the engine would resolve against its own URL."""
    return QuadWriter(absolute_only=True)


def _problem(write: RecordWrite) -> str | None:
    """Why a record cannot be written at all, or None."""
    try:
        ox.NamedNode(write.dataset_iri)
        _writer().iri(write.dataset_iri)
    except ValueError as e:
        return f"not a usable dataset IRI: {e}"
    if len(write.graph) == 0:
        return "the record has no triples"
    return None


def _value(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    raise StoreError(f"unexpected value in the store: {term!r}")
