"""The SPARQL 1.1 Protocol endpoint at ``/sparql``.

- **Query** by ``GET ?query=``, ``POST`` form-encoded (``query=``) or ``POST`` direct
  (``application/sparql-query``); the dataset by ``default-graph-uri`` / ``named-graph-uri``
  (without them the default graph is the union of every graph).
- **Answers** negotiated by ``Accept`` or ``?format=``: ``SELECT``/``ASK`` as SPARQL JSON, XML,
  CSV or TSV; ``CONSTRUCT``/``DESCRIBE`` as Turtle, N-Triples, JSON-LD or RDF/XML.
- **Limits**, all on by default: the query's text (length, nesting, tokens: 400), a budget of
  queries per client at once (429), time, CPU time and memory (the query is stopped: 422), rows
  (422); ``SERVICE`` only to allowed endpoints (see :mod:`gdcat.sparql.limits`).
- **Update** (``POST`` form ``update=`` or ``application/sparql-update``) only when
  ``sparql_updates`` is on, with ``Authorization: Bearer <admin_token>``.
- A bare ``GET`` answers the Service Description, or the SPARQL page when a browser asks for
  HTML; ``GET ?query=…&format=html`` is that page with the answer as a table
  (:mod:`gdcat.ui.sparql_page`). No protocol answer is a page.

Protocol errors (two queries, a query and an update, a wrong media type, no query) are 400 or
415 problems; see ``docs/sparql.md`` for the user's guide.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import Response

from gdcat.api.clients import client_of, trusted_networks
from gdcat.api.context import AppContext
from gdcat.api.negotiation import choose
from gdcat.api.problems import Problem, problem_for, problem_response
from gdcat.errors import GdcatError
from gdcat.sparql.description import serialize_description, service_description
from gdcat.sparql.engine import NotAcceptableError, RowLimitError, SparqlEngine
from gdcat.sparql.execute import QueryAnswer, QueryJob
from gdcat.sparql.federation import ServiceFailedError, ServiceNotAllowedError
from gdcat.sparql.limits import (
    ClientBudgetError,
    EngineFailureError,
    QueryLimitError,
    QueryTooComplexError,
    WorkerLostError,
    describe_bytes,
)
from gdcat.sparql.pool import EndpointBusyError
from gdcat.store.sparql_text import has_dataset_clause
from gdcat.ui import sparql_page

_log = logging.getLogger(__name__)

PATH = "/sparql"
FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

#: Media types of ``SELECT``/``ASK`` answers -> result format; the first is the default.
RESULT_MEDIA: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
#: Media types of ``CONSTRUCT``/``DESCRIBE`` answers -> RDF format; the first is the default.
GRAPH_MEDIA: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "text/n3": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
}
#: ``?format=`` names -> (media type for SELECT/ASK, media type for CONSTRUCT/DESCRIBE).
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "n3": (None, "text/turtle"),
    "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "nt": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "json-ld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "rdf+xml": (None, "application/rdf+xml"),
    "rdf": (None, "application/rdf+xml"),
}
_HTML = "text/html"
_GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
_FORMS = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT and DESCRIBE"}


@dataclass
class _Operation:
    """A protocol request, read: a query or an update with its dataset parameters."""

    kind: Literal["query", "update"]
    text: str
    params: dict[str, list[str]] = field(default_factory=dict)

    def graphs(self, name: str) -> tuple[str, ...]:
        return _graph_values(self.params, name)


def _graph_values(params: dict[str, list[str]], name: str) -> tuple[str, ...]:
    """The IRIs a dataset parameter names (400 for one that is no absolute IRI)."""
    values = params.get(name, [])
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as e:
            raise Problem(
                400,
                "Bad request",
                f"{name} must be an absolute IRI, not {value!r} ({e})",
                kind="bad-request",
            ) from None
    return tuple(values)


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add ``/sparql`` to ``app``: its engine (worker processes) lives in ``ctx``."""
    settings = ctx.settings
    if settings.sparql_updates and not settings.admin_token:
        raise GdcatError(
            "sparql_updates is on but no admin_token is set: updates would be impossible; "
            "set GDCAT_ADMIN_TOKEN or turn sparql_updates off"
        )
    try:
        trusted_networks(settings.trusted_proxies)
    except ValueError as e:
        raise GdcatError(f"trusted_proxies: {e}; give addresses or networks") from None
    engine = SparqlEngine(settings, ctx.store)
    ctx.extras["sparql"] = engine
    ctx.closers.append(engine.close)
    endpoint = ctx.base_iri + PATH.lstrip("/")

    async def sparql_get(request: Request) -> Response:
        params = _params(request.query_params.multi_items())
        if "query" not in params and "update" not in params:
            _check_graphs(params)  # ignored here, but not when they are no IRIs
            return _describe(request, engine, endpoint)
        if params.get("update"):
            raise _bad("an update must be sent with POST (form-encoded or sparql-update)")
        if _wants_page(request):
            return await _show(request, engine, endpoint, params)
        return await _answer(request, engine, endpoint, _operation(params))

    async def sparql_post(request: Request) -> Response:
        operation = await _read_post(request, settings.max_document_bytes)
        if operation.kind == "update":
            return await _update(request, engine, endpoint, operation)
        return await _answer(request, engine, endpoint, operation)

    async def sparql_other(request: Request) -> Response:
        raise Problem(
            405,
            "Method not allowed",
            f"{request.method} is no SPARQL protocol operation: query with GET or POST, "
            "update with POST",
            headers={"Allow": "GET, POST"},
        )

    app.add_api_route(
        PATH,
        sparql_get,
        methods=["GET"],
        response_class=Response,
        tags=["sparql"],
        summary="Run a SPARQL query, or read the service description",
        description=_GET_DESCRIPTION,
        responses=_responses(200, 400, 406, 422, 429, 502, 503),
        openapi_extra={"parameters": _GET_PARAMETERS},
        operation_id="sparql_query_get",
    )
    app.add_api_route(
        PATH,
        sparql_post,
        methods=["POST"],
        response_class=Response,
        tags=["sparql"],
        summary="Run a SPARQL query or update",
        description=_POST_DESCRIPTION,
        responses=_responses(200, 204, 400, 401, 403, 406, 413, 415, 422, 429, 502, 503),
        openapi_extra={"parameters": _POST_PARAMETERS, "requestBody": _POST_BODY},
        operation_id="sparql_query_post",
    )
    app.add_api_route(
        PATH,
        sparql_other,
        methods=["PUT", "DELETE", "PATCH", "OPTIONS"],
        response_class=Response,
        include_in_schema=False,
    )


