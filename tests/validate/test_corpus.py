"""The permanent corpus of real third-party metadata files (``tests/corpus/``, issue 11).

Each file is validated as ``gdcat validate`` does (every resource in it, not only its datasets)
and must give the outcome recorded in ``tests/corpus/expected.json``: its verdict, how many
records it holds, and exactly which values fail a class check. The recorded class violations
were read against the official shapes (a validator that does no inference): each is a value
that is untyped, a literal where an IRI is due, or an IRI in none of the shipped authority
tables. A new false class violation (a subclass, or a value of a table, refused) fails here.
Malformed files are refused with their line and column.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import URIRef

from gdcat.validate import Validator
from gdcat.validate.background import vocabulary_index

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
sys.path.insert(0, str(CORPUS))

from outcomes import PROFILES, corpus_files, outcome  # noqa: E402

EXPECTED: dict[str, dict[str, object]] = json.loads((CORPUS / "expected.json").read_text())
CASES = [
    f"{path.relative_to(CORPUS)} {profile}"
    for path in corpus_files()
    for profile in PROFILES[path.parent.name]
]


def test_every_file_has_a_recorded_outcome_and_a_source() -> None:
    assert sorted(EXPECTED) == sorted(CASES)
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in corpus_files():
        assert f"`{path.relative_to(CORPUS)}`" in sources, f"{path.name} has no SOURCES.md row"


@pytest.mark.parametrize("case", CASES)
def test_corpus_file_gives_its_recorded_outcome(
    case: str, validator: Callable[[str], Validator]
) -> None:
    name, profile = case.rsplit(" ", 1)
    found = outcome(CORPUS / name, validator(profile))
    found["class_violations"] = [list(x) for x in found.get("class_violations", [])]
    assert found == EXPECTED[case]


def test_no_class_violation_on_a_value_of_a_shipped_table() -> None:
    """A value the shipped authority tables list is never refused for its class."""
    index = vocabulary_index()
    for case, expected in EXPECTED.items():
        for _, value in expected.get("class_violations", []):  # type: ignore[attr-defined]
            if value.startswith(("http://", "https://")):  # an IRI (literals are quoted)
                assert not index.describes(URIRef(value)), (case, value)


def test_ckanext_dcat_organisations_pass_the_class_checks(
    validator: Callable[[str], Validator],
) -> None:
    """ckanext-dcat's own example: a foaf:Organization publisher and creator, a
    vcard:Organization contact point. No class check fails on them under dcat-ap-3 (before
    gdcat followed the class hierarchy, each was "not described as a foaf:Agent / vcard:Kind").
    """
    found = outcome(CORPUS / "ckanext-dcat" / "dataset.rdf", validator("dcat-ap-3"))
    failing_fields = {path for path, _ in found["class_violations"]}
    assert failing_fields  # the file has class violations of its own (untyped IRIs, literals)
    assert not failing_fields & {"publisher", "creator", "contact_point"}
