"""The demo federation served over real HTTP, one local server per national node.

``serve_federation`` starts a :class:`http.server.ThreadingHTTPServer` on ``127.0.0.1`` for
every node and answers with the protocol of the node's *kind*, so that a harvester can crawl
the federation exactly as it would crawl the real nodes:

``fdp``
    A FAIR Data Point laid out like the reference implementation: root ``/``, catalogue
    ``/catalog/genomics``, one page per dataset ``/dataset/<id>`` and per distribution
    ``/dataset/<id>/distribution/<name>``, linked by LDP containers, with the metadata the
    reference adds by default (see :data:`FDP_DEFAULT_DESCRIPTION`). IRIs stay the published
    ones (``https://fdp.<cc>.demo.gdcat.eu/...``); the same paths are served locally.
``dcat``
    One DCAT-AP document with the whole catalogue (``/catalog.ttl``, ``.rdf``, ``.jsonld``,
    ``.nt``).
``feed``
    A Hydra-paged DCAT feed (``/feed``, ``/feed?page=N``) in the style of piveau
    (``hydra:PartialCollectionView`` / ``hydra:next``) or of CKAN's DCAT extension
    (``hydra:PagedCollection`` / ``hydra:nextPage`` with *literal* page URLs).
``sparql``
    A read-only SPARQL 1.1 Protocol endpoint (``/sparql``) over an in-memory Oxigraph store.
``beacon``
    A GA4GH Beacon v2 informational API (``/api/info``, ``/api/filtering_terms``,
    ``/api/datasets``) beside the node that hosts the datasets with a Beacon service.

What a node serves lives in a :class:`NodeContent`; tests change it (``put``/``delete``) and
every kind reflects the change, with new ``ETag`` and ``Last-Modified``, on the next request.
Faults are injected per path with :meth:`ServedNode.fail`.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD
from rdflib.term import Node as RdfNode

from gdcat.demo.generator import Federation, Node
from gdcat.demo.render import EXTRA_PREFIXES
from gdcat.demo.terms import DISEASES, DUO, DUO_MODIFIERS, DUO_PERMISSIONS, PHENOTYPES, hpo_iri
from gdcat.demo.turtle import write_turtle
from gdcat.rdf.formats import RdfFormat, get_format
from gdcat.rdf.records import closure_triples, record_boundary, record_roots, split_records
from gdcat.store.datatypes import INTEGER_TYPES, XSD_INTEGER
from gdcat.vocab import FDP, GDCAT, HYDRA, LDP, PREFIXES

__all__ = [
    "DEFAULT_DCAT_FORMATS",
    "FDP_DEFAULT_DESCRIPTION",
    "FDP_PROFILES",
    "FEED_STYLES",
    "NODE_KINDS",
    "NodeContent",
    "ServedFederation",
    "ServedNode",
    "default_dcat_formats",
    "default_feed_styles",
    "default_kinds",
    "serialize",
    "serve_federation",
]

Triple = tuple[RdfNode, RdfNode, RdfNode]

NODE_KINDS = ("fdp", "dcat", "feed", "sparql", "beacon")

#: Hydra paging styles of a ``feed`` node: piveau's and CKAN's (ckanext-dcat) pagination.
FEED_STYLES = ("hydra", "ckan")

R3D = Namespace("http://www.re3data.org/schema/3-0#")
DCAT_SERIES = URIRef(f"{DCAT}DatasetSeries")
DCAT_RESOURCE = URIRef(f"{DCAT}resource")

#: Profile IRIs (under the node's published base) the FDP pages declare with dct:conformsTo.
FDP_PROFILES = {
    "repository": "profile/77aaad6a-0136-4c6e-88b9-07ffccd0ee4c",
    "catalog": "profile/2f08228e-1789-40f8-84cd-28e3288c3604",
    "dataset": "profile/2f08228e-1789-40f8-84cd-28e3288c3605",
    "distribution": "profile/2f08228e-1789-40f8-84cd-28e3288c3606",
}
#: The description of the access-rights statement a FAIR Data Point adds by default.
FDP_DEFAULT_DESCRIPTION = "This resource has no access restriction"

#: Node kinds of the 25-country demo (nodes not named here are served as ``dcat``).
_DEFAULT_KINDS = {
    "nl": "fdp",
    "be": "fdp",
    "dk": "fdp",
    "fi": "fdp",
    "se": "fdp",
    "ee": "fdp",
    "de": "feed",
    "fr": "feed",
    "it": "sparql",
    "es": "sparql",
}
#: Document formats of the ``dcat`` nodes that are not Turtle.
DEFAULT_DCAT_FORMATS = {"at": "rdfxml", "pl": "jsonld", "cz": "ntriples"}
_DCAT_FILES = {
    "turtle": "catalog.ttl",
    "rdfxml": "catalog.rdf",
    "jsonld": "catalog.jsonld",
    "ntriples": "catalog.nt",
}

_TURTLE = "text/turtle; charset=utf-8"
_JSON = "application/json"
_TEXT = "text/plain; charset=utf-8"
_SPARQL_JSON = "application/sparql-results+json"

# -- content ----------------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


def _date_stamp(value: RdfNode | None) -> int | None:
    """Seconds since the epoch of an ``xsd:date``/``xsd:dateTime`` literal (None otherwise)."""
    if not isinstance(value, Literal):
        return None
    text = str(value)
    try:
        if "T" in text:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        else:
            day = date.fromisoformat(text[:10])
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp())


def _copy(graph: Graph, prefixes: Mapping[str, str] | None = None) -> Graph:
    out = Graph()
    for prefix, ns in (prefixes or {}).items():
        out.bind(prefix, ns)
    for triple in graph:
        out.add(triple)
    return out


@dataclass
class NodeContent:
    """What one node serves: its catalogue and its records. Mutable, thread-safe.

    Change it only through :meth:`put`, :meth:`delete` and :meth:`set_catalog` (or call
    :meth:`touch` after changing a graph in place): every change bumps :attr:`version`, which
    is what the servers use to drop their caches, and moves ``Last-Modified`` forward by at
    least one second (so that ``If-Modified-Since`` never hides a change).
    """

    node_id: str
    country: str
    base: str
    catalog_iri: str
    #: Catalogue-level triples: the dcat:Catalog, its own description and any triple no
    #: record reaches; without the listing links (dcat:dataset, dcat:resource for series,
    #: dcat:service for services described inside records), which are derived from records.
    catalog: Graph
    #: Record (dataset or series) IRI -> its triples, as :func:`split_records` cuts them.
    records: dict[str, Graph]
    name: str = ""
    language: str = "en"
    prefixes: dict[str, str] = field(default_factory=dict)
    version: int = field(default=0, init=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _stamps: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _issued: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _catalog_stamp: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.prefixes:
            self.prefixes = {**PREFIXES, **EXTRA_PREFIXES, "r3d": str(R3D), "node": self.base}
        cat = URIRef(self.catalog_iri)
        now = _now()
        self._catalog_stamp = min(
            _date_stamp(self.catalog.value(cat, DCTERMS.modified))
            or _date_stamp(self.catalog.value(cat, DCTERMS.issued))
            or now,
            now,
        )
        for iri, graph in self.records.items():
            self._stamp_initial(iri, graph, now)

    def _stamp_initial(self, iri: str, graph: Graph, now: int) -> None:
        ref = URIRef(iri)
        issued = _date_stamp(graph.value(ref, DCTERMS.issued))
        modified = _date_stamp(graph.value(ref, DCTERMS.modified))
        self._issued[iri] = min(issued or modified or self._catalog_stamp, now)
        self._stamps[iri] = min(modified or self._issued[iri], now)

    @classmethod
    def from_node(cls, node: Node) -> NodeContent:
        """The content of a demo node: its graph cut into catalogue and records."""
        graph = node.graph()
        records = {r.iri: r.graph for r in split_records(graph)}
        catalog = _catalogue_part(graph, URIRef(node.catalog_iri), records)
        return cls(
            node_id=node.id,
            country=node.country,
            base=node.base,
            catalog_iri=node.catalog_iri,
            catalog=catalog,
            records=records,
            name=node.name,
            language=node.language,
        )

    # -- mutations -----------------------------------------------------------------------

    def _bump(self) -> int:
        """A new modification time, strictly after every earlier one."""
        self.version += 1
        return max(_now(), self._last_modified() + 1)

    def put(self, iri: str, graph: Graph) -> None:
        """Add or replace one record (the graph is copied)."""
        copy = _copy(graph, self.prefixes)
        with self._lock:
            stamp = self._bump()
            self.records[iri] = copy
            self._stamps[iri] = stamp
            self._issued.setdefault(iri, stamp)

    def delete(self, iri: str) -> None:
        """Withdraw one record (KeyError when there is none)."""
        with self._lock:
            if iri not in self.records:
                raise KeyError(iri)
            stamp = self._bump()
            del self.records[iri]
            self._stamps.pop(iri, None)
            self._issued.pop(iri, None)
            self._catalog_stamp = stamp

    def set_catalog(self, graph: Graph) -> None:
        """Replace the catalogue-level triples."""
        copy = _copy(graph, self.prefixes)
        with self._lock:
            self._catalog_stamp = self._bump()
            self.catalog = copy

    def touch(self, iri: str | None = None) -> None:
        """Declare an in-place change (of record ``iri``, or of the catalogue)."""
        with self._lock:
            stamp = self._bump()
            if iri is None:
                self._catalog_stamp = stamp
            else:
                self._stamps[iri] = stamp

    # -- reading -------------------------------------------------------------------------

    def _last_modified(self) -> int:
        return max([self._catalog_stamp, *self._stamps.values()])

    @property
    def last_modified(self) -> int:
        """Seconds since the epoch of the latest change of anything in the node."""
        with self._lock:
            return self._last_modified()

    def record_modified(self, iri: str) -> int:
        with self._lock:
            return self._stamps.get(iri, self._catalog_stamp)

    def record_issued(self, iri: str) -> int:
        with self._lock:
            return self._issued.get(iri, self._catalog_stamp)

    def snapshot(self) -> tuple[int, Graph, dict[str, Graph]]:
        """``(version, catalog, records)`` read together (graphs are shared: do not modify)."""
        with self._lock:
            return self.version, self.catalog, dict(sorted(self.records.items()))

    def listing(self, records: Mapping[str, Graph]) -> list[Triple]:
        """The catalogue's links to ``records`` (and to services they describe)."""
        cat = URIRef(self.catalog_iri)
        links: list[Triple] = []
        for iri, g in records.items():
            ref = URIRef(iri)
            series = (ref, RDF.type, DCAT_SERIES) in g
            links.append((cat, DCAT_RESOURCE if series else DCAT.dataset, ref))
        for g in records.values():
            for service in sorted(set(g.subjects(RDF.type, DCAT.DataService)), key=str):
                if isinstance(service, URIRef):
                    links.append((cat, DCAT.service, service))
        return links

    def graph(self, records: Iterable[str] | None = None) -> Graph:
        """The node's catalogue with (all, or the named) records, as one new graph."""
        _, catalog, all_records = self.snapshot()
        chosen = all_records if records is None else {i: all_records[i] for i in records}
        out = _copy(catalog, self.prefixes)
        for triple in self.listing(chosen):
            out.add(triple)
        for g in chosen.values():
            for triple in g:
                out.add(triple)
        return out


