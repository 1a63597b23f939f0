"""A query worker process: ``python -m gdcat.sparql.worker FD``.

The worker talks to its parent over the socket ``FD`` (:class:`multiprocessing.connection.
Connection` messages): first a :class:`~gdcat.sparql.execute.Setup`, then
``(snapshot, limit, job)`` triples, each answered with an outcome; ``None`` or a closed socket
ends it.
``snapshot`` is the folder of a checkpoint of the store that nothing writes to (see
:class:`gdcat.sparql.pool.Snapshots`); the worker opens it read-only, and opens the next one
when the parent sends another (after a write).

The operating system holds the worker to the limits of its setup:

- ``RLIMIT_AS`` (``Setup.memory_limit``), set once the setup arrives: an allocation past it
  fails, and pyoxigraph (Rust) aborts the process (SIGABRT) rather than return the error;
- ``RLIMIT_CPU`` (``Setup.cpu_limit``), set before each job to the CPU time used so far plus
  the job's allowance: past it the kernel ends the process with SIGXCPU;
- ``RLIMIT_CORE`` 0: a worker that dies writes no core file.

The parent tells from the way a worker ended which limit a query passed (see
:func:`gdcat.sparql.pool.death_cause`).

Queries run in a thread with a stack of :data:`STACK_SIZE` (the parser and planner recurse
once per level of a query's structure, see :mod:`gdcat.sparql.shape`). The parent stops a query
past its time limit by killing the worker (SIGKILL). The worker also guards itself: it leaves
when its parent is gone, and when a query outlasts the limit its job carries by a wide margin
(exit status :data:`EXIT_OVERTIME`, so an orphaned worker cannot run forever).
"""

from __future__ import annotations

import math
import os
import resource
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox

from gdcat.sparql.execute import QueryFailure, QueryJob, Runner, Setup

#: Seconds a query may run past the limit its job carries before the worker ends itself.
SELF_LIMIT_MARGIN = 10.0
#: The worker's own exit status when a query outlasted its limit and the margin.
EXIT_OVERTIME = 3
#: Stack of the thread that parses and runs queries (the default 8 MiB holds about 4,000
#: nested groups; the text's nesting is checked before, see :mod:`gdcat.sparql.shape`).
STACK_SIZE = 64 * 1024 * 1024


class _Watchdog(threading.Thread):
    """Ends the process when the parent is gone or the current query overstays."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="watchdog")
        self._parent = os.getppid()
        self.deadline: float | None = None

    def run(self) -> None:
        while True:
            time.sleep(0.5)
            deadline = self.deadline
            if os.getppid() != self._parent:
                os._exit(0)
            if deadline is not None and time.monotonic() > deadline:
                os._exit(EXIT_OVERTIME)


def limit_memory(limit: int | None) -> None:
    """Hold this process's address space to ``limit`` bytes (and write no core file)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limit is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def allow_cpu(seconds: int | None) -> None:
    """Let this process use ``seconds`` more of CPU time (whole seconds, as the kernel
    counts), after which it receives SIGXCPU."""
    if seconds is None:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def serve(conn: Connection, setup: Setup, watchdog: _Watchdog) -> None:
    """Answer jobs from ``conn`` until told to stop."""
    runner = Runner(setup)
    store: ox.Store | None = None
    opened: str | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        snapshot, limit, job = message
        assert isinstance(job, QueryJob)
        watchdog.deadline = time.monotonic() + limit + SELF_LIMIT_MARGIN
        allow_cpu(setup.cpu_limit)
        if store is None or snapshot != opened:
            store = None
            try:
                store = ox.Store.read_only(snapshot)
                opened = snapshot
            except OSError as e:
                conn.send(QueryFailure("store", f"cannot open the store: {e}"))
                continue
        outcome = runner.run(store, job)
        if isinstance(outcome, QueryFailure) and outcome.reason == "store":
            store = None  # open it afresh for the next job
        watchdog.deadline = None
        try:
            conn.send(outcome)
        except OSError:
            return


def main(argv: list[str]) -> int:
    # Ctrl-C in a terminal reaches the whole process group: the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m gdcat.sparql.worker FD", file=sys.stderr)
        return 2
    conn = Connection(int(argv[1]))
    setup = conn.recv()
    if not isinstance(setup, Setup):
        print("the first message must be a Setup", file=sys.stderr)
        return 2
    limit_memory(setup.memory_limit)
    watchdog = _Watchdog()
    watchdog.start()
    threading.stack_size(STACK_SIZE)
    queries = threading.Thread(target=serve, args=(conn, setup, watchdog), name="queries")
    queries.start()
    queries.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