# -- reading requests ---------------------------------------------------------------------


def _params(items: Any) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in items:
        params.setdefault(name, []).append(value)
    return params


def _bad(detail: str) -> Problem:
    return Problem(400, "Bad request", detail, kind="bad-request")


def _operation(params: dict[str, list[str]], direct: tuple[str, str] | None = None) -> _Operation:
    """The one query or update of a request (``direct``: the body of a direct POST)."""
    queries = params.get("query", [])
    updates = params.get("update", [])
    if direct is not None:
        (queries if direct[0] == "query" else updates).append(direct[1])
    if queries and updates:
        raise _bad("a request carries either a query or an update, not both")
    if len(queries) > 1 or len(updates) > 1:
        raise _bad("a request carries one query or one update; this one has several")
    if not queries and not updates:
        raise _bad("no query or update in the request")
    kind: Literal["query", "update"] = "query" if queries else "update"
    text = (queries or updates)[0]
    if not text.strip():
        raise _bad(f"the {kind} is empty")
    _check_graphs(params)  # those that do not apply are ignored, but must be IRIs too
    return _Operation(kind, text, params)


def _check_graphs(params: dict[str, list[str]]) -> None:
    for name in _GRAPH_PARAMS:
        _graph_values(params, name)


async def _read_post(request: Request, limit: int) -> _Operation:
    media, charset = _content_type(request.headers.get("content-type"))
    if media not in (FORM, QUERY_TYPE, UPDATE_TYPE):
        raise Problem(
            415,
            "Unsupported media type",
            f"POST a query or update as {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
            + (f", not {media}" if media else " (the request has no Content-Type)"),
            kind="unsupported-format",
        )
    if charset not in (None, "utf-8", "utf8"):
        raise Problem(
            415,
            "Unsupported media type",
            f"SPARQL requests are read as UTF-8, not {charset}",
            kind="unsupported-format",
        )
    body = await _body(request, limit)
    params = _params(request.query_params.multi_items())
    try:
        text = body.decode("utf-8")
        if media != FORM:
            kind = "query" if media == QUERY_TYPE else "update"
            return _operation(params, (kind, text))
        if len(text) > _FORM_IN_LOOP:  # decoding megabytes takes a second: not in the loop
            pairs = await asyncio.to_thread(_parse_form, text)
        else:
            pairs = _parse_form(text)
    except UnicodeDecodeError:
        raise _bad("the request body is not UTF-8") from None
    except ValueError as e:
        raise _bad(f"the form cannot be read: {e}") from None
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return _operation(params)


