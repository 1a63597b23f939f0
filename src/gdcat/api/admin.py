"""Nodes, harvest runs and their reports, the change feed, self-registration, and starting a
harvest.

| route | who | what |
|---|---|---|
| ``GET /api/nodes``, ``/api/nodes/{id}`` | anyone | nodes, last harvest, record counts |
| ``GET /api/harvest/runs``, ``/{id}`` | anyone | runs newest first; one run's full report |
| ``GET /api/changes`` | anyone | records created, updated, withdrawn, oldest first |
| ``POST /api/registrations`` | anyone | a FAIR Data Point announces itself (202, 429) |
| ``POST /api/harvest`` | admin | harvest in the background, one at a time (202, 409) |
| ``GET /api/harvest/jobs/{id}`` | anyone | a started harvest: running, done or failed |
| ``POST /api/index/rebuild`` | admin | rebuild the search index from the store (409) |
| ``POST /api/counts/rebuild`` | admin | count every record's share of the counts again |
| ``GET /api/harvest/jobs/{id}/report`` | anyone | a started harvest with its full report |
| ``POST /api/records`` | admin | write records the operator validated (``gdcat load``) |
| ``DELETE /api/records?iri=`` | admin | withdraw a record (``gdcat withdraw``; 404) |

Only HTTP lives here: the routes, the state of harvests started over the API, and the mapping
of what the harvest knows onto the answers. Runs, reports, each node's last harvest and record
counts are read by :mod:`gdcat.harvest.runs`, the change feed by :mod:`gdcat.harvest.feed`;
the answers' models (and their OpenAPI examples) are in :mod:`gdcat.api.admin_models`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Path, Query, Request, Response
from pydantic import StringConstraints
from starlette.concurrency import run_in_threadpool

from gdcat.api.admin_models import (
    ChangeModel,
    ChangePage,
    CountsRebuildModel,
    FailureModel,
    HarvestJobModel,
    HarvestReportModel,
    IndexRebuildModel,
    LastHarvest,
    NodeList,
    NodeRun,
    NodeSummary,
    ReasonModel,
    RecordsWritten,
    RecordUpload,
    RecordUploads,
    RegistrationInfo,
    RegistrationModel,
    RegistrationRequest,
    RejectionModel,
    RunPage,
    RunReportModel,
    RunSummary,
)
from gdcat.api.clients import client_of
from gdcat.api.context import AppContext, get_context
from gdcat.api.problems import Problem, problem_response
from gdcat.api.publish import NODE_PATTERN, admin, problem_responses
from gdcat.api.ratelimit import RateLimiter, retry_after
from gdcat.errors import GdcatError, InputError
from gdcat.harvest import Harvester, NodeConfig, load_registry, select_nodes
from gdcat.harvest.feed import changes as read_changes
from gdcat.harvest.nodes import node_overviews
from gdcat.harvest.registration import (
    Registration,
    RegistrationQueueFullError,
    record_outcomes,
    register,
    registered_nodes,
)
from gdcat.harvest.runs import (
    LastNodeRun,
    StoredNodeRun,
    StoredRun,
    read_run,
    read_runs,
    run_id,
)
from gdcat.harvest.state import due_nodes
from gdcat.publish import Caller
from gdcat.rdf.parse import parse_bytes
from gdcat.search.index import RebuildRunningError
from gdcat.store import RecordMeta, RecordWrite, RecordWriteError
from gdcat.store.inventory import read_counts

_log = logging.getLogger(__name__)

_EXTRA_KEY = "admin"
RUN_ID = r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$"
_JOB_ID = r"^[0-9a-f]{12}$"
#: Largest offset a page may start at.
MAX_OFFSET = 1_000_000_000
#: Harvest jobs remembered for ``GET /api/harvest/jobs/{id}`` (the runs themselves are kept).
_JOBS_KEPT = 50
#: Seconds a registration refused because the queue is full is told to wait (the queue empties
#: at the next harvest, which this server cannot foresee).
QUEUE_FULL_RETRY_AFTER = 3600

# -- harvests started over the API ------------------------------------------------------------


@dataclass
class HarvestJob:
    id: str
    nodes: list[str]
    started: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    status: Literal["running", "done", "failed"] = "running"
    ended: datetime | None = None
    run: str | None = None
    run_status: Literal["complete", "partial", "failed"] | None = None
    error: str | None = None
    dry_run: bool = False
    #: the run's report as ``RunReport.to_json`` writes it, once done
    report: dict[str, Any] | None = None


class HarvestBusyError(GdcatError):
    """A harvest is running already."""

    def __init__(self, job: HarvestJob) -> None:
        super().__init__(f"the harvest {job.id} is running; one harvest runs at a time")
        self.job = job


class HarvestJobs:
    """Harvests in a background thread, one at a time; remembers the last few."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._jobs: dict[str, HarvestJob] = {}
        self._thread: threading.Thread | None = None

    def start(
        self,
        nodes: Sequence[NodeConfig],
        *,
        dry_run: bool = False,
        allow_shrink: Sequence[str] = (),
        due_at: datetime | None = None,
    ) -> HarvestJob:
        with self._lock:
            running = next((j for j in self._jobs.values() if j.status == "running"), None)
            if running is not None:
                raise HarvestBusyError(running)
            job = HarvestJob(uuid.uuid4().hex[:12], [n.id for n in nodes], dry_run=dry_run)
            self._jobs[job.id] = job
            while len(self._jobs) > _JOBS_KEPT:
                del self._jobs[next(iter(self._jobs))]
            self._thread = threading.Thread(
                target=self._run,
                args=(job, list(nodes), tuple(allow_shrink), due_at),
                name="gdcat-api-harvest",
                daemon=True,
            )
            self._thread.start()
        return job

    def get(self, job_id: str) -> HarvestJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self) -> None:
        """Wait for a running harvest (it writes to the store the caller closes next)."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            _log.warning("waiting for the running harvest to finish before shutting down")
            thread.join()

    def _run(
        self,
        job: HarvestJob,
        nodes: list[NodeConfig],
        allow_shrink: tuple[str, ...],
        due_at: datetime | None,
    ) -> None:
        store, settings = self.ctx.store, self.ctx.settings
        try:
            with Harvester(store, settings) as harvester:
                report = harvester.run(
                    nodes, dry_run=job.dry_run, allow_shrink=allow_shrink, due_at=due_at
                )
            if not job.dry_run:
                record_outcomes(store, {n.node: n.status for n in report.nodes})
        except Exception as e:  # a background thread has nobody to raise to: record it
            _log.exception("the harvest %s failed", job.id)
            with self._lock:  # the job is public: the details go to the log only
                job.status = "failed"
                job.error = f"the harvest stopped ({type(e).__name__}); see the server log"
                job.ended = datetime.now(UTC).replace(microsecond=0)
            return
        with self._lock:
            job.run = run_id(store, report.run)
            job.run_status = report.status
            job.report = report.to_json()
            job.status = "done"
            job.ended = datetime.now(UTC).replace(microsecond=0)


# -- nodes ------------------------------------------------------------------------------------


def registry_nodes(ctx: AppContext) -> list[NodeConfig]:
    """The registry file's nodes (none when no registry is configured)."""
    path = ctx.settings.registry_file
    if path is None:
        return []
    try:
        return load_registry(path)
    except GdcatError as e:
        _log.error("the node registry cannot be used: %s", e)
        raise Problem(500, "Internal error", "the node registry cannot be read") from e


