"""The harvest's bookkeeping queries against the catalogue's size: before and after.

A re-harvest reads who holds each batch's datasets (``current_holders``) and marks every
unchanged record seen (``mark_seen``), once per node. Both used an ``OPTIONAL`` beside a
``VALUES`` of record IRIs, which Oxigraph evaluated by reading the optional property of every
record in the catalogue: a cost per call that grew with the catalogue, so with nodes x records
over a whole re-harvest. This script fills an on-disk store with N catalogue records
(small synthetic records written through the store's bulk path) and times each query's old
and new text on 1 and 400 records, at each size.

    PYTHONPATH=src .venv/bin/python bench/harvest_bookkeeping.py --sizes 2500 10000 50000

Results go to ``bench/results/harvest_bookkeeping.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from gdcat.harvest.pipeline import current_holders
from gdcat.store import OxigraphStore, RecordMeta, RecordWrite
from gdcat.store.record_sparql import LAST_HARVEST_RUN, PRIMARY_TOPIC, mark_seen_operation
from gdcat.store.records import ADMS_STATUS, SOURCE_NODE, SOURCE_URL, record_iri

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://127.0.0.1:8000/"


def old_mark_seen(prov: str, records: list[str], run: str) -> str:
    values = " ".join(f"<{r}>" for r in records)
    return (
        f"DELETE {{ GRAPH <{prov}> {{ ?record <{LAST_HARVEST_RUN}> ?old }} }}\n"
        f"INSERT {{ GRAPH <{prov}> {{ ?record <{LAST_HARVEST_RUN}> {run} }} }}\n"
        f"WHERE {{ VALUES ?record {{ {values} }} "
        f"GRAPH <{prov}> {{ ?record <{PRIMARY_TOPIC}> ?dataset "
        f"OPTIONAL {{ ?record <{LAST_HARVEST_RUN}> ?old }} }} }}"
    )


def old_holders(store: OxigraphStore, datasets: list[str]) -> int:
    values = " ".join(f"<{record_iri(store.base_iri, d)}>" for d in datasets)
    result = store.query(
        f"SELECT ?dataset ?node ?source ?status WHERE {{ VALUES ?record {{ {values} }} "
        f"GRAPH <{store.provenance_graph}> {{ ?record <{FOAF.primaryTopic}> ?dataset "
        f"OPTIONAL {{ ?record <{SOURCE_NODE}> ?node }} "
        f"OPTIONAL {{ ?record <{SOURCE_URL}> ?source }} "
        f"OPTIONAL {{ ?record <{ADMS_STATUS}> ?status }} }} }}",
        union_default_graph=False,
    )
    return len(result.rows)


def filled(size: int, where: Path) -> tuple[OxigraphStore, list[str]]:
    store = OxigraphStore(where, BASE)
    iris = [f"https://n.example/d/{i}" for i in range(size)]
    for start in range(0, size, 5000):
        writes = []
        for iri in iris[start : start + 5000]:
            g = Graph()
            g.add((URIRef(iri), RDF.type, DCAT.Dataset))
            g.add((URIRef(iri), DCTERMS.title, Literal(f"Dataset {iri}", lang="en")))
            writes.append(
                RecordWrite(
                    iri, g, RecordMeta("https://n.example/", "h", "gdcat", "conforms", node="n")
                )
            )
        store.put_records(writes, bulk=True)
    store.mark_seen(iris, "https://n.example/run/0")
    return store, iris


def timed(call: Any, repeat: int = 5) -> float:
    """Median CPU milliseconds of ``call``."""
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        call()
        runs.append(1000 * (time.process_time() - start))
    return round(sorted(runs)[len(runs) // 2], 2)


def measure(store: OxigraphStore, part: list[str]) -> dict[str, float]:
    prov = store.provenance_graph
    run = "<https://n.example/run/1>"
    records = [store.record_iri(i) for i in part]
    update = store._open().update  # the engine itself: the query text is what differs
    return {
        "mark_seen_before_ms": timed(lambda: update(old_mark_seen(prov, records, run))),
        "mark_seen_after_ms": timed(lambda: update(mark_seen_operation(prov, records, run))),
        "holders_before_ms": timed(lambda: old_holders(store, part)),
        "holders_after_ms": timed(lambda: current_holders(store, part)),
    }


def measure_size(size: int, where: Path, rows: list[dict[str, Any]]) -> None:
    store, iris = filled(size, where)
    try:
        # the same answers, old text and new
        assert old_holders(store, iris[:400]) == len(current_holders(store, iris[:400])) == 400
        for n in (1, 400):
            rows.append({"catalogue": size, "records": n, **measure(store, iris[:n])})
            print(json.dumps(rows[-1]), flush=True)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 10000, 50000])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "harvest_bookkeeping.json"
    )
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="gdcat-bench-bookkeeping-") as tmp:
            measure_size(size, Path(tmp) / "store", rows)
    result = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "unit": "median CPU ms of 5 runs, on-disk embedded store",
        "rows": rows,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
