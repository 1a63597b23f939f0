"""The HTTP server's own limits, against a real ``gdcat serve`` under a memory cap, with raw
sockets: an oversized request line or header block is answered 414 / 431 with a problem
document (not a reset), idle and slow clients are disconnected after their timeout, and other
clients are answered promptly all along.

One server for the module, with short timeouts so the tests stay fast.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from capped_gdcat import ANSWERED_WITHIN, CappedGdcat, start_capped_gdcat

KEEPALIVE = 1.0
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CappedGdcat]:
    with start_capped_gdcat(
        tmp_path_factory.mktemp("http-limits"),
        keepalive_timeout=KEEPALIVE,
        header_timeout=HEADER_TIMEOUT,
        body_timeout=BODY_TIMEOUT,
    ) as live:
        yield live


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict[str, object]:
        assert self.headers["content-type"] == "application/problem+json", self.headers
        doc: dict[str, object] = json.loads(self.body)
        assert doc["status"] == self.status
        return doc


def connect(server: CappedGdcat) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset fails the test)."""
    out = bytearray()
    while chunk := sock.recv(65536):
        out += chunk
    return bytes(out)


def parse(raw: bytes) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(status, headers, body[: int(headers.get("content-length", len(body)))])


def exchange(server: CappedGdcat, request: bytes) -> Answer:
    with connect(server) as sock:
        sock.sendall(request)
        return parse(read_until_closed(sock))


def assert_others_answered(server: CappedGdcat) -> None:
    started = time.monotonic()
    assert server.get("/api/datasets", timeout=5) == 200
    assert time.monotonic() - started < ANSWERED_WITHIN
    server.assert_healthy()


def test_a_10_mb_url_is_answered_414_with_a_problem(server: CappedGdcat) -> None:
    request = b"GET /api/datasets?q=" + b"a" * 10_000_000 + b" HTTP/1.1\r\nHost: gdcat\r\n\r\n"
    answer = exchange(server, request)
    assert answer.status == 414
    problem = answer.problem()
    assert problem["title"] == "URI too long"
    assert problem["limit"] == 65536
    assert "max_request_line_bytes" in str(problem["detail"])
    assert "POST" in str(problem["detail"])
    assert answer.headers["connection"] == "close"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert_others_answered(server)


def test_a_1_mb_header_is_answered_431_with_a_problem(server: CappedGdcat) -> None:
    request = b"GET / HTTP/1.1\r\nHost: gdcat\r\nX-Padding: " + b"a" * 1_000_000 + b"\r\n\r\n"
    answer = exchange(server, request)
    assert answer.status == 431
    problem = answer.problem()
    assert problem["title"] == "Request header fields too large"
    assert "max_header_bytes" in str(problem["detail"])
    assert_others_answered(server)


def test_a_head_over_the_limits_arriving_in_one_piece_is_refused_too(server: CappedGdcat) -> None:
    line = exchange(server, b"GET /?q=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: gdcat\r\n\r\n")
    assert line.status == 414 and "70017 bytes" in str(line.problem()["detail"])
    fields = b"".join(b"X-F%d: %s\r\n" % (i, b"b" * 1000) for i in range(70))
    headers = exchange(server, b"GET / HTTP/1.1\r\nHost: gdcat\r\n" + fields + b"\r\n")
    assert headers.status == 431


def test_a_long_sparql_query_by_get_and_large_headers_are_still_answered(
    server: CappedGdcat,
) -> None:
    """The limits are far above what browsers and SPARQL clients send: a 16 KB query
    (about 22 KB once percent-encoded) and 16 KB of cookies."""
    values = " ".join(f'"value number {i} of a long list"' for i in range(500))
    query = f"SELECT ?v WHERE {{ VALUES ?v {{ {values} }} }} LIMIT 1"
    assert len(query) > 16_000
    cookies = "; ".join(f"c{i}={'x' * 150}" for i in range(100))
    status = server.get(
        "/sparql?query=" + quote(query),
        headers={"Accept": "application/sparql-results+json", "Cookie": cookies},
    )
    assert status == 200


def test_an_idle_connection_is_closed_after_the_keepalive_timeout(server: CappedGdcat) -> None:
    with connect(server) as fresh:
        assert read_until_closed(fresh) == b""  # nothing was asked, nothing is said
    with connect(server) as kept:
        kept.sendall(b"GET /api/datasets HTTP/1.1\r\nHost: gdcat\r\n\r\n")
        answer = parse(read_until_closed(kept))  # answered, then closed when idle
        assert answer.status == 200
    server.assert_healthy()


def trickle(sock: socket.socket, data: bytes, interval: float, give_up: float) -> bytes:
    """Send ``data`` a byte every ``interval`` seconds until the server answers; then read the
    answer until the server closes. Fails after ``give_up`` seconds without an answer."""
    started = time.monotonic()
    for byte in data:
        sock.sendall(bytes([byte]))
        readable, _, _ = select.select([sock], [], [], interval)
        if readable:
            return read_until_closed(sock)
        assert time.monotonic() - started < give_up, "the slow client was never cut off"
    raise AssertionError("the whole request went through")


def test_a_slowloris_head_is_cut_off_while_others_are_answered(server: CappedGdcat) -> None:
    request = b"GET /api/datasets HTTP/1.1\r\nHost: gdcat\r\nX-Slow: " + b"a" * 1000
    received: list[bytes] = []

    def slowloris() -> None:
        with connect(server) as sock:  # a header byte every second
            received.append(trickle(sock, request, 1.0, HEADER_TIMEOUT + 10))

    slow = threading.Thread(target=slowloris, daemon=True)
    slow.start()
    while slow.is_alive():
        assert_others_answered(server)
        slow.join(0.2)
    answer = parse(received[0])
    assert answer.status == 408
    assert "header_timeout" in str(answer.problem()["detail"])
    assert_others_answered(server)


def test_a_body_trickling_in_is_cut_off(server: CappedGdcat) -> None:
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: gdcat\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000\r\n\r\nSELECT"
    )
    with connect(server) as sock:
        sock.sendall(head)
        # a byte every half second, far below body_min_rate
        answer = parse(trickle(sock, b" " * 994, 0.5, BODY_TIMEOUT + 10))
    assert answer.status == 408
    assert "body_timeout" in str(answer.problem()["detail"])
    assert_others_answered(server)
