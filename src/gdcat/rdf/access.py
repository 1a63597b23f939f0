"""What a dataset record offers its users, as the landing page's schema.org JSON-LD and its
FAIR Signposting links both read it: its licences, its downloads, the pages where access is
asked for, its authors.

A ``dcat:downloadURL`` is a file one can fetch; a ``dcat:accessURL`` is a landing page, an
application form or a service through which access is given, never a download. The two are
kept apart here so that no answer of gdcat calls an application form a download.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

#: IANA's media-type registry: ``dcat:mediaType`` IRIs under it name a media type.
IANA_MEDIA_TYPES = (
    "http://www.iana.org/assignments/media-types/",
    "https://www.iana.org/assignments/media-types/",
)
_WEB = ("http://", "https://")
DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
# rdflib's namespace attributes cost microseconds a read, and every landing page reads these
# for each of its distributions: read once.
_TYPE = RDF.type
_DATASET = DCAT.Dataset
_DATA_SERVICE = DCAT.DataService
_DISTRIBUTION = DCAT.distribution
_MEDIA_TYPE = DCAT.mediaType
_DOWNLOAD_URL = DCAT.downloadURL
_ACCESS_URL = DCAT.accessURL
_LICENSE = DCTERMS.license
_TITLE = DCTERMS.title
_DESCRIPTION = DCTERMS.description
_CREATOR = DCTERMS.creator


@dataclass(frozen=True)
class Download:
    """A file of a distribution: its ``dcat:downloadURL``."""

    url: str
    #: its media type (``text/csv``) when the distribution names an IANA media type
    media_type: str | None
    #: the distribution's IRI (None when the distribution is a blank node)
    distribution: str | None
    titles: tuple[Literal, ...] = ()


@dataclass(frozen=True)
class AccessPage:
    """Where access to a distribution is given or asked for: its ``dcat:accessURL``, when the
    distribution has no download."""

    url: str
    distribution: str | None
    titles: tuple[Literal, ...] = ()
    descriptions: tuple[Literal, ...] = ()


class Described(Protocol):
    """What the functions below read of a graph: the objects of a subject's predicate. An
    rdflib graph is one; :class:`Statements` is another, made at a fraction of its cost."""

    def objects(self, subject: Node, predicate: URIRef) -> Iterable[Node]: ...


class Statements:
    """Triples looked up by subject and predicate, and nothing else: what a landing page's
    signposts read of a dataset and its distributions, without building an rdflib graph
    (whose indexes and per-triple bookkeeping were a sixth of the time of one dataset as
    RDF). Each object once per subject and predicate, as in a graph."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self._objects: dict[tuple[Node, Node], dict[Node, None]] = {}
        for s, p, o in triples:
            self._objects.setdefault((s, p), {})[o] = None

    def objects(self, subject: Node, predicate: URIRef) -> Iterator[Node]:
        return iter(self._objects.get((subject, predicate), ()))


def _iris(graph: Described, subject: Node, predicate: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, predicate) if isinstance(o, URIRef))


def _literals(graph: Described, subject: Node, predicate: URIRef) -> tuple[Literal, ...]:
    return tuple(
        sorted((o for o in graph.objects(subject, predicate) if isinstance(o, Literal)), key=str)
    )


def is_data_service(graph: Described, subject: Node) -> bool:
    """A ``dcat:DataService`` that is no dataset or series (a node's Beacon)."""
    kinds = set(graph.objects(subject, _TYPE))
    return _DATA_SERVICE in kinds and not kinds & {_DATASET, DATASET_SERIES}


def distributions(graph: Described, dataset: Node) -> list[Node]:
    return sorted(graph.objects(dataset, _DISTRIBUTION), key=str)


def licences(graph: Described, dataset: Node) -> list[str]:
    """The dataset's licences (``dct:license``); when it names none, those of its
    distributions (DCAT-AP puts the licence on the distribution)."""
    own = _iris(graph, dataset, _LICENSE)
    if own:
        return own
    return sorted({iri for d in distributions(graph, dataset) for iri in _iris(graph, d, _LICENSE)})


def media_type(graph: Described, distribution: Node) -> str | None:
    """The distribution's media type, when its ``dcat:mediaType`` is an IANA media-type IRI."""
    for iri in _iris(graph, distribution, _MEDIA_TYPE):
        for prefix in IANA_MEDIA_TYPES:
            if iri.startswith(prefix) and "/" in iri[len(prefix) :]:
                return iri[len(prefix) :]
    return None


def downloads(graph: Described, dataset: Node) -> list[Download]:
    """Every ``dcat:downloadURL`` of the dataset's distributions (web addresses only)."""
    out = []
    for d in distributions(graph, dataset):
        for url in _iris(graph, d, _DOWNLOAD_URL):
            if url.startswith(_WEB):
                out.append(
                    Download(
                        url,
                        media_type(graph, d),
                        str(d) if isinstance(d, URIRef) else None,
                        _literals(graph, d, _TITLE),
                    )
                )
    return out


def access_pages(graph: Graph, dataset: Node) -> list[AccessPage]:
    """The ``dcat:accessURL`` of each distribution that has no download."""
    out = []
    for d in distributions(graph, dataset):
        if (d, _DOWNLOAD_URL, None) in graph:
            continue
        for url in _iris(graph, d, _ACCESS_URL):
            if url.startswith(_WEB):
                out.append(
                    AccessPage(
                        url,
                        str(d) if isinstance(d, URIRef) else None,
                        _literals(graph, d, _TITLE),
                        _literals(graph, d, _DESCRIPTION),
                    )
                )
    return out


def authors(graph: Described, dataset: Node) -> list[str]:
    """The web IRIs of the dataset's creators (``dct:creator``): ORCIDs, ROR ids, agents."""
    return [iri for iri in _iris(graph, dataset, _CREATOR) if iri.startswith(_WEB)]
