"""What the harvester remembers about a node between runs.

Kept in the store (graph ``{base}graph/harvest/{node}``), written only after a node's records
were written, so that a run killed half way leaves the previous state and the next run reads
again whatever it needs:

- per page: its validators (``ETag``, ``Last-Modified``), the SHA-256 of its body and the links
  it led to, so that an unchanged page costs one conditional request and no parsing;
- per rejected record: its content hash and reasons, so that an invalid record that does not
  change is not validated again (and the report still says why it is out).
- what the node holds by kind, with a digest of the records counted, so that a run that
  changes nothing reports it without counting the node's records again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import Reason
from gdcat.sources import PageState, Validators
from gdcat.store import Store
from gdcat.vocab import GDCAT

_FORMAT = 2


@dataclass(frozen=True)
class RejectedRecord:
    content_hash: str
    source: str
    reasons: tuple[Reason, ...]
    #: the profile and policy it was rejected under: a change of either decides again
    profile: str = ""
    policy: str = ""


@dataclass(frozen=True)
class HeldCounts:
    """A node's records by kind (``datasets``, ``series``, ``services``), counted over the
    records whose :func:`records_digest` is ``digest``."""

    digest: str
    counts: dict[str, int]


def records_digest(hashes: Mapping[str, str]) -> str:
    """A digest of a set of records: each IRI with its content hash, in order."""
    digest = hashlib.sha256()
    for iri in sorted(hashes):
        digest.update(f"{iri} {hashes[iri]}\n".encode())
    return digest.hexdigest()


@dataclass
class NodeState:
    pages: dict[str, PageState] = field(default_factory=dict)
    rejected: dict[str, RejectedRecord] = field(default_factory=dict)
    last_run: str | None = None
    #: when the last run that completed this node's bookkeeping started (ISO 8601)
    harvested_at: str | None = None
    #: document URL -> the records last read from it (what an unchanged document still holds)
    documents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the node's records by kind as the last run counted them, and the digest of the records
    #: (IRI and content hash) they were counted over: a run that finds the same digest and
    #: changes nothing reports them without counting again
    held: HeldCounts | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "last_run": self.last_run,
            "harvested_at": self.harvested_at,
            "pages": [
                [p.url, p.validators.etag, p.validators.last_modified, p.body_hash, list(p.links)]
                for p in self.pages.values()
            ],
            "rejected": [
                [
                    iri,
                    r.content_hash,
                    r.source,
                    [[x.path, x.message, x.severity] for x in r.reasons],
                    r.profile,
                    r.policy,
                ]
                for iri, r in self.rejected.items()
            ],
            "documents": {url: list(iris) for url, iris in self.documents.items()},
            "held": None if self.held is None else [self.held.digest, self.held.counts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NodeState:
        if data.get("format") != _FORMAT:
            return cls()
        pages = {
            url: PageState(url, Validators(etag, modified), body_hash, tuple(links))
            for url, etag, modified, body_hash, links in data.get("pages", [])
        }
        rejected = {
            iri: RejectedRecord(
                h, source, tuple(Reason(p, m, s) for p, m, s in reasons), profile, policy
            )
            for iri, h, source, reasons, profile, policy in data.get("rejected", [])
        }
        documents = {url: tuple(iris) for url, iris in data.get("documents", {}).items()}
        held = data.get("held")
        return cls(
            pages,
            rejected,
            data.get("last_run"),
            data.get("harvested_at"),
            documents,
            None if held is None else HeldCounts(held[0], dict(held[1])),
        )


def state_graph_iri(store: Store, node: str) -> str:
    return f"{store.base_iri}graph/harvest/{node}"


def load_state(store: Store, node: str) -> NodeState:
    # The one literal, by a query: reading the graph whole goes through the restoring of
    # model datatypes, whose first use loads the LinkML schema (a third of a re-harvest's
    # CPU at 2,500 records, for a JSON string). Node ids are checked by the registry
    # (letters, digits, ``_.-``): safe in the query text.
    result = store.query(
        f"SELECT ?state WHERE {{ GRAPH <{state_graph_iri(store, node)}> "
        f"{{ ?s <{GDCAT.harvestState}> ?state }} }} LIMIT 1",
        union_default_graph=False,
    )
    for (value,) in result.rows:
        if not isinstance(value, ox.Literal):
            break
        try:
            return NodeState.from_json(json.loads(value.value))
        except (ValueError, TypeError):
            return NodeState()  # unreadable: start afresh (everything is read again)
    return NodeState()


def save_state(store: Store, node: str, state: NodeState) -> None:
    iri = state_graph_iri(store, node)
    graph = Graph()
    text = json.dumps(state.to_json(), separators=(",", ":"), ensure_ascii=False)
    graph.add((URIRef(iri), GDCAT.harvestState, Literal(text)))
    store.put_graph(iri, graph)


def due_nodes(store: Store, nodes: Sequence[NodeConfig], now: datetime) -> list[NodeConfig]:
    """The nodes whose schedule says they are due: never harvested, or harvested longer ago
    than their period (nodes with a ``manual`` schedule never are)."""
    due = []
    for node in nodes:
        interval = node.interval
        if interval is None:
            continue
        last = load_state(store, node.id).harvested_at
        if last is None or now - datetime.fromisoformat(last) >= interval:
            due.append(node)
    return due
