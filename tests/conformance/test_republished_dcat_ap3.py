"""What gdcat re-publishes conforms to the official DCAT-AP 3 shapes for a validator that does
no inference.

SEMIC's validator and most harvesters run the DCAT-AP 3 shapes on a document as it is: no
RDFS closure, no vocabularies loaded beside it. A document then conforms only if it states
what the shapes check: the class of each controlled term (``dct:format`` a
``dct:MediaTypeOrExtent``), its ``skos:inScheme`` and the scheme's title, and the class of
every dataset, series or service it links (``dcat:inSeries`` a ``dcat:DatasetSeries``). Each
kind of page gdcat serves (the FAIR Data Point root, every catalogue, the feed, landing pages of
series, releases and datasets, distribution pages) is validated here with pySHACL alone, the
shipped copies of the official shapes and ``inference="none"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import httpx
import pyshacl
import pytest
from live_gdcat import LiveGdcat
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, SH

from gdcat.paths import shapes_dir
from gdcat.store import record_iri
from gdcat.vocab import FDP

#: The official DCAT-AP 3.0.1 shapes: mandatory and recommended properties, ranges,
#: controlled vocabularies, deprecated IRIs.
OFFICIAL = (
    "shapes.ttl",
    "range.ttl",
    "mdr-vocabularies.shape.ttl",
    "shapes_recommended.ttl",
    "deprecateduris.ttl",
)
SERIES = URIRef(f"{DCAT}DatasetSeries")
IN_SERIES = URIRef(f"{DCAT}inSeries")
HYDRA_NEXT = URIRef("http://www.w3.org/ns/hydra/core#next")


@cache
def official_shapes() -> Graph:
    shapes = Graph()
    for name in OFFICIAL:
        shapes.parse(shapes_dir() / "dcat-ap-3" / name)
    return shapes


def violations(document: Graph) -> list[str]:
    """The DCAT-AP 3 violations pySHACL finds in ``document`` on its own, as text."""
    _, report, _ = pyshacl.validate(
        document, shacl_graph=official_shapes(), inference="none", allow_warnings=True
    )
    assert isinstance(report, Graph)
    out = []
    for result in report.objects(None, SH.result):  # not the sh:detail nested in a warning
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        out.append(
            f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
            f"{report.value(result, SH.resultMessage)}"
        )
    return sorted(out)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60, headers={"Accept": "text/turtle"}) as c:
        yield c


def fetched(client: httpx.Client, url: str) -> Graph:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.text[:300])
    return Graph().parse(data=answer.content, format="turtle")


@pytest.fixture(scope="module")
def feed(gdcat_server: LiveGdcat, client: httpx.Client) -> list[Graph]:
    pages = []
    url: str | None = gdcat_server.url + "/feed"
    while url:
        pages.append(fetched(client, url))
        following = list(pages[-1].objects(None, HYDRA_NEXT))
        url = str(following[0]) if following else None
    return pages


def test_the_fdp_root_and_every_catalogue_conform(
    gdcat_server: LiveGdcat, client: httpx.Client
) -> None:
    root = fetched(client, gdcat_server.url + "/")
    assert violations(root) == []
    catalogues = [str(c) for c in root.objects(None, FDP.metadataCatalog)]
    assert len(catalogues) >= 5
    for iri in catalogues:
        page = fetched(client, iri.replace(gdcat_server.base, gdcat_server.url + "/"))
        linked = set(page.objects(URIRef(iri), DCAT.dataset)) | set(
            page.objects(URIRef(iri), DCAT.service)
        )
        assert linked, iri
        assert violations(page) == [], iri


def test_every_page_of_the_feed_conforms(feed: list[Graph]) -> None:
    datasets = {s for page in feed for s in page.subjects(RDF.type, DCAT.Dataset)}
    assert len(datasets) >= 90
    for page in feed:
        assert violations(page) == []


def test_landing_pages_of_series_releases_and_datasets_conform(
    gdcat_server: LiveGdcat, client: httpx.Client, feed: list[Graph]
) -> None:
    series = sorted({s for page in feed for s in page.subjects(RDF.type, SERIES)})
    releases = sorted({s for page in feed for s in page.subjects(IN_SERIES, None)})
    linked = sorted({s for page in feed for s in page.subjects(URIRef(f"{DCAT}source"), None)})
    others = sorted({s for page in feed for s in page.subjects(RDF.type, DCAT.Dataset)})
    assert series and releases
    chosen = dict.fromkeys([*series, *releases[:6], *linked[:3], *others[::10]])
    distributions = 0
    for dataset in chosen:
        key = record_iri(gdcat_server.base, str(dataset)).rsplit("/", 1)[1]
        page = fetched(client, f"{gdcat_server.url}/dataset/{key}")
        assert violations(page) == [], dataset
        if (dataset, IN_SERIES, None) in page:  # the series a release names is typed
            for s in page.objects(dataset, IN_SERIES):
                assert (s, RDF.type, SERIES) in page
        for distribution in list(page.objects(dataset, DCAT.distribution))[:1]:
            if isinstance(distribution, URIRef):
                listing = fetched(client, f"{gdcat_server.url}/dataset/{key}/distribution/")
                assert violations(listing) == [], (dataset, distribution)
                distributions += 1
    assert distributions >= 5
