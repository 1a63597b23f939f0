"""``gdcat harvest``, ``gdcat changes``, ``gdcat register`` and ``gdcat query`` over nodes
served on 127.0.0.1 (a FAIR Data Point, a Hydra feed, a DCAT document) and a store on disk."""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from local_http import loopback_server, serving
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF

from gdcat.cli import main
from gdcat.demo import Federation, generate_federation
from gdcat.demo.nodes import NodeContent, ServedFederation, serve_federation
from gdcat.harvest.registration import list_registrations
from gdcat.rdf.records import graph_hash
from gdcat.store import OxigraphStore
from gdcat.vocab import COUNTRY, FDP, GDCAT

BASE = "http://127.0.0.1:8000/"
KINDS = {"nl": "fdp", "de": "feed", "hu": "dcat"}


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDCAT_VALIDATION_WORKERS", "1")
    monkeypatch.setenv("GDCAT_BASE_IRI", BASE)


@pytest.fixture(scope="module")
def fed() -> Federation:
    return generate_federation(datasets=100)


@pytest.fixture
def served(fed: Federation) -> Iterator[ServedFederation]:
    """Three nodes of three kinds, fresh for each test (tests change what they serve)."""
    with serve_federation(fed, kinds=KINDS, page_size=3) as federation:
        yield federation


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def harvest(registry: Path, store: Path, *extra: str) -> Result:
    return cli("harvest", "--nodes", str(registry), "--store", str(store), *extra)