def node_summaries(ctx: AppContext) -> list[NodeSummary]:
    """Every node (:func:`gdcat.harvest.nodes.node_overviews`) as the API answers it."""
    overviews = node_overviews(ctx.store, registry_nodes(ctx), ctx.settings.default_profile)
    return [
        NodeSummary(
            id=n.id,
            origin=n.origin,
            kind=n.kind,
            url=n.url,
            country=n.country,
            name=n.name,
            profile=n.profile,
            policy=n.policy,
            schedule=n.schedule,
            enabled=n.enabled,
            registration=_registration_info(n.registration) if n.registration else None,
            records=n.records,
            published=n.published,
            last_harvest=_last_harvest(n.last_harvest) if n.last_harvest else None,
        )
        for n in overviews
    ]


def _registration_info(r: Registration) -> RegistrationInfo:
    return RegistrationInfo(
        client_url=r.client_url,
        status=r.status,
        first_seen=r.first_seen.isoformat(),
        last_seen=r.last_seen.isoformat(),
        reason=r.reason,
    )


# -- answers from what the harvest reads ------------------------------------------------------


def _last_harvest(h: LastNodeRun) -> LastHarvest:
    return LastHarvest(
        run=h.run,
        run_iri=h.run_iri,
        started=h.started.isoformat(),
        status=h.status,
        counts=h.counts,
        reasons=h.reasons,
    )


