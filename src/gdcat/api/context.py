"""What every route reads: the settings, the store, the search index, and what to close."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from gdcat.settings import Settings
from gdcat.store import CountedInventory, Store

if TYPE_CHECKING:
    from gdcat.search import SearchIndex

_log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """The state one application serves from; built by :func:`gdcat.api.create_app`."""

    settings: Settings
    store: Store
    #: The search index, None when search is off.
    index: SearchIndex | None = None
    #: Called in reverse order when the application shuts down.
    closers: list[Callable[[], None]] = field(default_factory=list)
    #: Per-module state (worker pools, token tables…), keyed by module name.
    extras: dict[str, Any] = field(default_factory=dict)
    #: The 1+MG inventory, counted once per store generation for every surface that shows it.
    inventory: CountedInventory = field(init=False)

    def __post_init__(self) -> None:
        self.inventory = CountedInventory(self.store)

    @property
    def base_iri(self) -> str:
        return self.store.base_iri

    def close(self) -> None:
        while self.closers:
            closer = self.closers.pop()
            try:
                closer()
            except Exception:
                _log.exception("closing %r failed", closer)


def get_context(request: Request) -> AppContext:
    """FastAPI dependency: the application's context."""
    ctx: AppContext = request.app.state.ctx
    return ctx
