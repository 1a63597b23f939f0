"""Everything in a file is validated, not only its datasets (issue 11, item 3): a catalogue's
publisher without a name, a data service without an endpoint are reported, traced to the
resource and field; a file with no DCAT resource is unusable input (exit 2) that says what the
file holds, on ``gdcat validate``, ``gdcat load`` and in a harvest report."""

from __future__ import annotations

import http.server
import json
from pathlib import Path

from click.testing import CliRunner, Result
from local_http import loopback_server, serving

from gdcat.cli import main

CATALOGUE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://example.org/catalogue> a dcat:Catalog ;
  dct:title "Catalogue"@en ; dct:description "A catalogue."@en ;
  dct:publisher <https://example.org/publisher> ;
  dcat:dataset <https://example.org/dataset/1> ;
  dcat:service <https://example.org/service> .
<https://example.org/publisher> a foaf:Organization .
<https://example.org/service> a dcat:DataService ; dct:title "An API"@en .
<https://example.org/dataset/1> a dcat:Dataset ;
  dct:title "A dataset"@en ; dct:description "Described."@en .
"""

BIOBANK = """
@prefix ejp: <https://w3id.org/ejp-rd/vocabulary#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://biobank.example.org/b1> a ejp:Biobank ; dct:title "A biobank"@en .
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_catalogue_publisher_and_data_service_are_validated(tmp_path: Path) -> None:
    path = _write(tmp_path, "catalogue.ttl", CATALOGUE)
    result = run("validate", str(path), "--profile", "dcat-ap-3", "--format", "json")
    assert result.exit_code == 1, result.output
    violations = {
        (r["dataset"], r["path"], r["focus_node"])
        for r in json.loads(result.stdout)["results"]
        if r["severity"] == "Violation"
    }
    assert violations == {
        ("https://example.org/catalogue", "publisher.name", "https://example.org/publisher"),
        ("https://example.org/catalogue", "service.endpoint_url", "https://example.org/service"),
    }
    text = run("validate", str(path), "--profile", "dcat-ap-3")
    assert text.exit_code == 1
    assert "[Violation] publisher.name: `publisher.name` is required but missing." in text.output
    assert "on: https://example.org/service" in text.output
    assert (
        "1 record(s) in 1 file(s): 1 conform, 0 with violations; the catalogues, data services "
        "or agents of 1 file(s) have violations" in text.output
    )


def test_an_agent_without_a_name_is_reported_under_its_dataset(tmp_path: Path) -> None:
    text = CATALOGUE.replace(
        'dct:description "Described."@en .',
        'dct:description "Described."@en ; dct:publisher <https://example.org/publisher> .',
    )
    path = _write(tmp_path, "dataset.ttl", text)
    result = run("validate", str(path), "--profile", "dcat-ap-3", "--format", "json")
    found = {
        (r["dataset"], r["path"])
        for r in json.loads(result.stdout)["results"]
        if r["severity"] == "Violation"
    }
    assert ("https://example.org/dataset/1", "publisher.name") in found


def test_a_file_without_any_dcat_resource_is_unusable_and_says_what_it_holds(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "biobank.ttl", BIOBANK)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "conforms" not in result.output
    assert (
        "holds 1 <https://w3id.org/ejp-rd/vocabulary#Biobank> (<https://biobank.example.org/b1>)"
        " and no dcat:Dataset" in result.output
    )
    assert "add `a dcat:Dataset` to that resource" in result.output
    as_json = run("validate", str(path), "--format", "json")
    assert as_json.exit_code == 2
    (unusable,) = json.loads(as_json.stdout)["unusable"]
    assert unusable["file"] == str(path) and "Biobank" in unusable["message"]


def test_load_refuses_a_file_without_dcat_resources_and_reports_catalogue_problems(
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "store")
    refused = run("load", str(_write(tmp_path, "biobank.ttl", BIOBANK)), "--store", store)
    assert refused.exit_code == 2
    assert "Biobank" in refused.output and "no dcat:Dataset" in refused.output
    loaded = run(
        "load",
        str(_write(tmp_path, "catalogue.ttl", CATALOGUE)),
        "--store",
        store,
        "--profile",
        "dcat-ap-3",
    )
    assert loaded.exit_code == 1, loaded.output
    assert "service.endpoint_url" in loaded.output
    assert "stored 1 record(s)" in loaded.output
    assert "catalogues, data services or agents with violations in 1 file(s)" in loaded.output


def test_a_harvested_document_without_dcat_resources_is_a_warning(tmp_path: Path) -> None:
    body = BIOBANK.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(loopback_server(Handler)) as url:
        registry = tmp_path / "nodes.toml"
        registry.write_text(
            f'[[node]]\nid = "biobanks"\nkind = "dcat"\nurl = "{url}/biobank.ttl"\n'
            "private = true\n",
            encoding="utf-8",
        )
        result = run(
            "harvest", "--nodes", str(registry), "--store", str(tmp_path / "s"), "--format", "json"
        )
    assert result.stdout, result.output
    report = json.loads(result.stdout)
    (node,) = report["nodes"]
    assert any(
        w.startswith(f"{url}/biobank.ttl: holds 1 <https://w3id.org/ejp-rd/vocabulary#Biobank>")
        for w in node["warnings"]
    ), node