#: Form bodies longer than this (characters) are decoded in a thread.
_FORM_IN_LOOP = 64 * 1024


def _parse_form(text: str) -> list[tuple[str, str]]:
    return parse_qsl(
        text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=1000
    )


def _content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media, *rest = (part.strip() for part in header.split(";"))
    charset = None
    for param in rest:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> Problem:
    return Problem(
        413, "Payload too large", f"the request body exceeds {limit} bytes", kind="too-large"
    )


# -- answering ------------------------------------------------------------------------------


def _choices(request: Request) -> tuple[str | None, str | None]:
    """The media types to answer a SELECT/ASK and a CONSTRUCT/DESCRIBE with."""
    wanted = request.query_params.getlist("format")
    if wanted:
        for value in wanted:
            key = value.strip().lower()
            if key in ("html", _HTML):
                return None, None  # no query answer is a page
            if key in FORMAT_NAMES:
                return FORMAT_NAMES[key]
            media = key.split(";")[0].strip()
            if media in RESULT_MEDIA or media in GRAPH_MEDIA:
                return (
                    media if media in RESULT_MEDIA else None,
                    media if media in GRAPH_MEDIA else None,
                )
        raise Problem(
            400,
            "Unknown format",
            f"unknown format {wanted[0]!r}; use one of {', '.join(sorted(FORMAT_NAMES))}",
            kind="unknown-format",
        )
    accept = request.headers.get("accept")
    results, graph = choose(accept, list(RESULT_MEDIA)), choose(accept, list(GRAPH_MEDIA))
    if graph is None and results is not None:
        # A client that lists only result formats (rdflib's SPARQLStore with returnFormat
        # "json" or "csv", SPARQLWrapper with JSON) also sends CONSTRUCT and DESCRIBE this
        # way: a graph cannot be written as results, so it gets the default, Turtle.
        graph = next(iter(GRAPH_MEDIA))
    return results, graph


async def _answer(
    request: Request, engine: SparqlEngine, endpoint: str, operation: _Operation
) -> Response:
    results_media, graph_media = _choices(request)
    if results_media is None and graph_media is None:
        raise _not_acceptable(None)
    answer = await _run(
        request,
        engine,
        endpoint,
        operation,
        RESULT_MEDIA[results_media] if results_media else None,
        GRAPH_MEDIA[graph_media] if graph_media else None,
    )
    media = results_media if answer.form in ("select", "ask") else graph_media
    assert media is not None
    return Response(answer.body, 200, {"Vary": "Accept"}, media_type=_with_charset(media))


