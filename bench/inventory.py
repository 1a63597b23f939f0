"""The inventory's store queries, timed one by one on a generated store.

``compute_inventory`` runs two aggregate SPARQL queries (by country; by country and sequencing
type) and the inventory page adds ``count_record_kinds``. This times each of them separately,
in this process, on the store ``bench/serve.py`` fills (generated records of
``gdcat.demo.scale``), and the whole ``compute_inventory``:

    PYTHONPATH=src .venv/bin/python bench/inventory.py --size 10000 --work /tmp/gdcat-inventory

With ``--work`` the store is kept in ``WORK/SIZE/store`` and reused by the next run (the
10,000-dataset store takes about two minutes to fill); without it, a temporary store is filled
and removed. Nothing is written to ``bench/results``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import fill_store

BASE = "http://127.0.0.1:8000/"


def store_of(size: int, work: Path) -> Path:
    """``work/store`` holding ``size`` generated datasets: filled once, reused while kept."""
    store_dir = work / "store"
    meta_file = work / "store.json"
    if meta_file.exists() and json.loads(meta_file.read_text())["size"] == size:
        return store_dir
    shutil.rmtree(store_dir, ignore_errors=True)
    print(f"[{size:,}] filling the store", flush=True)
    filled = fill_store(size, store_dir, BASE)
    meta = {"size": size, "base": BASE, **filled}
    meta_file.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"[{size:,}] filled in {filled['seconds']:.1f} s", flush=True)
    return store_dir


def timings(store_dir: Path, repeat: int) -> dict[str, Any]:
    from gdcat.store import OxigraphStore
    from gdcat.store.inventory import compute_inventory, count_record_kinds, inventory_queries

    out: dict[str, Any] = {}
    with OxigraphStore(store_dir, BASE) as store:
        by_country, by_type = inventory_queries(store.provenance_graph)
        steps: dict[str, Callable[[], object]] = {
            "by_country": lambda: store.query(by_country, union_default_graph=False),
            "by_type": lambda: store.query(by_type, union_default_graph=False),
            "count_record_kinds": lambda: count_record_kinds(store),
            "compute_inventory": lambda: compute_inventory(store),
        }
        for name, step in steps.items():
            seconds = []
            for _ in range(repeat):
                start = time.perf_counter()
                step()
                seconds.append(time.perf_counter() - start)
            out[name] = {"median_s": round(statistics.median(seconds), 3), "runs": len(seconds)}
            print(f"    {name}: {out[name]['median_s']} s (median of {repeat})", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="generated datasets")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query")
    parser.add_argument("--work", type=Path, default=None, help="keep the store here, reuse it")
    args = parser.parse_args()
    if args.work is None:
        work = Path(tempfile.mkdtemp(prefix=f"gdcat-inventory-{args.size}-"))
    else:
        work = args.work / str(args.size)
        work.mkdir(parents=True, exist_ok=True)
    try:
        result = timings(store_of(args.size, work), args.repeat)
        print(json.dumps({"size": args.size, **result}, indent=2))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
