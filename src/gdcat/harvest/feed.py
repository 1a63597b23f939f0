"""The change feed: which records were created, updated or withdrawn since a moment.

Read from the catalogue records in the provenance graph (``dct:modified``, ``adms:status``),
oldest first (then by record IRI), so a downstream harvester can poll with the last
``modified`` it saw as ``since`` and page with ``limit``; ``after`` (the last record it saw)
keeps paging exact when many records share one modification time. Withdrawn records appear
as tombstones (status ``deleted``) so that deletions propagate. Read by ``gdcat changes`` and
``GET /api/changes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from gdcat.errors import InputError, StoreError
from gdcat.store import QueryableStore
from gdcat.store.quads import QuadWriter
from gdcat.store.records import ADMS_STATUS, CONTENT_HASH, SOURCE_NODE, RecordStatus
from gdcat.vocab import ADMS, GDCAT, PREFIXES

ChangeType = TypingLiteral["created", "updated", "deleted"]
_CHANGE_TYPES: dict[RecordStatus, ChangeType] = {
    RecordStatus.CREATED: "created",
    RecordStatus.UPDATED: "updated",
    RecordStatus.WITHDRAWN: "deleted",
}


@dataclass(frozen=True)
class Change:
    record: str
    dataset: str
    status: RecordStatus
    modified: datetime
    node: str | None
    content_hash: str

    @property
    def change(self) -> ChangeType:
        """The change type: ``created``, ``updated`` or ``deleted`` (a tombstone)."""
        return _CHANGE_TYPES[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "dataset": self.dataset,
            "change": self.status.value,
            "modified": self.modified.isoformat(),
            "node": self.node,
            "content_hash": self.content_hash,
        }


def changes(
    store: QueryableStore,
    *,
    since: datetime | None = None,
    after: str | None = None,
    limit: int = 1000,
) -> list[Change]:
    """Changes after ``since`` (all when None), oldest first, at most ``limit``.

    ``after`` refines ``since``: of the records changed at that very moment, only those whose
    IRI sorts after it (the last record of the previous page); without ``since`` it changes
    nothing. The cursor keeps paging exact when many records share one modification time (a
    harvest batch is written at one instant).
    """
    if limit <= 0:
        raise InputError("limit must be positive")
    where = ""
    if since is not None:
        if since.tzinfo is None:
            raise InputError("since must carry a time zone (e.g. 2026-01-31T12:00:00Z)")
        writer = QuadWriter()
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
    out = []
    for record, dataset, status, modified, node, digest in result.rows:
        out.append(
            Change(
                _value(record),
                _value(dataset),
                RecordStatus.from_iri(_value(status)),
                datetime.fromisoformat(_value(modified)),
                _value(node) if node is not None else None,
                _value(digest),
            )
        )
    return out


def _value(term: object) -> str:
    """The IRI or lexical form of a result term (``str()`` gives its N-Triples form)."""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    raise StoreError(f"unexpected value in a catalogue record: {term!r}")


def changes_graph(items: list[Change]) -> Graph:
    """The changes as DCAT catalogue records (tombstones included)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for c in items:
        r = URIRef(c.record)
        g.add((r, RDF.type, DCAT.CatalogRecord))
        g.add((r, FOAF.primaryTopic, URIRef(c.dataset)))
        g.add((r, ADMS.status, URIRef(c.status.iri)))
        g.add((r, DCTERMS.modified, Literal(c.modified.isoformat(), datatype=XSD.dateTime)))
        g.add((r, GDCAT.contentHash, Literal(c.content_hash)))
        if c.node:
            g.add((r, GDCAT.sourceNode, Literal(c.node)))
    return g
