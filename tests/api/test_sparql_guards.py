"""The endpoint's guards in isolation: the shape check of a query's text, the budget of queries
per client, who a client is behind a proxy, and what a worker's death says about its query."""

from __future__ import annotations

import asyncio
import signal

import pytest
from starlette.requests import Request

from gdcat.api.clients import client_address
from gdcat.errors import QueryError
from gdcat.settings import Settings
from gdcat.sparql.budget import ClientBudget, client_concurrency
from gdcat.sparql.execute import Setup
from gdcat.sparql.limits import (
    ClientBudgetError,
    CpuLimitError,
    EngineFailureError,
    MemoryLimitError,
    QueryTooComplexError,
    TimeLimitError,
    WorkerLostError,
)
from gdcat.sparql.pool import death_cause
from gdcat.sparql.shape import ShapeLimits, check_shape, measure
from gdcat.sparql.worker import EXIT_OVERTIME

# -- the shape of a query's text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "nesting", "tokens"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", 1, 8),
        # Brackets in strings and comments are no structure; a string is one token.
        ('SELECT * { ?s ?p "{{{(" # {{{{\n }', 1, 7),
        ("SELECT * { ?s ?p '''{{ \\''' {{''' }", 1, 7),
        # A `<` may be a less-than: brackets inside `<…>` count.
        ("SELECT * { FILTER(?a <((1))> ?b) }", 4, 10),
        # VALUES data is a flat table: its terms are not counted, its brackets are.
        ("SELECT * { VALUES (?x ?y) { (<a> 1) (<b> 2) (<c> 3) } }", 3, 10),
        # An unterminated string hides nothing: what follows on the next line counts.
        ('SELECT * { ?s ?p "open\n{{{ }}} }', 4, 14),
        ("SELECT * { ?a ?b 1+1+1 }", 1, 11),
    ],
)
def test_the_shape_counts_the_structure_pyoxigraph_would_read(
    query: str, nesting: int, tokens: int
) -> None:
    shape = measure(query)
    assert (shape.nesting, shape.tokens) == (nesting, tokens)


def test_each_shape_limit_is_refused_naming_its_setting() -> None:
    limits = ShapeLimits(max_length=2_000, max_nesting=10, max_tokens=100)
    check_shape("SELECT * WHERE " + "{" * 10 + "?s ?p ?o" + "}" * 10, limits)  # at the limit
    cases = {
        "sparql_max_nesting": "SELECT * WHERE " + "{" * 11 + "?s ?p ?o" + "}" * 11,
        "sparql_max_query_tokens": "SELECT * { " + " . ".join(["?s ?p ?o"] * 30) + " }",
        "sparql_max_query_length": "SELECT * {" + " " * 2_000 + "}",
    }
    for setting, query in cases.items():
        with pytest.raises(QueryTooComplexError) as refused:
            check_shape(query, limits)
        assert refused.value.setting == setting and setting in str(refused.value)
        assert isinstance(refused.value, QueryError)  # a client error
    values = " ".join(f"<urn:x{i}>" for i in range(1_000))
    check_shape(f"SELECT * {{ VALUES ?x {{ {values} }} }}", ShapeLimits(max_tokens=100))


def test_adversarial_text_is_measured_whole() -> None:
    # Quotes and escapes that never close, repeated, hide nothing after them.
    for text, nesting in [
        ('"a\\' * 50_000 + "\n" + "{" * 50, 50),
        ('"""' + "x" * 100_000 + "{" * 50, 50),
        ('"""a\\' * 20_000 + "(" * 50, 50),
        ("<a(" * 60, 60),
    ]:
        assert measure(text).nesting == nesting


# -- the budget of queries per client --------------------------------------------------------


def test_a_client_over_its_budget_is_refused_while_others_are_not() -> None:
    async def scenario() -> None:
        budget = ClientBudget(concurrency=1, queue=1, wait=5)
        finish = asyncio.Event()
        order: list[str] = []

        async def query(client: str, name: str) -> None:
            async with budget.slot(client):
                order.append(name)
                await finish.wait()

        first = asyncio.create_task(query("a", "a1"))
        queued = asyncio.create_task(query("a", "a2"))
        await asyncio.sleep(0)
        assert budget.held("a") == (1, 1)
        with pytest.raises(ClientBudgetError) as refused:
            await query("a", "a3")
        assert refused.value.setting == "sparql_client_concurrency"
        assert refused.value.retry_after >= 1
        other = asyncio.create_task(query("b", "b1"))
        await asyncio.sleep(0)
        assert order == ["a1", "b1"]  # b is not held up by a's queries
        finish.set()
        await asyncio.gather(first, queued, other)
        assert order == ["a1", "b1", "a2"]  # a's queued query ran when its first one ended
        assert budget.held("a") == (0, 0) and budget.held("b") == (0, 0)

    asyncio.run(scenario())


