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
- **Round trips.** Each request costs a round trip the embedded store does not pay: a page of
  a record reads its catalogue record, its graph and what the page asks first of what it
  names in one ``SELECT`` (:meth:`RemoteStore.catalog_record_with_triples`, a ``UNION`` whose
  branches leave different variables unbound).

Flavours (``store_kind``) name the engine's endpoints and how it is asked for the union of its
graphs as default graph; ``auto`` asks the engine (:func:`detect_flavour`). ``oxigraph`` and
``virtuoso`` are supported; the others are described so that the next engines (Fuseki) are a
table row and their own tests.

**Virtuoso** (7.2, Debian's ``virtuoso-opensource``) differs in ways the ``virtuoso`` flavour
absorbs (the store suite runs on it: ``tests/store/``; docs/operator-guide.md, section
Virtuoso, tells the operator's side):

- writes go to ``/sparql-auth`` with HTTP digest authentication, by a user holding the
  ``SPARQL_UPDATE`` role and write permission on its graphs; its default graph is always the
  union of all graphs (``union_default_graph=False`` cannot be honoured: naming another
  default graph empties the named graphs too), so its own graphs (its RDF views' schema,
  :attr:`Flavour.system_graphs`) are made private by the operator, or every answer holds
  them (a warning says so: its ``define input:*-graph-exclude`` would hide them, but a
  query naming a graph then finds nothing);
- its ``INSERT DATA`` refuses blank nodes and misreads durations, so records are written by
  :func:`~gdcat.store.record_sparql.insert_operations`; its compiler gives up on a few
  thousand triples in one operation, so a request carries :attr:`Flavour.batch` records, with
  ``define sql:big-data-const 1`` (constants as data, not SQL text: fifty times faster);
- one request is **not** one transaction when an operation fails while running (the
  operations before it stay applied); an operation refused while compiling (a malformed
  literal) leaves the whole request unapplied. gdcat's record writes are constants and
  patterns that can only fail at compile time, and a killed engine loses the whole
  uncommitted request (``tests/harvest/test_store_killed_mid_harvest.py``);
- it keeps durations as numbers and integral decimals as integers: read back, they are
  restored (:mod:`gdcat.store.datatypes`); a duration mixing months and days it cannot keep
  (``P1Y1D`` would come back as ``P1Y``): such a record is refused, naming the value; a
  ``geo:wktLiteral`` it would turn into single-precision coordinates is written under a
  stand-in datatype and read back as written;
- its compiler cannot take ``EXISTS`` inside ``BIND``, finds a group holding only
  ``FILTER NOT EXISTS`` always true, and a group starting with an ``OPTIONAL`` that matches
  nothing empty: gdcat's own queries and updates are written around these;
- its TSV results do not tell IRIs from strings: solutions are read as SPARQL XML (blank
  nodes as Virtuoso names them, ``nodeID://…``, renamed; white space at a literal's ends
  written as character references first, which pyoxigraph's XML parser would strip);
- a result longer than its ``ResultSetMaxRows`` is cut without a word: gdcat reads that
  setting and refuses an answer that reaches it;
- a query past the deadline given in its ``timeout`` parameter stops with a partial answer
  marked ``X-SQL-State: S1TAT``: gdcat treats it as timed out, never as the answer; a query
  it refuses at once for its estimated cost is timed out too.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Literal, get_args
from urllib.parse import urlencode, urljoin

import httpx
import pyoxigraph as ox
from rdflib import Graph
from rdflib import Literal as RdfLiteral

from gdcat.errors import QueryError, StoreError
from gdcat.store.counts import CountLayout, write_recounted
from gdcat.store.datatypes import (
    DURATION_TYPES,
    duration_parts,
    graph_from_quads,
    restore_answer,
    restore_duration,
    restore_triples,
)
from gdcat.store.health import StoreHealth
from gdcat.store.quads import QuadWriter, UnwritableTermError
from gdcat.store.record_sparql import (
    PendingRecord,
    catalog_lines,
    catalog_record_from,
    insert_operations,
    list_records_query,
    live_record_ask,
    mark_seen_operation,
    now,
    record_hashes_query,
    record_sources_query,
    record_with_triples_query,
    replace_operations,
    withdraw_operations,
)
from gdcat.store.records import (
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
from gdcat.store.sharing import (
    CHANGE_RETENTION,
    PRUNE_EVERY,
    FollowResult,
    LeaseState,
    change_entry,
    changes_query,
    claims_query,
    lease_iri,
    log_marks_query,
    new_writer_id,
    prune_operation,
    release_lease_operation,
    renew_lease_operation,
    take_lease_operation,
)
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
#: the deadline of a read of every record of the catalogue (at least; seconds)
BULK_READ_TIMEOUT = 1800.0
#: How long a caller is told to wait before trying again after the engine failed (seconds).
_RETRY_AFTER = 2.0
_GENERATION = "https://w3id.org/gdcat/ns#storeGeneration"
_RESULTS_JSON = "application/sparql-results+json"
_RESULTS_TSV = "text/tab-separated-values"
_RESULTS_XML = "application/sparql-results+xml"
_N_TRIPLES = "application/n-triples"
#: How often taking a lease is tried when another process claimed it in the same instant.
_LEASE_ATTEMPTS = 5

#: How Oxigraph server and Virtuoso word a query they cannot parse (HTTP 400).
_SYNTAX = re.compile(r"^error at \d+:\d+|^Virtuoso 37000 Error SP030")
#: Virtuoso's words for a request it cannot compile or a value it cannot take (HTTP 500 for
#: some): the request's fault, not the engine's.
_VIRTUOSO_REFUSAL = re.compile(r"^Virtuoso (22|37|42|S0)\w* Error")
#: Virtuoso refusing a query whose estimated cost is past its MaxQueryCostEstimationTime.
_TOO_COSTLY = re.compile(r"^Virtuoso 42000 Error The estimated execution time")
#: White space at either end of a literal in SPARQL XML results (see _edge_spaces_kept).
_LITERAL_EDGES = re.compile(
    rb"(?P<tag><literal(?: [^>]*)?>)(?P<head>[ \t\r\n]+)|(?P<tail>[ \t\r\n]+)(?=</literal>)"
)
#: The query form of a query's code (comments, IRIs and strings blanked).
_QUERY_FORM = re.compile(r"(?<![\w?$:])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)

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
    #: how credentials are sent: ``basic`` or ``digest`` (Virtuoso's ``-auth`` endpoints)
    auth: str = "basic"
    #: the media type asked for solutions; TSV lets a capped answer be cut line by line
    solutions: str = _RESULTS_TSV
    #: what every update request starts with
    update_prologue: str = ""
    #: records written per update request
    batch: int = _BATCH
    #: records one ``mark_seen`` request names
    seen_batch: int = _SEEN_BATCH
    #: whether ``INSERT DATA`` may hold blank nodes and durations
    constant_blank_nodes: bool = True
    #: the engine's own graphs, which the operator makes private (a warning says so when
    #: they are readable)
    system_graphs: tuple[str, ...] = ()
    #: whether the default graph is always the union of the named graphs, every triple being
    #: in one (Virtuoso: ``union_default_graph=False`` cannot be honoured)
    default_is_union: bool = False
    #: what every query starts with
    query_prologue: str = ""
    #: the query parameter asking the engine to stop a query itself after N milliseconds
    timeout_param: str | None = None


FLAVOURS: dict[str, Flavour] = {
    # oxigraph serve: /query, /update, /store (SPARQL 1.1 Graph Store Protocol); one update
    # request is one transaction; ?union-default-graph asks for the union.
    "oxigraph": Flavour(
        "oxigraph", "query", "update", "store", (("union-default-graph", ""),), True
    ),
    # Virtuoso: /sparql for queries and (authenticated: /sparql-auth) updates, the Graph Store
    # Protocol at /sparql-graph-crud(-auth); its default graph is the union already.
    "virtuoso": Flavour(
        "virtuoso",
        "sparql",
        "sparql-auth",
        "sparql-graph-crud-auth",
        (),
        True,
        auth="digest",
        solutions=_RESULTS_XML,
        update_prologue="define sql:big-data-const 1\n",
        batch=10,
        seen_batch=200,
        constant_blank_nodes=False,
        system_graphs=(
            "http://www.openlinksw.com/schemas/virtrdf#",
            "http://www.w3.org/ns/ldp#",
            "http://localuriqaserver/sparql",
        ),
        timeout_param="timeout",
        default_is_union=True,
        # DESCRIBE as the embedded store answers it: a concise bounded description (one line,
        # so that the engine's line numbers in a syntax error are the query's own)
        query_prologue='define sql:describe-mode "CBD" ',
    ),
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
        self._sharing = _Sharing(base_iri)
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
                "(supported: oxigraph, virtuoso); set store_kind if it was detected wrongly"
            )
        self.flavour = flavour
        self._query_url = urljoin(self._url, flavour.query)
        self._update_url = urljoin(self._url, flavour.update)
        self._graph_url = urljoin(self._url, flavour.graph_store)
        if user and flavour.auth == "digest":
            self._client.auth = httpx.DigestAuth(user, password or "")
        #: the most rows the engine answers with, cutting the rest silently (Virtuoso)
        self._engine_max_rows: int | None = None
        #: what every query starts with
        self._prologue = flavour.query_prologue
        if flavour.name == "virtuoso":
            try:
                self._engine_max_rows = self._virtuoso_max_rows()
                self._warn_of_visible_system_graphs()
            except (StoreError, QueryError):
                self._client.close()
                raise

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
        # plus the writes of other processes this one has followed: two processes writing
        # at the same instant can leave the shared counter one short (see sharing.py)
        generation = (int(value.value) if isinstance(value, ox.Literal) else 0) + (
            self._sharing.followed
        )
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
            problem = _problem(write, self.flavour)
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
                size = self.flavour.batch
                for start in range(0, len(pending), size):
                    batch = pending[start : start + size]
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
                self._update(
                    self._replace_operations(texts, moment),
                    wrote=[item.write.dataset_iri for item, _, _ in texts],
                )
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
            wrote = [item.write.dataset_iri for item, _, _ in texts]
            self._update(self._replace_operations(texts, moment), wrote=wrote)
            return wrote
        except _Refused as e:
            if len(texts) == 1:
                failures[texts[0][0].write.dataset_iri] = str(e)
                return []
        written = []
        for text in texts:
            try:
                self._update(
                    self._replace_operations([text], moment),
                    wrote=[text[0].write.dataset_iri],
                )
                written.append(text[0].write.dataset_iri)
            except _Refused as e:
                failures[text[0].write.dataset_iri] = str(e)
        return written

    def _replace_operations(
        self, texts: list[tuple[PendingRecord, str, str]], moment: datetime
    ) -> list[str]:
        return replace_operations(
            self._provenance,
            texts,
            moment,
            self._counts,
            constant_blank_nodes=self.flavour.constant_blank_nodes,
        )

    def withdraw(self, dataset_iri: str) -> bool:
        record = self.record_iri(dataset_iri)
        with self._lock:
            if not self.query(live_record_ask(self._provenance, record)).boolean:
                return False
            try:
                self._update(
                    withdraw_operations(self._provenance, record, now(), self._counts),
                    withdrew=[dataset_iri],
                )
            except _Refused as e:
                raise StoreError(f"the store refused to withdraw {dataset_iri}: {e}") from e
            self._committed(withdrawn=[dataset_iri])
        return True

    def mark_seen(self, dataset_iris: Sequence[str], run_iri: str) -> None:
        run = _writer().iri(run_iri)
        with self._lock:
            size = self.flavour.seen_batch
            for start in range(0, len(dataset_iris), size):
                part = dataset_iris[start : start + size]
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
        if self.flavour.constant_blank_nodes:
            ops.append(f"INSERT DATA {{ GRAPH {name} {{\n{data}}} }}")
        else:
            ops.extend(insert_operations([(graph_iri, data)]))
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
                self._post_logged(
                    sparql + joiner + unmark + " ;\n" + self._bump() + " ;\n" + self._change_entry()
                )
            except _Refused as e:
                raise QueryError(f"the update could not be applied: {e}") from e
            self._committed()
            self._listeners.notify(everything=True)

    def _bump(self) -> str:
        """The counter set to 0 if missing, then incremented: two operations, as Virtuoso
        computes no ``COALESCE`` of an ``OPTIONAL`` in an update (and gives no error)."""
        state = self._state
        counter = f"GRAPH <{state}> {{ <{state}> <{_GENERATION}>"
        return (
            # VALUES first: Virtuoso finds a group holding only FILTER NOT EXISTS always true
            f"INSERT {{ {counter} 0 }} }} WHERE {{ VALUES ?state {{ <{state}> }} "
            f"FILTER NOT EXISTS {{ {counter} ?any }} }} }} ;\n"
            f"DELETE {{ {counter} ?old }} }}\n"
            f"INSERT {{ {counter} ?new }} }}\n"
            f"WHERE {{ {counter} ?old }} BIND(?old + 1 AS ?new) }}"
        )

    def _update(
        self, operations: list[str], *, wrote: Sequence[str] = (), withdrew: Sequence[str] = ()
    ) -> None:
        """Apply ``operations``, the generation's increment and the change log's entry
        (:mod:`gdcat.store.sharing`) as one request (one transaction)."""
        entry = self._change_entry(wrote, withdrew)
        self._post_logged(" ;\n".join([*operations, self._bump(), entry]))

    def _post_update(self, text: str) -> None:
        try:
            body = (self.flavour.update_prologue + text).encode("utf-8")
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
        if answer.status_code == 400 or _refused_by_virtuoso(answer):
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
        return self.catalog_record_at(self.record_iri(dataset_iri))

    def record_triples(self, record_iri: str) -> list[ox.Triple]:
        _writer().iri(record_iri)
        result = self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{record_iri}> {{ ?s ?p ?o }} }}",
            union_default_graph=False,
        )
        return list(result.triples)

    def catalog_record_at(self, record: str) -> CatalogRecord | None:
        _writer().iri(record)
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

    def catalog_record_with_triples(
        self, record_iri: str, along: ReadAlong | None = None
    ) -> RecordRead:
        # one request: a page's reads were a round trip each to the engine
        _writer().iri(record_iri)
        answer = self.answer(
            record_with_triples_query(self._provenance, record_iri, along),
            union_default_graph=False,
        )
        if not isinstance(answer, ox.QuerySolutions):
            raise StoreError(f"the store answered a SELECT with {type(answer).__name__}")
        rows = list(answer)
        self._refuse_cut(len(rows))
        found = False
        values: dict[str, str] = {}
        triples: list[ox.Triple] = []
        solutions: list[tuple[Term | None, ...]] = []
        for row in rows:
            s, p, o = row[0], row[1], row[2]
            if p is None:  # a solution of ``along``
                solutions.append(tuple(restore_duration(term) for term in tuple(row)[3:]))
            elif s is None and isinstance(p, ox.NamedNode):  # the catalogue record
                found = True
                o = restore_duration(o)
                if isinstance(o, ox.NamedNode | ox.Literal):
                    values[p.value] = o.value
            elif isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode):
                assert o is not None  # bound with ?s and ?p
                triples.append(ox.Triple(s, p, o))
        if not found:
            return RecordRead(None, [])
        record = catalog_record_from(record_iri, values)
        if record.withdrawn:
            return RecordRead(record, [])
        # as :meth:`record_triples` reads them: datatypes restored, each triple once
        return RecordRead(record, list(dict.fromkeys(restore_triples(triples))), tuple(solutions))

    def list_records(self) -> list[str]:
        result = self.query(list_records_query(self._provenance), union_default_graph=False)
        return [_value(row[0]) for row in result.rows]

    def record_hashes(self) -> dict[str, str]:
        # every record of the catalogue: over a minute at a million records, past the
        # deadline of one request (the search index reads it at start)
        result = self.query(
            record_hashes_query(self._provenance),
            union_default_graph=False,
            timeout=max(self._timeout, BULK_READ_TIMEOUT),
        )
        return {_value(row[0]): _value(row[1]) for row in result.rows}

    def record_sources(self, node: str | None = None) -> dict[str, RecordSource]:
        result = self.query(record_sources_query(self._provenance, node), union_default_graph=False)
        return {
            _value(row[0]): RecordSource(*(_value(t) if t is not None else "" for t in row[1:]))
            for row in result.rows
        }

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        max_rows: int | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """See :meth:`Store.query`; ``timeout`` replaces the store's deadline for this query."""
        if uses_service(sparql):
            raise QueryError("federated queries (SERVICE) are not allowed")
        answer = self.answer(
            sparql, union_default_graph=union_default_graph, max_rows=max_rows, timeout=timeout
        )
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        if isinstance(answer, list):
            truncated = max_rows is not None and len(answer) > max_rows
            triples = answer[:max_rows] if max_rows is not None else answer
            unique = tuple(dict.fromkeys(restore_triples(triples)))
            return QueryResult("graph", triples=unique, truncated=truncated)
        variables = tuple(v.value for v in answer.variables)
        rows: list[tuple[Term | None, ...]] = [
            tuple(restore_duration(term) for term in solution) for solution in answer
        ]
        if max_rows is None or max_rows >= (self._engine_max_rows or 0):
            self._refuse_cut(len(rows))
        truncated = max_rows is not None and len(rows) > max_rows
        if max_rows is not None:
            rows = rows[:max_rows]
        return QueryResult("select", variables=variables, rows=tuple(rows), truncated=truncated)

    def _refuse_cut(self, rows: int) -> None:
        """Fail when an answer of ``rows`` solutions reached the engine's ``ResultSetMaxRows``
        (Virtuoso cuts an answer there without a word)."""
        cap = self._engine_max_rows
        if cap is not None and rows >= cap:
            raise StoreError(
                f"the store at {self._url} answered with {cap} rows, its ResultSetMaxRows: "
                "the answer may have been cut; raise ResultSetMaxRows in virtuoso.ini"
            )

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
        if default_graphs is None and named_graphs is None:
            sparql = self._prologue + sparql
        deadline = self._timeout if timeout is None else timeout
        if self.flavour.timeout_param is not None:
            params.append((self.flavour.timeout_param, str(max(1, round(deadline * 1000)))))
        # A form (the protocol's query via POST, URL-encoded): every engine takes it, where
        # Virtuoso 7 never answers a POST of application/sparql-query.
        form = urlencode({"query": sparql}).encode("ascii")
        answer = self._send(
            "POST",
            self._query_url,
            "answering a query",
            params=params,
            content=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": self._accept(sparql),
            },
            timeout=timeout,
            # TSV: the header line, then a line a solution; N-Triples: a line a triple
            max_lines=None if max_rows is None else max_rows + 2,
        )
        if answer.headers.get("x-sql-state") == "S1TAT":  # Virtuoso's partial answer
            raise StoreTimeoutError(
                f"the store at {self._url} stopped a query at its deadline of {deadline:g} s",
                public="the store did not answer in time while answering a query",
                retry_after=_RETRY_AFTER,
            )
        if answer.status_code == 500 and _TOO_COSTLY.match(answer.text):
            # Virtuoso refusing at once a query it estimates past MaxQueryCostEstimationTime:
            # past the deadline as surely as if it had run
            raise StoreTimeoutError(
                f"the store at {self._url} refused a query it estimates would run past its "
                f"limit: {_reason(answer)}",
                public="the store estimates the query would run past its time limit",
            )
        if answer.status_code == 400 or _refused_by_virtuoso(answer):
            reason = _reason(answer)
            if _SYNTAX.match(reason):
                raise QueryError(f"SPARQL syntax error: {reason}")
            raise QueryError(f"the query could not be evaluated: {reason}")
        self._check(answer, "answering a query")
        media = answer.headers.get("content-type", "").split(";")[0].strip()
        content = answer.content
        if self.flavour.name == "virtuoso":
            content = restore_answer(content)
        try:
            if media == _RESULTS_TSV:
                return ox.parse_query_results(content, format=ox.QueryResultsFormat.TSV)
            if media == _RESULTS_XML:
                # Virtuoso names blank nodes nodeID://b1 (no blank node label)
                content = content.replace(b"<bnode>nodeID://", b"<bnode>")
                content = _edge_spaces_kept(content)
                return ox.parse_query_results(content, format=ox.QueryResultsFormat.XML)
            if media == _RESULTS_JSON:
                return ox.parse_query_results(content, format=ox.QueryResultsFormat.JSON)
            if media == _N_TRIPLES:
                triples = [
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(content, format=ox.RdfFormat.N_TRIPLES)
                ]
                return triples if max_rows is None else triples[: max_rows + 1]
        except SyntaxError as e:
            raise StoreError(f"the store sent a malformed answer ({media}): {e}") from e
        raise StoreError(f"the store answered a query with {media or 'no media type'}")

    def _accept(self, sparql: str) -> str:
        """The media types asked for the answer to ``sparql``."""
        solutions = self.flavour.solutions
        if solutions == _RESULTS_TSV:
            return f"{_RESULTS_TSV}, {_N_TRIPLES};q=0.9, {_RESULTS_JSON};q=0.8"
        # an engine answering a SELECT in N-Triples when it may (Virtuoso) is asked for
        # one of the two, by the query's form
        form = _QUERY_FORM.search(code_of(sparql))
        graph = form is not None and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE")
        return _N_TRIPLES if graph else solutions

    def _warn_of_visible_system_graphs(self) -> None:
        """Log a warning when the engine's own graphs (Virtuoso's RDF views schema…) are
        readable by anyone: they would be part of every answer of the public endpoint."""
        graphs = " ".join(f"<{g}>" for g in self.flavour.system_graphs)
        if self.query(f"ASK {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}").boolean:
            _log.warning(
                "the store at %s lets anyone read its own graphs (%s): they are part of every "
                "answer; make them private (docs/operator-guide.md, section Virtuoso)",
                self._url,
                ", ".join(self.flavour.system_graphs),
            )

    def _virtuoso_max_rows(self) -> int | None:
        """Virtuoso's ``ResultSetMaxRows`` (None when it does not say)."""
        try:
            result = self.query(
                "SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', "
                "'ResultSetMaxRows') AS ?rows) WHERE {}"
            )
        except QueryError as e:
            _log.info("the store at %s does not say its ResultSetMaxRows: %s", self._url, e)
            return None
        value = result.rows[0][0] if result.rows else None
        if isinstance(value, ox.Literal) and value.value.strip().isdigit():
            return int(value.value) or None
        return None

    def serialize(self, result: QueryResult, fmt: str) -> str:
        return serialize_result(result, fmt)

    def count_triples(self) -> int:
        if self.flavour.default_is_union:
            everything = "GRAPH ?g { ?s ?p ?o }"
        else:
            everything = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
        result = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {everything} }}", union_default_graph=False
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

    # -- several processes: the change log and leases (see gdcat.store.sharing) ------------

    def _change_entry(self, wrote: Sequence[str] = (), withdrew: Sequence[str] = ()) -> str:
        """The change log's entry for the write about to be sent (under ``self._lock``)."""
        sharing = self._sharing
        writer, sequence = sharing.next_entry()
        operation = change_entry(
            sharing.changes,
            f"{self._base}change/{writer}/{sequence}",
            writer,
            sequence,
            now(),
            [_writer().iri(d) for d in wrote],
            [_writer().iri(d) for d in withdrew],
        )
        moment = now()
        if sharing.pruned is None or moment - sharing.pruned >= PRUNE_EVERY:
            sharing.pruned = moment
            operation += " ;\n" + prune_operation(sharing.changes, moment - CHANGE_RETENTION)
        return operation

    def _post_logged(self, text: str) -> None:
        """:meth:`_post_update` of a write carrying a change log entry: when its outcome is
        unknown (the engine failed or did not answer), the writer takes a new id, so that a
        late commit of it is still above what followers read of the old one."""
        try:
            self._post_update(text)
        except StoreError:
            self._sharing.rotate()
            raise

    def follow(self) -> FollowResult:
        """Read the change log for the writes of other processes since the last call and
        tell this store's listeners which records they wrote or withdrew (the first call only
        notes where the log stands). See :mod:`gdcat.store.sharing`."""
        sharing = self._sharing
        with sharing.following:
            moment = now()
            complete = sharing.read_at is None or moment - sharing.read_at < CHANGE_RETENTION / 2
            first = sharing.read_at is None
            if first:
                sharing.seen = self._log_marks()
                sharing.read_at = sharing.forgot_at = moment
                return FollowResult(0)
            if sharing.forgot_at is None or moment - sharing.forgot_at >= PRUNE_EVERY:
                # writers whose every entry was pruned are forgotten (each process, each
                # ``gdcat harvest`` is a writer: the query would grow without end); an entry
                # such a writer adds later is read as a new writer's, whole
                marks = self._log_marks()
                sharing.seen = {w: n for w, n in sharing.seen.items() if w in marks}
                sharing.forgot_at = moment
            result = self.query(
                changes_query(sharing.changes, dict(sharing.seen)), union_default_graph=False
            )
            wrote: set[str] = set()
            withdrew: set[str] = set()
            entries: set[tuple[str, int]] = set()
            for writer_term, sequence_term, kind, dataset in result.rows:
                writer = _value(writer_term)
                sequence = int(_value(sequence_term))
                if sequence > sharing.seen.get(writer, 0):
                    sharing.seen[writer] = sequence
                if writer in sharing.own:
                    continue  # our own writes were told at once
                entries.add((writer, sequence))
                if dataset is not None and kind is not None:
                    (wrote if _value(kind) == "1" else withdrew).add(_value(dataset))
            sharing.read_at = moment
        if entries:
            sharing.followed += 1  # readers caching by generation read again
            wrote -= withdrew
            self._listeners.notify(sorted(wrote), sorted(withdrew))
        if not complete:
            self._listeners.notify(everything=True)
        return FollowResult(len(wrote) + len(withdrew), complete)

    def _log_marks(self) -> dict[str, int]:
        """Writer -> the highest sequence of its entries in the change log."""
        marks = self.query(log_marks_query(self._sharing.changes), union_default_graph=False)
        return {_value(w): int(_value(n)) for w, n in marks.rows if w is not None}

    def acquire_lease(self, name: str, owner: str, seconds: float) -> LeaseState:
        """Take the lease ``name`` for ``owner`` for ``seconds`` unless another owner holds it
        (see :mod:`gdcat.store.sharing`); taking it again renews it."""
        leases = self._sharing.leases
        lease = lease_iri(self._base, name)
        for attempt in range(_LEASE_ATTEMPTS):
            moment = now()
            expires = moment + timedelta(seconds=seconds)
            self._post_lease(take_lease_operation(leases, lease, owner, moment, expires))
            claims = self._claims(lease)
            others = [(who, until) for who, until in claims if who != owner]
            if owner in {who for who, _ in claims} and not others:
                return LeaseState(name, True, owner, expires)
            live = [(who, until) for who, until in others if until is None or until > moment]
            if owner in {who for who, _ in claims}:
                # another process claimed it in the same instant: both step back, then retry
                self._post_lease(release_lease_operation(leases, lease, owner))
                time.sleep(random.uniform(0.02, 0.2) * (attempt + 1))
                continue
            if live:
                who, until = live[0]
                return LeaseState(name, False, who, until)
        who, until = others[0] if others else ("another process", None)
        return LeaseState(name, False, who, until)

    def renew_lease(self, name: str, owner: str, seconds: float) -> bool:
        """Move the expiry of ``owner``'s lease ``name``; False when it holds it no more."""
        lease = lease_iri(self._base, name)
        expires = now() + timedelta(seconds=seconds)
        self._post_lease(renew_lease_operation(self._sharing.leases, lease, owner, expires))
        claims = self._claims(lease)
        return [who for who, _ in claims] == [owner]

    def release_lease(self, name: str, owner: str) -> None:
        """Give the lease ``name`` up (nothing happens if ``owner`` does not hold it)."""
        lease = lease_iri(self._base, name)
        self._post_lease(release_lease_operation(self._sharing.leases, lease, owner))

    def _post_lease(self, operation: str) -> None:
        try:
            self._post_update(operation)
        except _Refused as e:
            raise StoreError(f"the store refused a lease update: {e}") from e

    def rebuild_counts(self) -> int:
        layout = self._counts
        with self._lock:
            self._update(
                [f"DROP SILENT GRAPH <{layout.totals}>", f"DROP SILENT GRAPH <{layout.records}>"]
            )
            # every update of this process moves the shared generation by one: any other
            # move is another process's write, whose share may be missing or counted twice
            expected = self.generation
            inserts = 0

            def insert(operation: str) -> None:
                nonlocal inserts
                self._update([operation])
                inserts += 1

            counted, totals = write_recounted(self, layout, insert)
            if self.generation != expected + inserts:
                raise StoreError(
                    "the store was written while its counts were rebuilt: they stay incomplete "
                    "(the inventory counts the records themselves); rebuild them again when "
                    "nothing writes"
                )
            self._update([totals])
            self._committed()
        return counted

    def _claims(self, lease: str) -> list[tuple[str, datetime | None]]:
        result = self.query(claims_query(self._sharing.leases, lease), union_default_graph=False)
        claims: list[tuple[str, datetime | None]] = []
        for owner, expires in result.rows:
            until = datetime.fromisoformat(_value(expires)) if expires is not None else None
            claims.append((_value(owner), until))
        return claims


