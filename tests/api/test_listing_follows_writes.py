"""The listing of live records behind the catalogue pages, the FDP and the feed follows the
store's writes record by record: after any mix of writes, replacements, withdrawals and moves
between nodes it equals a listing read afresh, a write reads back only the records it changed,
and a change no listener can name (a raw SPARQL update) makes it read everything again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from gdcat.api.resources import LinkedData
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite

BASE = "http://127.0.0.1:9/"
NODE = "https://node.example.org/"
SERIES = URIRef(str(DCAT) + "DatasetSeries")


def record(name: str, node: str, kind: URIRef = DCAT.Dataset, version: str = "1") -> RecordWrite:
    ds = URIRef(NODE + name)
    g = Graph()
    g.add((ds, RDF.type, kind))
    g.add((ds, DCTERMS.title, Literal(f"{name} {version}", lang="en")))
    meta = RecordMeta(
        source="test", content_hash=name + version, profile="gdcat", outcome="conforms", node=node
    )
    return RecordWrite(str(ds), g, meta)


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    with OxigraphStore(None, BASE) as opened:
        yield opened


def fresh(store: OxigraphStore) -> LinkedData:
    data = LinkedData(store)
    data.listing()
    data.close()
    return data


def same(followed: LinkedData, store: OxigraphStore) -> None:
    got, expected = followed.listing(), fresh(store).listing()
    assert got.entries == expected.entries
    assert got.catalogues == expected.catalogues
    assert got.by_dataset == expected.by_dataset


def test_the_listing_follows_writes_withdrawals_and_moves(store: OxigraphStore) -> None:
    store.put_records([record(f"d{i}", "aa" if i % 2 else "bb") for i in range(6)])
    data = LinkedData(store)
    assert len(data.listing().entries) == 6
    store.put_records([record("new", "aa"), record("d1", "aa", version="2")])
    same(data, store)
    store.withdraw(NODE + "d2")
    same(data, store)
    assert NODE + "d2" not in data.listing().by_dataset
    # a record moving to another node's catalogue, and a catalogue left empty
    store.put_records([record("d0", "cc", kind=SERIES, version="2")])
    store.withdraw(NODE + "d4")
    same(data, store)
    assert data.listing().by_dataset[NODE + "d0"].kind == "DatasetSeries"
    assert [e.key for e in data.listing().catalogues["cc"].entries] == [
        data.key_of(store.record_iri(NODE + "d0"))
    ]
    store.withdraw(NODE + "d0")
    same(data, store)
    assert "cc" not in data.listing().catalogues
    data.close()


def test_a_write_reads_back_only_its_records(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put_records([record(f"d{i}", "aa") for i in range(20)])
    data = LinkedData(store)
    data.listing()
    read: list[str] = []
    original = LinkedData._entries_where

    def spy(self: LinkedData, values: str) -> dict[str, object]:
        read.append(values)
        return original(self, values)  # type: ignore[return-value]

    monkeypatch.setattr(LinkedData, "_entries_where", spy)
    store.put_records([record("d3", "aa", version="2")])
    data.listing()
    assert len(read) == 1 and NODE + "d3" in read[0] and NODE + "d4" not in read[0]
    # a write that names no record (a run's provenance) reads nothing
    read.clear()
    store.put_graph(BASE + "graph/elsewhere", Graph())
    data.listing()
    assert read == []
    data.close()


def test_a_raw_update_makes_it_read_everything_again(store: OxigraphStore) -> None:
    store.put_records([record(f"d{i}", "aa") for i in range(3)])
    data = LinkedData(store)
    assert len(data.listing().entries) == 3
    store.update(
        f"DELETE WHERE {{ GRAPH <{store.provenance_graph}> {{ "
        f"<{store.record_iri(NODE + 'd1')}> ?p ?o }} }}"
    )
    same(data, store)
    assert len(data.listing().entries) == 2
    data.close()


def test_a_landing_page_does_not_wait_for_the_listing(store: OxigraphStore) -> None:
    store.put_records([record("s", "aa", kind=SERIES), record("d", "aa")])
    data = LinkedData(store)
    listed = data.listed([NODE + "s", NODE + "unknown"])
    assert set(listed) == {NODE + "s"} and listed[NODE + "s"].kind == "DatasetSeries"
    assert data._listing is None  # read for these records alone
    data.close()
