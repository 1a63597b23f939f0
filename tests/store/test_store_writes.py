"""Writing, replacing and withdrawing records: what survives and what does not."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rdfns
from rdflib.compare import isomorphic

from gdcat.errors import StoreError
from gdcat.store import (
    OxigraphStore,
    ReadAlong,
    RecordRead,
    RecordStatus,
    RecordWrite,
    RecordWriteError,
    RemoteStore,
    Store,
    open_store,
    record_iri,
)
from gdcat.vocab import COUNTRY, HEALTHDCATAP, VCARD

from .store_builders import BASE, DatasetSpec, meta, write

D1 = "https://node.example.org/dataset/1"
D2 = "https://node.example.org/dataset/2"


def _all_literals(store: OxigraphStore) -> set[str]:
    result = store.query("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }")
    return {row[0].value for row in result.rows if row[0] is not None}


@pytest.mark.parametrize("bulk", [False, True])
def test_a_record_comes_back_as_written_with_its_datatypes(
    store: OxigraphStore, bulk: bool
) -> None:
    spec = DatasetSpec(D1, individuals=1300, genomes=1200, byte_sizes=(1300, 42))
    written = spec.graph()
    store.put_records([RecordWrite(D1, written, meta())], bulk=bulk)

    back = store.get_record(D1)

    assert back is not None
    assert isomorphic(written, back)
    assert set(back.objects(URIRef(D1), HEALTHDCATAP.numberOfUniqueIndividuals)) == {
        Literal("1300", datatype=rdfns.XSD.nonNegativeInteger)
    }
    sizes = {o for o in back.objects(None, rdfns.DCAT.byteSize)}
    assert sizes == {
        Literal("1300", datatype=rdfns.XSD.nonNegativeInteger),
        Literal("42", datatype=rdfns.XSD.nonNegativeInteger),
    }


def test_a_record_read_by_its_record_iri_is_the_record_read_by_its_dataset(store: Store) -> None:
    """What a page reads (by the key in its address, without an rdflib graph) is what the
    dataset's record reads: the same triples, datatypes restored, the same catalogue record."""
    spec = DatasetSpec(D1, individuals=1300, genomes=1200, byte_sizes=(1300, 42))
    store.put_records([RecordWrite(D1, spec.graph(), meta())])
    record = record_iri(BASE, D1)

    triples = store.record_triples(record)
    back = store.get_record(D1)
    assert back is not None and len(triples) == len(back)
    assert isomorphic(graph_of(triples), back)
    assert store.catalog_record_at(record) == store.catalog_record(D1)

    assert store.record_triples(record_iri(BASE, D2)) == []
    assert store.catalog_record_at(record_iri(BASE, D2)) is None
    store.withdraw(D1)
    assert store.record_triples(record) == []
    withdrawn = store.catalog_record_at(record)
    assert withdrawn is not None and withdrawn.withdrawn and withdrawn.dataset_iri == D1


