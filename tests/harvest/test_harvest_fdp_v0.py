"""FAIR Data Points of the first generation, and nodes that yield nothing.

The FAIR Data Point reference implementation's early root is an ``ldp:Container`` listing its
catalogues with ``ldp:contains`` (no ``fdp:metadataCatalog``, no ``ldp:membershipResource``).
Its real metadata (tests/data/fdp-v0, see SOURCES.md there) is served on 127.0.0.1 at the
paths of its IRIs and harvested by a real harvester into a real store.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from local_http import loopback_server, serving
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS

from gdcat.harvest import Harvester, parse_registry
from gdcat.harvest.report import NodeReport
from gdcat.settings import Settings
from gdcat.store import OxigraphStore

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fdp-v0"
PUBLISHED = "http://semlab1.liacs.nl:8080/"
DISGENET = f"{PUBLISHED}fdp/textmining/gene-disease-association_disgenet"
LUMC = f"{PUBLISHED}fdp/textmining/gene-disease-association_lumc"
#: path on the server -> fixture file (the paths of the resources' IRIs)
PAGES = {
    "/fdp": "dtl-fdp.ttl",
    "/fdp/textmining": "textmining-catalog.ttl",
    "/fdp/textmining/gene-disease-association_disgenet": "disgenet.ttl",
    "/fdp/textmining/gene-disease-association_disgenet/html": "disgenet-html-page.ttl",
    "/fdp/textmining/gene-disease-association_disgenet/textfile-gzip": (
        "disgenet-textfile-gzip.ttl"
    ),
    "/fdp/textmining/gene-disease-association_disgenet/nanopubs-gzip": (
        "disgenet-nanopubs-gzip.ttl"
    ),
    "/fdp/textmining/gene-disease-association_lumc": "gda-lumc.ttl",
}
EMPTY_ROOT = b"""@prefix ldp: <http://www.w3.org/ns/ldp#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://semlab1.liacs.nl:8080/empty> a ldp:Container ; dct:title "An FDP with nothing yet"@en .
"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/empty":
            body = EMPTY_ROOT
        elif path in PAGES:
            body = (FIXTURES / PAGES[path]).read_bytes()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fdp() -> Iterator[str]:
    with serving(loopback_server(_Handler)) as url:
        yield url


def _harvest(url: str, path: str) -> tuple[NodeReport, OxigraphStore]:
    registry = parse_registry(
        f"""
[[node]]
id = "dtl"
country = "NLD"
kind = "fdp"
url = "{url}{path}"
published_base = "{PUBLISHED}"
policy = "accept"
private = true
"""
    )
    store = OxigraphStore(None, "http://127.0.0.1:8000/")
    with Harvester(store, Settings(validation_workers=1)) as harvester:
        report = harvester.run(registry)
    return report.nodes[0], store


def test_a_first_generation_fdp_root_is_crawled_through_ldp_contains(fdp: str) -> None:
    report, store = _harvest(fdp, "/fdp")
    assert report.status == "complete", report.reasons
    assert report.failures == []
    assert sorted(report.added) == [DISGENET, LUMC]
    assert report.warnings == []
    disgenet = store.get_record(DISGENET)
    assert disgenet is not None
    # the dataset's page merged with its three distribution pages
    distributions = set(disgenet.objects(URIRef(DISGENET), DCAT.distribution))
    assert {str(d).rsplit("/", 1)[-1] for d in distributions} == {
        "html",
        "textfile-gzip",
        "nanopubs-gzip",
    }
    for dist in distributions:
        assert (dist, DCTERMS.license, None) in disgenet
    lumc = store.get_record(LUMC)
    assert lumc is not None
    # the page's own address (<>) became the dataset's published IRI
    assert (URIRef(LUMC), DCTERMS.title, None) in lumc


def test_a_node_that_yields_no_record_is_a_warning_in_the_report(fdp: str) -> None:
    report, _ = _harvest(fdp, "/empty")
    assert report.added == []
    assert report.failures == []
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert "the node yielded no record" in warning
    assert "ldp:contains" in warning
    assert f"{fdp}/empty" in warning
