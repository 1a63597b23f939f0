"""Nodes, harvest runs and their reports, the change feed, self-registration, and starting a
harvest.

| route | who | what |
|---|---|---|
| ``GET /api/nodes``, ``/api/nodes/{id}`` | anyone | nodes, last harvest, record counts |
| ``GET /api/harvest/runs``, ``/{id}`` | anyone | runs newest first; one run's full report |
| ``GET /api/changes`` | anyone | records created, updated, withdrawn, oldest first |
| ``POST /api/registrations`` | anyone | a FAIR Data Point announces itself (202) |
| ``POST /api/harvest`` | admin | harvest in the background, one at a time (202, 409) |
| ``GET /api/harvest/jobs/{id}`` | anyone | a started harvest: running, done or failed |

Runs are read back from the store: each run's summary (``gdcat:HarvestRun`` with one
``gdcat:NodeHarvest`` per node) is in the provenance graph, its details in the graph named by
the run IRI (see :mod:`gdcat.harvest.report`).
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

import pyoxigraph as ox
from fastapi import Body, Depends, FastAPI, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SH, XSD
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from gdcat.api.context import AppContext, get_context
from gdcat.api.problems import Problem
from gdcat.api.publish import NODE_PATTERN, admin, problem_responses
from gdcat.errors import GdcatError, InputError
from gdcat.harvest import Harvester, NodeConfig, load_registry, select_nodes
from gdcat.harvest.registration import (
    Registration,
    list_registrations,
    record_outcomes,
    register,
    registered_nodes,
)
from gdcat.publish import Caller
from gdcat.search.index import SearchIndexError
from gdcat.store import RecordStatus, Store
from gdcat.store.datatypes import to_rdflib
from gdcat.store.quads import QuadWriter
from gdcat.store.records import ADMS_STATUS, CONTENT_HASH, SOURCE_NODE, SOURCE_URL
from gdcat.vocab import GDCAT

_log = logging.getLogger(__name__)

_EXTRA_KEY = "admin"
RUN_ID = r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$"
_JOB_ID = r"^[0-9a-f]{12}$"
#: Largest offset a page may start at.
MAX_OFFSET = 1_000_000_000
#: What a registration's clientUrl looks like (the rest is checked by the registration rules).
CLIENT_URL = (
    r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?"
    r"(/([A-Za-z0-9._~:/?#@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)?$"
)
_COUNT_KEYS = ("added", "updated", "unchanged", "withdrawn", "rejected", "kept", "failures")
_WITHDRAWN = RecordStatus.WITHDRAWN.iri
#: Harvest jobs remembered for ``GET /api/harvest/jobs/{id}`` (the runs themselves are kept).
_JOBS_KEPT = 50

# -- models -----------------------------------------------------------------------------------


class LastHarvest(BaseModel):
    """What the last harvest run did at a node."""

    run: str = Field(description="The run's id (see /api/harvest/runs/{id})")
    run_iri: str
    started: str
    status: Literal["complete", "partial", "failed"]
    counts: dict[str, int]
    reasons: list[str]


class RegistrationInfo(BaseModel):
    """A node that registered itself."""

    client_url: str
    status: Literal["pending", "active", "failed"]
    first_seen: str
    last_seen: str
    reason: str | None = None


_NODE_EXAMPLE: dict[str, Any] = {
    "id": "nl",
    "origin": "registry",
    "kind": "fdp",
    "url": "https://fdp.nl.example.org/",
    "country": "NLD",
    "name": "Netherlands genomics node",
    "profile": "gdcat",
    "policy": "reject",
    "schedule": "daily",
    "enabled": True,
    "registration": None,
    "records": 5,
    "published": 1,
    "last_harvest": {
        "run": "20260131T120000Z-1a2b3c4d",
        "run_iri": "http://127.0.0.1:8000/run/20260131T120000Z-1a2b3c4d",
        "started": "2026-01-31T12:00:00+00:00",
        "status": "complete",
        "counts": {"added": 4, "updated": 0, "unchanged": 0, "withdrawn": 0, "rejected": 1},
        "reasons": [],
    },
}


class NodeSummary(BaseModel):
    """A national node: how gdcat reaches it, its records, its last harvest."""

    model_config = ConfigDict(json_schema_extra={"examples": [_NODE_EXAMPLE]})

    id: str
    origin: Literal["registry", "registration", "store"] = Field(
        description="registry: the node registry file; registration: it registered itself; "
        "store: known only from its records (a node whose stewards publish, not harvested)"
    )
    kind: str | None = None
    url: str | None = None
    country: str | None = None
    name: str | None = None
    profile: str | None = None
    policy: str | None = None
    schedule: str | None = None
    enabled: bool | None = None
    registration: RegistrationInfo | None = None
    records: int = Field(description="Live records held for the node")
    published: int = Field(description="Of which written by its stewards over the API")
    last_harvest: LastHarvest | None = None


class NodeList(BaseModel):
    """Every node gdcat knows."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_NODE_EXAMPLE]}]})

    items: list[NodeSummary]


