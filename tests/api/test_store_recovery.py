"""After a transient store failure (the disk full) gdcat recovers by itself, says so at
``/health``, and never shows a server path to a client.

The acceptance test fills a real disk: a small tmpfs mounted for the test (root only; it is
skipped with the reason elsewhere) holding the store, its snapshots and its search index, under
a real ``gdcat serve`` process with a memory cap. The in-process test injects the same write
failure into the store's database handle, for machines where no file system can be mounted.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from capped_gdcat import start_capped_gdcat, wait_until
from live_gdcat import start_gdcat
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from gdcat.errors import StoreError, os_reason, without_paths
from gdcat.publish import TokenFile
from gdcat.rdf import parse_file, split_records
from gdcat.search import open_index
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite
from gdcat.store import oxigraph as oxigraph_module

VALID = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
RECORD = split_records(parse_file(VALID / "nl-rare-disease-wgs.ttl"))[0]
IRI = RECORD.iri
TURTLE = "text/turtle"


def body(title: str) -> bytes:
    """The example record with ``title`` as its English title, as Turtle."""
    graph = RECORD.graph
    copy = type(graph)()
    for triple in graph:
        copy.add(triple)
    copy.remove((URIRef(IRI), DCTERMS.title, None))
    copy.add((URIRef(IRI), DCTERMS.title, Literal(title, lang="en")))
    return copy.serialize(format="turtle").encode()


@contextmanager
def mounted_tmpfs(folder: Path, size: str = "64m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``folder`` (skips the test where mounting is refused)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"no tmpfs can be mounted here (root needed): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last block; the filler's path."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 1 << 12):
            chunk = b"\0" * size
            try:
                while os.write(descriptor, chunk):
                    pass
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
    finally:
        os.close(descriptor)
    return filler


#: What a server path shown to a client would contain (besides the test's folder): the
#: store's folder or a file in it, the snapshots' folder, the index's, the temporary folder.
SERVER_PATHS = ("/store/", "/store:", "store-snapshots", "store-index", ".log", ".sst", "/tmp/")


def assert_no_server_path(response: httpx.Response, *paths: str) -> None:
    """Neither the body nor any header names a server path."""
    seen = response.text + json.dumps(dict(response.headers))
    for path in paths:
        assert path not in seen, f"{path!r} shown to the client: {seen[:600]}"


class Steward:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": TURTLE}

    def put(self, title: str) -> httpx.Response:
        return httpx.put(
            f"{self.url}/api/nodes/nl/datasets",
            params={"iri": IRI},
            content=body(title),
            headers=self.headers,
            timeout=60,
        )

    def titles(self) -> set[str]:
        """The record's titles as /sparql answers them."""
        query = f"SELECT ?t WHERE {{ <{IRI}> <{DCTERMS.title}> ?t }}"
        r = httpx.get(
            f"{self.url}/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return {b["t"]["value"] for b in r.json()["results"]["bindings"]}

    def found(self, words: str) -> list[str]:
        r = httpx.get(f"{self.url}/api/datasets", params={"q": words}, timeout=30)
        assert r.status_code == 200, r.text
        return [hit["title"] for hit in r.json()["hits"]]

    def health(self) -> httpx.Response:
        return httpx.get(f"{self.url}/health", timeout=30)


def writable(steward: Steward) -> bool:
    r = steward.health()
    return r.status_code == 200 and r.json()["store"]["writable"] is True


def test_gdcat_recovers_by_itself_once_the_full_disk_has_room(tmp_path: Path) -> None:
    with (
        mounted_tmpfs(tmp_path / "disk") as disk,
        start_capped_gdcat(disk, token_nodes=("nl",)) as gdcat,
    ):
        steward = Steward(gdcat.url, gdcat.tokens["nl"])
        assert steward.health().json()["status"] == "ok"
        assert steward.titles() == set()  # the workers' first snapshot
        assert steward.put("first version").status_code == 201
        filler = fill(disk)
        # The query needs a snapshot of the new write, which cannot be taken: the last one
        # answers (reads keep working); the failed checkpoint leaves RocksDB refusing writes.
        assert steward.titles() == set()
        refused = steward.put("second version")
        assert refused.status_code == 503, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert int(refused.headers["Retry-After"]) >= 1
        assert "disk is full" in refused.json()["detail"]
        down = steward.health()
        assert down.status_code == 503 and int(down.headers["Retry-After"]) >= 1
        state = down.json()
        assert state["status"] == "unavailable"
        assert state["store"]["readable"] is True and state["store"]["writable"] is False
        assert state["store"]["failure"] == "the server's disk is full"
        # the old version is still served, whole
        page = httpx.get(
            f"{gdcat.url}/api/datasets", params={"q": "first version"}, timeout=30
        ).json()
        assert [h["title"] for h in page["hits"]] == ["first version"]
        for answer in (refused, down):
            assert_no_server_path(answer, *SERVER_PATHS, str(tmp_path))
        gdcat.assert_healthy()

        filler.unlink()
        wait_until(lambda: writable(steward), 20, "/health to say the store is writable")
        assert steward.health().json()["store"]["reopened"] >= 1
        accepted = steward.put("third version")
        assert accepted.status_code == 200, accepted.text
        assert steward.titles() == {"third version"}
        assert steward.found("third version") == ["third version"]
        assert steward.health().json()["status"] == "ok"
        gdcat.assert_healthy()
        assert str(disk) not in "".join(
            json.dumps(e) for e in _audit(gdcat.url, gdcat.tokens["nl"])
        )


def _audit(url: str, token: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{url}/api/audit", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


class _FullDisk:
    """Stands in for the database handle of a store whose disk filled up: reads pass, every
    write, checkpoint and flush fails as RocksDB fails, and stays failing until the handle is
    replaced (RocksDB keeps its error); the disk check fails while ``full``."""

    def __init__(self, handle: ox.Store, folder: Path) -> None:
        self._handle = handle
        self._message = (
            f"IO error: No space left on device: While appending to file: {folder}/000011.log: "
            "No space left on device"
        )

    def __getattr__(self, name: str) -> Any:
        if name in {"update", "bulk_load", "backup", "flush", "load", "extend", "add"}:
            return _failing(self._message)  # (a frame of it holds no reference to the handle)
        return getattr(self._handle, name)


def _failing(message: str) -> Any:
    def write(*args: object, **kwargs: object) -> None:
        raise OSError(message)

    return write


def test_a_write_failure_injected_in_process_is_recovered_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = True
    real_check = oxigraph_module._check_disk

    def check_disk(folder: Path) -> None:
        if full:
            raise OSError(errno.ENOSPC, "No space left on device", str(folder / "probe"))
        real_check(folder)

    monkeypatch.setattr(oxigraph_module, "_check_disk", check_disk)
    with start_gdcat(tmp_path, datasets=None) as live:
        token = TokenFile(live.settings.tokens_file).create("nl")[1]
        steward = Steward(live.url, token)
        assert steward.put("first version").status_code == 201
        assert steward.titles() == {"first version"}
        live.store._store = _FullDisk(live.store._store, live.settings.store_dir)  # type: ignore[assignment]
        refused = steward.put("second version")
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
        down = steward.health()
        assert down.status_code == 503
        assert down.json()["store"]["failure"] == "the server's disk is full"
        assert steward.titles() == {"first version"}
        assert steward.found("first version") == ["first version"]
        for answer in (refused, down):
            assert_no_server_path(answer, *SERVER_PATHS, str(tmp_path))

        full = False
        wait_until(lambda: writable(steward), 10, "/health to say the store is writable")
        assert not isinstance(live.store._store, _FullDisk)  # re-opened
        assert steward.put("third version").status_code == 200
        assert steward.titles() == {"third version"}
        assert steward.found("third version") == ["third version"]


def test_the_search_index_catches_up_once_its_disk_has_room(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "disk", size="16m") as disk:
        settings = Settings(
            base_iri="http://gdcat.test/", store_dir=tmp_path / "store", index_dir=disk / "index"
        )
        with OxigraphStore(settings.store_dir, settings.base_iri) as store:
            index = open_index(settings, store)
            try:
                filler = fill(disk)
                meta = RecordMeta("file.ttl", RECORD.content_hash, "gdcat", "conforms")
                store.put_records([RecordWrite(IRI, RECORD.graph, meta)])  # the store's disk
                assert index.stale and index.size() == 0
                assert not index.catch_up()  # still full
                filler.unlink()
                assert index.catch_up()
                assert not index.stale and index.size() == 1
            finally:
                index.close()


def test_a_store_failure_reads_without_server_paths() -> None:
    error = StoreError(
        "the store failed while writing: IO error: No space left on device: While appending "
        "to file: /var/lib/gdcat/store/000011.log: No space left on device"
    )
    assert "/var/lib" not in error.public_message
    assert "/var/lib" in str(error)  # the log keeps it
    assert os_reason(OSError("IO error: No space left on device: While appending")) == (
        "the server's disk is full"
    )
    kept = "the record http://gdcat.test/record/ab12 of https://nl.example/d/1 (see /sparql)"
    assert without_paths("cannot read http://gdcat.test/record/ab12") == (
        "cannot read http://gdcat.test/record/ab12"
    )
    assert without_paths(kept).startswith("the record http://gdcat.test/record/ab12 of https")


def test_health_answers_get_and_head_and_is_in_the_openapi_document(tmp_path: Path) -> None:
    with start_gdcat(tmp_path, datasets=None) as live:
        r = httpx.get(f"{live.url}/health")
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
        state = r.json()
        assert state["status"] == "ok"
        assert state["store"] | {"last_write": None} == {
            "readable": True,
            "writable": True,
            "mode": "read-write",
            "failure": None,
            "failing_since": None,
            "retry_in": None,
            "last_write": None,
            "last_write_ok": None,
            "reopened": 0,
            "generation": 0,
        }
        assert state["index"]["enabled"] and state["index"]["documents"] == 0
        assert state["sparql"]["kind"] == "processes"
        head = httpx.head(f"{live.url}/health")
        assert head.status_code == 200 and head.content == b""
        operation = httpx.get(f"{live.url}/openapi.json").json()["paths"]["/health"]["get"]
        for status in ("200", "503"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Health"}
