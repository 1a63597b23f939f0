"""gdcat re-published as a FAIR Data Point (FDP specification 1.2; the reference
implementation's shapes in ``shapes/fdp/`` say what each page must hold).

| path | answers |
|---|---|
| ``/`` | the root: an ``fdp:FAIRDataPoint`` linking the catalogues; as HTML, the home page |
| ``/catalog/`` | the LDP container of the catalogues |
| ``/catalog/{id}`` | one ``dcat:Catalog`` per node: ``dcat:dataset``, ``dcat:service`` links |
| ``/catalog/{id}/dataset/`` | the LDP container of a catalogue's datasets |
| ``/dataset/{key}`` | the dataset page (:mod:`gdcat.api.resources`) |
| ``/dataset/{key}/distribution/`` | the LDP container of a dataset's distributions |
| ``/dataset/{key}/distribution/{d}`` | a distribution page |
| ``/spec`` | the FDP SHACL shapes gdcat's pages conform to |
| ``/profile/{name}`` | the shapes of one kind of page (what ``dct:conformsTo`` names) |

Harvested datasets keep their nodes' IRIs, which do not resolve. So that a crawler finds their
pages, each parent says where its children's pages are: ``<child> rdfs:seeAlso <page URL>``
(catalogue page -> datasets, dataset page -> distributions). gdcat's own harvester follows these
links and removes them again (:mod:`gdcat.sources.fdp`), so harvesting gdcat's FDP gives back
every record unchanged.

The catalogues are gdcat's: one title, gdcat as publisher, their dates and version taken from
their records' catalogue records (``dcat:version`` is the time of the last change).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Annotated

import pyoxigraph as ox
from fastapi import FastAPI, Path, Request
from fastapi.responses import Response
from rdflib import URIRef

from gdcat.api.context import AppContext
from gdcat.api.negotiation import HTML
from gdcat.api.problems import Problem
from gdcat.api.resources import (
    CATALOGUE_PATTERN,
    DCAT,
    DCT,
    FDP,
    FOAF,
    LDP,
    LOCAL_CATALOGUE,
    PAGE_FORMATS,
    PAGE_OFFERS,
    RDF_FORMATS,
    RDF_OFFERS,
    RDF_TYPE,
    RDFS_SEE_ALSO,
    Catalogue,
    KeyPath,
    LinkedData,
    alternates,
    answer,
    choose_form,
    described_for_clients,
    distributions_of,
    documented,
    format_query,
    linked_data,
    linked_described,
    locate,
    rdf_answer,
    resource_answer,
    text,
    timestamp,
    to_graph,
    triple,
)
from gdcat.errors import ListingPendingError
from gdcat.paths import shapes_dir
from gdcat.store.inventory import RecordKinds, kept_record_kinds
from gdcat.ui import pages
from gdcat.validate import get_profile

_ENGLISH = "http://publications.europa.eu/resource/authority/language/ENG"
_DATA_THEMES = "http://publications.europa.eu/resource/authority/data-theme"
_R3D_REPOSITORY = "http://www.re3data.org/schema/3-0#Repository"

#: FDP metadata profiles gdcat serves, each a vendored shapes file of the reference FDP.
PROFILES = (
    "fdp",
    "catalog",
    "dataset",
    "distribution",
    "resource",
    "data-service",
    "metadata-service",
)

CatalogueId = Annotated[
    str,
    Path(
        description="The catalogue's id: the node's id (`_local` for records loaded from files).",
        pattern=CATALOGUE_PATTERN,
        examples=["nl"],
    ),
]


@cache
def _shapes(files: tuple[str, ...]) -> tuple[ox.Triple, ...]:
    """The triples of vendored shapes files (paths relative to ``shapes/``)."""
    out: list[ox.Triple] = []
    for name in files:
        for quad in ox.parse(path=shapes_dir() / name, format=ox.RdfFormat.TURTLE):
            out.append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return tuple(out)


def spec_triples() -> tuple[ox.Triple, ...]:
    """Every FDP shape, with the inheritance the reference FDP applies (``profiles.py``)."""
    return _shapes(tuple(f.path for f in get_profile("fdp").files("")))


def _publisher(data: LinkedData) -> list[ox.Triple]:
    return [
        triple(data.publisher, RDF_TYPE, FOAF + "Agent"),
        triple(data.publisher, FOAF + "name", ox.Literal("gdcat")),
    ]


def _catalogue_name(catalogue: Catalogue) -> str:
    if catalogue.id == LOCAL_CATALOGUE:
        return "records loaded from files"
    return f"node {catalogue.id}"


def _root_catalogue(data: LinkedData, version: str) -> list[ox.Triple]:
    """The root as the ``dcat:Catalog`` of the node catalogues (each is ``dct:isPartOf`` it,
    whose DCAT-AP range is a catalogue), with what the DCAT-AP shapes require of one; every
    catalogue page repeats it, for clients that read one page at a time, with the version
    the FAIR Data Point shapes require of it."""
    root = data.base
    return [
        triple(root, RDF_TYPE, DCAT + "Catalog"),
        triple(root, DCT + "title", text("gdcat: genomic datasets of the 1+Million Genomes nodes")),
        triple(
            root,
            DCT + "description",
            text(
                "The metadata catalogue of the 1+Million Genomes initiative: datasets harvested "
                "from the national nodes, validated, and re-published as each node published "
                "them, one catalogue per node."
            ),
        ),
        triple(root, DCT + "publisher", data.publisher),
        triple(root, DCAT + "version", ox.Literal(version)),
        *_publisher(data),
    ]


def root_triples(request: Request, data: LinkedData, version: str) -> list[ox.Triple]:
    """The FDP root: gdcat as an ``fdp:FAIRDataPoint`` with its catalogues."""
    root = data.base
    container = f"{root}catalog/"
    catalogues = data.catalogues()
    out = [
        triple(root, RDF_TYPE, FDP + "FAIRDataPoint"),
        triple(root, RDF_TYPE, _R3D_REPOSITORY),
        *_root_catalogue(data, version),
        triple(root, DCT + "language", _ENGLISH),
        triple(root, DCT + "conformsTo", f"{root}profile/fdp"),
        triple(root, DCAT + "endpointURL", root),
        triple(root, FDP + "metadataIdentifier", f"{root}#identifier"),
        triple(f"{root}#identifier", DCT + "identifier", ox.Literal(root)),
        triple(root, FDP + "fdpSoftwareVersion", ox.Literal(f"gdcat {version}")),
        triple(root, FDP + "uiLanguage", _ENGLISH),
        triple(container, RDF_TYPE, LDP + "DirectContainer"),
        triple(container, DCT + "title", text("Catalogues")),
        triple(container, LDP + "membershipResource", root),
        triple(container, LDP + "hasMemberRelation", FDP + "metadataCatalog"),
    ]
    if catalogues:  # each catalogue's dates are read once per catalogue object
        issued = min(c.issued for c in catalogues.values())
        modified = max(c.modified for c in catalogues.values())
        out.append(triple(root, FDP + "metadataIssued", timestamp(issued)))
        out.append(triple(root, FDP + "metadataModified", timestamp(modified)))
    for catalogue in catalogues.values():
        iri = data.catalogue_iri(catalogue.id)
        out.append(triple(root, FDP + "metadataCatalog", iri))
        out.append(triple(container, LDP + "contains", iri))
        page = locate(request, data, iri)
        if page != iri:
            out.append(triple(iri, RDFS_SEE_ALSO, page))
    return out


def catalogue_triples(
    request: Request, data: LinkedData, catalogue: Catalogue, version: str
) -> list[ox.Triple]:
    """One node's catalogue: gdcat's metadata about it, and links to its records' pages."""
    iri = data.catalogue_iri(catalogue.id)
    container = f"{iri}/dataset/"
    name = _catalogue_name(catalogue)
    out = [
        triple(iri, RDF_TYPE, DCAT + "Catalog"),
        triple(iri, DCT + "title", text(f"Genomic datasets of {name}")),
        triple(
            iri,
            DCT + "description",
            text(
                f"The datasets and data services gdcat harvested from {name}, each as the node "
                "published it."
            ),
        ),
        triple(iri, DCT + "publisher", data.publisher),
        *_publisher(data),
        triple(iri, DCAT + "version", ox.Literal(timestamp(catalogue.modified).value)),
        triple(iri, DCT + "language", _ENGLISH),
        triple(iri, DCT + "issued", timestamp(catalogue.issued)),
        triple(iri, DCT + "modified", timestamp(catalogue.modified)),
        triple(iri, FDP + "metadataIssued", timestamp(catalogue.issued)),
        triple(iri, FDP + "metadataModified", timestamp(catalogue.modified)),
        triple(iri, DCT + "isPartOf", data.base),
        triple(iri, DCT + "conformsTo", f"{data.base}profile/catalog"),
        triple(iri, DCAT + "themeTaxonomy", _DATA_THEMES),
        triple(container, RDF_TYPE, LDP + "DirectContainer"),
        triple(container, DCT + "title", text("Datasets")),
        triple(container, LDP + "membershipResource", iri),
        triple(container, LDP + "hasMemberRelation", DCAT + "dataset"),
    ]
    if catalogue.country:
        out.append(triple(iri, DCT + "spatial", catalogue.country))
    out += _root_catalogue(data, version)
    for entry in catalogue.datasets:
        out.append(triple(iri, DCAT + "dataset", entry.dataset))
        out.append(triple(container, LDP + "contains", entry.dataset))
        out.append(
            triple(
                entry.dataset, RDFS_SEE_ALSO, locate(request, data, data.dataset_page(entry.key))
            )
        )
    for entry in catalogue.services:
        out.append(triple(iri, DCAT + "service", entry.dataset))
        out.append(
            triple(
                entry.dataset, RDFS_SEE_ALSO, locate(request, data, data.dataset_page(entry.key))
            )
        )
    return out


