"""The schema.org ``Dataset`` JSON-LD of every landing page of the harvested demo federation
(``gdcat_server``): it parses with gdcat's own JSON-LD parser (the schema.org vocabulary given
inline, nothing fetched), it has the fields of Google's Dataset rich result where the record has
them and only what the record says (no access page called a download, no publisher called a
creator), the sequencing type is a ``measurementTechnique`` with its label and IRI, series and
releases name each other, and every link to gdcat dereferences."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from live_gdcat import LiveGdcat
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

from gdcat.errors import ForbiddenNetworkAccessError
from gdcat.rdf.parse import parse_bytes
from gdcat.store import record_iri
from gdcat.validate.background import vocabulary_index

SCHEMA = "https://schema.org/"
GDCAT = "https://w3id.org/gdcat/ns#"
HEALTH = "http://healthdataportal.eu/ns/health#"
IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")
SEQUENCING_TYPE = URIRef(GDCAT + "sequencingType")
VARIABLES = (URIRef(GDCAT + "phenotype"), URIRef("https://w3id.org/dpv#hasPersonalData"))
COUNTS = {
    "individuals": URIRef(HEALTH + "numberOfUniqueIndividuals"),
    "genomes": URIRef(GDCAT + "numberOfGenomes"),
    "exomes": URIRef(GDCAT + "numberOfExomes"),
    "samples": URIRef(GDCAT + "numberOfSamples"),
    "records": URIRef(HEALTH + "numberOfRecords"),
}

#: Google's Dataset rich result: required and recommended properties
#: (https://developers.google.com/search/docs/appearance/structured-data/dataset), and the
#: other schema.org Dataset (CreativeWork, Thing) properties gdcat writes.
GOOGLE_REQUIRED = {"name", "description"}
GOOGLE_RECOMMENDED = {
    "alternateName", "creator", "citation", "funder", "hasPart", "isAccessibleForFree",
    "isBasedOn", "identifier", "isPartOf", "keywords", "license", "measurementTechnique",
    "sameAs", "spatialCoverage", "temporalCoverage", "variableMeasured", "version", "url",
    "includedInDataCatalog", "distribution",
}  # fmt: skip
OTHER_SCHEMA_PROPERTIES = {
    "publisher", "datePublished", "dateModified", "usageInfo", "conditionsOfAccess",
}  # fmt: skip
KEYWORDS = {"@context", "@type", "@id"}


@dataclass(frozen=True)
class Landing:
    dataset: str
    url: str
    record: Graph
    doc: dict[str, Any]

    @property
    def subject(self) -> URIRef:
        return URIRef(self.dataset)


def json_ld_of(html: str) -> dict[str, Any]:
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    doc = json.loads(script)
    assert isinstance(doc, dict)
    return doc


@pytest.fixture(scope="module")
def landings(gdcat_server: LiveGdcat) -> dict[str, Landing]:
    """Every stored dataset and series: its landing page's JSON-LD and its record."""
    out = {}
    with httpx.Client(timeout=60) as client:
        for dataset in sorted(gdcat_server.store.list_records()):
            record = gdcat_server.store.get_record(dataset)
            assert record is not None
            subject = URIRef(dataset)
            if (subject, RDF.type, DCAT.Dataset) not in record and (
                subject,
                RDF.type,
                DATASET_SERIES,
            ) not in record:
                continue
            key = record_iri(gdcat_server.base, dataset).rsplit("/", 1)[1]
            url = f"{gdcat_server.url}/dataset/{key}"
            page = client.get(url, headers={"Accept": "text/html"})
            assert page.status_code == 200, dataset
            out[dataset] = Landing(dataset, url, record, json_ld_of(page.text))
    assert len(out) >= 90
    return out


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def with_inline_vocabulary(doc: dict[str, Any]) -> bytes:
    return json.dumps({**doc, "@context": {"@vocab": SCHEMA}}).encode()


def downloads_of(graph: Graph, dataset: URIRef) -> set[str]:
    return {
        str(u)
        for d in graph.objects(dataset, DCAT.distribution)
        for u in graph.objects(d, DCAT.downloadURL)
    }


def access_urls_of(graph: Graph, dataset: URIRef) -> set[str]:
    return {
        str(u)
        for d in graph.objects(dataset, DCAT.distribution)
        for u in graph.objects(d, DCAT.accessURL)
    }