def harvest_json(registry: Path, store: Path, *extra: str) -> dict[str, Any]:
    result = harvest(registry, store, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert isinstance(report, dict)
    return report


def sparql(store: Path, query: str) -> list[dict[str, str]]:
    """``gdcat query`` as JSON results: one ``{variable: value}`` per row."""
    result = cli("query", query, "--store", str(store), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def retitled(graph: Graph, iri: str) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if s == URIRef(iri) and p == DCTERMS.title and isinstance(o, Literal):
            o = Literal(f"{o} (second edition)", lang=o.language)
        out.add((s, p, o))
    return out


# -- harvest ----------------------------------------------------------------------------


def test_harvest_reports_json_and_a_second_run_validates_and_writes_nothing(
    served: ServedFederation, tmp_path: Path
) -> None:
    registry = served.write_registry(tmp_path / "nodes.toml")
    store = tmp_path / "store"

    first = harvest_json(registry, store)
    assert first["status"] == "complete" and first["dry_run"] is False
    assert sorted(n["node"] for n in first["nodes"]) == sorted(KINDS)
    served_records = {n.id: set(n.content.records) for n in served}
    for node in first["nodes"]:
        assert node["status"] == "complete" and node["kind"] == KINDS[node["node"]]
        counts = node["counts"]
        assert counts["added"] == len(node["added"]) > 0
        rejected = {r["dataset"] for r in node["rejected"]}
        assert set(node["added"]) | rejected == served_records[node["node"]]
        assert counts["updated"] == counts["unchanged"] == counts["withdrawn"] == 0
    totals = first["totals"]
    added = [iri for node in first["nodes"] for iri in node["added"]]
    assert totals["added"] == len(added) == totals["writes"]
    assert totals["validations"] == totals["added"] + totals["rejected"]
    with OxigraphStore(store, BASE) as opened:
        assert opened.list_records() == sorted(added)

    second = harvest_json(registry, store)
    assert second["status"] == "complete"
    assert second["totals"]["validations"] == 0 and second["totals"]["writes"] == 0
    assert second["totals"]["unchanged"] == len(added)
    assert second["totals"]["added"] == second["totals"]["updated"] == 0
    # a record that stays invalid is still reported, without being validated again
    assert second["totals"]["rejected"] == totals["rejected"]


def test_text_report_names_each_node(served: ServedFederation, tmp_path: Path) -> None:
    registry = served.write_registry(tmp_path / "nodes.toml")
    result = harvest(registry, tmp_path / "store")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("harvest run http") and ": complete" in result.stdout
    for node in KINDS:
        assert f"  {node} " in result.stdout
    lines = result.stdout.splitlines()
    assert "total: " in lines[-2]
    # then what the catalogue holds, each kind named as the pages name it
    assert "datasets" in lines[-1] and "dataset series" in lines[-1]
    assert "data services" in lines[-1]


def test_dry_run_lists_the_changes_and_writes_nothing(
    served: ServedFederation, tmp_path: Path
) -> None:
    registry = served.write_registry(tmp_path / "nodes.toml")
    store = tmp_path / "store"
    first = harvest_json(registry, store)
    stored = {n["node"]: n["added"] for n in first["nodes"]}
    changed, gone = stored["hu"][0], stored["de"][0]
    hu, de = served.node("hu").content, served.node("de").content
    hu.put(changed, retitled(hu.records[changed], changed))
    de.delete(gone)
    with OxigraphStore(store, BASE) as opened:
        before = (opened.count_triples(), opened.record_hashes())

    dry = harvest_json(registry, store, "--dry-run")
    assert dry["dry_run"] is True
    nodes = {n["node"]: n for n in dry["nodes"]}
    assert nodes["hu"]["updated"] == [changed]
    assert nodes["de"]["withdrawn"] == [gone]
    assert dry["totals"]["writes"] == 0 and dry["totals"]["validations"] == 1
    text = harvest(registry, store, "--dry-run")
    assert text.exit_code == 0, text.output
    assert "(dry run)" in text.stdout
    assert f"would be updated: {changed}" in text.stdout
    assert f"would be withdrawn: {gone}" in text.stdout
    with OxigraphStore(store, BASE) as opened:
        assert (opened.count_triples(), opened.record_hashes()) == before
    runs = sparql(
        store,
        f"SELECT DISTINCT ?run WHERE {{ GRAPH ?g {{ ?run a <{PROV.Activity}> "
        f'FILTER(STRSTARTS(STR(?run), "{BASE}run/")) }} }}',
    )
    assert [r["run"] for r in runs] == [first["run"]]  # a dry run leaves no report behind

    real = harvest_json(registry, store)
    nodes = {n["node"]: n for n in real["nodes"]}
    assert nodes["hu"]["updated"] == [changed] and nodes["de"]["withdrawn"] == [gone]


def test_an_unknown_node_is_unusable_input(served: ServedFederation, tmp_path: Path) -> None:
    registry = served.write_registry(tmp_path / "nodes.toml")
    result = harvest(registry, tmp_path / "store", "hu", "xx")
    assert result.exit_code == 2
    assert "unknown node(s) xx (the registry has: de, hu, nl)" in result.output


def test_a_bad_registry_is_unusable_input_naming_node_and_field(tmp_path: Path) -> None:
    registry = tmp_path / "nodes.toml"
    registry.write_text(
        '[[node]]\nid = "nl"\nkind = "fdp"\nurl = "https://fdp.example.nl/"\n\n'
        '[[node]]\nid = "se"\nkind = "ftp"\nurl = "https://fdp.example.se/"\n'
    )
    result = harvest(registry, tmp_path / "store")
    assert result.exit_code == 2
    assert f"error: {registry}: node se: kind: " in result.output
    missing = harvest(tmp_path / "absent.toml", tmp_path / "store")
    assert missing.exit_code == 2
    assert "cannot read the node registry" in missing.output


def test_a_node_that_cannot_be_read_makes_the_harvest_exit_3(
    served: ServedFederation, tmp_path: Path
) -> None:
    registry = served.write_registry(tmp_path / "nodes.toml")
    registry.write_text(registry.read_text().replace('policy = "reject"', "retries = 0"))
    served.node("hu").fail("*", 503)
    result = harvest(registry, tmp_path / "store", "--format", "json")
    report = json.loads(result.stdout)
    nodes = {n["node"]: n for n in report["nodes"]}
    assert nodes["hu"]["counts"]["failures"] == 1
    assert nodes["hu"]["status"] != "complete" and nodes["hu"]["reasons"]
    assert {n: r["status"] for n, r in nodes.items() if n != "hu"} == {
        "de": "complete",
        "nl": "complete",
    }
    assert report["status"] == "partial"
    assert result.exit_code == 3


# -- the change feed --------------------------------------------------------------------


def changes(store: Path, *extra: str) -> list[dict[str, Any]]:
    result = cli("changes", "--store", str(store), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert isinstance(items, list)
    return items


def test_changes_lists_created_records_then_a_tombstone_and_since_filters(
    served: ServedFederation, tmp_path: Path
) -> None:
    registry = served.write_registry(tmp_path / "nodes.toml")
    store = tmp_path / "store"
    first = harvest_json(registry, store)
    node_of = {iri: n["node"] for n in first["nodes"] for iri in n["added"]}

    created = changes(store)
    assert {c["dataset"] for c in created} == set(node_of)
    assert {c["change"] for c in created} == {"created"}
    assert all(c["node"] == node_of[c["dataset"]] for c in created)
    assert [c["modified"] for c in created] == sorted(c["modified"] for c in created)
    latest = created[-1]["modified"]

    gone = next(iri for iri, node in node_of.items() if node == "de")
    served.node("de").content.delete(gone)
    second = harvest_json(registry, store)
    assert {n["node"]: n["withdrawn"] for n in second["nodes"]}["de"] == [gone]

    everything = changes(store)
    assert len(everything) == len(created)
    (tombstone,) = [c for c in everything if c["change"] == "deleted"]
    assert tombstone["dataset"] == gone and tombstone["node"] == "de"
    assert everything[-1] == tombstone  # oldest first: the withdrawal comes last
    assert changes(store, "--since", latest) == [tombstone]
    assert changes(store, "--since", latest.replace("+00:00", "Z")) == [tombstone]
    assert len(changes(store, "--limit", "2")) == 2

    turtle = cli("changes", "--store", str(store), "--format", "turtle")
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.CatalogRecord))) == len(created)

    naive = cli("changes", "--store", str(store), "--since", "2026-01-31T12:00:00")
    assert naive.exit_code == 2 and "time zone" in naive.output
    garbled = cli("changes", "--store", str(store), "--since", "yesterday")
    assert garbled.exit_code == 2 and "not an ISO 8601 date-time" in garbled.output


