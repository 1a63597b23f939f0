"""The counts kept in step with record writes (gdcat.store.counts) say what a recount of the
records says, on every store kind: after bulk loads, replacements, withdrawals, a harvest of
the demo federation, a steward's publication and its withdrawal."""

from __future__ import annotations

from dataclasses import replace

from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdfns

from gdcat.demo import generate_federation
from gdcat.demo.nodes import serve_federation
from gdcat.harvest import Harvester, NodeConfig
from gdcat.publish import Caller, Publisher
from gdcat.settings import Settings
from gdcat.store import Store, compute_inventory
from gdcat.store.inventory import (
    count_record_kinds,
    read_counts,
    recount_inventory,
    recount_record_kinds,
)

from .store_builders import BASE, DatasetSpec, write
from .test_inventory import RECORDS, REPLACED_V1, REPLACED_V2, SERIES, WITHDRAWN

ORG = "https://node.example.org/ds/"


def assert_counts_match_a_recount(store: Store) -> None:
    assert read_counts(store) is not None, "the counts are complete"
    assert compute_inventory(store) == recount_inventory(store)
    assert count_record_kinds(store) == recount_record_kinds(store)


def service_graph(iri: str) -> Graph:
    graph = Graph()
    graph.add((URIRef(iri), rdfns.RDF.type, rdfns.DCAT.DataService))
    graph.add((URIRef(iri), rdfns.DCTERMS.title, Literal("A beacon", lang="en")))
    return graph


def test_counts_follow_writes_replacements_and_withdrawals(store: Store) -> None:
    cohort = DatasetSpec(ORG + "cohort", ("SWE",), individuals=1000, genomes=1000, types=("WGS",))
    frequencies = DatasetSpec(
        ORG + "frequencies",
        ("SWE",),
        individuals=1000,
        genomes=1000,
        types=("WGS",),
        readiness="READY",
        extra=[(URIRef(ORG + "frequencies"), rdfns.DCTERMS.source, URIRef(ORG + "cohort"))],
    )
    service = write(DatasetSpec(ORG + "beacon"))
    service = replace(service, graph=service_graph(service.dataset_iri))
    store.put_records(
        [write(spec, country=country) for spec, country in RECORDS]
        + [write(SERIES), write(WITHDRAWN), write(REPLACED_V1), write(cohort), write(frequencies)]
        + [service],
        bulk=True,
    )
    assert_counts_match_a_recount(store)
    assert count_record_kinds(store).services == 1
    assert compute_inventory(store).totals.genomes > 0

    # a new version moves the record to another country with other figures
    moved = replace(REPLACED_V2, countries=("ITA",), types=("WES",), exomes=5)
    store.put_records([write(moved, "h2")])
    store.withdraw(WITHDRAWN.iri)
    assert_counts_match_a_recount(store)
    assert "ITA" in {row.country for row in compute_inventory(store).countries}

    # the cohort withdrawn: the frequencies derived from it count their own genomes again
    before = compute_inventory(store).totals.genomes
    store.withdraw(cohort.iri)
    assert_counts_match_a_recount(store)
    assert compute_inventory(store).totals.genomes == before  # -1000 cohort, +1000 derived

    # everything withdrawn: nothing counted, and the counts still agree
    for iri in store.list_records():
        store.withdraw(iri)
    assert_counts_match_a_recount(store)
    assert compute_inventory(store).countries == ()
    assert count_record_kinds(store).datasets == 0


def test_a_raw_update_makes_the_inventory_count_the_records_again(store: Store) -> None:
    store.put_records([write(spec, country=country) for spec, country in RECORDS])
    assert read_counts(store) is not None
    record = f"{BASE}record/raw"
    dataset = ORG + "raw"
    store.update(
        f"INSERT DATA {{ GRAPH <{store.provenance_graph}> {{ <{record}> "
        f"<http://xmlns.com/foaf/0.1/primaryTopic> <{dataset}> }} "
        f"GRAPH <{record}> {{ <{dataset}> a <http://www.w3.org/ns/dcat#Dataset> }} }}"
    )
    # the counts no longer claim to be complete: the inventory counts the raw record too
    assert read_counts(store) is None
    assert compute_inventory(store).totals.datasets == len(RECORDS) + 1


