"""HTML pages of the linked-data routes: server-rendered from Jinja templates (everything
escaped), plain and accessible, without JavaScript.

A page shows what the graph says in words: field names from the steward model (``number of
unique individuals``), terms by their vocabulary labels (``disease specific research (DS)``),
literals with their language (``lang`` attributes), links only to ``http(s)`` and ``mailto``
IRIs. A dataset's landing page also carries schema.org ``Dataset`` JSON-LD for search engines
(:func:`schema_org`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI
from markupsafe import Markup, escape
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node
from starlette.requests import Request

from gdcat.rdf import access
from gdcat.ui.i18n import LANGUAGES, N_, Reader, choose_reader, translations
from gdcat.ui.labels import Label, local_name, readable_literal, readable_moment, term_label
from gdcat.ui.steward_session import layout_steward
from gdcat.vocab import ACCESS_RIGHT, COUNTRY, PREFIXES, VCARD

CV = "http://data.europa.eu/m8g/"
_OBO_SHORTHAND = URIRef("http://www.geneontology.org/formats/oboInOwl#shorthand")
_LABELS = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title, VCARD.fn)
_LINKABLE = ("http://", "https://", "mailto:")

#: The fields shown for each distribution: (label, predicate).
DISTRIBUTION_FIELDS: tuple[tuple[str, URIRef], ...] = (
    (N_("Format"), DCTERMS.format),
    (N_("Media type"), DCAT.mediaType),
    (N_("Access"), DCAT.accessURL),
    (N_("Download"), DCAT.downloadURL),
    (N_("Licence"), DCTERMS.license),
    (N_("Rights"), DCTERMS.rights),
    (N_("Size"), DCAT.byteSize),
)


# -- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One value as a page shows it: text (with its language) or a link."""

    text: str
    href: str | None = None
    lang: str | None = None
    #: the IRI behind the text, shown on hover when it is not a link
    iri: str | None = None
    #: a search for more datasets with this value (disease, phenotype, publisher…)
    more: str | None = None


@dataclass
class Row:
    """A field and its values."""

    name: str
    values: list[Value]


@dataclass
class Section:
    """What the graph says about one node: a heading and its fields."""

    title: str
    anchor: str
    rows: list[Row] = field(default_factory=list)


@cache
def _vocabulary_labels() -> dict[str, str]:
    """English labels of the vocabularies gdcat carries (DUO, HPO, MONDO, EU tables…)."""
    from gdcat.validate.background import vocabulary_index

    labels: dict[str, str] = {}
    shorthands: dict[str, str] = {}
    for subject, triples in vocabulary_index().by_subject.items():
        for _, p, o in triples:
            if p in (SKOS.prefLabel, RDFS.label) and isinstance(o, Literal):
                labels.setdefault(str(subject), str(o))
            elif p == _OBO_SHORTHAND and isinstance(o, Literal):
                shorthands[str(subject)] = str(o)
    for term, short in shorthands.items():
        if term in labels:
            labels[term] = f"{labels[term]} ({short})"
    return labels


def vocabulary_label(iri: str) -> str | None:
    """The English label a vocabulary gdcat carries gives ``iri``."""
    return _vocabulary_labels().get(iri)


def country_name(code: str, lang: str) -> str:
    """A country of the EU country table, by its code, named in ``lang`` (CLDR's name where
    the table has none in that language), else in English, else the code."""
    iri = f"{COUNTRY}{code}"
    label = term_label(iri, lang, vocabulary_label(iri))
    return label.text if label is not None else code


def field_name(predicate: Node, lang: str | None = None) -> str:
    """A predicate as a field name: the steward model's name in words (with ``lang``: the
    field's label in that language, :func:`gdcat.model.fields.slot_label`), else a compact
    IRI."""
    from gdcat.model.fields import slot_label
    from gdcat.model.schema import slot_name_for

    name = slot_name_for(str(predicate))
    if name:
        return slot_label(name, lang) if lang is not None else name.replace("_", " ")
    return curie(str(predicate))


def _by_name(item: tuple[str, Node]) -> tuple[str, str]:
    return (item[0].casefold(), str(item[1]))


