"""A store held by a running ``gdcat serve``: how the server says so, and how the command line
talks to it instead of opening the store (which the server's lock forbids).

On start, the server writes ``<store>/server.json`` (its URL, base IRI, process id and node
registry: nothing secret) and, when the operator configured no admin token, a token of its
own in ``<store>/admin-token`` (mode 0600, readable only by the account that runs the server,
which can read and write the store's files anyway); it removes both when it stops, and a
new token is made at every start. A command that finds the store locked reads these files and
sends its work to the server: reads as SPARQL queries to ``/sparql`` (:class:`ServedStore`,
the :class:`~gdcat.store.Store` calls the inventory, the change feed and ``gdcat query`` make),
writes to the admin routes with ``Authorization: Bearer`` (:class:`AdminClient`), the admin
token from ``GDCAT_ADMIN_TOKEN`` or else from the server's token file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from gdcat.errors import GdcatError, InputError, QueryError
from gdcat.store.datatypes import restore_triples
from gdcat.store.records import provenance_graph_iri
from gdcat.store.results import QueryResult, serialize_result

ANNOUNCEMENT = "server.json"
TOKEN_FILE = "admin-token"
#: long enough for a whole harvest answer or a large inventory query
TIMEOUT = httpx.Timeout(10.0, read=300.0)


class ServerUnreachableError(InputError):
    """The store is held by a server the command line cannot reach or use (exit 2)."""


@dataclass(frozen=True)
class Announcement:
    """What a running server says about itself in its store folder."""

    url: str
    base_iri: str
    pid: int
    registry: str | None
    store: Path

    @property
    def token_file(self) -> Path:
        return self.store / TOKEN_FILE


@contextlib.contextmanager
def announced(
    store_dir: Path, url: str, base_iri: str, registry: Path | None, token: str | None
) -> Iterator[None]:
    """Write the announcement (and, with ``token``, the private token file) while serving."""
    announcement = store_dir / ANNOUNCEMENT
    token_path = store_dir / TOKEN_FILE
    document = {
        "url": url,
        "base_iri": base_iri,
        "pid": os.getpid(),
        "registry": str(registry.resolve()) if registry is not None else None,
    }
    announcement.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if token is not None:
        with contextlib.suppress(FileNotFoundError):
            token_path.unlink()
        descriptor = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(token + "\n")
    try:
        yield
    finally:
        for path in (announcement, token_path) if token is not None else (announcement,):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def local_token() -> str:
    """A fresh admin token for this server's lifetime (32 random bytes)."""
    return secrets.token_urlsafe(32)


def find_server(store_dir: Path) -> Announcement | None:
    """The server announced in ``store_dir``, or None (no file, or its process is gone)."""
    try:
        document = json.loads((store_dir / ANNOUNCEMENT).read_text(encoding="utf-8"))
        pid = int(document["pid"])
        url, base = str(document["url"]), str(document["base_iri"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another account's
    registry = document.get("registry")
    return Announcement(url.rstrip("/"), base, pid, registry, store_dir)


def store_locked(store_dir: Path) -> bool:
    """Whether another process holds the store's lock (RocksDB's ``LOCK`` file, an
    ``fcntl`` record lock), tested without opening the store."""
    try:
        descriptor = os.open(store_dir / "LOCK", os.O_RDWR)
    except OSError:
        return False  # no store yet, or not ours to write: opening it will say so
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN)
        return False
    finally:
        os.close(descriptor)


def admin_token(server: Announcement, configured: str | None) -> str:
    """The admin token: the configured one (``GDCAT_ADMIN_TOKEN``), else the server's file."""
    if configured:
        return configured
    try:
        token = server.token_file.read_text(encoding="utf-8").strip()
    except OSError:
        token = ""
    if not token:
        raise ServerUnreachableError(
            f"the store {server.store} is served by gdcat at {server.url} (pid {server.pid}), "
            "and this command writes through it: set GDCAT_ADMIN_TOKEN to the server's admin "
            f"token (the server made none of its own in {server.token_file})"
        )
    return token


def _unreachable(server: Announcement, error: httpx.HTTPError) -> ServerUnreachableError:
    return ServerUnreachableError(
        f"the store {server.store} is held by gdcat at {server.url} (pid {server.pid}), which "
        f"does not answer ({type(error).__name__}: {error}); wait for it to start, or stop "
        "it and run the command again"
    )


def _problem_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)
    return str(body)


class ServedStore:
    """The read side of a served store, through its SPARQL endpoint: the calls of
    :class:`~gdcat.store.Store` that the inventory, the change feed and ``gdcat query`` make,
    answered as the embedded store answers them."""

    def __init__(self, server: Announcement, client: httpx.Client) -> None:
        self.server = server
        self._client = client
        self._provenance = provenance_graph_iri(server.base_iri)

    @property
    def base_iri(self) -> str:
        return self.server.base_iri

    @property
    def provenance_graph(self) -> str:
        return self._provenance

    def query(
        self, sparql: str, *, union_default_graph: bool = True, max_rows: int | None = None
    ) -> QueryResult:
        # The endpoint's default graph is the union; gdcat's own queries that ask for none
        # (union_default_graph=False) name their graphs, so the union changes nothing there.
        try:
            response = self._client.post(
                f"{self.server.url}/sparql",
                content=sparql.encode("utf-8"),
                headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
                },
            )
        except httpx.HTTPError as e:
            raise _unreachable(self.server, e) from e
        if response.status_code != 200:
            detail = _problem_detail(response)
            if response.status_code < 500:
                raise QueryError(detail)
            raise GdcatError(f"the server at {self.server.url} failed: {detail}")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/n-triples":
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
            ]
            taken = triples if max_rows is None else triples[:max_rows]
            unique = tuple(dict.fromkeys(restore_triples(taken)))
            return QueryResult("graph", triples=unique, truncated=len(taken) < len(triples))
        answer = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        variables = tuple(v.value for v in answer.variables)
        rows = [tuple(solution) for solution in answer]
        taken_rows = rows if max_rows is None else rows[:max_rows]
        return QueryResult(
            "select",
            variables=variables,
            rows=tuple(taken_rows),
            truncated=len(taken_rows) < len(rows),
        )

    def serialize(self, result: QueryResult, fmt: str) -> str:
        return serialize_result(result, fmt)


class AdminClient:
    """The admin routes of a served store, with the admin token."""

    def __init__(self, server: Announcement, client: httpx.Client, token: str) -> None:
        self.server = server
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"}

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        expect: tuple[int, ...] = (200,),
    ) -> httpx.Response:
        """The answer of one admin call; one outside ``expect`` is an error that says why."""
        try:
            response = self._client.request(
                method,
                f"{self.server.url}{path}",
                params=params,
                json=json_body,
                headers=self._headers,
            )
        except httpx.HTTPError as e:
            raise _unreachable(self.server, e) from e
        if response.status_code in expect:
            return response
        detail = _problem_detail(response)
        if response.status_code in (401, 403):
            raise ServerUnreachableError(
                f"the gdcat server at {self.server.url} refused the admin token ({detail}); "
                "set GDCAT_ADMIN_TOKEN to the token the server was started with"
            )
        if response.status_code < 500:
            raise InputError(f"the gdcat server at {self.server.url} refused: {detail}")
        raise GdcatError(f"the gdcat server at {self.server.url} failed: {detail}")


def http_client() -> httpx.Client:
    """The client for the local server: no proxies from the environment, no redirects."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False)
