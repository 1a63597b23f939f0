"""The limits of one HTTP connection, enforced where the bytes arrive: in uvicorn's h11
protocol, before any request reaches the application.

- **Size of a request head.** h11 buffers an incomplete head up to a cap; gdcat sets that cap
  just above its own limits (``max_request_line_bytes`` + ``max_header_bytes``), so a head
  never costs more memory than that. A head over the limits, whether it overflows the buffer
  while arriving or arrives whole in one read, is answered ``414 URI too long`` (the request
  line) or ``431 Request header fields too large`` (the header fields).
- **Time.** One deadline per connection, following the phase it is in: waiting for a request
  (``keepalive_timeout``, then closed quietly), receiving a request head (``header_timeout``
  from its first byte, then 408) and receiving a body (``body_timeout``, extended by one
  second per ``body_min_rate`` bytes, then 408). While the application works on a request,
  no client deadline runs (the application has its own limits).

These answers are RFC 9457 problem documents, like every other error of gdcat, sent with
``Connection: close``. The connection is then closed gracefully: gdcat stops writing, reads
and drops whatever the client still sends for up to :data:`LINGER_SECONDS`, then closes.
(Closing at once, with unread data in the socket, makes the kernel answer with a reset that
destroys the answer before the client reads it: what a client sending a 10 MB URL used to
get.)
"""

from __future__ import annotations

import asyncio
import http
import json
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from gdcat.api.problems import PROBLEM_JSON, Problem
from gdcat.api.security_headers import COMMON_HEADERS
from gdcat.settings import Settings

#: How long a refused client may go on sending (its rest of a long URL, its body) before the
#: connection is closed regardless.
LINGER_SECONDS = 5.0

#: ``METHOD SP target SP HTTP/x.y``: the bytes of a request line around its target.
_LINE_FRAMING = len(b"  HTTP/1.1")


@dataclass(frozen=True)
class ConnectionLimits:
    """The limits one connection is held to (from :class:`~gdcat.settings.Settings`)."""

    max_request_line: int
    max_header: int
    keepalive_timeout: float
    header_timeout: float
    body_timeout: float
    body_min_rate: int

    @classmethod
    def of(cls, settings: Settings) -> ConnectionLimits:
        return cls(
            max_request_line=settings.max_request_line_bytes,
            max_header=settings.max_header_bytes,
            keepalive_timeout=settings.keepalive_timeout,
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            body_min_rate=settings.body_min_rate,
        )


def _uri_too_long(length: int | None, limits: ConnectionLimits) -> Problem:
    size = f"{length} bytes, " if length is not None else ""
    return Problem(
        414,
        "URI too long",
        f"the request line is {size}longer than the {limits.max_request_line} bytes this "
        "server reads (max_request_line_bytes). Send a long SPARQL query in a POST body "
        "(Content-Type: application/sparql-query).",
        kind="uri-too-long",
        limit=limits.max_request_line,
    )


def _headers_too_large(length: int | None, limits: ConnectionLimits) -> Problem:
    size = f"{length} bytes, " if length is not None else ""
    return Problem(
        431,
        "Request header fields too large",
        f"the header fields are {size}more than the {limits.max_header} bytes this server "
        "reads (max_header_bytes).",
        kind="headers-too-large",
        limit=limits.max_header,
    )


class _HeadCheckingConnection(h11.Connection):
    """h11's server side, refusing a request head over the limits however it arrives.

    The refusal is kept in :attr:`refusal` and signalled the way h11 signals any bad request,
    with :class:`h11.RemoteProtocolError`, which uvicorn answers through
    :meth:`LimitedH11Protocol.send_400_response`.
    """

    def __init__(self, limits: ConnectionLimits) -> None:
        # The buffer cap: a head within both limits always fits (4 bytes for the CRLFs).
        super().__init__(
            h11.SERVER, max_incomplete_event_size=limits.max_request_line + limits.max_header + 4
        )
        self.limits = limits
        self.refusal: Problem | None = None

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as e:
            # 431 is h11's hint for one thing only: its buffer outgrew the cap.
            self.refusal = self._overflow() if e.error_status_hint == 431 else _bad_request(e)
            raise
        if isinstance(event, h11.Request):
            refusal = self._over_limits(event)
            if refusal is not None:
                self.refusal = refusal
                raise h11.RemoteProtocolError(refusal.detail or refusal.title, refusal.status)
        return event

    def _overflow(self) -> Problem:
        """Which limit an incomplete head past the buffer cap is over."""
        pending = self.trailing_data[0]
        end_of_line = pending.find(b"\n", 0, self.limits.max_request_line + 2)
        if end_of_line < 0:
            return _uri_too_long(None, self.limits)
        return _headers_too_large(None, self.limits)

    def _over_limits(self, request: h11.Request) -> Problem | None:
        line = len(request.method) + len(request.target) + _LINE_FRAMING
        if line > self.limits.max_request_line:
            return _uri_too_long(line, self.limits)
        fields = sum(len(name) + len(value) + 4 for name, value in request.headers.raw_items())
        if fields > self.limits.max_header:
            return _headers_too_large(fields, self.limits)
        return None


def _bad_request(error: h11.RemoteProtocolError) -> Problem:
    # h11 says what is wrong, then quotes the offending bytes: only the first part is said.
    reason = str(error).split(":", 1)[0]
    return Problem(400, "Bad request", f"the request is not valid HTTP/1.1 ({reason})")


