"""What a profile page says about a rule is what the shapes check."""

from __future__ import annotations

from rdflib import Graph

from gdcat.docgen import Row, profile_rows, rows_table

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix gdcat: <https://w3id.org/gdcat/ns#> .
@prefix ex: <https://example.org/shapes#> .
"""


def _rows(turtle: str) -> list[Row]:
    graph = Graph()
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return profile_rows(graph)


def _about(rows: list[Row], path: str) -> list[Row]:
    return [row for row in rows if row.path == f"`{path}`"]


def test_cardinality_from_merged_shapes_reads_as_one_range() -> None:
    # DCAT-AP and HealthDCAT-AP add property shapes to the same node shape.
    rows = _rows("""
        ex:Dataset a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path dct:accessRights ; sh:minCount 1 ] ;
            sh:property [ sh:path dct:accessRights ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] .
    """)
    assert _about(rows, "dct:accessRights") == [
        Row("`dcat:Dataset`", "`dct:accessRights`", "1..1; IRI", "Violation", "")
    ]


def test_the_same_rule_from_two_files_is_one_row() -> None:
    rule = """
        ex:{name} a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path dcat:keyword ; sh:nodeKind sh:Literal ] .
    """
    rows = _rows(rule.format(name="A") + rule.format(name="B"))
    assert len(_about(rows, "dcat:keyword")) == 1


def test_severity_and_message_of_a_recommendation_are_shown() -> None:
    rows = _rows("""
        ex:Dataset a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path gdcat:referenceGenome ; sh:minCount 1 ;
                          sh:severity sh:Warning ;
                          sh:message "reference_genome is recommended"@en,
                                     "referentiegenoom wordt aanbevolen"@nl ] .
    """)
    (row,) = _about(rows, "gdcat:referenceGenome")
    assert (row.constraint, row.severity, row.note) == (
        "min 1",
        "Warning",
        "reference_genome is recommended",
    )


def test_a_vocabulary_restriction_names_its_concept_scheme() -> None:
    rows = _rows("""
        ex:Dataset a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path gdcat:sequencingType ; sh:nodeKind sh:IRI ;
                          sh:node ex:SequencingTypeRestriction ] .
        ex:SequencingTypeRestriction a sh:NodeShape ;
            sh:property [ sh:path skos:inScheme ; sh:minCount 1 ;
                          sh:hasValue <https://w3id.org/gdcat/vocab/sequencing-type> ] .
    """)
    (row,) = _about(rows, "gdcat:sequencingType")
    assert row.constraint == "IRI; in scheme `gdcatv:sequencing-type`"


def test_datatype_alternatives_and_closed_lists_are_spelled_out() -> None:
    rows = _rows("""
        ex:Dataset a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path dct:issued ;
                          sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:dateTime ] ) ] ;
            sh:property [ sh:path gdcat:oneMgReadiness ;
                          sh:in ( <https://w3id.org/gdcat/vocab/readiness/READY>
                                  <https://w3id.org/gdcat/vocab/readiness/NOT_READY> ) ] .
    """)
    assert _about(rows, "dct:issued")[0].constraint == "datatype `xsd:date` or `xsd:dateTime`"
    assert _about(rows, "gdcat:oneMgReadiness")[0].constraint == (
        "one of `gdcatv:readiness/READY`, `gdcatv:readiness/NOT_READY`"
    )


def test_a_sparql_rule_shows_its_message_the_property_it_reports_and_the_shape_severity() -> None:
    rows = _rows('''
        ex:DatasetCounts a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:severity sh:Warning ;
            sh:sparql [ sh:message "say how many genomes"@en ;
                        sh:select """SELECT $this (gdcat:numberOfGenomes AS ?path) WHERE {
                            FILTER NOT EXISTS { $this gdcat:numberOfGenomes ?n } }""" ] .
    ''')
    (row,) = _about(rows, "gdcat:numberOfGenomes")
    assert (row.constraint, row.severity) == ("SPARQL: say how many genomes", "Warning")


def test_a_property_named_but_never_checked_says_so() -> None:
    rows = _rows("""
        ex:Deprecated a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path dct:alternative ; sh:message "use dct:title"@en ] .
    """)
    (row,) = _about(rows, "dct:alternative")
    assert row.constraint.startswith("none")


def test_pipes_in_paths_and_patterns_do_not_break_the_table() -> None:
    rows = _rows("""
        ex:Dataset a sh:NodeShape ; sh:targetClass dcat:Dataset ;
            sh:property [ sh:path [ sh:alternativePath ( dct:title dct:alternative ) ] ;
                          sh:pattern "^(GDI|GOE)-" ] .
    """)
    (line,) = rows_table(rows)[2:]
    # Five cells: the escaped pipes are not separators.
    assert line.replace("\\|", "").count("|") == 6
    assert "(dct:title\\|dct:alternative)" in line
