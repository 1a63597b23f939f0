"""The steward's session in the browser: signing in with the node token, the session cookie,
and the check every form post of a steward page goes through.

The one rule for steward pages: a route that changes anything reads its form with
:func:`checked_form`, which refuses (403) a post from another site, without a signed-in
session (401), or without the session's form token (``csrf_token``, rendered by
``{{ csrf_field }}``); it reads the body within a size limit (413). The change itself goes
through :mod:`gdcat.publish` (node scope, validation on write, the audit trail), as the
publishing API's does: :func:`publisher_of` is the application's one :class:`Publisher`.

The cookie is ``HttpOnly`` (scripts never read it), ``SameSite=Strict`` (another site's pages
never send it) and ``Secure`` (``session_cookie_secure``, on by default; browsers accept a
secure cookie from ``http://127.0.0.1`` and ``localhost``).

Only stewards sign in here: the administrator's token is refused in the browser (it would put
the one secret that can do everything into a cookie, for pages that only change one node's
records; administration stays with the API and the command line).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response
from markupsafe import Markup, escape
from starlette.datastructures import FormData
from starlette.types import Message

from gdcat.publish.session import StewardSession, new_cookie_value, open_session
from gdcat.publish.tokens import TokenFile, TokenFileError
from gdcat.publish.writer import Publisher
from gdcat.settings import Settings

_log = logging.getLogger(__name__)

COOKIE_NAME = "gdcat_steward"
#: The hidden form field that carries the session's form token.
FORM_FIELD = "csrf_token"
_EXTRA_KEY = "publish"
#: What a form adds to the largest document it may carry (field names, boundaries, the
#: form token, a dataset IRI): a posted form is read up to ``max_document_bytes`` + this.
FORM_OVERHEAD_BYTES = 64 * 1024
#: A steward form has a handful of fields and at most one file; a form that carries more (the
#: describe form: a field per answer) says how many with ``checked_form(max_fields=...)``.
_MAX_FIELDS = 50
_MAX_FILES = 1


class _Context(Protocol):
    settings: Settings
    extras: dict[str, Any]


def _context(request: Request) -> _Context:
    ctx: _Context = request.app.state.ctx
    return ctx


def _tokens(ctx: _Context) -> TokenFile | None:
    tokens = getattr(ctx.extras.get(_EXTRA_KEY), "tokens", None)
    return tokens if isinstance(tokens, TokenFile) else None


def _required_tokens(ctx: _Context) -> TokenFile:
    tokens = _tokens(ctx)
    if tokens is None:
        raise HTTPException(503, "publishing is not available on this server")
    return tokens


def publisher_of(request: Request) -> Publisher:
    """The application's publisher (the one the publishing API uses); 503 without one."""
    publisher = getattr(_context(request).extras.get(_EXTRA_KEY), "publisher", None)
    if not isinstance(publisher, Publisher):
        raise HTTPException(503, "publishing is not available on this server")
    return publisher


def _open(ctx: _Context, cookie: str) -> StewardSession | None:
    tokens = _tokens(ctx)
    if tokens is None:  # a server without publishing has no sessions
        return None
    try:
        session = open_session(cookie, tokens, ctx.settings.admin_token)
    except TokenFileError as e:
        # the operator's file, not the steward's fault: the details go to the log only
        _log.error("steward tokens cannot be checked: %s", e)
        raise HTTPException(503, "steward tokens cannot be checked now; try again later") from e
    if session is None or session.caller.role != "steward":
        return None
    return session


def steward_of(request: Request) -> StewardSession | None:
    """The signed-in steward of ``request``, or None (no cookie, a token unknown or revoked,
    a server that does not publish)."""
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return None
    return _open(_context(request), cookie)


def layout_steward(request: Request) -> dict[str, Any] | None:
    """What the layout shows of a signed-in steward (the node, the sign-out form's token), or
    None; never fails (a page is drawn even when the tokens file cannot be read)."""
    try:
        session = steward_of(request)
    except HTTPException:
        return None
    if session is None:
        return None
    return {"node": session.node, "csrf": csrf_field(session)}


