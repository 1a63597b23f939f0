"""The search index follows the store: writes and withdrawals show, a rebuild changes nothing,
a stale index is rebuilt when opened."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tantivy
from rdflib import BNode, Graph, Literal, URIRef, namespace
from search_records import Hand, demo_writes

from gdcat.search import (
    Searcher,
    SearchIndex,
    SearchIndexError,
    SearchRequest,
    load_vocabulary,
    open_index,
)
from gdcat.search.extract import BATCH, RecordFacts
from gdcat.search.index import META_FILE, RebuildRunningError, open_search_index
from gdcat.search.query import _all
from gdcat.search.terms import FACETS_BY_NAME
from gdcat.search.vocabulary import Vocabulary
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite, open_store

BASE = "http://gdcat.test/"
MONDO = "http://purl.obolibrary.org/obo/MONDO_"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    s = OxigraphStore(None, BASE)
    yield s
    s.close()


@pytest.fixture
def index(store: OxigraphStore, vocabulary: Vocabulary) -> Iterator[SearchIndex]:
    i = SearchIndex(store, vocabulary, None)
    yield i
    i.close()


def keys(index: SearchIndex, **request: Any) -> set[str]:
    found = Searcher(index).search(SearchRequest(page_size=200, **request))
    return {h.payload["iri"] for h in found.hits}


def snapshot(index: SearchIndex) -> dict[str, Any]:
    """Everything the index says: every document's payload, the facets and the cohort."""
    payloads = index.payloads(tantivy.Query.all_query())
    found = Searcher(index).search(SearchRequest(page_size=1, facet_size=200))
    return {
        "payloads": sorted(payloads, key=lambda p: str(p["iri"])),
        "facets": found.facets,
        "cohort": found.cohort,
        "total": found.total,
    }


def test_a_written_record_becomes_searchable_and_a_withdrawn_one_disappears(
    store: OxigraphStore, index: SearchIndex
) -> None:
    iri = "https://es.example/dataset/bilbao"
    assert keys(index, text="Bilbao") == set()
    store.put_records([Hand(iri, title="Genomas de Bilbao", title_lang="es").write()])
    assert keys(index, text="bilbao") == {iri}
    assert keys(index, filters={"country": ("ESP",)}) == {iri}
    store.put_records([Hand(iri, title="Genomas de Donostia", title_lang="es").write()])
    assert keys(index, text="bilbao") == set()
    assert keys(index, text="donostia") == {iri}
    assert store.withdraw(iri)
    assert keys(index, text="donostia") == set()
    assert Searcher(index).search(SearchRequest()).total == 0


