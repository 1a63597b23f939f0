"""Chaos: a harvest started in a real, memory-capped ``gdcat serve`` reads the demo federation
and, beside it, one node serving each hostile document of issue 12, while a steward publishes
and researchers query. Afterwards the server answers, the run report names each poisoned node
with the limit its document hit, every healthy node holds exactly the records a harvest of the
healthy nodes alone stores, and every publish the server accepted is there.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from capped_gdcat import ANSWERED_WITHIN, CappedGdcat, start_capped_gdcat, wait_until
from hostile_documents import Hostile, corpus
from local_http import loopback_server, serving

from gdcat.demo import generate_federation
from gdcat.demo.nodes import serve_federation
from gdcat.harvest import Harvester
from gdcat.harvest.registry import parse_registry
from gdcat.rdf.formats import get_format
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "model" / "examples" / "valid" / "ee-biobank-genotyping-arrays.yaml"
ADMIN = "admin-secret-for-the-chaos-test"
STEWARD_NODE = "ee-steward"
PUBLISHES = 8
DATASETS = 30


def node_id(hostile: Hostile) -> str:
    return "poison-" + hostile.name


class PoisonHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``/<name>``: the hostile document of that name, with its format's media type."""

    documents: ClassVar[dict[str, Hostile]] = {}

    def do_GET(self) -> None:
        hostile = self.documents.get(self.path.lstrip("/"))
        if hostile is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", get_format(hostile.fmt).media_type)
        self.send_header("Content-Length", str(len(hostile.data)))
        self.end_headers()
        self.wfile.write(hostile.data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def poisoned_registry(url: str, hostiles: list[Hostile]) -> str:
    return "".join(
        f'[[node]]\nid = "{node_id(h)}"\nkind = "dcat"\nurl = "{url}/{h.name}"\n'
        'country = "NLD"\nprivate = true\nretries = 0\n\n'
        for h in hostiles
    )


def healthy_counts(registry: Path, tmp: Path) -> dict[str, int]:
    """Records per node that a harvest of the healthy nodes alone stores (the baseline)."""
    nodes = parse_registry(registry.read_text(), source=str(registry))
    settings = Settings(base_iri="http://baseline.test/", validation_workers=1)
    store = OxigraphStore(tmp / "baseline-store", settings.base_iri)
    try:
        with Harvester(store, settings) as harvester:
            report = harvester.run(nodes)
        assert report.status == "complete", report
        return {n.id: len(store.record_sources(n.id)) for n in nodes}
    finally:
        store.close()


@dataclass
class Traffic:
    """What the steward and the researchers got while the harvest ran."""

    published: list[str] = field(default_factory=list)
    publish_statuses: list[int] = field(default_factory=list)
    query_statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def steward_and_researchers(
    live: CappedGdcat, token: str, stop: threading.Event, traffic: Traffic
) -> Iterator[threading.Thread]:
    template = EXAMPLE.read_text(encoding="utf-8")

    def publish() -> None:
        for n in range(PUBLISHES):
            iri = f"https://ee.gdcat.example/dataset/chaos-{n}"
            body = re.sub(r"(?m)^id: .*$", f"id: {iri}", template, count=1)
            try:
                r = httpx.put(
                    f"{live.url}/api/nodes/{STEWARD_NODE}/datasets",
                    params={"iri": iri},
                    content=body.encode(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/yaml",
                    },
                    timeout=60,
                )
            except httpx.HTTPError as e:
                traffic.errors.append(f"publish {iri}: {e!r}")
                continue
            traffic.publish_statuses.append(r.status_code)
            if r.status_code in (200, 201):
                traffic.published.append(iri)

    def query() -> None:
        paths = ["/api/datasets?q=genome", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "/health"]
        while not stop.is_set():
            for path in paths:
                try:
                    r = httpx.get(live.url + path, timeout=10)
                    traffic.query_statuses.append(r.status_code)
                except httpx.HTTPError as e:
                    traffic.errors.append(f"GET {path}: {e!r}")

    for target in (publish, query):
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        yield thread


@pytest.mark.slow
def test_a_poisoned_harvest_beside_healthy_nodes_loses_nothing(tmp_path: Path) -> None:
    hostiles = [h for h in corpus() if h.fmt != "yaml"] + [
        h for h in corpus() if h.name == "yaml-python-tag"
    ]
    PoisonHandler.documents = {h.name: h for h in hostiles}
    federation = generate_federation(datasets=DATASETS)
    served = serve_federation(federation, page_size=25)
    try:
        with serving(loopback_server(PoisonHandler)) as poison_url:
            healthy = served.write_registry(tmp_path / "healthy.toml")
            expected = healthy_counts(healthy, tmp_path)
            registry = tmp_path / "nodes.toml"
            registry.write_text(
                healthy.read_text() + "\n" + poisoned_registry(poison_url, hostiles)
            )
            with start_capped_gdcat(
                tmp_path,
                admin_token=ADMIN,
                registry_file=registry,
                token_nodes=(STEWARD_NODE,),
            ) as live:
                stop = threading.Event()
                traffic = Traffic()
                started = httpx.post(
                    f"{live.url}/api/harvest",
                    headers={"Authorization": f"Bearer {ADMIN}"},
                    timeout=30,
                )
                assert started.status_code == 202, started.text
                job_url = started.headers["location"]
                threads = list(
                    steward_and_researchers(live, live.tokens[STEWARD_NODE], stop, traffic)
                )
                job: dict[str, object] = {}

                def harvest_done() -> bool:
                    job.update(httpx.get(job_url, timeout=10).json())
                    return job["status"] != "running"

                try:
                    wait_until(harvest_done, 300, "the harvest to finish")
                finally:
                    stop.set()
                    for thread in threads:
                        thread.join(120)

                # the server answered everyone throughout, and still does, under its cap
                live.assert_healthy()
                assert not traffic.errors, traffic.errors[:5]
                assert traffic.query_statuses and set(traffic.query_statuses) == {200}
                assert traffic.publish_statuses == [201] * PUBLISHES, (
                    traffic.publish_statuses,
                    live.log_text()[-4000:],
                )
                assert live.get("/api/datasets?q=genome", timeout=ANSWERED_WITHIN) == 200

                # the run report names each poisoned node and the limit its document hit
                assert job["status"] == "done", job
                report = httpx.get(str(job["report"]), timeout=30).json()
                runs = {n["node"]: n for n in report["nodes"]}
                for hostile in hostiles:
                    run = runs[node_id(hostile)]
                    assert run["status"] == "failed", (hostile.name, run)
                    said = " ".join(f["message"] for f in run["failures"]) + " ".join(
                        run["reasons"]
                    )
                    assert hostile.names in said, (hostile.name, said)

                # every healthy node holds what a harvest of the healthy nodes alone stores
                listed = httpx.get(f"{live.url}/api/nodes", timeout=30).json()["items"]
                records = {n["id"]: n["records"] for n in listed}
                for node, count in expected.items():
                    assert records[node] == count, (node, records[node], count)
                    assert runs[node]["status"] == "complete", runs[node]

                # every accepted publish is there, as the steward's own record
                held = httpx.get(
                    f"{live.url}/api/nodes/{STEWARD_NODE}/datasets",
                    params={"limit": 1000},
                    timeout=30,
                ).json()["items"]
                published = {r["dataset"] for r in held if r["published"]}
                assert published == set(traffic.published)
                live.assert_healthy()
    finally:
        served.close()
