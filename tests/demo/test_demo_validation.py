"""The demo's records against the validation profiles: valid ones conform, broken ones fail.

Validating all 400 records under three profiles takes minutes on one core, so this takes a
sample of the default federation: every broken record, every kind of dataset, the series of
every sampled series member and the cohort every sampled allele-frequency dataset was derived
from, and every ninth record besides.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from gdcat.demo import Federation
from gdcat.demo.scale import generate_records
from gdcat.rdf.records import Record
from gdcat.vocab import PREFIXES

validate = pytest.importorskip("gdcat.validate")

IN_SERIES = URIRef(f"{DCAT}inSeries")
PROFILES = ("healthdcat-ap-r8", "gdcat", "dcat-ap-3")


def _curie(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _sample(federation: Federation, records: dict[str, list[Record]]) -> dict[str, Graph]:
    """One document per node holding the sampled records (with what they point to)."""
    invalid = {bad.dataset for bad in federation.invalid}
    kinds_seen: set[str] = set()
    docs: dict[str, Graph] = {}
    for node in federation.nodes:
        by_iri = {r.iri: r for r in records[node.id]}
        kind_of = {s.iri: s.kind for s in node.records}
        chosen: list[str] = []
        for index, record in enumerate(records[node.id]):
            kind = kind_of[record.iri]
            if record.iri in invalid or kind not in kinds_seen or index % 9 == 0:
                chosen.append(record.iri)
                kinds_seen.add(kind)
        for iri in list(chosen):  # what the chosen records point to must be there too
            g = by_iri[iri].graph
            for p in (IN_SERIES, DCTERMS.source):
                for target in g.objects(URIRef(iri), p):
                    if str(target) in by_iri and str(target) not in chosen:
                        chosen.append(str(target))
        doc = Graph()
        for iri in chosen:
            doc += by_iri[iri].graph
        docs[node.id] = doc
    return docs


@pytest.fixture(scope="module")
def sample(federation: Federation, records: dict[str, list[Record]]) -> dict[str, Graph]:
    return _sample(federation, records)


@pytest.fixture(scope="module")
def reports(sample: dict[str, Graph]) -> Iterator[dict[str, list[object]]]:
    """The sample's reports under every profile whose shapes exist."""
    out: dict[str, list[object]] = {}
    for name in PROFILES:
        try:
            validate.get_profile(name).files(validate.get_profile(name).default_level)
            validator = validate.Validator(name, workers=1)
        except Exception:  # a profile whose shapes are not generated yet
            continue
        with validator:
            out[name] = list(validator.validate_many(list(sample.values())))
    yield out


def test_sample_covers_every_kind_and_every_broken_record(
    federation: Federation, sample: dict[str, Graph]
) -> None:
    in_sample = {str(s) for g in sample.values() for s in g.subjects()}
    assert {bad.dataset for bad in federation.invalid} <= in_sample
    kinds = {s.kind for n in federation.nodes for s in n.records if s.iri in in_sample}
    assert len(kinds) == 9
    assert 50 <= sum(1 for n in federation.nodes for s in n.records if s.iri in in_sample) <= 140


@pytest.mark.parametrize("profile", PROFILES)
def test_valid_records_conform(
    profile: str, federation: Federation, reports: dict[str, list[object]]
) -> None:
    if profile not in reports:
        pytest.skip(f"profile {profile} has no shapes yet")
    invalid = {bad.dataset for bad in federation.invalid}
    problems = [
        (r.dataset, r.property, r.message)
        for report in reports[profile]
        for r in report.violations
        if r.dataset not in invalid
    ]
    assert problems == []


@pytest.mark.parametrize("profile", PROFILES)
def test_broken_records_fail_with_the_announced_defect(
    profile: str, federation: Federation, reports: dict[str, list[object]]
) -> None:
    if profile not in reports:
        pytest.skip(f"profile {profile} has no shapes yet")
    by_dataset: dict[str, list[object]] = {}
    for report in reports[profile]:
        for r in report.violations:
            by_dataset.setdefault(r.dataset, []).append(r)
    expected = [bad for bad in federation.invalid if profile in bad.profiles]
    assert expected, "the default federation plants defects for every profile"
    for bad in expected:
        found = by_dataset.get(bad.dataset, [])
        assert found, f"{bad.defect} in {bad.dataset} passed {profile}"
        assert any(r.property.split("/")[0] == _curie(bad.path) for r in found), (
            bad.defect,
            [(r.property, r.message) for r in found],
        )


def test_scale_records_conform_to_healthdcat_and_gdcat() -> None:
    graphs = list(generate_records(20, seed=11))
    for name in ("healthdcat-ap-r8", "gdcat"):
        try:
            validator = validate.Validator(name, workers=1)
        except Exception:  # shapes not generated yet
            continue
        with validator:
            reports = validator.validate_many(graphs)
        assert [(r.dataset, r.message) for rep in reports for r in rep.violations] == []


@pytest.mark.parametrize("profile", PROFILES)
def test_whole_node_documents_with_their_catalogue_conform(
    profile: str, federation: Federation, reports: dict[str, list[object]]
) -> None:
    if profile not in reports:
        pytest.skip(f"profile {profile} has no shapes yet")
    small = [n for n in federation.nodes if not n.invalid and n.dataset_count <= 6]
    assert small
    with validate.Validator(profile, workers=1) as validator:
        found = validator.validate_many([n.graph() for n in small])
    assert [(r.dataset, r.message) for rep in found for r in rep.violations] == []
