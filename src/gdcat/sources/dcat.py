"""DCAT-AP documents over HTTP or from files, and paged DCAT feeds (Hydra).

A node of this kind is one URL: a document (Turtle, RDF/XML, JSON-LD, N-Triples, TriG), the
first page of a feed, a local file or a local folder of documents. Feeds are paged the way
piveau and CKAN's DCAT extension publish them: a ``hydra:PartialCollectionView`` (or the older
``hydra:PagedCollection``) whose ``hydra:next`` (``hydra:nextPage``) names the next page.
Paging stops at the last page or at ``max_pages``; reaching the cap with pages left, or a page
that was already read (a paging loop), is a failure, so the harvest withdraws nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from rdflib import Graph, Literal, URIRef

from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits, expand_paths
from gdcat.sources.base import Document, Failure, Item, PageParser, PageState, fetch_rdf
from gdcat.sources.http import FetchError, HttpClient, is_local, local_path
from gdcat.vocab import HYDRA

_NEXT = (HYDRA.next, HYDRA.nextPage)


@dataclass(frozen=True)
class DcatSource:
    """A DCAT-AP document, a Hydra-paged feed, a file or a folder of files."""

    url: str
    max_pages: int = 1000
    limits: ParseLimits = DEFAULT_LIMITS
    #: parses pages into records elsewhere (the harvest's parsing processes); None: here
    parser: PageParser | None = None

    def crawl(self, client: HttpClient, previous: Mapping[str, PageState]) -> Iterator[Item]:
        if is_local(self.url) and local_path(self.url).is_dir():
            for path in expand_paths([local_path(self.url)]):
                yield from self._pages(client, path.resolve().as_uri(), previous)
            return
        yield from self._pages(client, self.url, previous)

    def _pages(
        self, client: HttpClient, first: str, previous: Mapping[str, PageState]
    ) -> Iterator[Item]:
        url: str | None = first
        read: list[str] = []
        while url is not None:
            if url in read:
                yield Failure(url, "protocol", f"paging loop: {url} was already read")
                return
            if len(read) >= self.max_pages:
                yield Failure(
                    url, "protocol", f"stopped after {self.max_pages} pages (the page cap)"
                )
                return
            read.append(url)
            try:
                fetched = fetch_rdf(client, url, previous, limits=self.limits, parser=self.parser)
            except FetchError as e:
                yield Failure.of(e)
                return
            state = fetched.state
            if fetched.parsed is not None:
                links = fetched.parsed.next_pages
                state = PageState(state.url, state.validators, state.body_hash, links)
            elif fetched.graph is not None:
                state = PageState(
                    state.url, state.validators, state.body_hash, next_pages(fetched.graph, url)
                )
            yield Document(url, fetched.graph, [state], parsed=fetched.parsed)
            url = state.links[0] if state.links else None


def next_pages(graph: Graph, url: str) -> tuple[str, ...]:
    """The next page a feed page names (``hydra:next`` or ``hydra:nextPage``), if any."""
    found = sorted(
        {
            urljoin(url, str(o))
            for p in _NEXT
            for o in graph.objects(None, p)
            # CKAN's DCAT extension writes the page links as literals, piveau as IRIs
            if isinstance(o, URIRef | Literal)
        }
    )
    found = [f for f in found if f != url]
    return tuple(found[:1])
