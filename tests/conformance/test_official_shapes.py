"""gdcat's profiles against the official shapes and examples (HealthDCAT-AP R8, GDI, FDP).

Known-good official records must conform; each single mutation of them must produce exactly
the one violation it introduces, named by the field a steward wrote.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from example_data import (
    ARCA,
    ARCA_IRI,
    GDI_RECORD,
    NON_PUBLIC_EXAMPLE,
    OFFICIAL,
    ONCOLOGY,
    SAMPLE_CATALOGUE,
    load,
)
from rdflib import Graph, Literal, Namespace, URIRef

from gdcat.validate import ValidationReport, Validator, gdi_to_healthdcat
from gdcat.vocab import ACCESS_RIGHT, CV, DATA_THEME, HEALTHDCATAP, PREFIXES

# Plain namespaces: pytest's collection probes module attributes, which rdflib's closed
# namespaces answer with warnings.
DCAT = Namespace(PREFIXES["dcat"])
DCTERMS = Namespace(PREFIXES["dct"])
RDF = Namespace(PREFIXES["rdf"])
SKOS = Namespace(PREFIXES["skos"])
XSD = Namespace(PREFIXES["xsd"])

EX = Namespace("https://healthdcat-ap.example.org/release-7/example/")
ARCA_NS = Namespace("https://eu-rd-platform.jrc.ec.europa.eu/mdr/detail/ARCA/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EHDS = URIRef("http://data.europa.eu/eli/reg/2025/327/oj")

ValidatorFor = Callable[[str], Validator]


def violations(report: ValidationReport) -> set[tuple[str, str, str]]:
    return {(r.dataset, r.path, r.constraint) for r in report.violations}


def relevel(graph: Graph, level: str) -> Graph:
    """ARCA with another access right: the IRI replaced everywhere, with its label."""
    old, new = ACCESS_RIGHT.PUBLIC, ACCESS_RIGHT[level]
    out = Graph()
    for s, p, o in graph:
        s = new if s == old else s
        o = new if o == old else o
        if s == new and p == SKOS.prefLabel:
            o = Literal(level.replace("_", " ").capitalize(), lang="en")
        out.add((s, p, o))
    return out


# --- known-good records ---------------------------------------------------------------


def test_non_public_example_conforms(validator: ValidatorFor) -> None:
    report = validator("healthdcat-ap-r8").validate(load(NON_PUBLIC_EXAMPLE))
    assert report.datasets == (ONCOLOGY,)
    assert report.violations == []
    assert report.conforms
    # What is left are the documented upstream conflicts, as warnings.
    assert {r.path for r in report.warnings} >= {"source", "distribution.status"}


def test_non_public_example_conforms_to_its_explicit_level(validator: ValidatorFor) -> None:
    report = validator("healthdcat-ap-r8-non-public").validate(load(NON_PUBLIC_EXAMPLE))
    assert report.violations == []


def test_arca_conforms_as_public(validator: ValidatorFor) -> None:
    report = validator("healthdcat-ap-r8").validate(load(ARCA))
    assert report.datasets == (ARCA_IRI,)
    assert report.violations == []
    assert report.warnings, "ARCA has known warnings (publisher types, ADMS status)"


@pytest.mark.parametrize("level", ["RESTRICTED", "NON_PUBLIC"])
def test_arca_conforms_when_relevelled(validator: ValidatorFor, level: str) -> None:
    graph = relevel(load(ARCA), level)
    # ARCA already has what NON_PUBLIC adds (contact point, keyword, type, provenance).
    report = validator("healthdcat-ap-r8").validate(graph)
    assert report.violations == []
    explicit = validator(f"healthdcat-ap-r8-{level.lower().replace('_', '-')}").validate(graph)
    assert explicit.violations == []


def test_arca_conforms_inside_a_minimal_catalogue(validator: ValidatorFor) -> None:
    graph = load(ARCA)
    catalogue = URIRef("https://example.org/catalogue")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal("Minimal catalogue", lang="en")))
    graph.add((catalogue, DCTERMS.description, Literal("One registry.", lang="en")))
    graph.add((catalogue, DCTERMS.publisher, ARCA_NS["publisher-jrc"]))
    graph.add((catalogue, DCAT.dataset, URIRef(ARCA_IRI)))
    graph.add((catalogue, DCATAP.applicableLegislation, EHDS))
    report = validator("healthdcat-ap-r8").validate(graph)
    assert report.violations == []
    assert report.datasets == (ARCA_IRI,)
    # The catalogue is checked too: its own recommendations are reported against it.
    assert any(r.dataset == str(catalogue) for r in report.warnings)


# --- single mutations -------------------------------------------------------------------


def _drop(predicate: URIRef) -> Callable[[Graph], None]:
    def mutate(graph: Graph) -> None:
        graph.remove((URIRef(ONCOLOGY), predicate, None))

    return mutate


def _set(predicate: URIRef, *values: Literal | URIRef) -> Callable[[Graph], None]:
    def mutate(graph: Graph) -> None:
        graph.remove((URIRef(ONCOLOGY), predicate, None))
        for value in values:
            graph.add((URIRef(ONCOLOGY), predicate, value))

    return mutate


def _add(predicate: URIRef, value: Literal | URIRef) -> Callable[[Graph], None]:
    def mutate(graph: Graph) -> None:
        graph.add((URIRef(ONCOLOGY), predicate, value))

    return mutate


def _own_frequency(graph: Graph) -> None:
    """A frequency typed as one (so the range holds) but not from the EU frequency table."""
    moon = URIRef("https://example.org/every-full-moon")
    _set(DCTERMS.accrualPeriodicity, moon)(graph)
    graph.add((moon, RDF.type, DCTERMS.Frequency))


MUTATIONS = {
    "no hdab": (_drop(HEALTHDCATAP.hdab), "hdab", "sh:minCount"),
    "no distribution": (_drop(DCAT.distribution), "distribution", "sh:minCount"),
    "negative number of unique individuals": (
        _set(HEALTHDCATAP.numberOfUniqueIndividuals, Literal("-5", datatype=XSD.integer)),
        "number_of_unique_individuals",
        "sh:datatype",
    ),
    "ill-typed number of unique individuals": (
        _set(
            HEALTHDCATAP.numberOfUniqueIndividuals,
            Literal("-5", datatype=XSD.nonNegativeInteger),
        ),
        "number_of_unique_individuals",
        "sh:datatype",
    ),
    "second min typical age": (
        _add(HEALTHDCATAP.minTypicalAge, Literal("21", datatype=XSD.nonNegativeInteger)),
        "min_typical_age",
        "sh:maxCount",
    ),
    "structured data without variables": (
        _drop(HEALTHDCATAP.hasVariables),
        "has_variables",
        "sh:sparql",
    ),
    "no health category": (_drop(HEALTHDCATAP.healthCategory), "health_category", "sh:minCount"),
    "theme without HEAL": (_set(DCAT.theme, DATA_THEME.AGRI), "theme", "sh:hasValue"),
    "frequency outside the EU table": (
        _own_frequency,
        "accrual_periodicity",
        "sh:node",
    ),
    "no structured-data flag": (
        _drop(HEALTHDCATAP.hasStructuredData),
        "has_structured_data",
        "sh:minCount",
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_produces_exactly_its_violation(validator: ValidatorFor, name: str) -> None:
    mutate, field, constraint = MUTATIONS[name]
    graph = load(NON_PUBLIC_EXAMPLE)
    mutate(graph)
    report = validator("healthdcat-ap-r8").validate(graph)
    assert violations(report) == {(ONCOLOGY, field, constraint)}, report.to_text()
    assert not report.conforms
    (result,) = report.violations
    assert result.message and result.hint


def test_publisher_without_contact_point_is_named_by_nested_field(
    validator: ValidatorFor,
) -> None:
    graph = load(NON_PUBLIC_EXAMPLE)
    graph.remove((EX["publisher-agent"], CV.contactPoint, None))
    report = validator("healthdcat-ap-r8").validate(graph)
    (result,) = report.violations
    assert result.dataset == ONCOLOGY
    assert result.path.startswith("publisher.")
    assert result.property == "dct:publisher/cv:contactPoint"
    assert result.constraint == "sh:minCount"
    assert result.focus_node == str(EX["publisher-agent"])


def test_distribution_without_access_url_is_traced_to_the_distribution(
    validator: ValidatorFor,
) -> None:
    graph = load(NON_PUBLIC_EXAMPLE)
    graph.remove((EX["distribution-main-csv"], DCAT.accessURL, None))
    report = validator("healthdcat-ap-r8").validate(graph)
    assert violations(report) == {(ONCOLOGY, "distribution.access_url", "sh:minCount")}
    (result,) = report.violations
    assert result.property == "dcat:distribution/dcat:accessURL"
    assert result.focus_node == str(EX["distribution-main-csv"])


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("healthdcat-ap-r8-restricted", "RESTRICTED"),
        ("healthdcat-ap-r8-non-public", "NON_PUBLIC"),
    ],
)
def test_wrong_access_level_against_an_explicit_level(
    validator: ValidatorFor, profile: str, expected: str
) -> None:
    report = validator(profile).validate(load(ARCA))
    assert violations(report) == {(ARCA_IRI, "access_rights", "sh:hasValue")}
    assert expected in report.violations[0].shape_message  # type: ignore[operator]


def test_unknown_access_right_is_explained_as_a_level_choice(validator: ValidatorFor) -> None:
    graph = load(ARCA)
    graph.set((URIRef(ARCA_IRI), DCTERMS.accessRights, ACCESS_RIGHT.CONFIDENTIAL))
    report = validator("healthdcat-ap-r8").validate(graph)
    access = [r for r in report.violations if r.path == "access_rights"]
    assert access
    assert any("PUBLIC, RESTRICTED or NON_PUBLIC" in r.message for r in access)


# --- the 21-dataset sample catalogue ---------------------------------------------------


def test_sample_catalogue_validates_to_a_report(validator: ValidatorFor) -> None:
    graph = load(SAMPLE_CATALOGUE)
    report = validator("healthdcat-ap-r8").validate(graph)
    datasets = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
    assert len(datasets) == 21
    assert set(report.datasets) == datasets
    assert not report.conforms
    # Every dataset has its own problems, traced to it by IRI ...
    assert datasets <= {r.dataset for r in report.violations}
    # ... including problems on its distributions, named by the nested field.
    assert any(r.path.startswith("distribution.") and r.dataset in datasets for r in report.results)
    # The catalogue itself is reported against its own IRI, not against a dataset.
    assert "http://example.org/catalog" in {r.dataset for r in report.results}
    # Results on vocabulary concepts added as background never show up.
    assert not any(
        r.focus_node.startswith("http://publications.europa.eu/resource/authority/data-theme")
        for r in report.results
    )
    assert report.to_json() and report.to_text()


# --- GDI and FAIR Data Point -------------------------------------------------------------


def test_gdi_profile_accepts_a_gdi_record(validator: ValidatorFor) -> None:
    report = validator("gdi").validate(load(GDI_RECORD))
    assert report.conforms, report.to_text()
    assert report.results == []


def test_gdi_profile_reports_what_health_ri_examples_lack(validator: ValidatorFor) -> None:
    graph = load(OFFICIAL / "health-ri-v2" / "example-dataset.ttl")
    report = validator("gdi").validate(graph)
    assert len(report.datasets) == 5
    found = {(r.path, r.constraint) for r in report.violations}
    assert ("identifier", "sh:pattern") in found  # "test-dataset-id-0" is not GDI-NL-...
    assert ("health_category", "sh:minCount") in found
    assert all(r.dataset in report.datasets for r in report.violations)


def test_gdi_profile_validates_health_ri_catalogue_and_distribution(
    validator: ValidatorFor,
) -> None:
    gdi = validator("gdi")
    catalogue = gdi.validate(load(OFFICIAL / "health-ri-v2" / "example-catalog.ttl"))
    assert {r.dataset for r in catalogue.results} <= {
        "http://example.com/catalog",
        "http://example.com/catalog/1",
    }
    assert ("applicable_legislation", "sh:minCount") in {
        (r.path, r.constraint) for r in catalogue.violations
    }
    distribution = gdi.validate(load(OFFICIAL / "health-ri-v2" / "example-distribution.ttl"))
    assert ("applicable_legislation", "sh:minCount") in {
        (r.path, r.constraint) for r in distribution.violations
    }
    service = gdi.validate(load(OFFICIAL / "health-ri-v2" / "example-dataservice.ttl"))
    assert service.conforms  # it has the title and endpoint URL GDI asks of a data service


def test_fdp_profile_applies_resource_shape_through_inheritance(
    validator: ValidatorFor,
) -> None:
    report = validator("fdp").validate(load(OFFICIAL / "health-ri-v2" / "example-dataset.ttl"))
    # dcat:version is required by the FDP Resource schema, which Dataset extends.
    missing_version = {r.dataset for r in report.violations if r.path == "version"}
    assert missing_version == set(report.datasets)
    catalogue = validator("fdp").validate(load(OFFICIAL / "health-ri-v2" / "example-catalog.ttl"))
    assert any(r.path == "version" for r in catalogue.violations)


# --- the crosswalk ---------------------------------------------------------------------


def test_gdi_record_needs_the_crosswalk_for_healthdcat(validator: ValidatorFor) -> None:
    raw = validator("healthdcat-ap-r8").validate(load(GDI_RECORD))
    assert not raw.conforms
    converted = gdi_to_healthdcat(load(GDI_RECORD))
    report = validator("healthdcat-ap-r8").validate(converted)
    assert report.violations == [], report.to_text()
    assert report.conforms


def test_crosswalk_of_non_public_gdi_record_leaves_only_underivable_fields(
    validator: ValidatorFor,
) -> None:
    graph = load(GDI_RECORD)
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.set((dataset, DCTERMS.accessRights, ACCESS_RIGHT.NON_PUBLIC))
    report = validator("healthdcat-ap-r8").validate(gdi_to_healthdcat(graph))
    # NON_PUBLIC needs a provenance statement, which no GDI field holds.
    assert violations(report) == {(str(dataset), "provenance", "sh:minCount")}
