"""Dataset pages for people, over HTTP against the harvested demo federation: terms by their
labels (in German where the vocabulary has German), series and releases linked both ways,
"more datasets with this disease" running a search that finds the dataset, the "How to
request access" block, and every field of the dataset shown exactly once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from live_gdcat import LiveGdcat
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from gdcat.model.fields import slot_label
from gdcat.model.schema import slot_name_for
from gdcat.store import record_iri

GDCAT = "https://w3id.org/gdcat/ns#"
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
DISEASE = URIRef(GDCAT + "disease")
AUTHORITY = "http://publications.europa.eu/resource/authority/"


@dataclass
class Page:
    """What a reader sees: the text of each field (by the predicate on its name), the
    links, the elements' languages."""

    html: str
    fields: list[str] = field(default_factory=list)
    text_of: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)

    def section(self, anchor: str) -> str:
        found = re.search(rf'<section aria-labelledby="{anchor}".*?</section>', self.html, re.S)
        assert found, f"no section {anchor}"
        return words(found.group(0))


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page
        self.link: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-field"):
            self.page.fields.extend(str(found["data-field"]).split())
        if tag == "a":
            self.link, self.link_text = found.get("href"), []

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.link_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            self.page.links.append((" ".join("".join(self.link_text).split()), self.link))
            self.link = None


