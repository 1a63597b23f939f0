"""The national nodes gdcat knows, as everyone may read them: how gdcat reaches each node, its
live records, its last harvest, its harvest history and its records.

Read by ``/api/nodes`` (the admin API) and by the nodes pages (``/nodes``): one reading, two
forms. A node is known from the node registry file, from its self-registration, or only from
its records (a node whose stewards publish over the API).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF

from gdcat.harvest.registration import Registration, list_registrations
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.runs import COUNT_KEYS, LastNodeRun, last_harvests, record_counts, run_id
from gdcat.store import RecordStatus, Store
from gdcat.store.records import ADMS_STATUS, SOURCE_NODE
from gdcat.vocab import GDCAT

Origin = Literal["registry", "registration", "store"]
#: How a node's records can be ordered (``-`` first: descending).
RECORD_SORTS = ("title", "-title", "-modified", "modified")

_SERIES = f"{DCAT}DatasetSeries"
_SERVICE = f"{DCAT}DataService"


@dataclass(frozen=True)
class NodeOverview:
    """A national node: how gdcat reaches it, its records, its last harvest."""

    id: str
    origin: Origin
    kind: str | None = None
    url: str | None = None
    country: str | None = None
    name: str | None = None
    profile: str | None = None
    policy: str | None = None
    schedule: str | None = None
    enabled: bool | None = None
    registration: Registration | None = None
    #: live records held for the node
    records: int = 0
    #: of which written by its stewards over the API
    published: int = 0
    last_harvest: LastNodeRun | None = None


def node_overviews(
    store: Store, registry: Sequence[NodeConfig], default_profile: str
) -> list[NodeOverview]:
    """Every node, by id: those of ``registry``, those that registered themselves, and those
    known only from their records; each with its live record count and its last harvest."""
    counts = record_counts(store)
    harvests = last_harvests(store)
    found: dict[str, NodeOverview] = {}

    def numbers(overview: NodeOverview) -> NodeOverview:
        records, published = counts.get(overview.id, (0, 0))
        return replace(
            overview,
            records=records,
            published=published,
            last_harvest=harvests.get(overview.id),
        )

    for n in registry:
        found[n.id] = numbers(
            NodeOverview(
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
            )
        )
    for r in list_registrations(store):
        if r.node_id in found:
            continue
        found[r.node_id] = numbers(
            NodeOverview(
                id=r.node_id,
                origin="registration",
                kind="fdp",
                url=r.client_url,
                profile=default_profile,
                policy="reject",
                enabled=r.status != "failed",
                registration=r,
            )
        )
    for node in counts:
        if node not in found:
            found[node] = numbers(NodeOverview(id=node, origin="store"))
    return [found[k] for k in sorted(found)]


# -- one node's records and history -------------------------------------------------------------


@dataclass(frozen=True)
class NodeRecord:
    """One live record of a node, as a list shows it."""

    record: str
    dataset: str
    #: ``dataset``, ``series`` or ``service``
    kind: str
    #: the English (else untagged, else any) title; None when the record has none
    title: str | None
    modified: datetime | None


@dataclass(frozen=True)
class NodeRun:
    """One harvest run's part at a node (a line of the node's history)."""

    run: str
    run_iri: str
    started: datetime
    status: str
    counts: dict[str, int]


def _literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def node_records(
    store: Store, node: str, *, sort: str = "title", limit: int = 50, offset: int = 0
) -> tuple[list[NodeRecord], int]:
    """A page of ``node``'s live records in the order ``sort`` (one of :data:`RECORD_SORTS`),
    and how many live records it has."""
    if sort not in RECORD_SORTS:
        raise ValueError(f"sort must be one of {', '.join(RECORD_SORTS)}")
    prov = store.provenance_graph
    where = (
        f"GRAPH <{prov}> {{ ?record <{FOAF.primaryTopic}> ?dataset ; <{SOURCE_NODE}> "
        f"{_literal(node)} ; <{DCTERMS.modified}> ?modified "
        f"FILTER NOT EXISTS {{ ?record <{ADMS_STATUS}> <{RecordStatus.WITHDRAWN.iri}> }} }}"
    )
    counted = store.query(
        f"SELECT (COUNT(?record) AS ?n) WHERE {{ {where} }}", union_default_graph=False
    )
    total = int(str(counted.rows[0][0].value)) if counted.rows else 0  # type: ignore[union-attr]
    key = "LCASE(STR(?title))" if sort.endswith("title") else "?modified"
    order = f"DESC({key})" if sort.startswith("-") else f"ASC({key})"
    # records without a title go last either way
    result = store.query(
        f"SELECT ?record ?dataset ?modified ?title ?series ?service WHERE {{ "
        f"{{ SELECT ?record ?dataset ?modified (SAMPLE(?t) AS ?title) "
        f"(MAX(?isSeries) AS ?series) (MAX(?isService) AS ?service) WHERE {{ {where} "
        f"OPTIONAL {{ GRAPH ?record {{ ?dataset <{DCTERMS.title}> ?t "
        f'FILTER(LANGMATCHES(LANG(?t), "en") || LANG(?t) = "") }} }} '
        f"OPTIONAL {{ GRAPH ?record {{ ?dataset <{RDF.type}> ?type }} }} "
        f"BIND(COALESCE(?type = <{_SERIES}>, false) AS ?isSeries) "
        f"BIND(COALESCE(?type = <{_SERVICE}>, false) AS ?isService) "
        f"}} GROUP BY ?record ?dataset ?modified }} "
        f"}} ORDER BY (!BOUND(?title)) {order} ?record LIMIT {int(limit)} OFFSET {int(offset)}",
        union_default_graph=False,
    )
    out = []
    for record, dataset, modified, title, series, service in result.rows:
        assert isinstance(record, ox.NamedNode) and isinstance(dataset, ox.NamedNode)
        if title is None:
            title = _any_title(store, record.value, dataset.value)
        out.append(
            NodeRecord(
                record=record.value,
                dataset=dataset.value,
                kind="series" if _true(series) else "service" if _true(service) else "dataset",
                title=title.value if isinstance(title, ox.Literal) else None,
                modified=_moment(modified),
            )
        )
    return out, total


def _any_title(store: Store, record: str, dataset: str) -> ox.Literal | None:
    rows = store.query(
        f"SELECT ?t WHERE {{ GRAPH <{record}> {{ <{dataset}> <{DCTERMS.title}> ?t }} }} "
        "ORDER BY STR(?t) LIMIT 1",
        union_default_graph=False,
    ).rows
    found = rows[0][0] if rows else None
    return found if isinstance(found, ox.Literal) else None


def _true(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.value in ("true", "1")


def _moment(term: object) -> datetime | None:
    if isinstance(term, ox.Literal):
        try:
            return datetime.fromisoformat(term.value)
        except ValueError:
            return None
    return None


def node_history(store: Store, node: str, *, limit: int = 20) -> list[NodeRun]:
    """The last ``limit`` harvest runs that harvested ``node``, newest first."""
    prov = store.provenance_graph
    keys = " ".join(f"?{k}" for k in COUNT_KEYS)
    bound = " ".join(f"OPTIONAL {{ ?nh <{GDCAT[f'{k}Count']}> ?{k} }}" for k in COUNT_KEYS)
    result = store.query(
        f"SELECT ?run ?started ?status {keys} WHERE {{ GRAPH <{prov}> {{ "
        f"?run a <{GDCAT.HarvestRun}> ; <{PROV.startedAtTime}> ?started ; "
        f"<{GDCAT.nodeHarvest}> ?nh . ?nh <{GDCAT.node}> {_literal(node)} "
        f"OPTIONAL {{ ?nh <{GDCAT.status}> ?status }} {bound} }} }} "
        f"ORDER BY DESC(?started) DESC(STR(?run)) LIMIT {int(limit)}",
        union_default_graph=False,
    )
    out = []
    for row in result.rows:
        run, started, status, *counts = row
        assert isinstance(run, ox.NamedNode)
        moment = _moment(started)
        assert moment is not None
        out.append(
            NodeRun(
                run=run_id(store, run.value),
                run_iri=run.value,
                started=moment,
                status=status.value if isinstance(status, ox.Literal) else "failed",
                counts={
                    k: int(c.value) if isinstance(c, ox.Literal) else 0
                    for k, c in zip(COUNT_KEYS, counts, strict=True)
                },
            )
        )
    return out
