"""What one page costs the server at scale, for two versions of gdcat side by side.

Each version (a source tree: ``--before`` and ``--after``) runs in a child process of its own,
in turn, ``--rounds`` times, on the same store (filled before by ``python -m
gdcat.demo.scale_load``; each child opens it in turn). A child builds the application in
process (no HTTP: Starlette's test client) and measures, in **CPU seconds of its own process**
(so that the machine's other load does not count):

- one dataset as Turtle and as HTML (the landing page), for ``--requests`` different datasets;
- the home page: its first request (which lists every live record) and the next ones;
- after one record is written, the next catalogue page (the listing brought in step).

    PYTHONPATH=src .venv/bin/python bench/page_cost.py --store DIR --before /tmp/gdcat-before/src

Results go to ``bench/results/page_cost.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "page_cost.json"
BASE = "http://127.0.0.1:18731/"

CHILD = r"""
import json, os, sys, time
from pathlib import Path
os.environ["GDCAT_BASE_IRI"] = sys.argv[1]
os.environ["GDCAT_STORE_DIR"] = sys.argv[2]
os.environ["GDCAT_INDEX_DIR"] = sys.argv[3]
os.environ["GDCAT_TOKENS_FILE"] = sys.argv[3] + "-tokens.json"
requests = int(sys.argv[4])
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from gdcat.api.app import create_app
from gdcat.settings import Settings
from gdcat.store import RecordMeta, RecordWrite, open_store
from gdcat.validate.background import vocabulary_index

vocabulary_index()
settings = Settings()
store = open_store(settings)
app = create_app(settings, store)
out = {}

def cpu(call):
    start = time.process_time()
    response = call()
    assert response.status_code == 200, (response.status_code, response.text[:300])
    return (time.process_time() - start) * 1000

with TestClient(app) as client:
    while True:
        answer = client.get("/api/datasets", params={"page_size": "100"})
        if answer.status_code == 200:
            break
        time.sleep(1)
    keys = [hit["key"] for hit in answer.json()["hits"]][:requests]
    turtle = {"Accept": "text/turtle"}
    html = {"Accept": "text/html"}
    cpu(lambda: client.get(f"/dataset/{keys[0]}", headers=turtle))  # warm
    out["dataset_turtle_ms"] = [cpu(lambda k=k: client.get(f"/dataset/{k}", headers=turtle)) for k in keys]
    out["dataset_html_ms"] = [cpu(lambda k=k: client.get(f"/dataset/{k}", headers=html)) for k in keys]
    out["home_first_ms"] = cpu(lambda: client.get("/", headers=html))
    # a version that answers before the listing is read says 503 meanwhile: wait for it
    while client.get("/catalog/", headers=turtle).status_code == 503:
        time.sleep(0.5)
    out["home_ms"] = [cpu(lambda: client.get("/", headers=html)) for _ in range(10)]
    # one record written: the next catalogue page brings the listing in step
    ds = URIRef("https://bench.example.org/written")
    graph = Graph()
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((ds, DCTERMS.title, Literal("Written by the benchmark", lang="en")))
    meta = RecordMeta("bench", "bench-hash", "gdcat", "conforms", node="bench")
    store.put_records([RecordWrite(str(ds), graph, meta)])
    out["catalogue_after_a_write_ms"] = cpu(lambda: client.get("/catalog/bench", headers=turtle))
    store.withdraw(str(ds))
print(json.dumps(out))
"""


def run_child(src: Path, store: Path, index: Path, requests: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    answer = subprocess.run(
        [sys.executable, "-c", CHILD, BASE, str(store), str(index), str(requests)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store scale_load filled")
    parser.add_argument("--before", type=Path, required=True, help="src/ of the other version")
    parser.add_argument("--after", type=Path, default=ROOT / "src")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gdcat-page-cost-"))
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    try:
        for round_ in range(args.rounds):
            for name in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                src = args.before if name == "before" else args.after
                index = work / f"index-{name}"
                runs[name].append(run_child(src, args.store, index, args.requests))
                print(name, json.dumps(runs[name][-1])[:300], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table: dict[str, Any] = {}
    for name, results in runs.items():
        merged: dict[str, Any] = {}
        for key in ("dataset_turtle_ms", "dataset_html_ms", "home_ms"):
            merged[key] = summary([v for r in results for v in r[key]])
        for key in ("home_first_ms", "catalogue_after_a_write_ms"):
            merged[key] = round(statistics.median(r[key] for r in results), 1)
        table[name] = merged
    ratios = {
        key: round(table["before"][key]["p50"] / table["after"][key]["p50"], 2)
        for key in ("dataset_turtle_ms", "dataset_html_ms", "home_ms")
    }
    for key in ("home_first_ms", "catalogue_after_a_write_ms"):
        ratios[key] = round(table["before"][key] / table["after"][key], 2)
    result = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "store": str(args.store),
        "requests": args.requests,
        "rounds": args.rounds,
        "cpu_ms": table,
        "before_over_after": ratios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
