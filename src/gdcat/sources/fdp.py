"""FAIR Data Points: root -> catalogues -> datasets -> distributions.

The crawl follows what an FDP publishes: ``fdp:metadataCatalog`` (and ``r3d:dataCatalog``)
from the root, ``dcat:dataset`` / ``dcat:resource`` from a catalogue, ``dcat:distribution``
from a dataset, and the ``ldp:contains`` of the LDP containers an FDP adds for each of these
(the FDP default navigation when a page names no children itself). Sub-catalogues
(``dcat:catalog``) and ``hydra:next`` pages of a catalogue are followed too. FAIR Data Points
of the reference implementation's first generation name no ``fdp:metadataCatalog`` and no
``ldp:membershipResource``: their root is itself an ``ldp:Container`` whose ``ldp:contains``
lists the catalogues; such a page's own ``ldp:contains`` is followed as well.

Each dataset is one document: its page merged with its distribution pages (which carry their
access services). What the FDP server adds to every resource by itself is removed, so that a
record is what its steward wrote:

- the generated ``<resource#accessRights>`` statement ("This resource has no access
  restriction") and its ``dct:accessRights`` link;
- ``dct:conformsTo`` links to the server's ``/profile/`` resources;
- ``fdp:metadata*`` properties (identifier, issued, modified…) and the identifier nodes;
- LDP containers and their ``ldp:contains``, and ``dct:isPartOf`` back to the parent.

A node served from an address other than its IRIs (a mirror, a test or demo server) names
``published_base``: IRIs under it are fetched from under ``url`` instead.

A node that re-publishes resources of others (gdcat's own FAIR Data Point, which keeps the
harvested datasets' IRIs) tells the crawler where each child's page is: the parent's page says
``<child> rdfs:seeAlso <page URL>``. When a child's IRI is not under the node's own address (nor
``published_base``), it is fetched from the ``rdfs:seeAlso`` URL its parent gave under the node's
address, if any, and exactly those navigation triples are removed from the record (other
``rdfs:seeAlso`` links a steward wrote are kept).

A catalogue's datasets are fetched ``concurrency`` at a time (each dataset's own pages one
after the other), and handed on in the catalogue's order: a node far away answers each of its
tens of thousands of small requests after a round trip, which a crawl one request at a time
would wait for in turn.

With a :class:`DatasetParser` (the harvest's parsing processes), this process only fetches: a
dataset's page is read for its links alone (:func:`~gdcat.rdf.parse.read_predicates`: the
triples of the four predicates the links come from, by the parser :func:`parse_bytes` uses),
its distribution pages are fetched, and the pages' bytes go to the parser, several datasets
a job (:class:`FdpDataset`), which parses, merges, strips, splits and hashes them as this
module would here (:func:`merge_dataset`) and checks the links against the page's graph. A
page the links cannot be read from that way (another format, a fault) is read here as
without a parser, so that its fault is reported as then; and the faults of the pages of one
dataset are reported in the order a crawl without a parser meets them.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS
from rdflib.term import Node

from gdcat.errors import InputError
from gdcat.rdf import parse_bytes
from gdcat.rdf.formats import RdfFormat
from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits, read_predicates
from gdcat.sources.base import (
    Document,
    Failure,
    Fetched,
    Item,
    PageState,
    ParsedPage,
    fetch_page,
    fetch_rdf,
    located_message,
    parse_response,
    rdf_format_of,
)
from gdcat.sources.dcat import next_pages
from gdcat.sources.http import FetchError, HttpClient, Response
from gdcat.vocab import FDP, LDP

R3D_DATA_CATALOG = URIRef("http://www.re3data.org/schema/3-0#dataCatalog")
_CATALOG_LINKS = (FDP.metadataCatalog, R3D_DATA_CATALOG, DCAT.catalog)
_DATASET_LINKS = (DCAT.dataset, URIRef(f"{DCAT}resource"))
_DISTRIBUTION_LINKS = (DCAT.distribution,)
#: every predicate a dataset page's links are read from (:func:`page_links`)
_DISTRIBUTION_LINK_PREDICATES = frozenset(
    str(p) for p in (DCAT.distribution, RDFS.seeAlso, LDP.membershipResource, LDP.contains)
)
_DEFAULT_RIGHTS = "This resource has no access restriction"
#: datasets in one job of the parser at most, however small their pages
_MOST_DATASETS_A_JOB = 64
#: jobs of one crawl the parser works on while the crawl fetches the next
_JOBS_AHEAD = 2


@dataclass(frozen=True)
class FdpAddress:
    """Where a node's resources are read: its address (``base``) and the base its IRIs are
    published under, when they differ."""

    base: str
    published_base: str | None = None

    def own(self, iri: str) -> bool:
        """True when ``iri`` is under the node's address or its published base."""
        published = self.published_base
        return iri.startswith(self.base) or bool(published and iri.startswith(published))

    def to_iri(self, url: str) -> str:
        published = self.published_base
        if published and url.startswith(self.base):
            return published + url[len(self.base) :]
        return url

    def location(self, graph: Graph, child: URIRef) -> str | None:
        """The page URL a parent gives (``rdfs:seeAlso`` under the node's address) for a child
        whose IRI is elsewhere; None for the node's own IRIs and children without one."""
        if self.own(str(child)):
            return None
        pages = sorted(
            str(o)
            for o in graph.objects(child, RDFS.seeAlso)
            if isinstance(o, URIRef) and str(o).startswith(self.base)
        )
        return pages[0] if pages else None


