"""A harvest takes each node's lease before it harvests it (:mod:`gdcat.harvest.leases`).

Against a demo node served over real HTTP and a real store: a node whose lease another process
holds is left to it (listed in the report's ``elsewhere``, not harvested, not a failure); the
lease is given back when the run ends; a scheduler's node that another process harvested after
the scheduler found it due is not harvested a second time. The same runs on two ``gdcat serve``
processes over one Oxigraph server: tests/api/test_several_servers.py.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from capped_gdcat import wait_until
from click.testing import CliRunner
from local_http import loopback_server, serving

from gdcat.cli import main
from gdcat.demo import generate_federation
from gdcat.demo.nodes import serve_federation
from gdcat.harvest.leases import HarvestLeases, lease_name
from gdcat.harvest.pipeline import Harvester
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import RunReport
from gdcat.rdf import parse_file, split_records
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, open_store

BASE = "http://127.0.0.1:8000/"
NODE = "de"
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "model"
    / "examples"
    / "valid"
    / "se-allele-frequencies-beacon.ttl"
)


@dataclass
class Bench:
    config: NodeConfig
    store: OxigraphStore
    harvester: Harvester


@pytest.fixture(scope="module")
def node_entry() -> Iterator[dict[str, object]]:
    with serve_federation(generate_federation(datasets=100, invalid=0)) as served:
        entry = next(e for e in served.registry()["node"] if e["id"] == NODE)
        yield entry


@pytest.fixture
def bench(node_entry: dict[str, object]) -> Iterator[Bench]:
    config = NodeConfig(**{**node_entry, "schedule": "daily"}, timeout=5.0, retries=0)
    store = OxigraphStore(None, BASE)
    with Harvester(store, Settings(validation_workers=1)) as harvester:
        yield Bench(config, store, harvester)
    store.close()


def test_a_node_another_process_harvests_is_left_to_it(bench: Bench) -> None:
    held = bench.store.acquire_lease(lease_name(NODE), "elsewhere:42", 60)
    assert held.acquired
    report = bench.harvester.run([bench.config])
    assert report.nodes == [] and report.status == "complete"
    assert report.elsewhere[NODE].startswith("held by elsewhere:42 until ")
    assert "another process is harvesting it (held by elsewhere:42" in report.to_text()
    assert bench.store.record_hashes() == {}  # nothing harvested here
    bench.store.release_lease(lease_name(NODE), "elsewhere:42")
    again = bench.harvester.run([bench.config])
    assert [n.node for n in again.nodes] == [NODE] and again.nodes[0].status == "complete"
    assert again.elsewhere == {}


def test_the_lease_is_given_back_when_the_run_ends(bench: Bench) -> None:
    report = bench.harvester.run([bench.config])
    assert [n.node for n in report.nodes] == [NODE]
    assert bench.store.acquire_lease(lease_name(NODE), "next", 60).acquired


def test_a_due_node_harvested_meanwhile_by_another_process_is_not_harvested_again(
    bench: Bench,
) -> None:
    found_due = datetime.now(UTC)  # a scheduler finds the node due (never harvested) ...
    first = bench.harvester.run([bench.config])  # ... another process harvests it meanwhile
    assert first.nodes[0].status == "complete"
    late = bench.harvester.run([bench.config], due_at=found_due)
    assert late.nodes == [] and late.elsewhere == {}
    assert bench.store.acquire_lease(lease_name(NODE), "next", 60).acquired  # given back


def test_gdcat_harvest_of_a_node_harvested_elsewhere_exits_4(
    tmp_path: Path, oxigraph_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a store several processes share: the node is not harvested (its address is never
    asked), the operator is told why, exit code 4; with ``--due`` (a scheduler) that is 0."""
    from oxigraph_server import clear

    clear(oxigraph_url)
    monkeypatch.setenv("GDCAT_BASE_IRI", BASE)
    monkeypatch.setenv("GDCAT_VALIDATION_WORKERS", "1")
    registry = tmp_path / "nodes.toml"
    registry.write_text(
        '[[node]]\nid = "be"\ncountry = "BEL"\nkind = "dcat"\nschedule = "hourly"\n'
        'url = "http://127.0.0.1:9/never-asked.ttl"\nprivate = true\n',
        encoding="utf-8",
    )
    settings = Settings(store_url=oxigraph_url, store_kind="oxigraph", base_iri=BASE)
    other = open_store(settings)  # another process, harvesting ``be``
    try:
        assert other.acquire_lease(lease_name("be"), "cron@host-b:7", 60).acquired
        command = ["harvest", "--store", oxigraph_url, "--nodes", str(registry)]
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 4, result.output
        assert "not harvested here: be (another process is harvesting it" in result.output
        assert "held by cron@host-b:7" in result.output
        scheduled = CliRunner().invoke(main, [*command, "--due"])
        assert scheduled.exit_code == 0, scheduled.output
    finally:
        other.release_lease(lease_name("be"), "cron@host-b:7")
        other.close()