def _node_run(n: StoredNodeRun) -> NodeRun:
    return NodeRun(
        node=n.node,
        kind=n.kind,
        url=n.url,
        status=n.status,
        reasons=n.reasons,
        counts=n.counts,
        validations=n.validations,
        writes=n.writes,
        added=n.added,
        updated=n.updated,
        withdrawn=n.withdrawn,
        kept=n.kept,
        accepted_with_violations=n.accepted_with_violations,
        rejected=[
            RejectionModel(
                dataset=r.dataset,
                source=r.source,
                reasons=[
                    ReasonModel(path=x.path, message=x.message, severity=x.severity)
                    for x in r.reasons
                ],
            )
            for r in n.rejected
        ],
        failures=[FailureModel(url=f.url, kind=f.kind, message=f.message) for f in n.failures],
        warnings=n.warnings,
        held=n.held,
    )


def _run_report(run: StoredRun) -> RunReportModel:
    return RunReportModel(
        id=run.id,
        iri=run.iri,
        started=run.started.isoformat(),
        ended=run.ended.isoformat() if run.ended is not None else None,
        status=run.status,
        totals=run.totals,
        nodes=[_node_run(n) for n in run.nodes],
    )


# -- routes -----------------------------------------------------------------------------------


@dataclass
class AdminState:
    jobs: HarvestJobs


def _state(ctx: AppContext) -> AdminState:
    state: AdminState = ctx.extras[_EXTRA_KEY]
    return state


def _job_model(ctx: AppContext, job: HarvestJob) -> HarvestJobModel:
    base = ctx.base_iri
    return HarvestJobModel(
        id=job.id,
        status=job.status,
        started=job.started.isoformat(),
        ended=job.ended.isoformat() if job.ended else None,
        nodes=job.nodes,
        run=job.run,
        run_status=job.run_status,
        report=f"{base}api/harvest/runs/{job.run}" if job.run else None,
        error=job.error,
        location=f"{base}api/harvest/jobs/{job.id}",
    )


def _summary(ctx: AppContext, run: StoredRun) -> RunSummary:
    return RunSummary(
        id=run.id,
        iri=run.iri,
        started=run.started.isoformat(),
        ended=run.ended.isoformat() if run.ended is not None else None,
        status=run.status,
        nodes=len(run.nodes),
        totals=run.totals,
        report=f"{ctx.base_iri}api/harvest/runs/{run.id}",
    )


_LEAP_SECOND = re.compile(r"([Tt ]\d{2}:\d{2}):60")


def _moment(value: str) -> datetime:
    """An RFC 3339 date-time (a leap second read as the second before it); 422 otherwise."""
    try:
        moment = datetime.fromisoformat(_LEAP_SECOND.sub(r"\1:59", value.strip()))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Problem(
            422,
            "Invalid request",
            f"since: not a date-time with a time zone (2026-01-31T12:00:00Z): {value[:64]!r}",
            kind="invalid-request",
        )
    return moment


