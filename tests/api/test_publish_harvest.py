"""A harvest of a node leaves alone what the node's stewards published over the API: it neither
withdraws a dataset the node's catalogue does not list nor overwrites a dataset a steward
corrected. The harvest is started over the API by the admin. (What the harvest does when the
node's own copy of a published dataset changes: ``tests/publish/test_harvest_and_publish.py``.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_gdcat import LiveGdcat, start_gdcat
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from gdcat.publish import TokenFile, is_published_source
from gdcat.rdf import parse_file, split_records

VALID = Path(__file__).resolve().parents[2] / "model" / "examples" / "valid"
ADMIN = "admin-secret-for-tests"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGdcat]:
    with start_gdcat(
        tmp_path_factory.mktemp("publish-harvest"), keep_nodes=True, admin_token=ADMIN
    ) as running:
        yield running


def wait_for_job(location: str) -> dict[str, object]:
    """Poll a harvest job until it is no longer running."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job: dict[str, object] = httpx.get(location).json()
        if job["status"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError(f"the harvest {location} did not finish")


def test_a_harvest_after_a_publish_keeps_what_the_stewards_published(live: LiveGdcat) -> None:
    _, secret = TokenFile(live.settings.tokens_file).create("nl", country="NLD")
    auth = {"Authorization": f"Bearer {secret}"}
    url = f"{live.url}/api/nodes/nl/datasets"
    # a dataset the node's own catalogue does not list
    new = split_records(parse_file(VALID / "nl-rare-disease-wgs.ttl"))[0]
    created = httpx.put(
        url,
        params={"iri": new.iri},
        content=new.graph.serialize(format="turtle"),
        headers={**auth, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    # a harvested dataset the steward corrected
    corrected = sorted(live.store.record_sources("nl"))[0]
    graph = live.store.get_record(corrected)
    assert graph is not None
    title = Literal("Corrected by the steward", lang="en")
    graph.set((URIRef(corrected), DCTERMS.title, title))
    replaced = httpx.put(
        url,
        params={"iri": corrected},
        content=graph.serialize(format="turtle"),
        headers={**auth, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert replaced.status_code == 200, replaced.text

    started = httpx.post(f"{live.url}/api/harvest", headers={"Authorization": f"Bearer {ADMIN}"})
    assert started.status_code == 202, started.text
    job = wait_for_job(started.headers["location"])

    assert job["status"] == "done", job
    report = httpx.get(str(job["report"])).json()
    nl = next(n for n in report["nodes"] if n["node"] == "nl")
    assert nl["withdrawn"] == [] and nl["kept"] == []
    assert corrected not in nl["updated"]
    for iri in (new.iri, corrected):
        catalogue = live.store.catalog_record(iri)
        assert catalogue is not None and not catalogue.withdrawn
        assert is_published_source(live.base, catalogue.meta.source)
    stored = live.store.get_record(corrected)
    assert stored is not None and title in set(stored.objects(URIRef(corrected), DCTERMS.title))
    node = httpx.get(f"{live.url}/api/nodes/nl").json()
    assert node["published"] == 2
    assert node["last_harvest"]["run"] == job["run"]
