"""Several processes over one store: following the others' writes, sharing leases.

Each remote store object stands for one process (it has its own writer id and its own view of
the change log), so two objects over one real Oxigraph server are two processes here; the
end-to-end test with two ``gdcat serve`` processes is tests/api/test_several_servers.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from gdcat.settings import Settings
from gdcat.store import RecordChange, Store, open_store
from gdcat.store.remote import RemoteStore

from .store_builders import BASE, DatasetSpec, write


@pytest.fixture
def two(oxigraph_url: str) -> Iterator[tuple[Store, Store]]:
    """Two store objects (two processes) over one cleared Oxigraph server."""
    from oxigraph_server import clear

    clear(oxigraph_url)
    settings = Settings(store_url=oxigraph_url, store_kind="oxigraph", base_iri=BASE)
    first, second = open_store(settings), open_store(settings)
    yield first, second
    first.close()
    second.close()


def test_a_process_hears_of_what_another_wrote_and_withdrew(two: tuple[Store, Store]) -> None:
    writer, follower = two
    heard: list[RecordChange] = []
    follower.add_listener(heard.append)
    assert follower.follow().changed == 0  # the first call notes where the log stands
    writer.put_records([write(DatasetSpec(f"https://x.test/d{i}")) for i in range(3)])
    before = follower.generation
    result = follower.follow()
    assert result.changed == 3 and result.complete
    assert set(heard[0].written) == {f"https://x.test/d{i}" for i in range(3)}
    assert follower.generation > before  # caches keyed by generation read again
    writer.withdraw("https://x.test/d1")
    follower.follow()
    assert heard[1] == RecordChange((), ("https://x.test/d1",))
    assert follower.follow().changed == 0  # nothing is told twice
    assert len(heard) == 2


def test_own_writes_are_not_told_twice(two: tuple[Store, Store]) -> None:
    store, _ = two
    heard: list[RecordChange] = []
    store.follow()
    store.add_listener(heard.append)
    store.put_records([write(DatasetSpec("https://x.test/own"))])
    assert store.follow().changed == 0
    assert len(heard) == 1  # the listener call of the write itself


def test_concurrent_writers_lose_no_change(two: tuple[Store, Store], oxigraph_url: str) -> None:
    """Writes of two processes at the same instant (which can leave the shared generation
    counter one short on Oxigraph server) all reach a third process's listeners."""
    first, second = two
    third = open_store(Settings(store_url=oxigraph_url, store_kind="oxigraph", base_iri=BASE))
    try:
        heard: set[str] = set()
        third.add_listener(lambda change: heard.update(change.written))
        third.follow()

        def writes(store: Store, prefix: str) -> None:
            for i in range(25):
                store.put_records([write(DatasetSpec(f"https://x.test/{prefix}{i}"))])

        threads = [
            threading.Thread(target=writes, args=(first, "a")),
            threading.Thread(target=writes, args=(second, "b")),
        ]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            third.follow()
        for thread in threads:
            thread.join()
        third.follow()
        expected = {f"https://x.test/{p}{i}" for p in "ab" for i in range(25)}
        assert heard == expected
    finally:
        third.close()


def test_writers_gone_from_the_log_are_forgotten_and_still_followed(
    two: tuple[Store, Store], oxigraph_url: str
) -> None:
    """Every process (every ``gdcat harvest`` run) is a writer of its own: what a follower
    remembers of writers whose entries were all pruned is dropped, so that the query stays
    small, and a later entry of such a writer is still heard of."""
    writer, follower = two
    assert isinstance(follower, RemoteStore) and isinstance(writer, RemoteStore)
    heard: set[str] = set()
    follower.add_listener(lambda change: heard.update(change.written))
    follower.follow()
    writer.put_records([write(DatasetSpec("https://x.test/before"))])
    follower.follow()
    assert writer._sharing.writer in follower._sharing.seen
    pruned = httpx.post(  # every entry older than the retention, as a writer prunes them
        f"{oxigraph_url}update",
        content=f"DROP GRAPH <{follower._sharing.changes}>".encode(),
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    )
    pruned.raise_for_status()
    follower._sharing.forgot_at = None  # due now (every minute otherwise)
    follower.follow()
    assert writer._sharing.writer not in follower._sharing.seen
    writer.put_records([write(DatasetSpec("https://x.test/after"))])
    follower.follow()
    assert heard == {"https://x.test/before", "https://x.test/after"}


def test_a_write_of_unknown_outcome_gets_a_new_writer_id(two: tuple[Store, Store]) -> None:
    store, _ = two
    assert isinstance(store, RemoteStore)
    before = store._sharing.writer
    store._sharing.rotate()
    assert store._sharing.writer != before and before in store._sharing.own


