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


def test_the_index_makes_the_terms_every_term_made_at_start_would_give() -> None:
    """The index makes a subject's rdflib terms when it is asked for; the triples (each once,
    in the order read), the subjects and the schemes' types are those of making them all at
    once from Oxigraph's triples."""
    import pyoxigraph as ox

    from gdcat.rdf.terms import ox_to_rdflib
    from gdcat.validate.background import _read, vocabulary_files

    files = vocabulary_files()
    eager: dict[URIRef, list[tuple[object, object, object]]] = {}
    for path in files:
        for t in _read(path):
            o = t.object
            if isinstance(o, ox.Literal) and o.language and o.language.lower() != "en":
                continue
            if not isinstance(t.subject, ox.NamedNode) or isinstance(o, ox.BlankNode):
                continue
            s = ox_to_rdflib(t.subject)
            eager.setdefault(s, []).append((s, ox_to_rdflib(t.predicate), ox_to_rdflib(o)))
    expected = {s: tuple(dict.fromkeys(triples)) for s, triples in eager.items()}
    index = build_index(files)
    assert list(index.by_subject) == list(expected)
    for subject, triples in expected.items():
        got = index.by_subject[subject]
        assert [tuple(map(repr, t)) for t in got] == [tuple(map(repr, t)) for t in triples]
    assert len(index) == sum(len(t) for t in expected.values())
    in_scheme = {o for ts in expected.values() for _, p, o in ts if p == SKOS.inScheme}
    assert set(index.scheme_types) == {o for o in in_scheme if isinstance(o, URIRef)}
    for scheme, types in index.scheme_types.items():
        assert types == tuple(t for t in expected.get(scheme, ()) if t[1] == RDF.type)
    # a key that is not an rdflib IRI is never one of its subjects
    some = next(iter(expected))
    assert some in index.by_subject and Literal(str(some)) not in index.by_subject
    assert str(some) not in index.by_subject and index.by_subject.get(str(some)) is None