@dataclass(frozen=True)
class FdpPage:
    """One page of a dataset as fetched, to be parsed by a :class:`DatasetParser`."""

    url: str
    body: bytes
    fmt: RdfFormat
    base_iri: str
    #: read again in full after a conditional request found it unchanged (a page of a dataset
    #: another page of which changed): parsed after the pages that changed, as the crawl
    #: without a parser does
    again: bool = False


@dataclass(frozen=True)
class FdpDataset:
    """A dataset's pages (its own first, then its distributions') and what turning them into
    its record takes."""

    iri: str
    #: where the record is attributed (the dataset page's URL)
    url: str
    catalog: str
    pages: tuple[FdpPage, ...]
    #: the ``rdfs:seeAlso`` links that led the crawl to the dataset and its distributions, as
    #: (IRI, page URL): removed from the record
    navigation: tuple[tuple[str, str], ...]
    #: the links the crawl read from the dataset page, checked against the page's graph (None
    #: for a page read in a previous harvest, whose links were remembered then)
    links: tuple[str, ...] | None
    #: the subjects the dataset page is read for (see :func:`page_links`)
    subjects: tuple[str, ...]
    address: FdpAddress

    @property
    def size(self) -> int:
        return sum(len(page.body) for page in self.pages)


@dataclass(frozen=True)
class FdpParsed:
    """A dataset's record as a :class:`DatasetParser` hands it back: its records (plain data,
    as :func:`gdcat.harvest.parsing.parse_page` gives them), or the page that failed and why,
    or word that the dataset page's links are not those the crawl read."""

    page: ParsedPage | None = None
    failure: Failure | None = None
    links_differ: bool = False


class DatasetAnswer(Protocol):
    """The answer of a :class:`DatasetParser` to one job, in the job's order."""

    def done(self) -> bool: ...

    def result(self) -> list[FdpParsed]: ...


class DatasetParser(Protocol):
    """Turns the fetched pages of datasets into their records elsewhere
    (:mod:`gdcat.harvest.parsing`)."""

    #: a job holds datasets until their pages reach this many bytes (a smaller one, a
    #: catalogue's last datasets, may be parsed in the crawl's own process)
    pool_from: int

    def datasets(
        self, jobs: Sequence[FdpDataset], max_bytes: int, limits: ParseLimits
    ) -> DatasetAnswer: ...


@dataclass(frozen=True)
class FdpSource:
    """A FAIR Data Point, crawled from its root."""

    url: str
    published_base: str | None = None
    max_pages: int = 100_000
    limits: ParseLimits = DEFAULT_LIMITS
    #: turns the datasets' pages into records elsewhere (the harvest's parsing processes);
    #: None: here
    parser: DatasetParser | None = None
    #: datasets fetched at once (each over its own connection to the node)
    concurrency: int = 4

    def crawl(self, client: HttpClient, previous: Mapping[str, PageState]) -> Iterator[Item]:
        crawl = _Crawl(self, client, previous)
        try:
            if self.parser is None:
                for entry in crawl.run():
                    assert not isinstance(entry, _Pending)
                    yield entry
                return
            yield from _Jobs(crawl, self.parser).items(crawl.run())
        finally:
            crawl.close()


