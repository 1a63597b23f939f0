"""Security headers on every answer, set in one place.

Every answer says ``X-Content-Type-Options: nosniff`` (a browser never guesses HTML out of a
Turtle file or a JSON problem), ``X-Frame-Options: DENY`` and a ``Referrer-Policy``. Every
HTML answer also carries a Content-Security-Policy that lets a page load only gdcat's own
scripts, styles and images: harvested text is untrusted, and should any of it ever slip past
the templates' escaping, the browser still runs no script from it (no inline script, no
``eval``, no other origin). A route that needs another policy on its page (a vendored editor
that needs ``'unsafe-eval'``, say) sets ``Content-Security-Policy`` itself; this middleware
leaves a policy a route has set alone.

The headers are set outside the whole application stack (see :func:`install_security_headers`)
so that even the answers of Starlette's outermost error middleware carry them; the answers the
HTTP protocol gives itself (400, 408, 414, 431: problem documents) add :data:`COMMON_HEADERS`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Every answer.
COMMON_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)

#: The policy of gdcat's HTML pages (``form-action`` may also name the base IRI's origin).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_CSP = b"content-security-policy"


def page_policy(base_iri: str) -> str:
    """:data:`PAGE_POLICY`, letting forms also go to the base IRI's origin: the SPARQL query
    page's form names the endpoint by its IRI, which a proxy may serve on another origin."""
    parts = urlsplit(base_iri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return PAGE_POLICY
    origin = f"{parts.scheme}://{parts.netloc}"
    return PAGE_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


class SecurityHeaders:
    """ASGI middleware adding :data:`COMMON_HEADERS` to every answer and ``policy`` to every
    HTML answer that has no policy of its own."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy.encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                headers += [h for h in COMMON_HEADERS if h[0] not in names]
                if _CSP not in names and _is_html(headers):
                    headers.append((_CSP, self.policy))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media in (b"text/html", b"application/xhtml+xml")
    return False


def install_security_headers(app: FastAPI, base_iri: str) -> None:
    """Wrap the application's whole middleware stack (Starlette's error middleware, which
    answers unexpected errors, included) in :class:`SecurityHeaders`."""
    build = app.build_middleware_stack
    policy = page_policy(base_iri)

    def build_secured() -> ASGIApp:
        return SecurityHeaders(build(), policy)

    app.build_middleware_stack = build_secured  # type: ignore[method-assign]
