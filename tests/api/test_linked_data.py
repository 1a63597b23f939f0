"""Every IRI gdcat mints dereferences: datasets, catalogue records, harvest runs.

Against the live demo federation (``gdcat_server``): every harvested dataset in every RDF form,
each form the same graph, the record in it the one stored and still valid against its profile;
landing pages readable and carrying schema.org JSON-LD; errors as problems.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import httpx
import pytest
from live_gdcat import LiveGdcat
from published_layer import record_part as published_part
from published_layer import with_linked
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from gdcat.store import CatalogRecord, record_iri
from gdcat.validate import Validator
from gdcat.vocab import FDP

HEALTH = "http://healthdataportal.eu/ns/health#"
FOAF = "http://xmlns.com/foaf/0.1/"

#: Each RDF form: media type, ``?format=`` name, rdflib parser.
FORMS = (
    ("text/turtle", "ttl", "turtle"),
    ("application/ld+json", "jsonld", "json-ld"),
    ("application/rdf+xml", "rdfxml", "xml"),
    ("application/n-triples", "nt", "nt"),
)


def key_of(live: LiveGdcat, dataset: str) -> str:
    return record_iri(live.base, dataset).rsplit("/", 1)[1]


TURTLE = {"Accept": "text/turtle"}


def parse(body: bytes, parser: str) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=parser)
    return graph


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def records(gdcat_server: LiveGdcat) -> dict[str, CatalogRecord]:
    """Every stored record's catalogue record, by dataset IRI."""
    out = {}
    for iri in gdcat_server.store.list_records():
        record = gdcat_server.store.catalog_record(iri)
        assert record is not None
        out[iri] = record
    assert len(out) >= 90
    return out


@pytest.fixture(scope="module")
def pages(
    gdcat_server: LiveGdcat, client: httpx.Client, records: dict[str, CatalogRecord]
) -> dict[str, dict[str, Graph]]:
    """Every dataset's page in every RDF form (asked for with ``Accept``), by dataset and form."""
    out: dict[str, dict[str, Graph]] = {}
    for dataset in records:
        url = f"{gdcat_server.url}/dataset/{key_of(gdcat_server, dataset)}"
        forms = {}
        for media, _, parser in FORMS:
            r = client.get(url, headers={"Accept": media})
            assert r.status_code == 200, (dataset, media, r.text[:300])
            assert r.headers["content-type"].split(";")[0] == media
            forms[media] = parse(r.content, parser)
        out[dataset] = forms
    return out


def test_every_dataset_dereferences_in_every_rdf_form_as_one_graph(
    pages: dict[str, dict[str, Graph]],
) -> None:
    for dataset, forms in pages.items():
        turtle = forms["text/turtle"]
        assert (URIRef(dataset), None, None) in turtle, dataset
        for media, graph in forms.items():
            assert isomorphic(graph, turtle), (dataset, media)


def test_each_page_holds_the_record_as_stored_and_only_the_fdp_layer_besides(
    gdcat_server: LiveGdcat, pages: dict[str, dict[str, Graph]]
) -> None:
    for dataset, forms in pages.items():
        stored = gdcat_server.store.get_record(dataset)
        assert stored is not None
        expected = with_linked(stored, dataset, gdcat_server.store)
        record_part = published_part(forms["application/n-triples"], expected, gdcat_server.url)
        assert isomorphic(record_part, expected), dataset
        if (URIRef(dataset), RDF.type, URIRef(f"{DCAT}DatasetSeries")) in stored:
            # a series is published as a dataset too, for ckanext-dcat and other clients
            # that read only what is written
            assert (URIRef(dataset), RDF.type, DCAT.Dataset) in forms["text/turtle"]
        # the layer: the catalogue record's dates, as FDP metadata
        issued = forms["text/turtle"].value(URIRef(dataset), FDP.metadataIssued)
        assert isinstance(issued, Literal) and issued.toPython().year >= 2000


def test_each_page_validates_against_its_profile_as_the_stored_record_did(
    pages: dict[str, dict[str, Graph]],
    records: dict[str, CatalogRecord],
    validator: Callable[[str], Validator],
) -> None:
    by_profile: dict[str, list[str]] = defaultdict(list)
    for dataset, record in records.items():
        by_profile[record.meta.profile].append(dataset)
    checked = 0
    for profile, datasets in sorted(by_profile.items()):
        reports = validator(profile).validate_many([pages[d]["text/turtle"] for d in datasets])
        for dataset, report in zip(datasets, reports, strict=True):
            # the other records' datasets a page links are typed and named on it (for the
            # DCAT-AP range checks), described in full on their own pages, judged there
            linked = set(records) - {dataset}
            own = [
                r for r in report.results if r.focus_node not in linked and r.dataset not in linked
            ]
            violations = [r for r in own if r.severity == "Violation"]
            outcome = records[dataset].meta.outcome
            if outcome == "violations":  # stored anyway, by the node's "accept" policy
                assert violations, dataset
            else:
                assert not violations, (dataset, profile, report.to_text()[:2000])
                assert outcome == ("warnings" if own else "conforms"), dataset
            checked += 1
    assert checked == len(records)


