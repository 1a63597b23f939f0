"""The steward spreadsheet template for download: ``/template.xlsx`` and ``/template.csv``
(the same files as ``gdcat template``, built by :mod:`gdcat.model.template`)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from gdcat.model.template import template_csv, template_xlsx
from gdcat.rdf.formats import XLSX_MEDIA_TYPE
from gdcat.ui.pages import reader_of
from gdcat.ui.search_page import Context

#: The template changes only with the model, which changes only with a new release.
_CACHE = "public, max-age=3600"


def install(app: FastAPI, ctx: Context) -> None:
    """Add the two template downloads."""

    @app.get("/template.xlsx", include_in_schema=False, response_class=Response)
    async def template_workbook(request: Request) -> Response:
        """One row per dataset, a column per steward field, drop-down lists of the allowed
        values, an example row and an instructions sheet, its labels, help texts and
        instructions in the reader's language (``?lang=de``, else ``Accept-Language``).
        Publish it filled in with ``POST /api/nodes/{node}/datasets`` or ``gdcat publish``."""
        lang = reader_of(request).lang
        data = await run_in_threadpool(template_xlsx, lang)
        name = "gdcat-template.xlsx" if lang == "en" else f"gdcat-template-{lang}.xlsx"
        response = _download(data, XLSX_MEDIA_TYPE, name)
        response.headers["Vary"] = "Accept-Language"
        return response

    @app.get("/template.csv", include_in_schema=False, response_class=Response)
    async def template_table() -> Response:
        """The template's columns and example row as CSV (UTF-8)."""
        data = await run_in_threadpool(template_csv)
        return _download(data, "text/csv; charset=utf-8", "gdcat-template.csv")


def _download(data: bytes, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": _CACHE}
    return Response(data, media_type=media_type, headers=headers)