def curie(value: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if value.startswith(namespace) and len(value) > len(namespace):
            return f"{prefix}:{value[len(namespace) :]}"
    return value


def _href(value: str) -> str | None:
    return value if value.startswith(_LINKABLE) else None


def _preferred(literals: Iterable[Node], lang: str = "en") -> Literal | None:
    """The literal in ``lang``, else in English, else untagged, else the first."""
    found = sorted((o for o in literals if isinstance(o, Literal)), key=str)
    for wanted in dict.fromkeys((lang, "en")):
        chosen = [o for o in found if (o.language or "").lower().split("-")[0] == wanted]
        if chosen:
            return chosen[0]
    untagged = [o for o in found if not o.language]
    chosen = untagged or found
    return chosen[0] if chosen else None


def labelled(graph: Graph, node: Node, lang: str = "en") -> Label | None:
    """What the graph or a vocabulary calls ``node``, for a reader of ``lang``."""
    for predicate in _LABELS:
        chosen = _preferred(graph.objects(node, predicate), lang)
        if chosen is not None:
            return Label(str(chosen), chosen.language)
    if isinstance(node, URIRef):
        return term_label(str(node), lang, _vocabulary_labels().get(str(node)))
    return None


def label_of(graph: Graph, node: Node, lang: str = "en") -> str | None:
    """What the graph or a vocabulary calls ``node``."""
    found = labelled(graph, node, lang)
    return found.text if found is not None else None


def describe(graph: Graph, node: Node, lang: str = "en", *, size: bool = False) -> list[Value]:
    """``node`` as the values a page shows a reader of ``lang``: a literal (numbers and dates
    for reading; ``size``: bytes), a period, a contact, a named thing."""
    if isinstance(node, Literal):
        return [Value(readable_literal(node, lang, size=size), lang=node.language)]
    start = _preferred(graph.objects(node, DCAT.startDate))
    end = _preferred(graph.objects(node, DCAT.endDate))
    if start is not None or end is not None:
        first = readable_literal(start, lang) if start is not None else "…"
        last = readable_literal(end, lang) if end is not None else "…"
        return [Value(f"{first} – {last}")]
    if (node, RDF.type, VCARD.Kind) in graph or (node, VCARD.fn, None) in graph:
        name = labelled(graph, node, lang)
        values = [Value(name.text, lang=name.lang) if name else Value(str(node))]
        for email in graph.objects(node, VCARD.hasEmail):
            address = str(email).removeprefix("mailto:")
            values.append(Value(address, href=f"mailto:{address}" if "@" in address else None))
        for url in graph.objects(node, VCARD.hasURL):
            values.append(Value(str(url), href=_href(str(url))))
        return values
    if (node, URIRef(CV + "email"), None) in graph:
        values = [
            Value(str(e), href=f"mailto:{e}") for e in graph.objects(node, URIRef(CV + "email"))
        ]
        values += [
            Value(str(u), href=_href(str(u)))
            for u in graph.objects(node, URIRef(CV + "contactPage"))
        ]
        return values
    label = labelled(graph, node, lang)
    if isinstance(node, URIRef):
        iri = str(node)
        if label is None:
            short = local_name(iri)
            label = Label(short, None) if short else None
        text = _preferred(graph.objects(node, DCTERMS.description), lang)
        if label is None and text is not None:
            label = Label(str(text), text.language)
        if label is None:
            return [Value(iri, href=_href(iri), iri=iri)]
        return [Value(label.text, href=_href(iri), lang=label.lang, iri=iri)]
    if label is not None:
        return [Value(label.text, lang=label.lang)]
    text = _preferred(graph.objects(node, DCTERMS.description), lang)
    if text is not None:
        return [Value(str(text), lang=text.language)]
    return [Value("(a description without a name)")]


def rows_of(
    graph: Graph,
    subject: Node,
    fields: Sequence[tuple[str, URIRef]] | None = None,
    lang: str = "en",
) -> list[Row]:
    """The fields of ``subject``: those named (in order), or every predicate it has."""
    if fields is None:
        named = {(field_name(p, lang), p) for p in graph.predicates(subject, None)}
        fields = [(n, p) for n, p in sorted(named, key=_by_name) if isinstance(p, URIRef)]
    rows = []
    for name, predicate in fields:
        objects = sorted(graph.objects(subject, predicate), key=_sort_key)
        size = predicate == DCAT.byteSize
        values = [value for o in objects for value in describe(graph, o, lang, size=size)]
        if values:
            rows.append(Row(name, values))
    return rows


def _sort_key(node: Node) -> tuple[str, str]:
    language = node.language if isinstance(node, Literal) and node.language else ""
    return (language, str(node))


def sections_of(graph: Graph, first: Node | None = None, lang: str = "en") -> list[Section]:
    """One section per subject of ``graph`` (``first`` first): everything it says."""
    subjects = sorted(
        {s for s in graph.subjects()}, key=lambda s: (s != first, isinstance(s, BNode), str(s))
    )
    out = []
    for index, subject in enumerate(subjects):
        title = label_of(graph, subject, lang) or (
            str(subject) if isinstance(subject, URIRef) else "(unnamed)"
        )
        section = Section(title, f"node-{index}", rows_of(graph, subject, lang=lang))
        if isinstance(subject, URIRef):
            section.rows.insert(0, Row("IRI", [Value(str(subject), href=_href(str(subject)))]))
        out.append(section)
    return out


# -- schema.org ---------------------------------------------------------------------------

SCHEMA = "https://schema.org/"
GDCAT_NS = "https://w3id.org/gdcat/ns#"
_HEALTH = "http://healthdataportal.eu/ns/health#"
_DPV_PERSONAL_DATA = URIRef("https://w3id.org/dpv#hasPersonalData")
_SEQUENCING_TYPE = URIRef(GDCAT_NS + "sequencingType")
_PHENOTYPE = URIRef(GDCAT_NS + "phenotype")
_IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")

#: The record's counts, each a ``variableMeasured`` with its value: (predicate, unit).
COUNTS: tuple[tuple[URIRef, str], ...] = (
    (URIRef(_HEALTH + "numberOfUniqueIndividuals"), "individuals"),
    (URIRef(GDCAT_NS + "numberOfGenomes"), "genomes"),
    (URIRef(GDCAT_NS + "numberOfExomes"), "exomes"),
    (URIRef(GDCAT_NS + "numberOfSamples"), "samples"),
    (URIRef(_HEALTH + "numberOfRecords"), "records"),
)


@dataclass(frozen=True)
class Related:
    """A dataset this one is linked with: the series of a release, a release of a series."""

    iri: str
    #: gdcat's page of it (None when gdcat holds no live record of it)
    page: str | None
    titles: tuple[tuple[str, str | None], ...] = ()
    issued: Literal | None = None
    descriptions: tuple[tuple[str, str | None], ...] = ()
    #: its licences (:func:`gdcat.rdf.access.licences`)
    licences: tuple[str, ...] = ()
    downloads: tuple[access.Download, ...] = ()


@dataclass(frozen=True)
class CatalogueRef:
    """The catalogue a dataset is in, as gdcat re-publishes it."""

    name: str
    #: where this request reaches it
    url: str
    #: its IRI (``{base}catalog/{node}``)
    iri: str


def schema_org(
    graph: Graph,
    dataset: URIRef,
    *,
    page_url: str,
    catalogue: CatalogueRef,
    series: Sequence[Related] = (),
    releases: Sequence[Related] = (),
) -> dict[str, Any]:
    """The dataset as a schema.org ``Dataset`` (the fields of Google's Dataset rich result and
    of F-UJI's metadata checks), saying only what the record says.

    The ``@id`` of every dataset (this one, its series, its releases) is its dataset IRI, its
    ``url`` gdcat's page of it. ``distribution`` lists downloads only (``dcat:downloadURL`` as
    ``contentUrl``); a distribution reached through an access URL (an application form, a
    secure processing environment) is ``usageInfo``, with the access conditions in words as
    ``conditionsOfAccess``. A series names its releases (``hasPart``, each with its licence
    and downloads) and, when it names no licence of its own, the licences of its releases.
    The sequencing type is the ``measurementTechnique`` (a ``DefinedTerm``); the variables are
    the record's phenotypes, its categories of personal data and its counts (individuals,
    genomes…, each with its value); a licence is a ``CreativeWork`` with its address.
    """
    if access.is_data_service(graph, dataset):
        return _web_api(graph, dataset, page_url)
    doc: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Dataset",
        "@id": str(dataset),
    }
    title = _preferred(graph.objects(dataset, DCTERMS.title))
    doc["name"] = str(title) if title is not None else str(dataset)
    description = _search_description(graph, dataset)
    if description is not None:
        doc["description"] = description
    doc["identifier"] = [
        str(i) for i in sorted(graph.objects(dataset, DCTERMS.identifier), key=str)
    ] + [str(dataset)]
    keywords = sorted({str(k) for k in graph.objects(dataset, DCAT.keyword)})
    if keywords:
        doc["keywords"] = keywords
    licences = access.licences(graph, dataset) or sorted(
        {licence for release in releases for licence in release.licences}
    )
    if licences:
        doc["license"] = _one_or_many([_licence(graph, licence) for licence in licences])
    doc["url"] = page_url
    landing = sorted(str(x) for x in graph.objects(dataset, DCAT.landingPage))
    if landing:
        doc["sameAs"] = landing[0]
    for key, predicate in (("publisher", DCTERMS.publisher), ("creator", DCTERMS.creator)):
        agents = [_agent(graph, a) for a in sorted(graph.objects(dataset, predicate), key=str)]
        if agents:
            doc[key] = _one_or_many(agents)
    places = [
        {"@type": "Place", "@id": str(p), "name": label_of(graph, p) or str(p)}
        for p in sorted(graph.objects(dataset, DCTERMS.spatial), key=str)
    ]
    if places:
        doc["spatialCoverage"] = _one_or_many(places)
    for period in graph.objects(dataset, DCTERMS.temporal):
        start = _preferred(graph.objects(period, DCAT.startDate))
        end = _preferred(graph.objects(period, DCAT.endDate))
        if start is not None or end is not None:
            doc["temporalCoverage"] = f"{start or '..'}/{end or '..'}"
            break
    issued = _preferred(graph.objects(dataset, DCTERMS.issued))
    if issued is not None:
        doc["datePublished"] = str(issued)
    modified = _preferred(graph.objects(dataset, DCTERMS.modified))
    if modified is not None:
        doc["dateModified"] = str(modified)
    techniques = [
        _defined_term(graph, t)
        for t in sorted(graph.objects(dataset, _SEQUENCING_TYPE), key=str)
        if isinstance(t, URIRef)
    ]
    if techniques:
        doc["measurementTechnique"] = _one_or_many(techniques)
    variables = [
        _variable(graph, v)
        for predicate in (_PHENOTYPE, _DPV_PERSONAL_DATA)
        for v in sorted(graph.objects(dataset, predicate), key=str)
        if isinstance(v, URIRef)
    ]
    variables += [
        {
            "@type": "PropertyValue",
            "name": field_name(predicate),
            "propertyID": str(predicate),
            "value": int(count),
            "unitText": unit,
        }
        for predicate, unit in COUNTS
        for count in [_preferred(graph.objects(dataset, predicate))]
        if count is not None and _is_count(count)
    ]
    if variables:
        doc["variableMeasured"] = variables
    downloads = [_data_download(graph, d) for d in access.downloads(graph, dataset)]
    if downloads:
        doc["distribution"] = downloads
    usage = [_access_page(a) for a in access.access_pages(graph, dataset)]
    if usage:
        doc["usageInfo"] = usage
    # the access right (an EU table term, which F-UJI reads as the access level), then
    # the rights statements of the distributions in words
    conditions = sorted(str(r) for r in graph.objects(dataset, DCTERMS.accessRights))
    conditions += sorted(
        {
            str(text)
            for d in access.distributions(graph, dataset)
            for rights in graph.objects(d, DCTERMS.rights)
            for text in [_preferred(graph.objects(rights, RDFS.label))]
            if text is not None
        }
    )
    if conditions:
        doc["conditionsOfAccess"] = _one_or_many(conditions)
    rights = {str(r) for r in graph.objects(dataset, DCTERMS.accessRights)}
    if rights:
        doc["isAccessibleForFree"] = str(ACCESS_RIGHT.PUBLIC) in rights
    if series:
        doc["isPartOf"] = _one_or_many([_part(s) for s in series])
    if releases:
        doc["hasPart"] = [_part(r) for r in releases]
    doc["includedInDataCatalog"] = {
        "@type": "DataCatalog",
        "@id": catalogue.iri,
        "name": catalogue.name,
        "url": catalogue.url,
    }
    return doc


