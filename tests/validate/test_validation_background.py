"""Background vocabularies: only what a record names goes into its validation copy."""

from __future__ import annotations

from pathlib import Path

from example_data import ARCA, load
from rdflib import Graph, Literal, Namespace, URIRef

from gdcat.validate.background import build_index, validation_copy, vocabulary_index
from gdcat.vocab import ACCESS_RIGHT, COUNTRY, DATA_THEME, LANGUAGE, PREFIXES

SKOS = Namespace(PREFIXES["skos"])
RDF = Namespace(PREFIXES["rdf"])


def test_index_reads_every_vendored_table() -> None:
    index = vocabulary_index()
    # a byte copy (RDF/XML), an English extract (gzip N-Triples), a hand-written slice
    assert (DATA_THEME.HEAL, SKOS.inScheme, URIRef(str(DATA_THEME).rstrip("/"))) in (
        index.by_subject[DATA_THEME.HEAL]
    )
    assert index.describes(LANGUAGE.ENG)
    assert index.describes(COUNTRY.DEU)
    assert index.describes(URIRef("http://purl.obolibrary.org/obo/HP_0001250"))
    assert index.describes(URIRef("http://www.orpha.net/ORDO/Orphanet_558"))
    assert index.describes(URIRef("http://purl.obolibrary.org/obo/DUO_0000042"))


def test_index_keeps_only_english_and_untagged_labels() -> None:
    labels = [o for _, p, o in vocabulary_index().by_subject[COUNTRY.DEU] if p == SKOS.prefLabel]
    assert labels
    assert {label.language for label in labels if isinstance(label, Literal)} <= {"en", None}


def test_validation_copy_adds_only_what_the_record_names() -> None:
    graph = load(ARCA)
    copy, background = validation_copy(graph)
    assert set(graph) <= set(copy)
    assert DATA_THEME.HEAL in background.subjects
    assert DATA_THEME.AGRI not in background.subjects  # same table, not named
    assert (DATA_THEME.HEAL, SKOS.inScheme, None) in copy
    # the scheme of a named concept comes with its type only
    scheme = URIRef(str(DATA_THEME).rstrip("/"))
    assert scheme in background.subjects
    assert {p for _, p, _ in copy.triples((scheme, None, None))} == {RDF.type}
    assert len(copy) < len(graph) + 1000


def test_a_record_naming_nothing_gets_nothing() -> None:
    graph = Graph()
    graph.add((URIRef("https://example.org/d"), RDF.type, URIRef("https://example.org/C")))
    _, background = validation_copy(graph)
    assert background.triples == ()


def test_build_index_reads_gzip_and_skips_blank_nodes(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "tiny.nt.gz"
    with gzip.open(path, "wb") as out:
        out.write(
            b'<https://example.org/c> <http://www.w3.org/2004/02/skos/core#prefLabel> "C"@en .\n'
            b'<https://example.org/c> <http://www.w3.org/2004/02/skos/core#prefLabel> "K"@de .\n'
            b'_:b <http://www.w3.org/2004/02/skos/core#prefLabel> "B" .\n'
        )
    index = build_index([path])
    assert len(index) == 1
    assert not index.describes(ACCESS_RIGHT.PUBLIC)
