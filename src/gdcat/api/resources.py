"""The IRIs gdcat mints, dereferenced: HTML for people, RDF for programs (Turtle, JSON-LD,
RDF/XML, N-Triples), chosen by ``Accept`` or ``?format=``.

| IRI | answers |
|---|---|
| ``{base}dataset/{key}`` | a stored dataset (or data service): its record as published, with the |
| | FAIR Data Point's metadata about it; as HTML its landing page |
| ``{base}record/{key}`` | the ``dcat:CatalogRecord`` (a tombstone once the dataset is withdrawn) |
| ``{base}run/{id}`` | a harvest run: its report in PROV-O |
| ``{base}graph/provenance`` | what the provenance graph holds (query it at ``/sparql``) |
| ``{base}resource?iri=…`` | ``303 See Other`` to gdcat's page of a dataset or distribution IRI |

``key`` is the record key, ``sha256(dataset IRI)[:24]`` in hex, shared by a dataset's page and
its catalogue record. Harvested datasets keep their nodes' IRIs; these pages are where gdcat
serves them. Not public (they answer 404): the harvest state graphs
(``{base}graph/harvest/{node}``) and self-registrations (``{base}graph/registrations``,
``{base}registration/{id}``), which hold crawl bookkeeping and unvetted submissions.

This module also holds what the FAIR Data Point (:mod:`gdcat.api.fdp`) and the feed
(:mod:`gdcat.api.feed`) share: the listing of stored records (:class:`LinkedData`), RDF
serialisation and answers with ETags (:func:`rdf_answer`), and their OpenAPI documentation.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import Response
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS

from gdcat.api.context import AppContext
from gdcat.api.negotiation import HTML, RDF_MEDIA_TYPES, negotiate
from gdcat.api.problems import PROBLEM_JSON, PROBLEM_SCHEMA, Problem
from gdcat.api.signposting import (
    LINKSET,
    LINKSET_JSON,
    Link,
    link_header,
    linkset_json,
    linkset_text,
    signposts,
)
from gdcat.errors import ListingPendingError
from gdcat.rdf import access
from gdcat.rdf.parse import xml_safe_text, xml_unsafe_character
from gdcat.rdf.records import new_record_graph
from gdcat.rdf.terms import ox_to_rdflib, ox_to_rdflib_cached
from gdcat.store import CatalogRecord, ReadAlong, RecordChange, Store, record_iri
from gdcat.store.inventory import RecordKinds
from gdcat.store.results import Term
from gdcat.ui import dataset_page as dataset_view
from gdcat.ui import pages
from gdcat.vocab import PREFIXES

_log = logging.getLogger(__name__)

# -- vocabulary (as plain IRIs: the routes build pyoxigraph terms) --------------------------

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
FDP = "https://w3id.org/fdp/fdp-o#"
LDP = "http://www.w3.org/ns/ldp#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
GDCAT = "https://w3id.org/gdcat/ns#"
VOID = "http://rdfs.org/ns/void#"
_WITHDRAWN = "http://purl.org/adms/changetype/deleted"

#: Classes of records the FAIR Data Point and the feed list as datasets.
DATASET_KINDS = ("Dataset", "DatasetSeries")

# -- what a page offers, and how it is asked for ------------------------------------------

#: A resource's forms; Turtle first, so that a client without preference (``*/*``) gets data.
PAGE_OFFERS: tuple[str, ...] = (*RDF_MEDIA_TYPES, HTML)
RDF_OFFERS: tuple[str, ...] = RDF_MEDIA_TYPES

#: ``?format=`` values documented for pages (media types and other aliases work too).
PAGE_FORMATS = ["html", "turtle", "ttl", "jsonld", "rdfxml", "ntriples", "nt"]
RDF_FORMATS = [f for f in PAGE_FORMATS if f != "html"]

#: The short ``?format=`` name of each form (links to alternates use them).
FORMAT_NAMES = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/n-triples": "nt",
    HTML: "html",
}
FORM_LABELS = {
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF/XML",
    "application/n-triples": "N-Triples",
    HTML: "HTML",
}

KEY_PATTERN = r"^[0-9a-f]{24}$"
RUN_PATTERN = r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$"
#: IRIs that are safe inside ``<…>`` of a SPARQL query (no character that ends it early).
_SAFE_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")

KeyPath = Annotated[
    str,
    Path(
        description="Record key: the first 24 hex digits of the SHA-256 of the dataset IRI.",
        pattern=KEY_PATTERN,
        examples=["3f2b8c1d9e0a4b5c6d7e8f90"],
    ),
]


def format_query(choices: list[str]) -> Any:
    """The documented ``?format=`` parameter (read by :func:`negotiate`, which also takes media
    types and answers 400 for an unknown format, 406 for one not offered here)."""
    return Query(
        None,
        alias="format",
        description="Form of the answer; overrides `Accept`.",
        json_schema_extra={"enum": choices},
    )


def choose_form(request: Request, offers: Sequence[str]) -> str:
    """The form to answer in (:func:`negotiate`); an empty ``?format=`` is refused too."""
    if request.query_params.get("format", None) == "":
        raise Problem(400, "Unknown format", "format is empty", kind="unknown-format")
    return negotiate(request, offers)


# -- RDF answers ----------------------------------------------------------------------------

_OX_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


_TYPE = ox.NamedNode(str(RDF.type))
_SERIES = ox.NamedNode(DCAT + "DatasetSeries")
_DATASET = ox.NamedNode(DCAT + "Dataset")
_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


def typed_for_clients(triples: list[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with every ``dcat:DatasetSeries`` also typed ``dcat:Dataset``.

    DCAT 3 makes a series a dataset (``rdfs:subClassOf``); a client that does no inference
    reads only what is written: ckanext-dcat's parser (the GDI portal's harvester) takes the
    subjects typed ``dcat:Dataset`` and nothing else. gdcat's harvester drops the added type
    again (:func:`gdcat.harvest.normalise.normalise`), so a series never becomes a target of
    the dataset shapes."""
    series = {t.subject for t in triples if t.predicate == _TYPE and t.object == _SERIES}
    if not series:
        return triples
    typed = {t.subject for t in triples if t.predicate == _TYPE and t.object == _DATASET}
    return triples + [ox.Triple(s, _TYPE, _DATASET) for s in series - typed]


def _to_ox(term: object) -> ox.NamedNode | ox.Literal:
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING)))
    return ox.NamedNode(str(term))


def described_for_clients(triples: Sequence[ox.Triple]) -> list[ox.Triple]:
    """``triples`` and what the shipped vocabularies say of the controlled terms they use, as
    the DCAT-AP shapes check it (:mod:`gdcat.validate.term_descriptions`): every document
    gdcat re-publishes (feed, FAIR Data Point, landing pages) goes through here, so that a
    validator that does no inference sees each term's class and scheme. A statement the
    document already makes is not repeated, nor a label for a term it labels itself."""
    present = set(triples)
    used: set[str] = set()
    labelled = set()
    for t in present:
        predicate, obj = t.predicate, t.object
        if predicate == _TYPE:
            continue
        if isinstance(obj, ox.NamedNode):
            used.add(obj.value)
        if predicate == _PREF_LABEL:
            labelled.add(t.subject)
    out: dict[ox.Triple, None] = {}
    for term in sorted(used):
        for added in _term_description(term):
            if added in present or (added.predicate == _PREF_LABEL and added.subject in labelled):
                continue
            out[added] = None
    return [*triples, *out]


@lru_cache(maxsize=1 << 14)
def _term_description(term: str) -> tuple[ox.Triple, ...]:
    """:func:`~gdcat.validate.term_descriptions.term_description` of the IRI ``term`` as
    pyoxigraph triples, made once per term (every page re-publishes the same few hundred
    vocabulary terms; an IRI no vocabulary describes costs one empty tuple)."""
    from gdcat.validate.term_descriptions import term_description

    return tuple(
        ox.Triple(ox.NamedNode(str(s)), ox.NamedNode(str(p)), _to_ox(o))
        for s, p, o in term_description(URIRef(term))
    )


