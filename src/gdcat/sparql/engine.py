"""What the SPARQL endpoint calls: queries within the time and row limits, on workers that can
be stopped; updates on the primary store; the ``SERVICE`` allow-list.

The engine knows nothing of HTTP: it raises gdcat errors (:class:`RowLimitError`,
:class:`~gdcat.sparql.pool.TimeLimitError`, :class:`NotAcceptableError`,
:class:`~gdcat.sparql.federation.ServiceNotAllowedError`, :class:`~gdcat.errors.QueryError`…)
and the endpoint turns them into answers.
"""

from __future__ import annotations

import asyncio
import re

import pyoxigraph as ox

from gdcat.errors import GdcatError, QueryError, StoreError
from gdcat.settings import Settings
from gdcat.sparql.execute import Form, QueryAnswer, QueryFailure, QueryJob, Setup
from gdcat.sparql.federation import ServiceAllowList
from gdcat.sparql.pool import QueryRunner, Snapshots, ThreadRunner, WorkerPool
from gdcat.store import OxigraphStore, Store
from gdcat.store.sparql_text import add_using, uses_keyword

_POSITION = re.compile(r"error at 1:(\d+)")


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
        self.runner = _runner(settings, store)

    async def query(self, job: QueryJob) -> QueryAnswer:
        """The answer to ``job`` (its ``SERVICE`` endpoints checked first)."""
        self.allowlist.check(job.sparql)
        outcome = await self.runner.run(
            job, generation=self.store.generation, timeout=self.settings.sparql_timeout
        )
        if isinstance(outcome, QueryAnswer):
            return outcome
        raise _failure(outcome, job)

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
    setup = Setup(restore=restore, prefixes=dict(PREFIXES))
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


def _failure(failure: QueryFailure, job: QueryJob) -> GdcatError:
    if failure.reason == "rows":
        return RowLimitError(failure.message, job.max_rows, failure.form)
    if failure.reason == "not-acceptable":
        return NotAcceptableError(failure.form or "select")
    if failure.reason == "store":  # the worker's message names the snapshot's folder
        return StoreError(failure.message, public="the query could not read the store")
    return QueryError(failure.message)
