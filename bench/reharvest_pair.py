"""The re-harvest of an unchanged federation, this checkout against another, taking turns.

``bench/harvest.py`` run for two checkouts at once times each re-harvest at a different
moment: whichever first harvest ends first re-harvests while the other still harvests, on a
shared machine. Here one set of fixture nodes (``bench/harvest.py``'s 25 nodes) is harvested
once into a store per checkout, then each checkout re-harvests its store in turn, several
rounds, so that both meet the same load; wall and CPU time (the harvest process and its
children) of every re-harvest are recorded.

    PYTHONPATH=src .venv/bin/python bench/reharvest_pair.py --other /path/to/base --per-node 100

Results go to ``bench/results/reharvest_pair.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harvest import build_sites, serve

ROOT = Path(__file__).resolve().parents[1]


def harvest(checkout: Path, registry: Path, store: Path) -> dict[str, Any]:
    """``gdcat harvest`` of ``checkout``'s code in a fresh process: wall and CPU seconds."""
    code = (
        "from gdcat.cli import main\n"
        f'main(["harvest", "--nodes", {str(registry)!r}, "--store", {str(store)!r}, '
        '"--format", "json", "--no-registered"])\n'
    )
    env = {
        "GDCAT_VALIDATION_WORKERS": "2",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(checkout / "src"),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads(done.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "status": report["status"],
        "unchanged": report["totals"]["unchanged"],
        "writes": report["totals"]["writes"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--other", type=Path, required=True, help="the other checkout")
    parser.add_argument("--per-node", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "reharvest_pair.json"
    )
    args = parser.parse_args()
    sites = build_sites(args.per_node)
    servers, registry_text = serve(sites)
    checkouts = {"this": ROOT, "other": args.other.resolve()}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in checkouts}
    first: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="gdcat-bench-reharvest-") as tmp:
            registry = Path(tmp) / "nodes.toml"
            registry.write_text(registry_text)
            for name, checkout in checkouts.items():
                first[name] = harvest(checkout, registry, Path(tmp) / f"store-{name}")
                print(name, "first", first[name], flush=True)
            for round_ in range(args.rounds):
                order = list(checkouts) if round_ % 2 == 0 else list(reversed(checkouts))
                for name in order:
                    run = harvest(checkouts[name], registry, Path(tmp) / f"store-{name}")
                    runs[name].append(run)
                    print(name, "re-harvest", run, flush=True)
    finally:
        for server in servers:
            server.shutdown()

    def median(name: str, key: str) -> float:
        values = sorted(r[key] for r in runs[name])
        return values[len(values) // 2]

    result = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "per_node": args.per_node,
        "records": args.per_node * len(sites),
        "checkouts": {k: str(v) for k, v in checkouts.items()},
        "first": first,
        "reharvests": runs,
        "median_seconds": {n: median(n, "seconds") for n in checkouts},
        "median_cpu_seconds": {n: median(n, "cpu_seconds") for n in checkouts},
        "this_over_other_wall": round(median("this", "seconds") / median("other", "seconds"), 3),
        "this_over_other_cpu": round(
            median("this", "cpu_seconds") / median("other", "cpu_seconds"), 3
        ),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
