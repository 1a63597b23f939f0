"""The pydantic models of the admin API (nodes, harvest runs and reports, the change feed,
registrations, harvest jobs, index rebuilds), with the examples the OpenAPI document shows.

Only the shapes of the HTTP answers live here; :mod:`gdcat.api.admin` fills them from what
:mod:`gdcat.harvest.runs` and :mod:`gdcat.harvest.feed` read out of the store.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gdcat.harvest.runs import COUNT_KEYS

#: What a registration's clientUrl looks like (the rest is checked by the registration rules).
CLIENT_URL = (
    r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?"
    r"(/([A-Za-z0-9._~:/?#@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)?$"
)


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
    held: dict[str, int] = Field(
        default_factory=dict,
        description="The node's live records after the run, by kind: `datasets`, `series` "
        "(dataset series) and `services` (data services), counted as the home page, the "
        "inventory and the feed count them; empty for a dry run.",
    )


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
                            "counts": {k: 0 for k in COUNT_KEYS},
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
                            "held": {"datasets": 0, "series": 0, "services": 0},
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


class RecordUpload(BaseModel):
    """A record the operator validated (``gdcat load``), to be written as it is."""

    dataset: str = Field(max_length=2048, description="The dataset's (or series') IRI")
    source: str = Field(max_length=4096, description="Where the record was read from")
    content_hash: str = Field(max_length=128)
    profile: str = Field(max_length=64, description="The profile it was validated against")
    outcome: Literal["conforms", "warnings"]
    ntriples: str = Field(description="The record's graph as N-Triples")


class RecordUploads(BaseModel):
    """Records to write, each replacing its previous version whole."""

    model_config = ConfigDict(extra="forbid")

    records: list[RecordUpload] = Field(max_length=10_000)


class RecordsWritten(BaseModel):
    """What the store wrote, and the records it refused with the reason (their previous
    versions stay)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"written": ["https://nl.gdcat.example/dataset/x"], "failures": {}}]
        }
    )

    written: list[str]
    failures: dict[str, str]


class HarvestReportModel(BaseModel):
    """A harvest started over the API, with its report in full once it is done (the report
    ``gdcat harvest --format json`` prints)."""

    job: HarvestJobModel
    report: dict[str, Any] | None = Field(
        None, description="The run's report (null while the harvest runs or when it failed)"
    )


class CountsRebuildModel(BaseModel):
    """A finished rebuild of the counts the inventory and the home page read."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"records": 400, "seconds": 1.2, "complete": True}]}
    )

    records: int = Field(description="Live records counted")
    seconds: float = Field(description="How long the rebuild took")
    complete: bool = Field(description="Whether the counts are marked complete now")
