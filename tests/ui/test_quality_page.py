"""The node quality page and API over HTTP (the harvested demo federation): the page shows the
API's score, what to fix first and the rejected records' violations; the scores equal those of
each record scored on its own; the CSV; languages; unknown nodes; the cache per generation."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import httpx
from live_gdcat import LiveGdcat
from rdflib import Graph

from gdcat.harvest.quality import NodeQualities
from gdcat.model.fields import path_label
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite
from gdcat.validate.quality import score_record


def get(live: LiveGdcat, path: str, status: int = 200) -> str:
    answer = httpx.get(f"{live.url}{path}", headers={"Accept": "text/html"}, timeout=60)
    assert answer.status_code == status, answer.text
    return answer.text


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def api(live: LiveGdcat, node: str) -> dict:  # type: ignore[type-arg]
    answer = httpx.get(f"{live.url}/api/nodes/{node}/quality", timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def worst_node(live: LiveGdcat) -> str:
    """The node with something to fix (the demo has a few records without an identifier)."""
    nodes = httpx.get(f"{live.url}/api/nodes", timeout=30).json()["items"]
    answers = {n["id"]: api(live, n["id"]) for n in nodes if n["records"]}
    with_problems = [k for k, a in answers.items() if a["fix_first"]]
    assert with_problems, "the demo federation should have a record with a missing field"
    return min(with_problems, key=lambda k: (answers[k]["score"], k))


def test_the_node_page_links_its_quality_page(gdcat_server: LiveGdcat) -> None:
    html = get(gdcat_server, "/nodes/de")
    assert f'href="{gdcat_server.base}nodes/de/quality"' in html
    assert "Scores and what to fix first" in text(html)
    listing = get(gdcat_server, "/nodes")
    rows = dict(re.findall(r'<tr data-node="([^"]+)">(.*?)</tr>', listing, re.S))
    assert len(rows) > 20
    for node, row in rows.items():
        assert f'href="{gdcat_server.base}nodes/{node}/quality"' in row


def test_the_page_shows_the_apis_score_and_what_to_fix_first(gdcat_server: LiveGdcat) -> None:
    node = worst_node(gdcat_server)
    answer = api(gdcat_server, node)
    html = get(gdcat_server, f"/nodes/{node}/quality")
    score = re.search(r'id="node-score">([^<]+)<', html)
    assert score and unescape(score.group(1)) == f"{answer['score']:.1f}\u00a0%"
    assert answer["score"] < 100
    first = answer["fix_first"][0]
    table = re.search(r'<table class="fix-first">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert table
    top = re.search(
        r'<th scope="row" class="field">([^<]+) <code class="path">([^<]+)</code></th>',
        table.group(1),
    )
    # the field by its label, and by the name a steward writes in YAML or a spreadsheet
    assert top and unescape(top.group(1)) == path_label(first["field"], "en")
    assert top.group(2) == first["field"]
    example = first["examples"][0]
    # the API's words, field names shown as code instead of in backticks
    assert example["message"].replace("`", "") in text(table.group(1))

    def squeezed(words: str) -> str:  # the page's markup splits text at its code elements
        return re.sub(r"\s+", "", words.replace("`", ""))

    assert squeezed(f"Fix: {first['hint']}") in squeezed(text(table.group(1)))
    assert "`" not in text(table.group(1))
    # the lowest-scoring record is listed first and links to its page
    records = re.search(r'<table class="scores">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert records
    first_row = re.search(r'<tr><th scope="row"><a href="([^"]+)">(.*?)</a>', records.group(1))
    assert first_row and unescape(first_row.group(2)) == answer["scores"][0]["title"]
    assert get(gdcat_server, first_row.group(1)[len(gdcat_server.base) - 1 :])
    # downloads
    assert f'href="{gdcat_server.base}api/nodes/{node}/quality.csv"' in html


def test_rejected_records_are_explained_by_field(gdcat_server: LiveGdcat) -> None:
    report = gdcat_server.report
    assert report is not None
    node = next(n for n in report.nodes if n.rejected)
    answer = api(gdcat_server, node.node)
    assert answer["rejected"]["records"] == len(node.rejected)
    fields = {
        reason.path for r in node.rejected for reason in r.reasons if reason.severity == "Violation"
    }
    assert {f["field"] for f in answer["rejected"]["by_field"]} == fields
    html = get(gdcat_server, f"/nodes/{node.node}/quality")
    table = re.search(r'<table class="rejected">(.*?)</table>', html, re.S)
    assert table
    reason = node.rejected[0].reasons[0]
    # the message in words, its field names as code rather than in backticks
    assert reason.message.replace("`", "") in text(table.group(1))
    assert "`" not in text(table.group(1)) and "<code>" in table.group(1)
    assert f'id="rejected-records">{len(node.rejected)}<' in html


def test_scores_equal_each_record_scored_on_its_own(gdcat_server: LiveGdcat) -> None:
    answer = api(gdcat_server, "de")
    assert answer["records"] == len(answer["scores"]) > 3
    values = [s["score"] for s in answer["scores"]]
    assert values == sorted(values)
    for s in answer["scores"]:
        graph = gdcat_server.store.get_record(s["dataset"])
        assert graph is not None
        alone = score_record(graph, s["dataset"], s["profile"])
        assert alone.score == s["score"], s["dataset"]
        assert [p.field for p in alone.problems] == [p["field"] for p in s["problems"]]
    assert answer["score"] == round(sum(values) / len(values), 1)


def test_the_csv_holds_every_records_score(gdcat_server: LiveGdcat) -> None:
    node = worst_node(gdcat_server)
    answer = api(gdcat_server, node)
    reply = httpx.get(f"{gdcat_server.url}/api/nodes/{node}/quality.csv", timeout=60)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [r["dataset"] for r in rows] == [s["dataset"] for s in answer["scores"]]
    assert [float(r["score"]) for r in rows] == [s["score"] for s in answer["scores"]]
    first = answer["fix_first"][0]["field"]
    assert first in rows[0]["missing"].split(";") + rows[0]["invalid"].split(";")


def test_the_page_is_translated(gdcat_server: LiveGdcat) -> None:
    words = {
        "de": ("Metadatenqualität", "Was zuerst zu beheben ist"),
        "fr": ("Qualité des métadonnées", "À corriger en premier"),
        "nl": ("Metadatakwaliteit", "Wat eerst te verbeteren"),
    }
    for lang, expected in words.items():
        shown = text(get(gdcat_server, f"/nodes/de/quality?lang={lang}"))
        for word in expected:
            assert word in shown, (lang, word)


def test_what_to_fix_first_is_named_in_the_readers_language(gdcat_server: LiveGdcat) -> None:
    node = worst_node(gdcat_server)
    first = api(gdcat_server, node)["fix_first"][0]["field"]
    html = get(gdcat_server, f"/nodes/{node}/quality?lang=nl")
    table = re.search(r'<table class="fix-first">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert table
    top = re.search(r'<th scope="row" class="field">([^<]+) <code', table.group(1))
    dutch = path_label(first, "nl")
    assert top and unescape(top.group(1)) == dutch != path_label(first, "en")
    # the score and the dates as Dutch writes them
    score = re.search(r'id="node-score">([^<]+)<', html)
    assert score and re.fullmatch(r"\d+,\d\u00a0%", unescape(score.group(1)))
    timeline = re.search(r'<table class="timeline">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert timeline
    when = re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)<', timeline.group(1))
    dutch_day = r"\d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)\.? \d{4}"
    assert when and all(re.search(dutch_day, w) for w in when), when


def test_unknown_nodes_are_not_found(gdcat_server: LiveGdcat) -> None:
    get(gdcat_server, "/nodes/no-such-node/quality", status=404)
    answer = httpx.get(f"{gdcat_server.url}/api/nodes/no-such-node/quality", timeout=30)
    assert answer.status_code == 404
    assert "no-such-node" in answer.json()["detail"]
    openapi = httpx.get(f"{gdcat_server.url}/openapi.json", timeout=30).json()
    assert "/api/nodes/{node}/quality" in openapi["paths"]
    assert "/api/nodes/{node}/quality.csv" in openapi["paths"]


DATASET = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://n.example/d/{n}> a dcat:Dataset ; dct:title "Dataset {n}"@en {extra} .
"""


