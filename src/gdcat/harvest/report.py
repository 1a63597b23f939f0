"""What a harvest run did, node by node: as JSON, as text and as PROV-O RDF.

Each run is a ``prov:Activity`` (also a ``gdcat:HarvestRun``) with one ``gdcat:NodeHarvest``
per node: its status, counts, and which records were added, updated, withdrawn and rejected
(each rejection with its reasons by field), which pages failed, and why withdrawals were held
back. The activity and its node summaries go into the provenance graph; the details into the
run's own named graph (named by the run IRI), so both can be queried by SPARQL.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH, XSD

from gdcat.vocab import GDCAT, PREFIXES

NodeStatus = TypingLiteral["complete", "partial", "failed"]


@dataclass(frozen=True)
class Reason:
    """One reason a record was rejected: the field and what is wrong with it."""

    path: str
    message: str
    severity: str = "Violation"
    hint: str = ""


@dataclass(frozen=True)
class Rejection:
    dataset: str
    source: str
    reasons: tuple[Reason, ...]
    #: true when the record is unchanged since an earlier run rejected it (not re-validated)
    known: bool = False


@dataclass(frozen=True)
class PageFailure:
    url: str
    kind: str
    message: str


@dataclass
class NodeReport:
    """One node's part of a run."""

    node: str
    kind: str
    url: str
    status: NodeStatus = "complete"
    #: why the node is partial or failed, in plain words
    reasons: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    withdrawn: list[str] = field(default_factory=list)
    #: records that vanished from the node but were kept (mass-deletion guard, failed pages)
    kept: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: records accepted despite violations (policy "accept")
    accepted_with_violations: list[str] = field(default_factory=list)
    failures: list[PageFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    documents: int = 0
    unchanged_documents: int = 0
    validations: int = 0
    writes: int = 0
    requests: int = 0
    seconds: float = 0.0
    #: the node's live records after its harvest, by kind (``datasets``, ``series``,
    #: ``services``: :func:`gdcat.store.inventory.count_record_kinds`); empty on a dry run
    held: dict[str, int] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.status = "failed"
        self.reasons.append(reason)

    def partial(self, reason: str) -> None:
        if self.status == "complete":
            self.status = "partial"
        self.reasons.append(reason)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "withdrawn": len(self.withdrawn),
            "rejected": len(self.rejected),
            "kept": len(self.kept),
            "failures": len(self.failures),
        }


