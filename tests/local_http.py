"""Running a real HTTP server on 127.0.0.1 for a test (one place for start and shutdown)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def serving(server: http.server.HTTPServer) -> Iterator[str]:
    """Serve ``server`` in a daemon thread; yields its base URL, shuts it down on exit."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def loopback_server(handler: type[http.server.BaseHTTPRequestHandler]) -> http.server.HTTPServer:
    """A threading server on a free port of 127.0.0.1 (not started)."""
    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
