"""The node quality page and its computation, timed on a generated store.

On the store ``bench/serve.py`` fills (generated HealthDCAT-AP records of
``gdcat.demo.scale``, spread over the demo's national nodes), in this process:

- **computing** a node's quality (:func:`gdcat.harvest.quality.node_quality`: one query for
  the records' own triples, one for their catalogue records, the scores, the harvest state,
  the history and the audit trail), for every node, as the first request after a write pays it;
- **the page** ``/nodes/{node}/quality`` through the application (Starlette's test client, no
  network), first request per node (computing included) and then with the answer kept for the
  store's generation, p50 / p95 over every node and ``--repeat`` requests each;
- **re-running SHACL** on a sample of the records (``Validator``, the records' profile, in this
  process), the alternative the page does not take, per record.

    PYTHONPATH=src .venv/bin/python bench/quality.py --size 10000 --work /tmp/gdcat-inventory

With ``--work`` the store is kept in ``WORK/SIZE/store`` and reused (the same place as
``bench/inventory.py``'s); the results go to ``bench/results/quality.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inventory import BASE, store_of

RESULTS = Path(__file__).resolve().parent / "results" / "quality.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(1000 * statistics.median(values), 1),
        "p95_ms": round(1000 * percentile(values, 0.95), 1),
        "max_ms": round(1000 * max(values), 1),
        "n": len(values),
    }


def measure(store_dir: Path, repeat: int, sample: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from gdcat.api import create_app
    from gdcat.harvest.quality import node_quality
    from gdcat.harvest.runs import record_counts
    from gdcat.settings import Settings
    from gdcat.store import OxigraphStore
    from gdcat.validate import Validator

    out: dict[str, Any] = {}
    with OxigraphStore(store_dir, BASE) as store:
        counts = record_counts(store)
        nodes = sorted(counts)
        out["nodes"] = len(nodes)
        out["records"] = sum(n for n, _ in counts.values())
        out["largest_node_records"] = max(n for n, _ in counts.values())

        # the first computation in a process parses the profiles' shapes (once, then cached)
        start = time.perf_counter()
        node_quality(store, nodes[0])
        out["first_in_process_s"] = round(time.perf_counter() - start, 2)
        computing: list[float] = []
        per_record: list[float] = []
        for node in nodes:
            start = time.perf_counter()
            answer = node_quality(store, node)
            seconds = time.perf_counter() - start
            computing.append(seconds)
            per_record.append(seconds / max(1, len(answer.records)))
        out["compute"] = ms(computing)
        out["compute_all_nodes_s"] = round(sum(computing), 2)
        out["compute_per_record_ms"] = round(1000 * statistics.median(per_record), 2)
        print(f"    computing: {out['compute']} (all nodes {out['compute_all_nodes_s']} s)")

        settings = Settings(base_iri=BASE, store_dir=store_dir)
        app = create_app(settings, store, index=False)  # the page needs no search index
        with TestClient(app, base_url=BASE.rstrip("/")) as client:
            first: list[float] = []
            kept: list[float] = []
            for node in nodes:
                start = time.perf_counter()
                answer_status = client.get(f"/nodes/{node}/quality").status_code
                first.append(time.perf_counter() - start)
                assert answer_status == 200, node
                for _ in range(repeat):
                    start = time.perf_counter()
                    client.get(f"/nodes/{node}/quality")
                    kept.append(time.perf_counter() - start)
            out["page_first"] = ms(first)
            out["page_kept"] = ms(kept)
            print(f"    page, first request: {out['page_first']}")
            print(f"    page, answer kept: {out['page_kept']}")

        datasets = store.list_records()[:sample]
        graphs = [g for g in (store.get_record(d) for d in datasets) if g is not None]
        with Validator("healthdcat-ap-r8", settings=settings, workers=1) as validator:
            start = time.perf_counter()
            validator.validate_many(graphs)
            seconds = time.perf_counter() - start
        out["shacl_per_record_ms"] = round(1000 * seconds / max(1, len(graphs)), 1)
        out["shacl_sample"] = len(graphs)
        print(f"    SHACL again: {out['shacl_per_record_ms']} ms a record ({len(graphs)})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="generated datasets")
    parser.add_argument("--repeat", type=int, default=5, help="requests per node, answer kept")
    parser.add_argument("--sample", type=int, default=100, help="records validated again")
    parser.add_argument("--work", type=Path, default=None, help="keep the store here, reuse it")
    args = parser.parse_args()
    if args.work is None:
        work = Path(tempfile.mkdtemp(prefix=f"gdcat-quality-{args.size}-"))
    else:
        work = args.work / str(args.size)
        work.mkdir(parents=True, exist_ok=True)
    try:
        result = {
            "size": args.size,
            "date": datetime.now(UTC).date().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "load_average": round(os.getloadavg()[0], 1),
            **measure(store_of(args.size, work), args.repeat, args.sample),
        }
        print(json.dumps(result, indent=2))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
