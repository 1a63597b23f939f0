"""The generated artefacts are in sync with the schema, and say what the model means."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS, XSD

from gdcat.model.generate import generate_all
from gdcat.paths import project_root

GDCAT = "https://w3id.org/gdcat/ns#"
HEALTH = "http://healthdataportal.eu/ns/health#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return generate_all()


@pytest.fixture(scope="module")
def shapes(generated: dict[str, str]) -> Graph:
    graph = Graph()
    graph.parse(data=generated["shapes/gdcat/gdcat.shacl.ttl"], format="turtle")
    return graph


def _property_shapes(shapes: Graph, target: str, path: str) -> list[URIRef]:
    found = []
    for shape in shapes.subjects(SH.targetClass, URIRef(target)):
        for prop in shapes.objects(shape, SH.property):
            if shapes.value(prop, SH.path) == URIRef(path):
                found.append(prop)
    return found


def test_committed_files_match_the_schema(generated: dict[str, str]) -> None:
    root = project_root()
    stale = [
        rel
        for rel, text in generated.items()
        if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"generated files are out of date, run make generate: {stale}"


def test_every_expected_artefact_is_generated(generated: dict[str, str]) -> None:
    for rel in (
        "shapes/gdcat/gdcat.shacl.ttl",
        "ontologies/gdcat.owl.ttl",
        "ontologies/gdcat.context.jsonld",
        "ontologies/gdcat-vocabularies.ttl",
        "src/gdcat/model/generated.py",
        "docs/model/index.md",
        "docs/model/genomics.md",
    ):
        assert rel in generated
    # Every text format that has comments says it is generated (JSON has none).
    marked = {rel: text for rel, text in generated.items() if not rel.endswith(".jsonld")}
    assert all("generated" in text.lower()[:400] for text in marked.values())


def test_generated_files_carry_no_timestamps(generated: dict[str, str]) -> None:
    for rel, text in generated.items():
        assert "generation_date" not in text, rel
        assert "Auto generated from" not in text, rel


def test_shapes_are_open(shapes: Graph) -> None:
    assert (None, SH.closed, Literal(True)) not in shapes
    assert (None, SH.ignoredProperties, None) not in shapes


def test_multilingual_slots_accept_tagged_and_plain_strings(shapes: Graph) -> None:
    props = _property_shapes(shapes, DCAT + "Dataset", DCT + "title")
    (title,) = [p for p in props if shapes.value(p, SH.severity) != SH.Warning]
    assert shapes.value(title, SH.datatype) is None
    alternatives = Collection(shapes, shapes.value(title, SH["or"]))
    datatypes = {shapes.value(alt, SH.datatype) for alt in alternatives}
    assert datatypes == {RDF.langString, XSD.string}


def test_counts_are_non_negative_integers(shapes: Graph) -> None:
    props = _property_shapes(shapes, DCAT + "Dataset", HEALTH + "numberOfUniqueIndividuals")
    (count,) = [p for p in props if shapes.value(p, SH.severity) != SH.Warning]
    assert shapes.value(count, SH.datatype) == XSD.nonNegativeInteger
    assert shapes.value(count, SH.maxCount) == Literal(1)


def test_genomic_mandatory_fields_are_required(shapes: Graph) -> None:
    for local in ("sequencingType", "dataUsePermission", "oneMgReadiness"):
        props = _property_shapes(shapes, DCAT + "Dataset", GDCAT + local)
        violations = [p for p in props if shapes.value(p, SH.severity) in (None, SH.Violation)]
        assert any(shapes.value(p, SH.minCount) == Literal(1) for p in violations), local


def test_recommended_fields_are_warnings(shapes: Graph) -> None:
    props = _property_shapes(shapes, DCAT + "Dataset", HEALTH + "healthCategory")
    warnings = [p for p in props if shapes.value(p, SH.severity) == SH.Warning]
    assert warnings and shapes.value(warnings[0], SH.minCount) == Literal(1)


def test_sequencing_type_is_limited_to_the_gdcat_scheme(shapes: Graph) -> None:
    props = _property_shapes(shapes, DCAT + "Dataset", GDCAT + "sequencingType")
    (allowed,) = [shapes.value(p, SH["in"]) for p in props if shapes.value(p, SH["in"])]
    codes = {str(iri).rsplit("/", 1)[1] for iri in Collection(shapes, allowed)}
    assert codes == {"WGS", "WES", "PANEL", "ARRAY", "RNASEQ", "LONGREAD"}


def test_property_shapes_are_named_by_steward_field(shapes: Graph) -> None:
    (prop,) = _property_shapes(shapes, DCAT + "Distribution", DCAT + "accessURL")[:1]
    assert str(shapes.value(prop, SH.name)) == "access_url"


def test_context_maps_fields_to_official_iris(generated: dict[str, str]) -> None:
    context = json.loads(generated["ontologies/gdcat.context.jsonld"])["@context"]
    assert "@vocab" not in context
    assert context["title"] == {"@id": "dct:title", "@container": "@language"}
    assert context["number_of_unique_individuals"] == {
        "@id": "healthdcatap:numberOfUniqueIndividuals",
        "@type": "xsd:nonNegativeInteger",
    }
    assert context["access_url"]["@type"] == "@id"
    assert context["phenotype"] == {"@id": "gdcat:phenotype", "@type": "@id"}
    assert context["sequencing_type"]["@type"] == "@vocab"
    assert context["Dataset"] == {"@id": "dcat:Dataset"}


def test_context_expands_a_document_without_the_network(generated: dict[str, str]) -> None:
    document = json.loads(generated["ontologies/gdcat.context.jsonld"])
    document.update(
        {
            "@id": "https://example.org/dataset/1",
            "type": "Dataset",
            "title": {"nl": "Genomen", "en": "Genomes"},
            "sequencing_type": "WGS",
            "number_of_genomes": "12",
        }
    )
    graph = Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    subject = URIRef("https://example.org/dataset/1")
    assert (subject, URIRef(DCT + "title"), Literal("Genomen", lang="nl")) in graph
    wgs = URIRef("https://w3id.org/gdcat/vocab/sequencing-type/WGS")
    assert (subject, URIRef(GDCAT + "sequencingType"), wgs) in graph
    count = Literal("12", datatype=XSD.nonNegativeInteger)
    assert (subject, URIRef(GDCAT + "numberOfGenomes"), count) in graph


def test_vocabularies_map_concepts_to_obi_edam_and_ncbi(generated: dict[str, str]) -> None:
    graph = Graph()
    graph.parse(data=generated["ontologies/gdcat-vocabularies.ttl"], format="turtle")
    vocab = "https://w3id.org/gdcat/vocab/"
    wgs = URIRef(vocab + "sequencing-type/WGS")
    assert (wgs, SKOS.inScheme, URIRef(vocab + "sequencing-type")) in graph
    assert (wgs, SKOS.exactMatch, URIRef("http://purl.obolibrary.org/obo/OBI_0002117")) in graph
    grch38 = URIRef(vocab + "reference-genome/GRCh38")
    ncbi = URIRef("https://www.ncbi.nlm.nih.gov/assembly/GCF_000001405.26/")
    assert (grch38, SKOS.exactMatch, ncbi) in graph
    cram = URIRef(vocab + "file-format/CRAM")
    assert (cram, SKOS.exactMatch, URIRef("http://edamontology.org/format_3462")) in graph
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert {str(s).rsplit("/", 1)[1] for s in schemes} == {
        "sequencing-type",
        "reference-genome",
        "file-format",
        "consent-status",
        "ethics-approval-status",
        "readiness",
        "sharing-barrier",
    }
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        assert graph.value(concept, SKOS.prefLabel) is not None, concept


def test_owl_declares_the_genomics_properties(generated: dict[str, str]) -> None:
    graph = Graph()
    graph.parse(data=generated["ontologies/gdcat.owl.ttl"], format="turtle")
    declared = set(graph.subjects())
    for local in ("sequencingType", "numberOfGenomes", "dataUsePermission", "beacon"):
        assert URIRef(GDCAT + local) in declared, local


def test_generated_pydantic_classes_validate_a_dataset(generated: dict[str, str]) -> None:
    namespace: dict[str, object] = {}
    exec(compile(generated["src/gdcat/model/generated.py"], "generated.py", "exec"), namespace)
    dataset_class = namespace["Dataset"]
    dataset = dataset_class(  # type: ignore[operator]
        id="https://example.org/dataset/1",
        title=["Genomes"],
        description=["Whole genomes"],
        access_rights={"label": ["Public"]},
        sequencing_type=["WGS"],
        data_use_permission="http://purl.obolibrary.org/obo/DUO_0000042",
        readiness="READY",
    )
    assert dataset.sequencing_type == ["WGS"]  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        dataset_class(id="x", title=["t"], description=["d"], sequencing_type=["XYZ"])  # type: ignore[operator]


def test_docs_list_every_genomic_field(generated: dict[str, str]) -> None:
    page = generated["docs/model/genomics.md"]
    for field in ("sequencing_type", "readiness", "sharing_barrier", "beacon"):
        assert f"`{field}`" in page
    assert Path(project_root() / "docs/model/index.md").is_file()
