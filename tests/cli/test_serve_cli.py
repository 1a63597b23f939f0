"""The README's run command: ``gdcat demo --serve`` harvests the demo federation and serves it;
``gdcat serve`` serves a store. Both in real subprocesses, stopped the way a user stops them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

COUNT_RECORDS = "SELECT (COUNT(*) AS ?n) WHERE { ?r a <http://www.w3.org/ns/dcat#CatalogRecord> }"
GDCAT = str(Path(sys.executable).with_name("gdcat"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[str], seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"gdcat exited with {process.returncode}:\n{out}\n{err}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_demo_serve_harvests_then_serves_the_catalogue_until_interrupted(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "GDCAT_VALIDATION_WORKERS": "1"}
    env.pop("GDCAT_BASE_IRI", None)
    process = subprocess.Popen(
        [
            GDCAT,
            "demo",
            "--serve",
            "--datasets",
            "60",
            "--first-port",
            "0",
            "--port",
            str(port),
            "--store",
            str(tmp_path / "store"),
            "--out",
            str(tmp_path / "demo"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        answer = _wait_for(base + "/openapi.json", process, 180)
        assert answer.status_code == 200
        # The harvested records are there, under IRIs minted at the served address.
        sparql = httpx.get(
            base + "/sparql",
            params={"query": COUNT_RECORDS},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert sparql.status_code == 200, sparql.text
        count = int(sparql.json()["results"]["bindings"][0]["n"]["value"])
        assert count > 40
    finally:
        code, out, err = _stop(process)
    assert code == 0, err
    assert "harvest run" in out.lower() or "node" in out.lower()
    assert f"http://127.0.0.1:{port}/" in err


def test_serve_refuses_a_port_in_use_with_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [GDCAT, "serve", "--store", str(tmp_path / "store"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "GDCAT_INDEX_DIR": str(tmp_path / "index")},
            cwd=tmp_path,
        )
    assert done.returncode == 3
    assert f"127.0.0.1:{port}" in done.stderr
