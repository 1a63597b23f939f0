"""Datasets, dataset series and data services are named apart, and every page that counts
them agrees: the home page, the inventory, the feed, the harvest report (page and API) and the
store's own count.

The issue this guards against: one page said "358 datasets", the harvest summary "403
records", the feed another number, and nobody could tell which held series or services.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from live_gdcat import LiveGdcat
from rdflib import Graph, URIRef

from gdcat.store.inventory import RecordKinds, count_record_kinds

HYDRA_TOTAL = URIRef("http://www.w3.org/ns/hydra/core#totalItems")


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60, headers={"Accept-Language": "en"}) as c:
        yield c


@pytest.fixture(scope="module")
def truth(gdcat_server: LiveGdcat) -> RecordKinds:
    kinds = count_record_kinds(gdcat_server.store)
    live = gdcat_server.store.list_records()
    # every live record is exactly one of the three kinds, and the demo has all three
    assert kinds.datasets + kinds.series + kinds.services == len(live)
    assert kinds.datasets and kinds.series and kinds.services
    return kinds


def numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def element_text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|span|dd)>', html, re.S)
    assert found, element_id
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_the_home_page_names_the_three_kinds_as_the_store_counts_them(
    gdcat_server: LiveGdcat, client: httpx.Client, truth: RecordKinds
) -> None:
    page = client.get(gdcat_server.url + "/", headers={"Accept": "text/html"}).text
    text = element_text(page, "home-counts")
    assert numbers(text) == [truth.datasets, truth.series, truth.services]
    assert "dataset series" in text and "data service" in text


def test_the_inventory_counts_the_same_records(
    gdcat_server: LiveGdcat, client: httpx.Client, truth: RecordKinds
) -> None:
    page = client.get(gdcat_server.url + "/inventory", headers={"Accept": "text/html"}).text
    assert numbers(element_text(page, "count-datasets")) == [truth.datasets]
    assert numbers(element_text(page, "count-series")) == [truth.series]
    assert numbers(element_text(page, "count-services")) == [truth.services]


def test_the_feed_holds_the_datasets_and_series_and_says_how_many_of_each(
    gdcat_server: LiveGdcat, client: httpx.Client, truth: RecordKinds
) -> None:
    page = client.get(gdcat_server.url + "/feed", headers={"Accept": "text/html"}).text
    said = re.search(r"Page 1 of \d+; ([^<]*) in all", page)
    assert said, page[:2000]
    assert numbers(said.group(1)) == [truth.datasets, truth.series]
    rdf = client.get(gdcat_server.url + "/feed", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=rdf.content, format="turtle")
    (total,) = list(graph.objects(None, HYDRA_TOTAL))
    assert int(total) == truth.datasets + truth.series


def test_the_harvest_report_says_what_each_node_holds_after_the_run(
    gdcat_server: LiveGdcat, client: httpx.Client, truth: RecordKinds
) -> None:
    assert gdcat_server.report is not None
    run = gdcat_server.report.run.rsplit("/", 1)[1]
    report = client.get(f"{gdcat_server.url}/api/harvest/runs/{run}").json()
    held = {"datasets": 0, "series": 0, "services": 0}
    for node in report["nodes"]:
        if node["status"] != "failed":
            mine = count_record_kinds(gdcat_server.store, node["node"])
            assert node["held"] == mine.to_json(), node["node"]
        for key in held:
            held[key] += node["held"].get(key, 0)
    assert held == truth.to_json()
    assert {k: report["totals"][f"held_{k}"] for k in held} == held
    page = client.get(f"{gdcat_server.url}/run/{run}", headers={"Accept": "text/html"}).text
    assert numbers(element_text(page, "run-held")) == [truth.datasets, truth.series, truth.services]