def _catalogue_part(graph: Graph, cat: URIRef, records: Mapping[str, Graph]) -> Graph:
    """What of ``graph`` is catalogue-level: not listing links, not only in records."""
    described_services = {
        s for g in records.values() for s in g.subjects(RDF.type, DCAT.DataService)
    }
    record_refs = {URIRef(i) for i in records}
    links = {
        t
        for t in graph.triples((cat, None, None))
        if (t[1] in (DCAT.dataset, DCAT_RESOURCE) and t[2] in record_refs)
        or (t[1] == DCAT.service and t[2] in described_services)
    }
    boundary = record_boundary(graph, record_roots(graph))
    own: set[Triple] = set()
    seen: set[RdfNode] = {cat}
    todo: list[RdfNode] = [cat]
    while todo:
        node = todo.pop()
        for triple in graph.triples((node, None, None)):
            if triple in links:
                continue
            own.add(triple)
            o = triple[2]
            if o in seen or isinstance(o, Literal) or o in boundary:
                continue
            if isinstance(o, BNode) or (o, None, None) in graph:
                seen.add(o)
                todo.append(o)
    in_records = {t for g in records.values() for t in g}
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    for triple in graph:
        if triple not in links and (triple in own or triple not in in_records):
            out.add(triple)
    return out


# -- serialisation -----------------------------------------------------------------------


def _sorted_graph(triples: Iterable[Triple], prefixes: Mapping[str, str]) -> Graph:
    out = Graph()
    for prefix, ns in prefixes.items():
        out.bind(prefix, ns, override=True, replace=True)
    for triple in sorted(triples, key=lambda t: (str(t[0]), str(t[1]), t[2].n3())):
        out.add(triple)
    return out


