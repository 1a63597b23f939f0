"""What every source kind hands the harvest pipeline.

A source crawls one node and yields :class:`Document`s (a part of the node's catalogue whose
records are attributed to one URL) and :class:`Failure`s (a page that could not be read). A
document whose every page is unchanged since the previous harvest (a ``304``, or a body with
the same SHA-256 as last time) comes without a graph: its records are known to be unchanged
and cost neither parsing nor validation. The :class:`PageState` of every page read is handed
back so that the next harvest can ask conditionally and can follow the links of pages it does
not parse again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph
from rdflib.term import Node

from gdcat.errors import InputError
from gdcat.rdf import format_for_media_type, format_for_path, get_format, parse_bytes
from gdcat.rdf.formats import RdfFormat
from gdcat.rdf.parse import DEFAULT_LIMITS, ParseLimits
from gdcat.sources.http import FailureKind, FetchError, HttpClient, Response, Validators

#: What gdcat asks RDF servers for, best first.
RDF_ACCEPT = (
    "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, "
    "application/n-triples;q=0.8, application/trig;q=0.5, */*;q=0.1"
)


@dataclass(frozen=True)
class PageState:
    """What gdcat remembers about one page between harvests."""

    url: str
    validators: Validators = field(default_factory=Validators)
    body_hash: str = ""
    #: the pages this one led to (children, next page), to go on when it is not re-read
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedRecord:
    """A record as a parsing process hands it over: plain data, no rdflib graph."""

    iri: str
    kind: str
    content_hash: str
    #: the record's triples as N-Triples (None for a record holding a term N-Triples cannot
    #: carry, whose ``triples`` come as rdflib terms instead)
    ntriples: str | None
    triples: tuple[tuple[Node, Node, Node], ...] = ()


@dataclass(frozen=True)
class ParsedPage:
    """A page parsed, normalised, split and hashed away from the harvester's process."""

    records: tuple[ParsedRecord, ...]
    #: the next page it names (a feed page)
    next_pages: tuple[str, ...]
    #: why the page is not usable RDF (reported as the page's failure)
    error: str | None = None
    #: the warning for a page that describes no DCAT resource at all
    not_metadata: str | None = None
    #: the parse error as its own text gives it (``source:line:column: message``), where
    #: ``error`` has the line and column after the message
    failure: str | None = None


class PageParser(Protocol):
    """Parses a page's body into records elsewhere (:mod:`gdcat.harvest.parsing`)."""

    def __call__(
        self,
        body: bytes,
        fmt: RdfFormat,
        url: str,
        base_iri: str | None,
        max_bytes: int,
        limits: ParseLimits,
    ) -> ParsedPage: ...


@dataclass
class Document:
    """Records fetched together; they are attributed to ``url``."""

    url: str
    #: None when every page of the document is unchanged since the previous harvest, or
    #: when it was parsed by a :class:`PageParser` (then ``parsed`` holds its records)
    graph: Graph | None
    pages: list[PageState] = field(default_factory=list)
    #: records to take from the graph besides datasets and series: (IRI, kind) pairs
    extra_roots: tuple[tuple[str, str], ...] = ()
    #: the records the document holds, when known without parsing it (an unchanged document
    #: keeps exactly these; otherwise it keeps the records last read from ``url``)
    members: tuple[str, ...] | None = None
    #: a page read only to find others (an FDP root or catalogue): it holds no records
    navigation: bool = False
    #: the document's records, parsed by a :class:`PageParser`
    parsed: ParsedPage | None = None

    @property
    def unchanged(self) -> bool:
        return self.graph is None and self.parsed is None


@dataclass(frozen=True)
class Failure:
    """A page that could not be read or understood: the node's harvest is incomplete."""

    url: str
    kind: FailureKind
    message: str

    @classmethod
    def of(cls, error: FetchError) -> Failure:
        return cls(error.url, error.kind, error.message)


Item = Document | Failure


class Source(Protocol):
    """One kind of node (FAIR Data Point, DCAT document or feed, SPARQL endpoint, Beacon)."""

    def crawl(self, client: HttpClient, previous: Mapping[str, PageState]) -> Iterator[Item]:
        """Every document of the node, and every failure met on the way."""
        ...


