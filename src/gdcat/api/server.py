"""Running an application with uvicorn: blocking (``gdcat serve``) or in a thread (tests,
benchmarks, ``gdcat demo``)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from gdcat.api.http_limits import protocol_for
from gdcat.errors import GdcatError
from gdcat.settings import Settings


def _config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    """uvicorn's configuration for ``app`` (made by :func:`~gdcat.api.create_app`): every
    connection is held to the limits of the application's settings (see
    :mod:`~gdcat.api.http_limits`); HTTP/1.1 only, no WebSocket upgrade; proxy headers
    believed from ``trusted_proxies`` only."""
    settings: Settings = app.state.ctx.settings
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(settings),
        ws="none",
        # X-Forwarded-For and -Proto are believed from `trusted_proxies` only (none by
        # default); uvicorn's default would believe any process on this host.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )


def serve(app: FastAPI, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (Ctrl-C / SIGTERM)."""
    sock = reserve_port(host, port)
    try:
        server = uvicorn.Server(_config(app, host, port))
        # uvicorn shuts down gracefully on Ctrl-C / SIGTERM, then re-raises the signal.
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        sock.close()


def reserve_port(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on ``host:port`` (0 picks a free port): bind first, so that the base
    IRI can name the port before the application exists."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it, Nagle's algorithm and delayed ACKs hold a
    # small answer on a kept-alive connection back by ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise GdcatError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    sock.listen(128)
    return sock


@contextmanager
def running(app: FastAPI, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve ``app`` in a thread on ``sock`` (or a free port of 127.0.0.1); yields the base URL
    (no trailing slash) and stops the server on exit."""
    sock = sock or reserve_port()
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(_config(app, host, port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise GdcatError(f"the server on {host}:{port} did not start")
            time.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
