"""The SPARQL page over HTTP (the harvested demo federation): a browser's ``GET /sparql`` gets
the page while protocol clients get what they always got; every example query answers rows,
and the page's table holds what the JSON answer holds; downloads in every format; errors in
plain words with the problem's status; the gzip-compressed assets and what a page transfers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Graph, Literal, URIRef

from gdcat.ui.sparql_page import CELL_CHARACTERS, DETAIL_CHARACTERS, EXAMPLES, SHOWN_ROWS

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class Page(HTMLParser):
    """What the page shows: the answer's table (each cell's text and its ``title``), the
    result heading, the failure box, links and scripts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.columns: list[str] = []
        self.rows: list[list[tuple[str, str | None]]] = []
        self.heading = ""
        self.failure = ""
        self.links: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self._stack: list[tuple[str, dict[str, str | None]]] = []
        self._cell: list[str] | None = None
        self._title: str | None = None
        self._link: tuple[str, list[str]] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("br", "input", "link", "meta"):
            if tag == "link" and a.get("rel") == "stylesheet":
                self.stylesheets.append(a.get("href") or "")
            return
        self._stack.append((tag, a))
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"] or "")
        if tag == "tr" and self._in("tbody"):
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell, self._title = [], None
        if self._cell is not None and a.get("title"):
            self._title = a["title"]
        if tag == "a" and a.get("href"):
            self._link = (a["href"] or "", [])

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if tag == "th":
                self.columns.append(text)
            else:
                self.rows[-1].append((text, self._title))
            self._cell = None
        if tag == "a" and self._link is not None:
            self.links.append((" ".join("".join(self._link[1]).split()), self._link[0]))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if any(t == "h2" and a.get("id") == "results-heading" for t, a in self._stack):
            self.heading += data
        if any(t == "div" and "failure" in (a.get("class") or "") for t, a in self._stack):
            self.failure += data
        if self._link is not None:
            self._link[1].append(data)

    def _in(self, tag: str) -> bool:
        return any(t == tag for t, _ in self._stack)


def endpoint(live: LiveGdcat) -> str:
    return live.url + "/sparql"


def show(live: LiveGdcat, query: str, **params: str) -> httpx.Response:
    return httpx.get(
        endpoint(live), params={"query": query, "format": "html", **params}, timeout=60
    )


def as_json(live: LiveGdcat, query: str) -> dict[str, object]:
    answer = httpx.get(endpoint(live), params={"query": query}, timeout=60)
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert isinstance(doc, dict)
    return doc


# -- the page and the protocol ---------------------------------------------------------------


def test_a_browser_gets_the_page_with_editor_examples_and_the_site_header(
    gdcat_server: LiveGdcat,
) -> None:
    r = httpx.get(endpoint(gdcat_server), headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Accept-Language" in r.headers["vary"]
    page = Page(r.text)
    assert '<textarea id="query" name="query"' in r.text
    assert '<input type="hidden" name="format" value="html">' in r.text
    assert [s.rsplit("/", 1)[-1] for s in page.scripts] == ["yasqe.min.js", "sparql-page.js"]
    assert [s.rsplit("/", 1)[-1] for s in page.stylesheets] == [
        "gdcat.css",
        "yasqe.min.css",
        "sparql.css",
    ]
    assert 'aria-current="page">SPARQL</a>' in r.text  # the site's header, this page marked
    titles = [text for text, href in page.links if "query=" in href]
    assert titles == [e.title for e in EXAMPLES]
    # The page's policy is every page's: no eval, no inline style.
    policy = r.headers["content-security-policy"]
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy


def test_protocol_clients_get_what_they_always_got(gdcat_server: LiveGdcat) -> None:
    bare = httpx.get(endpoint(gdcat_server))
    assert bare.status_code == 200 and bare.headers["content-type"].startswith("text/turtle")
    assert "ServiceDescription" in bare.text or "sd:Service" in bare.text
    # A query is answered by the protocol, whatever a browser accepts.
    for headers in ({}, BROWSER, {"Accept": "application/sparql-results+json"}):
        r = httpx.get(endpoint(gdcat_server), params={"query": "ASK {}"}, headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        assert r.json() == {"head": {}, "boolean": True}
    csv_answer = httpx.get(
        endpoint(gdcat_server), params={"query": "SELECT (1 AS ?x) {}", "format": "csv"}
    )
    assert csv_answer.text.splitlines() == ["x", "1"]
    # A syntax error is still a problem document for a client.
    bad = httpx.get(endpoint(gdcat_server), params={"query": "SELEKT"})
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.key for e in EXAMPLES])
def test_every_example_answers_rows_and_the_table_is_the_json_answer(
    gdcat_server: LiveGdcat, example: object
) -> None:
    from gdcat.ui.sparql_page import Example

    assert isinstance(example, Example)
    doc = as_json(gdcat_server, example.query)
    head = doc["head"]
    bindings = doc["results"]["bindings"]  # type: ignore[index]
    assert isinstance(head, dict) and isinstance(bindings, list)
    assert len(bindings) > 0, f"{example.key} answers no rows on the demo data"

    r = show(gdcat_server, example.query)
    assert r.status_code == 200, r.text
    page = Page(r.text)
    assert page.heading.strip() == f"{len(bindings):,} rows"
    assert page.columns == head["vars"]
    assert len(page.rows) == min(len(bindings), SHOWN_ROWS)
    for row, binding in zip(page.rows, bindings, strict=False):
        for (text, title), column in zip(row, head["vars"], strict=True):
            term = binding.get(column)
            if term is None:
                assert text == "" and title is None
            elif term["type"] == "uri":
                assert title == term["value"]  # the label shown, the IRI behind it
            elif len(term["value"]) > CELL_CHARACTERS:
                assert title == term["value"] and text.endswith("…")
            else:
                assert text.split(" @")[0] == " ".join(term["value"].split())


