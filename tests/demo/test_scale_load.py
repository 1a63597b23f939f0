"""The streaming scale loader fills a store exactly as writing the parsed, split records through
the store does (the layout a harvest writes), counts included."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from gdcat.demo.scale import iter_node_documents
from gdcat.demo.scale_load import fill_scale_store, iter_scale_records
from gdcat.errors import GdcatError
from gdcat.rdf import parse_bytes, split_records
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite
from gdcat.store.inventory import (
    count_record_kinds,
    read_counts,
    recount_inventory,
    recount_record_kinds,
)

BASE = "http://127.0.0.1:8000/"
N = 100


def through_the_store(n: int, store: OxigraphStore) -> None:
    """The scale federation parsed node by node, split, and written as a harvest writes it."""
    for node, chunks in iter_node_documents(n, seed=7):
        graph = parse_bytes("".join(chunks).encode(), "turtle")
        meta = {
            "source": node.base,
            "profile": "healthdcat-ap-r8",
            "outcome": "conforms",
            "node": node.country.code,
            "country": node.country.iso3,
        }
        store.put_records(
            [
                RecordWrite(r.iri, r.graph, RecordMeta(content_hash=r.content_hash, **meta))  # type: ignore[arg-type]
                for r in split_records(graph)
                if r.kind == "Dataset"
            ]
        )


def test_the_loader_writes_what_the_store_writes(tmp_path: Path) -> None:
    filled = fill_scale_store(N, tmp_path / "loaded", BASE, seed=7)
    loaded = OxigraphStore(tmp_path / "loaded", BASE)
    written = OxigraphStore(None, BASE)
    try:
        through_the_store(N, written)
        assert filled.records == N
        assert loaded.record_hashes() == written.record_hashes()
        assert len(loaded.list_records()) == N
        for iri in loaded.list_records()[::10]:
            mine, theirs = loaded.get_record(iri), written.get_record(iri)
            assert mine is not None and theirs is not None
            assert isomorphic(mine, theirs), iri
            a, b = loaded.catalog_record(iri), written.catalog_record(iri)
            assert a is not None and b is not None
            assert (a.meta, a.status) == (b.meta, b.status)
        # the same counts, complete, and what a recount of the records says
        assert read_counts(loaded) is not None
        assert read_counts(loaded) == read_counts(written)
        assert recount_inventory(loaded) == recount_inventory(written)
        assert count_record_kinds(loaded) == recount_record_kinds(loaded)
        assert loaded.count_triples() == written.count_triples() == filled.quads
    finally:
        loaded.close()
        written.close()


def test_the_records_are_the_generators_datasets_each_once() -> None:
    records = [r.dataset_iri for r in iter_scale_records(60, seed=7)]
    datasets = []
    for _, chunks in iter_node_documents(60, seed=7):
        graph = parse_bytes("".join(chunks).encode(), "turtle")
        datasets += [r.iri for r in split_records(graph) if r.kind == "Dataset"]
    assert len(records) == len(set(records)) == 60
    assert sorted(records) == sorted(datasets)


def test_a_store_that_is_not_empty_is_not_filled(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "something").write_text("x")
    with pytest.raises(GdcatError, match="not empty"):
        fill_scale_store(10, tmp_path / "store", BASE)