def test_a_record_and_its_triples_read_together_are_what_the_two_reads_give(
    store: Store,
) -> None:
    """What a dataset's page reads in one call (one request to a remote store) is what the
    catalogue record, the record's triples and a query read apart are: the same terms,
    datatypes the engine rewrote restored; a withdrawn record's tombstone without triples;
    nothing for an unknown record."""
    padded = Literal("\n  padded both ends\t ", lang="en")
    extra = [(URIRef(D1), p, o) for p, o in [*_KEPT_VALUES, (rdfns.DCTERMS.alternative, padded)]]
    spec = DatasetSpec(D1, individuals=1300, byte_sizes=(1300, 42), extra=extra)
    other = DatasetSpec(D2, title="Another", individuals=7)
    store.put_records([RecordWrite(D1, spec.graph(), meta()), write(other, "h2")])
    record = record_iri(BASE, D1)
    # what a page reads along: values of its own graph and of another record's
    along = ReadAlong(
        ("of", "value"),
        f"{{ GRAPH <{record}> {{ ?of <{rdfns.DCAT.temporalResolution}> ?value }} }} UNION "
        f"{{ GRAPH <{record_iri(BASE, D2)}> {{ ?of <{rdfns.DCTERMS.title}> ?value }} }}",
    )

    read = store.catalog_record_with_triples(record, along)
    assert read.record is not None and read.record == store.catalog_record_at(record)
    assert not read.record.withdrawn and read.record.dataset_iri == D1
    triples = read.triples
    apart = store.record_triples(record)
    assert sorted(map(str, triples)) == sorted(map(str, apart))
    assert len(triples) == len(set(triples)) == len(spec.graph())
    assert isomorphic(graph_of(triples), spec.graph())
    assert ox.Literal("1300", datatype=ox.NamedNode(str(rdfns.XSD.nonNegativeInteger))) in {
        t.object
        for t in triples
        if t.predicate.value == str(HEALTHDCATAP.numberOfUniqueIndividuals)
    }
    asked = store.query(along.query(), union_default_graph=False).rows
    assert sorted(map(str, read.along)) == sorted(map(str, asked)) and len(asked) == 4
    assert {row[1].value for row in read.along if row[1] is not None} == {
        "P1Y",
        "PT1H30M",
        "P2D",
        "Another",
    }
    assert store.catalog_record_with_triples(record).along == ()
    with pytest.raises(ValueError):  # the record's own solutions bind ?s ?p ?o
        ReadAlong(("o",), f"GRAPH <{record}> {{ ?x ?y ?o }}")

    # white space at a literal's ends survives in solutions too (Virtuoso's SPARQL XML)
    alternative = f"SELECT ?o WHERE {{ <{D1}> <{rdfns.DCTERMS.alternative}> ?o }}"
    assert [row[0] for row in store.query(alternative).rows] == [
        ox.Literal(str(padded), language="en")
    ]

    unknown = record_iri(BASE, "https://node.example.org/x")
    assert store.catalog_record_with_triples(unknown, along) == RecordRead(None, [])
    store.withdraw(D1)
    withdrawn = store.catalog_record_with_triples(record, along)
    assert withdrawn.triples == [] and withdrawn.along == ()
    assert withdrawn.record is not None and withdrawn.record == store.catalog_record_at(record)
    assert withdrawn.record.withdrawn and withdrawn.record.dataset_iri == D1
    # the other record is untouched by the first's withdrawal
    live = store.catalog_record_with_triples(record_iri(BASE, D2))
    assert live.record == store.catalog_record(D2)
    assert live.record is not None and not live.record.withdrawn
    assert live.triples and sorted(map(str, live.triples)) == sorted(
        map(str, store.record_triples(record_iri(BASE, D2)))
    )


def graph_of(triples: list[ox.Triple]) -> Graph:
    from gdcat.rdf.terms import ox_to_rdflib

    graph = Graph()
    for t in triples:
        graph.add((ox_to_rdflib(t.subject), ox_to_rdflib(t.predicate), ox_to_rdflib(t.object)))
    return graph


#: Values engines keep in forms of their own (Virtuoso: durations as numbers, WKT as a
#: geometry of single-precision coordinates), with dates, language tags and a long text.
_GEO = "http://www.opengis.net/ont/geosparql#"
_KEPT_VALUES = [
    (rdfns.DCTERMS.issued, Literal("2024-01-02", datatype=rdfns.XSD.date)),
    (rdfns.DCTERMS.modified, Literal("2024-01-02T03:04:05Z", datatype=rdfns.XSD.dateTime)),
    (rdfns.DCTERMS.description, Literal("Coorte genómica", lang="pt-br")),
    (rdfns.DCTERMS.description, Literal("Cohorte", lang="es")),
    (rdfns.DCTERMS.abstract, Literal('a "long" text,\n' + "é ✓ " * 40_000)),
    (rdfns.DCAT.temporalResolution, Literal("P1Y", datatype=rdfns.XSD.duration)),
    (rdfns.DCAT.temporalResolution, Literal("PT1H30M", datatype=rdfns.XSD.duration)),
    (rdfns.DCAT.temporalResolution, Literal("P2D", datatype=rdfns.XSD.duration)),
    (rdfns.DCAT.spatialResolutionInMeters, Literal("12.5", datatype=rdfns.XSD.decimal)),
    (rdfns.DCAT.centroid, Literal("POINT(4.47 50.5)", datatype=URIRef(_GEO + "wktLiteral"))),
]


