"""Self-registration on its own: which client URLs are refused (by the addresses their host
resolves to, not by its name), and registrations changed at the same time all kept."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from rdflib import Graph

from gdcat.errors import InputError
from gdcat.harvest.registration import (
    check_client_url,
    list_registrations,
    record_outcomes,
    register,
    registrations_graph_iri,
    set_status,
)
from gdcat.store import OxigraphStore

BASE = "http://gdcat.test/"


def loopback_names() -> list[str]:
    """Names other than ``localhost`` that this machine resolves to loopback addresses only
    (its host name, through /etc/hosts, on most machines)."""
    names = []
    for name in dict.fromkeys([socket.gethostname(), "localhost.localdomain", "ip6-localhost"]):
        if name == "localhost" or name.endswith(".localhost"):
            continue
        try:
            infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except OSError:
            continue
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
        if addresses and all(a.is_loopback for a in addresses):
            names.append(name)
    return names


def test_a_name_that_resolves_to_this_machine_is_refused() -> None:
    names = loopback_names()
    if not names:
        pytest.skip("no name but localhost resolves to loopback here")
    for name in names:
        with pytest.raises(InputError, match="public address") as refused:
            check_client_url(f"http://{name}:8080/fdp")
        assert name in str(refused.value)
        # unless the operator allows the local network
        assert check_client_url(f"http://{name}:8080/fdp", allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost./",
        "http://LOCALHOST/",
        "http://fdp.localhost./",
        "http://169.254.169.254/",
    ],
)
def test_this_machine_and_link_local_addresses_are_refused_however_written(url: str) -> None:
    with pytest.raises(InputError, match="clientUrl must"):
        check_client_url(url)


def test_a_name_that_does_not_resolve_is_refused_saying_so() -> None:
    with pytest.raises(InputError, match="does not resolve"):
        check_client_url("https://no-such-host.invalid/fdp")


def test_a_public_address_is_accepted() -> None:
    assert check_client_url(" https://93.184.215.14/fdp ") == "https://93.184.215.14/fdp"


# -- changes at the same time -----------------------------------------------------------------


class MeetingStore(OxigraphStore):
    """A real store where two threads reading the registrations meet before going on (or,
    when the second never comes, the first goes on after a second): without a lock around
    each read-modify-write, both read the same registrations and one change is lost."""

    def __init__(self) -> None:
        super().__init__(None, BASE)
        self.meeting = threading.Barrier(2, timeout=1.0)

    def get_graph(self, graph_iri: str) -> Graph:
        graph = super().get_graph(graph_iri)
        if graph_iri == registrations_graph_iri(self):
            with contextlib.suppress(threading.BrokenBarrierError):
                self.meeting.wait()
        return graph


@pytest.fixture
def meeting() -> Iterator[MeetingStore]:
    store = MeetingStore()
    yield store
    store.close()


def at_once(*steps: Callable[[], object]) -> None:
    errors: list[BaseException] = []

    def run(step: Callable[[], object]) -> None:
        try:
            step()
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors


def test_two_registrations_at_once_are_both_kept(meeting: MeetingStore) -> None:
    urls = ["https://93.184.215.14/a/", "https://93.184.215.14/b/"]
    at_once(*(lambda url=url: register(meeting, url) for url in urls))
    assert sorted(r.client_url for r in list_registrations(meeting)) == urls


def test_a_status_set_while_a_node_registers_loses_neither(meeting: MeetingStore) -> None:
    first = register(meeting, "https://93.184.215.14/a/")
    meeting.meeting.reset()
    second_url = "https://93.184.215.14/b/"
    at_once(
        lambda: record_outcomes(meeting, {first.node_id: "complete"}),
        lambda: register(meeting, second_url),
    )
    by_url = {r.client_url: r for r in list_registrations(meeting)}
    assert set(by_url) == {first.client_url, second_url}
    assert by_url[first.client_url].status == "active"
    assert by_url[second_url].status == "pending"
    set_status(meeting, first.node_id, "failed", "gone")
    assert {r.node_id: r.status for r in list_registrations(meeting)}[first.node_id] == "failed"
