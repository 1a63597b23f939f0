"""The demo federation harvested into a real remote engine (Oxigraph server, Virtuoso), and
gdcat serving from it: the same records as the embedded store gets, found by search and shown
on their pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from live_gdcat import harvest_demo, start_gdcat
from oxigraph_server import clear

from gdcat.settings import Settings
from gdcat.store import OxigraphStore, RecordSource, RemoteStore, record_iri
from gdcat.store.inventory import compute_inventory

DATASETS = 30


def remote_settings(request: pytest.FixtureRequest, engine: str) -> dict[str, Any]:
    """The settings naming the session's engine ``engine`` (cleared first)."""
    if engine == "virtuoso":
        from virtuoso_server import virtuoso_settings

        settings = virtuoso_settings(request)
        return {
            "store_url": settings.store_url,
            "store_user": settings.store_user,
            "store_password": settings.store_password,
        }
    url: str = request.getfixturevalue("oxigraph_url")
    clear(url)
    return {"store_url": url}


@pytest.mark.parametrize("engine", ["oxigraph-server", "virtuoso"])
def test_the_demo_federation_harvested_into_a_remote_store_is_served_from_it(
    tmp_path: Path, request: pytest.FixtureRequest, engine: str
) -> None:
    remote = remote_settings(request, engine)
    with start_gdcat(tmp_path / "remote", datasets=DATASETS, **remote) as live:
        assert isinstance(live.store, RemoteStore)
        assert live.report is not None
        assert {n.status for n in live.report.nodes} == {"complete"}

        # the same federation harvested into the embedded store: the same records, hashes,
        # profiles and outcomes (but for the Beacon's record, named by its node's address,
        # which differs between the two served federations)
        embedded = OxigraphStore(None, live.base)
        settings = Settings(base_iri=live.base, validation_workers=1)
        _, _, _, served = harvest_demo(embedded, settings, DATASETS, tmp_path)
        served.close()
        remote, local = _sources(live.store.record_sources()), _sources(embedded.record_sources())
        assert len(remote) > DATASETS / 2 and remote == local
        assert live.store.count_triples() > embedded.count_triples() > 0  # + the counter

        with httpx.Client(timeout=60) as client:
            # search: every dataset and series of the store is found
            found = client.get(f"{live.url}/api/datasets", params={"page_size": 1})
            assert found.status_code == 200, found.text
            datasets = live.store.query(
                "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a ?type FILTER(?type IN "
                "(<http://www.w3.org/ns/dcat#Dataset>, <http://www.w3.org/ns/dcat#DatasetSeries>)) "
                "} }"
            ).rows[0][0]
            assert datasets is not None and int(datasets.value) > DATASETS / 2
            assert found.json()["total"] == int(datasets.value)

            hit = found.json()["hits"][0]
            page = client.get(
                f"{live.url}/dataset/{record_iri(live.base, hit['iri']).rsplit('/', 1)[1]}",
                headers={"Accept": "text/html"},
            )
            assert page.status_code == 200
            assert hit["title"] in page.text

            search = client.get(f"{live.url}/search", params={"q": hit["title"]})
            assert search.status_code == 200 and hit["title"] in search.text

            # the public SPARQL endpoint is answered by the engine
            asked = client.get(
                f"{live.url}/sparql",
                params={"query": f"ASK {{ <{hit['iri']}> ?p ?o }}"},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert asked.status_code == 200 and asked.json()["boolean"] is True

            # the change feed, the FAIR Data Point and the inventory, read from the engine
            feed = client.get(f"{live.url}/feed", headers={"Accept": "text/turtle"})
            assert feed.status_code == 200 and hit["iri"] in feed.text
            fdp = client.get(f"{live.url}/", headers={"Accept": "text/turtle"})
            assert fdp.status_code == 200 and "FAIRDataPoint" in fdp.text
            inventory = client.get(f"{live.url}/api/inventory").json()
            assert inventory["totals"]["datasets"] > 0
            assert inventory["totals"] == compute_inventory(embedded).to_json()["totals"]

            # a withdrawn dataset is gone (410), its tombstone says so, the feed drops it
            assert live.store.withdraw(hit["iri"])
            gone = client.get(page.url)
            assert gone.status_code == 410 and gone.json()["title"] == "Withdrawn"
            tombstone = client.get(gone.json()["record"], headers={"Accept": "text/turtle"})
            assert tombstone.status_code == 200 and "/deleted>" in tombstone.text
            after = client.get(f"{live.url}/feed", headers={"Accept": "text/turtle"})
            assert after.status_code == 200 and hit["iri"] not in after.text

            health = client.get(f"{live.url}/health").json()
            assert health["store"]["mode"] == "remote"
        embedded.close()


def _sources(sources: dict[str, RecordSource]) -> dict[str, tuple[str, str, str]]:
    return {
        iri: (source.content_hash, source.profile, source.outcome)
        for iri, source in sources.items()
        if not iri.startswith("http://127.0.0.1:")
    }
