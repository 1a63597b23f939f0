"""Every property the store writes on a catalogue record is defined by the model."""

from __future__ import annotations

from rdflib.namespace import RDF

from gdcat.model.schema import predicate_for, slot_name_for
from gdcat.store import OxigraphStore
from gdcat.store import records as store_records

from .store_builders import DatasetSpec, write


def test_catalogue_record_properties_are_the_models() -> None:
    pairs = {
        "source_url": store_records.SOURCE_URL,
        "source_node": store_records.SOURCE_NODE,
        "source_country": store_records.SOURCE_COUNTRY,
        "content_hash": store_records.CONTENT_HASH,
        "validation_profile": store_records.VALIDATION_PROFILE,
        "validation_outcome": store_records.VALIDATION_OUTCOME,
    }
    assert {slot: predicate_for(slot) for slot in pairs} == pairs


def test_every_predicate_of_a_stored_catalogue_record_is_known() -> None:
    with OxigraphStore(None, "http://127.0.0.1:8000/") as store:
        store.put_records(
            [write(DatasetSpec("https://node.example.org/ds/1"), node="nl", country="NLD")]
        )
        result = store.query(
            f"SELECT DISTINCT ?p WHERE {{ GRAPH <{store.provenance_graph}> {{ ?r ?p ?o }} }}"
        )
    predicates = {row[0].value for row in result.rows if row[0] is not None}
    assert store_records.SOURCE_COUNTRY in predicates
    unknown = {p for p in predicates if slot_name_for(p) is None and p != str(RDF.type)}
    assert unknown == set()
