"""A query worker process: ``python -m gdcat.sparql.worker FD``.

The worker talks to its parent over the socket ``FD`` (:class:`multiprocessing.connection.
Connection` messages): first a :class:`~gdcat.sparql.execute.Setup`, then
``(snapshot, limit, job)`` triples, each answered with an outcome; ``None`` or a closed socket
ends it. ``snapshot`` is the folder of a checkpoint of the store that nothing writes to (see
:class:`gdcat.sparql.pool.Snapshots`); the worker opens it read-only, and opens the next one
when the parent sends another (after a write).

The parent stops a query past its time limit by killing the worker (SIGKILL). The worker also
guards itself: it leaves when its parent is gone, and when a query outlasts the limit its job
carries by a wide margin (so an orphaned worker cannot run forever).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox

from gdcat.sparql.execute import QueryFailure, QueryJob, Runner, Setup

#: Seconds a query may run past the limit its job carries before the worker ends itself.
SELF_LIMIT_MARGIN = 10.0


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
                os._exit(3)


def serve(conn: Connection) -> None:
    """Answer jobs from ``conn`` until told to stop."""
    setup = conn.recv()
    if not isinstance(setup, Setup):
        raise SystemExit("the first message must be a Setup")
    runner = Runner(setup)
    watchdog = _Watchdog()
    watchdog.start()
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
    serve(Connection(int(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
