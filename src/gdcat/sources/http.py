"""The one HTTP client every source uses: time limits, size limits, redirects, retries.

A harvest must end, whatever a node does: every request has a deadline (connecting, waiting
for the first byte and reading the whole body all count), a body larger than the limit is cut
off while it streams in, redirects are followed by hand up to a bound (a loop is named as
one), and transient failures (connection refused or reset, time-outs, 429 and 5xx answers) are
retried with exponential backoff. Conditional requests (``If-None-Match``,
``If-Modified-Since``) let an unchanged document cost one round trip and no parsing.

Local files (``file://`` URLs or plain paths) go through the same interface, so a node may be
a folder of DCAT-AP documents; their validators come from size and modification time.
"""

from __future__ import annotations

import email.utils
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import httpx

from gdcat import __version__
from gdcat.errors import GdcatError

#: Why a fetch failed, for run reports and for the retry decision.
FailureKind = Literal[
    "timeout", "too-large", "redirects", "status", "network", "file", "parse", "protocol"
]

_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(GdcatError):
    """A document could not be fetched; ``kind`` says why, ``url`` where."""

    def __init__(self, url: str, kind: FailureKind, message: str, status: int | None = None):
        self.url = url
        self.kind = kind
        self.status = status
        self.message = message
        super().__init__(f"{url}: {message}")


@dataclass(frozen=True)
class HttpPolicy:
    """Limits for one node's requests (all configurable per node in the registry)."""

    #: seconds one attempt may take, from connecting to the last byte of the body
    timeout: float = 30.0
    #: further attempts after a transient failure
    retries: int = 2
    #: seconds before the first retry; doubled for each further one
    backoff: float = 0.5
    #: largest body accepted (bytes)
    max_bytes: int = 50 * 1024 * 1024
    #: redirects followed for one request
    max_redirects: int = 5
    #: extra request headers (credentials come in here, read from the environment)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Validators:
    """What a server said that lets the next request be conditional."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True)
class Response:
    """A fetched document (or a 304 saying it did not change)."""

    url: str
    status: int
    body: bytes
    media_type: str
    validators: Validators
    #: how many attempts it took (1 when no retry was needed)
    attempts: int = 1
    #: the ``Location`` of a redirect (internal: redirects are followed before returning)
    location: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def body_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def is_local(url: str) -> bool:
    """True for ``file://`` URLs and plain paths."""
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/"))


def local_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        return Path(url2pathname(parts.path))
    return Path(url)


