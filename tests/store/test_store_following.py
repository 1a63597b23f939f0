"""A serving process follows the writes of the others (:mod:`gdcat.api.following`).

Two store objects over one real Oxigraph server stand for two processes; the follower and the
search index are the ones ``gdcat serve`` runs. The end-to-end case with two ``gdcat serve``
processes is tests/api/test_several_servers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from capped_gdcat import wait_until

from gdcat.api.following import StoreFollower
from gdcat.search import SearchIndex, load_vocabulary
from gdcat.settings import Settings
from gdcat.store import Store, open_store
from gdcat.store.remote import RemoteStore
from gdcat.store.sharing import CHANGE_RETENTION

from .store_builders import BASE, DatasetSpec, write


@pytest.fixture
def two(oxigraph_url: str) -> Iterator[tuple[Store, RemoteStore]]:
    """A writing process's store and a serving process's store over one Oxigraph server."""
    from oxigraph_server import clear

    clear(oxigraph_url)
    settings = Settings(store_url=oxigraph_url, store_kind="oxigraph", base_iri=BASE)
    writer, served = open_store(settings), open_store(settings)
    assert isinstance(served, RemoteStore)
    yield writer, served
    writer.close()
    served.close()


def indexed(index: SearchIndex) -> int:
    return int(index.searcher().num_docs)


def test_what_another_process_writes_reaches_the_index(two: tuple[Store, RemoteStore]) -> None:
    writer, served = two
    follower = StoreFollower(served, 0.05)
    follower.mark()
    index = SearchIndex(served, load_vocabulary(), None)
    follower.index = index
    follower.start()
    try:
        writer.put_records([write(DatasetSpec(f"https://x.test/d{i}")) for i in range(3)])
        wait_until(lambda: indexed(index) == 3, 30, "the index to hold the three records")
        writer.withdraw("https://x.test/d1")
        wait_until(lambda: indexed(index) == 2, 30, "the index to drop the withdrawn record")
        assert follower.failure is None and follower.last_read is not None
    finally:
        follower.close()
        index.close()


def test_a_follower_that_may_have_missed_changes_rebuilds_the_index(
    two: tuple[Store, RemoteStore], oxigraph_url: str
) -> None:
    """A process that could not read the change log for longer than it keeps entries (here:
    its last read set back past that) cannot trust it: the index is rebuilt from the store,
    and following goes on meanwhile."""
    writer, served = two
    follower = StoreFollower(served, 3600)  # rounds run by hand below
    follower.mark()
    index = SearchIndex(served, load_vocabulary(), None)
    follower.index = index
    try:
        writer.put_records([write(DatasetSpec("https://x.test/missed"))])
        # the process last read the log longer ago than the log keeps entries, and the
        # entry of that write has been pruned since: only a rebuild can find the record
        prune = f"DROP GRAPH <{BASE}graph/changes>"
        answer = httpx.post(
            f"{oxigraph_url}update",
            content=prune.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        )
        answer.raise_for_status()
        assert served._sharing.read_at is not None
        served._sharing.read_at -= CHANGE_RETENTION + timedelta(minutes=1)
        follower._read()
        wait_until(lambda: indexed(index) == 1, 30, "the rebuilt index to hold the record")
        writer.put_records([write(DatasetSpec("https://x.test/after"))])
        follower._read()  # following goes on after the rebuild
        wait_until(lambda: indexed(index) == 2, 30, "the index to hold the next record")
    finally:
        follower.close()
        index.close()


def test_an_index_that_could_not_be_built_at_start_is_built_once_the_store_answers(
    two: tuple[Store, RemoteStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build at start failed (here: its reading of a record fails, as with the store
    away); the follower's next successful read of the store builds it again."""
    from gdcat.search import index as index_module

    writer, served = two
    writer.put_records([write(DatasetSpec("https://x.test/d"))])
    make_document = index_module.make_document
    failing = [True]

    def sometimes(*args: Any, **kwargs: Any) -> Any:
        if failing[0]:
            raise OSError("the store went away")
        return make_document(*args, **kwargs)

    monkeypatch.setattr(index_module, "make_document", sometimes)
    follower = StoreFollower(served, 3600)  # rounds run by hand below
    follower.mark()
    index = SearchIndex(served, load_vocabulary(), None, background=True)
    follower.index = index
    try:
        wait_until(lambda: index.health().failure is not None, 30, "the build to fail")
        assert not index.ready
        failing[0] = False
        follower._read()
        wait_until(lambda: index.ready, 30, "the index to be built")
        assert indexed(index) == 1 and index.health().failure is None
    finally:
        follower.close()
        index.close()