# -- self-registration ------------------------------------------------------------------


@pytest.fixture
def own_fdp(fed: Federation) -> Iterator[tuple[str, set[str]]]:
    """A FAIR Data Point that, as a real one, publishes its IRIs at its own address (root,
    one catalogue, a page per dataset and per distribution), serving the records of the demo
    node ``be``; yields its URL and its datasets."""
    content = NodeContent.from_node(fed.node("be"))
    server = loopback_server(http.server.BaseHTTPRequestHandler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"

    def local(term: object) -> object:
        if isinstance(term, URIRef) and str(term).startswith(content.base):
            return URIRef(origin + "/" + str(term)[len(content.base) :])
        return term

    records: dict[str, Graph] = {}
    for iri, graph in content.records.items():
        g = Graph()
        for s, p, o in graph:
            g.add((local(s), local(p), local(o)))  # type: ignore[arg-type]
        records[str(local(URIRef(iri)))] = g
    catalog = URIRef(f"{origin}/catalog/genomics")
    pages: dict[str, Graph] = {"/": Graph(), "/catalog/genomics": Graph()}
    pages["/"].add((URIRef(origin + "/"), RDF.type, FDP.FAIRDataPoint))
    pages["/"].add((URIRef(origin + "/"), FDP.metadataCatalog, catalog))
    pages["/catalog/genomics"].add((catalog, RDF.type, DCAT.Catalog))
    pages["/catalog/genomics"].add((catalog, DCTERMS.title, Literal("Genomics", lang="en")))
    for iri in records:
        pages["/catalog/genomics"].add((catalog, DCAT.dataset, URIRef(iri)))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.get(self.path)
            if page is None:
                url = origin + self.path
                page = next(
                    (g for iri, g in records.items() if url == iri or url.startswith(iri + "/")),
                    None,
                )
            if page is None:
                self.send_error(404)
                return
            body = page.serialize(format="turtle").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    with serving(server):
        yield origin + "/", set(records)


def test_a_registered_fdp_is_harvested_and_becomes_active(
    served: ServedFederation,
    own_fdp: tuple[str, set[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, datasets = own_fdp
    registry = tmp_path / "nodes.toml"
    registry.write_text(
        f'[[node]]\nid = "hu"\nkind = "dcat"\ncountry = "HUN"\nurl = "{served.node("hu").url}"\n'
        "private = true\n"
    )
    store = tmp_path / "store"
    result = cli("register", url, "--store", str(store), "--allow-private")
    assert result.exit_code == 0, result.output
    with OxigraphStore(store, BASE) as opened:
        (registration,) = list_registrations(opened)
    assert registration.client_url == url and registration.status == "pending"
    assert f"registered as node {registration.node_id} (pending)" in result.output

    without = harvest_json(registry, store, "--no-registered")
    assert [n["node"] for n in without["nodes"]] == ["hu"]

    # registered nodes are harvested as public ones unless the operator allows private ones
    refused = harvest(registry, store, "--format", "json", "--dry-run")
    assert refused.exit_code == 3, refused.output
    (failure,) = next(
        n for n in json.loads(refused.stdout)["nodes"] if n["node"] == registration.node_id
    )["failures"]
    assert failure["kind"] == "forbidden-address"
    assert failure["message"].startswith("127.0.0.1 is a loopback address; set private = true")
    monkeypatch.setenv("GDCAT_REGISTRATION_ALLOW_PRIVATE", "true")

    report = harvest_json(registry, store)
    nodes = {n["node"]: n for n in report["nodes"]}
    assert set(nodes) == {"hu", registration.node_id}
    mine = nodes[registration.node_id]
    assert mine["kind"] == "fdp" and mine["status"] == "complete"
    assert mine["added"], mine
    assert set(mine["added"]) | {r["dataset"] for r in mine["rejected"]} == datasets
    with OxigraphStore(store, BASE) as opened:
        (registration,) = list_registrations(opened)
        record = opened.catalog_record(mine["added"][0])
    assert registration.status == "active"
    assert record is not None and record.meta.node == registration.node_id

    again = cli("register", url, "--store", str(store), "--allow-private")
    assert again.exit_code == 0 and "(active)" in again.output  # a ping refreshes, no reset


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://localhost:8080/fdp", "http://10.1.2.3/", "ftp://x/"]
)
def test_registering_a_private_address_is_refused(url: str, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = cli("register", url, "--store", str(store))
    assert result.exit_code == 2
    assert result.output.startswith("error: clientUrl must")
    with OxigraphStore(store, BASE) as opened:
        assert list_registrations(opened) == []


# -- the run report and the catalogue records, by SPARQL -----------------------------------


def test_runs_and_catalogue_records_are_queryable(served: ServedFederation, tmp_path: Path) -> None:
    registry = served.write_registry(tmp_path / "nodes.toml")
    store = tmp_path / "store"
    first = harvest_json(registry, store)
    second = harvest_json(registry, store)

    runs = sparql(
        store,
        f"SELECT DISTINCT ?run ?status WHERE {{ GRAPH ?g {{ ?run a <{PROV.Activity}> ; "
        f"<{GDCAT.status}> ?status }} }} ORDER BY ?run",
    )
    assert sorted(r["run"] for r in runs) == sorted([first["run"], second["run"]])
    assert {r["status"] for r in runs} == {"complete"}
    counts = sparql(
        store,
        f"SELECT ?count WHERE {{ GRAPH ?g {{ <{first['run']}> <{GDCAT.nodeHarvest}> ?n . "
        f'?n <{GDCAT.node}> "hu" ; <{GDCAT.addedCount}> ?count }} }}',
    )
    hu = next(n for n in first["nodes"] if n["node"] == "hu")
    assert {r["count"] for r in counts} == {str(hu["counts"]["added"])}

    dataset = hu["added"][0]
    rows = sparql(
        store,
        "SELECT ?p ?o WHERE { GRAPH ?g { ?record "
        f"<http://xmlns.com/foaf/0.1/primaryTopic> <{dataset}> ; ?p ?o }} }}",
    )
    values: dict[str, set[str]] = {}
    for row in rows:
        values.setdefault(row["p"], set()).add(row["o"])
    expected = {
        GDCAT.sourceUrl,
        GDCAT.contentHash,
        GDCAT.sourceNode,
        GDCAT.sourceCountry,
        GDCAT.lastHarvestRun,
        PROV.wasGeneratedBy,
        DCTERMS.issued,
        DCTERMS.modified,
    }
    assert {str(p) for p in expected} <= set(values), sorted(values)
    assert values[str(GDCAT.sourceUrl)] == {served.node("hu").url}
    assert values[str(GDCAT.sourceNode)] == {"hu"}
    assert values[str(GDCAT.sourceCountry)] == {str(COUNTRY.HUN)}
    assert values[str(PROV.wasGeneratedBy)] == {first["run"]}  # the run that wrote it
    assert values[str(GDCAT.lastHarvestRun)] == {second["run"]}  # the last run that saw it
    with OxigraphStore(store, BASE) as opened:
        graph = opened.get_record(dataset)
    assert graph is not None
    assert values[str(GDCAT.contentHash)] == {graph_hash(graph)}