def closure(triples: Sequence[ox.Triple], start: str, stop: set[str]) -> list[ox.Triple]:
    """The triples of ``start`` and of every node it reaches, not entering ``stop``."""
    by_subject: dict[object, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    first = ox.NamedNode(start)
    seen: set[object] = {first, *(ox.NamedNode(s) for s in stop)}
    todo: list[object] = [first]
    out: list[ox.Triple] = []
    while todo:
        node = todo.pop()
        for t in by_subject.get(node, ()):
            out.append(t)
            if t.object not in seen and t.object in by_subject:
                seen.add(t.object)
                todo.append(t.object)
    return out


def _home_page(request: Request, data: LinkedData) -> str:
    """The home page: the catalogues with what each holds. Before the listing's first read
    has ended (minutes after a start at a million records) it says so, with the totals the
    store keeps (when they are complete) instead of the table."""
    try:
        listed = data.catalogues()
    except ListingPendingError as pending:
        waiting: float | None = pending.retry_after
        catalogues: list[dict[str, object]] = []
        totals = kept_record_kinds(data.store)
    else:
        waiting = None
        catalogues = [
            {
                "id": c.id,
                "name": _catalogue_name(c),
                "country": pages.vocabulary_label(c.country) if c.country else None,
                **c.kinds.to_json(),
                "modified": c.modified.isoformat(timespec="seconds"),
                "url": locate(request, data, data.catalogue_iri(c.id)),
            }
            for c in listed.values()
        ]
        totals = RecordKinds.total(c.kinds for c in listed.values())
    return pages.render(
        request,
        "home.html",
        home=str(request.base_url),
        catalogues=catalogues,
        listing_pending=waiting,
        counted=totals is not None,
        **(totals or RecordKinds(0, 0, 0)).to_json(),
        forms=alternates(request, RDF_OFFERS),
    )


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the FAIR Data Point's routes."""
    data = linked_data(ctx)

    def catalogue_of(catalogue_id: str) -> Catalogue:
        found = data.catalogues().get(catalogue_id)
        if found is None:
            raise Problem(404, "Not found", f"no catalogue {catalogue_id!r}", kind="not-found")
        return found

    @app.get(
        "/",
        tags=["linked data"],
        summary="The FAIR Data Point root (gdcat's home page as HTML)",
        response_class=Response,
        responses=documented(
            "The FDP root metadata: an `fdp:FAIRDataPoint` linking one `dcat:Catalog` per "
            "node (`fdp:metadataCatalog`) and their LDP container; as HTML, the home page.",
            statuses=(),
        ),
    )
    def root(request: Request, format_: str | None = format_query(PAGE_FORMATS)) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        if media == HTML:
            return answer(request, _home_page(request, data), HTML, offers=PAGE_OFFERS)
        triples = described_for_clients(root_triples(request, data, app.version))
        return rdf_answer(request, triples, media, first=data.base)

    @app.get(
        "/catalog/",
        tags=["linked data"],
        summary="The LDP container of the catalogues",
        response_class=Response,
        responses=documented("An `ldp:DirectContainer` of the catalogues.", statuses=()),
    )
    def catalogues(request: Request, format_: str | None = format_query(PAGE_FORMATS)) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        container = f"{data.base}catalog/"
        triples = [
            t
            for t in root_triples(request, data, app.version)
            if t.subject == ox.NamedNode(container)
        ]
        return resource_answer(request, data, triples, media, container, "Catalogues")

    @app.get(
        "/catalog/{catalogue_id}",
        tags=["linked data"],
        summary="One node's catalogue",
        response_class=Response,
        responses=documented(
            "A `dcat:Catalog` of the node's datasets (`dcat:dataset`) and services "
            "(`dcat:service`); each record's page is given by `rdfs:seeAlso`."
        ),
    )
    def catalogue(
        request: Request,
        catalogue_id: CatalogueId,
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        found = catalogue_of(catalogue_id)
        triples = catalogue_triples(request, data, found, app.version)
        if media == HTML:
            titles = _titles(data, [e.key for e in found.entries])
            body = pages.render(
                request,
                "catalogue.html",
                home=str(request.base_url),
                name=_catalogue_name(found),
                catalogue=found,
                country=pages.vocabulary_label(found.country) if found.country else None,
                items=[
                    {
                        "iri": e.dataset,
                        "kind": e.kind,
                        "title": titles.get(e.key, e.dataset),
                        "url": locate(request, data, data.dataset_page(e.key)),
                    }
                    for e in found.entries
                ],
                forms=alternates(request, RDF_OFFERS),
            )
            return answer(request, body, HTML, offers=PAGE_OFFERS)
        triples = described_for_clients(linked_described(data, triples, whole=False))
        return rdf_answer(request, triples, media, first=data.catalogue_iri(found.id))

    @app.get(
        "/catalog/{catalogue_id}/dataset/",
        tags=["linked data"],
        summary="The LDP container of one catalogue's datasets",
        response_class=Response,
        responses=documented("An `ldp:DirectContainer` of the catalogue's datasets."),
    )
    def catalogue_datasets(
        request: Request,
        catalogue_id: CatalogueId,
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        found = catalogue_of(catalogue_id)
        container = f"{data.catalogue_iri(found.id)}/dataset/"
        triples = [
            t
            for t in catalogue_triples(request, data, found, app.version)
            if t.subject == ox.NamedNode(container)
        ]
        title = f"Datasets of {_catalogue_name(found)}"
        return resource_answer(request, data, triples, media, container, title)

    @app.get(
        "/dataset/{key}/distribution/",
        tags=["linked data"],
        summary="The LDP container of a dataset's distributions",
        response_class=Response,
        responses=documented(
            "An `ldp:DirectContainer` of the dataset's distributions.", statuses=(404, 410)
        ),
    )
    def distributions(
        request: Request, key: KeyPath, format_: str | None = format_query(PAGE_FORMATS)
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        record, triples, _ = data.live_record_with_triples(key)
        container = f"{data.dataset_page(key)}/distribution/"
        members = distributions_of(triples, record.dataset_iri)
        triples = [
            triple(container, RDF_TYPE, LDP + "DirectContainer"),
            triple(container, DCT + "title", text("Distributions")),
            triple(container, LDP + "membershipResource", record.dataset_iri),
            triple(container, LDP + "hasMemberRelation", DCAT + "distribution"),
            *(triple(container, LDP + "contains", d) for d in members),
        ]
        return resource_answer(request, data, triples, media, container, "Distributions")

    @app.get(
        "/dataset/{key}/distribution/{distribution}",
        tags=["linked data"],
        summary="A distribution of a dataset",
        response_class=Response,
        responses=documented(
            "The distribution as its record describes it (with what it reaches: access "
            "service, licence…), and its FDP metadata dates.",
            statuses=(404, 410),
        ),
    )
    def distribution(
        request: Request,
        key: KeyPath,
        distribution: Annotated[
            str,
            Path(
                description="16 hex digits of the SHA-256 of the distribution's IRI.",
                pattern=r"^[0-9a-f]{16}$",
                examples=["0a1b2c3d4e5f6071"],
            ),
        ],
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        record, triples, _ = data.live_record_with_triples(key)
        found = next(
            (
                d
                for d in distributions_of(triples, record.dataset_iri)
                if data.distribution_page(key, d).endswith(distribution)
            ),
            None,
        )
        if found is None:
            raise Problem(
                404,
                "Not found",
                f"the dataset {key} has no distribution {distribution}",
                kind="not-found",
            )
        out = closure(triples, found, {record.dataset_iri})
        out += [
            triple(found, FDP + "metadataIssued", timestamp(record.issued)),
            triple(found, FDP + "metadataModified", timestamp(record.modified)),
        ]
        out = described_for_clients(out)
        name = "Distribution"
        if media == HTML:  # the page's title: its label, read only when a page is made
            name = pages.label_of(to_graph(out), URIRef(found)) or name
        return resource_answer(request, data, out, media, found, name)

    @app.get(
        "/spec",
        tags=["linked data"],
        summary="The FAIR Data Point's SHACL shapes",
        response_class=Response,
        responses=documented(
            "The shapes of the reference FAIR Data Point (resource, FAIR Data Point, catalogue, "
            "dataset, distribution, data service, metadata service) with the inheritance "
            "between them.",
            offers=RDF_OFFERS,
            statuses=(),
        ),
    )
    def spec(request: Request, format_: str | None = format_query(RDF_FORMATS)) -> Response:
        media = choose_form(request, RDF_OFFERS)
        return rdf_answer(request, spec_triples(), media, offers=RDF_OFFERS)

    @app.get(
        "/profile/{name}",
        tags=["linked data"],
        summary="The shapes of one kind of FAIR Data Point page",
        response_class=Response,
        responses=documented("The SHACL shapes of one metadata profile.", offers=RDF_OFFERS),
    )
    def profile(
        request: Request,
        name: Annotated[
            str, Path(description="The profile.", json_schema_extra={"enum": list(PROFILES)})
        ],
        format_: str | None = format_query(RDF_FORMATS),
    ) -> Response:
        media = choose_form(request, RDF_OFFERS)
        if name not in PROFILES:
            raise Problem(
                404,
                "Not found",
                f"no profile {name!r} (known: {', '.join(PROFILES)})",
                kind="not-found",
            )
        return rdf_answer(request, _shapes((f"fdp/shape-{name}.ttl",)), media, offers=RDF_OFFERS)


def _titles(data: LinkedData, keys: Sequence[str]) -> dict[str, str]:
    """Each record's English (else any) dataset title, by key, in one query."""
    if not keys:
        return {}
    values = " ".join(f"<{data.record_iri(k)}>" for k in keys)
    rows = data.store.query(
        f"SELECT ?record ?title WHERE {{ VALUES ?record {{ {values} }} "
        f"GRAPH <{data.store.provenance_graph}> {{ ?record <{FOAF}primaryTopic> ?dataset }} "
        f"GRAPH ?record {{ ?dataset <{DCT}title> ?title }} }}",
        union_default_graph=False,
    ).rows
    found: dict[str, tuple[int, str]] = {}
    for record, title in rows:
        if not isinstance(record, ox.NamedNode) or not isinstance(title, ox.Literal):
            continue
        rank = 0 if (title.language or "").startswith("en") else 1 if not title.language else 2
        key = data.key_of(record.value)
        if key not in found or (rank, title.value) < found[key]:
            found[key] = (rank, title.value)
    return {key: title for key, (_, title) in found.items()}
