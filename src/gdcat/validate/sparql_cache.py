"""Parse each SPARQL query text once per process, however often pySHACL runs it.

pySHACL evaluates a SPARQL-based constraint (``sh:sparql``, and the SPARQL it writes for
``sh:lessThanOrEquals`` and the like) once per focus node, passing the same query text with
other bindings; rdflib parses and translates that text every time, which was half of the
validation time on gdcat's shapes. rdflib supports exactly this reuse through prepared queries
(translate once, evaluate with any ``initBindings``); the processor here keeps the prepared
form of recent texts and hands it to rdflib's own processor, so results are unchanged.

On the graph of a batch's index (:class:`gdcat.validate.engine.Index`), a query simple enough
for :mod:`.sparql_native` is answered from the index instead, with the same rows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor

from gdcat.validate.engine import IndexStore
from gdcat.validate.sparql_native import plan_of

_MAX_PREPARED = 512
_prepared: OrderedDict[tuple[str, str | None, tuple[tuple[str, str], ...]], Query] = OrderedDict()


class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, preparing each query text once."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Any] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            strOrQuery = prepared(strOrQuery, base, initNs)
        store = getattr(self.graph, "store", None)
        if isinstance(store, IndexStore):
            plan = plan_of(strOrQuery)
            if plan is not None:
                answer = plan.run(store.index, initBindings or {})
                if answer is not None:
                    return answer
        return super().query(strOrQuery, initBindings or {}, initNs or {}, base, DEBUG)


def prepared(text: str, base: str | None, namespaces: Mapping[str, Any] | None) -> Query:
    """The translated query for ``text`` (cached, least recently used dropped first)."""
    key = (text, base, tuple(sorted((k, str(v)) for k, v in (namespaces or {}).items())))
    query = _prepared.get(key)
    if query is None:
        query = translateQuery(parseQuery(text), base, dict(namespaces or {}))
        _prepared[key] = query
        if len(_prepared) > _MAX_PREPARED:
            _prepared.popitem(last=False)
    else:
        _prepared.move_to_end(key)
    return query


def install() -> None:
    """Make the caching processor rdflib's ``sparql`` query processor in this process."""
    plugin.register("sparql", Processor, "gdcat.validate.sparql_cache", "CachingSPARQLProcessor")
