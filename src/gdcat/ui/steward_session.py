"""The steward's session in the browser: signing in with the node token, the session cookie,
and the check every form post of a steward page goes through.

The one rule for steward pages: a route that changes anything reads its form with
:func:`checked_form`, which refuses (403) a post without a signed-in session, without the
session's form token (``csrf_token``, rendered by ``{{ csrf_field }}``), or from another
origin. The change itself goes through :mod:`gdcat.publish` (node scope, validation on write,
the audit trail), as the publishing API's does.

The cookie is ``HttpOnly`` (scripts never read it), ``SameSite=Strict`` (another site's pages
never send it) and ``Secure`` (``session_cookie_secure``, on by default; browsers accept a
secure cookie from ``http://127.0.0.1`` and ``localhost``).
"""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import HTTPException, Request, Response
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from gdcat.publish.session import StewardSession, new_cookie_value, open_session
from gdcat.publish.tokens import TokenFile
from gdcat.settings import Settings

COOKIE_NAME = "gdcat_steward"
#: The hidden form field that carries the session's form token.
FORM_FIELD = "csrf_token"
_EXTRA_KEY = "publish"


class _Context(Protocol):
    settings: Settings
    extras: dict[str, Any]


def _context(request: Request) -> _Context:
    ctx: _Context = request.app.state.ctx
    return ctx


def _tokens(ctx: _Context) -> TokenFile:
    state = ctx.extras.get(_EXTRA_KEY)
    tokens = getattr(state, "tokens", None)
    if not isinstance(tokens, TokenFile):
        raise HTTPException(503, "publishing is not available on this server")
    return tokens


def steward_of(request: Request) -> StewardSession | None:
    """The signed-in steward of ``request``, or None."""
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return None
    ctx = _context(request)
    return open_session(cookie, _tokens(ctx), ctx.settings.admin_token)


def sign_in(request: Request, response: Response, token: str) -> StewardSession | None:
    """Sign ``token`` in on ``response`` (sets the cookie); None when the token is unknown or
    revoked (nothing is set)."""
    ctx = _context(request)
    value = new_cookie_value(token)
    session = open_session(value, _tokens(ctx), ctx.settings.admin_token)
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


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site: ``Sec-Fetch-Site``
    (every current browser sends it), else an ``Origin`` that is not this server's."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        own = f"{request.url.scheme}://{request.url.netloc}"
        return origin.rstrip("/") == own
    return origin != "null"


async def checked_form(request: Request) -> tuple[StewardSession, FormData]:
    """The posted form of a signed-in steward, after the checks against cross-site request
    forgery; 403 otherwise (401 without a session)."""
    if not same_origin(request):
        raise HTTPException(403, "this form was posted from another site and is refused")
    session = steward_of(request)
    if session is None:
        raise HTTPException(401, "sign in with your node token first")
    form = await request.form()
    presented = form.get(FORM_FIELD)
    if not session.accepts(presented if isinstance(presented, str) else None):
        raise HTTPException(
            403, "the form's security token is missing or out of date: reload the page"
        )
    return session, form


__all__ = [
    "COOKIE_NAME",
    "FORM_FIELD",
    "StewardSession",
    "checked_form",
    "csrf_field",
    "same_origin",
    "sign_in",
    "sign_out",
    "steward_of",
]