_TOTALS_EXAMPLE: dict[str, Any] = {
    "added": 96,
    "updated": 0,
    "unchanged": 0,
    "withdrawn": 0,
    "rejected": 4,
    "kept": 0,
    "failures": 0,
    "validations": 100,
    "writes": 96,
}


class RunSummary(BaseModel):
    """One harvest run, in short."""

    id: str
    iri: str
    started: str
    ended: str | None = None
    status: Literal["complete", "partial", "failed"]
    nodes: int
    totals: dict[str, int]
    report: str = Field(description="The run's full report")


_RUN_SUMMARY_EXAMPLE: dict[str, Any] = {
    "id": "20260131T120000Z-1a2b3c4d",
    "iri": "http://127.0.0.1:8000/run/20260131T120000Z-1a2b3c4d",
    "started": "2026-01-31T12:00:00+00:00",
    "ended": "2026-01-31T12:00:09+00:00",
    "status": "partial",
    "nodes": 26,
    "totals": _TOTALS_EXAMPLE,
    "report": "http://127.0.0.1:8000/api/harvest/runs/20260131T120000Z-1a2b3c4d",
}


class RunPage(BaseModel):
    """Harvest runs, newest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_RUN_SUMMARY_EXAMPLE],
                    "total": 1,
                    "limit": 20,
                    "offset": 0,
                    "next": None,
                }
            ]
        }
    )

    items: list[RunSummary]
    total: int
    limit: int
    offset: int
    next: str | None = None


class ReasonModel(BaseModel):
    path: str = Field(description="The field, as the steward YAML path")
    message: str
    severity: str


class RejectionModel(BaseModel):
    dataset: str
    source: str
    reasons: list[ReasonModel]


class FailureModel(BaseModel):
    url: str
    kind: str
    message: str


class NodeRun(BaseModel):
    """What a run did at one node."""

    node: str
    kind: str
    url: str
    status: Literal["complete", "partial", "failed"]
    reasons: list[str]
    counts: dict[str, int]
    validations: int
    writes: int
    added: list[str]
    updated: list[str]
    withdrawn: list[str]
    kept: list[str]
    accepted_with_violations: list[str]
    rejected: list[RejectionModel]
    failures: list[FailureModel]
    warnings: list[str]


class RunReportModel(BaseModel):
    """A harvest run's full report, as stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **{k: v for k, v in _RUN_SUMMARY_EXAMPLE.items() if k != "report"},
                    "nodes": [
                        {
                            "node": "nl",
                            "kind": "fdp",
                            "url": "https://fdp.nl.example.org/",
                            "status": "complete",
                            "reasons": [],
                            "counts": {k: 0 for k in _COUNT_KEYS},
                            "validations": 1,
                            "writes": 0,
                            "added": [],
                            "updated": [],
                            "withdrawn": [],
                            "kept": [],
                            "accepted_with_violations": [],
                            "rejected": [
                                {
                                    "dataset": "https://fdp.nl.example.org/dataset/7",
                                    "source": "https://fdp.nl.example.org/dataset/7",
                                    "reasons": [
                                        {
                                            "path": "title",
                                            "message": "`title` is required but missing.",
                                            "severity": "Violation",
                                        }
                                    ],
                                }
                            ],
                            "failures": [],
                            "warnings": [],
                        }
                    ],
                }
            ]
        }
    )

    id: str
    iri: str
    started: str
    ended: str | None = None
    status: Literal["complete", "partial", "failed"]
    totals: dict[str, int]
    nodes: list[NodeRun]


