"""The limits a public query runs within, and the errors that say which one it passed.

Each error names its limit's value and the setting that holds it, so that the endpoint can tell
the client what was passed and the operator what to change:

- :class:`QueryTooComplexError` (400): the text's length, nesting or tokens
  (``sparql_max_query_length``, ``sparql_max_nesting``, ``sparql_max_query_tokens``), checked
  before the query runs;
- :class:`TimeLimitError` (422): wall-clock time (``sparql_timeout``);
- :class:`CpuLimitError` (422): CPU time, ``RLIMIT_CPU`` of its worker (``sparql_cpu_limit``);
- :class:`MemoryLimitError` (422): address space, ``RLIMIT_AS`` of its worker
  (``sparql_worker_memory``);
- :class:`ClientBudgetError` (429): queries of one client at once
  (``sparql_client_concurrency``, ``sparql_client_queue``);
- :class:`EngineFailureError` (500): pyoxigraph failed on the query (a Rust panic);
- :class:`WorkerLostError` (503): a worker ended for a reason of the server's own.
"""

from __future__ import annotations

import math

from gdcat.errors import GdcatError, QueryError

MIB = 1024 * 1024


def describe_bytes(size: int) -> str:
    """``size`` for people: ``1 GiB``, ``768 MiB``."""
    if size >= 1024 * MIB and size % (1024 * MIB) == 0:
        return f"{size // (1024 * MIB)} GiB"
    if size >= 1024 * MIB:
        return f"{size / (1024 * MIB):.1f} GiB"
    return f"{math.ceil(size / MIB)} MiB"


class QueryLimitError(GdcatError):
    """A query passed one of the endpoint's resource limits (an answer the client can act
    on: 422). ``kind`` names the limit for the problem type."""

    kind = "limit"

    def __init__(self, message: str, limit: float, setting: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.setting = setting


class TimeLimitError(QueryLimitError):
    """A query ran past the endpoint's time limit and was stopped."""

    kind = "time-limit"

    def __init__(self, limit: float) -> None:
        super().__init__(f"the query ran longer than {limit:g} s", limit, "sparql_timeout")


class CpuLimitError(QueryLimitError):
    """A query used more CPU time than a query may; the system stopped its worker."""

    kind = "cpu-limit"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the query used more than {limit} s of CPU time", limit, "sparql_cpu_limit"
        )


class MemoryLimitError(QueryLimitError):
    """A query needed more memory than a worker may hold; its worker was stopped."""

    kind = "memory-limit"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the query needed more memory than the {describe_bytes(limit)} a query process "
            "may use",
            limit,
            "sparql_worker_memory",
        )


class QueryTooComplexError(QueryError):
    """A query whose text is too long or too deeply structured to be parsed safely (the
    limit and its setting are None when the query crashed its worker instead)."""

    def __init__(self, message: str, limit: int | None = None, setting: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.setting = setting


class ClientBudgetError(GdcatError):
    """A client already has as many queries running and waiting as it may."""

    def __init__(self, message: str, limit: int, retry_after: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.setting = "sparql_client_concurrency"
        self.retry_after = retry_after


class EngineFailureError(GdcatError):
    """pyoxigraph failed on a query (a defect of the engine, not of the query or the store)."""


class WorkerLostError(GdcatError):
    """The worker answering a query ended for a reason of the server's own (killed by the
    system, a crash not caused by the query): try again."""