_LINKED_KINDS = {
    DCAT + "Dataset": (DCT + "title", DCT + "description"),
    DCAT + "DatasetSeries": (DCT + "title", DCT + "description"),
    DCAT + "DataService": (DCT + "title", DCAT + "endpointURL"),
}


#: What :meth:`LinkedData.related` reads first: a release or series, a title, an issue date.
_RELATED_VARIABLES = ("of", "title", "issued")
#: The titles of the series ``?of`` (:meth:`LinkedData.related`).
_SERIES_TITLES = f"GRAPH ?g {{ ?of <{DCT}title> ?title }}"


def _releases_of(dataset: str) -> str:
    """The releases ``?of`` of ``dataset`` (an IRI in ``<>`` or a variable), each with its
    titles and issue dates (:meth:`LinkedData.related`)."""
    return (
        f"GRAPH ?g {{ ?of <{DCAT}inSeries> {dataset} "
        f"OPTIONAL {{ ?of <{DCT}title> ?title }} OPTIONAL {{ ?of <{DCT}issued> ?issued }} }}"
    )


def linked_along(data: LinkedData, key: str) -> ReadAlong:
    """What :func:`linked_described` reads first, read along with the record ``key`` (one
    request to a remote store): each resource an IRI of the record's graph names (but by
    ``rdf:type``) that is a dataset, series or data service of the catalogue, with its
    record, whose IRI the engine computes as :func:`~gdcat.store.record_iri` does. (Through
    ``OPTIONAL``, Oxigraph looks each one's record up; a join would read every record's
    types first: 0.4 s at 30,000 records.)"""
    record = data.record_iri(key)
    kinds = ", ".join(f"<{k}>" for k in _LINKED_KINDS)
    return ReadAlong(
        ("record", "member", "kind"),
        f"GRAPH <{record}> {{ ?holder ?link ?member "
        f"FILTER(isIRI(?member) && ?link != <{RDF_TYPE}>) }} "
        f'BIND(IRI(CONCAT("{data.base}record/", SUBSTR(SHA256(STR(?member)), 1, 24))) '
        "AS ?record) "
        f"OPTIONAL {{ GRAPH ?record {{ ?member a ?kind . FILTER(?kind IN ({kinds})) }} }} "
        "FILTER(BOUND(?kind))",
    )


def linked_described(
    data: LinkedData,
    triples: Sequence[ox.Triple],
    *,
    whole: bool = True,
    along: Sequence[tuple[Term | None, ...]] | None = None,
) -> list[ox.Triple]:
    """``triples`` and the datasets, series and data services of the catalogue they link to
    without describing them (a release's ``dcat:inSeries``, an aggregate's ``dct:source``, a
    catalogue's ``dcat:dataset``): the DCAT-AP range shapes check such a value's class
    (``sh:class dcat:DatasetSeries`` on ``dcat:inSeries``) in the document alone, so a page
    that names a resource without typing it fails a validator that does no inference.

    With ``whole`` (a landing page, a feed page) each linked resource comes with its whole
    record, as its own page publishes it: a harvester that reads the page (ckanext-dcat,
    gdcat itself) and takes every dataset it describes gets the same record from either
    page, never a shorter one. Without it (a catalogue page, an index of hundreds of records
    each on its own page) only its type and what the shapes require of one of its kind (titles
    and descriptions; a service's endpoint URLs).

    ``along`` holds the solutions of :func:`linked_along` when ``triples`` (a record's) were
    read with them: then the store is not asked which resources they name."""
    typed = {t.subject for t in triples if t.predicate == _TYPE}
    linked = {
        t.object
        for t in triples
        if isinstance(t.object, ox.NamedNode)
        and t.predicate != _TYPE
        and t.object not in typed
        and not _vocabulary_term(t.object.value)
    }
    if not linked:
        return list(triples)
    # A record's graph is named after its resource's IRI, so each linked IRI names the one
    # graph to look in. The join starts from these pairs; what the shapes require of each
    # kind is read in a second query, for the resources found only (an OPTIONAL in the first
    # made Oxigraph read every graph's titles: 130 ms for a page at 3,000 records).
    if along is None:
        pairs = " ".join(
            f"(<{record_iri(data.base, n.value)}> <{n.value}>)" for n in sorted(linked)
        )
        kinds = ", ".join(f"<{k}>" for k in _LINKED_KINDS)
        rows: Sequence[tuple[Term | None, ...]] = data.store.query(
            f"SELECT ?record ?member ?kind WHERE {{ VALUES (?record ?member) {{ {pairs} }} "
            f"GRAPH ?record {{ ?member a ?kind . FILTER(?kind IN ({kinds})) }} }}",
            union_default_graph=False,
        ).rows
    else:  # read with the record: kept as the query above would find them
        rows = [
            row
            for row in along
            if isinstance(row[0], ox.NamedNode)
            and isinstance(row[1], ox.NamedNode)
            and row[0].value == record_iri(data.base, row[1].value)
        ]
    out: dict[ox.Triple, None] = {}
    found: dict[ox.NamedNode, tuple[ox.NamedNode, ox.NamedNode]] = {}
    for record, member, kind in rows:
        if not isinstance(member, ox.NamedNode) or member not in linked:
            continue
        assert isinstance(record, ox.NamedNode) and isinstance(kind, ox.NamedNode)
        found[member] = (record, kind)
        out[ox.Triple(member, _TYPE, kind)] = None
    if whole:
        keys = sorted({data.key_of(record.value) for record, _ in found.values()})
        out = {t: None for key in keys for t in data.record_triples(key)}
    elif found:
        wanted = " ".join(
            f"(<{record.value}> <{member.value}> <{p}>)"
            for member, (record, kind) in sorted(found.items(), key=lambda f: f[0].value)
            for p in _LINKED_KINDS[kind.value]
        )
        described = data.store.query(
            f"SELECT ?member ?p ?o WHERE {{ VALUES (?record ?member ?p) {{ {wanted} }} "
            "GRAPH ?record { ?member ?p ?o } }",
            union_default_graph=False,
        ).rows
        for member, p, o in described:
            assert isinstance(member, ox.NamedNode) and isinstance(p, ox.NamedNode)
            assert o is not None
            out[ox.Triple(member, p, o)] = None
    present = set(triples)
    return typed_for_clients([*triples, *(t for t in out if t not in present)])


@lru_cache(maxsize=1 << 16)
def _vocabulary_term(iri: str) -> bool:
    """True when a shipped vocabulary describes ``iri`` as one of its terms (a SKOS concept,
    an ontology class such as a phenotype or a data use term): a controlled value, which no
    catalogue record describes, so :func:`linked_described` need not look for one (a
    dataset names some twenty of them)."""
    from gdcat.validate.background import vocabulary_index

    return any(
        p == RDF.type and o in _TERM_CLASSES
        for _, p, o in vocabulary_index().by_subject.get(URIRef(iri), ())
    )


_TERM_CLASSES = frozenset({SKOS.Concept, OWL.Class})


def triple(s: str | ox.NamedNode | ox.BlankNode, p: str, o: Any) -> ox.Triple:
    """A triple from IRIs (strings) or terms; ``o`` may be a term or an IRI string."""
    subject = ox.NamedNode(s) if isinstance(s, str) else s
    obj = ox.NamedNode(o) if isinstance(o, str) else o
    return ox.Triple(subject, ox.NamedNode(p), obj)


def text(value: str, language: str | None = "en") -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def timestamp(moment: datetime) -> ox.Literal:
    value = moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return ox.Literal(value, datatype=ox.NamedNode(XSD_DATETIME))


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """gdcat's prefixes that some IRI of ``triples`` starts with."""
    seen: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                seen.add(term.value)
            elif isinstance(term, ox.Literal):
                seen.add(term.datatype.value)
    used: dict[str, str] = {}
    for value in seen:
        found = _prefix_of(value)
        if found is not None:
            used[found[0]] = found[1]
    return used