class ChangeModel(BaseModel):
    record: str
    dataset: str
    change: Literal["created", "updated", "deleted"]
    modified: str
    node: str | None = None
    content_hash: str


class ChangePage(BaseModel):
    """Changes oldest first; follow ``next`` until it is null, then poll it later."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "record": "http://127.0.0.1:8000/record/3f0c6a1e9b2d4c5e6f7a8b9c",
                            "dataset": "https://fdp.nl.example.org/dataset/1",
                            "change": "created",
                            "modified": "2026-01-31T12:00:00.123000+00:00",
                            "node": "nl",
                            "content_hash": "9c1185a5c5e9fc54612808977ee8f548b2258d31",
                        }
                    ],
                    "next": "http://127.0.0.1:8000/api/changes?since=2026-01-31T12%3A00%3A00.123"
                    "000%2B00%3A00&after=http%3A%2F%2F127.0.0.1%3A8000%2Frecord%2F3f0c6a1e9b2d4c5e6"
                    "f7a8b9c&limit=1",
                }
            ]
        }
    )

    items: list[ChangeModel]
    next: str | None = Field(
        None, description="The next page (null when this page is the last one for now)"
    )


class RegistrationRequest(BaseModel):
    """An FDP-style ping: the node's FAIR Data Point URL."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"clientUrl": "https://fdp.example.org/"}]}
    )

    clientUrl: str = Field(
        max_length=2048,
        pattern=CLIENT_URL,
        description="The FAIR Data Point's http(s) URL: a host name or IPv4 address, no "
        "credentials",
    )


class RegistrationModel(BaseModel):
    """A registration, queued for the next harvest."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "node": "reg-fdp.example.org-1a2b3c",
                    "clientUrl": "https://fdp.example.org/",
                    "status": "pending",
                    "first_seen": "2026-01-31T12:00:00+00:00",
                    "last_seen": "2026-01-31T12:00:00+00:00",
                    "reason": None,
                    "location": "http://127.0.0.1:8000/api/nodes/reg-fdp.example.org-1a2b3c",
                }
            ]
        }
    )

    node: str
    clientUrl: str
    status: Literal["pending", "active", "failed"]
    first_seen: str
    last_seen: str
    reason: str | None = None
    location: str


class IndexRebuildModel(BaseModel):
    """A finished rebuild of the search index."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"records": 400, "seconds": 0.8}]})

    records: int = Field(description="Records the index holds now")
    seconds: float = Field(description="How long the rebuild took")


