"""How many queries one client may have at the endpoint at once.

The workers are few (``sparql_workers``) and a query may hold one for as long as the time limit
allows. Without a budget, one client sending twenty slow queries at once occupies every worker
and the others' queries wait until they are refused as busy. With it, each client (by address,
see :mod:`gdcat.api.clients`) may have ``concurrency`` queries answered or waiting for a worker,
and ``queue`` more waiting for one of those to finish; a query past that is refused at once
(429 with ``Retry-After``), and one that waits in its client's queue longer than the time limit
is refused too. By default ``concurrency`` is one less than the workers (at least one), so a
single client never holds every worker while there are two or more.

The budget lives on the event loop (no locks): :meth:`ClientBudget.slot` is an async context.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from gdcat.settings import Settings
from gdcat.sparql.limits import ClientBudgetError


def client_concurrency(settings: Settings) -> int:
    """Queries one client may have answered at once (``sparql_client_concurrency``, by default
    one less than the workers, at least one)."""
    if settings.sparql_client_concurrency is not None:
        return settings.sparql_client_concurrency
    return max(1, settings.sparql_workers - 1)


@dataclass
class _Client:
    running: int = 0
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


class ClientBudget:
    """``concurrency`` queries per client at once and ``queue`` more waiting, at most
    ``wait`` seconds each."""

    def __init__(self, concurrency: int, queue: int, wait: float) -> None:
        self.concurrency = concurrency
        self.queue = queue
        self.wait = wait
        self._clients: dict[str, _Client] = {}

    @property
    def retry_after(self) -> int:
        """Seconds a refused client is told to wait."""
        return max(1, math.ceil(min(self.wait, 20.0) / 4))

    def held(self, client: str) -> tuple[int, int]:
        """(running, waiting) queries of ``client`` (for tests and operators)."""
        state = self._clients.get(client)
        return (state.running, len(state.waiting)) if state else (0, 0)

    @contextlib.asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[None]:
        """Hold one of ``client``'s slots while the block runs (waiting for one if its queue
        has room); raise :class:`ClientBudgetError` when it has none."""
        await self._acquire(client)
        try:
            yield
        finally:
            self._release(client)

    async def _acquire(self, client: str) -> None:
        state = self._clients.setdefault(client, _Client())
        if state.running < self.concurrency and not state.waiting:
            state.running += 1
            return
        if len(state.waiting) >= self.queue:
            raise self._refusal(
                f"this client already has {state.running} SPARQL queries running and "
                f"{len(state.waiting)} waiting, the most one client may have "
                f"(sparql_client_concurrency = {self.concurrency}, sparql_client_queue = "
                f"{self.queue}); wait for an answer before sending the next query"
            )
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.waiting.append(turn)
        try:
            async with asyncio.timeout(self.wait):
                await turn  # _release hands a slot over by setting its result
        except BaseException as e:
            if turn.done() and not turn.cancelled():
                self._release(client)  # handed over just as the wait ended: pass it on
            else:
                turn.cancel()
                with contextlib.suppress(ValueError):
                    state.waiting.remove(turn)
                self._forget_if_idle(client)
            if isinstance(e, TimeoutError):
                raise self._refusal(
                    f"this client's earlier SPARQL queries kept its {self.concurrency} "
                    f"slot(s) busy for {self.wait:g} s, the most a query waits for its turn "
                    "(sparql_client_concurrency); send fewer queries at once"
                ) from None
            raise

    def _release(self, client: str) -> None:
        state = self._clients[client]
        while state.waiting:
            turn = state.waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot passes to the next waiting query
                return
        state.running -= 1
        self._forget_if_idle(client)

    def _forget_if_idle(self, client: str) -> None:
        state = self._clients.get(client)
        if state is not None and state.running == 0 and not state.waiting:
            del self._clients[client]

    def _refusal(self, message: str) -> ClientBudgetError:
        return ClientBudgetError(message, self.concurrency, self.retry_after)
