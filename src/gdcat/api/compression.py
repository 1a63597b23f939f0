"""gzip for text answers: pages, CSV, JSON, RDF and SPARQL results.

A search page of 60 KB reaches a reader on a slow hospital network as 9 KB. Answers are
compressed here, once, for every route, when the client accepts ``gzip``, the body is text
(:data:`COMPRESSIBLE`) of at least :data:`MIN_SIZE` bytes, and the route has not encoded it
already (the pages' static files are sent pre-compressed). Streamed answers (SPARQL results,
feeds) are compressed as they stream, flushed after every chunk, so a client sees each chunk
as soon as it is produced.

Not compressed: an answer to a request that carries a steward's sign-in cookie. Pages of a
signed-in steward carry a form token, and a compressed page that holds both a secret and
text an attacker can put in the URL leaks the secret through its length (BREACH).

Entity tags: a compressed answer is another representation, so its ``ETag`` gets a ``-gz``
suffix; a conditional request naming that tag is matched against the original one, so
``304 Not Modified`` keeps working.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gdcat.ui.steward_session import COOKIE_NAME

#: Media types worth compressing (parameters such as ``charset`` are ignored).
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/csv",
        "text/plain",
        "text/turtle",
        "text/css",
        "text/javascript",
        "application/json",
        "application/problem+json",
        "application/ld+json",
        "application/n-triples",
        "application/n-quads",
        "application/trig",
        "application/rdf+xml",
        "application/xml",
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "application/yaml",
        "image/svg+xml",
    }
)
#: Smaller bodies are sent as they are: gzip's header and trailer would outweigh the gain.
MIN_SIZE = 1024
_SUFFIX = '-gz"'
_LEVEL = 6


def accepts_gzip(headers: Headers) -> bool:
    """True when ``Accept-Encoding`` allows gzip (a ``q=0`` refuses it)."""
    for part in headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() not in {"gzip", "*"}:
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def _strip_suffixes(values: str) -> str:
    """``If-None-Match`` with each ``"tag-gz"`` also naming ``"tag"``."""
    tags: list[str] = []
    for value in values.split(","):
        tag = value.strip()
        tags.append(tag)
        if tag.endswith(_SUFFIX):
            tags.append(tag[: -len(_SUFFIX)] + '"')
    return ", ".join(tags)


class Compression:
    """ASGI middleware: gzip for text answers (see the module's description)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not accepts_gzip(headers) or _has_cookie(headers, COOKIE_NAME):
            await self.app(scope, receive, send)
            return
        wanted = headers.get("if-none-match")
        if wanted and _SUFFIX in wanted:
            raw = [(k, v) for k, v in scope["headers"] if k != b"if-none-match"]
            raw.append((b"if-none-match", _strip_suffixes(wanted).encode("latin-1")))
            scope = {**scope, "headers": raw}
        await self.app(scope, receive, _Responder(send).send)


def _has_cookie(headers: Headers, name: str) -> bool:
    for header in headers.getlist("cookie"):
        for pair in header.split(";"):
            if pair.strip().partition("=")[0] == name:
                return True
    return False


def _media_type(headers: Iterable[tuple[bytes, bytes]]) -> str:
    for key, value in headers:
        if key.lower() == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


class _Responder:
    """Compresses one answer, deciding at its first body chunk."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._start: Message | None = None
        self._compressor: zlib._Compress | None = None
        self._decided = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        body: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        if not self._decided:
            self._decided = True
            if self._should_compress(self._start, body, more):
                self._compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, 31)
                headers = MutableHeaders(scope=self._start)
                headers["Content-Encoding"] = "gzip"
                vary = headers.get("vary")
                if not vary:
                    headers["Vary"] = "Accept-Encoding"
                elif "accept-encoding" not in vary.lower():
                    headers["Vary"] = vary + ", Accept-Encoding"
                etag = headers.get("etag")
                if etag and etag.endswith('"') and not etag.endswith(_SUFFIX):
                    headers["ETag"] = etag[:-1] + _SUFFIX
                if "content-length" in headers:
                    del headers["content-length"]
                if not more:
                    data = self._compressor.compress(body) + self._compressor.flush()
                    headers["Content-Length"] = str(len(data))
                    await self._send(self._start)
                    await self._send({"type": "http.response.body", "body": data})
                    return
            await self._send(self._start)
        if self._compressor is None:
            await self._send(message)
            return
        data = self._compressor.compress(body)
        data += self._compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
        await self._send({"type": "http.response.body", "body": data, "more_body": more})

    @staticmethod
    def _should_compress(start: Message, first: bytes, more: bool) -> bool:
        if start.get("status", 200) in {204, 304} or start.get("status", 200) < 200:
            return False
        raw = start.get("headers", [])
        if any(k.lower() == b"content-encoding" for k, _ in raw):
            return False
        if _media_type(raw) not in COMPRESSIBLE:
            return False
        return more or len(first) >= MIN_SIZE


__all__ = ["COMPRESSIBLE", "MIN_SIZE", "Compression", "accepts_gzip"]