def _web_api(graph: Graph, service: URIRef, page_url: str) -> dict[str, Any]:
    """A data service as a schema.org ``WebAPI``: its endpoint as the channel it is served
    on, its endpoint description as its documentation, its publisher as its provider."""
    doc: dict[str, Any] = {"@context": SCHEMA, "@type": "WebAPI", "@id": str(service)}
    title = _preferred(graph.objects(service, DCTERMS.title))
    doc["name"] = str(title) if title is not None else str(service)
    description = _preferred(graph.objects(service, DCTERMS.description))
    if description is not None:
        doc["description"] = str(description)
    doc["identifier"] = [
        str(i) for i in sorted(graph.objects(service, DCTERMS.identifier), key=str)
    ] + [str(service)]
    doc["url"] = page_url
    providers = [
        _agent(graph, a) for a in sorted(graph.objects(service, DCTERMS.publisher), key=str)
    ]
    if providers:
        doc["provider"] = _one_or_many(providers)
    documentation = _iris_of(graph, service, DCAT.endpointDescription)
    if documentation:
        doc["documentation"] = _one_or_many(documentation)
    endpoints = _iris_of(graph, service, DCAT.endpointURL)
    if endpoints:
        doc["availableChannel"] = _one_or_many(
            [{"@type": "ServiceChannel", "serviceUrl": e} for e in endpoints]
        )
    licences = access.licences(graph, service)
    if licences:
        doc["license"] = _one_or_many([_licence(graph, licence) for licence in licences])
    return doc


