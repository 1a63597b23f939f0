"""What a dataset record offers its users, as the landing page's schema.org JSON-LD and its
FAIR Signposting links both read it: its licences, its downloads, the pages where access is
asked for, its authors.

A ``dcat:downloadURL`` is a file one can fetch; a ``dcat:accessURL`` is a landing page, an
application form or a service through which access is given, never a download. The two are
kept apart here so that no answer of gdcat calls an application form a download.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _iris(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, predicate) if isinstance(o, URIRef))


def _literals(graph: Graph, subject: Node, predicate: URIRef) -> tuple[Literal, ...]:
    return tuple(
        sorted((o for o in graph.objects(subject, predicate) if isinstance(o, Literal)), key=str)
    )


def is_data_service(graph: Graph, subject: Node) -> bool:
    """A ``dcat:DataService`` that is no dataset or series (a node's Beacon)."""
    kinds = set(graph.objects(subject, RDF.type))
    return DCAT.DataService in kinds and not kinds & {DCAT.Dataset, DATASET_SERIES}


def distributions(graph: Graph, dataset: Node) -> list[Node]:
    return sorted(graph.objects(dataset, DCAT.distribution), key=str)


def licences(graph: Graph, dataset: Node) -> list[str]:
    """The dataset's licences (``dct:license``); when it names none, those of its
    distributions (DCAT-AP puts the licence on the distribution)."""
    own = _iris(graph, dataset, DCTERMS.license)
    if own:
        return own
    return sorted(
        {iri for d in distributions(graph, dataset) for iri in _iris(graph, d, DCTERMS.license)}
    )


def media_type(graph: Graph, distribution: Node) -> str | None:
    """The distribution's media type, when its ``dcat:mediaType`` is an IANA media-type IRI."""
    for iri in _iris(graph, distribution, DCAT.mediaType):
        for prefix in IANA_MEDIA_TYPES:
            if iri.startswith(prefix) and "/" in iri[len(prefix) :]:
                return iri[len(prefix) :]
    return None


def downloads(graph: Graph, dataset: Node) -> list[Download]:
    """Every ``dcat:downloadURL`` of the dataset's distributions (web addresses only)."""
    out = []
    for d in distributions(graph, dataset):
        for url in _iris(graph, d, DCAT.downloadURL):
            if url.startswith(_WEB):
                out.append(
                    Download(
                        url,
                        media_type(graph, d),
                        str(d) if isinstance(d, URIRef) else None,
                        _literals(graph, d, DCTERMS.title),
                    )
                )
    return out


def access_pages(graph: Graph, dataset: Node) -> list[AccessPage]:
    """The ``dcat:accessURL`` of each distribution that has no download."""
    out = []
    for d in distributions(graph, dataset):
        if (d, DCAT.downloadURL, None) in graph:
            continue
        for url in _iris(graph, d, DCAT.accessURL):
            if url.startswith(_WEB):
                out.append(
                    AccessPage(
                        url,
                        str(d) if isinstance(d, URIRef) else None,
                        _literals(graph, d, DCTERMS.title),
                        _literals(graph, d, DCTERMS.description),
                    )
                )
    return out


def authors(graph: Graph, dataset: Node) -> list[str]:
    """The web IRIs of the dataset's creators (``dct:creator``): ORCIDs, ROR ids, agents."""
    return [iri for iri in _iris(graph, dataset, DCTERMS.creator) if iri.startswith(_WEB)]