def _used_prefixes(triples: Iterable[Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    iris = {str(term) for t in triples for term in t if isinstance(term, URIRef)}
    iris |= {str(t[2].datatype) for t in triples if isinstance(t[2], Literal) and t[2].datatype}
    return {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


def serialize(
    triples: Iterable[Triple], fmt: RdfFormat | str, prefixes: Mapping[str, str]
) -> bytes:
    """``triples`` as a document in ``fmt`` (Turtle, N-Triples, RDF/XML or JSON-LD).

    Output is deterministic for graphs without blank nodes (subjects sorted), so that ETags
    stay the same across runs. JSON-LD carries its ``@context`` inline (prefixes only).
    """
    rdf_format = get_format(fmt) if isinstance(fmt, str) else fmt
    items = sorted(set(triples), key=lambda t: (str(t[0]), str(t[1]), t[2].n3()))
    has_blank = any(isinstance(term, BNode) for t in items for term in t)
    if rdf_format.name == "turtle" and not has_blank:
        try:
            return write_turtle(items, prefixes).encode("utf-8")  # type: ignore[arg-type]
        except ValueError:
            pass
    if rdf_format.name == "ntriples":
        text = _sorted_graph(items, {}).serialize(format="nt11")
        lines = sorted(line for line in text.splitlines() if line.strip())
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    used = _used_prefixes(items, prefixes)
    g = _sorted_graph(items, used)
    if rdf_format.name == "jsonld":
        return g.serialize(format="json-ld", context=dict(used), indent=2).encode("utf-8")
    if rdf_format.name == "rdfxml":
        return g.serialize(format="xml").encode("utf-8")
    if rdf_format.name == "turtle":
        return g.serialize(format="turtle").encode("utf-8")
    raise ValueError(f"cannot serve {rdf_format.label}")


def _media_type(rdf_format: RdfFormat) -> str:
    if rdf_format.name == "turtle":
        return _TURTLE
    return rdf_format.media_type


def _accept(header: str | None, offers: Mapping[str, str], default: str) -> str:
    """The offer (by key) that ``Accept`` prefers; ``default`` when none is named."""
    if not header:
        return default
    best: tuple[float, int, str] | None = None
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        media = media.lower()
        for key, offered in offers.items():
            bare = offered.split(";")[0]
            if media == bare:
                rank = (q, 2, key)
            elif media == "*/*" or (media.endswith("/*") and bare.startswith(media[:-1])):
                rank = (q, 1 if key == default else 0, key)
            else:
                continue
            if q > 0 and (best is None or rank[:2] > best[:2]):
                best = rank
    return best[2] if best is not None else default


def _xsd_datetime(stamp: int) -> Literal:
    text = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Literal(text, datatype=XSD.dateTime)


def _iso(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- HTTP plumbing -----------------------------------------------------------------------


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = _TEXT
    #: Seconds since the epoch, sent as Last-Modified (None: not sent).
    modified: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


def _text(status: int, message: str) -> _Response:
    return _Response(status, (message.rstrip("\n") + "\n").encode("utf-8"))


class _Headers(Mapping[str, str]):
    """A request's header fields, looked up by name in any case (RFC 9110, section 5.1: field
    names are case-insensitive; HTTP/2 clients and Oxigraph's SERVICE client send them in lower
    case). A repeated field keeps its last value."""

    def __init__(self, fields: Iterable[tuple[str, str]]) -> None:
        self._fields = {name.lower(): (name, value) for name, value in fields}

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)


@dataclass
class _Request:
    method: str
    target: str  # path and query as sent
    path: str
    query: dict[str, list[str]]
    headers: _Headers
    body: bytes
    origin: str  # http://host:port


def _not_modified(request: _Request, response: _Response) -> bool:
    if request.method not in ("GET", "HEAD") or response.status != 200:
        return False
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or response.etag in tags
    ims = request.headers.get("If-Modified-Since")
    if ims is not None and response.modified is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return since.timestamp() >= response.modified
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], node: ServedNode) -> None:
        self.node = node
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave in separate writes: without this, Nagle's algorithm holds the body
    # back until the client's delayed ACK (40 ms a request on Linux)
    disable_nagle_algorithm = True
    server_version = "gdcat-demo-node/1"
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, method: str) -> None:
        node = self.server.node
        node.arrived()
        try:
            if node.latency:
                time.sleep(node.latency)
            self._answer(method, node)
        finally:
            node.answered()

    def _answer(self, method: str, node: ServedNode) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        request = _Request(
            method=method,
            target=self.path,
            path=parts.path or "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=_Headers(self.headers.items()),
            body=body,
            origin=node.origin,
        )
        injected = node._fault(self.path)
        if injected is not None:
            response = _text(injected, "injected failure")
        else:
            try:
                response = node._handle(request)
            except Exception as e:  # a bug in the demo server: say so, keep serving
                response = _text(500, f"internal error: {type(e).__name__}: {e}")
        status = response.status
        if _not_modified(request, response):
            status = 304
        # recorded before answering, so that a client that got its answer finds it counted
        node.requests.append((method, self.path, status))
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        if response.status == 200:
            self.send_header("ETag", response.etag)
            if response.modified is not None:
                self.send_header(
                    "Last-Modified", email.utils.formatdate(response.modified, usegmt=True)
                )
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if status != 304 and method != "HEAD":
            self.wfile.write(response.body)


# -- served nodes ------------------------------------------------------------------------