Context = Annotated[AppContext, Depends(get_context)]
NodeId = Annotated[str, Path(pattern=NODE_PATTERN, examples=["nl"])]


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the node, run, change, registration and harvest routes to ``app``."""
    jobs = HarvestJobs(ctx)
    ctx.extras[_EXTRA_KEY] = AdminState(jobs)
    ctx.closers.append(jobs.close)
    allow_private = bool(ctx.settings.registration_allow_private)
    registration_rate = ctx.settings.registration_rate
    max_pending = ctx.settings.registration_max_pending
    #: in this process only (several server processes each count on their own)
    registrations_limiter = RateLimiter(registration_rate, 3600.0)

    @app.get(
        "/api/nodes",
        tags=["nodes"],
        summary="National nodes",
        response_model=NodeList,
        responses=problem_responses(500, 503),
    )
    def nodes(context: Context) -> NodeList:
        """Every node: those of the node registry, those that registered themselves, and
        those known only from their records; each with its live record count and what its
        last harvest did."""
        return NodeList(items=node_summaries(context))

    @app.get(
        "/api/nodes/{node}",
        tags=["nodes"],
        summary="One national node",
        response_model=NodeSummary,
        responses=problem_responses(404, 422, 500, 503),
    )
    def node(node: NodeId, context: Context) -> NodeSummary:
        """One node, as in the list."""
        for summary in node_summaries(context):
            if summary.id == node:
                return summary
        raise Problem(404, "Not found", f"no node {node!r}", kind="not-found")

    @app.get(
        "/api/harvest/runs",
        tags=["nodes"],
        summary="Harvest runs",
        response_model=RunPage,
        responses=problem_responses(422, 503),
    )
    def runs(
        request: Request,
        context: Context,
        limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> RunPage:
        """Harvest runs, newest first, with their totals."""
        size = min(limit or context.settings.page_size, context.settings.max_page_size)
        reports, total = read_runs(context.store, size, offset)
        following = None
        if offset + len(reports) < total:
            following = str(request.url.include_query_params(offset=offset + size, limit=size))
        return RunPage(
            items=[_summary(context, r) for r in reports],
            total=total,
            limit=size,
            offset=offset,
            next=following,
        )

    @app.get(
        "/api/harvest/runs/{run}",
        tags=["nodes"],
        summary="A harvest run's report",
        response_model=RunReportModel,
        responses=problem_responses(404, 422, 503),
    )
    def run(
        run: Annotated[str, Path(pattern=RUN_ID, examples=["20260131T120000Z-1a2b3c4d"])],
        context: Context,
    ) -> RunReportModel:
        """What the run did at each node: records added, updated, withdrawn, kept and
        rejected (with the reasons, by field), pages that failed, warnings."""
        report = read_run(context.store, f"{context.base_iri}run/{run}")
        if report is None:
            raise Problem(404, "Not found", f"no harvest run {run!r}", kind="not-found")
        return _run_report(report)

    @app.get(
        "/api/changes",
        tags=["nodes"],
        summary="The change feed",
        response_model=ChangePage,
        responses=problem_responses(422, 503),
    )
    def changes(
        request: Request,
        context: Context,
        since: Annotated[
            str | None,
            Query(
                max_length=64,
                description="Only changes after this moment (RFC 3339: a date-time with a zone)",
                examples=["2026-01-31T12:00:00Z"],
                json_schema_extra={"format": "date-time"},
            ),
        ] = None,
        after: Annotated[
            str | None,
            Query(
                max_length=2048,
                description="Refines since: of the records changed at that very moment, only "
                "those after this catalogue record (the cursor the next link carries); "
                "without since it changes nothing",
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> ChangePage:
        """Records created, updated or withdrawn (tombstones, change ``deleted``), oldest
        first. Follow ``next``; when it is null, poll the last ``next`` you had later."""
        moment = _moment(since) if since is not None else None
        items = read_changes(context.store, since=moment, after=after, limit=limit)
        following = None
        if len(items) == limit:
            last = items[-1]
            following = str(
                request.url.replace_query_params(
                    since=last.modified.isoformat(), after=last.record, limit=limit
                )
            )
        return ChangePage(
            items=[
                ChangeModel(
                    record=c.record,
                    dataset=c.dataset,
                    change=c.change,
                    modified=c.modified.isoformat(),
                    node=c.node,
                    content_hash=c.content_hash,
                )
                for c in items
            ],
            next=following,
        )

    @app.post(
        "/api/registrations",
        tags=["nodes"],
        summary="Register a FAIR Data Point",
        status_code=202,
        response_model=RegistrationModel,
        responses={
            202: {
                "description": "Queued: the next harvest reads it",
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
            **problem_responses(400, 403, 422, 503),
            429: problem_response(
                429,
                "Too many registrations",
                "registration-rate-limited",
                "this client may register 10 times an hour (registration_rate); try again in 360 s",
                "Over the rate limit per client, or the queue of pending registrations is "
                "full (registration-queue-full); Retry-After says when to try again",
            ),
        },
    )
    async def registration(
        request: Request,
        response: Response,
        ping: Annotated[RegistrationRequest, Body()],
        context: Context,
    ) -> RegistrationModel:
        """A FAIR Data Point announces itself (``{"clientUrl": ...}``, as with the FDP index);
        the next harvest reads it as a node with the default profile. Loopback and private
        addresses are refused (**403**) unless the operator allows them. Each client address
        may register ``registration_rate`` times an hour, and at most
        ``registration_max_pending`` registrations wait for a harvest (**429** with
        ``Retry-After`` over either)."""
        client = client_of(request, context.settings.trusted_proxies)
        wait = registrations_limiter.take(client)
        if wait is not None:
            after = retry_after(wait)
            raise Problem(
                429,
                "Too many registrations",
                f"this client may register {registration_rate} times an hour "
                f"(registration_rate); try again in {after} s",
                kind="registration-rate-limited",
                headers={"Retry-After": after},
                limit="registration_rate",
            )

        def save() -> Registration:  # registration serialises its own writes
            return register(
                context.store,
                ping.clientUrl,
                allow_private=allow_private,
                max_pending=max_pending,
            )

        try:
            done = await run_in_threadpool(save)
        except InputError as e:  # a well-formed URL this server will not crawl
            raise Problem(403, "Registration refused", str(e), kind="registration-refused") from e
        except RegistrationQueueFullError as e:
            raise Problem(
                429,
                "Registration queue full",
                str(e),
                kind="registration-queue-full",
                headers={"Retry-After": str(QUEUE_FULL_RETRY_AFTER)},
                limit="registration_max_pending",
            ) from e
        location = f"{context.base_iri}api/nodes/{done.node_id}"
        response.headers["Location"] = location
        return RegistrationModel(
            node=done.node_id,
            clientUrl=done.client_url,
            status=done.status,
            first_seen=done.first_seen.isoformat(),
            last_seen=done.last_seen.isoformat(),
            reason=done.reason,
            location=location,
        )

    @app.post(
        "/api/harvest",
        tags=["nodes"],
        summary="Start a harvest",
        status_code=202,
        response_model=HarvestJobModel,
        responses={
            202: {
                "description": "Started (Location: the harvest, which links its run when done)",
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
            **problem_responses(401, 403, 404, 409, 422, 500),
        },
    )
    def start_harvest(
        response: Response,
        caller: Annotated[Caller, Depends(admin)],
        context: Context,
        node: Annotated[
            list[Annotated[str, StringConstraints(pattern=NODE_PATTERN)]] | None,
            Query(description="Only these nodes (default: every enabled and registered node)"),
        ] = None,
        dry_run: Annotated[bool, Query(description="Say what would change; write nothing")] = False,
        allow_shrink: Annotated[
            list[Annotated[str, StringConstraints(pattern=NODE_PATTERN)]] | None,
            Query(description="Let these nodes withdraw more than their max_shrink share"),
        ] = None,
        due: Annotated[
            bool, Query(description="Only the nodes whose schedule says they are due")
        ] = False,
        registered: Annotated[
            bool, Query(description="Also the nodes that registered themselves")
        ] = True,
    ) -> HarvestJobModel:
        """Harvest the node registry and the registered nodes in the background, one harvest
        at a time (**409** while one runs). Poll the ``location`` until ``status`` is
        ``done``; the run's report is then at ``report``."""
        configured = registry_nodes(context)
        ids = {n.id for n in configured}
        everything = configured + (
            [
                n
                for n in registered_nodes(
                    context.store, context.settings.default_profile, allow_private=allow_private
                )
                if n.id not in ids
            ]
            if registered
            else []
        )
        try:
            chosen = select_nodes(everything, node or [])
        except InputError as e:  # a node gdcat does not know
            raise Problem(404, "Not found", str(e), kind="not-found") from e
        due_at = datetime.now(UTC) if due else None
        if due_at is not None:
            chosen = due_nodes(context.store, chosen, due_at)
        if not chosen and not due:
            raise Problem(
                409,
                "Nothing to harvest",
                "no node registry is configured and no node registered itself",
                kind="nothing-to-harvest",
            )
        try:
            job = _state(context).jobs.start(
                chosen, dry_run=dry_run, allow_shrink=allow_shrink or (), due_at=due_at
            )
        except HarvestBusyError as e:
            location = f"{context.base_iri}api/harvest/jobs/{e.job.id}"
            raise Problem(
                409,
                "Harvest running",
                str(e),
                kind="harvest-running",
                headers={"Location": location},
            ) from None
        out = _job_model(context, job)
        response.headers["Location"] = out.location
        return out

    @app.get(
        "/api/harvest/jobs/{job}",
        tags=["nodes"],
        summary="A harvest started over the API",
        response_model=HarvestJobModel,
        responses=problem_responses(404, 422),
    )
    def harvest_job(
        job: Annotated[str, Path(pattern=_JOB_ID)],
        context: Context,
    ) -> HarvestJobModel:
        """Running, done (with the run it made) or failed (with the error). Jobs are kept in
        memory until the server stops; the runs stay in the store."""
        found = _state(context).jobs.get(job)
        if found is None:
            raise Problem(404, "Not found", f"no harvest job {job!r}", kind="not-found")
        return _job_model(context, found)

    @app.get(
        "/api/harvest/jobs/{job}/report",
        tags=["nodes"],
        summary="A harvest started over the API, with its report",
        response_model=HarvestReportModel,
        responses=problem_responses(404, 422),
    )
    def harvest_job_report(
        job: Annotated[str, Path(pattern=_JOB_ID)],
        context: Context,
    ) -> HarvestReportModel:
        """The harvest as above and, once it is done, the run's report in full as
        ``gdcat harvest --format json`` prints it (dry runs included, which store none)."""
        found = _state(context).jobs.get(job)
        if found is None:
            raise Problem(404, "Not found", f"no harvest job {job!r}", kind="not-found")
        return HarvestReportModel(job=_job_model(context, found), report=found.report)

    @app.post(
        "/api/records",
        tags=["nodes"],
        summary="Write records the operator validated",
        response_model=RecordsWritten,
        responses=problem_responses(400, 401, 403, 422, 500, 503),
    )
    def write_records(
        uploads: Annotated[RecordUploads, Body()],
        caller: Annotated[Caller, Depends(admin)],
        context: Context,
    ) -> RecordsWritten:
        """What ``gdcat load`` writes when this server holds the store: records validated by
        the operator's command line, each replacing its previous version whole through the
        store's one record writer, with its catalogue record (no node: the operator's). A
        record the store refuses keeps its previous version and is named with the reason."""
        limit = context.settings.max_document_bytes
        writes = [_record_write(upload, limit) for upload in uploads.records]
        try:
            context.store.put_records(writes)
        except RecordWriteError as e:
            return RecordsWritten(written=list(e.written), failures=dict(e.failures))
        return RecordsWritten(written=[w.dataset_iri for w in writes], failures={})

    @app.delete(
        "/api/records",
        tags=["nodes"],
        summary="Withdraw a record",
        status_code=204,
        response_class=Response,
        responses={
            204: {"description": "Withdrawn: its catalogue record stays as a tombstone"},
            **problem_responses(401, 403, 404, 422, 500, 503),
        },
    )
    def withdraw_record(
        iri: Annotated[str, Query(max_length=2048, description="The dataset's IRI")],
        caller: Annotated[Caller, Depends(admin)],
        context: Context,
    ) -> Response:
        """What ``gdcat withdraw`` does when this server holds the store, for any record
        (harvested, published or loaded): its graph goes, its catalogue record stays as a
        tombstone. **404** when there is no live record of the IRI."""
        if not context.store.withdraw(iri):
            raise Problem(404, "Not found", f"no live record of {iri}", kind="not-found")
        return Response(status_code=204)

    @app.post(
        "/api/index/rebuild",
        tags=["nodes"],
        summary="Rebuild the search index from the store",
        response_model=IndexRebuildModel,
        responses=problem_responses(401, 403, 409, 500, 503),
    )
    def rebuild_index(
        caller: Annotated[Caller, Depends(admin)],
        context: Context,
    ) -> IndexRebuildModel:
        """Rebuild the search index from the store (the truth), for instance after the store
        was restored from a backup. Searches keep being answered from the old index until the
        new one is in place; **409** while a rebuild runs."""
        if context.index is None:
            raise Problem(503, "No search index", "search is off on this server", kind="no-index")
        started = time.perf_counter()
        try:
            records = context.index.rebuild()
        except RebuildRunningError as e:  # other index errors are gdcat errors (500)
            raise Problem(409, "Rebuild running", str(e), kind="rebuild-running") from e
        return IndexRebuildModel(records=records, seconds=round(time.perf_counter() - started, 3))

    @app.post(
        "/api/counts/rebuild",
        tags=["nodes"],
        summary="Rebuild the counts the inventory is read from",
        response_model=CountsRebuildModel,
        responses=problem_responses(401, 403, 500, 503),
    )
    def rebuild_counts(
        caller: Annotated[Caller, Depends(admin)],
        context: Context,
    ) -> CountsRebuildModel:
        """What ``gdcat recount`` does when this server holds the store: every live record's
        share of the counts is counted again from its graph and the counts are replaced,
        marked complete (after a raw SPARQL update made them incomplete, or for a store
        written before counts existed). Until it ends, the inventory counts the records
        themselves; **500** when another process wrote meanwhile (the counts stay incomplete:
        run it again)."""
        started = time.perf_counter()
        records = context.store.rebuild_counts()
        return CountsRebuildModel(
            records=records,
            seconds=round(time.perf_counter() - started, 3),
            complete=read_counts(context.store) is not None,
        )


def _record_write(upload: RecordUpload, max_bytes: int) -> RecordWrite:
    """The store's write of an uploaded record; unreadable N-Triples are a 400 problem."""
    try:
        graph = parse_bytes(
            upload.ntriples.encode("utf-8"),
            "ntriples",
            source=upload.source,
            max_bytes=max_bytes,
        )
    except InputError as e:
        raise Problem(
            400,
            "Unusable record",
            f"the graph of {upload.dataset} is not N-Triples: {e}",
            kind="unusable-record",
        ) from None
    return RecordWrite(
        dataset_iri=upload.dataset,
        graph=graph,
        meta=RecordMeta(
            source=upload.source,
            content_hash=upload.content_hash,
            profile=upload.profile,
            outcome=upload.outcome,
        ),
    )
