"""A writer killed with SIGKILL in the middle of replacing records leaves each record whole.

A real child process replaces records over and over in an on-disk store; it is killed at
several moments, and every time the store, reopened, holds each record entirely in one of its
versions, with the catalogue record of that same version.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from gdcat.store import OxigraphStore

from .store_builders import BASE, DatasetSpec

DATASETS = [f"https://node.example.org/dataset/{n}" for n in range(4)]
VERSIONS = {
    "a": {"keywords": tuple(f"alpha-{k}" for k in range(400)), "byte_sizes": (1, 2, 3)},
    "b": {"keywords": tuple(f"beta-{k}" for k in range(300)), "byte_sizes": (4,)},
}

WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from store.store_builders import DatasetSpec, write
from gdcat.store import OxigraphStore

versions = {versions!r}
datasets = {datasets!r}
store = OxigraphStore(Path({path!r}), {base!r})
turn = 0
while True:
    name = "ab"[turn % 2]
    store.put_records(
        [write(DatasetSpec(iri, **versions[name]), "hash-" + name) for iri in datasets]
    )
    if turn == 1:
        print("ready", flush=True)
    turn += 1
"""


def _spec(iri: str, version: str) -> DatasetSpec:
    return DatasetSpec(iri, **VERSIONS[version])  # type: ignore[arg-type]


@pytest.mark.slow
def test_sigkill_mid_write_leaves_every_record_whole(tmp_path: Path) -> None:
    path = tmp_path / "store"
    script = WRITER.format(
        tests=str(Path(__file__).resolve().parents[1]),
        versions=VERSIONS,
        datasets=DATASETS,
        path=str(path),
        base=BASE,
    )
    seen_versions: set[str] = set()
    for delay in (0.05, 0.23, 0.41, 0.77):
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)

        with OxigraphStore(path, BASE) as store:
            for iri in DATASETS:
                record = store.catalog_record(iri)
                graph = store.get_record(iri)
                assert record is not None and graph is not None
                version = record.meta.content_hash.removeprefix("hash-")
                assert version in VERSIONS
                assert isomorphic(graph, _spec(iri, version).graph()), (iri, version, delay)
                seen_versions.add(version)
    assert seen_versions  # every check above compared against a real version
