"""The harvester cannot be turned against the network it runs in: every connection resolves its
host once, every address must be public unless the registry marks the node private, and the
socket goes to an address that was checked; redirects and later look-ups are checked again.

What is real here: the loopback servers, the connections (or their absence: each server counts
the connections it accepted), the system resolver for ``localhost`` and for addresses written
as hosts, TLS with a certificate checked against the name. What is injected: a name service
that answers a *public* address for a name (or answers differently the second time, as a DNS
rebinding attacker's does). No real resolver can be made to do that on demand, so the tests
hand the harvester a :class:`~gdcat.sources.network.Network` whose ``resolve`` answers from a
table and whose ``connect`` carries the connection for that public address to a loopback port
(a stand-in for the route to a public host, which these tests must never take).
"""

from __future__ import annotations

import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gdcat.harvest.pipeline import Harvester
from gdcat.harvest.registration import register, registered_nodes
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import NodeReport
from gdcat.settings import Settings
from gdcat.sources.http import FetchError, HttpClient, HttpPolicy
from gdcat.sources.network import SystemNetwork, non_public
from gdcat.store import OxigraphStore

BASE = "http://gdcat.test/"
#: example.com's address: public, and never connected to here (the test network re-routes it)
PUBLIC = "93.184.215.14"
SYSTEM = SystemNetwork()
DOCUMENT = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
<http://example.org/catalog> a dcat:Catalog .
"""


# -- real servers that count what reaches them -------------------------------------------------


@dataclass
class Seen:
    """What reached a loopback server: connections accepted, requests (path, Host header)."""

    connections: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)


class _CountingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, redirect_to: str | None, tls: ssl.SSLContext | None = None) -> None:
        self.seen = Seen()
        self.redirect_to = redirect_to
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request: object, client_address: object) -> bool:
        self.seen.connections += 1
        return True

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, address


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _CountingServer

    def do_GET(self) -> None:
        self.server.seen.requests.append((self.path, self.headers.get("Host", "")))
        if self.server.redirect_to is not None:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(DOCUMENT)))
        self.end_headers()
        self.wfile.write(DOCUMENT)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def loopback(
    redirect_to: str | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[tuple[int, Seen]]:
    """A real server on 127.0.0.1 (answering a document, or redirecting); its port and what
    reached it."""
    server = _CountingServer(redirect_to, tls)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.seen
    finally:
        server.shutdown()
        server.server_close()


# -- the injected name service -----------------------------------------------------------------


class TestNetwork:
    """Names answered from a table (each name's answers in turn, the last one repeated; other
    names by the system's resolver); a connection to :data:`PUBLIC` is carried to 127.0.0.1 on
    the same port, any other address is refused without touching the network. Records every
    look-up and connection."""

    __test__ = False

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []
        self.connects: list[tuple[str, int]] = []

    def resolve(self, host: str, port: int, timeout: float) -> list[str]:
        self.lookups.append(host)
        turns = self.answers.get(host)
        if turns is None:
            return SYSTEM.resolve(host, port, timeout)
        return turns.pop(0) if len(turns) > 1 else turns[0]

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        self.connects.append((address, port))
        if address == PUBLIC:
            return socket.create_connection(("127.0.0.1", port), timeout)
        raise ConnectionRefusedError(f"the test network has no route to {address}")


def harvest(node: NodeConfig, network: TestNetwork | None = None) -> NodeReport:
    store = OxigraphStore(None, BASE)
    try:
        with Harvester(store, Settings(validation_workers=1), network=network) as harvester:
            (report,) = harvester.run([node]).nodes
        return report
    finally:
        store.close()


def node(url: str, *, private: bool = False) -> NodeConfig:
    return NodeConfig(id="n", kind="dcat", url=url, timeout=5.0, retries=0, private=private)


# -- which addresses are public ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "what"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fc00::1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("0.0.0.0", "the unspecified address"),
        ("::", "the unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("100.64.0.1", "an address that is not publicly routable"),
        ("::ffff:127.0.0.1", "a loopback address (as IPv6 ::ffff:7f00:1)"),
        ("::ffff:10.0.0.1", "a private address (as IPv6 ::ffff:a00:1)"),
        ("64:ff9b::7f00:1", "a loopback address (as IPv6 64:ff9b::7f00:1)"),
        ("2002:7f00:1::", "a loopback address (as IPv6 2002:7f00:1::)"),
        ("not-an-address", "not an address gdcat can judge"),
    ],
)
def test_addresses_that_are_not_public_are_named(address: str, what: str) -> None:
    assert non_public(address) == what


@pytest.mark.parametrize(
    "address", [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.215.14", "1.1.1.1"]
)
def test_public_addresses_pass(address: str) -> None:
    assert non_public(address) is None


# -- real connections on loopback --------------------------------------------------------------


def test_a_node_on_loopback_not_marked_private_is_never_connected_to() -> None:
    with loopback() as (port, seen):
        report = harvest(node(f"http://127.0.0.1:{port}/doc.ttl"))
    assert report.status == "failed"
    (failure,) = report.failures
    assert failure.kind == "forbidden-address"
    assert failure.message == (
        "127.0.0.1 is a loopback address; set private = true for the node in the registry "
        "to allow it"
    )
    assert report.reasons == [
        f"the node could not be read: http://127.0.0.1:{port}/doc.ttl: {failure.message}"
    ]
    assert seen.connections == 0 and seen.requests == []


def test_a_name_that_resolves_to_loopback_is_refused_with_what_it_resolved_to() -> None:
    with loopback() as (port, seen):
        report = harvest(node(f"http://localhost:{port}/doc.ttl"))  # the system resolver
    (failure,) = report.failures
    assert failure.kind == "forbidden-address"
    assert failure.message.startswith("localhost resolves to ")
    assert ", a loopback address; set private = true" in failure.message
    assert seen.connections == 0


def test_a_private_node_may_redirect_to_another_loopback_port() -> None:
    with (
        loopback() as (target_port, target),
        loopback(redirect_to=f"http://127.0.0.1:{target_port}/doc.ttl") as (port, first),
    ):
        report = harvest(node(f"http://localhost:{port}/start", private=True))
    assert report.status == "complete", report.reasons
    assert report.failures == []
    assert first.requests == [("/start", f"localhost:{port}")]
    assert target.requests == [("/doc.ttl", f"127.0.0.1:{target_port}")]


# -- injected name answers: a public node, rebinding -------------------------------------------


@pytest.mark.parametrize("target_host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_a_public_node_redirecting_to_loopback_is_refused_at_the_redirect(
    target_host: str,
) -> None:
    with (
        loopback() as (inner_port, inner),
        loopback(redirect_to=f"http://{target_host}:{inner_port}/admin") as (port, outer),
    ):
        network = TestNetwork({"fdp.example": [[PUBLIC]]})
        report = harvest(node(f"http://fdp.example:{port}/start"), network)
    (failure,) = report.failures
    assert failure.kind == "forbidden-address"
    assert failure.url == f"http://{target_host}:{inner_port}/admin"
    assert "a loopback address" in failure.message
    # the public hop was made, to the address checked, with the name kept in Host
    assert outer.requests == [("/start", f"fdp.example:{port}")]
    assert network.connects == [(PUBLIC, port)]
    # the loopback server was never reached
    assert inner.connections == 0 and inner.requests == []


def test_a_name_rebound_to_loopback_after_registration_is_refused_at_harvest(
    tmp_path: Path,
) -> None:
    with loopback() as (port, seen):
        url = f"http://rebind.example:{port}/"
        # public when it registers, loopback when the harvester looks it up
        network = TestNetwork({"rebind.example": [[PUBLIC], ["127.0.0.1"]]})
        store = OxigraphStore(tmp_path / "store", BASE)
        try:
            registration = register(store, url, network=network)
            assert registration.status == "pending"
            (registered,) = registered_nodes(store)
            assert registered.private is False
            with Harvester(store, Settings(validation_workers=1), network=network) as harvester:
                (report,) = harvester.run([registered]).nodes
        finally:
            store.close()
    assert network.lookups == ["rebind.example", "rebind.example"]
    (failure,) = report.failures
    assert failure.kind == "forbidden-address"
    assert failure.message.startswith("rebind.example resolves to 127.0.0.1, a loopback address")
    assert network.connects == []
    assert seen.connections == 0


def test_every_address_a_name_resolves_to_must_be_public() -> None:
    with loopback() as (port, seen):
        network = TestNetwork({"mixed.example": [[PUBLIC, "10.0.0.7"]]})
        report = harvest(node(f"http://mixed.example:{port}/doc.ttl"), network)
    (failure,) = report.failures
    assert failure.kind == "forbidden-address"
    assert "mixed.example resolves to 10.0.0.7, a private address" in failure.message
    assert network.connects == [] and seen.connections == 0


def test_a_refused_address_is_not_retried() -> None:
    network = TestNetwork({"inner.example": [["192.168.0.10"]]})
    policy = HttpPolicy(timeout=5.0, retries=3, backoff=0.0)
    with HttpClient(policy, network=network) as client, pytest.raises(FetchError) as refused:
        client.get("http://inner.example/", accept="text/turtle")
    assert refused.value.kind == "forbidden-address"
    assert "(after" not in refused.value.message
    assert network.lookups == ["inner.example"]


def test_each_new_connection_looks_the_name_up_again() -> None:
    """A name checked once is not trusted for later connections: after the server closes the
    connection, the next request resolves again and is refused when the answer changed."""
    with loopback() as (port, seen):
        network = TestNetwork({"fdp.example": [[PUBLIC], ["127.0.0.1"]]})
        with HttpClient(HttpPolicy(timeout=5.0, retries=0), network=network) as client:
            first = client.get(f"http://fdp.example:{port}/doc.ttl", accept="text/turtle")
            assert first.status == 200
            client.close()  # the next request needs a new connection
            with pytest.raises(FetchError) as refused:
                client.get(f"http://fdp.example:{port}/doc.ttl", accept="text/turtle")
    assert refused.value.kind == "forbidden-address"
    assert network.connects == [(PUBLIC, port)]
    assert seen.connections == 1


# -- TLS: connected to the checked address, verified against the name ---------------------------


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test certificate authority and two server certificates it signed: one for
    ``fdp.example``, one for ``other.example`` (folder with ca.pem, NAME.pem, NAME.key)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make the test certificates")
    folder = tmp_path_factory.mktemp("tls")
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=gdcat test CA", "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign",
        cwd=folder,
    )  # fmt: skip
    for name in ("fdp.example", "other.example"):
        _openssl(
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=folder,
        )  # fmt: skip
        (folder / f"{name}.ext").write_text(f"subjectAltName=DNS:{name}\n")
        _openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
            cwd=folder,
        )  # fmt: skip
    return folder


def _server_tls(authority: Path, name: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(authority / f"{name}.pem", authority / f"{name}.key")
    return context


@pytest.mark.parametrize(
    ("certificate", "accepted"), [("fdp.example", True), ("other.example", False)]
)
def test_tls_goes_to_the_checked_address_and_verifies_the_name(
    authority: Path, certificate: str, accepted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the harvester's TLS context trusts the system's authorities; here, the test's one
    monkeypatch.setenv("SSL_CERT_FILE", str(authority / "ca.pem"))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with loopback(tls=_server_tls(authority, certificate)) as (port, seen):
        network = TestNetwork({"fdp.example": [[PUBLIC]]})
        with HttpClient(HttpPolicy(timeout=5.0, retries=0), network=network) as client:
            url = f"https://fdp.example:{port}/doc.ttl"
            if accepted:
                assert client.get(url, accept="text/turtle").body == DOCUMENT
            else:
                with pytest.raises(FetchError) as refused:
                    client.get(url, accept="text/turtle")
                assert refused.value.kind == "network"
                assert "certificate" in refused.value.message.lower()
    assert network.connects == [(PUBLIC, port)]
    assert seen.requests == ([("/doc.ttl", f"fdp.example:{port}")] if accepted else [])
