"""The example records: the valid ones pass every profile, each invalid one fails on its field.

These are the project's acceptance examples: realistic genomic datasets from several
countries that are at once gdcat, DCAT-AP 3.0.1 and HealthDCAT-AP Release 8 records (at the
access level their ``access_rights`` gives), and records with one defect each, whose
validation report must name the field a steward has to fix
(``model/examples/invalid/EXPECTED.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from gdcat.model.steward import load_steward_yaml
from gdcat.paths import examples_dir
from gdcat.validate import ValidationReport, Validator

PROFILES = ("gdcat", "dcat-ap-3", "healthdcat-ap-r8")
VALID_DIR = examples_dir() / "valid"
INVALID_DIR = examples_dir() / "invalid"
VALID = sorted(VALID_DIR.glob("*.yaml"))
EXPECTED: dict[str, str] = yaml.safe_load((INVALID_DIR / "EXPECTED.yaml").read_text("utf-8"))
DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")
GDCAT = "https://w3id.org/gdcat/ns#"


def _load(path: Path) -> Graph:
    if path.suffix == ".yaml":
        return load_steward_yaml(path.read_text(encoding="utf-8"), str(path))
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def validators() -> Iterator[dict[str, Validator]]:
    made = {name: Validator(name, workers=1) for name in PROFILES}
    yield made
    for validator in made.values():
        validator.close()


def _violations(report: ValidationReport) -> list[str]:
    return [
        f"{r.path}: {r.message}" for r in report.results if r.severity.lower().endswith("violation")
    ]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_conforms(path: Path, profile: str, validators: dict[str, Validator]) -> None:
    report = validators[profile].validate(_load(path))
    assert report.conforms, f"{path.name} under {profile}: {_violations(report)}"


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_invalid_example_fails_on_its_field(name: str, validators: dict[str, Validator]) -> None:
    report = validators["gdcat"].validate(_load(INVALID_DIR / name))
    assert not report.conforms, f"{name} should not conform to gdcat"
    paths = {r.path for r in report.results if r.severity.lower().endswith("violation")}
    assert EXPECTED[name] in paths, f"{name}: expected {EXPECTED[name]!r}, report names {paths}"


def test_every_invalid_example_is_listed() -> None:
    files = {p.name for p in INVALID_DIR.iterdir() if p.suffix in {".yaml", ".ttl"}}
    files.discard("EXPECTED.yaml")
    assert files == set(EXPECTED)
    assert len(files) >= 15


def test_valid_examples_cover_the_catalogue_we_promise() -> None:
    graphs = [_load(path) for path in VALID]
    assert len(VALID) >= 10
    countries: set[str] = set()
    levels: set[str] = set()
    sequencing: set[str] = set()
    readiness: set[str] = set()

    def codes(graph: Graph, dataset: URIRef, predicate: URIRef) -> set[str]:
        return {str(o).rsplit("/", 1)[1] for o in graph.objects(dataset, predicate)}

    for graph in graphs:
        for dataset in graph.subjects(RDF.type, DCAT_DATASET):
            assert isinstance(dataset, URIRef)
            countries |= codes(graph, dataset, DCTERMS.spatial)
            levels |= codes(graph, dataset, DCTERMS.accessRights)
            sequencing |= codes(graph, dataset, URIRef(GDCAT + "sequencingType"))
            readiness |= codes(graph, dataset, URIRef(GDCAT + "oneMgReadiness"))
    assert len(countries) >= 8, countries
    assert levels == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"}
    assert sequencing == {"WGS", "WES", "PANEL", "ARRAY", "RNASEQ", "LONGREAD"}
    assert readiness == {"READY", "CONDITIONAL", "NOT_READY"}
    dataset_series = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
    series = [g for g in graphs if (None, RDF.type, dataset_series) in g]
    assert series, "a dataset series with member datasets"
    beacons = [g for g in graphs if (None, URIRef(GDCAT + "beacon"), None) in g]
    assert beacons, "a dataset with a Beacon"
