"""Searching the index: text, filters, data-use matching, facets, cohort totals, a page of hits.

- **Text** (``text``) is tantivy query syntax over titles, descriptions and keywords in every
  language (titles weigh 3, keywords 2, descriptions 1; all words must match). Text that is not
  valid syntax is searched as its plain words, with a warning.
- **Filters**: AND across facets, OR within one (several values of one facet). Disease and
  phenotype filters match the term or a narrower one (the index holds each dataset's
  ancestor closure).
- **Facet counts** of a facet are computed with every filter but its own, so that the counts
  say what choosing another value would give (as search pages with check boxes do).
- **Cohort totals** add up individuals, genomes, exomes and samples of the matching datasets
  (not dataset series, which summarise their members, and not data derived from another
  dataset of the catalogue), by country and by sequencing type, as the inventory counts them.
- **Data use**: a :class:`~gdcat.search.duo.Purpose` keeps the datasets permitting it
  (:func:`gdcat.search.duo.rule`); each hit carries the verdict and its conditions.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import tantivy

from gdcat.search import duo
from gdcat.search.documents import COUNT_FIELDS, pick_text
from gdcat.search.index import SearchIndex, payload_of
from gdcat.search.terms import (
    DISEASE_SCHEME,
    DUO_SCHEME,
    FACETS,
    FACETS_BY_NAME,
    SEQUENCING_TYPE_SCHEME,
    FacetSpec,
)

#: Sort orders: name -> (fast field, descending); "relevance" sorts by score.
SORTS: dict[str, tuple[str, bool]] = {
    "title": ("title_sort", False),
    "-title": ("title_sort", True),
    "modified": ("modified", False),
    "-modified": ("modified", True),
    "individuals": ("size", False),
    "-individuals": ("size", True),
}
SORT_NAMES = ("relevance", *SORTS)
#: Hits beyond this position are not served (a deep page costs memory for every earlier hit).
MAX_RESULT_WINDOW = 10_000
KINDS = ("dataset", "series")

_TEXT_FIELDS = ["title", "description", "keyword"]
_BOOSTS = {"title": 3.0, "keyword": 2.0, "description": 1.0}
_SNIPPET_CHARS = 240
#: Sequencing types whose datasets are counted in genomes, exomes; the others in samples.
_GENOME_TYPES = ("WGS", "LONGREAD")
_EXOME_TYPES = ("WES",)
_WORD = re.compile(r"\w+")
#: how many searches' facet counts and cohort totals are kept (per index generation)
_COUNTED_SEARCHES = 256
#: Words of the query syntax, dropped when a query is searched as plain words.
_OPERATORS = ("and", "or", "not")


@dataclass(frozen=True)
class SearchRequest:
    """One search; filter values are written as the index stores them (see ``terms``)."""

    text: str | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kinds: tuple[str, ...] = KINDS
    outcomes: tuple[str, ...] = ()
    purpose: duo.Purpose | None = None
    sort: str | None = None
    page: int = 1
    page_size: int = 20
    facets: tuple[str, ...] = tuple(f.name for f in FACETS)
    facet_size: int = 20
    language: str = "en"


@dataclass(frozen=True)
class Bucket:
    value: str
    label: str | None
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetResult:
    name: str
    buckets: tuple[Bucket, ...]
    #: matching datasets with a value beyond the buckets shown
    other: int


@dataclass(frozen=True)
class CohortRow:
    value: str | None
    label: str | None
    datasets: int
    individuals: int
    genomes: int
    exomes: int
    samples: int
    #: for a sequencing type: what it produces (genomes, exomes or samples) and how many
    unit: str | None = None
    produced: int | None = None


@dataclass(frozen=True)
class Cohort:
    datasets: int
    individuals: int
    genomes: int
    exomes: int
    samples: int
    by_country: tuple[CohortRow, ...]
    by_sequencing_type: tuple[CohortRow, ...]


@dataclass(frozen=True)
class Hit:
    payload: dict[str, Any]
    score: float | None
    title: str | None
    snippet: str | None
    snippet_html: str | None
    verdict: duo.Verdict | None


@dataclass(frozen=True)
class SearchResult:
    total: int
    sort: str
    hits: tuple[Hit, ...]
    facets: tuple[FacetResult, ...]
    cohort: Cohort
    warnings: tuple[str, ...]


class Searcher:
    """Runs :class:`SearchRequest`\\ s against one :class:`SearchIndex`."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index
        self._schema = index.schema
        self._labels: dict[str, str | None] = {}
        self._labels_generation = -1
        #: facet counts and cohort totals of recent searches, for the index generation
        #: they were counted on (see :meth:`_aggregates`)
        self._counted: OrderedDict[Hashable, tuple[tuple[FacetResult, ...], Cohort]] = OrderedDict()
        self._counted_generation = -1
        self._counted_lock = threading.Lock()

    def search(self, request: SearchRequest) -> SearchResult:
        # The generation is read before the index: counts made on a newer index than the
        # generation says are kept under an older key, never the other way round.
        generation = self._index.generation
        index = self._index.current()
        searcher = index.searcher()
        warnings: list[str] = []
        text_query = self._text_query(index, request.text, warnings)
        base = [self._kinds(request.kinds)]
        if text_query is not None:
            base.append(text_query)
        if request.outcomes:
            base.append(self._any("outcome", request.outcomes))
        if request.purpose is not None:
            base.append(self.purpose_query(request.purpose))
        by_facet = {
            name: self._filter(FACETS_BY_NAME[name], values)
            for name, values in request.filters.items()
            if values
        }
        query = _all([*base, *by_facet.values()])
        sort = request.sort or ("relevance" if text_query is not None else "title")
        if sort == "relevance" and text_query is None:
            sort = "title"
        total, hits = self._page(searcher, query, request, sort, warnings)
        snippets = self._snippets(searcher, text_query)
        facets, cohort = self._aggregates(
            generation, request, lambda: self._facets_and_cohort(searcher, base, by_facet, request)
        )
        return SearchResult(
            total=total,
            sort=sort,
            hits=tuple(self._hit(searcher, score, a, request, snippets) for score, a in hits),
            facets=facets,
            cohort=cohort,
            warnings=tuple(warnings),
        )

    def _aggregates(
        self,
        generation: int,
        request: SearchRequest,
        count: Callable[[], tuple[tuple[FacetResult, ...], Cohort]],
    ) -> tuple[tuple[FacetResult, ...], Cohort]:
        """The facet counts and cohort totals of ``request``: counted by ``count``, or kept
        from the same search on the same index generation.

        Counting walks every matching record (a search page with no words or one common word
        matches most of the catalogue: some 150 ms at a million records), and the same few
        searches come again and again (the search page as it opens, a popular filter). Any
        change of the index starts afresh; the page of hits itself is always searched."""
        key = (
            request.text,
            tuple((name, tuple(values)) for name, values in sorted(request.filters.items())),
            request.kinds,
            request.outcomes,
            request.purpose,
            request.facets,
            request.facet_size,
            request.language,
        )
        with self._counted_lock:
            if self._counted_generation != generation:
                self._counted.clear()
                self._counted_generation = generation
            kept = self._counted.get(key)
            if kept is not None:
                self._counted.move_to_end(key)
                return kept
        counted = count()
        with self._counted_lock:
            if self._counted_generation == generation:
                self._counted[key] = counted
                while len(self._counted) > _COUNTED_SEARCHES:
                    self._counted.popitem(last=False)
        return counted

    # -- queries --------------------------------------------------------------------------

    def _text_query(
        self, index: tantivy.Index, text: str | None, warnings: list[str]
    ) -> tantivy.Query | None:
        if text is None or not text.strip():
            return None
        try:
            return index.parse_query(
                text, _TEXT_FIELDS, field_boosts=_BOOSTS, conjunction_by_default=True
            )
        except ValueError as e:
            words = [w for w in _WORD.findall(text.lower()) if w not in _OPERATORS]
            warnings.append(
                f"q is not valid query syntax ({e}); searched for its words instead: "
                + (" ".join(words) if words else "(none)")
            )
            if not words:
                return None
            return index.parse_query(
                " ".join(words), _TEXT_FIELDS, field_boosts=_BOOSTS, conjunction_by_default=True
            )

    def _kinds(self, kinds: Sequence[str]) -> tantivy.Query:
        return self._any("kind", [k for k in kinds if k in KINDS] or list(KINDS))

    def _any(self, field_name: str, values: Sequence[str]) -> tantivy.Query:
        return tantivy.Query.term_set_query(self._schema, field_name, list(values))

    def _filter(self, facet: FacetSpec, values: Sequence[str]) -> tantivy.Query:
        return self._any(facet.closure_field or facet.name, values)

    def purpose_query(self, purpose: duo.Purpose) -> tantivy.Query:
        """The datasets whose data use permits ``purpose`` (mirrors :func:`duo.evaluate`)."""
        rule = duo.rule(purpose)
        unconditional = sorted(DUO_SCHEME.value(p) for p in rule.unconditional)
        permitting = self._any("permission", unconditional)
        if rule.disease_specific is not None:
            vocabulary = self._index.vocabulary
            parts = [tantivy.Query.term_query(self._schema, "permission", _code(duo.Category.DS))]
            for disease in rule.disease_specific:
                # the dataset's disease x must be the study's disease y or broader: x ∈ closure(y)
                broader = sorted(DISEASE_SCHEME.value(x) for x in vocabulary.closure([disease]))
                parts.append(self._any("disease", broader))
            permitting = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, permitting), (tantivy.Occur.Should, _all(parts))]
            )
        # a dataset permitting nothing stores the one permission "none", which matches none
        clauses = [(tantivy.Occur.Must, permitting)]
        if rule.clinical_care:
            care = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, self._any("permission", [_code(duo.NRES)])),
                    (tantivy.Occur.Should, self._any("modifier", [_code(duo.CLINICAL_CARE)])),
                ]
            )
            clauses.append((tantivy.Occur.Must, care))
        if rule.refusing:
            refusing = sorted(DUO_SCHEME.value(m) for m in rule.refusing)
            clauses.append((tantivy.Occur.MustNot, self._any("modifier", refusing)))
        return tantivy.Query.boolean_query(clauses)

    # -- hits -----------------------------------------------------------------------------

    def _page(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        request: SearchRequest,
        sort: str,
        warnings: list[str],
    ) -> tuple[int, list[tuple[float | None, tantivy.DocAddress]]]:
        offset = (request.page - 1) * request.page_size
        limit = min(request.page_size, MAX_RESULT_WINDOW - offset)
        if limit <= 0:
            total = _count(searcher.search(query, 1, count=True))
            warnings.append(
                f"only the first {MAX_RESULT_WINDOW:,} hits can be paged through; "
                "narrow the search to see the others"
            )
            return total, []
        if sort == "relevance":
            found = searcher.search(query, limit, count=True, offset=offset)
            return _count(found), [(float(s), a) for s, a in found.hits]
        field_name, descending = SORTS[sort]
        order = tantivy.Order.Desc if descending else tantivy.Order.Asc
        found = searcher.search(
            query, limit, count=True, order_by_field=field_name, offset=offset, order=order
        )
        return _count(found), [(None, a) for _, a in found.hits]

    def _snippets(
        self, searcher: tantivy.Searcher, text_query: tantivy.Query | None
    ) -> tantivy.SnippetGenerator | None:
        if text_query is None:
            return None
        generator = tantivy.SnippetGenerator.create(
            searcher, text_query, self._schema, "description"
        )
        generator.set_max_num_chars(_SNIPPET_CHARS)
        return generator

    def _hit(
        self,
        searcher: tantivy.Searcher,
        score: float | None,
        address: tantivy.DocAddress,
        request: SearchRequest,
        snippets: tantivy.SnippetGenerator | None,
    ) -> Hit:
        doc = searcher.doc(address)
        payload = payload_of(doc)
        snippet = snippet_html = None
        if snippets is not None:
            # one description at a time, the preferred language first, so that a snippet
            # never runs from one language into another
            for text in _by_preference(payload.get("descriptions", []), request.language):
                found = snippets.snippet_from_doc(tantivy.Document(description=[text]))
                if found.highlighted():
                    snippet, snippet_html = found.fragment(), found.to_html()
                    break
        if snippet is None:
            description = pick_text(payload.get("descriptions", []), request.language)
            snippet = _shorten(description) if description else None
        verdict = None
        if request.purpose is not None:
            verdict = self.verdict(payload, request.purpose)
        title = pick_text(payload.get("titles", []), request.language)
        return Hit(payload, score, title, snippet, snippet_html, verdict)

    def verdict(self, payload: dict[str, Any], purpose: duo.Purpose) -> duo.Verdict:
        """Whether the dataset of ``payload`` permits ``purpose``."""
        use = duo.DataUse(
            tuple(payload.get("permissions", [])),
            tuple(payload.get("modifiers", [])),
            tuple(payload.get("disease_iris", [])),
        )
        return duo.evaluate(use, purpose, self._index.vocabulary.is_narrower_or_same)

    # -- facets ---------------------------------------------------------------------------

    def _facets_and_cohort(
        self,
        searcher: tantivy.Searcher,
        base: list[tantivy.Query],
        by_facet: dict[str, tantivy.Query],
        request: SearchRequest,
    ) -> tuple[tuple[FacetResult, ...], Cohort]:
        """The facet counts and the cohort totals of a search. The facets that no filter of
        the search restricts are counted over what the search matches, as the cohort is:
        both come from one pass over the matches (a search matching most of a million
        records reads each match once rather than three times)."""
        query = _all([*base, *by_facet.values()])
        if all(name in by_facet for name in request.facets):
            return self._facets(searcher, base, by_facet, request), self._cohort(searcher, query)
        shared = {_COHORT: {"terms": {"field": "kind", "size": 10}, "aggs": _cohort_aggs()}}
        answers = self._facet_answers(searcher, base, by_facet, request, shared)
        by_kind = answers.pop(_COHORT, {})
        bucket: dict[str, Any] = next(
            (b for b in by_kind.get("buckets", []) if b.get("key") == "dataset"), {}
        )
        cohort = self._cohort_of(bucket, int(bucket.get("doc_count", 0)))
        return self._facet_results(answers, request), cohort

    def _facets(
        self,
        searcher: tantivy.Searcher,
        base: list[tantivy.Query],
        by_facet: dict[str, tantivy.Query],
        request: SearchRequest,
    ) -> tuple[FacetResult, ...]:
        """The facet counts of a search."""
        return self._facet_results(self._facet_answers(searcher, base, by_facet, request), request)

    def _facet_answers(
        self,
        searcher: tantivy.Searcher,
        base: list[tantivy.Query],
        by_facet: dict[str, tantivy.Query],
        request: SearchRequest,
        shared: dict[str, Any] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """The index's answers to the facets' aggregations, by facet; ``shared``: more
        aggregations to run in the pass over what the search matches (answered under their
        own names)."""
        wanted = [FACETS_BY_NAME[name] for name in request.facets]
        unfiltered = [f for f in wanted if f.name not in by_facet]
        answers: dict[str, dict[str, Any]] = {}
        if unfiltered:
            query = _all([*base, *by_facet.values()])
            aggs = {f.name: _terms(f.name, request.facet_size) for f in unfiltered}
            answers.update(searcher.aggregate(query, {**aggs, **(shared or {})}))
        for facet in wanted:
            if facet.name in by_facet:
                others = [q for name, q in by_facet.items() if name != facet.name]
                aggs = {facet.name: _terms(facet.name, request.facet_size)}
                answers.update(searcher.aggregate(_all([*base, *others]), aggs))
        return answers

    def _facet_results(
        self, answers: dict[str, dict[str, Any]], request: SearchRequest
    ) -> tuple[FacetResult, ...]:
        wanted = [FACETS_BY_NAME[name] for name in request.facets]
        results = []
        for facet in wanted:
            answer = answers.get(facet.name, {})
            selected = set(request.filters.get(facet.name, ()))
            buckets = tuple(
                Bucket(key, self.label(facet, key), int(b["doc_count"]), key in selected)
                for b in answer.get("buckets", [])
                for key in [str(b["key"])]
            )
            other = int(answer.get("sum_other_doc_count", 0))
            results.append(FacetResult(facet.name, buckets, other))
        return tuple(results)

    def label(self, facet: FacetSpec, value: str) -> str | None:
        """A facet value's label: from the vocabularies, a publisher's name, a node's name."""
        if self._labels_generation != self._index.generation:
            self._labels = {}
            self._labels_generation = self._index.generation
        key = f"{facet.name}\x00{value}"
        if key not in self._labels:
            self._labels[key] = self._find_label(facet, value)
        return self._labels[key]

    def _find_label(self, facet: FacetSpec, value: str) -> str | None:
        if facet.name == "node":
            return value
        if facet.name == "publisher":
            query = tantivy.Query.term_query(self._schema, "publisher", value)
            for payload in self._index.payloads(query, 1):
                for publisher in payload.get("publishers", []):
                    if publisher["id"] == value:
                        return pick_text(publisher["names"], "en") or value
            return None
        return self._index.vocabulary.label(facet.scheme.iri(value))

    # -- cohort ---------------------------------------------------------------------------

    def _cohort(self, searcher: tantivy.Searcher, query: tantivy.Query) -> Cohort:
        datasets = _all([query, self._any("kind", ["dataset"])])
        answer = searcher.aggregate(datasets, _cohort_aggs())
        return self._cohort_of(answer, _count(searcher.search(datasets, 1, count=True)))

    def _cohort_of(self, answer: dict[str, Any], total: int) -> Cohort:
        """The cohort of the datasets a search matches, from the answer of
        :func:`_cohort_aggs` over them and how many they are."""
        totals = {name: _sum(answer.get(name)) for name in COUNT_FIELDS}
        by_country = [
            self._row("country", b) for b in answer.get("by_country", {}).get("buckets", [])
        ]
        placed = sum(r.datasets for r in by_country)
        if placed < total:
            by_country.append(
                CohortRow(
                    None,
                    None,
                    total - placed,
                    *(totals[n] - sum(getattr(r, n) for r in by_country) for n in COUNT_FIELDS),
                )
            )
        by_type = [
            self._row("sequencing_type", b) for b in answer.get("by_type", {}).get("buckets", [])
        ]
        return Cohort(
            total,
            totals["individuals"],
            totals["genomes"],
            totals["exomes"],
            totals["samples"],
            tuple(sorted(by_country, key=lambda r: (r.value is None, r.value or ""))),
            tuple(sorted(by_type, key=lambda r: r.value or "")),
        )

    def _row(self, facet_name: str, bucket: dict[str, Any]) -> CohortRow:
        value = str(bucket["key"])
        counts = {name: _sum(bucket.get(name)) for name in COUNT_FIELDS}
        unit = produced = None
        if facet_name == "sequencing_type":
            code = SEQUENCING_TYPE_SCHEME.value(SEQUENCING_TYPE_SCHEME.iri(value))
            unit = "samples"
            if code in _GENOME_TYPES:
                unit = "genomes"
            elif code in _EXOME_TYPES:
                unit = "exomes"
            produced = counts[unit]
        return CohortRow(
            value,
            self.label(FACETS_BY_NAME[facet_name], value),
            int(bucket["doc_count"]),
            counts["individuals"],
            counts["genomes"],
            counts["exomes"],
            counts["samples"],
            unit,
            produced,
        )

    # -- single records -------------------------------------------------------------------

    def by_key(self, key: str) -> dict[str, Any] | None:
        """The payload of the record with this key (datasets and series only)."""
        query = _all([tantivy.Query.term_query(self._schema, "key", key), self._kinds(KINDS)])
        found = self._index.payloads(query, 1)
        return found[0] if found else None

    def facet_counts(self, facet: str, size: int) -> FacetResult:
        """One facet over every dataset and series (for listings such as publishers)."""
        request = SearchRequest(facets=(facet,), facet_size=size, page_size=1)
        searcher = self._index.searcher()
        return self._facets(searcher, [self._kinds(KINDS)], {}, request)[0]

    def nested_counts(self, outer: str, inner: str, size: int) -> dict[str, dict[str, int]]:
        """``outer`` value -> ``inner`` value -> datasets and series (e.g. node -> kind)."""
        aggs = {"outer": {**_terms(outer, size), "aggs": {"inner": _terms(inner, size)}}}
        answer = self._index.searcher().aggregate(self._kinds(KINDS), aggs)
        return {
            str(b["key"]): {str(i["key"]): int(i["doc_count"]) for i in b["inner"]["buckets"]}
            for b in answer["outer"]["buckets"]
        }


def _all(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _terms(field_name: str, size: int) -> dict[str, Any]:
    return {"terms": {"field": field_name, "size": size}}


#: the name of the cohort's aggregations when they share the facets' pass
_COHORT = "\x00cohort"


def _cohort_aggs() -> dict[str, Any]:
    """The cohort's totals over a set of datasets: the sums of each count, by country and by
    sequencing type."""
    sums = {name: {"sum": {"field": name}} for name in COUNT_FIELDS}
    aggs: dict[str, Any] = dict(sums)
    aggs["by_country"] = {**_terms("country", 1000), "aggs": sums}
    aggs["by_type"] = {**_terms("sequencing_type", 1000), "aggs": sums}
    return aggs


def _sum(answer: Any) -> int:
    if isinstance(answer, dict) and isinstance(answer.get("value"), int | float):
        return int(answer["value"])
    return 0


def _count(found: tantivy.SearchResult) -> int:
    """The number of matching documents (``count=True`` searches carry it)."""
    return int(found.count or 0)  # type: ignore[attr-defined]


def _code(iri: str) -> str:
    return DUO_SCHEME.value(iri)


def _by_preference(texts: list[list[str]], language: str) -> list[str]:
    """The texts, the one :func:`pick_text` picks first."""
    first = pick_text(texts, language)
    return [t[0] for t in sorted(texts, key=lambda t: t[0] != first)]


def _shorten(text: str) -> str:
    if len(text) <= _SNIPPET_CHARS:
        return text
    cut = text[:_SNIPPET_CHARS].rsplit(" ", 1)[0]
    return cut + " …"
