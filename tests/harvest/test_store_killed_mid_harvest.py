"""The remote store killed (SIGKILL) in the middle of a harvest: the harvest reports the
failure, no record is half written, and once the store is back the next harvest completes.

A federation of real HTTP nodes is served on 127.0.0.1 and harvested into a real engine
(Oxigraph server, Virtuoso: each a process of this test, on a store of its own) — version A of
every record. Every record the nodes serve is then revised (version B) and harvested again;
the engine is killed with SIGKILL just after the harvest's first write of version B reached
it, while the harvest goes on writing. After the engine is started again over the same data,
every record is whole: its graph hashes to its catalogue record's content hash, which is its
version A or its version B. A last harvest completes and leaves every record in version B.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from oxigraph_server import oxigraph_process
from record_versions import revised, whole_records

from gdcat.demo import generate_federation
from gdcat.demo.nodes import default_kinds, serve_federation
from gdcat.harvest import Harvester
from gdcat.harvest.registry import parse_registry
from gdcat.harvest.report import RunReport
from gdcat.settings import Settings
from gdcat.store import RecordChange, RemoteStore, open_store

BASE = "http://127.0.0.1:8000/"
#: nodes of every kind but Beacon (whose record is derived from its host's, not changed here)
NODES = ("nl", "be", "fi", "de")


@dataclass
class Engine:
    """A remote engine this test can kill and start again at the same address."""

    settings: Settings
    kill: Callable[[], None]
    restart: Callable[[], None]


@contextmanager
def _engine(kind: str, tmp: Path) -> Iterator[Engine]:
    if kind == "oxigraph-server":
        with oxigraph_process(tmp / "oxigraph") as server:
            settings = Settings(store_url=server.url, base_iri=BASE, validation_workers=1)
            yield Engine(settings, server.kill, server.start)
        return
    from virtuoso_server import PASSWORD, USER, require_virtuoso, virtuoso_server

    require_virtuoso()
    with virtuoso_server(tmp / "virtuoso") as virtuoso:
        settings = Settings(
            store_url=virtuoso.url,
            store_user=USER,
            store_password=PASSWORD,  # type: ignore[arg-type]
            base_iri=BASE,
            validation_workers=1,
        )
        yield Engine(settings, virtuoso.kill, virtuoso.restart)


def _whole_records(settings: Settings, expected: set[str] | None = None) -> dict[str, str]:
    with open_store(settings) as store:
        return whole_records(store, expected)


def _harvest(settings: Settings, registry: Path) -> RunReport:
    nodes = parse_registry(registry.read_text(), source=str(registry))
    with open_store(settings) as store, Harvester(store, settings) as harvester:
        return harvester.run(nodes)


@pytest.mark.parametrize("kind", ["oxigraph-server", "virtuoso"])
def test_the_store_killed_mid_harvest_leaves_every_record_whole_and_the_next_run_completes(
    tmp_path: Path, kind: str
) -> None:
    fed = generate_federation(datasets=80)
    kinds = {node: default_kinds(fed)[node] for node in NODES}
    with (
        _engine(kind, tmp_path) as engine,
        serve_federation(fed, kinds=kinds, page_size=5) as served,
    ):
        registry = served.write_registry(tmp_path / "nodes.toml")
        first = _harvest(engine.settings, registry)
        assert first.status == "complete", [n.reasons for n in first.nodes]
        version_a = _whole_records(engine.settings)
        assert len(version_a) > 15

        for node in served:
            for iri, graph in list(node.content.records.items()):
                node.content.put(iri, revised(iri, graph))

        # the harvest in a thread, its store killed as soon as its first write of version B
        # is committed (the harvest goes on writing to a store that is gone)
        nodes = parse_registry(registry.read_text(), source=str(registry))
        written = threading.Event()

        def heard(change: RecordChange) -> None:
            if change.written:
                written.set()

        with (
            open_store(engine.settings) as store,
            Harvester(store, engine.settings) as harvester,
            ThreadPoolExecutor(1) as background,
        ):
            assert isinstance(store, RemoteStore)
            store.add_listener(heard)
            running = background.submit(harvester.run, nodes)
            assert written.wait(60), "the harvest wrote nothing"
            engine.kill()
            killed = running.result(timeout=120)

        # the harvest says it failed, and why
        assert killed.status != "complete"
        reasons = " ".join(reason for n in killed.nodes for reason in n.reasons)
        assert "store" in reasons, reasons

        engine.restart()
        after_kill = _whole_records(engine.settings, set(version_a))
        in_b = sum(after_kill[iri] != version_a[iri] for iri in version_a)
        assert 0 < in_b < len(version_a), "the kill did not land mid-harvest"

        last = _harvest(engine.settings, registry)
        assert last.status == "complete", [n.reasons for n in last.nodes]
        version_b = _whole_records(engine.settings, set(version_a))

    assert all(version_b[iri] != version_a[iri] for iri in version_a), "a record is still A"
    for iri, digest in after_kill.items():
        assert digest in (version_a[iri], version_b[iri]), iri
    # the last run wrote what the killed run had not
    assert sum(len(n.updated) for n in last.nodes) == len(version_a) - in_b
