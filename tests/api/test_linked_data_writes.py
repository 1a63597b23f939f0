"""Linked data over a store that changes: new records show at once, withdrawn ones answer
410 with their tombstone, and whatever a record says is escaped on its page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from gdcat.store import RecordMeta, RecordWrite, record_iri

NODE = "https://node.example.org/"
HOSTILE = '</script><script>alert("x")</script> & <b>bold</b>'


def record(name: str, title: str = "A dataset", landing: str | None = None) -> RecordWrite:
    ds = URIRef(NODE + name)
    g = Graph()
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(title, lang="en")))
    g.add((ds, DCAT.keyword, Literal(title)))
    if landing:
        g.add((ds, DCAT.landingPage, URIRef(landing)))
    meta = RecordMeta(
        source="test", content_hash=name, profile="gdcat", outcome="warnings", node="ex"
    )
    return RecordWrite(str(ds), g, meta)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(Path(tmp_path_factory.mktemp("writes")), datasets=None) as server:
        yield server


def page_of(live: LiveGdcat, name: str) -> str:
    return f"{live.url}/dataset/{record_iri(live.base, NODE + name).rsplit('/', 1)[1]}"


def test_a_new_record_is_listed_at_once(live: LiveGdcat) -> None:
    before = httpx.get(live.url + "/feed").text
    live.store.put_records([record("fresh")])
    catalogue = Graph().parse(data=httpx.get(live.url + "/catalog/ex").content, format="turtle")
    assert URIRef(NODE + "fresh") in set(catalogue.objects(None, DCAT.dataset))
    after = httpx.get(live.url + "/feed").text
    assert NODE + "fresh" in after and NODE + "fresh" not in before
    assert httpx.get(page_of(live, "fresh")).status_code == 200


def test_a_withdrawn_dataset_is_gone_but_its_record_remains(live: LiveGdcat) -> None:
    live.store.put_records([record("gone")])
    assert httpx.get(page_of(live, "gone")).status_code == 200
    assert live.store.withdraw(NODE + "gone")
    r = httpx.get(page_of(live, "gone"))
    assert r.status_code == 410
    problem = r.json()
    assert problem["title"] == "Withdrawn" and NODE + "gone" in problem["detail"]
    tombstone = httpx.get(problem["record"], headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=tombstone.content, format="turtle")
    status = graph.value(URIRef(problem["record"]), URIRef("http://www.w3.org/ns/adms#status"))
    assert str(status).endswith("/deleted")
    catalogue = httpx.get(live.url + "/catalog/ex").text
    assert NODE + "gone" not in catalogue


def test_everything_a_record_says_is_escaped_on_its_page(live: LiveGdcat) -> None:
    live.store.put_records([record("hostile", HOSTILE, landing="javascript:alert(1)")])
    r = httpx.get(page_of(live, "hostile"), headers={"Accept": "text/html"})
    assert r.status_code == 200
    body = r.text
    assert "<script>alert" not in body and "<b>bold</b>" not in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    assert 'href="javascript:' not in body
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(scripts) == 1
    assert json.loads(scripts[0])["name"] == HOSTILE
