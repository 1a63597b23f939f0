"""A node's metadata quality for programs: ``GET /api/nodes/{node}/quality`` (JSON) and
``GET /api/nodes/{node}/quality.csv`` (each record's score).

The same answer as the page ``/nodes/{node}/quality``: both read
:func:`gdcat.harvest.quality.qualities_of` (computed once per store generation). The scoring
is :mod:`gdcat.validate.quality`; ``docs/steward-guide.md`` explains it and its weights.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from gdcat.api.admin import registry_nodes
from gdcat.api.context import AppContext, get_context
from gdcat.api.problems import Problem
from gdcat.api.publish import NODE_PATTERN, problem_responses
from gdcat.harvest.quality import NodeQuality, node_known, qualities_of
from gdcat.validate.quality import WEIGHTS

NodeId = Annotated[str, Path(pattern=NODE_PATTERN, examples=["nl"])]
Context = Annotated[AppContext, Depends(get_context)]


class Example(BaseModel):
    dataset: str
    title: str | None = None
    message: str


class FieldProblemModel(BaseModel):
    """A field missing or invalid in some of the node's records."""

    field: str = Field(description="The steward field (the steward YAML slot name)")
    level: Literal["mandatory", "recommended"]
    weight: int = Field(description=f"Points the field is worth: {WEIGHTS}")
    records: int = Field(description="Records where it is missing or invalid")
    missing: int
    invalid: int
    hint: str = Field(description="What a correct value looks like")
    examples: list[Example]


class RejectedField(BaseModel):
    field: str
    records: int
    examples: list[Example]


class Rejected(BaseModel):
    """The records the node serves that gdcat's harvests rejected, and their violations."""

    records: int
    by_field: list[RejectedField]


class TimelineEntry(BaseModel):
    """A harvest run or a day of publishing."""

    kind: Literal["harvest", "publish"]
    when: str
    key: str = Field(description="The harvest run's id, or the day (YYYY-MM-DD)")
    conforms: int
    warnings: int = Field(description="Accepted records whose stored version has warnings")
    rejected: int


class RecordProblem(BaseModel):
    field: str
    level: Literal["mandatory", "recommended"]
    state: Literal["ok", "missing", "invalid"]
    message: str


class RecordScoreModel(BaseModel):
    dataset: str
    title: str | None = None
    score: float = Field(description="Percent of the weight of its fields present and valid")
    profile: str
    outcome: str
    problems: list[RecordProblem]


_EXAMPLE: dict[str, Any] = {
    "node": "hu",
    "records": 3,
    "score": 99.0,
    "dimensions": {"findability": 97.4, "accessibility": 100.0},
    "fix_first": [
        {
            "field": "identifier",
            "level": "recommended",
            "weight": 1,
            "records": 1,
            "missing": 1,
            "invalid": 0,
            "hint": "Consider adding `identifier`.",
            "examples": [
                {
                    "dataset": "https://hu.example/dataset/1",
                    "title": "Exomes",
                    "message": "`identifier` is recommended but missing.",
                }
            ],
        }
    ],
    "rejected": {"records": 0, "by_field": []},
    "timeline": [
        {
            "kind": "harvest",
            "when": "2026-12-07T03:56:13+00:00",
            "key": "20261207T035613Z-523191b6",
            "conforms": 2,
            "warnings": 1,
            "rejected": 0,
        }
    ],
    "scores": [],
}


class NodeQualityModel(BaseModel):
    """A node's metadata quality: a score per record and for the node, what to fix first,
    the violations of rejected records, validation outcomes over time."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    node: str
    records: int = Field(description="Live records scored")
    score: float | None = Field(description="The mean of the records' scores (percent)")
    dimensions: dict[str, float] = Field(
        description="Per MQA dimension, the share of its weight the records earn (percent)"
    )
    fix_first: list[FieldProblemModel] = Field(
        description="Fields missing or invalid, weight times records first"
    )
    rejected: Rejected
    timeline: list[TimelineEntry] = Field(description="Oldest first")
    scores: list[RecordScoreModel] = Field(description="Every record, lowest score first")


CSV_COLUMNS = ("dataset", "title", "score", "profile", "outcome", "missing", "invalid")


def scores_csv(quality: NodeQuality) -> str:
    """Each record's score as CSV (lowest first): missing and invalid fields ``;``-joined."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in quality.records:
        writer.writerow(
            [
                s.dataset,
                s.title or "",
                f"{s.score:.1f}",
                s.profile,
                s.outcome,
                ";".join(p.field for p in s.problems if p.state == "missing"),
                ";".join(p.field for p in s.problems if p.state == "invalid"),
            ]
        )
    return out.getvalue()


def _quality(context: AppContext, node: str) -> NodeQuality:
    if not node_known(context.store, registry_nodes(context), node):
        raise Problem(404, "Not found", f"no node {node!r}", kind="not-found")
    return qualities_of(context).get(node)


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add ``/api/nodes/{node}/quality`` and its CSV to ``app``."""

    @app.get(
        "/api/nodes/{node}/quality",
        tags=["nodes"],
        summary="A node's metadata quality",
        response_model=NodeQualityModel,
        responses=problem_responses(404, 422, 500, 503),
    )
    def node_quality(node: NodeId, context: Context) -> NodeQualityModel:
        """Each live record's score (the share of the weight of its mandatory and recommended
        fields that are present and valid), the node's mean and its score per MQA dimension,
        the fields to fix first with examples, the violations of the records the node's
        harvests rejected, and the validation outcomes of its harvests and publishing over
        time. Computed once per store generation."""
        return NodeQualityModel.model_validate(_quality(context, node).to_json())

    @app.get(
        "/api/nodes/{node}/quality.csv",
        tags=["nodes"],
        summary="A node's record scores as CSV",
        response_class=Response,
        responses={
            200: {"content": {"text/csv": {}}, "description": "One row per record"},
            **problem_responses(404, 422, 500, 503),
        },
    )
    def node_quality_csv(node: NodeId, context: Context) -> Response:
        """One row per live record, lowest score first: dataset, title, score, profile,
        outcome, and the missing and invalid fields (``;``-joined)."""
        return Response(
            scores_csv(_quality(context, node)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{node}-quality.csv"'},
        )