class HttpClient:
    """Fetches documents for one node under its :class:`HttpPolicy` (thread-safe)."""

    def __init__(self, policy: HttpPolicy | None = None) -> None:
        self.policy = policy or HttpPolicy()
        self.requests = 0
        headers = {"User-Agent": f"gdcat-harvester/{__version__}", **self.policy.headers}
        self._client = httpx.Client(
            headers=headers,
            follow_redirects=False,
            timeout=httpx.Timeout(self.policy.timeout),
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, accept: str, validators: Validators | None = None) -> Response:
        """GET ``url``; a 304 comes back as a response, any other non-2xx as a FetchError."""
        if is_local(url):
            return self._read_file(url, validators)
        headers = {"Accept": accept, **(validators.headers() if validators else {})}
        return self._with_retries("GET", url, headers, None)

    def post(self, url: str, *, accept: str, content: bytes, content_type: str) -> Response:
        headers = {"Accept": accept, "Content-Type": content_type}
        return self._with_retries("POST", url, headers, content)

    # -- internals -----------------------------------------------------------------------

    def _with_retries(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None
    ) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._follow(method, url, headers, content)
            except FetchError as error:
                if attempt > self.policy.retries or not _transient(error):
                    if attempt > 1:
                        error.message += f" (after {attempt} attempts)"
                        error.args = (f"{error.url}: {error.message}",)
                    raise
                time.sleep(_retry_wait(error, self.policy.backoff, attempt))
                continue
            return Response(
                response.url,
                response.status,
                response.body,
                response.media_type,
                response.validators,
                attempt,
            )

    def _follow(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None
    ) -> Response:
        seen = [url]
        current = url
        while True:
            response = self._once(method, current, headers, content)
            if response.status not in (301, 302, 303, 307, 308):
                return response
            target = response.location
            if not target:
                raise FetchError(
                    current, "protocol", f"redirect {response.status} without Location"
                )
            target = urljoin(current, target)
            if target in seen:
                chain = " -> ".join([*seen[seen.index(target) :], target])
                raise FetchError(url, "redirects", f"redirect loop: {chain}")
            seen.append(target)
            if len(seen) - 1 > self.policy.max_redirects:
                raise FetchError(
                    url, "redirects", f"more than {self.policy.max_redirects} redirects"
                )
            if response.status == 303:
                method, content = "GET", None
            current = target

    def _once(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None
    ) -> Response:
        self.requests += 1
        deadline = time.monotonic() + self.policy.timeout
        limit = self.policy.max_bytes
        encoding = ""
        try:
            with self._client.stream(method, url, headers=headers, content=content) as r:
                encoding = r.headers.get("content-encoding", "")
                if r.status_code in (301, 302, 303, 307, 308):
                    location = r.headers.get("location")
                    return Response(url, r.status_code, b"", "", Validators(), location=location)
                if r.status_code == 304:
                    return Response(url, 304, b"", "", _validators(r.headers))
                if r.status_code >= 400:
                    detail = _snippet(r, deadline)
                    raise FetchError(
                        url,
                        "status",
                        f"HTTP {r.status_code} {r.reason_phrase}{detail}",
                        r.status_code,
                    )
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise FetchError(
                        url,
                        "too-large",
                        f"body of {int(declared):,} bytes is over the limit of {limit:,} bytes",
                    )
                chunks: list[bytes] = []
                size = 0
                # decoded bytes: httpx asks for gzip/deflate, and the limit is on what a
                # compressed body unpacks to (a small "gzip bomb" is cut off as it unpacks)
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(
                            url, "too-large", f"body is over the limit of {limit:,} bytes"
                        )
                    if time.monotonic() > deadline:
                        raise FetchError(
                            url, "timeout", f"no complete answer within {self.policy.timeout:g} s"
                        )
                    chunks.append(chunk)
                media_type = r.headers.get("content-type", "").split(";", 1)[0].strip().lower()
                return Response(
                    url, r.status_code, b"".join(chunks), media_type, _validators(r.headers)
                )
        except httpx.TimeoutException:
            raise FetchError(
                url, "timeout", f"no answer within {self.policy.timeout:g} s"
            ) from None
        except httpx.TransportError as e:
            raise FetchError(url, "network", _transport_message(e)) from None
        except httpx.DecodingError as e:
            raise FetchError(
                url, "protocol", f"cannot decode the body (Content-Encoding {encoding}): {e}"
            ) from None
        except httpx.InvalidURL as e:
            raise FetchError(url, "protocol", f"invalid URL: {e}") from None

    def _read_file(self, url: str, validators: Validators | None) -> Response:
        self.requests += 1
        path = local_path(url)
        try:
            stat = path.stat()
        except OSError as e:
            raise FetchError(url, "file", f"cannot read {path}: {e.strerror or e}") from None
        mine = Validators(
            etag=f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"',
            last_modified=email.utils.formatdate(stat.st_mtime, usegmt=True),
        )
        if validators is not None and validators.etag == mine.etag:
            return Response(url, 304, b"", "", mine)
        if stat.st_size > self.policy.max_bytes:
            limit = self.policy.max_bytes
            message = f"file of {stat.st_size:,} bytes is over the limit of {limit:,} bytes"
            raise FetchError(url, "too-large", message)
        try:
            body = path.read_bytes()
        except OSError as e:
            raise FetchError(url, "file", f"cannot read {path}: {e.strerror or e}") from None
        return Response(path.resolve().as_uri(), 200, body, "", mine)


def _validators(headers: httpx.Headers) -> Validators:
    return Validators(etag=headers.get("etag"), last_modified=headers.get("last-modified"))


def _snippet(response: httpx.Response, deadline: float) -> str:
    """The start of an error body, to help the node's operator (best effort)."""
    try:
        data = b""
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= 300 or time.monotonic() > deadline:
                break
    except httpx.HTTPError:
        return ""
    text = " ".join(data[:200].decode("utf-8", "replace").split())
    return f": {text}" if text else ""


def _transient(error: FetchError) -> bool:
    if error.kind in ("network", "timeout"):
        return True
    return error.kind == "status" and error.status in _RETRY_STATUSES


def _retry_wait(error: FetchError, backoff: float, attempt: int) -> float:
    return float(backoff * (2 ** (attempt - 1)))


def _transport_message(error: httpx.TransportError) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect: {text}"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"broken HTTP answer: {text}"
    return text
