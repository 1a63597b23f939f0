"""schemathesis, with every check, against gdcat's OpenAPI document (CONFORMANCE.md).

It fuzzes every documented operation of a live gdcat (its own store, since the fuzzer also
sends writes) and fails on any server error, any response that does not match the schema,
any accepted invalid input or any rejected valid input.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_gdcat import LiveGdcat, start_gdcat

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(tmp_path_factory.mktemp("fuzz"), datasets=30) as live:
        yield live


def test_schemathesis_finds_no_failure(fuzzed_server: LiveGdcat, tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("schemathesis")
    command = [
        str(cli),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        fuzzed_server.url + "/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        "50",
        "--workers",
        "1",
        "--seed",
        "1",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    env = {**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path
    )
    tail = "\n".join(done.stdout.splitlines()[-80:])
    assert done.returncode == 0, f"schemathesis found failures:\n{tail}\n{done.stderr[-2000:]}"
