"""A dataset's landing page for people.

Every field of the dataset is shown once, in the reader's language where the record or a
vocabulary has it: the title and description, the key figures, the facts about the data,
**how to request access** (the rights, what the data may be used for and on which conditions
in plain words, the data access committee and health data access body with their contacts,
where to apply), the series a release belongs to or the releases of a series, the
distributions, where the record came from, and what else the record says. A disease,
phenotype, publisher or node links to a search for more datasets with it. The page also
carries schema.org ``Dataset`` JSON-LD, and its RDF forms are linked from the layout.

Each field the page shows from the dataset carries ``data-field="<predicate IRI>"`` on its
name, so a test can tell that none is shown twice and none is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node
from starlette.requests import Request

from gdcat.search.duo import TERMS_BY_IRI
from gdcat.search.terms import FACETS_BY_NAME
from gdcat.store import CatalogRecord
from gdcat.ui.i18n import N_, Reader
from gdcat.ui.pages import (
    CV,
    DISTRIBUTION_FIELDS,
    CatalogueRef,
    Forms,
    Related,
    Value,
    _preferred,
    describe,
    field_name,
    reader_of,
    render,
    schema_org,
    script_json,
)
from gdcat.ui.search_page import ACCESS_WORDS, DATA_USE_WORDS
from gdcat.vocab import GDCAT, GEODCATAP, HEALTHDCATAP

FOAF_MBOX = URIRef("http://xmlns.com/foaf/0.1/mbox")
FOAF_HOMEPAGE = URIRef("http://xmlns.com/foaf/0.1/homepage")
CV_CONTACT_POINT = URIRef(CV + "contactPoint")
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
_HTML_FORMATS = {
    "http://publications.europa.eu/resource/authority/file-type/HTML",
    "http://www.iana.org/assignments/media-types/text/html",
}

#: The key figures, shown large at the top: (label, predicate).
FIGURES: tuple[tuple[str, URIRef], ...] = (
    (N_("Individuals"), HEALTHDCATAP.numberOfUniqueIndividuals),
    (N_("Genomes"), GDCAT.numberOfGenomes),
    (N_("Exomes"), GDCAT.numberOfExomes),
    (N_("Samples"), GDCAT.numberOfSamples),
    (N_("Records"), HEALTHDCATAP.numberOfRecords),
)

#: What the data are: (label, predicate), in this order.
ABOUT_FIELDS: tuple[tuple[str, URIRef], ...] = (
    (N_("Identifier"), DCTERMS.identifier),
    (N_("Publisher"), DCTERMS.publisher),
    (N_("Custodian"), GEODCATAP.custodian),
    (N_("Sequencing type"), GDCAT.sequencingType),
    (N_("Sequencing platform"), GDCAT.sequencingPlatform),
    (N_("Reference genome"), GDCAT.referenceGenome),
    (N_("File formats"), GDCAT.genomicFileFormat),
    (N_("Disease"), GDCAT.disease),
    (N_("Phenotype"), GDCAT.phenotype),
    (N_("Population"), HEALTHDCATAP.populationCoverage),
    (N_("Health category"), HEALTHDCATAP.healthCategory),
    (N_("Health theme"), HEALTHDCATAP.healthTheme),
    (N_("Theme"), DCAT.theme),
    (N_("Country or area"), DCTERMS.spatial),
    (N_("Period covered"), DCTERMS.temporal),
    (N_("Keywords"), DCAT.keyword),
    (N_("Language"), DCTERMS.language),
    (N_("Licence"), DCTERMS.license),
    (N_("Issued"), DCTERMS.issued),
    (N_("Modified"), DCTERMS.modified),
)

#: The fields of the "How to request access" block.
ACCESS_RIGHTS = DCTERMS.accessRights
PERMISSION = GDCAT.dataUsePermission
MODIFIER = GDCAT.dataUseModifier
COMMITTEE = GDCAT.dataAccessCommittee
HDAB = HEALTHDCATAP.hdab
ACCESS_FIELDS: tuple[tuple[str, URIRef], ...] = (
    (N_("Access rights"), ACCESS_RIGHTS),
    (N_("Data use permitted"), PERMISSION),
    (N_("Data use conditions"), MODIFIER),
    (N_("Data access committee"), COMMITTEE),
    (N_("Health data access body"), HDAB),
    (N_("Contact"), DCAT.contactPoint),
    (N_("Landing page"), DCAT.landingPage),
)

#: Shown in their own places: the heading, the text, the series, the distributions.
PLACED = (RDF.type, DCTERMS.title, DCTERMS.description, IN_SERIES, DCAT.distribution)

#: Fields whose values link to a search for more datasets with the same value.
_MORE = {
    GDCAT.disease: "disease",
    GDCAT.phenotype: "phenotype",
    DCTERMS.publisher: "publisher",
}
_MORE_TEXT = {
    "disease": N_("More datasets with this disease"),
    "phenotype": N_("More datasets with this phenotype"),
    "publisher": N_("More datasets from this publisher"),
    "node": N_("More datasets from this node"),
}


@dataclass
class Field:
    """A field of the dataset as the page shows it."""

    name: str
    #: the predicate IRI (several, space-separated, when they say the same)
    predicate: str
    values: list[Value]
    #: the text of the values' links to a search for more datasets with them
    more: str | None = None


@dataclass
class Agent:
    """A body that decides on access, with its contacts."""

    role: str
    predicate: str
    name: Value
    contacts: list[Value] = field(default_factory=list)


def _search_link(home: str, reader: Reader, facet: str, value: str) -> str:
    query = [(facet, value)]
    if reader.chosen:
        query.append(("lang", reader.lang))
    return f"{home}search?{urlencode(query)}"


def _facet_value(facet: str, iri: str) -> str:
    """``iri`` as the search page's parameter value (``ORPHA:100``, ``HP:0001251``…)."""
    if facet == "publisher":
        return iri
    return FACETS_BY_NAME[facet].scheme.value(iri)


