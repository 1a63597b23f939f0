"""The narrow interface every knowledge-graph store offers.

The embedded Oxigraph store implements it (``gdcat.store.oxigraph``); a remote SPARQL 1.1
store (Query, Update and Graph Store Protocol: Oxigraph server, Fuseki, GraphDB, Virtuoso) can
implement it too: each method maps onto one or two SPARQL requests or graph-store calls.

Graph layout (see ``docs/architecture.md``): one named graph per record, named by its
``dcat:CatalogRecord`` IRI; the catalogue records in the provenance graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import Graph

from gdcat.store.health import StoreHealth
from gdcat.store.records import (
    CatalogRecord,
    ReadAlong,
    RecordChange,
    RecordRead,
    RecordSource,
    RecordWrite,
)
from gdcat.store.results import QueryResult
from gdcat.store.sharing import FollowResult, LeaseState


class QueryableStore(Protocol):
    """The read side that SPARQL alone answers: what the inventory, the change feed and
    ``gdcat query`` need. Every :class:`Store` is one; so is a served store read through its
    endpoint (:class:`gdcat.served.ServedStore`)."""

    @property
    def base_iri(self) -> str: ...

    @property
    def provenance_graph(self) -> str: ...

    def query(
        self, sparql: str, *, union_default_graph: bool = True, max_rows: int | None = None
    ) -> QueryResult: ...

    def serialize(self, result: QueryResult, fmt: str) -> str: ...


@runtime_checkable
class Store(Protocol):
    """A knowledge graph of records with their catalogue records."""

    @property
    def base_iri(self) -> str:
        """The base under which record and graph IRIs are minted (ends with ``/``)."""
        ...

    @property
    def provenance_graph(self) -> str:
        """The IRI of the graph holding the ``dcat:CatalogRecord``s."""
        ...

    @property
    def generation(self) -> int:
        """A counter bumped by every committed write, so that readers can tell they are stale."""
        ...

    def add_listener(self, listener: Callable[[RecordChange], None]) -> None:
        """Call ``listener`` after every commit that wrote or withdrew records (in the writing
        thread, after the store committed). A failing listener is logged, never raised."""
        ...

    def remove_listener(self, listener: Callable[[RecordChange], None]) -> None:
        """Stop calling ``listener``."""
        ...

    def put_records(
        self, records: Sequence[RecordWrite], *, bulk: bool = False, atomic: bool = False
    ) -> None:
        """Write or replace records, each with its catalogue record.

        Each record is replaced as a whole: no triple of its previous version survives, and a
        write that fails leaves the previous version whole. Records that could not be written
        are reported together in one :class:`~gdcat.store.records.RecordWriteError` after the
        others were written. ``bulk=True`` loads records the store has never seen through the
        fastest path (for first loads of many records); records already known are replaced as
        usual. ``atomic=True`` writes all the records in one transaction or none of them (a
        steward's document): one that cannot be written fails them all, and the error's
        ``written`` is empty.
        """
        ...

    def withdraw(self, dataset_iri: str) -> bool:
        """Remove a record's graph and mark its catalogue record withdrawn (a tombstone).

        Returns False when no live record of that dataset was stored.
        """
        ...

    def get_record(self, dataset_iri: str) -> Graph | None:
        """The record's triples as published (datatypes restored), or None."""
        ...

    def catalog_record(self, dataset_iri: str) -> CatalogRecord | None:
        """The dataset's catalogue record, withdrawn ones included, or None if never stored."""
        ...

    def catalog_record_at(self, record: str) -> CatalogRecord | None:
        """:meth:`catalog_record` by the record's own IRI (a page's key names the record)."""
        ...

    def record_triples(self, record_iri: str) -> list[ox.Triple]:
        """The triples of the record graph ``record_iri`` as published (datatypes restored,
        as :meth:`get_record`), none for a graph that does not exist: what a page of the
        record reads, without an rdflib graph."""
        ...

    def catalog_record_with_triples(
        self, record_iri: str, along: ReadAlong | None = None
    ) -> RecordRead:
        """:meth:`catalog_record_at` and, for a live record, :meth:`record_triples` and the
        solutions of ``along``, read together (a remote store asks for all in one request):
        what a page of the record reads. A withdrawn or unknown record has no triples and
        no solutions."""
        ...

    def list_records(self) -> list[str]:
        """The dataset IRIs of every live record, sorted."""
        ...

    def record_hashes(self) -> dict[str, str]:
        """Dataset IRI -> content hash of every live record (to skip unchanged records)."""
        ...

    def record_sources(self, node: str | None = None) -> dict[str, RecordSource]:
        """Dataset IRI -> hash, source URL, profile and outcome of every live record, of one
        node if ``node`` is given (what a harvest diffs against)."""
        ...

    def mark_seen(self, dataset_iris: Sequence[str], run_iri: str) -> None:
        """Record that the harvest run ``run_iri`` saw these (unchanged) records."""
        ...

    def put_graph(self, graph_iri: str, graph: Graph, *, replace: bool = True) -> None:
        """Write a graph that is not a record (harvest state, run reports, registrations),
        replacing it whole unless ``replace`` is False (then the triples are added)."""
        ...

    def get_graph(self, graph_iri: str) -> Graph:
        """A non-record graph's triples (empty if there is none)."""
        ...

    def query(
        self, sparql: str, *, union_default_graph: bool = True, max_rows: int | None = None
    ) -> QueryResult:
        """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE).

        With ``union_default_graph`` the default graph is the union of every graph in the
        store. ``max_rows`` caps the rows (or triples) read; the result says if it was cut.
        """
        ...

    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 Update as one transaction (administration and test stores only:
        it bypasses the record-writing mechanism, so catalogue records and followers such as
        the search index are not kept in step). Raises :class:`~gdcat.errors.QueryError` for
        an update that cannot be parsed or applied."""
        ...

    def serialize(self, result: QueryResult, fmt: str) -> str:
        """``result`` rendered for people or programs (see :mod:`gdcat.store.results`)."""
        ...

    def count_triples(self) -> int:
        """How many triples (quads) the store holds in all graphs."""
        ...

    def health(self) -> StoreHealth:
        """Whether the store can be read and written now (a cheap probe of each, and the
        failure it is recovering from, if any); a remote store would answer with a ping and
        the outcome of its last write."""
        ...

    def close(self) -> None:
        """Flush and release the store; further calls fail."""
        ...

    def follow(self) -> FollowResult:
        """Catch up with the writes other processes committed since the last call: tell the
        listeners which records they wrote or withdrew (the first call only notes where the
        store stands). A store only one process opens has nothing to follow."""
        ...

    def acquire_lease(self, name: str, owner: str, seconds: float) -> LeaseState:
        """Take the lease ``name`` (a lock shared by every process using the store) for
        ``owner`` for ``seconds``, unless another owner holds it; taking it again renews it.
        Two processes never both hold it (see :mod:`gdcat.store.sharing`)."""
        ...

    def renew_lease(self, name: str, owner: str, seconds: float) -> bool:
        """Extend ``owner``'s lease by ``seconds`` from now; False if it no longer holds it."""
        ...

    def release_lease(self, name: str, owner: str) -> None:
        """Give the lease up (nothing happens if ``owner`` does not hold it)."""
        ...

    def rebuild_counts(self) -> int:
        """Count every live record's share of the counts again from its graph and replace
        the counts with the result, marked complete (after a raw update made them incomplete,
        or for a store written before counts existed); returns how many records were counted.
        Until it ends the counts are incomplete and the inventory counts the records
        themselves; a write by another process meanwhile leaves them incomplete (run it again)."""
        ...
