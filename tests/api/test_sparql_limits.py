"""The endpoint's limits and guards on a gdcat of its own (a scratch store that accepts updates
with the admin token): a runaway query is stopped while others are answered, too large answers
are refused, updates need the token, and SERVICE reaches allowed endpoints only."""

from __future__ import annotations

import http.server
import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from local_http import loopback_server, serving
from rdflib import Graph, Literal, URIRef

from gdcat.api import create_app
from gdcat.api.server import running
from gdcat.errors import GdcatError
from gdcat.settings import Settings
from gdcat.sparql.pool import WorkerPool
from gdcat.store import OxigraphStore

TOKEN = "test-admin-token-7f3a"
TIMEOUT = 3.0
MAX_ROWS = 50
BIG = "urn:gdcat-test:big"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ANSWER = {
    "head": {"vars": ["x"]},
    "results": {"bindings": [{"x": {"type": "literal", "value": "remote"}}]},
}


@dataclass
class RecordingEndpoint:
    """A real SPARQL-looking HTTP server on 127.0.0.1 that remembers every request."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def recorders() -> Iterator[tuple[RecordingEndpoint, RecordingEndpoint]]:
    """Two endpoints: the first is on the allow-list of ``live``, the second is not."""

    def handler(log: list[str]) -> type[http.server.BaseHTTPRequestHandler]:
        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self) -> None:
                log.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = json.dumps(ANSWER).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    allowed: list[str] = []
    other: list[str] = []
    with (
        serving(loopback_server(handler(allowed))) as allowed_url,
        serving(loopback_server(handler(other))) as other_url,
    ):
        yield (
            RecordingEndpoint(allowed_url + "/sparql", allowed),
            RecordingEndpoint(other_url + "/sparql", other),
        )


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    recorders: tuple[RecordingEndpoint, RecordingEndpoint],
) -> Iterator[LiveGdcat]:
    with start_gdcat(
        tmp_path_factory.mktemp("sparql-limits"),
        datasets=None,
        sparql_updates=True,
        admin_token=TOKEN,
        sparql_timeout=TIMEOUT,
        sparql_max_rows=MAX_ROWS,
        sparql_workers=2,
        service_allowlist=(recorders[0].url,),
    ) as live:
        big = Graph()
        for i in range(2000):
            big.add((URIRef(f"urn:s{i % 40}"), URIRef(f"urn:p{i % 7}"), Literal(i)))
        live.store.put_graph(BIG, big)
        yield live


def sparql(live: LiveGdcat) -> str:
    return live.url + "/sparql"


def pool_of(live: LiveGdcat) -> WorkerPool:
    runner = live.app.state.ctx.extras["sparql"].runner
    assert isinstance(runner, WorkerPool)
    return runner


def wait_for(condition: object, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def another_client() -> httpx.Client:
    """A client at another address (127.0.0.2: all of 127/8 is the loopback), whose queries
    count against a budget of their own."""
    return httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address="127.0.0.2"))


def alive(pid: int) -> bool:
    """True while the process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_runaway_query_is_stopped_while_others_are_answered(live: LiveGdcat) -> None:
    pool = pool_of(live)
    httpx.get(sparql(live), params={"query": "ASK {}"}, timeout=60)  # workers started
    wait_for(lambda: len(pool.pids()) == 2, "two workers")
    before = set(pool.pids())
    with (
        httpx.Client(timeout=60) as client,
        another_client() as other,
        ThreadPoolExecutor(1) as background,
    ):
        runaway = background.submit(client.get, sparql(live), params={"query": RUNAWAY})
        wait_for(lambda: pool.busy() == 1, "the runaway query to reach a worker")
        quick = other.get(sparql(live), params={"query": f"ASK {{ GRAPH <{BIG}> {{ ?s ?p 7 }} }}"})
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        assert not runaway.done(), "the quick query waited for the runaway one"
        stopped = runaway.result()
    assert stopped.status_code == 422
    problem = stopped.json()
    assert problem["type"].endswith("/time-limit") and problem["limit"] == TIMEOUT
    assert "stopped" in problem["detail"] and "LIMIT" in problem["detail"]
    # Its worker was killed, not left computing; a fresh one took its place.
    gone = before - set(pool.pids())
    assert len(gone) == 1
    wait_for(lambda: not alive(next(iter(gone))), "the stopped worker to be gone")
    wait_for(lambda: len(pool.pids()) == 2, "a replacement worker")
    for _ in range(4):
        r = httpx.get(sparql(live), params={"query": f"ASK {{ GRAPH <{BIG}> {{ ?s ?p 1999 }} }}"})
        assert r.status_code == 200 and r.json()["boolean"] is True


def test_a_worker_that_dies_is_replaced_without_failing_a_query(live: LiveGdcat) -> None:
    pool = pool_of(live)
    httpx.get(sparql(live), params={"query": "ASK {}"})
    wait_for(lambda: len(pool.pids()) == 2, "two workers")
    victims = pool.pids()
    for pid in victims:
        os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
    wait_for(lambda: not any(alive(pid) for pid in victims), "the killed workers to be gone")
    for _ in range(3):
        r = httpx.get(sparql(live), params={"query": f"ASK {{ GRAPH <{BIG}> {{ ?s ?p 5 }} }}"})
        assert r.status_code == 200 and r.json()["boolean"] is True
    assert not set(victims) & set(pool.pids())


