"""The demo federation: national nodes of the 1+MG countries with their genomic datasets.

``generate_federation`` plans every node (deterministically, from a seed) and returns
:class:`Node` objects that render their catalogue as an rdflib graph or as Turtle;
``write_federation`` writes one Turtle file per node plus a ``manifest.json`` saying what is
in each file, including the records that were broken on purpose and how.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from gdcat.demo.defects import DEFECTS, DEFECTS_BY_CODE
from gdcat.demo.plan import DatasetSpec, NodePlan, plan_federation
from gdcat.demo.render import NodeRenderer
from gdcat.demo.turtle import TripleList, write_turtle

#: Written into the manifest so that a reader knows which generator made the files.
MANIFEST_FORMAT = "gdcat-demo-federation/1"


@dataclass(frozen=True)
class InvalidRecord:
    """A record broken on purpose, with the one defect it carries."""

    dataset: str
    defect: str
    description: str
    #: The property a validation report should point at.
    path: str
    #: Validation profiles that must reject the record.
    profiles: tuple[str, ...]


@dataclass(frozen=True)
class RecordSummary:
    """What the manifest says about one record of a node."""

    iri: str
    identifier: str
    kind: str
    type: str  # "Dataset" or "DatasetSeries"
    access: str
    readiness: str
    series: str | None


@dataclass
class Node:
    """One national node: a ``dcat:Catalog`` and the records it lists."""

    id: str
    country: str  # EU country authority code (ISO 3166-1 alpha-3)
    name: str
    language: str  # BCP 47 tag of the national language
    base: str
    catalog_iri: str
    records: tuple[RecordSummary, ...]
    invalid: tuple[InvalidRecord, ...]
    _plan: NodePlan = field(repr=False, compare=False)

    @property
    def country_iri(self) -> str:
        return f"http://publications.europa.eu/resource/authority/country/{self.country}"

    @property
    def dataset_count(self) -> int:
        """Number of records (datasets and dataset series) in the node's catalogue."""
        return len(self.records)

    def graph(self) -> Graph:
        """The node's catalogue as a new rdflib graph (safe to modify)."""
        graph = Graph()
        for prefix, namespace in self._prefixes.items():
            graph.bind(prefix, namespace)
        for triple in self._triples:
            graph.add(triple)
        return graph

    def turtle(self) -> str:
        """The node's catalogue as Turtle; the same text for the same seed and size."""
        return self._turtle

    @cached_property
    def _turtle(self) -> str:
        return write_turtle(self._triples, self._prefixes)

    @cached_property
    def _prefixes(self) -> dict[str, str]:
        return NodeRenderer(self._plan.country, self._plan.base).prefixes()

    @cached_property
    def _triples(self) -> TripleList:
        plan = self._plan
        renderer = NodeRenderer(plan.country, plan.base)
        graph = TripleList()
        renderer.shared(graph)
        defects = {bad.dataset: DEFECTS_BY_CODE[bad.defect] for bad in self.invalid}
        services: list[URIRef] = []
        for spec in plan.records:
            record, service = renderer.record(spec)
            defect = defects.get(spec.iri)
            if defect is not None:
                defect.apply(record, URIRef(spec.iri))
            graph.extend(record)
            if service is not None:
                services.append(service)
        issued = min((s.issued for s in plan.records), default=date(2024, 1, 1))
        modified = max((s.modified for s in plan.records), default=date(2024, 1, 1))
        renderer.catalogue(graph, plan.records, services, issued, modified)
        return graph

    def manifest_entry(self, file: str) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for r in self.records:
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        return {
            "id": self.id,
            "country": self.country,
            "name": self.name,
            "language": self.language,
            "base": self.base,
            "catalog": self.catalog_iri,
            "file": file,
            "datasets": self.dataset_count,
            "series": sum(1 for r in self.records if r.type == "DatasetSeries"),
            "kinds": dict(sorted(kinds.items())),
            "invalid": [
                {
                    "dataset": bad.dataset,
                    "defect": bad.defect,
                    "description": bad.description,
                    "path": bad.path,
                    "profiles": list(bad.profiles),
                }
                for bad in self.invalid
            ],
        }


@dataclass
class Federation:
    """Every node of the demo, in a fixed order (by country code)."""

    seed: int
    nodes: list[Node]

    @property
    def dataset_count(self) -> int:
        return sum(n.dataset_count for n in self.nodes)

    @property
    def invalid(self) -> list[InvalidRecord]:
        return [bad for n in self.nodes for bad in n.invalid]

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def manifest(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "seed": self.seed,
            "datasets": self.dataset_count,
            "invalid": len(self.invalid),
            "nodes": [n.manifest_entry(f"{n.id}.ttl") for n in self.nodes],
        }


def generate_federation(*, seed: int = 1, datasets: int = 400, invalid: int = 8) -> Federation:
    """Plan the demo federation: ``datasets`` records over the 1+MG countries.

    ``datasets`` counts records, i.e. datasets and dataset series; ``invalid`` of them carry
    one deliberate defect each (see :mod:`gdcat.demo.defects`).
    """
    if invalid < 0:
        raise ValueError("invalid must not be negative")
    plans = plan_federation(seed, datasets)
    candidates = [
        (index, spec)
        for index, plan in enumerate(plans)
        for spec in plan.records
        if not spec.is_series
    ]
    if invalid > len(candidates):
        raise ValueError(f"cannot break {invalid} of {len(candidates)} datasets")
    picker = random.Random(f"gdcat-demo-defects-{seed}")
    chosen = sorted(picker.sample(range(len(candidates)), invalid))
    broken: dict[int, list[InvalidRecord]] = {}
    for n, position in enumerate(chosen):
        index, spec = candidates[position]
        defect = DEFECTS[n % len(DEFECTS)]
        broken.setdefault(index, []).append(
            InvalidRecord(spec.iri, defect.code, defect.description, defect.path, defect.profiles)
        )
    nodes = []
    for index, plan in enumerate(plans):
        c = plan.country
        nodes.append(
            Node(
                id=c.code,
                country=c.iso3,
                name=c.english,
                language=c.language,
                base=plan.base,
                catalog_iri=f"{plan.base}catalog/genomics",
                records=tuple(_summary(s) for s in plan.records),
                invalid=tuple(broken.get(index, ())),
                _plan=plan,
            )
        )
    return Federation(seed, nodes)


def _summary(spec: DatasetSpec) -> RecordSummary:
    return RecordSummary(
        iri=spec.iri,
        identifier=spec.identifier,
        kind=spec.kind,
        type="DatasetSeries" if spec.is_series else "Dataset",
        access=spec.access,
        readiness=spec.readiness,
        series=spec.series_iri,
    )


def write_federation(fed: Federation, out_dir: Path) -> list[Path]:
    """Write ``<out_dir>/<node id>.ttl`` for every node and ``<out_dir>/manifest.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for node in fed.nodes:
        path = out_dir / f"{node.id}.ttl"
        path.write_text(node.turtle(), encoding="utf-8")
        written.append(path)
    manifest = out_dir / "manifest.json"
    manifest.write_text(
        json.dumps(fed.manifest(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    written.append(manifest)
    return written
