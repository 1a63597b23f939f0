"""Fixtures shared by every test package."""

from __future__ import annotations

import http.server
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from live_gdcat import LiveGdcat, start_gdcat
from local_http import loopback_server, serving

from gdcat.validate import Validator

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class RecordingServer:
    """A real HTTP server on 127.0.0.1 that answers every GET and remembers what was asked."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'{"@context": {"name": "http://schema.org/name"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(loopback_server(Handler)) as url:
        yield RecordingServer(url, hits)


@pytest.fixture(scope="session")
def validator() -> Iterator[Callable[[str], Validator]]:
    """``validator(profile)``: an in-process validator, one per profile for the session."""
    made: dict[str, Validator] = {}

    def get(profile: str) -> Validator:
        if profile not in made:
            made[profile] = Validator(profile, workers=1)
        return made[profile]

    yield get
    for v in made.values():
        v.close()


@pytest.fixture(scope="session")
def gdcat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    """gdcat serving the harvested demo federation, shared by the tests of a session that only
    read (tests that write start their own with :func:`live_gdcat.start_gdcat`)."""
    with start_gdcat(tmp_path_factory.mktemp("gdcat")) as live:
        yield live


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server for this test session (one per xdist worker); its URL."""
    from oxigraph_server import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "data") as url:
        yield url


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Virtuoso for this test session (one per xdist worker); its URL. Skipped only
    where Virtuoso is not installed, outside CI (which installs it: .ci/run)."""
    from virtuoso_server import require_virtuoso, virtuoso_server

    require_virtuoso()
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server.url