def test_an_answer_over_the_row_limit_is_refused_with_how_to_page(live: LiveGdcat) -> None:
    everything = f"SELECT * WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"
    r = httpx.get(sparql(live), params={"query": everything})
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"].endswith("/row-limit") and problem["limit"] == MAX_ROWS
    assert f"more than {MAX_ROWS} rows" in problem["detail"]
    assert f"LIMIT {MAX_ROWS} OFFSET 0, then OFFSET {MAX_ROWS}" in problem["detail"]
    page = httpx.get(sparql(live), params={"query": everything + f" LIMIT {MAX_ROWS} OFFSET 100"})
    assert page.status_code == 200 and len(page.json()["results"]["bindings"]) == MAX_ROWS
    graph = httpx.get(
        sparql(live),
        params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"},
    )
    assert graph.status_code == 422 and "triples" in graph.json()["detail"]


def count(live: LiveGdcat, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    r = httpx.get(sparql(live), params={"query": query})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_updates_need_the_admin_token(live: LiveGdcat) -> None:
    scratch = "urn:gdcat-test:scratch"
    update = f"INSERT DATA {{ GRAPH <{scratch}> {{ <urn:a> <urn:b> <relative> }} }}"
    generation = live.store.generation
    missing = httpx.post(sparql(live), data={"update": update})
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(
        sparql(live),
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer nope"},
    )
    assert wrong.status_code == 401 and "invalid_token" in wrong.headers["www-authenticate"]
    assert live.store.generation == generation and count(live, scratch) == 0

    applied = httpx.post(
        sparql(live), data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert applied.status_code == 204
    # The workers see the write at once; relative IRIs resolve against the endpoint.
    query = f"SELECT ?o WHERE {{ GRAPH <{scratch}> {{ ?s ?p ?o }} }}"
    r = httpx.get(sparql(live), params={"query": query})
    assert r.json()["results"]["bindings"] == [
        {"o": {"type": "uri", "value": live.url + "/relative"}}
    ]


def test_an_update_that_cannot_apply_changes_nothing(live: LiveGdcat) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = count(live, BIG)
    for update, says in [
        (
            f"DELETE WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }} ; INSERT DATA {{ <urn:x> <urn:y> }}",
            "syntax",
        ),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ]:
        r = httpx.post(sparql(live), data={"update": update}, headers=auth)
        assert r.status_code == 400 and says in r.json()["detail"]
    # Error positions are those of the update as sent.
    with pytest.raises(SyntaxError) as direct:
        ox.Store().update("CLEAR XYZ")
    r = httpx.post(sparql(live), data={"update": "CLEAR XYZ"}, headers=auth)
    assert r.status_code == 400 and str(direct.value) in r.json()["detail"]
    assert count(live, BIG) == before


def test_service_calls_allowed_endpoints_only(
    live: LiveGdcat, recorders: tuple[RecordingEndpoint, RecordingEndpoint]
) -> None:
    allowed, other = recorders
    r = httpx.get(
        sparql(live),
        params={"query": f"SELECT ?x WHERE {{ SERVICE <{allowed.url}> {{ ?x ?p ?o }} }}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"] == ANSWER["results"]["bindings"]
    assert len(allowed.requests) == 1

    host = other.url.split("/")[2]
    prefix = other.url.rsplit("/", 1)[0] + "/"
    refused = [
        f"SELECT * WHERE {{ SERVICE <{other.url}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{other.url}> {{ ?x ?p ?o }} }}",
        f"PREFIX n: <{prefix}> SELECT * WHERE {{ service n:sparql {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ # note\rSERVICE <{other.url}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{other.url}> }} SERVICE ?e {{ ?x ?p ?o }} }}",
        f"BASE <{prefix}> SELECT * WHERE {{ SERVICE <sparql> {{ ?x ?p ?o }} }}",
    ]
    for query in refused:
        r = httpx.post(sparql(live), data={"query": query})
        assert r.status_code == 400, query
        problem = r.json()
        assert problem["type"].endswith("/service-not-allowed")
        assert host in problem["detail"] or "full IRI" in problem["detail"]
    update = (
        f"INSERT {{ GRAPH <urn:t> {{ ?x ?p ?o }} }} "
        f"WHERE {{ SERVICE <{other.url}> {{ ?x ?p ?o }} }}"
    )
    r = httpx.post(
        sparql(live), data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert r.status_code == 400 and host in r.json()["detail"]
    assert other.requests == []
    assert len(allowed.requests) == 1


def test_updates_on_without_a_token_refuse_to_start(tmp_path: Path) -> None:
    settings = Settings(
        base_iri="http://127.0.0.1:9/", store_dir=tmp_path / "s", sparql_updates=True
    )
    store = OxigraphStore(None, settings.base_iri)
    with pytest.raises(GdcatError, match="admin_token"):
        create_app(settings, store)


def test_an_in_memory_store_is_served_too(tmp_path: Path) -> None:
    settings = Settings(base_iri="http://127.0.0.1:9/", store_dir=tmp_path / "s")
    store = OxigraphStore(None, settings.base_iri)
    graph = Graph()
    graph.add((URIRef("urn:s"), URIRef("urn:p"), Literal("in memory")))
    store.put_graph("urn:g", graph)
    app = create_app(settings, store)
    with running(app) as url:
        r = httpx.get(url + "/sparql", params={"query": "SELECT ?o WHERE { ?s <urn:p> ?o }"})
        assert r.json()["results"]["bindings"] == [{"o": {"type": "literal", "value": "in memory"}}]