_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@lru_cache(maxsize=1 << 16)
def _prefix_of(iri: str) -> tuple[str, str] | None:
    """The longest of gdcat's namespaces ``iri`` starts with, as ``(prefix, namespace)``
    (pages repeat their predicates, classes and vocabulary terms: each is looked up once)."""
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace):
            return prefix, namespace
    return None


def serialize(triples: Sequence[ox.Triple], media: str, *, first: str | None = None) -> bytes:
    """``triples`` in the RDF form ``media``, grouped by subject (``first`` leads)."""

    def order(t: ox.Triple) -> tuple[int, str, str, str]:
        s = t.subject
        lead = 0 if isinstance(s, ox.NamedNode) and s.value == first else 1
        return (lead, str(s), t.predicate.value, str(t.object))

    ordered = sorted(dict.fromkeys(triples), key=order)
    fmt = _OX_FORMATS[media]
    if fmt is ox.RdfFormat.RDF_XML:
        ordered = [_xml_writable(t) for t in ordered]
    prefixes = used_prefixes(ordered) if fmt is not ox.RdfFormat.N_TRIPLES else None
    return ox.serialize(ordered, format=fmt, prefixes=prefixes) or b""


def _xml_writable(t: ox.Triple) -> ox.Triple:
    """``t`` with each character XML cannot carry in its literal replaced by U+FFFD.

    Parsing refuses such characters (:mod:`gdcat.rdf.parse`); this keeps RDF/XML answers
    well-formed for a store filled before it did, or by SPARQL Update.
    """
    o = t.object
    if not isinstance(o, ox.Literal) or xml_unsafe_character(o.value) is None:
        return t
    value = xml_safe_text(o.value)
    if o.language:
        literal = ox.Literal(value, language=o.language)
    else:
        literal = ox.Literal(value, datatype=o.datatype)
    return ox.Triple(t.subject, t.predicate, literal)


def to_graph(triples: Iterable[ox.Triple]) -> Graph:
    """An rdflib graph of pyoxigraph triples (for HTML rendering and the signposts), over
    rdflib's context-free store, its terms converted once per process."""
    graph = new_record_graph()
    term = ox_to_rdflib_cached
    graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in triples)  # type: ignore[arg-type]
    return graph


def alternates(request: Request, offers: Sequence[str]) -> list[tuple[str, str, str]]:
    """(label, media type, URL) of each form of the requested resource."""
    url = request.url
    if not url.query:  # the usual request: no need to parse and encode a query each time
        plain = str(url)
        return [(FORM_LABELS[m], m, f"{plain}?format={FORMAT_NAMES[m]}") for m in offers]
    return [
        (
            FORM_LABELS[media],
            media,
            str(request.url.include_query_params(format=FORMAT_NAMES[media])),
        )
        for media in offers
    ]


def answer(
    request: Request,
    body: bytes | str,
    media: str,
    *,
    offers: Sequence[str] = (),
    links: Sequence[Link] = (),
) -> Response:
    """A 200 answer with an ETag of its body (``304`` when the client has it already), and
    ``Link`` headers to the resource's other forms and its typed ``links`` (FAIR Signposting:
    :mod:`gdcat.api.signposting`), in the 304 too."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    # an HTML page is in the reader's language (gdcat.ui.i18n): caches must keep one per language
    out = {"ETag": etag, "Vary": "Accept, Accept-Language" if media == HTML else "Accept"}
    every = [Link(url, "alternate", form) for _, form, url in alternates(request, offers)]
    every += links
    if every:
        out["Link"] = link_header(every)
    wanted = request.headers.get("if-none-match")
    if wanted and (wanted.strip() == "*" or etag in [v.strip() for v in wanted.split(",")]):
        return Response(status_code=304, headers=out)
    return Response(data, 200, out, media_type=media)


def rdf_answer(
    request: Request,
    triples: Sequence[ox.Triple],
    media: str,
    *,
    first: str | None = None,
    offers: Sequence[str] = PAGE_OFFERS,
    links: Sequence[Link] = (),
) -> Response:
    return answer(
        request, serialize(triples, media, first=first), media, offers=offers, links=links
    )


# -- OpenAPI documentation ---------------------------------------------------------------

_EXAMPLE_DATASET = "https://fdp.nl.demo.gdcat.eu/dataset/nl-wgs-0001"
_EXAMPLE = [
    triple(_EXAMPLE_DATASET, RDF_TYPE, DCAT + "Dataset"),
    triple(_EXAMPLE_DATASET, DCT + "title", text("Whole genomes of the Dutch cohort")),
    triple(_EXAMPLE_DATASET, DCT + "identifier", ox.Literal("NL-WGS-0001")),
]


_PROBLEMS = {
    303: "See Other: the page of the resource is at `Location`.",
    400: "Unknown `format`.",
    404: "No such resource.",
    406: "None of the accepted forms is offered.",
    410: "The dataset was withdrawn (its catalogue record remains, as a tombstone).",
    422: "Invalid parameters.",
}


def _problem_content(status: int) -> dict[str, Any]:
    example = {
        "type": "about:blank",
        "title": _PROBLEMS[status].split(":")[0].rstrip("."),
        "status": status,
    }
    return {
        PROBLEM_JSON: {"schema": PROBLEM_SCHEMA, "example": example},
        "text/html": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}},
    }


def documented(
    description: str,
    *,
    offers: Sequence[str] = PAGE_OFFERS,
    example: Sequence[ox.Triple] = _EXAMPLE,
    statuses: Iterable[int] = (404,),
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` of a route answering ``offers``, with an example of each form."""
    content: dict[str, Any] = {}
    for media in offers:
        if media == HTML:
            content[HTML] = {
                "schema": {"type": "string"},
                "example": "<!doctype html><html lang='en'>…</html>",
            }
        elif media == "application/ld+json":
            content[media] = {"example": json.loads(serialize(example, media))}
        else:
            content[media] = {
                "schema": {"type": "string"},
                "example": serialize(example, media).decode("utf-8"),
            }
    responses: dict[int | str, dict[str, Any]] = {
        200: {"description": description, "content": content}
    }
    for status in sorted({400, 406, 422, *statuses}):
        if status == 303:
            responses[303] = {"description": _PROBLEMS[303]}
        else:
            responses[status] = {
                "description": _PROBLEMS[status],
                "content": _problem_content(status),
            }
    return responses


# -- the stored records, as the linked-data routes list them ------------------------------


@dataclass(frozen=True)
class Entry:
    """One live record: its key, dataset IRI, node and class."""

    key: str
    record: str
    dataset: str
    node: str | None
    country: str | None
    issued: datetime
    modified: datetime
    #: local name of the record's class (``Dataset``, ``DatasetSeries``, ``DataService``…)
    kind: str

    @property
    def is_dataset(self) -> bool:
        return self.kind in DATASET_KINDS


def entry_kinds(entries: Iterable[Entry]) -> RecordKinds:
    """Live records by kind, as every page names them: a series is a series (not also a
    dataset), a data service a service."""
    kinds = [e.kind for e in entries]
    return RecordKinds(
        datasets=kinds.count("Dataset"),
        series=kinds.count("DatasetSeries"),
        services=kinds.count("DataService"),
    )


#: The catalogue of records that came from no node (loaded from files); no node id starts
#: with ``_``, so it cannot clash with a node's catalogue.
LOCAL_CATALOGUE = "_local"
CATALOGUE_PATTERN = r"^(?:[a-z0-9][a-z0-9_.-]{0,62}|_local)$"


