"""The stewards' own pages: sign in with the node token, the node's records, upload, replace
and withdraw: ``/steward``, ``/steward/sign-out``, ``/steward/records`` and its actions.

Every change goes through the application's one :class:`~gdcat.publish.Publisher` (the node
scope, validation on write, the audit trail naming the token's id), exactly as the publishing
API's ``PUT`` and ``DELETE`` do; the pages only read the form and say the outcome in words. A
route that changes anything reads its form with
:func:`~gdcat.ui.steward_session.checked_form` (same origin, signed in, the session's form
token). The sign-in form has no session yet: it is protected against *login* forgery (another
site signing the browser in with the attacker's token) by the same-origin check alone
(``Sec-Fetch-Site``, else ``Origin``), and the cookie is ``SameSite=Strict``.

The administrator's token does not sign in here (see :mod:`gdcat.ui.steward_session`).

Harvested records of the node are listed too. Publishing rules decide what a steward may do with
them (:mod:`gdcat.publish.writer`): the node may replace or withdraw them, and a replaced one is
the stewards' from then on (the harvest no longer updates it from the node's catalogue); a
withdrawn one comes back with the next harvest if the catalogue still lists it. The page says
so next to each harvested record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from gdcat.errors import GdcatError, InputError
from gdcat.harvest.nodes import RECORD_SORTS, node_records
from gdcat.publish.session import StewardSession
from gdcat.publish.writer import (
    DocumentRefusedError,
    Published,
    Publisher,
    RecordRefusal,
    RecordRefusedError,
    outcome_of,
)
from gdcat.rdf.formats import FORMATS, format_for_path
from gdcat.store.records import is_published_source
from gdcat.ui.i18n import N_, Reader, translations
from gdcat.ui.nodes_page import SORT_WORDS, moment
from gdcat.ui.pages import label_of, offer_page, reader_of, render, with_code
from gdcat.ui.search_page import Context
from gdcat.ui.steward_session import (
    checked_form,
    csrf_field,
    is_admin_token,
    public_form,
    publisher_of,
    sign_in,
    sign_out,
    steward_of,
)
from gdcat.validate import ValidationResult

#: Records per page of ``/steward/records``.
PAGE_SIZE = 50
#: What the record list calls a record's validation outcome.
OUTCOME_WORDS: dict[str, str] = {
    "conforms": N_("conforms"),
    "warnings": N_("conforms, with warnings"),
    "violations": N_("has violations"),
}
#: What an outcome page calls what happened to a record.
STATUS_WORDS: dict[str, str] = {
    "created": N_("Published (new)"),
    "replaced": N_("Replaced"),
    "withdrawn": N_("Withdrawn"),
    "refused": N_("Refused: the record has violations, nothing was stored"),
    "forbidden": N_("Refused: not your node's record"),
    "not-found": N_("Not found: there is no live record of this dataset"),
    "unusable": N_("Refused: the file cannot be read"),
    "failed": N_("Failed: the server could not store it; try again later"),
}
#: What the publisher calls the document it read (its errors' locations start with it).
_BODY = "request body"
#: No steward page may be kept by a cache: they carry the session's form token.
_PRIVATE = {"Cache-Control": "no-store", "Vary": "Cookie, Accept-Language"}
#: The file types the upload fields offer (every format gdcat reads).
ACCEPTED = ",".join(ext for fmt in FORMATS for ext in fmt.extensions)


@dataclass(frozen=True)
class Problem:
    """One validation result as the outcome page says it: the field, what is wrong, how to
    fix it, and where it was written (a spreadsheet's sheet, row and column)."""

    path: str
    message: str
    hint: str
    value: str | None
    where: str | None


def _problems(
    results: list[ValidationResult], filename: str | None, *, violations: bool
) -> list[Problem]:
    return [
        Problem(
            r.path,
            with_code(r.message),
            with_code(r.hint),
            r.value,
            _named(str(r.location), filename) if r.location is not None else None,
        )
        for r in results
        if (r.severity == "Violation") is violations
    ]


@dataclass
class Outcome:
    """What happened to one record of a post, for the outcome page."""

    status: str
    http_status: int
    dataset: str | None
    words: str
    detail: str | None = None
    page: str | None = None
    violations: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _keep(reader: Reader) -> str:
    return f"?lang={reader.lang}" if reader.chosen else ""


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_PRIVATE)


def _published(published: Published, home: str, reader: Reader) -> Outcome:
    return Outcome(
        status=published.status,
        http_status=200,
        dataset=published.dataset,
        words=reader.gettext(STATUS_WORDS[published.status]),
        detail=None,
        page=f"{home}dataset/{published.key}{_keep(reader)}",
        warnings=_problems(list(published.warnings), None, violations=False),
    )


