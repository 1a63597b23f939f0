"""Errors become HTTP problems (RFC 9457) here, and only here.

Routes raise :class:`Problem` (or let a :class:`~gdcat.errors.GdcatError` through); the
handlers installed by :func:`install_problem_handlers` answer with ``application/problem+json``,
or a small HTML page when the client prefers HTML, or plain text when it asks for that.
"""

from __future__ import annotations

import html
import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from gdcat.errors import (
    DocumentTooComplexError,
    ForbiddenNetworkAccessError,
    GdcatError,
    InputError,
    ListingPendingError,
    ParseLimitError,
    PayloadTooLargeError,
    ProfileError,
    QueryError,
    RecordNotFoundError,
    StoreError,
    UnsupportedFormatError,
)
from gdcat.search.index import IndexBuildingError

_log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

#: Problem type IRIs are pages of the API guide; the status title is the default title.
PROBLEM_BASE = "https://gdcat.eu/problems/"


#: The JSON schema of a problem document, for the OpenAPI description.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "An RFC 9457 problem document.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}


def problem_content(example: dict[str, Any] | None = None) -> dict[str, Any]:
    """OpenAPI ``content`` of an answer that is a problem, in each form it can take."""
    json_form: dict[str, Any] = {"schema": PROBLEM_SCHEMA}
    if example is not None:
        json_form["example"] = example
    return {
        PROBLEM_JSON: json_form,
        "text/html": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}},
    }


def problem_response(
    status: int, title: str, kind: str, detail: str | None = None, description: str | None = None
) -> dict[str, Any]:
    """The OpenAPI entry of one problem answer, its example written as the server writes it."""
    example = Problem(status, title, detail, kind=kind).document()
    return {"description": description or title, "content": problem_content(example)}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI document what every operation answers when it fails: the request
    validation answer (422) is a problem document, not FastAPI's default body, and any other
    failure (``default``) is a problem too."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "422" in responses:
                responses["422"]["content"] = problem_content()
            responses.setdefault(
                "default",
                {
                    "description": "A problem document saying what went wrong.",
                    "content": problem_content(),
                },
            )
    schemas = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


class Problem(Exception):
    """An answer that is not a success, raised from a route.

    ``extra`` members are added to the problem document (``report`` for a refused record,
    ``limit`` for an exceeded limit…); ``headers`` are sent with it (``WWW-Authenticate``,
    ``Retry-After``, ``Allow``).
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extra = extra

    def document(self, instance: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind if self.kind else "about:blank",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            doc["detail"] = self.detail
        if instance:
            doc["instance"] = instance
        doc.update(self.extra)
        return doc


def problem_for(error: GdcatError) -> Problem:
    """The problem a gdcat error becomes (its status says whose fault it is). The client reads
    the error's :attr:`~gdcat.errors.GdcatError.public_message`, never the server's file
    paths; the whole message goes to the server log (:func:`install_problem_handlers`)."""
    message = error.public_message
    if isinstance(error, ParseLimitError):
        limit = {"limit": {"setting": error.setting, "value": error.value}, **_located(error)}
        if isinstance(error, DocumentTooComplexError):
            return Problem(422, "Document too complex", message, kind="too-complex", **limit)
        return Problem(413, "Payload too large", message, kind="too-large", **limit)
    if isinstance(error, PayloadTooLargeError):
        return Problem(413, "Payload too large", message, kind="too-large")
    if isinstance(error, UnsupportedFormatError):
        return Problem(415, "Unsupported media type", message, kind="unsupported-format")
    if isinstance(error, ForbiddenNetworkAccessError):
        return Problem(400, "Network access refused while parsing", message, kind="network")
    if isinstance(error, QueryError):
        return Problem(400, "Bad query", message, kind="bad-query")
    if isinstance(error, InputError | ProfileError):
        extra: dict[str, Any] = {}
        location = getattr(error, "location", None)
        if location is not None:
            extra["location"] = location.to_json()
        return Problem(400, "Unusable input", message, kind="bad-input", **extra)
    if isinstance(error, RecordNotFoundError):
        return Problem(404, "Not found", message, kind="not-found")
    if isinstance(error, IndexBuildingError):
        retry = {"Retry-After": str(max(1, math.ceil(error.retry_after)))}
        return Problem(503, "Search index not ready", message, kind="index-building", headers=retry)
    if isinstance(error, ListingPendingError):
        retry = {"Retry-After": str(max(1, math.ceil(error.retry_after)))}
        return Problem(503, "Catalogues not listed yet", message, kind="listing", headers=retry)
    if isinstance(error, StoreError):
        wait = error.retry_after if error.retry_after is not None else 5
        retry = {"Retry-After": str(max(1, math.ceil(wait)))}
        return Problem(503, "Store unavailable", message, kind="store", headers=retry)
    return Problem(500, "Internal error", message)


def _located(error: InputError) -> dict[str, Any]:
    if error.location is None:
        return {}
    return {"location": error.location.to_json()}


def render(request: Request, problem: Problem) -> Response:
    """The problem in the form the client prefers."""
    from gdcat.api.negotiation import preferred

    doc = problem.document(str(request.url.path))
    kind = preferred(request, (PROBLEM_JSON, "application/json", "text/html", "text/plain"))
    headers = dict(problem.headers)
    headers["Vary"] = "Accept"
    if kind == "text/html":
        return Response(_problem_page(request, problem), problem.status, headers, "text/html")
    if kind == "text/plain":
        text = f"{problem.status} {problem.title}\n{problem.detail or ''}\n"
        return Response(text, problem.status, headers, media_type="text/plain")
    return Response(
        json.dumps(doc, ensure_ascii=False, default=str),
        problem.status,
        headers,
        media_type=PROBLEM_JSON,
    )


def _problem_page(request: Request, problem: Problem) -> str:
    """The problem as a page of the site (its layout, navigation and languages); a bare page
    if the layout cannot be drawn (the problem may be the templates' own)."""
    heading = f"{problem.status} {problem.title}"
    try:
        from gdcat.ui.pages import render

        return render(request, "problem.html", title=heading, detail=problem.detail or "")
    except Exception:  # a broken page must not hide the problem it reports
        _log.exception("cannot draw the problem page; answering a bare one")
    title, detail = html.escape(heading), html.escape(problem.detail or "")
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}"
        f"</title></head><body><main><h1>{title}</h1><p>{detail}</p></main></body></html>"
    )


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    path = request.url.path
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    order = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    return sorted(methods, key=lambda m: order.index(m) if m in order else len(order))


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error a route can raise to a problem answer."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return render(request, exc)

    async def on_gdcat(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, GdcatError)
        problem = problem_for(exc)
        if problem.status >= 500:
            _log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return render(request, problem)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}"
        return render(request, Problem(exc.status_code, title, detail, headers=headers))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "where": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors)
        return render(
            request, Problem(422, "Invalid request", detail, kind="invalid-request", errors=errors)
        )

    async def on_disconnect(request: Request, exc: Exception) -> Response:
        # The client went away (or was cut off for sending its body too slowly, see
        # gdcat.api.http_limits) before its body arrived: nobody reads this answer.
        _log.info(
            "%s %s: the client disconnected during the body", request.method, request.url.path
        )
        return render(request, Problem(400, "Client disconnected", "the body did not arrive"))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        _log.exception("%s %s failed", request.method, request.url.path)
        return render(request, Problem(500, "Internal error", "an unexpected error occurred"))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(GdcatError, on_gdcat)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ClientDisconnect, on_disconnect)
    app.add_exception_handler(Exception, on_unexpected)
