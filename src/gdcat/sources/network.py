"""Where gdcat may connect: host names are resolved here, and only here, and every address
checked before a connection is opened to it.

A harvested node, or a node that registered itself, names a host; the host's addresses decide
where gdcat's requests go. A public catalogue must not be made to reach its own network (the
cloud metadata service at ``169.254.169.254``, an admin port on loopback, the intranet), so
every outbound connection of the harvester goes through :func:`open_checked`:

1. the host is resolved once (an address written as the host is taken as it is);
2. *every* address it resolves to must be public (not loopback, private, link-local,
   shared, multicast, reserved, unspecified; an IPv6 address carrying an IPv4 one, such as
   ``::ffff:127.0.0.1``, is judged by the IPv4 address), unless the node is configured as
   private;
3. the socket is opened to one of exactly those addresses: nothing resolves the name a second
   time, so a name that answers differently the next time (DNS rebinding) cannot slip through.

The check is made for every connection, so a redirect to another host (or a rebinding between
two requests) is checked again. Self-registration checks client URLs with the same function.

The :class:`Network` protocol is the one seam: :class:`SystemNetwork` uses the operating
system's resolver and sockets; a test can hand the harvester a network whose name service
answers what the test needs (a real one cannot be made to rebind on demand).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Sequence
from typing import Protocol

from gdcat.errors import GdcatError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class AddressError(GdcatError):
    """A host gdcat will not, or cannot, connect to."""


class ForbiddenAddressError(AddressError):
    """The host is, or resolves to, an address that is not public."""

    def __init__(self, host: str, address: str, what: str) -> None:
        self.host = host
        self.address = address
        self.what = what
        if host.strip("[]") == address:
            message = f"{address} is {what}"
        else:
            message = f"{host} resolves to {address}, {what}"
        super().__init__(message)


class ResolutionError(AddressError):
    """The host does not resolve (or not in time)."""


class Network(Protocol):
    """Names to addresses, and sockets to addresses."""

    def resolve(self, host: str, port: int, timeout: float) -> list[str]:
        """Every address ``host`` resolves to (no duplicates); :class:`ResolutionError` when
        it resolves to none within ``timeout`` seconds."""
        ...

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        """A TCP socket connected to ``address`` (an IP address, never a name)."""
        ...


class SystemNetwork:
    """The operating system's resolver and sockets.

    ``getaddrinfo`` has no time limit of its own: each look-up runs in a daemon thread and is
    abandoned after ``timeout`` seconds; at most ``max_lookups`` run at a time, so names that
    never answer cannot pile up threads.
    """

    def __init__(self, max_lookups: int = 8) -> None:
        self._lookups = threading.BoundedSemaphore(max_lookups)

    def resolve(self, host: str, port: int, timeout: float) -> list[str]:
        if not self._lookups.acquire(timeout=timeout):
            raise ResolutionError(f"{host} could not be resolved now (too many look-ups)")
        answer: list[list[str] | BaseException] = []
        done = threading.Event()

        def look_up() -> None:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                answer.append([str(info[4][0]) for info in infos])
            except (OSError, UnicodeError) as e:
                answer.append(e)
            finally:
                self._lookups.release()
                done.set()

        try:
            threading.Thread(target=look_up, name="gdcat-resolve", daemon=True).start()
        except RuntimeError:  # no thread to spare
            self._lookups.release()
            raise ResolutionError(f"{host} could not be resolved now") from None
        if not done.wait(timeout):
            raise ResolutionError(f"{host} could not be resolved within {timeout:g} s")
        result = answer[0]
        if isinstance(result, BaseException) or not result:
            raise ResolutionError(f"{host} does not resolve to any address")
        return list(dict.fromkeys(result))

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((address, port), timeout)


def non_public(address: str) -> str | None:
    """None for a public address; else what the address is ("a loopback address"…)."""
    try:
        ip: Address = ipaddress.ip_address(address)
    except ValueError:  # not an address that can be judged: refused
        return "not an address gdcat can judge"
    if isinstance(ip, ipaddress.IPv6Address):
        carried = _carried_ipv4(ip)
        if carried is not None:
            what = non_public(str(carried))
            return None if what is None else f"{what} (as IPv6 {ip})"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "an address that is not publicly routable"
    return None


def _carried_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (IPv4-mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def literal_address(host: str) -> str | None:
    """``host`` if it is an IP address (IPv6 with or without brackets), else None."""
    text = host.strip("[]")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return None
    return text


def checked_addresses(
    host: str, port: int, *, allow_private: bool, network: Network, timeout: float
) -> list[str]:
    """The addresses of ``host``, each of them public unless ``allow_private``;
    :class:`ForbiddenAddressError` names the first that is not."""
    literal = literal_address(host)
    addresses = [literal] if literal is not None else network.resolve(host, port, timeout)
    if not allow_private:
        for address in addresses:
            what = non_public(address)
            if what is not None:
                raise ForbiddenAddressError(host, address, what)
    return addresses


def open_checked(
    host: str, port: int, *, allow_private: bool, network: Network, timeout: float
) -> socket.socket:
    """A socket connected to one of the checked addresses of ``host`` (tried in the order the
    resolver gave them, as the standard library does)."""
    addresses = checked_addresses(
        host, port, allow_private=allow_private, network=network, timeout=timeout
    )
    return _first_connected(addresses, port, network, timeout)


def _first_connected(
    addresses: Sequence[str], port: int, network: Network, timeout: float
) -> socket.socket:
    failure: OSError | None = None
    for address in addresses:
        try:
            return network.connect(address, port, timeout)
        except OSError as e:
            failure = e
    assert failure is not None  # checked_addresses never returns an empty list
    raise failure