@dataclass
class _Pending:
    """A dataset whose pages are fetched and whose record is being made by the parser."""

    job: FdpDataset
    states: list[PageState]
    answer: DatasetAnswer | None = None
    #: its place in the answer
    index: int = 0


class _Jobs:
    """The datasets of a crawl sent to the parser a few at a time, the crawl's items handed on
    in the crawl's order as their records come back; the crawl fetches the next datasets
    meanwhile (:data:`_JOBS_AHEAD` jobs at most)."""

    def __init__(self, crawl: _Crawl, parser: DatasetParser) -> None:
        self.crawl = crawl
        self.parser = parser
        self.order: deque[Item | _Pending] = deque()
        self.batch: list[_Pending] = []
        self.size = 0
        self.sent: deque[DatasetAnswer] = deque()

    def items(self, entries: Iterator[Item | _Pending]) -> Iterator[Item]:
        while True:
            try:
                entry = next(entries)
            except StopIteration:
                break
            except Exception:
                # what the crawl found before its fault is handed on first, as without a parser
                self.send()
                yield from self.ready(wait=True)
                raise
            self.order.append(entry)
            if isinstance(entry, _Pending):
                self.batch.append(entry)
                self.size += entry.job.size
                if self.size >= self.parser.pool_from or len(self.batch) >= _MOST_DATASETS_A_JOB:
                    self.send()
            while len(self.sent) > _JOBS_AHEAD:
                self.sent.popleft().result()
            yield from self.ready(wait=False)
        self.send()
        yield from self.ready(wait=True)

    def send(self) -> None:
        if not self.batch:
            return
        source = self.crawl.source
        answer = self.parser.datasets(
            [p.job for p in self.batch], self.crawl.client.policy.max_bytes, source.limits
        )
        for index, pending in enumerate(self.batch):
            pending.answer, pending.index = answer, index
        self.sent.append(answer)
        self.batch, self.size = [], 0

    def ready(self, *, wait: bool) -> Iterator[Item]:
        """The items at the head of the crawl's order whose records are back (all of them,
        waiting, with ``wait``)."""
        while self.order:
            head = self.order[0]
            if isinstance(head, _Pending):
                if head.answer is None or not (wait or head.answer.done()):
                    return
                self.order.popleft()
                yield self.crawl.resolve(head, head.answer.result()[head.index])
            else:
                self.order.popleft()
                yield head


