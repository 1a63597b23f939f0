"""The inventory page over HTTP (the harvested demo federation): its table says what
``/api/inventory`` says, every column has its legend, the charts are drawn, the CSV download is
the API's; and the counts of datasets, dataset series and data services agree across the
inventory page, the home page, the search page, the search API and the store."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import httpx
from live_gdcat import LiveGdcat

from gdcat.store.inventory import SEQUENCING_TYPES
from gdcat.vocab import ACCESS_LEVELS


def get(live: LiveGdcat, path: str, **headers: str) -> httpx.Response:
    answer = httpx.get(f"{live.url}{path}", headers={"Accept": "text/html", **headers}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def number(text: str) -> int:
    digits = re.sub(r"\D", "", unescape(text))
    assert digits, f"no number in {text!r}"
    return int(digits)


def table_rows(html: str) -> dict[str, list[int]]:
    """The inventory table's figures by row (its ``data-country``)."""
    rows = {}
    for code, cells in re.findall(r'<tr[^>]* data-country="([^"]+)">(.*?)</tr>', html, re.S):
        rows[code] = [number(c) for c in re.findall(r"<td>(.*?)</td>", cells, re.S)]
    return rows


def expected_cells(row: dict[str, Any]) -> list[int]:
    return [
        row["datasets"],
        row["individuals"],
        *(row["by_sequencing_type"].get(code, 0) for code in SEQUENCING_TYPES),
        *(row["by_access"].get(level, 0) for level in ACCESS_LEVELS),
        row["shareable"],
        row["not_shareable"],
        row["linked_clinical"],
        row["no_linked_clinical"],
    ]


def figure(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]+)<', html)
    assert found, f"no #{element_id} on the page"
    return number(found.group(1))


def test_the_table_shows_the_api_figures_per_country_and_in_total(
    gdcat_server: LiveGdcat,
) -> None:
    api = httpx.get(f"{gdcat_server.url}/api/inventory", timeout=30).json()
    rows = table_rows(get(gdcat_server, "/inventory").text)
    assert len(api["countries"]) > 10
    assert set(rows) == {c["country"] for c in api["countries"]} | {"TOTAL"}
    for country in api["countries"]:
        assert rows[country["country"]] == expected_cells(country), country["country"]
    assert rows["TOTAL"] == expected_cells(api["totals"])


def test_every_column_has_a_legend_and_the_charts_are_drawn(gdcat_server: LiveGdcat) -> None:
    html = get(gdcat_server, "/inventory").text
    legend = re.search(r'<dl class="legend">(.*?)</dl>', html, re.S)
    assert legend
    terms = [
        unescape(re.sub(r"<[^>]+>", "", t)).strip()
        for t in re.findall(r"<dt>(.*?)</dt>", legend.group(1), re.S)
    ]
    for column in (
        "Country",
        "Datasets",
        "Individuals",
        "Access",
        "Shareable in 1+MG",
        "Linked clinical data",
    ):
        assert column in terms, column
    for code in SEQUENCING_TYPES:
        assert any(t.startswith(code) for t in terms), code
    for chart in ("inventory-progress", "inventory-bars", "inventory-map"):
        assert f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart}"' in html, chart
    api = httpx.get(f"{gdcat_server.url}/api/inventory", timeout=30).json()
    shaded = re.findall(
        r'class="gd-map-country gd-map-c\d" d="[^"]*" fill="[^"]*" data-code="(\w+)"', html
    )
    # every country with datasets is shaded by its genomes (none is a figure too); the others
    # of the region are hatched
    assert sorted(shaded) == sorted(c["country"] for c in api["countries"] if c["country"])
    for country in api["countries"]:
        assert f'data-code="{country["country"]}" data-value="{country["genomes"]}"' in html
    wgs = api["progress"]["wgs_genomes"]
    assert f'data-value="{wgs}" data-target="1000000"' in html