def is_admin_token(request: Request, token: str) -> bool:
    """Whether ``token`` is the administrator's (which does not sign in here)."""
    admin = _context(request).settings.admin_token
    if not admin or not token:
        return False
    presented = hashlib.sha256(token.encode("utf-8")).digest()
    return hmac.compare_digest(presented, hashlib.sha256(admin.encode("utf-8")).digest())


def sign_in(request: Request, response: Response, token: str) -> StewardSession | None:
    """Sign ``token`` in on ``response`` (sets the cookie); None when the token is unknown,
    revoked or the administrator's (nothing is set)."""
    ctx = _context(request)
    _required_tokens(ctx)
    token = token.strip()
    if not token or is_admin_token(request, token):
        return None
    value = new_cookie_value(token)
    session = _open(ctx, value)
    if session is None:
        return None
    response.set_cookie(
        COOKIE_NAME,
        value,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.session_cookie_secure,
        path="/",
    )
    return session


def sign_out(request: Request, response: Response) -> None:
    """End the session on ``response`` (the cookie is removed)."""
    ctx = _context(request)
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="strict",
        secure=ctx.settings.session_cookie_secure,
    )


def csrf_field(session: StewardSession | None) -> Markup:
    """The hidden input every form of a signed-in page carries (empty without a session)."""
    if session is None:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FORM_FIELD, escape(session.form_token)
    )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site.

    ``Sec-Fetch-Site`` decides when present (every current browser sends it, and no page can
    set it): ``same-origin``, or ``none`` (the user's own action), passes. Without it, an
    ``Origin`` must be this server's as the request reached it, or the origin of
    ``base_iri`` (the public address behind a reverse proxy that ends TLS); ``Origin: null``
    (a sandboxed or privacy-hidden origin) is refused. A request with neither header (an
    older browser, a script) passes this check: the form token still has to be right."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.strip().lower() in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    if origin == "null":
        return False
    own = {
        f"{request.url.scheme}://{request.url.netloc}".lower(),
        _origin_of(_context(request).settings.base_iri),
    }
    return origin in own


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = HTTPException(
        413,
        f"the form is over the limit of {limit:,} bytes (the largest document gdcat reads, "
        "max_document_bytes, and the form around it); split the file",
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_form(request: Request, limit: int, *, max_files: int, max_fields: int) -> FormData:
    """The form of ``request``, its body read first within ``limit`` bytes (a multipart
    parser alone would spool any size of upload to disk)."""
    body = await _bounded_body(request, limit)
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, replay).form(max_files=max_files, max_fields=max_fields)


async def checked_form(
    request: Request, *, max_fields: int = _MAX_FIELDS
) -> tuple[StewardSession, FormData]:
    """The posted form of a signed-in steward, after the checks against cross-site request
    forgery; 403 otherwise (401 without a session, 413 for a form over the size limit, 400
    for one of more than ``max_fields`` fields: a form generated from the model, such as the
    describe form, names its own bound)."""
    if not same_origin(request):
        raise HTTPException(403, "this form was posted from another site and is refused")
    session = steward_of(request)
    if session is None:
        raise HTTPException(401, "sign in with your node token first")
    limit = _context(request).settings.max_document_bytes + FORM_OVERHEAD_BYTES
    form = await _read_form(request, limit, max_files=_MAX_FILES, max_fields=max_fields)
    presented = form.get(FORM_FIELD)
    if not session.accepts(presented if isinstance(presented, str) else None):
        raise HTTPException(
            403, "the form's security token is missing or out of date: reload the page"
        )
    return session, form


async def public_form(request: Request, *, limit: int = 16 * 1024) -> FormData:
    """A small form posted without a session (the sign-in form): refused (403) from another
    site, like :func:`checked_form`, and read within ``limit`` bytes (413)."""
    if not same_origin(request):
        raise HTTPException(403, "this form was posted from another site and is refused")
    return await _read_form(request, limit, max_files=0, max_fields=10)


__all__ = [
    "COOKIE_NAME",
    "FORM_FIELD",
    "StewardSession",
    "checked_form",
    "csrf_field",
    "is_admin_token",
    "layout_steward",
    "public_form",
    "publisher_of",
    "same_origin",
    "sign_in",
    "sign_out",
    "steward_of",
]
