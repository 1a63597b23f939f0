"""Harvest runs read back from the store: run summaries, one run's full report, each node's
last harvest and its live record counts.

A run's summary (``gdcat:HarvestRun`` with one ``gdcat:NodeHarvest`` per node) is in the
provenance graph, its details (records added, updated, withdrawn, kept and rejected, failed
pages, warnings) in the graph named by the run IRI; both are written by
:mod:`gdcat.harvest.report`, whose :class:`~gdcat.harvest.report.Rejection`,
:class:`~gdcat.harvest.report.Reason` and :class:`~gdcat.harvest.report.PageFailure` these
readers give back. Counts are the stored ones (a summary holds no record lists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, PROV, RDF, SH
from rdflib.term import Node

from gdcat.errors import GdcatError
from gdcat.harvest.report import HELD, NodeStatus, PageFailure, Reason, Rejection
from gdcat.store import RecordStatus, Store
from gdcat.store.datatypes import to_rdflib
from gdcat.store.quads import QuadWriter
from gdcat.store.records import (
    ADMS_STATUS,
    SOURCE_NODE,
    SOURCE_URL,
    published_source_prefix,
)
from gdcat.vocab import GDCAT

#: The counts stored for each node of a run (``gdcat:{key}Count``), in report order.
COUNT_KEYS = ("added", "updated", "unchanged", "withdrawn", "rejected", "kept", "failures")
_WITHDRAWN = RecordStatus.WITHDRAWN.iri


@dataclass(frozen=True)
class StoredNodeRun:
    """What a run did at one node, as stored (the record lists only in a full report)."""

    node: str
    kind: str
    url: str
    status: NodeStatus
    reasons: list[str]
    counts: dict[str, int]
    validations: int
    writes: int
    added: list[str]
    updated: list[str]
    withdrawn: list[str]
    kept: list[str]
    accepted_with_violations: list[str]
    rejected: list[Rejection]
    failures: list[PageFailure]
    warnings: list[str]
    #: the node's live records after the run, by kind (empty for runs stored before it was
    #: recorded, and for dry runs)
    held: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredRun:
    """A harvest run as stored: its id (the IRI's last segment), times, status, totals."""

    id: str
    iri: str
    started: datetime
    ended: datetime | None
    status: NodeStatus
    totals: dict[str, int]
    nodes: list[StoredNodeRun]


@dataclass(frozen=True)
class LastNodeRun:
    """A node's part of the last run that harvested it."""

    run: str
    run_iri: str
    started: datetime
    status: NodeStatus
    counts: dict[str, int]
    reasons: list[str]


def run_id(store: Store | str, run_iri: str) -> str:
    """A run's id: its IRI without the ``{base}run/`` prefix (``store``: the store or its
    base IRI)."""
    base = store if isinstance(store, str) else store.base_iri
    return run_iri[len(f"{base}run/") :]


def read_run(store: Store, run_iri: str) -> StoredRun | None:
    """A run's full report from its detail graph, or None."""
    return run_of_graph(store.get_graph(run_iri), run_iri, store.base_iri)


def run_of_graph(graph: Graph, run_iri: str, base_iri: str) -> StoredRun | None:
    """The full report of the run ``run_iri`` from its detail ``graph``, or None when the
    graph does not describe that run."""
    run = URIRef(run_iri)
    if (run, RDF.type, GDCAT.HarvestRun) not in graph:
        return None
    return _run(base_iri, graph, run, details=True)


def read_runs(store: Store, limit: int, offset: int) -> tuple[list[StoredRun], int]:
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
    return [_run(store.base_iri, graph, URIRef(r), details=False) for r in runs], total


def last_harvests(store: Store) -> dict[str, LastNodeRun]:
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
    out: dict[str, LastNodeRun] = {}
    for node, (run, nh, started) in latest.items():
        subject = URIRef(nh)
        out[node] = LastNodeRun(
            run=run_id(store, run),
            run_iri=run,
            started=_datetime(started),
            status=_status(graph.value(subject, GDCAT.status)),
            counts=_node_counts(graph, subject),
            reasons=_strings(graph, subject, GDCAT.reason),
        )
    return out


def record_counts(store: Store) -> dict[str, tuple[int, int]]:
    """Node -> (live records, of which published over the API)."""
    prefix = QuadWriter().literal(published_source_prefix(store.base_iri))
    result = store.query(
        f"SELECT ?node (COUNT(?record) AS ?n) "
        f"(SUM(IF(BOUND(?source) && STRSTARTS(STR(?source), {prefix}), 1, 0)) AS ?published) "
        f"WHERE {{ GRAPH <{store.provenance_graph}> {{ ?record <{FOAF.primaryTopic}> ?dataset ; "
        f"<{SOURCE_NODE}> ?node OPTIONAL {{ ?record <{SOURCE_URL}> ?source }} "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{_WITHDRAWN}> }} }} }} GROUP BY ?node",
        union_default_graph=False,
    )
    return {_text(node): (int(_text(n)), int(_text(p))) for node, n, p in result.rows}


