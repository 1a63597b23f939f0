"""Quality scores on hand-made records (gdcat.validate.quality): what a record scores, what
counts as missing, the node mean and the problems by field."""

from __future__ import annotations

from rdflib import Graph

from gdcat.validate.quality import (
    WEIGHTS,
    field_rules,
    mean_score,
    problems_by_field,
    score_record,
    values_of,
)

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix gdcat: <https://w3id.org/gdcat/ns#> .
@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix ex: <https://node.example/> .
"""

#: Every mandatory and recommended field of the model's Dataset, with a valid value.
FULL = {
    "title": 'dct:title "Exomes of a rare-disease cohort"@en',
    "description": 'dct:description "Exomes."@en',
    "access_rights": "dct:accessRights <http://publications.europa.eu/resource/authority/access-right/RESTRICTED>",
    "sequencing_type": "gdcat:sequencingType <https://w3id.org/gdcat/vocab/sequencing-type/WES>",
    "data_use_permission": "gdcat:dataUsePermission obo:DUO_0000042",
    "readiness": "gdcat:oneMgReadiness <https://w3id.org/gdcat/vocab/readiness/NOT_READY>",
    "identifier": 'dct:identifier "rd-1"',
    "publisher": "dct:publisher ex:hospital",
    "spatial": "dct:spatial <http://publications.europa.eu/resource/authority/country/NLD>",
    "theme": "dcat:theme <http://publications.europa.eu/resource/authority/data-theme/HEAL>",
    "keyword": 'dcat:keyword "exome"@en',
    "contact_point": "dcat:contactPoint ex:contact",
    "distribution": "dcat:distribution ex:distribution",
    "health_category": "healthdcatap:healthCategory ex:category",
    "number_of_unique_individuals": (
        'healthdcatap:numberOfUniqueIndividuals "120"^^xsd:nonNegativeInteger'
    ),
    "hdab": "healthdcatap:hdab ex:hdab",
    "has_structured_data": 'healthdcatap:hasStructuredData "false"^^xsd:boolean',
    "reference_genome": "gdcat:referenceGenome <https://w3id.org/gdcat/vocab/reference-genome/GRCh38>",
    "has_linked_clinical_data": 'gdcat:hasLinkedClinicalData "true"^^xsd:boolean',
    "consent_status": "gdcat:consentStatus <https://w3id.org/gdcat/vocab/consent-status/BROAD>",
}


def record(
    name: str, *, without: tuple[str, ...] = (), replace: dict[str, str] | None = None
) -> Graph:
    fields = {k: v for k, v in FULL.items() if k not in without}
    fields.update(replace or {})
    body = " ;\n    ".join(fields.values())
    text = f"{PREFIXES}\nex:{name} a dcat:Dataset ;\n    {body} .\n"
    return Graph().parse(data=text, format="turtle")


def iri(name: str) -> str:
    return f"https://node.example/{name}"


def test_a_record_with_every_field_scores_100() -> None:
    score = score_record(record("full"), iri("full"))
    assert score.score == 100.0
    assert score.problems == ()
    rules = field_rules(values_of(record("full"), iri("full")))
    assert {r.name for r in rules} == set(FULL)
    assert score.possible == sum(r.weight for r in rules)


def test_a_missing_recommended_field_scores_lower_and_is_named() -> None:
    full = score_record(record("full"), iri("full"))
    lacking = score_record(record("r", without=("keyword",)), iri("r"))
    assert lacking.score < full.score
    assert lacking.earned == full.earned - WEIGHTS["recommended"]
    (problem,) = lacking.problems
    assert (problem.field, problem.level, problem.state) == ("keyword", "recommended", "missing")
    assert problem.message == "`keyword` is recommended but missing."


def test_a_missing_mandatory_field_costs_more_than_a_recommended_one() -> None:
    no_keyword = score_record(record("a", without=("keyword",)), iri("a"))
    no_readiness = score_record(record("b", without=("readiness",)), iri("b"))
    assert no_readiness.score < no_keyword.score
    assert no_readiness.problems[0].message == "`readiness` is required but missing."


def test_an_invalid_value_counts_as_missing() -> None:
    missing = score_record(record("m", without=("number_of_unique_individuals",)), iri("m"))
    cases = {
        "number_of_unique_individuals": 'healthdcatap:numberOfUniqueIndividuals "many"',
        "sequencing_type": "gdcat:sequencingType <https://w3id.org/gdcat/vocab/sequencing-type/SANGER>",
        "publisher": 'dct:publisher "a hospital"',
    }
    for name, bad in cases.items():
        graph = record(name, replace={name: bad})
        score = score_record(graph, iri(name))
        (problem,) = score.problems
        assert (problem.field, problem.state) == (name, "invalid"), problem
        if name == "number_of_unique_individuals":
            assert score.score == missing.score
            assert "not a whole number of 0 or more" in problem.message
        if name == "sequencing_type":
            assert "not one of the allowed values" in problem.message


def test_a_negative_count_is_invalid_even_typed_as_integer() -> None:
    # stores rewrite xsd:nonNegativeInteger to xsd:integer; the value still has to be >= 0
    graph = record(
        "n",
        replace={
            "number_of_unique_individuals": (
                'healthdcatap:numberOfUniqueIndividuals "-3"^^xsd:integer'
            )
        },
    )
    assert [p.state for p in score_record(graph, iri("n")).problems] == ["invalid"]
    graph = record(
        "p",
        replace={
            "number_of_unique_individuals": (
                'healthdcatap:numberOfUniqueIndividuals "3"^^xsd:integer'
            )
        },
    )
    assert score_record(graph, iri("p")).problems == ()


def test_the_profile_adds_its_fields() -> None:
    graph = record("h")
    model_only = field_rules(values_of(graph, iri("h")))
    with_profile = field_rules(values_of(graph, iri("h")), "healthdcat-ap-r8")
    names = {r.name for r in with_profile}
    assert {r.name for r in model_only} < names
    levels = {r.name: r.level for r in with_profile}
    assert levels["distribution"] == "mandatory"  # HealthDCAT-AP demands it; the model recommends
    assert levels["title"] == "mandatory"
    score = score_record(graph, iri("h"), "healthdcat-ap-r8")
    assert score.score < 100.0
    assert "applicable_legislation" in {p.field for p in score.problems}


def test_node_mean_and_problems_by_field() -> None:
    scores = [
        score_record(record("a"), iri("a")),
        score_record(record("b", without=("keyword", "theme")), iri("b")),
        score_record(record("c", without=("keyword",)), iri("c")),
        score_record(record("d", without=("readiness",)), iri("d")),
    ]
    assert mean_score(scores) == round(sum(s.score for s in scores) / 4, 1)
    assert mean_score([]) is None
    problems = problems_by_field(scores)
    # readiness: 1 record x 3 points first; keyword: 2 records x 1; theme: 1 x 1
    assert [(p.field, p.records) for p in problems] == [
        ("readiness", 1),
        ("keyword", 2),
        ("theme", 1),
    ]
    keyword = problems[1]
    assert keyword.missing == 2 and keyword.invalid == 0
    # examples: the lowest-scoring records first, with their message
    assert [e.dataset for e in keyword.examples] == [iri("b"), iri("c")]
    assert keyword.examples[0].title == "Exomes of a rare-disease cohort"
    assert keyword.examples[0].message == "`keyword` is recommended but missing."