def test_a_lease_taken_over_while_the_run_works_is_lost(oxigraph_url: str) -> None:
    """A run that stalled past its lease's expiry (here: its claim removed, as expiry would)
    and whose node another process took over learns so at its next renewal: the node is
    lost to it (the harvester then writes nothing more for it)."""
    from oxigraph_server import clear

    clear(oxigraph_url)
    settings = Settings(store_url=oxigraph_url, store_kind="oxigraph", base_iri=BASE)
    mine, other = open_store(settings), open_store(settings)
    node = NodeConfig(id="be", kind="dcat", url="http://127.0.0.1:9/x.ttl", private=True)
    try:
        with HarvestLeases(mine) as leases:
            report = RunReport(f"{BASE}run/1", datetime.now(UTC))
            assert leases.take([node], report) == [node] and report.elsewhere == {}
            leases.renew()
            assert not leases.lost("be")  # renewed: still ours
            assert not other.acquire_lease(lease_name("be"), "other", 60).acquired
            mine.release_lease(lease_name("be"), leases.owner)  # as if it had expired
            assert other.acquire_lease(lease_name("be"), "other", 60).acquired
            leases.renew()
            assert leases.lost("be")
        # the lost lease is not released on exit: the other process keeps it
        assert not mine.acquire_lease(lease_name("be"), "third", 60).acquired
    finally:
        mine.close()
        other.close()


def test_a_run_that_lost_its_lease_writes_nothing_more_for_the_node(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The node answers only once the test lets it; meanwhile the run's lease is taken over
    (as when the run stalls past its expiry) and the run's renewal finds it lost: the node's
    records are not written, the node fails with the reason."""
    from gdcat.harvest import leases as leases_module

    monkeypatch.setattr(leases_module, "LEASE_SECONDS", 0.3)  # renewed every 0.1 s
    record = split_records(parse_file(EXAMPLE))[0]
    document = record.graph.serialize(format="turtle").encode("utf-8")
    gate = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            gate.wait(60)
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, format: str, *args: object) -> None:
            pass

    asked = threading.Event()
    store = OxigraphStore(None, BASE)
    try:
        with serving(loopback_server(Handler)) as url, ThreadPoolExecutor(1) as pool:
            node = NodeConfig(
                id="gated", kind="dcat", url=f"{url}/catalog.ttl", private=True, retries=0
            )
            with Harvester(store, Settings(validation_workers=1)) as harvester:
                running = pool.submit(harvester.run, [node])
                assert asked.wait(60), "the run never asked the node"
                held = store.acquire_lease(lease_name("gated"), "other", 60)
                assert not held.acquired  # the run holds it: it names its owner
                store.release_lease(lease_name("gated"), held.owner)  # as if it expired
                assert store.acquire_lease(lease_name("gated"), "other", 60).acquired
                wait_until(
                    lambda: "harvest lease harvest/gated was lost" in caplog.text,
                    60,
                    "the run's renewal to find its lease lost",
                )
                gate.set()
                report = running.result(timeout=120)
        (gated,) = report.nodes
        assert gated.status == "failed"
        assert any("lost the node's harvest lease" in r for r in gated.reasons), gated.reasons
        assert store.record_hashes() == {}  # nothing written for it
        assert not store.acquire_lease(lease_name("gated"), "third", 60).acquired  # other's
    finally:
        gate.set()
        store.close()


def test_two_live_runs_of_one_process_never_hold_one_node_together() -> None:
    """The lease names the process (so that its next run takes at once a lease a run left
    behind when its store went away: tests/harvest/test_store_killed_mid_harvest.py); two
    live runs of one process are kept apart in memory."""
    store = OxigraphStore(None, BASE)
    node = NodeConfig(id="be", kind="dcat", url="http://127.0.0.1:9/x.ttl", private=True)
    try:
        with HarvestLeases(store) as first:
            assert first.take([node], RunReport(f"{BASE}run/1", datetime.now(UTC))) == [node]
            with HarvestLeases(store) as second:
                report = RunReport(f"{BASE}run/2", datetime.now(UTC))
                assert second.take([node], report) == []
                assert report.elsewhere == {"be": "held by another run of this process"}
            assert not store.acquire_lease(lease_name("be"), "another process", 60).acquired
        with HarvestLeases(store) as third:  # the first gave it back
            report = RunReport(f"{BASE}run/3", datetime.now(UTC))
            assert third.take([node], report) == [node] and report.elsewhere == {}
    finally:
        store.close()