class _Crawl:
    def __init__(
        self, source: FdpSource, client: HttpClient, previous: Mapping[str, PageState]
    ) -> None:
        self.source = source
        self.client = client
        self.previous = previous
        self.visited: set[str] = set()
        self.datasets_seen: set[str] = set()
        base = source.url if source.url.endswith("/") else source.url.rsplit("/", 1)[0] + "/"
        self.address = FdpAddress(base, source.published_base)
        self.base = base
        #: where children not under the node's address are read (their parent's rdfs:seeAlso)
        self.locations: dict[str, str] = {}
        #: the threads fetching datasets (started with the first catalogue's datasets)
        self._fetchers: ThreadPoolExecutor | None = None
        self._counting = threading.Lock()

    def close(self) -> None:
        """Stop the fetching threads; a dataset being fetched is abandoned."""
        if self._fetchers is not None:
            self._fetchers.shutdown(wait=False, cancel_futures=True)
            self._fetchers = None

    # IRIs <-> URLs ---------------------------------------------------------------------

    def to_url(self, iri: str) -> str:
        located = self.locations.get(iri)
        if located is not None:
            return located
        published = self.source.published_base
        if published and iri.startswith(published):
            return self.base + iri[len(published) :]
        return iri

    def navigation_pairs(self, iris: list[str]) -> tuple[tuple[str, str], ...]:
        """The ``rdfs:seeAlso`` links (IRI, page URL) that led the crawl to ``iris``."""
        return tuple((iri, self.locations[iri]) for iri in iris if iri in self.locations)

    def to_iri(self, url: str) -> str:
        return self.address.to_iri(url)

    def get(self, iri: str) -> Fetched:
        url = self.counted(iri)
        return fetch_rdf(
            self.client,
            url,
            self.previous,
            base_iri=self.to_iri(url),
            limits=self.source.limits,
        )

    def counted(self, iri: str) -> str:
        """The URL of ``iri``, counted as visited (a :class:`FetchError` past the page cap)."""
        url = self.to_url(iri)
        with self._counting:  # datasets are fetched by several threads
            if len(self.visited) >= self.source.max_pages:
                raise FetchError(url, "protocol", f"stopped after {self.source.max_pages} pages")
            self.visited.add(url)
        return url

    # the walk ------------------------------------------------------------------------------

    def run(self) -> Iterator[Item | _Pending]:
        root = self.to_iri(self.source.url)
        try:
            page = self.get(root)
        except FetchError as e:
            yield Failure.of(e)
            return
        catalogs = self.links(page, root, _CATALOG_LINKS)
        if not catalogs and page.graph is not None and _is_catalog(page.graph, URIRef(root)):
            # the URL given is a catalogue, not an FDP root
            yield from self.catalog(root, page)
            return
        yield _navigation(page)
        for catalog in catalogs:
            yield from self.catalog(catalog, None)

    def catalog(self, iri: str, page: Fetched | None) -> Iterator[Item | _Pending]:
        try:
            if page is None:
                page = self.get(iri)
        except FetchError as e:
            yield Failure.of(e)
            return
        children = self.links(page, iri, _DATASET_LINKS, subcatalogs=True)
        yield _navigation(page)
        datasets: list[str] = []
        for child in children:
            kind, entry = child.split(" ", 1)
            target = self.link_target(entry)
            if kind == "catalog":
                # the datasets named before it come first, as the catalogue lists them
                yield from self.datasets(datasets, iri)
                datasets = []
                if self.to_url(target) not in self.visited:
                    yield from self.catalog(target, None)
            elif target not in self.datasets_seen:
                self.datasets_seen.add(target)
                datasets.append(target)
        yield from self.datasets(datasets, iri)

    def datasets(self, iris: list[str], catalog: str) -> Iterator[Item | _Pending]:
        """The datasets ``iris`` of ``catalog`` fetched :attr:`FdpSource.concurrency` at a
        time, in their order; at most twice as many are fetched ahead of the one handed on."""
        fetch = self.dataset if self.source.parser is None else self.fetch_dataset
        workers = self.source.concurrency
        if workers <= 1 or len(iris) <= 1:
            for target in iris:
                yield fetch(target, catalog)
            return
        if self._fetchers is None:
            self._fetchers = ThreadPoolExecutor(workers, thread_name_prefix="gdcat-fdp")
        ahead: deque[Future[Item | _Pending]] = deque()
        for target in iris:
            ahead.append(self._fetchers.submit(fetch, target, catalog))
            if len(ahead) >= 2 * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()

    def dataset(self, iri: str, catalog: str) -> Item:
        try:
            page = self.get(iri)
        except FetchError as e:
            return Failure.of(e)
        return self.dataset_from(iri, catalog, page)

    def dataset_from(self, iri: str, catalog: str, page: Fetched) -> Item:
        """A dataset read here, from its page as fetched (:meth:`get`)."""
        try:
            links = self.links(page, iri, _DISTRIBUTION_LINKS)
            distributions = [self.link_target(entry) for entry in links]
            parts = [page]
            for dist in distributions:
                parts.append(self.get(dist))
        except FetchError as e:
            return Failure.of(e)
        states = [p.state for p in parts]
        if all(p.unchanged for p in parts):
            return Document(self.to_url(iri), None, states, members=(iri,))
        graphs: list[Graph] = []
        for part in parts:
            graph = part.graph
            if graph is None:
                try:  # an unchanged page of a changed dataset: read it again
                    graph = self.refetch(part.state.url)
                except FetchError as e:
                    return Failure.of(e)
            graphs.append(graph)
        navigation = self.navigation_pairs([iri, *distributions])
        merged = merge_dataset(graphs, navigation, (catalog, iri))
        return Document(self.to_url(iri), merged, states, members=(iri,))

    def refetch(self, url: str) -> Graph:
        fetched = fetch_rdf(
            self.client, url, {}, base_iri=self.to_iri(url), limits=self.source.limits
        )
        assert fetched.graph is not None  # nothing previous: always parsed
        return fetched.graph

    # the walk with a parser: fetched here, parsed there -----------------------------------------

    def fetch_dataset(self, iri: str, catalog: str) -> Item | _Pending:
        """A dataset's pages fetched for the parser (as :meth:`dataset` fetches them), or the
        item it comes to without one: its failure, the dataset unchanged, or the dataset
        read here when its page's links cannot be read without parsing it."""
        try:
            url = self.counted(iri)
            state, response = fetch_page(self.client, url, self.previous)
        except FetchError as e:
            return Failure.of(e)
        subjects = tuple(dict.fromkeys([iri, self.to_url(iri), url]))
        checked: tuple[str, ...] | None = None
        if response is None:
            links = state.links
        else:
            found = read_predicates(
                response.body,
                rdf_format_of(response, "turtle"),
                base_iri=self.to_iri(url),
                predicates=_DISTRIBUTION_LINK_PREDICATES,
                max_bytes=self.client.policy.max_bytes,
                limits=self.source.limits,
            )
            if found is None:  # another format, or a fault: read here, as without a parser
                try:
                    graph = self.parsed(response, url)
                except FetchError as e:
                    return Failure.of(e)
                return self.dataset_from(iri, catalog, Fetched(state, graph))
            links = checked = page_links(found, subjects, url, self.address, _DISTRIBUTION_LINKS)
            state = PageState(state.url, state.validators, state.body_hash, links)
        distributions = [self.link_target(entry) for entry in links]
        reads: list[tuple[PageState, Response | None]] = [(state, response)]
        for dist in distributions:
            try:
                dist_url = self.counted(dist)
                reads.append(fetch_page(self.client, dist_url, self.previous))
            except FetchError as e:
                # the pages read before it that changed were parsed before it was fetched
                changed = [self.page(s, r) for s, r in reads if r is not None]
                return self.first_fault(changed) or Failure.of(e)
        states = [s for s, _ in reads]
        if all(r is None for _, r in reads):
            return Document(self.to_url(iri), None, states, members=(iri,))
        pages = [None if r is None else self.page(s, r) for s, r in reads]
        for index, (s, r) in enumerate(reads):
            if r is None:  # an unchanged page of a changed dataset: read it again
                try:
                    _, again = fetch_page(self.client, s.url, {})
                except FetchError as e:
                    return self.first_fault([p for p in pages if p is not None]) or Failure.of(e)
                assert again is not None  # nothing previous: always read
                pages[index] = self.page(s, again, again=True)
        job = FdpDataset(
            iri,
            self.to_url(iri),
            catalog,
            tuple(p for p in pages if p is not None),
            self.navigation_pairs([iri, *distributions]),
            checked,
            subjects,
            self.address,
        )
        return _Pending(job, states)

    def page(self, state: PageState, response: Response, *, again: bool = False) -> FdpPage:
        fmt = rdf_format_of(response, "turtle")
        return FdpPage(state.url, response.body, fmt, self.to_iri(state.url), again)

    def parsed(self, response: Response, url: str) -> Graph:
        return parse_response(
            response,
            url,
            base_iri=self.to_iri(url),
            max_bytes=self.client.policy.max_bytes,
            limits=self.source.limits,
        )

    def first_fault(self, pages: list[FdpPage]) -> Failure | None:
        """The first of ``pages`` that is not usable RDF, in the order they are parsed."""
        for index in read_order(pages):
            page = pages[index]
            try:
                parse_page_bytes(page, self.client.policy.max_bytes, self.source.limits)
            except InputError as e:
                return Failure(page.url, "parse", located_message(e))
        return None

    def resolve(self, pending: _Pending, parsed: FdpParsed) -> Item:
        """The item of a dataset whose pages the parser read."""
        job = pending.job
        if parsed.failure is not None:
            return parsed.failure
        if parsed.links_differ or parsed.page is None:
            # not the links read here (never seen): the dataset read here, from its page
            first = job.pages[0]
            try:
                graph = parse_page_bytes(first, self.client.policy.max_bytes, self.source.limits)
            except InputError as e:
                return Failure(first.url, "parse", located_message(e))
            state = pending.states[0]
            fetched = Fetched(PageState(state.url, state.validators, state.body_hash), graph)
            return self.dataset_from(job.iri, job.catalog, fetched)
        return Document(job.url, None, pending.states, members=(job.iri,), parsed=parsed.page)

    # links -----------------------------------------------------------------------------------

    def link_target(self, entry: str) -> str:
        """The child IRI of a link entry (``IRI`` or ``IRI URL``), remembering its URL."""
        target, _, url = entry.partition(" ")
        if url:
            self.locations[target] = url
        return target

    def links(
        self,
        page: Fetched,
        iri: str,
        predicates: tuple[URIRef, ...],
        *,
        subcatalogs: bool = False,
    ) -> tuple[str, ...]:
        """The children a page names (remembered in its state for unchanged re-reads); see
        :func:`page_links`."""
        if page.graph is None:
            return page.state.links
        # an FDP may describe a resource under its published IRI or the address it was read from
        subjects = [iri, self.to_url(iri), page.state.url]
        links = page_links(
            page.graph, subjects, page.state.url, self.address, predicates, subcatalogs=subcatalogs
        )
        page.state = PageState(page.state.url, page.state.validators, page.state.body_hash, links)
        return links