@dataclass(frozen=True)
class Catalogue:
    """The records of one node, re-published as one ``dcat:Catalog``."""

    id: str
    country: str | None
    entries: tuple[Entry, ...]

    @property
    def datasets(self) -> list[Entry]:
        return [e for e in self.entries if e.is_dataset]

    @property
    def services(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "DataService"]

    # Read once per catalogue object (the listing makes a new one when a write changes the
    # catalogue): at a million records the home page would otherwise walk every entry twice
    # a request.
    @cached_property
    def issued(self) -> datetime:
        return min(e.issued for e in self.entries)

    @cached_property
    def modified(self) -> datetime:
        return max(e.modified for e in self.entries)

    @cached_property
    def kinds(self) -> RecordKinds:
        """:func:`entry_kinds` of its entries."""
        return entry_kinds(self.entries)


#: How long a page waits for the listing of every live record to be brought in step with the
#: store before it answers without it: an update of the listing takes milliseconds, its first
#: read after a start minutes at a million records (then the page answers 503 with
#: ``Retry-After``, the home page with the store's totals).
PAGE_WAIT = 2.0
#: The ``Retry-After`` (seconds) of a page answered before the listing's first read ended.
LISTING_RETRY_AFTER = 10


@dataclass(frozen=True)
class _Listing:
    generation: int
    entries: tuple[Entry, ...]
    catalogues: dict[str, Catalogue]
    #: live records by dataset IRI
    by_dataset: dict[str, Entry]


_KIND_RANK = {"DatasetSeries": 0, "Dataset": 1, "DataService": 2}


@dataclass
class _Summary:
    """What a series' page says of one of its releases (or a release's page of its series)."""

    descriptions: list[tuple[str, str | None]] = field(default_factory=list)
    own_licences: set[str] = field(default_factory=set)
    distribution_licences: set[str] = field(default_factory=set)
    downloads: list[access.Download] = field(default_factory=list)

    def licences(self) -> list[str]:
        """As :func:`gdcat.rdf.access.licences`: its own, else its distributions'."""
        return sorted(self.own_licences or self.distribution_licences)


