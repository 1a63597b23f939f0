"""Publishing a document of several records, all or none (``Publisher.put_document``): a real
in-memory store, real validation, the audit trail read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from rdflib import Graph

from gdcat.errors import InputError
from gdcat.model.spreadsheet import row_of
from gdcat.publish import (
    AuditTrail,
    Caller,
    DocumentRefusedError,
    NotOwnerError,
    Publisher,
)
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite
from gdcat.store.records import RecordWriteError

BASE = "http://gdcat.test/"
VALID = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
NL = Caller("steward", "nl", "tok-0000000a", "NLD")
BE = Caller("steward", "be", "tok-0000000b", None)
#: three valid records of the examples, each one dataset with at most one distribution
NAMES = ("es-clinical-exomes-not-shareable", "de-long-read-genomes", "ee-biobank-genotyping-arrays")


def records() -> list[dict[str, object]]:
    return [yaml.safe_load((VALID / f"{name}.yaml").read_text()) for name in NAMES]


def as_yaml(items: list[dict[str, object]]) -> bytes:
    return yaml.safe_dump(items, allow_unicode=True, sort_keys=False).encode()


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    with OxigraphStore(None, BASE) as s:
        yield s


@pytest.fixture
def publisher(store: OxigraphStore) -> Iterator[Publisher]:
    publisher = Publisher(store, Settings(base_iri=BASE, validation_workers=1))
    yield publisher
    publisher.close()


def test_every_record_of_a_document_is_published_and_audited(
    store: OxigraphStore, publisher: Publisher
) -> None:
    items = records()
    published = publisher.put_document(NL, "nl", as_yaml(items), "application/yaml")
    iris = [str(item["id"]) for item in items]
    assert sorted(p.dataset for p in published) == sorted(iris)
    assert {p.status for p in published} == {"created"}
    for iri in iris:
        record = store.catalog_record(iri)
        assert record is not None and record.meta.node == "nl"
    entries, total = AuditTrail(store).entries(node="nl")
    assert total == 3
    assert {(e.dataset, e.outcome, e.status) for e in entries} == {
        (iri, "created", 201) for iri in iris
    }
    again = publisher.put_document(NL, "nl", as_yaml(items), "application/yaml")
    assert {p.status for p in again} == {"replaced"}


def test_one_record_with_a_violation_refuses_the_whole_document(
    store: OxigraphStore, publisher: Publisher
) -> None:
    items = records()
    broken = items[1]
    broken["number_of_exomes"] = -5
    with pytest.raises(DocumentRefusedError) as caught:
        publisher.put_document(NL, "nl", as_yaml(items), "application/yaml")
    error = caught.value
    assert error.status == 422 and error.records == 3
    (refusal,) = error.refusals
    assert refusal.dataset == broken["id"] and refusal.outcome == "refused"
    assert refusal.report is not None
    assert [v.path for v in refusal.report.violations] == ["number_of_exomes"]
    assert store.list_records() == []  # none of the three, the two valid ones included
    entries, total = AuditTrail(store).entries(node="nl")
    assert total == 3
    by_dataset = {e.dataset: e for e in entries}
    assert by_dataset[broken["id"]].outcome == "refused"
    assert "number_of_exomes" in (by_dataset[broken["id"]].reason or "")
    others = [e for e in entries if e.dataset != broken["id"]]
    assert all("other record(s) of the same document" in (e.reason or "") for e in others)


def test_a_spreadsheet_refusal_names_the_row(store: OxigraphStore, publisher: Publisher) -> None:
    items = records()
    del items[2]["title"]
    rows = [row_of(item) for item in items]
    headers = list(dict.fromkeys(h for row in rows for h in row))
    lines = [",".join(headers)]
    for row in rows:
        lines.append(",".join(_csv_cell(row.get(h, "")) for h in headers))
    body = ("\n".join(lines) + "\n").encode()
    with pytest.raises(DocumentRefusedError) as caught:
        publisher.put_document(NL, "nl", body, "text/csv")
    (refusal,) = caught.value.refusals
    assert refusal.location.line == 4 and refusal.location.sheet == ""
    assert str(refusal.location) == "request body, row 4"
    assert refusal.report is not None
    (violation,) = [v for v in refusal.report.violations if v.path == "title"]
    assert violation.location is not None
    first_title = next(h for h in headers if h.split("@")[0] == "title")
    assert violation.location.column == headers.index(first_title) + 1
    assert violation.location.field == first_title
    assert store.list_records() == []


def _csv_cell(value: object) -> str:
    text = "true" if value is True else "false" if value is False else str(value)
    return '"' + text.replace('"', '""') + '"'


def test_a_record_another_node_holds_refuses_the_document_as_forbidden(
    store: OxigraphStore, publisher: Publisher
) -> None:
    items = records()
    held = str(items[0]["id"])
    store.put_records(
        [
            RecordWrite(
                held,
                Graph().parse(
                    data=f"<{held}> a <http://www.w3.org/ns/dcat#Dataset> .", format="ttl"
                ),
                RecordMeta("https://be.example/cat", "h", "gdcat", "conforms", node="be"),
            )
        ]
    )
    with pytest.raises(DocumentRefusedError) as caught:
        publisher.put_document(NL, "nl", as_yaml(items), "application/yaml")
    assert caught.value.status == 403
    (refusal,) = caught.value.refusals
    assert refusal.outcome == "forbidden" and "held by node be" in refusal.reason
    assert store.list_records() == [held]


def test_another_nodes_token_and_unreadable_documents_are_refused_and_audited(
    store: OxigraphStore, publisher: Publisher
) -> None:
    with pytest.raises(NotOwnerError):
        publisher.put_document(BE, "nl", as_yaml(records()), "application/yaml")
    with pytest.raises(InputError, match="describes no dcat:Dataset"):
        publisher.put_document(NL, "nl", b"<a:b> <a:c> <a:d> .", "text/turtle")
    with pytest.raises(InputError, match="request body:1:8: not valid YAML"):
        publisher.put_document(NL, "nl", b"- id: [", "application/yaml")
    entries, total = AuditTrail(store).entries()
    assert total == 3
    assert [(e.node, e.outcome, e.status, e.dataset) for e in reversed(entries)] == [
        ("be", "forbidden", 403, None),
        ("nl", "unusable", 400, None),
        ("nl", "unusable", 400, None),
    ]


def test_an_atomic_store_write_writes_all_or_none(store: OxigraphStore) -> None:
    good = Graph().parse(
        data="<https://x.example/a> a <http://www.w3.org/ns/dcat#Dataset> .", format="ttl"
    )
    meta = RecordMeta("file", "h", "gdcat", "conforms")
    with pytest.raises(RecordWriteError) as caught:
        store.put_records(
            [
                RecordWrite("https://x.example/a", good, meta),
                RecordWrite("https://x.example/b", Graph(), meta),  # nothing to write
            ],
            atomic=True,
        )
    assert caught.value.written == []
    assert "no triples" in caught.value.failures["https://x.example/b"]
    assert "other record" in caught.value.failures["https://x.example/a"]
    assert store.list_records() == []
