"""Class checks follow the class hierarchy and the classes of authority-table values (issue 11
items 1 and 2), without the hierarchy's side effects on which shapes a node is validated by."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from gdcat.validate import ValidationReport, Validator
from gdcat.validate.classes import (
    NEVER_RETARGETED,
    class_index,
    entailments,
    instance_of,
    validation_shapes,
)
from gdcat.vocab import VCARD

ValidatorFor = Callable[[str], Validator]

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix eu: <http://publications.europa.eu/resource/authority/> .
"""

#: What ckanext-dcat writes for a CKAN dataset: an organisation publisher, an organisation
#: contact point, and values from the EU authority tables without any class of their own.
CKAN_EXPORT = (
    PREFIXES
    + """
<https://ckan.example.org/dataset/1> a dcat:Dataset ;
  dct:title "Variants of a cohort"@en ; dct:description "Called variants."@en ;
  dct:publisher <https://ckan.example.org/organization/1> ;
  dcat:contactPoint [ a vcard:Organization ; vcard:fn "Help desk" ;
                      vcard:hasEmail <mailto:help@example.org> ] ;
  dct:language <http://publications.europa.eu/resource/authority/language/ENG> ;
  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/ANNUAL> ;
  dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
  dct:spatial <http://publications.europa.eu/resource/authority/country/NLD> ;
  dcat:distribution <https://ckan.example.org/dataset/1/resource/1> .
<https://ckan.example.org/organization/1> a foaf:Organization ; foaf:name "A hospital" .
<https://ckan.example.org/dataset/1/resource/1> a dcat:Distribution ;
  dcat:accessURL <https://ckan.example.org/files/1> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/VCF> ;
  dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> .
"""
)


