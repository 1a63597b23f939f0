"""A harvest survives hostile and broken nodes: every fault is a clear error in the run report,
within the configured time, and the other nodes of the run are harvested completely.

Every node here is a real HTTP server on 127.0.0.1: a demo ``dcat`` node that is healthy, and
one small server of ours whose paths each misbehave in one way (malformed Turtle, bodies over
the limit, plain, chunked or gzip-packed, a remote JSON-LD ``@context``, an XML external entity
or DTD, redirect loops, answers that never come or never end, a closed port, 5xx answers that
go away on retry).
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import NodeContent, serve_federation
from gdcat.harvest.pipeline import Harvester
from gdcat.harvest.registry import NodeConfig, parse_registry
from gdcat.harvest.report import NodeReport, RunReport
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"
#: seconds one request of a fault node may take (the configured ``timeout``)
TIMEOUT = 1.0
#: the body limit of the fault nodes (the configured ``max_bytes``)
MAX_BYTES = 10_000
#: how long a hanging handler holds its connection when nobody releases it (>> TIMEOUT)
HANG = 20.0

MALFORMED_TURTLE = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .

<http://example.org/broken/1> a dcat:Dataset ;
    dct:title "A record"@en ;
    dct:identifier "broken-1" ;
    dct:description = "not Turtle" .
"""
#: where the malformed Turtle above stops being Turtle
MALFORMED_LINE = 7


# -- servers -----------------------------------------------------------------------------

Route = Callable[["_Handler"], None]


