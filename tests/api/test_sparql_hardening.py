"""The public SPARQL endpoint cannot take gdcat down (issue 12, cases 3, 7 and 8).

Each attack runs against a real ``gdcat serve`` process in a memory cgroup (tests/capped_gdcat.py)
over the demo federation: the attack gets a problem naming the limit it passed, another client's
ASK queries answer promptly while it runs, the server stays up and under its cap, and
afterwards the endpoint answers as before. Limits are small so that the tests are fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import httpx
import pytest
from capped_gdcat import ANSWERED_WITHIN, CappedGdcat, start_capped_gdcat

TIMEOUT = 10.0
MEMORY = 640 * 1024**2
#: The CPU limit of the server without demo data: well under its time limit, so that a
#: CPU-bound query meets it first even on a busy machine.
CPU_SECONDS = 1
TOKEN = "hardening-admin-token"
#: One client attacks from 127.0.0.1; the others are at other loopback addresses.
ATTACKER, OTHER, THIRD = "127.0.0.1", "127.0.0.2", "127.0.0.3"
PROBE = "ASK { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
BARE_PROBE = "ASK { ?s ?p ?o }"
DATASETS = "SELECT (COUNT(DISTINCT ?d) AS ?n) { ?d a <http://www.w3.org/ns/dcat#Dataset> }"


def doubling(function: str, times: int, start: str) -> str:
    """A query that doubles (or more) a string ``times`` times with nested BINDs."""
    binds = " ".join(f"BIND({function.format(f'?x{i}')} AS ?x{i + 1})" for i in range(times))
    return f'SELECT (STRLEN(?x{times}) AS ?n) WHERE {{ BIND("{start}" AS ?x0) {binds} }}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CappedGdcat]:
    """gdcat over the demo federation, with small time and memory limits."""
    with start_capped_gdcat(
        tmp_path_factory.mktemp("sparql-hardening"),
        datasets=20,
        sparql_timeout=TIMEOUT,
        sparql_worker_memory=MEMORY,
        sparql_workers=2,
    ) as live:
        yield live


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CappedGdcat]:
    """gdcat over 1,000 triples written by SPARQL Update, with a CPU limit of a second and the
    checks of the query's text opened wide (what is left to the workers' own limits)."""
    with start_capped_gdcat(
        tmp_path_factory.mktemp("sparql-bare"),
        sparql_timeout=30.0,
        sparql_cpu_limit=CPU_SECONDS,
        sparql_worker_memory=MEMORY,
        sparql_max_nesting=10**7,
        sparql_max_query_tokens=10**7,
        sparql_updates=True,
        admin_token=TOKEN,
    ) as live:
        triples = " ".join(f"<urn:s{i % 50}> <urn:p{i % 7}> {i} ." for i in range(1_000))
        with client(THIRD) as c:
            r = c.post(
                live.url + "/sparql",
                data={"update": f"INSERT DATA {{ {triples} }}"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        assert r.status_code == 204, r.text
        yield live


def client(address: str) -> httpx.Client:
    return httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address=address))


def datasets(live: CappedGdcat, address: str = ATTACKER) -> int:
    with client(address) as c:
        r = c.get(live.url + "/sparql", params={"query": DATASETS})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def while_it_runs(live: CappedGdcat, attack: Future[Any], probe: str = PROBE) -> int:
    """Another client's ASK queries, one after the other, until ``attack`` is answered: each
    answers (true) promptly. How many were answered while the attack still ran."""
    answered = 0
    with client(OTHER) as other:
        while not attack.done():
            started = time.monotonic()
            r = other.get(live.url + "/sparql", params={"query": probe})
            took = time.monotonic() - started
            assert r.status_code == 200 and r.json()["boolean"] is True, r.text
            assert took < ANSWERED_WITHIN, (
                f"another client's query took {took:.2f} s during the attack"
            )
            answered += not attack.done()
            time.sleep(0.02)  # poll, leaving the machine to the attack
    return answered


def attacked(
    live: CappedGdcat, send: Callable[[httpx.Client], httpx.Response], probe: str = PROBE
) -> httpx.Response:
    """The answer to an attack sent by one client while another keeps asking."""
    with client(ATTACKER) as attacker, ThreadPoolExecutor(1) as background:
        attack = background.submit(send, attacker)
        probes = while_it_runs(live, attack, probe)
        answer = attack.result()
    live.assert_healthy()
    assert probes >= 1 or answer.elapsed.total_seconds() < 0.5, "nothing was asked meanwhile"
    return answer


def query(live: CappedGdcat, text: str) -> Callable[[httpx.Client], httpx.Response]:
    """Sends ``text`` to ``live``'s endpoint, form-encoded (some attacks are megabytes long:
    encoded here, not while the other client's queries are timed)."""
    body = urlencode({"query": text}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def send(c: httpx.Client) -> httpx.Response:
        return c.post(live.url + "/sparql", content=body, headers=headers)

    return send


def recovered(live: CappedGdcat, probe: str) -> None:
    """The server is up, under its cap, and answers as before."""
    live.assert_healthy()
    assert live.peak < live.cap
    with client(THIRD) as c:
        r = c.get(live.url + "/sparql", params={"query": probe})
    assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.fixture
def demo(server: CappedGdcat) -> Iterator[CappedGdcat]:
    expected = datasets(server)
    yield server
    recovered(server, PROBE)
    assert datasets(server) == expected


@pytest.mark.parametrize(
    "attack",
    [
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
        doubling("CONCAT({0}, {0}, {0}, {0})", 30, "abcd"),
        doubling('REPLACE({0}, "a", "aaaaaaaaaaaaaaaa")', 12, "a"),
    ],
    ids=["cartesian-order-by", "concat-doubling", "replace-doubling"],
)
def test_a_query_past_the_memory_limit_is_stopped_and_told_so(
    demo: CappedGdcat, attack: str
) -> None:
    r = attacked(demo, query(demo, attack))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith("/memory-limit") and problem["limit"] == MEMORY
    assert problem["setting"] == "sparql_worker_memory"
    assert "sparql_worker_memory = 640 MiB" in problem["detail"]


def test_a_query_past_the_cpu_limit_is_stopped_and_told_so(bare: CappedGdcat) -> None:
    # Counting a three-way product streams: little memory, all CPU (10^9 solutions).
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = attacked(bare, query(bare, runaway), BARE_PROBE)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith("/cpu-limit") and problem["limit"] == CPU_SECONDS
    assert f"sparql_cpu_limit = {CPU_SECONDS} s" in problem["detail"]
    recovered(bare, BARE_PROBE)


@pytest.mark.parametrize(
    ("attack", "setting"),
    [
        ("SELECT * WHERE " + "{" * 100_000 + "?s ?p ?o" + "}" * 100_000, "sparql_max_nesting"),
        (
            "SELECT * WHERE { " + " . ".join(f"?s <urn:p{i}> ?o{i}" for i in range(20_000)) + " }",
            "sparql_max_query_tokens",
        ),
        (
            "SELECT * WHERE { " + " . ".join(["?s ?p ?o"] * 500_000) + " }",
            "sparql_max_query_length",
        ),
    ],
    ids=["nested-groups", "triple-patterns", "500k-triple-patterns"],
)
def test_a_query_too_deeply_structured_is_refused_before_it_runs(
    demo: CappedGdcat, attack: str, setting: str
) -> None:
    r = attacked(demo, query(demo, attack))
    assert r.status_code == 400, r.text
    problem = r.json()
    assert problem["type"].endswith("/query-too-complex") and problem["setting"] == setting
    assert setting in problem["detail"] and str(problem["limit"]) in problem["detail"]


def test_one_client_with_twenty_slow_queries_does_not_hold_up_the_others(
    demo: CappedGdcat,
) -> None:
    # A fraction of a second each: twenty would hold both workers for seconds.
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 2000000 } }"
    )
    with client(ATTACKER) as attacker, ThreadPoolExecutor(20) as many:
        fired = [many.submit(query(demo, slow), attacker) for _ in range(20)]
        everything: Future[list[httpx.Response]] = Future()
        with ThreadPoolExecutor(1) as waiter:
            waiter.submit(lambda: everything.set_result([f.result() for f in fired]))
            probes = while_it_runs(demo, everything)
        answers = everything.result()
    assert probes >= 1
    statuses = sorted(r.status_code for r in answers)
    # One runs, two wait for their turn (sparql_client_queue), the others are refused at once.
    assert statuses == [200] * 3 + [429] * 17, statuses
    for r in answers:
        if r.status_code == 429:
            problem = r.json()
            assert problem["type"].endswith("/client-budget")
            assert problem["setting"] == "sparql_client_concurrency" and problem["limit"] == 1
            assert "sparql_client_concurrency" in problem["detail"]
            assert int(r.headers["retry-after"]) >= 1


