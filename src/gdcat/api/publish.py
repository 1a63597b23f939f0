"""Publishing for stewards over HTTP: PUT and DELETE of a node's own datasets, the audit trail.

| route | who | what |
|---|---|---|
| ``PUT /api/nodes/{node}/datasets?iri=`` | the node's steward | create or replace a dataset |
| ``POST /api/nodes/{node}/datasets`` | the node's steward | create or replace every dataset of a
  document (a spreadsheet…), all or none |
| ``DELETE /api/nodes/{node}/datasets?iri=`` | the node's steward | withdraw it (tombstone) |
| ``GET /api/nodes/{node}/datasets`` | anyone | the node's live records, harvested or published |
| ``GET /api/audit`` | anyone | every write attempt, newest first (public, as its linked data) |

Credentials are ``Authorization: Bearer <token>``: a steward token (``gdcat token create``) or
the admin token (``settings.admin_token``). The rules are :mod:`gdcat.publish.writer`'s; this
module reads the request, maps outcomes to statuses and documents them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from gdcat.api.context import AppContext, get_context
from gdcat.api.problems import Problem, problem_response
from gdcat.errors import GdcatError, PayloadTooLargeError
from gdcat.publish import (
    AuditEntry,
    AuthenticationError,
    Caller,
    DocumentRefusedError,
    NotOwnerError,
    Published,
    Publisher,
    RecordRefusedError,
    TokenFile,
    TokenFileError,
    identify,
    is_published_source,
)
from gdcat.publish.tokens import NODE_ID
from gdcat.publish.writer import DATASET_IRI, MAX_IRI_LENGTH
from gdcat.rdf.formats import XLSX_MEDIA_TYPE
from gdcat.store import record_iri

_log = logging.getLogger(__name__)

_EXTRA_KEY = "publish"
NODE_PATTERN = NODE_ID.pattern

bearer = HTTPBearer(
    auto_error=False,
    description="A steward token of the node (`gdcat token create NODE`), or the admin token.",
)


@dataclass
class PublishState:
    """What the publishing routes share: the tokens file and the publisher."""

    tokens: TokenFile
    publisher: Publisher


def publish_state(ctx: AppContext) -> PublishState:
    state: PublishState = ctx.extras[_EXTRA_KEY]
    return state


# -- who is calling ---------------------------------------------------------------------------


def _unauthenticated(detail: str, *, invalid: bool) -> Problem:
    challenge = 'Bearer realm="gdcat"'
    if invalid:
        challenge += ', error="invalid_token"'
    return Problem(
        401,
        "Authentication required",
        detail,
        kind="unauthenticated",
        headers={"WWW-Authenticate": challenge},
    )


def authenticated(
    ctx: Annotated[AppContext, Depends(get_context)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """FastAPI dependency: the caller of a request with a valid bearer token, else 401."""
    if credentials is None:
        raise _unauthenticated(
            "send 'Authorization: Bearer <token>' with a steward or admin token", invalid=False
        )
    try:
        return identify(
            credentials.credentials, publish_state(ctx).tokens, ctx.settings.admin_token
        )
    except AuthenticationError as e:
        raise _unauthenticated(str(e), invalid=e.invalid) from None
    except TokenFileError as e:
        # the operator's file, not the caller's fault: the details go to the log only
        _log.error("steward tokens cannot be checked: %s", e)
        raise Problem(
            503,
            "Tokens unavailable",
            "steward tokens cannot be checked now; try again later",
            kind="tokens-unavailable",
            headers={"Retry-After": "30"},
        ) from None


def admin(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
    """FastAPI dependency: the administrator, else 403 (401 without valid credentials)."""
    if caller.role != "admin":
        raise Problem(403, "Forbidden", "this call needs the admin token", kind="forbidden")
    return caller


# -- documentation shared with the admin routes ----------------------------------------------


_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: ("Unusable input (malformed RDF names the line)", "bad-input", "Unusable input"),
    401: ("No valid bearer token", "unauthenticated", "Authentication required"),
    403: ("The token may not do this", "forbidden", "Forbidden"),
    404: ("Not found", "not-found", "Not found"),
    409: ("Conflicts with the current state", "conflict", "Conflict"),
    413: ("The body is over the size limit", "too-large", "Payload too large"),
    415: ("A media type gdcat does not read", "unsupported-format", "Unsupported media type"),
    422: ("Invalid request, or a record refused by validation", "refused", "Record refused"),
    500: ("Internal error", "internal", "Internal error"),
    503: (
        "The store, or the tokens file checking tokens, is unavailable",
        "store",
        "Store unavailable",
    ),
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem answers with these statuses."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, kind, title = _PROBLEMS[status]
        out[status] = problem_response(status, title, kind, description, description)
    return out


# -- models -----------------------------------------------------------------------------------


class ValidationMessage(BaseModel):
    """One validation result, said in terms of the field a steward wrote."""

    dataset: str
    path: str = Field(description="The field, as the steward YAML path: distribution.access_url")
    severity: str = Field(description="Violation, Warning or Info")
    message: str
    hint: str
    property: str = ""
    focus_node: str = ""
    value: str | None = None


_EXAMPLE_IRI = "https://fdp.nl.example.org/dataset/rare-disease-wgs"


class PublishedDataset(BaseModel):
    """A dataset accepted and stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dataset": _EXAMPLE_IRI,
                    "node": "nl",
                    "status": "created",
                    "key": "3f0c6a1e9b2d4c5e6f7a8b9c",
                    "record": "http://127.0.0.1:8000/record/3f0c6a1e9b2d4c5e6f7a8b9c",
                    "location": "http://127.0.0.1:8000/dataset/3f0c6a1e9b2d4c5e6f7a8b9c",
                    "profile": "gdcat",
                    "outcome": "warnings",
                    "warnings": [
                        {
                            "dataset": _EXAMPLE_IRI,
                            "path": "distribution.license",
                            "severity": "Warning",
                            "message": "`distribution.license` is recommended but missing.",
                            "hint": "Add a licence from the EU licence table.",
                        }
                    ],
                    "ignored_triples": 0,
                    "audit": "20260131T120000123456Z-1a2b3c4d",
                }
            ]
        }
    )

    dataset: str
    node: str
    status: Literal["created", "replaced"]
    key: str = Field(description="The record key: the dataset is served at {base}dataset/{key}")
    record: str = Field(description="The catalogue record IRI")
    location: str = Field(description="Where gdcat serves the dataset")
    profile: str = Field(description="The validation profile it conforms to")
    outcome: Literal["conforms", "warnings"]
    warnings: list[ValidationMessage]
    ignored_triples: int = Field(
        description="Triples of the body not about the dataset (a catalogue around it): not stored"
    )
    audit: str = Field(description="The id of this write in the audit trail")


