"""The knowledge-graph store: records in named graphs, their catalogue records, the inventory.

``open_store(path, base_iri)`` gives the embedded Oxigraph store (on disk, or in memory when
``path`` is None); everything else talks to the :class:`Store` protocol.
"""

from __future__ import annotations

from pathlib import Path

from gdcat.store.health import StoreHealth
from gdcat.store.inventory import CountedInventory, Inventory, InventoryRow, compute_inventory
from gdcat.store.oxigraph import OxigraphStore
from gdcat.store.protocol import QueryableStore, Store
from gdcat.store.records import (
    CatalogRecord,
    Outcome,
    RecordChange,
    RecordMeta,
    RecordSource,
    RecordStatus,
    RecordWrite,
    RecordWriteError,
    provenance_graph_iri,
    record_iri,
)
from gdcat.store.results import RESULT_FORMATS, QueryResult, serialize_result

__all__ = [
    "RESULT_FORMATS",
    "CatalogRecord",
    "CountedInventory",
    "Inventory",
    "InventoryRow",
    "Outcome",
    "OxigraphStore",
    "QueryResult",
    "QueryableStore",
    "RecordChange",
    "RecordMeta",
    "RecordSource",
    "RecordStatus",
    "RecordWrite",
    "RecordWriteError",
    "Store",
    "StoreHealth",
    "compute_inventory",
    "open_store",
    "provenance_graph_iri",
    "record_iri",
    "serialize_result",
]


def open_store(path: Path | None, base_iri: str) -> Store:
    """The embedded store under ``path`` (created if missing), or in memory when None."""
    return OxigraphStore(path, base_iri)