def licences_of(graph: Graph, dataset: URIRef) -> set[str]:
    own = {str(x) for x in graph.objects(dataset, DCTERMS.license)}
    return own or {
        str(x)
        for d in graph.objects(dataset, DCAT.distribution)
        for x in graph.objects(d, DCTERMS.license)
    }


def licence_ids(value: Any) -> set[str]:
    """The licence IRIs of a ``license`` value (licences are ``CreativeWork`` nodes)."""
    out = set()
    for licence in as_list(value):
        assert licence["@type"] == "CreativeWork" and licence["url"].startswith("http")
        out.add(licence["@id"])
    return out


def content_urls(node: Any) -> Iterator[str]:
    """Every ``contentUrl`` anywhere in a JSON-LD tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "contentUrl":
                yield value
            yield from content_urls(value)
    elif isinstance(node, list):
        for item in node:
            yield from content_urls(item)


def test_the_json_ld_parses_with_gdcats_parser_given_the_vocabulary_inline(
    landings: dict[str, Landing],
) -> None:
    schema = URIRef(SCHEMA + "Dataset")
    for landing in landings.values():
        graph = parse_bytes(with_inline_vocabulary(landing.doc), "json-ld", source=landing.url)
        assert (landing.subject, RDF.type, schema) in graph, landing.dataset
        assert (landing.subject, URIRef(SCHEMA + "url"), None) in graph
        name = graph.value(landing.subject, URIRef(SCHEMA + "name"))
        titles = {str(t) for t in landing.record.objects(landing.subject, DCTERMS.title)}
        assert str(name) in titles
    # as served, the document names schema.org's remote context, which gdcat never fetches
    with pytest.raises(ForbiddenNetworkAccessError):
        parse_bytes(json.dumps(next(iter(landings.values())).doc).encode(), "json-ld")


def test_google_dataset_fields_where_the_record_has_them_and_nothing_else(
    landings: dict[str, Landing],
) -> None:
    allowed = GOOGLE_REQUIRED | GOOGLE_RECOMMENDED | OTHER_SCHEMA_PROPERTIES | KEYWORDS
    for landing in landings.values():
        doc, record, subject = landing.doc, landing.record, landing.subject
        assert set(doc) <= allowed, (landing.dataset, set(doc) - allowed)
        assert doc["@type"] == "Dataset" and doc["@id"] == landing.dataset
        assert doc["url"] == landing.url
        # required: a name, and a description of 50 to 5,000 characters
        assert doc["name"] and not doc["name"].startswith("http")
        descriptions = [str(d) for d in record.objects(subject, DCTERMS.description)]
        assert any(len(d) >= 50 for d in descriptions), "the demo's descriptions are long"
        assert doc["description"] in descriptions
        assert 50 <= len(doc["description"]) <= 5000, landing.dataset
        # recommended, from the record
        identifiers = {str(i) for i in record.objects(subject, DCTERMS.identifier)}
        assert set(doc["identifier"]) == identifiers | {landing.dataset}
        keywords = {str(k) for k in record.objects(subject, DCAT.keyword)}
        assert set(as_list(doc.get("keywords"))) == keywords
        places = as_list(doc.get("spatialCoverage"))
        assert {p["@id"] for p in places} == {
            str(p) for p in record.objects(subject, DCTERMS.spatial)
        }
        assert all(p["@type"] == "Place" and not p["name"].startswith("http") for p in places)
        modified = record.value(subject, DCTERMS.modified)
        assert doc.get("dateModified") == (str(modified) if modified is not None else None)
        # agents: organisations with a name and an identifier; no creator the record lacks
        for key, predicate in (("publisher", DCTERMS.publisher), ("creator", DCTERMS.creator)):
            agents = as_list(doc.get(key))
            assert {a["identifier"] for a in agents} == {
                str(a) for a in record.objects(subject, predicate)
            }, (landing.dataset, key)
            for agent in agents:
                assert agent["@type"] in ("Organization", "Person")
                assert agent["name"] and not agent["name"].startswith("http")
        catalogue = doc["includedInDataCatalog"]
        assert catalogue["@type"] == "DataCatalog" and catalogue["name"]
        for download in as_list(doc.get("distribution")):
            assert download["@type"] == "DataDownload"
            assert download["contentUrl"] and download["encodingFormat"]


def test_content_url_only_for_download_urls(landings: dict[str, Landing]) -> None:
    access_only = 0
    for landing in landings.values():
        subject, record = landing.subject, landing.record
        own = set(content_urls(as_list(landing.doc.get("distribution"))))
        assert own == downloads_of(record, subject), landing.dataset
        access = access_urls_of(record, subject) - downloads_of(record, subject)
        assert not (set(content_urls(landing.doc)) & access), landing.dataset
        if access and not downloads_of(record, subject):
            access_only += 1
            assert "distribution" not in landing.doc
            assert "contentUrl" not in json.dumps(landing.doc)
            usage = {u["url"] for u in as_list(landing.doc.get("usageInfo"))}
            assert usage == access, landing.dataset
    assert access_only >= 10, "the demo has datasets reached through access URLs only"


def test_the_sequencing_type_is_the_measurement_technique(
    landings: dict[str, Landing],
) -> None:
    index = vocabulary_index()
    seen = set()
    for landing in landings.values():
        types = {str(t) for t in landing.record.objects(landing.subject, SEQUENCING_TYPE)}
        terms = as_list(landing.doc.get("measurementTechnique"))
        assert {t["@id"] for t in terms} == types, landing.dataset
        for term in terms:
            facts = index.by_subject[URIRef(term["@id"])]
            label = next(str(o) for _, p, o in facts if p == SKOS.prefLabel)
            exact = {str(o) for _, p, o in facts if p == SKOS.exactMatch}
            assert term["@type"] == "DefinedTerm"
            assert term["name"] == label
            assert term["termCode"] == term["@id"].rsplit("/", 1)[1]
            assert term["inDefinedTermSet"] == term["@id"].rsplit("/", 1)[0]
            assert set(as_list(term.get("sameAs"))) == exact
            seen.add(term["@id"].rsplit("/", 1)[1])
    assert {"WGS", "WES"} <= seen


def test_series_and_releases_name_each_other(
    landings: dict[str, Landing], client: httpx.Client
) -> None:
    series = [x for x in landings.values() if (x.subject, RDF.type, DATASET_SERIES) in x.record]
    assert series
    for landing in series:
        releases = {
            other.dataset: other
            for other in landings.values()
            if (other.subject, IN_SERIES, landing.subject) in other.record
        }
        parts = {part["@id"]: part for part in landing.doc["hasPart"]}
        assert set(parts) == set(releases), landing.dataset
        expected = set().union(*(licences_of(r.record, r.subject) for r in releases.values()))
        assert expected and licence_ids(landing.doc["license"]) == expected
        for iri, part in parts.items():
            release = releases[iri]
            assert part["@type"] == "Dataset" and part["url"] == release.url
            assert part["name"] == release.doc["name"]
            assert part["description"] == release.doc["description"]
            assert licence_ids(part.get("license")) == licences_of(release.record, release.subject)
            assert set(content_urls(part)) == downloads_of(release.record, release.subject)
            assert client.get(part["url"], headers={"Accept": "text/html"}).status_code == 200
            (of,) = as_list(release.doc["isPartOf"])
            assert of["@id"] == landing.dataset and of["url"] == landing.url
            assert of["name"] == landing.doc["name"]


def test_variables_and_licences_are_what_the_record_says(landings: dict[str, Landing]) -> None:
    with_terms = with_counts = 0
    cc_by = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    for landing in landings.values():
        subject, record = landing.subject, landing.record
        variables = as_list(landing.doc.get("variableMeasured"))
        assert all(v["@type"] == "PropertyValue" and v["name"] for v in variables)
        terms = {str(v) for p in VARIABLES for v in record.objects(subject, p)}
        assert {v["propertyID"] for v in variables if "value" not in v} == terms, landing.dataset
        counts = {
            str(predicate): int(value)
            for predicate in COUNTS.values()
            for value in record.objects(subject, predicate)
            if isinstance(value, Literal)
        }
        assert {v["propertyID"]: v["value"] for v in variables if "value" in v} == counts
        with_terms += bool(terms)
        with_counts += bool(counts)
        # licences: the record's (its distributions'), named, with the licence's own address
        licences = as_list(landing.doc.get("license"))
        if (subject, RDF.type, DATASET_SERIES) not in record:
            assert licence_ids(licences) == licences_of(record, subject), landing.dataset
        for licence in licences:
            if licence["@id"] == cc_by:
                assert licence["url"] == "http://creativecommons.org/licenses/by/4.0/"
                assert licence["name"] == "Creative Commons Attribution 4.0 International"
        # access: the access right, then the rights statements in words
        rights = {str(r) for r in record.objects(subject, DCTERMS.accessRights)}
        conditions = as_list(landing.doc.get("conditionsOfAccess"))
        assert set(conditions[: len(rights)]) == rights
    assert with_terms >= 10 and with_counts >= 10


def test_the_catalogue_and_every_link_to_gdcat_dereference(
    landings: dict[str, Landing], client: httpx.Client, gdcat_server: LiveGdcat
) -> None:
    urls = set()
    for landing in landings.values():
        catalogue = landing.doc["includedInDataCatalog"]
        assert catalogue["@id"].startswith(f"{gdcat_server.base}catalog/")
        urls.add(catalogue["url"])
        for node in as_list(landing.doc.get("hasPart")) + as_list(landing.doc.get("isPartOf")):
            urls.add(node["url"])
    assert len(urls) >= 5
    for url in sorted(urls):
        assert url.startswith(gdcat_server.url)
        assert client.get(url, headers={"Accept": "text/html"}).status_code == 200, url


def test_a_data_service_is_a_web_api(gdcat_server: LiveGdcat, client: httpx.Client) -> None:
    services = []
    for iri in sorted(gdcat_server.store.list_records()):
        record = gdcat_server.store.get_record(iri)
        assert record is not None
        kinds = set(record.objects(URIRef(iri), RDF.type))
        if DCAT.DataService in kinds and not kinds & {DCAT.Dataset, DATASET_SERIES}:
            services.append((iri, record))
    assert services, "the demo's Beacons are data services"
    for iri, record in services:
        key = record_iri(gdcat_server.base, iri).rsplit("/", 1)[1]
        page = client.get(f"{gdcat_server.url}/dataset/{key}", headers={"Accept": "text/html"})
        assert page.status_code == 200
        doc = json_ld_of(page.text)
        assert doc["@type"] == "WebAPI" and doc["@id"] == iri
        assert not {"distribution", "includedInDataCatalog", "measurementTechnique"} & set(doc)
        subject = URIRef(iri)
        endpoints = {str(e) for e in record.objects(subject, DCAT.endpointURL)}
        channels = as_list(doc.get("availableChannel"))
        assert {c["serviceUrl"] for c in channels} == endpoints
        described = {str(e) for e in record.objects(subject, DCAT.endpointDescription)}
        assert set(as_list(doc.get("documentation"))) == described
        assert {p["identifier"] for p in as_list(doc.get("provider"))} == {
            str(p) for p in record.objects(subject, DCTERMS.publisher)
        }
        graph = parse_bytes(with_inline_vocabulary(doc), "json-ld", source=iri)
        assert (subject, RDF.type, URIRef(SCHEMA + "WebAPI")) in graph
        assert f'<{SCHEMA}WebAPI>; rel="type"' in page.headers["link"]
        assert f'<{SCHEMA}Dataset>; rel="type"' not in page.headers["link"]


@pytest.mark.parametrize(
    ("descriptions", "expected"),
    [
        # the English one is too short for search engines: the long Dutch one is given
        ((("Exomes.", "en"), ("Exomen van patiënten met zeldzame ziekten, 2018–2019. " * 2, "nl")),
         "Exomen van patiënten met zeldzame ziekten, 2018–2019. " * 2),
        # too long: cut at 5,000 characters, with an ellipsis
        ((("x" * 6000, "en"),), "x" * 4999 + "…"),
        # short everywhere: the preferred one, as the record says it
        ((("Exomes.", "en"), ("Exomen.", "nl")), "Exomes."),
    ],
)  # fmt: skip
def test_the_description_search_engines_take(
    descriptions: tuple[tuple[str, str], ...], expected: str
) -> None:
    from gdcat.ui.pages import CatalogueRef, schema_org

    dataset = URIRef("https://example.org/dataset/1")
    graph = Graph()
    graph.add((dataset, RDF.type, DCAT.Dataset))
    for text, lang in descriptions:
        graph.add((dataset, DCTERMS.description, Literal(text, lang=lang)))
    doc = schema_org(
        graph,
        dataset,
        page_url="http://127.0.0.1:8000/dataset/abc",
        catalogue=CatalogueRef(
            "a catalogue", "http://127.0.0.1:8000/catalog/x", "http://127.0.0.1:8000/catalog/x"
        ),
    )
    assert doc["description"] == expected
