"""Who a request comes from, for budgets and rate limits kept per client.

A client is its address. Behind a reverse proxy every request comes from the proxy, so the
address the client connected to the proxy from is read from ``X-Forwarded-For``, but only
when the request comes from one of the ``trusted_proxies`` (addresses or networks; none by
default): anyone else could write any address there. The header is read from its end, as each
proxy appends the address it was connected from: the first address, from the right, that is
not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from fastapi import Request

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[_Network, ...]:
    networks = []
    for entry in trusted:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue  # the setting's validation reports it (see trusted_networks)
    return tuple(networks)


def trusted_networks(trusted: Sequence[str]) -> tuple[_Network, ...]:
    """The networks of ``trusted_proxies``; raises ValueError naming an entry that is none."""
    for entry in trusted:
        ipaddress.ip_network(entry.strip(), strict=False)
    return _networks(tuple(trusted))


def _is_trusted(address: str, networks: tuple[_Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, trusted_proxies: Sequence[str] = ()) -> str:
    """The address of the client that sent ``request`` (``"unknown"`` when the server was
    not told, as in-process test clients do not)."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(tuple(trusted_proxies))
    if not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy we trust wrote something that is no address
    return hops[0] if hops else peer


def client_key(host: str | None) -> str:
    """The key a client's calls are counted under: its IPv4 address, its IPv6 /64 network
    (an IPv4-mapped IPv6 address counts as the IPv4 one); any other name as it is."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(address), 64), strict=False))
    return str(address)


def client_of(request: Request, trusted_proxies: Sequence[str] = ()) -> str:
    """The key budgets and rate limits count ``request`` under: its client's address (through
    trusted proxies) as :func:`client_key` groups it."""
    return client_key(client_address(request, trusted_proxies))
