"""A node's metadata quality, read from the store: every live record scored
(:mod:`gdcat.validate.quality`), the problems by field, the violations of the records its
harvests rejected, and the validation outcomes over time.

Read by ``/nodes/{node}/quality`` (the page) and ``/api/nodes/{node}/quality`` (JSON, CSV),
through one :class:`NodeQualities` per application that keeps each node's answer for one store
generation: a write makes it stale, and the next reader computes it again (one query for the
records' own triples, one for their catalogue records; no SHACL run).

Where each part comes from:

- **Scores and warnings of stored records**: the records' triples in the store, checked
  against their class's and their profile's mandatory and recommended fields.
- **Violations of rejected records**: the harvest state of the node
  (:func:`gdcat.harvest.state.load_state`): the records it serves that gdcat rejected, each with
  its reasons by field, as the last harvest that read them decided.
- **Outcomes over time**: each harvest run's stored counts (accepted: added, updated,
  unchanged; rejected) and each day's publishing attempts from the audit trail (accepted:
  created, replaced; refused). *With warnings* counts the records whose stored version that run
  or day wrote and whose stored outcome is ``warnings`` (earlier versions' outcomes are not
  kept).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import pyoxigraph as ox
from rdflib.namespace import FOAF

from gdcat.harvest.nodes import node_history
from gdcat.harvest.registration import list_registrations
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.state import load_state
from gdcat.publish.audit import AuditTrail
from gdcat.store import RecordStatus, Store
from gdcat.store.records import (
    ADMS_STATUS,
    SOURCE_NODE,
    VALIDATION_OUTCOME,
    VALIDATION_PROFILE,
    WAS_GENERATED_BY,
)
from gdcat.validate.profiles import PROFILE_NAMES
from gdcat.validate.quality import (
    FieldProblem,
    RecordScore,
    Value,
    dimension_scores,
    mean_score,
    problems_by_field,
    score_values,
)
from gdcat.vocab import GDCAT

#: Harvest runs and publishing days shown over time.
HISTORY = 20
#: Publishing attempts read from the audit trail for the timeline.
AUDIT_ENTRIES = 5000
#: Examples kept per field.
EXAMPLES = 3


@dataclass(frozen=True)
class TimelinePoint:
    """One harvest run or one day of publishing, and how its records validated."""

    kind: Literal["harvest", "publish"]
    when: datetime
    #: the run's id (harvests), the day ``YYYY-MM-DD`` (publishing)
    key: str
    accepted: int
    #: of the accepted, stored versions whose outcome is ``warnings``
    warnings: int
    rejected: int

    @property
    def conforms(self) -> int:
        return max(0, self.accepted - self.warnings)


@dataclass(frozen=True)
class RejectedProblem:
    """A field that made harvested records be rejected: how many, and examples."""

    field: str
    records: int
    examples: tuple[tuple[str, str], ...]  # (dataset, message)


@dataclass(frozen=True)
class NodeQuality:
    node: str
    generation: int
    #: lowest score first
    records: list[RecordScore]
    mean: float | None
    dimensions: dict[str, float]
    #: what to fix first: fields missing or invalid, weight times records first
    fix_first: list[FieldProblem]
    #: the violations of the records the node serves that gdcat rejected
    rejected: list[RejectedProblem]
    rejected_records: int
    #: oldest first
    timeline: list[TimelinePoint] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "records": len(self.records),
            "score": self.mean,
            "dimensions": self.dimensions,
            "fix_first": [
                {
                    "field": p.field,
                    "level": p.level,
                    "weight": p.weight,
                    "records": p.records,
                    "missing": p.missing,
                    "invalid": p.invalid,
                    "hint": p.hint,
                    "examples": [
                        {"dataset": e.dataset, "title": e.title, "message": e.message}
                        for e in p.examples
                    ],
                }
                for p in self.fix_first
            ],
            "rejected": {
                "records": self.rejected_records,
                "by_field": [
                    {
                        "field": r.field,
                        "records": r.records,
                        "examples": [{"dataset": d, "message": m} for d, m in r.examples],
                    }
                    for r in self.rejected
                ],
            },
            "timeline": [
                {
                    "kind": t.kind,
                    "when": t.when.isoformat(),
                    "key": t.key,
                    "conforms": t.conforms,
                    "warnings": t.warnings,
                    "rejected": t.rejected,
                }
                for t in self.timeline
            ],
            "scores": [
                {
                    "dataset": s.dataset,
                    "title": s.title,
                    "score": s.score,
                    "profile": s.profile,
                    "outcome": s.outcome,
                    "problems": [
                        {"field": p.field, "level": p.level, "state": p.state, "message": p.message}
                        for p in s.problems
                    ],
                }
                for s in self.records
            ],
        }


def _literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _live(store: Store, node: str) -> str:
    return (
        f"GRAPH <{store.provenance_graph}> {{ ?record <{FOAF.primaryTopic}> ?dataset ; "
        f"<{SOURCE_NODE}> {_literal(node)} "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{RecordStatus.WITHDRAWN.iri}> }} }}"
    )


def _value(term: object) -> str | None:
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    return None


def _ox_value(term: object) -> Value | None:
    if isinstance(term, ox.NamedNode):
        return Value("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Value("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Value("literal", term.value, term.datatype.value, term.language)
    return None


def score_node_records(store: Store, node: str) -> list[RecordScore]:
    """Every live record of ``node`` scored, lowest score first (two queries: the catalogue
    records, then the datasets' own triples in their record graphs)."""
    prov = store.provenance_graph
    meta = store.query(
        f"SELECT ?record ?dataset ?profile ?outcome WHERE {{ GRAPH <{prov}> {{ "
        f"?record <{FOAF.primaryTopic}> ?dataset ; <{SOURCE_NODE}> {_literal(node)} "
        f"OPTIONAL {{ ?record <{VALIDATION_PROFILE}> ?profile }} "
        f"OPTIONAL {{ ?record <{VALIDATION_OUTCOME}> ?outcome }} "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{RecordStatus.WITHDRAWN.iri}> }} }} }}",
        union_default_graph=False,
    )
    found: dict[str, tuple[str, str]] = {}
    pairs: list[str] = []
    for record, dataset, profile, outcome in meta.rows:
        record_iri, iri = _value(record), _value(dataset)
        if record_iri is None or iri is None or iri in found:
            continue
        found[iri] = (_value(profile) or "", _value(outcome) or "")
        pairs.append(f"(<{record_iri}> <{iri}>)")
    if not found:
        return []
    values: dict[str, dict[str, list[Value]]] = {iri: {} for iri in found}
    result = store.query(
        f"SELECT ?dataset ?p ?o WHERE {{ VALUES (?record ?dataset) {{ {' '.join(pairs)} }} "
        f"GRAPH ?record {{ ?dataset ?p ?o }} }}",
        union_default_graph=False,
    )
    for dataset, predicate, obj in result.rows:
        iri, name, value = _value(dataset), _value(predicate), _ox_value(obj)
        if iri in values and name is not None and value is not None:
            values[iri].setdefault(name, []).append(value)
    scores = []
    for iri, (profile_name, outcome_name) in found.items():
        chosen = profile_name if profile_name in PROFILE_NAMES else ""
        scores.append(score_values(iri, values[iri], chosen, outcome=outcome_name))
    scores.sort(key=lambda s: (s.score, s.title or s.dataset, s.dataset))
    return scores