@dataclass
class FaultServer:
    """A real HTTP server whose paths each misbehave; remembers every request path."""

    url: str
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def hits(self, path: str) -> int:
        return sum(1 for p in self.requests if p == path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route], state: FaultServer) -> None:
        self.routes = routes
        self.state = state
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up on a body over the limit are expected here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.state.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.answer(404, b"not found", "text/plain")
            return
        route(self)

    def answer(
        self, status: int, body: bytes, media_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def serve() -> Iterator[Callable[[dict[str, Route]], FaultServer]]:
    """``serve(routes)``: start a fault server (shut down, hanging handlers released, at the
    end of the module)."""
    started: list[tuple[_Server, FaultServer]] = []

    def start(routes: dict[str, Route]) -> FaultServer:
        state = FaultServer("")
        server = _Server(routes, state)
        state.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        started.append((server, state))
        return state

    yield start
    for server, state in started:
        state.release.set()
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nobody listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def turtle(body: bytes) -> Route:
    return lambda h: h.answer(200, body, "text/turtle")


def redirect(target: str) -> Route:
    return lambda h: h.answer(302, b"", "text/plain", {"Location": target})


def oversized(h: _Handler) -> None:
    """200 kB of Turtle, announced by Content-Length."""
    body = b"# padding\n" * 20_000
    h.answer(200, body, "text/turtle")


def oversized_chunked(h: _Handler) -> None:
    """200 kB of Turtle in chunks, without Content-Length (the size is only known by reading)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/turtle")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    chunk = b"# padding\n" * 400
    for _ in range(50):
        h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        h.wfile.flush()
    h.wfile.write(b"0\r\n\r\n")


def gzipped(body: bytes, *, always: bool = False) -> Route:
    """``body`` compressed with gzip, as most web servers send it when the client accepts it."""
    packed = gzip.compress(body)

    def route(h: _Handler) -> None:
        if always or "gzip" in h.headers.get("Accept-Encoding", ""):
            h.answer(200, packed, "text/turtle", {"Content-Encoding": "gzip"})
        else:
            h.answer(200, body, "text/turtle")

    return route


def bad_gzip(h: _Handler) -> None:
    h.answer(200, b"this is not gzip" * 10, "text/turtle", {"Content-Encoding": "gzip"})


def never_answers(h: _Handler) -> None:
    """Accepts the request and says nothing (until the end of the tests)."""
    h.server.state.release.wait(HANG)
    h.close_connection = True


def trickles(h: _Handler) -> None:
    """Answers at once, then sends the body one byte every 0.2 s: it would take 10 minutes."""
    h.send_response(200)
    h.send_header("Content-Type", "text/turtle")
    h.send_header("Content-Length", "3000")
    h.end_headers()
    for _ in range(3000):
        if h.server.state.release.wait(0.2):
            break
        h.wfile.write(b"#")
        h.wfile.flush()
    h.close_connection = True


# -- the run with every fault ------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    node: str
    path: str
    kind: str
    #: what the message must say (each, case-insensitively)
    says: tuple[str, ...]


#: one node per fault; all are ``dcat`` nodes of the fault server
FAULTS = [
    Fault("malformed", "/malformed.ttl", "parse", ("malformed turtle", f"line {MALFORMED_LINE}")),
    Fault("too-large", "/large.ttl", "too-large", ("200,000 bytes", f"limit of {MAX_BYTES:,}")),
    Fault("too-large-chunked", "/large-chunked.ttl", "too-large", (f"limit of {MAX_BYTES:,}",)),
    Fault("remote-context", "/remote-context.jsonld", "parse", ("remote @context", "/context")),
    # 2 MB that gzip packs into 2 kB: the limit applies to what the body unpacks to
    Fault("gzip-bomb", "/bomb.ttl", "too-large", (f"limit of {MAX_BYTES:,}",)),
    Fault("bad-gzip", "/bad-gzip.ttl", "protocol", ("cannot decode", "content-encoding gzip")),
    Fault("xml-entity", "/entity.rdf", "parse", ("external entity", "'secret'")),
    # an external DTD is not fetched either (its entity stays undefined)
    Fault("xml-dtd", "/dtd.rdf", "parse", ("malformed rdf/xml", "secret")),
    Fault("redirect-loop", "/loop/a", "redirects", ("redirect loop", "/loop/a -> ")),
    Fault("redirect-chain", "/chain/1", "redirects", ("more than 3 redirects",)),
    Fault("never-answers", "/never", "timeout", (f"within {TIMEOUT:g} s",)),
    Fault("trickles", "/trickle", "timeout", (f"within {TIMEOUT:g} s",)),
    Fault("refused", "", "network", ("cannot connect",)),
]


@dataclass
class FaultRun:
    report: RunReport
    seconds: float
    store: OxigraphStore
    healthy_records: list[str]
    faults: FaultServer
    outside: FaultServer

    def node(self, node_id: str) -> NodeReport:
        (found,) = [n for n in self.report.nodes if n.node == node_id]
        return found


@pytest.fixture(scope="module")
def federation() -> Federation:
    return generate_federation(datasets=100, invalid=0)


@pytest.fixture(scope="module")
def fault_run(
    federation: Federation, serve: Callable[[dict[str, Route]], FaultServer]
) -> Iterator[FaultRun]:
    # a server outside the nodes, which a parser must never ask for anything
    outside = serve(
        {
            "/secret": turtle(b"# secret"),
            "/context.jsonld": turtle(b"{}"),
            "/secret.dtd": turtle(b'<!ENTITY secret "leaked">'),
        }
    )
    remote_context = (
        b'{"@context": "' + outside.url.encode() + b'/context.jsonld",\n'
        b' "@id": "http://example.org/jsonld/1", "@type": "Dataset", "title": "x"}'
    )
    entity = (
        b'<?xml version="1.0"?>\n'
        b"<!DOCTYPE rdf:RDF [\n"
        b'  <!ENTITY secret SYSTEM "' + outside.url.encode() + b'/secret">\n'
        b"]>\n"
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        b'         xmlns:dct="http://purl.org/dc/terms/">\n'
        b'  <rdf:Description rdf:about="http://example.org/xml/1">\n'
        b"    <dct:title>&secret;</dct:title>\n"
        b"  </rdf:Description>\n"
        b"</rdf:RDF>\n"
    )
    dtd = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE rdf:RDF SYSTEM "'
        + outside.url.encode()
        + b'/secret.dtd">\n'
        + entity[entity.index(b"<rdf:RDF") :]
    )
    routes: dict[str, Route] = {
        "/malformed.ttl": turtle(MALFORMED_TURTLE),
        "/large.ttl": oversized,
        "/large-chunked.ttl": oversized_chunked,
        "/remote-context.jsonld": lambda h: h.answer(200, remote_context, "application/ld+json"),
        "/bomb.ttl": gzipped(b"#\n" * 1_000_000, always=True),
        "/bad-gzip.ttl": bad_gzip,
        "/entity.rdf": lambda h: h.answer(200, entity, "application/rdf+xml"),
        "/dtd.rdf": lambda h: h.answer(200, dtd, "application/rdf+xml"),
        "/loop/a": redirect("/loop/b"),
        "/loop/b": redirect("/loop/a"),
        "/never": never_answers,
        "/trickle": trickles,
    }
    for n in range(1, 10):
        routes[f"/chain/{n}"] = redirect(f"/chain/{n + 1}")
    faults = serve(routes)
    refused = f"http://127.0.0.1:{closed_port()}/catalog.ttl"
    with serve_federation(federation, kinds={"hu": "dcat"}) as healthy:
        hu = healthy.node("hu")
        nodes = [
            NodeConfig(
                id="hu", kind="dcat", url=hu.url, country=hu.country, timeout=5.0, private=True
            )
        ]
        for fault in FAULTS:
            nodes.append(
                NodeConfig(
                    id=fault.node,
                    kind="dcat",
                    url=faults.url + fault.path if fault.path else refused,
                    country="NLD",
                    timeout=TIMEOUT,
                    retries=0,
                    max_bytes=MAX_BYTES,
                    max_redirects=3,
                    private=True,
                )
            )
        store = OxigraphStore(None, BASE)
        begun = time.monotonic()
        with Harvester(store, Settings(validation_workers=1)) as harvester:
            report = harvester.run(nodes)
        seconds = time.monotonic() - begun
        yield FaultRun(report, seconds, store, sorted(hu.content.records), faults, outside)
        store.close()


@pytest.mark.parametrize("fault", FAULTS, ids=[f.node for f in FAULTS])
def test_each_fault_is_a_specific_error_in_the_report(fault_run: FaultRun, fault: Fault) -> None:
    node = fault_run.node(fault.node)
    assert len(node.failures) == 1, node.failures
    failure = node.failures[0]
    assert failure.kind == fault.kind, failure
    for words in fault.says:
        assert words.lower() in failure.message.lower(), failure.message
    if fault.path:
        assert failure.url == fault_run.faults.url + fault.path
    # the text report an operator reads names the page and what went wrong
    assert f"failed: {failure.url}: {failure.message}" in fault_run.report.to_text()
    assert node.added == node.updated == node.withdrawn == []
    assert node.validations == node.writes == 0


@pytest.mark.parametrize("fault", FAULTS, ids=[f.node for f in FAULTS])
def test_each_faulty_node_is_not_reported_complete(fault_run: FaultRun, fault: Fault) -> None:
    node = fault_run.node(fault.node)
    assert node.status in ("failed", "partial")
    assert node.reasons, "the report must say why the node is not complete"
    assert fault_run.report.status == "partial"


def test_nothing_is_stored_from_a_faulty_node(fault_run: FaultRun) -> None:
    for fault in FAULTS:
        assert fault_run.store.record_sources(fault.node) == {}, fault.node
    assert fault_run.store.list_records() == fault_run.healthy_records


def test_the_healthy_node_is_harvested_completely(fault_run: FaultRun) -> None:
    hu = fault_run.node("hu")
    assert hu.status == "complete", hu.reasons
    assert hu.failures == [] and hu.rejected == []
    assert hu.added == fault_run.healthy_records
    assert len(hu.added) == 3
    for iri in hu.added:
        record = fault_run.store.catalog_record(iri)
        assert record is not None and record.meta.node == "hu" and not record.withdrawn
        assert fault_run.store.get_record(iri) is not None


def test_parsers_fetch_nothing_a_document_names(fault_run: FaultRun) -> None:
    assert fault_run.faults.hits("/remote-context.jsonld") == 1
    assert fault_run.faults.hits("/entity.rdf") == 1
    assert fault_run.faults.hits("/dtd.rdf") == 1
    assert fault_run.outside.requests == []


def test_the_run_ends_within_the_configured_time(fault_run: FaultRun) -> None:
    # every fault node fails within about its timeout (1 s; the nodes are crawled in
    # parallel); the rest is the healthy node's validation. A hanging node would take 20 s:
    # the bounds tell the two apart with room for a loaded machine (a node's time includes
    # waiting while the healthy node is validated).
    assert fault_run.seconds < 15, fault_run.seconds
    for node_id in ("never-answers", "trickles"):
        assert fault_run.node(node_id).seconds < TIMEOUT * 10, node_id
    # one request each: nothing is retried under retries = 0
    assert fault_run.faults.hits("/never") == 1
    assert fault_run.faults.hits("/trickle") == 1
    assert fault_run.faults.hits("/loop/a") == fault_run.faults.hits("/loop/b") == 1
    assert fault_run.faults.hits("/chain/1") == 1
    assert fault_run.faults.hits("/chain/5") == 0


# -- retries -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue(federation: Federation) -> tuple[bytes, list[str]]:
    """A valid DCAT-AP document (demo node ``hu``) and the records it holds."""
    content = NodeContent.from_node(federation.node("hu"))
    body = content.graph().serialize(format="turtle").encode("utf-8")
    return body, sorted(content.records)


def flaky(body: bytes, failures: int, status: int = 503) -> Route:
    """Answers ``status`` the first ``failures`` times, then ``body``."""
    count = [0]

    def route(h: _Handler) -> None:
        count[0] += 1
        if count[0] <= failures:
            h.answer(status, b"try again later", "text/plain")
        else:
            h.answer(200, body, "text/turtle")

    return route


def harvest_one(url: str, *, retries: int) -> tuple[NodeReport, OxigraphStore, float]:
    (node,) = parse_registry(
        f"""
        [[node]]
        id = "flaky"
        kind = "dcat"
        url = "{url}"
        private = true
        country = "NLD"
        timeout = {TIMEOUT}
        retries = {retries}
        backoff = 0.05
        """
    )
    store = OxigraphStore(None, BASE)
    begun = time.monotonic()
    with Harvester(store, Settings(validation_workers=1)) as harvester:
        (report,) = harvester.run([node]).nodes
    return report, store, time.monotonic() - begun


def test_transient_errors_are_retried_until_the_node_answers(
    serve: Callable[[dict[str, Route]], FaultServer], catalogue: tuple[bytes, list[str]]
) -> None:
    body, records = catalogue
    server = serve({"/catalog.ttl": flaky(body, failures=2)})
    report, store, _ = harvest_one(server.url + "/catalog.ttl", retries=2)
    assert server.hits("/catalog.ttl") == 3
    assert report.requests == 3
    assert report.status == "complete", report.reasons
    assert report.failures == []
    assert report.added == records
    assert store.list_records() == records


def test_a_node_that_compresses_its_answers_is_harvested(
    serve: Callable[[dict[str, Route]], FaultServer], catalogue: tuple[bytes, list[str]]
) -> None:
    body, records = catalogue
    server = serve({"/catalog.ttl": gzipped(body)})
    report, store, _ = harvest_one(server.url + "/catalog.ttl", retries=0)
    assert report.failures == [], report.failures
    assert report.status == "complete", report.reasons
    assert report.added == records
    assert store.list_records() == records


def test_retries_end_with_an_error_naming_the_attempts(
    serve: Callable[[dict[str, Route]], FaultServer], catalogue: tuple[bytes, list[str]]
) -> None:
    body, _ = catalogue
    server = serve({"/catalog.ttl": flaky(body, failures=100)})
    report, store, seconds = harvest_one(server.url + "/catalog.ttl", retries=2)
    assert server.hits("/catalog.ttl") == 3
    (failure,) = report.failures
    assert failure.kind == "status"
    assert "HTTP 503" in failure.message and "after 3 attempts" in failure.message
    assert "try again later" in failure.message  # what the server said, for its operator
    assert store.list_records() == []
    assert seconds < 10


def test_a_missing_document_is_not_retried(
    serve: Callable[[dict[str, Route]], FaultServer], catalogue: tuple[bytes, list[str]]
) -> None:
    body, _ = catalogue
    server = serve({"/catalog.ttl": turtle(body)})
    report, store, _ = harvest_one(server.url + "/gone.ttl", retries=2)
    assert server.hits("/gone.ttl") == 1
    assert report.requests == 1
    (failure,) = report.failures
    assert failure.kind == "status"
    assert "HTTP 404" in failure.message and "attempts" not in failure.message
    assert store.list_records() == []
