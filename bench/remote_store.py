"""The embedded store and Oxigraph server side by side, on the demo federation, in one run.

The demo federation (``--datasets``, 400 as in the README's demo) is served as real nodes on
127.0.0.1 and harvested twice into each store: into the embedded store on disk and into a fresh
``oxigraph serve`` (PyPI ``oxigraph``, the same version as pyoxigraph) over the loopback. Then
the reads a server makes are timed on both, interleaved, each the median of ``--repeat`` runs:
the harvest's diff (``record_sources`` of a node, ``record_hashes``), ``list_records``, one record
(``get_record``) and one catalogue record, the store's generation, and SPARQL: a facet count over
every record and one record's triples by ``DESCRIBE``.

    .venv/bin/python bench/remote_store.py --datasets 400

Results: ``bench/results/remote_store.json`` and a Markdown table on stdout (ratios
remote / embedded; the machine is shared, so only ratios from one run mean anything).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from gdcat.demo import generate_federation
from gdcat.demo.nodes import serve_federation
from gdcat.harvest import Harvester, parse_registry
from gdcat.settings import Settings
from gdcat.store import Store, open_store

BASE = "http://127.0.0.1:8000/"
RESULTS = Path(__file__).parent / "results" / "remote_store.json"
FACETS = """
SELECT ?country (COUNT(DISTINCT ?d) AS ?n) WHERE {
  GRAPH <http://127.0.0.1:8000/graph/provenance> {
    ?r <http://xmlns.com/foaf/0.1/primaryTopic> ?d ;
       <https://w3id.org/gdcat/ns#sourceCountry> ?country }
} GROUP BY ?country ORDER BY ?country
"""


@contextmanager
def oxigraph_server(folder: Path, wait: float = 30) -> Iterator[str]:
    """``oxigraph serve`` of ``folder`` on a free port, its URL once it answers (within
    ``wait`` seconds: a large store takes a while to open)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [str(Path(sys.executable).with_name("oxigraph")), "serve"]
    command += ["--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                if httpx.get(url + "query", params={"query": "ASK {}"}, timeout=2).is_success:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph serve did not answer within {wait:g} s") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    federation = generate_federation(datasets=args.datasets)
    result: dict[str, Any] = {"datasets": args.datasets, "harvest": {}, "reads": {}}
    with (
        tempfile.TemporaryDirectory(prefix="gdcat-bench-remote-") as tmp,
        serve_federation(federation, page_size=25) as served,
    ):
        registry = served.write_registry(Path(tmp) / "nodes.toml")
        nodes = parse_registry(registry.read_text(), source=str(registry))
        with oxigraph_server(Path(tmp) / "oxigraph") as url:
            stores: dict[str, Store] = {
                "embedded": open_store(Settings(store_dir=Path(tmp) / "store", base_iri=BASE)),
                "remote": open_store(Settings(store_url=url, base_iri=BASE)),
            }
            settings = Settings(base_iri=BASE, validation_workers=1)
            # a first harvest into memory loads the profiles and vocabularies (cached for the
            # process), so that neither measured harvest pays for it
            with Harvester(open_store(None, BASE), settings) as harvester:
                harvester.run(nodes)
            for kind, store in stores.items():
                with Harvester(store, settings) as harvester:
                    started = time.perf_counter()
                    first = harvester.run(nodes)
                    first_s = time.perf_counter() - started
                    started = time.perf_counter()
                    harvester.run(nodes)
                    again_s = time.perf_counter() - started
                written = sum(len(n.added) + len(n.updated) for n in first.nodes)
                result["harvest"][kind] = {
                    "first_s": round(first_s, 2),
                    "again_s": round(again_s, 2),
                    "records": written,
                    "records_per_s": round(written / first_s, 1),
                    "triples": store.count_triples(),
                }
            datasets = stores["embedded"].list_records()
            sample = datasets[:: max(1, len(datasets) // 20)]
            node = nodes[0].id

            def reads(store: Store) -> dict[str, Callable[[], object]]:
                return {
                    f"record_sources({node!r})": lambda: store.record_sources(node),
                    "record_hashes()": store.record_hashes,
                    "list_records()": store.list_records,
                    "get_record (20 records)": lambda: [store.get_record(d) for d in sample],
                    "catalog_record (20 records)": lambda: [
                        store.catalog_record(d) for d in sample
                    ],
                    "generation": lambda: store.generation,
                    "SPARQL facet count (records by country)": lambda: store.query(FACETS),
                    "SPARQL DESCRIBE of one dataset": lambda: store.query(
                        f"DESCRIBE <{sample[0]}>"
                    ),
                }

            timed: dict[str, dict[str, float]] = {}
            for _ in range(3):  # interleaved rounds; the best median of each is kept
                for kind, store in stores.items():
                    for name, action in reads(store).items():
                        ms = median_ms(action, args.repeat)
                        cell = timed.setdefault(name, {})
                        cell[kind] = min(cell.get(kind, ms), ms)
            result["reads"] = {
                name: {k: round(v, 2) for k, v in cell.items()} for name, cell in timed.items()
            }
            for store in stores.values():
                store.close()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))


def report(result: dict[str, Any]) -> str:
    h = result["harvest"]
    lines = [
        "| measure | embedded | Oxigraph server | remote / embedded |",
        "|---|---|---|---|",
    ]
    for key, label in (("first_s", "first harvest (s)"), ("again_s", "re-harvest, unchanged (s)")):
        e, r = h["embedded"][key], h["remote"][key]
        lines.append(f"| {label} | {e} | {r} | {r / e:.2f}× |")
    e, r = h["embedded"]["records_per_s"], h["remote"]["records_per_s"]
    lines.append(f"| first harvest (records/s) | {e} | {r} | {r / e:.2f}× |")
    for name, cell in result["reads"].items():
        e, r = cell["embedded"], cell["remote"]
        ratio = f"{r / e:.1f}×" if e > 0 else "(embedded: a field read)"
        lines.append(f"| {name} (ms) | {e} | {r} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