# -- reading the graphs -----------------------------------------------------------------------


def _text(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    raise GdcatError(f"unexpected value in the store: {term!r}")


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


def _status(value: object) -> NodeStatus:
    text = str(value)
    if text == "complete":
        return "complete"
    if text == "partial":
        return "partial"
    return "failed"


def _datetime(value: object) -> datetime:
    """An xsd:dateTime (with its zone) as a datetime."""
    return datetime.fromisoformat(str(value))


def _node_counts(graph: Graph, nh: Node) -> dict[str, int]:
    return {key: _int(graph, nh, GDCAT[f"{key}Count"]) for key in COUNT_KEYS}


def _rejection(graph: Graph, r: Node) -> Rejection:
    reasons = [
        Reason(
            path=str(graph.value(b, GDCAT.field) or ""),
            message=str(graph.value(b, SH.resultMessage) or ""),
            severity=str(graph.value(b, SH.resultSeverity) or "").rsplit("#", 1)[-1],
        )
        for b in graph.objects(r, GDCAT.reasonDetail)
    ]
    reasons.sort(key=lambda x: (x.path, x.message))
    return Rejection(
        dataset=str(graph.value(r, GDCAT.dataset) or ""),
        source=str(graph.value(r, PROV.used) or ""),
        reasons=tuple(reasons),
    )


def _node_run(graph: Graph, nh: Node, *, details: bool) -> StoredNodeRun:
    rejected = []
    if details:
        rejected = [_rejection(graph, r) for r in graph.objects(nh, GDCAT.rejected)]
        rejected.sort(key=lambda x: x.dataset)
    failures = sorted(
        (
            PageFailure(
                url=str(graph.value(b, GDCAT.url) or ""),
                kind=str(graph.value(b, GDCAT.failureKind) or ""),
                message=str(graph.value(b, SH.resultMessage) or ""),
            )
            for b in graph.objects(nh, GDCAT.failure)
        ),
        key=lambda f: (f.url, f.message),
    )
    return StoredNodeRun(
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
        held={
            key: _int(graph, nh, predicate)
            for key, predicate in HELD.items()
            if graph.value(nh, predicate) is not None
        },
    )


def _totals(nodes: list[StoredNodeRun]) -> dict[str, int]:
    totals = {key: sum(n.counts.get(key, 0) for n in nodes) for key in COUNT_KEYS}
    for key in HELD:
        if any(key in n.held for n in nodes):
            totals[f"held_{key}"] = sum(n.held.get(key, 0) for n in nodes)
    totals["validations"] = sum(n.validations for n in nodes)
    totals["writes"] = sum(n.writes for n in nodes)
    return totals


def _run(base_iri: str, graph: Graph, run: URIRef, *, details: bool) -> StoredRun:
    nodes = [_node_run(graph, nh, details=details) for nh in graph.objects(run, GDCAT.nodeHarvest)]
    nodes.sort(key=lambda n: n.node)
    ended = graph.value(run, PROV.endedAtTime)
    return StoredRun(
        id=run_id(base_iri, str(run)),
        iri=str(run),
        started=_datetime(graph.value(run, PROV.startedAtTime)),
        ended=_datetime(ended) if ended is not None else None,
        status=_status(graph.value(run, GDCAT.status)),
        totals=_totals(nodes),
        nodes=nodes,
    )
