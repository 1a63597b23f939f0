"""gdcat re-published as a paged DCAT-AP feed (Hydra), the way piveau and CKAN publish
catalogues: ``/feed?page=N``.

Each page is a ``dcat:Catalog`` (``{base}feed``, also the ``hydra:Collection`` with
``hydra:totalItems``) linking ``settings.feed_page_size`` datasets with ``dcat:dataset`` and
holding their full record graphs, as published; its ``hydra:PartialCollectionView`` names the
first, previous, next and last pages. The order is stable: by catalogue (node), then record
key, so a page mostly holds one node's records. Paging links are built from the request URL,
so they work through whatever host the client used.

A harvester splits each page into records again. Two records on one page that describe a
shared resource (an agent, a licence) differently would each get both descriptions; the FAIR
Data Point (one page per dataset) has no such limit.
"""

from __future__ import annotations

import math
from typing import Annotated

import pyoxigraph as ox
from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from gdcat.api.context import AppContext
from gdcat.api.negotiation import HTML
from gdcat.api.problems import Problem
from gdcat.api.resources import (
    DCAT,
    DCT,
    FOAF,
    PAGE_FORMATS,
    PAGE_OFFERS,
    RDF_OFFERS,
    RDF_TYPE,
    alternates,
    answer,
    choose_form,
    described_for_clients,
    documented,
    entry_kinds,
    format_query,
    linked_data,
    linked_described,
    rdf_answer,
    text,
    triple,
)
from gdcat.ui import pages

HYDRA = "http://www.w3.org/ns/hydra/core#"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the feed's route."""
    data = linked_data(ctx)
    size = ctx.settings.feed_page_size

    @app.get(
        "/feed",
        tags=["linked data"],
        summary="Every dataset as a paged DCAT-AP feed (Hydra)",
        response_class=Response,
        responses=documented(
            "One page: a `dcat:Catalog` with the page's datasets and their full records, and "
            "a `hydra:PartialCollectionView` with the first, previous, next and last pages.",
            statuses=(404,),
        ),
    )
    def feed(
        request: Request,
        page: Annotated[int, Query(ge=1, description="The page, from 1.", examples=[1])] = 1,
        format_: str | None = format_query(PAGE_FORMATS),
    ) -> Response:
        media = choose_form(request, PAGE_OFFERS)
        datasets = [e for e in data.entries() if e.is_dataset]
        last = max(1, math.ceil(len(datasets) / size))
        if page > last:
            raise Problem(
                404, "Not found", f"the feed has {last} page(s), not {page}", kind="not-found"
            )
        chosen = datasets[(page - 1) * size : page * size]

        def url(number: int) -> str:
            return str(request.url.include_query_params(page=number))

        records = {e.key: data.record_triples(e.key) for e in chosen}
        if media == HTML:
            titles = {
                key: _title(triples, entry.dataset)
                for (key, triples), entry in zip(records.items(), chosen, strict=True)
            }
            paging = [("first", url(1))]
            if page > 1:
                paging.append(("previous", url(page - 1)))
            if page < last:
                paging.append(("next", url(page + 1)))
            paging.append(("last", url(last)))
            body = pages.render(
                request,
                "feed.html",
                home=str(request.base_url),
                size=size,
                page=page,
                last=last,
                kinds=entry_kinds(datasets),
                paging=paging,
                first_index=(page - 1) * size + 1,
                items=[
                    {
                        "iri": e.dataset,
                        "title": titles[e.key] or e.dataset,
                        "url": str(request.base_url) + f"dataset/{e.key}",
                    }
                    for e in chosen
                ],
                forms=alternates(request, RDF_OFFERS),
            )
            return answer(request, body, HTML, offers=PAGE_OFFERS)
        catalog = f"{data.base}feed"
        view = url(page)
        out = [
            triple(catalog, RDF_TYPE, DCAT + "Catalog"),
            triple(catalog, RDF_TYPE, HYDRA + "Collection"),
            triple(catalog, DCT + "title", text("gdcat: every genomic dataset of the 1+MG nodes")),
            triple(
                catalog,
                DCT + "description",
                text(
                    "Every dataset gdcat harvested or had published, each record as its node "
                    "published it, paged."
                ),
            ),
            triple(catalog, DCT + "publisher", data.publisher),
            triple(data.publisher, RDF_TYPE, FOAF + "Agent"),
            triple(data.publisher, FOAF + "name", ox.Literal("gdcat")),
            triple(
                catalog,
                HYDRA + "totalItems",
                ox.Literal(str(len(datasets)), datatype=ox.NamedNode(_XSD_INTEGER)),
            ),
            triple(catalog, HYDRA + "view", view),
            triple(view, RDF_TYPE, HYDRA + "PartialCollectionView"),
            triple(view, HYDRA + "first", url(1)),
            triple(view, HYDRA + "last", url(last)),
        ]
        if page > 1:
            out.append(triple(view, HYDRA + "previous", url(page - 1)))
        if page < last:
            out.append(triple(view, HYDRA + "next", url(page + 1)))
        for entry in chosen:
            out.append(triple(catalog, DCAT + "dataset", entry.dataset))
            out.extend(records[entry.key])
        return rdf_answer(
            request, described_for_clients(linked_described(data, out)), media, first=catalog
        )


def _title(triples: list[ox.Triple], dataset: str) -> str | None:
    found = sorted(
        (0 if (t.object.language or "").startswith("en") else 1, t.object.value)
        for t in triples
        if isinstance(t.subject, ox.NamedNode)
        and t.subject.value == dataset
        and t.predicate.value == DCT + "title"
        and isinstance(t.object, ox.Literal)
    )
    return found[0][1] if found else None
