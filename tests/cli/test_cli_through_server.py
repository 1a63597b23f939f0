"""While a ``gdcat serve`` process holds a store, the command line goes through it: the same
commands on two copies of one store, one opened by the command itself and one held by a real
server, print the same and exit the same; a server out of reach or a missing or wrong admin
token is unusable input (exit 2) with a message that says what to do."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from gdcat.cli import main

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "model" / "examples" / "valid"
INVALID = ROOT / "model" / "examples" / "invalid"
PT = "https://pt.gdcat.example/dataset/paediatric-neurodevelopment-exomes"
BASE = "http://127.0.0.1:8000/"


@dataclass
class Served:
    url: str
    store: Path
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(store: Path, log: Path, **variables: str) -> Served:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDCAT_")}
    env.update(GDCAT_BASE_IRI=BASE, GDCAT_VALIDATION_WORKERS="1", **variables)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gdcat.cli",
                "serve",
                "--store",
                str(store),
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return Served(url, store, process)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"gdcat serve did not answer: {log.read_text()}")


def _stop(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=30)


def _cli(*args: str, token: str | None = None) -> Result:
    env = {"GDCAT_BASE_IRI": BASE, "GDCAT_VALIDATION_WORKERS": "1", "GDCAT_ADMIN_TOKEN": token}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def two_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Served]]:
    """One store twice: ``here`` for the command itself, ``held`` served by gdcat."""
    tmp = tmp_path_factory.mktemp("through-server")
    here, held = tmp / "here", tmp / "held"
    loaded = _cli("load", str(VALID / "nl-rare-disease-wgs.ttl"), "--store", str(here))
    assert loaded.exit_code == 0, loaded.output
    shutil.copytree(here, held)
    served = _serve(held, tmp / "serve.log")
    try:
        yield here, served
    finally:
        _stop(served)


def _same(here: Path, served: Served, *args: str) -> Result:
    """The command on both stores: the same output (but for the store's name), the same code."""
    mine = _cli(*args, "--store", str(here))
    theirs = _cli(*args, "--store", str(served.store))
    assert theirs.exit_code == mine.exit_code, (mine.output, theirs.output)
    assert _comparable(theirs.output, served.store) == _comparable(mine.output, here)
    return theirs


def _comparable(output: str, store: Path) -> str:
    """The output without the store's name, blank-node labels (new at every parse) and the
    moments of the writes (each store was written at its own time)."""
    output = re.sub(r"_:N[0-9a-f]{32}", "_:b", output.replace(str(store), "STORE"))
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)?", "T", output)


def test_the_server_announces_itself_with_a_private_token(
    two_stores: tuple[Path, Served],
) -> None:
    _here, served = two_stores
    announcement = json.loads((served.store / "server.json").read_text())
    assert announcement["url"] == served.url
    assert announcement["pid"] == served.process.pid
    assert "token" not in json.dumps(announcement)
    token = served.store / "admin-token"
    assert token.stat().st_mode & 0o777 == 0o600
    answer = httpx.post(
        f"{served.url}/api/index/rebuild",
        headers={"Authorization": f"Bearer {token.read_text().strip()}"},
    )
    assert answer.status_code == 200


def test_writes_and_reads_through_the_server_print_and_exit_as_on_the_store_itself(
    two_stores: tuple[Path, Served],
) -> None:
    here, served = two_stores
    stored = _same(here, served, "load", str(VALID))
    assert "stored 12 record(s) in" in stored.output
    assert _same(here, served, "load", str(INVALID), "--format", "json").exit_code == 2
    withdrawn = _same(here, served, "withdraw", PT, "https://nowhere.example/dataset/x")
    assert withdrawn.exit_code == 1
    assert f"withdrawn {PT}" in withdrawn.output
    assert "no live record of https://nowhere.example/dataset/x" in withdrawn.output
    for output_format in ("table", "json", "csv"):
        assert _same(here, served, "inventory", "--format", output_format).exit_code == 0
    for output_format in ("text", "json", "turtle"):
        listed = _same(here, served, "changes", "--format", output_format)
        assert PT in listed.output
    select = (
        "SELECT ?d ?n ?g WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; "
        "<http://purl.org/dc/terms/title> ?n . OPTIONAL { ?d "
        "<https://w3id.org/gdcat/ns#numberOfGenomes> ?g } } ORDER BY ?d ?n"
    )
    for output_format in ("table", "json", "csv"):
        rows = _same(here, served, "query", select, "--format", output_format)
        assert "nl.gdcat.example" in rows.output
    construct = "CONSTRUCT WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
    assert "dcat:Dataset" in _same(here, served, "query", construct, "--format", "turtle").output
    assert _same(here, served, "query", "ASK { ?s ?p ?o }").output.strip() == "true"
    wrong = _same(here, served, "query", "SELECT WHERE {")
    assert wrong.exit_code == 2
    assert "server.json" not in wrong.output


