"""Pages that need the listing of every live record (the home page, the FAIR Data Point's root
and catalogues, the feed) never hold a request while it is read: its first read after a start
takes minutes at a million records. Until it ends the home page answers with the totals the
store keeps and says the list of catalogues is coming, in the reader's language; the other
pages answer 503 with ``Retry-After``; dataset pages need no listing and answer as always.
A full read again (after a raw SPARQL update) serves the listing as it was meanwhile, and a
read that fails says why instead of waiting.

The read is held by a gate (``LinkedData._read_listing`` waits for an event), so nothing
depends on how fast the machine is; the server is a real one on 127.0.0.1.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from capped_gdcat import wait_until
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from gdcat.api import resources
from gdcat.api.resources import LinkedData
from gdcat.errors import StoreError
from gdcat.store import RecordMeta, RecordWrite, record_iri

NODE = "https://node.example.org/"
SERIES = URIRef(str(DCAT) + "DatasetSeries")
TURTLE = {"Accept": "text/turtle"}
HTML = {"Accept": "text/html"}
#: generous: a page on a busy machine
DEADLINE = 60.0


def record(name: str, node: str, kind: URIRef = DCAT.Dataset) -> RecordWrite:
    ds = URIRef(NODE + name)
    g = Graph()
    g.add((ds, RDF.type, kind))
    g.add((ds, DCTERMS.title, Literal(f"Dataset {name}", lang="en")))
    meta = RecordMeta(
        source="test", content_hash=name, profile="gdcat", outcome="conforms", node=node
    )
    return RecordWrite(str(ds), g, meta)


class Gate:
    """While closed, a read of the whole listing waits; ``fail`` makes reads fail instead."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.fail = False
        self.reads = 0


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate()
    read = LinkedData._read_listing

    def gated(self: LinkedData, generation: int) -> Any:
        held.reads += 1
        if held.fail:
            raise StoreError("the store did not answer (a test's fault)")
        assert held.opened.wait(DEADLINE), "the test never let the listing be read"
        return read(self, generation)

    monkeypatch.setattr(LinkedData, "_read_listing", gated)
    monkeypatch.setattr(resources, "PAGE_WAIT", 0.3)
    yield held
    held.opened.set()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveGdcat]:
    with start_gdcat(tmp_path, datasets=None) as server:
        server.store.put_records(
            [
                record("a1", "aa"),
                record("a2", "aa"),
                record("b1", "bb"),
                record("s1", "bb", kind=SERIES),
            ]
        )
        yield server


def get(live: LiveGdcat, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(live.url + path, headers=headers or HTML, timeout=DEADLINE)


def test_pages_answer_while_the_first_listing_is_read(live: LiveGdcat, gate: Gate) -> None:
    home = get(live, "/")
    assert home.status_code == 200
    assert 'id="listing-pending"' in home.text and "Reload this page in a moment" in home.text
    # the totals the store keeps, without the listing
    assert "3 datasets" in home.text and "1 dataset series" in home.text
    assert "<table>" not in home.text.split('id="catalogues"')[1]
    german = get(live, "/?lang=de")
    assert german.status_code == 200 and "Die Liste der Kataloge wird gerade gelesen" in german.text

    for path in ("/", "/catalog/aa", "/catalog/", "/feed"):
        answer = get(live, path, TURTLE)
        assert answer.status_code == 503, (path, answer.text[:200])
        assert answer.headers["Retry-After"] == str(resources.LISTING_RETRY_AFTER)
        assert answer.json()["type"].endswith("/listing"), path
        assert "being listed" in answer.json()["detail"]
    # a dataset's page needs no listing
    key = record_iri(live.base, NODE + "a1").rsplit("/", 1)[1]
    assert get(live, f"/dataset/{key}", TURTLE).status_code == 200
    assert gate.reads == 1  # every page waited for the one read, none started its own

    gate.opened.set()

    def listed() -> bool:
        page = get(live, "/")
        return 'id="listing-pending"' not in page.text and "/catalog/bb" in page.text

    wait_until(listed, DEADLINE, "the home page to list the catalogues")
    catalogue = Graph().parse(data=get(live, "/catalog/aa", TURTLE).content, format="turtle")
    assert set(catalogue.objects(None, DCAT.dataset)) == {URIRef(NODE + "a1"), URIRef(NODE + "a2")}


def test_a_full_read_again_serves_the_listing_as_it_was(live: LiveGdcat, gate: Gate) -> None:
    gate.opened.set()
    assert URIRef(NODE + "a2") in datasets_of(live, "aa")
    gate.opened.clear()
    # a change no listener can name: the whole listing is read again
    record_a2 = record_iri(live.base, NODE + "a2")
    live.store.update(
        f"INSERT DATA {{ GRAPH <{live.store.provenance_graph}> {{ <{record_a2}> "
        "<http://www.w3.org/ns/adms#status> "
        "<http://purl.org/adms/changetype/deleted> } }"
    )
    # meanwhile the pages answer from the listing as it was
    assert URIRef(NODE + "a2") in datasets_of(live, "aa")
    assert get(live, "/").status_code == 200
    gate.opened.set()
    wait_until(
        lambda: URIRef(NODE + "a2") not in datasets_of(live, "aa"),
        DEADLINE,
        "the catalogue to drop the withdrawn record",
    )


def test_a_listing_that_cannot_be_read_says_why(live: LiveGdcat, gate: Gate) -> None:
    gate.fail = True
    for headers in (HTML, TURTLE):
        answer = get(live, "/catalog/aa", headers)
        assert answer.status_code == 503
        assert "did not answer" in answer.text
    gate.fail = False
    gate.opened.set()
    assert get(live, "/catalog/aa", TURTLE).status_code == 200


def datasets_of(live: LiveGdcat, catalogue: str) -> set[Any]:
    answer = get(live, f"/catalog/{catalogue}", TURTLE)
    assert answer.status_code == 200, answer.text[:300]
    graph = Graph().parse(data=answer.content, format="turtle")
    return set(graph.objects(None, DCAT.dataset))


def test_a_long_first_read_holds_a_page_once_not_every_page(
    live: LiveGdcat, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(resources, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    assert get(live, "/catalog/aa", TURTLE).status_code == 503  # waited PAGE_WAIT: 0.3 s
    # an hour into the read, pages may wait an hour: they answer at once all the same
    clock[0] += 3600
    monkeypatch.setattr(resources, "PAGE_WAIT", 3600.0)
    assert get(live, "/catalog/aa", TURTLE).status_code == 503
    assert get(live, "/").status_code == 200
    gate.opened.set()
    wait_until(
        lambda: get(live, "/catalog/aa", TURTLE).status_code == 200,
        DEADLINE,
        "the catalogue once the listing is read",
    )
