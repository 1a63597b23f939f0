"""Fixtures for the demo-federation tests: the default federation, generated once."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from gdcat.demo import Federation, generate_federation, write_federation
from gdcat.rdf.records import Record, split_records


@pytest.fixture(scope="session")
def federation() -> Federation:
    """The federation ``gdcat demo`` builds by default (seed 1, 400 datasets, 8 invalid)."""
    return generate_federation()


@pytest.fixture(scope="session")
def written(federation: Federation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default federation written to a temporary folder."""
    out = tmp_path_factory.mktemp("demo")
    write_federation(federation, out)
    return out


@pytest.fixture(scope="session")
def node_graphs(federation: Federation) -> dict[str, Graph]:
    return {node.id: node.graph() for node in federation.nodes}


@pytest.fixture(scope="session")
def records(node_graphs: dict[str, Graph]) -> dict[str, list[Record]]:
    """Every node's records, as gdcat's record splitter cuts them."""
    return {node_id: split_records(g) for node_id, g in node_graphs.items()}
