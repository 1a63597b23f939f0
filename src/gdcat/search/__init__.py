"""The only search entry point for the API and the UI.

:func:`open_index` gives the :class:`SearchIndex` of a store (tantivy, kept in step with the
store through its listeners, rebuilt from it when missing or stale); a :class:`Searcher` runs
a :class:`SearchRequest` against it: ranked text search in every language, facets with counts,
ontology-aware disease and phenotype filters, data-use matching (:mod:`gdcat.search.duo`) and
cohort totals.
"""

from __future__ import annotations

from gdcat.search.duo import Category, DataUse, Purpose, Verdict
from gdcat.search.index import (
    IndexBuildingError,
    RebuildRunningError,
    SearchIndex,
    SearchIndexError,
    index_path_for,
    open_search_index,
)
from gdcat.search.query import (
    KINDS,
    MAX_RESULT_WINDOW,
    SORT_NAMES,
    Cohort,
    CohortRow,
    FacetResult,
    Hit,
    Searcher,
    SearchRequest,
    SearchResult,
)
from gdcat.search.terms import FACETS, FACETS_BY_NAME, FacetSpec
from gdcat.search.vocabulary import Vocabulary, load_vocabulary
from gdcat.settings import Settings
from gdcat.store import Store
from gdcat.store.records import OUTCOMES

__all__ = [
    "FACETS",
    "FACETS_BY_NAME",
    "KINDS",
    "MAX_RESULT_WINDOW",
    "OUTCOMES",
    "SORT_NAMES",
    "Category",
    "Cohort",
    "CohortRow",
    "DataUse",
    "FacetResult",
    "FacetSpec",
    "Hit",
    "IndexBuildingError",
    "Purpose",
    "RebuildRunningError",
    "SearchIndex",
    "SearchIndexError",
    "SearchRequest",
    "SearchResult",
    "Searcher",
    "Verdict",
    "Vocabulary",
    "load_vocabulary",
    "open_index",
]


def open_index(settings: Settings, store: Store, *, background: bool = False) -> SearchIndex:
    """The search index following ``store``: on disk at ``settings.index_dir`` or beside an
    on-disk store (``<store>-index``), in memory for an in-memory store; built from the store
    when missing or stale (in a thread with ``background``: see
    :class:`~gdcat.search.index.SearchIndex`). The caller closes it (which stops it following
    the store)."""
    path = index_path_for(store, settings.index_dir)
    return open_search_index(store, load_vocabulary(), path, background=background)
