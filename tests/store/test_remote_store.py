"""What only a remote store does: the engine's transactions, a generation every process sees,
detection of the engine, deadlines, credentials, and failures mapped to the store's errors.

The engines are a real Oxigraph server (``oxigraph_url``) and a real Virtuoso
(``virtuoso_url``); the faults a real engine cannot be made to produce on demand (an engine that
never answers, one that asks for credentials) are small real HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from local_http import loopback_server, serving
from oxigraph_server import clear, oxigraph_server
from pydantic import SecretStr
from rdflib import Literal, URIRef
from rdflib import namespace as rdfns

from gdcat.errors import StoreError
from gdcat.settings import Settings
from gdcat.store import RecordWriteError, RemoteStore, open_store
from gdcat.store import remote as remote_module
from gdcat.store.remote import StoreTimeoutError

from .store_builders import BASE, DatasetSpec, write

D1 = "https://node.example.org/dataset/1"


#: The engines, by test parameter, and the flavour each is detected as.
ENGINES = {"oxigraph-server": "oxigraph", "virtuoso": "virtuoso"}


@pytest.fixture(params=list(ENGINES))
def engine(request: pytest.FixtureRequest) -> Settings:
    """The settings of a cleared store on each engine."""
    if request.param == "virtuoso":
        from virtuoso_server import virtuoso_settings

        return virtuoso_settings(request, base_iri=BASE)
    url: str = request.getfixturevalue("oxigraph_url")
    clear(url)
    return Settings(store_url=url, base_iri=BASE)


@pytest.fixture
def remote(engine: Settings) -> Iterator[RemoteStore]:
    store = open_store(engine)
    assert isinstance(store, RemoteStore)
    yield store
    store.close()


def test_one_update_request_is_one_transaction_on_oxigraph_server(oxigraph_url: str) -> None:
    """What the record writer relies on: an update whose last operation fails leaves nothing of
    its first ones (here a LOAD that cannot fetch, after an INSERT DATA)."""
    clear(oxigraph_url)
    update = (
        "INSERT DATA { GRAPH <http://x.test/g> { <http://x.test/s> <http://x.test/p> 1 } } ;\n"
        "LOAD <http://127.0.0.1:1/nothing> INTO GRAPH <http://x.test/other>"
    )
    answer = httpx.post(
        oxigraph_url + "update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    assert answer.status_code >= 400
    asked = httpx.post(
        oxigraph_url + "query",
        content=b"ASK { GRAPH ?g { ?s ?p ?o } }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
    )
    assert asked.json()["boolean"] is False


def test_every_store_object_sees_the_same_generation(remote: RemoteStore, engine: Settings) -> None:
    """The generation lives in the store: a write through one object (one process) is seen
    by another at once, and the other's listeners hear nothing (they hear their own writes)."""
    other = open_store(engine)
    heard: list[object] = []
    other.add_listener(heard.append)
    try:
        before = other.generation
        remote.put_records([write(DatasetSpec(D1))])
        assert other.generation == before + 1 == remote.generation
        assert other.list_records() == [D1]
        assert remote.withdraw(D1)
        assert other.generation == before + 2
        assert heard == []
    finally:
        other.close()


def test_the_engine_is_detected(remote: RemoteStore, request: pytest.FixtureRequest) -> None:
    assert remote.flavour.name == ENGINES[request.node.callspec.params["engine"]]
    health = remote.health()
    assert (health.mode, health.readable, health.writable) == ("remote", True, True)


def test_a_relative_iri_is_refused_not_resolved_against_the_engine(remote: RemoteStore) -> None:
    bad = DatasetSpec(D1, extra=[(URIRef(D1), rdfns.DCAT.landingPage, URIRef("rel"))])
    with pytest.raises(RecordWriteError, match="not an absolute IRI"):
        remote.put_records([write(bad)])
    assert remote.count_triples() == 0


def test_an_engine_that_is_not_running_is_a_store_error_to_retry() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(StoreError, match="cannot be reached") as caught:
        RemoteStore(url, BASE)
    assert caught.value.retry_after is not None
    assert "cannot be reached" in caught.value.public_message


def test_a_store_that_stops_mid_life_says_so_in_health_and_writes(tmp_path: Path) -> None:
    """The server going away after the store opened: writes fail as StoreError (HTTP 503
    with Retry-After), health says it is neither readable nor writable, and why."""
    with oxigraph_server(tmp_path / "data") as url:
        store = RemoteStore(url, BASE, timeout=5)
        store.put_records([write(DatasetSpec(D1))])
    # the server is stopped now
    with pytest.raises(StoreError) as caught:
        store.put_records([write(DatasetSpec(D1), "h2")])
    assert caught.value.retry_after is not None
    health = store.health()
    assert (health.readable, health.writable) == (False, False)
    assert health.failure is not None and "cannot be reached" in health.failure
    assert health.last_write_ok is False
    store.close()