def _failed(
    error: GdcatError, dataset: str | None, reader: Reader, filename: str | None = None
) -> Outcome:
    status, http_status = outcome_of(error)
    if isinstance(error, RecordRefusedError):
        return Outcome(
            status,
            http_status,
            dataset,
            reader.gettext(STATUS_WORDS[status]),
            detail=f"{reader.gettext('Validation profile')}: {error.report.profile}",
            violations=_problems(error.report.results, filename, violations=True),
            warnings=_problems(error.report.results, filename, violations=False),
        )
    detail = error.public_message
    location = getattr(error, "location", None)
    located = isinstance(error, InputError) and location is not None and location.line
    if located and not detail.startswith(str(location)):
        detail = f"{location}: {detail}"
    return Outcome(
        status,
        http_status,
        dataset,
        reader.gettext(STATUS_WORDS[status]),
        _named(detail, filename),
    )


def _named(text: str, filename: str | None) -> str:
    """``text`` with the publisher's name for what it read (``request body``) replaced by the
    uploaded file's name, which the steward knows."""
    if filename and text.startswith(_BODY):
        return filename + text[len(_BODY) :]
    return text


def _refusal(refusal: RecordRefusal, reader: Reader, filename: str) -> Outcome:
    report = refusal.report
    return Outcome(
        refusal.outcome,
        refusal.status,
        refusal.dataset,
        reader.gettext(STATUS_WORDS.get(refusal.outcome, STATUS_WORDS["refused"])),
        detail=with_code(_named(f"{refusal.location}: {refusal.reason}", filename)),
        violations=_problems(report.results, filename, violations=True) if report else [],
        warnings=_problems(report.results, filename, violations=False) if report else [],
    )


def _upload(form: FormData) -> UploadFile:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "choose a file to upload")
    return upload


def _record_field(form: FormData) -> str:
    record = form.get("record")
    if not isinstance(record, str) or not record:
        raise HTTPException(400, "the form names no record")
    return record


