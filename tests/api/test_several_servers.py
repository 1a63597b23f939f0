"""Several ``gdcat serve`` processes over one remote store (issue 13, item 2), and a server
that starts while its search index is being built (item 3).

Every server is a real ``gdcat serve`` process (tests/capped_gdcat.py) over a real Oxigraph
server (the ``oxigraph_url`` fixture); nothing is timed: each step polls with a generous
deadline for what a user would see.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from capped_gdcat import CappedGdcat, start_capped_gdcat, wait_until
from local_http import loopback_server, serving
from rdflib import Graph, URIRef

from gdcat.rdf import parse_file, split_records
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite, record_iri

ADMIN = "admin-secret-for-several-servers"
ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "model" / "examples" / "valid"
EXAMPLE = "se-allele-frequencies-beacon.ttl"
HOOKS = Path(__file__).resolve().parents[1] / "hooks"
#: Generous: following takes follow_interval (0.2 s here) plus indexing, on a busy machine.
DEADLINE = 60.0


def record_as(iri: str) -> Graph:
    """The example record, describing the dataset ``iri``."""
    record = split_records(parse_file(VALID / EXAMPLE))[0]
    old = URIRef(record.iri)
    out = Graph()
    for s, p, o in record.graph:
        out.add((URIRef(iri) if s == old else s, p, URIRef(iri) if o == old else o))
    return out


class GatedNode:
    """A DCAT node whose answers wait until :meth:`open` (so that a harvest of it is still
    running when a second one starts)."""

    def __init__(self, document: bytes) -> None:
        self.gate = threading.Event()
        self.requests = 0
        node = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                node.requests += 1
                node.gate.wait(DEADLINE)
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = loopback_server(Handler)


@pytest.fixture(scope="module")
def federation(
    oxigraph_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CappedGdcat, CappedGdcat, GatedNode]]:
    """Two gdcat servers (one base IRI, one Oxigraph server) and a gated node both know."""
    from oxigraph_server import clear

    clear(oxigraph_url)
    tmp = tmp_path_factory.mktemp("several")
    document = record_as("https://gated.example/dataset/1").serialize(format="turtle")
    node = GatedNode(document.encode("utf-8"))
    with ExitStack() as stack:
        node_url = stack.enter_context(serving(node.server))
        stack.callback(node.gate.set)  # a handler still waiting lets go before shutdown
        registry = tmp / "nodes.toml"
        registry.write_text(
            f'[[node]]\nid = "gated"\ncountry = "SWE"\nkind = "dcat"\n'
            f'url = "{node_url}/catalog.ttl"\nprivate = true\n',
            encoding="utf-8",
        )
        common: dict[str, Any] = {
            "base_iri": "https://catalogue.example/",
            "store_url": oxigraph_url,
            "store_kind": "oxigraph",
            "follow_interval": 0.2,
            "admin_token": ADMIN,
            "registry_file": registry,
            "sparql_workers": 1,
        }
        for name in ("one", "two"):
            (tmp / name).mkdir()
        starting = [
            start_capped_gdcat(tmp / "one", token_nodes=("se",), **common),
            start_capped_gdcat(tmp / "two", **common),
        ]
        with ThreadPoolExecutor(2) as pool:  # both start at once: half the wait
            first, second = pool.map(stack.enter_context, starting)
        yield first, second, node


def found_by_search(server: CappedGdcat, iri: str) -> bool:
    answer = httpx.get(
        f"{server.url}/api/datasets", params={"q": "allele", "page_size": 100}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return iri in {hit["iri"] for hit in answer.json()["hits"]}


def test_a_dataset_published_through_one_server_is_found_through_the_other(
    federation: tuple[CappedGdcat, CappedGdcat, GatedNode],
) -> None:
    first, second, _ = federation
    iri = "https://steward.example/dataset/published-through-one"
    headers = {"Authorization": f"Bearer {first.tokens['se']}", "Content-Type": "text/turtle"}
    body = record_as(iri).serialize(format="turtle").encode("utf-8")
    posted = httpx.post(
        f"{first.url}/api/nodes/se/datasets", content=body, headers=headers, timeout=60
    )
    assert posted.status_code == 201, posted.text
    assert [item["dataset"] for item in posted.json()["items"]] == [iri]
    assert found_by_search(first, iri)  # its own write: at once
    wait_until(lambda: found_by_search(second, iri), DEADLINE, "the other server to find it")
    # what the other server keeps per store generation (the listing behind the feed) too
    feed = httpx.get(f"{second.url}/feed", headers={"Accept": "text/turtle"}, timeout=30)
    assert feed.status_code == 200 and iri in feed.text

    gone = httpx.delete(
        f"{first.url}/api/nodes/se/datasets", params={"iri": iri}, headers=headers, timeout=60
    )
    assert gone.status_code == 204, gone.text
    wait_until(lambda: not found_by_search(second, iri), DEADLINE, "the other server to drop it")
    health = httpx.get(f"{second.url}/health", timeout=10).json()
    assert health["following"]["interval"] == 0.2 and health["following"]["failure"] is None
    first.assert_healthy()
    second.assert_healthy()


def test_a_harvest_started_on_both_servers_at_once_runs_once(
    federation: tuple[CappedGdcat, CappedGdcat, GatedNode],
) -> None:
    first, second, node = federation
    admin = {"Authorization": f"Bearer {ADMIN}"}

    def start(server: CappedGdcat) -> str:
        answer = httpx.post(
            f"{server.url}/api/harvest", params={"node": "gated"}, headers=admin, timeout=30
        )
        assert answer.status_code == 202, answer.text
        return str(answer.json()["id"])

    def report(server: CappedGdcat, job: str) -> dict[str, Any]:
        answer = httpx.get(f"{server.url}/api/harvest/jobs/{job}/report", headers=admin, timeout=10)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    with ThreadPoolExecutor(2) as pool:
        jobs = list(pool.map(start, (first, second)))
    servers = list(zip((first, second), jobs, strict=True))

    def done(server: CappedGdcat, job: str) -> bool:
        return bool(report(server, job)["job"]["status"] != "running")

    # the node answers nobody yet: one harvest holds it, the other must have stepped aside
    wait_until(lambda: any(done(s, j) for s, j in servers), DEADLINE, "one harvest to end")
    node.gate.set()
    wait_until(lambda: all(done(s, j) for s, j in servers), DEADLINE, "both harvests to end")
    reports = [report(s, j)["report"] for s, j in servers]
    ran = [r for r in reports if [n["node"] for n in r["nodes"]] == ["gated"]]
    aside = [r for r in reports if "gated" in r["elsewhere"]]
    assert len(ran) == 1 and len(aside) == 1, reports
    assert ran[0]["nodes"][0]["status"] == "complete" and ran[0]["totals"]["added"] == 1
    assert aside[0]["nodes"] == [] and "held by" in aside[0]["elsewhere"]["gated"]
    # the store holds one run of the node, whichever server is asked
    runs = httpx.get(f"{second.url}/api/harvest/runs", headers=admin, timeout=10).json()
    assert [run["iri"] for run in runs["items"]] == [ran[0]["run"]]
    # and the lease was given back: the next harvest runs
    again = start(second)
    wait_until(lambda: done(second, again), DEADLINE, "a later harvest to end")
    assert [n["node"] for n in report(second, again)["report"]["nodes"]] == ["gated"]


def test_a_server_answers_while_its_search_index_is_built(tmp_path: Path) -> None:
    """The index build is held (a test hook in the server process waits for a file before it
    indexes the first record): health (with the build's progress), dataset pages and SPARQL
    answer; search says 503 with Retry-After, the search page says so in words (English and
    German); once the build may go on, search answers."""
    base = "https://catalogue.example/"
    dataset = "https://steward.example/dataset/before-start"
    store = OxigraphStore(tmp_path / "one" / "store", base)
    meta = RecordMeta(source="file:///x.ttl", content_hash="h", profile="gdcat", outcome="conforms")
    store.put_records([RecordWrite(dataset, record_as(dataset), meta)])
    store.close()
    gate = tmp_path / "build-may-start"
    hooks = os.pathsep.join(p for p in (str(HOOKS), os.environ.get("PYTHONPATH", "")) if p)
    env = {"PYTHONPATH": hooks, "GDCAT_TEST_INDEX_GATE": str(gate)}
    with start_capped_gdcat(tmp_path / "one", base_iri=base, env=env, sparql_workers=1) as live:

        def health() -> dict[str, Any]:
            answer = httpx.get(f"{live.url}/health", timeout=10)
            assert answer.status_code == 200, answer.text
            state: dict[str, Any] = answer.json()
            return state

        wait_until(lambda: health()["index"]["to_index"] is not None, DEADLINE, "the build")
        building = health()
        assert building["status"] == "degraded"
        assert building["index"]["ready"] is False and building["index"]["rebuilding"] is True
        assert (building["index"]["indexed"], building["index"]["to_index"]) == (0, 1)
        key = record_iri(base, dataset).rsplit("/", 1)[1]
        page = httpx.get(f"{live.url}/dataset/{key}", headers={"Accept": "text/html"}, timeout=10)
        assert page.status_code == 200 and "allele" in page.text.lower()
        sparql = httpx.get(
            f"{live.url}/sparql",
            params={"query": f"ASK {{ GRAPH ?g {{ <{dataset}> ?p ?o }} }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert sparql.status_code == 200 and sparql.json()["boolean"] is True
        search = httpx.get(f"{live.url}/api/datasets", params={"q": "allele"}, timeout=10)
        assert search.status_code == 503
        assert int(search.headers["Retry-After"]) >= 1
        assert search.headers["Content-Type"].startswith("application/problem+json")
        assert "being built" in search.json()["detail"]
        browser = httpx.get(f"{live.url}/search", headers={"Accept": "text/html"}, timeout=10)
        assert browser.status_code == 503 and "Retry-After" in browser.headers
        assert "The search index is being built" in browser.text
        german = httpx.get(f"{live.url}/search", params={"lang": "de"}, timeout=10)
        assert german.status_code == 503 and "Der Suchindex wird aufgebaut" in german.text

        gate.touch()

        def searchable() -> bool:
            answer = httpx.get(f"{live.url}/api/datasets", params={"q": "allele"}, timeout=10)
            return answer.status_code == 200 and answer.json()["total"] == 1

        wait_until(searchable, DEADLINE, "search to answer once the index is built")
        assert httpx.get(f"{live.url}/health", timeout=10).json()["index"]["ready"] is True
        live.assert_healthy()
