"""Steward YAML: what a steward writes becomes the RDF the model says, or a located error."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from gdcat.errors import InputError, StewardDocumentError
from gdcat.model.steward import context_document, dump_steward_yaml, load_steward_yaml
from gdcat.paths import examples_dir

GDCAT = "https://w3id.org/gdcat/ns#"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
HEALTH = "http://healthdataportal.eu/ns/health#"
DS = URIRef("https://example.org/dataset/1")
VALID = sorted((examples_dir() / "valid").glob("*.yaml"))

MINIMAL = """\
id: https://example.org/dataset/1
title: Exomes
description: {en: Exomes of a cohort, nl: Exomen van een cohort}
access_rights: access-right:RESTRICTED
sequencing_type: WES
data_use_permission: DUO:0000006
readiness: READY
"""


def load(text: str) -> Graph:
    return load_steward_yaml(text, "steward.yaml")


def error_for(text: str) -> StewardDocumentError:
    with pytest.raises(StewardDocumentError) as caught:
        load(text)
    return caught.value


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_examples_mean_their_committed_turtle(path: Path) -> None:
    from_yaml = load_steward_yaml(path.read_text(encoding="utf-8"), str(path))
    committed = Graph()
    committed.parse(path.with_suffix(".ttl"), format="turtle")
    assert isomorphic(from_yaml, committed), f"{path.name}: run make generate"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_examples_round_trip_through_yaml(path: Path) -> None:
    graph = load_steward_yaml(path.read_text(encoding="utf-8"), str(path))
    again = load_steward_yaml(dump_steward_yaml(graph), "dumped.yaml")
    assert isomorphic(graph, again)


def test_a_minimal_dataset() -> None:
    graph = load(MINIMAL)
    assert (DS, RDF.type, DCAT.Dataset) in graph
    # a plain string is English; a mapping gives one literal per language
    assert (DS, DCTERMS.title, Literal("Exomes", lang="en")) in graph
    assert (DS, DCTERMS.description, Literal("Exomen van een cohort", lang="nl")) in graph
    access = URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")
    assert (DS, DCTERMS.accessRights, access) in graph
    wes = URIRef("https://w3id.org/gdcat/vocab/sequencing-type/WES")
    assert (DS, URIRef(GDCAT + "sequencingType"), wes) in graph
    hmb = URIRef("http://purl.obolibrary.org/obo/DUO_0000006")
    assert (DS, URIRef(GDCAT + "dataUsePermission"), hmb) in graph


def test_referenced_documents_are_typed_for_dcat_ap_range_checks() -> None:
    graph = load(MINIMAL + "language: language:NLD\nlanding_page: https://example.org/page\n")
    nld = URIRef("http://publications.europa.eu/resource/authority/language/NLD")
    assert (nld, RDF.type, DCTERMS.LinguisticSystem) in graph
    assert (URIRef("https://example.org/page"), RDF.type, FOAF.Document) in graph
    access = URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")
    assert (access, RDF.type, DCTERMS.RightsStatement) in graph


def test_vocabulary_concepts_and_other_records_are_not_typed() -> None:
    graph = load(MINIMAL + "theme: data-theme:HEAL\nin_series: https://example.org/series/1\n")
    heal = URIRef("http://publications.europa.eu/resource/authority/data-theme/HEAL")
    assert (heal, RDF.type, None) not in graph
    series = URIRef("https://example.org/series/1")
    assert (DS, DCAT.inSeries, series) in graph
    assert (series, RDF.type, None) not in graph


def test_counts_and_booleans_are_typed() -> None:
    graph = load(
        MINIMAL + "number_of_unique_individuals: 1200\nhas_linked_clinical_data: true\n"
        "issued: 2024-03-01\nmodified: 2024-03-01T10:00:00Z\n"
    )
    count = Literal("1200", datatype=XSD.nonNegativeInteger)
    assert (DS, URIRef(HEALTH + "numberOfUniqueIndividuals"), count) in graph
    assert (DS, URIRef(GDCAT + "hasLinkedClinicalData"), Literal(True)) in graph
    assert (DS, DCTERMS.issued, Literal("2024-03-01", datatype=XSD.date)) in graph
    (modified,) = graph.objects(DS, DCTERMS.modified)
    assert modified.datatype == XSD.dateTime


def test_values_that_are_wrong_reach_the_graph_for_validation_to_report() -> None:
    graph = load(MINIMAL + "number_of_genomes: -3\nphenotype: epilepsy\n")
    assert (DS, URIRef(GDCAT + "numberOfGenomes"), None) in graph
    (phenotype,) = graph.objects(DS, URIRef(GDCAT + "phenotype"))
    assert phenotype == Literal("epilepsy")


def test_nested_mappings_become_typed_nodes() -> None:
    graph = load(
        MINIMAL
        + "publisher:\n  name: Genome Centre\n  agent_contact_point:\n    email: a@example.org\n"
        + "distribution:\n  - id: https://example.org/dist/1\n    access_url: https://example.org/a\n"
    )
    publisher = graph.value(DS, DCTERMS.publisher)
    assert isinstance(publisher, BNode)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    contact = graph.value(publisher, URIRef("http://data.europa.eu/m8g/contactPoint"))
    assert (contact, RDF.type, URIRef("http://data.europa.eu/m8g/ContactPoint")) in graph
    dist = URIRef("https://example.org/dist/1")
    assert (DS, DCAT.distribution, dist) in graph
    assert (dist, RDF.type, DCAT.Distribution) in graph


def test_a_series_with_its_members() -> None:
    graph = load(
        "- id: https://example.org/series/1\n  type: DatasetSeries\n  title: Yearly exomes\n"
        "  description: Yearly releases\n- "
        + MINIMAL.replace("\n", "\n  ").rstrip()
        + "\n  in_series: https://example.org/series/1\n"
    )
    series = URIRef("https://example.org/series/1")
    assert (series, RDF.type, DCAT.DatasetSeries) in graph
    assert (DS, DCAT.inSeries, series) in graph


def test_unknown_field_names_the_field_and_line() -> None:
    error = error_for(MINIMAL + "sequencing_typ: WGS\n")
    assert isinstance(error, InputError)
    assert "sequencing_typ" in error.message
    assert "sequencing_type" in error.message  # the suggestion
    assert error.location is not None and error.location.line == 8
    assert error.location.source == "steward.yaml"


def test_unknown_nested_field_names_its_line() -> None:
    error = error_for(MINIMAL + "distribution:\n  - access_url: https://e.org/a\n    colour: red\n")
    assert "colour" in error.message and "Distribution" in error.message
    assert error.location is not None and error.location.line == 10


def test_a_field_of_another_class_is_refused() -> None:
    error = error_for(MINIMAL + "endpoint_url: https://example.org/beacon\n")
    assert "not allowed on a Dataset" in error.message


def test_a_list_for_a_single_valued_field_is_refused() -> None:
    error = error_for(MINIMAL.replace("readiness: READY", "readiness: [READY, NOT_READY]"))
    assert "readiness takes one value" in error.message
    assert error.location is not None and error.location.line == 7


def test_a_mapping_where_text_is_expected_is_refused() -> None:
    error = error_for(MINIMAL + "identifier: {value: X}\n")
    assert "identifier" in error.message and error.location is not None


def test_a_dataset_needs_an_id() -> None:
    error = error_for(MINIMAL.replace("id: https://example.org/dataset/1\n", ""))
    assert "needs an id" in error.message


def test_a_bad_language_tag_is_refused() -> None:
    error = error_for(MINIMAL.replace("title: Exomes", "title: {english: Exomes}"))
    assert "not a language tag" in error.message


def test_an_unknown_record_type_is_refused() -> None:
    error = error_for("type: Catalogue\n" + MINIMAL)
    assert "type must be one of Dataset, DatasetSeries" in error.message


def test_yaml_syntax_errors_have_a_line() -> None:
    error = error_for(MINIMAL + "keyword: [unclosed\n")
    assert error.location is not None and error.location.line is not None
    assert "not valid YAML" in error.message


def test_empty_documents_are_refused() -> None:
    assert "empty" in error_for("").message
    assert "empty" in error_for("[]").message


def test_context_document_is_a_fresh_copy() -> None:
    first = context_document()
    first["@context"]["title"] = "changed"
    assert context_document()["@context"]["title"]["@id"] == "dct:title"


def test_dump_writes_codes_curies_and_language_maps() -> None:
    text = dump_steward_yaml(load(MINIMAL + "number_of_genomes: 12\n"))
    assert "sequencing_type: WES" in text
    assert "data_use_permission: DUO:0000006" in text
    assert "access_rights: access-right:RESTRICTED" in text
    assert "number_of_genomes: 12" in text
    assert "nl: Exomen van een cohort" in text


def test_examples_exist() -> None:
    assert len(VALID) >= 10
