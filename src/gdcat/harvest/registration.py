"""Self-registration: a FAIR Data Point announces itself, gdcat queues it and harvests it.

The ping follows the FAIR Data Point index: ``{"clientUrl": "https://fdp.example.org/"}``.
A registration is kept in the store (graph ``{base}graph/registrations``) as a
``gdcat:NodeRegistration`` with its URL, when it was first and last announced, and its status:
``pending`` until its first harvest, then ``active`` or ``failed`` (with the reason). Pending
and active registrations are harvested with the registry's nodes, as FAIR Data Points with
the default profile and the ``reject`` policy; an operator can move one into the registry file
to give it a country and other settings.

Registrations are changed by reading them all and writing the graph back whole, so every
change (a ping, a status after a harvest, from the API or the command line) takes the
store's registration lock (:func:`registrations_lock`): two of them never lose each other's.

A public index must not be made to crawl its own network: unless the operator allows it, a
client URL whose host is, or resolves to, an address that is not global (loopback, private,
link-local such as ``169.254.169.254``…) is refused, and so is a host that does not resolve.
This is a courtesy to the node (it learns at once); the protection is at harvest time, where
every connection is checked again (:mod:`gdcat.sources.network`): a name may resolve
differently tomorrow. Registered nodes are harvested as public nodes unless the operator set
``registration_allow_private``.

The queue is bounded: at most ``max_pending`` registrations wait for their first harvest; a
new one beyond that is refused (:class:`RegistrationQueueFullError`) until a harvest has
taken them (a ping refreshing a known registration is always accepted).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal as TypingLiteral
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from gdcat.errors import GdcatError, InputError
from gdcat.harvest.registry import NodeConfig
from gdcat.sources.network import (
    ForbiddenAddressError,
    Network,
    ResolutionError,
    SystemNetwork,
    checked_addresses,
)
from gdcat.store import Store
from gdcat.store.quads import QuadWriter, UnwritableTermError
from gdcat.vocab import GDCAT

RegistrationStatus = TypingLiteral["pending", "active", "failed"]

#: Seconds a client URL's host has to resolve before the registration is refused.
RESOLVE_TIMEOUT = 3.0
#: Registrations resolve names here: at most 8 look-ups at a time (a name that never answers
#: holds one until the resolver gives up), apart from the harvester's.
_NETWORK = SystemNetwork(max_lookups=8)

_LOCKS: weakref.WeakKeyDictionary[Store, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def registrations_lock(store: Store) -> threading.RLock:
    """The lock every read-modify-write of ``store``'s registrations takes."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(store)
        if lock is None:
            lock = _LOCKS[store] = threading.RLock()
        return lock


@dataclass(frozen=True)
class Registration:
    iri: str
    client_url: str
    node_id: str
    status: RegistrationStatus
    first_seen: datetime
    last_seen: datetime
    reason: str | None = None

    def node(self, profile: str = "gdcat", *, private: bool = False) -> NodeConfig:
        return NodeConfig(
            id=self.node_id, kind="fdp", url=self.client_url, profile=profile, private=private
        )


class RegistrationQueueFullError(GdcatError):
    """As many registrations as allowed wait for their first harvest already."""

    def __init__(self, pending: int, limit: int) -> None:
        self.pending = pending
        self.limit = limit
        super().__init__(
            f"{pending} registrations are waiting for their first harvest, the most this "
            f"catalogue queues (registration_max_pending = {limit}); register again after "
            "the next harvest"
        )


def registrations_graph_iri(store: Store) -> str:
    return f"{store.base_iri}graph/registrations"


