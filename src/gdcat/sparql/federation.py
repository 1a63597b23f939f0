"""Which endpoints a federated query (``SERVICE``) may call.

pyoxigraph sends a ``SERVICE`` clause's pattern to the named endpoint from the server itself.
The endpoint may call only the national nodes' SPARQL endpoints (the ``sparql`` nodes of the
node registry) and the endpoints the operator lists in ``service_allowlist``; a query naming
anything else, or an endpoint its text does not tell (``SERVICE ?endpoint``), is refused before
it runs, so no request leaves.

Endpoints are compared as URLs with the scheme and host in lower case and default ports left
out; path and query must match exactly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from gdcat.errors import GdcatError
from gdcat.store.sparql_text import service_calls

_log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


class ServiceNotAllowedError(GdcatError):
    """A query names a ``SERVICE`` endpoint that is not on the allow-list."""

    def __init__(self, message: str, endpoint: str, host: str | None) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.host = host


class ServiceFailedError(GdcatError):
    """An allowed ``SERVICE`` endpoint could not be queried (unreachable, or it answered with
    an error): the remote endpoint failed, not gdcat's store."""


def endpoint_key(iri: str) -> str | None:
    """``iri`` in the form endpoints are compared in, or None if it is no HTTP(S) URL."""
    try:
        parts = urlsplit(iri)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host or parts.username or parts.password:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


class ServiceAllowList:
    """The endpoints ``SERVICE`` may call: the registry's SPARQL nodes (read again when the
    file changes) and ``extra``."""

    def __init__(self, registry_file: Path | None, extra: Sequence[str] = ()) -> None:
        self._registry = registry_file
        self._extra = {key for key in (endpoint_key(e) for e in extra) if key}
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._nodes: frozenset[str] = frozenset()
        for endpoint in extra:
            if endpoint_key(endpoint) is None:
                _log.warning("service_allowlist: %r is not an http(s) URL; ignored", endpoint)

    def endpoints(self) -> frozenset[str]:
        """Every allowed endpoint (compared form)."""
        return frozenset(self._extra) | self._registry_nodes()

    def check(self, sparql: str) -> None:
        """Raise :class:`ServiceNotAllowedError` unless every ``SERVICE`` of ``sparql`` names
        an allowed endpoint."""
        calls = service_calls(sparql)
        if not calls:
            return
        allowed = self.endpoints()
        for call in calls:
            if call.iri is None:
                raise ServiceNotAllowedError(
                    f"SERVICE {call.written or '(nothing)'}: the endpoint must be written as a "
                    "full IRI, e.g. SERVICE <https://node.example/sparql> { … }, so that it "
                    "can be checked against the allowed endpoints",
                    call.written,
                    None,
                )
            key = endpoint_key(call.iri)
            if key is None or key not in allowed:
                host = _host(call.iri)
                raise ServiceNotAllowedError(
                    f"SERVICE <{call.iri}>: {host or 'this endpoint'} is not an allowed "
                    "federation endpoint; queries may call the national nodes' SPARQL "
                    "endpoints only (see the service description for the list)",
                    call.iri,
                    host,
                )

    def _registry_nodes(self) -> frozenset[str]:
        if self._registry is None:
            return frozenset()
        try:
            stat = self._registry.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._stamp = stamp
                self._nodes = self._load() if stamp is not None else frozenset()
            return self._nodes

    def _load(self) -> frozenset[str]:
        from gdcat.harvest.registry import load_registry

        assert self._registry is not None
        try:
            nodes = load_registry(self._registry)
        except GdcatError as e:
            _log.warning("SERVICE allows no registry node: %s", e)
            return frozenset()
        keys = (endpoint_key(n.url) for n in nodes if n.kind == "sparql" and n.enabled)
        return frozenset(k for k in keys if k)


def _host(iri: str) -> str | None:
    try:
        parts = urlsplit(iri)
        return parts.netloc.rpartition("@")[2] or None
    except ValueError:
        return None