def _last_runs(store: Store) -> dict[str, set[str]]:
    rows = store.query(
        f"SELECT ?record ?run WHERE {{ GRAPH <{store.provenance_graph}> "
        "{ ?record <https://w3id.org/gdcat/ns#lastHarvestRun> ?run } }",
        union_default_graph=False,
    ).rows
    runs: dict[str, set[str]] = {}
    for record, run in rows:
        assert record is not None and run is not None
        runs.setdefault(record.value, set()).add(run.value)
    return runs


def test_marking_records_seen_leaves_each_one_run_the_last_and_invents_no_record(
    store: Store,
) -> None:
    run1, run2, run3 = (f"{BASE}run/{n}" for n in (1, 2, 3))
    d3 = "https://node.example.org/dataset/3"
    store.put_records(
        [
            write(DatasetSpec(D1), run=run1),
            write(DatasetSpec(D2), run=run1),
            write(DatasetSpec(d3)),  # published, never harvested: no run yet
        ]
    )
    r1, r2, r3 = (record_iri(BASE, d) for d in (D1, D2, d3))
    assert _last_runs(store) == {r1: {run1}, r2: {run1}}

    unknown = "https://node.example.org/dataset/never-written"
    store.mark_seen([D1, d3, unknown], run2)
    assert _last_runs(store) == {r1: {run2}, r2: {run1}, r3: {run2}}
    store.mark_seen([D2, D1], run3)
    assert _last_runs(store) == {r1: {run3}, r2: {run3}, r3: {run2}}
    assert store.catalog_record(unknown) is None
    # the rest of the catalogue record is untouched
    record = store.catalog_record(D1)
    assert record is not None and record.meta.run == run1 and record.meta.content_hash == "h1"


def test_values_an_engine_keeps_in_its_own_form_come_back_as_written(store: OxigraphStore) -> None:
    spec = DatasetSpec(D1, extra=[(URIRef(D1), p, o) for p, o in _KEPT_VALUES])
    written = spec.graph()
    store.put_records([RecordWrite(D1, written, meta())])

    back = store.get_record(D1)

    assert back is not None
    for predicate, value in _KEPT_VALUES:
        assert value in set(back.objects(URIRef(D1), predicate)), (predicate, value)
    assert isomorphic(written, back)
    # and in the answers to gdcat's own queries
    found = store.query(
        f"SELECT ?o WHERE {{ <{D1}> <{rdfns.DCAT.temporalResolution}> ?o }} ORDER BY ?o"
    )
    assert {row[0].value for row in found.rows if row[0] is not None} == {"P1Y", "PT1H30M", "P2D"}
    if isinstance(store, RemoteStore):  # the engine's answers as the public endpoint gets them
        answer = store.answer(f"CONSTRUCT WHERE {{ <{D1}> ?p ?o }}")
        assert isinstance(answer, list)
        objects = {
            (t.object.value, t.object.datatype.value)
            for t in answer
            if isinstance(t.object, ox.Literal)
        }
        assert ("POINT(4.47 50.5)", _GEO + "wktLiteral") in objects
        assert ("PT1H30M", str(rdfns.XSD.duration)) in objects


@pytest.mark.parametrize("bulk", [False, True])
def test_replacing_a_record_leaves_no_triple_of_the_old_version(
    store: OxigraphStore, bulk: bool
) -> None:
    old = DatasetSpec(D1, title="Old title", keywords=("only-in-v1",), byte_sizes=(1, 2, 3))
    new = DatasetSpec(D1, title="New title", keywords=("only-in-v2",), byte_sizes=(4,))
    store.put_records([write(old, "h1")], bulk=bulk)
    store.put_records([write(new, "h2")], bulk=bulk)

    back = store.get_record(D1)
    assert back is not None
    assert isomorphic(back, new.graph())
    literals = _all_literals(store)
    assert "only-in-v1" not in literals
    assert "Old title" not in literals
    assert "h1" not in literals
    record_graph = store.record_iri(D1)
    in_graph = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{record_graph}> {{ ?s ?p ?o }} }}"
    )
    assert int(in_graph.rows[0][0].value) == len(new.graph())


def test_a_record_oxigraph_refuses_keeps_its_previous_version(store: OxigraphStore) -> None:
    old = DatasetSpec(D1, title="Good version")
    store.put_records([write(old, "h1")])
    # A relative IRI passes rdflib but not Oxigraph's parser.
    bad = DatasetSpec(
        D1, title="Bad version", extra=[(URIRef(D1), rdfns.DCAT.landingPage, URIRef("no-scheme"))]
    )

    with pytest.raises(RecordWriteError) as caught:
        store.put_records([write(bad, "h2")])

    assert list(caught.value.failures) == [D1]
    assert caught.value.written == []
    back = store.get_record(D1)
    assert back is not None and isomorphic(back, old.graph())
    record = store.catalog_record(D1)
    assert record is not None and record.meta.content_hash == "h1"


