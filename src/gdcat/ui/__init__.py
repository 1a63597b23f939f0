"""The pages for people: routes, templates, static assets and message catalogues.

``api`` holds the machine interfaces; ``ui`` the pages a researcher reads. Both read through
:mod:`gdcat.search` and :mod:`gdcat.store`; ``ui`` imports nothing from ``api`` (the
application factory in ``api`` installs ``ui``'s routes, and ``api``'s content-negotiated
resources ask :mod:`gdcat.ui.pages` for their HTML form).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, Response

from gdcat.ui import (
    data_use_page,
    describe_page,
    inventory_page,
    nodes_page,
    quality_page,
    search_page,
    sparql_page,
    steward_pages,
    template_routes,
    validate_page,
)
from gdcat.ui.search_page import Context

STATIC = Path(__file__).with_name("static")
#: Media types of the files in ``static/`` that are served.
_MEDIA_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".woff2": "font/woff2",
}
#: The pages' static files, served at ``/assets/<name>``: every file of ``static/`` of a type
#: above (no CDN: nodes run in closed networks; see ``static/VENDORED.md`` for where the
#: vendored ones come from).
ASSETS: dict[str, str] = {
    path.name: _MEDIA_TYPES[path.suffix]
    for path in sorted(STATIC.iterdir())
    if path.is_file() and path.suffix in _MEDIA_TYPES
}


#: Types of assets sent gzip-compressed to clients that accept it (text compresses ~4:1).
_COMPRESSIBLE = {".css", ".js", ".svg", ".json"}


@cache
def _compressed(name: str) -> tuple[bytes, str]:
    """``name`` gzip-compressed once per process, and an entity tag of that form."""
    data = gzip.compress((STATIC / name).read_bytes(), compresslevel=9, mtime=0)
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '-gz"'


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header takes gzip (named, with a quality above 0)."""
    for part in (accept_encoding or "").split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        if coding.lower() not in ("gzip", "x-gzip"):
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        return quality > 0
    return False


def asset_response(name: str, accept_encoding: str | None = None) -> Response:
    """One of :data:`ASSETS`, cacheable for a day; gzip-compressed when the client accepts it
    (the vendored editor's script is 536 kB, 136 kB compressed)."""
    if name not in ASSETS:
        raise HTTPException(404, f"no asset {name!r}")
    headers = {"Cache-Control": "public, max-age=86400"}
    path = STATIC / name
    if path.suffix not in _COMPRESSIBLE:
        return FileResponse(path, media_type=ASSETS[name], headers=headers)
    headers["Vary"] = "Accept-Encoding"
    if not _accepts_gzip(accept_encoding):
        return FileResponse(path, media_type=ASSETS[name], headers=headers)
    data, etag = _compressed(name)
    headers.update({"Content-Encoding": "gzip", "ETag": etag})
    return Response(data, media_type=ASSETS[name], headers=headers)


def install(app: FastAPI, ctx: Context) -> None:
    """Add the pages for people that are not a form of an API resource: search, data use,
    the inventory, the nodes, the SPARQL page."""
    search_page.install(app, ctx)
    data_use_page.install(app, ctx)
    inventory_page.install(app, ctx)
    nodes_page.install(app, ctx)
    quality_page.install(app, ctx)
    sparql_page.install(app, ctx)
    steward_pages.install(app, ctx)
    validate_page.install(app, ctx)
    describe_page.install(app, ctx)
    template_routes.install(app, ctx)


__all__ = ["ASSETS", "STATIC", "Context", "asset_response", "install"]
