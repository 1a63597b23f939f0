"""Several processes over one store: the change log they follow and the leases they share.

A remote store (:mod:`gdcat.store.remote`) may be written by several gdcat processes at once
(serving processes behind a load balancer, a ``gdcat harvest`` from cron). Two mechanisms,
both kept in the store itself, let them work together:

- **The change log** (graph ``{base}graph/changes``). Every write request of a store object
  adds one entry naming the datasets it wrote or withdrew, *in the same request* (one
  transaction), stamped with the writer's id (random, one per store object) and the writer's
  own sequence number. A writer's requests run one after the other, so its entries become
  visible in sequence order; a follower remembers the highest sequence it has read of each
  writer and asks for the entries above it. Nothing depends on clocks or on the shared
  generation counter (an engine that does not serialise concurrent updates, as Oxigraph
  server, can lose an increment of it when two processes write at the same instant: a change
  log of distinct entries cannot lose one). A request whose outcome is unknown (it timed
  out) makes the writer take a new id, so that its late commit is still above what any
  follower has read. Entries older than :data:`CHANGE_RETENTION` are pruned by the writers;
  a follower that did not read the log for longer than half of that (a stopped process)
  cannot trust it and says so (:attr:`FollowResult.complete`): its index is then rebuilt.
- **Leases** (graph ``{base}graph/leases``): a named lock with an owner and an expiry, for
  harvests (one process harvests a node at a time). A lease is taken by one conditional
  SPARQL UPDATE (insert my claim unless a live claim of another owner exists, removing
  expired claims) and then read back: the taker holds it only if its claim is the only one.
  Read back is what makes it safe on an engine that runs two concurrent updates on the same
  snapshot: both may insert a claim, but each then sees the other's and withdraws its own
  (then tries again after a short random pause), so two processes never both hold it. The
  holder renews it while it works and releases it at the end; a claim whose expiry passed
  (its process died) is taken over. Expiry times come from the taking process's clock:
  processes' clocks must agree within a small part of the lease time (NTP does).

The embedded store is opened by one process only, so it has nothing to follow and its leases
are kept in memory (:class:`LocalLeases`).
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from gdcat.vocab import GDCAT

#: How long entries of the change log are kept (a follower reads it every few seconds).
CHANGE_RETENTION = timedelta(minutes=15)
#: How often (at most) a writer prunes the change log of entries older than the retention.
PRUNE_EVERY = timedelta(minutes=1)

CHANGE_WRITER = str(GDCAT.changeWriter)
CHANGE_SEQUENCE = str(GDCAT.changeSequence)
CHANGED_AT = str(GDCAT.changedAt)
CHANGE_WROTE = str(GDCAT.changeWrote)
CHANGE_WITHDREW = str(GDCAT.changeWithdrew)
LEASE_CLAIM = str(GDCAT.leaseClaim)
LEASE_OWNER = str(GDCAT.leaseOwner)
LEASE_EXPIRES = str(GDCAT.leaseExpires)
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


class FollowResult(NamedTuple):
    """What one :meth:`~gdcat.store.Store.follow` found."""

    #: records written or withdrawn by other processes (the listeners were told)
    changed: int
    #: False when changes may have been missed (the log was not read for too long): whoever
    #: keeps a copy of the store's state (the search index) must rebuild it
    complete: bool = True


@dataclass(frozen=True)
class LeaseState:
    """The outcome of trying to take a lease: held by us, or by whom and until when."""

    name: str
    acquired: bool
    #: the owner holding it (us when acquired)
    owner: str
    expires: datetime | None = None

    def describe(self) -> str:
        until = f" until {self.expires.isoformat(timespec='seconds')}" if self.expires else ""
        return f"held by {self.owner}{until}"


def lease_owner() -> str:
    """A lease owner id naming this process (host and pid, for the operator) uniquely."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def new_writer_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def dt_literal(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return f'"{text}"^^<{XSD_DATETIME}>'


def string_literal(value: str) -> str:
    """A SPARQL string literal of an id made of safe characters (ids are minted here)."""
    if any(c in value for c in '"\\\n\r'):
        raise ValueError(f"not a usable id: {value!r}")
    return f'"{value}"'


