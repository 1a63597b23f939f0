"""The publisher on its own (a real in-memory store, real validation): whose records a steward
may write, which profile applies, what the catalogue record and the audit trail keep."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from gdcat.errors import InputError, RecordNotFoundError
from gdcat.publish import (
    AuditTrail,
    Caller,
    NotOwnerError,
    Publisher,
    RecordRefusedError,
    is_published_source,
    published_source,
)
from gdcat.publish.writer import check_dataset_iri
from gdcat.rdf import parse_file, split_records
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite
from gdcat.store.records import published_source_prefix

BASE = "http://gdcat.test/"
VALID = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
NL = Caller("steward", "nl", "tok-0000000a", "NLD")
BE = Caller("steward", "be", "tok-0000000b", None)
ADMIN = Caller("admin")


def example(name: str = "nl-rare-disease-wgs.ttl") -> tuple[str, bytes]:
    record = split_records(parse_file(VALID / name))[0]
    return record.iri, record.graph.serialize(format="turtle").encode()


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    with OxigraphStore(None, BASE) as s:
        yield s


def publisher_for(store: OxigraphStore, **settings: object) -> Publisher:
    return Publisher(store, Settings(base_iri=BASE, validation_workers=1, **settings))  # type: ignore[arg-type]


def test_a_published_record_says_who_published_it(store: OxigraphStore) -> None:
    iri, body = example()
    published = publisher_for(store).put(NL, "nl", iri, body, "text/turtle; charset=utf-8")
    record = store.catalog_record(iri)
    assert record is not None
    assert published.status == "created" and published.record == record.iri
    assert record.meta.node == "nl" and record.meta.profile == "gdcat"
    assert record.meta.source == published_source(BASE, "nl", iri)
    assert is_published_source(BASE, record.meta.source)
    assert not is_published_source(BASE, "https://fdp.nl.example/catalog")
    assert record.meta.source.startswith(published_source_prefix(BASE))
    assert published_source_prefix(BASE) == f"{BASE}api/nodes/"
    (entry,) = AuditTrail(store).entries()[0]
    assert (entry.node, entry.token_id, entry.action, entry.outcome) == (
        "nl",
        "tok-0000000a",
        "put",
        "created",
    )
    assert entry.dataset == iri and entry == published.audit


def test_records_of_no_node_and_of_other_nodes_are_out_of_reach(store: OxigraphStore) -> None:
    iri, body = example()
    graph = Graph().parse(data=body, format="turtle")
    # loaded by the operator (gdcat load): no node holds it
    store.put_records([RecordWrite(iri, graph, RecordMeta("file.ttl", "h", "gdcat", "conforms"))])
    publisher = publisher_for(store)
    with pytest.raises(NotOwnerError, match="no node"):
        publisher.put(NL, "nl", iri, body, "text/turtle")
    with pytest.raises(NotOwnerError):
        publisher.delete(NL, "nl", iri)
    with pytest.raises(NotOwnerError, match="steward token"):
        publisher.put(ADMIN, "nl", iri, body, "text/turtle")
    with pytest.raises(NotOwnerError, match="not node be"):
        publisher.put(NL, "be", "https://be.example/d", body, "text/turtle")
    record = store.catalog_record(iri)
    assert record is not None and record.meta.source == "file.ttl"
    entries, total = AuditTrail(store).entries()
    assert total == 4 and {e.outcome for e in entries} == {"forbidden"}
    assert {e.status for e in entries} == {403}


def test_the_registry_names_the_profile_a_node_publishes_under(
    store: OxigraphStore, tmp_path: Path
) -> None:
    registry = tmp_path / "nodes.toml"
    registry.write_text(
        '[[node]]\nid = "nl"\nkind = "fdp"\nurl = "https://fdp.nl.example/"\n'
        'country = "NLD"\nprofile = "gdi"\n'
    )
    iri, body = example()
    publisher = publisher_for(store, registry_file=registry)
    with pytest.raises(RecordRefusedError) as refused:
        publisher.put(Caller("steward", "nl", "tok-0000000c"), "nl", iri, body, "text/turtle")
    assert refused.value.report.profile == "gdi"
    assert store.catalog_record(iri) is None
    # a node the registry does not list publishes under the default profile
    published = publisher.put(BE, "be", iri, body, "text/turtle")
    assert published.profile == "gdcat"
    record = store.catalog_record(iri)
    assert record is not None and record.meta.country is None


def test_the_country_comes_from_the_registry_when_the_token_has_none(
    store: OxigraphStore, tmp_path: Path
) -> None:
    registry = tmp_path / "nodes.toml"
    registry.write_text(
        '[[node]]\nid = "be"\nkind = "fdp"\nurl = "https://x.example/"\ncountry = "BEL"\n'
    )
    iri, body = example("de-long-read-genomes.ttl")
    publisher_for(store, registry_file=registry).put(BE, "be", iri, body, "text/turtle")
    record = store.catalog_record(iri)
    assert record is not None
    assert record.meta.country == "http://publications.europa.eu/resource/authority/country/BEL"


def test_deleting_what_is_not_there_is_not_found(store: OxigraphStore) -> None:
    with pytest.raises(RecordNotFoundError):
        publisher_for(store).delete(NL, "nl", "https://nl.example/none")
    (entry,) = AuditTrail(store).entries()[0]
    assert (entry.outcome, entry.status) == ("not-found", 404)


@pytest.mark.parametrize(
    "value",
    ["", "relative/path", "http://a b/", "<http://x>", "http://gdcat.test/dataset/1", "x" * 3000],
)
def test_unusable_dataset_iris_are_refused(value: str) -> None:
    with pytest.raises(InputError):
        check_dataset_iri(value, BASE)


def test_the_audit_trail_pages_newest_first_and_filters(store: OxigraphStore) -> None:
    trail = AuditTrail(store)
    for i in range(5):
        trail.record(
            node="nl" if i % 2 else "be",
            token_id="tok-0000000a",
            action="put",
            outcome="refused",
            status=422,
            dataset=f"https://x.example/{i}",
            reason="title: required",
        )
    trail.record(
        node="nl",
        token_id="tok-0000000a",
        action="delete",
        outcome="unusable",
        status=400,
        dataset="not an iri",
    )
    everything, total = trail.entries()
    assert total == 6
    assert everything[0].action == "delete" and everything[0].dataset is None
    assert "not an iri" in (everything[0].reason or "")
    assert [e.iri for e in everything] == sorted((e.iri for e in everything), reverse=True)
    page, total_nl = trail.entries(node="nl", limit=2, offset=1)
    assert total_nl == 3 and [e.dataset for e in page] == [
        "https://x.example/3",
        "https://x.example/1",
    ]
    (only,), one = trail.entries(dataset="https://x.example/4")
    assert one == 1 and only.node == "be" and only.reason == "title: required"


def test_an_unexpected_failure_is_audited_as_failed(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    iri, body = example()
    publisher = publisher_for(store)

    def broken(profile: str, graph: Graph) -> None:
        raise RuntimeError("the validator broke")

    monkeypatch.setattr(publisher, "_validate", broken)
    with pytest.raises(RuntimeError):
        publisher.put(NL, "nl", iri, body, "text/turtle")
    assert store.catalog_record(iri) is None
    (entry,), total = AuditTrail(store).entries()
    assert total == 1
    assert (entry.action, entry.outcome, entry.status, entry.dataset) == (
        "put",
        "failed",
        500,
        iri,
    )
    assert "RuntimeError" in (entry.reason or "")
    assert "the validator broke" not in (entry.reason or "")  # the details go to the log
