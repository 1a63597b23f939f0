"""One dataset, the inventory, catalogues and publishers as JSON; the search routes' OpenAPI
description; search over HTTP following writes to the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph, Literal, URIRef, namespace

from gdcat.store import RecordMeta, RecordWrite, compute_inventory, record_iri

COUNTRY = "http://publications.europa.eu/resource/authority/country/"

SEARCH_ROUTES = (
    "/api/datasets",
    "/api/datasets/{key}",
    "/api/inventory",
    "/api/catalogs",
    "/api/catalogs/{node}",
    "/api/publishers",
    "/api/publishers/{key}",
)


def get(live: LiveGdcat, path: str, **params: Any) -> httpx.Response:
    return httpx.get(live.url + path, params=params, timeout=30)


def test_one_dataset_as_json_with_its_labels_and_links(gdcat_server: LiveGdcat) -> None:
    dataset, graph = next(
        (iri, g)
        for iri in gdcat_server.store.list_records()
        if (g := gdcat_server.store.get_record(iri)) is not None
        and (URIRef(iri), namespace.RDF.type, namespace.DCAT.Dataset) in g
    )
    key = record_iri(gdcat_server.base, dataset).rsplit("/", 1)[1]
    r = get(gdcat_server, f"/api/datasets/{key}")
    assert r.status_code == 200
    detail = r.json()
    assert detail["iri"] == dataset and detail["key"] == key
    titles = {
        (str(t), t.language or "") for t in graph.objects(URIRef(dataset), namespace.DCTERMS.title)
    }
    assert {(t["text"], t["lang"]) for t in detail["titles"]} == titles
    assert detail["links"] == {
        "api": f"{gdcat_server.base}api/datasets/{key}",
        "dataset": f"{gdcat_server.base}dataset/{key}",
        "record": f"{gdcat_server.base}record/{key}",
    }
    assert detail["country"]["label"] and detail["validation_profile"] == "gdcat"
    assert detail["data_use"] is None  # no purpose asked


def test_an_unknown_key_is_a_404_problem_and_a_malformed_one_a_422(
    gdcat_server: LiveGdcat,
) -> None:
    missing = get(gdcat_server, "/api/datasets/" + "0" * 24)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["title"] == "Not found"
    assert get(gdcat_server, "/api/datasets/not-a-key").status_code == 422


def test_the_inventory_is_the_stores(gdcat_server: LiveGdcat) -> None:
    r = get(gdcat_server, "/api/inventory")
    assert r.status_code == 200
    assert r.json() == compute_inventory(gdcat_server.store).to_json()


def test_one_catalogue_per_node_with_its_datasets(gdcat_server: LiveGdcat) -> None:
    assert gdcat_server.federation is not None
    listing = get(gdcat_server, "/api/catalogs").json()
    catalogs = {c["node"]: c for c in listing["catalogs"]}
    assert listing["total"] == len(catalogs)
    for node in gdcat_server.federation.nodes:
        catalog = catalogs[node.id]
        assert catalog["iri"] == f"{gdcat_server.base}catalog/{node.id}"
        assert catalog["country"]["value"] == node.country
        searched = httpx.get(catalog["links"]["search"], timeout=30).json()
        assert searched["total"] == catalog["datasets"] + catalog["series"] > 0


def test_publishers_are_counted_like_the_store_counts_them(gdcat_server: LiveGdcat) -> None:
    prov = gdcat_server.store.provenance_graph
    rows = gdcat_server.store.query(
        "SELECT DISTINCT ?d ?p WHERE { "
        f"GRAPH <{prov}> {{ ?r <http://xmlns.com/foaf/0.1/primaryTopic> ?d }} "
        "GRAPH ?r { ?d a ?t FILTER(?t IN (<http://www.w3.org/ns/dcat#Dataset>, "
        "<http://www.w3.org/ns/dcat#DatasetSeries>)) "
        "?d <http://purl.org/dc/terms/publisher> ?p } }",
        union_default_graph=False,
    ).rows
    expected = Counter(row[1].value for row in rows if row[1] is not None)
    listing = get(gdcat_server, "/api/publishers").json()
    assert {p["id"]: p["records"] for p in listing["publishers"]} == dict(expected)
    assert all(p["name"] for p in listing["publishers"])
    counts = [p["records"] for p in listing["publishers"]]
    assert counts == sorted(counts, reverse=True)


def test_one_catalogue_and_one_publisher_are_resources_of_their_own(
    gdcat_server: LiveGdcat,
) -> None:
    listed = get(gdcat_server, "/api/catalogs").json()["catalogs"]
    for entry in listed:
        one = get(gdcat_server, f"/api/catalogs/{entry['node']}")
        assert one.status_code == 200
        assert one.json() == entry
    assert get(gdcat_server, "/api/catalogs/no-such-node").status_code == 404
    assert get(gdcat_server, "/api/catalogs/..").status_code in (404, 422)
    publishers = get(gdcat_server, "/api/publishers").json()["publishers"]
    assert publishers
    for entry in publishers[:5]:
        one = get(gdcat_server, f"/api/publishers/{entry['key']}")
        assert one.status_code == 200
        assert one.json() == entry
        assert entry["api"].endswith(f"/api/publishers/{entry['key']}")
        # the publisher's datasets are the search the entry links to
        found = httpx.get(entry["search"], timeout=30).json()["total"]
        assert found == entry["records"]
    assert get(gdcat_server, "/api/publishers/0000000000000000").status_code == 404
    assert get(gdcat_server, "/api/publishers/not-a-key").status_code == 422


def test_the_openapi_document_describes_the_search_routes_with_examples(
    gdcat_server: LiveGdcat,
) -> None:
    paths = get(gdcat_server, "/openapi.json").json()["paths"]
    for route in SEARCH_ROUTES:
        operation = paths[route]["get"]
        ok = operation["responses"]["200"]["content"]["application/json"]
        assert "$ref" in ok["schema"], route
        assert ok["example"], route
        for status, answer in operation["responses"].items():
            if status != "200":
                assert "application/problem+json" in answer["content"], (route, status)
    parameters = {p["name"]: p for p in paths["/api/datasets"]["get"]["parameters"]}
    for name in ("q", "country", "disease", "purpose", "purpose_disease", "sort", "page_size"):
        assert parameters[name].get("description"), name
    assert parameters["page_size"]["schema"]["maximum"] == gdcat_server.settings.max_page_size


@pytest.fixture(scope="module")
def empty_gdcat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(tmp_path_factory.mktemp("empty"), datasets=None) as live:
        yield live


def _porto() -> RecordWrite:
    dataset = URIRef("https://pt.example/dataset/porto")
    graph = Graph()
    graph.add((dataset, namespace.RDF.type, namespace.DCAT.Dataset))
    graph.add((dataset, namespace.DCTERMS.title, Literal("Genomas do Porto", lang="pt")))
    graph.add((dataset, namespace.DCTERMS.spatial, URIRef(COUNTRY + "PRT")))
    meta = RecordMeta("https://pt.example/", "porto-1", "gdcat", "conforms", node="pt")
    return RecordWrite(str(dataset), graph, meta)


def test_search_over_http_follows_writes_and_withdrawals(empty_gdcat: LiveGdcat) -> None:
    assert get(empty_gdcat, "/api/datasets").json()["total"] == 0
    record = _porto()
    empty_gdcat.store.put_records([record])
    found = get(empty_gdcat, "/api/datasets", q="porto").json()
    assert [h["iri"] for h in found["hits"]] == [record.dataset_iri]
    assert found["hits"][0]["country"] == {"value": "PRT", "label": "Portugal"}
    key = found["hits"][0]["key"]
    assert get(empty_gdcat, f"/api/datasets/{key}").status_code == 200
    assert empty_gdcat.store.withdraw(record.dataset_iri)
    assert get(empty_gdcat, "/api/datasets", q="porto").json()["total"] == 0
    assert get(empty_gdcat, f"/api/datasets/{key}").status_code == 404