# -- the change log --------------------------------------------------------------------------


def change_entry(
    changes: str,
    entry: str,
    writer: str,
    sequence: int,
    moment: datetime,
    wrote: list[str],
    withdrew: list[str],
) -> str:
    """The update operation adding one entry to the change log (datasets are checked IRIs)."""
    lines = [
        f"<{entry}> <{CHANGE_WRITER}> {string_literal(writer)} .",
        f"<{entry}> <{CHANGE_SEQUENCE}> {sequence} .",
        f"<{entry}> <{CHANGED_AT}> {dt_literal(moment)} .",
    ]
    lines += [f"<{entry}> <{CHANGE_WROTE}> {iri} ." for iri in wrote]
    lines += [f"<{entry}> <{CHANGE_WITHDREW}> {iri} ." for iri in withdrew]
    return "INSERT DATA { GRAPH <" + changes + "> {\n" + "\n".join(lines) + "\n} }"


def prune_operation(changes: str, before: datetime) -> str:
    """The update operation removing the change log's entries older than ``before``."""
    return (
        f"DELETE {{ GRAPH <{changes}> {{ ?entry ?p ?o }} }}\n"
        f"WHERE {{ GRAPH <{changes}> {{ ?entry <{CHANGED_AT}> ?at ; ?p ?o "
        f"FILTER(?at < {dt_literal(before)}) }} }}"
    )


def changes_query(changes: str, seen: dict[str, int]) -> str:
    """``?writer ?sequence ?kind ?dataset`` of every entry above what ``seen`` (writer ->
    highest sequence read) says was read (``?kind`` 1 wrote, 2 withdrew; unbound for an
    entry naming no dataset)."""
    if seen:
        known = ", ".join(string_literal(w) for w in seen)
        above = " || ".join(
            f"(?writer = {string_literal(w)} && ?sequence > {n})" for w, n in seen.items()
        )
        condition = f"FILTER(!(?writer IN ({known})) || {above})"
    else:
        condition = ""
    return (
        f"SELECT ?writer ?sequence ?kind ?dataset WHERE {{ GRAPH <{changes}> {{ "
        f"?entry <{CHANGE_WRITER}> ?writer ; <{CHANGE_SEQUENCE}> ?sequence . {condition} "
        f"OPTIONAL {{ {{ ?entry <{CHANGE_WROTE}> ?dataset BIND(1 AS ?kind) }} UNION "
        f"{{ ?entry <{CHANGE_WITHDREW}> ?dataset BIND(2 AS ?kind) }} }} }} }}"
    )


def log_marks_query(changes: str) -> str:
    """``?writer ?sequence``: the highest sequence of each writer in the change log."""
    return (
        f"SELECT ?writer (MAX(?n) AS ?sequence) WHERE {{ GRAPH <{changes}> {{ "
        f"?entry <{CHANGE_WRITER}> ?writer ; <{CHANGE_SEQUENCE}> ?n }} }} GROUP BY ?writer"
    )


# -- leases ----------------------------------------------------------------------------------


def lease_iri(base_iri: str, name: str) -> str:
    return f"{base_iri}lease/{uuid.uuid5(uuid.NAMESPACE_URL, name).hex}"


def claim_iri(lease: str, owner: str) -> str:
    return f"{lease}/{uuid.uuid5(uuid.NAMESPACE_URL, owner).hex}"


