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
from search_records import Hand, demo_writes

from gdcat.search import Searcher, SearchIndex, SearchRequest, load_vocabulary, open_index
from gdcat.search.index import META_FILE
from gdcat.search.vocabulary import Vocabulary
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, open_store

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