def test_the_csv_download_is_the_api_inventory(gdcat_server: LiveGdcat) -> None:
    html = get(gdcat_server, "/inventory").text
    link = re.search(r'href="([^"]+format=csv)" download', html)
    assert link
    answer = httpx.get(unescape(link.group(1)), timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = {r["country"]: r for r in csv.DictReader(io.StringIO(answer.text))}
    shown = table_rows(html)
    assert int(rows["TOTAL"]["datasets"]) == shown["TOTAL"][0]
    assert int(rows["TOTAL"]["wgs_genomes"]) == shown["TOTAL"][2]


def test_the_page_speaks_the_readers_language(gdcat_server: LiveGdcat) -> None:
    german = get(gdcat_server, "/inventory?lang=de").text
    assert "<h1>1+MG-Bestandsaufnahme</h1>" in german
    assert "Fortschritt hin zu einer Million Genomen" in german
    progress = re.search(r'class="gd-progress-label"[^>]*>([^<]*)<', german)
    assert progress and re.search(r"\(\d+,\d+\xa0%\)$", progress.group(1)), progress
    french = get(gdcat_server, "/inventory", **{"Accept-Language": "fr"}).text
    assert "<h1>Inventaire 1+MG</h1>" in french
    total = re.search(r'data-country="TOTAL">(.*?)</tr>', french, re.S)
    assert total and "\u202f" in total.group(1)  # numbers grouped the French way


def store_counts(live: LiveGdcat) -> dict[str, int]:
    """Live records by kind, counted here with SPARQL: series (typed dcat:DatasetSeries),
    datasets (dcat:Dataset and not a series), data services (neither)."""
    dcat = "http://www.w3.org/ns/dcat#"
    result = live.store.query(
        f"""SELECT ?record (GROUP_CONCAT(STR(?type)) AS ?types) WHERE {{
          GRAPH <{live.store.provenance_graph}> {{
            ?record <http://xmlns.com/foaf/0.1/primaryTopic> ?topic
            FILTER NOT EXISTS {{ ?record <http://www.w3.org/ns/adms#status>
                                 <http://purl.org/adms/changetype/deleted> }}
          }}
          GRAPH ?record {{ ?topic a ?type }}
        }} GROUP BY ?record""",
        union_default_graph=False,
    )
    counts = {"datasets": 0, "series": 0, "services": 0}
    for _, types in result.rows:
        kinds = types.value.split() if types is not None else []  # type: ignore[union-attr]
        if f"{dcat}DatasetSeries" in kinds:
            counts["series"] += 1
        elif f"{dcat}Dataset" in kinds:
            counts["datasets"] += 1
        elif f"{dcat}DataService" in kinds:
            counts["services"] += 1
    return counts


def search_total(live: LiveGdcat, query: str) -> int:
    total = httpx.get(f"{live.url}/api/datasets?page_size=1&{query}", timeout=30).json()["total"]
    assert isinstance(total, int)
    return total


def test_datasets_series_and_services_agree_everywhere(gdcat_server: LiveGdcat) -> None:
    store = store_counts(gdcat_server)
    assert store["datasets"] > 50 and store["series"] > 0 and store["services"] > 0

    inventory = get(gdcat_server, "/inventory").text
    shown = {kind: figure(inventory, f"count-{kind}") for kind in store}
    assert shown == store
    api = httpx.get(f"{gdcat_server.url}/api/inventory", timeout=30).json()
    assert api["totals"]["datasets"] == store["datasets"] == table_rows(inventory)["TOTAL"][0]

    home = get(gdcat_server, "/").text
    line = re.search(r'id="home-counts">(.*?)</p>', home, re.S)
    assert line
    parts = [number(p) for p in line.group(1).split("·")]
    assert parts == [store["datasets"], store["series"], store["services"]]
    catalogue_rows = re.findall(
        r"<tr><th scope=\"row\">.*?</th><td>.*?</td>(.*?)<td>[^<]*</td></tr>", home, re.S
    )
    columns = [[number(c) for c in re.findall(r"<td>(.*?)</td>", row)] for row in catalogue_rows]
    assert [sum(c[i] for c in columns) for i in range(3)] == parts

    assert search_total(gdcat_server, "type=dataset") == store["datasets"]
    assert search_total(gdcat_server, "type=series") == store["series"]
    both = store["datasets"] + store["series"]
    assert search_total(gdcat_server, "") == both
    page = get(gdcat_server, "/search").text
    found = re.search(r'id="results-heading"[^>]*>([\d,.\u202f]+) dataset', page)
    assert found and number(found.group(1)) == both
    link = re.search(r'href="[^"]*/search[^"]*">([^<]+ results?)</a>', inventory)
    assert link and number(link.group(1)) == both
