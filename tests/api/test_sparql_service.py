"""Federated queries from gdcat's ``/sparql`` to the demo SPARQL nodes, all real servers on
127.0.0.1: the node is on the ``SERVICE`` allow-list as a ``sparql`` node of the registry gdcat
serves with, pyoxigraph calls it (sending its header names in lower case), and its answer
joins gdcat's. A node that fails is a ``502`` naming the remote failure, not a ``503`` about
gdcat's own store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib.namespace import DCAT, RDF

from gdcat.demo import generate_federation
from gdcat.demo.nodes import ServedFederation, ServedNode, serve_federation


@dataclass
class Federated:
    gdcat: LiveGdcat
    served: ServedFederation
    node: ServedNode


@pytest.fixture(scope="module")
def federated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federated]:
    tmp = tmp_path_factory.mktemp("service")
    with serve_federation(generate_federation(datasets=40), kinds={"es": "sparql"}) as served:
        registry = served.write_registry(Path(tmp) / "nodes.toml")
        with start_gdcat(tmp, datasets=None, registry_file=registry) as live:
            yield Federated(live, served, served.node("es"))


def _datasets_query(endpoint: str) -> str:
    return (
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
        f"SELECT ?d WHERE {{ SERVICE <{endpoint}> {{ ?d a dcat:Dataset }} }}"
    )


def test_service_to_a_demo_sparql_node_answers_with_its_datasets(federated: Federated) -> None:
    node = federated.node
    expected = {str(d) for d in node.content.graph().subjects(RDF.type, DCAT.Dataset)}
    assert expected
    description = httpx.get(federated.gdcat.url + "/sparql", headers={"Accept": "text/turtle"})
    assert node.url in description.text  # listed as an allowed federation endpoint
    r = httpx.get(
        federated.gdcat.url + "/sparql",
        params={"query": _datasets_query(node.url)},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert {b["d"]["value"] for b in r.json()["results"]["bindings"]} == expected
    assert node.requests[-1] == ("POST", "/sparql", 200)


def test_a_failing_node_is_a_502_naming_the_remote_failure(federated: Federated) -> None:
    node = federated.node
    node.fail("*", 500)
    try:
        r = httpx.post(
            federated.gdcat.url + "/sparql",
            data={"query": _datasets_query(node.url)},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        silent = httpx.post(
            federated.gdcat.url + "/sparql",
            data={"query": _datasets_query(node.url).replace("SERVICE", "SERVICE SILENT")},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
    finally:
        node.clear_faults()
    assert silent.status_code == 200, silent.text
    assert silent.json()["results"]["bindings"] == [{}]  # one empty solution (SPARQL 1.1)
    assert r.status_code == 502, r.text
    problem = r.json()
    assert problem["type"].endswith("/service-failed")
    assert "SERVICE endpoint could not be queried" in problem["detail"]
    assert "500" in problem["detail"] and node.url in problem["detail"]
