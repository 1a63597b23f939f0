"""The model uses the official IRIs: what a steward writes is DCAT-AP and HealthDCAT-AP.

The facts come from the official shapes vendored under ``shapes/`` (HealthDCAT-AP Release 8
and DCAT-AP 3.0.1) and from the genomics extension table of ``docs/architecture.md``, which is
binding for slot names and property IRIs.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from gdcat.model import schema
from gdcat.paths import project_root, shapes_dir

HEALTHDCAT = "healthdcat-ap-r8"
DCAT_AP_FILES = ("shapes.ttl", "range.ttl", "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl")

#: (class IRI, property IRI) pairs of the official shapes the model deliberately does not use.
DELIBERATE_DIFFERENCES = {
    # DCAT-AP 3.0.1 shapes.ttl still checks dct:hasVersion, while its own deprecateduris.ttl
    # says to replace it with dcat:hasVersion, the property of the DCAT-AP 3 specification.
    ("http://www.w3.org/ns/dcat#Dataset", "http://purl.org/dc/terms/hasVersion"),
}


def _official_shapes(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def _target_paths(graph: Graph) -> set[tuple[str, str]]:
    pairs = set()
    for shape, target in graph.subject_objects(SH.targetClass):
        for prop in graph.objects(shape, SH.property):
            path = graph.value(prop, SH.path)
            if isinstance(path, URIRef):
                pairs.add((str(target), str(path)))
    return pairs


def _model_pairs() -> set[tuple[str, str]]:
    pairs = set()
    for info in schema.classes().values():
        for slot in info.slots:
            pairs.add((info.uri, schema.slots()[slot].predicate))
    return pairs


@pytest.fixture(scope="module")
def healthdcat_pairs() -> set[tuple[str, str]]:
    files = sorted((shapes_dir() / HEALTHDCAT).glob("*/*.ttl"))
    assert files, "the vendored HealthDCAT-AP shapes are missing"
    return _target_paths(_official_shapes(files))


@pytest.fixture(scope="module")
def dcat_ap_pairs() -> set[tuple[str, str]]:
    files = [shapes_dir() / "dcat-ap-3" / name for name in DCAT_AP_FILES]
    return _target_paths(_official_shapes(files))


def test_every_healthdcat_property_is_in_the_model(healthdcat_pairs: set[tuple[str, str]]) -> None:
    missing = healthdcat_pairs - _model_pairs() - DELIBERATE_DIFFERENCES
    assert not missing, f"HealthDCAT-AP properties without a slot on their class: {sorted(missing)}"


def test_every_dcat_ap_property_is_in_the_model(dcat_ap_pairs: set[tuple[str, str]]) -> None:
    missing = dcat_ap_pairs - _model_pairs() - DELIBERATE_DIFFERENCES
    assert not missing, f"DCAT-AP properties without a slot on their class: {sorted(missing)}"


@pytest.mark.parametrize(
    ("slot", "iri"),
    [
        ("health_category", "http://healthdataportal.eu/ns/health#healthCategory"),
        ("health_theme", "http://healthdataportal.eu/ns/health#healthTheme"),
        ("number_of_records", "http://healthdataportal.eu/ns/health#numberOfRecords"),
        ("min_typical_age", "http://healthdataportal.eu/ns/health#minTypicalAge"),
        ("max_typical_age", "http://healthdataportal.eu/ns/health#maxTypicalAge"),
        ("population_coverage", "http://healthdataportal.eu/ns/health#populationCoverage"),
        ("has_coding_system", "http://healthdataportal.eu/ns/health#hasCodingSystem"),
        ("has_code_values", "http://healthdataportal.eu/ns/health#hasCodeValues"),
        ("hdab", "http://healthdataportal.eu/ns/health#hdab"),
        ("hdab_coordinator", "http://healthdataportal.eu/ns/health#hdabCoordinator"),
        ("custodian", "http://data.europa.eu/930/custodian"),
        ("retention_period", "http://healthdataportal.eu/ns/health#retentionPeriod"),
        ("analytics", "http://healthdataportal.eu/ns/health#analytics"),
        ("has_structured_data", "http://healthdataportal.eu/ns/health#hasStructuredData"),
        ("has_variables", "http://healthdataportal.eu/ns/health#hasVariables"),
        ("has_legal_basis", "https://w3id.org/dpv#hasLegalBasis"),
        ("has_personal_data", "https://w3id.org/dpv#hasPersonalData"),
        ("has_purpose", "https://w3id.org/dpv#hasPurpose"),
        ("has_quality_annotation", "http://www.w3.org/ns/dqv#hasQualityAnnotation"),
        ("applicable_legislation", "http://data.europa.eu/r5r/applicableLegislation"),
        ("trusted_data_holder", "http://healthdataportal.eu/ns/health#trustedDataHolder"),
        ("agent_contact_point", "http://data.europa.eu/m8g/contactPoint"),
        ("contact_point", "http://www.w3.org/ns/dcat#contactPoint"),
    ],
)
def test_health_slot_iris(slot: str, iri: str) -> None:
    assert schema.predicate_for(slot) == iri
    assert schema.slot_name_for(iri) == slot


def test_health_agents_carry_a_cv_contact_point() -> None:
    agent = schema.classes()["Agent"]
    assert agent.uri == "http://xmlns.com/foaf/0.1/Agent"
    assert {"agent_contact_point", "trusted_data_holder", "name"} <= set(agent.slots)
    assert schema.classes()["ContactPoint"].uri == "http://data.europa.eu/m8g/ContactPoint"
    assert schema.classes()["Kind"].uri == "http://www.w3.org/2006/vcard/ns#Kind"


def _architecture_table() -> list[tuple[str, str]]:
    text = (project_root() / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The genomics extension", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z_]+)` \| `([A-Za-z]+):([A-Za-z]+)`", line)
        if match:
            rows.append((match.group(1), f"{match.group(2)}:{match.group(3)}"))
    return rows


def test_genomics_extension_matches_the_architecture_table() -> None:
    rows = _architecture_table()
    assert len(rows) >= 20
    namespaces = {
        "gdcat": "https://w3id.org/gdcat/ns#",
        "healthdcatap": "http://healthdataportal.eu/ns/health#",
    }
    dataset_slots = set(schema.classes()["Dataset"].slots)
    for slot, curie in rows:
        prefix, local = curie.split(":")
        assert schema.predicate_for(slot) == namespaces[prefix] + local, slot
        assert slot in dataset_slots, slot


def test_genomics_mandatory_fields_follow_the_table() -> None:
    required = set(schema.classes()["Dataset"].required)
    assert {"sequencing_type", "data_use_permission", "readiness"} <= required


def test_every_slot_has_its_own_predicate() -> None:
    counts = Counter(info.predicate for info in schema.slots().values())
    assert [p for p, n in counts.items() if n > 1] == []


def test_class_iris_are_official() -> None:
    uris = schema.class_uris()
    assert uris["Dataset"] == "http://www.w3.org/ns/dcat#Dataset"
    assert uris["DatasetSeries"] == "http://www.w3.org/ns/dcat#DatasetSeries"
    assert uris["Distribution"] == "http://www.w3.org/ns/dcat#Distribution"
    assert uris["DataService"] == "http://www.w3.org/ns/dcat#DataService"
    assert uris["CatalogRecord"] == "http://www.w3.org/ns/dcat#CatalogRecord"
    assert uris["PeriodOfTime"] == "http://purl.org/dc/terms/PeriodOfTime"
    assert uris["Checksum"] == "http://spdx.org/rdf/terms#Checksum"
    assert uris["TableGroup"] == "http://www.w3.org/ns/csvw#TableGroup"


def test_datatype_ranges_give_the_store_what_oxigraph_rewrites() -> None:
    ranges = schema.datatype_ranges()
    nni = "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"
    for predicate in (
        "http://healthdataportal.eu/ns/health#numberOfUniqueIndividuals",
        "http://healthdataportal.eu/ns/health#numberOfRecords",
        "http://healthdataportal.eu/ns/health#minTypicalAge",
        "http://www.w3.org/ns/dcat#byteSize",
        "https://w3id.org/gdcat/ns#numberOfGenomes",
        "https://w3id.org/gdcat/ns#numberOfExomes",
        "https://w3id.org/gdcat/ns#numberOfSamples",
    ):
        assert ranges[predicate] == nni, predicate
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    assert ranges["http://healthdataportal.eu/ns/health#hasStructuredData"] == boolean
    # A date-or-dateTime field keeps whatever datatype its publisher chose.
    assert "http://purl.org/dc/terms/issued" not in ranges
    # Plain and language-tagged texts have no datatype to restore.
    assert "http://purl.org/dc/terms/title" not in ranges


def test_unknown_names_give_none() -> None:
    assert schema.slot_name_for("http://example.org/nothing") is None
    assert schema.predicate_for("no_such_field") is None