def rejected_problems(store: Store, node: str) -> tuple[list[RejectedProblem], int]:
    """The violations of the records of ``node`` that its harvests rejected (as the harvest
    state keeps them), by field, most records first; and how many records are rejected."""
    state = load_state(store, node)
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for dataset, rejected in sorted(state.rejected.items()):
        seen: set[str] = set()
        for reason in rejected.reasons:
            if reason.severity != "Violation" or reason.path in seen:
                continue
            seen.add(reason.path)
            grouped[reason.path].append((dataset, reason.message))
    problems = [
        RejectedProblem(name, len(found), tuple(found[:EXAMPLES]))
        for name, found in grouped.items()
    ]
    problems.sort(key=lambda p: (-p.records, p.field))
    return problems, len(state.rejected)


def _warnings_by_writer(store: Store, node: str) -> tuple[dict[str, int], set[str]]:
    """Stored versions with outcome ``warnings``: per harvest run that wrote them, and the
    datasets (for publishing attempts)."""
    result = store.query(
        f"SELECT ?dataset ?run WHERE {{ {_live(store, node)} "
        f'GRAPH <{store.provenance_graph}> {{ ?record <{VALIDATION_OUTCOME}> "warnings" '
        f"OPTIONAL {{ ?record <{WAS_GENERATED_BY}> ?run }} }} }}",
        union_default_graph=False,
    )
    runs: dict[str, int] = defaultdict(int)
    datasets: set[str] = set()
    for dataset, run in result.rows:
        iri = _value(dataset)
        if iri is not None:
            datasets.add(iri)
        run_iri = _value(run)
        if run_iri is not None:
            runs[run_iri] += 1
    return runs, datasets