def test_a_rebuild_equals_the_index_kept_in_step(
    store: OxigraphStore, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    writes = demo_writes(60)
    store.put_records(writes[:40], bulk=True)
    store.put_records(writes[40:])
    for write in writes[:5]:
        store.withdraw(write.dataset_iri)
    store.put_records([Hand(writes[10].dataset_iri, title="Replaced title").write()])
    kept = snapshot(index)
    assert kept["total"] == 55
    index.rebuild()
    assert snapshot(index) == kept
    fresh = SearchIndex(store, vocabulary, None)
    try:
        assert snapshot(fresh) == kept
    finally:
        fresh.close()


def test_data_derived_from_a_catalogued_dataset_adds_nothing_to_the_cohort(
    store: OxigraphStore, index: SearchIndex
) -> None:
    cohort = "https://es.example/dataset/cohort"
    frequencies = Hand("https://es.example/dataset/frequencies", genomes=800, source=cohort)
    store.put_records([frequencies.write()])
    assert Searcher(index).search(SearchRequest()).cohort.genomes == 800  # no source yet
    store.put_records([Hand(cohort, genomes=1000, individuals=1000).write()])
    # the source arrived: the frequencies are derived data now, counted once through it
    assert Searcher(index).search(SearchRequest()).cohort.genomes == 1000
    store.withdraw(cohort)
    assert Searcher(index).search(SearchRequest()).cohort.genomes == 800


def test_writes_during_a_rebuild_are_not_lost(
    store: OxigraphStore, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    writes = demo_writes(120, seed=5)
    store.put_records(writes[:80], bulk=True)
    rebuilding = threading.Thread(target=index.rebuild)
    rebuilding.start()
    for start in range(80, 120, 8):
        store.put_records(writes[start : start + 8])
    store.withdraw(writes[0].dataset_iri)
    rebuilding.join()
    assert Searcher(index).search(SearchRequest()).total == 119
    fresh = SearchIndex(store, vocabulary, None)
    try:
        assert snapshot(fresh) == snapshot(index)
    finally:
        fresh.close()


def test_records_with_blank_node_or_iri_objects_are_indexed(
    store: OxigraphStore, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    def hand(name: str, title: str, *extra: tuple[URIRef, object]) -> Hand:
        iri = f"https://es.example/dataset/{name}"
        return Hand(iri, title=title, extra=[(URIRef(iri), p, o) for p, o in extra])

    publisher, place = BNode(), BNode()
    records = [
        hand("anonymous", "Anonymous publisher cohort", (namespace.DCTERMS.publisher, publisher)),
        hand("somewhere", "Blank place cohort", (namespace.DCTERMS.spatial, place)),
        hand(
            "tagged",
            "Tagged cohort",
            (namespace.DCAT.keyword, URIRef("https://es.example/keyword/basque")),
            (namespace.DCAT.keyword, Literal("Euskadi", lang="eu")),
        ),
    ]
    named = records[0].write()
    named.graph.add((publisher, namespace.FOAF.name, Literal("Hospital sin nombre", lang="es")))
    store.put_records([named, *(r.write() for r in records[1:])])
    iris = {r.iri for r in records}
    fresh = SearchIndex(store, vocabulary, None)
    try:
        for searched in (index, fresh):  # followed, and built from the store
            assert keys(searched) == iris
            assert keys(searched, text="anonymous") == {records[0].iri}
            assert keys(searched, text="place") == {records[1].iri}
            assert keys(searched, text="tagged") == {records[2].iri}
            assert keys(searched, text="euskadi") == {records[2].iri}
            assert keys(searched, filters={"publisher": ("Hospital sin nombre",)}) == {
                records[0].iri
            }
            assert keys(searched, filters={"country": ("ESP",)}) == iris
    finally:
        fresh.close()


def test_a_failed_rebuild_keeps_the_writes_made_meanwhile(
    store: OxigraphStore, index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put_records([Hand("https://es.example/dataset/before", title="Before").write()])
    late = Hand("https://es.example/dataset/late", title="Late arrival")
    read = index._reader.read
    running: list[Exception] = []

    def read_failing_once(datasets: list[str], batch: int = BATCH) -> Iterator[RecordFacts]:
        monkeypatch.setattr(index._reader, "read", read)
        store.put_records([late.write()])  # committed while the rebuild reads the store
        with pytest.raises(RebuildRunningError) as again:
            index.rebuild()
        running.append(again.value)
        raise OSError("No space left on device")

    monkeypatch.setattr(index._reader, "read", read_failing_once)
    with pytest.raises(SearchIndexError, match="No space left") as failed:
        index.rebuild()
    assert not isinstance(failed.value, RebuildRunningError)
    assert len(running) == 1 and isinstance(running[0], SearchIndexError)
    # the old index still serves, with the write made during the failed rebuild
    assert keys(index, text="arrival") == {late.iri}
    assert keys(index) == {"https://es.example/dataset/before", late.iri}
    assert not index.stale
    # and it still follows the store, and can be rebuilt
    store.put_records([Hand("https://es.example/dataset/after", title="After").write()])
    assert keys(index, text="after") == {"https://es.example/dataset/after"}
    assert index.rebuild() == 3


def test_the_index_is_stale_only_when_a_change_could_not_be_indexed(
    store: OxigraphStore, index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = index._reader.read
    seen: list[bool] = []

    def watching(datasets: list[str], batch: int = BATCH) -> Iterator[RecordFacts]:
        seen.append(index.stale)  # what a reader looking while a change is indexed sees
        return read(datasets, batch)

    monkeypatch.setattr(index._reader, "read", watching)
    store.put_records([Hand("https://es.example/dataset/a", title="First").write()])
    assert seen == [False] and not index.stale

    def failing(datasets: list[str], batch: int = BATCH) -> Iterator[RecordFacts]:
        raise OSError("No space left on device")

    monkeypatch.setattr(index._reader, "read", failing)
    store.put_records([Hand("https://es.example/dataset/b", title="Second").write()])
    assert index.stale  # the write went through; the index missed it
    assert keys(index) == {"https://es.example/dataset/a"}
    assert not index.catch_up()  # the reader still fails: b stays missing
    monkeypatch.setattr(index._reader, "read", read)
    store.put_records([Hand("https://es.example/dataset/c", title="Third").write()])
    # the missed change is indexed again with the next one
    assert keys(index) == {f"https://es.example/dataset/{k}" for k in "abc"}
    assert not index.stale and index.catch_up()
    index.rebuild()
    assert not index.stale
    assert len(keys(index)) == 3


def test_an_index_failing_to_open_stops_following_the_store(
    store: OxigraphStore, vocabulary: Vocabulary, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gdcat.search.extract import RecordReader

    read = RecordReader.read
    calls: list[int] = []

    def read_then_fail(
        self: RecordReader, datasets: list[str], batch: int = BATCH
    ) -> Iterator[RecordFacts]:
        calls.append(len(datasets))
        if len(calls) == 1:  # building: a write lands meanwhile, to be applied when built
            store.put_records([Hand("https://es.example/dataset/meanwhile").write()])
            return read(self, datasets, batch)
        raise OSError("No space left on device")

    monkeypatch.setattr(RecordReader, "read", read_then_fail)
    with pytest.raises(SearchIndexError, match="No space left"):
        open_search_index(store, vocabulary, None)
    assert len(calls) == 2
    store.put_records([Hand("https://es.example/dataset/later").write()])
    assert len(calls) == 2  # nothing follows the store for the index that never opened


def test_a_closed_index_stops_following_the_store(store: OxigraphStore, index: SearchIndex) -> None:
    index.close()
    store.put_records([Hand("https://es.example/dataset/late").write()])
    assert Searcher(index).search(SearchRequest()).total == 0


# -- on disk -------------------------------------------------------------------------------


def _settings(tmp_path: Path) -> Settings:
    return Settings(base_iri=BASE, store_dir=tmp_path / "store", tokens_file=tmp_path / "t.json")


def test_an_index_on_disk_lives_beside_its_store_and_is_reused_when_in_step(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    store = open_store(settings.store_dir, BASE)
    try:
        store.put_records([Hand("https://es.example/dataset/a").write()])
        first = open_index(settings, store)
        assert not first.reused
        store.put_records([Hand("https://es.example/dataset/b").write()])  # followed
        first.close()
        assert (tmp_path / "store-index" / META_FILE).is_file()
        again = open_index(settings, store)
        try:
            assert again.reused
            assert keys(again) == {"https://es.example/dataset/a", "https://es.example/dataset/b"}
        finally:
            again.close()
    finally:
        store.close()


def test_an_index_on_disk_is_reused_over_records_that_are_no_hits(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store = open_store(settings.store_dir, BASE)
    try:
        untyped = Graph()  # a record the index cannot call a dataset or a series
        iri = "https://es.example/dataset/untyped"
        untyped.add((URIRef(iri), namespace.DCTERMS.title, Literal("No type stated", lang="en")))
        meta = RecordMeta("https://es.example/", "0" * 64, "gdcat", "conforms", node="es")
        store.put_records([Hand("https://es.example/dataset/a").write()])
        store.put_records([RecordWrite(iri, untyped, meta)])
        first = open_index(settings, store)
        try:
            assert not first.reused
            assert first.size() == 2  # every live record has a document
            assert keys(first) == {"https://es.example/dataset/a"}
            assert keys(first, text="stated") == set()
        finally:
            first.close()
        again = open_index(settings, store)
        try:
            assert again.reused
            assert keys(again) == {"https://es.example/dataset/a"}
        finally:
            again.close()
    finally:
        store.close()


def test_a_stale_index_is_rebuilt_when_opened(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store = open_store(settings.store_dir, BASE)
    try:
        store.put_records([Hand("https://es.example/dataset/a").write()])
        open_index(settings, store).close()
        # written while nothing followed the store (another process, a crash, a harvest CLI)
        store.put_records([Hand("https://es.example/dataset/b", title="Late arrival").write()])
        store.withdraw("https://es.example/dataset/a")
        reopened = open_index(settings, store)
        try:
            assert not reopened.reused
            assert keys(reopened) == {"https://es.example/dataset/b"}
            assert keys(reopened, text="arrival") == {"https://es.example/dataset/b"}
        finally:
            reopened.close()
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["vocabularies", "schema", "deleted", "garbage"])
def test_an_index_built_otherwise_or_damaged_is_rebuilt(tmp_path: Path, damage: str) -> None:
    settings = _settings(tmp_path)
    store = open_store(settings.store_dir, BASE)
    try:
        store.put_records([Hand("https://es.example/dataset/a").write()])
        open_index(settings, store).close()
        meta_file = tmp_path / "store-index" / META_FILE
        if damage == "deleted":
            for path in sorted((tmp_path / "store-index").iterdir()):
                path.unlink()
        elif damage == "garbage":
            meta_file.write_text("{not json", encoding="utf-8")
        else:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            meta[damage] = "something else"
            meta_file.write_text(json.dumps(meta), encoding="utf-8")
        reopened = open_index(settings, store)
        try:
            assert not reopened.reused
            assert keys(reopened) == {"https://es.example/dataset/a"}
        finally:
            reopened.close()
    finally:
        store.close()


def test_a_rebuild_on_disk_replaces_the_index_in_place(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    store = open_store(settings.store_dir, BASE)
    try:
        store.put_records([Hand(f"https://es.example/dataset/{n}").write() for n in range(5)])
        index = open_index(settings, store)
        try:
            assert index.rebuild() == 5
            store.put_records([Hand("https://es.example/dataset/after").write()])
            assert len(keys(index)) == 6
        finally:
            index.close()
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [
            "store",
            "store-index",
        ]  # nothing left of the build
        reopened = open_index(settings, store)
        try:
            assert reopened.reused and len(keys(reopened)) == 6
        finally:
            reopened.close()
    finally:
        store.close()


def test_a_ds_dataset_matches_a_study_of_a_narrower_disease(
    store: OxigraphStore, index: SearchIndex
) -> None:
    from gdcat.search import Category, Purpose

    cancer = Hand(
        "https://es.example/dataset/cancer", permission="DUO_0000007", diseases=(MONDO + "0004992",)
    )
    cardio = Hand(
        "https://es.example/dataset/cardio", permission="DUO_0000007", diseases=(MONDO + "0004995",)
    )
    store.put_records([cancer.write(), cardio.write()])
    breast = Purpose(Category.DS, (MONDO + "0007254",))
    assert keys(index, purpose=breast) == {cancer.iri}
    heart = Purpose(Category.DS, (MONDO + "0005045",))
    assert keys(index, purpose=heart) == {cardio.iri}


def test_one_searcher_counts_again_after_every_change(
    store: OxigraphStore, index: SearchIndex
) -> None:
    """The API keeps one searcher, which keeps the facet counts and cohort totals of recent
    searches: a write, a withdrawal and another filter each give the counts a fresh searcher
    gives."""
    searcher = Searcher(index)

    def counted(**request: Any) -> tuple[dict[str, int], int, int]:
        found = searcher.search(SearchRequest(page_size=1, **request))
        fresh = Searcher(index).search(SearchRequest(page_size=1, **request))
        assert (found.facets, found.cohort, found.total) == (
            fresh.facets,
            fresh.cohort,
            fresh.total,
        )
        countries = next(f for f in found.facets if f.name == "country")
        return {b.value: b.count for b in countries.buckets}, found.cohort.individuals, found.total

    store.put_records([Hand("https://es.example/dataset/a", individuals=100).write()])
    assert counted() == ({"ESP": 1}, 100, 1)
    assert counted() == ({"ESP": 1}, 100, 1)
    store.put_records(
        [Hand("https://fr.example/dataset/b", country="FRA", node="fr", individuals=20).write()]
    )
    assert counted() == ({"ESP": 1, "FRA": 1}, 120, 2)
    assert counted(filters={"country": ("FRA",)}) == ({"ESP": 1, "FRA": 1}, 20, 1)
    assert counted(filters={"country": ["ESP"]}) == ({"ESP": 1, "FRA": 1}, 100, 1)
    store.put_records([Hand("https://es.example/dataset/a", individuals=7, version=2).write()])
    assert counted() == ({"ESP": 1, "FRA": 1}, 27, 2)
    store.withdraw("https://es.example/dataset/a")
    assert counted() == ({"FRA": 1}, 20, 1)
    assert counted(text="genomic") == ({"FRA": 1}, 20, 1)


#: searches of every shape: none, words, filters of one or two facets, kinds, no facets
_SHAPES: list[dict[str, Any]] = [
    {},
    {"text": "genome"},
    {"filters": {"country": ("NLD", "FRA")}},
    {"filters": {"access_rights": ("RESTRICTED",)}, "text": "cohort"},
    {"kinds": ("dataset",)},
    {"kinds": ("series",)},
    {"facets": ("country",), "filters": {"country": ("ESP",)}},
    {"facets": ()},
]


def test_facets_and_cohort_counted_in_one_pass_equal_those_counted_apart(
    store: OxigraphStore, index: SearchIndex
) -> None:
    """The facets no filter restricts and the cohort totals share one pass over the matches:
    they equal the facets and the cohort counted by passes of their own."""
    store.put_records(demo_writes(60), bulk=True)
    store.put_records([Hand("https://es.example/dataset/a", individuals=7).write()])
    searcher = Searcher(index)
    tantivy_searcher = index.current().searcher()
    for shape in _SHAPES:
        request = SearchRequest(**shape)
        found = searcher.search(request)
        base = [searcher._kinds(request.kinds)]
        if request.text:
            text_query = searcher._text_query(index.current(), request.text, [])
            assert text_query is not None
            base.append(text_query)
        by_facet = {
            name: searcher._filter(FACETS_BY_NAME[name], values)
            for name, values in request.filters.items()
        }
        query = _all([*base, *by_facet.values()])
        assert found.facets == searcher._facets(tantivy_searcher, base, by_facet, request), shape
        assert found.cohort == searcher._cohort(tantivy_searcher, query), shape
        assert found.cohort.datasets > 0 or request.kinds == ("series",), shape


def test_a_rebuild_reads_ahead_in_threads_and_gets_what_one_reader_gets(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gdcat.search.extract import RecordReader

    store.put_records(
        [
            Hand(f"https://es.example/dataset/r{i:02}", title=f"Genomas {i}").write()
            for i in range(23)
        ]
    )
    reader = RecordReader(store)
    datasets = sorted(store.record_hashes())
    one = list(reader.read(datasets, batch=4))
    assert len(one) == 23
    assert list(reader.read_ahead(datasets, batch=4, readers=2)) == one  # same facts, same order

    # a batch that fails fails the read, and no batch past the read-ahead window is read
    batch = RecordReader._batch
    asked: list[str] = []

    def failing(self: RecordReader, part: list[str]) -> Iterator[RecordFacts]:
        asked.append(part[0])
        if part[0] == datasets[8]:
            raise OSError("the store went away")
        return batch(self, part)

    monkeypatch.setattr(RecordReader, "_batch", failing)
    got: list[RecordFacts] = []
    with pytest.raises(OSError, match="went away"):
        for fact in reader.read_ahead(datasets, batch=4, readers=2):
            got.append(fact)
    assert got == one[:8]  # the batches before the failing one, in order
    assert len(asked) <= 2 + 2 * 2  # the batches taken and at most 2 × readers ahead