def page_links(
    graph: Graph,
    subjects: Iterable[str],
    url: str,
    address: FdpAddress,
    predicates: tuple[URIRef, ...],
    *,
    subcatalogs: bool = False,
) -> tuple[str, ...]:
    """The children the page ``url`` names for ``subjects`` (the resource's IRI and the
    addresses it was read from).

    Entries are ``IRI`` (``kind IRI`` with ``subcatalogs``), followed by `` URL`` when the
    parent gave the child's page elsewhere (:meth:`FdpAddress.location`). Without
    ``subcatalogs``, only triples of ``predicates``, ``rdfs:seeAlso``, ``ldp:membershipResource``
    and ``ldp:contains`` are read.
    """
    nodes = [URIRef(s) for s in dict.fromkeys(subjects)]
    found: list[str] = []

    def add(entry: str) -> None:
        child = entry.rsplit(" ", 1)[-1]
        located = address.location(graph, URIRef(child))
        if located is not None:
            entry = f"{entry} {located}"
        if entry not in found:
            found.append(entry)

    for subject, p in ((s, p) for s in nodes for p in predicates):
        for o in graph.objects(subject, p):
            if isinstance(o, URIRef):
                kind = "dataset"
                if subcatalogs:
                    kind = "catalog" if _is_catalog(graph, o) else "dataset"
                add(f"{kind} {o}" if subcatalogs else str(o))
    containers = [c for subject in nodes for c in _containers_of(graph, subject)]
    if subcatalogs:
        for subject in nodes:
            for o in graph.objects(subject, DCAT.catalog):
                if isinstance(o, URIRef):
                    add(f"catalog {o}")
    for container in containers:
        for o in sorted(graph.objects(container, LDP.contains), key=str):
            if isinstance(o, URIRef):
                if subcatalogs:
                    add(f"{'catalog' if _is_catalog(graph, o) else 'dataset'} {o}")
                else:
                    add(str(o))
    if subcatalogs:
        for nxt in next_pages(graph, url):
            add(f"catalog {address.to_iri(nxt)}")
    return tuple(found)


