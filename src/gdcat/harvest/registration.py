"""Self-registration: a FAIR Data Point announces itself, gdcat queues it and harvests it.

The ping follows the FAIR Data Point index: ``{"clientUrl": "https://fdp.example.org/"}``.
A registration is kept in the store (graph ``{base}graph/registrations``) as a
``gdcat:NodeRegistration`` with its URL, when it was first and last announced, and its status:
``pending`` until its first harvest, then ``active`` or ``failed`` (with the reason). Pending
and active registrations are harvested with the registry's nodes, as FAIR Data Points with
the default profile and the ``reject`` policy; an operator can move one into the registry file
to give it a country and other settings.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal as TypingLiteral
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from gdcat.errors import InputError
from gdcat.harvest.registry import NodeConfig
from gdcat.store import Store
from gdcat.store.quads import QuadWriter, UnwritableTermError
from gdcat.vocab import GDCAT

RegistrationStatus = TypingLiteral["pending", "active", "failed"]


@dataclass(frozen=True)
class Registration:
    iri: str
    client_url: str
    node_id: str
    status: RegistrationStatus
    first_seen: datetime
    last_seen: datetime
    reason: str | None = None

    def node(self, profile: str = "gdcat") -> NodeConfig:
        return NodeConfig(id=self.node_id, kind="fdp", url=self.client_url, profile=profile)


def registrations_graph_iri(store: Store) -> str:
    return f"{store.base_iri}graph/registrations"


def check_client_url(url: str, *, allow_private: bool = False) -> str:
    """The URL if a node may register it: http(s), a host, no credentials; by default no
    loopback or private addresses (a public index must not be made to crawl its own network)."""
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
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if host == "localhost" or host.endswith(".localhost"):
                raise InputError("clientUrl must not point at this machine") from None
        else:
            if not address.is_global:
                raise InputError("clientUrl must be a public address") from None
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


def register(store: Store, client_url: str, *, allow_private: bool = False) -> Registration:
    """Queue a node (or refresh its registration); returns the registration."""
    url = check_client_url(client_url, allow_private=allow_private)
    now = datetime.now(UTC).replace(microsecond=0)
    existing = {r.client_url: r for r in list_registrations(store)}
    known = existing.get(url)
    if known is not None:
        updated = Registration(
            known.iri, url, known.node_id, known.status, known.first_seen, now, known.reason
        )
    else:
        node_id = node_id_for(url)
        iri = f"{store.base_iri}registration/{node_id}"
        updated = Registration(iri, url, node_id, "pending", now, now)
    existing[url] = updated
    _save(store, list(existing.values()))
    return updated


def set_status(
    store: Store, node_id: str, status: RegistrationStatus, reason: str | None = None
) -> None:
    items = list_registrations(store)
    changed = False
    for i, r in enumerate(items):
        if r.node_id == node_id and (r.status, r.reason) != (status, reason):
            items[i] = Registration(
                r.iri, r.client_url, r.node_id, status, r.first_seen, r.last_seen, reason
            )
            changed = True
    if changed:
        _save(store, items)


def registered_nodes(store: Store, profile: str = "gdcat") -> list[NodeConfig]:
    """Nodes to harvest from registrations (pending and active ones)."""
    return [r.node(profile) for r in list_registrations(store) if r.status != "failed"]


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
    for r in list_registrations(store):
        status = nodes.get(r.node_id)
        if status is None:
            continue
        if status == "failed":
            set_status(store, r.node_id, "failed", "the first harvest failed")
        else:
            set_status(store, r.node_id, "active")