class HarvestJobModel(BaseModel):
    """A harvest started over the API."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5e1f0c2a9b3d",
                    "status": "done",
                    "started": "2026-01-31T12:00:00+00:00",
                    "ended": "2026-01-31T12:00:09+00:00",
                    "nodes": ["at", "be", "nl"],
                    "run": "20260131T120000Z-1a2b3c4d",
                    "run_status": "complete",
                    "report": "http://127.0.0.1:8000/api/harvest/runs/20260131T120000Z-1a2b3c4d",
                    "error": None,
                    "location": "http://127.0.0.1:8000/api/harvest/jobs/5e1f0c2a9b3d",
                }
            ]
        }
    )

    id: str
    status: Literal["running", "done", "failed"]
    started: str
    ended: str | None = None
    nodes: list[str]
    run: str | None = Field(None, description="The run's id, once it is done")
    run_status: Literal["complete", "partial", "failed"] | None = None
    report: str | None = Field(None, description="The run's report, once it is done")
    error: str | None = None
    location: str


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

    def start(self, nodes: Sequence[NodeConfig]) -> HarvestJob:
        with self._lock:
            running = next((j for j in self._jobs.values() if j.status == "running"), None)
            if running is not None:
                raise HarvestBusyError(running)
            job = HarvestJob(uuid.uuid4().hex[:12], [n.id for n in nodes])
            self._jobs[job.id] = job
            while len(self._jobs) > _JOBS_KEPT:
                del self._jobs[next(iter(self._jobs))]
            self._thread = threading.Thread(
                target=self._run, args=(job, list(nodes)), name="gdcat-api-harvest", daemon=True
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

    def _run(self, job: HarvestJob, nodes: list[NodeConfig]) -> None:
        store, settings = self.ctx.store, self.ctx.settings
        try:
            with Harvester(store, settings) as harvester:
                report = harvester.run(nodes)
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
            job.status = "done"
            job.ended = datetime.now(UTC).replace(microsecond=0)


# -- reading runs, nodes and changes from the store -------------------------------------------


def run_id(store: Store, run_iri: str) -> str:
    return run_iri[len(f"{store.base_iri}run/") :]


def _text(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    raise GdcatError(f"unexpected value in the store: {term!r}")


def _literal(value: str) -> str:
    return QuadWriter().literal(value)


def _construct(store: Store, sparql: str) -> Graph:
    result = store.query(sparql, union_default_graph=False)
    graph = Graph()
    for t in result.triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def _int(graph: Graph, subject: Node, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    return int(str(value)) if value is not None else 0


def _strings(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, predicate))


def _status(value: object) -> Literal["complete", "partial", "failed"]:
    text = str(value)
    if text == "complete":
        return "complete"
    if text == "partial":
        return "partial"
    return "failed"


def _node_counts(graph: Graph, nh: Node) -> dict[str, int]:
    return {key: _int(graph, nh, GDCAT[f"{key}Count"]) for key in _COUNT_KEYS}


def _node_run(graph: Graph, nh: Node, *, details: bool) -> NodeRun:
    rejected = []
    if details:
        for r in graph.objects(nh, GDCAT.rejected):
            reasons = [
                ReasonModel(
                    path=str(graph.value(b, GDCAT.field) or ""),
                    message=str(graph.value(b, SH.resultMessage) or ""),
                    severity=str(graph.value(b, SH.resultSeverity) or "").rsplit("#", 1)[-1],
                )
                for b in graph.objects(r, GDCAT.reasonDetail)
            ]
            reasons.sort(key=lambda x: (x.path, x.message))
            rejected.append(
                RejectionModel(
                    dataset=str(graph.value(r, GDCAT.dataset) or ""),
                    source=str(graph.value(r, PROV.used) or ""),
                    reasons=reasons,
                )
            )
        rejected.sort(key=lambda x: x.dataset)
    failures = sorted(
        (
            FailureModel(
                url=str(graph.value(b, GDCAT.url) or ""),
                kind=str(graph.value(b, GDCAT.failureKind) or ""),
                message=str(graph.value(b, SH.resultMessage) or ""),
            )
            for b in graph.objects(nh, GDCAT.failure)
        ),
        key=lambda f: (f.url, f.message),
    )
    return NodeRun(
        node=str(graph.value(nh, GDCAT.node) or ""),
        kind=str(graph.value(nh, GDCAT.sourceKind) or ""),
        url=str(graph.value(nh, PROV.used) or ""),
        status=_status(graph.value(nh, GDCAT.status)),
        reasons=_strings(graph, nh, GDCAT.reason),
        counts=_node_counts(graph, nh),
        validations=_int(graph, nh, GDCAT.validationCount),
        writes=_int(graph, nh, GDCAT.writeCount),
        added=_strings(graph, nh, GDCAT.added),
        updated=_strings(graph, nh, GDCAT.updated),
        withdrawn=_strings(graph, nh, GDCAT.withdrawn),
        kept=_strings(graph, nh, GDCAT.kept),
        accepted_with_violations=_strings(graph, nh, GDCAT.acceptedWithViolations),
        rejected=rejected,
        failures=failures,
        warnings=_strings(graph, nh, GDCAT.warning),
    )


def _totals(nodes: list[NodeRun]) -> dict[str, int]:
    totals = {key: sum(n.counts.get(key, 0) for n in nodes) for key in _COUNT_KEYS}
    totals["validations"] = sum(n.validations for n in nodes)
    totals["writes"] = sum(n.writes for n in nodes)
    return totals


def _run_report(store: Store, graph: Graph, run: URIRef, *, details: bool) -> RunReportModel:
    nodes = [_node_run(graph, nh, details=details) for nh in graph.objects(run, GDCAT.nodeHarvest)]
    nodes.sort(key=lambda n: n.node)
    ended = graph.value(run, PROV.endedAtTime)
    return RunReportModel(
        id=run_id(store, str(run)),
        iri=str(run),
        started=_iso(graph.value(run, PROV.startedAtTime)),
        ended=_iso(ended) if ended is not None else None,
        status=_status(graph.value(run, GDCAT.status)),
        totals=_totals(nodes),
        nodes=nodes,
    )


def _iso(value: object) -> str:
    """An xsd:dateTime as ISO 8601 with its zone (``+00:00``)."""
    return datetime.fromisoformat(str(value)).isoformat()


def read_run(store: Store, run_iri: str) -> RunReportModel | None:
    """A run's full report from its detail graph, or None."""
    graph = store.get_graph(run_iri)
    run = URIRef(run_iri)
    if (run, RDF.type, GDCAT.HarvestRun) not in graph:
        return None
    return _run_report(store, graph, run, details=True)


