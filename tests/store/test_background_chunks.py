"""The chunk producer that overlaps writing N-Quads with Oxigraph's loading."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from gdcat.store.oxigraph import _BackgroundChunks


def test_chunks_arrive_in_order() -> None:
    produced = (str(n).encode() for n in range(50))
    assert [int(c) for c in _BackgroundChunks(produced)] == list(range(50))


def test_an_error_while_writing_reaches_the_consumer() -> None:
    def failing() -> Iterator[bytes]:
        yield b"one"
        raise ValueError("cannot write record 2")

    got = []
    with pytest.raises(ValueError, match="record 2"):
        for chunk in _BackgroundChunks(failing()):
            got.append(chunk)
    assert got == [b"one"]


def test_close_stops_a_producer_that_is_ahead() -> None:
    endless = (b"x" for _ in iter(int, 1))
    producer = _BackgroundChunks(endless, depth=2)
    next(iter(producer))
    producer.close()
    assert not any(t.name == producer._thread.name and t.is_alive() for t in threading.enumerate())