def test_a_second_server_on_a_served_store_says_where_it_is_served(
    two_stores: tuple[Path, Served],
) -> None:
    _here, served = two_stores
    second = _cli("serve", "--store", str(served.store), "--port", str(_free_port()))
    assert second.exit_code == 0
    assert f"served already, by gdcat at {served.url}" in second.output


def test_a_server_out_of_reach_is_unusable_input_that_says_what_to_do(
    two_stores: tuple[Path, Served],
) -> None:
    _here, served = two_stores
    announcement = served.store / "server.json"
    saved = announcement.read_text()
    document = json.loads(saved)
    document["url"] = f"http://127.0.0.1:{_free_port()}"
    announcement.write_text(json.dumps(document))
    try:
        result = _cli("inventory", "--store", str(served.store))
    finally:
        announcement.write_text(saved)
    assert result.exit_code == 2
    assert "does not answer" in result.output
    assert "stop it and run the command again" in result.output


def test_a_missing_or_wrong_admin_token_is_unusable_input(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert (
        _cli("load", str(VALID / "nl-rare-disease-wgs.ttl"), "--store", str(store)).exit_code == 0
    )
    served = _serve(store, tmp_path / "serve.log", GDCAT_ADMIN_TOKEN="the-operators-secret")
    try:
        assert not (store / "admin-token").exists()  # the operator's token is not written
        missing = _cli("withdraw", PT, "--store", str(store))
        assert missing.exit_code == 2
        assert "set GDCAT_ADMIN_TOKEN" in missing.output
        wrong = _cli("withdraw", PT, "--store", str(store), token="not-it")
        assert wrong.exit_code == 2
        assert "refused the admin token" in wrong.output
        right = _cli(
            "load",
            str(VALID / "pt-paediatric-exomes.ttl"),
            "--store",
            str(store),
            token="the-operators-secret",
        )
        assert right.exit_code == 0, right.output
        # reads need no token
        assert _cli("inventory", "--store", str(store)).exit_code == 0
    finally:
        _stop(served)
    assert not (store / "server.json").exists()
    after = _cli("inventory", "--store", str(store), "--format", "json")  # opened here again
    assert after.exit_code == 0
    assert json.loads(after.output)["totals"]["datasets"] == 2


def _figures(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def test_the_inventory_names_datasets_series_and_services_as_the_pages_count_them(
    two_stores: tuple[Path, Served],
) -> None:
    _here, served = two_stores
    # the Belgian series of the examples, whichever tests ran before on this worker
    series = VALID / "be-rare-disease-wes-series.ttl"
    assert _cli("load", str(series), "--store", str(served.store)).exit_code == 0
    result = _cli("inventory", "--store", str(served.store), "--format", "json")
    document = json.loads(result.output)
    kinds = document["catalogue"]
    assert document["totals"]["datasets"] == kinds["datasets"]
    assert kinds["series"] >= 1
    numbers = [kinds["datasets"], kinds["series"], kinds["services"]]
    table = _cli("inventory", "--store", str(served.store)).output.strip().splitlines()[-1]
    assert _figures(table) == numbers
    html = {"Accept": "text/html"}
    home = httpx.get(f"{served.url}/", headers=html, timeout=30).text
    line = re.search(r'id="home-counts">(.*?)</p>', home, re.S)
    assert line and _figures(line.group(1)) == numbers
    page = httpx.get(f"{served.url}/inventory", headers=html, timeout=30).text
    shown = [
        _figures(re.search(rf'id="count-{kind}">([^<]*)<', page).group(1))[0]  # type: ignore[union-attr]
        for kind in ("datasets", "series", "services")
    ]
    assert shown == numbers


def test_a_command_with_no_route_says_which_server_holds_the_store(
    two_stores: tuple[Path, Served],
) -> None:
    _here, served = two_stores
    result = _cli("register", "https://fdp.example.org/", "--store", str(served.store))
    assert result.exit_code == 2
    assert f"held by the gdcat server at {served.url}" in result.output
    assert "LOCK" not in result.output