class PublishedDocument(BaseModel):
    """Every dataset of a document, accepted and stored together."""

    node: str
    total: int = Field(description="How many datasets were stored")
    items: list[PublishedDataset] = Field(description="Each dataset stored, in document order")


class AuditEntryModel(BaseModel):
    """One write attempt."""

    id: str
    iri: str
    time: str
    node: str = Field(description="The node of the token used")
    token_id: str = Field(description="The id of the token used (never the token)")
    action: Literal["put", "delete"]
    outcome: Literal[
        "created",
        "replaced",
        "withdrawn",
        "refused",
        "forbidden",
        "not-found",
        "unusable",
        "failed",
    ]
    status: int = Field(description="The HTTP status of the answer")
    dataset: str | None = None
    reason: str | None = None


class AuditPage(BaseModel):
    """A page of the audit trail, newest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "20260131T120000123456Z-1a2b3c4d",
                            "iri": "http://127.0.0.1:8000/audit/20260131T120000123456Z-1a2b3c4d",
                            "time": "2026-01-31T12:00:00.123456Z",
                            "node": "nl",
                            "token_id": "tok-9f8e7d6c",
                            "action": "put",
                            "outcome": "forbidden",
                            "status": 403,
                            "dataset": "https://fdp.be.example.org/dataset/1",
                            "reason": "https://fdp.be.example.org/dataset/1 is a record held "
                            "by node be; node nl may not write it",
                        }
                    ],
                    "total": 1,
                    "limit": 100,
                    "offset": 0,
                    "next": None,
                }
            ]
        }
    )

    items: list[AuditEntryModel]
    total: int
    limit: int
    offset: int
    next: str | None = Field(None, description="The next page, if there is one")


class NodeRecord(BaseModel):
    """One live record of a node."""

    dataset: str
    key: str
    published: bool = Field(description="Written over the publishing API (not harvested)")
    source: str
    profile: str
    outcome: str


class NodeRecords(BaseModel):
    """A page of a node's live records, by dataset IRI."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "node": "nl",
                    "items": [
                        {
                            "dataset": _EXAMPLE_IRI,
                            "key": "3f0c6a1e9b2d4c5e6f7a8b9c",
                            "published": True,
                            "source": "http://127.0.0.1:8000/api/nodes/nl/datasets?iri=https%3A"
                            "%2F%2Ffdp.nl.example.org%2Fdataset%2Frare-disease-wgs",
                            "profile": "gdcat",
                            "outcome": "conforms",
                        }
                    ],
                    "total": 1,
                    "limit": 100,
                    "offset": 0,
                }
            ]
        }
    )

    node: str
    items: list[NodeRecord]
    total: int
    limit: int
    offset: int


