"""A node's harvest writes only the node's own records.

Two demo nodes served over real HTTP, harvested into a real store: node ``at`` (a DCAT document)
starts listing datasets node ``de`` holds, one harvested from ``de``'s feed, one its steward
published over the API. ``at``'s harvest stores neither, leaves ``de``'s records exactly as
they were, and its run report says why; ``de``'s own harvest goes on as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from gdcat.demo import generate_federation
from gdcat.demo.nodes import ServedFederation, serve_federation
from gdcat.harvest import Harvester, NodeConfig, NodeReport, RunReport
from gdcat.harvest.state import load_state
from gdcat.publish import Caller, Publisher
from gdcat.settings import Settings
from gdcat.store import CatalogRecord, OxigraphStore
from gdcat.store.inventory import count_record_kinds

BASE = "http://127.0.0.1:8000/"
HOLDER, OTHER = "de", "at"
DATASETS = "https://fdp.de.demo.gdcat.eu/dataset/"
STEWARD = Caller("steward", HOLDER, "tok-0000beef", "DEU")


@dataclass
class Bench:
    served: ServedFederation
    configs: dict[str, NodeConfig]
    store: OxigraphStore
    harvester: Harvester
    publisher: Publisher
    last: RunReport | None = None

    def harvest(self, *nodes: str) -> dict[str, NodeReport]:
        self.last = self.harvester.run([self.configs[n] for n in nodes])
        return {n.node: n for n in self.last.nodes}


@pytest.fixture
def bench() -> Iterator[Bench]:
    federation = generate_federation(datasets=100, invalid=0)
    with serve_federation(federation, kinds={HOLDER: "feed", OTHER: "dcat"}) as served:
        configs = {
            entry["id"]: NodeConfig(**entry, timeout=5.0, retries=0)
            for entry in served.registry()["node"]
        }
        settings = Settings(base_iri=BASE, validation_workers=1)
        store = OxigraphStore(None, BASE)
        publisher = Publisher(store, settings)
        with Harvester(store, settings) as harvester:
            yield Bench(served, configs, store, harvester, publisher)
        publisher.close()
        store.close()


def copy_titled(graph: Graph, iri: str, title: str) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    out.set((URIRef(iri), DCTERMS.title, Literal(title, lang="en")))
    return out


def state_of(store: OxigraphStore, iri: str) -> tuple[Graph | None, CatalogRecord | None]:
    return store.get_record(iri), store.catalog_record(iri)


def test_a_nodes_harvest_leaves_another_nodes_records_alone_and_says_why(bench: Bench) -> None:
    first = bench.harvest(HOLDER)[HOLDER]
    assert first.status == "complete" and len(first.added) == 9
    harvested, published = f"{DATASETS}de-wgs-0001", f"{DATASETS}de-wes-0001"
    holder = bench.served.node(HOLDER).content
    body = copy_titled(holder.records[published], published, "Published by de's steward")
    done = bench.publisher.put(
        STEWARD, HOLDER, published, body.serialize(format="turtle").encode(), "text/turtle"
    )
    assert done.status == "replaced"
    before = {iri: state_of(bench.store, iri) for iri in (harvested, published)}

    # node at's catalogue starts listing both datasets of node de, in its own versions
    other = bench.served.node(OTHER).content
    for iri in (harvested, published):
        other.put(iri, copy_titled(holder.records[iri], iri, "Taken over by at"))
    report = bench.harvest(OTHER)[OTHER]

    assert report.status == "complete", report.reasons
    assert harvested not in report.added + report.updated
    assert published not in report.added + report.updated
    assert len(report.added) == len(other.records) - 2  # at's own datasets are stored
    reasons = {r.dataset: " ".join(x.message for x in r.reasons) for r in report.rejected}
    assert "held by node de" in reasons[harvested]
    assert "published over the API by node de" in reasons[published]
    for iri, (graph, record) in before.items():
        graph_after, record_after = state_of(bench.store, iri)
        assert record_after == record, iri
        assert graph is not None and graph_after is not None
        assert set(graph_after) == set(graph), iri
    # the run report, as stored, says it too
    assert bench.last is not None
    stored = {str(o) for o in bench.store.get_graph(bench.last.run).objects()}
    assert any("held by node de" in text for text in stored)

    # harvested together again, at's document changed: de's records still follow de, and
    # at's harvest still refuses them
    for iri in (harvested, published):
        other.put(iri, copy_titled(holder.records[iri], iri, "Taken over by at, again"))
    both = bench.harvest(HOLDER, OTHER)
    assert both[HOLDER].status == "complete" and both[HOLDER].withdrawn == []
    assert {r.dataset for r in both[OTHER].rejected} >= {harvested, published}
    for iri, (graph, record) in before.items():
        graph_after, record_after = state_of(bench.store, iri)
        assert record_after is not None and record is not None
        assert record_after.meta == record.meta and not record_after.withdrawn
        assert graph_after is not None and graph is not None and set(graph_after) == set(graph)


def test_what_a_node_holds_is_reported_rightly_by_runs_that_change_nothing(bench: Bench) -> None:
    """A run that writes and withdraws nothing reports the count the last one made, as long
    as the node's records are still the ones counted; a record the node's steward published
    in between is counted."""
    first = bench.harvest(HOLDER)[HOLDER]
    second = bench.harvest(HOLDER)[HOLDER]
    assert second.added == second.updated == [] and second.unchanged == len(first.added)
    counted = count_record_kinds(bench.store, HOLDER).to_json()
    assert first.held == second.held == counted and counted["datasets"] == len(first.added)
    assert load_state(bench.store, HOLDER).held is not None

    holder = bench.served.node(HOLDER).content
    source = f"{DATASETS}de-wgs-0001"
    extra = f"{DATASETS}de-published-extra"
    text = holder.records[source].serialize(format="turtle").replace(source, extra)
    done = bench.publisher.put(STEWARD, HOLDER, extra, text.encode(), "text/turtle")
    assert done.status == "created"
    third = bench.harvest(HOLDER)[HOLDER]
    assert third.added == third.updated == third.withdrawn == []
    assert third.held == count_record_kinds(bench.store, HOLDER).to_json()
    assert third.held["datasets"] == counted["datasets"] + 1
    fourth = bench.harvest(HOLDER)[HOLDER]
    assert fourth.held == third.held