def test_a_queued_query_that_waits_too_long_is_refused_and_frees_its_place() -> None:
    async def scenario() -> None:
        budget = ClientBudget(concurrency=1, queue=1, wait=0.2)
        release = asyncio.Event()

        async def hold() -> None:
            async with budget.slot("a"):
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        with pytest.raises(ClientBudgetError, match="kept its 1 slot"):
            async with budget.slot("a"):
                pass
        assert budget.held("a") == (1, 0)
        release.set()
        await holder
        async with budget.slot("a"):
            assert budget.held("a") == (1, 0)
        assert budget.held("a") == (0, 0)

    asyncio.run(scenario())


def test_by_default_one_client_never_holds_every_worker() -> None:
    for workers in (2, 3, 8):
        assert client_concurrency(Settings(sparql_workers=workers)) == workers - 1
    assert client_concurrency(Settings(sparql_workers=1)) == 1
    assert client_concurrency(Settings(sparql_workers=2, sparql_client_concurrency=4)) == 4


# -- who the client is -----------------------------------------------------------------------


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope = {"type": "http", "client": (peer, 5555), "headers": headers, "method": "GET"}
    return Request(scope)


def test_x_forwarded_for_is_believed_from_trusted_proxies_only() -> None:
    spoofed = request_from("203.0.113.9", "198.51.100.1")
    assert client_address(spoofed) == "203.0.113.9"  # nobody is trusted by default
    assert client_address(spoofed, ["10.0.0.0/8"]) == "203.0.113.9"
    proxied = request_from("10.0.0.2", "198.51.100.1, 192.0.2.7, 10.0.0.3")
    # From the right: 10.0.0.3 is a trusted proxy, 192.0.2.7 connected to it.
    assert client_address(proxied, ["10.0.0.0/8"]) == "192.0.2.7"
    assert client_address(request_from("10.0.0.2"), ["10.0.0.0/8"]) == "10.0.0.2"
    garbage = request_from("10.0.0.2", "not-an-address")
    assert client_address(garbage, ["10.0.0.0/8"]) == "10.0.0.2"


# -- what a worker's death says ---------------------------------------------------------------


def test_a_workers_death_names_the_limit_its_query_passed() -> None:
    setup = Setup(memory_limit=640 * 1024**2, cpu_limit=3)
    cpu = death_cause(-signal.SIGXCPU, setup, 5.0)
    assert isinstance(cpu, CpuLimitError) and cpu.limit == 3 and cpu.setting == "sparql_cpu_limit"
    # SIGABRT: what the worker wrote last tells a failed allocation from a Rust panic.
    memory = death_cause(-signal.SIGABRT, setup, 5.0, "memory allocation of 240 bytes failed\n")
    assert isinstance(memory, MemoryLimitError) and "640 MiB" in str(memory)
    assert memory.setting == "sparql_worker_memory"
    panic = death_cause(
        -signal.SIGABRT,
        setup,
        5.0,
        "thread '<unnamed>' panicked at library/core/src/slice/sort/shared/smallsort.rs:854:5:\n"
        "user-provided comparison function does not correctly implement a total order\n",
    )
    assert isinstance(panic, EngineFailureError) and "total order" in str(panic)
    crash = death_cause(-signal.SIGSEGV, setup, 5.0)
    assert isinstance(crash, QueryTooComplexError) and "too deep" in str(crash)
    overtime = death_cause(EXIT_OVERTIME, setup, 5.0)
    assert isinstance(overtime, TimeLimitError) and overtime.limit == 5.0
    # The system's own doing (the OOM killer) or no exit at all: the server's trouble, retry.
    for status in (-signal.SIGKILL, 1, None):
        assert isinstance(death_cause(status, setup, 5.0), WorkerLostError)
    assert "SIGKILL" in str(death_cause(-signal.SIGKILL, setup, 5.0))