class LinkedData:
    """What the linked-data routes read from the store. The listing of live records is read
    once, then kept in step with the store's writes, as the search index is: the records a
    write changed are read again (a million records take minutes to list, one a millisecond),
    and the whole listing only after a change no listener could name (a raw SPARQL update,
    changes of other processes that may have been missed). Shared by every request."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.base = store.base_iri
        self._listing: _Listing | None = None
        self._lock = threading.Lock()
        #: datasets written or withdrawn since the listing was read, and whether anything
        #: may have changed (a full read then)
        self._changed: set[str] = set()
        self._everything = False
        self._changes_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        #: when the whole listing's read began, while it runs
        self._full_read_since: float | None = None
        self._reader_lock = threading.Lock()
        store.add_listener(self._on_change)

    def close(self) -> None:
        self.store.remove_listener(self._on_change)

    def _on_change(self, change: RecordChange) -> None:
        with self._changes_lock:
            self._changed.update(change.written)
            self._changed.update(change.withdrawn)
            self._everything = self._everything or change.everything

    # -- IRIs gdcat mints ---------------------------------------------------------------

    def record_iri(self, key: str) -> str:
        return f"{self.base}record/{key}"

    def dataset_page(self, key: str) -> str:
        return f"{self.base}dataset/{key}"

    def catalogue_iri(self, catalogue: str) -> str:
        return f"{self.base}catalog/{catalogue}"

    def distribution_page(self, key: str, distribution: str) -> str:
        return f"{self.base}dataset/{key}/distribution/{distribution_key(distribution)}"

    @property
    def publisher(self) -> str:
        """gdcat as the agent re-publishing the catalogues."""
        return f"{self.base}#publisher"

    def key_of(self, record: str) -> str:
        """The key of a catalogue record IRI."""
        return record[len(self.base) + len("record/") :]

    def page_of(self, dataset: str) -> str:
        """gdcat's page of a dataset IRI."""
        return self.dataset_page(self.key_of(record_iri(self.base, dataset)))

    # -- reading ------------------------------------------------------------------------

    def listing(self, *, wait: float | None = None) -> _Listing:
        """The listing of every live record, in step with the store.

        Without ``wait`` the caller reads it (or waits for the thread reading it). With
        ``wait`` (a page), a read runs in a thread of its own and the page waits for it at
        most ``wait`` seconds from the read's start (a page that finds a read of the whole
        listing running for longer does not wait): past that it gets the listing as it was
        before the change being read (a full read again after a raw update takes minutes at
        a million records) or, while the first read has not ended,
        :class:`ListingPendingError`."""
        current = self._listing
        if current is not None and self._in_step(current):
            return current
        if wait is None:
            with self._lock:
                return self._refreshed()
        started = self._full_read_since
        if started is not None:  # a whole read is running: wait only what is left of ``wait``
            wait = max(0.0, wait - (time.monotonic() - started))
        reader = self._reader_thread()
        reader.join(wait)
        if not reader.is_alive():
            done = self._listing
            if done is not None and self._in_step(done):
                return done
            return self.listing()  # read here: a failed read raises its error here
        if current is not None:
            return current
        raise ListingPendingError(LISTING_RETRY_AFTER)

    def _in_step(self, current: _Listing) -> bool:
        return current.generation == self.store.generation and not (
            self._changed or self._everything
        )

    def _refreshed(self) -> _Listing:
        """The listing brought in step with the store; the caller holds ``_lock``."""
        generation = self.store.generation
        with self._changes_lock:
            changed, self._changed = self._changed, set()
            everything, self._everything = self._everything, False
        current = self._listing
        try:
            if current is None or everything:
                # minutes at a million records: a page that finds it running does not wait
                # for it again and again, only once, at most ``wait`` seconds from its start
                self._full_read_since = time.monotonic()
                try:
                    current = self._read_listing(generation)
                finally:
                    self._full_read_since = None
            elif changed:
                current = self._changed_listing(current, changed, generation)
            elif current.generation != generation:  # a write that changed no record
                current = replace(current, generation=generation)
        except BaseException:
            with self._changes_lock:  # read again next time
                self._changed |= changed
                self._everything = self._everything or everything
            raise
        self._listing = current
        return current

    def _reader_thread(self) -> threading.Thread:
        """The thread bringing the listing in step for pages (one at a time)."""
        with self._reader_lock:
            reader = self._reader
            if reader is None or not reader.is_alive():
                reader = threading.Thread(
                    target=self._read_for_pages, name="gdcat-listing", daemon=True
                )
                self._reader = reader
                reader.start()
            return reader

    def _read_for_pages(self) -> None:
        try:
            self.listing()
        except Exception as e:  # the page that finds no listing reads it and reports this
            _log.warning("reading the listing of live records failed: %s", e)

    def listed(self, datasets: Iterable[str]) -> dict[str, Entry]:
        """The live records of ``datasets`` by dataset IRI: from the listing when it is read
        already, else read for these alone (a landing page does not wait for a listing of
        the whole catalogue)."""
        wanted = set(datasets)
        if not wanted:
            return {}
        current = self._listing
        if (
            current is not None
            and not (self._changed or self._everything)
            and current.generation == self.store.generation
        ):
            return {d: current.by_dataset[d] for d in wanted if d in current.by_dataset}
        return {e.dataset: e for e in self._entries_of(sorted(wanted)).values()}

    def entries(self) -> tuple[Entry, ...]:
        """Every live record, by catalogue then key."""
        return self.listing(wait=PAGE_WAIT).entries

    def catalogues(self) -> dict[str, Catalogue]:
        """The catalogues of live records, for a page (see :meth:`listing`)."""
        return self.listing(wait=PAGE_WAIT).catalogues

    def live_record_with_triples(
        self, key: str, along: ReadAlong | None = None
    ) -> tuple[CatalogRecord, list[ox.Triple], tuple[tuple[Term | None, ...], ...]]:
        """The catalogue record of a live dataset, its triples (as :meth:`record_triples`) and
        the solutions of ``along``, read together (one request to a remote store); 404 for
        an unknown key, 410 if withdrawn."""
        read = self.store.catalog_record_with_triples(self.record_iri(key), along)
        record = read.record
        if record is None:
            raise Problem(404, "Not found", f"no dataset has the key {key}", kind="not-found")
        if record.withdrawn:
            raise Problem(
                410,
                "Withdrawn",
                f"{record.dataset_iri} was withdrawn on {record.modified.isoformat()}; its "
                f"catalogue record remains at {record.iri}",
                kind="withdrawn",
                record=record.iri,
            )
        return record, typed_for_clients(read.triples), read.along

    def record_triples(self, key: str) -> list[ox.Triple]:
        """A record's graph as published (the store restores the datatypes it rewrote), each
        series typed ``dcat:Dataset`` as well (see :func:`typed_for_clients`)."""
        return typed_for_clients(self.store.record_triples(self.record_iri(key)))

    def related_along(self, key: str) -> ReadAlong:
        """What :meth:`related` reads first for the dataset of the record ``key`` and the
        series its record names, read along with the record (one request to a remote
        store)."""
        record, prov = self.record_iri(key), self.store.provenance_graph
        dataset = f"GRAPH <{prov}> {{ <{record}> <{FOAF}primaryTopic> ?dataset }}"
        series = f"GRAPH <{record}> {{ ?dataset <{DCAT}inSeries> ?of FILTER(isIRI(?of)) }}"
        return ReadAlong(
            _RELATED_VARIABLES,
            f"{{ {dataset} {_releases_of('?dataset')} }} "
            f"UNION {{ {dataset} {series} {_SERIES_TITLES} }}",
        )

    def related(
        self,
        request: Request,
        dataset: str,
        series: Iterable[str],
        along: Sequence[tuple[Term | None, ...]] | None = None,
    ) -> tuple[list[pages.Related], list[pages.Related]]:
        """The series ``dataset`` is a release of, and the live releases of ``dataset`` (a
        series), each with its titles, descriptions, issue date, licences, downloads and
        gdcat's page of it. ``along`` holds the solutions of :meth:`related_along` when they
        were read with the record: then the first query is not asked again."""
        found: dict[str, tuple[list[tuple[str, str | None]], list[ox.Literal]]] = {}
        rows = along
        if rows is None:
            iris = " ".join(f"<{s}>" for s in sorted(series))
            pattern = f"{{ {_releases_of(f'<{dataset}>')} }}"
            if iris:
                pattern += f" UNION {{ VALUES ?of {{ {iris} }} {_SERIES_TITLES} }}"
            rows = self.store.query(
                ReadAlong(_RELATED_VARIABLES, pattern).query(), union_default_graph=False
            ).rows
        live = self.listed(
            {*series, *(of.value for of, _, _ in rows if isinstance(of, ox.NamedNode))}
        )
        for of, title, issued in rows:
            if not isinstance(of, ox.NamedNode) or of.value not in live:
                continue
            titles, dates = found.setdefault(of.value, ([], []))
            if isinstance(title, ox.Literal) and (title.value, title.language) not in titles:
                titles.append((title.value, title.language))
            if isinstance(issued, ox.Literal):
                dates.append(issued)
        summaries = self._summaries(sorted(found))

        def related(iri: str) -> pages.Related:
            titles, dates = found.get(iri, ([], []))
            entry = live.get(iri)
            issued = ox_to_rdflib(min(dates, key=lambda d: d.value)) if dates else None
            summary = summaries.get(iri, _Summary())
            return pages.Related(
                iri,
                locate(request, self, self.dataset_page(entry.key)) if entry else None,
                tuple(sorted(titles, key=lambda t: (t[1] or "", t[0]))),
                issued if isinstance(issued, Literal) else None,
                tuple(sorted(set(summary.descriptions), key=lambda t: (t[1] or "", t[0]))),
                tuple(summary.licences()),
                tuple(sorted(set(summary.downloads), key=lambda d: d.url)),
            )

        of_series = [related(s) for s in sorted(series)]
        releases = sorted(
            (related(iri) for iri in found if iri not in set(series)),
            key=lambda r: (str(r.issued or ""), r.iri),
        )
        return of_series, releases

    def _summaries(self, datasets: Sequence[str]) -> dict[str, _Summary]:
        """The descriptions, licences and downloads of live ``datasets``, each read from its
        own record graph."""
        if not datasets:
            return {}
        pairs = " ".join(f"(<{d}> <{record_iri(self.base, d)}>)" for d in datasets)
        rows = self.store.query(
            f"SELECT ?of ?what ?value ?media ?title WHERE {{ VALUES (?of ?g) {{ {pairs} }} "
            f"GRAPH ?g {{ "
            f"{{ ?of <{DCT}description> ?value BIND('description' AS ?what) }} UNION "
            f"{{ ?of <{DCT}license> ?value BIND('licence' AS ?what) }} UNION "
            f"{{ ?of <{DCAT}distribution>/<{DCT}license> ?value "
            f"BIND('distribution-licence' AS ?what) }} UNION "
            f"{{ ?of <{DCAT}distribution> ?d . ?d <{DCAT}downloadURL> ?value "
            f"OPTIONAL {{ ?d <{DCAT}mediaType> ?media }} OPTIONAL {{ ?d <{DCT}title> ?title }} "
            f"BIND('download' AS ?what) }} }} }}",
            union_default_graph=False,
        ).rows
        out: dict[str, _Summary] = {}
        for of, what, value, media, title in rows:
            if not isinstance(of, ox.NamedNode) or not isinstance(what, ox.Literal):
                continue
            summary = out.setdefault(of.value, _Summary())
            if what.value == "description" and isinstance(value, ox.Literal):
                summary.descriptions.append((value.value, value.language))
            elif what.value == "licence" and isinstance(value, ox.NamedNode):
                summary.own_licences.add(value.value)
            elif what.value == "distribution-licence" and isinstance(value, ox.NamedNode):
                summary.distribution_licences.add(value.value)
            elif what.value == "download" and isinstance(value, ox.NamedNode):
                media_type = None
                if isinstance(media, ox.NamedNode):
                    for prefix in access.IANA_MEDIA_TYPES:
                        if media.value.startswith(prefix):
                            media_type = media.value[len(prefix) :]
                named = ox_to_rdflib(title) if isinstance(title, ox.Literal) else None
                titles = (named,) if isinstance(named, Literal) else ()
                summary.downloads.append(access.Download(value.value, media_type, None, titles))
        return out

    def catalogue_record_triples(self, key: str) -> list[ox.Triple]:
        record = self.record_iri(key)
        result = self.store.query(
            f"CONSTRUCT {{ <{record}> ?p ?o }} WHERE {{ GRAPH <{self.store.provenance_graph}> "
            f"{{ <{record}> ?p ?o }} }}",
            union_default_graph=False,
        )
        return list(result.triples)

    def _read_listing(self, generation: int) -> _Listing:
        return self._assembled(generation, self._entries_of(None).values())

    def _changed_listing(self, current: _Listing, changed: set[str], generation: int) -> _Listing:
        """``current`` with the records of the ``changed`` datasets read again: only their
        catalogues are sorted again."""
        fresh = self._entries_of(sorted(changed))
        by_dataset = dict(current.by_dataset)
        touched: set[str] = set()
        for dataset in changed:
            old = by_dataset.pop(dataset, None)
            if old is not None:
                touched.add(old.node or LOCAL_CATALOGUE)
        for entry in fresh.values():
            by_dataset[entry.dataset] = entry
            touched.add(entry.node or LOCAL_CATALOGUE)
        catalogues = dict(current.catalogues)
        for name in touched:
            kept = catalogues[name].entries if name in catalogues else ()
            group = [e for e in kept if e.dataset not in changed]
            group += [e for e in fresh.values() if (e.node or LOCAL_CATALOGUE) == name]
            if not group:
                catalogues.pop(name, None)
                continue
            group.sort(key=lambda e: e.key)
            country = next((e.country for e in group if e.country), None)
            catalogues[name] = Catalogue(name, country, tuple(group))
        ordered = dict(sorted(catalogues.items()))
        entries = tuple(e for c in ordered.values() for e in c.entries)
        return _Listing(generation, entries, ordered, by_dataset)

    def _assembled(self, generation: int, found: Iterable[Entry]) -> _Listing:
        entries = tuple(sorted(found, key=lambda e: (e.node or LOCAL_CATALOGUE, e.key)))
        grouped: dict[str, list[Entry]] = {}
        for entry in entries:
            grouped.setdefault(entry.node or LOCAL_CATALOGUE, []).append(entry)
        catalogues = {
            name: Catalogue(name, next((e.country for e in group if e.country), None), tuple(group))
            for name, group in sorted(grouped.items())
        }
        return _Listing(generation, entries, catalogues, {e.dataset: e for e in entries})

    def _entries_of(self, datasets: Sequence[str] | None) -> dict[str, Entry]:
        """The live records of ``datasets`` (of every dataset with None), by record IRI."""
        if datasets is None:
            return self._entries_where("")
        found: dict[str, Entry] = {}
        for start in range(0, len(datasets), 500):
            part = datasets[start : start + 500]
            values = "VALUES ?dataset { " + " ".join(f"<{d}>" for d in part) + " } "
            found.update(self._entries_where(values))
        return found

    def _entries_where(self, values: str) -> dict[str, Entry]:
        prov = self.store.provenance_graph
        result = self.store.query(
            f"SELECT ?record ?dataset ?node ?country ?issued ?modified ?type WHERE {{ {values}"
            f"GRAPH <{prov}> {{ ?record <{FOAF}primaryTopic> ?dataset ; "
            f"<{DCT}issued> ?issued ; <{DCT}modified> ?modified "
            f"OPTIONAL {{ ?record <{GDCAT}sourceNode> ?node }} "
            f"OPTIONAL {{ ?record <{GDCAT}sourceCountry> ?country }} "
            f"FILTER NOT EXISTS {{ ?record <http://www.w3.org/ns/adms#status> <{_WITHDRAWN}> }} }} "
            f"OPTIONAL {{ GRAPH ?record {{ ?dataset a ?type }} }} }}",
            union_default_graph=False,
        )
        found: dict[str, Entry] = {}
        for record, dataset, node, country, issued, modified, kind in result.rows:
            if not isinstance(record, ox.NamedNode) or not isinstance(dataset, ox.NamedNode):
                continue
            local = _local_name(kind.value) if isinstance(kind, ox.NamedNode) else ""
            known = found.get(record.value)
            if known is not None and _KIND_RANK.get(known.kind, 9) <= _KIND_RANK.get(local, 9):
                continue
            found[record.value] = Entry(
                key=self.key_of(record.value),
                record=record.value,
                dataset=dataset.value,
                node=node.value if isinstance(node, ox.Literal) else None,
                country=country.value if isinstance(country, ox.NamedNode) else None,
                issued=_moment(issued),
                modified=_moment(modified),
                kind=local,
            )
        return found


