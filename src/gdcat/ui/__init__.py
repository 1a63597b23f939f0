"""The pages for people: routes, templates, static assets and message catalogues.

``api`` holds the machine interfaces; ``ui`` the pages a researcher reads. Both read through
:mod:`gdcat.search` and :mod:`gdcat.store`; ``ui`` imports nothing from ``api`` (the
application factory in ``api`` installs ``ui``'s routes, and ``api``'s content-negotiated
resources ask :mod:`gdcat.ui.pages` for their HTML form).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

from gdcat.ui import data_use_page, inventory_page, nodes_page, search_page
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


def asset_response(name: str) -> FileResponse:
    """One of :data:`ASSETS`, cacheable for a day."""
    if name not in ASSETS:
        raise HTTPException(404, f"no asset {name!r}")
    return FileResponse(
        STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"}
    )


def install(app: FastAPI, ctx: Context) -> None:
    """Add the pages for people that are not a form of an API resource: search, data use,
    the inventory, the nodes."""
    search_page.install(app, ctx)
    data_use_page.install(app, ctx)
    inventory_page.install(app, ctx)
    nodes_page.install(app, ctx)


__all__ = ["ASSETS", "STATIC", "Context", "asset_response", "install"]