# -- request bodies ---------------------------------------------------------------------------

_TURTLE_EXAMPLE = f"""\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .

<{_EXAMPLE_IRI}> a dcat:Dataset ;
    dct:title "Rare disease whole-genome sequencing cohort"@en ;
    dct:description "Genomes of patients with a suspected rare disease."@en .
"""

_YAML_EXAMPLE = {
    "id": _EXAMPLE_IRI,
    "title": {"en": "Rare disease whole-genome sequencing cohort"},
    "description": {"en": "Genomes of patients with a suspected rare disease."},
    "access_rights": "access-right:NON_PUBLIC",
    "sequencing_type": "WGS",
}

_BODY_MEDIA_TYPES: dict[str, dict[str, Any]] = {
    "text/turtle": {"schema": {"type": "string"}, "example": _TURTLE_EXAMPLE},
    "application/ld+json": {
        "schema": {"type": "object"},
        "example": {
            "@context": {
                "dcat": "http://www.w3.org/ns/dcat#",
                "dct": "http://purl.org/dc/terms/",
            },
            "@id": _EXAMPLE_IRI,
            "@type": "dcat:Dataset",
            "dct:title": {
                "@value": "Rare disease whole-genome sequencing cohort",
                "@language": "en",
            },
        },
    },
    "application/rdf+xml": {"schema": {"type": "string"}},
    "application/n-triples": {"schema": {"type": "string"}},
    "application/trig": {"schema": {"type": "string"}},
    "application/n-quads": {"schema": {"type": "string"}},
    "application/yaml": {"schema": {"type": "object"}, "example": _YAML_EXAMPLE},
}

_PUT_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "The dataset, described in one RDF document (Turtle, JSON-LD, RDF/XML, N-Triples) "
            "or as steward YAML; the Content-Type says which. It must describe exactly the "
            "dataset named by `iri`: its distributions, agents and contact points come with it; "
            "anything else (a catalogue around it) is not stored."
        ),
        "content": _BODY_MEDIA_TYPES,
    }
}