def _local_name(value: str) -> str:
    return re.split(r"[#/]", value)[-1]


def _moment(term: object) -> datetime:
    if isinstance(term, ox.Literal):
        try:
            moment = datetime.fromisoformat(term.value)
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.fromtimestamp(0, UTC)


def distribution_key(distribution_iri: str) -> str:
    """The path segment of a distribution's page: 16 hex digits of its IRI's SHA-256."""
    return hashlib.sha256(distribution_iri.encode("utf-8")).hexdigest()[:16]


def linked_data(ctx: AppContext) -> LinkedData:
    """The application's :class:`LinkedData` (made on first use)."""
    found = ctx.extras.get("linked-data")
    if not isinstance(found, LinkedData):
        found = LinkedData(ctx.store)
        ctx.extras["linked-data"] = found
        ctx.closers.append(found.close)
    return found


def locate(request: Request, data: LinkedData, minted: str) -> str:
    """Where a minted IRI is served for this request (the same IRI when the request came in
    through the base IRI's host)."""
    if minted.startswith(data.base):
        return str(request.base_url) + minted[len(data.base) :]
    return minted


def resource_answer(
    request: Request,
    data: LinkedData,
    triples: list[ox.Triple],
    media: str,
    subject: str,
    title: str,
) -> Response:
    """A resource described by ``triples``: the generic HTML page, or the RDF form asked for."""
    if media == HTML:
        body = pages.resource_page(
            request,
            to_graph(triples),
            subject,
            home=str(request.base_url),
            title=title,
            forms=alternates(request, RDF_OFFERS),
            locate=lambda value: locate(request, data, value),
        )
        return answer(request, body, HTML, offers=PAGE_OFFERS)
    return rdf_answer(request, triples, media, first=subject)


@dataclass(frozen=True)
class LandingPage:
    """What every form of a dataset's landing page is made from: the record, its graph, the
    series and releases it is linked with, its catalogue, and its signposting links (see
    :func:`landing_page` for what the RDF forms leave out)."""

    record: CatalogRecord
    triples: list[ox.Triple]
    #: the whole record as a graph for the HTML page; the RDF forms' signposts read only the
    #: dataset's and its distributions' statements
    graph: Graph | access.Statements
    url: str
    catalogue: str
    catalogue_url: str
    series: list[pages.Related]
    releases: list[pages.Related]
    links: list[Link]
    #: the solutions of :func:`linked_along`, read with the record when asked (``linked``)
    linked: tuple[tuple[Term | None, ...], ...] | None = None


def landing_page(
    request: Request, data: LinkedData, key: str, *, html: bool = False, linked: bool = False
) -> LandingPage:
    """The landing page of the live dataset ``key`` (404 unknown, 410 withdrawn).

    For the HTML page (``html``), everything the page shows: the whole record as a graph, the
    series and releases with their titles. The RDF forms and the link set need only the
    signposts: those are read from the dataset's and its distributions' own statements, and
    the releases are read only for a series that names no licence of its own. With
    ``linked`` (an RDF form), what :func:`linked_described` asks first is read too.

    The record is read with what the page asks first of what it names (the releases and
    series for the HTML page, the linked resources for an RDF form): one request to a
    remote store.
    """
    along = data.related_along(key) if html else linked_along(data, key) if linked else None
    record, triples, rows = data.live_record_with_triples(key, along)
    dataset = ox.NamedNode(record.dataset_iri)
    in_series = [
        t.object.value
        for t in triples
        if t.subject == dataset
        and t.predicate.value == DCAT + "inSeries"
        and isinstance(t.object, ox.NamedNode)
    ]
    graph: Graph | access.Statements
    if html:
        graph = to_graph(triples)
        series, releases = data.related(request, record.dataset_iri, in_series, rows)
    else:
        distributed = {
            t.object
            for t in triples
            if t.subject == dataset and t.predicate.value == DCAT + "distribution"
        }
        term = ox_to_rdflib_cached
        statements = graph = access.Statements(
            (term(t.subject), term(t.predicate), term(t.object))  # type: ignore[arg-type]
            for t in triples
            if t.subject == dataset or t.subject in distributed
        )
        live = data.listed(in_series)
        series = [
            pages.Related(s, locate(request, data, data.dataset_page(live[s].key)))
            for s in sorted(in_series)
            if s in live
        ]
        releases = []
        subject = URIRef(record.dataset_iri)
        if access.DATASET_SERIES in statements.objects(subject, RDF.type) and not access.licences(
            statements, subject
        ):
            releases = data.related(request, record.dataset_iri, ())[1]
    url = locate(request, data, data.dataset_page(key))
    catalogue = record.meta.node or LOCAL_CATALOGUE
    catalogue_url = locate(request, data, data.catalogue_iri(catalogue))
    links = signposts(
        graph,
        record.dataset_iri,
        page_url=url,
        catalogue_url=catalogue_url,
        series_pages=[s.page for s in series if s.page is not None],
        release_licences=[licence for r in releases for licence in r.licences],
        profile=record.meta.conforms_to,
    )
    return LandingPage(
        record,
        triples,
        graph,
        url,
        catalogue,
        catalogue_url,
        series,
        releases,
        links,
        rows if linked and not html else None,
    )