def test_one_bad_record_in_a_batch_costs_only_itself(store: OxigraphStore) -> None:
    a1, b1 = DatasetSpec(D1, title="A one"), DatasetSpec(D2, title="B one")
    store.put_records([write(a1), write(b1)])
    a2 = DatasetSpec(D1, title="A two")
    b2 = DatasetSpec(D2, title="B two", extra=[(URIRef(D2), rdfns.DCAT.landingPage, URIRef("rel"))])

    with pytest.raises(RecordWriteError) as caught:
        store.put_records([write(a2, "a2"), write(b2, "b2")])

    assert set(caught.value.failures) == {D2}
    assert caught.value.written == [D1]
    back_a, back_b = store.get_record(D1), store.get_record(D2)
    assert back_a is not None and isomorphic(back_a, a2.graph())
    assert back_b is not None and isomorphic(back_b, b1.graph())


def test_a_bulk_load_oxigraph_refuses_stores_every_good_record_and_nothing_else(
    tmp_path: Path,
) -> None:
    specs = [
        DatasetSpec(f"https://node.example.org/ds/{i}", keywords=("x" * 2000,)) for i in range(400)
    ]
    bad = DatasetSpec(
        "https://node.example.org/ds/bad",
        extra=[(URIRef("https://node.example.org/ds/bad"), rdfns.DCAT.landingPage, URIRef("rel"))],
    )
    good_writes = [write(s, f"h{i}") for i, s in enumerate(specs)]
    store = OxigraphStore(tmp_path / "store", BASE)
    reference = OxigraphStore(None, BASE)
    try:
        # The bad record comes after more than a megabyte of good ones: the loader fails late,
        # the store narrows the failure down and loads the rest.
        with pytest.raises(RecordWriteError) as caught:
            store.put_records([*good_writes, write(bad, "bad")], bulk=True)
        reference.put_records(good_writes)

        assert list(caught.value.failures) == [bad.iri]
        assert len(caught.value.written) == len(specs)
        assert store.list_records() == reference.list_records()
        assert store.count_triples() == reference.count_triples()
        assert store.get_record(bad.iri) is None
        assert store.catalog_record(bad.iri) is None
        for spec in (specs[0], specs[-1]):
            back = store.get_record(spec.iri)
            assert back is not None and isomorphic(back, spec.graph())
    finally:
        store.close()
        reference.close()


@pytest.mark.parametrize("bulk", [False, True])
def test_terms_that_would_break_the_syntax_are_refused(store: OxigraphStore, bulk: bool) -> None:
    sneaky = URIRef("http://x.org/a> <http://x.org/p> <http://x.org/o")
    bad = DatasetSpec(D2, extra=[(URIRef(D2), rdfns.DCAT.landingPage, sneaky)])
    good = DatasetSpec(D1)

    with pytest.raises(RecordWriteError) as caught:
        store.put_records([write(good), write(bad)], bulk=bulk)

    assert set(caught.value.failures) == {D2}
    assert "IRI" in caught.value.failures[D2]
    assert store.list_records() == [D1]
    hits = store.query("ASK { ?s <http://x.org/p> ?o }")
    assert hits.boolean is False


def test_literal_text_is_stored_verbatim_even_when_it_looks_like_sparql(
    store: OxigraphStore,
) -> None:
    text = 'quote " backslash \\ newline \n tab \t } } ; DROP ALL ; \\u0022 # not a comment'
    spec = DatasetSpec(D1, title=text)
    other = DatasetSpec(D2)
    store.put_records([write(other)])
    store.put_records([write(spec)])

    back = store.get_record(D1)
    assert back is not None and isomorphic(back, spec.graph())
    assert store.list_records() == [D1, D2]