def read_runs(store: Store, limit: int, offset: int) -> tuple[list[RunReportModel], int]:
    """Run summaries, newest first, and how many runs there are."""
    prov = store.provenance_graph
    pattern = f"GRAPH <{prov}> {{ ?run a <{GDCAT.HarvestRun}> ; <{PROV.startedAtTime}> ?started }}"
    counted = store.query(
        f"SELECT (COUNT(?run) AS ?n) WHERE {{ {pattern} }}", union_default_graph=False
    )
    total = int(_text(counted.rows[0][0])) if counted.rows else 0
    page = store.query(
        f"SELECT ?run WHERE {{ {pattern} }} ORDER BY DESC(?started) DESC(STR(?run)) "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        union_default_graph=False,
    )
    runs = [_text(row[0]) for row in page.rows]
    if not runs:
        return [], total
    values = " ".join(f"<{r}>" for r in runs)
    graph = _construct(
        store,
        f"CONSTRUCT {{ ?run ?p ?o . ?nh ?q ?v }} WHERE {{ VALUES ?run {{ {values} }} "
        f"GRAPH <{prov}> {{ {{ ?run ?p ?o }} UNION "
        f"{{ ?run <{GDCAT.nodeHarvest}> ?nh . ?nh ?q ?v }} }} }}",
    )
    return [_run_report(store, graph, URIRef(r), details=False) for r in runs], total