def install(app: FastAPI, ctx: Context) -> None:
    """Add the stewards' pages to ``app``."""
    offer_page(app, "steward")

    def outcome_page(
        request: Request, action: str, outcomes: list[Outcome], summary: str | None = None
    ) -> HTMLResponse:
        reader = reader_of(request)
        home = str(request.base_url)
        status = max((o.http_status for o in outcomes), default=200)
        body = render(
            request,
            "steward_outcome.html",
            section="steward",
            title=action,
            outcomes=outcomes,
            summary=summary,
            records_url=f"{home}steward/records{_keep(reader)}",
        )
        return _html(body, status)

    def session_or_sign_in(request: Request) -> StewardSession | Response:
        session = steward_of(request)
        if session is None:
            reader = reader_of(request)
            return RedirectResponse(
                f"{request.base_url}steward{_keep(reader)}", 303, headers=_PRIVATE
            )
        return session

    # -- signing in and out -----------------------------------------------------------------

    def sign_in_page(
        request: Request, *, message: str | None = None, status: int = 200
    ) -> HTMLResponse:
        reader = reader_of(request)
        body = render(
            request,
            "steward_sign_in.html",
            section="steward",
            title=reader.gettext("Sign in as a data steward"),
            action=f"{request.base_url}steward{_keep(reader)}",
            message=message,
        )
        return _html(body, status)

    @app.get("/steward", include_in_schema=False, response_class=HTMLResponse)
    def steward_home(request: Request) -> Response:
        if steward_of(request) is not None:
            reader = reader_of(request)
            return RedirectResponse(
                f"{request.base_url}steward/records{_keep(reader)}", 303, headers=_PRIVATE
            )
        return sign_in_page(request)

    @app.post("/steward", include_in_schema=False, response_class=HTMLResponse)
    async def steward_sign_in(request: Request) -> Response:
        form = await public_form(request)  # same origin only: no login forgery
        reader = reader_of(request)
        token = form.get("token")
        token = token.strip() if isinstance(token, str) else ""
        if is_admin_token(request, token):
            return sign_in_page(
                request,
                message=reader.gettext(
                    "The administrator's token does not sign in here: sign in with your "
                    "node's steward token (gdcat token create NODE)."
                ),
                status=403,
            )
        response = RedirectResponse(
            f"{request.base_url}steward/records{_keep(reader)}", 303, headers=_PRIVATE
        )
        if sign_in(request, response, token) is None:
            return sign_in_page(
                request,
                message=reader.gettext(
                    "This token is unknown or has been revoked. Check that you pasted the "
                    "whole token, or ask your operator for a new one."
                ),
                status=401,
            )
        return response

    @app.post("/steward/sign-out", include_in_schema=False)
    async def steward_sign_out(request: Request) -> Response:
        await checked_form(request)
        reader = reader_of(request)
        response = RedirectResponse(
            f"{request.base_url}steward{_keep(reader)}", 303, headers=_PRIVATE
        )
        sign_out(request, response)
        return response

    # -- the node's records -----------------------------------------------------------------

    @app.get("/steward/records", include_in_schema=False, response_class=HTMLResponse)
    def steward_records(
        request: Request,
        sort: str = Query("title"),
        page: int = Query(1, ge=1, le=100_000),
    ) -> Response:
        found = session_or_sign_in(request)
        if not isinstance(found, StewardSession):
            return found
        session = found
        node = session.node or ""
        if sort not in RECORD_SORTS:
            raise HTTPException(422, f"sort must be one of {', '.join(RECORD_SORTS)}")
        reader = reader_of(request)
        home = str(request.base_url)
        keep = _keep(reader)
        records, total = node_records(
            ctx.store, node, sort=sort, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        sources = ctx.store.record_sources(node)
        base = ctx.store.base_iri
        pages = max(1, -(-total // PAGE_SIZE))
        lang = [("lang", reader.lang)] if reader.chosen else []

        def url(**state: str | int) -> str:
            return f"{home}steward/records?{urlencode([*lang, *state.items()])}"

        def action(path: str, dataset: str) -> str:
            return f"{home}{path}?{urlencode([('record', dataset), *lang])}"

        rows = []
        for r in records:
            source = sources.get(r.dataset)
            published = source is not None and is_published_source(base, source.source_url)
            outcome = source.outcome if source is not None else ""
            rows.append(
                {
                    "title": r.title or r.dataset,
                    "iri": r.dataset,
                    "modified": moment(r.modified),
                    "published": published,
                    "outcome": outcome,
                    "outcome_words": reader.gettext(OUTCOME_WORDS[outcome])
                    if outcome in OUTCOME_WORDS
                    else "–",
                    "profile": source.profile if source is not None else "",
                    "view": f"{home}dataset/{r.record.rsplit('/', 1)[-1]}{keep}",
                    "edit": action("describe", r.dataset),
                    "replace": action("steward/records/replace", r.dataset),
                    "withdraw": action("steward/records/withdraw", r.dataset),
                }
            )
        body = render(
            request,
            "steward_records.html",
            section="steward",
            title=reader.gettext("Records of node %(node)s") % {"node": node},
            node=node,
            records=rows,
            total=total,
            page=page,
            pages=pages,
            sort=sort,
            sorts=[(name, SORT_WORDS[name], url(sort=name)) for name in RECORD_SORTS],
            title_sort=url(sort="-title" if sort == "title" else "title"),
            date_sort=url(sort="modified" if sort == "-modified" else "-modified"),
            prev_url=url(sort=sort, page=page - 1) if 1 < page <= pages else None,
            next_url=url(sort=sort, page=page + 1) if page < pages else None,
            csrf_field=csrf_field(session),
            upload_action=f"{home}steward/records/upload{keep}",
            accepted=ACCEPTED,
            node_url=f"{home}nodes/{node}{keep}",
            quality_url=f"{home}nodes/{node}/quality{keep}",
            describe_url=f"{home}describe{keep}",
            validate_url=f"{home}validate{keep}",
            audit_url=f"{home}api/audit?{urlencode([('node', node)])}",
        )
        return _html(body)

    def own_record(session: StewardSession, dataset: str, reader: Reader) -> dict[str, Any]:
        """The record a confirmation or replace page is about: 404 when there is no live
        record, 403 when another node holds it (the post would be refused the same way)."""
        existing = ctx.store.catalog_record(dataset)
        if existing is None or existing.withdrawn:
            raise HTTPException(404, f"no live record of {dataset} in the catalogue")
        if existing.meta.node != session.node:
            raise HTTPException(
                403,
                f"{dataset} is held by node {existing.meta.node or '(none)'}; you are signed "
                f"in for node {session.node}",
            )
        graph = ctx.store.get_record(dataset)
        title = label_of(graph, URIRef(dataset), reader.lang) if graph is not None else None
        return {
            "iri": dataset,
            "title": title or dataset,
            "published": is_published_source(ctx.store.base_iri, existing.meta.source),
            "key": existing.iri.rsplit("/", 1)[-1],
        }

    def record_action_page(request: Request, template: str, dataset: str, title: str) -> Response:
        found = session_or_sign_in(request)
        if not isinstance(found, StewardSession):
            return found
        reader = reader_of(request)
        home = str(request.base_url)
        keep = _keep(reader)
        record = own_record(found, dataset, reader)
        body = render(
            request,
            template,
            section="steward",
            title=title,
            record=record,
            view_url=f"{home}dataset/{record['key']}{keep}",
            records_url=f"{home}steward/records{keep}",
            csrf_field=csrf_field(found),
            action=f"{request.base_url}{request.url.path.lstrip('/')}{keep}",
            accepted=ACCEPTED,
        )
        return _html(body)

    @app.get("/steward/records/withdraw", include_in_schema=False, response_class=HTMLResponse)
    def withdraw_page(request: Request, record: str = Query(..., max_length=2048)) -> Response:
        reader = reader_of(request)
        return record_action_page(
            request, "steward_withdraw.html", record, reader.gettext("Withdraw a record")
        )

    @app.get("/steward/records/replace", include_in_schema=False, response_class=HTMLResponse)
    def replace_page(request: Request, record: str = Query(..., max_length=2048)) -> Response:
        reader = reader_of(request)
        return record_action_page(
            request, "steward_replace.html", record, reader.gettext("Replace a record")
        )

    async def publishing(
        call: Callable[[], Any], dataset: str | None, reader: Reader, filename: str | None = None
    ) -> tuple[Any, Outcome | None]:
        try:
            return await run_in_threadpool(call), None
        except GdcatError as e:  # the publisher's refusals, each with its status
            return None, _failed(e, dataset, reader, filename)

    @app.post("/steward/records/withdraw", include_in_schema=False, response_class=HTMLResponse)
    async def withdraw(request: Request) -> Response:
        session, form = await checked_form(request)
        reader = reader_of(request)
        dataset = _record_field(form)
        publisher = publisher_of(request)
        node = session.node or ""
        _, failure = await publishing(
            lambda: publisher.delete(session.caller, node, dataset), dataset, reader
        )
        outcome = failure or Outcome(
            "withdrawn", 200, dataset, reader.gettext(STATUS_WORDS["withdrawn"])
        )
        return outcome_page(request, reader.gettext("Withdraw a record"), [outcome])

    @app.post("/steward/records/replace", include_in_schema=False, response_class=HTMLResponse)
    async def replace(request: Request) -> Response:
        session, form = await checked_form(request)
        reader = reader_of(request)
        home = str(request.base_url)
        dataset = _record_field(form)
        upload = _upload(form)
        body = await upload.read()
        publisher = publisher_of(request)
        node = session.node or ""
        title = reader.gettext("Replace a record")
        try:
            media_type = format_for_path(upload.filename or "").media_type
        except GdcatError as e:
            return outcome_page(request, title, [_failed(e, dataset, reader, upload.filename)])
        published, failure = await publishing(
            lambda: publisher.put(session.caller, node, dataset, body, media_type),
            dataset,
            reader,
            upload.filename,
        )
        outcome = failure or _published(published, home, reader)
        return outcome_page(request, title, [outcome])

    @app.post("/steward/records/upload", include_in_schema=False, response_class=HTMLResponse)
    async def upload(request: Request) -> Response:
        session, form = await checked_form(request)
        reader = reader_of(request)
        home = str(request.base_url)
        upload = _upload(form)
        body = await upload.read()
        publisher = publisher_of(request)
        node = session.node or ""
        title = reader.gettext("Upload datasets")
        filename = upload.filename or ""
        summary, outcomes = await run_in_threadpool(
            publish_document, publisher, session, node, filename, body, home, reader
        )
        return outcome_page(request, title, outcomes, summary)

    def publish_document(
        publisher: Publisher,
        session: StewardSession,
        node: str,
        filename: str,
        body: bytes,
        home: str,
        reader: Reader,
    ) -> tuple[str | None, list[Outcome]]:
        """Publish every dataset of one uploaded file, all or none: a summary when some were
        refused, and what happened to each record."""
        try:
            media_type = format_for_path(filename).media_type
            published = publisher.put_document(session.caller, node, body, media_type)
        except DocumentRefusedError as e:
            summary = translations(reader.lang).ngettext(
                "%(refused)s of the %(num)s record of %(file)s was refused, so none was stored.",
                "%(refused)s of the %(num)s records of %(file)s were refused, so none was stored.",
                e.records,
            ) % {"refused": len(e.refusals), "num": e.records, "file": filename}
            return summary, [_refusal(r, reader, filename) for r in e.refusals]
        except GdcatError as e:
            return None, [_failed(e, None, reader, filename)]
        return None, [_published(p, home, reader) for p in published]


__all__ = ["ACCEPTED", "OUTCOME_WORDS", "PAGE_SIZE", "STATUS_WORDS", "install"]