def test_the_examples_answer_the_mission_s_questions(gdcat_server: LiveGdcat) -> None:
    by_key = {e.key: e for e in EXAMPLES}
    genomes = as_json(gdcat_server, by_key["genomes-per-country"].query)
    rows = genomes["results"]["bindings"]  # type: ignore[index]
    wgs = [r for r in rows if r["sequencingType"]["value"].endswith("/WGS")]
    assert wgs and all(int(r["totalGenomes"]["value"]) > 0 for r in wgs)
    assert {r["country"]["value"].rsplit("/", 1)[-1] for r in rows} >= {"DEU", "FRA", "NLD"}
    duo = as_json(gdcat_server, by_key["general-research-use"].query)
    permissions = {r["permission"]["value"] for r in duo["results"]["bindings"]}  # type: ignore[index]
    assert permissions <= {
        "http://purl.obolibrary.org/obo/DUO_0000004",
        "http://purl.obolibrary.org/obo/DUO_0000042",
    }
    last = as_json(gdcat_server, by_key["last-harvest"].query)
    runs = {r["run"]["value"] for r in last["results"]["bindings"]}  # type: ignore[index]
    assert gdcat_server.report is not None
    assert runs == {gdcat_server.report.run}


def test_labels_stand_for_iris_the_vocabularies_name(gdcat_server: LiveGdcat) -> None:
    page = Page(show(gdcat_server, EXAMPLES[1].query).text)
    cells = {title: text for row in page.rows for text, title in row if title}
    gru = "http://purl.obolibrary.org/obo/DUO_0000042"
    if gru in cells:
        assert "general research use" in cells[gru].lower()
    nres = "http://purl.obolibrary.org/obo/DUO_0000004"
    assert "no restriction" in cells[nres].lower()


def test_downloads_in_every_format_are_the_protocol_s_answers(gdcat_server: LiveGdcat) -> None:
    select = EXAMPLES[4].query
    page = Page(show(gdcat_server, select).text)
    downloads = {text: href for text, href in page.links if "format=" in href}
    expected = {"JSON": "json", "XML": "xml", "CSV": "csv", "TSV": "tsv"}
    for label, name in expected.items():
        params = dict(parse_qsl(urlsplit(downloads[label]).query))
        assert params == {"query": select, "format": name}
        answer = httpx.get(downloads[label], timeout=60)
        assert answer.status_code == 200, (label, answer.text)
    json_rows = httpx.get(downloads["JSON"]).json()["results"]["bindings"]
    csv_rows = httpx.get(downloads["CSV"]).text.strip().splitlines()
    assert len(csv_rows) == len(json_rows) + 1

    dataset = "<http://www.w3.org/ns/dcat#Dataset>"
    describe = f"CONSTRUCT {{ ?d a {dataset} }} WHERE {{ ?d a {dataset} }} LIMIT 3"
    page = Page(show(gdcat_server, describe).text)
    assert page.heading.strip() == "3 triples"
    assert page.columns == ["subject", "predicate", "object"]
    graph_links = {text: href for text, href in page.links if "format=" in href}
    assert set(graph_links) >= {"Turtle", "N-Triples", "JSON-LD", "RDF/XML"}
    turtle = httpx.get(graph_links["Turtle"])
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=turtle.text, format="turtle")) == 3