def test_records_never_share_blank_nodes(store: OxigraphStore) -> None:
    shared = BNode("b0")  # what a JSON-LD document's "_:b0" becomes in rdflib
    one = DatasetSpec(
        D1,
        extra=[(URIRef(D1), rdfns.DCAT.contactPoint, shared), (shared, VCARD.fn, Literal("one"))],
    )
    two = DatasetSpec(
        D2,
        extra=[(URIRef(D2), rdfns.DCAT.contactPoint, shared), (shared, VCARD.fn, Literal("two"))],
    )
    store.put_records([write(one), write(two)], bulk=True)
    store.put_records([write(two)])

    result = store.query(
        f"SELECT ?d ?name WHERE {{ ?d <{rdfns.DCAT.contactPoint}> ?c . ?c <{VCARD.fn}> ?name "
        'FILTER(?name IN ("one", "two")) }'
    )
    pairs = {(row[0].value, row[1].value) for row in result.rows}
    assert pairs == {(D1, "one"), (D2, "two")}


def test_the_catalog_record_keeps_first_seen_and_tracks_changes(store: OxigraphStore) -> None:
    spec = DatasetSpec(D1)
    store.put_records(
        [
            write(
                spec,
                "h1",
                node="es-node",
                country="ESP",
                conforms_to="https://w3id.org/gdcat/profile/gdcat",
            )
        ]
    )
    first = store.catalog_record(D1)
    assert first is not None
    assert first.status is RecordStatus.CREATED
    assert first.issued == first.modified
    assert first.dataset_iri == D1
    assert first.iri == store.record_iri(D1)
    assert first.meta.node == "es-node"
    assert first.meta.country == str(COUNTRY.ESP)
    assert first.meta.conforms_to == "https://w3id.org/gdcat/profile/gdcat"
    assert first.meta.source == "https://node.example.org/catalog.ttl"

    time.sleep(0.01)
    store.put_records([write(spec, "h2", outcome="warnings", profile="gdi")])
    second = store.catalog_record(D1)
    assert second is not None
    assert second.status is RecordStatus.UPDATED
    assert second.issued == first.issued
    assert second.modified > first.modified
    assert (second.meta.content_hash, second.meta.outcome, second.meta.profile) == (
        "h2",
        "warnings",
        "gdi",
    )
    assert second.meta.node is None and second.meta.country is None
    assert store.record_hashes() == {D1: "h2"}


def test_withdrawing_removes_the_record_and_leaves_a_tombstone(store: OxigraphStore) -> None:
    store.put_records([write(DatasetSpec(D1), "h1"), write(DatasetSpec(D2), "h2")])
    before = store.catalog_record(D1)
    assert before is not None
    time.sleep(0.01)

    assert store.withdraw(D1) is True

    assert store.get_record(D1) is None
    assert store.list_records() == [D2]
    assert store.record_hashes() == {D2: "h2"}
    tombstone = store.catalog_record(D1)
    assert tombstone is not None
    assert tombstone.withdrawn and tombstone.status is RecordStatus.WITHDRAWN
    assert tombstone.issued == before.issued
    assert tombstone.modified > before.modified
    graph = store.query(f"ASK {{ GRAPH <{store.record_iri(D1)}> {{ ?s ?p ?o }} }}")
    assert graph.boolean is False
    assert store.withdraw(D1) is False
    assert store.withdraw("https://node.example.org/never-stored") is False


def test_a_withdrawn_record_can_come_back_and_keeps_its_first_seen_date(
    store: OxigraphStore,
) -> None:
    spec = DatasetSpec(D1)
    store.put_records([write(spec)])
    first = store.catalog_record(D1)
    store.withdraw(D1)

    store.put_records([write(spec, "h9")], bulk=True)

    again = store.catalog_record(D1)
    assert first is not None and again is not None
    assert again.status is RecordStatus.CREATED
    assert again.issued == first.issued
    assert store.list_records() == [D1]
    back = store.get_record(D1)
    assert back is not None and isomorphic(back, spec.graph())


def test_unusable_writes_are_refused_before_anything_is_written(store: OxigraphStore) -> None:
    with pytest.raises(StoreError, match="twice"):
        store.put_records([write(DatasetSpec(D1)), write(DatasetSpec(D1))])
    with pytest.raises(StoreError, match="country"):
        meta(country="Spain")
    with pytest.raises(StoreError, match="outcome"):
        meta(outcome="rejected")
    empty = DatasetSpec(D1).graph()
    empty.remove((None, None, None))
    with pytest.raises(RecordWriteError) as caught:
        store.put_records(
            [
                RecordWrite(D1, empty, meta()),
                RecordWrite("not an iri", DatasetSpec(D2).graph(), meta()),
            ]
        )
    assert set(caught.value.failures) == {D1, "not an iri"}
    assert store.count_triples() == 0