def _ordered(graph: Graph, subject: Node, predicate: URIRef, lang: str) -> list[Node]:
    """The objects, literals in the reader's language first, then English, then the rest."""

    def key(node: Node) -> tuple[int, str, str]:
        language = (node.language or "") if isinstance(node, Literal) else ""
        primary = language.lower().split("-")[0]
        rank = 0 if primary == lang else 1 if primary == "en" else 2 if not primary else 3
        return (rank, language, str(node))

    return sorted(graph.objects(subject, predicate), key=key)


class _View:
    """Builds the page's parts for one reader, remembering which fields it has shown."""

    def __init__(self, graph: Graph, dataset: URIRef, reader: Reader, home: str) -> None:
        self.graph = graph
        self.dataset = dataset
        self.reader = reader
        self.lang = reader.lang
        self.home = home
        self.shown: set[URIRef] = set(PLACED)
        self.by_objects: dict[frozenset[Node], Field] = {}

    def values(self, subject: Node, predicate: URIRef) -> list[Value]:
        facet = _MORE.get(predicate)
        out = []
        for node in _ordered(self.graph, subject, predicate, self.lang):
            found = describe(self.graph, node, self.lang)
            if facet and isinstance(node, URIRef) and found:
                more = _search_link(self.home, self.reader, facet, _facet_value(facet, str(node)))
                found[0] = Value(found[0].text, found[0].href, found[0].lang, found[0].iri, more)
            out.extend(found)
            if predicate == DCTERMS.publisher:
                out.extend(self.contacts(node))
        return out

    def contacts(self, agent: Node) -> list[Value]:
        """An agent's contact points, e-mail addresses and home pages."""
        out: list[Value] = []
        for point in sorted(self.graph.objects(agent, CV_CONTACT_POINT), key=str):
            out += describe(self.graph, point, self.lang)
        for mbox in sorted(self.graph.objects(agent, FOAF_MBOX), key=str):
            address = str(mbox).removeprefix("mailto:")
            out.append(Value(address, href=f"mailto:{address}" if "@" in address else None))
        for page in sorted(self.graph.objects(agent, FOAF_HOMEPAGE), key=str):
            out += describe(self.graph, page, self.lang)
        return out

    def fields(self, names: Sequence[tuple[str, URIRef]], *, merge: bool = False) -> list[Field]:
        """The fields ``names`` not shown yet; with ``merge``, a field whose values are the
        same IRIs as a field shown before (``foaf:page`` and ``dcat:landingPage``) joins it."""
        out = []
        for name, predicate in names:
            if predicate in self.shown:
                continue
            objects = frozenset(self.graph.objects(self.dataset, predicate))
            same = self.by_objects.get(objects) if merge else None
            if same is not None and all(isinstance(o, URIRef) for o in objects):
                same.predicate += f" {predicate}"
                self.shown.add(predicate)
                continue
            values = self.values(self.dataset, predicate)
            if values:
                self.shown.add(predicate)
                facet = _MORE.get(predicate)
                more = _MORE_TEXT[facet] if facet else None
                out.append(Field(name, str(predicate), values, more))
                self.by_objects.setdefault(objects, out[-1])
        return out

    def figures(self) -> list[Field]:
        out = []
        for name, predicate in FIGURES:
            literal = _preferred(self.graph.objects(self.dataset, predicate))
            if literal is not None:
                self.shown.add(predicate)
                out.append(Field(name, str(predicate), describe(self.graph, literal, self.lang)))
        return out

    def rest(self) -> list[Field]:
        """Every field of the dataset not shown elsewhere, by name."""
        predicates = {
            p
            for p in self.graph.predicates(self.dataset, None)
            if isinstance(p, URIRef) and p not in self.shown
        }
        named = [(field_name(p, self.lang), p) for p in predicates]
        named.sort(key=lambda item: (item[0].casefold(), str(item[1])))
        return self.fields([(n[:1].upper() + n[1:], p) for n, p in named], merge=True)

    def data_use(self, predicate: URIRef) -> list[dict[str, Value | str]]:
        """DUO terms in plain words, each with its term."""
        out: list[dict[str, Value | str]] = []
        for node in sorted(self.graph.objects(self.dataset, predicate), key=str):
            term = describe(self.graph, node, self.lang)[0]
            known = TERMS_BY_IRI.get(str(node))
            words = DATA_USE_WORDS.get(known.shorthand) if known else None
            out.append({"words": self.reader.gettext(words) if words else term.text, "term": term})
        if out:
            self.shown.add(predicate)
        return out

    def rights(self) -> list[Value]:
        out = []
        for node in sorted(self.graph.objects(self.dataset, ACCESS_RIGHTS), key=str):
            value = describe(self.graph, node, self.lang)[0]
            code = str(node).rsplit("/", 1)[-1]
            if value.lang != self.lang and code in ACCESS_WORDS:
                value = Value(self.reader.gettext(ACCESS_WORDS[code]), value.href, None, value.iri)
            out.append(value)
        if out:
            self.shown.add(ACCESS_RIGHTS)
        return out

    def agents(self) -> list[Agent]:
        out = []
        for role, predicate in (
            (N_("Data access committee"), COMMITTEE),
            (N_("Health data access body"), HDAB),
        ):
            for node in sorted(self.graph.objects(self.dataset, predicate), key=str):
                name = describe(self.graph, node, self.lang)[0]
                out.append(Agent(role, str(predicate), name, self.contacts(node)))
                self.shown.add(predicate)
        return out


