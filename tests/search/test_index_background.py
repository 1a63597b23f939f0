"""The search index opened or built without holding the server's start (``background=True``,
what ``gdcat serve`` does): searches say :class:`IndexBuildingError` (503 with Retry-After on
the API) until the first build is done, an index left on disk serves at once while a new one
is built behind it, writes made meanwhile are not lost, and a build that fails says why.

The build is held at its first record by a gate (the module's ``make_document`` waits for an
event), so nothing depends on how fast the machine is. The same through a real ``gdcat serve``
process: tests/api/test_several_servers.py.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from capped_gdcat import wait_until
from search_records import Hand

from gdcat.search import IndexBuildingError, Searcher, SearchIndex, SearchRequest, load_vocabulary
from gdcat.search import index as index_module
from gdcat.search.vocabulary import Vocabulary
from gdcat.store import OxigraphStore

BASE = "http://gdcat.test/"
BILBAO = "https://es.example/dataset/bilbao"
DONOSTIA = "https://es.example/dataset/donostia"
#: generous: a build of a few records, on a busy machine
DEADLINE = 60.0


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """While not set, a build waits before it indexes a record."""
    opened = threading.Event()
    make_document = index_module.make_document

    def gated(*args: Any, **kwargs: Any) -> Any:
        assert opened.wait(DEADLINE), "the test never let the build go on"
        return make_document(*args, **kwargs)

    monkeypatch.setattr(index_module, "make_document", gated)
    return opened


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(tmp_path / "store", BASE)
    yield opened
    opened.close()


def found(index: SearchIndex, text: str) -> set[str]:
    result = Searcher(index).search(SearchRequest(text=text, page_size=50))
    return {hit.payload["iri"] for hit in result.hits}


def test_search_waits_for_the_first_build_and_misses_no_write_made_meanwhile(
    store: OxigraphStore, vocabulary: Vocabulary, gate: threading.Event
) -> None:
    store.put_records([Hand(BILBAO, title="Genomas de Bilbao", title_lang="es").write()])
    index = SearchIndex(store, vocabulary, None, background=True)  # returns at once
    try:
        wait_until(lambda: index.health().progress == (0, 1), DEADLINE, "the build to start")
        assert not index.ready and index.health().rebuilding
        building = re.escape("being built (0 of 1 records indexed)")
        with pytest.raises(IndexBuildingError, match=building):
            Searcher(index).search(SearchRequest(text="bilbao"))
        # a write while the build runs: kept aside, indexed once the build is done
        store.put_records([Hand(DONOSTIA, title="Genomas de Donostia", title_lang="es").write()])
        gate.set()
        wait_until(lambda: index.ready, DEADLINE, "the index to be ready")
        wait_until(lambda: found(index, "donostia") == {DONOSTIA}, DEADLINE, "the later write")
        assert found(index, "bilbao") == {BILBAO}
        health = index.health()
        assert health.ready and not health.rebuilding and health.progress is None
    finally:
        gate.set()
        index.close()


def test_an_index_left_on_disk_serves_at_once_while_a_new_one_is_built(
    store: OxigraphStore, vocabulary: Vocabulary, gate: threading.Event, tmp_path: Path
) -> None:
    path = tmp_path / "index"
    store.put_records([Hand(BILBAO, title="Genomas de Bilbao", title_lang="es").write()])
    gate.set()
    SearchIndex(store, vocabulary, path).close()  # the previous run's index
    gate.clear()
    store.put_records([Hand(DONOSTIA, title="Genomas de Donostia", title_lang="es").write()])
    index = SearchIndex(store, vocabulary, path, background=True)
    try:
        wait_until(lambda: index.ready, DEADLINE, "the previous index to serve")
        assert not index.reused  # it is behind the store: a new one is being built
        assert found(index, "bilbao") == {BILBAO}  # the previous index answers meanwhile
        assert found(index, "donostia") == set()
        assert index.health().rebuilding
        gate.set()
        wait_until(lambda: found(index, "donostia") == {DONOSTIA}, DEADLINE, "the new index")
        wait_until(lambda: not index.health().rebuilding, DEADLINE, "the rebuild to end")
    finally:
        gate.set()
        index.close()
    again = SearchIndex(store, vocabulary, path, background=True)  # in step now: reused
    try:
        wait_until(lambda: again.ready, DEADLINE, "the index to open")
        assert again.reused and found(again, "donostia") == {DONOSTIA}
    finally:
        again.close()


def test_a_build_that_fails_says_why(
    store: OxigraphStore, vocabulary: Vocabulary, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put_records([Hand(BILBAO, title="Genomas de Bilbao", title_lang="es").write()])

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index_module, "make_document", broken)
    index = SearchIndex(store, vocabulary, None, background=True)
    try:
        wait_until(lambda: index.health().failure is not None, DEADLINE, "the build to fail")
        assert "No space left on device" in str(index.health().failure)
        with pytest.raises(IndexBuildingError, match=r"search is not available: .*No space left"):
            Searcher(index).search(SearchRequest(text="bilbao"))
    finally:
        index.close()


def test_an_index_on_disk_answers_while_the_store_is_read_to_check_it(
    store: OxigraphStore, vocabulary: Vocabulary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million records, reading every record's hash to tell whether the index on disk is
    in step takes minutes: the index answers meanwhile (the check is held here by a gate)."""
    path = tmp_path / "index"
    store.put_records([Hand(BILBAO, title="Genomas de Bilbao", title_lang="es").write()])
    SearchIndex(store, vocabulary, path).close()
    checked = threading.Event()
    record_hashes = store.record_hashes

    def held() -> dict[str, str]:
        assert checked.wait(DEADLINE), "the test never let the check go on"
        return record_hashes()

    monkeypatch.setattr(store, "record_hashes", held)
    index = SearchIndex(store, vocabulary, path, background=True)
    try:
        wait_until(lambda: index.ready, DEADLINE, "the index on disk to answer")
        assert found(index, "bilbao") == {BILBAO}
        assert not index.reused and index.health().rebuilding  # not checked yet
        checked.set()
        wait_until(lambda: not index.health().rebuilding, DEADLINE, "the check")
        assert index.reused  # in step: kept, not rebuilt
        store.put_records([Hand(DONOSTIA, title="Genomas de Donostia", title_lang="es").write()])
        wait_until(lambda: found(index, "donostia") == {DONOSTIA}, DEADLINE, "a later write")
    finally:
        checked.set()
        index.close()


def test_an_index_on_disk_serves_unchecked_when_its_remote_store_is_gone(
    vocabulary: Vocabulary, tmp_path: Path
) -> None:
    """The remote store went away before the index on disk could be checked against it: the
    index serves what it holds, and the health check says it is unchecked."""
    from oxigraph_server import oxigraph_process

    from gdcat.store.remote import RemoteStore

    path = tmp_path / "index"
    with oxigraph_process(tmp_path / "engine") as engine:
        remote = RemoteStore(engine.url, BASE, timeout=5)
        remote.put_records([Hand(BILBAO, title="Genomas de Bilbao", title_lang="es").write()])
        SearchIndex(remote, vocabulary, path).close()
        engine.kill()
        index = SearchIndex(remote, vocabulary, path, background=True)
        try:
            wait_until(lambda: index.health().failure is not None, DEADLINE, "the check to fail")
            health = index.health()
            assert health.ready and health.stale and not health.rebuilding
            assert "unchecked" in str(health.failure)
            assert found(index, "bilbao") == {BILBAO}
        finally:
            index.close()
            remote.close()