def read(live: LiveGdcat, key: str, query: str = "", **headers: str) -> Page:
    answer = httpx.get(
        f"{live.url}/dataset/{key}{query}", headers={"Accept": "text/html", **headers}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    page = Page(answer.text)
    _Reader(page).feed(answer.text)
    # the text of each field: the <dd> after the <dt data-field=...>
    for predicate, value in re.findall(
        r'<dt data-field="([^"]+)">.*?</dt>\s*<dd>(.*?)</dd>', answer.text, re.S
    ):
        page.text_of[predicate] = words(value)
    return page


def graph_of(live: LiveGdcat, key: str) -> Graph:
    answer = httpx.get(f"{live.url}/dataset/{key}", headers={"Accept": "text/turtle"}, timeout=30)
    assert answer.status_code == 200
    return Graph().parse(data=answer.text, format="turtle")


def key_of(live: LiveGdcat, dataset: str) -> str:
    return record_iri(live.base, dataset).rsplit("/", 1)[1]


def live_keys(live: LiveGdcat, **query: str) -> Iterator[tuple[str, str]]:
    """(dataset IRI, key) of the datasets ``/api/datasets`` finds for ``query``."""
    answer = httpx.get(f"{live.url}/api/datasets", params={"page_size": "100", **query}, timeout=30)
    assert answer.status_code == 200, answer.text
    for hit in answer.json()["hits"]:
        yield hit["iri"], hit["key"]


@pytest.fixture(scope="module")
def release(gdcat_server: LiveGdcat) -> tuple[str, str]:
    """A Dutch release of a series that names a disease (the demo's rare-disease exomes)."""
    for iri, key in live_keys(gdcat_server, node="nl", type="dataset"):
        graph = graph_of(gdcat_server, key)
        if (URIRef(iri), IN_SERIES, None) in graph and (URIRef(iri), DISEASE, None) in graph:
            return iri, key
    raise AssertionError("the demo federation has no Dutch release with a disease")


def test_terms_are_shown_by_their_labels(gdcat_server: LiveGdcat, release: tuple[str, str]) -> None:
    iri, key = release
    page = read(gdcat_server, key, "?lang=en")
    shown = page.text_of
    assert shown[str(DCTERMS.language)] == "Dutch"
    assert shown[str(DCTERMS.spatial)] == "Netherlands"
    assert shown[str(DCTERMS.accessRights)] == "non-public"
    assert shown[str(DCAT.theme)] == "Health"
    assert "Research on the named diseases only" in shown[GDCAT + "dataUsePermission"]
    assert "disease specific research (DS)" in shown[GDCAT + "dataUsePermission"]
    disease = graph_of(gdcat_server, key).value(URIRef(iri), DISEASE)
    assert disease is not None and str(disease).startswith("http://www.orpha.net/ORDO/")
    assert shown[GDCAT + "disease"].startswith("Ataxia-telangiectasia")
    assert shown[GDCAT + "sequencingType"] == "Whole exome sequencing"
    # file types of the distributions: their codes, not the IRIs
    formats = re.findall(r"<dt>Format</dt>\s*<dd>(.*?)</dd>", page.html, re.S)
    assert {words(f) for f in formats} >= {"HTML", "VCF"}
    # no field a reader sees shows an authority-table IRI as its text
    for predicate, text in shown.items():
        assert AUTHORITY not in text, (predicate, text)
        assert "purl.obolibrary.org" not in text, (predicate, text)


def test_german_labels_where_the_vocabulary_has_them(
    gdcat_server: LiveGdcat, release: tuple[str, str]
) -> None:
    _, key = release
    page = read(gdcat_server, key, "?lang=de")
    shown = page.text_of
    assert shown[str(DCTERMS.language)] == "Niederländisch"  # CLDR
    assert shown[str(DCTERMS.spatial)] == "Niederlande"  # CLDR
    assert shown[str(DCTERMS.accessRights)] == "nicht öffentlich"  # EU access-right table
    assert shown[str(DCAT.theme)] == "Gesundheit"  # EU data-theme table
    assert "Nur Forschung zu den genannten Krankheiten" in shown[GDCAT + "dataUsePermission"]
    # HPO has only English: the English label, marked as English
    assert re.search(r'<a [^>]*lang="en"[^>]*>Ataxia</a>', page.html)
    # dates and the page's own words in German
    assert re.search(r"\d{1,2}\. \w+ \d{4}", shown[str(DCTERMS.issued)])
    assert "So beantragen Sie Zugang" in page.html
    # Accept-Language chooses German too
    assert read(gdcat_server, key, "", **{"Accept-Language": "de-DE,de;q=0.9"}).text_of[
        str(DCTERMS.accessRights)
    ] == ("nicht öffentlich")


def test_a_licence_is_shown_by_its_label_in_the_readers_language(
    gdcat_server: LiveGdcat,
) -> None:
    answer = httpx.post(
        f"{gdcat_server.url}/sparql",
        data={
            "query": "SELECT ?d WHERE { GRAPH ?g { ?d <http://www.w3.org/ns/dcat#distribution> "
            "?x . ?x <http://purl.org/dc/terms/license> "
            f"<{AUTHORITY}licence/CC_BY_4_0> }} }} LIMIT 1"
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    dataset = answer.json()["results"]["bindings"][0]["d"]["value"]
    key = key_of(gdcat_server, dataset)
    english = read(gdcat_server, key, "?lang=en").section("distributions")
    assert "Creative Commons Attribution 4.0 International" in english
    german = read(gdcat_server, key, "?lang=de").section("distributions")
    assert "Creative Commons Namensnennung 4.0 International" in german
    assert f"{AUTHORITY}licence/CC_BY_4_0" not in english


def test_series_and_releases_link_to_each_other(
    gdcat_server: LiveGdcat, release: tuple[str, str]
) -> None:
    iri, key = release
    series_iri = graph_of(gdcat_server, key).value(URIRef(iri), IN_SERIES)
    assert series_iri is not None
    series_page = f"{gdcat_server.url}/dataset/{key_of(gdcat_server, str(series_iri))}"
    page = read(gdcat_server, key)
    assert str(IN_SERIES) in page.fields
    assert any(href == series_page for _, href in page.links), "no link to the series page"

    series = read(gdcat_server, key_of(gdcat_server, str(series_iri)))
    releases = series.section("releases")
    release_links = re.findall(r'<ol class="releases">(.*?)</ol>', series.html, re.S)[0]
    assert f'href="{gdcat_server.url}/dataset/{key}"' in release_links
    # every live release of the series, and nothing else
    found = {
        str(s)
        for s in (
            hit_iri
            for hit_iri, hit_key in live_keys(gdcat_server, node="nl", type="dataset")
            if (URIRef(hit_iri), IN_SERIES, series_iri) in graph_of(gdcat_server, hit_key)
        )
    }
    assert len(re.findall(r"<li>", release_links)) == len(found) >= 2
    assert "Releases in this series" in releases


def test_more_with_this_disease_finds_the_dataset(
    gdcat_server: LiveGdcat, release: tuple[str, str]
) -> None:
    iri, key = release
    page = read(gdcat_server, key)
    more = [href for text, href in page.links if text == "More datasets with this disease"]
    assert more, "no link to more datasets with this disease"
    query = dict(parse_qsl(urlsplit(more[0]).query))
    assert urlsplit(more[0]).path == "/search" and query["disease"].startswith("ORPHA:")
    found = httpx.get(more[0], timeout=30)
    assert found.status_code == 200
    assert f'href="{gdcat_server.url}/dataset/{key}"' in found.text
    api = httpx.get(f"{gdcat_server.url}/api/datasets", params=query, timeout=30).json()
    assert iri in {h["iri"] for h in api["hits"]}
    # the publisher and node links run searches too, and keep a chosen language
    texts = {text for text, _ in page.links}
    assert {"More datasets from this publisher", "More datasets from this node"} <= texts
    german = read(gdcat_server, key, "?lang=de")
    node = [h for t, h in german.links if t == "Weitere Datensätze dieses Knotens"]
    assert node and dict(parse_qsl(urlsplit(node[0]).query)) == {"node": "nl", "lang": "de"}


def test_how_to_request_access(gdcat_server: LiveGdcat, release: tuple[str, str]) -> None:
    iri, key = release
    graph = graph_of(gdcat_server, key)
    block = read(gdcat_server, key).section("access")
    committee = graph.value(URIRef(iri), URIRef(GDCAT + "dataAccessCommittee"))
    hdab = graph.value(URIRef(iri), URIRef("http://healthdataportal.eu/ns/health#hdab"))
    assert committee is not None and hdab is not None
    for agent in (committee, hdab):
        name = graph.value(agent, URIRef("http://xmlns.com/foaf/0.1/name"))
        assert name is not None and str(name) in block  # English names on an English page
    # the access body's contact, the application form, the rights and conditions in words
    point = graph.value(hdab, URIRef("http://data.europa.eu/m8g/contactPoint"))
    email = graph.value(point, URIRef("http://data.europa.eu/m8g/email"))
    assert email is not None and str(email) in block
    forms = [
        str(url)
        for d in graph.objects(URIRef(iri), DCAT.distribution)
        if (d, DCTERMS.format, URIRef(f"{AUTHORITY}file-type/HTML")) in graph
        for url in graph.objects(d, DCAT.accessURL)
    ]
    assert forms and all(f in block for f in forms)
    assert "non-public" in block
    assert "Research on the named diseases only" in block
    for word in ("Access rights", "Data access committee", "Health data access body"):
        assert word in block


@pytest.mark.parametrize("kind", ["release", "series"])
def test_no_field_is_shown_twice_and_none_is_left_out(
    gdcat_server: LiveGdcat, release: tuple[str, str], kind: str
) -> None:
    iri, key = release
    if kind == "series":
        iri = str(graph_of(gdcat_server, key).value(URIRef(iri), IN_SERIES))
        key = key_of(gdcat_server, iri)
    page = read(gdcat_server, key)
    twice = [p for p, n in Counter(page.fields).items() if n > 1]
    assert twice == []
    graph = graph_of(gdcat_server, key)
    said = {str(p) for p in graph.predicates(URIRef(iri), None)}
    # the FAIR Data Point's metadata dates describe the record, shown under its provenance
    said -= {
        "https://w3id.org/fdp/fdp-o#metadataIssued",
        "https://w3id.org/fdp/fdp-o#metadataModified",
    }
    assert said - set(page.fields) == set()
    assert str(RDF.type) in page.fields
    # and no value of a field appears in a second field
    values = [v for v in page.text_of.values() if len(v) > 12]
    assert [v for v, n in Counter(values).items() if n > 1] == []


def test_the_rdf_forms_and_the_record_are_one_click_away(
    gdcat_server: LiveGdcat, release: tuple[str, str]
) -> None:
    _, key = release
    page = read(gdcat_server, key)
    hrefs = {href for _, href in page.links}
    for name in ("ttl", "jsonld", "rdfxml", "nt"):
        assert any(h.endswith(f"?format={name}") for h in hrefs), name
    assert f"{gdcat_server.url}/record/{key}" in hrefs
    assert "application/ld+json" in page.html  # the schema.org JSON-LD stays


def test_more_from_the_record_names_the_fields_in_the_readers_language(
    gdcat_server: LiveGdcat, release: tuple[str, str]
) -> None:
    _, key = release
    named: dict[str, dict[str, str]] = {}
    for lang in ("en", "de"):
        html = read(gdcat_server, key, f"?lang={lang}").html
        more = re.search(r'<section aria-labelledby="more-fields">(.*?)</section>', html, re.S)
        assert more, "the page shows no 'More from the record'"
        named[lang] = {
            predicate: unescape(name)
            for predicate, name in re.findall(r'<dt data-field="([^"]+)">([^<]*)</dt>', more[1])
        }
    slots = {p: slot_name_for(p) for p in named["de"]}
    from_model = {p: s for p, s in slots.items() if s}
    assert from_model, "no field of the model in 'More from the record'"
    for predicate, slot in from_model.items():
        assert named["de"][predicate] == slot_label(slot, "de"), predicate
        assert named["en"][predicate] == slot_label(slot, "en"), predicate
    assert any(named["de"][p] != named["en"][p] for p in from_model), named
    # the German page names the fields in German, in the order of their German names
    german = [named["de"][p] for p in named["de"]]
    assert german == sorted(german, key=str.casefold)
