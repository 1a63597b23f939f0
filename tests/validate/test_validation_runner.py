"""The runner: batching, worker processes and result ownership must not change any report."""

from __future__ import annotations

from collections.abc import Callable

from example_data import (
    ARCA,
    ARCA_IRI,
    NON_PUBLIC_EXAMPLE,
    OFFICIAL,
    ONCOLOGY,
    SAMPLE_CATALOGUE,
    load,
)
from rdflib import Graph, Literal, Namespace, URIRef

from gdcat.rdf.records import split_records
from gdcat.validate import ValidationReport, Validator
from gdcat.vocab import ACCESS_RIGHT, HEALTHDCATAP, PREFIXES

RDF = Namespace(PREFIXES["rdf"])
DCAT = Namespace(PREFIXES["dcat"])
DCT = Namespace(PREFIXES["dct"])
XSD = Namespace(PREFIXES["xsd"])

ValidatorFor = Callable[[str], Validator]


def _arca_copy(n: int, unique_individuals: int = 1300) -> Graph:
    """ARCA under another IRI (its own agents too), optionally with another count."""
    text = ARCA.read_text(encoding="utf-8").replace(ARCA_IRI, f"{ARCA_IRI}-{n}")
    graph = Graph().parse(data=text, format="turtle")
    graph.set(
        (
            URIRef(f"{ARCA_IRI}-{n}"),
            HEALTHDCATAP.numberOfUniqueIndividuals,
            Literal(
                str(unique_individuals),
                datatype=XSD.integer if unique_individuals < 0 else XSD.nonNegativeInteger,
            ),
        )
    )
    return graph


def _documents() -> list[Graph]:
    broken = load(NON_PUBLIC_EXAMPLE)
    broken.remove((URIRef(ONCOLOGY), HEALTHDCATAP.hdab, None))
    return [load(NON_PUBLIC_EXAMPLE), load(ARCA), broken, _arca_copy(1, -3), _arca_copy(2)]


def _dicts(reports: list[ValidationReport]) -> list[dict[str, object]]:
    return [r.to_json() for r in reports]


def test_validate_many_equals_one_document_at_a_time(validator: ValidatorFor) -> None:
    v = validator("healthdcat-ap-r8")
    documents = _documents()
    together = v.validate_many(documents)
    alone = [v.validate(d) for d in documents]
    assert _dicts(together) == _dicts(alone)
    assert [r.conforms for r in together] == [True, True, False, False, True]
    assert {r.path for r in together[3].violations} == {"number_of_unique_individuals"}


def test_worker_processes_give_the_same_reports(validator: ValidatorFor) -> None:
    documents = _documents()
    expected = _dicts(validator("healthdcat-ap-r8").validate_many(documents))
    with Validator("healthdcat-ap-r8", workers=2, batch_size=2, parallel_from=1) as parallel:
        assert _dicts(parallel.validate_many(documents)) == expected
        assert parallel._pool is not None  # the batches really went to worker processes


def test_same_iri_described_differently_is_not_mixed(validator: ValidatorFor) -> None:
    good = load(ARCA)
    bad = load(ARCA)
    bad.set(
        (
            URIRef(ARCA_IRI),
            HEALTHDCATAP.numberOfUniqueIndividuals,
            Literal("-1", datatype=XSD.integer),
        )
    )
    reports = validator("healthdcat-ap-r8").validate_many([good, bad, good])
    assert [r.conforms for r in reports] == [True, False, True]
    assert {r.path for r in reports[1].violations} == {"number_of_unique_individuals"}


def test_records_and_graphs_are_both_accepted(validator: ValidatorFor) -> None:
    records = split_records(load(ARCA))
    (report,) = validator("healthdcat-ap-r8").validate_many(records)
    assert report.datasets == (ARCA_IRI,)
    assert report.conforms


def test_datasets_of_mixed_levels_in_one_document(validator: ValidatorFor) -> None:
    graph = load(NON_PUBLIC_EXAMPLE) + _arca_copy(3)
    report = validator("healthdcat-ap-r8").validate(graph)
    assert set(report.datasets) == {ONCOLOGY, f"{ARCA_IRI}-3"}
    assert report.violations == []


def test_a_document_without_a_dataset_fails_the_graph_guard(validator: ValidatorFor) -> None:
    graph = Graph()
    catalogue = URIRef("https://example.org/catalogue")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    report = validator("healthdcat-ap-r8").validate(graph)
    assert report.datasets == ()
    assert not report.conforms
    guard = [r for r in report.violations if "at least one dcat:Dataset" in (r.shape_message or "")]
    assert guard and guard[0].dataset == ""
    empty = validator("healthdcat-ap-r8").validate(Graph())
    assert not empty.conforms


