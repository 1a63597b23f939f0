"""The audit trail of publishing: one ``prov:Activity`` per write attempt, in the store.

Every attempt a steward makes with a valid token is kept, whether it was accepted, refused by
validation, forbidden or unusable, in the graph ``{base}graph/audit``::

    <{base}audit/20260131T120000123456Z-1a2b3c4d> a prov:Activity, gdcat:PublishAttempt ;
        prov:startedAtTime "2026-01-31T12:00:00.123456Z"^^xsd:dateTime ;
        gdcat:node "nl" ;                      # the token's node
        gdcat:tokenId "tok-9f8e7d6c" ;          # the token's id, never the token
        gdcat:publishAction "put" ;             # put | delete
        gdcat:publishOutcome "created" ;        # see Outcome
        gdcat:httpStatus 201 ;
        gdcat:dataset <https://nl.example/dataset/1> ;
        gdcat:reason "..." .                    # why, when it was not accepted

Entry ids start with the time (to the microsecond, strictly increasing within a process), so
that sorting them sorts the trail.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import PROV, RDF, XSD

from gdcat.errors import StoreError
from gdcat.store import Store
from gdcat.store.quads import QuadWriter, UnwritableTermError
from gdcat.vocab import GDCAT

Action = Literal["put", "delete"]
#: created, replaced, withdrawn: accepted; refused: validation violations (422); forbidden:
#: another node's record or node (403); not-found: nothing to delete (404); unusable: the
#: request could not be used (400, 413, 415); failed: the store failed (5xx).
Outcome = Literal[
    "created", "replaced", "withdrawn", "refused", "forbidden", "not-found", "unusable", "failed"
]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

PUBLISH_ATTEMPT = GDCAT.PublishAttempt
TOKEN_ID = GDCAT.tokenId
PUBLISH_ACTION = GDCAT.publishAction
PUBLISH_OUTCOME = GDCAT.publishOutcome
HTTP_STATUS = GDCAT.httpStatus

#: Longest reason kept (a refused record's report is in the answer, not in the trail).
_MAX_REASON = 2000


@dataclass(frozen=True)
class AuditEntry:
    """One write attempt."""

    iri: str
    time: datetime
    node: str
    token_id: str
    action: str
    outcome: str
    status: int
    dataset: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.iri.rsplit("/", 1)[-1],
            "iri": self.iri,
            "time": _timestamp(self.time),
            "node": self.node,
            "token_id": self.token_id,
            "action": self.action,
            "outcome": self.outcome,
            "status": self.status,
            "dataset": self.dataset,
            "reason": self.reason,
        }


def audit_graph_iri(store: Store) -> str:
    return f"{store.base_iri}graph/audit"


class AuditTrail:
    """Writes and reads the audit trail of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.graph_iri = audit_graph_iri(store)
        self._clock = threading.Lock()
        self._last = datetime.min.replace(tzinfo=UTC)

    def record(
        self,
        *,
        node: str,
        token_id: str,
        action: Action,
        outcome: Outcome,
        status: int,
        dataset: str | None,
        reason: str | None = None,
    ) -> AuditEntry:
        """Add one attempt to the trail (raises :class:`StoreError` if the store fails)."""
        with self._clock:
            # strictly increasing within a process, so that ids sort as the attempts came
            now = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
            self._last = now
        entry_id = now.strftime("%Y%m%dT%H%M%S%fZ-") + secrets.token_hex(4)
        iri = f"{self.store.base_iri}audit/{entry_id}"
        if dataset is not None and not _writable_iri(dataset):
            unusable = dataset[:200]
            reason = f"{reason or ''} (dataset IRI not usable: {unusable!r})".strip()
            dataset = None
        if reason is not None and len(reason) > _MAX_REASON:
            reason = reason[: _MAX_REASON - 1] + "…"
        entry = AuditEntry(iri, now, node, token_id, action, outcome, status, dataset, reason)
        self.store.put_graph(self.graph_iri, _entry_graph(entry), replace=False)
        return entry

    def entries(
        self,
        *,
        node: str | None = None,
        dataset: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[AuditEntry], int]:
        """Entries newest first (of one node, or about one dataset, if given) and how many
        there are in all."""
        writer = QuadWriter()
        filters = ""
        if node is not None:
            filters += f"FILTER(?node = {writer.literal(node)}) "
        if dataset is not None:
            if not _writable_iri(dataset):
                return [], 0
            filters += f"FILTER(?dataset = {writer.iri(dataset)}) "
        pattern = (
            f"GRAPH <{self.graph_iri}> {{ ?entry a <{PUBLISH_ATTEMPT}> ; "
            f"<{PROV.startedAtTime}> ?time ; <{GDCAT.node}> ?node ; <{TOKEN_ID}> ?token ; "
            f"<{PUBLISH_ACTION}> ?action ; <{PUBLISH_OUTCOME}> ?outcome ; "
            f"<{HTTP_STATUS}> ?status "
            f"OPTIONAL {{ ?entry <{GDCAT.dataset}> ?dataset }} "
            f"OPTIONAL {{ ?entry <{GDCAT.reason}> ?reason }} {filters}}}"
        )
        total_result = self.store.query(
            f"SELECT (COUNT(?entry) AS ?n) WHERE {{ {pattern} }}", union_default_graph=False
        )
        total = int(_text(total_result.rows[0][0])) if total_result.rows else 0
        result = self.store.query(
            "SELECT ?entry ?time ?node ?token ?action ?outcome ?status ?dataset ?reason "
            f"WHERE {{ {pattern} }} ORDER BY DESC(STR(?entry)) "
            f"LIMIT {int(limit)} OFFSET {int(offset)}",
            union_default_graph=False,
        )
        entries = []
        for row in result.rows:
            entry, time, node_, token, action, outcome, status, dataset_, reason = row
            entries.append(
                AuditEntry(
                    iri=_text(entry),
                    time=datetime.fromisoformat(_text(time)),
                    node=_text(node_),
                    token_id=_text(token),
                    action=_text(action),
                    outcome=_text(outcome),
                    status=int(_text(status)),
                    dataset=_text(dataset_) if dataset_ is not None else None,
                    reason=_text(reason) if reason is not None else None,
                )
            )
        return entries, total


def _entry_graph(entry: AuditEntry) -> Graph:
    g = Graph()
    subject = URIRef(entry.iri)
    g.add((subject, RDF.type, PROV.Activity))
    g.add((subject, RDF.type, PUBLISH_ATTEMPT))
    g.add((subject, PROV.startedAtTime, RdfLiteral(_timestamp(entry.time), datatype=XSD.dateTime)))
    g.add((subject, GDCAT.node, RdfLiteral(entry.node)))
    g.add((subject, TOKEN_ID, RdfLiteral(entry.token_id)))
    g.add((subject, PUBLISH_ACTION, RdfLiteral(entry.action)))
    g.add((subject, PUBLISH_OUTCOME, RdfLiteral(entry.outcome)))
    g.add((subject, HTTP_STATUS, RdfLiteral(entry.status, datatype=XSD.integer)))
    if entry.dataset is not None:
        g.add((subject, GDCAT.dataset, URIRef(entry.dataset)))
    if entry.reason:
        g.add((subject, GDCAT.reason, RdfLiteral(entry.reason)))
    return g


def _writable_iri(value: str) -> bool:
    try:
        QuadWriter().iri(value)
        ox.NamedNode(value)
    except (UnwritableTermError, ValueError):
        return False
    return True


def _timestamp(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat(timespec="microseconds")
    return text.replace("+00:00", "Z")


def _text(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    raise StoreError(f"unexpected value in the audit trail: {term!r}")
