"""The 1+MG inventory, checked against figures worked out here from the records' own specs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from rdflib import URIRef
from rdflib import namespace as rdfns

from gdcat.store import OxigraphStore, compute_inventory
from gdcat.store.inventory import count_record_kinds

from .store_builders import DatasetSpec, write

ORG = "https://node.example.org/ds/"
GENOME_TYPES, EXOME_TYPES = {"WGS", "LONGREAD"}, {"WES"}

#: (spec, node country given by the writer)
RECORDS: list[tuple[DatasetSpec, str | None]] = [
    (
        DatasetSpec(
            ORG + "es-1",
            ("ESP",),
            individuals=100,
            genomes=90,
            types=("WGS",),
            access="RESTRICTED",
            readiness="READY",
            clinical=True,
        ),
        None,
    ),
    (
        DatasetSpec(
            ORG + "es-2",
            ("ESP",),
            individuals=50,
            exomes=40,
            samples=55,
            types=("WES", "PANEL"),
            access="PUBLIC",
            readiness="CONDITIONAL",
            clinical=False,
        ),
        None,
    ),
    (
        # two countries: the first by IRI counts (BEL before FRA)
        DatasetSpec(
            ORG + "multi",
            ("FRA", "BEL"),
            individuals=7,
            genomes=7,
            types=("WGS",),
            access="PUBLIC",
            readiness="READY",
            clinical=True,
        ),
        None,
    ),
    (
        # the node's country (given with the record) wins over the dataset's dct:spatial
        DatasetSpec(
            ORG + "node-de",
            ("ITA",),
            individuals=500,
            genomes=500,
            types=("WGS", "LONGREAD"),
            access="NON_PUBLIC",
            readiness="NOT_READY",
        ),
        "DEU",
    ),
    (
        DatasetSpec(
            ORG + "nowhere",
            (),
            individuals=30,
            samples=30,
            types=("ARRAY", "RNASEQ"),
            access=None,
            readiness=None,
        ),
        None,
    ),
    (
        # a region before the country IRI in sort order must not be taken for a country
        DatasetSpec(
            ORG + "pt-1",
            ("PRT",),
            individuals=3,
            genomes=2,
            exomes=1,
            types=("WGS", "WES"),
            access="RESTRICTED",
            readiness="READY",
            clinical=True,
            extra=[
                (
                    URIRef(ORG + "pt-1"),
                    rdfns.DCTERMS.spatial,
                    URIRef("http://a.example.org/region/1"),
                )
            ],
        ),
        None,
    ),
]
#: stored but not counted: a series summarising members, and a withdrawn dataset
SERIES = DatasetSpec(ORG + "series", ("ESP",), genomes=10_000, series=True)
WITHDRAWN = DatasetSpec(ORG + "gone", ("ESP",), genomes=7_777, individuals=7_777)
#: stored twice: only its second version counts
REPLACED_V1 = DatasetSpec(ORG + "es-3", ("ESP",), genomes=1, individuals=1, types=("WGS",))
REPLACED_V2 = replace(REPLACED_V1, genomes=2, individuals=2)


def _expected(records: list[tuple[DatasetSpec, str | None]]) -> dict[str | None, dict[str, Any]]:
    """Each country's row, worked out from the specs by the documented rules."""
    rows: dict[str | None, dict[str, Any]] = {}
    for spec, node_country in records:
        country = node_country or (min(spec.countries) if spec.countries else None)
        row = rows.setdefault(
            country,
            {
                "country": country,
                "datasets": 0,
                "individuals": 0,
                "genomes": 0,
                "exomes": 0,
                "samples": 0,
                "by_sequencing_type": {},
                "datasets_by_sequencing_type": {},
                "by_access": {"PUBLIC": 0, "RESTRICTED": 0, "NON_PUBLIC": 0},
                "by_readiness": {"READY": 0, "CONDITIONAL": 0, "NOT_READY": 0},
                "shareable_genomes": 0,
                "linked_clinical": 0,
            },
        )
        row["datasets"] += 1
        row["individuals"] += spec.individuals or 0
        row["genomes"] += spec.genomes or 0
        row["exomes"] += spec.exomes or 0
        row["samples"] += spec.samples or 0
        for code in spec.types:
            produced = (
                spec.genomes
                if code in GENOME_TYPES
                else spec.exomes
                if code in EXOME_TYPES
                else spec.samples
            )
            by_type = row["by_sequencing_type"]
            by_type[code] = by_type.get(code, 0) + (produced or 0)
            counts = row["datasets_by_sequencing_type"]
            counts[code] = counts.get(code, 0) + 1
        if spec.access:
            row["by_access"][spec.access] += 1
        if spec.readiness:
            row["by_readiness"][spec.readiness] += 1
        if spec.readiness == "READY":
            row["shareable_genomes"] += spec.genomes or 0
        if spec.clinical:
            row["linked_clinical"] += 1
    for row in rows.values():
        row["shareable"] = row["by_readiness"]["READY"]
        row["not_shareable"] = row["datasets"] - row["shareable"]
        row["no_linked_clinical"] = row["datasets"] - row["linked_clinical"]
    return rows


@pytest.fixture
def stocked(store: OxigraphStore) -> OxigraphStore:
    store.put_records(
        [write(spec, country=country) for spec, country in RECORDS]
        + [write(SERIES), write(WITHDRAWN), write(REPLACED_V1)],
        bulk=True,
    )
    store.withdraw(WITHDRAWN.iri)
    store.put_records([write(REPLACED_V2, "h2")])
    return store


