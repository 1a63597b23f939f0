"""The query workers read snapshots of the store, never the store the server writes to."""

from __future__ import annotations

from pathlib import Path

import httpx
from live_gdcat import start_gdcat
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from gdcat.store import RecordMeta, RecordWrite

COUNT = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"


def _record(i: int) -> RecordWrite:
    iri = f"https://snap.test/dataset/{i}"
    g = Graph()
    g.add((URIRef(iri), RDF.type, DCAT.Dataset))
    g.add((URIRef(iri), DCTERMS.title, Literal(f"Snapshot {i}", lang="en")))
    return RecordWrite(
        iri,
        g,
        RecordMeta(
            source="test", content_hash=str(i), profile="gdcat", outcome="conforms", node="xx"
        ),
    )


def test_each_write_is_seen_by_the_next_query_and_old_snapshots_go(tmp_path: Path) -> None:
    # what a crashed server left behind (its process is gone) is cleared at the next start
    orphan = tmp_path / "store-snapshots-999999999-dead"
    (orphan / "g1-1").mkdir(parents=True)
    with start_gdcat(tmp_path, datasets=None) as live:
        assert not orphan.exists()
        (snapshots,) = tmp_path.glob("store-snapshots-*")

        def count() -> int:
            r = httpx.get(
                f"{live.url}/sparql",
                params={"query": COUNT},
                headers={"Accept": "application/sparql-results+json"},
                timeout=30,
            )
            assert r.status_code == 200, r.text
            return int(r.json()["results"]["bindings"][0]["n"]["value"])

        assert count() == 0
        for i in range(1, 6):
            live.store.put_records([_record(i)])
            assert count() == i
            assert count() == i  # the same snapshot again: no new one
        held = [p for p in snapshots.iterdir() if p.is_dir()]
        # the current snapshot, and at most one more per worker still reading an older one
        assert 1 <= len(held) <= live.settings.sparql_workers + 1
    assert not snapshots.exists()