def _graph(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def _violations(report: ValidationReport) -> list[tuple[str, str, str | None]]:
    return [(r.path, r.constraint, r.value) for r in report.results if r.severity == "Violation"]


def test_ckan_export_with_organisations_and_table_values_conforms(validator: ValidatorFor) -> None:
    report = validator("dcat-ap-3").validate(_graph(CKAN_EXPORT))
    assert _violations(report) == []
    assert report.conforms


def test_subclass_values_conform_under_healthdcat_too(validator: ValidatorFor) -> None:
    report = validator("healthdcat-ap-r8").validate(_graph(CKAN_EXPORT))
    assert not [r for r in report.results if r.constraint == "sh:class"], report.to_text()


def test_an_iri_in_no_table_is_still_reported(validator: ValidatorFor) -> None:
    text = CKAN_EXPORT.replace(
        "<http://publications.europa.eu/resource/authority/file-type/VCF>",
        "<https://formats.example.org/VCF>",
    ).replace(
        "<http://publications.europa.eu/resource/authority/language/ENG>",
        "<http://publications.europa.eu/resource/authority/language/NOT_A_LANGUAGE>",
    )
    report = validator("dcat-ap-3").validate(_graph(text))
    by_path = {r.path: r for r in report.results if r.constraint == "sh:class"}
    assert set(by_path) == {"distribution.format", "language"}
    assert by_path["distribution.format"].value == "https://formats.example.org/VCF"
    # the message names the class of the specification, never gdcat's rewritten one
    assert "dct:MediaTypeOrExtent" in by_path["distribution.format"].message
    assert "urn:gdcat" not in by_path["distribution.format"].message
    assert "dct:LinguisticSystem" in by_path["language"].message


def test_a_node_typed_with_an_unrelated_class_is_still_reported(validator: ValidatorFor) -> None:
    text = CKAN_EXPORT.replace(
        "a foaf:Organization ; foaf:name", "a <https://example.org/Building> ; foaf:name"
    )
    report = validator("dcat-ap-3").validate(_graph(text))
    assert ("publisher", "sh:class", "https://ckan.example.org/organization/1") in _violations(
        report
    )


def test_an_organisation_is_validated_as_an_agent(validator: ValidatorFor) -> None:
    """The foaf:Agent shapes apply to a foaf:Organization, as in the official validators."""
    named = 'a foaf:Organization ; foaf:name "A hospital"'
    text = CKAN_EXPORT.replace(named, "a foaf:Organization")
    report = validator("dcat-ap-3").validate(_graph(text))
    assert ("publisher.name", "sh:minCount", None) in _violations(report)


SERIES_CATALOGUE = (
    PREFIXES
    + """
<https://example.org/catalogue> a dcat:Catalog ;
  dct:title "Catalogue"@en ; dct:description "A catalogue."@en ;
  dct:publisher <https://example.org/publisher> ;
  dcat:dataset <https://example.org/series> .
<https://example.org/publisher> a foaf:Organization ; foaf:name "Publisher" .
<https://example.org/series> a dcat:DatasetSeries ;
  dct:title "A series"@en ; dct:description "Yearly releases."@en .
"""
)


def test_a_series_is_a_dataset_for_value_checks(validator: ValidatorFor) -> None:
    report = validator("dcat-ap-3").validate(_graph(SERIES_CATALOGUE))
    assert not [r for r in report.results if r.path == "dataset"], report.to_text()
    assert report.conforms, report.to_text()


def test_without_the_hierarchy_the_series_would_be_refused(validator: ValidatorFor) -> None:
    """The check above can fail: a node of an unrelated class in the same place is refused."""
    text = SERIES_CATALOGUE.replace("a dcat:DatasetSeries", "a dcat:Distribution")
    report = validator("dcat-ap-3").validate(_graph(text))
    assert ("dataset", "sh:class", "https://example.org/series") in _violations(report)


def test_a_catalogue_is_not_validated_as_a_dataset(validator: ValidatorFor) -> None:
    """DCAT: dcat:Catalog ⊑ dcat:Dataset ⊑ dcat:Resource. The dataset shapes must not fire on
    the catalogue, nor on the series; each is validated by its own shapes."""
    report = validator("dcat-ap-3").validate(_graph(SERIES_CATALOGUE))
    shapes_on: dict[str, set[str]] = {}
    for r in report.results:
        shapes_on.setdefault(r.focus_node, set()).add(r.source_shape.rsplit("#", 1)[-1])
    catalogue = shapes_on["https://example.org/catalogue"]
    series = shapes_on["https://example.org/series"]
    assert "Catalog_Shape" in catalogue  # validated: its own recommended fields are warned
    assert "DatasetSeries_Shape" in series
    for found in (catalogue, series):
        assert not {"Dataset_Shape", "DcatResource_Shape"} & found, report.to_text()


def test_entailments_never_retarget_records_but_serve_value_checks() -> None:
    _, classes = validation_shapes("dcat-ap-3", "")
    catalogue = URIRef("https://example.org/catalogue")
    service = URIRef("https://example.org/service")
    series = URIRef("https://example.org/series")
    organisation = URIRef("https://example.org/organisation")
    triples = [
        (catalogue, RDF.type, DCAT.Catalog),
        (service, RDF.type, DCAT.DataService),
        (series, RDF.type, URIRef(str(DCAT) + "DatasetSeries")),
        (organisation, RDF.type, FOAF.Organization),
    ]
    added = set(entailments(triples, classes, class_index()))
    real = {(s, o) for s, _, o in added if not str(o).startswith("urn:gdcat:")}
    assert not {o for _, o in real} & NEVER_RETARGETED
    assert (organisation, FOAF.Agent) in real
    assert (catalogue, RDF.type, instance_of(DCAT.Dataset)) in added
    assert (series, RDF.type, instance_of(DCAT.Dataset)) in added
    assert (organisation, RDF.type, instance_of(FOAF.Agent)) in added


def test_shipped_hierarchy_has_the_edges_the_profiles_need() -> None:
    index = class_index()
    assert FOAF.Agent in index.closure(FOAF.Organization)
    assert VCARD.Kind in index.closure(VCARD.Organization)
    assert VCARD.Kind in index.closure(VCARD.Individual)
    assert DCAT.Dataset in index.closure(URIRef(str(DCAT) + "DatasetSeries"))
    assert DCTERMS.RightsStatement in index.closure(DCTERMS.LicenseDocument)
    assert DCTERMS.MediaTypeOrExtent in index.closure(DCTERMS.MediaType)


def test_every_imported_vocabulary_has_its_source_and_checksum() -> None:
    import hashlib

    from gdcat.paths import ontologies_dir
    from gdcat.validate.classes import import_files

    sources = (ontologies_dir() / "SOURCES.md").read_text(encoding="utf-8")
    files = import_files()
    assert len(files) >= 12
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        assert f"| `{path.name}` | {digest} |" in sources, path.name
