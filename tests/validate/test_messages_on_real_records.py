"""Messages that are right, on real records of the corpus (issue 11, item 5).

- a failure inside a nested node (a distribution's date) is explained by its own rule, never
  by the rule of the shape that holds it ("Each dcat:Dataset must have at least one
  dcat:distribution");
- a value equal to the dataset's own IRI (a landing page that is the dataset's IRI, as the
  Rostock portal writes it) is shown;
- hints say what a correct value looks like;
- ``gdcat profiles`` says in one sentence what each profile is for, from the same source as
  the validation page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from gdcat.cli import main
from gdcat.validate import PROFILE_NAMES, ValidationReport, Validator
from gdcat.validate.profiles import get_profile

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
HEALTH = CORPUS / "healthdcat-ap" / "example-healthdcat-dataset.ttl"
ROSTOCK = CORPUS / "ckanext-dcat" / "dataset_gov_de.rdf"
MAIN_CSV = URIRef("https://healthdcat-ap.example.org/distribution-main-csv")
DISTRIBUTION_RULE = "Each dcat:Dataset must have at least one dcat:distribution"


def _health_record_with_a_bad_distribution_date() -> Graph:
    graph = Graph().parse(HEALTH)
    (distribution,) = (
        d for d in graph.objects(None, DCAT.distribution) if str(d).endswith("main-csv")
    )
    graph.set((distribution, DCTERMS.issued, Literal("yesterday")))
    return graph


def _results(report: ValidationReport, path: str) -> list[str]:
    return [f"{r.message} || {r.hint}" for r in report.results if r.path == path]


def test_a_distribution_date_is_explained_by_the_date_rule(
    validator: Callable[[str], Validator],
) -> None:
    graph = _health_record_with_a_bad_distribution_date()
    for profile in ("healthdcat-ap-r8", "dcat-ap-3"):
        report = validator(profile).validate(graph)
        (text,) = _results(report, "distribution.issued")
        assert DISTRIBUTION_RULE not in text, (profile, text)
        assert '"yesterday"' in text
        assert "xsd:date, xsd:dateTime, xsd:gYear or xsd:gYearMonth" in text, text
        # the hint shows the forms a date may take, with examples
        assert "a date (YYYY-MM-DD) (e.g. 2024-01-31)" in text, text
        assert "a year and month (e.g. 2024-01)" in text, text


def test_the_unchanged_health_record_has_no_distribution_date_result(
    validator: Callable[[str], Validator],
) -> None:
    report = validator("healthdcat-ap-r8").validate(Graph().parse(HEALTH))
    assert _results(report, "distribution.issued") == []
    assert not [r for r in report.results if DISTRIBUTION_RULE in r.message]


def test_a_landing_page_that_is_the_dataset_itself_is_shown(
    validator: Callable[[str], Validator],
) -> None:
    """The Rostock open-data portal (via ckanext-dcat) gives each dataset its own IRI as
    landing page; DCAT-AP 3 wants a foaf:Document. The message names the value."""
    report = validator("dcat-ap-3").validate(Graph().parse(ROSTOCK))
    iri = "https://www.opendata-hro.de/dataset/c1be4007-d811-48fb-8818-2cb358b06a63"
    (landing,) = [r for r in report.results if r.path == "landing_page"]
    assert landing.dataset == iri
    assert landing.value == iri
    assert f"points to <{iri}>, which is not described as a foaf:Document" in landing.message
    assert "a link (IRI) to a foaf:Document, e.g. `landing_page: https://" in landing.hint


def test_a_media_type_as_text_is_explained_by_the_property_rule(
    validator: Callable[[str], Validator],
) -> None:
    """ckanext-dcat's catalogue example writes ``dcat:mediaType "text/csv"``: the rule is the
    property shape's own description (IANA), and the hint shows an IANA link."""
    report = validator("dcat-ap-3").validate(Graph().parse(CORPUS / "ckanext-dcat" / "catalog.rdf"))
    texts = [
        f"{r.message} || {r.hint}"
        for r in report.results
        if r.path == "distribution.media_type" and r.constraint == "sh:node"
    ]
    assert texts
    for text in texts:
        assert 'has "text/csv", which is not a value of the required form' in text
        assert "A mediaType expects a value from IANA" in text
        assert "e.g. `media_type: iana:text/plain`" in text


def test_a_value_of_a_named_vocabulary_gets_the_vocabulary_not_a_contradiction(
    validator: Callable[[str], Validator],
) -> None:
    report = validator("dcat-ap-3").validate(
        Graph().parse(CORPUS / "fair-data-point" / "breedDB-dataset.ttl")
    )
    (publisher,) = [r for r in report.results if r.path == "publisher" and "corporate" in r.hint]
    assert publisher.hint == (
        "Pick a concept from http://publications.europa.eu/resource/authority/corporate-body."
    )


def test_gdcat_profiles_says_what_each_profile_is_for() -> None:
    out = CliRunner().invoke(main, ["profiles"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert [line.split()[0] for line in lines] == list(PROFILE_NAMES)
    for name, line in zip(PROFILE_NAMES, lines, strict=True):
        sentence = line[len(name) :].strip()
        assert sentence == get_profile(name).purpose
        assert sentence.endswith(".") and sentence.count(". ") == 0, sentence
    assert "data.europa.eu" in out.output
