"""SPARQL 1.1 endpoints: the datasets listed page by page, their descriptions fetched by
CONSTRUCT in batches.

The listing (``SELECT DISTINCT ?d … ORDER BY ?d LIMIT n OFFSET k``) names every
``dcat:Dataset`` and ``dcat:DatasetSeries``; each batch of datasets is then fetched with one
CONSTRUCT that follows every property path out of them except the links to other records and
catalogues (series membership, parts, relations), so that a record comes with its
distributions, agents, contact points and blank nodes in one request. A batch is one
document; records are split out of it as from any other document (with a parser, in the
harvest's parsing processes, as DCAT documents are: :mod:`gdcat.harvest.parsing`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from gdcat.errors import InputError
from gdcat.rdf import get_format, parse_bytes
from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits, load_json
from gdcat.sources.base import Document, Failure, Item, PageParser, PageState
from gdcat.sources.http import FetchError, HttpClient, Validators

_LIST = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?d WHERE {{
  {{ ?d a dcat:Dataset }} UNION {{ ?d a dcat:DatasetSeries }}
  FILTER(isIRI(?d))
}} ORDER BY ?d LIMIT {limit} OFFSET {offset}"""

#: Links out of a record that lead to other records or catalogues: not followed.
_STOP = (
    "dcat:inSeries|dcat:seriesMember|dct:isPartOf|dct:hasPart|dcat:catalog|dcat:dataset|"
    "dcat:resource|dct:relation|dcat:qualifiedRelation|dct:isVersionOf|dct:hasVersion|"
    "dcat:hasVersion|dcat:isVersionOf|dcat:prev|dcat:next|dcat:first|dcat:last|dcat:previous|"
    "prov:wasDerivedFrom|dct:source|dct:references|dct:isReferencedBy|dct:requires|"
    "dct:isRequiredBy|dct:replaces|dct:isReplacedBy|rdf:type"
)

_CONSTRUCT = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  VALUES ?root {{ {roots} }}
  ?root (!({stop}))* ?s .
  ?s ?p ?o .
}}"""


@dataclass(frozen=True)
class SparqlSource:
    """A SPARQL 1.1 Protocol endpoint publishing DCAT-AP."""

    url: str
    page_size: int = 1000
    batch_size: int = 50
    max_pages: int = 1000
    limits: ParseLimits = DEFAULT_LIMITS
    #: parses a batch's answer into records elsewhere (None: into a graph here)
    parser: PageParser | None = None

    def crawl(self, client: HttpClient, previous: Mapping[str, PageState]) -> Iterator[Item]:
        datasets: list[str] = []
        for page in range(self.max_pages + 1):
            if page == self.max_pages:
                yield Failure(self.url, "protocol", f"stopped after {self.max_pages} listing pages")
                return
            query = _LIST.format(limit=self.page_size, offset=page * self.page_size)
            try:
                found = self._select(client, query)
            except FetchError as e:
                yield Failure.of(e)
                return
            datasets.extend(found)
            if len(found) < self.page_size:
                break
        for start in range(0, len(datasets), self.batch_size):
            batch = datasets[start : start + self.batch_size]
            yield self._batch(client, batch, start // self.batch_size, previous)

    def _batch(
        self, client: HttpClient, batch: list[str], index: int, previous: Mapping[str, PageState]
    ) -> Item:
        roots = " ".join(f"<{iri}>" for iri in batch)
        query = _CONSTRUCT.format(roots=roots, stop=_STOP)
        key = f"{self.url}#batch-{index}"
        try:
            response = client.post(
                self.url,
                accept="application/n-triples, text/turtle;q=0.9",
                content=urlencode({"query": query}).encode(),
                content_type="application/x-www-form-urlencoded",
            )
        except FetchError as e:
            return Failure.of(e)
        body_hash = hashlib.sha256(query.encode() + b"\n" + response.body).hexdigest()
        state = PageState(key, Validators(), body_hash)
        before = previous.get(key)
        if before is not None and before.body_hash == body_hash:
            return Document(self.url, None, [state], members=tuple(batch))
        fmt = "turtle" if response.media_type == "text/turtle" else "nt"
        if self.parser is not None:
            parsed = self.parser(
                response.body, get_format(fmt), self.url, None, client.policy.max_bytes, self.limits
            )
            if parsed.error is not None:
                return Failure(self.url, "parse", parsed.failure or parsed.error)
            return Document(self.url, None, [state], members=tuple(batch), parsed=parsed)
        try:
            graph = parse_bytes(
                response.body,
                fmt,
                source=self.url,
                max_bytes=client.policy.max_bytes,
                limits=self.limits,
            )
        except InputError as e:
            return Failure(self.url, "parse", str(e))
        return Document(self.url, graph, [state], members=tuple(batch))

    def _select(self, client: HttpClient, query: str) -> list[str]:
        response = client.post(
            self.url,
            accept="application/sparql-results+json",
            content=urlencode({"query": query}).encode(),
            content_type="application/x-www-form-urlencoded",
        )
        try:
            data = load_json(response.body, source=self.url, limits=self.limits)
        except InputError as e:
            raise FetchError(self.url, "parse", f"not a SPARQL JSON result: {e.message}") from None
        try:
            rows = data["results"]["bindings"]
            return [row["d"]["value"] for row in rows if row.get("d", {}).get("type") == "uri"]
        except (KeyError, TypeError, AttributeError) as e:
            raise FetchError(
                self.url, "parse", f"not a SPARQL JSON result ({type(e).__name__}: {e})"
            ) from None