def test_an_on_disk_store_keeps_its_records_when_reopened(tmp_path: Path) -> None:
    path = tmp_path / "store"
    spec = DatasetSpec(D1, individuals=12, byte_sizes=(5,))
    store = open_store(path, BASE)
    store.put_records([write(spec, "h1")])
    record = store.catalog_record(D1)
    store.close()

    reopened = open_store(path, BASE)
    try:
        back = reopened.get_record(D1)
        assert back is not None and isomorphic(back, spec.graph())
        assert reopened.catalog_record(D1) == record
        assert reopened.list_records() == [D1]
    finally:
        reopened.close()


def test_a_closed_store_and_a_locked_folder_fail_with_store_errors(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = open_store(path, BASE)
    try:
        with pytest.raises(StoreError):
            open_store(path, BASE)
    finally:
        store.close()
    with pytest.raises(StoreError, match="closed"):
        store.list_records()
    with pytest.raises(StoreError, match="base IRI"):
        open_store(None, "http://gdcat.test")


def test_the_embedded_store_is_a_store(store: OxigraphStore) -> None:
    assert isinstance(store, Store)
    assert store.provenance_graph == f"{BASE}graph/provenance"
    assert store.record_iri(D1).startswith(f"{BASE}record/")
    assert len(store.record_iri(D1)) == len(f"{BASE}record/") + 24


def test_get_record_of_an_unknown_dataset_is_none(store: OxigraphStore) -> None:
    assert store.get_record(D1) is None
    assert store.catalog_record(D1) is None
    assert store.list_records() == []


@pytest.mark.parametrize("bulk", [False, True])
def test_text_that_is_not_unicode_fails_its_record_only(store: OxigraphStore, bulk: bool) -> None:
    # a lone surrogate, as a careless decoder can leave in a literal
    broken = DatasetSpec(D2, title="half a pair \ud800")
    good = [DatasetSpec(f"https://node.example.org/ds/{i}") for i in range(250)]

    with pytest.raises(RecordWriteError) as caught:
        store.put_records([*(write(s) for s in good), write(broken)], bulk=bulk)

    assert list(caught.value.failures) == [D2]
    assert len(store.list_records()) == len(good)


def test_a_small_batch_of_new_records_is_stored_as_the_replacing_way_stores_it(
    tmp_path: Path,
) -> None:
    """A harvest's small batches of new records (a node's last batch) are loaded as N-Quads in
    one transaction: what is stored (graphs, catalogue records, first-seen date, status) is
    what the replacing way stores, and a record Oxigraph refuses costs only itself."""
    specs = [DatasetSpec(f"https://node.example.org/ds/{i}", title=f"T{i}") for i in range(5)]
    bad = DatasetSpec(
        "https://node.example.org/ds/bad",
        extra=[(URIRef("https://node.example.org/ds/bad"), rdfns.DCAT.landingPage, URIRef("rel"))],
    )
    writes = [write(s, f"h{i}") for i, s in enumerate(specs)]
    loaded = OxigraphStore(tmp_path / "store", BASE)
    replaced = OxigraphStore(None, BASE)
    try:
        with pytest.raises(RecordWriteError) as caught:
            loaded.put_records([*writes, write(bad, "bad")], bulk=True)
        replaced.put_records(writes)

        assert list(caught.value.failures) == [bad.iri]
        assert sorted(caught.value.written) == sorted(s.iri for s in specs)
        assert loaded.get_record(bad.iri) is None and loaded.catalog_record(bad.iri) is None
        assert loaded.count_triples() == replaced.count_triples()
        for spec in specs:
            back = loaded.get_record(spec.iri)
            assert back is not None and isomorphic(back, spec.graph())
            ours, theirs = loaded.catalog_record(spec.iri), replaced.catalog_record(spec.iri)
            assert ours is not None and theirs is not None
            assert (ours.meta, ours.status) == (theirs.meta, theirs.status)
            assert ours.status is RecordStatus.CREATED
            assert ours.issued == ours.modified
    finally:
        loaded.close()
        replaced.close()