def test_format_parameter_and_accept_header_give_the_same_answer(
    gdcat_server: LiveGdcat, client: httpx.Client, records: dict[str, CatalogRecord]
) -> None:
    dataset = sorted(records)[5]
    url = f"{gdcat_server.url}/dataset/{key_of(gdcat_server, dataset)}"
    for media, name, _ in FORMS:
        by_accept = client.get(url, headers={"Accept": media})
        by_format = client.get(url, params={"format": name}, headers={"Accept": "text/html"})
        assert by_format.status_code == 200
        assert by_format.headers["content-type"].split(";")[0] == media
        assert by_format.content == by_accept.content, media
    html = client.get(url, params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    # a client that does not mind gets Turtle; a browser gets the landing page
    assert client.get(url).headers["content-type"].startswith("text/turtle")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client.get(url, headers={"Accept": browser}).headers["content-type"].startswith("text/html")
    )


class _Page(HTMLParser):
    """What a test reads in an HTML page: its JSON-LD scripts, text, links and lang attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self.langs: set[str] = set()
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            assert found.get("type") == "application/ld+json", "pages carry no JavaScript"
            self._script = []
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if found.get("lang"):
            self.langs.add(found["lang"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        else:
            self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def read_page(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


def test_landing_pages_show_every_field_and_carry_schema_org_json_ld(
    gdcat_server: LiveGdcat,
    client: httpx.Client,
    pages: dict[str, dict[str, Graph]],
) -> None:
    checked = 0
    for dataset, forms in sorted(pages.items()):
        graph = forms["text/turtle"]
        if (URIRef(dataset), RDF.type, DCAT.Dataset) not in graph:
            continue
        key = key_of(gdcat_server, dataset)
        r = client.get(f"{gdcat_server.url}/dataset/{key}", headers={"Accept": "text/html"})
        assert r.status_code == 200
        page = read_page(r.text)
        words = page.words
        # titles and descriptions in each of their languages, marked with the language
        for predicate in (DCTERMS.title, DCTERMS.description):
            for literal in graph.objects(URIRef(dataset), predicate):
                assert " ".join(str(literal).split()) in words, (dataset, literal)
                if isinstance(literal, Literal) and literal.language:
                    assert literal.language in page.langs
        for keyword in graph.objects(URIRef(dataset), DCAT.keyword):
            assert str(keyword) in words
        for count in graph.objects(URIRef(dataset), URIRef(f"{HEALTH}numberOfUniqueIndividuals")):
            assert str(count) in words
        for distribution in graph.objects(URIRef(dataset), DCAT.distribution):
            title = graph.value(distribution, DCTERMS.title)
            if title is not None:
                assert str(title) in words
        publisher = graph.value(URIRef(dataset), DCTERMS.publisher)
        names = [str(n) for n in graph.objects(publisher, URIRef(f"{FOAF}name"))]
        assert any(n in words for n in names), (dataset, names)
        # links to each RDF form of the page
        for _, name, _ in FORMS:
            assert any(link.endswith(f"?format={name}") for link in page.links)
        # schema.org JSON-LD: parses, names the dataset and points back to the page
        (script,) = page.scripts
        doc = json.loads(script)
        assert doc["@type"] == "Dataset" and doc["@id"] == dataset
        assert doc["url"] == f"{gdcat_server.url}/dataset/{key}"
        as_rdf = Graph().parse(
            data=json.dumps({**doc, "@context": {"@vocab": "https://schema.org/"}}),
            format="json-ld",
        )
        name = as_rdf.value(URIRef(dataset), URIRef("https://schema.org/name"))
        assert name is not None and str(name) in {
            str(t) for t in graph.objects(URIRef(dataset), DCTERMS.title)
        }
        assert doc["includedInDataCatalog"]["@type"] == "DataCatalog"
        assert isinstance(doc["isAccessibleForFree"], bool)
        assert all(d["@type"] == "DataDownload" for d in doc.get("distribution", []))
        checked += 1
    assert checked >= 80


def test_catalogue_records_dereference_and_link_their_dataset(
    gdcat_server: LiveGdcat, client: httpx.Client, records: dict[str, CatalogRecord]
) -> None:
    for dataset, record in sorted(records.items())[:10]:
        r = client.get(record.iri.replace(gdcat_server.base, gdcat_server.url + "/"))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
        graph = parse(r.content, "turtle")
        assert graph.value(URIRef(record.iri), URIRef(f"{FOAF}primaryTopic")) == URIRef(dataset)
        assert (URIRef(record.iri), RDF.type, DCAT.CatalogRecord) in graph
        page = read_page(client.get(record.iri, headers={"Accept": "text/html"}).text)
        assert f"{gdcat_server.url}/dataset/{key_of(gdcat_server, dataset)}" in page.links


def test_a_harvest_run_dereferences_with_its_report(
    gdcat_server: LiveGdcat, client: httpx.Client
) -> None:
    assert gdcat_server.report is not None
    run = gdcat_server.report.run
    graph = parse(client.get(run, headers={"Accept": "text/turtle"}).content, "turtle")
    assert (URIRef(run), URIRef("https://w3id.org/gdcat/ns#status"), Literal("complete")) in graph
    nodes = set(graph.objects(URIRef(run), URIRef("https://w3id.org/gdcat/ns#nodeHarvest")))
    assert len(nodes) == len(gdcat_server.report.nodes)
    page = read_page(client.get(run, headers={"Accept": "text/html"}).text)
    rejected = [r for n in gdcat_server.report.nodes for r in n.rejected]
    assert rejected, "the demo rejects some records on purpose"
    for rejection in rejected:
        assert rejection.dataset in page.words
        assert rejection.reasons[0].message.split("`")[0].strip() in page.words


def test_a_harvested_iri_is_redirected_to_its_page(
    gdcat_server: LiveGdcat, client: httpx.Client, pages: dict[str, dict[str, Graph]]
) -> None:
    dataset = next(
        d
        for d, f in sorted(pages.items())
        if (URIRef(d), DCAT.distribution, None) in f["text/turtle"]
    )
    key = key_of(gdcat_server, dataset)
    r = client.get(f"{gdcat_server.url}/resource", params={"iri": dataset})
    assert r.status_code == 303
    assert r.headers["location"] == f"{gdcat_server.url}/dataset/{key}"
    distribution = pages[dataset]["text/turtle"].value(URIRef(dataset), DCAT.distribution)
    r = client.get(f"{gdcat_server.url}/resource", params={"iri": str(distribution)})
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"{gdcat_server.url}/dataset/{key}/distribution/")
    followed = client.get(r.headers["location"], headers={"Accept": "text/turtle"})
    assert (distribution, RDF.type, DCAT.Distribution) in parse(followed.content, "turtle")
    missing = client.get(f"{gdcat_server.url}/resource", params={"iri": "https://example.org/x"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_unknown_keys_are_404_problems_and_unoffered_forms_406(
    gdcat_server: LiveGdcat, client: httpx.Client, records: dict[str, CatalogRecord]
) -> None:
    for path in ("/dataset/", "/record/"):
        r = client.get(f"{gdcat_server.url}{path}{'0' * 24}")
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 404 and "0" * 24 in r.json()["detail"]
    bad_key = client.get(f"{gdcat_server.url}/dataset/not-a-key")
    assert bad_key.status_code == 422
    assert client.get(f"{gdcat_server.url}/run/20000101T000000Z-00000000").status_code == 404
    url = f"{gdcat_server.url}/dataset/{key_of(gdcat_server, sorted(records)[0])}"
    r = client.get(url, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["title"] == "Not acceptable"
    assert "text/turtle" in r.json()["detail"]
    assert client.get(url, params={"format": "trig"}).status_code == 406  # RDF, not offered
    assert client.get(url, params={"format": "docx"}).status_code == 400  # not a format


def test_every_iri_gdcat_minted_in_the_store_dereferences(
    gdcat_server: LiveGdcat, client: httpx.Client
) -> None:
    """Graph names, subjects and objects under the base IRI (fragments aside): records, runs,
    the provenance graph, each node's harvest bookkeeping graph."""
    base = gdcat_server.base
    found = gdcat_server.store.query(
        "SELECT DISTINCT ?x WHERE { { GRAPH ?x { ?s ?p ?o } } UNION { GRAPH ?g { ?x ?p ?o } } "
        f'UNION {{ GRAPH ?g {{ ?s ?p ?x }} }} FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{base}")) }}',
        union_default_graph=False,
    )
    minted = sorted({str(row[0].value).split("#")[0] for row in found.rows if row[0]})
    kinds = {iri[len(base) :].split("/")[0] for iri in minted}
    assert {"record", "run", "graph"} <= kinds
    for iri in minted:
        answer = client.get(iri.replace(base, gdcat_server.url + "/"), headers=TURTLE)
        assert answer.status_code == 200, iri
        assert (URIRef(iri), None, None) in parse(answer.content, "turtle"), iri
    assert client.get(f"{gdcat_server.url}/graph/harvest/no-such-node").status_code == 404
    assert client.get(f"{gdcat_server.url}/audit/00000000-nothing").status_code == 404


def test_a_client_that_has_the_page_gets_304(
    gdcat_server: LiveGdcat, client: httpx.Client, records: dict[str, CatalogRecord]
) -> None:
    url = f"{gdcat_server.url}/dataset/{key_of(gdcat_server, sorted(records)[3])}"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other_form = client.get(
        url, headers={"Accept": "application/ld+json", "If-None-Match": first.headers["etag"]}
    )
    assert other_form.status_code == 200
    assert re.match(r'^"[0-9a-f]{32}(-gz)?"$', first.headers["etag"])  # -gz: compressed