#: Google's Dataset rich result wants a description of 50 to 5,000 characters.
DESCRIPTION_LENGTHS = (50, 5000)


def _search_description(graph: Graph, dataset: Node) -> str | None:
    """The preferred description (English, else untagged, else the first), unless it is
    shorter than search engines take and another language's is long enough; cut at their
    limit, with an ellipsis."""
    shortest, longest = DESCRIPTION_LENGTHS
    found = [d for d in graph.objects(dataset, DCTERMS.description) if isinstance(d, Literal)]
    chosen = _preferred(found)
    if chosen is None:
        return None
    text = str(chosen)
    if len(text) < shortest:
        text = next((str(d) for d in sorted(found, key=str) if len(str(d)) >= shortest), text)
    return text if len(text) <= longest else text[: longest - 1] + "…"


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _licence(graph: Graph, iri: str) -> dict[str, Any]:
    """A licence as a schema.org ``CreativeWork``: its IRI, its name, and the licence's own
    address where the EU licence table matches it exactly (``creativecommons.org/…``)."""
    exact = sorted(str(m) for m in _concept_facts(iri).get(SKOS.exactMatch, ()))
    out: dict[str, Any] = {"@type": "CreativeWork", "@id": iri}
    name = label_of(graph, URIRef(iri))
    if name is not None:
        out["name"] = name
    out["url"] = exact[0] if exact else iri
    if exact:
        out["sameAs"] = _one_or_many(exact)
    return out


