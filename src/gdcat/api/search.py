"""The REST search API: ``/api/datasets`` (search, one dataset), inventory, catalogues, publishers.

Everything but the inventory is answered from the search index (:mod:`gdcat.search`); the
inventory is counted in the store (:func:`gdcat.store.compute_inventory`), once per store
generation. Parameters are validated by their declared types, so a request the OpenAPI
document allows is answered and one it does not is a 422 problem. The user's guide is
``docs/search.md``.

This module holds the routes, their query parameters and :func:`install`; the response models
are in :mod:`gdcat.api.search_models`, their OpenAPI examples in
:mod:`gdcat.api.search_examples`.

(No ``from __future__ import annotations`` here: the query model of ``/api/datasets`` is made
in :func:`install` from the settings, and FastAPI must see it as an object, not a name.)
"""

import hashlib
import threading
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import FastAPI, Path, Query, Request, Response
from pydantic import Field

from gdcat.api.context import AppContext
from gdcat.api.negotiation import CSV, JSON, negotiate
from gdcat.api.problems import Problem, problem_content
from gdcat.api.search_examples import (
    CATALOGS_EXAMPLE,
    DETAIL_EXAMPLE,
    INVENTORY_CSV_EXAMPLE,
    INVENTORY_EXAMPLE,
    PUBLISHERS_EXAMPLE,
    SEARCH_EXAMPLE,
)
from gdcat.api.search_models import (
    Bucket,
    CatalogLinks,
    CatalogList,
    CatalogSummary,
    CohortFigures,
    CohortTotals,
    Condition,
    DatasetDetail,
    DatasetHit,
    DataUseVerdict,
    Facet,
    HitLinks,
    InventoryReport,
    Labelled,
    LangText,
    PageLinks,
    Publisher,
    PublisherList,
    PublisherSummary,
    SearchPage,
)
from gdcat.search import (
    FACETS_BY_NAME,
    Cohort,
    CohortRow,
    FacetResult,
    Hit,
    Searcher,
    SearchIndex,
    SearchRequest,
    Verdict,
)
from gdcat.search.documents import NO_PERMISSION, pick_text
from gdcat.search.parameters import DatasetQueryBase, PurposeParameters
from gdcat.search.terms import (
    DUO_SCHEME,
)
from gdcat.store import Inventory

TAG_SEARCH = "search"
TAG_CATALOGUE = "catalogue"

RecordKey = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{24}$",
        description="The record key: the last segment of the record IRI {base}record/{key}.",
        examples=["3f2a9c0d5b7e81f4a6c2d9e0"],
    ),
]


# -- documented answers ------------------------------------------------------------------


