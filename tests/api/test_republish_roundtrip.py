"""gdcat's own harvester, pointed at gdcat's FAIR Data Point and at its DCAT-AP feed, gets every
dataset back unchanged.

Each harvest goes into a fresh store; every dataset record there must be isomorphic to the one
gdcat serves from. The round-trip nodes validate against the small ``fdp`` profile and accept
whatever they read: validation is not what is tested here, and records a node's policy
accepted with violations must come back too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from gdcat.api import create_app
from gdcat.api.server import running
from gdcat.harvest import Harvester
from gdcat.harvest.registry import NodeConfig
from gdcat.harvest.report import NodeReport
from gdcat.settings import Settings
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite, Store

DATASET_CLASSES = (DCAT.Dataset, URIRef(f"{DCAT}DatasetSeries"))


def harvest(kind: str, url: str, *, runs: int = 1) -> tuple[OxigraphStore, NodeReport]:
    """A fresh in-memory store holding what gdcat's harvester read from ``url`` (harvested
    ``runs`` times; the last run's report)."""
    store = OxigraphStore(None, "http://127.0.0.1:9/")
    node = NodeConfig(
        id="gdcat",
        kind=kind,  # type: ignore[arg-type]
        url=url,
        profile="fdp",
        policy="accept",
        private=True,  # gdcat serves on loopback here
    )
    with Harvester(store, Settings(validation_workers=1)) as harvester:
        for _ in range(runs):
            (done,) = harvester.run([node]).nodes
            assert done.status == "complete", done.reasons + [f.message for f in done.failures]
    return store, done


def datasets_of(store: Store) -> dict[str, Graph]:
    """Every stored record that is a dataset (or series), by IRI."""
    out = {}
    for iri in store.list_records():
        graph = store.get_record(iri)
        assert graph is not None
        if any((URIRef(iri), RDF.type, c) in graph for c in DATASET_CLASSES):
            out[iri] = graph
    return out


def assert_same_datasets(original: Store, copy: Store) -> None:
    expected = datasets_of(original)
    got = datasets_of(copy)
    assert sorted(got) == sorted(expected)
    changed = [iri for iri in expected if not isomorphic(expected[iri], got[iri])]
    assert not changed, f"{len(changed)} dataset(s) changed, first {changed[:3]}"


def test_harvesting_gdcats_fair_data_point_gives_every_dataset_back(
    gdcat_server: LiveGdcat,
) -> None:
    copy, report = harvest("fdp", gdcat_server.url + "/")
    assert report.added and not report.rejected
    assert_same_datasets(gdcat_server.store, copy)
    copy.close()


def test_harvesting_gdcats_fair_data_point_again_reads_nothing_again(
    gdcat_server: LiveGdcat,
) -> None:
    """gdcat's pages carry ETags: a second harvest asks conditionally, every page answers 304,
    and nothing is parsed, validated or written again."""
    copy, second = harvest("fdp", gdcat_server.url + "/", runs=2)
    assert second.unchanged == len(datasets_of(gdcat_server.store))
    assert not second.added and not second.updated and not second.withdrawn
    assert second.validations == 0 and second.unchanged_documents == second.documents
    copy.close()


@pytest.fixture(scope="module")
def small_pages(gdcat_server: LiveGdcat) -> Iterator[str]:
    """The same store served with 7 datasets per feed page, on another port (so the paging
    links must come from the request, not from the base IRI)."""
    settings = gdcat_server.settings.model_copy(update={"feed_page_size": 7})
    app = create_app(settings, gdcat_server.store, index=gdcat_server.app.state.ctx.index)
    with running(app) as url:
        yield url


def test_harvesting_gdcats_feed_gives_every_dataset_back(
    gdcat_server: LiveGdcat, small_pages: str
) -> None:
    copy, report = harvest("dcat", small_pages + "/feed")
    expected = len(datasets_of(gdcat_server.store))
    assert report.documents == -(-expected // 7)  # every page read once
    assert_same_datasets(gdcat_server.store, copy)
    copy.close()


# -- a steward's own rdfs:seeAlso links survive -------------------------------------------

NODE = "https://node.example.org/"


def own_record() -> Graph:
    """A record whose steward wrote rdfs:seeAlso links of their own, on the dataset and on a
    distribution, besides blank and IRI-named distributions."""
    g = Graph()
    ds = URIRef(NODE + "dataset/1")
    dist = URIRef(NODE + "dataset/1/distribution/vcf")
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("Seen also elsewhere", lang="en")))
    g.add((ds, DCTERMS.title, Literal("Ailleurs aussi", lang="fr")))
    g.add((ds, RDFS.seeAlso, URIRef("https://papers.example.org/cohort-profile")))
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.accessURL, URIRef(NODE + "access/1")))
    g.add((dist, RDFS.seeAlso, URIRef("https://docs.example.org/vcf-layout")))
    blank = BNode()
    g.add((ds, DCAT.distribution, blank))
    g.add((blank, RDF.type, DCAT.Distribution))
    g.add((blank, DCTERMS.title, Literal("Summary", lang="en")))
    return g


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(Path(tmp_path_factory.mktemp("seealso")), datasets=None) as live:
        meta = RecordMeta(
            source="steward", content_hash="h", profile="gdcat", outcome="warnings", node="ex"
        )
        live.store.put_records([RecordWrite(NODE + "dataset/1", own_record(), meta)])
        yield live


def test_a_stewards_own_see_also_links_survive_the_round_trip(own_server: LiveGdcat) -> None:
    copy, _ = harvest("fdp", own_server.url + "/")
    back = copy.get_record(NODE + "dataset/1")
    assert back is not None
    assert isomorphic(back, own_record())
    copy.close()
