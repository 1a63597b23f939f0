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
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS
from rdflib.term import Node

from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits
from gdcat.sources.base import Document, Failure, Fetched, Item, PageState, fetch_rdf
from gdcat.sources.dcat import next_pages
from gdcat.sources.http import FetchError, HttpClient
from gdcat.vocab import FDP, LDP

R3D_DATA_CATALOG = URIRef("http://www.re3data.org/schema/3-0#dataCatalog")
_CATALOG_LINKS = (FDP.metadataCatalog, R3D_DATA_CATALOG, DCAT.catalog)
_DATASET_LINKS = (DCAT.dataset, URIRef(f"{DCAT}resource"))
_DEFAULT_RIGHTS = "This resource has no access restriction"


@dataclass(frozen=True)
class FdpSource:
    """A FAIR Data Point, crawled from its root."""

    url: str
    published_base: str | None = None
    max_pages: int = 100_000
    limits: ParseLimits = DEFAULT_LIMITS

    def crawl(self, client: HttpClient, previous: Mapping[str, PageState]) -> Iterator[Item]:
        crawl = _Crawl(self, client, previous)
        yield from crawl.run()


class _Crawl:
    def __init__(
        self, source: FdpSource, client: HttpClient, previous: Mapping[str, PageState]
    ) -> None:
        self.source = source
        self.client = client
        self.previous = previous
        self.visited: set[str] = set()
        self.datasets_seen: set[str] = set()
        self.base = source.url if source.url.endswith("/") else source.url.rsplit("/", 1)[0] + "/"
        #: where children not under the node's address are read (their parent's rdfs:seeAlso)
        self.locations: dict[str, str] = {}

    # IRIs <-> URLs ---------------------------------------------------------------------

    def to_url(self, iri: str) -> str:
        located = self.locations.get(iri)
        if located is not None:
            return located
        published = self.source.published_base
        if published and iri.startswith(published):
            return self.base + iri[len(published) :]
        return iri

    def own(self, iri: str) -> bool:
        """True when ``iri`` is under the node's address or its published base."""
        published = self.source.published_base
        return iri.startswith(self.base) or bool(published and iri.startswith(published))

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

    def navigation_triples(self, iris: list[str]) -> list[tuple[URIRef, URIRef, URIRef]]:
        """The ``rdfs:seeAlso`` triples that led the crawl to ``iris`` (removed from records)."""
        return [
            (URIRef(iri), RDFS.seeAlso, URIRef(self.locations[iri]))
            for iri in iris
            if iri in self.locations
        ]

    def to_iri(self, url: str) -> str:
        published = self.source.published_base
        if published and url.startswith(self.base):
            return published + url[len(self.base) :]
        return url

    def get(self, iri: str) -> Fetched:
        url = self.to_url(iri)
        if len(self.visited) >= self.source.max_pages:
            raise FetchError(url, "protocol", f"stopped after {self.source.max_pages} pages")
        self.visited.add(url)
        return fetch_rdf(
            self.client,
            url,
            self.previous,
            base_iri=self.to_iri(url),
            limits=self.source.limits,
        )

    # the walk ------------------------------------------------------------------------------

    def run(self) -> Iterator[Item]:
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

    def catalog(self, iri: str, page: Fetched | None) -> Iterator[Item]:
        try:
            if page is None:
                page = self.get(iri)
        except FetchError as e:
            yield Failure.of(e)
            return
        children = self.links(page, iri, _DATASET_LINKS, subcatalogs=True)
        yield _navigation(page)
        for child in children:
            kind, entry = child.split(" ", 1)
            target = self.link_target(entry)
            if kind == "catalog":
                if self.to_url(target) not in self.visited:
                    yield from self.catalog(target, None)
            elif target not in self.datasets_seen:
                self.datasets_seen.add(target)
                yield self.dataset(target, iri)

    def dataset(self, iri: str, catalog: str) -> Item:
        try:
            page = self.get(iri)
            links = self.links(page, iri, (DCAT.distribution,))
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
        merged = graphs[0]  # the dataset page's own graph, freshly parsed: ours to extend
        for graph in graphs[1:]:
            merged.addN((s, p, o, merged) for s, p, o in graph)
        for triple in self.navigation_triples([iri, *distributions]):
            merged.remove(triple)
        parents = {URIRef(catalog), URIRef(iri)}
        return Document(
            self.to_url(iri), strip_fdp_defaults(merged, parents), states, members=(iri,)
        )

    def refetch(self, url: str) -> Graph:
        fetched = fetch_rdf(
            self.client, url, {}, base_iri=self.to_iri(url), limits=self.source.limits
        )
        assert fetched.graph is not None  # nothing previous: always parsed
        return fetched.graph

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
        """The children a page names (remembered in its state for unchanged re-reads).

        Entries are ``IRI`` (``kind IRI`` with ``subcatalogs``), followed by `` URL`` when the
        parent gave the child's page elsewhere (:meth:`location`).
        """
        if page.graph is None:
            return page.state.links
        graph = page.graph
        # an FDP may describe a resource under its published IRI or the address it was read from
        subjects = dict.fromkeys([URIRef(iri), URIRef(self.to_url(iri)), URIRef(page.state.url)])
        found: list[str] = []

        def add(entry: str) -> None:
            child = entry.rsplit(" ", 1)[-1]
            located = self.location(graph, URIRef(child))
            if located is not None:
                entry = f"{entry} {located}"
            if entry not in found:
                found.append(entry)

        for subject, p in ((s, p) for s in subjects for p in predicates):
            for o in graph.objects(subject, p):
                if isinstance(o, URIRef):
                    kind = "dataset"
                    if subcatalogs:
                        kind = "catalog" if _is_catalog(graph, o) else "dataset"
                    add(f"{kind} {o}" if subcatalogs else str(o))
        containers = [c for subject in subjects for c in _containers_of(graph, subject)]
        if subcatalogs:
            for subject in subjects:
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
            for nxt in next_pages(graph, page.state.url):
                add(f"catalog {self.to_iri(nxt)}")
        links = tuple(found)
        page.state = PageState(page.state.url, page.state.validators, page.state.body_hash, links)
        return links


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