def _responses(example: dict[str, Any], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a route: its example, and the problems it can give."""
    answers: dict[int | str, dict[str, Any]] = {
        200: {"content": {"application/json": {"example": example}}}
    }
    answers.update(_problems(*statuses))
    return answers


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    titles = {
        400: "Unknown `format`.",
        404: "No dataset has this key.",
        406: "None of the accepted forms is offered.",
        422: "A parameter is invalid (the problem lists each one under errors).",
        503: "Search is not available: the index is being built (try again after `Retry-After`"
        " seconds), or is off, or the store is failing.",
    }
    return {
        status: {"description": titles[status], "content": problem_content()} for status in statuses
    }


# -- routes --------------------------------------------------------------------------------


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add this module's routes to ``app``."""
    settings = ctx.settings

    class DatasetQuery(DatasetQueryBase):
        page_size: int = Field(
            settings.page_size,
            ge=1,
            le=settings.max_page_size,
            description=f"Hits per page (at most {settings.max_page_size}).",
            examples=[settings.page_size],
        )

    searchers: dict[int, Searcher] = {}
    #: The API's form of the last inventory counted (kept with it, so that it is made once).
    report_of: list[tuple[Inventory, InventoryReport]] = []
    reports_lock = threading.Lock()

    def searcher() -> Searcher:
        index = ctx.index
        if not isinstance(index, SearchIndex):
            raise Problem(503, "Search unavailable", "the search index is off", kind="search-off")
        key = id(index)
        if key not in searchers:
            searchers.clear()
            searchers[key] = Searcher(index)
        return searchers[key]

    base = ctx.base_iri

    @app.get(
        "/api/datasets",
        tags=[TAG_SEARCH],
        summary="Search datasets",
        response_model=SearchPage,
        responses=_responses(SEARCH_EXAMPLE, 422, 503),
    )
    def search_datasets(request: Request, params: Annotated[DatasetQuery, Query()]) -> SearchPage:
        """Full-text search with facets, ontology-aware filters, data-use matching and cohort
        totals. Filters combine with AND across parameters and OR within a repeated one."""
        warnings: list[str] = []
        purpose = params.to_purpose(warnings)
        search = searcher()
        found = search.search(
            SearchRequest(
                text=params.q or None,
                filters=params.filters(),
                kinds=tuple(params.type) or ("dataset", "series"),
                outcomes=tuple(params.outcome),
                purpose=purpose,
                sort=params.sort,
                page=params.page,
                page_size=params.page_size,
                facets=tuple(dict.fromkeys(params.facet)) or tuple(FACETS_BY_NAME),
                facet_size=params.facet_size,
                language=params.lang,
            )
        )
        pages = max(1, -(-found.total // params.page_size))
        url = request.url
        return SearchPage(
            total=found.total,
            page=params.page,
            page_size=params.page_size,
            sort=found.sort,
            hits=[_hit(h, base, search) for h in found.hits],
            facets={f.name: _facet(f) for f in found.facets},
            cohort=_cohort(found.cohort),
            warnings=[*warnings, *found.warnings],
            links=PageLinks(
                self=str(url),
                first=str(url.include_query_params(page=1)),
                prev=str(url.include_query_params(page=params.page - 1))
                if 1 < params.page <= pages
                else None,
                next=str(url.include_query_params(page=params.page + 1))
                if params.page < pages
                else None,
            ),
        )

    @app.get(
        "/api/datasets/{key}",
        tags=[TAG_CATALOGUE],
        summary="One dataset",
        response_model=DatasetDetail,
        responses=_responses(DETAIL_EXAMPLE, 404, 422, 503),
    )
    def get_dataset(
        key: RecordKey, purpose: Annotated[PurposeParameters, Query()]
    ) -> DatasetDetail:
        """What the index holds of one dataset or series, with labels; given a research
        purpose (the purpose parameters of the search), the verdict on it with its reasons."""
        found = searcher()
        payload = found.by_key(key)
        if payload is None:
            raise Problem(404, "Not found", f"no dataset has the key {key}", kind="not-found")
        verdict = None
        stated = purpose.to_purpose([])
        if stated is not None:
            verdict = found.verdict(payload, stated)
        return _detail(payload, found, base, verdict)

    inventory_responses = _responses(INVENTORY_EXAMPLE, 400, 406, 503)
    inventory_responses[200]["content"][CSV] = {
        "schema": {"type": "string"},
        "example": INVENTORY_CSV_EXAMPLE,
    }
    inventory_responses[200]["headers"] = {
        "Content-Disposition": {
            "description": 'For CSV: `attachment; filename="gdcat-inventory.csv"`.',
            "schema": {"type": "string"},
        }
    }

    @app.get(
        "/api/inventory",
        tags=[TAG_CATALOGUE],
        summary="The 1+MG inventory",
        response_model=InventoryReport,
        responses=inventory_responses,
    )
    def inventory(
        request: Request,
        response: Response,
        format_: Annotated[
            Literal["json", "csv"] | None,
            Query(alias="format", description="Form of the answer; overrides `Accept`."),
        ] = None,
    ) -> InventoryReport | Response:
        """Datasets, individuals, genomes, exomes and samples per country, by sequencing type,
        access rights and 1+MG readiness, and progress toward one million genomes (counted in
        the store; see ``gdcat inventory``). As JSON, or as CSV (``Accept: text/csv`` or
        ``?format=csv``): one row per country and a totals row, the columns of
        ``gdcat inventory --format csv``."""
        media = negotiate(request, (JSON, CSV))
        counted = ctx.inventory.get()
        with reports_lock:
            if not report_of or report_of[0][0] is not counted:
                report_of[:] = [(counted, _inventory(counted))]
            report = report_of[0][1]
        if media == CSV:
            return Response(
                counted.to_csv(),
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": 'attachment; filename="gdcat-inventory.csv"',
                    "Vary": "Accept",
                },
            )
        response.headers["Vary"] = "Accept"
        return report

    @app.get(
        "/api/catalogs",
        tags=[TAG_CATALOGUE],
        summary="Catalogues",
        response_model=CatalogList,
        responses=_responses(CATALOGS_EXAMPLE, 503),
    )
    def catalogs() -> CatalogList:
        """One catalogue per national node gdcat harvested, with its datasets and series."""
        items = catalog_summaries()
        return CatalogList(total=len(items), catalogs=items)

    def catalog_summaries(only: str | None = None) -> list[CatalogSummary]:
        found = searcher()
        kinds = found.nested_counts("node", "kind", 10_000)
        countries = found.nested_counts("node", "country", 10_000)
        country_facet = FACETS_BY_NAME["country"]
        items = []
        for node in sorted(kinds):
            if only is not None and node != only:
                continue
            codes = countries.get(node, {})
            code = max(codes, key=lambda c: (codes[c], c)) if codes else None
            items.append(
                CatalogSummary(
                    iri=f"{base}catalog/{_path_segment(node)}",
                    node=node,
                    country=Labelled(value=code, label=found.label(country_facet, code))
                    if code
                    else None,
                    datasets=kinds[node].get("dataset", 0),
                    series=kinds[node].get("series", 0),
                    links=CatalogLinks(
                        catalog=f"{base}catalog/{_path_segment(node)}",
                        search=f"{base}api/datasets?node={_query_value(node)}",
                    ),
                )
            )
        return items

    @app.get(
        "/api/catalogs/{node}",
        tags=[TAG_CATALOGUE],
        summary="One catalogue",
        response_model=CatalogSummary,
        responses=_responses(CATALOGS_EXAMPLE["catalogs"][0], 404, 422, 503),
    )
    def catalog(
        node: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")],
    ) -> CatalogSummary:
        """The catalogue of one national node (``node`` as in the registry: ``fr``, ``nl``)."""
        found = catalog_summaries(node)
        if not found:
            raise Problem(404, "Not found", f"no catalogue of node {node!r}", kind="not-found")
        return found[0]

    @app.get(
        "/api/publishers",
        tags=[TAG_CATALOGUE],
        summary="Publishers",
        response_model=PublisherList,
        responses=_responses(PUBLISHERS_EXAMPLE, 503),
    )
    def publishers() -> PublisherList:
        """Every publisher of a dataset or series, with how many it published (most first)."""
        items = publisher_summaries()
        items.sort(key=lambda p: (-p.records, p.name or p.id))
        return PublisherList(total=len(items), publishers=items)

    def publisher_summaries() -> list[PublisherSummary]:
        facet = searcher().facet_counts("publisher", 100_000)
        return [
            PublisherSummary(
                id=b.value,
                key=publisher_key(b.value),
                name=b.label,
                records=b.count,
                search=f"{base}api/datasets?publisher={_query_value(b.value)}",
                api=f"{base}api/publishers/{publisher_key(b.value)}",
            )
            for b in facet.buckets
        ]

    @app.get(
        "/api/publishers/{key}",
        tags=[TAG_CATALOGUE],
        summary="One publisher",
        response_model=PublisherSummary,
        responses=_responses(PUBLISHERS_EXAMPLE["publishers"][0], 404, 422, 503),
    )
    def publisher(
        key: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")],
    ) -> PublisherSummary:
        """One publisher, by the ``key`` the publisher list gives (a digest of its IRI)."""
        for item in publisher_summaries():
            if item.key == key:
                return item
        raise Problem(404, "Not found", f"no publisher with key {key!r}", kind="not-found")


# -- building responses --------------------------------------------------------------------


def publisher_key(publisher: str) -> str:
    """A publisher's short, stable key in the API: a digest of its IRI (or name)."""
    return hashlib.sha256(publisher.encode("utf-8")).hexdigest()[:16]


def _links(key: str, base: str) -> HitLinks:
    return HitLinks(
        api=f"{base}api/datasets/{key}",
        dataset=f"{base}dataset/{key}",
        record=f"{base}record/{key}",
    )


def _hit(hit: Hit, base: str, found: Searcher) -> DatasetHit:
    p = hit.payload
    return DatasetHit(
        iri=p["iri"],
        key=p["key"],
        type=p["kind"],
        title=hit.title,
        snippet=hit.snippet,
        snippet_html=hit.snippet_html,
        country=_labelled(found, "country", p.get("country")),
        node=p.get("node"),
        publishers=_publishers(p),
        access_rights=_labels(found, "access_rights", p.get("access_rights", [])),
        sequencing_types=_labels(found, "sequencing_type", p.get("sequencing_types", [])),
        individuals=p.get("individuals"),
        genomes=p.get("genomes"),
        modified=p.get("modified"),
        score=hit.score,
        data_use=_verdict(hit.verdict),
        links=_links(p["key"], base),
    )


def _detail(
    p: dict[str, Any], found: Searcher, base: str, verdict: Verdict | None
) -> DatasetDetail:
    permission = p.get("permission")

    def texts(name: str) -> list[LangText]:
        return [LangText(text=t, lang=lang) for t, lang in p.get(name, [])]

    return DatasetDetail(
        iri=p["iri"],
        key=p["key"],
        type=p["kind"],
        identifier=p.get("identifier"),
        title=pick_text(p.get("titles", []), "en"),
        titles=texts("titles"),
        descriptions=texts("descriptions"),
        keywords=texts("keywords"),
        country=_labelled(found, "country", p.get("country")),
        node=p.get("node"),
        publishers=_publishers(p),
        access_rights=_labels(found, "access_rights", p.get("access_rights", [])),
        health_categories=_labels(found, "health_category", p.get("health_categories", [])),
        sequencing_types=_labels(found, "sequencing_type", p.get("sequencing_types", [])),
        reference_genomes=_labels(found, "reference_genome", p.get("reference_genomes", [])),
        diseases=_labels(found, "disease", p.get("diseases", [])),
        phenotypes=_labels(found, "phenotype", p.get("phenotypes", [])),
        data_use_permission=_labelled(found, "data_use", permission)
        if permission != NO_PERMISSION
        else None,
        data_use_modifiers=_labels(
            found, "data_use", [DUO_SCHEME.value(m) for m in p.get("modifiers", [])]
        ),
        individuals=p.get("individuals"),
        genomes=p.get("genomes"),
        exomes=p.get("exomes"),
        samples=p.get("samples"),
        issued=p.get("issued"),
        modified=p.get("modified"),
        derived_from=p.get("sources", []) if p.get("derived") else [],
        counts_in_cohort=p["kind"] == "dataset" and not p.get("derived"),
        validation_profile=p.get("profile"),
        validation_outcome=p.get("outcome"),
        data_use=_verdict(verdict),
        links=_links(p["key"], base),
    )


def _labelled(found: Searcher, facet: str, value: str | None) -> Labelled | None:
    if not value:
        return None
    return Labelled(value=value, label=found.label(FACETS_BY_NAME[facet], value))


def _labels(found: Searcher, facet: str, values: list[str]) -> list[Labelled]:
    spec = FACETS_BY_NAME[facet]
    return [Labelled(value=v, label=found.label(spec, v)) for v in values]


def _publishers(p: dict[str, Any]) -> list[Publisher]:
    return [
        Publisher(id=pub["id"], name=pick_text(pub.get("names", []), "en"))
        for pub in p.get("publishers", [])
    ]


def _verdict(verdict: Verdict | None) -> DataUseVerdict | None:
    if verdict is None:
        return None
    return DataUseVerdict(
        permitted=verdict.permitted,
        reasons=list(verdict.reasons),
        conditions=[
            Condition(iri=c.iri, code=DUO_SCHEME.value(c.iri), shorthand=c.shorthand, label=c.label)
            for c in verdict.conditions
        ],
    )


def _facet(facet: FacetResult) -> Facet:
    return Facet(
        buckets=[
            Bucket(value=b.value, label=b.label, count=b.count, selected=b.selected)
            for b in facet.buckets
        ],
        other=facet.other,
    )


def _figures(row: CohortRow) -> CohortFigures:
    return CohortFigures(
        value=row.value,
        label=row.label,
        datasets=row.datasets,
        individuals=row.individuals,
        genomes=row.genomes,
        exomes=row.exomes,
        samples=row.samples,
        unit=row.unit,
        produced=row.produced,
    )


def _cohort(cohort: Cohort) -> CohortTotals:
    return CohortTotals(
        datasets=cohort.datasets,
        individuals=cohort.individuals,
        genomes=cohort.genomes,
        exomes=cohort.exomes,
        samples=cohort.samples,
        by_country=[_figures(r) for r in cohort.by_country],
        by_sequencing_type=[_figures(r) for r in cohort.by_sequencing_type],
    )


def _inventory(inventory: Inventory) -> InventoryReport:
    return InventoryReport.model_validate(inventory.to_json())


def _path_segment(value: str) -> str:
    return quote(value, safe="")


def _query_value(value: str) -> str:
    return quote(value, safe="")