class _Silent(http.server.BaseHTTPRequestHandler):
    """Answers nothing for 30 s (an engine stuck on a query)."""

    def do_GET(self) -> None:
        self._hang()

    def do_POST(self) -> None:
        self._hang()

    def _hang(self) -> None:
        time.sleep(30)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_every_request_has_a_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    server = loopback_server(_Silent)
    server.daemon_threads = True
    with serving(server) as url:
        store = RemoteStore(url, BASE, kind="oxigraph", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StoreTimeoutError, match=r"did not answer within 0.5 s"):
            store.catalog_record(D1)
        with pytest.raises(StoreTimeoutError, match="may or may not have been applied"):
            store.put_records([write(DatasetSpec(D1))])
        # reading every record's hash (the search index's check at start) has a deadline of
        # its own, longer than one request's (30 minutes; shortened here)
        monkeypatch.setattr(remote_module, "BULK_READ_TIMEOUT", 1.5)
        with pytest.raises(StoreTimeoutError, match=r"did not answer within 1.5 s"):
            store.record_hashes()
        assert time.monotonic() - started < 8
        store.close()


def test_credentials_are_sent_and_a_refusal_names_the_settings() -> None:
    seen: list[str | None] = []

    class Guarded(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(loopback_server(Guarded)) as url:
        settings = Settings(
            store_url=url,
            store_kind="oxigraph",
            store_user="gdcat",
            store_password="s3cret",  # type: ignore[arg-type]
            base_iri=BASE,
        )
        store = open_store(settings)
        with pytest.raises(StoreError, match="GDCAT_STORE_USER") as caught:
            store.get_graph("http://x.test/g")
        assert "s3cret" not in str(caught.value)
        store.close()
    assert seen and seen[0] == "Basic Z2RjYXQ6czNjcmV0"


def test_an_engine_gdcat_does_not_support_yet_is_refused_by_name() -> None:
    class Plain(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    unsupported = "generic engine, which gdcat does not support yet"
    with serving(loopback_server(Plain)) as url, pytest.raises(StoreError, match=unsupported):
        RemoteStore(url, BASE)


def test_a_capped_answer_is_read_no_further_than_one_row_past_the_cap(
    remote: RemoteStore,
) -> None:
    triples = " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(500))
    remote.update(f"INSERT DATA {{ GRAPH <urn:g> {{ {triples} }} }}")
    solutions = remote.answer("SELECT * WHERE { ?s <urn:p> ?o }", max_rows=3)
    assert len(list(solutions)) == 4  # type: ignore[arg-type]
    graph = remote.answer("CONSTRUCT WHERE { ?s <urn:p> ?o }", max_rows=3)
    assert isinstance(graph, list) and len(graph) == 4
    capped = remote.query("SELECT * WHERE { ?s <urn:p> ?o }", max_rows=3)
    assert len(capped) == 3 and capped.truncated


def test_virtuoso_refusing_gdcats_login_is_a_store_error_naming_the_settings(
    request: pytest.FixtureRequest,
) -> None:
    from virtuoso_server import virtuoso_settings

    settings = virtuoso_settings(request, base_iri=BASE)
    wrong = settings.model_copy(update={"store_password": SecretStr("not-the-password")})
    store = open_store(wrong)  # reading needs no login
    try:
        with pytest.raises(StoreError, match="GDCAT_STORE_USER") as caught:
            store.put_records([write(DatasetSpec(D1))])
        assert "not-the-password" not in str(caught.value)
        assert store.list_records() == []
    finally:
        store.close()


def test_a_duration_virtuoso_would_cut_is_refused_with_its_record_only(
    request: pytest.FixtureRequest,
) -> None:
    from virtuoso_server import virtuoso_settings

    store = open_store(virtuoso_settings(request, base_iri=BASE))
    mixed = Literal("P1Y2D", datatype=rdfns.XSD.duration)
    bad = DatasetSpec(D1, extra=[(URIRef(D1), rdfns.DCAT.temporalResolution, mixed)])
    good = DatasetSpec("https://node.example.org/dataset/2")
    try:
        with pytest.raises(RecordWriteError) as caught:
            store.put_records([write(bad), write(good)])
        assert list(caught.value.failures) == [D1]
        assert "P1Y2D" in caught.value.failures[D1] and "months" in caught.value.failures[D1]
        assert store.list_records() == [good.iri]
    finally:
        store.close()
