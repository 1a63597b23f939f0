"""Harvesting the demo federation served as real nodes of every kind on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT

from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import ServedFederation, serve_federation
from gdcat.harvest import Harvester, RunReport, parse_registry
from gdcat.harvest.normalise import normalise
from gdcat.harvest.registry import NodeConfig
from gdcat.model.schema import slot_name_for
from gdcat.settings import Settings
from gdcat.sources.beacon import FILTERING_TERM
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"


@dataclass
class Harvested:
    federation: Federation
    served: ServedFederation
    nodes: list[NodeConfig]
    store: OxigraphStore
    harvester: Harvester
    first: RunReport
    second: RunReport
    modified_after_first: dict[str, str]


@pytest.fixture(scope="module")
def harvested() -> Iterator[Harvested]:
    federation = generate_federation(datasets=100)
    with serve_federation(federation, page_size=10) as served:
        nodes = parse_registry(_toml(served.registry()))
        store = OxigraphStore(None, BASE)
        with Harvester(store, Settings(validation_workers=1)) as harvester:
            first = harvester.run(nodes)
            modified = _modified(store)
            for node in served.nodes:
                node.requests.clear()
            second = harvester.run(nodes)
            yield Harvested(federation, served, nodes, store, harvester, first, second, modified)


def test_every_kind_of_node_is_harvested_completely(harvested: Harvested) -> None:
    kinds = {n.kind for n in harvested.first.nodes}
    assert kinds == {"fdp", "dcat", "feed", "sparql", "beacon"}
    assert {n.node: n.status for n in harvested.first.nodes} == {
        n.id: "complete" for n in harvested.nodes
    }


def test_exactly_the_valid_records_are_stored_and_the_invalid_rejected_by_field(
    harvested: Harvested,
) -> None:
    fed = harvested.federation
    must_fail = {bad.dataset: bad for bad in fed.invalid if "gdcat" in bad.profiles}
    every = {r.iri for node in fed.nodes for r in node.records}
    datasets = {iri for iri in harvested.store.list_records() if iri in every}
    assert datasets == every - set(must_fail)
    rejected = {r.dataset: r for n in harvested.first.nodes for r in n.rejected}
    assert set(rejected) == set(must_fail)
    for iri, rejection in rejected.items():
        fields = {reason.path for reason in rejection.reasons}
        assert slot_name_for(must_fail[iri].path) in fields, (iri, fields)


def test_stored_records_are_what_the_nodes_published(harvested: Harvested) -> None:
    """Whatever the node kind (FDP pages merged and stripped of the server's defaults, feed
    pages, SPARQL CONSTRUCT batches), the stored record is the published one."""
    checked = 0
    for node in harvested.served.nodes:
        if node.kind == "beacon":
            continue
        for iri, published in sorted(node.content.records.items())[:4]:
            stored = harvested.store.get_record(iri)
            if stored is None:  # rejected on purpose
                continue
            copy = Graph()
            copy += published
            assert isomorphic(stored, normalise(copy)), (node.id, node.kind, iri)
            checked += 1
    assert checked >= 60


def test_catalogue_records_carry_the_harvest_provenance(harvested: Harvested) -> None:
    node = next(n for n in harvested.served.nodes if n.kind == "fdp")
    iri = sorted(i for i in node.content.records if harvested.store.get_record(i) is not None)[0]
    record = harvested.store.catalog_record(iri)
    assert record is not None
    assert record.meta.node == node.id
    assert (
        record.meta.country
        == f"http://publications.europa.eu/resource/authority/country/{node.country}"
    )
    assert record.meta.source == node.local_url(iri)
    assert record.meta.run == harvested.first.run
    rows = harvested.store.query(
        "PREFIX gdcat: <https://w3id.org/gdcat/ns#> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?last ?status WHERE { GRAPH ?p { ?r gdcat:lastHarvestRun ?last } "
        "?last a prov:Activity ; gdcat:status ?status "
        f"FILTER(?r = <{record.iri}>) }}"
    ).rows
    assert {(r[0].value, r[1].value) for r in rows} == {(harvested.second.run, "complete")}


def test_a_second_harvest_of_the_unchanged_federation_validates_and_writes_nothing(
    harvested: Harvested,
) -> None:
    second = harvested.second.totals()
    assert second["validations"] == 0
    assert second["writes"] == 0
    assert second["added"] == second["updated"] == second["withdrawn"] == 0
    assert second["unchanged"] == harvested.first.totals()["added"]
    # nothing was rewritten: every catalogue record keeps its modification time
    assert _modified(harvested.store) == harvested.modified_after_first


def test_a_second_harvest_asks_conditionally_and_reads_nothing_again(
    harvested: Harvested,
) -> None:
    for node in harvested.served.nodes:
        if node.kind in ("fdp", "dcat", "feed"):
            statuses = {status for _, _, status in node.requests}
            assert statuses == {304}, (node.id, node.kind, statuses)
    unchanged_documents = sum(n.unchanged_documents for n in harvested.second.nodes)
    assert unchanged_documents == sum(n.documents for n in harvested.second.nodes)


def test_the_beacon_becomes_a_data_service_linked_to_its_datasets(harvested: Harvested) -> None:
    beacon = next(n for n in harvested.served.nodes if n.kind == "beacon")
    service = harvested.store.get_record(beacon.url)
    assert service is not None
    served = {URIRef(o) for o in service.objects(URIRef(beacon.url), DCAT.servesDataset)}
    assert served
    for dataset in served:
        assert harvested.store.get_record(str(dataset)) is not None
    terms = set(service.objects(URIRef(beacon.url), FILTERING_TERM))
    assert any(str(t).startswith("http://purl.obolibrary.org/obo/HP_") for t in terms)


def _modified(store: OxigraphStore) -> dict[str, str]:
    rows = store.query(
        "SELECT ?r ?m WHERE { GRAPH ?p { ?r a <http://www.w3.org/ns/dcat#CatalogRecord> ; "
        "<http://purl.org/dc/terms/modified> ?m } }",
        union_default_graph=False,
    ).rows
    return {r[0].value: r[1].value for r in rows}


def _toml(registry: dict[str, list[dict[str, str | bool]]]) -> str:
    lines = []
    for entry in registry["node"]:
        lines.append("[[node]]")
        lines += [
            f"{key} = {str(value).lower()}" if isinstance(value, bool) else f'{key} = "{value}"'
            for key, value in entry.items()
        ]
    return "\n".join(lines)
