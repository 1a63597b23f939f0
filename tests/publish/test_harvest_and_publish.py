"""Harvesting and publishing share a node's records without undoing each other.

Node ``de`` of the demo federation served as a real FAIR Data Point, harvested into a real
store; its steward publishes through the real publisher. When the node's catalogue then
changes the same dataset, or drops it, or never listed it, the harvest leaves the published
version alone and says so; the node's other records follow the catalogue as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from gdcat.demo import generate_federation
from gdcat.demo.nodes import ServedNode, serve_federation
from gdcat.harvest import Harvester, NodeConfig, NodeReport
from gdcat.publish import Caller, Publisher, is_published_source
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"
NODE = "de"
DATASETS = "https://fdp.de.demo.gdcat.eu/dataset/"
STEWARD = Caller("steward", NODE, "tok-0000beef", "DEU")


@dataclass
class Bench:
    node: ServedNode
    config: NodeConfig
    store: OxigraphStore
    harvester: Harvester
    publisher: Publisher

    def harvest(self) -> NodeReport:
        (report,) = self.harvester.run([self.config]).nodes
        return report


@pytest.fixture
def bench() -> Iterator[Bench]:
    federation = generate_federation(datasets=100, invalid=0)
    with serve_federation(federation, kinds={NODE: "fdp"}, page_size=2) as served:
        (entry,) = served.registry()["node"]
        config = NodeConfig(**entry, timeout=5.0, retries=0)
        settings = Settings(base_iri=BASE, validation_workers=1)
        store = OxigraphStore(None, BASE)
        publisher = Publisher(store, settings)
        with Harvester(store, settings) as harvester:
            yield Bench(served.node(NODE), config, store, harvester, publisher)
        publisher.close()
        store.close()


def retitled(graph: Graph, iri: str, title: str) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    out.set((URIRef(iri), DCTERMS.title, Literal(title, lang="en")))
    return out


def titles(store: OxigraphStore, iri: str) -> set[str]:
    graph = store.get_record(iri)
    assert graph is not None, iri
    return {str(t) for t in graph.objects(URIRef(iri), DCTERMS.title)}


def test_the_harvest_neither_overwrites_nor_withdraws_published_records(bench: Bench) -> None:
    first = bench.harvest()
    assert first.status == "complete" and len(first.added) == 9
    corrected, dropped, untouched = (
        f"{DATASETS}de-wes-0001",
        f"{DATASETS}de-wgs-0002",
        f"{DATASETS}de-wgs-0001",
    )
    content = bench.node.content
    for iri, title in ((corrected, "Corrected by the steward"), (dropped, "Kept by the steward")):
        body = retitled(content.records[iri], iri, title).serialize(format="turtle").encode()
        published = bench.publisher.put(STEWARD, NODE, iri, body, "text/turtle")
        assert published.status == "replaced"

    # the node changes the corrected dataset, drops another, and changes one nobody published
    content.put(corrected, retitled(content.records[corrected], corrected, "The node's version"))
    content.delete(dropped)
    content.put(untouched, retitled(content.records[untouched], untouched, "Changed at the node"))
    report = bench.harvest()

    assert report.status == "complete", report.reasons
    assert report.updated == [untouched]
    assert report.withdrawn == [] and report.kept == []
    assert titles(bench.store, corrected) == {"Corrected by the steward"}
    assert titles(bench.store, dropped) == {"Kept by the steward"}
    assert titles(bench.store, untouched) == {"Changed at the node"}
    assert any(corrected in w and "published" in w for w in report.warnings)
    for iri in (corrected, dropped):
        record = bench.store.catalog_record(iri)
        assert record is not None and not record.withdrawn

    # a node that withdraws a dataset nobody published still withdraws it
    content.delete(untouched)
    assert bench.harvest().withdrawn == [untouched]


def test_a_steward_publishing_while_the_harvest_runs_is_neither_overwritten_nor_withdrawn(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bench.harvest().status == "complete"
    changed, dropped = f"{DATASETS}de-wes-0001", f"{DATASETS}de-wgs-0002"
    content = bench.node.content
    bodies = {
        iri: retitled(content.records[iri], iri, "Published during the harvest")
        .serialize(format="turtle")
        .encode()
        for iri in (changed, dropped)
    }
    # the node changes one dataset and drops another ...
    content.put(changed, retitled(content.records[changed], changed, "The node's version"))
    content.delete(dropped)
    # ... and its steward publishes both while the harvest is reading the node: after the
    # harvest looked at what the store held, before it writes
    answer = bench.node._handle
    published: list[str] = []

    def publish_then_answer(request: Any) -> Any:
        if not published:
            for iri, body in bodies.items():
                published.append(
                    bench.publisher.put(STEWARD, NODE, iri, body, "text/turtle").status
                )
        return answer(request)

    monkeypatch.setattr(bench.node, "_handle", publish_then_answer)
    report = bench.harvest()

    assert published == ["replaced", "replaced"]
    assert titles(bench.store, changed) == {"Published during the harvest"}
    assert titles(bench.store, dropped) == {"Published during the harvest"}
    for iri in (changed, dropped):
        record = bench.store.catalog_record(iri)
        assert record is not None and not record.withdrawn
        assert is_published_source(BASE, record.meta.source)
    assert report.withdrawn == [] and report.kept == [dropped]
    assert changed not in report.updated
    (refused,) = [r for r in report.rejected if r.dataset == changed]
    assert "published over the API by node de" in refused.reasons[0].message
    assert any(dropped in w and "published over the API by node de" in w for w in report.warnings)
