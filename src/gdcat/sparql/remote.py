"""Queries of the public endpoint answered by a remote store's engine.

The embedded store runs the endpoint's queries in worker processes over a snapshot; a remote
engine runs them itself. Each query is one request to the engine with the endpoint's time limit
as its deadline: past it the request is abandoned (the connection closed, so the engine may
stop: Oxigraph server stops a query whose client left, and ``oxigraph serve --timeout-s``
bounds it anyway) and the client is answered 503 as with the embedded store. The answer is
written in the client's format, within the row limit, by the same
:class:`~gdcat.sparql.execute.Runner` the workers use; gdcat reads no more of the engine's
answer than one row past the limit (the rest is left unread, the connection closed), so a huge
answer never sits in its memory.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from gdcat.errors import QueryError
from gdcat.sparql.execute import Outcome, QueryFailure, QueryJob, Runner, Setup
from gdcat.sparql.limits import TimeLimitError
from gdcat.store.remote import RemoteStore, StoreTimeoutError


class RemoteRunner:
    """Sends each query to the remote store's engine, ``size`` at a time."""

    def __init__(self, store: RemoteStore, setup: Setup, size: int) -> None:
        self._store = store
        self._runner = Runner(setup)
        self._executor = ThreadPoolExecutor(size, thread_name_prefix="gdcat-sparql-remote")

    def _run(self, job: QueryJob, timeout: float) -> Outcome:
        sparql = job.sparql if job.base_iri is None else f"BASE <{job.base_iri}>\n{job.sparql}"
        try:
            answer = self._store.answer(
                sparql,
                union_default_graph=job.union_default_graph,
                default_graphs=job.default_graphs,
                named_graphs=job.named_graphs,
                timeout=timeout,
                max_rows=job.max_rows,
            )
        except QueryError as e:
            return QueryFailure("evaluation", str(e))
        return self._runner.serialize(answer, job)

    async def run(self, job: QueryJob, *, generation: int, timeout: float) -> Outcome:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._run, job, timeout)
        try:
            # the request's own deadline is the limit; this one only backs it up
            return await asyncio.wait_for(future, timeout + 1.0)
        except TimeoutError:
            raise TimeLimitError(timeout) from None
        except StoreTimeoutError:
            raise TimeLimitError(timeout) from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