def test_answers_are_kept_per_store_generation(tmp_path: Path) -> None:
    def write(store: OxigraphStore, n: int, extra: str = "") -> None:
        graph = Graph().parse(data=DATASET.format(n=n, extra=extra), format="turtle")
        meta = RecordMeta("https://n.example/", str(n), "", "conforms", node="xx")
        store.put_records([RecordWrite(f"https://n.example/d/{n}", graph, meta)])

    with OxigraphStore(tmp_path / "store", "http://127.0.0.1:9/") as store:
        write(store, 1)
        qualities = NodeQualities(store)
        first = qualities.get("xx")
        assert len(first.records) == 1
        assert qualities.get("xx") is first  # no write: the same answer
        write(store, 2, '; dct:description "Described."@en')
        second = qualities.get("xx")
        assert second is not first and len(second.records) == 2
        # the described record scores higher and comes last
        assert second.records[-1].dataset == "https://n.example/d/2"
        assert second.records[0].score < second.records[-1].score
        assert second.mean == round(sum(s.score for s in second.records) / 2, 1)


def test_publishing_days_count_accepted_warned_and_refused(tmp_path: Path) -> None:
    from gdcat.harvest.quality import timeline
    from gdcat.publish.audit import AuditTrail

    with OxigraphStore(tmp_path / "store", "http://127.0.0.1:9/") as store:
        graph = Graph().parse(data=DATASET.format(n=1, extra=""), format="turtle")
        meta = RecordMeta("http://127.0.0.1:9/api/nodes/xx/", "h", "gdcat", "warnings", node="xx")
        store.put_records([RecordWrite("https://n.example/d/1", graph, meta)])
        trail = AuditTrail(store)
        for outcome, status, dataset in (
            ("created", 201, "https://n.example/d/1"),
            ("replaced", 200, "https://n.example/d/1"),  # wrote the stored version
            ("created", 201, "https://n.example/d/2"),
            ("refused", 422, "https://n.example/d/3"),
            ("forbidden", 403, "https://n.example/d/4"),  # not a validation outcome
        ):
            trail.record(
                node="xx",
                token_id="tok-1",
                action="put",
                outcome=outcome,  # type: ignore[arg-type]
                status=status,
                dataset=dataset,
            )
        (point,) = timeline(store, "xx")
        assert point.kind == "publish"
        assert (point.accepted, point.warnings, point.rejected) == (3, 1, 1)
        assert point.conforms == 2