async def _run(
    request: Request,
    engine: SparqlEngine,
    endpoint: str,
    operation: _Operation,
    results_format: str | None,
    graph_format: str | None,
) -> QueryAnswer:
    """The engine's answer to ``operation`` in these formats; every failure as a problem."""
    defaults = operation.graphs("default-graph-uri")
    named = operation.graphs("named-graph-uri")
    protocol_dataset = bool(defaults or named)
    job = QueryJob(
        sparql=operation.text,
        base_iri=endpoint,
        default_graphs=defaults if protocol_dataset else None,
        named_graphs=named if protocol_dataset else None,
        union_default_graph=not has_dataset_clause(operation.text),
        results_format=results_format,
        graph_format=graph_format,
        max_rows=engine.settings.sparql_max_rows,
    )
    client = client_of(request, engine.settings.trusted_proxies)
    try:
        return await engine.query(job, client)
    except NotAcceptableError as e:
        raise _not_acceptable(e.form) from None
    except RowLimitError as e:
        raise _row_limit(e) from None
    except QueryLimitError as e:
        raise _resource_limit(e) from None
    except QueryTooComplexError as e:
        raise _too_complex(e) from None
    except ClientBudgetError as e:
        raise Problem(
            429,
            "Too many queries at once",
            str(e),
            kind="client-budget",
            headers={"Retry-After": str(e.retry_after)},
            limit=e.limit,
            setting=e.setting,
        ) from None
    except EndpointBusyError as e:
        raise Problem(
            503, "Endpoint busy", str(e), kind="busy", headers={"Retry-After": "5"}
        ) from None
    except WorkerLostError as e:
        raise Problem(
            503, "Query process lost", str(e), kind="worker-lost", headers={"Retry-After": "5"}
        ) from None
    except EngineFailureError as e:
        raise Problem(
            500,
            "Query engine failure",
            f"{e}. This is a defect of the query engine, not of your query; writing the query "
            "differently (another ORDER BY, fewer terms of mixed kinds compared) may avoid it.",
            kind="engine-failure",
        ) from None
    except ServiceNotAllowedError as e:
        raise _service_refused(e) from None
    except ServiceFailedError as e:
        raise Problem(502, "Federated endpoint failed", str(e), kind="service-failed") from None