def read_order(pages: Sequence[FdpPage]) -> list[int]:
    """The indexes of a dataset's pages in the order the crawl without a parser parses them:
    those that changed as they were fetched, then those read again."""
    return sorted(range(len(pages)), key=lambda i: pages[i].again)


def read_dataset(job: FdpDataset, max_bytes: int, limits: ParseLimits) -> Graph | FdpParsed:
    """A dataset's document from its pages (in a parsing process): parsed, its links checked
    against those the crawl read, merged and stripped (:func:`merge_dataset`); or why not,
    the first page that is not usable RDF as the crawl without a parser reports it."""
    graphs: dict[int, Graph] = {}
    for index in read_order(job.pages):
        page = job.pages[index]
        try:
            graphs[index] = parse_page_bytes(page, max_bytes, limits)
        except InputError as e:
            return FdpParsed(failure=Failure(page.url, "parse", located_message(e)))
    if job.links is not None:
        found = page_links(
            graphs[0], job.subjects, job.pages[0].url, job.address, _DISTRIBUTION_LINKS
        )
        if found != job.links:
            return FdpParsed(links_differ=True)
    ordered = [graphs[i] for i in range(len(job.pages))]
    return merge_dataset(ordered, job.navigation, (job.catalog, job.iri))


def parse_page_bytes(page: FdpPage, max_bytes: int, limits: ParseLimits) -> Graph:
    """A fetched page's graph, parsed as the crawl parses it (raises :class:`InputError`)."""
    return parse_bytes(
        page.body,
        page.fmt,
        source=page.url,
        base_iri=page.base_iri,
        max_bytes=max_bytes,
        limits=limits,
    )


