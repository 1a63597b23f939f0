"""A real Oxigraph server (``oxigraph serve``, from the ``oxigraph`` package on PyPI) for the
remote-store tests: started on a free port of 127.0.0.1 over a folder, polled until it answers,
stopped at the end."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def oxigraph_executable() -> str:
    """The ``oxigraph`` command beside this Python (the virtualenv's), else on the PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("no oxigraph executable: pip install oxigraph (the dev extra has it)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """``oxigraph serve`` over ``location``; yields its URL (``http://127.0.0.1:PORT/``)."""
    port = _free_port()
    bind = f"127.0.0.1:{port}"
    log = (location.parent / f"{location.name}.log").open("wb")
    command = [oxigraph_executable(), "serve", "--location", str(location), "--bind", bind]
    command += ["--timeout-s", "15"]  # queries the tests abandon stop on the server in 15 s
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {process.returncode}")
            try:
                if httpx.get(url + "query", params={"query": "ASK {}"}, timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph serve did not answer within 30 s")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def clear(url: str) -> None:
    """Remove every graph (a clean store for the next test)."""
    answer = httpx.post(
        url + "update",
        content=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    )
    answer.raise_for_status()