def _with_charset(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def _not_acceptable(form: str | None) -> Problem:
    if form is None:
        offered = [*RESULT_MEDIA, *GRAPH_MEDIA]
        detail = "none of the accepted types is one a SPARQL answer can be written in"
    else:
        offered = list(GRAPH_MEDIA if form == "graph" else RESULT_MEDIA)
        detail = f"a {_FORMS[form]} answer cannot be written in any of the accepted types"
    return Problem(
        406,
        "Not acceptable",
        f"{detail} (offered: {', '.join(dict.fromkeys(offered))})",
        kind="not-acceptable",
    )


#: What to do about each resource limit, for the client.
_ADVICE = {
    "time-limit": "Narrow it (more specific patterns, fewer OPTIONALs, FILTERs that bind "
    "early) or ask for a page at a time with ORDER BY … LIMIT … OFFSET ….",
    "cpu-limit": "Narrow it (more specific patterns, fewer OPTIONALs, FILTERs that bind early) "
    "or ask for a page at a time with ORDER BY … LIMIT … OFFSET ….",
    "memory-limit": "Narrow it: join fewer unrelated patterns (each pattern that shares no "
    "variable with the others multiplies the solutions), sort fewer solutions, build shorter "
    "strings, or ask for a page at a time with LIMIT … OFFSET ….",
}
_TITLES = {
    "time-limit": "Query time limit exceeded",
    "cpu-limit": "Query CPU time limit exceeded",
    "memory-limit": "Query memory limit exceeded",
}


def _resource_limit(error: QueryLimitError) -> Problem:
    if error.kind == "memory-limit":
        shown = describe_bytes(int(error.limit))
    elif error.kind == "cpu-limit":
        shown = f"{error.limit:g} s of CPU time"
    else:
        shown = f"{error.limit:g} s"
    return Problem(
        422,
        _TITLES.get(error.kind, "Query limit exceeded"),
        f"{error}, the most this endpoint allows ({error.setting} = {shown}), and was stopped. "
        + _ADVICE.get(error.kind, ""),
        kind=error.kind,
        limit=error.limit,
        setting=error.setting,
    )


def _too_complex(error: QueryTooComplexError) -> Problem:
    extra: dict[str, Any] = {}
    if error.setting is not None:
        extra = {"limit": error.limit, "setting": error.setting}
    return Problem(400, "Query too complex", str(error), kind="query-too-complex", **extra)


def _row_limit(error: RowLimitError) -> Problem:
    noun = "triples" if error.form == "graph" else "rows"
    return Problem(
        422,
        "Result limit exceeded",
        f"{error}, the most this endpoint returns in one answer. Ask for a page at a time: "
        f"ORDER BY … LIMIT {error.limit} OFFSET 0, then OFFSET {error.limit}, and so on; or "
        f"narrow the query (COUNT(*) tells how many {noun} there are).",
        kind="row-limit",
        limit=error.limit,
    )


def _service_refused(error: ServiceNotAllowedError) -> Problem:
    extra: dict[str, Any] = {"endpoint": error.endpoint}
    if error.host:
        extra["host"] = error.host
    return Problem(
        400, "Federated query not allowed", str(error), kind="service-not-allowed", **extra
    )


async def _update(
    request: Request, engine: SparqlEngine, endpoint: str, operation: _Operation
) -> Response:
    _authorize_update(request, engine)
    using = operation.graphs("using-graph-uri")
    using_named = operation.graphs("using-named-graph-uri")
    try:
        await engine.update(operation.text, base_iri=endpoint, using=using, using_named=using_named)
    except ServiceNotAllowedError as e:
        raise _service_refused(e) from None
    except ServiceFailedError as e:
        raise Problem(502, "Federated endpoint failed", str(e), kind="service-failed") from None
    _log.warning(
        "SPARQL update applied with the admin token from %s (%d characters)",
        request.client.host if request.client else "?",
        len(operation.text),
    )
    return Response(status_code=204)


def _authorize_update(request: Request, engine: SparqlEngine) -> None:
    settings = engine.settings
    token = settings.admin_token
    if not settings.sparql_updates or not token:
        raise Problem(
            403,
            "Updates not accepted",
            "this SPARQL endpoint is read-only; SPARQL Update is accepted only on a store "
            "configured for it (sparql_updates), with the administrator's token",
            kind="read-only",
        )
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    challenge = 'Bearer realm="gdcat"'
    if scheme.lower() != "bearer" or not presented.strip():
        raise Problem(
            401,
            "Authentication required",
            "SPARQL Update needs the administrator's token: Authorization: Bearer <token>",
            kind="unauthorized",
            headers={"WWW-Authenticate": challenge},
        )
    # Digests compared, not the tokens: constant time without showing even the length.
    presented_digest = hashlib.sha256(presented.strip().encode("utf-8")).digest()
    if not hmac.compare_digest(presented_digest, hashlib.sha256(token.encode("utf-8")).digest()):
        raise Problem(
            401,
            "Invalid token",
            "the token presented is not the administrator's token",
            kind="unauthorized",
            headers={"WWW-Authenticate": challenge + ', error="invalid_token"'},
        )


# -- the service description and the query page ---------------------------------------------


def _description_media(request: Request) -> str:
    """What to describe the service in: an RDF form, or the query page."""
    wanted = request.query_params.getlist("format")
    if wanted and wanted[0].strip().lower() in ("html", _HTML):
        return _HTML
    if wanted:
        media = _choices(request)[1]
        if media is None:
            raise _not_acceptable("graph")
        return media
    media = choose(request.headers.get("accept"), [*GRAPH_MEDIA, _HTML])
    if media is None:
        raise _not_acceptable("graph")
    return media


def _describe(request: Request, engine: SparqlEngine, endpoint: str) -> Response:
    media = _description_media(request)
    settings = engine.settings
    if media == _HTML:
        return _page_response(sparql_page.sparql_page(request, **_page_context(engine, endpoint)))
    triples = service_description(
        endpoint,
        updates=settings.sparql_updates,
        federated=engine.allowlist.endpoints(),
        timeout=settings.sparql_timeout,
        max_rows=settings.sparql_max_rows,
    )
    body = serialize_description(triples, GRAPH_MEDIA[media])
    return Response(body, 200, {"Vary": "Accept"}, media_type=_with_charset(media))


def _wants_page(request: Request) -> bool:
    """Whether a query asks for the SPARQL page with its answer (``format=html``)."""
    wanted = request.query_params.getlist("format")
    return bool(wanted) and wanted[0].strip().lower() in ("html", _HTML)


def _page_context(engine: SparqlEngine, endpoint: str) -> dict[str, Any]:
    limits = sparql_page.Limits(engine.settings.sparql_timeout, engine.settings.sparql_max_rows)
    return {"endpoint": endpoint, "limits": limits}


def _page_response(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # the page's text is in the reader's language: caches keep one per language
    return Response(
        body,
        status,
        {**(headers or {}), "Vary": "Accept, Accept-Language"},
        media_type="text/html; charset=utf-8",
    )


async def _show(
    request: Request, engine: SparqlEngine, endpoint: str, params: dict[str, list[str]]
) -> Response:
    """The SPARQL page with the answer to the request's query as a table, or with what went
    wrong (with the problem's status and headers: the page is that problem, for people)."""
    query = params["query"][0] if params.get("query") else None
    answer = failure = None
    problem: Problem | None = None
    try:
        found = await _run(request, engine, endpoint, _operation(params), "json", "ntriples")
        answer = sparql_page.Answer(found.form, found.body)
    except Problem as e:
        problem = e
    except GdcatError as e:
        problem = problem_for(e)
        if problem.status >= 500:
            _log.warning("SPARQL page query failed: %s", e)
    if problem is not None:
        failure = sparql_page.Failure(
            problem.status, problem.kind, problem.title, problem.detail, dict(problem.extra)
        )
    body = sparql_page.sparql_page(
        request, **_page_context(engine, endpoint), query=query, answer=answer, failure=failure
    )
    if problem is None:
        return _page_response(body)
    return _page_response(body, problem.status, problem.headers)


# -- OpenAPI --------------------------------------------------------------------------------

_GET_DESCRIPTION = """\
SPARQL 1.1 Protocol query by GET. The default graph is the union of every graph unless
`default-graph-uri` / `named-graph-uri` (or `FROM` in the query) name the dataset. The answer is
negotiated by `Accept` (or `?format=`): SELECT and ASK as SPARQL JSON (default), XML, CSV, TSV;
CONSTRUCT and DESCRIBE as Turtle (default), N-Triples, JSON-LD, RDF/XML.

Without `query`, the SPARQL 1.1 Service Description (Turtle, JSON-LD, RDF/XML, N-Triples), or
the SPARQL page when a browser asks for HTML (dataset parameters are then ignored). With
`format=html`, the SPARQL page showing the query's answer as a table (or what went wrong, with
the problem's status): the page's form and example links ask this way.

Limits: a query runs at most `sparql_timeout` seconds (then it is stopped: 422 `time-limit`),
within a CPU time and a memory limit (422 `cpu-limit`, `memory-limit`), and returns at most
`sparql_max_rows` rows or triples (422 `row-limit`: page with LIMIT and OFFSET). A query text
too long or too deeply nested is refused before it runs (400 `query-too-complex`); a client
with too many queries at once is told to wait (429 `client-budget`, `Retry-After`). `SERVICE`
may call only the national nodes' SPARQL endpoints.
"""

_POST_DESCRIPTION = """\
SPARQL 1.1 Protocol query or update by POST: form-encoded (`query=` or `update=`), or the text
itself as the body with `Content-Type: application/sparql-query` or
`application/sparql-update` (UTF-8), the dataset then in the URL's parameters.
`default-graph-uri` / `named-graph-uri` apply to queries, `using-graph-uri` /
`using-named-graph-uri` to updates; the others are ignored.

Updates are accepted only when the server is configured for them (`sparql_updates`, meant for a
scratch store) and the request carries `Authorization: Bearer <admin token>`: otherwise 403
(read-only endpoint) or 401. `using-graph-uri` / `using-named-graph-uri` set an update's
dataset; `LOAD` is refused.
"""

_SELECT_JSON = {
    "head": {"vars": ["dataset", "title"]},
    "results": {
        "bindings": [
            {
                "dataset": {"type": "uri", "value": "https://fdp.example.nl/dataset/wgs-1"},
                "title": {"type": "literal", "xml:lang": "en", "value": "Rare disease WGS"},
            }
        ]
    },
}
_TURTLE = (
    "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
    "@prefix dct: <http://purl.org/dc/terms/> .\n"
    '<https://fdp.example.nl/dataset/wgs-1> a dcat:Dataset ; dct:title "Rare disease WGS"@en .\n'
)
_PROBLEM_EXAMPLES: dict[int, tuple[str, str, str]] = {
    400: ("bad-query", "Bad query", "SPARQL syntax error: error at 1:6: expected ..."),
    401: ("unauthorized", "Authentication required", "SPARQL Update needs the admin token"),
    403: ("read-only", "Updates not accepted", "this SPARQL endpoint is read-only"),
    406: ("not-acceptable", "Not acceptable", "a SELECT answer cannot be written as image/png"),
    413: ("too-large", "Payload too large", "the request body exceeds 52428800 bytes"),
    415: ("unsupported-format", "Unsupported media type", "POST a query as ..."),
    422: ("row-limit", "Result limit exceeded", "the answer has more than 10000 rows, ..."),
    429: (
        "client-budget",
        "Too many queries at once",
        "this client already has 1 SPARQL queries running and 2 waiting, ...",
    ),
    502: (
        "service-failed",
        "Federated endpoint failed",
        "a SERVICE endpoint could not be queried: Connection refused (os error 111)",
    ),
    503: ("busy", "Endpoint busy", "every SPARQL worker stayed busy for 20 s; try again"),
}


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    docs: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 200:
            content: dict[str, Any] = {
                media: {"schema": {"type": "object" if "json" in media else "string"}}
                for media in dict.fromkeys([*RESULT_MEDIA, *GRAPH_MEDIA, _HTML])
            }
            content["application/sparql-results+json"]["example"] = _SELECT_JSON
            content["text/turtle"]["example"] = _TURTLE
            for media in ("application/json", "application/ld+json"):
                content[media]["schema"] = {}
            docs[200] = {
                "description": "The answer (or, for a bare GET, the service description).",
                "content": content,
            }
        elif status == 204:
            docs[204] = {"description": "The update was applied."}
        else:
            kind, title, detail = _PROBLEM_EXAMPLES[status]
            docs[status] = problem_response(status, title, kind, detail)
    return docs


def _graph_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "style": "form",
        "explode": True,
    }


_FORMAT_PARAM: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Answer format instead of Accept: json, xml, csv, tsv (SELECT/ASK); "
    "turtle, ntriples, jsonld, rdfxml (CONSTRUCT/DESCRIBE, the service description); html "
    "(the SPARQL page for people; with a query, its answer as a table in the page); or one of "
    "the media types.",
    "schema": {
        "type": "string",
        "enum": [*FORMAT_NAMES, "html", *dict.fromkeys([*RESULT_MEDIA, *GRAPH_MEDIA])],
    },
    "example": "json",
}
_GET_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "The SPARQL query (absent: the service description).",
        "schema": {"type": "string"},
        "example": "SELECT ?dataset WHERE { ?dataset a <http://www.w3.org/ns/dcat#Dataset> } "
        "LIMIT 10",
    },
    _graph_param("default-graph-uri", "A graph of the default graph (repeatable)."),
    _graph_param("named-graph-uri", "A graph available to GRAPH (repeatable)."),
    _FORMAT_PARAM,
]
_POST_PARAMETERS: list[dict[str, Any]] = [
    _graph_param("default-graph-uri", "A graph of the default graph (queries, repeatable)."),
    _graph_param("named-graph-uri", "A graph available to GRAPH (queries, repeatable)."),
    _graph_param("using-graph-uri", "USING graph of an update (repeatable)."),
    _graph_param("using-named-graph-uri", "USING NAMED graph of an update (repeatable)."),
    _FORMAT_PARAM,
]
_IRIS: dict[str, Any] = {"type": "array", "items": {"type": "string", "format": "iri"}}
#: The form-encoded body; the direct forms (``application/sparql-query``,
#: ``application/sparql-update``: the text itself) are described in the operation's text, as
#: OpenAPI tools cannot generate SPARQL bodies.
_POST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1},
                    "update": {"type": "string", "minLength": 1},
                    "default-graph-uri": _IRIS,
                    "named-graph-uri": _IRIS,
                    "using-graph-uri": _IRIS,
                    "using-named-graph-uri": _IRIS,
                },
                "oneOf": [{"required": ["query"]}, {"required": ["update"]}],
            },
            "example": {"query": "ASK { ?s ?p ?o }"},
        },
    },
}