def _is_application(graph: Graph, distribution: Node) -> bool:
    """A distribution that is a web page (an application form, an access portal)."""
    kinds = {str(o) for o in graph.objects(distribution, DCTERMS.format)}
    kinds |= {str(o) for o in graph.objects(distribution, DCAT.mediaType)}
    return bool(kinds & _HTML_FORMATS) and (distribution, DCAT.accessURL, None) in graph


def _title(titles: Sequence[tuple[str, str | None]], lang: str, fallback: str) -> Value:
    literals = [Literal(text, lang=language) for text, language in titles]
    chosen = _preferred(literals, lang)
    return Value(str(chosen), lang=chosen.language) if chosen is not None else Value(fallback)


def dataset_page(
    request: Request,
    graph: Graph,
    record: CatalogRecord,
    *,
    home: str,
    page_url: str,
    catalogue: tuple[str, str],
    catalogue_iri: str,
    record_url: str,
    forms: Forms,
    distribution_pages: dict[str, str],
    series: Sequence[Related] = (),
    releases: Sequence[Related] = (),
) -> str:
    """A dataset's (or dataset series') landing page for the reader of ``request``."""
    reader = reader_of(request)
    lang = reader.lang
    dataset = URIRef(record.dataset_iri)
    view = _View(graph, dataset, reader, home)
    titles = _ordered(graph, dataset, DCTERMS.title, lang)
    title = _preferred(titles, lang)
    descriptions = [
        describe(graph, d, lang)[0] for d in _ordered(graph, dataset, DCTERMS.description, lang)
    ]
    is_series = (dataset, RDF.type, DATASET_SERIES) in graph

    # how to request access
    rights = view.rights()
    permissions = view.data_use(PERMISSION)
    conditions = view.data_use(MODIFIER)
    agents = view.agents()
    contact = view.fields([(N_("Contact"), DCAT.contactPoint)])
    landing = view.fields([(N_("Landing page"), DCAT.landingPage)])
    applications = []
    distributions = []
    for node in sorted(graph.objects(dataset, DCAT.distribution), key=str):
        name = _preferred(graph.objects(node, DCTERMS.title), lang)
        fields = DISTRIBUTION_FIELDS
        if _is_application(graph, node):
            for url in sorted(graph.objects(node, DCAT.accessURL), key=str):
                applications.append(
                    {
                        "title": describe(graph, name, lang)[0] if name is not None else None,
                        "link": describe(graph, url, lang)[0],
                    }
                )
            fields = tuple(f for f in DISTRIBUTION_FIELDS if f[1] != DCAT.accessURL)
        rows = []
        for label, predicate in fields:
            size = predicate == DCAT.byteSize
            values = [
                v
                for o in _ordered(graph, node, predicate, lang)
                for v in describe(graph, o, lang, size=size)
            ]
            if values:
                rows.append(Field(label, str(predicate), values))
        distributions.append(
            {
                "title": describe(graph, name, lang)[0] if name is not None else None,
                "descriptions": [
                    describe(graph, d, lang)[0]
                    for d in _ordered(graph, node, DCTERMS.description, lang)
                ],
                "rows": rows,
                "page": distribution_pages.get(str(node)),
                "application": _is_application(graph, node),
            }
        )

    figures = view.figures()
    about = view.fields(ABOUT_FIELDS)
    rest = view.rest()
    source_node = record.meta.node
    catalogue_name = f"gdcat catalogue of node {catalogue[0]}"
    return render(
        request,
        "dataset.html",
        home=home,
        title=str(title) if title is not None else str(dataset),
        title_lang=title.language if title is not None else None,
        iri=str(dataset),
        is_series=is_series,
        other_titles=[describe(graph, t, lang)[0] for t in titles if t != title],
        description=descriptions[0] if descriptions else None,
        other_descriptions=descriptions[1:],
        figures=figures,
        about=about,
        rights=rights,
        permissions=permissions,
        conditions=conditions,
        agents=agents,
        contact=contact,
        landing=landing,
        applications=applications,
        series=[{"title": _title(s.titles, lang, s.iri), "page": s.page or s.iri} for s in series],
        releases=[
            {
                "title": _title(r.titles, lang, r.iri),
                "page": r.page or r.iri,
                "issued": describe(graph, r.issued, lang)[0].text if r.issued is not None else None,
            }
            for r in releases
        ],
        distributions=distributions,
        rest=rest,
        record=record,
        record_url=record_url,
        catalogue=catalogue,
        node_search=_search_link(home, reader, "node", source_node) if source_node else None,
        node_more=_MORE_TEXT["node"],
        forms=forms,
        json_ld=script_json(
            schema_org(
                graph,
                dataset,
                page_url=page_url,
                catalogue=CatalogueRef(catalogue_name, catalogue[1], catalogue_iri),
                series=series,
                releases=releases,
            )
        ),
    )
