"""The data-use page over HTTP (the harvested demo federation): for a research purpose it
lists exactly the datasets ``/api/datasets`` lists for the same parameters, each with its
verdict and the conditions to meet in plain words, and cohort totals equal to the API's; the
disease picker finds terms of the shipped ORDO and MONDO slices by name or code."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import pytest
from live_gdcat import LiveGdcat

from gdcat.search.duo import TERMS_BY_IRI
from gdcat.ui.data_use_page import CONDITION_WORDS
from gdcat.ui.search_page import SEQUENCING_TYPE_WORDS

#: Purposes the demo federation answers differently (none of them empty).
PURPOSES = [
    "purpose=GRU",
    "purpose=HMB&commercial=true",
    "purpose=DS&purpose_disease=ORPHA:217569&for_profit=true",
    "purpose_disease=MONDO:0004992",  # disease-specific by its disease alone (cancer)
    "purpose=POA",
    "methods=true&phenotype_only=true",
]


def page(live: LiveGdcat, query: str = "", **headers: str) -> str:
    answer = httpx.get(f"{live.url}/data-use?{query}", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def api(live: LiveGdcat, query: str) -> dict[str, Any]:
    answer = httpx.get(f"{live.url}/api/datasets?{query}", timeout=30)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def number(text: str) -> int:
    digits = re.sub(r"\D", "", text)
    assert digits, f"no number in {text!r}"
    return int(digits)


def hits(html: str) -> dict[str, str]:
    """The listed datasets: key -> the HTML of its entry."""
    entries = re.findall(r'<li class="hit">(.*?)</li>\s*(?=<li class="hit">|</ol>)', html, re.S)
    found = {}
    for entry in entries:
        key = re.search(r'href="[^"]*/dataset/([0-9a-f]{24})', entry)
        assert key, entry
        found[key.group(1)] = entry
    return found


def shown_total(html: str) -> int:
    heading = re.search(r'id="results-heading"[^>]*>(.*?)</h2>', html, re.S)
    assert heading, "no result count on the page"
    return number(text_of(heading.group(1)).split(" ")[0])


def table_rows(html: str, table_id: str) -> dict[str, list[int]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_id}"
    rows = {}
    for row in re.findall(r"<tbody>(.*?)</tbody>", table.group(1), re.S)[0].split("</tr>"):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        if cells:
            rows[text_of(cells[0])] = [number(text_of(c).split(" ")[0]) for c in cells[1:]]
    return rows


@pytest.mark.parametrize("query", PURPOSES)
def test_the_page_lists_what_the_api_lists(gdcat_server: LiveGdcat, query: str) -> None:
    html = page(gdcat_server, f"{query}&page_size=200")
    answer = api(gdcat_server, f"{query}&page_size=200")
    assert answer["total"] > 0, "the demo federation should permit this purpose somewhere"
    assert answer["total"] <= 200
    assert shown_total(html) == answer["total"]
    assert set(hits(html)) == {h["key"] for h in answer["hits"]}


@pytest.mark.parametrize("query", PURPOSES[:3])
def test_each_dataset_shows_its_verdict_and_conditions(gdcat_server: LiveGdcat, query: str) -> None:
    html = page(gdcat_server, f"{query}&page_size=200")
    listed = hits(html)
    with_conditions = 0
    for hit in api(gdcat_server, f"{query}&page_size=200")["hits"]:
        entry = listed[hit["key"]]
        verdict = hit["data_use"]
        assert verdict["permitted"] is True
        assert "<strong>Permitted</strong>" in entry
        box = re.search(r'<ul class="conditions">(.*?)</ul>', entry, re.S)
        shown = (
            [text_of(li) for li in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)] if box else []
        )
        wanted = [f"{CONDITION_WORDS[c['shorthand']]} {c['code']}" for c in verdict["conditions"]]
        assert shown == wanted, hit["title"]
        if not wanted:
            assert "no further conditions." in text_of(entry)
        with_conditions += bool(wanted)
    assert with_conditions > 0, "the walk should meet datasets with conditions"


def test_a_refusing_modifier_is_never_a_condition_of_a_listed_dataset(
    gdcat_server: LiveGdcat,
) -> None:
    html = page(gdcat_server, "purpose=HMB&commercial=true&for_profit=true&page_size=200")
    refusing = {"NCU", "NPU", "NPUNCU"}
    for entry in hits(html).values():
        codes = re.findall(r'<span class="code">(DUO:\d+)</span>', entry)
        shorthands = {
            TERMS_BY_IRI[c.replace("DUO:", "http://purl.obolibrary.org/obo/DUO_")].shorthand
            for c in codes
        }
        assert not shorthands & refusing


@pytest.mark.parametrize("query", PURPOSES[1:4])
def test_the_cohort_totals_are_the_apis(gdcat_server: LiveGdcat, query: str) -> None:
    html = page(gdcat_server, query)
    cohort = api(gdcat_server, query)["cohort"]
    for figure in ("datasets", "individuals", "genomes", "exomes", "samples"):
        shown = re.search(rf'<dd data-figure="{figure}">([^<]*)</dd>', html)
        assert shown, figure
        assert number(shown.group(1)) == cohort[figure], figure
    countries = table_rows(html, "cohort-by-country-table")
    assert countries == {
        (r["label"] or "Country not stated"): [
            r["datasets"],
            r["individuals"],
            r["genomes"],
            r["exomes"],
            r["samples"],
        ]
        for r in cohort["by_country"]
    }
    kinds = table_rows(html, "cohort-by-type-table")
    assert kinds == {  # the page names the types in words (English here)
        SEQUENCING_TYPE_WORDS.get(r["value"], r["label"]): [
            r["datasets"],
            r["individuals"],
            r["produced"],
        ]
        for r in cohort["by_sequencing_type"]
    }
    # the charts draw the same figures
    chart = re.search(r'<svg [^>]*id="cohort-by-country".*?</svg>', html, re.S)
    assert chart and 'role="img"' in chart.group(0)
    drawn = {
        float(v)
        for v in re.findall(r'data-category="individuals" data-value="([\d.]+)"', chart.group(0))
    }
    assert drawn == {float(r["individuals"]) for r in cohort["by_country"]}
    assert re.search(r'<svg [^>]*id="cohort-by-type"', html)


def test_the_page_links_its_json_and_pages_through_the_results(gdcat_server: LiveGdcat) -> None:
    query = "purpose=HMB&commercial=false&page_size=5"
    html = page(gdcat_server, query)
    json_link = re.search(r'href="([^"]*/api/datasets\?[^"]*)">JSON<', html)
    assert json_link
    answer = httpx.get(unescape(json_link.group(1)), timeout=30).json()
    assert {h["key"] for h in answer["hits"]} == set(hits(html))
    following = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert following
    second = httpx.get(unescape(following.group(1)), timeout=30).text
    assert 'start="6"' in second
    assert set(hits(second)) == {h["key"] for h in api(gdcat_server, f"{query}&page=2")["hits"]}


def test_the_disease_picker_lists_matching_terms(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server, "purpose=DS&disease_q=hypertrophic+cardiomyopathy")
    choices = re.findall(r'name="purpose_disease" value="([^"]+)"( checked)?>', html)
    assert sorted(choices) == [("MONDO:0005045", ""), ("ORPHA:217569", "")]
    assert "2 diseases match “hypertrophic cardiomyopathy”" in html
    # a disease-specific study without its disease: the page asks for it, lists no datasets
    assert "A disease-specific study needs its disease" in html
    assert 'id="results-heading"' not in html

    chosen = page(gdcat_server, "purpose=DS&disease_q=hypertrophic&purpose_disease=ORPHA:217569")
    assert 'value="ORPHA:217569" checked' in chosen
    assert 'value="MONDO:0005045">' in chosen
    assert '<span lang="en">Hypertrophic cardiomyopathy</span>' in chosen
    assert shown_total(chosen) == api(gdcat_server, "purpose_disease=ORPHA:217569")["total"]


def test_the_picker_fragment_follows_the_typing(gdcat_server: LiveGdcat) -> None:
    def fragment(query: str) -> str:
        answer = httpx.get(f"{gdcat_server.url}/data-use/diseases?{query}", timeout=30)
        assert answer.status_code == 200
        assert "<html" not in answer.text
        return answer.text

    marfan = fragment("disease_q=orpha:558")  # a code, in any case
    assert re.findall(r'value="([^"]+)"', marfan) == ["ORPHA:558"]
    assert 'hx-swap-oob="true"' in marfan and "1 disease matches" in marfan
    accents = fragment("disease_q=GAUCH%C3%89R")  # case and accents do not matter
    assert re.findall(r'value="([^"]+)"', accents) == ["ORPHA:355"]
    nothing = fragment("disease_q=xyzzy")  # no disease named so: nothing, said so
    assert "purpose_disease" not in nothing
    assert "No disease in gdcat's vocabularies matches “xyzzy”" in unescape(nothing)
    kept = fragment("disease_q=cancer&purpose_disease=ORPHA:558")
    values = re.findall(r'value="([^"]+)"( checked)?', kept)
    assert values[0] == ("ORPHA:558", " checked")  # the chosen disease stays, ticked
    assert ("MONDO:0007254", "") in values  # breast cancer
    assert all(v.startswith(("ORPHA:", "MONDO:")) for v, _ in values)  # no HPO phenotypes


def test_without_a_purpose_the_page_asks_for_one(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server)
    assert 'id="no-purpose"' in html
    assert 'id="results-heading"' not in html
    assert 'id="purpose-none" name="purpose" value="" checked' in html
    assert '<form class="data-use-form" action="' in html and 'method="get"' in html


def test_population_research_leaves_diseases_out(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server, "purpose=POA&purpose_disease=ORPHA:558")
    assert "Diseases are left out" in html
    assert shown_total(html) == api(gdcat_server, "purpose=POA")["total"]


def test_an_invalid_purpose_is_refused(gdcat_server: LiveGdcat) -> None:
    answer = httpx.get(f"{gdcat_server.url}/data-use?purpose=ANY", timeout=30)
    assert answer.status_code == 422
    assert "purpose" in answer.text


def test_the_page_speaks_the_readers_language(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server, "purpose=GRU&lang=de")
    assert "Darf ich diese Daten für meine Studie nutzen?" in html
    assert "erlauben Ihre Studie" in html
    assert '<input type="hidden" id="data-use-lang" name="lang" value="de">' in html
    french = page(gdcat_server, "purpose=GRU", **{"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Puis-je utiliser ces données pour mon étude ?" in french


def test_the_home_page_and_the_navigation_link_the_page(gdcat_server: LiveGdcat) -> None:
    home = httpx.get(f"{gdcat_server.url}/", headers={"Accept": "text/html"}, timeout=30).text
    assert f'href="{gdcat_server.url}/data-use"' in home
    assert 'aria-current="page">Data use</a>' in page(gdcat_server)
