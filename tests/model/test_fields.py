"""The steward fields read from the LinkML model and the shipped vocabularies."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdcat.model import fields, schema
from gdcat.model.fields import Kind
from gdcat.paths import project_root


def test_a_dataset_starts_with_its_iri_and_holds_every_slot_of_the_class_once() -> None:
    found = fields.fields("Dataset")
    assert found[0].name == "id" and found[0].required and found[0].kind is Kind.IRI
    names = [f.name for f in found]
    assert len(names) == len(set(names))
    assert set(names) - {"id"} == set(schema.class_slot_info("Dataset"))


def test_required_and_recommended_come_from_the_models_slot_usage() -> None:
    by_name = {f.name: f for f in fields.fields("Dataset")}
    required = {n for n, f in by_name.items() if f.required} - {"id"}
    assert required == set(schema.classes()["Dataset"].required)
    assert {"title", "description", "sequencing_type", "data_use_permission", "readiness"} <= (
        required
    )
    assert by_name["reference_genome"].recommended and not by_name["reference_genome"].required
    assert by_name["consent_status"].recommended
    assert not by_name["distribution"].required  # a dataset not shareable yet has none


def test_sections_put_the_survey_in_its_order_and_the_rest_last() -> None:
    ids = [s.id for s in fields.sections("Dataset")]
    assert ids == [
        "identification",
        "genomic",
        "phenotypes",
        "data_use",
        "linked_data",
        "consent",
        "readiness",
        "access",
        "more",
    ]
    genomic = next(s for s in fields.sections() if s.id == "genomic")
    assert [f.name for f in genomic.fields][:3] == [
        "sequencing_type",
        "reference_genome",
        "number_of_unique_individuals",
    ]


def test_labels_kinds_and_help_texts() -> None:
    by_name = {f.name: f for f in fields.fields()}
    individuals = by_name["number_of_unique_individuals"]
    assert individuals.label == "Number of unique individuals"
    assert individuals.kind is Kind.NUMBER and individuals.integer
    assert "distinct people" in individuals.help
    assert by_name["title"].kind is Kind.MULTILINGUAL and by_name["title"].multivalued
    assert by_name["issued"].kind is Kind.DATE
    assert by_name["has_linked_clinical_data"].kind is Kind.BOOLEAN
    assert by_name["landing_page"].kind is Kind.IRI
    assert by_name["sequencing_platform"].kind is Kind.TEXT
    assert by_name["publisher"].kind is Kind.OBJECT and by_name["publisher"].class_name == "Agent"


def test_enum_values_with_their_titles() -> None:
    sequencing = fields.field_at("sequencing_type")
    assert sequencing is not None and sequencing.kind is Kind.TERM and sequencing.multivalued
    assert ("WGS", "Whole genome sequencing") in sequencing.allowed
    assert ("WES", "Whole exome sequencing") in sequencing.allowed
    readiness = fields.field_at("readiness")
    assert readiness is not None
    assert [v for v, _ in readiness.allowed] == ["READY", "CONDITIONAL", "NOT_READY"]


def test_duo_permissions_and_modifiers_come_from_the_shipped_duo() -> None:
    permission = fields.field_at("data_use_permission")
    modifier = fields.field_at("data_use_modifier")
    assert permission is not None and modifier is not None
    assert permission.vocabulary == "duo-permission" and not permission.multivalued
    assert dict(permission.allowed) == {
        "DUO:0000004": "no restriction",
        "DUO:0000042": "general research use",
        "DUO:0000006": "health or medical or biomedical research",
        "DUO:0000007": "disease specific research",
        "DUO:0000011": "population origins or ancestry research only",
    }
    modifiers = dict(modifier.allowed)
    assert modifiers["DUO:0000046"] == "non-commercial use only"
    assert modifiers["DUO:0000021"] == "ethics approval required"
    assert not set(modifiers) & set(dict(permission.allowed))


def test_eu_tables_give_labels_and_curies() -> None:
    language = dict(fields.field_at("language").allowed)  # type: ignore[union-attr]
    assert language["language:NLD"] == "Dutch"
    country = dict(fields.field_at("spatial").allowed)  # type: ignore[union-attr]
    assert country["country:NLD"] == "Netherlands"
    access = dict(fields.field_at("access_rights").allowed)  # type: ignore[union-attr]
    assert {"access-right:PUBLIC", "access-right:RESTRICTED", "access-right:NON_PUBLIC"} <= set(
        access
    )
    fmt = dict(fields.field_at("distribution.format").allowed)  # type: ignore[union-attr]
    assert fmt["file-type:CSV"] == "CSV"
    publisher_type = fields.field_at("publisher.resource_type")
    dataset_type = fields.field_at("resource_type")
    assert publisher_type is not None and dataset_type is not None
    assert publisher_type.vocabulary == "publisher-type"  # the class's slot_usage
    assert dataset_type.vocabulary == "dataset-type"


def test_every_vocabulary_a_slot_names_is_known_and_its_values_expand_to_its_terms() -> None:
    prefixes = schema.prefixes()
    named = {
        f.vocabulary
        for f in fields.flatten(fields.fields())
        if f.kind is Kind.TERM and f.vocabulary in fields.VOCABULARIES
    }
    assert {"duo-permission", "duo-modifier", "hpo", "disease", "language", "country"} <= named
    for name in fields.VOCABULARIES:
        terms = fields.choices(name)
        assert terms, f"vocabulary {name} has no terms"
        for choice in terms:
            prefix, _, local = choice.value.partition(":")
            assert prefixes[prefix] + local == choice.iri, choice


def test_large_vocabularies_are_searched_by_label_or_code() -> None:
    phenotype = fields.field_at("phenotype")
    disease = fields.field_at("disease")
    assert phenotype is not None and phenotype.searchable and not phenotype.choices
    assert disease is not None and disease.searchable
    assert fields.search_terms("hpo", "seizure")[0].value == "HP:0001250"
    found = [c.value for c in fields.search_terms("disease", "cardiomyopathy")]
    assert "MONDO:0004994" in found and "ORPHA:247" in found
    assert fields.search_terms("disease", "ORPHA:558")[0].label == "Marfan syndrome"
    assert fields.resolve_term("disease", "marfan SYNDROME").value == "ORPHA:558"  # type: ignore[union-attr]
    assert fields.resolve_term("hpo", "http://purl.obolibrary.org/obo/HP_0001250") is not None
    assert fields.resolve_term("hpo", "no such phenotype") is None
    assert fields.search_terms("hpo", "   ") == []


def test_nested_classes_and_dotted_paths() -> None:
    access_url = fields.field_at("distribution.access_url")
    assert access_url is not None and access_url.required and access_url.kind is Kind.IRI
    paths = [f.path for f in fields.flatten(fields.fields())]
    assert "publisher.agent_contact_point.email" in paths
    assert "data_access_committee.name" in paths
    assert "contact_point.has_email" in paths
    assert all(f.kind is not Kind.OBJECT for f in fields.flatten(fields.fields()))
    assert fields.field_at("distribution.no_such_field") is None
    # deeper than MAX_DEPTH: the object is listed, its own fields are not
    deep = fields.field_at("distribution.access_service.contact_point")
    assert deep is not None and deep.kind is Kind.OBJECT and deep.fields == ()
    assert deep.class_name == "Kind"


@pytest.fixture
def model_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the model (ontologies and shapes linked) that a test may change."""
    root = project_root()
    shutil.copytree(root / "model", tmp_path / "model")
    for name in ("ontologies", "shapes"):
        (tmp_path / name).symlink_to(root / name)
    monkeypatch.setenv("GDCAT_HOME", str(tmp_path))
    fields.reset()
    yield tmp_path
    monkeypatch.delenv("GDCAT_HOME")
    fields.reset()