class _Sharing:
    """A remote store object's part in sharing the store (see :mod:`gdcat.store.sharing`):
    its writer id and sequence, what it has read of the change log."""

    def __init__(self, base_iri: str) -> None:
        self.changes = f"{base_iri}graph/changes"
        self.leases = f"{base_iri}graph/leases"
        self.writer = new_writer_id()
        #: this object's writer ids (a new one after a write of unknown outcome)
        self.own = {self.writer}
        self.sequence = 0
        self.pruned: datetime | None = None
        #: writer -> highest sequence read of the change log
        self.seen: dict[str, int] = {}
        self.read_at: datetime | None = None
        #: when writers gone from the change log were last forgotten
        self.forgot_at: datetime | None = None
        #: how many reads of the log found other processes' writes
        self.followed = 0
        self.following = threading.Lock()

    def next_entry(self) -> tuple[str, int]:
        self.sequence += 1
        return self.writer, self.sequence

    def rotate(self) -> None:
        self.writer = new_writer_id()
        self.own.add(self.writer)
        self.sequence = 0


def _first_lines(answer: httpx.Response, max_lines: int) -> httpx.Response:
    """A copy of the streamed ``answer`` holding its first ``max_lines`` lines at most (for
    SPARQL XML: its first ``max_lines - 1`` solutions, closed)."""
    xml = answer.headers.get("content-type", "").startswith(_RESULTS_XML)
    mark = b"</result>" if xml else b"\n"  # in XML, text holds no raw '<'
    wanted = max_lines - 1 if xml else max_lines
    parts: list[bytes] = []
    seen = 0
    for chunk in answer.iter_bytes():
        parts.append(chunk)
        seen += chunk.count(mark)  # a mark split across chunks is found in the join below
        if seen >= wanted:
            break
    body = b"".join(parts)
    if xml:
        found, end = 0, 0
        while found < wanted:
            at = body.find(mark, end)
            if at < 0:
                break
            found, end = found + 1, at + len(mark)
        if found >= wanted:
            body = body[:end] + b"\n</results>\n</sparql>\n"
    elif seen >= wanted:
        body = b"".join(body.splitlines(keepends=True)[:max_lines])
    # decoded already (iter_bytes undoes any content coding): only the media type is kept
    kept = {
        name: answer.headers[name]
        for name in ("content-type", "x-sql-state")
        if name in answer.headers
    }
    return httpx.Response(answer.status_code, headers=kept, content=body)


