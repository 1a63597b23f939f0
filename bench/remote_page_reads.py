"""What a dataset page reads from an Oxigraph server, alone: the reads apart against one read.

An ``oxigraph serve`` of ``--store`` is started; then, in this process and against it, for
``--requests`` live records, interleaved ``--rounds`` times, the reads of one dataset as an RDF
form are timed both ways (CPU of this process and wall, the engine's time included):

- **apart**: the catalogue record (``Store.catalog_record_at``), the record's triples
  (``Store.record_triples``), then which datasets it links to (``linked_described`` without
  what was read along: its own query), three requests;
- **together**: ``Store.catalog_record_with_triples`` with ``linked_along``, one request;

and, for the landing page, the record read together with ``LinkedData.related_along``.

    PYTHONPATH=src .venv/bin/python bench/remote_page_reads.py --store DIR

Results go to ``bench/results/remote_page_reads.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remote_page import start_engine

from gdcat.api.resources import LinkedData, linked_along, linked_described
from gdcat.store import RemoteStore
from gdcat.store.record_sparql import ADMS_STATUS, PRIMARY_TOPIC, WITHDRAWN

RESULTS = Path(__file__).resolve().parent / "results" / "remote_page_reads.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store scale_load filled")
    parser.add_argument("--base", default="http://127.0.0.1:18731/", help="its base IRI")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args()
    engine, url = start_engine(args.store)
    try:
        store = RemoteStore(url, args.base, kind="oxigraph")
        data = LinkedData(store)
        rows = store.query(
            f"SELECT ?r WHERE {{ GRAPH <{store.provenance_graph}> {{ ?r <{PRIMARY_TOPIC}> ?d "
            f"FILTER NOT EXISTS {{ ?r <{ADMS_STATUS}> <{WITHDRAWN}> }} }} }} "
            f"LIMIT {args.requests}",
            union_default_graph=False,
        ).rows
        keys = [data.key_of(row[0].value) for row in rows if row[0] is not None]

        def apart(key: str) -> None:
            record = data.record_iri(key)
            store.catalog_record_at(record)
            linked_described(data, data.record_triples(key))

        ways: dict[str, Callable[[str], object]] = {
            "apart (three requests)": apart,
            "together, linked along (one request)": lambda key: store.catalog_record_with_triples(
                data.record_iri(key), linked_along(data, key)
            ),
            "together, related along (one request)": lambda key: store.catalog_record_with_triples(
                data.record_iri(key), data.related_along(key)
            ),
        }
        taken: dict[str, dict[str, list[float]]] = {w: {"cpu": [], "wall": []} for w in ways}
        for _ in range(args.rounds):
            for name, read in ways.items():
                for key in keys[:5]:  # warm
                    read(key)
                for key in keys:
                    cpu, wall = time.process_time(), time.perf_counter()
                    read(key)
                    taken[name]["cpu"].append((time.process_time() - cpu) * 1000)
                    taken[name]["wall"].append((time.perf_counter() - wall) * 1000)
        store.close()
    finally:
        engine.terminate()
        engine.wait(timeout=30)
    out: dict[str, Any] = {}
    for name, measured in taken.items():
        out[name] = {}
        for measure, values in measured.items():
            ordered = sorted(values)
            out[name][f"{measure}_ms"] = {
                "p50": round(statistics.median(ordered), 3),
                "p95": round(ordered[int(len(ordered) * 0.95) - 1], 3),
                "mean": round(statistics.fmean(ordered), 3),
            }
    result = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "store": str(args.store),
        "requests": args.requests,
        "rounds": args.rounds,
        "reads": out,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