def test_a_record_pointing_to_another_record_sees_its_type(validator: ValidatorFor) -> None:
    # Two datasets in a series: dcat:inSeries must point to a dcat:DatasetSeries (a range
    # check), although the series is a record of its own.
    graph = load(OFFICIAL / "dcat-ap-3" / "example-bee-population-dataset-series.ttl")
    report = validator("dcat-ap-3").validate(graph)
    assert len(report.datasets) == 3
    assert not [r for r in report.results if r.path == "in_series"]
    assert report.for_dataset("https://data.gov.gr/id/dataset/BeePopulation2022")


def test_results_on_vocabulary_nodes_are_dropped(validator: ValidatorFor) -> None:
    report = validator("healthdcat-ap-r8").validate(load(ARCA))
    schemes = (
        "http://publications.europa.eu/resource/authority/data-theme",
        "http://publications.europa.eu/resource/authority/language",
    )
    assert not [r for r in report.results if r.focus_node in schemes]


def test_access_level_of_each_dataset_decides_its_rules(validator: ValidatorFor) -> None:
    # The same record lacking a provenance statement: fine when PUBLIC, not when NON_PUBLIC.
    public = load(ARCA)
    public.remove((URIRef(ARCA_IRI), DCT.provenance, None))
    assert validator("healthdcat-ap-r8").validate(public).conforms
    non_public = load(ARCA)
    non_public.remove((URIRef(ARCA_IRI), DCT.provenance, None))
    non_public.set((URIRef(ARCA_IRI), DCT.accessRights, ACCESS_RIGHT.NON_PUBLIC))
    non_public.add((ACCESS_RIGHT.NON_PUBLIC, RDF.type, DCT.RightsStatement))
    report = validator("healthdcat-ap-r8").validate(non_public)
    assert {(r.path, r.constraint) for r in report.violations} == {("provenance", "sh:minCount")}


def test_records_validated_as_separate_graphs_see_each_other(validator: ValidatorFor) -> None:
    # The ingest path validates one graph per record: a dataset's series, in another graph of
    # the same call, still satisfies the dcat:inSeries range check.
    graph = load(OFFICIAL / "dcat-ap-3" / "example-bee-population-dataset-series.ttl")
    records = split_records(graph)
    reports = validator("dcat-ap-3").validate_many([r.graph for r in records])
    assert [r.datasets for r in reports] == [(r.iri,) for r in records]
    assert not [res for rep in reports for res in rep.results if res.path == "in_series"]
    whole = validator("dcat-ap-3").validate(graph)
    assert {(r.dataset, r.path) for rep in reports for r in rep.results} == {
        (r.dataset, r.path) for r in whole.results
    }


def test_records_are_the_records_of_split_records(validator: ValidatorFor) -> None:
    graph = load(SAMPLE_CATALOGUE)
    expected = {r.iri: set(r.graph) for r in split_records(graph)}
    units = validator("healthdcat-ap-r8")._units(0, graph)
    got = {u.dataset: set(u.triples) for u in units if u.dataset}
    assert got == expected


def test_fast_parameter_lookup_leaves_pyshacl_as_it_was() -> None:
    from pyshacl import shape as shape_module

    from gdcat.validate.runner import _fast_parameter_lookup

    before = getattr(shape_module, "CONSTRAINT_PARAMS", None)
    with _fast_parameter_lookup():
        params, _ = shape_module.CONSTRAINT_PARAMS
        assert URIRef("http://www.w3.org/ns/shacl#minCount") in params
        assert URIRef("http://www.w3.org/ns/shacl#notAParameter") not in params
    assert getattr(shape_module, "CONSTRAINT_PARAMS", None) is before


def test_named_graphs_are_validated_as_their_union(validator: ValidatorFor) -> None:
    from rdflib import Dataset

    dataset = Dataset()
    arca = dataset.graph(URIRef("https://example.org/graph/arca"))
    for triple in load(ARCA):
        arca.add(triple)
    report = validator("healthdcat-ap-r8").validate(dataset)
    assert report.datasets == (ARCA_IRI,)
    assert report.conforms


def test_a_value_outside_the_allowed_values_is_said_once(validator: ValidatorFor) -> None:
    # a code typed wrong (in a spreadsheet): "not one of the allowed values", with the list;
    # not three violations adding that it is not an IRI and not a concept of the vocabulary
    from gdcat.model.steward import load_steward_yaml
    from gdcat.paths import model_dir

    text = (model_dir() / "examples" / "valid" / "es-clinical-exomes-not-shareable.yaml").read_text(
        encoding="utf-8"
    )
    graph = load_steward_yaml(text.replace("sequencing_type: WES", "sequencing_type: WXS"), "t")
    report = validator("gdcat").validate(graph)
    (only,) = report.violations
    assert only.path == "sequencing_type" and only.constraint == "sh:in"
    assert "WXS" in only.message and "not one of the allowed values" in only.message
    assert "WES (Whole exome sequencing)" in only.hint