# -- the FAIR Data Point's view of a dataset page -----------------------------------------


def distributions_of(triples: Iterable[ox.Triple], dataset: str) -> list[str]:
    """The IRI-named distributions of ``dataset`` (blank ones have no page of their own)."""
    return sorted(
        t.object.value
        for t in triples
        if isinstance(t.subject, ox.NamedNode)
        and t.subject.value == dataset
        and t.predicate.value == DCAT + "distribution"
        and isinstance(t.object, ox.NamedNode)
    )


def dataset_layer(
    request: Request, data: LinkedData, record: CatalogRecord, distributions: Sequence[str]
) -> list[ox.Triple]:
    """What a dataset page says besides the record: the FDP metadata dates, the LDP container
    of its distributions, and where each distribution's page is (``rdfs:seeAlso``, which
    gdcat's harvester follows and removes again)."""
    key = data.key_of(record.iri)
    dataset = record.dataset_iri
    out = [
        triple(dataset, FDP + "metadataIssued", timestamp(record.issued)),
        triple(dataset, FDP + "metadataModified", timestamp(record.modified)),
    ]
    if distributions:
        container = f"{data.dataset_page(key)}/distribution/"
        out += [
            triple(container, RDF_TYPE, LDP + "DirectContainer"),
            triple(container, DCT + "title", text("Distributions")),
            triple(container, LDP + "membershipResource", dataset),
            triple(container, LDP + "hasMemberRelation", DCAT + "distribution"),
        ]
        for distribution in distributions:
            out.append(triple(container, LDP + "contains", distribution))
            page = locate(request, data, data.distribution_page(key, distribution))
            out.append(triple(distribution, RDFS_SEE_ALSO, page))
    return out