def test_a_long_answer_shows_its_first_rows_and_says_so(gdcat_server: LiveGdcat) -> None:
    r = show(gdcat_server, f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {SHOWN_ROWS + 20}")
    page = Page(r.text)
    assert page.heading.strip() == f"{SHOWN_ROWS + 20:,} rows"
    assert len(page.rows) == SHOWN_ROWS
    assert f"The page shows the first {SHOWN_ROWS}; the downloads hold all {SHOWN_ROWS + 20}" in (
        r.text
    )


def test_an_ask_answers_yes_or_no(gdcat_server: LiveGdcat) -> None:
    page = Page(show(gdcat_server, "ASK { ?d a <http://www.w3.org/ns/dcat#Dataset> }").text)
    assert page.heading.strip() == "Answer: yes (true)"


def test_a_syntax_error_is_shown_in_plain_words(gdcat_server: LiveGdcat) -> None:
    r = show(gdcat_server, "SELECT ?x WHERE { ?x ?y }")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    page = Page(r.text)
    assert page.heading == "The query could not be answered"
    assert "The query has a mistake" in page.failure
    assert "error at 1:" in page.failure  # where, as the engine said it
    assert '"type"' not in r.text  # no raw problem document
    assert "SELECT ?x WHERE { ?x ?y }</textarea>" in r.text  # the query kept, to fix it
    # The parser's long list of expected tokens is cut, and one click away whole.
    unfinished = "SELECT ?x WHERE { ?x ?y "
    r = show(gdcat_server, unfinished)
    detail = httpx.get(endpoint(gdcat_server), params={"query": unfinished}).json()["detail"]
    assert len(detail) > DETAIL_CHARACTERS
    shown = unescape(r.text.split("<code>", 1)[1].split("</code>", 1)[0])
    assert shown.endswith(" …") and detail.startswith(shown[:-2])
    assert unescape(r.text.split("<pre>", 1)[1].split("</pre>", 1)[0]) == detail


def test_the_page_speaks_the_reader_s_language(gdcat_server: LiveGdcat) -> None:
    r = show(gdcat_server, "SELEKT", lang="de")
    page = Page(r.text)
    assert page.heading == "Die Abfrage konnte nicht beantwortet werden"
    assert "Die Abfrage enthält einen Fehler" in page.failure
    french = httpx.get(endpoint(gdcat_server), headers={**BROWSER, "Accept-Language": "fr"})
    assert "Exemples de requêtes" in french.text
    example_links = [href for _, href in Page(french.text).links if "query=" in href]
    assert example_links and all("lang=" not in href for href in example_links)
    chosen = httpx.get(endpoint(gdcat_server), params={"format": "html", "lang": "nl"})
    links = [href for _, href in Page(chosen.text).links if "query=" in href]
    assert len(links) == len(EXAMPLES)
    assert all(dict(parse_qsl(urlsplit(h).query))["lang"] == "nl" for h in links)


# -- limits, on a gdcat of its own ---------------------------------------------------------------

TIMEOUT = 1.0
MAX_ROWS = 5
BIG = "urn:gdcat-test:page-big"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(
        tmp_path_factory.mktemp("sparql-page"),
        datasets=None,
        sparql_timeout=TIMEOUT,
        sparql_max_rows=MAX_ROWS,
        sparql_workers=1,
    ) as live:
        big = Graph()
        for i in range(2000):
            big.add((URIRef(f"urn:s{i % 40}"), URIRef(f"urn:p{i % 7}"), Literal(i)))
        live.store.put_graph(BIG, big)
        yield live


def test_the_row_limit_is_explained(limited: LiveGdcat) -> None:
    r = show(limited, f"SELECT * WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}")
    assert r.status_code == 422
    page = Page(r.text)
    assert "more rows than this endpoint returns at once" in page.failure
    assert f"LIMIT {MAX_ROWS} OFFSET 0" in page.failure  # the endpoint's own advice follows
    ok = show(limited, f"SELECT * WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }} LIMIT {MAX_ROWS}")
    assert ok.status_code == 200 and len(Page(ok.text).rows) == MAX_ROWS
    assert f"return {MAX_ROWS} rows" in ok.text  # the limits, said on the page


def test_the_time_limit_is_explained(limited: LiveGdcat) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = show(limited, runaway)
    assert r.status_code == 422
    page = Page(r.text)
    assert "ran longer than this endpoint allows and was stopped" in page.failure
    assert "sparql_timeout = 1 s" in page.failure


# -- assets ------------------------------------------------------------------------------------

STATIC = Path(__file__).resolve().parents[2] / "src" / "gdcat" / "ui" / "static"


def test_assets_are_sent_gzip_compressed_to_clients_that_take_it(gdcat_server: LiveGdcat) -> None:
    url = gdcat_server.url + "/assets/yasqe.min.js"
    packed = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert packed.content == (STATIC / "yasqe.min.js").read_bytes()  # httpx decoded it
    assert int(packed.headers["content-length"]) < 150_000
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == (STATIC / "yasqe.min.js").read_bytes()
    refused = httpx.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_the_page_needs_less_than_300_kb_of_scripts_and_styles(gdcat_server: LiveGdcat) -> None:
    page = Page(httpx.get(endpoint(gdcat_server), headers=BROWSER).text)
    transferred = raw = 0
    for asset in page.scripts + page.stylesheets:
        r = httpx.get(asset, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200, asset
        transferred += int(r.headers["content-length"])
        raw += len(r.content)
    assert transferred < 300_000, (transferred, raw)
    assert raw > transferred  # compressed, not just small


def test_the_vendored_editor_is_the_npm_package_s_file() -> None:
    notes = (STATIC / "VENDORED.md").read_text()
    digest = hashlib.sha256((STATIC / "yasqe.min.js").read_bytes()).hexdigest()
    assert digest in notes and "@zazuko/yasqe" in notes
    assert "MIT License" in (STATIC / "yasqe.LICENSE.txt").read_text()
