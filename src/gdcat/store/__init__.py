"""The knowledge-graph store: records in named graphs, their catalogue records, the inventory.

``open_store(settings)`` gives the store the settings name: the remote SPARQL store at
``store_url`` when one is set, else the embedded Oxigraph store in ``store_dir``;
``open_store(path, base_iri)`` the embedded store (on disk, or in memory when ``path`` is
None). Everything else talks to the :class:`Store` protocol.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gdcat.store.health import StoreHealth
from gdcat.store.inventory import CountedInventory, Inventory, InventoryRow, compute_inventory
from gdcat.store.oxigraph import OxigraphStore
from gdcat.store.protocol import QueryableStore, Store
from gdcat.store.records import (
    CatalogRecord,
    Outcome,
    ReadAlong,
    RecordChange,
    RecordMeta,
    RecordRead,
    RecordSource,
    RecordStatus,
    RecordWrite,
    RecordWriteError,
    provenance_graph_iri,
    record_iri,
)
from gdcat.store.remote import RemoteStore
from gdcat.store.results import RESULT_FORMATS, QueryResult, serialize_result

if TYPE_CHECKING:
    from gdcat.settings import Settings

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
    "ReadAlong",
    "RecordChange",
    "RecordMeta",
    "RecordRead",
    "RecordSource",
    "RecordStatus",
    "RecordWrite",
    "RecordWriteError",
    "RemoteStore",
    "Store",
    "StoreHealth",
    "compute_inventory",
    "open_store",
    "provenance_graph_iri",
    "record_iri",
    "serialize_result",
]


def open_store(location: Settings | Path | None, base_iri: str | None = None) -> Store:
    """The store the settings name (remote at ``store_url``, else embedded in ``store_dir``),
    or the embedded store under a path (created if missing; in memory when None)."""
    from gdcat.settings import Settings

    if isinstance(location, Settings):
        if location.store_url is not None:
            password = location.store_password
            return RemoteStore(
                location.store_url,
                location.base_iri,
                kind=location.store_kind,
                timeout=location.store_timeout,
                user=location.store_user,
                password=password.get_secret_value() if password is not None else None,
            )
        return OxigraphStore(location.store_dir, location.base_iri)
    if base_iri is None:
        raise TypeError("open_store(path, base_iri) needs the base IRI")
    return OxigraphStore(location, base_iri)