def last_harvests(store: Store) -> dict[str, LastHarvest]:
    """Each node's part of the last run that harvested it."""
    prov = store.provenance_graph
    result = store.query(
        f"SELECT ?node ?run ?nh ?started WHERE {{ "
        f"{{ SELECT ?node (MAX(?s) AS ?started) WHERE {{ GRAPH <{prov}> {{ "
        f"?r a <{GDCAT.HarvestRun}> ; <{PROV.startedAtTime}> ?s ; <{GDCAT.nodeHarvest}> ?h . "
        f"?h <{GDCAT.node}> ?node }} }} GROUP BY ?node }} "
        f"GRAPH <{prov}> {{ ?run a <{GDCAT.HarvestRun}> ; <{PROV.startedAtTime}> ?started ; "
        f"<{GDCAT.nodeHarvest}> ?nh . ?nh <{GDCAT.node}> ?node }} }} ORDER BY STR(?run)",
        union_default_graph=False,
    )
    latest: dict[str, tuple[str, str, str]] = {}
    for row in result.rows:
        latest[_text(row[0])] = (_text(row[1]), _text(row[2]), _text(row[3]))
    if not latest:
        return {}
    values = " ".join(f"<{nh}>" for _, nh, _ in latest.values())
    graph = _construct(
        store,
        f"CONSTRUCT {{ ?nh ?p ?o }} WHERE {{ VALUES ?nh {{ {values} }} "
        f"GRAPH <{prov}> {{ ?nh ?p ?o }} }}",
    )
    out: dict[str, LastHarvest] = {}
    for node, (run, nh, started) in latest.items():
        subject = URIRef(nh)
        out[node] = LastHarvest(
            run=run_id(store, run),
            run_iri=run,
            started=_iso(started),
            status=_status(graph.value(subject, GDCAT.status)),
            counts=_node_counts(graph, subject),
            reasons=_strings(graph, subject, GDCAT.reason),
        )
    return out


def record_counts(store: Store) -> dict[str, tuple[int, int]]:
    """Node -> (live records, of which published over the API)."""
    prefix = _literal(f"{store.base_iri}api/nodes/")
    result = store.query(
        f"SELECT ?node (COUNT(?record) AS ?n) "
        f"(SUM(IF(BOUND(?source) && STRSTARTS(STR(?source), {prefix}), 1, 0)) AS ?published) "
        f"WHERE {{ GRAPH <{store.provenance_graph}> {{ ?record <{FOAF.primaryTopic}> ?dataset ; "
        f"<{SOURCE_NODE}> ?node OPTIONAL {{ ?record <{SOURCE_URL}> ?source }} "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{_WITHDRAWN}> }} }} }} GROUP BY ?node",
        union_default_graph=False,
    )
    return {_text(node): (int(_text(n)), int(_text(p))) for node, n, p in result.rows}


@dataclass(frozen=True)
class Change:
    record: str
    dataset: str
    change: Literal["created", "updated", "deleted"]
    modified: datetime
    node: str | None
    content_hash: str


def read_changes(
    store: Store, *, since: datetime | None, after: str | None, limit: int
) -> list[Change]:
    """Changes after ``since`` (and, at ``since`` itself, after the record ``after``), oldest
    first. The cursor keeps paging exact when many records share one modification time (a
    harvest batch is written at one instant)."""
    writer = QuadWriter()
    where = ""
    if since is not None:
        moment = writer.literal(since.isoformat(), datatype=str(XSD.dateTime))
        if after is not None:
            where = (
                f"FILTER(?modified > {moment} || "
                f"(?modified = {moment} && STR(?record) > {writer.literal(after)}))"
            )
        else:
            where = f"FILTER(?modified > {moment})"
    result = store.query(
        f"SELECT ?record ?dataset ?status ?modified ?node ?hash WHERE {{ "
        f"GRAPH <{store.provenance_graph}> {{ ?record a <{DCAT.CatalogRecord}> ; "
        f"<{FOAF.primaryTopic}> ?dataset ; <{ADMS_STATUS}> ?status ; "
        f"<{DCTERMS.modified}> ?modified ; <{CONTENT_HASH}> ?hash "
        f"OPTIONAL {{ ?record <{SOURCE_NODE}> ?node }} {where} }} }} "
        f"ORDER BY ?modified STR(?record) LIMIT {int(limit)}",
        union_default_graph=False,
    )
    return [
        Change(
            _text(record),
            _text(dataset),
            RecordStatus.from_iri(_text(status)).value,
            datetime.fromisoformat(_text(modified)),
            _text(node) if node is not None else None,
            _text(digest),
        )
        for record, dataset, status, modified, node, digest in result.rows
    ]


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
    store = ctx.store
    counts = record_counts(store)
    harvests = last_harvests(store)
    summaries: dict[str, NodeSummary] = {}

    def numbers(node: str) -> dict[str, object]:
        records, published = counts.get(node, (0, 0))
        return {"records": records, "published": published, "last_harvest": harvests.get(node)}

    for n in registry_nodes(ctx):
        summaries[n.id] = NodeSummary(
            id=n.id,
            origin="registry",
            kind=n.kind,
            url=n.url,
            country=n.country,
            name=n.name,
            profile=n.profile,
            policy=n.policy,
            schedule=n.schedule,
            enabled=n.enabled,
            **numbers(n.id),
        )
    for r in list_registrations(store):
        if r.node_id in summaries:
            continue
        summaries[r.node_id] = NodeSummary(
            id=r.node_id,
            origin="registration",
            kind="fdp",
            url=r.client_url,
            profile=ctx.settings.default_profile,
            policy="reject",
            enabled=r.status != "failed",
            registration=_registration_info(r),
            **numbers(r.node_id),
        )
    for node in counts:
        if node not in summaries:
            summaries[node] = NodeSummary(id=node, origin="store", **numbers(node))
    return [summaries[k] for k in sorted(summaries)]


