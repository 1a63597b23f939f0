"""The search page over HTTP (the harvested demo federation): the same answers as
``/api/datasets`` for the same parameters, facet and chip links that add and remove one value,
paging links, the CSV download, and the reader's language."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from live_gdcat import LiveGdcat


def page(live: LiveGdcat, query: str = "", **headers: str) -> httpx.Response:
    answer = httpx.get(f"{live.url}/search?{query}", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return answer


def api_total(live: LiveGdcat, query: str) -> int:
    answer = httpx.get(f"{live.url}/api/datasets?{query}", timeout=30)
    assert answer.status_code == 200, answer.text
    total = answer.json()["total"]
    assert isinstance(total, int)
    return total


def shown_total(html: str) -> int:
    found = re.search(r'id="results-heading"[^>]*>([\d,.\u202f]+) dataset', html)
    assert found, "no result count on the page"
    return int(re.sub(r"\D", "", found.group(1)))


def links(html: str, css_class: str) -> list[tuple[str, str]]:
    """(text, href) of the links in the elements of ``css_class``."""
    found = []
    for block in re.findall(rf'class="{css_class}"[^>]*>(.*?)</(?:aside|div|nav)>', html, re.S):
        for href, text in re.findall(r'<a [^>]*?href="([^"]+)"[^>]*>(.*?)</a>', block, re.S):
            found.append((re.sub(r"<[^>]+>|\s+", " ", unescape(text)).strip(), unescape(href)))
    return found


def params(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query)


def test_the_page_counts_what_the_api_counts(gdcat_server: LiveGdcat) -> None:
    for query in ("", "q=genome", "country=FRA", "sequencing_type=WGS&access_rights=PUBLIC"):
        assert shown_total(page(gdcat_server, query).text) == api_total(gdcat_server, query)


def test_every_facet_is_shown_with_counts(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server).text
    for name in ("country", "sequencing_type", "data_use", "access_rights", "publisher", "node"):
        assert f'id="facet-{name}"' in html, name
    facet_links = [(t, h) for t, h in links(html, "facets") if t != "Show all values"]
    assert len(facet_links) > 20
    assert all(re.search(r"\(\d+\)", text) for text, _ in facet_links)


def facet_values(html: str, facet: str) -> list[str]:
    section = re.search(
        rf'<section class="facet" aria-labelledby="facet-{facet}">(.*?)</section>', html, re.S
    )
    assert section, facet
    return re.findall(r'<li><a [^>]*>.*?</span> (.*?) <span class="n">', section.group(1))


def test_a_facet_with_more_values_than_listed_shows_them_all_on_request(
    gdcat_server: LiveGdcat,
) -> None:
    api = httpx.get(f"{gdcat_server.url}/api/datasets?facet=publisher&facet_size=200", timeout=30)
    every = [b["value"] for b in api.json()["facets"]["publisher"]["buckets"]]
    assert len(every) > 20, "the demo federation should have more than 20 publishers"
    html = page(gdcat_server, "lang=en").text
    first = facet_values(html, "publisher")
    assert len(first) == 20
    more = [h for t, h in links(html, "facets") if t == "Show all values"]
    publisher_more = [h for h in more if h.endswith("#facet-publisher")]
    assert publisher_more, more
    assert ("lang", "en") in params(publisher_more[0])  # the state is kept
    expanded = page(gdcat_server, urlsplit(publisher_more[0]).query).text
    assert len(facet_values(expanded, "publisher")) == len(every)
    fewer = [h for t, h in links(expanded, "facets") if t == "Show fewer values"]
    assert fewer and ("facet_size", "200") not in params(fewer[0])


def test_a_facet_link_adds_its_value_and_the_chip_removes_it(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server, "q=genomes").text
    text, href = next((t, h) for t, h in links(html, "facets") if "country=" in h)
    country = dict(params(href))["country"]
    name = text.removeprefix("☐ ").rsplit(" (", 1)[0]
    assert params(href) == [("q", "genomes"), ("country", country)]
    chosen = page(gdcat_server, urlsplit(href).query).text
    assert shown_total(chosen) == api_total(gdcat_server, f"q=genomes&country={country}") > 0
    chips = links(chosen, "chips")
    chip = next(h for t, h in chips if name in t)
    assert params(chip) == [("q", "genomes")]  # removing the chip keeps the words
    words = next(h for t, h in chips if "genomes" in t)
    assert params(words) == [("country", country)]
    selected = next(t for t, _ in links(chosen, "facets") if name in t)
    assert selected.startswith("☑")


def test_two_values_of_one_facet_are_any_of_them(gdcat_server: LiveGdcat) -> None:
    both = page(gdcat_server, "country=FRA&country=NLD").text
    assert shown_total(both) == api_total(gdcat_server, "country=FRA") + api_total(
        gdcat_server, "country=NLD"
    )


def test_paging_links_keep_the_search(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server, "sort=-individuals&page_size=10").text
    assert "Page 1 of" in html
    following = next(href for text, href in links(html, "paging") if text == "Next page")
    assert dict(params(following)) == {"sort": "-individuals", "page_size": "10", "page": "2"}
    second = page(gdcat_server, urlsplit(following).query).text
    assert "Page 2 of" in second
    assert '<ol class="hits" start="11">' in second
    back = next(href for text, href in links(second, "paging") if text == "Previous page")
    assert dict(params(back))["page"] == "1"


def test_the_csv_download_holds_the_whole_result_set(gdcat_server: LiveGdcat) -> None:
    query = "sequencing_type=WGS"
    html = page(gdcat_server, query).text
    href = unescape(re.search(r'<a href="([^"]+search\.csv[^"]*)"', html).group(1))  # type: ignore[union-attr]
    answer = httpx.get(href, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == api_total(gdcat_server, query) > 0
    assert all("WGS" in r["sequencing_types"].split() for r in rows)
    assert all(r["page"].startswith(gdcat_server.url + "/dataset/") for r in rows)
    json_link = unescape(re.search(r'<a href="([^"]+/api/datasets[^"]*)"', html).group(1))  # type: ignore[union-attr]
    assert httpx.get(json_link, timeout=30).json()["total"] == len(rows)


def test_an_invalid_parameter_is_a_problem_naming_it(gdcat_server: LiveGdcat) -> None:
    answer = httpx.get(f"{gdcat_server.url}/search?country=not-a-country", timeout=30)
    assert answer.status_code == 422
    assert "country" in answer.text


@pytest.mark.parametrize(
    ("header", "query", "heading"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "", "Datensätze suchen"),
        ("fr-FR", "", "Rechercher des jeux de données"),
        ("nl", "", "Datasets zoeken"),
        ("de", "lang=fr", "Rechercher des jeux de données"),  # the switch wins
        ("ja, *;q=0.1", "", "Search datasets"),
    ],
)
def test_the_reader_s_language(
    gdcat_server: LiveGdcat, header: str, query: str, heading: str
) -> None:
    html = page(gdcat_server, query, **{"Accept-Language": header}).text
    assert f"<h1>{heading}</h1>" in html


def test_a_chosen_language_stays_in_the_links(gdcat_server: LiveGdcat) -> None:
    html = page(gdcat_server, "lang=nl").text
    assert '<html lang="nl">' in html
    facet = links(html, "facets")[0][1]
    assert ("lang", "nl") in params(facet)
    assert '<input type="hidden" name="lang" value="nl">' in html
    assert re.search(r'href="[^"]+/dataset/[0-9a-f]{24}\?lang=nl"', html)


@pytest.mark.parametrize(
    ("lang", "germany", "english"),
    [
        ("de", "Deutschland", "Germany"),
        ("fr", "Allemagne", "Germany"),
        ("nl", "Duitsland", "Germany"),
    ],
)
def test_countries_are_named_in_the_readers_language(
    gdcat_server: LiveGdcat, lang: str, germany: str, english: str
) -> None:
    html = page(gdcat_server, f"lang={lang}&country=DEU").text
    facet_names = [unescape(text) for text, _ in links(html, "facets")]
    words = [name.split() for name in facet_names]
    assert any(germany in w for w in words), facet_names[:30]
    assert not any(english in w for w in words), facet_names[:30]
    assert f"<dd>{germany}</dd>" in html or f">{germany}<" in html  # the hits' country