# -- routes ---------------------------------------------------------------------------------


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the dataset, catalogue record, run, graph and resource-lookup routes."""
    data = linked_data(ctx)

    @app.get(
        "/dataset/{key}",
        tags=["linked data"],
        summary="A dataset: its landing page or its record as RDF",
        response_class=Response,
        responses=documented(
            "The dataset's record graph as published, with the FAIR Data Point's metadata "
            "about it (`fdp:metadataIssued`, `fdp:metadataModified`, the LDP container of "
            "its distributions); as HTML, its landing page with schema.org JSON-LD.",
            statuses=(404, 410),
        ),
    )
    def dataset(
        request: Request, key: KeyPath, format_: str | None = format_query(PAGE_FORMATS)
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        page = landing_page(request, data, key, html=media == HTML, linked=media != HTML)
        record, triples = page.record, page.triples
        if media == HTML:
            assert isinstance(page.graph, Graph)  # html=True: the whole record
            body = dataset_view.dataset_page(
                request,
                page.graph,
                record,
                series=page.series,
                releases=page.releases,
                home=str(request.base_url),
                page_url=page.url,
                catalogue=(page.catalogue, page.catalogue_url),
                catalogue_iri=data.catalogue_iri(page.catalogue),
                record_url=locate(request, data, record.iri),
                forms=alternates(request, RDF_OFFERS),
                distribution_pages={
                    d: locate(request, data, data.distribution_page(key, d))
                    for d in distributions_of(triples, record.dataset_iri)
                },
            )
            return answer(request, body, HTML, offers=PAGE_OFFERS, links=page.links)
        # what the record links to, read with it; gdcat's own statements (the FDP layer)
        # link to its pages, no dataset of the catalogue
        layer = dataset_layer(request, data, record, distributions_of(triples, record.dataset_iri))
        triples = described_for_clients(
            [*linked_described(data, triples, along=page.linked), *layer]
        )
        return rdf_answer(request, triples, media, first=record.dataset_iri, links=page.links)

    @app.get(
        "/dataset/{key}/linkset",
        tags=["linked data"],
        summary="A dataset landing page's FAIR Signposting links, as a link set (RFC 9264)",
        response_class=Response,
        responses={
            200: {
                "description": "The typed links of the landing page (`cite-as`, "
                "`describedby`, `type`, `license`, `item`, `collection`, `author`), as its "
                "`Link` headers carry them.",
                "content": {
                    LINKSET_JSON: {"schema": {"type": "object"}},
                    LINKSET: {"schema": {"type": "string"}},
                },
            },
            **{
                s: {"description": _PROBLEMS[s], "content": _problem_content(s)}
                for s in (404, 406, 410, 422)
            },
        },
    )
    def linkset(request: Request, key: KeyPath) -> Response:
        media = negotiate(request, (LINKSET_JSON, LINKSET))
        page = landing_page(request, data, key)
        if media == LINKSET_JSON:
            body = json.dumps(linkset_json(page.url, page.links), indent=2)
        else:
            body = linkset_text(page.url, page.links)
        return answer(request, body, media)

    @app.get(
        "/record/{key}",
        tags=["linked data"],
        summary="A catalogue record: where a dataset came from and what gdcat made of it",
        response_class=Response,
        responses=documented(
            "The `dcat:CatalogRecord` (source node and URL, first seen, last modified, status, "
            "validation profile and outcome, harvest runs). A withdrawn dataset's record stays, "
            "with status `deleted`."
        ),
    )
    def catalogue_record(
        request: Request, key: KeyPath, format_: str | None = format_query(PAGE_FORMATS)
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        triples = data.catalogue_record_triples(key)
        if not triples:
            raise Problem(
                404, "Not found", f"no catalogue record has the key {key}", kind="not-found"
            )
        record = data.record_iri(key)
        if media == HTML:
            described = any(t.predicate.value == FOAF + "primaryTopic" for t in triples)
            body = pages.record_page(
                request,
                to_graph(triples),
                record,
                home=str(request.base_url),
                dataset_url=locate(request, data, data.dataset_page(key)) if described else None,
                forms=alternates(request, RDF_OFFERS),
                locate=lambda value: locate(request, data, value),
            )
            return answer(request, body, HTML, offers=PAGE_OFFERS)
        return rdf_answer(request, triples, media, first=record)

    @app.get(
        "/run/{run_id}",
        tags=["linked data"],
        summary="A harvest run and its report",
        response_class=Response,
        responses=documented(
            "The run as a `prov:Activity` with one `gdcat:NodeHarvest` per node: status, "
            "counts, the records added, updated, withdrawn and rejected (with the reasons by "
            "field), and the pages that failed."
        ),
    )
    def run(
        request: Request,
        run_id: Annotated[
            str,
            Path(
                description="The run's id: its start time and a random suffix.",
                pattern=RUN_PATTERN,
                examples=["20261121T204833Z-a4a7edd5"],
            ),
        ],
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        run_iri = f"{data.base}run/{run_id}"
        result = ctx.store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{run_iri}> {{ ?s ?p ?o }} }}",
            union_default_graph=False,
        )
        triples = list(result.triples)
        if not triples:
            raise Problem(404, "Not found", f"no harvest run {run_id}", kind="not-found")
        if media == HTML:
            body = pages.run_page(
                request,
                to_graph(triples),
                run_iri,
                home=str(request.base_url),
                forms=alternates(request, RDF_OFFERS),
                page_of=lambda dataset: locate(request, data, data.page_of(dataset)),
            )
            return answer(request, body, HTML, offers=PAGE_OFFERS)
        return rdf_answer(request, triples, media, first=run_iri)

    def describe_graph(request: Request, graph: str, title: str, holds: str) -> Response:
        """A named graph's IRI answers with what the graph holds and where to query it (the
        graph itself can be large: SPARQL serves it, ``GRAPH <iri>``)."""
        media = choose_form(request, PAGE_OFFERS)
        triples = [
            triple(graph, RDF_TYPE, "http://www.w3.org/ns/sparql-service-description#NamedGraph"),
            triple(graph, DCT + "title", text(title)),
            triple(
                graph,
                DCT + "description",
                text(f"{holds} Query it with SPARQL (GRAPH <{graph}>)."),
            ),
            triple(graph, VOID + "sparqlEndpoint", f"{data.base}sparql"),
        ]
        return resource_answer(request, data, triples, media, graph, title)

    def graph_exists(graph: str) -> bool:
        return bool(
            ctx.store.query(
                f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", union_default_graph=False
            ).boolean
        )

    @app.get(
        "/graph/provenance",
        tags=["linked data"],
        summary="The provenance graph: what it holds and where to query it",
        response_class=Response,
        responses=documented("A description of the graph holding the catalogue records."),
    )
    def provenance_graph(
        request: Request, format_: str | None = format_query(PAGE_FORMATS)
    ) -> Response:
        return describe_graph(
            request,
            ctx.store.provenance_graph,
            "Catalogue records and harvest runs of gdcat",
            "One dcat:CatalogRecord per stored dataset (source, dates, status, validation) and "
            "one prov:Activity per harvest run; each record is also served at its own IRI, and "
            f"the records are paged in the DCAT-AP feed ({data.base}feed).",
        )

    @app.get(
        "/graph/counts",
        tags=["linked data"],
        summary="The counts graph: the inventory's totals, kept with every write",
        response_class=Response,
        responses=documented("A description of the graph."),
    )
    def counts_graph(
        request: Request, format_: str | None = format_query(PAGE_FORMATS)
    ) -> Response:
        return describe_graph(
            request,
            f"{data.base}graph/counts",
            "The catalogue's counts",
            "The totals the inventory and the record kinds are read from (datasets, "
            "individuals, genomes… by country and sequencing type), moved by every record write "
            "and withdrawal in the same update; each counter and word of them is a fragment of "
            f"this graph's IRI. What each record adds is in {data.base}graph/record-counts.",
        )

    @app.get(
        "/graph/record-counts",
        tags=["linked data"],
        summary="What each record adds to the counts",
        response_class=Response,
        responses=documented("A description of the graph."),
    )
    def record_counts_graph(
        request: Request, format_: str | None = format_query(PAGE_FORMATS)
    ) -> Response:
        return describe_graph(
            request,
            f"{data.base}graph/record-counts",
            "Each record's share of the counts",
            "What each live record adds to each counter of the counts graph "
            f"({data.base}graph/counts), taken off again when it is replaced or withdrawn.",
        )

    @app.get(
        "/graph/harvest/{node}",
        tags=["linked data"],
        summary="A node's harvest bookkeeping graph: what it holds",
        response_class=Response,
        responses=documented("A description of the graph.", statuses=(404, 422)),
    )
    def harvest_state_graph(
        request: Request,
        node: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")],
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        graph = f"{data.base}graph/harvest/{node}"
        if not graph_exists(graph):
            raise Problem(404, "Not found", f"no harvest state of node {node!r}", kind="not-found")
        return describe_graph(
            request,
            graph,
            f"Harvest bookkeeping of node {node}",
            "What the harvester remembers between runs: each page's validators and body hash, "
            "the records each document held, and the records it rejected, as a JSON literal.",
        )

    @app.get(
        "/graph/registrations",
        tags=["linked data"],
        summary="The self-registration graph: what it holds",
        response_class=Response,
        responses=documented("A description of the graph."),
    )
    def registrations_graph(
        request: Request, format_: str | None = format_query(PAGE_FORMATS)
    ) -> Response:
        return describe_graph(
            request,
            f"{data.base}graph/registrations",
            "Nodes that registered themselves",
            "One gdcat:NodeRegistration per FAIR Data Point that registered itself "
            f"(its clientUrl, status and reason); also listed at {data.base}api/nodes.",
        )

    @app.get(
        "/graph/audit",
        tags=["linked data"],
        summary="The publishing audit trail: what it holds",
        response_class=Response,
        responses=documented("A description of the graph."),
    )
    def audit_graph(request: Request, format_: str | None = format_query(PAGE_FORMATS)) -> Response:
        return describe_graph(
            request,
            f"{data.base}graph/audit",
            "The publishing audit trail",
            "One gdcat:PublishAttempt per steward write, accepted or not: node, token id "
            "(never the token), dataset, action, outcome, HTTP status and time; each attempt "
            "is served at its own IRI.",
        )

    def described_in(request: Request, graph: str, iri: str, title: str) -> Response:
        """The statements about ``iri`` in ``graph`` (404 when there are none)."""
        media = choose_form(request, PAGE_OFFERS)
        found = ctx.store.query(
            f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ GRAPH <{graph}> {{ <{iri}> ?p ?o }} }}",
            union_default_graph=False,
        )
        triples = list(found.triples)
        if not triples:
            raise Problem(404, "Not found", f"nothing is known of {iri}", kind="not-found")
        return resource_answer(request, data, triples, media, iri, title)

    @app.get(
        "/audit/{entry}",
        tags=["linked data"],
        summary="One attempt of the publishing audit trail",
        response_class=Response,
        responses=documented("The attempt (gdcat:PublishAttempt).", statuses=(404, 422)),
    )
    def audit_entry(
        request: Request,
        entry: Annotated[str, Path(pattern=r"^[0-9A-Za-z-]{8,64}$")],
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        graph = f"{data.base}graph/audit"
        iri = f"{data.base}audit/{entry}"
        return described_in(request, graph, iri, "A publishing attempt")

    @app.get(
        "/registration/{node}",
        tags=["linked data"],
        summary="One self-registration of a node",
        response_class=Response,
        responses=documented("The registration (gdcat:NodeRegistration).", statuses=(404, 422)),
    )
    def registration(
        request: Request,
        node: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")],
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        graph = f"{data.base}graph/registrations"
        iri = f"{data.base}registration/{node}"
        return described_in(request, graph, iri, "A node's self-registration")

    @app.get(
        "/resource",
        tags=["linked data"],
        summary="gdcat's page of a harvested IRI",
        response_class=Response,
        status_code=303,
        responses={
            303: {"description": _PROBLEMS[303]},
            **{
                s: {"description": _PROBLEMS[s], "content": _problem_content(s)} for s in (404, 422)
            },
        },
    )
    def resource(
        request: Request,
        iri: Annotated[
            str,
            Query(
                description="A dataset or distribution IRI as its node published it, or an IRI "
                "gdcat minted.",
                min_length=1,
                max_length=4000,
                examples=[_EXAMPLE_DATASET],
            ),
        ],
    ) -> Response:
        target = _page_for(data, iri)
        if target is None:
            raise Problem(404, "Not found", f"gdcat has no page of {iri}", kind="not-found")
        return Response(status_code=303, headers={"Location": locate(request, data, target)})


def _page_for(data: LinkedData, value: str) -> str | None:
    """The page gdcat serves about ``value``: its dataset's page, the page of the distribution
    it names, or itself if gdcat minted it."""
    if not _SAFE_IRI.match(value):
        return None
    try:
        ox.NamedNode(value)  # Oxigraph's own IRI check: what passes is safe in the query
    except ValueError:
        return None
    if data.store.catalog_record(value) is not None:
        return data.page_of(value)
    if value.startswith(data.base):
        return None if value.startswith(f"{data.base}resource") else value
    prov = data.store.provenance_graph
    rows = data.store.query(
        f"SELECT ?record ?dataset ?distributed WHERE {{ GRAPH ?record {{ <{value}> ?p ?o }} "
        f"GRAPH <{prov}> {{ ?record <{FOAF}primaryTopic> ?dataset "
        f"FILTER NOT EXISTS {{ ?record <http://www.w3.org/ns/adms#status> <{_WITHDRAWN}> }} }} "
        f"OPTIONAL {{ GRAPH ?record {{ ?dataset <{DCAT}distribution> ?distributed "
        f"FILTER(?distributed = <{value}>) }} }} }} LIMIT 1",
        union_default_graph=False,
    ).rows
    if not rows or not isinstance(rows[0][0], ox.NamedNode):
        return None
    key = data.key_of(rows[0][0].value)
    if rows[0][2] is not None:
        return data.distribution_page(key, value)
    return data.dataset_page(key)
