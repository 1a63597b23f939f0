"""Fixtures for the store tests: real stores of every kind: embedded (pyoxigraph in memory and
on disk) and remote (a real Oxigraph server process and a real Virtuoso, cleared before each
test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gdcat.settings import Settings
from gdcat.store import OxigraphStore, Store, open_store

from .store_builders import BASE

#: The kinds of store every protocol test runs against.
STORE_KINDS = ["memory", "disk", "oxigraph-server", "virtuoso"]


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store of each kind: embedded in memory, embedded on disk, Oxigraph server, Virtuoso."""
    opened = open_kind(request, tmp_path)
    yield opened
    opened.close()


def open_kind(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty store of the kind ``request.param`` names."""
    if request.param == "oxigraph-server":
        from oxigraph_server import clear

        url: str = request.getfixturevalue("oxigraph_url")
        clear(url)
        return open_store(Settings(store_url=url, store_kind="auto", base_iri=BASE))
    if request.param == "virtuoso":
        from virtuoso_server import virtuoso_settings

        return open_store(virtuoso_settings(request, base_iri=BASE))
    path = tmp_path / "store" if request.param == "disk" else None
    return open_store(path, BASE)


@pytest.fixture
def memory_store() -> Iterator[OxigraphStore]:
    opened = OxigraphStore(None, BASE)
    yield opened
    opened.close()


@pytest.fixture(params=["memory", "oxigraph-server", "virtuoso"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store, embedded in memory, on an Oxigraph server and on Virtuoso (for reading
    tests that need no disk)."""
    opened = open_kind(request, tmp_path)
    yield opened
    opened.close()
