"""Followers of the store (the search index, query workers) hear of every committed write."""

from __future__ import annotations

import pytest

from gdcat.errors import StoreError
from gdcat.store import OxigraphStore, RecordChange

from .store_builders import DatasetSpec, write


def test_listeners_hear_what_was_written_and_withdrawn(store: OxigraphStore) -> None:
    heard: list[RecordChange] = []
    store.add_listener(heard.append)
    before = store.generation
    store.put_records([write(DatasetSpec(f"https://x.test/d{i}")) for i in range(3)])
    store.withdraw("https://x.test/d1")
    assert [set(c.written) for c in heard[:1]] == [{f"https://x.test/d{i}" for i in range(3)}]
    assert heard[1].withdrawn == ("https://x.test/d1",)
    assert store.generation > before
    store.remove_listener(heard.append)
    store.put_records([write(DatasetSpec("https://x.test/d9"))])
    assert len(heard) == 2


def test_a_failing_listener_does_not_undo_or_stop_the_write(store: OxigraphStore) -> None:
    def broken(change: RecordChange) -> None:
        raise RuntimeError("a follower fell over")

    heard: list[RecordChange] = []
    store.add_listener(broken)
    store.add_listener(heard.append)
    store.put_records([write(DatasetSpec("https://x.test/kept"))])
    assert store.list_records() == ["https://x.test/kept"]
    assert heard and heard[0].written == ("https://x.test/kept",)


def test_batches_committed_before_a_failure_are_announced(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk filling up half way through a large write (a fault a real store cannot be made
    to produce on demand): what was committed stays, and followers are told about it."""
    heard: list[RecordChange] = []
    store.add_listener(heard.append)
    real = store._update
    calls = {"n": 0}

    def fails_second_time(sparql: str, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise StoreError("No space left on device")
        real(sparql, **kwargs)  # the remote store also names the records (change log)

    monkeypatch.setattr(store, "_update", fails_second_time)
    writes = [write(DatasetSpec(f"https://x.test/big{i:03}")) for i in range(300)]
    before = store.generation
    with pytest.raises(StoreError):
        store.put_records(writes)
    stored = set(store.list_records())
    assert 0 < len(stored) < 300
    assert heard and set(heard[0].written) == stored
    assert store.generation > before
