"""Self-registration cannot be flooded: each client address may register
``registration_rate`` times an hour, and at most ``registration_max_pending`` registrations
wait for a harvest; over either, a 429 with ``Retry-After`` and a problem naming the limit.

The flood is real: 500 POSTs over HTTP to a live gdcat on 127.0.0.1; other clients connect
from other loopback addresses (127.0.0.2, 127.0.0.3…), which the server tells apart as it
would tell apart hosts on the internet. The client URLs are public addresses written as hosts
(no DNS is needed, and nothing is ever fetched from them: no harvest runs here).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from capped_gdcat import ANSWERED_WITHIN
from live_gdcat import LiveGdcat, start_gdcat

from gdcat.api.clients import client_key
from gdcat.api.ratelimit import RateLimiter, retry_after
from gdcat.harvest.registration import list_registrations, record_outcomes

RATE = 10
MAX_PENDING = 25


def fdp(n: int | str) -> dict[str, str]:
    return {"clientUrl": f"https://93.184.215.14/fdp/{n}/"}


def client_from(address: str) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (a loopback address)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def pending(live: LiveGdcat) -> int:
    return sum(1 for r in list_registrations(live.store) if r.status == "pending")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveGdcat]:
    with start_gdcat(
        tmp_path,
        datasets=None,
        registration_rate=RATE,
        registration_max_pending=MAX_PENDING,
    ) as server:
        yield server


def test_500_registrations_from_one_client_queue_only_its_share(live: LiveGdcat) -> None:
    url = f"{live.url}/api/registrations"
    with client_from("127.0.0.1") as flood:
        answers = [flood.post(url, json=fdp(i)) for i in range(500)]
    statuses = [a.status_code for a in answers]
    assert statuses[:RATE] == [202] * RATE
    assert statuses[RATE:] == [429] * (500 - RATE)

    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    # one registration comes back every 360 s (10 an hour): wait for the next one
    assert 300 < int(refused.headers["retry-after"]) <= 360
    problem = refused.json()
    assert problem["status"] == 429
    assert problem["type"].endswith("/registration-rate-limited")
    assert problem["limit"] == "registration_rate"
    assert problem["detail"] == (
        f"this client may register {RATE} times an hour (registration_rate); try again in "
        f"{refused.headers['retry-after']} s"
    )
    # the queue holds what was accepted, and nothing else
    assert pending(live) == RATE
    assert {r.client_url for r in list_registrations(live.store)} == {
        fdp(i)["clientUrl"] for i in range(RATE)
    }

    # another client registers at once, and the server answers everyone else promptly
    with client_from("127.0.0.2") as other:
        began = time.monotonic()
        assert other.get(f"{live.url}/api/nodes").status_code == 200
        assert time.monotonic() - began < ANSWERED_WITHIN
        accepted = other.post(url, json=fdp("other"))
    assert accepted.status_code == 202, accepted.text
    assert pending(live) == RATE + 1


def test_the_queue_of_pending_registrations_is_capped(live: LiveGdcat) -> None:
    url = f"{live.url}/api/registrations"
    accepted = 0
    last: httpx.Response | None = None
    for host in range(1, 5):  # four clients, each within its own rate
        with client_from(f"127.0.0.{host}") as client:
            for i in range(RATE):
                last = client.post(url, json=fdp(f"{host}-{i}"))
                if last.status_code != 202:
                    break
                accepted += 1
        if last is not None and last.status_code != 202:
            break
    assert accepted == MAX_PENDING and pending(live) == MAX_PENDING
    assert last is not None and last.status_code == 429
    assert last.headers["retry-after"] == "3600"
    problem = last.json()
    assert problem["type"].endswith("/registration-queue-full")
    assert problem["limit"] == "registration_max_pending"
    assert problem["detail"].startswith(
        f"{MAX_PENDING} registrations are waiting for their first harvest"
    )
    assert "registration_max_pending = 25" in problem["detail"]

    with client_from("127.0.0.9") as newcomer:
        # a node already queued may ping again (nothing grows) ...
        assert newcomer.post(url, json=fdp("1-0")).status_code == 202
        assert newcomer.post(url, json=fdp("new")).status_code == 429
        assert pending(live) == MAX_PENDING
        # ... and once a harvest has taken the queue, new nodes are queued again
        taken = {r.node_id: "complete" for r in list_registrations(live.store)}
        record_outcomes(live.store, taken)
        again = newcomer.post(url, json=fdp("new"))
    assert again.status_code == 202, again.text
    assert pending(live) == 1


# -- the rate limiter on its own ---------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refills_at_the_rate_and_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 3600.0, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [None, None, None]
    wait = limiter.take("a")
    assert wait == pytest.approx(1200.0) and retry_after(wait) == "1200"
    assert limiter.take("b") is None  # another client has its own bucket
    clock.now += 600
    assert limiter.take("a") == pytest.approx(600.0)  # half a token back: not yet
    clock.now += 600
    assert limiter.take("a") is None
    assert limiter.take("a") == pytest.approx(1200.0)
    clock.now += 10 * 3600  # a long pause fills the bucket, never beyond its size
    assert [limiter.take("a") for _ in range(4)][-1] == pytest.approx(1200.0)


def test_the_limiter_keeps_a_bounded_number_of_clients() -> None:
    limiter = RateLimiter(1, 3600.0, max_clients=100, clock=Clock())
    for n in range(10_000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
    assert limiter.clients() == 100


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::2", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("fe80::1%eth0", "fe80::/64"),
        (None, "unknown"),
        ("testclient", "testclient"),
    ],
)
def test_clients_are_counted_by_address_and_ipv6_hosts_by_their_64(
    host: str | None, key: str
) -> None:
    assert client_key(host) == key
