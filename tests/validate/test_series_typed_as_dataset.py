"""A series that also says ``a dcat:Dataset`` (as gdcat's feed writes it for ckanext-dcat) is
validated as the series it is: it does not become a target of the dataset shapes.

The series is DCAT-AP.de's own example (``tests/corpus/dcat-ap-de/DatasetSeries.ttl``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from gdcat.validate import Validator

SERIES_FILE = Path(__file__).resolve().parents[1] / "corpus" / "dcat-ap-de" / "DatasetSeries.ttl"
SERIES = URIRef("http://bienenland.example.org/rdf/series/87654321-0xyz-8472-0815-db732bcf6912")


def _summary(graph: Graph, validator: Validator) -> set[tuple[str, str, str]]:
    report = validator.validate(graph)
    return {
        ("_:" if r.focus_node.startswith("_:") else r.focus_node, r.path, r.constraint)
        for r in report.results
    }


@pytest.mark.parametrize("profile", ["gdcat", "dcat-ap-3"])
def test_the_added_dataset_type_changes_nothing(
    profile: str, validator: Callable[[str], Validator]
) -> None:
    written = Graph().parse(SERIES_FILE)
    typed = Graph().parse(SERIES_FILE)
    typed.add((SERIES, RDF.type, DCAT.Dataset))
    as_written = _summary(written, validator(profile))
    assert _summary(typed, validator(profile)) == as_written
    if profile == "gdcat":
        # the dataset shapes do apply to the releases (they lack the genomics fields) ...
        assert any(focus != str(SERIES) and "sequencing" in path for focus, path, _ in as_written)
        # ... and not to the series
        assert not any(
            focus == str(SERIES) and "sequencing" in path for focus, path, _ in as_written
        )
