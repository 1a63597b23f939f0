"""A serving process keeps in step with the writes of the others (several ``gdcat serve``
processes over one remote store, see ``docs/operator-guide.md``).

Every ``follow_interval`` seconds a thread asks the store for the records other processes
wrote or withdrew since it last asked (:meth:`gdcat.store.Store.follow`, read from the store's
change log: see :mod:`gdcat.store.sharing`); the store tells its listeners, so the search index
replaces their documents as it does for this process's own writes (which it hears of at
once), and the store's generation moves, so that every cache keyed by it (the inventory, the
dataset listing, the quality figures) reads again. A write through one process is thus
searchable through every other within about ``follow_interval`` seconds (plus the time to
index it). When changes may have been missed (the process could not read the log for longer
than the log keeps entries, or the store was away when the server started), the index is
rebuilt in a thread of its own, serving meanwhile, while following goes on. A store only one process
opens (the embedded store) has nothing to follow: no thread is started.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from gdcat.errors import GdcatError
from gdcat.store import OxigraphStore, Store

if TYPE_CHECKING:
    from gdcat.search import SearchIndex

_log = logging.getLogger(__name__)


class StoreFollower:
    """The thread following ``store`` every ``interval`` seconds (see the module docstring)."""

    def __init__(self, store: Store, interval: float) -> None:
        self._store = store
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.index: SearchIndex | None = None
        #: when the store was last read successfully, and what went wrong since, if anything
        self.last_read: datetime | None = None
        self.failure: str | None = None
        self.followed = 0
        #: a rebuild of the index started by :meth:`_resynchronise`, while it runs
        self._rebuilder: threading.Thread | None = None

    @staticmethod
    def needed(store: Store, interval: float) -> bool:
        """Whether ``store`` can be written by other processes (and following is on)."""
        return interval > 0 and not isinstance(store, OxigraphStore)

    def mark(self) -> None:
        """Note where the store's change log stands (before the index reads the store, so
        that nothing written meanwhile is missed)."""
        self._read()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="gdcat-follow", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._read()

    def _read(self) -> None:
        # the log's first read notes where it stands; when that is only now (the store was
        # away at start), the index may have been built before writes this process missed
        unmarked = self.last_read is None and self._thread is not None
        try:
            result = self._store.follow()
        except GdcatError as e:  # the store is away: the next round tries again
            if self.failure is None:
                _log.warning("cannot follow the store's changes: %s", e)
            self.failure = e.public_message
            return
        self.failure = None
        self.last_read = datetime.now().astimezone()
        self.followed += result.changed
        index = self.index
        if not result.complete or unmarked:
            self._resynchronise("changes of other processes may have been missed")
        elif index is not None and index.health().failure is not None:
            self._resynchronise("the store answers again")

    def _resynchronise(self, why: str) -> None:
        """Rebuild the index in a thread of its own (following goes on meanwhile: what it
        reads is applied once the new index is in place)."""
        index = self.index
        running = self._rebuilder
        if index is None or (running is not None and running.is_alive()):
            return
        _log.warning("%s: rebuilding the search index", why)
        self._rebuilder = threading.Thread(
            target=self._rebuild, args=(index,), name="gdcat-follow-rebuild", daemon=True
        )
        self._rebuilder.start()

    @staticmethod
    def _rebuild(index: SearchIndex) -> None:
        from gdcat.search import RebuildRunningError

        try:
            index.rebuild()
        except RebuildRunningError:
            pass
        except GdcatError as e:
            _log.error("the search index could not be rebuilt: %s", e)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        # a rebuild still running is left to end with the process, as a start's build is
