"""One harvest of a node at a time, across every process using the store.

Before a run harvests a node it takes the node's harvest lease in the store
(:meth:`gdcat.store.Store.acquire_lease`, named ``harvest/<node>``); a node whose lease another
process holds is left out of the run and listed in the report's ``elsewhere`` (that process
does the work: not a failure). The leases are renewed every third of :data:`LEASE_SECONDS`
while the run lasts and released when it ends; a process that dies leaves a lease that
expires after :data:`LEASE_SECONDS` and is taken over then. Dry runs write nothing and take
no lease.

The owner is the process (host, pid and a random part), not the run: a run that stopped without
releasing its leases (its store went away mid-harvest) leaves them to its own process, whose
next run takes them at once instead of waiting for their expiry. Two runs of one process never
harvest one node together: the process keeps the leases its live runs hold in memory.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from types import TracebackType

from gdcat.errors import GdcatError
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import RunReport
from gdcat.store import Store
from gdcat.store.sharing import lease_owner

_log = logging.getLogger(__name__)

#: How long a harvest lease lasts unless renewed (seconds).
LEASE_SECONDS = 60.0


_PREFIX = "harvest/"


def lease_name(node: str) -> str:
    return f"{_PREFIX}{node}"


_process: tuple[int, str] | None = None
#: the lease names the live runs of this process hold
_live: set[str] = set()
_live_lock = threading.Lock()


def process_owner() -> str:
    """This process's lease owner id (a new one after a fork)."""
    global _process
    pid = os.getpid()
    if _process is None or _process[0] != pid:
        _process = (pid, lease_owner())
        _live.clear()
    return _process[1]


def _forget(name: str) -> None:
    with _live_lock:
        _live.discard(name)


class HarvestLeases:
    """The harvest leases one run holds (a context manager: released on exit)."""

    def __init__(self, store: Store, *, dry_run: bool = False) -> None:
        self._store = store
        self._dry_run = dry_run
        self.owner = process_owner()
        self._held: list[str] = []
        #: nodes whose lease was lost while the run worked (another process took them over)
        self._lost: set[str] = set()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def take(self, nodes: Sequence[NodeConfig], report: RunReport) -> list[NodeConfig]:
        """The nodes whose lease this run took; the others go to ``report.elsewhere``."""
        if self._dry_run:
            return list(nodes)
        taken: list[NodeConfig] = []
        for node in nodes:
            name = lease_name(node.id)
            with _live_lock:
                if name in _live:
                    report.elsewhere[node.id] = "held by another run of this process"
                    continue
                _live.add(name)
            try:
                state = self._store.acquire_lease(name, self.owner, LEASE_SECONDS)
            except BaseException:
                _forget(name)
                raise
            if state.acquired:
                self._held.append(name)
                taken.append(node)
            else:
                _forget(name)
                report.elsewhere[node.id] = state.describe()
                _log.info("node %s is being harvested elsewhere (%s)", node.id, state.describe())
        if self._held:
            self._renewer = threading.Thread(
                target=self._renew, name="gdcat-harvest-lease", daemon=True
            )
            self._renewer.start()
        return taken

    def release(self, nodes: Sequence[NodeConfig]) -> None:
        """Give back the leases of ``nodes`` now (this run will not harvest them)."""
        for node in nodes:
            name = lease_name(node.id)
            if name in self._held:
                self._held.remove(name)
                self._give_back(name)

    def _give_back(self, name: str) -> None:
        try:
            self._store.release_lease(name, self.owner)
        except GdcatError as e:  # it expires by itself, or this process's next run takes it
            _log.warning("cannot release the harvest lease %s: %s", name, e)
        finally:
            _forget(name)

    def lost(self, node: str) -> bool:
        """Whether this run lost ``node``'s lease (it must write nothing more for it)."""
        return node in self._lost

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_SECONDS / 3):
            self.renew()

    def renew(self) -> None:
        """Extend every lease held (the renewing thread calls this every third of
        :data:`LEASE_SECONDS`); a lease another process has taken over is lost."""
        for name in list(self._held):
            try:
                if not self._store.renew_lease(name, self.owner, LEASE_SECONDS):
                    _log.error(
                        "the harvest lease %s was lost (this run stalled past its expiry "
                        "and another process took it over): nothing more is written for it",
                        name,
                    )
                    if name in self._held:
                        self._held.remove(name)
                        _forget(name)
                    self._lost.add(name.removeprefix(_PREFIX))
            except GdcatError as e:  # the store is down: the next renewal tries again
                _log.warning("cannot renew the harvest lease %s: %s", name, e)

    def __enter__(self) -> HarvestLeases:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=30)
        for name in self._held:
            self._give_back(name)
        self._held = []