def _edge_spaces_kept(content: bytes) -> bytes:
    """SPARQL XML results with the white space that begins or ends a literal written as
    character references: pyoxigraph's parser strips it from the text, not from references
    (``" a "`` would come back as ``"a"``). In XML results, text holds no raw ``<``."""

    def kept(found: re.Match[bytes]) -> bytes:
        tag, spaces = found["tag"] or b"", found["head"] or found["tail"]
        return tag + b"".join(b"&#%d;" % c for c in spaces)

    return _LITERAL_EDGES.sub(kept, content)


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
    # Virtuoso repeats the whole request after its message: the message is enough
    text = text.split(" SPARQL query:", 1)[0].strip()
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


def _problem(write: RecordWrite, flavour: Flavour) -> str | None:
    """Why a record cannot be written at all, or None."""
    try:
        ox.NamedNode(write.dataset_iri)
        _writer().iri(write.dataset_iri)
    except ValueError as e:
        return f"not a usable dataset IRI: {e}"
    if len(write.graph) == 0:
        return "the record has no triples"
    if not flavour.constant_blank_nodes:  # Virtuoso 7: a duration is months or seconds
        for value in write.graph.objects():
            if isinstance(value, RdfLiteral) and str(value.datatype) in DURATION_TYPES:
                parts = duration_parts(str(value))
                if parts is not None and parts[0] and parts[1]:
                    return (
                        f"the store ({flavour.name}) cannot keep a duration mixing months "
                        f"and days or hours ({value}): it would keep the months only"
                    )
    return None


def _refused_by_virtuoso(answer: httpx.Response) -> bool:
    """Whether ``answer`` is Virtuoso refusing the request itself (a malformed value, a
    request it cannot compile), which it answers with 500 as often as with 400."""
    return answer.status_code == 500 and bool(_VIRTUOSO_REFUSAL.match(answer.text))


def _value(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    raise StoreError(f"unexpected value in the store: {term!r}")