def _registration_info(r: Registration) -> RegistrationInfo:
    return RegistrationInfo(
        client_url=r.client_url,
        status=r.status,
        first_seen=r.first_seen.isoformat(),
        last_seen=r.last_seen.isoformat(),
        reason=r.reason,
    )


# -- routes -----------------------------------------------------------------------------------


@dataclass
class AdminState:
    jobs: HarvestJobs
    registrations: threading.Lock


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


def _summary(ctx: AppContext, run: RunReportModel) -> RunSummary:
    return RunSummary(
        id=run.id,
        iri=run.iri,
        started=run.started,
        ended=run.ended,
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
    ctx.extras[_EXTRA_KEY] = AdminState(jobs, threading.Lock())
    ctx.closers.append(jobs.close)
    allow_private = bool(ctx.settings.registration_allow_private)

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
        return report

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
        },
    )
    async def registration(
        response: Response,
        ping: Annotated[RegistrationRequest, Body()],
        context: Context,
    ) -> RegistrationModel:
        """A FAIR Data Point announces itself (``{"clientUrl": ...}``, as with the FDP index);
        the next harvest reads it as a node with the default profile. Loopback and private
        addresses are refused (**403**) unless the operator allows them."""
        lock = _state(context).registrations

        def save() -> Registration:
            with lock:
                return register(context.store, ping.clientUrl, allow_private=allow_private)

        try:
            done = await run_in_threadpool(save)
        except InputError as e:  # a well-formed URL this server will not crawl
            raise Problem(403, "Registration refused", str(e), kind="registration-refused") from e
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
    ) -> HarvestJobModel:
        """Harvest the node registry and the registered nodes in the background, one harvest
        at a time (**409** while one runs). Poll the ``location`` until ``status`` is
        ``done``; the run's report is then at ``report``."""
        configured = registry_nodes(context)
        ids = {n.id for n in configured}
        everything = configured + [
            n
            for n in registered_nodes(context.store, context.settings.default_profile)
            if n.id not in ids
        ]
        try:
            chosen = select_nodes(everything, node or [])
        except InputError as e:  # a node gdcat does not know
            raise Problem(404, "Not found", str(e), kind="not-found") from e
        if not chosen:
            raise Problem(
                409,
                "Nothing to harvest",
                "no node registry is configured and no node registered itself",
                kind="nothing-to-harvest",
            )
        try:
            job = _state(context).jobs.start(chosen)
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
        except SearchIndexError as e:
            raise Problem(409, "Rebuild running", str(e), kind="rebuild-running") from e
        return IndexRebuildModel(records=records, seconds=round(time.perf_counter() - started, 3))