def _is_count(literal: Literal) -> bool:
    try:
        return int(literal) >= 0
    except (TypeError, ValueError):
        return False


def _agent(graph: Graph, agent: Node) -> dict[str, Any]:
    """An agent as a schema.org ``Organization`` (a ``Person`` when the record says so)."""
    kind = "Person" if (agent, RDF.type, FOAF.Person) in graph else "Organization"
    out: dict[str, Any] = {"@type": kind, "name": label_of(graph, agent) or str(agent)}
    if isinstance(agent, URIRef):
        out["@id"] = str(agent)
        out["identifier"] = str(agent)
    homepages = sorted(str(h) for h in graph.objects(agent, FOAF.homepage))
    if homepages:
        out["url"] = homepages[0]
    return out


def _concept_facts(iri: str) -> dict[URIRef, list[Node]]:
    """What the shipped vocabularies say of a concept, by predicate."""
    from gdcat.validate.background import vocabulary_index

    facts: dict[URIRef, list[Node]] = {}
    for _, p, o in vocabulary_index().by_subject.get(URIRef(iri), ()):
        if isinstance(p, URIRef):
            facts.setdefault(p, []).append(o)
    return facts


def _defined_term(graph: Graph, term: URIRef) -> dict[str, Any]:
    """A controlled term as a schema.org ``DefinedTerm``: its IRI, label, code, scheme, and
    the terms of other vocabularies (OBI, EDAM) it matches exactly."""
    facts = _concept_facts(str(term))
    out: dict[str, Any] = {
        "@type": "DefinedTerm",
        "@id": str(term),
        "name": label_of(graph, term) or local_name(str(term)) or str(term),
        "url": str(term),
    }
    codes = sorted(str(c) for c in facts.get(SKOS.notation, ()))
    if codes:
        out["termCode"] = codes[0]
    schemes = sorted(str(s) for s in facts.get(SKOS.inScheme, ()))
    if schemes:
        out["inDefinedTermSet"] = schemes[0]
    matches = sorted(str(m) for m in facts.get(SKOS.exactMatch, ()))
    if matches:
        out["sameAs"] = _one_or_many(matches)
    return out


