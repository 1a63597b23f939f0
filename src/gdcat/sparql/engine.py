"""What the SPARQL endpoint calls: queries within the limits (their text's shape, each
client's budget, time, CPU time, memory, rows), on workers that can be stopped; updates on the
primary store; the ``SERVICE`` allow-list.

The engine knows nothing of HTTP: it raises gdcat errors (:class:`RowLimitError`, the errors of
:mod:`gdcat.sparql.limits`, :class:`NotAcceptableError`,
:class:`~gdcat.sparql.federation.ServiceNotAllowedError`, :class:`~gdcat.errors.QueryError`…)
and the endpoint turns them into answers.
"""

from __future__ import annotations

import asyncio
import math
import re

import pyoxigraph as ox

from gdcat.errors import GdcatError, QueryError, StoreError
from gdcat.settings import Settings
from gdcat.sparql.budget import ClientBudget, client_concurrency
from gdcat.sparql.execute import Form, QueryAnswer, QueryFailure, QueryJob, Setup
from gdcat.sparql.federation import ServiceAllowList, ServiceFailedError
from gdcat.sparql.limits import EngineFailureError, MemoryLimitError
from gdcat.sparql.pool import QueryRunner, Snapshots, ThreadRunner, WorkerPool
from gdcat.sparql.shape import ShapeLimits, check_shape
from gdcat.store import OxigraphStore, RemoteStore, Store
from gdcat.store.sparql_text import add_using, uses_keyword

_POSITION = re.compile(r"error at 1:(\d+)")
#: How Oxigraph's HTTP client words the failure of a remote SERVICE call (it reaches us as an
#: I/O error, like a failure of the store itself).
_REMOTE = re.compile(
    r"returned by https?://|connection (refused|reset|closed)|lookup address|"
    r"not allowed for HTTP|timed out|\btls\b|certificate",
    re.IGNORECASE,
)
#: Queries longer than this are measured in a thread, so that the event loop keeps serving.
_LONG_QUERY = 64 * 1024


class RowLimitError(GdcatError):
    """An answer holds more rows (or triples) than the endpoint serves."""

    def __init__(self, message: str, limit: int, form: Form | None) -> None:
        super().__init__(message)
        self.limit = limit
        self.form = form


class NotAcceptableError(GdcatError):
    """The client accepts no format the answer (of ``form``) can be written in."""

    def __init__(self, form: Form) -> None:
        super().__init__(f"no acceptable format for a {form} answer")
        self.form = form


class SparqlEngine:
    """Answers SPARQL for one store with the limits of ``settings``."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.allowlist = ServiceAllowList(settings.registry_file, settings.service_allowlist)
        self.shape = ShapeLimits(
            max_length=settings.sparql_max_query_length,
            max_nesting=settings.sparql_max_nesting,
            max_tokens=settings.sparql_max_query_tokens,
        )
        self.budget = ClientBudget(
            client_concurrency(settings), settings.sparql_client_queue, settings.sparql_timeout
        )
        self.runner = _runner(settings, store)

    async def query(self, job: QueryJob, client: str = "") -> QueryAnswer:
        """The answer to ``job`` for ``client`` (an address: whose budget it counts against);
        the shape of its text and its ``SERVICE`` endpoints are checked first."""
        if len(job.sparql) > _LONG_QUERY:
            await asyncio.to_thread(check_shape, job.sparql, self.shape)
        else:
            check_shape(job.sparql, self.shape)
        self.allowlist.check(job.sparql)
        async with self.budget.slot(client):
            outcome = await self.runner.run(
                job, generation=self.store.generation, timeout=self.settings.sparql_timeout
            )
        if isinstance(outcome, QueryAnswer):
            return outcome
        raise _failure(outcome, job, self.settings)

    async def update(
        self,
        sparql: str,
        *,
        base_iri: str,
        using: tuple[str, ...] = (),
        using_named: tuple[str, ...] = (),
    ) -> None:
        """Apply a SPARQL Update to the primary store (no time limit: administrators only)."""
        if uses_keyword(sparql, "LOAD"):
            raise QueryError(
                "LOAD is not accepted: gdcat does not fetch documents for an update; send the "
                "triples with INSERT DATA, or publish or harvest them"
            )
        self.allowlist.check(sparql)
        text = add_using(sparql, using, using_named)
        # Relative IRIs resolve against the endpoint, as the protocol suggests; on the first
        # line, so that error positions after line 1 stay true (and line 1's are corrected).
        prologue = f"BASE <{base_iri}> "
        try:
            await asyncio.to_thread(self.store.update, prologue + text)
        except QueryError as e:
            message = _POSITION.sub(
                lambda m: f"error at 1:{max(1, int(m.group(1)) - len(prologue))}", str(e)
            )
            raise QueryError(message) from e

    def close(self) -> None:
        self.runner.close()


def _runner(settings: Settings, store: Store) -> QueryRunner:
    from gdcat.store.datatypes import restorable_datatypes
    from gdcat.vocab import PREFIXES

    restore = {p: d.value for p, d in restorable_datatypes().items()}
    setup = Setup(
        restore=restore,
        prefixes=dict(PREFIXES),
        memory_limit=settings.sparql_worker_memory,
        cpu_limit=cpu_limit(settings),
    )
    if isinstance(store, RemoteStore):
        from gdcat.sparql.remote import RemoteRunner

        return RemoteRunner(store, setup, settings.sparql_workers)
    if isinstance(store, OxigraphStore) and store.path is not None:
        snapshots = Snapshots(store.checkpoint, store.path)
        return WorkerPool(setup, settings.sparql_workers, snapshots)
    return ThreadRunner(_native_store(store), setup, settings.sparql_workers)


def _native_store(store: Store) -> ox.Store:
    """The pyoxigraph store behind an :class:`~gdcat.store.OxigraphStore`."""
    opener = getattr(store, "native", None)
    native = opener() if callable(opener) else None
    if not isinstance(native, ox.Store):
        raise StoreError("the SPARQL endpoint serves the embedded Oxigraph store only")
    return native


def cpu_limit(settings: Settings) -> int:
    """CPU seconds a query may use: ``sparql_cpu_limit``, by default the time limit."""
    if settings.sparql_cpu_limit is not None:
        return settings.sparql_cpu_limit
    return max(1, math.ceil(settings.sparql_timeout))


def _failure(failure: QueryFailure, job: QueryJob, settings: Settings) -> GdcatError:
    if failure.reason == "rows":
        return RowLimitError(failure.message, job.max_rows, failure.form)
    if failure.reason == "not-acceptable":
        return NotAcceptableError(failure.form or "select")
    if failure.reason == "store":
        if uses_keyword(job.sparql, "SERVICE") and _REMOTE.search(failure.message):
            remote = failure.message.removeprefix("the store failed while answering: ")
            return ServiceFailedError(f"a SERVICE endpoint could not be queried: {remote}")
        # the worker's message names the snapshot's folder
        return StoreError(failure.message, public="the query could not read the store")
    if failure.reason == "memory":
        return MemoryLimitError(settings.sparql_worker_memory)
    if failure.reason == "engine":
        return EngineFailureError(failure.message)
    return QueryError(failure.message)