def merge_dataset(
    graphs: Sequence[Graph], navigation: Iterable[tuple[str, str]], parents: Iterable[str]
) -> Graph:
    """A dataset's document: its page's graph (the first, extended in place) with its
    distribution pages' graphs, without the ``navigation`` links that led the crawl to them
    (IRI, page URL) nor what the FDP server adds (:func:`strip_fdp_defaults`; ``parents``:
    the catalogue and the dataset)."""
    merged = graphs[0]
    for graph in graphs[1:]:
        merged.addN((s, p, o, merged) for s, p, o in graph)
    for iri, url in navigation:
        merged.remove((URIRef(iri), RDFS.seeAlso, URIRef(url)))
    return strip_fdp_defaults(merged, {URIRef(p) for p in parents})


def _navigation(page: Fetched) -> Document:
    """A root or catalogue page: no records, but its state (validators, links) is kept."""
    return Document(page.state.url, None, [page.state], members=(), navigation=True)


def _is_catalog(graph: Graph, node: Node) -> bool:
    return (node, RDF.type, DCAT.Catalog) in graph


def _containers_of(graph: Graph, subject: URIRef) -> list[Node]:
    """LDP containers whose membership resource is ``subject``, and ``subject`` itself when it
    lists children with ``ldp:contains`` (the FDP reference implementation's older form: a
    root or catalogue that is an ``ldp:Container`` of its children)."""
    containers: list[Node] = sorted(graph.subjects(LDP.membershipResource, subject), key=str)
    if (subject, LDP.contains, None) in graph and subject not in containers:
        containers.append(subject)
    return containers


def strip_fdp_defaults(graph: Graph, parents: set[URIRef] | None = None) -> Graph:
    """``graph`` without what an FDP server adds to every resource by itself (removed in place;
    the same graph is returned).

    ``parents`` are the resources the crawl came through (catalogue, dataset): the
    ``dct:isPartOf`` links an FDP adds back to them are dropped.
    """
    containers = {
        s
        for t in (LDP.Container, LDP.BasicContainer, LDP.DirectContainer, LDP.IndirectContainer)
        for s in graph.subjects(RDF.type, t)
        # an older FDP types its resources themselves as containers: those are kept
        if not any(str(c).startswith(str(DCAT)) for c in graph.objects(s, RDF.type))
    }
    default_rights = {
        r
        for r in graph.subjects(DCTERMS.description, None)
        if isinstance(r, URIRef)
        and str(r).endswith("#accessRights")
        and any(str(d).strip() == _DEFAULT_RIGHTS for d in graph.objects(r, DCTERMS.description))
    }
    parents_: set[Node] = set(parents or ())
    parents_ |= {
        o
        for o in graph.objects(None, DCTERMS.isPartOf)
        if _is_catalog(graph, o) or _fdp_node(graph, o)
    }
    fdp = str(FDP)
    fdp_values = {o for s, p, o in graph if str(p).startswith(fdp) and isinstance(o, BNode)}
    # the terms read once, not once a triple (a namespace's attribute lookup is slow)
    contains, access_rights = LDP.contains, DCTERMS.accessRights
    conforms_to, is_part_of = DCTERMS.conformsTo, DCTERMS.isPartOf
    drop = [
        (s, p, o)
        for s, p, o in graph
        if s in containers
        or s in default_rights
        or s in fdp_values
        or str(p).startswith(fdp)
        or p == contains
        or (p == access_rights and o in default_rights)
        or (p == conforms_to and isinstance(o, URIRef) and "/profile/" in o)
        or (p == is_part_of and o in parents_)
    ]
    for triple in drop:
        graph.remove(triple)
    return graph


def _fdp_node(graph: Graph, node: Node) -> bool:
    return (node, RDF.type, FDP.FAIRDataPoint) in graph
