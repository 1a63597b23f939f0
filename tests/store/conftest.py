"""Fixtures for the store tests: real pyoxigraph stores, in memory and on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gdcat.store import OxigraphStore, open_store

from .store_builders import BASE


@pytest.fixture(params=["memory", "disk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OxigraphStore]:
    """The embedded store, once in memory and once on disk."""
    path = tmp_path / "store" if request.param == "disk" else None
    opened = open_store(path, BASE)
    assert isinstance(opened, OxigraphStore)
    yield opened
    opened.close()


@pytest.fixture
def memory_store() -> Iterator[OxigraphStore]:
    opened = OxigraphStore(None, BASE)
    yield opened
    opened.close()
