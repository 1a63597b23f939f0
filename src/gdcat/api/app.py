"""The application factory: one FastAPI app over one store.

The surface is split by audience, one module each, each with an ``install(app, ctx)``:

| module | what it serves |
|---|---|
| :mod:`~gdcat.api.sparql` | the SPARQL 1.1 Protocol endpoint ``/sparql`` |
| :mod:`~gdcat.api.search` | REST search ``/api/datasets``, inventory, catalogues, publishers |
| :mod:`~gdcat.api.resources` | the IRIs gdcat mints (records, datasets, runs), landing pages |
| :mod:`~gdcat.api.fdp` | the FAIR Data Point (root ``/``, catalogues, datasets, ``/spec``) |
| :mod:`~gdcat.api.feed` | the paged DCAT-AP feed (Hydra) |
| :mod:`~gdcat.api.publish` | publishing for stewards (node-scoped tokens, audit trail) |
| :mod:`~gdcat.api.admin` | nodes, harvest runs and reports, the change feed, self-registration |
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gdcat import ui
from gdcat.api import admin, fdp, feed, health, publish, quality, resources, search, sparql
from gdcat.api.compression import Compression
from gdcat.api.context import AppContext
from gdcat.api.following import StoreFollower
from gdcat.api.problems import Problem, document_problems, install_problem_handlers
from gdcat.api.security_headers import install_security_headers
from gdcat.settings import Settings
from gdcat.store import Store
from gdcat.validate.background import vocabulary_index
from gdcat.validate.classes import class_index

_log = logging.getLogger(__name__)

#: ``ui`` installs the pages for people (the search page); the API's resources ask it for their
#: HTML forms.
_MODULES = (sparql, search, resources, fdp, feed, publish, admin, quality, health, ui)

_DESCRIPTION = """\
gdcat is a metadata catalogue and FAIR knowledge graph of genomic datasets, harvested from the
national nodes of the 1+Million Genomes initiative and validated against DCAT-AP 3,
HealthDCAT-AP and the GDI metadata model.

- **Search** datasets across every country with full text, facets, ontology-aware disease and
  phenotype filters, data-use matching (DUO) and cohort totals.
- **Resources**: every IRI gdcat mints dereferences, as HTML or RDF (Turtle, JSON-LD,
  RDF/XML, N-Triples) by content negotiation or `?format=`.
- **SPARQL 1.1** at `/sparql`, read-only in public, with time and result limits.
- **Publishing**: stewards write their own node's datasets with a node-scoped token.

Errors are RFC 9457 problem documents (`application/problem+json`).
"""

_TAGS = [
    {"name": "search", "description": "Find datasets; facets, data use, cohort totals."},
    {"name": "catalogue", "description": "Datasets, catalogues, publishers and the inventory."},
    {"name": "nodes", "description": "National nodes, harvest runs and their reports."},
    {"name": "publishing", "description": "Stewards write their own node's datasets."},
    {"name": "sparql", "description": "The SPARQL 1.1 Protocol endpoint."},
    {"name": "linked data", "description": "Dereferenceable IRIs, FAIR Data Point, DCAT feed."},
]


def _version() -> str:
    try:
        return version("gdcat")
    except PackageNotFoundError:
        return "0"


def create_app(
    settings: Settings, store: Store, *, index: Any = None, background_index: bool = False
) -> FastAPI:
    """The application serving ``store``; ``index`` is opened (or built) when not given, in
    a thread with ``background_index`` (``gdcat serve``: the server answers at once, search
    says 503 until the index is ready).

    A store other processes can write (a remote store) is followed every
    ``follow_interval`` seconds (:mod:`gdcat.api.following`). The caller owns ``store``; the
    application closes what it opened itself (the index when it opened it, worker processes,
    the follower) when it shuts down.
    """
    ctx = AppContext(settings=settings, store=store, index=index)
    follower: StoreFollower | None = None
    if StoreFollower.needed(store, settings.follow_interval):
        follower = StoreFollower(store, settings.follow_interval)
        follower.mark()
        ctx.extras["follower"] = follower
    if index is None:
        from gdcat.search import open_index

        ctx.index = open_index(settings, store, background=background_index)
        if ctx.index is not None:
            ctx.closers.append(ctx.index.close)
    if follower is not None:
        follower.index = ctx.index
        follower.start()
        ctx.closers.append(follower.close)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            ctx.close()

    app = FastAPI(
        title="gdcat",
        version=_version(),
        description=_DESCRIPTION,
        openapi_tags=_TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx
    if background_index:
        # What the first pages would otherwise wait for, read at start while the server
        # answers: the vocabularies and classes every page's controlled terms are described
        # from (about 3 s) and the listing of every live record (minutes at a million records).
        threading.Thread(
            target=_warm, args=(resources.linked_data(ctx),), name="gdcat-warm", daemon=True
        ).start()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept"],
        expose_headers=["Location", "Link", "ETag"],
    )
    install_problem_handlers(app)
    _install_docs(app)
    try:
        for module in _MODULES:
            module.install(app, ctx)
    except BaseException:
        ctx.close()  # what was opened for this app (the index, worker pools) is let go
        raise
    _describe_problems(app)
    app.add_middleware(Compression)
    app.add_middleware(HeadAsGet)
    install_security_headers(app, settings.base_iri)
    return app


_STATIC = Path(__file__).with_name("static")
#: The API's own static file: the script starting Swagger UI (the pages' files are ``ui``'s).
_ASSETS = {"api-docs.js": "text/javascript"}
#: Swagger UI, shipped with the package (no CDN: gdcat runs without internet access).
_SWAGGER = _STATIC / "swagger-ui"
_SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}

#: The interactive documentation page: scripts and styles from files only (no inline script,
#: see :mod:`~gdcat.api.security_headers`).
_API_DOCS_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gdcat API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/assets/api-docs.js"></script>
</body>
</html>
"""


def _static_file(folder: Path, name: str, media: dict[str, str]) -> FileResponse:
    if name not in media:
        raise Problem(404, "Not found", f"no asset {name!r}", kind="not-found")
    return FileResponse(
        folder / name,
        media_type=media[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _install_docs(app: FastAPI) -> None:
    """The interactive API documentation at ``/api/docs``, from the vendored Swagger UI, and
    gdcat's own static files at ``/assets/``."""

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(_API_DOCS_PAGE)

    @app.get("/api/docs/assets/{name}", include_in_schema=False)
    def api_docs_asset(name: str) -> FileResponse:
        return _static_file(_SWAGGER, name, _SWAGGER_FILES)

    @app.get("/assets/{name}", include_in_schema=False)
    def asset(name: str, request: Request) -> Response:
        if name in ui.ASSETS:
            return ui.asset_response(name, request.headers.get("accept-encoding"))
        return _static_file(_STATIC, name, _ASSETS)


def _describe_problems(app: FastAPI) -> None:
    """Post-process the generated OpenAPI document once (see :func:`document_problems`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class HeadAsGet:
    """Answer ``HEAD`` wherever ``GET`` is answered: the same status and headers, no body
    (linked-data clients check resources with HEAD)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def _warm(data: resources.LinkedData) -> None:
    try:
        vocabulary_index()
        class_index()
        data.listing()
    except Exception as e:  # the first page that needs them reads them again
        _log.warning("reading the vocabularies or the listing at start failed: %s", e)
