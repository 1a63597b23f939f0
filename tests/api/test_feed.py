"""The paged DCAT-AP feed: Hydra paging from the first page to the last, every dataset once,
each with its full record, in every RDF form."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from live_gdcat import LiveGdcat
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF

from gdcat.api import create_app
from gdcat.api.server import running
from gdcat.vocab import HYDRA

PAGE_SIZE = 9
DATASET_CLASSES = (DCAT.Dataset, URIRef(f"{DCAT}DatasetSeries"))


@pytest.fixture(scope="module")
def feed_url(gdcat_server: LiveGdcat) -> Iterator[str]:
    """gdcat_server's store served with small feed pages (read-only, on its own port)."""
    settings = gdcat_server.settings.model_copy(update={"feed_page_size": PAGE_SIZE})
    app = create_app(settings, gdcat_server.store, index=gdcat_server.app.state.ctx.index)
    with running(app) as url:
        yield url + "/feed"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:
        yield c


def stored_datasets(live: LiveGdcat) -> list[str]:
    out = []
    for iri in live.store.list_records():
        graph = live.store.get_record(iri)
        assert graph is not None
        if any((URIRef(iri), RDF.type, c) in graph for c in DATASET_CLASSES):
            out.append(iri)
    return out


def read(
    client: httpx.Client, url: str, media: str = "text/turtle", parser: str = "turtle"
) -> Graph:
    r = client.get(url, headers={"Accept": media})
    assert r.status_code == 200, (url, r.text[:300])
    assert r.headers["content-type"].split(";")[0] == media
    return Graph().parse(data=r.content, format=parser)


def view_of(page: Graph) -> URIRef:
    (view,) = page.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert isinstance(view, URIRef)
    return view


def test_the_pages_chain_to_the_end_and_list_every_dataset_once(
    gdcat_server: LiveGdcat, client: httpx.Client, feed_url: str
) -> None:
    expected = stored_datasets(gdcat_server)
    pages = -(-len(expected) // PAGE_SIZE)
    assert pages >= 3
    seen: Counter[str] = Counter()
    url: str | None = feed_url
    read_urls = []
    while url is not None:
        assert url not in read_urls, "paging loop"
        read_urls.append(url)
        page = read(client, url)
        catalog = URIRef(f"{gdcat_server.base}feed")
        assert (catalog, RDF.type, DCAT.Catalog) in page
        members = [str(d) for d in page.objects(catalog, DCAT.dataset)]
        assert 0 < len(members) <= PAGE_SIZE
        seen.update(members)
        assert int(page.value(catalog, HYDRA.totalItems)) == len(expected)  # type: ignore[arg-type]
        view = view_of(page)
        assert page.value(view, HYDRA.first) == URIRef(f"{feed_url}?page=1")
        assert page.value(view, HYDRA.last) == URIRef(f"{feed_url}?page={pages}")
        previous = page.value(view, HYDRA.previous)
        assert (previous is None) == (len(read_urls) == 1)
        following = page.value(view, HYDRA.next)
        url = str(following) if following is not None else None
    assert len(read_urls) == pages
    assert sorted(seen) == sorted(expected)
    assert set(seen.values()) == {1}


def test_each_page_holds_the_full_record_of_its_datasets(
    gdcat_server: LiveGdcat, client: httpx.Client, feed_url: str
) -> None:
    page = read(client, f"{feed_url}?page=2")
    catalog = URIRef(f"{gdcat_server.base}feed")
    for dataset in page.objects(catalog, DCAT.dataset):
        stored = gdcat_server.store.get_record(str(dataset))
        assert stored is not None
        named = [t for t in stored if not any(isinstance(term, BNode) for term in t)]
        assert named and all(t in page for t in named), dataset
        assert set(stored.predicates(dataset)) == set(page.predicates(dataset))


def test_every_rdf_form_of_a_page_is_the_same_graph(client: httpx.Client, feed_url: str) -> None:
    url = f"{feed_url}?page=3"
    turtle = read(client, url)
    for media, parser in (
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ):
        assert isomorphic(read(client, url, media, parser), turtle), media
    html = client.get(url, headers={"Accept": "text/html"})
    assert html.status_code == 200 and f"{feed_url}?page=4" in html.text


def test_pages_past_the_end_and_bad_page_numbers_are_refused(
    client: httpx.Client, feed_url: str
) -> None:
    r = client.get(f"{feed_url}?page=999")
    assert r.status_code == 404 and "page" in r.json()["detail"]
    assert client.get(f"{feed_url}?page=0").status_code == 422
    assert client.get(f"{feed_url}?page=two").status_code == 422


def test_the_feed_keeps_the_requested_format_in_its_paging_links(
    client: httpx.Client, feed_url: str
) -> None:
    r = client.get(feed_url, params={"format": "nt"})
    page = Graph().parse(data=r.content, format="nt")
    following = page.value(view_of(page), HYDRA.next)
    assert following is not None and "format=nt" in str(following)
