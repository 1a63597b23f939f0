"""Acceptance (issue 12, case 1 for harvesting): a node serving a "billion laughs" RDF/XML
catalogue beside a healthy node. ``gdcat harvest`` (a process of its own, under a 3 GB address
space cap) completes: the report names the poisoned node's document and the limit, the healthy
node's records are stored, and the exit code is the CLI's for a failed node (3)."""

from __future__ import annotations

import http.server
import json
import resource
import subprocess
import sys
from pathlib import Path

from hostile_documents import billion_laughs
from local_http import loopback_server, serving

from gdcat.demo import generate_federation
from gdcat.demo.nodes import serve_federation
from gdcat.store import OxigraphStore

BASE = "http://127.0.0.1:8000/"
HEALTHY = "de"


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))


def poisoned_node() -> http.server.HTTPServer:
    body = billion_laughs("https://poison.example.org/dataset/1")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rdf+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return loopback_server(Handler)


def test_a_billion_laughs_node_fails_alone_and_the_healthy_node_is_stored(tmp_path: Path) -> None:
    fed = generate_federation(datasets=100, invalid=0)
    healthy_records = {r.iri for r in fed.node(HEALTHY).records}
    with (
        serve_federation(fed, kinds={HEALTHY: "fdp"}) as served,
        serving(poisoned_node()) as poison_url,
    ):
        registry = served.write_registry(tmp_path / "nodes.toml")
        catalogue = f"{poison_url}/catalog.rdf"
        with registry.open("a", encoding="utf-8") as out:
            out.write(
                f'\n[[node]]\nid = "poison"\nkind = "dcat"\nurl = "{catalogue}"\nprivate = true\n'
            )
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from gdcat.cli import main; main()",
                "harvest",
                "--nodes",
                str(registry),
                "--store",
                str(tmp_path / "store"),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=_capped,
            env={"GDCAT_BASE_IRI": BASE, "GDCAT_VALIDATION_WORKERS": "1", **_path_env()},
        )
    assert "Traceback" not in result.stderr
    assert result.returncode == 3, result.stderr[-3000:]
    report = json.loads(result.stdout)
    nodes = {n["node"]: n for n in report["nodes"]}
    poison = nodes["poison"]
    assert poison["status"] != "complete"
    (failure,) = poison["failures"]
    assert failure["url"] == catalogue and failure["kind"] == "parse"
    assert "max_xml_entity_expansion" in failure["message"]
    assert "GDCAT_MAX_XML_ENTITY_EXPANSION" in failure["message"]
    healthy = nodes[HEALTHY]
    assert healthy["status"] == "complete"
    assert set(healthy["added"]) == healthy_records
    with OxigraphStore(tmp_path / "store", BASE) as store:
        assert set(store.list_records()) == healthy_records


def _path_env() -> dict[str, str]:
    import os

    keep = ("PATH", "PYTHONPATH", "HOME", "LANG", "TMPDIR")
    return {k: v for k, v in os.environ.items() if k in keep}