def timeline(store: Store, node: str) -> list[TimelinePoint]:
    """The node's last harvest runs and publishing days, oldest first."""
    warned_runs, warned_datasets = _warnings_by_writer(store, node)
    points = []
    for run in node_history(store, node, limit=HISTORY):
        c = run.counts
        accepted = c.get("added", 0) + c.get("updated", 0) + c.get("unchanged", 0)
        points.append(
            TimelinePoint(
                "harvest",
                run.started,
                run.run,
                accepted,
                min(accepted, warned_runs.get(run.run_iri, 0)),
                c.get("rejected", 0),
            )
        )
    entries, _ = AuditTrail(store).entries(node=node, limit=AUDIT_ENTRIES)
    days: dict[str, list[int]] = {}
    first: dict[str, datetime] = {}
    latest_accept: set[str] = set()
    for entry in entries:  # newest first
        if entry.action != "put":
            continue
        day = entry.time.date().isoformat()
        counts = days.setdefault(day, [0, 0, 0])
        first[day] = entry.time
        if entry.outcome in ("created", "replaced"):
            counts[0] += 1
            if entry.dataset and entry.dataset not in latest_accept:
                latest_accept.add(entry.dataset)  # this attempt wrote the stored version
                if entry.dataset in warned_datasets:
                    counts[1] += 1
        elif entry.outcome == "refused":
            counts[2] += 1
    for day in sorted(days)[-HISTORY:]:
        accepted, warned, refused = days[day]
        if accepted or refused:
            points.append(TimelinePoint("publish", first[day], day, accepted, warned, refused))
    points.sort(key=lambda p: (p.when, p.kind))
    return points


def node_quality(store: Store, node: str) -> NodeQuality:
    """Everything the quality page and API show about ``node``, at the store's generation."""
    generation = store.generation
    scores = score_node_records(store, node)
    rejected, rejected_records = rejected_problems(store, node)
    return NodeQuality(
        node=node,
        generation=generation,
        records=scores,
        mean=mean_score(scores),
        dimensions=dimension_scores(scores),
        fix_first=problems_by_field(scores, EXAMPLES),
        rejected=rejected,
        rejected_records=rejected_records,
        timeline=timeline(store, node),
    )


class NodeQualities:
    """:func:`node_quality` per node, computed once per store generation and shared by the
    page and the API (:func:`qualities_of`)."""

    #: Nodes kept at once (each answer holds every record's score).
    KEEP = 64

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._node_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._kept: dict[str, NodeQuality] = {}

    def get(self, node: str) -> NodeQuality:
        with self._lock:
            node_lock = self._node_locks[node]
        with node_lock:  # one computation per node at a time; the others wait for it
            generation = self._store.generation
            with self._lock:
                kept = self._kept.get(node)
            if kept is not None and kept.generation == generation:
                return kept
            answer = node_quality(self._store, node)
            with self._lock:
                if len(self._kept) >= self.KEEP and node not in self._kept:
                    self._kept.pop(next(iter(self._kept)))
                self._kept[node] = answer
            return answer


def node_known(store: Store, registry: Sequence[NodeConfig], node: str) -> bool:
    """Whether gdcat knows ``node`` (as :func:`gdcat.harvest.nodes.node_overviews` would list
    it): in the registry, registered, or named by a catalogue record or a harvest; without
    counting every node's records."""
    if any(n.id == node for n in registry):
        return True
    literal = _literal(node)
    prov = store.provenance_graph
    asked = store.query(
        f"ASK {{ GRAPH <{prov}> {{ {{ ?record <{SOURCE_NODE}> {literal} }} UNION "
        f"{{ ?harvest <{GDCAT.node}> {literal} }} }} }}",
        union_default_graph=False,
    )
    if asked.boolean:
        return True
    return any(r.node_id == node for r in list_registrations(store))


def qualities_of(ctx: Any) -> NodeQualities:
    """The application's one :class:`NodeQualities` (kept in ``ctx.extras``)."""
    extras: dict[str, Any] = ctx.extras
    found = extras.get(__name__)
    if not isinstance(found, NodeQualities):
        found = extras.setdefault(__name__, NodeQualities(ctx.store))
    return found


__all__ = [
    "NodeQualities",
    "NodeQuality",
    "RejectedProblem",
    "TimelinePoint",
    "node_known",
    "node_quality",
    "qualities_of",
    "rejected_problems",
    "score_node_records",
    "timeline",
]
