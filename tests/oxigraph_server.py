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


class OxigraphProcess:
    """``oxigraph serve`` over ``location`` on a port of its own, which it keeps when it is
    killed and started again (a store that goes away and comes back)."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        bind = f"127.0.0.1:{self.port}"
        command = [oxigraph_executable(), "serve", "--location", str(self.location)]
        command += ["--bind", bind]
        command += ["--timeout-s", "15"]  # queries the tests abandon stop on the server in 15 s
        with (self.location.parent / f"{self.location.name}.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            try:
                asked = httpx.get(self.url + "query", params={"query": "ASK {}"}, timeout=1)
                if asked.is_success:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("oxigraph serve did not answer within 30 s")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no goodbye, nothing flushed but what the engine committed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """``oxigraph serve`` over ``location``; yields its URL (``http://127.0.0.1:PORT/``)."""
    with oxigraph_process(location) as server:
        yield server.url


@contextmanager
def oxigraph_process(location: Path) -> Iterator[OxigraphProcess]:
    """``oxigraph serve`` over ``location``, started; stopped (or killed) at the end."""
    server = OxigraphProcess(location)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def clear(url: str) -> None:
    """Remove every graph (a clean store for the next test)."""
    answer = httpx.post(
        url + "update",
        content=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    )
    answer.raise_for_status()
