"""The demo federation: deterministic, the promised size and mix, and honest about its defects."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD

from gdcat.demo import Federation, generate_federation, write_federation
from gdcat.paths import ontologies_dir
from gdcat.rdf.parse import parse_file
from gdcat.rdf.records import Record, split_records
from gdcat.vocab import ACCESS_RIGHT, COUNTRY, GDCAT, GDCATV, HEALTHDCATAP

# fmt: off
ONE_MG_COUNTRIES = [
    "at", "be", "bg", "cy", "cz", "de", "dk", "ee", "es", "fi", "fr", "gr", "hr", "hu", "ie",
    "it", "lt", "lu", "lv", "nl", "no", "pl", "pt", "se", "si",
]
# fmt: on
DATASET_SERIES = URIRef(f"{DCAT}DatasetSeries")
IN_SERIES = URIRef(f"{DCAT}inSeries")
GENOMES, EXOMES, SAMPLES = GDCAT.numberOfGenomes, GDCAT.numberOfExomes, GDCAT.numberOfSamples


def _hash_files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _code(iri: URIRef | None) -> str:
    return str(iri).rsplit("/", 1)[-1]


def _all_records(records: dict[str, list[Record]]) -> list[tuple[str, Record]]:
    return [(node_id, r) for node_id, recs in records.items() for r in recs]


# --- determinism ------------------------------------------------------------------------


def test_same_seed_writes_byte_identical_files(
    federation: Federation, written: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    write_federation(generate_federation(seed=1, datasets=400, invalid=8), again)
    assert _hash_files(again) == _hash_files(written)


def test_output_does_not_depend_on_hash_seed_or_process(written: Path, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from gdcat.demo import generate_federation, "
        "write_federation; write_federation(generate_federation(), Path(sys.argv[1]))"
    )
    out = tmp_path / "other-process"
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, timeout=120)
    assert _hash_files(out) == _hash_files(written)


def test_another_seed_gives_another_federation(federation: Federation) -> None:
    other = generate_federation(seed=2)
    assert other.dataset_count == federation.dataset_count
    assert other.node("nl").turtle() != federation.node("nl").turtle()


# --- size and mix -----------------------------------------------------------------------


def test_one_node_per_1mg_country_with_eu_country_iri(
    federation: Federation, node_graphs: dict[str, Graph]
) -> None:
    assert [n.id for n in federation.nodes] == ONE_MG_COUNTRIES
    for node in federation.nodes:
        graph = node_graphs[node.id]
        catalog = URIRef(node.catalog_iri)
        assert (catalog, RDF.type, DCAT.Catalog) in graph
        assert (catalog, DCTERMS.spatial, COUNTRY[node.country]) in graph
        assert node.country_iri == str(COUNTRY[node.country])
        assert node.catalog_iri.startswith(f"https://fdp.{node.id}.demo.gdcat.eu/")


def test_records_add_up_to_the_requested_number(
    federation: Federation, records: dict[str, list[Record]]
) -> None:
    assert federation.dataset_count == 400
    assert sum(len(r) for r in records.values()) == 400
    for node in federation.nodes:
        assert len(records[node.id]) == node.dataset_count > 0


@pytest.mark.parametrize("size", [0, 1, 25, 57, 130])
def test_small_federations_have_exactly_the_requested_size(size: int) -> None:
    fed = generate_federation(seed=5, datasets=size, invalid=0)
    assert fed.dataset_count == size
    assert sum(len(split_records(n.graph())) for n in fed.nodes) == size


def test_every_kind_of_dataset_is_present(
    federation: Federation, node_graphs: dict[str, Graph]
) -> None:
    kinds = Counter(r.kind for n in federation.nodes for r in n.records)
    assert set(kinds) == {
        "wgs_cohort",
        "wes_series",
        "wes_diagnostic",
        "panel_cancer",
        "panel_cardio",
        "array",
        "rnaseq",
        "longread",
        "aggregated",
    }
    sequencing = Counter()
    for graph in node_graphs.values():
        for t in graph.objects(None, GDCAT.sequencingType):
            sequencing[_code(t)] += 1
    assert set(sequencing) >= {"WGS", "WES", "PANEL", "ARRAY", "RNASEQ", "LONGREAD"}
    # As in the Dutch inventory: exomes outnumber whole genomes.
    assert sequencing["WES"] > sequencing["WGS"] / 2


def test_series_have_member_datasets(federation: Federation, node_graphs: dict[str, Graph]) -> None:
    series_count = 0
    for node in federation.nodes:
        graph = node_graphs[node.id]
        catalog = URIRef(node.catalog_iri)
        for ds in graph.subjects(RDF.type, DCAT.Dataset):
            assert (catalog, DCAT.dataset, ds) in graph
        for series in graph.subjects(RDF.type, DATASET_SERIES):
            # DCAT-AP 3 has no catalogue property for series yet (SEMICeu/DCAT-AP#348)
            assert (catalog, URIRef(f"{DCAT}resource"), series) in graph
            series_count += 1
            members = list(graph.subjects(IN_SERIES, series))
            assert len(members) >= 1
            assert all((m, RDF.type, DCAT.Dataset) in graph for m in members)
            assert (series, GDCAT.sequencingType, GDCATV["sequencing-type/WES"]) in graph
    assert series_count >= 10


def test_titles_and_descriptions_in_national_language_and_english(
    federation: Federation, records: dict[str, list[Record]]
) -> None:
    invalid = {bad.dataset for bad in federation.invalid}
    languages = set()
    for node in federation.nodes:
        for record in records[node.id]:
            if record.iri in invalid:
                continue
            root = URIRef(record.iri)
            for p in (DCTERMS.title, DCTERMS.description):
                tags = {o.language for o in record.graph.objects(root, p) if isinstance(o, Literal)}
                assert tags == {"en", node.language}, (record.iri, p)
            languages.add(node.language)
    assert len(languages) >= 20


def test_no_blank_nodes_so_every_resource_has_a_stable_iri(node_graphs: dict[str, Graph]) -> None:
    for graph in node_graphs.values():
        assert not any(isinstance(t, BNode) for triple in graph for t in triple)


# --- content a user relies on -----------------------------------------------------------


def _value(graph: Graph, s: URIRef, p: URIRef) -> int | None:
    v = graph.value(s, p)
    return None if v is None else int(v)


def test_counts_agree_with_sequencing_type(
    federation: Federation, records: dict[str, list[Record]]
) -> None:
    invalid = {bad.dataset for bad in federation.invalid}
    checked = 0
    for _, record in _all_records(records):
        g, ds = record.graph, URIRef(record.iri)
        if record.iri in invalid or record.kind == "DatasetSeries":
            continue
        seq = {_code(t) for t in g.objects(ds, GDCAT.sequencingType)}
        genomes, exomes = _value(g, ds, GENOMES), _value(g, ds, EXOMES)
        samples = _value(g, ds, SAMPLES)
        individuals = _value(g, ds, HEALTHDCATAP.numberOfUniqueIndividuals)
        assert individuals is not None and individuals > 0
        for p in (GENOMES, EXOMES, SAMPLES, HEALTHDCATAP.numberOfUniqueIndividuals):
            for v in g.objects(ds, p):
                assert v.datatype == XSD.nonNegativeInteger
        if seq & {"WGS", "LONGREAD"}:
            assert genomes is not None and exomes is None
            assert genomes <= individuals
        elif seq == {"WES"}:
            assert exomes is not None and genomes is None
            assert exomes <= individuals
        else:
            assert genomes is None and exomes is None
        if samples is not None:
            assert samples >= max(genomes or 0, exomes or 0)
        checked += 1
    assert checked > 300


def test_access_rights_are_mostly_non_public_and_public_ones_have_a_beacon(
    node_graphs: dict[str, Graph],
) -> None:
    levels: Counter[str] = Counter()
    for graph in node_graphs.values():
        for ds in graph.subjects(RDF.type, DCAT.Dataset):
            level = _code(graph.value(ds, DCTERMS.accessRights))
            levels[level] += 1
            if level == "PUBLIC":
                beacon = graph.value(ds, GDCAT.beacon)
                assert beacon is not None
                assert (beacon, RDF.type, DCAT.DataService) in graph
                assert graph.value(beacon, DCAT.endpointURL) is not None
                standards = {_code(s) for s in graph.objects(beacon, DCTERMS.conformsTo)}
                assert "BEACON" in standards
    assert set(levels) == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"}
    assert levels["NON_PUBLIC"] > levels["RESTRICTED"] + levels["PUBLIC"]


def test_readiness_and_barriers_tell_one_story(node_graphs: dict[str, Graph]) -> None:
    seen: Counter[str] = Counter()
    for graph in node_graphs.values():
        for ds in graph.subjects(RDF.type, DCAT.Dataset):
            readiness = graph.value(ds, GDCAT.oneMgReadiness)
            if readiness is None:  # the record broken on purpose
                continue
            barriers = {_code(b) for b in graph.objects(ds, GDCAT.sharingBarrier)}
            seen[_code(readiness)] += 1
            if _code(readiness) == "READY":
                assert not barriers
            else:
                assert barriers
            if "CONSENT" in barriers:
                consent = _code(graph.value(ds, GDCAT.consentStatus))
                assert consent not in ("BROAD", "SPECIFIC")
    assert set(seen) == {"READY", "CONDITIONAL", "NOT_READY"}


def test_disease_specific_data_use_names_the_disease(node_graphs: dict[str, Graph]) -> None:
    ds_permission = URIRef("http://purl.obolibrary.org/obo/DUO_0000007")
    found = 0
    for graph in node_graphs.values():
        for ds in graph.subjects(GDCAT.dataUsePermission, ds_permission):
            assert graph.value(ds, GDCAT.disease) is not None
            found += 1
    assert found > 10


def _terms_in(path: Path) -> set[str]:
    g = Graph().parse(path)
    return {str(s) for s in g.subjects(RDFS.label, None)} | {
        str(s) for s in g.subjects(RDF.type, None)
    }


def test_every_ontology_term_is_in_the_projects_vocabulary_slices(
    node_graphs: dict[str, Graph],
) -> None:
    vocab = ontologies_dir() / "vocabularies"
    known = (
        _terms_in(vocab / "hpo" / "hpo-slice.ttl")
        | _terms_in(vocab / "ordo" / "ordo-slice.facts.ttl")
        | _terms_in(vocab / "mondo" / "mondo-slice.facts.ttl")
        | _terms_in(vocab / "healthdcat-ap-r8" / "healthcategories.en.ttl")
        | _terms_in(ontologies_dir() / "gdcat-vocabularies.ttl")
    )
    duo = (vocab / "duo" / "duo.owl").read_text(encoding="utf-8")
    used: set[str] = set()
    for graph in node_graphs.values():
        for p in (
            GDCAT.phenotype,
            GDCAT.disease,
            HEALTHDCATAP.healthCategory,
            GDCAT.sequencingType,
            GDCAT.referenceGenome,
            GDCAT.genomicFileFormat,
            GDCAT.consentStatus,
            GDCAT.ethicsApprovalStatus,
            GDCAT.oneMgReadiness,
            GDCAT.sharingBarrier,
        ):
            used.update(str(o) for o in graph.objects(None, p) if isinstance(o, URIRef))
        for p in (GDCAT.dataUsePermission, GDCAT.dataUseModifier):
            for o in graph.objects(None, p):
                assert str(o) in duo, o
    unknown = used - known - {str(GDCATV["sequencing-type/SANGER"])}  # the planted defect
    assert not unknown
    assert len(used) > 80


# --- files and manifest -----------------------------------------------------------------


def test_every_file_parses_and_holds_the_records_the_manifest_lists(
    federation: Federation, written: Path
) -> None:
    manifest = json.loads((written / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 1
    assert manifest["datasets"] == 400
    assert manifest["invalid"] == 8
    assert [n["id"] for n in manifest["nodes"]] == ONE_MG_COUNTRIES
    assert sorted(p.name for p in written.iterdir()) == sorted(
        [f"{c}.ttl" for c in ONE_MG_COUNTRIES] + ["manifest.json"]
    )
    for entry in manifest["nodes"]:
        path = written / entry["file"]
        graph = parse_file(path)  # gdcat's own safe parser
        assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) == len(graph)
        found = split_records(graph, source=str(path))
        assert len(found) == entry["datasets"]
        assert sum(entry["kinds"].values()) == entry["datasets"]
        assert sum(1 for r in found if r.kind == "DatasetSeries") == entry["series"]
        assert (URIRef(entry["catalog"]), RDF.type, DCAT.Catalog) in graph
        assert (URIRef(entry["catalog"]), DCTERMS.spatial, COUNTRY[entry["country"]]) in graph
        iris = {r.iri for r in found}
        for bad in entry["invalid"]:
            assert bad["dataset"] in iris
        node = federation.node(entry["id"])
        assert set(graph) == set(node.graph())  # no blank nodes: plain set equality


def _defect_visible(graph: Graph, ds: URIRef, defect: str) -> bool:
    """True when the graph shows the defect the manifest announces."""
    if defect == "missing-title":
        return graph.value(ds, DCTERMS.title) is None
    if defect == "negative-count":
        return any(int(v) < 0 for v in graph.objects(ds, HEALTHDCATAP.numberOfUniqueIndividuals))
    if defect == "missing-hdab":
        return graph.value(ds, HEALTHDCATAP.hdab) is None
    if defect == "literal-for-iri":
        values = list(graph.objects(ds, HEALTHDCATAP.healthCategory))
        return bool(values) and all(isinstance(v, Literal) for v in values)
    if defect == "unknown-sequencing-type":
        return (ds, GDCAT.sequencingType, GDCATV["sequencing-type/SANGER"]) in graph
    if defect == "missing-distribution":
        return graph.value(ds, DCAT.distribution) is None
    if defect == "missing-identifier":
        return graph.value(ds, DCTERMS.identifier) is None
    if defect == "missing-readiness":
        return graph.value(ds, GDCAT.oneMgReadiness) is None
    if defect == "duplicate-min-age":
        return len(list(graph.objects(ds, HEALTHDCATAP.minTypicalAge))) == 2
    if defect == "missing-data-use-permission":
        return graph.value(ds, GDCAT.dataUsePermission) is None
    raise AssertionError(f"unknown defect {defect}")


def test_each_invalid_record_carries_exactly_its_announced_defect(
    federation: Federation, records: dict[str, list[Record]]
) -> None:
    invalid = federation.invalid
    assert len(invalid) == 8
    assert len({bad.defect for bad in invalid}) == 8
    assert len({bad.dataset.split("/")[2] for bad in invalid}) >= 5  # spread over nodes
    for bad in invalid:
        ds = URIRef(bad.dataset)
        node_id = bad.dataset.split(".")[1]
        record = next(r for r in records[node_id] if r.iri == bad.dataset)
        assert _defect_visible(record.graph, ds, bad.defect)
        # every other defect is absent: the record has one clear problem
        others = {b.defect for b in invalid} - {bad.defect}
        assert not any(_defect_visible(record.graph, ds, d) for d in others), bad
    valid = [
        r
        for _, r in _all_records(records)
        if r.iri not in {b.dataset for b in invalid} and r.kind == "Dataset"
    ]
    for record in valid[::20]:
        ds = URIRef(record.iri)
        assert not any(_defect_visible(record.graph, ds, b.defect) for b in invalid)


def test_all_ten_defects_can_be_planted() -> None:
    fed = generate_federation(seed=3, datasets=120, invalid=10)
    assert len({bad.defect for bad in fed.invalid}) == 10


def test_impossible_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_federation(datasets=-1)
    with pytest.raises(ValueError):
        generate_federation(datasets=3, invalid=10)


def test_access_right_declarations_are_typed_as_the_r8_examples_do(
    node_graphs: dict[str, Graph],
) -> None:
    graph = node_graphs["nl"]
    assert (ACCESS_RIGHT.NON_PUBLIC, RDF.type, DCTERMS.RightsStatement) in graph
    assert (COUNTRY.NLD, RDF.type, DCTERMS.Location) in graph
    assert graph.value(COUNTRY.NLD, DCAT.bbox) is not None


def test_every_language_names_every_kind() -> None:
    from gdcat.demo.countries import COUNTRIES, KIND_ORDER, PHRASES
    from gdcat.demo.plan import KINDS

    assert tuple(KINDS) == KIND_ORDER
    for country in COUNTRIES:
        phrases = PHRASES[country.language]
        assert set(phrases.kinds) == set(KINDS)
        assert "{inst}" in phrases.description and "{n}" in phrases.description