def take_lease_operation(
    leases: str, lease: str, owner: str, moment: datetime, expires: datetime
) -> str:
    """Claim ``lease`` for ``owner`` unless another owner's claim is live at ``moment``:
    expired claims are removed, ours is written with its new expiry. (The condition is a
    count in a subquery: Virtuoso 7 ignores a ``FILTER NOT EXISTS`` over a named graph.)"""
    claim = claim_iri(lease, owner)
    at = dt_literal(moment)
    me = string_literal(owner)
    return (
        f"DELETE {{ GRAPH <{leases}> {{ <{lease}> <{LEASE_CLAIM}> ?old . ?old ?p ?o }} }}\n"
        f"WHERE {{ GRAPH <{leases}> {{ <{lease}> <{LEASE_CLAIM}> ?old . ?old ?p ?o "
        f"OPTIONAL {{ ?old <{LEASE_EXPIRES}> ?end }} }} "
        f"FILTER(!BOUND(?end) || ?end <= {at}) }} ;\n"
        f"DELETE {{ GRAPH <{leases}> {{ <{claim}> <{LEASE_EXPIRES}> ?until }} }}\n"
        f"INSERT {{ GRAPH <{leases}> {{ <{lease}> <{LEASE_CLAIM}> <{claim}> . "
        f"<{claim}> <{LEASE_OWNER}> {me} ; <{LEASE_EXPIRES}> {dt_literal(expires)} }} }}\n"
        f"WHERE {{ {{ SELECT (COUNT(?live) AS ?others) WHERE {{ GRAPH <{leases}> {{ "
        f"<{lease}> <{LEASE_CLAIM}> ?live . ?live <{LEASE_OWNER}> ?who ; "
        f"<{LEASE_EXPIRES}> ?end FILTER(?who != {me} && ?end > {at}) }} }} }} "
        f"FILTER(?others = 0) "
        f"OPTIONAL {{ GRAPH <{leases}> {{ <{claim}> <{LEASE_EXPIRES}> ?until }} }} }}"
    )


def renew_lease_operation(leases: str, lease: str, owner: str, expires: datetime) -> str:
    """Move the expiry of ``owner``'s claim on ``lease`` (if it still has one)."""
    claim = claim_iri(lease, owner)
    return (
        f"DELETE {{ GRAPH <{leases}> {{ <{claim}> <{LEASE_EXPIRES}> ?until }} }}\n"
        f"INSERT {{ GRAPH <{leases}> {{ <{claim}> <{LEASE_EXPIRES}> {dt_literal(expires)} }} }}\n"
        f"WHERE {{ GRAPH <{leases}> {{ <{lease}> <{LEASE_CLAIM}> <{claim}> . "
        f"<{claim}> <{LEASE_EXPIRES}> ?until }} }}"
    )


def release_lease_operation(leases: str, lease: str, owner: str) -> str:
    """Remove ``owner``'s claim on ``lease``."""
    claim = claim_iri(lease, owner)
    return (
        f"DELETE {{ GRAPH <{leases}> {{ <{lease}> <{LEASE_CLAIM}> <{claim}> . "
        f"<{claim}> ?p ?o }} }}\n"
        f"WHERE {{ GRAPH <{leases}> {{ <{claim}> ?p ?o }} }}"
    )


def claims_query(leases: str, lease: str) -> str:
    """``?owner ?expires`` of every claim on ``lease``."""
    return (
        f"SELECT ?owner ?expires WHERE {{ GRAPH <{leases}> {{ <{lease}> <{LEASE_CLAIM}> ?claim . "
        f"?claim <{LEASE_OWNER}> ?owner OPTIONAL {{ ?claim <{LEASE_EXPIRES}> ?expires }} }} }}"
    )


class LocalLeases:
    """Leases of a store only one process opens (the embedded store): kept in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[str, datetime]] = {}

    def acquire(self, name: str, owner: str, seconds: float) -> LeaseState:
        moment = utc_now()
        with self._lock:
            held = self._held.get(name)
            if held is not None and held[0] != owner and held[1] > moment:
                return LeaseState(name, False, held[0], held[1])
            expires = moment + timedelta(seconds=seconds)
            self._held[name] = (owner, expires)
            return LeaseState(name, True, owner, expires)

    def renew(self, name: str, owner: str, seconds: float) -> bool:
        with self._lock:
            held = self._held.get(name)
            if held is None or held[0] != owner:
                return False
            self._held[name] = (owner, utc_now() + timedelta(seconds=seconds))
            return True

    def release(self, name: str, owner: str) -> None:
        with self._lock:
            held = self._held.get(name)
            if held is not None and held[0] == owner:
                del self._held[name]