def test_counts_agree_after_a_harvest_a_publication_and_a_withdrawal(any_store: Store) -> None:
    store = any_store
    federation = generate_federation(datasets=40, invalid=0)
    settings = Settings(base_iri=BASE, validation_workers=1)
    publisher = Publisher(store, settings)
    try:
        with serve_federation(federation, kinds={"de": "fdp", "nl": "dcat"}) as served:
            entries = served.registry()["node"]
            configs = [NodeConfig(**entry, timeout=5.0, retries=0) for entry in entries]
            with Harvester(store, settings) as harvester:
                report = harvester.run(configs)
        assert {node.status for node in report.nodes} == {"complete"}
        assert len(store.list_records()) > 0
        assert_counts_match_a_recount(store)

        # a steward publishes a new version of a harvested dataset, then withdraws another
        steward = Caller("steward", "de", "tok-0000beef", "DEU")
        harvested = [iri for iri in store.list_records() if "fdp.de." in iri]
        assert len(harvested) >= 2
        graph = store.get_record(harvested[0])
        assert graph is not None
        graph.set((URIRef(harvested[0]), rdfns.DCTERMS.title, Literal("Renamed", lang="en")))
        published = publisher.put(
            steward, "de", harvested[0], graph.serialize(format="turtle").encode(), "text/turtle"
        )
        assert published.status == "replaced", published
        publisher.delete(steward, "de", harvested[1])
        assert store.catalog_record(harvested[1]).withdrawn  # type: ignore[union-attr]
        assert_counts_match_a_recount(store)
    finally:
        publisher.close()


def test_rebuilt_counts_are_complete_again_and_agree_with_a_recount(any_store: Store) -> None:
    store = any_store
    cohort = DatasetSpec(ORG + "cohort", ("SWE",), individuals=500, genomes=500, types=("WGS",))
    derived = DatasetSpec(
        ORG + "derived",
        ("SWE",),
        individuals=500,
        genomes=500,
        extra=[(URIRef(ORG + "derived"), rdfns.DCTERMS.source, URIRef(ORG + "cohort"))],
    )
    store.put_records(
        [write(spec, country=country) for spec, country in RECORDS]
        + [write(SERIES), write(WITHDRAWN), write(cohort), write(derived)]
    )
    store.withdraw(WITHDRAWN.iri)
    expected = recount_inventory(store)
    # a raw update (here: one emptying both count graphs, as in a store written before
    # counts existed) leaves the counts incomplete
    store.update(
        f"DROP SILENT GRAPH <{BASE}graph/counts> ; DROP SILENT GRAPH <{BASE}graph/record-counts>"
    )
    assert read_counts(store) is None
    counted = store.rebuild_counts()
    assert counted == len(RECORDS) + 3  # the live ones: records, series, cohort, derived
    assert_counts_match_a_recount(store)
    assert compute_inventory(store) == expected
    # and they are kept in step again by the writes that follow
    store.withdraw(cohort.iri)
    assert_counts_match_a_recount(store)


def test_a_harvested_records_share_is_read_from_its_text_as_from_its_graph() -> None:
    """The counts read a harvested record's N-Triples lines instead of its graph: the same
    contribution, a literal holding an escape read from the graph."""
    from gdcat.demo import iter_record_documents
    from gdcat.harvest.parsing import parse_page, record_of
    from gdcat.rdf.formats import get_format
    from gdcat.rdf.ntriples import ntriples_graph
    from gdcat.rdf.parse import DEFAULT_LIMITS
    from gdcat.store.counts import graph_contribution, write_contribution

    records = []
    for n, text in enumerate(iter_record_documents(40, seed=7)):
        url = f"https://node.example.org/{n}"
        page = parse_page(text.encode(), get_format("turtle"), url, url, 10**8, DEFAULT_LIMITS)
        records.extend(record_of(p, url) for p in page.records)
    genomes = "https://w3id.org/gdcat/ns#numberOfGenomes"
    count = '"999999999\\n"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>'
    escaped = records[0].ntriples.replace(
        " .\n", f" .\n<{records[0].iri}> <{genomes}> {count} .\n", 1
    )
    texts = [(r.iri, r.ntriples) for r in records] + [(records[0].iri, escaped)]
    assert len(texts) > 40
    for iri, text in texts:
        for country in (None, "http://publications.europa.eu/resource/authority/country/NLD"):
            graph = ntriples_graph(text)
            assert write_contribution(iri, graph, text, country) == graph_contribution(
                iri, graph, country
            ), iri
    assert any(graph_contribution(iri, ntriples_graph(text), None).amounts for iri, text in texts)
