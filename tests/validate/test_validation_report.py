"""Report renderings: JSON for clients, Turtle for SHACL tools, text for data stewards."""

from __future__ import annotations

import json
from collections.abc import Callable

from example_data import ARCA, ARCA_IRI, NON_PUBLIC_EXAMPLE, ONCOLOGY, load
from rdflib import Graph, Literal, Namespace

from gdcat.validate import ValidationReport, ValidationResult, Validator
from gdcat.vocab import HEALTHDCATAP, PREFIXES

SH = Namespace(PREFIXES["sh"])
RDF = Namespace(PREFIXES["rdf"])
XSD = Namespace(PREFIXES["xsd"])

ValidatorFor = Callable[[str], Validator]


def _broken(validator: ValidatorFor) -> ValidationReport:
    graph = load(NON_PUBLIC_EXAMPLE)
    graph.remove((None, HEALTHDCATAP.hdab, None))
    graph.set(
        (
            next(graph.subjects(HEALTHDCATAP.numberOfRecords, None)),
            HEALTHDCATAP.numberOfUniqueIndividuals,
            Literal("-5", datatype=XSD.integer),
        )
    )
    return validator("healthdcat-ap-r8").validate(graph)


def test_json_has_the_documented_shape(validator: ValidatorFor) -> None:
    data = json.loads(_broken(validator).to_json_text())
    assert data == _broken(validator).to_json()
    assert set(data) == {"conforms", "results"}
    assert data["conforms"] is False
    assert data["results"]
    for result in data["results"]:
        assert {"dataset", "path", "severity", "message", "hint"} <= set(result)
        assert result["severity"] in {"Violation", "Warning", "Info"}
        assert isinstance(result["message"], str) and result["message"]
        assert isinstance(result["hint"], str) and result["hint"]
    paths = {(r["dataset"], r["path"]) for r in data["results"] if r["severity"] == "Violation"}
    assert paths == {(ONCOLOGY, "hdab"), (ONCOLOGY, "number_of_unique_individuals")}


def test_turtle_is_a_shacl_validation_report(validator: ValidatorFor) -> None:
    report = _broken(validator)
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    (node,) = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(node, SH.conforms) == Literal(False)
    results = list(graph.objects(node, SH.result))
    assert len(results) == len(report.results)
    severities = {graph.value(r, SH.resultSeverity) for r in results}
    assert SH.Violation in severities
    paths = {graph.value(r, SH.resultPath) for r in results}
    assert HEALTHDCATAP.hdab in paths
    assert all(graph.value(r, SH.focusNode) is not None for r in results)
    assert all(graph.value(r, SH.resultMessage) is not None for r in results)


def test_text_names_dataset_field_and_fix(validator: ValidatorFor) -> None:
    text = _broken(validator).to_text()
    assert "does NOT conform" in text
    assert ONCOLOGY in text
    assert "hdab" in text and "number_of_unique_individuals" in text
    assert "fix:" in text


def test_warnings_do_not_flip_conforms(validator: ValidatorFor) -> None:
    report = validator("healthdcat-ap-r8").validate(load(ARCA))
    assert report.warnings and not report.violations
    assert report.conforms
    assert report.to_json()["conforms"] is True
    assert "conforms" in report.to_text()
    assert ARCA_IRI in report.to_text()


def test_from_results_derives_conforms_and_removes_duplicates() -> None:
    warning = ValidationResult("d", "landing_page", "Warning", "m", "h")
    violation = ValidationResult("d", "title", "Violation", "m", "h")
    assert ValidationReport.from_results([warning, warning], "p").conforms
    report = ValidationReport.from_results([warning, violation, warning], "p", ["d"])
    assert not report.conforms
    assert report.results == [violation, warning]  # violations first, then warnings
    assert report.counts() == {"Violation": 1, "Warning": 1, "Info": 0}


def test_combine_merges_reports(validator: ValidatorFor) -> None:
    good = validator("healthdcat-ap-r8").validate(load(ARCA))
    bad = _broken(validator)
    combined = ValidationReport.combine([good, bad], profile="healthdcat-ap-r8")
    assert not combined.conforms
    assert set(combined.datasets) == {ARCA_IRI, ONCOLOGY}
    assert len(combined.results) == len(good.results) + len(bad.results)
