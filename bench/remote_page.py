"""What one dataset page costs over an Oxigraph server, for two versions of gdcat side by side.

An ``oxigraph serve`` of ``--store`` (a directory filled before by ``python -m
gdcat.demo.scale_load``, whose base IRI is ``--base``) is started once; each version (a source
tree: ``--before`` and ``--after``) then runs in a child process of its own, in turn,
``--rounds`` times, against that one server. A child builds the application in process (no
HTTP between the client and gdcat: Starlette's test client; HTTP between gdcat and the engine,
over the loopback), waits until its search index is built and checked against the store (so
that gdcat's own threads spend no CPU meanwhile), and asks for ``--requests`` different
datasets, once as Turtle and once as HTML (the landing page). For each request it notes:

- the **CPU milliseconds of its own process** (the engine's CPU is not counted: it is the
  other process, and the machine is shared);
- the wall milliseconds (the engine's time included, and the machine's other load);
- how many requests gdcat sent to the engine for the page (counted by an event hook of the
  store's HTTP client; the change feed is not followed: ``follow_interval`` 0).

The bodies of every version's answers are hashed: the same hash says the pages are the same,
byte for byte.

    PYTHONPATH=src .venv/bin/python bench/remote_page.py --store DIR --before OTHER/src

At a million records, give ``--index`` a search index built for the store (else each child
builds one before it measures, as ``gdcat serve`` would: 23 minutes).

Results go to ``bench/results/remote_page.json``.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_cost import summary
from remote_store import oxigraph_server

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "remote_page.json"

CHILD = r"""
import json, os, sys, threading, time
base, url, index, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
os.environ["GDCAT_BASE_IRI"] = base
os.environ["GDCAT_STORE_URL"] = url
os.environ["GDCAT_INDEX_DIR"] = index
os.environ["GDCAT_TOKENS_FILE"] = index + "-tokens.json"
os.environ["GDCAT_FOLLOW_INTERVAL"] = "0"  # nothing writes: no change feed to follow
from fastapi.testclient import TestClient
from gdcat.api.app import create_app
from gdcat.settings import Settings
from gdcat.store import open_store
from gdcat.validate.background import vocabulary_index

vocabulary_index()
settings = Settings()
store = open_store(settings)
sent = [0]
def note(request):  # the requests of the threads answering pages, not gdcat's own threads
    if not threading.current_thread().name.startswith("gdcat-"):
        sent[0] += 1
store._client.event_hooks["request"].append(note)
app = create_app(settings, store)
from gdcat.store.record_sparql import ADMS_STATUS, PRIMARY_TOPIC, WITHDRAWN
provenance = store.provenance_graph
rows = store.query(  # live records only
    f"SELECT ?r WHERE {{ GRAPH <{provenance}> {{ ?r <{PRIMARY_TOPIC}> ?d "
    f"FILTER NOT EXISTS {{ ?r <{ADMS_STATUS}> <{WITHDRAWN}> }} }} }} LIMIT {requests + 1}",
    union_default_graph=False,
).rows
keys = [row[0].value[len(base) + len("record/"):] for row in rows]
out = {}
with TestClient(app) as client:
    started = time.perf_counter()
    while client.get("/api/datasets", params={"page_size": "1"}).status_code != 200:
        time.sleep(0.5)
    # an index on disk answers at once while the store is read to check it: wait for that
    # (and the warm-up) to end, so that no other thread of the process spends CPU
    busy = ("gdcat-index-start", "gdcat-warm", "gdcat-follow-rebuild", "gdcat-listing")
    until = time.monotonic() + 900
    while any(t.name in busy for t in threading.enumerate()) and time.monotonic() < until:
        time.sleep(0.5)
    out["index_wait_s"] = round(time.perf_counter() - started, 1)

    def measure(key, accept):
        before, cpu, wall = sent[0], time.process_time(), time.perf_counter()
        response = client.get(f"/dataset/{key}", headers={"Accept": accept})
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert response.status_code == 200, (response.status_code, response.text[:300])
        return cpu * 1000, wall * 1000, sent[0] - before, response.content

    for accept, name in (("text/turtle", "turtle"), ("text/html", "html")):
        measure(keys[-1], accept)  # warm
        taken = [measure(k, accept) for k in keys[:-1]]
        out[name + "_cpu_ms"] = [t[0] for t in taken]
        out[name + "_wall_ms"] = [t[1] for t in taken]
        out[name + "_engine_requests"] = [t[2] for t in taken]
        out[name + "_bytes"] = sum(len(t[3]) for t in taken)
        out[name + "_body_sha256"] = __import__("hashlib").sha256(
            b"".join(t[3] for t in taken)
        ).hexdigest()
print(json.dumps(out))
"""


def run_child(src: Path, base: str, url: str, index: Path, requests: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    answer = subprocess.run(
        [sys.executable, "-c", CHILD, base, url, str(index), str(requests)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store scale_load filled")
    parser.add_argument("--base", default="http://127.0.0.1:18731/", help="its base IRI")
    parser.add_argument("--before", type=Path, required=True, help="src/ of the other version")
    parser.add_argument("--after", type=Path, default=ROOT / "src")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--index", type=Path, default=None, help="a search index of the store, kept (else built)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gdcat-remote-page-"))
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    try:
        with oxigraph_server(args.store, wait=120) as url:
            for round_ in range(args.rounds):
                for name in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                    src = args.before if name == "before" else args.after
                    index = args.index or work / f"index-{name}"
                    runs[name].append(run_child(src, args.base, url, index, args.requests))
                    print(name, json.dumps(runs[name][-1])[:200], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table: dict[str, Any] = {}
    for name, results in runs.items():
        merged: dict[str, Any] = {}
        for page in ("turtle", "html"):
            for measure in ("cpu_ms", "wall_ms", "engine_requests"):
                key = f"{page}_{measure}"
                merged[key] = summary([v for r in results for v in r[key]])
            merged[f"{page}_body_sha256"] = sorted({r[f"{page}_body_sha256"] for r in results})
        merged["index_wait_s"] = [r["index_wait_s"] for r in results]
        # each round's mean: the machine's load moves from round to round
        merged["round_means"] = {
            f"{page}_{measure}": [
                round(statistics.fmean(r[f"{page}_{measure}"]), 2) for r in results
            ]
            for page in ("turtle", "html")
            for measure in ("cpu_ms", "wall_ms")
        }
        table[name] = merged
    ratios = {
        key: round(table["before"][key]["mean"] / table["after"][key]["mean"], 2)
        for page in ("turtle", "html")
        for key in (f"{page}_cpu_ms", f"{page}_wall_ms")
    }
    same = {
        page: table["before"][f"{page}_body_sha256"] == table["after"][f"{page}_body_sha256"]
        for page in ("turtle", "html")
    }
    result = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "store": str(args.store),
        "requests": args.requests,
        "rounds": args.rounds,
        "per_request": table,
        "before_over_after_mean": ratios,
        "same_bodies": same,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