def _variable(graph: Graph, term: URIRef) -> dict[str, Any]:
    """A variable of the data (a phenotype recorded, a category of personal data held) as a
    schema.org ``PropertyValue`` named by its term."""
    return {
        "@type": "PropertyValue",
        "name": label_of(graph, term) or local_name(str(term)) or str(term),
        "propertyID": str(term),
    }


def _data_download(graph: Graph, download: access.Download) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "DataDownload", "contentUrl": download.url}
    if download.titles:
        item["name"] = str(_preferred(download.titles))
    if download.media_type is not None:
        item["encodingFormat"] = download.media_type
    elif download.distribution is not None:
        fmt = next(iter(graph.objects(URIRef(download.distribution), DCTERMS.format)), None)
        if fmt is not None:
            item["encodingFormat"] = label_of(graph, fmt) or str(fmt).rsplit("/", 1)[-1]
    if download.distribution is not None:
        distribution = URIRef(download.distribution)
        found = _iris_of(graph, distribution, DCTERMS.license)
        if found:
            item["license"] = _one_or_many([_licence(graph, licence) for licence in found])
        size = _preferred(graph.objects(distribution, DCAT.byteSize))
        if size is not None and _is_count(size):
            item["contentSize"] = f"{int(size)} B"
    return item


def _iris_of(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, predicate) if isinstance(o, URIRef))


def _access_page(page: access.AccessPage) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "CreativeWork", "url": page.url}
    if page.titles:
        item["name"] = str(_preferred(page.titles))
    if page.descriptions:
        item["description"] = str(_preferred(page.descriptions))
    return item


def _part(related: Related) -> dict[str, Any]:
    """A series or release, as a nested ``Dataset`` of the other's JSON-LD."""
    out: dict[str, Any] = {"@type": "Dataset", "@id": related.iri}
    title = _preferred(Literal(t, lang=lang) for t, lang in related.titles)
    out["name"] = str(title) if title is not None else related.iri
    text = _preferred(Literal(t, lang=lang) for t, lang in related.descriptions)
    if text is not None:
        out["description"] = str(text)
    if related.page is not None:
        out["url"] = related.page
    if related.licences:
        out["license"] = _one_or_many([_licence(Graph(), x) for x in related.licences])
    if related.downloads:
        out["distribution"] = [
            {"@type": "DataDownload", "contentUrl": d.url}
            | ({"encodingFormat": d.media_type} if d.media_type else {})
            for d in related.downloads
        ]
    return out


