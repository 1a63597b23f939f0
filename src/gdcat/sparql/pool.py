"""Where queries run: a pool of worker processes (on-disk store), or threads (in-memory store).

pyoxigraph releases the GIL while it evaluates, so a query in a thread does not hold up the
others, but a thread cannot be stopped. Worker processes can: each holds a read-only view of
the store (:mod:`gdcat.sparql.worker`), a query past its time limit gets its worker killed
(SIGKILL) and a fresh worker takes its place while the next queries go to the others.

The workers never open the store the server writes to: pyoxigraph calls opening a database
read-only while another process writes it undefined behaviour. They open a *snapshot*
(:class:`Snapshots`): a RocksDB checkpoint of the store taken with ``Store.backup`` when a
query arrives after a write (hard links on the same file system: 10–70 ms, no copy), which
nothing writes to; a snapshot no worker reads any more is deleted.

The pool talks to its workers from the event loop itself (non-blocking sockets, the framing of
:class:`multiprocessing.connection.Connection`), so waiting for an answer costs no thread and
never blocks the loop; starting and reaping processes runs in a thread.

Each worker is held by the operating system to a memory limit (``RLIMIT_AS``) and each query to
a CPU-time limit (``RLIMIT_CPU``), see :mod:`gdcat.sparql.worker`. A worker that ends while
answering is replaced, and :func:`death_cause` tells from how it ended which limit the query
passed: SIGXCPU is the CPU limit; SIGABRT with "memory allocation of … failed" as its last
words (the worker's standard error goes to a file the pool reads) the memory limit, SIGABRT
after a Rust panic a defect of the engine; SIGSEGV a stack overflow (a query too deeply
structured); anything else (SIGKILL from the system's out-of-memory killer…) is the server's
own trouble.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from gdcat.errors import GdcatError, StoreError
from gdcat.sparql.execute import Outcome, QueryJob, Runner, Setup
from gdcat.sparql.limits import (
    CpuLimitError,
    EngineFailureError,
    MemoryLimitError,
    QueryLimitError,
    QueryTooComplexError,
    TimeLimitError,
    WorkerLostError,
)
from gdcat.sparql.worker import EXIT_OVERTIME

_log = logging.getLogger(__name__)

#: Seconds a worker gets to finish after being asked to stop, before it is killed.
_STOP_GRACE = 2.0
#: Seconds a worker that closed its socket gets to end, so that its exit status can be read.
_DEATH_GRACE = 5.0
_CHUNK = 1 << 20
#: How much of a dead worker's standard error is read (its last words).
_LAST_WORDS = 16 * 1024
#: What Rust (pyoxigraph), C++ (RocksDB) and Python write when an allocation fails.
_ALLOCATION_FAILED = re.compile(r"memory allocation of \d+ bytes failed|std::bad_alloc|MemoryError")
_PANIC = re.compile(r"panicked at [^\n]*\n([^\n]*)")


class EndpointBusyError(GdcatError):
    """Every worker stayed busy for as long as a query may run."""


class Snapshots:
    """Checkpoints of the primary store for the workers, one per write generation that was
    queried, in a folder of their own beside the store (``<store>-snapshots-<pid>-<random>``:
    on the same file system, so checkpoints are hard links; one per endpoint, so that two
    applications over one store never delete each other's). The folder goes at close; folders
    left by a process that died are removed when the next endpoint starts.

    ``checkpoint(target)`` takes one (:meth:`gdcat.store.OxigraphStore.checkpoint`: the store
    keeps its database handle to itself, so that it can re-open it after a failure). When a
    checkpoint cannot be taken (the disk is full), queries are answered from the last one
    taken, a little behind the store, rather than refused; the next query tries again."""

    def __init__(self, checkpoint: Callable[[Path], None], store_path: Path) -> None:
        self._checkpoint: Callable[[Path], None] | None = checkpoint
        prefix = f"{store_path.name}-snapshots-"
        _remove_orphans(store_path.parent, prefix)
        self._folder = Path(
            tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=store_path.parent)
        )
        self._lock = threading.Lock()
        self._current: tuple[int, str] | None = None
        self._made: set[str] = set()
        self._serial = 0

    @property
    def folder(self) -> Path:
        return self._folder

    def taken(self, generation: int) -> str | None:
        """The snapshot of ``generation`` if it was taken already (cheap: no I/O)."""
        with self._lock:
            if self._current is not None and self._current[0] == generation:
                return self._current[1]
            return None

    def path_for(self, generation: int) -> str:
        """The snapshot holding the store as of ``generation`` (taken now if there is none)."""
        with self._lock:
            if self._current is not None and self._current[0] == generation:
                return self._current[1]
            if self._checkpoint is None:
                raise StoreError("the SPARQL endpoint has been closed")
            self._serial += 1
            path = self._folder / f"g{generation}-{self._serial}"
            try:
                self._checkpoint(path)
            except StoreError as e:
                shutil.rmtree(path, ignore_errors=True)
                if self._current is not None:
                    _log.warning(
                        "queries read the snapshot of write %d: no snapshot of write %d can "
                        "be taken (%s)",
                        self._current[0],
                        generation,
                        e,
                    )
                    return self._current[1]
                raise StoreError(
                    f"cannot take a snapshot of the store for queries: {e}",
                    public=f"cannot take a snapshot of the store for queries: {e.public_message}",
                    retry_after=e.retry_after,
                ) from e
            self._current = (generation, str(path))
            self._made.add(str(path))
            return str(path)

    def release(self, in_use: set[str]) -> None:
        """Delete the snapshots that are neither current nor open in a worker."""
        with self._lock:
            keep = set(in_use)
            if self._current is not None:
                keep.add(self._current[1])
            stale = self._made - keep
            self._made -= stale
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._made.clear()
            self._current = None
            self._checkpoint = None
        shutil.rmtree(self._folder, ignore_errors=True)


def _remove_orphans(parent: Path, prefix: str) -> None:
    """Delete the snapshot folders of processes that no longer run."""
    for folder in parent.glob(prefix + "*"):
        pid = folder.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class QueryRunner(Protocol):
    """Runs query jobs within a time limit."""

    async def run(self, job: QueryJob, *, generation: int, timeout: float) -> Outcome: ...

    def close(self) -> None: ...


def _frame(message: Any) -> bytes:
    """``message`` as :class:`multiprocessing.connection.Connection` sends it."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(data)) + data
    return struct.pack("!i", len(data)) + data


class _Worker:
    """One worker process and the (non-blocking) socket to it."""

    def __init__(self, setup: Setup) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        # The worker imports gdcat from wherever this process did (a checkout, a test run).
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        # glibc reserves 64 MiB of address space per malloc arena, up to 8 per core: two keep
        # the worker's address space (what RLIMIT_AS counts) independent of the machine.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        # Its standard error goes to a file of its own (unlinked: gone with the last handle),
        # read when it dies to tell why (see death_cause) and logged.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by kill())
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gdcat.sparql.worker", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stderr=self.stderr,
                env=env,
            )
        except OSError as e:
            ours.close()
            self.stderr.close()
            raise StoreError(f"cannot start a SPARQL worker: {e}") from e
        finally:
            theirs.close()
        self.sock = ours
        self.sock.sendall(_frame(setup))
        self.sock.setblocking(False)
        #: The snapshot this worker has open (its last job's).
        self.snapshot: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    async def exchange(self, snapshot: str, limit: float, job: QueryJob) -> Outcome:
        """Send ``job`` (to run on ``snapshot``), wait for its outcome."""
        loop = asyncio.get_running_loop()
        self.snapshot = snapshot
        await loop.sock_sendall(self.sock, _frame((snapshot, limit, job)))
        (size,) = struct.unpack("!i", await self._read(loop, 4))
        if size == -1:
            (size,) = struct.unpack("!Q", await self._read(loop, 8))
        outcome: Outcome = pickle.loads(await self._read(loop, size))
        return outcome

    async def _read(self, loop: asyncio.AbstractEventLoop, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = await loop.sock_recv(self.sock, min(size - len(data), _CHUNK))
            if not chunk:
                raise EOFError("the worker closed its connection")
            data += chunk
        return bytes(data)

    def ending(self) -> tuple[int | None, str]:
        """How the process ended (waiting a little for it to; None if it still runs) and the
        last of what it wrote to its standard error."""
        try:
            status: int | None = self.process.wait(_DEATH_GRACE)
        except subprocess.TimeoutExpired:
            status = None
        try:
            size = self.stderr.seek(0, os.SEEK_END)
            self.stderr.seek(max(0, size - _LAST_WORDS))
            words = self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            words = ""
        return status, words

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        self.sock.close()
        self.stderr.close()

    def stop(self) -> None:
        try:
            self.sock.send(_frame(None))
            self.process.wait(_STOP_GRACE)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class WorkerPool:
    """``size`` worker processes answering queries on snapshots of an on-disk store.

    Workers start with the first query. The time limit counts from the moment the job reaches
    a worker; a job that waits for a worker longer than the limit is refused as busy. The pool
    serves the event loop that first uses it.
    """

    def __init__(self, setup: Setup, size: int, snapshots: Snapshots) -> None:
        self._setup = setup
        self._snapshots = snapshots
        self._size = size
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._busy = 0
        self._closed = False
        self._spawn_error: str | None = None
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    async def run(self, job: QueryJob, *, generation: int, timeout: float) -> Outcome:
        idle = await self._ready()
        try:
            async with asyncio.timeout(timeout):
                worker = await idle.get()
                while worker.process.poll() is not None:  # died while idle (OOM killer…)
                    self._replace(worker)
                    worker = await idle.get()
        except TimeoutError:
            if self._spawn_error and not self._workers:
                raise StoreError(f"no SPARQL worker could start: {self._spawn_error}") from None
            raise EndpointBusyError(
                f"every SPARQL worker stayed busy for {timeout:g} s; try again shortly"
            ) from None
        with self._lock:
            self._busy += 1
        try:
            snapshot = self._snapshots.taken(generation)
            if snapshot is None:  # the first query after a write: take one (10-70 ms)
                loop = asyncio.get_running_loop()
                snapshot = await loop.run_in_executor(None, self._snapshots.path_for, generation)
            if snapshot != worker.snapshot and worker.snapshot is not None:
                self._release_later()
            async with asyncio.timeout(timeout):
                outcome = await worker.exchange(snapshot, timeout, job)
        except TimeoutError:
            self._replace(worker)
            raise TimeLimitError(timeout) from None
        except (EOFError, OSError) as e:
            loop = asyncio.get_running_loop()
            status, words = await loop.run_in_executor(None, worker.ending)
            self._replace(worker)
            cause = death_cause(status, self._setup, timeout, words)
            quiet = isinstance(cause, QueryLimitError | QueryTooComplexError)
            (_log.info if quiet else _log.warning)(
                "SPARQL worker %d ended while answering (status %s): %s\n%s",
                worker.pid,
                status,
                cause,
                words[-2000:],
            )
            raise cause from e
        except BaseException:
            # Cancelled mid-answer: the worker's next message would belong to this job.
            self._replace(worker)
            raise
        finally:
            with self._lock:
                self._busy -= 1
        idle.put_nowait(worker)
        return outcome

    def _release_later(self) -> None:
        """Delete, in a thread, the snapshots no worker will read again."""
        with self._lock:
            in_use = {w.snapshot for w in self._workers if w.snapshot is not None}
        assert self._loop is not None
        task = self._loop.run_in_executor(None, self._snapshots.release, in_use)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def pids(self) -> list[int]:
        """The process ids of the live workers (for operators and tests)."""
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def busy(self) -> int:
        """How many workers are answering a query now."""
        with self._lock:
            return self._busy

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        if workers:
            with ThreadPoolExecutor(len(workers)) as stopping:
                list(stopping.map(_Worker.stop, workers))
        self._snapshots.close()

    # -- workers coming and going ---------------------------------------------------------

    async def _ready(self) -> asyncio.Queue[_Worker]:
        loop = asyncio.get_running_loop()
        if self._idle is None:
            self._loop = loop
            self._idle = asyncio.Queue()
            for _ in range(self._size):
                self._start_one()
        elif loop is not self._loop:
            raise StoreError("the SPARQL worker pool serves one event loop only")
        return self._idle

    def _start_one(self) -> None:
        """Start a worker in a thread; it joins the idle queue when it is up."""
        assert self._loop is not None
        task = self._loop.run_in_executor(None, self._spawn)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _spawn(self) -> None:
        try:
            worker = _Worker(self._setup)
        except (GdcatError, OSError) as e:
            _log.error("cannot start a SPARQL worker: %s", e)
            with self._lock:
                self._spawn_error = str(e)
            return
        with self._lock:
            closed = self._closed
            if not closed:
                self._spawn_error = None
                self._workers.add(worker)
        if closed:
            worker.stop()
            return
        assert self._loop is not None and self._idle is not None
        try:
            self._loop.call_soon_threadsafe(self._idle.put_nowait, worker)
        except RuntimeError:  # the loop has closed meanwhile
            worker.stop()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now (SIGKILL); reap it and start its successor in a thread."""
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()
        assert self._loop is not None
        reaping = self._loop.run_in_executor(None, worker.kill)
        self._tasks.add(reaping)
        reaping.add_done_callback(self._tasks.discard)
        if not closed:
            self._start_one()


def death_cause(
    status: int | None, setup: Setup, timeout: float, last_words: str = ""
) -> GdcatError:
    """Why a worker that ended while answering a query did (``status``: its exit status,
    negative for a signal, None if it had not ended; ``last_words``: the end of what it wrote
    to its standard error). A crash that is no limit of the server's is the query's, or the
    engine's: the same query would crash the next worker too, so the client is told, not
    invited to retry."""
    if status == -signal.SIGXCPU and setup.cpu_limit is not None:
        return CpuLimitError(setup.cpu_limit)
    if status == -signal.SIGABRT:
        if setup.memory_limit is not None and _ALLOCATION_FAILED.search(last_words):
            return MemoryLimitError(setup.memory_limit)
        panic = _PANIC.search(last_words)
        reason = f": {panic.group(1).strip()}" if panic and panic.group(1).strip() else ""
        return EngineFailureError(f"the query engine aborted on this query{reason}")
    if status in (-signal.SIGSEGV, -signal.SIGBUS):
        return QueryTooComplexError(
            "the process answering the query crashed on it, most likely because its "
            "structure is too deep for the parser (nested groups, long chains of operators, "
            "UNIONs or patterns); flatten it or split it into several queries"
        )
    if status == EXIT_OVERTIME:
        return TimeLimitError(timeout)
    return WorkerLostError(
        f"the process answering the query ended unexpectedly ({_describe_status(status)}); "
        "try again shortly"
    )


def _describe_status(status: int | None) -> str:
    if status is None:
        return "it stopped answering"
    if status < 0:
        name = signal.Signals(-status).name if -status in signal.valid_signals() else "?"
        hint = ", perhaps by the system for want of memory" if -status == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit status {status}"


class ThreadRunner:
    """Queries on an in-memory store, in threads: past the time limit the answer is abandoned,
    but the computation runs on to its end (a thread cannot be stopped)."""

    def __init__(self, store: ox.Store, setup: Setup, size: int) -> None:
        self._store = store
        self._runner = Runner(setup)
        self._executor = ThreadPoolExecutor(size, thread_name_prefix="gdcat-sparql")

    async def run(self, job: QueryJob, *, generation: int, timeout: float) -> Outcome:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._runner.run, self._store, job)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeLimitError(timeout) from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
