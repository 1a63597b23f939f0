"""A harvest never loses records by accident, and changes exactly what the node changed.

Against demo nodes served over real HTTP: a feed whose page 3 of 5 fails, or that suddenly
publishes an empty catalogue, withdraws nothing (the run is partial, with the reason) until the
operator allows the shrink; a node that changes, deletes and adds one dataset costs exactly
two validations and two writes; one invalid record is rejected (or, under the ``accept``
policy, stored with its violations) without holding back the node's other changes; a dry run
reports what would change and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import ServedFederation, ServedNode, serve_federation
from gdcat.harvest.pipeline import Harvester
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import NodeReport
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"
#: the demo node used throughout: 9 datasets (no series) in a federation of 100
NODE = "de"
DATASETS = "https://fdp.de.demo.gdcat.eu/dataset/"


@pytest.fixture(scope="module")
def federation() -> Federation:
    fed = generate_federation(datasets=100, invalid=0)
    assert len(fed.node(NODE).records) == 9
    return fed


@dataclass
class Bench:
    """One served node, its registry entry, a store and a harvester (reused across runs)."""

    served: ServedFederation
    node: ServedNode
    config: NodeConfig
    store: OxigraphStore
    harvester: Harvester

    def harvest(self, *, dry_run: bool = False, allow_shrink: tuple[str, ...] = ()) -> NodeReport:
        report = self.harvester.run([self.config], dry_run=dry_run, allow_shrink=allow_shrink)
        (node,) = report.nodes
        return node

    @property
    def records(self) -> list[str]:
        return sorted(self.node.content.records)


@pytest.fixture
def bench(federation: Federation, request: pytest.FixtureRequest) -> Iterator[Bench]:
    """Node ``de`` served as ``request.param`` (a kind, or ``(kind, policy)``)."""
    kind, policy = request.param if isinstance(request.param, tuple) else (request.param, "reject")
    with serve_federation(federation, kinds={NODE: kind}, page_size=2) as served:
        (entry,) = served.registry(policy=policy)["node"]
        config = NodeConfig(**entry, timeout=5.0, retries=0)
        store = OxigraphStore(None, BASE)
        with Harvester(store, Settings(validation_workers=1)) as harvester:
            yield Bench(served, served.node(NODE), config, store, harvester)
        store.close()


def hashes(store: OxigraphStore) -> dict[str, str]:
    return store.record_hashes()


def withdrawn(store: OxigraphStore, iris: list[str]) -> list[str]:
    """Those of ``iris`` whose catalogue record is a tombstone."""
    out = []
    for iri in iris:
        record = store.catalog_record(iri)
        assert record is not None, iri
        if record.withdrawn:
            out.append(iri)
    return out


def titles(graph: Graph, iri: str) -> set[str]:
    return {str(t) for t in graph.objects(URIRef(iri), DCTERMS.title)}


def retitled(graph: Graph, iri: str, suffix: str) -> Graph:
    """A copy of a record whose every title ends with ``suffix``."""
    out = Graph()
    subject = URIRef(iri)
    for s, p, o in graph:
        if s == subject and p == DCTERMS.title and isinstance(o, Literal):
            o = Literal(f"{o}{suffix}", lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out


def untitled(graph: Graph, iri: str) -> Graph:
    """A copy of a record without its title (a required field)."""
    out = Graph()
    for triple in graph:
        if triple[0] != URIRef(iri) or triple[1] != DCTERMS.title:
            out.add(triple)
    return out


def renamed(graph: Graph, iri: str, new_iri: str) -> Graph:
    """A copy of a record as another dataset: IRIs under ``iri`` and its identifier renamed."""
    old_id, new_id = iri.rsplit("/", 1)[1], new_iri.rsplit("/", 1)[1]
    out = Graph()

    def rename(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(iri):
            return URIRef(new_iri + str(term)[len(iri) :])
        if isinstance(term, Literal) and str(term) == old_id:
            return Literal(new_id, lang=term.language, datatype=term.datatype)
        return term

    for s, p, o in graph:
        out.add((rename(s), p, rename(o)))
    return out


def feed_pages(node: ServedNode) -> list[str]:
    return sorted({path for _, path, _ in node.requests if path.startswith("/feed")})


# -- a page fails, the catalogue empties -------------------------------------------------


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_a_failed_page_withdraws_nothing(bench: Bench) -> None:
    first = bench.harvest()
    assert first.status == "complete", first.reasons
    assert first.added == bench.records
    assert feed_pages(bench.node) == ["/feed", *(f"/feed?page={n}" for n in range(2, 6))]
    stored = hashes(bench.store)
    assert sorted(stored) == bench.records

    bench.node.fail("/feed?page=3", 500)
    report = bench.harvest()
    assert report.status == "partial"
    (failure,) = report.failures
    assert failure.url == f"{bench.node.origin}/feed?page=3"
    assert failure.kind == "status" and "HTTP 500" in failure.message
    # pages 3 to 5 (records 5 to 9) were not read: kept, not withdrawn
    assert report.kept == bench.records[4:]
    assert report.withdrawn == []
    assert any("could not be read" in r and "not withdrawn" in r for r in report.reasons)
    assert hashes(bench.store) == stored
    assert withdrawn(bench.store, bench.records) == []

    # the node recovers: everything is there, nothing to do
    bench.node.clear_faults()
    again = bench.harvest()
    assert again.status == "complete", again.reasons
    assert again.unchanged == 9 and again.added == again.updated == again.withdrawn == []
    assert hashes(bench.store) == stored


def empty(node: ServedNode) -> list[str]:
    """Delete every record the node publishes; the records it had."""
    everything = sorted(node.content.records)
    for iri in everything:
        node.content.delete(iri)
    return everything


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_a_failed_page_on_the_first_harvest_is_partial(bench: Bench) -> None:
    bench.node.fail("/feed?page=3", 500)
    report = bench.harvest()
    assert report.added == bench.records[:4]  # pages 1 and 2
    assert [f.url for f in report.failures] == [f"{bench.node.origin}/feed?page=3"]
    assert report.status == "partial"
    assert report.reasons


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_an_empty_catalogue_withdraws_nothing(bench: Bench) -> None:
    assert bench.harvest().added == bench.records
    stored = hashes(bench.store)

    everything = empty(bench.node)
    report = bench.harvest()
    assert report.status == "partial"
    assert report.withdrawn == []
    assert report.kept == everything
    (reason,) = report.reasons
    assert "shrank from 9 to 0" in reason and "--allow-shrink de" in reason
    assert hashes(bench.store) == stored
    assert withdrawn(bench.store, everything) == []


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_an_allowed_shrink_withdraws_every_record_with_a_tombstone(bench: Bench) -> None:
    bench.harvest()
    everything = empty(bench.node)
    report = bench.harvest(allow_shrink=(NODE,))
    assert report.status == "complete", report.reasons
    assert report.withdrawn == everything
    assert report.kept == []
    assert bench.store.list_records() == []
    for iri in everything:
        record = bench.store.catalog_record(iri)
        assert record is not None and record.withdrawn  # a tombstone, for downstream harvesters
        assert bench.store.get_record(iri) is None


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_allowing_the_shrink_in_the_next_run_withdraws_every_record(bench: Bench) -> None:
    bench.harvest()
    everything = empty(bench.node)
    assert bench.harvest().kept == everything

    allowed = bench.harvest(allow_shrink=(NODE,))
    assert allowed.status == "complete", allowed.reasons
    assert allowed.withdrawn == everything
    assert bench.store.list_records() == []


# -- exactly the changes the node made ---------------------------------------------------


@dataclass(frozen=True)
class Changes:
    changed: str
    deleted: str
    added: str


def change_three(node: ServedNode) -> Changes:
    """Retitle one dataset, delete one, add a copy of one under a new IRI."""
    content = node.content
    changes = Changes(f"{DATASETS}de-wes-0001", f"{DATASETS}de-wgs-0002", f"{DATASETS}de-wgs-0099")
    content.put(changes.changed, retitled(content.records[changes.changed], changes.changed, " ²"))
    content.delete(changes.deleted)
    source = f"{DATASETS}de-wgs-0001"
    content.put(changes.added, renamed(content.records[source], source, changes.added))
    return changes


@pytest.mark.parametrize("bench", ["fdp", "sparql"], indirect=True)
def test_exactly_the_changed_records_are_validated_and_written(bench: Bench) -> None:
    first = bench.harvest()
    assert first.status == "complete", first.reasons
    assert first.added == bench.records and first.rejected == []
    before = hashes(bench.store)

    changes = change_three(bench.node)
    report = bench.harvest()
    assert report.status == "complete", report.reasons
    assert report.updated == [changes.changed]
    assert report.withdrawn == [changes.deleted]
    assert report.added == [changes.added]
    assert report.rejected == [] and report.failures == []
    assert report.unchanged == 7
    assert report.validations == 2
    assert report.writes == 2

    after = hashes(bench.store)
    assert sorted(after) == bench.records
    assert {iri for iri in after if after[iri] != before.get(iri)} == {
        changes.changed,
        changes.added,
    }
    changed = bench.store.get_record(changes.changed)
    assert changed is not None
    assert all(t.endswith(" ²") for t in titles(changed, changes.changed))
    assert bench.store.get_record(changes.added) is not None
    tombstone = bench.store.catalog_record(changes.deleted)
    assert tombstone is not None and tombstone.withdrawn

    # nothing changed since: nothing validated, nothing written
    quiet = bench.harvest()
    assert quiet.status == "complete"
    assert quiet.unchanged == 9 and quiet.validations == quiet.writes == 0


# -- one bad record ----------------------------------------------------------------------


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_an_invalid_record_is_rejected_and_the_other_changes_are_written(bench: Bench) -> None:
    bench.harvest()
    content = bench.node.content
    bad, good = f"{DATASETS}de-pnlc-0002", f"{DATASETS}de-pnlc-0003"
    old_title = titles(bench.store.get_record(bad) or Graph(), bad)
    assert old_title
    content.put(bad, untitled(content.records[bad], bad))
    content.put(good, retitled(content.records[good], good, " (revised)"))

    report = bench.harvest()
    assert report.status != "failed"
    (rejection,) = report.rejected
    assert rejection.dataset == bad
    assert rejection.source.startswith(bench.node.origin + "/feed")
    assert any("title" in reason.path for reason in rejection.reasons), rejection.reasons
    assert report.updated == [good]
    assert report.validations == 2 and report.writes == 1
    assert report.withdrawn == [] and report.accepted_with_violations == []
    # the rejected change is not stored: the record keeps its last valid version
    assert bad in bench.store.list_records()
    assert titles(bench.store.get_record(bad) or Graph(), bad) == old_title
    stored_good = bench.store.get_record(good)
    assert stored_good is not None
    assert all(t.endswith(" (revised)") for t in titles(stored_good, good))


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_a_rejection_is_reported_again_while_the_record_stays_invalid(bench: Bench) -> None:
    bench.harvest()
    content = bench.node.content
    bad = f"{DATASETS}de-pnlc-0002"
    content.put(bad, untitled(content.records[bad], bad))
    assert [r.dataset for r in bench.harvest().rejected] == [bad]

    again = bench.harvest()
    assert [r.dataset for r in again.rejected] == [bad]
    assert again.rejected[0].known  # remembered, not validated again
    assert again.validations == 0
    assert again.unchanged == 8


@pytest.mark.parametrize("bench", [("feed", "accept")], indirect=True)
def test_under_the_accept_policy_an_invalid_record_is_stored_with_its_violations(
    bench: Bench,
) -> None:
    bench.harvest()
    content = bench.node.content
    bad, good = f"{DATASETS}de-pnlc-0002", f"{DATASETS}de-pnlc-0003"
    content.put(bad, untitled(content.records[bad], bad))
    content.put(good, retitled(content.records[good], good, " (revised)"))

    report = bench.harvest()
    assert report.status == "complete", report.reasons
    assert report.rejected == []
    assert report.accepted_with_violations == [bad]
    assert report.updated == sorted([bad, good])
    assert report.validations == 2 and report.writes == 2
    stored = bench.store.get_record(bad)
    assert stored is not None and titles(stored, bad) == set()
    record = bench.store.catalog_record(bad)
    assert record is not None and record.meta.outcome == "violations"


@pytest.mark.parametrize("bench", ["feed"], indirect=True)
def test_a_rejected_record_is_accepted_once_the_policy_is_accept(bench: Bench) -> None:
    bench.harvest()
    content = bench.node.content
    bad, neighbour = f"{DATASETS}de-pnlc-0002", f"{DATASETS}de-pnlc-0003"  # both on page 2
    content.put(bad, untitled(content.records[bad], bad))
    assert [r.dataset for r in bench.harvest().rejected] == [bad]

    # the operator accepts the node's invalid records; its page 2 changes (and is read again)
    bench.config = bench.config.model_copy(update={"policy": "accept"})
    content.put(neighbour, retitled(content.records[neighbour], neighbour, " (revised)"))
    report = bench.harvest()
    assert report.updated == sorted([bad, neighbour])
    assert report.rejected == []
    assert report.accepted_with_violations == [bad]
    stored = bench.store.get_record(bad)
    assert stored is not None and titles(stored, bad) == set()


# -- dry run -----------------------------------------------------------------------------


@pytest.mark.parametrize("bench", ["sparql"], indirect=True)
def test_a_dry_run_reports_the_changes_and_changes_nothing(bench: Bench) -> None:
    bench.harvest()
    records_before = bench.store.list_records()
    catalog_before = {iri: bench.store.catalog_record(iri) for iri in records_before}
    triples_before = bench.store.count_triples()
    changes = change_three(bench.node)

    dry = bench.harvester.run([bench.config], dry_run=True)
    assert dry.dry_run
    (report,) = dry.nodes
    assert report.updated == [changes.changed]
    assert report.withdrawn == [changes.deleted]
    assert report.added == [changes.added]
    assert report.writes == 0
    assert "would be withdrawn: " + changes.deleted in dry.to_text()

    assert bench.store.list_records() == records_before
    assert {iri: bench.store.catalog_record(iri) for iri in records_before} == catalog_before
    assert bench.store.catalog_record(changes.added) is None
    assert bench.store.count_triples() == triples_before  # no run report, no page state

    # the dry run remembered nothing: the real run finds the same changes
    real = bench.harvest()
    assert (real.updated, real.withdrawn, real.added) == (
        [changes.changed],
        [changes.deleted],
        [changes.added],
    )
    assert real.writes == 2
