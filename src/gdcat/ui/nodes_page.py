"""The national nodes and their harvests, for everyone: ``/nodes`` and ``/nodes/{id}``.

``/nodes`` lists every node gdcat knows (its catalogue, kind, country, last harvest and record
count); ``/nodes/{id}`` shows one node, its records (sorted by title or date, paged: the URL is
the state) and its harvest history, each run linking to its report page (``/run/{id}``, the
run's minted IRI, rendered by :func:`gdcat.ui.pages.run_page`). The figures are those of
``/api/nodes``: both read :func:`gdcat.harvest.nodes.node_overviews`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from gdcat.harvest.nodes import (
    RECORD_SORTS,
    NodeOverview,
    node_history,
    node_overviews,
    node_records,
)
from gdcat.harvest.registry import NodeConfig, load_registry
from gdcat.ui.i18n import N_, Reader
from gdcat.ui.pages import country_name, offer_page, reader_of, render
from gdcat.ui.search_page import Context

#: How gdcat reaches a node, in words.
KIND_WORDS: dict[str, str] = {
    "fdp": N_("FAIR Data Point"),
    "dcat": N_("DCAT-AP document"),
    "feed": N_("Paged DCAT-AP feed"),
    "sparql": N_("SPARQL endpoint"),
    "beacon": N_("GA4GH Beacon"),
}
STATUS_WORDS: dict[str, str] = {
    "complete": N_("complete"),
    "partial": N_("partial"),
    "failed": N_("failed"),
}
ORIGIN_WORDS: dict[str, str] = {
    "registry": N_("node registry"),
    "registration": N_("registered itself"),
    "store": N_("publishes over the API"),
}
RECORD_KIND_WORDS: dict[str, str] = {
    "dataset": N_("Dataset"),
    "series": N_("Dataset series"),
    "service": N_("Data service"),
}
SORT_WORDS: dict[str, str] = {
    "title": N_("Title, A to Z"),
    "-title": N_("Title, Z to A"),
    "-modified": N_("Newest first"),
    "modified": N_("Oldest first"),
}
#: Records per page of a node's page (``page_size`` chooses up to :data:`MAX_PAGE_SIZE`).
PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
#: Harvest runs shown in a node's history.
HISTORY = 20
_NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def moment(value: datetime | None) -> str:
    """A time for reading, in UTC: ``2026-12-07 01:42 UTC``."""
    if value is None:
        return "–"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _registry(ctx: Context) -> list[NodeConfig]:
    path = ctx.settings.registry_file
    return load_registry(path) if path is not None else []


def _node_view(n: NodeOverview, reader: Reader, home: str, keep: str) -> dict[str, Any]:
    last = n.last_harvest
    return {
        "id": n.id,
        "name": n.name,
        "url": f"{home}nodes/{n.id}{keep}",
        "catalogue": f"{home}catalog/{n.id}",
        "quality": f"{home}nodes/{n.id}/quality{keep}",
        "source": n.url,
        "kind": reader.gettext(KIND_WORDS[n.kind]) if n.kind in KIND_WORDS else n.kind,
        "country": country_name(n.country, reader.lang) if n.country else None,
        "origin": reader.gettext(ORIGIN_WORDS[n.origin]),
        "records": n.records,
        "published": n.published,
        "enabled": n.enabled,
        "profile": n.profile,
        "policy": n.policy,
        "schedule": n.schedule,
        "last": {
            "when": moment(last.started),
            "status": last.status,
            "status_words": reader.gettext(STATUS_WORDS[last.status]),
            "url": f"{home}run/{last.run}{keep}",
            "counts": last.counts,
            "reasons": last.reasons,
        }
        if last is not None
        else None,
    }


def install(app: FastAPI, ctx: Context) -> None:
    """Add ``/nodes`` and ``/nodes/{id}`` to ``app``."""
    offer_page(app, "nodes")

    def keep_of(reader: Reader) -> str:
        return f"?lang={reader.lang}" if reader.chosen else ""

    @app.get("/nodes", include_in_schema=False, response_class=HTMLResponse)
    def nodes_page(request: Request) -> HTMLResponse:
        reader = reader_of(request)
        home = str(request.base_url)
        keep = keep_of(reader)
        overviews = node_overviews(ctx.store, _registry(ctx), ctx.settings.default_profile)
        views = [_node_view(n, reader, home, keep) for n in overviews]
        body = render(
            request,
            "nodes.html",
            section="nodes",
            nodes=views,
            records=sum(n.records for n in overviews),
            json_url=f"{home}api/nodes",
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})

    @app.get("/nodes/{node_id}", include_in_schema=False, response_class=HTMLResponse)
    def node_page(
        request: Request,
        node_id: str,
        sort: str = Query("title"),
        page: int = Query(1, ge=1, le=100_000),
        page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    ) -> HTMLResponse:
        reader = reader_of(request)
        home = str(request.base_url)
        keep = keep_of(reader)
        if sort not in RECORD_SORTS:
            raise HTTPException(422, f"sort must be one of {', '.join(RECORD_SORTS)}")
        found = None
        if _NODE_ID.match(node_id):  # any other id is simply unknown
            overviews = node_overviews(ctx.store, _registry(ctx), ctx.settings.default_profile)
            found = next((n for n in overviews if n.id == node_id), None)
        if found is None:
            raise HTTPException(404, f"no node {node_id!r}")
        records, total = node_records(
            ctx.store, node_id, sort=sort, limit=page_size, offset=(page - 1) * page_size
        )
        pages = max(1, -(-total // page_size))
        path = f"{home}nodes/{node_id}"
        lang = [("lang", reader.lang)] if reader.chosen else []
        kept = list(lang)
        if page_size != PAGE_SIZE:
            kept.append(("page_size", str(page_size)))

        def url(**state: str | int) -> str:
            return f"{path}?{urlencode([*kept, *state.items()])}"

        history = node_history(ctx.store, node_id, limit=HISTORY)
        body = render(
            request,
            "node.html",
            section="nodes",
            node=_node_view(found, reader, home, keep),
            nodes_url=f"{home}nodes{keep}",
            records=[
                {
                    "title": r.title or r.dataset,
                    "url": f"{home}dataset/{r.record.rsplit('/', 1)[-1]}{keep}",
                    "kind": reader.gettext(RECORD_KIND_WORDS[r.kind]),
                    "modified": moment(r.modified),
                }
                for r in records
            ],
            total=total,
            first_index=(page - 1) * page_size + 1,
            page=page,
            pages=pages,
            sort=sort,
            sorts=[(name, SORT_WORDS[name], url(sort=name)) for name in RECORD_SORTS],
            title_sort=url(sort="-title" if sort == "title" else "title"),
            date_sort=url(sort="modified" if sort == "-modified" else "-modified"),
            prev_url=url(sort=sort, page=page - 1) if 1 < page <= pages else None,
            next_url=url(sort=sort, page=page + 1) if page < pages else None,
            history=[
                {
                    "when": moment(h.started),
                    "status": h.status,
                    "status_words": reader.gettext(STATUS_WORDS.get(h.status, h.status)),
                    "url": f"{home}run/{h.run}{keep}",
                    "counts": h.counts,
                }
                for h in history
            ],
            search_url=f"{home}search?{urlencode([*lang, ('node', node_id)])}",
            json_url=f"{home}api/nodes/{node_id}",
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})