def test_only_one_process_holds_a_lease(two: tuple[Store, Store]) -> None:
    first, second = two
    taken = first.acquire_lease("harvest/BE", "one", 30)
    assert taken.acquired
    refused = second.acquire_lease("harvest/BE", "two", 30)
    assert not refused.acquired and refused.owner == "one"
    assert "held by one until" in refused.describe()
    assert first.renew_lease("harvest/BE", "one", 30)
    assert not second.renew_lease("harvest/BE", "two", 30)
    first.release_lease("harvest/BE", "one")
    assert second.acquire_lease("harvest/BE", "two", 30).acquired
    assert first.acquire_lease("harvest/NL", "one", 30).acquired  # another name: another lock


def test_an_expired_lease_is_taken_over_by_another_process(two: tuple[Store, Store]) -> None:
    first, second = two
    assert first.acquire_lease("harvest/BE", "dead", 0.001).acquired
    taken = second.acquire_lease("harvest/BE", "alive", 30)
    assert taken.acquired
    assert not first.renew_lease("harvest/BE", "dead", 30)


# -- one lease's life, on every kind of store (embedded in memory and on disk, Oxigraph server)


def wait_past(moment: datetime | None) -> None:
    """Return once ``moment`` (a lease's expiry) has passed."""
    assert moment is not None
    while datetime.now(UTC) <= moment:
        time.sleep(0.02)


def test_a_lease_is_held_by_one_owner_until_released(store: Store) -> None:
    taken = store.acquire_lease("harvest/BE", "one", 30)
    assert taken.acquired and taken.owner == "one"
    refused = store.acquire_lease("harvest/BE", "two", 30)
    assert not refused.acquired and refused.owner == "one"
    assert refused.describe().startswith("held by one until ")
    assert store.acquire_lease("harvest/BE", "one", 30).acquired  # taking it again renews it
    store.release_lease("harvest/BE", "two")  # not the holder: nothing happens
    assert not store.acquire_lease("harvest/BE", "two", 30).acquired
    store.release_lease("harvest/BE", "one")
    assert store.acquire_lease("harvest/BE", "two", 30).acquired
    assert not store.renew_lease("harvest/BE", "one", 30)  # released: no longer one's


def test_an_expired_lease_is_taken_over(store: Store) -> None:
    short = store.acquire_lease("harvest/BE", "dead", 0.2)
    assert short.acquired
    wait_past(short.expires)
    taken = store.acquire_lease("harvest/BE", "alive", 30)
    assert taken.acquired and taken.owner == "alive"
    assert not store.renew_lease("harvest/BE", "dead", 30)  # the dead owner lost it
    assert not store.acquire_lease("harvest/BE", "dead", 30).acquired


def test_a_renewed_lease_outlives_its_first_expiry(store: Store) -> None:
    short = store.acquire_lease("harvest/BE", "one", 0.2)
    assert short.acquired
    assert store.renew_lease("harvest/BE", "one", 30)
    wait_past(short.expires)
    refused = store.acquire_lease("harvest/BE", "two", 30)
    assert not refused.acquired and refused.owner == "one"
    assert refused.expires is not None and short.expires is not None
    assert refused.expires > short.expires
    assert not store.renew_lease("harvest/BE", "two", 30)  # only the holder renews


def test_leases_of_different_names_are_independent(store: Store) -> None:
    assert store.acquire_lease("harvest/BE", "one", 30).acquired
    assert store.acquire_lease("harvest/NL", "two", 30).acquired
    store.release_lease("harvest/NL", "two")
    assert not store.acquire_lease("harvest/BE", "two", 30).acquired


def test_two_processes_taking_a_lease_at_once_never_both_hold_it(
    two: tuple[Store, Store],
) -> None:
    first, second = two

    def race(name: str) -> list[bool]:
        start = threading.Barrier(2)

        def take(store: Store, owner: str) -> bool:
            start.wait()
            return store.acquire_lease(name, owner, 30).acquired

        with ThreadPoolExecutor(2) as pool:
            outcomes = [pool.submit(take, first, "one"), pool.submit(take, second, "two")]
            return sorted(f.result() for f in outcomes)

    for round_ in range(8):
        assert race(f"harvest/race{round_}") == [False, True]


def test_the_embedded_store_follows_nothing_and_keeps_leases_in_memory(
    memory_store: Store,
) -> None:
    assert memory_store.follow().changed == 0
    assert memory_store.acquire_lease("harvest/BE", "one", 30).acquired
    assert not memory_store.acquire_lease("harvest/BE", "two", 30).acquired
    memory_store.release_lease("harvest/BE", "one")
    assert memory_store.acquire_lease("harvest/BE", "two", 30).acquired
