"""Nodes, harvest runs and their reports, the change feed, self-registration and harvests
started over the API, checked against what the store and the harvest itself say."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from local_http import loopback_server, serving

from gdcat.harvest import load_registry
from gdcat.publish import TokenFile

ADMIN = "admin-secret-for-tests"


def get(live: LiveGdcat, path: str, **params: object) -> httpx.Response:
    return httpx.get(f"{live.url}{path}", params=params, timeout=30)  # type: ignore[arg-type]


# -- runs and reports (the shared, read-only server) ------------------------------------------


def test_the_runs_list_shows_the_harvest_that_filled_the_store(gdcat_server: LiveGdcat) -> None:
    live = gdcat_server
    assert live.report is not None
    r = get(live, "/api/harvest/runs")
    assert r.status_code == 200
    page = r.json()
    run_id = live.report.run.rsplit("/", 1)[-1]
    (summary,) = [s for s in page["items"] if s["id"] == run_id]
    assert summary["iri"] == live.report.run
    assert summary["status"] == live.report.status
    assert summary["nodes"] == len(live.report.nodes)
    assert summary["totals"] == live.report.totals()
    assert summary["report"] == f"{live.base}api/harvest/runs/{run_id}"
    started = [s["started"] for s in page["items"]]
    assert started == sorted(started, reverse=True)


def test_a_runs_report_agrees_with_the_harvest(gdcat_server: LiveGdcat) -> None:
    live = gdcat_server
    assert live.report is not None
    report = get(live, f"/api/harvest/runs/{live.report.run.rsplit('/', 1)[-1]}").json()
    assert report["totals"] == live.report.totals()
    by_node = {n["node"]: n for n in report["nodes"]}
    assert set(by_node) == {n.node for n in live.report.nodes}
    for expected in live.report.nodes:
        got = by_node[expected.node]
        assert got["status"] == expected.status
        assert got["counts"] == expected.counts()
        assert got["added"] == sorted(expected.added)
        assert got["withdrawn"] == sorted(expected.withdrawn)
        assert sorted(got["reasons"]) == sorted(expected.reasons)
        assert [r["dataset"] for r in got["rejected"]] == sorted(
            r.dataset for r in expected.rejected
        )
        for rejection in expected.rejected:
            (shown,) = [r for r in got["rejected"] if r["dataset"] == rejection.dataset]
            assert {x["path"] for x in shown["reasons"]} == {x.path for x in rejection.reasons}
    # and what the run says it added is what the store holds
    stored = set(live.store.list_records())
    assert {iri for n in report["nodes"] for iri in n["added"]} == stored


def test_unknown_and_malformed_run_ids_are_4xx(gdcat_server: LiveGdcat) -> None:
    assert get(gdcat_server, "/api/harvest/runs/20000101T000000Z-00000000").status_code == 404
    assert get(gdcat_server, "/api/harvest/runs/..%2F..%2Fetc").status_code in (404, 422)
    assert get(gdcat_server, "/api/harvest/runs/not-a-run").status_code == 422
    assert get(gdcat_server, "/api/harvest/runs", limit=0).status_code == 422
    assert get(gdcat_server, "/api/harvest/runs", offset=-1).status_code == 422


# -- the change feed --------------------------------------------------------------------------


def test_paging_through_the_change_feed_finds_every_record_once(gdcat_server: LiveGdcat) -> None:
    live = gdcat_server
    seen: list[str] = []
    url: str | None = f"{live.url}/api/changes?limit=7"
    pages = 0
    while url is not None:
        r = httpx.get(url)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [c["dataset"] for c in page["items"]]
        assert all(c["change"] == "created" for c in page["items"])
        url = page["next"]
        pages += 1
        assert pages < 100
    # the harvest wrote its records in batches at one instant each: the cursor loses none
    assert sorted(seen) == live.store.list_records()
    assert len(seen) == len(set(seen))
    everything = get(live, "/api/changes", limit=10_000).json()
    assert [c["dataset"] for c in everything["items"]] == seen
    assert everything["next"] is None
    modified = [c["modified"] for c in everything["items"]]
    assert modified == sorted(modified)


def test_the_change_feed_after_a_moment(gdcat_server: LiveGdcat) -> None:
    items = get(gdcat_server, "/api/changes", limit=10_000).json()["items"]
    last = items[-1]["modified"]
    assert get(gdcat_server, "/api/changes", since=last).json()["items"] == []
    earlier = get(gdcat_server, "/api/changes", since="2000-01-01T00:00:00Z").json()["items"]
    assert len(earlier) == len(items)
    for bad in ({"since": "yesterday"}, {"since": "2026-01-01T00:00:00"}, {"limit": 0}):
        r = get(gdcat_server, "/api/changes", **bad)
        assert r.status_code == 422, bad
        assert r.headers["content-type"].startswith("application/problem+json")
    # the cursor refines since; alone it changes nothing
    alone = get(gdcat_server, "/api/changes", after="zzz", limit=10_000).json()["items"]
    assert alone == items


# -- nodes ------------------------------------------------------------------------------------


def test_the_nodes_are_the_registrys_with_their_records_and_last_harvest(
    gdcat_server: LiveGdcat,
) -> None:
    live = gdcat_server
    assert live.registry is not None and live.report is not None
    r = get(live, "/api/nodes")
    assert r.status_code == 200
    nodes = {n["id"]: n for n in r.json()["items"]}
    registry = {n.id: n for n in load_registry(live.registry)}
    assert set(nodes) == set(registry)
    statuses = {n.node: n.status for n in live.report.nodes}
    for node_id, config in registry.items():
        node = nodes[node_id]
        assert node["origin"] == "registry"
        assert (node["kind"], node["url"], node["country"]) == (
            config.kind,
            config.url,
            config.country,
        )
        assert node["records"] == len(live.store.record_sources(node_id))
        assert node["published"] == 0
        assert node["last_harvest"]["run_iri"] == live.report.run
        assert node["last_harvest"]["status"] == statuses[node_id]
    one = get(live, "/api/nodes/nl")
    assert one.status_code == 200 and one.json() == nodes["nl"]
    assert get(live, "/api/nodes/zz").status_code == 404
    assert get(live, "/api/nodes/NOT%20A%20NODE").status_code == 422


# -- self-registration ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    """A gdcat over an empty store, with an admin token (no registry); the registration rate
    limit is out of the way (test_registration_limits.py tests it)."""
    with start_gdcat(
        tmp_path_factory.mktemp("admin-empty"),
        datasets=None,
        admin_token=ADMIN,
        registration_rate=1000,
    ) as live:
        yield live


#: A public address (example.com's): a host name would need DNS, which tests do not rely on.
PUBLIC_FDP = "https://93.184.215.14/fdp/"


def test_a_fair_data_point_registers_itself(empty: LiveGdcat) -> None:
    url = f"{empty.url}/api/registrations"
    r = httpx.post(url, json={"clientUrl": PUBLIC_FDP})
    assert r.status_code == 202, r.text
    registration = r.json()
    assert registration["status"] == "pending"
    assert r.headers["location"] == f"{empty.base}api/nodes/{registration['node']}"
    again = httpx.post(url, json={"clientUrl": PUBLIC_FDP})
    assert again.status_code == 202 and again.json()["node"] == registration["node"]
    assert again.json()["first_seen"] == registration["first_seen"]

    node = httpx.get(r.headers["location"]).json()
    assert node["origin"] == "registration" and node["kind"] == "fdp"
    assert node["registration"]["client_url"] == PUBLIC_FDP
    assert node["registration"]["status"] == "pending"
    assert node["records"] == 0 and node["last_harvest"] is None


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://127.0.0.1:8080/", 403),
        ("http://localhost/", 403),
        ("http://localhost./", 403),
        ("http://10.1.2.3/fdp", 403),
        ("http://169.254.169.254/latest/meta-data/", 403),
        ("https://no-such-host.invalid/fdp", 403),
        ("http://[::1]/", 422),
        ("ftp://fdp.example.org/", 422),
        ("https://user:pw@fdp.example.org/", 422),
        ("fdp.example.org", 422),
    ],
)
def test_registration_refuses_this_machine_private_networks_and_odd_urls(
    empty: LiveGdcat, url: str, status: int
) -> None:
    r = httpx.post(f"{empty.url}/api/registrations", json={"clientUrl": url})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    listed = httpx.get(f"{empty.url}/api/nodes").json()["items"]
    assert url not in {(n["url"] or "") for n in listed}


@pytest.mark.parametrize("body", [{}, {"url": "https://x.example/"}, {"clientUrl": ""}, [], "x"])
def test_a_registration_without_a_client_url_is_422(empty: LiveGdcat, body: object) -> None:
    r = httpx.post(f"{empty.url}/api/registrations", json=body)
    assert r.status_code == 422


def test_harvesting_an_unknown_node_is_a_404(empty: LiveGdcat) -> None:
    url = f"{empty.url}/api/harvest"
    admin = {"Authorization": f"Bearer {ADMIN}"}
    r = httpx.post(url, params={"node": "nowhere"}, headers=admin)
    assert r.status_code == 404
    assert "nowhere" in r.json()["detail"]
    assert httpx.post(url, params={"node": "No Such"}, headers=admin).status_code == 422


def test_without_a_registry_or_registrations_there_is_nothing_to_harvest(tmp_path: Path) -> None:
    with start_gdcat(tmp_path, datasets=None, admin_token=ADMIN) as live:
        r = httpx.post(f"{live.url}/api/harvest", headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 409
        assert r.json()["type"].endswith("/nothing-to-harvest")


# -- harvests started over the API ------------------------------------------------------------


class Gate:
    """A node whose answers wait until the test opens the gate: a harvest that is running for
    as long as the test needs, with no timing involved."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.asked = threading.Event()

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        gate = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                gate.asked.set()
                gate.opened.wait(120)
                body = b"not here"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveGdcat, Gate]]:
    gate = Gate()
    tmp = tmp_path_factory.mktemp("admin-harvest")
    with serving(loopback_server(gate.handler())) as node_url:
        registry = tmp / "nodes.toml"
        registry.write_text(
            f'[[node]]\nid = "slow"\nkind = "fdp"\nurl = "{node_url}/"\ncountry = "NLD"\n'
            "retries = 0\nprivate = true\n"
        )
        with start_gdcat(tmp, datasets=None, admin_token=ADMIN, registry_file=registry) as live:
            try:
                yield live, gate
            finally:
                gate.opened.set()