def _request_timeout(what: str, seconds: float, setting: str) -> Problem:
    return Problem(
        408,
        "Request timeout",
        f"the {what} did not arrive in time ({seconds:g} s, {setting}); the connection is closed.",
        kind="request-timeout",
        limit=seconds,
    )


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol holding each connection to :attr:`limits`."""

    limits: ClassVar[ConnectionLimits]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _HeadCheckingConnection(self.limits)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = "idle"
        self._phase_started = 0.0
        self._body_bytes = 0
        self._lingering = False

    # -- the phases of a connection and their deadlines ----------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._enter("idle")

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return  # a refused client's rest, read and dropped
        if self._phase == "body":
            self._body_bytes += len(data)
        super().data_received(data)
        if not self._lingering and not self.transport.is_closing():
            self._follow(waiting=False)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # gdcat's deadline replaces uvicorn's own keep-alive timer.
        self._unset_keepalive_if_required()
        if not self._lingering and not self.transport.is_closing():
            self._follow(waiting=True)

    def shutdown(self) -> None:
        """The server stops: a refused connection, which h11 considers still answering, is
        simply closed."""
        if self._lingering:
            self._cancel()
            self.transport.close()
            return
        super().shutdown()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def _follow(self, *, waiting: bool) -> None:
        """Enter the phase h11's view of the client says the connection is in."""
        state = self.conn.their_state
        if state is h11.IDLE:
            # Between requests, or part of the next request's head has arrived.
            if waiting:
                self._enter("idle")
            elif self._phase != "head":
                self._enter("head")
        elif state is h11.SEND_BODY:
            if self._phase != "body":
                self._enter("body")
        else:
            self._enter("application")

    def _enter(self, phase: str) -> None:
        self._cancel()
        self._phase = phase
        self._phase_started = self.loop.time()
        self._body_bytes = 0
        delay = {
            "idle": self.limits.keepalive_timeout,
            "head": self.limits.header_timeout,
            "body": self.limits.body_timeout,
        }.get(phase)
        if delay is not None:
            self._deadline = self.loop.call_later(delay, self._on_deadline)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _on_deadline(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._phase == "idle":
            self.timeout_keep_alive_handler()  # uvicorn's quiet close of an idle connection
        elif self._phase == "head":
            limits = self.limits
            self._refuse(_request_timeout("request head", limits.header_timeout, "header_timeout"))
        elif self._phase == "body":
            self._body_deadline()

    def _body_deadline(self) -> None:
        limits = self.limits
        cycle = self.cycle
        if self.flow.read_paused or (cycle is not None and cycle.waiting_for_100_continue):
            # The application has not taken what arrived, or not yet asked for the body the
            # client waits to send (Expect: 100-continue): not the client's delay.
            self._enter("body")
            return
        elapsed = self.loop.time() - self._phase_started
        allowed = limits.body_timeout + self._body_bytes / limits.body_min_rate
        if elapsed < allowed:
            self._deadline = self.loop.call_later(allowed - elapsed, self._on_deadline)
            return
        self._refuse(
            _request_timeout(
                f"request body (at {limits.body_min_rate} bytes/s or more after the first "
                f"{limits.body_timeout:g} s)",
                limits.body_timeout,
                "body_timeout, body_min_rate",
            )
        )

    # -- answers the protocol gives itself -------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 refused: a problem document saying why."""
        assert isinstance(self.conn, _HeadCheckingConnection)
        refusal = self.conn.refusal or Problem(400, "Bad request", msg)
        self._refuse(refusal)

    def _refuse(self, problem: Problem) -> None:
        """Answer ``problem`` (unless the request has an answer already) and close the
        connection gracefully."""
        cycle = self.cycle
        answering = cycle is not None and cycle.response_started and not cycle.response_complete
        if answering:
            # The application is writing its answer: nothing else can be said.
            self._cancel()
            self.transport.close()
            return
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):  # nothing answered yet
            if cycle is not None and not cycle.response_complete:
                # The application stops waiting for the body; its answer would go nowhere.
                cycle.disconnected = True
                cycle.message_event.set()
            self.transport.write(_problem_bytes(problem))
        self._linger()

    def _linger(self) -> None:
        """Stop writing, drop what the client still sends, close after a while (or as soon
        as the client closes its side)."""
        self._cancel()
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.flow.resume_reading()
        self._deadline = self.loop.call_later(LINGER_SECONDS, self.transport.close)


def _problem_bytes(problem: Problem) -> bytes:
    body = json.dumps(problem.document(), ensure_ascii=False).encode("utf-8")
    phrase = http.HTTPStatus(problem.status).phrase
    headers = [
        (b"content-type", PROBLEM_JSON.encode("ascii")),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
        (b"date", time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()).encode("ascii")),
        *COMMON_HEADERS,
    ]
    head = f"HTTP/1.1 {problem.status} {phrase}\r\n".encode("ascii")
    head += b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return head + b"\r\n" + body


def protocol_for(settings: Settings) -> type[LimitedH11Protocol]:
    """The protocol class holding connections to the limits ``settings`` name."""
    return type(
        "GdcatH11Protocol", (LimitedH11Protocol,), {"limits": ConnectionLimits.of(settings)}
    )