@dataclass
class Fetched:
    """A page as read: its state, and its graph (or its records parsed elsewhere) unless it
    is unchanged."""

    state: PageState
    graph: Graph | None
    parsed: ParsedPage | None = None

    @property
    def unchanged(self) -> bool:
        return self.graph is None and self.parsed is None


def fetch_rdf(
    client: HttpClient,
    url: str,
    previous: Mapping[str, PageState],
    *,
    accept: str = RDF_ACCEPT,
    base_iri: str | None = None,
    default_format: str = "turtle",
    limits: ParseLimits = DEFAULT_LIMITS,
    parser: PageParser | None = None,
) -> Fetched:
    """GET an RDF page conditionally and parse it unless it is unchanged; with ``parser``,
    the page is parsed into records by it (in another process) instead of into a graph here.

    Raises :class:`FetchError` (kind ``parse`` for a body that is not usable RDF).
    """
    state, response = fetch_page(client, url, previous, accept=accept)
    if response is None:
        return Fetched(state, None)
    if parser is not None:
        fmt = rdf_format_of(response, default_format)
        parsed = parser(
            response.body,
            fmt,
            url,
            base_iri or response.url,
            client.policy.max_bytes,
            limits,
        )
        if parsed.error is not None:
            raise FetchError(url, "parse", parsed.error)
        return Fetched(state, None, parsed)
    graph = parse_response(
        response,
        url,
        base_iri=base_iri,
        default_format=default_format,
        max_bytes=client.policy.max_bytes,
        limits=limits,
    )
    return Fetched(state, graph)


def fetch_page(
    client: HttpClient,
    url: str,
    previous: Mapping[str, PageState],
    *,
    accept: str = RDF_ACCEPT,
) -> tuple[PageState, Response | None]:
    """GET a page conditionally: its new state, and the response unless the page is unchanged
    since ``previous`` (a ``304``, or a body with the same SHA-256). The state of an unchanged
    page keeps the links it led to; a changed page's has none yet.

    Raises :class:`FetchError`.
    """
    before = previous.get(url)
    response = client.get(url, accept=accept, validators=before.validators if before else None)
    if response.not_modified and before is not None:
        validators = Validators(
            response.validators.etag or before.validators.etag,
            response.validators.last_modified or before.validators.last_modified,
        )
        return PageState(url, validators, before.body_hash, before.links), None
    digest = response.body_hash
    if before is not None and before.body_hash == digest:
        return PageState(url, response.validators, digest, before.links), None
    return PageState(url, response.validators, digest), response


def parse_response(
    response: Response,
    url: str,
    *,
    base_iri: str | None = None,
    default_format: str = "turtle",
    max_bytes: int,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> Graph:
    """The graph of a page fetched from ``url`` (its format from :func:`rdf_format_of`).

    Raises :class:`FetchError` of kind ``parse`` for a body that is not usable RDF.
    """
    try:
        return parse_bytes(
            response.body,
            rdf_format_of(response, default_format),
            source=url,
            base_iri=base_iri or response.url,
            max_bytes=max_bytes,
            limits=limits,
        )
    except InputError as e:
        raise FetchError(url, "parse", located_message(e)) from None


def rdf_format_of(response: Response, default: str) -> RdfFormat:
    """The RDF format of a response: its media type, else its URL's extension, else ``default``."""
    if response.media_type and response.media_type not in (
        "text/plain",
        "application/octet-stream",
    ):
        try:
            return format_for_media_type(response.media_type)
        except InputError:
            pass
    try:
        return format_for_path(response.url.split("?", 1)[0].split("#", 1)[0])
    except InputError:
        return get_format(default)


def located_message(error: InputError) -> str:
    """A parse error's message, with its line and column when known."""
    if error.location is None:
        return error.message
    loc = error.location
    where = ""
    if loc is not None and loc.line is not None:
        where = f"line {loc.line}" + (f", column {loc.column}" if loc.column is not None else "")
        return f"{error.message} ({where})"
    return error.message
