"""The README's five-minute tour runs as written, top to bottom, while ``make run`` serves.

``make run`` is ``gdcat demo --store var/store --replace --serve``: the demo federation
harvested into ``var/store``, then gdcat serving that store. The test starts that command in a
scratch folder (which sees the repository's ``model/``), then executes each line of the tour's
shell block in order, as a user pasting them would: the commands that read or write
``var/store`` go through the running server, the background ones (``demo-nodes &``,
``serve &``) are started and stopped by the test. Two changes only: the ports (the README's
8000 and the demo nodes' 8101 and up become free ones) and the demo's size (``--datasets``,
the same for the served store and ``demo-nodes``, so that both are the same federation), to
keep the test short. Each command's time is printed (``pytest -s``)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import gdcat

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HEADING = "## A five-minute tour"
README_PORT = "127.0.0.1:8000"
DATASETS = 30
#: what the tour itself says a line exits with, when not 0
EXPECTED_EXIT = {"gdcat validate model/examples/invalid/negative-individuals.yaml": 1}

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/curl").exists()
    and not any((Path(p) / "curl").exists() for p in os.environ.get("PATH", "").split(os.pathsep)),
    reason="the tour calls curl",
)


def tour_lines() -> list[str]:
    """The commands of the README's tour block, comments removed, in order."""
    section = README.read_text(encoding="utf-8").split(HEADING, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the README's tour has no sh block"
    lines = []
    for raw in block.group(1).splitlines():
        line = re.sub(r"(^|\s+)#\s.*$", "", raw).strip()
        if line:
            lines.append(line)
    assert any(line.startswith("gdcat query ") for line in lines)
    return lines


@dataclass
class Ran:
    line: str
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"$ {self.line}\nexit {self.code}\n{self.out[-3000:]}\n{self.err[-3000:]}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (the demo nodes' ports; the README's
    are 8101 and up)."""
    for first in range(20_000 + os.getpid() % 500 * 40, 45_000, 40):
        try:
            with ExitStack() as stack:
                for port in range(first, first + count):
                    sock = stack.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise AssertionError("no free ports for the demo nodes")


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    package = str(Path(gdcat.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package, env.get("PYTHONPATH")]))
    env["GDCAT_VALIDATION_WORKERS"] = "1"
    for name in ("GDCAT_STORE_DIR", "GDCAT_ADMIN_TOKEN", "GDCAT_BASE_IRI", "GDCAT_NODES"):
        env.pop(name, None)
    return env


def _wait_for(check: object, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s")


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _background(
    line: str, work: Path, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {line}"],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_readme_tour_runs_as_written_while_make_run_serves(tmp_path: Path) -> None:
    lines = tour_lines()
    work = tmp_path / "work"
    work.mkdir()
    (work / "model").symlink_to(ROOT / "model")
    env = _environment()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    first_node = _free_ports(26)
    make_run = (
        f"gdcat demo --store var/store --replace --serve --port {port} "
        f"--first-port {first_node} --datasets {DATASETS}"
    )
    ran: list[Ran] = []
    with _background(make_run, work, env, tmp_path / "make-run.log") as server:
        _wait_for(lambda: _answers(url) or server.poll() is not None, "make run serves", 150)
        assert server.poll() is None, (tmp_path / "make-run.log").read_text()
        announcement = json.loads((work / "var/store/server.json").read_text())
        assert announcement["url"] == url
        assert (work / "var/store/admin-token").stat().st_mode & 0o777 == 0o600
        nodes: subprocess.Popen[bytes] | None = None
        with ExitStack() as stack:
            for line in lines:
                command = line.replace(README_PORT, f"127.0.0.1:{port}")
                if command.startswith(". .venv/bin/activate"):
                    continue  # the test's PATH has gdcat already
                if command.startswith("gdcat demo-nodes"):
                    command = command.replace(
                        "gdcat demo-nodes",
                        f"gdcat demo-nodes --first-port {first_node} --datasets {DATASETS}",
                    )
                if command.endswith("&"):
                    command = command[:-1].strip()
                    log = tmp_path / f"background-{len(ran)}.log"
                    process = stack.enter_context(_background(command, work, env, log))
                    if command.startswith("gdcat demo-nodes"):
                        nodes = process
                        _wait_for(
                            lambda log=log, process=process: (
                                "node registry:" in log.read_text() or process.poll() is not None
                            ),
                            "the demo nodes serve",
                            60,
                        )
                        # make run's nodes serve already: demo-nodes says so and leaves them
                        ran.append(Ran(line, process.poll() or 0, log.read_text(), ""))
                        assert process.poll() in (None, 0), ran[-1]
                        assert "demo nodes are served already" in log.read_text(), ran[-1]
                    else:  # gdcat serve: the store is served already, by make run
                        code = process.wait(timeout=60)
                        ran.append(Ran(line, code, "", log.read_text()))
                        assert code == 0, ran[-1]
                        assert f"served already, by gdcat at {url}" in log.read_text()
                    continue
                started = time.monotonic()
                done = subprocess.run(
                    ["bash", "-c", command],
                    cwd=work,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                ran.append(Ran(line, done.returncode, done.stdout, done.stderr))
                print(f"{time.monotonic() - started:6.1f} s  {line}")
                expected = next(
                    (code for start, code in EXPECTED_EXIT.items() if line.startswith(start)), 0
                )
                assert done.returncode == expected, ran[-1]
                assert done.stdout.strip(), ran[-1]
            assert nodes is not None
        assert _answers(url), "the server stopped answering during the tour"
        _check_outputs(ran)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert not (work / "var/store/server.json").exists()
    assert not (work / "var/store/admin-token").exists()


def _output(ran: list[Ran], start: str, nth: int = 0) -> str:
    found = [r.out for r in ran if r.line.startswith(start)]
    assert len(found) > nth, f"no line starting {start!r} ran"
    return found[nth]


def _check_outputs(ran: list[Ran]) -> None:
    """What each command says is what the tour promises."""
    assert "with violations" in _output(ran, "gdcat validate model/examples/valid/")
    invalid = json.loads(_output(ran, "gdcat validate model/examples/invalid/"))
    assert invalid["conforms"] is False
    assert "healthdcat-ap-r8" in _output(ran, "gdcat profiles")
    assert re.search(r"stored 1\d record\(s\) in var/store", _output(ran, "gdcat load"))
    withdrawn = _output(ran, "gdcat withdraw")
    assert "withdrawn https://pt.gdcat.example/dataset/paediatric-neurodevelopment-exomes" in (
        withdrawn
    )
    assert _output(ran, "gdcat harvest", 0).startswith("harvest run ")
    again = _output(ran, "gdcat harvest", 1)
    assert "0 validated, 0 written" in again and "The catalogue holds" in again, again
    changes = json.loads(_output(ran, "gdcat changes"))
    withdrawn_changes = [
        c
        for c in changes
        if c["dataset"] == "https://pt.gdcat.example/dataset/paediatric-neurodevelopment-exomes"
    ]
    assert withdrawn_changes and withdrawn_changes[-1]["change"] == "deleted"
    search = json.loads(_output(ran, "curl 'http://127.0.0.1:8000/api/datasets?q=exome"))
    assert search["total"] >= 1
    assert "fdp:metadataCatalog" in _output(ran, "curl -H 'Accept: text/turtle'")
    assert "dcat:Dataset" in _output(ran, "curl 'http://127.0.0.1:8000/feed")
    assert "true" in _output(ran, "curl --data-urlencode 'query=ASK")
    counted = _output(ran, "gdcat query")
    assert "(1 row)" in counted and re.search(r"^\d+\s*$", counted, re.MULTILINE)
    inventory = json.loads(_output(ran, "gdcat inventory"))
    assert inventory["totals"]["datasets"] >= DATASETS // 2
