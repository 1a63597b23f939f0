"""What a store says about itself: can it be read, can it be written, and if not, why.

The embedded store answers from what happened (the outcome of the last write, the failure it
is recovering from) and from a cheap probe made now (a read, and a write that changes
nothing); see :meth:`gdcat.store.OxigraphStore.health`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

#: How the store is open: for reading and writing; for reading only (re-opening it for
#: writing failed, so it serves what it holds); not at all (it could not be opened again);
#: in memory (nothing on disk); in a remote engine (read and written over HTTP).
StoreMode = Literal["read-write", "read-only", "closed", "memory", "remote"]


@dataclass(frozen=True)
class StoreHealth:
    """The state of a store, as a health check reports it (no server paths in it)."""

    #: a read of the store succeeded just now
    readable: bool
    #: no write failure is pending and a write that changes nothing succeeded just now (or,
    #: while a long write holds the store, the last write succeeded)
    writable: bool
    mode: StoreMode
    #: why the store cannot be written, said without file paths ("the server's disk is full")
    failure: str | None = None
    #: when the failure that is not recovered from yet happened
    failing_since: datetime | None = None
    #: seconds until the store next tries to re-open itself, while it is failing
    retry_in: float | None = None
    #: when the last write was attempted, and whether it succeeded
    last_write: datetime | None = None
    last_write_ok: bool | None = None
    #: how many times the store was re-opened to recover from a failure since it started
    reopened: int = 0
    #: the store's write generation (see :attr:`gdcat.store.Store.generation`)
    generation: int = 0