_POST_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "A document describing one or more datasets of the node: an RDF document "
            "(Turtle, JSON-LD, RDF/XML, N-Triples, TriG, N-Quads), steward YAML (a list of "
            "mappings), or a filled steward spreadsheet (`text/csv`, or XLSX: "
            "`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, one row per "
            "dataset, see `gdcat template`); the Content-Type says which. Every dataset is "
            "validated; all are stored, or none."
        ),
        "content": {
            **_BODY_MEDIA_TYPES,
            "application/yaml": {
                "schema": {"type": "array", "items": {"type": "object"}},
                "example": [_YAML_EXAMPLE],
            },
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

Node = Annotated[
    str,
    Path(
        description="The node's id (as in the node registry and the token)",
        pattern=NODE_PATTERN,
        examples=["nl"],
    ),
]
DatasetIri = Annotated[
    str,
    Query(
        description="The dataset's IRI, as the node mints it (absolute http or https)",
        max_length=MAX_IRI_LENGTH,
        pattern=DATASET_IRI,
        examples=[_EXAMPLE_IRI],
    ),
]


# -- routes -----------------------------------------------------------------------------------


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the publishing routes to ``app``."""
    publisher = Publisher(ctx.store, ctx.settings)
    ctx.extras[_EXTRA_KEY] = PublishState(TokenFile(ctx.settings.tokens_file), publisher)
    ctx.closers.append(publisher.close)

    @app.put(
        "/api/nodes/{node}/datasets",
        tags=["publishing"],
        summary="Create or replace a dataset of your node",
        response_model=PublishedDataset,
        status_code=200,
        responses={
            201: {
                "description": "Created: the dataset is new (Location: where gdcat serves it)",
                "model": PublishedDataset,
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
            **problem_responses(400, 401, 403, 413, 415, 422, 500, 503),
        },
        openapi_extra=_PUT_BODY,
    )
    async def put_dataset(
        request: Request,
        response: Response,
        node: Node,
        iri: DatasetIri,
        caller: Annotated[Caller, Depends(authenticated)],
        context: Annotated[AppContext, Depends(get_context)],
    ) -> PublishedDataset:
        """Validate the body against the node's profile and store it: **201** when the dataset
        is new, **200** when it replaced the node's previous version (with the validation
        warnings). **422** with the validation report when it has violations: nothing is
        stored and the previous version stays. **403** when the token is another node's, or
        when another node holds the IRI. Every attempt is in the audit trail."""
        publisher = publish_state(context).publisher
        try:
            body = await _read_body(request, context.settings.max_document_bytes)
        except PayloadTooLargeError as e:
            await run_in_threadpool(publisher.refused, caller, "put", iri, e)
            raise
        media_type = request.headers.get("content-type")
        try:
            published = await run_in_threadpool(publisher.put, caller, node, iri, body, media_type)
        except NotOwnerError as e:
            raise _forbidden(e) from None
        except RecordRefusedError as e:
            raise Problem(
                422,
                "Record refused",
                str(e),
                kind="refused",
                profile=e.report.profile,
                report=e.report.to_json(),
            ) from None
        out = _published_model(published, context.base_iri)
        if published.status == "created":
            response.status_code = 201
            response.headers["Location"] = out.location
        return out

    @app.post(
        "/api/nodes/{node}/datasets",
        tags=["publishing"],
        summary="Create or replace every dataset of a document, all or none",
        response_model=PublishedDocument,
        status_code=201,
        responses={
            201: {"description": "Stored: every dataset of the document"},
            **problem_responses(400, 401, 403, 413, 415, 422, 500, 503),
        },
        openapi_extra=_POST_BODY,
    )
    async def post_datasets(
        request: Request,
        node: Node,
        caller: Annotated[Caller, Depends(authenticated)],
        context: Annotated[AppContext, Depends(get_context)],
    ) -> PublishedDocument:
        """Validate every dataset of the body against the node's profile and store them all
        in one write (**201**, each with its status and warnings), or none: **422** when any
        has violations or describes what it may not, with each refused record's location (a
        spreadsheet's sheet and row) and report; **403** when the token is another node's, or
        every refused dataset is another node's. Every dataset's attempt is in the audit
        trail."""
        publisher = publish_state(context).publisher
        try:
            body = await _read_body(request, context.settings.max_document_bytes)
        except PayloadTooLargeError as e:
            await run_in_threadpool(publisher.refused, caller, "put", None, e)
            raise
        media_type = request.headers.get("content-type")
        try:
            published = await run_in_threadpool(
                publisher.put_document, caller, node, body, media_type
            )
        except NotOwnerError as e:
            raise _forbidden(e) from None
        except DocumentRefusedError as e:
            raise Problem(
                e.status,
                "Document refused" if e.status == 422 else "Forbidden",
                str(e),
                kind="document-refused",
                records=e.records,
                refused=[r.to_json() for r in e.refusals],
            ) from None
        return PublishedDocument(
            node=node,
            total=len(published),
            items=[_published_model(p, context.base_iri) for p in published],
        )

    @app.delete(
        "/api/nodes/{node}/datasets",
        tags=["publishing"],
        summary="Withdraw a dataset of your node",
        status_code=204,
        response_class=Response,
        responses={
            204: {"description": "Withdrawn: its catalogue record stays as a tombstone"},
            **problem_responses(400, 401, 403, 404, 422, 500, 503),
        },
    )
    async def delete_dataset(
        node: Node,
        iri: DatasetIri,
        caller: Annotated[Caller, Depends(authenticated)],
        context: Annotated[AppContext, Depends(get_context)],
    ) -> Response:
        """Withdraw the dataset: its graph goes, its catalogue record stays as a tombstone
        (the change feed announces the deletion). **404** when there is no live record,
        **403** when it is another node's."""
        publisher = publish_state(context).publisher
        try:
            await run_in_threadpool(publisher.delete, caller, node, iri)
        except NotOwnerError as e:
            raise _forbidden(e) from None
        return Response(status_code=204)

    @app.get(
        "/api/nodes/{node}/datasets",
        tags=["publishing"],
        summary="A node's live records",
        response_model=NodeRecords,
        responses=problem_responses(422, 503),
    )
    def node_records(
        node: Node,
        context: Annotated[AppContext, Depends(get_context)],
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    ) -> NodeRecords:
        """The node's live records, by dataset IRI: harvested ones and those its stewards
        published (``published``), with the profile and outcome they were stored with."""
        base = context.base_iri
        sources = context.store.record_sources(node)
        chosen = sorted(sources)[offset : offset + limit]
        items = [
            NodeRecord(
                dataset=iri,
                key=_key(base, iri),
                published=is_published_source(base, sources[iri].source_url),
                source=sources[iri].source_url,
                profile=sources[iri].profile,
                outcome=sources[iri].outcome,
            )
            for iri in chosen
        ]
        return NodeRecords(node=node, items=items, total=len(sources), limit=limit, offset=offset)

    @app.get(
        "/api/audit",
        tags=["publishing"],
        summary="The audit trail of publishing",
        response_model=AuditPage,
        responses=problem_responses(422, 500, 503),
    )
    def audit_trail(
        request: Request,
        context: Annotated[AppContext, Depends(get_context)],
        node: Annotated[
            str | None, Query(pattern=NODE_PATTERN, description="Only this node's attempts")
        ] = None,
        dataset: Annotated[
            str | None, Query(max_length=2048, description="Only attempts on this dataset")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    ) -> AuditPage:
        """Every write attempt of every node, newest first: accepted, refused, forbidden,
        failed. **Public, no token needed**: each entry is linked data at its IRI anyway
        (``{base}audit/{id}``, in the graph ``{base}graph/audit``, which SPARQL queries see).
        An entry names the token used by its id, never the token. ``node`` and ``dataset``
        narrow the trail to one node's attempts or to the attempts on one dataset."""
        trail = publish_state(context).publisher.audit
        entries, total = trail.entries(node=node, dataset=dataset, limit=limit, offset=offset)
        following = None
        if offset + len(entries) < total:
            following = str(request.url.include_query_params(offset=offset + limit))
        return AuditPage(
            items=[_audit_model(e) for e in entries],
            total=total,
            limit=limit,
            offset=offset,
            next=following,
        )


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it is over ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(
            f"the body is {int(declared):,} bytes, over the limit of {limit:,} bytes"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"the body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _forbidden(error: GdcatError) -> Problem:
    return Problem(403, "Forbidden", str(error), kind="forbidden")


def _key(base: str, dataset: str) -> str:
    return record_iri(base, dataset).rsplit("/", 1)[-1]


def _published_model(published: Published, base: str) -> PublishedDataset:
    return PublishedDataset(
        dataset=published.dataset,
        node=published.node,
        status=published.status,
        key=published.key,
        record=published.record,
        location=f"{base}dataset/{published.key}",
        profile=published.profile,
        outcome=published.outcome,
        warnings=[
            ValidationMessage(
                dataset=r.dataset,
                path=r.path,
                severity=r.severity,
                message=r.message,
                hint=r.hint,
                property=r.property,
                focus_node=r.focus_node,
                value=r.value,
            )
            for r in published.warnings
        ],
        ignored_triples=published.ignored_triples,
        audit=published.audit.iri.rsplit("/", 1)[-1],
    )


def _audit_model(entry: AuditEntry) -> AuditEntryModel:
    return AuditEntryModel.model_validate(entry.to_json())