def add_slot(model: Path) -> None:
    """A new slot ``biobank_accession`` on genomic datasets, and a new DUO-valued slot."""
    path = model / "model" / "genomics.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "\nslots:\n",
        "\nslots:\n"
        "  biobank_accession:\n"
        "    slot_uri: gdcat:biobankAccession\n"
        "    range: string\n"
        "    title: Biobank accession\n"
        "    description: The accession of the samples in the biobank that holds them.\n"
        "  secondary_use_condition:\n"
        "    slot_uri: gdcat:secondaryUseCondition\n"
        "    range: uriorcurie\n"
        "    multivalued: true\n"
        "    description: A DUO condition on secondary use.\n"
        "    annotations:\n"
        "      vocabulary: duo-modifier\n",
        1,
    )
    text = text.replace(
        "      - beacon\n    slot_usage:\n",
        "      - beacon\n      - biobank_accession\n      - secondary_use_condition\n"
        "    slot_usage:\n",
        1,
    )
    path.write_text(text, encoding="utf-8")


def test_a_slot_added_to_the_model_becomes_a_field(model_copy: Path) -> None:
    assert fields.field_at("biobank_accession") is None
    add_slot(model_copy)
    fields.reset()
    added = fields.field_at("biobank_accession")
    assert added is not None
    assert added.label == "Biobank accession" and added.kind is Kind.TEXT
    assert "biobank that holds them" in added.help
    assert next(s for s in fields.sections() if s.id == "more").fields[-2:] == (
        added,
        fields.field_at("secondary_use_condition"),
    )
    condition = fields.field_at("secondary_use_condition")
    assert condition is not None and ("DUO:0000046", "non-commercial use only") in condition.allowed


def test_an_unknown_vocabulary_in_the_model_is_named(model_copy: Path) -> None:
    path = model_copy / "model" / "genomics.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("vocabulary: hpo", "vocabulary: hpoo"),
        encoding="utf-8",
    )
    fields.reset()
    with pytest.raises(fields.UnknownVocabularyError, match="hpoo"):
        fields.fields()


def test_a_code_without_its_prefix_names_its_term_when_only_one_has_it() -> None:
    # a steward types the country's code as everyone writes it, not the vocabulary's CURIE
    assert fields.resolve_term("country", "ESP").value == "country:ESP"  # type: ignore[union-attr]
    assert fields.resolve_term("country", "esp").value == "country:ESP"  # type: ignore[union-attr]
    assert fields.resolve_term("language", "nld").value == "language:NLD"  # type: ignore[union-attr]
    assert fields.resolve_term("country", "XYZQ") is None
    assert fields.resolve_term("disease", "558") is None  # bare numbers stay searches
