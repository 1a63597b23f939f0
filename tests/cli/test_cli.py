"""The command line as stewards and operators use it: exit codes, reports, the store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.namespace import SH

from gdcat.cli import main
from gdcat.model.schema import slot_name_for

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "model" / "examples" / "valid"
INVALID = ROOT / "model" / "examples" / "invalid"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_valid_examples_conform_exit_0() -> None:
    result = run(
        "validate",
        str(VALID / "nl-rare-disease-wgs.yaml"),
        str(VALID / "se-allele-frequencies-beacon.ttl"),
    )
    assert result.exit_code == 0, result.output
    assert "2 record(s) in 2 file(s): 2 conform, 0 with violations" in result.output


def test_violations_exit_1_and_json_names_dataset_and_field() -> None:
    result = run("validate", str(INVALID / "negative-individuals.yaml"), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert {"dataset", "path", "severity", "message", "hint"} <= set(violations[0])
    assert "number_of_unique_individuals" in {r["path"] for r in violations}
    assert all(r["dataset"].startswith("http") for r in violations)


def test_text_report_is_readable_and_turtle_is_a_shacl_report() -> None:
    text = run("validate", str(INVALID / "missing-title.yaml"))
    assert text.exit_code == 1
    assert "title" in text.output and "Violation" in text.output
    turtle = run("validate", str(INVALID / "missing-title.yaml"), "--format", "turtle")
    graph = Graph().parse(data=turtle.output, format="turtle")
    report = next(graph.subjects(None, SH.ValidationReport))
    assert str(graph.value(report, SH.conforms)) == "false"


def test_profile_is_selectable_and_unknown_profile_exits_2() -> None:
    ok = run(
        "validate", str(VALID / "fi-cardiomyopathy-gene-panel.ttl"), "--profile", "healthdcat-ap-r8"
    )
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(main, ["validate", str(VALID), "--profile", "nope"])
    assert bad.exit_code == 2
    assert "gdcat" in bad.output and "healthdcat-ap-r8" in bad.output


def test_malformed_turtle_exits_2_with_file_line_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "<http://x> a dcat:Dataset ;\n"
        '  dcat:keyword "open .\n'
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3:" in result.output


def test_network_is_never_touched_and_exit_2(tmp_path: Path, recording_server) -> None:  # type: ignore[no-untyped-def]
    remote = tmp_path / "remote.jsonld"
    remote.write_text(json.dumps({"@context": recording_server.url + "/c", "@id": "http://x"}))
    xxe = tmp_path / "xxe.rdf"
    xxe.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY e SYSTEM "{recording_server.url}/e"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    )
    for path in (remote, xxe):
        result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
        assert result.exit_code == 2
        assert str(path) in result.output
    assert recording_server.requests == []


@pytest.mark.parametrize("kind", ["embedded", "oxigraph-server"])
def test_load_stores_what_conforms_then_query_and_inventory(
    tmp_path: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    """``--store`` takes a folder (the embedded store) or the URL of a remote store."""
    store = _store_option(kind, tmp_path, request)
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("nl-rare-disease-wgs.yaml", "es-clinical-exomes-not-shareable.ttl"):
        (docs / name).write_bytes((VALID / name).read_bytes())
    (docs / "bad.yaml").write_bytes((INVALID / "negative-individuals.yaml").read_bytes())
    result = run("load", str(docs), "--store", str(store), "--format", "json")
    assert result.exit_code == 1  # one record rejected
    outcome = json.loads(result.output)
    assert len(outcome["stored"]) == 2
    assert outcome["rejected"]["conforms"] is False

    query = run(
        "query",
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }",
        "--store",
        str(store),
        "--format",
        "json",
    )
    assert query.exit_code == 0
    bindings = json.loads(query.output)["results"]["bindings"]
    assert bindings[0]["n"]["value"] == "2"

    inventory = run("inventory", "--store", str(store), "--format", "json")
    totals = json.loads(inventory.output)["totals"]
    assert totals["datasets"] == 2
    assert {"NLD", "ESP"} <= {row["country"] for row in json.loads(inventory.output)["countries"]}


def _store_option(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "embedded":
        return str(tmp_path / "store")
    from oxigraph_server import clear

    url: str = request.getfixturevalue("oxigraph_url")
    clear(url)
    return url


def test_a_remote_store_that_cannot_be_reached_exits_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "ASK {}", "--store", "http://127.0.0.1:9/"])
    assert result.exit_code == 3
    assert "the store at http://127.0.0.1:9/ cannot be reached" in result.output


def test_bad_sparql_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "SELEC nothing", "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "error" in result.output.lower()


@pytest.mark.slow
def test_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "gdcat.cli",
            "validate",
            str(INVALID / "missing-title.yaml"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert json.loads(completed.stdout)["conforms"] is False


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("json-ld", ".jsonld"), ("xml", ".rdf"), ("nt", ".nt")]
)
def test_every_rdf_format_validates_the_same(tmp_path: Path, fmt: str, suffix: str) -> None:
    graph = Graph().parse(VALID / "fi-cardiomyopathy-gene-panel.ttl")
    good = tmp_path / f"record{suffix}"
    good.write_text(graph.serialize(format=fmt))
    assert run("validate", str(good)).exit_code == 0

    bad_graph = Graph().parse(INVALID / "title-without-language.ttl")
    bad = tmp_path / f"bad{suffix}"
    bad.write_text(bad_graph.serialize(format=fmt))
    result = run("validate", str(bad), "--format", "json")
    assert result.exit_code == 1
    assert "title" in {r["path"] for r in json.loads(result.output)["results"]}


def test_load_of_the_examples_folder_counts_yaml_and_turtle_twins_once(tmp_path: Path) -> None:
    result = run("load", str(VALID), "--store", str(tmp_path / "s"), "--format", "json")
    assert result.exit_code == 0, result.output
    stored = json.loads(result.output)["stored"]
    assert len(stored) == len(set(stored))
    twins = {p.stem for p in VALID.glob("*.yaml")} & {p.stem for p in VALID.glob("*.ttl")}
    assert len(twins) >= 10 and len(stored) >= len(twins)


def test_a_dataset_described_differently_in_two_files_is_refused(tmp_path: Path) -> None:
    first = tmp_path / "one.ttl"
    second = tmp_path / "two.ttl"
    first.write_bytes((VALID / "fi-cardiomyopathy-gene-panel.ttl").read_bytes())
    text = first.read_text().replace("(174 genes)", "(180 genes)")
    assert text != first.read_text()
    second.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(first), str(second)])
    assert result.exit_code == 2
    assert "described differently" in result.output
    assert str(first) in result.output and str(second) in result.output


def test_a_bad_setting_is_unusable_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDCAT_VALIDATION_WORKERS", "many")
    result = CliRunner().invoke(main, ["validate", str(VALID / "fi-cardiomyopathy-gene-panel.ttl")])
    assert result.exit_code == 2
    assert "GDCAT_VALIDATION_WORKERS" in result.output


def test_nothing_usable_is_not_reported_as_conforming(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "conforms" not in result.output
    assert "no record checked" in result.output


def test_withdraw_removes_the_record_and_reports_unknown_ones(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    loaded = run(
        "load", str(VALID / "pt-paediatric-exomes.yaml"), "--store", store, "--format", "json"
    )
    (iri,) = json.loads(loaded.output)["stored"]
    gone = run("withdraw", iri, "https://nowhere.example/d", "--store", store)
    assert gone.exit_code == 1
    assert f"withdrawn {iri}" in gone.output
    assert "no live record of https://nowhere.example/d" in gone.output
    totals = json.loads(run("inventory", "--store", store, "--format", "json").output)["totals"]
    assert totals["datasets"] == 0


def test_demo_serves_the_nodes_harvests_them_and_prints_the_inventory(tmp_path: Path) -> None:
    """The README's run command: the demo federation served as real nodes of every kind on
    127.0.0.1 and harvested; exactly the records gdcat's profile rejects stay out, each
    rejection naming the field the planted defect broke."""
    store = tmp_path / "store"
    out = tmp_path / "demo"
    result = run(
        "demo", "--datasets", "40", "--out", str(out), "--store", str(store), "--first-port", "0"
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(list(out.glob("*.ttl"))) == 25
    registry = (out / "nodes.toml").read_text()
    for kind in ("fdp", "dcat", "feed", "sparql", "beacon"):
        assert f'kind = "{kind}"' in registry
    rejected = {
        line.split("rejected: ", 1)[1].split(": ")[0]: line.split(": ")[2]
        for line in result.output.splitlines()
        if "rejected: http" in line
    }
    failing_gdcat = {
        r["dataset"]: slot_name_for(r["path"])
        for node in manifest["nodes"]
        for r in node["invalid"]
        if "gdcat" in r["profiles"]
    }
    assert rejected and rejected == failing_gdcat
    stored = json.loads(
        run(
            "query",
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a ?t "
            "FILTER(?t IN (<http://www.w3.org/ns/dcat#Dataset>, "
            "<http://www.w3.org/ns/dcat#DatasetSeries>)) } }",
            "--store",
            str(store),
            "--format",
            "json",
        ).output
    )
    assert int(stored["results"]["bindings"][0]["n"]["value"]) == 40 - len(rejected)
    assert "Progress toward 1,000,000 genomes" in result.output
