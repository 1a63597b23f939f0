"""FAIR Signposting (https://signposting.org/FAIR/) on dataset landing pages, against the
harvested demo federation (``gdcat_server``): every form of a landing page (HTML and the RDF
forms, ``GET``, ``HEAD`` and ``304``) carries the same typed links in ``Link`` headers that
parse as RFC 8288 says; each link says what the record says (the dataset IRI to cite, the
licences, the downloads and nothing that is only an access page, the catalogue and the series);
every link to gdcat itself dereferences; the link set (RFC 9264) holds the same links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from live_gdcat import LiveGdcat
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from gdcat.store import record_iri

SCHEMA = "https://schema.org/"
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
RDF_FORMS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SIGNPOSTS = {"cite-as", "describedby", "type", "license", "item", "collection", "author"}


# -- RFC 8288 ------------------------------------------------------------------------------

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_PARAM = re.compile(rf"\s*;\s*({_TOKEN})\s*(?:=\s*({_TOKEN}|{_QUOTED}))?")
_TARGET = re.compile(r"\s*<([^>]*)>")
_SEPARATOR = re.compile(r"\s*,")


@dataclass(frozen=True)
class ParsedLink:
    target: str
    params: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    @property
    def rels(self) -> list[str]:
        return (self.param("rel") or "").split()


def parse_links(header: str) -> list[ParsedLink]:
    """A ``Link`` header by the grammar of RFC 8288 section 3 (``link-value`` =
    ``<URI-Reference> *( OWS ";" OWS link-param )``, values tokens or quoted strings, links
    separated by commas); anything else fails the test."""
    links = []
    position = 0
    while True:
        target = _TARGET.match(header, position)
        assert target, f"no <target> at {position}: {header[position : position + 60]!r}"
        position = target.end()
        params = []
        while (param := _PARAM.match(header, position)) is not None:
            name, value = param.group(1).lower(), param.group(2) or ""
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params.append((name, value))
            position = param.end()
        links.append(ParsedLink(target.group(1), tuple(params)))
        separator = _SEPARATOR.match(header, position)
        if separator is None:
            assert not header[position:].strip(), f"junk after a link: {header[position:]!r}"
            return links
        position = separator.end()


def signposts(links: list[ParsedLink]) -> set[tuple[str, str, str | None]]:
    """(relation, target, type) of every signposting link."""
    return {
        (rel, link.target, link.param("type"))
        for link in links
        for rel in link.rels
        if rel in SIGNPOSTS
    }


def targets(found: set[tuple[str, str, str | None]], rel: str) -> set[str]:
    return {target for r, target, _ in found if r == rel}


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


def page_of(live: LiveGdcat, dataset: str) -> str:
    return f"{live.url}/dataset/{record_iri(live.base, dataset).rsplit('/', 1)[1]}"


def record_of(live: LiveGdcat, dataset: str) -> Graph:
    graph = live.store.get_record(dataset)
    assert graph is not None, dataset
    return graph


def first_dataset(live: LiveGdcat, wanted: str) -> str:
    """The first stored dataset (by IRI) of a kind: ``download`` (a distribution with a
    download URL), ``access-only`` (distributions with access URLs only), ``release`` (in a
    series), ``series``."""
    for iri in sorted(live.store.list_records()):
        graph = record_of(live, iri)
        subject = URIRef(iri)
        dists = list(graph.objects(subject, DCAT.distribution))
        has_download = any((d, DCAT.downloadURL, None) in graph for d in dists)
        if wanted == "download" and has_download:
            return iri
        if wanted == "access-only" and dists and not has_download:
            return iri
        if wanted == "release" and (subject, IN_SERIES, None) in graph:
            return iri
        if wanted == "series" and (subject, None, DATASET_SERIES) in graph:
            return iri
    raise AssertionError(f"the demo federation has no {wanted} dataset")


def licences_in(graph: Graph, dataset: str) -> set[str]:
    subject = URIRef(dataset)
    own = {str(x) for x in graph.objects(subject, DCTERMS.license)}
    return own or {
        str(x)
        for d in graph.objects(subject, DCAT.distribution)
        for x in graph.objects(d, DCTERMS.license)
    }


# -- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["download", "access-only", "release", "series"])
def test_every_form_of_a_landing_page_carries_the_same_signposts(
    gdcat_server: LiveGdcat, client: httpx.Client, kind: str
) -> None:
    dataset = first_dataset(gdcat_server, kind)
    url = page_of(gdcat_server, dataset)
    seen = {}
    for accept in ("text/html", *RDF_FORMS):
        got = client.get(url, headers={"Accept": accept})
        assert got.status_code == 200, (accept, got.text[:200])
        seen[f"GET {accept}"] = signposts(parse_links(got.headers["link"]))
        head = client.head(url, headers={"Accept": accept})
        assert head.status_code == 200 and head.content == b""
        seen[f"HEAD {accept}"] = signposts(parse_links(head.headers["link"]))
        cached = client.get(url, headers={"Accept": accept, "If-None-Match": got.headers["etag"]})
        assert cached.status_code == 304
        seen[f"304 {accept}"] = signposts(parse_links(cached.headers["link"]))
    first = seen["GET text/html"]
    for where, found in seen.items():
        assert found == first, where
    # level 1: the relations every landing page has
    assert targets(first, "cite-as") == {dataset}
    assert targets(first, "type") == {SCHEMA + "Dataset", SCHEMA + "AboutPage"}
    assert {(target, media) for rel, target, media in first if rel == "describedby"} == {
        (f"{url}?format={name}", media)
        for media, name in (
            ("text/turtle", "ttl"),
            ("application/ld+json", "jsonld"),
            ("application/rdf+xml", "rdfxml"),
            ("application/n-triples", "nt"),
        )
    }
    assert f"{gdcat_server.url}/catalog/" in " ".join(targets(first, "collection"))


def test_each_link_says_what_the_record_says(gdcat_server: LiveGdcat, client: httpx.Client) -> None:
    for kind in ("download", "access-only", "release"):
        dataset = first_dataset(gdcat_server, kind)
        graph = record_of(gdcat_server, dataset)
        found = signposts(parse_links(client.get(page_of(gdcat_server, dataset)).headers["link"]))
        downloads = {
            str(u)
            for d in graph.objects(URIRef(dataset), DCAT.distribution)
            for u in graph.objects(d, DCAT.downloadURL)
        }
        access = {
            str(u)
            for d in graph.objects(URIRef(dataset), DCAT.distribution)
            for u in graph.objects(d, DCAT.accessURL)
        }
        assert targets(found, "item") == downloads, kind
        assert not (targets(found, "item") & (access - downloads)), "an access URL is no item"
        assert targets(found, "license") == licences_in(graph, dataset), kind
        assert licences_in(graph, dataset), f"the demo's {kind} dataset names a licence"
        creators = {str(c) for c in graph.objects(URIRef(dataset), DCTERMS.creator)}
        assert targets(found, "author") == creators
        if kind == "access-only":
            assert not targets(found, "item")
        if kind == "release":
            series = graph.value(URIRef(dataset), IN_SERIES)
            assert page_of(gdcat_server, str(series)) in targets(found, "collection")


def test_a_series_names_the_licences_of_its_releases(
    gdcat_server: LiveGdcat, client: httpx.Client
) -> None:
    series = first_dataset(gdcat_server, "series")
    graph = record_of(gdcat_server, series)
    assert not licences_in(graph, series), "the demo's series name no licence of their own"
    releases = [
        iri
        for iri in gdcat_server.store.list_records()
        if (URIRef(iri), IN_SERIES, URIRef(series)) in record_of(gdcat_server, iri)
    ]
    assert releases
    expected = set().union(*(licences_in(record_of(gdcat_server, r), r) for r in releases))
    found = signposts(parse_links(client.get(page_of(gdcat_server, series)).headers["link"]))
    assert targets(found, "license") == expected


def test_every_link_to_gdcat_dereferences(gdcat_server: LiveGdcat, client: httpx.Client) -> None:
    own = urlsplit(gdcat_server.url).netloc
    checked = 0
    for kind in ("download", "access-only", "release", "series"):
        dataset = first_dataset(gdcat_server, kind)
        answer = client.get(page_of(gdcat_server, dataset), headers={"Accept": "text/html"})
        for link in parse_links(answer.headers["link"]):
            if urlsplit(link.target).netloc != own:
                continue
            media = link.param("type") or "text/html"
            got = client.get(link.target, headers={"Accept": media})
            assert got.status_code == 200, (link, got.text[:200])
            assert got.headers["content-type"].split(";")[0] == media, link
            if "describedby" in link.rels:
                described = Graph().parse(data=got.content, format=RDF_FORMS[media])
                assert (URIRef(dataset), None, None) in described, link
            checked += 1
    assert checked >= 4 * 9


def test_the_link_set_holds_the_landing_pages_links(
    gdcat_server: LiveGdcat, client: httpx.Client
) -> None:
    dataset = first_dataset(gdcat_server, "download")
    url = page_of(gdcat_server, dataset)
    headers = parse_links(client.get(url).headers["link"])
    (linkset,) = {
        link.target
        for link in headers
        if "linkset" in link.rels and link.param("type") == "application/linkset+json"
    }
    got = client.get(linkset, headers={"Accept": "application/linkset+json"})
    assert got.status_code == 200
    assert got.headers["content-type"].split(";")[0] == "application/linkset+json"
    context, *others = got.json()["linkset"]
    assert context["anchor"] == url
    in_set = {
        (rel, target["href"], target.get("type"))
        for rel, values in context.items()
        if rel != "anchor"
        for target in values
    }
    assert in_set == signposts(headers)
    # level 2: each metadata resource describes the page, each item is in its collection
    back = {(o["anchor"], rel, o[rel][0]["href"]) for o in others for rel in o if rel != "anchor"}
    assert back == {(t, "describes", url) for t in targets(in_set, "describedby")} | {
        (t, "collection", url) for t in targets(in_set, "item")
    }
    # the native form: RFC 8288 links with anchors, the same links
    text = client.get(linkset, headers={"Accept": "application/linkset"})
    assert text.headers["content-type"].split(";")[0] == "application/linkset"
    native = parse_links(text.text)
    assert signposts([link for link in native if link.param("anchor") == url]) == signposts(headers)
    assert {
        (link.param("anchor"), link.rels[0], link.target)
        for link in native
        if link.param("anchor") != url
    } == back


def test_no_link_set_for_an_unknown_dataset(client: httpx.Client, gdcat_server: LiveGdcat) -> None:
    got = client.get(f"{gdcat_server.url}/dataset/{'0' * 24}/linkset")
    assert got.status_code == 404
    assert "no dataset has the key" in got.text


def test_describedby_names_the_application_profile_when_the_record_does() -> None:
    from gdcat.api.signposting import link_header, linkset_json
    from gdcat.api.signposting import signposts as make_signposts

    dataset = "https://example.org/dataset/1"
    graph = Graph()
    graph.add((URIRef(dataset), DCTERMS.title, URIRef("https://example.org/title")))
    page = "http://127.0.0.1:8000/dataset/abc"
    profile = "http://data.europa.eu/r5r/"
    links = make_signposts(
        graph, dataset, page_url=page, catalogue_url="http://127.0.0.1:8000/catalog/x",
        profile=profile,
    )  # fmt: skip
    parsed = parse_links(link_header(links))
    described = [link for link in parsed if "describedby" in link.rels]
    assert len(described) == 4 and {link.param("profile") for link in described} == {profile}
    context = linkset_json(page, links)["linkset"][0]
    assert {target["profile"] for target in context["describedby"]} == {profile}
