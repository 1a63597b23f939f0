"""The nodes pages and the harvest report over HTTP (the harvested demo federation): the same
figures as ``/api/nodes`` and ``/api/harvest/runs/{id}``, records sorted and paged by the URL,
the history of a node's harvests, and a run's report with the rejections by field."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from live_gdcat import LiveGdcat


def get(live: LiveGdcat, path: str, status: int = 200) -> str:
    answer = httpx.get(f"{live.url}{path}", headers={"Accept": "text/html"}, timeout=30)
    assert answer.status_code == status, answer.text
    return answer.text


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def record_titles(html: str) -> list[str]:
    body = re.search(r'<table class="records">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, "no records table"
    return [
        unescape(t) for t in re.findall(r'<tr><td><a href="[^"]+">(.*?)</a></td>', body.group(1))
    ]


def test_the_nodes_page_lists_every_node_of_the_api(gdcat_server: LiveGdcat) -> None:
    html = get(gdcat_server, "/nodes")
    nodes = httpx.get(f"{gdcat_server.url}/api/nodes", timeout=30).json()["items"]
    assert len(nodes) > 20
    rows = dict(re.findall(r'<tr data-node="([^"]+)">(.*?)</tr>', html, re.S))
    assert set(rows) == {n["id"] for n in nodes}
    for n in nodes:
        row = rows[n["id"]]
        assert f'href="{gdcat_server.base}nodes/{n["id"]}"' in row
        assert re.search(rf'<td class="number">{n["records"]}</td>', row), n["id"]
        last = n["last_harvest"]
        assert f'href="{gdcat_server.base}run/{last["run"]}"' in row
        assert f'class="status-{last["status"]}"' in row
    assert f"{sum(n['records'] for n in nodes)} records in all" in text(html)


def test_a_node_page_sorts_and_pages_its_records(gdcat_server: LiveGdcat) -> None:
    node = httpx.get(f"{gdcat_server.url}/api/nodes/de", timeout=30).json()
    html = get(gdcat_server, "/nodes/de")
    assert f"{node['records']} records" in text(html)
    titles = record_titles(html)
    assert len(titles) == node["records"] > 3
    assert titles == sorted(titles, key=str.lower)
    descending = record_titles(get(gdcat_server, "/nodes/de?sort=-title"))
    assert descending == titles[::-1]
    assert re.search(
        r'aria-sort="descending"><a href="[^"]*sort=title',
        get(gdcat_server, "/nodes/de?sort=-title"),
    )

    first = get(gdcat_server, "/nodes/de?sort=title&page_size=3")
    assert record_titles(first) == titles[:3]
    assert "Page 1 of" in text(first)
    following = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert following
    second = httpx.get(unescape(following.group(1)), timeout=30).text
    assert record_titles(second) == titles[3:6]
    assert len(record_titles(get(gdcat_server, "/nodes/de?sort=-modified"))) == node["records"]


def test_a_node_page_shows_its_harvest_history(gdcat_server: LiveGdcat) -> None:
    node = httpx.get(f"{gdcat_server.url}/api/nodes/at", timeout=30).json()
    html = get(gdcat_server, "/nodes/at")
    history = re.search(r'<table class="history">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert history
    runs = re.findall(r'<th scope="row"><a href="([^"]+)">', history.group(1))
    assert runs[0] == f"{gdcat_server.base}run/{node['last_harvest']['run']}"
    counts = node["last_harvest"]["counts"]
    cells = re.findall(r"<td>(\d+)</td>", history.group(1))[:6]
    expected = [
        counts[k] for k in ("added", "updated", "unchanged", "withdrawn", "rejected", "failures")
    ]
    assert [int(c) for c in cells] == expected


def test_an_unknown_node_or_sort_is_refused(gdcat_server: LiveGdcat) -> None:
    get(gdcat_server, "/nodes/nowhere", 404)
    get(gdcat_server, "/nodes/..%2F..", 404)
    get(gdcat_server, "/nodes/de?sort=size", 422)


def test_the_run_page_is_a_report_of_what_the_harvest_did(gdcat_server: LiveGdcat) -> None:
    runs = httpx.get(f"{gdcat_server.url}/api/harvest/runs", timeout=30).json()["items"]
    report = httpx.get(runs[0]["report"], timeout=30).json()
    html = get(gdcat_server, f"/run/{report['id']}")
    words = text(html)
    for heading in (
        "What the harvest did",
        "Why records were rejected",
        "What each node's harvest did",
    ):
        assert f">{heading}<" in html.replace("&#39;", "'"), heading
    totals = report["totals"]
    assert f"{totals['added']} added" in words and f"{totals['rejected']} rejected" in words
    assert totals["rejected"] > 0
    fields = re.search(r"Rejection reasons by field</caption>.*?<tbody>(.*?)</tbody>", html, re.S)
    assert fields
    expected: dict[str, set[str]] = {}
    for node in report["nodes"]:
        for rejection in node["rejected"]:
            for reason in rejection["reasons"]:
                expected.setdefault(reason["path"], set()).add(rejection["dataset"])
                assert reason["message"] in unescape(html)
            assert rejection["dataset"] in html
    shown = re.findall(r'<tr><th scope="row">(.*?)</th><td>(\d+)</td>', fields.group(1), re.S)
    assert len(shown) == len(expected)
    for heading, count in shown:
        path = re.search(r"<code>(.*?)</code>", heading)
        field = path.group(1) if path else text(heading)
        assert int(count) == len(expected[field]), field
    for node in report["nodes"]:
        assert f'href="{gdcat_server.base}nodes/{node["node"]}"' in html
    assert "Number of unique individuals" in words  # the field by its label, not only its path


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/nodes?lang=de", "Nationale Knoten"),
        ("/nodes/at?lang=fr", "Nœud at"),
        ("/nodes?lang=nl", "Nationale knooppunten"),
    ],
)
def test_the_nodes_pages_speak_the_readers_language(
    gdcat_server: LiveGdcat, path: str, heading: str
) -> None:
    assert f"<h1>{heading}</h1>" in get(gdcat_server, path)