def test_each_country_row_counts_what_its_records_say(stocked: OxigraphStore) -> None:
    expected = _expected([*RECORDS, (REPLACED_V2, None)])

    inventory = compute_inventory(stocked)

    got = {row.country: row.to_json() for row in inventory.countries}
    assert set(got) == set(expected)
    for country, row in expected.items():
        assert got[country] == row, country
    named = sorted(c for c in expected if c is not None)
    assert [row.country for row in inventory.countries] == [*named, None]


def test_totals_and_progress_add_up(stocked: OxigraphStore) -> None:
    counted = [*RECORDS, (REPLACED_V2, None)]
    specs = [spec for spec, _ in counted]
    wgs = sum(s.genomes or 0 for s in specs if "WGS" in s.types)
    genomes_and_exomes = sum((s.genomes or 0) + (s.exomes or 0) for s in specs)

    inventory = compute_inventory(stocked)

    totals = inventory.totals
    assert totals.datasets == len(specs)
    assert totals.individuals == sum(s.individuals or 0 for s in specs)
    assert totals.shareable == sum(1 for s in specs if s.readiness == "READY")
    assert totals.linked_clinical == sum(1 for s in specs if s.clinical)
    assert inventory.wgs_genomes == wgs
    assert inventory.genomes_and_exomes == genomes_and_exomes
    assert inventory.wgs_progress == pytest.approx(100 * wgs / 1_000_000)
    document = inventory.to_json()
    assert document["progress"]["wgs_genomes"] == wgs
    assert document["totals"]["datasets"] == len(specs)
    assert len(document["countries"]) == len(inventory.countries)


def test_the_table_shows_every_country_the_totals_and_the_progress(stocked: OxigraphStore) -> None:
    inventory = compute_inventory(stocked)

    table = inventory.to_table()

    lines = table.splitlines()
    header = lines[0].split()
    assert header[:3] == ["Country", "Datasets", "Individuals"]
    assert {"WGS", "WES", "PANEL", "ARRAY", "RNASEQ", "LONGREAD"} <= set(header)
    for row in inventory.countries:
        label = row.country or "(none)"
        assert any(line.split()[0] == label for line in lines)
    total_line = next(line for line in lines if line.startswith("TOTAL"))
    assert total_line.split()[1] == f"{inventory.totals.datasets:,}"
    assert f"{inventory.wgs_genomes:,} WGS genomes ({inventory.wgs_progress:.2f}%)" in table
    widths = {len(line) for line in lines[:-2] if line}
    assert len(widths) == 1, "columns are aligned"


def test_an_empty_store_has_an_empty_inventory(store: OxigraphStore) -> None:
    inventory = compute_inventory(store)

    assert inventory.countries == ()
    assert inventory.totals.datasets == 0
    assert inventory.wgs_progress == 0
    assert "TOTAL" in inventory.to_table()


def test_derived_data_adds_no_genomes_of_its_own() -> None:
    cohort = DatasetSpec(ORG + "cohort", ("SWE",), individuals=1000, genomes=1000)
    frequencies = DatasetSpec(
        ORG + "frequencies",
        ("SWE",),
        individuals=1000,
        genomes=1000,
        access="PUBLIC",
        extra=[(URIRef(ORG + "frequencies"), rdfns.DCTERMS.source, URIRef(ORG + "cohort"))],
    )
    # derived from a dataset the catalogue does not hold: its counts are the only ones
    orphan = DatasetSpec(
        ORG + "orphan",
        ("SWE",),
        individuals=10,
        genomes=10,
        extra=[(URIRef(ORG + "orphan"), rdfns.DCTERMS.source, URIRef("https://elsewhere.org/d"))],
    )
    with OxigraphStore(None, "http://127.0.0.1:8000/") as store:
        store.put_records([write(cohort), write(frequencies), write(orphan)])
        row = compute_inventory(store).to_json()["totals"]
        assert row["datasets"] == 3
        assert row["genomes"] == 1010
        assert row["individuals"] == 1010
        assert row["by_access"]["PUBLIC"] == 1
        store.withdraw(cohort.iri)
        row = compute_inventory(store).to_json()["totals"]
    # with its source withdrawn, the derived dataset's own counts are all there is
    assert (row["datasets"], row["genomes"]) == (2, 1010)


def test_records_are_counted_by_kind_and_a_series_typed_dataset_too_is_a_series(
    memory_store: OxigraphStore,
) -> None:
    """``count_record_kinds``: series, datasets and data services apart (withdrawn records
    not at all); a series also typed ``dcat:Dataset`` is a series, left out of the inventory,
    whose figures would otherwise count its members twice."""
    both = DatasetSpec(
        ORG + "typed-twice",
        ("ESP",),
        genomes=5_000,
        series=True,
        extra=[(URIRef(ORG + "typed-twice"), rdfns.RDF.type, rdfns.DCAT.Dataset)],
    )
    service = DatasetSpec(ORG + "beacon", ("ESP",))
    service_write = write(service)
    graph = service_write.graph
    graph.remove((URIRef(ORG + "beacon"), rdfns.RDF.type, rdfns.DCAT.Dataset))
    graph.add((URIRef(ORG + "beacon"), rdfns.RDF.type, rdfns.DCAT.DataService))
    memory_store.put_records(
        [write(spec, country=country) for spec, country in RECORDS]
        + [write(SERIES), write(both), write(WITHDRAWN), service_write],
        bulk=True,
    )
    memory_store.withdraw(WITHDRAWN.iri)

    kinds = count_record_kinds(memory_store)

    assert (kinds.datasets, kinds.series, kinds.services) == (len(RECORDS), 2, 1)
    inventory = compute_inventory(memory_store)
    assert inventory.totals.datasets == kinds.datasets
    assert inventory.totals.genomes == sum(s.genomes or 0 for s, _ in RECORDS)