@dataclass
class ServedNode:
    """One node answering on ``127.0.0.1``; ``url`` is where a harvester starts."""

    id: str
    country: str
    kind: str
    url: str
    published_base: str
    content: NodeContent
    #: ``(method, path, status)`` of every request answered, in order.
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    #: seconds each request waits before it is answered (a node far away)
    latency: float = 0.0
    #: the most requests the node was answering at once
    most_at_once: int = 0
    _at_once: int = field(default=0, repr=False)
    _at_once_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _site: _Site | None = field(default=None, repr=False)
    _server: _Server | None = field(default=None, repr=False)
    _faults: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    def local_url(self, iri: str) -> str:
        """Where an IRI under ``published_base`` is served (FDP nodes)."""
        if not iri.startswith(self.published_base):
            raise ValueError(f"{iri} is not under {self.published_base}")
        return f"{self.origin}/{iri[len(self.published_base) :]}"

    def fail(self, path: str, status: int = 500) -> None:
        """Answer ``path`` (path and query exactly as requested; ``"*"``: every request)
        with ``status`` and the body ``injected failure`` until :meth:`clear_faults`."""
        self._faults[path] = status

    def clear_faults(self) -> None:
        self._faults.clear()

    def arrived(self) -> None:
        """A request is being answered (see :attr:`most_at_once`)."""
        with self._at_once_lock:
            self._at_once += 1
            self.most_at_once = max(self.most_at_once, self._at_once)

    def answered(self) -> None:
        with self._at_once_lock:
            self._at_once -= 1

    def _fault(self, target: str) -> int | None:
        faults = dict(self._faults)
        return faults.get(target, faults.get("*"))

    def _handle(self, request: _Request) -> _Response:
        assert self._site is not None
        return self._site.handle(request)

    def close(self) -> None:
        server = self._server
        if server is None:
            return
        self._server = None
        server.shutdown()
        server.server_close()
        with server.connections_lock:
            open_connections = list(server.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Site:
    """Answers requests for one node; caches rendered responses per content version."""

    def __init__(self, node: ServedNode) -> None:
        self.node = node
        self.content = node.content
        self._cache: dict[tuple[Any, ...], _Response] = {}
        self._cache_version = -1
        self._cache_lock = threading.Lock()

    def cached(
        self, key: tuple[Any, ...], render: Callable[[], _Response], version: int | None = None
    ) -> _Response:
        """The cached response for ``key``, rendered when missing. ``version``: the content
        version ``render`` reads (when it reads a snapshot taken before this call)."""
        if version is None:
            version = self.content.version
        with self._cache_lock:
            if version > self._cache_version:
                self._cache = {}
                self._cache_version = version
            hit = self._cache.get(key) if version == self._cache_version else None
        if hit is not None:
            return hit
        response = render()
        if response.status == 200:
            with self._cache_lock:
                if self._cache_version == version:
                    self._cache[key] = response
        return response

    def handle(self, request: _Request) -> _Response:
        if request.method not in self.methods:
            allow = ", ".join(self.methods)
            response = _text(405, f"method {request.method} not allowed")
            response.headers["Allow"] = allow
            return response
        return self.route(request)

    methods: tuple[str, ...] = ("GET", "HEAD")

    def route(self, request: _Request) -> _Response:
        raise NotImplementedError

    def rdf(
        self, triples: Iterable[Triple], rdf_format: RdfFormat, modified: int | None
    ) -> _Response:
        body = serialize(triples, rdf_format, self.content.prefixes)
        return _Response(200, body, _media_type(rdf_format), modified)


# -- dcat --------------------------------------------------------------------------------


class _DcatSite(_Site):
    def __init__(self, node: ServedNode, fmt: str) -> None:
        super().__init__(node)
        self.format = get_format(fmt)
        self.path = "/" + _DCAT_FILES[self.format.name]

    def route(self, request: _Request) -> _Response:
        if request.path != self.path:
            return _text(404, f"not found: {request.path}")

        def render() -> _Response:
            modified = self.content.last_modified
            return self.rdf(self.content.graph(), self.format, modified)

        return self.cached(("dcat",), render)


# -- feed --------------------------------------------------------------------------------


class _FeedSite(_Site):
    path = "/feed"

    def __init__(self, node: ServedNode, style: str, page_size: int) -> None:
        super().__init__(node)
        if style not in FEED_STYLES:
            raise ValueError(f"unknown feed style {style!r} (known: {', '.join(FEED_STYLES)})")
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.style = style
        self.page_size = page_size

    def route(self, request: _Request) -> _Response:
        if request.path != self.path:
            return _text(404, f"not found: {request.path}")
        raw = request.query.get("page", ["1"])[-1]
        try:
            page = int(raw)
        except ValueError:
            return _text(400, f"page must be a positive integer, not {raw!r}")
        if page < 1:
            return _text(400, f"page must be a positive integer, not {raw!r}")
        return self.cached(("feed", page, request.origin), lambda: self.render(page, request))

    def render(self, page: int, request: _Request) -> _Response:
        _, catalog, records = self.content.snapshot()
        total = len(records)
        last = max(1, math.ceil(total / self.page_size))
        if page > last:
            return _text(404, f"no page {page}: the feed has {last} page(s)")
        chosen = dict(list(records.items())[(page - 1) * self.page_size : page * self.page_size])
        triples: set[Triple] = set(catalog)
        triples.update(self.content.listing(chosen))
        for g in chosen.values():
            triples.update(g)
        triples.update(self.view(request.origin, page, last, total))
        return self.rdf(triples, get_format("turtle"), self.content.last_modified)

    def view(self, origin: str, page: int, last: int, total: int) -> list[Triple]:
        def url(n: int) -> str:
            return f"{origin}{self.path}?page={n}"

        this = URIRef(url(page))
        count = Literal(total)
        if self.style == "hydra":
            out: list[Triple] = [
                (this, RDF.type, HYDRA.PartialCollectionView),
                (this, HYDRA.first, URIRef(url(1))),
                (this, HYDRA.last, URIRef(url(last))),
                (this, HYDRA.totalItems, count),
            ]
            if page < last:
                out.append((this, HYDRA.next, URIRef(url(page + 1))))
            if page > 1:
                out.append((this, HYDRA.previous, URIRef(url(page - 1))))
            return out
        # ckanext-dcat: a hydra:PagedCollection whose page links are literals, not IRIs.
        out = [
            (this, RDF.type, HYDRA.PagedCollection),
            (this, HYDRA.firstPage, Literal(url(1))),
            (this, HYDRA.lastPage, Literal(url(last))),
            (this, HYDRA.totalItems, count),
            (this, HYDRA.itemsPerPage, Literal(self.page_size)),
        ]
        if page < last:
            out.append((this, HYDRA.nextPage, Literal(url(page + 1))))
        if page > 1:
            out.append((this, HYDRA.previousPage, Literal(url(page - 1))))
        return out


# -- FAIR Data Point ---------------------------------------------------------------------


@dataclass
class _FdpRecordPages:
    """One record cut into its FDP pages: the dataset page and one per distribution."""

    dataset: list[Triple]
    distributions: dict[str, list[Triple]]


def _fdp_pages(iri: str, graph: Graph, base: str) -> _FdpRecordPages:
    ds = URIRef(iri)
    dists = [
        d
        for d in graph.objects(ds, DCAT.distribution)
        if isinstance(d, URIRef) and str(d).startswith(base)
    ]
    services = {s for d in dists for s in graph.objects(d, DCAT.accessService)}
    boundary: set[RdfNode] = {*dists, *services}
    own = closure_triples(graph, ds, boundary)
    own_set = set(own)
    pages: dict[str, list[Triple]] = {}
    covered = set(own_set)
    for d in sorted(dists, key=str):
        others: set[RdfNode] = {ds, *(x for x in dists if x != d)}
        part = [t for t in closure_triples(graph, d, others) if t not in own_set]
        pages[str(d)] = part
        covered.update(part)
    leftover = [t for t in graph if t not in covered]
    return _FdpRecordPages(own + leftover, pages)


class _FdpSite(_Site):
    def __init__(self, node: ServedNode) -> None:
        super().__init__(node)
        self.base = node.published_base
        self._pages: dict[str, _FdpRecordPages] = {}
        self._pages_version = -1
        self._pages_lock = threading.Lock()

    def pages(self, iri: str, graph: Graph, version: int) -> _FdpRecordPages:
        with self._pages_lock:
            if version != self._pages_version:
                self._pages = {}
                self._pages_version = version
            known = self._pages.get(iri)
        if known is None:
            known = _fdp_pages(iri, graph, self.base)
            with self._pages_lock:
                if version == self._pages_version:
                    self._pages[iri] = known
        return known

    def route(self, request: _Request) -> _Response:
        offers = {
            "turtle": "text/turtle",
            "jsonld": "application/ld+json",
            "rdfxml": "application/rdf+xml",
            "ntriples": "application/n-triples",
        }
        requested = request.query.get("format", [""])[-1]
        if requested:
            try:
                rdf_format = get_format(requested)
            except Exception:
                return _text(400, f"unknown format {requested!r}")
            if rdf_format.name not in offers:
                return _text(400, f"unsupported format {requested!r}")
        else:
            rdf_format = get_format(_accept(request.headers.get("Accept"), offers, "turtle"))
        path = request.path
        version, catalog, records = self.content.snapshot()
        target = self.base + path[1:]
        key = ("fdp", path, rdf_format.name, request.origin)
        if path == "/":
            return self.cached(key, lambda: self.root(request.origin, records, rdf_format), version)
        if target == self.content.catalog_iri:
            return self.cached(key, lambda: self.catalogue(catalog, records, rdf_format), version)
        if target in records:
            graph = records[target]
            return self.cached(
                key, lambda: self.dataset(target, graph, version, rdf_format), version
            )
        parent = target.split("/distribution/", 1)[0]
        if parent in records:
            pages = self.pages(parent, records[parent], version)
            if target in pages.distributions:
                return self.cached(
                    key, lambda: self.distribution(parent, target, pages, rdf_format), version
                )
        return self.not_found(request)

    def not_found(self, request: _Request) -> _Response:
        response = _text(404, f"not found: {request.path}")
        response.headers["Vary"] = "Accept"
        return response

    def _respond(self, triples: Iterable[Triple], fmt: RdfFormat, modified: int) -> _Response:
        response = self.rdf(triples, fmt, modified)
        response.headers["Vary"] = "Accept"
        return response

    def _defaults(self, iri: URIRef, profile: str, issued: int, modified: int) -> list[Triple]:
        return [
            (iri, DCTERMS.conformsTo, URIRef(self.base + FDP_PROFILES[profile])),
            (iri, FDP.metadataIdentifier, URIRef(f"{iri}#identifier")),
            (iri, FDP.metadataIssued, _xsd_datetime(issued)),
            (iri, FDP.metadataModified, _xsd_datetime(modified)),
        ]

    def _access_rights(self, iri: URIRef) -> list[Triple]:
        rights = URIRef(f"{iri}#accessRights")
        return [
            (iri, DCTERMS.accessRights, rights),
            (rights, RDF.type, DCTERMS.RightsStatement),
            (rights, DCTERMS.description, Literal(FDP_DEFAULT_DESCRIPTION, lang="en")),
        ]

    def root(self, origin: str, records: Mapping[str, Graph], fmt: RdfFormat) -> _Response:
        content = self.content
        root = URIRef(origin + "/")
        cat = URIRef(content.catalog_iri)
        container = URIRef(origin + "/catalog/")
        publisher = content.catalog.value(cat, DCTERMS.publisher)
        issued = min([content.record_issued(i) for i in records] or [content.last_modified])
        triples: list[Triple] = [
            (root, RDF.type, FDP.FAIRDataPoint),
            (root, RDF.type, R3D.Repository),
            (root, DCTERMS.title, Literal(f"{content.name} genomics FAIR Data Point", lang="en")),
            (
                root,
                DCTERMS.description,
                Literal(
                    f"FAIR Data Point of the 1+Million Genomes node of {content.name}.", lang="en"
                ),
            ),
            (root, FDP.metadataCatalog, cat),
            (root, FDP.fdpSoftwareVersion, Literal("gdcat demo FDP 1.0")),
            *self._defaults(root, "repository", issued, content.last_modified),
            (container, RDF.type, LDP.DirectContainer),
            (container, DCTERMS.title, Literal("Catalogs")),
            (container, LDP.membershipResource, root),
            (container, LDP.hasMemberRelation, FDP.metadataCatalog),
            (container, LDP.contains, cat),
        ]
        if publisher is not None:
            triples.append((root, DCTERMS.publisher, publisher))
        return self._respond(triples, fmt, content.last_modified)

    def catalogue(self, catalog: Graph, records: Mapping[str, Graph], fmt: RdfFormat) -> _Response:
        content = self.content
        cat = URIRef(content.catalog_iri)
        container = URIRef(f"{cat}/dataset/")
        triples: list[Triple] = [*catalog, *content.listing(records)]
        if (cat, DCTERMS.accessRights, None) not in catalog:
            triples += self._access_rights(cat)
        issued = _date_stamp(catalog.value(cat, DCTERMS.issued)) or content.last_modified
        triples += self._defaults(cat, "catalog", issued, content.last_modified)
        triples += [
            (container, RDF.type, LDP.DirectContainer),
            (container, DCTERMS.title, Literal("Datasets")),
            (container, LDP.membershipResource, cat),
            (container, LDP.hasMemberRelation, DCAT.dataset),
        ]
        triples += [(container, LDP.contains, URIRef(i)) for i in records]
        return self._respond(triples, fmt, content.last_modified)

    def dataset(self, iri: str, graph: Graph, version: int, fmt: RdfFormat) -> _Response:
        content = self.content
        ds = URIRef(iri)
        pages = self.pages(iri, graph, version)
        triples = list(pages.dataset)
        if (ds, DCTERMS.accessRights, None) not in graph:
            triples += self._access_rights(ds)
        modified = content.record_modified(iri)
        triples += self._defaults(ds, "dataset", content.record_issued(iri), modified)
        triples.append((ds, DCTERMS.isPartOf, URIRef(content.catalog_iri)))
        container = URIRef(f"{iri}/distribution/")
        triples += [
            (container, RDF.type, LDP.DirectContainer),
            (container, DCTERMS.title, Literal("Distributions")),
            (container, LDP.membershipResource, ds),
            (container, LDP.hasMemberRelation, DCAT.distribution),
        ]
        triples += [(container, LDP.contains, URIRef(d)) for d in pages.distributions]
        return self._respond(triples, fmt, modified)

    def distribution(
        self, parent: str, iri: str, pages: _FdpRecordPages, fmt: RdfFormat
    ) -> _Response:
        content = self.content
        triples = list(pages.distributions[iri])
        modified = content.record_modified(parent)
        triples += self._defaults(
            URIRef(iri), "distribution", content.record_issued(parent), modified
        )
        return self._respond(triples, fmt, modified)


# -- SPARQL ------------------------------------------------------------------------------

_XSD_INTEGER = XSD_INTEGER
#: XSD types derived from xsd:integer, which Oxigraph stores as xsd:integer.
_INTEGER_TYPES = INTEGER_TYPES
_OX_NT = ox.RdfFormat.N_TRIPLES


def _ox_value(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return term.value
    return str(term)


class _SparqlSite(_Site):
    path = "/sparql"
    methods = ("GET", "HEAD", "POST")

    def __init__(self, node: ServedNode) -> None:
        super().__init__(node)
        self._store: ox.Store | None = None
        self._store_version = -1
        self._store_lock = threading.Lock()
        #: (subject, predicate, integer value) -> the datatype the publisher wrote.
        self._integer_types: dict[tuple[str, str, int], ox.NamedNode] = {}

    def store(self) -> ox.Store:
        with self._store_lock:
            version = self.content.version
            if self._store is None or version != self._store_version:
                graph = self.content.graph()
                types: dict[tuple[str, str, int], ox.NamedNode] = {}
                for s, p, o in graph:
                    if isinstance(o, Literal) and str(o.datatype) in _INTEGER_TYPES:
                        try:
                            types[(str(s), str(p), int(str(o)))] = ox.NamedNode(str(o.datatype))
                        except ValueError:
                            continue
                store = ox.Store()
                store.load(graph.serialize(format="nt11").encode("utf-8"), format=_OX_NT)
                self._store, self._store_version = store, version
                self._integer_types = types
            return self._store

    def restore(self, triple: ox.Triple) -> ox.Triple:
        """Oxigraph stores integer-derived literals as xsd:integer; give back the
        datatype the node's data has (as a GraphDB or Virtuoso endpoint would)."""
        obj = triple.object
        if not isinstance(obj, ox.Literal) or obj.datatype.value != _XSD_INTEGER:
            return triple
        try:
            key = (_ox_value(triple.subject), triple.predicate.value, int(obj.value))
        except ValueError:
            return triple
        datatype = self._integer_types.get(key)
        if datatype is None:
            return triple
        return ox.Triple(triple.subject, triple.predicate, ox.Literal(obj.value, datatype=datatype))

    def route(self, request: _Request) -> _Response:
        if request.path != self.path:
            return _text(404, f"not found: {request.path}")
        query: str | None = None
        if "update" in request.query:
            return _text(403, "SPARQL updates are not allowed on this endpoint")
        if request.method == "POST":
            ctype = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return _text(403, "SPARQL updates are not allowed on this endpoint")
            if ctype == "application/x-www-form-urlencoded":
                form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
                if "update" in form:
                    return _text(403, "SPARQL updates are not allowed on this endpoint")
                query = form.get("query", [None])[-1]
            elif ctype == "application/sparql-query":
                query = request.body.decode("utf-8")
            else:
                return _text(415, f"unsupported content type {ctype!r} for a SPARQL query")
        else:
            query = request.query.get("query", [None])[-1]
        if not query:
            return _text(400, "missing query: send ?query=... or POST a SPARQL query")
        accept = request.headers.get("Accept")
        return self.cached(("sparql", query, accept), lambda: self.run(query, accept))

    def run(self, query: str, accept: str | None) -> _Response:
        modified = self.content.last_modified
        try:
            result = self.store().query(query)
        except SyntaxError as e:
            return _text(400, f"SPARQL syntax error: {e}")
        if isinstance(result, ox.QueryTriples):
            graph_offers = {
                "nt": "application/n-triples",
                "ttl": "text/turtle",
                "rdf": "application/rdf+xml",
                "jsonld": "application/ld+json",
            }
            choice = _accept(accept, graph_offers, "nt")
            rdf_format = {
                "nt": ox.RdfFormat.N_TRIPLES,
                "ttl": ox.RdfFormat.TURTLE,
                "rdf": ox.RdfFormat.RDF_XML,
                "jsonld": ox.RdfFormat.JSON_LD,
            }[choice]
            triples = [self.restore(t) for t in result]
            body = ox.serialize(triples, format=rdf_format) or b""
            ctype = _TURTLE if choice == "ttl" else graph_offers[choice]
            return _Response(200, body, ctype, modified, {"Vary": "Accept"})
        results_offers = {
            "json": _SPARQL_JSON,
            "xml": "application/sparql-results+xml",
            "csv": "text/csv",
            "tsv": "text/tab-separated-values",
        }
        choice = _accept(accept, results_offers, "json")
        results_format = {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
        }[choice]
        body = result.serialize(format=results_format) or b""
        return _Response(200, body, results_offers[choice], modified, {"Vary": "Accept"})


# -- Beacon v2 ---------------------------------------------------------------------------

BEACON_API_VERSION = "v2.0.1"

_ONTOLOGY_RESOURCES = {
    "HP": {
        "id": "hp",
        "name": "Human Phenotype Ontology",
        "nameSpacePrefix": "HP",
        "iriPrefix": "http://purl.obolibrary.org/obo/HP_",
        "url": "http://purl.obolibrary.org/obo/hp.owl",
    },
    "ORPHA": {
        "id": "ordo",
        "name": "Orphanet Rare Disease Ontology",
        "nameSpacePrefix": "ORPHA",
        "iriPrefix": "http://www.orpha.net/ORDO/Orphanet_",
        "url": "http://www.orpha.net/ontology/orphanet.owl",
    },
    "MONDO": {
        "id": "mondo",
        "name": "Mondo Disease Ontology",
        "nameSpacePrefix": "MONDO",
        "iriPrefix": "http://purl.obolibrary.org/obo/MONDO_",
        "url": "http://purl.obolibrary.org/obo/mondo.owl",
    },
}


def _term_table() -> dict[str, tuple[str, str]]:
    table = {d.iri: (d.code, d.label) for d in DISEASES}
    table.update({hpo_iri(hp): (hp, label) for hp, label in PHENOTYPES.items()})
    return table


_TERMS = _term_table()
_DUO = {
    f"{DUO}{number}": (f"DUO:{number}", label)
    for number, label in (*DUO_PERMISSIONS.values(), *DUO_MODIFIERS.values())
}


def _curie(iri: str) -> tuple[str, str | None]:
    known = _TERMS.get(iri)
    if known is not None:
        return known
    for prefix, resource in _ONTOLOGY_RESOURCES.items():
        if iri.startswith(resource["iriPrefix"]):
            return f"{prefix}:{iri[len(resource['iriPrefix']) :]}", None
    return iri, None


def _pick_text(graph: Graph, s: URIRef, p: URIRef) -> str | None:
    values = [o for o in graph.objects(s, p) if isinstance(o, Literal)]
    if not values:
        return None
    english = [v for v in values if v.language == "en"]
    return str(sorted(english or values, key=str)[0])


def _is_beacon_dataset(iri: str, graph: Graph, base: str) -> bool:
    ds = URIRef(iri)
    if (ds, GDCAT.beacon, None) in graph:
        return True
    return any(
        str(s).startswith(f"{base}service/beacon/") for s in graph.subjects(DCAT.servesDataset, ds)
    )


class _BeaconSite(_Site):
    prefix = "/api"

    def beacon_id(self) -> str:
        return f"eu.gdcat.demo.{self.content.node_id}.beacon"

    def datasets(self) -> dict[str, Graph]:
        _, _, records = self.content.snapshot()
        return {i: g for i, g in records.items() if _is_beacon_dataset(i, g, self.content.base)}

    def route(self, request: _Request) -> _Response:
        path = request.path.rstrip("/") or "/"
        if not (path == self.prefix or path.startswith(self.prefix + "/")):
            return _text(404, f"not found: {request.path}")
        endpoint = path[len(self.prefix) :].lstrip("/")
        skip = request.query.get("skip", ["0"])[-1]
        limit = request.query.get("limit", ["0"])[-1]
        try:
            window = (max(int(skip), 0), max(int(limit), 0))
        except ValueError:
            return _text(400, "skip and limit must be integers")
        if endpoint in ("", "info"):
            return self.cached(("info",), self.info)
        if endpoint == "service-info":
            return self.cached(("service-info",), self.service_info)
        if endpoint == "filtering_terms":
            return self.cached(("filtering_terms",), self.filtering_terms)
        if endpoint == "datasets":
            return self.cached(("datasets", window), lambda: self.collections(None, window))
        if endpoint.startswith("datasets/") and endpoint.count("/") == 1:
            wanted = endpoint.split("/", 1)[1]
            return self.cached(("dataset", wanted), lambda: self.collections(wanted, (0, 0)))
        return _text(404, f"not found: {request.path}")

    def _json(self, payload: dict[str, Any]) -> _Response:
        body = json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8")
        return _Response(200, body, _JSON, self.content.last_modified)

    def _meta(self, entity: str, schema: str) -> dict[str, Any]:
        return {
            "beaconId": self.beacon_id(),
            "apiVersion": BEACON_API_VERSION,
            "returnedSchemas": [{"entityType": entity, "schema": schema}],
        }

    def _organization(self) -> dict[str, str]:
        content = self.content
        cat = URIRef(content.catalog_iri)
        agent = content.catalog.value(cat, DCTERMS.publisher)
        name = f"1+Million Genomes node of {content.name}"
        ident = f"{content.node_id}-genomics"
        if isinstance(agent, URIRef):
            name = _pick_text(content.catalog, agent, FOAF.name) or name
            ident = str(agent).rstrip("/").rsplit("/", 1)[-1]
        return {"id": ident, "name": name}

    def _dates(self, datasets: Mapping[str, Graph]) -> tuple[str, str]:
        issued = [_date_stamp(g.value(URIRef(i), DCTERMS.issued)) for i, g in datasets.items()]
        created = min([s for s in issued if s is not None] or [self.content.last_modified])
        return _iso(created), _iso(self.content.last_modified)

    def info(self) -> _Response:
        content = self.content
        created, updated = self._dates(self.datasets())
        return self._json(
            {
                "meta": self._meta("info", "beacon-info-v2.0.0"),
                "response": {
                    "id": self.beacon_id(),
                    "name": f"{content.name} genomic variant Beacon",
                    "apiVersion": BEACON_API_VERSION,
                    "environment": "prod",
                    "organization": self._organization(),
                    "description": (
                        f"GA4GH Beacon v2 of the 1+Million Genomes node of {content.name}: "
                        "allele queries over its aggregated variant datasets."
                    ),
                    "createDateTime": created,
                    "updateDateTime": updated,
                    "welcomeUrl": f"https://beacon.{content.node_id}.demo.gdcat.eu/",
                },
            }
        )

    def service_info(self) -> _Response:
        content = self.content
        created, updated = self._dates(self.datasets())
        return self._json(
            {
                "id": self.beacon_id(),
                "name": f"{content.name} genomic variant Beacon",
                "type": {"group": "org.ga4gh", "artifact": "beacon", "version": "v2.0.1"},
                "organization": {"name": self._organization()["name"], "url": content.base},
                "version": BEACON_API_VERSION,
                "environment": "prod",
                "createdAt": created,
                "updatedAt": updated,
            }
        )

    def filtering_terms(self) -> _Response:
        _, _, records = self.content.snapshot()
        described: list[tuple[URIRef, Graph]] = []
        for iri, g in self.datasets().items():
            ds = URIRef(iri)
            described.append((ds, g))
            # Allele frequencies are computed from a cohort (dct:source): its terms filter too.
            for source in g.objects(ds, DCTERMS.source):
                if str(source) in records and isinstance(source, URIRef):
                    described.append((source, records[str(source)]))
        terms: dict[str, str | None] = {}
        for ds, g in described:
            for p in (GDCAT.disease, GDCAT.phenotype):
                for o in g.objects(ds, p):
                    if isinstance(o, URIRef):
                        curie, label = _curie(str(o))
                        terms[curie] = label or terms.get(curie)
        listed = []
        for curie, label in sorted(terms.items()):
            term: dict[str, Any] = {"type": "ontologyTerm", "id": curie}
            if label:
                term["label"] = label
            term["scopes"] = ["dataset"]
            listed.append(term)
        used = sorted({c.split(":", 1)[0] for c in terms if ":" in c} & set(_ONTOLOGY_RESOURCES))
        return self._json(
            {
                "meta": self._meta("filteringTerm", "beacon-filtering-terms-v2.0.0"),
                "response": {
                    "filteringTerms": listed,
                    "resources": [_ONTOLOGY_RESOURCES[p] for p in used],
                },
            }
        )

    def _collection(self, iri: str, graph: Graph) -> dict[str, Any]:
        ds = URIRef(iri)
        ident = _pick_text(graph, ds, DCTERMS.identifier) or iri
        entry: dict[str, Any] = {
            "id": ident,
            "name": _pick_text(graph, ds, DCTERMS.title) or ident,
        }
        description = _pick_text(graph, ds, DCTERMS.description)
        if description:
            entry["description"] = description
        for key, p in (("createDateTime", DCTERMS.issued), ("updateDateTime", DCTERMS.modified)):
            stamp = _date_stamp(graph.value(ds, p))
            if stamp is not None:
                entry[key] = _iso(stamp)
        page = graph.value(ds, DCAT.landingPage)
        if isinstance(page, URIRef):
            entry["externalUrl"] = str(page)
        permission = graph.value(ds, GDCAT.dataUsePermission)
        if isinstance(permission, URIRef) and str(permission) in _DUO:
            duo_id, label = _DUO[str(permission)]
            use: dict[str, Any] = {"id": duo_id, "label": label, "version": "2021-02-23"}
            modifiers = [
                {"id": _DUO[str(m)][0], "label": _DUO[str(m)][1]}
                for m in sorted(graph.objects(ds, GDCAT.dataUseModifier), key=str)
                if str(m) in _DUO
            ]
            if modifiers:
                use["modifiers"] = modifiers
            entry["dataUseConditions"] = {"duoDataUse": [use]}
        entry["info"] = {"dcatIri": iri}
        return entry

    def collections(self, wanted: str | None, window: tuple[int, int]) -> _Response:
        entries = [self._collection(i, g) for i, g in self.datasets().items()]
        if wanted is not None:
            entries = [e for e in entries if e["id"] == wanted]
            if not entries:
                return _text(404, f"no dataset {wanted!r} in this beacon")
        total = len(entries)
        skip, limit = window
        entries = entries[skip : skip + limit] if limit else entries[skip:]
        meta = self._meta("dataset", "beacon-dataset-v2.0.0")
        meta["returnedGranularity"] = "record"
        meta["receivedRequestSummary"] = {
            "apiVersion": BEACON_API_VERSION,
            "requestedSchemas": [],
            "pagination": {"skip": skip, "limit": limit},
            "requestedGranularity": "record",
        }
        return self._json(
            {
                "meta": meta,
                "responseSummary": {"exists": total > 0, "numTotalResults": total},
                "response": {"collections": entries},
            }
        )


# -- the federation ----------------------------------------------------------------------


def default_kinds(fed: Federation) -> dict[str, str]:
    """Node id -> kind for the demo federation, always the same for the same federation.

    Six FAIR Data Points (nl, be, dk, fi, se, ee), two feeds (de: piveau-style Hydra, fr:
    CKAN-style), two SPARQL endpoints (it, es), every other node a DCAT document; plus one
    ``<host>-beacon`` beside the node with the most datasets that have a Beacon service
    (counting first those computed from one of the node's cohorts).
    """
    kinds = {n.id: _DEFAULT_KINDS.get(n.id, "dcat") for n in fed.nodes}
    best: tuple[int, int, str] | None = None
    for n in fed.nodes:
        # Datasets with a Beacon service are the aggregated ones; prefer those computed from
        # a cohort of the node (dct:source), whose phenotypes and diseases filter the Beacon.
        specs = [spec for spec in n._plan.records if spec.kind == "aggregated"]
        rank = (sum(1 for spec in specs if spec.source_iri), len(specs), n.id)
        if specs and (best is None or rank[:2] > best[:2]):
            best = rank
    if best is not None:
        kinds[f"{best[2]}-beacon"] = "beacon"
    return kinds


def default_dcat_formats(fed: Federation) -> dict[str, str]:
    """Node id -> document format of the demo's ``dcat`` nodes (Turtle unless named)."""
    return {n.id: DEFAULT_DCAT_FORMATS.get(n.id, "turtle") for n in fed.nodes}


def default_feed_styles(kinds: Mapping[str, str], fed: Federation) -> dict[str, str]:
    """Node id -> paging style of the ``feed`` nodes: alternately piveau's and CKAN's."""
    feeds = [n.id for n in fed.nodes if kinds.get(n.id) == "feed"]
    return {node_id: FEED_STYLES[i % len(FEED_STYLES)] for i, node_id in enumerate(feeds)}


@dataclass
class ServedFederation:
    """Every served node; a context manager that shuts them all down on exit."""

    federation: Federation
    nodes: list[ServedNode]

    def node(self, node_id: str) -> ServedNode:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def __iter__(self) -> Iterator[ServedNode]:
        return iter(self.nodes)

    def registry(self, profile: str = "gdcat", policy: str = "reject") -> dict[str, Any]:
        """The node registry a harvester reads: ``{"node": [{id, country, kind, url, ...}]}``.

        The nodes are on loopback, so each is marked ``private`` (the harvester connects only
        to public addresses otherwise)."""
        entries = []
        for n in self.nodes:
            entry: dict[str, str | bool] = {
                "id": n.id,
                "country": n.country,
                "kind": n.kind,
                "url": n.url,
            }
            if n.kind == "fdp":
                entry["published_base"] = n.published_base
            entry["profile"] = profile
            entry["policy"] = policy
            entry["private"] = True
            entries.append(entry)
        return {"node": entries}

    def write_registry(self, path: Path, **kw: str) -> Path:
        """Write :meth:`registry` as TOML (``**kw``: ``profile``, ``policy``)."""
        lines = ["# gdcat node registry", ""]
        for entry in self.registry(**kw)["node"]:
            lines.append("[[node]]")
            lines += [f"{key} = {_toml_value(value)}" for key, value in entry.items()]
            lines.append("")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def close(self) -> None:
        """Shut every server down (in parallel: each takes up to one poll interval)."""
        threads = [threading.Thread(target=n.close, daemon=True) for n in self.nodes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def __enter__(self) -> ServedFederation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _toml_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _toml_string(value)


def _toml_string(value: str) -> str:
    escapes = {
        '"': '\\"',
        "\\": "\\\\",
        "\b": "\\b",
        "\t": "\\t",
        "\n": "\\n",
        "\f": "\\f",
        "\r": "\\r",
    }
    out = []
    for ch in value:
        if ch in escapes:
            out.append(escapes[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def serve_federation(
    fed: Federation,
    *,
    kinds: dict[str, str] | None = None,
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
    first_port: int | None = None,
    page_size: int = 25,
    dcat_formats: dict[str, str] | None = None,
    feed_styles: dict[str, str] | None = None,
) -> ServedFederation:
    """Start one HTTP server per node of ``kinds`` (default :func:`default_kinds`).

    Nodes left out of ``kinds`` are not served. ``"<id>-beacon": "beacon"`` adds a Beacon
    beside node ``<id>`` sharing its content. Ports: ``ports[id]`` if given, else
    ``first_port + i`` (``i``: the node's position in ``fed.nodes``; extra Beacons come
    after the last node), else an ephemeral port. ``dcat_formats`` and ``feed_styles``
    override :func:`default_dcat_formats` and :func:`default_feed_styles` per node.
    """
    kinds = default_kinds(fed) if kinds is None else dict(kinds)
    by_id = {n.id: n for n in fed.nodes}
    plain: list[tuple[int, Node, str]] = []
    beacons: list[tuple[str, Node]] = []
    for node_id, kind in kinds.items():
        if kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {kind!r} (known: {', '.join(NODE_KINDS)})")
        if kind == "beacon":
            host_id = node_id.removesuffix("-beacon")
            if host_id not in by_id:
                raise ValueError(f"a beacon needs a host node: no node {host_id!r}")
            beacons.append((node_id, by_id[host_id]))
        elif node_id in by_id:
            plain.append((fed.nodes.index(by_id[node_id]), by_id[node_id], kind))
        else:
            raise ValueError(f"no node {node_id!r} in the federation")
    plain.sort(key=lambda item: item[0])
    beacons.sort()
    formats = {**default_dcat_formats(fed), **(dcat_formats or {})}
    styles = {**default_feed_styles(kinds, fed), **(feed_styles or {})}
    contents: dict[str, NodeContent] = {}

    def content_of(node: Node) -> NodeContent:
        if node.id not in contents:
            contents[node.id] = NodeContent.from_node(node)
        return contents[node.id]

    def port_of(node_id: str, position: int) -> int:
        if ports and node_id in ports:
            return ports[node_id]
        return 0 if first_port is None else first_port + position

    planned: list[tuple[str, str, Node, int]] = [
        (node.id, kind, node, port_of(node.id, i)) for i, node, kind in plain
    ]
    planned += [
        (beacon_id, "beacon", node, port_of(beacon_id, len(fed.nodes) + j))
        for j, (beacon_id, node) in enumerate(beacons)
    ]
    served: list[ServedNode] = []
    try:
        for node_id, kind, node, port in planned:
            served.append(
                _start(
                    node_id,
                    kind,
                    content_of(node),
                    host,
                    port,
                    page_size=page_size,
                    fmt=formats.get(node.id, "turtle"),
                    style=styles.get(node.id, "hydra"),
                )
            )
    except BaseException:
        ServedFederation(fed, served).close()
        raise
    return ServedFederation(fed, served)


def _start(
    node_id: str,
    kind: str,
    content: NodeContent,
    host: str,
    port: int,
    *,
    page_size: int,
    fmt: str,
    style: str,
) -> ServedNode:
    published = content.base
    if kind == "beacon":
        published = f"https://beacon.{content.node_id}.demo.gdcat.eu/"
    node = ServedNode(node_id, content.country, kind, "", published, content)
    site: _Site
    if kind == "fdp":
        site = _FdpSite(node)
        suffix = "/"
    elif kind == "dcat":
        dcat_site = _DcatSite(node, fmt)
        site, suffix = dcat_site, dcat_site.path
    elif kind == "feed":
        site, suffix = _FeedSite(node, style, page_size), _FeedSite.path
    elif kind == "sparql":
        site, suffix = _SparqlSite(node), _SparqlSite.path
    else:
        site, suffix = _BeaconSite(node), _BeaconSite.prefix
    node._site = site
    server = _Server((host, port), node)
    node._server = server
    node.url = f"http://{host}:{server.server_address[1]}{suffix}"
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name=f"gdcat-demo-node-{node_id}",
        daemon=True,
    )
    thread.start()
    return node