@dataclass
class RunReport:
    run: str
    started: datetime
    ended: datetime | None = None
    dry_run: bool = False
    nodes: list[NodeReport] = field(default_factory=list)
    #: nodes not harvested because another process was harvesting them (node -> who holds
    #: the node's harvest lease, until when); not a failure: that harvest does the work
    elsewhere: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> NodeStatus:
        statuses = {n.status for n in self.nodes}
        if not statuses or statuses == {"complete"}:
            return "complete"
        if statuses == {"failed"}:
            return "failed"
        return "partial"

    def totals(self) -> dict[str, int]:
        # every count, zero too: a run may harvest no node (all harvested elsewhere)
        total: dict[str, int] = dict.fromkeys(NodeReport("", "", "").counts(), 0)
        for node in self.nodes:
            for key, value in node.counts().items():
                total[key] = total.get(key, 0) + value
        for key in HELD:
            if any(key in n.held for n in self.nodes):
                total[f"held_{key}"] = sum(n.held.get(key, 0) for n in self.nodes)
        total["validations"] = sum(n.validations for n in self.nodes)
        total["writes"] = sum(n.writes for n in self.nodes)
        return total

    # -- renderings -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "started": self.started.isoformat(),
            "ended": self.ended.isoformat() if self.ended else None,
            "dry_run": self.dry_run,
            "status": self.status,
            "totals": self.totals(),
            "nodes": [{**asdict(n), "counts": n.counts()} for n in self.nodes],
            "elsewhere": dict(self.elsewhere),
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> RunReport:
        """The report :meth:`to_json` wrote (a harvest run by a server, read by the CLI)."""
        nodes = []
        for n in document["nodes"]:
            fields = {k: v for k, v in n.items() if k != "counts"}
            fields["rejected"] = [
                Rejection(
                    dataset=r["dataset"],
                    source=r["source"],
                    reasons=tuple(Reason(**reason) for reason in r["reasons"]),
                    known=r.get("known", False),
                )
                for r in n["rejected"]
            ]
            fields["failures"] = [PageFailure(**f) for f in n["failures"]]
            nodes.append(NodeReport(**fields))
        ended = document.get("ended")
        return cls(
            run=document["run"],
            started=datetime.fromisoformat(document["started"]),
            ended=datetime.fromisoformat(ended) if ended else None,
            dry_run=bool(document.get("dry_run", False)),
            nodes=nodes,
            elsewhere=dict(document.get("elsewhere") or {}),
        )

    def to_text(self, *, details: int = 5) -> str:
        verb = "would be " if self.dry_run else ""
        lines = [f"harvest run {self.run}: {self.status}" + (" (dry run)" if self.dry_run else "")]
        for n in self.nodes:
            c = n.counts()
            lines.append(
                f"  {n.node:<12} {n.kind:<7} {n.status:<8} "
                f"+{c['added']} added, ~{c['updated']} updated, ={c['unchanged']} unchanged, "
                f"-{c['withdrawn']} withdrawn, x{c['rejected']} rejected  ({n.seconds:.1f} s)"
            )
            for reason in n.reasons:
                lines.append(f"      ! {reason}")
            if n.held:
                lines.append(f"      holds {held_text(n.held)}")
            for label, items in (
                (f"{verb}added", n.added),
                (f"{verb}updated", n.updated),
                (f"{verb}withdrawn", n.withdrawn),
            ):
                if items and (self.dry_run or len(items) <= details):
                    for item in items[: None if self.dry_run else details]:
                        lines.append(f"      {label}: {item}")
            for rejection in n.rejected[:details] if not self.dry_run else n.rejected:
                first = rejection.reasons[0] if rejection.reasons else Reason("", "rejected")
                more = (
                    f" (+{len(rejection.reasons) - 1} more)" if len(rejection.reasons) > 1 else ""
                )
                where = f"{rejection.dataset}: {first.path}"
                lines.append(f"      {verb}rejected: {where}: {first.message}{more}")
            for failure in n.failures[:details]:
                lines.append(f"      failed: {failure.url}: {failure.message}")
            for warning in n.warnings[:details]:
                lines.append(f"      warning: {warning}")
        for node, holder in self.elsewhere.items():
            lines.append(
                f"  {node:<12} not harvested here: another process is harvesting it ({holder})"
            )
        t = self.totals()
        lines.append(
            f"total: {t['added']} added, {t['updated']} updated, {t['unchanged']} unchanged, "
            f"{t['withdrawn']} withdrawn, {t['rejected']} rejected; "
            f"{t['validations']} validated, {t['writes']} written"
        )
        return "\n".join(lines)

    def summary_graph(self) -> Graph:
        """The run as a ``prov:Activity`` with one summary per node (the provenance graph)."""
        g = _graph()
        run = URIRef(self.run)
        g.add((run, RDF.type, PROV.Activity))
        g.add((run, RDF.type, GDCAT.HarvestRun))
        g.add((run, PROV.startedAtTime, _dt(self.started)))
        if self.ended is not None:
            g.add((run, PROV.endedAtTime, _dt(self.ended)))
        g.add((run, GDCAT.status, Literal(self.status)))
        for n in self.nodes:
            node = URIRef(f"{self.run}#node-{n.node}")
            g.add((run, GDCAT.nodeHarvest, node))
            g.add((node, RDF.type, GDCAT.NodeHarvest))
            g.add((node, GDCAT.node, Literal(n.node)))
            g.add((node, GDCAT.sourceKind, Literal(n.kind)))
            g.add((node, PROV.used, _url(n.url)))
            g.add((node, GDCAT.status, Literal(n.status)))
            for key, value in n.counts().items():
                g.add((node, GDCAT[f"{key}Count"], Literal(value, datatype=XSD.integer)))
            g.add((node, GDCAT.validationCount, Literal(n.validations, datatype=XSD.integer)))
            g.add((node, GDCAT.writeCount, Literal(n.writes, datatype=XSD.integer)))
            for key, value in n.held.items():
                g.add((node, HELD[key], Literal(value, datatype=XSD.integer)))
            for reason in n.reasons:
                g.add((node, GDCAT.reason, Literal(reason)))
        return g

    def detail_graph(self) -> Graph:
        """Which records each node added, updated, withdrew and rejected, and why."""
        g = self.summary_graph()
        for n in self.nodes:
            node = URIRef(f"{self.run}#node-{n.node}")
            for predicate, items in (
                (GDCAT.added, n.added),
                (GDCAT.updated, n.updated),
                (GDCAT.withdrawn, n.withdrawn),
                (GDCAT.kept, n.kept),
                (GDCAT.acceptedWithViolations, n.accepted_with_violations),
            ):
                for iri in items:
                    g.add((node, predicate, URIRef(iri)))
            for index, rejection in enumerate(n.rejected, start=1):
                r = URIRef(f"{self.run}#node-{n.node}-rejected-{index}")
                g.add((node, GDCAT.rejected, r))
                g.add((r, RDF.type, GDCAT.Rejection))
                g.add((r, GDCAT.dataset, URIRef(rejection.dataset)))
                g.add((r, PROV.used, _url(rejection.source)))
                for reason in rejection.reasons:
                    b = BNode()
                    g.add((r, GDCAT.reasonDetail, b))
                    g.add((b, RDF.type, GDCAT.ReasonDetail))
                    g.add((b, GDCAT.field, Literal(reason.path)))
                    g.add((b, SH.resultMessage, Literal(reason.message)))
                    g.add((b, SH.resultSeverity, SH[reason.severity]))
            for failure in n.failures:
                b = BNode()
                g.add((node, GDCAT.failure, b))
                g.add((b, RDF.type, GDCAT.HarvestFailure))
                g.add((b, GDCAT.url, _url(failure.url)))
                g.add((b, GDCAT.failureKind, Literal(failure.kind)))
                g.add((b, SH.resultMessage, Literal(failure.message)))
            for warning in n.warnings:
                g.add((node, GDCAT.warning, Literal(warning)))
        return g


#: How a node's live records by kind are said in the run's provenance.
HELD = {
    "datasets": GDCAT.heldDatasetCount,
    "series": GDCAT.heldSeriesCount,
    "services": GDCAT.heldServiceCount,
}


def held_text(held: dict[str, int]) -> str:
    """``12 datasets, 2 dataset series, 1 data service``."""
    words = {
        "datasets": ("dataset", "datasets"),
        "series": ("dataset series", "dataset series"),
        "services": ("data service", "data services"),
    }
    return ", ".join(
        f"{held.get(k, 0):,} {one if held.get(k, 0) == 1 else many}"
        for k, (one, many) in words.items()
    )


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def _dt(moment: datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _url(url: str) -> URIRef | Literal:
    if url.startswith(("http://", "https://", "file:")) and " " not in url:
        return URIRef(url)
    return Literal(url, datatype=XSD.anyURI)