def check_client_url(
    url: str,
    *,
    allow_private: bool = False,
    resolve_timeout: float = RESOLVE_TIMEOUT,
    network: Network = _NETWORK,
) -> str:
    """The URL if a node may register it: http(s), a host, no credentials; by default only a
    host whose every address is global (a public index must not be made to crawl its own
    network): a host name is resolved, and one that does not resolve (within
    ``resolve_timeout`` seconds) is refused too."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError as e:
        raise InputError(f"clientUrl is not a URL ({e}): {url!r}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InputError(f"clientUrl must be an absolute http(s) URL, not {url!r}")
    try:
        QuadWriter().iri(url.strip())
    except UnwritableTermError as e:
        raise InputError(f"clientUrl is not a usable IRI: {e}") from None
    if parts.username or parts.password:
        raise InputError("clientUrl must not carry credentials")
    if not allow_private:
        name = host.rstrip(".").lower()
        if name == "localhost" or name.endswith(".localhost"):
            raise InputError("clientUrl must not point at this machine")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            checked_addresses(
                host, port, allow_private=False, network=network, timeout=resolve_timeout
            )
        except ForbiddenAddressError as e:
            raise InputError(f"clientUrl must be a public address: {e}") from None
        except ResolutionError as e:
            raise InputError(f"clientUrl's host {e}") from None
    return url.strip()


def node_id_for(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "node").lower()
    digest = hashlib.sha256(url.encode()).hexdigest()[:6]
    stem = "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in host)[:40]
    return f"reg-{stem}-{digest}"


def list_registrations(store: Store) -> list[Registration]:
    graph = store.get_graph(registrations_graph_iri(store))
    out = []
    for subject in sorted(graph.subjects(RDF.type, GDCAT.NodeRegistration), key=str):
        values = {p: o for p, o in graph.predicate_objects(subject)}
        reason = values.get(GDCAT.reason)
        out.append(
            Registration(
                str(subject),
                str(values[GDCAT.clientUrl]),
                str(values[GDCAT.node]),
                str(values[GDCAT.status]),  # type: ignore[arg-type]
                datetime.fromisoformat(str(values[DCTERMS.issued])),
                datetime.fromisoformat(str(values[DCTERMS.modified])),
                str(reason) if reason is not None else None,
            )
        )
    return out


def register(
    store: Store,
    client_url: str,
    *,
    allow_private: bool = False,
    max_pending: int | None = None,
    network: Network = _NETWORK,
) -> Registration:
    """Queue a node (or refresh its registration); returns the registration.

    With ``max_pending``, a new registration is refused while that many wait for their first
    harvest (:class:`RegistrationQueueFullError`)."""
    url = check_client_url(client_url, allow_private=allow_private, network=network)
    done: list[Registration] = []

    def ping(items: list[Registration]) -> list[Registration]:
        now = datetime.now(UTC).replace(microsecond=0)
        existing = {r.client_url: r for r in items}
        known = existing.get(url)
        if known is not None:
            updated = Registration(
                known.iri, url, known.node_id, known.status, known.first_seen, now, known.reason
            )
        else:
            pending = sum(1 for r in items if r.status == "pending")
            if max_pending is not None and pending >= max_pending:
                raise RegistrationQueueFullError(pending, max_pending)
            node_id = node_id_for(url)
            iri = f"{store.base_iri}registration/{node_id}"
            updated = Registration(iri, url, node_id, "pending", now, now)
        existing[url] = updated
        done.append(updated)
        return list(existing.values())

    _change(store, ping)
    return done[0]


def set_status(
    store: Store, node_id: str, status: RegistrationStatus, reason: str | None = None
) -> None:
    """Set the status of the registration of ``node_id`` (if there is one)."""
    _change(store, lambda items: _with_status(items, {node_id: (status, reason)}))


def _with_status(
    items: list[Registration], statuses: dict[str, tuple[RegistrationStatus, str | None]]
) -> list[Registration] | None:
    """``items`` with the statuses given by node id; None when nothing changes."""
    changed = False
    out = list(items)
    for i, r in enumerate(out):
        wanted = statuses.get(r.node_id)
        if wanted is not None and (r.status, r.reason) != wanted:
            out[i] = Registration(
                r.iri, r.client_url, r.node_id, wanted[0], r.first_seen, r.last_seen, wanted[1]
            )
            changed = True
    return out if changed else None


def _change(
    store: Store, change: Callable[[list[Registration]], list[Registration] | None]
) -> None:
    """Read the registrations, change them, write them back (unless ``change`` returns
    None), all under the store's registration lock."""
    with registrations_lock(store):
        items = change(list_registrations(store))
        if items is not None:
            _save(store, items)


def registered_nodes(
    store: Store, profile: str = "gdcat", *, allow_private: bool = False
) -> list[NodeConfig]:
    """Nodes to harvest from registrations (pending and active ones); they may reach
    non-public addresses only with ``allow_private`` (the ``registration_allow_private``
    setting)."""
    return [
        r.node(profile, private=allow_private)
        for r in list_registrations(store)
        if r.status != "failed"
    ]


def _save(store: Store, items: list[Registration]) -> None:
    g = Graph()
    for r in items:
        s = URIRef(r.iri)
        g.add((s, RDF.type, GDCAT.NodeRegistration))
        g.add((s, GDCAT.clientUrl, URIRef(r.client_url)))
        g.add((s, GDCAT.node, Literal(r.node_id)))
        g.add((s, GDCAT.status, Literal(r.status)))
        g.add((s, DCTERMS.issued, Literal(r.first_seen.isoformat(), datatype=XSD.dateTime)))
        g.add((s, DCTERMS.modified, Literal(r.last_seen.isoformat(), datatype=XSD.dateTime)))
        if r.reason:
            g.add((s, GDCAT.reason, Literal(r.reason)))
    store.put_graph(registrations_graph_iri(store), g)


def record_outcomes(store: Store, nodes: dict[str, str]) -> None:
    """After a run: each registered node's status from its harvest (node id -> node status,
    ``complete``/``partial``/``failed``); a failed first harvest says why."""
    statuses: dict[str, tuple[RegistrationStatus, str | None]] = {
        node: ("failed", "the first harvest failed") if status == "failed" else ("active", None)
        for node, status in nodes.items()
    }
    _change(store, lambda items: _with_status(items, statuses))
