"""``GET /health`` (and ``HEAD``): can this gdcat read and write its store, is the search index
in step, how many SPARQL workers run.

The answer is made now, not remembered: the store is read (an ``ASK``) and written (a write
that changes nothing, reused for a second), and a store that failed tries to recover first
(:meth:`gdcat.store.OxigraphStore.health`), so a load balancer polling ``/health`` sees the
store writable again as soon as the disk has room. **200** when the store can be read and
written (``status`` ``ok``, or ``degraded`` when the search index misses changes), **503**
(with ``Retry-After``) when it cannot. Nothing in it names a server path.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gdcat.api.context import AppContext
from gdcat.api.following import StoreFollower
from gdcat.errors import GdcatError
from gdcat.sparql.pool import WorkerPool
from gdcat.store import StoreHealth

_log = logging.getLogger(__name__)

PATH = "/health"


class StoreStatus(BaseModel):
    """The store, probed now."""

    readable: bool = Field(description="A read of the store succeeded just now.")
    writable: bool = Field(
        description="No write failure is pending and a write that changes nothing succeeded "
        "just now (while a long write holds the store: the last write succeeded)."
    )
    mode: Literal["read-write", "read-only", "closed", "memory", "remote"] = Field(
        description="How the store is open: read-only while re-opening it for writing fails "
        "(reads go on), closed if it could not be opened at all, memory for a store that is "
        "not on disk, remote for a SPARQL engine reached over HTTP."
    )
    failure: str | None = Field(
        None, description="Why the store cannot be written (no file paths), while it cannot."
    )
    failing_since: datetime | None = Field(None, description="When that failure happened.")
    retry_in: float | None = Field(
        None, description="Seconds until the store tries to re-open itself again."
    )
    last_write: datetime | None = Field(None, description="When the last write was made.")
    last_write_ok: bool | None = Field(None, description="Whether the last write succeeded.")
    reopened: int = Field(
        description="How often the store was re-opened to recover from a failure since start."
    )
    generation: int = Field(description="Writes committed since the server started.")


class IndexStatus(BaseModel):
    """The search index."""

    enabled: bool = Field(description="Search is on.")
    documents: int | None = Field(None, description="Records the index holds.")
    stale: bool = Field(
        False,
        description="Some changes of the store are not in the index yet (they are indexed "
        "again with the next change or health check, or by a rebuild).",
    )
    unindexed: int = Field(0, description="Records whose changes wait to be indexed.")
    rebuilding: bool = Field(False, description="A rebuild is running.")
    ready: bool = Field(
        True,
        description="The index can answer; false while the first build after the server "
        "started runs (search answers 503 with Retry-After meanwhile).",
    )
    indexed: int | None = Field(
        None, description="Records indexed so far by the build that is running, if one is."
    )
    to_index: int | None = Field(
        None, description="Records the build that is running indexes in all, if one is."
    )
    failure: str | None = Field(
        None, description="Why the index could not be opened or built at start, if so."
    )


class FollowStatus(BaseModel):
    """Following the writes of other processes (a store several processes use)."""

    interval: float = Field(description="Seconds between two reads of the store's changes.")
    last_read: datetime | None = Field(
        None, description="When the store's changes were last read successfully."
    )
    failure: str | None = Field(None, description="Why the last read failed, if it did.")


class SparqlStatus(BaseModel):
    """The processes (or threads) answering ``/sparql``."""

    kind: Literal["processes", "threads", "off"] = Field(
        description="Worker processes (an on-disk store) or threads (an in-memory one)."
    )
    workers: int = Field(description="Workers configured (GDCAT_SPARQL_WORKERS).")
    running: int | None = Field(
        None, description="Worker processes alive now (they start with the first query)."
    )
    busy: int | None = Field(None, description="Workers answering a query now.")


class Health(BaseModel):
    """Whether this gdcat can serve: 200 when the store can be read and written, else 503."""

    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="ok: all is well; degraded: the store is fine but the search index misses "
        "changes; unavailable: the store cannot be read or written (the answer is a 503)."
    )
    store: StoreStatus
    index: IndexStatus
    sparql: SparqlStatus
    following: FollowStatus | None = Field(
        None,
        description="How this process follows the writes of other processes (null: the "
        "store is opened by this process only).",
    )


_EXAMPLE: dict[str, Any] = {
    "status": "ok",
    "store": {
        "readable": True,
        "writable": True,
        "mode": "read-write",
        "failure": None,
        "failing_since": None,
        "retry_in": None,
        "last_write": "2026-01-31T12:00:00.123000Z",
        "last_write_ok": True,
        "reopened": 0,
        "generation": 12,
    },
    "index": {"enabled": True, "documents": 400, "stale": False, "unindexed": 0},
    "sparql": {"kind": "processes", "workers": 2, "running": 2, "busy": 0},
}
_UNAVAILABLE: dict[str, Any] = {
    "status": "unavailable",
    "store": {
        "readable": True,
        "writable": False,
        "mode": "read-write",
        "failure": "the server's disk is full",
        "failing_since": "2026-01-31T12:00:00.123000Z",
        "retry_in": 0.0,
        "last_write": "2026-01-31T12:00:00.123000Z",
        "last_write_ok": False,
        "reopened": 0,
        "generation": 12,
    },
    "index": {"enabled": True, "documents": 400, "stale": False, "unindexed": 0},
    "sparql": {"kind": "processes", "workers": 2, "running": 2, "busy": 0},
}


def check_health(ctx: AppContext) -> Health:
    """Probe the store (recovering it if it failed and can), the index and the workers."""
    store = _store_status(ctx.store.health())
    index = _index_status(ctx, catch_up=store.writable)
    if not (store.readable and store.writable):
        status: Literal["ok", "degraded", "unavailable"] = "unavailable"
    elif index.stale or not index.ready:
        status = "degraded"
    else:
        status = "ok"
    return Health(
        status=status,
        store=store,
        index=index,
        sparql=_sparql_status(ctx),
        following=_follow_status(ctx),
    )


def _follow_status(ctx: AppContext) -> FollowStatus | None:
    follower = ctx.extras.get("follower")
    if not isinstance(follower, StoreFollower):
        return None
    return FollowStatus(
        interval=ctx.settings.follow_interval,
        last_read=follower.last_read,
        failure=follower.failure,
    )


def _store_status(health: StoreHealth) -> StoreStatus:
    return StoreStatus(
        readable=health.readable,
        writable=health.writable,
        mode=health.mode,
        failure=health.failure,
        failing_since=health.failing_since,
        retry_in=health.retry_in,
        last_write=health.last_write,
        last_write_ok=health.last_write_ok,
        reopened=health.reopened,
        generation=health.generation,
    )


def _index_status(ctx: AppContext, *, catch_up: bool) -> IndexStatus:
    index = ctx.index
    if index is None:
        return IndexStatus(enabled=False)
    try:
        if catch_up and index.stale and index.ready:
            index.catch_up()
        state = index.health()
    except (GdcatError, OSError, ValueError) as e:
        _log.error("the search index cannot be read: %s", e)
        return IndexStatus(enabled=True, stale=True)
    if not state.ready:
        return IndexStatus(
            enabled=True,
            ready=False,
            rebuilding=state.rebuilding,
            indexed=state.progress[0] if state.progress else None,
            to_index=state.progress[1] if state.progress else None,
            failure=state.failure,
        )
    return IndexStatus(
        enabled=True,
        documents=state.documents,
        stale=state.stale,
        unindexed=state.unindexed,
        rebuilding=state.rebuilding,
        ready=state.ready,
        indexed=state.progress[0] if state.progress else None,
        to_index=state.progress[1] if state.progress else None,
        failure=state.failure,
    )


def _sparql_status(ctx: AppContext) -> SparqlStatus:
    engine = ctx.extras.get("sparql")
    workers = ctx.settings.sparql_workers
    runner = getattr(engine, "runner", None)
    if runner is None:
        return SparqlStatus(kind="off", workers=0)
    if isinstance(runner, WorkerPool):
        return SparqlStatus(
            kind="processes", workers=workers, running=len(runner.pids()), busy=runner.busy()
        )
    return SparqlStatus(kind="threads", workers=workers)


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add ``/health`` to ``app``."""

    @app.get(
        PATH,
        tags=["health"],
        summary="Whether this gdcat can read and write its store",
        response_model=Health,
        responses={
            200: {"content": {"application/json": {"example": _EXAMPLE}}},
            503: {
                "model": Health,
                "description": "The store cannot be read or written now (Retry-After says "
                "when to ask again)",
                "content": {"application/json": {"example": _UNAVAILABLE}},
            },
        },
    )
    def health() -> JSONResponse:
        """Probes the store now (a read, and a write that changes nothing) and reports the
        search index and the SPARQL workers. **200** when the store can be read and written
        (``status`` is ``ok``, or ``degraded`` when the search index misses changes or is being
        built: ``index`` shows the build's progress), **503**
        with ``Retry-After`` when it cannot. ``HEAD`` answers the same status without a
        body. A store that failed (disk full) re-opens itself once it can: polling this
        route shows when."""
        report = check_health(ctx)
        headers = {"Cache-Control": "no-store"}
        status = 200
        if report.status == "unavailable":
            status = 503
            wait = report.store.retry_in or 1.0
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return JSONResponse(report.model_dump(mode="json"), status, headers)