def script_json(doc: dict[str, Any]) -> Markup:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` that could end the element."""
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


# -- rendering ----------------------------------------------------------------------------


@cache
def _environment(lang: str) -> jinja2.Environment:
    """The templates with the gettext callables of ``lang`` (one environment per language,
    so that concurrent requests in different languages never share them)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    catalogue = translations(lang)
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        catalogue.gettext, catalogue.ngettext, newstyle=True
    )
    # a label that may be in the catalogue (a field name from Python): translated, never
    # taken as markup (``_()`` marks its result safe, so it is for the templates' own text)
    environment.filters["translated"] = catalogue.gettext
    environment.filters["number"] = lambda n: format_number(n, lang)
    environment.filters["moment"] = lambda m: readable_moment(m, lang)
    environment.filters["code_words"] = with_code
    return environment


def reader_of(request: Request) -> Reader:
    """The reader of ``request``: ``?lang=``, else ``Accept-Language``, else English."""
    return choose_reader(request.query_params.get("lang"), request.headers.get("accept-language"))


def with_code(text: str) -> Markup:
    """A message with its `field` names as code (everything else escaped); templates have it
    as the ``code_words`` filter."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def format_number(value: int | None, lang: str) -> str:
    """``value`` for reading: thousands grouped as the language groups them."""
    if value is None:
        return "–"
    grouped = f"{value:,}"
    separator = {"de": ".", "nl": ".", "fr": "\u202f"}.get(lang)
    return grouped.replace(",", separator) if separator else grouped


def offer_page(app: FastAPI, name: str) -> None:
    """Name a page the application serves (``data-use``, ``inventory``…): the layout links it
    from the navigation only once its module is installed."""
    offered = set(offered_pages(app))
    offered.add(name)
    app.state.ui_pages = frozenset(offered)


def offered_pages(app: FastAPI) -> frozenset[str]:
    pages: frozenset[str] = getattr(app.state, "ui_pages", frozenset())
    return pages


def render(request: Request, template: str, **context: Any) -> str:
    """``template`` for the reader of ``request``, in the site's layout: the language switch
    (links to this URL in each language), navigation links that keep a chosen language."""
    reader = reader_of(request)
    home = str(request.base_url)
    keep = f"?lang={reader.lang}" if reader.chosen else ""
    context.setdefault("home", home)
    context.setdefault("forms", ())
    context.setdefault("section", None)
    context.setdefault("offered", offered_pages(request.app))
    context.setdefault("steward", layout_steward(request))
    return (
        _environment(reader.lang)
        .get_template(template)
        .render(
            lang=reader.lang,
            keep_lang=keep,
            languages=[
                (code, name, str(request.url.include_query_params(lang=code)))
                for code, name in LANGUAGES.items()
            ],
            **context,
        )
    )


Forms = Sequence[tuple[str, str, str]]


def record_page(
    request: Request,
    graph: Graph,
    record: str,
    *,
    home: str,
    dataset_url: str | None,
    forms: Forms,
    locate: Callable[[str], str],
) -> str:
    subject = URIRef(record)
    withdrawn = any(
        str(o).endswith("/deleted")
        for o in graph.objects(subject, URIRef("http://www.w3.org/ns/adms#status"))
    )
    return render(
        request,
        "record.html",
        home=home,
        iri=record,
        rows=_relinked(rows_of(graph, subject, lang=reader_of(request).lang), locate),
        dataset_url=dataset_url,
        withdrawn=withdrawn,
        forms=forms,
    )


def field_words(path: str, lang: str = "en") -> str:
    """A steward's field path in the words of ``lang``: ``distribution.access_url`` ->
    ``Distribution › Access url`` (``Distributie › Toegangs-URL``), the model's field labels
    (:func:`gdcat.model.fields.path_label`); ``(record)`` (no one field) stays."""
    from gdcat.model.fields import path_label

    if not path or path.startswith("("):
        return path
    return path_label(path, lang)


def run_page(
    request: Request,
    graph: Graph,
    run: str,
    *,
    home: str,
    forms: Forms,
    page_of: Callable[[str], str],
) -> str:
    """A harvest run as a report: what it did in all, then what it did at each node (records
    added, updated, withdrawn, kept, rejected and why, pages that failed), read by
    :func:`gdcat.harvest.runs.run_of_graph` as ``/api/harvest/runs/{id}`` reads it."""
    from gdcat.harvest.runs import run_of_graph

    base = run[: run.rindex("/run/") + 1]
    stored = run_of_graph(graph, run, base)
    if stored is None:
        raise ValueError(f"the graph does not describe the harvest run {run}")
    lang = reader_of(request).lang
    keep = f"?lang={lang}" if reader_of(request).chosen else ""
    nodes_offered = "nodes" in offered_pages(request.app)
    by_field: dict[str, dict[str, Any]] = {}
    nodes = []
    for index, n in enumerate(stored.nodes, start=1):
        rejections = []
        for r in n.rejected:
            reasons = [
                {
                    "field": x.path,
                    "words": field_words(x.path, lang),
                    "message": x.message,
                    "severity": x.severity,
                }
                for x in r.reasons
            ]
            for x in r.reasons:
                entry = by_field.setdefault(
                    x.path,
                    {
                        "field": x.path,
                        "words": field_words(x.path, lang),
                        "records": set(),
                        "messages": {},
                    },
                )
                entry["records"].add(r.dataset)
                entry["messages"].setdefault(x.message, r.dataset)
            rejections.append({"dataset": r.dataset, "source": r.source, "reasons": reasons})
        nodes.append(
            {
                "anchor": f"node-{index}",
                "name": n.node,
                "page": f"{home}nodes/{n.node}{keep}" if nodes_offered else None,
                "kind": n.kind,
                "url": n.url,
                "status": n.status,
                "counts": n.counts,
                "held": n.held,
                "reasons": n.reasons,
                "added": [(d, page_of(d)) for d in n.added],
                "updated": [(d, page_of(d)) for d in n.updated],
                "withdrawn": n.withdrawn,
                "kept": n.kept,
                "accepted": [(d, page_of(d)) for d in n.accepted_with_violations],
                "rejections": rejections,
                "failures": n.failures,
                "warnings": n.warnings,
            }
        )
    fields = sorted(by_field.values(), key=lambda e: (-len(e["records"]), e["field"]))
    for entry in fields:
        entry["records"] = len(entry["records"])
        entry["messages"] = sorted(entry["messages"])
    statuses = {s: sum(1 for n in stored.nodes if n.status == s) for s in STATUSES}
    return render(
        request,
        "run.html",
        home=home,
        iri=run,
        run_id=stored.id,
        status=stored.status,
        started=_when(stored.started),
        ended=_when(stored.ended) if stored.ended is not None else None,
        seconds=round((stored.ended - stored.started).total_seconds())
        if stored.ended is not None
        else None,
        totals=stored.totals,
        statuses=statuses,
        nodes=nodes,
        fields=fields,
        nodes_url=f"{home}nodes{keep}" if nodes_offered else None,
        json_url=f"{home}api/harvest/runs/{stored.id}",
        forms=forms,
    )


#: A run's and a node's statuses, in words (the run page's own text).
STATUSES: dict[str, str] = {
    "complete": N_("complete"),
    "partial": N_("partial"),
    "failed": N_("failed"),
}


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def resource_page(
    request: Request,
    graph: Graph,
    subject: str,
    *,
    home: str,
    title: str,
    forms: Forms,
    locate: Callable[[str], str],
    intro: str | None = None,
) -> str:
    """Any other resource: everything the graph says, subject by subject."""
    sections = sections_of(graph, URIRef(subject), reader_of(request).lang)
    for section in sections:
        section.rows = _relinked(section.rows, locate)
    return render(
        request,
        "resource.html",
        home=home,
        title=title,
        iri=subject,
        intro=intro,
        sections=sections,
        forms=forms,
    )


def _relinked(rows: list[Row], locate: Callable[[str], str]) -> list[Row]:
    """Links to IRIs gdcat minted point where this request reaches gdcat."""
    return [
        Row(
            row.name,
            [
                Value(v.text, locate(v.href) if v.href else None, v.lang, v.iri, v.more)
                for v in row.values
            ],
        )
        for row in rows
    ]