def test_xml_answers_stay_well_formed_with_u0000(demo: CappedGdcat) -> None:
    with client(THIRD) as c:
        select = c.get(
            demo.url + "/sparql",
            params={"query": 'SELECT ("a\\u0000b" AS ?x) {}'},
            headers={"Accept": "application/sparql-results+xml"},
        )
        graph = c.get(
            demo.url + "/sparql",
            params={"query": 'CONSTRUCT { <urn:s> <urn:p> "a\\u0000b" } WHERE {}'},
            headers={"Accept": "application/rdf+xml"},
        )
        exact = c.get(demo.url + "/sparql", params={"query": 'SELECT ("a\\u0000b" AS ?x) {}'})
    assert select.status_code == graph.status_code == 200
    literal = ElementTree.fromstring(select.content).find(
        ".//{http://www.w3.org/2005/sparql-results#}literal"
    )
    assert literal is not None and literal.text == "a\ufffdb"
    ElementTree.fromstring(graph.content)  # well-formed
    assert exact.json()["results"]["bindings"][0]["x"]["value"] == "a\x00b"


def test_a_query_that_crashes_its_worker_is_a_client_error(bare: CappedGdcat) -> None:
    # With the checks of the text opened wide, the parser itself overflows its stack: the
    # worker dies by SIGSEGV, the client is told its query is too complex, a new worker answers.
    nested = "SELECT * WHERE " + "{" * 200_000 + "?s ?p ?o" + "}" * 200_000
    r = attacked(bare, query(bare, nested), BARE_PROBE)
    assert r.status_code == 400, r.text
    problem = r.json()
    assert problem["type"].endswith("/query-too-complex")
    assert "crashed" in problem["detail"] and "too deep" in problem["detail"]
    recovered(bare, BARE_PROBE)
