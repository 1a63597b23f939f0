"""The harvester killed with SIGKILL mid-run leaves every record whole, and the next run
completes.

A federation of real HTTP nodes is served on 127.0.0.1 and harvested into an on-disk store by
the real ``gdcat harvest`` command in a child process (version A of every record). Then every
record the nodes serve is changed (version B) and the harvest is started again and killed with
SIGKILL part way, several times, at different moments after a node has committed its writes
(the child reports each node on a terminal, as an operator would see it). After each kill the
store, reopened, holds every record whole: its graph hashes to its catalogue record's content
hash, which is the record's version A or its version B. A last run completes and leaves every
record in version B.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from record_versions import revised, whole_records

from gdcat.demo import generate_federation
from gdcat.demo.nodes import default_kinds, serve_federation
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"
ENV = {**os.environ, "GDCAT_VALIDATION_WORKERS": "1", "GDCAT_BASE_IRI": BASE}
#: nodes of every kind but Beacon (whose record is derived from its host's, not changed here)
NODES = ("nl", "be", "fi", "de", "fr", "it", "es", "hu", "at", "pl", "lv")
#: seconds to wait, after a node reported updated records, before the kill
DELAYS = (0.0, 0.25, 0.7)
#: a progress line of a node that wrote updated records: "  nl: complete, +0 ~8 =0 ..."
_UPDATED = re.compile(r"^\s*(\S+): \w+, \+\d+ ~([1-9]\d*) ")


def _harvest_command(registry: Path, store: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gdcat.cli",
        "harvest",
        "--nodes",
        str(registry),
        "--store",
        str(store),
        *extra,
    ]


def _whole_records(path: Path, expected: set[str] | None = None) -> dict[str, str]:
    with OxigraphStore(path, BASE) as store:
        return whole_records(store, expected)


def _kill_after_an_update(command: list[str], delay: float, timeout: float = 60) -> list[str]:
    """Run the harvest with a terminal as stderr (so it reports each node as it is done),
    SIGKILL it ``delay`` seconds after the first node that wrote updated records; returns the
    nodes it had reported."""
    master, slave = pty.openpty()
    child = subprocess.Popen(
        command, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave
    )
    os.close(slave)
    reported: list[str] = []
    buffer = ""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096).decode("utf-8", "replace")
            except OSError:  # the child closed the terminal
                break
            buffer += chunk
            *lines, buffer = buffer.replace("\r", "").split("\n")
            updated = [m for m in map(_UPDATED.match, lines) if m]
            reported += [m.group(1) for m in updated]
            if updated:
                break
        assert child.poll() is None, "the harvest ended before it could be killed mid-run"
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    return reported


@pytest.mark.slow
def test_sigkill_mid_harvest_leaves_every_record_whole_and_the_next_run_completes(
    tmp_path: Path,
) -> None:
    fed = generate_federation(datasets=120)
    kinds = {node: default_kinds(fed)[node] for node in NODES}
    store = tmp_path / "store"
    with serve_federation(fed, kinds=kinds) as served:
        registry = served.write_registry(tmp_path / "nodes.toml")
        command = _harvest_command(registry, store)

        first = subprocess.run(
            [*command, "--format", "json"], env=ENV, capture_output=True, text=True, timeout=120
        )
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["totals"]["added"] > 50
        version_a = _whole_records(store)

        for node in served:
            for iri, graph in list(node.content.records.items()):
                node.content.put(iri, revised(iri, graph))

        after_kill: list[dict[str, str]] = []
        for delay in DELAYS:
            _kill_after_an_update(command, delay)
            after_kill.append(_whole_records(store, set(version_a)))

        last = subprocess.run(
            [*command, "--format", "json"], env=ENV, capture_output=True, text=True, timeout=120
        )
        assert last.returncode == 0, last.stderr
        report = json.loads(last.stdout)
        assert report["status"] == "complete"
        assert report["totals"]["withdrawn"] == 0
    version_b = _whole_records(store, set(version_a))

    assert all(version_b[iri] != version_a[iri] for iri in version_a), "a record is still A"
    for hashes in after_kill:
        for iri, digest in hashes.items():
            assert digest in (version_a[iri], version_b[iri]), iri
    in_b = [sum(hashes[iri] == version_b[iri] for iri in hashes) for hashes in after_kill]
    # the kills landed mid-run: some node had written version B, and not every node had
    assert any(0 < n < len(version_a) for n in in_b), (in_b, len(version_a))
    assert in_b == sorted(in_b)  # a killed run never undid what an earlier one wrote
    # the last run wrote what the killed runs had not
    assert report["totals"]["updated"] == sum(
        after_kill[-1][iri] == version_a[iri] for iri in version_a
    )