def wait_for(location: str) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, object] = httpx.get(location).json()
        if job["status"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"{location} did not finish")


def test_starting_a_harvest_needs_the_admin_token(gated: tuple[LiveGdcat, Gate]) -> None:
    live, _ = gated
    url = f"{live.url}/api/harvest"
    missing = httpx.post(url)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert httpx.post(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    _, steward = TokenFile(live.settings.tokens_file).create("slow")
    forbidden = httpx.post(url, headers={"Authorization": f"Bearer {steward}"})
    assert forbidden.status_code == 403
    assert httpx.get(f"{live.url}/api/harvest/runs").json()["total"] == 0


def test_one_harvest_at_a_time_and_its_run_appears_when_done(
    gated: tuple[LiveGdcat, Gate],
) -> None:
    live, gate = gated
    admin = {"Authorization": f"Bearer {ADMIN}"}
    started = httpx.post(f"{live.url}/api/harvest", headers=admin)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] == "running" and job["nodes"] == ["slow"]
    assert started.headers["location"] == job["location"]
    assert gate.asked.wait(60)  # the harvest is at the node, waiting for its answer

    second = httpx.post(f"{live.url}/api/harvest", headers=admin)
    assert second.status_code == 409
    assert second.headers["location"] == job["location"]
    assert httpx.get(job["location"]).json()["status"] == "running"

    gate.opened.set()
    done = wait_for(job["location"])

    assert done["status"] == "done" and done["run_status"] == "failed"
    run = httpx.get(str(done["report"]))
    assert run.status_code == 200
    report = run.json()
    assert report["id"] == done["run"]
    (node,) = report["nodes"]
    assert node["node"] == "slow" and node["status"] == "failed"
    assert node["failures"] and node["reasons"]
    runs = httpx.get(f"{live.url}/api/harvest/runs").json()
    assert [r["id"] for r in runs["items"]] == [done["run"]]
    listed = httpx.get(f"{live.url}/api/nodes/slow").json()
    assert listed["last_harvest"]["run"] == done["run"]
    # and a new harvest may start now
    again = httpx.post(f"{live.url}/api/harvest", headers=admin)
    assert again.status_code == 202
    assert wait_for(again.json()["location"])["status"] == "done"
    assert httpx.get(f"{live.url}/api/harvest/jobs/000000000000").status_code == 404


def test_an_operator_may_allow_registrations_on_the_local_network(tmp_path: Path) -> None:
    with start_gdcat(tmp_path, datasets=None, registration_allow_private=True) as live:
        r = httpx.post(
            f"{live.url}/api/registrations", json={"clientUrl": "http://127.0.0.1:8101/"}
        )
        assert r.status_code == 202, r.text
        # the registration is linked data at the IRI gdcat minted for it
        minted = [
            row[0].value
            for row in live.store.query(
                "SELECT ?r WHERE { GRAPH ?g { ?r a ?type } } VALUES ?type "
                "{ <https://w3id.org/gdcat/ns#NodeRegistration> }",
                union_default_graph=False,
            ).rows
        ]
        assert len(minted) == 1
        page = httpx.get(minted[0], headers={"Accept": "text/turtle"})
        assert page.status_code == 200
        assert "http://127.0.0.1:8101/" in page.text
        assert httpx.get(f"{live.url}/registration/nobody").status_code == 404
