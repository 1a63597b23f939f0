"""gdcat serving 10,000 and 100,000 generated datasets from the on-disk store.

For each size, in one run on the same data:

- the store is filled with generated HealthDCAT-AP-style records (``gdcat.demo.scale``, the
  same records as the load benchmark), each in its named graph with its catalogue record;
- ``gdcat serve`` starts in its own process (its start builds the search index from the store)
  and the raw Oxigraph server (``oxigraph serve``, PyPI ``oxigraph``, the same version as
  pyoxigraph) serves a copy of the same store directory, with the union default graph that
  ``/sparql`` also uses;
- measured from this process over HTTP with keep-alive: search with six facets (p50, p95), one
  dataset as Turtle (p50, p95), four standard SPARQL queries through ``/sparql`` as a ratio to
  the raw Oxigraph server (medians, interleaved), and throughput with 20 concurrent clients;
- the peak resident memory of the gdcat server (and its query workers).

    .venv/bin/python bench/serve.py --sizes 10000,100000

Results go to ``bench/results/serve.json`` and ``docs/benchmarks.md`` (``bench/run.py
--report-only`` rewrites the page).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "serve.json"

PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX healthdcatap: <http://healthdataportal.eu/ns/health#>
"""


#: The four standard queries (what a catalogue client asks most): a facet count, a filtered
#: and sorted page, one dataset, and a text filter.
def sparql_queries(sample_iri: str) -> dict[str, str]:
    return {
        "facet count by country": PREFIXES
        + "SELECT ?country (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dct:spatial ?country ; "
        "dct:title ?t } GROUP BY ?country ORDER BY DESC(?n)",
        "filtered page (access rights, sorted, LIMIT 20)": PREFIXES
        + "SELECT ?d ?title WHERE { ?d a dcat:Dataset ; dct:title ?title ; dct:accessRights "
        "<http://publications.europa.eu/resource/authority/access-right/RESTRICTED> "
        'FILTER(LANG(?title) = "en") } ORDER BY ?title LIMIT 20',
        "one dataset (CONSTRUCT)": f"CONSTRUCT {{ <{sample_iri}> ?p ?o }} WHERE {{ <{sample_iri}> ?p ?o }}",
        "text filter (CONTAINS, LIMIT 20)": PREFIXES
        + 'SELECT DISTINCT ?d WHERE { ?d dct:title ?t FILTER(CONTAINS(LCASE(STR(?t)), "exome")) } LIMIT 20',
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fill_store(n: int, store_dir: Path, base: str) -> dict[str, Any]:
    """Write ``n`` generated records into a new on-disk store; returns counts and timing.

    The records are streamed into Oxigraph's bulk loader in the layout a harvest writes
    (:mod:`gdcat.demo.scale_load`): no node's document is parsed whole, so any size fits."""
    from gdcat.demo.scale_load import fill_scale_store

    filled = fill_scale_store(n, store_dir, base, seed=7, workers=2)
    return {"records": filled.records, "triples": filled.quads, "seconds": filled.seconds}


class Server:
    """A server process, waited for by polling, stopped on exit."""

    def __init__(
        self,
        command: list[str],
        url: str,
        probe: str,
        env: dict[str, str],
        *,
        deadline: float = 1800,
    ) -> None:
        self.url = url
        start = time.perf_counter()
        # The server's log goes to a file, not a pipe: a pipe nobody reads fills up (an
        # access log line a request) and the server blocks writing to it, which stalled a
        # start of 20 minutes (a million records) until a request timed out.
        handle, name = tempfile.mkstemp(prefix="gdcat-bench-server-", suffix=".log")
        os.close(handle)
        self.log = Path(name)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        give_up = time.monotonic() + deadline
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {self.log_tail()!r}")
            try:
                if httpx.get(url + probe, timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > give_up:
                self.stop()
                raise RuntimeError(f"{command[0]} did not start: {self.log_tail()!r}")
            time.sleep(0.2)
        self.start_seconds = time.perf_counter() - start

    def log_tail(self, size: int = 2000) -> str:
        """The end of the server's log (its standard error)."""
        data = self.log.read_bytes()
        return data[-size:].decode("utf-8", errors="replace")

    def peak_rss_mb(self) -> float:
        """Peak RSS of the server process plus the current RSS of its children."""
        total = _status_kb(self.process.pid, "VmHWM")
        for child in _children(self.process.pid):
            total += _status_kb(child, "VmRSS")
        return total / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)


def gdcat_env(store_dir: Path, work: Path, base: str) -> dict[str, str]:
    """The environment of a benchmarked ``gdcat serve``: its store, and its search index and
    tokens file in ``work``."""
    return {
        **os.environ,
        "GDCAT_BASE_IRI": base,
        "GDCAT_STORE_DIR": str(store_dir),
        "GDCAT_INDEX_DIR": str(work / "index"),
        "GDCAT_TOKENS_FILE": str(work / "tokens.json"),
        "GDCAT_SPARQL_MAX_ROWS": "100000",
    }


def start_gdcat(store_dir: Path, port: int, env: dict[str, str]) -> Server:
    """``gdcat serve`` on ``store_dir`` in its own process, once it answers (its start builds
    the search index from the store unless the index in ``GDCAT_INDEX_DIR`` is in step)."""
    return Server(
        [str(BIN / "gdcat"), "serve", "--store", str(store_dir), "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/openapi.json",
        env,
    )


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:") and int(line.split()[1]) == pid:
                found.append(int(status.parent.name))
    return found


def timed(
    client: httpx.Client, calls: list[Callable[[httpx.Client], httpx.Response]]
) -> list[float]:
    """Milliseconds per call; every answer must be a success."""
    times = []
    for call in calls:
        start = time.perf_counter()
        response = call(client)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(
                f"{response.request.url} answered {response.status_code}: {response.text[:300]}"
            )
    return times


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "n": len(ordered),
    }


def search_calls(rng: random.Random, count: int) -> list[Callable[[httpx.Client], httpx.Response]]:
    """Searches as a search page sends them: text or none, a filter or two, six facets."""
    return [search_call(params) for params in search_params(rng, count)]


def search_call(params: dict[str, str | list[str]]) -> Callable[[httpx.Client], httpx.Response]:
    """One search of ``/api/datasets`` with these query parameters."""
    return lambda c: c.get("/api/datasets", params=params)


def search_params(rng: random.Random, count: int) -> list[dict[str, str | list[str]]]:
    """The query parameters of :func:`search_calls` (40 different searches in all)."""
    words = ["genome", "exome", "cancer", "rare", "cohort", "panel", "cardiovascular", ""]
    filters = [
        {},
        {"country": "NLD"},
        {"access_rights": "RESTRICTED"},
        {"sequencing_type": "WGS"},
        {"country": "FRA", "access_rights": "RESTRICTED"},
    ]
    facets = [
        "country",
        "health_category",
        "sequencing_type",
        "data_use",
        "access_rights",
        "publisher",
    ]
    out: list[dict[str, str | list[str]]] = []
    for _ in range(count):
        params: dict[str, str | list[str]] = {"facet": facets, "page_size": "20"}
        word = rng.choice(words)
        if word:
            params["q"] = word
        params.update(rng.choice(filters))
        out.append(params)
    return out


def dataset_call(key: str) -> Callable[[httpx.Client], httpx.Response]:
    return lambda c: c.get(f"/dataset/{key}", headers={"Accept": "text/turtle"})


def sparql_call(path: str, query: str, accept: str) -> Callable[[httpx.Client], httpx.Response]:
    return lambda c: c.post(path, data={"query": query}, headers={"Accept": accept})


def measure(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    port, ox_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{port}/"
    store_dir = work / "store"
    print(f"[{size:,}] filling the store", flush=True)
    filled = fill_store(size, store_dir, base)
    copy = work / "oxigraph-copy"
    shutil.copytree(store_dir, copy)
    env = gdcat_env(store_dir, work, base)
    print(f"[{size:,}] starting gdcat serve (builds the index) and oxigraph serve", flush=True)
    gdcat = start_gdcat(store_dir, port, env)
    oxigraph = Server(
        [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(copy),
            "--bind",
            f"127.0.0.1:{ox_port}",
            "--union-default-graph",
        ],
        f"http://127.0.0.1:{ox_port}",
        "/query?query=ASK%7B%7D",
        env,
    )
    rng = random.Random(size)
    try:
        result: dict[str, Any] = {
            "datasets": filled["records"],
            "triples": filled["triples"],
            "fill_seconds": round(filled["seconds"], 1),
            "gdcat_start_seconds": round(gdcat.start_seconds, 1),
        }
        with (
            httpx.Client(base_url=gdcat.url, timeout=120) as client,
            httpx.Client(base_url=oxigraph.url, timeout=120) as raw,
        ):
            keys = [
                h["key"]
                for h in client.get("/api/datasets", params={"page_size": "100"}).json()["hits"]
            ]
            iris = [
                h["iri"]
                for h in client.get("/api/datasets", params={"page_size": "100"}).json()["hits"]
            ]
            timed(client, search_calls(rng, 20))  # warm up
            result["search"] = percentiles(timed(client, search_calls(rng, args.requests)))
            print(f"[{size:,}] search {result['search']}", flush=True)
            dataset_calls = [dataset_call(rng.choice(keys)) for _ in range(args.requests)]
            timed(client, dataset_calls[:20])
            result["dataset_turtle"] = percentiles(timed(client, dataset_calls))
            print(f"[{size:,}] one dataset {result['dataset_turtle']}", flush=True)
            result["sparql"] = {}
            for name, query in sparql_queries(iris[0]).items():
                accept = (
                    "text/turtle"
                    if query.startswith("CONSTRUCT")
                    else "application/sparql-results+json"
                )
                ours = sparql_call("/sparql", query, accept)
                theirs = sparql_call("/query", query, accept)
                timed(client, [ours] * 2)
                timed(raw, [theirs] * 2)
                mine, base_times = [], []
                for _ in range(args.sparql_repeats):  # interleaved: both see the same noise
                    mine += timed(client, [ours])
                    base_times += timed(raw, [theirs])
                m, b = statistics.median(mine), statistics.median(base_times)
                result["sparql"][name] = {
                    "gdcat_ms": round(m, 2),
                    "oxigraph_ms": round(b, 2),
                    "ratio": round(m / b, 2),
                }
                print(f"[{size:,}] sparql {name}: {result['sparql'][name]}", flush=True)
        result["concurrent"] = concurrent(gdcat.url, keys, rng, args.clients, args.duration)
        print(f"[{size:,}] concurrent {result['concurrent']}", flush=True)
        result["gdcat_peak_rss_mb"] = round(gdcat.peak_rss_mb(), 0)
        result["index_mb"] = round(
            sum(f.stat().st_size for f in (work / "index").rglob("*") if f.is_file()) / 2**20, 1
        )
        result["store_mb"] = round(
            sum(f.stat().st_size for f in store_dir.rglob("*") if f.is_file()) / 2**20, 1
        )
        return result
    finally:
        gdcat.stop()
        oxigraph.stop()


def concurrent(
    url: str, keys: list[str], rng: random.Random, clients: int, seconds: float
) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection, for ``seconds``: a mix of
    searches (half) and one-dataset reads (half)."""
    done = [0] * clients
    failed = [0] * clients
    stop = time.monotonic() + seconds
    searches = search_calls(rng, 200)
    seeds = [rng.random() for _ in range(clients)]

    def client_loop(i: int) -> None:
        local = random.Random(seeds[i])
        with httpx.Client(base_url=url, timeout=60) as client:
            while time.monotonic() < stop:
                if local.random() < 0.5:
                    response = local.choice(searches)(client)
                else:
                    response = client.get(
                        f"/dataset/{local.choice(keys)}", headers={"Accept": "text/turtle"}
                    )
                if response.status_code < 400:
                    done[i] += 1
                else:
                    failed[i] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": sum(done),
        "failed": sum(failed),
        "requests_per_second": round(sum(done) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="dataset counts, comma-separated")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per measure")
    parser.add_argument("--sparql-repeats", type=int, default=15)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of concurrent load")
    parser.add_argument("--work", type=Path, default=None, help="keep the stores here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, Any] = {
        "measured": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "sizes": {},
    }
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"gdcat-serve-{size}-", dir=args.work))
        try:
            results["sizes"][str(size)] = measure(size, args, work)
        finally:
            if args.work is None:
                shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--report-only"], check=True)


if __name__ == "__main__":
    main()
