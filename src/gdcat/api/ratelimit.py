"""A rate limit per client address: a token bucket for each, kept in this process.

Each client may make ``rate`` calls per ``period`` seconds, all at once or spread out: its
bucket holds up to ``rate`` tokens, one is taken per call, and tokens come back at
``rate / period`` per second. A call that finds the bucket empty is told how long to wait.

Clients are told apart by address; an IPv6 client by its /64 network (one host usually has a
whole /64 to itself, and could otherwise change address for every call). At most
``max_clients`` buckets are kept: the least recently seen is forgotten first, so a flood from
many addresses costs bounded memory (a forgotten client starts again with a full bucket).

The state lives in the process: with several server processes, each counts on its own.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``rate`` calls per ``period`` seconds for each client (thread-safe)."""

    def __init__(
        self,
        rate: int,
        period: float,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate < 1 or period <= 0:
            raise ValueError("a rate limit needs at least one call per positive period")
        self.rate = rate
        self.period = period
        self.max_clients = max_clients
        self._refill = rate / period  # tokens per second
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float | None:
        """Take a token for ``client``: None when the call may go ahead, else the seconds
        until it may (nothing is taken then)."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = self._buckets[client] = _Bucket(float(self.rate), now)
                while len(self._buckets) > self.max_clients:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(client)
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(float(self.rate), bucket.tokens + elapsed * self._refill)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return (1.0 - bucket.tokens) / self._refill

    def clients(self) -> int:
        """How many clients' buckets are kept."""
        with self._lock:
            return len(self._buckets)


def retry_after(seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
